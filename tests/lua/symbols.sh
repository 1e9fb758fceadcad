#!/bin/sh
# Guest symbols (core/symbols.c): vmrun.symbol / vmrun.lookup against
# riscv64-unknown-elf-nm, System.map files (machine.symbols), and
# malformed input (truncated and corrupted ELF files, bad map lines) that
# must give one error line, never a crash.
. "$top_srcdir/tests/lua/lib.sh"
TOOL="$top_builddir/tests/tools/elfsym"
build_traps
ELF="$TMP/traps.elf"

# every defined code/data symbol nm lists, looked up by name
awk '$2 ~ /^[TtDdBbRr]$/ && $3 !~ /^\$/ { print $3, $1 }' "$TMP/tsyms" | sort >"$TMP/nm"
"$TOOL" "$ELF" $(cut -d' ' -f1 "$TMP/nm") | sed 1d |
  awk '{ sub(/^0x/, "", $2); printf "%s %016s\n", $1, $2 }' | tr ' ' '0' |
  sed 's/0/ /' >"$TMP/got"
# (name, 16-digit address) on both sides
awk '{ printf "%s %016s\n", $1, $2 }' "$TMP/nm" | tr ' ' '0' | sed 's/0/ /' >"$TMP/want"
check "lookup of all $(lines "$TMP/nm") nm symbols gives nm's addresses" cmp -s "$TMP/want" "$TMP/got"

# address -> symbol+offset
U=$(tsym user); UL=$(tsym user_loop)
U2=$(printf '0x%x' $((U + 1))); UL2=$(printf '0x%x' $((UL + 2)))
"$TOOL" "$ELF" $U $U2 $UL2 0x1000 >"$TMP/out"
check "find: user+0x0, user+0x1 (inside), user_loop+0x2, nothing below the first" \
  sh -c "grep -qx '$U user+0x0' '$TMP/out' && grep -qx '$U2 user+0x1' '$TMP/out' && grep -qx '$UL2 user_loop+0x2' '$TMP/out' && grep -qx '0x1000 ?' '$TMP/out'"

# a sized symbol (.size, as C functions have) does not cover the gap
# after it; a label without size extends to the next symbol
# f: two 4-byte nops (rv64i), size 8, at 0; 8 bytes of gap; g at 0x10
printf '%s\n' '.text' '.globl f' '.type f,@function' 'f: nop' 'nop' '.size f, 8' \
  '.skip 8' '.globl g' 'g: nop' >"$TMP/sized.S"
$RISCV_CC -c -march=rv64i -mabi=lp64 "$TMP/sized.S" -o "$TMP/sized.o"
"$TOOL" "$TMP/sized.o" 0x4 0x8 0xf 0x10 0x11 >"$TMP/out"
check "sized symbol: f+0x4 inside, nothing in the 8-byte gap after it, g+0x0/g+0x1 after" \
  sh -c "grep -qx '0x4 f+0x4' '$TMP/out' && grep -qx '0x8 ?' '$TMP/out' && grep -qx '0xf ?' '$TMP/out' && grep -qx '0x10 g+0x0' '$TMP/out' && grep -qx '0x11 g+0x1' '$TMP/out'"

# malformed ELF files: every truncation, and corrupted headers
size=$(wc -c <"$ELF"); crashes=0; n=0
for len in $(seq 0 37 "$size"); do
  head -c "$len" "$ELF" >"$TMP/t.elf"
  "$TOOL" "$TMP/t.elf" 0x80000000 >/dev/null 2>&1; r=$?
  n=$((n + 1)); [ $r -le 1 ] || crashes=$((crashes + 1))
done
check "$n truncated copies: no crash ($crashes)" [ $crashes -eq 0 ]
# overwrite e_shoff/e_shnum/e_shentsize and the section table with garbage
crashes=0; n=0
for seed in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  cp "$ELF" "$TMP/c.elf"
  for off in 40 58 60 $(( size - 64 * (seed % 8 + 1) + 24 )) $(( size - 64 * (seed % 8 + 1) + 32 )); do
    head -c 8 /dev/urandom | dd of="$TMP/c.elf" bs=1 seek=$off conv=notrunc 2>/dev/null
  done
  "$TOOL" "$TMP/c.elf" 0x80000000 user >/dev/null 2>&1; r=$?
  n=$((n + 1)); [ $r -le 1 ] || crashes=$((crashes + 1))
