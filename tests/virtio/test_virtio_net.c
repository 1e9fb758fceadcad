/*
** tests/virtio/test_virtio_net.c - the virtio-net plugin against the fake
** host with guest RAM (vdriver.c) and a test-side driver with two queues
** (0 receive, 1 transmit).  libslirp is real: frames the "guest" sends go
** through it, and its sockets are served by calling the poll hook the
** plugin registers (the fake host has no poll loop of its own).  Link with
** plugins/virtio-net/virtio_net.c, libvirtio, libdevfdt,
** tests/devices/fake_host.c, tests/virtio/vdriver.c and `pkg-config --libs
** slirp`.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"
#include "vdriver.h"
#include "../../plugins/virtio/virtio.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define QN        128u
#define HDR       12u
#define RXBUF_LEN 2048u
#define RX_DATA   (VR_DATA)                 /* 128 x 2 KiB */
#define TX_DATA   (VR_DATA + 0x100000)      /* 128 x 2 KiB */
#define TX_DESC   (VR_RAM_BASE + 0x50000)
#define TX_AVAIL  (VR_RAM_BASE + 0x60000)
#define TX_USED   (VR_RAM_BASE + 0x70000)

#define F_MAC       (1ull << 5)
#define F_MRG_RXBUF (1ull << 15)
#define F_STATUS    (1ull << 16)

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static fake_host *fh;
static const vmrun_device_ops *ops;
static vmrun_device_config dc;
static void *inst;
static vdrv rx, tx;

/* the poll hook the plugin registered */
static int (*hook_fill)(void *, vmrun_pollfd *, int, int *);
static void (*hook_dispatch)(void *, vmrun_pollfd *, int);
static void *hook_opaque;
static unsigned hooks;

static int fake_poll_register(vmrun_machine *m,
                              int (*fill)(void *, vmrun_pollfd *, int, int *),
                              void (*dispatch)(void *, vmrun_pollfd *, int),
                              void *opaque)
{
  (void)m;
  hooks++;
  hook_fill = fill;
  hook_dispatch = dispatch;
  hook_opaque = opaque;
  return 0;
}

static void setup(void)
{
  fh = fh_new(1);
  vr_install(fh);
  fh->host.poll_register = fake_poll_register;
  ops = vmrun_plugin_descriptor.ops;
  inst = NULL;
  hooks = 0;
  hook_fill = NULL;
  hook_dispatch = NULL;
  memset(&rx, 0, sizeof rx);
  memset(&tx, 0, sizeof tx);
  rx.fh = tx.fh = fh;
}

static void teardown(void)
{
  if (inst)
    ops->destroy(inst);
  fh_free(fh);
  vr_uninstall();
}

TestSuite(virtio_net, .init = setup, .fini = teardown);

/* ---- helpers: device ---- */

static int create_with(vmrun_cfg *options)
{
  dc = fh_device_config("virtio-net", options);
  dc.base = VR_MMIO_BASE;
  dc.n_irqs = 1;
  dc.irqs[0] = VR_IRQ;
  return ops->create(&fh->host, fh, &dc, &inst);
}

static void create_ok(vmrun_cfg *options)
{
  cr_assert_eq(create_with(options), 0, "%s", fh->last_cfg_error);
  cr_assert_eq(hooks, 1u);
}

