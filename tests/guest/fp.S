/* tests/guest/fp.S - F and D: mstatus.FS (Off traps, Dirty on writes),
** fflags/frm/fcsr, loads and stores (also compressed), moves (FMV.X.W
** sign-extends), NaN-boxing of single-precision operands, special values
** (NaN payloads are not propagated: results are the canonical NaN; sNaN,
** inf - inf, 0 * inf, 0 / 0, sqrt(-1) raise NV; x / 0 raises DZ), sign
** injection, FMIN/FMAX (-0 < +0, NaN operands), FEQ/FLT/FLE, FCLASS (all
** ten classes), illegal rounding modes and encodings.  The arithmetic in
** every rounding mode is in fp-arith.S, conversions in fp-toint.S and
** fp-cvt.S.  QEMU 7.2 agrees with every check. */
#include "fptest.h"

#define MSTATUS_SD 0x8000000000000000
#define FS_INITIAL 0x2000
#define FS_CLEAN   0x4000
#define FS_DIRTY   0x6000

/* a0 <- mstatus.FS | SD */
#define GET_FS csrr a0, mstatus; li t0, MSTATUS_FS | MSTATUS_SD; and a0, a0, t0
#define SET_FS(v) li t0, MSTATUS_FS; csrc mstatus, t0; li t0, v; csrs mstatus, t0

