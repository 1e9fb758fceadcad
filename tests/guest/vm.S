/* tests/guest/vm.S - virtual memory: Sv39 and Sv48 page-table walks
** (Privileged ISA v1.12 §4.3-4.5, satp §4.1.11, MPRV/SUM/MXR §3.1.6.3).
**
** M mode builds the page tables, then runs short snippets in S or U mode
** with satp = Sv39 (tests 1-99) and Sv48 (tests 100-149):
**   - translated loads, stores and fetches through 4 KiB, 2 MiB, 1 GiB and
**     (Sv48) 512 GiB pages; the same code page at two VAs; remapping a VA
**     to other code and data with SFENCE.VMA;
**   - page faults with scause/stval delivered to S (medeleg) or to M;
**   - hardware A/D updates, seen in the PTEs in memory;
**   - R/W/X rules, W-without-R, invalid PTEs, misaligned superpages,
**     non-canonical VAs, U pages from S (SUM), S pages from U, MXR, MPRV;
**   - an instruction that crosses into an unmapped page;
**   - satp WARL (Bare, Sv39, Sv48 accepted; reserved modes ignored);
**   - engine caches (tests 150-179): hot code remapped with SFENCE.VMA of
**     one page, satp switches between ASIDs, SUM toggles, MPRV with SUM.
**
** Snippets end with ECALL (or a trap): the handlers below record the trap
** and bring execution back to M at m_resume (the S handler ECALLs to M,
** ECALL from S/U is never delegated here).  Page tables and data pages
** live in .data; VA 0 (1 GiB, devices) and 0x80000000 (1 GiB, this
** image) are identity-mapped for S so the test code runs unchanged.
*/
#include "rvtest.h"

#define CAUSE_FETCH_PAGE 12
#define CAUSE_LOAD_PAGE  13
#define CAUSE_STORE_PAGE 15

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define RWAD  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

#define MSTATUS_SUM 0x40000
#define MSTATUS_MXR 0x80000

#define SATP_SV39 0x8000000000000000
#define SATP_SV48 0x9000000000000000
#define SATP_SV57 0xa000000000000000

/* the 4 KiB test window: l0 entry i maps VA(i) */
#define VA(i) (0x40000000 + (i) * 0x1000)
#define USER_VA VA(5)        /* user_page, U|R|X */

/* ---- page-table editing (M mode, bare) ---- */

/* table[idx] = PTE(address of sym, flags) */
#define SETPTE(table, idx, sym, flags)                                \
  la t0, sym; srli t0, t0, 12; slli t0, t0, 10; ori t0, t0, flags;    \
  la t1, table; li t2, (idx) * 8; add t1, t1, t2; sd t0, 0(t1)
/* table[idx] = PTE(physical address pa, flags) */
#define SETPTE_PA(table, idx, pa, flags)                              \
  li t0, (((pa) >> 12) << 10) | (flags);                              \
  la t1, table; li t2, (idx) * 8; add t1, t1, t2; sd t0, 0(t1)
/* reg = table[idx] */
#define GETPTE(reg, table, idx)                                       \
  la reg, table; li t2, (idx) * 8; add reg, reg, t2; ld reg, 0(reg)

#define SET_SATP(mode, root)                                          \
  la t0, root; srli t0, t0, 12; li t1, mode; or t0, t0, t1;           \
  csrw satp, t0; sfence.vma

/* ---- running snippets ---- */

#define CLEAR_ALL                                                     \
  CLEAR_TRAP;                                                         \
  la t0, trap_tval; sd zero, 0(t0);                                   \
  la t0, s_trap_tval; sd zero, 0(t0);                                 \
  la t0, s_trap_epc; sd zero, 0(t0)

#define SET_MPP(mode)                                                 \
  li t0, MSTATUS_MPP; csrc mstatus, t0;                               \
  li t0, (mode) << 11; csrs mstatus, t0

/* Run `code` (placed inline, identity-mapped) in S mode; back in M after
** the macro when it ends or traps. */
#define RUN_S(code...)                                                \
  CLEAR_ALL;                                                          \
  la t0, 9f; la t1, m_resume; sd t0, 0(t1);                           \
  SET_MPP(1);                                                         \
  la t0, 8f; csrw mepc, t0;                                           \
  mret;                                                               \
8: code;                                                              \
  ecall;                                                              \
9:

/* Enter `mode` at the VA in a0; back in M after the macro. */
#define ENTER(mode)                                                   \
  CLEAR_ALL;                                                          \
  la t0, 9f; la t1, m_resume; sd t0, 0(t1);                           \
  SET_MPP(mode);                                                      \
  csrw mepc, a0;                                                      \
  mret;                                                               \
9:

/* a0 = the VA of label `sym` of user_page in the U window */
#define USER_ADDR(sym)                                                \
  la a0, sym; la t0, user_page; sub a0, a0, t0;                       \
  li t0, USER_VA; add a0, a0, t0

#define RUN_U(sym) USER_ADDR(sym); ENTER(0)

/* ---- checks (M mode) ---- */

#define CHECK_REG(n, reg, val) li TESTNUM, n; li t6, val; bne reg, t6, fail
#define CHECK_NO_TRAP(n)                                              \
  CHECK_VAR(n, trap_count, 0); CHECK_VAR(n, s_trap_count, 0)
#define CHECK_S_TRAP(n, cause, tval)                                  \
  CHECK_VAR(n, trap_count, 0); CHECK_VAR(n, s_trap_count, 1);         \
  CHECK_VAR(n, s_trap_cause, cause); CHECK_VAR(n, s_trap_tval, tval)
#define CHECK_M_TRAP(n, cause, tval)                                  \
  CHECK_VAR(n, s_trap_count, 0); CHECK_VAR(n, trap_count, 1);         \
  CHECK_VAR(n, trap_cause, cause); CHECK_VAR(n, trap_tval, tval)
