/*
** plugins/tjit/engine.c - the template JIT engine: dispatcher loop,
** translation (frontend -> instrument -> codegen), chaining decisions and
** the engine vtable.  Same contract and behaviour as plugins/interp.
*/
#define _GNU_SOURCE 1   /* REG_RIP */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "tjit_int.h"

#define HTAB_INIT_BITS 12
#define PTAB_INIT_BITS 10

/* ---- lookup and translation (as plugins/interp/engine.c) ---- */

static int page2_ok(tjit *e, vmrun_cpu *cpu, const tjit_block *b)
{
  return blockgen_page2_ok(&e->env, cpu, b->pc, b->phys_page2);
}

/* Compile a translated (and instrumented) IR block and enter it in the
** cache: 0 with *out, -1 on an internal error (logged). */
static int install_block(tjit *e, const vmrun_ir_block *ib, tjit_block **out)
{
  tjit_block *b;
  const char *why = NULL;
  b = tjit_compile(e, ib, &why);
  if (!b && !why) {
    /* code cache full: drop everything and start over */
    tjit_flush_all(e);
    e->st_cache_full++;
    b = tjit_compile(e, ib, &why);
    if (!b && !why) why = "block larger than the whole code cache";
  }
  if (!b) {
    e->host->log(e->m, VMRUN_LOG_ERROR,
                 "tjit: invalid IR block at pc 0x%llx: %s",
                 (unsigned long long)ib->pc, why);
    return -1;
  }
  tjit_htab_insert(e, b);
  if (pagemap_add_block(&e->pages, b->phys_pc, b->phys_page2, b->pl,
                        &b->n_plinks, b) < 0) {
    e->host->log(e->m, VMRUN_LOG_ERROR, "tjit: out of memory");
    tjit_drop_block(e, b);
    return -1;
  }
  e->st_translated++;
  *out = b;
  return 0;
}

static int translate_block(tjit *e, vmrun_cpu *cpu, uint64_t pc,
                           uint64_t pa, tjit_block **out)
{
  vmrun_ir_block ib;
  int r = blockgen_translate(e->host, e->m, &e->env, "tjit", cpu, pc, pa,
                             e->max_insns, e->irbuf, e->ir_cap, &ib);
  if (r) return r;
  return install_block(e, &ib, out);
}

/* Put b in its jump-cache slot; the block it evicts becomes the slot's
** victim (tjit.h, tjit_jv). */
static void jc_fill(tjit_vcpu *vd, tjit_block *b)
{
  uint32_t i = (uint32_t)TJIT_JC_IDX(b->pc);
  tjit_block *old = vd->jc[i];
  if (old && old != b) {
    vd->jv[i].b = old;
    vd->jv[i].gen = vd->jv_gen;
  }
  vd->jc[i] = b;
}

/* The dispatcher's probe after a jump-cache miss: the slot's victim.  A
** hit swaps the two, so that two blocks sharing a slot (an indirect jump
** and the return from it, say) cost an exit to the dispatcher but not a
** lookup by physical address, and the generated code's probe finds the
** block asked for last. */
static tjit_block *jv_probe(tjit_vcpu *vd, uint64_t pc, uint32_t fl)
{
  tjit_jv *v = &vd->jv[TJIT_JC_IDX(pc)];
  tjit_block *b = v->b;
  if (!b || v->gen != vd->jv_gen || b->pc != pc || b->tb_flags != fl)
    return NULL;
  jc_fill(vd, b);
  return b;
}

/* Jump-cache miss: 0 with *out, 1 when a fetch fault was raised (pc
** changed), 2 when the block is not compiled and may not be (cold: only
** when e->tiering and !may_compile), -1 on an internal error (logged).
** A block is compiled from `ir` when given, else translated. */
static int lookup_slow(tjit *e, tjit_vcpu *vd, vmrun_cpu *cpu,
                       tjit_block **out, int may_compile,
                       const vmrun_ir_block *ir)
{
  uint64_t pc = cpu->pc, pa = 0;
  uint32_t fl = cpu->tb_flags;
  tjit_block *b;
  int f = e->env.mmu->translate(e->env.mmu_inst, cpu, pc, VMRUN_ACCESS_FETCH,
                                cpu->mmu_idx_fetch, &pa);
  if (f) {
    e->env.fe->raise_fault(e->env.fe_inst, cpu, VMRUN_ACCESS_FETCH,
                           (enum vmrun_fault)f, pc);
    return 1;
  }
  e->st_lookups++;
  b = tjit_htab_find(e, pa, pc, fl, page2_ok, cpu);
  if (!b) {
    int r;
    if (!may_compile) return 2;
    r = ir ? install_block(e, ir, &b) : translate_block(e, cpu, pc, pa, &b);
    if (r) return r;
  }
  jc_fill(vd, b);
  *out = b;
  return 0;
}

