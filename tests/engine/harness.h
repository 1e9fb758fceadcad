/*
** tests/engine/harness.h - fake host, fake frontend and IR builders for
** testing the interp engine and the softmmu plugin without the core.
**
** Guest physical map of the fake machine:
**   0x00010000 + 64 KiB   ROM (filled with 0xA5 + offset pattern)
**   0x10000000 + 4 KiB    MMIO device that records every access
**   0x80000000 + 1 MiB    RAM
** Everything else is unmapped.
*/
#ifndef TESTS_ENGINE_HARNESS_H
#define TESTS_ENGINE_HARNESS_H

#include <stdint.h>

#include <vmrun/vmrun.h>

#define ROM_BASE  0x00010000ull
#define ROM_SIZE  0x10000ull
#define MMIO_BASE 0x10000000ull
#define MMIO_SIZE 0x1000ull
#define RAM_BASE  0x80000000ull
#define RAM_SIZE  0x100000ull
#define TRAP_PC   0x80000ff0ull /* where the fake raise_fault sends pc */

extern const vmrun_plugin_desc interp_desc, softmmu_desc;

typedef struct mmio_rec {
  uint64_t off;
  unsigned size;
  int is_write;
  uint64_t val;
} mmio_rec;

/* The fake guest vCPU: header + 32 registers + a few scratch fields. */
typedef struct fake_cpu {
  vmrun_cpu hdr;
  uint64_t x[32];
  uint8_t b8;
  uint16_t b16;
  uint32_t b32;
} __attribute__((aligned(64))) fake_cpu;

#define XOFF(i) ((uint64_t)offsetof(fake_cpu, x) + 8u * (i))

typedef void (*builder_fn)(vmrun_ir_block *b, void *arg);

typedef struct fake_machine {
  uint8_t *ram, *rom;
  uint8_t code_page[RAM_SIZE / VMRUN_PAGE_SIZE];
  /* host code_map() per RAM page (NULL: none, as for a page without
  ** code); a test points one at its own map */
  vmrun_code_map *code_map[RAM_SIZE / VMRUN_PAGE_SIZE];
  /* MMIO device */
  mmio_rec mmio[64];
  int n_mmio;
  uint64_t mmio_read_val;
  /* code_written calls */
  uint64_t cw_gpa[64], cw_len[64];
  int n_cw;
  /* log lines */
  int n_log_err;
  /* plugins */
  const vmrun_engine_ops *eng;
  void *eng_inst;
  const vmrun_mmu_ops *mmu;
  void *mmu_inst;
  /* frontend */
  struct { uint64_t pc; builder_fn fn; void *arg; } blocks[32];
  int n_blocks;
  int n_translate;
  int translate_ret;       /* forced return of translate (if nonzero) */
  /* raise_fault calls */
  int n_faults;
  enum vmrun_access f_acc;
  enum vmrun_fault f_fault;
  uint64_t f_va, f_pc, f_icount;
  int fault_stop;          /* raise_fault also sets exit_request */
  fake_cpu *cpu;
  fake_cpu *cpu2;          /* fm_add_cpu's, or NULL */
} fake_machine;

extern fake_machine *FM;
extern int fm_trace; /* env.trace of the next fm_setup */
/* engine_options of the next fm_setup: integer options read with the
** host's cfg_u64 (key NULL ends the list; all NULL: no options); a key
** with bad = 1 makes cfg_u64 fail as for a malformed value. */
typedef struct fm_opt { const char *key; uint64_t val; int bad; } fm_opt;
extern fm_opt fm_engine_opts[4];
/* vmrun_frontend_ops.fp_default_nan of the next fm_setup (SDK 1.14; 0,
** the default: none) */
extern uint64_t fm_default_nan;
extern vmrun_host fake_host;
extern vmrun_frontend_ops fake_fe;

/* Create machine + softmmu + (optionally) interp and one attached vCPU. */
void fm_setup(int with_engine, uint32_t max_insns);
void fm_teardown(void);
/* Register a builder for the block at guest VA pc. */
void fm_block(uint64_t pc, builder_fn fn, void *arg);
/* Destroy the engine and create it anew (same plugin, the vCPU attached
** again, 32-instruction blocks) with engine options opts (read through
** fake_host.cfg_u64; NULL: none) and env.direct = direct. */
void fm_engine_recreate(vmrun_cfg *opts, const vmrun_direct_mem *direct);
/* env.ram (the RAM window, SDK 1.11) of the next fm_engine_recreate;
** NULL (the default): none */
extern const vmrun_ram_window *fm_ram;
/* called by every access to the fake MMIO device when set (a test makes
** the slow path of a load or store do something, e.g. clobber registers) */
extern void (*fm_mmio_hook)(void);
/* Run the vCPU from pc with a budget; returns the run reason. */
int fm_run(uint64_t pc, uint64_t budget);
/* A second vCPU (hart 1) of the same machine, attached to the MMU and the
** engine (freed by fm_teardown), and a run of it as fm_run's. */
fake_cpu *fm_add_cpu(void);
int fm_run_cpu(fake_cpu *cpu, uint64_t pc, uint64_t budget);

/* ---- RISC-V page tables in fake RAM (Privileged ISA §4.3-4.5) ---- */
typedef struct fm_pt {
  uint64_t root;              /* guest PA of the root table */
  uint64_t next, limit;       /* bump allocator of table pages: [next, limit) */
  unsigned levels;            /* 3 (Sv39) or 4 (Sv48) */
} fm_pt;
/* Empty tables with `levels` levels, allocated from [base, limit). */
void fm_pt_init(fm_pt *pt, uint64_t base, uint64_t limit, unsigned levels);
/* A zeroed table page (aborts when the pool is exhausted). */
uint64_t fm_pt_alloc(fm_pt *pt);
uint64_t fm_mkpte(uint64_t pa, uint64_t flags);
/* Guest PA of the PTE for va at `level` (0: 4 KiB leaf), creating the
** tables above it. */
uint64_t fm_pte_addr(fm_pt *pt, uint64_t va, unsigned level);
/* The 64-bit word of fake RAM at guest PA pa. */
uint64_t *fm_ram64(uint64_t pa);

/* ---- IR builders ---- */
vmrun_ir_op *ir(vmrun_ir_block *b, unsigned op, unsigned size, unsigned dst,
                unsigned a, unsigned bb, uint64_t imm, unsigned flags);
void ir_insn(vmrun_ir_block *b, uint64_t pc);
void ir_movi(vmrun_ir_block *b, unsigned d, uint64_t imm);
void ir_get(vmrun_ir_block *b, unsigned d, unsigned reg);
void ir_put(vmrun_ir_block *b, unsigned reg, unsigned a);
void ir_exit(vmrun_ir_block *b, uint64_t pc);
/* temporaries t0..t(n-1) */
void ir_temps(vmrun_ir_block *b, unsigned n);
/* x[reg] += inc through temporary t */
void ir_addi(vmrun_ir_block *b, unsigned reg, unsigned t, uint64_t inc);

/* One-instruction block: x[reg] += inc; exit to `next` (arg: inc_blk). */
typedef struct inc_blk { unsigned reg; uint64_t inc, next; } inc_blk;
void build_inc(vmrun_ir_block *b, void *arg);
/* Two such blocks jumping to each other: [0] at RAM_BASE (x1 += 1, to
** [1]), [1] at RAM_BASE + 0x1000 (x2 += 1, to [0]).  Returns them, for
** a test to change their code. */
inc_blk *fm_ping_pong(void);

/* The value of a "key value" line of the engine's stats(), or ~0ull when
** there is no such line. */
unsigned long long fm_stat(const char *key);

#endif
