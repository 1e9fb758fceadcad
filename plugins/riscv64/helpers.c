/*
** plugins/riscv64/helpers.c - functions called from IR blocks (CALL ops):
** exceptions, CSR access, xRET, WFI, SFENCE.VMA and the A extension.
**
** All are emitted with VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END, so cpu->pc
** is the pc of the current instruction and cpu->icount the count before
** it.  A helper that redirects control sets cpu->pc and cpu->trap_taken:
** VMRUN_TRAP_RAISED after an exception entry (the instruction did not
** retire), VMRUN_TRAP_DONE when it completed its instruction itself (xRET,
** WFI, SFENCE.VMA); the engine then leaves the block at once.
*/
#include "rv_cpu.h"

static uint64_t take_trap(struct rv_cpu *rc, uint64_t cause, uint64_t tval)
{
  rv_trap(rc, cause, tval, 0);
  rc->hdr.trap_taken = VMRUN_TRAP_RAISED;  /* did not retire */
  return 0;
}

static uint64_t illegal(struct rv_cpu *rc, uint64_t insn)
{
  return take_trap(rc, EXC_ILLEGAL_INSN, insn);
}

uint64_t rv_h_raise(vmrun_cpu *cpu, uint64_t cause, uint64_t tval, uint64_t c)
{
  (void)c;
  return take_trap(RV(cpu), cause, tval);
}

uint64_t rv_h_csr(vmrun_cpu *cpu, uint64_t src, uint64_t info, uint64_t insn)
{
  struct rv_cpu *rc = RV(cpu);
  uint64_t old = 0;
  if (rv_csr_access(rc, (unsigned)(info & 0xfff), (info & CSRI_READ) != 0,
                    (info & CSRI_WRITE) != 0, (unsigned)(info >> 12) & 3, src,
                    &old) != 0)
    return illegal(rc, insn);
  return old;
}

