/*
** plugins/interp/exec.c - the dispatch loop of the IR interpreter.
**
** One function runs blocks back to back: block-entry checks (exit request,
** halt, budget), the jump-cache lookup, then the pre-decoded ops of the
** block with direct-threaded dispatch (computed goto), or a switch when
** built with -DVMRUN_INTERP_SWITCH=1.  The same source serves both through
** the VMRUN_DISPATCH / VMRUN_CASE / VMRUN_NEXT macros (Lua's ljumptab.h
** idea).
**
** Instruction accounting: INSN_START ops are not executed; every op that
** needs the instruction count carries its static ordinal (INSN_STARTs
** before it in the block) and taken branches add the INSN_STARTs they
** skip to `skipped`, so "INSN_STARTs executed so far" = ordinal - skipped.
** `accounted` is the part already added to cpu->icount by a mid-block sync
** (LD/ST fault, CALL flagged MAY_FAULT/END).
*/
#include <stdio.h>
#include <string.h>

#include "interp_int.h"

#if VMRUN_INTERP_SWITCH
#define VMRUN_DISPATCH()  dispatch: switch (op->h.i)
#define VMRUN_CASE(n)     case H_##n:
#define VMRUN_NEXT()      do { op++; goto dispatch; } while (0)
#define VMRUN_JUMP(idx)   do { op = b->ops + (idx); goto dispatch; } while (0)
#define VMRUN_DEFAULT()   default: goto bad_op;
#else
#define VMRUN_DISPATCH()  goto *op->h.p;
#define VMRUN_CASE(n)     L_##n:
#define VMRUN_NEXT()      do { op++; goto *op->h.p; } while (0)
#define VMRUN_JUMP(idx)   do { op = b->ops + (idx); goto *op->h.p; } while (0)
#define VMRUN_DEFAULT()
#endif

const void *const *interp_labels;

/* ---- arithmetic with the RISC-V edge cases of vmrun/ir.h ---- */

