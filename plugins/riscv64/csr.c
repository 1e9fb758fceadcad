/*
** plugins/riscv64/csr.c - control and status registers, trap entry,
** interrupts and privilege-mode bookkeeping (RISC-V Privileged ISA v1.12,
** reporting a v1.10-level CSR set).
**
** PMP: pmpcfg0/pmpcfg2 and pmpaddr0..15 are stored with their WARL rules
** (reserved R=0/W=1 combination keeps the old byte, locked entries ignore
** writes, G = 0) so firmware can probe and program them, but accesses are
** NOT checked against them yet.
**
** satp: MODE Bare, or any mode the MMU plugin accepts (softmmu: Sv39 and
** Sv48); a write with another mode is ignored entirely, as the WARL rules
** allow (§4.1.11).  ASID: all 16 bits are kept (the MMU flushes on every
** satp change, so ASIDs only save the guest some SFENCE.VMAs).
*/
#include <string.h>

#include "rv_cpu.h"
#include "fp.h"

static void request_irq_check(struct rv_cpu *rc)
{
  __atomic_or_fetch(&rc->hdr.exit_request, VMRUN_EXIT_IRQ, __ATOMIC_SEQ_CST);
}

/* Install the translation regime of every TLB index from satp and
** mstatus.MXR: U (idx 0) with user privilege, S (1) without and S_SUM (2)
** with mstatus.SUM, M (3) bare.  SUM only matters to supervisor accesses,
** so it is not part of the U regime.  M-mode data accesses with MPRV use
** the MPP mode's index (rv_mode_changed), hence its regime. */
static void update_paging(struct rv_cpu *rc)
{
  static const unsigned idxs[4] = { PRV_U, PRV_S, IDX_S_SUM, PRV_M };
  uint64_t satp_mode = rc->satp >> SATP_MODE_SHIFT;
  unsigned k;

  for (k = 0; k < 4; k++) {
    unsigned idx = idxs[k];
    vmrun_paging p;
    memset(&p, 0, sizeof p);
    if (idx != PRV_M && satp_mode != 0) {
      p.mode = (uint32_t)satp_mode;
      p.root = (rc->satp & SATP_PPN_MASK) << VMRUN_PAGE_BITS;
      p.asid = (uint32_t)((rc->satp & SATP_ASID_MASK) >> 44);
      if (idx == PRV_U) p.flags |= VMRUN_PAGING_USER;
      if (idx == IDX_S_SUM) p.flags |= VMRUN_PAGING_SUM;
      if (rc->mstatus & MSTATUS_MXR) p.flags |= VMRUN_PAGING_MXR;
    } else {
      p.mode = VMRUN_PAGING_BARE;
      if (idx == PRV_U) p.flags |= VMRUN_PAGING_USER;
    }
    if ((rc->paging_valid & (1u << idx)) &&
        memcmp(&p, &rc->paging[idx], sizeof p) == 0)
      continue;
    if (rc->host && rc->host->mmu_set_paging &&
        rc->host->mmu_set_paging(&rc->hdr, idx, &p) == 0) {
      rc->paging[idx] = p;
      rc->paging_valid |= 1u << idx;
    }
  }
}

void rv_mode_changed(struct rv_cpu *rc)
{
  vmrun_cpu *cpu = &rc->hdr;
  unsigned data = rv_data_priv(rc);
  if (data == PRV_S && (rc->mstatus & MSTATUS_SUM)) data = IDX_S_SUM;
  cpu->mmu_idx = data;
  cpu->mmu_idx_fetch = cpu->priv;
  cpu->tb_flags = rv_tb_flags(rc);
  update_paging(rc);
  /* Only bounce to the core when an interrupt is now pending and enabled
  ** (e.g. xRET lowered the privilege, or MIE/SIE was set): trap entry
  ** itself disables interrupts, and an unconditional request would send
  ** every exception through the core's loop. */
  if (rv_irq_deliverable(rc)) request_irq_check(rc);
}

