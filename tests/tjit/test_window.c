/*
** tests/tjit/test_window.c - tjit's RAM window (vmrun_ram_window, SDK
** 1.11): in a block flagged VMRUN_IR_BLK_PHYS_DATA, loads and stores
** inside the window are host accesses at host + (pa - base), everything
** else takes the softmmu's slow path.  The window here is its own buffer,
** not the fake machine's RAM (FM->ram, what the softmmu sees), so every
** check can tell which path an access took: a value read or written in
** `win` came through the window, one in FM->ram through the MMU.
*/
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/harness.h"

#define PC0 RAM_BASE
#define WIN_SIZE (RAM_SIZE / 2)        /* the first half of the RAM */

static uint8_t *win;
static uint8_t *granules;
static uint8_t *buf;                   /* win and granules, when near */
static vmrun_ram_window rw;

/* near: the code map right below the window, as the core places it (the
** generated code reaches it from r13); else apart (through a movabs) */
static void setup_layout(int near)
{
  size_t glen = WIN_SIZE >> VMRUN_RAM_GRANULE_BITS;
  fm_setup(1, 32);
  if (near) {
    buf = calloc(1, glen + WIN_SIZE);
    cr_assert(buf);
    granules = buf;
    win = buf + glen;
  } else {
    buf = NULL;
    win = calloc(1, WIN_SIZE);
    granules = calloc(1, glen);
  }
  cr_assert(win && granules);
  rw.host = win;
  rw.base = RAM_BASE;
  rw.size = WIN_SIZE;
  rw.code_granules = granules;
  fm_ram = &rw;
  fm_engine_recreate(NULL, NULL);      /* a tjit with the window */
}

static void setup(void) { setup_layout(1); }
static void setup_far(void) { setup_layout(0); }

static void teardown(void)
{
  fm_ram = NULL;
  fm_teardown();
  if (buf) {
    free(buf);
  } else {
    free(win);
    free(granules);
  }
}

TestSuite(tjit_window, .init = setup, .fini = teardown);

#define EQ(x, y) cr_assert_eq((uint64_t)(x), (uint64_t)(y), \
  "%s = 0x%llx, expected 0x%llx (line %d)", #x, \
  (unsigned long long)(x), (unsigned long long)(y), __LINE__)

static void win_put64(uint64_t pa, uint64_t v)
{
  memcpy(win + (pa - RAM_BASE), &v, 8);
}

static uint64_t win_get64(uint64_t pa)
{
  uint64_t v;
  memcpy(&v, win + (pa - RAM_BASE), 8);
  return v;
}

static void ram_put64(uint64_t pa, uint64_t v)
{
  memcpy(FM->ram + (pa - RAM_BASE), &v, 8);
}

static uint64_t ram_get64(uint64_t pa)
{
  uint64_t v;
  memcpy(&v, FM->ram + (pa - RAM_BASE), 8);
  return v;
}

/* What a block does: x2 = [x1 + imm] (`size` bytes, `flags`), then
** [x6 + imm] = x3 (`st_size` bytes, 0: no store); flagged
** VMRUN_IR_BLK_PHYS_DATA unless `paged`. */
typedef struct acc {
  uint64_t imm;
  unsigned size, flags, st_size;
  int paged;
} acc;

static void build_acc(vmrun_ir_block *b, void *arg)
{
  const acc *a = arg;
  if (!a->paged) b->flags |= VMRUN_IR_BLK_PHYS_DATA;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_LD, a->size, 1, 0, 0, a->imm, a->flags);
  ir_put(b, 2, 1);
  if (a->st_size) {
    ir_insn(b, b->pc + 4);
    ir_get(b, 2, 6);
    ir_get(b, 3, 3);
    ir(b, VMRUN_IR_ST, a->st_size, 0, 2, 3, a->imm, 0);
  }
  ir_exit(b, b->pc + 8);
}

/* Run build_acc once from x1 = ld, x6 = st (no fault expected) */
static void run_acc(acc *a, uint64_t ld, uint64_t st)
{
  FM->cpu->x[1] = ld - a->imm;
  FM->cpu->x[6] = st - a->imm;
  FM->cpu->x[2] = 0;
  FM->eng->flush(FM->eng_inst);        /* translate `a` anew */
  fm_block(PC0, build_acc, a);
  EQ(fm_run(PC0, a->st_size ? 2 : 1), VMRUN_RUN_BUDGET);
  EQ(FM->n_faults, 0);
}

