#!/bin/sh
# tests/tjit/run-guests.sh - end-to-end: every tests/guest/*.elf and the
# OpenSBI boot on engine tjit (default cache, and a 16 KiB cache that
# forces flush-and-continue).  Usage (from the build tree):
#   tests/tjit/run-guests.sh [plugin-dir]
# With a plugin dir, vmrun loads plugins from there (-P).
top=$(cd "$(dirname "$0")/../.." && pwd)
P=${1:+-P $1}
fail=0
cd "$top" || exit 1
for cc in 64M 16K; do
  for t in tests/guest/*.elf; do
    if timeout 120 ./vmrun $P --set machine.engine=tjit \
        --set machine.engine_options.code_cache=$cc tests/guest/machine.yaml \
        --set machine.firmware="$t" >/dev/null 2>&1; then
      echo "ok   $t (code_cache $cc)"
    else
      echo "FAIL $t (code_cache $cc)"; fail=1
    fi
  done
  if timeout 120 ./vmrun $P --set machine.engine=tjit \
      --set machine.engine_options.code_cache=$cc configs/riscv64-opensbi.yaml \
      </dev/null >/dev/null 2>&1; then
    echo "ok   opensbi (code_cache $cc)"
  else
    echo "FAIL opensbi (code_cache $cc)"; fail=1
  fi
done
exit $fail