/* PTE flag bits under `mask` of table[idx] == val */
#define CHECK_PTE(n, table, idx, mask, val)                           \
  li TESTNUM, n; GETPTE(t5, table, idx); andi t5, t5, mask;           \
  li t6, val; bne t5, t6, fail

RVTEST_BEGIN

  la t0, vm_m_handler
  csrw mtvec, t0
  la t0, vm_s_handler
  csrw stvec, t0
  /* page faults go to S; ECALLs and illegal instructions to M */
  li t0, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t0

  /* ---- page tables ----
  ** root39 (also the level-2 table of Sv48 VA 0..512G):
  **   [0]     1G leaf -> PA 0 (devices: the finisher)
  **   [1]     -> l1 (the test window at 0x40000000)
  **   [2]     1G leaf -> PA 0x80000000 (this image), G
  **   [0x1ff] 1G leaf -> PA 0x80000000 (VA 0xffffffffc0000000), RWX
  ** l1: [0] -> l0; [1] 2M leaf, misaligned; [2] 2M leaf -> 0x80000000;
  **     [3] non-leaf with U; [4] non-leaf with A; [5] non-leaf with D
  ** root48: [0] -> root39; [1] 512G leaf -> PA 0 (VA 0x8000000000);
  **     [0x100] 512G leaf -> PA 0 (VA 0xffff800000000000), RWX */
  SETPTE_PA(root39, 0, 0, RWAD)
  SETPTE(root39, 1, l1, PTE_V)
  SETPTE_PA(root39, 2, 0x80000000, RWXAD | PTE_G)
  SETPTE_PA(root39, 0x1ff, 0x80000000, RWXAD)
  SETPTE(l1, 0, l0, PTE_V)
  SETPTE_PA(l1, 1, 0x80001000, RWAD)
  SETPTE_PA(l1, 2, 0x80000000, RWAD)
  SETPTE(l1, 3, l0, PTE_V | PTE_U)
  SETPTE(l1, 4, l0, PTE_V | PTE_A)
  SETPTE(l1, 5, l0, PTE_V | PTE_D)
  SETPTE(root48, 0, root39, PTE_V)
  SETPTE_PA(root48, 1, 0, RWAD)
  SETPTE_PA(root48, 0x100, 0, RWXAD)
  /* l0: the 4 KiB window */
  SETPTE(l0, 0, data0, PTE_V | PTE_R | PTE_W)          /* A = D = 0 */
  SETPTE(l0, 1, data1, PTE_V | PTE_R | PTE_A | PTE_D)  /* read-only */
  SETPTE(l0, 2, data2, PTE_V | PTE_X | PTE_A)          /* execute-only */
  /* l0[3] stays invalid */
  SETPTE(l0, 4, data0, RWAD | PTE_U)                   /* user data */
  SETPTE(l0, 5, user_page, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)
  SETPTE(l0, 6, data0, PTE_V | PTE_W | PTE_A | PTE_D)  /* W without R */
  SETPTE(l0, 7, data0, RWAD)                           /* remapped later */
  SETPTE(l0, 8, code_a, PTE_V | PTE_R | PTE_X | PTE_A) /* S code */
  SETPTE(l0, 9, xpage, PTE_V | PTE_R | PTE_X | PTE_A)  /* crossing insn */
  SETPTE(l0, 10, xpage2, PTE_V | PTE_R | PTE_X | PTE_A)
  SETPTE(l0, 11, data1, PTE_V | PTE_R | PTE_W | PTE_U) /* U, A = 0 */
  SETPTE(l0, 12, data0, RWXAD | (1 << 7) | 0x300)     /* RSW bits: ignored */
  SETPTE(l0, 13, data0, RWAD)                           /* PBMT = 1 */
  la t1, l0; ld t2, 104(t1); li t0, 1 << 61; or t2, t2, t0; sd t2, 104(t1)
  SETPTE(l0, 14, data0, RWAD)                           /* bit 54: reserved */
  la t1, l0; ld t2, 112(t1); li t0, 1 << 54; or t2, t2, t0; sd t2, 112(t1)
  SETPTE(l0, 15, data0, RWAD)                           /* N (bit 63) */
  la t1, l0; ld t2, 120(t1); li t0, 1 << 63; or t2, t2, t0; sd t2, 120(t1)

  /* ---- satp WARL ---- */
  TEST_CASE(1, a0, 0, csrw satp, zero; csrr a0, satp)
  la s1, root39; srli s1, s1, 12; li t0, SATP_SV39; or s1, s1, t0
  TEST_CASE(2, a0, 0, csrw satp, s1; csrr a0, satp; sub a0, a0, s1)
  /* a reserved mode is ignored entirely: satp keeps the Sv39 value */
  la s0, root39; srli s0, s0, 12                          /* s0 = root PPN */
  TEST_CASE(3, a0, 0, li a1, 0x1000000000000000; or a1, a1, s0; csrw satp, a1; csrr a0, satp; sub a0, a0, s1)
  la s2, root48; srli s2, s2, 12; li t0, SATP_SV48; or s2, s2, t0
  TEST_CASE(4, a0, 0, csrw satp, s2; csrr a0, satp; sub a0, a0, s2)
#ifdef VMRUN_ONLY
  /* Sv57 is not implemented by vmrun (QEMU 7.2 accepts it) */
  TEST_CASE(5, a0, 0, li a1, SATP_SV57; or a1, a1, s0; csrw satp, a1; csrr a0, satp; sub a0, a0, s2)
