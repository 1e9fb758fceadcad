/*
** core/physmem.c - the guest physical memory map: RAM and ROM as host
** memory, MMIO regions owned by devices, and the code-page bitmap that
** drives self-modifying-code invalidation.
**
** Regions are kept sorted by base and never overlap.  Every access by a
** device, DMA or the MMU is bounds-checked here: a guest-supplied address
** never becomes an unchecked host pointer.
*/
#include "vmrun-config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core.h"
#include "lua.h"

static void cb_free_all(vmrun_machine *m);

/* Guest RAM: page-aligned anonymous memory, where untouched pages cost
** nothing.  Regions of 2 MiB or more start on a 2 MiB boundary and ask
** for transparent huge pages (as QEMU does for guest RAM): a guest that
** touches its memory at random then misses the host's TLB far less.
** Only with `want_huge` set.  Returns NULL when the host is out of address
** space. */
static void *map_ram(size_t size, int want_huge)
{
  const size_t huge = (size_t)2 << 20;
  size_t len = want_huge && size >= huge ? size + huge : size;
  uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return NULL;
  if (len != size) {
    size_t head = (size_t)(-(uintptr_t)p & (huge - 1));
    if (head) munmap(p, head);
    if (len - head - size) munmap(p + head + size, len - head - size);
    p += head;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, size, MADV_HUGEPAGE); /* advice only: may be refused */
#endif
  }
  return p;
}

int vmrun__phys_add(vmrun_machine *m, const char *name,
                    enum vmrun_region_kind kind, uint64_t base, uint64_t size,
                    const vmrun_mmio_ops *ops, void *opaque)
{
  vmrun_region *nr, r;
  size_t pos;

  memset(&r, 0, sizeof r);
  if (size == 0 || base + size - 1 < base) {
    vmrun__diag("vmrun: region '%s' at 0x%llx has an invalid size 0x%llx",
                name, (unsigned long long)base, (unsigned long long)size);
    return -VMRUN_EINVAL;
  }
  for (size_t i = 0; i < m->n_regions; i++) {
    vmrun_region *o = &m->regions[i];
    if (base <= o->base + o->size - 1 && o->base <= base + size - 1) {
      vmrun__diag("vmrun: region '%s' [0x%llx-0x%llx] overlaps '%s' "
                  "[0x%llx-0x%llx]", name, (unsigned long long)base,
                  (unsigned long long)(base + size - 1), o->name,
                  (unsigned long long)o->base,
                  (unsigned long long)(o->base + o->size - 1));
      return -VMRUN_EEXIST;
    }
  }
  r.name = strdup(name);
  r.kind = kind;
  r.base = base;
  r.size = size;
  r.ops = ops;
  r.opaque = opaque;
  if (!r.name) goto oom;
  if (kind == VMRUN_REGION_RAM || kind == VMRUN_REGION_ROM) {
    /* user mode maps and unmaps guest pages one by one (and its page
    ** tables are sparse): 4 KiB host pages there */
    void *p = map_ram(size, !m->desc.user_mode);
    if (!p) goto oom;
    r.host = p;
    if (kind == VMRUN_REGION_RAM) {
      /* (+ 1: a region's partial last page, and never calloc(0)) */
      r.code_pages = calloc(size / VMRUN_PAGE_SIZE + 1, 1);
      if (!r.code_pages) { munmap(p, size); goto oom; }
    }
  }
  nr = realloc(m->regions, (m->n_regions + 1) * sizeof *nr);
  if (!nr) {
    if (r.host) munmap(r.host, size);
    free(r.code_pages);
    goto oom;
  }
  m->regions = nr;
  for (pos = 0; pos < m->n_regions && m->regions[pos].base < base; pos++) {}
  memmove(&m->regions[pos + 1], &m->regions[pos],
          (m->n_regions - pos) * sizeof *nr);
  m->regions[pos] = r;
  m->n_regions++;
  m->last_region = NULL;
  return 0;
oom:
  free(r.name);
  vmrun__diag("vmrun: out of memory adding region '%s' (0x%llx bytes)", name,
              (unsigned long long)size);
  return -VMRUN_ENOMEM;
}

