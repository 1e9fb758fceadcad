/* tests/guest/fp-arith.S - F and D arithmetic: FADD FSUB FMUL FDIV FSQRT
** and the fused FMADD FMSUB FNMSUB FNMADD in .S and .D, in all five static
** rounding modes and through frm (dyn), on cases where the modes differ:
** inexact quotients, ties (RNE to even, RMM away from zero, negative ties),
** the sign of exact zeros (-0 only in RDN), overflow to infinity or to the
** largest finite number, underflow (UF only when tiny and inexact, tininess
** detected after rounding), exact subnormal results, and fused operations
** that round once.  Each check: result bits (singles NaN-boxed) and fflags.
** Expected values come from exact rational arithmetic; QEMU 7.2 agrees. */
#include "fptest.h"

FPTEST_BEGIN
  /* ---- basic arithmetic, exact results ---- */
  TS2(1, fadd.s, rne, 0x40700000, 0, 0x3fc00000, 0x40100000)   /* 1.5 + 2.25 */
  TS2(2, fsub.s, rne, 0xbf400000, 0, 0x3fc00000, 0x40100000)
  TS2(3, fmul.s, rne, 0xc0580000, 0, 0x3fc00000, 0xc0100000)
  TS2(4, fdiv.s, rne, 0xc0900000, 0, 0xc0d80000, 0x3fc00000)
  TD2(5, fadd.d, rne, 0x400e000000000000, 0, 0x3ff8000000000000, 0x4002000000000000)
  TD2(6, fsub.d, rne, 0xbfe8000000000000, 0, 0x3ff8000000000000, 0x4002000000000000)
  TD2(7, fmul.d, rne, 0xc00b000000000000, 0, 0x3ff8000000000000, 0xc002000000000000)
  TD2(8, fdiv.d, rne, 0xc012000000000000, 0, 0xc01b000000000000, 0x3ff8000000000000)
  TS1(9, fsqrt.s, rne, 0x3fc00000, 0, 0x40100000)
  TD1(10, fsqrt.d, rne, 0x3ff8000000000000, 0, 0x4002000000000000)
  /* ---- every rounding mode where they differ: 1/3, -1/3, 2/3 ---- */
  TS2(11, fdiv.s, rne, 0x3eaaaaab, 1, 0x3f800000, 0x40400000)   /* 1/3 rne */
  TS2(12, fdiv.s, rne, 0xbeaaaaab, 1, 0xbf800000, 0x40400000)   /* -1/3 rne */
  TS2(13, fdiv.s, rne, 0x3f2aaaab, 1, 0x40000000, 0x40400000)   /* 2/3 rne */
  TS2(14, fdiv.s, rtz, 0x3eaaaaaa, 1, 0x3f800000, 0x40400000)   /* 1/3 rtz */
  TS2(15, fdiv.s, rtz, 0xbeaaaaaa, 1, 0xbf800000, 0x40400000)   /* -1/3 rtz */
  TS2(16, fdiv.s, rtz, 0x3f2aaaaa, 1, 0x40000000, 0x40400000)   /* 2/3 rtz */
  TS2(17, fdiv.s, rdn, 0x3eaaaaaa, 1, 0x3f800000, 0x40400000)   /* 1/3 rdn */
  TS2(18, fdiv.s, rdn, 0xbeaaaaab, 1, 0xbf800000, 0x40400000)   /* -1/3 rdn */
  TS2(19, fdiv.s, rdn, 0x3f2aaaaa, 1, 0x40000000, 0x40400000)   /* 2/3 rdn */
  TS2(20, fdiv.s, rup, 0x3eaaaaab, 1, 0x3f800000, 0x40400000)   /* 1/3 rup */
  TS2(21, fdiv.s, rup, 0xbeaaaaaa, 1, 0xbf800000, 0x40400000)   /* -1/3 rup */
  TS2(22, fdiv.s, rup, 0x3f2aaaab, 1, 0x40000000, 0x40400000)   /* 2/3 rup */
  TS2(23, fdiv.s, rmm, 0x3eaaaaab, 1, 0x3f800000, 0x40400000)   /* 1/3 rmm */
  TS2(24, fdiv.s, rmm, 0xbeaaaaab, 1, 0xbf800000, 0x40400000)   /* -1/3 rmm */
  TS2(25, fdiv.s, rmm, 0x3f2aaaab, 1, 0x40000000, 0x40400000)   /* 2/3 rmm */
  TS1(26, fsqrt.s, rne, 0x3fb504f3, 1, 0x40000000)   /* sqrt(2) rne */
  TS1(27, fsqrt.s, rtz, 0x3fb504f3, 1, 0x40000000)   /* sqrt(2) rtz */
  TS1(28, fsqrt.s, rdn, 0x3fb504f3, 1, 0x40000000)   /* sqrt(2) rdn */
  TS1(29, fsqrt.s, rup, 0x3fb504f4, 1, 0x40000000)   /* sqrt(2) rup */
  TS1(30, fsqrt.s, rmm, 0x3fb504f3, 1, 0x40000000)   /* sqrt(2) rmm */
  TD2(31, fdiv.d, rne, 0x3fd5555555555555, 1, 0x3ff0000000000000, 0x4008000000000000)   /* 1/3 rne */
  TD2(32, fdiv.d, rne, 0xbfd5555555555555, 1, 0xbff0000000000000, 0x4008000000000000)   /* -1/3 rne */
  TD2(33, fdiv.d, rne, 0x3fe5555555555555, 1, 0x4000000000000000, 0x4008000000000000)   /* 2/3 rne */
  TD2(34, fdiv.d, rtz, 0x3fd5555555555555, 1, 0x3ff0000000000000, 0x4008000000000000)   /* 1/3 rtz */
  TD2(35, fdiv.d, rtz, 0xbfd5555555555555, 1, 0xbff0000000000000, 0x4008000000000000)   /* -1/3 rtz */
  TD2(36, fdiv.d, rtz, 0x3fe5555555555555, 1, 0x4000000000000000, 0x4008000000000000)   /* 2/3 rtz */
  TD2(37, fdiv.d, rdn, 0x3fd5555555555555, 1, 0x3ff0000000000000, 0x4008000000000000)   /* 1/3 rdn */
  TD2(38, fdiv.d, rdn, 0xbfd5555555555556, 1, 0xbff0000000000000, 0x4008000000000000)   /* -1/3 rdn */
  TD2(39, fdiv.d, rdn, 0x3fe5555555555555, 1, 0x4000000000000000, 0x4008000000000000)   /* 2/3 rdn */
  TD2(40, fdiv.d, rup, 0x3fd5555555555556, 1, 0x3ff0000000000000, 0x4008000000000000)   /* 1/3 rup */
  TD2(41, fdiv.d, rup, 0xbfd5555555555555, 1, 0xbff0000000000000, 0x4008000000000000)   /* -1/3 rup */
  TD2(42, fdiv.d, rup, 0x3fe5555555555556, 1, 0x4000000000000000, 0x4008000000000000)   /* 2/3 rup */
  TD2(43, fdiv.d, rmm, 0x3fd5555555555555, 1, 0x3ff0000000000000, 0x4008000000000000)   /* 1/3 rmm */
  TD2(44, fdiv.d, rmm, 0xbfd5555555555555, 1, 0xbff0000000000000, 0x4008000000000000)   /* -1/3 rmm */
  TD2(45, fdiv.d, rmm, 0x3fe5555555555555, 1, 0x4000000000000000, 0x4008000000000000)   /* 2/3 rmm */
  TD1(46, fsqrt.d, rne, 0x3ff6a09e667f3bcd, 1, 0x4000000000000000)   /* sqrt(2) rne */
  TD1(47, fsqrt.d, rtz, 0x3ff6a09e667f3bcc, 1, 0x4000000000000000)   /* sqrt(2) rtz */
  TD1(48, fsqrt.d, rdn, 0x3ff6a09e667f3bcc, 1, 0x4000000000000000)   /* sqrt(2) rdn */
  TD1(49, fsqrt.d, rup, 0x3ff6a09e667f3bcd, 1, 0x4000000000000000)   /* sqrt(2) rup */
  TD1(50, fsqrt.d, rmm, 0x3ff6a09e667f3bcd, 1, 0x4000000000000000)   /* sqrt(2) rmm */
  /* ---- ties: RNE to even, RMM away from zero (also negative) ---- */
  TS2(51, fadd.s, rne, 0x3f800000, 1, 0x3f800000, 0x33800000)   /* 1 + 2^-24: tie */
  TS2(52, fadd.s, rne, 0xbf800000, 1, 0xbf800000, 0xb3800000)   /* -1 - 2^-24: tie */
  TS2(53, fadd.s, rne, 0x3f800002, 1, 0x3f800001, 0x33800000)   /* odd + half ulp: tie */
  TD2(54, fadd.d, rne, 0x3ff0000000000000, 1, 0x3ff0000000000000, 0x3ca0000000000000)   /* 1 + 2^-53: tie */
  TD2(55, fsub.d, rne, 0xbff0000000000002, 1, 0xbff0000000000001, 0x3ca0000000000000)   /* negative odd tie */
  TS2(56, fmul.s, rne, 0x3f801000, 1, 0x3f800800, 0x3f800800)   /* (1+2^-12)^2 = 1 + 2^-11 + 2^-24: tie */
  TS2(57, fadd.s, rtz, 0x3f800000, 1, 0x3f800000, 0x33800000)   /* 1 + 2^-24: tie */
  TS2(58, fadd.s, rtz, 0xbf800000, 1, 0xbf800000, 0xb3800000)   /* -1 - 2^-24: tie */
  TS2(59, fadd.s, rtz, 0x3f800001, 1, 0x3f800001, 0x33800000)   /* odd + half ulp: tie */
  TD2(60, fadd.d, rtz, 0x3ff0000000000000, 1, 0x3ff0000000000000, 0x3ca0000000000000)   /* 1 + 2^-53: tie */
  TD2(61, fsub.d, rtz, 0xbff0000000000001, 1, 0xbff0000000000001, 0x3ca0000000000000)   /* negative odd tie */
  TS2(62, fmul.s, rtz, 0x3f801000, 1, 0x3f800800, 0x3f800800)   /* (1+2^-12)^2 = 1 + 2^-11 + 2^-24: tie */
  TS2(63, fadd.s, rdn, 0x3f800000, 1, 0x3f800000, 0x33800000)   /* 1 + 2^-24: tie */
  TS2(64, fadd.s, rdn, 0xbf800001, 1, 0xbf800000, 0xb3800000)   /* -1 - 2^-24: tie */
  TS2(65, fadd.s, rdn, 0x3f800001, 1, 0x3f800001, 0x33800000)   /* odd + half ulp: tie */
  TD2(66, fadd.d, rdn, 0x3ff0000000000000, 1, 0x3ff0000000000000, 0x3ca0000000000000)   /* 1 + 2^-53: tie */
  TD2(67, fsub.d, rdn, 0xbff0000000000002, 1, 0xbff0000000000001, 0x3ca0000000000000)   /* negative odd tie */
  TS2(68, fmul.s, rdn, 0x3f801000, 1, 0x3f800800, 0x3f800800)   /* (1+2^-12)^2 = 1 + 2^-11 + 2^-24: tie */
  TS2(69, fadd.s, rup, 0x3f800001, 1, 0x3f800000, 0x33800000)   /* 1 + 2^-24: tie */
  TS2(70, fadd.s, rup, 0xbf800000, 1, 0xbf800000, 0xb3800000)   /* -1 - 2^-24: tie */
  TS2(71, fadd.s, rup, 0x3f800002, 1, 0x3f800001, 0x33800000)   /* odd + half ulp: tie */
  TD2(72, fadd.d, rup, 0x3ff0000000000001, 1, 0x3ff0000000000000, 0x3ca0000000000000)   /* 1 + 2^-53: tie */
  TD2(73, fsub.d, rup, 0xbff0000000000001, 1, 0xbff0000000000001, 0x3ca0000000000000)   /* negative odd tie */
  TS2(74, fmul.s, rup, 0x3f801001, 1, 0x3f800800, 0x3f800800)   /* (1+2^-12)^2 = 1 + 2^-11 + 2^-24: tie */
  TS2(75, fadd.s, rmm, 0x3f800001, 1, 0x3f800000, 0x33800000)   /* 1 + 2^-24: tie */
  TS2(76, fadd.s, rmm, 0xbf800001, 1, 0xbf800000, 0xb3800000)   /* -1 - 2^-24: tie */
  TS2(77, fadd.s, rmm, 0x3f800002, 1, 0x3f800001, 0x33800000)   /* odd + half ulp: tie */
  TD2(78, fadd.d, rmm, 0x3ff0000000000001, 1, 0x3ff0000000000000, 0x3ca0000000000000)   /* 1 + 2^-53: tie */
  TD2(79, fsub.d, rmm, 0xbff0000000000002, 1, 0xbff0000000000001, 0x3ca0000000000000)   /* negative odd tie */
  TS2(80, fmul.s, rmm, 0x3f801001, 1, 0x3f800800, 0x3f800800)   /* (1+2^-12)^2 = 1 + 2^-11 + 2^-24: tie */
  /* ---- exact zero: +0, but -0 in RDN ---- */
  TS2(81, fsub.s, rne, 0x0, 0, 0x3fc00000, 0x3fc00000)
  TD2(82, fadd.d, rne, 0x0, 0, 0xc000000000000000, 0x4000000000000000)
  TS2(83, fsub.s, rtz, 0x0, 0, 0x3fc00000, 0x3fc00000)
  TD2(84, fadd.d, rtz, 0x0, 0, 0xc000000000000000, 0x4000000000000000)
  TS2(85, fsub.s, rdn, 0x80000000, 0, 0x3fc00000, 0x3fc00000)
  TD2(86, fadd.d, rdn, 0x8000000000000000, 0, 0xc000000000000000, 0x4000000000000000)
  TS2(87, fsub.s, rup, 0x0, 0, 0x3fc00000, 0x3fc00000)
  TD2(88, fadd.d, rup, 0x0, 0, 0xc000000000000000, 0x4000000000000000)
  TS2(89, fsub.s, rmm, 0x0, 0, 0x3fc00000, 0x3fc00000)
  TD2(90, fadd.d, rmm, 0x0, 0, 0xc000000000000000, 0x4000000000000000)
  /* ---- overflow: to inf or to the largest finite number by mode ---- */
  TS2(91, fmul.s, rne, 0x7f800000, 5, 0x7f000000, 0x40000000)   /* 2^127 * 2 */
  TS2(92, fmul.s, rne, 0xff800000, 5, 0xff000000, 0x40000000)   /* -2^127 * 2 */
  TD2(93, fadd.d, rne, 0x7ff0000000000000, 5, 0x7fefffffffffffff, 0x7ca0000000000000)   /* max + ulp/2 (2^970) */
  TS2(94, fmul.s, rtz, 0x7f7fffff, 5, 0x7f000000, 0x40000000)   /* 2^127 * 2 */
  TS2(95, fmul.s, rtz, 0xff7fffff, 5, 0xff000000, 0x40000000)   /* -2^127 * 2 */
  TD2(96, fadd.d, rtz, 0x7fefffffffffffff, 5, 0x7fefffffffffffff, 0x7ca0000000000000)   /* max + ulp/2 (2^970) */
  TS2(97, fmul.s, rdn, 0x7f7fffff, 5, 0x7f000000, 0x40000000)   /* 2^127 * 2 */
  TS2(98, fmul.s, rdn, 0xff800000, 5, 0xff000000, 0x40000000)   /* -2^127 * 2 */
  TD2(99, fadd.d, rdn, 0x7fefffffffffffff, 5, 0x7fefffffffffffff, 0x7ca0000000000000)   /* max + ulp/2 (2^970) */
  TS2(100, fmul.s, rup, 0x7f800000, 5, 0x7f000000, 0x40000000)   /* 2^127 * 2 */
  TS2(101, fmul.s, rup, 0xff7fffff, 5, 0xff000000, 0x40000000)   /* -2^127 * 2 */
  TD2(102, fadd.d, rup, 0x7ff0000000000000, 5, 0x7fefffffffffffff, 0x7ca0000000000000)   /* max + ulp/2 (2^970) */
  TS2(103, fmul.s, rmm, 0x7f800000, 5, 0x7f000000, 0x40000000)   /* 2^127 * 2 */
  TS2(104, fmul.s, rmm, 0xff800000, 5, 0xff000000, 0x40000000)   /* -2^127 * 2 */
  TD2(105, fadd.d, rmm, 0x7ff0000000000000, 5, 0x7fefffffffffffff, 0x7ca0000000000000)   /* max + ulp/2 (2^970) */
  /* ---- underflow: tiny and inexact -> UF|NX; exact subnormal -> no flag ---- */
  TS2(106, fmul.s, rne, 0x400000, 0, 0x800000, 0x3f000000)   /* 2^-126 * 0.5: exact subnormal */
  TD2(107, fmul.d, rne, 0x8000000000000, 0, 0x10000000000000, 0x3fe0000000000000)   /* 2^-1022 * 0.5: exact subnormal */
  TS2(108, fmul.s, rne, 0x400000, 3, 0x800001, 0x3f000000)   /* (2^-126 + 2^-149) * 0.5: tiny tie */
  TS2(109, fmul.s, rne, 0x80400002, 3, 0x80800003, 0x3f000000)   /* negative */
  TD2(110, fdiv.d, rne, 0x8000000000000, 3, 0x10000000000001, 0x4000000000000000)   /* (2^-1022 + 1 ulp) / 2 */
  TS2(111, fmul.s, rne, 0x0, 3, 0x1, 0x3f000000)   /* min subnormal * 0.5 */
  TD2(112, fmul.d, rne, 0x8000000000000000, 3, 0x8000000000000001, 0x3fe0000000000000)   /* -min subnormal * 0.5 */
  TS2(113, fmul.s, rtz, 0x400000, 3, 0x800001, 0x3f000000)   /* (2^-126 + 2^-149) * 0.5: tiny tie */
  TS2(114, fmul.s, rtz, 0x80400001, 3, 0x80800003, 0x3f000000)   /* negative */
  TD2(115, fdiv.d, rtz, 0x8000000000000, 3, 0x10000000000001, 0x4000000000000000)   /* (2^-1022 + 1 ulp) / 2 */
  TS2(116, fmul.s, rtz, 0x0, 3, 0x1, 0x3f000000)   /* min subnormal * 0.5 */
  TD2(117, fmul.d, rtz, 0x8000000000000000, 3, 0x8000000000000001, 0x3fe0000000000000)   /* -min subnormal * 0.5 */
  TS2(118, fmul.s, rdn, 0x400000, 3, 0x800001, 0x3f000000)   /* (2^-126 + 2^-149) * 0.5: tiny tie */
  TS2(119, fmul.s, rdn, 0x80400002, 3, 0x80800003, 0x3f000000)   /* negative */
  TD2(120, fdiv.d, rdn, 0x8000000000000, 3, 0x10000000000001, 0x4000000000000000)   /* (2^-1022 + 1 ulp) / 2 */
  TS2(121, fmul.s, rdn, 0x0, 3, 0x1, 0x3f000000)   /* min subnormal * 0.5 */
  TD2(122, fmul.d, rdn, 0x8000000000000001, 3, 0x8000000000000001, 0x3fe0000000000000)   /* -min subnormal * 0.5 */
  TS2(123, fmul.s, rup, 0x400001, 3, 0x800001, 0x3f000000)   /* (2^-126 + 2^-149) * 0.5: tiny tie */
  TS2(124, fmul.s, rup, 0x80400001, 3, 0x80800003, 0x3f000000)   /* negative */
  TD2(125, fdiv.d, rup, 0x8000000000001, 3, 0x10000000000001, 0x4000000000000000)   /* (2^-1022 + 1 ulp) / 2 */
  TS2(126, fmul.s, rup, 0x1, 3, 0x1, 0x3f000000)   /* min subnormal * 0.5 */
  TD2(127, fmul.d, rup, 0x8000000000000000, 3, 0x8000000000000001, 0x3fe0000000000000)   /* -min subnormal * 0.5 */
  TS2(128, fmul.s, rmm, 0x400001, 3, 0x800001, 0x3f000000)   /* (2^-126 + 2^-149) * 0.5: tiny tie */
  TS2(129, fmul.s, rmm, 0x80400002, 3, 0x80800003, 0x3f000000)   /* negative */
  TD2(130, fdiv.d, rmm, 0x8000000000001, 3, 0x10000000000001, 0x4000000000000000)   /* (2^-1022 + 1 ulp) / 2 */
  TS2(131, fmul.s, rmm, 0x1, 3, 0x1, 0x3f000000)   /* min subnormal * 0.5 */
  TD2(132, fmul.d, rmm, 0x8000000000000001, 3, 0x8000000000000001, 0x3fe0000000000000)   /* -min subnormal * 0.5 */
  /* tininess after rounding: the exact value is below 2^-126 but rounds to it */
  TS2(133, fmul.s, rne, 0x800000, 1, 0x3f7fffff, 0x800001)   /* (1-2^-24)(2^-126+2^-149) */
  TD2(134, fmul.d, rne, 0x10000000000000, 1, 0x3fefffffffffffff, 0x10000000000001)   /* double */
  TS2(135, fmul.s, rtz, 0x800000, 1, 0x3f7fffff, 0x800001)   /* (1-2^-24)(2^-126+2^-149) */
  TD2(136, fmul.d, rtz, 0x10000000000000, 1, 0x3fefffffffffffff, 0x10000000000001)   /* double */
  TS2(137, fmul.s, rdn, 0x800000, 1, 0x3f7fffff, 0x800001)   /* (1-2^-24)(2^-126+2^-149) */
  TD2(138, fmul.d, rdn, 0x10000000000000, 1, 0x3fefffffffffffff, 0x10000000000001)   /* double */
  TS2(139, fmul.s, rup, 0x800001, 1, 0x3f7fffff, 0x800001)   /* (1-2^-24)(2^-126+2^-149) */
  TD2(140, fmul.d, rup, 0x10000000000001, 1, 0x3fefffffffffffff, 0x10000000000001)   /* double */
  TS2(141, fmul.s, rmm, 0x800000, 1, 0x3f7fffff, 0x800001)   /* (1-2^-24)(2^-126+2^-149) */
  TD2(142, fmul.d, rmm, 0x10000000000000, 1, 0x3fefffffffffffff, 0x10000000000001)   /* double */
  /* ---- fused multiply-add: one rounding ---- */
  TS3(143, fmadd.s, rne, 0x3a000400, 0, 0x3f800800, 0x3f800800, 0xbf800000)   /* (1+2^-12)^2 - 1 = 2^-11 + 2^-24 exactly */
  TD3(144, fmadd.d, rne, 0x3e50000001000000, 0, 0x3ff0000002000000, 0x3ff0000002000000, 0xbff0000000000000)   /* (1+2^-27)^2 - 1 exactly */
  TD3(145, fmsub.d, rne, 0x3e20000000200000, 0, 0x3ff0000000400000, 0x3ff0000000400000, 0x3ff0000000000000)
  TD3(146, fnmsub.d, rne, 0xbe20000000200000, 0, 0x3ff0000000400000, 0x3ff0000000400000, 0x3ff0000000000000)
  TD3(147, fnmadd.d, rne, 0xc000000000400000, 1, 0x3ff0000000400000, 0x3ff0000000400000, 0x3ff0000000000000)
  TS3(148, fmsub.s, rne, 0x41600000, 0, 0x40400000, 0x40a00000, 0x3f800000)
  TS3(149, fnmsub.s, rne, 0xc1600000, 0, 0x40400000, 0x40a00000, 0x3f800000)
  TS3(150, fnmadd.s, rne, 0xc1800000, 0, 0x40400000, 0x40a00000, 0x3f800000)
  TS3(151, fmadd.s, rne, 0x34800000, 1, 0x3f800001, 0x3f800001, 0xbf800000)
  TD3(152, fmadd.d, rne, 0xbc90000000000000, 0, 0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000)   /* 1/3*3 - 1: tiny residual */
  TS3(153, fnmadd.s, rne, 0xbf801001, 1, 0x3f800800, 0x3f800800, 0x30800000)
  TD3(154, fmsub.d, rne, 0x3e50000001000000, 0, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000000000000)
  TS3(155, fnmsub.s, rne, 0x0, 0, 0x40000000, 0x40000000, 0x40800000)   /* exact zero */
  TD3(156, fnmadd.d, rne, 0x0, 0, 0x4000000000000000, 0xc000000000000000, 0x4010000000000000)   /* exact zero */
  TS3(157, fmadd.s, rtz, 0x34800000, 1, 0x3f800001, 0x3f800001, 0xbf800000)
  TD3(158, fmadd.d, rtz, 0xbc90000000000000, 0, 0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000)   /* 1/3*3 - 1: tiny residual */
  TS3(159, fnmadd.s, rtz, 0xbf801000, 1, 0x3f800800, 0x3f800800, 0x30800000)
  TD3(160, fmsub.d, rtz, 0x3e50000001000000, 0, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000000000000)
  TS3(161, fnmsub.s, rtz, 0x0, 0, 0x40000000, 0x40000000, 0x40800000)   /* exact zero */
  TD3(162, fnmadd.d, rtz, 0x0, 0, 0x4000000000000000, 0xc000000000000000, 0x4010000000000000)   /* exact zero */
  TS3(163, fmadd.s, rdn, 0x34800000, 1, 0x3f800001, 0x3f800001, 0xbf800000)
  TD3(164, fmadd.d, rdn, 0xbc90000000000000, 0, 0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000)   /* 1/3*3 - 1: tiny residual */
  TS3(165, fnmadd.s, rdn, 0xbf801001, 1, 0x3f800800, 0x3f800800, 0x30800000)
  TD3(166, fmsub.d, rdn, 0x3e50000001000000, 0, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000000000000)
  TS3(167, fnmsub.s, rdn, 0x80000000, 0, 0x40000000, 0x40000000, 0x40800000)   /* exact zero */
  TD3(168, fnmadd.d, rdn, 0x8000000000000000, 0, 0x4000000000000000, 0xc000000000000000, 0x4010000000000000)   /* exact zero */
  TS3(169, fmadd.s, rup, 0x34800001, 1, 0x3f800001, 0x3f800001, 0xbf800000)
  TD3(170, fmadd.d, rup, 0xbc90000000000000, 0, 0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000)   /* 1/3*3 - 1: tiny residual */
  TS3(171, fnmadd.s, rup, 0xbf801000, 1, 0x3f800800, 0x3f800800, 0x30800000)
  TD3(172, fmsub.d, rup, 0x3e50000001000000, 0, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000000000000)
  TS3(173, fnmsub.s, rup, 0x0, 0, 0x40000000, 0x40000000, 0x40800000)   /* exact zero */
  TD3(174, fnmadd.d, rup, 0x0, 0, 0x4000000000000000, 0xc000000000000000, 0x4010000000000000)   /* exact zero */
  TS3(175, fmadd.s, rmm, 0x34800001, 1, 0x3f800001, 0x3f800001, 0xbf800000)
  TD3(176, fmadd.d, rmm, 0xbc90000000000000, 0, 0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000)   /* 1/3*3 - 1: tiny residual */
  TS3(177, fnmadd.s, rmm, 0xbf801001, 1, 0x3f800800, 0x3f800800, 0x30800000)
  TD3(178, fmsub.d, rmm, 0x3e50000001000000, 0, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000000000000)
  TS3(179, fnmsub.s, rmm, 0x0, 0, 0x40000000, 0x40000000, 0x40800000)   /* exact zero */
  TD3(180, fnmadd.d, rmm, 0x0, 0, 0x4000000000000000, 0xc000000000000000, 0x4010000000000000)   /* exact zero */
  /* ---- dynamic rounding mode (frm) ---- */
  fsrmi 0
  TS2(181, fdiv.s, dyn, 0x3eaaaaab, 1, 0x3f800000, 0x40400000)   /* 1/3 dyn, frm = rne */
  TD2(182, fdiv.d, dyn, 0xbfe5555555555555, 1, 0xc000000000000000, 0x4008000000000000)   /* -2/3 dyn, frm = rne */
  TS2(183, fadd.s, dyn, 0xbf800000, 1, 0xbf800000, 0xb3800000)   /* tie dyn, frm = rne */
  fsrmi 1
  TS2(184, fdiv.s, dyn, 0x3eaaaaaa, 1, 0x3f800000, 0x40400000)   /* 1/3 dyn, frm = rtz */
  TD2(185, fdiv.d, dyn, 0xbfe5555555555555, 1, 0xc000000000000000, 0x4008000000000000)   /* -2/3 dyn, frm = rtz */
  TS2(186, fadd.s, dyn, 0xbf800000, 1, 0xbf800000, 0xb3800000)   /* tie dyn, frm = rtz */
  fsrmi 2
  TS2(187, fdiv.s, dyn, 0x3eaaaaaa, 1, 0x3f800000, 0x40400000)   /* 1/3 dyn, frm = rdn */
  TD2(188, fdiv.d, dyn, 0xbfe5555555555556, 1, 0xc000000000000000, 0x4008000000000000)   /* -2/3 dyn, frm = rdn */
  TS2(189, fadd.s, dyn, 0xbf800001, 1, 0xbf800000, 0xb3800000)   /* tie dyn, frm = rdn */
  fsrmi 3
  TS2(190, fdiv.s, dyn, 0x3eaaaaab, 1, 0x3f800000, 0x40400000)   /* 1/3 dyn, frm = rup */
  TD2(191, fdiv.d, dyn, 0xbfe5555555555555, 1, 0xc000000000000000, 0x4008000000000000)   /* -2/3 dyn, frm = rup */
  TS2(192, fadd.s, dyn, 0xbf800000, 1, 0xbf800000, 0xb3800000)   /* tie dyn, frm = rup */
  fsrmi 4
  TS2(193, fdiv.s, dyn, 0x3eaaaaab, 1, 0x3f800000, 0x40400000)   /* 1/3 dyn, frm = rmm */
  TD2(194, fdiv.d, dyn, 0xbfe5555555555555, 1, 0xc000000000000000, 0x4008000000000000)   /* -2/3 dyn, frm = rmm */
  TS2(195, fadd.s, dyn, 0xbf800001, 1, 0xbf800000, 0xb3800000)   /* tie dyn, frm = rmm */
  fsrmi 0

  /* NX clear before each check: products and sums whose exactness the
  ** host-FPU path decides without the MXCSR (plugins/riscv64/fp.c
  ** exact_rne), including a product too small for its residual test */
  TD2(196, fmul.d, rne, 0x3ff0000000000002, 1, 0x3ff0000000000001, 0x3ff0000000000001)   /* (1+2^-52)^2 */
  TD2(197, fmul.d, rne, 0x0120000000000000, 0, 0x0170000000000000, 0x3fa0000000000000)   /* 2^-1000 * 2^-5 */
  TD2(198, fmul.d, rne, 0x0170000000000002, 1, 0x0170000000000001, 0x3ff0000000000001)   /* tiny, inexact */
  TD2(199, fsub.d, rne, 0x3ff0000000000000, 1, 0x3ff0000000000000, 0x3c30000000000000)   /* 1 - 2^-60 */
  TD2(200, fsub.d, rne, 0x4000000000000000, 0, 0x4008000000000000, 0x3ff0000000000000)   /* 3 - 1 */
  TS2(201, fsub.s, rne, 0x3f800000, 1, 0x3f800000, 0x30800000)   /* 1 - 2^-30 */
  TS2(202, fmul.s, rne, 0x41700000, 0, 0x40400000, 0x40a00000)   /* 3 * 5 */

  RVTEST_PASS
RVTEST_END
