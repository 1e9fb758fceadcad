/*
** tests/guest/check-fault.S - guest for the --engine-check tests
** (tests/integration/engine-check.sh).  It computes 6 * 7 in do_mul,
** stores the halfword 0x5678 at `buf2` in do_store2, then 0x1234 at `buf`
** in do_store; each function starts a block (it is reached by a call),
** which the test finds with nm.  `buf2` is read first, so its store hits
** the TLB; `buf` is not touched before its store, which takes the MMU's
** slow path (under --engine-check too: the core flushes the TLB the
** reference run filled).  The test engines (interp built with injected faults, see
** plugins/interp/exec.c) go wrong there: engine-faultymul in the product,
** engine-faultywide stores 4 bytes at buf (slow path), engine-faultyextra
** also stores the halfword at buf+32 (slow path; zero padding there),
** engine-faultyst flips bit 8 of the halfword at buf2 (TLB hit).  No other instruction of
** this program multiplies or stores a halfword.  Passes (finisher 0x5555)
** when the product and both halfwords are right: it does not look at the
** bytes after the halfwords, so faultywide passes on its own.
*/
#define FINISHER 0x100000
  .option norelax
  .text
  .globl _start
_start:
  la t0, buf2
  ld t1, 0(t0)           /* the TLB now maps buf2's page */
  li a1, 6
  li a2, 7
  call do_mul
  mv s0, a0
  li a1, 0x5678
  call do_store2
  li a1, 0x1234
  call do_store
  li t0, 42
  bne s0, t0, fail
  la t0, buf
  lhu t1, 0(t0)
  li t2, 0x1234
  bne t1, t2, fail
  la t0, buf2
  lhu t1, 0(t0)
  li t2, 0x5678
  bne t1, t2, fail
  li t0, FINISHER
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b
fail:
  li t0, FINISHER
  li t1, (1 << 16) | 0x3333
  sw t1, 0(t0)
2: j 2b

  .globl do_mul
do_mul:
  mul a0, a1, a2
  ret

  .globl do_store
do_store:
  la t0, buf
  sh a1, 0(t0)
  ret

  .globl do_store2
do_store2:
  la t0, buf2
  sh a1, 0(t0)
  ret

  .data
  .balign 4096
  .globl buf
buf:
  .dword 0x1111111111111111
  .balign 4096
  .globl buf2
buf2:
  .dword 0x2222222222222222
