/*
** tests/tjit/test_fp.c - binary64 operations hinted VMRUN_IR_F_FP
** (vmrun/ir.h): tjit computes them in generated code, leaves their flags
** pending in the host's MXCSR until the next call to C or exit (codegen.c,
** "Pending FP flags"), and calls the helper only for NaN results.  For
** every operation and every pair (triple) of operand classes (normal,
** exact and inexact, huge, tiny, subnormal, zero, infinity, quiet and
** signalling NaN), with inexact clear and set and with stale host flags,
** the block's result and accrued flags must equal the helper's own
** (comparisons: their 0 or 1 and the invalid flag for NaNs), and the
** cases the inline code must handle must not call the helper.  Fake
** host + frontend from tests/engine/harness.c (accrued flags:
** fake_cpu.b32, RISC-V's fflags layout), real softmmu.
*/
#include <criterion/criterion.h>
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "../../plugins/tjit/tjit.h"   /* host_fma */
#include "../../plugins/tjit/tjit_int.h"  /* tjit_flush_all */

#define PC0 RAM_BASE
#define NX 1u

static unsigned g_op;      /* the operation h_ref computes */
static unsigned g_calls;   /* h_ref calls */
static int g_canon;        /* h_ref returns RISC-V's canonical NaN */
#define CANON 0x7ff8000000000000ull

