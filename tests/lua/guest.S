/* tests/lua/guest.S - a tiny bare-metal guest for the Lua scripting tests
** (tests/lua/*.sh), linked at 0x80000000 for the machine in those tests:
** SiFive test finisher at 0x100000.  Symbols give the tests exact PCs:
**   loop        runs 5 times (addi + bnez)
**   marker      a0 = 0x1234 here
**   store_here  the only store to `watched` (value 42)
** Exit: finisher PASS (status 0) when the word `flag` is 0, otherwise
** FAIL with code `flag` (status = flag).  Scripts change it with
** vmrun.write_phys / write_u32. */
  .text
  .globl _start
_start:
  li   a0, 0x1234
  li   t0, 5
  .globl loop
loop:
  addi t0, t0, -1
  bnez t0, loop
  .globl marker
marker:
  nop
  la   t1, watched
  li   t2, 42
  .globl store_here
store_here:
  sw   t2, 0(t1)
  nop
  j    check             /* ends the block */
check:
  la   t1, flag
  lw   t2, 0(t1)
  li   t0, 0x100000
  beqz t2, pass
  slli t2, t2, 16
  li   t3, 0x3333
  or   t2, t2, t3
  sw   t2, 0(t0)
  j    hang
pass:
  li   t3, 0x5555
  sw   t3, 0(t0)
hang:
  j    hang

  .data
  .balign 8
  .globl flag
flag:
  .word 0
  .globl watched
watched:
  .word 0