int tjit_promote(tjit *e, tjit_vcpu *vd, vmrun_cpu *cpu,
                 const vmrun_ir_block *ir)
{
  tjit_block *b;
  if (TJ_UNLIKELY(e->cc_want != 0)) tjit_cc_resize(e);
  b = vd->jc[TJIT_JC_IDX(cpu->pc)];
  if (b && b->pc == cpu->pc && b->tb_flags == cpu->tb_flags) return 0;
  if (jv_probe(vd, cpu->pc, cpu->tb_flags)) return 0;
  return lookup_slow(e, vd, cpu, &b, 1, ir);
}

/* ---- dispatcher ---- */

int tjit_exec(tjit *e, tjit_vcpu *vd, vmrun_cpu *cpu)
{
  tjit_site *site = NULL;    /* direct exit the last block left through */
  uint32_t fetch_faults = 0;
  uint64_t over;
  tjit_block *b;

  for (;;) {
    /* a new code-cache size (set_option) drops every block: before the
    ** checks of `site` below */
    if (TJ_UNLIKELY(e->cc_want != 0)) tjit_cc_resize(e);
    if (site && !site->owner->valid) site = NULL;
    if (TJ_UNLIKELY(e->pending != NULL)) tjit_free_pending(e);
    if (TJ_UNLIKELY(cpu->exit_request)) return VMRUN_RUN_EXIT;
    if (TJ_UNLIKELY(cpu->halted)) return VMRUN_RUN_HALT;
    if (TJ_UNLIKELY(cpu->insn_budget == 0)) return VMRUN_RUN_BUDGET;
    {
      uint64_t pc = cpu->pc;
      b = vd->jc[TJIT_JC_IDX(pc)];
      if (TJ_UNLIKELY(!b || b->pc != pc || b->tb_flags != cpu->tb_flags) &&
          !(b = jv_probe(vd, pc, cpu->tb_flags))) {
        int r;
        if (e->tiering && e->cold &&
            e->cold(e->cold_opaque, vd->peer, pc, cpu->tb_flags))
          return TJIT_RUN_COLD;
        r = lookup_slow(e, vd, cpu, &b, !e->tiering, NULL);
        if (r < 0) return VMRUN_RUN_ERROR;
        if (r == 2) return TJIT_RUN_COLD;
        if (r > 0) {
          site = NULL;
          if (cpu->insn_budget) cpu->insn_budget--;
          if (++fetch_faults >= TJIT_MAX_FETCH_FAULTS) {
            e->host->log(e->m, VMRUN_LOG_ERROR,
                         "hart %u: %u fetch faults in a row at pc 0x%llx, "
                         "no instruction can execute", cpu->hart_id,
                         fetch_faults, (unsigned long long)cpu->pc);
            return VMRUN_RUN_ERROR;
          }
          continue;
        }
      }
    }
    fetch_faults = 0;
    /* chain the previous block's direct exit to this block */
    if (site && site->owner->valid && !site->target &&
        site->owner->tb_flags == b->tb_flags)
      tjit_link(e, site, b);
    if (TJ_UNLIKELY(e->env.trace))
      fprintf(stderr, "trace: pc=0x%016llx\n", (unsigned long long)b->pc);
    e->st_dispatched++;
    /* generated code counts the budget as a negative number (codegen.c,
    ** "instruction counter"), and runs at most TJIT_LOOP_SLICE of it at a
    ** time, the longest an exit request waits for a tight loop */
    over = 0;
    if (TJ_UNLIKELY(cpu->insn_budget > TJIT_LOOP_SLICE)) {
      over = cpu->insn_budget - TJIT_LOOP_SLICE;
      cpu->insn_budget = TJIT_LOOP_SLICE;
    }
    site = (tjit_site *)(uintptr_t)e->enter(cpu, vd->temps, b->entry);
    if (TJ_UNLIKELY(over)) cpu->insn_budget += over;
  }
}

/* ---- vtable ---- */

static void tjit_destroy(void *inst);

