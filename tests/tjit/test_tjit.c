/*
** tests/tjit/test_tjit.c - what only the template JIT has: block chaining
** (linking, unlinking on invalidate / vcache_flush, block-entry checks of
** chained blocks) and the code cache (flush when full, then continue).
** Fake host + fake frontend from tests/engine/harness.c (built with
** -Dinterp_desc=tjit_desc), real softmmu.
*/
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "../../plugins/tjit/tjit_int.h" /* TJIT_JC_IDX, tjit_chain_at */

#define PC0 RAM_BASE

/* block_entries and chain_hits need the engine option block_stats */
static void setup(void)
{
  fm_engine_opts[0] = (fm_opt){ "block_stats", 1, 0 };
  fm_setup(1, 32);
}
static void teardown(void) { fm_teardown(); }

TestSuite(tjit, .init = setup, .fini = teardown);

#define EQ(x, y) cr_assert_eq((uint64_t)(x), (uint64_t)(y), \
  "%s = 0x%llx, expected 0x%llx (line %d)", #x, \
  (unsigned long long)(x), (unsigned long long)(y), __LINE__)

static unsigned long long stat(const char *key)
{
  unsigned long long v = fm_stat(key);
  cr_assert_neq(v, ~0ull, "no %s in the stats", key);
  return v;
}

Test(tjit, chain_then_unchain_on_invalidate)
{
  inc_blk *ab = fm_ping_pong(), *a = &ab[0], *bb = &ab[1];
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 50);
  EQ(FM->cpu->x[2], 50);
  EQ(FM->cpu->hdr.icount, 100);
  EQ(FM->cpu->hdr.insn_budget, 0);
  EQ(FM->cpu->hdr.pc, PC0);
  cr_assert_eq(FM->n_translate, 2);
  cr_assert_geq(stat("chain_links"), 2);
  /* 100 one-instruction blocks ran; all but the first few came through
  ** a chained jump, not the dispatcher */
  EQ(stat("block_entries"), 100);
  EQ(stat("dispatcher_entries") + stat("chain_hits"), 100);
  cr_assert_leq(stat("dispatcher_entries"), 4);
  /* B changes: A's chain into B must not reach the stale code */
  bb->inc = 10;
  FM->eng->invalidate(FM->eng_inst, PC0 + 0x1000, 4);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100);
  EQ(FM->cpu->x[2], 50 + 500);
  EQ(FM->cpu->hdr.icount, 200);
  cr_assert_eq(FM->n_translate, 3);
  EQ(stat("blocks_invalidated"), 1);
  /* and when A is the one dropped, B's chain into A goes too */
  a->inc = 3;
  FM->eng->invalidate(FM->eng_inst, PC0, 4);
  cr_assert_eq(fm_run(PC0 + 0x1000, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100 + 150);
  EQ(FM->cpu->x[2], 550 + 500);
  cr_assert_eq(FM->n_translate, 4);
}

/* x[reg] += inc; then jump to the pc held in x[9 + reg] (an indirect
** exit, as a RISC-V jalr) */
static void build_ind(vmrun_ir_block *b, void *arg)
{
  inc_blk *k = arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_addi(b, k->reg, 0, k->inc);
  ir_get(b, 1, 9 + k->reg);
  ir(b, VMRUN_IR_EXIT_INDIRECT, 8, 0, 1, 0, 0, 0);
}

Test(tjit, indirect_exit_finds_the_next_block_itself)
{
  static inc_blk a = { 1, 1, 0 }, bb = { 2, 1, 0 };
  fm_block(PC0, build_ind, &a);
  fm_block(PC0 + 0x1000, build_ind, &bb);
  FM->cpu->x[10] = PC0 + 0x1000;     /* A -> B */
  FM->cpu->x[11] = PC0;              /* B -> A */
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 50);
  EQ(FM->cpu->x[2], 50);
  EQ(FM->cpu->hdr.icount, 100);
  EQ(FM->cpu->hdr.pc, PC0);
  EQ(stat("block_entries"), 100);
  /* the jump cache is probed by the exit itself: only the first
  ** entries (before both blocks were cached) came through the
  ** dispatcher */
  cr_assert_leq(stat("dispatcher_entries"), 4);
  /* a dropped target is not jumped to: B changes */
  bb.inc = 10;
  FM->eng->invalidate(FM->eng_inst, PC0 + 0x1000, 4);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100);
  EQ(FM->cpu->x[2], 50 + 500);
  /* a target whose tb_flags differ is not jumped to either */
  FM->cpu->hdr.tb_flags = 0;
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 105);
  EQ(FM->cpu->x[2], 600);
}

/* The first pc after PC0, in PC0's page, with PC0's jump-cache slot. */
static uint64_t same_slot_pc(void)
{
  for (uint64_t pc = PC0 + 4; pc < PC0 + VMRUN_PAGE_SIZE; pc += 4)
    if (TJIT_JC_IDX(pc) == TJIT_JC_IDX(PC0)) return pc;
  cr_assert_fail("no pc shares PC0's jump-cache slot in its page");
  return 0;
}

Test(tjit, indirect_exits_between_blocks_sharing_a_slot)
{
  static inc_blk a = { 1, 1, 0 }, bb = { 2, 1, 0 };
  uint64_t pcb = same_slot_pc(), l0;
  int n;
  fm_block(PC0, build_ind, &a);
  fm_block(pcb, build_ind, &bb);
  FM->cpu->x[10] = pcb;              /* A -> B */
  FM->cpu->x[11] = PC0;              /* B -> A */
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 50);
  EQ(FM->cpu->x[2], 50);
  EQ(stat("block_entries"), 100);
  /* each evicts the other from the jump cache, but the dispatcher finds
  ** it among the slot's victims: looked up by physical address (and
  ** compiled) only the first time */
  EQ(stat("dispatcher_lookups"), 2);
  cr_assert_eq(FM->n_translate, 2);
  /* and the exits' own probe looks at the victim too: after the first
  ** few, the blocks reach each other without the dispatcher */
  cr_assert_leq(stat("dispatcher_entries"), 4);
  /* a dropped block is forgotten in both places: B changes, then A */
  bb.inc = 10;
  FM->eng->invalidate(FM->eng_inst, pcb, 4);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100);
  EQ(FM->cpu->x[2], 50 + 500);
  a.inc = 3;
  FM->eng->invalidate(FM->eng_inst, PC0, 4);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 100 + 150);
  EQ(FM->cpu->x[2], 550 + 500);
  n = FM->n_translate;
  /* a flush of the jump cache, whole or of the page, drops the victims
  ** too: both blocks are looked up anew, once */
  l0 = stat("dispatcher_lookups");
  FM->eng->vcache_flush(FM->eng_inst, &FM->cpu->hdr);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(stat("dispatcher_lookups"), l0 + 2);
  FM->eng->vcache_flush_page(FM->eng_inst, &FM->cpu->hdr, pcb);
  cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
  EQ(stat("dispatcher_lookups"), l0 + 4);
  EQ(FM->cpu->x[1], 250 + 300);
  EQ(FM->cpu->x[2], 1050 + 1000);
  cr_assert_eq(FM->n_translate, n);   /* found in the hash table */
}

Test(tjit, vcache_flush_unlinks_chains)
{
  unsigned long long l0;
  fm_ping_pong();
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  l0 = stat("chain_links");
  cr_assert_geq(l0, 2);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  EQ(stat("chain_links"), l0);         /* still linked: nothing new */
  FM->eng->vcache_flush(FM->eng_inst, &FM->cpu->hdr);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  cr_assert_gt(stat("chain_links"), l0); /* linked again */
  EQ(FM->cpu->x[1], 15);
  EQ(FM->cpu->x[2], 15);
  cr_assert_eq(FM->n_translate, 2);    /* found in the hash table */
}

