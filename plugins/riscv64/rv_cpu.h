/*
** plugins/riscv64/rv_cpu.h - RISC-V 64 frontend: per-hart state, CSR
** numbers and bit fields, and the internal interfaces between the files of
** the plugin (decoder, CSRs and traps, helpers, plugin glue).
**
** References: "The RISC-V Instruction Set Manual, Volume I: Unprivileged
** ISA" (20191213) and "Volume II: Privileged Architecture" (v1.12).  We
** expose priv v1.10-level CSRs (no mcountinhibit, menvcfg, mconfigptr...):
** OpenSBI probes those and relies on the illegal-instruction trap.
*/
#ifndef RV_CPU_H
#define RV_CPU_H

#include <stddef.h>
#include <stdint.h>

#include <vmrun/vmrun.h>

/* ---- privilege modes (Privileged ISA §1.2) ---- */
#define PRV_U 0u
#define PRV_S 1u
#define PRV_M 3u
/* TLB indexes: U, S and M use their privilege number; supervisor data
** accesses with mstatus.SUM set use IDX_S_SUM (2, no privilege mode has
** that number), so toggling SUM (Linux does it around every user-memory
** access) only switches cpu->mmu_idx instead of re-installing a regime
** and emptying a TLB, as QEMU's MMUIdx_S_SUM. */
#define IDX_S_SUM 2u

/* ---- mstatus fields (Privileged ISA §3.1.6) ---- */
#define MSTATUS_SIE   (1ull << 1)
#define MSTATUS_MIE   (1ull << 3)
#define MSTATUS_SPIE  (1ull << 5)
#define MSTATUS_MPIE  (1ull << 7)
#define MSTATUS_SPP   (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP   (3ull << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS    (3ull << 13)
#define MSTATUS_MPRV  (1ull << 17)
#define MSTATUS_SUM   (1ull << 18)
#define MSTATUS_MXR   (1ull << 19)
#define MSTATUS_TVM   (1ull << 20)
#define MSTATUS_TW    (1ull << 21)
#define MSTATUS_TSR   (1ull << 22)
#define MSTATUS_UXL   (3ull << 32)
#define MSTATUS_SXL   (3ull << 34)
#define MSTATUS_SD    (1ull << 63)
#define MSTATUS_XL64  ((2ull << 32) | (2ull << 34)) /* UXL = SXL = 64 */

#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE |           \
                       MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |           \
                       MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM |            \
                       MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
/* sstatus is a restricted view of mstatus (§4.1.1) */
#define SSTATUS_MASK  (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP |           \
                       MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR |             \
                       MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WMASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP |           \
                       MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

/* ---- interrupts: mip/mie bits (§3.1.9) ---- */
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)
#define S_INTS   (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define M_INTS   (MIP_MSIP | MIP_MTIP | MIP_MEIP)
#define ALL_INTS (S_INTS | M_INTS)

/* ---- exception causes (§3.1.15, Table 3.6) ---- */
#define EXC_INSN_MISALIGNED   0
#define EXC_INSN_ACCESS       1
#define EXC_ILLEGAL_INSN      2
#define EXC_BREAKPOINT        3
#define EXC_LOAD_MISALIGNED   4
#define EXC_LOAD_ACCESS       5
#define EXC_STORE_MISALIGNED  6
#define EXC_STORE_ACCESS      7
#define EXC_ECALL_U           8
#define EXC_ECALL_S           9
#define EXC_ECALL_M           11
#define EXC_INSN_PAGE_FAULT   12
#define EXC_LOAD_PAGE_FAULT   13
#define EXC_STORE_PAGE_FAULT  15
#define CAUSE_INTERRUPT       (1ull << 63)

/* Exceptions medeleg may delegate: all of 0..15 that exist, except
** ECALL from M (medeleg[11] is read-only zero, §3.1.8). */
#define MEDELEG_MASK ((1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 3) | \
                      (1ull << 4) | (1ull << 5) | (1ull << 6) | (1ull << 7) | \
                      (1ull << 8) | (1ull << 9) | (1ull << 12) |             \
                      (1ull << 13) | (1ull << 15))

/* ---- misa (§3.1.1): RV64 "IMAFDCSU" ---- */
#define MISA_EXT(c) (1ull << ((c) - 'A'))
#define MISA_VALUE  ((2ull << 62) | MISA_EXT('I') | MISA_EXT('M') |         \
                     MISA_EXT('A') | MISA_EXT('C') | MISA_EXT('S') |        \
                     MISA_EXT('U') | MISA_EXT('F') | MISA_EXT('D'))

