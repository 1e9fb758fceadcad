/*
** vmrun/frontend.h - ISA frontend plugins (kind VMRUN_PLUGIN_FRONTEND).
**
** A frontend owns one guest ISA: the layout of its architectural state
** after the vmrun_cpu header, decoding guest code into IR blocks, trap and
** interrupt entry, and the ISA parts of boot and of the device tree.
**
** Threading: translate/raise_fault/interrupt run on the vCPU's thread; the
** frontend instance is shared by all harts of a machine, per-hart state
** lives in the vCPU state block.
*/
#ifndef VMRUN_FRONTEND_H
#define VMRUN_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "host.h"
#include "ir.h"
#include "mmu_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the core starts a hart (filled by the core, read by boot()). */
typedef struct vmrun_boot_info {
  uint64_t entry;       /* guest PA of the first instruction (firmware) */
  uint64_t fdt_addr;    /* guest PA of the flattened device tree, or 0 */
  uint64_t next_addr;   /* guest PA of the next stage (kernel/payload), or 0 */
  uint64_t info_addr;   /* guest PA of a scratch area of 4 KiB reserved for
                           the boot protocol (RISC-V: struct fw_dynamic_info,
                           OpenSBI docs/firmware/fw_dynamic.md), or 0 */
  uint32_t boot_hart;   /* hart that boots first */
  uint32_t reserved;
} vmrun_boot_info;

/*
** User-mode emulation (ABI 1.5): what the OS personality layer (the core's
** Linux user mode, core/user.c) needs from an ISA to run that ISA's Linux
** programs directly on the host (`vmrun --user`).  Everything here is the
** ISA's part; the OS layer owns the syscall semantics, struct layouts of
** the generic (asm-generic) Linux ABI, the address space and the ELF
** loading.  A frontend without user-mode support leaves
** vmrun_frontend_ops.user NULL.
**
** Address space: guest VA == guest PA below va_limit (the core maps one
** RAM region there); permissions are enforced by the MMU through page
** tables the OS layer builds in the radix format described by pt_* (4 KiB
** pages, 8-byte entries, 9 VA bits per level, like RISC-V Sv39/Sv48,
** AArch64 4K-granule and x86-64 4-level tables).
**
** Traps: once enter() has run, a trap taken from user mode is not entered
** architecturally; the frontend records it (take_trap) and sets
** VMRUN_EXIT_USER in cpu->exit_request, so the engine returns to the core
** at the next block boundary with pc still at the trapping instruction.
*/
enum vmrun_user_trap_kind {
  VMRUN_USER_TRAP_NONE = 0,
  VMRUN_USER_TRAP_SYSCALL = 1,    /* system call instruction (RISC-V ECALL) */
  VMRUN_USER_TRAP_FAULT = 2,      /* page/access fault at addr (SIGSEGV) */
  VMRUN_USER_TRAP_ILLEGAL = 3,    /* illegal instruction (SIGILL) */
  VMRUN_USER_TRAP_BREAKPOINT = 4, /* breakpoint instruction (SIGTRAP) */
  VMRUN_USER_TRAP_MISALIGNED = 5  /* alignment fault at addr (SIGBUS) */
};

typedef struct vmrun_user_trap {
  uint32_t kind;     /* enum vmrun_user_trap_kind */
  uint32_t access;   /* FAULT/MISALIGNED: enum vmrun_access */
  uint64_t addr;     /* FAULT/MISALIGNED: the guest VA; else 0 */
  uint64_t pc;       /* guest VA of the trapping instruction */
} vmrun_user_trap;

/* Bits of the `prot` argument of pte_leaf (same values as PROT_* on
** Linux). */
#define VMRUN_USER_PROT_READ  0x1u
#define VMRUN_USER_PROT_WRITE 0x2u
#define VMRUN_USER_PROT_EXEC  0x4u

