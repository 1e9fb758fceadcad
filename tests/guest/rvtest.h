/*
** tests/guest/rvtest.h - shared macros for the bare-metal RISC-V guest
** tests (GNU as syntax, preprocessed: build with riscv64-unknown-elf-gcc
** -nostdlib -march=rv64imac_zicsr_zifencei -mabi=lp64 -Ttext=0x80000000).
**
** Reporting: SiFive test finisher at physical 0x100000 (as on QEMU virt):
** a 32-bit write of 0x5555 = pass, ((test_number << 16) | 0x3333) = fail.
**
** Register conventions inside tests:
**   TESTNUM (s11)  number of the current test case (reported on failure)
**   t6             expected value in TEST_CASE
**   a6, a7         used by GOTO_M (privilege switch back to M)
**   tp             holds the scratch area address for the trap handlers
** Test code may use the other registers freely.  gp is never used (no
** linker relaxation either: .option norelax).
**
** Trap handlers: the M-mode handler (mtvec, direct) records mcause, mepc,
** mtval and mstatus in trap_cause/trap_epc/trap_tval/trap_mstatus, counts
** traps in trap_count, and resumes at the instruction after the trapping
** one (mepc += its length), or at trap_redirect if that is nonzero
** (cleared on use).  Interrupts: it records them, clears mie and returns to
** mepc.  An `ebreak` executed with a7 == GOTO_M_MAGIC is a privilege
** switch request: the handler returns to a6 in M mode without recording.
** The S-mode handler (stvec) does the same with scause/sepc/stval into
** s_trap_* and sret (for interrupts: clears sie, returns to sepc).
**
** PMP: the start-up code opens one NAPOT entry over the whole address
** space with RWX so S and U modes can access memory on implementations
** with PMP (QEMU).  vmrun does not enforce PMP yet.
*/
#ifndef RVTEST_H
#define RVTEST_H

#define FINISHER_BASE  0x100000
#define PASS_CODE      0x5555
#define FAIL_CODE      0x3333
#define GOTO_M_MAGIC   0x4d4d4d4d

#define TESTNUM s11

#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL           2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_ECALL_U           8
#define CAUSE_ECALL_S           9
#define CAUSE_ECALL_M           11

#define MSTATUS_SIE   0x2
#define MSTATUS_MIE   0x8
#define MSTATUS_SPIE  0x20
#define MSTATUS_MPIE  0x80
#define MSTATUS_SPP   0x100
#define MSTATUS_MPP   0x1800
#define MSTATUS_FS    0x6000
#define MSTATUS_MPRV  0x20000
#define MSTATUS_TVM   0x100000
#define MSTATUS_TW    0x200000
#define MSTATUS_TSR   0x400000

/* ---- program frame ---- */

#define RVTEST_BEGIN                                                  \
  .option norelax;                                                    \
  .section .text;                                                     \
  .globl _start;                                                      \
_start:                                                               \
  j rvtest_reset;                                                     \
  .balign 4;                                                          \
rvtest_reset:                                                         \
  la t0, rvtest_m_handler;                                            \
  csrw mtvec, t0;                                                     \
  la t0, rvtest_s_handler;                                            \
  csrw stvec, t0;                                                     \
  li t0, -1;                                                          \
  csrw pmpaddr0, t0;                                                  \
  li t0, 0x1f;                                                        \
  csrw pmpcfg0, t0;                                                   \
  csrw medeleg, zero;                                                 \
  csrw mideleg, zero;                                                 \
  csrw mie, zero;                                                     \
  csrw satp, zero;                                                    \
  la sp, rvtest_stack_top;                                            \
  la tp, rvtest_scratch;                                              \
  li TESTNUM, 0;                                                      \
  j rvtest_body;                                                      \
RVTEST_HANDLERS;                                                      \
rvtest_body:

