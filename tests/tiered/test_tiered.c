/*
** tests/tiered/test_tiered.c - what only the tiered engine has: a block is
** interpreted hot_threshold-1 times and compiled at the next execution
** (seen through --stats: blocks_interpreted, blocks_promoted, and
** block_entries, which only the JIT's generated code counts), hot blocks
** that are invalidated start cold again and run the new code, chains
** between compiled blocks are cut when one is dropped, and an exception
** in a compiled block restores the faulting instruction's pc and icount.
** Fake host + fake frontend from tests/engine/harness.c (built with
** -Dinterp_desc=tiered_desc), real softmmu.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PC0 RAM_BASE

#define EQ(x, y) cr_assert_eq((uint64_t)(x), (uint64_t)(y), \
  "%s = 0x%llx, expected 0x%llx (line %d)", #x, \
  (unsigned long long)(x), (unsigned long long)(y), __LINE__)

static void setup_thr(uint64_t thr)
{
  fm_engine_opts[0] = (fm_opt){ "hot_threshold", thr, 0 };
  fm_engine_opts[1] = (fm_opt){ "block_stats", 1, 0 };  /* block_entries */
  fm_setup(1, 32);
}

static void setup5(void) { setup_thr(5); }
static void setup2(void) { setup_thr(2); }
static void teardown(void) { fm_teardown(); }

TestSuite(tiered, .fini = teardown);

static unsigned long long stat(const char *key)
{
  unsigned long long v = fm_stat(key);
  cr_assert_neq(v, ~0ull, "no %s in the stats", key);
  return v;
}

Test(tiered, interpreted_n_minus_1_times_then_compiled, .init = setup5)
{
  static inc_blk a = { 1, 1, PC0 };
  fm_block(PC0, build_inc, &a);
  for (unsigned k = 1; k <= 4; k++) {
    cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[1], k);
    EQ(stat("blocks_interpreted"), k);
    EQ(stat("blocks_promoted"), 0);
    EQ(stat("block_entries"), 0);   /* no generated code ran */
  }
  /* the 5th execution is the compiled one */
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 5);
  EQ(FM->cpu->hdr.icount, 5);
  EQ(FM->cpu->hdr.pc, PC0);
  EQ(stat("blocks_interpreted"), 4);
  EQ(stat("blocks_promoted"), 1);
  EQ(stat("block_entries"), 1);
  /* compiled from the IR the interpreter kept: one frontend translation */
  cr_assert_eq(FM->n_translate, 1);
  EQ(stat("blocks_translated"), 1);
  /* from now on only compiled code runs, chained to itself */
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 15);
  EQ(stat("blocks_interpreted"), 4);
  EQ(stat("blocks_promoted"), 1);
  EQ(stat("block_entries"), 11);
  /* the dispatcher enters it once per run() and once more to link its
  ** exit to itself (the first run ended before its exit was linked) */
  EQ(stat("dispatcher_entries"), 3);
  EQ(stat("chain_hits"), 8);
  cr_assert_geq(stat("chain_links"), 1);
}

static void threshold_compiles_first_run(uint64_t thr)
{
  static inc_blk a = { 1, 2, PC0 + 0x40 };
  setup_thr(thr);
  fm_block(PC0, build_inc, &a);
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 2);
  EQ(FM->cpu->hdr.pc, PC0 + 0x40);
  EQ(stat("blocks_interpreted"), 0);
  EQ(stat("blocks_promoted"), 1);
  EQ(stat("block_entries"), 1);
  EQ(stat("hot_threshold"), thr);
}

Test(tiered, threshold_0_compiles_at_first_execution)
{
  threshold_compiles_first_run(0);
}

Test(tiered, threshold_1_compiles_at_first_execution)
{
  threshold_compiles_first_run(1);
}

