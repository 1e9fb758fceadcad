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
**   walk()    -> the regime of the TLB index: Bare, or a RISC-V Sv39/Sv48
**                page-table walk (walk_paged()) that checks permissions,
**                updates the A/D bits and returns pa + the permissions the
**                TLB may cache.
**
** Page tables (RISC-V Privileged ISA v1.12 §4.3-4.5): PTEs are read and
** written back through vmrun_host.phys_access, so a PTE outside RAM/ROM/
** MMIO gives an access fault of the original access type.  Hardware A/D
** updates: any permitted access sets A, a store sets D (read-check-write of
** the PTE on the vCPU thread; a single host thread runs all vCPUs).  The
** TLB caches the 4 KiB page of a translation (superpages too): addr_read
** if loads are permitted, addr_code if fetches are, addr_write only if
** stores are permitted AND D is already set, so the first store to a clean
** page takes the slow path and sets D.  No ASID tags: every satp change
** (set_paging) flushes the index, and SFENCE.VMA flushes the page (or, if
** a superpage could cover it, the whole index) in every index of the vCPU.
** Sv57 is not offered (set_paging returns -VMRUN_ENOTSUP; the walker is
** generic, enabling it is a matter of accepting the mode).
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

/* RISC-V PTE bits (Privileged ISA §4.4.1, Figure 4.21). */
#include "../common/rvpte.h"
/* bits 63:54: N (Svnapot), PBMT (Svpbmt) and reserved; none implemented */
#define PTE_RSVD (0x3ffull << 54)

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

typedef struct smmu_cpu {
  vmrun_tlb_entry tlb[VMRUN_TLB_NB_IDX][VMRUN_TLB_SIZE]; /* first: aligned */
  /* guest PA of the page of each TLB entry (valid while one of its
  ** addr_* fields is), for translate() hits */
  uint64_t tlb_pa[VMRUN_TLB_NB_IDX][VMRUN_TLB_SIZE];
  /* per TLB entry: its vpage when the page is writable but holds code
  ** (addr_write kept invalid so that stores reach code_written()), else
  ** VMRUN_TLB_INVALID; valid while addr_read still holds that vpage.
  ** Set by every tlb_fill(). */
  uint64_t tlb_wcode[VMRUN_TLB_NB_IDX][VMRUN_TLB_SIZE];
  /* with tlb_wcode: the page's code map (host code_map(), ABI 1.10) or
  ** NULL; a store that hits none of its bytes is a plain store */
  vmrun_code_map *tlb_wmap[VMRUN_TLB_NB_IDX][VMRUN_TLB_SIZE];
  /* VA range covering every superpage cached in an index (QEMU's idea):
  ** a page flush inside it flushes the whole index.  mask 0 = none. */
  uint64_t large_addr[VMRUN_TLB_NB_IDX], large_mask[VMRUN_TLB_NB_IDX];
  /* VA range covering every executable superpage translated (in any
  ** index) since tlb_flush_page() last returned 1: a page fence inside it
  ** makes tlb_flush_page() return 1 (and the core flush the engines
  ** whole).  Only that resets it: emptying TLB indexes does not (the
  ** engines may still hold blocks fetched through such a superpage, e.g.
  ** after --engine-check empties the TLB without flushing them). */
  uint64_t xlarge_addr, xlarge_mask;
  vmrun_paging regime[VMRUN_TLB_NB_IDX];
  vmrun_cpu *cpu;
  struct smmu_cpu *next;
} smmu_cpu;

typedef struct smmu {
  const vmrun_host *host;
  vmrun_machine *m;
  /* host->code_map, or NULL on a core older than ABI 1.10 */
  vmrun_code_map *(*code_map)(vmrun_machine *m, uint64_t gpa);
  smmu_cpu *cpus; /* attached vCPUs */
} smmu;

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
  mc->large_addr[idx] = mc->large_mask[idx] = 0;
}

/* The engines flush their VA-keyed caches whole: restart the executable
** superpage range.  Every index that may hold superpage entries is
** emptied too, so each superpage fetch translation the engines make from
** now on goes through tlb_fill() or a walk, which note it again. */
static void xlarge_reset(smmu_cpu *mc)
{
  for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++)
    if (mc->large_mask[i]) tlb_clear_index(mc, i);
  mc->xlarge_addr = mc->xlarge_mask = 0;
}

