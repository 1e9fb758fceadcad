/* plugins/common/pagemap.c - see pagemap.h. */
#include "pagemap.h"

#include <stdlib.h>

#include <vmrun/cpu.h>
#include <vmrun/error.h>

static uint32_t hash_page(uint64_t page)
{
  return (uint32_t)((page * 0x9E3779B97F4A7C15ull) >> 32);
}

int pagemap_init(pagemap *pm, unsigned bits)
{
  pm->mask = (1u << bits) - 1;
  pm->count = 0;
  pm->tab = calloc(pm->mask + 1, sizeof *pm->tab);
  return pm->tab ? 0 : -VMRUN_ENOMEM;
}

void pagemap_clear(pagemap *pm)
{
  for (uint32_t i = 0; i <= pm->mask; i++) {
    pagemap_page *p = pm->tab[i], *np;
    for (; p; p = np) { np = p->next; free(p); }
    pm->tab[i] = NULL;
  }
  pm->count = 0;
}

void pagemap_destroy(pagemap *pm)
{
  if (!pm->tab) return;
  pagemap_clear(pm);
  free(pm->tab);
  pm->tab = NULL;
}

static pagemap_page *page_find(pagemap *pm, uint64_t page)
{
  pagemap_page *p = pm->tab[hash_page(page) & pm->mask];
  for (; p; p = p->next)
    if (p->page == page) return p;
  return NULL;
}

static pagemap_page *page_get(pagemap *pm, uint64_t page)
{
  pagemap_page *p = page_find(pm, page);
  uint32_t h;
  if (p) return p;
  if (pm->count >= 2 * (pm->mask + 1)) {   /* grow; keep going if we can't */
    uint32_t nsize = (pm->mask + 1) * 2;
    pagemap_page **nt = calloc(nsize, sizeof *nt);
    if (nt) {
      for (uint32_t i = 0; i <= pm->mask; i++) {
        pagemap_page *q = pm->tab[i], *nq;
        for (; q; q = nq) {
          nq = q->next;
          h = hash_page(q->page) & (nsize - 1);
          q->next = nt[h];
          nt[h] = q;
        }
      }
      free(pm->tab);
      pm->tab = nt;
      pm->mask = nsize - 1;
    }
  }
  p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->page = page;
  h = hash_page(page) & pm->mask;
  p->next = pm->tab[h];
  pm->tab[h] = p;
  pm->count++;
  return p;
}

int pagemap_add_block(pagemap *pm, uint64_t phys_pc, uint64_t phys_page2,
                      pagemap_link links[2], uint32_t *n_links, void *owner)
{
  uint64_t pages[2];
  unsigned np = 0;
  pages[np++] = phys_pc >> VMRUN_PAGE_BITS;
  if (phys_page2 != VMRUN_TLB_INVALID &&
      (phys_page2 >> VMRUN_PAGE_BITS) != pages[0])
    pages[np++] = phys_page2 >> VMRUN_PAGE_BITS;
  *n_links = 0;
  for (unsigned i = 0; i < np; i++) {
    pagemap_page *p = page_get(pm, pages[i]);
    pagemap_link *l = &links[i];
    if (!p) return -VMRUN_ENOMEM;
    l->owner = owner;
    l->next = p->head;
    if (p->head) p->head->pprev = &l->next;
    l->pprev = &p->head;
    p->head = l;
    *n_links = i + 1;
  }
  return 0;
}

void pagemap_unlink_block(pagemap_link *links, uint32_t n_links)
{
  for (uint32_t i = 0; i < n_links; i++) {
    pagemap_link *l = &links[i];
    if (!l->pprev) continue;
    *l->pprev = l->next;
    if (l->next) l->next->pprev = l->pprev;
    l->next = NULL;
    l->pprev = NULL;
  }
}

static void drop_page(pagemap_page *p, void (*drop)(void *, void *),
                      void *ctx)
{
  while (p->head) drop(ctx, p->head->owner);
}

void pagemap_drop_range(pagemap *pm, uint64_t gpa, uint64_t len,
                        void (*drop)(void *ctx, void *owner), void *ctx)
{
  uint64_t first, last;
  if (!len) return;
  first = gpa >> VMRUN_PAGE_BITS;
  last = (gpa + len - 1 < gpa ? ~(uint64_t)0 : gpa + len - 1)
         >> VMRUN_PAGE_BITS;
  if (last - first >= pm->count) {
    /* a large range: scan the page table instead */
    for (uint32_t i = 0; i <= pm->mask; i++)
      for (pagemap_page *p = pm->tab[i]; p; p = p->next)
        if (p->page >= first && p->page <= last) drop_page(p, drop, ctx);
    return;
  }
  for (uint64_t pg = first;; pg++) {
    pagemap_page *p = page_find(pm, pg);
    if (p) drop_page(p, drop, ctx);
    if (pg == last) break;
  }
}