vmrun_region *vmrun__phys_find(vmrun_machine *m, uint64_t gpa)
{
  vmrun_region *r = m->last_region;
  size_t lo = 0, hi = m->n_regions;
  if (r && gpa - r->base < r->size) return r;
  while (lo < hi) {  /* binary search over sorted, disjoint regions */
    size_t mid = (lo + hi) / 2;
    vmrun_region *c = &m->regions[mid];
    if (gpa < c->base) hi = mid;
    else if (gpa - c->base >= c->size) lo = mid + 1;
    else { m->last_region = c; return c; }
  }
  return NULL;
}

void vmrun__phys_free(vmrun_machine *m)
{
  for (size_t i = 0; i < m->n_regions; i++) {
    vmrun_region *r = &m->regions[i];
    if (r->host) munmap(r->host, r->size);
    free(r->code_pages);
    free(r->name);
  }
  free(m->regions);
  cb_free_all(m);
  m->regions = NULL;
  m->n_regions = 0;
}

/* [gpa, gpa+len) wholly inside one RAM/ROM region?  Returns it or NULL. */
static vmrun_region *mem_span(vmrun_machine *m, uint64_t gpa, size_t len)
{
  vmrun_region *r = vmrun__phys_find(m, gpa);
  if (!r || !r->host) return NULL;
  if (len > r->size - (gpa - r->base)) return NULL;
  return r;
}

static int host_phys_read(vmrun_machine *m, uint64_t gpa, void *buf,
                          size_t len)
{
  vmrun_region *r;
  if (len == 0) return 0;
  r = mem_span(m, gpa, len);
  if (!r) return -VMRUN_EFAULT;
  memcpy(buf, r->host + (gpa - r->base), len);
  return 0;
}

static void code_written(vmrun_machine *m, uint64_t gpa, uint64_t len);

static int host_phys_write(vmrun_machine *m, uint64_t gpa, const void *buf,
                           size_t len)
{
  vmrun_region *r;
  if (len == 0) return 0;
  r = mem_span(m, gpa, len);
  if (!r) return -VMRUN_EFAULT;
  if (r->kind == VMRUN_REGION_ROM) return -VMRUN_EPERM;
  if (m->check_logging)
    vmrun__check_log_ram(m, r->host + (gpa - r->base), gpa, len, 1);
  memcpy(r->host + (gpa - r->base), buf, len);
  code_written(m, gpa, len);
  return 0;
}

static void host_phys_lookup(vmrun_machine *m, uint64_t gpa,
                             vmrun_region_info *out)
{
  vmrun_region *r = vmrun__phys_find(m, gpa);
  memset(out, 0, sizeof *out);
  if (!r) return;
  out->kind = r->kind;
  out->base = r->base;
  out->size = r->size;
  out->host = r->host;
  out->ops = r->ops;
  out->opaque = r->opaque;
  /* --engine-check: the MMU's slow path and helpers (atomics) may write
  ** through this pointer */
  if (m->check_logging && r->kind == VMRUN_REGION_RAM)
    vmrun__check_log_lookup(m, r->host, r->base, r->size, gpa);
}

static int host_mmio_register(vmrun_machine *m, const char *name,
                              uint64_t gpa, uint64_t size,
                              const vmrun_mmio_ops *ops, void *opaque)
{
  if (!ops || !ops->read || !ops->write) return -VMRUN_EINVAL;
  return vmrun__phys_add(m, name, VMRUN_REGION_MMIO, gpa, size, ops, opaque);
}

