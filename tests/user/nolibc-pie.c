/* tests/user/nolibc-pie.c - a static-pie program without libc (Debian's
** cross toolchain has no rcrt1.o for glibc's -static-pie): an ET_DYN file
** with no PT_INTERP, so the loader must place it at a load bias itself.
** It prints its arguments from the initial stack and whether its code was
** moved from its link address 0, then exits with status 7. */
static long sys3(long n, long a, long b, long c)
{
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

static long len(const char *s)
{
  long n = 0;
  while (((volatile const char *)s)[n]) n++;
  return n;
}

static void say(const char *s) { sys3(64, 1, (long)s, len(s)); }

void start_c(long *sp)
{
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  say("static-pie\n");
  for (long i = 1; i < argc; i++) { say(argv[i]); say("\n"); }
  say((unsigned long)&start_c > 0x10000 ? "relocated\n" : "at link address\n");
  sys3(93, 7, 0, 0);
}

__asm__(".globl _start\n_start:\n  mv a0, sp\n  andi sp, sp, -16\n  call start_c\n");