/* Negotiate `accept`, set up both queues, DRIVER_OK. */
static void start(uint64_t accept)
{
  memset(vr_mem(VR_DESC), 0, 16 * QN);
  memset(vr_mem(VR_AVAIL), 0, 6 + 2 * QN);
  memset(vr_mem(VR_USED), 0xa5, 6 + 8 * QN);
  memset(vr_mem(TX_DESC), 0, 16 * QN);
  memset(vr_mem(TX_AVAIL), 0, 6 + 2 * QN);
  memset(vr_mem(TX_USED), 0xa5, 6 + 8 * QN);
  cr_assert(vr_negotiate(&rx, VR_MMIO_BASE, accept), "FEATURES_OK refused");
  vr_queue(&rx, 0, QN, VR_DESC, VR_AVAIL, VR_USED);
  tx.base = rx.base;
  tx.features = rx.features;
  vr_queue(&tx, 1, QN, TX_DESC, TX_AVAIL, TX_USED);
  vr_driver_ok(&rx);
  cr_assert_eq(vr_rd(&rx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void create_and_start(vmrun_cfg *options)
{
  create_ok(options);
  start(~0ull);
}

/* Post `n` receive buffers of RXBUF_LEN bytes (no notify). */
static void rx_post(unsigned n)
{
  unsigned i;
  for (i = 0; i < n; i++) {
    vr_buf b = { RX_DATA + (uint64_t)RXBUF_LEN * rx.next_desc, RXBUF_LEN, 1 };
    memset(vr_mem(b.gpa), 0xcc, RXBUF_LEN);
    vr_add(&rx, 1, &b);
  }
}

/* Next received frame into buf (returns its length), or 0 if none.
** Checks the virtio_net_hdr. */
static size_t rx_get(uint8_t *buf, size_t max)
{
  uint32_t id, len;
  const uint8_t *p;
  size_t flen;
  unsigned i;
  if (!vr_used(&rx, &id, &len))
    return 0;
  cr_assert_lt(id, QN);
  cr_assert_geq(len, HDR + 14, "used len %u", len);
  cr_assert_leq(len, RXBUF_LEN);
  p = vr_mem(RX_DATA + (uint64_t)RXBUF_LEN * id);
  for (i = 0; i < 10; i++)
    cr_assert_eq(p[i], 0, "virtio_net_hdr byte %u is %u", i, p[i]);
  cr_assert_eq(virtio_le16(p + 10), 1, "num_buffers");
  flen = len - HDR;
  cr_assert_leq(flen, max);
  memcpy(buf, p + HDR, flen);
  return flen;
}

/* Transmit one frame (header + frame in one buffer); the chain must come
** back at once with length 0. */
static void tx_send(const uint8_t *frame, size_t len)
{
  uint32_t id, ulen;
  uint16_t head = tx.next_desc;
  vr_buf b = { TX_DATA + (uint64_t)RXBUF_LEN * head, (uint32_t)(HDR + len),
               0 };
  cr_assert_leq(HDR + len, RXBUF_LEN);
  memset(vr_mem(b.gpa), 0, HDR);
  memcpy(vr_mem(b.gpa + HDR), frame, len);
  vr_add(&tx, 1, &b);
  vr_kick(&tx, 1);
  cr_assert(vr_used(&tx, &id, &ulen), "transmit chain not returned");
  cr_assert_eq(id, head);
  cr_assert_eq(ulen, 0u);
}

/* One round of the core's poll loop: fill, poll up to `ms`, dispatch; the
** virtual clock advances by `ms`. */
static void pump(int ms)
{
  vmrun_pollfd fds[64];
  int t = -1, n;
  cr_assert_not_null(hook_fill);
  n = hook_fill(hook_opaque, fds, 64, &t);
  cr_assert_geq(n, 0);
  cr_assert_leq(n, 64);
  if (t < 0 || t > ms)
    t = ms;
  if (poll((struct pollfd *)(void *)fds, (nfds_t)n, t) < 0)
    cr_assert_fail("poll: %s", strerror(errno));
  hook_dispatch(hook_opaque, fds, n);
  fh_clock_advance(fh, (uint64_t)ms * 1000000u);
}

/* ---- helpers: frames ---- */

static uint16_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
  size_t i;
  for (i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1)
    sum += (uint32_t)p[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)sum;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static uint32_t ip(const char *s)
{
  struct in_addr a;
  cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
  return ntohl(a.s_addr);
}

static void put32(uint8_t *p, uint32_t v)
{
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}

/* Ethernet + IPv4 header for `plen` payload bytes; returns the payload. */
static uint8_t *eth_ip(uint8_t *f, const uint8_t *dst, uint8_t proto,
                       uint32_t src_ip, uint32_t dst_ip, size_t plen)
{
  uint8_t *h = f + 14;
  memcpy(f, dst, 6);
  memcpy(f + 6, MAC, 6);
  put16(f + 12, 0x0800);
  memset(h, 0, 20);
  h[0] = 0x45;
  put16(h + 2, (uint16_t)(20 + plen));
  put16(h + 4, 0x1234);
  h[8] = 64;
  h[9] = proto;
  put32(h + 12, src_ip);
  put32(h + 16, dst_ip);
  put16(h + 10, (uint16_t)~csum_add(0, h, 20));
  return h + 20;
}

/* A DHCPDISCOVER from MAC (broadcast); returns the frame length. */
static size_t make_dhcp_discover(uint8_t *f, uint32_t xid)
{
  const size_t blen = 548; /* struct bootp_t with the full vendor area */
  uint8_t *u = eth_ip(f, BCAST, 17, 0, 0xffffffffu, 8 + blen), *b = u + 8;
  put16(u, 68);
  put16(u + 2, 67);
  put16(u + 4, (uint16_t)(8 + blen));
  put16(u + 6, 0);
  memset(b, 0, blen);
  b[0] = 1;   /* BOOTREQUEST */
  b[1] = 1;   /* Ethernet */
  b[2] = 6;
  put32(b + 4, xid);
  put16(b + 10, 0x8000); /* broadcast reply */
  memcpy(b + 28, MAC, 6);
  put32(b + 236, 0x63825363u);
  b[240] = 53; b[241] = 1; b[242] = 1; /* DHCPDISCOVER */
  b[243] = 255;
  return 14 + 20 + 8 + blen;
}

/* ARP request or reply from MAC/sender_ip. */
static size_t make_arp(uint8_t *f, uint16_t op, const uint8_t *dst,
                       uint32_t sender_ip, const uint8_t *target_mac,
                       uint32_t target_ip)
{
  uint8_t *a = f + 14;
  memset(f, 0, 60);
  memcpy(f, dst, 6);
  memcpy(f + 6, MAC, 6);
  put16(f + 12, 0x0806);
  put16(a, 1);
  put16(a + 2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  put16(a + 6, op);
  memcpy(a + 8, MAC, 6);
  put32(a + 14, sender_ip);
  memcpy(a + 18, target_mac, 6);
  put32(a + 24, target_ip);
  return 60;
}

/* TCP SYN from 10.0.2.15:sport to dst_ip:dport. */
static size_t make_syn(uint8_t *f, const uint8_t *dst_mac, uint32_t dst_ip,
                       uint16_t sport, uint16_t dport)
{
  uint32_t src_ip = ip("10.0.2.15"), sum;
  uint8_t *t = eth_ip(f, dst_mac, 6, src_ip, dst_ip, 20), pseudo[12];
  memset(t, 0, 20);
  put16(t, sport);
  put16(t + 2, dport);
  put32(t + 4, 1000);
  t[12] = 5 << 4;
  t[13] = 0x02; /* SYN */
  put16(t + 14, 65535);
  put32(pseudo, src_ip);
  put32(pseudo + 4, dst_ip);
  pseudo[8] = 0;
  pseudo[9] = 6;
  put16(pseudo + 10, 20);
  sum = csum_add(0, pseudo, 12);
  put16(t + 16, (uint16_t)~csum_add(sum, t, 20));
  return 14 + 20 + 20;
}

static uint8_t slirp_mac[6];

/* If f is an ARP request for 10.0.2.15, answer it and return 1. */
static int answer_arp(const uint8_t *f, size_t len)
{
  uint8_t r[64];
  if (len < 42 || get16(f + 12) != 0x0806 || get16(f + 20) != 1)
    return 0;
  cr_assert_eq(get32(f + 38), ip("10.0.2.15"));
  memcpy(slirp_mac, f + 22, 6);
  tx_send(r, make_arp(r, 2, f + 22, ip("10.0.2.15"), f + 22, get32(f + 28)));
  return 1;
}

/* Pump until a non-ARP frame arrives (ARP requests are answered, receive
** buffers topped up); returns its length or 0 after `rounds`. */
static size_t wait_frame(uint8_t *buf, size_t max, unsigned rounds)
{
  unsigned i;
  for (i = 0; i < rounds; i++) {
    size_t len;
    while ((len = rx_get(buf, max)) > 0) {
      rx_post(1);
      vr_kick(&rx, 0);
      if (!answer_arp(buf, len))
        return len;
    }
    pump(10);
  }
  return 0;
}

/* A TCP port on 127.0.0.1 nobody listens on (probably). */
static int free_port(void)
{
  struct sockaddr_in a;
  socklen_t al = sizeof a;
  int s = socket(AF_INET, SOCK_STREAM, 0), port;
  cr_assert_geq(s, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
  cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &al), 0);
  port = ntohs(a.sin_port);
  close(s);
  return port;
}

/* A non-blocking listening socket on 127.0.0.1; *port gets its port. */
static int listener(int *port)
{
  struct sockaddr_in a;
  socklen_t al = sizeof a;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  cr_assert_geq(s, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
  cr_assert_eq(listen(s, 4), 0);
  cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &al), 0);
  *port = ntohs(a.sin_port);
  return s;
}

/* ---- descriptor, registers, config ---- */

Test(virtio_net, descriptor_registers_and_config)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  uint32_t lo, hi;
  unsigned i;
  cr_assert_str_eq(d->name, "virtio-net");
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  create_ok(NULL);
  rx.base = VR_MMIO_BASE;
  cr_assert_eq(vr_rd(&rx, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
  cr_assert_eq(vr_rd(&rx, VIRTIO_MMIO_VERSION_REG), 2u);
  cr_assert_eq(vr_rd(&rx, VIRTIO_MMIO_DEVICE_ID), 1u);
  vr_wr(&rx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  lo = vr_rd(&rx, VIRTIO_MMIO_DEVICE_FEATURES);
  vr_wr(&rx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  hi = vr_rd(&rx, VIRTIO_MMIO_DEVICE_FEATURES);
  cr_assert_eq(hi, 1u, "only VERSION_1 above bit 31");
  cr_assert_eq(lo, (uint32_t)(F_MAC | F_STATUS | VR_F_INDIRECT |
                              VR_F_EVENT_IDX), "features 0x%x", lo);
  /* two queues of 256, no third */
  for (i = 0; i < 2; i++) {
    vr_wr(&rx, VIRTIO_MMIO_QUEUE_SEL, i);
    cr_assert_eq(vr_rd(&rx, VIRTIO_MMIO_QUEUE_NUM_MAX), 256u);
  }
  vr_wr(&rx, VIRTIO_MMIO_QUEUE_SEL, 2);
  cr_assert_eq(vr_rd(&rx, VIRTIO_MMIO_QUEUE_NUM_MAX), 0u);
  /* config: mac, status LINK_UP (byte reads as Linux does) */
  for (i = 0; i < 6; i++)
    cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x100 + i, 1), MAC[i]);
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x106, 2), 1u);
  /* writes to the config space are ignored */
  fh_write(fh, VR_MMIO_BASE + 0x100, 1, 0x02);
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x100, 1), 0x52u);
}

