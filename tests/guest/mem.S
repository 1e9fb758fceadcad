/* tests/guest/mem.S - loads and stores: every width, sign/zero extension,
** offsets, misaligned accesses (supported in hardware here: no trap),
** FENCE and FENCE.I with self-modifying code, load access fault. */
#include "rvtest.h"

RVTEST_BEGIN

  la s0, buf
  /* stores of every width */
  li a1, 0x8877665544332211
  sd a1, 0(s0)
  li a1, 0xf0e0d0c0b0a09080
  sd a1, 8(s0)

  TEST_CASE(1, a0, 0x0000000000000011, lbu a0, 0(s0))
  TEST_CASE(2, a0, 0xffffffffffffff88, lb a0, 7(s0))
  TEST_CASE(3, a0, 0x0000000000000088, lbu a0, 7(s0))
  TEST_CASE(4, a0, 0xffffffffffff8877, lh a0, 6(s0))
  TEST_CASE(5, a0, 0x0000000000008877, lhu a0, 6(s0))
  TEST_CASE(6, a0, 0xffffffff88776655, lw a0, 4(s0))
  TEST_CASE(7, a0, 0x0000000088776655, lwu a0, 4(s0))
  TEST_CASE(8, a0, 0x8877665544332211, ld a0, 0(s0))
  TEST_CASE(9, a0, 0x0000000044332211, lw a0, 0(s0))
  TEST_CASE(10, a0, 0xf0e0d0c0b0a09080, addi a1, s0, 16; ld a0, -8(a1))

  TEST_CASE(11, a0, 0x88776655443322aa, li a1, 0x1234aa; sb a1, 0(s0); ld a0, 0(s0))
  TEST_CASE(12, a0, 0x88776655bbcc22aa, li a1, 0x1234bbcc; sh a1, 2(s0); ld a0, 0(s0))
  TEST_CASE(13, a0, 0xddeeff00bbcc22aa, li a1, 0x11ddeeff00; sw a1, 4(s0); ld a0, 0(s0))
  TEST_CASE(14, a0, 0x0123456789abcdef, li a1, 0x0123456789abcdef; sd a1, 0(s0); ld a0, 0(s0))

  /* load into x0 still happens, and does not write x0 */
  TEST_CASE(15, x0, 0, ld x0, 0(s0))
  /* rd == rs1 */
  TEST_CASE(16, a0, 0x0123456789abcdef, mv a0, s0; ld a0, 0(a0))

  /* misaligned loads */
  li a1, 0x0706050403020100
  sd a1, 0(s0)
  li a1, 0x0f0e0d0c0b0a0908
  sd a1, 8(s0)
  TEST_CASE(20, a0, 0x0201, lhu a0, 1(s0))
  TEST_CASE(21, a0, 0x04030201, lw a0, 1(s0))
  TEST_CASE(22, a0, 0x0908070605040302, ld a0, 2(s0))
  TEST_CASE(23, a0, 0x0e0d0c0b0a090807, ld a0, 7(s0))
  TEST_CASE(24, a0, 0x0807, lh a0, 7(s0))
  TEST_CASE(25, a0, 0x0a090807, lwu a0, 7(s0))
  /* misaligned stores */
  TEST_CASE(30, a0, 0x0706050403bbaa00, li a1, 0xbbaa; sh a1, 1(s0); ld a0, 0(s0))
  TEST_CASE(31, a0, 0x07ddccbbaabbaa00, li a1, 0xddccbbaa; sw a1, 3(s0); ld a0, 0(s0))
  TEST_CASE(32, a0, 0x0f0e0d0c0b0a0908, ld a0, 8(s0))
  TEST_CASE(33, a0, 0x0f0e0d1122334455, li a1, 0x1122334455667788; sd a1, 5(s0); ld a0, 8(s0))
  TEST_CASE(34, a0, 0x667788bbaabbaa00, ld a0, 0(s0))

  /* FENCE is a no-op; FENCE.I makes stored code visible */
  TEST_CASE(40, a0, 1, fence; fence rw, rw; fence.i; li a0, 1)
  la a1, smc_target
  li a2, 0x00200513          /* addi a0, zero, 2 */
  sw a2, 0(a1)
  fence.i
  TEST_CASE(41, a0, 2, li a0, 0; jal ra, smc_target)
  li a2, 0x00300513          /* addi a0, zero, 3 */
  sw a2, 0(a1)
  fence.i
  TEST_CASE(42, a0, 3, li a0, 0; jal ra, smc_target)
  /* data stored next to translated code, in the same page, is only data:
  ** the code there keeps running (vmrun counts it as smc_data_stores,
  ** checked by guest-isa.sh) */
  la a1, smc_data
  li a2, 0x5a5a
  sw a2, 0(a1)
  TEST_CASE(43, a0, 0x5a5a, lw a0, 0(a1))
  TEST_CASE(44, a0, 3, li a0, 0; jal ra, smc_target)
  li a2, 0x00400513          /* addi a0, zero, 4 */
  la a1, smc_target
  sw a2, 0(a1)
  fence.i
  TEST_CASE(45, a0, 4, li a0, 0; jal ra, smc_target)

  /* load / store access faults on unmapped memory (0x0) */
  li a1, 0
  TEST_TRAP(50, CAUSE_LOAD_ACCESS, 0, ld a0, 0(a1))
  li a1, 0
  TEST_TRAP(51, CAUSE_STORE_ACCESS, 8, sd a1, 8(a1))
  /* the faulting load did not write rd */
  TEST_CASE(52, a0, 77, li a0, 77; li a1, 0; 7: lw a0, 0(a1))

  RVTEST_PASS

  .balign 4
smc_target:
  .option push
  .option norvc
  addi a0, zero, 1
  ret
  .option pop
  .balign 8
smc_data: .dword 0

RVTEST_END

  .section .data
  .balign 16
buf: .fill 4, 8, 0
