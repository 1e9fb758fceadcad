/*
** plugins/riscv64/fp.c - RV64F and RV64D: decoder (IR generation) and the
** helpers that compute on the host FPU (Unprivileged ISA ch. 11 and 12).
**
** Translation.  Loads, stores, the bit moves (FLW FLD FSW FSD, FMV.X.W
** FMV.X.D FMV.W.X FMV.D.X) and the sign injections (FSGNJ[N|X], hence
** FMV/FNEG/FABS) are plain IR: LD/ST, GET/PUT on f[], ALU ops for the
** sign bit and the NaN-box check of single-precision operands.  FADD FSUB
** FMUL FDIV FSQRT, the fused ops in RNE, FMIN FMAX, FEQ FLT FLE, FCLASS
** and the conversions call one helper per operation and format that
** takes its operands as values (f or x registers read by IR GETs) and
** returns the result (written by an IR PUT); fflags are updated by the
** helper.  The fused ops in other modes call the generic rv_fp_h_arith
** that reads and writes f[]/fflags itself.  The rounding mode is resolved
** at translation time: rm = DYN uses the frm held in tb_flags
** (RV_TBF_FRM_*, rv_cpu.h), and rm 5, 6 or DYN with frm 5..7 translate
** to an illegal-instruction trap, so no FP helper can trap and all CALLs
** carry no flags (no pc/icount sync, no trap check).  Writes of f[] set
** mstatus.FS = Dirty only in blocks translated with FS != Dirty
** (RV_TBF_FS_DIRTY): in a Dirty block nothing else can clear FS, since
** every CSR write and trap ends the block.
**
** Arithmetic.  NaN operands are handled in software first (result = the
** canonical NaN, NV if a signalling NaN is involved, and for the fused
** ops also when the product is inf * 0, even with a quiet NaN addend, as
** the spec requires), so the host only ever sees non-NaN operands and its
** NaN propagation rules never matter; NaN results are canonicalised.
** Comparisons, min/max, sign injection, classification and the
** conversions to integers are done in software (exact, flags computed).
**
** Rounding: RNE/RTZ/RDN/RUP run on the host FPU in the guest mode.  On
** x86-64 (SSE math) the MXCSR is saved, loaded with the guest rounding
** mode, all exceptions masked and DAZ/FTZ off, then read back for the
** flags and restored (stmxcsr/ldmxcsr: much cheaper than fegetenv, which
** also saves the x87 environment); elsewhere <fenv.h> is used (fegetenv,
** fesetround, feclearexcept, fetestexcept, fesetenv).  Operands and
** results go through volatile variables, and the mode switches are
** volatile asm with a memory clobber (or calls), so the compiler can
** neither constant-fold nor move the computation across the switch.
** -frounding-math is still recommended for this file.
**
** RMM (round to nearest, ties to max magnitude) has no host equivalent.
** It is implemented as round-to-odd followed by a software rounding: the
** operation is computed in long double (x87 extended: 64-bit significand,
** LDBL_MANT_DIG >= 55 is required and checked) with the host in
** round-toward-zero; if the host reports inexact, the lowest bit of the
** 64-bit significand is set (sticky).  That value carries enough bits
** (>= p + 2) to round correctly to the 24- or 53-bit target with ties away,
** including subnormal results, overflow to infinity and the flags
** (NX, OF, UF with tininess after rounding); NV and DZ come from the host.
**
** Underflow: RISC-V detects tininess after rounding (§11.2 / IEEE 754
** option).  x86 SSE does the same (checked: (float)(0x1p-126 - 0x1p-152)
** rounds to 0x1p-126 without UF), and with the underflow exception
** masked it raises UF only when the result is also inexact, like RISC-V.
** The software RMM rounding follows the same rule.
*/
#if defined(__clang__)
#pragma STDC FENV_ACCESS ON
#endif

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "fp.h"

#if LDBL_MANT_DIG < 55
#error "fp.c: RMM emulation needs a long double with >= 55 significand bits"
#endif

#define NOT_USED 0xffffu

/* operations of rv_fp_h_arith (info bits 29:24) */
enum {
  OPA_ADD, OPA_SUB, OPA_MUL, OPA_DIV, OPA_SQRT,
  OPA_MADD, OPA_MSUB, OPA_NMSUB, OPA_NMADD,
  OPA_CVT_FP,                                  /* between S and D */
  OPA_CVT_W, OPA_CVT_WU, OPA_CVT_L, OPA_CVT_LU /* from an integer */
};
/* sign injections (tr_sgnj) */
enum { OPM_SGNJ, OPM_SGNJN, OPM_SGNJX };
/* conversions to integers and comparisons */
enum { OPI_W, OPI_WU, OPI_L, OPI_LU, OPI_FEQ, OPI_FLT, OPI_FLE, OPI_CLASS };

#define INFO(rd, rs1, rs2, rs3, rm, op, dbl)                              \
  ((uint64_t)(rd) | (uint64_t)(rs1) << 5 | (uint64_t)(rs2) << 10 |        \
   (uint64_t)(rs3) << 15 | (uint64_t)(rm) << 20 | (uint64_t)(op) << 24 |  \
   (uint64_t)(dbl) << 30)
#define I_RD(x)  ((unsigned)(x) & 31)
#define I_RS1(x) ((unsigned)((x) >> 5) & 31)
#define I_RS2(x) ((unsigned)((x) >> 10) & 31)
#define I_RS3(x) ((unsigned)((x) >> 15) & 31)
#define I_RM(x)  ((unsigned)((x) >> 20) & 7)
#define I_OP(x)  ((unsigned)((x) >> 24) & 63)
#define I_DBL(x) ((int)((x) >> 30) & 1)

/* ================= bit-level helpers ================= */

#define CANON_S 0x7fc00000ull
#define CANON_D 0x7ff8000000000000ull
#define BOX     0xffffffff00000000ull

static uint64_t canon(int dbl) { return dbl ? CANON_D : CANON_S; }

/* A single-precision operand: the low half of a properly NaN-boxed
** register, else the canonical NaN (§11.2). */
static uint64_t unbox(uint64_t v)
{
  return (v & BOX) == BOX ? (uint32_t)v : CANON_S;
}

static uint64_t sign_bit(int dbl) { return dbl ? 1ull << 63 : 1ull << 31; }
static uint64_t exp_mask(int dbl)
{
  return dbl ? 0x7ff0000000000000ull : 0x7f800000ull;
}
static uint64_t frac_mask(int dbl)
{
  return dbl ? 0x000fffffffffffffull : 0x007fffffull;
}
static uint64_t quiet_bit(int dbl) { return dbl ? 1ull << 51 : 1ull << 22; }

static int is_nan(uint64_t v, int dbl)
{
  return (v & exp_mask(dbl)) == exp_mask(dbl) && (v & frac_mask(dbl)) != 0;
}
static int is_snan(uint64_t v, int dbl)
{
  return is_nan(v, dbl) && !(v & quiet_bit(dbl));
}
static int is_inf(uint64_t v, int dbl)
{
  return (v & ~sign_bit(dbl)) == exp_mask(dbl);
}
static int is_zero(uint64_t v, int dbl) { return (v & ~sign_bit(dbl)) == 0; }
static int is_neg(uint64_t v, int dbl) { return (v & sign_bit(dbl)) != 0; }

