/*
** plugins/riscv64/translate.c - RV64IMAFDC + Zicsr + Zifencei decoder:
** guest code -> vmrun IR (vmrun/ir.h); F and D are decoded by fp.c.
**
** One function per major opcode (Unprivileged ISA ch. 24, Table 24.1).
** Compressed instructions are first expanded to their 32-bit equivalent
** (rvc.c) and decoded by the same functions, with len = 2.
**
** Conventions:
**  - temporaries are allocated per instruction from 0 (ctx.nt) and reused
**    by the next instruction; blk->n_temps is the maximum used;
**  - x0: a GET becomes MOVI 0, a PUT is dropped;
**  - guest registers are PUT only after the instruction's last op that may
**    fault (LD/ST, CALL with MAY_FAULT), so a faulting instruction has no
**    architectural effect;
**  - immediates use the BIMM form;
**  - 32-bit "W" ops: the op with size 4 (zero-extended) then SEXT size 4.
*/
#include "rv_cpu.h"
#include "fp.h"

#define RV_MAX_SIDE_EXITS 8
#define RV_MAX_FOLLOWS 4

typedef struct ctx {
  struct rv_fe *fe;
  vmrun_cpu *cpu;
  vmrun_ir_block *blk;
  uint64_t pc;        /* pc of the current instruction */
  uint32_t len;       /* 2 or 4 */
  uint32_t raw;       /* instruction bits as fetched (tval if illegal) */
  uint32_t nt;        /* next free temporary of this instruction */
  uint32_t max;       /* instructions the block may hold */
  /* side exits (VMRUN_IR_BLK_SIDE_EXITS): forward conditional branches
  ** the block continues past; their labels and targets are emitted
  ** after the block's last exit */
  uint32_t n_side;
  uint32_t side_label[RV_MAX_SIDE_EXITS];
  uint64_t side_pc[RV_MAX_SIDE_EXITS];
  /* followed jumps (VMRUN_IR_BLK_FOLLOW_JUMPS): the code ranges the block
  ** translated so far, [seg_lo[k], seg_hi[k]) for k < n_seg, then the
  ** current one from seg_start; next_pc != 0: continue there */
  uint32_t n_seg;
  uint64_t seg_lo[RV_MAX_FOLLOWS], seg_hi[RV_MAX_FOLLOWS];
  uint64_t seg_start, next_pc;
} ctx;

#define GPR(r) ((uint64_t)offsetof(struct rv_cpu, x[(r)]))

/* instruction fields */
#define F_RD(i)  (((i) >> 7) & 31)
#define F_RS1(i) (((i) >> 15) & 31)
#define F_RS2(i) (((i) >> 20) & 31)
#define F_F3(i)  (((i) >> 12) & 7)
#define F_F7(i)  ((i) >> 25)

/* immediates: the sign (bit 31) extended from the top, shifted as
** unsigned (a left shift of a negative value is undefined in C) */
static int64_t sx(uint32_t i, unsigned at)
{
  return (int64_t)((uint64_t)((int64_t)(int32_t)i >> 31) << at);
}
static int64_t imm_i(uint32_t i) { return (int64_t)(int32_t)i >> 20; }
static int64_t imm_s(uint32_t i)
{
  return sx(i, 11) | ((i >> 25) & 0x3f) << 5 | ((i >> 7) & 31);
}
static int64_t imm_b(uint32_t i)
{
  return sx(i, 12) | ((i >> 7) & 1) << 11 |
         ((i >> 25) & 0x3f) << 5 | ((i >> 8) & 0xf) << 1;
}
static int64_t imm_u(uint32_t i) { return (int64_t)(int32_t)(i & 0xfffff000u); }
static int64_t imm_j(uint32_t i)
{
  return sx(i, 20) | ((i >> 12) & 0xff) << 12 |
         ((i >> 20) & 1) << 11 | ((i >> 21) & 0x3ff) << 1;
}

/* ---- emit helpers ---- */

