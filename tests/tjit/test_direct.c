/*
** tests/tjit/test_direct.c - tjit's direct guest memory (vmrun_direct_mem,
** SDK 1.8): a window over the fake machine's RAM with 4 GiB guards, as
** user mode sets up, and the engine's host_fault() from a real SIGSEGV
** handler.  The RAM is one memfd mapped twice: the window the generated
** code uses, and the view the softmmu slow path uses (FM->ram), so a
** page made inaccessible in the window is still readable by the slow
** path.
*/
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../engine/harness.h"

#define PC0 RAM_BASE
#define G (1ull << 32)                 /* guard size (guard_bits 32) */
#define WIN_BITS 32                    /* the window: [0, 4 GiB) */
#define CANARY 0x5eed5eed5eedull

static uint8_t *res;                   /* guard | window | guard | canary */
static size_t res_size;
static uint8_t *orig_ram;
static vmrun_direct_mem dm;
static uint8_t *code_pages;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
  (void)si;
  if (FM && FM->eng->host_fault && FM->eng->host_fault(FM->eng_inst, uc))
    return;
  signal(sig, SIG_DFL);
}

static void setup(void)
{
  struct sigaction sa;
  int fd;
  uint8_t *win;

  fm_setup(1, 32);
  /* the RAM as a memfd, seen twice */
  fd = memfd_create("test-direct", 0);
  cr_assert_geq(fd, 0);
  cr_assert_eq(ftruncate(fd, RAM_SIZE), 0);
  res_size = G + (1ull << WIN_BITS) + G + 2 * 4096;
  res = mmap(NULL, res_size, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  cr_assert_neq(res, MAP_FAILED);
  win = res + G;
  cr_assert_neq(mmap(win + RAM_BASE, RAM_SIZE, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_FIXED, fd, 0), MAP_FAILED);
  orig_ram = FM->ram;
  FM->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  cr_assert_neq(FM->ram, MAP_FAILED);
  close(fd);
  /* a readable page just past the upper guard: what an unchecked access
  ** through an out-of-range register would read */
  cr_assert_neq(mmap(win + (1ull << WIN_BITS) + G, 4096,
                     PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
                MAP_FAILED);
  *(uint64_t *)(void *)(win + (1ull << WIN_BITS) + G) = CANARY;
  code_pages = calloc(1, (1ull << WIN_BITS) >> VMRUN_PAGE_BITS);
  dm.host = win;
  dm.va_bits = WIN_BITS;
  dm.guard_bits = 32;
  dm.code_pages = code_pages;

  fm_engine_recreate(NULL, &dm);      /* a tjit with the window */

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
}

static void teardown(void)
{
  signal(SIGSEGV, SIG_DFL);
  munmap(FM->ram, RAM_SIZE);
  FM->ram = orig_ram;
  fm_teardown();
  munmap(res, res_size);
  free(code_pages);
}

TestSuite(tjit_direct, .init = setup, .fini = teardown);

#define EQ(x, y) cr_assert_eq((uint64_t)(x), (uint64_t)(y), \
  "%s = 0x%llx, expected 0x%llx (line %d)", #x, \
  (unsigned long long)(x), (unsigned long long)(y), __LINE__)

static uint64_t stat(const char *key)
{
  unsigned long long v = fm_stat(key);
  cr_assert_neq(v, ~0ull, "no %s in the stats", key);
  return v;
}

static void ram_put64(uint64_t gpa, uint64_t v)
{
  memcpy(FM->ram + (gpa - RAM_BASE), &v, 8);
}

/* x2 = [x1]; x1 = arg; x3 = [x1 + 0]; x4 = [x5 + 8] */
static void build_reuse(vmrun_ir_block *b, void *arg)
{
  ir_temps(b, 6);
  ir_insn(b, b->pc);
  ir_get(b, 0, 1);
  ir(b, VMRUN_IR_LD, 8, 1, 0, 0, 0, 0);
  ir_put(b, 2, 1);
  ir_insn(b, b->pc + 4);
  ir_movi(b, 2, (uint64_t)(uintptr_t)arg);
  ir_put(b, 1, 2);
  ir_insn(b, b->pc + 8);
  ir_get(b, 3, 1);
  ir(b, VMRUN_IR_LD, 8, 4, 3, 0, 0, 0);
  ir_put(b, 3, 4);
  ir_insn(b, b->pc + 12);
  ir_get(b, 5, 5);
  ir(b, VMRUN_IR_LD, 8, 0, 5, 0, 8, 0);
  ir_put(b, 4, 0);
  ir_exit(b, b->pc + 16);
}

/* A register checked once and then changed: the new value is checked
** again.  Left unchecked, [x1] would read the page past the guard. */
Test(tjit_direct, a_changed_base_register_is_checked_again)
{
  uint64_t far = (1ull << WIN_BITS) + G;   /* the canary's guest VA */
  ram_put64(RAM_BASE + 0x100, 0x1111);
  ram_put64(RAM_BASE + 0x208, 0x2222);
  FM->cpu->x[1] = RAM_BASE + 0x100;
  FM->cpu->x[5] = RAM_BASE + 0x200;
  fm_block(PC0, build_reuse, (void *)(uintptr_t)far);
  fm_run(PC0, 100);
  cr_assert_gt(stat("direct_accesses"), 0);
  EQ(FM->cpu->x[2], 0x1111);
  EQ(FM->cpu->x[1], far);
  cr_assert_eq(FM->n_faults, 1, "the load from x1 must fault");
  EQ(FM->f_pc, PC0 + 8);
  EQ(FM->f_va, far);
  cr_assert_neq(FM->cpu->x[3], CANARY);
  EQ(FM->cpu->x[3], 0);
}

/* build_reuse with x1 in range and its second load from `third`: the
** three loaded values right and no guest fault */
static void run_reuse(uint64_t third)
{
  ram_put64(RAM_BASE + 0x100, 0x1111);
  ram_put64(third, 0x3333);
  ram_put64(RAM_BASE + 0x208, 0x2222);
  FM->cpu->x[1] = RAM_BASE + 0x100;
  FM->cpu->x[5] = RAM_BASE + 0x200;
  fm_block(PC0, build_reuse, (void *)(uintptr_t)third);
  EQ(fm_run(PC0, 4), VMRUN_RUN_BUDGET);
  EQ(FM->n_faults, 0);
  EQ(FM->cpu->x[2], 0x1111);
  EQ(FM->cpu->x[3], 0x3333);
  EQ(FM->cpu->x[4], 0x2222);
}

/* the same block with x1 in range: all three loads direct */
Test(tjit_direct, loads_through_the_window)
{
  run_reuse(RAM_BASE + 0x300);
  EQ(stat("direct_host_faults"), 0);
}

/* A page the window makes inaccessible (as user mode does for a page the
** guest may not read): the host fault goes to the load's slow path,
** which here succeeds (the softmmu's view is readable), and the block
** goes on with every register right. */
Test(tjit_direct, a_host_fault_resumes_at_the_slow_path)
{
  cr_assert_eq(mprotect(dm.host + RAM_BASE + 0x1000, 4096, PROT_NONE), 0);
  run_reuse(RAM_BASE + 0x1300);
  EQ(FM->cpu->hdr.icount, 4);
  EQ(stat("direct_host_faults"), 1);
}

/* an 8-byte store of x2 at [x6] */
static void build_store(vmrun_ir_block *b, void *arg)
{
  (void)arg;
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_get(b, 0, 6);
  ir_get(b, 1, 2);
  ir(b, VMRUN_IR_ST, 8, 0, 0, 1, 0, 0);
  ir_exit(b, b->pc + 4);
}

/* A store to a page whose code_pages byte is set takes the MMU's path
** (which reports the write to the core: code_written), one to another
** page does not. */
Test(tjit_direct, stores_to_code_pages_take_the_slow_path)
{
  FM->cpu->x[2] = 0xabcd;
  FM->cpu->x[6] = RAM_BASE + 0x2010;
  fm_block(PC0, build_store, NULL);
  FM->code_page[2] = 1;                    /* the softmmu's view */
  code_pages[(RAM_BASE + 0x2000) >> VMRUN_PAGE_BITS] = 1;
  EQ(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  cr_assert_eq(FM->n_cw, 1, "the store must reach code_written");
  EQ(FM->cw_gpa[0], RAM_BASE + 0x2010);
  FM->cpu->x[6] = RAM_BASE + 0x3010;        /* not a code page */
  FM->cpu->x[2] = 0x1234;
  EQ(fm_run(PC0, 1), VMRUN_RUN_BUDGET);
  EQ(FM->n_cw, 1);
  EQ(*(uint64_t *)(void *)(FM->ram + 0x2010), 0xabcd);
  EQ(*(uint64_t *)(void *)(FM->ram + 0x3010), 0x1234);
}
