/*
** plugins/interp/interp_int.h - engine instance shared by engine.c (cache,
** translation, vtable) and exec.c (dispatch loop).
*/
#ifndef VMRUN_INTERP_INT_H
#define VMRUN_INTERP_INT_H

#include <string.h>

#include "interp.h"

#if defined(__GNUC__)
#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define INTERP_HIDDEN __attribute__((visibility("hidden")))
#else
#define LIKELY(x)   (x)
#define UNLIKELY(x) (x)
#define INTERP_HIDDEN
#endif

/* Jump cache slot of a virtual PC, as QEMU's tb_jmp_cache_hash_func: the
** high INTERP_JC_BITS/2 bits of the slot hash the page number, the low
** ones the offset in the page, so the blocks of one guest page sit in one
** group of INTERP_JC_GROUP slots (starting at INTERP_JC_IDX(page)) and
** vcache_flush_page() clears just that group and the previous page's. */
#define INTERP_JC_GROUP_BITS (INTERP_JC_BITS / 2)
#define INTERP_JC_GROUP (1u << INTERP_JC_GROUP_BITS)
#define INTERP_JC_TMP(pc) \
  ((pc) ^ ((pc) >> (VMRUN_PAGE_BITS - INTERP_JC_GROUP_BITS)))
#define INTERP_JC_IDX(pc)                                                \
  (((INTERP_JC_TMP(pc) >> (VMRUN_PAGE_BITS - INTERP_JC_GROUP_BITS)) &   \
    (INTERP_JC_SIZE - INTERP_JC_GROUP)) |                               \
   (INTERP_JC_TMP(pc) & (INTERP_JC_GROUP - 1)))
/* Victim of a jump-cache slot: the block a fill evicted from it, found
** again by interp_lookup_slow() without a page walk and hash search when
** two hot blocks share the slot.  Valid while gen is the vCPU's jv_gen,
** which every flush of the jump cache (whole or of a page) advances. */
typedef struct interp_jv {
  interp_block *b;
  uint64_t gen;
} interp_jv;

typedef struct interp_vcpu {
  interp_block *jc[INTERP_JC_SIZE]; /* direct-mapped by virtual PC */
  vmrun_cpu *cpu;
  struct interp_vcpu *next;
  uint64_t jv_gen;
  interp_jv *jv;                    /* [INTERP_JC_SIZE]: jc's victims */
} interp_vcpu;

/* Empty a vCPU's jump cache and its victims. */
static inline void interp_jc_reset(interp_vcpu *vd)
{
  memset(vd->jc, 0, sizeof vd->jc);
  vd->jv_gen++;
}

/* Clear the jump-cache slots of the blocks that start in the guest page
** holding va, or in the page before and run into va's page.  Other
** pages' blocks share those slot groups and stay; the victims all go
** (a new generation: no scan). */
static inline void interp_jc_clear_page(interp_vcpu *vd, uint64_t va)
{
  interp_block **jc = vd->jc;
  uint64_t vp = va >> VMRUN_PAGE_BITS;
  vd->jv_gen++;
  interp_block **g = &jc[INTERP_JC_IDX(vp << VMRUN_PAGE_BITS) &
                         ~(uint64_t)(INTERP_JC_GROUP - 1)];
  for (uint32_t i = 0; i < INTERP_JC_GROUP; i++)
    if (g[i] && (g[i]->pc >> VMRUN_PAGE_BITS) == vp) g[i] = NULL;
  g = &jc[INTERP_JC_IDX((vp - 1) << VMRUN_PAGE_BITS) &
          ~(uint64_t)(INTERP_JC_GROUP - 1)];
  for (uint32_t i = 0; i < INTERP_JC_GROUP; i++)
    if (g[i] && (g[i]->pc >> VMRUN_PAGE_BITS) == vp - 1 &&
        g[i]->phys_page2 != VMRUN_TLB_INVALID)
      g[i] = NULL;
}

/* A guest that takes this many fetch faults in a row executes nothing. */
#define INTERP_MAX_FETCH_FAULTS 1000000u


typedef struct interp {
  const vmrun_host *host;
  vmrun_machine *m;
  vmrun_engine_env env;
  /* translation cache: (phys_pc, pc, tb_flags) -> block */
  interp_block **htab;
  uint32_t hmask, hcount;
  /* physical page -> blocks */
  pagemap pages;
  interp_vcpu *vcpus;
  interp_block *pending;      /* dropped blocks, freed at the next dispatch */
  /* translation scratch */
  vmrun_ir_op *irbuf;
  uint32_t ir_cap, max_insns;
  int32_t label_pos[VMRUN_IR_MAX_LABELS];
  uint32_t label_ord[VMRUN_IR_MAX_LABELS];
  /* engine-tiered (all zero for engine-interp): interp_exec() returns
  ** INTERP_RUN_HOT, with the block in `hot`, instead of running a block
  ** already interpreted hot_limit times; keep_ir keeps each block's IR */
  int tiering, keep_ir;
  uint32_t hot_limit;
  interp_block *hot;
  /* statistics */
  unsigned long long st_translated, st_invalidated, st_flushes,
      st_interpreted,
      st_lookups;             /* jump-cache and victim misses */
} interp;

/* interp_exec() result beside enum vmrun_run_reason: the block at cpu->pc
** (interp.hot) is hot; nothing was executed for it. */
#define INTERP_RUN_HOT 16

/* The engine vtable (plugin.c publishes it; engine-tiered drives it). */
INTERP_HIDDEN extern const vmrun_engine_ops interp_engine_ops;

/* exec.c */
INTERP_HIDDEN extern const void *const *interp_labels;
INTERP_HIDDEN int interp_exec(interp *e, interp_vcpu *vd, vmrun_cpu *cpu);
/* engine.c */
INTERP_HIDDEN void interp_free_pending(interp *e);
/* Free the IR kept for a block (engine-tiered, once it is compiled). */
INTERP_HIDDEN void interp_drop_ir(interp_block *b);
INTERP_HIDDEN int interp_lookup_slow(interp *e, interp_vcpu *vd,
                                     vmrun_cpu *cpu, interp_block **out);

#endif