static uint16_t tmp(ctx *c)
{
  if (c->nt >= VMRUN_IR_MAX_TEMPS) { c->blk->overflow = 1; return 0; }
  uint16_t t = (uint16_t)c->nt++;
  if (c->blk->n_temps < c->nt) c->blk->n_temps = c->nt;
  return t;
}

static vmrun_ir_op *emit(ctx *c, unsigned op) { return vmrun_ir_emit(c->blk, op); }

static uint16_t movi(ctx *c, uint64_t v)
{
  uint16_t t = tmp(c);
  vmrun_ir_op *o = emit(c, VMRUN_IR_MOVI);
  o->dst = t; o->imm = v;
  return t;
}

static uint16_t get_reg(ctx *c, unsigned r)
{
  if (r == 0) return movi(c, 0);
  uint16_t t = tmp(c);
  vmrun_ir_op *o = emit(c, VMRUN_IR_GET);
  o->dst = t; o->imm = GPR(r); o->size = 8;
  return t;
}

static void put_reg(ctx *c, unsigned r, uint16_t t)
{
  if (r == 0) return;
  vmrun_ir_op *o = emit(c, VMRUN_IR_PUT);
  o->a = t; o->imm = GPR(r); o->size = 8;
}

/* t[dst] = t[a] op t[b] */
static uint16_t binop(ctx *c, unsigned op, uint16_t a, uint16_t b, unsigned size)
{
  uint16_t d = tmp(c);
  vmrun_ir_op *o = emit(c, op);
  o->dst = d; o->a = a; o->b = b; o->size = (uint8_t)size;
  return d;
}

/* t[dst] = t[a] op imm */
static uint16_t binopi(ctx *c, unsigned op, uint16_t a, uint64_t imm,
                       unsigned size)
{
  uint16_t d = tmp(c);
  vmrun_ir_op *o = emit(c, op);
  o->dst = d; o->a = a; o->imm = imm; o->size = (uint8_t)size;
  o->flags = VMRUN_IR_F_BIMM;
  return d;
}

static uint16_t sext32(ctx *c, uint16_t a)
{
  uint16_t d = tmp(c);
  vmrun_ir_op *o = emit(c, VMRUN_IR_SEXT);
  o->dst = d; o->a = a; o->size = 4;
  return d;
}

static uint16_t setcc(ctx *c, unsigned cond, uint16_t a, uint16_t b, int bimm,
                      uint64_t imm)
{
  uint16_t d = tmp(c);
  vmrun_ir_op *o = emit(c, VMRUN_IR_SETCC);
  o->dst = d; o->a = a; o->b = b; o->cond = (uint8_t)cond; o->imm = imm;
  if (bimm) o->flags = VMRUN_IR_F_BIMM;
  return d;
}

static uint16_t call(ctx *c, vmrun_ir_helper_fn fn, uint16_t a, uint16_t b,
                     uint16_t cc, unsigned flags)
{
  uint16_t d = tmp(c);
  vmrun_ir_op *o = emit(c, VMRUN_IR_CALL);
  o->dst = d; o->a = a; o->b = b; o->c = cc;
  o->imm = (uint64_t)(uintptr_t)fn; o->flags = (uint8_t)flags;
  return d;
}

static void exit_direct(ctx *c, uint64_t pc)
{
  emit(c, VMRUN_IR_EXIT_DIRECT)->imm = pc;
}

static void exit_indirect(ctx *c, uint16_t t)
{
  emit(c, VMRUN_IR_EXIT_INDIRECT)->a = t;
}

static void exit_helper(ctx *c) { emit(c, VMRUN_IR_EXIT); }

/* Raise a synchronous exception for the current instruction and end the
** block.  Returns 1 (block ends). */
static int gen_exception(ctx *c, uint64_t cause, uint64_t tval)
{
  uint16_t a = movi(c, cause), b = movi(c, tval);
  call(c, rv_h_raise, a, b, a, VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END);
  exit_helper(c);
  return 1;
}

static int gen_illegal(ctx *c) { return gen_exception(c, EXC_ILLEGAL_INSN, c->raw); }

/* ---- major opcodes; each returns 1 if the block ends, 0 otherwise ---- */