/* run_acc from 0x2100 (0x1111 in the window, 0x9999 in the MMU's RAM),
** storing x3 = 0x3333 at 0x2200 (when a->st_size) */
static void run_two_views(acc *a)
{
  win_put64(RAM_BASE + 0x2100, 0x1111);
  ram_put64(RAM_BASE + 0x2100, 0x9999);
  FM->cpu->x[3] = 0x3333;
  run_acc(a, RAM_BASE + 0x2100, RAM_BASE + 0x2200);
}

/* A load and a store inside the window reach `win`, not the MMU's RAM */
Test(tjit_window, accesses_inside_go_through_the_window)
{
  acc a = { 8, 8, 0, 8, 0 };
  run_two_views(&a);
  EQ(FM->cpu->x[2], 0x1111);
  EQ(win_get64(RAM_BASE + 0x2200), 0x3333);
  EQ(ram_get64(RAM_BASE + 0x2200), 0);
  cr_assert_geq(fm_stat("window_accesses"), 2);
}

/* The same block without VMRUN_IR_BLK_PHYS_DATA probes the TLB */
Test(tjit_window, a_block_not_flagged_uses_the_mmu)
{
  acc a = { 8, 8, 0, 8, 1 };
  run_two_views(&a);
  EQ(FM->cpu->x[2], 0x9999);
  EQ(ram_get64(RAM_BASE + 0x2200), 0x3333);
  EQ(win_get64(RAM_BASE + 0x2200), 0);
  EQ(fm_stat("window_accesses"), 0);
}

/* Engine option direct_mem 0 turns the window off too */
Test(tjit_window, direct_mem_0_turns_it_off)
{
  acc a = { 0, 8, 0, 0, 0 };
  cr_assert_eq(FM->eng->set_option(FM->eng_inst, "direct_mem", 0), 0);
  run_two_views(&a);
  EQ(FM->cpu->x[2], 0x9999);
}

/* The last bytes of the window are inside; an access running past its
** end is not, nor is one below its base (the offset wraps) */
Test(tjit_window, only_whole_accesses_inside_use_it)
{
  uint64_t end = RAM_BASE + WIN_SIZE;
  acc a = { 0, 8, 0, 0, 0 };
  win_put64(end - 8, 0x1111);
  ram_put64(end - 8, 0x9999);
  run_acc(&a, end - 8, 0);
  EQ(FM->cpu->x[2], 0x1111);
  /* 4 bytes in the window, 4 past it: all 8 from the MMU */
  ram_put64(end - 4, 0x0123456789abcdefull);
  run_acc(&a, end - 4, 0);
  EQ(FM->cpu->x[2], 0x0123456789abcdefull);
  a.size = 4;                          /* a 4-byte load at end - 4: inside */
  run_acc(&a, end - 4, 0);
  EQ(FM->cpu->x[2], 0);               /* win's bytes there: zero */
  a.size = 1;                          /* ROM, below the window */
  run_acc(&a, ROM_BASE + 3, 0);
  EQ(FM->cpu->x[2], (uint8_t)(0xA5 + 3));
  a.size = 4;                          /* MMIO, below too */
  FM->mmio_read_val = 0x5a5a;
  run_acc(&a, MMIO_BASE + 0x10, 0);
  EQ(FM->cpu->x[2], 0x5a5a);
  EQ(FM->n_mmio, 1);
}

/* Addresses the generated code computes in other ways: a displacement
** that does not fit the lea from the register (imm - base overflows 32
** bits), and one that does not fit 32 bits itself */
Test(tjit_window, every_form_of_address)
{
  acc a = { (uint64_t)-8, 8, 0, 8, 0 };
  win_put64(RAM_BASE + 0x3000, 0x1111);
  FM->cpu->x[3] = 0x3333;
  run_acc(&a, RAM_BASE + 0x3000, RAM_BASE + 0x3008);
  EQ(FM->cpu->x[2], 0x1111);
  EQ(win_get64(RAM_BASE + 0x3008), 0x3333);
  a.imm = 0x100000000ull;
  win_put64(RAM_BASE + 0x3010, 0x2222);
  FM->cpu->x[3] = 0x4444;
  run_acc(&a, RAM_BASE + 0x3010, RAM_BASE + 0x3018);
  EQ(FM->cpu->x[2], 0x2222);
  EQ(win_get64(RAM_BASE + 0x3018), 0x4444);
  EQ(ram_get64(RAM_BASE + 0x3018), 0);
}

