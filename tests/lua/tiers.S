/* tests/lua/tiers.S - a guest with a hot function for the tiering-policy
** tests (tests/lua/tiers.sh): main_loop calls hot_fn 200 times, and
** hot_fn runs an inner loop of 10 iterations per call, so the blocks of
** both are hot under any hot_threshold up to 200.  hot_fn comes last, so
** every pc from hot_fn to the end of .text is hot_fn's (vmrun.symbol
** gives the nearest symbol below).  Ends through the sifive-test
** finisher (pass). */
  .text
  .globl _start
_start:
  li   s0, 200
  li   t0, 0x100000
main_loop:
  call hot_fn
  addi s0, s0, -1
  bnez s0, main_loop
  li   t1, 0x5555
  sw   t1, 0(t0)
hang:
  j    hang

  .globl hot_fn
  .type hot_fn, @function
hot_fn:
  li   t2, 10
1:
  addi t3, t3, 1
  addi t2, t2, -1
  bnez t2, 1b
  ret
  .size hot_fn, .-hot_fn
