/* bench/rt/empty.S - exits at once through the SiFive test finisher:
** scripts/bench measures each emulator's start-up with it. */
  .section .text.start, "ax"
  .globl _start
_start:
  li   t0, 0x100000
  li   t1, 0x5555
  sw   t1, 0(t0)
1:
  j    1b
