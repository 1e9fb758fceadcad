/*
** plugins/tjit/cache.c - translation cache of the template JIT: hash of
** blocks keyed by (guest physical PC, guest virtual PC, tb_flags), per-page
** block lists for invalidate(), deferred frees, block chaining links.
** Adapted from plugins/interp/engine.c (same structure and rules).
*/
#include <stdlib.h>
#include <string.h>

#include "tjit_int.h"

static uint32_t hash_key(uint64_t pa, uint64_t pc, uint32_t flags)
{
  uint64_t h = pa * 0x9E3779B97F4A7C15ull;
  h ^= (pc + (pc >> 29)) * 0xC2B2AE3D27D4EB4Full;
  h ^= (uint64_t)flags * 0x165667B19E3779F9ull;
  return (uint32_t)(h >> 32);
}


/* ---- chaining ---- */

static uint32_t xbloom_bit(uint64_t va)
{
  uint64_t vp = va >> VMRUN_PAGE_BITS;
  return (uint32_t)((vp ^ (vp >> 12) ^ (vp >> 24)) & (TJIT_XBLOOM_BITS - 1));
}

static void xbloom_add(tjit *e, uint64_t va)
{
  uint32_t bit = xbloom_bit(va);
  e->xbloom[bit / 64] |= 1ull << (bit % 64);
}

/*
** Where a chain from site s enters block to.  A block that keeps
** cpu->tb_flags leaves them as it found them, equal to its own tb_flags,
** so when to has the same, its tb_flags check is skipped; when both load
** the same constant into r13 (every block of a kind does), so is that.
**
** A forward chain (to a higher guest pc) from a quiet block (no helper
** calls) also skips the exit-request check.  Every cycle of chained
** blocks has an edge that is not forward, whose target checks, so a loop
** still sees a request once per iteration, and one made by another
** thread waits at most for a run of forward chains, which cannot repeat
** a block.  In this thread, only a quiet block's load or store slow
** path (an MMIO access, a device raising an interrupt) could make one;
** it then cuts the block's chains (tjit_quiet_exits), so the block's
** exit goes to the dispatcher, which sees it.
*/
uint32_t tjit_chain_at(const tjit_site *s, const tjit_block *to)
{
  const tjit_block *from = s->owner;
  int same_r13;
  if (to == from && s->self_at) return s->self_at;
  if (!from->keeps_flags || from->tb_flags != to->tb_flags)
    return to->code_at;
  same_r13 = to->r13_kind && from->r13_kind == to->r13_kind;
  if (from->quiet && to->pc > from->pc && (same_r13 || !to->r13_kind))
    return to->code_at + to->fwd_at;
  if (same_r13) return to->code_at + to->r13_at;
  return to->code_at + to->nf_at;
}

/* A slow path of quiet block b found an exit request (tjit_chain_at):
** its exits return to the dispatcher (which chains them again later). */
void tjit_quiet_exits(tjit *e, tjit_block *b)
{
  for (uint32_t k = 0; k < b->n_sites; k++) tjit_unlink(e, &b->sites[k]);
}

void tjit_link(tjit *e, tjit_site *s, tjit_block *to)
{
  int32_t rel;
  tjit_site **list;
  int cross;
  if (s->target || !to->valid) return;
  /* a chain within one guest page survives mapping changes (see
  ** tjit.h); one into another page, or into a block that spans two
  ** pages, is cut when a mapping of its target's pages changes, and is
  ** not made at all when several harts share the code (n_vcpus) */
  cross = ((s->owner->pc ^ to->pc) & VMRUN_PAGE_MASK) != 0 ||
          to->phys_page2 != VMRUN_TLB_INVALID;
  if (cross && e->n_vcpus > 1) return;
  s->cross = (uint32_t)cross;
  if (s->cross) {
    xbloom_add(e, to->pc);
    if (to->phys_page2 != VMRUN_TLB_INVALID)
      xbloom_add(e, to->pc + VMRUN_PAGE_SIZE);
  }
  list = s->cross ? &e->xlinked : &e->linked;
  rel = (int32_t)(tjit_chain_at(s, to) - (s->jmp_at + 4));
  memcpy(e->rw + s->jmp_at, &rel, 4);
  s->target = to;
  s->in_next = to->incoming;
  if (to->incoming) to->incoming->in_pprev = &s->in_next;
  s->in_pprev = &to->incoming;
  to->incoming = s;
  s->g_next = *list;
  if (*list) (*list)->g_pprev = &s->g_next;
  s->g_pprev = list;
  *list = s;
  e->st_links++;
}

void tjit_unlink(tjit *e, tjit_site *s)
{
  int32_t rel;
  if (!s->target) return;
  rel = (int32_t)(s->stub_at - (s->jmp_at + 4));
  memcpy(e->rw + s->jmp_at, &rel, 4);
  *s->in_pprev = s->in_next;
  if (s->in_next) s->in_next->in_pprev = s->in_pprev;
  *s->g_pprev = s->g_next;
  if (s->g_next) s->g_next->g_pprev = s->g_pprev;
  s->target = NULL;
  s->cross = 0;
  s->in_next = s->g_next = NULL;
  s->in_pprev = s->g_pprev = NULL;
}