typedef struct vmrun_user_abi {
  uint32_t struct_size;    /* sizeof(vmrun_user_abi) at build time */
  uint32_t pt_levels;      /* levels of the page-table radix tree (3 = Sv39) */
  uint64_t va_limit;       /* first VA above the user address space
                              (2^38 for Sv39: the lower half) */
  const char *platform;    /* AT_PLATFORM string, or NULL for none */
  uint64_t hwcap;          /* AT_HWCAP value (RISC-V: one bit per single-
                              letter extension, bit = letter - 'a') */
  /* Page-table entries: a leaf mapping the 4 KiB page at guest PA `pa`
  ** with VMRUN_USER_PROT_* `prot` (user accessible, accessed/dirty preset
  ** so the MMU never writes them back), and a non-leaf entry pointing to
  ** the next-level table at `pa`.  Pure functions. */
  uint64_t (*pte_leaf)(uint64_t pa, unsigned prot);
  uint64_t (*pte_table)(uint64_t pa);
  /* Switch a reset hart to user-mode emulation: user privilege, FP
  ** enabled, counters readable, paging with the root table at guest PA
  ** `pt_root`, and traps recorded instead of entered.  0 or -VMRUN_E*. */
  int (*enter)(void *inst, vmrun_cpu *cpu, uint64_t pt_root);
  /* Take (and clear) the trap recorded since the last call: 1 and *t
  ** filled, or 0 when none is pending. */
  int (*take_trap)(void *inst, vmrun_cpu *cpu, vmrun_user_trap *t);
  /* The system call of a SYSCALL trap: its number (in the ISA's own
  ** numbering; see sysno_map) and six arguments. */
  void (*syscall_args)(void *inst, vmrun_cpu *cpu, uint64_t *nr,
                       uint64_t args[6]);
  /* Complete a system call: return value (a negative errno on failure, as
  ** the kernel returns it) into the return register and pc past the
  ** instruction. */
  void (*syscall_return)(void *inst, vmrun_cpu *cpu, uint64_t ret);
  /* Process entry (ELF entry point and initial stack pointer; every other
  ** register as the ISA's Linux ABI wants at exec, e.g. zero). */
  void (*set_entry)(void *inst, vmrun_cpu *cpu, uint64_t pc, uint64_t sp);
  /* The child side of clone/fork, called on the child's copy of the
  ** parent's state at its SYSCALL trap: return register 0, pc past the
  ** instruction, stack pointer `sp` unless 0, thread pointer `tls` when
  ** set_tls is nonzero. */
  void (*clone_child)(void *inst, vmrun_cpu *cpu, uint64_t sp, uint64_t tls,
                      int set_tls);
  /* Signal delivery (Linux arch/<isa>/kernel/signal.c).  The OS layer
  ** picks the frame's place: frame_va = (stack pointer - sigframe_size)
  ** rounded down to 16, and passes `frame`, the host address of those
  ** sigframe_size validated writable bytes. */
  uint32_t sigframe_size;          /* bytes of the ISA's rt_sigframe */
  uint32_t sigreturn_code_size;    /* bytes of sigreturn_code */
  /* Code that makes the rt_sigreturn system call (the handler's return
  ** address when the guest gave no SA_RESTORER; the OS layer maps it in a
  ** read/execute page), or NULL. */
  const uint8_t *sigreturn_code;
  /* The current stack pointer. */
  uint64_t (*get_sp)(void *inst, vmrun_cpu *cpu);
  /* Build the frame: siginfo (128 bytes, Linux layout, copied in), the
  ** ucontext with `sigmask` (64 signals, bit n-1 = signal n), the
  ** alternate stack (ss_*) and every register; then enter the handler:
  ** pc = handler, stack pointer = frame_va, return address = restorer,
  ** arguments (sig, &siginfo, &ucontext). */
  void (*sigframe_build)(void *inst, vmrun_cpu *cpu, void *frame,
                         uint64_t frame_va, int sig, const void *siginfo,
                         uint64_t sigmask, uint64_t ss_sp, uint64_t ss_size,
                         uint32_t ss_flags, uint64_t handler,
                         uint64_t restorer);
  /* rt_sigreturn: restore every register from the frame the stack
  ** pointer points at (host address `frame`, sigframe_size readable
  ** bytes); *sigmask gets the saved mask. */
  void (*sigframe_restore)(void *inst, vmrun_cpu *cpu, const void *frame,
                           uint64_t *sigmask);
  /* ISAs whose syscall numbers are not the asm-generic table: map[n] is
  ** the generic number of native number n (-1: none), for n < sysno_count.
  ** NULL when the ISA uses the generic table (RISC-V, AArch64). */
  const int16_t *sysno_map;
  uint32_t sysno_count;
  uint32_t reserved;
} vmrun_user_abi;

