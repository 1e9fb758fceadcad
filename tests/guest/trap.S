/* tests/guest/trap.S - synchronous traps and privilege modes: illegal
** instruction (mtval = instruction bits), ECALL from M/S/U, EBREAK,
** instruction access fault, MRET/SRET state changes, delegation to S with
** medeleg, privilege checks on CSRs and xRET, mstatus.TVM/TSR/TW and the
** counter enables. */
#include "rvtest.h"

#define ILLEGAL_INSN 0x0000000b      /* custom-0 opcode: not implemented */

/* Check that the current mode is `mode` by the trap's mstatus.MPP:
** executes ecall and checks the cause (8 + mode). */
#define CHECK_MODE(n, mode)                                           \
  TEST_TRAP(n, CAUSE_ECALL_U + (mode), 0, ecall)

RVTEST_BEGIN

  /* ---- illegal instructions, from M ---- */
  TEST_TRAP(1, CAUSE_ILLEGAL, ILLEGAL_INSN, .word ILLEGAL_INSN)
  TEST_TRAP(2, CAUSE_ILLEGAL, 0x04000033, .word 0x04000033)    /* OP funct7 = 2 */
  TEST_TRAP(3, CAUSE_ILLEGAL, 0x0000701b, .word 0x0000701b)    /* OP-IMM-32 funct3 = 7 */
  TEST_TRAP(4, CAUSE_ILLEGAL, 0x00002067, .word 0x00002067)    /* JALR funct3 = 2 */
  TEST_TRAP(5, CAUSE_ILLEGAL, 0x00007003, .word 0x00007003)    /* LOAD funct3 = 7 */
  TEST_TRAP(6, CAUSE_ILLEGAL, 0x00004023, .word 0x00004023)    /* STORE funct3 = 4 */
  TEST_TRAP(7, CAUSE_ILLEGAL, 0x00002063, .word 0x00002063)    /* BRANCH funct3 = 2 */
  TEST_TRAP(8, CAUSE_ILLEGAL, 0x0200502f, .word 0x0200502f)    /* AMO funct3 = 5 */
  TEST_TRAP(9, CAUSE_ILLEGAL, 0x1010302f, .word 0x1010302f)    /* LR.D with rs2 != 0 */
  TEST_TRAP(10, CAUSE_ILLEGAL, 0x42001033, .word 0x42001033)  /* bad funct7 */
  TEST_TRAP(11, CAUSE_ILLEGAL, 0x4200d01b, .word 0x4200d01b)   /* SRAIW with bit 25 */
  TEST_TRAP(12, CAUSE_ILLEGAL, 0x00004073, .word 0x00004073)   /* SYSTEM funct3 = 4 */
  TEST_TRAP(13, CAUSE_ILLEGAL, 0x00200073, .word 0x00200073)   /* SYSTEM, funct12 = 2 */
  /* an earlier instruction of the same block is committed */
  TEST_CASE(14, a0, 2, li a0, 1; addi a0, a0, 1; .word ILLEGAL_INSN)

  /* ---- ECALL / EBREAK from M ---- */
  TEST_TRAP(20, CAUSE_ECALL_M, 0, ecall)
  /* medeleg cannot delegate ECALL from M (and delegation never applies
     to traps taken in M) */
  li a1, -1
  csrw medeleg, a1
  TEST_TRAP(21, CAUSE_ECALL_M, 0, ecall)
  TEST_TRAP(22, CAUSE_ILLEGAL, ILLEGAL_INSN, .word ILLEGAL_INSN)
  csrw medeleg, zero
  li TESTNUM, 23
  CLEAR_TRAP
  .option push
  .option norvc
1: ebreak
  .option pop
  CHECK_VAR(23, trap_count, 1)
  CHECK_VAR(23, trap_cause, CAUSE_BREAKPOINT)
  la t5, 1b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail
#ifdef VMRUN_ONLY
  la t5, 1b; LOAD_VAR(t6, trap_tval); bne t5, t6, fail     /* tval = pc */
#endif
  /* mstatus at trap entry from M: MPP = 3, MPIE = old MIE (0) */
  TEST_CASE(24, a0, 0x1800, LOAD_VAR(a0, trap_mstatus); li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE; and a0, a0, a1)

  /* ---- instruction access fault: jump to unmapped 0x0 ---- */
  li TESTNUM, 25
  CLEAR_TRAP
  la t0, 1f
  la t1, trap_redirect
  sd t0, 0(t1)
  li a1, 0
  jr a1
1:
  CHECK_VAR(25, trap_count, 1)
  CHECK_VAR(25, trap_cause, CAUSE_FETCH_ACCESS)
  CHECK_VAR(25, trap_epc, 0)
  CHECK_VAR(25, trap_tval, 0)

  /* ---- MRET: MIE <- MPIE, MPIE <- 1, MPP <- U ---- */
  TEST_CASE(30, a0, MSTATUS_MIE | MSTATUS_MPIE,
    li a1, MSTATUS_MPP | MSTATUS_MPIE; csrs mstatus, a1; li a1, MSTATUS_MIE; csrc mstatus, a1;
    la a1, 1f; csrw mepc, a1; mret; j fail;
    1: csrr a0, mstatus; li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE; and a0, a0, a1)
  TEST_CASE(31, a0, MSTATUS_MPIE,
    li a1, MSTATUS_MPP; csrs mstatus, a1; li a1, MSTATUS_MPIE; csrc mstatus, a1;
    la a1, 1f; csrw mepc, a1; mret; j fail;
    1: csrr a0, mstatus; li a1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE; and a0, a0, a1)
  li a1, MSTATUS_MIE
  csrc mstatus, a1
#ifdef VMRUN_ONLY
  /* an MRET retires (instret counts it exactly once) */
  TEST_CASE(32, a0, 1, la t0, 1f; csrw mepc, t0; li t1, MSTATUS_MPP; csrs mstatus, t1;
    csrw minstret, zero; mret; j fail; 1: csrr a0, minstret)
  li a1, MSTATUS_MIE
  csrc mstatus, a1
#endif

  /* ---- S mode ---- */
  GOTO_S
  CHECK_MODE(40, 1)
  /* trap from S: MPP = 1 */
  TEST_CASE(41, a0, 0x0800, LOAD_VAR(a0, trap_mstatus); li a1, MSTATUS_MPP; and a0, a0, a1)
  TEST_TRAP(42, CAUSE_ILLEGAL, ILLEGAL_INSN, .word ILLEGAL_INSN)
  /* M-level CSRs and MRET are illegal in S */
  TEST_TRAP(43, CAUSE_ILLEGAL, 0x30002573, csrr a0, mstatus)
  TEST_TRAP(44, CAUSE_ILLEGAL, 0x34059073, csrw mscratch, a1)
  TEST_TRAP(45, CAUSE_ILLEGAL, 0x30200073, mret)
  /* S-level CSRs work */
  TEST_CASE(46, a0, 0x77, li a1, 0x77; csrw sscratch, a1; csrr a0, sscratch)
  TEST_CASE(47, a0, 0, CLEAR_TRAP; csrr a1, sstatus; csrr a1, satp; LOAD_VAR(a0, trap_count))
  /* EBREAK from S */
  li TESTNUM, 48
  CLEAR_TRAP
  li a7, 0
  .option push
  .option norvc
