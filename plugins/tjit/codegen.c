/*
** plugins/tjit/codegen.c - IR -> x86-64 code, one template per IR op, and
** the code cache (one memfd mapped twice: RW for the emitter, RX to run).
**
** Register conventions inside generated code:
**   rbx  the vmrun_cpu                 rbp  &temps[0] (t[i] at [rbp+8i])
**   r12  INSN_STARTs executed in the current block
**   r14  instructions of the block already added to cpu->icount
**   r13  cpu->tlb[cpu->mmu_idx]
**   rax rcx rdx rsi rdi r8-r11: scratch (caller-saved)
** rsp is 16-byte aligned inside blocks, so helpers are called directly.
**
** Accounting mirrors plugins/interp/exec.c: "executed" = r12, "done
** before the current instruction" = r12 ? r12 - 1 : 0, and every exit adds
** r12 - r14 to icount and subtracts r12 (+1 for an exception) from the
** budget, saturating at 0.
*/
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emit.h"
#include "tjit_int.h"

#define OFF_PC      ((int32_t)offsetof(vmrun_cpu, pc))
#define OFF_ICOUNT  ((int32_t)offsetof(vmrun_cpu, icount))
#define OFF_MMUIDX  ((int32_t)offsetof(vmrun_cpu, mmu_idx))
#define OFF_TBFLAGS ((int32_t)offsetof(vmrun_cpu, tb_flags))
#define OFF_EXITREQ ((int32_t)offsetof(vmrun_cpu, exit_request))
#define OFF_HALTED  ((int32_t)offsetof(vmrun_cpu, halted))
#define OFF_TRAP    ((int32_t)offsetof(vmrun_cpu, trap_taken))
#define OFF_TLB     ((int32_t)offsetof(vmrun_cpu, tlb))
#define OFF_BUDGET  ((int32_t)offsetof(vmrun_cpu, insn_budget))

#define T(i)   MEM(RBP, 8 * (int32_t)(i))
#define CPU(o) MEM(RBX, (int32_t)(o))

enum { STUB_FAIL, STUB_LD, STUB_ST, STUB_TRAP };

/* ---- C helpers called by generated code ---- */

typedef struct tjit_pair { uint64_t v, fault; } tjit_pair;

static uint64_t sat_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

/* An LD/ST fault: precise state of the faulting instruction (pc, icount
** as before it), trap entry, and the budget of the whole block plus one
** for the exception (engine.h). */
static void mem_fault(vmrun_cpu *cpu, uint64_t pc, enum vmrun_access acc,
                      int flt, uint64_t va)
{
  tjit_vcpu *vd = cpu->engine_data;
  tjit *e = vd->e;
  uint64_t c = vd->scr_cnt, done = c ? c - 1 : 0;
  cpu->pc = pc;
  cpu->icount += done - vd->scr_acc;
  e->env.fe->raise_fault(e->env.fe_inst, cpu, acc, (enum vmrun_fault)flt,
                         va);
  cpu->insn_budget = sat_sub(cpu->insn_budget, done + 1);
}

/* info = size | IR flags << 8 */
static tjit_pair ld_slow(vmrun_cpu *cpu, uint64_t va, uint32_t info,
                         uint64_t pc)
{
  tjit_vcpu *vd = cpu->engine_data;
  tjit *e = vd->e;
  unsigned size = info & 0xff, fl = info >> 8;
  tjit_pair r = { 0, 0 };
  uint64_t v = 0;
  int flt;
  if ((fl & VMRUN_IR_F_ALIGNED) && (va & (size - 1)))
    flt = VMRUN_FAULT_MISALIGNED;
  else
    flt = e->env.mmu->access(e->env.mmu_inst, cpu, va, size,
                             VMRUN_ACCESS_LOAD, cpu->mmu_idx, &v);
  if (flt) {
    mem_fault(cpu, pc, VMRUN_ACCESS_LOAD, flt, va);
    r.fault = 1;
    return r;
  }
  if (fl & VMRUN_IR_F_SIGNED) {
    switch (size) {
    case 1: v = (uint64_t)(int64_t)(int8_t)v; break;
    case 2: v = (uint64_t)(int64_t)(int16_t)v; break;
    case 4: v = (uint64_t)(int64_t)(int32_t)v; break;
    default: break;
    }
  } else if (size < 8) {
    v &= (1ull << (8 * size)) - 1;
  }
  r.v = v;
  return r;
}

static int st_slow(vmrun_cpu *cpu, uint64_t va, uint64_t val, uint32_t info,
                   uint64_t pc)
{
  tjit_vcpu *vd = cpu->engine_data;
  tjit *e = vd->e;
  unsigned size = info & 0xff, fl = info >> 8;
  int flt;
  if ((fl & VMRUN_IR_F_ALIGNED) && (va & (size - 1)))
    flt = VMRUN_FAULT_MISALIGNED;
  else
    flt = e->env.mmu->access(e->env.mmu_inst, cpu, va, size,
                             VMRUN_ACCESS_STORE, cpu->mmu_idx, &val);
  if (flt) {
    mem_fault(cpu, pc, VMRUN_ACCESS_STORE, flt, va);
    return 1;
  }
  return 0;
}