static inline uint64_t div64(uint64_t a, uint64_t b)
{
  if (b == 0) return ~(uint64_t)0;
  if (a == (uint64_t)INT64_MIN && b == ~(uint64_t)0) return a;
  return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t rem64(uint64_t a, uint64_t b)
{
  if (b == 0) return a;
  if (a == (uint64_t)INT64_MIN && b == ~(uint64_t)0) return 0;
  return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint64_t div32(uint64_t a, uint64_t b)
{
  int32_t x = (int32_t)a, y = (int32_t)b;
  if (y == 0) return 0xffffffffu;
  if (x == INT32_MIN && y == -1) return (uint32_t)x;
  return (uint32_t)(x / y);
}

static inline uint64_t rem32(uint64_t a, uint64_t b)
{
  int32_t x = (int32_t)a, y = (int32_t)b;
  if (y == 0) return (uint32_t)x;
  if (x == INT32_MIN && y == -1) return 0;
  return (uint32_t)(x % y);
}

static inline uint64_t divu32(uint64_t a, uint64_t b)
{
  return (uint32_t)b ? (uint32_t)a / (uint32_t)b : 0xffffffffu;
}

static inline uint64_t remu32(uint64_t a, uint64_t b)
{
  return (uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a;
}

static inline uint64_t mulh64(uint64_t a, uint64_t b)
{
  return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
}

static inline uint64_t mulhu64(uint64_t a, uint64_t b)
{
  return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t mulhsu64(uint64_t a, uint64_t b)
{
  return (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b)
                    >> 64);
}

/* ---- little-endian guest memory ---- */
#if VMRUN_ABI_BIG_ENDIAN
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif
#define LE8(x) (x)

/* Fault injection for --engine-check's own tests (tests/local.mk builds
** engine-faultymul, -faultyst, -faultywide and -faultyextra from these
** sources): a MUL result with bit 0 flipped; a 2-byte store that hits the
** TLB with bit 8 flipped; a 2-byte store through the MMU's slow path that
** writes 4 bytes (the upper two zero), or that also writes its value 32
** bytes further.  Never set in the real plugin. */
#ifndef INTERP_FAULT_MUL
#define INTERP_FAULT_MUL 0
#endif
#ifndef INTERP_FAULT_ST16
#define INTERP_FAULT_ST16 0
#endif
#ifndef INTERP_FAULT_WIDE16
#define INTERP_FAULT_WIDE16 0
#endif
#ifndef INTERP_FAULT_EXTRA16
#define INTERP_FAULT_EXTRA16 0
#endif
#define FAULT_MUL(v) (INTERP_FAULT_MUL ? (v) ^ 1u : (v))
#define FAULT_ST(sz, v) (INTERP_FAULT_ST16 && (sz) == 2 ? (v) ^ 0x100u : (v))

/* Slow paths: misalignment check, then the MMU. */
static __attribute__((noinline)) int ld_slow(interp *e, vmrun_cpu *cpu,
                                             const interp_op *op, uint64_t va,
                                             unsigned size, uint64_t *v)
{
  if ((op->y & VMRUN_IR_F_ALIGNED) && (va & (size - 1)))
    return VMRUN_FAULT_MISALIGNED;
  *v = 0;
  return e->env.mmu->access(e->env.mmu_inst, cpu, va, size,
                            VMRUN_ACCESS_LOAD, cpu->mmu_idx, v);
}

static __attribute__((noinline)) int st_slow(interp *e, vmrun_cpu *cpu,
                                             const interp_op *op, uint64_t va,
                                             unsigned size, uint64_t v)
{
  if ((op->y & VMRUN_IR_F_ALIGNED) && (va & (size - 1)))
    return VMRUN_FAULT_MISALIGNED;
  if (INTERP_FAULT_WIDE16 && size == 2 && (va & 0xfff) <= 0xffc) {
    v &= 0xffff;
    size = 4;
  }
  if (INTERP_FAULT_EXTRA16 && size == 2 && (va & 0xfff) <= 0xfdc) {
    uint64_t w = v;
    (void)e->env.mmu->access(e->env.mmu_inst, cpu, va + 32, 2,
                             VMRUN_ACCESS_STORE, cpu->mmu_idx, &w);
  }
  return e->env.mmu->access(e->env.mmu_inst, cpu, va, size,
                            VMRUN_ACCESS_STORE, cpu->mmu_idx, &v);
}

/* Comparisons: 64-bit, or on the low 32 bits (sign/zero-extended). */
#define C64_EQ(A, B)  ((A) == (B))
#define C64_NE(A, B)  ((A) != (B))
#define C64_LT(A, B)  ((int64_t)(A) < (int64_t)(B))
#define C64_GE(A, B)  ((int64_t)(A) >= (int64_t)(B))
#define C64_LTU(A, B) ((A) < (B))
#define C64_GEU(A, B) ((A) >= (B))
#define C32_EQ(A, B)  ((uint32_t)(A) == (uint32_t)(B))
#define C32_NE(A, B)  ((uint32_t)(A) != (uint32_t)(B))
#define C32_LT(A, B)  ((int32_t)(A) < (int32_t)(B))
#define C32_GE(A, B)  ((int32_t)(A) >= (int32_t)(B))
#define C32_LTU(A, B) ((uint32_t)(A) < (uint32_t)(B))
#define C32_GEU(A, B) ((uint32_t)(A) >= (uint32_t)(B))
#define FOR_CONDS(M, P, C, BV) M(P, EQ, C, BV) M(P, NE, C, BV) \
  M(P, LT, C, BV) M(P, GE, C, BV) M(P, LTU, C, BV) M(P, GEU, C, BV)

/* Instructions completed before the current one (ordinal x). */
#define DONE_BEFORE(x) ((x) - skipped ? (x) - skipped - 1u : 0u)

int interp_exec(interp *e, interp_vcpu *vd, vmrun_cpu *cpu)
{
#if !VMRUN_INTERP_SWITCH
#define INTERP_LABEL(n) &&L_##n,
  static const void *const disp[H_COUNT] = { INTERP_HANDLERS(INTERP_LABEL) };
#undef INTERP_LABEL
  if (!e) { interp_labels = disp; return 0; }
#else
  if (!e) return 0;
#endif
  uint64_t t[VMRUN_IR_MAX_TEMPS];
  const interp_op *op;
  interp_block *b;
  const vmrun_tlb_entry *tlbd;
  uint32_t skipped, accounted, n, raised;
  uint32_t fetch_faults = 0;
  uint64_t fva;
  int flt;
  enum vmrun_access facc;

next_block:
  if (UNLIKELY(e->pending != NULL)) interp_free_pending(e);
  if (UNLIKELY(cpu->exit_request)) return VMRUN_RUN_EXIT;
  if (UNLIKELY(cpu->halted)) return VMRUN_RUN_HALT;
  if (UNLIKELY(cpu->insn_budget == 0)) return VMRUN_RUN_BUDGET;
  {
    uint64_t pc = cpu->pc;
    b = vd->jc[INTERP_JC_IDX(pc)];
    if (UNLIKELY(!b || b->pc != pc || b->tb_flags != cpu->tb_flags)) {
      int r = interp_lookup_slow(e, vd, cpu, &b);
      if (r < 0) return VMRUN_RUN_ERROR;
      if (r > 0) {
        /* fetch fault raised: pc is now the trap vector; an exception
        ** costs one unit of budget (engine.h) so run() always returns */
        if (cpu->insn_budget) cpu->insn_budget--;
        if (++fetch_faults >= INTERP_MAX_FETCH_FAULTS) {
          e->host->log(e->m, VMRUN_LOG_ERROR,
                       "hart %u: %u fetch faults in a row at pc 0x%llx, "
                       "no instruction can execute", cpu->hart_id,
                       fetch_faults, (unsigned long long)cpu->pc);
          return VMRUN_RUN_ERROR;
        }
        goto next_block;
      }
    }
  }
  fetch_faults = 0;
  if (UNLIKELY(e->tiering)) {
    /* engine-tiered: the JIT takes over the block at its hot_limit+1-th
    ** execution (before it is traced or accounted), unless its tiering
    ** policy refused it */
    if (b->hits >= e->hot_limit && !b->refused) {
      e->hot = b;
      return INTERP_RUN_HOT;
    }
    b->hits++;
    e->st_interpreted++;
  }
  if (UNLIKELY(e->env.trace))
    fprintf(stderr, "trace: pc=0x%016llx\n", (unsigned long long)b->pc);
  skipped = accounted = raised = 0;
  tlbd = cpu->tlb[cpu->mmu_idx];
  op = b->ops;

  VMRUN_DISPATCH() {
  VMRUN_CASE(MOVI) t[op->d] = op->imm; VMRUN_NEXT();
  VMRUN_CASE(MOV) t[op->d] = t[op->a]; VMRUN_NEXT();

#define GETH(N, T, EXT) VMRUN_CASE(N) {                                  \
    T v_; memcpy(&v_, (const char *)cpu + op->imm, sizeof v_);            \
    t[op->d] = EXT(v_); } VMRUN_NEXT();
#define PUTH(N, T) VMRUN_CASE(N) {                                         \
    T v_ = (T)t[op->a]; memcpy((char *)cpu + op->imm, &v_, sizeof v_); }  \
    VMRUN_NEXT();
#define EXT_U(v) ((uint64_t)(v))
#define EXT_S8(v) ((uint64_t)(int64_t)(int8_t)(v))
#define EXT_S16(v) ((uint64_t)(int64_t)(int16_t)(v))
#define EXT_S32(v) ((uint64_t)(int64_t)(int32_t)(v))
  GETH(GET8U, uint8_t, EXT_U) GETH(GET8S, uint8_t, EXT_S8)
  GETH(GET16U, uint16_t, EXT_U) GETH(GET16S, uint16_t, EXT_S16)
  GETH(GET32U, uint32_t, EXT_U) GETH(GET32S, uint32_t, EXT_S32)
  GETH(GET64, uint64_t, EXT_U)
  PUTH(PUT8, uint8_t) PUTH(PUT16, uint16_t) PUTH(PUT32, uint32_t)
  PUTH(PUT64, uint64_t)

#define ALU(OP, E64, E32)                                                  \
  VMRUN_CASE(OP##_64R) { uint64_t A = t[op->a], B = t[op->b];              \
    t[op->d] = (E64); } VMRUN_NEXT();                                      \
  VMRUN_CASE(OP##_64I) { uint64_t A = t[op->a], B = op->imm;               \
    t[op->d] = (E64); } VMRUN_NEXT();                                      \
  VMRUN_CASE(OP##_32R) { uint64_t A = t[op->a], B = t[op->b];              \
    t[op->d] = (uint32_t)(E32); } VMRUN_NEXT();                            \
  VMRUN_CASE(OP##_32I) { uint64_t A = t[op->a], B = op->imm;               \
    t[op->d] = (uint32_t)(E32); } VMRUN_NEXT();
#define ST64(off) ((uint64_t *)(void *)((char *)cpu + (off)))
#define RD64(off) (*(const uint64_t *)(const void *)((const char *)cpu + (off)))
#define FUSED(OP, E64)                                                     \
  VMRUN_CASE(GAP_##OP) { uint64_t A = RD64(op->x), B = op->imm, v_;        \
    t[op->a] = A; v_ = (E64); t[op->d] = v_; *ST64(op->y) = v_; }          \
    VMRUN_NEXT();                                                          \
  VMRUN_CASE(GGAP_##OP) { uint64_t A = RD64(op->x), B = RD64(op->y), v_;   \
    t[op->a] = A; t[op->b] = B; v_ = (E64); t[op->d] = v_;                 \
    *ST64(op->imm) = v_; } VMRUN_NEXT();                                   \
  VMRUN_CASE(AP_##OP##_R) { uint64_t A = t[op->a], B = t[op->b], v_;       \
    v_ = (E64); t[op->d] = v_; *ST64(op->y) = v_; } VMRUN_NEXT();          \
  VMRUN_CASE(AP_##OP##_I) { uint64_t A = t[op->a], B = op->imm, v_;        \
    v_ = (E64); t[op->d] = v_; *ST64(op->y) = v_; } VMRUN_NEXT();
#define ALU2(OP, E64, E32) ALU(OP, E64, E32) FUSED(OP, E64)
  ALU2(ADD, A + B, A + B)
  ALU2(SUB, A - B, A - B)
  ALU2(MUL, FAULT_MUL(A * B), FAULT_MUL((uint32_t)A * (uint32_t)B))
  ALU2(AND, A & B, A & B)
  ALU2(OR, A | B, A | B)
  ALU2(XOR, A ^ B, A ^ B)
  ALU2(SHL, A << (B & 63), (uint32_t)A << (B & 31))
  ALU2(SHR, A >> (B & 63), (uint32_t)A >> (B & 31))
  ALU2(SAR, (uint64_t)((int64_t)A >> (B & 63)), (int32_t)A >> (B & 31))

#define BVAL (op->y ? op->imm : t[op->b])
#define ARITH(N, F) VMRUN_CASE(N) t[op->d] = F(t[op->a], BVAL); VMRUN_NEXT();
#define MULH32(A, B) ((uint32_t)(((int64_t)(int32_t)(A) *                  \
                                  (int64_t)(int32_t)(B)) >> 32))