#endif
  /* back to Sv39 for tests 10-99 */
  csrw satp, s1
  sfence.vma

  /* ---- translated loads and stores, page sizes ---- */
  RUN_S(li t0, VA(7); ld a1, 0(t0))                        /* 4K */
  CHECK_NO_TRAP(10)
  CHECK_REG(10, a1, 0x1111111111111111)
  la s3, data0; li t0, 0x80000000; sub s3, s3, t0         /* s3 = data0 offset */
  RUN_S(li t0, 0x40400000; add t0, t0, s3; ld a1, 0(t0))  /* 2M */
  CHECK_NO_TRAP(11)
  CHECK_REG(11, a1, 0x1111111111111111)
  RUN_S(li t0, 0xffffffffc0000000; add t0, t0, s3; ld a1, 0(t0)) /* 1G, top half */
  CHECK_NO_TRAP(12)
  CHECK_REG(12, a1, 0x1111111111111111)
  RUN_S(li t0, VA(7); li a2, 0x0123456789abcdef; sd a2, 16(t0))
  CHECK_NO_TRAP(13)
  la t0, data0; ld a1, 16(t0)
  CHECK_REG(13, a1, 0x0123456789abcdef)
  /* RSW bits are ignored */
  RUN_S(li t0, VA(12); ld a1, 0(t0))
  CHECK_NO_TRAP(14)
  CHECK_REG(14, a1, 0x1111111111111111)

  /* ---- hardware A/D updates ---- */
  CHECK_PTE(20, l0, 0, PTE_A | PTE_D, 0)
  /* in one snippet: load (A), read the PTE, store (D), read the PTE */
  RUN_S(li t0, VA(0); ld a1, 8(t0); la t1, l0; ld a2, 0(t1); li a1, 0x5a; sd a1, 24(t0); ld a3, 0(t1))
  CHECK_NO_TRAP(21)
  andi a2, a2, PTE_A | PTE_D
  CHECK_REG(21, a2, PTE_A)                                 /* load: A */
  andi a3, a3, PTE_A | PTE_D
  CHECK_REG(22, a3, PTE_A | PTE_D)                         /* store: D */
  CHECK_PTE(22, l0, 0, PTE_A | PTE_D, PTE_A | PTE_D)
  la t0, data0; ld a1, 24(t0)
  CHECK_REG(22, a1, 0x5a)
  /* a faulting access leaves A clear (U page from S without SUM) */
  RUN_S(li t0, VA(11); ld a1, 0(t0))
  CHECK_S_TRAP(23, CAUSE_LOAD_PAGE, VA(11))
  CHECK_PTE(23, l0, 11, PTE_A | PTE_D, 0)
  /* fetch sets A; non-leaf PTEs are untouched */
  SETPTE(l0, 8, code_a, PTE_V | PTE_R | PTE_X)
  sfence.vma
  RUN_S(li t0, VA(8); jr t0)
  CHECK_NO_TRAP(24)
  CHECK_PTE(24, l0, 8, PTE_A | PTE_D, PTE_A)
  CHECK_PTE(24, l1, 0, PTE_A | PTE_D, 0)
  CHECK_PTE(24, root39, 1, PTE_A | PTE_D, 0)

  /* ---- permissions ---- */
  RUN_S(li t0, VA(1); ld a1, 0(t0))                        /* R page */
  CHECK_NO_TRAP(30)
  CHECK_REG(30, a1, 0x2222222222222222)
  RUN_S(li t0, VA(1); sd zero, 0(t0))
  CHECK_S_TRAP(31, CAUSE_STORE_PAGE, VA(1))
  RUN_S(li t0, VA(1) + 0x10; sw zero, 2(t0))               /* tval = exact VA */
  CHECK_S_TRAP(32, CAUSE_STORE_PAGE, VA(1) + 0x12)
  RUN_S(li t0, VA(1); jr t0)                               /* no X */
  CHECK_S_TRAP(33, CAUSE_FETCH_PAGE, VA(1))
  RUN_S(li t0, VA(2); ld a1, 0(t0))                        /* X only */
  CHECK_S_TRAP(34, CAUSE_LOAD_PAGE, VA(2))
  RUN_S(li t0, VA(3) + 0x40; ld a1, 0(t0))                 /* invalid */
  CHECK_S_TRAP(35, CAUSE_LOAD_PAGE, VA(3) + 0x40)
  RUN_S(li t0, VA(3); sd zero, 0(t0))
  CHECK_S_TRAP(36, CAUSE_STORE_PAGE, VA(3))
  RUN_S(li t0, VA(3) + 0x80; jr t0)
  CHECK_S_TRAP(37, CAUSE_FETCH_PAGE, VA(3) + 0x80)
  RUN_S(li t0, VA(6); ld a1, 0(t0))                        /* W w/o R */
  CHECK_S_TRAP(38, CAUSE_LOAD_PAGE, VA(6))
  RUN_S(li t0, VA(6); sd zero, 0(t0))
  CHECK_S_TRAP(39, CAUSE_STORE_PAGE, VA(6))
  /* sepc = the faulting instruction */
  RUN_S(li t0, VA(3); 7: ld a1, 0(t0))
  la t5, 7b; LOAD_VAR(t6, s_trap_epc); li TESTNUM, 40; bne t5, t6, fail
  /* reserved PTE bits: PBMT without Svpbmt, N without Svnapot */
  RUN_S(li t0, VA(13); ld a1, 0(t0))
  CHECK_S_TRAP(41, CAUSE_LOAD_PAGE, VA(13))
  RUN_S(li t0, VA(15); ld a1, 0(t0))
  CHECK_S_TRAP(42, CAUSE_LOAD_PAGE, VA(15))
  /* bits 60:54 are reserved */
  RUN_S(li t0, VA(14); ld a1, 0(t0))
  CHECK_S_TRAP(43, CAUSE_LOAD_PAGE, VA(14))

  /* ---- superpages and canonical addresses ---- */
  RUN_S(li t0, 0x40200000; ld a1, 0(t0))                   /* misaligned 2M */
  CHECK_S_TRAP(45, CAUSE_LOAD_PAGE, 0x40200000)
  /* Sv39: bits 63:39 must equal bit 38 */
  RUN_S(li t0, 0x4000000000; ld a1, 0(t0))
  CHECK_S_TRAP(46, CAUSE_LOAD_PAGE, 0x4000000000)
  RUN_S(li t0, 0x8000000000; add t0, t0, s3; li t1, 0x80000000; add t0, t0, t1; ld a1, 0(t0))
  CHECK_VAR(47, s_trap_count, 1); CHECK_VAR(47, s_trap_cause, CAUSE_LOAD_PAGE)
  la t5, data0; li t6, 0x8000000000; add t5, t5, t6
  LOAD_VAR(t6, s_trap_tval); bne t5, t6, fail
  RUN_S(li t0, 0xffffff8000000000; sd zero, 0(t0))
  CHECK_S_TRAP(48, CAUSE_STORE_PAGE, 0xffffff8000000000)
  /* non-leaf PTEs with U, A or D set (reserved): page fault */
  RUN_S(li t0, 0x40600000 + VA(7) - 0x40000000; ld a1, 0(t0))
  CHECK_S_TRAP(49, CAUSE_LOAD_PAGE, 0x40600000 + 0x7000)
  RUN_S(li t0, 0x40800000 + 0x7000; ld a1, 0(t0))
  CHECK_S_TRAP(50, CAUSE_LOAD_PAGE, 0x40800000 + 0x7000)
  RUN_S(li t0, 0x40a00000 + 0x7000; ld a1, 0(t0))
  CHECK_S_TRAP(51, CAUSE_LOAD_PAGE, 0x40a00000 + 0x7000)

  /* ---- SUM, MXR, U pages ---- */
  RUN_S(li t0, VA(4); ld a1, 0(t0))                        /* U page from S */
  CHECK_S_TRAP(55, CAUSE_LOAD_PAGE, VA(4))
  RUN_S(li t0, VA(4); sd zero, 32(t0))
  CHECK_S_TRAP(56, CAUSE_STORE_PAGE, VA(4) + 32)
  li t0, MSTATUS_SUM
  csrs mstatus, t0
  RUN_S(li t0, VA(4); ld a1, 0(t0); li a2, 0x77; sd a2, 32(t0))
  CHECK_NO_TRAP(57)
  CHECK_REG(57, a1, 0x1111111111111111)
  la t0, data0; ld a1, 32(t0)
  CHECK_REG(57, a1, 0x77)
  RUN_S(li t0, USER_VA; jr t0)                             /* never fetch */
  CHECK_S_TRAP(58, CAUSE_FETCH_PAGE, USER_VA)
  li t0, MSTATUS_SUM
  csrc mstatus, t0
  li t0, MSTATUS_MXR
  csrs mstatus, t0
  RUN_S(li t0, VA(2); ld a1, 0(t0))                        /* X page readable */
  CHECK_NO_TRAP(59)
  CHECK_REG(59, a1, 0x3333333333333333)
  RUN_S(li t0, VA(2); sd zero, 0(t0))                      /* not writable */
  CHECK_S_TRAP(60, CAUSE_STORE_PAGE, VA(2))
  li t0, MSTATUS_MXR
  csrc mstatus, t0
  RUN_S(li t0, VA(2); ld a1, 0(t0))                        /* MXR off again */
  CHECK_S_TRAP(61, CAUSE_LOAD_PAGE, VA(2))
  /* a store under SUM, then S clears SUM in the same block: the store
  ** used the regime before the write (vmrun --engine-check replays such
  ** a block after putting the old regime back); the load after faults */
  li t0, MSTATUS_SUM
  csrs mstatus, t0
  RUN_S(li t0, VA(4); li a2, 0x6262; sd a2, 64(t0); li t1, MSTATUS_SUM; csrc sstatus, t1; ld a1, 64(t0))
  CHECK_S_TRAP(62, CAUSE_LOAD_PAGE, VA(4) + 64)
  la t0, data0; ld a1, 64(t0)
  CHECK_REG(63, a1, 0x6262)
  csrr t0, mstatus; li t1, MSTATUS_SUM; and t0, t0, t1
  CHECK_REG(63, t0, 0)

  /* ---- U mode ---- */
  RUN_U(u_load_user)
  CHECK_NO_TRAP(65)
  CHECK_REG(65, a1, 0x1111111111111111)
  RUN_U(u_load_super)                                      /* S page */
  CHECK_S_TRAP(66, CAUSE_LOAD_PAGE, VA(7))
  USER_ADDR(u_load_super_insn)
  LOAD_VAR(t6, s_trap_epc); li TESTNUM, 66; bne a0, t6, fail
  /* the trap came from U: sstatus.SPP = 0 */
  LOAD_VAR(t5, s_trap_sstatus); andi t5, t5, MSTATUS_SPP; bnez t5, fail
  RUN_U(u_store_super)
  CHECK_S_TRAP(67, CAUSE_STORE_PAGE, VA(7) + 8)
  li t0, MSTATUS_SUM                                       /* SUM: no effect on U */
  csrs mstatus, t0
  RUN_U(u_load_super)
  CHECK_S_TRAP(68, CAUSE_LOAD_PAGE, VA(7))
  li t0, MSTATUS_SUM
  csrc mstatus, t0
  RUN_U(u_fetch_super)
  CHECK_S_TRAP(69, CAUSE_FETCH_PAGE, VA(8))
  RUN_U(u_store_user)
  CHECK_NO_TRAP(70)
  la t0, data0; ld a1, 40(t0)
  CHECK_REG(70, a1, 0x4242)
  RUN_U(u_sfence)                                          /* illegal in U */
  CHECK_M_TRAP(71, CAUSE_ILLEGAL, 0x12000073)

  /* ---- faults not delegated go to M ---- */
  csrw medeleg, zero
  RUN_S(li t0, VA(3) + 8; ld a1, 0(t0))
  CHECK_M_TRAP(75, CAUSE_LOAD_PAGE, VA(3) + 8)
  RUN_S(li t0, VA(1) + 16; sd a1, 0(t0))
  CHECK_M_TRAP(76, CAUSE_STORE_PAGE, VA(1) + 16)
  RUN_S(li t0, VA(3); jr t0)
  CHECK_M_TRAP(77, CAUSE_FETCH_PAGE, VA(3))
  li t0, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t0

  /* ---- MPRV: M-mode loads and stores with the MPP mode's translation ---- */
  li TESTNUM, 80
  CLEAR_ALL
  la t0, 1f; la t1, m_resume; sd t0, 0(t1)
  SET_MPP(1)
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  li t0, VA(7)
  ld a1, 0(t0)                 /* through the S regime: data0 */
  li a2, 0x99
  sd a2, 48(t0)
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
1:
  CHECK_NO_TRAP(80)
  CHECK_REG(80, a1, 0x1111111111111111)
  la t0, data0; ld a1, 48(t0)
  CHECK_REG(81, a1, 0x99)
  /* MPP = U: an S page faults, to M (traps from M are never delegated) */
  CLEAR_ALL
  la t0, 1f; la t1, m_resume; sd t0, 0(t1)
  SET_MPP(0)
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  li t0, VA(7)
7: ld a1, 0(t0)
  j fail