Test(tiered, bad_threshold_refused)
{
  vmrun_engine_env env;
  void *inst = NULL;
  fm_setup(0, 32);
  memset(&env, 0, sizeof env);
  env.struct_size = sizeof env;
  env.fe = &fake_fe;
  env.mmu = FM->mmu;
  env.mmu_inst = FM->mmu_inst;
  fm_engine_opts[0] = (fm_opt){ "hot_threshold", 0, 1 };
  cr_assert_eq(((const vmrun_engine_ops *)tiered_desc.ops)->create(
                   &fake_host, (vmrun_machine *)FM,
                   (vmrun_cfg *)(void *)fm_engine_opts, &env, &inst),
               -VMRUN_EINVAL);
  fm_engine_opts[0] = (fm_opt){ "hot_threshold", 1ull << 32, 0 };
  cr_assert_eq(((const vmrun_engine_ops *)tiered_desc.ops)->create(
                   &fake_host, (vmrun_machine *)FM,
                   (vmrun_cfg *)(void *)fm_engine_opts, &env, &inst),
               -VMRUN_EINVAL);
  cr_assert_null(inst);
}

/* A -> B -> A, both hot; B changes and is invalidated: it starts cold
** (interpreted with its new code), A's chain into the old B is cut, and
** the new B is promoted again at its threshold. */
Test(tiered, hot_block_invalidated_runs_new_code, .init = setup2)
{
  inc_blk *bb = &fm_ping_pong()[1];
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 50);
  EQ(FM->cpu->x[2], 50);
  EQ(stat("blocks_interpreted"), 2);  /* each block once (threshold 2) */
  EQ(stat("blocks_promoted"), 2);
  EQ(stat("block_entries"), 98);
  cr_assert_geq(stat("chain_links"), 2);
  bb->inc = 10;
  FM->eng->invalidate(FM->eng_inst, PC0 + 0x1000, 4);
  EQ(stat("blocks_invalidated"), 1);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100);
  EQ(FM->cpu->x[2], 50 + 500);       /* every B run used the new code */
  EQ(FM->cpu->hdr.icount, 200);
  cr_assert_eq(FM->n_translate, 3);
  EQ(stat("blocks_interpreted"), 3);  /* the new B, once */
  EQ(stat("blocks_promoted"), 3);
  EQ(stat("block_entries"), 98 + 99);
  /* flush: both tiers start over */
  FM->eng->flush(FM->eng_inst);
  cr_assert_eq(fm_run(PC0, 4), VMRUN_RUN_BUDGET);
  EQ(stat("blocks_interpreted"), 5);
  EQ(stat("blocks_promoted"), 5);
  cr_assert_eq(FM->n_translate, 5);
}

/* tiering policy: everything but the block at PC0 + 0x1000 */
static int refuse_b(void *opaque, vmrun_cpu *cpu, const vmrun_block_info *bi)
{
  (void)opaque; (void)cpu;
  return bi->pc != PC0 + 0x1000;
}

/* A (compiled) -> B (refused, interpreted) -> A: at each of A's exits the
** JIT learns from the interpreter's jump cache that B is cold, without a
** lookup of its own (page walk, hash search) for a block it cannot have */
Test(tiered, exit_to_an_interpreted_block_needs_no_jit_lookup,
     .init = setup2)
{
  unsigned long long l0;
  fm_ping_pong();
  FM->eng->set_tier_policy(FM->eng_inst, refuse_b, NULL);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 50);
  EQ(FM->cpu->x[2], 50);
  EQ(stat("blocks_promoted"), 1);
  EQ(stat("policy_refused"), 1);
  EQ(stat("blocks_interpreted"), 1 + 50);
  EQ(stat("block_entries"), 49);
  l0 = stat("dispatcher_lookups");
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100);
  EQ(FM->cpu->x[2], 100);
  EQ(stat("blocks_interpreted"), 1 + 100);
  EQ(stat("block_entries"), 99);
  EQ(stat("dispatcher_lookups"), l0);
  cr_assert_eq(FM->n_translate, 2);
}

/* A store by compiled code into the page of a compiled block. */
static int smc_version;

