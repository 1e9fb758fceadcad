/*
** tests/engine/test_interp.c - an engine, op by op and as a dispatcher
** (fake host + fake frontend from harness.c, real softmmu).  Built for the
** interp engine, and again for tjit (-DENGINE_SUITE=tjit_ops
** -DENGINE_TRACE_SUITE=tjit_trace -DENGINE_EXTRA_STATS
** -Dinterp_desc=tjit_desc): every engine must behave exactly alike.
*/

#ifndef ENGINE_SUITE
#define ENGINE_SUITE interp
#define ENGINE_TRACE_SUITE interp_trace
#endif
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#ifndef ENGINE_EXTRA_STATS
#include "../../plugins/interp/interp_int.h" /* INTERP_JC_IDX */
#endif

#define PC0 RAM_BASE /* default block pc */

static void setup(void) { fm_setup(1, 32); }
static void teardown(void) { fm_teardown(); }

TestSuite(ENGINE_SUITE, .init = setup, .fini = teardown);

/* ---- one op, evaluated in both operand forms ---- */

typedef struct opspec {
  unsigned op, size, cond, flags;
  uint64_t a, b, c;
} opspec;
static opspec S;

/* t0 = a, t1 = b (or a decoy when the op takes imm), t2 = c;
** t3 = op(t0, t1|imm, t2); x0 = t3 */
static void build_op(vmrun_ir_block *b, void *arg)
{
  vmrun_ir_op *o;
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_movi(b, 0, S.a);
  ir_movi(b, 1, (S.flags & VMRUN_IR_F_BIMM) ? ~S.b ^ 0x5a5a : S.b);
  ir_movi(b, 2, S.c);
  o = ir(b, S.op, S.size, 3, 0, 1, S.b, S.flags);
  o->cond = (uint8_t)S.cond;
  o->c = 2;
  ir_put(b, 0, 3);
  ir_exit(b, b->pc + 4);
}

static uint64_t eval1(unsigned op, unsigned size, unsigned cond,
                      unsigned flags, uint64_t a, uint64_t b, uint64_t c)
{
  int r;
  S = (opspec){ op, size, cond, flags, a, b, c };
  FM->eng->flush(FM->eng_inst);
  fm_block(PC0, build_op, NULL);
  FM->cpu->x[0] = 0x0123456789abcdefull;
  r = fm_run(PC0, 1);
  cr_assert_eq(r, VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->cpu->hdr.pc, PC0 + 4);
  return FM->cpu->x[0];
}

/* register form and immediate form must agree */
static uint64_t ev(unsigned op, unsigned size, unsigned cond, uint64_t a,
                   uint64_t b)
{
  uint64_t r1 = eval1(op, size, cond, 0, a, b, 0);
  uint64_t r2 = eval1(op, size, cond, VMRUN_IR_F_BIMM, a, b, 0);
  cr_assert_eq(r1, r2, "%s size %u: reg form 0x%llx, imm form 0x%llx",
               vmrun_ir_op_name(op), size, (unsigned long long)r1,
               (unsigned long long)r2);
  return r1;
}

#define EQ(x, y) cr_assert_eq((uint64_t)(x), (uint64_t)(y), \
  "%s = 0x%llx, expected 0x%llx (line %d)", #x, \
  (unsigned long long)(x), (unsigned long long)(y), __LINE__)

Test(ENGINE_SUITE, alu_64_and_32)
{
  uint64_t a = 0xfedcba9876543210ull, b = 0x0f0f0f0ff0f0f0f1ull;
  EQ(ev(VMRUN_IR_ADD, 8, 0, a, b), a + b);
  EQ(ev(VMRUN_IR_ADD, 4, 0, a, b), (uint32_t)(a + b));
  EQ(ev(VMRUN_IR_ADD, 4, 0, 0x7fffffff, 1), 0x80000000u); /* zero-ext */
  EQ(ev(VMRUN_IR_SUB, 8, 0, a, b), a - b);
  EQ(ev(VMRUN_IR_SUB, 4, 0, 0, 1), 0xffffffffu);
  EQ(ev(VMRUN_IR_MUL, 8, 0, a, b), a * b);
  EQ(ev(VMRUN_IR_MUL, 4, 0, a, b), (uint32_t)(a * b));
  EQ(ev(VMRUN_IR_AND, 8, 0, a, b), a & b);
  EQ(ev(VMRUN_IR_AND, 4, 0, a, b), (uint32_t)(a & b));
  EQ(ev(VMRUN_IR_OR, 8, 0, a, b), a | b);
  EQ(ev(VMRUN_IR_OR, 4, 0, a, b), (uint32_t)(a | b));
  EQ(ev(VMRUN_IR_XOR, 8, 0, a, b), a ^ b);
  EQ(ev(VMRUN_IR_XOR, 4, 0, a, b), (uint32_t)(a ^ b));
  EQ(eval1(VMRUN_IR_MOVI, 8, 0, 0, 0, 0x1234567890ull, 0), 0x1234567890ull);
  EQ(eval1(VMRUN_IR_MOV, 8, 0, 0, a, 0, 0), a);
}

Test(ENGINE_SUITE, shifts_mask_amount)
{
  uint64_t v = 0x8000000180000001ull;
  /* 64-bit: by 31, 32, 63, 64 (= 0), 65 (= 1) */
  EQ(ev(VMRUN_IR_SHL, 8, 0, v, 31), v << 31);
  EQ(ev(VMRUN_IR_SHL, 8, 0, v, 32), v << 32);
  EQ(ev(VMRUN_IR_SHL, 8, 0, v, 63), v << 63);
  EQ(ev(VMRUN_IR_SHL, 8, 0, v, 64), v);
  EQ(ev(VMRUN_IR_SHL, 8, 0, v, 65), v << 1);
  EQ(ev(VMRUN_IR_SHR, 8, 0, v, 63), 1);
  EQ(ev(VMRUN_IR_SHR, 8, 0, v, 64), v);
  EQ(ev(VMRUN_IR_SHR, 8, 0, v, 32), v >> 32);
  EQ(ev(VMRUN_IR_SAR, 8, 0, v, 63), ~0ull);
  EQ(ev(VMRUN_IR_SAR, 8, 0, v, 64), v);
  EQ(ev(VMRUN_IR_SAR, 8, 0, v, 31), 0xffffffff00000003ull);
  /* 32-bit: by 31, 32 (= 0), 63 (= 31), 64 (= 0); results zero-extended */
  EQ(ev(VMRUN_IR_SHL, 4, 0, v, 31), 0x80000000u);
  EQ(ev(VMRUN_IR_SHL, 4, 0, v, 32), 0x80000001u);
  EQ(ev(VMRUN_IR_SHL, 4, 0, v, 63), 0x80000000u);
  EQ(ev(VMRUN_IR_SHL, 4, 0, 3, 64), 3);
  EQ(ev(VMRUN_IR_SHR, 4, 0, v, 31), 1);
  EQ(ev(VMRUN_IR_SHR, 4, 0, v, 32), 0x80000001u);
  EQ(ev(VMRUN_IR_SHR, 4, 0, v, 63), 1);
  EQ(ev(VMRUN_IR_SAR, 4, 0, v, 31), 0xffffffffu);
  EQ(ev(VMRUN_IR_SAR, 4, 0, v, 32), 0x80000001u);
  EQ(ev(VMRUN_IR_SAR, 4, 0, v, 63), 0xffffffffu);
  EQ(ev(VMRUN_IR_SAR, 4, 0, 0x40000000, 30), 1);
  EQ(ev(VMRUN_IR_SAR, 4, 0, 0x80000000, 4), 0xf8000000u);
}

Test(ENGINE_SUITE, mulh_variants)
{
  uint64_t m1 = ~0ull, big = 0x8000000000000000ull;
  EQ(ev(VMRUN_IR_MULH, 8, 0, m1, m1), 0);          /* -1 * -1 = 1 */
  EQ(ev(VMRUN_IR_MULHU, 8, 0, m1, m1), ~0ull - 1); /* (2^64-1)^2 >> 64 */
  EQ(ev(VMRUN_IR_MULHSU, 8, 0, m1, m1), ~0ull);    /* -1 * (2^64-1) */
  EQ(ev(VMRUN_IR_MULH, 8, 0, big, 2), ~0ull);      /* -2^63 * 2 = -2^64 */
  EQ(ev(VMRUN_IR_MULHU, 8, 0, big, 2), 1);
  EQ(ev(VMRUN_IR_MULHSU, 8, 0, 2, m1), 1);
  EQ(ev(VMRUN_IR_MULH, 4, 0, 0xffffffff, 0xffffffff), 0);
  EQ(ev(VMRUN_IR_MULHU, 4, 0, 0xffffffff, 0xffffffff), 0xfffffffeu);
  EQ(ev(VMRUN_IR_MULHSU, 4, 0, 0xffffffff, 0xffffffff), 0xffffffffu);
  EQ(ev(VMRUN_IR_MULH, 4, 0, 0x80000000, 2), 0xffffffffu);
  EQ(ev(VMRUN_IR_MULHU, 4, 0, 0x1234567800000000ull | 0x80000000, 2), 1);
}

