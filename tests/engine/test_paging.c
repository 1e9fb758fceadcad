/*
** tests/engine/test_paging.c - RISC-V Sv39/Sv48 page-table walks of the
** softmmu plugin (Privileged ISA v1.12 §4.3-4.5) on the fake host: page
** sizes, PTE legality, permissions (U/SUM/MXR), A/D updates in fake RAM,
** access faults on page tables outside memory, TLB fill rules, flushes,
** and the interp engine running code through page tables.
**
** Page tables live in fake RAM from PT_BASE (a bump allocator); data pages
** from DATA.  Link like test_softmmu (harness + interp + softmmu).
*/
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"

#define CPU (&FM->cpu->hdr)
#define TLB(idx, va) \
  (&CPU->tlb[idx][VMRUN_TLB_INDEX(va)])

#define PTE_V 0x01ull
#define PTE_R 0x02ull
#define PTE_W 0x04ull
#define PTE_X 0x08ull
#define PTE_U 0x10ull
#define PTE_G 0x20ull
#define PTE_A 0x40ull
#define PTE_D 0x80ull
#define RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define PT_BASE (RAM_BASE + 0x10000)  /* page tables: 0x10000..0x3ffff */
#define DATA    (RAM_BASE + 0x40000)  /* data pages */
#define IDX 1                          /* the TLB index under test (S) */

#define L_4K 0
#define L_2M 1
#define L_1G 2
#define L_512G 3


static void setup(void) { fm_setup(0, 0); }
static void teardown(void) { fm_teardown(); }
static void setup_eng(void) { fm_setup(1, 32); }

TestSuite(paging, .init = setup, .fini = teardown);
TestSuite(paging_exec, .init = setup_eng, .fini = teardown);

#define EQ(x, y) cr_assert_eq((uint64_t)(x), (uint64_t)(y), \
  "%s = 0x%llx, expected 0x%llx (line %d)", #x, \
  (unsigned long long)(x), (unsigned long long)(y), __LINE__)

static fm_pt PT;            /* the page tables under test */

#define ram64(pa) fm_ram64(pa)
#define mkpte(pa, flags) fm_mkpte(pa, flags)

static int regime(unsigned idx, unsigned mode, unsigned flags)
{
  vmrun_paging p;
  memset(&p, 0, sizeof p);
  p.mode = mode;
  p.flags = flags;
  p.root = PT.root;
  return FM->mmu->set_paging(FM->mmu_inst, CPU, idx, &p);
}

/* New empty page tables for `mode`, installed in IDX (and 0 with USER). */
static void paging_on(unsigned mode)
{
  fm_pt_init(&PT, PT_BASE, DATA, mode == VMRUN_PAGING_SV39 ? 3 : 4);
  cr_assert_eq(regime(IDX, mode, 0), 0);
  cr_assert_eq(regime(0, mode, VMRUN_PAGING_USER), 0);
}

/* Address of the PTE for va at `level`, creating the tables above it. */
static uint64_t pte_addr(uint64_t va, unsigned level)
{
  return fm_pte_addr(&PT, va, level);
}

/* Map va -> pa with a leaf at `level`; returns the PTE's address. */
static uint64_t map(uint64_t va, uint64_t pa, unsigned level, uint64_t flags)
{
  uint64_t a = pte_addr(va, level);
  *ram64(a) = mkpte(pa, flags);
  return a;
}

static int acc(uint64_t va, unsigned size, enum vmrun_access a, unsigned idx,
               uint64_t *val)
{
  return FM->mmu->access(FM->mmu_inst, CPU, va, size, a, idx, val);
}

static int ld(uint64_t va, unsigned idx, uint64_t *val)
{
  *val = 0;
  return acc(va, 8, VMRUN_ACCESS_LOAD, idx, val);
}

static int st(uint64_t va, unsigned idx, uint64_t val)
{
  return acc(va, 8, VMRUN_ACCESS_STORE, idx, &val);
}

static int xl(uint64_t va, unsigned idx, uint64_t *pa)
{
  return FM->mmu->translate(FM->mmu_inst, CPU, va, VMRUN_ACCESS_FETCH, idx,
                            pa);
}

static void flush_all(void)
{
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, VMRUN_TLB_INVALID);
}

/* ---- page sizes ---- */

/* Check that va reads the RAM dword at pa, and writes reach it. */
static void check_rw(uint64_t va, uint64_t pa)
{
  uint64_t v = 0;
  *ram64(pa) = 0x1122334455667788ull ^ pa;
  cr_assert_eq(ld(va, IDX, &v), 0, "load va 0x%llx", (unsigned long long)va);
  EQ(v, 0x1122334455667788ull ^ pa);
  cr_assert_eq(st(va, IDX, 0xabcdef0012345678ull), 0);
  EQ(*ram64(pa), 0xabcdef0012345678ull);
  uint64_t tpa = 0;
  cr_assert_eq(FM->mmu->translate(FM->mmu_inst, CPU, va, VMRUN_ACCESS_LOAD,
                                  IDX, &tpa), 0);
  EQ(tpa, pa);
}