static int op_lui(ctx *c, uint32_t i)
{
  if (F_RD(i)) put_reg(c, F_RD(i), movi(c, (uint64_t)imm_u(i)));
  return 0;
}

static int op_auipc(ctx *c, uint32_t i)
{
  if (F_RD(i)) put_reg(c, F_RD(i), movi(c, c->pc + (uint64_t)imm_u(i)));
  return 0;
}

/* May the block go on at `target`, the target of a direct jump?  With
** VMRUN_IR_BLK_FOLLOW_JUMPS, room for more instructions, on the page of
** the block's first instruction (so invalidation by page and the block's
** one or two recorded pages still cover it), not the block's own pc (a
** loop: it ends there and loops back to itself) and not code the block
** already holds.  Yes: the current range is closed and the translation
** goes on at target. */
static int follow(ctx *c, uint64_t target)
{
  uint64_t end = c->pc + c->len;
  if (!(c->blk->flags & VMRUN_IR_BLK_FOLLOW_JUMPS) ||
      c->n_seg >= RV_MAX_FOLLOWS || c->blk->n_insns + 1 >= c->max ||
      ((target ^ c->blk->pc) & VMRUN_PAGE_MASK) || target == c->blk->pc ||
      (target >= c->seg_start && target < end))
    return 0;
  for (uint32_t k = 0; k < c->n_seg; k++)
    if (target >= c->seg_lo[k] && target < c->seg_hi[k]) return 0;
  c->seg_lo[c->n_seg] = c->seg_start;
  c->seg_hi[c->n_seg++] = end;
  c->seg_start = c->next_pc = target;
  return 1;
}

static int op_jal(ctx *c, uint32_t i)
{
  /* IALIGN = 16 with C: targets are always 2-byte aligned */
  uint64_t target = c->pc + (uint64_t)imm_j(i);
  if (F_RD(i)) put_reg(c, F_RD(i), movi(c, c->pc + c->len)); /* (j: none) */
  if (follow(c, target)) return 0;
  exit_direct(c, target);
  return 1;
}

static int op_jalr(ctx *c, uint32_t i)
{
  if (F_F3(i) != 0) return gen_illegal(c);
  /* target first: rd may equal rs1 */
  uint16_t t = binopi(c, VMRUN_IR_ADD, get_reg(c, F_RS1(i)),
                      (uint64_t)imm_i(i), 8);
  t = binopi(c, VMRUN_IR_AND, t, ~(uint64_t)1, 8);
  if (F_RD(i)) put_reg(c, F_RD(i), movi(c, c->pc + c->len)); /* (jr, ret) */
  exit_indirect(c, t);
  return 1;
}

static int op_branch(ctx *c, uint32_t i)
{
  static const int8_t cond[8] = {
    VMRUN_IR_EQ, VMRUN_IR_NE, -1, -1,
    VMRUN_IR_LT, VMRUN_IR_GE, VMRUN_IR_LTU, VMRUN_IR_GEU
  };
  int cc = cond[F_F3(i)];
  if (cc < 0) return gen_illegal(c);
  /* BRCOND has no immediate form (imm is the label): x0 is a MOVI 0 */
  uint16_t a = get_reg(c, F_RS1(i));
  uint16_t b = get_reg(c, F_RS2(i));
  uint32_t label = vmrun_ir_label(c->blk);
  uint64_t target = c->pc + (uint64_t)imm_b(i);
  vmrun_ir_op *o = emit(c, VMRUN_IR_BRCOND);
  o->a = a; o->b = b; o->cond = (uint8_t)cc; o->imm = label; o->size = 8;
  /* A forward branch with room left in the block: a side exit, and the
  ** block goes on with the not-taken path.  A backward branch (a loop's
  ** latch) ends the block, so a loop body stays one block that loops to
  ** itself. */
  if ((c->blk->flags & VMRUN_IR_BLK_SIDE_EXITS) && target > c->pc &&
      c->n_side < RV_MAX_SIDE_EXITS && c->blk->n_insns + 1 < c->max) {
    c->side_label[c->n_side] = label;
    c->side_pc[c->n_side++] = target;
    return 0;
  }
  /* A backward branch (usually taken: a loop's latch) has its taken exit
  ** first and branches on the inverted condition to the not-taken one, so
  ** an engine's straight-line code is the loop-back: one taken jump per
  ** iteration, the chain's.  Otherwise the not-taken exit comes first. */
  if (target <= c->pc) {
    o->cond ^= 1;                       /* EQ<->NE, LT<->GE, LTU<->GEU */
    exit_direct(c, target);
    emit(c, VMRUN_IR_LABEL)->imm = label;
    exit_direct(c, c->pc + c->len);
    return 1;
  }
  exit_direct(c, c->pc + c->len);
  emit(c, VMRUN_IR_LABEL)->imm = label;
  exit_direct(c, target);
  return 1;
}