1:
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK_M_TRAP(82, CAUSE_LOAD_PAGE, VA(7))
  la t5, 7b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail
  /* fetches are not affected by MPRV: this code runs at its PA */
  CLEAR_ALL
  la t0, 1f; la t1, m_resume; sd t0, 0(t1)
  SET_MPP(0)
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  li t0, VA(4)
  ld a1, 0(t0)                 /* U page with MPP = U: fine */
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
1:
  CHECK_NO_TRAP(83)
  CHECK_REG(83, a1, 0x1111111111111111)

  /* ---- code: the same page at two VAs, remap + SFENCE.VMA ---- */
  RUN_S(li t0, VA(8); jr t0)
  CHECK_NO_TRAP(85)
  CHECK_REG(85, a0, VA(8))              /* auipc sees the VA */
  RUN_S(jal ra, code_a)                 /* the same code at its PA */
  CHECK_NO_TRAP(86)
  li TESTNUM, 86; la t0, code_a; bne a0, t0, fail
  SETPTE(l0, 8, code_b, PTE_V | PTE_R | PTE_X | PTE_A)
  sfence.vma
  RUN_S(li t0, VA(8); jr t0)
  CHECK_NO_TRAP(87)
  CHECK_REG(87, a0, 0x7777)
  /* data remap from S: store the PTE through the identity map, fence */
  la s4, l0; addi s4, s4, 7 * 8
  la s5, data1; srli s5, s5, 12; slli s5, s5, 10; ori s5, s5, RWAD
  RUN_S(li t0, VA(7); ld a1, 0(t0); sd s5, 0(s4); sfence.vma t0, zero; ld a2, 0(t0))
  CHECK_NO_TRAP(88)
  CHECK_REG(88, a1, 0x1111111111111111)
  CHECK_REG(89, a2, 0x2222222222222222)
  /* and back, with a full fence */
  la s5, data0; srli s5, s5, 12; slli s5, s5, 10; ori s5, s5, RWAD
  RUN_S(li t0, VA(7); sd s5, 0(s4); sfence.vma; ld a2, 0(t0))
  CHECK_NO_TRAP(90)
  CHECK_REG(90, a2, 0x1111111111111111)

  /* code at a top-half VA (bit 63 set): SFENCE.VMA continues at pc + 4 */
  la s6, code_c; li t0, 0x80000000; sub s6, s6, t0
  li t0, 0xffffffffc0000000; add s6, s6, t0                /* VA of code_c */
  RUN_S(mv t0, s6; jr t0)
  CHECK_NO_TRAP(91)
  addi t0, s6, 8
  li TESTNUM, 91; bne a0, t0, fail                         /* auipc after 2 fences */

  /* ---- an instruction that crosses into another page ---- */
  RUN_S(li a0, 0; li t0, VA(9) + 0xffe; jr t0)
  CHECK_NO_TRAP(92)
  CHECK_REG(92, a0, 0x123)
  SETPTE_PA(l0, 10, 0, 0)
  sfence.vma
  RUN_S(li t0, VA(9) + 0xffe; jr t0)
  CHECK_VAR(93, s_trap_count, 1)
  CHECK_VAR(93, s_trap_cause, CAUSE_FETCH_PAGE)
  CHECK_VAR(93, s_trap_epc, VA(9) + 0xffe)
  CHECK_VAR(93, s_trap_tval, VA(10))     /* the missing half */
  /* a misaligned load crossing into a page it may not read */
  RUN_S(li t0, VA(2) - 4; ld a1, 0(t0))
  CHECK_VAR(94, s_trap_count, 1)
  CHECK_VAR(94, s_trap_cause, CAUSE_LOAD_PAGE)
  /* stval: vmrun reports the original address, QEMU 7.2 the start of
  ** the faulting page; the spec allows both (§3.1.16) */
  li TESTNUM, 95
  LOAD_VAR(t5, s_trap_tval)
  li t6, VA(2) - 4
  beq t5, t6, 1f
  li t6, VA(2)
  bne t5, t6, fail
