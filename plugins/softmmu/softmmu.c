/*
** plugins/softmmu/softmmu.c - the software MMU: per-vCPU software TLBs
** (layout and hit rule in vmrun/cpu.h), address translation per TLB index
** and the slow path of guest loads, stores and fetches.
**
** Structure:
**   access()  -> split page-crossing / MMIO-misaligned accesses
**             -> access_page(): translate (walk()), look up the physical
**                region, refill the TLB entry (RAM/ROM pages only), then
**                perform the access on host memory or through MMIO.
**   walk()    -> the regime of the TLB index: bare today; the Sv39/Sv48
**                walkers slot in here (they return pa + permissions).
**
** Threading: per-vCPU entry points run on the vCPU's thread.
** code_page_added() touches the TLBs of every attached vCPU; with vCPUs on
** several host threads it would need those vCPUs to be stopped or kicked
** (today the core runs all vCPUs on the machine thread).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vmrun/vmrun.h>

/* Permissions returned by the walker. */
#define PROT_R 1u
#define PROT_W 2u
#define PROT_X 4u

typedef struct smmu_cpu {
  vmrun_tlb_entry tlb[VMRUN_TLB_NB_IDX][VMRUN_TLB_SIZE]; /* first: aligned */
  vmrun_paging regime[VMRUN_TLB_NB_IDX];
  vmrun_cpu *cpu;
  struct smmu_cpu *next;
} smmu_cpu;

typedef struct smmu {
  const vmrun_host *host;
  vmrun_machine *m;
  smmu_cpu *cpus; /* attached vCPUs */
} smmu;

/* ---- little-endian guest memory on the host ---- */

static uint64_t ld_le(const uint8_t *p, unsigned size)
{
  uint64_t v = 0;
#if VMRUN_ABI_BIG_ENDIAN
  for (unsigned i = 0; i < size; i++) v |= (uint64_t)p[i] << (8 * i);
#else
  memcpy(&v, p, size);
#endif
  return v;
}

static void st_le(uint8_t *p, unsigned size, uint64_t v)
{
#if VMRUN_ABI_BIG_ENDIAN
  for (unsigned i = 0; i < size; i++) p[i] = (uint8_t)(v >> (8 * i));
#else
  memcpy(p, &v, size);
#endif
}

/* ---- TLB ---- */

static void tlb_entry_clear(vmrun_tlb_entry *e)
{
  e->addr_read = e->addr_write = e->addr_code = VMRUN_TLB_INVALID;
  e->addend = 0;
}

static void tlb_clear_index(smmu_cpu *mc, unsigned idx)
{
  for (unsigned i = 0; i < VMRUN_TLB_SIZE; i++)
    tlb_entry_clear(&mc->tlb[idx][i]);
}

static smmu_cpu *mcpu(vmrun_cpu *cpu)
{
  return (smmu_cpu *)cpu->mmu_data;
}

/* ---- translation ---- */

/* Translate va in TLB index idx: *pa and the page's permissions (PROT_*).
** Returns 0 or a fault.  This is where page-table walkers slot in. */
static int walk(smmu *s, smmu_cpu *mc, uint64_t va, enum vmrun_access acc,
                unsigned idx, uint64_t *pa, unsigned *prot)
{
  const vmrun_paging *p = &mc->regime[idx];
  (void)s;
  switch (p->mode) {
  case VMRUN_PAGING_BARE:
    *pa = va;
    *prot = PROT_R | PROT_W | PROT_X;
    return 0;
  default:
    /* Sv39/Sv48 walkers arrive later; set_paging refuses them today. */
    (void)acc;
    return VMRUN_FAULT_PAGE;
  }
}

static unsigned acc_prot(enum vmrun_access acc)
{
  return acc == VMRUN_ACCESS_STORE ? PROT_W
       : acc == VMRUN_ACCESS_FETCH ? PROT_X : PROT_R;
}

/* Refill the TLB entry of the page holding va for a RAM/ROM page whose
** host address is `hpage` (page-aligned guest PA `ppage`). */
static void tlb_fill(smmu *s, smmu_cpu *mc, unsigned idx, uint64_t va,
                     uint64_t ppage, uint8_t *hpage, unsigned prot, int rom)
{
  uint64_t vpage = va & VMRUN_PAGE_MASK;
  vmrun_tlb_entry *e =
      &mc->tlb[idx][(va >> VMRUN_PAGE_BITS) & (VMRUN_TLB_SIZE - 1)];
  e->addr_read = (prot & PROT_R) ? vpage : VMRUN_TLB_INVALID;
  e->addr_code = (prot & PROT_X) ? vpage : VMRUN_TLB_INVALID;
  e->addr_write = ((prot & PROT_W) && !rom &&
                   !s->host->phys_is_code(s->m, ppage))
                      ? vpage : VMRUN_TLB_INVALID;
  e->addend = (uint64_t)(uintptr_t)hpage - vpage;
}

static int access_page(smmu *s, vmrun_cpu *cpu, uint64_t va, unsigned size,
                       enum vmrun_access acc, unsigned idx, uint64_t *val);

