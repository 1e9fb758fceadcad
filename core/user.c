/*
** core/user.c - Linux user-mode emulation (`vmrun --user PROGRAM ARGS...`):
** the OS personality layer.  It loads a Linux ELF program (and its
** PT_INTERP from the sysroot), builds the initial stack, keeps the guest
** address space (VMAs + page tables in the ISA's radix format), and
** translates the asm-generic Linux syscall ABI to the host's.
**
** ISA-neutral: the ISA's part (registers, page-table entry format, trap
** recording) comes from the frontend's vmrun_user_abi (vmrun/frontend.h).
**
** Address space: guest VA == guest PA.  The core maps one RAM region
** [0, va_limit) (anonymous, MAP_NORESERVE: untouched pages cost nothing),
** so a validated guest buffer is contiguous host memory and syscalls use
** it in place.  Page tables live in a second RAM region above va_limit.
** Permissions are enforced by the MMU through those tables; this file
** keeps the VMA list to validate syscall pointers (-EFAULT, never a host
** crash) and to place mmap()s.
**
** Processes: fork is a host fork() of the whole emulator; execve re-executes
** vmrun --user.  Threads: one host thread and vCPU per guest thread under a
** big lock (docs/ARCHITECTURE.md, "Linux user mode").
*/
#define _GNU_SOURCE 1
#include "vmrun-config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "lua.h"
#include "user.h"

#define PAGE VMRUN_PAGE_SIZE
#define PG_DOWN(a) ((a) & ~(uint64_t)(PAGE - 1))
#define PG_UP(a) (((a) + PAGE - 1) & ~(uint64_t)(PAGE - 1))

#define PT_REGION_SIZE (1ull << 32)    /* room for page-table pages */
#define STACK_SIZE (8ull << 20)        /* RLIMIT_STACK default */
#define ET_DYN_BASE_DIV 3              /* PIE at 2/3 of the VA space */

/* ---- ELF64 (System V gABI, elf.h) ---- */
typedef struct {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} elf64_ehdr;
typedef struct {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
} elf64_phdr;
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551
#define PF_X 1
#define PF_W 2
#define PF_R 4

/* auxv tags (include/uapi/linux/auxvec.h) */
enum {
  AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6,
  AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12,
  AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17,
  AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31
};

typedef struct vma {
  uint64_t start, end;
  unsigned prot;                 /* VMRUN_USER_PROT_*, | VMA_HOST_RO */
} vma;
/* The host pages are read-only (a shared mapping of a file opened
** read-only): the guest may never get write permission there, or a store
** through the TLB would fault in the host. */
#define VMA_HOST_RO 0x100u

typedef struct ksigaction {      /* the guest's, asm-generic layout */
  uint64_t handler, flags, mask;
} ksigaction;

/* One guest thread: its vCPU and Linux per-thread state. */
typedef struct uthread {
  vmrun_cpu *cpu;
  pid_t tid;                     /* the host thread's tid */
  uint64_t clear_child_tid;      /* set_tid_address / CLONE_CHILD_CLEARTID */
  int exited;
  struct uthread *next_free;     /* finished: its vCPU is reused */
  /* per thread, as on Linux: a new thread inherits its creator's mask and
  ** starts without an alternate stack */
  uint64_t sigmask;
  uint64_t pending;              /* thread-directed (tgkill) pending
                                    signals, bit n-1 (atomic) */
  uint64_t ss_sp, ss_size;       /* sigaltstack; ss_size 0 = disabled */
  int in_sigsuspend;
  uint64_t suspend_saved_mask;   /* restored by the handler's sigreturn */
} uthread;

static __thread uthread *tl_thr; /* the guest thread this host thread runs */
#define UCPU (tl_thr->cpu)

typedef struct user_proc {
  vmrun_machine *m;
  const vmrun_user_abi *abi;
  const vmrun_user_opts *opts;
  uint8_t *ram;                  /* host address of guest VA 0 */
  uint64_t va_limit;
  uint8_t *pt;                   /* host address of the page-table region */
  uint64_t pt_base, pt_next;     /* its guest PA, next free page */
  uint64_t pt_root;
  vma *vmas; size_t n_vmas, cap_vmas;
  uint64_t brk_start, brk_cur;
  uint64_t mmap_top;             /* top-down mmap placement starts here */
  uint64_t stack_top;
  int exec_stack;
  int exited, exit_status;
  int fatal_sig;                 /* the guest died of this signal, or 0 */
  /* threads: a fair ticket lock held while guest code or a syscall runs
  ** (engines are single-threaded), released around blocking calls */
  uint32_t tk_next, tk_serving;
  int threaded;                  /* a second thread was ever created */
  uint32_t live_threads;
  uthread main_thr;
  uthread *free_thr;             /* finished threads, vCPUs to reuse */
  /* vCPUs a host signal handler kicks (a fixed array: the handler may
  ** run while m->cpus is being reallocated) */
  vmrun_cpu *kick[256];
  uint32_t n_kick;
  ksigaction sig[65];
  uint64_t pending;              /* bit n-1: signal n pending (atomic) */
  int pend_code[65];             /* si_code of a self-sent pending signal */
  uint64_t tramp;                /* VA of the sigreturn code */
  char *exe_path;                /* absolute host path of the program */
  const char *sysroot;           /* --sysroot, the default one, or NULL */
  char *default_sysroot;
  uint8_t unknown_seen[1024 / 8];
} user_proc;

/* ---- messages ---- */

static int bad(const char *fmt, ...) VMRUN_PRINTF(1, 2);
static int bad(const char *fmt, ...)
{
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  vmrun__diag("vmrun: %s", line);
  return VMRUN_USER_EXIT_NOEXEC;
}

/* ---- VMAs ---- */

static const vma *vma_find(user_proc *u, uint64_t a)
{
  size_t lo = 0, hi = u->n_vmas;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (a < u->vmas[mid].start) hi = mid;
    else if (a >= u->vmas[mid].end) lo = mid + 1;
    else return &u->vmas[mid];
  }
  return NULL;
}

/* Is [a, a+len) entirely mapped with at least `prot`? */
static int vma_check(user_proc *u, uint64_t a, uint64_t len, unsigned prot)
{
  uint64_t end = a + len;
  if (end < a || end > u->va_limit) return 0;
  while (a < end) {
    const vma *v = vma_find(u, a);
    if (!v || (v->prot & prot) != prot) return 0;
    a = v->end;
  }
  return 1;
}

/* Remove [s, e) from the list (splitting VMAs as needed). */
static int vma_remove(user_proc *u, uint64_t s, uint64_t e)
{
  size_t i = 0;
  while (i < u->n_vmas) {
    vma *v = &u->vmas[i];
    if (v->end <= s || v->start >= e) { i++; continue; }
    if (v->start < s && v->end > e) {          /* split in two */
      if (u->n_vmas == u->cap_vmas) {
        size_t nc = u->cap_vmas ? u->cap_vmas * 2 : 64;
        vma *nv = realloc(u->vmas, nc * sizeof *nv);
        if (!nv) return -ENOMEM;
        u->vmas = nv; u->cap_vmas = nc; v = &u->vmas[i];
      }
      memmove(v + 1, v, (u->n_vmas - i) * sizeof *v);
      u->n_vmas++;
      v[0].end = s;
      v[1].start = e;
      return 0;
    }
    if (v->start < s) { v->end = s; i++; continue; }
    if (v->end > e) { v->start = e; i++; continue; }
    memmove(v, v + 1, (u->n_vmas - i - 1) * sizeof *v);
    u->n_vmas--;
  }
  return 0;
}

static int vma_add(user_proc *u, uint64_t s, uint64_t e, unsigned prot)
{
  size_t pos;
  int rc = vma_remove(u, s, e);
  if (rc) return rc;
  if (u->n_vmas == u->cap_vmas) {
    size_t nc = u->cap_vmas ? u->cap_vmas * 2 : 64;
    vma *nv = realloc(u->vmas, nc * sizeof *nv);
    if (!nv) return -ENOMEM;
    u->vmas = nv; u->cap_vmas = nc;
  }
  for (pos = 0; pos < u->n_vmas && u->vmas[pos].start < s; pos++) {}
  memmove(&u->vmas[pos + 1], &u->vmas[pos], (u->n_vmas - pos) * sizeof(vma));
  u->vmas[pos] = (vma){ s, e, prot };
  u->n_vmas++;
  return 0;
}

/* Does any VMA intersect [s, e)?  Pages outside every VMA have invalid
** PTEs, and the MMU never caches a failed walk, so a TLB holds nothing
** for them: mapping such a range needs no TLB flush. */
static int vma_overlaps(user_proc *u, uint64_t s, uint64_t e)
{
  for (size_t i = 0; i < u->n_vmas; i++)
    if (u->vmas[i].start < e && u->vmas[i].end > s) return 1;
  return 0;
}

/* Highest free gap of `len` bytes below `top`, or 0. */
static uint64_t vma_find_free(user_proc *u, uint64_t len, uint64_t top)
{
  uint64_t hi = top;
  for (size_t i = u->n_vmas; i-- > 0;) {
    const vma *v = &u->vmas[i];
    if (v->start >= hi) continue;
    if (v->end <= hi && hi - v->end >= len) return hi - len;
    if (v->start < hi) hi = v->start;
  }
  return hi >= len + 0x10000 ? hi - len : 0;
}

static int range_free(user_proc *u, uint64_t s, uint64_t e)
{
  for (size_t i = 0; i < u->n_vmas; i++)
    if (u->vmas[i].start < e && u->vmas[i].end > s) return 0;
  return 1;
}

/* ---- page tables ---- */

static uint64_t *pt_host(user_proc *u, uint64_t pa)
{
  return (uint64_t *)(void *)(u->pt + (pa - u->pt_base));
}

static uint64_t pt_alloc(user_proc *u)
{
  uint64_t pa = u->pt_next;
  if (pa + PAGE > u->pt_base + PT_REGION_SIZE / 2) return 0;
  u->pt_next += PAGE;
  return pa;  /* region memory is zero: all entries invalid */
}

/* The leaf entry of `va`, creating tables when `create`.  The entry
** format is the ISA's (pte_table), so the child tables' PAs are kept in a
** shadow table at +PT_REGION_SIZE/2 from each table. */
static uint64_t *pt_leaf(user_proc *u, uint64_t va, int create)
{
  uint64_t table = u->pt_root;
  for (unsigned lvl = u->abi->pt_levels - 1; lvl > 0; lvl--) {
    unsigned idx = (unsigned)(va >> (12 + 9 * lvl)) & 511;
    uint64_t *e = pt_host(u, table) + idx;
    uint64_t *shadow = pt_host(u, table + PT_REGION_SIZE / 2) + idx;
    if (*shadow == 0) {
      uint64_t t;
      if (!create || !(t = pt_alloc(u))) return NULL;
      *shadow = t;
      *e = u->abi->pte_table(t);
    }
    table = *shadow;
  }
  return pt_host(u, table) + ((va >> 12) & 511);
}

/* Set the leaf entries of [s, e) (prot 0: invalid).  0 or -ENOMEM. */
static int pt_map(user_proc *u, uint64_t s, uint64_t e, unsigned prot)
{
  for (uint64_t a = s; a < e; a += PAGE) {
    uint64_t *l = pt_leaf(u, a, prot != 0);
    if (!l) {
      if (prot) return -ENOMEM;
      a = (a | ((1ull << 21) - 1));      /* no table: skip to its end */
      continue;
    }
    *l = prot ? u->abi->pte_leaf(a, prot) : 0;
  }
  return 0;
}

/* Every thread's vCPU: the mapping is shared. */
static void tlb_flush_all(user_proc *u)
{
  for (uint32_t i = 0; i < u->m->n_cpus; i++)
    u->m->host.tlb_flush(u->m->cpus[i], VMRUN_TLB_INVALID);
}

/* ---- the big lock (a FIFO ticket lock, so threads take turns) ---- */

static void big_lock(user_proc *u)
{
  uint32_t t = __atomic_fetch_add(&u->tk_next, 1, __ATOMIC_SEQ_CST), cur;
  while ((cur = __atomic_load_n(&u->tk_serving, __ATOMIC_SEQ_CST)) != t)
    syscall(SYS_futex, &u->tk_serving, 128 /* FUTEX_WAIT_PRIVATE */, cur,
            NULL, NULL, 0);
}

static void big_unlock(user_proc *u)
{
  uint32_t now = __atomic_add_fetch(&u->tk_serving, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&u->tk_next, __ATOMIC_SEQ_CST) != now)
    syscall(SYS_futex, &u->tk_serving, 129 /* FUTEX_WAKE_PRIVATE */,
            INT32_MAX, NULL, NULL, 0);
}

/* Run a host call that may block with the lock released. */
#define BLOCKING(u, expr) \
  ({ long b_r_; big_unlock(u); b_r_ = (long)(expr); \
     int b_e_ = errno; big_lock(u); errno = b_e_; b_r_; })

/* Guest memory [s, e) was replaced behind the MMU's back: drop
** translations of code there. */
static void code_changed(user_proc *u, uint64_t s, uint64_t e)
{
  if (e > s) u->m->host.code_written(u->m, s, e - s);
}