/* An engine option that is 0 or 1 (*val holds the default): 0, or -1
** after the one-line error. */
static int bool_option(const vmrun_host *host, vmrun_cfg *opts,
                       const char *key, uint64_t *val)
{
  if (!host->cfg_u64 || !opts) return 0;
  if (host->cfg_u64(opts, key, *val, val) != 0) return -1;
  if (*val > 1) {
    if (host->cfg_error)
      host->cfg_error(host->cfg_get ? host->cfg_get(opts, key) : opts,
                      "expected 0 or 1, got %llu", (unsigned long long)*val);
    return -1;
  }
  return 0;
}

int tjit_create_inner(const vmrun_host *host, vmrun_machine *m,
                      vmrun_cfg *opts, const vmrun_engine_env *env,
                      void **inst)
{
  tjit *e;
  size_t envsz;
  uint64_t cc = TJIT_DEFAULT_CACHE, rc = 1, dm = 1, bs = 0, fi = 1,
           gc = 1;
  unsigned mxcsr;
  if (!env || !env->fe || !env->mmu) return -VMRUN_EINVAL;
#if !defined(__x86_64__)
  (void)opts; (void)inst; (void)cc; (void)e; (void)envsz; (void)mxcsr;
  /* why, under -v; the core's fallback warning is the one line */
  host->log(m, VMRUN_LOG_INFO, "tjit: this host is not x86-64");
  return -VMRUN_ENOTSUP;
#else
  if (host->cfg_u64 && opts &&
      host->cfg_u64(opts, "code_cache", TJIT_DEFAULT_CACHE, &cc) != 0)
    return -VMRUN_EINVAL; /* cfg_u64 reported it */
  if (bool_option(host, opts, "regcache", &rc) < 0 ||
      bool_option(host, opts, "direct_mem", &dm) < 0 ||
      bool_option(host, opts, "block_stats", &bs) < 0 ||
      bool_option(host, opts, "fp_inline", &fi) < 0 ||
      bool_option(host, opts, "group_checks", &gc) < 0)
    return -VMRUN_EINVAL;
  e = calloc(1, sizeof *e);
  if (!e) return -VMRUN_ENOMEM;
  e->host = host;
  e->m = m;
  envsz = env->struct_size && env->struct_size < sizeof e->env
              ? env->struct_size : sizeof e->env;
  memcpy(&e->env, env, envsz);
  e->chaining = !e->env.trace;
  e->regcache = (int)rc;
  e->direct_mem = (int)dm;
  e->block_stats = (int)bs;
  e->fp_inline = (int)fi;
  e->group_checks = (int)gc;
  /* inline FP needs all five flag masks (SDK 1.12): the MXCSR's flags
  ** accrue to the guest's (codegen.c, "Pending FP flags") */
  if (VMRUN_FRONTEND_HAS(env->fe, fp_underflow)) {
    const vmrun_frontend_ops *fe = env->fe;
    /* MXCSR bits: 0 invalid, 1 denormal operand (no IEEE flag), 2 divide
    ** by zero, 3 overflow, 4 underflow, 5 precision (inexact) */
    const uint32_t fm[6] = { fe->fp_invalid, 0, fe->fp_divzero,
                            fe->fp_overflow, fe->fp_underflow,
                            fe->fp_inexact };
    e->fp_off = fe->fp_flags_off;
    e->fp_nx = fe->fp_inexact;
    for (unsigned i = 0; i < 6; i++)
      if (i != 1 && !fm[i]) e->fp_nx = 0;
    if (e->fp_off > fe->cpu_state_size - 4 || (e->fp_off & 3))
      e->fp_nx = 0;              /* not a word of the state: no inlining */
    for (unsigned x = 0; x < 64; x++)
      for (unsigned i = 0; i < 6; i++)
        if (x >> i & 1) e->fp_map[x] |= fm[i];
    /* the ISA's NaN (SDK 1.14): NaN results need no helper */
    if (VMRUN_FRONTEND_HAS(fe, fp_default_nan))
      e->fp_dnan = fe->fp_default_nan;
  }
  __builtin_cpu_init();
  e->host_fma = __builtin_cpu_supports("fma") != 0;
  /* inline FP assumes the default SSE environment: round to nearest,
  ** exceptions masked, no flush-to-zero / denormals-are-zero (what a
  ** process starts with; a library built with -ffast-math may set FTZ
  ** and DAZ when it loads) */
  mxcsr = __builtin_ia32_stmxcsr();
  if (e->fp_nx && (mxcsr & ~0x3fu) != 0x1f80u) {
    host->log(m, VMRUN_LOG_INFO,
              "tjit: host MXCSR 0x%x is not the default: floating-point "
              "operations stay helper calls", mxcsr);
    e->fp_nx = 0;
  }
  e->max_insns = env->max_block_insns ? env->max_block_insns : 32;
  if (e->max_insns > 4096) e->max_insns = 4096;
  e->ir_cap = e->max_insns *
              (VMRUN_IR_OPS_PER_INSN + VMRUN_IR_HOOK_OPS_PER_INSN);
  e->irbuf = calloc(e->ir_cap, sizeof *e->irbuf);
  e->hmask = (1u << HTAB_INIT_BITS) - 1;
  e->htab = calloc(e->hmask + 1, sizeof *e->htab);
  if (!e->irbuf || !e->htab || pagemap_init(&e->pages, PTAB_INIT_BITS) < 0) {
    tjit_destroy(e);
    return -VMRUN_ENOMEM;
  }
  if (tjit_cc_init(e, cc)) {
    host->log(m, VMRUN_LOG_INFO,
              "tjit: cannot map an executable code cache");
    tjit_destroy(e);
    return -VMRUN_ENOTSUP;
  }
  *inst = e;
  return 0;
#endif
}