static int op_load(ctx *c, uint32_t i)
{
  unsigned f3 = F_F3(i);
  if (f3 == 7) return gen_illegal(c);
  uint16_t a = get_reg(c, F_RS1(i));
  uint16_t d = tmp(c);
  vmrun_ir_op *o = emit(c, VMRUN_IR_LD);
  o->dst = d; o->a = a; o->imm = (uint64_t)imm_i(i);
  o->size = (uint8_t)(1u << (f3 & 3));
  if (!(f3 & 4)) o->flags = VMRUN_IR_F_SIGNED;  /* LB LH LW LD */
  /* a load to x0 still accesses memory (it may fault) */
  put_reg(c, F_RD(i), d);
  return 0;
}

static int op_store(ctx *c, uint32_t i)
{
  unsigned f3 = F_F3(i);
  if (f3 > 3) return gen_illegal(c);
  uint16_t a = get_reg(c, F_RS1(i));
  uint16_t b = get_reg(c, F_RS2(i));
  vmrun_ir_op *o = emit(c, VMRUN_IR_ST);
  o->a = a; o->b = b; o->imm = (uint64_t)imm_s(i);
  o->size = (uint8_t)(1u << f3);
  return 0;
}

/* OP-IMM and OP-IMM-32 */
static int op_imm(ctx *c, uint32_t i, int w)
{
  unsigned f3 = F_F3(i), rd = F_RD(i), size = w ? 4 : 8;
  uint64_t imm = (uint64_t)imm_i(i);
  unsigned op;
  uint16_t a, d;

  switch (f3) {
  case 0: op = VMRUN_IR_ADD; break;
  case 1: /* SLLI / SLLIW */
    if (w ? F_F7(i) != 0 : (i >> 26) != 0) return gen_illegal(c);
    op = VMRUN_IR_SHL; imm &= w ? 31 : 63; break;
  case 5: /* SRLI SRAI / SRLIW SRAIW */
    if (w) {
      if (F_F7(i) != 0 && F_F7(i) != 0x20) return gen_illegal(c);
    } else if ((i >> 26) != 0 && (i >> 26) != 0x10) {
      return gen_illegal(c);
    }
    op = (i >> 30) & 1 ? VMRUN_IR_SAR : VMRUN_IR_SHR;
    imm &= w ? 31 : 63; break;
  default:
    if (w) return gen_illegal(c);
    break;
  }
  if (rd == 0) return 0; /* HINTs and NOP */

  if (!w) {
    switch (f3) {
    case 2: case 3: /* SLTI SLTIU */
      a = get_reg(c, F_RS1(i));
      put_reg(c, rd, setcc(c, f3 == 2 ? VMRUN_IR_LT : VMRUN_IR_LTU, a, 0, 1, imm));
      return 0;
    case 4: op = VMRUN_IR_XOR; break;
    case 6: op = VMRUN_IR_OR; break;
    case 7: op = VMRUN_IR_AND; break;
    default: break;
    }
    if (F_RS1(i) == 0 && op == VMRUN_IR_ADD) { /* LI */
      put_reg(c, rd, movi(c, imm));
      return 0;
    }
  }
  a = get_reg(c, F_RS1(i));
  if (imm == 0 && (op == VMRUN_IR_ADD || op == VMRUN_IR_OR ||
                   op == VMRUN_IR_XOR || f3 == 1 || f3 == 5)) {
    /* MV and SEXT.W (ADDI[W] rd, rs, 0), shifts by 0: no ALU op */
    put_reg(c, rd, w ? sext32(c, a) : a);
    return 0;
  }
  d = binopi(c, op, a, imm, size);
  if (w) d = sext32(c, d);
  put_reg(c, rd, d);
  return 0;
}