static int host_phys_access(vmrun_machine *m, uint64_t gpa, unsigned size,
                            int is_write, uint64_t *val)
{
  vmrun_region *r = vmrun__phys_find(m, gpa);
  uint64_t off;
  if (!r || size - 1 >= 8 || size > r->size - (gpa - r->base))
    return -VMRUN_EFAULT;
  off = gpa - r->base;
  switch (r->kind) {
  case VMRUN_REGION_RAM:
    if (is_write) {
      if (m->check_logging)
        vmrun__check_log_ram(m, r->host + off, gpa, size, 1);
      memcpy(r->host + off, val, size);
      code_written(m, gpa, size);
    } else {
      *val = vmrun_load_le(r->host + off, size);
    }
    return 0;
  case VMRUN_REGION_ROM:
    if (!is_write) *val = vmrun_load_le(r->host + off, size);
    return 0;
  case VMRUN_REGION_MMIO:
    m->check_mmio++;            /* --engine-check: not replayable */
    if (is_write) {
      uint64_t v = *val;
      if (size < 8) v &= (1ull << (size * 8)) - 1;
      r->ops->write(r->opaque, off, size, v);
      if (m->lua_mmio) vmrun__lua_mmio(m, r->name, off, size, 1, v);
    } else {
      *val = r->ops->read(r->opaque, off, size);
      if (size < 8) *val &= (1ull << (size * 8)) - 1;
      if (m->lua_mmio) vmrun__lua_mmio(m, r->name, off, size, 0, *val);
    }
    return 0;
  default:
    return -VMRUN_EFAULT;
  }
}

static int host_phys_is_code(vmrun_machine *m, uint64_t gpa)
{
  vmrun_region *r = vmrun__phys_find(m, gpa);
  uint64_t pg;
  if (!r || !r->code_pages) return 0;
  pg = (gpa - r->base) >> VMRUN_PAGE_BITS;
  return r->code_pages[pg];
}

/*
** Self-modifying code.  A RAM page from which a block was translated is
** marked in its region's code_pages, and the MMU keeps it out of the write
** TLB, so every store to it reaches code_written().  Besides the page bit
** the core keeps, per code page, a bitmap of the bytes that were fetched
** (as QEMU's SMC bitmap): a store that touches none of them (data that
** shares a page with code, common in small bare-metal programs and in
** kernels) invalidates nothing.  A store that hits a fetched byte drops
** every translation of the page, clears the page bit and the bitmap (the
** page is marked again when re-translated).  Bits of blocks dropped for
** other reasons stay set until then: that only costs an invalidation.
*/
typedef struct vmrun_codebytes {
  vmrun_code_map map;             /* host code_map(): bits, data_stores */
  uint64_t page;                  /* gpa >> VMRUN_PAGE_BITS */
  struct vmrun_codebytes *next;   /* hash chain */
} vmrun_codebytes;

static uint32_t cb_hash(uint64_t page)
{
  return (uint32_t)((page * 0x9e3779b97f4a7c15ull) >> 32);
}

static vmrun_codebytes *cb_find(vmrun_machine *m, uint64_t page)
{
  vmrun_codebytes *c = m->cb_last;
  if (c && c->page == page) return c;       /* data stores hit one page */
  if (!m->cb_tab) return NULL;
  for (c = m->cb_tab[cb_hash(page) & m->cb_mask]; c; c = c->next)
    if (c->page == page) return m->cb_last = c;
  return NULL;
}

/* The entry of `page`, created on first use; NULL on ENOMEM (the caller
** then falls back to whole-page invalidation). */
static vmrun_codebytes *cb_get(vmrun_machine *m, uint64_t page)
{
  vmrun_codebytes *c = cb_find(m, page);
  if (c) return c;
  if (!m->cb_tab || m->cb_count >= 2 * (m->cb_mask + 1)) {
    uint32_t nsize = m->cb_tab ? 2 * (m->cb_mask + 1) : 256;
    vmrun_codebytes **nt = calloc(nsize, sizeof *nt);
    if (!nt) return NULL;
    if (m->cb_tab) {
      for (uint32_t i = 0; i <= m->cb_mask; i++) {
        vmrun_codebytes *q, *nq;
        for (q = m->cb_tab[i]; q; q = nq) {
          nq = q->next;
          q->next = nt[cb_hash(q->page) & (nsize - 1)];
          nt[cb_hash(q->page) & (nsize - 1)] = q;
        }
      }
      free(m->cb_tab);
    }
    m->cb_tab = nt;
    m->cb_mask = nsize - 1;
  }
  if (!(c = calloc(1, sizeof *c))) return NULL;
  c->page = page;
  c->next = m->cb_tab[cb_hash(page) & m->cb_mask];
  m->cb_tab[cb_hash(page) & m->cb_mask] = c;
  m->cb_count++;
  return c;
}

