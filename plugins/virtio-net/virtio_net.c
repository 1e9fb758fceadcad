/*
** plugins/virtio-net/virtio_net.c - virtio network device (Virtio 1.2 §5.1)
** over virtio-mmio, backed by libslirp (user-mode networking: the guest
** reaches the host's network through ordinary sockets, no privileges).
**
** Options:
**   mac      (string "xx:xx:xx:xx:xx:xx", default 52:54:00:12:34:56) the
**            guest's address, offered with VIRTIO_NET_F_MAC; unicast only
**   net      (string "a.b.c.d/len", default 10.0.2.0/24) the virtual
**            network: the host (gateway) is .2, the DNS forwarder .3, DHCP
**            hands out .15 onwards; len is 8..27 and the host bits of the
**            address must be zero
**   restrict (bool, default false) isolate the guest: no connection from
**            the guest to the outside (only host forwards reach it)
**   hostfwd  (string) host-to-guest port forwards in QEMU's syntax
**            "[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", e.g.
**            "tcp:127.0.0.1:2222-:22" (HOSTADDR empty: every interface;
**            GUESTADDR empty: the first DHCP address).  Several forwards
**            are separated by commas or spaces in the one string (the
**            plugin host API has no accessor for YAML lists).
**   ipv6     (bool, default false) also run slirp's IPv6 (fec0::/64,
**            router advertisements, DNS at fec0::3)
**
** Features: VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS (link always up), ring
** features INDIRECT_DESC and EVENT_IDX.  No checksum or segmentation
** offloads and no mergeable receive buffers, so every packet has a 12-byte
** struct virtio_net_hdr (the VERSION_1 layout with num_buffers) and fits
** in one receive chain.  Queue 0 receives, queue 1 transmits.
**
** Transmit: on a notify each chain's header is skipped and the frame is
** handed to slirp_input(); the chain comes back with length 0.  Receive:
** slirp's send_packet callback writes a header (all zero, num_buffers 1)
** and the frame into the next receive chain.  Frames that find no receive
** buffer wait in the device (at most NET_BACKLOG_FRAMES frames and
** NET_BACKLOG_BYTES bytes; later ones are dropped, as a full NIC would)
** until the driver posts buffers and notifies the receive queue; nothing
** is delivered before the first such notify after a reset.
**
** Everything runs on the machine thread: MMIO callbacks, slirp's timers
** (vmrun timers on the virtual clock, which is also slirp's clock) and the
** core's poll loop (vmrun_host.poll_register, ABI 1.2), through which slirp
** watches its sockets.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slirp/libslirp.h>

#include <vmrun/vmrun.h>

#include "../virtio/virtio.h"

#define VIRTIO_ID_NET        1u

#define NET_QUEUE_SIZE       256u
#define NET_RXQ              0u
#define NET_TXQ              1u
#define NET_HDR_LEN          12u      /* virtio_net_hdr with num_buffers */
#define NET_FRAME_MAX        65536u   /* largest frame taken from the guest */
#define NET_BACKLOG_FRAMES   256u
#define NET_BACKLOG_BYTES    (1u << 20)
#define NET_MAX_HOSTFWD      32u

/* feature bits (§5.1.3) */
#define VIRTIO_NET_F_MAC     5
#define VIRTIO_NET_F_STATUS  16
#define VIRTIO_NET_S_LINK_UP 1u

/* struct virtio_net_config (§5.1.4): mac[6], le16 status,
** le16 max_virtqueue_pairs */
#define CFG_MAC              0
#define CFG_STATUS           6
#define CFG_MAX_VQ_PAIRS     8
#define CFG_LEN              10

typedef struct net_frame {
  struct net_frame *next;
  size_t len;
  uint8_t data[];
} net_frame;

typedef struct net_timer net_timer;

typedef struct hostfwd {
  int is_udp;
  struct in_addr haddr, gaddr;
  int hport, gport;
} hostfwd;

