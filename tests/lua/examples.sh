#!/bin/sh
# The example scripts in scripts/lua/ (docs/lua.md).
. "$top_srcdir/tests/lua/lib.sh"
STORE=$(sym store_here); WATCHED=$(sym watched)
"$VMRUN" --stats "$M" >/dev/null 2>"$TMP/stats"
N=$(awk '/^stats: instructions/ { print $3 }' "$TMP/stats")

"$VMRUN" --script "$SCRIPTS/insn-count.lua" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
check "insn-count.lua: M-mode count = --stats instructions ($N)" \
  sh -c "[ $st -eq 0 ] && grep -q '^insn-count: M-mode $N (100.0%)\$' '$TMP/out' && grep -q '^insn-count: total $N (vmrun icount $N)\$' '$TMP/out'"

OBJDUMP=${RISCV_CC%gcc}objdump
"$VMRUN" --script "$SCRIPTS/hot-blocks.lua:n=2" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
LOOP=$(sym loop); MARK=$(sym marker)
sed -n '/by runs/,/by instructions/p' "$TMP/out" >"$TMP/runs"
sed -n '/by instructions/,$p' "$TMP/out" >"$TMP/insns"
check "hot-blocks.lua: by runs, the loop block first (4 runs: its first iteration is in the entry block), with its symbol" \
  sh -c "[ $st -eq 0 ] && grep -q '^hot-blocks:  1  pc=$LOOP <loop+0x0>  runs 4  insns/run 2  insns 8 ' '$TMP/runs'"
# the loop block's disassembly: objdump's two instructions at `loop`
"$OBJDUMP" -d -M no-aliases "$TMP/guest.elf" | awk -F'\t' -v a="${LOOP#0x}:" '
  { k = $1; sub(/^ */, "", k) } k == a { go = 1 } go && n < 2 && NF >= 3 {
    t = $3; for (i = 4; i <= NF; i++) t = t " " $i; sub(/ *<.*/, "", t)
    k2 = $1; sub(/^ */, "", k2); sub(/:$/, "", k2); print "0x" k2 ": " t; n++ }' >"$TMP/want"
awk '/^hot-blocks:  1 /{ go = 1; next } go && /^hot-blocks:        0x/ {
  sub(/^hot-blocks: +/, ""); gsub(/[ \t]+/, " "); print; next } go { exit }' "$TMP/runs" >"$TMP/got"
check "hot-blocks.lua: the loop block's disassembly is objdump's ($(tr '\n' ';' <"$TMP/want"))" \
  cmp -s "$TMP/want" "$TMP/got"
# by instructions: loop 4 x 2 = 8, then the marker block: nop, la (2),
# li, sw, nop, j = 7 instructions run once (tests/lua/guest.S)
check "hot-blocks.lua: by instructions, loop (8) then marker (7)" \
  sh -c "grep -q '^hot-blocks:  1  pc=$LOOP <loop+0x0>  runs 4  insns/run 2  insns 8 ' '$TMP/insns' && grep -q '^hot-blocks:  2  pc=$MARK <marker+0x0>  runs 1  insns/run 7  insns 7 ' '$TMP/insns'"

"$VMRUN" --script "$SCRIPTS/watchpoint.lua:addr=$WATCHED,code=5" "$M" \
  >"$TMP/out" 2>"$TMP/err"; st=$?
check "watchpoint.lua: reports the storing pc ($STORE)" \
  grep -qx "watchpoint: \[$WATCHED\] changed 0x0 -> 0x2a by the instruction at pc=$STORE" "$TMP/out"
check "...and stops the run with its code, before the guest's finisher ($st)" [ $st -eq 5 ]
"$VMRUN" --script "$SCRIPTS/watchpoint.lua:addr=$WATCHED,from=$STORE,to=$((STORE + 4))" "$M" \
  >"$TMP/out" 2>"$TMP/err"; st=$?
check "watchpoint.lua with a PC range" \
  sh -c "[ $st -eq 0 ] && grep -q 'by the instruction at pc=$STORE\$' '$TMP/out'"

"$VMRUN" --script "$SCRIPTS/coverage.lua" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
check "coverage.lua to stdout: the entry block is listed" \
  sh -c "[ $st -eq 0 ] && grep -qx 'coverage: 0x80000000' '$TMP/out'"
# every instruction objdump lists, except the failure path the guest does
# not take (from after `beqz t2, pass` up to `pass`)
PASS=$(sym pass)
"$OBJDUMP" -d "$TMP/guest.elf" | awk -F'\t' '/^ *[0-9a-f]+:\t/ {
  a = $1; sub(/^ */, "", a); sub(/:$/, "", a); print a "\t" $3 }' >"$TMP/insns"
awk -F'\t' -v pass="$PASS" '
  skip && ("0x" $1) == pass { skip = 0 }
  !skip { print "coverage: 0x" $1 }
  $2 == "beqz" { skip = 1 }' "$TMP/insns" >"$TMP/want"
grep '^coverage: ' "$TMP/out" >"$TMP/got"
check "coverage.lua: every instruction objdump lists but the untaken failure path ($(lines "$TMP/want") PCs)" \
  cmp -s "$TMP/want" "$TMP/got"
"$VMRUN" --script "$SCRIPTS/coverage.lua:blocks=1" "$M" >"$TMP/out" 2>"$TMP/err"
check "coverage.lua:blocks=1: block entries only, loop and pass among them" \
  sh -c "grep -qx 'coverage: $LOOP' '$TMP/out' && grep -qx 'coverage: $PASS' '$TMP/out' && [ \$(wc -l <'$TMP/out') -lt $(lines "$TMP/want") ]"
"$VMRUN" --script "$SCRIPTS/coverage.lua:file=$TMP/cov" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
check "coverage.lua file= without --script-unsafe: error ($st)" \
  sh -c "[ $st -eq 1 ] && grep -q 'needs --script-unsafe' '$TMP/err'"
"$VMRUN" --script-unsafe --script "$SCRIPTS/coverage.lua:file=$TMP/cov" "$M" \
  >"$TMP/out" 2>"$TMP/err"; st=$?
check "coverage.lua file= with --script-unsafe writes sorted PCs" \
  sh -c "[ $st -eq 0 ] && [ \"\$(head -1 '$TMP/cov')\" = 0x80000000 ] && sort -c '$TMP/cov'"
done_testing
