/*
** core/check.c - --engine-check: the reference interpreter and the
** configured engine run in lockstep, one block at a time, and the first
** difference in guest state stops the run.
**
** A second engine instance (`interp`, the reference) is attached to the
** same vCPUs as the configured engine; each attach set cpu->engine_data,
** so both pointers are kept and swapped in before each run.  Both engines
** share the MMU (TLBs, paging regimes) and guest memory.
**
** One step (insn_budget = 1: engines check the budget at block entry, so
** exactly one block, or one fetch fault, runs):
**   1. snapshot the vCPU state block S0;
**   2. run the reference with store logging -> S1 and a log of the old
**      bytes of every RAM location it may have written;
**   3. read the new bytes at the logged places, write the old bytes back
**      (reverse order), put back the paging regimes it changed, flush the
**      TLB if the reference missed it or a walk wrote a PTE, restore S0;
**   4. run the checked engine -> S2; compare S1 with S2 (registers by
**      name, header fields, the rest of the state block) and the memory
**      at the logged places.
** A block that touched MMIO or requested a shutdown cannot be replayed
** (devices saw it once): its reference result is kept and it counts as
** unchecked.
**
** Store logging (reference run only):
**   - an instrument() callback inserts, before every IR LD and ST, a CALL
**     to a probe that mirrors the engines' TLB hit test (no side effect);
**     a store that hits logs its bytes and the aligned 16 around them, a
**     miss is noted (for the TLB flush of step 3);
**   - accesses that miss go through the MMU's slow path, which looks the
**     page up with phys_lookup (the core logs the aligned 16 bytes around
**     the address) and writes PTE A/D bits with phys_access (logged);
**   - helpers that write RAM through a host pointer (RISC-V AMOs, SC) look
**     the region up with phys_lookup first: same log.  A helper writing
**     more than 8 bytes through a pointer obtained earlier would escape
**     the log (none does).
** During the checked run the core logs the 16 bytes around each RAM
** phys_lookup too (its slow path and atomics): bytes that changed there
** must hold what the reference left, so a stray store is seen.
** The host clock is frozen during a step (at its first reading) so both
** engines read the same `time`.
*/
#include "vmrun-config.h"

#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "lua.h"

#define LOG_CAP 8192u

typedef struct log_ent {
  uint8_t *host;                /* host address of the bytes */
  uint64_t gpa;                 /* guest PA, or VMRUN_TLB_INVALID if unknown */
  uint16_t len;                 /* 1..8 */
  uint16_t store;               /* 1: a store's bytes; 0: bytes a helper
                                   may write (reported after stores) */
  uint8_t old[8], new_[8];
} log_ent;

enum { UNC_MMIO, UNC_STOP, UNC_PAGING, UNC_LOG, UNC_EXIT, UNC_N };
static const char *const unc_name[UNC_N] = {
  "mmio", "shutdown", "paging", "log_full", "interrupted"
};

struct vmrun_check {
  vmrun_plugin plugin;          /* the reference engine (interp) */
  const vmrun_engine_ops *ref;
  void *ref_inst;
  vmrun_engine_env env;
  void **ref_data, **chk_data;  /* per hart: each engine's engine_data */
  uint32_t n_attached;
  uint32_t n_harts;             /* size of the per-hart arrays */
  uint8_t *s0, *s1;             /* state snapshots (64-byte aligned) */
  uint32_t state_size;
  log_ent *log; uint32_t n_log; int log_full;
  /* the checked run: RAM its slow path looked up (it may have written) */
  log_ent *log2; uint32_t n_log2;
  int phys_logged;              /* a RAM write went through the core */
  int tlb_missed;               /* a probed load or store missed the TLB */
  unsigned pend_size;           /* a probed store missed the TLB: its size */
  uint64_t pend_pgoff;          /* and page offset, for the slow path */
  vmrun_ir_op *tmp; uint32_t tmp_cap;
  /* paging regimes: last installed per hart and TLB index */
  vmrun_paging (*shadow)[VMRUN_TLB_NB_IDX];
  uint8_t (*shadow_ok)[VMRUN_TLB_NB_IDX];
  vmrun_paging saved[VMRUN_TLB_NB_IDX];
  uint8_t saved_ok[VMRUN_TLB_NB_IDX], changed[VMRUN_TLB_NB_IDX];
  int paging_lost;              /* changed an index never installed before */
  /* statistics */
  unsigned long long checked, unchecked[UNC_N], divergences;
};

