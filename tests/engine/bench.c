/*
** tests/engine/bench.c - informal dispatch speed of the interp engine on
** a simple loop block (3 guest instructions: addi, addi, bne), the shape a
** RISC-V frontend emits for a counting loop.  Prints MIPS.
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"

/* P: x1 += 1; x2 -= 1; if (x2 != 0) goto P */
static void build_loop(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  vmrun_ir_op *o;
  uint16_t t0 = vmrun_ir_temp(b), t1 = vmrun_ir_temp(b), t2 = vmrun_ir_temp(b);
  (void)arg;
  ir_insn(b, b->pc);
  ir_get(b, t0, 1);
  ir(b, VMRUN_IR_ADD, 8, t0, t0, 0, 1, VMRUN_IR_F_BIMM);
  ir_put(b, 1, t0);
  ir_insn(b, b->pc + 4);
  ir_get(b, t1, 2);
  ir(b, VMRUN_IR_ADD, 8, t1, t1, 0, (uint64_t)-1, VMRUN_IR_F_BIMM);
  ir_put(b, 2, t1);
  ir_insn(b, b->pc + 8);
  ir_get(b, t1, 2);
  ir_movi(b, t2, 0);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, t1, t2, l, 0);
  o->cond = VMRUN_IR_EQ;
  ir_exit(b, b->pc);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc + 12);
}

/* a memory-heavy variant: load, add, store per iteration */
static void build_mem(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  vmrun_ir_op *o;
  (void)arg;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_movi(b, 0, RAM_BASE + 0x8000);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 0, 0);
  ir_insn(b, b->pc + 4);
  ir(b, VMRUN_IR_ADD, 8, 1, 1, 0, 1, VMRUN_IR_F_BIMM);
  ir_insn(b, b->pc + 8);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 1, 0, 0);
  ir_insn(b, b->pc + 12);
  ir_get(b, 2, 2);
  ir(b, VMRUN_IR_SUB, 8, 2, 2, 0, 1, VMRUN_IR_F_BIMM);
  ir_put(b, 2, 2);
  ir_insn(b, b->pc + 16);
  ir_movi(b, 3, 0);
  o = ir(b, VMRUN_IR_BRCOND, 8, 0, 2, 3, l, 0);
  o->cond = VMRUN_IR_EQ;
  ir_exit(b, b->pc);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc + 20);
}

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void bench(const char *name, builder_fn fn, uint64_t iters,
                  unsigned per_iter)
{
  double t0, t1;
  fm_setup(1, 32);
  fm_block(RAM_BASE, fn, NULL);
  FM->cpu->x[2] = iters;
  t0 = now();
  while (FM->cpu->x[2]) fm_run(FM->cpu->x[2] == iters ? RAM_BASE
                                                        : FM->cpu->hdr.pc,
                                ~0ull >> 1);
  t1 = now();
  printf("%-6s %llu guest insns in %.3f s: %.0f MIPS\n", name,
         (unsigned long long)FM->cpu->hdr.icount, t1 - t0,
         FM->cpu->hdr.icount / (t1 - t0) / 1e6);
  (void)per_iter;
  fm_teardown();
}

int main(int argc, char **argv)
{
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000;
  bench("alu", build_loop, n, 3);
  bench("mem", build_mem, n / 2, 5);
  return 0;
}
