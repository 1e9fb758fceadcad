/*
** tests/engine/test_softmmu.c - the softmmu plugin on the fake host.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

static void setup(void) { fm_setup(0, 0); }
static void teardown(void) { fm_teardown(); }

TestSuite(softmmu, .init = setup, .fini = teardown);

#define CPU (&FM->cpu->hdr)
#define TLB(idx, va) \
  (&CPU->tlb[idx][VMRUN_TLB_INDEX(va)])

static int acc(uint64_t va, unsigned size, enum vmrun_access a,
               unsigned idx, uint64_t *val)
{
  return FM->mmu->access(FM->mmu_inst, CPU, va, size, a, idx, val);
}

/* the engines' inline hit rule (vmrun/cpu.h) */
static int hit(uint64_t field, uint64_t va, unsigned size)
{
  return (va & (VMRUN_PAGE_MASK | (size - 1))) == field;
}

Test(softmmu, attach_invalid_tlbs)
{
  cr_assert_not_null(CPU->tlb);
  cr_assert_not_null(CPU->mmu_data);
  for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++)
    for (unsigned j = 0; j < VMRUN_TLB_SIZE; j++) {
      cr_assert_eq(CPU->tlb[i][j].addr_read, VMRUN_TLB_INVALID);
      cr_assert_eq(CPU->tlb[i][j].addr_write, VMRUN_TLB_INVALID);
      cr_assert_eq(CPU->tlb[i][j].addr_code, VMRUN_TLB_INVALID);
    }
}