static double as_d(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static float as_f(uint64_t v)
{
  uint32_t u = (uint32_t)v;
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static uint64_t d_bits(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }
static uint64_t f_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* value of a non-NaN operand as a double (exact for both formats) */
static double as_host(uint64_t v, int dbl)
{
  return dbl ? as_d(v) : (double)as_f(v);
}

/* ================= host floating-point environment ================= */

#if defined(__x86_64__) && defined(__SSE2_MATH__)
/* MXCSR: flags IE DE ZE OE UE PE = bits 0..5, masks bits 7..12, RC bits
** 13..14 (0 nearest, 1 down, 2 up, 3 toward zero), FTZ 15, DAZ 6. */
typedef uint32_t host_env;

static host_env host_enter(unsigned rm)
{
  static const uint32_t rc[4] = { 0u << 13, 3u << 13, 1u << 13, 2u << 13 };
  uint32_t saved, mx = 0x1f80u | rc[rm & 3];
  __asm__ volatile("stmxcsr %0" : "=m"(saved) : : "memory");
  __asm__ volatile("ldmxcsr %0" : : "m"(mx) : "memory");
  return saved;
}

static unsigned host_leave(host_env saved)
{
  uint32_t mx;
  unsigned fl = 0;
  __asm__ volatile("stmxcsr %0" : "=m"(mx) : : "memory");
  __asm__ volatile("ldmxcsr %0" : : "m"(saved) : "memory");
  if (mx & 0x01) fl |= FFLAG_NV;
  if (mx & 0x04) fl |= FFLAG_DZ;
  if (mx & 0x08) fl |= FFLAG_OF;
  if (mx & 0x10) fl |= FFLAG_UF;
  if (mx & 0x20) fl |= FFLAG_NX;
  return fl;
}
#else
typedef fenv_t host_env;

static host_env host_enter(unsigned rm)
{
  static const int mode[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD,
                               FE_UPWARD };
  fenv_t saved;
  fegetenv(&saved);
  fesetround(mode[rm & 3]);
  feclearexcept(FE_ALL_EXCEPT);
  return saved;
}

static unsigned host_leave(host_env saved)
{
  int ex = fetestexcept(FE_ALL_EXCEPT);
  unsigned fl = 0;
  fesetenv(&saved);
  if (ex & FE_INVALID) fl |= FFLAG_NV;
  if (ex & FE_DIVBYZERO) fl |= FFLAG_DZ;
  if (ex & FE_OVERFLOW) fl |= FFLAG_OF;
  if (ex & FE_UNDERFLOW) fl |= FFLAG_UF;
  if (ex & FE_INEXACT) fl |= FFLAG_NX;
  return fl;
}
#endif

/* The operation on host doubles / floats (called with the guest rounding
** mode installed; the arguments come from volatile variables). */
static inline __attribute__((always_inline)) double
host_d(unsigned op, double x, double y, double z, uint64_t xv)
{
  switch (op) {
  case OPA_ADD:   return x + y;
  case OPA_SUB:   return x - y;
  case OPA_MUL:   return x * y;
  case OPA_DIV:   return x / y;
  case OPA_SQRT:  return sqrt(x);
  case OPA_MADD:  return fma(x, y, z);
  case OPA_MSUB:  return fma(x, y, -z);
  case OPA_NMSUB: return fma(-x, y, z);
  case OPA_NMADD: return fma(-x, y, -z);
  case OPA_CVT_W:  return (double)(int32_t)xv;
  case OPA_CVT_WU: return (double)(uint32_t)xv;
  case OPA_CVT_L:  return (double)(int64_t)xv;
  default:         return (double)xv;            /* OPA_CVT_LU */
  }
}

static inline __attribute__((always_inline)) float
host_f(unsigned op, float x, float y, float z, double dx,
                    uint64_t xv)
{
  switch (op) {
  case OPA_ADD:   return x + y;
  case OPA_SUB:   return x - y;
  case OPA_MUL:   return x * y;
  case OPA_DIV:   return x / y;
  case OPA_SQRT:  return sqrtf(x);
  case OPA_MADD:  return fmaf(x, y, z);
  case OPA_MSUB:  return fmaf(x, y, -z);
  case OPA_NMSUB: return fmaf(-x, y, z);
  case OPA_NMADD: return fmaf(-x, y, -z);
  case OPA_CVT_FP: return (float)dx;             /* D -> S */
  case OPA_CVT_W:  return (float)(int32_t)xv;
  case OPA_CVT_WU: return (float)(uint32_t)xv;
  case OPA_CVT_L:  return (float)(int64_t)xv;
  default:         return (float)xv;             /* OPA_CVT_LU */
  }
}

/* ================= RMM: round to odd, then round in software ========= */

static long double host_ld(unsigned op, long double x, long double y,
                           long double z)
{
  switch (op) {
  case OPA_ADD:   return x + y;
  case OPA_SUB:   return x - y;
  case OPA_MUL:   return x * y;
  case OPA_DIV:   return x / y;
  case OPA_SQRT:  return sqrtl(x);
  case OPA_MADD:  return fmal(x, y, z);
  case OPA_MSUB:  return fmal(x, y, -z);
  case OPA_NMSUB: return fmal(-x, y, z);
  case OPA_NMADD: return fmal(-x, y, -z);
  default:        return x;                      /* conversions: exact */
  }
}

/* M >> s rounded to nearest, ties away from zero; *inexact |= bits lost */
static uint64_t shr_rmm(uint64_t m, int s, int *inexact)
{
  uint64_t kept, rem;
  if (s <= 0) return m;
  if (s > 64) { if (m) *inexact = 1; return 0; }   /* m < half an ulp */
  if (s == 64) { if (m) *inexact = 1; return m >> 63; }
  kept = m >> s;
  rem = m & ((1ull << s) - 1);
  if (rem) *inexact = 1;
  if (rem >= 1ull << (s - 1)) kept++;
  return kept;
}

/* Round x (exact, or rounded toward zero to the long double precision
** with `sticky` = inexact) to single (dbl = 0) or double, ties away. */
static uint64_t round_rmm(long double x, int sticky, int dbl, unsigned *fl)
{
  const int p = dbl ? 53 : 24, emin = dbl ? -1022 : -126;
  const int emax = dbl ? 1023 : 127, bias = dbl ? 1023 : 127;
  uint64_t sign = signbit(x) ? sign_bit(dbl) : 0, m, kept, bits;
  long double frac, hi;
  int e, E, inexact = 0, tiny = 0, dummy = 0;

  if (isinf(x)) return sign | exp_mask(dbl);
  if (x == 0) return sign;  /* exact zero: sticky cannot be set */
  frac = frexpl(fabsl(x), &e);          /* |x| = frac * 2^e, frac in [.5, 1) */
  hi = ldexpl(frac, 64);
  m = (uint64_t)hi;                     /* top 64 significand bits */
  if ((long double)m != hi || sticky) m |= 1;   /* round to odd */
  E = e - 1;                            /* |x| in [2^E, 2^(E+1)) */
  if (E < emin) {
    /* tiny after rounding unless rounding to p bits with an unbounded
    ** exponent reaches 2^emin */
    tiny = 1;
    if (E == emin - 1 && (shr_rmm(m, 64 - p, &dummy) >> p)) tiny = 0;
    kept = shr_rmm(m, 64 - p + (emin - E), &inexact);
    bits = kept;  /* subnormal encoding; 2^(p-1) is the smallest normal */
  } else {
    kept = shr_rmm(m, 64 - p, &inexact);
    if (kept >> p) { kept >>= 1; E++; }
    if (E > emax) {
      *fl |= FFLAG_OF | FFLAG_NX;
      return sign | exp_mask(dbl);      /* RMM overflows to infinity */
    }
    bits = (uint64_t)(E + bias) << (p - 1) | (kept & frac_mask(dbl));
  }
  if (inexact) {
    *fl |= FFLAG_NX;
    if (tiny) *fl |= FFLAG_UF;
  }
  return sign | bits;
}

/* The operation in long double with the host rounding toward zero. */
static uint64_t arith_rmm(unsigned op, int dbl, uint64_t a, uint64_t b,
                          uint64_t c, uint64_t xv, unsigned *fl)
{
  long double x, y = 0, z = 0, r;
  int ex, sticky;
  fenv_t saved;

  switch (op) {
  case OPA_CVT_FP: x = as_d(a); break;             /* D -> S */
  case OPA_CVT_W:  x = (int32_t)xv; break;
  case OPA_CVT_WU: x = (uint32_t)xv; break;
  case OPA_CVT_L:  x = (int64_t)xv; break;
  case OPA_CVT_LU: x = xv; break;                  /* exact: 64 bits */
  default:
    x = as_host(a, dbl); y = as_host(b, dbl); z = as_host(c, dbl);
    break;
  }
  {
    volatile long double vx = x, vy = y, vz = z, vr;
    fegetenv(&saved);
    fesetround(FE_TOWARDZERO);
    feclearexcept(FE_ALL_EXCEPT);
    vr = host_ld(op, vx, vy, vz);
    ex = fetestexcept(FE_ALL_EXCEPT);
    fesetenv(&saved);
    r = vr;
  }
  if (ex & FE_INVALID) *fl |= FFLAG_NV;
  if (ex & FE_DIVBYZERO) *fl |= FFLAG_DZ;
  if (isnan(r)) return canon(dbl);
  sticky = (ex & FE_INEXACT) != 0;
  return round_rmm(r, sticky, dbl, fl);
}

/* ================= arithmetic ================= */

/* Result bits (unboxed for single) of `op` in format dbl (the destination
** format for conversions), rounding mode rm (0..4); ORs the flags. */
static uint64_t arith(unsigned op, int dbl, unsigned rm, uint64_t a,
                      uint64_t b, uint64_t c, uint64_t xv, unsigned *fl)
{
  uint64_t r;

  if (op <= OPA_NMADD) {
    int n = op == OPA_SQRT ? 1 : op >= OPA_MADD ? 3 : 2;
    int nan = is_nan(a, dbl) || (n > 1 && is_nan(b, dbl)) ||
              (n > 2 && is_nan(c, dbl));
    /* inf * 0 in a fused op is invalid even with a quiet NaN addend */
    if (n == 3 && ((is_inf(a, dbl) && is_zero(b, dbl)) ||
                   (is_zero(a, dbl) && is_inf(b, dbl)))) {
      *fl |= FFLAG_NV;
      return canon(dbl);
    }
    if (nan) {
      if (is_snan(a, dbl) || (n > 1 && is_snan(b, dbl)) ||
          (n > 2 && is_snan(c, dbl)))
        *fl |= FFLAG_NV;
      return canon(dbl);
    }
  } else if (op == OPA_CVT_FP) {
    /* a is in the other format */
    if (is_nan(a, !dbl)) {
      if (is_snan(a, !dbl)) *fl |= FFLAG_NV;
      return canon(dbl);
    }
    if (dbl) return d_bits((double)as_f(a));       /* S -> D: exact */
  } else if (dbl && (op == OPA_CVT_W || op == OPA_CVT_WU)) {
    /* exact */
    return d_bits(op == OPA_CVT_W ? (double)(int32_t)xv
                                  : (double)(uint32_t)xv);
  }

  if (rm == RM_RMM) return arith_rmm(op, dbl, a, b, c, xv, fl);

  if (dbl) {
    volatile double x = as_d(a), y = as_d(b), z = as_d(c), vr;
    volatile uint64_t vxv = xv;
    host_env e = host_enter(rm);
    vr = host_d(op, x, y, z, vxv);
    *fl |= host_leave(e);
    r = d_bits(vr);
  } else {
    volatile float x = as_f(a), y = as_f(b), z = as_f(c), vr;
    volatile double dx = op == OPA_CVT_FP ? as_d(a) : 0.0;
    volatile uint64_t vxv = xv;
    host_env e = host_enter(rm);
    vr = host_f(op, x, y, z, dx, vxv);
    *fl |= host_leave(e);
    r = f_bits(vr);
  }
  if (is_nan(r, dbl)) r = canon(dbl);
  return r;
}

/* ================= conversions to integers ================= */

/* round to nearest, ties to even, exactly (independent of the host mode) */
static double round_even(double x)
{
  double t = trunc(x), d = fabs(x - t);    /* x - t is exact */
  if (d > 0.5 || (d == 0.5 && fmod(t, 2.0) != 0.0))
    t += x < 0 ? -1.0 : 1.0;
  return t;
}

static uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)v; }

