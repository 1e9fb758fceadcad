#!/bin/sh
# Debian's riscv64 kernel + busybox initramfs (scripts/fetch-guest-images)
# on configs/riscv64-virt-linux.yaml: the self-check /init runs (stdin is
# not a terminal) and every check line is verified, including DHCP and a
# fetch from a server on the host's loopback over virtio-net (libslirp); a
# file written on one boot is there on the next; a disk image in use is
# refused (lock); readonly: true leaves the image byte-identical.
. "$top_srcdir/tests/integration/lib.sh"
cfg="$top_srcdir/configs/riscv64-virt-linux.yaml"
img=${XDG_CACHE_HOME:-$HOME/.cache}/vmrun/images/riscv64
if [ ! -s "$img/Image" ] || [ ! -s "$img/initramfs.cpio.gz" ]; then
  skip "guest images missing: run scripts/fetch-guest-images"; done_testing; exit 0
fi
disk="$TMP/disk.img"
truncate -s 64M "$disk"
boot() {  # boot OUT [--set ...]: one boot with our own disk
  out=$1; shift
  timeout 600 "$VMRUN" --set 'devices[6].options.file='"$disk" "$@" "$cfg" \
    </dev/null >"$out.raw" 2>&1
  st=$?
  tr -d '\r' <"$out.raw" >"$out"
  return $st
}
expect() { if grep -Eq -- "$2" "$3"; then ok "$1"; else fail "$1 /$2/"; fi; }

# The guest fetches a file from a server on the host's loopback (through
# libslirp: the host is 10.0.2.2 for the guest).
token="vmrun-net-$$-$(date +%s)"
"$top_builddir/tests/tools/http-once" "$TMP/port" "$token" &
srv=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/port" ] && break; sleep 0.2; done
port=$(cat "$TMP/port" 2>/dev/null)
boot "$TMP/b1" --set "machine.cmdline=console=ttyS0 earlycon=sbi vmrun.fetch=http://10.0.2.2:${port:-1}/hello.txt"; st=$?
kill $srv 2>/dev/null
check "first boot powers off with status 0 (got $st)" [ $st -eq 0 ]
[ $st -eq 0 ] || tail -n 30 "$TMP/b1" | diag
expect "OpenSBI hands over to Linux" 'Linux version 6\.[0-9]+' "$TMP/b1"
expect "kernel sees the SBI console/ttyS0 command line" 'Kernel command line: console=ttyS0 .*vmrun\.selfcheck' "$TMP/b1"
expect "/init runs" '^vmrun-init: up, kernel ' "$TMP/b1"
expect "uname -a says riscv64" '^selfcheck: uname: ok riscv64$' "$TMP/b1"
expect "/proc/cpuinfo shows rv64imafdc" '^selfcheck: cpuinfo: ok isa.*rv64imafdc' "$TMP/b1"
expect "virtio-rng gives 16 bytes" '^selfcheck: rng: ok 16 bytes$' "$TMP/b1"
expect "virtio disk mounts (formatted on first use)" '^selfcheck: disk-mount: ok mounted$' "$TMP/b1"
expect "fresh disk has no previous file" '^selfcheck: disk-previous: ok none$' "$TMP/b1"
expect "file written and synced" '^selfcheck: disk-write: ok written$' "$TMP/b1"
expect "file read back" '^selfcheck: disk-readback: ok vmrun boot ' "$TMP/b1"
expect "virtio-net: DHCP lease 10.0.2.15 from libslirp" '^selfcheck: net-dhcp: ok inet 10\.0\.2\.15/24$' "$TMP/b1"
expect "virtio-net: file fetched from the host's loopback server" "^selfcheck: net-fetch: ok $token\$" "$TMP/b1"
expect "no self-check failed" '^selfcheck: done: [0-9]+ passed, 0 failed$' "$TMP/b1"
expect "clean power-off" 'reboot: Power down' "$TMP/b1"
id1=$(sed -n 's/^selfcheck: disk-readback: ok vmrun boot \(.*\)$/\1/p' "$TMP/b1")

boot "$TMP/b2"; st=$?
check "second boot: status 0" [ $st -eq 0 ]
check "second boot finds the first boot's file (persistence)" \
  grep -q "^selfcheck: disk-previous: ok vmrun boot ${id1:-none-written}$" "$TMP/b2"

# A disk in use by another vmrun is refused, and that vmrun is unharmed.
timeout 600 "$VMRUN" --set 'devices[6].options.file='"$disk" "$cfg" \
  </dev/null >"$TMP/b3" 2>&1 &
pid=$!
sleep 3
"$VMRUN" --set 'devices[6].options.file='"$disk" "$cfg" </dev/null >"$TMP/o" 2>"$TMP/e"; st=$?
check "locked disk: second vmrun exits 1 (got $st)" [ $st -eq 1 ]
check "locked disk: one line saying it is in use" \
  sh -c "[ \$(wc -l <'$TMP/e') -eq 1 ] && grep -q 'is in use by another process' '$TMP/e'"
wait $pid
check "the first vmrun still finished cleanly" [ $? -eq 0 ]

# The same machine under the template JIT.
boot "$TMP/b5" --set machine.engine=tjit; st=$?
check "tjit: Linux boot and self-check, status 0 (got $st)" [ $st -eq 0 ]
check "tjit: no self-check failed" grep -Eq '^selfcheck: done: [0-9]+ passed, 0 failed$' "$TMP/b5"

# And under the tiered engine (interpreter, then the JIT for hot blocks).
boot "$TMP/b6" --set machine.engine=tiered --stats; st=$?
check "tiered: Linux boot and self-check, status 0 (got $st)" [ $st -eq 0 ]
check "tiered: no self-check failed" grep -Eq '^selfcheck: done: [0-9]+ passed, 0 failed$' "$TMP/b6"
check "tiered: both tiers ran" sh -c "grep -Eq '^stats: blocks_interpreted [1-9]' '$TMP/b6' && grep -Eq '^stats: blocks_promoted [1-9]' '$TMP/b6'"

# readonly: the guest cannot change the image
sum1=$(cksum <"$disk")
boot "$TMP/b4" --set 'devices[6].options.readonly=true'; st=$?
check "readonly boot: status 0" [ $st -eq 0 ]
check "readonly boot: the write fails in the guest" grep -q '^selfcheck: disk-write: FAIL' "$TMP/b4"
check "readonly boot: image byte-identical" [ "$(cksum <"$disk")" = "$sum1" ]
done_testing