/* engine tjit: its own engine_options keys only (a misspelt key gets the
** core's one line instead of being ignored) */
static int tjit_create(const vmrun_host *host, vmrun_machine *m,
                       vmrun_cfg *opts, const vmrun_engine_env *env,
                       void **inst)
{
  static const char *const keys[] = { TJIT_OPTION_KEYS, NULL };
  if (opts && host->cfg_check_keys && host->cfg_check_keys(opts, keys) != 0)
    return -VMRUN_EINVAL;
  return tjit_create_inner(host, m, opts, env, inst);
}

static void tjit_destroy(void *inst)
{
  tjit *e = inst;
  if (!e) return;
  tjit_free_pending(e);
  if (e->htab) {
    for (uint32_t i = 0; i <= e->hmask; i++) {
      tjit_block *b = e->htab[i], *nb;
      for (; b; b = nb) { nb = b->hnext; free(b); }
    }
    free(e->htab);
  }
  pagemap_destroy(&e->pages);
  while (e->vcpus) {
    tjit_vcpu *vd = e->vcpus;
    e->vcpus = vd->next;
    if (vd->cpu && vd->cpu->engine_data == vd) vd->cpu->engine_data = NULL;
    free(vd->jv);
    free(vd);
  }
  tjit_cc_fini(e);
  free(e->fix);
  free(e->stubs);
  free(e->colds);
  free(e->cold_buf);
  free(e->dsites);
  free(e->irbuf);
  free(e->fwd_skip);
  free(e->ra_op);
  free(e->gr_lo);
  free(e->gr_hi);
  free(e->ng);
  free(e->ra_last);
  free(e->ra_live);
  free(e->xl);
  free(e);
}

static int tjit_cpu_attach(void *inst, vmrun_cpu *cpu)
{
  tjit *e = inst;
  tjit_vcpu *vd = calloc(1, sizeof *vd);
  if (!vd) return -VMRUN_ENOMEM;
  vd->jv = calloc(TJIT_JC_SIZE, sizeof *vd->jv);
  if (!vd->jv) { free(vd); return -VMRUN_ENOMEM; }
  vd->cpu = cpu;
  vd->e = e;
  vd->next = e->vcpus;
  e->vcpus = vd;
  cpu->engine_data = vd;
  /* a second hart: the cross chains made so far go (tjit.h, n_vcpus) */
  if (++e->n_vcpus == 2) tjit_unlink_cross(e);
  return 0;
}

static void tjit_cpu_detach(void *inst, vmrun_cpu *cpu)
{
  tjit *e = inst;
  for (tjit_vcpu **pp = &e->vcpus; *pp; pp = &(*pp)->next)
    if ((*pp)->cpu == cpu) {
      tjit_vcpu *vd = *pp;
      *pp = vd->next;
      free(vd->jv);
      free(vd);
      e->n_vcpus--;
      break;
    }
  cpu->engine_data = NULL;
}

