/* tests/guest/timer.S - interrupts: machine timer through the CLINT
** (mtimecmp at 0x2004000, mtime at 0x200bff8, as on QEMU virt), WFI
** wake-up, global enables per privilege, vectored mtvec, and software
** interrupts through mip.SSIP (to M, and delegated to S with mideleg). */
#include "rvtest.h"

#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
#define MIP_SSIP 0x2
#define MIP_MTIP 0x80
#define IRQ_M_TIMER 0x8000000000000007
#define IRQ_S_SOFT  0x8000000000000001

/* mtimecmp = mtime + delta */
#define TIMER_IN(delta)                                               \
  li t0, CLINT_MTIME; ld t1, 0(t0); li t2, delta; add t1, t1, t2;     \
  li t0, CLINT_MTIMECMP; sd t1, 0(t0)

#define TIMER_OFF                                                     \
  li t0, CLINT_MTIMECMP; li t1, -1; sd t1, 0(t0)

RVTEST_BEGIN
  TIMER_OFF
  csrw mie, zero
  csrw mip, zero
  li a1, MSTATUS_MIE | MSTATUS_MPIE
  csrc mstatus, a1

  /* ---- 1: mtimecmp = mtime + 1000, MTIE + MIE, wfi ---- */
  li TESTNUM, 1
  CLEAR_TRAP
  TIMER_IN(1000)
  li a1, MIP_MTIP
  csrs mie, a1
  csrsi mstatus, MSTATUS_MIE
  wfi
  csrci mstatus, MSTATUS_MIE
  CHECK_VAR(1, trap_count, 1)
  CHECK_VAR(1, trap_cause, IRQ_M_TIMER)
  TIMER_OFF
  /* MPIE held the old MIE (1) and the handler's mret restored it */
  TEST_CASE(2, a0, MSTATUS_MPIE, LOAD_VAR(a0, trap_mstatus); li a1, MSTATUS_MPIE | MSTATUS_MIE; and a0, a0, a1)

  /* ---- 3: WFI wakes up on a pending+enabled interrupt even with MIE=0,
  **      and the interrupt is taken as soon as MIE is set ---- */
  li TESTNUM, 3
  CLEAR_TRAP
  TIMER_IN(500)
  li a1, MIP_MTIP
  csrs mie, a1
  wfi
  CHECK_VAR(3, trap_count, 0)
  TEST_CASE(4, a0, MIP_MTIP, csrr a0, mip; andi a0, a0, MIP_MTIP)
  li TESTNUM, 5
1: csrsi mstatus, MSTATUS_MIE
2: csrci mstatus, MSTATUS_MIE
  CHECK_VAR(5, trap_count, 1)
  CHECK_VAR(5, trap_cause, IRQ_M_TIMER)
  /* taken right after the csrs that enabled it: mepc = next insn */
  la t5, 2b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail
  TIMER_OFF
  TEST_CASE(6, a0, 0, csrr a0, mip; andi a0, a0, MIP_MTIP)

  /* ---- 7: M-level interrupts are always enabled below M ---- */
  li TESTNUM, 7
  CLEAR_TRAP
  TIMER_IN(0)                  /* pending now */
  li a1, MIP_MTIP
  csrs mie, a1                 /* MIE = 0: not taken in M */
  nop
  CHECK_VAR(7, trap_count, 0)
  li a1, MSTATUS_MPIE          /* keep MIE = 0 across the mode switches */
  csrc mstatus, a1
  GOTO_S                       /* taken at once in S */
  nop
  GOTO_M
  CHECK_VAR(8, trap_count, 1)
  CHECK_VAR(8, trap_cause, IRQ_M_TIMER)
  TEST_CASE(9, a0, 0x0800, LOAD_VAR(a0, trap_mstatus); li a1, MSTATUS_MPP; and a0, a0, a1)
  TIMER_OFF

  /* ---- 10: vectored mtvec: interrupt cause 7 enters at base + 28 ---- */
  li TESTNUM, 10
  CLEAR_TRAP
  la a1, vec_table
  ori a1, a1, 1
  csrw mtvec, a1
  la a2, vec_hit
  sd zero, 0(a2)
  TIMER_IN(200)
  li a1, MIP_MTIP
  csrs mie, a1
  csrsi mstatus, MSTATUS_MIE
  wfi
  csrci mstatus, MSTATUS_MIE
  la a1, rvtest_m_handler
  csrw mtvec, a1
  CHECK_VAR(10, vec_hit, 7)
  CHECK_VAR(10, trap_cause, IRQ_M_TIMER)
  TIMER_OFF
  /* exceptions still use the base address in vectored mode */
  la a1, vec_table
  ori a1, a1, 1
  csrw mtvec, a1
  la a2, vec_hit
  sd zero, 0(a2)
  li TESTNUM, 11
  CLEAR_TRAP
  ecall
  la a1, rvtest_m_handler
  csrw mtvec, a1
  CHECK_VAR(11, vec_hit, 0x100)
  CHECK_VAR(11, trap_cause, CAUSE_ECALL_M)

  /* ---- 12: software interrupt SSIP, not delegated -> M, cause 1 ---- */
  li TESTNUM, 12
  CLEAR_TRAP
  li a1, MIP_SSIP
  csrs mie, a1
  csrs mip, a1                 /* pending, MIE = 0 */
  nop
  CHECK_VAR(12, trap_count, 0)
