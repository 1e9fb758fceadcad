/*
** vmrun/mmu.h - MMU plugins (kind VMRUN_PLUGIN_MMU).
**
** An MMU translates guest virtual to guest physical addresses for every
** vCPU and owns the software TLB (layout in vmrun/cpu.h).  Engines inline
** the TLB hit path and call access() on a miss; access() walks the page
** tables of the regime installed by set_paging(), checks permissions,
** refills the TLB (RAM pages only; MMIO and code pages stay out of the
** fields that would bypass the slow path) and performs the access through
** the core's physical memory map (vmrun_host.phys_*).
**
** Threading: per-vCPU calls run on that vCPU's thread.
*/
#ifndef VMRUN_MMU_H
#define VMRUN_MMU_H

#include <stdint.h>

#include "cpu.h"
#include "host.h"
#include "mmu_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vmrun_mmu_ops {
  uint32_t struct_size;
  uint32_t reserved;
  int (*create)(const vmrun_host *host, vmrun_machine *m, vmrun_cfg *opts,
                void **inst);
  void (*destroy)(void *inst);
  /* Allocate the vCPU's TLBs, set cpu->tlb (all entries invalid) and
  ** cpu->mmu_data; bare regime in every index. */
  int (*cpu_attach)(void *inst, vmrun_cpu *cpu);
  void (*cpu_detach)(void *inst, vmrun_cpu *cpu);
  /* Slow path of a load/fetch (value to *val, zero-extended) or store
  ** (value from *val) of `size` bytes (1, 2, 4, 8; misaligned allowed and
  ** split) at guest VA `va` in TLB index `mmu_idx`.  Returns 0 or an enum
  ** vmrun_fault; on a fault nothing was written. */
  int (*access)(void *inst, vmrun_cpu *cpu, uint64_t va, unsigned size,
                enum vmrun_access acc, unsigned mmu_idx, uint64_t *val);
  /* Translate without accessing; *pa gets the guest PA.  0 or a fault. */
  int (*translate)(void *inst, vmrun_cpu *cpu, uint64_t va,
                   enum vmrun_access acc, unsigned mmu_idx, uint64_t *pa);
  /* Install the regime of one TLB index and flush it.  Returns
  ** -VMRUN_ENOTSUP for a mode this MMU does not implement (a frontend
  ** then treats the satp write as WARL and keeps the old mode). */
  int (*set_paging)(void *inst, vmrun_cpu *cpu, unsigned mmu_idx,
                    const vmrun_paging *p);
  /* Invalidate TLB entries: the page holding `va`, or all when va ==
  ** VMRUN_TLB_INVALID. */
  void (*tlb_flush)(void *inst, vmrun_cpu *cpu, uint64_t va);
  /* The RAM page at guest PA `gpa` now holds translated code: remove it
  ** from every vCPU's write TLB so stores to it take the slow path. */
  void (*code_page_added)(void *inst, uint64_t gpa);
  /* ---- added in ABI 1.7 (optional: NULL, or outside struct_size, when
  ** the MMU has none; see VMRUN_MMU_HAS) ---- */
  /* tlb_flush() of the page holding va (never VMRUN_TLB_INVALID) that
  ** also tells the core how far the engines must flush: 0 when va was
  ** only ever translated for instruction fetch through a 4 KiB page since
  ** the last whole flush, so vcache_flush_page() is enough; 1 when a fetch
  ** translation through a superpage may cover va (one SFENCE.VMA of an
  ** address changes the whole leaf PTE that maps it, Privileged ISA
  ** §4.2.1), so the core calls vcache_flush().  Without this slot the core
  ** calls tlb_flush() and vcache_flush(). */
  int (*tlb_flush_page)(void *inst, vmrun_cpu *cpu, uint64_t va);
} vmrun_mmu_ops;

/* True when the MMU table has the slot `field` (ABI 1.7 and later slots:
** it may still be NULL). */
#define VMRUN_MMU_HAS(ops, field) \
  VMRUN_TABLE_HAS(ops, vmrun_mmu_ops, field)

#ifdef __cplusplus
}
#endif
#endif
