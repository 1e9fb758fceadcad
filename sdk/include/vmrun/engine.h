/*
** vmrun/engine.h - execution engine plugins (kind VMRUN_PLUGIN_ENGINE).
**
** An engine runs a vCPU: it looks up the translation of (cpu->pc,
** cpu->tb_flags), asks the frontend to translate on a miss, prepares the IR
** (pre-decode, or host code for a JIT), and executes blocks until the
** budget is spent or an exit is requested.  It owns its translation cache.
**
** Contract with the core:
**  - check cpu->exit_request at every block entry and return
**    VMRUN_RUN_EXIT if nonzero (without clearing it).  An engine may skip
**    the check on a direct jump to a block at a higher guest pc when
**    nothing it ran since the last check set the request from this
**    thread (tjit: no helper call in the block, and a device access that
**    finds a request pending sends the block's exits through the
**    dispatcher, which checks): every cycle of
**    blocks still checks once per iteration, and a request from another
**    thread waits at most for a run of such jumps, which cannot repeat a
**    block.  It may also skip it on the jump of a block to itself (a loop
**    that is one block) under the same condition, if it runs a bounded
**    number of instructions between checks (tjit: at most 2^20 per entry
**    into its generated code), which bounds the wait;
**  - return VMRUN_RUN_HALT when cpu->halted becomes nonzero;
**  - decrement cpu->insn_budget and increment cpu->icount by the
**    instructions retired, and return VMRUN_RUN_BUDGET when the budget is
**    exhausted (checked at block boundaries only);
**  - also decrement cpu->insn_budget by 1 for every exception raised (LD/ST
**    or fetch fault, helper returning VMRUN_TRAP_RAISED), without counting
**    it in icount: a guest looping on exceptions still returns to the core,
**    which services timers and detects that no instruction retires;
**  - on an LD/ST fault, restore pc/icount of the faulting instruction and
**    call the frontend's raise_fault (vmrun/ir.h);
**  - after a CALL flagged VMRUN_IR_F_END, leave the block if the helper
**    set cpu->trap_taken (clearing it).
** Under --engine-check the core attaches a second engine (the reference
** interpreter) to the same vCPUs and calls run() with insn_budget = 1
** (one block), restoring the vCPU state and guest memory between the two
** runs: an engine must find its per-vCPU data through cpu->engine_data on
** every call (the core swaps it in), keep no guest state of its own
** across run() calls, and expect the TLB to be flushed between runs.
*/
#ifndef VMRUN_ENGINE_H
#define VMRUN_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "frontend.h"
#include "host.h"
#include "mmu.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
** Direct guest memory (added in ABI 1.8).  In Linux user mode the core
** keeps the whole guest virtual address space [0, 1 << va_bits) as one
** host mapping at `host` (guest VA v is host byte host + v) whose host page
** protections follow the guest's page permissions: a page is host-readable
** when the guest may read or execute it (RISC-V Privileged ISA §4.3.1: R,
** X; execute-only pages are therefore readable by a direct load) and
** host-writable when the guest may write it, else inaccessible.  An engine
** may then do a guest load or store as a plain host access at host + v
** instead of a TLB probe, provided:
**  - v < 1 << va_bits (else it takes the MMU's slow path); when
**    guard_bits is nonzero, host addresses within 1 << guard_bits bytes
**    below host and above host + (1 << va_bits) are never accessible, so
**    for v = r + d with |d| < 1 << (guard_bits - 1) it suffices that r was
**    checked once (or that one access through r succeeded): any other
**    r + d' faults in the host and goes to the slow path;
**  - for a store, code_pages[v >> VMRUN_PAGE_BITS] is 0 (else the slow
**    path: that page or the next one holds translated code, and the MMU's
**    store path invalidates it; a nonzero byte also covers a misaligned
**    store running into the next page);
**  - for a VMRUN_IR_F_ALIGNED access, v is aligned (else the slow path);
**  - a host fault (SIGSEGV) of the access is turned into that access's
**    slow path, which redoes it through the MMU and raises the guest's
**    fault: the core's SIGSEGV handler calls the engine's host_fault().
** The descriptor is owned by the core and filled before the first run()
** (host stays NULL outside user mode: no direct path); it then stays
** constant, except that code_pages bytes change as code is translated or
** invalidated (always on the thread running guest code).  Guest code runs
** in a single privilege mode and translation regime while host is set.
*/
typedef struct vmrun_direct_mem {
  uint8_t *host;                 /* host address of guest VA 0, or NULL */
  uint32_t va_bits;              /* covered VAs: [0, 1 << va_bits) */
  uint32_t guard_bits;           /* inaccessible guard around the window:
                                    1 << guard_bits bytes each side, or 0 */
  const volatile uint8_t *code_pages; /* one byte per guest page */
} vmrun_direct_mem;

/*
** The RAM window (added in ABI 1.11).  In machine mode the core describes
** its main RAM region: guest physical address pa in [base, base + size)
** is host byte host + (pa - base).  In a block the frontend flagged
** VMRUN_IR_BLK_PHYS_DATA (vmrun/ir.h: every data access of the block is
** at guest PA == guest VA, through no translation), an engine may do a
** guest load or store of n bytes at address a as a plain host access at
** host + (a - base) instead of a TLB probe, provided:
**  - a - base <= size - n, computed modulo 2^64 (the whole access lies in
**    the window; else the MMU's slow path: MMIO, ROM, other RAM regions
**    and unmapped addresses are all outside);
**  - for a VMRUN_IR_F_ALIGNED access, a is aligned (else the slow path);
**  - for a store, code_granules[(a - base) >> VMRUN_RAM_GRANULE_BITS] is
**    0 (else the slow path, which invalidates translated code the store
**    overwrites: bit 0 says a byte of these 8 was translated, bit 1 that
**    one of the next 8 was, so a store of up to 8 bytes running into
**    them is caught too).  code_granules has
**    size >> VMRUN_RAM_GRANULE_BITS bytes.  Data stored next to code, in
**    the same page but another granule, thus never leaves the generated
**    code (and is not counted in --stats smc_data_stores).
** A misaligned access inside the window may be done directly: the slow
** path would do it in pieces with the same result, since RAM has no side
** effects.  Physical memory protection (RISC-V Privileged ISA §3.7) is
** not modelled by vmrun; a frontend that enforces it must not flag blocks
** whose accesses it may deny.
** The descriptor is owned by the core and filled before the first run();
** host, base and size then stay constant until the machine is freed, and
** code_granules bytes change as code is translated or invalidated (on
** the thread that runs guest code, between or during blocks; an engine
** reads them at each store).  host is NULL when there is no window: user mode
** (which has vmrun_direct_mem instead) and --engine-check (which must see
** every store).
*/
typedef struct vmrun_ram_window {
  uint8_t *host;                 /* host address of guest PA base, or NULL */
  uint64_t base;                 /* guest PA of the window, page-aligned */
  uint64_t size;                 /* bytes, a multiple of VMRUN_PAGE_SIZE */
  const volatile uint8_t *code_granules; /* a byte per 8 bytes, above */
} vmrun_ram_window;

#define VMRUN_RAM_GRANULE_BITS 3   /* code_granules: 8-byte granules */

/* The plugins an engine works with, bound by the core at creation.  The
** pointers stay valid until the engine's destroy(). */
typedef struct vmrun_engine_env {
  uint32_t struct_size;
  uint32_t reserved;
  const vmrun_frontend_ops *fe;  void *fe_inst;
  const vmrun_mmu_ops *mmu;      void *mmu_inst;
  uint32_t max_block_insns;      /* longest block, in guest instructions */
  uint32_t trace;                /* nonzero: log each executed block (pc) to
                                    stderr (--trace) */
  /* ---- fields above: ABI 1.0; added in ABI 1.3 ---- */
  /* Instrumentation (Lua hooks, tracing): when non-NULL, an engine calls
  ** instrument(instrument_opaque, cpu, blk) on every block right after the
  ** frontend translated it and before preparing it.  The callback may
  ** rewrite blk->ops in place (insert CALL ops to hook helpers after
  ** INSN_START markers, etc.) within blk->cap_ops, which the engine sizes
  ** as max_insns * (VMRUN_IR_OPS_PER_INSN + VMRUN_IR_HOOK_OPS_PER_INSN).
  ** Returns 0 or a negative VMRUN_E* (the engine then fails the block).
  ** When NULL (no hook that needs it), translations are exactly the
  ** frontend's: instrumentation costs nothing.  The core changes it only
  ** between runs and then asks the engine to flush(). */
  int (*instrument)(void *opaque, vmrun_cpu *cpu, vmrun_ir_block *blk);
  void *instrument_opaque;
  /* ---- added in ABI 1.8 (present when struct_size covers it) ---- */
  /* Direct guest memory (above), never NULL in a 1.8 core; direct->host
  ** is NULL when there is no direct path (machine mode). */
  const vmrun_direct_mem *direct;
  /* ---- added in ABI 1.9 (present when struct_size covers it) ---- */
  /* VMRUN_IR_BLK_* bits (vmrun/ir.h) an engine sets in each block's
  ** flags before the frontend translates it.  The core offers
  ** VMRUN_IR_BLK_SIDE_EXITS unless Lua hooks may need basic blocks (a
  ** script is loaded).  Engines of an older core see no field: 0. */
  uint32_t block_flags;
  uint32_t reserved2;
  /* ---- added in ABI 1.11 (present when struct_size covers it) ---- */
  /* The RAM window (above), never NULL in a 1.11 core; ram->host is NULL
  ** when there is none. */
  const vmrun_ram_window *ram;
} vmrun_engine_env;

/* What an engine tells a tiering policy about a block (set_tier_policy).
** Filled by the engine on its stack; valid only during the decide() call. */
typedef struct vmrun_block_info {
  uint32_t struct_size;  /* sizeof(vmrun_block_info) as built by the engine:
                            fields past it are absent */
  uint32_t n_insns;      /* guest instructions in the block */
  uint64_t pc;           /* guest VA of the first instruction */
  uint64_t phys_pc;      /* guest PA of the first instruction */
  uint64_t exec_count;   /* executions so far, counting the one about to
                            happen (== hot_threshold unless the threshold
                            was changed at run time) */
  uint32_t size;         /* guest code bytes covered, from pc */
  uint32_t tb_flags;     /* cpu->tb_flags the block was translated for */
} vmrun_block_info;

/* A tiering policy: decide(opaque, cpu, b) returns nonzero to compile the
** block b (about to run on cpu) with the JIT, 0 to keep interpreting it.
** Called on the vCPU's thread, between blocks; it must not run guest
** code.  A negative return counts as nonzero (compile: the default). */
typedef int (*vmrun_tier_decide_fn)(void *opaque, vmrun_cpu *cpu,
                                    const vmrun_block_info *b);

/* Extra ops per guest instruction an instrument() callback may add. */
#define VMRUN_IR_HOOK_OPS_PER_INSN 8u

typedef struct vmrun_engine_ops {
  uint32_t struct_size;
  uint32_t reserved;
  int (*create)(const vmrun_host *host, vmrun_machine *m, vmrun_cfg *opts,
                const vmrun_engine_env *env, void **inst);
  void (*destroy)(void *inst);
  /* Per-vCPU set-up (cpu->engine_data is the engine's) and tear-down. */
  int (*cpu_attach)(void *inst, vmrun_cpu *cpu);
  void (*cpu_detach)(void *inst, vmrun_cpu *cpu);
  /* Run until the budget is spent, an exit is requested or the hart halts.
  ** Returns an enum vmrun_run_reason. */
  int (*run)(void *inst, vmrun_cpu *cpu);
  /* Guest PAs [gpa, gpa+len) were written: drop translations of code
  ** there.  May be called from inside run() (a store by a block), so an
  ** engine must not free the running block before it returns. */
  void (*invalidate)(void *inst, uint64_t gpa, uint64_t len);
  /* Drop every translation. */
  void (*flush)(void *inst);
  /* The vCPU's virtual mapping changed: drop caches keyed by guest VA. */
  void (*vcache_flush)(void *inst, vmrun_cpu *cpu);
  /* Write "key value" statistics lines (blocks translated, ...) into buf
  ** (NUL-terminated, truncated to len).  Returns bytes that would have been
  ** written. */
  int (*stats)(void *inst, char *buf, unsigned long len);
  /* ---- slots above: ABI 1.0; added in ABI 1.6 (optional: NULL, or
  ** outside struct_size, when the engine has none; see
  ** VMRUN_ENGINE_HAS) ---- */
  /* Run-time engine options, named like the engine_options keys of the
  ** machine YAML (docs/machine-yaml.md): hot_threshold (tiered),
  ** code_cache (tjit, tiered; bytes).  set_option() may be called between
  ** runs or from inside run() (a Lua hook on the vCPU's thread); the engine
  ** applies it at its next block boundary at the latest.  Returns 0,
  ** -VMRUN_ENOENT for a key the engine does not know, -VMRUN_ERANGE for a
  ** value out of the key's range (nothing changed).  get_option() stores
  ** the current (or pending) value in *val: 0 or -VMRUN_ENOENT. */
  int (*set_option)(void *inst, const char *key, uint64_t val);
  int (*get_option)(void *inst, const char *key, uint64_t *val);
  /* Install (decide != NULL) or remove (NULL) a tiering policy: an engine
  ** with tiers asks decide() once per block, when the block reaches the
  ** promotion threshold; a block refused (0) stays in the lower tier and
  ** is not asked about again until it is translated anew (after an
  ** invalidation or a flush).  Blocks already promoted stay promoted.
  ** opaque is passed back unchanged and owned by the caller, which keeps
  ** it valid until the policy is removed or the engine destroyed.
  ** Returns 0 (-VMRUN_ENOSYS: no tiers; the slot is then usually NULL). */
  int (*set_tier_policy)(void *inst, vmrun_tier_decide_fn decide,
                         void *opaque);
  /* ---- added in ABI 1.7 (optional, as the 1.6 slots) ---- */
  /* The vCPU's mapping of the one guest virtual page holding `va` changed
  ** (RISC-V: SFENCE.VMA with rs1 != x0, Privileged ISA §4.2.1): drop what
  ** is keyed by guest VA for that page, i.e. jump-cache entries of blocks
  ** that start in it or run into it from the page before, and chains that
  ** reach such blocks from another page.  Called with the vCPU's run()
  ** suspended at an instruction boundary (from inside a helper); only when
  ** the MMU's tlb_flush_page() says no executable superpage covers va
  ** (else the core calls vcache_flush()).  Without the slot the core
  ** calls vcache_flush() instead. */
  void (*vcache_flush_page)(void *inst, vmrun_cpu *cpu, uint64_t va);
  /* ---- added in ABI 1.8 (optional, as the 1.6 slots) ---- */
  /* A synchronous host SIGSEGV hit the thread running this engine's run():
  ** uctx is the handler's ucontext_t * (x86-64 Linux: uc_mcontext.gregs).
  ** If the faulting host instruction is one of the engine's direct guest
  ** accesses (vmrun_direct_mem), change the context so that it resumes at
  ** that access's slow path and return 1; else return 0 (the core then
  ** lets the signal kill the process).  Runs in the signal handler: no
  ** locks, no allocation, no stdio. */
  int (*host_fault)(void *inst, void *uctx);
} vmrun_engine_ops;

/* True when the engine table has the slot `field` (ABI 1.6 and later
** slots: it may still be NULL). */
#define VMRUN_ENGINE_HAS(ops, field) \
  VMRUN_TABLE_HAS(ops, vmrun_engine_ops, field)

#ifdef __cplusplus
}
#endif
#endif