/* FCVT.{W,WU,L,LU}: saturating (Table 11.4); results of W/WU are
** sign-extended from 32 bits. */
static uint64_t to_int(uint64_t a, int dbl, unsigned rm, unsigned kind,
                       unsigned *fl)
{
  static const uint64_t maxv[4] = { 0x7fffffffull, ~0ull,
                                    0x7fffffffffffffffull, ~0ull };
  static const uint64_t minv[4] = { 0xffffffff80000000ull, 0,
                                    0x8000000000000000ull, 0 };
  double x, r;
  uint64_t v;

  if (is_nan(a, dbl)) { *fl |= FFLAG_NV; return maxv[kind]; }
  x = as_host(a, dbl);
  switch (rm) {
  case RM_RNE: r = round_even(x); break;
  case RM_RTZ: r = trunc(x); break;
  case RM_RDN: r = floor(x); break;
  case RM_RUP: r = ceil(x); break;
  default:     r = round(x); break;       /* RMM: ties away from zero */
  }
  switch (kind) {
  case OPI_W:
    if (r < -2147483648.0) goto too_small;
    if (r > 2147483647.0) goto too_big;
    v = (uint64_t)(int64_t)r;
    break;
  case OPI_WU:
    if (r < 0) goto too_small;              /* -0 is fine */
    if (r > 4294967295.0) goto too_big;
    v = sext32((uint64_t)r);
    break;
  case OPI_L:
    if (r < -9223372036854775808.0) goto too_small;
    if (r >= 9223372036854775808.0) goto too_big;
    v = (uint64_t)(int64_t)r;
    break;
  default: /* OPI_LU */
    if (r < 0) goto too_small;
    if (r >= 18446744073709551616.0) goto too_big;
    v = (uint64_t)r;
    break;
  }
  if (r != x) *fl |= FFLAG_NX;
  return v;
too_small:
  *fl |= FFLAG_NV;
  return minv[kind];
too_big:
  *fl |= FFLAG_NV;
  return maxv[kind];
}

static uint64_t fclass(uint64_t a, int dbl)
{
  int neg = is_neg(a, dbl);
  if (is_inf(a, dbl)) return neg ? 1u << 0 : 1u << 7;
  if (is_zero(a, dbl)) return neg ? 1u << 3 : 1u << 4;
  if (is_nan(a, dbl)) return is_snan(a, dbl) ? 1u << 8 : 1u << 9;
  if ((a & exp_mask(dbl)) == 0) return neg ? 1u << 2 : 1u << 5;
  return neg ? 1u << 1 : 1u << 6;
}

/* ================= helpers (CALL) ================= */

static uint64_t rd_src(struct rv_cpu *rc, unsigned r, int dbl)
{
  return dbl ? rc->f[r] : unbox(rc->f[r]);
}

static void wr_f(struct rv_cpu *rc, unsigned rd, uint64_t v, int dbl)
{
  rc->f[rd] = dbl ? v : (BOX | (uint32_t)v);
  rv_fs_dirty(rc);
}

static void accrue(struct rv_cpu *rc, unsigned fl)
{
  if (fl) {
    rc->fflags |= fl;
    rv_fs_dirty(rc);
  }
}