/* ---- two harts, two mappings ---- */

#define MV     0x400000ull             /* code VA: a page, then the next */
#define CODE_A (RAM_BASE + 0x40000)    /* MV's physical page (both harts) */
#define PTE_VRXA (0x01ull | 0x02ull | 0x08ull | 0x40ull)

/* the block at MV + 0x1000: x2 += 1 in hart 0's physical page there
** (CODE_A + 0x1000), += 100 in hart 1's (CODE_A + 0x2000); back to MV */
static void build_by_page(vmrun_ir_block *b, void *arg)
{
  inc_blk k = { 2, b->phys_pc == CODE_A + 0x1000 ? 1 : 100, MV };
  (void)arg;
  build_inc(b, &k);
}

/* Sv39 tables for one hart: MV -> CODE_A, MV + 0x1000 -> next */
static void map_hart(fake_cpu *cpu, fm_pt *pt, uint64_t base, uint64_t next)
{
  vmrun_paging p;
  fm_pt_init(pt, base, base + 0x10000, 3);
  *fm_ram64(fm_pte_addr(pt, MV, 0)) = fm_mkpte(CODE_A, PTE_VRXA);
  *fm_ram64(fm_pte_addr(pt, MV + 0x1000, 0)) = fm_mkpte(next, PTE_VRXA);
  memset(&p, 0, sizeof p);
  p.mode = VMRUN_PAGING_SV39;
  p.root = pt->root;
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, &cpu->hdr, 1, &p), 0);
  cpu->hdr.mmu_idx = cpu->hdr.mmu_idx_fetch = 1;
}

/* The page at MV is the same physical page for both harts, the page after
** it is not.  A chain from MV's block into the next page, made by hart 0,
** must not take hart 1 into hart 0's code. */
Test(tjit, harts_do_not_share_chains_into_another_page)
{
  static inc_blk a = { 1, 1, MV + 0x1000 };
  fake_cpu *h1 = fm_add_cpu();
  fm_pt pt0, pt1;
  unsigned long long d0;
  map_hart(FM->cpu, &pt0, RAM_BASE + 0x10000, CODE_A + 0x1000);
  map_hart(h1, &pt1, RAM_BASE + 0x20000, CODE_A + 0x2000);
  fm_block(MV, build_inc, &a);
  fm_block(MV + 0x1000, build_by_page, NULL);
  cr_assert_eq(fm_run(MV, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 50);
  EQ(FM->cpu->x[2], 50);
  cr_assert_eq(fm_run_cpu(h1, MV, 100), VMRUN_RUN_BUDGET);
  EQ(h1->x[1], 50);
  EQ(h1->x[2], 50 * 100);             /* its own page's block */
  cr_assert_eq(FM->n_translate, 3);    /* MV's block is shared */
  cr_assert_eq(fm_run(MV, 100), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[2], 100);
  /* those exits look in the running vCPU's jump cache: warm, they reach
  ** the next block without the dispatcher */
  d0 = stat("dispatcher_entries");
  cr_assert_eq(fm_run_cpu(h1, MV, 100), VMRUN_RUN_BUDGET);
  cr_assert_eq(fm_run(MV, 100), VMRUN_RUN_BUDGET);
  cr_assert_leq(stat("dispatcher_entries") - d0, 2);
  EQ(h1->x[2], 100 * 100);
  EQ(FM->cpu->x[2], 150);
  EQ(stat("block_entries"), 500);
}

/* a plain CALL that requests an exit once x1 reaches 5: the chained
** self-loop must notice at the next block entry */
static uint64_t h_kick(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  (void)a; (void)b; (void)c;
  if (((fake_cpu *)cpu)->x[1] >= 5) cpu->exit_request |= VMRUN_EXIT_TIMER;
  return 0;
}

static void build_kick(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir(b, VMRUN_IR_CALL, 8, 1, 0, 0, (uint64_t)(uintptr_t)h_kick, 0);
  ir_exit(b, b->pc);
}

Test(tjit, exit_request_seen_by_chained_block)
{
  fm_block(PC0, build_kick, NULL);
  cr_assert_eq(fm_run(PC0, 1000), VMRUN_RUN_EXIT);
  EQ(FM->cpu->x[1], 5);
  EQ(FM->cpu->hdr.icount, 5);
  EQ(FM->cpu->hdr.insn_budget, 995);
  EQ(FM->cpu->hdr.pc, PC0);
  cr_assert_eq(FM->cpu->hdr.exit_request, VMRUN_EXIT_TIMER);
  FM->cpu->hdr.exit_request = 0;
  FM->cpu->x[1] = 0;
  /* tb_flags changed behind the chain's back: the chained entry check
  ** sends control back to the dispatcher, which translates anew */
  FM->cpu->hdr.tb_flags = 0;
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 3);
}

/* A one-block loop (its exit leads to its own pc) runs through its
** loop-back code: x1 += inc, and a helper that, once x1 reaches 10,
** changes the code (inc) and invalidates the block, as a store to its
** page would.  The running loop must leave the stale code at its next
** back edge; the budget and icount stay exact. */
static inc_blk self_k = { 1, 1, 0 };

static uint64_t h_smc(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  (void)a; (void)b; (void)c;
  if (((fake_cpu *)cpu)->x[1] == 10 && self_k.inc == 1) {
    self_k.inc = 100;
    FM->eng->invalidate(FM->eng_inst, PC0, 4);
  }
  return 0;
}

static void build_self(vmrun_ir_block *b, void *arg)
{
  inc_blk *k = arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_addi(b, k->reg, 0, k->inc);
  ir(b, VMRUN_IR_CALL, 8, 1, 0, 0, (uint64_t)(uintptr_t)h_smc, 0);
  ir_insn(b, b->pc + 4);
  ir_addi(b, 2, 2, 2);                 /* x2 += 2: a second register */
  ir_exit(b, b->pc);
}

Test(tjit, one_block_loop_loops_back_and_stops_when_invalidated)
{
  self_k.inc = 1;
  fm_block(PC0, build_self, &self_k);
  cr_assert_eq(fm_run(PC0, 40), VMRUN_RUN_BUDGET);   /* 20 iterations */
  EQ(FM->cpu->x[1], 10 + 10 * 100);
  EQ(FM->cpu->x[2], 40);
  EQ(FM->cpu->hdr.icount, 40);
  EQ(FM->cpu->hdr.insn_budget, 0);
  EQ(FM->cpu->hdr.pc, PC0);
  cr_assert_eq(FM->n_translate, 2);
  EQ(stat("blocks_invalidated"), 1);
  /* all but the first entry of each translation came through the chain */
  EQ(stat("block_entries"), 20);
  cr_assert_leq(stat("dispatcher_entries"), 4);
  /* an odd budget stops the loop at a block boundary, as at entry */
  cr_assert_eq(fm_run(PC0, 7), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[2], 48);
  EQ(FM->cpu->hdr.icount, 48);
}

/* x1 += 1; when x1 reaches 5, tb_flags = 7 (as riscv64 sets FS Dirty
** with a PUT); loop */
static void build_self_flags(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_movi(b, 2, 5);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 2, l, 0)->cond = VMRUN_IR_NE;
  ir_movi(b, 1, 7);
  ir(b, VMRUN_IR_PUT, 4, 0, 1, 0, offsetof(vmrun_cpu, tb_flags), 0);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc);
}