/*
** Host page protections follow the guest's (vmrun_direct_mem in
** vmrun/engine.h): readable when the guest may read or execute, writable
** when it may write, inaccessible outside every VMA.  The engines' direct
** path relies on it (a host fault is a guest fault); everything else here
** touches guest memory only after checking the VMAs.
*/
static int host_prot(unsigned prot)
{
  int hp = PROT_NONE;
  if (prot & (VMRUN_USER_PROT_READ | VMRUN_USER_PROT_EXEC)) hp |= PROT_READ;
  if ((prot & VMRUN_USER_PROT_WRITE) && !(prot & VMA_HOST_RO))
    hp |= PROT_READ | PROT_WRITE;
  return hp;
}

/* Fresh zero-filled host memory for [s, e), with host protection hp. */
static int host_fresh(user_proc *u, uint64_t s, uint64_t e, int hp)
{
  void *p = mmap(u->ram + s, e - s, hp,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                 -1, 0);
  return p == MAP_FAILED ? -errno : 0;
}

/* Map [s, e) (page aligned) with prot: VMA, page tables, host protection,
** fresh memory unless keep_mem. */
static int map_range(user_proc *u, uint64_t s, uint64_t e, unsigned prot,
                     int keep_mem)
{
  int rc, was_mapped = vma_overlaps(u, s, e);
  if (!keep_mem && (rc = host_fresh(u, s, e, host_prot(prot))) < 0)
    return rc;
  code_changed(u, s, e);
  if ((rc = vma_add(u, s, e, prot)) < 0) return rc;
  rc = pt_map(u, s, e, prot);
  if (keep_mem && mprotect(u->ram + s, e - s, host_prot(prot)) < 0 &&
      rc == 0)
    rc = -errno;
  /* a fresh range (brk growth, a new mmap) has nothing cached: keep the
  ** TLBs and the engines' jump caches warm */
  if (was_mapped) tlb_flush_all(u);
  return rc < 0 ? rc : 0;
}

static int unmap_range(user_proc *u, uint64_t s, uint64_t e)
{
  int rc, was_mapped = vma_overlaps(u, s, e);
  if ((rc = vma_remove(u, s, e)) < 0) return rc;
  pt_map(u, s, e, 0);
  if (was_mapped) tlb_flush_all(u);
  code_changed(u, s, e);
  return host_fresh(u, s, e, PROT_NONE);
}

/* ---- guest pointers ---- */

static void *gptr(user_proc *u, uint64_t a, uint64_t len, unsigned prot)
{
  if (len == 0) return u->ram + (a < u->va_limit ? a : 0);
  if (!vma_check(u, a, len, prot)) return NULL;
  return u->ram + a;
}
#define GR(a, len) gptr(u, (a), (len), VMRUN_USER_PROT_READ)
#define GW(a, len) gptr(u, (a), (len), VMRUN_USER_PROT_WRITE)

/* Host memory was written by a syscall at guest [a, a+len). */
static void wrote(user_proc *u, uint64_t a, uint64_t len)
{
  if (len) u->m->host.code_written(u->m, a, len);
}

/* A NUL-terminated guest string (readable), or NULL. */
static const char *gstr(user_proc *u, uint64_t a)
{
  uint64_t p = a;
  for (;;) {
    const vma *v = vma_find(u, p);
    const char *z;
    if (!v || !(v->prot & VMRUN_USER_PROT_READ)) return NULL;
    z = memchr(u->ram + p, 0, v->end - p);
    if (z) return (const char *)(u->ram + a);
    p = v->end;
    if (p - a > 1u << 20) return NULL;
  }
}

/* ---- paths ---- */

/* An absolute path is looked up in the sysroot first (like qemu-user -L). */
static const char *xpath(user_proc *u, const char *p, char *buf, size_t n)
{
  struct stat st;
  if (!u->sysroot || p[0] != '/') return p;
  if ((size_t)snprintf(buf, n, "%s%s", u->sysroot, p) >= n) return p;
  return lstat(buf, &st) == 0 ? buf : p;
}

/* ---- ELF loading ---- */

static const char *isa_of_machine(unsigned em)
{
  switch (em) {
  case 243: return "riscv64";
  default: return NULL;
  }
}

typedef struct loaded {
  uint64_t bias, entry, phdr, phnum, lo, hi;
  int exec_stack;
  char *interp;
} loaded;

/* Read and check the ELF header of `path` (opened as fd). */
static int elf_header(const char *path, int fd, elf64_ehdr *eh,
                      uint8_t want_class, uint16_t want_machine)
{
  ssize_t n = pread(fd, eh, sizeof *eh, 0);
  if (n < 4 || memcmp(eh->ident, "\177ELF", 4) != 0)
    return bad("%s: not an ELF file", path);
  if (eh->ident[4] != want_class)
    return bad("%s: ELF class %u (%s-bit), expected %s-bit", path,
               eh->ident[4], eh->ident[4] == 1 ? "32" : "unknown",
               want_class == 2 ? "64" : "32");
  if ((size_t)n < sizeof *eh || eh->ident[5] != 1)
    return bad("%s: not a little-endian ELF file", path);
  if (want_machine && eh->machine != want_machine)
    return bad("%s: ELF machine %u, expected %u", path, eh->machine,
               want_machine);
  if (eh->type != 2 && eh->type != 3)
    return bad("%s: ELF type %u is not an executable", path, eh->type);
  if (eh->phentsize != sizeof(elf64_phdr) || eh->phnum == 0 ||
      eh->phnum > 128)
    return bad("%s: bad ELF program headers", path);
  return 0;
}

static int load_elf(user_proc *u, const char *path, int is_interp,
                    loaded *out)
{
  elf64_ehdr eh;
  elf64_phdr ph[128];
  uint64_t lo = UINT64_MAX, hi = 0, bias = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
  memset(out, 0, sizeof *out);
  if (fd < 0) return bad("%s: %s", path, strerror(errno));
  if ((rc = elf_header(path, fd, &eh, u->m->fe->elf_class,
                       u->m->fe->elf_machine))) goto fail;
  if (pread(fd, ph, eh.phnum * sizeof *ph, (off_t)eh.phoff) !=
      (ssize_t)(eh.phnum * sizeof *ph)) {
    rc = bad("%s: truncated ELF program headers", path);
    goto fail;
  }
  for (unsigned i = 0; i < eh.phnum; i++) {
    if (ph[i].type == PT_LOAD) {
      if (ph[i].filesz > ph[i].memsz || ph[i].vaddr + ph[i].memsz < ph[i].vaddr) {
        rc = bad("%s: bad PT_LOAD segment %u", path, i);
        goto fail;
      }
      if (PG_DOWN(ph[i].vaddr) < lo) lo = PG_DOWN(ph[i].vaddr);
      if (PG_UP(ph[i].vaddr + ph[i].memsz) > hi)
        hi = PG_UP(ph[i].vaddr + ph[i].memsz);
    } else if (ph[i].type == PT_GNU_STACK) {
      out->exec_stack = (ph[i].flags & PF_X) != 0;
    } else if (ph[i].type == PT_INTERP && !is_interp) {
      char *s;
      if (ph[i].filesz == 0 || ph[i].filesz > PATH_MAX ||
          !(s = calloc(1, ph[i].filesz + 1)) ||
          pread(fd, s, ph[i].filesz, (off_t)ph[i].offset) !=
              (ssize_t)ph[i].filesz) {
        rc = bad("%s: bad PT_INTERP", path);
        goto fail;
      }
      free(out->interp);
      out->interp = s;
    }
  }
  if (lo >= hi) { rc = bad("%s: no PT_LOAD segment", path); goto fail; }
  if (eh.type == 3) {   /* ET_DYN: choose a base */
    if (is_interp) {
      uint64_t at = vma_find_free(u, hi - lo, u->mmap_top);
      if (!at) { rc = bad("%s: no room to load", path); goto fail; }
      bias = at - lo;
    } else {
      bias = PG_DOWN(u->va_limit / ET_DYN_BASE_DIV * 2) - lo;
    }
  }
  if (hi + bias > u->va_limit || !range_free(u, lo + bias, hi + bias)) {
    rc = bad("%s: segments outside the user address space", path);
    goto fail;
  }
  /* map the span writable, copy the file parts, then set permissions */
  if ((rc = map_range(u, lo + bias, hi + bias,
                      VMRUN_USER_PROT_READ | VMRUN_USER_PROT_WRITE, 0)) < 0) {
    rc = bad("%s: cannot map segments: %s", path, strerror(-rc));
    goto fail;
  }
  {
    struct stat st;
    if (fstat(fd, &st) < 0) st.st_size = 0;
    for (unsigned i = 0; i < eh.phnum; i++) {
      uint64_t va = bias + ph[i].vaddr, poff = va & (PAGE - 1);
      if (ph[i].type != PT_LOAD || !ph[i].filesz) continue;
      if (ph[i].offset + ph[i].filesz < ph[i].offset ||
          ph[i].offset + ph[i].filesz > (uint64_t)st.st_size) {
        rc = bad("%s: truncated PT_LOAD segment %u", path, i);
        goto fail;
      }
      /* the file's own pages, copy-on-write, as Linux's ELF loader does:
      ** read lazily, and MADV_DONTNEED gives the file's bytes back; the
      ** rest of the last page is zeroed where .bss starts */
      if ((ph[i].offset & (PAGE - 1)) == poff &&
          mmap(u->ram + va - poff, PG_UP(poff + ph[i].filesz),
               PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd,
               (off_t)(ph[i].offset - poff)) != MAP_FAILED) {
        if (ph[i].memsz > ph[i].filesz)
          memset(u->ram + va + ph[i].filesz, 0,
                 PG_UP(va + ph[i].filesz) - (va + ph[i].filesz));
        continue;
      }
      if (pread(fd, u->ram + va, ph[i].filesz, (off_t)ph[i].offset) !=
          (ssize_t)ph[i].filesz) {
        rc = bad("%s: truncated PT_LOAD segment %u", path, i);
        goto fail;
      }
    }
  }
  for (unsigned i = 0; i < eh.phnum; i++) {
    unsigned prot = 0;
    if (ph[i].type != PT_LOAD) continue;
    if (ph[i].flags & PF_R) prot |= VMRUN_USER_PROT_READ;
    if (ph[i].flags & PF_W) prot |= VMRUN_USER_PROT_WRITE;
    if (ph[i].flags & PF_X) prot |= VMRUN_USER_PROT_EXEC;
    map_range(u, PG_DOWN(bias + ph[i].vaddr),
              PG_UP(bias + ph[i].vaddr + ph[i].memsz), prot, 1);
  }
  /* AT_PHDR: PT_PHDR, else the PT_LOAD holding the headers */
  for (unsigned i = 0; i < eh.phnum; i++)
    if (ph[i].type == PT_PHDR) out->phdr = bias + ph[i].vaddr;
  for (unsigned i = 0; i < eh.phnum && !out->phdr; i++)
    if (ph[i].type == PT_LOAD && eh.phoff >= ph[i].offset &&
        eh.phoff - ph[i].offset < ph[i].filesz)
      out->phdr = bias + ph[i].vaddr + (eh.phoff - ph[i].offset);
  out->phnum = eh.phnum;
  out->bias = bias;
  out->entry = bias + eh.entry;
  out->lo = lo + bias;
  out->hi = hi + bias;
  close(fd);
  return 0;
fail:
  close(fd);
  free(out->interp);
  out->interp = NULL;
  return rc;
}

/* ---- initial stack (System V ABI; Linux fs/binfmt_elf.c) ---- */

static int push_bytes(user_proc *u, uint64_t *sp, const void *p, size_t n)
{
  if (*sp - n < u->stack_top - STACK_SIZE + PAGE) return -1;
  *sp -= n;
  memcpy(u->ram + *sp, p, n);
  return 0;
}

static int build_stack(user_proc *u, const loaded *prog, const loaded *interp,
                       char **argv, size_t argc, char **envp, uint64_t *sp_out)
{
  const vmrun_user_abi *a = u->abi;
  uint64_t sp = u->stack_top, execfn, platform = 0, random;
  size_t envc = 0, n, k;
  uint64_t *argp, *envpp, *words;
  uint8_t rnd[16];

  while (envp[envc]) envc++;
  argp = calloc(argc + 1, 8);
  envpp = calloc(envc + 1, 8);
  words = calloc(argc + envc + 64, 8);
  if (!argp || !envpp || !words) goto oom;
  if (push_bytes(u, &sp, u->exe_path, strlen(u->exe_path) + 1)) goto big;
  execfn = sp;
  for (k = envc; k-- > 0;) {
    if (push_bytes(u, &sp, envp[k], strlen(envp[k]) + 1)) goto big;
    envpp[k] = sp;
  }
  for (k = argc; k-- > 0;) {
    if (push_bytes(u, &sp, argv[k], strlen(argv[k]) + 1)) goto big;
    argp[k] = sp;
  }
  if (a->platform) {
    if (push_bytes(u, &sp, a->platform, strlen(a->platform) + 1)) goto big;
    platform = sp;
  }
  if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
    memset(rnd, 0x5a, sizeof rnd);
  sp &= ~(uint64_t)15;
  if (push_bytes(u, &sp, rnd, sizeof rnd)) goto big;
  random = sp;

  n = 0;
  words[n++] = argc;
  for (k = 0; k < argc; k++) words[n++] = argp[k];
  words[n++] = 0;
  for (k = 0; k < envc; k++) words[n++] = envpp[k];
  words[n++] = 0;
#define AUX(t, v) do { words[n++] = (t); words[n++] = (v); } while (0)
  AUX(AT_PHDR, prog->phdr);
  AUX(AT_PHENT, sizeof(elf64_phdr));
  AUX(AT_PHNUM, prog->phnum);
  AUX(AT_PAGESZ, PAGE);
  AUX(AT_BASE, interp ? interp->bias : 0);
  AUX(AT_FLAGS, 0);
  AUX(AT_ENTRY, prog->entry);
  AUX(AT_UID, getuid());
  AUX(AT_EUID, geteuid());
  AUX(AT_GID, getgid());
  AUX(AT_EGID, getegid());
  AUX(AT_HWCAP, a->hwcap);
  AUX(AT_CLKTCK, (uint64_t)sysconf(_SC_CLK_TCK));
  AUX(AT_SECURE, 0);
  AUX(AT_RANDOM, random);
  AUX(AT_EXECFN, execfn);
  if (platform) AUX(AT_PLATFORM, platform);
  AUX(AT_NULL, 0);
#undef AUX
  sp = (sp - n * 8) & ~(uint64_t)15;
  if (sp < u->stack_top - STACK_SIZE + PAGE) goto big;
  memcpy(u->ram + sp, words, n * 8);
  *sp_out = sp;
  free(argp); free(envpp); free(words);
  return 0;
big:
  free(argp); free(envpp); free(words);
  return bad("%s: arguments and environment do not fit in the stack",
             u->exe_path);
oom:
  free(argp); free(envpp); free(words);
  return bad("out of memory");
}