static double as_d(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static uint64_t bits(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }

/* the helper: the host's IEEE operation, flags from the host's fenv
** (bit 0 inexact, 1 underflow, 2 overflow, 3 divide by zero, 4 invalid) */
static uint64_t ref(fake_cpu *fc, uint64_t a, uint64_t b, uint64_t c)
{
  volatile double x = as_d(a), y = as_d(b), z = as_d(c), r;
  int ex;
  feclearexcept(FE_ALL_EXCEPT);
  switch (g_op) {
  case VMRUN_IR_FP_ADD: r = x + y; break;
  case VMRUN_IR_FP_SUB: r = x - y; break;
  case VMRUN_IR_FP_MUL: r = x * y; break;
  case VMRUN_IR_FP_DIV: r = x / y; break;
  case VMRUN_IR_FP_SQRT: r = sqrt(x); break;
  case VMRUN_IR_FP_MADD: r = fma(x, y, z); break;
  case VMRUN_IR_FP_MSUB: r = fma(x, y, -z); break;
  case VMRUN_IR_FP_NMSUB: r = fma(-x, y, z); break;
  case VMRUN_IR_FP_NMADD: r = fma(-x, y, -z); break;
  case VMRUN_IR_FP_CVT_D_W: r = (double)(int32_t)a; break;
  case VMRUN_IR_FP_CVT_D_WU: r = (double)(uint32_t)a; break;
  case VMRUN_IR_FP_CVT_D_L: r = (double)(int64_t)a; break;
  default: {
    /* comparisons (RISC-V FEQ/FLT/FLE): 1 or 0; invalid for a signalling
    ** NaN (EQ) or any NaN (LT, LE) */
    int nan = isnan(x) || isnan(y);
    int snan = (isnan(x) && !(a >> 51 & 1)) || (isnan(y) && !(b >> 51 & 1));
    fc->b32 |= (g_op == VMRUN_IR_FP_EQ ? snan : nan) ? 16u : 0;
    if (nan) return 0;
    return g_op == VMRUN_IR_FP_EQ ? x == y : g_op == VMRUN_IR_FP_LT ? x < y
                                                                   : x <= y;
  }
  }
  ex = fetestexcept(FE_ALL_EXCEPT);
  fc->b32 |= (ex & FE_INEXACT ? 1u : 0) | (ex & FE_UNDERFLOW ? 2u : 0) |
             (ex & FE_OVERFLOW ? 4u : 0) | (ex & FE_DIVBYZERO ? 8u : 0) |
             (ex & FE_INVALID ? 16u : 0);
  return bits(r);
}

/* as plugins/riscv64/fp.c does, the helper leaves the host's MXCSR as it
** found it (flags included) */
static uint64_t h_ref(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  unsigned mx = __builtin_ia32_stmxcsr();
  uint64_t r;
  g_calls++;
  r = ref((fake_cpu *)cpu, a, b, c);
  if (g_canon && g_op < VMRUN_IR_FP_EQ && isnan(as_d(r))) r = CANON;
  __builtin_ia32_ldmxcsr(mx);
  return r;
}

/* x4 = op(x1, x2, x3); then x7 = x6 + x8 + x9 + x1, read before the call
** and after it, so that caller-saved host registers caching guest
** registers must survive the helper call */
static void build_fp(vmrun_ir_block *b, void *arg)
{
  unsigned op = (unsigned)(uintptr_t)arg;
  vmrun_ir_op *o;
  ir_temps(b, 12);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir_get(b, 1, 2);
  ir_get(b, 2, 3);
  ir_get(b, 5, 6);
  ir_get(b, 6, 8);
  ir_get(b, 7, 9);
  ir(b, VMRUN_IR_ADD, 8, 8, 5, 6, 0, 0);
  o = ir(b, VMRUN_IR_CALL, 8, 3, 0, 1, (uint64_t)(uintptr_t)h_ref,
         VMRUN_IR_F_FP | VMRUN_IR_F_NOREGS);
  o->c = 2;
  o->cond = (uint8_t)op;
  ir_put(b, 4, 3);
  ir_get(b, 9, 9);
  ir(b, VMRUN_IR_ADD, 8, 10, 8, 9, 0, 0);
  ir_get(b, 11, 1);
  ir(b, VMRUN_IR_ADD, 8, 10, 10, 11, 0, 0);
  ir_put(b, 7, 10);
  ir_exit(b, b->pc + 4);
}

/* one block per operation, at PC0 + 0x100 * op */
static void fp_setup(int fp_inline)
{
  memset(fm_engine_opts, 0, sizeof fm_engine_opts);
  if (!fp_inline) fm_engine_opts[0] = (fm_opt){ "fp_inline", 0, 0 };
  fm_setup(1, 32);
  for (unsigned op = 0; op < VMRUN_IR_NB_FPOPS; op++)
    fm_block(PC0 + 0x100 * op, build_fp, (void *)(uintptr_t)op);
}
static void setup_on(void) { fp_setup(1); }
static void setup_off(void) { fp_setup(0); }
static void teardown(void)
{
  fm_teardown();
  memset(fm_engine_opts, 0, sizeof fm_engine_opts);
}

TestSuite(tjit_fp, .init = setup_on, .fini = teardown);
TestSuite(tjit_fp_off, .init = setup_off, .fini = teardown);

/* Run op on (a, b, c) with the accrued flags `fl`; check x4 and the flags
** against the helper run directly, and the other registers' sum.
** Returns the helper calls the block made. */
static unsigned run_op(unsigned op, uint64_t a, uint64_t b, uint64_t c,
                       uint32_t fl)
{
  fake_cpu want;
  uint64_t r;
  unsigned mx;
  g_op = op;
  memset(&want, 0, sizeof want);
  want.b32 = fl;
  mx = __builtin_ia32_stmxcsr();      /* the host flags as the test set */
  r = ref(&want, a, b, c);
  if (g_canon && op < VMRUN_IR_FP_EQ && isnan(as_d(r))) r = CANON;
  __builtin_ia32_ldmxcsr(mx);
  FM->cpu->x[1] = a;
  FM->cpu->x[2] = b;
  FM->cpu->x[3] = c;
  FM->cpu->x[6] = 0x1000;
  FM->cpu->x[8] = 0x20;
  FM->cpu->x[9] = 0x3;
  FM->cpu->b32 = fl;
  g_calls = 0;
  cr_assert_eq(fm_run(PC0 + 0x100 * op, 1), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->cpu->x[4], r,
               "op %u (%a, %a, %a) flags %u: 0x%llx, expected 0x%llx", op,
               as_d(a), as_d(b), as_d(c), fl,
               (unsigned long long)FM->cpu->x[4], (unsigned long long)r);
  cr_assert_eq(FM->cpu->b32, want.b32,
               "op %u (%a, %a, %a) flags %u: flags %u, expected %u", op,
               as_d(a), as_d(b), as_d(c), fl, FM->cpu->b32, want.b32);
  cr_assert_eq(FM->cpu->x[7], 0x1023 + a,
               "op %u: a cached register changed across the call", op);
  return g_calls;
}

static const uint64_t vals[] = {
  0x3ff8000000000000ull,   /* 1.5 */
  0x4002000000000000ull,   /* 2.25 */
  0xc008000000000000ull,   /* -3 */
  0x3fb999999999999aull,   /* 0.1 */
  0x4022000000000000ull,   /* 9 */
  0x7fe0000000000000ull,   /* 2^1023 */
  0x0010000000000001ull,   /* just above the smallest normal */
  0x2000000000000000ull,   /* 2^-511 */
  0x0000000000000003ull,   /* subnormal */
  0x0000000000000000ull,   /* +0 */
  0x8000000000000000ull,   /* -0 */
  0x7ff0000000000000ull,   /* +inf */
  0xfff0000000000000ull,   /* -inf */
  0x7ff8000000000000ull,   /* quiet NaN */
  0x7ff4000000000000ull,   /* signalling NaN */
};
#define NV (sizeof vals / sizeof vals[0])

/* the host's sticky inexact flag (MXCSR.PE), as host code or an earlier
** inline operation may leave it */
static void host_pe_set(void)
{
  __builtin_ia32_ldmxcsr(__builtin_ia32_stmxcsr() | 0x20);
}
static void host_flags_clear(void)
{
  __builtin_ia32_ldmxcsr(__builtin_ia32_stmxcsr() & ~0x3fu);
}

/* Every class, with the guest's inexact clear and set, and with the
** host's inexact flag clear and set beforehand (host code's, which must
** not reach the guest). */
static void every_operand_class(void)
{
  for (unsigned op = 0; op < VMRUN_IR_NB_FPOPS; op++) {
    unsigned nb = op == VMRUN_IR_FP_SQRT || op >= VMRUN_IR_FP_CVT_D_W ? 1
                                                                   : NV;
    unsigned nc = op >= VMRUN_IR_FP_MADD && op <= VMRUN_IR_FP_NMADD ? NV : 1;
    for (unsigned i = 0; i < NV; i++)
      for (unsigned j = 0; j < nb; j++)
        for (unsigned k = 0; k < nc; k++)
          for (unsigned n = 0; n < 4; n++) {
            if (n & 2) host_pe_set();
            run_op(op, vals[i], vals[j], vals[k], n & 1 ? NX : 0);
          }
  }
  cr_assert_gt(fm_stat("fp_inline_sites"), 0);
}

Test(tjit_fp, every_operand_class_matches_the_helper)
{
  every_operand_class();
}

/* A host without FMA3: the fused ops are not inlined, and every other
** path is as above */
Test(tjit_fp, every_operand_class_without_fma3)
{
  ((tjit *)FM->eng_inst)->host_fma = 0;
  every_operand_class();
}

/* flags as in ref(): inexact, underflow, overflow, divide by zero,
** invalid */
#define UF 2u
#define OF 4u
#define DZ 8u
#define NVF 16u

Test(tjit_fp, computed_inline_where_it_can)
{
  uint64_t one5 = bits(1.5), two25 = bits(2.25), tenth = bits(0.1);
  int fma3 = __builtin_cpu_supports("fma") != 0;
  /* exact and inexact results, with the guest's inexact clear or set:
  ** no call, the flags from the host's */
  host_flags_clear();
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, one5, two25, 0, 0), 0);
  cr_assert_eq(FM->cpu->b32, 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_SUB, one5, two25, 0, 0), 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, tenth, bits(0.2), 0, 0), 0);
  cr_assert_eq(FM->cpu->b32, NX);
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, tenth, bits(0.2), 0, NX), 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_DIV, bits(1.0), bits(3.0), 0, 0), 0);
  cr_assert_eq(FM->cpu->b32, NX);
  cr_assert_eq(run_op(VMRUN_IR_FP_SQRT, bits(2.0), 0, 0, 0), 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_MUL, one5, two25, 0, 0), 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_MUL, bits(0.0), two25, 0, 0), 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_DIV, two25, one5, 0, 0), 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_SQRT, two25, 0, 0, 0), 0);
  cr_assert_eq(FM->cpu->x[4], one5);
  cr_assert_eq(FM->cpu->b32, 0);
  if (fma3) {
    cr_assert_eq(run_op(VMRUN_IR_FP_MADD, one5, two25, one5, 0), 0);
    cr_assert_eq(FM->cpu->b32, 0);
    cr_assert_eq(run_op(VMRUN_IR_FP_MADD, one5, two25, tenth, 0), 0);
    cr_assert_eq(FM->cpu->b32, NX);
  }
  /* every other flag, and infinities, inline too */
  cr_assert_eq(run_op(VMRUN_IR_FP_MUL, bits(1e308), bits(10.0), 0, 0), 0);
  cr_assert_eq(FM->cpu->b32, NX | OF);
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, bits(INFINITY), one5, 0, 0), 0);
  cr_assert_eq(FM->cpu->b32, 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_DIV, one5, bits(0.0), 0, NX), 0);
  cr_assert_eq(FM->cpu->b32, NX | DZ);
  cr_assert_eq(run_op(VMRUN_IR_FP_MUL, bits(0x1p-600), bits(0x1p-600), 0,
                      0), 0);
  cr_assert_eq(FM->cpu->b32, NX | UF);
  /* a tiny exact result raises no underflow (x86 and RISC-V both detect
  ** tininess after rounding and need inexact) */
  cr_assert_eq(run_op(VMRUN_IR_FP_MUL, bits(0x1p-1000), bits(0x1p-40), 0,
                      0), 0);
  cr_assert_eq(FM->cpu->b32, 0);
  /* NaN results: the helper (the ISA's NaN and invalid) */
  cr_assert_eq(run_op(VMRUN_IR_FP_SUB, bits(INFINITY), bits(INFINITY), 0,
                      0), 1);
  cr_assert_eq(FM->cpu->b32, NVF);
  cr_assert_eq(run_op(VMRUN_IR_FP_SQRT, bits(-1.0), 0, 0, 0), 1);
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, bits(NAN), one5, 0, 0), 1);
  cr_assert_eq(FM->cpu->b32, 0);
  /* comparisons: inline unless a NaN (whose flags the helper raises) */
  cr_assert_eq(run_op(VMRUN_IR_FP_LE, one5, one5, 0, 0), 0);
  cr_assert_eq(FM->cpu->x[4], 1);
  cr_assert_eq(run_op(VMRUN_IR_FP_LT, two25, one5, 0, 0), 0);
  cr_assert_eq(FM->cpu->x[4], 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_EQ, bits(-0.0), bits(0.0), 0, 0), 0);
  cr_assert_eq(FM->cpu->x[4], 1);
  cr_assert_eq(run_op(VMRUN_IR_FP_LT, bits(NAN), one5, 0, 0), 1);
  cr_assert_eq(FM->cpu->b32, NVF);
  /* conversions from an integer: always inline (no result is a NaN); W
  ** and WU read the low 32 bits only, L rounds (and raises inexact) */
  cr_assert_eq(run_op(VMRUN_IR_FP_CVT_D_W, 0x12345678fffffff9ull, 0, 0, 0),
               0);
  cr_assert_eq(FM->cpu->x[4], bits(-7.0));
  cr_assert_eq(FM->cpu->b32, 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_CVT_D_WU, 0x12345678fffffff9ull, 0, 0,
                      0), 0);
  cr_assert_eq(FM->cpu->x[4], bits(4294967289.0));
  cr_assert_eq(run_op(VMRUN_IR_FP_CVT_D_L, (uint64_t)-5, 0, 0, 0), 0);
  cr_assert_eq(FM->cpu->x[4], bits(-5.0));
  cr_assert_eq(FM->cpu->b32, 0);
  cr_assert_eq(run_op(VMRUN_IR_FP_CVT_D_L, (1ull << 53) + 1, 0, 0, 0), 0);
  cr_assert_eq(FM->cpu->x[4], bits(0x1p53));
  cr_assert_eq(FM->cpu->b32, NX);
}

/* Flags the host's MXCSR holds when generated code is entered (host
** code set them) say nothing about the guest: they must not reach it */
Test(tjit_fp, stale_host_flags_never_reach_the_guest)
{
  uint64_t one5 = bits(1.5), two25 = bits(2.25);
  run_op(VMRUN_IR_FP_MUL, bits(0.1), bits(3.0), 0, 0);      /* compiles */
  __builtin_ia32_ldmxcsr(__builtin_ia32_stmxcsr() | 0x3d);
  cr_assert_eq(run_op(VMRUN_IR_FP_MUL, one5, two25, 0, 0), 0);
  cr_assert_eq(FM->cpu->b32, 0);
  /* and the flags are clear again on the way out */
  cr_assert_eq(__builtin_ia32_stmxcsr() & 0x3d, 0);
}

