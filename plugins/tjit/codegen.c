/*
** plugins/tjit/codegen.c - IR -> x86-64 code, one template per IR op, and
** the code cache (one memfd mapped twice: RW for the emitter, RX to run).
**
** Register conventions inside generated code:
**   rbx  the vmrun_cpu                 rbp  &temps[0] (t[i] at [rbp+8i])
**   r15  the vCPU's icount ("Instruction counter" below)
**   r12  INSN_STARTs executed in the current block, and
**   r14  instructions of the block already added to icount, in a block
**        whose counts are not static; otherwise both are in the register
**        cache
**   r13  cpu->tlb[cpu->mmu_idx], or with direct guest memory (user mode,
**        vmrun_direct_mem) the host address of guest VA 0, or in a block
**        using the RAM window (machine mode, vmrun_ram_window) the host
**        address of guest PA 0 (window host - base, modulo 2^64)
**   r8-r11: the register cache (guest registers of the block, see
**        "register cache" below)
**   rax rcx rdx rsi rdi: scratch (caller-saved)
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
#define OFF_TRAP    ((int32_t)offsetof(vmrun_cpu, trap_taken))
#define OFF_TLB     ((int32_t)offsetof(vmrun_cpu, tlb))
#define OFF_BUDGET  ((int32_t)offsetof(vmrun_cpu, insn_budget))

#define T(i)   MEM(RBP, 8 * (int32_t)(i))
#define CPU(o) MEM(RBX, (int32_t)(o))

/*
** Instruction counter.  In generated code the vCPU's icount is kept as
** RCNT (r15) = icount - limit, where the limit ([rbp-32] in the
** tjit_vcpu) is the icount at which the budget runs out: negative while
** budget is left, -RCNT of it.  An exit adds its count to r15 and leaves
** when the sum is >= 0: `add r15, n; jge`, one macro-fused instruction
** pair, with no compare against memory and no read-modify-write of memory
** (whose store-to-load forwarding chains from block to block, 5-6 cycles
** each, bounded short blocks).  enter() loads icount and insn_budget from
** the vCPU (tjit_exec keeps the budget below 2^62, so that -budget is
** negative); every exit to the dispatcher (epilogue, fault_ret) writes
** icount = limit + r15 and insn_budget = -r15 (0 if below) back.  Before
** any call to C (emit_call_abs) icount is written, since helpers and
** devices read it (instret, the icount clock, Lua); C never writes it
** there, except the slow paths of tjit's own stubs (mem_fault,
** trap_exit), which also update the budget: their stubs write the
** block-entry budget first and, when they leave, return through mem_ret
** (memory already right).
*/
#define RCNT R15
#define OFF_LIMIT ((int32_t)offsetof(tjit_vcpu, limit) - \
                   (int32_t)offsetof(tjit_vcpu, temps))  /* rbp-relative */

enum { STUB_FAIL, STUB_LD, STUB_ST, STUB_TRAP, STUB_BUDGET, STUB_DEOPT };
/* fwd_skip bits of grouped range checks ("Grouped range checks") */
#define GRP_LEAD 16u           /* a leader: checks [va + lo, va + hi) */
#define GRP_MEMBER 32u         /* a member: no range check */

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

/* info = size | IR flags << 8; b: the block (tjit_chain_at) */
static tjit_pair ld_slow(vmrun_cpu *cpu, uint64_t va, uint32_t info,
                         uint64_t pc, tjit_block *b)
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
  if (cpu->exit_request && b->quiet) tjit_quiet_exits(e, b);
  r.v = v;
  return r;
}

static int st_slow(vmrun_cpu *cpu, uint64_t va, uint64_t val, uint32_t info,
                   uint64_t pc, tjit_block *b)
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
  if (cpu->exit_request && b->quiet) tjit_quiet_exits(e, b);
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


static int grp_skip_add(tjit *e, uint64_t pc);

/* A group leader's range check failed (codegen.c, "Grouped range
** checks"): leave at its instruction, pc and icount as before it and the
** budget of the instructions done, and compile this block and the
** leader's pc anew without groups. */
static void deopt_exit(vmrun_cpu *cpu, uint64_t pc, tjit_block *b)
{
  tjit_vcpu *vd = cpu->engine_data;
  tjit *e = vd->e;
  uint64_t c = vd->scr_cnt, done = c ? c - 1 : 0;
  cpu->pc = pc;
  cpu->icount += done - vd->scr_acc;
  cpu->insn_budget = sat_sub(cpu->insn_budget, done);
  if (grp_skip_add(e, pc) < 0 || grp_skip_add(e, b->pc) < 0)
    e->group_checks = 0;               /* (out of memory: no groups) */
  tjit_drop_block(e, b);
  e->st_deopts++;
}

/* ---- code cache ---- */

/*
** Pending FP flags.  Inline binary64 operations (emit_fp) leave their
** IEEE flags in the host's MXCSR, where they are sticky, and generated
** code accrues them to the guest's flags word only before something can
** read or write that word: before every call to C (emit_call_abs) and on
** the way back to the dispatcher (the shared epilogue).  So in generated
** code the MXCSR's flags are the guest's pending flags, and outside it
** they are clear:
**   - enter() clears flags left by C code (mx_clear_stale), and so does
**     every return from a call to C: host code, a helper or a Lua hook
**     may leave any flag set, and it must not reach the guest;
**   - the flush (mx_flush: stmxcsr and a test, 3 instructions) calls the
**     flush routine only when a flag is set: it ORs the guest's bits
**     (tjit.fp_map, from the frontend's masks: SDK 1.12) into the word at
**     fp_off and clears the MXCSR's flags.  The denormal-operand flag
**     (bit 1) has no IEEE counterpart and is ignored.
** x86 SSE detects tininess after rounding, as RISC-V does, so for a
** result that is not a NaN the host's flags are the guest's (vmrun/ir.h,
** "Floating-point hints").  Scratch: the dword at [rsp-4] (the red zone).
*/
#define MX_FLAGS 0x3du          /* IE, ZE, OE, UE, PE */

/* MXCSR = the default the engine checked at start, flags clear (round
** to nearest, all exceptions masked) */
static void mx_default(tj_buf *c)
{
  mov_mi32(c, MEM(RSP, -4), 0x1f80);
  ldmxcsr_m(c, MEM(RSP, -4));
}

/* clear the MXCSR's flags if any is set */
static void mx_clear_stale(tj_buf *c)
{
  uint32_t j;
  stmxcsr_m(c, MEM(RSP, -4));
  test_m8i(c, MEM(RSP, -4), (uint8_t)MX_FLAGS);
  j = jcc8(c, CC_E);
  mx_default(c);
  patch8_here(c, j);
}

/* accrue the pending flags, if any (clobbers the host flags register;
** only absolute calls: it may be in cold code) */
static void mx_flush(const tjit *e, tj_buf *c)
{
  uint32_t j;
  stmxcsr_m(c, MEM(RSP, -4));
  test_m8i(c, MEM(RSP, -4), (uint8_t)MX_FLAGS);
  j = jcc8(c, CC_E);
  push_r(c, RAX);
  mov_ri(c, RAX, (uint64_t)(uintptr_t)(e->rx + e->fp_flush));
  call_r(c, RAX);
  pop_r(c, RAX);
  patch8_here(c, j);
}

/* the flush routine: clobbers rax (mx_flush saves it) and the host
** flags register */
static void emit_flush_routine(const tjit *e, tj_buf *c)
{
  push_r(c, RCX);
  stmxcsr_m(c, MEM(RSP, -4));
  mov_rm(c, 0, RAX, MEM(RSP, -4));
  alu_ri(c, 0, ALU_AND, RAX, 0x3f);
  mov_ri(c, RCX, (uint64_t)(uintptr_t)e->fp_map);
  mov_rm(c, 0, RAX, MEMX(RCX, RAX, 2, 0));
  alu_mr(c, 0, ALU_OR, CPU(e->fp_off), RAX);
  mx_default(c);
  pop_r(c, RCX);
  ret(c);
}

int tjit_cc_init(tjit *e, uint64_t size)
{
  int fd;
  uint32_t j, k;
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
  /* shared code: enter(cpu, temps, code), the FP flush routine,
  ** epilogue, fault return */
  c.base = e->rw; c.pos = 0; c.cap = (uint32_t)size; c.overflow = 0;
  push_r(&c, RBX); push_r(&c, RBP); push_r(&c, R12); push_r(&c, R13);
  push_r(&c, R14); push_r(&c, R15);
  alu_ri(&c, 1, ALU_SUB, RSP, 8);
  mov_rr(&c, 1, RBX, RDI);
  mov_rr(&c, 1, RBP, RSI);
  if (e->fp_nx) mx_clear_stale(&c);             /* nothing pending yet */
  mov_rm(&c, 1, RCNT, CPU(OFF_ICOUNT));
  mov_rm(&c, 1, RAX, CPU(OFF_BUDGET));
  alu_rr(&c, 1, ALU_ADD, RAX, RCNT);
  mov_mr(&c, 8, MEM(RBP, OFF_LIMIT), RAX);        /* the limit */
  alu_rr(&c, 1, ALU_SUB, RCNT, RAX);              /* -budget */
  jmp_r(&c, RDX);
  if (e->fp_nx) {
    e->fp_flush = c.pos;
    emit_flush_routine(e, &c);
  }
  e->mem_ret = c.pos;              /* return 0, icount/budget as they are */
  alu_rr(&c, 0, ALU_XOR, RAX, RAX);
  j = jmp8(&c);
  e->fault_ret = c.pos;            /* return 0 */
  alu_rr(&c, 0, ALU_XOR, RAX, RAX);
  e->epilogue = c.pos;             /* return rax */
  mov_rm(&c, 1, RCX, MEM(RBP, OFF_LIMIT));
  alu_rr(&c, 1, ALU_ADD, RCX, RCNT);
  mov_mr(&c, 8, CPU(OFF_ICOUNT), RCX);
  alu_rr(&c, 0, ALU_XOR, RCX, RCX);
  alu_rr(&c, 1, ALU_SUB, RCX, RCNT);           /* the budget, -RCNT */
  k = jcc8(&c, CC_G);                          /* (0 > RCNT) */
  alu_rr(&c, 0, ALU_XOR, RCX, RCX);            /* spent: 0 */
  patch8_here(&c, k);
  mov_mr(&c, 8, CPU(OFF_BUDGET), RCX);
  patch8_here(&c, j);
  if (e->fp_nx) mx_flush(e, &c);               /* rax: the result */
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
  s->breg = -1;
  s->bcpu = -1;
  s->areg = -1;
  s->dreg = -1;
  s->cnt = e->cg_cnt;
  s->acc = e->cg_acc;
  s->dirty = e->cg_dirty;
  for (unsigned m = e->xd; m && s->xd_n < 7; m &= m - 1) {
    int h = __builtin_ctz(m);           /* (stale registers: refilled) */
    s->xd[s->xd_n++] = (uint8_t)(h << 4 | e->xs_h[h]);
  }
  s->kind = (uint8_t)kind;
  s->from = from;
  s->back = back;
  s->pc = pc;
  return s;
}

/* A group leader's range check (j[0]) goes to a STUB_DEOPT, not to its
** access's slow path. */
static int grp_deopt(tjit *e, unsigned grp, uint32_t j[3], uint64_t pc)
{
  if (!(grp & GRP_LEAD)) return 0;
  if (!add_stub(e, STUB_DEOPT, j[0], 0, pc)) return -1;
  j[0] = 0;
  return 0;
}

/*
** Cold paths.  A rarely taken path (an inline operation's helper call) is
** generated in place, where the register state is the straight path's,
** then cut out: cold_end() moves its bytes to cold_buf[] and rewinds, so the
** straight path goes on where the cold code began (the "back" position,
** which is where it returns to).  After the stubs, emit_colds() puts each
** back, appends its jmp back and points the jumps into it at it.  Inside,
** only relative jumps within the cold code and absolute calls (both move
** with it); it must not add stubs, fixes or direct sites.
*/
static int cold_end(tjit *e, tj_buf *c, uint32_t back, int n_in,
                    const uint32_t *in_at, const uint32_t *in_to)
{
  uint32_t len = c->pos - back;
  struct tjit_cold *k;
  int i;
  if (c->overflow) {                    /* the block is dropped anyway */
    c->pos = back;
    return 0;
  }
  if (e->n_colds == e->cap_colds) {
    uint32_t n = e->cap_colds ? 2 * e->cap_colds : 32;
    struct tjit_cold *f = realloc(e->colds, n * sizeof *f);
    if (!f) return -1;
    e->colds = f;
    e->cap_colds = n;
  }
  if (e->cold_len + len > e->cold_cap) {
    uint32_t n = e->cold_cap ? e->cold_cap : 4096;
    uint8_t *f;
    while (n < e->cold_len + len) n *= 2;
    if (!(f = realloc(e->cold_buf, n))) return -1;
    e->cold_buf = f;
    e->cold_cap = n;
  }
  k = &e->colds[e->n_colds++];
  k->off = e->cold_len;
  k->len = len;
  k->back = back;
  k->n_in = (uint32_t)n_in;
  for (i = 0; i < n_in; i++) {
    k->in_at[i] = in_at[i];
    k->in_to[i] = in_to[i] - back;
  }
  memcpy(e->cold_buf + e->cold_len, c->base + back, len);
  e->cold_len += len;
  c->pos = back;
  return 0;
}

static void emit_colds(tjit *e, tj_buf *c)
{
  for (uint32_t i = 0; i < e->n_colds; i++) {
    const struct tjit_cold *k = &e->colds[i];
    uint32_t at = c->pos;
    if (c->pos + k->len > c->cap) {
      c->overflow = 1;
      return;
    }
    memcpy(c->base + at, e->cold_buf + k->off, k->len);
    c->pos += k->len;
    jmp_to(c, k->back);
    for (uint32_t j = 0; j < k->n_in; j++)
      patch32(c, k->in_at[j], at + k->in_to[j]);
  }
}

/*
** At a block's exit: icount (RCNT) += r12 - r14, the budget runs out when
** it reaches the limit (with static counts: the constants c->cnt and
** c->acc instead of r12 and r14).  When the budget runs out (reaches 0,
** or would go below: it saturates at 0) the exit returns to the
** dispatcher through a STUB_BUDGET, with pc set to `pc` when set_pc (else
** it is already set), instead of going on to the next block: so
** blocks entered by a chain or a jump-cache probe need no budget check
** at entry (the dispatcher checks before it enters one).  0, or -1 when
** out of memory.
*/
/* the counting half: RCNT += the instructions to account, leaving the
** flags of the result (a tight loop's `jl` tests them too) */
static void emit_count(tj_buf *c)
{
  if (c->cnt_static) {
    if (c->cnt != c->acc)
      alu_ri(c, 1, ALU_ADD, RCNT, (int32_t)(c->cnt - c->acc));
    else
      test_rr(c, 1, RCNT, RCNT);
  } else {
    mov_rr(c, 1, RAX, R12);
    alu_rr(c, 1, ALU_SUB, RAX, R14);
    alu_rr(c, 1, ALU_ADD, RCNT, RAX);
  }
}

static int emit_accounting(tjit *e, tj_buf *c, int set_pc, uint64_t pc,
                           unsigned dirty)
{
  tjit_stub *s;
  emit_count(c);
  if (!(s = add_stub(e, STUB_BUDGET, jcc32(c, CC_GE), 0, pc))) return -1;
  s->flags = (uint8_t)set_pc;
  s->dirty = (uint8_t)dirty;         /* cached registers not written back */
  return 0;
}

static void emit_load_tlb(tjit *e, tj_buf *c)
{
  if (e->cg_direct) {
    mov_ri(c, R13, (uint64_t)(uintptr_t)e->env.direct->host);
    return;
  }
  if (e->cg_window) {
    mov_ri(c, R13, (uint64_t)(uintptr_t)e->env.ram->host - e->env.ram->base);
    return;
  }
  mov_rm(c, 0, RAX, CPU(OFF_MMUIDX));
  shift_ri(c, 0, SH_SHL, RAX,
           (uint8_t)(VMRUN_TLB_BITS + 5)); /* * sizeof(vmrun_tlb_entry) */
  mov_rm(c, 1, R13, CPU(OFF_TLB));
  alu_rr(c, 1, ALU_ADD, R13, RAX);
}

