/*
** vmrun/cpu.h - the guest CPU (hart / vCPU) state header owned by the core.
**
** A vCPU's state is one block of host memory: this header first, then the
** frontend's architectural state (general registers, CSRs, ...).  The
** frontend declares the total size (vmrun_frontend_ops.cpu_state_size, in
** bytes, >= sizeof(vmrun_cpu)); the core allocates it zeroed, 64-byte
** aligned, and frees it.  IR GET/PUT ops address guest registers as byte
** offsets from the start of this header, so engines (interpreter, JITs)
** never need to know the ISA.
**
** Threading: a vCPU's state is touched only by the host thread that runs
** it, except `exit_request` and `irq_pending`, which any thread (device
** timer callbacks, signal handlers via the core) may set with atomic
** operations (vmrun_host.cpu_set_irq, vmrun_host.cpu_kick).
*/
#ifndef VMRUN_CPU_H
#define VMRUN_CPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vmrun_machine vmrun_machine; /* opaque: one emulated machine */

/* Guest pages are 4 KiB for every ISA vmrun supports (RISC-V Privileged
** ISA §4.3: Sv32/39/48 base page size). */
#define VMRUN_PAGE_BITS 12
#define VMRUN_PAGE_SIZE (1u << VMRUN_PAGE_BITS)
#define VMRUN_PAGE_MASK (~(uint64_t)(VMRUN_PAGE_SIZE - 1))

/*
** Software TLB entry.  The layout is part of the ABI so that engines can
** inline the hit path:  for an access of `size` bytes at guest virtual
** address va with TLB index i = VMRUN_TLB_INDEX(va) (below: the page number's
** low VMRUN_TLB_BITS bits XORed with the next VMRUN_TLB_BITS, since ABI 1.7),
**   hit  <=>  (va & (VMRUN_PAGE_MASK | (size - 1))) == entry.addr_{read,write,code}
** (so misaligned accesses always miss and take the slow path), and then the
** host address is (void *)(uintptr_t)(va + entry.addend).  An address field
** equal to VMRUN_TLB_INVALID never matches (its low bits are set).  Pages
** that are MMIO, unmapped, lack the permission, or hold translated code
** (for addr_write) are never entered in the matching field, so every access
** that needs the slow path misses.
*/
typedef struct vmrun_tlb_entry {
  uint64_t addr_read;   /* page-aligned guest VA readable here, or INVALID */
  uint64_t addr_write;  /* page-aligned guest VA writable here, or INVALID */
  uint64_t addr_code;   /* page-aligned guest VA executable here, or INVALID */
  uint64_t addend;      /* host address minus guest VA (wraps modulo 2^64) */
} vmrun_tlb_entry;

#define VMRUN_TLB_INVALID  (~(uint64_t)0)
#define VMRUN_TLB_BITS     8
#define VMRUN_TLB_SIZE     (1u << VMRUN_TLB_BITS)   /* entries per index */
#define VMRUN_TLB_NB_IDX   4                        /* MMU indexes per vCPU */

/* The TLB slot of guest VA va (0..VMRUN_TLB_SIZE-1): bits 19:12 of va
** XORed with bits 27:20 (ABI 1.7; before, bits 19:12 alone).  The fold
** keeps a sequential run of pages in distinct slots and puts pages a
** power of two >= 1 MiB apart (two 4 MiB arrays copied one to the other,
** a stack and a heap) in different slots instead of one that both evict.
** Only bits 27:12 are used, so a 32-bit computation gives the same slot.
** An engine that still uses the old index stays correct (a hit compares
** the whole page address) but misses more often. */
#define VMRUN_TLB_INDEX(va)                                                \
  ((unsigned)(((va) >> VMRUN_PAGE_BITS) ^                                  \
              ((va) >> (VMRUN_PAGE_BITS + VMRUN_TLB_BITS))) &             \
   (VMRUN_TLB_SIZE - 1))

/* Why an engine's run() returned. */
enum vmrun_run_reason {
  VMRUN_RUN_BUDGET = 0,  /* the instruction budget was used up */
  VMRUN_RUN_EXIT   = 1,  /* exit_request was seen at a block boundary */
  VMRUN_RUN_HALT   = 2,  /* the vCPU is halted (WFI / HLT): wait for an IRQ */
  VMRUN_RUN_ERROR  = 3   /* an internal error (already logged) */
};

