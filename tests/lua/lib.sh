# tests/lua/lib.sh - common set-up for the Lua scripting tests: the TAP
# helpers of tests/integration/lib.sh, the test guest (tests/lua/guest.S)
# built with $RISCV_CC, a machine for it, and sym NAME -> its address.
. "$top_srcdir/tests/integration/lib.sh"
: "${RISCV_CC:?run through make check}"
$RISCV_CC -nostdlib -march=rv64imac -mabi=lp64 -Ttext=0x80000000 -Wl,-N \
  -Wl,--no-warn-rwx-segments "$top_srcdir/tests/lua/guest.S" \
  -o "$TMP/guest.elf" 2>"$TMP/cc.err" || { diag <"$TMP/cc.err"; exit 1; }
NM=${RISCV_CC%gcc}nm
"$NM" "$TMP/guest.elf" >"$TMP/syms"
sym() { printf '0x%x' "0x$(awk -v s="$1" '$3 == s { print $1 }' "$TMP/syms")"; }
cat >"$TMP/m.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: guest.elf, engine: interp }
devices:
  - { type: sifive-test, base: 0x100000 }
YAML
M="$TMP/m.yaml"
SCRIPTS="$top_srcdir/scripts/lua"
# run_lua SCRIPT-TEXT [vmrun options...]: write $TMP/s.lua, run the guest
# with it; stdout in $TMP/out, stderr in $TMP/err, status in $st.
run_lua() {
  printf '%s\n' "$1" >"$TMP/s.lua"; shift
  "$VMRUN" --max-insns 10000000 "$@" --script "$TMP/s.lua" "$M" \
    >"$TMP/out" 2>"$TMP/err"
  st=$?
}
# lines FILE: number of lines
lines() { wc -l <"$1" | tr -d ' '; }
# build_traps: tests/lua/traps.S -> $TMP/traps.elf, machine $TMP/t.yaml
# ($T), its symbols in $TMP/tsyms (tsym NAME -> address).
build_traps() {
  $RISCV_CC -nostdlib -march=rv64imac_zicsr -mabi=lp64 -Ttext=0x80000000 \
    -Wl,-N -Wl,--no-warn-rwx-segments "$top_srcdir/tests/lua/traps.S" \
    -o "$TMP/traps.elf" 2>"$TMP/cc.err" || { diag <"$TMP/cc.err"; exit 1; }
  "$NM" "$TMP/traps.elf" >"$TMP/tsyms"
  sed 's/guest\.elf/traps.elf/' "$M" >"$TMP/t.yaml"
  T="$TMP/t.yaml"
}
tsym() { printf '0x%x' "0x$(awk -v s="$1" '$3 == s { print $1 }' "$TMP/tsyms")"; }
