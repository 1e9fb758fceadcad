/* tests/guest/rvc.S - RV64C: every compressed instruction (except the
** FP loads/stores, which are illegal here since mstatus.FS is Off; fp.S
** checks them with FS on), checked
** by result; C.EBREAK (cause 3, epc, 2-byte length) and illegal
** compressed encodings (cause 2, mtval = the 16-bit parcel). */
#include "rvtest.h"

  .option rvc
RVTEST_BEGIN
  la s0, cbuf

  /* C.ADDI4SPN, C.ADDI16SP (sp-relative) */
  TEST_CASE(1, a0, 1020, mv s1, sp; li sp, 0; c.addi4spn a0, sp, 1020; mv sp, s1)
  TEST_CASE(2, a0, 4, mv s1, sp; li sp, 0; c.addi4spn a0, sp, 4; mv sp, s1)
  TEST_CASE(3, a0, -512, mv s1, sp; li sp, 0; c.addi16sp sp, -512; mv a0, sp; mv sp, s1)
  TEST_CASE(4, a0, 496, mv s1, sp; li sp, 0; c.addi16sp sp, 496; mv a0, sp; mv sp, s1)

  /* C.LW C.LD C.SW C.SD (rd', rs1' in x8..x15) */
  TEST_CASE(10, a0, 0xffffffff87654321,
    li a1, 0x1234567887654321; sd a1, 8(s0); c.lw a0, 8(s0))
  TEST_CASE(11, a0, 0x1234567887654321, c.ld a0, 8(s0))
  TEST_CASE(12, a0, 0x12345678deadbeef,
    li a1, 0xdeadbeef; c.sw a1, 8(s0); ld a0, 8(s0))
  TEST_CASE(13, a0, 0x0102030405060708,
    li a1, 0x0102030405060708; c.sd a1, 248(s0); ld a0, 248(s0))
  TEST_CASE(14, a0, 0x0102030405060708, c.ld a0, 248(s0))
  TEST_CASE(15, a0, 0x05060708, li a1, 0x05060708; sw a1, 124(s0); c.lw a0, 124(s0))

  /* C.ADDI C.ADDIW C.LI C.LUI */
  TEST_CASE(20, a0, -31, li a0, 1; c.addi a0, -32)
  TEST_CASE(21, a0, 32, li a0, 1; c.addi a0, 31)
  TEST_CASE(22, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
  TEST_CASE(23, a0, 0x000000007fffffff, li a0, 0x17fffffff; c.addiw a0, 0)
  TEST_CASE(24, a0, -32, c.li a0, -32)
  TEST_CASE(25, a0, 31, c.li a0, 31)
  TEST_CASE(26, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
  TEST_CASE(27, a0, 0x1f000, c.lui a0, 0x1f)
  TEST_CASE(28, a0, 0x1000, c.lui a0, 1)

  /* C.SRLI C.SRAI C.ANDI C.SLLI */
  TEST_CASE(30, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
  TEST_CASE(31, a0, -1, li a0, 0x8000000000000000; c.srai a0, 63)
  TEST_CASE(32, a0, 0x4000000000000000, li a0, 0x8000000000000000; c.srli a0, 1)
  TEST_CASE(33, a0, 0xc000000000000000, li a0, 0x8000000000000000; c.srai a0, 1)
  TEST_CASE(34, a0, 0x10, li a0, 0x1234; c.andi a0, 0x10)
  TEST_CASE(35, a0, 0x1220, li a0, 0x1234; c.andi a0, -32)
  TEST_CASE(36, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
  TEST_CASE(37, a0, 0x200000000, li a0, 1; c.slli a0, 33)

  /* C.SUB C.XOR C.OR C.AND C.SUBW C.ADDW */
  TEST_CASE(40, a0, -3, li a0, 2; li a1, 5; c.sub a0, a1)
  TEST_CASE(41, a0, 0x0ff0, li a0, 0x0f0f; li a1, 0x00ff; c.xor a0, a1)
  TEST_CASE(42, a0, 0x0fff, li a0, 0x0f0f; li a1, 0x00ff; c.or a0, a1)
  TEST_CASE(43, a0, 0x000f, li a0, 0x0f0f; li a1, 0x00ff; c.and a0, a1)
  TEST_CASE(44, a0, 0x7fffffff, li a0, 0x80000000; li a1, 1; c.subw a0, a1)
  TEST_CASE(45, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
  TEST_CASE(46, a0, 0, li a0, 0xffffffff; li a1, 1; c.addw a0, a1)

  /* C.MV C.ADD (full register set) */
  TEST_CASE(50, t3, 0x123456789, li t4, 0x123456789; c.mv t3, t4)
  TEST_CASE(51, t3, 0x12345678a, li t4, 1; c.add t3, t4)

  /* C.LWSP C.LDSP C.SWSP C.SDSP */
  TEST_CASE(60, t3, 0xffffffffcafef00d,
    mv s1, sp; mv sp, s0; li t4, 0xcafef00d; c.swsp t4, 252(sp);
    c.lwsp t3, 252(sp); mv sp, s1)
  TEST_CASE(61, t3, 0x1122334455667788,
    mv s1, sp; mv sp, s0; li t4, 0x1122334455667788; c.sdsp t4, 504(sp);
    c.ldsp t3, 504(sp); mv sp, s1)

  /* C.J C.JR C.JALR C.BEQZ C.BNEZ */
  TEST_CASE(70, a0, 1, li a0, 0; c.j 1f; j fail; 1: li a0, 1)
  TEST_CASE(71, a0, 1, li a0, 0; la t0, 1f; c.jr t0; j fail; 1: li a0, 1)
  TEST_CASE(72, a0, 0,
    la t0, 1f; c.jalr t0; 2: j fail; 1: la a1, 2b; sub a0, ra, a1)
  TEST_CASE(73, a0, 3,
    li a0, 0; li a1, 0; li a2, 1;
    c.beqz a1, 1f; j fail; 1: addi a0, a0, 1;
    c.bnez a2, 1f; j fail; 1: addi a0, a0, 1;
    c.beqz a2, fail; c.bnez a1, fail; addi a0, a0, 1)
  /* C.J backwards */
  TEST_CASE(74, a0, 2,
    li a0, 0; c.j 2f; 1: addi a0, a0, 1; c.j 3f; 2: addi a0, a0, 1; c.j 1b; 3:)

  /* C.NOP, HINTs (rd = x0) */
  TEST_CASE(80, a0, 5, li a0, 5; c.nop; .hword 0x0001 | (0 << 7))

  /* C.EBREAK: cause 3, mepc = its address, resumes 2 bytes later */
  li TESTNUM, 90
  CLEAR_TRAP
1: c.ebreak
  CHECK_VAR(90, trap_count, 1)
  CHECK_VAR(90, trap_cause, CAUSE_BREAKPOINT)
  la t5, 1b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail
#ifdef VMRUN_ONLY
  /* vmrun writes mtval = pc for EBREAK; QEMU 7.2 writes 0 (both allowed) */
  TEST_CASE(91, a0, 0, LOAD_VAR(a0, trap_tval); LOAD_VAR(a1, trap_epc); sub a0, a0, a1)
#endif

  /* Illegal compressed encodings: mtval = the 16-bit parcel */
  TEST_TRAP(100, CAUSE_ILLEGAL, 0x0000, .hword 0x0000)          /* all zeros */
  TEST_TRAP(101, CAUSE_ILLEGAL, 0x2000, .hword 0x2000)          /* c.fld, FS = Off */
  TEST_TRAP(102, CAUSE_ILLEGAL, 0xa000, .hword 0xa000)          /* c.fsd */
  TEST_TRAP(103, CAUSE_ILLEGAL, 0x2082, .hword 0x2082)          /* c.fldsp */
  TEST_TRAP(104, CAUSE_ILLEGAL, 0xa002, .hword 0xa002)          /* c.fsdsp */
  TEST_TRAP(105, CAUSE_ILLEGAL, 0x0001 | (3 << 13) | (2 << 7), .hword 0x6101) /* c.addi16sp 0 */
  TEST_TRAP(106, CAUSE_ILLEGAL, 0x6501, .hword 0x6501)          /* c.lui a0, 0 */
  TEST_TRAP(107, CAUSE_ILLEGAL, 0x8002, .hword 0x8002)          /* c.jr x0 */
  TEST_TRAP(108, CAUSE_ILLEGAL, 0x4002, .hword 0x4002)          /* c.lwsp x0 */
  TEST_TRAP(109, CAUSE_ILLEGAL, 0x6002, .hword 0x6002)          /* c.ldsp x0 */
  TEST_TRAP(110, CAUSE_ILLEGAL, 0x2001, .hword 0x2001)          /* c.addiw x0 */
  TEST_TRAP(111, CAUSE_ILLEGAL, 0x9c41, .hword 0x9c41)          /* reserved (c.subw pattern, 10) */
  TEST_TRAP(112, CAUSE_ILLEGAL, 0x8000, .hword 0x8000)          /* quadrant 0 reserved funct3 100 */

  /* A 32-bit instruction straddling a 4-byte boundary after a 16-bit one */
  TEST_CASE(120, a0, 0x12345, c.nop; .option push; .option norvc;
    li a0, 0x12345; .option pop)

  RVTEST_PASS
RVTEST_END

  .section .data
  .balign 16
cbuf: .fill 128, 8, 0
