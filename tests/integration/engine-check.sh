#!/bin/sh
# --engine-check: the interpreter runs in lockstep with the engine and the
# first difference stops the run.  Engines built from the interp sources
# with an injected fault (tests/local.mk, plugins/interp/exec.c):
# engine-faultymul flips bit 0 of every MUL result, engine-faultyst bit 8
# of every halfword store that hits the TLB, engine-faultywide writes 4
# bytes for a halfword store through the MMU's slow path, engine-faultyextra
# also writes the halfword 32 bytes further (where the reference wrote
# nothing).  Each must be
# caught at the right block (from nm), with the right register or memory
# address and both values (from the program: tests/guest/check-fault.S);
# the real engines must pass every guest program and the OpenSBI boot with
# blocks checked and no divergence.
. "$top_srcdir/tests/integration/lib.sh"
machine="$top_srcdir/tests/guest/machine.yaml"
elf="$top_builddir/tests/guest/check-fault.elf"
plugins="$top_builddir/tests/faulty"
nm=${RISCV_CC%gcc}nm
command -v "$nm" >/dev/null 2>&1 || nm=riscv64-unknown-elf-nm

# sym NAME: the symbol's address as vmrun prints it (0x, no leading zeros)
sym() { "$nm" "$elf" | awk -v s="$1" '$3 == s { print $1 }' |
        sed 's/^0*/0x/'; }
do_mul=$(sym do_mul); do_store=$(sym do_store); buf=$(sym buf)
do_store2=$(sym do_store2); buf2=$(sym buf2)
check "nm finds do_mul, do_store, do_store2, buf, buf2 in check-fault.elf" \
  [ -n "$do_mul" -a -n "$do_store" -a -n "$buf" -a -n "$do_store2" -a -n "$buf2" ]

check "--help documents --engine-check" sh -c "'$VMRUN' --help | grep -q -- '--engine-check'"

# run ENGINE [vmrun args...]: the guest on ENGINE; status in $st
run() {
  local eng=$1; shift
  timeout 60 "$VMRUN" -P "$plugins" --set machine.firmware="$elf" \
    --set machine.engine="$eng" --set 'devices[2].options.chardev=null' \
    "$@" "$machine" </dev/null >"$TMP/out" 2>"$TMP/err"
  st=$?
}

# the faults are real: without the check, the guest's own test fails
for eng in faultymul faultyst; do
  run $eng
  check "$eng without --engine-check: the guest sees the fault (status 1, got $st)" [ $st -eq 1 ]
done
# faultywide clobbers bytes the guest does not check: only the check sees it
for eng in interp faultywide faultyextra; do
  run $eng
  check "$eng without --engine-check: the guest passes (got $st)" [ $st -eq 0 ]
done

# 6 * 7 = 0x2a in a0; the faulty MUL gives 0x2b
run faultymul --engine-check
check "faultymul: exit status 1 (got $st)" [ $st -eq 1 ]
want="vmrun: engine-check: block $do_mul: a0: interp 0x2a faultymul 0x2b"
if [ "$(cat "$TMP/err")" = "$want" ]; then ok "faultymul: one line naming block, a0, both values"
else fail "faultymul: expected '$want'"; diag <"$TMP/err"; fi

# sh of 0x5678 at buf2 (TLB hit); the faulty store writes 0x5778
run faultyst --engine-check
check "faultyst: exit status 1 (got $st)" [ $st -eq 1 ]
want="vmrun: engine-check: block $do_store2: memory $buf2 (2 bytes): interp 0x5678 faultyst 0x5778"
if [ "$(cat "$TMP/err")" = "$want" ]; then ok "faultyst: one line naming block, address, both values"
else fail "faultyst: expected '$want'"; diag <"$TMP/err"; fi

# sh of 0x1234 at buf (slow path); the 4-byte store zeroes buf+2..3, which
# held 0x1111 (buf is .dword 0x1111111111111111)
run faultywide --engine-check
check "faultywide: exit status 1 (got $st)" [ $st -eq 1 ]
want="vmrun: engine-check: block $do_store: memory $(printf 0x%x $((buf + 2))) (2 bytes): interp 0x1111 faultywide 0x0"
if [ "$(cat "$TMP/err")" = "$want" ]; then ok "faultywide: one line naming block, clobbered address, both values"
else fail "faultywide: expected '$want'"; diag <"$TMP/err"; fi

# the extra halfword lands at buf+32, zero padding before buf2's page
run faultyextra --engine-check
check "faultyextra: exit status 1 (got $st)" [ $st -eq 1 ]
want="vmrun: engine-check: block $do_store: memory $(printf 0x%x $((buf + 32))) (2 bytes): interp 0x0 faultyextra 0x1234"
if [ "$(cat "$TMP/err")" = "$want" ]; then ok "faultyextra: one line naming block, the stray store's address, both values"
else fail "faultyextra: expected '$want'"; diag <"$TMP/err"; fi

# the same through the YAML key
sed 's/^  engine: interp$/  engine: interp\n  engine_check: true/' "$machine" >"$TMP/m.yaml"
check "test set-up: engine_check key added" grep -q 'engine_check: true' "$TMP/m.yaml"
timeout 60 "$VMRUN" -P "$plugins" --set machine.firmware="$elf" \
  --set machine.engine=faultymul --set 'devices[2].options.chardev=null' \
  "$TMP/m.yaml" </dev/null >/dev/null 2>"$TMP/err"; st=$?
check "machine.engine_check: true catches faultymul (status $st)" \
  sh -c "[ $st -eq 1 ] && grep -q '^vmrun: engine-check: block $do_mul: a0: ' '$TMP/err'"