1:
#ifdef VMRUN_ONLY
  CHECK_VAR(96, s_trap_tval, VA(2) - 4)
#endif

  /* ======== Sv48 ======== */
  csrw satp, s2
  sfence.vma
  RUN_S(li t0, VA(7); ld a1, 0(t0))                        /* 4K, shared tables */
  CHECK_NO_TRAP(100)
  CHECK_REG(100, a1, 0x1111111111111111)
  RUN_S(li t0, 0x40400000; add t0, t0, s3; ld a1, 0(t0))  /* 2M */
  CHECK_NO_TRAP(101)
  CHECK_REG(101, a1, 0x1111111111111111)
  /* 512G leaf at VA 0x8000000000 -> PA 0 (non-canonical under Sv39) */
  RUN_S(li t0, 0x8000000000; add t0, t0, s3; li t1, 0x80000000; add t0, t0, t1; ld a1, 0(t0); li a2, 0x4848; sd a2, 56(t0))
  CHECK_NO_TRAP(102)
  CHECK_REG(102, a1, 0x1111111111111111)
  la t0, data0; ld a1, 56(t0)
  CHECK_REG(103, a1, 0x4848)
  /* the top half: vpn[3] = 0x100 */
  RUN_S(li t0, 0xffff800000000000; add t0, t0, s3; li t1, 0x80000000; add t0, t0, t1; ld a1, 0(t0))
  CHECK_NO_TRAP(104)
  CHECK_REG(104, a1, 0x1111111111111111)
  /* Sv48: bits 63:48 must equal bit 47 */
  RUN_S(li t0, 0x0000800000000000; ld a1, 0(t0))
  CHECK_S_TRAP(105, CAUSE_LOAD_PAGE, 0x0000800000000000)
  RUN_S(li t0, 0xffff000000000000; sd zero, 0(t0))
  CHECK_S_TRAP(106, CAUSE_STORE_PAGE, 0xffff000000000000)
  /* the Sv39 top half is not mapped in Sv48 (root48[0x1ff] invalid) */
  RUN_S(li t0, 0xffffffffc0000000; ld a1, 0(t0))
  CHECK_S_TRAP(107, CAUSE_LOAD_PAGE, 0xffffffffc0000000)
  /* permissions and A/D as in Sv39 */
  RUN_S(li t0, VA(1); sd zero, 0(t0))
  CHECK_S_TRAP(108, CAUSE_STORE_PAGE, VA(1))
  RUN_U(u_load_super)
  CHECK_S_TRAP(109, CAUSE_LOAD_PAGE, VA(7))
  RUN_U(u_load_user)
  CHECK_NO_TRAP(110)
  SETPTE(l0, 0, data0, PTE_V | PTE_R | PTE_W)
  sfence.vma
  RUN_S(li t0, VA(0); sd zero, 64(t0))
  CHECK_NO_TRAP(111)
  CHECK_PTE(111, l0, 0, PTE_A | PTE_D, PTE_A | PTE_D)
  CHECK_PTE(111, root48, 0, PTE_A | PTE_D, 0)
  RUN_S(li t0, VA(8); jr t0)
  CHECK_NO_TRAP(112)
  CHECK_REG(112, a0, 0x7777)
  /* code in the Sv48 top half */
  la s6, code_c; li t0, 0xffff800000000000; add s6, s6, t0
  RUN_S(mv t0, s6; jr t0)
  CHECK_NO_TRAP(113)
  addi t0, s6, 8
  li TESTNUM, 113; bne a0, t0, fail

  /* ======== engine caches under remaps (Sv39; tests 150-179) ========
  ** Code runs 100 times per snippet, so every engine tier compiles and
  ** chains it; each remap must still be seen by the next fetch. */
  csrw satp, s1
  sfence.vma
  SETPTE(l0, 16, cc_caller, PTE_V | PTE_R | PTE_X | PTE_A)
  SETPTE(l0, 17, cc_fn_a, PTE_V | PTE_R | PTE_X | PTE_A)
  SETPTE(l0, 18, cc_span, PTE_V | PTE_R | PTE_X | PTE_A)
  SETPTE(l0, 19, cc_cont_a, PTE_V | PTE_R | PTE_X | PTE_A)
  sfence.vma
  li a0, VA(16); ENTER(1)
  CHECK_NO_TRAP(150)
  CHECK_REG(150, a1, 100)                  /* a direct call into VA(17) */
  CHECK_REG(151, a2, 100)                  /* a block running into VA(19) */
  li a0, VA(16); ENTER(1)
  CHECK_NO_TRAP(152)
  CHECK_REG(152, a1, 100)
  /* remap the callee's page; S fences that one page, then calls again */
  SETPTE(l0, 17, cc_fn_b, PTE_V | PTE_R | PTE_X | PTE_A)
  RUN_S(li t0, VA(17); sfence.vma t0, zero; li t0, VA(16); jr t0)
  CHECK_NO_TRAP(153)
  CHECK_REG(153, a1, 200)
  CHECK_REG(154, a2, 100)
  /* remap the page a block runs into, fence only that page */
  SETPTE(l0, 19, cc_cont_b, PTE_V | PTE_R | PTE_X | PTE_A)
  RUN_S(li t0, VA(19); sfence.vma t0, zero; li t0, VA(16); jr t0)
  CHECK_NO_TRAP(155)
  CHECK_REG(155, a1, 200)
  CHECK_REG(156, a2, 200)
  /* a fence of an unrelated page changes nothing */
  RUN_S(li t0, VA(20); sfence.vma t0, zero; li t0, VA(16); jr t0)
  CHECK_NO_TRAP(157)
  CHECK_REG(157, a1, 200)
  CHECK_REG(157, a2, 200)

  /* the same code through a 2 MiB superpage (VA 0x40c00000 -> the image),
  ** then the superpage remapped to a copy of the image where cc_fn_a and
  ** cc_cont_a hold cc_fn_b's and cc_cont_b's code, fenced with an address
  ** in another 4 KiB page of it: the fence covers the whole leaf PTE
  ** (§4.2.1), so every page of the superpage must change */
  li t0, 0x80000000; li t1, 0x80200000; li t2, 0x80000000 + 0x40000
