#!/bin/sh
# Lua scripting API (docs/lua.md): hooks, registers, memory, control.
. "$top_srcdir/tests/lua/lib.sh"
LOOP=$(sym loop); MARKER=$(sym marker); FLAG=$(sym flag)
BNEZ=$(printf '0x%x' $((LOOP + 2)))   # addi is compressed (2 bytes)

# no script: the guest passes
"$VMRUN" --stats "$M" >"$TMP/out" 2>"$TMP/stats"; st=$?
check "guest passes without scripts (status $st)" [ $st -eq 0 ]
N=$(awk '/^stats: instructions/ { print $3 }' "$TMP/stats")

# instruction counts: on_block sum == on_insn count == --stats
run_lua '
local nb, ni = 0, 0
vmrun.on_block(function(pc, n) nb = nb + n end)
vmrun.on_insn(function(pc) ni = ni + 1 end)
vmrun.on_exit(function(code) print("counts", nb, ni, vmrun.icount(), code) end)' --stats
set -- $(grep '^counts' "$TMP/out")
check "on_block sum ($2) = --stats instructions ($N)" [ "$2" = "$N" ]
check "on_insn count ($3) = --stats instructions ($N)" [ "$3" = "$N" ]
check "vmrun.icount() at exit ($4) = $N, on_exit gets status 0 ($5)" \
  [ "$4" = "$N" -a "$5" = 0 -a $st -eq 0 ]
check "hooks do not change --stats instructions" \
  grep -q "^stats: instructions $N\$" "$TMP/err"

# on_insn with a pc filter / a range
run_lua "
local a, b = 0, 0
vmrun.on_insn(function(pc) a = a + 1 end, { pc = $LOOP })
vmrun.on_insn(function(pc) b = b + 1 end, { from = $LOOP, to = $BNEZ })
vmrun.on_exit(function() print('filtered', a, b) end)"
check "on_insn {pc=loop} fires 5 times, {from=loop,to=bnez} 10 times" \
  grep -q "^filtered	5	10\$" "$TMP/out"

# register read at a known pc, vmrun.pc(), set_reg
run_lua "
vmrun.on_insn(function(pc)
  print(string.format('a0=0x%x pc=0x%x hookpc=0x%x', vmrun.reg('a0'),
                      vmrun.pc(), pc))
end, { pc = $MARKER })"
check "reg('a0') = 0x1234 at marker, vmrun.pc() = marker" \
  grep -qx "a0=0x1234 pc=$MARKER hookpc=$MARKER" "$TMP/out"
run_lua "print(vmrun.reg('pc'), vmrun.reg('x0'), vmrun.arch)"
check "top level: reg('pc') is the entry, x0 is 0, vmrun.arch" \
  grep -qx "$((0x80000000))	0	riscv64" "$TMP/out"

# write_phys / write_u32 change guest behaviour (flag -> FAIL code)
run_lua "vmrun.on_start(function() vmrun.write_phys($FLAG, string.char(7, 0, 0, 0)) end)"
check "write_phys of flag=7: guest fails with status 7 ($st)" [ $st -eq 7 ]
run_lua "vmrun.write_u32($FLAG, 9); print(vmrun.read_u32($FLAG), #vmrun.read_phys($FLAG, 8))"
check "write_u32 at load time: status 9 ($st), read back" \
  [ $st -eq 9 -a "$(cat "$TMP/out")" = "9	8" ]

# stop and exit_code
run_lua "vmrun.write_u32($FLAG, 7)
vmrun.on_insn(function(pc) vmrun.stop() end, { pc = $MARKER })
vmrun.on_exit(function(code) print('exit', code, vmrun.pc()) end)"
check "vmrun.stop() before the guest fails: status 0 ($st)" [ $st -eq 0 ]
run_lua "vmrun.on_insn(function(pc) vmrun.exit_code(42); vmrun.stop() end, { pc = $MARKER })"
check "vmrun.exit_code(42) + stop(): status 42 ($st)" [ $st -eq 42 ]
run_lua "vmrun.exit_code(3)"
check "vmrun.exit_code(3) overrides the guest's pass ($st)" [ $st -eq 3 ]

# on_mmio sees the finisher write, named by device
run_lua "vmrun.on_mmio(function(dev, off, size, w, v)
  print(string.format('mmio %s %d %d %s 0x%x', dev, off, size, tostring(w), v))
end, { device = 'sifive-test0' })"
check "on_mmio: finisher write 0x5555 seen with device name" \
  grep -qx "mmio sifive-test0 0 4 true 0x5555" "$TMP/out"
run_lua "vmrun.on_mmio(function() end, { device = 'nosuch' })"
check "on_mmio with an unknown device: error ($st)" \
  sh -c "[ $st -eq 1 ] && grep -q \"s.lua:1: on_mmio: no device 'nosuch'\" '$TMP/err'"

# periodic hooks

cat >"$TMP/p.lua" <<'LUA'
local n, m = 0, 0
vmrun.every(5, function(ic) n = n + 1 end)
vmrun.every_ns(1, function(t) m = m + 1 end)
vmrun.on_exit(function() print("periodic", n, m, vmrun.icount()) end)
LUA
"$VMRUN" --set machine.clock=icount --script "$TMP/p.lua" "$M" >"$TMP/out" 2>"$TMP/err"
set -- $(grep '^periodic' "$TMP/out")
check "every(5): fired $2 times in $4 insns" \
  [ "${2:-0}" -ge 2 -a "${2:-0}" -le $(( ${4:-0} / 5 )) ]
check "every_ns(1) with clock: icount fired ($3 times)" [ "${3:-0}" -ge 1 ]

# hook removal and hooks added at run time (translations flushed)
run_lua "
local n, id = 0, nil
vmrun.on_insn(function(pc)
  if not id then id = vmrun.on_block(function() n = n + 1 end) end
end, { pc = $LOOP })
vmrun.on_exit(function() print('late', n) end)"
n=$(awk '/^late/ { print $2 }' "$TMP/out")
check "on_block added inside a hook starts firing ($n blocks)" [ "${n:-0}" -ge 2 ]
run_lua "
local n = 0
local id = vmrun.on_insn(function(pc) n = n + 1 end)
vmrun.on_insn(function(pc) vmrun.remove(id) end, { pc = $MARKER })
vmrun.on_exit(function() print('removed', n) end)"
n=$(awk '/^removed/ { print $2 }' "$TMP/out")
check "vmrun.remove() stops a hook ($n of $N insns seen)" \
  [ "${n:-0}" -gt 5 -a "${n:-0}" -lt "$N" ]

# args: CLI and YAML
printf 'print("args", args.a, args.b, select(1, ...).a)\n' >"$TMP/a.lua"
"$VMRUN" --script "$TMP/a.lua:a=1,b=x y" "$M" >"$TMP/out" 2>&1
check "--script FILE:a=1,b=x y -> args and ..." grep -qx "args	1	x y	1" "$TMP/out"
cat >"$TMP/my.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: guest.elf }
devices:
  - { type: sifive-test, base: 0x100000 }
scripts:
  - a.lua
  - { path: a.lua, args: { a: 2, b: yes } }
YAML
"$VMRUN" "$TMP/my.yaml" >"$TMP/out" 2>&1; st=$?
check "YAML scripts: (relative to the YAML file) run in order with args" \
  sh -c "[ $st -eq 0 ] && [ \"\$(cat '$TMP/out')\" = \"\$(printf 'args\tnil\tnil\tnil\nargs\t2\tyes\t2')\" ]"
done_testing