/* Interrupts globally enabled at the current privilege (Privileged ISA
** §3.1.6.1): those not delegated go to M and are enabled below M, or in M
** with MIE; delegated ones go to S and are enabled below S, or in S with
** SIE, never in M. */
static uint64_t globally_enabled(const struct rv_cpu *rc)
{
  unsigned priv = rc->hdr.priv;
  uint64_t m_en = (priv < PRV_M || (rc->mstatus & MSTATUS_MIE)) ? ~rc->mideleg : 0;
  uint64_t s_en = (priv < PRV_S || (priv == PRV_S && (rc->mstatus & MSTATUS_SIE)))
                      ? rc->mideleg : 0;
  return m_en | s_en;
}

/* Is some interrupt pending, enabled in mie and globally enabled? */
int rv_irq_deliverable(struct rv_cpu *rc)
{
  return (rv_mip(rc) & rc->mie & globally_enabled(rc)) != 0;
}

uint64_t rv_mip(struct rv_cpu *rc)
{
  uint64_t lines = __atomic_load_n(&rc->hdr.irq_pending, __ATOMIC_RELAXED);
  return (rc->mip & S_INTS) | (lines & ALL_INTS);
}

/* Names of the causes for trap reports (Privileged ISA §3.1.15, Table
** 3.6); NULL for reserved codes. */
static const char *const exc_names[16] = {
  "insn_misaligned", "insn_access_fault", "illegal_insn", "breakpoint",
  "load_misaligned", "load_access_fault", "store_misaligned",
  "store_access_fault", "ecall_u", "ecall_s", NULL, "ecall_m",
  "page_fault_insn", "page_fault_load", NULL, "page_fault_store"
};
static const char *const irq_names[12] = {
  NULL, "software_s", NULL, "software_m", NULL, "timer_s", NULL, "timer_m",
  NULL, "external_s", NULL, "external_m"
};

/* Report a trap entry to the core (vmrun_host.trap_event, ABI 1.4): only
** reached when an observer set VMRUN_EVENT_TRAP, so kept out of line. */
static __attribute__((noinline, cold)) void
report_trap(struct rv_cpu *rc, uint64_t cause, uint64_t tval, int interrupt,
            uint64_t epc, unsigned from)
{
  vmrun_trap_info ti;
  if (!rc->host || !VMRUN_HOST_HAS(rc->host, trap_event) ||
      !rc->host->trap_event)
    return;
  memset(&ti, 0, sizeof ti);
  ti.cause = cause;
  ti.pc = epc;
  ti.tval = tval;
  ti.vector = rc->hdr.pc;
  ti.is_interrupt = interrupt ? 1 : 0;
  ti.from_priv = from;
  ti.to_priv = rc->hdr.priv;
  if (interrupt) ti.name = cause < 12 ? irq_names[cause] : NULL;
  else ti.name = cause < 16 ? exc_names[cause] : NULL;
  rc->host->trap_event(&rc->hdr, &ti);
}

void rv_trap(struct rv_cpu *rc, uint64_t cause, uint64_t tval, int interrupt)
{
  vmrun_cpu *cpu = &rc->hdr;
  uint64_t deleg = interrupt ? rc->mideleg : rc->medeleg;
  uint64_t s = rc->mstatus;
  uint64_t epc = cpu->pc;
  unsigned from = cpu->priv;

  if (rc->user_mode && !interrupt && cpu->priv == PRV_U) {
    rv_user_record_trap(rc, cause, tval);  /* the OS layer handles it */
    return;
  }
  rc->res_valid = 0;  /* a trap clears the LR reservation */
  if (cpu->priv <= PRV_S && cause < 64 && ((deleg >> cause) & 1)) {
    rc->scause = cause | (interrupt ? CAUSE_INTERRUPT : 0);
    rc->sepc = cpu->pc;
    rc->stval = tval;
    s &= ~(MSTATUS_SPIE | MSTATUS_SPP);
    if (s & MSTATUS_SIE) s |= MSTATUS_SPIE;
    if (cpu->priv == PRV_S) s |= MSTATUS_SPP;
    s &= ~MSTATUS_SIE;
    cpu->pc = rc->stvec & ~(uint64_t)3;
    if (interrupt && (rc->stvec & 3) == 1) cpu->pc += 4 * cause;
    cpu->priv = PRV_S;
  } else {
    rc->mcause = cause | (interrupt ? CAUSE_INTERRUPT : 0);
    rc->mepc = cpu->pc;
    rc->mtval = tval;
    s &= ~(MSTATUS_MPIE | MSTATUS_MPP);
    if (s & MSTATUS_MIE) s |= MSTATUS_MPIE;
    s |= (uint64_t)cpu->priv << MSTATUS_MPP_SHIFT;
    s &= ~MSTATUS_MIE;
    cpu->pc = rc->mtvec & ~(uint64_t)3;
    if (interrupt && (rc->mtvec & 3) == 1) cpu->pc += 4 * cause;
    cpu->priv = PRV_M;
  }
  rc->mstatus = s;
  rv_mode_changed(rc);
  if (__builtin_expect(cpu->events & VMRUN_EVENT_TRAP, 0))
    report_trap(rc, cause, tval, interrupt, epc, from);
}

