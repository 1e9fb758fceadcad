/* tests/user/direct.c - guest-memory edge cases of Linux user mode, for
** an engine that sends guest loads and stores straight to host memory
** (host = base + guest VA, host page protections mirroring the guest's,
** a range check for VAs >= 2^38, a "holds translated code" check on
** stores, a host fault handler falling back to the slow path) as much as
** for a software TLB: every edge of such a design changes a line here.
**
** Sections (one line per result, no addresses or timings printed; the
** name as argv[1] runs one alone):
**   fault  loads/stores of 1/2/4/8 bytes to the NULL page, an unmapped
**          range, VAs >= 2^38 (a mapped page plus high bits too) and
**          wrapping ones, PROT_NONE and PROT_READ pages, fetches from
**          non-executable pages: the signal, si_code and whether si_addr
**          is the access's address (acc), the first byte of the next page
**          (page) or something else.
**   cross  misaligned 2/4/8-byte accesses crossing a page boundary into
**          RW, unmapped, read-only and PROT_NONE pages and out of such
**          pages: values, bytes on both pages, nothing written by a
**          faulting store; accesses crossing 2^38 and wrapping past 2^64.
**   smc    self-modifying code: hot code patched by stores of every size,
**          by a page-crossing store from a data page, across a block that
**          spans two pages, with code and data sharing a page, FENCE.I,
**          W^X mprotect flips, munmap + MAP_FIXED re-maps (anonymous,
**          file, zero pages), execute permission taken away.
**   sigctx the signal context of a fault: pc, registers and earlier
**          stores exact; handlers that skip the access or make the page
**          accessible and return (the access is made again).
**   kinds  signed loads, FP loads/stores, atomics (LR/SC, AMOs): values,
**          faults, misalignment, atomics patching code.
**   prot   mprotect churn on a page used by hot code; write-only pages;
**          mremap and brk shrinking; munmap and MAP_FIXED re-maps
**          switching between file-backed and anonymous memory.
**   alias  two MAP_SHARED views of one file (data; code written through
**          one, run through the other); MADV_DONTNEED by mapping kind.
**   fork   copy-on-write after fork (private, shared, heap, stack) and a
**          child killed by SIGSEGV.
**   thr    threads loading and storing on shared and private pages while
**          the main thread mprotects other pages and takes away pages the
**          threads used; a deterministic sum.
**   sys    a syscall (read from a pipe, pread) writing code that then
**          runs.
** Lines starting "linux " check Linux's answer in the program itself,
** where qemu-riscv64 7.2 (the reference of tests/integration/
** user-mode.sh) departs from it: SEGV_ACCERR or si_addr 0 above 2^38,
** its ld.so at 2^38, old code run after riscv_flush_icache, brk pages
** kept after shrinking.  They print "ok" or "BAD" and are not compared.
** Instructions are hand-encoded RV64I words; the loads and stores are
** inline asm so that each access has exactly the size it claims. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static long pg;

/* ---- faults ---- */

static __thread sigjmp_buf jb;
static __thread volatile int f_sig, f_code;
static __thread volatile uintptr_t f_addr;

/* What the handler does (section sigctx): jump out, make the faulting
** page accessible and return (the access is made again), or skip the
** faulting instruction (pc += 4 in the signal context) and return. */
enum { H_JUMP, H_FIX, H_SKIP };
static volatile int h_mode = H_JUMP, h_calls;
static volatile int h_fix_prot;
static volatile uintptr_t h_pc, h_t1, h_t2;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
  ucontext_t *uc = ctx;
  f_sig = sig;
  f_code = si->si_code;
  f_addr = (uintptr_t)si->si_addr;
  if (h_mode == H_FIX && ++h_calls < 4) {     /* (no endless loop) */
    mprotect((void *)(f_addr & ~(uintptr_t)(pg - 1)), (size_t)pg,
             h_fix_prot);
    return;
  }
  if (h_mode == H_SKIP) {
    h_pc = uc->uc_mcontext.__gregs[REG_PC];
    h_t1 = uc->uc_mcontext.__gregs[6];
    h_t2 = uc->uc_mcontext.__gregs[7];
    uc->uc_mcontext.__gregs[REG_PC] += 4;
    return;
  }
  siglongjmp(jb, 1);
}

static void handlers(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
}

/* What a line shows of a fault: everything, or less where qemu-riscv64
** 7.2 (the reference) departs from Linux; the "linux" lines then check
** the rest against Linux's answer (see main). */
enum { SHOW_ALL, SHOW_NO_CODE, SHOW_SIG };
static __thread int show = SHOW_ALL;

/* "SEGV 1 acc": signal, si_code, where si_addr points relative to the
** access at `a`: the access itself, the first byte of the next page or
** elsewhere */
static const char *fault_str(uintptr_t a)
{
  static __thread char buf[64];
  uintptr_t pgstart = (a | (uintptr_t)(pg - 1)) + 1;
  const char *where = f_addr == a ? "acc"
                    : f_addr == pgstart ? "page" : "other";
  const char *s = f_sig == SIGSEGV ? "SEGV" : f_sig == SIGBUS ? "BUS" : "SIG?";
  if (show == SHOW_SIG) snprintf(buf, sizeof buf, "%s", s);
  else if (show == SHOW_NO_CODE) snprintf(buf, sizeof buf, "%s %s", s, where);
  else snprintf(buf, sizeof buf, "%s %d %s", s, f_code, where);
  return buf;
}

/* Linux's answer: SIGSEGV, SEGV_MAPERR, si_addr == want */
static int linux_maperr(uintptr_t want)
{
  return f_sig == SIGSEGV && f_code == SEGV_MAPERR && f_addr == want;
}

/* exact-size accesses */
static __attribute__((noinline)) uint64_t ld(int size, uintptr_t a)
{
  uint64_t v;
  switch (size) {
  case 1: __asm__ volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); break;
  case 2: __asm__ volatile("lhu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); break;
  case 4: __asm__ volatile("lwu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); break;
  default: __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); break;
  }
  return v;
}

