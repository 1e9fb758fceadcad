/*
** plugins/riscv64/disas.c - RV64GC disassembler: RV64I, M, A, F, D,
** Zicsr, Zifencei, C and the privileged instructions (Unprivileged ISA
** 20191213 chapters 2, 5, 7, 8, 9, 11, 12, 16 and the opcode map of
** chapter 24; Privileged ISA v1.12 §3.3, §4.2.1).
**
** Output follows GNU objdump -M no-aliases (binutils 2.40): no
** pseudo-instructions ("addi zero,zero,0" rather than "nop",
** "c.addi sp,-16" rather than "addi sp,sp,-16"), ABI register names,
** shift amounts and lui/auipc immediates in hex, other immediates in
** decimal, the rounding mode only when it is not dyn, known CSRs by name.
** tests/lua/disas.sh compares it with objdump over the guest test
** programs.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "disas.h"

static const char *const xr[32] = {
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
  "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
  "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"
};
static const char *const fr[32] = {
  "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7",
  "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
  "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
  "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"
};
static const char *const rm_names[8] = {
  "rne", "rtz", "rdn", "rup", "rmm", "0x5", "0x6", "dyn"
};

typedef struct { char *p; size_t left; } out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
  va_list ap;
  int n;
  if (o->left == 0) return;
  va_start(ap, fmt);
  n = vsnprintf(o->p, o->left, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= o->left) n = (int)o->left - 1;
  o->p += n;
  o->left -= (size_t)n;
}

/* Standard CSR names (Privileged ISA v1.12 Tables 2.2-2.6). */
static const char *csr_name(unsigned c, char *tmp)
{
  static const struct { unsigned num; const char *name; } t[] = {
    { 0x001, "fflags" }, { 0x002, "frm" }, { 0x003, "fcsr" },
    { 0xc00, "cycle" }, { 0xc01, "time" }, { 0xc02, "instret" },
    { 0x100, "sstatus" }, { 0x104, "sie" }, { 0x105, "stvec" },
    { 0x106, "scounteren" }, { 0x10a, "senvcfg" }, { 0x140, "sscratch" },
    { 0x141, "sepc" }, { 0x142, "scause" }, { 0x143, "stval" },
    { 0x144, "sip" }, { 0x180, "satp" },
    { 0xf11, "mvendorid" }, { 0xf12, "marchid" }, { 0xf13, "mimpid" },
    { 0xf14, "mhartid" }, { 0xf15, "mconfigptr" },
    { 0x300, "mstatus" }, { 0x301, "misa" }, { 0x302, "medeleg" },
    { 0x303, "mideleg" }, { 0x304, "mie" }, { 0x305, "mtvec" },
    { 0x306, "mcounteren" }, { 0x30a, "menvcfg" },
    { 0x320, "mcountinhibit" }, { 0x340, "mscratch" }, { 0x341, "mepc" },
    { 0x342, "mcause" }, { 0x343, "mtval" }, { 0x344, "mip" },
    { 0x34a, "mtinst" }, { 0x34b, "mtval2" },
    { 0xb00, "mcycle" }, { 0xb02, "minstret" },
    { 0x7a0, "tselect" }, { 0x7a1, "tdata1" }, { 0x7a2, "tdata2" },
    { 0x7a3, "tdata3" }, { 0x7b0, "dcsr" }, { 0x7b1, "dpc" },
    { 0x7b2, "dscratch0" }, { 0x7b3, "dscratch1" },
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (t[i].num == c) return t[i].name;
  if (c >= 0xc03 && c <= 0xc1f) { sprintf(tmp, "hpmcounter%u", c - 0xc00); return tmp; }
  if (c >= 0xb03 && c <= 0xb1f) { sprintf(tmp, "mhpmcounter%u", c - 0xb00); return tmp; }
  if (c >= 0x323 && c <= 0x33f) { sprintf(tmp, "mhpmevent%u", c - 0x320); return tmp; }
  if (c >= 0x3a0 && c <= 0x3af) { sprintf(tmp, "pmpcfg%u", c - 0x3a0); return tmp; }
  if (c >= 0x3b0 && c <= 0x3ef) { sprintf(tmp, "pmpaddr%u", c - 0x3b0); return tmp; }
  sprintf(tmp, "0x%x", c);
  return tmp;
}

static int32_t sext(uint32_t v, unsigned bits)
{
  return (int32_t)(v << (32 - bits)) >> (32 - bits);
}

#define BITS(c, hi, lo) (((c) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))
#define BIT(c, n) (((c) >> (n)) & 1u)

static void rm_suffix(out *o, unsigned rm)
{
  if (rm != 7) put(o, ",%s", rm_names[rm]);
}

/* 32-bit instructions; returns 0, or -1 for an unknown encoding. */
static int dis32(out *o, uint64_t pc, uint32_t i)
{
  unsigned opc = i & 0x7f, rd = BITS(i, 11, 7), f3 = BITS(i, 14, 12);
  unsigned rs1 = BITS(i, 19, 15), rs2 = BITS(i, 24, 20), f7 = i >> 25;
  int32_t immi = (int32_t)i >> 20;
  int32_t imms = ((int32_t)i >> 25) * 32 + (int32_t)rd;
  char tmp[24];
  static const char *const sz[4] = { "s", "d", "?", "q" };

  switch (opc) {
  case 0x03: {
    static const char *const n[8] = { "lb", "lh", "lw", "ld", "lbu", "lhu",
                                       "lwu", NULL };
    if (!n[f3]) return -1;
    put(o, "%s\t%s,%d(%s)", n[f3], xr[rd], immi, xr[rs1]);
    return 0;
  }
  case 0x07:
    if (f3 != 2 && f3 != 3) return -1;
    put(o, "%s\t%s,%d(%s)", f3 == 2 ? "flw" : "fld", fr[rd], immi, xr[rs1]);
    return 0;
  case 0x0f:
    if (f3 == 1) { put(o, "fence.i"); return 0; }
    if (f3 == 0) {
      static const char *const ps[16] = {
        "0", "w", "r", "rw", "o", "ow", "or", "orw",
        "i", "iw", "ir", "irw", "io", "iow", "ior", "iorw" };
      unsigned fm = i >> 28, pred = BITS(i, 27, 24), succ = BITS(i, 23, 20);
      if (fm == 8 && pred == 3 && succ == 3) { put(o, "fence.tso"); return 0; }
      if (fm != 0) return -1;
      put(o, "fence\t%s,%s", ps[pred], ps[succ]);
      return 0;
    }
    return -1;
  case 0x13:
    switch (f3) {
    case 1:
      if (i >> 26) return -1;
      put(o, "slli\t%s,%s,0x%x", xr[rd], xr[rs1], BITS(i, 25, 20));
      return 0;
    case 5:
      if ((i >> 26) != 0 && (i >> 26) != 0x10) return -1;
      put(o, "%s\t%s,%s,0x%x", (i >> 26) ? "srai" : "srli", xr[rd], xr[rs1],
          BITS(i, 25, 20));
      return 0;
    default: {
      static const char *const n[8] = { "addi", NULL, "slti", "sltiu",
                                         "xori", NULL, "ori", "andi" };
      put(o, "%s\t%s,%s,%d", n[f3], xr[rd], xr[rs1], immi);
      return 0;
    }
    }
  case 0x17:
    put(o, "auipc\t%s,0x%x", xr[rd], i >> 12);
    return 0;
  case 0x1b:
    if (f3 == 0) { put(o, "addiw\t%s,%s,%d", xr[rd], xr[rs1], immi); return 0; }
    if (f3 == 1 && f7 == 0) {
      put(o, "slliw\t%s,%s,0x%x", xr[rd], xr[rs1], rs2); return 0;
    }
    if (f3 == 5 && (f7 == 0 || f7 == 0x20)) {
      put(o, "%s\t%s,%s,0x%x", f7 ? "sraiw" : "srliw", xr[rd], xr[rs1], rs2);
      return 0;
    }
    return -1;
  case 0x23: {
    static const char *const n[8] = { "sb", "sh", "sw", "sd" };
    if (f3 > 3) return -1;
    put(o, "%s\t%s,%d(%s)", n[f3], xr[rs2], imms, xr[rs1]);
    return 0;
  }
  case 0x27:
    if (f3 != 2 && f3 != 3) return -1;
    put(o, "%s\t%s,%d(%s)", f3 == 2 ? "fsw" : "fsd", fr[rs2], imms, xr[rs1]);
    return 0;
  case 0x2f: {
    static const char *const aq[4] = { "", ".rl", ".aq", ".aqrl" };
    unsigned f5 = i >> 27;
    const char *w = f3 == 2 ? "w" : f3 == 3 ? "d" : NULL;
    const char *n = NULL;
    if (!w) return -1;
    switch (f5) {
    case 0x02:
      if (rs2) return -1;
      put(o, "lr.%s%s\t%s,(%s)", w, aq[BITS(i, 26, 25)], xr[rd], xr[rs1]);
      return 0;
    case 0x03: n = "sc"; break;
    case 0x01: n = "amoswap"; break;
    case 0x00: n = "amoadd"; break;
    case 0x04: n = "amoxor"; break;
    case 0x0c: n = "amoand"; break;
    case 0x08: n = "amoor"; break;
    case 0x10: n = "amomin"; break;
    case 0x14: n = "amomax"; break;
    case 0x18: n = "amominu"; break;
    case 0x1c: n = "amomaxu"; break;
    default: return -1;
    }
    put(o, "%s.%s%s\t%s,%s,(%s)", n, w, aq[BITS(i, 26, 25)], xr[rd], xr[rs2],
        xr[rs1]);
    return 0;
  }
  case 0x33: {
    static const char *const base[8] = { "add", "sll", "slt", "sltu", "xor",
                                         "srl", "or", "and" };
    static const char *const mul[8] = { "mul", "mulh", "mulhsu", "mulhu",
                                        "div", "divu", "rem", "remu" };
    const char *n = NULL;
    if (f7 == 0) n = base[f3];
    else if (f7 == 1) n = mul[f3];
    else if (f7 == 0x20 && f3 == 0) n = "sub";
    else if (f7 == 0x20 && f3 == 5) n = "sra";
    if (!n) return -1;
    put(o, "%s\t%s,%s,%s", n, xr[rd], xr[rs1], xr[rs2]);
    return 0;
  }
  case 0x37:
    put(o, "lui\t%s,0x%x", xr[rd], i >> 12);
    return 0;
  case 0x3b: {
    const char *n = NULL;
    if (f7 == 0) n = f3 == 0 ? "addw" : f3 == 1 ? "sllw" : f3 == 5 ? "srlw" : NULL;
    else if (f7 == 0x20) n = f3 == 0 ? "subw" : f3 == 5 ? "sraw" : NULL;
    else if (f7 == 1) {
      static const char *const m[8] = { "mulw", NULL, NULL, NULL, "divw",
                                        "divuw", "remw", "remuw" };
      n = m[f3];
    }
    if (!n) return -1;
    put(o, "%s\t%s,%s,%s", n, xr[rd], xr[rs1], xr[rs2]);
    return 0;
  }
  case 0x43: case 0x47: case 0x4b: case 0x4f: {
    static const char *const n[4] = { "fmadd", "fmsub", "fnmsub", "fnmadd" };
    unsigned fmt = BITS(i, 26, 25);
    if (fmt > 1 || f3 == 5 || f3 == 6) return -1;
    put(o, "%s.%s\t%s,%s,%s,%s", n[(opc >> 2) & 3], sz[fmt], fr[rd], fr[rs1],
        fr[rs2], fr[i >> 27]);
    rm_suffix(o, f3);
    return 0;
  }
  case 0x53: {
    unsigned fmt = f7 & 3, op = f7 >> 2;
    const char *s = sz[fmt];
    if (fmt > 1) return -1;
    switch (op) {
    case 0x00: case 0x01: case 0x02: case 0x03: {
      static const char *const n[4] = { "fadd", "fsub", "fmul", "fdiv" };
      if (f3 == 5 || f3 == 6) return -1;
      put(o, "%s.%s\t%s,%s,%s", n[op], s, fr[rd], fr[rs1], fr[rs2]);
      rm_suffix(o, f3);
      return 0;
    }
    case 0x0b:
      if (rs2 || f3 == 5 || f3 == 6) return -1;
      put(o, "fsqrt.%s\t%s,%s", s, fr[rd], fr[rs1]);
      rm_suffix(o, f3);
      return 0;
    case 0x04: {
      static const char *const n[3] = { "fsgnj", "fsgnjn", "fsgnjx" };
      if (f3 > 2) return -1;
      put(o, "%s.%s\t%s,%s,%s", n[f3], s, fr[rd], fr[rs1], fr[rs2]);
      return 0;
    }
    case 0x05:
      if (f3 > 1) return -1;
      put(o, "%s.%s\t%s,%s,%s", f3 ? "fmax" : "fmin", s, fr[rd], fr[rs1],
          fr[rs2]);
      return 0;
    case 0x08:   /* fcvt.s.d (fmt 0, rs2 1) / fcvt.d.s (fmt 1, rs2 0) */
      if (rs2 != (fmt ? 0u : 1u) || f3 == 5 || f3 == 6) return -1;
      put(o, "fcvt.%s.%s\t%s,%s", s, sz[rs2], fr[rd], fr[rs1]);
      if (!fmt) rm_suffix(o, f3);   /* widening is exact: objdump omits rm */
      return 0;
    case 0x14: {
      static const char *const n[3] = { "fle", "flt", "feq" };
      if (f3 > 2) return -1;
      put(o, "%s.%s\t%s,%s,%s", n[f3], s, xr[rd], fr[rs1], fr[rs2]);
      return 0;
    }
    case 0x18: case 0x1a: {
      static const char *const it[4] = { "w", "wu", "l", "lu" };
      if (rs2 > 3 || f3 == 5 || f3 == 6) return -1;
      if (op == 0x18)
        put(o, "fcvt.%s.%s\t%s,%s", it[rs2], s, xr[rd], fr[rs1]);
      else
        put(o, "fcvt.%s.%s\t%s,%s", s, it[rs2], fr[rd], xr[rs1]);
      if (!(op == 0x1a && fmt == 1 && rs2 < 2))  /* fcvt.d.w[u] is exact */
        rm_suffix(o, f3);
      return 0;
    }
    case 0x1c:
      if (rs2) return -1;
      if (f3 == 0)
        put(o, "fmv.x.%s\t%s,%s", fmt ? "d" : "w", xr[rd], fr[rs1]);
      else if (f3 == 1)
        put(o, "fclass.%s\t%s,%s", s, xr[rd], fr[rs1]);
      else
        return -1;
      return 0;
    case 0x1e:
      if (rs2 || f3) return -1;
      put(o, "fmv.%s.x\t%s,%s", fmt ? "d" : "w", fr[rd], xr[rs1]);
      return 0;
    default:
      return -1;
    }
  }
  case 0x63: {
    static const char *const n[8] = { "beq", "bne", NULL, NULL, "blt", "bge",
                                       "bltu", "bgeu" };
    int32_t off = sext(BIT(i, 31) << 12 | BIT(i, 7) << 11 |
                       BITS(i, 30, 25) << 5 | BITS(i, 11, 8) << 1, 13);
    if (!n[f3]) return -1;
    put(o, "%s\t%s,%s,%llx", n[f3], xr[rs1], xr[rs2],
        (unsigned long long)(pc + (uint64_t)(int64_t)off));
    return 0;
  }
  case 0x67:
    if (f3) return -1;
    put(o, "jalr\t%s,%d(%s)", xr[rd], immi, xr[rs1]);
    return 0;
  case 0x6f: {
    int32_t off = sext(BIT(i, 31) << 20 | BITS(i, 19, 12) << 12 |
                       BIT(i, 20) << 11 | BITS(i, 30, 21) << 1, 21);
    put(o, "jal\t%s,%llx", xr[rd],
        (unsigned long long)(pc + (uint64_t)(int64_t)off));
    return 0;
  }
  case 0x73:
    if (f3 == 0) {
      switch (i) {
      case 0x00000073: put(o, "ecall"); return 0;
      case 0x00100073: put(o, "ebreak"); return 0;
      case 0x10200073: put(o, "sret"); return 0;
      case 0x30200073: put(o, "mret"); return 0;
      case 0x10500073: put(o, "wfi"); return 0;
      default: break;
      }
      if (f7 == 0x09 && rd == 0) {
        put(o, "sfence.vma\t%s,%s", xr[rs1], xr[rs2]);
        return 0;
      }
      return -1;
    }
    if (f3 == 4) return -1;
    {
      static const char *const n[8] = { NULL, "csrrw", "csrrs", "csrrc", NULL,
                                         "csrrwi", "csrrsi", "csrrci" };
      const char *c = csr_name(i >> 20, tmp);
      if (f3 < 4) put(o, "%s\t%s,%s,%s", n[f3], xr[rd], c, xr[rs1]);
      else put(o, "%s\t%s,%s,%u", n[f3], xr[rd], c, rs1);
      return 0;
    }
  default:
    return -1;
  }
}

/* 16-bit instructions (Unprivileged ISA ch. 16, Tables 16.5-16.7). */
static int dis16(out *o, uint64_t pc, uint32_t c)
{
  unsigned f3 = BITS(c, 15, 13), rd = BITS(c, 11, 7), rs2 = BITS(c, 6, 2);
  unsigned rdp = BITS(c, 4, 2) + 8, rs1p = BITS(c, 9, 7) + 8;
  int32_t imm6 = sext(BIT(c, 12) << 5 | BITS(c, 6, 2), 6);

  switch (c & 3) {
  case 0: {
    unsigned uw = BITS(c, 12, 10) << 3 | BIT(c, 6) << 2 | BIT(c, 5) << 6;
    unsigned ud = BITS(c, 12, 10) << 3 | BITS(c, 6, 5) << 6;
    switch (f3) {
    case 0: {
      unsigned u = BIT(c, 6) << 2 | BIT(c, 5) << 3 | BITS(c, 12, 11) << 4 |
                   BITS(c, 10, 7) << 6;
      if (!u) return -1;
      put(o, "c.addi4spn\t%s,sp,%u", xr[rdp], u);
      return 0;
    }
    case 1: put(o, "c.fld\t%s,%u(%s)", fr[rdp], ud, xr[rs1p]); return 0;
    case 2: put(o, "c.lw\t%s,%u(%s)", xr[rdp], uw, xr[rs1p]); return 0;
    case 3: put(o, "c.ld\t%s,%u(%s)", xr[rdp], ud, xr[rs1p]); return 0;
    case 5: put(o, "c.fsd\t%s,%u(%s)", fr[rdp], ud, xr[rs1p]); return 0;
    case 6: put(o, "c.sw\t%s,%u(%s)", xr[rdp], uw, xr[rs1p]); return 0;
    case 7: put(o, "c.sd\t%s,%u(%s)", xr[rdp], ud, xr[rs1p]); return 0;
    default: return -1;
    }
  }
  case 1:
    switch (f3) {
    case 0:
      /* c.nop is c.addi zero,0 under -M no-aliases */
      put(o, "c.addi\t%s,%d", xr[rd], imm6);
      return 0;
    case 1:
      if (!rd) return -1;
      put(o, "c.addiw\t%s,%d", xr[rd], imm6);
      return 0;
    case 2:
      put(o, "c.li\t%s,%d", xr[rd], imm6);
      return 0;
    case 3:
      if (rd == 2) {
        int32_t v = sext(BIT(c, 12) << 9 | BITS(c, 4, 3) << 7 | BIT(c, 5) << 6 |
                         BIT(c, 2) << 5 | BIT(c, 6) << 4, 10);
        if (!v) return -1;
        put(o, "c.addi16sp\tsp,%d", v);
        return 0;
      }
      if (!imm6) return -1;
      put(o, "c.lui\t%s,0x%x", xr[rd], (uint32_t)imm6 & 0xfffff);
      return 0;
    case 4: {
      unsigned f2 = BITS(c, 11, 10);
      unsigned sh = BIT(c, 12) << 5 | BITS(c, 6, 2);
      if (f2 == 0) { put(o, "c.srli\t%s,0x%x", xr[rs1p], sh); return 0; }
      if (f2 == 1) { put(o, "c.srai\t%s,0x%x", xr[rs1p], sh); return 0; }
      if (f2 == 2) { put(o, "c.andi\t%s,%d", xr[rs1p], imm6); return 0; }
      {
        static const char *const n[8] = { "c.sub", "c.xor", "c.or", "c.and",
                                          "c.subw", "c.addw", NULL, NULL };
        const char *m = n[BIT(c, 12) << 2 | BITS(c, 6, 5)];
        if (!m) return -1;
        put(o, "%s\t%s,%s", m, xr[rs1p], xr[rdp]);
        return 0;
      }
    }
    case 5: {
      int32_t off = sext(BIT(c, 12) << 11 | BIT(c, 11) << 4 |
                         BITS(c, 10, 9) << 8 | BIT(c, 8) << 10 |
                         BIT(c, 7) << 6 | BIT(c, 6) << 7 |
                         BITS(c, 5, 3) << 1 | BIT(c, 2) << 5, 12);
      put(o, "c.j\t%llx", (unsigned long long)(pc + (uint64_t)(int64_t)off));
      return 0;
    }
    default: {   /* 6, 7: c.beqz, c.bnez */
      int32_t off = sext(BIT(c, 12) << 8 | BITS(c, 11, 10) << 3 |
                         BITS(c, 6, 5) << 6 | BITS(c, 4, 3) << 1 |
                         BIT(c, 2) << 5, 9);
      put(o, "%s\t%s,%llx", f3 == 6 ? "c.beqz" : "c.bnez", xr[rs1p],
          (unsigned long long)(pc + (uint64_t)(int64_t)off));
      return 0;
    }
    }
  case 2: {
    unsigned lw = BIT(c, 12) << 5 | BITS(c, 6, 4) << 2 | BITS(c, 3, 2) << 6;
    unsigned ld = BIT(c, 12) << 5 | BITS(c, 6, 5) << 3 | BITS(c, 4, 2) << 6;
    unsigned sw = BITS(c, 12, 9) << 2 | BITS(c, 8, 7) << 6;
    unsigned sd = BITS(c, 12, 10) << 3 | BITS(c, 9, 7) << 6;
    switch (f3) {
    case 0:
      if (!rd) return -1;
      put(o, "c.slli\t%s,0x%x", xr[rd], BIT(c, 12) << 5 | rs2);
      return 0;
    case 1: put(o, "c.fldsp\t%s,%u(sp)", fr[rd], ld); return 0;
    case 2:
      if (!rd) return -1;
      put(o, "c.lwsp\t%s,%u(sp)", xr[rd], lw);
      return 0;
    case 3:
      if (!rd) return -1;
      put(o, "c.ldsp\t%s,%u(sp)", xr[rd], ld);
      return 0;
    case 4:
      if (!BIT(c, 12)) {
        if (rs2 == 0) {
          if (!rd) return -1;
          put(o, "c.jr\t%s", xr[rd]);
        } else {
          put(o, "c.mv\t%s,%s", xr[rd], xr[rs2]);
        }
      } else if (rd == 0 && rs2 == 0) {
        put(o, "c.ebreak");
      } else if (rs2 == 0) {
        put(o, "c.jalr\t%s", xr[rd]);
      } else {
        put(o, "c.add\t%s,%s", xr[rd], xr[rs2]);
      }
      return 0;
    case 5: put(o, "c.fsdsp\t%s,%u(sp)", fr[rs2], sd); return 0;
    case 6: put(o, "c.swsp\t%s,%u(sp)", xr[rs2], sw); return 0;
    default: put(o, "c.sdsp\t%s,%u(sp)", xr[rs2], sd); return 0;
    }
  }
  default:
    return -1;
  }
}

int rv_disas_insn(uint64_t pc, const uint8_t *b, size_t len, char *buf,
                  size_t buflen)
{
  out o = { buf, buflen };
  if (buflen) buf[0] = 0;
  if (len < 2) return -1;
  if ((b[0] & 3) != 3) {
    uint32_t c = (uint32_t)b[0] | (uint32_t)b[1] << 8;
    if (dis16(&o, pc, c) < 0) {
      o.p = buf; o.left = buflen;
      put(&o, ".short\t0x%04x", c);
    }
    return 2;
  }
  if (len < 4) return -1;
  {
    uint32_t i = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                 (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    if ((b[0] & 0x1c) == 0x1c || dis32(&o, pc, i) < 0) {
      /* unknown, or a longer encoding (>= 48 bits) vmrun does not run */
      o.p = buf; o.left = buflen;
      put(&o, ".word\t0x%08x", i);
    }
    return 4;
  }
}