sed 's/^  engine: interp$/  engine: interp\n  engine_check: maybe/' "$machine" >"$TMP/bad.yaml"
line=$(grep -n 'engine_check: maybe' "$TMP/bad.yaml" | cut -d: -f1)
"$VMRUN" "$TMP/bad.yaml" </dev/null >/dev/null 2>"$TMP/err"; st=$?
if [ $st -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
   grep -q "bad.yaml:$line:[0-9]*: .*engine_check.*boolean" "$TMP/err"; then
  ok "engine_check: maybe -> one line with file:line:col, status 1"
else fail "engine_check: maybe (status $st)"; diag <"$TMP/err"; fi

# stats lines: NAME VALUE from $TMP/err
stat() { awk -v k="stats: engine_check_$1" 'index($0, k " ") == 1 { print $3 }' "$TMP/err"; }

# Lua block hooks are chained into the reference: a checked block calls
# them twice (both runs), an unchecked one (MMIO, not replayed) once
cat >"$TMP/blocks.lua" <<'EOF2'
local n = 0
vmrun.on_block(function(pc, k) n = n + 1 end)
vmrun.on_exit(function() print("blocks", n) end)
EOF2
run interp --script "$TMP/blocks.lua"
plain=$(awk '$1 == "blocks" { print $2 }' "$TMP/out")
run interp --script "$TMP/blocks.lua" --engine-check --stats
checked=$(awk '$1 == "blocks" { print $2 }' "$TMP/out")
unc=$(stat blocks_unchecked)
check "Lua on_block under --engine-check: $checked calls = 2 x $plain - $unc unchecked (status $st)" \
  [ $st -eq 0 -a -n "$plain" -a "$plain" -gt 0 -a "$checked" = $((2 * ${plain:-0} - ${unc:-0})) ]

# interp against itself, and tjit, on every guest program
for eng in interp tjit; do
  bad=""
  for t in check-fault $GUEST_TESTS; do
    for v in $t $t-vmrun; do
      e="$top_builddir/tests/guest/$v.elf"
      [ -f "$e" ] || continue
      timeout 120 "$VMRUN" --engine-check --stats --max-insns 50000000 \
        --set machine.firmware="$e" --set machine.engine=$eng \
        --set 'devices[2].options.chardev=null' "$machine" </dev/null \
        >/dev/null 2>"$TMP/err"; st=$?
      n=$(stat blocks_checked); d=$(stat divergences); mm=$(stat unchecked_mmio)
      # every program reports through the MMIO finisher: >= 1 unchecked
      if [ $st -ne 0 ] || [ "${n:-0}" -eq 0 ] || [ "$d" != 0 ] ||
         [ "${mm:-0}" -lt 1 ] || grep -q '^vmrun: engine-check:' "$TMP/err"; then
        bad="$bad $v"; diag <"$TMP/err"
      fi
    done
  done
  check "$eng --engine-check: every guest program passes, blocks checked, no divergence${bad:+ (failed:$bad)}" \
    [ -z "$bad" ]
done

# OpenSBI and its S-mode payload (SBI calls, timer interrupt, SRST) on tjit
cfg="$top_srcdir/configs/riscv64-opensbi.yaml"
fw="${OPENSBI_DIR:-/usr/lib/riscv64-linux-gnu/opensbi/generic}/fw_jump.bin"
if [ -f "$fw" ]; then
  timeout 300 "$VMRUN" --engine-check --stats --max-insns 500000000 \
    --set machine.engine=tjit --set machine.firmware="$fw" \
    --set machine.kernel="$top_builddir/guest/payload.bin" "$cfg" \
    </dev/null >"$TMP/out" 2>"$TMP/err"; st=$?
  n=$(stat blocks_checked); d=$(stat divergences)
  if [ $st -eq 0 ] && [ "${n:-0}" -gt 100000 ] && [ "$d" = 0 ] &&
     ! grep -q '^vmrun: engine-check:' "$TMP/err"; then
    ok "tjit --engine-check boots OpenSBI: status 0, $n blocks checked, no divergence"
  else
    fail "tjit --engine-check on OpenSBI (status $st, checked ${n:-none})"; diag <"$TMP/err"
  fi
  # two harts: per-hart engine data and paging shadows
  timeout 300 "$VMRUN" --engine-check --stats --max-insns 500000000 \
    --set machine.harts=2 --set machine.engine=tjit \
    --set machine.firmware="$fw" \
    --set machine.kernel="$top_builddir/guest/payload.bin" "$cfg" \
    </dev/null >"$TMP/out" 2>"$TMP/err"; st=$?
  n=$(stat blocks_checked); d=$(stat divergences)
  check "tjit --engine-check, 2 harts: status $st, ${n:-no} blocks checked, divergences ${d:-none}" \
    [ $st -eq 0 -a "${n:-0}" -gt 100000 -a "$d" = 0 ]
else
  skip "OpenSBI firmware $fw missing (Debian package opensbi)"
fi
# user mode has no machine run loop to check: one line, status 2, for the
# flag and for a mode: user file alike (before the program is looked at)
"$VMRUN" --engine-check --user /nonexistent/prog >"$TMP/out" 2>"$TMP/err"; st=$?
check "--engine-check --user: refused with one line (status $st)" \
  sh -c "[ $st -eq 2 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'engine-check is available in machine mode only' '$TMP/err'"
cat >"$TMP/u.yaml" <<YAML
version: 1
mode: user
user: { program: /nonexistent/prog }
YAML
"$VMRUN" --engine-check "$TMP/u.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
check "--engine-check with mode: user: refused with one line (status $st)" \
  sh -c "[ $st -eq 2 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'engine-check is available in machine mode only' '$TMP/err'"
done_testing
