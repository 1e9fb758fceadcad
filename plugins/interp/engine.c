/*
** plugins/interp/engine.c - the IR interpreter engine: translation cache,
** block preparation (IR -> pre-decoded ops), invalidation and the engine
** vtable.  The dispatch loop is in exec.c.
**
** Cache structure:
**   - a hash table keyed by (guest physical PC, guest virtual PC, tb_flags);
**   - per vCPU a direct-mapped jump cache keyed by virtual PC in front of
**     it (a block can only sit in the slot of its own pc, so dropping a
**     block clears one slot per vCPU);
**   - per physical page the list of blocks whose code touches it, for
**     invalidate().
** Dropped blocks are unlinked at once and freed at the next block dispatch
** (never while one runs).  All of this runs on the machine thread.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_int.h"

#define HTAB_INIT_BITS 12
#define PTAB_INIT_BITS 10

static uint32_t hash_key(uint64_t pa, uint64_t pc, uint32_t flags)
{
  uint64_t h = pa * 0x9E3779B97F4A7C15ull;
  h ^= (pc + (pc >> 29)) * 0xC2B2AE3D27D4EB4Full;
  h ^= (uint64_t)flags * 0x165667B19E3779F9ull;
  return (uint32_t)(h >> 32);
}


/* ---- block hash ---- */