/* A host FP environment other than the default (here flush-to-zero, as
** a library built with -ffast-math may set): no inline FP at all, since
** the host would flush tiny results the guest must see */
Test(tjit_fp_env, non_default_mxcsr_keeps_helper_calls, .fini = teardown)
{
  unsigned saved = __builtin_ia32_stmxcsr();
  __builtin_ia32_ldmxcsr(saved | 0x8000);          /* FTZ */
  fp_setup(1);
  __builtin_ia32_ldmxcsr(saved);
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, bits(0.1), bits(0.2), 0, NX), 1);
  cr_assert_eq(fm_stat("fp_inline_sites"), 0);
}

Test(tjit_fp_off, engine_option_fp_inline_0_always_calls)
{
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, bits(1.5), bits(2.25), 0, 0), 1);
  cr_assert_eq(run_op(VMRUN_IR_FP_ADD, bits(0.1), bits(0.2), 0, NX), 1);
  cr_assert_eq(fm_stat("fp_inline_sites"), 0);
}

/* ---- xmm shadows: chains of inline operations (codegen.c) ---- */

/* the helpers of one operation each; they clobber xmm4..15, as any C
** function may (caller-saved), so shadows must be kept across them */
static void clobber_xmm(void)
{
  __asm__ volatile("xorpd %%xmm4, %%xmm4\n\txorpd %%xmm5, %%xmm5\n\t"
                   "xorpd %%xmm6, %%xmm6\n\txorpd %%xmm7, %%xmm7\n\t"
                   "xorpd %%xmm8, %%xmm8\n\txorpd %%xmm9, %%xmm9\n\t"
                   "xorpd %%xmm10, %%xmm10\n\txorpd %%xmm11, %%xmm11\n\t"
                   "xorpd %%xmm12, %%xmm12\n\txorpd %%xmm13, %%xmm13\n\t"
                   "xorpd %%xmm14, %%xmm14\n\txorpd %%xmm15, %%xmm15"
                   ::: "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                       "xmm14", "xmm15");
}
static uint64_t h_add(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{ clobber_xmm(); g_op = VMRUN_IR_FP_ADD; return h_ref(cpu, a, b, c); }
static uint64_t h_sub(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{ clobber_xmm(); g_op = VMRUN_IR_FP_SUB; return h_ref(cpu, a, b, c); }
static uint64_t h_mul(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{ clobber_xmm(); g_op = VMRUN_IR_FP_MUL; return h_ref(cpu, a, b, c); }
static uint64_t h_div(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{ clobber_xmm(); g_op = VMRUN_IR_FP_DIV; return h_ref(cpu, a, b, c); }
static uint64_t h_sqrt(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{ clobber_xmm(); g_op = VMRUN_IR_FP_SQRT; return h_ref(cpu, a, b, c); }

/* t[d] = op(t[ta], t[tb]), hinted VMRUN_IR_F_FP (ADD, SUB, MUL, DIV or
** SQRT of t[ta]) */
static void fp_op(vmrun_ir_block *b, unsigned op, unsigned d, unsigned ta,
                  unsigned tb)
{
  uint64_t (*fn)(vmrun_cpu *, uint64_t, uint64_t, uint64_t) =
      op == VMRUN_IR_FP_ADD ? h_add : op == VMRUN_IR_FP_SUB ? h_sub
      : op == VMRUN_IR_FP_DIV ? h_div : op == VMRUN_IR_FP_SQRT ? h_sqrt
      : h_mul;
  vmrun_ir_op *o = ir(b, VMRUN_IR_CALL, 8, d, ta, tb,
                      (uint64_t)(uintptr_t)fn,
                      VMRUN_IR_F_FP | VMRUN_IR_F_NOREGS);
  o->c = tb;
  o->cond = (uint8_t)op;
}

/* t[d] = op(x[ra], x[rb]); x[rd] = t[d] (temps d, d+1, d+2) */
static void fp3(vmrun_ir_block *b, unsigned op, unsigned rd, unsigned ra,
                unsigned rb, unsigned d)
{
  ir_get(b, d + 1, ra);
  ir_get(b, d + 2, rb);
  fp_op(b, op, d, d + 1, d + 2);
  ir_put(b, rd, d);
}

/* A chain whose operands are earlier results (their shadows), across an
** integer update of a register that had one (x10 += 1: the shadow must
** not be used after it), an inexact sum that calls the helper while NX
** is clear and a load's and a store's slow paths (MMIO accesses that
** clobber xmm4..15:
** x9's shadow is live across both calls, and used after them: x24), and
** a conditional branch
** around a write (x20 != 0 skips x16 = x1 * x2: after the label, x16 is
** its old value on that path).  Sixteen registers: some cached, some
** not (their shadows are kept per vCPU-state word). */
static void build_chain(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 64);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_MUL, 9, 1, 2, 43);      /* x9 = x1 * x2 (exact) */
  fp3(b, VMRUN_IR_FP_MUL, 10, 1, 2, 0);       /* x10 = x1 * x2 */
  fp3(b, VMRUN_IR_FP_ADD, 11, 10, 3, 3);      /* x11 = x10 + x3 */
  ir_get(b, 49, 26);                          /* x25 = [x26]: MMIO, */
  ir(b, VMRUN_IR_LD, 8, 50, 49, 0, 0, 0);     /* the load's slow path */
  ir_put(b, 25, 50);
  ir(b, VMRUN_IR_ST, 8, 0, 49, 50, 8, 0);     /* [x26 + 8] = x25: MMIO */
  fp3(b, VMRUN_IR_FP_MUL, 24, 9, 2, 46);      /* x24 = x9 * x2 */
  ir_addi(b, 10, 6, 1);                       /* x10 += 1 (integer) */
  fp3(b, VMRUN_IR_FP_MUL, 12, 10, 3, 7);      /* x12 = x10 * x3 */
  fp3(b, VMRUN_IR_FP_SUB, 13, 11, 12, 10);    /* x13 = x11 - x12 */
  fp3(b, VMRUN_IR_FP_ADD, 14, 13, 5, 13);     /* x14 = x13 + x5 */
  fp3(b, VMRUN_IR_FP_MUL, 15, 11, 11, 16);    /* x15 = x11 * x11 */
  fp3(b, VMRUN_IR_FP_MUL, 17, 1, 2, 19);      /* x17 = x1 * x2 */
  ir_get(b, 22, 20);
  ir_movi(b, 23, 0);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 22, 23, l, 0)->cond = VMRUN_IR_NE;
  fp3(b, VMRUN_IR_FP_MUL, 16, 1, 2, 24);      /* x16 = x1 * x2 (skipped) */
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  fp3(b, VMRUN_IR_FP_ADD, 18, 16, 17, 27);    /* x18 = x16 + x17 */
  fp3(b, VMRUN_IR_FP_ADD, 19, 15, 14, 30);    /* x19 = x15 + x14 */
  fp3(b, VMRUN_IR_FP_MUL, 21, 11, 3, 33);     /* x21 = x11 * x3 */
  ir_get(b, 36, 5);                           /* x21 = x5 (a move) */
  ir_put(b, 21, 36);
  fp3(b, VMRUN_IR_FP_ADD, 22, 21, 3, 37);     /* x22 = x21 + x3 */
  fp3(b, VMRUN_IR_FP_ADD, 23, 11, 1, 40);     /* x23 = x11 + x1 */
  ir_exit(b, b->pc + 4);
}

static void run_chain(uint32_t fl, uint64_t skip, double x5)
{
  double x1 = 1.25, x2 = 3.5, x3 = 0.1, x16 = 7.0;
  double x10 = x1 * x2, x11 = x10 + x3, x12, x13, x14, x15, x17, x18, x19;
  uint64_t x10b = bits(x10) + 1;
  x12 = as_d(x10b) * x3;
  x13 = x11 - x12;
  x14 = x13 + x5;
  x15 = x11 * x11;
  x17 = x1 * x2;
  if (!skip) x16 = x1 * x2;
  x18 = x16 + x17;
  x19 = x15 + x14;
  memset(FM->cpu->x, 0, sizeof FM->cpu->x);
  FM->cpu->x[1] = bits(x1);
  FM->cpu->x[2] = bits(x2);
  FM->cpu->x[3] = bits(x3);
  FM->cpu->x[5] = bits(x5);
  FM->cpu->x[16] = bits(7.0);
  FM->cpu->x[20] = skip;
  FM->cpu->x[26] = MMIO_BASE;
  FM->mmio_read_val = 0x77;
  fm_mmio_hook = clobber_xmm;
  FM->cpu->b32 = fl;
  g_calls = 0;
  cr_assert_eq(fm_run(PC0 + 0x4000, 1), VMRUN_RUN_BUDGET);
  fm_mmio_hook = NULL;
  cr_assert_eq(FM->cpu->x[10], x10b);
  cr_assert_eq(FM->cpu->x[25], 0x77);
  cr_assert_eq(FM->mmio[FM->n_mmio - 1].is_write, 1);
  cr_assert_eq(FM->mmio[FM->n_mmio - 1].val, 0x77);
#define CHK(i, v) cr_assert_eq(FM->cpu->x[i], bits(v), \
    "x%d = %a, expected %a (flags %u, skip %llu)", i, as_d(FM->cpu->x[i]), \
    v, fl, (unsigned long long)skip)
  CHK(11, x11); CHK(12, x12); CHK(13, x13); CHK(14, x14); CHK(15, x15);
  CHK(16, x16); CHK(17, x17); CHK(18, x18); CHK(19, x19);
  CHK(21, x5); CHK(22, x5 + x3); CHK(23, x11 + x1); CHK(24, x1 * x2 * x2);
#undef CHK
  cr_assert_eq(FM->cpu->b32, NX);
}

Test(tjit_fp, chains_through_shadows)
{
  fm_block(PC0 + 0x4000, build_chain, NULL);
  run_chain(0, 0, 1e-3);           /* all inline */
  cr_assert_eq(g_calls, 0);
  run_chain(0, 1, 1e-3);
  run_chain(NX, 0, 1e-3);
  cr_assert_eq(g_calls, 0);
  run_chain(NX, 1, 1e-3);
  run_chain(0, 0, NAN);            /* x14, x19, x22: NaNs, the helper */
  cr_assert_geq(g_calls, 3);
  run_chain(0, 1, NAN);
}

/* Few registers (all cached): x4 = x1 * x2, then x4 = x3 (a move: x4's
** shadow goes), the product's temp t2 = x1 (a GET: the temp's shadow
** goes), x5 = t2 + x4, x6 = x5 * x4; then nine results (x7 = x1 + x1),
** more than there are shadow registers, and x7 = x6 + x1 */
static void build_reuse(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 44);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir_get(b, 1, 2);
  fp_op(b, VMRUN_IR_FP_MUL, 2, 0, 1);
  ir_put(b, 4, 2);
  ir_get(b, 3, 3);
  ir_put(b, 4, 3);
  ir_get(b, 2, 1);
  ir_get(b, 4, 4);
  fp_op(b, VMRUN_IR_FP_ADD, 5, 2, 4);
  ir_put(b, 5, 5);
  fp3(b, VMRUN_IR_FP_MUL, 6, 5, 4, 6);
  for (unsigned k = 0; k < 9; k++)            /* 9 results: x6's register */
    fp3(b, VMRUN_IR_FP_ADD, 7, 1, 1, 9 + 3 * k);  /* is reused */
  fp3(b, VMRUN_IR_FP_ADD, 7, 6, 1, 40);       /* x7 = x6 + x1 */
  ir_exit(b, b->pc + 4);
}

Test(tjit_fp, shadows_follow_moves_and_temps)
{
  double x1 = 1.25, x2 = 3.5, x3 = 0.1;
  fm_block(PC0 + 0x5000, build_reuse, NULL);
  for (uint32_t fl = 0; fl <= NX; fl++) {
    memset(FM->cpu->x, 0, sizeof FM->cpu->x);
    FM->cpu->x[1] = bits(x1);
    FM->cpu->x[2] = bits(x2);
    FM->cpu->x[3] = bits(x3);
    FM->cpu->b32 = fl;
    cr_assert_eq(fm_run(PC0 + 0x5000, 1), VMRUN_RUN_BUDGET);
    cr_assert_eq(FM->cpu->x[4], bits(x3));
    cr_assert_eq(FM->cpu->x[5], bits(x1 + x3), "x5 = %a", as_d(FM->cpu->x[5]));
    cr_assert_eq(FM->cpu->x[6], bits((x1 + x3) * x3));
    cr_assert_eq(FM->cpu->x[7], bits((x1 + x3) * x3 + x1));
  }
}

/* A plain helper between two inline operations: it must see the flags
** the first raised (pending flags accrue before any call), and flags it
** leaves in the MXCSR (host code) must not reach the guest. */
static uint32_t g_seen;
static uint64_t h_peek(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  (void)a; (void)b; (void)c;
  g_seen = ((fake_cpu *)cpu)->b32;
  __builtin_ia32_ldmxcsr(__builtin_ia32_stmxcsr() | 0x3d);
  return 0;
}

static void build_peek(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir_get(b, 1, 2);
  fp_op(b, VMRUN_IR_FP_MUL, 2, 0, 1);         /* x4 = x1 * x2 */
  ir_put(b, 4, 2);
  ir(b, VMRUN_IR_CALL, 8, 3, 0, 0, (uint64_t)(uintptr_t)h_peek,
     VMRUN_IR_F_NOREGS);
  fp_op(b, VMRUN_IR_FP_ADD, 4, 1, 1);         /* x5 = x2 + x2 (exact) */
  ir_put(b, 5, 4);
  ir_exit(b, b->pc + 4);
}

Test(tjit_fp, pending_flags_accrue_before_a_call_and_its_flags_do_not)
{
  fm_block(PC0 + 0x6000, build_peek, NULL);
  for (int k = 0; k < 2; k++) {
    FM->cpu->x[1] = bits(k ? 1e308 : 0.1);
    FM->cpu->x[2] = bits(k ? 10.0 : 3.0);
    FM->cpu->b32 = 0;
    g_seen = 99;
    g_calls = 0;
    cr_assert_eq(fm_run(PC0 + 0x6000, 1), VMRUN_RUN_BUDGET);
    cr_assert_eq(g_calls, 0);
    cr_assert_eq(FM->cpu->x[4], bits(k ? INFINITY : 0.1 * 3.0));
    cr_assert_eq(FM->cpu->x[5], bits(k ? 20.0 : 6.0));
    cr_assert_eq(g_seen, k ? NX | OF : NX);
    cr_assert_eq(FM->cpu->b32, k ? NX | OF : NX);
  }
}

/* A result whose PUT is merged into the operation (codegen.c merge_put:
** computed straight into the cached register of x4): when it is a NaN,
** the cold path's helper result must reach that register too, and the
** operation after it (x5 = x4 + x1) must read it.  Three registers, all
** cached. */
static void build_merged(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_SUB, 4, 1, 2, 2);        /* x4 = x1 - x2 */
  fp3(b, VMRUN_IR_FP_ADD, 5, 4, 1, 5);        /* x5 = x4 + x1 */
  ir_exit(b, b->pc + 4);
}

