#!/bin/sh
# The Linux boot protocol, with synthetic kernel files (no download): a
# RISC-V Image is loaded at RAM base + text_offset, the initrd is placed
# below the device tree and described in /chosen, machine.cmdline_batch is
# appended when stdin is not a terminal, and bad kernels or initrds get
# one line and exit status 1.
. "$top_srcdir/tests/integration/lib.sh"
cfg="$top_srcdir/configs/riscv64-opensbi.yaml"
# le FILE OFFSET BYTES...: write raw bytes (octal escapes) at OFFSET
le() { f=$1; off=$2; shift 2; printf "$*" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null; }
mkimage() {  # mkimage FILE SIZE: a RISC-V Image header, text_offset 2 MiB
  head -c "$2" /dev/zero >"$1"
  le "$1" 8  '\000\000\040\000\000\000\000\000'   # text_offset 0x200000
  le "$1" 16 '\000\000\002\000\000\000\000\000'   # image_size 0x20000
  le "$1" 48 'RISCV\000\000\000RSC\005'
}
mkimage "$TMP/Image" 4096
run() { "$VMRUN" --dump-dtb "$TMP/out.dtb" --set machine.kernel="$1" "$@" </dev/null >"$TMP/o" 2>"$TMP/e"; }

"$VMRUN" --dump-dtb "$TMP/a.dtb" --set machine.kernel="$TMP/Image" \
  --set machine.initrd="$TMP/Image" --set machine.cmdline=console=ttyS0 \
  --set machine.cmdline_batch=vmrun.selfcheck "$cfg" </dev/null >"$TMP/o" 2>&1
check "valid RISC-V Image with initrd is accepted" [ $? -eq 0 ]
if command -v dtc >/dev/null; then
  dtc -I dtb -O dts "$TMP/a.dtb" >"$TMP/a.dts" 2>/dev/null
  check "/chosen has linux,initrd-start" grep -q 'linux,initrd-start' "$TMP/a.dts"
  check "/chosen has linux,initrd-end" grep -q 'linux,initrd-end' "$TMP/a.dts"
  check "stdin not a terminal: cmdline_batch appended to bootargs" \
    grep -q 'bootargs = "console=ttyS0 vmrun.selfcheck"' "$TMP/a.dts"
  s=$(sed -n 's/.*linux,initrd-start = <0x00 \(0x[0-9a-f]*\)>.*/\1/p' "$TMP/a.dts")
  e=$(sed -n 's/.*linux,initrd-end = <0x00 \(0x[0-9a-f]*\)>.*/\1/p' "$TMP/a.dts")
  check "initrd is exactly the file's size (got $s..$e)" [ $((e - s)) -eq 4096 ]
  check "initrd is page aligned" [ $((s % 4096)) -eq 0 ]
else
  skip "dtc not installed"
fi

run_err() {  # run_err NAME REGEX vmrun-args...: status 1, exactly one line
  local name=$1 re=$2; shift 2
  "$VMRUN" --dump-dtb "$TMP/x.dtb" "$@" "$cfg" </dev/null >"$TMP/o" 2>"$TMP/e"
  local st=$?
  if [ $st -eq 1 ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -Eq -- "$re" "$TMP/e"; then
    ok "$name"; else fail "$name (status $st)"; diag <"$TMP/e"; fi
}
# an EFI-stub Image whose PE section table needs more bytes than the file has
mkimage "$TMP/trunc" 4096
le "$TMP/trunc" 0 'MZ'
le "$TMP/trunc" 60 '\100\000\000\000'              # e_lfanew 0x40
le "$TMP/trunc" 64 'PE\000\000'
le "$TMP/trunc" 70 '\001\000'                      # one section
le "$TMP/trunc" 104 '\000\000\001\000'             # SizeOfRawData 0x10000
le "$TMP/trunc" 108 '\000\002\000\000'             # PointerToRawData 0x200
run_err "truncated kernel Image" "truncated kernel Image: its sections need 66048 bytes, the file has 4096" \
  --set machine.kernel="$TMP/trunc"
head -c 64 /dev/zero >"$TMP/arm64"; le "$TMP/arm64" 56 'ARM\144'
run_err "arm64 kernel refused" "this is an arm64 kernel Image, not a riscv64 kernel" \
  --set machine.kernel="$TMP/arm64"
head -c 1024 /dev/zero >"$TMP/bz"; le "$TMP/bz" 514 'HdrS'
run_err "x86 bzImage refused" "this is an x86 bzImage" --set machine.kernel="$TMP/bz"
printf 'kernel' | gzip >"$TMP/gz"
run_err "gzip'd kernel refused" "gzip-compressed" --set machine.kernel="$TMP/gz"
run_err "missing kernel" "nokernel: No such file or directory" --set machine.kernel="$TMP/nokernel"
run_err "missing initrd" "noinitrd: No such file or directory" \
  --set machine.kernel="$TMP/Image" --set machine.initrd="$TMP/noinitrd"
head -c 20000000 /dev/zero >"$TMP/bigrd"
run_err "initrd that does not fit in RAM" "initrd of 20000000 bytes does not fit in RAM" \
  --set machine.ram=16M --set machine.firmware= --set machine.kernel="$TMP/Image" \
  --set machine.initrd="$TMP/bigrd"
le "$TMP/Image" 56 'XXXX'
run_err "Image with a damaged second magic" "without the RSC" --set machine.kernel="$TMP/Image"
done_testing
