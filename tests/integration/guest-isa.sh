#!/bin/sh
# Bare-metal RISC-V instruction tests (tests/guest/*.S): each program checks
# its own results and reports through the SiFive test finisher (exit status
# = number of the first failing check).  Every test runs on vmrun; where
# Debian's qemu-system-riscv64 is installed the same binary also runs on
# QEMU as the reference oracle, so a wrong expectation in a test is caught
# too.  The -vmrun variants hold checks where QEMU 7.2 departs from the
# specification (tests/guest/README.md) and run on vmrun only.
. "$top_srcdir/tests/integration/lib.sh"
machine="$top_srcdir/tests/guest/machine.yaml"
qemu=$(command -v qemu-system-riscv64 || true)
engines="interp tjit tiered"   # every engine runs every guest test
for t in $GUEST_TESTS; do
  for v in "$t" "$t-vmrun"; do
    elf="$top_builddir/tests/guest/$v.elf"
    for eng in $engines; do
      timeout 60 "$VMRUN" --max-insns 50000000 --set machine.firmware="$elf" \
        --set machine.engine=$eng --set 'devices[2].options.chardev=null' \
        "$machine" </dev/null >"$TMP/out" 2>&1
      st=$?
      if [ $st -eq 0 ]; then ok "vmrun $eng: $v"
      else fail "vmrun $eng: $v (failing check $st)"; diag <"$TMP/out"; fi
    done
  done
  if [ -n "$qemu" ]; then
    timeout 30 "$qemu" -M virt -m 128M -bios none -nographic -monitor none \
      -serial null -kernel "$top_builddir/tests/guest/$t.elf" </dev/null \
      >"$TMP/out" 2>&1
    st=$?
    if [ $st -eq 0 ]; then ok "qemu oracle agrees: $t"
    else fail "qemu oracle: $t (status $st)"; fi
  else
    skip "qemu-system-riscv64 not installed (oracle for $t)"
  fi
done

# The F/D tests with fflags.NX already set before each check: the host-FPU
# fast path (plugins/riscv64/fp.c) runs, and must give the same results and
# still raise NV, DZ, OF and UF.  QEMU runs them too.
for t in $GUEST_NX_TESTS; do
  elf="$top_builddir/tests/guest/$t-nx.elf"
  for eng in $engines; do
    timeout 60 "$VMRUN" --max-insns 50000000 --set machine.firmware="$elf" \
      --set machine.engine=$eng --set 'devices[2].options.chardev=null' \
      "$machine" </dev/null >"$TMP/out" 2>&1
    st=$?
    check "vmrun $eng: $t-nx (failing check $st)" [ $st -eq 0 ]
  done
  if [ -n "$qemu" ]; then
    timeout 30 "$qemu" -M virt -m 128M -bios none -nographic -monitor none \
      -serial null -kernel "$elf" </dev/null >"$TMP/out" 2>&1
    st=$?
    check "qemu oracle agrees: $t-nx (status $st)" [ $st -eq 0 ]
  else
    skip "qemu-system-riscv64 not installed (oracle for $t-nx)"
  fi
done

# Stores next to translated code in the same page (mem.S, checks 43-45)
# invalidate nothing; stores into translated code drop the page (checks 42
# and 45 prove the new code runs; the store of check 41 precedes the first
# run of smc_target, so it hits no translated byte).  The JITs run without
# the RAM window (direct_mem 0) here: through it a store next to code
# never reaches the MMU, which counts smc_data_stores (the window's own
# checks are below).
for eng in $engines; do
  "$VMRUN" --stats --set machine.firmware="$top_builddir/tests/guest/mem.elf" \
    --set machine.engine=$eng --set 'devices[2].options.chardev=null' \
    $([ $eng = interp ] || echo --set machine.engine_options.direct_mem=0) \
    "$machine" </dev/null >/dev/null 2>"$TMP/err"
  st=$?
  ds=$(sed -n 's/^stats: smc_data_stores //p' "$TMP/err")
  pf=$(sed -n 's/^stats: smc_page_flushes //p' "$TMP/err")
  check "$eng: mem.elf passes with --stats (status $st)" [ "$st" -eq 0 ]
  check "$eng: a store next to code is a data store (smc_data_stores $ds)" \
    [ "${ds:-0}" -ge 1 ]
  check "$eng: stores into code flush their page (smc_page_flushes $pf)" \
    [ "${pf:-0}" -ge 2 ]
done

# The JITs reach RAM through the RAM window in M mode (SDK 1.11), and
# without it (engine option direct_mem 0) through the TLB: mem.elf and
# vm.elf (MPRV, satp Bare and paged) pass both ways.  (tiered compiles
# every block here: these programs run few blocks hot.)
for eng in tjit tiered; do
  hot=
  [ $eng = tiered ] && hot="--set machine.engine_options.hot_threshold=1"
  for dm in 1 0; do
    for t in mem vm; do
      "$VMRUN" --stats --set machine.firmware="$top_builddir/tests/guest/$t.elf" \
        --set machine.engine=$eng --set machine.engine_options.direct_mem=$dm \
        $hot \
        --set 'devices[2].options.chardev=null' "$machine" </dev/null \
        >/dev/null 2>"$TMP/err"
      st=$?
      wa=$(sed -n 's/^stats: window_accesses //p' "$TMP/err")
      pf=$(sed -n 's/^stats: smc_page_flushes //p' "$TMP/err")
      check "$eng direct_mem=$dm: $t.elf passes (status $st)" [ "$st" -eq 0 ]
      if [ "$dm" = 1 ]; then
        check "$eng: $t.elf uses the RAM window (window_accesses $wa)" \
          [ "${wa:-0}" -ge 1 ]
        [ $t = mem ] &&
          check "$eng: stores into code through the window flush their page (smc_page_flushes $pf)" \
            [ "${pf:-0}" -ge 2 ]
      else
        check "$eng direct_mem=0: no window access (window_accesses $wa)" \
          [ "${wa:-1}" -eq 0 ]
      fi
    done
  done
