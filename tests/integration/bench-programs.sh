#!/bin/sh
# The benchmark programs (bench/*.c) check their own results (test vectors,
# closed forms, a second algorithm): each must pass under every engine and
# natively.  Correctness only: timing is scripts/bench's job.
. "$top_srcdir/tests/integration/lib.sh"
make -s -C "$top_builddir" bench-progs >"$TMP/log" 2>&1 ||
  { fail "bench programs build"; diag <"$TMP/log"; done_testing; exit 0; }
machine="$top_srcdir/tests/guest/machine.yaml"
for elf in "$top_builddir"/bench/out/*.elf; do
  name=$(basename "$elf" .elf)
  [ "$name" = empty ] && continue
  for eng in interp tjit tiered; do
    timeout 300 "$VMRUN" --set machine.firmware="$elf" --set machine.engine=$eng \
      --set 'devices[2].options.chardev=null' "$machine" </dev/null >"$TMP/o" 2>&1
    st=$?
    if [ $st -eq 0 ]; then ok "$eng: $name"; else fail "$eng: $name (check $st)"; diag <"$TMP/o"; fi
  done
  "$top_builddir/bench/out/$name.native" >/dev/null 2>&1
  st=$?
  if [ $st -eq 0 ]; then ok "native: $name"; else fail "native: $name (check $st)"; fi
done
done_testing
