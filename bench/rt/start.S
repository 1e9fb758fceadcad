/* bench/rt/start.S - M-mode entry for the bench/ suite (bare metal, no
** firmware): set sp, enable the FPU (mstatus.FS = Initial), zero .bss,
** call main, report main's return value through the SiFive test finisher
** at 0x100000 (0 -> PASS 0x5555, else FAIL (code << 16) | 0x3333). */
  .section .text.start, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la   sp, __stack_top
  .option pop
  li   t0, 1 << 13          /* mstatus.FS = Initial */
  csrs mstatus, t0
  csrwi fcsr, 0
  la   t0, __bss_start
  la   t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd   zero, 0(t0)
  addi t0, t0, 8
  j    1b
2:
  call main
  li   t0, 0x100000
  bnez a0, 3f
  li   t1, 0x5555
  sw   t1, 0(t0)
  j    4f
3:
  slli a0, a0, 16
  li   t1, 0x3333
  or   a0, a0, t1
  sw   a0, 0(t0)
4:
  wfi
  j    4b