Test(ENGINE_SUITE, div_rem_edge_cases)
{
  uint64_t min64 = 0x8000000000000000ull, m1 = ~0ull;
  /* 64-bit */
  EQ(ev(VMRUN_IR_DIV, 8, 0, 7, 0), ~0ull);
  EQ(ev(VMRUN_IR_DIVU, 8, 0, 7, 0), ~0ull);
  EQ(ev(VMRUN_IR_REM, 8, 0, 7, 0), 7);
  EQ(ev(VMRUN_IR_REMU, 8, 0, 7, 0), 7);
  EQ(ev(VMRUN_IR_DIV, 8, 0, min64, m1), min64);
  EQ(ev(VMRUN_IR_REM, 8, 0, min64, m1), 0);
  EQ(ev(VMRUN_IR_DIV, 8, 0, (uint64_t)-7, 2), (uint64_t)-3);
  EQ(ev(VMRUN_IR_REM, 8, 0, (uint64_t)-7, 2), (uint64_t)-1);
  EQ(ev(VMRUN_IR_DIVU, 8, 0, (uint64_t)-7, 2), ((uint64_t)-7) / 2);
  EQ(ev(VMRUN_IR_REMU, 8, 0, (uint64_t)-7, 2), 1);
  /* 32-bit: operands are the low 32 bits, results zero-extended */
  EQ(ev(VMRUN_IR_DIV, 4, 0, 7, 0), 0xffffffffu);
  EQ(ev(VMRUN_IR_DIVU, 4, 0, 7, 0x100000000ull), 0xffffffffu);
  EQ(ev(VMRUN_IR_REM, 4, 0, 0xabcd00000007ull, 0), 7);
  EQ(ev(VMRUN_IR_REMU, 4, 0, 0xfffffff9ull, 0), 0xfffffff9u);
  EQ(ev(VMRUN_IR_DIV, 4, 0, 0x80000000, 0xffffffff), 0x80000000u);
  EQ(ev(VMRUN_IR_REM, 4, 0, 0x80000000, 0xffffffff), 0);
  EQ(ev(VMRUN_IR_DIV, 4, 0, 0xfffffff9, 2), 0xfffffffdu);
  EQ(ev(VMRUN_IR_REM, 4, 0, 0xfffffff9, 2), 0xffffffffu);
  EQ(ev(VMRUN_IR_DIVU, 4, 0, 0xfffffff9, 2), 0x7ffffffcu);
  EQ(ev(VMRUN_IR_REMU, 4, 0, 0xfffffff9, 2), 1);
}

/* reference comparison */
static int cmp_ref(unsigned cond, unsigned size, uint64_t a, uint64_t b)
{
  if (size == 4) {
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    switch (cond) {
    case VMRUN_IR_EQ: return x == y;
    case VMRUN_IR_NE: return x != y;
    case VMRUN_IR_LT: return (int32_t)x < (int32_t)y;
    case VMRUN_IR_GE: return (int32_t)x >= (int32_t)y;
    case VMRUN_IR_LTU: return x < y;
    default: return x >= y;
    }
  }
  switch (cond) {
  case VMRUN_IR_EQ: return a == b;
  case VMRUN_IR_NE: return a != b;
  case VMRUN_IR_LT: return (int64_t)a < (int64_t)b;
  case VMRUN_IR_GE: return (int64_t)a >= (int64_t)b;
  case VMRUN_IR_LTU: return a < b;
  default: return a >= b;
  }
}

static const uint64_t cmp_vals[] = {
  0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
  0x1ffffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
  0xffffffff00000001ull
};
#define NV (sizeof cmp_vals / sizeof cmp_vals[0])

Test(ENGINE_SUITE, setcc_all_conditions)
{
  for (unsigned size = 4; size <= 8; size += 4)
    for (unsigned cond = 0; cond < VMRUN_IR_NB_CONDS; cond++)
      for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j += 3) {
          uint64_t a = cmp_vals[i], b = cmp_vals[j];
          uint64_t r = ev(VMRUN_IR_SETCC, size, cond, a, b);
          cr_assert_eq(r, (uint64_t)cmp_ref(cond, size, a, b),
                       "setcc cond %u size %u 0x%llx 0x%llx", cond, size,
                       (unsigned long long)a, (unsigned long long)b);
        }
}

/* BRCOND: x0 = 1 if taken, 2 if not */
static void build_brcond(vmrun_ir_block *b, void *arg)
{
  vmrun_ir_op *o;
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_movi(b, 0, S.a);
  ir_movi(b, 1, (S.flags & VMRUN_IR_F_BIMM) ? ~S.b : S.b);
  ir_movi(b, 2, 1);
  o = ir(b, VMRUN_IR_BRCOND, S.size, 0, 0, 1, l, S.flags);
  o->cond = (uint8_t)S.cond;
  ir_movi(b, 2, 2);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_put(b, 0, 2);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, brcond_all_conditions)
{
  for (unsigned size = 4; size <= 8; size += 4)
    for (unsigned cond = 0; cond < VMRUN_IR_NB_CONDS; cond++)
      for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j += 2) {
          S = (opspec){ 0, size, cond, 0, cmp_vals[i], cmp_vals[j], 0 };
          FM->eng->flush(FM->eng_inst);
          fm_block(PC0, build_brcond, NULL);
          cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
          cr_assert_eq(FM->cpu->x[0],
                       cmp_ref(cond, size, S.a, S.b) ? 1u : 2u,
                       "brcond cond %u size %u", cond, size);
        }
}

/* BRCOND with F_BIMM: imm is the label, so B cannot be an immediate; the
** engine rejects the block (frontend bug) instead of comparing with the
** label number. */
static void build_brcond_imm(vmrun_ir_block *b, void *arg)
{
  vmrun_ir_op *o;
  uint32_t l0 = vmrun_ir_label(b), l1 = vmrun_ir_label(b);
  (void)arg;
  (void)l0;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_movi(b, 0, S.a);
  ir_movi(b, 2, 2);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 0, l1, VMRUN_IR_F_BIMM);
  o->cond = VMRUN_IR_EQ; /* t0 == 1 (the label number) ? */
  ir_movi(b, 2, 3);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l1, 0);
  ir_put(b, 0, 2);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, brcond_imm_rejected)
{
  S.a = 1;
  fm_block(PC0, build_brcond_imm, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_ERROR);
  cr_assert_gt(FM->n_log_err, 0);
}

Test(ENGINE_SUITE, select_and_extensions)
{
  EQ(eval1(VMRUN_IR_SELECT, 8, 0, 0, 11, 22, 1), 11);
  EQ(eval1(VMRUN_IR_SELECT, 8, 0, 0, 11, 22, 0), 22);
  EQ(eval1(VMRUN_IR_SELECT, 8, 0, VMRUN_IR_F_BIMM, 11, 33, 0), 33);
  EQ(eval1(VMRUN_IR_SELECT, 8, 0, VMRUN_IR_F_BIMM, 11, 33,
           0x100000000ull), 11);
  uint64_t v = 0x123456789abcdef0ull, n = 0xfedcba9876543280ull;
  EQ(eval1(VMRUN_IR_SEXT, 1, 0, 0, v, 0, 0), 0xfffffffffffffff0ull);
  EQ(eval1(VMRUN_IR_SEXT, 1, 0, 0, 0x7f, 0, 0), 0x7f);
  EQ(eval1(VMRUN_IR_SEXT, 2, 0, 0, v, 0, 0), 0xffffffffffffdef0ull);
  EQ(eval1(VMRUN_IR_SEXT, 2, 0, 0, 0x17fff, 0, 0), 0x7fff);
  EQ(eval1(VMRUN_IR_SEXT, 4, 0, 0, v, 0, 0), 0xffffffff9abcdef0ull);
  EQ(eval1(VMRUN_IR_SEXT, 4, 0, 0, n, 0, 0), 0x76543280ull);
  EQ(eval1(VMRUN_IR_SEXT, 8, 0, 0, v, 0, 0), v);
  EQ(eval1(VMRUN_IR_ZEXT, 1, 0, 0, v, 0, 0), 0xf0);
  EQ(eval1(VMRUN_IR_ZEXT, 2, 0, 0, v, 0, 0), 0xdef0);
  EQ(eval1(VMRUN_IR_ZEXT, 4, 0, 0, v, 0, 0), 0x9abcdef0ull);
  EQ(eval1(VMRUN_IR_ZEXT, 8, 0, 0, v, 0, 0), v);
}

/* GET/PUT of every width on the fake state's b8/b16/b32 fields */
static void build_getput(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  ir(b, VMRUN_IR_GET, 1, 0, 0, 0, offsetof(fake_cpu, b8), 0);
  ir(b, VMRUN_IR_GET, 1, 1, 0, 0, offsetof(fake_cpu, b8), VMRUN_IR_F_SIGNED);
  ir(b, VMRUN_IR_GET, 2, 2, 0, 0, offsetof(fake_cpu, b16), 0);
  ir(b, VMRUN_IR_GET, 2, 3, 0, 0, offsetof(fake_cpu, b16), VMRUN_IR_F_SIGNED);
  ir(b, VMRUN_IR_GET, 4, 4, 0, 0, offsetof(fake_cpu, b32), 0);
  ir(b, VMRUN_IR_GET, 4, 5, 0, 0, offsetof(fake_cpu, b32), VMRUN_IR_F_SIGNED);
  for (unsigned i = 0; i < 6; i++) ir_put(b, i, i);
  ir_movi(b, 6, 0x1122334455667788ull);
  ir(b, VMRUN_IR_PUT, 1, 0, 6, 0, offsetof(fake_cpu, b8), 0);
  ir(b, VMRUN_IR_PUT, 2, 0, 6, 0, offsetof(fake_cpu, b16), 0);
  ir(b, VMRUN_IR_PUT, 4, 0, 6, 0, offsetof(fake_cpu, b32), 0);
  ir(b, VMRUN_IR_PUT, 4, 0, 6, 0, XOFF(6), 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, get_put_widths)
{
  FM->cpu->b8 = 0x80;
  FM->cpu->b16 = 0x8001;
  FM->cpu->b32 = 0x80000002;
  FM->cpu->x[6] = ~0ull;
  fm_block(PC0, build_getput, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[0], 0x80);
  EQ(FM->cpu->x[1], 0xffffffffffffff80ull);
  EQ(FM->cpu->x[2], 0x8001);
  EQ(FM->cpu->x[3], 0xffffffffffff8001ull);
  EQ(FM->cpu->x[4], 0x80000002);
  EQ(FM->cpu->x[5], 0xffffffff80000002ull);
  EQ(FM->cpu->b8, 0x88);
  EQ(FM->cpu->b16, 0x7788);
  EQ(FM->cpu->b32, 0x55667788);
  EQ(FM->cpu->x[6], 0xffffffff55667788ull);
}

/* Chains of ops that pass values on (tjit keeps the last result in RAX and
** drops the store of a temp nobody reads again, codegen.c "RAX
** forwarding"): temps used by the next op only, used again later, used
** as both operands, and 32-bit results. */
static void build_fwd(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);                                    /* t0 = x1 = 10 */
  ir(b, VMRUN_IR_ADD, 8, 1, 0, 0, 5, VMRUN_IR_F_BIMM);  /* t1 = 15 */
  ir_put(b, 2, 1);                                    /* x2 = 15 */
  ir(b, VMRUN_IR_ADD, 8, 2, 1, 1, 0, 0);              /* t2 = 30 */
  ir(b, VMRUN_IR_SUB, 8, 3, 2, 0, 0, 0);              /* t3 = t2 - t0 = 20 */
  ir_put(b, 3, 3);                                    /* x3 = 20 */
  ir(b, VMRUN_IR_SHL, 8, 4, 3, 0, 2, VMRUN_IR_F_BIMM);  /* t4 = 80 */
  ir(b, VMRUN_IR_ADD, 4, 5, 4, 0, 0xffffffffu, VMRUN_IR_F_BIMM); /* 79 */
  ir_put(b, 5, 5);                                    /* x5 = 79 */
  ir(b, VMRUN_IR_MOV, 8, 6, 5, 0, 0, 0);              /* t6 = 79 */
  ir(b, VMRUN_IR_MUL, 8, 7, 6, 4, 0, 0);              /* t7 = 79 * 80 */
  ir_put(b, 4, 4);                                    /* x4 = 80 */
  ir_put(b, 6, 7);                                    /* x6 = 6320 */
  ir_put(b, 7, 3);                                    /* x7 = 20 */
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, values_passed_between_ops)
{
  FM->cpu->x[1] = 10;
  fm_block(PC0, build_fwd, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[2], 15);
  EQ(FM->cpu->x[3], 20);
  EQ(FM->cpu->x[4], 80);
  EQ(FM->cpu->x[5], 79);
  EQ(FM->cpu->x[6], 79 * 80);
  EQ(FM->cpu->x[7], 20);
}