Test(tjit_fp, merged_result_register_gets_the_helpers_nan)
{
  fm_block(PC0 + 0x7000, build_merged, NULL);
  for (int k = 0; k < 2; k++) {
    double x1 = k ? INFINITY : 3.0, x2 = k ? INFINITY : 1.25;
    volatile double d = x1, e = x2, x4 = d - e, x5 = x4 + d;
    FM->cpu->x[1] = bits(x1);
    FM->cpu->x[2] = bits(x2);
    FM->cpu->x[4] = bits(99.0);
    FM->cpu->x[5] = bits(99.0);
    FM->cpu->b32 = 0;
    g_calls = 0;
    cr_assert_eq(fm_run(PC0 + 0x7000, 1), VMRUN_RUN_BUDGET);
    cr_assert_eq(g_calls, k ? 2u : 0u);
    cr_assert_eq(FM->cpu->x[4], bits(x4), "x4 = 0x%llx",
                 (unsigned long long)FM->cpu->x[4]);
    cr_assert_eq(FM->cpu->x[5], bits(x5));
    cr_assert_eq(FM->cpu->b32, k ? NVF : 0u);
  }
  cr_assert_gt(fm_stat("fp_inline_sites"), 0);
}

/* Paired NaN tests (codegen.c): a result going to a cached register
** leaves its NaN test to the next inline operation's, one ucomisd for
** two.  The helper here returns RISC-V's canonical NaN, never the host's
** (x86's default NaN has the sign set), so a NaN result that missed its
** test shows.  Between the two: an integer update of another register
** (x5 += 1, allowed), a read of a pending result's register (x2 = x1:
** must see the new x1) and a write of a pending operation's operand
** (x2 -= 1: that operation's helper must see the old x2).  Five
** registers, all cached. */
static void build_pairs(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 32);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_MUL, 4, 1, 2, 0);        /* x4 = x1 * x2 */
  ir_addi(b, 5, 3, 1);                        /* x5 += 1 (integer) */
  fp3(b, VMRUN_IR_FP_ADD, 3, 4, 3, 4);        /* x3 = x4 + x3: a pair */
  fp3(b, VMRUN_IR_FP_MUL, 1, 1, 1, 7);        /* x1 = x1 * x1 (in place) */
  ir_get(b, 10, 1);                           /* x2 = x1 */
  ir_put(b, 2, 10);
  fp3(b, VMRUN_IR_FP_SUB, 4, 4, 2, 11);       /* x4 = x4 - x2 */
  ir_addi(b, 2, 14, (uint64_t)-1);            /* x2 -= 1 (integer) */
  fp3(b, VMRUN_IR_FP_ADD, 4, 4, 4, 15);       /* x4 = x4 + x4 */
  ir_exit(b, b->pc + 4);
}

