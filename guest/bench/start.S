/* M-mode entry for bare-metal benchmark programs (no firmware). */
  .section .text.start, "ax"
  .globl _start
_start:
  la   sp, stack_top
  call main
  /* main returns 0 on success: SiFive test finisher PASS, else FAIL(code) */
  li   t0, 0x100000
  bnez a0, 1f
  li   t1, 0x5555
  sw   t1, 0(t0)
  j    2f
1:
  slli a0, a0, 16
  li   t1, 0x3333
  or   a0, a0, t1
  sw   a0, 0(t0)
2:
  wfi
  j    2b

  .bss
  .align 4
  .space 65536
stack_top:
