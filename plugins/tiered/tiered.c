/*
** plugins/tiered/tiered.c - engine-tiered: the IR interpreter runs cold
** code, the template JIT compiles a block once it has run hot_threshold
** times.  Both engines are linked in whole (libinterp.la, libtjit.la) and
** driven through their vtables; this file is only the switch between them.
**
**   run():  interp_exec() runs blocks; at a block it has already
**           interpreted hot_threshold-1 times it returns INTERP_RUN_HOT
**           without running it.  tjit_promote() compiles that block (from
**           the IR the interpreter kept, so the frontend translates a block
**           once) and tjit_exec() runs compiled blocks, chaining them,
**           until it reaches a block not compiled yet (TJIT_RUN_COLD): back
**           to the interpreter, which counts it (the JIT asks the
**           interpreter's jump cache first, tiered_cold()).  A compiled
**           block is never chained to an interpreted one: its exit
**           returns to tjit_exec(), and once the target is compiled the
**           link is made there.
**   A tiering policy (set_tier_policy, vmrun.tier_policy in Lua) is asked
**   once per interpreter block, when it turns hot: a refused block is
**   marked (interp_block.refused) and interpreted from then on, until it
**   is translated anew.  hot_threshold and code_cache can change at run
**   time (set_option).
**   Both caches are keyed alike and invalidate()/flush() go to both, so
**   self-modifying code drops both tiers' versions (and the JIT's chains).
**
** cpu->engine_data is the JIT's vCPU (its generated code and slow paths
** use it); the interpreter's hangs off it (tjit_vcpu.peer).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../interp/interp_int.h"
#include "../tjit/tjit_int.h"

/* Executions in the interpreter before a block is compiled; see
** docs/machine-yaml.md (engine_options.hot_threshold) for the choice. */
#ifndef TIERED_DEFAULT_THRESHOLD
#define TIERED_DEFAULT_THRESHOLD 32
#endif

typedef struct tiered {
  const vmrun_host *host;
  vmrun_machine *m;
  interp *ie;
  tjit *te;
  uint64_t threshold;
  int direct;             /* threshold 0 or 1 and no policy: the JIT alone */
  vmrun_tier_decide_fn decide;   /* tiering policy, or NULL */
  void *decide_opaque;
  unsigned long long st_asked, st_refused;
} tiered;

/* Derive the two engines' settings from threshold and the policy.  Safe
** mid-run: each engine reads them at its next block boundary, and
** tiered_run() goes between the modes when an engine returns. */
static void apply_threshold(tiered *e)
{
  /* 0 and 1 both mean "compile at the first execution": the JIT then
  ** translates blocks itself and the interpreter stays idle, unless a
  ** policy must be asked (the interpreter hands every block over) */
  e->direct = e->threshold <= 1 && !e->decide;
  e->te->tiering = !e->direct;
  e->ie->hot_limit = e->threshold ? (uint32_t)e->threshold - 1 : 0;
}

/* The JIT's question at a jump-cache miss (tjit.cold): is the block at
** pc one the interpreter will run again?  It is when the interpreter's
** jump cache holds it with fewer than hot_limit executions, or refused
** by the policy: interp_exec() would run it, not return it as hot.  The
** JIT need not then walk the page table and search its own hash table
** for a block it cannot have (a block is compiled when it turns hot);
** were it compiled all the same (the interpreter's copy translated anew
** after the JIT's), the interpreter runs it correctly until it is hot. */
static int tiered_cold(void *opaque, void *peer, uint64_t pc, uint32_t fl)
{
  const interp *ie = opaque;
  const interp_vcpu *iv = peer;
  const interp_block *b;
  if (!iv) return 0;
  b = iv->jc[INTERP_JC_IDX(pc)];
  return b && b->pc == pc && b->tb_flags == fl &&
         (b->hits < ie->hot_limit || b->refused);
}

static void tiered_destroy(void *inst)
{
  tiered *e = inst;
  if (!e) return;
  if (e->te) tjit_engine_ops.destroy(e->te);
  if (e->ie) interp_engine_ops.destroy(e->ie);
  free(e);
}

static int tiered_create(const vmrun_host *host, vmrun_machine *m,
                         vmrun_cfg *opts, const vmrun_engine_env *env,
                         void **inst)
{
  static const char *const keys[] = { "hot_threshold", TJIT_OPTION_KEYS,
                                      NULL };
  tiered *e;
  uint64_t thr = TIERED_DEFAULT_THRESHOLD;
  void *sub;
  int rc;
  if (!env || !env->fe || !env->mmu) return -VMRUN_EINVAL;
  if (opts && host->cfg_check_keys &&
      host->cfg_check_keys(opts, keys) != 0)
    return -VMRUN_EINVAL;
  if (host->cfg_u64 && opts &&
      host->cfg_u64(opts, "hot_threshold", TIERED_DEFAULT_THRESHOLD, &thr))
    return -VMRUN_EINVAL; /* cfg_u64 reported it */
  if (thr > 0xffffffffu) {
    if (host->cfg_error)
      host->cfg_error(host->cfg_get ? host->cfg_get(opts, "hot_threshold")
                                    : opts,
                      "expected at most 4294967295, got %llu",
                      (unsigned long long)thr);
    return -VMRUN_EINVAL;
  }
  e = calloc(1, sizeof *e);
  if (!e) return -VMRUN_ENOMEM;
  e->host = host;
  e->m = m;
  e->threshold = thr;
  /* the JIT first: on a host it cannot generate code for it says why and
  ** returns -VMRUN_ENOTSUP, and the core falls back to interp */
  rc = tjit_create_inner(host, m, opts, env, &sub);
  if (rc < 0) { tiered_destroy(e); return rc; }
  e->te = sub;
  rc = interp_engine_ops.create(host, m, NULL, env, &sub);
  if (rc < 0) { tiered_destroy(e); return rc; }
  e->ie = sub;
  e->ie->tiering = 1;
  e->ie->keep_ir = 1;
  e->te->cold = tiered_cold;
  e->te->cold_opaque = e->ie;
  apply_threshold(e);
  *inst = e;
  return 0;
}

static int tiered_cpu_attach(void *inst, vmrun_cpu *cpu)
{
  tiered *e = inst;
  interp_vcpu *iv;
  int rc = interp_engine_ops.cpu_attach(e->ie, cpu);
  if (rc < 0) return rc;
  iv = cpu->engine_data;
  rc = tjit_engine_ops.cpu_attach(e->te, cpu);
  if (rc < 0) {
    cpu->engine_data = iv;
    interp_engine_ops.cpu_detach(e->ie, cpu);
    return rc;
  }
  ((tjit_vcpu *)cpu->engine_data)->peer = iv;
  return 0;
}

static void tiered_cpu_detach(void *inst, vmrun_cpu *cpu)
{
  tiered *e = inst;
  tjit_engine_ops.cpu_detach(e->te, cpu);
  interp_engine_ops.cpu_detach(e->ie, cpu); /* finds its vCPU by cpu */
}

static int tiered_run(void *inst, vmrun_cpu *cpu)
{
  tiered *e = inst;
  tjit_vcpu *tv = cpu->engine_data;
  interp_vcpu *iv;
  if (!tv || !cpu->tlb) {
    e->host->log(e->m, VMRUN_LOG_ERROR,
                 "tiered: hart %u run before cpu_attach", cpu->hart_id);
    return VMRUN_RUN_ERROR;
  }
  iv = tv->peer;
  for (;;) {
    interp_block *hot;
    int r;
    if (e->direct) {
      r = tjit_exec(e->te, tv, cpu);
      /* TJIT_RUN_COLD: set_option/set_tier_policy left direct mode */
      if (r != TJIT_RUN_COLD) return r;
    }
    r = interp_exec(e->ie, iv, cpu);
    if (r != INTERP_RUN_HOT) return r;
    hot = e->ie->hot;
    if (e->decide && !hot->asked) {
      vmrun_block_info bi;
      int yes;
      memset(&bi, 0, sizeof bi);
      bi.struct_size = sizeof bi;
      bi.n_insns = hot->n_insns;
      bi.pc = hot->pc;
      bi.phys_pc = hot->phys_pc;
      bi.exec_count = (uint64_t)hot->hits + 1;
      bi.size = hot->ir ? hot->ir->size : 0;
      bi.tb_flags = hot->tb_flags;
      hot->asked = 1;
      e->st_asked++;
      yes = e->decide(e->decide_opaque, cpu, &bi);
      /* the policy may have flushed (a Lua hook added): the block is gone,
      ** the interpreter translates it again */
      if (!hot->valid) continue;
      if (yes == 0) {
        hot->refused = 1;
        e->st_refused++;
        continue; /* the interpreter runs it, now and from now on */
      }
    }
    r = tjit_promote(e->te, tv, cpu, hot->ir);
    if (r < 0) return VMRUN_RUN_ERROR;
    /* compiled (or found compiled): the JIT has its own copy now */
    if (r == 0) interp_drop_ir(hot);
    /* r > 0: a fetch fault (the page changed under the block), raised
    ** at pc; it costs one unit of budget (engine.h) */
    else if (cpu->insn_budget) cpu->insn_budget--;
    r = tjit_exec(e->te, tv, cpu);
    if (r != TJIT_RUN_COLD) return r;
  }
}