/*
** Fast path (the idea of QEMU's "hardfloat"): when the rounding mode is
** RNE and the guest's NX flag is already set, an operation on finite
** operands whose result is a normal number (or an exact zero) can raise
** no flag that is not already set (NX is sticky; NV, DZ, OF and UF need
** NaN/infinite/zero-divisor operands or an infinite, tiny or zero
** result, which all take the full path).  It is then computed directly in
** the host's default environment (SSE, RNE, exceptions masked, no
** FTZ/DAZ: what a process starts with and what host_leave restores),
** without touching the MXCSR, whose loads cost tens of ns each.  Returns 1
** with *out set, or 0 for the full path.
*/
static inline __attribute__((always_inline)) int
arith_fast(unsigned op, int dbl, uint64_t a, uint64_t b,
                      uint64_t c, uint64_t *out)
{
  int n = op == OPA_SQRT ? 1 : op >= OPA_MADD ? 3 : 2;
  uint64_t em = exp_mask(dbl), r, mag;
  int zero_ok;
  if (op > OPA_NMADD) return 0;
  if ((a & em) == em || (n > 1 && (b & em) == em) ||
      (n > 2 && (c & em) == em))
    return 0;                               /* NaN or infinite operand */
  if (op == OPA_DIV && is_zero(b, dbl)) return 0;
  if (op == OPA_SQRT && is_neg(a, dbl) && !is_zero(a, dbl)) return 0;
  if (dbl) {
    double x = as_d(a), y = as_d(b), z = as_d(c);
    r = d_bits(host_d(op, x, y, z, 0));
  } else {
    float x = as_f(a), y = as_f(b), z = as_f(c);
    r = f_bits(host_f(op, x, y, z, 0, 0));
  }
  mag = r & ~sign_bit(dbl);
  if ((r & em) == em) return 0;             /* overflow (or NaN) */
  /* a zero or subnormal result is exact, so flagless, for a sum (a tiny
  ** sum is always exact), a product or quotient with a zero operand, and
  ** the square root of a zero; otherwise it may underflow */
  zero_ok = op == OPA_ADD || op == OPA_SUB ||
            ((op == OPA_MUL || op == OPA_DIV) && is_zero(a, dbl)) ||
            (op == OPA_MUL && is_zero(b, dbl)) ||
            (op == OPA_SQRT && is_zero(a, dbl));
  if ((mag & em) == 0 && !zero_ok) return 0;
  *out = r;
  return 1;
}

uint64_t rv_fp_h_arith(vmrun_cpu *cpu, uint64_t info, uint64_t insn,
                       uint64_t xval)
{
  struct rv_cpu *rc = RV(cpu);
  unsigned op = I_OP(info), fl = 0, rm = I_RM(info);
  int dbl = I_DBL(info);
  uint64_t a, r;
  (void)insn;
  if (rm == RM_RNE && (rc->fflags & FFLAG_NX) && op <= OPA_NMADD &&
      arith_fast(op, dbl, rd_src(rc, I_RS1(info), dbl),
                 rd_src(rc, I_RS2(info), dbl), rd_src(rc, I_RS3(info), dbl),
                 &r)) {
    wr_f(rc, I_RD(info), r, dbl);
    return 0;
  }
  /* for FCVT.S.D / FCVT.D.S the source is in the other format */
  a = rd_src(rc, I_RS1(info), op == OPA_CVT_FP ? !dbl : dbl);
  r = arith(op, dbl, rm, a, rd_src(rc, I_RS2(info), dbl),
            rd_src(rc, I_RS3(info), dbl), xval, &fl);
  wr_f(rc, I_RD(info), r, dbl);
  accrue(rc, fl);
  return 0;
}

/* ================= specialised helpers (values in, value out) ========= */

/*
** One helper per operation and format for the common instructions, so
** that the operation is a constant and the fast path compiles to a few
** tests around one host instruction.  The operands are the raw 64-bit f
** registers (read by IR GETs; singles are unboxed here), the result is
** the new f[rd] (NaN-boxed for single), written by an IR PUT; fflags are
** updated here.  The rounding mode is resolved at translation time (frm
** is part of tb_flags), so none of these can trap: they are emitted with
** no CALL flags.
*/
/* the full path, out of line so that the fast path needs no stack frame
** (it tail-calls this) */
static __attribute__((noinline)) uint64_t
arith_slow(struct rv_cpu *rc, unsigned op, int dbl, unsigned rm, uint64_t a,
           uint64_t b, uint64_t c)
{
  unsigned fl = 0;
  uint64_t r = arith(op, dbl, rm, a, b, c, 0, &fl);
  accrue(rc, fl);
  return dbl ? r : BOX | (uint32_t)r;
}

/*
** With NX still clear, a sum, difference or product that arith_fast
** accepted (finite operands; a normal result, or a zero/tiny one that is
** exact) raises NX alone if it is inexact, and nothing otherwise.  Was the
** RNE result r exact?  Error-free transformations decide it without the
** MXCSR: TwoSum (Knuth) for sums, the FMA residual for double products
** (the residual is exact while r is at least 2^-969, so that it cannot
** underflow), and for single products the double product, which is
** exact.  1 exact, 0 inexact, -1 cannot tell (the full path decides).
** Programs computing on exact values (integers in doubles: the matmul
** benchmark) never set NX, so without this they always took the full
** path.
*/
static inline __attribute__((always_inline)) int
exact_rne(unsigned op, int dbl, uint64_t a, uint64_t b, uint64_t r)
{
  if (op == OPA_MUL) {
    if ((r & ~sign_bit(dbl)) == 0) return 1;     /* zero operand: exact */
    if (!dbl) return (double)as_f(r) == (double)as_f(a) * (double)as_f(b);
    if ((r >> 52 & 0x7ff) <= 53) return -1;
    return fma(as_d(a), as_d(b), -as_d(r)) == 0.0;
  }
  if (dbl) {
    double x = as_d(a), y = op == OPA_SUB ? -as_d(b) : as_d(b);
    double s = as_d(r), bp = s - x, ap = s - bp;
    return (x - ap) + (y - bp) == 0.0;
  } else {
    float x = as_f(a), y = op == OPA_SUB ? -as_f(b) : as_f(b);
    float s = as_f(r), bp = s - x, ap = s - bp;
    return (x - ap) + (y - bp) == 0.0f;
  }
}

static inline __attribute__((always_inline)) uint64_t
arith_vals(vmrun_cpu *cpu, unsigned op, int dbl, unsigned rm, uint64_t a,
           uint64_t b, uint64_t c)
{
  struct rv_cpu *rc = RV(cpu);
  uint64_t r;
  if (!dbl) { a = unbox(a); b = unbox(b); c = unbox(c); }
  if (rm == RM_RNE && (rc->fflags & FFLAG_NX) &&
      arith_fast(op, dbl, a, b, c, &r))
    return dbl ? r : BOX | r;
  if (rm == RM_RNE && op <= OPA_MUL && arith_fast(op, dbl, a, b, c, &r)) {
    int x = exact_rne(op, dbl, a, b, r);
    if (x >= 0) {
      if (!x) accrue(rc, FFLAG_NX);
      return dbl ? r : BOX | r;
    }
  }
  return arith_slow(rc, op, dbl, rm, a, b, c);
}

/* a = f[rs1], b = f[rs2] (ignored by FSQRT), c = the rounding mode 0..4;
** the _rne variants ignore c (rm = RNE: no temporary for it) */
#define H_ARITH2(name, op, dbl)                                          \
  static uint64_t name(vmrun_cpu *cpu, uint64_t a, uint64_t b,          \
                       uint64_t rm)                                     \
  {                                                                      \
    return arith_vals(cpu, op, dbl, (unsigned)rm, a, b, 0);             \
  }                                                                      \
  static uint64_t name##_rne(vmrun_cpu *cpu, uint64_t a, uint64_t b,    \
                             uint64_t unused)                           \
  {                                                                      \
    (void)unused;                                                        \
    return arith_vals(cpu, op, dbl, RM_RNE, a, b, 0);                    \
  }
H_ARITH2(h_fadd_s, OPA_ADD, 0)
H_ARITH2(h_fsub_s, OPA_SUB, 0)
H_ARITH2(h_fmul_s, OPA_MUL, 0)
H_ARITH2(h_fdiv_s, OPA_DIV, 0)
H_ARITH2(h_fsqrt_s, OPA_SQRT, 0)
H_ARITH2(h_fadd_d, OPA_ADD, 1)
H_ARITH2(h_fsub_d, OPA_SUB, 1)
H_ARITH2(h_fmul_d, OPA_MUL, 1)
H_ARITH2(h_fdiv_d, OPA_DIV, 1)
H_ARITH2(h_fsqrt_d, OPA_SQRT, 1)