/* tb_flags (the key blocks are translated for, rv_tb_flags()):
**   bits 1:0    privilege;
**   RV_TBF_FS_OFF    mstatus.FS == Off: every F/D instruction traps;
**   RV_TBF_FS_DIRTY  mstatus.FS == Dirty: F/D writes need not set it;
**   bits 12:10  frm: the rounding mode an F/D instruction with rm = DYN
**               uses, resolved at translation time (frm 5..7: illegal);
**   RV_TBF_DATA_PHYS data accesses are untranslated: their effective
**               privilege (mstatus.MPRV, §3.1.6.3) is M, or satp.MODE is
**               Bare (§4.1.11), so blocks are flagged
**               VMRUN_IR_BLK_PHYS_DATA (the RAM window).
** Whatever changes mstatus.FS, MPRV, MPP, satp or frm must recompute them
** (satp and the mstatus fields only change through rv_mode_changed):
** rv_mode_changed
** for mstatus, rv_fp_csr_set for fflags/frm/fcsr, user.c for sigreturn.
** Setting FS = Dirty from code translated with FS != Dirty goes through
** rv_fs_dirty (or the same two stores in IR, fp.c t_dirty).  A CSR write
** ends its block (translate.c), so later code is looked up again. */
#define RV_TBF_FS_OFF    0x100u
#define RV_TBF_FS_DIRTY  0x200u
#define RV_TBF_FRM_SHIFT 10
#define RV_TBF_FRM_MASK  (7u << RV_TBF_FRM_SHIFT)
#define RV_TBF_DATA_PHYS 0x2000u

/* ---- satp (§4.1.11) ---- */
#define SATP_MODE_SHIFT 60
#define SATP_ASID_MASK  (0xffffull << 44)
#define SATP_PPN_MASK   ((1ull << 44) - 1)

/* ---- CSR numbers (§2.2, Tables 2.2-2.5) ---- */
enum rv_csr_num {
  CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
  CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
  CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105,
  CSR_SCOUNTEREN = 0x106, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141,
  CSR_SCAUSE = 0x142, CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_SATP = 0x180,
  CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13,
  CSR_MHARTID = 0xf14,
  CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302,
  CSR_MIDELEG = 0x303, CSR_MIE = 0x304, CSR_MTVEC = 0x305,
  CSR_MCOUNTEREN = 0x306, CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341,
  CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343, CSR_MIP = 0x344,
  CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG2 = 0x3a2, CSR_PMPADDR0 = 0x3b0,
  CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02
};

/* Instance of the frontend (one per machine, shared by its harts). */
struct rv_fe {
  const vmrun_host *host;
  vmrun_machine *m;
};

/*
** One hart's state block: the core's header first (vmrun/cpu.h), then the
** architectural state.  IR GET/PUT reach x[] by offsetof.
*/
struct rv_cpu {
  vmrun_cpu hdr;
  uint64_t x[32];
  uint64_t f[32];       /* F/D registers (fp.c); singles are NaN-boxed */
  uint32_t fflags, frm; /* fcsr = frm << 5 | fflags */

  /* back pointers for helpers (helpers only receive the vmrun_cpu *) */
  struct rv_fe *fe;
  const vmrun_host *host;

  /* machine-level CSRs */
  uint64_t mstatus;     /* SD is computed on read from FS */
  uint64_t medeleg, mideleg;
  uint64_t mie;
  uint64_t mip;         /* software-writable bits only (SSIP STIP SEIP);
                           the effective mip ORs in hdr.irq_pending */
  uint64_t mtvec, mscratch, mepc, mcause, mtval;
  uint32_t mcounteren, scounteren;
  uint64_t mcycle_off, minstret_off; /* mcycle = icount + mcycle_off */

  /* supervisor-level CSRs (sstatus/sie/sip are views of the M ones) */
  uint64_t stvec, sscratch, sepc, scause, stval, satp;

  /* PMP: stored with WARL rules, not enforced (see csr.c) */
  uint8_t pmpcfg[16];
  uint64_t pmpaddr[16];

  /* LR/SC reservation (guest PA, size, value loaded by LR) */
  uint64_t res_addr, res_val;
  uint32_t res_size, res_valid;

  /* last regime installed per TLB index, to avoid needless flushes */
  vmrun_paging paging[VMRUN_TLB_NB_IDX];
  uint32_t paging_valid;

  /* user-mode emulation (user.c): traps from U-mode are recorded here */
  uint32_t user_mode;
  vmrun_user_trap user_trap;
};

static inline struct rv_cpu *RV(vmrun_cpu *cpu) { return (struct rv_cpu *)cpu; }

