/* tests/user/signals.c - signal delivery: SA_SIGINFO handlers for raise()
** and kill(), blocked and pending signals, a SIGSEGV handler leaving by
** siglongjmp with si_addr, sigaltstack, registers (FP too) preserved
** across a handler, a signal from another process during sigsuspend,
** SIGCHLD, SA_RESETHAND, and SIGPIPE's default action. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got, got_code, chld;
static volatile void *fault_addr;
static sigjmp_buf jb;
static char *alt_lo, *alt_hi;
static volatile int on_alt;

static void on_info(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  got = sig;
  got_code = si->si_code;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
  char here;
  (void)sig; (void)uc;
  fault_addr = si->si_addr;
  on_alt = &here >= alt_lo && &here < alt_hi;
  siglongjmp(jb, 1);
}

static void on_fp(int sig)
{
  volatile double x = 1.0;
  for (int i = 0; i < 100; i++) x = x * 1.5 + (double)sig;
  got = sig;
}

static void on_chld(int sig) { (void)sig; chld = 1; }

int main(void)
{
  struct sigaction sa;
  sigset_t set, old, pend;
  stack_t ss;
  volatile double keep = 3.25;
  int st;
  pid_t pid;

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  printf("raise: handler got %d code-is-tkill %d\n", got, got_code == SI_TKILL);
  got = 0;
  kill(getpid(), SIGUSR1);
  printf("kill: handler got %d code-is-user %d\n", got, got_code == SI_USER);

  /* blocked, pending, then delivered on unblock */
  got = 0;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR1);
  sigpending(&pend);
  printf("blocked: got %d pending %d\n", got, sigismember(&pend, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("unblocked: got %d\n", got);

  /* FP and integer state survive a handler */
  signal(SIGUSR2, on_fp);
  raise(SIGUSR2);
  printf("fp handler ran %d keep %.2f\n", got == SIGUSR2, keep);

  /* SIGSEGV on an alternate stack, recovered with siglongjmp */
  ss.ss_size = 64 * 1024;
  ss.ss_sp = malloc(ss.ss_size);
  ss.ss_flags = 0;
  alt_lo = ss.ss_sp;
  alt_hi = alt_lo + ss.ss_size;
  printf("sigaltstack %d\n", sigaltstack(&ss, NULL));
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, NULL);
  if (sigsetjmp(jb, 1) == 0) {
    *(volatile int *)0x1234 = 1;
    printf("not reached\n");
  } else {
    printf("segv recovered addr 0x%lx on-alt %d\n",
           (unsigned long)(uintptr_t)fault_addr, on_alt);
  }

  /* another process signals us while we wait in sigsuspend */
  got = 0;
  sigprocmask(SIG_BLOCK, &set, &old);
  fflush(stdout);
  pid = fork();
  if (pid == 0) { kill(getppid(), SIGUSR1); _exit(0); }
  {
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGUSR1);
    while (!got) sigsuspend(&wait_mask);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("sigsuspend woke by %d code-is-user %d\n", got, got_code == SI_USER);
  waitpid(pid, &st, 0);

  /* SIGCHLD from the host */
  signal(SIGCHLD, on_chld);
  fflush(stdout);
  pid = fork();
  if (pid == 0) _exit(3);
  while (!chld) usleep(1000);
  waitpid(pid, &st, 0);
  printf("sigchld %d child code %d\n", chld, WEXITSTATUS(st));

  /* SA_RESETHAND: the second raise takes the default action */
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigaction(SIGUSR2, &sa, NULL);
  got = 0;
  raise(SIGUSR2);
  printf("resethand first %d\n", got);
  fflush(stdout);
  pid = fork();
  if (pid == 0) { raise(SIGUSR2); _exit(0); }
  waitpid(pid, &st, 0);
  printf("resethand second: killed by 12 %d\n",
         (WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2) ||
         (WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGUSR2));

  /* writing to a pipe nobody reads: SIGPIPE kills by default */
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    int fds[2];
    pipe(fds);
    close(fds[0]);
    write(fds[1], "x", 1);
    _exit(0);
  }
  waitpid(pid, &st, 0);
  printf("sigpipe default kills %d\n",
         (WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE) ||
         (WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGPIPE));
  return 0;
}
