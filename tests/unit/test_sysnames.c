/*
** core/sysnames.c against the kernel's own numbering: the host's
** <asm-generic/unistd.h> (linux-libc-dev) defines __NR_name for every
** asm-generic system call; each must name its number in our table.
** (fstatat is spelled newfstatat on 64-bit, as the table does, and
** sync_file_range2 is another ABI's name for 84.)
*/
#include "vmrun-config.h"

#include <criterion/criterion.h>
#include <string.h>

/* what riscv64's <asm/unistd.h> asks of the generic table */
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SET_GET_RLIMIT
#define __ARCH_WANT_SYS_CLONE3
#define __ARCH_WANT_RENAMEAT      /* 38: not on riscv64; its generic name */
#include <asm-generic/unistd.h>

#include "sysnames.h"

#define EXPECT(name) \
  cr_expect(vmrun__syscall_name(__NR_##name) && \
            strcmp(vmrun__syscall_name(__NR_##name), #name) == 0, \
            "%d: expected %s, got %s", (int)__NR_##name, #name, \
            vmrun__syscall_name(__NR_##name) \
                ? vmrun__syscall_name(__NR_##name) : "NULL")

Test(sysnames, common_calls_match_the_kernel_header)
{
  EXPECT(io_setup); EXPECT(getcwd); EXPECT(eventfd2); EXPECT(dup3);
  EXPECT(fcntl); EXPECT(ioctl); EXPECT(mknodat); EXPECT(unlinkat);
  EXPECT(renameat); EXPECT(statfs); EXPECT(faccessat); EXPECT(chdir);
  EXPECT(openat); EXPECT(close); EXPECT(pipe2); EXPECT(getdents64);
  EXPECT(lseek); EXPECT(read); EXPECT(write); EXPECT(readv);
  EXPECT(writev); EXPECT(pread64); EXPECT(pwrite64); EXPECT(sendfile);
  EXPECT(pselect6); EXPECT(ppoll); EXPECT(readlinkat); EXPECT(fstat);
  EXPECT(newfstatat);
  EXPECT(fsync); EXPECT(utimensat); EXPECT(exit); EXPECT(exit_group);
  EXPECT(waitid); EXPECT(set_tid_address); EXPECT(futex);
  EXPECT(set_robust_list); EXPECT(nanosleep); EXPECT(clock_gettime);
  EXPECT(clock_nanosleep); EXPECT(sched_yield); EXPECT(kill); EXPECT(tgkill);
  EXPECT(sigaltstack); EXPECT(rt_sigaction); EXPECT(rt_sigprocmask);
  EXPECT(rt_sigreturn); EXPECT(setpgid); EXPECT(uname); EXPECT(getrlimit);
  EXPECT(prctl); EXPECT(gettimeofday); EXPECT(getpid); EXPECT(gettid);
  EXPECT(sysinfo); EXPECT(socket); EXPECT(recvmsg); EXPECT(brk);
  EXPECT(munmap); EXPECT(mremap); EXPECT(clone); EXPECT(execve);
  EXPECT(mmap); EXPECT(mprotect); EXPECT(madvise); EXPECT(accept4);
  EXPECT(wait4); EXPECT(prlimit64); EXPECT(renameat2); EXPECT(getrandom);
  EXPECT(memfd_create); EXPECT(statx); EXPECT(rseq);
#ifdef __NR_clone3
  EXPECT(pidfd_open); EXPECT(clone3); EXPECT(close_range);
  EXPECT(faccessat2); EXPECT(futex_waitv);
#endif
}

Test(sysnames, 64_bit_names_and_gaps)
{
  cr_expect_str_eq(vmrun__syscall_name(79), "newfstatat");
  cr_expect_null(vmrun__syscall_name(244));      /* arch-specific range */
  cr_expect_null(vmrun__syscall_name(403));      /* 32-bit time64 calls */
  cr_expect_null(vmrun__syscall_name(100000));
  cr_expect_null(vmrun__syscall_name(UINT64_MAX));
}
