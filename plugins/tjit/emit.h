/*
** plugins/tjit/emit.h - a tiny x86-64 instruction emitter for the template
** JIT: REX, ModRM, SIB, disp8/disp32, imm8/imm32/imm64 encodings.
**
** Only the forms the templates need.  Positions are byte offsets into the
** buffer, so jumps can be patched later (the code cache is mapped twice:
** written through one view, executed through another, same offsets).
*/
#ifndef VMRUN_TJIT_EMIT_H
#define VMRUN_TJIT_EMIT_H

#include <stdint.h>
#include <string.h>

enum {
  RAX = 0, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
  R8, R9, R10, R11, R12, R13, R14, R15
};

/* x86 condition codes (low nibble of Jcc/SETcc/CMOVcc) */
enum {
  CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6,
  CC_A = 0x7, CC_S = 0x8, CC_NS = 0x9, CC_P = 0xA, CC_NP = 0xB, CC_L = 0xC,
  CC_GE = 0xD,
  CC_G = 0xF
};

/* ALU group-1 /ext and the "reg, r/m" opcode of each */
enum { ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_AND = 4, ALU_SUB = 5,
       ALU_XOR = 6, ALU_CMP = 7 };

/* shift group-2 /ext */
enum { SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

typedef struct tj_buf {
  uint8_t *base;      /* start of the writable view */
  uint32_t pos, cap;  /* write position, capacity (bytes) */
  int overflow;       /* set when an emit did not fit */
  /* peephole state of the op being compiled (codegen.c, "RAX
  ** forwarding"): the temp the previous op left in RAX (-1: none) and
  ** whether this op's result need not be stored to its temp slot */
  int rax_t;
  int skip_store;
  /* guest-register cache (codegen.c, "register cache"): per temp, the
  ** host register that holds it instead of its slot, or -1; NULL: none */
  const int8_t *talias;
  const int32_t *tcpu; /* per temp: vCPU-state offset it is read from
                          instead of its slot, or -1; NULL: none */
  const void *ra;     /* codegen.c's tj_ra of the block, or NULL */
  /* instruction counts known at compile time (codegen.c, "static
  ** instruction counts"): executed and accounted at the current op */
  int cnt_static;
  uint32_t cnt, acc;
  /* direct guest memory (codegen.c): host registers whose value was
  ** range-checked and has not changed since (bit per register) */
  uint32_t dverified;
  /* the last in-place `shl r, k` (k = 1..3) of the register cache
  ** (codegen.c, emit_inplace): its code is [shl_at, shl_end); an in-place
  ** `add r, s` emitted right after it (c->pos == shl_end) replaces both
  ** with `lea r, [s + r*2^k]`.  shl_end = UINT32_MAX: none (a label
  ** bound since) */
  uint32_t shl_at, shl_end;
  int shl_reg, shl_k;
} tj_buf;

/* memory operand [base + index*scale + disp]; index < 0: none */
typedef struct tj_mem {
  int base, index, scale; /* scale: 0..3 (log2) */
  int32_t disp;
} tj_mem;

static inline tj_mem MEM(int base, int32_t disp)
{
  tj_mem m = { base, -1, 0, disp };
  return m;
}

static inline tj_mem MEMX(int base, int index, int scale, int32_t disp)
{
  tj_mem m = { base, index, scale, disp };
  return m;
}

static inline int fits8(int64_t v) { return v >= -128 && v <= 127; }
static inline int fits32(int64_t v)
{
  return v >= INT32_MIN && v <= INT32_MAX;
}

static inline void e8(tj_buf *b, uint8_t x)
{
  if (b->pos < b->cap) b->base[b->pos++] = x;
  else b->overflow = 1;
}

static inline void e32(tj_buf *b, uint32_t x)
{
  for (int i = 0; i < 4; i++) e8(b, (uint8_t)(x >> (8 * i)));
}

static inline void e64(tj_buf *b, uint64_t x)
{
  for (int i = 0; i < 8; i++) e8(b, (uint8_t)(x >> (8 * i)));
}

/* REX prefix: w = 64-bit operand, r = ModRM.reg, x = SIB.index,
** bb = ModRM.rm or SIB.base; byte8 forces REX for spl/bpl/sil/dil. */
static inline void rex(tj_buf *b, int w, int r, int x, int bb, int force)
{
  uint8_t v = (uint8_t)(0x40 | (w ? 8 : 0) | ((r & 8) ? 4 : 0) |
                        ((x >= 0 && (x & 8)) ? 2 : 0) | ((bb & 8) ? 1 : 0));
  if (v != 0x40 || force) e8(b, v);
}

static inline void modrm_mem(tj_buf *b, int reg, tj_mem m)
{
  int mod;
  if (m.disp == 0 && (m.base & 7) != 5) mod = 0;
  else if (fits8(m.disp)) mod = 1;
  else mod = 2;
  if (m.index < 0 && (m.base & 7) != 4) {
    e8(b, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (m.base & 7)));
  } else {
    e8(b, (uint8_t)((mod << 6) | ((reg & 7) << 3) | 4));
    e8(b, (uint8_t)((m.scale << 6) | ((m.index < 0 ? 4 : m.index & 7) << 3) |
                    (m.base & 7)));
  }
  if (mod == 1) e8(b, (uint8_t)m.disp);
  else if (mod == 2) e32(b, (uint32_t)m.disp);
}