/* the model: g_op's result through ref(), canonical when a NaN */
static uint64_t model(fake_cpu *m, unsigned op, uint64_t a, uint64_t b)
{
  uint64_t r;
  g_op = op;
  r = ref(m, a, b, b);
  return isnan(as_d(r)) ? CANON : r;
}

/* Run the block at pc from registers x[] (x[0] unused) with the
** canonical-NaN helper, and compare every register and the accrued flags
** with `expect` run over a copy; case k == 0 has no NaN (no helper call). */
static void check_pairs(uint64_t pc, const uint64_t *x, unsigned k,
                        void (*expect)(fake_cpu *, uint64_t *))
{
  static fake_cpu m;
  uint64_t want[32];
  memcpy(want, x, sizeof want);
  memcpy(FM->cpu->x, x, sizeof want);
  m.b32 = 0;
  g_canon = 1;
  expect(&m, want);
  FM->cpu->b32 = 0;
  g_calls = 0;
  cr_assert_eq(fm_run(pc, 1), VMRUN_RUN_BUDGET);
  g_canon = 0;
  for (int r = 1; r < 32; r++)
    cr_assert_eq(FM->cpu->x[r], want[r], "case %u: x%d = 0x%llx, expected "
                 "0x%llx", k, r, (unsigned long long)FM->cpu->x[r],
                 (unsigned long long)want[r]);
  cr_assert_eq(FM->cpu->b32, m.b32, "case %u: flags %u, expected %u", k,
               FM->cpu->b32, m.b32);
  if (k == 0 || fm_default_nan) cr_assert_eq(g_calls, 0);
}

/* build_pairs' model, over x[] */
static void model_pairs(fake_cpu *m, uint64_t *x)
{
  x[4] = model(m, VMRUN_IR_FP_MUL, x[1], x[2]);
  x[5] += 1;
  x[3] = model(m, VMRUN_IR_FP_ADD, x[4], x[3]);
  x[1] = model(m, VMRUN_IR_FP_MUL, x[1], x[1]);
  x[2] = x[1];
  x[4] = model(m, VMRUN_IR_FP_SUB, x[4], x[2]);
  x[2] -= 1;
  x[4] = model(m, VMRUN_IR_FP_ADD, x[4], x[4]);
}

static void paired_nan_tests(void)
{
  /* finite; x1 * x2 = 0 * inf a NaN that the partner reads; the partner
  ** alone a NaN (inf + -inf), then x4 - x2 = inf - inf, whose operand x2
  ** the integer update changes to DBL_MAX (inf - DBL_MAX is no NaN) */
  static const double in[][3] = {
    { 1.5, 2.25, 0.5 }, { 0.0, INFINITY, 0.5 }, { INFINITY, 1.0, -INFINITY },
  };
  fm_block(PC0 + 0x7800, build_pairs, NULL);
  for (unsigned k = 0; k < sizeof in / sizeof in[0]; k++) {
    uint64_t x[32] = { 0 };
    for (int r = 1; r <= 3; r++) x[r] = bits(in[k][r - 1]);
    x[4] = bits(99.0);
    x[5] = bits(7.0);
    check_pairs(PC0 + 0x7800, x, k, model_pairs);
  }
  cr_assert_gt(fm_stat("fp_nan_pairs"), 0);
}

Test(tjit_fp, paired_nan_tests_give_each_result_the_helpers_nan)
{
  paired_nan_tests();
}

/* The same with results going to registers that are not cached (x20 to
** x26: read twice at most; x1 to x7, read more, are): the result's PUT
** into the vCPU state waits for the test, the partner reads the result
** in place (the word's shadow), an integer read of the word (x23 = x22)
** and a write of it (x24 = 5) test first. */
static void build_pairs_mem(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 64);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_MUL, 20, 1, 2, 0);       /* x20 = x1 * x2 */
  ir_addi(b, 5, 3, 1);                        /* x5 += 1 (integer) */
  fp3(b, VMRUN_IR_FP_ADD, 21, 20, 3, 4);      /* x21 = x20 + x3: a pair */
  fp3(b, VMRUN_IR_FP_MUL, 22, 22, 1, 7);      /* x22 = x22 * x1 (in place) */
  ir_get(b, 10, 22);                          /* x23 = x22 */
  ir_put(b, 23, 10);
  fp3(b, VMRUN_IR_FP_SUB, 24, 6, 2, 11);      /* x24 = x6 - x2 */
  ir_movi(b, 14, 5);                          /* x24 = 5 */
  ir_put(b, 24, 14);
  fp3(b, VMRUN_IR_FP_ADD, 25, 1, 3, 15);      /* x25 = x1 + x3 */
  fp3(b, VMRUN_IR_FP_MUL, 26, 6, 7, 18);      /* x26 = x6 * x7: a pair */
  /* x1..x7 read more: x9 = x1 + ... + x7, three times */
  for (unsigned k = 0; k < 21; k++) {
    ir_get(b, 30 + k, 1 + k % 7);
    if (k) ir(b, VMRUN_IR_ADD, 8, 30 + k, 30 + k, 29 + k, 0, 0);
  }
  ir_put(b, 9, 50);
  ir_exit(b, b->pc + 4);
}

/* its model, over x[] */
static void model_pairs_mem(fake_cpu *m, uint64_t *x)
{
  x[20] = model(m, VMRUN_IR_FP_MUL, x[1], x[2]);
  x[5] += 1;
  x[21] = model(m, VMRUN_IR_FP_ADD, x[20], x[3]);
  x[22] = model(m, VMRUN_IR_FP_MUL, x[22], x[1]);
  x[23] = x[22];
  x[24] = model(m, VMRUN_IR_FP_SUB, x[6], x[2]);
  x[24] = 5;
  x[25] = model(m, VMRUN_IR_FP_ADD, x[1], x[3]);
  x[26] = model(m, VMRUN_IR_FP_MUL, x[6], x[7]);
  x[9] = 0;
  for (unsigned k = 0; k < 21; k++) x[9] += x[1 + k % 7];
}

static void paired_nan_tests_mem(void)
{
  /* finite; x20 = 0 * inf a NaN the partner reads; the partner alone a
  ** NaN; x22 and x6 * x7 NaNs */
  static const double in[][4] = {
    { 1.5, 2.25, 0.5, 3.0 }, { 0.0, INFINITY, 0.5, 3.0 },
    { INFINITY, 1.0, -INFINITY, INFINITY }, { 2.0, 1.0, 1.0, NAN },
  };
  unsigned long long before;
  fm_block(PC0 + 0x7c00, build_pairs_mem, NULL);
  before = fm_stat("fp_nan_pairs");
  for (unsigned k = 0; k < sizeof in / sizeof in[0]; k++) {
    uint64_t x[32] = { 0 };
    x[1] = bits(in[k][0]); x[2] = bits(in[k][1]); x[3] = bits(in[k][2]);
    x[6] = bits(in[k][3]); x[7] = bits(k == 3 ? 0.0 : 0.25);
    x[22] = bits(k == 1 ? 0.0 : 1.25); x[24] = bits(in[k][1]);
    x[4] = bits(9.0); x[5] = bits(7.0);
    check_pairs(PC0 + 0x7c00, x, k, model_pairs_mem);
  }
  cr_assert_geq(fm_stat("fp_nan_pairs"), before + 2);
}