/* ---- guest registers held in host registers (tjit: codegen.c
** "register cache" keeps the registers a block reads most in host
** registers, and lets a GET's temp be that register or the state word) */

/* if (x9 != 0) goto l, through t1 and t2 */
static void ir_goto_if_x9(vmrun_ir_block *b, uint32_t l)
{
  vmrun_ir_op *o;
  ir_get(b, 1, 9);
  ir_movi(b, 2, 0);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, 1, 2, l, 0);
  o->cond = VMRUN_IR_NE;
}

/* sum of x1, x2, x3, x5, x6 into x[dst], each register read twice */
static void ir_sum5(vmrun_ir_block *b, unsigned dst)
{
  static const unsigned r[5] = { 1, 2, 3, 5, 6 };
  ir_movi(b, 0, 0);
  for (unsigned k = 0; k < 5; k++) {
    ir_get(b, 1, r[k]);
    ir(b, VMRUN_IR_ADD, 8, 0, 0, 1, 0, 0);
  }
  for (unsigned k = 0; k < 5; k++) {
    ir_get(b, 1, r[k]);
    ir(b, VMRUN_IR_ADD, 8, 0, 0, 1, 0, 0);
  }
  ir_put(b, dst, 0);
}

static uint64_t h_bump(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  fake_cpu *f = (fake_cpu *)cpu;
  (void)a; (void)b; (void)c;
  f->x[1] += 100; f->x[2] += 100; f->x[3] += 100;
  f->x[5] += 100; f->x[6] += 100;
  return 0;
}

/* insn0: x7 = 2*(x1+x2+x3+x5+x6); insn1: helper adds 100 to each;
** insn2: x8 = the same sum, which must see the helper's writes */
static void build_helper_writes(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_sum5(b, 7);
  ir_insn(b, b->pc + 4);
  ir(b, VMRUN_IR_CALL, 8, 2, 0, 0, (uint64_t)(uintptr_t)h_bump, 0);
  ir_insn(b, b->pc + 8);
  ir_sum5(b, 8);
  ir_exit(b, b->pc + 12);
}

Test(ENGINE_SUITE, registers_written_by_a_helper_are_seen)
{
  for (int k = 1; k <= 6; k++) FM->cpu->x[k] = (uint64_t)k;
  fm_block(PC0, build_helper_writes, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[7], 2 * (1 + 2 + 3 + 5 + 6));
  EQ(FM->cpu->x[8], 2 * (1 + 2 + 3 + 5 + 6 + 500));
  EQ(FM->cpu->hdr.icount, 3);
}

/* insn0: x7 = sum; insn1: x4 = MMIO load (slow path, a C call that may
** clobber caller-saved host registers); insn2: x8 = sum + x4 */
static void build_sum_mmio(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_sum5(b, 7);
  ir_insn(b, b->pc + 4);
  ir_movi(b, 2, MMIO_BASE);
  ir(b, VMRUN_IR_LD, 4, 3, 2, 0, 4, 0);
  ir_put(b, 4, 3);
  ir_insn(b, b->pc + 8);
  ir_sum5(b, 8);
  ir_get(b, 1, 4);
  ir(b, VMRUN_IR_ADD, 8, 0, 0, 1, 0, 0);
  ir_put(b, 8, 0);
  ir_exit(b, b->pc + 12);
}

Test(ENGINE_SUITE, registers_survive_a_slow_path_load)
{
  for (int k = 1; k <= 6; k++) FM->cpu->x[k] = 1000u * (uint64_t)k;
  FM->mmio_read_val = 7;
  fm_block(PC0, build_sum_mmio, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[7], 2000 * (1 + 2 + 3 + 5 + 6));
  EQ(FM->cpu->x[8], 2000 * (1 + 2 + 3 + 5 + 6) + 7);
}

/* a helper flagged VMRUN_IR_F_NOREGS that clobbers every register the
** host ABI lets it (tjit keeps cached guest registers across it) */
static uint64_t h_add_clobber(vmrun_cpu *cpu, uint64_t a, uint64_t b,
                              uint64_t c)
{
  (void)cpu; (void)c;
#if defined(__x86_64__)
  __asm__ volatile("xor %%r8d, %%r8d\n\txor %%r9d, %%r9d\n\t"
                   "xor %%r10d, %%r10d\n\txor %%r11d, %%r11d\n\t"
                   "xor %%edi, %%edi\n\txor %%esi, %%esi"
                   ::: "r8", "r9", "r10", "r11", "rdi", "rsi");
#endif
  return a + b;
}

/* insn0: x7 = sum; insn1: x4 = helper(x1, x2); insn2: x8 = sum + x4 */
static void build_sum_noregs(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_sum5(b, 7);
  ir_insn(b, b->pc + 4);
  ir_get(b, 1, 1);
  ir_get(b, 2, 2);
  ir(b, VMRUN_IR_CALL, 8, 3, 1, 2, (uint64_t)(uintptr_t)h_add_clobber,
     VMRUN_IR_F_NOREGS);
  ir_put(b, 4, 3);
  ir_insn(b, b->pc + 8);
  ir_sum5(b, 8);
  ir_get(b, 1, 4);
  ir(b, VMRUN_IR_ADD, 8, 0, 0, 1, 0, 0);
  ir_put(b, 8, 0);
  ir_exit(b, b->pc + 12);
}

Test(ENGINE_SUITE, registers_survive_a_noregs_helper)
{
  for (int k = 1; k <= 6; k++) FM->cpu->x[k] = 1000u * (uint64_t)k;
  fm_block(PC0, build_sum_noregs, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[4], 3000);
  EQ(FM->cpu->x[7], 2000 * (1 + 2 + 3 + 5 + 6));
  EQ(FM->cpu->x[8], 2000 * (1 + 2 + 3 + 5 + 6) + 3000);
}

/* h(cpu) = x7 as the vCPU state has it (a plain helper: the state must be
** complete in memory when it runs) */
static uint64_t h_read_x7(vmrun_cpu *cpu, uint64_t a, uint64_t b,
                          uint64_t c)
{
  (void)a; (void)b; (void)c;
  return ((fake_cpu *)cpu)->x[7];
}

/* Seven registers read often, x1 most and x7 least (tjit: x7 is the last
** of seven cached registers, in rdi, which every helper call sets to the
** vCPU): insn0 x7 += 1 (x7 dirty in its host register); insn1 x10 =
** h_read_x7() (plain: x7 written back before the call's arguments);
** insn2 x11 = h_add_clobber(x1, x2) (NOREGS, clobbering rdi: x7 kept
** across it); insn3 x12 = x7 + x11, an MMIO store of x7 (slow path: the
** value read before rdi is an argument) and x13 = a sum that reads x1
** 8 times, x2 7, ... x6 3 (x7 is read twice, x11 once). */
static void build_seven(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_get(b, 0, 7);
  ir_movi(b, 1, 1);
  ir(b, VMRUN_IR_ADD, 8, 0, 0, 1, 0, 0);
  ir_put(b, 7, 0);
  ir_insn(b, b->pc + 4);
  ir(b, VMRUN_IR_CALL, 8, 0, 0, 0, (uint64_t)(uintptr_t)h_read_x7, 0);
  ir_put(b, 10, 0);
  ir_insn(b, b->pc + 8);
  ir_get(b, 1, 1);
  ir_get(b, 2, 2);
  ir(b, VMRUN_IR_CALL, 8, 3, 1, 2, (uint64_t)(uintptr_t)h_add_clobber,
     VMRUN_IR_F_NOREGS);
  ir_put(b, 11, 3);
  ir_insn(b, b->pc + 12);
  ir_get(b, 0, 7);
  ir_get(b, 1, 11);
  ir(b, VMRUN_IR_ADD, 8, 1, 0, 1, 0, 0);
  ir_put(b, 12, 1);
  ir_movi(b, 2, MMIO_BASE);
  ir(b, VMRUN_IR_ST, 8, 0, 2, 0, 0x10, 0);
  ir_movi(b, 0, 0);
  for (unsigned r = 1; r <= 6; r++)
    for (unsigned k = 0; k < 9 - r; k++) {
      ir_get(b, 1, r);
      ir(b, VMRUN_IR_ADD, 8, 0, 0, 1, 0, 0);
    }
  ir_put(b, 13, 0);
  ir_exit(b, b->pc + 16);
}