/* opcode (1..3 bytes, op0 first) with a memory operand */
static inline void op_m(tj_buf *b, int p66, int w, int nop, uint8_t o0,
                        uint8_t o1, uint8_t o2, int reg, tj_mem m, int byte8)
{
  if (p66) e8(b, 0x66);
  rex(b, w, reg, m.index, m.base, byte8 && reg >= 4 && reg < 8);
  e8(b, o0);
  if (nop > 1) e8(b, o1);
  if (nop > 2) e8(b, o2);
  modrm_mem(b, reg, m);
}

/* opcode with a register r/m operand (ModRM mod = 3) */
static inline void op_r(tj_buf *b, int p66, int w, int nop, uint8_t o0,
                        uint8_t o1, int reg, int rm, int byte8)
{
  if (p66) e8(b, 0x66);
  rex(b, w, reg, -1, rm, byte8 && rm >= 4 && rm < 8);
  e8(b, o0);
  if (nop > 1) e8(b, o1);
  e8(b, (uint8_t)(0xC0 | ((reg & 7) << 3) | (rm & 7)));
}

/* ---- moves ---- */
static inline void mov_rm(tj_buf *b, int w, int r, tj_mem m)   /* r = [m] */
{ op_m(b, 0, w, 1, 0x8B, 0, 0, r, m, 0); }
static inline void mov_mr(tj_buf *b, int size, tj_mem m, int r) /* [m] = r */
{
  if (size == 1) op_m(b, 0, 0, 1, 0x88, 0, 0, r, m, 1);
  else op_m(b, size == 2, size == 8, 1, 0x89, 0, 0, r, m, 0);
}
static inline void mov_rr(tj_buf *b, int w, int dst, int src)
{ op_r(b, 0, w, 1, 0x89, 0, src, dst, 0); }
static inline void mov_ri(tj_buf *b, int dst, uint64_t imm)
{
  if (imm <= 0xffffffffu) {             /* mov r32, imm32 (zero-extends) */
    rex(b, 0, 0, -1, dst, 0);
    e8(b, (uint8_t)(0xB8 + (dst & 7)));
    e32(b, (uint32_t)imm);
  } else if (fits32((int64_t)imm)) {    /* mov r/m64, simm32 */
    op_r(b, 0, 1, 1, 0xC7, 0, 0, dst, 0);
    e32(b, (uint32_t)imm);
  } else {                              /* movabs */
    rex(b, 1, 0, -1, dst, 0);
    e8(b, (uint8_t)(0xB8 + (dst & 7)));
    e64(b, imm);
  }
}
/* mov qword [m], simm32 */
static inline void mov_mi64(tj_buf *b, tj_mem m, int32_t imm)
{ op_m(b, 0, 1, 1, 0xC7, 0, 0, 0, m, 0); e32(b, (uint32_t)imm); }