uint64_t rv_h_mret(vmrun_cpu *cpu, uint64_t insn, uint64_t b, uint64_t c)
{
  struct rv_cpu *rc = RV(cpu);
  uint64_t s = rc->mstatus;
  unsigned mpp;
  (void)b; (void)c;

  if (cpu->priv < PRV_M) return illegal(rc, insn);
  mpp = (unsigned)((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
  s &= ~(MSTATUS_MIE | MSTATUS_MPP);   /* MPP <- U (least privileged) */
  if (s & MSTATUS_MPIE) s |= MSTATUS_MIE;
  s |= MSTATUS_MPIE;
  if (mpp != PRV_M) s &= ~MSTATUS_MPRV;
  rc->mstatus = s;
  cpu->priv = mpp;
  cpu->pc = rc->mepc;
  rc->res_valid = 0;
  rv_mode_changed(rc);
  cpu->trap_taken = VMRUN_TRAP_DONE;  /* retired, pc = next */
  return 0;
}

uint64_t rv_h_sret(vmrun_cpu *cpu, uint64_t insn, uint64_t b, uint64_t c)
{
  struct rv_cpu *rc = RV(cpu);
  uint64_t s = rc->mstatus;
  unsigned spp;
  (void)b; (void)c;

  if (cpu->priv == PRV_U ||
      (cpu->priv == PRV_S && (s & MSTATUS_TSR)))
    return illegal(rc, insn);
  spp = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
  s &= ~(MSTATUS_SIE | MSTATUS_SPP);   /* SPP <- U */
  if (s & MSTATUS_SPIE) s |= MSTATUS_SIE;
  s |= MSTATUS_SPIE;
  s &= ~MSTATUS_MPRV;                  /* returning below M (v1.12) */
  rc->mstatus = s;
  cpu->priv = spp;
  cpu->pc = rc->sepc;
  rc->res_valid = 0;
  rv_mode_changed(rc);
  cpu->trap_taken = VMRUN_TRAP_DONE;  /* retired, pc = next */
  return 0;
}

uint64_t rv_h_wfi(vmrun_cpu *cpu, uint64_t insn, uint64_t next_pc, uint64_t c)
{
  struct rv_cpu *rc = RV(cpu);
  (void)c;
  if (cpu->priv == PRV_U ||
      (cpu->priv < PRV_M && (rc->mstatus & MSTATUS_TW)))
    return illegal(rc, insn);
  cpu->pc = next_pc;
  if (!(rv_mip(rc) & rc->mie)) cpu->halted = 1;
  cpu->trap_taken = VMRUN_TRAP_DONE;  /* retired, pc = next */
  return 0;
}

/* info: 1 = rs1 is x0 (flush all).  cpu->pc is the SFENCE.VMA's own pc
** and it has no compressed form, so the next pc is cpu->pc + 4. */
uint64_t rv_h_sfence(vmrun_cpu *cpu, uint64_t va, uint64_t info, uint64_t insn)
{
  struct rv_cpu *rc = RV(cpu);
  if (cpu->priv == PRV_U ||
      (cpu->priv == PRV_S && (rc->mstatus & MSTATUS_TVM)))
    return illegal(rc, insn);
  if (rc->host && rc->host->tlb_flush)
    rc->host->tlb_flush(cpu, (info & 1) ? VMRUN_TLB_INVALID : va);
  cpu->pc += 4;
  cpu->trap_taken = VMRUN_TRAP_DONE;  /* retired, pc = next */
  return 0;
}

/* ---- A extension ---- */

enum { AMO_ADD = 0x00, AMO_SWAP = 0x01, AMO_XOR = 0x04, AMO_OR = 0x08,
       AMO_AND = 0x0c, AMO_MIN = 0x10, AMO_MAX = 0x14, AMO_MINU = 0x18,
       AMO_MAXU = 0x1c,
       /* pseudo-ops for LR and SC */
       AMO_LOAD = 0x100, AMO_CAS = 0x101 };

static uint64_t sext_size(uint64_t v, unsigned size)
{
  return size == 4 ? (uint64_t)(int64_t)(int32_t)v : v;
}

/* new memory value for an AMO (on `size`-byte quantities) */
static uint64_t amo_compute(unsigned op, uint64_t old, uint64_t val,
                            unsigned size)
{
  int64_t so = (int64_t)sext_size(old, size), sv = (int64_t)sext_size(val, size);
  uint64_t mask = size == 4 ? 0xffffffffull : ~0ull;
  uint64_t uo = old & mask, uv = val & mask, r;
  switch (op) {
  case AMO_ADD:  r = uo + uv; break;
  case AMO_SWAP: r = uv; break;
  case AMO_XOR:  r = uo ^ uv; break;
  case AMO_OR:   r = uo | uv; break;
  case AMO_AND:  r = uo & uv; break;
  case AMO_MIN:  r = so < sv ? uo : uv; break;
  case AMO_MAX:  r = so > sv ? uo : uv; break;
  case AMO_MINU: r = uo < uv ? uo : uv; break;
  default:       r = uo > uv ? uo : uv; break; /* AMO_MAXU */
  }
  return r & mask;
}

/* Translate va for an atomic access; raises the exception on failure. */
static int amo_translate(struct rv_cpu *rc, uint64_t va, unsigned size,
                         enum vmrun_access acc, uint64_t *pa)
{
  const int ld = acc == VMRUN_ACCESS_LOAD;
  int f;
  if (va & (size - 1)) {
    take_trap(rc, ld ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, va);
    return -1;
  }
  f = rc->host->vmem_translate(&rc->hdr, va, acc, rc->hdr.mmu_idx, pa);
  if (f == VMRUN_FAULT_NONE) return 0;
  if (f == VMRUN_FAULT_PAGE)
    take_trap(rc, ld ? EXC_LOAD_PAGE_FAULT : EXC_STORE_PAGE_FAULT, va);
  else if (f == VMRUN_FAULT_MISALIGNED)
    take_trap(rc, ld ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, va);
  else
    take_trap(rc, ld ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS, va);
  return -1;
}

#define RMW_LOOP(T)                                                        \
  do {                                                                     \
    T *p = (T *)(void *)host_p;                                            \
    T cur = __atomic_load_n(p, __ATOMIC_SEQ_CST);                          \
    if (op == AMO_LOAD) { *old = cur; return 0; }                          \
    if (op == AMO_CAS) {                                                   \
      T exp = (T)expect;                                                   \
      *ok = __atomic_compare_exchange_n(p, &exp, (T)val, 0,                \
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
      *old = exp;                                                          \
    } else {                                                               \
      T nv;                                                                \
      do {                                                                 \
        nv = (T)amo_compute(op, cur, val, size);                           \
      } while (!__atomic_compare_exchange_n(p, &cur, nv, 0,                \
                                            __ATOMIC_SEQ_CST,              \
                                            __ATOMIC_SEQ_CST));            \
      *old = cur;                                                          \
    }                                                                      \
  } while (0)

/*
** Atomic access at guest PA `pa`.  RAM is accessed with host atomics (so
** harts on other threads see an indivisible operation); ROM and MMIO go
** through phys_access (read, then write).  Returns 0, or -1 if nothing is
** mapped there (access fault).  For AMO_CAS, *ok says whether it stored.
** Little-endian host assumed (the SDK fingerprint records the byte order).
*/
static int atomic_phys(struct rv_cpu *rc, uint64_t pa, unsigned size,
                       unsigned op, uint64_t val, uint64_t expect,
                       uint64_t *old, int *ok)
{
  const vmrun_host *h = rc->host;
  vmrun_machine *m = rc->hdr.machine;
  vmrun_region_info ri;
  int dummy_ok = 0;

  if (!ok) ok = &dummy_ok;
  h->phys_lookup(m, pa, &ri);
  if (ri.kind == VMRUN_REGION_RAM && ri.host && pa >= ri.base &&
      pa - ri.base + size <= ri.size) {
    uint8_t *host_p = ri.host + (pa - ri.base);
    if (size == 4) RMW_LOOP(uint32_t);
    else RMW_LOOP(uint64_t);
    if (h->phys_is_code && h->phys_is_code(m, pa) && h->code_written)
      h->code_written(m, pa, size);
    return 0;
  }
  /* ROM (writes ignored by the core), MMIO, or nothing */
  uint64_t cur = 0, nv;
  if (h->phys_access(m, pa, size, 0, &cur) != 0) return -1;
  *old = cur;
  if (op == AMO_LOAD) return 0;
  if (op == AMO_CAS) {
    uint64_t mask = size == 4 ? 0xffffffffull : ~0ull;
    *ok = (cur & mask) == (expect & mask);
    if (!*ok) return 0;
    nv = val & mask;
  } else {
    nv = amo_compute(op, cur, val, size);
  }
  if (h->phys_access(m, pa, size, 1, &nv) != 0) return -1;
  return 0;
}

uint64_t rv_h_lr(vmrun_cpu *cpu, uint64_t va, uint64_t size, uint64_t c)
{
  struct rv_cpu *rc = RV(cpu);
  uint64_t pa, v = 0;
  (void)c;
  if (amo_translate(rc, va, (unsigned)size, VMRUN_ACCESS_LOAD, &pa) != 0)
    return 0;
  if (atomic_phys(rc, pa, (unsigned)size, AMO_LOAD, 0, 0, &v, NULL) != 0)
    return take_trap(rc, EXC_LOAD_ACCESS, va);
  rc->res_valid = 1;
  rc->res_addr = pa;
  rc->res_size = (uint32_t)size;
  rc->res_val = v;
  return sext_size(v, (unsigned)size);
}

/* SC: succeeds (returns 0) only if this hart holds a reservation from an
** LR of the same size at the same address and the memory still holds the
** value the LR read (compare-and-swap, so stores by other harts break the
** reservation).  Any SC clears the reservation. */
uint64_t rv_h_sc(vmrun_cpu *cpu, uint64_t va, uint64_t val, uint64_t size)
{
  struct rv_cpu *rc = RV(cpu);
  uint64_t pa, old = 0;
  int ok = 0;
  if (amo_translate(rc, va, (unsigned)size, VMRUN_ACCESS_STORE, &pa) != 0)
    return 0;
  if (!rc->res_valid || rc->res_addr != pa || rc->res_size != size) {
    rc->res_valid = 0;
    return 1;
  }
  rc->res_valid = 0;
  if (atomic_phys(rc, pa, (unsigned)size, AMO_CAS, val, rc->res_val, &old,
                  &ok) != 0)
    return take_trap(rc, EXC_STORE_ACCESS, va);
  return ok ? 0 : 1;
}

/* info = size | funct5 << 8 */
uint64_t rv_h_amo(vmrun_cpu *cpu, uint64_t va, uint64_t val, uint64_t info)
{
  struct rv_cpu *rc = RV(cpu);
  unsigned size = (unsigned)(info & 0xff), op = (unsigned)(info >> 8);
  uint64_t pa, old = 0;
  if (amo_translate(rc, va, size, VMRUN_ACCESS_STORE, &pa) != 0) return 0;
  if (atomic_phys(rc, pa, size, op, val, 0, &old, NULL) != 0)
    return take_trap(rc, EXC_STORE_ACCESS, va);
  return sext_size(old, size);
}
