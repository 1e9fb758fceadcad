/* tests/user/exitcode.c - exit status paths: exit(N), return from main,
** _exit, abort (SIGABRT), a bad store (SIGSEGV), an illegal instruction
** (SIGILL), raise(SIGTERM) and an ignored signal.  Usage: exitcode MODE [N] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "return";
  int n = argc > 2 ? atoi(argv[2]) : 0;
  printf("mode %s\n", mode);
  fflush(stdout);
  if (strcmp(mode, "exit") == 0) exit(n);
  if (strcmp(mode, "_exit") == 0) _exit(n);
  if (strcmp(mode, "abort") == 0) abort();
  if (strcmp(mode, "segv") == 0) { *(volatile int *)16 = 1; return 0; }
  if (strcmp(mode, "ill") == 0) { __asm__ volatile(".word 0"); return 0; }
  if (strcmp(mode, "term") == 0) { raise(SIGTERM); return 0; }
  if (strcmp(mode, "enosys") == 0) {   /* an unknown syscall, twice */
    long a = syscall(999), b = syscall(999);
    printf("enosys %ld %ld %d\n", a, b, errno == ENOSYS);
    return 0;
  }
  if (strcmp(mode, "ignored") == 0) {
    signal(SIGTERM, SIG_IGN);
    raise(SIGTERM);
    printf("still here\n");
    return 3;
  }
  return n;
}
