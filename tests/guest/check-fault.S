/*
** tests/guest/check-fault.S - guest for the --engine-check tests
** (tests/integration/engine-check.sh).  It computes 6 * 7 in do_mul and
** stores 0x1234 as a halfword at `buf` in do_store; each function starts
** a block (it is reached by a call), which the test finds with nm.  The
** test engines engine-faultymul / engine-faultyst (interp built with
** injected faults) get the product or the stored halfword wrong there;
** no other instruction of this program multiplies or stores a halfword.
** Passes (finisher 0x5555) when the result and buf are right.
*/
#define FINISHER 0x100000
  .option norelax
  .text
  .globl _start
_start:
  li a1, 6
  li a2, 7
  call do_mul
  mv s0, a0
  li a1, 0x1234
  call do_store
  li t0, 42
  bne s0, t0, fail
  la t0, buf
  lhu t1, 0(t0)
  li t2, 0x1234
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

  .data
  .balign 8
  .globl buf
buf:
  .dword 0