/* A CALL flagged MAY_FAULT/END set trap_taken; `done` instructions (all
** before the helper's) are already in icount. */
static void trap_exit(vmrun_cpu *cpu, uint64_t done)
{
  uint32_t tt = cpu->trap_taken;
  uint64_t n = done + (tt == VMRUN_TRAP_DONE);
  uint64_t raised = tt == VMRUN_TRAP_RAISED;
  cpu->trap_taken = 0;
  cpu->icount += n - done;
  cpu->insn_budget = sat_sub(cpu->insn_budget, n + raised);
}

/* arithmetic with the IR's no-trap rules (as plugins/interp/exec.c) */
static uint64_t h_div64(uint64_t a, uint64_t b)
{
  if (b == 0) return ~(uint64_t)0;
  if (a == (uint64_t)INT64_MIN && b == ~(uint64_t)0) return a;
  return (uint64_t)((int64_t)a / (int64_t)b);
}
static uint64_t h_rem64(uint64_t a, uint64_t b)
{
  if (b == 0) return a;
  if (a == (uint64_t)INT64_MIN && b == ~(uint64_t)0) return 0;
  return (uint64_t)((int64_t)a % (int64_t)b);
}
static uint64_t h_div32(uint64_t a, uint64_t b)
{
  int32_t x = (int32_t)a, y = (int32_t)b;
  if (y == 0) return 0xffffffffu;
  if (x == INT32_MIN && y == -1) return (uint32_t)x;
  return (uint32_t)(x / y);
}
static uint64_t h_rem32(uint64_t a, uint64_t b)
{
  int32_t x = (int32_t)a, y = (int32_t)b;
  if (y == 0) return (uint32_t)x;
  if (x == INT32_MIN && y == -1) return 0;
  return (uint32_t)(x % y);
}
static uint64_t h_divu64(uint64_t a, uint64_t b)
{ return b ? a / b : ~(uint64_t)0; }
static uint64_t h_remu64(uint64_t a, uint64_t b) { return b ? a % b : a; }
static uint64_t h_divu32(uint64_t a, uint64_t b)
{ return (uint32_t)b ? (uint32_t)a / (uint32_t)b : 0xffffffffu; }
static uint64_t h_remu32(uint64_t a, uint64_t b)
{ return (uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a; }
static uint64_t h_mulhsu64(uint64_t a, uint64_t b)
{
  return (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b)
                    >> 64);
}

/* ---- code cache ---- */