1: ld t3, 0(t0); sd t3, 0(t1); addi t0, t0, 8; addi t1, t1, 8; bltu t0, t2, 1b
  la t0, cc_fn_b; la t1, cc_fn_a; li t2, 0x200000; add t1, t1, t2
  ld t3, 0(t0); sd t3, 0(t1); ld t3, 8(t0); sd t3, 8(t1)
  la t0, cc_cont_b; la t1, cc_cont_a; add t1, t1, t2
  ld t3, 0(t0); sd t3, 0(t1); ld t3, 8(t0); sd t3, 8(t1)
  fence.i
  SETPTE_PA(l1, 6, 0x80000000, PTE_V | PTE_R | PTE_X | PTE_A)
  sfence.vma
  la a0, cc_caller; li t0, 0x80000000; sub a0, a0, t0
  li t0, 0x40c00000; add s9, a0, t0              /* s9 = VA of cc_caller */
  mv a0, s9; ENTER(1)
  CHECK_NO_TRAP(158)
  CHECK_REG(158, a1, 100)
  CHECK_REG(158, a2, 100)
  SETPTE_PA(l1, 6, 0x80200000, PTE_V | PTE_R | PTE_X | PTE_A)
  RUN_S(li t0, 0x40c00000 + 0x100000; sfence.vma t0, zero; jr s9)
  CHECK_NO_TRAP(159)
  CHECK_REG(159, a1, 200)
  CHECK_REG(159, a2, 200)

  /* ASIDs (§4.1.11, §4.2.1): ASID 1 = root39 (VA(17) -> cc_fn_b, VA(19)
  ** -> cc_cont_b now), ASID 2 = root39b (cc_fn_a, cc_cont_a).  Switching
  ** satp between them needs no fence; a fence for one ASID (rs2) after
  ** editing its tables makes the edit visible. */
  SETPTE_PA(root39b, 0, 0, RWAD)
  SETPTE(root39b, 1, l1b, PTE_V)
  SETPTE_PA(root39b, 2, 0x80000000, RWXAD | PTE_G)
  SETPTE(l1b, 0, l0b, PTE_V)
  SETPTE(l0b, 16, cc_caller, PTE_V | PTE_R | PTE_X | PTE_A)
  SETPTE(l0b, 17, cc_fn_a, PTE_V | PTE_R | PTE_X | PTE_A)
  SETPTE(l0b, 18, cc_span, PTE_V | PTE_R | PTE_X | PTE_A)
  SETPTE(l0b, 19, cc_cont_a, PTE_V | PTE_R | PTE_X | PTE_A)
  sfence.vma
  la s7, root39; srli s7, s7, 12; li t0, SATP_SV39 | (1 << 44); or s7, s7, t0
  la s8, root39b; srli s8, s8, 12; li t0, SATP_SV39 | (2 << 44); or s8, s8, t0
  csrw satp, s7
  TEST_CASE(160, a0, 0, csrr a0, satp; sub a0, a0, s7)  /* ASID bits kept */
  li a0, VA(16); ENTER(1)
  CHECK_NO_TRAP(161)
  CHECK_REG(161, a1, 200)
  CHECK_REG(161, a2, 200)
  csrw satp, s8
  li a0, VA(16); ENTER(1)
  CHECK_NO_TRAP(162)
  CHECK_REG(162, a1, 100)
  CHECK_REG(162, a2, 100)
  csrw satp, s7
  li a0, VA(16); ENTER(1)
  CHECK_NO_TRAP(163)
  CHECK_REG(163, a1, 200)
  CHECK_REG(163, a2, 200)
  /* edit ASID 2's tables while ASID 1 runs, then switch and fence ASID 2 */
  SETPTE(l0b, 17, cc_fn_b, PTE_V | PTE_R | PTE_X | PTE_A)
  csrw satp, s8
  li t0, 2; sfence.vma zero, t0
  li a0, VA(16); ENTER(1)
  CHECK_NO_TRAP(164)
  CHECK_REG(164, a1, 200)
  CHECK_REG(164, a2, 100)
  /* one page of one ASID, fenced from S */
  SETPTE(l0b, 19, cc_cont_b, PTE_V | PTE_R | PTE_X | PTE_A)
  RUN_S(li t0, VA(19); li t1, 2; sfence.vma t0, t1; li t0, VA(16); jr t0)
  CHECK_NO_TRAP(165)
  CHECK_REG(165, a1, 200)
  CHECK_REG(165, a2, 200)

  /* SUM toggled by S between loads of a U page (its own TLB index in
  ** vmrun): set, load, clear, load faults; and set again */
  csrw satp, s1
  sfence.vma
  li t0, MSTATUS_SUM
  csrc mstatus, t0
  RUN_S(li t0, VA(4); li t1, MSTATUS_SUM; csrs sstatus, t1; ld a1, 0(t0); csrc sstatus, t1; 7: ld a2, 0(t0))
  CHECK_S_TRAP(170, CAUSE_LOAD_PAGE, VA(4))
  CHECK_REG(170, a1, 0x1111111111111111)
  la t5, 7b; LOAD_VAR(t6, s_trap_epc); bne t5, t6, fail
  RUN_S(li t0, VA(4); li t1, MSTATUS_SUM; ld a1, 8(t0); csrs sstatus, t1; ld a2, 0(t0); sd a2, 72(t0); csrc sstatus, t1)
  CHECK_S_TRAP(171, CAUSE_LOAD_PAGE, VA(4) + 8)        /* SUM still clear */
  RUN_S(li t0, VA(4); li t1, MSTATUS_SUM; csrs sstatus, t1; ld a2, 0(t0); sd a2, 72(t0); csrc sstatus, t1; sd a2, 80(t0))
  CHECK_S_TRAP(172, CAUSE_STORE_PAGE, VA(4) + 80)
  la t0, data0; ld a1, 72(t0)
  CHECK_REG(172, a1, 0x1111111111111111)
  /* MPRV with MPP = S: SUM decides for M's loads too */
  CLEAR_ALL
  la t0, 1f; la t1, m_resume; sd t0, 0(t1)
  SET_MPP(1)
  li t0, MSTATUS_MPRV | MSTATUS_SUM
  csrs mstatus, t0
  li t0, VA(4)
  ld a1, 0(t0)                 /* U page through S with SUM */
  li t1, MSTATUS_SUM
  csrc mstatus, t1