/* tb_flags for the current privilege, mstatus.FS and frm (see above) */
/* The effective privilege of data loads and stores: MPP's with MPRV in M
** (Privileged ISA §3.1.6.3), else the current one */
static inline unsigned rv_data_priv(const struct rv_cpu *rc)
{
  if (rc->hdr.priv == PRV_M && (rc->mstatus & MSTATUS_MPRV))
    return (unsigned)((rc->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
  return rc->hdr.priv;
}

static inline uint32_t rv_tb_flags(const struct rv_cpu *rc)
{
  uint64_t fs = rc->mstatus & MSTATUS_FS;
  unsigned data = rv_data_priv(rc);
  return rc->hdr.priv | (fs == 0 ? RV_TBF_FS_OFF : 0) |
         (fs == MSTATUS_FS ? RV_TBF_FS_DIRTY : 0) |
         (rc->frm & 7) << RV_TBF_FRM_SHIFT |
         (data == PRV_M || (rc->satp >> SATP_MODE_SHIFT) == 0
              ? RV_TBF_DATA_PHYS : 0);
}

/* mstatus.FS = Dirty after a write of f[] or fflags (Privileged ISA
** §3.1.6.6), and the same in tb_flags so that the next block looked up is
** the variant that no longer marks it. */
static inline void rv_fs_dirty(struct rv_cpu *rc)
{
  rc->mstatus |= MSTATUS_FS;
  rc->hdr.tb_flags |= RV_TBF_FS_DIRTY;
}

/* ---- csr.c: CSRs, trap entry, interrupts, mode bookkeeping ---- */
/* Recompute mmu_idx / mmu_idx_fetch / tb_flags and the paging regimes
** after a change of privilege, mstatus or satp; asks the core to recheck
** interrupts. */
int rv_irq_deliverable(struct rv_cpu *rc);
void rv_mode_changed(struct rv_cpu *rc);
/* Effective mip: software bits ORed with the platform lines. */
uint64_t rv_mip(struct rv_cpu *rc);
/* Architectural trap entry at hdr.pc (exception or interrupt). */
void rv_trap(struct rv_cpu *rc, uint64_t cause, uint64_t tval, int interrupt);
/* Take the highest-priority pending enabled interrupt (frontend.h). */
int rv_interrupt(struct rv_cpu *rc);
/* CSR read/write with all checks.  Returns 0 or -1 (illegal instruction).
** `write` says whether a write is performed; *old gets the value read. */
int rv_csr_access(struct rv_cpu *rc, unsigned csr, int do_read, int do_write,
                  unsigned op, uint64_t src, uint64_t *old);
/* Direct read/write for debuggers (no privilege check; side effects as
** for an M-mode write). */
int rv_csr_peek(struct rv_cpu *rc, unsigned csr, uint64_t *val);
int rv_csr_poke(struct rv_cpu *rc, unsigned csr, uint64_t val);
/* Name <-> number for reg_get/reg_set/reg_name. */
int rv_csr_by_name(const char *name);
const char *rv_csr_name(unsigned idx, unsigned *csr);

/* CSR op kinds (funct3 & 3) */
#define CSROP_RW 1
#define CSROP_RS 2
#define CSROP_RC 3

/* ---- helpers.c: functions called from IR (CALL) ---- */
uint64_t rv_h_raise(vmrun_cpu *cpu, uint64_t cause, uint64_t tval, uint64_t c);
uint64_t rv_h_csr(vmrun_cpu *cpu, uint64_t src, uint64_t info, uint64_t insn);
uint64_t rv_h_mret(vmrun_cpu *cpu, uint64_t insn, uint64_t b, uint64_t c);
uint64_t rv_h_sret(vmrun_cpu *cpu, uint64_t insn, uint64_t b, uint64_t c);
uint64_t rv_h_wfi(vmrun_cpu *cpu, uint64_t insn, uint64_t next_pc, uint64_t c);
uint64_t rv_h_sfence(vmrun_cpu *cpu, uint64_t va, uint64_t info,
                     uint64_t insn);
uint64_t rv_h_lr(vmrun_cpu *cpu, uint64_t va, uint64_t size, uint64_t c);
uint64_t rv_h_sc(vmrun_cpu *cpu, uint64_t va, uint64_t val, uint64_t size);
uint64_t rv_h_amo(vmrun_cpu *cpu, uint64_t va, uint64_t val, uint64_t info);

/* helper info word for rv_h_csr: csr | op << 12 | read << 16 | write << 17 */
#define CSRI_READ  (1u << 16)
#define CSRI_WRITE (1u << 17)

/* ---- rvc.c ---- */
/* Expand a 16-bit RVC parcel to the equivalent 32-bit instruction, or 0 if
** the encoding is illegal / reserved. */
uint32_t rv_rvc_expand(uint32_t c);

/* ---- user.c ---- */
extern const vmrun_user_abi rv_user_abi;
void rv_user_record_trap(struct rv_cpu *rc, uint64_t cause, uint64_t tval);

/* ---- translate.c ---- */
int rv_translate_block(struct rv_fe *fe, vmrun_cpu *cpu, vmrun_ir_block *blk);

#endif