/* Byte-by-byte access (page-crossing or misaligned MMIO).  For stores all
** pages are probed first so that a fault writes nothing. */
static int access_bytes(smmu *s, vmrun_cpu *cpu, uint64_t va, unsigned size,
                        enum vmrun_access acc, unsigned idx, uint64_t *val)
{
  smmu_cpu *mc = mcpu(cpu);
  uint64_t v = 0;
  int f;
  if (acc == VMRUN_ACCESS_STORE) {
    uint64_t a = va;
    for (;;) {
      uint64_t pa;
      unsigned prot;
      vmrun_region_info ri;
      f = walk(s, mc, a, acc, idx, &pa, &prot);
      if (f) return f;
      if (!(prot & PROT_W)) return VMRUN_FAULT_PAGE;
      s->host->phys_lookup(s->m, pa, &ri);
      if (ri.kind == VMRUN_REGION_NONE) return VMRUN_FAULT_ACCESS;
      /* next page touched by the access, if any */
      uint64_t next = (a & VMRUN_PAGE_MASK) + VMRUN_PAGE_SIZE;
      if (next - va >= size) break;
      a = next;
    }
    for (unsigned i = 0; i < size; i++) {
      uint64_t b = (*val >> (8 * i)) & 0xff;
      f = access_page(s, cpu, va + i, 1, acc, idx, &b);
      if (f) return f; /* cannot happen after the probe, except MMIO map
                          changes done by a device write */
    }
    return 0;
  }
  for (unsigned i = 0; i < size; i++) {
    uint64_t b = 0;
    f = access_page(s, cpu, va + i, 1, acc, idx, &b);
    if (f) return f;
    v |= (b & 0xff) << (8 * i);
  }
  *val = v;
  return 0;
}

/* An access that stays within one guest page. */
static int access_page(smmu *s, vmrun_cpu *cpu, uint64_t va, unsigned size,
                       enum vmrun_access acc, unsigned idx, uint64_t *val)
{
  smmu_cpu *mc = mcpu(cpu);
  vmrun_region_info ri;
  uint64_t pa, off;
  unsigned prot;
  int f = walk(s, mc, va, acc, idx, &pa, &prot);
  if (f) return f;
  if (!(prot & acc_prot(acc))) return VMRUN_FAULT_PAGE;
  s->host->phys_lookup(s->m, pa, &ri);
  switch (ri.kind) {
  case VMRUN_REGION_RAM:
  case VMRUN_REGION_ROM: {
    int rom = ri.kind == VMRUN_REGION_ROM;
    uint64_t ppage = pa & VMRUN_PAGE_MASK;
    off = pa - ri.base;
    if (size > ri.size - off) /* the access leaves the region */
      return size > 1 ? access_bytes(s, cpu, va, size, acc, idx, val)
                      : VMRUN_FAULT_ACCESS;
    /* Only whole pages inside the region are TLB-cached. */
    if (ppage >= ri.base && ri.size >= VMRUN_PAGE_SIZE &&
        ppage - ri.base <= ri.size - VMRUN_PAGE_SIZE)
      tlb_fill(s, mc, idx, va, ppage, ri.host + (ppage - ri.base), prot, rom);
    if (acc == VMRUN_ACCESS_STORE) {
      if (rom) return 0; /* guest writes to ROM are ignored */
      st_le(ri.host + off, size, *val);
      if (s->host->phys_is_code(s->m, pa))
        s->host->code_written(s->m, pa, size);
    } else {
      *val = ld_le(ri.host + off, size);
    }
    return 0;
  }
  case VMRUN_REGION_MMIO: {
    uint64_t v;
    /* never TLB-cached; natural aligned accesses only */
    if (pa & (size - 1))
      return access_bytes(s, cpu, va, size, acc, idx, val);
    if (acc == VMRUN_ACCESS_STORE) {
      v = *val;
      if (s->host->phys_access(s->m, pa, size, 1, &v) < 0)
        return VMRUN_FAULT_ACCESS;
    } else {
      v = 0;
      if (s->host->phys_access(s->m, pa, size, 0, &v) < 0)
        return VMRUN_FAULT_ACCESS;
      if (size < 8) v &= (1ull << (8 * size)) - 1;
      *val = v;
    }
    return 0;
  }
  default:
    return VMRUN_FAULT_ACCESS;
  }
}

/* ---- vtable ---- */

static int smmu_create(const vmrun_host *host, vmrun_machine *m,
                       vmrun_cfg *opts, void **inst)
{
  smmu *s;
  (void)opts;
  s = calloc(1, sizeof *s);
  if (!s) return -VMRUN_ENOMEM;
  s->host = host;
  s->m = m;
  *inst = s;
  return 0;
}

static void smmu_destroy(void *inst)
{
  smmu *s = inst;
  if (!s) return;
  while (s->cpus) {
    smmu_cpu *mc = s->cpus;
    s->cpus = mc->next;
    if (mc->cpu && mc->cpu->mmu_data == mc) {
      mc->cpu->mmu_data = NULL;
      mc->cpu->tlb = NULL;
    }
    free(mc);
  }
  free(s);
}