FPTEST_BEGIN
  la s0, fpbuf

  /* ---- mstatus.FS = Off: every FP instruction and FP CSR is illegal ---- */
  SET_FS(0)
  TEST_TRAP(1, CAUSE_ILLEGAL, 0x002081d3, .word 0x002081d3)  /* fadd.s f3, f1, f2, rne */
  TEST_TRAP(2, CAUSE_ILLEGAL, 0x003025f3, csrr a1, fcsr)
  TEST_TRAP(3, CAUSE_ILLEGAL, 0x001025f3, csrr a1, fflags)
  TEST_TRAP(4, CAUSE_ILLEGAL, 0x002025f3, csrr a1, frm)
  TEST_TRAP(5, CAUSE_ILLEGAL, 0x00301073, csrw fcsr, zero)
  TEST_TRAP(6, CAUSE_ILLEGAL, 0x00042287, .word 0x00042287)  /* flw f5, 0(s0) */
  TEST_TRAP(7, CAUSE_ILLEGAL, 0x00543027, .word 0x00543027)  /* fsd f5, 0(s0) */
  TEST_TRAP(8, CAUSE_ILLEGAL, 0xf00501d3, .word 0xf00501d3)  /* fmv.w.x f3, a0 */
  TEST_TRAP(9, CAUSE_ILLEGAL, 0xe0018553, .word 0xe0018553)  /* fmv.x.w a0, f3 */
  TEST_TRAP(10, CAUSE_ILLEGAL, 0xc0009553, .word 0xc0009553) /* fcvt.w.s a0, f1, rtz */
  TEST_TRAP(11, CAUSE_ILLEGAL, 0x202081c3, .word 0x202081c3) /* fmadd.s */
  TEST_TRAP(12, CAUSE_ILLEGAL, 0x2400, .hword 0x2400)        /* c.fld f8, 8(s0) */
  TEST_TRAP(13, CAUSE_ILLEGAL, 0xa806, .hword 0xa806)        /* c.fsdsp f1, 16(sp) */
  /* the faulting instructions had no effect: FS is still Off */
  TEST_CASE(14, a0, 0, GET_FS)
  /* FS can be switched on again: Initial */
  SET_FS(FS_INITIAL)
  TEST_CASE(15, a0, FS_INITIAL, GET_FS)
  TEST_CASE(16, a0, 0, csrr a0, fcsr)
  /* reading FP state does not dirty it */
  TEST_CASE(17, a0, FS_INITIAL, fmv.x.d a1, f1; GET_FS)
  /* any write of FP state sets FS = Dirty (and SD) */
  TEST_CASE(18, a0, FS_DIRTY | MSTATUS_SD, fmv.w.x f1, zero; GET_FS)
  SET_FS(FS_CLEAN)
  TEST_CASE(19, a0, FS_CLEAN, GET_FS)
  TEST_CASE(20, a0, FS_DIRTY | MSTATUS_SD, fadd.d f1, f2, f2; GET_FS)
  SET_FS(FS_CLEAN)
  TEST_CASE(21, a0, FS_DIRTY | MSTATUS_SD, fld f1, 0(s0); GET_FS)
  SET_FS(FS_CLEAN)
  TEST_CASE(22, a0, FS_DIRTY | MSTATUS_SD, csrw fflags, zero; GET_FS)
  SET_FS(FS_CLEAN)
  TEST_CASE(23, a0, FS_DIRTY | MSTATUS_SD, csrwi frm, 0; GET_FS)
  SET_FS(FS_INITIAL)
  TEST_CASE(24, a0, FS_DIRTY | MSTATUS_SD, .option push; .option rvc; c.fld f8, 0(s0); .option pop; GET_FS)
  /* sstatus shows the same FS and SD */
  TEST_CASE(25, a0, FS_DIRTY | MSTATUS_SD, csrr a0, sstatus; li t0, MSTATUS_FS | MSTATUS_SD; and a0, a0, t0)

  /* ---- fcsr = frm << 5 | fflags; bits 31:8 read zero ---- */
  TEST_CASE(30, a0, 0xff, li a1, -1; csrw fcsr, a1; csrr a0, fcsr)
  TEST_CASE(31, a0, 7, csrr a0, frm)
  TEST_CASE(32, a0, 0x1f, csrr a0, fflags)
  TEST_CASE(33, a0, 0x5f, csrwi frm, 2; csrr a0, fcsr)
  TEST_CASE(34, a0, 0x45, csrwi fflags, 5; csrr a0, fcsr)
  TEST_CASE(35, a0, 1, li a1, 0xf9; csrw frm, a1; csrr a0, frm)
  TEST_CASE(36, a0, 0x05, li a1, 0x1e5; csrw fflags, a1; csrr a0, fflags)
  /* fsflags / fsrm return the old value */
  TEST_CASE(37, a0, 0x05, fsflags a0, zero)
  TEST_CASE(38, a0, 1, fsrmi a0, 0)
  TEST_CASE(39, a0, 0, csrr a0, fcsr)
  /* flags accrue: DZ, then NX */
  TEST_CASE(40, a0, DZ | NX, LDS(f1, 0x3f800000); fmv.w.x f2, zero; fdiv.s f3, f1, f2;
    LDS(f2, 0x40400000); fdiv.s f3, f1, f2; csrrw a0, fflags, zero)

  /* ---- illegal rounding modes and encodings (mtval = the instruction) ---- */
  TEST_TRAP(50, CAUSE_ILLEGAL, 0x0020d1d3, .word 0x0020d1d3)  /* fadd.s rm = 5 */
  TEST_TRAP(51, CAUSE_ILLEGAL, 0x0020e1d3, .word 0x0020e1d3)  /* fadd.s rm = 6 */
  TEST_TRAP(52, CAUSE_ILLEGAL, 0x4200d1d3, .word 0x4200d1d3)  /* fcvt.d.s rm = 5 */
  TEST_TRAP(53, CAUSE_ILLEGAL, 0x2020b1d3, .word 0x2020b1d3)  /* fsgnj funct3 = 3 */
  TEST_TRAP(54, CAUSE_ILLEGAL, 0x2820a1d3, .word 0x2820a1d3)  /* fmin funct3 = 2 */
  TEST_TRAP(55, CAUSE_ILLEGAL, 0xa020b553, .word 0xa020b553)  /* feq funct3 = 3 */
  TEST_TRAP(56, CAUSE_ILLEGAL, 0x062081d3, .word 0x062081d3)  /* fadd.q */
  TEST_TRAP(57, CAUSE_ILLEGAL, 0x581081d3, .word 0x581081d3)  /* fsqrt.s rs2 = 1 */
  TEST_TRAP(58, CAUSE_ILLEGAL, 0x400081d3, .word 0x400081d3)  /* fcvt.s.s */
  TEST_TRAP(59, CAUSE_ILLEGAL, 0xe001a553, .word 0xe001a553)  /* fmv.x.w funct3 = 2 */
  TEST_TRAP(60, CAUSE_ILLEGAL, 0x00044287, .word 0x00044287)  /* LOAD-FP width 4 */
  TEST_TRAP(61, CAUSE_ILLEGAL, 0x262081c3, .word 0x262081c3)  /* fmadd.q */
  /* dynamic rounding with frm = 5, 6, 7 is illegal; rd is not written */
  LDD(f3, 0x1234)
  LDS(f1, 0x3f800000)
  LDS(f2, 0x40400000)
  csrwi frm, 5
  TEST_TRAP(62, CAUSE_ILLEGAL, 0x1820f1d3, fdiv.s f3, f1, f2, dyn)
  csrwi frm, 6
  TEST_TRAP(63, CAUSE_ILLEGAL, 0xc000f553, fcvt.w.s a0, f1, dyn)
  csrwi frm, 7
  TEST_TRAP(64, CAUSE_ILLEGAL, 0x4010f1d3, fcvt.s.d f3, f1, dyn)
  TEST_CASE(65, a0, 0x1234, fmv.x.d a0, f3)
  TEST_CASE(66, a0, 0, csrr a0, fflags)
  /* but instructions without a rounding mode do not care */
  TEST_CASE(67, a0, 1, feq.s a0, f1, f1)
  csrwi frm, 0

  /* ---- loads and stores ---- */
  /* FLW NaN-boxes: upper 32 bits all ones */
  TEST_CASE(70, a0, 0xffffffff89abcdef, flw f5, 0(s0); fmv.x.d a0, f5)
  TEST_CASE(69, a0, 0xffffffff01234567, flw f5, 4(s0); fmv.x.d a0, f5)
  TEST_CASE(71, a0, 0x0123456789abcdef, fld f5, 0(s0); fmv.x.d a0, f5)
  /* FSW stores the low 32 bits as they are, boxed or not */
  TEST_CASE(72, a0, 0x5566778889abcdef, fld f5, 0(s0); fsw f5, 16(s0); ld a0, 16(s0))
  TEST_CASE(73, a0, 0x0123456789abcdef, fld f5, 0(s0); fsd f5, 24(s0); ld a0, 24(s0))
  TEST_CASE(74, a0, 0x0123456789abcdef, li a1, -1; sd a1, 24(s0); fsd f5, 24(s0); ld a0, 24(s0))
  /* compressed forms */
  TEST_CASE(75, a0, 0x1111222233334444, li a1, 0x1111222233334444; sd a1, 32(s0);
    .option push; .option rvc; c.fld f9, 32(s0); c.fsd f9, 40(s0); .option pop; ld a0, 40(s0))
  TEST_CASE(76, a0, 0x1111222233334444, fmv.x.d a0, f9)
  TEST_CASE(77, a0, 0x5555666677778888, li a1, 0x5555666677778888; addi sp, sp, -64; sd a1, 16(sp);
    .option push; .option rvc; c.fldsp f20, 16(sp); c.fsdsp f20, 24(sp); .option pop;
    ld a0, 24(sp); addi sp, sp, 64)
  /* a faulting FP load leaves rd alone */
  LDD(f6, 0x77)
  TEST_TRAP(78, CAUSE_LOAD_ACCESS, 0, fld f6, 0(zero))
  TEST_CASE(79, a0, 0x77, fmv.x.d a0, f6)
  TEST_TRAP(80, CAUSE_STORE_ACCESS, 0, fsw f6, 0(zero))

  /* ---- moves ---- */
  TEST_CASE(90, a0, 0xffffffff80000000, li a1, 0x80000000; fmv.w.x f1, a1; fmv.x.w a0, f1)
  TEST_CASE(91, a0, 0x7fffffff, li a1, 0x7fffffff; fmv.w.x f1, a1; fmv.x.w a0, f1)
  TEST_CASE(92, a0, 0xffffffff3f800000, li a1, 0xdeadbeef3f800000; fmv.w.x f1, a1; fmv.x.d a0, f1)
  /* FMV.X.W takes the low 32 bits even of an unboxed register */
  TEST_CASE(93, a0, 0xffffffff87654321, li a1, 0x1234567887654321; fmv.d.x f1, a1; fmv.x.w a0, f1)
  TEST_CASE(94, a0, 0x1234567887654321, fmv.x.d a0, f1)
  TEST_CASE(95, a0, 0, csrr a0, fflags)

  /* ---- NaN-boxing: an improperly boxed single operand is the canonical NaN ---- */
  fld f1, 8(s0)                      /* 0x0000000040000000: unboxed 2.0 */
  LDS(f2, 0xbf800000)                /* -1.0, boxed */
  TEST_CASE(100, a0, BOXS(CNAN_S), fadd.s f3, f1, f1; fmv.x.d a0, f3)
  TEST_CASE(101, a0, 0, csrr a0, fflags)   /* a quiet NaN: no NV */
  TEST_CASE(102, a0, BOXS(CNAN_S), fmul.s f3, f2, f1; fmv.x.d a0, f3)
  TEST_CASE(103, a0, BOXS(0xffc00000), fsgnj.s f3, f1, f2; fmv.x.d a0, f3)
  TEST_CASE(104, a0, BOXS(0xbf800000), fsgnjx.s f3, f2, f1; fmv.x.d a0, f3)
  TEST_CASE(105, a0, 0x200, fclass.s a0, f1)
  TEST_CASE(106, a0, BOXS(0xbf800000), fmin.s f3, f1, f2; fmv.x.d a0, f3)
  TEST_CASE(107, a0, 0, csrr a0, fflags)
  TEST_CASE(108, a0, 0, feq.s a0, f1, f1)
  TEST_CASE(109, a0, 0, csrr a0, fflags)
  TEST_CASE(110, a0, 0, flt.s a0, f2, f1)
  TEST_CASE(111, a0, NV, csrrw a0, fflags, zero)
  TEST_CASE(112, a0, CNAN_D, fcvt.d.s f3, f1; fmv.x.d a0, f3)
  TEST_CASE(113, a0, 0x7fffffff, fcvt.w.s a0, f1, rtz)
  TEST_CASE(114, a0, NV, csrrw a0, fflags, zero)
  /* upper half not all ones (one bit clear): still unboxed */
  TEST_CASE(115, a0, 0x200, li a1, 0xfffffffe3f800000; fmv.d.x f1, a1; fclass.s a0, f1)
  /* the same value as a double is fine */
  TEST_CASE(116, a0, 0x0000000080000000, fld f1, 8(s0); fadd.d f3, f1, f1; fmv.x.d a0, f3)

  /* ---- special values; NaN results are canonical ---- */
  TS2(120, fadd.s, rne, CNAN_S, 0, 0x7fc12345, 0x3f800000)        /* qNaN payload dropped */
  TS2(121, fadd.s, rne, CNAN_S, 0, 0xffc00000, 0x3f800000)        /* negative qNaN */
  TS2(122, fadd.s, rne, CNAN_S, NV, 0x7f800001, 0x3f800000)       /* sNaN */
  TS2(123, fmul.s, rne, CNAN_S, NV, 0x3f800000, 0xff800001)       /* sNaN, 2nd operand */
  TS2(124, fsub.s, rne, CNAN_S, NV, 0x7f800000, 0x7f800000)       /* inf - inf */
  TS2(125, fmul.s, rne, CNAN_S, NV, 0x00000000, 0xff800000)       /* 0 * -inf */
  TS2(126, fdiv.s, rne, CNAN_S, NV, 0x80000000, 0x00000000)       /* 0 / 0 */
  TS2(127, fdiv.s, rne, CNAN_S, NV, 0x7f800000, 0xff800000)       /* inf / inf */
  TS2(128, fdiv.s, rne, 0x7f800000, DZ, 0x3f800000, 0x00000000)   /* 1 / 0 */
  TS2(129, fdiv.s, rne, 0xff800000, DZ, 0x3f800000, 0x80000000)   /* 1 / -0 */
  TS2(130, fdiv.s, rne, 0x00000000, 0, 0x3f800000, 0x7f800000)    /* 1 / inf */
  TS2(131, fadd.s, rne, 0x7f800000, 0, 0x7f800000, 0x3f800000)    /* inf + 1 */
  TS1(132, fsqrt.s, rne, CNAN_S, NV, 0xbf800000)                  /* sqrt(-1) */
  TS1(133, fsqrt.s, rne, 0x80000000, 0, 0x80000000)               /* sqrt(-0) = -0 */
  TS1(134, fsqrt.s, rne, 0x7f800000, 0, 0x7f800000)
  TS1(135, fsqrt.s, rne, CNAN_S, NV, 0xff800000)
  TS1(136, fsqrt.s, rne, CNAN_S, 0, 0x7fc00001)
  TD2(137, fadd.d, rne, CNAN_D, 0, 0x7ff8000000012345, 0x3ff0000000000000)
  TD2(138, fadd.d, rne, CNAN_D, NV, 0x3ff0000000000000, 0x7ff0000000000001)
  TD2(139, fsub.d, rne, CNAN_D, NV, 0xfff0000000000000, 0xfff0000000000000)
  TD2(140, fmul.d, rne, CNAN_D, NV, 0x7ff0000000000000, 0x8000000000000000)
  TD2(141, fdiv.d, rne, CNAN_D, NV, 0x0000000000000000, 0x0000000000000000)
  TD2(142, fdiv.d, rne, 0xfff0000000000000, DZ, 0xc000000000000000, 0x0000000000000000)
  TD1(143, fsqrt.d, rne, CNAN_D, NV, 0xbff0000000000000)
  TD1(144, fsqrt.d, rne, 0x8000000000000000, 0, 0x8000000000000000)
  TD1(145, fsqrt.d, rne, 0x0000000000000000, 0, 0x0000000000000000)
  /* fused: inf * 0 is invalid even when the addend is a quiet NaN */
  TS3(146, fmadd.s, rne, CNAN_S, NV, 0x7f800000, 0x00000000, 0x7fc00000)
  TS3(147, fmadd.s, rne, CNAN_S, NV, 0x00000000, 0xff800000, 0x3f800000)
  TS3(148, fmadd.s, rne, CNAN_S, NV, 0x7f800000, 0x3f800000, 0xff800000) /* inf - inf */
  TS3(149, fmadd.s, rne, CNAN_S, 0, 0x7fc00000, 0x00000000, 0x3f800000)  /* qNaN * 0 */
  TS3(150, fmadd.s, rne, CNAN_S, NV, 0x3f800000, 0x3f800000, 0x7f800001) /* sNaN addend */
  TS3(151, fnmadd.s, rne, 0xff800000, 0, 0x7f800000, 0x3f800000, 0x3f800000)
  TD3(152, fmadd.d, rne, CNAN_D, NV, 0x0000000000000000, 0x7ff0000000000000, 0x7ff8000000000000)
  TD3(153, fmsub.d, rne, CNAN_D, NV, 0x7ff0000000000000, 0x3ff0000000000000, 0x7ff0000000000000)
  TD3(154, fnmsub.d, rne, 0x7ff0000000000000, 0, 0x7ff0000000000000, 0xbff0000000000000, 0x3ff0000000000000)
  TD3(155, fmadd.d, rne, CNAN_D, NV, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000)

  /* ---- sign injection: bit operations, NaNs are not canonicalised ---- */
  TSN(160, fsgnj.s, 0xbfc00000, 0, 0x3fc00000, 0x80000000)
  TSN(161, fsgnj.s, 0x3fc00000, 0, 0xbfc00000, 0x7f800000)
  TSN(162, fsgnjn.s, 0x3fc00000, 0, 0x3fc00000, 0x80000000)
  TSN(163, fsgnjn.s, 0xbfc00000, 0, 0x3fc00000, 0x00000000)
  TSN(164, fsgnjx.s, 0x3fc00000, 0, 0xbfc00000, 0x80000000)
  TSN(165, fsgnjx.s, 0xbfc00000, 0, 0xbfc00000, 0x00000000)
  TSN(166, fsgnj.s, 0xff800001, 0, 0x7f800001, 0xbf800000)        /* sNaN kept, no NV */
  TDN(167, fsgnj.d, 0xbff8000000000000, 0, 0x3ff8000000000000, 0x8000000000000000)
  TDN(168, fsgnjn.d, 0x3ff8000000000000, 0, 0x3ff8000000000000, 0x8000000000000000)
  TDN(169, fsgnjx.d, 0x3ff8000000000000, 0, 0xbff8000000000000, 0xc000000000000000)
  TDN(170, fsgnjn.d, 0xfff0000000000001, 0, 0x7ff0000000000001, 0x0000000000000000)
  /* fabs / fneg / fmv.s are sign injections */
  TEST_CASE(171, a0, BOXS(0x3f800000), LDS(f1, 0xbf800000); fabs.s f3, f1; fmv.x.d a0, f3)
  TEST_CASE(172, a0, 0x8000000000000000, fmv.d.x f1, zero; fneg.d f3, f1; fmv.x.d a0, f3)

  /* ---- FMIN / FMAX ---- */
  TSN(180, fmin.s, 0x80000000, 0, 0x00000000, 0x80000000)         /* -0 < +0 */
  TSN(181, fmin.s, 0x80000000, 0, 0x80000000, 0x00000000)
  TSN(182, fmax.s, 0x00000000, 0, 0x00000000, 0x80000000)
  TSN(183, fmax.s, 0x00000000, 0, 0x80000000, 0x00000000)
  TSN(184, fmin.s, 0xc0000000, 0, 0x3f800000, 0xc0000000)
  TSN(185, fmax.s, 0x3f800000, 0, 0x3f800000, 0xc0000000)
  TSN(186, fmin.s, 0xff800000, 0, 0xff800000, 0x40a00000)
  TSN(187, fmin.s, 0x3f800000, 0, 0x7fc00000, 0x3f800000)         /* one qNaN */
  TSN(188, fmax.s, 0x3f800000, 0, 0x3f800000, 0xffc00000)
  TSN(189, fmin.s, 0x3f800000, NV, 0x3f800000, 0x7f800001)        /* sNaN: NV */
  TSN(190, fmax.s, 0xbf800000, NV, 0xff800001, 0xbf800000)
  TSN(191, fmin.s, CNAN_S, 0, 0x7fc00001, 0xffc00002)             /* two NaNs */
  TSN(192, fmax.s, CNAN_S, NV, 0x7f800001, 0x7fc00000)
  TDN(193, fmin.d, 0x8000000000000000, 0, 0x0000000000000000, 0x8000000000000000)
  TDN(194, fmax.d, 0x0000000000000000, 0, 0x8000000000000000, 0x0000000000000000)
  TDN(195, fmax.d, 0x4000000000000000, 0, 0x4000000000000000, 0x3ff0000000000000)
  TDN(196, fmin.d, 0x3ff0000000000000, 0, 0x7ff8000000000000, 0x3ff0000000000000)
  TDN(197, fmax.d, 0x3ff0000000000000, NV, 0x7ff0000000000001, 0x3ff0000000000000)
  TDN(198, fmin.d, CNAN_D, NV, 0xfff0000000000001, 0x7ff0000000000001)
  TDN(199, fmin.d, 0x0000000000000001, 0, 0x0000000000000001, 0x0000000000000002)

  /* ---- FEQ / FLT / FLE: FLT, FLE signal on any NaN, FEQ only on sNaN ---- */
  TSXN(200, feq.s, 1, 0, 0x3f800000, 0x3f800000)
  TSXN(201, feq.s, 0, 0, 0x3f800000, 0x40000000)
  TSXN(202, feq.s, 1, 0, 0x80000000, 0x00000000)                  /* -0 == +0 */
  TSXN(203, flt.s, 0, 0, 0x80000000, 0x00000000)
  TSXN(204, fle.s, 1, 0, 0x80000000, 0x00000000)
  TSXN(205, flt.s, 1, 0, 0xc0000000, 0x3f800000)
  TSXN(206, flt.s, 0, 0, 0x3f800000, 0xc0000000)
  TSXN(207, fle.s, 1, 0, 0xff800000, 0xff800000)
  TSXN(208, feq.s, 0, 0, 0x7fc00000, 0x7fc00000)                  /* qNaN: quiet */
  TSXN(209, flt.s, 0, NV, 0x7fc00000, 0x3f800000)
  TSXN(210, fle.s, 0, NV, 0x3f800000, 0x7fc00000)
  TSXN(211, feq.s, 0, NV, 0x7f800001, 0x3f800000)                 /* sNaN */
  TDXN(212, feq.d, 1, 0, 0x8000000000000000, 0x0000000000000000)
  TDXN(213, flt.d, 1, 0, 0x3ff0000000000000, 0x3ff0000000000001)
  TDXN(214, fle.d, 0, 0, 0x3ff0000000000001, 0x3ff0000000000000)
  TDXN(215, feq.d, 0, 0, 0x7ff8000000000000, 0x3ff0000000000000)
  TDXN(216, flt.d, 0, NV, 0x7ff8000000000000, 0x3ff0000000000000)
  TDXN(217, feq.d, 0, NV, 0x3ff0000000000000, 0xfff0000000000001)
  TDXN(218, fle.d, 1, 0, 0xfff0000000000000, 0x7ff0000000000000)
  /* rd = x0: the flags are still raised */
  TEST_CASE(219, a0, NV, LDS(f1, 0x7fc00000); flt.s x0, f1, f1; csrrw a0, fflags, zero)

  /* ---- FCLASS: the ten classes ---- */
  TSC(220, 0x001, 0xff800000)   /* -inf */
  TSC(221, 0x002, 0xbf800000)   /* -normal */
  TSC(222, 0x004, 0x807fffff)   /* -subnormal */
  TSC(223, 0x008, 0x80000000)   /* -0 */
  TSC(224, 0x010, 0x00000000)   /* +0 */
  TSC(225, 0x020, 0x00000001)   /* +subnormal */
  TSC(226, 0x040, 0x7f7fffff)   /* +normal */
  TSC(227, 0x080, 0x7f800000)   /* +inf */
  TSC(228, 0x100, 0x7f800001)   /* sNaN */
  TSC(229, 0x200, 0x7fc00000)   /* qNaN */
  TSC(230, 0x100, 0xffbfffff)   /* negative sNaN */
  TDC(231, 0x001, 0xfff0000000000000)
  TDC(232, 0x002, 0x8010000000000000)
  TDC(233, 0x004, 0x800fffffffffffff)
  TDC(234, 0x008, 0x8000000000000000)
  TDC(235, 0x010, 0x0000000000000000)
  TDC(236, 0x020, 0x0000000000000001)
  TDC(237, 0x040, 0x3ff0000000000000)
  TDC(238, 0x080, 0x7ff0000000000000)
  TDC(239, 0x100, 0x7ff4000000000000)
  TDC(240, 0x200, 0x7ff8000000000000)
  TDC(241, 0x200, 0xfff8000000000001)

  RVTEST_PASS
RVTEST_END

  .section .data
  .balign 16
fpbuf:
  .dword 0x0123456789abcdef
  .dword 0x0000000040000000
  .dword 0x5566778811223344
  .dword 0
  .dword 0
  .dword 0
  .dword 0
  .dword 0