/* OP and OP-32 */
static int op_reg(ctx *c, uint32_t i, int w)
{
  static const uint8_t base[8] = {
    VMRUN_IR_ADD, VMRUN_IR_SHL, 0 /* SLT */, 0 /* SLTU */,
    VMRUN_IR_XOR, VMRUN_IR_SHR, VMRUN_IR_OR, VMRUN_IR_AND
  };
  static const uint8_t muldiv[8] = {
    VMRUN_IR_MUL, VMRUN_IR_MULH, VMRUN_IR_MULHSU, VMRUN_IR_MULHU,
    VMRUN_IR_DIV, VMRUN_IR_DIVU, VMRUN_IR_REM, VMRUN_IR_REMU
  };
  unsigned f3 = F_F3(i), f7 = F_F7(i), rd = F_RD(i), size = w ? 4 : 8;
  unsigned op;
  uint16_t a, b, d;

  if (f7 == 0x00) {
    if (w && f3 != 0 && f3 != 1 && f3 != 5) return gen_illegal(c);
    op = base[f3];
  } else if (f7 == 0x20) {
    if (f3 == 0) op = VMRUN_IR_SUB;
    else if (f3 == 5) op = VMRUN_IR_SAR;
    else return gen_illegal(c);
  } else if (f7 == 0x01) {
    if (w && (f3 >= 1 && f3 <= 3)) return gen_illegal(c); /* no MULHW */
    op = muldiv[f3];
  } else {
    return gen_illegal(c);
  }
  if (rd == 0) return 0;  /* no side effects (DIV never traps) */
  if (!w && f7 == 0 && (f3 == 0 || f3 == 4 || f3 == 6) &&
      (F_RS1(i) == 0 || F_RS2(i) == 0)) {
    /* a register copy (C.MV is ADD rd, x0, rs2): no ALU op */
    put_reg(c, rd, get_reg(c, F_RS1(i) ? F_RS1(i) : F_RS2(i)));
    return 0;
  }

  a = get_reg(c, F_RS1(i));
  b = get_reg(c, F_RS2(i));
  if (f7 == 0 && (f3 == 2 || f3 == 3)) {
    d = setcc(c, f3 == 2 ? VMRUN_IR_LT : VMRUN_IR_LTU, a, b, 0, 0);
  } else {
    d = binop(c, op, a, b, size);
    if (w) d = sext32(c, d);
  }
  put_reg(c, rd, d);
  return 0;
}

static int op_amo(ctx *c, uint32_t i)
{
  unsigned f3 = F_F3(i), f5 = i >> 27, rd = F_RD(i);
  const unsigned fl = VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END;
  uint16_t a, b, s, d;

  if (f3 != 2 && f3 != 3) return gen_illegal(c);
  uint64_t size = f3 == 2 ? 4 : 8;
  switch (f5) {
  case 0x02: /* LR */
    if (F_RS2(i) != 0) return gen_illegal(c);
    a = get_reg(c, F_RS1(i));
    s = movi(c, size);
    d = call(c, rv_h_lr, a, s, s, fl);
    put_reg(c, rd, d);
    return 0;
  case 0x03: /* SC */
    a = get_reg(c, F_RS1(i));
    b = get_reg(c, F_RS2(i));
    s = movi(c, size);
    d = call(c, rv_h_sc, a, b, s, fl);
    put_reg(c, rd, d);
    return 0;
  case 0x00: case 0x01: case 0x04: case 0x08: case 0x0c:
  case 0x10: case 0x14: case 0x18: case 0x1c:
    a = get_reg(c, F_RS1(i));
    b = get_reg(c, F_RS2(i));
    s = movi(c, size | (uint64_t)f5 << 8);
    d = call(c, rv_h_amo, a, b, s, fl);
    put_reg(c, rd, d);
    return 0;
  default:
    return gen_illegal(c);
  }
}