/* fused ops with rm = RNE: a, b, c = f[rs1], f[rs2], f[rs3] */
#define H_FMA(name, op, dbl)                                             \
  static uint64_t name(vmrun_cpu *cpu, uint64_t a, uint64_t b,          \
                       uint64_t c)                                      \
  {                                                                      \
    return arith_vals(cpu, op, dbl, RM_RNE, a, b, c);                    \
  }
H_FMA(h_fmadd_s, OPA_MADD, 0)
H_FMA(h_fmsub_s, OPA_MSUB, 0)
H_FMA(h_fnmsub_s, OPA_NMSUB, 0)
H_FMA(h_fnmadd_s, OPA_NMADD, 0)
H_FMA(h_fmadd_d, OPA_MADD, 1)
H_FMA(h_fmsub_d, OPA_MSUB, 1)
H_FMA(h_fnmsub_d, OPA_NMSUB, 1)
H_FMA(h_fnmadd_d, OPA_NMADD, 1)

/* FEQ FLT FLE: a = f[rs1], b = f[rs2]; returns x[rd] */
static inline __attribute__((always_inline)) uint64_t
cmp_vals(vmrun_cpu *cpu, unsigned op, int dbl, uint64_t a, uint64_t b)
{
  if (!dbl) { a = unbox(a); b = unbox(b); }
  if (!is_nan(a, dbl) && !is_nan(b, dbl)) {
    double x = as_host(a, dbl), y = as_host(b, dbl);
    return op == OPI_FEQ ? x == y : op == OPI_FLT ? x < y : x <= y;
  }
  /* FEQ is a quiet comparison, FLT/FLE signalling (§11.8) */
  if (op != OPI_FEQ || is_snan(a, dbl) || is_snan(b, dbl))
    accrue(RV(cpu), FFLAG_NV);
  return 0;
}

#define H_CMP(name, op, dbl)                                             \
  static uint64_t name(vmrun_cpu *cpu, uint64_t a, uint64_t b,          \
                       uint64_t unused)                                 \
  {                                                                      \
    (void)unused;                                                        \
    return cmp_vals(cpu, op, dbl, a, b);                                 \
  }
H_CMP(h_feq_s, OPI_FEQ, 0)
H_CMP(h_flt_s, OPI_FLT, 0)
H_CMP(h_fle_s, OPI_FLE, 0)
H_CMP(h_feq_d, OPI_FEQ, 1)
H_CMP(h_flt_d, OPI_FLT, 1)
H_CMP(h_fle_d, OPI_FLE, 1)

/* FMIN FMAX: a = f[rs1], b = f[rs2]; returns f[rd] */
static inline __attribute__((always_inline)) uint64_t
minmax_vals(vmrun_cpu *cpu, int mx, int dbl, uint64_t a, uint64_t b)
{
  uint64_t r;
  if (!dbl) { a = unbox(a); b = unbox(b); }
  if (!is_nan(a, dbl) && !is_nan(b, dbl)) {
    if (is_zero(a, dbl) && is_zero(b, dbl)) {
      r = (is_neg(a, dbl) != mx) ? a : b;  /* -0 < +0 */
    } else {
      double x = as_host(a, dbl), y = as_host(b, dbl);
      r = (mx ? x > y : x < y) ? a : b;
    }
  } else {
    /* IEEE 754-2019 minimumNumber / maximumNumber */
    if (is_snan(a, dbl) || is_snan(b, dbl)) accrue(RV(cpu), FFLAG_NV);
    r = is_nan(a, dbl) ? (is_nan(b, dbl) ? canon(dbl) : b) : a;
  }
  return dbl ? r : BOX | r;
}

#define H_MINMAX(name, mx, dbl)                                          \
  static uint64_t name(vmrun_cpu *cpu, uint64_t a, uint64_t b,          \
                       uint64_t unused)                                 \
  {                                                                      \
    (void)unused;                                                        \
    return minmax_vals(cpu, mx, dbl, a, b);                              \
  }
H_MINMAX(h_fmin_s, 0, 0)
H_MINMAX(h_fmax_s, 1, 0)
H_MINMAX(h_fmin_d, 0, 1)
H_MINMAX(h_fmax_d, 1, 1)

/* FCLASS: a = f[rs1]; returns x[rd] */
static uint64_t h_fclass_s(vmrun_cpu *cpu, uint64_t a, uint64_t b,
                           uint64_t c)
{
  (void)cpu; (void)b; (void)c;
  return fclass(unbox(a), 0);
}

static uint64_t h_fclass_d(vmrun_cpu *cpu, uint64_t a, uint64_t b,
                           uint64_t c)
{
  (void)cpu; (void)b; (void)c;
  return fclass(a, 1);
}

/* FCVT.{W,WU,L,LU}.{S,D}: a = f[rs1], c = the rounding mode; returns
** x[rd].  Fast path: RTZ (C casts) to W or L of a value well inside the
** range, truncated by the host (cvttsd2si); NX if it was not integral. */
static inline __attribute__((always_inline)) uint64_t
toint_vals(vmrun_cpu *cpu, unsigned kind, int dbl, uint64_t a, unsigned rm)
{
  unsigned fl = 0;
  uint64_t r;
  if (!dbl) a = unbox(a);
  if (rm == RM_RTZ && (kind == OPI_W || kind == OPI_L) && !is_nan(a, dbl)) {
    double x = as_host(a, dbl);
    if (x > -2147483648.0 && x < 2147483648.0) {
      int64_t v = (int64_t)x;
      if ((double)v != x) accrue(RV(cpu), FFLAG_NX);
      return (uint64_t)v;                    /* W: sign-extended already */
    }
  }
  r = to_int(a, dbl, rm, kind, &fl);
  accrue(RV(cpu), fl);
  return r;
}

/* a conversion helper: a = the source, c = the rounding mode */
#define H_CONV(name, vals, kind, dbl)                                    \
  static uint64_t name(vmrun_cpu *cpu, uint64_t a, uint64_t b,          \
                       uint64_t rm)                                     \
  {                                                                      \
    (void)b;                                                             \
    return vals(cpu, kind, dbl, a, (unsigned)rm);                        \
  }
H_CONV(h_fcvt_w_s, toint_vals, OPI_W, 0)
H_CONV(h_fcvt_wu_s, toint_vals, OPI_WU, 0)
H_CONV(h_fcvt_l_s, toint_vals, OPI_L, 0)
H_CONV(h_fcvt_lu_s, toint_vals, OPI_LU, 0)
H_CONV(h_fcvt_w_d, toint_vals, OPI_W, 1)
H_CONV(h_fcvt_wu_d, toint_vals, OPI_WU, 1)
H_CONV(h_fcvt_l_d, toint_vals, OPI_L, 1)
H_CONV(h_fcvt_lu_d, toint_vals, OPI_LU, 1)

/* FCVT.{S,D}.{W,WU,L,LU}: a = x[rs1], c = the rounding mode; returns
** f[rd].  In RNE the host converts in its default mode (one rounding;
** only NX can be raised: no integer overflows or underflows a float),
** and the result is checked for exactness. */
static inline __attribute__((always_inline)) uint64_t
fromint_vals(vmrun_cpu *cpu, unsigned op, int dbl, uint64_t xv, unsigned rm)
{
  unsigned fl = 0;
  uint64_t r;
  if (rm == RM_RNE) {
    double d;          /* the rounded value, exactly */
    int exact;
    if (dbl) {
      d = op == OPA_CVT_W    ? (double)(int32_t)xv
          : op == OPA_CVT_WU ? (double)(uint32_t)xv
          : op == OPA_CVT_L  ? (double)(int64_t)xv
                             : (double)xv;
      r = d_bits(d);
    } else {
      float f = op == OPA_CVT_W    ? (float)(int32_t)xv
                : op == OPA_CVT_WU ? (float)(uint32_t)xv
                : op == OPA_CVT_L  ? (float)(int64_t)xv
                                   : (float)xv;
      d = f;
      r = BOX | f_bits(f);
    }
    switch (op) {
    case OPA_CVT_W:  exact = d == (double)(int32_t)xv; break;
    case OPA_CVT_WU: exact = d == (double)(uint32_t)xv; break;
    case OPA_CVT_L:
      exact = d < 9223372036854775808.0 && (int64_t)d == (int64_t)xv;
      break;
    default:
      exact = d < 18446744073709551616.0 && (uint64_t)d == xv;
      break;
    }
    if (!exact) accrue(RV(cpu), FFLAG_NX);
    return r;
  }
  r = arith(op, dbl, rm, 0, 0, 0, xv, &fl);
  accrue(RV(cpu), fl);
  return dbl ? r : BOX | (uint32_t)r;
}

