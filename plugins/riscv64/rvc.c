/*
** plugins/riscv64/rvc.c - RV64C: expand a 16-bit parcel into the
** equivalent 32-bit instruction (Unprivileged ISA ch. 16, Tables 16.5-16.7),
** so the decoder has a single code path.  Illegal or reserved encodings
** expand to 0, which is then reported as an illegal instruction with
** tval = the 16-bit parcel.  C.FLD, C.FSD, C.FLDSP and C.FSDSP expand to
** FLD/FSD (fp.c), which are illegal while mstatus.FS is Off.
*/
#include "rv_cpu.h"

/* bit field c[hi:lo] */
#define BITS(c, hi, lo) (((c) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))
#define BIT(c, n) (((c) >> (n)) & 1u)

/* 32-bit encoders */
static uint32_t enc_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd,
                      uint32_t opc)
{
  return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t enc_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3,
                      uint32_t rd, uint32_t opc)
{
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

static uint32_t enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3,
                      uint32_t opc)
{
  uint32_t u = (uint32_t)imm;
  return BITS(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
         BITS(u, 4, 0) << 7 | opc;
}

static uint32_t enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
  uint32_t u = (uint32_t)imm;
  return BIT(u, 12) << 31 | BITS(u, 10, 5) << 25 | rs2 << 20 | rs1 << 15 |
         f3 << 12 | BITS(u, 4, 1) << 8 | BIT(u, 11) << 7 | 0x63;
}

static uint32_t enc_j(int32_t imm, uint32_t rd)
{
  uint32_t u = (uint32_t)imm;
  return BIT(u, 20) << 31 | BITS(u, 10, 1) << 21 | BIT(u, 11) << 20 |
         BITS(u, 19, 12) << 12 | rd << 7 | 0x6f;
}

static int32_t sext(uint32_t v, unsigned bits)
{
  return (int32_t)(v << (32 - bits)) >> (32 - bits);
}

enum { OPC_LOAD = 0x03, OPC_OPIMM = 0x13, OPC_OPIMM32 = 0x1b,
       OPC_STORE = 0x23, OPC_OP = 0x33, OPC_LUI = 0x37, OPC_OP32 = 0x3b,
       OPC_JALR = 0x67, OPC_SYSTEM = 0x73,
       OPC_LOADFP = 0x07, OPC_STOREFP = 0x27 };

static uint32_t quadrant0(uint32_t c)
{
  uint32_t rdp = 8 + BITS(c, 4, 2), rs1p = 8 + BITS(c, 9, 7);
  uint32_t uimm;

  switch (BITS(c, 15, 13)) {
  case 0: /* C.ADDI4SPN: addi rd', x2, nzuimm */
    uimm = BITS(c, 12, 11) << 4 | BITS(c, 10, 7) << 6 | BIT(c, 6) << 2 |
           BIT(c, 5) << 3;
    if (uimm == 0) return 0; /* includes the all-zero parcel */
    return enc_i((int32_t)uimm, 2, 0, rdp, OPC_OPIMM);
  case 2: /* C.LW */
    uimm = BITS(c, 12, 10) << 3 | BIT(c, 6) << 2 | BIT(c, 5) << 6;
    return enc_i((int32_t)uimm, rs1p, 2, rdp, OPC_LOAD);
  case 3: /* C.LD (RV64) */
    uimm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
    return enc_i((int32_t)uimm, rs1p, 3, rdp, OPC_LOAD);
  case 6: /* C.SW */
    uimm = BITS(c, 12, 10) << 3 | BIT(c, 6) << 2 | BIT(c, 5) << 6;
    return enc_s((int32_t)uimm, rdp, rs1p, 2, OPC_STORE);
  case 7: /* C.SD */
    uimm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
    return enc_s((int32_t)uimm, rdp, rs1p, 3, OPC_STORE);
  case 1: /* C.FLD */
    uimm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
    return enc_i((int32_t)uimm, rs1p, 3, rdp, OPC_LOADFP);
  case 5: /* C.FSD */
    uimm = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
    return enc_s((int32_t)uimm, rdp, rs1p, 3, OPC_STOREFP);
  default: /* 4 reserved */
    return 0;
  }
}