/* Stores to a granule marked in code_granules take the MMU's path (which
** reports them to the core: code_written); so does a misaligned store
** running into a marked granule (bit 1 of the one it starts in), while a
** store to another granule of the same page stays in the window. */
static void stores_near_code(void);

Test(tjit_window, stores_near_code_take_the_slow_path)
{
  stores_near_code();
}

/* The same with the code map far from the window */
Test(tjit_window_far, stores_near_code_take_the_slow_path, .init = setup_far,
     .fini = teardown)
{
  stores_near_code();
}

static void stores_near_code(void)
{
  acc a = { 0, 8, 0, 8, 0 };
  FM->code_page[3] = 1;                /* the softmmu's view of page 3 */
  granules[0x3010 >> 3] = 1;
  granules[0x3008 >> 3] = 2;
  FM->cpu->x[3] = 0xabcd;
  run_acc(&a, RAM_BASE + 0x100, RAM_BASE + 0x3010);
  EQ(FM->n_cw, 1);
  EQ(FM->cw_gpa[0], RAM_BASE + 0x3010);
  EQ(ram_get64(RAM_BASE + 0x3010), 0xabcd);
  EQ(win_get64(RAM_BASE + 0x3010), 0);
  FM->code_page[3] = 1;                /* (code_written unmarked it) */
  FM->cpu->x[3] = 0x1234;               /* across into granule 0x3010 */
  run_acc(&a, RAM_BASE + 0x100, RAM_BASE + 0x300c);
  EQ(FM->n_cw, 2);
  EQ(ram_get64(RAM_BASE + 0x300c), 0x1234);
  FM->cpu->x[3] = 0x5678;               /* page 3, no code near */
  run_acc(&a, RAM_BASE + 0x100, RAM_BASE + 0x3018);
  EQ(FM->n_cw, 2);
  EQ(win_get64(RAM_BASE + 0x3018), 0x5678);
  EQ(ram_get64(RAM_BASE + 0x3018), 0);
}

/* A misaligned VMRUN_IR_F_ALIGNED access faults, as through the TLB;
** aligned, it goes through the window */
Test(tjit_window, aligned_accesses_are_checked)
{
  acc a = { 0, 8, VMRUN_IR_F_ALIGNED, 0, 0 };
  win_put64(RAM_BASE + 0x2100, 0x1111);
  run_acc(&a, RAM_BASE + 0x2100, 0);
  EQ(FM->cpu->x[2], 0x1111);
  FM->cpu->x[1] = RAM_BASE + 0x2104;
  FM->eng->flush(FM->eng_inst);
  fm_block(PC0, build_acc, &a);
  fm_run(PC0, 1);
  EQ(FM->n_faults, 1);
  EQ(FM->f_fault, VMRUN_FAULT_MISALIGNED);
  EQ(FM->f_va, RAM_BASE + 0x2104);
}

/* A ring of blocks, each x[dst] = [x1 + 8] then on to `next`: P and R
** flagged (through the window), Q not (through the MMU) */
typedef struct ring { int paged; unsigned dst; uint64_t next; } ring;

static void build_ring(vmrun_ir_block *b, void *arg)
{
  const ring *r = arg;
  if (!r->paged) b->flags |= VMRUN_IR_BLK_PHYS_DATA;
  ir_temps(b, 2);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 8, 0);
  ir_put(b, r->dst, 1);
  ir_exit(b, r->next);
}

