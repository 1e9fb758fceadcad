/* tests/guest/fp-toint.S - FCVT.W.S FCVT.WU.S FCVT.L.S FCVT.LU.S and the
** .D forms: halves and other fractions in all five rounding modes (RMM:
** 2.5 -> 3, -2.5 -> -3), NX on inexact results, and the saturating
** results of Table 11.4 with NV: NaN (quiet, signalling, negative) gives
** the largest value, +inf / too large the largest, -inf / too small the
** smallest; 32-bit results are sign-extended (WU too).  -0.9 to WU in RTZ
** rounds to -0, which is in range (NX only).  QEMU 7.2 agrees. */
#include "fptest.h"

FPTEST_BEGIN
  /* ---- FCVT.{W,WU,L,LU}.S/D: rounding of halves in every mode ---- */
  TSX(1, fcvt.w.s, rne, 0x2, 1, 0x40200000)   /* 2.5 -> w rne */
  TSX(2, fcvt.w.s, rtz, 0x2, 1, 0x40200000)   /* 2.5 -> w rtz */
  TSX(3, fcvt.w.s, rdn, 0x2, 1, 0x40200000)   /* 2.5 -> w rdn */
  TSX(4, fcvt.w.s, rup, 0x3, 1, 0x40200000)   /* 2.5 -> w rup */
  TSX(5, fcvt.w.s, rmm, 0x3, 1, 0x40200000)   /* 2.5 -> w rmm */
  TSX(6, fcvt.w.s, rne, 0xfffffffffffffffe, 1, 0xc0200000)   /* -2.5 -> w rne */
  TSX(7, fcvt.w.s, rtz, 0xfffffffffffffffe, 1, 0xc0200000)   /* -2.5 -> w rtz */
  TSX(8, fcvt.w.s, rdn, 0xfffffffffffffffd, 1, 0xc0200000)   /* -2.5 -> w rdn */
  TSX(9, fcvt.w.s, rup, 0xfffffffffffffffe, 1, 0xc0200000)   /* -2.5 -> w rup */
  TSX(10, fcvt.w.s, rmm, 0xfffffffffffffffd, 1, 0xc0200000)   /* -2.5 -> w rmm */
  TSX(11, fcvt.w.s, rne, 0x4, 1, 0x40600000)   /* 3.5 -> w rne */
  TSX(12, fcvt.w.s, rtz, 0x3, 1, 0x40600000)   /* 3.5 -> w rtz */
  TSX(13, fcvt.w.s, rdn, 0x3, 1, 0x40600000)   /* 3.5 -> w rdn */
  TSX(14, fcvt.w.s, rup, 0x4, 1, 0x40600000)   /* 3.5 -> w rup */
  TSX(15, fcvt.w.s, rmm, 0x4, 1, 0x40600000)   /* 3.5 -> w rmm */
  TSX(16, fcvt.w.s, rne, 0xfffffffffffffffc, 1, 0xc0600000)   /* -3.5 -> w rne */
  TSX(17, fcvt.w.s, rtz, 0xfffffffffffffffd, 1, 0xc0600000)   /* -3.5 -> w rtz */
  TSX(18, fcvt.w.s, rdn, 0xfffffffffffffffc, 1, 0xc0600000)   /* -3.5 -> w rdn */
  TSX(19, fcvt.w.s, rup, 0xfffffffffffffffd, 1, 0xc0600000)   /* -3.5 -> w rup */
  TSX(20, fcvt.w.s, rmm, 0xfffffffffffffffc, 1, 0xc0600000)   /* -3.5 -> w rmm */
  TSX(21, fcvt.w.s, rne, 0x0, 1, 0x3f000000)   /* 0.5 -> w rne */
  TSX(22, fcvt.w.s, rtz, 0x0, 1, 0x3f000000)   /* 0.5 -> w rtz */
  TSX(23, fcvt.w.s, rdn, 0x0, 1, 0x3f000000)   /* 0.5 -> w rdn */
  TSX(24, fcvt.w.s, rup, 0x1, 1, 0x3f000000)   /* 0.5 -> w rup */
  TSX(25, fcvt.w.s, rmm, 0x1, 1, 0x3f000000)   /* 0.5 -> w rmm */
  TSX(26, fcvt.w.s, rne, 0x0, 1, 0xbf000000)   /* -0.5 -> w rne */
  TSX(27, fcvt.w.s, rtz, 0x0, 1, 0xbf000000)   /* -0.5 -> w rtz */
  TSX(28, fcvt.w.s, rdn, 0xffffffffffffffff, 1, 0xbf000000)   /* -0.5 -> w rdn */
  TSX(29, fcvt.w.s, rup, 0x0, 1, 0xbf000000)   /* -0.5 -> w rup */
  TSX(30, fcvt.w.s, rmm, 0xffffffffffffffff, 1, 0xbf000000)   /* -0.5 -> w rmm */
  TSX(31, fcvt.w.s, rne, 0x1, 1, 0x3fa00000)   /* 1.25 -> w rne */
  TSX(32, fcvt.w.s, rtz, 0x1, 1, 0x3fa00000)   /* 1.25 -> w rtz */
  TSX(33, fcvt.w.s, rdn, 0x1, 1, 0x3fa00000)   /* 1.25 -> w rdn */
  TSX(34, fcvt.w.s, rup, 0x2, 1, 0x3fa00000)   /* 1.25 -> w rup */
  TSX(35, fcvt.w.s, rmm, 0x1, 1, 0x3fa00000)   /* 1.25 -> w rmm */
  TSX(36, fcvt.w.s, rne, 0xfffffffffffffffe, 1, 0xbfe00000)   /* -1.75 -> w rne */
  TSX(37, fcvt.w.s, rtz, 0xffffffffffffffff, 1, 0xbfe00000)   /* -1.75 -> w rtz */
  TSX(38, fcvt.w.s, rdn, 0xfffffffffffffffe, 1, 0xbfe00000)   /* -1.75 -> w rdn */
  TSX(39, fcvt.w.s, rup, 0xffffffffffffffff, 1, 0xbfe00000)   /* -1.75 -> w rup */
  TSX(40, fcvt.w.s, rmm, 0xfffffffffffffffe, 1, 0xbfe00000)   /* -1.75 -> w rmm */
  TSX(41, fcvt.wu.s, rne, 0x2, 1, 0x40200000)   /* 2.5 -> wu rne */
  TSX(42, fcvt.wu.s, rtz, 0x2, 1, 0x40200000)   /* 2.5 -> wu rtz */
  TSX(43, fcvt.wu.s, rdn, 0x2, 1, 0x40200000)   /* 2.5 -> wu rdn */
  TSX(44, fcvt.wu.s, rup, 0x3, 1, 0x40200000)   /* 2.5 -> wu rup */
  TSX(45, fcvt.wu.s, rmm, 0x3, 1, 0x40200000)   /* 2.5 -> wu rmm */
  TSX(46, fcvt.wu.s, rne, 0x0, 1, 0xbf000000)   /* -0.5 -> wu rne */
  TSX(47, fcvt.wu.s, rtz, 0x0, 1, 0xbf000000)   /* -0.5 -> wu rtz */
  TSX(48, fcvt.wu.s, rdn, 0x0, 16, 0xbf000000)   /* -0.5 -> wu rdn */
  TSX(49, fcvt.wu.s, rup, 0x0, 1, 0xbf000000)   /* -0.5 -> wu rup */
  TSX(50, fcvt.wu.s, rmm, 0x0, 16, 0xbf000000)   /* -0.5 -> wu rmm */
  TSX(51, fcvt.wu.s, rne, 0x0, 0, 0x80000000)   /* -0.0 -> wu rne */
  TSX(52, fcvt.wu.s, rtz, 0x0, 0, 0x80000000)   /* -0.0 -> wu rtz */
  TSX(53, fcvt.wu.s, rdn, 0x0, 0, 0x80000000)   /* -0.0 -> wu rdn */
  TSX(54, fcvt.wu.s, rup, 0x0, 0, 0x80000000)   /* -0.0 -> wu rup */
  TSX(55, fcvt.wu.s, rmm, 0x0, 0, 0x80000000)   /* -0.0 -> wu rmm */
  TDX(56, fcvt.w.d, rne, 0x2, 1, 0x4004000000000000)   /* 2.5 -> w rne */
  TDX(57, fcvt.w.d, rtz, 0x2, 1, 0x4004000000000000)   /* 2.5 -> w rtz */
  TDX(58, fcvt.w.d, rdn, 0x2, 1, 0x4004000000000000)   /* 2.5 -> w rdn */
  TDX(59, fcvt.w.d, rup, 0x3, 1, 0x4004000000000000)   /* 2.5 -> w rup */
  TDX(60, fcvt.w.d, rmm, 0x3, 1, 0x4004000000000000)   /* 2.5 -> w rmm */
  TDX(61, fcvt.w.d, rne, 0xfffffffffffffffe, 1, 0xc004000000000000)   /* -2.5 -> w rne */
  TDX(62, fcvt.w.d, rtz, 0xfffffffffffffffe, 1, 0xc004000000000000)   /* -2.5 -> w rtz */
  TDX(63, fcvt.w.d, rdn, 0xfffffffffffffffd, 1, 0xc004000000000000)   /* -2.5 -> w rdn */
  TDX(64, fcvt.w.d, rup, 0xfffffffffffffffe, 1, 0xc004000000000000)   /* -2.5 -> w rup */
  TDX(65, fcvt.w.d, rmm, 0xfffffffffffffffd, 1, 0xc004000000000000)   /* -2.5 -> w rmm */
  TDX(66, fcvt.w.d, rne, 0x4, 1, 0x400c000000000000)   /* 3.5 -> w rne */
  TDX(67, fcvt.w.d, rtz, 0x3, 1, 0x400c000000000000)   /* 3.5 -> w rtz */
  TDX(68, fcvt.w.d, rdn, 0x3, 1, 0x400c000000000000)   /* 3.5 -> w rdn */
  TDX(69, fcvt.w.d, rup, 0x4, 1, 0x400c000000000000)   /* 3.5 -> w rup */
  TDX(70, fcvt.w.d, rmm, 0x4, 1, 0x400c000000000000)   /* 3.5 -> w rmm */
  TDX(71, fcvt.w.d, rne, 0xfffffffffffffffc, 1, 0xc00c000000000000)   /* -3.5 -> w rne */
  TDX(72, fcvt.w.d, rtz, 0xfffffffffffffffd, 1, 0xc00c000000000000)   /* -3.5 -> w rtz */
  TDX(73, fcvt.w.d, rdn, 0xfffffffffffffffc, 1, 0xc00c000000000000)   /* -3.5 -> w rdn */
  TDX(74, fcvt.w.d, rup, 0xfffffffffffffffd, 1, 0xc00c000000000000)   /* -3.5 -> w rup */
  TDX(75, fcvt.w.d, rmm, 0xfffffffffffffffc, 1, 0xc00c000000000000)   /* -3.5 -> w rmm */
  TDX(76, fcvt.w.d, rne, 0x0, 1, 0x3fe0000000000000)   /* 0.5 -> w rne */
  TDX(77, fcvt.w.d, rtz, 0x0, 1, 0x3fe0000000000000)   /* 0.5 -> w rtz */
  TDX(78, fcvt.w.d, rdn, 0x0, 1, 0x3fe0000000000000)   /* 0.5 -> w rdn */
  TDX(79, fcvt.w.d, rup, 0x1, 1, 0x3fe0000000000000)   /* 0.5 -> w rup */
  TDX(80, fcvt.w.d, rmm, 0x1, 1, 0x3fe0000000000000)   /* 0.5 -> w rmm */
  TDX(81, fcvt.w.d, rne, 0x0, 1, 0xbfe0000000000000)   /* -0.5 -> w rne */
  TDX(82, fcvt.w.d, rtz, 0x0, 1, 0xbfe0000000000000)   /* -0.5 -> w rtz */
  TDX(83, fcvt.w.d, rdn, 0xffffffffffffffff, 1, 0xbfe0000000000000)   /* -0.5 -> w rdn */
  TDX(84, fcvt.w.d, rup, 0x0, 1, 0xbfe0000000000000)   /* -0.5 -> w rup */
  TDX(85, fcvt.w.d, rmm, 0xffffffffffffffff, 1, 0xbfe0000000000000)   /* -0.5 -> w rmm */
  TDX(86, fcvt.w.d, rne, 0x1, 1, 0x3ff4000000000000)   /* 1.25 -> w rne */
  TDX(87, fcvt.w.d, rtz, 0x1, 1, 0x3ff4000000000000)   /* 1.25 -> w rtz */
  TDX(88, fcvt.w.d, rdn, 0x1, 1, 0x3ff4000000000000)   /* 1.25 -> w rdn */
  TDX(89, fcvt.w.d, rup, 0x2, 1, 0x3ff4000000000000)   /* 1.25 -> w rup */
  TDX(90, fcvt.w.d, rmm, 0x1, 1, 0x3ff4000000000000)   /* 1.25 -> w rmm */
  TDX(91, fcvt.w.d, rne, 0xfffffffffffffffe, 1, 0xbffc000000000000)   /* -1.75 -> w rne */
  TDX(92, fcvt.w.d, rtz, 0xffffffffffffffff, 1, 0xbffc000000000000)   /* -1.75 -> w rtz */
  TDX(93, fcvt.w.d, rdn, 0xfffffffffffffffe, 1, 0xbffc000000000000)   /* -1.75 -> w rdn */
  TDX(94, fcvt.w.d, rup, 0xffffffffffffffff, 1, 0xbffc000000000000)   /* -1.75 -> w rup */
  TDX(95, fcvt.w.d, rmm, 0xfffffffffffffffe, 1, 0xbffc000000000000)   /* -1.75 -> w rmm */
  TDX(96, fcvt.wu.d, rne, 0x2, 1, 0x4004000000000000)   /* 2.5 -> wu rne */
  TDX(97, fcvt.wu.d, rtz, 0x2, 1, 0x4004000000000000)   /* 2.5 -> wu rtz */
  TDX(98, fcvt.wu.d, rdn, 0x2, 1, 0x4004000000000000)   /* 2.5 -> wu rdn */
  TDX(99, fcvt.wu.d, rup, 0x3, 1, 0x4004000000000000)   /* 2.5 -> wu rup */
  TDX(100, fcvt.wu.d, rmm, 0x3, 1, 0x4004000000000000)   /* 2.5 -> wu rmm */
  TDX(101, fcvt.wu.d, rne, 0x0, 1, 0xbfe0000000000000)   /* -0.5 -> wu rne */
  TDX(102, fcvt.wu.d, rtz, 0x0, 1, 0xbfe0000000000000)   /* -0.5 -> wu rtz */
  TDX(103, fcvt.wu.d, rdn, 0x0, 16, 0xbfe0000000000000)   /* -0.5 -> wu rdn */
  TDX(104, fcvt.wu.d, rup, 0x0, 1, 0xbfe0000000000000)   /* -0.5 -> wu rup */
  TDX(105, fcvt.wu.d, rmm, 0x0, 16, 0xbfe0000000000000)   /* -0.5 -> wu rmm */
  TDX(106, fcvt.wu.d, rne, 0x0, 0, 0x8000000000000000)   /* -0.0 -> wu rne */
  TDX(107, fcvt.wu.d, rtz, 0x0, 0, 0x8000000000000000)   /* -0.0 -> wu rtz */
  TDX(108, fcvt.wu.d, rdn, 0x0, 0, 0x8000000000000000)   /* -0.0 -> wu rdn */
  TDX(109, fcvt.wu.d, rup, 0x0, 0, 0x8000000000000000)   /* -0.0 -> wu rup */
  TDX(110, fcvt.wu.d, rmm, 0x0, 0, 0x8000000000000000)   /* -0.0 -> wu rmm */
  /* ---- saturation and NV: NaN, infinities, out of range ---- */
  TSX(111, fcvt.w.s, rtz, 0x7fffffff, 16, 0x7fc00000)   /* NaN/inf -> w */
  TSX(112, fcvt.w.s, rtz, 0x7fffffff, 16, 0x7f800001)   /* NaN/inf -> w */
  TSX(113, fcvt.w.s, rtz, 0x7fffffff, 16, 0xffc00001)   /* NaN/inf -> w */
  TSX(114, fcvt.w.s, rtz, 0x7fffffff, 16, 0x7f800000)   /* NaN/inf -> w */
  TSX(115, fcvt.w.s, rtz, 0xffffffff80000000, 16, 0xff800000)   /* NaN/inf -> w */
  TSX(116, fcvt.w.s, rtz, 0x7fffffff, 16, 0x4f32d05e)   /* 3000000000.0 -> w */
  TSX(117, fcvt.w.s, rtz, 0xffffffff80000000, 16, 0xcf32d05e)   /* -3000000000.0 -> w */
  TSX(118, fcvt.w.s, rtz, 0x7fffffff, 16, 0x4f000000)   /* 2147483648 -> w */
  TSX(119, fcvt.w.s, rtz, 0xffffffff80000000, 0, 0xcf000000)   /* -2147483648 -> w */
  TSX(120, fcvt.w.s, rtz, 0x7fffffff, 16, 0x4f800000)   /* 4294967296 -> w */
  TSX(121, fcvt.w.s, rtz, 0x7fffffff, 16, 0x5f000000)   /* 9223372036854775808 -> w */
  TSX(122, fcvt.w.s, rtz, 0xffffffff80000000, 16, 0xdf000000)   /* -9223372036854775808 -> w */
  TSX(123, fcvt.w.s, rtz, 0x7fffffff, 16, 0x5f800000)   /* 18446744073709551616 -> w */
  TSX(124, fcvt.w.s, rtz, 0xffffffffffffffff, 0, 0xbf800000)   /* -1.0 -> w */
  TSX(125, fcvt.wu.s, rtz, 0xffffffffffffffff, 16, 0x7fc00000)   /* NaN/inf -> wu */
  TSX(126, fcvt.wu.s, rtz, 0xffffffffffffffff, 16, 0x7f800001)   /* NaN/inf -> wu */
  TSX(127, fcvt.wu.s, rtz, 0xffffffffffffffff, 16, 0xffc00001)   /* NaN/inf -> wu */
  TSX(128, fcvt.wu.s, rtz, 0xffffffffffffffff, 16, 0x7f800000)   /* NaN/inf -> wu */
  TSX(129, fcvt.wu.s, rtz, 0x0, 16, 0xff800000)   /* NaN/inf -> wu */
  TSX(130, fcvt.wu.s, rtz, 0xffffffffb2d05e00, 0, 0x4f32d05e)   /* 3000000000.0 -> wu */
  TSX(131, fcvt.wu.s, rtz, 0x0, 16, 0xcf32d05e)   /* -3000000000.0 -> wu */
  TSX(132, fcvt.wu.s, rtz, 0xffffffff80000000, 0, 0x4f000000)   /* 2147483648 -> wu */
  TSX(133, fcvt.wu.s, rtz, 0x0, 16, 0xcf000000)   /* -2147483648 -> wu */
  TSX(134, fcvt.wu.s, rtz, 0xffffffffffffffff, 16, 0x4f800000)   /* 4294967296 -> wu */
  TSX(135, fcvt.wu.s, rtz, 0xffffffffffffffff, 16, 0x5f000000)   /* 9223372036854775808 -> wu */
  TSX(136, fcvt.wu.s, rtz, 0x0, 16, 0xdf000000)   /* -9223372036854775808 -> wu */
  TSX(137, fcvt.wu.s, rtz, 0xffffffffffffffff, 16, 0x5f800000)   /* 18446744073709551616 -> wu */
  TSX(138, fcvt.wu.s, rtz, 0x0, 16, 0xbf800000)   /* -1.0 -> wu */
  TSX(139, fcvt.l.s, rtz, 0x7fffffffffffffff, 16, 0x7fc00000)   /* NaN/inf -> l */
  TSX(140, fcvt.l.s, rtz, 0x7fffffffffffffff, 16, 0x7f800001)   /* NaN/inf -> l */
  TSX(141, fcvt.l.s, rtz, 0x7fffffffffffffff, 16, 0xffc00001)   /* NaN/inf -> l */
  TSX(142, fcvt.l.s, rtz, 0x7fffffffffffffff, 16, 0x7f800000)   /* NaN/inf -> l */
  TSX(143, fcvt.l.s, rtz, 0x8000000000000000, 16, 0xff800000)   /* NaN/inf -> l */
  TSX(144, fcvt.l.s, rtz, 0xb2d05e00, 0, 0x4f32d05e)   /* 3000000000.0 -> l */
  TSX(145, fcvt.l.s, rtz, 0xffffffff4d2fa200, 0, 0xcf32d05e)   /* -3000000000.0 -> l */
  TSX(146, fcvt.l.s, rtz, 0x80000000, 0, 0x4f000000)   /* 2147483648 -> l */
  TSX(147, fcvt.l.s, rtz, 0xffffffff80000000, 0, 0xcf000000)   /* -2147483648 -> l */
  TSX(148, fcvt.l.s, rtz, 0x100000000, 0, 0x4f800000)   /* 4294967296 -> l */
  TSX(149, fcvt.l.s, rtz, 0x7fffffffffffffff, 16, 0x5f000000)   /* 9223372036854775808 -> l */
  TSX(150, fcvt.l.s, rtz, 0x8000000000000000, 0, 0xdf000000)   /* -9223372036854775808 -> l */
  TSX(151, fcvt.l.s, rtz, 0x7fffffffffffffff, 16, 0x5f800000)   /* 18446744073709551616 -> l */
  TSX(152, fcvt.l.s, rtz, 0xffffffffffffffff, 0, 0xbf800000)   /* -1.0 -> l */
  TSX(153, fcvt.lu.s, rtz, 0xffffffffffffffff, 16, 0x7fc00000)   /* NaN/inf -> lu */
  TSX(154, fcvt.lu.s, rtz, 0xffffffffffffffff, 16, 0x7f800001)   /* NaN/inf -> lu */
  TSX(155, fcvt.lu.s, rtz, 0xffffffffffffffff, 16, 0xffc00001)   /* NaN/inf -> lu */
  TSX(156, fcvt.lu.s, rtz, 0xffffffffffffffff, 16, 0x7f800000)   /* NaN/inf -> lu */
  TSX(157, fcvt.lu.s, rtz, 0x0, 16, 0xff800000)   /* NaN/inf -> lu */
  TSX(158, fcvt.lu.s, rtz, 0xb2d05e00, 0, 0x4f32d05e)   /* 3000000000.0 -> lu */
  TSX(159, fcvt.lu.s, rtz, 0x0, 16, 0xcf32d05e)   /* -3000000000.0 -> lu */
  TSX(160, fcvt.lu.s, rtz, 0x80000000, 0, 0x4f000000)   /* 2147483648 -> lu */
  TSX(161, fcvt.lu.s, rtz, 0x0, 16, 0xcf000000)   /* -2147483648 -> lu */
  TSX(162, fcvt.lu.s, rtz, 0x100000000, 0, 0x4f800000)   /* 4294967296 -> lu */
  TSX(163, fcvt.lu.s, rtz, 0x8000000000000000, 0, 0x5f000000)   /* 9223372036854775808 -> lu */
  TSX(164, fcvt.lu.s, rtz, 0x0, 16, 0xdf000000)   /* -9223372036854775808 -> lu */
  TSX(165, fcvt.lu.s, rtz, 0xffffffffffffffff, 16, 0x5f800000)   /* 18446744073709551616 -> lu */
  TSX(166, fcvt.lu.s, rtz, 0x0, 16, 0xbf800000)   /* -1.0 -> lu */
  TSX(167, fcvt.w.s, rne, 0x7fffff80, 0, 0x4effffff)   /* rounds up out of range */
  TSX(168, fcvt.w.s, rtz, 0xffffffff80000000, 0, 0xcf000000)
  TSX(169, fcvt.wu.s, rtz, 0x0, 1, 0xbf666666)   /* rounds to -0: valid */
  TSX(170, fcvt.wu.s, rne, 0x0, 16, 0xbf666666)   /* rounds to -1: invalid */
  TSX(171, fcvt.l.s, rne, 0x8000000000000000, 0, 0xdf000000)
  TSX(172, fcvt.lu.s, rne, 0xffffff0000000000, 0, 0x5f7fffff)
  TDX(173, fcvt.w.d, rtz, 0x7fffffff, 16, 0x7ff8000000000000)   /* NaN/inf -> w */
  TDX(174, fcvt.w.d, rtz, 0x7fffffff, 16, 0x7ff0000000000001)   /* NaN/inf -> w */
  TDX(175, fcvt.w.d, rtz, 0x7fffffff, 16, 0xfff8000000000123)   /* NaN/inf -> w */
  TDX(176, fcvt.w.d, rtz, 0x7fffffff, 16, 0x7ff0000000000000)   /* NaN/inf -> w */
  TDX(177, fcvt.w.d, rtz, 0xffffffff80000000, 16, 0xfff0000000000000)   /* NaN/inf -> w */
  TDX(178, fcvt.w.d, rtz, 0x7fffffff, 16, 0x41e65a0bc0000000)   /* 3000000000.0 -> w */
  TDX(179, fcvt.w.d, rtz, 0xffffffff80000000, 16, 0xc1e65a0bc0000000)   /* -3000000000.0 -> w */
  TDX(180, fcvt.w.d, rtz, 0x7fffffff, 16, 0x41e0000000000000)   /* 2147483648 -> w */
  TDX(181, fcvt.w.d, rtz, 0xffffffff80000000, 0, 0xc1e0000000000000)   /* -2147483648 -> w */
  TDX(182, fcvt.w.d, rtz, 0x7fffffff, 16, 0x41f0000000000000)   /* 4294967296 -> w */
  TDX(183, fcvt.w.d, rtz, 0x7fffffff, 16, 0x43e0000000000000)   /* 9223372036854775808 -> w */
  TDX(184, fcvt.w.d, rtz, 0xffffffff80000000, 16, 0xc3e0000000000000)   /* -9223372036854775808 -> w */
  TDX(185, fcvt.w.d, rtz, 0x7fffffff, 16, 0x43f0000000000000)   /* 18446744073709551616 -> w */
  TDX(186, fcvt.w.d, rtz, 0xffffffffffffffff, 0, 0xbff0000000000000)   /* -1.0 -> w */
  TDX(187, fcvt.wu.d, rtz, 0xffffffffffffffff, 16, 0x7ff8000000000000)   /* NaN/inf -> wu */
  TDX(188, fcvt.wu.d, rtz, 0xffffffffffffffff, 16, 0x7ff0000000000001)   /* NaN/inf -> wu */
  TDX(189, fcvt.wu.d, rtz, 0xffffffffffffffff, 16, 0xfff8000000000123)   /* NaN/inf -> wu */
  TDX(190, fcvt.wu.d, rtz, 0xffffffffffffffff, 16, 0x7ff0000000000000)   /* NaN/inf -> wu */
  TDX(191, fcvt.wu.d, rtz, 0x0, 16, 0xfff0000000000000)   /* NaN/inf -> wu */
  TDX(192, fcvt.wu.d, rtz, 0xffffffffb2d05e00, 0, 0x41e65a0bc0000000)   /* 3000000000.0 -> wu */
  TDX(193, fcvt.wu.d, rtz, 0x0, 16, 0xc1e65a0bc0000000)   /* -3000000000.0 -> wu */
  TDX(194, fcvt.wu.d, rtz, 0xffffffff80000000, 0, 0x41e0000000000000)   /* 2147483648 -> wu */
  TDX(195, fcvt.wu.d, rtz, 0x0, 16, 0xc1e0000000000000)   /* -2147483648 -> wu */
  TDX(196, fcvt.wu.d, rtz, 0xffffffffffffffff, 16, 0x41f0000000000000)   /* 4294967296 -> wu */
  TDX(197, fcvt.wu.d, rtz, 0xffffffffffffffff, 16, 0x43e0000000000000)   /* 9223372036854775808 -> wu */
  TDX(198, fcvt.wu.d, rtz, 0x0, 16, 0xc3e0000000000000)   /* -9223372036854775808 -> wu */
  TDX(199, fcvt.wu.d, rtz, 0xffffffffffffffff, 16, 0x43f0000000000000)   /* 18446744073709551616 -> wu */
  TDX(200, fcvt.wu.d, rtz, 0x0, 16, 0xbff0000000000000)   /* -1.0 -> wu */
  TDX(201, fcvt.l.d, rtz, 0x7fffffffffffffff, 16, 0x7ff8000000000000)   /* NaN/inf -> l */
  TDX(202, fcvt.l.d, rtz, 0x7fffffffffffffff, 16, 0x7ff0000000000001)   /* NaN/inf -> l */
  TDX(203, fcvt.l.d, rtz, 0x7fffffffffffffff, 16, 0xfff8000000000123)   /* NaN/inf -> l */
  TDX(204, fcvt.l.d, rtz, 0x7fffffffffffffff, 16, 0x7ff0000000000000)   /* NaN/inf -> l */
  TDX(205, fcvt.l.d, rtz, 0x8000000000000000, 16, 0xfff0000000000000)   /* NaN/inf -> l */
  TDX(206, fcvt.l.d, rtz, 0xb2d05e00, 0, 0x41e65a0bc0000000)   /* 3000000000.0 -> l */
  TDX(207, fcvt.l.d, rtz, 0xffffffff4d2fa200, 0, 0xc1e65a0bc0000000)   /* -3000000000.0 -> l */
  TDX(208, fcvt.l.d, rtz, 0x80000000, 0, 0x41e0000000000000)   /* 2147483648 -> l */
  TDX(209, fcvt.l.d, rtz, 0xffffffff80000000, 0, 0xc1e0000000000000)   /* -2147483648 -> l */
  TDX(210, fcvt.l.d, rtz, 0x100000000, 0, 0x41f0000000000000)   /* 4294967296 -> l */
  TDX(211, fcvt.l.d, rtz, 0x7fffffffffffffff, 16, 0x43e0000000000000)   /* 9223372036854775808 -> l */
  TDX(212, fcvt.l.d, rtz, 0x8000000000000000, 0, 0xc3e0000000000000)   /* -9223372036854775808 -> l */
  TDX(213, fcvt.l.d, rtz, 0x7fffffffffffffff, 16, 0x43f0000000000000)   /* 18446744073709551616 -> l */
  TDX(214, fcvt.l.d, rtz, 0xffffffffffffffff, 0, 0xbff0000000000000)   /* -1.0 -> l */
  TDX(215, fcvt.lu.d, rtz, 0xffffffffffffffff, 16, 0x7ff8000000000000)   /* NaN/inf -> lu */
  TDX(216, fcvt.lu.d, rtz, 0xffffffffffffffff, 16, 0x7ff0000000000001)   /* NaN/inf -> lu */
  TDX(217, fcvt.lu.d, rtz, 0xffffffffffffffff, 16, 0xfff8000000000123)   /* NaN/inf -> lu */
  TDX(218, fcvt.lu.d, rtz, 0xffffffffffffffff, 16, 0x7ff0000000000000)   /* NaN/inf -> lu */
  TDX(219, fcvt.lu.d, rtz, 0x0, 16, 0xfff0000000000000)   /* NaN/inf -> lu */
  TDX(220, fcvt.lu.d, rtz, 0xb2d05e00, 0, 0x41e65a0bc0000000)   /* 3000000000.0 -> lu */
  TDX(221, fcvt.lu.d, rtz, 0x0, 16, 0xc1e65a0bc0000000)   /* -3000000000.0 -> lu */
  TDX(222, fcvt.lu.d, rtz, 0x80000000, 0, 0x41e0000000000000)   /* 2147483648 -> lu */
  TDX(223, fcvt.lu.d, rtz, 0x0, 16, 0xc1e0000000000000)   /* -2147483648 -> lu */
  TDX(224, fcvt.lu.d, rtz, 0x100000000, 0, 0x41f0000000000000)   /* 4294967296 -> lu */
  TDX(225, fcvt.lu.d, rtz, 0x8000000000000000, 0, 0x43e0000000000000)   /* 9223372036854775808 -> lu */
  TDX(226, fcvt.lu.d, rtz, 0x0, 16, 0xc3e0000000000000)   /* -9223372036854775808 -> lu */
  TDX(227, fcvt.lu.d, rtz, 0xffffffffffffffff, 16, 0x43f0000000000000)   /* 18446744073709551616 -> lu */
  TDX(228, fcvt.lu.d, rtz, 0x0, 16, 0xbff0000000000000)   /* -1.0 -> lu */
  TDX(229, fcvt.w.d, rne, 0x7fffffff, 16, 0x41dfffffffe00000)   /* rounds up out of range */
  TDX(230, fcvt.w.d, rtz, 0xffffffff80000000, 1, 0xc1e0000000100000)
  TDX(231, fcvt.wu.d, rtz, 0x0, 1, 0xbfeccccccccccccd)   /* rounds to -0: valid */
  TDX(232, fcvt.wu.d, rne, 0x0, 16, 0xbfeccccccccccccd)   /* rounds to -1: invalid */
  TDX(233, fcvt.l.d, rne, 0x8000000000000000, 0, 0xc3e0000000000000)
  TDX(234, fcvt.lu.d, rne, 0xffffff0000000000, 0, 0x43efffffe0000000)
  TDX(235, fcvt.w.d, rne, 0x7fffffff, 0, 0x41dfffffffc00000)
  TDX(236, fcvt.w.d, rtz, 0xffffffff80000000, 1, 0xc1e00000001ccccd)
  TDX(237, fcvt.w.d, rdn, 0xffffffff80000000, 16, 0xc1e00000001ccccd)
  TDX(238, fcvt.wu.d, rne, 0xffffffffffffffff, 1, 0x41efffffffeccccd)
  TDX(239, fcvt.wu.d, rne, 0xffffffffffffffff, 16, 0x41effffffff00000)
  TDX(240, fcvt.wu.d, rtz, 0xffffffffffffffff, 1, 0x41effffffff00000)
  TDX(241, fcvt.l.d, rne, 0x7ffffffffffffc00, 0, 0x43dfffffffffffff)
  TDX(242, fcvt.lu.d, rne, 0xfffffffffffff800, 0, 0x43efffffffffffff)

  RVTEST_PASS
RVTEST_END