Test(ENGINE_SUITE, seven_cached_registers_around_calls)
{
  uint64_t want = 0;
  for (int k = 1; k <= 7; k++) FM->cpu->x[k] = 1000u * (uint64_t)k;
  for (unsigned r = 1; r <= 6; r++) want += (9 - r) * 1000u * r;
  fm_block(PC0, build_seven, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[7], 7001);
  EQ(FM->cpu->x[10], 7001);
  EQ(FM->cpu->x[11], 3000);
  EQ(FM->cpu->x[12], 10001);
  EQ(FM->cpu->x[13], want);
  cr_assert_eq(FM->n_mmio, 1);
  EQ(FM->mmio[0].off, 0x10);
  EQ(FM->mmio[0].is_write, 1);
  EQ(FM->mmio[0].val, 7001);
}

/* x1 <-> x2 through temps, then x3 = x1 read again: a temp read before a
** PUT of its register must keep the old value */
static void build_swap(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir_get(b, 1, 2);
  ir_put(b, 1, 1);
  ir_put(b, 2, 0);
  ir_insn(b, b->pc + 4);
  ir_get(b, 2, 1);
  ir_put(b, 3, 2);
  ir_exit(b, b->pc + 8);
}

Test(ENGINE_SUITE, swap_through_temps)
{
  FM->cpu->x[1] = 11;
  FM->cpu->x[2] = 22;
  fm_block(PC0, build_swap, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 22);
  EQ(FM->cpu->x[2], 11);
  EQ(FM->cpu->x[3], 22);
}

/* t0 = x1; x3 = t0 + 1; if (x9 != 0) goto L; t0 = 7; L: x2 = t0.
** The GET's value reaches the PUT only along the branch. */
static void build_temp_over_branch(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_ADD, 8, 3, 0, 0, 1, VMRUN_IR_F_BIMM);
  ir_put(b, 3, 3);
  ir_goto_if_x9(b, l);
  ir_movi(b, 0, 7);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_put(b, 2, 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, temp_live_across_a_branch)
{
  FM->cpu->x[1] = 40;
  FM->cpu->x[9] = 1;
  fm_block(PC0, build_temp_over_branch, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[2], 40);
  EQ(FM->cpu->x[3], 41);
  FM->cpu->x[9] = 0;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[2], 7);
}

/* insn0: x1 += 1 (a cached register, newer than the state in memory);
** insn1: a load that faults.  The trap must see x1 updated. */
static void build_dirty_fault(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_insn(b, b->pc + 4);
  ir_get(b, 1, 1);
  ir_movi(b, 2, 0x20000000);               /* unmapped */
  ir(b, VMRUN_IR_LD, 8, 2, 2, 0, 0, 0);
  ir(b, VMRUN_IR_ADD, 8, 2, 2, 1, 0, 0);
  ir_put(b, 1, 2);
  ir_exit(b, b->pc + 8);
}

Test(ENGINE_SUITE, register_written_before_a_fault_is_in_the_state)
{
  FM->cpu->x[1] = 41;
  fm_block(PC0, build_dirty_fault, NULL);
  cr_assert_eq(fm_run(PC0, 50), VMRUN_RUN_EXIT);
  cr_assert_eq(FM->n_faults, 1);
  EQ(FM->f_pc, PC0 + 4);
  EQ(FM->cpu->x[1], 42);
}

/* insn0: x1 += 1; if (x9 != 0) goto L; insn1: helper (adds 100 to x1,
** x2, x3, x5, x6); L: insn2: x4 = x1; exit.  Along the branch x1's new
** value must still reach the state at the exit. */
static void build_dirty_branch(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_goto_if_x9(b, l);
  ir_insn(b, b->pc + 4);
  ir(b, VMRUN_IR_CALL, 8, 2, 0, 0, (uint64_t)(uintptr_t)h_bump, 0);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_insn(b, b->pc + 8);
  ir_get(b, 0, 1);
  ir_put(b, 4, 0);
  ir_exit(b, b->pc + 12);
}

Test(ENGINE_SUITE, register_written_before_a_branch_reaches_the_exit)
{
  FM->cpu->x[1] = 10;
  FM->cpu->x[9] = 1;
  fm_block(PC0, build_dirty_branch, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 11);
  EQ(FM->cpu->x[4], 11);
  FM->cpu->x[9] = 0;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 112);
  EQ(FM->cpu->x[4], 112);
}

/* x = x op B on one register, 64- and 32-bit (OP, SEXT, PUT), with
** immediates, a register operand, the register itself as B, and a
** variable shift: tjit updates the cached register in place */
static void build_inplace(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);                      /* x1 += 0x7fffffff */
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_ADD, 8, 1, 0, 0, 0x7fffffff, VMRUN_IR_F_BIMM);
  ir_put(b, 1, 1);
  ir_insn(b, b->pc + 4);                  /* x1 <<= x2 (low 6 bits) */
  ir_get(b, 0, 1);
  ir_get(b, 2, 2);
  ir(b, VMRUN_IR_SHL, 8, 1, 0, 2, 0, 0);
  ir_put(b, 1, 1);
  ir_insn(b, b->pc + 8);                  /* x1 ^= x1 >> 3, via x3 = x1 */
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_SHR, 8, 1, 0, 0, 3, VMRUN_IR_F_BIMM);
  ir_put(b, 3, 1);
  ir_get(b, 0, 1);
  ir_get(b, 2, 3);
  ir(b, VMRUN_IR_XOR, 8, 1, 0, 2, 0, 0);
  ir_put(b, 1, 1);
  ir_insn(b, b->pc + 12);                 /* x4 = sext32(x4 + x4) */
  ir_get(b, 0, 4);
  ir(b, VMRUN_IR_ADD, 4, 1, 0, 0, 0, 0);
  ir(b, VMRUN_IR_SEXT, 4, 2, 1, 0, 0, 0);
  ir_put(b, 4, 2);
  ir_insn(b, b->pc + 16);                 /* x5 = sext32(x5 >> 4) (32-bit) */
  ir_get(b, 0, 5);
  ir(b, VMRUN_IR_SHR, 4, 1, 0, 0, 4, VMRUN_IR_F_BIMM);
  ir(b, VMRUN_IR_SEXT, 4, 2, 1, 0, 0, 0);
  ir_put(b, 5, 2);
  ir_insn(b, b->pc + 20);                 /* x6 = x1 + x4 + x5 */
  ir_get(b, 0, 1);
  ir_get(b, 1, 4);
  ir(b, VMRUN_IR_ADD, 8, 2, 0, 1, 0, 0);
  ir_get(b, 1, 5);
  ir(b, VMRUN_IR_ADD, 8, 3, 2, 1, 0, 0);
  ir_put(b, 6, 3);
  ir_exit(b, b->pc + 24);
}

Test(ENGINE_SUITE, register_updated_in_place)
{
  uint64_t x1 = 0x123456789ull, x4 = 0x40000001ull, x5 = 0xfffffff0ull;
  FM->cpu->x[1] = x1;
  FM->cpu->x[2] = 64 + 5;               /* shift by 5 */
  FM->cpu->x[4] = x4;
  FM->cpu->x[5] = x5;
  fm_block(PC0, build_inplace, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  x1 += 0x7fffffff;
  x1 <<= 5;
  EQ(FM->cpu->x[3], x1 >> 3);
  x1 ^= x1 >> 3;
  x4 = (uint64_t)(int64_t)(int32_t)(uint32_t)(x4 + x4);
  x5 = (uint64_t)(int64_t)(int32_t)((uint32_t)x5 >> 4);
  EQ(FM->cpu->x[1], x1);

  EQ(FM->cpu->x[4], x4);
  EQ(FM->cpu->x[5], x5);
  EQ(FM->cpu->x[6], x1 + x4 + x5);
}

/* ---- control flow and instruction accounting ---- */

/* insn0: if (x9 != 0) goto L;  insn1: x1 = 1;  insn2: x2 = 2;
** L: insn3: x3 = 3; exit */
static void build_skip(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  vmrun_ir_op *o;
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_get(b, 0, 9);
  ir_movi(b, 1, 0);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 1, l, 0);
  o->cond = VMRUN_IR_NE;
  ir_insn(b, b->pc + 4);
  ir_movi(b, 1, 1);
  ir_put(b, 1, 1);
  ir_insn(b, b->pc + 8);
  ir_movi(b, 1, 2);
  ir_put(b, 2, 1);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_insn(b, b->pc + 12);
  ir_movi(b, 1, 3);
  ir_put(b, 3, 1);
  ir_exit(b, b->pc + 16);
}

Test(ENGINE_SUITE, forward_branch_and_icount)
{
  fm_block(PC0, build_skip, NULL);
  FM->cpu->hdr.icount = 100;
  FM->cpu->x[9] = 0;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 1); EQ(FM->cpu->x[2], 2); EQ(FM->cpu->x[3], 3);
  EQ(FM->cpu->hdr.icount, 104);
  EQ(FM->cpu->hdr.pc, PC0 + 16);
  /* taken: insns 1 and 2 skipped, 2 retired */
  memset(FM->cpu->x, 0, sizeof FM->cpu->x);
  FM->cpu->x[9] = 5;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 0); EQ(FM->cpu->x[2], 0); EQ(FM->cpu->x[3], 3);
  EQ(FM->cpu->hdr.icount, 106);
  cr_assert_eq(FM->n_translate, 1);
}

