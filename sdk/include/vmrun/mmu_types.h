/*
** vmrun/mmu_types.h - access kinds, fault kinds and translation regimes
** shared by frontends, MMUs and engines.
*/
#ifndef VMRUN_MMU_TYPES_H
#define VMRUN_MMU_TYPES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What an access is for.  RISC-V maps these to the load/store-AMO/
** instruction cause codes (Privileged ISA §3.1.15, Table 3.6). */
enum vmrun_access {
  VMRUN_ACCESS_LOAD  = 0,
  VMRUN_ACCESS_STORE = 1,  /* stores and AMOs */
  VMRUN_ACCESS_FETCH = 2
};

/* Why an access failed.  0 means success everywhere a fault is returned. */
enum vmrun_fault {
  VMRUN_FAULT_NONE       = 0,
  VMRUN_FAULT_PAGE       = 1, /* translation failed or permission denied */
  VMRUN_FAULT_ACCESS     = 2, /* physical address not mapped / PMP */
  VMRUN_FAULT_MISALIGNED = 3  /* alignment required and not met */
};

/* Translation modes (RISC-V Privileged ISA §4.1.11 satp.MODE values are
** used where they exist). */
enum vmrun_paging_mode {
  VMRUN_PAGING_BARE = 0,  /* guest VA == guest PA */
  VMRUN_PAGING_SV39 = 8,  /* RISC-V Sv39, §4.4 */
  VMRUN_PAGING_SV48 = 9,  /* RISC-V Sv48, §4.5 */
  VMRUN_PAGING_SV57 = 10  /* RISC-V Sv57, §4.6 */
};

/* Flags of a translation regime. */
#define VMRUN_PAGING_USER 0x1u /* accesses are made with user privilege */
#define VMRUN_PAGING_SUM  0x2u /* supervisor may access user pages (SUM) */
#define VMRUN_PAGING_MXR  0x4u /* executable pages are readable (MXR) */

/* The translation regime of one TLB index. */
typedef struct vmrun_paging {
  uint32_t mode;     /* enum vmrun_paging_mode */
  uint32_t flags;    /* VMRUN_PAGING_* */
  uint64_t root;     /* guest PA of the root page table (4 KiB aligned) */
  uint32_t asid;     /* address-space identifier */
  uint32_t reserved;
} vmrun_paging;

#ifdef __cplusplus
}
#endif
#endif