int tjit_cc_init(tjit *e, uint64_t size)
{
  int fd;
  tj_buf c;
  if (size < TJIT_MIN_CACHE) size = TJIT_MIN_CACHE;
  if (size > (1ull << 31)) size = 1ull << 31;
  size = (size + 4095) & ~4095ull;
  fd = memfd_create("vmrun-tjit", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (ftruncate(fd, (off_t)size) != 0) { close(fd); return -1; }
  e->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  e->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  close(fd);
  if (e->rw == MAP_FAILED || e->rx == MAP_FAILED) {
    if (e->rw != MAP_FAILED) munmap(e->rw, size);
    if (e->rx != MAP_FAILED) munmap(e->rx, size);
    e->rw = e->rx = NULL;
    return -1;
  }
  e->cc_size = size;
  /* shared code: enter(cpu, temps, code), epilogue, fault return */
  c.base = e->rw; c.pos = 0; c.cap = (uint32_t)size; c.overflow = 0;
  push_r(&c, RBX); push_r(&c, RBP); push_r(&c, R12); push_r(&c, R13);
  push_r(&c, R14); push_r(&c, R15);
  alu_ri(&c, 1, ALU_SUB, RSP, 8);
  mov_rr(&c, 1, RBX, RDI);
  mov_rr(&c, 1, RBP, RSI);
  jmp_r(&c, RDX);
  e->fault_ret = c.pos;            /* return 0 */
  alu_rr(&c, 0, ALU_XOR, RAX, RAX);
  e->epilogue = c.pos;             /* return rax */
  alu_ri(&c, 1, ALU_ADD, RSP, 8);
  pop_r(&c, R15); pop_r(&c, R14); pop_r(&c, R13); pop_r(&c, R12);
  pop_r(&c, RBP); pop_r(&c, RBX);
  ret(&c);
  e->cc_start = e->cc_pos = (c.pos + 63) & ~63u;
  e->enter = (tjit_enter_fn)(uintptr_t)e->rx;
  return 0;
}

void tjit_cc_fini(tjit *e)
{
  if (e->rw) munmap(e->rw, e->cc_size);
  if (e->rx) munmap(e->rx, e->cc_size);
  e->rw = e->rx = NULL;
}

void tjit_cc_resize(tjit *e)
{
  uint8_t *orw = e->rw, *orx = e->rx;
  uint64_t osize = e->cc_size, want = e->cc_want;
  e->cc_want = 0;
  if (want == osize) return;
  /* every block's code (and every chain) points into the old cache */
  tjit_flush_all(e);
  if (tjit_cc_init(e, want) != 0) {
    /* tjit_cc_init touched nothing else before failing */
    e->rw = orw;
    e->rx = orx;
    e->host->log(e->m, VMRUN_LOG_WARN, "tjit: cannot map a %llu-byte code "
                 "cache; keeping %llu bytes", (unsigned long long)want,
                 (unsigned long long)osize);
    return;
  }
  munmap(orw, osize);
  munmap(orx, osize);
}

/* ---- validation (same rules as plugins/interp/engine.c) ---- */

static const char *check_op(const tjit *e, const vmrun_ir_block *ib,
                            const vmrun_ir_op *o)
{
  return blockgen_check_op(e->env.fe->cpu_state_size, ib, o);
}

/* ---- templates ---- */

static const int cc_of[VMRUN_IR_NB_CONDS] = {
  CC_E, CC_NE, CC_L, CC_GE, CC_B, CC_AE
};

static int add_fix(tjit *e, uint32_t at, uint32_t label)
{
  if (e->n_fix == e->cap_fix) {
    uint32_t n = e->cap_fix ? 2 * e->cap_fix : 64;
    tjit_fix *f = realloc(e->fix, n * sizeof *f);
    if (!f) return -1;
    e->fix = f;
    e->cap_fix = n;
  }
  e->fix[e->n_fix].at = at;
  e->fix[e->n_fix].label = label;
  e->n_fix++;
  return 0;
}

static tjit_stub *add_stub(tjit *e, unsigned kind, uint32_t from,
                           uint32_t back, uint64_t pc)
{
  tjit_stub *s;
  if (e->n_stubs == e->cap_stubs) {
    uint32_t n = e->cap_stubs ? 2 * e->cap_stubs : 64;
    tjit_stub *f = realloc(e->stubs, n * sizeof *f);
    if (!f) return NULL;
    e->stubs = f;
    e->cap_stubs = n;
  }
  s = &e->stubs[e->n_stubs++];
  memset(s, 0, sizeof *s);
  s->kind = (uint8_t)kind;
  s->from = from;
  s->back = back;
  s->pc = pc;
  return s;
}

/* icount += r12 - r14; budget = sat(budget - r12) */
static void emit_accounting(tj_buf *c)
{
  mov_rr(c, 1, RAX, R12);
  alu_rr(c, 1, ALU_SUB, RAX, R14);
  alu_mr(c, 1, ALU_ADD, CPU(OFF_ICOUNT), RAX);
  mov_rm(c, 1, RAX, CPU(OFF_BUDGET));
  alu_rr(c, 1, ALU_SUB, RAX, R12);
  e8(c, 0x73); e8(c, 0x02);          /* jae +2 */
  alu_rr(c, 0, ALU_XOR, RAX, RAX);
  mov_mr(c, 8, CPU(OFF_BUDGET), RAX);
}

static void emit_load_tlb(tj_buf *c)
{
  mov_rm(c, 0, RAX, CPU(OFF_MMUIDX));
  shift_ri(c, 0, SH_SHL, RAX,
           (uint8_t)(VMRUN_TLB_BITS + 5)); /* * sizeof(vmrun_tlb_entry) */
  mov_rm(c, 1, R13, CPU(OFF_TLB));
  alu_rr(c, 1, ALU_ADD, R13, RAX);
}

static void emit_call_abs(tj_buf *c, const void *fn)
{
  mov_ri(c, RAX, (uint64_t)(uintptr_t)fn);
  call_r(c, RAX);
}

/*
** RAX forwarding.  Every template loads its operands from the temps'
** slots ([rbp+8i]) and stores its result there.  Two peepholes remove most
** of that traffic inside a guest instruction (GET, op, PUT):
**  - a "producer" (fwd_producer) leaves its result in RAX as well; when the
**    next op is a "consumer" (fwd_consumer: its code starts by loading t[a]
**    into RAX) of that temp, the load is skipped (load_a);
**  - if that temp is not used again after the consumer (backward liveness
**    over the block, fwd_plan), the producer does not store it (store_dst).
** Adjacent ops only, and no consumer can fault, so a stub never needs a
** temp that was not stored.
*/
static int fwd_producer(const vmrun_ir_op *o)
{
  switch (o->op) {
  case VMRUN_IR_ADD: case VMRUN_IR_SUB: case VMRUN_IR_AND: case VMRUN_IR_OR:
  case VMRUN_IR_XOR: case VMRUN_IR_MUL: case VMRUN_IR_SHL: case VMRUN_IR_SHR:
  case VMRUN_IR_SAR: case VMRUN_IR_MOV: case VMRUN_IR_GET:
  case VMRUN_IR_SETCC: case VMRUN_IR_SELECT: case VMRUN_IR_SEXT:
  case VMRUN_IR_ZEXT:
    return 1;
  default:
    return 0;
  }
}

static int fwd_consumer(const vmrun_ir_op *o)
{
  switch (o->op) {
  case VMRUN_IR_ADD: case VMRUN_IR_SUB: case VMRUN_IR_AND: case VMRUN_IR_OR:
  case VMRUN_IR_XOR: case VMRUN_IR_MUL: case VMRUN_IR_SHL: case VMRUN_IR_SHR:
  case VMRUN_IR_SAR: case VMRUN_IR_MOV: case VMRUN_IR_PUT:
    return 1;
  default:
    return 0;
  }
}

/* skip[i] = 1 when op i's result is only used, from RAX, by op i+1. */
static void fwd_plan(const vmrun_ir_block *ib, uint8_t *skip)
{
  uint64_t live[VMRUN_IR_MAX_TEMPS / 64];
  uint32_t k;
  memset(live, 0, sizeof live);
#define LIVE(t) ((live[(t) / 64] >> ((t) % 64)) & 1)
#define SET(t) (live[(t) / 64] |= 1ull << ((t) % 64))
#define CLR(t) (live[(t) / 64] &= ~(1ull << ((t) % 64)))
  /* backward: skip[k] = "t[a] of op k is dead after op k" (for now) */
  for (k = ib->n_ops; k-- > 0;) {
    const vmrun_ir_op *o = &ib->ops[k];
    skip[k] = o->a < VMRUN_IR_MAX_TEMPS && !LIVE(o->a);
    switch (o->op) {
    case VMRUN_IR_NOP: case VMRUN_IR_INSN_START: case VMRUN_IR_LABEL:
    case VMRUN_IR_EXIT_DIRECT: case VMRUN_IR_EXIT:
      break;
    case VMRUN_IR_BR: case VMRUN_IR_BRCOND:
      memset(live, 0xff, sizeof live);   /* the target may use anything */
      break;
    default:
      if (fwd_producer(o) || o->op == VMRUN_IR_MOVI || o->op == VMRUN_IR_LD)
        CLR(o->dst);
      if (o->op != VMRUN_IR_MOVI && o->op != VMRUN_IR_GET) {
        SET(o->a);
        if (!(o->flags & VMRUN_IR_F_BIMM)) SET(o->b);
        SET(o->c);
      }
      break;
    }
  }
#undef LIVE
#undef SET
#undef CLR
  /* forward: the producer/consumer pairs */
  for (k = 0; k < ib->n_ops; k++) {
    const vmrun_ir_op *o = &ib->ops[k], *n = o + 1;
    skip[k] = k + 1 < ib->n_ops && fwd_producer(o) && fwd_consumer(n) &&
              n->a == o->dst && skip[k + 1] &&
              ((n->flags & VMRUN_IR_F_BIMM) || n->b != o->dst);
  }
}

/* RAX = t[o->a], unless the previous op left it there */
static void load_a(tj_buf *c, const vmrun_ir_op *o)
{
  if (c->rax_t != (int)o->a) mov_rm(c, 1, RAX, T(o->a));
}

/* t[o->dst] = RAX, unless nobody reads it from the slot */
static void store_dst(tj_buf *c, const vmrun_ir_op *o)
{
  if (!c->skip_store) mov_mr(c, 8, T(o->dst), RAX);
}

/* rax = t[a]; op with B (t[b] or imm) */
static void emit_alu(tj_buf *c, const vmrun_ir_op *o, int alu)
{
  int w = o->size == 8;
  load_a(c, o);
  if (o->flags & VMRUN_IR_F_BIMM) {
    if (!w || fits32((int64_t)o->imm)) {
      alu_ri(c, w, alu, RAX, (int32_t)(uint32_t)o->imm);
    } else {
      mov_ri(c, RCX, o->imm);
      alu_rr(c, w, alu, RAX, RCX);
    }
  } else {
    alu_rm(c, w, alu, RAX, T(o->b));
  }
  store_dst(c, o);
}

static void emit_mul(tj_buf *c, const vmrun_ir_op *o)
{
  int w = o->size == 8;
  if (o->flags & VMRUN_IR_F_BIMM) {
    load_a(c, o);
    if (!w || fits32((int64_t)o->imm)) {
      imul_rri(c, w, RAX, RAX, (int32_t)(uint32_t)o->imm);
    } else {
      mov_ri(c, RCX, o->imm);
      imul_rr(c, w, RAX, RCX);
    }
  } else {
    load_a(c, o);
    imul_rm(c, w, RAX, T(o->b));
  }
  store_dst(c, o);
}

static void emit_shift(tj_buf *c, const vmrun_ir_op *o, int sh)
{
  int w = o->size == 8;
  load_a(c, o);
  if (o->flags & VMRUN_IR_F_BIMM) {
    shift_ri(c, w, sh, RAX, (uint8_t)(o->imm & (w ? 63 : 31)));
  } else {
    mov_rm(c, 1, RCX, T(o->b));
    shift_rcl(c, w, sh, RAX);
  }
  store_dst(c, o);
}

/* rcx = B as a 64-bit value */
static void emit_b_rcx(tj_buf *c, const vmrun_ir_op *o)
{
  if (o->flags & VMRUN_IR_F_BIMM) mov_ri(c, RCX, o->imm);
  else mov_rm(c, 1, RCX, T(o->b));
}

static void emit_mulh(tj_buf *c, const vmrun_ir_op *o)
{
  if (o->size == 8) {
    if (o->op == VMRUN_IR_MULHSU) {
      mov_rm(c, 1, RDI, T(o->a));
      if (o->flags & VMRUN_IR_F_BIMM) mov_ri(c, RSI, o->imm);
      else mov_rm(c, 1, RSI, T(o->b));
      emit_call_abs(c, (const void *)h_mulhsu64);
      mov_mr(c, 8, T(o->dst), RAX);
      return;
    }
    emit_b_rcx(c, o);
    mov_rm(c, 1, RAX, T(o->a));
    mul1_r(c, o->op == VMRUN_IR_MULH ? 5 : 4, RCX);
    mov_mr(c, 8, T(o->dst), RDX);
    return;
  }
  /* 32-bit: 64-bit product of the extended halves, high word */
  if (o->op == VMRUN_IR_MULHU) load_ext(c, RAX, T(o->a), 4, 0);
  else load_ext(c, RAX, T(o->a), 4, 1);
  if (o->flags & VMRUN_IR_F_BIMM) {
    uint32_t v = (uint32_t)o->imm;
    if (o->op == VMRUN_IR_MULH)
      mov_ri(c, RCX, (uint64_t)(int64_t)(int32_t)v);
    else
      mov_ri(c, RCX, v);
  } else {
    load_ext(c, RCX, T(o->b), 4, o->op == VMRUN_IR_MULH);
  }
  imul_rr(c, 1, RAX, RCX);
  shift_ri(c, 1, SH_SHR, RAX, 32);
  mov_mr(c, 8, T(o->dst), RAX);
}

static void emit_divrem(tj_buf *c, const vmrun_ir_op *o)
{
  const void *fn;
  int w = o->size == 8;
  switch (o->op) {
  case VMRUN_IR_DIV: fn = w ? (const void *)h_div64 : (const void *)h_div32; break;
  case VMRUN_IR_DIVU: fn = w ? (const void *)h_divu64 : (const void *)h_divu32; break;
  case VMRUN_IR_REM: fn = w ? (const void *)h_rem64 : (const void *)h_rem32; break;
  default: fn = w ? (const void *)h_remu64 : (const void *)h_remu32; break;
  }
  mov_rm(c, 1, RDI, T(o->a));
  if (o->flags & VMRUN_IR_F_BIMM) mov_ri(c, RSI, o->imm);
  else mov_rm(c, 1, RSI, T(o->b));
  emit_call_abs(c, fn);
  mov_mr(c, 8, T(o->dst), RAX);
}

/* flags = t[a] cmp B (32- or 64-bit) */
static void emit_cmp(tj_buf *c, const vmrun_ir_op *o, int bimm)
{
  int w = o->size == 8;
  mov_rm(c, 1, RAX, T(o->a));
  if (bimm) {
    if (!w || fits32((int64_t)o->imm)) {
      alu_ri(c, w, ALU_CMP, RAX, (int32_t)(uint32_t)o->imm);
    } else {
      mov_ri(c, RCX, o->imm);
      alu_rr(c, w, ALU_CMP, RAX, RCX);
    }
  } else {
    alu_rm(c, w, ALU_CMP, RAX, T(o->b));
  }
}

/* eax = VMRUN_TLB_INDEX(esi) * sizeof(vmrun_tlb_entry); clobbers ecx.
** The index only uses va bits 27:12, so 32-bit operations suffice. */
static void emit_tlb_slot(tj_buf *c)
{
  mov_rr(c, 0, RAX, RSI);
  shift_ri(c, 0, SH_SHR, RAX, VMRUN_PAGE_BITS - 5);
  mov_rr(c, 0, RCX, RSI);
  shift_ri(c, 0, SH_SHR, RCX, VMRUN_PAGE_BITS + VMRUN_TLB_BITS - 5);
  alu_rr(c, 0, ALU_XOR, RAX, RCX);
  alu_ri(c, 0, ALU_AND, RAX, (int32_t)((VMRUN_TLB_SIZE - 1) << 5));
}

/* va = t[a] + imm into rsi; TLB probe on field `fld`; returns the jne
** rel32 position (to the slow path); leaves rsi = host address on a hit */
static uint32_t emit_tlb_probe(tj_buf *c, const vmrun_ir_op *o, int fld)
{
  uint32_t j;
  mov_rm(c, 1, RSI, T(o->a));
  if (o->imm) {
    if (fits32((int64_t)o->imm)) {
      alu_ri(c, 1, ALU_ADD, RSI, (int32_t)o->imm);
    } else {
      mov_ri(c, RAX, o->imm);
      alu_rr(c, 1, ALU_ADD, RSI, RAX);
    }
  }
  emit_tlb_slot(c);
  mov_rr(c, 1, RCX, RSI);
  alu_ri(c, 1, ALU_AND, RCX,
         (int32_t)(int64_t)(VMRUN_PAGE_MASK | (uint64_t)(o->size - 1)));
  alu_rm(c, 1, ALU_CMP, RCX, MEMX(R13, RAX, 0, fld));
  j = jcc32(c, CC_NE);
  alu_rm(c, 1, ALU_ADD, RSI,
         MEMX(R13, RAX, 0, (int32_t)offsetof(vmrun_tlb_entry, addend)));
  return j;
}

/* r12/r14 into the vCPU scratch words for the slow-path helpers */
static void emit_save_counts(tj_buf *c)
{
  mov_mr(c, 8, MEM(RBP, -8), R12);
  mov_mr(c, 8, MEM(RBP, -16), R14);
}

static void emit_stub(tjit *e, tj_buf *c, const tjit_block *b,
                      const tjit_stub *s)
{
  patch32(c, s->from, c->pos);
  switch (s->kind) {
  case STUB_FAIL:
    mov_ri(c, RAX, b->pc);
    mov_mr(c, 8, CPU(OFF_PC), RAX);
    jmp_to(c, e->fault_ret);
    break;
  case STUB_LD:
    mov_rr(c, 1, RDI, RBX);
    mov_ri(c, RDX, (uint32_t)(s->size | (unsigned)s->flags << 8));
    mov_ri(c, RCX, s->pc);
    emit_save_counts(c);
    emit_call_abs(c, (const void *)ld_slow);
    test_rr(c, 1, RDX, RDX);
    jcc_to(c, CC_NE, e->fault_ret);
    mov_mr(c, 8, T(s->d), RAX);
    jmp_to(c, s->back);
    break;
  case STUB_ST:
    mov_rr(c, 1, RDI, RBX);
    mov_rm(c, 1, RDX, T(s->b));
    mov_ri(c, RCX, (uint32_t)(s->size | (unsigned)s->flags << 8));
    mov_ri(c, R8, s->pc);
    emit_save_counts(c);
    emit_call_abs(c, (const void *)st_slow);
    test_rr(c, 0, RAX, RAX);
    jcc_to(c, CC_NE, e->fault_ret);
    jmp_to(c, s->back);
    break;
  case STUB_TRAP:
    mov_rr(c, 1, RDI, RBX);
    mov_rr(c, 1, RSI, R14);
    emit_call_abs(c, (const void *)trap_exit);
    jmp_to(c, e->fault_ret);
    break;
  default:
    break;
  }
}

static void emit_exit_direct(tjit *e, tj_buf *c, tjit_block *b,
                             uint64_t pc)
{
  emit_accounting(c);
  if (e->chaining) {
    tjit_site *s = &b->sites[b->n_sites++];
    memset(s, 0, sizeof *s);
    s->owner = b;
    s->jmp_at = jmp32(c);
    s->stub_at = c->pos;
    patch32(c, s->jmp_at, s->stub_at);
    mov_ri(c, RAX, pc);
    mov_mr(c, 8, CPU(OFF_PC), RAX);
    mov_ri(c, RAX, (uint64_t)(uintptr_t)s);
    jmp_to(c, e->epilogue);
  } else {
    mov_ri(c, RAX, pc);
    mov_mr(c, 8, CPU(OFF_PC), RAX);
    jmp_to(c, e->fault_ret);
  }
}

tjit_block *tjit_compile(tjit *e, const vmrun_ir_block *ib, const char **why)
{
  uint32_t i, n_direct = 1;
  uint64_t cur_pc = ib->pc;
  tjit_block *b;
  tj_buf cb, *c = &cb;
  uint32_t start;

  *why = "invalid block";
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
  /* pass 1: labels placed once, forward branches only, direct exits */
  for (i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    if (o->op == VMRUN_IR_LABEL) {
      if (o->imm >= ib->n_labels) { *why = "label out of range"; return NULL; }
      if (e->label_pos[o->imm] >= 0) {
        *why = "label placed twice";
        return NULL;
      }
      e->label_pos[o->imm] = 0;
    } else if (o->op == VMRUN_IR_BR || o->op == VMRUN_IR_BRCOND) {
      if (o->imm >= ib->n_labels) { *why = "label out of range"; return NULL; }
      if (e->label_pos[o->imm] >= 0) { *why = "backward branch"; return NULL; }
    } else if (o->op == VMRUN_IR_EXIT_DIRECT) {
      n_direct++;
    }
  }
  for (i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    if ((o->op == VMRUN_IR_BR || o->op == VMRUN_IR_BRCOND) &&
        e->label_pos[o->imm] < 0) {
      *why = "branch to a label never placed";
      return NULL;
    }
  }
  for (i = 0; i < ib->n_labels; i++) e->label_pos[i] = -1;

  b = calloc(1, sizeof *b + (size_t)n_direct * sizeof(tjit_site));
  if (!b) { *why = "out of memory"; return NULL; }
  b->pc = ib->pc;
  b->phys_pc = ib->phys_pc;
  b->phys_page2 = ib->phys_page2;
  b->tb_flags = ib->tb_flags;
  e->n_fix = e->n_stubs = 0;

  cb.base = e->rw;
  cb.pos = e->cc_pos;
  cb.cap = (uint32_t)e->cc_size;
  cb.overflow = 0;
  cb.rax_t = -1;
  cb.skip_store = 0;
  start = c->pos;

  /* block entry: the engine.h checks, a count of the blocks that run
  ** (tjit_vcpu.entries), then the registers */
  alu_mi(c, 0, ALU_CMP, CPU(OFF_EXITREQ), 0);
  if (!add_stub(e, STUB_FAIL, jcc32(c, CC_NE), 0, 0)) goto oom;
  alu_mi(c, 0, ALU_CMP, CPU(OFF_HALTED), 0);
  if (!add_stub(e, STUB_FAIL, jcc32(c, CC_NE), 0, 0)) goto oom;
  alu_mi(c, 1, ALU_CMP, CPU(OFF_BUDGET), 0);
  if (!add_stub(e, STUB_FAIL, jcc32(c, CC_E), 0, 0)) goto oom;
  alu_mi(c, 0, ALU_CMP, CPU(OFF_TBFLAGS), (int32_t)b->tb_flags);
  if (!add_stub(e, STUB_FAIL, jcc32(c, CC_NE), 0, 0)) goto oom;
  alu_mi(c, 1, ALU_ADD, MEM(RBP, -24), 1);
  alu_rr(c, 0, ALU_XOR, R12, R12);
  alu_rr(c, 0, ALU_XOR, R14, R14);
  emit_load_tlb(c);

  if (ib->n_ops > e->fwd_cap) {
    uint8_t *ns = realloc(e->fwd_skip, ib->n_ops);
    if (!ns) goto oom;
    e->fwd_skip = ns;
    e->fwd_cap = ib->n_ops;
  }
  if (ib->n_ops) fwd_plan(ib, e->fwd_skip);
  for (i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    c->skip_store = e->fwd_skip[i];
    c->rax_t = i > 0 && fwd_producer(o - 1) ? (int)o[-1].dst : -1;
    switch (o->op) {
    case VMRUN_IR_NOP:
      break;
    case VMRUN_IR_INSN_START:
      inc_r(c, 1, R12);
      cur_pc = o->imm;
      break;
    case VMRUN_IR_MOVI:
      if (fits32((int64_t)o->imm)) {
        mov_mi64(c, T(o->dst), (int32_t)o->imm);
      } else {
        mov_ri(c, RAX, o->imm);
        mov_mr(c, 8, T(o->dst), RAX);
      }
      break;
    case VMRUN_IR_MOV:
      load_a(c, o);
      store_dst(c, o);
      break;
    case VMRUN_IR_GET:
      load_ext(c, RAX, CPU(o->imm), o->size,
               (o->flags & VMRUN_IR_F_SIGNED) != 0);
      store_dst(c, o);
      break;
    case VMRUN_IR_PUT:
      load_a(c, o);
      mov_mr(c, o->size, CPU(o->imm), RAX);
      break;
    case VMRUN_IR_ADD: emit_alu(c, o, ALU_ADD); break;
    case VMRUN_IR_SUB: emit_alu(c, o, ALU_SUB); break;
    case VMRUN_IR_AND: emit_alu(c, o, ALU_AND); break;
    case VMRUN_IR_OR: emit_alu(c, o, ALU_OR); break;
    case VMRUN_IR_XOR: emit_alu(c, o, ALU_XOR); break;
    case VMRUN_IR_MUL: emit_mul(c, o); break;
    case VMRUN_IR_SHL: emit_shift(c, o, SH_SHL); break;
    case VMRUN_IR_SHR: emit_shift(c, o, SH_SHR); break;
    case VMRUN_IR_SAR: emit_shift(c, o, SH_SAR); break;
    case VMRUN_IR_MULH: case VMRUN_IR_MULHU: case VMRUN_IR_MULHSU:
      emit_mulh(c, o);
      break;
    case VMRUN_IR_DIV: case VMRUN_IR_DIVU: case VMRUN_IR_REM:
    case VMRUN_IR_REMU:
      emit_divrem(c, o);
      break;
    case VMRUN_IR_SETCC:
      emit_cmp(c, o, (o->flags & VMRUN_IR_F_BIMM) != 0);
      setcc_r8(c, cc_of[o->cond], RAX);
      movzx_r8(c, RAX, RAX);
      store_dst(c, o);
      break;
    case VMRUN_IR_SELECT:
      if (o->flags & VMRUN_IR_F_BIMM) mov_ri(c, RAX, o->imm);
      else mov_rm(c, 1, RAX, T(o->b));
      alu_mi(c, 1, ALU_CMP, T(o->c), 0);
      cmov_rm(c, 1, CC_NE, RAX, T(o->a));
      store_dst(c, o);
      break;
    case VMRUN_IR_SEXT: case VMRUN_IR_ZEXT:
      load_ext(c, RAX, T(o->a), o->size, o->op == VMRUN_IR_SEXT);
      store_dst(c, o);
      break;
    case VMRUN_IR_LD: {
      uint32_t j = emit_tlb_probe(c, o, 0);
      tjit_stub *s;
      load_ext(c, RAX, MEM(RSI, 0), o->size,
               (o->flags & VMRUN_IR_F_SIGNED) != 0);
      mov_mr(c, 8, T(o->dst), RAX);
      s = add_stub(e, STUB_LD, j, c->pos, cur_pc);
      if (!s) goto oom;
      s->size = o->size; s->flags = o->flags; s->d = o->dst;
      break;
    }
    case VMRUN_IR_ST: {
      uint32_t j = emit_tlb_probe(c, o, 8);
      tjit_stub *s;
      mov_rm(c, 1, RDX, T(o->b));
      mov_mr(c, o->size, MEM(RSI, 0), RDX);
      s = add_stub(e, STUB_ST, j, c->pos, cur_pc);
      if (!s) goto oom;
      s->size = o->size; s->flags = o->flags; s->b = o->b;
      break;
    }
    case VMRUN_IR_CALL: {
      int sync = (o->flags & (VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END)) != 0;
      if (sync) {
        /* pc and icount as before this instruction */
        mov_ri(c, RAX, cur_pc);
        mov_mr(c, 8, CPU(OFF_PC), RAX);
        mov_rr(c, 1, RAX, R12);
        alu_ri(c, 1, ALU_SUB, RAX, 1);
        alu_ri(c, 1, ALU_ADC, RAX, 0);   /* r12 ? r12 - 1 : 0 */
        mov_rr(c, 1, RCX, RAX);
        alu_rr(c, 1, ALU_SUB, RCX, R14);
        alu_mr(c, 1, ALU_ADD, CPU(OFF_ICOUNT), RCX);
        mov_rr(c, 1, R14, RAX);
      }
      mov_rr(c, 1, RDI, RBX);
      mov_rm(c, 1, RSI, T(o->a));
      mov_rm(c, 1, RDX, T(o->b));
      mov_rm(c, 1, RCX, T(o->c));
      emit_call_abs(c, (const void *)(uintptr_t)o->imm);
      mov_mr(c, 8, T(o->dst), RAX);
      if (sync) {
        emit_load_tlb(c);              /* the helper may switch modes */
        mov_rm(c, 0, RAX, CPU(OFF_TRAP));
        test_rr(c, 0, RAX, RAX);
        if (!add_stub(e, STUB_TRAP, jcc32(c, CC_NE), 0, cur_pc)) goto oom;
      }
      break;
    }
    case VMRUN_IR_LABEL:
      e->label_pos[o->imm] = (int32_t)c->pos;
      break;
    case VMRUN_IR_BR:
      if (add_fix(e, jmp32(c), (uint32_t)o->imm)) goto oom;
      break;
    case VMRUN_IR_BRCOND:
      emit_cmp(c, o, 0);
      if (add_fix(e, jcc32(c, cc_of[o->cond]), (uint32_t)o->imm)) goto oom;
      break;
    case VMRUN_IR_EXIT_DIRECT:
      emit_exit_direct(e, c, b, o->imm);
      break;
    case VMRUN_IR_EXIT_INDIRECT:
      mov_rm(c, 1, RAX, T(o->a));
      mov_mr(c, 8, CPU(OFF_PC), RAX);
      emit_accounting(c);
      jmp_to(c, e->fault_ret);
      break;
    case VMRUN_IR_EXIT:
      emit_accounting(c);
      jmp_to(c, e->fault_ret);
      break;
    default:
      free(b);
      *why = "unexpected opcode";
      return NULL;
    }
  }
  /* fall-through guard: running off the end continues after the code */
  emit_exit_direct(e, c, b, ib->pc + ib->size);
  for (i = 0; i < e->n_fix; i++)
    patch32(c, e->fix[i].at, (uint32_t)e->label_pos[e->fix[i].label]);
  for (i = 0; i < e->n_stubs; i++) emit_stub(e, c, b, &e->stubs[i]);
  if (c->overflow) {
    free(b);
    *why = NULL;       /* code cache full */
    return NULL;
  }
  b->code_at = start;
  b->code_len = c->pos - start;
  b->entry = e->rx + start;
  e->cc_pos = (c->pos + 15) & ~15u;
  if (e->cc_pos > e->cc_size) e->cc_pos = (uint32_t)e->cc_size;
  e->st_code_bytes += b->code_len;
  b->valid = 1;
  return b;

oom:
  free(b);
  *why = "out of memory";
  return NULL;
}