/* ---- the store log ---- */

static void log_bytes(vmrun_check *ck, uint8_t *host, uint64_t gpa,
                      unsigned len, int store)
{
  log_ent *e;
  if (ck->n_log >= LOG_CAP) { ck->log_full = 1; return; }
  e = &ck->log[ck->n_log++];
  e->host = host;
  e->gpa = gpa;
  e->len = (uint16_t)len;
  e->store = (uint16_t)store;
  memcpy(e->old, host, len);
}

void vmrun__check_log_ram(vmrun_machine *m, uint8_t *host, uint64_t gpa,
                          size_t len, int written)
{
  vmrun_check *ck = m->check;
  if (m->check_logging != 1) return;  /* the checked run: lookups only */
  if (written) ck->phys_logged = 1;
  while (len) {
    unsigned n = len > 8 ? 8 : (unsigned)len;
    log_bytes(ck, host, gpa, n, written);
    host += n; gpa += n; len -= n;
  }
}

/* phys_lookup of RAM: the MMU's slow path (a load or store that missed
** the TLB) and atomic helpers may write up to 8 bytes at gpa through the
** host pointer.  Log the aligned 16 bytes around it, and the exact bytes
** of a store whose probe missed the TLB (for the report). */
void vmrun__check_log_lookup(vmrun_machine *m, uint8_t *host, uint64_t base,
                             uint64_t size, uint64_t gpa)
{
  vmrun_check *ck = m->check;
  uint64_t a = gpa & ~(uint64_t)7, end = a + 16;
  if (m->check_logging == 2) {
    /* the checked engine's slow path: what it may write here is compared
    ** with what the reference wrote (or left) after the run */
    if (a < base) return;
    if (end - base > size) end = base + size;
    for (; a < end && ck->n_log2 < LOG_CAP; a += 8) {
      log_ent *e = &ck->log2[ck->n_log2++];
      e->host = host + (a - base);
      e->gpa = a;
      e->len = (uint16_t)(end - a < 8 ? end - a : 8);
      e->store = 0;
      memcpy(e->old, e->host, e->len);
    }
    return;
  }
  if (ck->pend_size &&
      (gpa & (VMRUN_PAGE_SIZE - 1)) == ck->pend_pgoff &&
      gpa - base + ck->pend_size <= size)
    log_bytes(ck, host + (gpa - base), gpa, ck->pend_size, 1);
  ck->pend_size = 0;
  if (a < base) return;
  if (end - base > size) end = base + size;
  vmrun__check_log_ram(m, host + (a - base), a, end - a, 0);
}

/* Guest PA of a host address inside RAM (for reports). */
static uint64_t host_to_gpa(vmrun_machine *m, const uint8_t *p)
{
  for (size_t i = 0; i < m->n_regions; i++) {
    vmrun_region *r = &m->regions[i];
    if (r->host && p >= r->host && (uint64_t)(p - r->host) < r->size)
      return r->base + (uint64_t)(p - r->host);
  }
  return VMRUN_TLB_INVALID;
}