Test(virtio_net, mac_option)
{
  create_ok(fh_options(fh, "mac", "02:AB:cd:00:00:fe", NULL));
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x100, 4), 0x00cdab02u);
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x104, 2), 0xfe00u);
}

/* Offer `features` as a driver would and report whether FEATURES_OK stuck. */
static int try_features(uint64_t features)
{
  rx.base = VR_MMIO_BASE;
  vr_wr(&rx, VIRTIO_MMIO_STATUS, 0);
  vr_wr(&rx, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
        VIRTIO_STATUS_DRIVER);
  vr_wr(&rx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  vr_wr(&rx, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
  vr_wr(&rx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  vr_wr(&rx, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
  vr_wr(&rx, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
        VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  return (vr_rd(&rx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) != 0;
}

Test(virtio_net, feature_negotiation)
{
  create_ok(NULL);
  /* features the device does not offer are refused: mergeable buffers,
  ** checksum offload */
  cr_assert_not(try_features(VR_F_VERSION_1 | F_MAC | F_MRG_RXBUF));
  cr_assert_not(try_features(VR_F_VERSION_1 | F_MAC | 1ull));
  /* legacy (no VERSION_1) is refused */
  cr_assert_not(try_features(F_MAC | F_STATUS));
  /* the minimum works, and so does everything offered */
  cr_assert(try_features(VR_F_VERSION_1));
  cr_assert(vr_negotiate(&rx, VR_MMIO_BASE, ~0ull));
  cr_assert_eq(rx.features, VR_F_VERSION_1 | F_MAC | F_STATUS |
                                VR_F_INDIRECT | VR_F_EVENT_IDX);
}

Test(virtio_net, fdt_node)
{
  void *fdt;
  int len;
  const char *s;
  uint32_t cells[4];
  create_ok(NULL);
  fdt = fh_fdt_new(fh, 16384);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  s = fh_prop(fdt, "/soc/virtio_mmio@10001000", "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_str_eq(s, "virtio,mmio");
  cr_assert_eq(fh_prop_cells(fdt, "/soc/virtio_mmio@10001000", "interrupts",
                             cells, 4), 1);
  cr_assert_eq(cells[0], VR_IRQ);
  free(fdt);
}

/* ---- traffic through slirp ---- */

Test(virtio_net, dhcp_discover_gets_offer)
{
  uint8_t f[2048];
  size_t len;
  const uint8_t *b, *o;
  int found53 = 0;
  create_and_start(NULL);
  rx_post(8);
  vr_kick(&rx, 0);
  tx_send(f, make_dhcp_discover(f, 0x11223344u));
  len = wait_frame(f, sizeof f, 50);
  cr_assert_gt(len, 14u + 20 + 8 + 240, "no DHCP reply");
  cr_assert(memcmp(f, MAC, 6) == 0 || memcmp(f, BCAST, 6) == 0,
            "not addressed to our MAC");
  cr_assert_eq(get16(f + 12), 0x0800);
  cr_assert_eq(f[14 + 9], 17);
  cr_assert_eq(get32(f + 14 + 12), ip("10.0.2.2"));
  cr_assert_eq(get16(f + 34), 67);
  cr_assert_eq(get16(f + 36), 68);
  b = f + 42;
  cr_assert_eq(b[0], 2);                          /* BOOTREPLY */
  cr_assert_eq(get32(b + 4), 0x11223344u);        /* xid */
  cr_assert_eq(get32(b + 16), ip("10.0.2.15"));   /* yiaddr */
  cr_assert_eq(memcmp(b + 28, MAC, 6), 0);        /* chaddr */
  cr_assert_eq(get32(b + 236), 0x63825363u);
  for (o = b + 240; o < f + len && *o != 255; o += o[0] ? 2 + o[1] : 1)
    if (o[0] == 53) {
      cr_assert_eq(o[2], 2, "DHCP message type %u, not OFFER", o[2]);
      found53 = 1;
    }
  cr_assert(found53);
}

Test(virtio_net, arp_reply_for_gateway)
{
  uint8_t f[2048];
  size_t len;
  create_and_start(NULL);
  rx_post(4);
  vr_kick(&rx, 0);
  tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"),
                      (const uint8_t[6]){ 0 }, ip("10.0.2.2")));
  len = rx_get(f, sizeof f);
  if (!len) {
    pump(0);
    len = rx_get(f, sizeof f);
  }
  cr_assert_geq(len, 42u, "no ARP reply");
  cr_assert_eq(memcmp(f, MAC, 6), 0);
  cr_assert_eq(get16(f + 12), 0x0806);
  cr_assert_eq(get16(f + 20), 2);                  /* reply */
  cr_assert_eq(memcmp(f + 6, f + 22, 6), 0);       /* from its sender */
  cr_assert_eq(get32(f + 28), ip("10.0.2.2"));
  cr_assert_eq(memcmp(f + 32, MAC, 6), 0);
  cr_assert_eq(get32(f + 38), ip("10.0.2.15"));
  /* nothing else */
  cr_assert_eq(rx_get(f, sizeof f), 0u);
}

/* Header and frame split over several descriptors, through an indirect
** table; the reply lands in a chain of two receive buffers. */
Test(virtio_net, scattered_chains)
{
  uint8_t f[64];
  uint32_t id, len;
  vr_buf out[3] = { { TX_DATA, HDR, 0 }, { TX_DATA + 0x100, 20, 0 },
                    { TX_DATA + 0x200, 40, 0 } };
  vr_buf in[2] = { { RX_DATA, 5, 1 }, { RX_DATA + 0x1000, 1600, 1 } };
  const uint8_t *p;
  create_and_start(NULL);
  vr_add(&rx, 2, in);
  vr_kick(&rx, 0);
  make_arp(f, 1, BCAST, ip("10.0.2.15"), (const uint8_t[6]){ 0 },
           ip("10.0.2.3"));
  memset(vr_mem(TX_DATA), 0, HDR);
  memcpy(vr_mem(TX_DATA + 0x100), f, 20);
  memcpy(vr_mem(TX_DATA + 0x200), f + 20, 40);
  vr_add_indirect(&tx, VR_INDIRECT, 3, out);
  vr_kick(&tx, 1);
  cr_assert(vr_used(&tx, &id, &len));
  cr_assert_eq(len, 0u);
  cr_assert(vr_used(&rx, &id, &len), "no ARP reply");
  cr_assert_geq(len, HDR + 42);
  /* header: 5 bytes in the first buffer, the rest in the second */
  p = vr_mem(RX_DATA);
  cr_assert_eq(p[0] | p[1] | p[2] | p[3] | p[4], 0);
  p = vr_mem(RX_DATA + 0x1000);
  cr_assert_eq(virtio_le16(p + 5), 1);             /* num_buffers */
  cr_assert_eq(memcmp(p + 7, MAC, 6), 0);          /* frame at 12 */
  cr_assert_eq(get16(p + 7 + 20), 2);
  cr_assert_eq(get32(p + 7 + 28), ip("10.0.2.3"));
}

Test(virtio_net, rx_without_buffers_waits_then_delivers)
{
  uint8_t f[2048];
  unsigned i;
  create_and_start(NULL);
  /* replies produced before the driver posted anything wait in the device */
  for (i = 0; i < 3; i++)
    tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"),
                        (const uint8_t[6]){ 0 }, ip("10.0.2.2")));
  cr_assert_eq(vr_used_idx(&rx), 0u);
  /* (transmit completions raised the interrupt: acknowledge them) */
  vr_wr(&rx, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  rx_post(2);
  vr_kick(&rx, 0);
  cr_assert_eq(vr_used_idx(&rx), 2u);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  for (i = 0; i < 2; i++) {
    cr_assert_geq(rx_get(f, sizeof f), 42u);
    cr_assert_eq(get16(f + 20), 2);
  }
  /* the third waits for the next buffer */
  rx_post(1);
  vr_kick(&rx, 0);
  cr_assert_geq(rx_get(f, sizeof f), 42u);
  cr_assert_eq(get16(f + 12), 0x0806);
  cr_assert_eq(rx_get(f, sizeof f), 0u);
  /* the ring ran dry again: a new reply waits too, and is delivered */
  tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"), (const uint8_t[6]){ 0 },
                      ip("10.0.2.2")));
  cr_assert_eq(rx_get(f, sizeof f), 0u);
  rx_post(1);
  vr_kick(&rx, 0);
  cr_assert_geq(rx_get(f, sizeof f), 42u);
}

Test(virtio_net, backlog_is_bounded)
{
  uint8_t f[2048];
  unsigned i, got = 0, round;
  create_and_start(NULL);
  for (i = 0; i < 300; i++)
    tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"),
                        (const uint8_t[6]){ 0 }, ip("10.0.2.2")));
  for (round = 0; round < 3; round++) { /* at most 128 outstanding */
    rx_post(100);
    vr_kick(&rx, 0);
    while (rx_get(f, sizeof f))
      got++;
  }
  cr_assert_eq(got, 256u, "delivered %u of 300 (256 wait at most)", got);
  /* the device works normally afterwards (buffers left: 300 - 256) */
  tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"), (const uint8_t[6]){ 0 },
                      ip("10.0.2.2")));
  cr_assert_geq(rx_get(f, sizeof f), 42u);
}