Test(softmmu, ram_fill_and_hit_rule)
{
  uint64_t va = RAM_BASE + 0x4010, v = 0;
  vmrun_tlb_entry *e = TLB(1, va);
  memcpy(FM->ram + 0x4010, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
  cr_assert_eq(acc(va, 4, VMRUN_ACCESS_LOAD, 1, &v), 0);
  cr_assert_eq(v, 0x44332211);
  cr_assert_eq(e->addr_read, RAM_BASE + 0x4000);
  cr_assert_eq(e->addr_write, RAM_BASE + 0x4000);
  cr_assert_eq(e->addr_code, RAM_BASE + 0x4000);
  cr_assert_eq((uint8_t *)(uintptr_t)(va + e->addend), FM->ram + 0x4010);
  cr_assert(hit(e->addr_read, va, 8));
  cr_assert(hit(e->addr_read, va + 0xfef, 1));
  cr_assert(!hit(e->addr_read, va + 1, 2));  /* misaligned: miss */
  cr_assert(!hit(e->addr_read, va + 0x1000, 1)); /* other page */
  /* other indexes untouched */
  cr_assert_eq(TLB(0, va)->addr_read, VMRUN_TLB_INVALID);
  /* store through access(), 8 bytes, misaligned within the page */
  v = 0x0102030405060708ull;
  cr_assert_eq(acc(va + 3, 8, VMRUN_ACCESS_STORE, 1, &v), 0);
  cr_assert_eq(FM->ram[0x4013], 0x08);
  cr_assert_eq(FM->ram[0x401a], 0x01);
  cr_assert_eq(FM->n_cw, 0);
  /* fetch */
  cr_assert_eq(acc(va, 4, VMRUN_ACCESS_FETCH, 1, &v), 0);
  cr_assert_eq(v, 0x08332211u); /* bytes 11 22 33 08 */
}

Test(softmmu, page_crossing_access)
{
  uint64_t va = RAM_BASE + 0x1ffd, v;
  for (int i = 0; i < 8; i++) FM->ram[0x1ffd + i] = (uint8_t)(0x10 + i);
  cr_assert_eq(acc(va, 8, VMRUN_ACCESS_LOAD, 0, &v), 0);
  cr_assert_eq(v, 0x1716151413121110ull);
  v = 0xa1a2a3a4a5a6a7a8ull;
  cr_assert_eq(acc(va, 8, VMRUN_ACCESS_STORE, 0, &v), 0);
  cr_assert_eq(FM->ram[0x1ffd], 0xa8);
  cr_assert_eq(FM->ram[0x2004], 0xa1);
  /* crossing from the last RAM page into nothing: fault, nothing written */
  va = RAM_BASE + RAM_SIZE - 2;
  FM->ram[RAM_SIZE - 2] = 0x5a;
  v = 0;
  cr_assert_eq(acc(va, 4, VMRUN_ACCESS_STORE, 0, &v), VMRUN_FAULT_ACCESS);
  cr_assert_eq(FM->ram[RAM_SIZE - 2], 0x5a);
  cr_assert_eq(acc(va, 4, VMRUN_ACCESS_LOAD, 0, &v), VMRUN_FAULT_ACCESS);
}

Test(softmmu, rom_reads_cached_writes_ignored)
{
  uint64_t va = ROM_BASE + 0x2008, v = 0;
  vmrun_tlb_entry *e = TLB(0, va);
  cr_assert_eq(acc(va, 1, VMRUN_ACCESS_LOAD, 0, &v), 0);
  cr_assert_eq(v, (uint8_t)(0xA5 + 0x2008));
  cr_assert_eq(e->addr_read, ROM_BASE + 0x2000);
  cr_assert_eq(e->addr_code, ROM_BASE + 0x2000);
  cr_assert_eq(e->addr_write, VMRUN_TLB_INVALID);
  v = 0;
  cr_assert_eq(acc(va, 8, VMRUN_ACCESS_STORE, 0, &v), 0);
  cr_assert_eq(FM->rom[0x2008], (uint8_t)(0xA5 + 0x2008));
  cr_assert_eq(e->addr_write, VMRUN_TLB_INVALID);
}

Test(softmmu, mmio_never_cached_and_split)
{
  uint64_t v = 0x1122;
  FM->mmio_read_val = 0xffffffffffffffffull;
  cr_assert_eq(acc(MMIO_BASE + 0x10, 2, VMRUN_ACCESS_STORE, 0, &v), 0);
  cr_assert_eq(FM->n_mmio, 1);
  cr_assert_eq(FM->mmio[0].off, 0x10);
  cr_assert_eq(FM->mmio[0].size, 2);
  cr_assert_eq(FM->mmio[0].val & 0xffff, 0x1122);
  cr_assert_eq(acc(MMIO_BASE + 0x10, 4, VMRUN_ACCESS_LOAD, 0, &v), 0);
  cr_assert_eq(v, 0xffffffffull); /* zero-extended to the size */
  cr_assert_eq(TLB(0, MMIO_BASE)->addr_read, VMRUN_TLB_INVALID);
  cr_assert_eq(TLB(0, MMIO_BASE)->addr_write, VMRUN_TLB_INVALID);
  /* misaligned 4-byte store: four byte accesses, little-endian */
  FM->n_mmio = 0;
  v = 0xddccbbaa;
  cr_assert_eq(acc(MMIO_BASE + 0x21, 4, VMRUN_ACCESS_STORE, 0, &v), 0);
  cr_assert_eq(FM->n_mmio, 4);
  for (int i = 0; i < 4; i++) {
    cr_assert_eq(FM->mmio[i].off, 0x21u + i);
    cr_assert_eq(FM->mmio[i].size, 1);
    cr_assert_eq(FM->mmio[i].val, 0xaau + 0x11u * i);
  }
}

Test(softmmu, unmapped_is_access_fault)
{
  uint64_t v = 0, pa;
  cr_assert_eq(acc(0x20000000, 4, VMRUN_ACCESS_LOAD, 0, &v),
               VMRUN_FAULT_ACCESS);
  cr_assert_eq(acc(0x20000000, 4, VMRUN_ACCESS_STORE, 0, &v),
               VMRUN_FAULT_ACCESS);
  cr_assert_eq(FM->mmu->translate(FM->mmu_inst, CPU, 0x20000000,
                                  VMRUN_ACCESS_FETCH, 0, &pa),
               VMRUN_FAULT_ACCESS);
  cr_assert_eq(FM->mmu->translate(FM->mmu_inst, CPU, RAM_BASE + 0x123,
                                  VMRUN_ACCESS_FETCH, 0, &pa), 0);
  cr_assert_eq(pa, RAM_BASE + 0x123);
  cr_assert_eq(FM->mmu->translate(FM->mmu_inst, CPU, 0x20000000,
                                  VMRUN_ACCESS_LOAD, 0, &pa), 0);
  cr_assert_eq(pa, 0x20000000);
}

Test(softmmu, code_page_kept_out_of_write_tlb)
{
  uint64_t va = RAM_BASE + 0x3000, v = 0x99;
  FM->code_page[3] = 1;
  cr_assert_eq(acc(va + 4, 4, VMRUN_ACCESS_LOAD, 0, &v), 0);
  cr_assert_eq(TLB(0, va)->addr_read, va);
  cr_assert_eq(TLB(0, va)->addr_write, VMRUN_TLB_INVALID);
  v = 0x99;
  cr_assert_eq(acc(va + 4, 4, VMRUN_ACCESS_STORE, 0, &v), 0);
  cr_assert_eq(FM->ram[0x3004], 0x99);
  cr_assert_eq(FM->n_cw, 1);
  cr_assert_eq(FM->cw_gpa[0], va + 4);
  cr_assert_eq(FM->cw_len[0], 4);
}

Test(softmmu, code_page_added_clears_write_entries)
{
  uint64_t v = 0;
  uint64_t a = RAM_BASE + 0x5000, b = RAM_BASE + 0x6000;
  cr_assert_eq(acc(a, 8, VMRUN_ACCESS_STORE, 0, &v), 0);
  cr_assert_eq(acc(a, 8, VMRUN_ACCESS_STORE, 2, &v), 0);
  cr_assert_eq(acc(b, 8, VMRUN_ACCESS_STORE, 0, &v), 0);
  cr_assert_eq(TLB(0, a)->addr_write, a);
  cr_assert_eq(TLB(2, a)->addr_write, a);
  FM->code_page[5] = 1;
  FM->mmu->code_page_added(FM->mmu_inst, a + 0x10);
  cr_assert_eq(TLB(0, a)->addr_write, VMRUN_TLB_INVALID);
  cr_assert_eq(TLB(2, a)->addr_write, VMRUN_TLB_INVALID);
  cr_assert_eq(TLB(0, a)->addr_read, a); /* reads still cached */
  cr_assert_eq(TLB(0, b)->addr_write, b); /* other page untouched */
}

Test(softmmu, tlb_flush_page_and_all)
{
  uint64_t v, a = RAM_BASE + 0x7000, b = RAM_BASE + 0x8000;
  cr_assert_eq(acc(a, 1, VMRUN_ACCESS_LOAD, 0, &v), 0);
  cr_assert_eq(acc(a, 1, VMRUN_ACCESS_LOAD, 3, &v), 0);
  cr_assert_eq(acc(b, 1, VMRUN_ACCESS_LOAD, 0, &v), 0);
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, a + 0x123);
  cr_assert_eq(TLB(0, a)->addr_read, VMRUN_TLB_INVALID);
  cr_assert_eq(TLB(3, a)->addr_read, VMRUN_TLB_INVALID);
  cr_assert_eq(TLB(0, b)->addr_read, b);
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, VMRUN_TLB_INVALID);
  cr_assert_eq(TLB(0, b)->addr_read, VMRUN_TLB_INVALID);
}