static inline void probe(vmrun_cpu *cpu, uint64_t va, unsigned size)
{
  const vmrun_tlb_entry *te =
      &cpu->tlb[cpu->mmu_idx][VMRUN_TLB_INDEX(va)];
  /* the engines' hit test (vmrun/cpu.h); a miss takes the slow path,
  ** which the core logs */
  vmrun_check *ck = cpu->machine->check;
  ck->pend_size = 0;
  if ((va & (VMRUN_PAGE_MASK | (size - 1))) == te->addr_write) {
    /* the store's bytes, and the aligned 16 around them in the page: a
    ** store of the wrong width by the checked engine shows there */
    uint64_t a = va & ~(uint64_t)7, end = a + 16;
    uint64_t pend = (va & VMRUN_PAGE_MASK) + VMRUN_PAGE_SIZE;
    log_bytes(ck, (uint8_t *)(uintptr_t)(va + te->addend),
              VMRUN_TLB_INVALID, size, 1);
    if (end > pend) end = pend;
    for (; a < end; a += 8)
      log_bytes(ck, (uint8_t *)(uintptr_t)(a + te->addend),
                VMRUN_TLB_INVALID, 8, 0);
  } else {
    ck->tlb_missed = 1;
    if (((va + size - 1) ^ va) < VMRUN_PAGE_SIZE) {
      ck->pend_size = size;
      ck->pend_pgoff = va & (VMRUN_PAGE_SIZE - 1);
    }
  }
}

#define PROBE(N)                                                          \
  static uint64_t probe_st##N(vmrun_cpu *cpu, uint64_t va, uint64_t b,   \
                              uint64_t c)                                 \
  {                                                                       \
    (void)b; (void)c;                                                     \
    probe(cpu, va, N);                                                    \
    return 0;                                                             \
  }
PROBE(1) PROBE(2) PROBE(4) PROBE(8)

/* Before a load: only whether it will miss the TLB. */
#define PROBE_LD(N)                                                       \
  static uint64_t probe_ld##N(vmrun_cpu *cpu, uint64_t va, uint64_t b,   \
                              uint64_t c)                                 \
  {                                                                       \
    const vmrun_tlb_entry *te =                                           \
        &cpu->tlb[cpu->mmu_idx][VMRUN_TLB_INDEX(va)];                     \
    (void)b; (void)c;                                                     \
    if ((va & (VMRUN_PAGE_MASK | (N - 1))) != te->addr_read)              \
      cpu->machine->check->tlb_missed = 1;                                \
    return 0;                                                             \
  }
PROBE_LD(1) PROBE_LD(2) PROBE_LD(4) PROBE_LD(8)

/* instrument() of the reference engine: Lua's hooks first (if any), then
** before every LD and ST: t = base + offset; t = probe_{ld,st}N(t). */
static int check_instrument(void *opaque, vmrun_cpu *cpu, vmrun_ir_block *blk)
{
  vmrun_machine *m = opaque;
  vmrun_check *ck = m->check;
  uint32_t n, stores = 0, out = 0;
  uint16_t t;
  int rc;
  if (vmrun__lua_wanted(&m->desc) &&
      (rc = vmrun__lua_instrument(m, cpu, blk)) < 0)
    return rc;
  n = blk->n_ops;
  for (uint32_t i = 0; i < n; i++)
    stores += blk->ops[i].op == VMRUN_IR_ST || blk->ops[i].op == VMRUN_IR_LD;
  if (!stores) return 0;
  if (n + 2 * stores > blk->cap_ops || blk->n_temps >= VMRUN_IR_MAX_TEMPS)
    return -VMRUN_ENOSPC;
  if (ck->tmp_cap < n) {
    vmrun_ir_op *nt = realloc(ck->tmp, blk->cap_ops * sizeof *nt);
    if (!nt) return -VMRUN_ENOMEM;
    ck->tmp = nt;
    ck->tmp_cap = blk->cap_ops;
  }
  memcpy(ck->tmp, blk->ops, n * sizeof *ck->tmp);
  t = (uint16_t)blk->n_temps++;
  for (uint32_t i = 0; i < n; i++) {
    const vmrun_ir_op *s = &ck->tmp[i];
    if (s->op == VMRUN_IR_ST || s->op == VMRUN_IR_LD) {
      static const vmrun_ir_helper_fn fns[2][4] = {
        { probe_ld1, probe_ld2, probe_ld4, probe_ld8 },
        { probe_st1, probe_st2, probe_st4, probe_st8 }
      };
      vmrun_ir_op *o = &blk->ops[out++];
      vmrun_ir_helper_fn fn = fns[s->op == VMRUN_IR_ST]
          [s->size == 1 ? 0 : s->size == 2 ? 1 : s->size == 4 ? 2 : 3];
      memset(o, 0, sizeof *o);
      o->op = VMRUN_IR_ADD;
      o->size = 8;
      o->flags = VMRUN_IR_F_BIMM;
      o->dst = t;
      o->a = s->a;
      o->imm = s->imm;
      o = &blk->ops[out++];
      memset(o, 0, sizeof *o);
      o->op = VMRUN_IR_CALL;
      o->size = 8;
      o->dst = o->a = o->b = o->c = t;
      o->imm = (uint64_t)(uintptr_t)fn;
    }
    blk->ops[out++] = *s;
  }
  blk->n_ops = out;
  return 0;
}

