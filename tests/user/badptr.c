/* tests/user/badptr.c - bad guest pointers given to syscalls must come
** back as EFAULT (never crash the emulator): unmapped, NULL-page, kernel
** half and read-only buffers for the syscalls that take pointers.  Prints
** one line per call: its name and whether it failed with EFAULT.
** (Not nanosleep: qemu-riscv64 7.2 ignores a bad request pointer, where
** Linux and vmrun return EFAULT.)  wait4 with nothing to reap is ECHILD,
** not EFAULT: Linux writes the status only when it reaped a child. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define T(name, ...) do { errno = 0; long r_ = syscall(__VA_ARGS__); \
  printf("%-16s %s %d\n", name, which, r_ == -1 && errno == EFAULT); } while (0)

int main(void)
{
  int fds[2];
  long pg = sysconf(_SC_PAGESIZE);
  char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long bad[] = { 8, 0x7ff000, (long)0xffffffc000000000ul, (long)ro };
  const char *names[] = { "low", "unmapped", "kernel", "readonly" };
  int dfd = open(".", O_RDONLY | O_DIRECTORY);

  pipe(fds);
  write(fds[1], "0123456789", 10);
  for (int k = 0; k < 4; k++) {
    long p = bad[k];
    const char *which = names[k];
    int ro_case = k == 3;          /* readable: only writes must fail */
    T("read", SYS_read, fds[0], p, 4);
    if (!ro_case) {
      T("write", SYS_write, fds[1], p, 4);
      T("openat", SYS_openat, AT_FDCWD, p, O_RDONLY);
      T("readv", SYS_readv, fds[0], p, 1);
      T("rt_sigaction", SYS_rt_sigaction, SIGUSR1, p, 0, 8);
    }
    T("fstat", SYS_fstat, 0, p);
    T("newfstatat", SYS_newfstatat, AT_FDCWD, ".", p, 0);
    T("getdents64", SYS_getdents64, dfd, p, 4096);
    T("pipe2", SYS_pipe2, p, 0);
    T("uname", SYS_uname, p);
    T("clock_gettime", SYS_clock_gettime, CLOCK_MONOTONIC, p);
    T("getrandom", SYS_getrandom, p, 16, 0);
    T("sysinfo", SYS_sysinfo, p);
    T("getrusage", SYS_getrusage, 0, p);
    T("wait4", SYS_wait4, -1, p, 1 /* WNOHANG */, 0);
    T("rt_sigprocmask", SYS_rt_sigprocmask, SIG_BLOCK, 0, p, 8);
    T("getcwd", SYS_getcwd, p, 64);
    T("readlinkat", SYS_readlinkat, AT_FDCWD, "/proc/self/exe", p, 64);
    T("statx", SYS_statx, AT_FDCWD, ".", 0, 0x7ff, p);
  }
  printf("survived\n");
  return 0;
}