/* A loop's way back skips the tb_flags check only when the block cannot
** change them.  This one loops to itself four times, then changes them:
** it must leave, and the dispatcher translates the variant for the new
** flags, which loops from then on. */
Test(tjit, loop_that_changes_tb_flags_is_looked_up_again)
{
  FM->cpu->hdr.tb_flags = 0;
  fm_block(PC0, build_self_flags, NULL);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 10);
  EQ(FM->cpu->hdr.tb_flags, 7);
  EQ(FM->cpu->hdr.icount, 10);
  cr_assert_eq(FM->n_translate, 2);
  EQ(stat("block_entries"), 10);
}

/* A: x1 += 1, and when x1 reaches 3 tb_flags = 7; on to B.  B: x2 += 1
** under tb_flags 0, += 100 under 7 (a translation per flags); back to A */
static void build_flags_a(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_movi(b, 2, 3);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 2, l, 0)->cond = VMRUN_IR_NE;
  ir_movi(b, 1, 7);
  ir(b, VMRUN_IR_PUT, 4, 0, 1, 0, offsetof(vmrun_cpu, tb_flags), 0);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, PC0 + 0x1000);
}

static void build_flags_b(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 1);
  ir_insn(b, b->pc);
  ir_addi(b, 2, 0, b->tb_flags == 7 ? 100 : 1);
  ir_exit(b, PC0);
}

/* A chained jump skips its target's tb_flags check only from a block
** that cannot change them (tjit_chain_at).  A changes them in its third
** run, when its chain to B (made in the first) is in place: B's check
** must send control to the dispatcher, which translates B for flags 7. */
Test(tjit, chain_from_a_block_that_changes_tb_flags_checks_them)
{
  FM->cpu->hdr.tb_flags = 0;
  fm_block(PC0, build_flags_a, NULL);
  fm_block(PC0 + 0x1000, build_flags_b, NULL);
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 5);
  EQ(FM->cpu->x[2], 1 + 1 + 100 + 100 + 100);
  EQ(FM->cpu->hdr.tb_flags, 7);
  cr_assert_eq(FM->n_translate, 4);    /* A and B, for flags 0 and 7 */
  cr_assert_geq(stat("chain_links"), 2);
}

/* A loop whose latch is a conditional branch: x1 += 1 (and, with arg,
** a helper: h_latch), then "x1 != x3: loop, else leave to pc + 8", the
** shape a compiled loop has (BRCOND over the leaving exit to the one
** back to the block's own pc, whose checks come before the chain's
** jump: emit_exit_direct). */
static int latch_mode;            /* 1: exit request at x1 == 7;
                                     2: invalidate at x1 == 10 */
static uint64_t latch_inc = 1;

static uint64_t h_latch(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c)
{
  uint64_t x1 = ((fake_cpu *)cpu)->x[1];
  (void)a; (void)b; (void)c;
  if (latch_mode == 1 && x1 == 7) cpu->exit_request |= VMRUN_EXIT_TIMER;
  if (latch_mode == 2 && x1 == 10 && latch_inc == 1) {
    latch_inc = 100;
    FM->eng->invalidate(FM->eng_inst, PC0, 4);
  }
  return 0;
}

static void build_latch(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, latch_inc);
  if (arg)
    ir(b, VMRUN_IR_CALL, 8, 2, 0, 0, (uint64_t)(uintptr_t)h_latch, 0);
  ir_insn(b, b->pc + 4);
  ir_get(b, 3, 3);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 0, 3, l, 0)->cond = VMRUN_IR_NE;
  ir_exit(b, b->pc + 8);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc);
}

static void latch_setup(int mode, int call)
{
  latch_mode = mode;
  latch_inc = 1;
  fm_block(PC0, build_latch, call ? (void *)1 : NULL);
  FM->eng->invalidate(FM->eng_inst, PC0, 4);     /* another builder */
  FM->cpu->x[1] = 0;
  FM->cpu->hdr.icount = 0;
}

Test(tjit, loop_latch_runs_to_its_end)
{
  for (int call = 0; call < 2; call++) {
    uint64_t d0;
    latch_setup(0, call);
    FM->cpu->x[3] = 50;
    d0 = stat("dispatcher_entries");
    /* the loop leaves to PC0 + 8, where there is no block: a budget of
    ** exactly 100 instructions ends there */
    cr_assert_eq(fm_run(PC0, 100), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[1], 50);
    EQ(FM->cpu->hdr.icount, 100);
    EQ(FM->cpu->hdr.pc, PC0 + 8);
    cr_assert_leq(stat("dispatcher_entries") - d0, 3);
  }
}

Test(tjit, loop_latch_stops_at_the_budget_and_an_exit_request)
{
  latch_setup(0, 0);
  FM->cpu->x[3] = 50;
  cr_assert_eq(fm_run(PC0, 21), VMRUN_RUN_BUDGET);   /* 10.5 iterations */
  EQ(FM->cpu->x[1], 11);
  EQ(FM->cpu->hdr.icount, 22);
  EQ(FM->cpu->hdr.pc, PC0);
  latch_setup(1, 1);
  FM->cpu->x[3] = 50;
  cr_assert_eq(fm_run(PC0, 1000), VMRUN_RUN_EXIT);
  EQ(FM->cpu->x[1], 7);
  EQ(FM->cpu->hdr.icount, 14);
  EQ(FM->cpu->hdr.pc, PC0);
  FM->cpu->hdr.exit_request = 0;
}

Test(tjit, loop_latch_leaves_stale_code_when_invalidated)
{
  latch_setup(2, 1);
  FM->cpu->x[3] = 10 + 5 * 100;
  cr_assert_eq(fm_run(PC0, 30), VMRUN_RUN_BUDGET);  /* 10 + 5 iterations */
  EQ(FM->cpu->x[1], 10 + 5 * 100);
  EQ(FM->cpu->hdr.pc, PC0 + 8);
  EQ(FM->cpu->hdr.icount, 30);
  cr_assert_eq(FM->n_translate, 2);
}

/* ---- code cache exhaustion ---- */

static int cfg_small(vmrun_cfg *node, const char *key, uint64_t def,
                     uint64_t *out)
{
  (void)node;
  if (strcmp(key, "code_cache") == 0) *out = 16384;
  else *out = def;
  return 0;
}

static void use_small_cache(void)
{
  fake_host.cfg_u64 = cfg_small;
  fm_engine_recreate((vmrun_cfg *)(uintptr_t)1, NULL);
  fake_host.cfg_u64 = NULL;
}

#define NBLK 32
#define NINS 30
#define CNT (RAM_BASE + 0x80000) /* a counter in guest RAM */

/* block k: NINS x { x1 += k + 1; mem[CNT] += 1 }; then the next block */
static void build_big(vmrun_ir_block *b, void *arg)
{
  uint64_t k = (uint64_t)(uintptr_t)arg;
  ir_temps(b, 3);
  for (unsigned i = 0; i < NINS; i++) {
    ir_insn(b, b->pc + 4 * i);
    ir_get(b, 0, 1);
    ir(b, VMRUN_IR_ADD, 8, 0, 0, 0, k + 1, VMRUN_IR_F_BIMM);
    ir_movi(b, 2, CNT);
    ir(b, VMRUN_IR_LD, 8, 1, 2, 0, 0, 0);
    ir(b, VMRUN_IR_ADD, 8, 1, 1, 0, 1, VMRUN_IR_F_BIMM);
    ir(b, VMRUN_IR_ST, 8, 0, 2, 1, 0, 0);
    ir_put(b, 1, 0);
  }
  ir_exit(b, k + 1 < NBLK ? b->pc + 0x100 : PC0);
}

