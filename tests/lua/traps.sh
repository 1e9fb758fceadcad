#!/bin/sh
# vmrun.on_trap (docs/lua.md) and scripts/lua/trap-count.lua, on
# tests/lua/traps.S: its comment lists the traps it takes (3 ecalls from
# M, 3 from U, 1 illegal instruction at `user_illegal`), which is where the
# expected values come from.
. "$top_srcdir/tests/lua/lib.sh"
build_traps
ILL=$(tsym user_illegal); UEC=$(tsym user_ecall); HANDLER=$(tsym handler)
OBJDUMP=${RISCV_CC%gcc}objdump
# the illegal instruction's encoding (mtval), from the assembler's listing
ENC=0x$("$OBJDUMP" -d "$TMP/traps.elf" |
  awk -v a="${ILL#0x}:" '$1 == a { print $2 }')

printf '%s\n' '
local seen = {}
vmrun.on_trap(function(t)
  seen[#seen + 1] = string.format("%s %d %s 0x%x 0x%x %d %d 0x%x", t.name,
    t.cause, tostring(t.is_interrupt), t.pc, t.tval, t.from, t.to, t.vector)
end)
vmrun.on_exit(function() for _, l in ipairs(seen) do print(l) end end)' >"$TMP/s.lua"
for engine in interp tjit; do
  "$VMRUN" --max-insns 1000000 --set machine.engine=$engine \
    --script "$TMP/s.lua" "$T" >"$TMP/out" 2>"$TMP/err"; st=$?
  check "$engine: the guest passes with an on_trap hook (status $st)" [ $st -eq 0 ]
  check "$engine: 7 traps reported" [ "$(lines "$TMP/out")" -eq 7 ]
  check "$engine: 3 ecall_m (cause 11) from M to M, vector = handler" \
    [ "$(grep -c "^ecall_m 11 false .* 3 3 $HANDLER\$" "$TMP/out")" -eq 3 ]
  check "$engine: 3 ecall_u (cause 8) from U to M" \
    [ "$(grep -c "^ecall_u 8 false .* 0 3 $HANDLER\$" "$TMP/out")" -eq 3 ]
  check "$engine: the first ecall_u at user_ecall ($UEC)" \
    grep -q "^ecall_u 8 false $UEC 0x0 0 3" "$TMP/out"
  check "$engine: illegal_insn at user_illegal ($ILL), tval = its encoding ($ENC)" \
    grep -qx "illegal_insn 2 false $ILL $ENC 0 3 $HANDLER" "$TMP/out"
done

# a removed hook is not called again
printf '%s\n' 'local n = 0
local id
id = vmrun.on_trap(function(t) n = n + 1; if n == 2 then vmrun.remove(id) end end)
vmrun.on_exit(function() print("calls", n) end)' >"$TMP/r.lua"
"$VMRUN" --script "$TMP/r.lua" "$T" >"$TMP/out" 2>"$TMP/err"; st=$?
check "vmrun.remove inside on_trap: 2 calls, not 7 ($(cat "$TMP/out"))" \
  sh -c "[ $st -eq 0 ] && grep -qx 'calls	2' '$TMP/out'"

# a hook may read the registers of the handler's state
printf '%s\n' 'vmrun.on_trap(function(t)
  if t.name == "illegal_insn" then
    print(string.format("mcause=%d mepc=0x%x priv=%d pc=0x%x", vmrun.reg("mcause"),
      vmrun.reg("mepc"), vmrun.reg("priv"), vmrun.reg("pc")))
  end
end)' >"$TMP/r.lua"
"$VMRUN" --script "$TMP/r.lua" "$T" >"$TMP/out" 2>"$TMP/err"
check "registers inside on_trap are the handler's (mcause, mepc, priv M, pc = vector)" \
  grep -qx "mcause=2 mepc=$ILL priv=3 pc=$HANDLER" "$TMP/out"

# errors name the script and line
printf '%s\n' '-- line 1' 'vmrun.on_trap(42)' >"$TMP/r.lua"
"$VMRUN" --script "$TMP/r.lua" "$T" >"$TMP/out" 2>"$TMP/err"; st=$?
check "on_trap(42): status 1, one line naming r.lua:2" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'r.lua:2:' '$TMP/err'"
printf '%s\n' 'vmrun.on_trap(function(t) error("boom " .. t.name) end)' >"$TMP/r.lua"
"$VMRUN" --script-on-error continue --script "$TMP/r.lua" "$T" >"$TMP/out" 2>"$TMP/err"; st=$?
check "error in on_trap under continue: hook disabled once, guest passes" \
  sh -c "[ $st -eq 0 ] && [ \$(grep -c 'on_trap hook disabled' '$TMP/err') -eq 1 ] && grep -q 'boom ecall_m' '$TMP/err'"