/* ---- set-up and tear-down ---- */

int vmrun__check_init(vmrun_machine *m)
{
  vmrun_check *ck = calloc(1, sizeof *ck);
  uint32_t n = (uint32_t)m->desc.harts; /* the vCPUs do not exist yet */
  if (!ck) goto oom;
  m->check = ck;
  ck->n_harts = n;
  ck->state_size = (m->fe->cpu_state_size + 63) & ~63u;
  ck->s0 = aligned_alloc(64, ck->state_size);
  ck->s1 = aligned_alloc(64, ck->state_size);
  ck->log = calloc(LOG_CAP, sizeof *ck->log);
  ck->log2 = calloc(LOG_CAP, sizeof *ck->log2);
  ck->ref_data = calloc(n ? n : 1, sizeof *ck->ref_data);
  ck->chk_data = calloc(n ? n : 1, sizeof *ck->chk_data);
  ck->shadow = calloc(n ? n : 1, sizeof *ck->shadow);
  ck->shadow_ok = calloc(n ? n : 1, sizeof *ck->shadow_ok);
  if (!ck->s0 || !ck->s1 || !ck->log || !ck->log2 || !ck->ref_data || !ck->chk_data ||
      !ck->shadow || !ck->shadow_ok)
    goto oom;
  return 0;
oom:
  vmrun__diag("vmrun: engine-check: out of memory");
  return -VMRUN_ENOMEM;
}

/* After the checked engine is attached: the reference engine. */
int vmrun__check_attach(vmrun_machine *m)
{
  vmrun_check *ck = m->check;
  int rc = vmrun__plugin_load(VMRUN_PLUGIN_ENGINE, "interp", &ck->plugin);
  if (rc < 0) return rc;
  ck->ref = ck->plugin.desc->ops;
  ck->env = m->engine_env;
  ck->env.trace = 0;            /* --trace shows the checked engine */
  ck->env.instrument = check_instrument;
  ck->env.instrument_opaque = m;
  rc = ck->ref->create(&m->host, m, NULL, &ck->env, &ck->ref_inst);
  if (rc < 0) {
    vmrun__diag("vmrun: engine-check: the reference engine 'interp' failed "
                "to start (error %d)", rc);
    ck->ref_inst = NULL;
    return rc;
  }
  for (uint32_t i = 0; i < m->n_cpus && i < ck->n_harts; i++) {
    vmrun_cpu *cpu = m->cpus[i];
    ck->chk_data[i] = cpu->engine_data;
    cpu->engine_data = NULL;
    rc = ck->ref->cpu_attach(ck->ref_inst, cpu);
    ck->ref_data[i] = cpu->engine_data;
    cpu->engine_data = ck->chk_data[i];
    if (rc < 0) {
      vmrun__diag("vmrun: engine-check: 'interp' cannot attach hart %u "
                  "(error %d)", i, rc);
      return rc;
    }
    ck->n_attached = i + 1;
  }
  return 0;
}