/* Chained jumps between blocks enter past the r13 load only when the
** source left the same constant there: P -> R (both window blocks) may,
** Q -> P (the MMU's TLB pointer in r13) must not, or P would read
** through the TLB pointer as if it were the window. */
Test(tjit_window, chains_reload_r13_unless_it_holds_the_same_window)
{
  ring p = { 0, 2, PC0 + 0x100 }, r = { 0, 7, PC0 + 0x200 },
       q = { 1, 5, PC0 };
  win_put64(RAM_BASE + 0x2108, 0x1111);
  ram_put64(RAM_BASE + 0x2108, 0x9999);
  FM->cpu->x[1] = RAM_BASE + 0x2100;
  fm_block(PC0, build_ring, &p);
  fm_block(PC0 + 0x100, build_ring, &r);
  fm_block(PC0 + 0x200, build_ring, &q);
  EQ(fm_run(PC0, 30), VMRUN_RUN_BUDGET);      /* ten times round */
  EQ(FM->n_faults, 0);
  cr_assert_geq(fm_stat("chain_links"), 3);
  for (int k = 0; k < 2; k++) {
    EQ(FM->cpu->x[2], 0x1111);
    EQ(FM->cpu->x[7], 0x1111);
    EQ(FM->cpu->x[5], 0x9999);
    /* the values change: every block really loads again, chained */
    win_put64(RAM_BASE + 0x2108, 0x2222 + k);
    ram_put64(RAM_BASE + 0x2108, 0x8888 + k);
    FM->cpu->x[2] = FM->cpu->x[5] = FM->cpu->x[7] = 0;
    EQ(fm_run(PC0, 30), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->x[2], 0x2222 + k);
    EQ(FM->cpu->x[7], 0x2222 + k);
    EQ(FM->cpu->x[5], 0x8888 + k);
    win_put64(RAM_BASE + 0x2108, 0x1111);
    ram_put64(RAM_BASE + 0x2108, 0x9999);
    EQ(fm_run(PC0, 30), VMRUN_RUN_BUDGET);
  }
}

/*
** Grouped range checks (codegen.c): accesses through one base share the
** first one's check, of the whole span they touch.  The block:
**   pc      x5 += 1
**   pc + 4  x2 = [x1]              (the leader)
**   pc + 8  x3 = [x1 + off]        (a member, after a label if `label`)
**   pc + 12 [x1 + 16] = x4         (a member)
*/
typedef struct grp { uint64_t off; int label; } grp;

static void build_grp(vmrun_ir_block *b, void *arg)
{
  const grp *g = arg;
  uint64_t first = (b->pc - PC0) / 4;   /* (from the middle: after a deopt) */
  b->flags |= VMRUN_IR_BLK_PHYS_DATA;
  ir_temps(b, 6);
  if (first < 1) {
    ir_insn(b, PC0);
    ir_addi(b, 5, 5, 1);
  }
  if (first < 2) {
    ir_insn(b, PC0 + 4);
    ir_get(b, 0, 1);
    ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 0, 0);
    ir_put(b, 2, 1);
  }
  if (g->label)
    ir(b, VMRUN_IR_LABEL, 8, 0, 0, 0, vmrun_ir_label(b), 0);
  ir_insn(b, PC0 + 8);
  ir_get(b, 2, 1);
  ir(b, VMRUN_IR_LD, 8, 3, 2, 0, g->off, 0);
  ir_put(b, 3, 3);
  ir_insn(b, PC0 + 12);
  ir_get(b, 0, 1);
  ir_get(b, 4, 4);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 4, 16, 0);
  ir_exit(b, PC0 + 16);
}

/* Run build_grp (compiled anew when `fresh`) from x1 = base: 4
** instructions, no fault, x5 counted once */
static void run_grp(grp *g, uint64_t base, int fresh)
{
  FM->cpu->x[1] = base;
  FM->cpu->x[2] = FM->cpu->x[3] = FM->cpu->x[5] = 0;
  FM->cpu->x[4] = 0x4444;
  FM->cpu->hdr.icount = 0;
  if (fresh) {
    FM->eng->flush(FM->eng_inst);
    fm_block(PC0, build_grp, g);
    fm_block(PC0 + 4, build_grp, g);
  }
  EQ(fm_run(PC0, 4), VMRUN_RUN_BUDGET);
  EQ(FM->n_faults, 0);
  EQ(FM->cpu->hdr.icount, 4);
  EQ(FM->cpu->x[5], 1);
}