# the example script
"$VMRUN" --script "$SCRIPTS/trap-count.lua" "$T" >"$TMP/out" 2>"$TMP/err"; st=$?
diag <"$TMP/out"
check "trap-count.lua: status 0" [ $st -eq 0 ]
check "trap-count.lua: ecall_m 3" grep -q '^trap-count: exception  *ecall_m  *3$' "$TMP/out"
check "trap-count.lua: ecall_u 3" grep -q '^trap-count: exception  *ecall_u  *3$' "$TMP/out"
check "trap-count.lua: illegal_insn 1" grep -q '^trap-count: exception  *illegal_insn  *1$' "$TMP/out"
check "trap-count.lua: total 7 (0 interrupts)" \
  grep -q '^trap-count: total 7 (7 exceptions, 0 interrupts)$' "$TMP/out"

# interrupts: under OpenSBI, guest/payload arms one SBI timer and waits for
# it (main.c): one supervisor timer interrupt, raised by OpenSBI from one
# machine timer interrupt
fw="${OPENSBI_DIR:-/usr/lib/riscv64-linux-gnu/opensbi/generic}/fw_jump.bin"
if [ -f "$fw" ]; then
  timeout 120 "$VMRUN" --max-insns 500000000 \
    --set machine.firmware="$fw" --set machine.kernel="$top_builddir/guest/payload.bin" \
    --script "$SCRIPTS/trap-count.lua" "$top_srcdir/configs/riscv64-opensbi.yaml" \
    </dev/null >"$TMP/out" 2>"$TMP/err"; st=$?
  grep '^trap-count' "$TMP/out" | diag
  check "trap-count.lua under OpenSBI: the payload's one timer_s interrupt" \
    sh -c "[ $st -eq 0 ] && grep -q '^trap-count: interrupt  *timer_s  *1\$' '$TMP/out'"
  check "...and the one timer_m interrupt OpenSBI turns into it" \
    grep -q '^trap-count: interrupt  *timer_m  *1$' "$TMP/out"
  check "...the payload's ecalls reach OpenSBI as ecall_s" \
    grep -q '^trap-count: exception  *ecall_s  *[1-9][0-9]*$' "$TMP/out"
  # symbols of the payload (configs/riscv64-opensbi.yaml machine.symbols):
  # the timer interrupt arrives in payload_main's wfi loop (main.c) and
  # enters the payload's stvec, trap_entry (start.S)
  printf '%s\n' 'vmrun.on_trap(function(t)
    if t.name == "timer_s" then
      print(string.format("at %s vector %s", vmrun.symbol(t.pc), vmrun.symbol(t.vector)))
      print(string.format("main 0x%x", vmrun.lookup("payload_main")))
    end
  end)' >"$TMP/p.lua"
  # the built payload (also in a build directory apart from the sources)
  sed "s|\.\./guest/payload\.|$top_builddir/guest/payload.|" \
    "$top_srcdir/configs/riscv64-opensbi.yaml" >"$TMP/o.yaml"
  timeout 120 "$VMRUN" --max-insns 500000000 --set machine.firmware="$fw" \
    --script "$TMP/p.lua" "$TMP/o.yaml" </dev/null >"$TMP/out" 2>"$TMP/err"; st=$?
  MAIN=0x$(${RISCV_CC%gcc}nm "$top_builddir/guest/payload.elf" | awk '$3 == "payload_main" { sub(/^0+/, "", $1); print $1 }')
  check "payload symbols: timer_s taken in payload_main, vector trap_entry; lookup = nm's $MAIN" \
    sh -c "[ $st -eq 0 ] && grep -qx 'at payload_main vector trap_entry' '$TMP/out' && grep -qx 'main $MAIN' '$TMP/out'"
else
  skip "OpenSBI firmware $fw missing (Debian package opensbi)"
fi

# insn-count.lua on the same guest: U mode runs 26 instructions (traps.S)
"$VMRUN" --script "$SCRIPTS/insn-count.lua" "$T" >"$TMP/out" 2>"$TMP/err"; st=$?
check "insn-count.lua: U-mode 26 instructions, as counted in traps.S" \
  sh -c "[ $st -eq 0 ] && grep -q '^insn-count: U-mode 26 ' '$TMP/out'"
set -- $(sed -n 's/^insn-count: total \([0-9]*\) (vmrun icount \([0-9]*\))$/\1 \2/p' "$TMP/out")
check "insn-count.lua: total - icount = the 7 trapping instructions ($1 - $2)" \
  [ $(( $1 - $2 )) -eq 7 ]
done_testing