/* Sv39/Sv48 walks are tested in test_paging.c */
Test(softmmu, set_paging_modes)
{
  vmrun_paging p = { VMRUN_PAGING_SV57, 0, RAM_BASE, 0, 0 };
  uint64_t v;
  cr_assert_eq(acc(RAM_BASE, 1, VMRUN_ACCESS_LOAD, 1, &v), 0);
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, 1, &p),
               -VMRUN_ENOTSUP);
  cr_assert_eq(TLB(1, RAM_BASE)->addr_read, RAM_BASE); /* unchanged */
  p.mode = 7; /* reserved satp mode */
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, 1, &p),
               -VMRUN_ENOTSUP);
  p.mode = VMRUN_PAGING_SV39;
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, 1, &p), 0);
  p.mode = VMRUN_PAGING_SV48;
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, 1, &p), 0);
  cr_assert_eq(acc(RAM_BASE, 1, VMRUN_ACCESS_LOAD, 0, &v), 0);
  p.mode = VMRUN_PAGING_BARE;
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, 1, &p), 0);
  cr_assert_eq(TLB(1, RAM_BASE)->addr_read, VMRUN_TLB_INVALID); /* flushed */
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, VMRUN_TLB_NB_IDX, &p),
               -VMRUN_EINVAL);
  cr_assert_eq(acc(RAM_BASE, 1, VMRUN_ACCESS_LOAD, 1, &v), 0);
}
