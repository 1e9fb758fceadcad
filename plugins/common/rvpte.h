/*
** plugins/common/rvpte.h - RISC-V page-table entry bits (Privileged ISA
** §4.3.1 and §4.4.1, Figure 4.21), shared by the softmmu's page walker and
** the riscv64 frontend's user-mode page tables.  Not SDK.
*/
#ifndef VMRUN_PLUGINS_RVPTE_H
#define VMRUN_PLUGINS_RVPTE_H

#define PTE_V (1ull << 0)  /* valid */
#define PTE_R (1ull << 1)  /* readable */
#define PTE_W (1ull << 2)  /* writable */
#define PTE_X (1ull << 3)  /* executable */
#define PTE_U (1ull << 4)  /* user-mode accessible */
#define PTE_A (1ull << 6)  /* accessed */
#define PTE_D (1ull << 7)  /* dirty */
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ull << 44) - 1)

#endif