/* ---- syscalls (asm-generic numbering, include/uapi/asm-generic/unistd.h) */

enum {
  NR_getcwd = 17, NR_eventfd2 = 19, NR_epoll_create1 = 20,
  NR_epoll_ctl = 21, NR_epoll_pwait = 22, NR_dup = 23, NR_dup3 = 24,
  NR_fcntl = 25, NR_ioctl = 29, NR_flock = 32, NR_mknodat = 33,
  NR_mkdirat = 34, NR_unlinkat = 35, NR_symlinkat = 36, NR_linkat = 37,
  NR_renameat = 38, NR_statfs = 43, NR_fstatfs = 44, NR_truncate = 45,
  NR_ftruncate = 46, NR_fallocate = 47, NR_faccessat = 48, NR_chdir = 49,
  NR_fchdir = 50, NR_chroot = 51, NR_fchmod = 52, NR_fchmodat = 53,
  NR_fchownat = 54, NR_fchown = 55, NR_openat = 56, NR_close = 57,
  NR_pipe2 = 59, NR_getdents64 = 61, NR_lseek = 62, NR_read = 63,
  NR_write = 64, NR_readv = 65, NR_writev = 66, NR_pread64 = 67,
  NR_pwrite64 = 68, NR_preadv = 69, NR_pwritev = 70, NR_sendfile = 71,
  NR_pselect6 = 72, NR_ppoll = 73, NR_splice = 76, NR_readlinkat = 78,
  NR_newfstatat = 79, NR_fstat = 80, NR_sync = 81, NR_fsync = 82,
  NR_fdatasync = 83, NR_utimensat = 88, NR_personality = 92, NR_exit = 93,
  NR_exit_group = 94, NR_waitid = 95, NR_set_tid_address = 96,
  NR_futex = 98, NR_set_robust_list = 99, NR_get_robust_list = 100,
  NR_nanosleep = 101, NR_getitimer = 102, NR_setitimer = 103,
  NR_clock_gettime = 113, NR_clock_getres = 114, NR_clock_nanosleep = 115,
  NR_sched_getaffinity = 123, NR_sched_yield = 124, NR_kill = 129,
  NR_tkill = 130, NR_tgkill = 131, NR_sigaltstack = 132,
  NR_rt_sigsuspend = 133, NR_rt_sigpending = 136, NR_rt_sigaction = 134, NR_rt_sigprocmask = 135,
  NR_rt_sigreturn = 139, NR_setpriority = 140, NR_getpriority = 141,
  NR_setregid = 143, NR_setgid = 144, NR_setreuid = 145, NR_setuid = 146,
  NR_setresuid = 147, NR_getresuid = 148, NR_setresgid = 149,
  NR_getresgid = 150, NR_times = 153, NR_setpgid = 154, NR_getpgid = 155,
  NR_getsid = 156, NR_setsid = 157, NR_getgroups = 158, NR_uname = 160,
  NR_getrlimit = 163, NR_setrlimit = 164, NR_getrusage = 165,
  NR_umask = 166, NR_prctl = 167, NR_getcpu = 168, NR_gettimeofday = 169,
  NR_getpid = 172, NR_getppid = 173, NR_getuid = 174, NR_geteuid = 175,
  NR_getgid = 176, NR_getegid = 177, NR_gettid = 178, NR_sysinfo = 179,
  NR_brk = 214, NR_munmap = 215, NR_mremap = 216, NR_clone = 220,
  NR_execve = 221, NR_mmap = 222, NR_fadvise64 = 223, NR_mprotect = 226,
  NR_msync = 227, NR_madvise = 233, NR_wait4 = 260, NR_prlimit64 = 261,
  NR_renameat2 = 276, NR_getrandom = 278, NR_memfd_create = 279,
  NR_statx = 291, NR_rseq = 293, NR_clone3 = 435, NR_close_range = 436,
  NR_faccessat2 = 439,
  /* the asm-generic arch-specific slot 244 + 15: RISC-V's (AArch64, the
  ** other ISA on the generic table, leaves it unused) */
  NR_riscv_flush_icache = 259
};

#define RET(x) do { long r_ = (long)(x); return r_ < 0 ? -errno : r_; } while (0)
#define CHK(p) do { if (!(p)) return -EFAULT; } while (0)

/* Guest struct stat (asm-generic/stat.h, 64-bit): 128 bytes. */
static void put_stat(uint8_t *g, const struct stat *st)
{
  uint64_t w[16];
  memset(w, 0, sizeof w);
  w[0] = st->st_dev;
  w[1] = st->st_ino;
  w[2] = (uint64_t)st->st_mode | ((uint64_t)st->st_nlink << 32);
  w[3] = (uint64_t)st->st_uid | ((uint64_t)st->st_gid << 32);
  w[4] = st->st_rdev;
  w[6] = (uint64_t)st->st_size;
  w[7] = (uint64_t)(uint32_t)st->st_blksize;
  w[8] = (uint64_t)st->st_blocks;
  w[9] = (uint64_t)st->st_atim.tv_sec;  w[10] = (uint64_t)st->st_atim.tv_nsec;
  w[11] = (uint64_t)st->st_mtim.tv_sec; w[12] = (uint64_t)st->st_mtim.tv_nsec;
  w[13] = (uint64_t)st->st_ctim.tv_sec; w[14] = (uint64_t)st->st_ctim.tv_nsec;
  memcpy(g, w, 128);
}

static int default_ignored(int sig)
{
  return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
         sig == SIGCONT;
}

#define SIGBIT(n) (1ull << ((n) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define G_SA_ONSTACK 0x08000000u
#define G_SA_RESTART 0x10000000u
#define G_SA_NODEFER 0x40000000u
#define G_SA_RESETHAND 0x80000000u
#define NO_RETURN INT64_MIN      /* do_syscall: registers already set */

static user_proc *g_user;        /* for the host signal handler */

static void fatal_signal(user_proc *u, int sig)
{
  u->exited = 1;
  u->exit_status = 128 + sig;
  u->fatal_sig = sig;
}

/* The guest died of a signal and vmrun is about to exit with `status`:
** unless something changed the status (a script's on_exit), vmrun dies
** of the same signal, so that a parent's wait() sees WIFSIGNALED as on
** Linux (the shell's $? is 128+N either way).  No core file of vmrun. */
static void die_like_guest(user_proc *u, int status)
{
  int sig = u->fatal_sig;
  struct rlimit rl = { 0, 0 };
  struct sigaction sa;
  sigset_t ss;
  if (!sig || status != 128 + sig) return;
  fflush(NULL);
  setrlimit(RLIMIT_CORE, &rl);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigaction(sig, &sa, NULL);
  sigemptyset(&ss);
  sigaddset(&ss, sig);
  pthread_sigmask(SIG_UNBLOCK, &ss, NULL);
  raise(sig);
}

