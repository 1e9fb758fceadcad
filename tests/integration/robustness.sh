#!/bin/sh
# Garbage guest code only ever causes guest traps: vmrun ends by
# --max-insns, a guest poweroff or a clear one-line error, never by a
# signal (crash).  Inputs are deterministic: pseudo-random bytes from fixed
# seeds, and x86 machine code (this host's /bin/sh) read as RISC-V.  Each
# runs bare, and behind a trap handler that skips faulting instructions,
# so the garbage keeps executing (random CSR writes, MMIO, WFI, AMOs...).
. "$top_srcdir/tests/integration/lib.sh"
gen() {  # gen SEED BYTES > file: deterministic pseudo-random bytes
  awk -v seed="$1" -v n="$2" 'BEGIN { srand(seed);
    for (i = 0; i < n; i++) printf "%c", int(rand() * 256) }' LC_ALL=C
}
run_garbage() {  # run_garbage NAME FILE [--set ...]
  local name=$1 file=$2; shift 2
  cat >"$TMP/g.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: $(basename "$file") }
devices:
  - { type: sifive-test, base: 0x100000 }
  - { type: aclint, base: 0x2000000 }
  - { type: ns16550a, base: 0x10000000, options: { chardev: null } }
YAML
  timeout 60 "$VMRUN" --max-insns 3000000 "$@" "$TMP/g.yaml" </dev/null \
    >"$TMP/out" 2>&1
  local st=$?
  if [ $st -lt 128 ] && [ $st -ne 124 -o -s "$TMP/out" ] &&
     ! grep -q -e AddressSanitizer -e 'runtime error' "$TMP/out"; then
    ok "$name: ends cleanly (status $st)"
  else
    fail "$name: status $st"; diag <"$TMP/out"
  fi
}
skipper() {  # skipper BLOB OUT: a trap handler that skips, then BLOB
  cat >"$TMP/skip.S" <<ASM
  .globl _start
_start:
  la   t0, handler
  csrw mtvec, t0
  j    garbage
  .align 2
handler:                      # mepc += 4 (or 2 for a compressed insn), mret
  csrr t0, mepc
  lhu  t1, 0(t0)
  andi t1, t1, 3
  addi t0, t0, 2
  li   t2, 3
  bne  t1, t2, 1f
  addi t0, t0, 2
1:
  csrw mepc, t0
  mret
  .align 2
garbage:
  .incbin "$1"
ASM
  $RISCV_CC -nostdlib -march=rv64imac_zicsr -mabi=lp64 -Ttext=0x80000000 \
    -Wl,-N -Wl,--no-warn-rwx-segments "$TMP/skip.S" -o "$2"
}
for seed in 1 2 3 4 5 6 7 8; do
  LC_ALL=C gen "$seed" 65536 >"$TMP/rand$seed.bin"
  run_garbage "random code, seed $seed" "$TMP/rand$seed.bin"
  skipper "$TMP/rand$seed.bin" "$TMP/skip$seed.elf"
  run_garbage "random code behind a skipping trap handler, seed $seed" \
    "$TMP/skip$seed.elf"
done
LC_ALL=C gen 9 65536 >"$TMP/rand9.bin"
run_garbage "random code in icount mode" "$TMP/rand9.bin" --set machine.clock=icount
tail -c +4097 /bin/sh | head -c 65536 >"$TMP/x86.bin"
run_garbage "x86 code read as RISC-V" "$TMP/x86.bin"
skipper "$TMP/x86.bin" "$TMP/skipx86.elf"
run_garbage "x86 code behind a skipping trap handler" "$TMP/skipx86.elf"
done_testing