Test(paging, sv39_4k_2m_1g)
{
  paging_on(VMRUN_PAGING_SV39);
  map(0x1000, DATA, L_4K, RWX_AD);
  check_rw(0x1000, DATA);
  check_rw(0x1ff8, DATA + 0xff8);
  map(0x40000000 + 0x200000, RAM_BASE, L_2M, RWX_AD);   /* 2 MiB */
  check_rw(0x40200000 + 0x45008, RAM_BASE + 0x45008);
  map(0x80000000, RAM_BASE, L_1G, RWX_AD);              /* 1 GiB */
  check_rw(0x80000000 + 0x46010, RAM_BASE + 0x46010);
  /* the top half of the Sv39 space: vpn[2] = 0x1ff */
  map(0xffffffffc0000000ull, RAM_BASE, L_1G, RWX_AD);
  check_rw(0xffffffffc0047000ull, RAM_BASE + 0x47000);
}

Test(paging, sv48_4k_2m_1g_512g)
{
  paging_on(VMRUN_PAGING_SV48);
  map(0x7f0000001000ull, DATA, L_4K, RWX_AD);
  check_rw(0x7f0000001000ull, DATA);
  map(0x200000, RAM_BASE, L_2M, RWX_AD);
  check_rw(0x245010, RAM_BASE + 0x45010);
  map(0x40000000, RAM_BASE, L_1G, RWX_AD);
  check_rw(0x40046000, RAM_BASE + 0x46000);
  map(0x8000000000ull, 0, L_512G, RWX_AD);               /* 512 GiB */
  check_rw(0x8000000000ull + RAM_BASE + 0x47000, RAM_BASE + 0x47000);
  map(0xffff800000000000ull, 0, L_512G, RWX_AD);       /* vpn[3] = 0x100 */
  check_rw(0xffff800000000000ull + RAM_BASE + 0x48000, RAM_BASE + 0x48000);
}

Test(paging, non_canonical_va)
{
  uint64_t v;
  paging_on(VMRUN_PAGING_SV39);
  map(0xffffffffc0000000ull, RAM_BASE, L_1G, RWX_AD);
  map(0, RAM_BASE, L_1G, RWX_AD);
  cr_assert_eq(ld(0xffffffffc0041000ull, IDX, &v), 0);
  cr_assert_eq(ld(0x41000, IDX, &v), 0);
  /* bit 38 set without the upper bits: vpn[2] = 0x100 */
  EQ(ld(0x0000004000041000ull, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(ld(0xffffff8000041000ull, IDX, &v), VMRUN_FAULT_PAGE); /* b38 = 0 */
  EQ(ld(0x8000000000041000ull, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(st(0x0000008000041000ull, IDX, 1), VMRUN_FAULT_PAGE);
  EQ(xl(0x1000000000041000ull, IDX, &v), VMRUN_FAULT_PAGE);

  paging_on(VMRUN_PAGING_SV48);
  /* not Sv39-canonical (bit 38 set, 63:39 clear) but legal in Sv48 */
  map(0x4000000000ull, RAM_BASE, L_1G, RWX_AD);
  EQ(ld(0x4000000000ull + 0x41000, IDX, &v), 0);
  map(0xffff800000000000ull, 0, L_512G, RWX_AD);
  EQ(ld(0xffff800000000000ull + RAM_BASE + 0x41000, IDX, &v), 0);
  /* ... bit 47 set without bits 63:48 */
  EQ(ld(0x0000800000041000ull, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(ld(0x0001000000041000ull, IDX, &v), VMRUN_FAULT_PAGE);
}

/* ---- PTE legality ---- */

Test(paging, invalid_and_reserved_ptes)
{
  uint64_t v, a;
  paging_on(VMRUN_PAGING_SV39);
  a = map(0x1000, DATA, L_4K, RWX_AD);
  cr_assert_eq(ld(0x1000, IDX, &v), 0);

  *ram64(a) = mkpte(DATA, RWX_AD & ~PTE_V);                 /* V = 0 */
  flush_all();
  EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_PAGE);
  *ram64(a) = mkpte(DATA, PTE_V | PTE_W | PTE_A | PTE_D);   /* W w/o R */
  EQ(st(0x1000, IDX, 0), VMRUN_FAULT_PAGE);
  EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_PAGE);
  *ram64(a) = mkpte(DATA, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D);
  EQ(xl(0x1000, IDX, &v), VMRUN_FAULT_PAGE);                /* -W-X too */
  for (unsigned bit = 54; bit < 64; bit++) {                /* 63:54 */
    *ram64(a) = mkpte(DATA, RWX_AD) | (1ull << bit);
    EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_PAGE);
  }
  /* G and the RSW bits (9:8) are ignored */
  *ram64(a) = mkpte(DATA, RWX_AD | PTE_G | 0x300);
  EQ(ld(0x1000, IDX, &v), 0);

  /* non-leaf PTEs: V = 0, reserved bits, A/D/U set */
  uint64_t l1 = pte_addr(0x1000, 1), good = *ram64(l1);
  uint64_t bad[] = { good & ~PTE_V, good | (1ull << 60), good | PTE_A,
                     good | PTE_D, good | PTE_U, good | PTE_W };
  for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    *ram64(l1) = bad[k];
    flush_all();
    EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_PAGE);
  }
  *ram64(l1) = good;
  flush_all();
  EQ(ld(0x1000, IDX, &v), 0);
  /* a pointer at level 0 */
  *ram64(a) = mkpte(DATA, PTE_V);
  flush_all();
  EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_PAGE);
}