/* A side exit (VMRUN_IR_BLK_SIDE_EXITS: the block goes on past a
** conditional branch whose label comes after the block's last exit):
** insn0: x1 += 1; insn1: if (x9) goto L; insn2: x2 += 1; insn3: x1 += 1;
** exit to pc + 16; L: exit to pc + 0x100. */
static void build_side_exit(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_insn(b, b->pc + 4);
  ir_goto_if_x9(b, l);
  ir_insn(b, b->pc + 8);
  ir_addi(b, 2, 0, 1);
  ir_insn(b, b->pc + 12);
  ir_addi(b, 1, 0, 1);
  ir_exit(b, b->pc + 16);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc + 0x100);
}

Test(ENGINE_SUITE, side_exit_retires_the_instructions_before_it)
{
  fm_block(PC0, build_side_exit, NULL);
  for (int round = 0; round < 2; round++) {   /* translated, then cached */
    FM->cpu->hdr.icount = 100;
    FM->cpu->x[1] = 10;
    FM->cpu->x[2] = 20;
    FM->cpu->x[9] = 1;                         /* taken: 2 retire */
    cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[1], 11); EQ(FM->cpu->x[2], 20);
    EQ(FM->cpu->hdr.icount, 102);
    EQ(FM->cpu->hdr.pc, PC0 + 0x100);
    FM->cpu->x[9] = 0;                         /* not taken: all 4 */
    cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[1], 13); EQ(FM->cpu->x[2], 21);
    EQ(FM->cpu->hdr.icount, 106);
    EQ(FM->cpu->hdr.pc, PC0 + 16);
  }
}

/* ---- loads and stores ---- */

static void build_ldst(vmrun_ir_block *b, void *arg)
{
  uint64_t base = *(uint64_t *)arg;
  (void)arg;
  ir_temps(b, 12);
  ir_insn(b, b->pc);
  ir_movi(b, 0, base);
  ir(b, VMRUN_IR_LD, 1, 1, 0, 0, 0, 0);
  ir(b, VMRUN_IR_LD, 1, 2, 0, 0, 0, VMRUN_IR_F_SIGNED);
  ir(b, VMRUN_IR_LD, 2, 3, 0, 0, 0, 0);
  ir(b, VMRUN_IR_LD, 2, 4, 0, 0, 0, VMRUN_IR_F_SIGNED);
  ir(b, VMRUN_IR_LD, 4, 5, 0, 0, 0, 0);
  ir(b, VMRUN_IR_LD, 4, 6, 0, 0, 0, VMRUN_IR_F_SIGNED);
  ir(b, VMRUN_IR_LD, 8, 7, 0, 0, 0, 0);
  for (unsigned i = 1; i <= 7; i++) ir_put(b, i, i);
  ir_movi(b, 8, 0x0102030405060708ull);
  ir(b, VMRUN_IR_ST, 1, 0, 0, 8, 16, 0);
  ir(b, VMRUN_IR_ST, 2, 0, 0, 8, 24, 0);
  ir(b, VMRUN_IR_ST, 4, 0, 0, 8, 32, 0);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 8, 40, 0);
  ir_exit(b, b->pc + 4);
}

static void check_ldst(uint64_t base, uint8_t *host)
{
  static const uint8_t pat[8] = { 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7,
                                  0xf8 };
  memcpy(host, pat, 8);
  memset(host + 16, 0xee, 40);
  FM->eng->flush(FM->eng_inst);
  fm_block(PC0, build_ldst, &base);
  for (int round = 0; round < 2; round++) { /* miss, then TLB hit */
    cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[1], 0x81);
    EQ(FM->cpu->x[2], 0xffffffffffffff81ull);
    EQ(FM->cpu->x[3], 0x9281);
    EQ(FM->cpu->x[4], 0xffffffffffff9281ull);
    EQ(FM->cpu->x[5], 0xb4a39281u);
    EQ(FM->cpu->x[6], 0xffffffffb4a39281ull);
    EQ(FM->cpu->x[7], 0xf8e7d6c5b4a39281ull);
    EQ(host[16], 0x08); EQ(host[17], 0xee);
    EQ(host[24], 0x08); EQ(host[25], 0x07); EQ(host[26], 0xee);
    EQ(host[32], 0x08); EQ(host[35], 0x05); EQ(host[36], 0xee);
    EQ(host[40], 0x08); EQ(host[47], 0x01); EQ(host[48], 0xee);
  }
}

Test(ENGINE_SUITE, ld_st_all_widths)
{
  check_ldst(RAM_BASE + 0x3000, FM->ram + 0x3000);
  /* misaligned base, same page */
  check_ldst(RAM_BASE + 0x5003, FM->ram + 0x5003);
}

Test(ENGINE_SUITE, ld_st_misaligned_across_page)
{
  /* the 8-byte load at base straddles 0x...7000; stores at +16.. too */
  check_ldst(RAM_BASE + 0x6ffd, FM->ram + 0x6ffd);
  uint64_t base2 = RAM_BASE + 0x7ff0 - 16 + 13; /* stores straddle */
  check_ldst(base2, FM->ram + (base2 - RAM_BASE));
}

/* t0 = va; x1 = LD8 [t0]; ST8 [t0 + 8] = 0x5a5a... */
static void build_ld_st_va(vmrun_ir_block *b, void *arg)
{
  uint64_t va = *(uint64_t *)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_movi(b, 0, va);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 0, 0);
  ir_put(b, 1, 1);
  ir_movi(b, 2, 0x5a5a5a5a5a5a5a5aull);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 2, 8, 0);
  ir_exit(b, b->pc + 4);
}

/* The inline hit path looks in slot VMRUN_TLB_INDEX(va) (vmrun/cpu.h): an
** entry planted there by hand for a VA outside RAM is used without the
** MMU (the slow path would give an access fault).  The VA's slot under
** the pre-1.7 index (bits 19:12 only) differs, so an engine still
** computing that one misses and faults. */
Test(ENGINE_SUITE, inline_tlb_probe_uses_folded_index)
{
  uint64_t va = 0x40401000ull;        /* Bare regime: no RAM there */
  unsigned slot = VMRUN_TLB_INDEX(va);
  vmrun_tlb_entry *e = &FM->cpu->hdr.tlb[FM->cpu->hdr.mmu_idx][slot];
  uint8_t *host = FM->ram + 0x9000;
  cr_assert_neq(slot, (unsigned)((va >> 12) & 0xff));
  memcpy(host, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
  memset(host + 8, 0, 8);
  e->addr_read = e->addr_write = va;
  e->addend = (uint64_t)(uintptr_t)host - va;
  FM->eng->flush(FM->eng_inst);
  fm_block(PC0, build_ld_st_va, &va);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->hdr.pc, PC0 + 4);
  EQ(FM->cpu->x[1], 0x8877665544332211ull);
  EQ(host[8], 0x5a); EQ(host[15], 0x5a);
}

/* insn0 (PC0): x1 = 1;  insn1 (PC0+4): x2 = LD [t] ; insn2 (PC0+8): x3 = 3 */
static void build_fault(vmrun_ir_block *b, void *arg)
{
  uint64_t va = *(uint64_t *)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_movi(b, 0, 1);
  ir_put(b, 1, 0);
  ir_insn(b, b->pc + 4);
  ir_movi(b, 1, va - 8);
  ir(b, VMRUN_IR_LD, 4, 2, 1, 0, 8, va & 1 ? VMRUN_IR_F_ALIGNED : 0);
  ir_put(b, 2, 2);
  ir_insn(b, b->pc + 8);
  ir_movi(b, 0, 3);
  ir_put(b, 3, 0);
  ir_exit(b, b->pc + 12);
}

Test(ENGINE_SUITE, load_fault_restores_state)
{
  uint64_t va = 0x20000000;
  fm_block(PC0, build_fault, &va);
  FM->cpu->hdr.icount = 1000;
  FM->cpu->x[2] = 77;
  cr_assert_eq(fm_run(PC0, 50), VMRUN_RUN_EXIT);
  cr_assert_eq(FM->n_faults, 1);
  EQ(FM->f_acc, VMRUN_ACCESS_LOAD);
  EQ(FM->f_fault, VMRUN_FAULT_ACCESS);
  EQ(FM->f_va, va);
  EQ(FM->f_pc, PC0 + 4);      /* pc of the faulting instruction */
  EQ(FM->f_icount, 1001);   /* one instruction completed before it */
  EQ(FM->cpu->hdr.icount, 1001);
  EQ(FM->cpu->hdr.insn_budget, 48); /* 1 retired + 1 for the exception */
  EQ(FM->cpu->hdr.pc, TRAP_PC);
  EQ(FM->cpu->x[1], 1);
  EQ(FM->cpu->x[2], 77);    /* not written */
  EQ(FM->cpu->x[3], 0);     /* later instruction not executed */
}

Test(ENGINE_SUITE, aligned_flag_faults_misaligned)
{
  uint64_t va = RAM_BASE + 0x101;
  fm_block(PC0, build_fault, &va);
  cr_assert_eq(fm_run(PC0, 50), VMRUN_RUN_EXIT);
  cr_assert_eq(FM->n_faults, 1);
  EQ(FM->f_fault, VMRUN_FAULT_MISALIGNED);
  EQ(FM->f_va, va);
  EQ(FM->f_pc, PC0 + 4);
}

static void build_store_fault(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_movi(b, 0, 0x30000000);
  ir_movi(b, 1, 5);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 1, 0x10, 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, store_fault)
{
  fm_block(PC0, build_store_fault, NULL);
  cr_assert_eq(fm_run(PC0, 50), VMRUN_RUN_EXIT);
  EQ(FM->f_acc, VMRUN_ACCESS_STORE);
  EQ(FM->f_va, 0x30000010);
  EQ(FM->f_pc, PC0);
  EQ(FM->cpu->hdr.icount, 0);
}