/* Priority order (§3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
static const uint8_t irq_prio[6] = {
  IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI
};

int rv_interrupt(struct rv_cpu *rc)
{
  vmrun_cpu *cpu = &rc->hdr;
  uint64_t pending = rv_mip(rc) & rc->mie;
  uint64_t avail;
  unsigned k;

  if (!pending) return 0;
  cpu->halted = 0;  /* WFI wakes up regardless of the global enables */
  avail = pending & globally_enabled(rc);
  if (!avail) return 0;
  for (k = 0; k < 6; k++) {
    if (avail & (1ull << irq_prio[k])) {
      rv_trap(rc, irq_prio[k], 0, 1);
      return 1;
    }
  }
  return 0;
}

/* ---- CSR access ---- */

static uint64_t read_mstatus(struct rv_cpu *rc)
{
  uint64_t s = (rc->mstatus & MSTATUS_WMASK) | MSTATUS_XL64;
  if ((s & MSTATUS_FS) == MSTATUS_FS) s |= MSTATUS_SD;
  return s;
}

static void write_mstatus(struct rv_cpu *rc, uint64_t v, uint64_t wmask)
{
  uint64_t mpp = (v & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
  if ((wmask & MSTATUS_MPP) && mpp == 2) {  /* WARL: 2 is reserved */
    v = (v & ~MSTATUS_MPP) | (rc->mstatus & MSTATUS_MPP);
  }
  rc->mstatus = (rc->mstatus & ~wmask) | (v & wmask);
  rv_mode_changed(rc);
}

__extension__ typedef unsigned __int128 u128;

static uint64_t now_time(struct rv_cpu *rc)
{
  const vmrun_host *h = rc->host;
  vmrun_machine *m = rc->hdr.machine;
  if (!h || !h->clock_ns || !h->timebase_hz) return 0;
  u128 t = (u128)h->clock_ns(m) * h->timebase_hz(m);
  return (uint64_t)(t / 1000000000u);
}

/* pmpaddr[i] is locked by its own L bit, or by entry i+1 being locked in
** TOR mode (§3.7.1). */
static int pmpaddr_locked(struct rv_cpu *rc, unsigned i)
{
  if (rc->pmpcfg[i] & 0x80) return 1;
  if (i + 1 < 16 && (rc->pmpcfg[i + 1] & 0x80) &&
      ((rc->pmpcfg[i + 1] >> 3) & 3) == 1)
    return 1;
  return 0;
}

static void write_pmpcfg(struct rv_cpu *rc, unsigned first, uint64_t v)
{
  unsigned k;
  for (k = 0; k < 8; k++) {
    uint8_t b = (uint8_t)(v >> (8 * k));
    unsigned e = first + k;
    if (rc->pmpcfg[e] & 0x80) continue;        /* locked */
    if ((b & 3) == 2) continue;                /* R=0 W=1: reserved */
    rc->pmpcfg[e] = b & 0x9f;                  /* bits 6:5 are zero */
  }
}

static uint64_t read_pmpcfg(struct rv_cpu *rc, unsigned first)
{
  uint64_t v = 0;
  unsigned k;
  for (k = 0; k < 8; k++) v |= (uint64_t)rc->pmpcfg[first + k] << (8 * k);
  return v;
}

/* Counter CSRs readable from S/U only when enabled (§3.1.11, §4.1.4). */
static int counter_allowed(struct rv_cpu *rc, unsigned csr)
{
  unsigned bit = csr & 31;
  if (rc->hdr.priv < PRV_M && !((rc->mcounteren >> bit) & 1)) return 0;
  if (rc->hdr.priv < PRV_S && !((rc->scounteren >> bit) & 1)) return 0;
  return 1;
}

/* Read the CSR (no permission check).  Returns -1 if it does not exist. */
static int csr_read(struct rv_cpu *rc, unsigned csr, uint64_t *v)
{
  switch (csr) {
  case CSR_FFLAGS: case CSR_FRM: case CSR_FCSR:
    *v = rv_fp_csr_get(rc, csr); return 0;
  case CSR_CYCLE: case CSR_MCYCLE:
    *v = rc->hdr.icount + rc->mcycle_off; return 0;
  case CSR_INSTRET: case CSR_MINSTRET:
    *v = rc->hdr.icount + rc->minstret_off; return 0;
  case CSR_TIME: *v = now_time(rc); return 0;

  case CSR_SSTATUS: *v = read_mstatus(rc) & SSTATUS_MASK; return 0;
  case CSR_SIE: *v = rc->mie & rc->mideleg & S_INTS; return 0;
  case CSR_SIP: *v = rv_mip(rc) & rc->mideleg & S_INTS; return 0;
  case CSR_STVEC: *v = rc->stvec; return 0;
  case CSR_SCOUNTEREN: *v = rc->scounteren; return 0;
  case CSR_SSCRATCH: *v = rc->sscratch; return 0;
  case CSR_SEPC: *v = rc->sepc; return 0;
  case CSR_SCAUSE: *v = rc->scause; return 0;
  case CSR_STVAL: *v = rc->stval; return 0;
  case CSR_SATP: *v = rc->satp; return 0;

  case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: *v = 0; return 0;
  case CSR_MHARTID: *v = rc->hdr.hart_id; return 0;
  case CSR_MSTATUS: *v = read_mstatus(rc); return 0;
  case CSR_MISA: *v = MISA_VALUE; return 0;
  case CSR_MEDELEG: *v = rc->medeleg; return 0;
  case CSR_MIDELEG: *v = rc->mideleg; return 0;
  case CSR_MIE: *v = rc->mie; return 0;
  case CSR_MTVEC: *v = rc->mtvec; return 0;
  case CSR_MCOUNTEREN: *v = rc->mcounteren; return 0;
  case CSR_MSCRATCH: *v = rc->mscratch; return 0;
  case CSR_MEPC: *v = rc->mepc; return 0;
  case CSR_MCAUSE: *v = rc->mcause; return 0;
  case CSR_MTVAL: *v = rc->mtval; return 0;
  case CSR_MIP: *v = rv_mip(rc); return 0;
  case CSR_PMPCFG0: *v = read_pmpcfg(rc, 0); return 0;
  case CSR_PMPCFG2: *v = read_pmpcfg(rc, 8); return 0;
  default:
    if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 16) {
      *v = rc->pmpaddr[csr - CSR_PMPADDR0];
      return 0;
    }
    return -1;
  }
}

