#!/bin/sh
# The RISC-V disassembler (plugins/riscv64/disas.c) against GNU objdump:
# every instruction of the .text of every guest test program
# (tests/guest/*.elf) is disassembled by both and the texts compared,
# whitespace normalised.  objdump runs with -M no-aliases (the
# disassembler prints no pseudo-instructions); from objdump's text its
# "<symbol>" notes and "# comments" are dropped.  Allowed difference:
# bytes objdump prints as data (".word"/".short": words emitted with
# .word/.half in the source, which objdump's mapping symbols mark as data)
# are skipped; there vmrun decodes the bytes as the CPU would.  Then
# vmrun.disas() from Lua on the Lua test guest.
. "$top_srcdir/tests/lua/lib.sh"
OBJDUMP=${RISCV_CC%gcc}objdump
TOOL="$top_builddir/tests/tools/rv-disas"
command -v "$OBJDUMP" >/dev/null || { skip "no $OBJDUMP"; done_testing; exit; }

# objdump_text ELF: "ADDR<TAB>HEX<TAB>TEXT" per instruction of .text
objdump_text() {
  "$OBJDUMP" -d -M no-aliases -j .text "$1" | awk -F'\t' '
    /^ *[0-9a-f]+:\t/ { a = $1; sub(/^ */, "", a); sub(/:$/, "", a)
      h = $2; gsub(/ /, "", h); t = $3
      for (i = 4; i <= NF; i++) t = t " " $i
      sub(/ *<[^>]*>/, "", t); sub(/ *#.*/, "", t); gsub(/[ \t]+/, " ", t)
      sub(/ $/, "", t); print a "\t" h "\t" t }'
}

total=0
for t in $GUEST_TESTS; do
  elf="$top_builddir/tests/guest/$t.elf"
  [ -f "$elf" ] || { fail "$elf missing"; continue; }
  objdump_text "$elf" >"$TMP/od"
  awk -F'\t' '$3 !~ /^\.(word|short|2byte|4byte)/ { print $1 "\t" $3 }' "$TMP/od" >"$TMP/od.n"
  awk -F'\t' '$3 !~ /^\.(word|short|2byte|4byte)/ { print $1, $2 }' "$TMP/od" |
    "$TOOL" | awk -F'\t' '{ t = $2; for (i = 3; i <= NF; i++) t = t " " $i
      gsub(/[ \t]+/, " ", t); print $1 "\t" t }' >"$TMP/mine.n"
  n=$(lines "$TMP/od.n"); skipped=$(( $(lines "$TMP/od") - n ))
  total=$((total + n))
  if [ "$n" -gt 50 ] && cmp -s "$TMP/od.n" "$TMP/mine.n"; then
    ok "$t.elf: $n instructions as objdump prints them ($skipped data words skipped)"
  else
    fail "$t.elf: disassembly differs from objdump ($n instructions)"
    diff "$TMP/od.n" "$TMP/mine.n" | head -20 | diag
  fi
done
diag <<EOF2
$total instructions compared
EOF2

# instruction classes are all there (so the comparison covered them)
for t in $GUEST_TESTS; do objdump_text "$top_builddir/tests/guest/$t.elf"; done |
  awk -F'\t' '{ split($3, w, " "); print w[1] }' | sort -u >"$TMP/mnemonics"
missing=
for m in c.addi4spn c.lwsp c.sdsp c.beqz c.j c.jr lr.w sc.d amoswap.w \
    csrrw csrrsi mret ecall fence lui auipc jal jalr mulhsu remuw sraiw \
    fadd.d fmadd.s fcvt.l.d fmv.x.d fclass.s; do
  grep -qx "$m" "$TMP/mnemonics" || missing="$missing $m"
done
check "the compared programs cover RVC, A, Zicsr, M, F, D and system instructions${missing:+ (missing:$missing)}" \
  [ -z "$missing" ]
diag <<EOF2
$(lines "$TMP/mnemonics") distinct mnemonics compared
EOF2

# lengths and reserved encodings: data form, as objdump
printf '80000000 0000000b\n80000004 0000\n' | "$TOOL" >"$TMP/out"
check "reserved 32-bit encoding prints as .word, 16-bit zero as .short" \
  sh -c "grep -qx '80000000	.word	0x0000000b' '$TMP/out' && grep -qx '80000004	.short	0x0000' '$TMP/out'"

# vmrun.disas on the Lua test guest: the first three instructions
objdump_text "$TMP/guest.elf" | head -3 | awk -F'\t' '{ print "0x" $1 ":\t" $3 }' >"$TMP/want"
run_lua 'local text, n = vmrun.disas(0x80000000, 3)
print((text:gsub("[ \t]+", " ")))
print("bytes", n)'
awk '{ gsub(/[ \t]+/, " "); print }' "$TMP/want" >"$TMP/want.n"
head -3 "$TMP/out" >"$TMP/got"
check "vmrun.disas(_start, 3) = objdump's first three lines" cmp -s "$TMP/want.n" "$TMP/got" ||
  diff "$TMP/want.n" "$TMP/got" | diag
W=$(objdump_text "$TMP/guest.elf" | head -4 | tail -1 | cut -f1)
check "...and reports the bytes consumed (to the 4th instruction at 0x$W)" \
  grep -qx "bytes	$(( 0x$W - 0x80000000 ))" "$TMP/out"
run_lua 'print(vmrun.disas(0x40000000))'
check "vmrun.disas of unmapped memory: a fetch-fault line, no error" \
  sh -c "[ $st -eq 0 ] && grep -q '^0x40000000:	<fetch fault>	0\$' '$TMP/out'"
done_testing