H_CONV(h_fcvt_s_w, fromint_vals, OPA_CVT_W, 0)
H_CONV(h_fcvt_s_wu, fromint_vals, OPA_CVT_WU, 0)
H_CONV(h_fcvt_s_l, fromint_vals, OPA_CVT_L, 0)
H_CONV(h_fcvt_s_lu, fromint_vals, OPA_CVT_LU, 0)
H_CONV(h_fcvt_d_w, fromint_vals, OPA_CVT_W, 1)
H_CONV(h_fcvt_d_wu, fromint_vals, OPA_CVT_WU, 1)
H_CONV(h_fcvt_d_l, fromint_vals, OPA_CVT_L, 1)
H_CONV(h_fcvt_d_lu, fromint_vals, OPA_CVT_LU, 1)

/* FCVT.S.D (a = f[rs1], c = rm) and FCVT.D.S (exact): return f[rd] */
static uint64_t h_fcvt_s_d(vmrun_cpu *cpu, uint64_t a, uint64_t b,
                           uint64_t rm)
{
  unsigned fl = 0;
  uint64_t r;
  (void)b;
  /* fast: RNE with NX set, a finite double whose float is normal (or a
  ** zero from a zero): no new flag */
  if (rm == RM_RNE && (RV(cpu)->fflags & FFLAG_NX) &&
      (a & exp_mask(1)) != exp_mask(1)) {
    float f = (float)as_d(a);
    uint64_t fb = f_bits(f), e = fb & exp_mask(0);
    if (e != exp_mask(0) && (e != 0 || is_zero(a, 1))) return BOX | fb;
  }
  r = arith(OPA_CVT_FP, 0, (unsigned)rm, a, 0, 0, 0, &fl);
  accrue(RV(cpu), fl);
  return BOX | (uint32_t)r;
}

static uint64_t h_fcvt_d_s(vmrun_cpu *cpu, uint64_t a, uint64_t b,
                           uint64_t c)
{
  (void)b; (void)c;
  a = unbox(a);
  if (is_nan(a, 0)) {
    if (is_snan(a, 0)) accrue(RV(cpu), FFLAG_NV);
    return CANON_D;
  }
  return d_bits((double)as_f(a));
}

/* mstatus.FS = Dirty (and tb_flags), for IR writes of f[] in blocks
** translated while FS was not Dirty */
static uint64_t h_dirty(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  (void)a; (void)b; (void)c;
  rv_fs_dirty(RV(cpu));
  return 0;
}

/* ================= CSRs and register names ================= */

uint64_t rv_fp_csr_get(struct rv_cpu *rc, unsigned csr)
{
  switch (csr) {
  case CSR_FFLAGS: return rc->fflags & 31;
  case CSR_FRM:    return rc->frm & 7;
  default:         return (rc->frm & 7) << 5 | (rc->fflags & 31);
  }
}

void rv_fp_csr_set(struct rv_cpu *rc, unsigned csr, uint64_t v)
{
  switch (csr) {
  case CSR_FFLAGS: rc->fflags = (uint32_t)v & 31; break;
  case CSR_FRM:    rc->frm = (uint32_t)v & 7; break;
  default:
    rc->fflags = (uint32_t)v & 31;
    rc->frm = (uint32_t)(v >> 5) & 7;
    break;
  }
  if (rc->mstatus & MSTATUS_FS) rc->mstatus |= MSTATUS_FS;
  rc->hdr.tb_flags = rv_tb_flags(rc);  /* FS Dirty and frm are part of it */
}

static const char *const f_names[32] = {
  "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7",
  "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15",
  "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23",
  "f24", "f25", "f26", "f27", "f28", "f29", "f30", "f31"
};

static const char *const f_abi[32] = {
  "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
  "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
  "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
  "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"
};

int rv_fp_reg_by_name(const char *name)
{
  int k;
  if (name[0] != 'f') return -1;
  for (k = 0; k < 32; k++)
    if (strcmp(name, f_names[k]) == 0 || strcmp(name, f_abi[k]) == 0)
      return k;
  return -1;
}

const char *rv_fp_reg_name(unsigned k) { return k < 32 ? f_names[k] : NULL; }

/* ================= translation ================= */

typedef struct fpt {
  vmrun_ir_block *blk;
  uint32_t *nt;
  uint32_t raw;
} fpt;

#define FPR(r) ((uint64_t)offsetof(struct rv_cpu, f[(r)]))
#define XPR(r) ((uint64_t)offsetof(struct rv_cpu, x[(r)]))

static uint16_t t_new(fpt *t)
{
  uint16_t r;
  if (*t->nt >= VMRUN_IR_MAX_TEMPS) { t->blk->overflow = 1; return 0; }
  r = (uint16_t)(*t->nt)++;
  if (t->blk->n_temps < *t->nt) t->blk->n_temps = *t->nt;
  return r;
}

static uint16_t t_movi(fpt *t, uint64_t v)
{
  uint16_t d = t_new(t);
  vmrun_ir_op *o = vmrun_ir_emit(t->blk, VMRUN_IR_MOVI);
  o->dst = d; o->imm = v;
  return d;
}

static uint16_t t_get(fpt *t, uint64_t off, unsigned size, unsigned flags)
{
  uint16_t d = t_new(t);
  vmrun_ir_op *o = vmrun_ir_emit(t->blk, VMRUN_IR_GET);
  o->dst = d; o->imm = off; o->size = (uint8_t)size; o->flags = (uint8_t)flags;
  return d;
}

static void t_put(fpt *t, uint16_t a, uint64_t off)
{
  vmrun_ir_op *o = vmrun_ir_emit(t->blk, VMRUN_IR_PUT);
  o->a = a; o->imm = off; o->size = 8;
}

static uint16_t t_getx(fpt *t, unsigned r)
{
  return r ? t_get(t, XPR(r), 8, 0) : t_movi(t, 0);
}

static void t_putx(fpt *t, unsigned r, uint16_t a)
{
  if (r) t_put(t, a, XPR(r));
}

static uint16_t t_ori(fpt *t, uint16_t a, uint64_t imm)
{
  uint16_t d = t_new(t);
  vmrun_ir_op *o = vmrun_ir_emit(t->blk, VMRUN_IR_OR);
  o->dst = d; o->a = a; o->imm = imm; o->size = 8; o->flags = VMRUN_IR_F_BIMM;
  return d;
}

/* the value helpers (operands in, result out) touch no x[] or f[]: the
** engine may keep guest registers in host registers across them */
#define NOREGS VMRUN_IR_F_NOREGS

static uint16_t t_call(fpt *t, vmrun_ir_helper_fn fn, uint16_t a, uint16_t b,
                       uint16_t c, unsigned flags)
{
  uint16_t d = t_new(t);
  vmrun_ir_op *o = vmrun_ir_emit(t->blk, VMRUN_IR_CALL);
  o->dst = d; o->a = a; o->b = b; o->c = c;
  o->imm = (uint64_t)(uintptr_t)fn; o->flags = (uint8_t)flags;
  return d;
}