/* Write the CSR (no permission check; it exists). */
static void csr_write(struct rv_cpu *rc, unsigned csr, uint64_t v)
{
  uint64_t mask;
  switch (csr) {
  case CSR_FFLAGS: case CSR_FRM: case CSR_FCSR:
    rv_fp_csr_set(rc, csr, v); return;
  /* "If a CSR access instruction writes such a CSR, the write is done
  ** instead of the increment" (§2.1 of Zicsr): the next instruction sees
  ** v, and icount still counts the writing instruction. */
  case CSR_MCYCLE: rc->mcycle_off = v - rc->hdr.icount - 1; return;
  case CSR_MINSTRET: rc->minstret_off = v - rc->hdr.icount - 1; return;

  case CSR_SSTATUS: write_mstatus(rc, v, SSTATUS_WMASK); return;
  case CSR_SIE:
    mask = rc->mideleg & S_INTS;
    rc->mie = (rc->mie & ~mask) | (v & mask);
    request_irq_check(rc);
    return;
  case CSR_SIP: /* only SSIP is writable from S (§4.1.3) */
    mask = rc->mideleg & MIP_SSIP;
    rc->mip = (rc->mip & ~mask) | (v & mask);
    request_irq_check(rc);
    return;
  case CSR_STVEC:
    if ((v & 3) < 2) rc->stvec = v;  /* WARL: other modes keep old */
    return;
  case CSR_SCOUNTEREN: rc->scounteren = (uint32_t)v & 7; return;
  case CSR_SSCRATCH: rc->sscratch = v; return;
  case CSR_SEPC: rc->sepc = v & ~(uint64_t)1; return;
  case CSR_SCAUSE: rc->scause = v; return;
  case CSR_STVAL: rc->stval = v; return;
  case CSR_SATP: {
    /* WARL (§4.1.11): Bare, or a mode the MMU plugin implements.  The
    ** mode is tried (update_paging); if the MMU refuses it the write is
    ** ignored entirely, which is how Linux probes Sv57/Sv48/Sv39. */
    uint64_t old = rc->satp, mode = v >> SATP_MODE_SHIFT;
    if (mode != VMRUN_PAGING_BARE && mode != VMRUN_PAGING_SV39 &&
        mode != VMRUN_PAGING_SV48 && mode != VMRUN_PAGING_SV57)
      return;
    rc->satp = v;
    rv_mode_changed(rc);
    if (mode != VMRUN_PAGING_BARE &&
        (!(rc->paging_valid & (1u << PRV_S)) ||
         rc->paging[PRV_S].mode != mode)) {
      rc->satp = old;
      rv_mode_changed(rc);
    }
    return;
  }

  case CSR_MSTATUS: write_mstatus(rc, v, MSTATUS_WMASK); return;
  case CSR_MISA: return;  /* WARL: writes ignored */
  case CSR_MEDELEG: rc->medeleg = v & MEDELEG_MASK; return;
  case CSR_MIDELEG:
    rc->mideleg = v & S_INTS;
    request_irq_check(rc);
    return;
  case CSR_MIE:
    rc->mie = v & ALL_INTS;
    request_irq_check(rc);
    return;
  case CSR_MTVEC:
    if ((v & 3) < 2) rc->mtvec = v;
    return;
  case CSR_MCOUNTEREN: rc->mcounteren = (uint32_t)v & 7; return;
  case CSR_MSCRATCH: rc->mscratch = v; return;
  case CSR_MEPC: rc->mepc = v & ~(uint64_t)1; return;
  case CSR_MCAUSE: rc->mcause = v; return;
  case CSR_MTVAL: rc->mtval = v; return;
  case CSR_MIP: /* SSIP STIP SEIP; MSIP MTIP MEIP come from the platform */
    rc->mip = v & S_INTS;
    request_irq_check(rc);
    return;
  case CSR_PMPCFG0: write_pmpcfg(rc, 0, v); return;
  case CSR_PMPCFG2: write_pmpcfg(rc, 8, v); return;
  default:
    if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 16) {
      unsigned i = csr - CSR_PMPADDR0;
      if (!pmpaddr_locked(rc, i)) rc->pmpaddr[i] = v & ((1ull << 54) - 1);
    }
    return;
  }
}

