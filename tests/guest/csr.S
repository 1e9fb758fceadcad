/* tests/guest/csr.S - Zicsr instructions and the WARL behaviour of the
** machine CSRs.  Checks where QEMU 7.2 (the oracle) differs from the
** vmrun specification are under VMRUN_ONLY:
**   - QEMU implements more (F, D, H...): misa, medeleg, mideleg, mie and
**     mstatus have extra writable bits there, so default builds check only
**     the IMACSU bits;
**   - QEMU accepts mstatus.MPP = 2, pmpcfg R=0/W=1, satp Sv57, keeps mepc
**     bit 0 and all 32 mcounteren bits, reports nonzero marchid/mimpid;
**     vmrun does not (priv spec WARL rules / satp Bare, Sv39, Sv48 only).
**   - fflags/frm/fcsr are checked with mstatus.FS = Off (illegal); F and D
**     themselves are tested by fp*.S. */
#include "rvtest.h"

#define MISA_IMACSU ((1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20))

RVTEST_BEGIN

  /* ---- CSR instruction semantics (on mscratch) ---- */
  TEST_CASE(1, a0, 0x1234, li a1, 0x1234; csrw mscratch, a1; csrr a0, mscratch)
  TEST_CASE(2, a0, 0x1234, li a1, 0xff00; csrrw a0, mscratch, a1)
  TEST_CASE(3, a0, 0xff00, csrr a0, mscratch)
  TEST_CASE(4, a0, 0xff00, li a1, 0x00ff; csrrs a0, mscratch, a1)
  TEST_CASE(5, a0, 0xffff, csrr a0, mscratch)
  TEST_CASE(6, a0, 0xffff, li a1, 0x0ff0; csrrc a0, mscratch, a1)
  TEST_CASE(7, a0, 0xf00f, csrr a0, mscratch)
  TEST_CASE(8, a0, 0xf00f, csrrwi a0, mscratch, 31)
  TEST_CASE(9, a0, 31, csrrsi a0, mscratch, 0)      /* no write */
  TEST_CASE(10, a0, 31, csrrci a0, mscratch, 5)
  TEST_CASE(11, a0, 26, csrrsi a0, mscratch, 1)
  TEST_CASE(12, a0, 27, csrr a0, mscratch)
  /* rd == rs1: the old value goes to rd, the write uses the old rs1 */
  TEST_CASE(13, a0, 27, li a0, 0x55; csrrw a0, mscratch, a0)
  TEST_CASE(14, a0, 0x55, csrr a0, mscratch)
  TEST_CASE(15, a0, 0x5a5a, li a1, 0x5a5a; csrw sscratch, a1; csrr a0, sscratch)
  TEST_CASE(16, a0, -1, li a1, -1; csrw mscratch, a1; csrr a0, mscratch)

  /* ---- misa: RV64 with I M A C S U; writes are ignored ---- */
  TEST_CASE(20, a0, 2, csrr a0, misa; srli a0, a0, 62)
  TEST_CASE(21, a0, MISA_IMACSU, csrr a0, misa; li a1, MISA_IMACSU; and a0, a0, a1)
  TEST_CASE(22, a0, 0, csrr a1, misa; csrw misa, zero; csrr a2, misa; sub a0, a1, a2)
  TEST_CASE(23, a0, 0, csrr a1, misa; li a3, (1 << 2); csrc misa, a3; csrr a2, misa; sub a0, a1, a2)
#ifdef VMRUN_ONLY
  TEST_CASE(24, a0, 0x8000000000000000 | MISA_IMACSU | (1 << 3) | (1 << 5), csrr a0, misa) /* + D, F */
#endif

  /* ---- identification ---- */
  TEST_CASE(30, a0, 0, csrr a0, mhartid)
  TEST_CASE(31, a0, 0, csrr a0, mvendorid)
#ifdef VMRUN_ONLY
  TEST_CASE(32, a0, 0, csrr a0, marchid; csrr a1, mimpid; or a0, a0, a1)
