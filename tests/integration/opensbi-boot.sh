#!/bin/sh
# Debian's OpenSBI boots on the default machine and hands over to vmrun's
# S-mode payload; the banner and the payload's output are checked line by
# line, then the exit status for success and for a reported failure.
. "$top_srcdir/tests/integration/lib.sh"
cfg="$top_srcdir/configs/riscv64-opensbi.yaml"
fw="${OPENSBI_DIR:-/usr/lib/riscv64-linux-gnu/opensbi/generic}/fw_jump.bin"
if [ ! -f "$fw" ]; then
  skip "OpenSBI firmware $fw missing (Debian package opensbi)"; done_testing; exit
fi
payload="$top_builddir/guest/payload.bin"

# --max-insns bounds a hang; the boot takes a few million instructions.
timeout 120 "$VMRUN" --max-insns 500000000 --set machine.kernel="$payload" \
  "$cfg" </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
# OpenSBI's console writes "\r\n" line ends, as on real serial lines.
tr -d '\r' <"$TMP/out" >"$TMP/out.lf" && mv "$TMP/out.lf" "$TMP/out"
check "exit status 0 after SBI SRST shutdown (got $st)" [ "$st" -eq 0 ]
[ "$st" -eq 0 ] || { diag <"$TMP/err"; tail -20 "$TMP/out" | diag; }

expect() {  # expect DESCRIPTION EXTENDED-REGEX: one output line matches
  if grep -Eq -- "$2" "$TMP/out"; then ok "$1"; else fail "$1 /$2/"; fi
}
expect "OpenSBI version line"      '^OpenSBI v[0-9]+\.[0-9]+'
expect "Platform Name from the DT model" '^Platform Name +: vmrun,virt$'
expect "Platform Features"         '^Platform Features +: '
expect "Platform HART Count is 1"  '^Platform HART Count +: 1$'
expect "Platform Timer: ACLINT at 10 MHz" '^Platform Timer Device +: aclint-mtimer @ 10000000Hz'
expect "Platform Console: UART"    '^Platform Console Device +: uart8250'
expect "Shutdown device: sifive_test" '^Platform Shutdown Device +: sifive_test'
expect "Firmware Base at RAM base" '^Firmware Base +: 0x80000000$'
expect "Firmware Size"             '^Firmware Size +: [0-9]+ KB$'
expect "Domain0 Name root"         '^Domain0 Name +: root$'
expect "Domain0 Boot HART 0"       '^Domain0 Boot HART +: 0$'
expect "Domain0 Next Address is the payload" '^Domain0 Next Address +: 0x0*80200000$'
expect "Domain0 Next Mode S-mode"  '^Domain0 Next Mode +: S-mode$'
expect "Boot HART ID 0"            '^Boot HART ID +: 0$'
expect "Boot HART Base ISA rv64imafdc" '^Boot HART Base ISA +: rv64imafdc'
expect "payload greeting"          '^Hello from the vmrun S-mode payload on hart 0$'
expect "payload: SBI spec version" '^payload: SBI specification v[0-9]+\.[0-9]+$'
expect "payload: time read"        '^payload: time = [0-9]+ ticks$'
expect "payload: SBI timer interrupt" '^payload: SBI timer interrupt after [0-9]+ ticks$'
expect "payload: all checks passed" '^payload: all checks passed, powering off$'
if grep -q 'SBI SRST returned' "$TMP/out"; then fail "SRST did not return"; else ok "SRST did not return"; fi

# The timer interrupt must come no earlier than the 100000 ticks asked for.
ticks=$(sed -n 's/^payload: SBI timer interrupt after \([0-9]*\) ticks$/\1/p' "$TMP/out")
check "timer interrupt after >= 100000 ticks (got ${ticks:-none})" \
  [ "${ticks:-0}" -ge 100000 ]

# A payload that reports failure makes vmrun exit non-zero.
timeout 120 "$VMRUN" --max-insns 500000000 --set machine.kernel="$payload" \
  --set machine.cmdline=payload-fail "$cfg" </dev/null >"$TMP/out2" 2>&1
st=$?
tr -d '\r' <"$TMP/out2" >"$TMP/out2.lf" && mv "$TMP/out2.lf" "$TMP/out2"
check "payload failure gives exit status 1 (got $st)" [ "$st" -eq 1 ]
check "payload said it reports failure" grep -q '^payload: reporting failure$' "$TMP/out2"

# The same boot under the template JIT.
timeout 120 "$VMRUN" --max-insns 500000000 --set machine.kernel="$payload" \
  --set machine.engine=tjit "$cfg" </dev/null >"$TMP/jit" 2>&1
st=$?
check "tjit: OpenSBI + payload exit 0 (got $st)" [ "$st" -eq 0 ]
check "tjit: payload checks passed" grep -q 'all checks passed' "$TMP/jit"

# And under the tiered engine, with a low threshold so that most of the
# boot runs compiled code that was first interpreted.
timeout 120 "$VMRUN" --max-insns 500000000 --set machine.kernel="$payload" \
  --set machine.engine=tiered --set machine.engine_options.hot_threshold=4 \
  --stats "$cfg" </dev/null >"$TMP/tier" 2>&1
st=$?
check "tiered: OpenSBI + payload exit 0 (got $st)" [ "$st" -eq 0 ]
check "tiered: payload checks passed" grep -q 'all checks passed' "$TMP/tier"
check "tiered: blocks were promoted to the JIT" \
  grep -Eq '^stats: blocks_promoted [1-9]' "$TMP/tier"
check "tiered: blocks were interpreted" \
  grep -Eq '^stats: blocks_interpreted [1-9]' "$TMP/tier"

# Same boot in icount mode is deterministic: two runs, same output.
for i in 1 2; do
  timeout 120 "$VMRUN" --max-insns 500000000 --set machine.kernel="$payload" \
    --set machine.clock=icount "$cfg" </dev/null >"$TMP/det$i" 2>&1
done
check "icount clock: two runs print identical output" cmp -s "$TMP/det1" "$TMP/det2"
check "icount clock: run succeeded" grep -q 'all checks passed' "$TMP/det1"
# tjit and tiered retire the same instructions in the same order, so with
# the icount clock they print exactly what interp prints (timer values
# included).
for eng in tjit tiered; do
  thr=""            # (tiered: compiled from the third run of a block)
  [ $eng = tiered ] && thr="--set machine.engine_options.hot_threshold=3"
  # shellcheck disable=SC2086
  timeout 120 "$VMRUN" --max-insns 500000000 --set machine.kernel="$payload" \
    --set machine.clock=icount --set machine.engine=$eng $thr "$cfg" </dev/null \
    >"$TMP/det-$eng" 2>&1
  check "icount clock: $eng prints exactly what interp prints" \
    cmp -s "$TMP/det1" "$TMP/det-$eng"
done
done_testing