int rv_csr_access(struct rv_cpu *rc, unsigned csr, int do_read, int do_write,
                  unsigned op, uint64_t src, uint64_t *old)
{
  uint64_t v = 0, nv;
  unsigned priv = rc->hdr.priv;

  (void)do_read;  /* none of our CSRs has read side effects */
  if (((csr >> 8) & 3) > priv) return -1;              /* privilege */
  if (do_write && ((csr >> 10) & 3) == 3) return -1;   /* read-only */
  if (csr == CSR_SATP && priv == PRV_S && (rc->mstatus & MSTATUS_TVM))
    return -1;
  if (csr >= CSR_FFLAGS && csr <= CSR_FCSR && !(rc->mstatus & MSTATUS_FS))
    return -1;                                         /* FS = Off */
  if ((csr >= CSR_CYCLE && csr <= CSR_INSTRET) && !counter_allowed(rc, csr))
    return -1;
  if (csr_read(rc, csr, &v) != 0) return -1;           /* no such CSR */
  if (do_write) {
    /* For read-modify-write ops on mip the software-writable value is
    ** used, not the platform-driven lines (§3.1.9). */
    uint64_t base = v;
    if (csr == CSR_MIP) base = rc->mip;
    else if (csr == CSR_SIP) base = rc->mip & rc->mideleg & S_INTS;
    switch (op) {
    case CSROP_RW: nv = src; break;
    case CSROP_RS: nv = base | src; break;
    default:       nv = base & ~src; break;
    }
    csr_write(rc, csr, nv);
  }
  *old = v;
  return 0;
}