static void build_smc(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 1);
  ir_insn(b, b->pc);
  ir_movi(b, 0, (uint64_t)smc_version);
  ir_put(b, 1, 0);
  ir_exit(b, PC0 + 0x2000);
}

/* x[3] += 1; stores x[3] into the page of the smc block */
static void build_writer(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_addi(b, 3, 0, 1);
  ir_movi(b, 1, PC0 + 0x1800);
  ir(b, VMRUN_IR_ST, 8, 0, 1, 0, 0, 0);
  ir_exit(b, PC0 + 0x1000);
}

Test(tiered, stores_drop_compiled_blocks, .init = setup2)
{
  fm_block(PC0 + 0x1000, build_smc, NULL);
  fm_block(PC0 + 0x2000, build_writer, NULL);
  smc_version = 1;
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET); /* interpreted */
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET); /* compiled */
  EQ(FM->cpu->x[1], 1);
  EQ(stat("blocks_promoted"), 1);
  /* the (interpreted) writer's store drops the compiled block too */
  cr_assert_eq(fm_run(PC0 + 0x2000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->n_cw, 1);
  EQ(stat("blocks_invalidated"), 1);
  smc_version = 2;
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 2);
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 2);   /* compiled from the new code, not the old */
  EQ(stat("blocks_promoted"), 2);
  /* now a compiled writer's store */
  cr_assert_eq(fm_run(PC0 + 0x2000, 1), VMRUN_RUN_BUDGET);
  EQ(stat("blocks_promoted"), 3);
  EQ(FM->n_cw, 2);
  smc_version = 3;
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 3);
  cr_assert_eq(fm_run(PC0 + 0x1000, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 3);
  EQ(FM->cpu->x[3], 2);
  cr_assert_eq(FM->n_translate, 4); /* smc v1, v2, v3 and the writer */
}

/* insn0: x1 += 1; insn1: x2 = LD [x4]; insn2: x3 += 1; exit to itself */
static void build_ld_mid(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_insn(b, b->pc + 4);
  ir_get(b, 1, 4);
  ir(b, VMRUN_IR_LD, 8, 0, 1, 0, 0, 0);
  ir_put(b, 2, 0);
  ir_insn(b, b->pc + 8);
  ir_addi(b, 3, 0, 1);
  ir_exit(b, b->pc);
}

Test(tiered, fault_in_promoted_block_is_precise, .init = setup2)
{
  fm_block(PC0, build_ld_mid, NULL);
  FM->cpu->x[4] = PC0 + 0x3000;
  /* 1st run interpreted, then compiled, chained to itself */
  cr_assert_eq(fm_run(PC0, 9), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 3);
  EQ(FM->cpu->x[3], 3);
  EQ(FM->cpu->hdr.icount, 9);
  EQ(stat("blocks_promoted"), 1);
  EQ(stat("block_entries"), 2);
  /* now the load faults, in compiled code */
  FM->cpu->x[4] = 0x20000000;
  FM->cpu->x[2] = 77;
  FM->fault_stop = 1;
  cr_assert_eq(fm_run(PC0, 50), VMRUN_RUN_EXIT);
  EQ(stat("block_entries"), 3);
  EQ(stat("blocks_interpreted"), 1);
  cr_assert_eq(FM->n_faults, 1);
  EQ(FM->f_acc, VMRUN_ACCESS_LOAD);
  EQ(FM->f_va, 0x20000000);
  EQ(FM->f_pc, PC0 + 4);      /* the faulting instruction */
  EQ(FM->f_icount, 10);       /* insn0 retired before it */
  EQ(FM->cpu->hdr.icount, 10);
  EQ(FM->cpu->hdr.insn_budget, 48);
  EQ(FM->cpu->hdr.pc, TRAP_PC);
  EQ(FM->cpu->x[1], 4);
  EQ(FM->cpu->x[2], 77);      /* not written */
  EQ(FM->cpu->x[3], 3);       /* insn2 not executed */
}