Test(tjit_fp, paired_nan_tests_of_registers_in_the_vcpu_state)
{
  paired_nan_tests_mem();
}

/* Results PUT into a register whose shadow they take over (xs_claim):
** the operand already there is the destination (`op x, b`), a
** commutative operation whose second operand is there swaps, and a
** subtraction or division whose second operand is there must not
** overwrite it first.  Each line's operands are earlier results. */
static void build_claim(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 64);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_ADD, 4, 1, 2, 0);        /* x4 = x1 + x2 */
  fp3(b, VMRUN_IR_FP_MUL, 5, 1, 3, 3);        /* x5 = x1 * x3 */
  fp3(b, VMRUN_IR_FP_SUB, 4, 3, 4, 6);        /* x4 = x3 - x4 (b there) */
  fp3(b, VMRUN_IR_FP_MUL, 5, 3, 5, 9);        /* x5 = x3 * x5 (swapped) */
  fp3(b, VMRUN_IR_FP_DIV, 6, 5, 4, 12);       /* x6 = x5 / x4 */
  fp3(b, VMRUN_IR_FP_DIV, 6, 1, 6, 15);       /* x6 = x1 / x6 (b there) */
  fp3(b, VMRUN_IR_FP_ADD, 6, 6, 6, 18);       /* x6 = x6 + x6 (both) */
  fp3(b, VMRUN_IR_FP_SUB, 6, 6, 2, 21);       /* x6 = x6 - x2 (a there) */
  fp3(b, VMRUN_IR_FP_DIV, 4, 4, 3, 24);       /* x4 = x4 / x3 (a there) */
  ir_get(b, 28, 5);                           /* x5 = sqrt(x5) */
  fp_op(b, VMRUN_IR_FP_SQRT, 27, 28, 28);
  ir_put(b, 5, 27);
  fp3(b, VMRUN_IR_FP_ADD, 7, 4, 5, 30);       /* x7 = x4 + x5 */
  fp3(b, VMRUN_IR_FP_SUB, 8, 6, 7, 33);       /* x8 = x6 - x7 */
  fp3(b, VMRUN_IR_FP_SUB, 7, 5, 2, 36);       /* x7 = x5 - x2 (a apart) */
  ir_addi(b, 1, 48, 1);                       /* x1 += 1 ulp (integer) */
  fp3(b, VMRUN_IR_FP_SUB, 8, 1, 2, 39);       /* x8 = x1 - x2 (none) */
  fp3(b, VMRUN_IR_FP_MUL, 8, 8, 7, 42);       /* x8 = x8 * x7 */
  ir_exit(b, b->pc + 4);
}

Test(tjit_fp, results_take_over_their_registers_shadows)
{
  volatile double x1 = 1.25, x2 = 3.5, x3 = 0.375;
  volatile double x4 = x1 + x2, x5 = x1 * x3, x6, x7, x8;
  x4 = x3 - x4;
  x5 = x3 * x5;
  x6 = x5 / x4;
  x6 = x1 / x6;
  x6 = x6 + x6;
  x6 = x6 - x2;
  x4 = x4 / x3;
  x5 = sqrt(x5);
  x7 = x4 + x5;
  x8 = x6 - x7;
  cr_assert_neq(bits(x8), 0);
  x7 = x5 - x2;
  x8 = as_d(bits(x1) + 1) - x2;
  x8 = x8 * x7;
  fm_block(PC0 + 0xa000, build_claim, NULL);
  FM->cpu->x[1] = bits(x1);
  FM->cpu->x[2] = bits(x2);
  FM->cpu->x[3] = bits(x3);
  g_calls = 0;
  cr_assert_eq(fm_run(PC0 + 0xa000, 1), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->cpu->x[4], bits(x4), "x4 = %a, expected %a",
               as_d(FM->cpu->x[4]), x4);
  cr_assert_eq(FM->cpu->x[5], bits(x5), "x5 = %a, expected %a",
               as_d(FM->cpu->x[5]), x5);
  cr_assert_eq(FM->cpu->x[6], bits(x6), "x6 = %a, expected %a",
               as_d(FM->cpu->x[6]), x6);
  cr_assert_eq(FM->cpu->x[7], bits(x7));
  cr_assert_eq(FM->cpu->x[8], bits(x8));
  cr_assert_eq(g_calls, 0, "all inline");
}

/* ---- loop-carried shadows (codegen.c) ---- */

/* One instruction that loops to itself while x6 != 0 (the branch at the
** end, as a frontend emits it): x4 = x4 * x1, x5 = x5 + x4,
** x7 = x5 - x7, x6 -= 1.  x4, x1, x5 and x7 are read before they are
** written: the head expects their shadows, which the loop-back must
** move back into place from where the iteration left them. */
static void build_fp_loop(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 16);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_MUL, 4, 4, 1, 0);
  fp3(b, VMRUN_IR_FP_ADD, 5, 5, 4, 3);
  fp3(b, VMRUN_IR_FP_SUB, 7, 5, 7, 6);
  ir_addi(b, 6, 9, (uint64_t)-1);
  ir_get(b, 10, 6);
  ir_movi(b, 11, 0);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 10, 11, l, 0)->cond = VMRUN_IR_NE;
  ir_exit(b, b->pc + 4);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc);
}

static void run_fp_loop(double x1, double x4, unsigned n)
{
  volatile double v1 = x1, v4 = x4, v5 = 0.5, v7 = 0.25;
  uint64_t d0 = fm_stat("dispatcher_entries");
  for (unsigned k = 0; k < n; k++) {
    v4 = v4 * v1;
    v5 = v5 + v4;
    v7 = v5 - v7;
  }
  FM->cpu->x[1] = bits(x1);
  FM->cpu->x[4] = bits(x4);
  FM->cpu->x[5] = bits(0.5);
  FM->cpu->x[7] = bits(0.25);
  FM->cpu->x[6] = n;
  FM->cpu->b32 = 0;
  cr_assert_eq(fm_run(PC0 + 0x8000, n), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->cpu->hdr.pc, PC0 + 0x8004);
  cr_assert_eq(FM->cpu->x[6], 0);
  cr_assert_eq(FM->cpu->x[4], bits(v4), "x4 = %a, expected %a",
               as_d(FM->cpu->x[4]), v4);
  cr_assert_eq(FM->cpu->x[5], bits(v5), "x5 = %a, expected %a",
               as_d(FM->cpu->x[5]), v5);
  cr_assert_eq(FM->cpu->x[7], bits(v7), "x7 = %a, expected %a",
               as_d(FM->cpu->x[7]), v7);
  /* it looped in generated code, not through the dispatcher */
  cr_assert_leq(fm_stat("dispatcher_entries") - d0, 3);
}

Test(tjit_fp, loop_keeps_its_shadows_across_the_loop_back)
{
  fm_block(PC0 + 0x8000, build_fp_loop, NULL);
  run_fp_loop(1.5, 1.0, 20);
  run_fp_loop(-0.75, 3.0, 33);
  g_calls = 0;
  run_fp_loop(INFINITY, 0.0, 9);     /* NaNs: the helper, every time */
  cr_assert_geq(g_calls, 9);
}

/* A label two branches reach, with different shadows: x4 = x1 * x2 comes
** between them.  After the label, x5 = x4 + x1 must read x4 as the path
** taken left it (x20 == 0: the second branch, after the product). */
static void build_two_ways(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 24);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_ADD, 4, 1, 1, 0);       /* x4 = x1 + x1 */
  ir_get(b, 3, 20);
  ir_movi(b, 4, 0);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 3, 4, l, 0)->cond = VMRUN_IR_NE;
  fp3(b, VMRUN_IR_FP_MUL, 4, 1, 2, 5);       /* x4 = x1 * x2 */
  ir_get(b, 8, 21);
  ir_movi(b, 9, 0);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 8, 9, l, 0)->cond = VMRUN_IR_EQ;
  ir_exit(b, b->pc + 8);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  fp3(b, VMRUN_IR_FP_ADD, 5, 4, 1, 10);      /* x5 = x4 + x1 */
  ir_exit(b, b->pc + 4);
}