/* Mark the CALL just emitted as the binary64 operation `fpop` in RNE
** (VMRUN_IR_F_FP, vmrun/ir.h): its helper returns the IEEE result and
** only accrues flags into fflags, so an engine may compute it inline. */
static void t_fphint(fpt *t, unsigned fpop)
{
  vmrun_ir_op *o = &t->blk->ops[t->blk->n_ops - 1];
  if (t->blk->overflow || o->op != VMRUN_IR_CALL) return;
  o->flags |= VMRUN_IR_F_FP;
  o->cond = (uint8_t)fpop;
  o->size = 8;
}

static int t_illegal(fpt *t)
{
  uint16_t a = t_movi(t, EXC_ILLEGAL_INSN), b = t_movi(t, t->raw);
  t_call(t, rv_h_raise, a, b, a, VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END);
  vmrun_ir_emit(t->blk, VMRUN_IR_EXIT);
  return 1;
}

/* mstatus.FS = Dirty after an IR write of f[]: nothing to do when the
** block was translated with FS = Dirty (it cannot change inside a block
** but through FP writes: anything else that writes mstatus ends the
** block), else one helper call (which also sets the tb_flags bit, so the
** following blocks are the Dirty variants). */
static void t_dirty(fpt *t)
{
  uint16_t z;
  if (t->blk->tb_flags & RV_TBF_FS_DIRTY) return;
  z = t_movi(t, 0);
  t_call(t, h_dirty, z, z, z, NOREGS);
}

static uint16_t t_getf(fpt *t, unsigned r) { return t_get(t, FPR(r), 8, 0); }

static void t_putf(fpt *t, unsigned r, uint16_t v)
{
  t_put(t, v, FPR(r));
  t_dirty(t);
}

/* One generic helper call; `xv` = a temporary holding x[rs1] or
** NOT_USED.  The rounding mode in `info` is already resolved (t_rm), so
** the helpers cannot trap: no CALL flags. */
static uint16_t t_fpcall(fpt *t, vmrun_ir_helper_fn fn, uint64_t info,
                         uint16_t xv)
{
  uint16_t a = t_movi(t, info), b = t_movi(t, t->raw);
  return t_call(t, fn, a, b, xv == NOT_USED ? a : xv, 0);
}

/* The rounding mode of an instruction: static, or for rm = DYN the frm
** this block was translated for (tb_flags); -1 if illegal (5, 6, or DYN
** with frm = 5, 6, 7: Unprivileged ISA §11.2). */
static int t_rm(fpt *t, unsigned rm)
{
  if (rm == RM_DYN)
    rm = (t->blk->tb_flags & RV_TBF_FRM_MASK) >> RV_TBF_FRM_SHIFT;
  return rm <= RM_RMM ? (int)rm : -1;
}

static int tr_load(fpt *t, uint32_t i)
{
  unsigned f3 = (i >> 12) & 7;
  uint16_t a, d;
  vmrun_ir_op *o;
  if (f3 != 2 && f3 != 3) return t_illegal(t);   /* FLW, FLD only */
  a = t_getx(t, (i >> 15) & 31);
  d = t_new(t);
  o = vmrun_ir_emit(t->blk, VMRUN_IR_LD);
  o->dst = d; o->a = a; o->imm = (uint64_t)((int64_t)(int32_t)i >> 20);
  o->size = f3 == 2 ? 4 : 8;
  if (f3 == 2) d = t_ori(t, d, BOX);             /* NaN-box */
  t_putf(t, (i >> 7) & 31, d);
  return 0;
}

static int tr_store(fpt *t, uint32_t i)
{
  unsigned f3 = (i >> 12) & 7;
  uint16_t a, b;
  vmrun_ir_op *o;
  if (f3 != 2 && f3 != 3) return t_illegal(t);   /* FSW, FSD only */
  a = t_getx(t, (i >> 15) & 31);
  b = t_getf(t, (i >> 20) & 31);
  o = vmrun_ir_emit(t->blk, VMRUN_IR_ST);
  o->a = a; o->b = b;
  o->imm = (uint64_t)(((int64_t)(int32_t)i >> 25) << 5 | ((i >> 7) & 31));
  o->size = f3 == 2 ? 4 : 8;
  return 0;
}

static int tr_fma(fpt *t, uint32_t i)
{
  static const vmrun_ir_helper_fn fn[2][4] = {
    { h_fmadd_s, h_fmsub_s, h_fnmsub_s, h_fnmadd_s },
    { h_fmadd_d, h_fmsub_d, h_fnmsub_d, h_fnmadd_d }
  };
  unsigned fmt = (i >> 25) & 3, rd = (i >> 7) & 31, rs1 = (i >> 15) & 31;
  unsigned rs2 = (i >> 20) & 31, rs3 = i >> 27;
  unsigned k = ((i & 0x7f) - 0x43) >> 2;         /* MADD MSUB NMSUB NMADD */
  int rm = t_rm(t, (i >> 12) & 7);
  if (fmt > 1 || rm < 0) return t_illegal(t);
  if (rm == RM_RNE) {
    uint16_t a = t_getf(t, rs1), b = t_getf(t, rs2), c = t_getf(t, rs3);
    uint16_t d = t_call(t, fn[fmt][k], a, b, c, NOREGS);
    if (fmt == 1) t_fphint(t, VMRUN_IR_FP_MADD + k);
    t_putf(t, rd, d);
    return 0;
  }
  t_fpcall(t, rv_fp_h_arith,
           INFO(rd, rs1, rs2, rs3, rm, OPA_MADD + k, fmt), NOT_USED);
  return 0;
}

/* FSGNJ FSGNJN FSGNJX in IR (FMV, FNEG, FABS are the rs1 == rs2 forms).
** Single-precision operands are unboxed first: an operand that is not a
** properly NaN-boxed value reads as the boxed canonical NaN (§11.2), and
** the result keeps the upper 32 ones of the (unboxed) rs1 operand. */
static uint16_t t_unbox(fpt *t, uint16_t v)
{
  uint16_t hi = t_new(t), ok = t_new(t), d = t_new(t);
  vmrun_ir_op *o = vmrun_ir_emit(t->blk, VMRUN_IR_SHR);
  o->dst = hi; o->a = v; o->imm = 32; o->size = 8; o->flags = VMRUN_IR_F_BIMM;
  o = vmrun_ir_emit(t->blk, VMRUN_IR_SETCC);
  o->dst = ok; o->a = hi; o->imm = 0xffffffffu; o->size = 8;
  o->cond = VMRUN_IR_EQ; o->flags = VMRUN_IR_F_BIMM;
  o = vmrun_ir_emit(t->blk, VMRUN_IR_SELECT);
  o->dst = d; o->a = v; o->c = ok; o->imm = BOX | CANON_S; o->size = 8;
  o->flags = VMRUN_IR_F_BIMM;
  return d;
}

static uint16_t t_alu(fpt *t, unsigned op, uint16_t a, uint16_t b,
                      uint64_t imm, int bimm)
{
  uint16_t d = t_new(t);
  vmrun_ir_op *o = vmrun_ir_emit(t->blk, (uint8_t)op);
  o->dst = d; o->a = a; o->b = b; o->imm = imm; o->size = 8;
  o->flags = bimm ? VMRUN_IR_F_BIMM : 0;
  return d;
}

static void tr_sgnj(fpt *t, unsigned kind, unsigned fmt, unsigned rd,
                    unsigned rs1, unsigned rs2)
{
  uint64_t s = sign_bit((int)fmt);
  uint16_t a = t_getf(t, rs1), b, m, r;
  if (!fmt) a = t_unbox(t, a);
  if (rs1 == rs2) {
    /* FMV, FNEG, FABS */
    r = kind == OPM_SGNJ    ? a
        : kind == OPM_SGNJN ? t_alu(t, VMRUN_IR_XOR, a, 0, s, 1)
                            : t_alu(t, VMRUN_IR_AND, a, 0, ~s, 1);
  } else {
    b = t_getf(t, rs2);
    if (!fmt) b = t_unbox(t, b);
    m = t_alu(t, VMRUN_IR_AND, b, 0, s, 1);       /* sign of rs2 */
    if (kind == OPM_SGNJX) {
      r = t_alu(t, VMRUN_IR_XOR, a, m, 0, 0);
    } else {
      if (kind == OPM_SGNJN) m = t_alu(t, VMRUN_IR_XOR, m, 0, s, 1);
      r = t_alu(t, VMRUN_IR_OR, t_alu(t, VMRUN_IR_AND, a, 0, ~s, 1), m, 0, 0);
    }
  }
  t_putf(t, rd, r);
}

