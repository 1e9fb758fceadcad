/*
** tests/guest/fptest.h - macros for the F/D guest tests (fp*.S), on top of
** rvtest.h.  The tests enable the F and D extensions themselves with
** `.option arch, +d` (FPTEST_BEGIN), so they build with the same -march
** as the other guest tests (rv64imac_zicsr_zifencei) or with
** rv64imafdc_zicsr_zifencei.
**
** Every check compares the whole 64-bit f register (so NaN-boxing of
** single-precision results is checked too: BOXS) or the integer result,
** then fflags, and clears fflags (to FL0) for the next check.
*/
#ifndef FPTEST_H
#define FPTEST_H

#include "rvtest.h"

/* Built with -DFPTEST_STICKY_NX (the *-nx.elf variants), every check
** starts with fflags = NX instead of 0 and expects NX in the result too:
** that runs each operation with the inexact flag already set, which is
** when vmrun's host-FPU fast path applies (plugins/riscv64/fp.c
** arith_fast), and shows that NV, DZ, OF and UF are still raised there. */
#ifdef FPTEST_STICKY_NX
#define FL0 1
#else
#define FL0 0
#endif

/* fflags bits */
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10

#define BOXS(v) (0xffffffff00000000 | (v))
#define CNAN_S 0x7fc00000
#define CNAN_D 0x7ff8000000000000

/* RVTEST_BEGIN, then F/D on for the assembler and mstatus.FS = Initial */
#define FPTEST_BEGIN                                                  \
  .option arch, +d;                                                   \
  RVTEST_BEGIN;                                                       \
  li t0, MSTATUS_FS;                                                  \
  csrc mstatus, t0;                                                   \
  li t0, 0x2000;                                                      \
  csrs mstatus, t0;                                                   \
  csrw fcsr, zero;                                                    \
  csrwi fflags, FL0

/* f register `fr` (64 bits) == exp and fflags == fl; clears fflags */
#define CHKF(fr, exp, fl)                                             \
  fmv.x.d a0, fr; li t6, exp; bne a0, t6, fail;                       \
  csrrwi a1, fflags, FL0; li t6, (fl) | FL0; bne a1, t6, fail

/* a0 == exp and fflags == fl; clears fflags */
#define CHKX(exp, fl)                                                 \
  li t6, exp; bne a0, t6, fail;                                       \
  csrrwi a1, fflags, FL0; li t6, (fl) | FL0; bne a1, t6, fail

#define LDS(fr, v) li t0, v; fmv.w.x fr, t0
#define LDD(fr, v) li t0, v; fmv.d.x fr, t0

/* single precision: f3 = op(f1 = a, f2 = b, f4 = c), result boxed */
#define TS1(n, op, rm, res, fl, a)                                    \
  li TESTNUM, n; LDS(f1, a); op f3, f1, rm; CHKF(f3, BOXS(res), fl)
#define TS2(n, op, rm, res, fl, a, b)                                 \
  li TESTNUM, n; LDS(f1, a); LDS(f2, b); op f3, f1, f2, rm;           \
  CHKF(f3, BOXS(res), fl)
#define TS3(n, op, rm, res, fl, a, b, c)                              \
  li TESTNUM, n; LDS(f1, a); LDS(f2, b); LDS(f4, c);                  \
  op f3, f1, f2, f4, rm; CHKF(f3, BOXS(res), fl)
/* no rounding mode (fsgnj, fmin, fmax) */
#define TSN(n, op, res, fl, a, b)                                     \
  li TESTNUM, n; LDS(f1, a); LDS(f2, b); op f3, f1, f2;               \
  CHKF(f3, BOXS(res), fl)

/* double precision */
#define TD1(n, op, rm, res, fl, a)                                    \
  li TESTNUM, n; LDD(f1, a); op f3, f1, rm; CHKF(f3, res, fl)
#define TD2(n, op, rm, res, fl, a, b)                                 \
  li TESTNUM, n; LDD(f1, a); LDD(f2, b); op f3, f1, f2, rm;           \
  CHKF(f3, res, fl)
#define TD3(n, op, rm, res, fl, a, b, c)                              \
  li TESTNUM, n; LDD(f1, a); LDD(f2, b); LDD(f4, c);                  \
  op f3, f1, f2, f4, rm; CHKF(f3, res, fl)
#define TDN(n, op, res, fl, a, b)                                     \
  li TESTNUM, n; LDD(f1, a); LDD(f2, b); op f3, f1, f2; CHKF(f3, res, fl)
/* single result from a double operand (fcvt.s.d) */
#define TSD1(n, op, rm, res, fl, a)                                   \
  li TESTNUM, n; LDD(f1, a); op f3, f1, rm; CHKF(f3, BOXS(res), fl)
/* one operand, no rounding-mode operand (fcvt.d.s: exact), f1 = raw a */
#define TD1N(n, op, res, fl, a)                                       \
  li TESTNUM, n; LDD(f1, a); op f3, f1; CHKF(f3, res, fl)

/* integer results: a0 = op(f1 [, f2]) */
#define TSX(n, op, rm, res, fl, a)                                    \
  li TESTNUM, n; LDS(f1, a); op a0, f1, rm; CHKX(res, fl)
#define TDX(n, op, rm, res, fl, a)                                    \
  li TESTNUM, n; LDD(f1, a); op a0, f1, rm; CHKX(res, fl)
#define TSXN(n, op, res, fl, a, b)                                    \
  li TESTNUM, n; LDS(f1, a); LDS(f2, b); op a0, f1, f2; CHKX(res, fl)
#define TDXN(n, op, res, fl, a, b)                                    \
  li TESTNUM, n; LDD(f1, a); LDD(f2, b); op a0, f1, f2; CHKX(res, fl)
#define TSC(n, res, a)                                                \
  li TESTNUM, n; LDS(f1, a); fclass.s a0, f1; CHKX(res, 0)
#define TDC(n, res, a)                                                \
  li TESTNUM, n; LDD(f1, a); fclass.d a0, f1; CHKX(res, 0)

/* from integers: f3 = op(a1 = a) */
#define TXS(n, op, rm, res, fl, a)                                    \
  li TESTNUM, n; li a1, a; op f3, a1, rm; CHKF(f3, BOXS(res), fl)
#define TXD(n, op, rm, res, fl, a)                                    \
  li TESTNUM, n; li a1, a; op f3, a1, rm; CHKF(f3, res, fl)
#define TXDN(n, op, res, fl, a)                                       \
  li TESTNUM, n; li a1, a; op f3, a1; CHKF(f3, res, fl)

#endif
