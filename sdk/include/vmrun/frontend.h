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
} vmrun_frontend_ops;

/* vmrun_frontend_ops.caps bits. */
#define VMRUN_FE_CAP_TRAP_EVENTS 0x1u /* calls vmrun_host.trap_event when
                                         vmrun_cpu.events asks for it */

/* True when the frontend table has the slot `field` (ABI 1.4 and later
** slots: it may still be NULL). */
#define VMRUN_FRONTEND_HAS(ops, field) \
  ((ops)->struct_size >= offsetof(vmrun_frontend_ops, field) + \
                             sizeof((ops)->field))

#ifdef __cplusplus
}
#endif
#endif
