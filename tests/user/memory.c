/* tests/user/memory.c - brk, mmap/munmap/mremap/mprotect (anonymous and
** file), and bad pointers (-EFAULT, never a crash).  "prot" as argv[1]:
** writing a read-only page must kill the program with SIGSEGV. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "prot") == 0) p[1] = 1;  /* SIGSEGV */
  printf("unmapped-access-skipped\n");
  return 0;
}