static void build_mmio(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_movi(b, 0, MMIO_BASE);
  ir(b, VMRUN_IR_LD, 4, 1, 0, 0, 4, 0);
  ir_put(b, 1, 1);
  ir_movi(b, 2, 0x1234beef);
  ir(b, VMRUN_IR_ST, 2, 0, 0, 2, 8, 0);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 3, 0); /* misaligned: split to bytes */
  ir_put(b, 2, 1);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, mmio_load_store)
{
  fm_block(PC0, build_mmio, NULL);
  FM->mmio_read_val = 0xcafef00d;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 0xcafef00d);
  cr_assert_eq(FM->n_mmio, 2 + 8);
  EQ(FM->mmio[0].off, 4); EQ(FM->mmio[0].size, 4); EQ(FM->mmio[0].is_write, 0);
  EQ(FM->mmio[1].off, 8); EQ(FM->mmio[1].size, 2); EQ(FM->mmio[1].is_write, 1);
  EQ(FM->mmio[1].val & 0xffff, 0xbeef);
  for (int i = 0; i < 8; i++) {
    EQ(FM->mmio[2 + i].off, 3 + i);
    EQ(FM->mmio[2 + i].size, 1);
  }
  /* never cached: a second run reaches the device again */
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_mmio, 20);
}

/* ---- self-modifying code ---- */

static uint64_t smc_version;

/* code at PC0 + 0x1000: x1 = version; store to its own page; exit */
static void build_smc(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_movi(b, 0, smc_version);
  ir_put(b, 1, 0);
  ir_insn(b, b->pc + 4);
  ir_movi(b, 0, PC0 + 0x1000);
  ir(b, VMRUN_IR_ST, 4, 0, 0, 0, 0x80, 0);
  ir_exit(b, b->pc + 8);
}

/* code at PC0 + 0x2000: store to PC0 + 0x1080 */
static void build_writer(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 1);
  ir_insn(b, b->pc);
  ir_movi(b, 0, PC0 + 0x1080);
  ir(b, VMRUN_IR_ST, 4, 0, 0, 0, 0, 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, self_modifying_code)
{
  char buf[256];
  fm_block(PC0 + 0x1000, build_smc, NULL);
  fm_block(PC0 + 0x2000, build_writer, NULL);
  /* the writer fills the write TLB for the page before it holds code */
  cr_assert_eq(fm_run(PC0 + 0x2000, 1), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_cw, 0);
  smc_version = 1;
  /* translating PC0+0x1000 makes its page code; its own store invalidates
  ** it while it runs (deferred free) */
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 1);
  cr_assert_eq(FM->n_translate, 2);
  cr_assert_eq(FM->n_cw, 1);
  EQ(FM->cw_gpa[0], PC0 + 0x1080);
  EQ(FM->cw_len[0], 4);
  EQ(FM->ram[0x1080], (uint8_t)(PC0 + 0x1000));
  smc_version = 2;
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 2); /* re-translated */
  cr_assert_eq(FM->n_translate, 3);
  cr_assert_eq(FM->n_cw, 2);
  /* v2 invalidated itself, so the page holds no code any more: the
  ** writer's store is a plain RAM store again */
  cr_assert_eq(fm_run(PC0 + 0x2000, 1), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_cw, 2);
  smc_version = 3;
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 3);
  cr_assert_eq(FM->n_translate, 4);
  FM->eng->stats(FM->eng_inst, buf, sizeof buf);
  cr_assert(strstr(buf, "blocks_translated 4\n"), "%s", buf);
  cr_assert(strstr(buf, "blocks_invalidated 3\n"), "%s", buf);
  cr_assert(strstr(buf, "flushes 0\n"), "%s", buf);
}

/* ---- block entry contract ---- */

static void build_loop3(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 1);
  for (int i = 0; i < 3; i++) {
    ir_insn(b, b->pc + 4 * i);
    ir_addi(b, 1, 0, 1);
  }
  ir_exit(b, b->pc);
}

Test(ENGINE_SUITE, exit_request_and_halt_at_block_entry)
{
  fm_block(PC0, build_loop3, NULL);
  FM->cpu->hdr.exit_request = VMRUN_EXIT_IRQ;
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_EXIT);
  cr_assert_eq(FM->cpu->hdr.exit_request, VMRUN_EXIT_IRQ); /* not cleared */
  cr_assert_eq(FM->n_translate, 0);
  EQ(FM->cpu->hdr.icount, 0);
  FM->cpu->hdr.exit_request = 0;
  FM->cpu->hdr.halted = 1;
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_HALT);
  EQ(FM->cpu->hdr.icount, 0);
  FM->cpu->hdr.halted = 0;
  cr_assert_eq(fm_run(PC0, 0), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->hdr.icount, 0);
}

Test(ENGINE_SUITE, budget_accounting)
{
  fm_block(PC0, build_loop3, NULL);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  /* checked at block entry only: 4 blocks of 3, saturating at 0 */
  EQ(FM->cpu->hdr.icount, 12);
  EQ(FM->cpu->hdr.insn_budget, 0);
  EQ(FM->cpu->x[1], 12);
  cr_assert_eq(fm_run(PC0, 9), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->hdr.icount, 21);
  cr_assert_eq(FM->n_translate, 1);
}

/* ---- CALL ---- */

static uint64_t seen_pc, seen_icount, seen_args[3];
static unsigned helper_trap;
static uint64_t helper_target;

static uint64_t h_record(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  seen_pc = cpu->pc;
  seen_icount = cpu->icount;
  seen_args[0] = a; seen_args[1] = b; seen_args[2] = c;
  if (helper_trap) {
    cpu->pc = helper_target;
    cpu->trap_taken = helper_trap;
  }
  return a + b + c;
}

static unsigned call_flags;

/* insn0: x1 = 1; insn1: x4 = call(10, 20, 30); insn2: x2 = 2 */
static void build_call(vmrun_ir_block *b, void *arg)
{
  vmrun_ir_op *o;
  (void)arg;
  ir_temps(b, 5);
  ir_insn(b, b->pc);
  ir_movi(b, 0, 1);
  ir_put(b, 1, 0);
  ir_insn(b, b->pc + 4);
  ir_movi(b, 1, 10); ir_movi(b, 2, 20); ir_movi(b, 3, 30);
  o = ir(b, VMRUN_IR_CALL, 8, 4, 1, 2, (uint64_t)(uintptr_t)h_record,
         call_flags);
  o->c = 3;
  ir_put(b, 4, 4);
  ir_insn(b, b->pc + 8);
  ir_movi(b, 0, 2);
  ir_put(b, 2, 0);
  ir_exit(b, b->pc + 12);
}

Test(ENGINE_SUITE, call_plain)
{
  call_flags = VMRUN_IR_F_PURE;
  helper_trap = 0;
  fm_block(PC0, build_call, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[4], 60);
  EQ(seen_args[0], 10); EQ(seen_args[1], 20); EQ(seen_args[2], 30);
  EQ(FM->cpu->hdr.icount, 3);
  EQ(FM->cpu->hdr.pc, PC0 + 12);
}

Test(ENGINE_SUITE, call_may_fault_syncs_pc_icount)
{
  call_flags = VMRUN_IR_F_MAY_FAULT;
  helper_trap = 0;
  fm_block(PC0, build_call, NULL);
  FM->cpu->hdr.icount = 500;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(seen_pc, PC0 + 4);
  EQ(seen_icount, 501);
  EQ(FM->cpu->hdr.icount, 503);
  EQ(FM->cpu->x[2], 2);
  EQ(FM->cpu->hdr.pc, PC0 + 12);
}

Test(ENGINE_SUITE, call_end_trap_done_retires)
{
  call_flags = VMRUN_IR_F_END;
  helper_trap = VMRUN_TRAP_DONE;
  helper_target = PC0 + 0x400;
  fm_block(PC0, build_call, NULL);
  FM->cpu->hdr.icount = 500;
  cr_assert_eq(fm_run(PC0, 2), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->hdr.pc, PC0 + 0x400);
  EQ(FM->cpu->hdr.trap_taken, 0);
  EQ(FM->cpu->hdr.icount, 502);
  EQ(FM->cpu->hdr.insn_budget, 0);
  EQ(FM->cpu->x[4], 0); /* the block ended right after the helper */
  EQ(FM->cpu->x[2], 0);
  cr_assert_eq(FM->n_translate, 1);
}

Test(ENGINE_SUITE, call_end_trap_raised_does_not_retire)
{
  call_flags = VMRUN_IR_F_END | VMRUN_IR_F_MAY_FAULT;
  helper_trap = VMRUN_TRAP_RAISED;
  helper_target = PC0 + 0x400;
  fm_block(PC0, build_call, NULL);
  FM->cpu->hdr.icount = 500;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(seen_pc, PC0 + 4);
  EQ(seen_icount, 501);
  EQ(FM->cpu->hdr.pc, PC0 + 0x400);
  EQ(FM->cpu->hdr.trap_taken, 0);
  EQ(FM->cpu->hdr.icount, 501);
  EQ(FM->cpu->x[1], 1);
  EQ(FM->cpu->x[2], 0);
}

/* A trap raised by a helper in a block entered by a chain charges the
** budget as in one the dispatcher entered: the instructions of the
** blocks before it, those of its own block and one for the exception
** (engine.h).  (tjit keeps the counter in a register and hands the
** block-entry budget to its trap path.) */
Test(ENGINE_SUITE, call_end_trap_in_chained_block_charges_the_budget)
{
  static inc_blk a = { 1, 1, PC0 + 0x1000 };
  inc_blk after = { 3, 1, PC0 + 0x400 };
  call_flags = VMRUN_IR_F_END | VMRUN_IR_F_MAY_FAULT;
  helper_trap = VMRUN_TRAP_RAISED;
  helper_target = PC0 + 0x400;
  fm_block(PC0, build_inc, &a);
  fm_block(PC0 + 0x1000, build_call, NULL);
  fm_block(PC0 + 0x400, build_inc, &after);
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);   /* links A -> B */
  FM->cpu->hdr.icount = 500;
  FM->cpu->x[3] = 0;
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->hdr.pc, PC0 + 0x400);
  EQ(FM->cpu->hdr.icount, 502);
  EQ(FM->cpu->hdr.insn_budget, 0);
  EQ(FM->cpu->x[3], 0);                  /* nothing ran after the trap */
}