1: ebreak
  .option pop
  CHECK_VAR(48, trap_cause, CAUSE_BREAKPOINT)
  la t5, 1b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail
  GOTO_M

  /* ---- U mode ---- */
  GOTO_U
  CHECK_MODE(50, 0)
  TEST_CASE(51, a0, 0, LOAD_VAR(a0, trap_mstatus); li a1, MSTATUS_MPP; and a0, a0, a1)
  TEST_TRAP(52, CAUSE_ILLEGAL, 0x10002573, csrr a0, sstatus)
  TEST_TRAP(53, CAUSE_ILLEGAL, 0x10200073, sret)
  TEST_TRAP(54, CAUSE_ILLEGAL, 0x30200073, mret)
  TEST_TRAP(55, CAUSE_ILLEGAL, 0x10500073, wfi)
  TEST_TRAP(56, CAUSE_ILLEGAL, 0x12000073, sfence.vma)
  TEST_TRAP(57, CAUSE_ILLEGAL, 0x14002573, csrr a0, sscratch)
  GOTO_M

  /* ---- counter enables ---- */
  csrw mcounteren, zero
  csrw scounteren, zero
  GOTO_S
  TEST_TRAP(60, CAUSE_ILLEGAL, 0xc0002573, rdcycle a0)
  TEST_TRAP(61, CAUSE_ILLEGAL, 0xc0102573, rdtime a0)
  TEST_TRAP(62, CAUSE_ILLEGAL, 0xc0202573, rdinstret a0)
  GOTO_M
  li a1, 7
  csrw mcounteren, a1
  GOTO_S
  TEST_CASE(63, a0, 0, CLEAR_TRAP; rdcycle a1; rdtime a1; rdinstret a1; LOAD_VAR(a0, trap_count))
  GOTO_M
  GOTO_U
  TEST_TRAP(64, CAUSE_ILLEGAL, 0xc0002573, rdcycle a0)
  GOTO_M
  li a1, 5
  csrw scounteren, a1           /* cycle and instret only */
  GOTO_U
  TEST_CASE(65, a0, 0, CLEAR_TRAP; rdcycle a1; rdinstret a1; LOAD_VAR(a0, trap_count))
  TEST_TRAP(66, CAUSE_ILLEGAL, 0xc0102573, rdtime a0)
  GOTO_M
  csrw mcounteren, zero
  csrw scounteren, zero

  /* ---- TVM / TSR / TW from S ---- */
  li a1, MSTATUS_TVM
  csrs mstatus, a1
  GOTO_S
  TEST_TRAP(70, CAUSE_ILLEGAL, 0x18002573, csrr a0, satp)
  TEST_TRAP(71, CAUSE_ILLEGAL, 0x12000073, sfence.vma)
  GOTO_M
  li a1, MSTATUS_TVM
  csrc mstatus, a1
  GOTO_S
  TEST_CASE(72, a0, 0, CLEAR_TRAP; csrr a1, satp; sfence.vma; LOAD_VAR(a0, trap_count))
  GOTO_M
  li a1, MSTATUS_TSR | MSTATUS_TW
  csrs mstatus, a1
  GOTO_S
  TEST_TRAP(73, CAUSE_ILLEGAL, 0x10200073, sret)
  TEST_TRAP(74, CAUSE_ILLEGAL, 0x10500073, wfi)
  GOTO_M
  li a1, MSTATUS_TSR | MSTATUS_TW
  csrc mstatus, a1

  /* ---- SRET from S: SIE <- SPIE, SPIE <- 1, SPP <- U, mode <- SPP ---- */
  GOTO_S
  li a1, MSTATUS_SPP | MSTATUS_SIE
  csrc sstatus, a1
  li a1, MSTATUS_SPIE
  csrs sstatus, a1
  la a1, 1f
  csrw sepc, a1
  sret
  j fail
