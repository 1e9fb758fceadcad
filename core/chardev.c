/*
** core/chardev.c - character back-ends: stdio, file:PATH, null.
**
** stdio: output to stdout; input from stdin.  When stdin is a terminal it
** is switched to raw mode (so Ctrl-C reaches the guest) and Ctrl-A X quits
** vmrun, Ctrl-A Ctrl-A sends a literal Ctrl-A (as in QEMU).  The terminal
** is restored on every exit path: normal exit (atexit) and fatal signals
** (handlers restore, then re-raise with the default action).
*/
#include "vmrun-config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <assert.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core.h"

enum { CHARDEV_NULL = 0, CHARDEV_STDIO = 1, CHARDEV_FILE = 2 };

static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;

void vmrun__tty_restore(void)
{
  if (tio_saved) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
    tio_saved = 0;
  }
}

static void fatal_signal(int sig)
{
  vmrun__tty_restore();       /* async-signal-safe: tcsetattr */
  signal(sig, SIG_DFL);
  raise(sig);
}

static void tty_raw(void)
{
  struct termios tio;
  static const int sigs[] = { SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS,
                              SIGFPE, SIGILL, SIGABRT, SIGINT };
  if (tcgetattr(STDIN_FILENO, &saved_tio) != 0) return;
  tio = saved_tio;
  cfmakeraw(&tio);
  tio.c_oflag |= OPOST | ONLCR; /* keep "\n" -> "\r\n" on output */
  tio_saved = 1;
  atexit(vmrun__tty_restore);
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fatal_signal;
    sigaction(sigs[i], &sa, NULL);
  }
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio);
}

static vmrun_chardev *host_chardev_open(vmrun_machine *m, const char *spec)
{
  vmrun_chardev *cd = calloc(1, sizeof *cd);
  if (!cd) { vmrun__diag("vmrun: out of memory"); return NULL; }
  cd->m = m;
  cd->fd_in = cd->fd_out = -1;
  if (!spec || strcmp(spec, "stdio") == 0) {
    if (m->stdio_taken) {
      vmrun__diag("vmrun: chardev 'stdio' is already used by another device");
      free(cd);
      return NULL;
    }
    m->stdio_taken = 1;
    cd->kind = CHARDEV_STDIO;
    cd->fd_in = STDIN_FILENO;
    cd->fd_out = STDOUT_FILENO;
    if (isatty(STDIN_FILENO)) { tty_raw(); cd->raw = 1; }
  } else if (strcmp(spec, "null") == 0) {
    cd->kind = CHARDEV_NULL;
  } else if (strncmp(spec, "file:", 5) == 0 && spec[5]) {
    cd->kind = CHARDEV_FILE;
    cd->fd_out = open(spec + 5, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                      0644);
    if (cd->fd_out < 0) {
      vmrun__diag("vmrun: chardev %s: %s", spec + 5, strerror(errno));
      free(cd);
      return NULL;
    }
  } else {
    vmrun__diag("vmrun: unknown chardev '%s' (valid: stdio, null, "
                "file:PATH)", spec);
    free(cd);
    return NULL;
  }
  cd->next = m->chardevs;
  m->chardevs = cd;
  return cd;
}

static long host_chardev_write(vmrun_chardev *cd, const void *buf, size_t len)
{
  const uint8_t *p = buf;
  size_t done = 0;
  if (cd->kind == CHARDEV_NULL) return (long)len;
  while (done < len) {
    ssize_t n = write(cd->fd_out, p + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return -VMRUN_EIO;
    }
    done += (size_t)n;
  }
  return (long)done;
}

static void host_chardev_set_handler(vmrun_chardev *cd,
                                     vmrun_chardev_can_read_fn can_read,
                                     vmrun_chardev_read_fn read_fn,
                                     void *opaque)
{
  cd->can_read = can_read;
  cd->read = read_fn;
  cd->opaque = opaque;
}

/* Hand buffered input to the device as far as it accepts it. */
static void deliver(vmrun_chardev *cd)
{
  while (cd->n_pending && cd->read) {
    size_t n = cd->can_read ? cd->can_read(cd->opaque) : cd->n_pending;
    if (n == 0) break;
    if (n > cd->n_pending) n = cd->n_pending;
    cd->read(cd->opaque, cd->pending, n);
    memmove(cd->pending, cd->pending + n, cd->n_pending - n);
    cd->n_pending -= n;
  }
}

/* Ctrl-A escapes, only in raw terminal mode. */
static void input_bytes(vmrun_chardev *cd, const uint8_t *buf, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    uint8_t c = buf[i];
    if (cd->raw) {
      if (cd->escape) {
        cd->escape = 0;
        if (c == 'x' || c == 'X') {
          vmrun__tty_restore();
          fprintf(stderr, "\nvmrun: terminated by Ctrl-A X\n");
          cd->m->host.shutdown(cd->m, VMRUN_SHUTDOWN_POWEROFF, 0);
          return;
        }
        if (c != 1) continue; /* unknown escape: dropped */
      } else if (c == 1) {
        cd->escape = 1;
        continue;
      }
    }
    if (cd->n_pending < sizeof cd->pending) cd->pending[cd->n_pending++] = c;
  }
}

