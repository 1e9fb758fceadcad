#!/bin/sh
# vmrun.pause(): the guest waits for Enter on the controlling terminal (a
# pty from script(1)), then goes on; without a terminal it is an error.
. "$top_srcdir/tests/lua/lib.sh"
STORE=$(sym store_here)
cat >"$TMP/p.lua" <<LUA
vmrun.on_insn(function(pc)
  print(string.format("before pause: icount %d", vmrun.icount()))
  vmrun.pause("at store_here")
  print("resumed")
end, {pc = $STORE})
LUA
if command -v script >/dev/null && command -v setsid >/dev/null; then
  cat >"$TMP/run.sh" <<SH
"$VMRUN" --script "$TMP/p.lua" "$M"
echo status=\$? >"$TMP/st"
SH
  (sleep 1; printf '\r') | timeout 20 script -qec "sh $TMP/run.sh" /dev/null \
    >"$TMP/out" 2>&1
  check "the prompt names the pc and the message" \
    grep -q "vmrun: paused at pc $STORE: at store_here; press Enter" "$TMP/out"
  check "Enter resumes: the guest finishes (status 0)" grep -q '^status=0' "$TMP/st"
  check "the hook went on after the pause" grep -q '^resumed' "$TMP/out"
  # no Enter, the terminal reaches end of file: pause really waited
  sleep 1 | timeout 20 script -qec "sh $TMP/run.sh" /dev/null >"$TMP/out3" 2>&1
  check "no Enter before the terminal closes: error, status 1" \
    sh -c "grep -q '^status=1' '$TMP/st' && grep -q 'pause: the terminal was closed' '$TMP/out3' && ! grep -q '^resumed' '$TMP/out3'"
  setsid -w "$VMRUN" --script "$TMP/p.lua" "$M" </dev/null >"$TMP/out2" \
    2>"$TMP/err2"
  st=$?
  check "without a terminal: status 1 ($st)" [ $st -eq 1 ]
  check "...and one line naming the script, line and the reason" \
    sh -c "[ \$(wc -l <'$TMP/err2') -eq 1 ] && grep -q 'p.lua:3: .*pause: no terminal' '$TMP/err2'"
  [ "$(wc -l <"$TMP/err2")" -eq 1 ] || diag <"$TMP/err2"
else
  skip "script(1) or setsid(1) not installed (Debian package bsdutils / util-linux)"
fi
done_testing