static int htab_grow(interp *e)
{
  uint32_t nsize = (e->hmask + 1) * 2;
  interp_block **nt = calloc(nsize, sizeof *nt);
  if (!nt) return -1;
  for (uint32_t i = 0; i <= e->hmask; i++) {
    interp_block *b = e->htab[i], *nb;
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
  return 0;
}

static void htab_remove(interp *e, interp_block *b)
{
  interp_block **pp =
      &e->htab[hash_key(b->phys_pc, b->pc, b->tb_flags) & e->hmask];
  for (; *pp; pp = &(*pp)->hnext)
    if (*pp == b) { *pp = b->hnext; e->hcount--; return; }
}

/* ---- dropping blocks ---- */

static void block_free(interp_block *b)
{
  free(b->ir);
  free(b);
}

void interp_drop_ir(interp_block *b)
{
  free(b->ir);
  b->ir = NULL;
}

void interp_free_pending(interp *e)
{
  interp_block *b = e->pending, *nb;
  e->pending = NULL;
  for (; b; b = nb) { nb = b->fnext; block_free(b); }
}

/* A copy of the IR of a block, ops right after the header; NULL when out
** of memory (the JIT then asks the frontend again). */
static vmrun_ir_block *copy_ir(const vmrun_ir_block *ib)
{
  vmrun_ir_block *c = malloc(sizeof *c + (size_t)ib->n_ops * sizeof *ib->ops);
  if (!c) return NULL;
  *c = *ib;
  c->ops = (vmrun_ir_op *)(void *)(c + 1);
  c->cap_ops = ib->n_ops;
  memcpy(c->ops, ib->ops, (size_t)ib->n_ops * sizeof *ib->ops);
  return c;
}

static void jc_remove(interp *e, interp_block *b)
{
  uint32_t slot = (uint32_t)INTERP_JC_IDX(b->pc);
  for (interp_vcpu *vd = e->vcpus; vd; vd = vd->next) {
    if (vd->jc[slot] == b) vd->jc[slot] = NULL;
    if (vd->jv[slot].b == b) vd->jv[slot].b = NULL;
  }
}

static void drop_block(interp *e, interp_block *b)
{
  if (!b->valid) return;
  b->valid = 0;
  htab_remove(e, b);
  jc_remove(e, b);
  pagemap_unlink_block(b->pl, b->n_plinks);
  b->fnext = e->pending;
  e->pending = b;
  e->st_invalidated++;
}

static void drop_owner(void *ctx, void *owner)
{
  drop_block(ctx, owner);
}

/* ---- preparation: IR -> pre-decoded ops ---- */

static void set_handler(interp_op *o, unsigned h)
{
#if VMRUN_INTERP_SWITCH
  o->h.i = h;
#else
  o->h.p = interp_labels[h];
#endif
}

static unsigned log2_size(unsigned s)
{
  return s == 1 ? 0 : s == 2 ? 1 : s == 4 ? 2 : 3;
}

/* Check one IR op; returns NULL or what is wrong. */
static const char *check_op(const interp *e, const vmrun_ir_block *ib,
                            const vmrun_ir_op *o)
{
  return blockgen_check_op(e->env.fe->cpu_state_size, ib, o);
}

/* ---- peephole fusion (see INTERP_FUSED4 in interp.h) ---- */

/* -DVMRUN_INTERP_NO_FUSION=1 disables it (for differential testing). */
#ifndef VMRUN_INTERP_NO_FUSION
#define VMRUN_INTERP_NO_FUSION 0
#endif

enum { FU_NONE, FU_GAP, FU_GGAP, FU_AP, FU_GGBR, FU_GIBR, FU_GGCP, FU_G3CP };

static int alu_index(unsigned op)
{
  switch (op) {
  case VMRUN_IR_ADD: return 0;
  case VMRUN_IR_SUB: return 1;
  case VMRUN_IR_MUL: return 2;
  case VMRUN_IR_AND: return 3;
  case VMRUN_IR_OR: return 4;
  case VMRUN_IR_XOR: return 5;
  case VMRUN_IR_SHL: return 6;
  case VMRUN_IR_SHR: return 7;
  case VMRUN_IR_SAR: return 8;
  default: return -1;
  }
}

static int is_get64(const vmrun_ir_op *o)
{
  return o->op == VMRUN_IR_GET && o->size == 8;
}

static int is_put64(const vmrun_ir_op *o)
{
  return o->op == VMRUN_IR_PUT && o->size == 8;
}

static int is_alu64(const vmrun_ir_op *o)
{
  return alu_index(o->op) >= 0 && o->size == 8;
}

static int is_brcond64(const vmrun_ir_op *o)
{
  return o->op == VMRUN_IR_BRCOND && o->size == 8 &&
         !(o->flags & VMRUN_IR_F_BIMM);
}

/* How many IR ops starting at i form one fused op (1: none). */
static unsigned fuse_match(const vmrun_ir_block *ib, uint32_t i,
                           unsigned *kind)
{
  const vmrun_ir_op *o = ib->ops + i;
  uint32_t left = ib->n_ops - i;
  *kind = FU_NONE;
  if (VMRUN_INTERP_NO_FUSION) return 1;
  if (left >= 3 && is_get64(&o[0])) {
    if (is_get64(&o[1]) && o[1].dst != o[0].dst) {
      if (left >= 4 && is_alu64(&o[2]) && !(o[2].flags & VMRUN_IR_F_BIMM) &&
          o[2].a == o[0].dst && o[2].b == o[1].dst && is_put64(&o[3]) &&
          o[3].a == o[2].dst) {
        *kind = FU_GGAP;
        return 4;
      }
      if (is_brcond64(&o[2]) && o[2].a == o[0].dst && o[2].b == o[1].dst) {
        *kind = FU_GGBR;
        return 3;
      }
      /* the same with three state words (the fused multiply-adds) */
      if (left >= 5 && is_get64(&o[2]) && o[2].dst != o[0].dst &&
          o[2].dst != o[1].dst && o[3].op == VMRUN_IR_CALL &&
          o[3].flags == 0 && o[3].a == o[0].dst && o[3].b == o[1].dst &&
          o[3].c == o[2].dst && is_put64(&o[4]) && o[4].a == o[3].dst &&
          (o[0].imm | o[1].imm | o[2].imm | o[4].imm) <= 0xffff) {
        *kind = FU_G3CP;
        return 5;
      }
      /* a helper on two state words whose result is stored (the riscv64
      ** F/D operations: f[rs1], f[rs2] -> f[rd] or x[rd]) */
      if (left >= 4 && o[2].op == VMRUN_IR_CALL && o[2].flags == 0 &&
          o[2].a == o[0].dst && o[2].b == o[1].dst && o[2].c == o[0].dst &&
          is_put64(&o[3]) && o[3].a == o[2].dst && o[3].imm <= 0xffff) {
        *kind = FU_GGCP;
        return 4;
      }
    }
    if (o[1].op == VMRUN_IR_MOVI && o[1].dst != o[0].dst &&
        is_brcond64(&o[2]) && o[2].a == o[0].dst && o[2].b == o[1].dst &&
        o[0].imm <= 0xffff) {
      *kind = FU_GIBR;
      return 3;
    }
    if (is_alu64(&o[1]) && (o[1].flags & VMRUN_IR_F_BIMM) &&
        o[1].a == o[0].dst && is_put64(&o[2]) && o[2].a == o[1].dst) {
      *kind = FU_GAP;
      return 3;
    }
  }
  if (left >= 2 && is_alu64(&o[0]) && is_put64(&o[1]) &&
      o[1].a == o[0].dst) {
    *kind = FU_AP;
    return 2;
  }
  return 1;
}

/* Emit the fused op for ops q[0..]; 0 if a branch label is missing. */
static int emit_fused(const interp *e, interp_op *o, const vmrun_ir_op *q,
                      unsigned kind, uint32_t ord)
{
  unsigned h;
  memset(o, 0, sizeof *o);
  o->x = ord;
  switch (kind) {
  case FU_GAP:
    o->a = q[0].dst; o->d = q[1].dst; o->imm = q[1].imm;
    o->x = (uint32_t)q[0].imm; o->y = (uint32_t)q[2].imm;
    h = H_GAP_ADD + 4u * (unsigned)alu_index(q[1].op);
    break;
  case FU_GGAP:
    o->a = q[0].dst; o->b = q[1].dst; o->d = q[2].dst;
    o->x = (uint32_t)q[0].imm; o->y = (uint32_t)q[1].imm; o->imm = q[3].imm;
    h = H_GAP_ADD + 4u * (unsigned)alu_index(q[2].op) + 1;
    break;
  case FU_GGCP:
    o->a = q[0].dst; o->b = q[1].dst; o->d = q[2].dst;
    o->x = (uint32_t)q[0].imm; o->y = (uint32_t)q[1].imm;
    o->c = (uint16_t)q[3].imm; o->imm = q[2].imm;
    h = H_GGCP;
    break;
  case FU_G3CP:
    o->a = q[0].dst; o->b = q[1].dst; o->c = q[2].dst; o->d = q[3].dst;
    o->x = (uint32_t)(q[0].imm | q[1].imm << 16);
    o->y = (uint32_t)(q[2].imm | q[4].imm << 16);
    o->imm = q[3].imm;
    h = H_G3CP;
    break;
  case FU_AP:
    o->a = q[0].a; o->b = q[0].b; o->d = q[0].dst; o->imm = q[0].imm;
    o->y = (uint32_t)q[1].imm;
    h = H_GAP_ADD + 4u * (unsigned)alu_index(q[0].op) + 2 +
        ((q[0].flags & VMRUN_IR_F_BIMM) != 0);
    break;
  default: { /* FU_GGBR, FU_GIBR */
    uint64_t l = q[2].imm;
    if (e->label_pos[l] < 0) return 0;
    o->a = q[0].dst; o->b = q[1].dst;
    if (kind == FU_GGBR) {
      o->imm = (q[0].imm & 0xffffffffu) | (q[1].imm << 32);
      h = H_GGBR_EQ + q[2].cond;
    } else {
      o->c = (uint16_t)q[0].imm;
      o->imm = q[1].imm;
      h = H_GIBR_EQ + q[2].cond;
    }
    o->x = (uint32_t)e->label_pos[l];
    o->y = e->label_ord[l] - ord;
    break;
  }
  }
  set_handler(o, h);
  return 1;
}

static interp_block *prepare(interp *e, const vmrun_ir_block *ib,
                             const char **why)
{
  uint32_t pidx = 0, ord = 0, i, n_iops, len;
  interp_block *b;
  interp_op *o;
  size_t sz;

  if (ib->n_ops > ib->cap_ops || ib->n_temps > VMRUN_IR_MAX_TEMPS ||
      ib->n_labels > VMRUN_IR_MAX_LABELS) {
    *why = "counters out of range";
    return NULL;
  }
  for (i = 0; i < ib->n_labels; i++) e->label_pos[i] = -1;
  for (i = 0; i < ib->n_ops; i++) {
    const char *err = check_op(e, ib, &ib->ops[i]);
    if (err) { *why = err; return NULL; }
  }
  /* pass 1: place labels, count insns and emitted ops */
  for (i = 0; i < ib->n_ops; i += len) {
    const vmrun_ir_op *io = &ib->ops[i], *last;
    unsigned kind;
    len = fuse_match(ib, i, &kind);
    last = &ib->ops[i + len - 1];
    switch (io->op) {
    case VMRUN_IR_NOP: break;
    case VMRUN_IR_INSN_START: ord++; break;
    case VMRUN_IR_LABEL:
      if (io->imm >= ib->n_labels) { *why = "label out of range"; return NULL; }
      if (e->label_pos[io->imm] >= 0) {
        *why = "label placed twice";
        return NULL;
      }
      e->label_pos[io->imm] = (int32_t)pidx;
      e->label_ord[io->imm] = ord;
      break;
    default:
      pidx++;
    }
    if (last->op == VMRUN_IR_BR || last->op == VMRUN_IR_BRCOND) {
      if (last->imm >= ib->n_labels) {
        *why = "label out of range";
        return NULL;
      }
      if (e->label_pos[last->imm] >= 0) {
        *why = "backward branch";
        return NULL;
      }
    }
  }
  n_iops = pidx + 1; /* + the fall-through exit */
  sz = sizeof *b + (size_t)n_iops * sizeof(interp_op) +
       ((size_t)ord + 1) * sizeof(uint64_t);
  b = calloc(1, sz);
  if (!b) { *why = "out of memory"; return NULL; }
  b->pc = ib->pc;
  b->phys_pc = ib->phys_pc;
  b->phys_page2 = ib->phys_page2;
  b->tb_flags = ib->tb_flags;
  b->n_ops = n_iops;
  b->n_insns = ord;
  b->n_temps = ib->n_temps;
  b->insn_pc = (uint64_t *)(void *)(b->ops + n_iops);
  b->insn_pc[0] = ib->pc;

  /* pass 2: emit */
  ord = 0;
  o = b->ops;
  for (i = 0; i < ib->n_ops; i += len) {
    const vmrun_ir_op *io = &ib->ops[i];
    unsigned bimm = (io->flags & VMRUN_IR_F_BIMM) != 0;
    unsigned s32 = io->size == 4;
    unsigned h, kind;
    len = fuse_match(ib, i, &kind);
    if (kind != FU_NONE) {
      if (!emit_fused(e, o, io, kind, ord)) {
        free(b);
        *why = "branch to a label never placed";
        return NULL;
      }
      o++;
      continue;
    }
    switch (io->op) {
    case VMRUN_IR_NOP: case VMRUN_IR_LABEL:
      continue;
    case VMRUN_IR_INSN_START:
      b->insn_pc[++ord] = io->imm;
      continue;
    default:
      break;
    }
    o->d = io->dst; o->a = io->a; o->b = io->b; o->c = io->c;
    o->imm = io->imm;
    o->x = ord;
    o->y = 0;
    switch (io->op) {
    case VMRUN_IR_MOVI: h = H_MOVI; break;
    case VMRUN_IR_MOV: h = H_MOV; break;
    case VMRUN_IR_GET: {
      static const unsigned gu[4] = { H_GET8U, H_GET16U, H_GET32U, H_GET64 };
      static const unsigned gs[4] = { H_GET8S, H_GET16S, H_GET32S, H_GET64 };
      h = (io->flags & VMRUN_IR_F_SIGNED ? gs : gu)[log2_size(io->size)];
      break;
    }
    case VMRUN_IR_PUT: {
      static const unsigned pu[4] = { H_PUT8, H_PUT16, H_PUT32, H_PUT64 };
      h = pu[log2_size(io->size)];
      break;
    }
#define ALU_CASE(OP)                                                       \
    case VMRUN_IR_##OP: h = H_##OP##_64R + 2 * s32 + bimm; break;
    ALU_CASE(ADD) ALU_CASE(SUB) ALU_CASE(MUL) ALU_CASE(AND) ALU_CASE(OR)
    ALU_CASE(XOR) ALU_CASE(SHL) ALU_CASE(SHR) ALU_CASE(SAR)
#undef ALU_CASE
#define AR_CASE(OP)                                                        \
    case VMRUN_IR_##OP: h = H_##OP##_64 + s32; o->y = bimm; break;
    AR_CASE(MULH) AR_CASE(MULHU) AR_CASE(MULHSU) AR_CASE(DIV) AR_CASE(DIVU)
    AR_CASE(REM) AR_CASE(REMU)
#undef AR_CASE
    case VMRUN_IR_SETCC:
      h = (s32 ? (bimm ? H_SETI32_EQ : H_SETR32_EQ)
               : (bimm ? H_SETI64_EQ : H_SETR64_EQ)) + io->cond;
      break;
    case VMRUN_IR_SELECT:
      h = bimm ? H_SELECT_I : H_SELECT_R;
      break;
    case VMRUN_IR_SEXT: {
      static const unsigned se[4] = { H_SEXT8, H_SEXT16, H_SEXT32, H_MOV };
      h = se[log2_size(io->size)];
      break;
    }
    case VMRUN_IR_ZEXT: {
      static const unsigned ze[4] = { H_ZEXT8, H_ZEXT16, H_ZEXT32, H_MOV };
      h = ze[log2_size(io->size)];
      break;
    }
    case VMRUN_IR_LD: {
      static const unsigned lu[4] = { H_LD8U, H_LD16U, H_LD32U, H_LD64 };
      static const unsigned ls[4] = { H_LD8S, H_LD16S, H_LD32S, H_LD64 };
      h = (io->flags & VMRUN_IR_F_SIGNED ? ls : lu)[log2_size(io->size)];
      o->y = io->flags;
      break;
    }
    case VMRUN_IR_ST: {
      static const unsigned st[4] = { H_ST8, H_ST16, H_ST32, H_ST64 };
      h = st[log2_size(io->size)];
      o->y = io->flags;
      break;
    }
    case VMRUN_IR_CALL:
      h = io->flags & (VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END) ? H_CALL_SYNC
                                                             : H_CALL;
      o->y = io->flags;
      break;
    case VMRUN_IR_BR: case VMRUN_IR_BRCOND:
      if (e->label_pos[io->imm] < 0) {
        free(b);
        *why = "branch to a label never placed";
        return NULL;
      }
      o->x = (uint32_t)e->label_pos[io->imm];
      o->y = e->label_ord[io->imm] - ord;
      if (io->op == VMRUN_IR_BR)
        h = H_BR;
      else
        h = (s32 ? H_BRR32_EQ : H_BRR64_EQ) + io->cond;
      break;
    case VMRUN_IR_EXIT_DIRECT: h = H_EXIT_DIRECT; break;
    case VMRUN_IR_EXIT_INDIRECT: h = H_EXIT_INDIRECT; break;
    case VMRUN_IR_EXIT: h = H_EXIT; break;
    default:
      free(b);
      *why = "unexpected opcode";
      return NULL;
    }
    set_handler(o, h);
    o++;
  }
  /* fall-through guard: a block (or a label) that runs off its end
  ** continues after its code */
  memset(o, 0, sizeof *o);
  o->imm = ib->pc + ib->size;
  o->x = ord;
  set_handler(o, H_EXIT_DIRECT);
  b->valid = 1;
  return b;
}

/* ---- lookup and translation ---- */

static int translate_block(interp *e, vmrun_cpu *cpu, uint64_t pc,
                           uint64_t pa, interp_block **out)
{
  vmrun_ir_block ib;
  interp_block *b;
  const char *why = NULL;
  int r = blockgen_translate(e->host, e->m, &e->env, "interp", cpu, pc, pa,
                             e->max_insns, e->irbuf, e->ir_cap, &ib);
  if (r) return r;
  b = prepare(e, &ib, &why);
  if (!b) {
    e->host->log(e->m, VMRUN_LOG_ERROR,
                 "interp: invalid IR block at pc 0x%llx: %s",
                 (unsigned long long)pc, why);
    return -1;
  }
  if (e->keep_ir) b->ir = copy_ir(&ib);
  /* link into the hash and the page lists */
  if (e->hcount >= e->hmask + 1) (void)htab_grow(e);
  {
    uint32_t h = hash_key(b->phys_pc, b->pc, b->tb_flags) & e->hmask;
    b->hnext = e->htab[h];
    e->htab[h] = b;
    e->hcount++;
  }
  if (pagemap_add_block(&e->pages, b->phys_pc, b->phys_page2, b->pl,
                        &b->n_plinks, b) < 0) {
    e->host->log(e->m, VMRUN_LOG_ERROR, "interp: out of memory");
    drop_block(e, b);
    return -1;
  }
  e->st_translated++;
  *out = b;
  return 0;
}

/* Put b in its jump-cache slot; the block it evicts becomes the slot's
** victim (interp_jv). */
static void jc_fill(interp_vcpu *vd, interp_block *b)
{
  uint32_t i = (uint32_t)INTERP_JC_IDX(b->pc);
  interp_block *old = vd->jc[i];
  if (old && old != b) {
    vd->jv[i].b = old;
    vd->jv[i].gen = vd->jv_gen;
  }
  vd->jc[i] = b;
}

/* Jump-cache miss: 0 with *out, 1 when a fetch fault was raised (pc
** changed), -1 on an internal error (logged).  The slot's victim first
** (swapped with the slot's block on a hit), then the physical lookup. */
int interp_lookup_slow(interp *e, interp_vcpu *vd, vmrun_cpu *cpu,
                       interp_block **out)
{
  uint64_t pc = cpu->pc, pa = 0;
  uint32_t fl = cpu->tb_flags;
  interp_jv *v = &vd->jv[INTERP_JC_IDX(pc)];
  interp_block *b = v->b;
  int f;
  if (b && v->gen == vd->jv_gen && b->pc == pc && b->tb_flags == fl) {
    jc_fill(vd, b);
    *out = b;
    return 0;
  }
  e->st_lookups++;
  f = e->env.mmu->translate(e->env.mmu_inst, cpu, pc, VMRUN_ACCESS_FETCH,
                                cpu->mmu_idx_fetch, &pa);
  if (f) {
    e->env.fe->raise_fault(e->env.fe_inst, cpu, VMRUN_ACCESS_FETCH,
                           (enum vmrun_fault)f, pc);
    return 1;
  }
  for (b = e->htab[hash_key(pa, pc, fl) & e->hmask]; b; b = b->hnext)
    if (b->phys_pc == pa && b->pc == pc && b->tb_flags == fl &&
        blockgen_page2_ok(&e->env, cpu, b->pc, b->phys_page2))
      break;
  if (!b) {
    int r = translate_block(e, cpu, pc, pa, &b);
    if (r) return r;
  }
  jc_fill(vd, b);
  *out = b;
  return 0;
}

/* ---- vtable ---- */

static void interp_destroy(void *inst);

static int interp_create(const vmrun_host *host, vmrun_machine *m,
                         vmrun_cfg *opts, const vmrun_engine_env *env,
                         void **inst)
{
  interp *e;
  size_t envsz;
  (void)opts;
  if (!env || !env->fe || !env->mmu) return -VMRUN_EINVAL;
  interp_exec(NULL, NULL, NULL); /* publish the handler table */
  e = calloc(1, sizeof *e);
  if (!e) return -VMRUN_ENOMEM;
  e->host = host;
  e->m = m;
  envsz = env->struct_size && env->struct_size < sizeof e->env
              ? env->struct_size : sizeof e->env;
  memcpy(&e->env, env, envsz);
  e->max_insns = env->max_block_insns ? env->max_block_insns : 32;
  if (e->max_insns > 4096) e->max_insns = 4096;
  e->ir_cap = e->max_insns * (VMRUN_IR_OPS_PER_INSN + VMRUN_IR_HOOK_OPS_PER_INSN);
  e->irbuf = calloc(e->ir_cap, sizeof *e->irbuf);
  e->hmask = (1u << HTAB_INIT_BITS) - 1;
  e->htab = calloc(e->hmask + 1, sizeof *e->htab);
  if (!e->irbuf || !e->htab || pagemap_init(&e->pages, PTAB_INIT_BITS) < 0) {
    interp_destroy(e);
    return -VMRUN_ENOMEM;
  }
  *inst = e;
  return 0;
}

static void interp_destroy(void *inst)
{
  interp *e = inst;
  if (!e) return;
  interp_free_pending(e);
  if (e->htab) {
    for (uint32_t i = 0; i <= e->hmask; i++) {
      interp_block *b = e->htab[i], *nb;
      for (; b; b = nb) { nb = b->hnext; block_free(b); }
    }
    free(e->htab);
  }
  pagemap_destroy(&e->pages);
  while (e->vcpus) {
    interp_vcpu *vd = e->vcpus;
    e->vcpus = vd->next;
    if (vd->cpu && vd->cpu->engine_data == vd) vd->cpu->engine_data = NULL;
    free(vd->jv);
    free(vd);
  }
  free(e->irbuf);
  free(e);
}

static int interp_cpu_attach(void *inst, vmrun_cpu *cpu)
{
  interp *e = inst;
  interp_vcpu *vd = calloc(1, sizeof *vd);
  if (!vd) return -VMRUN_ENOMEM;
  vd->jv = calloc(INTERP_JC_SIZE, sizeof *vd->jv);
  if (!vd->jv) { free(vd); return -VMRUN_ENOMEM; }
  vd->cpu = cpu;
  vd->next = e->vcpus;
  e->vcpus = vd;
  cpu->engine_data = vd;
  return 0;
}

static void interp_cpu_detach(void *inst, vmrun_cpu *cpu)
{
  interp *e = inst;
  for (interp_vcpu **pp = &e->vcpus; *pp; pp = &(*pp)->next)
    if ((*pp)->cpu == cpu) {
      interp_vcpu *vd = *pp;
      *pp = vd->next;
      free(vd->jv);
      free(vd);
      break;
    }
  cpu->engine_data = NULL;
}

static int interp_run(void *inst, vmrun_cpu *cpu)
{
  interp *e = inst;
  if (!cpu->engine_data || !cpu->tlb) {
    e->host->log(e->m, VMRUN_LOG_ERROR,
                 "interp: hart %u run before cpu_attach", cpu->hart_id);
    return VMRUN_RUN_ERROR;
  }
  return interp_exec(e, cpu->engine_data, cpu);
}

static void interp_invalidate(void *inst, uint64_t gpa, uint64_t len)
{
  interp *e = inst;
  if (!e->hcount) return;
  pagemap_drop_range(&e->pages, gpa, len, drop_owner, e);
}

static void interp_flush(void *inst)
{
  interp *e = inst;
  for (uint32_t i = 0; i <= e->hmask; i++) {
    interp_block *b = e->htab[i], *nb;
    for (; b; b = nb) {
      nb = b->hnext;
      b->valid = 0;
      b->fnext = e->pending; /* the running block may be among them */
      e->pending = b;
    }
    e->htab[i] = NULL;
  }
  e->hcount = 0;
  pagemap_clear(&e->pages);
  for (interp_vcpu *vd = e->vcpus; vd; vd = vd->next) interp_jc_reset(vd);
  e->st_flushes++;
}

static void interp_vcache_flush(void *inst, vmrun_cpu *cpu)
{
  interp_vcpu *vd = cpu->engine_data;
  (void)inst;
  if (vd) interp_jc_reset(vd);
}

static void interp_vcache_flush_page(void *inst, vmrun_cpu *cpu, uint64_t va)
{
  interp_vcpu *vd = cpu->engine_data;
  (void)inst;
  if (vd) interp_jc_clear_page(vd, va);
}

static int interp_stats(void *inst, char *buf, unsigned long len)
{
  interp *e = inst;
  return snprintf(buf, len,
                  "blocks_translated %llu\nblocks_invalidated %llu\n"
                  "flushes %llu\ninterp_lookups %llu\n",
                  e->st_translated, e->st_invalidated, e->st_flushes,
                  e->st_lookups);
}

const vmrun_engine_ops interp_engine_ops = {
  sizeof(vmrun_engine_ops), 0,
  interp_create, interp_destroy, interp_cpu_attach, interp_cpu_detach,
  interp_run, interp_invalidate, interp_flush, interp_vcache_flush,
  interp_stats,
  NULL, NULL, NULL, /* no run-time options, no tiers */
  interp_vcache_flush_page,
  NULL              /* no direct guest accesses */
};