/* Set (val 1) or test bytes [off, off+len) of a page bitmap. */
static void cb_set(vmrun_codebytes *c, unsigned off, unsigned len)
{
  for (unsigned i = off; i < off + len && i < VMRUN_PAGE_SIZE; i++)
    c->map.bits[i / 64] |= 1ull << (i % 64);
}

static int cb_any(const vmrun_codebytes *c, unsigned off, unsigned len)
{
  if (len <= 8 && off % 64 + len <= 64)     /* a data store: one word */
    return (c->map.bits[off / 64] >> (off % 64) & ((2ull << (len - 1)) - 1)) != 0;
  for (unsigned i = off; i < off + len && i < VMRUN_PAGE_SIZE; i++)
    if ((c->map.bits[i / 64] >> (i % 64)) & 1) return 1;
  return 0;
}

static void cb_free_all(vmrun_machine *m)
{
  if (!m->cb_tab) return;
  for (uint32_t i = 0; i <= m->cb_mask; i++) {
    vmrun_codebytes *q, *nq;
    for (q = m->cb_tab[i]; q; q = nq) { nq = q->next; free(q); }
  }
  free(m->cb_tab);
  m->cb_tab = NULL;
  m->cb_last = NULL;
  m->cb_mask = m->cb_count = 0;
}

/* User mode's direct path (vmrun_direct_mem.code_pages, VA == PA): a
** store to page p goes the slow way while bit 0 of byte p (p holds code)
** or bit 1 (p + 1 holds code: a misaligned store may run into it) is
** set. */
static void direct_code_mark(vmrun_machine *m, uint64_t gpa, int on)
{
  uint64_t pg = gpa >> VMRUN_PAGE_BITS;
  uint8_t *cp = m->direct_code;
  if (!cp || pg >> (m->direct.va_bits - VMRUN_PAGE_BITS)) return;
  if (on) {
    cp[pg] |= 1;
    if (pg) cp[pg - 1] |= 2;
  } else {
    cp[pg] &= (uint8_t)~1u;
    if (pg) cp[pg - 1] &= (uint8_t)~2u;
  }
}

/* The RAM window's code_granules (vmrun/engine.h): bit 0 of byte g says
** a translated byte lies in granule g (8 bytes), bit 1 that one lies in
** g + 1.  Set for the fetched bytes [gpa, gpa + len) of the window. */
static void granules_mark(vmrun_machine *m, uint64_t gpa, unsigned len)
{
  uint8_t *cg = m->ram_granules;
  uint64_t off = gpa - m->ram_window.base, g, last;
  if (!cg || off >= m->ram_window.size) return;
  last = (off + (len ? len : 1) - 1) >> VMRUN_RAM_GRANULE_BITS;
  if (last >= m->ram_granules_len) last = m->ram_granules_len - 1;
  for (g = off >> VMRUN_RAM_GRANULE_BITS; g <= last; g++) {
    cg[g] |= 1;
    if (g) cg[g - 1] |= 2;
  }
}

/* The page at gpa (page-aligned) no longer holds code: its granules are
** clear, the one before it no longer points into it, and its last one
** still points into the next page if that has code. */
static void granules_clear_page(vmrun_machine *m, uint64_t gpa)
{
  const uint64_t n = VMRUN_PAGE_SIZE >> VMRUN_RAM_GRANULE_BITS;
  uint8_t *cg = m->ram_granules;
  uint64_t off = gpa - m->ram_window.base, g0;
  if (!cg || off >= m->ram_window.size) return;
  g0 = off >> VMRUN_RAM_GRANULE_BITS;
  memset(cg + g0, 0, n);
  if (g0) cg[g0 - 1] &= (uint8_t)~2u;
  if (g0 + n < m->ram_granules_len && (cg[g0 + n] & 1)) cg[g0 + n - 1] |= 2;
}

