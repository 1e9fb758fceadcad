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

/* Guest memory is little-endian (RISC-V, and as vmrun runs ARM64 and
** x86-64 guests): the value of the `size` bytes (1 to 8) at host pointer
** `p`, and the store of the low `size` bytes of `v`.  No alignment
** needed; on any host byte order.  Written as byte loads and shifts,
** which compilers merge into single moves for the constant sizes (gcc's
** load/store merging at -O2), so no libc call in MMU slow paths. */
static inline uint64_t vmrun_load_le(const void *p, unsigned size)
{
  const uint8_t *b = (const uint8_t *)p;
  switch (size) {
  case 1: return b[0];
  case 2: return (uint64_t)b[0] | (uint64_t)b[1] << 8;
  case 4:
    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
           (uint64_t)b[3] << 24;
  case 8:
    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
           (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 |
           (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
           (uint64_t)b[7] << 56;
  default: {
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++)
      v |= (uint64_t)b[i] << (8 * i);
    return v;
  }
  }
}

static inline void vmrun_store_le(void *p, unsigned size, uint64_t v)
{
  uint8_t *b = (uint8_t *)p;
  /* one whole sequence per size: gcc merges each into one move, which
  ** cases that fall through into each other defeat */
  switch (size) {
  case 1:
    b[0] = (uint8_t)v;
    break;
  case 2:
    b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8);
    break;
  case 4:
    b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
    break;
  case 8:
    b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
    b[4] = (uint8_t)(v >> 32); b[5] = (uint8_t)(v >> 40);
    b[6] = (uint8_t)(v >> 48); b[7] = (uint8_t)(v >> 56);
    break;
  default:
    for (unsigned i = 0; i < size && i < 8; i++)
      b[i] = (uint8_t)(v >> (8 * i));
    break;
  }
}

#ifdef __cplusplus
}
#endif
#endif
