/* tests/user/poll.c - waiting for descriptors: epoll (create1, ctl,
** pwait with the event data round-tripped), eventfd, ppoll timeouts. */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int main(void)
{
  int ep = epoll_create1(EPOLL_CLOEXEC), fds[2], efd, n;
  struct epoll_event ev, out[4];
  uint64_t v = 0;
  struct pollfd pf;

  printf("epoll_create1 %d\n", ep >= 0);
  pipe(fds);
  efd = eventfd(0, 0);
  ev.events = EPOLLIN;
  ev.data.u64 = 0x1122334455667788ull;
  printf("ctl pipe %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
  ev.events = EPOLLIN;
  ev.data.u64 = 42;
  printf("ctl eventfd %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
  printf("wait empty %d\n", epoll_wait(ep, out, 4, 10));
  write(fds[1], "x", 1);
  n = epoll_wait(ep, out, 4, 1000);
  printf("wait pipe %d data %llx in %d\n", n, (unsigned long long)out[0].data.u64,
         (out[0].events & EPOLLIN) != 0);
  v = 5;
  write(efd, &v, 8);
  write(efd, &v, 8);
  read(fds[0], &n, 1);
  n = epoll_wait(ep, out, 4, 1000);
  printf("wait eventfd %d data %llu\n", n, (unsigned long long)out[0].data.u64);
  read(efd, &v, 8);
  printf("eventfd value %llu\n", (unsigned long long)v);
  printf("ctl del %d\n", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
  pf.fd = fds[0]; pf.events = POLLIN; pf.revents = 0;
  printf("poll timeout %d\n", poll(&pf, 1, 20));
  close(fds[1]);
  printf("poll hup %d revents-hup %d\n", poll(&pf, 1, 1000),
         (pf.revents & POLLHUP) != 0);
  return 0;
}