void vmrun__check_free(vmrun_machine *m)
{
  vmrun_check *ck = m->check;
  if (!ck) return;
  for (uint32_t i = 0; i < ck->n_attached && i < m->n_cpus; i++) {
    vmrun_cpu *cpu = m->cpus[i];
    cpu->engine_data = ck->ref_data[i];
    if (ck->ref->cpu_detach) ck->ref->cpu_detach(ck->ref_inst, cpu);
    cpu->engine_data = ck->chk_data[i];
  }
  if (ck->ref_inst) ck->ref->destroy(ck->ref_inst);
  vmrun__plugin_unload(&ck->plugin);
  free(ck->s0); free(ck->s1); free(ck->log); free(ck->log2); free(ck->tmp);
  free(ck->ref_data); free(ck->chk_data);
  free(ck->shadow); free(ck->shadow_ok);
  free(ck);
  m->check = NULL;
}

/* ---- both engines' caches ---- */

void vmrun__engines_invalidate(vmrun_machine *m, uint64_t gpa, uint64_t len)
{
  if (m->engine && m->engine_inst && m->engine->invalidate)
    m->engine->invalidate(m->engine_inst, gpa, len);
  if (m->check && m->check->ref_inst)
    m->check->ref->invalidate(m->check->ref_inst, gpa, len);
}

void vmrun__engines_flush(vmrun_machine *m)
{
  m->engine->flush(m->engine_inst);
  if (m->check && m->check->ref_inst)
    m->check->ref->flush(m->check->ref_inst);
}

void vmrun__engines_vcache_flush(vmrun_machine *m, vmrun_cpu *cpu)
{
  vmrun_check *ck = m->check;
  void *cur = cpu->engine_data;
  if (!m->engine || !m->engine_inst || !m->engine->vcache_flush) return;
  if (!ck || !ck->ref_inst || cpu->hart_id >= ck->n_attached) {
    m->engine->vcache_flush(m->engine_inst, cpu);
    return;
  }
  /* each engine finds its own per-vCPU data in cpu->engine_data */
  cpu->engine_data = ck->chk_data[cpu->hart_id];
  m->engine->vcache_flush(m->engine_inst, cpu);
  cpu->engine_data = ck->ref_data[cpu->hart_id];
  ck->ref->vcache_flush(ck->ref_inst, cpu);
  cpu->engine_data = cur;
}

static void vcache_flush_page1(const vmrun_engine_ops *ops, void *inst,
                               vmrun_cpu *cpu, uint64_t va)
{
  if (VMRUN_ENGINE_HAS(ops, vcache_flush_page) && ops->vcache_flush_page)
    ops->vcache_flush_page(inst, cpu, va);
  else if (ops->vcache_flush)
    ops->vcache_flush(inst, cpu);
}

void vmrun__engines_vcache_flush_page(vmrun_machine *m, vmrun_cpu *cpu,
                                      uint64_t va)
{
  vmrun_check *ck = m->check;
  void *cur = cpu->engine_data;
  if (!m->engine || !m->engine_inst) return;
  if (!ck || !ck->ref_inst || cpu->hart_id >= ck->n_attached) {
    vcache_flush_page1(m->engine, m->engine_inst, cpu, va);
    return;
  }
  cpu->engine_data = ck->chk_data[cpu->hart_id];
  vcache_flush_page1(m->engine, m->engine_inst, cpu, va);
  cpu->engine_data = ck->ref_data[cpu->hart_id];
  vcache_flush_page1(ck->ref, ck->ref_inst, cpu, va);
  cpu->engine_data = cur;
}

/* Before mmu->set_paging: remember the regime, and what the reference
** run changed (to put it back before the replay). */
void vmrun__check_paging(vmrun_machine *m, vmrun_cpu *cpu, unsigned idx,
                         const vmrun_paging *p)
{
  vmrun_check *ck = m->check;
  uint32_t h = cpu->hart_id;
  if (idx >= VMRUN_TLB_NB_IDX || h >= ck->n_harts) return;
  if (m->check_logging == 1 && !ck->changed[idx]) {
    ck->changed[idx] = 1;
    ck->saved_ok[idx] = ck->shadow_ok[h][idx];
    ck->saved[idx] = ck->shadow[h][idx];
    if (!ck->shadow_ok[h][idx]) ck->paging_lost = 1;
  }
  ck->shadow[h][idx] = *p;
  ck->shadow_ok[h][idx] = 1;
}