#define MULHU32(A, B) ((uint32_t)(((uint64_t)(uint32_t)(A) *               \
                                   (uint32_t)(B)) >> 32))
#define MULHSU32(A, B) ((uint32_t)(((int64_t)(int32_t)(A) *                \
                                    (int64_t)(uint32_t)(B)) >> 32))
  ARITH(MULH_64, mulh64) ARITH(MULH_32, MULH32)
  ARITH(MULHU_64, mulhu64) ARITH(MULHU_32, MULHU32)
  ARITH(MULHSU_64, mulhsu64) ARITH(MULHSU_32, MULHSU32)
  ARITH(DIV_64, div64) ARITH(DIV_32, div32)
#define DIVU64(A, B) ((B) ? (A) / (B) : ~(uint64_t)0)
#define REMU64(A, B) ((B) ? (A) % (B) : (A))
  ARITH(DIVU_64, DIVU64) ARITH(DIVU_32, divu32)
  ARITH(REM_64, rem64) ARITH(REM_32, rem32)
  ARITH(REMU_64, REMU64) ARITH(REMU_32, remu32)

#define SETCC(P, CC, C, BV) VMRUN_CASE(P##_##CC) {                         \
    uint64_t A = t[op->a], B = (BV); t[op->d] = C##_##CC(A, B); }          \
    VMRUN_NEXT();
  FOR_CONDS(SETCC, SETR64, C64, t[op->b])
  FOR_CONDS(SETCC, SETI64, C64, op->imm)
  FOR_CONDS(SETCC, SETR32, C32, t[op->b])
  FOR_CONDS(SETCC, SETI32, C32, op->imm)

  VMRUN_CASE(SELECT_R) t[op->d] = t[op->c] ? t[op->a] : t[op->b];
    VMRUN_NEXT();
  VMRUN_CASE(SELECT_I) t[op->d] = t[op->c] ? t[op->a] : op->imm;
    VMRUN_NEXT();
  VMRUN_CASE(SEXT8) t[op->d] = EXT_S8(t[op->a]); VMRUN_NEXT();
  VMRUN_CASE(SEXT16) t[op->d] = EXT_S16(t[op->a]); VMRUN_NEXT();
  VMRUN_CASE(SEXT32) t[op->d] = EXT_S32(t[op->a]); VMRUN_NEXT();
  VMRUN_CASE(ZEXT8) t[op->d] = (uint8_t)t[op->a]; VMRUN_NEXT();
  VMRUN_CASE(ZEXT16) t[op->d] = (uint16_t)t[op->a]; VMRUN_NEXT();
  VMRUN_CASE(ZEXT32) t[op->d] = (uint32_t)t[op->a]; VMRUN_NEXT();

  /* Loads and stores: the TLB hit path inline (vmrun/cpu.h rule). */