Test(tjit, code_cache_full_flushes_and_continues)
{
  uint64_t sum = 0, mem;
  use_small_cache();
  for (uint64_t k = 0; k < NBLK; k++) {
    fm_block(PC0 + 0x100 * k, build_big, (void *)(uintptr_t)k);
    sum += NINS * (k + 1);
  }
  cr_assert_eq(fm_run(PC0, 3 * NBLK * NINS), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 3 * sum);
  memcpy(&mem, FM->ram + (CNT - RAM_BASE), 8);
  EQ(mem, 3 * NBLK * NINS);
  EQ(FM->cpu->hdr.icount, 3 * NBLK * NINS);
  EQ(FM->cpu->hdr.pc, PC0);
  cr_assert_gt(stat("code_cache_full"), 0);
  cr_assert_eq(FM->n_log_err, 0);
  cr_assert_eq(FM->n_translate, (int)stat("blocks_translated"));
  cr_assert_gt(FM->n_translate, NBLK); /* translated again after flushes */
}

/* x1 += 5 and x2 = x3 + 7; with arg non-NULL also a chain of results
** nothing reads (a jal's link to x0, a dead compare of it), between and
** after the live ops */
static void build_dead(vmrun_ir_block *b, void *arg)
{
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 5);
  if (arg) {
    ir_movi(b, 4, 0x1234);
    ir(b, VMRUN_IR_ADD, 8, 5, 4, 0, 3, VMRUN_IR_F_BIMM);
    ir(b, VMRUN_IR_SETCC, 8, 6, 5, 4, 0, 0)->cond = VMRUN_IR_LTU;
  }
  ir_insn(b, b->pc + 4);
  ir_get(b, 1, 3);
  ir(b, VMRUN_IR_ADD, 8, 2, 1, 0, 7, VMRUN_IR_F_BIMM);
  ir_put(b, 2, 2);
  if (arg) ir(b, VMRUN_IR_XOR, 8, 7, 2, 1, 0, 0);
  ir_exit(b, b->pc + 8);
}

/* Pure ops whose results no op reads emit no code: the block with them
** is exactly as long as the block without, and computes the same. */
Test(tjit, dead_results_emit_no_code)
{
  unsigned long long plain, with_dead;
  fm_block(PC0, build_dead, NULL);
  fm_block(PC0 + 0x1000, build_dead, (void *)1);
  FM->cpu->x[3] = 100;
  cr_assert_eq(fm_run(PC0, 2), VMRUN_RUN_BUDGET);
  plain = stat("code_bytes");
  EQ(FM->cpu->x[1], 5);
  EQ(FM->cpu->x[2], 107);
  cr_assert_eq(fm_run(PC0 + 0x1000, 2), VMRUN_RUN_BUDGET);
  with_dead = stat("code_bytes") - plain;
  EQ(FM->cpu->x[1], 10);
  EQ(FM->cpu->x[2], 107);
  EQ(FM->cpu->hdr.icount, 4);
  EQ(with_dead, plain);
}

/* x1 += 5, then a side exit to pc + 0x100 when x3 < x4 (a BRCOND to a
** label after the last exit), else x2 += 7; with arg non-NULL also a
** result nothing reads, just before the branch */
static void build_dead_side(vmrun_ir_block *b, void *arg)
{
  uint32_t l = vmrun_ir_label(b);
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 5);
  ir_get(b, 1, 3);
  ir_get(b, 2, 4);                     /* (not a MOVI: no immediate) */
  if (arg) ir_movi(b, 4, 0x1234);
  ir(b, VMRUN_IR_BRCOND, 8, 0, 1, 2, l, 0)->cond = VMRUN_IR_LTU;
  ir_insn(b, b->pc + 4);
  ir_addi(b, 2, 5, 7);
  ir_exit(b, b->pc + 8);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  ir_exit(b, b->pc + 0x100);
}

/* A side exit's label needs no temp, so a result nothing reads before
** the branch is dropped as on a straight path; both ways out still
** retire the right instructions. */
Test(tjit, dead_results_before_a_side_exit)
{
  unsigned long long plain, with_dead;
  fm_block(PC0, build_dead_side, NULL);
  fm_block(PC0 + 0x1000, build_dead_side, (void *)1);
  FM->cpu->x[4] = 100;
  FM->cpu->x[3] = 5;                              /* taken */
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  plain = stat("code_bytes");
  EQ(FM->cpu->hdr.pc, PC0 + 0x100);
  EQ(FM->cpu->hdr.icount, 1);
  FM->cpu->x[3] = 500;                            /* not taken */
  cr_assert_eq(fm_run(PC0 + 0x1000, 2), VMRUN_RUN_BUDGET);
  with_dead = stat("code_bytes") - plain;
  EQ(FM->cpu->hdr.pc, PC0 + 0x1008);
  EQ(FM->cpu->hdr.icount, 3);
  EQ(FM->cpu->x[1], 10);
  EQ(FM->cpu->x[2], 7);
  EQ(with_dead, plain);
}

/* "x3 cond imm": side exit to pc + 0x100 when it holds, else x2 = 1; the
** constant from a MOVI right before the BRCOND, which compares with the
** immediate (FWD_BIMM) unless the MOVI's temp is read again (live: x5 =
** the constant on both ways out) */
typedef struct bri { unsigned cond, size, live; uint64_t imm; } bri;

static void build_brimm(vmrun_ir_block *b, void *arg)
{
  const bri *k = arg;
  uint32_t l = vmrun_ir_label(b);
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_get(b, 0, 3);
  ir_movi(b, 1, k->imm);
  ir(b, VMRUN_IR_BRCOND, k->size, 0, 0, 1, l, 0)->cond = (uint8_t)k->cond;
  if (k->live) ir_put(b, 5, 1);
  ir_insn(b, b->pc + 4);
  ir_movi(b, 2, 1);
  ir_put(b, 2, 2);
  ir_exit(b, b->pc + 8);
  ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, l, 0);
  if (k->live) ir_put(b, 5, 1);
  ir_exit(b, b->pc + 0x100);
}

static int cond_holds(unsigned cond, unsigned size, uint64_t a, uint64_t b)
{
  if (size == 4) {
    a = (uint64_t)(int64_t)(int32_t)a;   /* as compared: low 32 bits */
    b = (uint64_t)(int64_t)(int32_t)b;
  }
  switch (cond) {
  case VMRUN_IR_EQ: return a == b;
  case VMRUN_IR_NE: return a != b;
  case VMRUN_IR_LT: return (int64_t)a < (int64_t)b;
  case VMRUN_IR_GE: return (int64_t)a >= (int64_t)b;
  case VMRUN_IR_LTU:
    return size == 4 ? (uint32_t)a < (uint32_t)b : a < b;
  default:
    return size == 4 ? (uint32_t)a >= (uint32_t)b : a >= b;
  }
}

/* Every condition, 64- and 32-bit, against 0 (test r, r), a small
** constant, -1 and one that does not fit 32 bits (a register compare) */
Test(tjit, brcond_with_a_constant)
{
  static const uint64_t imms[] = { 0, 100, ~0ull, 0x100000000ull };
  static const uint64_t xs[] = { 0, 5, 100, ~0ull, 0x100000000ull,
                                 0xffffffff00000064ull };
  for (unsigned cond = 0; cond < VMRUN_IR_NB_CONDS; cond++)
    for (unsigned sz = 4; sz <= 8; sz += 4)
      for (unsigned im = 0; im < 4; im++)
        for (unsigned live = 0; live < 2; live++) {
          bri k = { cond, sz, live, imms[im] };
          FM->eng->flush(FM->eng_inst);
          fm_block(PC0, build_brimm, &k);
          for (unsigned xi = 0; xi < 6; xi++) {
            int want = cond_holds(cond, sz, xs[xi], imms[im]);
            FM->cpu->x[3] = xs[xi];
            FM->cpu->x[2] = FM->cpu->x[5] = 7;
            fm_run(PC0, want ? 1 : 2);
            cr_assert_eq(FM->cpu->hdr.pc, PC0 + (want ? 0x100 : 8),
                         "cond %u size %u imm 0x%llx x 0x%llx", cond, sz,
                         (unsigned long long)imms[im],
                         (unsigned long long)xs[xi]);
            EQ(FM->cpu->x[2], want ? 7 : 1);
            EQ(FM->cpu->x[5], live ? imms[im] : 7);
          }
        }
}