/* loads with extension into a 64-bit register */
static inline void movzx8(tj_buf *b, int r, tj_mem m)
{ op_m(b, 0, 0, 2, 0x0F, 0xB6, 0, r, m, 0); }
static inline void movzx16(tj_buf *b, int r, tj_mem m)
{ op_m(b, 0, 0, 2, 0x0F, 0xB7, 0, r, m, 0); }
static inline void movsx8(tj_buf *b, int r, tj_mem m)
{ op_m(b, 0, 1, 2, 0x0F, 0xBE, 0, r, m, 0); }
static inline void movsx16(tj_buf *b, int r, tj_mem m)
{ op_m(b, 0, 1, 2, 0x0F, 0xBF, 0, r, m, 0); }
static inline void movsxd(tj_buf *b, int r, tj_mem m)
{ op_m(b, 0, 1, 1, 0x63, 0, 0, r, m, 0); }
/* size-dispatched extending load: r = ext(size bytes at m) */
static inline void load_ext(tj_buf *b, int r, tj_mem m, int size, int sgn)
{
  switch (size) {
  case 1: if (sgn) movsx8(b, r, m); else movzx8(b, r, m); break;
  case 2: if (sgn) movsx16(b, r, m); else movzx16(b, r, m); break;
  case 4: if (sgn) movsxd(b, r, m); else mov_rm(b, 0, r, m); break;
  default: mov_rm(b, 1, r, m); break;
  }
}
static inline void lea(tj_buf *b, int r, tj_mem m)
{ op_m(b, 0, 1, 1, 0x8D, 0, 0, r, m, 0); }