Test(virtio_net, reset_drops_waiting_frames)
{
  uint8_t f[2048];
  create_and_start(NULL);
  tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"), (const uint8_t[6]){ 0 },
                      ip("10.0.2.2")));
  start(~0ull); /* reset and set up again */
  rx_post(4);
  vr_kick(&rx, 0);
  cr_assert_eq(vr_used_idx(&rx), 0u);
}

Test(virtio_net, nothing_delivered_before_rx_notify)
{
  uint8_t f[2048];
  create_and_start(NULL);
  rx_post(4); /* posted but never notified */
  tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"), (const uint8_t[6]){ 0 },
                      ip("10.0.2.2")));
  cr_assert_eq(vr_used_idx(&rx), 0u);
  vr_kick(&rx, 0);
  cr_assert_eq(vr_used_idx(&rx), 1u);
}

Test(virtio_net, small_rx_buffer_drops_frame)
{
  uint8_t f[2048];
  vr_buf b = { RX_DATA, 30, 1 };
  uint32_t id, len;
  create_and_start(NULL);
  vr_add(&rx, 1, &b);
  vr_kick(&rx, 0);
  tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"), (const uint8_t[6]){ 0 },
                      ip("10.0.2.2")));
  cr_assert(vr_used(&rx, &id, &len));
  cr_assert_eq(len, 0u);
  cr_assert_eq(fh->logs[VMRUN_LOG_WARN], 1u);
  cr_assert_not_null(strstr(fh->last_log, "too small"));
  cr_assert_eq(vr_rd(&rx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* A guest TCP connection to the gateway reaches a host socket on
** 127.0.0.1 (slirp connects for it) and the guest gets the SYN-ACK. */
static int guest_connects(vmrun_cfg *options, uint8_t *synack)
{
  uint8_t f[2048];
  int port, ls = listener(&port), cs = -1;
  unsigned i;
  size_t len = 0;
  create_and_start(options);
  rx_post(16);
  vr_kick(&rx, 0);
  tx_send(f, make_syn(f, (const uint8_t[6]){ 0x52, 0x55, 10, 0, 2, 2 },
                      ip("10.0.2.2"), 40000, (uint16_t)port));
  for (i = 0; i < 40 && cs < 0; i++) {
    pump(10);
    cs = accept(ls, NULL, NULL);
  }
  if (cs >= 0)
    len = wait_frame(f, sizeof f, 40);
  *synack = len >= 54 && get16(f + 12) == 0x0800 && f[23] == 6 &&
            get16(f + 34) == port && get16(f + 36) == 40000 &&
            (f[47] & 0x12) == 0x12;
  if (cs >= 0)
    close(cs);
  close(ls);
  return cs >= 0;
}

Test(virtio_net, tcp_to_host)
{
  uint8_t synack = 0;
  cr_assert(guest_connects(NULL, &synack), "no connection reached the host");
  cr_assert(synack, "the guest got no SYN-ACK");
}

Test(virtio_net, restrict_blocks_outbound)
{
  uint8_t synack = 0;
  cr_assert_not(guest_connects(fh_options(fh, "restrict", "true", NULL),
                               &synack));
}

/* A host connection to a forwarded port reaches the guest as a SYN. */
Test(virtio_net, hostfwd_reaches_guest)
{
  char spec[64];
  uint8_t f[2048];
  struct sockaddr_in a;
  int port = free_port(), s;
  size_t len;
  snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d-:22", port);
  create_and_start(fh_options(fh, "hostfwd", spec, NULL));
  rx_post(16);
  vr_kick(&rx, 0);
  s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  cr_assert_geq(s, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert(connect(s, (struct sockaddr *)&a, sizeof a) == 0 ||
            errno == EINPROGRESS, "connect: %s", strerror(errno));
  len = wait_frame(f, sizeof f, 100);
  close(s);
  cr_assert_geq(len, 54u, "no frame for the forwarded connection");
  cr_assert_eq(get16(f + 12), 0x0800);
  cr_assert_eq(f[23], 6);                               /* TCP */
  cr_assert_eq(get32(f + 30), ip("10.0.2.15"));
  cr_assert_eq(get16(f + 36), 22);
  cr_assert_eq(f[47] & 0x12, 0x02);                     /* SYN */
}

Test(virtio_net, hostfwd_several_and_udp)
{
  char spec[128];
  int p1 = free_port(), p2 = free_port();
  snprintf(spec, sizeof spec, " tcp:127.0.0.1:%d-:22, udp:127.0.0.1:%d-10.0.2.20:53",
           p1, p2);
  create_ok(fh_options(fh, "hostfwd", spec, NULL));
}

Test(virtio_net, hostfwd_port_in_use)
{
  char spec[64];
  int port, ls = listener(&port);
  snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d-:22", port);
  cr_assert_lt(create_with(fh_options(fh, "hostfwd", spec, NULL)), 0);
  close(ls);
  cr_assert_null(inst);
  cr_assert_eq(fh->cfg_errors, 1u);
  cr_assert_not_null(strstr(fh->last_cfg_error, "hostfwd"),
                     "%s", fh->last_cfg_error);
  cr_assert_not_null(strstr(fh->last_cfg_error, "already in use"),
                     "%s", fh->last_cfg_error);
  cr_assert_eq(fh->n_regions, 0u);
  cr_assert_eq(hooks, 0u);
}

/* ---- the poll hook ---- */

Test(virtio_net, poll_hook_fill)
{
  char spec[64];
  vmrun_pollfd fds[8];
  int port = free_port(), t, n;
  snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d-:22", port);
  create_ok(fh_options(fh, "hostfwd", spec, NULL));
  /* the forward's listening socket is watched for input */
  t = -1;
  n = hook_fill(hook_opaque, fds, 8, &t);
  cr_assert_eq(n, 1);
  cr_assert_geq(fds[0].fd, 0);
  cr_assert(fds[0].events & POLLIN);
  cr_assert_geq(t, 0);
  cr_assert_leq(t, 1000);  /* slirp wakes up at least every second */
  hook_dispatch(hook_opaque, fds, n);
  /* a shorter timeout is kept */
  t = 3;
  n = hook_fill(hook_opaque, fds, 8, &t);
  cr_assert_eq(t, 3);
  hook_dispatch(hook_opaque, fds, n);
  /* no room: nothing appended */
  t = -1;
  cr_assert_eq(hook_fill(hook_opaque, fds, 0, &t), 0);
  hook_dispatch(hook_opaque, fds, 0);
}

Test(virtio_net, needs_poll_register)
{
  fh->host.poll_register = NULL;
  cr_assert_lt(create_with(fh_options(fh, NULL)), 0);
  cr_assert_not_null(strstr(fh->last_cfg_error, "1.2"), "%s",
                     fh->last_cfg_error);
  /* an ABI 1.1 host table (without the slot) */
  fh->host.poll_register = fake_poll_register;
  fh->host.struct_size = (uint32_t)offsetof(vmrun_host, poll_register);
  fh->cfg_errors = 0;
  cr_assert_lt(create_with(fh_options(fh, NULL)), 0);
  cr_assert_eq(fh->cfg_errors, 1u);
  cr_assert_eq(hooks, 0u);
  cr_assert_eq(fh->n_regions, 0u);
}

/* ---- IPv6: slirp's router-advertisement timer ---- */

Test(virtio_net, ipv6_router_advertisement_timer)
{
  uint8_t f[2048];
  size_t len;
  create_and_start(fh_options(fh, "ipv6", "true", NULL));
  rx_post(8);
  vr_kick(&rx, 0);
  cr_assert_eq(fh_timers_armed(fh), 1u);
  cr_assert_eq(vr_used_idx(&rx), 0u);
  fh_clock_advance(fh, 700ull * 1000000000u); /* RA interval: 200-600 s */
  len = rx_get(f, sizeof f);
  cr_assert_geq(len, 14u + 40 + 16, "no router advertisement");
  cr_assert_eq(get16(f + 12), 0x86dd);
  cr_assert_eq(f[14 + 6], 58);        /* ICMPv6 */
  cr_assert_eq(f[14 + 40], 134);      /* router advertisement */
  cr_assert_eq(fh_timers_armed(fh), 1u, "the timer is re-armed");
}

Test(virtio_net, ipv4_only_by_default)
{
  create_and_start(NULL);
  cr_assert_eq(fh_timers_armed(fh), 0u);
}

/* ---- violations ---- */

Test(virtio_net, bad_descriptor_needs_reset)
{
  uint8_t f[64];
  create_and_start(NULL);
  vr_publish(&tx, QN + 5); /* head out of range */
  vr_kick(&tx, 1);
  cr_assert(vr_rd(&tx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
  cr_assert_eq(vr_rd(&tx, VIRTIO_MMIO_INTERRUPT_STATUS),
               VIRTIO_MMIO_INT_CONFIG);
  cr_assert_not_null(strstr(fh->last_log, "virtio-net"));
  /* a reset brings it back */
  start(~0ull);
  rx_post(1);
  vr_kick(&rx, 0);
  tx_send(f, make_arp(f, 1, BCAST, ip("10.0.2.15"), (const uint8_t[6]){ 0 },
                      ip("10.0.2.2")));
  cr_assert_eq(vr_used_idx(&rx), 1u);
}

Test(virtio_net, short_tx_header_needs_reset)
{
  vr_buf b = { TX_DATA, HDR - 1, 0 };
  create_and_start(NULL);
  vr_add(&tx, 1, &b);
  vr_kick(&tx, 1);
  cr_assert(vr_rd(&tx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
  cr_assert_not_null(strstr(fh->last_log, "virtio_net_hdr"), "%s",
                     fh->last_log);
  cr_assert_eq(vr_used_idx(&tx), 0u);
}

/* ---- option errors ---- */

static void bad_option(const char *key, const char *value, const char *msg)
{
  fh->n_cfg = 0; /* recycle the fake's config nodes: nothing holds them */
  fh->cfg_errors = 0;
  fh->last_cfg_error[0] = 0;
  cr_assert_lt(create_with(fh_options(fh, key, value, NULL)), 0,
               "%s: %s accepted", key, value);
  cr_assert_null(inst);
  cr_assert_geq(fh->cfg_errors, 1u, "%s: %s", key, value);
  cr_assert_not_null(strstr(fh->last_cfg_error, key), "%s",
                     fh->last_cfg_error);
  cr_assert_not_null(strstr(fh->last_cfg_error, msg), "%s: %s -> %s", key,
                     value, fh->last_cfg_error);
  cr_assert_eq(fh->n_regions, 0u);
  cr_assert_eq(hooks, 0u);
}

Test(virtio_net, option_errors)
{
  bad_option("mac", "52:54:00:12:34", "expected a MAC address");
  bad_option("mac", "52:54:00:12:34:5g", "expected a MAC address");
  bad_option("mac", "52:54:00:12:34:56:", "expected a MAC address");
  bad_option("mac", "01:00:5e:00:00:01", "multicast");
  bad_option("mac", "00:00:00:00:00:00", "must not be");
  bad_option("net", "10.0.2.0", "expected an IPv4 network");
  bad_option("net", "10.0.2.0/", "expected an IPv4 network");
  bad_option("net", "10.0.2/24", "expected an IPv4 network");
  bad_option("net", "10.0.2.0/28", "out of range");
  bad_option("net", "10.0.2.1/24", "host bits");
  bad_option("restrict", "maybe", "boolean");
  bad_option("ipv6", "2", "boolean");
  bad_option("speed", "1G", "unknown key");
  bad_option("hostfwd", "tcp:127.0.0.1:2222", "expected [tcp|udp]");
  bad_option("hostfwd", "tcp:127.0.0.1:2222-22", "expected [tcp|udp]");
  bad_option("hostfwd", "sctp::2222-:22", "tcp or udp");
  bad_option("hostfwd", "tcp::0-:22", "host port");
  bad_option("hostfwd", "tcp::65536-:22", "host port");
  bad_option("hostfwd", "tcp::22x-:22", "host port");
  bad_option("hostfwd", "tcp:localhost:2222-:22", "host address");
  bad_option("hostfwd", "tcp::2222-10.0.2.300:22", "guest address");
  bad_option("hostfwd", "tcp::2222-:", "guest port");
  bad_option("hostfwd", "tcp::2222-:22:1", "expected [tcp|udp]");
  bad_option("hostfwd", "tcp::2222-192.168.1.5:22", "outside the virtual");
  bad_option("hostfwd", "tcp::2222-:22,tcp::2222-:23", "forwarded twice");
}

Test(virtio_net, custom_network)
{
  uint8_t f[2048];
  size_t len;
  create_and_start(fh_options(fh, "net", "192.168.76.0/24", NULL));
  rx_post(4);
  vr_kick(&rx, 0);
  tx_send(f, make_arp(f, 1, BCAST, ip("192.168.76.15"),
                      (const uint8_t[6]){ 0 }, ip("192.168.76.2")));
  len = rx_get(f, sizeof f);
  cr_assert_geq(len, 42u);
  cr_assert_eq(get32(f + 28), ip("192.168.76.2"));
  /* the default gateway no longer answers */
  tx_send(f, make_arp(f, 1, BCAST, ip("192.168.76.15"),
                      (const uint8_t[6]){ 0 }, ip("10.0.2.2")));
  cr_assert_eq(rx_get(f, sizeof f), 0u);
}