#define LDH(N, SZ, T, LE, EXT) VMRUN_CASE(N) {                              \
    uint64_t va_ = t[op->a] + op->imm, v_;                                 \
    const vmrun_tlb_entry *te_ = &tlbd[VMRUN_TLB_INDEX(va_)];              \
    if (LIKELY((va_ & (VMRUN_PAGE_MASK | (SZ - 1))) == te_->addr_read)) {  \
      T x_; memcpy(&x_, (const void *)(uintptr_t)(va_ + te_->addend), SZ); \
      v_ = LE(x_);                                                         \
    } else {                                                               \
      flt = ld_slow(e, cpu, op, va_, SZ, &v_);                             \
      if (UNLIKELY(flt)) {                                                 \
        fva = va_; facc = VMRUN_ACCESS_LOAD; goto mem_fault;               \
      }                                                                    \
    }                                                                      \
    t[op->d] = EXT((T)v_); } VMRUN_NEXT();
  LDH(LD8U, 1, uint8_t, LE8, EXT_U) LDH(LD8S, 1, uint8_t, LE8, EXT_S8)
  LDH(LD16U, 2, uint16_t, LE16, EXT_U) LDH(LD16S, 2, uint16_t, LE16, EXT_S16)
  LDH(LD32U, 4, uint32_t, LE32, EXT_U) LDH(LD32S, 4, uint32_t, LE32, EXT_S32)
  LDH(LD64, 8, uint64_t, LE64, EXT_U)