1: csrsi mstatus, MSTATUS_MIE
  csrci mstatus, MSTATUS_MIE
  CHECK_VAR(13, trap_count, 1)
  CHECK_VAR(13, trap_cause, IRQ_S_SOFT)
  li a1, MIP_SSIP
  csrc mip, a1

  /* ---- 14: priority: MTI before SSI (§3.1.9) ----
  ** QEMU 7.2 takes SSI first here (its AIA-style priority code), so this
  ** check is vmrun-only. */
#ifdef VMRUN_ONLY
  li TESTNUM, 14
  CLEAR_TRAP
  TIMER_IN(0)
  li a1, MIP_SSIP | MIP_MTIP
  csrs mie, a1
  li a1, MIP_SSIP
  csrs mip, a1
  csrsi mstatus, MSTATUS_MIE   /* handler clears mie: only one taken */
  csrci mstatus, MSTATUS_MIE
  CHECK_VAR(14, trap_count, 1)
  CHECK_VAR(14, trap_cause, IRQ_M_TIMER)
  TIMER_OFF
  li a1, MIP_SSIP
  csrc mip, a1

#endif

  /* ---- 15: SSIP delegated to S with mideleg ---- */
  li TESTNUM, 15
  CLEAR_TRAP
  li a1, MIP_SSIP
  csrw mideleg, a1
  li a1, MSTATUS_SIE
  csrc mstatus, a1
  GOTO_S
  li a1, MIP_SSIP
  csrs sie, a1
  csrs sip, a1                 /* pending in S, SIE = 0: not taken */
  nop
  CHECK_VAR(15, s_trap_count, 0)
1: csrsi sstatus, MSTATUS_SIE
2: csrci sstatus, MSTATUS_SIE
  CHECK_VAR(16, s_trap_count, 1)
  CHECK_VAR(16, s_trap_cause, IRQ_S_SOFT)
  CHECK_VAR(16, trap_count, 0)
  la t5, 2b; LOAD_VAR(t6, s_trap_epc); bne t5, t6, fail
  li a1, MIP_SSIP
  csrc sip, a1
  GOTO_M
  /* a delegated interrupt is not taken in M, even with MIE = 1 */
  li TESTNUM, 17
  CLEAR_TRAP
  li a1, MIP_SSIP
  csrs mie, a1
  csrs mip, a1
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_VAR(17, trap_count, 0)
  CHECK_VAR(17, s_trap_count, 0)
  li a1, MIP_SSIP
  csrc mip, a1
  csrw mie, zero
  csrw mideleg, zero

  RVTEST_PASS

  /* vector table: entry k records k in vec_hit, then jumps to the handler */
  .balign 256
vec_table:
  .option push
  .option norvc
  j vec_exc
  j vec_bad
  j vec_bad
  j vec_bad
  j vec_bad
  j vec_bad
  j vec_bad
  j vec_7
  j vec_bad
  j vec_bad
  j vec_bad
  j vec_bad
  .option pop
vec_exc:
  sd t0, 48(tp)
  li t0, 0x100
  j vec_rec
vec_7:
  sd t0, 48(tp)
  li t0, 7
vec_rec:
  sd t1, 56(tp)
  la t1, vec_hit
  sd t0, 0(t1)
  ld t0, 48(tp)
  ld t1, 56(tp)
  j rvtest_m_handler
vec_bad:
  j fail

RVTEST_END

  .section .data
  .balign 8
vec_hit: .dword 0