/* x4 = x3 through MOV (arg NULL) or through 64-bit ADD/SUB/OR/XOR with
** immediate 0 (arg: the opcode), and x5 = x3 + 0 in 32 bits (sign-extended:
** never a plain copy) */
static void build_copy(vmrun_ir_block *b, void *arg)
{
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_get(b, 0, 3);
  if (arg)
    ir(b, (unsigned)(uintptr_t)arg, 8, 1, 0, 0, 0, VMRUN_IR_F_BIMM);
  else
    ir(b, VMRUN_IR_MOV, 8, 1, 0, 0, 0, 0);
  ir_put(b, 4, 1);
  ir(b, VMRUN_IR_ADD, 4, 2, 0, 0, 0, VMRUN_IR_F_BIMM);
  ir(b, VMRUN_IR_SEXT, 4, 3, 2, 0, 0, 0);
  ir_put(b, 5, 3);
  ir_exit(b, b->pc + 4);
}

/* "x op 0" in 64 bits is a copy: the same code as a MOV */
Test(tjit, add_zero_is_a_copy)
{
  static const unsigned ops[] = { VMRUN_IR_ADD, VMRUN_IR_SUB, VMRUN_IR_OR,
                                  VMRUN_IR_XOR };
  unsigned long long mov, prev;
  fm_block(PC0, build_copy, NULL);
  for (unsigned i = 0; i < 4; i++)
    fm_block(PC0 + 0x1000 * (i + 1), build_copy, (void *)(uintptr_t)ops[i]);
  FM->cpu->x[3] = 0x80000000fedcba98ull;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  mov = stat("code_bytes");
  for (unsigned i = 0; i < 4; i++) {
    FM->cpu->x[4] = FM->cpu->x[5] = 0;
    prev = stat("code_bytes");
    cr_assert_eq(fm_run(PC0 + 0x1000 * (i + 1), 1), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[4], 0x80000000fedcba98ull);
    EQ(FM->cpu->x[5], 0xfffffffffedcba98ull);
    EQ(stat("code_bytes") - prev, mov);
  }
}

/* x4 = ext(x3) and x5 = ext(x5) for one (op, size): arg = op << 8 | size */
static void build_ext(vmrun_ir_block *b, void *arg)
{
  unsigned k = (unsigned)(uintptr_t)arg, op = k >> 8, size = k & 0xff;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_get(b, 0, 3);
  ir(b, op, size, 1, 0, 0, 0, 0);
  ir_put(b, 4, 1);
  ir_insn(b, b->pc + 4);
  ir_get(b, 2, 5);
  ir(b, op, size, 3, 2, 0, 0, 0);
  ir_put(b, 5, 3);
  ir_exit(b, b->pc + 8);
}

/* SEXT/ZEXT of a cached register straight into another (or the same) one:
** every width and both signs */
Test(tjit, ext_into_a_cached_register)
{
  static const struct { unsigned op, size; uint64_t want; } t[] = {
    { VMRUN_IR_SEXT, 4, 0xfffffffffedcba98ull },
    { VMRUN_IR_ZEXT, 4, 0x00000000fedcba98ull },
    { VMRUN_IR_SEXT, 2, 0xffffffffffffba98ull },
    { VMRUN_IR_ZEXT, 2, 0x000000000000ba98ull },
    { VMRUN_IR_SEXT, 1, 0xffffffffffffff98ull },
    { VMRUN_IR_ZEXT, 1, 0x0000000000000098ull },
  };
  for (unsigned i = 0; i < 6; i++) {
    uint64_t pc = PC0 + 0x1000 * i;
    fm_block(pc, build_ext, (void *)(uintptr_t)(t[i].op << 8 | t[i].size));
    FM->cpu->x[3] = FM->cpu->x[5] = 0x80000000fedcba98ull;
    FM->cpu->x[4] = 0;
    cr_assert_eq(fm_run(pc, 2), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[4], t[i].want);
    EQ(FM->cpu->x[5], t[i].want);
    EQ(FM->cpu->x[3], 0x80000000fedcba98ull);
  }
}

/* x4 = x3 + 5; x6 = (x3 + 0x7fffffff) as a 32-bit op, sign-extended;
** x7 = x3 << x8; x9 = x3 - x9 (B is the old value of the destination) */
static void build_op_into(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 16);
  ir_insn(b, b->pc);                   /* x10 = x4 + x6 + x7: all cached */
  ir_get(b, 11, 4);
  ir_get(b, 12, 6);
  ir_get(b, 13, 7);
  ir(b, VMRUN_IR_ADD, 8, 14, 11, 12, 0, 0);
  ir(b, VMRUN_IR_ADD, 8, 15, 14, 13, 0, 0);
  ir_put(b, 10, 15);
  ir_insn(b, b->pc + 4);
  ir_get(b, 0, 3);
  ir(b, VMRUN_IR_ADD, 8, 1, 0, 0, 5, VMRUN_IR_F_BIMM);
  ir_put(b, 4, 1);
  ir_insn(b, b->pc + 8);
  ir_get(b, 2, 3);
  ir(b, VMRUN_IR_ADD, 4, 3, 2, 0, 0x7fffffff, VMRUN_IR_F_BIMM);
  ir(b, VMRUN_IR_SEXT, 4, 4, 3, 0, 0, 0);
  ir_put(b, 6, 4);
  ir_insn(b, b->pc + 12);
  ir_get(b, 5, 3);
  ir_get(b, 6, 8);
  ir(b, VMRUN_IR_SHL, 8, 7, 5, 6, 0, 0);
  ir_put(b, 7, 7);
  ir_insn(b, b->pc + 16);
  ir_get(b, 8, 3);
  ir_get(b, 9, 9);
  ir(b, VMRUN_IR_SUB, 8, 10, 8, 9, 0, 0);
  ir_put(b, 9, 10);
  ir_exit(b, b->pc + 20);
}

/* "x = y op B" computed in x's cached register */
Test(tjit, op_into_another_cached_register)
{
  fm_block(PC0, build_op_into, NULL);
  FM->cpu->x[3] = 0x100000010ull;
  FM->cpu->x[8] = 4;
  FM->cpu->x[9] = 0x10;
  FM->cpu->x[4] = 1;
  FM->cpu->x[6] = 2;
  FM->cpu->x[7] = 3;
  cr_assert_eq(fm_run(PC0, 5), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[10], 6);
  EQ(FM->cpu->x[3], 0x100000010ull);
  EQ(FM->cpu->x[4], 0x100000015ull);
  EQ(FM->cpu->x[6], 0xffffffff8000000full);
  EQ(FM->cpu->x[7], 0x1000000100ull);
  EQ(FM->cpu->x[9], 0x100000000ull);
}