void tjit_unlink_all(tjit *e)
{
  while (e->linked) tjit_unlink(e, e->linked);
  tjit_unlink_cross(e);
}

void tjit_unlink_cross(tjit *e)
{
  while (e->xlinked) tjit_unlink(e, e->xlinked);
  memset(e->xbloom, 0, sizeof e->xbloom);
  e->st_xcuts++;
}

int tjit_xbloom_has(const tjit *e, uint64_t va)
{
  uint32_t bit = xbloom_bit(va);
  return (e->xbloom[bit / 64] >> (bit % 64)) & 1;
}

static void block_unchain(tjit *e, tjit_block *b)
{
  for (uint32_t i = 0; i < b->n_sites; i++) tjit_unlink(e, &b->sites[i]);
  while (b->incoming) tjit_unlink(e, b->incoming);
}

/* ---- block hash ---- */

static void htab_grow(tjit *e)
{
  uint32_t nsize = (e->hmask + 1) * 2;
  tjit_block **nt = calloc(nsize, sizeof *nt);
  if (!nt) return;
  for (uint32_t i = 0; i <= e->hmask; i++) {
    tjit_block *b = e->htab[i], *nb;
    for (; b; b = nb) {
      uint32_t h = hash_key(b->phys_pc, b->pc, b->tb_flags) & (nsize - 1);
      nb = b->hnext;
      b->hnext = nt[h];
      nt[h] = b;
    }
  }
  free(e->htab);
  e->htab = nt;
  e->hmask = nsize - 1;
}

static void htab_remove(tjit *e, tjit_block *b)
{
  tjit_block **pp =
      &e->htab[hash_key(b->phys_pc, b->pc, b->tb_flags) & e->hmask];
  for (; *pp; pp = &(*pp)->hnext)
    if (*pp == b) { *pp = b->hnext; e->hcount--; return; }
}

void tjit_htab_insert(tjit *e, tjit_block *b)
{
  uint32_t h;
  if (e->hcount >= e->hmask + 1) htab_grow(e);
  h = hash_key(b->phys_pc, b->pc, b->tb_flags) & e->hmask;
  b->hnext = e->htab[h];
  e->htab[h] = b;
  e->hcount++;
}

tjit_block *tjit_htab_find(tjit *e, uint64_t pa, uint64_t pc, uint32_t fl,
                           int (*ok)(tjit *, vmrun_cpu *, const tjit_block *),
                           vmrun_cpu *cpu)
{
  tjit_block *b = e->htab[hash_key(pa, pc, fl) & e->hmask];
  for (; b; b = b->hnext)
    if (b->phys_pc == pa && b->pc == pc && b->tb_flags == fl &&
        ok(e, cpu, b))
      return b;
  return NULL;
}

/* ---- dropping blocks ---- */

void tjit_free_pending(tjit *e)
{
  tjit_block *b = e->pending, *nb;
  e->pending = NULL;
  for (; b; b = nb) { nb = b->fnext; free(b); }
}

static void jc_remove(tjit *e, tjit_block *b)
{
  uint32_t slot = (uint32_t)TJIT_JC_IDX(b->pc);
  for (tjit_vcpu *vd = e->vcpus; vd; vd = vd->next) {
    if (vd->jc[slot] == b) vd->jc[slot] = NULL;
    if (vd->jv[slot].b == b) vd->jv[slot].b = NULL;
  }
}

void tjit_drop_block(tjit *e, tjit_block *b)
{
  if (!b->valid) return;
  b->valid = 0;
  block_unchain(e, b);
  htab_remove(e, b);
  jc_remove(e, b);
  pagemap_unlink_block(b->pl, b->n_plinks);
  b->fnext = e->pending;
  e->pending = b;
  e->st_invalidated++;
}

static void drop_owner(void *ctx, void *owner)
{
  tjit_drop_block(ctx, owner);
}

void tjit_invalidate_range(tjit *e, uint64_t gpa, uint64_t len)
{
  if (!e->hcount) return;
  pagemap_drop_range(&e->pages, gpa, len, drop_owner, e);
}

/* Drop every block (the running one may be among them: freed later) and
** make the whole code cache free again.  Code is only written by the
** dispatcher between blocks, so the running block's code stays intact
** until it returns. */
void tjit_flush_all(tjit *e)
{
  tjit_unlink_all(e);
  for (uint32_t i = 0; i <= e->hmask; i++) {
    tjit_block *b = e->htab[i], *nb;
    for (; b; b = nb) {
      nb = b->hnext;
      b->valid = 0;
      b->incoming = NULL;
      b->fnext = e->pending;
      e->pending = b;
    }
    e->htab[i] = NULL;
  }
  e->hcount = 0;
  pagemap_clear(&e->pages);
  for (tjit_vcpu *vd = e->vcpus; vd; vd = vd->next) tjit_jc_reset(vd);
  e->cc_pos = e->cc_start;
  e->n_dsites = 0;                   /* their code is gone */
  e->st_flushes++;
}