typedef struct vnet {
  const vmrun_host *host;
  vmrun_machine *m;
  virtio_dev *vd;
  const char *name;
  Slirp *slirp;
  uint8_t mac[6];
  uint8_t config[CFG_LEN];

  /* receive side */
  int rx_enabled;               /* the driver notified the rx queue */
  net_frame *bl_head, *bl_tail; /* frames waiting for rx buffers */
  size_t bl_frames, bl_bytes;
  uint64_t rx_dropped, rx_too_small;
  int warned_small;

  /* transmit side */
  uint8_t *txbuf;
  uint64_t tx_dropped;
  int warned_big;

  /* poll integration: the descriptors slirp asked for in the last fill */
  vmrun_pollfd *pfds;
  int pmax, pn;

  net_timer *timers;

  virtio_chain rxc, txc;
} vnet;

struct net_timer {
  net_timer *next;
  vnet *n;
  vmrun_timer *t;
  int opaque_kind;             /* 1: timer_new_opaque, 0: timer_new */
  SlirpTimerId id;
  SlirpTimerCb cb;
  void *cb_opaque;
};

/* ------------------------------------------------------------------ */
/* Receive: frames from slirp to the guest */

/* Write one frame into the next receive chain.  1: delivered (or consumed
** by a too-small chain), 0: no buffer available, -1: the device is broken
** or not started. */
static int rx_put(vnet *n, const uint8_t *buf, size_t len)
{
  uint8_t hdr[NET_HDR_LEN];
  int rc;
  if (!n->rx_enabled || virtio_broken(n->vd))
    return -1;
  rc = virtq_pop(n->vd, NET_RXQ, &n->rxc);
  if (rc < 0)
    return -1;
  if (rc == 0)
    return 0;
  if (n->rxc.in_bytes < NET_HDR_LEN + len) {
    /* §5.1.6.3.1: without MRG_RXBUF the driver should post buffers of at
    ** least 1526 bytes; the frame is lost, the buffer comes back empty */
    n->rx_too_small++;
    if (!n->warned_small) {
      n->warned_small = 1;
      n->host->log(n->m, VMRUN_LOG_WARN, "%s: receive buffer of %" PRIu64
                   " bytes is too small for a %zu-byte frame (+%u header); "
                   "frame dropped", n->name, n->rxc.in_bytes, len,
                   NET_HDR_LEN);
    }
    virtq_push(n->vd, NET_RXQ, &n->rxc, 0);
    return 1;
  }
  memset(hdr, 0, sizeof hdr);
  virtio_st16(hdr + 10, 1); /* num_buffers */
  virtio_chain_write(&n->rxc, 0, hdr, sizeof hdr);
  virtio_chain_write(&n->rxc, NET_HDR_LEN, buf, len);
  virtq_push(n->vd, NET_RXQ, &n->rxc, (uint32_t)(NET_HDR_LEN + len));
  return 1;
}

static void backlog_clear(vnet *n)
{
  net_frame *f = n->bl_head, *next;
  for (; f; f = next) {
    next = f->next;
    free(f);
  }
  n->bl_head = n->bl_tail = NULL;
  n->bl_frames = n->bl_bytes = 0;
}

/* Move waiting frames into receive buffers while there are some. */
static void rx_flush(vnet *n)
{
  while (n->bl_head) {
    net_frame *f = n->bl_head;
    if (rx_put(n, f->data, f->len) <= 0)
      break;
    n->bl_head = f->next;
    if (!n->bl_head)
      n->bl_tail = NULL;
    n->bl_frames--;
    n->bl_bytes -= f->len;
    free(f);
  }
  virtq_notify(n->vd, NET_RXQ);
}