#define RVTEST_END                                                    \
rvtest_pass:                                                          \
  li t0, 0x600d;  /* reached through RVTEST_PASS only */              \
  bne a5, t0, fail;                                                   \
  li t0, FINISHER_BASE;                                               \
  li t1, PASS_CODE;                                                   \
  sw t1, 0(t0);                                                       \
1: j 1b;                                                              \
fail:                                                                 \
  li t0, FINISHER_BASE;                                               \
  slli t1, TESTNUM, 16;                                               \
  li t2, FAIL_CODE;                                                   \
  or t1, t1, t2;                                                      \
  sw t1, 0(t0);                                                       \
1: j 1b;                                                              \
  RVTEST_DATA

#define RVTEST_PASS li a5, 0x600d; j rvtest_pass

/* ---- trap handlers ---- */

/* t0 <- length of the instruction at address t1 (2 or 4); clobbers t2 */
#define INSN_LEN_T0_AT_T1                                             \
  lhu t2, 0(t1);                                                      \
  andi t2, t2, 3;                                                     \
  addi t2, t2, -3;                                                    \
  li t0, 4;                                                           \
  beqz t2, 8f;                                                        \
  li t0, 2;                                                           \
8:

#define RVTEST_HANDLERS                                               \
  .balign 256;                                                        \
rvtest_m_handler:                                                     \
  sd t0, 0(tp);                                                       \
  sd t1, 8(tp);                                                       \
  sd t2, 16(tp);                                                      \
  csrr t0, mcause;                                                    \
  bltz t0, rvtest_m_irq;                                              \
  li t1, CAUSE_BREAKPOINT;                                            \
  bne t0, t1, 2f;                                                     \
  li t1, GOTO_M_MAGIC;                                                \
  bne a7, t1, 2f;                                                     \
  /* privilege switch request: return to a6 in M mode */              \
  li a7, 0;                                                           \
  csrw mepc, a6;                                                      \
  li t0, MSTATUS_MPP;                                                 \
  csrs mstatus, t0;                                                   \
  j 5f;                                                               \
2:                                                                    \
  la t1, trap_cause;                                                  \
  sd t0, 0(t1);                                                       \
  csrr t0, mepc;                                                      \
  la t1, trap_epc;                                                    \
  sd t0, 0(t1);                                                       \
  csrr t0, mtval;                                                     \
  la t1, trap_tval;                                                   \
  sd t0, 0(t1);                                                       \
  csrr t0, mstatus;                                                   \
  la t1, trap_mstatus;                                                \
  sd t0, 0(t1);                                                       \
  la t1, trap_count;                                                  \
  ld t0, 0(t1);                                                       \
  addi t0, t0, 1;                                                     \
  sd t0, 0(t1);                                                       \
  la t1, trap_redirect;                                               \
  ld t0, 0(t1);                                                       \
  beqz t0, 3f;                                                        \
  sd zero, 0(t1);                                                     \
  csrw mepc, t0;                                                      \
  j 5f;                                                               \
3:                                                                    \
  csrr t1, mepc;                                                      \
  INSN_LEN_T0_AT_T1;                                                  \
  add t1, t1, t0;                                                     \
  csrw mepc, t1;                                                      \
5:                                                                    \
  ld t0, 0(tp);                                                       \
  ld t1, 8(tp);                                                       \
  ld t2, 16(tp);                                                      \
  mret;                                                               \
rvtest_m_irq:                                                         \
  la t1, trap_cause;                                                  \
  sd t0, 0(t1);                                                       \
  csrr t0, mstatus;                                                   \
  la t1, trap_mstatus;                                                \
  sd t0, 0(t1);                                                       \
  csrr t0, mepc;                                                      \
  la t1, trap_epc;                                                    \
  sd t0, 0(t1);                                                       \
  la t1, trap_count;                                                  \
  ld t0, 0(t1);                                                       \
  addi t0, t0, 1;                                                     \
  sd t0, 0(t1);                                                       \
  csrw mie, zero;                                                     \
  /* if the interrupt arrived just before a WFI, skip the WFI */      \
  csrr t1, mepc;                                                      \
  lwu t0, 0(t1);                                                      \
  li t2, 0x10500073;                                                  \
  bne t0, t2, 5b;                                                     \
  addi t1, t1, 4;                                                     \
  csrw mepc, t1;                                                      \
  j 5b;                                                               \
  .balign 256;                                                        \