/* ---- ALU ---- */
/* r op= [m] */
static inline void alu_rm(tj_buf *b, int w, int alu, int r, tj_mem m)
{ op_m(b, 0, w, 1, (uint8_t)(alu * 8 + 3), 0, 0, r, m, 0); }
/* [m] op= r */
static inline void alu_mr(tj_buf *b, int w, int alu, tj_mem m, int r)
{ op_m(b, 0, w, 1, (uint8_t)(alu * 8 + 1), 0, 0, r, m, 0); }
/* dst op= src */
static inline void alu_rr(tj_buf *b, int w, int alu, int dst, int src)
{ op_r(b, 0, w, 1, (uint8_t)(alu * 8 + 1), 0, src, dst, 0); }
/* r op= simm32 (imm8 form when it fits) */
static inline void alu_ri(tj_buf *b, int w, int alu, int r, int32_t imm)
{
  if (fits8(imm)) { op_r(b, 0, w, 1, 0x83, 0, alu, r, 0); e8(b, (uint8_t)imm); }
  else { op_r(b, 0, w, 1, 0x81, 0, alu, r, 0); e32(b, (uint32_t)imm); }
}
/* [m] op= simm32 (size 4 or 8) */
static inline void alu_mi(tj_buf *b, int w, int alu, tj_mem m, int32_t imm)
{
  if (fits8(imm)) { op_m(b, 0, w, 1, 0x83, 0, 0, alu, m, 0); e8(b, (uint8_t)imm); }
  else { op_m(b, 0, w, 1, 0x81, 0, 0, alu, m, 0); e32(b, (uint32_t)imm); }
}
static inline void imul_rm(tj_buf *b, int w, int r, tj_mem m)
{ op_m(b, 0, w, 2, 0x0F, 0xAF, 0, r, m, 0); }
static inline void imul_rr(tj_buf *b, int w, int dst, int src)
{ op_r(b, 0, w, 2, 0x0F, 0xAF, dst, src, 0); }
static inline void imul_rri(tj_buf *b, int w, int dst, int src, int32_t imm)
{ op_r(b, 0, w, 1, 0x69, 0, dst, src, 0); e32(b, (uint32_t)imm); }
/* one-operand rdx:rax = rax * r/m: ext 4 = mul, 5 = imul */
static inline void mul1_m(tj_buf *b, int ext, tj_mem m)
{ op_m(b, 0, 1, 1, 0xF7, 0, 0, ext, m, 0); }
static inline void mul1_r(tj_buf *b, int ext, int r)
{ op_r(b, 0, 1, 1, 0xF7, 0, ext, r, 0); }
static inline void shift_ri(tj_buf *b, int w, int sh, int r, uint8_t n)
{ op_r(b, 0, w, 1, 0xC1, 0, sh, r, 0); e8(b, n); }
static inline void shift_rcl(tj_buf *b, int w, int sh, int r)
{ op_r(b, 0, w, 1, 0xD3, 0, sh, r, 0); }
/* test r, simm32 */
static inline void test_ri(tj_buf *b, int w, int r, int32_t imm)
{ op_r(b, 0, w, 1, 0xF7, 0, 0, r, 0); e32(b, (uint32_t)imm); }
/* test byte [m], imm8 */
static inline void test_m8i(tj_buf *b, tj_mem m, uint8_t imm)
{ op_m(b, 0, 0, 1, 0xF6, 0, 0, 0, m, 0); e8(b, imm); }
/* mov dword [m], imm32 */
static inline void mov_mi32(tj_buf *b, tj_mem m, uint32_t imm)
{ op_m(b, 0, 0, 1, 0xC7, 0, 0, 0, m, 0); e32(b, imm); }
/* cmp byte [m], imm8 */
static inline void cmp_m8i(tj_buf *b, tj_mem m, int8_t imm)
{ op_m(b, 0, 0, 1, 0x80, 0, 0, 7, m, 0); e8(b, (uint8_t)imm); }
static inline void test_rr(tj_buf *b, int w, int x, int y)
{ op_r(b, 0, w, 1, 0x85, 0, y, x, 0); }
static inline void inc_r(tj_buf *b, int w, int r)
{ op_r(b, 0, w, 1, 0xFF, 0, 0, r, 0); }
static inline void setcc_r8(tj_buf *b, int cc, int r)
{ op_r(b, 0, 0, 2, 0x0F, (uint8_t)(0x90 + cc), 0, r, 1); }
static inline void movzx_r8(tj_buf *b, int dst, int src) /* dst32 = src8 */
{ op_r(b, 0, 0, 2, 0x0F, 0xB6, dst, src, 1); }
static inline void cmov_rm(tj_buf *b, int w, int cc, int r, tj_mem m)
{ op_m(b, 0, w, 2, 0x0F, (uint8_t)(0x40 + cc), 0, r, m, 0); }
static inline void cmov_rr(tj_buf *b, int w, int cc, int dst, int src)
{ op_r(b, 0, w, 2, 0x0F, (uint8_t)(0x40 + cc), dst, src, 0); }
/* dst = ext(low `size` bytes of src) */
static inline void ext_rr(tj_buf *b, int dst, int src, int size, int sgn)
{
  switch (size) {
  case 1: op_r(b, 0, sgn, 2, 0x0F, sgn ? 0xBE : 0xB6, dst, src, 1); break;
  case 2: op_r(b, 0, sgn, 2, 0x0F, sgn ? 0xBF : 0xB7, dst, src, 0); break;
  case 4:
    if (sgn) op_r(b, 0, 1, 1, 0x63, 0, dst, src, 0); /* movsxd dst, src32 */
    else op_r(b, 0, 0, 1, 0x89, 0, src, dst, 0);     /* mov dst32, src32 */
    break;
  default:                                           /* 8: a copy */
    if (dst != src) mov_rr(b, 1, dst, src);
    break;
  }
}
/* r = ext(low `size` bytes of r) */
static inline void ext_r(tj_buf *b, int r, int size, int sgn)
{ ext_rr(b, r, r, size, sgn); }
/* one-operand group 3 on a register: 3 = neg, 6 = div, 7 = idiv */
static inline void grp3_r(tj_buf *b, int w, int ext, int r)
{ op_r(b, 0, w, 1, 0xF7, 0, ext, r, 0); }
/* cqo (w) / cdq: rdx:rax = sign-extended rax */
static inline void cqo(tj_buf *b, int w)
{ if (w) e8(b, 0x48); e8(b, 0x99); }
/* jcc rel8 with a 0 placeholder; returns the rel8's position */
static inline uint32_t jcc8(tj_buf *b, int cc)
{ e8(b, (uint8_t)(0x70 + cc)); e8(b, 0); return b->pos - 1; }
static inline uint32_t jmp8(tj_buf *b)
{ e8(b, 0xEB); e8(b, 0); return b->pos - 1; }
/* point the rel8 at `at` to the current position (at most 127 ahead) */
static inline void patch8_here(tj_buf *b, uint32_t at)
{ if (at < b->cap) b->base[at] = (uint8_t)(b->pos - (at + 1)); }