static void backlog_add(vnet *n, const uint8_t *buf, size_t len)
{
  net_frame *f;
  if (n->bl_frames >= NET_BACKLOG_FRAMES ||
      len > NET_BACKLOG_BYTES - n->bl_bytes) {
    n->rx_dropped++;
    return;
  }
  f = malloc(sizeof *f + len);
  if (!f) {
    n->rx_dropped++;
    return;
  }
  f->next = NULL;
  f->len = len;
  memcpy(f->data, buf, len);
  if (n->bl_tail)
    n->bl_tail->next = f;
  else
    n->bl_head = f;
  n->bl_tail = f;
  n->bl_frames++;
  n->bl_bytes += len;
}

/* SlirpCb.send_packet: a frame for the guest. */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
  vnet *n = opaque;
  if (!len || len > NET_FRAME_MAX)
    return (ssize_t)len;
  if (n->bl_head || rx_put(n, buf, len) <= 0)
    backlog_add(n, buf, len);
  else
    virtq_notify(n->vd, NET_RXQ);
  return (ssize_t)len;
}

/* ------------------------------------------------------------------ */
/* Transmit: frames from the guest to slirp */

static void tx_process(vnet *n)
{
  int rc;
  while ((rc = virtq_pop(n->vd, NET_TXQ, &n->txc)) > 0) {
    uint64_t flen;
    size_t got = 0;
    if (n->txc.out_bytes < NET_HDR_LEN) {
      virtio_error(n->vd, "transmit chain %u has %" PRIu64 " readable bytes, "
                   "less than the %u-byte virtio_net_hdr", n->txc.head,
                   n->txc.out_bytes, NET_HDR_LEN);
      return;
    }
    flen = n->txc.out_bytes - NET_HDR_LEN;
    if (flen > NET_FRAME_MAX) {
      n->tx_dropped++;
      if (!n->warned_big) {
        n->warned_big = 1;
        n->host->log(n->m, VMRUN_LOG_WARN, "%s: dropped a %" PRIu64
                     "-byte frame (at most %u)", n->name, flen,
                     NET_FRAME_MAX);
      }
    } else {
      got = virtio_chain_read(&n->txc, NET_HDR_LEN, n->txbuf, (size_t)flen);
    }
    virtq_push(n->vd, NET_TXQ, &n->txc, 0);
    /* slirp may answer at once (ARP, DHCP...): rx_put runs from here */
    if (got >= 14)
      slirp_input(n->slirp, n->txbuf, (int)got);
    else if (got)
      n->tx_dropped++;
  }
  virtq_notify(n->vd, NET_TXQ);
}

static void net_queue_notify(void *opaque, virtio_dev *vd, unsigned q)
{
  vnet *n = opaque;
  (void)vd;
  if (q == NET_RXQ) {
    n->rx_enabled = 1; /* only called with DRIVER_OK set */
    rx_flush(n);
  } else if (q == NET_TXQ) {
    tx_process(n);
  }
}

static void net_reset(void *opaque)
{
  vnet *n = opaque;
  n->rx_enabled = 0;
  backlog_clear(n);
}

/* ------------------------------------------------------------------ */
/* slirp callbacks: clock, timers, logging */

