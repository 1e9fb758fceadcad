#!/bin/sh
# The stdio console on a real terminal (a pty from script(1)): raw mode,
# Ctrl-A X quits with status 0, and the terminal settings are restored,
# also when vmrun is killed by a signal.
. "$top_srcdir/tests/integration/lib.sh"
if ! command -v script >/dev/null; then
  skip "script(1) not installed (Debian package bsdutils)"; done_testing; exit 0
fi
printf '\157\000\000\000' >"$TMP/spin.bin"   # "j ." : loops forever
cat >"$TMP/m.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: spin.bin }
devices:
  - { type: ns16550a, base: 0x10000000, options: { chardev: stdio } }
YAML
cat >"$TMP/quit.sh" <<SH
stty -g >"$TMP/before"
"$VMRUN" "$TMP/m.yaml"
echo status=\$? >"$TMP/st"
stty -g >"$TMP/after"
SH
(sleep 1; printf '\001x') | timeout 20 script -qec "sh $TMP/quit.sh" /dev/null \
  >"$TMP/out" 2>&1
check "Ctrl-A X quits with status 0" grep -q '^status=0' "$TMP/st"
check "terminal settings restored after Ctrl-A X" cmp -s "$TMP/before" "$TMP/after"
check "vmrun announced the Ctrl-A X exit" grep -q 'terminated by Ctrl-A X' "$TMP/out"

# (an asynchronous command's stdin is /dev/null unless redirected)
cat >"$TMP/term.sh" <<SH
stty -g >"$TMP/before2"
"$VMRUN" "$TMP/m.yaml" </dev/tty &
pid=\$!
sleep 1
stty -g >"$TMP/during2"
kill -TERM \$pid
wait \$pid
echo status=\$? >"$TMP/st2"
stty -g >"$TMP/after2"
SH
timeout 20 script -qec "sh $TMP/term.sh" /dev/null </dev/null >"$TMP/out2" 2>&1
check "SIGTERM ends vmrun with the signal (status 143)" grep -q '^status=143' "$TMP/st2"
if cmp -s "$TMP/before2" "$TMP/during2"; then fail "raw mode on while running"
else ok "raw mode on while running"; fi
check "terminal settings restored after SIGTERM" cmp -s "$TMP/before2" "$TMP/after2"
done_testing; exit 0
fi
printf '\157\000\000\000' >"$TMP/spin.bin"   # "j ." : loops forever
cat >"$TMP/m.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: spin.bin }
devices:
  - { type: ns16550a, base: 0x10000000, options: { chardev: stdio } }
YAML
inner="stty -g >'$TMP/before'; '$VMRUN' '$TMP/m.yaml'; echo status=\$? >'$TMP/st'; stty -g >'$TMP/after'"
(sleep 1; printf '\001x') | timeout 20 script -qec "sh -c \"$inner\"" /dev/null \
  >"$TMP/out" 2>&1
check "Ctrl-A X quits with status 0" grep -q '^status=0' "$TMP/st"
check "terminal settings restored after Ctrl-A X" cmp -s "$TMP/before" "$TMP/after"
check "vmrun announced the Ctrl-A X exit" grep -q 'terminated by Ctrl-A X' "$TMP/out"

# (an asynchronous command's stdin is /dev/null unless redirected)
inner="stty -g >'$TMP/before2'; '$VMRUN' '$TMP/m.yaml' </dev/tty & pid=\$!; sleep 1; stty -g >'$TMP/during2'; kill -TERM \$pid; wait \$pid; echo status=\$? >'$TMP/st2'; stty -g >'$TMP/after2'"
timeout 20 script -qec "sh -c \"$inner\"" /dev/null </dev/null >"$TMP/out2" 2>&1
check "SIGTERM ends vmrun with the signal (status 143)" grep -q '^status=143' "$TMP/st2"
if cmp -s "$TMP/before2" "$TMP/during2"; then fail "raw mode on while running"
else ok "raw mode on while running"; fi
check "terminal settings restored after SIGTERM" cmp -s "$TMP/before2" "$TMP/after2"
done_testing
