/* tests/guest/alu.S - RV64I integer ALU: edge cases, shifts by 63/64 and
** 31/32 (W forms), sign extension of W ops, LUI/AUIPC, SLT/SLTU. */
#include "rvtest.h"

RVTEST_BEGIN

  /* ADD / SUB wrap-around */
  TEST_RR(1, add, 0x8000000000000000, 0x7fffffffffffffff, 1)
  TEST_RR(2, add, 0, -1, 1)
  TEST_RR(3, sub, 0x7fffffffffffffff, 0x8000000000000000, 1)
  TEST_RR(4, sub, -1, 0, 1)
  TEST_RI(5, addi, 0x7ff, 0, 0x7ff)
  TEST_RI(6, addi, -0x800, 0, -0x800)
  TEST_RI(7, addi, 0x7fffffffffffffff, 0x8000000000000000, -1)

  /* logic */
  TEST_RR(10, and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
  TEST_RR(11, or,  0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
  TEST_RR(12, xor, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0)
  TEST_RI(13, andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff00, -1)
  TEST_RI(14, ori, -0x7f1, 0x000000000000000f, -0x800)
  TEST_RI(15, xori, 0x00ff00ff00ff00ff, 0xff00ff00ff00ff00, -1)

  /* SLT / SLTU / SLTI / SLTIU */
  TEST_RR(20, slt, 1, -1, 0)
  TEST_RR(21, slt, 0, 0, -1)
  TEST_RR(22, sltu, 0, -1, 0)
  TEST_RR(23, sltu, 1, 0, -1)
  TEST_RR(24, slt, 1, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_RR(25, slt, 0, 5, 5)
  TEST_RI(26, slti, 1, -2, -1)
  TEST_RI(27, sltiu, 1, 5, -1)          /* -1 is 0xffff...ffff unsigned */
  TEST_RI(28, sltiu, 0, -1, -1)
  TEST_RI(29, sltiu, 1, 0, 1)           /* seqz */

  /* 64-bit shifts: amount taken mod 64 */
  TEST_RR(30, sll, 0x8000000000000000, 1, 63)
  TEST_RR(31, sll, 1, 1, 64)
  TEST_RR(32, srl, 1, 0x8000000000000000, 63)
  TEST_RR(33, srl, 0x8000000000000000, 0x8000000000000000, 64)
  TEST_RR(34, sra, -1, 0x8000000000000000, 63)
  TEST_RR(35, sra, 0x8000000000000000, 0x8000000000000000, 64)
  TEST_RR(36, sra, 0xff80000000000000, 0x8000000000000000, 0xffffffffffffffc8)
  TEST_RI(37, slli, 0x8000000000000000, 1, 63)
  TEST_RI(38, srli, 1, 0x8000000000000000, 63)
  TEST_RI(39, srai, -1, 0x8000000000000000, 63)
  TEST_RI(40, srai, 0x0000000000000001, 0x7fffffffffffffff, 62)

  /* 32-bit shifts: amount mod 32, result sign-extended */
  TEST_RR(50, sllw, 0xffffffff80000000, 1, 31)
  TEST_RR(51, sllw, 1, 1, 32)
  TEST_RR(52, srlw, 1, 0x80000000, 31)
  TEST_RR(53, srlw, 0xffffffff80000000, 0x80000000, 32)
  TEST_RR(54, sraw, -1, 0x80000000, 31)
  TEST_RR(55, sraw, 0xffffffff80000000, 0x0000000080000000, 32)
  TEST_RR(56, srlw, 0x7fffffff, 0xffffffffffffffff, 1)
  TEST_RR(57, sraw, 0xffffffffffffffff, 0x00000000ffffffff, 1)
  TEST_RR(58, sllw, 0, 0xffffffff00000000, 0)   /* upper bits ignored */
  TEST_RI(59, slliw, 0xffffffff80000000, 1, 31)
  TEST_RI(60, srliw, 1, 0xffffffff80000000, 31)
  TEST_RI(61, sraiw, -1, 0x80000000, 31)
  TEST_RI(62, srliw, 0xffffffff80000000, 0x1234567880000000, 0)
  TEST_RI(63, sraiw, 0x0000000000000001, 0x40000000, 30)

  /* W arithmetic: sign extension of the 32-bit result */
  TEST_RR(70, addw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RR(71, addw, 0, 0xffffffff, 1)
  TEST_RR(72, subw, 0x7fffffff, 0x80000000, 1)
  TEST_RR(73, subw, 0xffffffffffffffff, 0x100000000, 1)
  TEST_RI(74, addiw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RI(75, addiw, 0x000000007fffffff, 0x17fffffff, 0)  /* sext.w */
  TEST_RI(76, addiw, -1, 0x00000000ffffffff, 0)

  /* LUI / AUIPC */
  TEST_CASE(80, a0, 0xffffffff80000000, lui a0, 0x80000)
  TEST_CASE(81, a0, 0x000000007ffff000, lui a0, 0x7ffff)
  TEST_CASE(82, a0, 0, 1: auipc a0, 0; la a1, 1b; sub a0, a0, a1)
  TEST_CASE(83, a0, 0x1000, 1: auipc a0, 1; la a1, 1b; sub a0, a0, a1)
  TEST_CASE(84, a0, -0x80000000, 1: auipc a0, 0x80000; la a1, 1b; sub a0, a0, a1)

  /* writes to x0 are ignored */
  TEST_CASE(90, x0, 0, li x0, 5; addi x0, x0, 1; lui x0, 1)
  TEST_CASE(91, a0, 0, addi a0, x0, 0; add a0, a0, x0)

  /* branches: all conditions, taken and not taken */
  TEST_CASE(100, a0, 0x3f,
    li a0, 0; li a1, -1; li a2, 1;
    beq a1, a1, 1f; j fail; 1: ori a0, a0, 1;
    bne a1, a2, 1f; j fail; 1: ori a0, a0, 2;
    blt a1, a2, 1f; j fail; 1: ori a0, a0, 4;
    bge a2, a1, 1f; j fail; 1: ori a0, a0, 8;
    bltu a2, a1, 1f; j fail; 1: ori a0, a0, 16;
    bgeu a1, a2, 1f; j fail; 1: ori a0, a0, 32;
    beq a1, a2, fail; bne a1, a1, fail; blt a2, a1, fail;
    bge a1, a2, fail; bltu a1, a2, fail; bgeu a2, a1, fail;
    bge a1, a1, 1f; j fail; 1: bgeu a1, a1, 1f; j fail; 1:)

  /* JAL / JALR: link value, rd == rs1, bit 0 of the target cleared */
  TEST_CASE(110, a0, 0, jal a1, 1f; 2: j fail; 1: la a2, 2b; sub a0, a1, a2)
  TEST_CASE(111, a0, 0,
    la a1, 1f + 1; jalr a1, 0(a1); 2: j fail; 1: la a2, 2b; sub a0, a1, a2)
  TEST_CASE(112, a0, 1,
    la a1, 1f - 8; jalr x0, 8(a1); j fail; 1: li a0, 1)

  RVTEST_PASS
RVTEST_END
