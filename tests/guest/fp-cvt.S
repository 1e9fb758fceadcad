/* tests/guest/fp-cvt.S - conversions to floating point: FCVT.S.{W,WU,L,LU}
** and FCVT.D.{L,LU} in all five rounding modes (ties to even / away, NX),
** FCVT.D.{W,WU} (exact; only the low 32 bits of rs1 count), FCVT.S.D
** (rounding, overflow, underflow with tininess after rounding, NaN
** canonicalisation, NV for a signalling NaN) and FCVT.D.S (exact, NV for a
** signalling NaN).  QEMU 7.2 agrees. */
#include "fptest.h"

FPTEST_BEGIN
  /* ---- FCVT.S/D.{W,WU,L,LU} ---- */
  TXS(1, fcvt.s.w, rne, 0x4b800000, 1, 0x1000001)   /* tie */
  TXS(2, fcvt.s.w, rne, 0xcb800000, 1, 0xfffffffffeffffff)   /* negative tie */
  TXS(3, fcvt.s.w, rne, 0x4b800002, 1, 0x1000003)   /* tie, odd below */
  TXS(4, fcvt.s.w, rne, 0x4f000000, 1, 0x7fffffff)
  TXS(5, fcvt.s.wu, rne, 0x4f800000, 1, 0xffffffff)
  TXS(6, fcvt.s.wu, rne, 0x4f800000, 1, 0xffffffffffffffff)   /* wu of -1 = 0xffffffff */
  TXS(7, fcvt.s.l, rne, 0xdf000000, 0, 0x8000000000000000)
  TXS(8, fcvt.s.l, rne, 0x53800001, 1, 0x10000010001)
  TXS(9, fcvt.s.lu, rne, 0x5f800000, 1, 0xffffffffffffffff)
  TXS(10, fcvt.s.lu, rne, 0x5f000000, 1, 0x8000008000000000)   /* tie */
  TXD(11, fcvt.d.l, rne, 0x4340000000000000, 1, 0x20000000000001)   /* tie */
  TXD(12, fcvt.d.l, rne, 0xc340000000000000, 1, 0xffdfffffffffffff)
  TXD(13, fcvt.d.l, rne, 0x43e0000000000000, 1, 0x7fffffffffffffff)
  TXD(14, fcvt.d.lu, rne, 0x43f0000000000000, 1, 0xffffffffffffffff)
  TXD(15, fcvt.d.lu, rne, 0x4340000000000002, 1, 0x20000000000003)
  TXS(16, fcvt.s.w, rtz, 0x4b800000, 1, 0x1000001)   /* tie */
  TXS(17, fcvt.s.w, rtz, 0xcb800000, 1, 0xfffffffffeffffff)   /* negative tie */
  TXS(18, fcvt.s.w, rtz, 0x4b800001, 1, 0x1000003)   /* tie, odd below */
  TXS(19, fcvt.s.w, rtz, 0x4effffff, 1, 0x7fffffff)
  TXS(20, fcvt.s.wu, rtz, 0x4f7fffff, 1, 0xffffffff)
  TXS(21, fcvt.s.wu, rtz, 0x4f7fffff, 1, 0xffffffffffffffff)   /* wu of -1 = 0xffffffff */
  TXS(22, fcvt.s.l, rtz, 0xdf000000, 0, 0x8000000000000000)
  TXS(23, fcvt.s.l, rtz, 0x53800000, 1, 0x10000010001)
  TXS(24, fcvt.s.lu, rtz, 0x5f7fffff, 1, 0xffffffffffffffff)
  TXS(25, fcvt.s.lu, rtz, 0x5f000000, 1, 0x8000008000000000)   /* tie */
  TXD(26, fcvt.d.l, rtz, 0x4340000000000000, 1, 0x20000000000001)   /* tie */
  TXD(27, fcvt.d.l, rtz, 0xc340000000000000, 1, 0xffdfffffffffffff)
  TXD(28, fcvt.d.l, rtz, 0x43dfffffffffffff, 1, 0x7fffffffffffffff)
  TXD(29, fcvt.d.lu, rtz, 0x43efffffffffffff, 1, 0xffffffffffffffff)
  TXD(30, fcvt.d.lu, rtz, 0x4340000000000001, 1, 0x20000000000003)
  TXS(31, fcvt.s.w, rdn, 0x4b800000, 1, 0x1000001)   /* tie */
  TXS(32, fcvt.s.w, rdn, 0xcb800001, 1, 0xfffffffffeffffff)   /* negative tie */
  TXS(33, fcvt.s.w, rdn, 0x4b800001, 1, 0x1000003)   /* tie, odd below */
  TXS(34, fcvt.s.w, rdn, 0x4effffff, 1, 0x7fffffff)
  TXS(35, fcvt.s.wu, rdn, 0x4f7fffff, 1, 0xffffffff)
  TXS(36, fcvt.s.wu, rdn, 0x4f7fffff, 1, 0xffffffffffffffff)   /* wu of -1 = 0xffffffff */
  TXS(37, fcvt.s.l, rdn, 0xdf000000, 0, 0x8000000000000000)
  TXS(38, fcvt.s.l, rdn, 0x53800000, 1, 0x10000010001)
  TXS(39, fcvt.s.lu, rdn, 0x5f7fffff, 1, 0xffffffffffffffff)
  TXS(40, fcvt.s.lu, rdn, 0x5f000000, 1, 0x8000008000000000)   /* tie */
  TXD(41, fcvt.d.l, rdn, 0x4340000000000000, 1, 0x20000000000001)   /* tie */
  TXD(42, fcvt.d.l, rdn, 0xc340000000000001, 1, 0xffdfffffffffffff)
  TXD(43, fcvt.d.l, rdn, 0x43dfffffffffffff, 1, 0x7fffffffffffffff)
  TXD(44, fcvt.d.lu, rdn, 0x43efffffffffffff, 1, 0xffffffffffffffff)
  TXD(45, fcvt.d.lu, rdn, 0x4340000000000001, 1, 0x20000000000003)
  TXS(46, fcvt.s.w, rup, 0x4b800001, 1, 0x1000001)   /* tie */
  TXS(47, fcvt.s.w, rup, 0xcb800000, 1, 0xfffffffffeffffff)   /* negative tie */
  TXS(48, fcvt.s.w, rup, 0x4b800002, 1, 0x1000003)   /* tie, odd below */
  TXS(49, fcvt.s.w, rup, 0x4f000000, 1, 0x7fffffff)
  TXS(50, fcvt.s.wu, rup, 0x4f800000, 1, 0xffffffff)
  TXS(51, fcvt.s.wu, rup, 0x4f800000, 1, 0xffffffffffffffff)   /* wu of -1 = 0xffffffff */
  TXS(52, fcvt.s.l, rup, 0xdf000000, 0, 0x8000000000000000)
  TXS(53, fcvt.s.l, rup, 0x53800001, 1, 0x10000010001)
  TXS(54, fcvt.s.lu, rup, 0x5f800000, 1, 0xffffffffffffffff)
  TXS(55, fcvt.s.lu, rup, 0x5f000001, 1, 0x8000008000000000)   /* tie */
  TXD(56, fcvt.d.l, rup, 0x4340000000000001, 1, 0x20000000000001)   /* tie */
  TXD(57, fcvt.d.l, rup, 0xc340000000000000, 1, 0xffdfffffffffffff)
  TXD(58, fcvt.d.l, rup, 0x43e0000000000000, 1, 0x7fffffffffffffff)
  TXD(59, fcvt.d.lu, rup, 0x43f0000000000000, 1, 0xffffffffffffffff)
  TXD(60, fcvt.d.lu, rup, 0x4340000000000002, 1, 0x20000000000003)
  TXS(61, fcvt.s.w, rmm, 0x4b800001, 1, 0x1000001)   /* tie */
  TXS(62, fcvt.s.w, rmm, 0xcb800001, 1, 0xfffffffffeffffff)   /* negative tie */
  TXS(63, fcvt.s.w, rmm, 0x4b800002, 1, 0x1000003)   /* tie, odd below */
  TXS(64, fcvt.s.w, rmm, 0x4f000000, 1, 0x7fffffff)
  TXS(65, fcvt.s.wu, rmm, 0x4f800000, 1, 0xffffffff)
  TXS(66, fcvt.s.wu, rmm, 0x4f800000, 1, 0xffffffffffffffff)   /* wu of -1 = 0xffffffff */
  TXS(67, fcvt.s.l, rmm, 0xdf000000, 0, 0x8000000000000000)
  TXS(68, fcvt.s.l, rmm, 0x53800001, 1, 0x10000010001)
  TXS(69, fcvt.s.lu, rmm, 0x5f800000, 1, 0xffffffffffffffff)
  TXS(70, fcvt.s.lu, rmm, 0x5f000001, 1, 0x8000008000000000)   /* tie */
  TXD(71, fcvt.d.l, rmm, 0x4340000000000001, 1, 0x20000000000001)   /* tie */
  TXD(72, fcvt.d.l, rmm, 0xc340000000000001, 1, 0xffdfffffffffffff)
  TXD(73, fcvt.d.l, rmm, 0x43e0000000000000, 1, 0x7fffffffffffffff)
  TXD(74, fcvt.d.lu, rmm, 0x43f0000000000000, 1, 0xffffffffffffffff)
  TXD(75, fcvt.d.lu, rmm, 0x4340000000000002, 1, 0x20000000000003)
  TXS(76, fcvt.s.w, rne, 0x0, 0, 0x0)
  TXS(77, fcvt.s.wu, rne, 0x4e0d159e, 1, 0x123456789)   /* only the low 32 bits count */
  TXS(78, fcvt.s.w, rne, 0xc0000000, 0, 0x1fffffffe)   /* low 32 bits = -2 */
  TXDN(79, fcvt.d.w, 0xc014000000000000, 0, 0xfffffffffffffffb)
  TXDN(80, fcvt.d.wu, 0x41efffffff600000, 0, 0xfffffffb)
  TXDN(81, fcvt.d.w, 0x41dfffffffc00000, 0, 0x7fffffff)
  TXDN(82, fcvt.d.wu, 0x41efffffffe00000, 0, 0x1ffffffff)
  /* ---- FCVT.S.D (rounds) and FCVT.D.S (exact) ---- */
  TSD1(83, fcvt.s.d, rne, 0x3eaaaaab, 1, 0x3fd5555555555555)   /* 1/3 */
  TSD1(84, fcvt.s.d, rne, 0xbf800000, 1, 0xbff0000010000000)   /* negative tie */
  TSD1(85, fcvt.s.d, rne, 0x3f800002, 1, 0x3ff0000030000000)   /* tie, odd below */
  TSD1(86, fcvt.s.d, rne, 0x7f800000, 5, 0x7e37e43c8800759c)   /* overflow */
  TSD1(87, fcvt.s.d, rne, 0xff800000, 5, 0xfe37e43c8800759c)   /* overflow */
  TSD1(88, fcvt.s.d, rne, 0x800000, 1, 0x380ffffff8000000)   /* tiny before rounding only: no UF in RNE */
  TSD1(89, fcvt.s.d, rne, 0x200, 3, 0x3730000000400000)   /* subnormal, inexact */
  TSD1(90, fcvt.s.d, rne, 0x80000000, 3, 0xb5f0000000000000)   /* below the smallest subnormal */
  TSD1(91, fcvt.s.d, rne, 0x0, 3, 0x3690000000000000)   /* exactly half the smallest subnormal */
  TSD1(92, fcvt.s.d, rtz, 0x3eaaaaaa, 1, 0x3fd5555555555555)   /* 1/3 */
  TSD1(93, fcvt.s.d, rtz, 0xbf800000, 1, 0xbff0000010000000)   /* negative tie */
  TSD1(94, fcvt.s.d, rtz, 0x3f800001, 1, 0x3ff0000030000000)   /* tie, odd below */
  TSD1(95, fcvt.s.d, rtz, 0x7f7fffff, 5, 0x7e37e43c8800759c)   /* overflow */
  TSD1(96, fcvt.s.d, rtz, 0xff7fffff, 5, 0xfe37e43c8800759c)   /* overflow */
  TSD1(97, fcvt.s.d, rtz, 0x7fffff, 3, 0x380ffffff8000000)   /* tiny before rounding only: no UF in RNE */
  TSD1(98, fcvt.s.d, rtz, 0x200, 3, 0x3730000000400000)   /* subnormal, inexact */
  TSD1(99, fcvt.s.d, rtz, 0x80000000, 3, 0xb5f0000000000000)   /* below the smallest subnormal */
  TSD1(100, fcvt.s.d, rtz, 0x0, 3, 0x3690000000000000)   /* exactly half the smallest subnormal */
  TSD1(101, fcvt.s.d, rdn, 0x3eaaaaaa, 1, 0x3fd5555555555555)   /* 1/3 */
  TSD1(102, fcvt.s.d, rdn, 0xbf800001, 1, 0xbff0000010000000)   /* negative tie */
  TSD1(103, fcvt.s.d, rdn, 0x3f800001, 1, 0x3ff0000030000000)   /* tie, odd below */
  TSD1(104, fcvt.s.d, rdn, 0x7f7fffff, 5, 0x7e37e43c8800759c)   /* overflow */
  TSD1(105, fcvt.s.d, rdn, 0xff800000, 5, 0xfe37e43c8800759c)   /* overflow */
  TSD1(106, fcvt.s.d, rdn, 0x7fffff, 3, 0x380ffffff8000000)   /* tiny before rounding only: no UF in RNE */
  TSD1(107, fcvt.s.d, rdn, 0x200, 3, 0x3730000000400000)   /* subnormal, inexact */
  TSD1(108, fcvt.s.d, rdn, 0x80000001, 3, 0xb5f0000000000000)   /* below the smallest subnormal */
  TSD1(109, fcvt.s.d, rdn, 0x0, 3, 0x3690000000000000)   /* exactly half the smallest subnormal */
  TSD1(110, fcvt.s.d, rup, 0x3eaaaaab, 1, 0x3fd5555555555555)   /* 1/3 */
  TSD1(111, fcvt.s.d, rup, 0xbf800000, 1, 0xbff0000010000000)   /* negative tie */
  TSD1(112, fcvt.s.d, rup, 0x3f800002, 1, 0x3ff0000030000000)   /* tie, odd below */
  TSD1(113, fcvt.s.d, rup, 0x7f800000, 5, 0x7e37e43c8800759c)   /* overflow */
  TSD1(114, fcvt.s.d, rup, 0xff7fffff, 5, 0xfe37e43c8800759c)   /* overflow */
  TSD1(115, fcvt.s.d, rup, 0x800000, 1, 0x380ffffff8000000)   /* tiny before rounding only: no UF in RNE */
  TSD1(116, fcvt.s.d, rup, 0x201, 3, 0x3730000000400000)   /* subnormal, inexact */
  TSD1(117, fcvt.s.d, rup, 0x80000000, 3, 0xb5f0000000000000)   /* below the smallest subnormal */
  TSD1(118, fcvt.s.d, rup, 0x1, 3, 0x3690000000000000)   /* exactly half the smallest subnormal */
  TSD1(119, fcvt.s.d, rmm, 0x3eaaaaab, 1, 0x3fd5555555555555)   /* 1/3 */
  TSD1(120, fcvt.s.d, rmm, 0xbf800001, 1, 0xbff0000010000000)   /* negative tie */
  TSD1(121, fcvt.s.d, rmm, 0x3f800002, 1, 0x3ff0000030000000)   /* tie, odd below */
  TSD1(122, fcvt.s.d, rmm, 0x7f800000, 5, 0x7e37e43c8800759c)   /* overflow */
  TSD1(123, fcvt.s.d, rmm, 0xff800000, 5, 0xfe37e43c8800759c)   /* overflow */
  TSD1(124, fcvt.s.d, rmm, 0x800000, 1, 0x380ffffff8000000)   /* tiny before rounding only: no UF in RNE */
  TSD1(125, fcvt.s.d, rmm, 0x200, 3, 0x3730000000400000)   /* subnormal, inexact */
  TSD1(126, fcvt.s.d, rmm, 0x80000000, 3, 0xb5f0000000000000)   /* below the smallest subnormal */
  TSD1(127, fcvt.s.d, rmm, 0x1, 3, 0x3690000000000000)   /* exactly half the smallest subnormal */
  TSD1(128, fcvt.s.d, rne, 0x7fc00000, 0, 0x7ff8000000000123)   /* qNaN -> canonical, no flag */
  TSD1(129, fcvt.s.d, rne, 0x7fc00000, 16, 0x7ff0000000000001)   /* sNaN -> NV */
  TSD1(130, fcvt.s.d, rne, 0xff800000, 0, 0xfff0000000000000)   /* -inf */
  TSD1(131, fcvt.s.d, rne, 0x1, 0, 0x36a0000000000000)   /* smallest subnormal, exact */
  TSD1(132, fcvt.s.d, rne, 0x80000000, 0, 0x8000000000000000)
  TD1N(133, fcvt.d.s, 0x3fd5555560000000, 0, BOXS(0x3eaaaaab))
  TD1N(134, fcvt.d.s, 0xb6a0000000000000, 0, BOXS(0x80000001))
  TD1N(135, fcvt.d.s, 0x8000000000000000, 0, BOXS(0x80000000))
  TD1N(136, fcvt.d.s, 0x7ff0000000000000, 0, BOXS(0x7f800000))
  TD1N(137, fcvt.d.s, 0x7ff8000000000000, 0, BOXS(0x7fc00001))
  TD1N(138, fcvt.d.s, 0x7ff8000000000000, 16, BOXS(0x7f800001))
  TD1N(139, fcvt.d.s, 0xc7efffffe0000000, 0, BOXS(0xff7fffff))
  TD1N(140, fcvt.d.s, 0x3810000000000000, 0, BOXS(0x800000))

  RVTEST_PASS
RVTEST_END