Test(paging, misaligned_superpages)
{
  uint64_t v;
  paging_on(VMRUN_PAGING_SV39);
  map(0x200000, RAM_BASE + 0x1000, L_2M, RWX_AD);    /* ppn[0] != 0 */
  EQ(ld(0x200000, IDX, &v), VMRUN_FAULT_PAGE);
  map(0x40000000, RAM_BASE + 0x200000, L_1G, RWX_AD); /* ppn[1] != 0 */
  EQ(ld(0x40000000, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(xl(0x40000000, IDX, &v), VMRUN_FAULT_PAGE);
  paging_on(VMRUN_PAGING_SV48);
  map(0x8000000000ull, RAM_BASE, L_512G, RWX_AD);     /* ppn[2] != 0 */
  EQ(ld(0x8000000000ull, IDX, &v), VMRUN_FAULT_PAGE);
  map(0x8000000000ull, 0x8000000000ull, L_512G, RWX_AD);
  EQ(xl(0x8000000000ull + 0x1234, IDX, &v), VMRUN_FAULT_ACCESS); /* no RAM */
}

/* ---- permissions ---- */

Test(paging, rwx_and_mxr)
{
  uint64_t v, pa;
  paging_on(VMRUN_PAGING_SV39);
  map(0x1000, DATA, L_4K, PTE_V | PTE_X | PTE_A);          /* X only */
  map(0x2000, DATA, L_4K, PTE_V | PTE_R | PTE_A | PTE_D);  /* R only */
  map(0x3000, DATA, L_4K, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(st(0x1000, IDX, 0), VMRUN_FAULT_PAGE);
  EQ(xl(0x1000, IDX, &pa), 0);
  EQ(pa, DATA);
  EQ(ld(0x2000, IDX, &v), 0);
  EQ(st(0x2000, IDX, 0), VMRUN_FAULT_PAGE);
  EQ(xl(0x2000, IDX, &pa), VMRUN_FAULT_PAGE);
  EQ(ld(0x3000, IDX, &v), 0);
  EQ(st(0x3000, IDX, 0), 0);
  EQ(xl(0x3000, IDX, &pa), VMRUN_FAULT_PAGE);
  /* fetch through access() too */
  EQ(acc(0x3000, 4, VMRUN_ACCESS_FETCH, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(acc(0x1000, 4, VMRUN_ACCESS_FETCH, IDX, &v), 0);
  /* MXR: X pages become readable (not writable) */
  cr_assert_eq(regime(IDX, VMRUN_PAGING_SV39, VMRUN_PAGING_MXR), 0);
  EQ(ld(0x1000, IDX, &v), 0);
  EQ(st(0x1000, IDX, 0), VMRUN_FAULT_PAGE);
  EQ(TLB(IDX, 0x1000)->addr_read, 0x1000);
  EQ(TLB(IDX, 0x1000)->addr_write, VMRUN_TLB_INVALID);
  /* MXR also applies to user mode */
  map(0x4000, DATA, L_4K, PTE_V | PTE_X | PTE_U | PTE_A);
  EQ(ld(0x4000, 0, &v), VMRUN_FAULT_PAGE);
  cr_assert_eq(regime(0, VMRUN_PAGING_SV39,
                      VMRUN_PAGING_USER | VMRUN_PAGING_MXR), 0);
  EQ(ld(0x4000, 0, &v), 0);
}

/* A page that holds code keeps stores out of the TLB's write entry (they
** must reach code_written), and the MMU short-cuts stores to such a page
** when it is writable: a read-only mapping of it must still fault, also
** once a load has filled its TLB entry, and a writable alias must still
** report the store. */
Test(paging, store_to_code_page_follows_the_mapping)
{
  uint64_t v;
  paging_on(VMRUN_PAGING_SV39);
  FM->code_page[(DATA - RAM_BASE) >> 12] = 1;
  map(0x5000, DATA, L_4K, PTE_V | PTE_R | PTE_X | PTE_A | PTE_D);
  map(0x6000, DATA, L_4K, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  ram64(DATA)[1] = 0x1111;
  for (int round = 0; round < 2; round++) {
    EQ(ld(0x5008, IDX, &v), 0);
    EQ(st(0x5008, IDX, 0x2222), VMRUN_FAULT_PAGE);
    EQ(ram64(DATA)[1], 0x1111);
    EQ(ld(0x6008, IDX, &v), 0);
    FM->n_cw = 0;
    EQ(st(0x6008, IDX, 0x1111), 0);              /* through the TLB entry */
    EQ(FM->n_cw, 1);
    EQ(FM->cw_gpa[0], DATA + 8);
    FM->code_page[(DATA - RAM_BASE) >> 12] = 1;  /* (the fake clears it) */
  }
  EQ(TLB(IDX, 0x6000)->addr_write, VMRUN_TLB_INVALID);
}

/* With the core's code map (ABI 1.10) the MMU writes a store that hits
** no translated byte itself and counts it; a store onto a translated byte
** (or one the map does not cover) still reaches code_written. */
Test(paging, store_next_to_code_uses_the_code_map)
{
  static vmrun_code_map cm;
  uint64_t v, b = 0xab, w = 0x55;
  uint64_t pg = (DATA - RAM_BASE) >> 12;
  paging_on(VMRUN_PAGING_SV39);
  memset(&cm, 0, sizeof cm);
  cm.bits[0] = 0xffull << 8;                    /* bytes 8..15: code */
  FM->code_page[pg] = 1;
  FM->code_map[pg] = &cm;
  map(0x6000, DATA, L_4K, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  EQ(ld(0x6000, IDX, &v), 0);                   /* fills the TLB entry */
  EQ(TLB(IDX, 0x6000)->addr_write, VMRUN_TLB_INVALID);
  FM->n_cw = 0;
  EQ(st(0x6010, IDX, 0x1234), 0);               /* data: no call */
  EQ(acc(0x6004, 1, VMRUN_ACCESS_STORE, IDX, &b), 0);
  EQ(ram64(DATA)[2], 0x1234);
  EQ(ram64(DATA)[0] >> 32 & 0xff, 0xab);
  EQ(FM->n_cw, 0);
  EQ(cm.data_stores, 2);
  EQ(acc(0x6006, 4, VMRUN_ACCESS_STORE, IDX, &w), 0); /* 6..9: into code */
  EQ(FM->n_cw, 1);
  EQ(FM->cw_gpa[0], DATA + 6);
  EQ(cm.data_stores, 2);
  EQ(ram64(DATA)[0] >> 48, 0x55);
  EQ(ram64(DATA)[0] >> 32 & 0xff, 0xab);
  FM->code_map[pg] = NULL;
}

Test(paging, user_supervisor_sum)
{
  uint64_t v, pa;
  paging_on(VMRUN_PAGING_SV39);
  map(0x1000, DATA, L_4K, RWX_AD);                 /* S page */
  map(0x2000, DATA + 0x1000, L_4K, RWX_AD | PTE_U); /* U page */
  /* U mode (index 0 has USER): only U pages */
  EQ(ld(0x1000, 0, &v), VMRUN_FAULT_PAGE);
  EQ(st(0x1000, 0, 0), VMRUN_FAULT_PAGE);
  EQ(xl(0x1000, 0, &pa), VMRUN_FAULT_PAGE);
  EQ(ld(0x2000, 0, &v), 0);
  EQ(st(0x2000, 0, 0), 0);
  EQ(xl(0x2000, 0, &pa), 0);
  /* SUM does not matter to U mode */
  cr_assert_eq(regime(0, VMRUN_PAGING_SV39,
                      VMRUN_PAGING_USER | VMRUN_PAGING_SUM), 0);
  EQ(ld(0x1000, 0, &v), VMRUN_FAULT_PAGE);
  /* S mode: S pages; U pages never fetched, data only with SUM */
  EQ(ld(0x1000, IDX, &v), 0);
  EQ(xl(0x1000, IDX, &pa), 0);
  EQ(ld(0x2000, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(st(0x2000, IDX, 0), VMRUN_FAULT_PAGE);
  EQ(xl(0x2000, IDX, &pa), VMRUN_FAULT_PAGE);
  cr_assert_eq(regime(IDX, VMRUN_PAGING_SV39, VMRUN_PAGING_SUM), 0);
  EQ(ld(0x2000, IDX, &v), 0);
  EQ(st(0x2000, IDX, 0), 0);
  EQ(xl(0x2000, IDX, &pa), VMRUN_FAULT_PAGE);
  EQ(TLB(IDX, 0x2000)->addr_code, VMRUN_TLB_INVALID);
  EQ(TLB(IDX, 0x2000)->addr_read, 0x2000);
  /* SUM + MXR on a U X-only page */
  map(0x3000, DATA, L_4K, PTE_V | PTE_X | PTE_U | PTE_A);
  EQ(ld(0x3000, IDX, &v), VMRUN_FAULT_PAGE);
  cr_assert_eq(regime(IDX, VMRUN_PAGING_SV39,
                      VMRUN_PAGING_SUM | VMRUN_PAGING_MXR), 0);
  EQ(ld(0x3000, IDX, &v), 0);
}

/* ---- A/D ---- */

Test(paging, accessed_dirty_updates)
{
  uint64_t v, pa, a;
  paging_on(VMRUN_PAGING_SV39);
  a = map(0x1000, DATA, L_4K, PTE_V | PTE_R | PTE_W);
  /* a load sets A only; the TLB caches reads but not writes (D = 0) */
  EQ(ld(0x1008, IDX, &v), 0);
  EQ(*ram64(a), mkpte(DATA, PTE_V | PTE_R | PTE_W | PTE_A));
  EQ(TLB(IDX, 0x1000)->addr_read, 0x1000);
  EQ(TLB(IDX, 0x1000)->addr_write, VMRUN_TLB_INVALID);
  EQ(TLB(IDX, 0x1000)->addr_code, VMRUN_TLB_INVALID);
  /* the first store takes the slow path, sets D, then caches writes */
  EQ(st(0x1010, IDX, 0x55), 0);
  EQ(*ram64(a), mkpte(DATA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D));
  EQ(*ram64(DATA + 0x10), 0x55);
  EQ(TLB(IDX, 0x1000)->addr_write, 0x1000);

  /* a store to a clean page sets A and D at once */
  a = map(0x2000, DATA, L_4K, PTE_V | PTE_R | PTE_W);
  EQ(st(0x2000, IDX, 1), 0);
  EQ(*ram64(a) & (PTE_A | PTE_D), PTE_A | PTE_D);

  /* a fetch sets A */
  a = map(0x3000, DATA, L_4K, PTE_V | PTE_X);
  EQ(xl(0x3000, IDX, &pa), 0);
  EQ(*ram64(a) & (PTE_A | PTE_D), PTE_A);
  EQ(TLB(IDX, 0x3000)->addr_code, 0x3000);

  /* faulting accesses change nothing */
  a = map(0x4000, DATA, L_4K, PTE_V | PTE_R);
  EQ(st(0x4000, IDX, 1), VMRUN_FAULT_PAGE);
  EQ(*ram64(a), mkpte(DATA, PTE_V | PTE_R));
  a = map(0x5000, DATA, L_4K, PTE_V | PTE_R | PTE_W | PTE_U);
  EQ(ld(0x5000, IDX, &v), VMRUN_FAULT_PAGE);
  EQ(*ram64(a) & PTE_A, 0);

  /* superpage leaf PTEs get A/D too; non-leaf PTEs never do */
  a = map(0x40000000, RAM_BASE, L_1G, PTE_V | PTE_R | PTE_W);
  EQ(st(0x40047000, IDX, 7), 0);
  EQ(*ram64(a) & (PTE_A | PTE_D), PTE_A | PTE_D);
  EQ(*ram64(pte_addr(0x1000, 2)) & (PTE_A | PTE_D), 0);

  /* a PTE whose A/D are already set is not rewritten */
  int cw = FM->n_cw;
  EQ(st(0x40048000, IDX, 7), 0);
  EQ(FM->n_cw, cw); /* no PTE write-back (the fake host counts those) */
}

Test(paging, page_crossing_store_fault_writes_nothing)
{
  uint64_t a1, a2;
  paging_on(VMRUN_PAGING_SV39);
  a1 = map(0x1000, DATA, L_4K, PTE_V | PTE_R | PTE_W);
  a2 = map(0x2000, DATA + 0x1000, L_4K, PTE_V | PTE_R | PTE_A);
  *ram64(DATA + 0xff8) = 0;
  EQ(st(0x1ffc, IDX, 0x1122334455667788ull), VMRUN_FAULT_PAGE);
  EQ(*ram64(DATA + 0xff8), 0);
  EQ(*ram64(a1) & (PTE_A | PTE_D), 0);  /* D is exact: no store, no D */
  *ram64(a2) |= PTE_W;
  flush_all();
  EQ(st(0x1ffc, IDX, 0x1122334455667788ull), 0);
  EQ(*ram64(DATA + 0xff8), 0x5566778800000000ull);
  EQ(*ram64(DATA + 0x1000) & 0xffffffff, 0x11223344);
  EQ(*ram64(a1) & (PTE_A | PTE_D), PTE_A | PTE_D);
  EQ(*ram64(a2) & (PTE_A | PTE_D), PTE_A | PTE_D);
}

/* ---- page tables outside memory ---- */

Test(paging, pte_in_unmapped_memory_is_access_fault)
{
  uint64_t v, pa;
  paging_on(VMRUN_PAGING_SV39);
  /* a non-leaf pointing to nothing */
  *ram64(PT.root) = mkpte(0x20000000, PTE_V);
  EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_ACCESS);
  EQ(st(0x1000, IDX, 0), VMRUN_FAULT_ACCESS);
  EQ(xl(0x1000, IDX, &pa), VMRUN_FAULT_ACCESS);
  EQ(acc(0x1000, 2, VMRUN_ACCESS_FETCH, IDX, &v), VMRUN_FAULT_ACCESS);
  /* a root there */
  vmrun_paging p = { VMRUN_PAGING_SV48, 0, 0x30000000, 0, 0 };
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), 0);
  EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_ACCESS);
  /* a leaf mapping unmapped PA: access fault from the data access */
  paging_on(VMRUN_PAGING_SV39);
  map(0x1000, 0x20000000, L_4K, RWX_AD);
  EQ(ld(0x1000, IDX, &v), VMRUN_FAULT_ACCESS);
  EQ(xl(0x1000, IDX, &pa), VMRUN_FAULT_ACCESS);
  /* page tables in ROM are read (A/D writes are dropped) */
  p.mode = VMRUN_PAGING_SV39;
  p.root = ROM_BASE;
  cr_assert_eq(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), 0);
  /* ROM byte pattern: garbage PTEs, must not crash; only check it
  ** returns some fault or success deterministically */
  int f1 = ld(0x1000, IDX, &v), f2 = ld(0x1000, IDX, &v);
  EQ(f1, f2);
}

/* ---- TLB ---- */

Test(paging, tlb_fill_rules_and_mmio)
{
  uint64_t v, pa;
  paging_on(VMRUN_PAGING_SV39);
  map(0x1000, DATA, L_4K, RWX_AD);
  EQ(ld(0x1000, IDX, &v), 0);
  vmrun_tlb_entry *e = TLB(IDX, 0x1000);
  EQ(e->addr_read, 0x1000);
  EQ(e->addr_write, 0x1000);
  EQ(e->addr_code, 0x1000);
  EQ((uint8_t *)(uintptr_t)(0x1008 + e->addend),
     FM->ram + (DATA - RAM_BASE) + 8);
  EQ(TLB(0, 0x1000)->addr_read, VMRUN_TLB_INVALID); /* only that index */
  /* R-X page */
  map(0x2000, DATA, L_4K, PTE_V | PTE_R | PTE_X | PTE_A | PTE_D);
  EQ(xl(0x2000, IDX, &pa), 0);
  EQ(TLB(IDX, 0x2000)->addr_code, 0x2000);
  EQ(TLB(IDX, 0x2000)->addr_read, 0x2000);
  EQ(TLB(IDX, 0x2000)->addr_write, VMRUN_TLB_INVALID);
  /* superpage: only the 4 KiB page of the access is entered */
  map(0x40000000, RAM_BASE, L_1G, RWX_AD);
  EQ(ld(0x40045000, IDX, &v), 0);
  EQ(TLB(IDX, 0x40045000)->addr_read, 0x40045000);
  EQ(TLB(IDX, 0x40046000)->addr_read, VMRUN_TLB_INVALID);
  /* MMIO through page tables: never cached */
  map(0x5000, MMIO_BASE, L_4K, RWX_AD);
  FM->mmio_read_val = 0x77;
  EQ(acc(0x5010, 4, VMRUN_ACCESS_LOAD, IDX, &v), 0);
  EQ(v, 0x77);
  EQ(FM->n_mmio, 1);
  EQ(FM->mmio[0].off, 0x10);
  EQ(TLB(IDX, 0x5000)->addr_read, VMRUN_TLB_INVALID);
  EQ(TLB(IDX, 0x5000)->addr_write, VMRUN_TLB_INVALID);
  /* a code page stays out of the write TLB */
  map(0x6000, DATA + 0x2000, L_4K, RWX_AD);
  FM->code_page[(DATA + 0x2000 - RAM_BASE) >> 12] = 1;
  EQ(st(0x6000, IDX, 1), 0);
  EQ(TLB(IDX, 0x6000)->addr_write, VMRUN_TLB_INVALID);
  EQ(TLB(IDX, 0x6000)->addr_read, 0x6000);
}

Test(paging, translate_uses_tlb_until_flush)
{
  uint64_t pa, a;
  paging_on(VMRUN_PAGING_SV39);
  a = map(0x1000, DATA, L_4K, RWX_AD);
  EQ(xl(0x1234, IDX, &pa), 0);
  EQ(pa, DATA + 0x234);
  /* change the PTE without a fence: the cached translation may be used */
  *ram64(a) = mkpte(DATA + 0x1000, RWX_AD);
  EQ(xl(0x1234, IDX, &pa), 0);
  EQ(pa, DATA + 0x234);
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, 0x1000);
  EQ(xl(0x1234, IDX, &pa), 0);
  EQ(pa, DATA + 0x1234);
  /* invalidated PTE after a page flush: fault */
  *ram64(a) = 0;
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, 0x1fff);
  EQ(xl(0x1234, IDX, &pa), VMRUN_FAULT_PAGE);
}

/* Pages a power of two >= 1 MiB apart (memcpy between two 4 MiB arrays)
** take different TLB slots (the folded index of vmrun/cpu.h, ABI 1.7), so
** both stay cached and the engines' inline hit test finds each; with the
** unfolded index (va bits 19:12) they evicted each other on every access.
** A page flush drops only its own page. */
Test(paging, tlb_slots_of_pages_4m_apart)
{
  static const uint64_t base[] = { 0x10000, 0x7ff000, 0x3fff0000 };
  uint64_t v;
  paging_on(VMRUN_PAGING_SV39);
  for (unsigned k = 0; k < 3; k++) {
    uint64_t a = base[k], b = a + (4u << 20), c = a + (64u << 20);
    map(a, DATA, L_4K, RWX_AD);
    map(b, DATA + 0x1000, L_4K, RWX_AD);
    map(c, DATA + 0x2000, L_4K, RWX_AD);
    flush_all();
    /* independent of the macro: bits 19:12 ^ bits 27:20 */
    cr_assert_neq(((a >> 12) ^ (a >> 20)) & 0xff, ((b >> 12) ^ (b >> 20)) & 0xff);
    EQ(VMRUN_TLB_INDEX(a), ((a >> 12) ^ (a >> 20)) & 0xff);
    EQ(VMRUN_TLB_INDEX(b), ((b >> 12) ^ (b >> 20)) & 0xff);
    EQ(ld(a + 8, IDX, &v), 0);
    EQ(st(b + 8, IDX, 1), 0);
    EQ(ld(c + 8, IDX, &v), 0);
    /* all three are cached at once, each in its own slot */
    cr_assert(TLB(IDX, a) != TLB(IDX, b) && TLB(IDX, a) != TLB(IDX, c) &&
              TLB(IDX, b) != TLB(IDX, c));
    EQ(TLB(IDX, a)->addr_read, a);
    EQ(TLB(IDX, b)->addr_write, b);
    EQ(TLB(IDX, c)->addr_read, c);
    EQ((uint8_t *)(uintptr_t)(b + 8 + TLB(IDX, b)->addend),
       FM->ram + (DATA + 0x1008 - RAM_BASE));
    FM->mmu->tlb_flush(FM->mmu_inst, CPU, b);
    EQ(TLB(IDX, b)->addr_write, VMRUN_TLB_INVALID);
    EQ(TLB(IDX, a)->addr_read, a);
    EQ(TLB(IDX, c)->addr_read, c);
  }
}

Test(paging, tlb_flush_page_all_and_superpages)
{
  uint64_t v;
  paging_on(VMRUN_PAGING_SV39);
  map(0x1000, DATA, L_4K, RWX_AD);
  map(0x2000, DATA, L_4K, RWX_AD);
  map(0x40000000, RAM_BASE, L_1G, RWX_AD);
  EQ(ld(0x1000, IDX, &v), 0);
  EQ(ld(0x2000, IDX, &v), 0);
  EQ(ld(0x1000, 0, &v), VMRUN_FAULT_PAGE);          /* S page from U */
  cr_assert_eq(regime(0, VMRUN_PAGING_BARE, VMRUN_PAGING_USER), 0);
  EQ(ld(RAM_BASE + 0x1000, 0, &v), 0);
  /* page flush: that page in every index */
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, 0x1008);
  EQ(TLB(IDX, 0x1000)->addr_read, VMRUN_TLB_INVALID);
  EQ(TLB(IDX, 0x2000)->addr_read, 0x2000);
  EQ(TLB(0, RAM_BASE + 0x1000)->addr_read, VMRUN_TLB_INVALID);
  /* superpage: a flush anywhere in it drops every page taken from it */
  EQ(ld(0x40045000, IDX, &v), 0);
  EQ(ld(0x40046000, IDX, &v), 0);
  EQ(ld(0x1000, IDX, &v), 0);
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, 0x7ffff000); /* same 1G page */
  EQ(TLB(IDX, 0x40045000)->addr_read, VMRUN_TLB_INVALID);
  EQ(TLB(IDX, 0x40046000)->addr_read, VMRUN_TLB_INVALID);
  EQ(TLB(IDX, 0x1000)->addr_read, VMRUN_TLB_INVALID); /* whole index */
  /* a flush outside it keeps the superpage entries */
  EQ(ld(0x40045000, IDX, &v), 0);
  EQ(ld(0x2000, IDX, &v), 0);
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, 0x2000);
  EQ(TLB(IDX, 0x40045000)->addr_read, 0x40045000);
  EQ(TLB(IDX, 0x2000)->addr_read, VMRUN_TLB_INVALID);
  /* flush all */
  flush_all();
  for (unsigned i = 0; i < VMRUN_TLB_NB_IDX; i++)
    for (unsigned j = 0; j < VMRUN_TLB_SIZE; j++) {
      EQ(CPU->tlb[i][j].addr_read, VMRUN_TLB_INVALID);
      EQ(CPU->tlb[i][j].addr_code, VMRUN_TLB_INVALID);
    }
}