/* Host signals the guest catches: record and make the vCPU leave its
** engine; delivered by deliver_pending() on the vCPU thread.  A signal
** sent to one thread (tgkill: the host delivers it on that thread) is
** pending for that guest thread only, as on Linux. */
static void host_sig(int sig, siginfo_t *si, void *uc)
{
  user_proc *u = g_user;
  (void)uc;
  if (!u) return;
  if (si && si->si_code == SI_TKILL && tl_thr)
    __atomic_or_fetch(&tl_thr->pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
  else
    __atomic_or_fetch(&u->pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
  uint32_t n = __atomic_load_n(&u->n_kick, __ATOMIC_SEQ_CST);
  for (uint32_t i = 0; i < n; i++)
    __atomic_or_fetch(&u->kick[i]->exit_request, VMRUN_EXIT_USER,
                      __ATOMIC_SEQ_CST);
}

/* Mirror the guest's disposition of an asynchronous signal on the host. */
static void host_disposition(user_proc *u, int sig)
{
  static const int async[] = { SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2,
    SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH,
    SIGURG, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO };
  struct sigaction sa;
  unsigned k;
  for (k = 0; k < sizeof async / sizeof async[0]; k++)
    if (async[k] == sig) break;
  if (k == sizeof async / sizeof async[0]) return;
  memset(&sa, 0, sizeof sa);
  sigfillset(&sa.sa_mask);
  if (u->sig[sig].handler == 0) {
    sa.sa_handler = SIG_DFL;
  } else if (u->sig[sig].handler == 1) {
    sa.sa_handler = SIG_IGN;
  } else {
    sa.sa_sigaction = host_sig;    /* no SA_RESTART: blocking calls EINTR */
    sa.sa_flags = SA_SIGINFO;
  }
  sigaction(sig, &sa, NULL);
}

/* Generate `sig` for the guest itself (kill/tgkill to itself, raise). */
static long self_signal_code(user_proc *u, int sig, int code)
{
  uint64_t h;
  if (sig == 0) return 0;
  if (sig < 1 || sig > 64) return -EINVAL;
  h = u->sig[sig].handler;
  if (h == 1 || (h == 0 && default_ignored(sig))) return 0;  /* discarded */
  u->pend_code[sig] = code;
  __atomic_or_fetch(code == -6 /* SI_TKILL */ ? &tl_thr->pending
                                              : &u->pending,
                    SIGBIT(sig), __ATOMIC_SEQ_CST);
  return 0;
}

/* The signals this thread may take now: its own and the process's,
** unblocked. */
static uint64_t deliverable(user_proc *u)
{
  return (__atomic_load_n(&tl_thr->pending, __ATOMIC_SEQ_CST) |
          __atomic_load_n(&u->pending, __ATOMIC_SEQ_CST)) & ~tl_thr->sigmask;
}

static long self_signal(user_proc *u, int sig)
{
  return self_signal_code(u, sig, 0 /* SI_USER */);
}

static int write_siginfo(uint8_t *si, int sig, int code, uint64_t addr,
                         int from_kill)
{
  memset(si, 0, 128);
  memcpy(si, &sig, 4);
  memcpy(si + 8, &code, 4);
  if (from_kill) {
    uint32_t pid = (uint32_t)getpid(), uid = (uint32_t)getuid();
    memcpy(si + 16, &pid, 4);
    memcpy(si + 20, &uid, 4);
  } else {
    memcpy(si + 16, &addr, 8);
  }
  return 0;
}

/* Run the guest's handler for `sig` (its action is a handler). */
static void deliver(user_proc *u, int sig, const uint8_t *siginfo)
{
  const vmrun_user_abi *a = u->abi;
  ksigaction *act = &u->sig[sig];
  uint64_t sp = a->get_sp(u->m->fe_inst, UCPU), fva, oldmask;
  uint32_t ss_flags = tl_thr->ss_size ? 0 : 2 /* SS_DISABLE */;
  void *frame;
  int on_alt = tl_thr->ss_size && sp - tl_thr->ss_sp <= tl_thr->ss_size;

  if ((act->flags & G_SA_ONSTACK) && tl_thr->ss_size && !on_alt)
    sp = tl_thr->ss_sp + tl_thr->ss_size;
  fva = (sp - a->sigframe_size) & ~(uint64_t)15;
  frame = GW(fva, a->sigframe_size);
  if (!frame) {                       /* no room: like Linux, SIGSEGV */
    vmrun__log(u->m, VMRUN_LOG_INFO, "signal %d: no room for the signal "
               "frame at 0x%llx", sig, (unsigned long long)fva);
    fatal_signal(u, SIGSEGV);
    return;
  }
  oldmask = tl_thr->in_sigsuspend ? tl_thr->suspend_saved_mask
                                   : tl_thr->sigmask;
  tl_thr->in_sigsuspend = 0;
  if (on_alt) ss_flags = 1;           /* SS_ONSTACK */
  a->sigframe_build(u->m->fe_inst, UCPU, frame, fva, sig, siginfo, oldmask,
                    tl_thr->ss_sp, tl_thr->ss_size, ss_flags, act->handler,
                    u->tramp);
  wrote(u, fva, a->sigframe_size);
  tl_thr->sigmask |= act->mask;
  if (!(act->flags & G_SA_NODEFER)) tl_thr->sigmask |= SIGBIT(sig);
  tl_thr->sigmask &= ~UNBLOCKABLE;
  if (act->flags & G_SA_RESETHAND) {
    act->handler = 0;
    host_disposition(u, sig);
  }
}

/* Act on one pending, unblocked signal.  Returns 1 if one was taken. */
static int deliver_pending(user_proc *u)
{
  uint64_t p = deliverable(u);
  uint8_t si[128];
  int sig;
  if (!p) return 0;
  sig = __builtin_ctzll(p) + 1;
  /* the thread's own first (Linux: the thread's queue, then the
  ** process's) */
  if (__atomic_load_n(&tl_thr->pending, __ATOMIC_SEQ_CST) & SIGBIT(sig))
    __atomic_and_fetch(&tl_thr->pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
  else
    __atomic_and_fetch(&u->pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
  if (u->sig[sig].handler == 1) return 1;
  if (u->sig[sig].handler == 0) {
    if (!default_ignored(sig) && sig != SIGSTOP && sig != SIGTSTP &&
        sig != SIGTTIN && sig != SIGTTOU)
      fatal_signal(u, sig);
    return 1;
  }
  write_siginfo(si, sig, u->pend_code[sig], 0, 1);
  u->pend_code[sig] = 0;
  deliver(u, sig, si);
  return 1;
}

/* A synchronous fault: the handler if the guest has one and the signal
** is not blocked, else the default action (the program ends). */
static void fault_signal(user_proc *u, int sig, int code, uint64_t addr)
{
  uint8_t si[128];
  uint64_t h = u->sig[sig].handler;
  if (h <= 1 || (tl_thr->sigmask & SIGBIT(sig))) {
    fatal_signal(u, sig);
    return;
  }
  write_siginfo(si, sig, code, addr, 0);
  deliver(u, sig, si);
}

static long sys_execve(user_proc *u, uint64_t a0, uint64_t a1, uint64_t a2);
static long sys_clone(user_proc *u, uint64_t flags, uint64_t stack,
                      uint64_t ptid, uint64_t tls, uint64_t ctid);
static long sys_mmap(user_proc *u, uint64_t addr, uint64_t len, uint64_t prot,
                     uint64_t flags, uint64_t fd, uint64_t off);

/* Read a guest iovec array into host iovecs (buffers validated). */
static long get_iov(user_proc *u, uint64_t giov, uint64_t cnt, int write_to,
                    struct iovec **out)
{
  const uint64_t *g;
  struct iovec *v;
  if (cnt > 1024) return -EINVAL;
  CHK(g = GR(giov, cnt * 16));
  v = calloc(cnt ? cnt : 1, sizeof *v);
  if (!v) return -ENOMEM;
  for (uint64_t i = 0; i < cnt; i++) {
    void *p = write_to ? GW(g[2 * i], g[2 * i + 1]) : GR(g[2 * i], g[2 * i + 1]);
    if (!p) { free(v); return -EFAULT; }
    v[i].iov_base = p;
    v[i].iov_len = g[2 * i + 1];
  }
  *out = v;
  return 0;
}

static long after_write(user_proc *u, long r)
{
  if (r == -EPIPE) self_signal(u, SIGPIPE);
  return r;
}

static long do_syscall(user_proc *u, uint64_t nr, const uint64_t *a)
{
  char pb[PATH_MAX + 256];
  const char *path;
  void *p;
  long r;

  switch (nr) {
  /* ---- files ---- */
  case NR_openat:
    CHK(path = gstr(u, a[1]));
    RET(BLOCKING(u, openat((int)a[0], xpath(u, path, pb, sizeof pb),
                           (int)a[2], (mode_t)a[3])));
  case NR_close: RET(close((int)a[0]));
  case NR_close_range: RET(syscall(SYS_close_range, a[0], a[1], a[2]));
  case NR_read:
    CHK(p = GW(a[1], a[2]));
    r = BLOCKING(u, read((int)a[0], p, a[2]));
    if (r > 0) wrote(u, a[1], (uint64_t)r);
    RET(r);
  case NR_write:
    CHK(p = GR(a[1], a[2]));
    r = BLOCKING(u, write((int)a[0], p, a[2]));
    return after_write(u, r < 0 ? -errno : r);
  case NR_pread64:
    CHK(p = GW(a[1], a[2]));
    r = BLOCKING(u, pread((int)a[0], p, a[2], (off_t)a[3]));
    if (r > 0) wrote(u, a[1], (uint64_t)r);
    RET(r);
  case NR_pwrite64:
    CHK(p = GR(a[1], a[2]));
    RET(BLOCKING(u, pwrite((int)a[0], p, a[2], (off_t)a[3])));
  case NR_readv: case NR_writev: case NR_preadv: case NR_pwritev: {
    struct iovec *v;
    int rd = nr == NR_readv || nr == NR_preadv;
    if ((r = get_iov(u, a[1], a[2], rd, &v)) < 0) return r;
    if (nr == NR_readv) r = BLOCKING(u, readv((int)a[0], v, (int)a[2]));
    else if (nr == NR_writev) r = BLOCKING(u, writev((int)a[0], v, (int)a[2]));
    else if (nr == NR_preadv) r = preadv((int)a[0], v, (int)a[2], (off_t)a[3]);
    else r = pwritev((int)a[0], v, (int)a[2], (off_t)a[3]);
    r = r < 0 ? -errno : r;
    if (rd && r > 0)
      for (uint64_t i = 0; i < a[2]; i++)
        wrote(u, (uint64_t)((uint8_t *)v[i].iov_base - u->ram), v[i].iov_len);
    free(v);
    return rd ? r : after_write(u, r);
  }
  case NR_sendfile: {
    off_t off, *po = NULL;
    if (a[2]) { CHK(p = GW(a[2], 8)); memcpy(&off, p, 8); po = &off; }
    r = sendfile((int)a[0], (int)a[1], po, a[3]);
    if (po && r >= 0) memcpy(GW(a[2], 8), &off, 8);
    return after_write(u, r);
  }
  case NR_lseek: RET(lseek((int)a[0], (off_t)a[1], (int)a[2]));
  case NR_dup: RET(dup((int)a[0]));
  case NR_dup3: RET(dup3((int)a[0], (int)a[1], (int)a[2]));
  case NR_fcntl:
    switch ((int)a[1]) {
    case F_GETLK: case F_SETLK: case F_SETLKW:
    case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
      CHK(p = GW(a[2], sizeof(struct flock)));
      RET(BLOCKING(u, fcntl((int)a[0], (int)a[1], p)));
    default:
      RET(fcntl((int)a[0], (int)a[1], a[2]));
    }
  case NR_flock: RET(BLOCKING(u, flock((int)a[0], (int)a[1])));
  case NR_ioctl:
    switch (a[1]) {
    case TCGETS: case TIOCGWINSZ: case TIOCGPGRP: case FIONREAD:
      CHK(p = GW(a[2], a[1] == TCGETS ? 36 : a[1] == TIOCGWINSZ ? 8 : 4));
      RET(ioctl((int)a[0], a[1], p));
    case TCSETS: case TCSETSW: case TCSETSF: case TIOCSWINSZ:
    case TIOCSPGRP: case FIONBIO:
      CHK(p = GR(a[2], a[1] == TIOCSPGRP || a[1] == FIONBIO ? 4 :
                 a[1] == TIOCSWINSZ ? 8 : 36));
      RET(ioctl((int)a[0], a[1], p));
    default:
      return -ENOTTY;
    }
  case NR_getdents64:
    CHK(p = GW(a[1], a[2]));
    r = syscall(SYS_getdents64, (int)a[0], p, a[2]);
    if (r > 0) wrote(u, a[1], (uint64_t)r);
    RET(r);
  case NR_newfstatat: case NR_fstat: {
    struct stat st;
    uint8_t *g;
    if (nr == NR_fstat) {
      CHK(g = GW(a[1], 128));
      r = fstat((int)a[0], &st);
    } else {
      CHK(path = gstr(u, a[1]));
      CHK(g = GW(a[2], 128));
      r = fstatat((int)a[0], xpath(u, path, pb, sizeof pb), &st, (int)a[3]);
    }
    if (r < 0) return -errno;
    put_stat(g, &st);
    return 0;
  }
  case NR_statx:
    CHK(path = gstr(u, a[1]));
    CHK(p = GW(a[4], 256));
    RET(syscall(SYS_statx, (int)a[0], xpath(u, path, pb, sizeof pb),
                (int)a[2], (unsigned)a[3], p));
  case NR_readlinkat: {
    CHK(path = gstr(u, a[1]));
    CHK(p = GW(a[2], a[3]));
    if (strcmp(path, "/proc/self/exe") == 0) {
      size_t n = strlen(u->exe_path);
      if (n > a[3]) n = a[3];
      memcpy(p, u->exe_path, n);
      return (long)n;
    }
    RET(readlinkat((int)a[0], xpath(u, path, pb, sizeof pb), p, a[3]));
  }
  case NR_faccessat: case NR_faccessat2:
    CHK(path = gstr(u, a[1]));
    RET(syscall(nr == NR_faccessat ? SYS_faccessat : SYS_faccessat2,
                (int)a[0], xpath(u, path, pb, sizeof pb), (int)a[2],
                nr == NR_faccessat ? 0 : (int)a[3]));
  case NR_unlinkat:
    CHK(path = gstr(u, a[1]));
    RET(unlinkat((int)a[0], path, (int)a[2]));
  case NR_mkdirat:
    CHK(path = gstr(u, a[1]));
    RET(mkdirat((int)a[0], path, (mode_t)a[2]));
  case NR_mknodat:
    CHK(path = gstr(u, a[1]));
    RET(mknodat((int)a[0], path, (mode_t)a[2], (dev_t)a[3]));
  case NR_symlinkat: {
    const char *t;
    CHK(t = gstr(u, a[0]));
    CHK(path = gstr(u, a[2]));
    RET(symlinkat(t, (int)a[1], path));
  }
  case NR_linkat: case NR_renameat: case NR_renameat2: {
    const char *o;
    CHK(o = gstr(u, a[1]));
    CHK(path = gstr(u, a[3]));
    if (nr == NR_linkat) RET(linkat((int)a[0], o, (int)a[2], path, (int)a[4]));
    RET(syscall(SYS_renameat2, (int)a[0], o, (int)a[2], path,
                nr == NR_renameat ? 0 : (unsigned)a[4]));
  }
  case NR_statfs:
    CHK(path = gstr(u, a[0]));
    CHK(p = GW(a[1], 120));
    RET(syscall(SYS_statfs, xpath(u, path, pb, sizeof pb), p));
  case NR_fstatfs:
    CHK(p = GW(a[1], 120));
    RET(syscall(SYS_fstatfs, (int)a[0], p));
  case NR_truncate:
    CHK(path = gstr(u, a[0]));
    RET(truncate(path, (off_t)a[1]));
  case NR_ftruncate: RET(ftruncate((int)a[0], (off_t)a[1]));
  case NR_fallocate: RET(fallocate((int)a[0], (int)a[1], (off_t)a[2],
                                   (off_t)a[3]));
  case NR_fadvise64: return 0;
  case NR_sync: sync(); return 0;
  case NR_fsync: RET(fsync((int)a[0]));
  case NR_fdatasync: RET(fdatasync((int)a[0]));
  case NR_chdir:
    CHK(path = gstr(u, a[0]));
    RET(chdir(path));
  case NR_fchdir: RET(fchdir((int)a[0]));
  case NR_getcwd:
    CHK(p = GW(a[0], a[1]));
    if (!getcwd(p, a[1])) return -errno;
    wrote(u, a[0], a[1]);
    return (long)strlen(p) + 1;
  case NR_fchmod: RET(fchmod((int)a[0], (mode_t)a[1]));
  case NR_fchmodat:
    CHK(path = gstr(u, a[1]));
    RET(fchmodat((int)a[0], path, (mode_t)a[2], 0));
  case NR_fchown: RET(fchown((int)a[0], (uid_t)a[1], (gid_t)a[2]));
  case NR_fchownat:
    CHK(path = gstr(u, a[1]));
    RET(fchownat((int)a[0], path, (uid_t)a[2], (gid_t)a[3], (int)a[4]));
  case NR_utimensat:
    path = NULL;
    if (a[1]) CHK(path = gstr(u, a[1]));
    p = NULL;
    if (a[2]) CHK(p = GR(a[2], 32));
    RET(syscall(SYS_utimensat, (int)a[0], path, p, (int)a[3]));
  case NR_umask: return (long)umask((mode_t)a[0]);
  case NR_pipe2: {
    int fds[2];
    CHK(p = GW(a[0], 8));
    if (pipe2(fds, (int)a[1]) < 0) return -errno;
    memcpy(p, fds, 8);
    return 0;
  }
  case NR_ppoll: {
    struct timespec *ts = NULL;
    if (a[1] > 65536) return -EINVAL;
    CHK(p = GW(a[0], a[1] * sizeof(struct pollfd)));
    if (a[2]) CHK(ts = GR(a[2], 16));
    RET(BLOCKING(u, ppoll(p, a[1], ts, NULL)));
  }
  case NR_pselect6: {
    void *fs[3] = { NULL, NULL, NULL };
    struct timespec *ts = NULL;
    size_t bytes = (a[0] + 63) / 64 * 8;
    if (a[0] > FD_SETSIZE) return -EINVAL;
    for (int k = 0; k < 3; k++)
      if (a[1 + k]) CHK(fs[k] = GW(a[1 + k], bytes));
    if (a[4]) CHK(ts = GW(a[4], 16));
    RET(BLOCKING(u, syscall(SYS_pselect6, (int)a[0], fs[0], fs[1], fs[2],
                            ts, NULL)));
  }
  /* ---- memory ---- */
  case NR_brk: {
    uint64_t want = a[0], oldend = PG_UP(u->brk_cur), newend;
    if (want < u->brk_start) return (long)u->brk_cur;
    newend = PG_UP(want);
    if (newend > oldend) {
      if (newend >= u->mmap_top || !range_free(u, oldend, newend) ||
          map_range(u, oldend, newend, VMRUN_USER_PROT_READ |
                    VMRUN_USER_PROT_WRITE, 0) < 0)
        return (long)u->brk_cur;
    } else if (newend < oldend) {
      unmap_range(u, newend, oldend);
    }
    u->brk_cur = want;
    return (long)want;
  }
  case NR_mmap: return sys_mmap(u, a[0], a[1], a[2], a[3], a[4], a[5]);
  case NR_munmap:
    if (a[0] & (PAGE - 1) || a[1] == 0 || a[0] + a[1] > u->va_limit ||
        a[0] + a[1] < a[0])
      return -EINVAL;
    return unmap_range(u, a[0], PG_UP(a[0] + a[1]));
  case NR_mprotect: {
    uint64_t s = a[0], e = PG_UP(a[0] + a[1]);
    unsigned prot = (unsigned)a[2] & 7u;
    if (s & (PAGE - 1) || e < s) return -EINVAL;
    if (!vma_check(u, s, e - s, 0)) return -ENOMEM;
    for (uint64_t x = s; x < e;) {     /* keep host read-only pages so */
      const vma *v = vma_find(u, x);
      if (v->prot & VMA_HOST_RO) {
        if (prot & VMRUN_USER_PROT_WRITE) return -EACCES;
        prot |= VMA_HOST_RO;
      }
      x = v->end;
    }
    return map_range(u, s, e, prot, 1);
  }
  case NR_mremap: {
    uint64_t old = a[0], osz = PG_UP(a[1]), nsz = PG_UP(a[2]), dst;
    const vma *v;
    if (old & (PAGE - 1) || nsz == 0) return -EINVAL;
    if (!(v = vma_find(u, old)) || !vma_check(u, old, osz, 0)) return -EFAULT;
    if (a[3] & 2 /* MREMAP_FIXED */) return -EINVAL;
    if (nsz <= osz) {
      if (nsz < osz) unmap_range(u, old + nsz, old + osz);
      return (long)old;
    }
    if (old + nsz <= u->va_limit && range_free(u, old + osz, old + nsz)) {
      map_range(u, old + osz, old + nsz, v->prot, 0);
      return (long)old;
    }
    if (!(a[3] & 1 /* MREMAP_MAYMOVE */)) return -ENOMEM;
    if (!(dst = vma_find_free(u, nsz, u->mmap_top))) return -ENOMEM;
    {
      unsigned prot = v->prot;
      void *q = mremap(u->ram + old, osz, osz,
                       MREMAP_MAYMOVE | MREMAP_FIXED, u->ram + dst);
      if (q == MAP_FAILED) return -errno;
      host_fresh(u, old, old + osz, PROT_NONE); /* refill the hole */
      host_fresh(u, dst + osz, dst + nsz, PROT_READ | PROT_WRITE);
      vma_remove(u, old, old + osz);
      pt_map(u, old, old + osz, 0);
      tlb_flush_all(u);                    /* dst is fresh: map_range won't */
      code_changed(u, old, old + osz);
      code_changed(u, dst, dst + nsz);
      map_range(u, dst, dst + nsz, prot, 1);
    }
    return (long)dst;
  }
  case NR_madvise:
    if (a[2] == MADV_DONTNEED && vma_check(u, a[0], a[1], 0)) {
      /* The host mapping is of the guest's kind (private or shared,
      ** anonymous or the file): the host's MADV_DONTNEED gives Linux's
      ** result, private anonymous pages reading back as zeros, private
      ** file pages as the file, shared pages unchanged.  (Zeroing them
      ** all wrote zeros into MAP_SHARED files.) */
      if (madvise(u->ram + a[0], a[1], MADV_DONTNEED) < 0) return -errno;
      code_changed(u, a[0], a[0] + a[1]);
    }
    return 0;
  case NR_msync: return 0;
  case NR_riscv_flush_icache:
    /* What glibc's __riscv_flush_icache (__builtin___clear_cache) calls
    ** without a vDSO.  A store drops the translations of the page it hits,
    ** but code reached through another mapping of the same file (two
    ** MAP_SHARED views) was written at another address: drop the
    ** translations of [start, end), within the mapped ranges.  (Linux
    ** flushes the whole icache, whatever the range.) */
    if (a[2] & ~1ull) return -EINVAL;      /* SYS_RISCV_FLUSH_ICACHE_LOCAL */
    for (size_t i = 0; i < u->n_vmas && a[1] > a[0]; i++) {
      uint64_t s = u->vmas[i].start > a[0] ? u->vmas[i].start : a[0];
      uint64_t e = u->vmas[i].end < a[1] ? u->vmas[i].end : a[1];
      code_changed(u, s, e);               /* (nothing when e <= s) */
    }
    return 0;
  /* ---- process ---- */
  case NR_exit:
    if (u->live_threads > 1) {       /* this thread only */
      uint64_t ct = tl_thr->clear_child_tid;
      uint32_t *w = ct ? GW(ct, 4) : NULL;
      tl_thr->exited = 1;
      u->live_threads--;
      if (w) {                       /* CLONE_CHILD_CLEARTID: pthread_join */
        __atomic_store_n(w, 0, __ATOMIC_SEQ_CST);
        syscall(SYS_futex, w, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
      }
      return NO_RETURN;
    }
    /* the last thread ends the process */
    __attribute__((fallthrough));
  case NR_exit_group:
    u->exited = 1;
    u->exit_status = (int)(a[0] & 0xff);
    return 0;
  case NR_getpid: return getpid();
  case NR_gettid: return tl_thr->tid;
  case NR_getppid: return getppid();
  case NR_getuid: return getuid();
  case NR_geteuid: return geteuid();
  case NR_getgid: return getgid();
  case NR_getegid: return getegid();
  case NR_getresuid: case NR_getresgid: {
    uint32_t *x, *y, *z;
    CHK(x = GW(a[0], 4)); CHK(y = GW(a[1], 4)); CHK(z = GW(a[2], 4));
    if (nr == NR_getresuid) { uid_t r1, r2, r3; getresuid(&r1, &r2, &r3);
      *x = r1; *y = r2; *z = r3; }
    else { gid_t r1, r2, r3; getresgid(&r1, &r2, &r3);
      *x = r1; *y = r2; *z = r3; }
    return 0;
  }
  case NR_getgroups:
    if (a[0]) CHK(p = GW(a[1], a[0] * 4)); else p = NULL;
    RET(getgroups((int)a[0], p));
  case NR_setuid: case NR_setgid: case NR_setreuid: case NR_setregid:
  case NR_setresuid: case NR_setresgid:
    RET(syscall((long)(nr == NR_setuid ? SYS_setuid : nr == NR_setgid ?
                SYS_setgid : nr == NR_setreuid ? SYS_setreuid :
                nr == NR_setregid ? SYS_setregid : nr == NR_setresuid ?
                SYS_setresuid : SYS_setresgid), a[0], a[1], a[2]));
  case NR_setpgid: RET(setpgid((pid_t)a[0], (pid_t)a[1]));
  case NR_getpgid: RET(getpgid((pid_t)a[0]));
  case NR_getsid: RET(getsid((pid_t)a[0]));
  case NR_setsid: RET(setsid());
  case NR_getpriority: RET(syscall(SYS_getpriority, a[0], a[1]));
  case NR_setpriority: RET(setpriority((int)a[0], (id_t)a[1], (int)a[2]));
  case NR_uname: {
    struct utsname un;
    CHK(p = GW(a[0], sizeof un));
    uname(&un);
    snprintf(un.machine, sizeof un.machine, "riscv64");
    memcpy(p, &un, sizeof un);
    return 0;
  }
  case NR_getrlimit: case NR_setrlimit:
    CHK(p = nr == NR_getrlimit ? GW(a[1], 16) : GR(a[1], 16));
    RET(syscall(nr == NR_getrlimit ? SYS_getrlimit : SYS_setrlimit,
                (int)a[0], p));
  case NR_prlimit64: {
    void *nl = NULL, *ol = NULL;
    if (a[2]) CHK(nl = GR(a[2], 16));
    if (a[3]) CHK(ol = GW(a[3], 16));
    RET(syscall(SYS_prlimit64, (pid_t)a[0], (int)a[1], nl, ol));
  }
  case NR_getrusage:
    CHK(p = GW(a[1], sizeof(struct rusage)));
    RET(getrusage((int)a[0], p));
  case NR_times:
    if (a[0]) CHK(p = GW(a[0], sizeof(struct tms))); else p = NULL;
    RET(syscall(SYS_times, p));
  case NR_sysinfo:
    CHK(p = GW(a[0], sizeof(struct sysinfo)));
    RET(sysinfo(p));
  case NR_set_tid_address:
    tl_thr->clear_child_tid = a[0];
    return getpid();
  case NR_set_robust_list: return 0;
  case NR_rseq: return -ENOSYS;
  case NR_prctl: return -EINVAL;
  case NR_personality: return 0;
  case NR_sched_getaffinity:
    CHK(p = GW(a[2], a[1]));
    RET(syscall(SYS_sched_getaffinity, 0, a[1], p));
  case NR_sched_yield: return 0;
  case NR_getcpu: {
    uint32_t *c = NULL, *n = NULL;
    if (a[0]) CHK(c = GW(a[0], 4));
    if (a[1]) CHK(n = GW(a[1], 4));
    if (c) *c = 0;
    if (n) *n = 0;
    return 0;
  }
  case NR_clone: return sys_clone(u, a[0], a[1], a[2], a[3], a[4]);
  case NR_clone3: return -ENOSYS;   /* glibc falls back to clone */
  case NR_execve: return sys_execve(u, a[0], a[1], a[2]);
  case NR_wait4: {
    /* like Linux, the status and rusage are written only when a child
    ** was reaped (so no child is ECHILD even with a bad pointer) */
    int st = 0, *ps;
    struct rusage ru, *pru;
    r = BLOCKING(u, wait4((pid_t)a[0], a[1] ? &st : NULL, (int)a[2],
                          a[3] ? &ru : NULL));
    if (r <= 0) RET(r);
    if (a[1]) { CHK(ps = GW(a[1], 4)); *ps = st; }
    if (a[3]) { CHK(pru = GW(a[3], sizeof ru)); memcpy(pru, &ru, sizeof ru); }
    return r;
  }
  case NR_waitid:
    CHK(p = GW(a[2], 128));
    RET(syscall(SYS_waitid, a[0], a[1], p, a[3], a[4] ? GW(a[4], 144) : NULL));
  case NR_kill:
    if ((pid_t)a[0] == getpid()) return self_signal(u, (int)a[1]);
    RET(kill((pid_t)a[0], (int)a[1]));
  case NR_tkill: case NR_tgkill: {
    pid_t tid = (pid_t)(nr == NR_tkill ? a[0] : a[1]);
    int sig = (int)(nr == NR_tkill ? a[1] : a[2]);
    if (tid == getpid() || tid == tl_thr->tid)
      return self_signal_code(u, sig, -6 /* SI_TKILL */);
    RET(syscall(SYS_tgkill, nr == NR_tkill ? -1 : (pid_t)a[0], tid, sig));
  }
  /* ---- signals (dispositions only; delivery is not implemented) ---- */
  case NR_rt_sigaction: {
    int sig = (int)a[0];
    if (sig < 1 || sig > 64 || a[3] != 8) return -EINVAL;
    if (a[2]) {
      CHK(p = GW(a[2], 24));
      memcpy(p, &u->sig[sig], 24);
    }
    if (a[1]) {
      if (sig == SIGKILL || sig == SIGSTOP) return -EINVAL;
      CHK(p = GR(a[1], 24));
      memcpy(&u->sig[sig], p, 24);
      u->sig[sig].mask &= ~UNBLOCKABLE;
      host_disposition(u, sig);
      if (u->sig[sig].handler == 1 ||
          (u->sig[sig].handler == 0 && default_ignored(sig))) {
        __atomic_and_fetch(&u->pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
        __atomic_and_fetch(&tl_thr->pending, ~SIGBIT(sig),
                           __ATOMIC_SEQ_CST);
      }
    }
    return 0;
  }
  case NR_rt_sigprocmask: {
    uint64_t old = tl_thr->sigmask, set;
    if (a[3] != 8) return -EINVAL;
    if (a[1]) {
      CHK(p = GR(a[1], 8));
      memcpy(&set, p, 8);
      if (a[0] == 0) tl_thr->sigmask |= set;
      else if (a[0] == 1) tl_thr->sigmask &= ~set;
      else if (a[0] == 2) tl_thr->sigmask = set;
      else return -EINVAL;
      tl_thr->sigmask &= ~UNBLOCKABLE;
    }
    if (a[2]) { CHK(p = GW(a[2], 8)); memcpy(p, &old, 8); }
    return 0;
  }
  case NR_rt_sigreturn: {
    uint64_t sp = u->abi->get_sp(u->m->fe_inst, UCPU), mask;
    const void *f = GR(sp, u->abi->sigframe_size);
    if (!f) { fatal_signal(u, SIGSEGV); return NO_RETURN; }
    u->abi->sigframe_restore(u->m->fe_inst, UCPU, f, &mask);
    tl_thr->sigmask = mask & ~UNBLOCKABLE;
    return NO_RETURN;
  }
  case NR_sigaltstack: {
    uint64_t sp = u->abi->get_sp(u->m->fe_inst, UCPU);
    int on = tl_thr->ss_size && sp - tl_thr->ss_sp <= tl_thr->ss_size;
    uint8_t old[24];
    uint32_t fl = tl_thr->ss_size ? (on ? 1u : 0u) : 2u;
    memset(old, 0, sizeof old);
    memcpy(old, &tl_thr->ss_sp, 8);
    memcpy(old + 8, &fl, 4);
    memcpy(old + 16, &tl_thr->ss_size, 8);
    if (a[0]) {
      const uint8_t *n;
      uint64_t nsp, nsz;
      uint32_t nfl;
      CHK(n = GR(a[0], 24));
      if (on) return -EPERM;
      memcpy(&nsp, n, 8); memcpy(&nfl, n + 8, 4); memcpy(&nsz, n + 16, 8);
      if (nfl & 2) { tl_thr->ss_sp = 0; tl_thr->ss_size = 0; }
      else if (nfl & ~0x80000000u) return -EINVAL;
      else if (nsz < 2048) return -ENOMEM;
      else { tl_thr->ss_sp = nsp; tl_thr->ss_size = nsz; }
    }
    if (a[1]) { CHK(p = GW(a[1], 24)); memcpy(p, old, 24); }
    return 0;
  }
  case NR_rt_sigpending: {
    uint64_t pend = __atomic_load_n(&u->pending, __ATOMIC_SEQ_CST) |
                    __atomic_load_n(&tl_thr->pending, __ATOMIC_SEQ_CST);
    if (a[1] != 8) return -EINVAL;
    CHK(p = GW(a[0], 8));
    memcpy(p, &pend, 8);
    return 0;
  }
  case NR_rt_sigsuspend: {
    uint64_t m;
    if (a[1] != 8) return -EINVAL;
    CHK(p = GR(a[0], 8));
    memcpy(&m, p, 8);
    tl_thr->suspend_saved_mask = tl_thr->sigmask;
    tl_thr->sigmask = m & ~UNBLOCKABLE;
    tl_thr->in_sigsuspend = 1;
    while (!deliverable(u)) {
      struct timespec t = { 0, 2 * 1000 * 1000 };
      BLOCKING(u, nanosleep(&t, NULL));
    }
    return -EINTR;
  }
  /* ---- time ---- */
  case NR_clock_gettime: case NR_clock_getres:
    if (!a[1] && nr == NR_clock_getres) return 0;
    CHK(p = GW(a[1], 16));
    RET(syscall(nr == NR_clock_gettime ? SYS_clock_gettime
                                       : SYS_clock_getres, (int)a[0], p));
  case NR_gettimeofday:
    p = NULL;
    if (a[0]) CHK(p = GW(a[0], 16));
    RET(gettimeofday(p, NULL));
  case NR_nanosleep: {
    void *rem = NULL;
    CHK(p = GR(a[0], 16));
    if (a[1]) CHK(rem = GW(a[1], 16));
    RET(BLOCKING(u, nanosleep(p, rem)));
  }
  case NR_clock_nanosleep: {
    void *rem = NULL;
    CHK(p = GR(a[2], 16));
    if (a[3]) CHK(rem = GW(a[3], 16));
    r = BLOCKING(u, clock_nanosleep((clockid_t)a[0], (int)a[1], p, rem));
    return -r;
  }
  case NR_getitimer: case NR_setitimer: return -ENOSYS;
  /* ---- epoll, eventfd (struct epoll_event: packed 12 bytes on x86-64
  ** hosts, naturally aligned 16 bytes in the asm-generic ABI) ---- */
  case NR_eventfd2: RET(eventfd((unsigned)a[0], (int)a[1]));
  case NR_epoll_create1: RET(epoll_create1((int)a[0]));
  case NR_epoll_ctl: {
    struct epoll_event ev;
    const uint8_t *g = NULL;
    if (a[3]) CHK(g = GR(a[3], 16));
    if (g) { memcpy(&ev.events, g, 4); memcpy(&ev.data.u64, g + 8, 8); }
    RET(epoll_ctl((int)a[0], (int)a[1], (int)a[2], g ? &ev : NULL));
  }
  case NR_epoll_pwait: {
    struct epoll_event *evs;
    uint8_t *g;
    int maxe = (int)a[2];
    if (maxe <= 0 || maxe > 65536) return -EINVAL;
    CHK(g = GW(a[1], (uint64_t)maxe * 16));
    evs = calloc((size_t)maxe, sizeof *evs);
    if (!evs) return -ENOMEM;
    r = BLOCKING(u, epoll_wait((int)a[0], evs, maxe, (int)a[3]));
    if (r < 0) r = -errno;
    for (long k = 0; k < r; k++) {
      memset(g + 16 * k, 0, 16);
      memcpy(g + 16 * k, &evs[k].events, 4);
      memcpy(g + 16 * k + 8, &evs[k].data.u64, 8);
    }
    free(evs);
    return r;
  }
  /* ---- misc ---- */
  case NR_getrandom:
    CHK(p = GW(a[0], a[1]));
    RET(getrandom(p, a[1], (unsigned)a[2]));
  case NR_futex: {
    /* the host's futex on the guest word: guest memory is host memory */
    uint32_t *f, *f2 = NULL;
    int op = (int)a[1] & 127;
    void *ts = NULL;
    CHK(f = GW(a[0], 4));
    switch (op) {
    case 0: case 9:                  /* WAIT, WAIT_BITSET */
      if (a[3]) CHK(ts = GR(a[3], 16));
      RET(BLOCKING(u, syscall(SYS_futex, f, (int)a[1], (uint32_t)a[2], ts,
                              NULL, (uint32_t)a[5])));
    case 1: case 10:                 /* WAKE, WAKE_BITSET */
      RET(syscall(SYS_futex, f, (int)a[1], (uint32_t)a[2], NULL, NULL,
                  (uint32_t)a[5]));
    case 3: case 4: case 5:          /* REQUEUE, CMP_REQUEUE, WAKE_OP */
      CHK(f2 = GW(a[4], 4));
      RET(syscall(SYS_futex, f, (int)a[1], (uint32_t)a[2], a[3], f2,
                  (uint32_t)a[5]));
    default:
      return -ENOSYS;
    }
  }
  default:
    return -ENOSYS;
  }
}

static long sys_mmap(user_proc *u, uint64_t addr, uint64_t len, uint64_t prot,
                     uint64_t flags, uint64_t fd, uint64_t off)
{
  uint64_t s, e, plen = PG_UP(len);
  int fixed = (flags & MAP_FIXED) != 0, noreplace = (flags & 0x100000) != 0;
  unsigned gp = (unsigned)prot & 7u;
  int rc;

  if (len == 0 || plen < len || (off & (PAGE - 1))) return -EINVAL;
  if ((flags & 3) != MAP_PRIVATE && (flags & 3) != MAP_SHARED) return -EINVAL;
  if (fixed || noreplace) {
    if (addr & (PAGE - 1)) return -EINVAL;
    s = addr;
    if (s + plen > u->va_limit || s + plen < s) return -ENOMEM;
    if (noreplace && !range_free(u, s, s + plen)) return -EEXIST;
  } else {
    s = 0;
    if (addr && PG_DOWN(addr) + plen <= u->mmap_top &&
        range_free(u, PG_DOWN(addr), PG_DOWN(addr) + plen))
      s = PG_DOWN(addr);
    if (!s && !(s = vma_find_free(u, plen, u->mmap_top))) return -ENOMEM;
  }
  e = s + plen;
  if (flags & MAP_ANONYMOUS) {
    if ((flags & 3) == MAP_SHARED) {
      void *q = mmap(u->ram + s, plen, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      if (q == MAP_FAILED) return -errno;
      rc = map_range(u, s, e, gp, 1);
    } else {
      rc = map_range(u, s, e, gp, 0);
    }
    return rc < 0 ? rc : (long)s;
  }
  {
    /* map the file into the guest's RAM itself: MAP_SHARED writes and
    ** lazily read pages work as on Linux */
    int hprot = PROT_READ | PROT_WRITE, hflags = MAP_FIXED | (int)(flags & 3);
    void *q;
    if ((flags & 3) == MAP_SHARED) {
      int fl = fcntl((int)fd, F_GETFL);
      if (fl < 0) return -EBADF;
      if ((fl & O_ACCMODE) == O_RDONLY) {
        if (gp & VMRUN_USER_PROT_WRITE) return -EACCES;
        hprot = PROT_READ;
      }
    }
    q = mmap(u->ram + s, plen, hprot, hflags, (int)fd, (off_t)off);
    if (q == MAP_FAILED) {
      rc = -errno;
      if (!fixed) host_fresh(u, s, e, PROT_NONE);
      return rc;
    }
    /* pages past the end of the file would SIGBUS the host */
    {
      struct stat st;
      if (fstat((int)fd, &st) == 0 && S_ISREG(st.st_mode)) {
        uint64_t fend = PG_UP((uint64_t)st.st_size);
        if (fend < off + plen) {
          uint64_t z = fend > off ? s + (fend - off) : s;
          host_fresh(u, z, e, hprot);
        }
      }
    }
    rc = map_range(u, s, e, gp | (hprot == PROT_READ ? VMA_HOST_RO : 0), 1);
    return rc < 0 ? rc : (long)s;
  }
}

/* In a forked child: a fresh engine, so nothing of the parent's engine
** state is shared (a JIT's code cache may be a MAP_SHARED mapping that
** parent and child would both write). */
static void rebuild_engine(user_proc *u)
{
  vmrun_machine *m = u->m;
  int rc;
  if (m->engine->cpu_detach) m->engine->cpu_detach(m->engine_inst, UCPU);
  m->engine->destroy(m->engine_inst);
  m->engine_inst = NULL;
  rc = m->engine->create(&m->host, m, m->desc.engine_options, &m->engine_env,
                         &m->engine_inst);
  if (rc == 0) rc = m->engine->cpu_attach(m->engine_inst, UCPU);
  if (rc < 0) {
    vmrun__diag("vmrun: engine '%s' cannot restart in a forked child "
                "(error %d)", m->desc.engine, rc);
    _exit(1);
  }
}

static int run(user_proc *u);

/* A host SIGSEGV: the engine's direct access to guest memory faulted
** (vmrun_direct_mem): the engine resumes it at its slow path, which raises
** the guest's fault.  Anything else is a real crash, or a SIGSEGV sent by
** kill(): the default action. */
static void host_segv(int sig, siginfo_t *si, void *uc)
{
  user_proc *u = g_user;
  const vmrun_engine_ops *eo = u ? u->m->engine : NULL;
  if (si->si_code > 0 && eo && VMRUN_ENGINE_HAS(eo, host_fault) &&
      eo->host_fault && eo->host_fault(u->m->engine_inst, uc))
    return;
  signal(sig, SIG_DFL);
  if (si->si_code <= 0) raise(sig);  /* else the access faults again */
}

/* The address space starts inaccessible (host_prot); the direct-path
** descriptor for the engines; the SIGSEGV handler. */
#define DIRECT_GUARD_BITS 32        /* 4 GiB of PROT_NONE each side */

static int direct_setup(user_proc *u)
{
  vmrun_machine *m = u->m;
  vmrun_region *r = vmrun__phys_find(m, 0);
  struct sigaction sa;
  uint64_t g = 1ull << DIRECT_GUARD_BITS;
  uint8_t *cp, *res;
  /* move the (untouched) RAM mapping between two guard areas, so that
  ** engines may check a base register instead of every address */
  res = mmap(NULL, u->va_limit + 2 * g, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (res != MAP_FAILED) {
    void *q = mremap(u->ram, u->va_limit, u->va_limit,
                     MREMAP_MAYMOVE | MREMAP_FIXED, res + g);
    if (q == MAP_FAILED) {
      munmap(res, u->va_limit + 2 * g);
    } else {
      u->ram = r->host = q;
      m->direct.guard_bits = DIRECT_GUARD_BITS;
    }
  }
  if (mprotect(u->ram, u->va_limit, PROT_NONE) < 0) return -1;
  cp = mmap(NULL, u->va_limit >> VMRUN_PAGE_BITS, PROT_READ | PROT_WRITE,
            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (cp == MAP_FAILED) return -1;
  m->direct_code = cp;
  m->direct.code_pages = cp;
  m->direct.va_bits = (uint32_t)__builtin_ctzll(u->va_limit);
  m->direct.host = u->ram;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = host_segv;
  sa.sa_flags = SA_SIGINFO;
  return sigaction(SIGSEGV, &sa, NULL);
}

struct thread_start {
  user_proc *u;
  uthread *t;
  sem_t ready;
};

static void *thread_main(void *arg)
{
  struct thread_start *ts = arg;
  user_proc *u = ts->u;
  tl_thr = ts->t;
  tl_thr->tid = (pid_t)syscall(SYS_gettid);
  sem_post(&ts->ready);              /* ts lives on the creator's stack */
  big_lock(u);
  run(u);                            /* returns when this thread exited */
  tl_thr->next_free = u->free_thr;   /* its vCPU serves the next thread */
  u->free_thr = tl_thr;
  big_unlock(u);
  return NULL;
}

/* clone(CLONE_VM) without CLONE_VFORK: a guest thread on its own host
** thread and vCPU (a copy of the caller's registers). */
static long new_thread(user_proc *u, uint64_t flags, uint64_t stack,
                       uint64_t ptid, uint64_t tls, uint64_t ctid)
{
  vmrun_machine *m = u->m;
  size_t sz = (m->fe->cpu_state_size + 63) & ~(size_t)63;
  vmrun_cpu *nc, **ncpus;
  struct thread_start ts;
  pthread_attr_t attr;
  pthread_t th;
  uthread *t;
  uint32_t tid;
  int rc;

  if ((t = u->free_thr) != NULL) {   /* reuse a finished thread's vCPU */
    vmrun_cpu keep;
    u->free_thr = t->next_free;
    nc = t->cpu;
    keep = *nc;
    m->icount_gone += keep.icount;   /* vmrun.icount() stays monotonic */
    memcpy(nc, UCPU, m->fe->cpu_state_size);
    nc->tlb = keep.tlb;
    nc->engine_data = keep.engine_data;
    nc->mmu_data = keep.mmu_data;
    nc->hart_id = keep.hart_id;
    nc->exit_request = 0;
    nc->icount = 0;
    memset(t, 0, sizeof *t);
    t->cpu = nc;
    if (u->abi->enter(m->fe_inst, nc, u->pt_root) < 0) return -EAGAIN;
    m->host.tlb_flush(nc, VMRUN_TLB_INVALID);  /* and its engine caches */
  } else {
    nc = aligned_alloc(64, sz);
    t = calloc(1, sizeof *t);
    ncpus = realloc(m->cpus, (m->n_cpus + 1) * sizeof *ncpus);
    if (ncpus) m->cpus = ncpus;
    if (!nc || !t || !ncpus) { free(nc); free(t); return -EAGAIN; }
    memcpy(nc, UCPU, m->fe->cpu_state_size);
    nc->tlb = NULL;
    nc->engine_data = nc->mmu_data = NULL;
    nc->exit_request = 0;
    nc->icount = 0;
    nc->hart_id = m->n_cpus;
    if (m->mmu->cpu_attach(m->mmu_inst, nc) < 0 ||
        m->engine->cpu_attach(m->engine_inst, nc) < 0 ||
        u->abi->enter(m->fe_inst, nc, u->pt_root) < 0) {
      vmrun__log(m, VMRUN_LOG_WARN, "cannot create a vCPU for a new thread");
      return -EAGAIN;                /* (the half-built vCPU is leaked) */
    }
    m->cpus[m->n_cpus++] = nc;
    t->cpu = nc;
    if (u->n_kick < sizeof u->kick / sizeof u->kick[0]) {
      u->kick[u->n_kick] = nc;
      __atomic_add_fetch(&u->n_kick, 1, __ATOMIC_SEQ_CST);
    }
  }
  u->abi->clone_child(m->fe_inst, nc, stack, tls,
                      (flags & 0x80000 /* CLONE_SETTLS */) != 0);
  t->sigmask = tl_thr->sigmask;      /* no alternate stack (zeroed) */
  if (flags & 0x00200000 /* CLONE_CHILD_CLEARTID */) t->clear_child_tid = ctid;
  ts.u = u;
  ts.t = t;
  sem_init(&ts.ready, 0, 0);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  rc = pthread_create(&th, &attr, thread_main, &ts);
  pthread_attr_destroy(&attr);
  if (rc != 0) {                     /* keep the vCPU for the next try */
    sem_destroy(&ts.ready);
    t->next_free = u->free_thr;
    u->free_thr = t;
    return -EAGAIN;
  }
  while (sem_wait(&ts.ready) != 0 && errno == EINTR) {}
  sem_destroy(&ts.ready);
  u->threaded = 1;
  u->live_threads++;
  tid = (uint32_t)t->tid;
  if ((flags & 0x00100000 /* CLONE_PARENT_SETTID */) && GW(ptid, 4))
    memcpy(u->ram + ptid, &tid, 4);
  if ((flags & 0x01000000 /* CLONE_CHILD_SETTID */) && GW(ctid, 4))
    memcpy(u->ram + ctid, &tid, 4);
  return (long)tid;
}

static long sys_clone(user_proc *u, uint64_t flags, uint64_t stack,
                      uint64_t ptid, uint64_t tls, uint64_t ctid)
{
  pid_t pid;
  if ((flags & 0x100 /* CLONE_VM */) && !(flags & 0x4000 /* CLONE_VFORK */))
    return new_thread(u, flags, stack, ptid, tls, ctid);
  if ((flags & 0xff) != SIGCHLD && (flags & 0xff) != 0) return -EINVAL;
  fflush(NULL);
  pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    uint32_t me = (uint32_t)getpid();
    tl_thr->tid = getpid();          /* the forking thread is the child */
    u->live_threads = 1;
    rebuild_engine(u);
    if ((flags & 0x01000000 /* CLONE_CHILD_SETTID */) && GW(ctid, 4))
      memcpy(u->ram + ctid, &me, 4);
    if (flags & 0x00200000 /* CLONE_CHILD_CLEARTID */)
      tl_thr->clear_child_tid = ctid;
    u->abi->clone_child(u->m->fe_inst, UCPU, stack, tls,
                        (flags & 0x80000 /* CLONE_SETTLS */) != 0);
    __atomic_store_n(&u->pending, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&tl_thr->pending, 0, __ATOMIC_SEQ_CST);
    return NO_RETURN;                 /* registers already set */
  }
  if ((flags & 0x00100000 /* CLONE_PARENT_SETTID */) && GW(ptid, 4)) {
    uint32_t v = (uint32_t)pid;
    memcpy(u->ram + ptid, &v, 4);
  }
  if (flags & 0x4000) {               /* vfork: wait until it execs/exits */
    /* the child has its own copy of memory, so the parent may go on */
  }
  return pid;
}

/* Guest pointer array (argv/envp) to a NULL-terminated host array. */
static char **get_strv(user_proc *u, uint64_t a, size_t *n_out)
{
  size_t n = 0, cap = 16;
  char **v = malloc(cap * sizeof *v);
  if (!v) return NULL;
  for (;;) {
    const uint64_t *p = a ? GR(a + 8 * n, 8) : NULL;
    if (a && !p) { free(v); return NULL; }
    if (n + 1 >= cap) {
      char **nv = realloc(v, (cap *= 2) * sizeof *v);
      if (!nv) { free(v); return NULL; }
      v = nv;
    }
    if (!a || *p == 0) break;
    if (!(v[n] = (char *)(uintptr_t)gstr(u, *p))) { free(v); return NULL; }
    n++;
  }
  v[n] = NULL;
  if (n_out) *n_out = n;
  return v;
}

/* execve: re-run vmrun --user on the new program, same options. */
static long sys_execve(user_proc *u, uint64_t a0, uint64_t a1, uint64_t a2)
{
  char pb[PATH_MAX + 256], hdr[4], maskbuf[20];
  const char *path;
  char **argv, **envp, **nv;
  size_t argc, nopt = 0, k = 0;
  int fd;
  ssize_t n;

  if (!(path = gstr(u, a0))) return -EFAULT;
  if (strcmp(path, "/proc/self/exe") == 0) path = u->exe_path;
  path = xpath(u, path, pb, sizeof pb);
  if (access(path, X_OK) < 0) return -errno;
  if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) return -errno;
  n = read(fd, hdr, 4);
  close(fd);
  if (n < 4 || (memcmp(hdr, "\177ELF", 4) != 0 && memcmp(hdr, "#!", 2) != 0))
    return -ENOEXEC;
  if (!(argv = get_strv(u, a1, &argc))) return -EFAULT;
  if (!(envp = get_strv(u, a2, NULL))) { free(argv); return -EFAULT; }
  while (u->opts->vmrun_opts && u->opts->vmrun_opts[nopt]) nopt++;
  nv = calloc(nopt + argc + 14, sizeof *nv);
  if (!nv) { free(argv); free(envp); return -ENOMEM; }
  nv[k++] = (char *)"vmrun";
  for (size_t i = 0; i < nopt; i++) nv[k++] = u->opts->vmrun_opts[i];
  if (u->sysroot) {
    nv[k++] = (char *)"--sysroot";
    nv[k++] = (char *)u->sysroot;
  }
  if (u->opts->engine) {
    nv[k++] = (char *)"--engine";
    nv[k++] = (char *)u->opts->engine;
  }
  if (tl_thr->sigmask) {               /* execve keeps the signal mask */
    snprintf(maskbuf, sizeof maskbuf, "%llx",
             (unsigned long long)tl_thr->sigmask);
    nv[k++] = (char *)"--user-sigmask";
    nv[k++] = maskbuf;
  }
  nv[k++] = (char *)"--user";
  if (argc > 0) { nv[k++] = (char *)"--argv0"; nv[k++] = argv[0]; }
  nv[k++] = (char *)"--";
  nv[k++] = (char *)path;
  for (size_t i = 1; i < argc; i++) nv[k++] = argv[i];
  nv[k] = NULL;
  fflush(NULL);
  execve("/proc/self/exe", nv, envp);
  n = -errno;
  free(nv); free(argv); free(envp);
  return n;
}

/* ---- the run loop ---- */

/* Scripts' on_syscall / on_syscall_exit hooks (only while m->lua_syscall:
** one predictable branch per system call otherwise).  Called with the big
** lock held, as every entry into the Lua state in user mode is. */
static void lua_syscall(user_proc *u, const vmrun_user_trap *t, uint64_t nr,
                        const uint64_t *a, long r, int is_exit)
{
  vmrun_lua_syscall sc;
  sc.nr = nr;
  memcpy(sc.args, a, sizeof sc.args);
  sc.pc = t->pc;
  sc.tid = tl_thr->tid;
  sc.ret = r;
  vmrun__lua_syscall(u->m, UCPU, &sc, is_exit);
}

static void handle_trap(user_proc *u, const vmrun_user_trap *t)
{
  uint64_t nr, a[6];
  long r;
  switch (t->kind) {
  case VMRUN_USER_TRAP_SYSCALL:
    u->abi->syscall_args(u->m->fe_inst, UCPU, &nr, a);
    if (u->abi->sysno_map) {
      nr = nr < u->abi->sysno_count && u->abi->sysno_map[nr] >= 0
           ? (uint64_t)u->abi->sysno_map[nr] : 100000;
    }
    if (__builtin_expect(u->m->lua_syscall, 0)) {
      lua_syscall(u, t, nr, a, 0, 0);
      if (u->m->stop) {              /* vmrun.stop(): the call is not made */
        u->exited = 1;
        u->exit_status = u->m->exit_code;
        return;
      }
    }
    r = do_syscall(u, nr, a);
    if (r == NO_RETURN) return;          /* clone child, sigreturn */
    if (__builtin_expect(u->m->lua_syscall, 0) && !u->exited &&
        !tl_thr->exited)
      lua_syscall(u, t, nr, a, r, 1);
    if (r == -EINTR && nr != NR_rt_sigsuspend && nr != NR_ppoll &&
        nr != NR_pselect6 && nr != NR_nanosleep && nr != NR_clock_nanosleep &&
        nr != NR_epoll_pwait) {
      uint64_t p = deliverable(u);
      if (p && u->sig[__builtin_ctzll(p) + 1].handler > 1 &&
          (u->sig[__builtin_ctzll(p) + 1].flags & G_SA_RESTART))
        return;       /* SA_RESTART: pc stays on the syscall instruction */
    }
    if (r == -ENOSYS && nr != NR_rseq && nr != NR_clone3 && nr < 1024 &&
        !(u->unknown_seen[nr / 8] & (1u << (nr % 8)))) {
      u->unknown_seen[nr / 8] |= (uint8_t)(1u << (nr % 8));
      vmrun__log(u->m, VMRUN_LOG_INFO, "syscall %llu is not implemented "
                 "(-ENOSYS)", (unsigned long long)nr);
    }
    if (vmrun__verbose > 1)
      vmrun__log(u->m, VMRUN_LOG_DEBUG, "syscall %llu(0x%llx, 0x%llx, 0x%llx)"
                 " = %ld", (unsigned long long)nr, (unsigned long long)a[0],
                 (unsigned long long)a[1], (unsigned long long)a[2], r);
    if (!u->exited) u->abi->syscall_return(u->m->fe_inst, UCPU, (uint64_t)r);
    return;
  case VMRUN_USER_TRAP_FAULT: {
    /* t->addr is where the access starts.  If its page allows the access,
    ** the fault came from the next page (a misaligned access or a fetch
    ** crossing the boundary): like Linux, which reports stval, "the
    ** portion of the access that caused the fault" (Privileged ISA
    ** §4.1.9), si_addr is that page's first byte and si_code is about
    ** that page: SEGV_MAPERR when nothing is mapped there, else
    ** SEGV_ACCERR. */
    uint64_t addr = t->addr;
    unsigned need = t->access == VMRUN_ACCESS_STORE ? VMRUN_USER_PROT_WRITE
                  : t->access == VMRUN_ACCESS_FETCH ? VMRUN_USER_PROT_EXEC
                  : VMRUN_USER_PROT_READ | VMRUN_USER_PROT_WRITE;
    const vma *v = vma_find(u, addr);
    if (v && (v->prot & need)) {
      addr = PG_DOWN(addr) + PAGE;     /* (at most va_limit: no VMA there) */
      v = vma_find(u, addr);
    }
    vmrun__log(u->m, VMRUN_LOG_INFO, "SIGSEGV: %s fault at 0x%llx, pc "
               "0x%llx", t->access == VMRUN_ACCESS_STORE ? "store" :
               t->access == VMRUN_ACCESS_FETCH ? "fetch" : "load",
               (unsigned long long)addr, (unsigned long long)t->pc);
    fault_signal(u, SIGSEGV, v ? 2 /* SEGV_ACCERR */ : 1 /* SEGV_MAPERR */,
                 addr);
    return;
  }
  case VMRUN_USER_TRAP_ILLEGAL:
    vmrun__log(u->m, VMRUN_LOG_INFO, "SIGILL at pc 0x%llx",
               (unsigned long long)t->pc);
    fault_signal(u, SIGILL, 1 /* ILL_ILLOPC */, t->pc);
    return;
  case VMRUN_USER_TRAP_BREAKPOINT:
    fault_signal(u, SIGTRAP, 1 /* TRAP_BRKPT */, t->pc);
    return;
  case VMRUN_USER_TRAP_MISALIGNED:
    fault_signal(u, SIGBUS, 1 /* BUS_ADRALN */, t->addr);
    return;
  default: fatal_signal(u, SIGSEGV); return;
  }
}

/* Run the calling host thread's guest thread until it or the process
** exits.  Called with the big lock held. */
static int run(user_proc *u)
{
  vmrun_machine *m = u->m;
  vmrun_cpu *cpu = UCPU;
  vmrun_user_trap t;
  while (!u->exited && !tl_thr->exited) {
    uint32_t req;
    int why;
    cpu->insn_budget = 1000000;
    if (m->max_insns) {
      if (cpu->icount >= m->max_insns) {
        vmrun__diag("vmrun: stopped after %llu instructions (--max-insns)",
                    (unsigned long long)cpu->icount);
        return 124;
      }
      if (m->max_insns - cpu->icount < cpu->insn_budget)
        cpu->insn_budget = m->max_insns - cpu->icount;
    }
    if (m->lua) {                    /* a script's vmrun.every() due */
      uint64_t l = vmrun__lua_slice_limit(m);
      if (l < cpu->insn_budget) cpu->insn_budget = l;
    }
    m->current_cpu = cpu;
    why = m->engine->run(m->engine_inst, cpu);
    m->current_cpu = NULL;
    if (why == VMRUN_RUN_ERROR) {
      vmrun__diag("vmrun: engine '%s' stopped on an internal error at "
                  "pc=0x%llx", m->desc.engine, (unsigned long long)cpu->pc);
      return 1;
    }
    req = __atomic_exchange_n(&cpu->exit_request, 0, __ATOMIC_SEQ_CST);
    if (req & VMRUN_EXIT_FLUSH) m->engine->flush(m->engine_inst);
    if (u->abi->take_trap(m->fe_inst, cpu, &t)) handle_trap(u, &t);
    if (!u->exited) deliver_pending(u);
    if (why == VMRUN_RUN_HALT) cpu->halted = 0;  /* WFI in U-mode: a nop */
    if (m->lua) vmrun__lua_poll(m);
    if (m->stop && !u->exited) {     /* vmrun.stop() or a script error */
      u->exited = 1;
      u->exit_status = m->exit_code;
    }
    if (u->threaded) { big_unlock(u); big_lock(u); }   /* take turns */
  }
  if (u->exited && u->threaded) {    /* exit_group or a fatal signal with
                                        other threads about: end them all */
    int st = vmrun__lua_finish(m, u->exit_status);   /* on_exit hooks */
    fflush(NULL);
    die_like_guest(u, st);
    _exit(st);
  }
  if (tl_thr->exited && tl_thr == &u->main_thr) {
    /* the main thread called exit() alone: the process lives on until
    ** another thread ends it */
    big_unlock(u);
    for (;;) pause();
  }
  return u->exit_status;
}

/* ---- bring-up ---- */

static char *yaml_machine(const char *isa, uint64_t ram, const char *engine)
{
  char *s = NULL;
  if (asprintf(&s, "version: 1\nmachine:\n  arch: %s\n  ram: 0x%llx\n"
               "  ram_base: 0\n  engine: '%s'\n", isa,
               (unsigned long long)ram, engine) < 0)
    return NULL;
  return s;
}

int vmrun__user_main(const vmrun_user_opts *o)
{
  user_proc *u;
  vmrun_machine_desc desc;
  vmrun_machine *m;
  vmrun_cfg *root;
  elf64_ehdr eh;
  loaded prog, interp;
  const char *isa, *engine = o->engine ? o->engine : "interp";
  char *yaml, *ipath = NULL, **argv;
  char rp[PATH_MAX];
  size_t argc = 0;
  uint64_t sp = 0;
  int fd, status = VMRUN_USER_EXIT_NOEXEC;
  extern char **environ;

  memset(&prog, 0, sizeof prog);
  memset(&interp, 0, sizeof interp);
  if (o->sysroot) {
    struct stat st;
    if (stat(o->sysroot, &st) < 0)
      return bad("--sysroot %s: %s", o->sysroot, strerror(errno));
    if (!S_ISDIR(st.st_mode))
      return bad("--sysroot %s: not a directory", o->sysroot);
    if (access(o->sysroot, R_OK | X_OK) < 0)
      return bad("--sysroot %s: %s", o->sysroot, strerror(errno));
  }
  fd = open(o->program, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bad("%s: %s", o->program, strerror(errno));
  {
    ssize_t n = pread(fd, &eh, sizeof eh, 0);
    close(fd);
    if (n < 4 || memcmp(eh.ident, "\177ELF", 4) != 0)
      return bad("%s: not an ELF file", o->program);
    if (n < (ssize_t)sizeof eh || eh.ident[4] != 2)
      return bad("%s: ELF class %u is not supported (64-bit ELF expected)",
                 o->program, eh.ident[4]);
  }
  if (!(isa = isa_of_machine(eh.machine)))
    return bad("%s: ELF machine %u is not supported by user mode", o->program,
               eh.machine);
  u = calloc(1, sizeof *u);
  if (!u) return bad("out of memory");
  u->opts = o;
  u->sysroot = o->sysroot;
  if (!u->sysroot) {
    /* the one scripts/fetch-guest-images builds, when present */
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *d = NULL;
    struct stat st;
    if ((xdg && *xdg && asprintf(&d, "%s/vmrun/images/%s/sysroot", xdg,
                                 isa) > 0) ||
        (home && *home && asprintf(&d, "%s/.cache/vmrun/images/%s/sysroot",
                                   home, isa) > 0)) {
      if (stat(d, &st) == 0 && S_ISDIR(st.st_mode)) {
        u->default_sysroot = d;
        u->sysroot = d;
      } else {
        free(d);
      }
    }
  }
  /* the machine: RAM over the whole user VA space (the frontend's limit is
  ** known once it is loaded; riscv64 Sv39: 256 GiB) */
  yaml = yaml_machine(isa, 1ull << 38, engine);
  root = yaml ? vmrun__cfg_load_string(yaml, "<user mode>") : NULL;
  free(yaml);
  memset(&desc, 0, sizeof desc);
  if (!root || vmrun__desc_build(root, &desc) < 0) {
    vmrun__desc_free(&desc);
    free(u);
    return 1;
  }
  desc.user_mode = 1;
  if (o->engine_options) desc.engine_options = o->engine_options;
  if (o->yaml && vmrun__desc_scripts(o->yaml, &desc) != 0) {
    vmrun__desc_free(&desc);
    free(u);
    return 1;
  }
  m = vmrun__machine_new(&desc, o->verbose, o->trace, o->max_insns);
  if (!m) { free(u); return 1; }
  u->m = m;
  u->main_thr.cpu = m->cpus[0];
  u->kick[0] = m->cpus[0];
  u->n_kick = 1;
  u->main_thr.tid = getpid();
  u->main_thr.sigmask = o->sigmask & ~UNBLOCKABLE;
  u->live_threads = 1;
  tl_thr = &u->main_thr;
  if (m->fe->struct_size < offsetof(vmrun_frontend_ops, user) +
      sizeof(void *) || !m->fe->user) {
    status = bad("frontend '%s' does not support user mode", isa);
    goto out;
  }
  u->abi = m->fe->user;
  u->va_limit = u->abi->va_limit;
  if (u->va_limit != 1ull << 38) {
    status = bad("frontend '%s': user VA limit 0x%llx unsupported", isa,
                 (unsigned long long)u->va_limit);
    goto out;
  }
  u->ram = vmrun__phys_find(m, 0)->host;
  if (direct_setup(u) < 0) {
    status = bad("cannot set up the guest address space: %s",
                 strerror(errno));
    goto out;
  }
  u->pt_base = u->va_limit;
  if (vmrun__phys_add(m, "user-pagetables", VMRUN_REGION_RAM, u->pt_base,
                      PT_REGION_SIZE, NULL, NULL) < 0) {
    status = 1;
    goto out;
  }
  u->pt = vmrun__phys_find(m, u->pt_base)->host;
  u->pt_next = u->pt_base;
  u->pt_root = pt_alloc(u);
  if (u->abi->enter(m->fe_inst, UCPU, u->pt_root) < 0) {
    status = bad("frontend '%s' cannot enter user mode", isa);
    goto out;
  }
  u->stack_top = u->va_limit - PAGE;
  u->mmap_top = u->stack_top - STACK_SIZE - (1ull << 28);
  u->exe_path = realpath(o->program, rp) ? strdup(rp) : strdup(o->program);
  if (!u->exe_path) { status = bad("out of memory"); goto out; }

  if ((status = load_elf(u, o->program, 0, &prog)) != 0) goto out;
  u->exec_stack = prog.exec_stack;
  if (prog.interp) {
    char buf[PATH_MAX + 256];
    struct stat st;
    if (u->sysroot) {
      snprintf(buf, sizeof buf, "%s%s", u->sysroot, prog.interp);
      ipath = strdup(buf);
    } else {
      ipath = strdup(prog.interp);
    }
    if (!ipath) { status = bad("out of memory"); goto out; }
    if (stat(ipath, &st) < 0) {
      status = bad("%s: interpreter %s not found%s%s (%s)", o->program,
                   prog.interp, u->sysroot ? " in sysroot " : "",
                   u->sysroot ? u->sysroot : "", strerror(errno));
      goto out;
    }
    if ((status = load_elf(u, ipath, 1, &interp)) != 0) goto out;
  }
  u->brk_start = u->brk_cur = prog.hi;
  /* the stack */
  if (map_range(u, u->stack_top - STACK_SIZE, u->stack_top,
                VMRUN_USER_PROT_READ | VMRUN_USER_PROT_WRITE |
                (u->exec_stack ? VMRUN_USER_PROT_EXEC : 0), 0) < 0) {
    status = bad("cannot map the stack");
    goto out;
  }
  {
    size_t na = 0;
    while (o->args && o->args[na]) na++;
    argv = calloc(na + 2, sizeof *argv);
    if (!argv) { status = bad("out of memory"); goto out; }
    argv[argc++] = (char *)(o->argv0 ? o->argv0 : o->program);
    for (size_t i = 0; i < na; i++) argv[argc++] = o->args[i];
    status = build_stack(u, &prog, prog.interp ? &interp : NULL, argv, argc,
                         o->env ? o->env : environ, &sp);
    free(argv);
    if (status) goto out;
  }
  /* the sigreturn code, in the page above the stack */
  u->tramp = u->stack_top;
  if (u->abi->sigreturn_code && u->abi->sigreturn_code_size <= PAGE) {
    map_range(u, u->tramp, u->tramp + PAGE, VMRUN_USER_PROT_READ |
              VMRUN_USER_PROT_WRITE, 0);
    memcpy(u->ram + u->tramp, u->abi->sigreturn_code,
           u->abi->sigreturn_code_size);
    map_range(u, u->tramp, u->tramp + PAGE, VMRUN_USER_PROT_READ |
              VMRUN_USER_PROT_EXEC, 1);
  }
  g_user = u;
  big_lock(u);
  u->abi->set_entry(m->fe_inst, UCPU,
                    prog.interp ? interp.entry : prog.entry, sp);
  signal(SIGPIPE, SIG_IGN);   /* EPIPE comes back; the guest decides */
  if (vmrun__lua_wanted(&m->desc)) {   /* scripts: docs/lua.md */
    if (vmrun__lua_user_image(o->program, prog.bias, prog.hi) < 0 ||
        (prog.interp &&
         vmrun__lua_user_image(ipath, interp.bias, interp.hi) < 0) ||
        vmrun__lua_start(m) < 0) {
      status = 1;
      big_unlock(u);
      g_user = NULL;
      goto out;
    }
    vmrun__lua_run_start(m);
  }
  {
    uint64_t t0 = vmrun__host_ns();
    status = m->stop ? m->exit_code : run(u);   /* stop() at load time */
    status = vmrun__lua_finish(m, status);
    if (o->stats) vmrun__machine_stats(m, vmrun__host_ns() - t0, stderr);
    die_like_guest(u, status);
  }
  big_unlock(u);
  g_user = NULL;
out:
  free(prog.interp);
  free(ipath);
  free(u->exe_path);
  free(u->default_sysroot);
  free(u->vmas);
  free(u);
  vmrun__machine_free(m);
  return status;
}