static int tjit_run(void *inst, vmrun_cpu *cpu)
{
  tjit *e = inst;
  if (!cpu->engine_data || !cpu->tlb) {
    e->host->log(e->m, VMRUN_LOG_ERROR,
                 "tjit: hart %u run before cpu_attach", cpu->hart_id);
    return VMRUN_RUN_ERROR;
  }
  return tjit_exec(e, cpu->engine_data, cpu);
}

static void tjit_invalidate(void *inst, uint64_t gpa, uint64_t len)
{
  if (inst) tjit_invalidate_range(inst, gpa, len);
}

static void tjit_flush(void *inst)
{
  if (inst) tjit_flush_all(inst);
}

static void tjit_vcache_flush(void *inst, vmrun_cpu *cpu)
{
  tjit *e = inst;
  tjit_vcpu *vd = cpu->engine_data;
  /* chains bypass the virtual-PC lookup: drop those that depend on the
  ** mapping (into another page) with the jump cache */
  if (e) tjit_unlink_cross(e);
  if (vd) tjit_jc_reset(vd);
}

/* Only the blocks of va's page and those of the page before that run
** into it: other pages' blocks share the slot groups and stay.  The
** victims (tjit.h, tjit_jv) all go: a new generation costs less than
** looking at them, and page fences are frequent in system mode. */
void tjit_jc_clear_page(tjit_vcpu *vd, uint64_t va)
{
  uint64_t vp = va >> VMRUN_PAGE_BITS;
  tjit_block **g = &vd->jc[TJIT_JC_IDX(vp << VMRUN_PAGE_BITS) &
                           ~(uint64_t)(TJIT_JC_GROUP - 1)];
  for (uint32_t i = 0; i < TJIT_JC_GROUP; i++)
    if (g[i] && (g[i]->pc >> VMRUN_PAGE_BITS) == vp) g[i] = NULL;
  g = &vd->jc[TJIT_JC_IDX((vp - 1) << VMRUN_PAGE_BITS) &
              ~(uint64_t)(TJIT_JC_GROUP - 1)];
  for (uint32_t i = 0; i < TJIT_JC_GROUP; i++)
    if (g[i] && (g[i]->pc >> VMRUN_PAGE_BITS) == vp - 1 &&
        g[i]->phys_page2 != VMRUN_TLB_INVALID)
      g[i] = NULL;
  vd->jv_gen++;
}

void tjit_vcache_flush_page(void *inst, vmrun_cpu *cpu, uint64_t va)
{
  tjit *e = inst;
  tjit_vcpu *vd = cpu->engine_data;
  if (e && tjit_xbloom_has(e, va)) tjit_unlink_cross(e);
  if (vd) tjit_jc_clear_page(vd, va);
}

/* Chain hits are derived, not counted on the chained path: every block's
** code adds one to its vCPU's `entries`, the dispatcher counts the blocks
** it enters, and the difference is the blocks entered through a chained
** (patched) jump. */
int tjit_stats_jit(tjit *e, char *buf, unsigned long len)
{
  unsigned long long entries = 0;
  int n, m;
  for (tjit_vcpu *vd = e->vcpus; vd; vd = vd->next) entries += vd->entries;
  n = snprintf(buf, len,
               "code_bytes %llu\ncode_cache_size %llu\n"
               "code_cache_used %llu\n"
               "code_cache_full %llu\nchain_links %llu\n"
               "dispatcher_entries %llu\ncross_chain_cuts %llu\n"
               "dispatcher_lookups %llu\n"
               "direct_accesses %llu\ndirect_host_faults %llu\n"
               "window_accesses %llu\nfp_inline_sites %llu\n"
               "fp_nan_pairs %llu\nsext_moves %llu\n"
               "grouped_checks %llu\ngrouped_accesses %llu\n"
               "group_deopts %llu\n",
               e->st_code_bytes, (unsigned long long)e->cc_size,
               (unsigned long long)(e->cc_pos - e->cc_start),
               e->st_cache_full, e->st_links, e->st_dispatched, e->st_xcuts,
               e->st_lookups, e->st_direct_sites, e->st_host_faults,
               e->st_window_sites, e->st_fp_sites, e->st_fp_pairs,
               e->st_sx_moves, e->st_grp_leads, e->st_grp_members,
               e->st_deopts);
  if (n < 0 || !e->block_stats) return n;
  /* counted by the generated code only with engine option block_stats */
  m = snprintf(buf + ((unsigned long)n < len ? (unsigned long)n : len),
               (unsigned long)n < len ? len - (unsigned long)n : 0,
               "block_entries %llu\nchain_hits %llu\n", entries,
               entries > e->st_dispatched ? entries - e->st_dispatched
                                          : 0ull);
  return m < 0 ? m : n + m;
}