Test(ENGINE_SUITE, call_end_without_trap_continues)
{
  call_flags = VMRUN_IR_F_END;
  helper_trap = 0;
  fm_block(PC0, build_call, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[4], 60);
  EQ(FM->cpu->x[2], 2);
  EQ(FM->cpu->hdr.icount, 3);
  EQ(FM->cpu->hdr.pc, PC0 + 12);
}

/* ---- chained execution ---- */

/* PC0: x1 += 1; x2 -= 1; if (x2 != 0) -> PC0 else -> PC0 + 0x100 (indirect)
** PC0 + 0x100: wfi helper: halted = 1, pc = PC0 + 0x104, trap DONE */
static void build_count(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  vmrun_ir_op *o;
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_insn(b, b->pc + 4);
  ir_get(b, 0, 2);
  ir(b, VMRUN_IR_SUB, 8, 0, 0, 0, 1, VMRUN_IR_F_BIMM);
  ir_put(b, 2, 0);
  ir_insn(b, b->pc + 8);
  ir_movi(b, 1, 0);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 1, l, 0);
  o->cond = VMRUN_IR_EQ;
  ir_exit(b, b->pc);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_movi(b, 1, b->pc + 0x100);
  ir(b, VMRUN_IR_EXIT_INDIRECT, 8, 0, 1, 0, 0, 0);
}

static uint64_t h_wfi(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  (void)a; (void)b; (void)c;
  cpu->halted = 1;
  cpu->pc = PC0 + 0x104;
  cpu->trap_taken = VMRUN_TRAP_DONE;
  return 0;
}

static void build_wfi(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 1);
  ir_insn(b, b->pc);
  ir(b, VMRUN_IR_CALL, 8, 0, 0, 0, (uint64_t)(uintptr_t)h_wfi,
     VMRUN_IR_F_END);
  ir(b, VMRUN_IR_EXIT, 8, 0, 0, 0, 0, 0);
}

Test(ENGINE_SUITE, chained_blocks)
{
  fm_block(PC0, build_count, NULL);
  fm_block(PC0 + 0x100, build_wfi, NULL);
  FM->cpu->x[2] = 1000;
  cr_assert_eq(fm_run(PC0, 1000000), VMRUN_RUN_HALT);
  EQ(FM->cpu->x[1], 1000);
  EQ(FM->cpu->x[2], 0);
  EQ(FM->cpu->hdr.icount, 3001);
  EQ(FM->cpu->hdr.insn_budget, 1000000 - 3001);
  EQ(FM->cpu->hdr.pc, PC0 + 0x104);
  cr_assert_eq(FM->n_translate, 2);
}

/* ---- fetch faults, errors, cache maintenance ---- */

Test(ENGINE_SUITE, fetch_faults)
{
  /* no code registered there: the frontend reports a fetch fault */
  cr_assert_eq(fm_run(PC0 + 0x800, 10), VMRUN_RUN_EXIT);
  EQ(FM->n_faults, 1);
  EQ(FM->f_acc, VMRUN_ACCESS_FETCH);
  EQ(FM->f_fault, VMRUN_FAULT_ACCESS);
  EQ(FM->f_va, PC0 + 0x800);
  EQ(FM->cpu->hdr.pc, TRAP_PC);
  /* unmapped PA: the MMU refuses the fetch translation */
  FM->cpu->hdr.exit_request = 0;
  cr_assert_eq(fm_run(0x40000000, 10), VMRUN_RUN_EXIT);
  EQ(FM->n_faults, 2);
  EQ(FM->f_va, 0x40000000);
  EQ(FM->f_acc, VMRUN_ACCESS_FETCH);
  cr_assert_eq(FM->n_translate, 1);
}

static void build_trace_exit(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_insn(b, b->pc);
  ir_exit(b, b->pc + 4);
}

static void build_overflow(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  build_trace_exit(b, NULL);
  b->overflow = 1;
}

static void build_backward(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_insn(b, b->pc);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir(b, VMRUN_IR_BR, 8, 0, 0, 0, l, 0);
}

static void build_bad_temp(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_movi(b, 2000, 1);
  ir_exit(b, b->pc + 4);
}

static void build_bad_state(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir(b, VMRUN_IR_PUT, 8, 0, 0, 0, sizeof(fake_cpu) - 4, 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, translation_errors)
{
  FM->translate_ret = -VMRUN_EINVAL;
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_ERROR);
  cr_assert_gt(FM->n_log_err, 0);
  FM->translate_ret = 0;
  fm_block(PC0, build_overflow, NULL);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_ERROR);
  fm_block(PC0, build_backward, NULL);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_ERROR);
  fm_block(PC0, build_bad_temp, NULL);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_ERROR);
  fm_block(PC0, build_bad_state, NULL);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_ERROR);
  fm_block(PC0, build_trace_exit, NULL);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
}

Test(ENGINE_SUITE, invalidate_flush_vcache)
{
  char buf[256];
  fm_block(PC0, build_loop3, NULL);
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_translate, 1);
  FM->eng->vcache_flush(FM->eng_inst, &FM->cpu->hdr);
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_translate, 1); /* found in the hash table */
  FM->eng->invalidate(FM->eng_inst, PC0 + 0x1000, 0x1000); /* other page */
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_translate, 1);
  FM->eng->invalidate(FM->eng_inst, PC0 + 8, 1);
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_translate, 2);
  FM->eng->invalidate(FM->eng_inst, 0, ~0ull); /* everything, by scan */
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_translate, 3);
  FM->eng->flush(FM->eng_inst);
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_translate, 4);
  EQ(FM->cpu->x[1], 18);
  FM->eng->stats(FM->eng_inst, buf, sizeof buf);
#ifdef ENGINE_EXTRA_STATS
  /* interp's three lines first; an engine may add its own after them */
  cr_assert(!strncmp(buf, "blocks_translated 4\nblocks_invalidated 2\n"
                          "flushes 1\n", 51), "%s", buf);
#else
  /* lookups by physical address: the first run, and once after each of
  ** the vcache flush, the two invalidations of the block and the flush
  ** (the other page's invalidation left the jump cache alone) */
  cr_assert_str_eq(buf, "blocks_translated 4\nblocks_invalidated 2\n"
                        "flushes 1\ninterp_lookups 5\n");
#endif
}

#ifndef ENGINE_EXTRA_STATS
/* A -> B -> A where B's pc shares A's jump-cache slot: each evicts the
** other, and the interpreter finds the evicted one as the slot's victim
** instead of walking the page table and the block hash again. */
Test(ENGINE_SUITE, blocks_sharing_a_jump_cache_slot)
{
  static inc_blk a = { 1, 1, 0 }, bb = { 2, 1, PC0 };
  char buf[256];
  uint64_t pcb = 0;
  for (uint64_t pc = PC0 + 4; pc < PC0 + VMRUN_PAGE_SIZE && !pcb; pc += 4)
    if (INTERP_JC_IDX(pc) == INTERP_JC_IDX(PC0)) pcb = pc;
  cr_assert_neq(pcb, 0, "no pc shares PC0's jump-cache slot in its page");
  a.next = pcb;
  fm_block(PC0, build_inc, &a);
  fm_block(pcb, build_inc, &bb);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 50);
  EQ(FM->cpu->x[2], 50);
  cr_assert_eq(FM->n_translate, 2);
  FM->eng->stats(FM->eng_inst, buf, sizeof buf);
  cr_assert(strstr(buf, "\ninterp_lookups 2\n"), "%s", buf);
  /* a dropped block is not found among the victims: B changes */
  bb.inc = 10;
  FM->eng->invalidate(FM->eng_inst, pcb, 4);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100);
  EQ(FM->cpu->x[2], 50 + 500);
}
#endif

static void build_flags(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 1);
  ir_insn(b, b->pc);
  ir_movi(b, 0, b->tb_flags);
  ir_put(b, 1, 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, tb_flags_key_blocks)
{
  fm_block(PC0, build_flags, NULL);
  FM->cpu->hdr.tb_flags = 0;
  fm_run(PC0, 1);
  EQ(FM->cpu->x[1], 0);
  FM->cpu->hdr.tb_flags = 7;
  fm_run(PC0, 1);
  EQ(FM->cpu->x[1], 7);
  FM->cpu->hdr.tb_flags = 0;
  fm_run(PC0, 1);
  EQ(FM->cpu->x[1], 0);
  cr_assert_eq(FM->n_translate, 2);
}

/* ---- fused forms (peephole superinstructions) against a reference ---- */

static const unsigned alu_ops[] = {
  VMRUN_IR_ADD, VMRUN_IR_SUB, VMRUN_IR_MUL, VMRUN_IR_AND, VMRUN_IR_OR,
  VMRUN_IR_XOR, VMRUN_IR_SHL, VMRUN_IR_SHR, VMRUN_IR_SAR
};

static uint64_t alu_ref(unsigned op, uint64_t a, uint64_t b)
{
  switch (op) {
  case VMRUN_IR_ADD: return a + b;
  case VMRUN_IR_SUB: return a - b;
  case VMRUN_IR_MUL: return a * b;
  case VMRUN_IR_AND: return a & b;
  case VMRUN_IR_OR: return a | b;
  case VMRUN_IR_XOR: return a ^ b;
  case VMRUN_IR_SHL: return a << (b & 63);
  case VMRUN_IR_SHR: return a >> (b & 63);
  default: return (uint64_t)((int64_t)a >> (b & 63));
  }
}

