/*
** tests/riscv64/test_translate.c - the riscv64 frontend's block shapes:
** the IR rv_translate_block() gives for conditional branches, read back
** op by op.  What the IR computes is covered by the guest ISA tests under
** every engine; these pin down the layout engines compile straight-line
** (which exit comes first, the branch's condition and label).
**
** The instruction words are GNU as output (riscv64-linux-gnu-as,
** .option norvc) for the listing beside each program.
*/
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "rv_cpu.h"

#define BASE 0x1000u

static const uint32_t *code;
static size_t code_words;

/* the fake core's fetch: `code` at BASE, nothing elsewhere */
static int fetch(vmrun_cpu *cpu, vmrun_ir_block *blk, uint64_t va,
                 unsigned size, uint64_t *val)
{
  uint64_t off = va - BASE;
  (void)cpu; (void)blk;
  if (va < BASE || off + size > code_words * 4) return VMRUN_FAULT_ACCESS;
  *val = 0;
  memcpy(val, (const uint8_t *)code + off, size);
  return 0;
}

static vmrun_host host;
static struct rv_fe fe;
static struct rv_cpu *cpu;
static vmrun_ir_op ops[512];
static vmrun_ir_block blk;

/* translate the block at pc with engine flags `flags` */
static void translate(const uint32_t *words, size_t n, uint64_t pc,
                      uint32_t flags)
{
  code = words;
  code_words = n;
  host.code_fetch = fetch;
  fe.host = &host;
  cpu = calloc(1, sizeof *cpu);
  cr_assert_not_null(cpu);
  memset(&blk, 0, sizeof blk);
  blk.pc = blk.phys_pc = pc;
  blk.max_insns = 64;
  blk.ops = ops;
  blk.cap_ops = sizeof ops / sizeof ops[0];
  blk.flags = flags;
  cr_assert_eq(rv_translate_block(&fe, &cpu->hdr, &blk), 0);
  cr_assert_eq(blk.overflow, 0);
  free(cpu);
}

/* the index of the first op `op` at or after i, or -1 */
static int find(uint32_t i, unsigned op)
{
  for (; i < blk.n_ops; i++)
    if (blk.ops[i].op == op) return (int)i;
  return -1;
}

/* The branch at index b (a BRCOND) and what follows it: the straight-line
** exit's target, the label's position and the exit after it. */
static void branch_shape(int b, uint64_t *straight, uint64_t *at_label)
{
  int e1, l, e2;
  cr_assert_geq(b, 0, "no BRCOND");
  e1 = find((uint32_t)b + 1, VMRUN_IR_EXIT_DIRECT);
  l = find((uint32_t)b + 1, VMRUN_IR_LABEL);
  cr_assert(e1 >= 0 && l > e1, "BRCOND, EXIT_DIRECT, LABEL expected");
  cr_assert_eq(blk.ops[l].imm, blk.ops[b].imm, "the branch's own label");
  e2 = find((uint32_t)l + 1, VMRUN_IR_EXIT_DIRECT);
  cr_assert_geq(e2, 0);
  *straight = blk.ops[e1].imm;
  *at_label = blk.ops[e2].imm;
}

/* Translate at pc: the first BRCOND has condition cond, its straight-line
** exit goes to `straight` and the exit at its label to `at_label`.  The
** BRCOND's index. */
static int expect_branch(const uint32_t *w, size_t n, uint64_t pc,
                         uint32_t flags, unsigned cond, uint64_t straight,
                         uint64_t at_label)
{
  uint64_t s, l;
  int b;
  translate(w, n, pc, flags);
  b = find(0, VMRUN_IR_BRCOND);
  branch_shape(b, &s, &l);
  cr_assert_eq(blk.ops[b].cond, cond, "pc 0x%llx: cond %u, expected %u",
               (unsigned long long)pc, blk.ops[b].cond, cond);
  cr_assert_eq(s, straight, "straight-line exit 0x%llx",
               (unsigned long long)s);
  cr_assert_eq(l, at_label, "exit at the label 0x%llx",
               (unsigned long long)l);
  return b;
}

/*
**   0: addi a0,a0,1        00150513
**   4: bne  a0,a1,0        feb51ee3
**
** A backward branch (a loop's latch) ends the block with its taken exit
** first: the BRCOND, on the inverted condition, goes to the not-taken one.
*/
Test(riscv64_translate, backward_branch_has_the_loop_back_first)
{
  static const uint32_t w[] = { 0x00150513, 0xfeb51ee3 };
  /* bne inverted: EQ */
  expect_branch(w, 2, BASE, VMRUN_IR_BLK_SIDE_EXITS, VMRUN_IR_EQ, BASE,
                BASE + 8);
  cr_assert_eq(blk.n_insns, 2);
}

