#!/bin/bash
# Interactive Linux: on a terminal (a pty from script(1)) the initramfs
# starts a busybox shell on the serial console; a command typed there runs
# in the guest, `poweroff -f` ends vmrun with status 0, and the terminal
# settings are restored.
. "$top_srcdir/tests/integration/lib.sh"
cfg="$top_srcdir/configs/riscv64-virt-linux.yaml"
img=${XDG_CACHE_HOME:-$HOME/.cache}/vmrun/images/riscv64
if [ ! -s "$img/Image" ] || ! command -v script >/dev/null; then
  skip "guest images or script(1) missing"; done_testing; exit 0
fi
truncate -s 64M "$TMP/disk.img"
cat >"$TMP/run.sh" <<SH
stty -g >"$TMP/before"
"$VMRUN" --set 'devices[6].options.file=$TMP/disk.img' "$cfg"
echo "status=\$?" >"$TMP/st"
stty -g >"$TMP/after"
SH
mkfifo "$TMP/in"
timeout 600 script -qec "sh $TMP/run.sh" /dev/null <"$TMP/in" >"$TMP/out" 2>&1 &
pid=$!
exec 3>"$TMP/in"
wait_for() {  # wait_for REGEX SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    tr -d '\r' <"$TMP/out" | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
check "/init starts on the console" wait_for '^vmrun-init: up' 300
sleep 2                                  # let the shell print its prompt
printf 'echo vmrun-answer-$((6 * 7))\r' >&3
check "a command typed at the shell runs in the guest" wait_for '^vmrun-answer-42' 60
printf 'poweroff -f\r' >&3
wait $pid
exec 3>&-
check "poweroff -f ends vmrun with status 0" grep -q '^status=0' "$TMP/st"
check "terminal settings restored" cmp -s "$TMP/before" "$TMP/after"
if tr -d '\r' <"$TMP/out" | grep -q '^selfcheck:'; then fail "no self-check on a terminal"
else ok "no self-check on a terminal"; fi
done_testing