static unsigned fz_op, fz_cond;
static uint64_t fz_imm;

static void build_fused(vmrun_ir_block *b, void *arg)
{
  uint32_t l1 = vmrun_ir_label(b), l2 = vmrun_ir_label(b);
  vmrun_ir_op *o;
  (void)arg;
  ir_temps(b, 10);
  ir_insn(b, b->pc);
  /* GGAP */
  ir_get(b, 0, 1); ir_get(b, 1, 2);
  ir(b, fz_op, 8, 2, 0, 1, 0, 0);
  ir_put(b, 3, 2);
  ir_put(b, 4, 0); ir_put(b, 5, 1);
  /* GAP */
  ir_get(b, 3, 1);
  ir(b, fz_op, 8, 4, 3, 0, fz_imm, VMRUN_IR_F_BIMM);
  ir_put(b, 6, 4);
  ir_put(b, 7, 3);
  /* AP_R, AP_I */
  ir(b, fz_op, 8, 5, 0, 1, 0, 0);
  ir_put(b, 8, 5);
  ir(b, fz_op, 8, 6, 0, 0, fz_imm, VMRUN_IR_F_BIMM);
  ir_put(b, 9, 6);
  /* GGBR */
  ir_movi(b, 7, 1);
  ir_get(b, 0, 1); ir_get(b, 1, 2);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 1, l1, 0);
  o->cond = (uint8_t)fz_cond;
  ir_movi(b, 7, 2);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l1, 0);
  ir_put(b, 10, 7); ir_put(b, 11, 0); ir_put(b, 12, 1);
  /* GIBR */
  ir_movi(b, 8, 1);
  ir_get(b, 0, 1);
  ir_movi(b, 1, fz_imm);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 1, l2, 0);
  o->cond = (uint8_t)fz_cond;
  ir_movi(b, 8, 2);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l2, 0);
  ir_put(b, 13, 8); ir_put(b, 14, 1); ir_put(b, 15, 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, fused_forms_match_reference)
{
  static const uint64_t va[] = { 0, 5, 0x8000000000000001ull, ~0ull,
                                 0x123456789abcdef0ull };
  static const uint64_t vb[] = { 0, 3, 63, 64, ~0ull, 0x8000000000000000ull };
  fm_block(PC0, build_fused, NULL);
  for (unsigned k = 0; k < 9; k++)
    for (unsigned i = 0; i < 5; i++)
      for (unsigned j = 0; j < 6; j++) {
        uint64_t a = va[i], bv = vb[j];
        fz_op = alu_ops[k];
        fz_cond = (i + j + k) % VMRUN_IR_NB_CONDS;
        fz_imm = vb[(j + 1) % 6];
        FM->eng->flush(FM->eng_inst);
        memset(FM->cpu->x, 0, sizeof FM->cpu->x);
        FM->cpu->x[1] = a;
        FM->cpu->x[2] = bv;
        cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
        EQ(FM->cpu->x[3], alu_ref(fz_op, a, bv));
        EQ(FM->cpu->x[4], a);
        EQ(FM->cpu->x[5], bv);
        EQ(FM->cpu->x[6], alu_ref(fz_op, a, fz_imm));
        EQ(FM->cpu->x[7], a);
        EQ(FM->cpu->x[8], alu_ref(fz_op, a, bv));
        EQ(FM->cpu->x[9], alu_ref(fz_op, a, fz_imm));
        EQ(FM->cpu->x[10], cmp_ref(fz_cond, 8, a, bv) ? 1 : 2);
        EQ(FM->cpu->x[11], a);
        EQ(FM->cpu->x[12], bv);
        EQ(FM->cpu->x[13], cmp_ref(fz_cond, 8, a, fz_imm) ? 1 : 2);
        EQ(FM->cpu->x[14], fz_imm);
        EQ(FM->cpu->x[15], a);
      }
  /* all six conditions of both fused branch forms */
  for (unsigned c = 0; c < VMRUN_IR_NB_CONDS; c++)
    for (unsigned i = 0; i < NV; i++)
      for (unsigned j = 0; j < NV; j += 2) {
        fz_op = VMRUN_IR_ADD;
        fz_cond = c;
        fz_imm = cmp_vals[j];
        FM->eng->flush(FM->eng_inst);
        FM->cpu->x[1] = cmp_vals[i];
        FM->cpu->x[2] = cmp_vals[j];
        cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
        EQ(FM->cpu->x[10], cmp_ref(c, 8, cmp_vals[i], cmp_vals[j]) ? 1 : 2);
        EQ(FM->cpu->x[13], cmp_ref(c, 8, cmp_vals[i], cmp_vals[j]) ? 1 : 2);
      }
}

/* GET, GET, CALL(ta, tb, ta), PUT: the interpreter's GGCP form (the
** riscv64 F/D helpers), and three near misses that must not be fused
** (third argument not ta, a MAY_FAULT call, a 4-byte PUT), then the
** three-GET form G3CP */
static void build_ggcp(vmrun_ir_block *b, void *arg)
{
  vmrun_ir_op *o;
  (void)arg;
  ir_temps(b, 16);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1); ir_get(b, 1, 2);
  o = ir(b, VMRUN_IR_CALL, 8, 2, 0, 1, (uint64_t)(uintptr_t)h_record, 0);
  o->c = 0;
  ir_put(b, 3, 2);
  ir_put(b, 4, 0); ir_put(b, 5, 1); ir_put(b, 6, 2);
  /* c = tb */
  ir_get(b, 3, 1); ir_get(b, 4, 2);
  o = ir(b, VMRUN_IR_CALL, 8, 5, 3, 4, (uint64_t)(uintptr_t)h_record, 0);
  o->c = 4;
  ir_put(b, 7, 5);
  /* MAY_FAULT */
  ir_get(b, 6, 1); ir_get(b, 7, 2);
  o = ir(b, VMRUN_IR_CALL, 8, 8, 6, 7, (uint64_t)(uintptr_t)h_record,
         VMRUN_IR_F_MAY_FAULT);
  o->c = 6;
  ir_put(b, 8, 8);
  /* 4-byte PUT */
  ir_get(b, 9, 1); ir_get(b, 10, 2);
  o = ir(b, VMRUN_IR_CALL, 8, 11, 9, 10, (uint64_t)(uintptr_t)h_record, 0);
  o->c = 9;
  ir(b, VMRUN_IR_PUT, 4, 0, 11, 0, XOFF(9), 0);
  /* three GETs (G3CP): x10 = x1 + x2 + x11, temporaries to x12..x15 */
  ir_get(b, 12, 1); ir_get(b, 13, 2); ir_get(b, 14, 11);
  o = ir(b, VMRUN_IR_CALL, 8, 15, 12, 13, (uint64_t)(uintptr_t)h_record, 0);
  o->c = 14;
  ir_put(b, 10, 15);
  ir_put(b, 12, 12); ir_put(b, 13, 13); ir_put(b, 14, 14); ir_put(b, 15, 15);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, fused_call_matches_reference)
{
  helper_trap = 0;
  fm_block(PC0, build_ggcp, NULL);
  memset(FM->cpu->x, 0, sizeof FM->cpu->x);
  FM->cpu->x[1] = 0x1000000000ull;
  FM->cpu->x[2] = 7;
  FM->cpu->x[9] = ~0ull;
  FM->cpu->x[11] = 0x300;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[3], 2 * 0x1000000000ull + 7);
  EQ(FM->cpu->x[4], 0x1000000000ull);          /* temporaries still set */
  EQ(FM->cpu->x[5], 7);
  EQ(FM->cpu->x[6], 2 * 0x1000000000ull + 7);
  EQ(FM->cpu->x[7], 0x1000000000ull + 14);
  EQ(FM->cpu->x[8], 2 * 0x1000000000ull + 7);
  EQ(FM->cpu->x[9], 0xffffffff00000007ull);    /* low 4 bytes written */
  EQ(FM->cpu->x[10], 0x1000000000ull + 7 + 0x300);
  EQ(FM->cpu->x[12], 0x1000000000ull);
  EQ(FM->cpu->x[13], 7);
  EQ(FM->cpu->x[14], 0x300);
  EQ(FM->cpu->x[15], 0x1000000000ull + 7 + 0x300);
  EQ(seen_args[0], 0x1000000000ull);            /* the last call's */
  EQ(seen_args[1], 7);
  EQ(seen_args[2], 0x300);
}

/* a branch into the middle of what would otherwise be fused */
static void build_label_split(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_movi(b, 0, 100);
  ir_get(b, 1, 9);
  ir_movi(b, 2, 0);
  vmrun_ir_op *o = ir(b, VMRUN_IR_BRCOND, 8, 0, 1, 2, l, 0);
  o->cond = VMRUN_IR_NE;
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir(b, VMRUN_IR_ADD, 8, 0, 0, 0, 1, VMRUN_IR_F_BIMM);
  ir_put(b, 3, 0);
  ir_exit(b, b->pc + 4);
}

Test(ENGINE_SUITE, label_splits_fusion)
{
  fm_block(PC0, build_label_split, NULL);
  FM->cpu->x[1] = 7;
  FM->cpu->x[9] = 0;
  fm_run(PC0, 1);
  EQ(FM->cpu->x[3], 8);
  FM->cpu->x[9] = 1;
  fm_run(PC0, 1);
  EQ(FM->cpu->x[3], 101);
}

static void trace_setup(void)
{
  cr_redirect_stderr();
  fm_trace = 1;
  fm_setup(1, 32);
  fm_trace = 0;
}

Test(ENGINE_TRACE_SUITE, trace_logs_each_block, .init = trace_setup,
     .fini = teardown)
{
  fm_block(PC0, build_loop3, NULL);
  cr_assert_eq(fm_run(PC0, 6), VMRUN_RUN_BUDGET);
  fflush(stderr);
  cr_assert_stderr_eq_str("trace: pc=0x0000000080000000\n"
                          "trace: pc=0x0000000080000000\n");
}