static __attribute__((noinline)) void st(int size, uintptr_t a, uint64_t v)
{
  switch (size) {
  case 1: __asm__ volatile("sb %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
  case 2: __asm__ volatile("sh %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
  case 4: __asm__ volatile("sw %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
  default: __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); break;
  }
}

/* 1 and *v on success, 0 after a fault (f_* set) */
static int try_ld(int size, uintptr_t a, uint64_t *v)
{
  if (sigsetjmp(jb, 1)) return 0;
  *v = ld(size, a);
  return 1;
}

static int try_st(int size, uintptr_t a, uint64_t v)
{
  if (sigsetjmp(jb, 1)) return 0;
  st(size, a, v);
  return 1;
}

static uint64_t mask(int size)
{
  return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* "ld4 ok 0x..." or "ld4 SEGV 1 acc" into buf */
static void ld_str(char *buf, size_t n, int size, uintptr_t a)
{
  uint64_t v;
  if (try_ld(size, a, &v))
    snprintf(buf, n, "ld%d ok %#llx", size, (unsigned long long)v);
  else
    snprintf(buf, n, "ld%d %s", size, fault_str(a));
}

static void st_str(char *buf, size_t n, int size, uintptr_t a, uint64_t v)
{
  if (try_st(size, a, v))
    snprintf(buf, n, "st%d ok", size);
  else
    snprintf(buf, n, "st%d %s", size, fault_str(a));
}

/* the hot paths: the accessors run many times before the edge cases */
static void warm(uintptr_t a)
{
  uint64_t s = 0;
  for (int i = 0; i < 3000; i++) {
    for (int z = 1; z <= 8; z *= 2) {
      st(z, a + 8 * (uintptr_t)(i & 7), (uint64_t)i);
      s += ld(z, a + 8 * (uintptr_t)(i & 7));
    }
  }
  printf("warm %llu\n", (unsigned long long)s);
}

static char *map(size_t n, int prot)
{
  char *p = mmap(NULL, n, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    printf("mmap failed\n");
    exit(2);
  }
  return p;
}

/* ---- 1. faults ---- */

static void fault_line(const char *what, uintptr_t a, int stores)
{
  char b[64];
  printf("fault %-10s", what);
  for (int z = 1; z <= 8; z *= 2) {
    ld_str(b, sizeof b, z, a);
    printf(" | %s", b);
  }
  if (stores)
    for (int z = 1; z <= 8; z *= 2) {
      st_str(b, sizeof b, z, a, 0x1122334455667788ull);
      printf(" | %s", b);
    }
  printf("\n");
}

/* Is something mapped at a?  MAP_FIXED_NOREPLACE fails with EEXIST (or,
** where the flag is taken for a hint, places the mapping elsewhere);
** ENOMEM says a is no user address at all. */
static int taken(uintptr_t a)
{
  void *q = mmap((void *)a, (size_t)pg, PROT_NONE, MAP_PRIVATE |
                 MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (q == MAP_FAILED) return errno == EEXIST;
  munmap(q, (size_t)pg);
  return q != (void *)a;
}

/* Nothing is mapped at a (>= 2^38, above the Sv39 user half): on Linux
** every access is SIGSEGV, SEGV_MAPERR at a (stval is the address,
** find_vma() finds nothing).  `s`: what the line compared with
** qemu-riscv64 shows, -1 for no such line (qemu-riscv64 7.2 may even map
** the dynamic linker at 2^38). */
static void fault_unmapped_high(const char *what, uintptr_t a, int s)
{
  int ok = !taken(a);
  uint64_t v;
  if (s >= 0) {
    show = s;
    fault_line(what, a, 1);
    show = SHOW_ALL;
  }
  for (int z = 1; ok && z <= 8; z *= 2) {
    ok &= !try_ld(z, a, &v) && linux_maperr(a);
    ok &= !try_st(z, a, 0) && linux_maperr(a);
  }
  printf("linux fault %s %s\n", what, ok ? "ok" : "BAD");
}

typedef long (*fn_t)(long);

static void fetch_line(const char *what, uintptr_t a)
{
  volatile fn_t f = (fn_t)a;
  if (sigsetjmp(jb, 1)) {
    printf("fetch %-10s %s\n", what, fault_str(a));
    return;
  }
  f(0);
  printf("fetch %-10s ran\n", what);
}

static void faults(void)
{
  char *p = map(4 * pg, PROT_READ | PROT_WRITE);
  char *none, *ro;
  uintptr_t gone;
  /* a range that was mapped and used, then unmapped */
  memset(p, 0x5a, 4 * pg);
  munmap(p + 2 * pg, 2 * pg);
  gone = (uintptr_t)(p + 2 * pg);
  none = p + pg;
  memset(none, 0x66, pg);
  mprotect(none, pg, PROT_NONE);
  ro = p;
  mprotect(ro, pg, PROT_READ);

  fault_line("null", 0, 1);
  fault_line("null+8", 8, 1);
  fault_line("null+ff8", 0xff8, 1);
  fault_line("unmapped", gone, 1);
  fault_line("unmap+ff8", gone + (uintptr_t)pg - 8, 1);
  fault_line("unmap2nd", gone + (uintptr_t)pg, 1);
  /* qemu-riscv64 7.2: SEGV_ACCERR, or its ld.so is there */
  fault_unmapped_high("2^38", 1ull << 38, -1);
  fault_unmapped_high("2^38+8", (1ull << 38) + 8, -1);
  fault_line("2^39", 1ull << 39, 1);
  fault_line("2^40", 1ull << 40, 1);
  /* qemu-riscv64 7.2: si_addr 0 (the host's general protection fault) */
  fault_unmapped_high("2^47", 1ull << 47, SHOW_SIG);
  fault_unmapped_high("2^63", 1ull << 63, SHOW_SIG);
  /* a mapped page's address plus high bits: no aliasing of the page (a
  ** walk or range check that drops VA bits would reach it) */
  {
    static const struct { const char *n; uintptr_t add; } hi[] = {
      { "pg+2^38", 1ull << 38 }, { "pg+2^39", 1ull << 39 },
      { "pg+2^40", 1ull << 40 }, { "pg+2^47", 1ull << 47 },
      { "pg+2^56", 1ull << 56 }, { "pg+2^63", 1ull << 63 },
      { "pg-2^38", (uintptr_t)0 - (1ull << 38) },
    };
    uintptr_t good = (uintptr_t)map((size_t)pg, PROT_READ | PROT_WRITE);
    for (unsigned i = 0; i < sizeof hi / sizeof hi[0]; i++)
      fault_unmapped_high(hi[i].n, good + hi[i].add, -1);
    munmap((void *)good, (size_t)pg);
  }
  fault_line("-4096", (uintptr_t)-4096, 1);
  fault_line("-8", (uintptr_t)-8, 1);
  fault_line("kernel", 0xffffffc000000000ull, 1);
  fault_line("none", (uintptr_t)none, 1);
  fault_line("none+ff8", (uintptr_t)none + (uintptr_t)pg - 8, 1);
  fault_line("readonly", (uintptr_t)ro, 1);
  fault_line("ro+ff8", (uintptr_t)ro + (uintptr_t)pg - 8, 1);
  /* the readonly page still holds what was written before mprotect */
  printf("fault ro-intact %d\n", ro[0] == 0x5a && ro[pg - 1] == 0x5a);
  /* the same hot instructions keep working on a good page */
  fault_line("good", (uintptr_t)ro + (uintptr_t)pg / 2, 0);
  /* fetches: unmapped, NULL, PROT_NONE, readable but not executable */
  fetch_line("null", 0);
  fetch_line("unmapped", gone);
  {                                     /* (as above) */
    volatile fn_t f = (fn_t)(1ull << 38);
    volatile int ok = !taken(1ull << 38);
    if (ok && !sigsetjmp(jb, 1)) {
      f(0);
      ok = 0;
    }
    printf("linux fetch 2^38 %s\n", ok && linux_maperr(1ull << 38) ?
           "ok" : "BAD");
  }
  fetch_line("none", (uintptr_t)none);
  fetch_line("readonly", (uintptr_t)ro);
  munmap(p, 2 * pg);
}

/* ---- 2. page-crossing accesses ---- */

static const uint64_t V = 0x8877665544332211ull;

/* the bytes at [a - 8, a + 8) */
static void fill16(uintptr_t a, int c)
{
  memset((char *)a - 8, c, 16);
}

static int same16(uintptr_t a, int c)
{
  const unsigned char *q = (const unsigned char *)a - 8;
  for (int i = 0; i < 16; i++)
    if (q[i] != (unsigned char)c) return 0;
  return 1;
}

/* RW then RW: the value and each byte on both pages */
static void cross_rw(uintptr_t end)
{
  int bad = 0, n = 0;
  for (int rep = 0; rep < 200; rep++)
    for (int z = 2; z <= 8; z *= 2)
      for (int k = 1; k < z; k++) {
        uintptr_t a = end - (uintptr_t)k;
        uint64_t v = V + (uint64_t)rep * 0x0101010101010101ull + (uint64_t)k;
        const unsigned char *q = (const unsigned char *)a;
        fill16(end, 0xee);
        st(z, a, v);
        if (ld(z, a) != (v & mask(z))) bad |= 1;
        for (int i = 0; i < z; i++)
          if (q[i] != (unsigned char)(v >> (8 * i))) bad |= 2;
        if (q[-1] != 0xee || q[z] != 0xee) bad |= 4;
        /* byte accesses across the boundary */
        if (ld(1, end - 1) != (unsigned char)(v >> (8 * (k - 1)))) bad |= 8;
        if (ld(1, end) != (unsigned char)(v >> (8 * k))) bad |= 16;
        n++;
      }
  printf("cross rw-rw %d accesses bad %d\n", n, bad);
}

/* first page RW, the next one `kind`: loads and stores of every size and
** offset; a faulting store must leave both pages alone */
static void cross_to(const char *kind, uintptr_t end, int fill)
{
  char b[64];
  for (int z = 2; z <= 8; z *= 2)
    for (int k = 1; k < z; k++) {
      uintptr_t a = end - (uintptr_t)k;
      uint64_t v;
      printf("cross %s z%d k%d", kind, z, k);
      if (try_ld(z, a, &v)) printf(" ld ok %#llx", (unsigned long long)v);
      else printf(" ld %s", fault_str(a));
      memset((char *)end - 8, 0xc3, 8);
      st_str(b, sizeof b, z, a, V);
      printf(" %s first-page-intact %d", b,
             memcmp((char *)end - 8, "\xc3\xc3\xc3\xc3\xc3\xc3\xc3\xc3", 8)
             == 0);
      if (fill >= 0) printf(" next-intact %d", same16(end + 8, fill) &&
                            ld(1, end) == (unsigned)fill);
      printf("\n");
    }
}

/* first page `kind`, the next one RW: nothing may reach the second page */
static void cross_from(const char *kind, uintptr_t end, int firstfill)
{
  char b[64];
  for (int z = 2; z <= 8; z *= 2)
    for (int k = 1; k < z; k++) {
      uintptr_t a = end - (uintptr_t)k;
      uint64_t v;
      memset((char *)end, 0x3c, 8);
      printf("cross %s z%d k%d", kind, z, k);
      if (try_ld(z, a, &v)) printf(" ld ok %#llx", (unsigned long long)v);
      else printf(" ld %s", fault_str(a));
      st_str(b, sizeof b, z, a, V);
      printf(" %s second-page-intact %d", b,
             memcmp((char *)end, "\x3c\x3c\x3c\x3c\x3c\x3c\x3c\x3c", 8) == 0);
      if (firstfill >= 0) {
        uint64_t w;
        printf(" first-intact %d", try_ld(8, end - 8, &w) &&
               w == 0x0101010101010101ull * (unsigned)firstfill);
      }
      printf("\n");
    }
}

static void crossing(void)
{
  char *p = map(3 * pg, PROT_READ | PROT_WRITE);
  uintptr_t e1 = (uintptr_t)p + (uintptr_t)pg, e2 = e1 + (uintptr_t)pg;
  uint64_t v;
  cross_rw(e1);
  /* misaligned inside one page */
  st(8, e1 - 100 - 3, V);
  printf("cross inpage %d %d\n", ld(8, e1 - 103) == V, ld(4, e1 - 101) ==
         ((V >> 16) & 0xffffffffull));
  /* next page unmapped */
  munmap((void *)e2, (size_t)pg);
  cross_to("rw-unmapped", e2, -1);
  /* next page read-only */
  mmap((void *)e2, (size_t)pg, PROT_READ | PROT_WRITE,
       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  memset((void *)e2, 0x77, (size_t)pg);
  mprotect((void *)e2, (size_t)pg, PROT_READ);
  cross_to("rw-ro", e2, 0x77);
  /* next page PROT_NONE */
  mprotect((void *)e2, (size_t)pg, PROT_NONE);
  cross_to("rw-none", e2, -1);
  mprotect((void *)e2, (size_t)pg, PROT_READ);
  printf("cross none-kept %d\n", same16(e2 + 8, 0x77));
  /* first page read-only / none / unmapped, the next one RW */
  memset(p, 0x12, (size_t)pg);
  mprotect((void *)e2, (size_t)pg, PROT_READ | PROT_WRITE);
  mprotect(p, (size_t)pg, PROT_READ);
  cross_from("ro-rw", e1, 0x12);
  mprotect(p, (size_t)pg, PROT_NONE);
  cross_from("none-rw", e1, -1);
  munmap(p, (size_t)pg);
  cross_from("unmapped-rw", e1, -1);
  /* the same instructions on good pages again */
  printf("cross after %d\n", try_st(8, e1 + 5, V) && try_ld(8, e1 + 5, &v) &&
         v == V);
  munmap((void *)e1, 2 * (size_t)pg);

  /* the last page below 2^38 (the top of the Sv39 user half): accesses
  ** crossing 2^38 fault at 2^38 (SEGV_MAPERR), stores writing nothing.
  ** The emulator may keep a page of its own there (vmrun: the sigreturn
  ** code): then that page is made writable for the test, its bytes kept.
  ** Only "linux" lines: qemu-riscv64 7.2 answers SEGV_ACCERR, or has its
  ** ld.so at 2^38. */
  {
    uintptr_t top = 1ull << 38;
    char b1[64], b2[64];
    void *q = mmap((void *)(top - (uintptr_t)pg), (size_t)pg,
                   PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int ours = q == (void *)(top - (uintptr_t)pg);
    if (q != MAP_FAILED && !ours) munmap(q, (size_t)pg);
    if (!taken(top) &&
        (ours || mprotect((void *)(top - (uintptr_t)pg), (size_t)pg,
                          PROT_READ | PROT_WRITE | PROT_EXEC) == 0)) {
      uint64_t last = ld(8, top - 8);
      for (int z = 2; z <= 8; z *= 2)
        for (int k = 1; k < z; k++) {
          uint64_t v;
          int ok = !try_ld(z, top - (uintptr_t)k, &v) && linux_maperr(top);
          ok &= !try_st(z, top - (uintptr_t)k, V) && linux_maperr(top);
          ok &= ld(8, top - 8) == last;
          printf("linux cross top z%d k%d %s\n", z, k, ok ? "ok" : "BAD");
        }
      st(8, top - 8, ~last);
      b1[0] = ld(8, top - 8) == ~last;
      st(8, top - 8, last);
      b1[0] &= ld(8, top - 8) == last;
      printf("linux cross top-last %s\n", b1[0] ? "ok" : "BAD");
      if (ours) munmap(q, (size_t)pg);
    } else {
      printf("linux cross top unusable BAD\n");
    }
    for (int z = 2; z <= 8; z *= 2) {
      ld_str(b1, sizeof b1, z, (uintptr_t)-1);
      st_str(b2, sizeof b2, z, (uintptr_t)-1, V);
      printf("cross wrap z%d %s %s\n", z, b1, b2);
    }
  }
}

/* ---- 3. self-modifying code ---- */

#define ADDI_A0_ZERO(imm) ((((uint32_t)(imm) & 0xfff) << 20) | 0x00000513u)
#define ADDI_A0_A0(imm)   ((((uint32_t)(imm) & 0xfff) << 20) | 0x00050513u)
#define RET               0x00008067u
#define AUIPC_T0          0x00000297u
#define LD_A0_T0(off)     ((((uint32_t)(off) & 0xfff) << 20) | 0x0002b503u)
#define NOP               0x00000013u

/* After writing code: FENCE.I, the instruction, not the system call.
** Under vmrun FENCE.I only ends the block (docs/user-mode.md), so the
** stores themselves must have dropped the stale translations; the call
** (flush_sys) drops translations of its range and would hide a store
** that missed.  (Linux wants the call for code that other harts may run;
** one thread here.) */
static void flush(void *a, size_t n)
{
  (void)a;
  (void)n;
  __asm__ volatile("fence.i" ::: "memory");
}

/* __builtin___clear_cache: riscv_flush_icache without a vDSO */
static void flush_sys(void *a, size_t n)
{
  __builtin___clear_cache((char *)a, (char *)a + n);
}

static void put32(uintptr_t a, uint32_t w)
{
  memcpy((void *)a, &w, 4);
}

static long call(uintptr_t a, long arg)
{
  return ((fn_t)a)(arg);
}

static void smc(void)
{
  char *p = map(4 * (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC);
  uintptr_t c = (uintptr_t)p + 2 * (uintptr_t)pg;   /* third page */
  long sum = 0, want = 0;
  int bad = 0;

  /* the immediate patched by each store size in turn, the code hot */
  put32(c, ADDI_A0_ZERO(0));
  put32(c + 4, RET);
  flush((void *)c, 8);
  for (int i = 0; i < 4000; i++) {
    int imm = (i * 7) & 0x7ff;
    uint32_t w = ADDI_A0_ZERO(imm);
    switch (i & 3) {
    case 0: st(4, c, w); break;
    case 1: st(2, c + 2, w >> 16); break;             /* imm[11:4] + rs1 */
    case 2: st(1, c + 3, w >> 24); st(1, c + 2, (w >> 16) & 0xff); break;
    case 3: st(8, c, (uint64_t)w | ((uint64_t)RET << 32)); break;
    }
    flush((void *)c, 8);
    sum += call(c, 0);
    want += imm;
  }
  printf("smc sizes %ld %d\n", sum, sum == want);

  /* a hot function in the first bytes of page 3, patched by 8-byte
  ** stores crossing from the data page before it (4 bytes each side) */
  sum = want = 0;
  for (int i = 0; i < 2000; i++) {
    int imm = (i * 13 + 5) & 0x7ff;
    st(8, c - 4, 0xdada0000u + (uint64_t)i +
       ((uint64_t)ADDI_A0_ZERO(imm) << 32));
    flush((void *)(c - 4), 8);
    sum += call(c, 0);
    want += imm;
    if (ld(4, c - 4) != 0xdada0000u + (uint64_t)i) bad |= 1;
  }
  printf("smc cross-from-data %ld %d %d\n", sum, sum == want, bad);

  /* code in the last 8 bytes of page 2 (addi; ret), patched by a store
  ** starting there and crossing into page 3 */
  {
    uintptr_t f = c - 8;
    put32(f, ADDI_A0_ZERO(1));
    put32(f + 4, RET);
    flush((void *)f, 8);
    sum = want = 0;
    for (int i = 0; i < 2000; i++) {
      int imm = (i * 3) & 0x7ff;
      uint32_t w = ADDI_A0_ZERO(imm);
      /* bytes f+2 .. f+9: the addi's upper half, ret, 2 bytes of page 3 */
      st(8, f + 2, (uint64_t)(w >> 16) | ((uint64_t)RET << 16) |
         (0xbeefull << 48));
      flush((void *)f, 10);
      sum += call(f, 0);
      want += imm;
    }
    printf("smc cross-into-data %ld %d\n", sum, sum == want);
  }

  /* one block spanning pages 2 and 3: patch only the part in page 3 */
  {
    uintptr_t f = c - 4;
    put32(f, ADDI_A0_ZERO(100));
    put32(c, ADDI_A0_A0(0));
    put32(c + 4, RET);
    flush((void *)f, 12);
    sum = want = 0;
    for (int i = 0; i < 2000; i++) {
      int imm = (i * 11) & 0x3ff;
      st(4, c, ADDI_A0_A0(imm));
      flush((void *)c, 4);
      sum += call(f, 0);
      want += 100 + imm;
    }
    printf("smc spanning %ld %d\n", sum, sum == want);
  }

  /* code and data in one page: stores to the data must not disturb the
  ** code, loads by the code see each store */
  {
    uintptr_t f = (uintptr_t)p;                   /* page 1 */
    put32(f, AUIPC_T0);
    put32(f + 4, LD_A0_T0(1024));
    put32(f + 8, RET);
    flush((void *)f, 12);
    sum = want = 0;
    for (int i = 0; i < 3000; i++) {
      int z = 1 << (i & 3);
      uint64_t v = (uint64_t)i * 0x10001ull;
      st(8, f + 1024, 0);
      st(z, f + 1024, v);
      sum += call(f, 0);
      want += (long)(v & mask(z));
      st(4, f + 1600 + 4 * (uintptr_t)(i & 63), (uint64_t)i);  /* more data */
    }
    printf("smc shared-page %ld %d code-intact %d\n", sum, sum == want,
           ld(4, f) == AUIPC_T0 && ld(4, f + 4) == LD_A0_T0(1024) &&
           ld(4, f + 8) == RET);
  }

  /* a plain fence.i (no syscall) after a patch */
  put32(c, ADDI_A0_ZERO(5));
  put32(c + 4, RET);
  __asm__ volatile("fence.i" ::: "memory");
  sum = call(c, 0);
  st(4, c, ADDI_A0_ZERO(9));
  __asm__ volatile("fence.i" ::: "memory");
  printf("smc fence.i %ld %ld\n", sum, call(c, 0));

  /* W^X: write while RW, run while RX, many flips */
  sum = want = 0;
  for (int i = 0; i < 200; i++) {
    mprotect(p + pg, (size_t)pg, PROT_READ | PROT_WRITE);
    put32((uintptr_t)p + (uintptr_t)pg, ADDI_A0_A0(i));
    put32((uintptr_t)p + (uintptr_t)pg + 4, RET);
    mprotect(p + pg, (size_t)pg, PROT_READ | PROT_EXEC);
    flush(p + pg, 8);
    sum += call((uintptr_t)p + (uintptr_t)pg, 1000);
    want += 1000 + i;
  }
  {
    char b[64];
    st_str(b, sizeof b, 4, (uintptr_t)p + (uintptr_t)pg, 0);
    printf("smc w^x %ld %d rx-store %s\n", sum, sum == want, b);
  }

  /* munmap + MAP_FIXED re-map of hot code: the new code runs */
  sum = want = 0;
  for (int i = 0; i < 100; i++) {
    char *q = mmap(p + 3 * pg, (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (i & 1) {
      munmap(q, (size_t)pg);
      q = mmap(p + 3 * pg, (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    }
    put32((uintptr_t)q + 64, ADDI_A0_ZERO(i + 1));
    put32((uintptr_t)q + 68, RET);
    flush(q + 64, 8);
    sum += call((uintptr_t)q + 64, 0);
    want += i + 1;
  }
  printf("smc remap %ld %d\n", sum, sum == want);
  /* code that arrives without a guest store: MAP_FIXED file pages over
  ** hot code, then fresh zero pages (an illegal instruction) */
  {
    char name[] = "direct-map.XXXXXX";
    int fd = mkstemp(name);
    uintptr_t f = (uintptr_t)p + 3 * (uintptr_t)pg;
    uint32_t w[2];
    volatile int ill = 0;
    sum = want = 0;
    for (int k = 0; k < 4; k++) {
      w[0] = ADDI_A0_ZERO(100 * (k + 1));
      w[1] = RET;
      pwrite(fd, w, 8, (off_t)(k * pg + 64));
    }
    ftruncate(fd, 4 * pg);
    for (int i = 0; i < 100; i++) {
      mmap((void *)f, (size_t)pg, PROT_READ | PROT_EXEC,
           MAP_PRIVATE | MAP_FIXED, fd, (off_t)((i & 3) * pg));
      for (int j = 0; j < 40; j++) sum += call(f + 64, 0);
      want += 40 * 100 * ((i & 3) + 1);
    }
    printf("smc file-remap %ld %d\n", sum, sum == want);
    mmap((void *)f, (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (!sigsetjmp(jb, 1)) call(f + 64, 0);
    else ill = 1;
    printf("smc zero-remap %d %s %s\n", ill, f_sig == SIGILL ? "ILL" : "?",
           f_addr == f + 64 ? "pc" : "other");
    close(fd);
    unlink(name);
  }
  /* execute permission taken away: by the code itself (mprotect from
  ** the page it runs on: the very next fetch faults), by the caller
  ** between two calls of hot code, and a block running off the end of
  ** an executable page into one that is not */
  {
    uintptr_t f = (uintptr_t)map(2 * (size_t)pg,
                                 PROT_READ | PROT_WRITE | PROT_EXEC);
    volatile int n = 0;
    put32(f, 0x0e200893u);                    /* li a7, 226 (mprotect) */
    put32(f + 4, 0x00000073u);                /* ecall */
    put32(f + 8, ADDI_A0_ZERO(5));
    put32(f + 12, RET);
    flush((void *)f, 16);
    if (!sigsetjmp(jb, 1)) {
      long r = ((long (*)(uintptr_t, long, long))f)(f, pg,
                                                   PROT_READ | PROT_WRITE);
      printf("smc self-nx ran %ld\n", r);
    } else {
      printf("smc self-nx %s\n", fault_str(f + 8));
    }
    mprotect((void *)f, (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC);
    put32(f + 64, ADDI_A0_ZERO(6));
    put32(f + 68, RET);
    flush((void *)f, 128);
    for (int i = 0; i < 100; i++) n += (int)call(f + 64, 0);
    mprotect((void *)f, (size_t)pg, PROT_READ);
    if (!sigsetjmp(jb, 1)) printf("smc nx ran %ld\n", call(f + 64, 0));
    else printf("smc nx %d %s\n", n, fault_str(f + 64));
    /* addi at the end of page 3 (X), ret at the start of page 4 (RW) */
    mprotect((void *)f, (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC);
    mmap((void *)(f + (uintptr_t)pg), (size_t)pg, PROT_READ | PROT_WRITE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    put32(f + (uintptr_t)pg - 4, ADDI_A0_ZERO(7));
    put32(f + (uintptr_t)pg, RET);
    flush((void *)(f + (uintptr_t)pg - 4), 8);
    if (!sigsetjmp(jb, 1))
      printf("smc run-into-nx ran %ld\n", call(f + (uintptr_t)pg - 4, 0));
    else
      printf("smc run-into-nx %s\n", fault_str(f + (uintptr_t)pg));
    /* the same after it ran (hot) with both pages executable */
    mprotect((void *)(f + (uintptr_t)pg), (size_t)pg,
             PROT_READ | PROT_WRITE | PROT_EXEC);
    n = 0;
    for (int i = 0; i < 100; i++) n += (int)call(f + (uintptr_t)pg - 4, 0);
    mprotect((void *)(f + (uintptr_t)pg), (size_t)pg, PROT_READ);
    if (!sigsetjmp(jb, 1))
      printf("smc hot-into-nx ran %ld\n", call(f + (uintptr_t)pg - 4, 0));
    else
      printf("smc hot-into-nx %d %s\n", n, fault_str(f + (uintptr_t)pg));
    munmap((void *)f, 2 * (size_t)pg);
  }
  /* the code is gone once unmapped: a fetch there faults */
  munmap(p + 3 * pg, (size_t)pg);
  fetch_line("unmapped-code", (uintptr_t)p + 3 * (uintptr_t)pg + 64);
  munmap(p, 3 * (size_t)pg);
}

/* ---- the signal context of a fault ---- */

static uintptr_t pc_expected;

/* A store, two register writes, then a load from `bad` that faults: the
** handler must see pc on the load, the registers and the store done
** before it; it skips the load, so t2 keeps 5 and the store after runs. */
static __attribute__((noinline)) long precise(uint64_t *ok, uintptr_t bad)
{
  register long t2 __asm__("t2");
  __asm__ volatile(".option push\n\t.option norvc\n\t"
                   "lla t3, 1f\n\t"
                   "sd t3, 0(%[pe])\n\t"
                   "li t0, 0x1111\n\t"
                   "sd t0, 0(%[ok])\n\t"
                   "li t1, 7\n\t"
                   "li t2, 5\n"
                   "1:\tld t2, 0(%[bad])\n\t"
                   "sd t1, 8(%[ok])\n\t"
                   ".option pop"
                   : "=&r"(t2)
                   : [ok] "r"(ok), [bad] "r"(bad), [pe] "r"(&pc_expected)
                   : "t0", "t1", "t3", "memory");
  return t2;
}

static void sigctx(void)
{
  char *p = map(3 * (size_t)pg, PROT_READ | PROT_WRITE);
  uint64_t ok[2] = { 0, 0 };
  int good = 0, calls = 0;
  long r;

  /* precise state, faults in hot code */
  h_mode = H_SKIP;
  for (int i = 0; i < 300; i++) {
    uintptr_t bad = (i & 1) ? (uintptr_t)8 : (uintptr_t)p + 2 * (uintptr_t)pg;
    if (i == 0) munmap(p + 2 * pg, (size_t)pg);
    ok[0] = ok[1] = 0;
    h_pc = h_t1 = h_t2 = 0;
    r = precise(ok, bad);
    good += r == 5 && ok[0] == 0x1111 && ok[1] == 7 && h_pc == pc_expected &&
            h_t1 == 7 && h_t2 == 5 && f_addr == bad;
  }
  printf("sigctx precise-skip %d\n", good);

  /* the handler makes the page accessible and returns: the same access
  ** runs again and succeeds (loads, stores, a crossing store whose second
  ** page was PROT_NONE) */
  h_mode = H_FIX;
  good = 0;
  for (int i = 0; i < 300; i++) {
    uintptr_t a = (uintptr_t)p + 8 * (uintptr_t)(i & 15);
    uint64_t v;
    mprotect(p, (size_t)pg, PROT_NONE);
    h_calls = 0;
    h_fix_prot = PROT_READ | PROT_WRITE;
    if (sigsetjmp(jb, 1)) { h_calls = 99; }
    else st(8, a, (uint64_t)i);
    calls += h_calls;
    mprotect(p, (size_t)pg, PROT_NONE);
    h_calls = 0;
    h_fix_prot = PROT_READ;
    if (sigsetjmp(jb, 1)) { h_calls = 99; v = 0; }
    else v = ld(8, a);
    calls += h_calls;
    good += v == (uint64_t)i;
    /* the next page none, a store crossing into it */
    mmap(p + pg, (size_t)pg, PROT_NONE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    mprotect(p, (size_t)pg, PROT_READ | PROT_WRITE);
    h_calls = 0;
    h_fix_prot = PROT_READ | PROT_WRITE;
    if (sigsetjmp(jb, 1)) { h_calls = 99; }
    else st(8, (uintptr_t)p + (uintptr_t)pg - 3, V + (uint64_t)i);
    calls += h_calls;
    h_mode = H_JUMP;
    good += try_ld(8, (uintptr_t)p + (uintptr_t)pg - 3, &v) &&
            v == V + (uint64_t)i;
    h_mode = H_FIX;
  }
  h_mode = H_JUMP;
  printf("sigctx fix-and-return %d calls %d\n", good, calls);
  munmap(p, 2 * (size_t)pg);
}

/* ---- other access kinds: signed, floating-point, atomic ---- */

static __attribute__((noinline)) int64_t lds(int size, uintptr_t a)
{
  int64_t v;
  switch (size) {
  case 1: __asm__ volatile("lb %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); break;
  case 2: __asm__ volatile("lh %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); break;
  default: __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); break;
  }
  return v;
}

/* fld/flw then fsd/fsw of the same bits to b */
static __attribute__((noinline)) void fcopy(int size, uintptr_t a, uintptr_t b)
{
  if (size == 8)
    __asm__ volatile("fld ft0, 0(%0)\n\tfsd ft0, 0(%1)" :: "r"(a), "r"(b)
                     : "ft0", "memory");
  else
    __asm__ volatile("flw ft0, 0(%0)\n\tfsw ft0, 0(%1)" :: "r"(a), "r"(b)
                     : "ft0", "memory");
}

enum { A_ADDW, A_ADDD, A_SWAPD, A_LRSCD, A_LRD };

static __attribute__((noinline)) uint64_t amo(int op, uintptr_t a, uint64_t v)
{
  uint64_t r;
  switch (op) {
  case A_ADDW: __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(r) : "r"(a), "r"(v) : "memory"); break;
  case A_ADDD: __asm__ volatile("amoadd.d %0, %2, (%1)" : "=r"(r) : "r"(a), "r"(v) : "memory"); break;
  case A_SWAPD: __asm__ volatile("amoswap.d %0, %2, (%1)" : "=r"(r) : "r"(a), "r"(v) : "memory"); break;
  case A_LRD: __asm__ volatile("lr.d %0, (%1)" : "=r"(r) : "r"(a) : "memory"); break;
  default: {
    uint64_t t;
    __asm__ volatile("1:\tlr.d %0, (%2)\n\tsc.d %1, %3, (%2)\n\tbnez %1, 1b"
                     : "=&r"(r), "=&r"(t) : "r"(a), "r"(v) : "memory");
  }
  }
  return r;
}

static int try_amo(int op, uintptr_t a, uint64_t v, uint64_t *r)
{
  if (sigsetjmp(jb, 1)) return 0;
  *r = amo(op, a, v);
  return 1;
}

static int try_fcopy(int size, uintptr_t a, uintptr_t b)
{
  if (sigsetjmp(jb, 1)) return 0;
  fcopy(size, a, b);
  return 1;
}

static void kinds(void)
{
  char *p = map(3 * (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC);
  uintptr_t e1 = (uintptr_t)p + (uintptr_t)pg, ro = e1 + (uintptr_t)pg;
  static const char *an[] = { "amoadd.w", "amoadd.d", "amoswap.d", "lr/sc.d",
                              "lr.d" };
  int bad = 0;
  uint64_t r;

  /* signed loads, in a page and across the boundary */
  for (int i = 0; i < 500; i++)
    for (int z = 1; z <= 4; z *= 2)
      for (int k = 0; k < z; k++) {
        uintptr_t a = e1 - (uintptr_t)k - (z == 1 ? 1 : 0);
        uint64_t v = 0x8080808080808080ull ^ ((uint64_t)i * 0x0102030405060708ull);
        st(8, e1 - 4, v);
        st(8, e1 + 4, v);
        st(z, a, v);
        int64_t want = z == 1 ? (int8_t)v : z == 2 ? (int16_t)v : (int32_t)v;
        if (lds(z, a) != want) bad |= z;
      }
  printf("kinds signed bad %d\n", bad);

  /* floating point: in a page, across the boundary, faulting */
  bad = 0;
  for (int i = 0; i < 300; i++)
    for (int z = 4; z <= 8; z += 4) {
      uintptr_t src = e1 - (uintptr_t)(i % 8), dst = e1 - 2 - (uintptr_t)(i % 5);
      st(8, e1 - 8, 0x3ff0123456789abcull + (uint64_t)i);
      st(8, e1, 0x4000fedcba987654ull + (uint64_t)i);
      uint64_t want = ld(z, src);
      fcopy(z, src, dst);
      if (ld(z, dst) != want) bad |= z;
    }
  printf("kinds fp bad %d\n", bad);
  memset((void *)ro, 0x2d, (size_t)pg);
  mprotect((void *)ro, (size_t)pg, PROT_READ);
  for (int z = 4; z <= 8; z += 4) {
    uint64_t before = ld(8, ro - 8);
    printf("kinds fp z%d", z);
    if (!try_fcopy(z, 16, e1 - 64)) printf(" ld-null %s", fault_str(16));
    if (!try_fcopy(z, e1 - 64, ro + 8)) printf(" st-ro %s", fault_str(ro + 8));
    if (!try_fcopy(z, e1 - 64, ro - 2)) printf(" st-cross-ro %s", fault_str(ro - 2));
    if (try_fcopy(z, ro - 2, e1 - 64)) printf(" ld-cross-ro ok");
    printf(" intact %d\n", ld(8, ro) == 0x2d2d2d2d2d2d2d2dull &&
           ld(8, ro - 8) == before);
  }

  /* atomics: results, and faults on read-only, unmapped, misaligned */
  for (int op = A_ADDW; op <= A_LRD; op++) {
    uint64_t v;
    st(8, e1 - 16, 40);
    v = amo(op, e1 - 16, 2);
    printf("kinds %s ok old %llu now %llu", an[op], (unsigned long long)v,
           (unsigned long long)ld(8, e1 - 16));
    if (!try_amo(op, ro + 16, 1, &r)) printf(" ro %s", fault_str(ro + 16));
    else printf(" ro ok %llu", (unsigned long long)r);
    if (!try_amo(op, 64, 1, &r)) printf(" unmapped %s", fault_str(64));
    if (!try_amo(op, e1 - 12, 1, &r)) printf(" misaligned %s", fault_str(e1 - 12));
    else printf(" misaligned ok");
    printf(" ro-intact %d\n", ld(8, ro + 16) == 0x2d2d2d2d2d2d2d2dull);
  }

  /* atomics patching hot code: amoadd.w on the addi adds 1 to its
  ** immediate; sc.d writes addi+ret */
  {
    uintptr_t f = (uintptr_t)p + 256;
    long sum = 0, want = 0;
    put32(f, ADDI_A0_ZERO(0));
    put32(f + 4, RET);
    flush((void *)f, 8);
    for (int i = 0; i < 1000; i++) {
      sum += call(f, 0);
      want += i;
      amo(A_ADDW, f, 1u << 20);
      flush((void *)f, 8);
    }
    printf("kinds amo-code %ld %d\n", sum, sum == want);
    sum = want = 0;
    for (int i = 0; i < 1000; i++) {
      amo(A_LRSCD, f, (uint64_t)ADDI_A0_ZERO(i & 0x7ff) |
          ((uint64_t)RET << 32));
      flush((void *)f, 8);
      sum += call(f, 0);
      want += i & 0x7ff;
    }
    printf("kinds sc-code %ld %d\n", sum, sum == want);
  }
  munmap(p, 3 * (size_t)pg);
}

/* ---- 4. mprotect churn, re-maps ---- */

static void protchurn(void)
{
  char *p = map(2 * (size_t)pg, PROT_READ | PROT_WRITE);
  uintptr_t a = (uintptr_t)p + 24;
  int counts[8] = { 0 };
  uint64_t v;
  int fd;
  unsigned char hdr[64];

  for (int i = 0; i < 300; i++) {
    mprotect(p, (size_t)pg, PROT_READ | PROT_WRITE);
    counts[0] += try_st(8, a, (uint64_t)i);
    counts[1] += try_ld(8, a, &v) && v == (uint64_t)i;
    mprotect(p, (size_t)pg, PROT_READ);
    counts[2] += try_ld(4, a, &v) && v == (uint64_t)i;
    counts[3] += !try_st(4, a, 0xdead) && f_code == SEGV_ACCERR &&
                 f_addr == a;
    mprotect(p, (size_t)pg, PROT_NONE);
    counts[4] += !try_ld(2, a, &v) && f_code == SEGV_ACCERR && f_addr == a;
    counts[5] += !try_st(1, a, 1) && f_addr == a;
    mprotect(p, (size_t)pg, PROT_READ | PROT_WRITE);
    counts[6] += try_ld(8, a, &v) && v == (uint64_t)i;
    /* the neighbour page never changes */
    counts[7] += try_st(8, a + (uintptr_t)pg, (uint64_t)i) &&
                 ld(8, a + (uintptr_t)pg) == (uint64_t)i;
  }
  printf("prot churn");
  for (int i = 0; i < 8; i++) printf(" %d", counts[i]);
  printf("\n");

  /* PROT_WRITE alone: readable too (RISC-V has no write-only pages) */
  {
    char *w = map((size_t)pg, PROT_WRITE);
    printf("prot write-only st %d ld %d\n", try_st(8, (uintptr_t)w, 3),
           try_ld(8, (uintptr_t)w, &v) && v == 3);
    munmap(w, (size_t)pg);
  }
  /* mremap shrinking a hot range: the tail is gone */
  {
    char *m = map(4 * (size_t)pg, PROT_READ | PROT_WRITE);
    int okc = 0;
    for (int i = 0; i < 500; i++) {
      st(8, (uintptr_t)m + 3 * (uintptr_t)pg + 8 * (uintptr_t)(i & 7), 1);
      okc += (int)ld(8, (uintptr_t)m + 8 * (uintptr_t)(i & 7)) == 0;
    }
    printf("prot mremap-shrink %d %d", okc,
           mremap(m, 4 * (size_t)pg, 2 * (size_t)pg, 0) == (void *)m);
    if (!try_ld(8, (uintptr_t)m + 3 * (uintptr_t)pg, &v))
      printf(" ld %s", fault_str((uintptr_t)m + 3 * (uintptr_t)pg));
    if (!try_st(8, (uintptr_t)m + 2 * (uintptr_t)pg, 1))
      printf(" st %s", fault_str((uintptr_t)m + 2 * (uintptr_t)pg));
    printf(" kept %d\n", try_st(8, (uintptr_t)m + (uintptr_t)pg, 1));
    munmap(m, 2 * (size_t)pg);
  }
  /* brk shrinking over a hot page: the page is gone (Linux unmaps it;
  ** qemu-riscv64 7.2 keeps it) */
  {
    char *b;
    int okc = 0;
    sbrk((pg - (long)((uintptr_t)sbrk(0) & (uintptr_t)(pg - 1))) & (pg - 1));
    b = sbrk(0);
    sbrk(2 * pg);
    for (int i = 0; i < 500; i++) {
      st(8, (uintptr_t)b + (uintptr_t)pg + 8 * (uintptr_t)(i & 7), 5);
      okc += ld(8, (uintptr_t)b + (uintptr_t)pg) == 5;
    }
    sbrk(-pg);
    printf("linux brk-shrink %s\n", okc == 500 &&
           !try_ld(8, (uintptr_t)b + (uintptr_t)pg, &v) &&
           linux_maperr((uintptr_t)b + (uintptr_t)pg) &&
           try_ld(8, (uintptr_t)b, &v) ? "ok" : "BAD");
    sbrk(-pg);
  }
  /* file-backed <-> anonymous at the same address */
  fd = open("/proc/self/exe", O_RDONLY);
  if (fd < 0 || read(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr) {
    printf("prot no /proc/self/exe\n");
    return;
  }
  for (int i = 0; i < 20; i++) {
    void *q;
    int file, okv;
    if (i & 1) munmap(p, (size_t)pg);
    file = (i % 3) != 2;
    q = file ? mmap(p, (size_t)pg, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_FIXED, fd, 0)
             : mmap(p, (size_t)pg, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (q != p) {
      printf("prot remap %d failed\n", i);
      break;
    }
    /* read right after: the file's bytes or zeroes, never the old page */
    okv = file ? ld(8, (uintptr_t)p + 8) == *(uint64_t *)(hdr + 8) &&
                 ld(1, (uintptr_t)p) == 0x7f
               : ld(8, (uintptr_t)p + 8) == 0 && ld(1, (uintptr_t)p) == 0;
    /* a private write, read back, must not reach the file */
    st(8, (uintptr_t)p + 8, 0x5151515151515151ull);
    okv &= ld(8, (uintptr_t)p + 8) == 0x5151515151515151ull;
    printf("prot remap %d %s %d\n", i, file ? "file" : "anon", okv);
  }
  {
    unsigned char again[64];
    pread(fd, again, sizeof again, 0);
    printf("prot file-untouched %d\n", memcmp(again, hdr, sizeof hdr) == 0);
  }
  /* a read-only file mapping: stores fault, and the page keeps the file */
  {
    char b[64];
    void *q = mmap(p, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    st_str(b, sizeof b, 4, (uintptr_t)q + 16, 0);
    printf("prot file-ro %s %d\n", b, ld(4, (uintptr_t)q) ==
           *(uint32_t *)hdr);
  }
  close(fd);
  munmap(p, 2 * (size_t)pg);
}

/* ---- two views of one file; MADV_DONTNEED by mapping kind ---- */

static void aliases(void)
{
  char name[] = "direct-alias.XXXXXX";
  int fd = mkstemp(name);
  char *x, *y, *pv, *an, *sa;
  long sum = 0, want = 0;
  int data = 0;
  char f[2];

  unlink(name);
  ftruncate(fd, pg);
  x = mmap(NULL, (size_t)pg, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  y = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  /* data: a store through one view is the next load through the other */
  for (int i = 0; i < 1000; i++) {
    st(4, (uintptr_t)y + 512, (uint64_t)i);
    data += ld(4, (uintptr_t)x + 512) == (uint64_t)i;
  }
  printf("alias data %d\n", data);
  /* code run through x, written through y, then the icache flush a
  ** program makes (__builtin___clear_cache: riscv_flush_icache without a
  ** vDSO): the new code runs.  qemu-riscv64 7.2 keeps running the old
  ** code (it only sees stores to the page it translated). */
  put32((uintptr_t)y, ADDI_A0_ZERO(1));
  put32((uintptr_t)y + 4, RET);
  flush_sys(x, 8);
  for (int i = 0; i < 1000; i++) {
    st(4, (uintptr_t)y, ADDI_A0_ZERO(i));
    flush_sys(x, 8);
    sum += call((uintptr_t)x, 0);
    want += i;
  }
  printf("linux alias code %s\n", sum == want ? "ok" : "BAD");
  munmap(x, (size_t)pg);
  munmap(y, (size_t)pg);

  /* MADV_DONTNEED: private anonymous pages read back as zeros, private
  ** file pages as the file, shared pages (and the file) keep their data */
  memset(f, 'f', 2);
  pwrite(fd, f, 2, 0);
  pv = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  y = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  an = map((size_t)pg, PROT_READ | PROT_WRITE);
  sa = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < 100; i++) {           /* hot loads and stores */
    st(1, (uintptr_t)pv, 'p');
    st(1, (uintptr_t)y + 1, 's');
    st(1, (uintptr_t)an, 'a');
    st(1, (uintptr_t)sa, 'x');
  }
  printf("alias madvise %d %d %d %d",
         madvise(pv, (size_t)pg, MADV_DONTNEED),
         madvise(y, (size_t)pg, MADV_DONTNEED),
         madvise(an, (size_t)pg, MADV_DONTNEED),
         madvise(sa, (size_t)pg, MADV_DONTNEED));
  pread(fd, f, 2, 0);
  printf(" private-file %d %d shared-file %d %d anon %d shared-anon %d"
         " file %d %d\n", (int)ld(1, (uintptr_t)pv), (int)ld(1, (uintptr_t)pv + 1),
         (int)ld(1, (uintptr_t)y), (int)ld(1, (uintptr_t)y + 1),
         (int)ld(1, (uintptr_t)an), (int)ld(1, (uintptr_t)sa), f[0], f[1]);
  munmap(pv, (size_t)pg);
  munmap(y, (size_t)pg);
  munmap(an, (size_t)pg);
  munmap(sa, (size_t)pg);
  close(fd);
}

/* ---- 5. fork ---- */

static long gvar = 11;

static void forking(void)
{
  char *priv = map((size_t)pg, PROT_READ | PROT_WRITE);
  char *shared = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  long *heap = malloc(64);
  volatile long stackv = 33;
  int status;
  pid_t pid;

  *heap = 22;
  st(8, (uintptr_t)priv, 44);
  st(8, (uintptr_t)shared, 55);
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    gvar = 111;
    *heap = 222;
    stackv = 333;
    st(8, (uintptr_t)priv, 444);
    st(8, (uintptr_t)shared, 555);
    printf("fork child sees %ld %ld %ld %llu %llu\n", gvar, *heap,
           (long)stackv, (unsigned long long)ld(8, (uintptr_t)priv),
           (unsigned long long)ld(8, (uintptr_t)shared));
    fflush(stdout);
    _exit(3);
  }
  waitpid(pid, &status, 0);
  printf("fork child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status)
                                                   : -1);
  printf("fork parent sees %ld %ld %ld %llu %llu\n", gvar, *heap,
         (long)stackv, (unsigned long long)ld(8, (uintptr_t)priv),
         (unsigned long long)ld(8, (uintptr_t)shared));
  /* the child's faults: handled by the inherited handler, then fatal */
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    uint64_t v;
    munmap(priv, (size_t)pg);
    printf("fork child handled %d %s\n", try_ld(8, (uintptr_t)priv, &v),
           fault_str((uintptr_t)priv));
    fflush(stdout);
    signal(SIGSEGV, SIG_DFL);
    st(4, (uintptr_t)priv + 4, 1);
    _exit(0);
  }
  waitpid(pid, &status, 0);
  printf("fork child signalled %d sig %d\n", WIFSIGNALED(status),
         WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  /* the parent's page is still there */
  printf("fork parent page %llu\n", (unsigned long long)ld(8, (uintptr_t)priv));
  free(heap);
  munmap(priv, (size_t)pg);
  munmap(shared, (size_t)pg);
}

/* ---- 6. threads ---- */

#define NTHR 3
#define ITERS 20000

static char *t_shared, *t_const, *t_none, *t_revoke, *t_gone;
static char *t_priv[NTHR];
static pthread_barrier_t t_bar;

typedef struct { int id; uint64_t sum; int faults, late; } targ;

static void *worker(void *vp)
{
  targ *t = vp;
  uintptr_t priv = (uintptr_t)t_priv[t->id], sh = (uintptr_t)t_shared;
  uint64_t s = 0, v;
  for (int i = 0; i < ITERS; i++) {
    uintptr_t off = (uintptr_t)(i % 500) * 8;
    st(8, priv + off, (uint64_t)i * (uint64_t)(t->id + 1));
    s += ld(8, priv + off);
    s += ld(4, (uintptr_t)t_const + off);          /* constant page */
    __atomic_fetch_add((uint64_t *)(sh + 8 * (uintptr_t)(i & 15)), 1,
                       __ATOMIC_RELAXED);
    if (i % 4000 == 0) {
      t->faults += !try_ld(8, (uintptr_t)t_none + off, &v) &&
                   f_addr == (uintptr_t)t_none + off;
      /* misaligned, crossing from the private page into its guard */
      t->faults += !try_st(8, priv + (uintptr_t)pg - 4, v) &&
                   f_addr != 0 &&
                   ld(4, priv + (uintptr_t)pg - 4) == 0;
    }
  }
  /* pages this thread used (translations cached in its vCPU) that the
  ** main thread takes away in between: the next access faults */
  for (int i = 0; i < 2000; i++) {
    s += ld(8, (uintptr_t)t_revoke + 8 * (uintptr_t)(i & 31));
    st(8, (uintptr_t)t_gone + 8 * (uintptr_t)t->id, (uint64_t)i);
  }
  pthread_barrier_wait(&t_bar);          /* main: mprotect, munmap */
  pthread_barrier_wait(&t_bar);
  t->late += !try_ld(8, (uintptr_t)t_revoke, &v) &&
             f_addr == (uintptr_t)t_revoke && f_code == SEGV_ACCERR;
  t->late += !try_st(8, (uintptr_t)t_gone + 8 * (uintptr_t)t->id, 1) &&
             f_code == SEGV_MAPERR;
  t->sum = s;
  return NULL;
}

static void threads(void)
{
  pthread_t th[NTHR];
  targ ta[NTHR];
  char *own = map((size_t)pg, PROT_READ | PROT_WRITE);
  uint64_t total = 0;
  int churn_ok = 0, faults = 0, late = 0;

  t_shared = map((size_t)pg, PROT_READ | PROT_WRITE);
  t_const = map((size_t)pg, PROT_READ | PROT_WRITE);
  t_none = map((size_t)pg, PROT_NONE);
  t_revoke = map((size_t)pg, PROT_READ | PROT_WRITE);
  t_gone = map((size_t)pg, PROT_READ | PROT_WRITE);
  memset(t_revoke, 1, (size_t)pg);
  pthread_barrier_init(&t_bar, NULL, NTHR + 1);
  for (int i = 0; i < (int)pg; i += 4) *(uint32_t *)(t_const + i) = (uint32_t)i;
  for (int i = 0; i < NTHR; i++) {
    t_priv[i] = map(2 * (size_t)pg, PROT_READ | PROT_WRITE);
    mprotect(t_priv[i] + pg, (size_t)pg, PROT_NONE);       /* guard */
  }
  for (int i = 0; i < NTHR; i++) {
    ta[i].id = i;
    ta[i].sum = 0;
    ta[i].faults = ta[i].late = 0;
    pthread_create(&th[i], NULL, worker, &ta[i]);
  }
  /* meanwhile: flip the constant page R <-> RW (its content unchanged)
  ** and a page of our own through RW, R, NONE */
  for (int i = 0; i < 200; i++) {
    uint64_t v;
    mprotect(t_const, (size_t)pg, PROT_READ);
    mprotect(own, (size_t)pg, PROT_READ | PROT_WRITE);
    churn_ok += try_st(8, (uintptr_t)own, (uint64_t)i);
    mprotect(own, (size_t)pg, PROT_READ);
    churn_ok += !try_st(8, (uintptr_t)own, 0) && try_ld(8, (uintptr_t)own, &v)
                && v == (uint64_t)i;
    mprotect(t_const, (size_t)pg, PROT_READ | PROT_WRITE);
    mprotect(own, (size_t)pg, PROT_NONE);
    churn_ok += !try_ld(1, (uintptr_t)own, &v);
  }
  pthread_barrier_wait(&t_bar);
  mprotect(t_revoke, (size_t)pg, PROT_NONE);
  munmap(t_gone, (size_t)pg);
  pthread_barrier_wait(&t_bar);
  for (int i = 0; i < NTHR; i++) {
    pthread_join(th[i], NULL);
    total += ta[i].sum;
    faults += ta[i].faults;
    late += ta[i].late;
  }
  {
    uint64_t sh = 0;
    for (int i = 0; i < 16; i++) sh += ld(8, (uintptr_t)t_shared + 8 * (uintptr_t)i);
    printf("thr sum %llu shared %llu faults %d churn %d revoked %d\n",
           (unsigned long long)total, (unsigned long long)sh, faults,
           churn_ok, late);
  }
}

/* ---- 7. a syscall writes code ---- */

static void syscode(void)
{
  char *p = map(2 * (size_t)pg, PROT_READ | PROT_WRITE | PROT_EXEC);
  uintptr_t c = (uintptr_t)p + (uintptr_t)pg;     /* second page */
  int fds[2];
  long sum = 0, want = 0;
  uint32_t code[2];
  pipe(fds);
  put32(c, ADDI_A0_ZERO(1));
  put32(c + 4, RET);
  flush((void *)c, 8);
  for (int i = 0; i < 300; i++) {
    uintptr_t dst = (i & 1) ? c : c - 4;     /* odd: crossing from page 1 */
    uint32_t buf[3];
    code[0] = ADDI_A0_ZERO(i);
    code[1] = RET;
    sum += call(c, 0);                       /* hot before each rewrite */
    if (i & 1) {
      write(fds[1], code, 8);
      read(fds[0], (void *)dst, 8);
    } else {
      buf[0] = 0x0badf00d;
      memcpy(buf + 1, code, 8);
      write(fds[1], buf, 12);
      read(fds[0], (void *)dst, 12);
    }
    flush((void *)c, 8);
    sum += call(c, 0);
    want += (i ? (i - 1) : 1) + i;
  }
  printf("sys read-into-code %ld %d\n", sum, sum == want);
  /* pread from a file into the code page */
  {
    char name[] = "direct-code.XXXXXX";
    int fd = mkstemp(name);
    code[0] = ADDI_A0_ZERO(77);
    code[1] = RET;
    write(fd, code, 8);
    pread(fd, (void *)c, 8, 0);
    flush_sys((void *)c, 8);
    printf("sys pread-into-code %ld\n", call(c, 0));
    close(fd);
    unlink(name);
  }
  close(fds[0]);
  close(fds[1]);
  munmap(p, 2 * (size_t)pg);
}

int main(int argc, char **argv)
{
  const char *only = argc > 1 ? argv[1] : "";
  char *w;
  pg = sysconf(_SC_PAGESIZE);
  setvbuf(stdout, NULL, _IOLBF, 0);
  handlers();
  w = map((size_t)pg, PROT_READ | PROT_WRITE);
  warm((uintptr_t)w);
#define RUN(name, f) if (!*only || strcmp(only, name) == 0) f()
  RUN("fault", faults);
  RUN("cross", crossing);
  RUN("smc", smc);
  RUN("sigctx", sigctx);
  RUN("kinds", kinds);
  RUN("prot", protchurn);
  RUN("alias", aliases);
  RUN("fork", forking);
  RUN("thr", threads);
  RUN("sys", syscode);
  printf("done\n");
  return 0;
}