#endif

  /* ---- mtvec: MODE 0 and 1 accepted, 2 and 3 keep the old value ---- */
  la s0, rvtest_m_handler
  TEST_CASE(40, a0, 0x80001000, li a1, 0x80001000; csrw mtvec, a1; csrr a0, mtvec)
  TEST_CASE(41, a0, 0x80001001, li a1, 0x80001001; csrw mtvec, a1; csrr a0, mtvec)
  TEST_CASE(42, a0, 0x80001001, li a1, 0x80002002; csrw mtvec, a1; csrr a0, mtvec)
  TEST_CASE(43, a0, 0x80001001, li a1, 0x80002003; csrw mtvec, a1; csrr a0, mtvec)
  csrw mtvec, s0
  TEST_CASE(44, a0, 0x80001000, li a1, 0x80001000; csrw stvec, a1; csrr a0, stvec)
  TEST_CASE(45, a0, 0x80001001, li a1, 0x80001001; csrw stvec, a1; csrr a0, stvec)
  TEST_CASE(46, a0, 0x80001001, li a1, 0x80002002; csrw stvec, a1; csrr a0, stvec)
  la a1, rvtest_s_handler
  csrw stvec, a1

  /* ---- mstatus ---- */
  /* UXL = SXL = 2 (64-bit), read-only */
  TEST_CASE(50, a0, 0xa, csrr a0, mstatus; srli a0, a0, 32; andi a0, a0, 0xf)
  TEST_CASE(51, a0, 0xa, li a1, 0xf00000000; csrc mstatus, a1; csrr a0, mstatus; srli a0, a0, 32; andi a0, a0, 0xf)
  /* MPP: 0, 1, 3 are kept */
  TEST_CASE(52, a0, 0x1800, li a1, MSTATUS_MPP; csrs mstatus, a1; csrr a0, mstatus; and a0, a0, a1)
  TEST_CASE(53, a0, 0x0800, li a1, MSTATUS_MPP; csrc mstatus, a1; li a2, 0x800; csrs mstatus, a2; csrr a0, mstatus; and a0, a0, a1)
  TEST_CASE(54, a0, 0, li a1, MSTATUS_MPP; csrc mstatus, a1; csrr a0, mstatus; and a0, a0, a1)
#ifdef VMRUN_ONLY
  /* MPP = 2 is reserved: the field keeps its old value (1 here) */
  TEST_CASE(55, a0, 0x0800, li a1, MSTATUS_MPP; li a2, 0x800; csrs mstatus, a2;
    csrr a3, mstatus; li a4, ~MSTATUS_MPP; and a3, a3, a4; li a2, 0x1000; or a3, a3, a2;
    csrw mstatus, a3; csrr a0, mstatus; and a0, a0, a1)
  TEST_CASE(56, a0, 0x8000000a007e79aa,
    csrr s1, mstatus; li a1, -1; csrw mstatus, a1; csrr a0, mstatus; csrw mstatus, s1)
