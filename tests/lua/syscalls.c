/* tests/lua/syscalls.c - a program with a known sequence of system calls
** for the user-mode syscall hook tests (tests/lua/user.sh): the raw
** syscall() wrapper, so libc adds nothing between them.  The test derives
** the expected trace from the constants below.
**   openat(AT_FDCWD, PATH, O_RDONLY)   -> a file descriptor (>= 3)
**   read(fd, buf, 5)                   -> 5 (PATH's first bytes)
**   close(fd)                          -> 0
**   write(1, MSG, 6)                   -> 6
**   openat(AT_FDCWD, MISSING, O_RDONLY)-> -ENOENT (-2)
**   getpid()                           -> the pid
**   exit_group(EXIT_CODE)
** PATH and MISSING come from argv[1] and argv[2]. */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MSG "hello\n"
#define EXIT_CODE 42

/* static: the test looks it up with vmrun.lookup and nm */
int marker_function(int x) { return x * 3 + 1; }

int main(int argc, char **argv)
{
  char buf[8];
  long fd;
  if (argc < 3) return 1;
  fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY);
  syscall(SYS_read, fd, buf, 5);
  syscall(SYS_close, fd);
  syscall(SYS_write, 1, MSG, 6);
  syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY);
  syscall(SYS_getpid);
  syscall(SYS_exit_group, EXIT_CODE + marker_function(0) - 1);
  return 0;
}