rvtest_s_handler:                                                     \
  sd t0, 24(tp);                                                      \
  sd t1, 32(tp);                                                      \
  sd t2, 40(tp);                                                      \
  csrr t0, scause;                                                    \
  la t1, s_trap_cause;                                                \
  sd t0, 0(t1);                                                       \
  bgez t0, 4f;                                                        \
  /* interrupt: record, disable, return to the same pc */             \
  csrw sie, zero;                                                     \
  csrr t0, sepc;                                                      \
  la t1, s_trap_epc;                                                  \
  sd t0, 0(t1);                                                       \
  la t1, s_trap_count;                                                \
  ld t0, 0(t1);                                                       \
  addi t0, t0, 1;                                                     \
  sd t0, 0(t1);                                                       \
  j 6f;                                                               \
4:                                                                    \
  csrr t0, sepc;                                                      \
  la t1, s_trap_epc;                                                  \
  sd t0, 0(t1);                                                       \
  csrr t0, stval;                                                     \
  la t1, s_trap_tval;                                                 \
  sd t0, 0(t1);                                                       \
  csrr t0, sstatus;                                                   \
  la t1, s_trap_sstatus;                                              \
  sd t0, 0(t1);                                                       \
  la t1, s_trap_count;                                                \
  ld t0, 0(t1);                                                       \
  addi t0, t0, 1;                                                     \
  sd t0, 0(t1);                                                       \
  csrr t1, sepc;                                                      \
  INSN_LEN_T0_AT_T1;                                                  \
  add t1, t1, t0;                                                     \
  csrw sepc, t1;                                                      \
6:                                                                    \
  ld t0, 24(tp);                                                      \
  ld t1, 32(tp);                                                      \
  ld t2, 40(tp);                                                      \
  sret

#define RVTEST_DATA                                                   \
  .section .data;                                                     \
  .balign 8;                                                          \
trap_cause:    .dword 0;                                              \
trap_epc:      .dword 0;                                              \
trap_tval:     .dword 0;                                              \
trap_mstatus:  .dword 0;                                              \
trap_count:    .dword 0;                                              \
trap_redirect: .dword 0;                                              \
s_trap_cause:  .dword 0;                                              \
s_trap_epc:    .dword 0;                                              \
s_trap_tval:   .dword 0;                                              \
s_trap_sstatus: .dword 0;                                             \
s_trap_count:  .dword 0;                                              \
rvtest_scratch: .fill 8, 8, 0;                                        \
  .balign 16;                                                         \
rvtest_stack:  .fill 512, 8, 0;                                       \
rvtest_stack_top:

/* ---- checks ---- */

/* Run `code`, then check that `reg` == `expected` (64-bit). */
#define TEST_CASE(n, reg, expected, code...)                          \
test_##n:                                                             \
  li TESTNUM, n;                                                      \
  code;                                                               \
  li t6, expected;                                                    \
  bne reg, t6, fail

/* rd = op rs1, rs2 with a0 = op(a1 = v1, a2 = v2) */
#define TEST_RR(n, inst, expected, v1, v2)                            \
  TEST_CASE(n, a0, expected, li a1, v1; li a2, v2; inst a0, a1, a2)

/* rd = op rs1, imm with a0 = op(a1 = v1, imm) */
#define TEST_RI(n, inst, expected, v1, imm)                           \
  TEST_CASE(n, a0, expected, li a1, v1; inst a0, a1, imm)

