/* tests/guest/muldiv.S - M extension: MUL/MULH*, DIV/DIVU/REM/REMU and W
** forms, including division by zero and signed overflow (Unprivileged
** ISA §7.2, Table 7.1). */
#include "rvtest.h"

#define MIN64 0x8000000000000000
#define MIN32 0xffffffff80000000

RVTEST_BEGIN

  TEST_RR(1, mul, 0x1d8800, 0x7e00, 0x3c)
  TEST_RR(2, mul, 1, -1, -1)
  TEST_RR(3, mul, MIN64, MIN64, -1)
  TEST_RR(4, mul, 0xfffffffe00000001, 0xffffffff, 0xffffffff)
  TEST_RR(5, mulh, 0xffffffffffffffff, -1, 1)
  TEST_RR(6, mulh, 0, -1, -1)
  TEST_RR(7, mulh, 0x4000000000000000, MIN64, MIN64)
  TEST_RR(8, mulhu, 0xfffffffffffffffe, -1, -1)
  TEST_RR(9, mulhu, 0, -1, 1)
  TEST_RR(10, mulhsu, 0xffffffffffffffff, -1, -1)   /* -1 * (2^64-1) */
  TEST_RR(11, mulhsu, 0x7ffffffffffffffe, 0x7fffffffffffffff, -1)
  TEST_RR(12, mulhsu, 0xc000000000000000, MIN64, MIN64)
  TEST_RR(13, mulw, MIN32, 0x40000000, 2)
  TEST_RR(14, mulw, 1, 0xffffffffffffffff, 0x00000000ffffffff)
  TEST_RR(15, mulw, 0, 0x100000000, 0x100000000)

  /* DIV / DIVU / REM / REMU */
  TEST_RR(20, div, -6, 20, -3)
  TEST_RR(21, div, -6, -20, 3)
  TEST_RR(22, rem, 2, 20, -3)       /* sign of the dividend */
  TEST_RR(23, rem, -2, -20, 3)
  TEST_RR(24, divu, 0, 20, -3)
  TEST_RR(25, remu, 20, 20, -3)
  TEST_RR(26, divu, 0x555555555555554e, -20, 3)
  /* by zero: quotient all ones, remainder = dividend */
  TEST_RR(30, div, -1, 123, 0)
  TEST_RR(31, div, -1, -123, 0)
  TEST_RR(32, divu, -1, 123, 0)
  TEST_RR(33, rem, -123, -123, 0)
  TEST_RR(34, remu, 123, 123, 0)
  TEST_RR(35, div, -1, 0, 0)
  /* overflow */
  TEST_RR(36, div, MIN64, MIN64, -1)
  TEST_RR(37, rem, 0, MIN64, -1)
  TEST_RR(38, divu, 0, MIN64, -1)
  TEST_RR(39, remu, MIN64, MIN64, -1)

  /* W forms: operands are the low 32 bits, results sign-extended */
  TEST_RR(40, divw, -6, 20, -3)
  TEST_RR(41, divw, -6, 0xffffffff00000014, 0x00000000fffffffd)
  TEST_RR(42, remw, 2, 20, -3)
  TEST_RR(43, divuw, 0, 20, -3)
  TEST_RR(44, divuw, 0x000000007ffffffe, 0xfffffffc, 2)
  TEST_RR(45, divuw, -1, 0xffffffff, 1)   /* 0xffffffff sign-extended */
  TEST_RR(46, remuw, 20, 20, -3)
  TEST_RR(47, remuw, MIN32, 0x80000000, 0x80000001)
  /* W by zero */
  TEST_RR(50, divw, -1, 123, 0)
  TEST_RR(51, divw, -1, 123, 0xffffffff00000000)  /* low 32 bits are 0 */
  TEST_RR(52, divuw, -1, 123, 0)
  TEST_RR(53, remw, -123, -123, 0)
  TEST_RR(54, remw, MIN32, 0x80000000, 0)
  TEST_RR(55, remuw, 123, 123, 0)
  TEST_RR(56, remuw, -1, 0xffffffff, 0)
  /* W overflow */
  TEST_RR(57, divw, MIN32, 0x80000000, -1)
  TEST_RR(58, remw, 0, 0x80000000, -1)
  TEST_RR(59, divw, MIN32, 0x1234567880000000, 0xffffffff)

  /* rd = x0 is a no-op, even for division by zero */
  TEST_CASE(60, a0, 7, li a0, 7; li a1, 0; div x0, a0, a1; rem x0, a0, a1)

  RVTEST_PASS
RVTEST_END