static uint32_t quadrant1(uint32_t c)
{
  uint32_t rd = BITS(c, 11, 7);
  uint32_t rdp = 8 + BITS(c, 9, 7), rs2p = 8 + BITS(c, 4, 2);
  int32_t imm6 = sext(BIT(c, 12) << 5 | BITS(c, 6, 2), 6);
  int32_t imm;
  uint32_t shamt = BIT(c, 12) << 5 | BITS(c, 6, 2);

  switch (BITS(c, 15, 13)) {
  case 0: /* C.ADDI (C.NOP when rd = 0; rd != 0, imm = 0 is a HINT) */
    return enc_i(imm6, rd, 0, rd, OPC_OPIMM);
  case 1: /* C.ADDIW (RV64): rd = 0 reserved */
    if (rd == 0) return 0;
    return enc_i(imm6, rd, 0, rd, OPC_OPIMM32);
  case 2: /* C.LI */
    return enc_i(imm6, 0, 0, rd, OPC_OPIMM);
  case 3:
    if (rd == 2) { /* C.ADDI16SP */
      imm = sext(BIT(c, 12) << 9 | BIT(c, 6) << 4 | BIT(c, 5) << 6 |
                 BITS(c, 4, 3) << 7 | BIT(c, 2) << 5, 10);
      if (imm == 0) return 0;
      return enc_i(imm, 2, 0, 2, OPC_OPIMM);
    }
    /* C.LUI: nzimm = 0 reserved; rd = 0 is a HINT */
    if (imm6 == 0) return 0;
    return ((uint32_t)imm6 << 12) | rd << 7 | OPC_LUI;
  case 4:
    switch (BITS(c, 11, 10)) {
    case 0: /* C.SRLI */
      return enc_i((int32_t)shamt, rdp, 5, rdp, OPC_OPIMM);
    case 1: /* C.SRAI */
      return enc_i((int32_t)(shamt | 0x400), rdp, 5, rdp, OPC_OPIMM);
    case 2: /* C.ANDI */
      return enc_i(imm6, rdp, 7, rdp, OPC_OPIMM);
    default:
      if (!BIT(c, 12)) {
        static const uint8_t f3[4] = { 0, 4, 6, 7 };  /* SUB XOR OR AND */
        uint32_t k = BITS(c, 6, 5);
        return enc_r(k == 0 ? 0x20 : 0, rs2p, rdp, f3[k], rdp, OPC_OP);
      }
      switch (BITS(c, 6, 5)) {
      case 0: return enc_r(0x20, rs2p, rdp, 0, rdp, OPC_OP32); /* C.SUBW */
      case 1: return enc_r(0, rs2p, rdp, 0, rdp, OPC_OP32);    /* C.ADDW */
      default: return 0;                                        /* reserved */
      }
    }
  case 5: /* C.J */
    imm = sext(BIT(c, 12) << 11 | BIT(c, 11) << 4 | BITS(c, 10, 9) << 8 |
               BIT(c, 8) << 10 | BIT(c, 7) << 6 | BIT(c, 6) << 7 |
               BITS(c, 5, 3) << 1 | BIT(c, 2) << 5, 12);
    return enc_j(imm, 0);
  default: /* 6 C.BEQZ, 7 C.BNEZ */
    imm = sext(BIT(c, 12) << 8 | BITS(c, 11, 10) << 3 | BITS(c, 6, 5) << 6 |
               BITS(c, 4, 3) << 1 | BIT(c, 2) << 5, 9);
    return enc_b(imm, 0, rdp, BITS(c, 15, 13) == 6 ? 0 : 1);
  }
}

static uint32_t quadrant2(uint32_t c)
{
  uint32_t rd = BITS(c, 11, 7), rs2 = BITS(c, 6, 2);
  uint32_t shamt = BIT(c, 12) << 5 | BITS(c, 6, 2);
  uint32_t uimm;

  switch (BITS(c, 15, 13)) {
  case 0: /* C.SLLI (rd = 0 is a HINT) */
    return enc_i((int32_t)shamt, rd, 1, rd, OPC_OPIMM);
  case 2: /* C.LWSP: rd = 0 reserved */
    if (rd == 0) return 0;
    uimm = BIT(c, 12) << 5 | BITS(c, 6, 4) << 2 | BITS(c, 3, 2) << 6;
    return enc_i((int32_t)uimm, 2, 2, rd, OPC_LOAD);
  case 3: /* C.LDSP: rd = 0 reserved */
    if (rd == 0) return 0;
    uimm = BIT(c, 12) << 5 | BITS(c, 6, 5) << 3 | BITS(c, 4, 2) << 6;
    return enc_i((int32_t)uimm, 2, 3, rd, OPC_LOAD);
  case 4:
    if (!BIT(c, 12)) {
      if (rs2 == 0) { /* C.JR: rs1 = 0 reserved */
        if (rd == 0) return 0;
        return enc_i(0, rd, 0, 0, OPC_JALR);
      }
      return enc_r(0, rs2, 0, 0, rd, OPC_OP);            /* C.MV */
    }
    if (rs2 == 0) {
      if (rd == 0) return 0x00100073;                    /* C.EBREAK */
      return enc_i(0, rd, 0, 1, OPC_JALR);               /* C.JALR */
    }
    return enc_r(0, rs2, rd, 0, rd, OPC_OP);             /* C.ADD */
  case 6: /* C.SWSP */
    uimm = BITS(c, 12, 9) << 2 | BITS(c, 8, 7) << 6;
    return enc_s((int32_t)uimm, rs2, 2, 2, OPC_STORE);
  case 7: /* C.SDSP */
    uimm = BITS(c, 12, 10) << 3 | BITS(c, 9, 7) << 6;
    return enc_s((int32_t)uimm, rs2, 2, 3, OPC_STORE);
  case 1: /* C.FLDSP (rd = f0 is valid) */
    uimm = BIT(c, 12) << 5 | BITS(c, 6, 5) << 3 | BITS(c, 4, 2) << 6;
    return enc_i((int32_t)uimm, 2, 3, rd, OPC_LOADFP);
  default: /* 5 C.FSDSP */
    uimm = BITS(c, 12, 10) << 3 | BITS(c, 9, 7) << 6;
    return enc_s((int32_t)uimm, rs2, 2, 3, OPC_STOREFP);
  }
}

uint32_t rv_rvc_expand(uint32_t c)
{
  c &= 0xffff;
  switch (c & 3) {
  case 0: return quadrant0(c);
  case 1: return quadrant1(c);
  case 2: return quadrant2(c);
  default: return 0;
  }
}