done
check "$n copies with random section headers: no crash ($crashes)" [ $crashes -eq 0 ]
head -c 4096 /dev/urandom >"$TMP/g.bin"; printf '\177ELF\002\001' | cat - "$TMP/g.bin" >"$TMP/g.elf"
"$TOOL" "$TMP/g.elf" >"$TMP/out" 2>&1; r=$?
check "random bytes after an ELF magic: status 0 or 1, no crash ($r)" [ $r -le 1 ]

# System.map: nm's output is the same format
"$NM" "$ELF" >"$TMP/System.map"
"$TOOL" "$TMP/System.map" handler $(tsym handler) >"$TMP/out"
check "System.map: lookup and find" \
  sh -c "grep -qx 'handler $(tsym handler)' '$TMP/out' && grep -qx '$(tsym handler) handler+0x0' '$TMP/out'"
printf 'ffffffff80000000 T _stext\nthis is not a map line\n' >"$TMP/bad.map"
"$TOOL" "$TMP/bad.map" >"$TMP/out"; r=$?
check "a bad System.map line: error naming line 2" \
  sh -c "[ $r -eq 1 ] && grep -q 'line 2: expected' '$TMP/out'"

# through vmrun: the firmware's ELF symbols, and machine.symbols files
printf 'ffffffff80001000 T kernel_fn\nffffffff80001100 t kernel_static\n0000000000000010 A absolute\n' >"$TMP/k.map"
sed 's/engine: interp }/engine: interp, symbols: [k.map] }/' "$T" >"$TMP/ts.yaml"
printf '%s\n' 'vmrun.on_insn(function(pc)
  local n, off = vmrun.symbol(pc)
  print(string.format("0x%x %s+%d", pc, n, off))
  vmrun.stop()
end, { pc = vmrun.lookup("user_loop") })
print("kernel_fn", string.format("0x%x", vmrun.lookup("kernel_fn")))
print("static", string.format("%s+%d", vmrun.symbol(0xffffffff80001104)))
print("absolute", vmrun.lookup("absolute"), "none", vmrun.lookup("no_such"))' >"$TMP/s.lua"
"$VMRUN" --script "$TMP/s.lua" "$TMP/ts.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
check "vmrun.symbol(pc) at user_loop (nm: $UL) in a hook" \
  sh -c "[ $st -eq 0 ] && grep -qx '$UL user_loop+0' '$TMP/out'"
check "vmrun.lookup of a System.map symbol" grep -qx 'kernel_fn	0xffffffff80001000' "$TMP/out"
check "vmrun.symbol inside a map symbol: name+offset" grep -qx 'static	kernel_static+4' "$TMP/out"
check "absolute (A) map entries and unknown names: nil" grep -qx 'absolute	nil	none	nil' "$TMP/out"
sed 's/engine: interp }/engine: interp, symbols: [bad.map] }/' "$T" >"$TMP/tb.yaml"
"$VMRUN" --script "$TMP/s.lua" "$TMP/tb.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
check "bad machine.symbols file: status 1, one line with the YAML position and map line" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'tb.yaml:[0-9]*:[0-9]*: machine.symbols\[0\]: .*bad.map.*line 2' '$TMP/err'"
sed 's/engine: interp }/engine: interp, symbols: [missing.map] }/' "$T" >"$TMP/tb.yaml"
printf '%s\n' 'print(string.format("%s+%d", vmrun.symbol(vmrun.lookup("user_loop"))))' >"$TMP/m.lua"
"$VMRUN" --script "$TMP/m.lua" "$TMP/tb.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
check "missing machine.symbols file: one warning line, the script runs" \
  sh -c "[ $st -eq 0 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'warning: machine.symbols\[0\]: .*missing.map' '$TMP/err' && grep -q 'user_loop+0' '$TMP/out'"
sed 's/engine: interp }/engine: interp, symbols: k.map }/' "$T" >"$TMP/tb.yaml"
"$VMRUN" --script "$TMP/s.lua" "$TMP/tb.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
check "machine.symbols not a list: status 1 ($(cat "$TMP/err"))" \
  sh -c "[ $st -eq 1 ] && grep -q 'machine.symbols: expected a list' '$TMP/err'"
done_testing