Test(paging, set_paging_modes_and_flush)
{
  uint64_t v;
  vmrun_paging p = { VMRUN_PAGING_SV57, 0, RAM_BASE, 0, 0 };
  EQ(ld(RAM_BASE, IDX, &v), 0);                     /* bare: cached */
  EQ(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), -VMRUN_ENOTSUP);
  EQ(TLB(IDX, RAM_BASE)->addr_read, RAM_BASE);      /* untouched */
  p.mode = 1;
  EQ(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), -VMRUN_ENOTSUP);
  p.mode = 11;
  EQ(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), -VMRUN_ENOTSUP);
  EQ(ld(RAM_BASE, IDX, &v), 0);                     /* still bare */
  p.mode = VMRUN_PAGING_SV39;
  EQ(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), 0);
  EQ(TLB(IDX, RAM_BASE)->addr_read, VMRUN_TLB_INVALID);
  p.mode = VMRUN_PAGING_SV48;
  EQ(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), 0);
  p.mode = VMRUN_PAGING_BARE;
  EQ(FM->mmu->set_paging(FM->mmu_inst, CPU, IDX, &p), 0);
  EQ(ld(RAM_BASE, IDX, &v), 0);
}

/* ---- the interp engine running through page tables ---- */

/* Block builder: x1 = the dword stored in fake RAM at the block's
** physical pc (so the "code" follows the mapping), then x2 = load from
** VA in x3; exit to pc + 4. */
static void build_phys(vmrun_ir_block *b, void *arg)
{
  uint64_t code;
  (void)arg;
  cr_assert(b->phys_pc >= RAM_BASE && b->phys_pc < RAM_BASE + RAM_SIZE);
  memcpy(&code, FM->ram + (b->phys_pc - RAM_BASE), 8);
  ir_temps(b, 3);
  ir_insn(b, b->pc);
  ir_movi(b, 0, code);
  ir_put(b, 1, 0);
  ir_get(b, 1, 3);
  ir(b, VMRUN_IR_LD, 8, 2, 1, 0, 0, 0);
  ir_put(b, 2, 2);
  ir_exit(b, b->pc + 4);
}