1:
  CHECK_MODE(80, 0)         /* now in U */
  GOTO_M
  TEST_CASE(81, a0, MSTATUS_SIE | MSTATUS_SPIE,
    csrr a0, mstatus; li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP; and a0, a0, a1)
  li a1, MSTATUS_SIE
  csrc mstatus, a1
  /* SRET to S (SPP = 1), executed from M */
  TEST_CASE(82, a0, MSTATUS_SIE | MSTATUS_SPIE,
    li a1, MSTATUS_SPP; csrs mstatus, a1; la a1, 1f; csrw sepc, a1; sret; j fail;
    1: GOTO_M; csrr a0, mstatus; li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP; and a0, a0, a1)
  li a1, MSTATUS_SIE
  csrc mstatus, a1

  /* ---- delegation to S ---- */
  li a1, (1 << CAUSE_ILLEGAL) | (1 << CAUSE_ECALL_U) | (1 << CAUSE_LOAD_ACCESS)
  csrw medeleg, a1
  GOTO_U
  /* ECALL from U goes to the S handler */
  li TESTNUM, 90
  CLEAR_TRAP
1: ecall
  CHECK_VAR(90, trap_count, 0)
  CHECK_VAR(90, s_trap_count, 1)
  CHECK_VAR(90, s_trap_cause, CAUSE_ECALL_U)
  CHECK_VAR(90, s_trap_tval, 0)
  la t5, 1b; LOAD_VAR(t6, s_trap_epc); bne t5, t6, fail
  /* sstatus at S trap entry from U: SPP = 0, SPIE = old SIE (0) */
  TEST_CASE(91, a0, 0, LOAD_VAR(a0, s_trap_sstatus); li a1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE; and a0, a0, a1)
  /* illegal instruction from U, delegated */
  li TESTNUM, 92
  CLEAR_TRAP
1: .word ILLEGAL_INSN
  CHECK_VAR(92, trap_count, 0)
  CHECK_VAR(92, s_trap_cause, CAUSE_ILLEGAL)
  CHECK_VAR(92, s_trap_tval, ILLEGAL_INSN)
  la t5, 1b; LOAD_VAR(t6, s_trap_epc); bne t5, t6, fail
  /* load access fault from U, delegated, stval = address */
  li TESTNUM, 93
  CLEAR_TRAP
  li a1, 0
1: ld a0, 16(a1)
  CHECK_VAR(93, trap_count, 0)
  CHECK_VAR(93, s_trap_cause, CAUSE_LOAD_ACCESS)
  CHECK_VAR(93, s_trap_tval, 16)
  /* not delegated (store access fault) still goes to M */
  li a1, 0
  TEST_TRAP(94, CAUSE_STORE_ACCESS, 0, sd a1, 0(a1))
  CHECK_VAR(94, s_trap_count, 0)
  GOTO_M
  /* from S: a delegated exception goes to S with SPP = 1 */
  GOTO_S
  li TESTNUM, 95
  CLEAR_TRAP
1: .word ILLEGAL_INSN
  CHECK_VAR(95, trap_count, 0)
  CHECK_VAR(95, s_trap_cause, CAUSE_ILLEGAL)
  TEST_CASE(96, a0, MSTATUS_SPP, LOAD_VAR(a0, s_trap_sstatus); li a1, MSTATUS_SPP; and a0, a0, a1)
  /* ECALL from S is not delegated (medeleg bit 9 clear) */
  TEST_TRAP(97, CAUSE_ECALL_S, 0, ecall)
  CHECK_VAR(97, s_trap_count, 0)
  GOTO_M
  /* from M: delegation does not apply */
  TEST_TRAP(98, CAUSE_ILLEGAL, ILLEGAL_INSN, .word ILLEGAL_INSN)
  CHECK_VAR(98, s_trap_count, 0)
  csrw medeleg, zero

  /* ---- MRET without a trap: MPIE was 1, so MIE becomes 1 ---- */
  TEST_CASE(100, a0, MSTATUS_MIE, li a1, MSTATUS_MPIE; csrs mstatus, a1; GOTO_S; GOTO_M;
    csrr a0, mstatus; andi a0, a0, MSTATUS_MIE)
  TEST_CASE(101, a0, 0, csrr a0, mstatus; andi a0, a0, MSTATUS_SIE)

  RVTEST_PASS
RVTEST_END