/* engine.h host_fault(): a direct guest access (codegen.c,
** emit_direct_checks) faulted in the host.  e->dsites maps the code
** offset of each direct access to its slow-path stub: resume there.
** Signal context: reads only (the table changes only while compiling, on
** the thread that would be the one faulting). */
int tjit_host_fault(void *inst, void *uctx)
{
#if defined(__x86_64__) && defined(__linux__)
  tjit *e = inst;
  ucontext_t *uc = uctx;
  uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
  uint64_t rx = (uint64_t)(uintptr_t)e->rx, off;
  uint32_t lo = 0, hi = e->n_dsites;
  if (!e->rx || rip < rx || rip - rx >= e->cc_pos) return 0;
  off = rip - rx;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (e->dsites[mid].at < off) lo = mid + 1;
    else hi = mid;
  }
  if (lo == e->n_dsites || e->dsites[lo].at != off) return 0;
  uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(rx + e->dsites[lo].stub);
  __atomic_add_fetch(&e->st_host_faults, 1, __ATOMIC_RELAXED);
  return 1;
#else
  (void)inst; (void)uctx;
  return 0;
#endif
}

static int tjit_stats(void *inst, char *buf, unsigned long len)
{
  tjit *e = inst;
  int n = snprintf(buf, len,
                   "blocks_translated %llu\nblocks_invalidated %llu\n"
                   "flushes %llu\n",
                   e->st_translated, e->st_invalidated, e->st_flushes);
  unsigned long used = (unsigned long)n < len ? (unsigned long)n : len;
  return n + tjit_stats_jit(e, buf + used, len - used);
}

/* code_cache: bytes, TJIT_MIN_CACHE..2 GiB, rounded up to 4 KiB pages (as
** engine_options.code_cache, which clamps instead); remapped at the next
** block boundary, every block then translated anew. */
/* the 0-or-1 options: the engine field of `key`, or NULL */
static int *bool_field(tjit *e, const char *key)
{
  if (strcmp(key, "regcache") == 0) return &e->regcache;
  if (strcmp(key, "direct_mem") == 0) return &e->direct_mem;
  if (strcmp(key, "block_stats") == 0) return &e->block_stats;
  if (strcmp(key, "fp_inline") == 0) return &e->fp_inline;
  if (strcmp(key, "group_checks") == 0) return &e->group_checks;
  return NULL;
}

int tjit_set_option(void *inst, const char *key, uint64_t val)
{
  tjit *e = inst;
  int *flag = bool_field(e, key);
  if (flag) {                  /* blocks compiled from now on */
    if (val > 1) return -VMRUN_ERANGE;
    *flag = (int)val;
    return 0;
  }
  if (strcmp(key, "code_cache") != 0) return -VMRUN_ENOENT;
  if (val < TJIT_MIN_CACHE || val > (1ull << 31)) return -VMRUN_ERANGE;
  val = (val + 4095) & ~4095ull;
  e->cc_want = val == e->cc_size ? 0 : val;
  if (e->cc_want) {
    /* the remap happens in the dispatcher (tjit_exec): make the running
    ** code come back to it at its next exit, which chained jumps and
    ** indirect exits probing the jump cache would otherwise bypass */
    tjit_vcpu *vd;
    tjit_unlink_all(e);
    for (vd = e->vcpus; vd; vd = vd->next) tjit_jc_reset(vd);
  }
  return 0;
}

int tjit_get_option(void *inst, const char *key, uint64_t *val)
{
  tjit *e = inst;
  int *flag = bool_field(e, key);
  if (flag) {
    *val = (uint64_t)*flag;
    return 0;
  }
  if (strcmp(key, "code_cache") != 0) return -VMRUN_ENOENT;
  *val = e->cc_want ? e->cc_want : e->cc_size;
  return 0;
}

const vmrun_engine_ops tjit_engine_ops = {
  sizeof(vmrun_engine_ops), 0,
  tjit_create, tjit_destroy, tjit_cpu_attach, tjit_cpu_detach,
  tjit_run, tjit_invalidate, tjit_flush, tjit_vcache_flush,
  tjit_stats, tjit_set_option, tjit_get_option, NULL,
  tjit_vcache_flush_page, tjit_host_fault
};