static void emit_call_abs(const tjit *e, tj_buf *c, const void *fn)
{
  mov_rm(c, 1, RAX, MEM(RBP, OFF_LIMIT));  /* C may read icount */
  alu_rr(c, 1, ALU_ADD, RAX, RCNT);
  mov_mr(c, 8, CPU(OFF_ICOUNT), RAX);
  if (e->fp_nx) mx_flush(e, c);
  mov_ri(c, RAX, (uint64_t)(uintptr_t)fn);
  call_r(c, RAX);
  if (e->fp_nx) mx_clear_stale(c);
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
** temp that was not stored.  A result that no later op reads at all (a
** link address a JALR's indirect exit never needs, a jump-table base
** consumed by the cached register's in-place add) is not stored either
** (a branch needs what its label needs: fwd_plan).
**
** A BRCOND comparing with a constant that a MOVI right before it made
** (RISC-V's x0: beqz, bltz, ...) compares with the immediate; when nothing
** else reads the MOVI's temp, the MOVI is then dead and emits nothing.
**
** skip[i]: bit 0 (FWD_PAIR) = op i's result goes to op i+1 in RAX only;
** bit 1 (FWD_DEAD) = no op reads op i's result; bit 2 (FWD_BIMM) = the
** BRCOND at i compares t[a] with op i-1's (a MOVI's) immediate.
*/
#define FWD_PAIR 1u
#define FWD_DEAD 2u
#define FWD_BIMM 4u
#define FWD_SXNOP 8u   /* a SEXT of 4 bytes whose operand already is one
                          (sx_plan): a move */

static int fwd_producer(const vmrun_ir_op *o)
{
  switch (o->op) {
  case VMRUN_IR_ADD: case VMRUN_IR_SUB: case VMRUN_IR_AND: case VMRUN_IR_OR:
  case VMRUN_IR_XOR: case VMRUN_IR_MUL: case VMRUN_IR_SHL: case VMRUN_IR_SHR:
  case VMRUN_IR_SAR: case VMRUN_IR_MOV: case VMRUN_IR_GET:
  case VMRUN_IR_MOVI: case VMRUN_IR_SETCC: case VMRUN_IR_SELECT: case VMRUN_IR_SEXT:
  case VMRUN_IR_ZEXT:
  case VMRUN_IR_LD:     /* its slow path leaves the value in RAX too */
    return 1;
  case VMRUN_IR_CALL:   /* the helper's return value (a synced call
                           reloads RAX to test trap_taken) */
    return !(o->flags & (VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END));
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
  case VMRUN_IR_SEXT: case VMRUN_IR_ZEXT: case VMRUN_IR_EXIT_INDIRECT:
    return 1;
  default:
    return 0;
  }
}

/* An op that only computes its result (no fault, no state, no memory):
** when nothing reads the result (FWD_DEAD) it emits no code at all.  The
** producers but loads and calls. */
static int pure_op(const vmrun_ir_op *o)
{
  return o->op != VMRUN_IR_LD && o->op != VMRUN_IR_CALL && fwd_producer(o);
}

/*
** Known sign extensions.  RISC-V keeps 32-bit values sign-extended in its
** 64-bit registers, so frontends follow every 32-bit operation with a
** SEXT of 4 bytes, and compilers add sext.w (addiw rd, rs, 0) where they
** cannot prove it: crc32's `c = table[..] ^ (c >> 8)` xors a LW's result
** with a SRLIW's and sign-extends that, on the loop's dependency chain.
** A forward pass over the block knows which temps hold a value equal to
** the sign extension of its low 32 bits (sx): LD of 1 or 2 bytes, or of
** 4 signed; SEXT/ZEXT of 1 or 2 bytes, SEXT of 4; a MOVI of such a
** constant; SETCC; AND/OR/XOR of two such values (AND also with a
** constant below 2^31); a 32-bit SHR by 1 to 31 (tjit computes it with a
** 32-bit shift, which zero-extends: bit 31 is 0); a 64-bit SHR by 33 or
** more and SAR by 32 or more; a MOV of one.  A GET of a guest register
** that the block PUT an sx temp into is sx too, until a helper that may
** write registers, or, when the core instruments blocks (Lua hooks,
** whose on_mmio may set a register during a load or store), any load
** or store.  A SEXT of 4 bytes of an sx temp is then a move
** (FWD_SXNOP).  Labels (another path) forget all.
*/
static int sx_const(uint64_t v)
{
  return (uint64_t)(int64_t)(int32_t)v == v;
}

static int sx_result(const vmrun_ir_op *o, const uint8_t *sx)
{
  int bimm = (o->flags & VMRUN_IR_F_BIMM) != 0;
  int sb = bimm ? sx_const(o->imm) : sx[o->b];
  unsigned sh = (unsigned)o->imm;
  switch (o->op) {
  case VMRUN_IR_LD:
    return o->size < 4 || (o->size == 4 && (o->flags & VMRUN_IR_F_SIGNED));
  case VMRUN_IR_SEXT:
    return o->size <= 4;
  case VMRUN_IR_ZEXT:
    return o->size < 4;
  case VMRUN_IR_MOVI:
    return sx_const(o->imm);
  case VMRUN_IR_MOV:
    return sx[o->a];
  case VMRUN_IR_SETCC:
    return 1;
  case VMRUN_IR_AND:
    if (bimm && o->imm < 0x80000000u) return 1;
    return o->size == 8 && sx[o->a] && sb;
  case VMRUN_IR_OR: case VMRUN_IR_XOR:
    return o->size == 8 && sx[o->a] && sb;
  case VMRUN_IR_SHR:
    if (!bimm) return 0;
    return o->size == 4 ? (sh & 31) != 0 : o->size == 8 && (sh & 63) >= 33;
  case VMRUN_IR_SAR:
    return bimm && o->size == 8 && (sh & 63) >= 32;
  default:
    return 0;
  }
}

static int ra_defines(const vmrun_ir_op *o);
static int ra_calls(const vmrun_ir_op *o);

/* (the vCPU-state words it follows: the first SX_WORDS 8-byte ones,
** which hold the guest registers) */
#define SX_WORDS 128

static void sx_plan(tjit *e, const vmrun_ir_block *ib, uint8_t *skip)
{
  uint8_t sx[VMRUN_IR_MAX_TEMPS], reg[SX_WORDS];
  int hooks = e->env.instrument != NULL;
  memset(sx, 0, sizeof sx);
  memset(reg, 0, sizeof reg);
  for (uint32_t k = 0; k < ib->n_ops; k++) {
    const vmrun_ir_op *o = &ib->ops[k];
    uint64_t w = o->imm / 8;
    switch (o->op) {
    case VMRUN_IR_LABEL:
      memset(sx, 0, sizeof sx);
      memset(reg, 0, sizeof reg);
      continue;
    case VMRUN_IR_PUT:          /* a register keeps what its value is */
      if (w < SX_WORDS) reg[w] = o->size == 8 && o->imm % 8 == 0 &&
                                 o->a < VMRUN_IR_MAX_TEMPS && sx[o->a];
      if (w + 1 < SX_WORDS && o->imm % 8) reg[w + 1] = 0;
      continue;
    case VMRUN_IR_CALL:         /* a helper may write the registers */
      if (ra_calls(o) || !(o->flags & VMRUN_IR_F_NOREGS))
        memset(reg, 0, sizeof reg);
      break;
    case VMRUN_IR_LD: case VMRUN_IR_ST:
      /* with instrumentation (a Lua script), an on_mmio hook run by the
      ** slow path may vmrun.set_reg() any register; without, nothing
      ** on a memory access writes them */
      if (hooks) memset(reg, 0, sizeof reg);
      break;
    case VMRUN_IR_SEXT:
      if (o->size == 4 && o->a < VMRUN_IR_MAX_TEMPS && sx[o->a]) {
        skip[k] |= FWD_SXNOP;
        e->st_sx_moves++;
      }
      break;
    default:
      break;
    }
    if (!ra_defines(o) || o->dst >= VMRUN_IR_MAX_TEMPS) continue;
    if (o->op == VMRUN_IR_GET)
      sx[o->dst] = (uint8_t)(o->size == 8 && o->imm % 8 == 0 &&
                             w < SX_WORDS && reg[w]);
    else
      sx[o->dst] = (uint8_t)(o->a < VMRUN_IR_MAX_TEMPS &&
                             o->b < VMRUN_IR_MAX_TEMPS && sx_result(o, sx));
  }
}

/*
** Grouped range checks (RAM window).  Several accesses through one base
** address (a struct's fields, a stack frame, B[k][j] and C[i][j] + 8)
** share one range check: the first of them, the group's leader, checks
** that the whole span the group touches, [base + lo, base + hi), lies in
** the window, and the others (members) check nothing but their alignment
** and, for a store, the code map.  A forward pass over the block gives
** each temp a symbolic value, a root and a constant offset: a GET of a
** guest register the block has not written yet starts a root, a PUT
** passes its temp's value to the register, MOV copies it, ADD and SUB of
** a constant (8 bytes) move the offset, and anything else starts a new
** root.  An access at t + imm then lies at root + offset.
**
** A member must run only after its leader has: a group ends at a label
** (another path joins), and at a helper call that may change registers
** or the machine (the values of guest registers are forgotten there
** too).  Branches go forward only, so any path from the leader to a
** member passes no label and the member's address is the one the leader
** checked.  Nothing is grouped when the core instruments blocks: a Lua
** on_mmio hook may set a register during a slow path.
**
** When the leader's check fails (a base outside the RAM: MMIO, or a span
** running past the window), its members would go unchecked, so the
** leader does not do its access: its stub leaves the block at the
** leader's instruction, with the state precise there as for a fault
** (deopt_exit), drops the block and marks its pc and the leader's as
** "check every access" (e->ng), and the dispatcher goes on from the
** leader's instruction with blocks compiled without groups.  A block
** deopts at most once; a leader must therefore be its instruction's
** first load or store, with no PUT, store or call before it in the
** instruction (nothing of the instruction has happened yet).
*/
#define GRP_SPAN 4096          /* widest span one check covers, bytes */
#define GRP_OPEN 8             /* groups open at once */

/* e->ng: the slot of `key` (pc + 1) in table t of cap slots (a power of
** two, never full), or the empty one where it would go */
static uint32_t ng_slot(const uint64_t *t, uint32_t cap, uint64_t key)
{
  uint32_t h = (uint32_t)((key >> 1) * 0x9e3779b1u) & (cap - 1);
  while (t[h] && t[h] != key) h = (h + 1) & (cap - 1);
  return h;
}

static int grp_skip_pc(const tjit *e, uint64_t pc)
{
  return e->ng_n && e->ng[ng_slot(e->ng, e->ng_cap, pc + 1)] == pc + 1;
}

/* mark pc "check every access" (deopt_exit); 0, or -1 out of memory */
static int grp_skip_add(tjit *e, uint64_t pc)
{
  if (grp_skip_pc(e, pc)) return 0;
  if (2 * (e->ng_n + 1) > e->ng_cap) {
    uint32_t n = e->ng_cap ? 2 * e->ng_cap : 16;
    uint64_t *t = calloc(n, sizeof *t);
    if (!t) return -1;
    for (uint32_t k = 0; k < e->ng_cap; k++)
      if (e->ng[k]) t[ng_slot(t, n, e->ng[k])] = e->ng[k];
    free(e->ng);
    e->ng = t;
    e->ng_cap = n;
  }
  e->ng[ng_slot(e->ng, e->ng_cap, pc + 1)] = pc + 1;
  e->ng_n++;
  return 0;
}

static void grp_plan(tjit *e, const vmrun_ir_block *ib, uint8_t *skip)
{
  uint32_t root[VMRUN_IR_MAX_TEMPS], rroot[SX_WORDS], next = 1;
  int64_t toff[VMRUN_IR_MAX_TEMPS], roff[SX_WORDS];
  struct { uint32_t root, lead; int64_t lo, hi, loff; int n; } g[GRP_OPEN];
  int ng = 0, touched = 0;
  memset(root, 0, sizeof root);
  memset(rroot, 0, sizeof rroot);
  for (uint32_t k = 0; k <= ib->n_ops; k++) {
    const vmrun_ir_op *o = &ib->ops[k];
    int close = k == ib->n_ops, forget = 0;
    uint64_t w = k < ib->n_ops ? o->imm / 8 : 0;
    if (!close) {
      switch (o->op) {
      case VMRUN_IR_INSN_START:
        touched = 0;
        break;
      case VMRUN_IR_LABEL:
        close = forget = 1;
        memset(root, 0, sizeof root);
        break;
      case VMRUN_IR_CALL:
        touched = 1;
        if (ra_calls(o) || !(o->flags & VMRUN_IR_F_NOREGS))
          close = forget = 1;
        break;
      case VMRUN_IR_PUT:
        touched = 1;
        if (w < SX_WORDS) {
          int whole = o->size == 8 && o->imm % 8 == 0 &&
                      o->a < VMRUN_IR_MAX_TEMPS;
          rroot[w] = whole ? root[o->a] : 0;
          roff[w] = whole ? toff[o->a] : 0;
        }
        if (w + 1 < SX_WORDS && o->imm % 8) rroot[w + 1] = 0;
        break;
      default:
        break;
      }
    }
    if (forget) memset(rroot, 0, sizeof rroot);
    if (close) {             /* (a group of one keeps its own check) */
      for (int x = 0; x < ng; x++) {
        if (g[x].n < 2) continue;
        skip[g[x].lead] |= GRP_LEAD;
        e->gr_lo[g[x].lead] = (int32_t)(g[x].lo - g[x].loff);
        e->gr_hi[g[x].lead] = (int32_t)(g[x].hi - g[x].loff);
        e->st_grp_leads++;
        e->st_grp_members += (unsigned)g[x].n - 1;
      }
      ng = 0;
      if (k == ib->n_ops) break;
    }
    if ((o->op == VMRUN_IR_LD || o->op == VMRUN_IR_ST) &&
        o->a < VMRUN_IR_MAX_TEMPS && root[o->a] &&
        (int64_t)o->imm > -GRP_SPAN && (int64_t)o->imm < GRP_SPAN) {
      int64_t off = toff[o->a] + (int64_t)o->imm, lo, hi;
      int x;
      for (x = 0; x < ng; x++) {
        if (g[x].root != root[o->a]) continue;
        lo = off < g[x].lo ? off : g[x].lo;
        hi = off + o->size > g[x].hi ? off + o->size : g[x].hi;
        if (hi - lo <= GRP_SPAN) break;
      }
      if (x < ng) {                      /* a member */
        g[x].lo = lo;
        g[x].hi = hi;
        g[x].n++;
        skip[k] |= GRP_MEMBER;
      } else if (!touched && ng < GRP_OPEN) {   /* a leader */
        g[ng].root = root[o->a];
        g[ng].lead = k;
        g[ng].lo = g[ng].loff = off;
        g[ng].hi = off + o->size;
        g[ng].n = 1;
        ng++;
      }
    }
    if (o->op == VMRUN_IR_LD || o->op == VMRUN_IR_ST) touched = 1;
    if (!ra_defines(o) || o->dst >= VMRUN_IR_MAX_TEMPS) continue;
    if (o->op == VMRUN_IR_GET && o->size == 8 && o->imm % 8 == 0 &&
        w < SX_WORDS) {
      if (!rroot[w]) { rroot[w] = next++; roff[w] = 0; }
      root[o->dst] = rroot[w];
      toff[o->dst] = roff[w];
    } else if (o->op == VMRUN_IR_MOV && o->a < VMRUN_IR_MAX_TEMPS &&
               root[o->a]) {
      root[o->dst] = root[o->a];
      toff[o->dst] = toff[o->a];
    } else if ((o->op == VMRUN_IR_ADD || o->op == VMRUN_IR_SUB) &&
               o->size == 8 && (o->flags & VMRUN_IR_F_BIMM) &&
               o->a < VMRUN_IR_MAX_TEMPS && root[o->a] &&
               (int64_t)o->imm > -GRP_SPAN && (int64_t)o->imm < GRP_SPAN &&
               toff[o->a] > -(1 << 20) && toff[o->a] < (1 << 20)) {
      root[o->dst] = root[o->a];
      toff[o->dst] = toff[o->a] + (o->op == VMRUN_IR_ADD
                                       ? (int64_t)o->imm : -(int64_t)o->imm);
    } else {
      root[o->dst] = next++;
      toff[o->dst] = 0;
    }
  }
}

/* skip[i] (FWD_PAIR, FWD_DEAD) for every op of the block.  What is live
** after a branch: what its label needs when the label comes later (met
** first by the backward pass: side exits, branches inside an
** instruction), everything when it comes earlier. */
static int ra_uses(const vmrun_ir_op *o, uint32_t *u);

static void fwd_plan(tjit *e, const vmrun_ir_block *ib, uint8_t *skip)
{
  uint64_t live[VMRUN_IR_MAX_TEMPS / 64];
  uint32_t u[3];
  uint32_t k, w;
  memset(live, 0, sizeof live);
  memset(e->fwd_lab_known, 0, sizeof e->fwd_lab_known);
#define LIVE(t) ((live[(t) / 64] >> ((t) % 64)) & 1)
#define SET(t) (live[(t) / 64] |= 1ull << ((t) % 64))
#define CLR(t) (live[(t) / 64] &= ~(1ull << ((t) % 64)))
  /* backward: skip[k] = "t[a] of op k is dead after op k" (for now) */
  for (k = ib->n_ops; k-- > 0;) {
    const vmrun_ir_op *o = &ib->ops[k];
    skip[k] = o->a < VMRUN_IR_MAX_TEMPS && !LIVE(o->a);
    switch (o->op) {
    case VMRUN_IR_NOP: case VMRUN_IR_INSN_START:
    case VMRUN_IR_EXIT_DIRECT: case VMRUN_IR_EXIT:
      break;
    case VMRUN_IR_LABEL:
      if (o->imm < VMRUN_IR_MAX_LABELS) {
        memcpy(e->fwd_lab[o->imm], live, sizeof live);
        e->fwd_lab_known[o->imm / 64] |= 1ull << (o->imm % 64);
      }
      break;
    case VMRUN_IR_BR: case VMRUN_IR_BRCOND:
      if (o->imm < VMRUN_IR_MAX_LABELS &&
          (e->fwd_lab_known[o->imm / 64] >> (o->imm % 64) & 1)) {
        for (w = 0; w < VMRUN_IR_MAX_TEMPS / 64; w++)
          live[w] |= e->fwd_lab[o->imm][w];
        if (o->op == VMRUN_IR_BRCOND) {  /* compares t[a] with t[b] */
          if (k > 0 && o[-1].op == VMRUN_IR_MOVI && o[-1].dst == o->b) {
            skip[k] |= FWD_BIMM;  /* the MOVI: dead unless read again */
          } else {
            SET(o->b);
          }
          SET(o->a);
        }
      } else {
        memset(live, 0xff, sizeof live); /* a loop: assume anything */
      }
      break;
    default:
      if (fwd_producer(o)) {            /* (MOVI and LD among them) */
        if (o->dst < VMRUN_IR_MAX_TEMPS && !LIVE(o->dst))
          skip[k] |= FWD_DEAD;
        CLR(o->dst);
      }
      /* a dead pure op emits nothing, so it reads nothing either */
      if ((skip[k] & FWD_DEAD) && pure_op(o)) break;
      for (int m = ra_uses(o, u); m-- > 0;) SET(u[m]);
      break;
    }
  }
#undef LIVE
#undef SET
#undef CLR
  /* forward: the producer/consumer pairs */
  for (k = 0; k < ib->n_ops; k++) {
    const vmrun_ir_op *o = &ib->ops[k], *n = o + 1;
    int pair = k + 1 < ib->n_ops && fwd_producer(o) && fwd_consumer(n) &&
               n->a == o->dst && (skip[k + 1] & FWD_PAIR);
    for (int m = pair ? ra_uses(n, u) : 0; m-- > 1;)
      if (u[m] == o->dst) pair = 0;    /* read again, as b */
    skip[k] = (uint8_t)((skip[k] & (FWD_DEAD | FWD_BIMM)) |
                        (pair ? FWD_PAIR : 0));
  }
}


/*
** Register cache.  The guest registers a block reads most (GETs of 8
** bytes at one vCPU-state offset) live in host registers for the whole
** block: loaded once at block entry, written through on every PUT (the
** vCPU state in memory is therefore always current, so exits, faults and
** helpers need nothing), and reloaded after anything that may change
** the state behind the code's back or clobber caller-saved registers: a
** CALL, a slow-path load or store, a helper call of a template.
**
** A GET of a cached register is free when its temp can simply *be* the
** host register ("aliased"): the code from the GET to the temp's last
** use is straight-line (no label inside, no branch before the last use),
** writes no PUT to that register and calls no helper, and the temp is
** dead after its last use (liveness over the block, exact at labels,
** since branches only go forward).  Every template reads its operands
** through ta()/ld_t()/alu_t(), which know the aliases.  Any other GET of
** a cached register is a register move instead of a load.
**
** A GET of a register that is not cached can likewise leave its temp in
** the vCPU state when, in addition, no load or store (MMIO) comes before
** the last use: templates then read [rbx+offset] instead of the slot.
**
** ra_op[i]: slot + 1 of a cached register (0: none), | RA_ALIAS for a GET
** aliased to that register, | RA_MEM for a GET aliased to memory.
*/
#define RA_ALIAS 0x80u
#define RA_MEM 0x40u
#define RA_MAX 7
/* Host registers by slot, most used guest register first.  r12 and r14
** only when the block's instruction counts are static; callee-saved ones
** first, so that fewer need saving around a VMRUN_IR_F_NOREGS call.
** (r15 is the instruction counter, RCNT.)  rdi, a helper's first
** argument, comes last: every call sets it from rbx only after the cached
** registers are written back (or pushed, around a NOREGS call), and
** reloads or pops them after. */
static const int ra_regs_static[RA_MAX] = { R12, R14, R8, R9, R10, R11,
                                            RDI };
static const int ra_regs_dyn[RA_MAX - 2] = { R8, R9, R10, R11, RDI };
#define RA_CALLER_SAVED(r) (((r) >= R8 && (r) <= R11) || (r) == RDI)

typedef struct tj_ra {
  int n;
  const int *regs;              /* host register of each slot */
  unsigned dirty;               /* slots whose host register is newer */
  uint8_t lab_dirty[VMRUN_IR_MAX_LABELS]; /* dirty at the branches to it */
  int32_t off[RA_MAX];
  int8_t talias[VMRUN_IR_MAX_TEMPS];
  int32_t tcpu[VMRUN_IR_MAX_TEMPS];
} tj_ra;

/* the temps op o reads (up to 3) */
static int ra_uses(const vmrun_ir_op *o, uint32_t *u)
{
  int bimm = (o->flags & VMRUN_IR_F_BIMM) != 0;
  switch (o->op) {
  case VMRUN_IR_NOP: case VMRUN_IR_INSN_START: case VMRUN_IR_MOVI:
  case VMRUN_IR_GET: case VMRUN_IR_LABEL: case VMRUN_IR_BR:
  case VMRUN_IR_EXIT_DIRECT: case VMRUN_IR_EXIT:
    return 0;
  case VMRUN_IR_MOV: case VMRUN_IR_SEXT: case VMRUN_IR_ZEXT:
  case VMRUN_IR_PUT: case VMRUN_IR_EXIT_INDIRECT: case VMRUN_IR_LD:
    u[0] = o->a;
    return 1;
  case VMRUN_IR_BRCOND: case VMRUN_IR_ST:
    u[0] = o->a; u[1] = o->b;
    return 2;
  case VMRUN_IR_SELECT:
    u[0] = o->a; u[1] = o->c;
    if (bimm) return 2;
    u[2] = o->b;
    return 3;
  case VMRUN_IR_CALL:
    u[0] = o->a; u[1] = o->b; u[2] = o->c;
    return 3;
  default:                      /* arithmetic, SETCC */
    u[0] = o->a;
    if (bimm) return 1;
    u[1] = o->b;
    return 2;
  }
}

/* does op o write t[o->dst]? */
static int ra_defines(const vmrun_ir_op *o)
{
  switch (o->op) {
  case VMRUN_IR_NOP: case VMRUN_IR_INSN_START: case VMRUN_IR_PUT:
  case VMRUN_IR_ST: case VMRUN_IR_LABEL: case VMRUN_IR_BR:
  case VMRUN_IR_BRCOND: case VMRUN_IR_EXIT_DIRECT:
  case VMRUN_IR_EXIT_INDIRECT: case VMRUN_IR_EXIT:
    return 0;
  default:
    return 1;
  }
}

/* may the code between two ops change a cached register or clobber the
** host registers?  (helpers of templates: MULHSU, and CALL) */
static int ra_calls(const vmrun_ir_op *o)
{
  if (o->op != VMRUN_IR_CALL) return 0;   /* see the CALL template */
  return (o->flags & (VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END)) ||
         !(o->flags & VMRUN_IR_F_NOREGS);
}

static int ra_slot_of(const tj_ra *ra, int32_t off)
{
  for (int k = 0; k < ra->n; k++)
    if (ra->off[k] == off) return k;
  return -1;
}

#define RA_W (VMRUN_IR_MAX_TEMPS / 64)

/* Choose the cached registers and the aliased GETs of block ib. */
static void ra_plan(tjit *e, const vmrun_ir_block *ib, tj_ra *ra)
{
  enum { NCAND = 64 };
  int32_t coff[NCAND];
  uint32_t cnt[NCAND];
  uint8_t bad[NCAND];
  int nc = 0;
  uint32_t i, k, n = ib->n_ops;
  uint64_t live[RA_W];
  uint8_t *plan = e->ra_op;
  int32_t *last = e->ra_last;          /* [t]: last use, or -1 */
  uint8_t *lout;                       /* [t]: live after that use */

  ra->n = 0;
  memset(plan, 0, n);
  /* candidates: offsets read by 8-byte GETs; a PUT of another shape
  ** overlapping one would make its host copy stale */
  for (i = 0; i < n; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    int32_t off = (int32_t)o->imm;
    int j;
    if (o->op != VMRUN_IR_GET && o->op != VMRUN_IR_PUT) continue;
    for (j = 0; j < nc && coff[j] != off; j++) {}
    if (o->op == VMRUN_IR_GET && o->size == 8 && j == nc && nc < NCAND) {
      coff[nc] = off; cnt[nc] = 0; bad[nc] = 0; nc++;
    }
    if (j < nc && o->op == VMRUN_IR_GET && o->size == 8) cnt[j]++;
  }
  /* any other GET or PUT overlapping a candidate's 8 bytes would see or
  ** leave a stale copy: not cached */
  for (i = 0; i < n; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    int64_t off = (int64_t)o->imm;
    if (o->op != VMRUN_IR_GET && o->op != VMRUN_IR_PUT) continue;
    for (int j = 0; j < nc; j++)
      if (off < coff[j] + 8 && off + o->size > coff[j] &&
          (off != coff[j] || o->size != 8))
        bad[j] = 1;
  }
  ra->regs = e->cg_static ? ra_regs_static : ra_regs_dyn;
  while (ra->n < (e->cg_static ? RA_MAX : RA_MAX - 2)) {
    int best = -1;
    for (int j = 0; j < nc; j++)
      if (!bad[j] && cnt[j] && (best < 0 || cnt[j] > cnt[best])) best = j;
    if (best < 0) break;
    ra->off[ra->n++] = coff[best];
    cnt[best] = 0;
  }
  for (i = 0; i < n; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    int s;
    if ((o->op != VMRUN_IR_GET && o->op != VMRUN_IR_PUT) || o->size != 8)
      continue;
    s = ra_slot_of(ra, (int32_t)o->imm);
    if (s >= 0) plan[i] = (uint8_t)(s + 1);
  }
  /* backward: last use of each definition and liveness after it */
  lout = (uint8_t *)(last + VMRUN_IR_MAX_TEMPS);
  for (k = 0; k < ib->n_temps; k++) last[k] = -1;
  memset(live, 0, sizeof live);
#define LIVE(s, t) (((s)[(t) / 64] >> ((t) % 64)) & 1)
#define SET(s, t) ((s)[(t) / 64] |= 1ull << ((t) % 64))
#define CLR(s, t) ((s)[(t) / 64] &= ~(1ull << ((t) % 64)))
  for (k = n; k-- > 0;) {
    const vmrun_ir_op *o = &ib->ops[k];
    uint32_t u[3];
    int nu, x;
    /* live = live-out of op k */
    switch (o->op) {
    case VMRUN_IR_EXIT_DIRECT: case VMRUN_IR_EXIT_INDIRECT:
    case VMRUN_IR_EXIT:
      memset(live, 0, sizeof live);
      break;
    case VMRUN_IR_BR:
      memcpy(live, e->ra_live + (size_t)o->imm * RA_W, sizeof live);
      break;
    case VMRUN_IR_BRCOND:
      for (x = 0; x < (int)RA_W; x++) live[x] |= e->ra_live[o->imm * RA_W + x];
      break;
    case VMRUN_IR_LABEL:
      memcpy(e->ra_live + (size_t)o->imm * RA_W, live, sizeof live);
      break;
    default:
      break;
    }
    if (ra_defines(o)) {
      if (o->op == VMRUN_IR_GET && o->size == 8 && last[o->dst] >= 0 &&
          !lout[o->dst]) {
        /* straight-line, no PUT over it, no helper up to the last use;
        ** read from memory: no load or store either (MMIO might change
        ** vCPU state) */
        uint32_t l = (uint32_t)last[o->dst], j;
        int ok = 1, mem = !plan[k];
        int64_t off = (int64_t)o->imm;
        for (j = k + 1; ok && j <= l; j++) {
          const vmrun_ir_op *p = &ib->ops[j];
          if (p->op == VMRUN_IR_LABEL) ok = 0;
          if (j == l) break;
          if (p->op == VMRUN_IR_BR || p->op == VMRUN_IR_BRCOND ||
              ra_calls(p) ||
              (p->op == VMRUN_IR_PUT && (int64_t)p->imm < off + 8 &&
               (int64_t)p->imm + p->size > off) ||
              (mem && (p->op == VMRUN_IR_LD || p->op == VMRUN_IR_ST)))
            ok = 0;
        }
        if (ok) plan[k] |= mem ? RA_MEM : RA_ALIAS;
      }
      last[o->dst] = -1;
      CLR(live, o->dst);
    }
    nu = ra_uses(o, u);
    for (x = 0; x < nu; x++) {
      if (last[u[x]] < 0) {
        last[u[x]] = (int32_t)k;
        lout[u[x]] = (uint8_t)LIVE(live, u[x]);
      }
    }
    for (x = 0; x < nu; x++) SET(live, u[x]);
  }
#undef LIVE
#undef SET
#undef CLR
}

/* the host register holding t, or -1 (t is in memory: tmem) */
static int ta(const tj_buf *c, uint32_t t)
{
  return c->talias ? c->talias[t] : -1;
}

/* where t is in memory: its slot, or the vCPU-state word it was read
** from (a GET aliased to memory) */
static tj_mem tmem(const tj_buf *c, uint32_t t)
{
  if (c->tcpu && c->tcpu[t] >= 0) return CPU(c->tcpu[t]);
  return T(t);
}

/* r = t */
static void ld_t(tj_buf *c, int r, uint32_t t)
{
  int h = ta(c, t);
  if (h < 0) mov_rm(c, 1, r, tmem(c, t));
  else if (h != r) mov_rr(c, 1, r, h);
}

/* r op= t */
static void alu_t(tj_buf *c, int w, int alu, int r, uint32_t t)
{
  int h = ta(c, t);
  if (h < 0) alu_rm(c, w, alu, r, tmem(c, t));
  else alu_rr(c, w, alu, r, h);
}

/* r = ext(t) */
static void ext_t(tj_buf *c, int r, uint32_t t, int size, int sgn)
{
  int h = ta(c, t);
  if (c->rax_t == (int)t && r == RAX) {
    ext_r(c, RAX, size, sgn);
  } else if (h < 0) {
    load_ext(c, r, tmem(c, t), size, sgn);
  } else {
    ext_rr(c, r, h, size, sgn);        /* from the cached register */
  }
}

/* the dirty cached registers of `mask` back to the vCPU state */
static void ra_flush(tj_buf *c, unsigned mask)
{
  const tj_ra *ra = c->ra;
  if (!ra) return;
  for (int k = 0; k < ra->n; k++)
    if (mask & (1u << k)) mov_mr(c, 8, CPU(ra->off[k]), ra->regs[k]);
}

/* before a helper call: the state complete in memory */
static void ra_sync(tj_buf *c)
{
  tj_ra *ra = (tj_ra *)c->ra;
  if (!ra) return;
  ra_flush(c, ra->dirty);
  ra->dirty = 0;
}

/* the cached registers from the vCPU state */
static void ra_load(tj_buf *c)
{
  const tj_ra *ra = c->ra;
  if (!ra) return;
  for (int k = 0; k < ra->n; k++)
    mov_rm(c, 1, ra->regs[k], CPU(ra->off[k]));
}

/* At block entry: the cached registers whose first access is a PUT in the
** straight-line code before any branch or label need no load (every path
** writes them before reading them).  A stub or a call before that PUT
** writes back only dirty registers and reloads all of them. */
static void ra_load_entry(tj_buf *c, const vmrun_ir_block *ib,
                          const uint8_t *plan)
{
  const tj_ra *ra = c->ra;
  unsigned seen = 0, skip = 0;
  if (!ra) return;
  for (uint32_t i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    unsigned k;
    if (o->op == VMRUN_IR_BR || o->op == VMRUN_IR_BRCOND ||
        o->op == VMRUN_IR_LABEL || o->op == VMRUN_IR_EXIT_DIRECT ||
        o->op == VMRUN_IR_EXIT_INDIRECT || o->op == VMRUN_IR_EXIT)
      break;
    if ((o->op != VMRUN_IR_GET && o->op != VMRUN_IR_PUT) ||
        !(plan[i] & 0x3f))
      continue;
    k = (plan[i] & 0x3fu) - 1;
    if (!(seen & (1u << k)) && o->op == VMRUN_IR_PUT) skip |= 1u << k;
    seen |= 1u << k;
  }
  for (int k = 0; k < ra->n; k++)
    if (!(skip & (1u << k))) mov_rm(c, 1, ra->regs[k], CPU(ra->off[k]));
}

/* RAX = t[o->a], unless the previous op left it there */
static void load_a(tj_buf *c, const vmrun_ir_op *o)
{
  if (c->rax_t != (int)o->a) ld_t(c, RAX, o->a);
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
  if ((o->flags & VMRUN_IR_F_BIMM) && w && o->imm == 0 &&
      (alu == ALU_ADD || alu == ALU_SUB || alu == ALU_OR || alu == ALU_XOR)) {
    /* x op 0 = x (RISC-V's mv is addi rd, rs, 0): a copy, no op */
  } else if (o->flags & VMRUN_IR_F_BIMM) {
    if (!w || fits32((int64_t)o->imm)) {
      alu_ri(c, w, alu, RAX, (int32_t)(uint32_t)o->imm);
    } else {
      mov_ri(c, RCX, o->imm);
      alu_rr(c, w, alu, RAX, RCX);
    }
  } else {
    alu_t(c, w, alu, RAX, o->b);
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
    int h = ta(c, o->b);
    load_a(c, o);
    if (h < 0) imul_rm(c, w, RAX, tmem(c, o->b));
    else imul_rr(c, w, RAX, h);
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
    ld_t(c, RCX, o->b);
    shift_rcl(c, w, sh, RAX);
  }
  store_dst(c, o);
}

/* rcx = B as a 64-bit value */
static void emit_b_rcx(tj_buf *c, const vmrun_ir_op *o)
{
  if (o->flags & VMRUN_IR_F_BIMM) mov_ri(c, RCX, o->imm);
  else ld_t(c, RCX, o->b);
}

static void emit_mulh(tj_buf *c, const vmrun_ir_op *o)
{
  if (o->size == 8) {
    if (o->op == VMRUN_IR_MULHSU) {
      /* high(a * b), a signed, b unsigned = mulhu(a, b) - (a < 0 ? b : 0) */
      emit_b_rcx(c, o);
      ld_t(c, RAX, o->a);
      mul1_r(c, 4, RCX);                 /* rdx:rax = a * b, unsigned */
      ld_t(c, RAX, o->a);
      shift_ri(c, 1, SH_SAR, RAX, 63);
      alu_rr(c, 1, ALU_AND, RAX, RCX);
      alu_rr(c, 1, ALU_SUB, RDX, RAX);
      mov_mr(c, 8, T(o->dst), RDX);
      return;
    }
    emit_b_rcx(c, o);
    ld_t(c, RAX, o->a);
    mul1_r(c, o->op == VMRUN_IR_MULH ? 5 : 4, RCX);
    mov_mr(c, 8, T(o->dst), RDX);
    return;
  }
  /* 32-bit: 64-bit product of the extended halves, high word */
  ext_t(c, RAX, o->a, 4, o->op != VMRUN_IR_MULHU);
  if (o->flags & VMRUN_IR_F_BIMM) {
    uint32_t v = (uint32_t)o->imm;
    if (o->op == VMRUN_IR_MULH)
      mov_ri(c, RCX, (uint64_t)(int64_t)(int32_t)v);
    else
      mov_ri(c, RCX, v);
  } else {
    ext_t(c, RCX, o->b, 4, o->op == VMRUN_IR_MULH);
  }
  imul_rr(c, 1, RAX, RCX);
  shift_ri(c, 1, SH_SHR, RAX, 32);
  mov_mr(c, 8, T(o->dst), RAX);
}

/* DIV/DIVU/REM/REMU inline with the RISC-V results for x/0 and
** MIN/-1 (ir.h), which x86's div/idiv would fault on:
**   rcx = B; rax = A; test rcx; jz zero; [signed: cmp rcx, -1; je m1]
**   cqo | xor edx; (i)div rcx; -> rax (quotient) or rdx (remainder)
**   zero: quotient all ones, remainder A;  m1: quotient -A, remainder 0 */
static void emit_divrem(tj_buf *c, const vmrun_ir_op *o)
{
  int w = o->size == 8;
  int sgn = o->op == VMRUN_IR_DIV || o->op == VMRUN_IR_REM;
  int rem = o->op == VMRUN_IR_REM || o->op == VMRUN_IR_REMU;
  uint32_t jz, jm1 = 0, jd1, jd2 = 0;
  emit_b_rcx(c, o);
  ld_t(c, RAX, o->a);
  test_rr(c, w, RCX, RCX);
  jz = jcc8(c, CC_E);
  if (sgn) {
    alu_ri(c, w, ALU_CMP, RCX, -1);
    jm1 = jcc8(c, CC_E);
    cqo(c, w);
    grp3_r(c, w, 7, RCX);               /* idiv */
  } else {
    alu_rr(c, 0, ALU_XOR, RDX, RDX);
    grp3_r(c, w, 6, RCX);               /* div */
  }
  if (rem) mov_rr(c, w, RAX, RDX);
  jd1 = jmp8(c);
  patch8_here(c, jz);                   /* b == 0 */
  if (rem) {
    if (!w) mov_rr(c, 0, RAX, RAX);     /* x % 0 = x (zero-extended) */
  } else mov_ri(c, RAX, w ? ~0ull : 0xffffffffu);
  if (sgn) {
    jd2 = jmp8(c);
    patch8_here(c, jm1);                /* b == -1 */
    if (rem) alu_rr(c, 0, ALU_XOR, RAX, RAX);
    else grp3_r(c, w, 3, RAX);          /* neg: MIN/-1 = MIN */
    patch8_here(c, jd2);
  }
  patch8_here(c, jd1);
  mov_mr(c, 8, T(o->dst), RAX);
}

/* emit_inplace wrote cached register `slot` for ops o[0..n-1] and the
** PUT after them: it is dirty, and their results live nowhere else */
static int inplace_done(tj_ra *ra, int slot, const vmrun_ir_op *o, int n)
{
  ra->dirty |= 1u << slot;
  for (int k = 0; k < n; k++) {
    ra->talias[o[k].dst] = -1;
    ra->tcpu[o[k].dst] = -1;
  }
  return n;
}

/*
** In-place update of a cached register: "x = x op B" reaches the code as
** GET t1 (aliased to host register h), OP t2 = t1, B, PUT x = t2 (or, for
** 32-bit ops, OP, SEXT, PUT).  When t2 (and the SEXT's result) go only to
** the PUT, the op is done on h itself: `add h, imm` instead of
** `mov rax, h; add rax, imm; mov h, rax`.  The alias of t1 guarantees no
** later use of the old value.  "x = y op B" with y and x cached in
** different registers copies y into x's register first; y not in a host
** register is loaded there (or moved from rax, where the op before left
** it), and for a commutative op with B in one, "x = y op B" is done as
** "x = B op y" (B's register copied, or x itself when B is x).  Likewise
** "x = ext(y)" (a SEXT or ZEXT straight into a PUT: sext.w, zext.b) is
** one movsx/movzx into x's register.  Returns the number of following
** ops consumed (1 or 2), or 0 when the pattern does not apply.
*/
static int emit_inplace(tj_buf *c, const vmrun_ir_block *ib, uint32_t i,
                        const uint8_t *skip, const uint8_t *plan)
{
  const vmrun_ir_op *o = &ib->ops[i], *p;
  tj_ra *ra = (tj_ra *)c->ra;
  int alu = -1, sh = -1, w = o->size == 8, h, n = 1, slot, bt;
  if (!ra) return 0;
  switch (o->op) {
  case VMRUN_IR_SEXT: case VMRUN_IR_ZEXT:
    /* t2 = ext(t1), t1 in a host register, going only to a PUT of a
    ** cached register (sext.w, zext.b, ...): one movsx/movzx into it */
    h = ta(c, o->a);
    p = o + 1;
    if (h < 0 || !(skip[i] & FWD_PAIR) || i + 1 >= ib->n_ops ||
        p->op != VMRUN_IR_PUT || p->size != 8 || p->a != o->dst ||
        !plan[i + 1] || !(o->size == 1 || o->size == 2 || o->size == 4))
      return 0;
    slot = (plan[i + 1] & 0x3f) - 1;
    if (!(skip[i] & FWD_SXNOP))
      ext_rr(c, ra->regs[slot], h, o->size, o->op == VMRUN_IR_SEXT);
    else if (ra->regs[slot] != h)
      mov_rr(c, 1, ra->regs[slot], h);
    return inplace_done(ra, slot, o, 1);
  case VMRUN_IR_ADD: alu = ALU_ADD; break;
  case VMRUN_IR_SUB: alu = ALU_SUB; break;
  case VMRUN_IR_AND: alu = ALU_AND; break;
  case VMRUN_IR_OR: alu = ALU_OR; break;
  case VMRUN_IR_XOR: alu = ALU_XOR; break;
  case VMRUN_IR_SHL: sh = SH_SHL; break;
  case VMRUN_IR_SHR: sh = SH_SHR; break;
  case VMRUN_IR_SAR: sh = SH_SAR; break;
  default: return 0;
  }
  h = ta(c, o->a);
  if (!(skip[i] & FWD_PAIR) || i + 2 >= ib->n_ops) return 0;
  p = o + 1;
  if (!w) {        /* 32-bit: the SEXT in between */
    if (p->op != VMRUN_IR_SEXT || p->size != 4 || p->a != o->dst ||
        !(skip[i + 1] & FWD_PAIR))
      return 0;
    p++;
    n = 2;
  } else if (o->size != 8) {
    return 0;
  }
  if (p->op != VMRUN_IR_PUT || p->size != 8 || p->a != p[-1].dst ||
      !plan[i + n])
    return 0;
  slot = (plan[i + n] & 0x3f) - 1;
  bt = (o->flags & VMRUN_IR_F_BIMM) ? -1 : (int)o->b;
  if (h < 0 && bt >= 0 && alu >= 0 && alu != ALU_SUB && ta(c, o->b) >= 0) {
    /* y op x with y not in a register (commutative): x op y */
    h = ta(c, o->b);
    bt = (int)o->a;
  }
  if (h < 0 || ra->regs[slot] != h) {
    /* x = y op B into x's own register: copy y there first (from
    ** memory, or from rax where the op before left it), unless B is read
    ** from that register (the old x) */
    int hd = ra->regs[slot];
    if (bt >= 0 && ta(c, (uint32_t)bt) == hd) return 0;
    if (h >= 0) mov_rr(c, 1, hd, h);
    else if (c->rax_t == (int)o->a) mov_rr(c, 1, hd, RAX);
    else mov_rm(c, 1, hd, tmem(c, o->a));
    h = hd;
  }
  if (sh >= 0) {
    if (o->flags & VMRUN_IR_F_BIMM) {
      uint32_t at = c->pos;
      shift_ri(c, w, sh, h, (uint8_t)(o->imm & (w ? 63 : 31)));
      if (sh == SH_SHL && w && o->imm >= 1 && o->imm <= 3) {
        c->shl_at = at;
        c->shl_end = c->pos;
        c->shl_reg = h;
        c->shl_k = (int)o->imm;
      }
    } else {
      ld_t(c, RCX, o->b);
      shift_rcl(c, w, sh, h);
    }
  } else if (o->flags & VMRUN_IR_F_BIMM) {
    if (!w || fits32((int64_t)o->imm)) {
      alu_ri(c, w, alu, h, (int32_t)(uint32_t)o->imm);
    } else {
      mov_ri(c, RCX, o->imm);
      alu_rr(c, w, alu, h, RCX);
    }
  } else {
    /* B's host register: rax (the swapped y, left there), its own, or
    ** none (in memory) */
    int bs = c->rax_t == bt ? RAX : ta(c, (uint32_t)bt);
    if (alu == ALU_ADD && w && c->pos == c->shl_end && h == c->shl_reg &&
        bs >= 0 && bs != h) {
      /* `shl h, k` just before: x = (x << k) + B is one lea (an array
      ** index) */
      c->pos = c->shl_at;
      lea(c, h, (tj_mem){ bs, h, c->shl_k, 0 });
      c->shl_end = UINT32_MAX;  /* (the lea may end where the shl did) */
    } else if (bs == RAX) {
      alu_rr(c, w, alu, h, RAX);
    } else {
      alu_t(c, w, alu, h, (uint32_t)bt);
    }
  }
  if (!w && !(skip[i + 1] & FWD_SXNOP)) ext_r(c, h, 4, 1);
  return inplace_done(ra, slot, o, n);
}

/* flags = t[a] cmp B (32- or 64-bit) */
static void emit_cmp(tj_buf *c, const vmrun_ir_op *o, int bimm)
{
  int w = o->size == 8;
  int ra = ta(c, o->a);
  if (ra < 0) {
    mov_rm(c, 1, RAX, tmem(c, o->a));
    ra = RAX;
  }
  if (bimm) {
    if ((w ? o->imm : (uint32_t)o->imm) == 0) {
      test_rr(c, w, ra, ra);           /* the same flags as cmp ra, 0 */
    } else if (!w || fits32((int64_t)o->imm)) {
      alu_ri(c, w, ALU_CMP, ra, (int32_t)(uint32_t)o->imm);
    } else {
      mov_ri(c, RCX, o->imm);
      alu_rr(c, w, ALU_CMP, ra, RCX);
    }
  } else {
    alu_t(c, w, ALU_CMP, ra, o->b);
  }
}

/* eax = VMRUN_TLB_INDEX(esi) * sizeof(vmrun_tlb_entry).
** The index only uses va bits 27:12, so 32-bit operations suffice. */
static void emit_tlb_slot(tj_buf *c)
{
  /* (va >> 7) ^ (va >> 15) == ((va >> 8) ^ va) >> 7: one move less */
  mov_rr(c, 0, RAX, RSI);
  shift_ri(c, 0, SH_SHR, RAX, VMRUN_TLB_BITS);
  alu_rr(c, 0, ALU_XOR, RAX, RSI);
  shift_ri(c, 0, SH_SHR, RAX, VMRUN_PAGE_BITS - 5);
  alu_ri(c, 0, ALU_AND, RAX, (int32_t)((VMRUN_TLB_SIZE - 1) << 5));
}

/* va = t[a] + imm into rsi */
static void emit_va(tj_buf *c, const vmrun_ir_op *o)
{
  int h = ta(c, o->a);
  if (h >= 0 && o->imm && fits32((int64_t)o->imm)) {
    lea(c, RSI, MEM(h, (int32_t)o->imm));
  } else {
    ld_t(c, RSI, o->a);
    if (!o->imm) {
      /* the address as is */
    } else if (fits32((int64_t)o->imm)) {
      alu_ri(c, 1, ALU_ADD, RSI, (int32_t)o->imm);
    } else {
      mov_ri(c, RAX, o->imm);
      alu_rr(c, 1, ALU_ADD, RSI, RAX);
    }
  }
}

/* va into rsi; TLB probe on field `fld`; returns the jne rel32 position
** (to the slow path); leaves rsi = host address on a hit */
static uint32_t emit_tlb_probe(tj_buf *c, const vmrun_ir_op *o, int fld)
{
  uint32_t j;
  emit_va(c, o);
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

/* The checks of a direct or window access after its range check, on rcx
** (the va, or its offset in the window: same low bits): alignment for a
** VMRUN_IR_F_ALIGNED access (j[1]), and for a store the byte of its
** 1 << shift bytes in `map` (j[2]: nonzero = code there or next): the
** byte [r13 + rcx + d] when the map starts within a 32-bit displacement d
** of r13val, the value r13 holds (the core places the RAM window's map
** just below the RAM for this), else through a movabs. */
static void emit_code_checks(tj_buf *c, const vmrun_ir_op *o, int store,
                             unsigned shift, const volatile uint8_t *map,
                             uint64_t r13val, uint32_t j[3])
{
  if ((o->flags & VMRUN_IR_F_ALIGNED) && o->size > 1) {
    test_ri(c, 0, RCX, (int32_t)o->size - 1);
    j[1] = jcc32(c, CC_NE);
  }
  if (store) {
    int64_t d = (int64_t)((uint64_t)(uintptr_t)map - r13val);
    shift_ri(c, 1, SH_SHR, RCX, (uint8_t)shift);
    if (fits32(d)) {
      cmp_m8i(c, MEMX(R13, RCX, 0, (int32_t)d), 0);
    } else {
      mov_ri(c, RAX, (uint64_t)(uintptr_t)map);
      cmp_m8i(c, MEMX(RAX, RCX, 0, 0), 0);
    }
    j[2] = jcc32(c, CC_NE);
  }
}

/*
** Direct guest memory (vmrun_direct_mem, Linux user mode): r13 holds the
** host address of guest VA 0 and the host page protections follow the
** guest's, so an access is [r13 + va] once va is below 1 << va_bits (and
** aligned, for VMRUN_IR_F_ALIGNED; and, for a store, its page holds no
** translated code).  Each check is a `jne rel32` to the access's
** slow-path stub.  When the address is a cached register h plus a 32-bit
** displacement and the window has 4 GiB guards, the access is
** [h + r13 + d] and only h is range-checked, once until h changes
** (c->dverified): any h + d' then lies in the window or its guards.  If
** the check fails, the stub's slow path either faults (the block ends) or
** succeeds, which also puts h within 2 GiB of the window.  When the host
** access faults, tjit_host_fault() finds the access in e->dsites and
** resumes at its stub (ld_slow/st_slow redo it through the MMU and raise
** the guest's fault); registers are as the stub expects, since nothing
** runs between the checks and the access.  Returns the operand; j[0..2]
** get the jne positions (0: none), areg and aimm the stub's address.
*/
static tj_mem emit_direct_checks(tjit *e, tj_buf *c, const vmrun_ir_op *o,
                                 int store, uint32_t j[3], int8_t *areg,
                                 int32_t *aimm)
{
  const vmrun_direct_mem *dm = e->env.direct;
  int h = ta(c, o->a), aligned = (o->flags & VMRUN_IR_F_ALIGNED) &&
                                 o->size > 1;
  tj_mem at = MEMX(RSI, R13, 0, 0);
  j[0] = j[1] = j[2] = 0;
  *areg = -1;
  *aimm = 0;
  e->st_direct_sites++;
  if (h >= 0 && dm->guard_bits >= 32 && fits32((int64_t)o->imm)) {
    if (!(c->dverified & (1u << h))) {
      mov_rr(c, 1, RCX, h);
      shift_ri(c, 1, SH_SHR, RCX, (uint8_t)dm->va_bits);
      j[0] = jcc32(c, CC_NE);
      c->dverified |= 1u << h;
    }
    *areg = (int8_t)h;
    *aimm = (int32_t)o->imm;
    if (aligned || store) lea(c, RCX, MEM(h, *aimm));
    at = MEMX(h, R13, 0, *aimm);
  } else {
    emit_va(c, o);
    mov_rr(c, 1, RCX, RSI);
    shift_ri(c, 1, SH_SHR, RCX, (uint8_t)dm->va_bits);
    j[0] = jcc32(c, CC_NE);
    if (aligned || store) mov_rr(c, 1, RCX, RSI);
  }
  /* rcx = va from here on, when needed */
  emit_code_checks(c, o, store, VMRUN_PAGE_BITS, dm->code_pages,
                   (uint64_t)(uintptr_t)dm->host, j);
  return at;
}

/*
** The RAM window (vmrun_ram_window, machine mode, blocks flagged
** VMRUN_IR_BLK_PHYS_DATA): r13 holds host - base, so an access is
** [r13 + va] once off = va - base passes `off <= size - n` (unsigned: the
** whole access inside the window), the alignment test of an
** VMRUN_IR_F_ALIGNED access (base is page-aligned, so off's low bits are
** va's) and, for a store, code_granules[off >> 3] == 0.  With the address a
** cached register h plus a 32-bit displacement d, off is one lea from h
** and the access [h + r13 + d]; else the va goes to rsi first.  The
** checks are off the load's critical path: the access depends on the
** address alone, where a TLB probe adds the slot hash and the addend
** load.  No check is ever skipped (unlike the direct path's guards, the
** window has none).  Same operands and stubs as emit_direct_checks.
*/
static tj_mem emit_window_checks(tjit *e, tj_buf *c, const vmrun_ir_op *o,
                                 int store, uint32_t j[3], int8_t *areg,
                                 int32_t *aimm, unsigned grp, int32_t lo,
                                 int32_t hi)
{
  const vmrun_ram_window *w = e->env.ram;
  int h = ta(c, o->a);
  int need = !(grp & GRP_MEMBER) || store ||
             ((o->flags & VMRUN_IR_F_ALIGNED) && o->size > 1);
  int64_t d;
  uint64_t lim = w->size - o->size;
  tj_mem at;
  if (!(grp & GRP_LEAD)) lo = 0, hi = (int32_t)o->size;
  else lim = w->size - (uint64_t)(hi - lo);
  d = (int64_t)(o->imm - w->base) + lo;   /* rcx: the span's start */
  j[0] = j[1] = j[2] = 0;
  *areg = -1;
  *aimm = 0;
  e->st_window_sites++;
  if (h >= 0 && fits32((int64_t)o->imm) &&
      (fits32(d) || !need ||
       (fits32((int64_t)o->imm + lo) && fits32(-(int64_t)w->base)))) {
    if (need && fits32(d)) {
      lea(c, RCX, MEM(h, (int32_t)d));
    } else if (need) {                  /* (imm - base overflows 32 bits) */
      lea(c, RCX, MEM(h, (int32_t)((int64_t)o->imm + lo)));
      alu_ri(c, 1, ALU_ADD, RCX, (int32_t)-(int64_t)w->base);
    }
    *areg = (int8_t)h;
    *aimm = (int32_t)o->imm;
    at = MEMX(h, R13, 0, *aimm);
  } else {
    emit_va(c, o);
    if (!need) {
      /* a member with no check: the address alone */
    } else if (fits32(lo - (int64_t)w->base)) {
      lea(c, RCX, MEM(RSI, (int32_t)(lo - (int64_t)w->base)));
    } else {
      mov_ri(c, RCX, (uint64_t)(lo - (int64_t)w->base));
      alu_rr(c, 1, ALU_ADD, RCX, RSI);
    }
    at = MEMX(RSI, R13, 0, 0);
  }
  /* rcx = va + lo - base: the range check, but in a group's members
  ** (their leader checked their span) */
  if (!(grp & GRP_MEMBER)) {
    if (lim <= 0x7fffffffu) {
      alu_ri(c, 1, ALU_CMP, RCX, (int32_t)lim);
    } else {
      mov_ri(c, RAX, lim);
      alu_rr(c, 1, ALU_CMP, RCX, RAX);
    }
    j[0] = jcc32(c, CC_A);
  }
  if (lo && (store || ((o->flags & VMRUN_IR_F_ALIGNED) && o->size > 1)))
    lea(c, RCX, MEM(RCX, -lo));         /* rcx = va - base, for those */
  emit_code_checks(c, o, store, VMRUN_RAM_GRANULE_BITS, w->code_granules,
                   (uint64_t)(uintptr_t)w->host - w->base, j);
  return at;
}

/* Record a direct access (its stub now at c->pos) for tjit_host_fault(). */
static void add_dsite(tjit *e, uint32_t at, uint32_t stub)
{
  if (e->n_dsites == e->cap_dsites) {
    uint32_t n = e->cap_dsites ? 2 * e->cap_dsites : 1024;
    struct tjit_dsite *d = realloc(e->dsites, n * sizeof *d);
    if (!d) { e->dsite_oom = 1; return; }
    e->dsites = d;
    e->cap_dsites = n;
  }
  e->dsites[e->n_dsites].at = at;
  e->dsites[e->n_dsites].stub = stub;
  e->n_dsites++;
}

/* r12/r14 into the vCPU scratch words for the slow-path helpers */
static void emit_save_counts(tj_buf *c, const tjit_stub *s)
{
  if (c->cnt_static) {
    mov_mi64(c, MEM(RBP, -8), (int32_t)s->cnt);
    mov_mi64(c, MEM(RBP, -16), (int32_t)s->acc);
    return;
  }
  mov_mr(c, 8, MEM(RBP, -8), R12);
  mov_mr(c, 8, MEM(RBP, -16), R14);
}

static void xs_spill(tj_buf *c, unsigned live, int reload);

/* Before a stub's call into C that may charge a fault or trap
** (ld_slow/st_slow -> mem_fault(), trap_exit()): the budget as at the
** block's entry (limit - icount + the instructions of this block already
** in icount: s->acc, or r14), which they reduce. */
static void emit_budget_sync(tj_buf *c, const tjit_stub *s)
{
  alu_rr(c, 0, ALU_XOR, RAX, RAX);
  alu_rr(c, 1, ALU_SUB, RAX, RCNT);
  if (!c->cnt_static) alu_rr(c, 1, ALU_ADD, RAX, R14);
  else if (s->acc) alu_ri(c, 1, ALU_ADD, RAX, (int32_t)s->acc);
  mov_mr(c, 8, CPU(OFF_BUDGET), RAX);
}

static void emit_stub(tjit *e, tj_buf *c, const tjit_block *b,
                      const tjit_stub *s)
{
  if (s->from) patch32(c, s->from, c->pos);
  if (s->from2) patch32(c, s->from2, c->pos);
  if (s->from3) patch32(c, s->from3, c->pos);
  if (s->site_at) add_dsite(e, s->site_at, c->pos);
  for (int k = 0; k < s->xd_n; k++)     /* stale registers first */
    movq_rx(c, s->xd[k] >> 4, s->xd[k] & 15);
  if (s->areg >= 0) lea(c, RSI, MEM(s->areg, s->aimm));  /* the va */
  switch (s->kind) {
  case STUB_FAIL:
    mov_ri(c, RAX, b->pc);
    mov_mr(c, 8, CPU(OFF_PC), RAX);
    jmp_to(c, e->fault_ret);
    break;
  case STUB_LD:
    ra_flush(c, s->dirty);              /* precise state if it faults */
    mov_rr(c, 1, RDI, RBX);
    mov_ri(c, RDX, (uint32_t)(s->size | (unsigned)s->flags << 8));
    mov_ri(c, RCX, s->pc);
    mov_ri(c, R8, (uint64_t)(uintptr_t)b);
    emit_save_counts(c, s);
    emit_budget_sync(c, s);
    xs_spill(c, s->xlive, 0);
    emit_call_abs(e, c, (const void *)ld_slow);
    xs_spill(c, s->xlive, 1);
    test_rr(c, 1, RDX, RDX);
    jcc_to(c, CC_NE, e->mem_ret);
    mov_mr(c, 8, T(s->d), RAX);
    ra_load(c);
    if (s->dreg >= 0) mov_rr(c, 1, s->dreg, RAX);  /* (PUT merged) */
    jmp_to(c, s->back);
    break;
  case STUB_ST:
    ra_flush(c, s->dirty);              /* before r8 is an argument */
    if (s->breg >= 0) mov_rr(c, 1, RDX, s->breg);  /* (before rdi) */
    else if (s->bcpu >= 0) mov_rm(c, 1, RDX, CPU(s->bcpu));
    else mov_rm(c, 1, RDX, T(s->b));
    mov_rr(c, 1, RDI, RBX);
    mov_ri(c, RCX, (uint32_t)(s->size | (unsigned)s->flags << 8));
    mov_ri(c, R8, s->pc);
    mov_ri(c, R9, (uint64_t)(uintptr_t)b);
    emit_save_counts(c, s);
    emit_budget_sync(c, s);
    xs_spill(c, s->xlive, 0);
    emit_call_abs(e, c, (const void *)st_slow);
    xs_spill(c, s->xlive, 1);
    test_rr(c, 0, RAX, RAX);
    jcc_to(c, CC_NE, e->mem_ret);
    ra_load(c);
    jmp_to(c, s->back);
    break;
  case STUB_BUDGET:                     /* emit_accounting */
    ra_flush(c, s->dirty);                /* (fault_ret writes budget 0) */
    if (s->flags) {
      mov_ri(c, RAX, s->pc);
      mov_mr(c, 8, CPU(OFF_PC), RAX);
    }
    jmp_to(c, e->fault_ret);
    break;
  case STUB_DEOPT:                      /* grouped range checks */
    ra_flush(c, s->dirty);              /* precise state, as for a fault */
    mov_rr(c, 1, RDI, RBX);
    mov_ri(c, RSI, s->pc);
    mov_ri(c, RDX, (uint64_t)(uintptr_t)b);
    emit_save_counts(c, s);
    emit_budget_sync(c, s);
    emit_call_abs(e, c, (const void *)deopt_exit);
    jmp_to(c, e->mem_ret);
    break;
  case STUB_TRAP:
    emit_budget_sync(c, s);
    mov_rr(c, 1, RDI, RBX);
    if (c->cnt_static) mov_ri(c, RSI, s->acc);
    else mov_rr(c, 1, RSI, R14);
    emit_call_abs(e, c, (const void *)trap_exit);
    jmp_to(c, e->mem_ret);
    break;
  default:
    break;
  }
}

/*
** A helper call that keeps the cached guest registers (VMRUN_IR_F_NOREGS):
** the ones the call may clobber are pushed around it (an even number of
** pushes keeps rsp 16-byte aligned).  Arguments already in rsi, rdx, rcx.
*/
static void emit_call_keep(const tjit *e, tj_buf *c, const tj_ra *ra,
                           const void *fn)
{
  int saved[RA_MAX], ns = 0, k;
  for (k = 0; ra && k < ra->n; k++)
    if (RA_CALLER_SAVED(ra->regs[k])) saved[ns++] = ra->regs[k];
  for (k = 0; k < ns; k++) push_r(c, saved[k]);
  if (ns & 1) push_r(c, RAX);
  mov_rr(c, 1, RDI, RBX);
  emit_call_abs(e, c, fn);
  if (ns & 1) pop_r(c, RCX);
  for (k = ns; k-- > 0;) pop_r(c, saved[k]);
}

/*
** xmm shadows.  A binary64 result computed inline is kept in one of
** xmm4..15 besides its general register, and an inline operation whose
** operand is still there takes that copy: a chain of operations then goes
** from xmm register to xmm register, without the movq out of and back into
** the general registers on its dependency path (about 5 cycles per link).
** A shadow belongs to a temp (the result), to a cached guest register
** (after a PUT of such a temp into it) or to a vCPU-state word (a PUT into
** an uncached register).  A holder written otherwise loses it; all are
** dropped at a label (another path joins) and at any helper call but the
** inline operations' own (xmm registers are caller-saved).  Those calls,
** and the slow paths of loads and stores, spill and reload the live
** shadows.
*/
#define XS_FIRST 4
#define XS_N 12

static void xs_clear(tjit *e)
{
  memset(e->xs_h, -1, sizeof e->xs_h);
  for (int k = 0; k < XS_N; k++) e->xs_o[k].x = -1;
  memset(e->xs_t, -1, e->xs_nt);
  e->xd = 0;
}

/*
** Stale registers.  An inline binary64 result that a PUT puts into a
** cached register stays in its shadow only: the general register is not
** written (no movq on the straight path) and is "stale", bit h of e->xd,
** until something reads it as an integer.  Invariant: a stale register
** h has a shadow, xs_h[h], and nothing else overwrites that xmm register
** first.  A stale register is refilled (`movq h, x`, xd_one) before an
** op reads the general register (a template through ta(), a GET that
** copies it, an inline operation whose result replaces it, since its
** helper may need the old value), before a helper call or any code that
** drops the shadows, before a branch to a label that another path also
** reaches, and before the cached registers are written back at an exit.
** An 8-byte store writes it from its shadow.  Stubs and cold paths
** refill every stale register at their start (the stub records them:
** tjit_stub.xd), so C helpers only ever see current registers.  A loop
** head takes its FP results as stale (xd_head) in the shadows it
** expects (xh_reg), so a loop whose FP values go to memory has no movq
** out of xmm at all.
*/
static void xd_one(tjit *e, tj_buf *c, int h)
{
  movq_rx(c, h, e->xs_h[h]);
  e->xd &= (uint16_t)~(1u << h);
}

/* in a cold path: every stale register refilled (the straight path's
** state does not change) */
static void xd_cold(const tjit *e, tj_buf *c)
{
  for (unsigned m = e->xd; m; m &= m - 1)
    movq_rx(c, __builtin_ctz(m), e->xs_h[__builtin_ctz(m)]);
}

/* every stale register refilled, here */
static void xd_all(tjit *e, tj_buf *c)
{
  xd_cold(e, c);
  e->xd = 0;
}

/* a stale register among host register h (h may be any, or -1) */
static void xd_need(tjit *e, tj_buf *c, int h)
{
  if (h >= 0 && (e->xd >> h & 1)) xd_one(e, c, h);
}

/* the xmm register holding temp t's value, or -1 */
static int xs_get(const tjit *e, const tj_buf *c, uint32_t t)
{
  int h;
  if (!e->xs_on) return -1;
  if (e->xs_t[t] >= 0) return e->xs_t[t];
  h = ta(c, t);
  if (h >= 0) return h == RAX ? -1 : e->xs_h[h];
  if (c->tcpu && c->tcpu[t] >= 0)
    for (int k = 0; k < XS_N; k++)
      if (e->xs_o[k].x >= 0 && e->xs_o[k].off == c->tcpu[t])
        return e->xs_o[k].x;
  return -1;
}

/* shadow x is about to change: its holders lose it (a stale one is
** refilled first) */
static void xs_take(tjit *e, tj_buf *c, int x)
{
  int k;
  for (k = 0; k < 16; k++)
    if (e->xs_h[k] == x) {
      xd_need(e, c, k);
      e->xs_h[k] = -1;
    }
  for (k = 0; k < XS_N; k++)
    if (e->xs_o[k].x == x) e->xs_o[k].x = -1;
  for (uint32_t t = 0; t < e->xs_nt; t++)
    if (e->xs_t[t] == x) e->xs_t[t] = -1;
}

/* the next shadow register, round robin */
static int xs_alloc(tjit *e, tj_buf *c)
{
  int x;
  do x = XS_FIRST + e->xs_next++ % XS_N;
  while (e->np.on && x == e->np.x);     /* (a result still untested) */
  xs_take(e, c, x);
  return x;
}

/* Is temp t read after op o, up to `end`, before every path defines it
** again?  Branches go forward only: a definition in the straight-line
** code right after o ends the search; past a branch or label only reads
** count (conservatively). */
static int temp_read_after(const vmrun_ir_op *o, const vmrun_ir_op *end,
                           uint32_t t)
{
  int straight = 1;
  for (const vmrun_ir_op *p = o + 1; p < end; p++) {
    uint32_t u[3];
    int nu = ra_uses(p, u);
    for (int k = 0; k < nu; k++)
      if (u[k] == t) return 1;
    if (p->op == VMRUN_IR_LABEL || p->op == VMRUN_IR_BR ||
        p->op == VMRUN_IR_BRCOND)
      straight = 0;
    if (straight && ra_defines(p) && p->dst == t) return 0;
  }
  return 0;
}

/* Shadow x of the cached register that op o's result is PUT into (the
** PUT merged into o): may the result take x over?  Yes when no temp x
** holds is read after o; the register's old value dies with the PUT, and
** x's other holders are copies (of a general register or a state word
** that also holds the value).  A loop's FP registers thereby stay in the
** shadows the loop head expects (xh_reg), with no moves at the
** loop-back, and an operation on x itself needs no movapd. */
static int xs_claim(const tjit *e, const vmrun_ir_op *o,
                    const vmrun_ir_op *end, int x)
{
  if (x < 0) return 0;
  for (uint32_t t = 0; t < e->xs_nt; t++)
    if (e->xs_t[t] == x && temp_read_after(o, end, t)) return 0;
  return 1;
}

/* a PUT of `size` bytes of temp t into host register h (h >= 0), or into
** the vCPU-state word at off: the holder now has t's shadow, if any */
static void xs_put(tjit *e, const tj_buf *c, uint32_t t, unsigned size,
                   int h, int32_t off)
{
  int x = size == 8 ? xs_get(e, c, t) : -1, k;
  if (!e->xs_on) return;
  if (h >= 0) {                     /* (its new value: not stale) */
    e->xs_h[h] = (int8_t)x;
    e->xd &= (uint16_t)~(1u << h);
    return;
  }
  for (k = 0; k < XS_N; k++)        /* an overlapping word changes */
    if (e->xs_o[k].x >= 0 && e->xs_o[k].off < off + (int32_t)size &&
        off < e->xs_o[k].off + 8)
      e->xs_o[k].x = -1;
  if (x < 0) return;
  for (k = 0; k < XS_N && e->xs_o[k].x >= 0; k++) {}
  if (k == XS_N) k = e->xs_next % XS_N;   /* full: replace one */
  e->xs_o[k].off = off;
  e->xs_o[k].x = (int8_t)x;
}

/* the live shadows: bit k for xmm(XS_FIRST + k) */
static unsigned xs_live(const tjit *e)
{
  unsigned live = 0;
  int k;
  if (!e->xs_on) return 0;
  for (k = 0; k < 16; k++)
    if (e->xs_h[k] >= 0) live |= 1u << (e->xs_h[k] - XS_FIRST);
  for (k = 0; k < XS_N; k++)
    if (e->xs_o[k].x >= 0) live |= 1u << (e->xs_o[k].x - XS_FIRST);
  for (uint32_t t = 0; t < e->xs_nt; t++)
    if (e->xs_t[t] >= 0) live |= 1u << (e->xs_t[t] - XS_FIRST);
  return live;
}

/* Spill (reload) the shadows of `live` below rsp around a call to C, in
** a 16-byte multiple so that rsp stays aligned; the reload leaves the
** flags alone only up to its final add. */
static void xs_spill(tj_buf *c, unsigned live, int reload)
{
  int n = 0, k;
  for (k = 0; k < XS_N; k++)
    if (live >> k & 1) {
      if (!n && !reload)
        alu_ri(c, 1, ALU_SUB, RSP,
               (int32_t)(__builtin_popcount(live) + 1) / 2 * 16);
      if (reload) movsd_xm(c, XS_FIRST + k, MEM(RSP, 8 * n));
      else movsd_mx(c, MEM(RSP, 8 * n), XS_FIRST + k);
      n++;
    }
  if (n && reload) alu_ri(c, 1, ALU_ADD, RSP, (n + 1) / 2 * 16);
}

/* emit_call_keep that also keeps the live shadows */
static void emit_call_keep_xs(tjit *e, tj_buf *c, const tj_ra *ra,
                              const void *fn)
{
  unsigned live = xs_live(e);
  xs_spill(c, live, 0);
  emit_call_keep(e, c, ra, fn);
  xs_spill(c, live, 1);
}

/*
** Loop-carried shadows.  In a block that loops to itself, the values its
** inline FP operations read first (sums, coordinates: the loop's state)
** come back around the loop.  Without more, each iteration's first use
** moves them from their general registers into xmm registers again (a
** movq, about 3 cycles, on the loop's dependency chain), since the head
** assumes no shadow.  Instead the head expects xh_reg[k]'s shadow in
** xmm(XS_FIRST + k): block entry moves them in once, after the register
** loads, and every loop-back puts them where the head expects them (an
** xmm copy of the value's current shadow, else a movq from its general
** register, which always holds the value too).  Labels reached by one
** branch only keep the branch's shadows (xl), so the usual loop-back, a
** conditional branch at the block's end, has them.
*/
#define XH_MAX 6

static int fp_inlinable(const tjit *e, const vmrun_ir_op *o);

/* a conversion from an integer (its operand is not a binary64) */
static int fp_is_cvt(unsigned op)
{
  return op >= VMRUN_IR_FP_CVT_D_W && op <= VMRUN_IR_FP_CVT_D_L;
}

static int fp_n_operands(unsigned op)
{
  return op == VMRUN_IR_FP_SQRT || fp_is_cvt(op) ? 1
       : op >= VMRUN_IR_FP_MADD && op < VMRUN_IR_FP_EQ ? 3 : 2;
}

/* Does op o drop every shadow?  A label (another path may join; the
** compiler keeps a one-branch label's, xl) and a helper call other than
** an inline operation's (xmm registers are caller-saved). */
static int xs_drops(const tjit *e, const vmrun_ir_op *o)
{
  return o->op == VMRUN_IR_LABEL ||
         (o->op == VMRUN_IR_CALL && !fp_inlinable(e, o));
}

static int merge_put(const tjit *e, const tj_buf *c,
                     const vmrun_ir_block *ib, uint32_t i, const tj_ra *ra);

/* xh_reg: the cached registers an inline FP operation reads before any
** PUT to them, up to the first op that drops the shadows */
static void xh_plan(tjit *e, const tj_buf *c, const vmrun_ir_block *ib,
                    const tj_ra *ra)
{
  unsigned written = 0, want = 0;
  int8_t *tslot = e->xs_t;             /* (scratch here: cleared later) */
  memset(tslot, -1, ib->n_temps);
  for (uint32_t i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    unsigned rp = e->ra_op[i], s = (rp & 0x3f) - 1;
    if (xs_drops(e, o)) break;
    if (o->op == VMRUN_IR_CALL && !fp_is_cvt(o->cond)) {
      const uint32_t opnd[3] = { o->a, o->b, o->c };
      for (int k = 0; k < fp_n_operands(o->cond); k++)
        if (tslot[opnd[k]] >= 0) want |= 1u << tslot[opnd[k]];
    }
    if (o->op == VMRUN_IR_PUT && (rp & 0x3f)) written |= 1u << s;
    if (ra_defines(o))
      tslot[o->dst] = o->op == VMRUN_IR_GET && (rp & 0x3f) &&
                      !(rp & RA_MEM) && !(written >> s & 1) ? (int8_t)s
                                                            : -1;
  }
  e->xh_n = 0;
  for (int k = 0; k < ra->n && e->xh_n < XH_MAX; k++)
    if (want >> k & 1) e->xh_reg[e->xh_n++] = (int8_t)ra->regs[k];
  /* the registers inline results go to (merged PUTs) come back stale
  ** (xd_head); bits by host register */
  written = 0;
  for (uint32_t i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    int h;
    if (o->op == VMRUN_IR_CALL && !fp_is_cvt(o->cond) &&
        (h = merge_put(e, c, ib, i, ra)) >= 0)
      written |= 1u << h;
  }
  for (int k = 0; k < ra->n; k++) {
    int j;
    if (!(written >> ra->regs[k] & 1)) continue;
    for (j = 0; j < e->xh_n && e->xh_reg[j] != ra->regs[k]; j++) {}
    if (j == e->xh_n) {
      if (e->xh_n == XH_MAX) continue;
      e->xh_reg[e->xh_n++] = (int8_t)ra->regs[k];
    }
    e->xd_head |= (uint16_t)(1u << ra->regs[k]);
  }
}

/* at the loop head: the shadows it expects */
static void xh_head(tjit *e)
{
  for (int k = 0; k < e->xh_n; k++)
    e->xs_h[(int)e->xh_reg[k]] = (int8_t)(XS_FIRST + k);
  e->xs_next = (uint8_t)e->xh_n;
  e->xd = e->xd_head;
}

/* before a loop-back: each expected shadow into place, xmm to xmm where
** the value has one (in an order that reads every source before it is
** overwritten; a cycle takes one from its general register) */
static void xh_fixup(tjit *e, tj_buf *c)
{
  int src[XH_MAX], k, j, n = e->xh_n;
  unsigned pend = 0;
  for (k = 0; k < n; k++) {
    src[k] = e->xs_on ? e->xs_h[(int)e->xh_reg[k]] : -1;
    if (src[k] != XS_FIRST + k) pend |= 1u << k;
  }
  while (pend) {
    int pick = -1;
    for (k = 0; k < n && pick < 0; k++) {
      int busy = 0;
      if (!(pend >> k & 1)) continue;
      for (j = 0; j < n; j++)
        if ((pend >> j & 1) && j != k && src[j] == XS_FIRST + k) busy = 1;
      if (!busy) pick = k;
    }
    if (pick < 0) {                    /* a cycle */
      pick = __builtin_ctz(pend);
      xd_need(e, c, e->xh_reg[pick]);   /* (its shadow: not moved yet) */
      src[pick] = -1;
    }
    if (src[pick] >= 0) movapd_rr(c, XS_FIRST + pick, src[pick]);
    else movq_xr(c, XS_FIRST + pick, e->xh_reg[pick]);
    pend &= ~(1u << pick);
  }
}

/* the shadow the loop head expects host register h in, or -1 */
static int xh_home(const tjit *e, int h)
{
  for (int k = 0; k < e->xh_n; k++)
    if (e->xh_reg[k] == h) return XS_FIRST + k;
  return -1;
}

/* a branch to label l: the first one's shadows, and the count */
static void xl_branch(tjit *e, uint32_t l)
{
  if (!e->xs_on) return;
  if (!e->xl_n[l]) {
    memcpy(e->xl[l].h, e->xs_h, sizeof e->xs_h);
    memcpy(e->xl[l].o, e->xs_o, sizeof e->xs_o);
    e->xl[l].xd = e->xd;
  }
  if (e->xl_n[l] < 2) e->xl_n[l]++;
}

/* temp t's value into xmm x: a copy of its shadow (none if x is it),
** else from t's general register or memory word */
static void xs_to(tjit *e, tj_buf *c, int x, uint32_t t)
{
  int s = xs_get(e, c, t), h = ta(c, t);
  if (s >= 0) {
    if (s != x) movapd_rr(c, x, s);
  } else if (h >= 0) {
    movq_xr(c, x, h);
  } else {
    movq_xm(c, x, tmem(c, t));
  }
}

/* The xmm register holding temp t for an operation: its shadow, else
** xmm `x` loaded from t's general register or memory word */
static int xs_src(tjit *e, tj_buf *c, int x, uint32_t t)
{
  int s = xs_get(e, c, t);
  if (s >= 0) return s;
  xs_to(e, c, x, t);
  return x;
}

/* a shadow register for a result, other than the operands' */
static int xs_result(tjit *e, tj_buf *c, const int *src, int n)
{
  for (;;) {
    int x = xs_alloc(e, c), k;
    for (k = 0; k < n && src[k] != x; k++) {}
    if (k == n) return x;
  }
}

/*
** Inline binary64 operations (VMRUN_IR_F_FP, vmrun/ir.h: QEMU's
** "hardfloat" idea, in generated code).  The operands are taken from
** their xmm shadows or moved to xmm1..3, and the host computes the result
** in a new shadow register (xmm0 for FMA3): SSE2 in the process's default
** MXCSR (round to nearest even, exceptions masked, no FTZ/DAZ), FMA3 for
** the fused ops.  Any result that is not a NaN is the helper's, with the
** same IEEE flags (SDK 1.12: the frontend's ISA, like x86, detects
** tininess after rounding), and those flags stay pending in the MXCSR
** until the next flush ("Pending FP flags").  A NaN result (ucomisd
** against itself: unordered) takes the helper, a cold path after the
** block's stubs, for the ISA's NaN: the flags the host raised for it
** (invalid, for a signalling operand or an invalid operation) are among
** the helper's.  So the straight path is the operation, ucomisd and jp,
** and the movq of the result to its general register.  Comparisons
** (emit_fp_cmp) stand unless an operand is a NaN.  Scratch: rax, rdi,
** rsi, rdx, rcx, xmm0..6.
*/
static int fp_inlinable(const tjit *e, const vmrun_ir_op *o)
{
  if (!e->fp_inline || !e->fp_nx || !(o->flags & VMRUN_IR_F_FP) ||
      !(o->flags & VMRUN_IR_F_NOREGS) || o->size != 8 ||
      (o->flags & (VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END)) ||
      o->cond >= VMRUN_IR_NB_FPOPS)
    return 0;
  return o->cond < VMRUN_IR_FP_MADD || o->cond >= VMRUN_IR_FP_EQ ||
         e->host_fma;
}

/* Does an inline `op` (enum vmrun_ir_fpop) give the ISA's default NaN
** itself (SDK 1.14, vmrun_frontend_ops.fp_default_nan), with no helper?
** The host's flags for the NaN are the helper's (IEEE 754-2019 §7.2, as
** x86 SSE raises them), so they stay pending like any result's; only
** the bits change.  Nothing in its cold path reads an operand. */
static int fp_dnan(const tjit *e, unsigned op)
{
  return e->fp_dnan && op <= VMRUN_IR_FP_SQRT;
}

/* the helper call of an inline operation, with every operand of the CALL
** (a cold path) */
static void emit_fp_helper(tjit *e, tj_buf *c, const vmrun_ir_op *o,
                           const tj_ra *ra)
{
  ld_t(c, RSI, o->a);
  ld_t(c, RDX, o->b);
  ld_t(c, RCX, o->c);
  emit_call_keep_xs(e, c, ra, (const void *)(uintptr_t)o->imm);
}

/* FEQ/FLT/FLE: ucomisd; unordered (a NaN: flags to raise) takes the
** helper, otherwise the result is in ZF/CF and nothing is raised */
static int emit_fp_cmp(tjit *e, tj_buf *c, const vmrun_ir_op *o,
                       const tj_ra *ra)
{
  int cc = o->cond == VMRUN_IR_FP_EQ ? CC_E
         : o->cond == VMRUN_IR_FP_LT ? CC_B : CC_BE;
  uint32_t in_at, in_to, back;
  int xa = xs_src(e, c, 1, o->a), xb = xs_src(e, c, 2, o->b);
  ucomisd_rr(c, xa, xb);
  in_at = jcc32(c, CC_P);
  setcc_r8(c, cc, RAX);
  movzx_r8(c, RAX, RAX);
  back = in_to = c->pos;
  xd_cold(e, c);
  emit_fp_helper(e, c, o, ra);
  if (cold_end(e, c, back, 1, &in_at, &in_to) < 0) return -1;
  store_dst(c, o);
  e->st_fp_sites++;
  return 0;
}

/* FCVT.D.W/WU/L: cvtsi2sd from the integer (WU: zero-extended to 64
** bits first).  No result is a NaN, so there is no test and no helper;
** L's inexact flag stays pending in the MXCSR like any inline result's.
** The xorpd breaks cvtsi2sd's dependency on the register's old upper
** half. */
static int emit_fp_cvt(tjit *e, tj_buf *c, const vmrun_ir_op *o, int dreg)
{
  int r = e->xs_on ? xs_result(e, c, NULL, 0) : 0;
  int h = ta(c, o->a);
  if (o->cond == VMRUN_IR_FP_CVT_D_WU) {
    ext_t(c, RAX, o->a, 4, 0);
    h = RAX;
  } else if (h < 0) {
    ld_t(c, RAX, o->a);
    h = RAX;
  }
  xorpd_rr(c, r, r);
  cvtsi2sd_xr(c, o->cond != VMRUN_IR_FP_CVT_D_W, r, h);
  movq_rx(c, dreg >= 0 ? dreg : RAX, r);
  if (e->xs_on) e->xs_t[o->dst] = (int8_t)r;
  if (dreg < 0) store_dst(c, o);
  e->st_fp_sites++;
  return 0;
}

/* the SSE2 operation of an FP add, sub, mul or div */
static int sd_of(unsigned op)
{
  return op == VMRUN_IR_FP_ADD ? SD_ADD : op == VMRUN_IR_FP_SUB ? SD_SUB
       : op == VMRUN_IR_FP_MUL ? SD_MUL : SD_DIV;
}

/*
** Paired NaN tests.  An inline operation whose result goes to a guest
** register (a cached one, dreg, or a vCPU-state word by the PUT right
** after it) may leave its NaN test to the next inline operation's:
** `ucomisd x1, x2; jp` is unordered when either result is a NaN, one
** test (and one branch) for two.  Until then the result is in its shadow
** x1 only, its register keeps the old value (which the helper may need as
** an operand): the partner reads it from the shadow, no shadow is
** allocated over it, and the integer operations in between (np_allows)
** must neither read that register nor write it or the operands; anything
** else first tests the result alone (np_flush).  The pair's cold path
** redoes the first operation with its helper if its result is a NaN,
** writes its register, then redoes the second (whose operands may include
** the first's result) with its helper.
*/
static void emit_fp_helper(tjit *e, tj_buf *c, const vmrun_ir_op *o,
                           const tj_ra *ra);

/* do 8-byte vCPU-state words at offsets a and b overlap? */
static int words_overlap(int32_t a, int32_t b)
{
  return a < b + 8 && b < a + 8;
}

/* Is temp t (or the word at offset `off`, >= 0) the pending result's
** register, which holds its old value until the test? */
static int np_reads_home(const tjit *e, const tj_buf *c, int64_t t,
                         int32_t off)
{
  if (t >= 0) {
    if (e->np.dreg >= 0) return ta(c, (uint32_t)t) == e->np.dreg;
    if (ta(c, (uint32_t)t) >= 0 || !c->tcpu || c->tcpu[t] < 0) return 0;
    off = c->tcpu[t];
  }
  return e->np.dreg < 0 && words_overlap(off, e->np.dmem);
}

/* does op p write where the pending operation's operands are (e->np.lh,
** lcpu, lt) or to the register its result goes to? */
static int np_clobbers(const tjit *e, const tj_ra *ra, const vmrun_ir_op *p,
                       unsigned rp)
{
  int h = -1;
  if (p->op == VMRUN_IR_PUT) {
    if (rp & 0x3f) {
      if (!ra) return 1;
      h = ra->regs[(rp & 0x3f) - 1];
      if (h == e->np.dreg) return 1;
    } else if (e->np.dreg < 0 && words_overlap((int32_t)p->imm, e->np.dmem)) {
      return 1;
    }
  } else if (!ra_defines(p)) {
    return 0;
  }
  for (int k = 0; k < fp_n_operands(e->np.o->cond); k++) {
    if (p->op != VMRUN_IR_PUT) {
      if (e->np.lh[k] < 0 && e->np.lcpu[k] < 0 && p->dst == e->np.lt[k])
        return 1;                              /* its slot */
    } else if (h >= 0) {
      if (e->np.lh[k] == h) return 1;
    } else if (e->np.lh[k] < 0 && e->np.lcpu[k] >= 0 &&
               words_overlap(e->np.lcpu[k], (int32_t)p->imm)) {
      return 1;                                /* its vCPU-state word */
    }
  }
  return 0;
}

/* May op i come before the pending result's test?  Integer operations
** that touch no xmm register, neither read the result's register (its
** old value until the test) nor write it or the operation's operands
** (its helper reads them if the result is a NaN); the PUTs an in-place
** update or a merge would take with op i (i + 1, i + 2) count too. */
static int np_allows(const tjit *e, const tj_buf *c, const tj_ra *ra,
                     const vmrun_ir_block *ib, uint32_t i)
{
  const vmrun_ir_op *p = &ib->ops[i];
  unsigned rp = e->ra_op[i];
  uint32_t u[3];
  int nu, k;
  switch (p->op) {
  case VMRUN_IR_NOP: case VMRUN_IR_INSN_START:
    return 1;
  case VMRUN_IR_GET:                   /* (read in place: at the uses) */
    if (rp & (RA_ALIAS | RA_MEM)) return 1;
    if (!(rp & 0x3f)) return !np_reads_home(e, c, -1, (int32_t)p->imm);
    return ra && ra->regs[(rp & 0x3f) - 1] != e->np.dreg;
  case VMRUN_IR_ADD: case VMRUN_IR_SUB: case VMRUN_IR_AND: case VMRUN_IR_OR:
  case VMRUN_IR_XOR: case VMRUN_IR_SHL: case VMRUN_IR_SHR: case VMRUN_IR_SAR:
  case VMRUN_IR_MOV: case VMRUN_IR_MOVI: case VMRUN_IR_SEXT:
  case VMRUN_IR_ZEXT: case VMRUN_IR_PUT:
    break;
  default:
    return 0;
  }
  nu = ra_uses(p, u);
  for (k = 0; k < nu; k++)
    if (np_reads_home(e, c, u[k], 0)) return 0;
  if (np_clobbers(e, ra, p, rp)) return 0;
  for (uint32_t j = i + 1; j <= i + 2 && j < ib->n_ops; j++)
    if (ib->ops[j].op == VMRUN_IR_PUT &&
        np_clobbers(e, ra, &ib->ops[j], e->ra_op[j]))
      return 0;
  return 1;
}

/* the pending operation's helper call, its operands where they were */
static void np_helper(tjit *e, tj_buf *c, const tj_ra *ra)
{
  static const int arg[3] = { RSI, RDX, RCX };
  if (fp_dnan(e, e->np.o->cond)) {     /* (its result is a NaN) */
    mov_ri(c, RAX, e->fp_dnan);
    return;
  }
  for (int k = 0; k < fp_n_operands(e->np.o->cond); k++) {
    if (e->np.lh[k] >= 0) mov_rr(c, 1, arg[k], e->np.lh[k]);
    else if (e->np.lcpu[k] >= 0) mov_rm(c, 1, arg[k], CPU(e->np.lcpu[k]));
    else mov_rm(c, 1, arg[k], T(e->np.lt[k]));
  }
  emit_call_keep_xs(e, c, ra, (const void *)(uintptr_t)e->np.o->imm);
}

/* the pending result from its shadow to its register (on the straight
** path a cached register is left stale instead: np_stale, after the cold
** path) */
static void np_home(const tjit *e, tj_buf *c, int cold)
{
  if (e->np.dreg < 0) movsd_mx(c, CPU(e->np.dmem), e->np.x);
  else if (cold) movq_rx(c, e->np.dreg, e->np.x);
}

static void np_stale(tjit *e, int dreg, int x)
{
  if (dreg < 0) return;
  e->xs_h[dreg] = (int8_t)x;
  e->xd |= (uint16_t)(1u << dreg);
}

/* the pending result's NaN test on its own, here */
static int np_flush(tjit *e, tj_buf *c, const tj_ra *ra)
{
  uint32_t in_at, in_to, back;
  int x = e->np.x;
  if (!e->np.on) return 0;
  e->np.on = 0;
  ucomisd_rr(c, x, x);
  in_at = jcc32(c, CC_P);
  np_home(e, c, 0);
  back = in_to = c->pos;
  if (!fp_dnan(e, e->np.o->cond)) xd_cold(e, c);
  np_helper(e, c, ra);
  movq_xr(c, x, RAX);
  np_home(e, c, 1);
  if (cold_end(e, c, back, 1, &in_at, &in_to) < 0) return -1;
  np_stale(e, e->np.dreg, x);
  return 0;
}

/* is op o's result only PUT, by the next op, into a register in the
** vCPU state (not cached)? */
static int np_put_after(const tjit *e, const vmrun_ir_block *ib,
                        const vmrun_ir_op *o)
{
  uint32_t i = (uint32_t)(o - ib->ops);
  return i + 1 < ib->n_ops && (e->fwd_skip[i] & FWD_PAIR) &&
         o[1].op == VMRUN_IR_PUT && o[1].a == o->dst && o[1].size == 8 &&
         !(e->ra_op[i + 1] & 0x3f);
}

/* may op o, the pending result's partner, read its operands as they
** are?  One in the pending register must be read from its shadow. */
static int np_fits(tjit *e, const tj_buf *c, const vmrun_ir_op *o)
{
  const uint32_t opnd[3] = { o->a, o->b, o->c };
  for (int k = 0; k < fp_n_operands(o->cond); k++)
    if (np_reads_home(e, c, opnd[k], 0) &&
        xs_get(e, c, opnd[k]) != e->np.x)
      return 0;
  return 1;
}

static int emit_fp(tjit *e, tj_buf *c, const vmrun_ir_op *o,
                   const vmrun_ir_block *ib, const tj_ra *ra, int dreg)
{
  const vmrun_ir_op *end = ib->ops + ib->n_ops;
  unsigned op = o->cond;
  int n = fp_n_operands(op);
  const uint32_t opnd[3] = { o->a, o->b, o->c };
  uint32_t in_at, in_to, back;
  int k, src[3], r, x, np_dreg = -1;
  /* a result only PUT, by the next op, into the vCPU state: a movsd
  ** from its shadow after the test, and that PUT is done */
  int to_mem = dreg < 0 && e->xs_on && np_put_after(e, ib, o);

  if (e->np.on && (op >= VMRUN_IR_FP_EQ || !np_fits(e, c, o)) &&
      np_flush(e, c, ra) < 0)
    return -1;
  if (fp_is_cvt(op)) return emit_fp_cvt(e, c, o, dreg);
  if (op >= VMRUN_IR_FP_EQ) return emit_fp_cmp(e, c, o, ra);
  x = dreg < 0 ? -1 : e->xs_h[dreg] >= 0 ? e->xs_h[dreg] : xh_home(e, dreg);
  if (e->xs_on && x >= 0 &&
      (op <= VMRUN_IR_FP_DIV || op == VMRUN_IR_FP_SQRT) &&
      !(e->np.on && x == e->np.x) && xs_claim(e, o, end, x)) {
    /* the result into the shadow of the register it is PUT into (or the
    ** one a loop head expects it in): `op x, b` when a is already there
    ** (or b, commutative: swapped; likewise so that the operand moved
    ** into x is the one that has no shadow to be read from) */
    uint32_t ma = o->a, mb = o->b;
    int s0 = xs_get(e, c, ma);
    int s1 = n > 1 ? xs_get(e, c, mb) : -1;
    if (n > 1 && s0 != x && (s1 == x || (s0 >= 0 && s1 < 0)) &&
        (op == VMRUN_IR_FP_ADD || op == VMRUN_IR_FP_MUL)) {
      ma = o->b; mb = o->a;
      k = s1; s1 = s0; s0 = k;
    }
    if (n == 1 || s1 != x || s0 == x) {  /* (else b would be overwritten) */
      r = x;
      src[1] = n == 1 ? -1 : xs_src(e, c, 2, mb);
      for (k = 0; k < 16; k++)          /* (x's stale holders) */
        if (e->xs_h[k] == x) xd_need(e, c, k);
      xs_to(e, c, r, ma);
      xs_take(e, c, r);
      if (op == VMRUN_IR_FP_SQRT) sd_rr(c, SD_SQRT, r, r);
      else sd_rr(c, sd_of(op), r, src[1]);
      goto nan_test;
    }
  }
  if (e->xs_on && op <= VMRUN_IR_FP_DIV &&
      (xs_get(e, c, o->a) < 0 ||
       ((op == VMRUN_IR_FP_ADD || op == VMRUN_IR_FP_MUL) &&
        xs_get(e, c, o->b) < 0))) {
    /* an operand with no shadow from its general register or memory
    ** straight into the result's register (no movapd): a, or b of a
    ** commutative operation (the result is the same, and so are the
    ** flags; a NaN result, whose payload would depend on the order, goes
    ** to the helper) */
    uint32_t ma = o->a, mb = o->b;
    if (xs_get(e, c, ma) >= 0) { ma = o->b; mb = o->a; }
    src[1] = xs_src(e, c, 2, mb);
    r = xs_result(e, c, &src[1], 1);
    xs_to(e, c, r, ma);                 /* (ma has no shadow) */
    sd_rr(c, sd_of(op), r, src[1]);
    goto nan_test;
  }
  /* the operands where they are (shadows), else in xmm1..3; FMA3 here
  ** takes xmm0..7 only */
  for (k = 0; k < n; k++) {
    src[k] = xs_src(e, c, 1 + k, opnd[k]);
    if (op >= VMRUN_IR_FP_MADD && src[k] != 1 + k) {
      movapd_rr(c, 1 + k, src[k]);
      src[k] = 1 + k;
    }
  }
  /* the result in r: its new shadow, or xmm0 (always for FMA3) */
  r = e->xs_on && op < VMRUN_IR_FP_MADD ? xs_result(e, c, src, n) : 0;
  switch (op) {
  case VMRUN_IR_FP_SQRT: sd_rr(c, SD_SQRT, r, src[0]); break;
  case VMRUN_IR_FP_ADD: case VMRUN_IR_FP_SUB: case VMRUN_IR_FP_MUL:
  case VMRUN_IR_FP_DIV:
    movapd_rr(c, r, src[0]);
    sd_rr(c, sd_of(op), r, src[1]);
    break;
  /* x86's fnmadd is -(a*b) + c (RISC-V's FNMSUB), fnmsub -(a*b) - c */
  default:
    movapd_rr(c, 0, 1);
    fma_sd(c, op == VMRUN_IR_FP_MADD ? FMA213_MADD
              : op == VMRUN_IR_FP_MSUB ? FMA213_MSUB
              : op == VMRUN_IR_FP_NMSUB ? FMA213_NMADD : FMA213_NMSUB,
           0, 2, 3);
    break;
  }
  /* a NaN result takes the helper (the ISA's NaN); anything else is the
  ** helper's result, its flags pending in the MXCSR.  The result goes to
  ** rax, or to dreg (a cached register: the PUT that follows, merged) */
nan_test:
  if (e->np.on) {                         /* the partner: one test */
    int x1 = e->np.x;
    uint32_t skip;
    ucomisd_rr(c, x1, r);
    in_at = jcc32(c, CC_P);
    np_home(e, c, 0);
    if (dreg >= 0) e->xd_mark = 1;
    else if (!to_mem) movq_rx(c, RAX, r);
    np_dreg = e->np.dreg;
    back = in_to = c->pos;
    if (!fp_dnan(e, e->np.o->cond) || !fp_dnan(e, op)) xd_cold(e, c);
    ucomisd_rr(c, x1, x1);
    skip = jcc32(c, CC_NP);
    np_helper(e, c, ra);           /* (its register: still the old value) */
    movq_xr(c, x1, RAX);
    patch32(c, skip, c->pos);
    np_home(e, c, 1);
    e->np.on = 0;
    e->st_fp_pairs++;
    if (fp_dnan(e, op)) {                 /* r, or the NaN if it is one */
      movq_rx(c, RAX, r);
      ucomisd_rr(c, r, r);
      skip = jcc32(c, CC_NP);
      mov_ri(c, RAX, e->fp_dnan);
      patch32(c, skip, c->pos);
    } else {
      emit_fp_helper(e, c, o, ra);        /* (it may read dreg1) */
    }
  } else if (e->xs_on && r != 0 &&
             (dreg >= 0 || np_put_after(e, ib, o))) {
    for (k = 0; k < n; k++) {             /* (the helper's operands) */
      e->np.lh[k] = (int8_t)ta(c, opnd[k]);
      e->np.lcpu[k] = c->tcpu ? c->tcpu[opnd[k]] : -1;
      e->np.lt[k] = opnd[k];
    }
    e->np.o = o;                          /* the test: at the partner */
    e->np.x = (int8_t)r;
    e->np.dreg = (int8_t)dreg;
    e->np.put = (uint32_t)(o - ib->ops) + 1;
    e->np.dmem = dreg < 0 ? (int32_t)o[1].imm : -1;
    e->np.on = 1;
    e->xs_t[o->dst] = (int8_t)r;
    e->st_fp_sites++;
    return 0;
  } else {
    ucomisd_rr(c, r, r);
    in_at = jcc32(c, CC_P);
    if (dreg >= 0 && e->xs_on) e->xd_mark = 1;  /* (stale: at the PUT) */
    else if (!to_mem) movq_rx(c, dreg >= 0 ? dreg : RAX, r);
    back = in_to = c->pos;
    if (fp_dnan(e, op)) {
      mov_ri(c, RAX, e->fp_dnan);
    } else {
      xd_cold(e, c);
      emit_fp_helper(e, c, o, ra);
    }
  }
  if (dreg >= 0) mov_rr(c, 1, dreg, RAX);
  if (e->xs_on) movq_xr(c, r, RAX);       /* r = the result here too */
  if (cold_end(e, c, back, 1, &in_at, &in_to) < 0) return -1;
  np_stale(e, np_dreg, e->np.x);
  if (e->xs_on) {                         /* the result's shadow */
    if (r == 0) {
      r = xs_result(e, c, src, 0);
      movapd_rr(c, r, 0);
    }
    e->xs_t[o->dst] = (int8_t)r;
  }
  if (to_mem) {
    movsd_mx(c, CPU((int32_t)o[1].imm), r);
    e->put_done = (uint32_t)(o - ib->ops) + 1;
  } else if (dreg < 0) {
    store_dst(c, o);
  }
  e->st_fp_sites++;
  return 0;
}

/* Is op i a LABEL that the straight path cannot reach (the op before it
** leaves the block or jumps)?  Then only branches reach it: a side exit
** (VMRUN_IR_BLK_SIDE_EXITS) or the taken half of a block-ending branch. */
static int label_after_exit(const vmrun_ir_block *ib, uint32_t i)
{
  unsigned p;
  if (i == 0 || ib->ops[i].op != VMRUN_IR_LABEL) return 0;
  p = ib->ops[i - 1].op;
  return p == VMRUN_IR_EXIT_DIRECT || p == VMRUN_IR_EXIT_INDIRECT ||
         p == VMRUN_IR_EXIT || p == VMRUN_IR_BR;
}

/* Before op i: refill the stale registers it would read as integers
** (or lose the shadows of: "Stale registers") */
static void xd_guard(tjit *e, tj_buf *c, const vmrun_ir_block *ib,
                     uint32_t i)
{
  const vmrun_ir_op *o = &ib->ops[i];
  const tj_ra *ra = c->ra;
  unsigned rp = e->ra_op[i];
  uint32_t u[3];
  int nu, k, h, used = 0;
  if (!e->xd || !ra) return;
  switch (o->op) {
  case VMRUN_IR_LABEL:
    if (label_after_exit(ib, i)) e->xd = 0;   /* (only branches reach it) */
    else xd_all(e, c);
    return;
  case VMRUN_IR_BR: case VMRUN_IR_BRCOND:
    if (!e->xd_keep[o->imm]) xd_all(e, c);
    break;
  case VMRUN_IR_CALL:
    if (!fp_inlinable(e, o)) {          /* C code: everything current */
      xd_all(e, c);
      return;
    }
    if (fp_is_cvt(o->cond)) break;      /* (reads an integer) */
    /* operands from their shadows (the cold path refills the rest).  The
    ** register its result replaces: its old value is dead, unless this
    ** operation or the pending one reads it (their helpers would) */
    h = merge_put(e, c, ib, i, ra);
    if (h < 0 || !(e->xd >> h & 1)) return;
    nu = fp_dnan(e, o->cond) ? 0 : ra_uses(o, u);
    for (k = 0; k < nu; k++) used |= ta(c, u[k]) == h;
    for (k = 0; e->np.on && !fp_dnan(e, e->np.o->cond) &&
                k < fp_n_operands(e->np.o->cond); k++)
      used |= e->np.lh[k] == h;
    if (used) xd_one(e, c, h);
    else e->xd &= (uint16_t)~(1u << h);
    return;
  case VMRUN_IR_ST:
    xd_need(e, c, ta(c, o->a));
    if (o->size != 8) xd_need(e, c, ta(c, o->b));
    return;
  case VMRUN_IR_GET:
    if ((rp & 0x3f) && !(rp & (RA_ALIAS | RA_MEM)))
      xd_need(e, c, ra->regs[(rp & 0x3f) - 1]);
    return;
  case VMRUN_IR_EXIT: case VMRUN_IR_EXIT_INDIRECT:
    xd_all(e, c);
    return;
  default:
    break;
  }
  nu = ra_uses(o, u);
  for (k = 0; k < nu; k++) xd_need(e, c, ta(c, u[k]));
}

/* xd_keep: the labels reached by one branch only, and not from the op
** before them, which may take stale registers along */
static void xd_plan(tjit *e, const vmrun_ir_block *ib)
{
  uint8_t after[VMRUN_IR_MAX_LABELS];
  memset(e->xd_keep, 0, ib->n_labels);
  memset(after, 0, ib->n_labels);
  for (uint32_t i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    if (o->op == VMRUN_IR_LABEL && o->imm < ib->n_labels)
      after[o->imm] = (uint8_t)label_after_exit(ib, i);
    if ((o->op == VMRUN_IR_BR || o->op == VMRUN_IR_BRCOND) &&
        o->imm < ib->n_labels && e->xd_keep[o->imm] < 2)
      e->xd_keep[o->imm]++;
  }
  for (uint32_t l = 0; l < ib->n_labels; l++)
    e->xd_keep[l] = e->xd_keep[l] == 1 && after[l];
}

/*
** An indirect exit looks its target up in the vCPU's jump cache itself
** (the dispatcher's first probe, engine.c tjit_exec) and jumps straight to
** the block on a hit: same pc and tb_flags.  The target's entry checks
** exit requests, halt, budget and tb_flags as after any chained jump; the
** cache only holds valid blocks (dropping one clears its entry).  A miss
** falls through to the dispatcher.
*/
#define VD(f) ((int32_t)offsetof(tjit_vcpu, f) - \
               (int32_t)offsetof(tjit_vcpu, temps))   /* rbp-relative */

/* rcx = a block or NULL, rax = pc: jump to the block if it is pc's with
** the vCPU's tb_flags, else fall through.  Clobbers rdx. */
static void emit_try_block(tj_buf *c)
{
  uint32_t j1, j2, j3;
  test_rr(c, 1, RCX, RCX);
  j1 = jcc8(c, CC_E);
  alu_rm(c, 1, ALU_CMP, RAX, MEM(RCX, (int32_t)offsetof(tjit_block, pc)));
  j2 = jcc8(c, CC_NE);
  mov_rm(c, 0, RDX, MEM(RCX, (int32_t)offsetof(tjit_block, tb_flags)));
  alu_rm(c, 0, ALU_CMP, RDX, CPU(OFF_TBFLAGS));
  j3 = jcc8(c, CC_NE);
  jmp_m(c, MEM(RCX, (int32_t)offsetof(tjit_block, entry_nf))); /* checked */
  patch8_here(c, j1);
  patch8_here(c, j2);
  patch8_here(c, j3);
}

static void emit_jc_lookup(tj_buf *c, int rax_pc)
{
  uint32_t k;
  /* rcx = TJIT_JC_IDX(pc) (tjit.h); rax = pc unless rax_pc says it is
  ** already (no reload through the store just made: a store-forwarding
  ** delay on the way to the jump, which an interpreter's dispatch
  ** mispredicts often) */
  if (!rax_pc) mov_rm(c, 1, RAX, CPU(OFF_PC));
  mov_rr(c, 1, RCX, RAX);
  shift_ri(c, 1, SH_SHR, RCX, VMRUN_PAGE_BITS - TJIT_JC_GROUP_BITS);
  alu_rr(c, 1, ALU_XOR, RCX, RAX);                     /* TJIT_JC_TMP */
  mov_rr(c, 1, RDX, RCX);
  shift_ri(c, 1, SH_SHR, RDX, VMRUN_PAGE_BITS - TJIT_JC_GROUP_BITS);
  alu_ri(c, 0, ALU_AND, RDX, (int32_t)(TJIT_JC_SIZE - TJIT_JC_GROUP));
  alu_ri(c, 0, ALU_AND, RCX, (int32_t)(TJIT_JC_GROUP - 1));
  alu_rr(c, 0, ALU_OR, RCX, RDX);
  mov_rr(c, 0, RSI, RCX);                              /* the slot */
  mov_rm(c, 1, RCX, MEMX(RBP, RCX, 3, VD(jc)));
  emit_try_block(c);
  /* the slot's victim (tjit_jv), valid in the current generation; the
  ** dispatcher swaps them, this probe only uses it */
  _Static_assert(sizeof(tjit_jv) == 16, "jv entries are 16 bytes");
  shift_ri(c, 0, SH_SHL, RSI, 4);
  alu_rm(c, 1, ALU_ADD, RSI, MEM(RBP, VD(jv)));
  mov_rm(c, 1, RDX, MEM(RSI, (int32_t)offsetof(tjit_jv, gen)));
  alu_rm(c, 1, ALU_CMP, RDX, MEM(RBP, VD(jv_gen)));
  k = jcc8(c, CC_NE);
  mov_rm(c, 1, RCX, MEM(RSI, (int32_t)offsetof(tjit_jv, b)));
  emit_try_block(c);
  patch8_here(c, k);
}

/* Does a direct exit of the block lead to its own pc? */
static int loops_to_itself(const vmrun_ir_block *ib)
{
  for (uint32_t i = 0; i < ib->n_ops; i++)
    if (ib->ops[i].op == VMRUN_IR_EXIT_DIRECT && ib->ops[i].imm == ib->pc)
      return 1;
  return 0;
}

/* The block entry's checks (engine.h): exit request or halt, tb_flags;
** then the count of blocks run (block_stats).  A failed check jumps to
** code offset fail_to, or with fail_to 0 to a STUB_FAIL (pc = the block's,
** back to the dispatcher).  0 or -1 (out of memory). */
static int check_fail(tjit *e, tj_buf *c, int cc, uint32_t fail_to)
{
  if (fail_to) {
    jcc_to(c, cc, fail_to);
    return 0;
  }
  return add_stub(e, STUB_FAIL, jcc32(c, cc), 0, 0) ? 0 : -1;
}

/* Can running the block leave cpu->tb_flags as it found them?  Only a
** helper changes them (a CALL; not a VMRUN_IR_F_FP one, which only ORs
** accrued flags), or a PUT that reaches the field (riscv64 sets FS Dirty
** with two PUTs).  A fault leaves the block through its stub. */
static int keeps_tb_flags(const vmrun_ir_block *ib)
{
  const uint64_t lo = offsetof(vmrun_cpu, tb_flags);
  for (uint32_t i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    if (o->op == VMRUN_IR_CALL && !(o->flags & VMRUN_IR_F_FP)) return 0;
    if (o->op == VMRUN_IR_PUT && o->imm < lo + sizeof(uint32_t) &&
        o->imm + o->size > lo)
      return 0;
  }
  return 1;
}

/* Can running the block set cpu->exit_request or cpu->halted from this
** thread other than through a slow path of a load or store (which then
** cuts the block's chains: tjit_quiet_exits)?  Only a helper can: any
** CALL but an inline FP operation's. */
static int quiet_block(const tjit *e, const vmrun_ir_block *ib)
{
  for (uint32_t i = 0; i < ib->n_ops; i++)
    if (ib->ops[i].op == VMRUN_IR_CALL && !fp_inlinable(e, &ib->ops[i]))
      return 0;
  return 1;
}

static int emit_flags_check(tjit *e, tj_buf *c, const tjit_block *b,
                            uint32_t fail_to)
{
  alu_mi(c, 0, ALU_CMP, CPU(OFF_TBFLAGS), (int32_t)b->tb_flags);
  return check_fail(e, c, CC_NE, fail_to);
}

/* loop: 1, the check of the loop-back code of a block that loops to
** itself, where tb_flags are those of the entry when the block keeps
** them; 2, the entry's checks after its tb_flags check (tjit_block) */
static int emit_entry_checks(tjit *e, tj_buf *c, const tjit_block *b,
                             uint32_t fail_to, int loop)
{
  /* exit_request and halted in one 8-byte compare */
  _Static_assert(offsetof(vmrun_cpu, halted) ==
                     offsetof(vmrun_cpu, exit_request) + 4 &&
                 offsetof(vmrun_cpu, exit_request) % 8 == 0,
                 "exit_request and halted share one aligned word");
  alu_mi(c, 1, ALU_CMP, CPU(OFF_EXITREQ), 0);
  if (check_fail(e, c, CC_NE, fail_to) < 0) return -1;
  e->cg_fwd = c->pos;                  /* (loop 2: tjit_block.fwd_at) */
  /* (the budget: checked at the exit that leads here, emit_accounting) */
  if (!loop || (loop == 1 && !e->cg_keeps_flags))
    if (emit_flags_check(e, c, b, fail_to) < 0) return -1;
  if (e->block_stats) alu_mi(c, 1, ALU_ADD, MEM(RBP, -24), 1);
  return 0;
}

/*
** A direct exit chains to its target block's entry.  An exit to the
** block's own pc (a loop that is one block) also gets loop-back code,
** which the chain uses instead: the state is complete in memory after
** the exit's write-back and accounting, exactly as at entry, so it does
** the entry's checks and jumps past the entry's register loads (the
** cached registers still hold their values).  Like any chain, it is cut
** when the block is invalidated or chains are dropped.
*/
static int emit_exit_direct(tjit *e, tj_buf *c, tjit_block *b, uint64_t pc)
{
  /* a loop: the cached registers stay in host registers (still dirty) on
  ** the way back, and are written back only when leaving */
  int self = pc == b->pc && e->cg_head && e->chaining;
  unsigned dirty = c->ra ? ((const tj_ra *)c->ra)->dirty : 0;
  if (self) {
    /* the head's state: stale registers it does not expect refilled */
    for (unsigned m = e->xd & ~e->xd_head; m; m &= m - 1)
      xd_one(e, c, __builtin_ctz(m));
    if (e->xh_n) {
      xh_fixup(e, c);
      xs_clear(e);
      xh_head(e);
    }
  } else {
    xd_all(e, c);
  }
  /* a quiet loop (no helper: only a slow path can make an exit request
  ** in this thread, and it cuts the chains, tjit_quiet_exits) with static
  ** counts, its tb_flags kept and no block statistics: the chain's jump
  ** is the budget check's `jl` (below) */
  int tight = self && c->cnt_static && e->cg_keeps_flags && b->quiet &&
              !e->block_stats;
  if (!self && dirty) ra_flush(c, dirty);
  if (tight) {
    emit_count(c);                     /* (its budget check: the `jl`) */
  } else if (emit_accounting(e, c, 1, pc, self ? dirty : 0) < 0) {
    return -1;
  }
  if (e->chaining) {
    tjit_site *s = &b->sites[b->n_sites++];
    uint32_t fails[2] = { 0, 0 };
    int nf = 0, k;
    /* a loop with static counts does the entry's checks before the
    ** chain's jump, which then goes straight to the loop head when
    ** chained: one taken jump fewer per iteration.  (Unchained, or when a
    ** check fails, the jump goes to the exit below.) */
    int early = self && c->cnt_static;
    memset(s, 0, sizeof *s);
    s->owner = b;
    if (tight) {
      /* "Tight loops": no exit-request check.  While budget is left the
      ** `jl` is the chain's jump (to the loop head once chained); a spent
      ** budget falls into the exit below, whose return to the dispatcher
      ** writes budget 0.  The dispatcher gives the code at most
      ** TJIT_LOOP_SLICE instructions per entry, so a request from another
      ** thread waits at most that long (SDK engine.h allows this). */
      s->jmp_at = jcc32(c, CC_L);
    } else if (early) {
      alu_mi(c, 1, ALU_CMP, CPU(OFF_EXITREQ), 0);
      /* when that is the only check, the chain's jump is the `je` after
      ** it (its rel32 is patched the same way) */
      if (!e->cg_keeps_flags || e->block_stats)
        fails[nf++] = jcc32(c, CC_NE);
      if (!e->cg_keeps_flags) {
        alu_mi(c, 0, ALU_CMP, CPU(OFF_TBFLAGS), (int32_t)b->tb_flags);
        fails[nf++] = jcc32(c, CC_NE);
      }
      /* the entry count, taken back below when the jump is not chained */
      if (e->block_stats) alu_mi(c, 1, ALU_ADD, MEM(RBP, -24), 1);
    }
    if (!tight) s->jmp_at = early && !nf ? jcc32(c, CC_E) : jmp32(c);
    s->stub_at = c->pos;
    patch32(c, s->jmp_at, s->stub_at);
    if (early && e->block_stats) alu_mi(c, 1, ALU_SUB, MEM(RBP, -24), 1);
    for (k = 0; k < nf; k++) patch32(c, fails[k], c->pos);
    xd_all(e, c);
    if (self) ra_flush(c, dirty);
    mov_ri(c, RAX, pc);
    mov_mr(c, 8, CPU(OFF_PC), RAX);
    /* several harts: an exit into another page is never chained
    ** (tjit.h, n_vcpus): it looks in the vCPU's own jump cache */
    if (e->n_vcpus > 1 && ((pc ^ b->pc) & VMRUN_PAGE_MASK)) emit_jc_lookup(c, 1);
    mov_ri(c, RAX, (uint64_t)(uintptr_t)s);
    jmp_to(c, e->epilogue);
    if (early) {
      s->self_at = e->cg_head;
    } else if (self) {
      /* the entry's checks; leaving goes through the exit above */
      s->self_at = c->pos;
      if (emit_entry_checks(e, c, b, s->stub_at, 1) < 0) return -1;
      if (!c->cnt_static) {
        alu_rr(c, 0, ALU_XOR, R12, R12);
        alu_rr(c, 0, ALU_XOR, R14, R14);
      }
      jmp_to(c, e->cg_head);
    }
  } else {
    mov_ri(c, RAX, pc);
    mov_mr(c, 8, CPU(OFF_PC), RAX);
    jmp_to(c, e->fault_ret);
  }
  if (self && e->xh_n) xs_clear(e);    /* (code after it: another path) */
  return 0;
}

/* The counts of a static_counts() label key (cnt << 15 | acc | 1 << 31) */
static void lab_counts(uint32_t key, uint32_t *cnt, uint32_t *acc)
{
  *cnt = key >> 15 & 0xffff;
  *acc = key & 0x7fff;
}

/*
** Static instruction counts.  r12 (INSN_STARTs executed) and r14
** (already added to icount) are compile-time constants at every op when
** every branch reaches its label with the same counts as the straight
** path does, which holds for a frontend that branches only inside one
** guest instruction, and for side exits (a label after an exit is
** reached only by its branches: it takes their counts).  Then no code
** counts instructions, exits add
** constants, and r12/r14 join the register cache.  Otherwise (a branch
** over whole instructions) the block counts at run time as before.
*/
static int static_counts(tjit *e, const vmrun_ir_block *ib)
{
  uint32_t cnt = 0, acc = 0, i;
  uint32_t *lc = e->cg_lab;          /* per label: cnt << 15 | acc | 1<<31 */
  memset(lc, 0, ib->n_labels * sizeof *lc);
  if (ib->n_insns >= 0x8000) return 0;
  for (i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    uint32_t key = 0x80000000u | cnt << 15 | acc;
    if (o->op == VMRUN_IR_LABEL && label_after_exit(ib, i) && lc[o->imm]) {
      lab_counts(lc[o->imm], &cnt, &acc);  /* only its branches reach it */
      continue;
    }
    switch (o->op) {
    case VMRUN_IR_INSN_START:
      cnt++;
      break;
    case VMRUN_IR_CALL:
      if (o->flags & (VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END))
        acc = cnt ? cnt - 1 : 0;
      break;
    case VMRUN_IR_BR: case VMRUN_IR_BRCOND:
      if (lc[o->imm] && lc[o->imm] != key) return 0;
      lc[o->imm] = key;
      break;
    case VMRUN_IR_LABEL:
      if (lc[o->imm] && lc[o->imm] != key) return 0;
      break;
    default:
      break;
    }
  }
  return 1;
}

/*
** A load, a constant (MOVI: li, mv from x0), or an inline binary64
** operation, whose result only goes to the cached register of the PUT
** right after it (FWD_PAIR: the temp is dead after the PUT) computes it
** in that register: no move through rax.  The
** register changes only once nothing can fault any more (the host load
** itself, or the movq after the NaN test), so a slow path still sees the
** guest's old value; it puts the value there too (STUB_LD's dreg, the
** inline operation's cold path).  The PUT emits nothing then (the caller
** does its bookkeeping).  The host register, or -1.
*/
static int merge_put(const tjit *e, const tj_buf *c,
                     const vmrun_ir_block *ib, uint32_t i, const tj_ra *ra)
{
  const vmrun_ir_op *o = &ib->ops[i];
  unsigned rp;
  if (!c->ra || i + 1 >= ib->n_ops || !(e->fwd_skip[i] & FWD_PAIR) ||
      o[1].op != VMRUN_IR_PUT || o[1].a != o->dst || o[1].size != 8)
    return -1;
  rp = e->ra_op[i + 1];
  if (!(rp & 0x3f) || (rp & (RA_ALIAS | RA_MEM))) return -1;
  if (o->op != VMRUN_IR_LD && o->op != VMRUN_IR_MOVI &&
      !(o->op == VMRUN_IR_CALL && fp_inlinable(e, o) &&
        (o->cond < VMRUN_IR_FP_EQ || fp_is_cvt(o->cond))))
    return -1;
  return ra->regs[(rp & 0x3f) - 1];
}

tjit_block *tjit_compile(tjit *e, const vmrun_ir_block *ib, const char **why)
{
  int dreg;
  uint32_t i, n_direct = 1;
  uint64_t cur_pc = ib->pc;
  tjit_block *b;
  tj_buf cb, *c = &cb;
  uint32_t start, n_dsites;
  tj_ra ra;

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
  e->n_colds = e->cold_len = 0;

  cb.base = e->rw;
  cb.pos = e->cc_pos;
  cb.cap = (uint32_t)e->cc_size;
  cb.overflow = 0;
  cb.dverified = 0;
  cb.shl_end = UINT32_MAX;
  cb.rax_t = -1;
  cb.skip_store = 0;
  cb.talias = NULL;
  cb.tcpu = NULL;
  cb.ra = NULL;
  start = c->pos;

  /* block entry: the engine.h checks, a count of the blocks that run
  ** (tjit_vcpu.entries), then the registers */
  e->cg_head = 0;
  e->cg_keeps_flags = keeps_tb_flags(ib);
  e->cg_static = static_counts(e, ib);
  cb.cnt_static = e->cg_static;
  cb.cnt = cb.acc = 0;
  e->cg_direct = e->direct_mem && e->env.direct && e->env.direct->host;
  e->cg_window = !e->cg_direct && e->direct_mem && e->env.ram &&
                 e->env.ram->host && (ib->flags & VMRUN_IR_BLK_PHYS_DATA);
  /* r13 only serves loads and stores */
  e->cg_mem = 0;
  for (i = 0; i < ib->n_ops && !e->cg_mem; i++)
    e->cg_mem = ib->ops[i].op == VMRUN_IR_LD || ib->ops[i].op == VMRUN_IR_ST;
  /* the entry, in the order of its chain entries (tjit_block) */
  if (emit_flags_check(e, c, b, 0) < 0) goto oom;
  b->nf_at = c->pos - start;
  if (e->cg_mem && (e->cg_direct || e->cg_window)) {
    emit_load_tlb(e, c);
    b->r13_kind = e->cg_direct ? TJIT_R13_DIRECT : TJIT_R13_WINDOW;
  }
  b->r13_at = c->pos - start;
  b->keeps_flags = (uint8_t)e->cg_keeps_flags;
  b->quiet = (uint8_t)quiet_block(e, ib);
  if (emit_entry_checks(e, c, b, 0, 2) < 0) goto oom;
  b->fwd_at = e->cg_fwd - start;
  if (!cb.cnt_static) {
    alu_rr(c, 0, ALU_XOR, R12, R12);
    alu_rr(c, 0, ALU_XOR, R14, R14);
  }
  if (e->cg_mem && !b->r13_kind) emit_load_tlb(e, c);

  if (ib->n_ops > e->fwd_cap) {
    uint8_t *ns = realloc(e->fwd_skip, ib->n_ops);
    uint8_t *np = realloc(e->ra_op, ib->n_ops);
    int32_t *nl = realloc(e->gr_lo, ib->n_ops * sizeof *nl);
    int32_t *nh = realloc(e->gr_hi, ib->n_ops * sizeof *nh);
    if (ns) e->fwd_skip = ns;
    if (np) e->ra_op = np;
    if (nl) e->gr_lo = nl;
    if (nh) e->gr_hi = nh;
    if (!ns || !np || !nl || !nh) goto oom;
    e->fwd_cap = ib->n_ops;
  }
  if (!e->ra_last) {
    e->ra_last = malloc(VMRUN_IR_MAX_TEMPS * (sizeof(int32_t) + 1));
    e->ra_live = malloc((size_t)VMRUN_IR_MAX_LABELS * RA_W *
                        sizeof(uint64_t));
    e->xl = malloc(VMRUN_IR_MAX_LABELS * sizeof *e->xl);
    if (!e->ra_last || !e->ra_live || !e->xl) goto oom;
  }
  ra.n = 0;
  ra.dirty = 0;
  memset(ra.lab_dirty, 0, ib->n_labels);
  e->cg_dirty = 0;
  if (ib->n_ops) {
    fwd_plan(e, ib, e->fwd_skip);
    sx_plan(e, ib, e->fwd_skip);
    if (e->cg_window && e->group_checks && !e->env.instrument &&
        e->env.ram->size >= GRP_SPAN && !grp_skip_pc(e, ib->pc))
      grp_plan(e, ib, e->fwd_skip);
    if (e->regcache) {
      ra_plan(e, ib, &ra);
      memset(ra.talias, -1, ib->n_temps);
      memset(ra.tcpu, -1, ib->n_temps * sizeof ra.tcpu[0]);
      cb.talias = ra.talias;
      cb.tcpu = ra.tcpu;
      cb.ra = &ra;
      /* a block that loops to itself comes back to cg_head with the
      ** registers it writes still dirty (emit_exit_direct): treat them
      ** as dirty from the start (so all must hold their values) */
      if (e->chaining && loops_to_itself(ib)) {
        ra_load(c);
        for (i = 0; i < ib->n_ops; i++)
          if (ib->ops[i].op == VMRUN_IR_PUT && (e->ra_op[i] & 0x3f))
            ra.dirty |= 1u << ((e->ra_op[i] & 0x3f) - 1);
      } else {
        ra_load_entry(c, ib, e->ra_op);
      }
    } else {
      memset(e->ra_op, 0, ib->n_ops);
    }
  }
  e->np.on = 0;
  e->xs_on = e->fp_inline && e->fp_nx;
  e->xs_nt = ib->n_temps;
  e->xh_n = 0;
  e->xd_head = 0;
  e->xd_mark = 0;
  e->put_done = UINT32_MAX;
  if (e->xs_on) xd_plan(e, ib);
  if (e->xs_on && cb.ra && e->chaining && loops_to_itself(ib)) {
    xh_plan(e, &cb, ib, &ra);
    for (int k = 0; k < e->xh_n; k++)
      movq_xr(c, XS_FIRST + k, e->xh_reg[k]);
  }
  if (e->chaining && loops_to_itself(ib)) nop_align(c, 32);
  e->cg_head = c->pos;
  /* (the loop-back code comes here with the shadows of xh_reg) */
  xs_clear(e);
  xh_head(e);
  if (e->xs_on) memset(e->xl_n, 0, ib->n_labels);
  for (i = 0; i < ib->n_ops; i++) {
    const vmrun_ir_op *o = &ib->ops[i];
    unsigned rp = e->ra_op[i];
    e->cg_cnt = c->cnt;
    e->cg_acc = c->acc;
    e->cg_dirty = (uint8_t)ra.dirty;
    /* a pending NaN test: its result's PUT into the vCPU state is the
    ** test's (np_home); before any op but a partner (emit_fp) and those
    ** it allows, the test */
    if ((e->np.on && e->np.dreg < 0 && i == e->np.put) ||
        i == e->put_done) {
      xs_put(e, c, o->a, 8, -1, (int32_t)o->imm);
      continue;
    }
    if (e->np.on &&
        !(o->op == VMRUN_IR_CALL && fp_inlinable(e, o)) &&
        !np_allows(e, c, cb.ra ? &ra : NULL, ib, i) &&
        np_flush(e, c, cb.ra ? &ra : NULL) < 0)
      goto oom;
    xd_guard(e, c, ib, i);
    c->skip_store = (e->fwd_skip[i] & (FWD_PAIR | FWD_DEAD)) != 0;
    c->rax_t = i > 0 && fwd_producer(o - 1) &&
               !(e->ra_op[i - 1] & (RA_ALIAS | RA_MEM)) ? (int)o[-1].dst
                                                         : -1;
    /* an in-place update, a call (reload) or a label (another path) may
    ** change the cached host registers; a PUT changes its own */
    if (o->op == VMRUN_IR_PUT) {
      if (rp) c->dverified &= ~(1u << ra.regs[(rp & 0x3f) - 1]);
    } else if (o->op != VMRUN_IR_LD && o->op != VMRUN_IR_ST &&
               o->op != VMRUN_IR_GET && o->op != VMRUN_IR_INSN_START &&
               !(ra_defines(o) && o->op != VMRUN_IR_CALL)) {
      c->dverified = 0;
    }
    /* xmm shadows: another path, or C code (helpers; the slow paths of
    ** loads and stores spill the live ones, s->xlive) */
    if (xs_drops(e, o)) {
      xs_clear(e);
      if (o->op == VMRUN_IR_LABEL && e->xs_on && e->xl_n[o->imm] == 1 &&
          label_after_exit(ib, i)) {  /* one branch: its shadows */
        memcpy(e->xs_h, e->xl[o->imm].h, sizeof e->xs_h);
        memcpy(e->xs_o, e->xl[o->imm].o, sizeof e->xs_o);
        e->xd = e->xl[o->imm].xd;
      }
    }
    else if (ra_defines(o))
      e->xs_t[o->dst] = -1;
    if (cb.ra) {
      int n = emit_inplace(c, ib, i, e->fwd_skip, e->ra_op);
      if (n) {
        /* ops i..i+n-1 wrote their temps and the PUT at i+n its register */
        unsigned pr = e->ra_op[i + (uint32_t)n] & 0x3f;
        for (int k = 0; k < n; k++) e->xs_t[ib->ops[i + (uint32_t)k].dst] = -1;
        if (pr) {
          e->xs_h[ra.regs[pr - 1]] = -1;
          e->xd &= (uint16_t)~(1u << ra.regs[pr - 1]);
        } else {
          xd_all(e, c);
          xs_clear(e);
        }
        c->dverified = 0;
        i += (uint32_t)n;
        continue;
      }
    }
    dreg = -1;
    if ((e->fwd_skip[i] & FWD_DEAD) && pure_op(o)) goto defined;
    dreg = merge_put(e, c, ib, i, &ra);
    switch (o->op) {
    case VMRUN_IR_NOP:
      break;
    case VMRUN_IR_INSN_START:
      if (c->cnt_static) c->cnt++;
      else inc_r(c, 1, R12);
      cur_pc = o->imm;
      break;
    case VMRUN_IR_MOVI:
      mov_ri(c, dreg >= 0 ? dreg : RAX, o->imm);
      if (dreg < 0) store_dst(c, o);
      break;
    case VMRUN_IR_MOV:
      load_a(c, o);
      store_dst(c, o);
      break;
    case VMRUN_IR_GET:
      if (rp & (RA_ALIAS | RA_MEM)) break;  /* read where it is */
      if (rp) mov_rr(c, 1, RAX, ra.regs[(rp & 0x3f) - 1]);
      else load_ext(c, RAX, CPU(o->imm), o->size,
                    (o->flags & VMRUN_IR_F_SIGNED) != 0);
      store_dst(c, o);
      break;
    case VMRUN_IR_PUT: {
      int src = c->rax_t == (int)o->a ? RAX : ta(c, o->a);
      if (src < 0) {
        mov_rm(c, 1, RAX, tmem(c, o->a));
        src = RAX;
      }
      if (!rp) {
        mov_mr(c, o->size, CPU(o->imm), src);
        xs_put(e, c, o->a, o->size, -1, (int32_t)o->imm);
        break;
      }
      if (ra.regs[(rp & 0x3f) - 1] != src)
        mov_rr(c, 1, ra.regs[(rp & 0x3f) - 1], src);
      ra.dirty |= 1u << ((rp & 0x3f) - 1);
      xs_put(e, c, o->a, o->size, ra.regs[(rp & 0x3f) - 1], 0);
      break;
    }
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
    case VMRUN_IR_SELECT: {
      int hc = ta(c, o->c), ha = ta(c, o->a);
      if (o->flags & VMRUN_IR_F_BIMM) mov_ri(c, RAX, o->imm);
      else ld_t(c, RAX, o->b);
      if (hc >= 0) test_rr(c, 1, hc, hc);
      else alu_mi(c, 1, ALU_CMP, tmem(c, o->c), 0);
      if (ha >= 0) cmov_rr(c, 1, CC_NE, RAX, ha);
      else cmov_rm(c, 1, CC_NE, RAX, tmem(c, o->a));
      store_dst(c, o);
      break;
    }
    case VMRUN_IR_SEXT: case VMRUN_IR_ZEXT:
      if (e->fwd_skip[i] & FWD_SXNOP) load_a(c, o);
      else ext_t(c, RAX, o->a, o->size, o->op == VMRUN_IR_SEXT);
      store_dst(c, o);
      break;
    case VMRUN_IR_LD: {
      unsigned grp = e->fwd_skip[i] & (GRP_LEAD | GRP_MEMBER);
      uint32_t j[3] = { 0, 0, 0 };
      tjit_stub *s;
      tj_mem at = MEM(RSI, 0);
      int8_t areg = -1;
      int32_t aimm = 0;
      uint32_t site = 0;
      if (e->cg_direct) {
        at = emit_direct_checks(e, c, o, 0, j, &areg, &aimm);
        site = c->pos;
      } else if (e->cg_window) {
        at = emit_window_checks(e, c, o, 0, j, &areg, &aimm, grp,
                                grp & GRP_LEAD ? e->gr_lo[i] : 0,
                                grp & GRP_LEAD ? e->gr_hi[i] : 0);
        if (grp_deopt(e, grp, j, cur_pc) < 0) goto oom;
      } else {
        j[0] = emit_tlb_probe(c, o, 0);
      }
      load_ext(c, dreg >= 0 ? dreg : RAX, at, o->size,
               (o->flags & VMRUN_IR_F_SIGNED) != 0);
      if (dreg < 0) store_dst(c, o);
      if (!j[0] && !j[1] && !j[2] && !site) break;  /* (nothing fails) */
      s = add_stub(e, STUB_LD, j[0], c->pos, cur_pc);
      if (!s) goto oom;
      s->xlive = (uint16_t)xs_live(e);
      s->from2 = j[1]; s->from3 = j[2];
      s->site_at = site; s->areg = areg; s->aimm = aimm;
      s->size = o->size; s->flags = o->flags; s->d = o->dst;
      s->dreg = (int8_t)dreg;
      break;
    }
    case VMRUN_IR_ST: {
      unsigned grp = e->fwd_skip[i] & (GRP_LEAD | GRP_MEMBER);
      uint32_t j[3] = { 0, 0, 0 };
      tjit_stub *s;
      int hb = ta(c, o->b);
      tj_mem at = MEM(RSI, 0);
      int8_t areg = -1;
      int32_t aimm = 0;
      uint32_t site = 0;
      if (e->cg_direct) {
        if (hb < 0) mov_rm(c, 1, RDX, tmem(c, o->b));
        at = emit_direct_checks(e, c, o, 1, j, &areg, &aimm);
        site = c->pos;
      } else if (e->cg_window) {
        if (hb < 0) mov_rm(c, 1, RDX, tmem(c, o->b));
        at = emit_window_checks(e, c, o, 1, j, &areg, &aimm, grp,
                                grp & GRP_LEAD ? e->gr_lo[i] : 0,
                                grp & GRP_LEAD ? e->gr_hi[i] : 0);
        if (grp_deopt(e, grp, j, cur_pc) < 0) goto oom;
      } else {
        j[0] = emit_tlb_probe(c, o, 8);
        if (hb < 0) mov_rm(c, 1, RDX, tmem(c, o->b));
      }
      if (hb >= 0 && (e->xd >> hb & 1))  /* (8 bytes: xd_guard) */
        movsd_mx(c, at, e->xs_h[hb]);
      else
        mov_mr(c, o->size, at, hb < 0 ? RDX : hb);
      s = add_stub(e, STUB_ST, j[0], c->pos, cur_pc);
      if (!s) goto oom;
      s->xlive = (uint16_t)xs_live(e);
      s->from2 = j[1]; s->from3 = j[2];
      s->site_at = site; s->areg = areg; s->aimm = aimm;
      s->size = o->size; s->flags = o->flags; s->b = o->b;
      s->breg = (int8_t)hb;
      s->bcpu = c->tcpu ? c->tcpu[o->b] : -1;
      break;
    }
    case VMRUN_IR_CALL: {
      int sync = (o->flags & (VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END)) != 0;
      if (sync && c->cnt_static) {
        uint32_t done = c->cnt ? c->cnt - 1 : 0;
        mov_ri(c, RAX, cur_pc);
        mov_mr(c, 8, CPU(OFF_PC), RAX);
        if (done != c->acc)
          alu_ri(c, 1, ALU_ADD, RCNT, (int32_t)(done - c->acc));
        c->acc = done;
      } else if (sync) {
        /* pc and icount as before this instruction */
        mov_ri(c, RAX, cur_pc);
        mov_mr(c, 8, CPU(OFF_PC), RAX);
        mov_rr(c, 1, RAX, R12);
        alu_ri(c, 1, ALU_SUB, RAX, 1);
        alu_ri(c, 1, ALU_ADC, RAX, 0);   /* r12 ? r12 - 1 : 0 */
        mov_rr(c, 1, RCX, RAX);
        alu_rr(c, 1, ALU_SUB, RCX, R14);
        alu_rr(c, 1, ALU_ADD, RCNT, RCX);
        mov_rr(c, 1, R14, RAX);
      }
      if (!sync && fp_inlinable(e, o)) {
        if (emit_fp(e, c, o, ib, cb.ra ? &ra : NULL, dreg) < 0)
          goto oom;
        break;
      }
      ld_t(c, RSI, o->a);
      ld_t(c, RDX, o->b);
      ld_t(c, RCX, o->c);
      if (!sync && (o->flags & VMRUN_IR_F_NOREGS) && cb.ra) {
        /* the helper sees no guest register: keep them */
        emit_call_keep(e, c, &ra, (const void *)(uintptr_t)o->imm);
        store_dst(c, o);
        break;
      }
      ra_sync(c);                      /* (rdi may be a cached one) */
      mov_rr(c, 1, RDI, RBX);
      emit_call_abs(e, c, (const void *)(uintptr_t)o->imm);
      if (!sync) {
        store_dst(c, o);               /* (RAX forwarded) */
      } else {
        mov_mr(c, 8, T(o->dst), RAX);
        if (!e->cg_direct && !e->cg_window && e->cg_mem)
                                       /* (r13 survives the call) */
          emit_load_tlb(e, c);         /* the helper may switch modes */
        mov_rm(c, 0, RAX, CPU(OFF_TRAP));
        test_rr(c, 0, RAX, RAX);
        e->cg_acc = c->acc;            /* trap_exit(): counted so far */
        if (!add_stub(e, STUB_TRAP, jcc32(c, CC_NE), 0, cur_pc)) goto oom;
      }
      ra_load(c);                      /* it may have written registers */
      break;
    }
    case VMRUN_IR_LABEL:
      e->label_pos[o->imm] = (int32_t)c->pos;
      c->shl_end = UINT32_MAX;          /* a jump may land after a shl */
      if (label_after_exit(ib, i)) {
        /* reached only by its branches: their counts and dirty set */
        if (c->cnt_static && e->cg_lab[o->imm])
          lab_counts(e->cg_lab[o->imm], &c->cnt, &c->acc);
        if (cb.ra) ra.dirty = ra.lab_dirty[o->imm];
      } else if (cb.ra) {
        ra.dirty |= ra.lab_dirty[o->imm];
      }
      break;
    case VMRUN_IR_BR:
      if (cb.ra) ra.lab_dirty[o->imm] |= (uint8_t)ra.dirty;
      xl_branch(e, (uint32_t)o->imm);
      if (add_fix(e, jmp32(c), (uint32_t)o->imm)) goto oom;
      break;
    case VMRUN_IR_BRCOND:
      if (cb.ra) ra.lab_dirty[o->imm] |= (uint8_t)ra.dirty;
      xl_branch(e, (uint32_t)o->imm);
      if (e->fwd_skip[i] & FWD_BIMM) {
        vmrun_ir_op k = *o;
        k.imm = o[-1].imm;             /* the MOVI's */
        emit_cmp(c, &k, 1);
      } else {
        emit_cmp(c, o, 0);
      }
      if (add_fix(e, jcc32(c, cc_of[o->cond]), (uint32_t)o->imm)) goto oom;
      break;
    case VMRUN_IR_EXIT_DIRECT:
      if (emit_exit_direct(e, c, b, o->imm) < 0) goto oom;
      break;
    case VMRUN_IR_EXIT_INDIRECT:
      load_a(c, o);
      mov_mr(c, 8, CPU(OFF_PC), RAX);
      if (cb.ra) ra_flush(c, ra.dirty);
      if (emit_accounting(e, c, 0, 0, 0) < 0) goto oom;
      /* (emit_count keeps rax when the counts are static) */
      if (e->chaining) emit_jc_lookup(c, c->cnt_static);
      jmp_to(c, e->fault_ret);
      break;
    case VMRUN_IR_EXIT:
      if (cb.ra) ra_flush(c, ra.dirty);
      if (emit_accounting(e, c, 0, 0, 0) < 0) goto oom;
      jmp_to(c, e->fault_ret);
      break;
    default:
      free(b);
      *why = "unexpected opcode";
      return NULL;
    }
  defined:
    /* a new value of t[dst]: in its slot, or the cached register (or
    ** nowhere, for a dead pure op: nothing reads it) */
    if (cb.talias && ra_defines(o)) {
      int get = o->op == VMRUN_IR_GET;
      ra.talias[o->dst] = get && (rp & RA_ALIAS)
                              ? (int8_t)ra.regs[(rp & 0x3f) - 1] : -1;
      ra.tcpu[o->dst] = get && (rp & RA_MEM) ? (int32_t)o->imm : -1;
    }
    if (dreg >= 0) {                   /* the PUT merged into op i */
      ra.dirty |= 1u << ((e->ra_op[i + 1] & 0x3f) - 1);
      xs_put(e, c, o->dst, 8, dreg, 0);
      if (e->xd_mark) {                /* an inline result: stale */
        e->xd |= (uint16_t)(1u << dreg);
        e->xd_mark = 0;
      }
      c->dverified &= ~(1u << dreg);
      i++;
    }
  }
  if (np_flush(e, c, cb.ra ? &ra : NULL) < 0) goto oom;   /* (none) */
  /* fall-through guard: running off the end continues after the code */
  if (emit_exit_direct(e, c, b, ib->pc + ib->size) < 0) goto oom;
  for (i = 0; i < e->n_fix; i++)
    patch32(c, e->fix[i].at, (uint32_t)e->label_pos[e->fix[i].label]);
  n_dsites = e->n_dsites;
  for (i = 0; i < e->n_stubs; i++) emit_stub(e, c, b, &e->stubs[i]);
  emit_colds(e, c);
  if (c->overflow || e->dsite_oom) {
    e->n_dsites = n_dsites;          /* the block's code is not kept */
    free(b);
    if (e->dsite_oom) goto oom;
    *why = NULL;       /* code cache full */
    return NULL;
  }
  b->code_at = start;
  b->code_len = c->pos - start;
  b->entry = e->rx + start;
  b->entry_nf = e->rx + start + b->nf_at;
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