/*
**  10: blt  a0,a1,0        feb548e3
**  14: bgeu a1,a0,0        fea5f6e3
**
** Every condition inverts to its opposite (LT to GE here, GEU to LTU in
** the next block); a branch to its own block's pc loops to itself.
*/
Test(riscv64_translate, backward_branches_invert_each_condition)
{
  static const uint32_t w[] = { 0x00150513, 0xfeb51ee3, 0x00b50463,
                                0x00250513, 0xfeb548e3, 0xfea5f6e3 };
  expect_branch(w, 6, BASE + 0x10, VMRUN_IR_BLK_SIDE_EXITS, VMRUN_IR_GE,
                BASE, BASE + 0x14);
  expect_branch(w, 6, BASE + 0x14, VMRUN_IR_BLK_SIDE_EXITS, VMRUN_IR_LTU,
                BASE, BASE + 0x18);
}

/*
**   8: beq  a0,a1,10       00b50463
**   c: addi a0,a0,2        00250513
**
** A forward branch in a block without side exits keeps its condition and
** has the not-taken exit first; with side exits the block goes on at c and
** the taken exit is after the block's last straight-line one.
*/
Test(riscv64_translate, forward_branch_keeps_its_condition)
{
  static const uint32_t w[] = { 0x00150513, 0xfeb51ee3, 0x00b50463,
                                0x00250513, 0xfeb548e3, 0xfea5f6e3 };
  uint64_t straight, at_label;
  int b;
  expect_branch(w, 6, BASE + 8, 0, VMRUN_IR_EQ, BASE + 0xc, BASE + 0x10);
  cr_assert_eq(blk.n_insns, 1);

  translate(w, 6, BASE + 8, VMRUN_IR_BLK_SIDE_EXITS);
  b = find(0, VMRUN_IR_BRCOND);
  cr_assert_eq(blk.ops[b].cond, VMRUN_IR_EQ);
  cr_assert_eq(blk.n_insns, 3, "beq, addi, blt: %u", blk.n_insns);
  /* the blt ends it, inverted; the beq's side exit comes last */
  branch_shape(find((uint32_t)b + 1, VMRUN_IR_BRCOND), &straight, &at_label);
  cr_assert_eq(straight, BASE);
  cr_assert_eq(at_label, BASE + 0x14);
  {
    int l = find((uint32_t)b + 1, VMRUN_IR_LABEL), last = -1, k;
    for (k = 0; k < (int)blk.n_ops; k++)
      if (blk.ops[k].op == VMRUN_IR_LABEL && blk.ops[k].imm == blk.ops[b].imm)
        last = k;
    cr_assert_gt(last, l, "the side exit's label after the blt's");
    cr_assert_eq(blk.ops[find((uint32_t)last, VMRUN_IR_EXIT_DIRECT)].imm,
                 BASE + 0x10);
  }
}

/*
**   0: fcvt.d.w  fa5,a4        d20707d3
**   4: fcvt.d.wu fa5,a4,rtz    d21717d3
**   8: fcvt.d.l  fa5,a4        d22777d3   (dynamic rm: frm = RNE)
**   c: fcvt.d.l  fa5,a4,rtz    d22717d3
**  10: fcvt.d.lu fa5,a4        d23777d3
**  14: fcvt.s.w  fa5,a4        d00777d3
**
** Conversions from an integer carry the FP hint (SDK 1.13) where the
** host's cvtsi2sd gives the helper's result: FCVT.D.W and .WU (exact)
** under any rm, FCVT.D.L under round-to-nearest-even only; .LU (no
** unsigned 64-bit conversion on x86 before AVX-512) and single precision
** do not.
*/
Test(riscv64_translate, integer_to_double_conversions_carry_the_fp_hint)
{
  static const uint32_t w[] = { 0xd20707d3, 0xd21717d3, 0xd22777d3,
                                0xd22717d3, 0xd23777d3, 0xd00777d3 };
  static const int want[] = { VMRUN_IR_FP_CVT_D_W, VMRUN_IR_FP_CVT_D_WU,
                              VMRUN_IR_FP_CVT_D_L, -1, -1, -1 };
  int i = -1;
  translate(w, 6, BASE, 0);
  cr_assert_eq(blk.n_insns, 6);
  for (unsigned k = 0; k < 6; k++) {
    const vmrun_ir_op *o;
    /* the instruction's first CALL (the first FP write also calls the
    ** helper that marks the FP state dirty, after it) */
    i = find((uint32_t)i + 1, VMRUN_IR_INSN_START);
    cr_assert_geq(i, 0, "insn %u: no INSN_START", k);
    o = &blk.ops[find((uint32_t)i, VMRUN_IR_CALL)];
    cr_assert_eq(o->op, VMRUN_IR_CALL);
    if (want[k] < 0) {
      cr_assert_eq(o->flags & VMRUN_IR_F_FP, 0, "insn %u: hinted", k);
    } else {
      cr_assert(o->flags & VMRUN_IR_F_FP, "insn %u: no hint", k);
      cr_assert_eq(o->cond, want[k], "insn %u: cond %u", k, o->cond);
      cr_assert_eq(o->size, 8);
    }
  }
}