static int tr_opfp(fpt *t, uint32_t i)
{
  /* [rm == RNE][fmt][FADD FSUB FMUL FDIV FSQRT] */
  static const vmrun_ir_helper_fn arith2[2][2][5] = {
    { { h_fadd_s, h_fsub_s, h_fmul_s, h_fdiv_s, h_fsqrt_s },
      { h_fadd_d, h_fsub_d, h_fmul_d, h_fdiv_d, h_fsqrt_d } },
    { { h_fadd_s_rne, h_fsub_s_rne, h_fmul_s_rne, h_fdiv_s_rne,
        h_fsqrt_s_rne },
      { h_fadd_d_rne, h_fsub_d_rne, h_fmul_d_rne, h_fdiv_d_rne,
        h_fsqrt_d_rne } }
  };
  static const vmrun_ir_helper_fn cmp[2][3] = {
    { h_fle_s, h_flt_s, h_feq_s }, { h_fle_d, h_flt_d, h_feq_d }
  };
  static const vmrun_ir_helper_fn minmax[2][2] = {
    { h_fmin_s, h_fmax_s }, { h_fmin_d, h_fmax_d }
  };
  static const vmrun_ir_helper_fn toint[2][4] = {
    { h_fcvt_w_s, h_fcvt_wu_s, h_fcvt_l_s, h_fcvt_lu_s },
    { h_fcvt_w_d, h_fcvt_wu_d, h_fcvt_l_d, h_fcvt_lu_d }
  };
  static const vmrun_ir_helper_fn fromint[2][4] = {
    { h_fcvt_s_w, h_fcvt_s_wu, h_fcvt_s_l, h_fcvt_s_lu },
    { h_fcvt_d_w, h_fcvt_d_wu, h_fcvt_d_l, h_fcvt_d_lu }
  };
  unsigned f7 = i >> 25, fmt = f7 & 3, f5 = f7 >> 2;
  unsigned rd = (i >> 7) & 31, rs1 = (i >> 15) & 31, rs2 = (i >> 20) & 31;
  unsigned f3 = (i >> 12) & 7;
  int rm;
  uint16_t a, b, d;

  if (fmt > 1) return t_illegal(t);                /* H, Q */
  switch (f5) {
  case 0x00: case 0x01: case 0x02: case 0x03:      /* FADD FSUB FMUL FDIV */
  case 0x0b:                                       /* FSQRT */
    if ((f5 == 0x0b && rs2 != 0) || (rm = t_rm(t, f3)) < 0)
      return t_illegal(t);
    /* FSQRT reads rs1 twice: the interpreter fuses GET GET CALL PUT */
    a = t_getf(t, rs1);
    b = t_getf(t, f5 == 0x0b ? rs1 : rs2);
    d = t_call(t, arith2[rm == RM_RNE][fmt][f5 == 0x0b ? 4 : f5], a, b,
               rm == RM_RNE ? a : t_movi(t, (uint64_t)rm), NOREGS);
    if (rm == RM_RNE && fmt == 1)
      t_fphint(t, f5 == 0x0b ? VMRUN_IR_FP_SQRT : VMRUN_IR_FP_ADD + f5);
    t_putf(t, rd, d);
    return 0;
  case 0x04:                                       /* FSGNJ[N|X] */
    if (f3 > 2) return t_illegal(t);
    tr_sgnj(t, OPM_SGNJ + f3, fmt, rd, rs1, rs2);
    return 0;
  case 0x05:                                       /* FMIN FMAX */
    if (f3 > 1) return t_illegal(t);
    a = t_getf(t, rs1);
    d = t_call(t, minmax[fmt][f3], a, t_getf(t, rs2), a, NOREGS);
    t_putf(t, rd, d);
    return 0;
  case 0x08:                                       /* FCVT.S.D FCVT.D.S */
    if (rs2 != (fmt ^ 1) || (rm = t_rm(t, f3)) < 0) return t_illegal(t);
    a = t_getf(t, rs1);
    if (fmt)                                       /* exact: no rm */
      d = t_call(t, h_fcvt_d_s, a, t_getf(t, rs1), a, NOREGS);
    else
      d = t_call(t, h_fcvt_s_d, a, a, t_movi(t, (uint64_t)rm), NOREGS);
    t_putf(t, rd, d);
    return 0;
  case 0x14:                                       /* FLE FLT FEQ */
    if (f3 > 2) return t_illegal(t);
    d = t_getf(t, rs1);
    d = t_call(t, cmp[fmt][f3], d, t_getf(t, rs2), d, NOREGS);
    if (fmt == 1)              /* FLE FLT FEQ */
      t_fphint(t, f3 == 0 ? VMRUN_IR_FP_LE : f3 == 1 ? VMRUN_IR_FP_LT
                                                     : VMRUN_IR_FP_EQ);
    t_putx(t, rd, d);
    return 0;
  case 0x18:                                       /* FCVT.{W,WU,L,LU}.fmt */
    if (rs2 > 3 || (rm = t_rm(t, f3)) < 0) return t_illegal(t);
    a = t_getf(t, rs1);
    d = t_call(t, toint[fmt][rs2], a, a, t_movi(t, (uint64_t)rm), NOREGS);
    t_putx(t, rd, d);
    return 0;
  case 0x1a:                                       /* FCVT.fmt.{W,WU,L,LU} */
    if (rs2 > 3 || (rm = t_rm(t, f3)) < 0) return t_illegal(t);
    a = t_getx(t, rs1);
    d = t_call(t, fromint[fmt][rs2], a, a, t_movi(t, (uint64_t)rm), NOREGS);
    /* FCVT.D.W/WU are exact under any rm; FCVT.D.L rounds (RNE only) */
    if (fmt == 1 && (rs2 < 2 || (rs2 == 2 && rm == RM_RNE)))
      t_fphint(t, VMRUN_IR_FP_CVT_D_W + rs2);
    t_putf(t, rd, d);
    return 0;
  case 0x1c:
    if (rs2 != 0) return t_illegal(t);
    if (f3 == 0) {                                 /* FMV.X.W FMV.X.D */
      d = fmt ? t_get(t, FPR(rs1), 8, 0)
              : t_get(t, FPR(rs1), 4, VMRUN_IR_F_SIGNED);
      t_putx(t, rd, d);
      return 0;
    }
    if (f3 == 1) {                                 /* FCLASS */
      a = t_getf(t, rs1);
      d = t_call(t, fmt ? h_fclass_d : h_fclass_s, a, t_getf(t, rs1), a, NOREGS);
      t_putx(t, rd, d);
      return 0;
    }
    return t_illegal(t);
  case 0x1e:                                       /* FMV.W.X FMV.D.X */
    if (rs2 != 0 || f3 != 0) return t_illegal(t);
    d = t_getx(t, rs1);
    if (!fmt) d = t_ori(t, d, BOX);
    t_putf(t, rd, d);
    return 0;
  default:
    return t_illegal(t);
  }
}

int rv_fp_translate(vmrun_ir_block *blk, uint32_t *nt, uint32_t raw,
                    uint32_t insn)
{
  fpt t = { blk, nt, raw };
  if (blk->tb_flags & RV_TBF_FS_OFF) return t_illegal(&t);  /* FS = Off */
  switch (insn & 0x7f) {
  case 0x07: return tr_load(&t, insn);
  case 0x27: return tr_store(&t, insn);
  case 0x43: case 0x47: case 0x4b: case 0x4f: return tr_fma(&t, insn);
  case 0x53: return tr_opfp(&t, insn);
  default:   return t_illegal(&t);
  }
}