/* ---- control flow ---- */
/* jmp rel32 / jcc rel32 with a 0 placeholder; returns the rel32's position */
static inline uint32_t jmp32(tj_buf *b)
{ e8(b, 0xE9); e32(b, 0); return b->pos - 4; }
static inline uint32_t jcc32(tj_buf *b, int cc)
{ e8(b, 0x0F); e8(b, (uint8_t)(0x80 + cc)); e32(b, 0); return b->pos - 4; }
/* point the rel32 at `at` to position `target` */
static inline void patch32(tj_buf *b, uint32_t at, uint32_t target)
{
  int32_t rel = (int32_t)(target - (at + 4));
  if (at + 4 <= b->cap) memcpy(b->base + at, &rel, 4);
}
static inline void jmp_to(tj_buf *b, uint32_t target)
{ uint32_t p = jmp32(b); patch32(b, p, target); }
static inline void jcc_to(tj_buf *b, int cc, uint32_t target)
{ uint32_t p = jcc32(b, cc); patch32(b, p, target); }
static inline void call_r(tj_buf *b, int r)
{ op_r(b, 0, 0, 1, 0xFF, 0, 2, r, 0); }
static inline void jmp_r(tj_buf *b, int r)
{ op_r(b, 0, 0, 1, 0xFF, 0, 4, r, 0); }
static inline void jmp_m(tj_buf *b, tj_mem m)   /* jmp qword [m] */
{ op_m(b, 0, 0, 1, 0xFF, 0, 0, 4, m, 0); }
static inline void push_r(tj_buf *b, int r)
{ if (r & 8) e8(b, 0x41); e8(b, (uint8_t)(0x50 + (r & 7))); }
static inline void pop_r(tj_buf *b, int r)
{ if (r & 8) e8(b, 0x41); e8(b, (uint8_t)(0x58 + (r & 7))); }
static inline void ret(tj_buf *b) { e8(b, 0xC3); }

/* NOPs up to the next multiple of `align` (a power of two) of b->pos:
** the recommended multi-byte forms (Intel SDM vol. 2B, NOP), at most 8
** bytes each */
static inline void nop_align(tj_buf *b, uint32_t align)
{
  static const uint8_t nops[8][8] = {
    { 0x90 }, { 0x66, 0x90 }, { 0x0F, 0x1F, 0x00 },
    { 0x0F, 0x1F, 0x40, 0x00 }, { 0x0F, 0x1F, 0x44, 0x00, 0x00 },
    { 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00 },
    { 0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00 },
    { 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 } };
  uint32_t n = (align - (b->pos & (align - 1))) & (align - 1);
  while (n) {
    uint32_t k = n > 8 ? 8 : n;
    for (uint32_t j = 0; j < k; j++) e8(b, nops[k - 1][j]);
    n -= k;
  }
}
/* test dword [m], imm32 */
static inline void test_mi(tj_buf *b, tj_mem m, int32_t imm)
{ op_m(b, 0, 0, 1, 0xF7, 0, 0, 0, m, 0); e32(b, (uint32_t)imm); }

/* ---- SSE2 / FMA3 scalar double (FMA3: xmm0..xmm7 only) ---- */
enum { SD_SQRT = 0x51, SD_ADD = 0x58, SD_MUL = 0x59, SD_SUB = 0x5C,
       SD_DIV = 0x5E };