#define STH(N, SZ, T, LE) VMRUN_CASE(N) {                                   \
    uint64_t va_ = t[op->a] + op->imm;                                     \
    const vmrun_tlb_entry *te_ = &tlbd[VMRUN_TLB_INDEX(va_)];              \
    if (LIKELY((va_ & (VMRUN_PAGE_MASK | (SZ - 1))) == te_->addr_write)) { \
      T x_ = LE((T)FAULT_ST(SZ, t[op->b]));                                \
      memcpy((void *)(uintptr_t)(va_ + te_->addend), &x_, SZ);             \
    } else {                                                               \
      flt = st_slow(e, cpu, op, va_, SZ, t[op->b]);                        \
      if (UNLIKELY(flt)) {                                                 \
        fva = va_; facc = VMRUN_ACCESS_STORE; goto mem_fault;              \
      }                                                                    \
    } } VMRUN_NEXT();
  STH(ST8, 1, uint8_t, LE8) STH(ST16, 2, uint16_t, LE16)
  STH(ST32, 4, uint32_t, LE32) STH(ST64, 8, uint64_t, LE64)

#define HELPER(o) ((vmrun_ir_helper_fn)(uintptr_t)(o)->imm)
  VMRUN_CASE(CALL)
    t[op->d] = HELPER(op)(cpu, t[op->a], t[op->b], t[op->c]);
    VMRUN_NEXT();
  VMRUN_CASE(GGCP) {
    /* GET64 t[a] = x, GET64 t[b] = y, CALL t[d] = fn(t[a], t[b], t[a])
    ** (no flags), PUT64 c = t[d] */
    uint64_t A = RD64(op->x), B = RD64(op->y), v_;
    t[op->a] = A; t[op->b] = B;
    v_ = HELPER(op)(cpu, A, B, A);
    t[op->d] = v_; *ST64(op->c) = v_;
  } VMRUN_NEXT();
  VMRUN_CASE(G3CP) {
    /* GET64 t[a], t[b], t[c] = the state words at x & 0xffff, x >> 16,
    ** y & 0xffff; CALL t[d] = fn(t[a], t[b], t[c]) (no flags); PUT64 at
    ** y >> 16 = t[d] */
    uint64_t A = RD64(op->x & 0xffff), B = RD64(op->x >> 16);
    uint64_t C = RD64(op->y & 0xffff), v_;
    t[op->a] = A; t[op->b] = B; t[op->c] = C;
    v_ = HELPER(op)(cpu, A, B, C);
    t[op->d] = v_; *ST64(op->y >> 16) = v_;
  } VMRUN_NEXT();
  VMRUN_CASE(CALL_SYNC) {
    /* MAY_FAULT / END: pc and icount as before this instruction */
    uint32_t done = DONE_BEFORE(op->x);
    cpu->pc = b->insn_pc[op->x];
    cpu->icount += done - accounted;
    accounted = done;
    t[op->d] = HELPER(op)(cpu, t[op->a], t[op->b], t[op->c]);
    tlbd = cpu->tlb[cpu->mmu_idx]; /* the helper may switch modes */
    if (cpu->trap_taken) {
      /* VMRUN_TRAP_DONE: the instruction retired; VMRUN_TRAP_RAISED: it
      ** raised an exception and did not.  pc was set by the helper. */
      n = done + (cpu->trap_taken == VMRUN_TRAP_DONE);
      raised = cpu->trap_taken == VMRUN_TRAP_RAISED;
      cpu->trap_taken = 0;
      goto block_end;
    }
  } VMRUN_NEXT();

  VMRUN_CASE(BR) skipped += op->y; VMRUN_JUMP(op->x);