Test(tjit_window, accesses_through_one_base_share_one_check)
{
  grp g = { 8, 0 };
  win_put64(RAM_BASE + 0x2100, 0x1111);
  win_put64(RAM_BASE + 0x2108, 0x2222);
  run_grp(&g, RAM_BASE + 0x2100, 1);
  EQ(FM->cpu->x[2], 0x1111);
  EQ(FM->cpu->x[3], 0x2222);
  EQ(win_get64(RAM_BASE + 0x2110), 0x4444);
  EQ(fm_stat("grouped_checks"), 1);
  EQ(fm_stat("grouped_accesses"), 2);
  EQ(fm_stat("group_deopts"), 0);
}

/* A base outside the window: the leader's check fails before its
** instruction did anything, the block is left there (x5 counted once,
** the instruction count exact) and compiled anew without the group, so
** every access takes the MMU's path, that time and the next ones. */
Test(tjit_window, a_group_outside_the_window_is_compiled_anew_unchecked)
{
  uint64_t pa = RAM_BASE + WIN_SIZE + 0x100;   /* MMU RAM only */
  grp g = { 8, 0 };
  for (int k = 0; k < 3; k++) {
    ram_put64(pa, 0x9990 + k);
    ram_put64(pa + 8, 0x8880 + k);
    run_grp(&g, pa, k == 0);
    EQ(FM->cpu->x[2], 0x9990 + k);
    EQ(FM->cpu->x[3], 0x8880 + k);
    EQ(ram_get64(pa + 16), 0x4444);
    ram_put64(pa + 16, 0);
    EQ(fm_stat("group_deopts"), 1);
  }
  EQ(fm_stat("grouped_checks"), 1);        /* the first compilation's */
  /* an MMIO base likewise: three device accesses, not one more */
  FM->mmio_read_val = 0x5a5a;
  run_grp(&g, MMIO_BASE + 0x10, 1);
  EQ(FM->cpu->x[2], 0x5a5a);
  EQ(FM->cpu->x[3], 0x5a5a);
  EQ(FM->n_mmio, 3);
}

/* The loads inside the window but the store past its end: the span's
** check fails for the whole group */
Test(tjit_window, a_span_running_past_the_window_is_checked_whole)
{
  uint64_t end = RAM_BASE + WIN_SIZE;
  grp g = { 8, 0 };
  win_put64(end - 16, 0x1111);
  win_put64(end - 8, 0x2222);
  ram_put64(end - 16, 0x9999);
  ram_put64(end - 8, 0x8888);
  run_grp(&g, end - 16, 1);
  EQ(FM->cpu->x[2], 0x1111);              /* the window's */
  EQ(FM->cpu->x[3], 0x2222);
  EQ(ram_get64(end), 0x4444);             /* the store: the MMU's */
  EQ(fm_stat("group_deopts"), 1);
}

/* No group across a label (another path may join there), nor with
** engine option group_checks 0 */
Test(tjit_window, labels_and_the_option_end_groups)
{
  grp g = { 8, 1 };
  run_grp(&g, RAM_BASE + 0x2100, 1);
  EQ(fm_stat("grouped_accesses"), 1);      /* the store, with x3's load */
  g.label = 0;
  cr_assert_eq(FM->eng->set_option(FM->eng_inst, "group_checks", 0), 0);
  run_grp(&g, RAM_BASE + 0x2100, 1);
  EQ(fm_stat("grouped_accesses"), 1);
  EQ(fm_stat("grouped_checks"), 1);
}

/* x2 = [x1]; x3 = [x1 + 8] at b->pc, then on to b->pc + 0x40; with arg
** non-NULL the first instruction does x5 += 1 before its load */
static void build_pair(vmrun_ir_block *b, void *arg)
{
  b->flags |= VMRUN_IR_BLK_PHYS_DATA;
  ir_temps(b, 6);
  ir_insn(b, b->pc);
  if (arg) ir_addi(b, 5, 5, 1);
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 0, 0);
  ir_put(b, 2, 1);
  ir_insn(b, b->pc + 4);
  ir_get(b, 2, 1);
  ir(b, VMRUN_IR_LD, 8, 3, 2, 0, 8, 0);
  ir_put(b, 3, 3);
  ir_exit(b, b->pc + 0x40);
}