int rv_csr_peek(struct rv_cpu *rc, unsigned csr, uint64_t *val)
{
  return csr_read(rc, csr, val);
}

int rv_csr_poke(struct rv_cpu *rc, unsigned csr, uint64_t val)
{
  uint64_t dummy;
  if (csr_read(rc, csr, &dummy) != 0) return -1;
  /* counters: from outside an instruction there is no increment to
  ** replace, so the value is exact at the current icount */
  if (csr == CSR_CYCLE || csr == CSR_MCYCLE) {
    rc->mcycle_off = val - rc->hdr.icount;
    return 0;
  }
  if (csr == CSR_INSTRET || csr == CSR_MINSTRET) {
    rc->minstret_off = val - rc->hdr.icount;
    return 0;
  }
  if (((csr >> 10) & 3) == 3) return -1;  /* read-only */
  csr_write(rc, csr, val);
  return 0;
}

/* ---- names ---- */

static const struct { const char *name; unsigned num; } csr_names[] = {
  { "fflags", CSR_FFLAGS }, { "frm", CSR_FRM }, { "fcsr", CSR_FCSR },
  { "cycle", CSR_CYCLE }, { "time", CSR_TIME }, { "instret", CSR_INSTRET },
  { "sstatus", CSR_SSTATUS }, { "sie", CSR_SIE }, { "stvec", CSR_STVEC },
  { "scounteren", CSR_SCOUNTEREN }, { "sscratch", CSR_SSCRATCH },
  { "sepc", CSR_SEPC }, { "scause", CSR_SCAUSE }, { "stval", CSR_STVAL },
  { "sip", CSR_SIP }, { "satp", CSR_SATP },
  { "mvendorid", CSR_MVENDORID }, { "marchid", CSR_MARCHID },
  { "mimpid", CSR_MIMPID }, { "mhartid", CSR_MHARTID },
  { "mstatus", CSR_MSTATUS }, { "misa", CSR_MISA },
  { "medeleg", CSR_MEDELEG }, { "mideleg", CSR_MIDELEG },
  { "mie", CSR_MIE }, { "mtvec", CSR_MTVEC },
  { "mcounteren", CSR_MCOUNTEREN }, { "mscratch", CSR_MSCRATCH },
  { "mepc", CSR_MEPC }, { "mcause", CSR_MCAUSE }, { "mtval", CSR_MTVAL },
  { "mip", CSR_MIP }, { "pmpcfg0", CSR_PMPCFG0 }, { "pmpcfg2", CSR_PMPCFG2 },
  { "pmpaddr0", 0x3b0 }, { "pmpaddr1", 0x3b1 }, { "pmpaddr2", 0x3b2 },
  { "pmpaddr3", 0x3b3 }, { "pmpaddr4", 0x3b4 }, { "pmpaddr5", 0x3b5 },
  { "pmpaddr6", 0x3b6 }, { "pmpaddr7", 0x3b7 }, { "pmpaddr8", 0x3b8 },
  { "pmpaddr9", 0x3b9 }, { "pmpaddr10", 0x3ba }, { "pmpaddr11", 0x3bb },
  { "pmpaddr12", 0x3bc }, { "pmpaddr13", 0x3bd }, { "pmpaddr14", 0x3be },
  { "pmpaddr15", 0x3bf },
  { "mcycle", CSR_MCYCLE }, { "minstret", CSR_MINSTRET },
};

int rv_csr_by_name(const char *name)
{
  size_t k;
  for (k = 0; k < sizeof csr_names / sizeof csr_names[0]; k++)
    if (strcmp(csr_names[k].name, name) == 0) return (int)csr_names[k].num;
  return -1;
}

const char *rv_csr_name(unsigned idx, unsigned *csr)
{
  if (idx >= sizeof csr_names / sizeof csr_names[0]) return NULL;
  if (csr) *csr = csr_names[idx].num;
  return csr_names[idx].name;
}