void vmrun__phys_mark_code(vmrun_machine *m, uint64_t gpa, unsigned len)
{
  vmrun_region *r = vmrun__phys_find(m, gpa);
  vmrun_codebytes *c;
  uint64_t pg;
  unsigned off = (unsigned)(gpa & (VMRUN_PAGE_SIZE - 1));
  if (!r || !r->code_pages) return;
  pg = (gpa - r->base) >> VMRUN_PAGE_BITS;
  if ((c = cb_get(m, gpa >> VMRUN_PAGE_BITS)) != NULL)
    cb_set(c, off, len ? len : 1);
  granules_mark(m, gpa, len);
  if (r->code_pages[pg]) return;
  r->code_pages[pg] = 1;
  direct_code_mark(m, gpa, 1);
  if (m->mmu && m->mmu->code_page_added)
    m->mmu->code_page_added(m->mmu_inst, gpa & VMRUN_PAGE_MASK);
}

/* Stores to pages holding code (see above). */
static void code_written(vmrun_machine *m, uint64_t gpa, uint64_t len)
{
  uint64_t end = gpa + (len ? len : 1) - 1;
  if (end < gpa) end = ~(uint64_t)0;
  for (uint64_t a = gpa & VMRUN_PAGE_MASK; a <= end; a += VMRUN_PAGE_SIZE) {
    vmrun_region *r = vmrun__phys_find(m, a);
    vmrun_codebytes *c;
    uint64_t pg, lo = a > gpa ? a : gpa;
    uint64_t hi = end - a >= VMRUN_PAGE_SIZE ? a + VMRUN_PAGE_SIZE - 1 : end;
    if (!r || !r->code_pages) goto next;
    pg = (a - r->base) >> VMRUN_PAGE_BITS;
    if (!r->code_pages[pg]) goto next;
    c = cb_find(m, a >> VMRUN_PAGE_BITS);
    if (c && !cb_any(c, (unsigned)(lo - a), (unsigned)(hi - lo + 1))) {
      c->map.data_stores++;
      goto next;                      /* data next to code: nothing to do */
    }
    if (c) memset(c->map.bits, 0, sizeof c->map.bits);
    r->code_pages[pg] = 0;
    granules_clear_page(m, a);
    direct_code_mark(m, a, 0);
    m->smc_page_flushes++;
    vmrun__engines_invalidate(m, a, VMRUN_PAGE_SIZE);
  next:
    if (a + VMRUN_PAGE_SIZE < a || a + VMRUN_PAGE_SIZE > end) break;
  }
}

/* host code_map(): the page's entry, which lives as long as the machine
** (cb_free_all at teardown); none while --engine-check must log every
** store, or for a page outside RAM. */
static vmrun_code_map *host_code_map(vmrun_machine *m, uint64_t gpa)
{
  vmrun_region *r;
  vmrun_codebytes *c;
  if (m->check) return NULL;
  r = vmrun__phys_find(m, gpa);
  if (!r || !r->code_pages) return NULL;
  c = cb_find(m, gpa >> VMRUN_PAGE_BITS);
  return c ? &c->map : NULL;
}

/* Stores next to code so far (--stats smc_data_stores): counted in each
** page's map, by code_written() or by an MMU's fast path. */
uint64_t vmrun__phys_data_stores(vmrun_machine *m)
{
  uint64_t n = 0;
  if (!m->cb_tab) return 0;
  for (uint32_t i = 0; i <= m->cb_mask; i++)
    for (const vmrun_codebytes *q = m->cb_tab[i]; q; q = q->next)
      n += q->map.data_stores;
  return n;
}

void vmrun__host_init_physmem(vmrun_host *h)
{
  h->phys_read = host_phys_read;
  h->phys_write = host_phys_write;
  h->phys_lookup = host_phys_lookup;
  h->mmio_register = host_mmio_register;
  h->phys_access = host_phys_access;
  h->phys_is_code = host_phys_is_code;
  h->code_written = code_written;
  h->code_map = host_code_map;
}
