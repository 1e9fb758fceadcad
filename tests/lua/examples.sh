#!/bin/sh
# The example scripts in scripts/lua/ (docs/lua.md).
. "$top_srcdir/tests/lua/lib.sh"
STORE=$(sym store_here); WATCHED=$(sym watched)
"$VMRUN" --stats "$M" >/dev/null 2>"$TMP/stats"
N=$(awk '/^stats: instructions/ { print $3 }' "$TMP/stats")

"$VMRUN" --script "$SCRIPTS/insn-count.lua" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
check "insn-count.lua: M-mode count = --stats instructions ($N)" \
  sh -c "[ $st -eq 0 ] && grep -q '^insn-count: M-mode $N (100.0%)\$' '$TMP/out' && grep -q '^insn-count: total $N (vmrun icount $N)\$' '$TMP/out'"

"$VMRUN" --script "$SCRIPTS/hot-blocks.lua:n=1" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
LOOP=$(sym loop)
check "hot-blocks.lua:n=1: the loop block is the hottest (4 runs: its first iteration is in the entry block)" \
  sh -c "[ $st -eq 0 ] && grep -q '^hot-blocks:  1  pc=$LOOP  runs 4  insns/run 2\$' '$TMP/out'"

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
"$VMRUN" --script "$SCRIPTS/coverage.lua:file=$TMP/cov" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
check "coverage.lua file= without --script-unsafe: error ($st)" \
  sh -c "[ $st -eq 1 ] && grep -q 'needs --script-unsafe' '$TMP/err'"
"$VMRUN" --script-unsafe --script "$SCRIPTS/coverage.lua:file=$TMP/cov" "$M" \
  >"$TMP/out" 2>"$TMP/err"; st=$?
check "coverage.lua file= with --script-unsafe writes sorted PCs" \
  sh -c "[ $st -eq 0 ] && [ \"\$(head -1 '$TMP/cov')\" = 0x80000000 ] && sort -c '$TMP/cov'"
done_testing