static void sfence(uint64_t va)
{
  /* what vmrun_host.tlb_flush does in the core */
  FM->mmu->tlb_flush(FM->mmu_inst, CPU, va);
  FM->eng->vcache_flush(FM->eng_inst, CPU);
}

Test(paging_exec, code_through_page_tables)
{
  const uint64_t va1 = 0x400000, va2 = 0x800000, dva = 0x10000000;
  paging_on(VMRUN_PAGING_SV39);
  CPU->mmu_idx = CPU->mmu_idx_fetch = IDX;
  *ram64(DATA) = 0x1111;
  *ram64(DATA + 0x1000) = 0x2222;
  *ram64(DATA + 0x2000) = 0xd0d0;
  map(va1, DATA, L_4K, PTE_V | PTE_R | PTE_X);
  map(va2, DATA, L_4K, PTE_V | PTE_X | PTE_A);
  map(dva, DATA + 0x2000, L_4K, PTE_V | PTE_R);
  fm_block(va1, build_phys, NULL);
  fm_block(va2, build_phys, NULL);
  FM->cpu->x[3] = dva;

  EQ(fm_run(va1, 1), VMRUN_RUN_BUDGET);
  EQ(CPU->pc, va1 + 4);
  EQ(FM->cpu->x[1], 0x1111);
  EQ(FM->cpu->x[2], 0xd0d0);
  EQ(*ram64(pte_addr(va1, 0)) & PTE_A, PTE_A);      /* fetch set A */
  EQ(*ram64(pte_addr(dva, 0)) & PTE_A, PTE_A);      /* load set A */
  int nt = FM->n_translate;

  /* the same physical page at a second VA */
  FM->cpu->x[1] = 0;
  EQ(fm_run(va2, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 0x1111);
  EQ(CPU->pc, va2 + 4);
  EQ(FM->n_translate, nt + 1);
  /* both stay cached */
  EQ(fm_run(va1, 1), VMRUN_RUN_BUDGET);
  EQ(fm_run(va2, 1), VMRUN_RUN_BUDGET);
  EQ(FM->n_translate, nt + 1);

  /* remap va1 to other code and fence */
  *ram64(pte_addr(va1, 0)) = mkpte(DATA + 0x1000, PTE_V | PTE_R | PTE_X);
  sfence(va1);
  EQ(fm_run(va1, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 0x2222);
  EQ(fm_run(va2, 1), VMRUN_RUN_BUDGET);
  EQ(FM->cpu->x[1], 0x1111);

  /* unmap va1: fetch page fault at va1 */
  *ram64(pte_addr(va1, 0)) = 0;
  sfence(VMRUN_TLB_INVALID);
  FM->n_faults = 0;
  CPU->exit_request = 0;
  fm_run(va1, 1);
  EQ(FM->n_faults, 1);
  EQ(FM->f_acc, VMRUN_ACCESS_FETCH);
  EQ(FM->f_fault, VMRUN_FAULT_PAGE);
  EQ(FM->f_va, va1);

  /* data page fault inside the block: load page fault at dva */
  *ram64(pte_addr(dva, 0)) = mkpte(DATA + 0x2000, PTE_V | PTE_X | PTE_A);
  sfence(dva);
  FM->n_faults = 0;
  CPU->exit_request = 0;
  fm_run(va2, 1);
  EQ(FM->n_faults, 1);
  EQ(FM->f_acc, VMRUN_ACCESS_LOAD);
  EQ(FM->f_fault, VMRUN_FAULT_PAGE);
  EQ(FM->f_va, dva);
  EQ(FM->f_pc, va2);
}