#define BRC(P, CC, C, BV) VMRUN_CASE(P##_##CC) {                            \
    uint64_t A = t[op->a], B = (BV);                                       \
    if (C##_##CC(A, B)) { skipped += op->y; VMRUN_JUMP(op->x); } }         \
    VMRUN_NEXT();
  FOR_CONDS(BRC, BRR64, C64, t[op->b])
  FOR_CONDS(BRC, BRR32, C32, t[op->b])
#define GGBR(P, CC, C, BV) VMRUN_CASE(P##_##CC) {                          \
    uint64_t A = RD64((uint32_t)op->imm), B = RD64(op->imm >> 32);         \
    t[op->a] = A; t[op->b] = B;                                            \
    if (C##_##CC(A, B)) { skipped += op->y; VMRUN_JUMP(op->x); } }         \
    VMRUN_NEXT();
#define GIBR(P, CC, C, BV) VMRUN_CASE(P##_##CC) {                          \
    uint64_t A = RD64(op->c), B = op->imm;                                 \
    t[op->a] = A; t[op->b] = B;                                            \
    if (C##_##CC(A, B)) { skipped += op->y; VMRUN_JUMP(op->x); } }         \
    VMRUN_NEXT();
  FOR_CONDS(GGBR, GGBR, C64, 0)
  FOR_CONDS(GIBR, GIBR, C64, 0)

  VMRUN_CASE(EXIT_DIRECT)
    cpu->pc = op->imm; n = op->x - skipped; goto block_end;
  VMRUN_CASE(EXIT_INDIRECT)
    cpu->pc = t[op->a]; n = op->x - skipped; goto block_end;
  VMRUN_CASE(EXIT)
    n = op->x - skipped; goto block_end;
  VMRUN_DEFAULT()
  }

mem_fault:
  /* LD/ST fault: precise state of the faulting instruction, trap entry */
  n = DONE_BEFORE(op->x);
  cpu->pc = b->insn_pc[op->x];
  cpu->icount += n - accounted;
  accounted = n;
  e->env.fe->raise_fault(e->env.fe_inst, cpu, facc, (enum vmrun_fault)flt,
                         fva);
  raised = 1;

block_end:
  /* n = instructions retired by this block; an exception raised by it
  ** costs one more unit of budget (engine.h) */
  cpu->icount += n - accounted;
  n += raised;
  cpu->insn_budget = cpu->insn_budget > n ? cpu->insn_budget - n : 0;
  goto next_block;

#if VMRUN_INTERP_SWITCH
bad_op:
  e->host->log(e->m, VMRUN_LOG_ERROR, "interp: bad handler %lu",
               (unsigned long)op->h.i);
  return VMRUN_RUN_ERROR;
#endif
}