static int op_miscmem(ctx *c, uint32_t i)
{
  switch (F_F3(i)) {
  case 0: /* FENCE (and FENCE.TSO, PAUSE): the engine executes in order */
    return 0;
  case 1: /* FENCE.I: the core invalidates translations eagerly on every
          ** store to a page holding translated code (stores to such pages
          ** always take the MMU slow path), so ending the block here is
          ** enough for the following fetches to see the new code. */
    exit_direct(c, c->pc + c->len);
    return 1;
  default:
    return gen_illegal(c);
  }
}

static int op_system(ctx *c, uint32_t i)
{
  const unsigned fl = VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END;
  unsigned f3 = F_F3(i), rd = F_RD(i), rs1 = F_RS1(i);
  uint16_t a, b, ins, d;

  if (f3 == 0) {
    if (i == 0x00000073) { /* ECALL: cause 8/9/11 by privilege */
      return gen_exception(c, EXC_ECALL_U + c->cpu->priv, 0);
    }
    if (i == 0x00100073) /* EBREAK (and C.EBREAK): tval = pc */
      return gen_exception(c, EXC_BREAKPOINT, c->pc);
    ins = movi(c, c->raw);
    if (i == 0x30200073) { /* MRET */
      call(c, rv_h_mret, ins, ins, ins, fl);
      exit_helper(c);
      return 1;
    }
    if (i == 0x10200073) { /* SRET */
      call(c, rv_h_sret, ins, ins, ins, fl);
      exit_helper(c);
      return 1;
    }
    if (i == 0x10500073) { /* WFI */
      b = movi(c, c->pc + c->len);
      call(c, rv_h_wfi, ins, b, ins, fl);
      exit_helper(c);
      return 1;
    }
    if (F_F7(i) == 0x09 && rd == 0) { /* SFENCE.VMA rs1, rs2 */
      a = get_reg(c, rs1);
      b = movi(c, rs1 == 0 ? 1u : 0u);  /* the helper continues at pc + 4 */
      call(c, rv_h_sfence, a, b, ins, fl);
      exit_helper(c);
      return 1;
    }
    /* the MOVI emitted above is harmless: the block ends here */
    return gen_illegal(c);
  }
  if (f3 == 4) return gen_illegal(c);

  /* Zicsr.  CSRRW[I] with rd = x0 does not read; CSRRS/C[I] with
  ** rs1 = x0 / uimm = 0 do not write (side effects and checks differ). */
  unsigned op = f3 & 3, csr = i >> 20;
  uint64_t info = csr | (uint64_t)op << 12;
  if (op != CSROP_RW || rd != 0) info |= CSRI_READ;
  if (op == CSROP_RW || rs1 != 0) info |= CSRI_WRITE;
  a = (f3 & 4) ? movi(c, rs1) : get_reg(c, rs1);
  b = movi(c, info);
  ins = movi(c, c->raw);
  d = call(c, rv_h_csr, a, b, ins, fl);
  put_reg(c, rd, d);
  /* A CSR write may change privilege-dependent state (mstatus.MPRV,
  ** satp...): leave through an indirect exit so the next block is looked
  ** up with the current tb_flags (never chained). */
  if (info & CSRI_WRITE) {
    exit_indirect(c, movi(c, c->pc + c->len));
  } else {
    exit_direct(c, c->pc + c->len);
  }
  return 1;
}