/* x = (x << k) + y, two guest instructions on cached registers, is one
** `lea x, [y + x*2^k]` for k = 1..3 (codegen.c, emit_inplace): x1 with
** k = 1, x2 (negative) with k = 3; x3 = (x3 << 2) + x3 adds the shifted
** value to itself, and x6 shifts by 4: neither can be that lea.  Then
** x1 = ((x1 << 2) + x4) + x5: only the first add joins the shift (the
** lea is as long as the shl, and a second add must not replace it) */
static void build_index(vmrun_ir_block *b, void *arg)
{
  static const unsigned dst[4] = { 1, 2, 3, 6 }, src[4] = { 4, 5, 3, 4 },
                        k[4] = { 1, 3, 2, 4 };
  (void)arg;
  ir_temps(b, 16);
  for (unsigned j = 0; j < 4; j++) {
    ir_insn(b, b->pc + 8 * j);
    ir_get(b, 0, dst[j]);
    ir(b, VMRUN_IR_SHL, 8, 1, 0, 0, k[j], VMRUN_IR_F_BIMM);
    ir_put(b, dst[j], 1);
    ir_insn(b, b->pc + 8 * j + 4);
    ir_get(b, 2, dst[j]);
    ir_get(b, 3, src[j]);
    ir(b, VMRUN_IR_ADD, 8, 4, 2, 3, 0, 0);
    ir_put(b, dst[j], 4);
  }
  ir_insn(b, b->pc + 32);
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_SHL, 8, 1, 0, 0, 2, VMRUN_IR_F_BIMM);
  ir_put(b, 1, 1);
  for (unsigned j = 0; j < 2; j++) {
    ir_insn(b, b->pc + 36 + 4 * j);
    ir_get(b, 2, 1);
    ir_get(b, 3, 4 + j);
    ir(b, VMRUN_IR_ADD, 8, 4, 2, 3, 0, 0);
    ir_put(b, 1, 4);
  }
  ir_exit(b, b->pc + 44);
}

Test(tjit, shift_then_add_is_an_index)
{
  fm_block(PC0, build_index, NULL);
  FM->cpu->x[1] = 0x1234;
  FM->cpu->x[4] = 0x10000;
  FM->cpu->x[2] = (uint64_t)-3;
  FM->cpu->x[5] = 7;
  FM->cpu->x[3] = 5;
  FM->cpu->x[6] = 0x11;
  cr_assert_eq(fm_run(PC0, 11), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], ((0x1234 * 2 + 0x10000) << 2) + 0x10000 + 7);
  EQ(FM->cpu->x[2], (uint64_t)-24 + 7);
  EQ(FM->cpu->x[3], 40);
  EQ(FM->cpu->x[6], 0x110 + 0x10000);
  EQ(FM->cpu->x[4], 0x10000);
  EQ(FM->cpu->x[5], 7);
  EQ(FM->cpu->hdr.icount, 11);
  EQ(FM->cpu->hdr.pc, PC0 + 44);
}

/* x1..x6 read often (cached), x20..x26 once (not): x1 = x20 + x1 (y in
** memory: x1 op y in x1's register), x2 = 100 - x22 (100 left in rax by
** the MOVI before: moved into x2's register), x3 = x23 << x24 (x23 loaded
** into x3's register), x4 = 7 + x4 (7 in rax: x4 += rax),
** x5 = sext32(x25 + x5), x6 = x26 ^ x1
** (x1's new value copied into x6's register first) */
static void build_mem_into(vmrun_ir_block *b, void *arg)
{
  unsigned t = 0;
  (void)arg;
  ir_temps(b, 64);
  ir_insn(b, b->pc);
  for (unsigned r = 1; r <= 6; r++)
    for (int k = 0; k < 3; k++) ir_get(b, t++, r);   /* unused reads */
  ir_insn(b, b->pc + 4);
  ir_get(b, 20, 20);
  ir_get(b, 21, 1);
  ir(b, VMRUN_IR_ADD, 8, 22, 20, 21, 0, 0);
  ir_put(b, 1, 22);
  ir_insn(b, b->pc + 8);
  ir_get(b, 24, 22);
  ir_movi(b, 23, 100);
  ir(b, VMRUN_IR_SUB, 8, 25, 23, 24, 0, 0);
  ir_put(b, 2, 25);
  ir_insn(b, b->pc + 12);
  ir_get(b, 26, 23);
  ir_get(b, 27, 24);
  ir(b, VMRUN_IR_SHL, 8, 28, 26, 27, 0, 0);
  ir_put(b, 3, 28);
  ir_insn(b, b->pc + 16);
  ir_get(b, 29, 4);
  ir_movi(b, 30, 7);
  ir(b, VMRUN_IR_ADD, 8, 31, 30, 29, 0, 0);
  ir_put(b, 4, 31);
  ir_insn(b, b->pc + 20);
  ir_get(b, 32, 25);
  ir_get(b, 33, 5);
  ir(b, VMRUN_IR_ADD, 4, 34, 32, 33, 0, 0);
  ir(b, VMRUN_IR_SEXT, 4, 35, 34, 0, 0, 0);
  ir_put(b, 5, 35);
  ir_insn(b, b->pc + 24);
  ir_get(b, 36, 26);
  ir_get(b, 37, 1);
  ir(b, VMRUN_IR_XOR, 8, 38, 36, 37, 0, 0);
  ir_put(b, 6, 38);
  ir_exit(b, b->pc + 28);
}

/* "x = y op B" with y not in a host register, into x's cached register */
Test(tjit, op_from_memory_into_a_cached_register)
{
  uint64_t *x = FM->cpu->x;
  fm_block(PC0, build_mem_into, NULL);
  for (unsigned r = 1; r <= 6; r++) x[r] = 0x1111111111111111ull * r;
  for (unsigned r = 20; r <= 26; r++) x[r] = 0x0102030405060708ull << (r - 20);
  x[24] = 12;
  x[25] = 0x7ffffff0;
  cr_assert_eq(fm_run(PC0, 7), VMRUN_RUN_BUDGET);
  EQ(x[1], 0x0102030405060708ull + 0x1111111111111111ull);
  EQ(x[2], 100 - (0x0102030405060708ull << 2));
  EQ(x[3], (0x0102030405060708ull << 3) << 12);
  EQ(x[4], 0x4444444444444444ull + 7);
  EQ(x[5], (uint64_t)(int64_t)(int32_t)(0x7ffffff0u + 0x55555555u));
  EQ(x[6], (0x0102030405060708ull << 6) ^ x[1]);
  EQ(x[21], 0x0102030405060708ull << 1);     /* sources unchanged */
  EQ(x[26], 0x0102030405060708ull << 6);
}

/* a load fault in a chained block restores pc/icount of its instruction */
static void build_ld_fault(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_movi(b, 0, 0x40000000); /* unmapped */
  ir_insn(b, b->pc + 4);
  ir(b, VMRUN_IR_LD, 4, 1, 0, 0, 8, 0);
  ir_put(b, 5, 1);
  ir_exit(b, b->pc + 8);
}

Test(tjit, fault_in_chained_block)
{
  static inc_blk a = { 1, 1, PC0 + 0x1000 };
  fm_block(PC0, build_inc, &a);
  fm_block(PC0 + 0x1000, build_ld_fault, NULL);
  FM->fault_stop = 0;
  fm_block(TRAP_PC, build_inc, &(inc_blk){ 3, 1, PC0 });
  /* PC0 -> B (fault) -> TRAP -> PC0 -> B (fault, chained) ... */
  cr_assert_eq(fm_run(PC0, 10), VMRUN_RUN_BUDGET);
  cr_assert_geq(FM->n_faults, 2);
  EQ(FM->f_pc, PC0 + 0x1004);
  EQ(FM->f_va, 0x40000008);
  EQ(FM->f_acc, VMRUN_ACCESS_LOAD);
  /* each round: 1 (A) + 1 (B's first insn) + 1 (trap) + 1 budget unit for
  ** the exception: 10 units = 2 full rounds + A + B's first insn */
  EQ(FM->cpu->x[1], 3);
  EQ(FM->cpu->x[3], 2);
  EQ(FM->cpu->hdr.icount, 3 + 3 + 2);
}