/* Load a 64-bit word from `sym` into reg */
#define LOAD_VAR(reg, sym) la reg, sym; ld reg, 0(reg)

/* Reset the M-mode trap record */
#define CLEAR_TRAP                                                    \
  la t0, trap_cause; sd zero, 0(t0);                                  \
  la t0, trap_epc; sd zero, 0(t0);                                    \
  la t0, trap_tval; sd zero, 0(t0);                                   \
  la t0, trap_count; sd zero, 0(t0);                                  \
  la t0, s_trap_cause; sd zero, 0(t0);                                \
  la t0, s_trap_count; sd zero, 0(t0)

/* Check the M-mode trap record after code that trapped exactly once */
#define CHECK_VAR(n, sym, expected)                                   \
  li TESTNUM, n; LOAD_VAR(t5, sym); li t6, expected; bne t5, t6, fail

/* Check that `code` trapped once to M with `cause`, mepc == label of
** the trapping instruction (the macro places label 7 before `code`),
** and mtval == tval. */
#define TEST_TRAP(n, cause, tval, code...)                            \
  li TESTNUM, n;                                                      \
  CLEAR_TRAP;                                                         \
7: code;                                                              \
  CHECK_VAR(n, trap_count, 1);                                        \
  CHECK_VAR(n, trap_cause, cause);                                    \
  CHECK_VAR(n, trap_tval, tval);                                      \
  la t5, 7b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail

/* Same, with tval given as an address expression (loaded with la). */
#define TEST_TRAP_LA(n, cause, tval, code...)                         \
  li TESTNUM, n;                                                      \
  CLEAR_TRAP;                                                         \
7: code;                                                              \
  CHECK_VAR(n, trap_count, 1);                                        \
  CHECK_VAR(n, trap_cause, cause);                                    \
  LOAD_VAR(t5, trap_tval); la t6, tval; bne t5, t6, fail;             \
  la t5, 7b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail

/* Same, accepting either of two causes (implementation differences). */
#define TEST_TRAP_LA2(n, cause1, cause2, tval, code...)               \
  li TESTNUM, n;                                                      \
  CLEAR_TRAP;                                                         \
7: code;                                                              \
  CHECK_VAR(n, trap_count, 1);                                        \
  LOAD_VAR(t5, trap_cause); li t6, cause1; beq t5, t6, 6f;            \
  li t6, cause2; bne t5, t6, fail;                                    \
6: LOAD_VAR(t5, trap_tval); la t6, tval; bne t5, t6, fail;            \
  la t5, 7b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail

#define TEST_TRAP2(n, cause1, cause2, tval, code...)                  \
  li TESTNUM, n;                                                      \
  CLEAR_TRAP;                                                         \
7: code;                                                              \
  CHECK_VAR(n, trap_count, 1);                                        \
  LOAD_VAR(t5, trap_cause); li t6, cause1; beq t5, t6, 6f;            \
  li t6, cause2; bne t5, t6, fail;                                    \
6: CHECK_VAR(n, trap_tval, tval);                                     \
  la t5, 7b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail

/* ---- privilege switches (from M) ---- */

/* Drop to mode `mode` (0 U, 1 S) at the next instruction. */
#define GOTO_MODE(mode)                                               \
  li t0, MSTATUS_MPP;                                                 \
  csrc mstatus, t0;                                                   \
  li t0, ((mode) << 11);                                              \
  csrs mstatus, t0;                                                   \
  la t0, 9f;                                                          \
  csrw mepc, t0;                                                      \
  mret;                                                               \
9:

#define GOTO_S GOTO_MODE(1)
#define GOTO_U GOTO_MODE(0)

/* Back to M mode from any mode (ebreak with the magic in a7). */
#define GOTO_M                                                        \
  la a6, 9f;                                                          \
  li a7, GOTO_M_MAGIC;                                                \
  ebreak;                                                             \
9:

#endif