/* Values of vmrun_cpu.trap_taken. */
#define VMRUN_TRAP_NONE   0u
#define VMRUN_TRAP_DONE   1u
#define VMRUN_TRAP_RAISED 2u

/* Bits of vmrun_cpu.exit_request.  Any bit makes the engine return to the
** core at the next block boundary; the core clears the bits it handled. */
#define VMRUN_EXIT_IRQ      0x1u  /* irq_pending changed: frontend checks */
#define VMRUN_EXIT_TIMER    0x2u  /* a timer event is due */
#define VMRUN_EXIT_STOP     0x4u  /* stop the machine (poweroff, quit, error) */
#define VMRUN_EXIT_FLUSH    0x8u  /* translations must be flushed */
#define VMRUN_EXIT_IO       0x10u /* host I/O (chardev input) to service */
#define VMRUN_EXIT_USER     0x20u /* ABI 1.5: a user-mode trap is recorded
                                     (vmrun_user_abi.take_trap) */

/* Bits of vmrun_cpu.events (ABI 1.4). */
#define VMRUN_EVENT_TRAP    0x1u  /* call vmrun_host.trap_event at every
                                     trap entry (exception or interrupt) */

/*
** The core-owned header.  Field order and offsets are ABI (checked by
** tests/sdk_abi.c against a golden table).
*/
typedef struct vmrun_cpu {
  uint64_t pc;            /* guest virtual address of the next instruction */
  uint64_t icount;        /* guest instructions retired since reset */
  uint32_t priv;          /* privilege mode in the ISA's own numbering
                             (RISC-V: 0 = U, 1 = S, 3 = M, Privileged ISA
                             §1.2); written only by the frontend */
  uint32_t mmu_idx;       /* TLB index (0..VMRUN_TLB_NB_IDX-1) for data
                             loads/stores in the current mode */
  uint32_t mmu_idx_fetch; /* TLB index for instruction fetch */
  uint32_t tb_flags;      /* frontend-defined mode bits that change how code
                             is decoded or translated; part of the key of
                             every translation block */
  volatile uint32_t exit_request; /* VMRUN_EXIT_* bits; set atomically */
  uint32_t halted;        /* nonzero while waiting for an interrupt */
  uint64_t irq_pending;   /* level of the IRQ lines wired into this vCPU,
                             one bit per line (RISC-V: the mip bits driven
                             by the platform, Privileged ISA §3.1.9); set
                             atomically through vmrun_host.cpu_set_irq */
  uint32_t hart_id;       /* hart / vCPU number, 0-based */
  uint32_t trap_taken;    /* set by a CALL helper flagged VMRUN_IR_F_END to
                             end the block right after it returns, pc
                             already set by the helper:
                             VMRUN_TRAP_DONE: the helper's instruction
                             completed (xRET, WFI, CSR write that changes
                             modes); it counts as retired.
                             VMRUN_TRAP_RAISED: it raised an exception
                             (trap entry done); it did not retire.
                             The engine clears it. */
  vmrun_tlb_entry (*tlb)[VMRUN_TLB_SIZE]; /* [VMRUN_TLB_NB_IDX] TLBs, owned
                             and filled by the MMU plugin; NULL until the
                             MMU's cpu_attach */
  vmrun_machine *machine; /* the machine this vCPU belongs to */
  void *engine_data;      /* per-vCPU data owned by the engine plugin */
  void *mmu_data;         /* per-vCPU data owned by the MMU plugin */
  void *frontend_data;    /* per-vCPU data owned by the frontend plugin */
  uint64_t insn_budget;   /* instructions left in the current run slice */
  uint32_t events;        /* ABI 1.4: VMRUN_EVENT_* bits, set by the core
                             when an observer (a Lua hook) wants the
                             frontend to report that event through the
                             host slot named there; zero otherwise, and
                             always zero under a core older than 1.4.
                             Frontends test it before building the report
                             so an unobserved event costs one branch. */
  uint32_t reserved0;     /* zero */
  uint64_t reserved[6];   /* zero; room to grow within ABI major 1 */
  /* the frontend's architectural state follows: frontends declare
     struct my_cpu { vmrun_cpu hdr; ...registers... } */
} vmrun_cpu;

#ifdef __cplusplus
}
#endif
#endif
