/* Reads the example scratch device (sdk/examples/device-scratch.c) at
** 0x10010000: expects the YAML option initial: 7, writes 9, reads it back.
** Passes through the SiFive test finisher; fails with code 1 or 2. */
  .globl _start
_start:
  li   t0, 0x10010000
  lw   t1, 0(t0)
  li   t2, 7
  li   a0, 1
  bne  t1, t2, fail
  li   t1, 9
  sw   t1, 0(t0)
  lw   t1, 0(t0)
  li   t2, 9
  li   a0, 2
  bne  t1, t2, fail
  li   t1, 0x5555
  j    done
fail:
  slli a0, a0, 16
  li   t1, 0x3333
  or   t1, t1, a0
done:
  li   t0, 0x100000
  sw   t1, 0(t0)
1:
  j    1b