static int smmu_cpu_attach(void *inst, vmrun_cpu *cpu)
{
  smmu *s = inst;
  smmu_cpu *mc = aligned_alloc(64, (sizeof(smmu_cpu) + 63) & ~(size_t)63);
  if (!mc) return -VMRUN_ENOMEM;
  memset(mc, 0, sizeof *mc);
  for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++) {
    tlb_clear_index(mc, i);
    mc->regime[i].mode = VMRUN_PAGING_BARE;
  }
  mc->cpu = cpu;
  mc->next = s->cpus;
  s->cpus = mc;
  cpu->mmu_data = mc;
  cpu->tlb = mc->tlb;
  return 0;
}

static void smmu_cpu_detach(void *inst, vmrun_cpu *cpu)
{
  smmu *s = inst;
  smmu_cpu **pp;
  for (pp = &s->cpus; *pp; pp = &(*pp)->next) {
    if ((*pp)->cpu == cpu) {
      smmu_cpu *mc = *pp;
      *pp = mc->next;
      free(mc);
      break;
    }
  }
  cpu->mmu_data = NULL;
  cpu->tlb = NULL;
}

static int smmu_access(void *inst, vmrun_cpu *cpu, uint64_t va, unsigned size,
                       enum vmrun_access acc, unsigned mmu_idx, uint64_t *val)
{
  smmu *s = inst;
  if (mmu_idx >= VMRUN_TLB_NB_IDX || size - 1 >= 8 || (size & (size - 1)))
    return VMRUN_FAULT_ACCESS; /* caller bug: refuse, never crash */
  if ((va & (VMRUN_PAGE_SIZE - 1)) + size > VMRUN_PAGE_SIZE)
    return access_bytes(s, cpu, va, size, acc, mmu_idx, val);
  return access_page(s, cpu, va, size, acc, mmu_idx, val);
}

static int smmu_translate(void *inst, vmrun_cpu *cpu, uint64_t va,
                          enum vmrun_access acc, unsigned mmu_idx,
                          uint64_t *pa)
{
  smmu *s = inst;
  unsigned prot;
  int f;
  if (mmu_idx >= VMRUN_TLB_NB_IDX) return VMRUN_FAULT_ACCESS;
  f = walk(s, mcpu(cpu), va, acc, mmu_idx, pa, &prot);
  if (f) return f;
  if (!(prot & acc_prot(acc))) return VMRUN_FAULT_PAGE;
  if (acc == VMRUN_ACCESS_FETCH) {
    /* code must come from somewhere: unmapped PA is an access fault */
    vmrun_region_info ri;
    s->host->phys_lookup(s->m, *pa, &ri);
    if (ri.kind == VMRUN_REGION_NONE) return VMRUN_FAULT_ACCESS;
  }
  return 0;
}

static int smmu_set_paging(void *inst, vmrun_cpu *cpu, unsigned mmu_idx,
                           const vmrun_paging *p)
{
  smmu_cpu *mc = mcpu(cpu);
  (void)inst;
  if (mmu_idx >= VMRUN_TLB_NB_IDX || !p || !mc) return -VMRUN_EINVAL;
  if (p->mode != VMRUN_PAGING_BARE) return -VMRUN_ENOTSUP;
  mc->regime[mmu_idx] = *p;
  tlb_clear_index(mc, mmu_idx);
  return 0;
}

static void smmu_tlb_flush(void *inst, vmrun_cpu *cpu, uint64_t va)
{
  smmu_cpu *mc = mcpu(cpu);
  (void)inst;
  if (!mc) return;
  if (va == VMRUN_TLB_INVALID) {
    for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++) tlb_clear_index(mc, i);
    return;
  }
  for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++)
    tlb_entry_clear(&mc->tlb[i][(va >> VMRUN_PAGE_BITS) &
                                (VMRUN_TLB_SIZE - 1)]);
}

static void smmu_code_page_added(void *inst, uint64_t gpa)
{
  smmu *s = inst;
  vmrun_region_info ri;
  uint64_t ppage = gpa & VMRUN_PAGE_MASK;
  uint64_t hp;
  s->host->phys_lookup(s->m, ppage, &ri);
  if (ri.kind != VMRUN_REGION_RAM || !ri.host) return;
  hp = (uint64_t)(uintptr_t)(ri.host + (ppage - ri.base));
  for (smmu_cpu *mc = s->cpus; mc; mc = mc->next)
    for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++)
      for (unsigned j = 0; j < VMRUN_TLB_SIZE; j++) {
        vmrun_tlb_entry *e = &mc->tlb[i][j];
        if (e->addr_write != VMRUN_TLB_INVALID &&
            e->addr_write + e->addend == hp)
          e->addr_write = VMRUN_TLB_INVALID;
      }
}

static const vmrun_mmu_ops smmu_ops = {
  sizeof(vmrun_mmu_ops), 0,
  smmu_create, smmu_destroy, smmu_cpu_attach, smmu_cpu_detach, smmu_access,
  smmu_translate, smmu_set_paging, smmu_tlb_flush, smmu_code_page_added
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_MMU, "softmmu", "0.1.0",
                    "Software MMU: soft TLB, bare translation", &smmu_ops);
