/* tests/guest/fp-tb.S - F/D state that a translator may specialise code
** on, changed between executions of the SAME code (loops), so that a
** translation made for one state and reused under another shows up:
**
**  - frm: one block of three FADD.D with rm = DYN runs under frm = 0..7,
**    three times round; each valid mode must round as it says (the low
**    bits of three results identify the mode), frm = 5, 6, 7 must make
**    each of the three an illegal instruction (Unprivileged ISA §11.2:
**    "If frm is set to an invalid value ... any subsequent attempt to
**    execute a floating-point operation with a dynamic rounding mode will
**    raise an illegal-instruction exception"), and valid again after;
**  - mstatus.FS toggled between Off and Dirty around one block of FP
**    instructions: the illegal-instruction trap appears exactly in the
**    Off iterations (Privileged ISA §3.1.6.6), the Dirty ones compute;
**  - mstatus.FS set to Initial, Clean or Dirty before the same FP write,
**    for each kind of write (IR moves and loads, sign injection, an
**    arithmetic op, FMIN, a conversion, a comparison that only sets
**    fflags): FS must read Dirty (and SD set) afterwards, every time;
**  - sign injection on an improperly NaN-boxed single operand with
**    rs1 == rs2 (FMV.S, FNEG.S, FABS.S) and a fused op on one: the
**    operand is the canonical NaN (§11.2 / §12.2 NaN boxing).
** QEMU 7.2 agrees with every check. */
#include "fptest.h"

#define MSTATUS_SD 0x8000000000000000
#define FS_DIRTY   0x6000
#define SET_FS(r) li t0, MSTATUS_FS; csrc mstatus, t0; csrs mstatus, r

/* a0 <- trap_count */
#define TRAPS(r) la t0, trap_count; ld r, 0(t0)

FPTEST_BEGIN
  la s0, fpbuf

  /* ---- frm in a loop: s1 = iteration (0..23), s2 = frm = s1 & 7 ---- */
  li TESTNUM, 1
  li t0, 0x3ff0000000000000          /* 1.0 */
  fmv.d.x f1, t0
  li t0, 0x3c90000000000000          /* 2^-54 */
  fmv.d.x f2, t0
  li t0, 0x3ca8000000000000          /* 3 * 2^-54 = 0.75 ulp(1) */
  fmv.d.x f4, t0
  li t0, 0x3ca0000000000000          /* 2^-53 = half an ulp of 1 */
  fmv.d.x f5, t0
  li t0, 0xbff0000000000000          /* -1.0 */
  fmv.d.x f6, t0
  li s1, 0
1:
  andi s2, s1, 7
  fmv.d.x f7, zero                   /* results: 0 unless computed */
  fmv.d.x f8, zero
  fmv.d.x f9, zero
  TRAPS(s3)
  fsrm s2                            /* ends the block: new frm */
  fadd.d f7, f1, f4                  /* 1 + 0.75 ulp */
  fadd.d f8, f1, f5                  /* 1 + 0.5 ulp: a tie */
  fsub.d f9, f6, f4                  /* -1 - 0.75 ulp */
  fsrm zero
  TRAPS(s4)
  sub s4, s4, s3                     /* traps in this iteration */
  /* code = bit 0 of each result: RNE 5, RTZ 0, RDN 4, RUP 3, RMM 7 */
  fmv.x.d a0, f7
  andi a0, a0, 1
  fmv.x.d a1, f8
  andi a1, a1, 1
  slli a1, a1, 1
  or a0, a0, a1
  fmv.x.d a1, f9
  andi a1, a1, 1
  slli a1, a1, 2
  or a0, a0, a1
  la t0, frm_code
  add t0, t0, s2
  lbu t6, 0(t0)
  li TESTNUM, 2
  bne a0, t6, fail                   /* rounded as frm says */
  li t6, 0
  li t0, 5
  bltu s2, t0, 2f
  li t6, 3
2:
  li TESTNUM, 3
  bne s4, t6, fail                   /* 3 traps exactly when frm > 4 */
  beqz s4, 3f
  li TESTNUM, 4
  LOAD_VAR(a0, trap_cause)
  li t6, CAUSE_ILLEGAL
  bne a0, t6, fail
  LOAD_VAR(a0, trap_tval)
  li t6, 0x0a4374d3                  /* fsub.d f9, f6, f4 (dyn) */
  bne a0, t6, fail
3:
  addi s1, s1, 1
  li t0, 24
  bltu s1, t0, 1b
  csrr a0, fflags                    /* the inexact results set NX */
  li TESTNUM, 5
  andi a0, a0, 0x1e
  bnez a0, fail                      /* and nothing else */
  csrw fcsr, zero

  /* ---- mstatus.FS toggled Off / Dirty around the same FP block ---- */
  li TESTNUM, 10
  li t0, 0x3ff0000000000000
  fmv.d.x f1, t0                     /* f1 = 1.0 */
  fmv.d.x f3, zero                   /* f3 = 0: counts Dirty iterations */
  li s1, 0
  li s5, MSTATUS_FS                  /* FS = Dirty */
1:
  andi s2, s1, 1                     /* odd iterations: FS = Off */
  mv t1, s5
  beqz s2, 2f
  li t1, 0