#endif
  /* FS is writable even without F, and SD reflects FS == 3 */
  TEST_CASE(57, a0, 0x8000000000006000,
    li a1, MSTATUS_FS; csrs mstatus, a1; csrr a0, mstatus; li a2, 0x8000000000006000; and a0, a0, a2)
  TEST_CASE(58, a0, 0x0000000000002000,
    li a1, MSTATUS_FS; csrc mstatus, a1; li a1, 0x2000; csrs mstatus, a1;
    csrr a0, mstatus; li a2, 0x8000000000006000; and a0, a0, a2)
  li a1, MSTATUS_FS
  csrc mstatus, a1
  /* other writable fields */
  TEST_CASE(59, a0, 0x7e0122,
    li a1, 0x7e0122; csrs mstatus, a1; csrr a0, mstatus; and a0, a0, a1; csrc mstatus, a1)

  /* ---- sstatus is a view of mstatus ---- */
  TEST_CASE(60, a0, MSTATUS_SIE, li a1, MSTATUS_SIE; csrs sstatus, a1; csrr a0, mstatus; and a0, a0, a1)
  TEST_CASE(61, a0, 0, li a1, MSTATUS_SIE; csrc mstatus, a1; csrr a0, sstatus; and a0, a0, a1)
  /* M-only fields are invisible and not writable through sstatus */
  TEST_CASE(62, a0, 0, li a1, MSTATUS_MIE | MSTATUS_MPP | MSTATUS_TVM; csrs mstatus, a1;
    csrr a0, sstatus; and a0, a0, a1)
  TEST_CASE(63, a0, MSTATUS_MPP | MSTATUS_TVM, li a1, MSTATUS_MPP | MSTATUS_TVM; csrc sstatus, a1;
    csrr a0, mstatus; and a0, a0, a1)
  li a1, MSTATUS_MIE | MSTATUS_MPP | MSTATUS_TVM
  csrc mstatus, a1
  TEST_CASE(64, a0, 2, csrr a0, sstatus; srli a0, a0, 32; andi a0, a0, 3)   /* UXL */
  TEST_CASE(65, a0, 0xc0122,
    li a1, 0xc0122; csrs sstatus, a1; csrr a0, sstatus; and a0, a0, a1; csrc sstatus, a1)

  /* ---- medeleg / mideleg / mie / mip ---- */
  TEST_CASE(70, a0, 0xb3ff, li a1, -1; csrw medeleg, a1; csrr a0, medeleg; li a2, 0xb3ff; and a0, a0, a2)
  TEST_CASE(71, a0, 0x222, li a1, -1; csrw mideleg, a1; csrr a0, mideleg; li a2, 0xaaa; and a0, a0, a2)
  TEST_CASE(72, a0, 0xaaa, li a1, -1; csrw mie, a1; csrr a0, mie; li a2, 0xaaa; and a0, a0, a2)
  /* sie shows the delegated bits of mie */
  TEST_CASE(73, a0, 0x222, csrr a0, sie; andi a0, a0, 0x222)
#ifdef VMRUN_ONLY
  TEST_CASE(74, a0, 0xb3ff, csrr a0, medeleg)   /* bit 11 (ecall from M) is 0 */
  TEST_CASE(75, a0, 0x222, csrr a0, mideleg)
  TEST_CASE(76, a0, 0xaaa, csrr a0, mie)
#endif
  csrw mie, zero
  TEST_CASE(77, a0, 0, csrr a0, sie)
  TEST_CASE(78, a0, 0x20, li a1, 0x20; csrs sie, a1; csrr a0, mie)
  csrw mie, zero
  /* mip: SSIP STIP SEIP writable by M, MSIP not */
  TEST_CASE(79, a0, 0x222, li a1, 0x22a; csrs mip, a1; csrr a0, mip; li a2, 0x22a; and a0, a0, a2)
  TEST_CASE(80, a0, 0x2, csrr a0, sip; andi a0, a0, 0x2)
  TEST_CASE(81, a0, 0, li a1, 0x2; csrc sip, a1; csrr a0, mip; andi a0, a0, 0x2)
  csrw mip, zero
  /* sip/sie bits of interrupts that are not delegated read as zero */
  csrw mideleg, zero
  TEST_CASE(82, a0, 0, li a1, 0x2; csrs mip, a1; csrr a0, sip)
  TEST_CASE(83, a0, 0, li a1, 0x2; csrs sip, a1; csrc mip, a1; csrr a0, mip; andi a0, a0, 2)
  csrw mip, zero
  csrw medeleg, zero

  /* ---- mepc / sepc / mcause / mtval ---- */
  TEST_CASE(90, a0, 0x80001234, li a1, 0x80001234; csrw mepc, a1; csrr a0, mepc)
  TEST_CASE(91, a0, 0x80001234, li a1, 0x80001234; csrw sepc, a1; csrr a0, sepc)