/* Decode one 32-bit (or expanded 16-bit) instruction. */
static int decode(ctx *c, uint32_t i)
{
  switch (i & 0x7f) {
  case 0x37: return op_lui(c, i);
  case 0x17: return op_auipc(c, i);
  case 0x6f: return op_jal(c, i);
  case 0x67: return op_jalr(c, i);
  case 0x63: return op_branch(c, i);
  case 0x03: return op_load(c, i);
  case 0x23: return op_store(c, i);
  case 0x13: return op_imm(c, i, 0);
  case 0x1b: return op_imm(c, i, 1);
  case 0x33: return op_reg(c, i, 0);
  case 0x3b: return op_reg(c, i, 1);
  case 0x2f: return op_amo(c, i);
  case 0x0f: return op_miscmem(c, i);
  case 0x73: return op_system(c, i);
  case 0x07: case 0x27: case 0x43: case 0x47: case 0x4b: case 0x4f:
  case 0x53: return rv_fp_translate(c->blk, &c->nt, c->raw, i); /* F, D */
  default:   return gen_illegal(c);
  }
}

static void insn_start(ctx *c)
{
  vmrun_ir_op *o = emit(c, VMRUN_IR_INSN_START);
  o->imm = c->pc; o->a = (uint16_t)c->len;
}

int rv_translate_block(struct rv_fe *fe, vmrun_cpu *cpu, vmrun_ir_block *blk)
{
  const vmrun_host *h = fe->host;
  ctx c = { fe, cpu, blk, blk->pc, 0, 0, 0, 0, 0, { 0 }, { 0 }, 0, { 0 },
            { 0 }, 0, 0 };
  uint32_t max = blk->max_insns ? blk->max_insns : 1;
  int end = 0;

  c.max = max;
  c.seg_start = blk->pc;
  blk->n_insns = 0;
  blk->size = 0;
  /* data accesses untranslated for every run with these tb_flags: the
  ** engine may use the RAM window (vmrun/ir.h) */
  if (blk->tb_flags & RV_TBF_DATA_PHYS) blk->flags |= VMRUN_IR_BLK_PHYS_DATA;
  else blk->flags &= ~VMRUN_IR_BLK_PHYS_DATA;
  while (!end && blk->n_insns < max) {
    uint64_t lo = 0, hi = 0;
    int f = h->code_fetch(cpu, blk, c.pc, 2, &lo);
    if (f != 0) {
      if (blk->n_insns == 0) return f;
      break;  /* the next block will start with it and report the fault */
    }
    c.raw = (uint32_t)(lo & 0xffff);
    c.len = 2;
    if ((c.raw & 3) == 3) {
      f = h->code_fetch(cpu, blk, c.pc + 2, 2, &hi);
      if (f != 0) {
        if (blk->n_insns != 0) break;  /* never split an insn across blocks */
        if (f < 0) return f;
        /* The first instruction crosses into a page that cannot be
        ** fetched: fault with tval = the address of the missing half
        ** (Privileged ISA §3.1.16 allows this), epc = the insn start. */
        c.nt = 0;
        insn_start(&c);
        gen_exception(&c, f == VMRUN_FAULT_PAGE ? EXC_INSN_PAGE_FAULT
                                                : EXC_INSN_ACCESS, c.pc + 2);
        blk->n_insns = 1;
        blk->size = 2;
        return 0;
      }
      c.raw |= (uint32_t)(hi & 0xffff) << 16;
      c.len = 4;
    }
    c.nt = 0;
    insn_start(&c);
    if (c.len == 2) {
      uint32_t x = rv_rvc_expand(c.raw);
      end = x ? decode(&c, x) : gen_illegal(&c);
    } else if ((c.raw & 0x1f) == 0x1f) {
      end = gen_illegal(&c);  /* 48-bit and longer encodings: none exist */
    } else {
      end = decode(&c, c.raw);
    }
    blk->n_insns++;
    blk->size += c.len;
    c.pc += c.len;
    if (c.next_pc) {                    /* a followed jump */
      c.pc = c.next_pc;
      c.next_pc = 0;
    }
  }
  if (!end) {
    c.nt = 0;
    exit_direct(&c, c.pc);
  }
  for (uint32_t k = 0; k < c.n_side; k++) {   /* the taken side exits */
    emit(&c, VMRUN_IR_LABEL)->imm = c.side_label[k];
    exit_direct(&c, c.side_pc[k]);
  }
  return 0;
}