7: ld a2, 0(t0)                /* without SUM: fault, to M */
  j fail
1:
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK_M_TRAP(173, CAUSE_LOAD_PAGE, VA(4))
  CHECK_REG(173, a1, 0x1111111111111111)
  la t5, 7b; LOAD_VAR(t6, trap_epc); bne t5, t6, fail
  /* One load run hot by M without MPRV (untranslated: JITs reach RAM
  ** through vmrun's RAM window), then by M with MPRV and MPP = U on the
  ** same RAM address, which the U regime must refuse (an S page): the
  ** code compiled for untranslated accesses must not be the one run. */
  CLEAR_ALL
  li s2, 100
  la a0, data1
2: call mprv_ld
  addi s2, s2, -1
  bnez s2, 2b
  CHECK_REG(174, a1, 0x2222222222222222)
  la t0, 1f; la t1, m_resume; sd t0, 0(t1)
  SET_MPP(0)
  li t0, MSTATUS_MPRV
  csrs mstatus, t0
  li a1, 0
  call mprv_ld
  j fail
1:
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK_VAR(174, s_trap_count, 0); CHECK_VAR(174, trap_count, 1)
  CHECK_VAR(174, trap_cause, CAUSE_LOAD_PAGE)
  la t5, data1; LOAD_VAR(t6, trap_tval); bne t5, t6, fail
  CHECK_REG(174, a1, 0)
  la t5, mprv_ld; LOAD_VAR(t6, trap_epc); bne t5, t6, fail

  /* Bare again: VA = PA for S */
  csrw satp, zero
  sfence.vma
  RUN_S(la t0, data0; ld a1, 0(t0))
  CHECK_NO_TRAP(120)
  CHECK_REG(120, a1, 0x1111111111111111)

  RVTEST_PASS

  /* ---- trap handlers ---- */
  /* a1 = [a0] (test 174) */
  .balign 4