#ifdef VMRUN_ONLY
  TEST_CASE(92, a0, 0x80001234, li a1, 0x80001235; csrw mepc, a1; csrr a0, mepc)
  TEST_CASE(93, a0, 0x80001234, li a1, 0x80001235; csrw sepc, a1; csrr a0, sepc)
#endif
  TEST_CASE(94, a0, 0x8000000000000005, li a1, 0x8000000000000005; csrw mcause, a1; csrr a0, mcause)
  TEST_CASE(95, a0, 0xdead, li a1, 0xdead; csrw mtval, a1; csrr a0, mtval)
  TEST_CASE(96, a0, 0xbeef, li a1, 0xbeef; csrw stval, a1; csrr a0, stval)
  TEST_CASE(97, a0, 9, li a1, 9; csrw scause, a1; csrr a0, scause)

  /* ---- satp: Bare, Sv39, Sv48 accepted (paging: vm.S) ---- */
  TEST_CASE(100, a0, 0, csrw satp, zero; csrr a0, satp)
  /* a reserved MODE is ignored entirely */
  TEST_CASE(101, a0, 0, li a1, 0x1000000000080000; csrw satp, a1; csrr a0, satp)
  TEST_CASE(102, a0, 0x8000000000080000, li a1, 0x8000000000080000; csrw satp, a1; csrr a0, satp)
  TEST_CASE(103, a0, 0x9000000000080000, li a1, 0x9000000000080000; csrw satp, a1; csrr a0, satp)
#ifdef VMRUN_ONLY
  /* Sv57 is not implemented: the write is ignored */
  TEST_CASE(104, a0, 0x9000000000080000, li a1, 0xa000000000080000; csrw satp, a1; csrr a0, satp)
#endif
  TEST_CASE(105, a0, 0, csrw satp, zero; sfence.vma; csrr a0, satp)

  /* ---- PMP (stored, WARL) ---- */
  /* entry 0 stays the all-memory RWX NAPOT region set up at reset */
  TEST_CASE(110, a0, 0x1f, csrr a0, pmpcfg0; andi a0, a0, 0xff)
  TEST_CASE(111, a0, 0x123400, li a1, 0x123400; csrw pmpaddr1, a1; csrr a0, pmpaddr1)
  /* pmpaddr holds 54 bits (G = 0) */
  TEST_CASE(112, a0, 0x003fffffffffffff, li a1, -1; csrw pmpaddr2, a1; csrr a0, pmpaddr2; slli a0, a0, 10; srli a0, a0, 10)
#ifdef VMRUN_ONLY
  /* QEMU 7.2 keeps all 64 bits */
  TEST_CASE(1120, a0, 0x003fffffffffffff, csrr a0, pmpaddr2)
#endif
  TEST_CASE(113, a0, 0x0d1f, li a1, 0x0d1f; csrw pmpcfg0, a1; csrr a0, pmpcfg0)  /* TOR R X */
#ifdef VMRUN_ONLY
  /* R = 0, W = 1 is reserved: the byte keeps its old value */
  TEST_CASE(114, a0, 0x0d1f, li a1, 0x021f; csrw pmpcfg0, a1; csrr a0, pmpcfg0)
  TEST_CASE(115, a0, 0x0f000d1f, li a1, 0x0f06021f; csrw pmpcfg0, a1; csrr a0, pmpcfg0)
