/* tests/user/files.c - file and directory syscalls in a scratch directory
** (argv[1]): openat, read/write, pread/pwrite, readv/writev, lseek, dup,
** dup3, fcntl, getdents64 (via readdir), fstat/newfstatat/statx,
** readlinkat, symlinkat, unlinkat, mkdirat, renameat2, faccessat,
** ftruncate, fsync, getcwd/chdir.  Prints only host-independent results. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
  char buf[256], link[256], *names[16];
  struct stat st;
  struct statx sx;
  struct iovec iov[2];
  int fd, fd2, dfd, n = 0;
  DIR *d;
  struct dirent *de;

  if (argc < 2 || chdir(argv[1]) != 0) { perror("chdir"); return 2; }
  fd = openat(AT_FDCWD, "a.txt", O_CREAT | O_RDWR | O_TRUNC, 0640);
  printf("open %d\n", fd >= 3);
  printf("write %zd\n", write(fd, "hello, world\n", 13));
  printf("pwrite %zd\n", pwrite(fd, "HELLO", 5, 0));
  printf("lseek %ld\n", (long)lseek(fd, 0, SEEK_END));
  memset(buf, 0, sizeof buf);
  printf("pread %zd '%s'\n", pread(fd, buf, 5, 7), buf);
  lseek(fd, 0, SEEK_SET);
  memset(buf, 0, sizeof buf);
  iov[0].iov_base = buf; iov[0].iov_len = 3;
  iov[1].iov_base = buf + 10; iov[1].iov_len = 4;
  printf("readv %zd '%.3s' '%.4s'\n", readv(fd, iov, 2), buf, buf + 10);
  iov[0].iov_base = "ab"; iov[0].iov_len = 2;
  iov[1].iov_base = "cd\n"; iov[1].iov_len = 3;
  lseek(fd, 0, SEEK_END);
  printf("writev %zd\n", writev(fd, iov, 2));
  printf("fsync %d\n", fsync(fd));
  fd2 = dup(fd);
  printf("dup %d same-offset %d\n", fd2 > fd,
         lseek(fd2, 0, SEEK_CUR) == lseek(fd, 0, SEEK_CUR));
  printf("dup3 %d\n", dup3(fd, 20, O_CLOEXEC));
  printf("cloexec %d %d\n", fcntl(20, F_GETFD) & FD_CLOEXEC,
         fcntl(fd2, F_GETFD) & FD_CLOEXEC);
  printf("getfl-rdwr %d\n", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
  printf("fstat %d size %ld mode %o\n", fstat(fd, &st), (long)st.st_size,
         st.st_mode & 07777);
  printf("isreg %d\n", S_ISREG(st.st_mode));
  printf("ftruncate %d\n", ftruncate(fd, 4));
  printf("stat %d size %ld\n", stat("a.txt", &st), (long)st.st_size);
  printf("statx %d size %llu\n", statx(AT_FDCWD, "a.txt", 0, STATX_SIZE, &sx),
         (unsigned long long)sx.stx_size);
  close(fd); close(fd2); close(20);
  printf("mkdirat %d\n", mkdirat(AT_FDCWD, "sub", 0755));
  printf("mkdir-exists %d %d\n", mkdir("sub", 0755), errno == EEXIST);
  printf("symlink %d\n", symlinkat("a.txt", AT_FDCWD, "sub/ln"));
  memset(link, 0, sizeof link);
  printf("readlink %zd '%s'\n", readlink("sub/ln", link, sizeof link), link);
  printf("lstat-link %d\n", lstat("sub/ln", &st) == 0 && S_ISLNK(st.st_mode));
  printf("renameat2 %d\n", renameat2(AT_FDCWD, "a.txt", AT_FDCWD, "sub/b.txt",
                                     0));
  printf("faccessat-old %d %d\n", faccessat(AT_FDCWD, "a.txt", F_OK, 0),
         errno == ENOENT);
  printf("faccessat-new %d\n", faccessat(AT_FDCWD, "sub/b.txt", R_OK, 0));
  dfd = open("sub", O_RDONLY | O_DIRECTORY);
  printf("fstatat %d\n", fstatat(dfd, "b.txt", &st, 0));
  close(dfd);
  for (int i = 0; i < 5; i++) {
    snprintf(buf, sizeof buf, "sub/f%d", i);
    close(open(buf, O_CREAT | O_WRONLY, 0600));
  }
  d = opendir("sub");
  while ((de = readdir(d)) && n < 16)
    if (de->d_name[0] != '.') names[n++] = strdup(de->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof *names, cmp);
  printf("readdir");
  for (int i = 0; i < n; i++) printf(" %s", names[i]);
  printf("\n");
  printf("unlinkat %d\n", unlinkat(AT_FDCWD, "sub/f0", 0));
  printf("unlinkat-missing %d %d\n", unlinkat(AT_FDCWD, "sub/f0", 0),
         errno == ENOENT);
  printf("rmdir-notempty %d %d\n", unlinkat(AT_FDCWD, "sub", AT_REMOVEDIR),
         errno == ENOTEMPTY);
  printf("getcwd-ends %d\n", getcwd(buf, sizeof buf) &&
         strcmp(buf + strlen(buf) - strlen("scratch"), "scratch") == 0);
  printf("open-missing %d %d\n", open("nope/x", O_RDONLY), errno == ENOENT);
  return 0;
}