/* ---- engine defaults (no block_stats): the loop-back's lean forms ---- */

/* Without block_stats, the loop-back of a one-block loop that keeps
** tb_flags and calls no helper is the budget check's `jl` to the loop
** head, with no exit-request check (codegen.c, "tight loops").  The loop
** below stores x1 to the MMIO device, whose access requests an exit once
** x1 reaches 7: the slow path cuts the loop's chain, so the loop must
** leave at its next back edge, with the budget and icount exact.
** And a budget beyond 2^62 (generated code counts it as a negative
** number) runs and comes back whole. */
static void setup_lean(void)
{
  memset(fm_engine_opts, 0, sizeof fm_engine_opts);
  fm_setup(1, 32);
}

TestSuite(tjit_lean, .init = setup_lean, .fini = teardown);

/* the MMIO hook: an exit request when x1 reaches kick_x1 */
static uint64_t kick_x1;

static void kick_at(void)
{
  if (FM->cpu->x[1] == kick_x1)
    __atomic_or_fetch(&FM->cpu->hdr.exit_request, VMRUN_EXIT_TIMER,
                      __ATOMIC_SEQ_CST);
}

/* x1 += 1; [x2] = x1 (x2 = the MMIO device); then the pc at *arg, or
** loop (NULL) */
static void build_mmio_loop(vmrun_ir_block *b, void *arg)
{
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir_insn(b, b->pc + 4);
  ir_get(b, 0, 1);
  ir_get(b, 1, 2);
  ir(b, VMRUN_IR_ST, 8, 0, 1, 0, 0, 0);
  ir_exit(b, arg ? *(const uint64_t *)arg : b->pc);
}

Test(tjit_lean, loop_back_sees_an_exit_request, .timeout = 30)
{
  fm_block(PC0, build_mmio_loop, NULL);
  FM->cpu->x[2] = MMIO_BASE;
  kick_x1 = 7;
  fm_mmio_hook = kick_at;
  cr_assert_eq(fm_run(PC0, 1000), VMRUN_RUN_EXIT);
  fm_mmio_hook = NULL;
  EQ(FM->cpu->x[1], 7);
  EQ(FM->cpu->hdr.icount, 14);
  EQ(FM->cpu->hdr.insn_budget, 1000 - 14);
  EQ(FM->cpu->hdr.pc, PC0);
  cr_assert_eq(FM->n_mmio, 7);
  FM->cpu->hdr.exit_request = 0;
  /* and it stops at the budget: 5.5 iterations, rounded up to 6 */
  FM->cpu->x[1] = 0;
  FM->cpu->hdr.icount = 0;
  cr_assert_eq(fm_run(PC0, 11), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 6);
  EQ(FM->cpu->hdr.icount, 12);
  EQ(FM->cpu->hdr.insn_budget, 0);
}

Test(tjit_lean, budget_beyond_2_to_62, .timeout = 30)
{
  const uint64_t big = ~0ull - 5;
  fm_block(PC0, build_mmio_loop, NULL);
  FM->cpu->x[2] = MMIO_BASE;
  kick_x1 = 7;
  fm_mmio_hook = kick_at;
  FM->cpu->hdr.icount = 1000;
  cr_assert_eq(fm_run(PC0, big), VMRUN_RUN_EXIT);
  fm_mmio_hook = NULL;
  EQ(FM->cpu->x[1], 7);
  EQ(FM->cpu->hdr.icount, 1000 + 14);
  EQ(FM->cpu->hdr.insn_budget, big - 14);
  FM->cpu->hdr.exit_request = 0;
}

/* A request from another thread reaches a tight loop, which does not
** check exit_request, because the dispatcher gives generated code at most
** TJIT_LOOP_SLICE instructions per entry: with a budget of nearly 2^64 a
** run comes back soon after the kick (without the slice it would run for
** centuries), its count and budget exact. */
static void *kick_later(void *arg)
{
  (void)arg;
  usleep(50 * 1000);
  __atomic_or_fetch(&FM->cpu->hdr.exit_request, VMRUN_EXIT_TIMER,
                    __ATOMIC_SEQ_CST);
  return NULL;
}

Test(tjit_lean, tight_loop_sees_a_request_from_another_thread,
     .timeout = 30)
{
  const uint64_t big = ~0ull - 5;
  inc_blk self = { 1, 1, PC0 };
  pthread_t th;
  fm_block(PC0, build_inc, &self);
  cr_assert_eq(pthread_create(&th, NULL, kick_later, NULL), 0);
  cr_assert_eq(fm_run(PC0, big), VMRUN_RUN_EXIT);
  pthread_join(th, NULL);
  cr_assert_gt(FM->cpu->x[1], 0);
  EQ(FM->cpu->hdr.icount, FM->cpu->x[1]);
  EQ(FM->cpu->hdr.insn_budget, big - FM->cpu->x[1]);
  EQ(FM->cpu->hdr.pc, PC0);
  FM->cpu->hdr.exit_request = 0;
}

/* A forward chain from a block with no helper call enters its target
** past the exit-request check (cache.c, tjit_chain_at); the chain back
** (to a lower pc) does not skip it.  A: x1 += 1; [x2] = x1 (MMIO), then
** B at a higher pc: x3 += 1, then A again.  The MMIO access requests an
** exit when x1 reaches 5: A's slow path cuts A's chains, so A's exit
** returns to the dispatcher instead of running B unchecked. */
static const uint64_t fwd_b_pc = PC0 + 0x100;

static void build_fwd_b(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 1);
  ir_insn(b, b->pc);
  ir_addi(b, 3, 0, 1);
  ir_exit(b, PC0);
}

/* A': x1 += 1 and a helper call, flagged as an FP one (so the block
** keeps tb_flags and chains enter past that check) that requests an
** exit once x1 reaches 5 (h_kick); then B */
static void build_fwd_call(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_addi(b, 1, 0, 1);
  ir(b, VMRUN_IR_CALL, 8, 1, 0, 0, (uint64_t)(uintptr_t)h_kick,
     VMRUN_IR_F_FP);
  ir_exit(b, PC0 + 0x100);
}

/* the site of block `from` chained to `to` */
static const tjit_site *site_to(const tjit_block *from, const tjit_block *to)
{
  for (uint32_t k = 0; k < from->n_sites; k++)
    if (from->sites[k].target == to) return &from->sites[k];
  cr_assert_fail("no chain from 0x%llx to 0x%llx",
                 (unsigned long long)from->pc, (unsigned long long)to->pc);
  return NULL;
}

Test(tjit_lean, forward_chains_skip_the_exit_check_until_a_slow_path_kicks,
     .timeout = 30)
{
  tjit_vcpu *vd;
  tjit_block *a, *bb;
  fm_block(PC0, build_mmio_loop, (void *)&fwd_b_pc);
  fm_block(PC0 + 0x100, build_fwd_b, NULL);
  FM->cpu->x[2] = MMIO_BASE;
  cr_assert_eq(fm_run(PC0, 9), VMRUN_RUN_BUDGET);     /* 3 rounds */
  EQ(FM->cpu->x[1], 3);
  EQ(FM->cpu->x[3], 3);
  vd = FM->cpu->hdr.engine_data;
  a = vd->jc[TJIT_JC_IDX(PC0)];
  bb = vd->jc[TJIT_JC_IDX(PC0 + 0x100)];
  cr_assert(a && a->pc == PC0 && bb && bb->pc == PC0 + 0x100);
  cr_assert(a->quiet && bb->quiet);
  EQ(tjit_chain_at(site_to(a, bb), bb), bb->code_at + bb->fwd_at);
  cr_assert_lt(tjit_chain_at(site_to(bb, a), a), a->code_at + a->fwd_at);
  /* the kick in A's fifth round: A, B, A since x1 was 3 */
  kick_x1 = 5;
  fm_mmio_hook = kick_at;
  FM->cpu->hdr.icount = 0;
  cr_assert_eq(fm_run(PC0, 1000), VMRUN_RUN_EXIT);
  fm_mmio_hook = NULL;
  EQ(FM->cpu->x[1], 5);
  EQ(FM->cpu->x[3], 4);
  EQ(FM->cpu->hdr.pc, PC0 + 0x100);
  EQ(FM->cpu->hdr.icount, 2 + 1 + 2);
  FM->cpu->hdr.exit_request = 0;
}