static smmu_cpu *mcpu(vmrun_cpu *cpu)
{
  return (smmu_cpu *)cpu->mmu_data;
}

/* ---- translation ---- */

static unsigned acc_prot(enum vmrun_access acc)
{
  return acc == VMRUN_ACCESS_STORE ? PROT_W
       : acc == VMRUN_ACCESS_FETCH ? PROT_X : PROT_R;
}

/* RISC-V Sv39/Sv48 (generic in the number of levels) page-table walk,
** Privileged ISA §4.3.2.  `update`: set A (and D for a store) in the leaf
** PTE; 0 only probes (nothing written, the result must not be cached).
** On success *pa, *prot (what the TLB may cache for this regime: W only
** when D is set) and *pgsize (size of the leaf page). */
static __attribute__((noinline)) int walk_paged(smmu *s,
                                                const vmrun_paging *p,
                                                uint64_t va,
                                                enum vmrun_access acc,
                                                int update, uint64_t *pa,
                                                unsigned *prot,
                                                uint64_t *pgsize)
{
  const unsigned levels = p->mode - VMRUN_PAGING_SV39 + 3;
  const unsigned sh = 64 - (VMRUN_PAGE_BITS + 9 * levels);
  uint64_t a = p->root & ~(uint64_t)(VMRUN_PAGE_SIZE - 1);
  int i;

  /* bits 63:VALEN must equal bit VALEN-1 (§4.4.1, §4.5.1) */
  if ((uint64_t)((int64_t)(va << sh) >> sh) != va) return VMRUN_FAULT_PAGE;
  for (i = (int)levels - 1; i >= 0; i--) {
    const unsigned shift = VMRUN_PAGE_BITS + 9 * (unsigned)i;
    uint64_t pte_addr = a + ((va >> shift) & 0x1ff) * 8, pte = 0, ppn;
    unsigned allowed;
    if (s->host->phys_access(s->m, pte_addr, 8, 0, &pte) < 0)
      return VMRUN_FAULT_ACCESS;
    if (!(pte & PTE_V) || (pte & (PTE_R | PTE_W)) == PTE_W ||
        (pte & PTE_RSVD))
      return VMRUN_FAULT_PAGE;
    ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
    if (!(pte & (PTE_R | PTE_W | PTE_X))) {
      /* pointer to the next level; D, A, U are reserved there */
      if (pte & (PTE_A | PTE_D | PTE_U)) return VMRUN_FAULT_PAGE;
      a = ppn << VMRUN_PAGE_BITS;
      continue;
    }
    /* leaf: a superpage must be aligned (ppn[i-1:0] == 0) */
    if (ppn & ((1ull << (9 * (unsigned)i)) - 1)) return VMRUN_FAULT_PAGE;
    allowed = 0;
    if (pte & PTE_R) allowed |= PROT_R;
    if (pte & PTE_W) allowed |= PROT_W;
    if (pte & PTE_X) allowed |= PROT_X;
    if ((pte & PTE_X) && (p->flags & VMRUN_PAGING_MXR)) allowed |= PROT_R;
    if (p->flags & VMRUN_PAGING_USER) {
      if (!(pte & PTE_U)) allowed = 0;         /* U mode: U pages only */
    } else if (pte & PTE_U) {                  /* S mode on a U page */
      allowed &= (p->flags & VMRUN_PAGING_SUM) ? (PROT_R | PROT_W) : 0;
    }
    if (!(allowed & acc_prot(acc))) return VMRUN_FAULT_PAGE;
    if (update) {
      uint64_t npte = pte | PTE_A;
      if (acc == VMRUN_ACCESS_STORE) npte |= PTE_D;
      if (npte != pte) {
        /* single host thread: nothing changed the PTE since the read */
        if (s->host->phys_access(s->m, pte_addr, 8, 1, &npte) < 0)
          return VMRUN_FAULT_ACCESS;
        pte = npte;
      }
    }
    if (update && !(pte & PTE_D))
      allowed &= ~PROT_W;                      /* first store: slow path */
    *pgsize = 1ull << shift;
    *pa = (ppn << VMRUN_PAGE_BITS) | (va & (*pgsize - 1));
    *prot = allowed;
    return 0;
  }
  return VMRUN_FAULT_PAGE;  /* pointer at level 0 */
}

