/* tests/user/process.c - process, time and randomness syscalls: ids, uname,
** rlimits, rusage, sysinfo, clocks, nanosleep, getrandom, pipe2 + fork +
** wait4 exit status, ppoll/pselect on a pipe, execve of itself (argv[0]). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  struct utsname un;
  struct rlimit rl;
  struct rusage ru;
  struct sysinfo si;
  struct timespec t0, t1, res, ts = { 0, 20 * 1000 * 1000 };
  struct timeval tv;
  unsigned char rnd[32];
  int fds[2], st, nz = 0;
  pid_t pid;
  char buf[64];

  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("exec'd child argc %d arg2 %s\n", argc, argv[2]);
    /* execve keeps the signal mask (POSIX; the parent blocked SIGUSR2) */
    printf("exec'd child mask usr2 %d usr1 %d\n", sigismember(&cur, SIGUSR2),
           sigismember(&cur, SIGUSR1));
    return 7;
  }
  printf("env VMRUN_TEST_ENV=%s\n", getenv("VMRUN_TEST_ENV") ?
         getenv("VMRUN_TEST_ENV") : "(unset)");
  printf("pid==tid %d\n", getpid() == (pid_t)syscall(SYS_gettid));
  printf("ppid>0 %d\n", getppid() > 0);
  printf("uid==euid %d gid==egid %d\n", getuid() == geteuid(),
         getgid() == getegid());
  uname(&un);
  printf("uname %s %s\n", un.sysname, un.machine);
  printf("getrlimit %d nofile>0 %d\n", getrlimit(RLIMIT_NOFILE, &rl),
         rl.rlim_cur > 0);
  printf("prlimit %d\n", prlimit(0, RLIMIT_STACK, NULL, &rl));
  printf("getrusage %d\n", getrusage(RUSAGE_SELF, &ru));
  printf("sysinfo %d mem>0 %d\n", sysinfo(&si), si.totalram > 0);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  printf("nanosleep %d\n", nanosleep(&ts, NULL));
  printf("clock_nanosleep %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("slept>=40ms %d\n", (t1.tv_sec - t0.tv_sec) * 1000000000L +
         (t1.tv_nsec - t0.tv_nsec) >= 40000000L);
  printf("clock_getres %d\n", clock_getres(CLOCK_REALTIME, &res));
  printf("gettimeofday %d year>=2024 %d\n", gettimeofday(&tv, NULL),
         tv.tv_sec > 1704067200);
  printf("getrandom %zd\n", getrandom(rnd, sizeof rnd, 0));
  for (unsigned i = 0; i < sizeof rnd; i++) nz += rnd[i] != 0;
  printf("random-nonzero %d\n", nz > 16);
  printf("pipe2 %d\n", pipe2(fds, O_CLOEXEC));
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    close(fds[0]);
    nanosleep(&ts, NULL);
    write(fds[1], "from child", 10);
    _exit(5);
  }
  close(fds[1]);
  {
    struct pollfd pf = { fds[0], POLLIN, 0 };
    fd_set rs;
    struct timespec to = { 5, 0 };
    printf("ppoll %d revents-in %d\n", ppoll(&pf, 1, &to, NULL),
           (pf.revents & POLLIN) != 0);
    FD_ZERO(&rs);
    FD_SET(fds[0], &rs);
    printf("pselect %d\n", pselect(fds[0] + 1, &rs, NULL, NULL, &to, NULL));
  }
  memset(buf, 0, sizeof buf);
  printf("read-from-child %zd '%s'\n", read(fds[0], buf, sizeof buf - 1), buf);
  printf("wait4 ok %d\n", wait4(pid, &st, 0, &ru) == pid);
  printf("child status exited %d code %d\n", WIFEXITED(st), WEXITSTATUS(st));
  fflush(stdout);
  /* qemu-riscv64 cannot execve a riscv64 program without binfmt_misc, so
  ** the reference run leaves this out (argv[1] == "exec" turns it on) */
  if (argc > 1 && strcmp(argv[1], "exec") == 0) {
    pid = fork();
    if (pid == 0) {
      char *av[] = { argv[0], "child", "two", NULL };
      sigset_t s;
      sigemptyset(&s);
      sigaddset(&s, SIGUSR2);
      sigprocmask(SIG_BLOCK, &s, NULL);
      execv(argv[0], av);
      fprintf(stderr, "execv %s: %s\n", argv[0], strerror(errno));
      _exit(99);
    }
    waitpid(pid, &st, 0);
    printf("exec child code %d\n", WEXITSTATUS(st));
  }
  pid = fork();
  if (pid == 0) { *(volatile int *)8 = 0; _exit(0); }
  waitpid(pid, &st, 0);
  printf("segv child: signaled-or-139 %d\n",
         (WIFSIGNALED(st) && WTERMSIG(st) == 11) ||
         (WIFEXITED(st) && WEXITSTATUS(st) == 139));
  return 0;
}
