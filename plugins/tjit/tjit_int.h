/*
** plugins/tjit/tjit_int.h - functions shared by the files of the template
** JIT engine (cache.c, codegen.c, engine.c).
*/
#ifndef VMRUN_TJIT_INT_H
#define VMRUN_TJIT_INT_H

#include "tjit.h"

#if defined(__GNUC__)
#define TJ_HIDDEN __attribute__((visibility("hidden")))
#else
#define TJ_HIDDEN
#endif

#include <string.h>

/* Empty a vCPU's jump cache and its victims (tjit.h). */
static inline void tjit_jc_reset(tjit_vcpu *vd)
{
  memset(vd->jc, 0, sizeof vd->jc);
  vd->jv_gen++;
}

/* cache.c */
TJ_HIDDEN uint32_t tjit_chain_at(const tjit_site *s, const tjit_block *to);
TJ_HIDDEN void tjit_link(tjit *e, tjit_site *s, tjit_block *to);
TJ_HIDDEN void tjit_unlink(tjit *e, tjit_site *s);
TJ_HIDDEN void tjit_quiet_exits(tjit *e, tjit_block *b);
TJ_HIDDEN void tjit_unlink_all(tjit *e);
/* Cut every cross-page chain (tjit.h) and empty their Bloom filter. */
TJ_HIDDEN void tjit_unlink_cross(tjit *e);
/* May a cross-page chain lead into the guest page holding va? */
TJ_HIDDEN int tjit_xbloom_has(const tjit *e, uint64_t va);
TJ_HIDDEN void tjit_htab_insert(tjit *e, tjit_block *b);
TJ_HIDDEN tjit_block *tjit_htab_find(tjit *e, uint64_t pa, uint64_t pc,
    uint32_t fl, int (*ok)(tjit *, vmrun_cpu *, const tjit_block *),
    vmrun_cpu *cpu);
TJ_HIDDEN void tjit_free_pending(tjit *e);
TJ_HIDDEN void tjit_drop_block(tjit *e, tjit_block *b);
TJ_HIDDEN void tjit_invalidate_range(tjit *e, uint64_t gpa, uint64_t len);
TJ_HIDDEN void tjit_flush_all(tjit *e);

/* engine.c */
/* The engine vtable (plugin.c publishes it; engine-tiered drives it). */
TJ_HIDDEN extern const vmrun_engine_ops tjit_engine_ops;
/* Run blocks from cpu->pc (the dispatcher loop): an enum
** vmrun_run_reason, or TJIT_RUN_COLD when e->tiering. */
TJ_HIDDEN int tjit_exec(tjit *e, tjit_vcpu *vd, vmrun_cpu *cpu);
/* Find or compile the block at cpu->pc, from `ir` (a block the frontend
** translated for this pc, tb_flags and physical page) or, when NULL,
** from a new translation, and put it in the jump cache.  0, 1 when a
** fetch fault was raised (pc changed), -1 on an internal error (logged). */
TJ_HIDDEN int tjit_promote(tjit *e, tjit_vcpu *vd, vmrun_cpu *cpu,
                           const vmrun_ir_block *ir);
/* vcache_flush_page() of tjit (also run by engine-tiered), and its jump
** cache part: clear the slots of the page holding va and the page before */
TJ_HIDDEN void tjit_vcache_flush_page(void *inst, vmrun_cpu *cpu,
                                      uint64_t va);
TJ_HIDDEN void tjit_jc_clear_page(tjit_vcpu *vd, uint64_t va);
/* The JIT's statistics lines (code bytes, cache, chaining), appended by
** the stats() of tjit and tiered; same return as stats(). */
TJ_HIDDEN int tjit_stats_jit(tjit *e, char *buf, unsigned long len);

/* codegen.c */
TJ_HIDDEN int tjit_cc_init(tjit *e, uint64_t size);
TJ_HIDDEN void tjit_cc_fini(tjit *e);
/* Apply a pending code-cache size (e->cc_want): drop every block, map a
** cache of the new size, unmap the old one.  Only between blocks (no
** generated code running).  On failure the old cache stays (logged). */
TJ_HIDDEN void tjit_cc_resize(tjit *e);
/* set_option/get_option of tjit, also used by engine-tiered. */
TJ_HIDDEN int tjit_set_option(void *inst, const char *key, uint64_t val);
/* create() without the check of the option keys (engine-tiered has
** more keys and checks them itself) */
TJ_HIDDEN int tjit_create_inner(const vmrun_host *host, vmrun_machine *m,
                                vmrun_cfg *opts, const vmrun_engine_env *env,
                                void **inst);
/* The JIT's engine_options keys (engine.c; engine-tiered accepts them
** too), for a NULL-terminated key list. */
#define TJIT_OPTION_KEYS "code_cache", "regcache", "direct_mem", \
    "block_stats", "fp_inline", "group_checks"
/* host_fault() of tjit (also run by engine-tiered) */
TJ_HIDDEN int tjit_host_fault(void *inst, void *uctx);
TJ_HIDDEN int tjit_get_option(void *inst, const char *key, uint64_t *val);
/* Check and compile an IR block: the new block, or NULL with *why (or
** *why == NULL when the code cache is full). */
TJ_HIDDEN tjit_block *tjit_compile(tjit *e, const vmrun_ir_block *ib,
                                   const char **why);

#endif