/* hot_threshold: 0..4294967295 executions (as engine_options); code_cache:
** the JIT's (tjit_set_option). */
static int tiered_set_option(void *inst, const char *key, uint64_t val)
{
  tiered *e = inst;
  if (strcmp(key, "hot_threshold") == 0) {
    if (val > 0xffffffffu) return -VMRUN_ERANGE;
    e->threshold = val;
    apply_threshold(e);
    return 0;
  }
  return tjit_set_option(e->te, key, val);
}

static int tiered_get_option(void *inst, const char *key, uint64_t *val)
{
  tiered *e = inst;
  if (strcmp(key, "hot_threshold") == 0) { *val = e->threshold; return 0; }
  return tjit_get_option(e->te, key, val);
}

static int tiered_set_tier_policy(void *inst, vmrun_tier_decide_fn decide,
                                  void *opaque)
{
  tiered *e = inst;
  e->decide = decide;
  e->decide_opaque = opaque;
  apply_threshold(e);
  return 0;
}

static void tiered_invalidate(void *inst, uint64_t gpa, uint64_t len)
{
  tiered *e = inst;
  if (!e) return;
  tjit_engine_ops.invalidate(e->te, gpa, len);
  interp_engine_ops.invalidate(e->ie, gpa, len);
}

static void tiered_flush(void *inst)
{
  tiered *e = inst;
  if (!e) return;
  tjit_engine_ops.flush(e->te);
  interp_engine_ops.flush(e->ie);
}

static void tiered_vcache_flush(void *inst, vmrun_cpu *cpu)
{
  tiered *e = inst;
  tjit_vcpu *tv = cpu->engine_data;
  if (!e) return;
  tjit_engine_ops.vcache_flush(e->te, cpu);
  if (tv && tv->peer) {
    interp_jc_reset(tv->peer);
  }
}

static void tiered_vcache_flush_page(void *inst, vmrun_cpu *cpu,
                                     uint64_t va)
{
  tiered *e = inst;
  tjit_vcpu *tv = cpu->engine_data;
  if (!e) return;
  tjit_vcache_flush_page(e->te, cpu, va);
  if (tv && tv->peer) interp_jc_clear_page(tv->peer, va);
}

/* The interpreter's lines (it translates every block, once), the JIT's,
** then the tiering counters; when the JIT runs alone, its lines. */
static int tiered_stats(void *inst, char *buf, unsigned long len)
{
  tiered *e = inst;
  unsigned long used;
  int n;
  if (e->direct) {
    n = tjit_engine_ops.stats(e->te, buf, len);
  } else {
    n = interp_engine_ops.stats(e->ie, buf, len);
    used = (unsigned long)n < len ? (unsigned long)n : len;
    n += tjit_stats_jit(e->te, buf + used, len - used);
  }
  used = (unsigned long)n < len ? (unsigned long)n : len;
  n += snprintf(buf + used, len - used,
                "blocks_interpreted %llu\nblocks_promoted %llu\n"
                "jit_flushes %llu\nhot_threshold %llu\n"
                "policy_asked %llu\npolicy_refused %llu\n",
                e->ie->st_interpreted, e->te->st_translated,
                e->te->st_flushes, (unsigned long long)e->threshold,
                e->st_asked, e->st_refused);
  return n;
}

/* Direct guest accesses are the JIT's (the interpreter uses the TLB). */
static int tiered_host_fault(void *inst, void *uctx)
{
  tiered *e = inst;
  return tjit_host_fault(e->te, uctx);
}

static const vmrun_engine_ops tiered_ops = {
  sizeof(vmrun_engine_ops), 0,
  tiered_create, tiered_destroy, tiered_cpu_attach, tiered_cpu_detach,
  tiered_run, tiered_invalidate, tiered_flush, tiered_vcache_flush,
  tiered_stats, tiered_set_option, tiered_get_option,
  tiered_set_tier_policy, tiered_vcache_flush_page, tiered_host_fault
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_ENGINE, "tiered", "0.1.0",
                    "IR interpreter for cold code, template JIT for hot "
                    "blocks",
                    &tiered_ops);