/* Translate va in TLB index idx: *pa, the page's permissions (PROT_*)
** and the size of the page that maps it.  Returns 0 or a fault.  Regimes
** with page tables check the access `acc` and, with `update`, set A/D. */
static inline int walk(smmu *s, smmu_cpu *mc, uint64_t va,
                       enum vmrun_access acc, unsigned idx, int update,
                       uint64_t *pa, unsigned *prot, uint64_t *pgsize)
{
  const vmrun_paging *p = &mc->regime[idx];
  if (LIKELY(p->mode == VMRUN_PAGING_BARE)) {
    *pa = va;
    *prot = PROT_R | PROT_W | PROT_X;
    *pgsize = VMRUN_PAGE_SIZE;
    return 0;
  }
  return walk_paged(s, p, va, acc, update, pa, prot, pgsize);
}

/* A 4 KiB page of a superpage of `pgsize` bytes holding va is entered in
** index idx: widen the index's superpage range (see smmu_tlb_flush). */
static void widen_range(uint64_t *addr, uint64_t *rmask, uint64_t va,
                        uint64_t pgsize)
{
  uint64_t mask = ~(pgsize - 1), base = va & mask;
  if (*rmask == 0) {
    *addr = base;
    *rmask = mask;
  } else {
    mask &= *rmask;
    while ((*addr ^ base) & mask) mask <<= 1;
    *rmask = mask;
    *addr &= mask;
  }
}

static __attribute__((noinline)) void note_large_page(smmu_cpu *mc,
                                                      unsigned idx,
                                                      uint64_t va,
                                                      uint64_t pgsize,
                                                      unsigned prot)
{
  widen_range(&mc->large_addr[idx], &mc->large_mask[idx], va, pgsize);
  if (prot & PROT_X) widen_range(&mc->xlarge_addr, &mc->xlarge_mask, va, pgsize);
}