/* A block that calls a helper is not quiet: its forward chain keeps the
** target's exit-request check, which stops the run before B. */
Test(tjit_lean, forward_chain_from_a_helper_call_checks, .timeout = 30)
{
  fm_block(PC0, build_fwd_call, NULL);
  fm_block(PC0 + 0x100, build_fwd_b, NULL);
  cr_assert_eq(fm_run(PC0, 1000), VMRUN_RUN_EXIT);
  EQ(FM->cpu->x[1], 5);
  EQ(FM->cpu->x[3], 4);
  EQ(FM->cpu->hdr.pc, PC0 + 0x100);
  EQ(FM->cpu->hdr.icount, 9);
  FM->cpu->hdr.exit_request = 0;
}

/* ---- known sign extensions (codegen.c, sx_plan) ---- */

#define SXW (RAM_BASE + 0x800)  /* a 32-bit word in guest RAM */

/* SEXTs of 4 bytes whose operand is, or is not, known to be sign-extended
** already (x1 = a value with bit 31 set and other upper bits) */
/* t0 = x1; x2 = t2 = sext32(t1 = 32-bit x1 >> 8): bit 31 clear, so the
** SEXT is a move */
static void ir_x2_srlw8(vmrun_ir_block *b)
{
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_SHR, 4, 1, 0, 0, 8, VMRUN_IR_F_BIMM);
  ir(b, VMRUN_IR_SEXT, 4, 2, 1, 0, 0, 0);
  ir_put(b, 2, 2);
}

static void build_sx(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 20);
  ir_insn(b, b->pc);
  ir_x2_srlw8(b);
  /* by 0: bit 31 may be set */
  ir(b, VMRUN_IR_SHR, 4, 3, 0, 0, 0, VMRUN_IR_F_BIMM);
  ir(b, VMRUN_IR_SEXT, 4, 4, 3, 0, 0, 0);
  ir_put(b, 3, 4);
  /* AND with 2^32 - 1 of an unknown value */
  ir(b, VMRUN_IR_AND, 8, 5, 0, 0, 0xffffffffu, VMRUN_IR_F_BIMM);
  ir(b, VMRUN_IR_SEXT, 4, 6, 5, 0, 0, 0);
  ir_put(b, 4, 6);
  /* x2 (PUT above from a known one) ^ x1 (unknown) */
  ir_get(b, 7, 2);
  ir(b, VMRUN_IR_XOR, 8, 8, 7, 0, 0, 0);
  ir(b, VMRUN_IR_SEXT, 4, 9, 8, 0, 0, 0);
  ir_put(b, 5, 9);
  /* x2 ^ a sign-extended constant: known */
  ir_movi(b, 10, 0x7fff0000u);
  ir(b, VMRUN_IR_XOR, 8, 11, 7, 10, 0, 0);
  ir(b, VMRUN_IR_SEXT, 4, 12, 11, 0, 0, 0);
  ir_put(b, 6, 12);
  /* a signed 32-bit load ^ x2: known; an unsigned one ^ x2: not */
  ir_movi(b, 13, SXW);
  ir(b, VMRUN_IR_LD, 4, 14, 13, 0, 0, VMRUN_IR_F_SIGNED);
  ir(b, VMRUN_IR_XOR, 8, 15, 14, 7, 0, 0);
  ir(b, VMRUN_IR_SEXT, 4, 16, 15, 0, 0, 0);
  ir_put(b, 7, 16);
  ir(b, VMRUN_IR_LD, 4, 17, 13, 0, 0, 0);
  ir(b, VMRUN_IR_XOR, 8, 18, 17, 7, 0, 0);
  ir(b, VMRUN_IR_SEXT, 4, 19, 18, 0, 0, 0);
  ir_put(b, 8, 19);
  ir_exit(b, b->pc + 4);
}

static void check_sx(void)
{
  const uint64_t x1 = 0x123456789abcdef0ull, x2 = 0x009abcdeull;
  const uint32_t word = 0x80000001u;
  unsigned long long before = stat("sext_moves");
  memcpy(FM->ram + (SXW - RAM_BASE), &word, 4);
  FM->cpu->x[1] = x1;
  cr_assert_eq(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[2], x2);
  EQ(FM->cpu->x[3], 0xffffffff9abcdef0ull);
  EQ(FM->cpu->x[4], 0xffffffff9abcdef0ull);
  EQ(FM->cpu->x[5], (uint64_t)(int64_t)(int32_t)(uint32_t)(x2 ^ x1));
  EQ(FM->cpu->x[6], x2 ^ 0x7fff0000u);
  EQ(FM->cpu->x[7], 0xffffffff809abcdfull);
  EQ(FM->cpu->x[8], 0xffffffff809abcdfull);
  /* the x2, x6 and x7 SEXTs are moves: no more, no fewer */
  EQ(stat("sext_moves") - before, 3);
}

Test(tjit, sign_extensions_known_from_the_ir)
{
  fm_block(PC0, build_sx, NULL);
  check_sx();
}

/* the same without the register cache: the SEXT template, not the
** in-place forms */
Test(tjit, sign_extensions_known_without_the_register_cache)
{
  ((tjit *)FM->eng_inst)->regcache = 0;
  fm_block(PC0, build_sx, NULL);
  check_sx();
}

/* With instrumentation (Lua hooks), an on_mmio hook may set a register
** during a load: x2, PUT sign-extended before an MMIO load and set by
** the hook to 0x80000000 during it, must be sign-extended afresh by a
** SEXT after the load. */
static void set_x2_hook(void) { FM->cpu->x[2] = 0x80000000u; }

static int no_instrument(void *opaque, vmrun_cpu *cpu, vmrun_ir_block *blk)
{
  (void)opaque; (void)cpu; (void)blk;
  return 0;
}

static void build_sx_mmio(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 8);
  ir_insn(b, b->pc);
  ir_x2_srlw8(b);
  ir_insn(b, b->pc + 4);
  ir_movi(b, 3, MMIO_BASE);
  ir(b, VMRUN_IR_LD, 4, 4, 3, 0, 0, VMRUN_IR_F_SIGNED);
  ir_put(b, 4, 4);
  ir_insn(b, b->pc + 8);
  ir_get(b, 5, 2);
  ir(b, VMRUN_IR_SEXT, 4, 6, 5, 0, 0, 0);
  ir_put(b, 3, 6);
  ir_exit(b, b->pc + 12);
}

Test(tjit, sign_extensions_forget_registers_an_mmio_hook_may_set)
{
  ((tjit *)FM->eng_inst)->env.instrument = no_instrument;
  fm_block(PC0, build_sx_mmio, NULL);
  fm_mmio_hook = set_x2_hook;
  FM->cpu->x[1] = 0x123456789abcdef0ull;
  cr_assert_eq(fm_run(PC0, 3), VMRUN_RUN_BUDGET);
  fm_mmio_hook = NULL;
  EQ(FM->cpu->x[3], 0xffffffff80000000ull);
}