static void cb_guest_error(const char *msg, void *opaque)
{
  vnet *n = opaque;
  n->host->log(n->m, VMRUN_LOG_INFO, "%s: guest network error: %s", n->name,
               msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
  vnet *n = opaque;
  return (int64_t)n->host->clock_ns(n->m);
}

static void timer_fire(void *opaque, uint64_t now_ns)
{
  net_timer *t = opaque;
  (void)now_ns;
  if (t->opaque_kind) {
    if (t->n->slirp)
      slirp_handle_timer(t->n->slirp, t->id, t->cb_opaque);
  } else if (t->cb) {
    t->cb(t->cb_opaque);
  }
}

static net_timer *timer_make(vnet *n)
{
  net_timer *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->n = n;
  t->t = n->host->timer_new(n->m, timer_fire, t);
  if (!t->t) {
    free(t);
    return NULL;
  }
  t->next = n->timers;
  n->timers = t;
  return t;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
  net_timer *t = timer_make(opaque);
  if (t) {
    t->cb = cb;
    t->cb_opaque = cb_opaque;
  }
  return t;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
                                 void *opaque)
{
  net_timer *t = timer_make(opaque);
  if (t) {
    t->opaque_kind = 1;
    t->id = id;
    t->cb_opaque = cb_opaque;
  }
  return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
  vnet *n = opaque;
  net_timer **pp;
  for (pp = &n->timers; *pp; pp = &(*pp)->next) {
    if (*pp == timer) {
      net_timer *t = *pp;
      *pp = t->next;
      n->host->timer_free(t->t);
      free(t);
      return;
    }
  }
}

/* expire_time: ms on slirp's clock (clock_get_ns / 1e6) */
static void cb_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
  net_timer *t = timer;
  uint64_t ns;
  (void)opaque;
  if (!t)
    return;
  if (expire_time <= 0)
    ns = 0;
  else if ((uint64_t)expire_time > UINT64_MAX / 1000000u)
    ns = UINT64_MAX;
  else
    ns = (uint64_t)expire_time * 1000000u;
  t->n->host->timer_mod(t->t, ns);
}