mprv_ld:
  ld a1, 0(a0)
  ret

  .balign 4
vm_m_handler:
  sd t0, 0(tp)
  sd t1, 8(tp)
  csrr t0, mcause
  li t1, CAUSE_ECALL_U
  beq t0, t1, 1f
  li t1, CAUSE_ECALL_S
  beq t0, t1, 1f
  la t1, trap_cause; sd t0, 0(t1)
  csrr t0, mepc; la t1, trap_epc; sd t0, 0(t1)
  csrr t0, mtval; la t1, trap_tval; sd t0, 0(t1)
  la t1, trap_count; ld t0, 0(t1); addi t0, t0, 1; sd t0, 0(t1)
1:
  /* resume in M at m_resume */
  la t1, m_resume; ld t0, 0(t1); csrw mepc, t0
  li t0, MSTATUS_MPP; csrs mstatus, t0
  ld t0, 0(tp)
  ld t1, 8(tp)
  mret

  .balign 4
vm_s_handler:
  sd t0, 24(tp)
  sd t1, 32(tp)
  csrr t0, scause; la t1, s_trap_cause; sd t0, 0(t1)
  csrr t0, sepc; la t1, s_trap_epc; sd t0, 0(t1)
  csrr t0, stval; la t1, s_trap_tval; sd t0, 0(t1)
  csrr t0, sstatus; la t1, s_trap_sstatus; sd t0, 0(t1)
  la t1, s_trap_count; ld t0, 0(t1); addi t0, t0, 1; sd t0, 0(t1)
  ld t0, 24(tp)
  ld t1, 32(tp)
  ecall                        /* to M, which resumes at m_resume */

RVTEST_END

  .section .text
  /* ---- pages of code mapped at other VAs ---- */
  .balign 4096
user_page:                     /* U|R|X at USER_VA */
u_load_user:
  li t0, VA(4); ld a1, 0(t0); ecall
u_load_super:
  li t0, VA(7)
u_load_super_insn:
  ld a1, 0(t0); ecall
u_store_super:
  li t0, VA(7); sd zero, 8(t0); ecall
u_fetch_super:
  li t0, VA(8); jr t0
u_store_user:
  li t0, VA(4); li a1, 0x4242; sd a1, 40(t0); ecall
u_sfence:
  sfence.vma; ecall

  .balign 4096
code_a:                        /* S code, also mapped at VA(8) */
  auipc a0, 0
  ecall
  .balign 4096
code_b:                        /* VA(8) after the remap */
  li a0, 0x7777
  ecall
code_c:                        /* run at top-half VAs */
  sfence.vma
  sfence.vma a0, zero
  auipc a0, 0
  ecall

  .balign 4096
xpage:                         /* VA(9): an addi split over two pages */
  .fill 2047, 2, 0x0001        /* c.nop */
  .half 0x0513                 /* addi a0, zero, 0x123: low half */
xpage2:                        /* VA(10) */
  .half 0x1230                 /* high half */
  .word 0x00000073             /* ecall */

  /* ---- engine-cache tests: VA(16)..VA(19) ---- */
  .balign 4096
cc_caller:                     /* VA(16): 100 calls to each callee */
  li a1, 0
  li a2, 0
  li a3, 100
1:
  jal ra, cc_fn_a              /* VA(17): cc_fn_a or cc_fn_b */
  add a1, a1, a0
  jal ra, cc_span + 0xff8      /* VA(18) + 0xff8, runs into VA(19) */
  add a2, a2, a0
  addi a3, a3, -1
  bnez a3, 1b
  ecall
  .balign 4096
cc_fn_a:                       /* VA(17) first */
  li a0, 1
  ret
  .balign 4096
cc_span:                       /* VA(18) */
  .fill 1022, 4, 0x00000013    /* nop */
  .word 0x00000513             /* at 0xff8: addi a0, zero, 0 */
  .word 0x00000013             /* nop */
cc_cont_a:                     /* VA(19) first */
  addi a0, a0, 1
  ret
  .balign 4096
cc_fn_b:
  li a0, 2
  ret
  .balign 4096
cc_cont_b:
  addi a0, a0, 2
  ret

  .section .data
  .balign 8
m_resume: .dword 0
  .balign 4096
root39: .fill 512, 8, 0
l1:     .fill 512, 8, 0
l0:     .fill 512, 8, 0
root48: .fill 512, 8, 0
data0:  .dword 0x1111111111111111
        .fill 511, 8, 0
data1:  .dword 0x2222222222222222
        .fill 511, 8, 0
data2:  .dword 0x3333333333333333
        .fill 511, 8, 0
root39b: .fill 512, 8, 0         /* ASID 2's tables */
l1b:    .fill 512, 8, 0
l0b:    .fill 512, 8, 0