done

# A JIT engine that cannot map its code cache (here: a 2 GiB cache, mapped
# twice, under a 1.5 GB address-space limit; on a host that is not x86-64
# the same path is taken) falls back to interp with one warning line, and
# the guest still runs.
for eng in tjit tiered; do
  ( ulimit -v 1500000
    exec "$VMRUN" --set machine.firmware="$top_builddir/tests/guest/alu.elf" \
      --set machine.engine=$eng --set machine.engine_options.code_cache=2G \
      --set 'devices[2].options.chardev=null' "$machine" ) </dev/null \
    >"$TMP/out" 2>"$TMP/err"
  st=$?
  check "$eng without executable memory: the guest runs (status $st)" [ $st -eq 0 ]
  check "$eng without executable memory: one warning line, then interp" \
    sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"^vmrun: warning: engine '$eng' is not available on this host; using 'interp'\$\" '$TMP/err'"
  [ "$(wc -l <"$TMP/err")" -eq 1 ] || diag <"$TMP/err"
done

# tjit with its register cache off (engine_options.regcache: 0, the
# fallback for comparisons) still passes every guest test; a value other
# than 0 or 1 is refused with one line naming the key.
for t in $GUEST_TESTS; do
  timeout 60 "$VMRUN" --max-insns 50000000 \
    --set machine.firmware="$top_builddir/tests/guest/$t.elf" \
    --set machine.engine=tjit --set machine.engine_options.regcache=0 \
    --set 'devices[2].options.chardev=null' "$machine" </dev/null \
    >"$TMP/out" 2>&1
  st=$?
  if [ $st -eq 0 ]; then ok "tjit regcache=0: $t"
  else fail "tjit regcache=0: $t (failing check $st)"; diag <"$TMP/out"; fi
done
"$VMRUN" --set machine.firmware="$top_builddir/tests/guest/alu.elf" \
  --set machine.engine=tjit --set machine.engine_options.regcache=2 \
  --set 'devices[2].options.chardev=null' "$machine" </dev/null \
  >/dev/null 2>"$TMP/err"
st=$?
check "regcache=2 refused (status $st): $(head -1 "$TMP/err")" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'regcache.*expected 0 or 1, got 2' '$TMP/err'"
# Side exits and followed jumps (VMRUN_IR_BLK_SIDE_EXITS and
# VMRUN_IR_BLK_FOLLOW_JUMPS, docs/ARCHITECTURE.md): a block goes on past a
# forward conditional branch and at the target of a direct jump on its
# page, so with --trace the instruction after such a branch and such a
# target no longer start blocks; with a Lua script loaded (hooks may count
# basic blocks) blocks end at every branch and jump as before.  Every block
# start that only the script's run has must be one of those (from
# objdump), and there must be some of both kinds.
od=${RISCV_CC%gcc}objdump
alu="$top_builddir/tests/guest/alu.elf"
"$od" -d "$alu" >"$TMP/alu.dis"
awk -F'\t' '$3 ~ /^(beq|bne|blt|bge|bltu|bgeu|beqz|bnez|blez|bgez|bltz|bgtz|bgt|ble|bgtu|bleu)$/ {
    a = $1; sub(/^ */, "", a); sub(/:$/, "", a); b = $2; gsub(/ /, "", b)
    print a, length(b) / 2 }' "$TMP/alu.dis" |
  while read -r a n; do printf '0x%x\n' $((0x$a + n)); done | sort -u \
  >"$TMP/after-branch"
awk -F'\t' '$3 ~ /^(j|jal)$/ { n = split($4, p, ","); t = p[n]
    sub(/ .*/, "", t); print "0x" t }' "$TMP/alu.dis" | sort -u \
  >"$TMP/jump-target"
: >"$TMP/empty.lua"
trace_starts() {
  "$VMRUN" --trace --set machine.firmware="$alu" \
    --set 'devices[2].options.chardev=null' "$@" "$machine" </dev/null \
    2>&1 >/dev/null | sed -n 's/^trace: pc=0x0*/0x/p' | sort -u
}
trace_starts >"$TMP/super"
trace_starts --script "$TMP/empty.lua" >"$TMP/basic"
comm -13 "$TMP/super" "$TMP/basic" >"$TMP/only-basic"
n_br=$(comm -12 "$TMP/only-basic" "$TMP/after-branch" | wc -l)
n_jt=$(comm -12 "$TMP/only-basic" "$TMP/jump-target" | wc -l)
n_bad=$(sort -u "$TMP/after-branch" "$TMP/jump-target" |
        comm -23 "$TMP/only-basic" - | wc -l)
check "side exits, followed jumps: $n_br block starts after branches and $n_jt jump targets only with a script, $n_bad others" \
  sh -c "[ $n_br -gt 0 ] && [ $n_jt -gt 0 ] && [ $n_bad -eq 0 ]"
done_testing