/* Refill the TLB entry of the page holding va for a RAM/ROM page whose
** host address is `hpage` (page-aligned guest PA `ppage`); `pgsize` is
** the size of the guest page (superpage) that maps it. */
static inline void tlb_fill(smmu *s, smmu_cpu *mc, unsigned idx, uint64_t va,
                            uint64_t ppage, uint8_t *hpage, unsigned prot,
                            int rom, uint64_t pgsize)
{
  uint64_t vpage = va & VMRUN_PAGE_MASK;
  unsigned slot = VMRUN_TLB_INDEX(va);
  vmrun_tlb_entry *e = &mc->tlb[idx][slot];
  if (UNLIKELY(pgsize > VMRUN_PAGE_SIZE))
    note_large_page(mc, idx, va, pgsize, prot);
  mc->tlb_pa[idx][slot] = ppage;
  e->addr_read = (prot & PROT_R) ? vpage : VMRUN_TLB_INVALID;
  e->addr_code = (prot & PROT_X) ? vpage : VMRUN_TLB_INVALID;
  e->addr_write = VMRUN_TLB_INVALID;
  mc->tlb_wcode[idx][slot] = VMRUN_TLB_INVALID;
  if ((prot & PROT_W) && !rom) {
    if (!s->host->phys_is_code(s->m, ppage)) e->addr_write = vpage;
    else if (prot & PROT_R) {
      mc->tlb_wcode[idx][slot] = vpage;
      mc->tlb_wmap[idx][slot] = s->code_map ? s->code_map(s->m, ppage) : NULL;
    }
  }
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
      uint64_t pa, pgsize;
      unsigned prot;
      vmrun_region_info ri;
      f = walk(s, mc, a, acc, idx, 0, &pa, &prot, &pgsize); /* probe only */
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
  uint64_t pa, off, pgsize;
  unsigned prot;
  int f = walk(s, mc, va, acc, idx, 1, &pa, &prot, &pgsize);
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
      tlb_fill(s, mc, idx, va, ppage, ri.host + (ppage - ri.base), prot, rom,
               pgsize);
    if (acc == VMRUN_ACCESS_STORE) {
      if (rom) return 0; /* guest writes to ROM are ignored */
      vmrun_store_le(ri.host + off, size, *val);
      if (s->host->phys_is_code(s->m, pa))
        s->host->code_written(s->m, pa, size);
    } else {
      *val = vmrun_load_le(ri.host + off, size);
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
  s->code_map = VMRUN_HOST_HAS(host, code_map) ? host->code_map : NULL;
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

/* The rest of access() (below): a function of its own so that the
** store fast path in smmu_access() runs without its frame. */
static __attribute__((noinline)) int
access_slow(smmu *s, vmrun_cpu *cpu, uint64_t va, unsigned size,
            enum vmrun_access acc, unsigned mmu_idx, uint64_t *val)
{
  if (mmu_idx >= VMRUN_TLB_NB_IDX || size - 1 >= 8 || (size & (size - 1)))
    return VMRUN_FAULT_ACCESS; /* caller bug: refuse, never crash */
  if ((va & (VMRUN_PAGE_SIZE - 1)) + size > VMRUN_PAGE_SIZE)
    return access_bytes(s, cpu, va, size, acc, mmu_idx, val);
  if (acc == VMRUN_ACCESS_STORE) {
    /* a store to a writable page that holds code (data next to code, as
    ** in small bare-metal programs): its TLB entry says so, so no walk
    ** and no refill, only the store and the SMC check */
    smmu_cpu *mc = mcpu(cpu);
    unsigned slot = VMRUN_TLB_INDEX(va);
    uint64_t vpage = va & VMRUN_PAGE_MASK, pa;
    vmrun_region_info ri;
    if (mc->tlb_wcode[mmu_idx][slot] == vpage &&
        mc->tlb[mmu_idx][slot].addr_read == vpage) {
      pa = mc->tlb_pa[mmu_idx][slot] | (va & (VMRUN_PAGE_SIZE - 1));
      s->host->phys_lookup(s->m, pa, &ri);  /* (--engine-check logs it) */
      if (ri.kind == VMRUN_REGION_RAM && size <= ri.size - (pa - ri.base)) {
        vmrun_store_le(ri.host + (pa - ri.base), size, *val);
        if (s->host->phys_is_code(s->m, pa))
          s->host->code_written(s->m, pa, size);
        return 0;
      }
    }
  }
  return access_page(s, cpu, va, size, acc, mmu_idx, val);
}

static int smmu_access(void *inst, vmrun_cpu *cpu, uint64_t va, unsigned size,
                       enum vmrun_access acc, unsigned mmu_idx, uint64_t *val)
{
  if (acc == VMRUN_ACCESS_STORE && mmu_idx < VMRUN_TLB_NB_IDX &&
      (size == 1 || size == 2 || size == 4 || size == 8)) {
    /* A store to a writable page that holds code whose TLB entry says
    ** so (tlb_wcode), hitting none of the translated bytes (its
    ** vmrun_code_map): it cannot change a block, so no call into the core
    ** and no frame (nbody keeps its data next to its code). */
    smmu_cpu *mc = mcpu(cpu);
    unsigned slot = VMRUN_TLB_INDEX(va);
    unsigned off = (unsigned)(va & (VMRUN_PAGE_SIZE - 1));
    uint64_t vpage = va & VMRUN_PAGE_MASK;
    const vmrun_tlb_entry *e = &mc->tlb[mmu_idx][slot];
    vmrun_code_map *cm = mc->tlb_wmap[mmu_idx][slot];
    if (mc->tlb_wcode[mmu_idx][slot] == vpage && e->addr_read == vpage &&
        cm && off % 64 + size <= 64 &&
        !(cm->bits[off / 64] >> (off % 64) & ((2ull << (size - 1)) - 1))) {
      vmrun_store_le((uint8_t *)(uintptr_t)(va + e->addend), size, *val);
      cm->data_stores++;
      return 0;
    }
  }
  return access_slow(inst, cpu, va, size, acc, mmu_idx, val);
}

static int smmu_translate(void *inst, vmrun_cpu *cpu, uint64_t va,
                          enum vmrun_access acc, unsigned mmu_idx,
                          uint64_t *pa)
{
  smmu *s = inst;
  smmu_cpu *mc = mcpu(cpu);
  vmrun_region_info ri;
  const vmrun_tlb_entry *e;
  uint64_t vpage = va & VMRUN_PAGE_MASK, field, pgsize;
  unsigned prot, slot;
  int f;
  if (mmu_idx >= VMRUN_TLB_NB_IDX) return VMRUN_FAULT_ACCESS;
  /* TLB hit: the engines translate every new fetch pc through here */
  slot = VMRUN_TLB_INDEX(va);
  e = &mc->tlb[mmu_idx][slot];
  field = acc == VMRUN_ACCESS_FETCH ? e->addr_code
        : acc == VMRUN_ACCESS_STORE ? e->addr_write : e->addr_read;
  if (field == vpage) {
    *pa = mc->tlb_pa[mmu_idx][slot] | (va & (VMRUN_PAGE_SIZE - 1));
    return 0;
  }
  f = walk(s, mc, va, acc, mmu_idx, 1, pa, &prot, &pgsize);
  if (f) return f;
  if (!(prot & acc_prot(acc))) return VMRUN_FAULT_PAGE;
  /* a fetch translation the engines may cache, even when not entered in
  ** the TLB below */
  if (acc == VMRUN_ACCESS_FETCH && pgsize > VMRUN_PAGE_SIZE)
    widen_range(&mc->xlarge_addr, &mc->xlarge_mask, va, pgsize);
  s->host->phys_lookup(s->m, *pa, &ri);
  /* code must come from somewhere: unmapped PA is an access fault */
  if (acc == VMRUN_ACCESS_FETCH && ri.kind == VMRUN_REGION_NONE)
    return VMRUN_FAULT_ACCESS;
  if (ri.kind == VMRUN_REGION_RAM || ri.kind == VMRUN_REGION_ROM) {
    uint64_t ppage = *pa & VMRUN_PAGE_MASK;
    if (ppage >= ri.base && ri.size >= VMRUN_PAGE_SIZE &&
        ppage - ri.base <= ri.size - VMRUN_PAGE_SIZE)
      tlb_fill(s, mc, mmu_idx, va, ppage, ri.host + (ppage - ri.base), prot,
               ri.kind == VMRUN_REGION_ROM, pgsize);
  }
  return 0;
}

static int smmu_set_paging(void *inst, vmrun_cpu *cpu, unsigned mmu_idx,
                           const vmrun_paging *p)
{
  smmu_cpu *mc = mcpu(cpu);
  (void)inst;
  if (mmu_idx >= VMRUN_TLB_NB_IDX || !p || !mc) return -VMRUN_EINVAL;
  if (p->mode != VMRUN_PAGING_BARE && p->mode != VMRUN_PAGING_SV39 &&
      p->mode != VMRUN_PAGING_SV48)
    return -VMRUN_ENOTSUP;  /* Sv57 and unknown modes */
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
  for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++) {
    /* a superpage cached in this index may cover va: its other 4 KiB
    ** pages come from the same leaf PTE, so drop them all */
    if (mc->large_mask[i] && (va & mc->large_mask[i]) == mc->large_addr[i])
      tlb_clear_index(mc, i);
    else
      tlb_entry_clear(&mc->tlb[i][VMRUN_TLB_INDEX(va)]);
  }
}

/* 1 when va lies in an executable superpage translated since the
** engines last flushed whole (then they do now: range reset). */
static int smmu_tlb_flush_page(void *inst, vmrun_cpu *cpu, uint64_t va)
{
  smmu_cpu *mc = mcpu(cpu);
  int wide;
  if (!mc) return 1;
  smmu_tlb_flush(inst, cpu, va);
  wide = mc->xlarge_mask && (va & mc->xlarge_mask) == mc->xlarge_addr;
  if (wide) xlarge_reset(mc);
  return wide;
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
  smmu_translate, smmu_set_paging, smmu_tlb_flush, smmu_code_page_added,
  smmu_tlb_flush_page
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_MMU, "softmmu", "0.1.0",
                    "Software MMU: soft TLB, Bare/Sv39/Sv48 translation",
                    &smmu_ops);
