/* tests/user/memory.c - brk, mmap/munmap/mremap/mprotect (anonymous and
** file), and bad pointers (-EFAULT, never a crash).  "prot" as argv[1]:
** writing a read-only page must kill the program with SIGSEGV. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jb;
static void on_segv(int sig) { (void)sig; siglongjmp(jb, 1); }

/* 1 if the store went through, 0 if it raised SIGSEGV */
static int try_st(volatile char *p, char v)
{
  if (sigsetjmp(jb, 1)) return 0;
  *p = v;
  return 1;
}

/* the byte, or -1 if the load raised SIGSEGV */
static int try_ld(volatile char *p)
{
  if (sigsetjmp(jb, 1)) return -1;
  return *p;
}

/* Address-space changes after the pages were used (so an emulator's TLB
** holds them): each change must be seen by the next access. */
static void changes_seen(long pg)
{
  char *a, *b, *q, *brk0;
  signal(SIGSEGV, on_segv);
  a = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
           -1, 0);
  printf("tlb-st %d %d\n", try_st(a, 1), try_st(a + pg, 2));
  mprotect(a, pg, PROT_READ);
  printf("tlb-mprotect-ro st %d ld %d\n", try_st(a, 3), try_ld(a));
  mprotect(a, pg, PROT_NONE);
  printf("tlb-mprotect-none ld %d\n", try_ld(a));
  mprotect(a, pg, PROT_READ | PROT_WRITE);
  printf("tlb-mprotect-rw st %d ld %d\n", try_st(a, 4), try_ld(a));
  munmap(a, pg);
  printf("tlb-munmap ld %d next %d\n", try_ld(a), try_ld(a + pg));
  b = mmap(a + pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
           -1, 0);
  printf("tlb-fixed-ro %d st %d ld %d\n", b == a + pg, try_st(b, 5),
         try_ld(b));
  b = mmap(a, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
           MAP_FIXED, -1, 0);
  printf("tlb-remap ld %d st %d ld %d\n", try_ld(b), try_st(b, 6), try_ld(b));
  /* a fresh mapping right after the others: usable at once */
  b = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
           -1, 0);
  printf("tlb-fresh st %d ld %d\n", try_st(b, 7), try_ld(b));
  /* mremap that moves: the old address is gone */
  mmap(a + 4 * pg, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
       -1, 0);                         /* no room to grow in place */
  try_st(a + 2 * pg, 8);
  q = mremap(a + 2 * pg, 2 * pg, 8 * pg, MREMAP_MAYMOVE);
  printf("tlb-mremap moved %d ld %d old %d\n", q != a + 2 * pg, try_ld(q),
         try_ld(a + 2 * pg));
  /* brk shrinks and grows back: fresh zeroes */
  sbrk((pg - (long)((unsigned long)sbrk(0) & (pg - 1))) & (pg - 1));
  brk0 = sbrk(0);                      /* page aligned now */
  sbrk(pg);
  printf("tlb-brk st %d", try_st(brk0, 9));
  sbrk(-pg);                           /* (qemu-user keeps the page: */
  sbrk(pg);                            /*  no load in between) */
  printf(" regrown ld %d\n", try_ld(brk0));
  signal(SIGSEGV, SIG_DFL);
}

/* .data: the program file's pages, private.  MADV_DONTNEED on them gives
** the file's bytes back (Linux, qemu-riscv64), not zeros. */
static int data_pages[3 * 1024] __attribute__((aligned(4096))) =
    { 7, [1024] = 3 };

static void dontneed_data(void)
{
  volatile int *v = data_pages;
  v[0] = 9;
  v[1024] = 5;
  printf("madvise-data %d", madvise(data_pages, 4096, MADV_DONTNEED));
  printf(" reread %d untouched %d\n", v[0], v[1024]);
}

int main(int argc, char **argv)
{
  char *p, *q, *b0, *b1;
  long pg = sysconf(_SC_PAGESIZE);
  int fd, sum = 0;

  printf("pagesize %ld\n", pg);
  b0 = sbrk(0);
  b1 = sbrk(1 << 20);
  printf("sbrk %d\n", b1 == b0);
  memset(b1, 7, 1 << 20);
  printf("sbrk-grows %d\n", sbrk(0) == b0 + (1 << 20));
  p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
           -1, 0);
  printf("mmap %d zero %d\n", p != MAP_FAILED, p[0] == 0 && p[4 * pg - 1] == 0);
  strcpy(p, "anon");
  q = mremap(p, 4 * pg, 64 * pg, MREMAP_MAYMOVE);
  printf("mremap %d kept '%s'\n", q != MAP_FAILED, q);
  q[64 * pg - 1] = 1;
  printf("munmap %d\n", munmap(q, 64 * pg));
  /* a big allocation (malloc uses mmap above its threshold) */
  p = malloc(32 << 20);
  memset(p, 1, 32 << 20);
  for (int i = 0; i < 32 << 20; i += 4096) sum += p[i];
  printf("malloc32M sum %d\n", sum);
  free(p);
  /* file mapping */
  fd = open("/proc/self/exe", O_RDONLY);
  p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
  printf("file-mmap %d elf %d\n", p != MAP_FAILED, memcmp(p, "\177ELF", 4) == 0);
  munmap(p, pg);
  /* a shared mapping of a read-only file never becomes writable */
  p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
  errno = 0;
  printf("shared-ro-mprotect-w %d %d\n", mprotect(p, pg, PROT_READ | PROT_WRITE),
         errno == EACCES);
  munmap(p, pg);
  close(fd);
  /* bad pointers give EFAULT */
  errno = 0;
  {
    void *volatile bad = (void *)16;   /* hide it from the compiler */
    printf("write-bad %zd %d\n", write(1, bad, 4), errno == EFAULT);
  }
  p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fd = open("/proc/self/exe", O_RDONLY);
  errno = 0;
  printf("read-into-ro %zd %d\n", read(fd, p, 16), errno == EFAULT);
  close(fd);
  errno = 0;
  printf("open-badpath %d %d\n", open((char *)8, O_RDONLY), errno == EFAULT);
  printf("mprotect %d\n", mprotect(p, pg, PROT_READ | PROT_WRITE));
  p[0] = 5;
  printf("after-mprotect %d\n", p[0]);
  printf("mprotect-ro %d\n", mprotect(p, pg, PROT_READ));
  changes_seen(pg);
  dontneed_data();
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "prot") == 0) p[1] = 1;  /* SIGSEGV */
  printf("unmapped-access-skipped\n");
  return 0;
}