typedef struct vmrun_frontend_ops {
  uint32_t struct_size;    /* sizeof(vmrun_frontend_ops) at build time */
  uint32_t cpu_state_size; /* bytes of one vCPU state block, header
                              included (>= sizeof(vmrun_cpu)) */
  const char *isa;         /* ISA name used in YAML `arch:` ("riscv64") */
  uint16_t elf_machine;    /* ELF e_machine of its code (EM_RISCV = 243) */
  uint8_t elf_class;       /* ELFCLASS64 = 2 */
  uint8_t reserved0;
  uint64_t default_ram_base; /* guest PA where RAM starts by default */

  /* Create the instance from the options node (may be NULL).  *inst gets
  ** the frontend's own state; 0 or negative VMRUN_E*. */
  int (*create)(const vmrun_host *host, vmrun_machine *m, vmrun_cfg *opts,
                void **inst);
  void (*destroy)(void *inst);

  /* Architectural reset of one hart (the core zeroed the block and filled
  ** the header's hart_id, machine and tlb).  Sets pc to the reset vector,
  ** privilege to the highest mode, mmu indexes, tb_flags and paging. */
  int (*cpu_reset)(void *inst, vmrun_cpu *cpu);
  /* Set the registers the firmware expects at entry (RISC-V: a0 = hartid,
  ** a1 = FDT, a2 = fw_dynamic_info, pc = entry). */
  int (*boot)(void *inst, vmrun_cpu *cpu, const vmrun_boot_info *bi);

  /* Translate guest code at cpu->pc into `blk` (pc, phys_pc, tb_flags,
  ** max_insns, ops and cap_ops are preset).  Fetches with
  ** host->code_fetch().  Ends the block at a control transfer, a system
  ** instruction, max_insns, or when the next instruction cannot be
  ** fetched.  Returns 0; or a positive enum vmrun_fault if the *first*
  ** instruction cannot be fetched (the core then calls raise_fault with
  ** VMRUN_ACCESS_FETCH); or a negative VMRUN_E* on internal error. */
  int (*translate)(void *inst, vmrun_cpu *cpu, vmrun_ir_block *blk);

  /* Architectural trap entry for an MMU fault at guest VA `va` (cpu->pc is
  ** the faulting instruction).  Sets pc to the trap vector. */
  void (*raise_fault)(void *inst, vmrun_cpu *cpu, enum vmrun_access acc,
                      enum vmrun_fault fault, uint64_t va);

  /* Called at a block boundary when exit_request had VMRUN_EXIT_IRQ, and
  ** while halted: takes the highest-priority pending and enabled interrupt
  ** (trap entry) and returns 1; clears cpu->halted if any interrupt is
  ** pending and enabled (WFI wake-up, Privileged ISA §3.3.3); else 0. */
  int (*interrupt)(void *inst, vmrun_cpu *cpu);

  /* Add ISA properties (riscv,isa, mmu-type...) to the FDT cpu node
  ** `cpu_node` and its interrupt-controller child, whose phandle is
  ** host->fdt_phandle(m, "cpuN-intc").  `fdt` is a libfdt read-write
  ** blob with free space.  0 or negative VMRUN_E*. */
  int (*fdt_cpu)(void *inst, vmrun_cpu *cpu, void *fdt, int cpu_node);

  /* Registers by architectural name ("pc", "a0", "x5", "mstatus"...), for
  ** tracing, debuggers and Lua.  0, or -VMRUN_ENOENT for an unknown name. */
  int (*reg_get)(void *inst, vmrun_cpu *cpu, const char *name, uint64_t *val);
  int (*reg_set)(void *inst, vmrun_cpu *cpu, const char *name, uint64_t val);
  /* The idx-th register name for enumeration; NULL past the last. */
  const char *(*reg_name)(void *inst, unsigned idx);

  /* ---- added in ABI 1.4 (read only inside struct_size) ---- */
  uint32_t caps;           /* VMRUN_FE_CAP_* bits */
  uint32_t reserved1;      /* zero */
  /* Disassemble the guest instruction in bytes[0..len) (guest memory at
  ** guest VA `pc`, fetched by the caller; len may exceed one instruction)
  ** into buf as one NUL-terminated line of text without a newline
  ** ("addi\tsp,sp,-16": mnemonic, a tab, operands; GNU objdump syntax for
  ** the ISA).  `cpu` may be NULL (decode with the ISA's full extension
  ** set); `inst` is the frontend instance.  Returns the bytes the
  ** instruction occupies (> 0); an undecodable instruction still returns
  ** its length and prints as a data directive (".insn"/".word"); returns
  ** -VMRUN_EINVAL when len is too short to hold it.  buflen >= 64 always
  ** suffices.  Pure function of its inputs, thread-safe.  Optional: NULL
  ** when the frontend cannot disassemble. */
  int (*disas)(void *inst, vmrun_cpu *cpu, uint64_t pc, const uint8_t *bytes,
               size_t len, char *buf, size_t buflen);
  /* ---- added in ABI 1.5 ---- */
  /* User-mode emulation support, or NULL (see vmrun_user_abi).  Read only
  ** when struct_size covers it. */
  const vmrun_user_abi *user;
  /* ---- added in ABI 1.9 (read only inside struct_size) ---- */
  /* Where the ISA accrues floating-point exception flags, for CALLs
  ** hinted VMRUN_IR_F_FP (vmrun/ir.h): the byte offset in the vCPU state
  ** of a 32-bit word (4-byte aligned), and the mask of its inexact bit.
  ** RISC-V: fflags and NX (Unprivileged ISA §13.2).  fp_inexact == 0: the
  ** frontend emits no such hints. */
  uint32_t fp_flags_off;
  uint32_t fp_inexact;
  /* ---- added in ABI 1.12 (read only inside struct_size) ---- */
  /* The masks of the other four IEEE 754-2019 §7 flags in the same word
  ** (RISC-V: NV, DZ, OF, UF).  A frontend sets them only when its ISA
  ** detects tininess after rounding (§7.5; RISC-V Unprivileged ISA
  ** §13.2, as x86 SSE does); any of them 0: engines may use the ABI 1.9
  ** rule only (vmrun/ir.h, "Floating-point hints"). */
  uint32_t fp_invalid;
  uint32_t fp_divzero;
  uint32_t fp_overflow;
  uint32_t fp_underflow;
  /* ---- added in ABI 1.14 (read only inside struct_size) ---- */
  /* The ISA's default NaN, or 0.  Nonzero: every hinted binary64 ADD,
  ** SUB, MUL, DIV and SQRT (vmrun/ir.h) whose result is a NaN returns
  ** exactly this bit pattern, whatever its operands' payloads, and raises
  ** exactly the flags of IEEE 754-2019 §7.2 (invalid for a signalling NaN
  ** operand or an invalid operation, nothing for quiet NaN operands), as
  ** x86 SSE does: an engine with the ABI 1.12 masks may then give that
  ** result itself instead of calling the helper.  RISC-V: the canonical
  ** NaN 0x7ff8000000000000 (Unprivileged ISA §13.3, "NaN Generation and
  ** Propagation").  The fused operations are not covered (their flags for
  ** infinity times zero plus a quiet NaN differ between ISAs).  0: the
  ** ISA propagates payloads, or the frontend does not say. */
  uint64_t fp_default_nan;
} vmrun_frontend_ops;

/* vmrun_frontend_ops.caps bits. */
#define VMRUN_FE_CAP_TRAP_EVENTS 0x1u /* calls vmrun_host.trap_event when
                                         vmrun_cpu.events asks for it */

/* True when the frontend table has the slot `field` (ABI 1.4 and later
** slots: it may still be NULL). */
#define VMRUN_FRONTEND_HAS(ops, field) \
  VMRUN_TABLE_HAS(ops, vmrun_frontend_ops, field)

#ifdef __cplusplus
}
#endif
#endif