#endif
  /* a locked entry (L, A = OFF) ignores writes to its cfg and address */
  TEST_CASE(116, a0, 0x80, li a1, 0x1f | (0x80 << 56); csrw pmpcfg0, a1;
    csrr a0, pmpcfg0; srli a0, a0, 56)
  TEST_CASE(117, a0, 0x80, li a1, 0x1f | (0x07 << 56); csrw pmpcfg0, a1;
    csrr a0, pmpcfg0; srli a0, a0, 56)
  TEST_CASE(118, a0, 0, li a1, 0x1000; csrw pmpaddr7, a1; csrr a0, pmpaddr7)
  TEST_CASE(119, a0, 0x1000, li a1, 0x1000; csrw pmpaddr6, a1; csrr a0, pmpaddr6)
  TEST_CASE(120, a0, 0x0f, li a1, 0x0f; csrw pmpcfg2, a1; csrr a0, pmpcfg2)
  csrw pmpcfg2, zero

  /* ---- counters ---- */
  TEST_CASE(130, a0, 1, rdinstret a1; nop; nop; rdinstret a2; sltu a0, a1, a2)
  TEST_CASE(131, a0, 1, rdcycle a1; nop; nop; rdcycle a2; sltu a0, a1, a2)
  TEST_CASE(132, a0, 1, csrr a1, minstret; nop; csrr a2, minstret; sltu a0, a1, a2)
  /* minstret is writable */
  TEST_CASE(133, a0, 1, li a1, 1000000; csrw minstret, a1; csrr a2, minstret; sltu a0, a2, a1; xori a0, a0, 1)
#ifdef VMRUN_ONLY
  /* and counts retired instructions exactly (QEMU 7.2 without -icount
  ** counts host ticks) */
  TEST_CASE(1330, a0, 2, li a1, 1000000; csrw minstret, a1; nop; nop; csrr a2, minstret; sub a0, a2, a1)
#endif
  TEST_CASE(134, a0, 1, li a1, 7; csrw mcounteren, a1; csrr a0, mcounteren; andi a0, a0, 7; sltiu a0, a0, 8)
  TEST_CASE(135, a0, 7, csrr a0, mcounteren; andi a0, a0, 7)
  /* time advances (10 MHz timebase on both) */
  TEST_CASE(136, a0, 1, rdtime a1; li a3, 200000; 1: addi a3, a3, -1; bnez a3, 1b; rdtime a2; sltu a0, a1, a2)

  /* ---- illegal CSR accesses (mtval = the instruction) ---- */
  /* pmpcfg1 does not exist on RV64 */
  TEST_TRAP(140, CAUSE_ILLEGAL, 0x3a102573, csrr a0, pmpcfg1)
  /* write to a read-only CSR */
  TEST_TRAP(141, CAUSE_ILLEGAL, 0xf1459073, csrw mhartid, a1)
  TEST_TRAP(142, CAUSE_ILLEGAL, 0xc0059073, csrw cycle, a1)
  /* csrrs with rs1 = x0 on a read-only CSR is a plain read: fine */
  TEST_CASE(143, a0, 0, CLEAR_TRAP; csrrs a1, mhartid, x0; csrrc a1, cycle, x0; LOAD_VAR(a0, trap_count))
  /* CSRs of unimplemented features (priv 1.11/1.12, hypervisor) */
  TEST_TRAP(145, CAUSE_ILLEGAL, 0x7b0025f3, csrr a1, 0x7b0)   /* dcsr (debug mode only) */
#ifdef VMRUN_ONLY
  TEST_TRAP(144, CAUSE_ILLEGAL, 0x600025f3, csrr a1, 0x600)   /* hstatus */
  TEST_TRAP(146, CAUSE_ILLEGAL, 0x003025f3, csrr a1, fcsr)
  TEST_TRAP(147, CAUSE_ILLEGAL, 0x001025f3, csrr a1, fflags)
  TEST_TRAP(148, CAUSE_ILLEGAL, 0x002025f3, csrr a1, frm)
  TEST_TRAP(149, CAUSE_ILLEGAL, 0x320025f3, csrr a1, 0x320)   /* mcountinhibit */
  TEST_TRAP(150, CAUSE_ILLEGAL, 0x30a025f3, csrr a1, 0x30a)   /* menvcfg */
  TEST_TRAP(151, CAUSE_ILLEGAL, 0xb0302573, csrr a0, 0xb03)   /* mhpmcounter3 */
#endif
  /* the faulting CSR instruction has no effect on rd */
  TEST_CASE(152, a0, 0x77, li a0, 0x77; csrr a0, pmpcfg1)

  RVTEST_PASS
RVTEST_END