/* FMA3 opcodes (VEX.66.0F38.W1): x = x * y + z and the sign variants,
** Intel's "213" operand order: vfmadd213sd x, y, z */
enum { FMA213_MADD = 0xA9, FMA213_MSUB = 0xAB, FMA213_NMADD = 0xAD,
       FMA213_NMSUB = 0xAF, FMA231_MSUB = 0xBB };
/* movq xmm, r64 */
static inline void movq_xr(tj_buf *b, int x, int r)
{ op_r(b, 1, 1, 2, 0x0F, 0x6E, x, r, 0); }
/* movq r64, xmm */
static inline void movq_rx(tj_buf *b, int r, int x)
{ op_r(b, 1, 1, 2, 0x0F, 0x7E, x, r, 0); }
/* prefix [REX] 0F op  xmm_dst, xmm_src (prefix 0: none; a REX prefix only
** for xmm8..15) */
static inline void sse_rr(tj_buf *b, uint8_t pfx, uint8_t op, int dst, int src)
{
  if (pfx) e8(b, pfx);
  rex(b, 0, dst, -1, src, 0);
  e8(b, 0x0F); e8(b, op);
  e8(b, (uint8_t)(0xC0 | ((dst & 7) << 3) | (src & 7)));
}
/* prefix [REX] 0F op  xmm, [m] */
static inline void sse_rm(tj_buf *b, uint8_t pfx, uint8_t op, int x, tj_mem m)
{
  e8(b, pfx);
  rex(b, 0, x, m.index, m.base, 0);
  e8(b, 0x0F); e8(b, op);
  modrm_mem(b, x, m);
}
/* movq xmm, qword [m] */
static inline void movq_xm(tj_buf *b, int x, tj_mem m)
{ sse_rm(b, 0xF3, 0x7E, x, m); }
/* movsd xmm, qword [m] / movsd qword [m], xmm */
static inline void movsd_xm(tj_buf *b, int x, tj_mem m)
{ sse_rm(b, 0xF2, 0x10, x, m); }
static inline void movsd_mx(tj_buf *b, tj_mem m, int x)
{ sse_rm(b, 0xF2, 0x11, x, m); }
/* addsd/subsd/mulsd/divsd/sqrtsd dst, src */
static inline void sd_rr(tj_buf *b, int op, int dst, int src)
{ sse_rr(b, 0xF2, (uint8_t)op, dst, src); }
static inline void movapd_rr(tj_buf *b, int dst, int src)
{ sse_rr(b, 0x66, 0x28, dst, src); }
/* cvtsi2sd xmm, r32 (w = 0) or r64 (w = 1): F2 [REX] 0F 2A /r */
static inline void cvtsi2sd_xr(tj_buf *b, int w, int x, int r)
{
  e8(b, 0xF2);
  op_r(b, 0, w, 2, 0x0F, 0x2A, x, r, 0);
}
static inline void xorpd_rr(tj_buf *b, int dst, int src)
{ sse_rr(b, 0x66, 0x57, dst, src); }
static inline void ucomisd_rr(tj_buf *b, int x, int y)
{ sse_rr(b, 0x66, 0x2E, x, y); }
/* stmxcsr dword [m] / ldmxcsr dword [m] (0F AE /3, /2) */
static inline void stmxcsr_m(tj_buf *b, tj_mem m)
{ op_m(b, 0, 0, 2, 0x0F, 0xAE, 0, 3, m, 0); }
static inline void ldmxcsr_m(tj_buf *b, tj_mem m)
{ op_m(b, 0, 0, 2, 0x0F, 0xAE, 0, 2, m, 0); }
/* VEX-encoded FMA3 scalar double: x = op(x, y, z) (3-byte VEX, W1, L0,
** pp = 66, map 0F38; x, y, z in xmm0..7) */
static inline void fma_sd(tj_buf *b, int op, int x, int y, int z)
{
  e8(b, 0xC4);
  e8(b, 0xE2);                                  /* R X B set, map 0F38 */
  e8(b, (uint8_t)(0x80 | ((~y & 15) << 3) | 0x01)); /* W1 vvvv L0 pp=66 */
  e8(b, (uint8_t)op);
  e8(b, (uint8_t)(0xC0 | ((x & 7) << 3) | (z & 7)));
}

#endif