/* Deliver pending input, then wait up to timeout_ms for more input or for
** the descriptors of registered poll hooks (poll() with no descriptors
** simply sleeps, which the run loop uses while halted). */
void vmrun__chardev_poll(vmrun_machine *m, int timeout_ms)
{
  enum { MAX_FDS = 256 };
  struct pollfd pfd[MAX_FDS];
  vmrun_chardev *who[MAX_FDS];
  int first[VMRUN_MAX_POLL_HOOKS], count[VMRUN_MAX_POLL_HOOKS];
  nfds_t n = 0, n_cd;
  vmrun_chardev *cd;
  for (cd = m->chardevs; cd; cd = cd->next) {
    deliver(cd);
    if (cd->fd_in < 0 || !cd->read || n == 8) continue;
    if (cd->n_pending >= sizeof cd->pending) continue; /* device is full */
    pfd[n].fd = cd->fd_in;
    pfd[n].events = POLLIN;
    pfd[n].revents = 0;
    who[n++] = cd;
  }
  n_cd = n;
  for (size_t h = 0; h < m->n_poll_hooks; h++) {
    int t = -1, got;
    first[h] = (int)n;
    got = m->poll_hooks[h].fill(m->poll_hooks[h].opaque,
                                (vmrun_pollfd *)&pfd[n], (int)(MAX_FDS - n), &t);
    count[h] = got < 0 ? 0 : got > (int)(MAX_FDS - n) ? (int)(MAX_FDS - n) : got;
    n += (nfds_t)count[h];
    if (t >= 0 && (timeout_ms < 0 || t < timeout_ms)) timeout_ms = t;
  }
  if (poll(pfd, n, timeout_ms) < 0) {
    for (nfds_t i = 0; i < n; i++) pfd[i].revents = 0;
  }
  for (nfds_t i = 0; i < n_cd; i++) {
    cd = who[i];
    if (pfd[i].revents & POLLIN) {
      uint8_t buf[256];
      ssize_t got = read(cd->fd_in, buf, sizeof cd->pending - cd->n_pending);
      if (got > 0) input_bytes(cd, buf, (size_t)got);
      else if (got == 0) cd->fd_in = -1; /* EOF: no more input */
    } else if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
      cd->fd_in = -1;
    }
    deliver(cd);
  }
  for (size_t h = 0; h < m->n_poll_hooks; h++)
    m->poll_hooks[h].dispatch(m->poll_hooks[h].opaque,
                              (vmrun_pollfd *)&pfd[first[h]], count[h]);
}

static int host_poll_register(vmrun_machine *m,
                              int (*fill)(void *, vmrun_pollfd *, int, int *),
                              void (*dispatch)(void *, vmrun_pollfd *, int),
                              void *opaque)
{
  if (!fill || !dispatch) return -VMRUN_EINVAL;
  if (m->n_poll_hooks >= VMRUN_MAX_POLL_HOOKS) return -VMRUN_ENOSPC;
  m->poll_hooks[m->n_poll_hooks].fill = fill;
  m->poll_hooks[m->n_poll_hooks].dispatch = dispatch;
  m->poll_hooks[m->n_poll_hooks].opaque = opaque;
  m->n_poll_hooks++;
  return 0;
}

int vmrun__chardev_can_input(vmrun_machine *m)
{
  for (vmrun_chardev *cd = m->chardevs; cd; cd = cd->next)
    if ((cd->fd_in >= 0 || cd->n_pending) && cd->read) return 1;
  return m->n_poll_hooks > 0;   /* e.g. network traffic can wake the guest */
}

void vmrun__chardevs_free(vmrun_machine *m)
{
  vmrun_chardev *cd = m->chardevs, *n;
  for (; cd; cd = n) {
    n = cd->next;
    if (cd->kind == CHARDEV_FILE) close(cd->fd_out);
    if (cd->raw) vmrun__tty_restore();
    free(cd);
  }
  m->chardevs = NULL;
}

void vmrun__host_init_chardev(vmrun_host *h)
{
  h->chardev_open = host_chardev_open;
  h->chardev_write = host_chardev_write;
  h->chardev_set_handler = host_chardev_set_handler;
  h->poll_register = host_poll_register;
}

/* vmrun_pollfd is passed to poll(2) as struct pollfd. */
_Static_assert(sizeof(vmrun_pollfd) == sizeof(struct pollfd) &&
                   offsetof(vmrun_pollfd, revents) ==
                       offsetof(struct pollfd, revents),
               "vmrun_pollfd must match struct pollfd");