/* A leader is its instruction's first access, with nothing of the
** instruction done before it: with x5 += 1 and x2 = [x1] one
** instruction (build_pair's arg), that load may not lead x3 = [x1 + 8]
** (a deopt there would do x5 += 1 twice); each load keeps its own check. */
Test(tjit_window, no_leader_after_its_instruction_changed_state)
{
  uint64_t pa = RAM_BASE + WIN_SIZE + 0x100;   /* MMU RAM only */
  ram_put64(pa, 0x9999);
  ram_put64(pa + 8, 0x8888);
  FM->cpu->x[1] = pa;
  FM->cpu->x[5] = 0;
  static int late = 1;
  fm_block(PC0, build_pair, &late);
  EQ(fm_run(PC0, 2), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[5], 1);
  EQ(FM->cpu->x[2], 0x9999);
  EQ(FM->cpu->x[3], 0x8888);
  EQ(fm_stat("grouped_checks"), 0);
  EQ(fm_stat("group_deopts"), 0);
}

/* Many blocks deopt, each once, even compiled again after a flush: the
** set of pcs compiled without groups grows past its first table and
** still finds every one */
Test(tjit_window, every_block_deopts_once)
{
  enum { NB = 30 };                    /* (the harness holds 32 builders) */
  uint64_t pa = RAM_BASE + WIN_SIZE + 0x100;   /* MMU RAM only */
  ram_put64(pa, 0x9999);
  ram_put64(pa + 8, 0x8888);
  for (int k = 0; k < NB; k++) fm_block(PC0 + 0x40 * (uint64_t)k, build_pair,
                                        NULL);
  for (int round = 0; round < 3; round++) {
    if (round) FM->eng->flush(FM->eng_inst);  /* compiled anew: the set */
    FM->cpu->x[1] = pa;
    FM->cpu->x[2] = FM->cpu->x[3] = 0;
    EQ(fm_run(PC0, 2 * NB), VMRUN_RUN_BUDGET);
    EQ(FM->cpu->hdr.pc, PC0 + 0x40 * NB);
    EQ(FM->cpu->x[2], 0x9999);
    EQ(FM->cpu->x[3], 0x8888);
    EQ(fm_stat("group_deopts"), NB);
  }
}

/* x2 = [x1] (a leader), then [x1 - 8] = x4 (its member, below it: the
** displacement less the window's base does not fit 32 bits, so the
** member's offset in the window, for the code-map index, takes a lea and
** an add) */
static void build_below(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  b->flags |= VMRUN_IR_BLK_PHYS_DATA;
  ir_temps(b, 4);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 0, 0);
  ir_put(b, 2, 1);
  ir_insn(b, b->pc + 4);
  ir_get(b, 0, 1);
  ir_get(b, 3, 4);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 3, (uint64_t)-8, 0);
  ir_exit(b, b->pc + 8);
}

/* A member store checks the code map at its own granule: code at the
** store's 8 bytes (0x3010) sends it to the MMU (code_written), code in
** the leader's granule (0x3018) does not */
Test(tjit_window, a_member_store_checks_its_own_granule)
{
  FM->code_page[3] = 1;                /* the softmmu's view of page 3 */
  granules[0x3010 >> 3] = 1;
  FM->cpu->x[1] = RAM_BASE + 0x3018;
  FM->cpu->x[4] = 0xabcd;
  fm_block(PC0, build_below, NULL);
  EQ(fm_run(PC0, 2), VMRUN_RUN_BUDGET);
  EQ(fm_stat("grouped_accesses"), 1);
  EQ(FM->n_cw, 1);
  EQ(FM->cw_gpa[0], RAM_BASE + 0x3010);
  EQ(ram_get64(RAM_BASE + 0x3010), 0xabcd);
  EQ(win_get64(RAM_BASE + 0x3010), 0);
  granules[0x3010 >> 3] = 0;
  granules[0x3028 >> 3] = 1;
  FM->cpu->x[1] = RAM_BASE + 0x3028;   /* the store at 0x3020: no code */
  FM->cpu->x[4] = 0x5678;
  EQ(fm_run(PC0, 2), VMRUN_RUN_BUDGET);
  EQ(FM->n_cw, 1);
  EQ(win_get64(RAM_BASE + 0x3020), 0x5678);
  EQ(ram_get64(RAM_BASE + 0x3020), 0);
}