/* ---- comparing ---- */

static void hexval(char *buf, size_t n, const uint8_t *p, unsigned len)
{
  uint64_t v = 0;
  memcpy(&v, p, len);  /* little-endian host */
  snprintf(buf, n, "0x%llx", (unsigned long long)v);
}

/* Returns 1 and prints the report line on the first difference. */
static int compare(vmrun_machine *m, vmrun_check *ck, vmrun_cpu *cpu,
                   uint64_t block_pc)
{
  const vmrun_cpu *r = (const vmrun_cpu *)(void *)ck->s1;
  const char *rn = "interp", *cn = m->engine_plugin.desc->name;
  const char *what = NULL;
  char a[40], b[40];
  uint64_t rv = 0, cv = 0;

  int state_differs =
      memcmp(ck->s1 + sizeof(vmrun_cpu), (uint8_t *)cpu + sizeof(vmrun_cpu),
             m->fe->cpu_state_size - sizeof(vmrun_cpu)) != 0;

  /* registers by architectural name */
  if (state_differs || r->pc != cpu->pc || r->priv != cpu->priv) {
    const char *name;
    for (unsigned i = 0; m->fe->reg_name &&
                         (name = m->fe->reg_name(m->fe_inst, i)); i++) {
      if (m->fe->reg_get(m->fe_inst, (vmrun_cpu *)(void *)ck->s1, name,
                         &rv) < 0 ||
          m->fe->reg_get(m->fe_inst, cpu, name, &cv) < 0)
        continue;
      if (rv != cv) { what = name; goto differ; }
    }
  }
#define HDR(f)                                                            \
  if (r->f != cpu->f) { what = #f; rv = r->f; cv = cpu->f; goto differ; }
  HDR(pc) HDR(icount) HDR(priv) HDR(mmu_idx) HDR(mmu_idx_fetch)
  HDR(tb_flags) HDR(halted) HDR(trap_taken)
#undef HDR
  for (uint32_t off = sizeof(vmrun_cpu);
       state_differs && off < m->fe->cpu_state_size; off += 8) {
    unsigned len = m->fe->cpu_state_size - off < 8
                       ? m->fe->cpu_state_size - off : 8;
    if (memcmp(ck->s1 + off, (uint8_t *)cpu + off, len)) {
      hexval(a, sizeof a, ck->s1 + off, len);
      hexval(b, sizeof b, (uint8_t *)cpu + off, len);
      vmrun__diag("vmrun: engine-check: block 0x%llx: state+0x%x: %s %s "
                  "%s %s", (unsigned long long)block_pc, off, rn, a, cn, b);
      return 1;
    }
  }
  for (uint32_t j = 0; j < 2 * ck->n_log; j++) { /* stores first */
    log_ent *e = &ck->log[j < ck->n_log ? j : j - ck->n_log];
    if (e->store == (j >= ck->n_log)) continue;
    if (memcmp(e->host, e->new_, e->len)) {
      uint64_t gpa = e->gpa != VMRUN_TLB_INVALID ? e->gpa
                                                 : host_to_gpa(m, e->host);
      unsigned lo = 0, hi = e->len, len;
      if (!e->store) {
        /* bytes a helper or the MMU's slow path may have written: report
        ** the smallest naturally aligned piece holding the difference */
        while (e->host[lo] == e->new_[lo]) lo++;
        while (e->host[hi - 1] == e->new_[hi - 1]) hi--;
        for (len = 1; (lo & ~(len - 1)) + len < hi; len *= 2) {}
        lo &= ~(len - 1);
        hi = lo + len;
      }
      hexval(a, sizeof a, e->new_ + lo, hi - lo);
      hexval(b, sizeof b, e->host + lo, hi - lo);
      vmrun__diag("vmrun: engine-check: block 0x%llx: memory 0x%llx "
                  "(%u bytes): %s %s %s %s", (unsigned long long)block_pc,
                  (unsigned long long)(gpa + lo), hi - lo, rn, a, cn, b);
      return 1;
    }
  }
  /* bytes the checked engine's slow path changed: the reference must have
  ** left the same there (its final bytes if it logged them, else the
  ** bytes before both runs) */
  for (uint32_t i = 0; i < ck->n_log2; i++) {
    log_ent *e = &ck->log2[i];
    uint8_t want[8];
    unsigned lo, hi, len;
    if (!memcmp(e->host, e->old, e->len)) continue;
    for (unsigned k = 0; k < e->len; k++) {
      const uint8_t *p = e->host + k;
      want[k] = e->old[k];
      for (uint32_t j = ck->n_log; j-- > 0;) {
        const log_ent *r1 = &ck->log[j];
        if (p >= r1->host && p < r1->host + r1->len) {
          want[k] = r1->new_[p - r1->host];
          break;
        }
      }
    }
    if (!memcmp(e->host, want, e->len)) continue;
    lo = 0; hi = e->len;
    while (e->host[lo] == want[lo]) lo++;
    while (e->host[hi - 1] == want[hi - 1]) hi--;
    for (len = 1; (lo & ~(len - 1)) + len < hi; len *= 2) {}
    lo &= ~(len - 1);
    hi = lo + len;
    hexval(a, sizeof a, want + lo, hi - lo);
    hexval(b, sizeof b, e->host + lo, hi - lo);
    vmrun__diag("vmrun: engine-check: block 0x%llx: memory 0x%llx "
                "(%u bytes): %s %s %s %s", (unsigned long long)block_pc,
                (unsigned long long)(e->gpa + lo), hi - lo, rn, a, cn, b);
    return 1;
  }
  return 0;
differ:
  vmrun__diag("vmrun: engine-check: block 0x%llx: %s: %s 0x%llx %s 0x%llx",
              (unsigned long long)block_pc, what, rn,
              (unsigned long long)rv, cn, (unsigned long long)cv);
  return 1;
}

/* ---- stepping ---- */

static uint64_t sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

/* One block on both engines.  0, VMRUN_RUN_ERROR or
** VMRUN__RUN_DIVERGED. */
static int step(vmrun_machine *m, vmrun_check *ck, vmrun_cpu *cpu)
{
  uint32_t h = cpu->hart_id, size = m->fe->cpu_state_size;
  uint64_t remaining = cpu->insn_budget, consumed, irq, block_pc = cpu->pc;
  const vmrun_cpu *s0 = (const vmrun_cpu *)(void *)ck->s0;
  uint32_t req;
  int why, stop0 = m->stop, unc = -1, rc = 0;

  memcpy(ck->s0, cpu, size);
  ck->n_log = 0;
  ck->log_full = ck->phys_logged = ck->paging_lost = 0;
  ck->pend_size = 0;
  ck->tlb_missed = 0;
  memset(ck->changed, 0, sizeof ck->changed);
  m->check_mmio = 0;

  /* the reference, with store logging */
  cpu->insn_budget = 1;
  cpu->engine_data = ck->ref_data[h];
  m->check_logging = 1;
  why = ck->ref->run(ck->ref_inst, cpu);
  m->check_logging = 0;
  cpu->engine_data = ck->chk_data[h];
  if (why == VMRUN_RUN_ERROR) {
    vmrun__diag("vmrun: engine-check: the reference engine 'interp' stopped "
                "on an internal error at pc=0x%llx",
                (unsigned long long)cpu->pc);
    return VMRUN_RUN_ERROR;
  }
  if (cpu->insn_budget != 0) {        /* no block ran (exit request) */
    cpu->insn_budget = remaining;
    return 0;
  }
  consumed = cpu->icount - s0->icount;
  if (consumed == 0) consumed = 1;    /* an exception costs one unit */
  if (m->check_mmio) unc = UNC_MMIO;
  else if (m->stop != stop0) unc = UNC_STOP;
  else if (ck->paging_lost) unc = UNC_PAGING;
  else if (ck->log_full) unc = UNC_LOG;
  if (unc >= 0) {                     /* keep the reference's result */
    ck->unchecked[unc]++;
    cpu->insn_budget = sat_sub(remaining, consumed);
    return 0;
  }

  /* undo the reference's effects */
  memcpy(ck->s1, cpu, size);
  for (uint32_t i = 0; i < ck->n_log; i++)
    memcpy(ck->log[i].new_, ck->log[i].host, ck->log[i].len);
  for (uint32_t i = ck->n_log; i-- > 0;)
    memcpy(ck->log[i].host, ck->log[i].old, ck->log[i].len);
  for (unsigned idx = 0; idx < VMRUN_TLB_NB_IDX; idx++)
    if (ck->changed[idx] && ck->saved_ok[idx]) {
      m->mmu->set_paging(m->mmu_inst, cpu, idx, &ck->saved[idx]);
      ck->shadow[h][idx] = ck->saved[idx];
    }
  /* A walk may have set A/D bits that are now undone: no TLB entry may
  ** outlive them.  And an access that missed the TLB in the reference run
  ** must miss in the checked one too (its slow path is checked), not hit
  ** the entry the reference filled. */
  if (ck->phys_logged || ck->tlb_missed)
    m->mmu->tlb_flush(m->mmu_inst, cpu, VMRUN_TLB_INVALID);
  if (ck->phys_logged || memchr(ck->changed, 1, sizeof ck->changed))
    vmrun__engines_vcache_flush(m, cpu);
  req = __atomic_exchange_n(&cpu->exit_request, 0, __ATOMIC_SEQ_CST);
  irq = cpu->irq_pending;
  memcpy(cpu, ck->s0, size);
  cpu->exit_request = 0;
  cpu->irq_pending = irq;
  cpu->engine_data = ck->chk_data[h];

  /* the checked engine */
  cpu->insn_budget = 1;
  ck->n_log2 = 0;
  m->check_logging = 2;
  why = m->engine->run(m->engine_inst, cpu);
  m->check_logging = 0;
  __atomic_or_fetch(&cpu->exit_request, req, __ATOMIC_SEQ_CST);
  if (why == VMRUN_RUN_ERROR) return VMRUN_RUN_ERROR;
  if (cpu->insn_budget != 0) {
    /* it ran nothing (exit request in between): the guest simply has not
    ** run this block yet */
    ck->unchecked[UNC_EXIT]++;
    cpu->insn_budget = remaining;
    return 0;
  }
  if (compare(m, ck, cpu, block_pc)) {
    ck->divergences++;
    rc = VMRUN__RUN_DIVERGED;
  } else {
    ck->checked++;
  }
  cpu->insn_budget = sat_sub(remaining, consumed);
  return rc;
}

int vmrun__check_run(vmrun_machine *m, vmrun_cpu *cpu)
{
  vmrun_check *ck = m->check;
  int rc = 0;
  if (cpu->hart_id >= ck->n_attached) return VMRUN_RUN_ERROR;
  while (rc == 0) {
    if (cpu->exit_request) return VMRUN_RUN_EXIT;
    if (cpu->halted) return VMRUN_RUN_HALT;
    if (cpu->insn_budget == 0) return VMRUN_RUN_BUDGET;
    /* one clock reading for the whole step (host clock), taken when the
    ** guest first reads it */
    m->clock_frozen = m->clock_mode == VMRUN_CLOCK_HOST;
    rc = step(m, ck, cpu);
    m->clock_frozen = 0;
  }
  return rc;
}

void vmrun__check_stats(vmrun_machine *m, FILE *out)
{
  vmrun_check *ck = m->check;
  unsigned long long unc = 0;
  if (!ck) return;
  for (int i = 0; i < UNC_N; i++) unc += ck->unchecked[i];
  fprintf(out, "stats: engine_check_blocks_checked %llu\n", ck->checked);
  fprintf(out, "stats: engine_check_blocks_unchecked %llu\n", unc);
  for (int i = 0; i < UNC_N; i++)
    fprintf(out, "stats: engine_check_unchecked_%s %llu\n", unc_name[i],
            ck->unchecked[i]);
  fprintf(out, "stats: engine_check_divergences %llu\n", ck->divergences);
}