2:
  TRAPS(s3)
  SET_FS(t1)                         /* ends the block */
  fadd.d f3, f3, f1                  /* traps when Off */
  fsd f3, 0(s0)                      /* traps when Off */
  fmv.x.d a2, f3                     /* traps when Off */
  SET_FS(s5)
  TRAPS(s4)
  sub s4, s4, s3
  li t6, 0
  beqz s2, 2f
  li t6, 3
2:
  li TESTNUM, 11
  bne s4, t6, fail                   /* 3 traps exactly when Off */
  beqz s4, 3f
  li TESTNUM, 12
  LOAD_VAR(a0, trap_cause)
  li t6, CAUSE_ILLEGAL
  bne a0, t6, fail
  LOAD_VAR(a0, trap_tval)
  li t6, 0xe2018653                  /* fmv.x.d a2, f3 */
  bne a0, t6, fail
3:
  addi s1, s1, 1
  li t0, 20
  bltu s1, t0, 1b
  li TESTNUM, 13
  fmv.x.d a0, f3
  li t6, 0x4024000000000000          /* 10.0: the 10 Dirty iterations */
  bne a0, t6, fail
  ld a0, 0(s0)
  bne a0, t6, fail

  /* ---- every kind of FP write makes FS Dirty, from Initial/Clean ---- */
  /* FS_WRITE(n, code): for FS = Initial, Clean, Dirty, Initial, Clean,
  ** Dirty: set FS, run code, then FS must read Dirty with SD */
#define FS_WRITE(n, code...)                                          \
  li TESTNUM, n;                                                      \
  li s1, 0;                                                           \
1:;                                                                   \
  li t0, 3;                                                           \
  remu t1, s1, t0;                                                    \
  addi t1, t1, 1;                                                     \
  slli t1, t1, 13;                                                    \
  SET_FS(t1);                                                         \
  code;                                                               \
  csrr a0, mstatus;                                                   \
  li t0, MSTATUS_FS | MSTATUS_SD;                                     \
  and a0, a0, t0;                                                     \
  li t6, MSTATUS_FS | MSTATUS_SD;                                     \
  bne a0, t6, fail;                                                   \
  addi s1, s1, 1;                                                     \
  li t0, 6;                                                           \
  bltu s1, t0, 1b

  li t0, 0x4000000000000000          /* 2.0 */
  sd t0, 0(s0)
  li t0, 0xffffffff7fa00000          /* a boxed single sNaN */
  fmv.d.x f10, t0
  FS_WRITE(20, fmv.d.x f11, zero)
  FS_WRITE(21, fmv.w.x f11, zero)
  FS_WRITE(22, fld f11, 0(s0))
  FS_WRITE(23, flw f11, 0(s0))
  FS_WRITE(24, fsgnj.d f11, f1, f1)
  FS_WRITE(25, fsgnjn.s f11, f1, f10)
  FS_WRITE(26, fadd.d f11, f1, f1)
  FS_WRITE(27, fmadd.d f11, f1, f1, f1)
  FS_WRITE(28, fmin.d f11, f1, f1)
  FS_WRITE(29, fcvt.d.w f11, zero)
#ifdef VMRUN_ONLY
  /* QEMU 7.2 does not mark FS Dirty when a comparison only sets fflags */
  FS_WRITE(30, feq.s a0, f10, f10)   /* writes fflags (NV) only */
#endif
  csrw fflags, zero

  /* ---- NaN-boxing with rs1 == rs2 and in a fused op ---- */
  li t0, 0x0000000040000000          /* unboxed 2.0f */
  fmv.d.x f1, t0
  li t0, 0x3f800000                  /* 1.0f, boxed */
  fmv.w.x f2, t0
  TEST_CASE(40, a0, BOXS(CNAN_S), fmv.s f3, f1; fmv.x.d a0, f3)
  TEST_CASE(41, a0, BOXS(0xffc00000), fneg.s f3, f1; fmv.x.d a0, f3)
  TEST_CASE(42, a0, BOXS(CNAN_S), fabs.s f3, f1; fmv.x.d a0, f3)
  TEST_CASE(43, a0, BOXS(0x3f800000), fmv.s f3, f2; fmv.x.d a0, f3)
  TEST_CASE(44, a0, BOXS(0xbf800000), fneg.s f3, f2; fmv.x.d a0, f3)
  TEST_CASE(45, a0, BOXS(CNAN_S), fmadd.s f3, f2, f2, f1, rne; fmv.x.d a0, f3)
  TEST_CASE(46, a0, BOXS(CNAN_S), fmul.s f3, f1, f2; fmv.x.d a0, f3)
  TEST_CASE(47, a0, 1, fle.s a0, f2, f2)
  TEST_CASE(48, a0, 0, feq.s a0, f1, f1)  /* canonical NaN: unordered */
  csrr a0, fflags
  li TESTNUM, 49
  bnez a0, fail                      /* quiet NaNs: no NV from FEQ */

  RVTEST_PASS
RVTEST_END

  .data
  .balign 8
frm_code: .byte 5, 0, 4, 3, 7, 0, 0, 0
  .balign 8
fpbuf: .fill 4, 8, 0