static void cb_register_poll_fd(int fd, void *opaque)
{
  (void)fd;
  (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
  (void)fd;
  (void)opaque;
}

static void cb_notify(void *opaque)
{
  (void)opaque;
}

static void cb_init_completed(Slirp *slirp, void *opaque)
{
  vnet *n = opaque;
  n->slirp = slirp;
}

static const SlirpCb net_slirp_cb = {
  .send_packet = cb_send_packet,
  .guest_error = cb_guest_error,
  .clock_get_ns = cb_clock_get_ns,
  .timer_new = cb_timer_new,
  .timer_free = cb_timer_free,
  .timer_mod = cb_timer_mod,
  .register_poll_fd = cb_register_poll_fd,
  .unregister_poll_fd = cb_unregister_poll_fd,
  .notify = cb_notify,
  .init_completed = cb_init_completed,
  .timer_new_opaque = cb_timer_new_opaque,
};

/* ------------------------------------------------------------------ */
/* The core's poll loop */

static int add_poll_cb(int fd, int events, void *opaque)
{
  vnet *n = opaque;
  short ev = 0;
  if (n->pn >= n->pmax)
    return -1; /* no room: slirp skips this socket this round */
  if (events & SLIRP_POLL_IN)
    ev |= POLLIN;
  if (events & SLIRP_POLL_OUT)
    ev |= POLLOUT;
  if (events & SLIRP_POLL_PRI)
    ev |= POLLPRI;
  if (events & SLIRP_POLL_ERR)
    ev |= POLLERR;
  if (events & SLIRP_POLL_HUP)
    ev |= POLLHUP;
  n->pfds[n->pn].fd = fd;
  n->pfds[n->pn].events = ev;
  n->pfds[n->pn].revents = 0;
  return n->pn++;
}

static int get_revents_cb(int idx, void *opaque)
{
  vnet *n = opaque;
  short rev;
  int ev = 0;
  if (idx < 0 || idx >= n->pn || !n->pfds)
    return 0;
  rev = n->pfds[idx].revents;
  if (rev & POLLIN)
    ev |= SLIRP_POLL_IN;
  if (rev & POLLOUT)
    ev |= SLIRP_POLL_OUT;
  if (rev & POLLPRI)
    ev |= SLIRP_POLL_PRI;
  if (rev & POLLERR)
    ev |= SLIRP_POLL_ERR;
  if (rev & POLLHUP)
    ev |= SLIRP_POLL_HUP;
  return ev;
}

static int net_poll_fill(void *opaque, vmrun_pollfd *fds, int max,
                         int *timeout_ms)
{
  vnet *n = opaque;
  uint32_t t = UINT32_MAX;
  n->pfds = fds;
  n->pmax = max < 0 ? 0 : max;
  n->pn = 0;
  slirp_pollfds_fill(n->slirp, &t, add_poll_cb, n);
  if (t != UINT32_MAX) {
    int ms = t > INT_MAX ? INT_MAX : (int)t;
    if (*timeout_ms < 0 || ms < *timeout_ms)
      *timeout_ms = ms;
  }
  return n->pn;
}

static void net_poll_dispatch(void *opaque, vmrun_pollfd *fds, int count)
{
  vnet *n = opaque;
  n->pfds = fds;
  if (count < n->pn)
    n->pn = count < 0 ? 0 : count;
  slirp_pollfds_poll(n->slirp, 0, get_revents_cb, n);
  n->pfds = NULL;
  n->pn = 0;
}

/* ------------------------------------------------------------------ */
/* Options */

static int parse_mac(const char *s, uint8_t mac[6])
{
  unsigned i;
  for (i = 0; i < 6; i++) {
    unsigned v = 0, k;
    for (k = 0; k < 2; k++) {
      char c = s[3 * i + k];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= (unsigned)(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= (unsigned)(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= (unsigned)(c - 'A' + 10);
      else
        return -1;
    }
    if (s[3 * i + 2] != (i < 5 ? ':' : '\0'))
      return -1;
    mac[i] = (uint8_t)v;
  }
  return 0;
}

/* "a.b.c.d/len" -> network address and prefix length. */
static int parse_net(const char *s, struct in_addr *net, unsigned *plen)
{
  char addr[32], *end;
  const char *slash = strchr(s, '/');
  unsigned long l;
  if (!slash || (size_t)(slash - s) >= sizeof addr || !slash[1])
    return -1;
  memcpy(addr, s, (size_t)(slash - s));
  addr[slash - s] = '\0';
  if (inet_pton(AF_INET, addr, net) != 1)
    return -1;
  errno = 0;
  l = strtoul(slash + 1, &end, 10);
  if (errno || *end || slash[1] < '0' || slash[1] > '9' || l > 32)
    return -1;
  *plen = (unsigned)l;
  return 0;
}

static int parse_port(const char *s, size_t len, int *port)
{
  unsigned long v = 0;
  size_t i;
  if (len == 0 || len > 5)
    return -1;
  for (i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (unsigned long)(s[i] - '0');
  }
  if (v < 1 || v > 65535)
    return -1;
  *port = (int)v;
  return 0;
}

static int parse_addr(const char *s, size_t len, struct in_addr *a)
{
  char buf[32];
  if (len == 0) {
    a->s_addr = INADDR_ANY;
    return 0;
  }
  if (len >= sizeof buf)
    return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  return inet_pton(AF_INET, buf, a) == 1 ? 0 : -1;
}

/* One rule "[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" (len
** bytes at s).  On error *why says what is wrong. */
static int parse_hostfwd(const char *s, size_t len, hostfwd *f,
                         const char **why)
{
  const char *end = s + len, *p = s, *c1, *c2, *dash, *c3;
  c1 = memchr(p, ':', len);
  if (!c1) {
    *why = "expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT";
    return -1;
  }
  if (c1 - p == 0 || (c1 - p == 3 && memcmp(p, "tcp", 3) == 0)) {
    f->is_udp = 0;
  } else if (c1 - p == 3 && memcmp(p, "udp", 3) == 0) {
    f->is_udp = 1;
  } else {
    *why = "the protocol must be tcp or udp";
    return -1;
  }
  p = c1 + 1;
  c2 = memchr(p, ':', (size_t)(end - p));
  dash = c2 ? memchr(c2, '-', (size_t)(end - c2)) : NULL;
  c3 = dash ? memchr(dash, ':', (size_t)(end - dash)) : NULL;
  if (!c2 || !dash || !c3 || memchr(c3 + 1, ':', (size_t)(end - c3 - 1))) {
    *why = "expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT";
    return -1;
  }
  if (parse_addr(p, (size_t)(c2 - p), &f->haddr) < 0) {
    *why = "the host address is not an IPv4 address";
    return -1;
  }
  if (parse_port(c2 + 1, (size_t)(dash - c2 - 1), &f->hport) < 0) {
    *why = "the host port must be a number from 1 to 65535";
    return -1;
  }
  if (parse_addr(dash + 1, (size_t)(c3 - dash - 1), &f->gaddr) < 0) {
    *why = "the guest address is not an IPv4 address";
    return -1;
  }
  if (parse_port(c3 + 1, (size_t)(end - c3 - 1), &f->gport) < 0) {
    *why = "the guest port must be a number from 1 to 65535";
    return -1;
  }
  return 0;
}

static int is_sep(char c)
{
  return c == ',' || c == ' ' || c == '\t' || c == '\n';
}

/* Parse every rule of `spec` into fw[]; returns the count or -1 (reported
** on `where`). */
static int parse_hostfwds(const vmrun_host *host, vmrun_cfg *where,
                          const char *spec, struct in_addr net, uint32_t mask,
                          hostfwd *fw, unsigned max)
{
  const char *p = spec;
  unsigned nfw = 0, i;
  for (;;) {
    const char *q, *why = NULL;
    while (is_sep(*p))
      p++;
    if (!*p)
      break;
    for (q = p; *q && !is_sep(*q); q++)
      ;
    if (nfw >= max) {
      host->cfg_error(where, "too many forwards (at most %u)", max);
      return -1;
    }
    if (parse_hostfwd(p, (size_t)(q - p), &fw[nfw], &why) < 0) {
      host->cfg_error(where, "bad forward '%.*s': %s", (int)(q - p), p, why);
      return -1;
    }
    if (fw[nfw].gaddr.s_addr != INADDR_ANY &&
        (fw[nfw].gaddr.s_addr & mask) != (net.s_addr & mask)) {
      host->cfg_error(where, "bad forward '%.*s': the guest address is "
                      "outside the virtual network", (int)(q - p), p);
      return -1;
    }
    for (i = 0; i < nfw; i++)
      if (fw[i].is_udp == fw[nfw].is_udp && fw[i].hport == fw[nfw].hport) {
        host->cfg_error(where, "bad forward '%.*s': host %s port %d is "
                        "forwarded twice", (int)(q - p), p,
                        fw[nfw].is_udp ? "udp" : "tcp", fw[nfw].hport);
        return -1;
      }
    nfw++;
    p = q;
  }
  return (int)nfw;
}

/* ------------------------------------------------------------------ */
/* Life cycle */

static void net_free(vnet *n)
{
  if (!n)
    return;
  n->rx_enabled = 0; /* frames slirp may still send go to the backlog */
  if (n->slirp)
    slirp_cleanup(n->slirp);
  n->slirp = NULL;
  if (n->vd)
    virtio_mmio_destroy(n->vd);
  n->vd = NULL;
  while (n->timers) {
    net_timer *t = n->timers;
    n->timers = t->next;
    n->host->timer_free(t->t);
    free(t);
  }
  backlog_clear(n);
  free(n->txbuf);
  free(n);
}

static int net_create(const vmrun_host *host, vmrun_machine *m,
                      const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { "mac", "net", "restrict", "hostfwd",
                                      "ipv6", NULL };
  const char *mac_s = "52:54:00:12:34:56", *net_s = "10.0.2.0/24";
  const char *fwd_s = NULL;
  int restricted = 0, ipv6 = 0, rc, nfw = 0, i;
  hostfwd fw[NET_MAX_HOSTFWD];
  struct in_addr net;
  unsigned plen = 0;
  uint32_t mask;
  SlirpConfig cfg;
  virtio_dev_info info;
  vmrun_cfg *where;
  vnet *n;

  if (!host || !dc || !inst)
    return -VMRUN_EINVAL;
  *inst = NULL;
  if (!VMRUN_HOST_HAS(host, poll_register) || !host->poll_register) {
    host->cfg_error(dc->node, "virtio-net needs a vmrun core with plugin ABI "
                    "1.2 or later (poll_register), this one has %u.%u",
                    (unsigned)host->abi_major, (unsigned)host->abi_minor);
    return -VMRUN_ENOSYS;
  }
  if (dc->options) {
    rc = host->cfg_check_keys(dc->options, keys);
    if (rc < 0)
      return rc;
    if ((rc = host->cfg_str(dc->options, "mac", mac_s, &mac_s)) < 0 ||
        (rc = host->cfg_str(dc->options, "net", net_s, &net_s)) < 0 ||
        (rc = host->cfg_bool(dc->options, "restrict", 0, &restricted)) < 0 ||
        (rc = host->cfg_bool(dc->options, "ipv6", 0, &ipv6)) < 0)
      return rc;
    rc = host->cfg_str(dc->options, "hostfwd", NULL, &fwd_s);
    if (rc < 0) {
      host->cfg_error(host->cfg_get(dc->options, "hostfwd"),
                      "give forwards as one string, several separated by "
                      "commas, e.g. \"tcp:127.0.0.1:2222-:22,udp::5353-:53\"");
      return rc;
    }
  }

  n = calloc(1, sizeof *n);
  if (!n)
    return -VMRUN_ENOMEM;
  n->host = host;
  n->m = m;
  n->name = dc->name ? dc->name : "virtio-net";

  where = host->cfg_get(dc->options, "mac");
  if (parse_mac(mac_s, n->mac) < 0) {
    host->cfg_error(where ? where : dc->node, "expected a MAC address like "
                    "52:54:00:12:34:56, got '%s'", mac_s);
    goto bad;
  }
  if (n->mac[0] & 1) {
    host->cfg_error(where ? where : dc->node, "MAC address %s is a multicast "
                    "address (the first byte must be even)", mac_s);
    goto bad;
  }
  if (!(n->mac[0] | n->mac[1] | n->mac[2] | n->mac[3] | n->mac[4] |
        n->mac[5])) {
    host->cfg_error(where ? where : dc->node, "MAC address must not be "
                    "00:00:00:00:00:00");
    goto bad;
  }

  where = host->cfg_get(dc->options, "net");
  if (parse_net(net_s, &net, &plen) < 0) {
    host->cfg_error(where ? where : dc->node, "expected an IPv4 network like "
                    "10.0.2.0/24, got '%s'", net_s);
    goto bad;
  }
  if (plen < 8 || plen > 27) {
    host->cfg_error(where ? where : dc->node, "network prefix length /%u is "
                    "out of range (8 to 27: room for the host, DNS and 16 "
                    "DHCP addresses from .15)", plen);
    goto bad;
  }
  mask = htonl(~0u << (32 - plen));
  if (net.s_addr & ~mask) {
    host->cfg_error(where ? where : dc->node, "'%s' has host bits set (the "
                    "network address of that is %s/%u)", net_s,
                    inet_ntoa((struct in_addr){ net.s_addr & mask }), plen);
    goto bad;
  }

  if (fwd_s) {
    nfw = parse_hostfwds(host, host->cfg_get(dc->options, "hostfwd"), fwd_s,
                         net, mask, fw, NET_MAX_HOSTFWD);
    if (nfw < 0)
      goto bad;
  }

  n->txbuf = malloc(NET_FRAME_MAX);
  if (!n->txbuf) {
    free(n);
    return -VMRUN_ENOMEM;
  }

  memset(&cfg, 0, sizeof cfg);
  cfg.version = 4;
  cfg.restricted = restricted;
  cfg.in_enabled = true;
  cfg.vnetwork = net;
  cfg.vnetmask.s_addr = mask;
  cfg.vhost.s_addr = net.s_addr | htonl(2);
  cfg.vdhcp_start.s_addr = net.s_addr | htonl(15);
  cfg.vnameserver.s_addr = net.s_addr | htonl(3);
  cfg.in6_enabled = ipv6 != 0;
  if (ipv6) {
    inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
    cfg.vprefix_len = 64;
    inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
    inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);
  }
  cfg.vhostname = "vmrun";
  n->slirp = slirp_new(&cfg, &net_slirp_cb, n);
  if (!n->slirp) {
    host->cfg_error(dc->node, "cannot start user-mode networking (libslirp "
                    "%s)", slirp_version_string());
    net_free(n);
    return -VMRUN_EINVAL;
  }

  for (i = 0; i < nfw; i++) {
    struct in_addr g = fw[i].gaddr;
    if (g.s_addr == INADDR_ANY)
      g = cfg.vdhcp_start;
    errno = 0;
    if (slirp_add_hostfwd(n->slirp, fw[i].is_udp, fw[i].haddr, fw[i].hport,
                          g, fw[i].gport) < 0) {
      int err = errno;
      char ha[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &fw[i].haddr, ha, sizeof ha);
      host->cfg_error(host->cfg_get(dc->options, "hostfwd"),
                      "cannot forward host %s %s:%d: %s",
                      fw[i].is_udp ? "udp" : "tcp", ha, fw[i].hport,
                      err == EADDRINUSE ? "the port is already in use"
                      : err ? strerror(err) : "libslirp refused it");
      net_free(n);
      return -VMRUN_EBUSY;
    }
  }

  memcpy(n->config + CFG_MAC, n->mac, 6);
  virtio_st16(n->config + CFG_STATUS, VIRTIO_NET_S_LINK_UP);
  virtio_st16(n->config + CFG_MAX_VQ_PAIRS, 1);

  memset(&info, 0, sizeof info);
  info.device_id = VIRTIO_ID_NET;
  info.features = (1ull << VIRTIO_NET_F_MAC) |
                  (1ull << VIRTIO_NET_F_STATUS) |
                  (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                  (1ull << VIRTIO_RING_F_EVENT_IDX);
  info.n_queues = 2;
  info.queue_max = NET_QUEUE_SIZE;
  info.config = n->config;
  info.config_len = sizeof n->config;
  info.queue_notify = net_queue_notify;
  info.reset = net_reset;
  info.opaque = n;
  rc = virtio_mmio_create(host, m, dc, &info, &n->vd);
  if (rc < 0) {
    net_free(n);
    return rc;
  }
  /* last: the core has no way to unregister a poll hook */
  rc = host->poll_register(m, net_poll_fill, net_poll_dispatch, n);
  if (rc < 0) {
    host->cfg_error(dc->node, "cannot join the host poll loop (%s)",
                    rc == -VMRUN_ENOSPC ? "too many poll hooks"
                                        : "poll_register failed");
    net_free(n);
    return rc;
  }
  *inst = n;
  return 0;

bad:
  free(n);
  return -VMRUN_EINVAL;
}

static void net_destroy(void *inst)
{
  vnet *n = inst;
  if (!n)
    return;
  net_free(n);
}

static int net_fdt_populate(void *inst, void *fdt, int parent)
{
  vnet *n = inst;
  return virtio_mmio_fdt_populate(n->vd, fdt, parent);
}

static void net_machine_reset(void *inst)
{
  vnet *n = inst;
  virtio_mmio_reset(n->vd);
}

static const vmrun_device_ops net_ops = {
  sizeof(vmrun_device_ops), 0,
  net_create,
  net_destroy,
  net_fdt_populate,
  net_machine_reset,
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "virtio-net", "0.1.0",
                    "virtio network device (virtio-mmio, libslirp user-mode "
                    "networking)", &net_ops);