Test(tjit_fp, label_reached_two_ways_reads_each_ways_value)
{
  fm_block(PC0 + 0x9000, build_two_ways, NULL);
  for (int way = 0; way < 2; way++) {
    FM->cpu->x[1] = bits(1.5);
    FM->cpu->x[2] = bits(3.0);
    FM->cpu->x[5] = 0;
    FM->cpu->x[20] = way == 0;        /* the first branch */
    FM->cpu->x[21] = 0;               /* else the second */
    cr_assert_eq(fm_run(PC0 + 0x9000, 1), VMRUN_RUN_BUDGET);
    cr_assert_eq(FM->cpu->hdr.pc, PC0 + 0x9004);
    cr_assert_eq(FM->cpu->x[5], bits(way == 0 ? 4.5 : 6.0),
                 "way %d: x5 = %a", way, as_d(FM->cpu->x[5]));
  }
}

/* ---- stale registers (codegen.c) ---- */

/* A loop shaped like matmul's inner one, that loops to itself while
** x10 != x11: x5 = [x10]; x4 = x5 * x1; x5 = x5 + x4; [x10] = x5;
** x6 = x4 * x7; x10 += 8.  The products and sums stay in xmm registers:
** x4's and x5's general registers are stale from the operation on, the
** store writes x5 from its shadow, and the loop head takes both as
** stale.  So every way out must refill them first: the exit, the
** store's slow path (its value is an argument), a load's fault (the
** vCPU state must be the faulting instruction's), and the helper call
** of a NaN result (x6 = inf * 0 reads x4 from its general register). */
static void build_stale_loop(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 16);
  ir_insn(b, b->pc);
  ir_get(b, 0, 10);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 0, 0);
  ir_put(b, 5, 1);
  fp3(b, VMRUN_IR_FP_MUL, 4, 5, 1, 2);        /* x4 = x5 * x1 */
  fp3(b, VMRUN_IR_FP_ADD, 5, 5, 4, 5);        /* x5 = x5 + x4 */
  ir_get(b, 8, 5);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 8, 0, 0);       /* [x10] = x5 */
  fp3(b, VMRUN_IR_FP_MUL, 6, 4, 7, 12);       /* x6 = x4 * x7 */
  ir_addi(b, 10, 9, 8);
  ir_get(b, 10, 10);
  ir_get(b, 11, 11);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 10, 11, l, 0)->cond = VMRUN_IR_NE;
  ir_exit(b, b->pc + 4);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc);
}

#define STALE_PC (PC0 + 0xb000)
#define STALE_DATA (PC0 + 0x20000)

static void stale_regs(uint64_t x10, unsigned n)
{
  FM->cpu->x[1] = bits(1.5);
  FM->cpu->x[4] = bits(-1.0);
  FM->cpu->x[5] = bits(-2.0);
  FM->cpu->x[7] = bits(0.0);
  FM->cpu->x[10] = x10;
  FM->cpu->x[11] = x10 + 8 * n;
  FM->cpu->b32 = 0;
}

Test(tjit_fp, stale_registers_in_a_loop_reach_memory_and_the_exit)
{
  uint64_t d0;
  double last = 0;
  fm_block(STALE_PC, build_stale_loop, NULL);
  for (unsigned k = 0; k < 40; k++)
    *fm_ram64(STALE_DATA + 8 * k) = bits(0.25 * k - 3.0);
  stale_regs(STALE_DATA, 40);
  d0 = fm_stat("dispatcher_entries");
  g_calls = 0;
  cr_assert_eq(fm_run(STALE_PC, 40), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->cpu->hdr.pc, STALE_PC + 4);
  cr_assert_leq(fm_stat("dispatcher_entries") - d0, 3, "it looped inside");
  cr_assert_eq(g_calls, 0, "all inline");
  for (unsigned k = 0; k < 40; k++) {
    double v = 0.25 * k - 3.0;
    last = v + v * 1.5;
    cr_assert_eq(*fm_ram64(STALE_DATA + 8 * k), bits(last), "C[%u] = %a",
                 k, as_d(*fm_ram64(STALE_DATA + 8 * k)));
  }
  cr_assert_eq(FM->cpu->x[4], bits((0.25 * 39 - 3.0) * 1.5), "x4 = %a",
               as_d(FM->cpu->x[4]));
  cr_assert_eq(FM->cpu->x[5], bits(last), "x5 = %a", as_d(FM->cpu->x[5]));
  cr_assert_eq(FM->cpu->x[6], bits(0.0));
  cr_assert_eq(FM->cpu->x[10], STALE_DATA + 8 * 40);
}

Test(tjit_fp, nan_helper_reads_a_stale_register)
{
  volatile double inf = INFINITY, zero = 0.0;
  double nan = inf * zero;
  fm_block(STALE_PC, build_stale_loop, NULL);
  for (unsigned k = 0; k < 8; k++)
    *fm_ram64(STALE_DATA + 8 * k) = bits(k < 7 ? 1.0 : INFINITY);
  stale_regs(STALE_DATA, 8);
  g_calls = 0;
  cr_assert_eq(fm_run(STALE_PC, 8), VMRUN_RUN_BUDGET);
  cr_assert_eq(g_calls, 1, "x6's helper only");
  cr_assert_eq(FM->cpu->x[4], bits(INFINITY));
  cr_assert_eq(FM->cpu->x[6], bits(nan), "x6 = %a", as_d(FM->cpu->x[6]));
}

Test(tjit_fp, stale_register_stored_to_mmio_by_the_slow_path)
{
  fm_block(STALE_PC, build_stale_loop, NULL);
  stale_regs(MMIO_BASE, 2);
  FM->mmio_read_val = bits(2.0);
  fm_mmio_hook = clobber_xmm;
  cr_assert_eq(fm_run(STALE_PC, 2), VMRUN_RUN_BUDGET);
  fm_mmio_hook = NULL;
  cr_assert_eq(FM->n_mmio, 4);                /* load, store, twice */
  for (int k = 0; k < 4; k++) {
    cr_assert_eq(FM->mmio[k].is_write, k & 1);
    if (k & 1)
      cr_assert_eq(FM->mmio[k].val, bits(2.0 + 2.0 * 1.5), "store %d: %a",
                   k / 2, as_d(FM->mmio[k].val));
  }
  cr_assert_eq(FM->cpu->x[4], bits(3.0));
  cr_assert_eq(FM->cpu->x[5], bits(5.0));
}

Test(tjit_fp, load_fault_after_an_iteration_sees_its_stale_results)
{
  uint64_t last = RAM_BASE + RAM_SIZE - 8;    /* then unmapped */
  fm_block(STALE_PC, build_stale_loop, NULL);
  for (unsigned k = 0; k < 4; k++) *fm_ram64(last - 8 * k) = bits(4.0);
  stale_regs(last - 24, 6);         /* (the 5th load faults, chained) */
  cr_assert_eq(fm_run(STALE_PC, 6), VMRUN_RUN_EXIT);
  cr_assert_eq(FM->n_faults, 1);
  cr_assert_eq(FM->f_va, RAM_BASE + RAM_SIZE);
  cr_assert_eq(FM->f_pc, STALE_PC);
  cr_assert_eq(*fm_ram64(last), bits(10.0));
  cr_assert_eq(FM->cpu->x[4], bits(6.0), "x4 = %a", as_d(FM->cpu->x[4]));
  cr_assert_eq(FM->cpu->x[5], bits(10.0), "x5 = %a", as_d(FM->cpu->x[5]));
  cr_assert_eq(FM->cpu->x[10], RAM_BASE + RAM_SIZE);
}

