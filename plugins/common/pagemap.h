/*
** plugins/common/pagemap.h - which translated blocks hold code from which
** guest physical page, shared by the engines (interp, tjit) for
** self-modifying-code invalidation.  A libtool convenience library; not
** SDK.  Blocks embed up to two pagemap_link (their first page and the one
** a block may run into); the map owns the per-page entries.
** Single-threaded: engines call it from the machine thread.
*/
#ifndef VMRUN_PLUGINS_PAGEMAP_H
#define VMRUN_PLUGINS_PAGEMAP_H

#include <stdint.h>

typedef struct pagemap_link {
  void *owner;                     /* the block this link belongs to */
  struct pagemap_link *next, **pprev;
} pagemap_link;

typedef struct pagemap_page {
  uint64_t page;                   /* guest PA >> VMRUN_PAGE_BITS */
  pagemap_link *head;              /* blocks with code in this page */
  struct pagemap_page *next;       /* hash chain */
} pagemap_page;

typedef struct pagemap {
  pagemap_page **tab;
  uint32_t mask, count;            /* table size - 1, pages present */
} pagemap;

/* A map with 2^bits buckets (grows by itself).  0 or -VMRUN_ENOMEM. */
int pagemap_init(pagemap *pm, unsigned bits);
/* Free every page entry and the table (links in blocks are not touched). */
void pagemap_destroy(pagemap *pm);
/* Forget every page (all blocks are being dropped wholesale). */
void pagemap_clear(pagemap *pm);
/* Link a block whose code starts at guest PA phys_pc and, unless
** phys_page2 is VMRUN_TLB_INVALID or in the same page, also covers
** phys_page2: fills links[0..1] and *n_links.  0, or -VMRUN_ENOMEM (the
** links made so far are counted in *n_links; unlink them as usual). */
int pagemap_add_block(pagemap *pm, uint64_t phys_pc, uint64_t phys_page2,
                      pagemap_link links[2], uint32_t *n_links, void *owner);
/* Take a block's links out of their pages. */
void pagemap_unlink_block(pagemap_link *links, uint32_t n_links);
/* Call drop(ctx, owner) for every block with code in a page touched by
** [gpa, gpa+len); drop must unlink the block (pagemap_unlink_block). */
void pagemap_drop_range(pagemap *pm, uint64_t gpa, uint64_t len,
                        void (*drop)(void *ctx, void *owner), void *ctx);

#endif