/* x4 = x1 * x2, then a load (the product's NaN test comes before it:
** x4 is stale after it), then `own`: x4 = x4 + x3 (the operation reads
** the register its result replaces), else x5 = x4 * x6 and x4 = x2 + x3
** (the pending operation's helper reads the register its partner's
** result replaces).  With x1 = inf, x3 = -inf and x6 = 0 the NaN
** results take their helpers, which must see x4 = inf. */
static void build_stale_operand(vmrun_ir_block *b, void *arg)
{
  int own = arg != NULL;
  ir_temps(b, 24);
  ir_insn(b, b->pc);
  fp3(b, VMRUN_IR_FP_MUL, 4, 1, 2, 0);
  ir_get(b, 3, 10);
  ir(b, VMRUN_IR_LD, 8, 4, 3, 0, 0, 0);
  ir_put(b, 9, 4);
  if (own) {
    fp3(b, VMRUN_IR_FP_ADD, 4, 4, 3, 5);
  } else {
    fp3(b, VMRUN_IR_FP_MUL, 5, 4, 6, 8);
    fp3(b, VMRUN_IR_FP_ADD, 4, 2, 3, 11);
  }
  ir_get(b, 14, 5);                           /* (x5: cached too) */
  ir_put(b, 8, 14);
  ir_exit(b, b->pc + 4);
}

/* nan: the NaN the block must give (the helper's, or the default) */
static void run_stale_operand_nan(int own, uint64_t nan)
{
  uint64_t pc = PC0 + (own ? 0xc000 : 0xc400);
  fm_block(pc, build_stale_operand, own ? (void *)1 : NULL);
  for (int run = 0; run < 2; run++) {  /* (the second: a TLB hit) */
  FM->cpu->x[1] = bits(INFINITY);
  FM->cpu->x[2] = bits(2.0);
  FM->cpu->x[3] = bits(-INFINITY);
  FM->cpu->x[4] = bits(1.0);
  FM->cpu->x[5] = bits(1.0);
  FM->cpu->x[6] = bits(0.0);
  FM->cpu->x[10] = STALE_DATA;
  FM->cpu->b32 = 0;
  g_calls = 0;
  cr_assert_eq(fm_run(pc, 1), VMRUN_RUN_BUDGET);
  if (!fm_default_nan) cr_assert_geq(g_calls, 1, "a NaN: its helper");
  if (own) {
    cr_assert_eq(FM->cpu->x[4], nan, "x4 = %a", as_d(FM->cpu->x[4]));
  } else {
    cr_assert_eq(FM->cpu->x[5], nan, "x5 = %a", as_d(FM->cpu->x[5]));
    cr_assert_eq(FM->cpu->x[4], bits(-INFINITY));
  }
  }
}

static void run_stale_operand(int own)
{
  volatile double inf = INFINITY, zero = 0.0;
  run_stale_operand_nan(own, bits(inf * zero));
}

Test(tjit_fp, helper_reads_the_stale_register_its_result_replaces)
{
  run_stale_operand(1);
}

Test(tjit_fp, pending_helper_reads_the_register_its_partner_replaces)
{
  run_stale_operand(0);
}

/* ---- the ISA's default NaN (SDK 1.14) ---- */

/* A frontend that gives its default NaN (fp_default_nan, RISC-V's
** canonical one): NaN results of ADD..SQRT are that NaN, with the
** helper's flags, and no helper call; the fused operations still call it
** for a NaN.  The helper (h_ref) returns the canonical NaN too. */
static void setup_dnan(void)
{
  fm_default_nan = CANON;
  fp_setup(1);
}
static void teardown_dnan(void)
{
  teardown();
  fm_default_nan = 0;
  g_canon = 0;
}

TestSuite(tjit_fp_dnan, .init = setup_dnan, .fini = teardown_dnan);

Test(tjit_fp_dnan, nan_results_without_the_helper)
{
  unsigned nans = 0;
  g_canon = 1;
  for (unsigned op = VMRUN_IR_FP_ADD; op <= VMRUN_IR_FP_SQRT; op++) {
    unsigned nb = op == VMRUN_IR_FP_SQRT ? 1 : NV;
    for (unsigned i = 0; i < NV; i++)
      for (unsigned j = 0; j < nb; j++)
        for (unsigned n = 0; n < 4; n++) {
          if (n & 2) host_pe_set();
          cr_assert_eq(run_op(op, vals[i], vals[j], 0, n & 1 ? NX : 0), 0,
                       "op %u (%a, %a): a helper call", op, as_d(vals[i]),
                       as_d(vals[j]));
          nans += FM->cpu->x[4] == CANON;
        }
  }
  cr_assert_gt(nans, 100);
  if (__builtin_cpu_supports("fma"))   /* inf * 0 + qNaN: the helper */
    cr_assert_eq(run_op(VMRUN_IR_FP_MADD, bits(INFINITY), 0, CANON, 0), 1);
}

Test(tjit_fp_dnan, paired_nan_tests_without_the_helper)
{
  paired_nan_tests();
  paired_nan_tests_mem();
}

Test(tjit_fp_dnan, stale_registers_with_the_default_nan)
{
  volatile double inf = INFINITY;
  fm_block(STALE_PC, build_stale_loop, NULL);
  for (unsigned k = 0; k < 8; k++)
    *fm_ram64(STALE_DATA + 8 * k) = bits(k < 7 ? 1.0 : inf);
  stale_regs(STALE_DATA, 8);
  g_calls = 0;
  cr_assert_eq(fm_run(STALE_PC, 8), VMRUN_RUN_BUDGET);
  cr_assert_eq(g_calls, 0);
  cr_assert_eq(FM->cpu->x[4], bits(INFINITY));
  cr_assert_eq(FM->cpu->x[6], CANON, "x6 = %a", as_d(FM->cpu->x[6]));
  for (int own = 1; own >= 0; own--) {
    run_stale_operand_nan(own, CANON);
    cr_assert_eq(g_calls, 0);
  }
}

/* A result that goes to no register (a temp an integer op reads: its
** NaN test is its own, not a pair's): x5 = bits(x1 * x2) + 1 */
static void build_temp_result(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir_get(b, 1, 2);
  fp_op(b, VMRUN_IR_FP_MUL, 2, 0, 1);
  ir(b, VMRUN_IR_ADD, 8, 3, 2, 0, 1, VMRUN_IR_F_BIMM);
  ir_put(b, 5, 3);
  ir_exit(b, b->pc + 4);
}

Test(tjit_fp_dnan, a_temps_nan_without_the_helper)
{
  fm_block(PC0 + 0xd000, build_temp_result, NULL);
  FM->cpu->x[1] = bits(INFINITY);
  FM->cpu->x[2] = bits(0.0);
  FM->cpu->b32 = 0;
  g_calls = 0;
  cr_assert_eq(fm_run(PC0 + 0xd000, 1), VMRUN_RUN_BUDGET);
  cr_assert_eq(g_calls, 0);
  cr_assert_eq(FM->cpu->x[5], CANON + 1, "x5 = 0x%llx",
               (unsigned long long)FM->cpu->x[5]);
  cr_assert_eq(FM->cpu->b32, NVF);             /* inf * 0: invalid */
}

/* Eleven products in eleven registers' shadows (more than 8: the pool is
** xmm4..15), an MMIO load whose slow path clobbers every xmm register,
** then their sum, read from the shadows: the stub keeps all of them. */
static void build_many_shadows(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 80);
  ir_insn(b, b->pc);
  for (unsigned k = 0; k < 11; k++)
    fp3(b, VMRUN_IR_FP_MUL, 10 + k, 1, 2, 3 * k);      /* x10+k = x1*x2 */
  ir_get(b, 40, 26);
  ir(b, VMRUN_IR_LD, 8, 41, 40, 0, 0, 0);               /* MMIO */
  ir_put(b, 25, 41);
  for (unsigned k = 1; k < 11; k++)                      /* x21 = sum */
    fp3(b, VMRUN_IR_FP_ADD, 21, k == 1 ? 10 : 21, 10 + k, 42 + 3 * k);
  ir_exit(b, b->pc + 4);
}

Test(tjit_fp, every_live_shadow_survives_a_slow_path)
{
  fm_block(PC0 + 0xe000, build_many_shadows, NULL);
  FM->cpu->x[1] = bits(1.5);
  FM->cpu->x[2] = bits(2.0);
  FM->cpu->x[26] = MMIO_BASE;
  FM->cpu->b32 = 0;
  fm_mmio_hook = clobber_xmm;
  cr_assert_eq(fm_run(PC0 + 0xe000, 1), VMRUN_RUN_BUDGET);
  fm_mmio_hook = NULL;
  for (unsigned k = 0; k < 11; k++)
    cr_assert_eq(FM->cpu->x[10 + k], bits(3.0));
  cr_assert_eq(FM->cpu->x[21], bits(33.0), "x21 = %a",
               as_d(FM->cpu->x[21]));
}
