/*
** tests/virtio/test_virtio_blk.c - the virtio-blk plugin and the shared
** virtio-mmio transport / split virtqueue code (plugins/virtio) against
** the fake host with guest RAM (vdriver.c) and a test-side driver.
** Link with plugins/virtio-blk/virtio_blk.c, plugins/virtio/virtio_mmio.c,
** plugins/virtio/virtqueue.c, plugins/common/devfdt.c,
** tests/devices/fake_host.c and tests/virtio/vdriver.c.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"
#include "vdriver.h"
#include "../../plugins/virtio/virtio.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define IMG_SECTORS 128u
#define IMG_SIZE    (IMG_SECTORS * 512u)
#define QN          16u   /* queue size the driver uses */

#define F_SEG_MAX   (1ull << 2)
#define F_RO        (1ull << 5)
#define F_BLK_SIZE  (1ull << 6)
#define F_FLUSH     (1ull << 9)
#define F_DISCARD   (1ull << 13)
#define F_WZEROES   (1ull << 14)
#define F_ALL       (~0ull)

#define T_IN 0u
#define T_OUT 1u
#define T_FLUSH 4u
#define T_GET_ID 8u
#define T_DISCARD 11u
#define T_WZEROES 13u
#define S_OK 0u
#define S_IOERR 1u
#define S_UNSUPP 2u

/* request layout in guest RAM */
#define HDR    (VR_DATA)
#define STATUS (VR_DATA + 0x40)
#define BUF    (VR_DATA + 0x1000)
#define BUF2   (VR_DATA + 0x20000)

static fake_host *fh;
static const vmrun_device_ops *ops;
static vmrun_device_config dc, dc2;
static void *inst, *inst2;
static vdrv drv;
static char dir[64], img[96];

/* ---- fixtures ---- */

static uint8_t pattern(uint64_t off)
{
  return (uint8_t)((off * 7u) ^ (off >> 9));
}

static void make_image(const char *path, size_t size)
{
  uint8_t *buf = malloc(size ? size : 1);
  size_t i;
  int fd;
  for (i = 0; i < size; i++)
    buf[i] = pattern(i);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  cr_assert_geq(fd, 0);
  cr_assert_eq(write(fd, buf, size), (ssize_t)size);
  close(fd);
  free(buf);
}

static void setup(void)
{
  snprintf(dir, sizeof dir, "/tmp/vblk-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(img, sizeof img, "%s/disk.img", dir);
  make_image(img, IMG_SIZE);
  fh = fh_new(1);
  vr_install(fh);
  ops = vmrun_plugin_descriptor.ops;
  inst = inst2 = NULL;
  memset(&drv, 0, sizeof drv);
  drv.fh = fh;
}

static void teardown(void)
{
  char cmd[128];
  if (inst2)
    ops->destroy(inst2);
  if (inst)
    ops->destroy(inst);
  fh_free(fh);
  vr_uninstall();
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", dir);
}

TestSuite(virtio_blk, .init = setup, .fini = teardown);

static int create_with(vmrun_device_config *c, void **out, uint64_t base,
                       vmrun_cfg *opts)
{
  *c = fh_device_config("virtio-blk", opts);
  c->base = base;
  c->n_irqs = 1;
  c->irqs[0] = VR_IRQ;
  return ops->create(&fh->host, fh, c, out);
}

static void create_ok(vmrun_cfg *opts)
{
  cr_assert_eq(create_with(&dc, &inst, VR_MMIO_BASE, opts), 0, "%s",
               fh->last_cfg_error);
  cr_assert_not_null(inst);
}

static void start(uint64_t accept)
{
  vr_start(&drv, VR_MMIO_BASE, accept, QN);
}

static void create_and_start(void)
{
  create_ok(fh_options(fh, "file", img, NULL));
  start(F_ALL);
}

static uint8_t file_byte(const char *path, off_t off)
{
  uint8_t b = 0;
  int fd = open(path, O_RDONLY);
  cr_assert_geq(fd, 0);
  cr_assert_eq(pread(fd, &b, 1, off), 1);
  close(fd);
  return b;
}

static void file_read(const char *path, off_t off, void *buf, size_t len)
{
  int fd = open(path, O_RDONLY);
  cr_assert_geq(fd, 0);
  cr_assert_eq(pread(fd, buf, len, off), (ssize_t)len);
  close(fd);
}

static void ack_all(void)
{
  vr_wr(&drv, VIRTIO_MMIO_INTERRUPT_ACK,
        vr_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS));
}

/* Submit a request header/data/status as three descriptors; returns the
** status byte and checks that it completed. */
static uint8_t blk_req_len(uint32_t type, uint64_t sector, uint64_t data,
                           uint32_t len, int data_write, uint32_t *used_len)
{
  vr_buf b[3];
  unsigned n = 0;
  uint32_t id, ulen;
  uint16_t head;
  vr_st32(HDR, type);
  vr_st32(HDR + 4, 0);
  vr_st64(HDR + 8, sector);
  *vr_mem(STATUS) = 0xff;
  b[n++] = (vr_buf){ HDR, 16, 0 };
  if (len)
    b[n++] = (vr_buf){ data, len, data_write };
  b[n++] = (vr_buf){ STATUS, 1, 1 };
  head = vr_add(&drv, n, b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &ulen), "request not completed");
  cr_assert_eq(id, head);
  if (used_len)
    *used_len = ulen;
  return *vr_mem(STATUS);
}

static uint8_t blk_req(uint32_t type, uint64_t sector, uint64_t data,
                       uint32_t len, int data_write)
{
  return blk_req_len(type, sector, data, len, data_write, NULL);
}

/* The device reported a violation: NEEDS_RESET, config interrupt (with
** DRIVER_OK), exactly one log line mentioning `needle`, no completion. */
static void expect_broken(unsigned logs_before, uint16_t used_before,
                          const char *needle)
{
  uint32_t st = vr_rd(&drv, VIRTIO_MMIO_STATUS);
  cr_assert(st & VIRTIO_STATUS_NEEDS_RESET, "status 0x%x", st);
  if (st & VIRTIO_STATUS_DRIVER_OK) {
    cr_assert(vr_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS) &
              VIRTIO_MMIO_INT_CONFIG);
    cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  }
  cr_assert_eq(vr_logs(fh), logs_before + 1, "logs %u -> %u (%s)",
               logs_before, vr_logs(fh), fh->last_log);
  cr_assert_not_null(strstr(fh->last_log, needle), "log: %s", fh->last_log);
  cr_assert_not_null(strstr(fh->last_log, "virtio-blk"), "log: %s",
                     fh->last_log);
  cr_assert_eq(vr_used_idx(&drv), used_before);
}

/* After a violation the queue stays stopped: a valid request is ignored
** and nothing more is logged. */
static void expect_stays_stopped(void)
{
  unsigned logs = vr_logs(fh);
  uint16_t used = vr_used_idx(&drv);
  vr_buf b[2] = { { HDR, 16, 0 }, { STATUS, 1, 1 } };
  vr_st32(HDR, T_FLUSH);
  vr_add(&drv, 2, b);
  vr_kick(&drv, 0);
  cr_assert_eq(vr_used_idx(&drv), used);
  cr_assert_eq(vr_logs(fh), logs);
}

/* ---- descriptor and registers ---- */

Test(virtio_blk, descriptor)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  cr_assert_eq(d->struct_size, sizeof(vmrun_plugin_desc));
  cr_assert_eq(d->abi_major, VMRUN_ABI_MAJOR);
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  cr_assert_str_eq(d->name, "virtio-blk");
  cr_assert_eq(ops->struct_size, sizeof(vmrun_device_ops));
  cr_assert_not_null(ops->create);
  cr_assert_not_null(ops->destroy);
  cr_assert_not_null(ops->fdt_populate);
  cr_assert_not_null(ops->reset);
}

Test(virtio_blk, id_registers_and_config)
{
  uint64_t feat;
  create_ok(fh_options(fh, "file", img, NULL));
  drv.base = VR_MMIO_BASE;
  cr_assert_eq(fh->n_regions, 1);
  cr_assert_eq(fh->regions[0].base, VR_MMIO_BASE);
  cr_assert_eq(fh->regions[0].size, 0x200u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_VERSION_REG), 2u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_DEVICE_ID), 2u);
  cr_assert_neq(vr_rd(&drv, VIRTIO_MMIO_VENDOR_ID_REG), 0u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_STATUS), 0u);
  vr_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  feat = vr_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES);
  vr_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  feat |= (uint64_t)vr_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
  vr_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES), 0u);
  cr_assert(feat & VR_F_VERSION_1);
  cr_assert(feat & VR_F_INDIRECT);
  cr_assert(feat & VR_F_EVENT_IDX);
  cr_assert(feat & F_FLUSH);
  cr_assert(feat & F_SEG_MAX);
  cr_assert(feat & F_BLK_SIZE);
  cr_assert_eq(feat & (F_RO | F_DISCARD | F_WZEROES), 0);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_NUM_MAX), 256u);
  vr_wr(&drv, VIRTIO_MMIO_QUEUE_SEL, 1);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_NUM_MAX), 0u);
  /* config space: capacity (8 bytes, readable as 2x4 or 1x8), seg_max,
  ** blk_size */
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x100, 8), IMG_SECTORS);
  cr_assert_eq(vr_rd(&drv, 0x100), IMG_SECTORS);
  cr_assert_eq(vr_rd(&drv, 0x104), 0u);
  cr_assert_eq(vr_rd(&drv, 0x10c), 254u);
  cr_assert_eq(vr_rd(&drv, 0x114), 512u);
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x114, 2), 512u);
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x115, 1), 2u);
  cr_assert_eq(vr_rd(&drv, 0x1fc), 0u); /* beyond the config */
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_CONFIG_GENERATION), 0u);
  /* narrow accesses to control registers read 0 and are ignored */
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE, 2), 0u);
  fh_write(fh, VR_MMIO_BASE + VIRTIO_MMIO_STATUS, 1, 1);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_STATUS), 0u);
}

Test(virtio_blk, create_errors)
{
  struct stat before, after;
  cr_assert_eq(stat(img, &before), 0);

  /* file missing */
  cr_assert_lt(create_with(&dc, &inst, VR_MMIO_BASE, fh_options(fh, NULL)),
               0);
  cr_assert_not_null(strstr(fh->last_cfg_error, "file"));
  cr_assert_eq(fh->n_regions, 0);

  /* no such image: not created */
  {
    char path[128];
    snprintf(path, sizeof path, "%s/nope.img", dir);
    cr_assert_lt(create_with(&dc, &inst, VR_MMIO_BASE,
                             fh_options(fh, "file", path, NULL)), 0);
    cr_assert_not_null(strstr(fh->last_cfg_error, "nope.img"));
    cr_assert_not_null(strstr(fh->last_cfg_error, strerror(ENOENT)),
                       "%s", fh->last_cfg_error);
    cr_assert_neq(access(path, F_OK), 0);
  }

  /* a directory */
  cr_assert_lt(create_with(&dc, &inst, VR_MMIO_BASE,
                           fh_options(fh, "file", dir, "readonly", "true",
                                      NULL)), 0);
  cr_assert_not_null(strstr(fh->last_cfg_error, "not a regular file"));

  /* no base, unknown option, bad bool, two irqs */
  dc = fh_device_config("virtio-blk", fh_options(fh, "file", img, NULL));
  cr_assert_lt(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_not_null(strstr(fh->last_cfg_error, "base"));
  cr_assert_lt(create_with(&dc, &inst, VR_MMIO_BASE,
                           fh_options(fh, "file", img, "bogus", "1", NULL)),
               0);
  cr_assert_lt(create_with(&dc, &inst, VR_MMIO_BASE,
                           fh_options(fh, "file", img, "readonly", "maybe",
                                      NULL)), 0);
  dc = fh_device_config("virtio-blk", fh_options(fh, "file", img, NULL));
  dc.base = VR_MMIO_BASE;
  dc.n_irqs = 2;
  cr_assert_lt(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_null(inst);
  cr_assert_eq(fh->n_regions, 0);

  /* none of that touched the image */
  cr_assert_eq(stat(img, &after), 0);
  cr_assert_eq(after.st_size, before.st_size);
  cr_assert_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  cr_assert_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  cr_assert_eq(file_byte(img, 1000), pattern(1000));
}

Test(virtio_blk, unwritable_image_reports_strerror)
{
  if (geteuid() == 0)
    cr_skip_test("root ignores file permissions");
  cr_assert_eq(chmod(img, 0444), 0);
  cr_assert_lt(create_with(&dc, &inst, VR_MMIO_BASE,
                           fh_options(fh, "file", img, NULL)), 0);
  cr_assert_not_null(strstr(fh->last_cfg_error, strerror(EACCES)), "%s",
                     fh->last_cfg_error);
  /* readonly works on it */
  create_ok(fh_options(fh, "file", img, "readonly", "on", NULL));
}

Test(virtio_blk, lock_second_device_fails)
{
  struct stat before, after;
  create_ok(fh_options(fh, "file", img, NULL));
  cr_assert_eq(stat(img, &before), 0);
  cr_assert_lt(create_with(&dc2, &inst2, VR_MMIO_BASE + 0x1000,
                           fh_options(fh, "file", img, NULL)), 0);
  cr_assert_null(inst2);
  cr_assert_not_null(strstr(fh->last_cfg_error, "disk image"));
  cr_assert_not_null(strstr(fh->last_cfg_error, img));
  cr_assert_not_null(strstr(fh->last_cfg_error,
                            "is in use by another process"),
                     "%s", fh->last_cfg_error);
  /* a reader is refused too */
  cr_assert_lt(create_with(&dc2, &inst2, VR_MMIO_BASE + 0x1000,
                           fh_options(fh, "file", img, "readonly", "true",
                                      NULL)), 0);
  cr_assert_not_null(strstr(fh->last_cfg_error, "in use"));
  cr_assert_eq(stat(img, &after), 0);
  cr_assert_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  cr_assert_eq(after.st_size, before.st_size);
  /* released on destroy */
  ops->destroy(inst);
  inst = NULL;
  cr_assert_eq(create_with(&dc2, &inst2, VR_MMIO_BASE + 0x2000,
                           fh_options(fh, "file", img, NULL)), 0);
}

Test(virtio_blk, lock_readers_share)
{
  create_ok(fh_options(fh, "file", img, "readonly", "yes", NULL));
  cr_assert_eq(create_with(&dc2, &inst2, VR_MMIO_BASE + 0x1000,
                           fh_options(fh, "file", img, "readonly", "yes",
                                      NULL)), 0);
  ops->destroy(inst2);
  inst2 = NULL;
  cr_assert_lt(create_with(&dc2, &inst2, VR_MMIO_BASE + 0x1000,
                           fh_options(fh, "file", img, NULL)), 0);
  cr_assert_not_null(strstr(fh->last_cfg_error, "in use by another"));
}

/* ---- feature negotiation ---- */

Test(virtio_blk, features_require_version_1)
{
  create_ok(fh_options(fh, "file", img, NULL));
  cr_assert_not(vr_negotiate(&drv, VR_MMIO_BASE, F_ALL & ~VR_F_VERSION_1));
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK,
               0);
  /* a queue set up and notified anyway is not processed */
  vr_queue(&drv, 0, QN, VR_DESC, VR_AVAIL, VR_USED);
  vr_driver_ok(&drv);
  {
    vr_buf b[2] = { { HDR, 16, 0 }, { STATUS, 1, 1 } };
    vr_st32(HDR, T_FLUSH);
    vr_add(&drv, 2, b);
    vr_kick(&drv, 0);
    cr_assert_eq(vr_used_idx(&drv), 0);
  }
  /* features the device did not offer are refused too */
  vr_wr(&drv, VIRTIO_MMIO_STATUS, 0);
  vr_wr(&drv, VIRTIO_MMIO_STATUS, 3);
  vr_wr(&drv, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  vr_wr(&drv, VIRTIO_MMIO_DRIVER_FEATURES, (1u << 8) | 1u);
  vr_wr(&drv, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_FEATURES_OK);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_STATUS), 3u);
  /* and a plain VERSION_1 driver is accepted */
  cr_assert(vr_negotiate(&drv, VR_MMIO_BASE, VR_F_VERSION_1));
}

/* ---- I/O ---- */

Test(virtio_blk, read_write_flush_round_trip)
{
  uint8_t buf[4 * 512], want[4 * 512];
  uint32_t ulen;
  unsigned i;
  create_and_start();

  /* read sectors 3..4: the image's pattern */
  cr_assert_eq(blk_req_len(T_IN, 3, BUF, 1024, 1, &ulen), S_OK);
  cr_assert_eq(ulen, 1025u);
  for (i = 0; i < 1024; i++)
    cr_assert_eq(vr_mem(BUF)[i], pattern(3 * 512 + i), "byte %u", i);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS),
               VIRTIO_MMIO_INT_VRING);
  ack_all();
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);

  /* write 4 sectors at 10, flush, check the file */
  for (i = 0; i < sizeof want; i++)
    want[i] = (uint8_t)(0xa0 ^ i ^ (i >> 8));
  memcpy(vr_mem(BUF2), want, sizeof want);
  cr_assert_eq(blk_req_len(T_OUT, 10, BUF2, sizeof want, 0, &ulen), S_OK);
  cr_assert_eq(ulen, 1u);
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  file_read(img, 10 * 512, buf, sizeof buf);
  cr_assert_eq(memcmp(buf, want, sizeof want), 0);
  cr_assert_eq(file_byte(img, 10 * 512 - 1), pattern(10 * 512 - 1));
  cr_assert_eq(file_byte(img, 14 * 512), pattern(14 * 512));

  /* read it back through the device */
  memset(vr_mem(BUF), 0, sizeof buf);
  cr_assert_eq(blk_req(T_IN, 10, BUF, sizeof buf, 1), S_OK);
  cr_assert_eq(memcmp(vr_mem(BUF), want, sizeof want), 0);

  /* last sector, and a zero-length read */
  cr_assert_eq(blk_req(T_IN, IMG_SECTORS - 1, BUF, 512, 1), S_OK);
  cr_assert_eq(vr_mem(BUF)[511], pattern(IMG_SIZE - 1));
  cr_assert_eq(blk_req(T_IN, IMG_SECTORS, 0, 0, 1), S_OK);
  cr_assert_eq(vr_logs(fh), 0u, "%s", fh->last_log);
}

Test(virtio_blk, write_through_without_flush_feature)
{
  create_ok(fh_options(fh, "file", img, NULL));
  start(F_ALL & ~F_FLUSH);
  memset(vr_mem(BUF), 0x3c, 512);
  cr_assert_eq(blk_req(T_OUT, 4, BUF, 512, 0), S_OK);
  cr_assert_eq(file_byte(img, 4 * 512 + 17), 0x3c);
  cr_assert_eq(blk_req(T_IN, 4, BUF2, 512, 1), S_OK);
  cr_assert_eq(vr_mem(BUF2)[511], 0x3c);
}

Test(virtio_blk, request_framing_is_free)
{
  /* header split over two descriptors, data over three, status glued to
  ** the end of the last data buffer */
  vr_buf b[6];
  uint32_t id, len;
  unsigned i;
  create_and_start();
  vr_st32(HDR, T_IN);
  vr_st32(HDR + 4, 0);
  vr_st64(HDR + 8, 5);
  b[0] = (vr_buf){ HDR, 4, 0 };
  b[1] = (vr_buf){ HDR + 4, 12, 0 };
  b[2] = (vr_buf){ BUF, 100, 1 };
  b[3] = (vr_buf){ BUF2, 300, 1 };
  b[4] = (vr_buf){ BUF + 0x800, 112, 1 };
  b[5] = (vr_buf){ BUF + 0x900, 1, 1 };
  vr_add(&drv, 6, b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(len, 513u);
  cr_assert_eq(vr_mem(BUF + 0x900)[0], S_OK);
  for (i = 0; i < 100; i++)
    cr_assert_eq(vr_mem(BUF)[i], pattern(5 * 512 + i));
  for (i = 0; i < 300; i++)
    cr_assert_eq(vr_mem(BUF2)[i], pattern(5 * 512 + 100 + i));
  for (i = 0; i < 112; i++)
    cr_assert_eq(vr_mem(BUF + 0x800)[i], pattern(5 * 512 + 400 + i));
}

Test(virtio_blk, many_segments)
{
  /* 64 data segments of 512 bytes: more than a small queue holds, so
  ** through an indirect table */
  vr_buf b[66];
  uint32_t id, len;
  unsigned i;
  create_and_start();
  vr_st32(HDR, T_IN);
  vr_st64(HDR + 8, 0);
  b[0] = (vr_buf){ HDR, 16, 0 };
  for (i = 0; i < 64; i++)
    b[1 + i] = (vr_buf){ BUF + 0x400ull * i, 512, 1 };
  b[65] = (vr_buf){ STATUS, 1, 1 };
  vr_add_indirect(&drv, VR_INDIRECT, 66, b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(len, 64u * 512 + 1);
  cr_assert_eq(*vr_mem(STATUS), S_OK);
  for (i = 0; i < 64; i++)
    cr_assert_eq(vr_mem(BUF + 0x400ull * i)[7], pattern(512ull * i + 7));
}

Test(virtio_blk, indirect_descriptors)
{
  vr_buf b[3];
  uint32_t id, len;
  uint16_t head;
  create_and_start();
  cr_assert(drv.features & VR_F_INDIRECT);
  /* write through an indirect table, read back through a direct chain */
  memset(vr_mem(BUF2), 0x5a, 512);
  vr_st32(HDR, T_OUT);
  vr_st64(HDR + 8, 7);
  *vr_mem(STATUS) = 0xff;
  b[0] = (vr_buf){ HDR, 16, 0 };
  b[1] = (vr_buf){ BUF2, 512, 0 };
  b[2] = (vr_buf){ STATUS, 1, 1 };
  head = vr_add_indirect(&drv, VR_INDIRECT, 3, b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(id, head);
  cr_assert_eq(len, 1u);
  cr_assert_eq(*vr_mem(STATUS), S_OK);
  cr_assert_eq(file_byte(img, 7 * 512 + 100), 0x5a);
  cr_assert_eq(blk_req(T_IN, 7, BUF, 512, 1), S_OK);
  cr_assert_eq(vr_mem(BUF)[511], 0x5a);

  /* direct descriptors followed by an indirect one (§2.7.5.3.2) */
  vr_desc(VR_INDIRECT, 0, BUF, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
  vr_desc(VR_INDIRECT, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
  vr_st32(HDR, T_IN);
  vr_st64(HDR + 8, 2);
  head = drv.next_desc;
  vr_desc(VR_DESC, head, HDR, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(head + 1));
  vr_desc(VR_DESC, head + 1u, VR_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
  drv.next_desc = (uint16_t)(head + 2);
  vr_publish(&drv, head);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(id, head);
  cr_assert_eq(len, 513u);
  cr_assert_eq(vr_mem(BUF)[3], pattern(2 * 512 + 3));
  cr_assert_eq(vr_logs(fh), 0u, "%s", fh->last_log);
}

Test(virtio_blk, get_id)
{
  uint32_t len;
  char want[21] = { 0 };
  create_and_start();
  memset(vr_mem(BUF), 0xcc, 64);
  cr_assert_eq(blk_req_len(T_GET_ID, 0, BUF, 20, 1, &len), S_OK);
  cr_assert_eq(len, 21u);
  snprintf(want, sizeof want, "vmrun-disk.img");
  cr_assert_eq(memcmp(vr_mem(BUF), want, 20), 0);
  cr_assert_eq(vr_mem(BUF)[20], 0xcc);
}

Test(virtio_blk, get_id_custom_serial_truncated)
{
  create_ok(fh_options(fh, "file", img, "serial",
                       "0123456789abcdefghijKLMN", NULL));
  start(F_ALL);
  cr_assert_eq(blk_req(T_GET_ID, 0, BUF, 20, 1), S_OK);
  cr_assert_eq(memcmp(vr_mem(BUF), "0123456789abcdefghij", 20), 0);
}

Test(virtio_blk, readonly)
{
  struct stat before, after;
  uint64_t feat;
  create_ok(fh_options(fh, "file", img, "readonly", "true", NULL));
  drv.base = VR_MMIO_BASE;
  vr_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  feat = vr_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES);
  cr_assert(feat & F_RO);
  start(F_ALL);
  cr_assert_eq(stat(img, &before), 0);
  memset(vr_mem(BUF), 0x11, 512);
  cr_assert_eq(blk_req(T_OUT, 1, BUF, 512, 0), S_IOERR);
  cr_assert_eq(file_byte(img, 512), pattern(512));
  cr_assert_eq(blk_req(T_IN, 1, BUF, 512, 1), S_OK);
  cr_assert_eq(vr_mem(BUF)[0], pattern(512));
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(stat(img, &after), 0);
  cr_assert_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

Test(virtio_blk, out_of_range)
{
  struct stat st;
  uint32_t len;
  create_and_start();
  memset(vr_mem(BUF), 0x77, 1024);
  cr_assert_eq(blk_req_len(T_IN, IMG_SECTORS, BUF, 512, 1, &len), S_IOERR);
  cr_assert_eq(len, 513u);
  cr_assert_eq(vr_mem(BUF)[0], 0); /* error: data zeroed, not stale */
  cr_assert_eq(blk_req(T_IN, IMG_SECTORS - 1, BUF, 1024, 1), S_IOERR);
  cr_assert_eq(blk_req(T_IN, ~0ull, BUF, 512, 1), S_IOERR);
  cr_assert_eq(blk_req(T_IN, ~0ull - 0, BUF, 0, 1), S_IOERR);
  cr_assert_eq(blk_req(T_OUT, IMG_SECTORS, BUF, 512, 0), S_IOERR);
  cr_assert_eq(blk_req(T_OUT, IMG_SECTORS - 1, BUF, 1024, 0), S_IOERR);
  cr_assert_eq(blk_req(T_OUT, (~0ull / 512) + 1, BUF, 512, 0), S_IOERR);
  cr_assert_eq(stat(img, &st), 0);
  cr_assert_eq(st.st_size, IMG_SIZE);
  /* lengths that are not whole sectors */
  cr_assert_eq(blk_req(T_IN, 0, BUF, 100, 1), S_IOERR);
  cr_assert_eq(blk_req(T_OUT, 0, BUF, 513, 0), S_IOERR);
  cr_assert_eq(file_byte(img, 0), pattern(0));
  /* unknown request type */
  cr_assert_eq(blk_req(99, 0, 0, 0, 0), S_UNSUPP);
  /* discard not offered: unsupported */
  cr_assert_eq(blk_req(T_DISCARD, 0, BUF, 16, 0), S_UNSUPP);
  /* the device keeps working */
  cr_assert_eq(blk_req(T_IN, 0, BUF, 512, 1), S_OK);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
               0);
}

Test(virtio_blk, capacity_rounds_down)
{
  char path[128];
  snprintf(path, sizeof path, "%s/odd.img", dir);
  make_image(path, 3 * 512 + 100);
  create_ok(fh_options(fh, "file", path, NULL));
  start(F_ALL);
  cr_assert_eq(fh_read(fh, VR_MMIO_BASE + 0x100, 8), 3u);
  cr_assert_eq(blk_req(T_IN, 2, BUF, 512, 1), S_OK);
  cr_assert_eq(blk_req(T_IN, 3, BUF, 512, 1), S_IOERR);
  cr_assert_eq(blk_req(T_OUT, 3, BUF, 512, 0), S_IOERR);
  cr_assert_eq(file_byte(path, 3 * 512 + 50), pattern(3 * 512 + 50));
}

Test(virtio_blk, discard_and_write_zeroes)
{
  uint64_t feat;
  uint8_t buf[1024];
  unsigned i;
  int punched;
  create_ok(fh_options(fh, "file", img, "discard", "true", NULL));
  drv.base = VR_MMIO_BASE;
  vr_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  feat = vr_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES);
  cr_assert(feat & F_DISCARD);
  cr_assert(feat & F_WZEROES);
  cr_assert_eq(vr_rd(&drv, 0x100 + 36), 0x3fffffu); /* max_discard_sectors */
  cr_assert_eq(vr_rd(&drv, 0x100 + 40), 1u);        /* max_discard_seg */
  start(F_ALL);
  /* discard sectors 8..15 (one page-aligned 4 KiB block): reads zeros */
  vr_st64(BUF, 8);
  vr_st32(BUF + 8, 8);
  vr_st32(BUF + 12, 0);
  cr_assert_eq(blk_req(T_DISCARD, 0, BUF, 16, 0), S_OK);
  /* advisory: zeros where the file system punches holes, else untouched */
  file_read(img, 8 * 512, buf, sizeof buf);
  punched = buf[1] == 0;
  for (i = 0; i < sizeof buf; i++)
    cr_assert_eq(buf[i], punched ? 0 : pattern(8 * 512 + i), "byte %u", i);
  cr_assert_eq(file_byte(img, 16 * 512), pattern(16 * 512));
  /* write zeroes without unmap on sector 20 */
  vr_st64(BUF, 20);
  vr_st32(BUF + 8, 1);
  vr_st32(BUF + 12, 0);
  cr_assert_eq(blk_req(T_WZEROES, 0, BUF, 16, 0), S_OK);
  cr_assert_eq(file_byte(img, 20 * 512 + 5), 0);
  cr_assert_eq(file_byte(img, 21 * 512), pattern(21 * 512));
  /* out of range, bad flags, bad length */
  vr_st64(BUF, IMG_SECTORS - 1);
  vr_st32(BUF + 8, 2);
  cr_assert_eq(blk_req(T_DISCARD, 0, BUF, 16, 0), S_IOERR);
  vr_st64(BUF, 0);
  vr_st32(BUF + 8, 1);
  vr_st32(BUF + 12, 1);
  cr_assert_eq(blk_req(T_DISCARD, 0, BUF, 16, 0), S_UNSUPP);
  cr_assert_eq(blk_req(T_DISCARD, 0, BUF, 12, 0), S_IOERR);
  cr_assert_eq(file_byte(img, 0), pattern(0));
}

/* ---- interrupts and event index ---- */

Test(virtio_blk, event_idx_suppresses_interrupts)
{
  create_and_start();
  cr_assert(drv.features & VR_F_EVENT_IDX);
  /* first completion always interrupts */
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  ack_all();
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  cr_assert_eq(vr_avail_event(&drv), 1u);
  /* used_event far ahead: no interrupt for the next ones */
  vr_set_used_event(&drv, 5);
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  cr_assert_eq(vr_used_idx(&drv), 3u);
  /* the device asks to be notified at the next entry */
  cr_assert_eq(vr_avail_event(&drv), 3u);
  /* used idx goes 3 -> 4: used_event 3 means "interrupt after entry 3" */
  vr_set_used_event(&drv, 3);
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  ack_all();
  /* used_event already passed: silent */
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  /* a batch that crosses used_event interrupts once */
  {
    vr_buf b[2] = { { HDR, 16, 0 }, { STATUS, 1, 1 } };
    unsigned i;
    vr_st32(HDR, T_FLUSH);
    vr_set_used_event(&drv, 6); /* after entries 5..7 -> idx 8 */
    for (i = 0; i < 3; i++)
      vr_add(&drv, 2, b);
    vr_kick(&drv, 0);
    cr_assert_eq(vr_used_idx(&drv), 8u);
    cr_assert_eq(fh->irq_level[VR_IRQ], 1);
    cr_assert_eq(fh->irq_calls[VR_IRQ], 5u); /* up, down, up, down, up */
  }
}

Test(virtio_blk, no_interrupt_flag_without_event_idx)
{
  create_ok(fh_options(fh, "file", img, NULL));
  start(F_ALL & ~VR_F_EVENT_IDX);
  vr_set_avail_flags(&drv, VIRTQ_AVAIL_F_NO_INTERRUPT);
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  vr_set_avail_flags(&drv, 0);
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  /* InterruptACK clears only the bits written */
  vr_wr(&drv, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  vr_wr(&drv, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
}

Test(virtio_blk, no_processing_before_driver_ok)
{
  vr_buf b[2] = { { HDR, 16, 0 }, { STATUS, 1, 1 } };
  create_ok(fh_options(fh, "file", img, NULL));
  cr_assert(vr_negotiate(&drv, VR_MMIO_BASE, F_ALL));
  vr_queue(&drv, 0, QN, VR_DESC, VR_AVAIL, VR_USED);
  vr_st32(HDR, T_FLUSH);
  vr_add(&drv, 2, b);
  vr_kick(&drv, 0);
  cr_assert_eq(vr_used_idx(&drv), 0);
  vr_driver_ok(&drv);
  vr_kick(&drv, 0);
  cr_assert_eq(vr_used_idx(&drv), 1);
  /* notifying a queue that does not exist is harmless */
  vr_kick(&drv, 7);
  vr_kick(&drv, 0xffffffffu);
}

/* ---- malformed rings and descriptors ---- */

#define BROKEN_SETUP()                                              \
  unsigned logs0;                                                   \
  uint16_t used0;                                                   \
  create_and_start();                                               \
  logs0 = vr_logs(fh);                                              \
  used0 = vr_used_idx(&drv)

Test(virtio_blk, bad_avail_head)
{
  BROKEN_SETUP();
  vr_publish(&drv, 300);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "head 300 out of range");
  expect_stays_stopped();
}

Test(virtio_blk, bad_next_index)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 99);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "index 99 out of range");
  expect_stays_stopped();
}

Test(virtio_blk, chain_loop)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
  vr_desc(VR_DESC, 1, BUF, 512, VIRTQ_DESC_F_NEXT, 2);
  vr_desc(VR_DESC, 2, BUF, 512, VIRTQ_DESC_F_NEXT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "loops");
  expect_stays_stopped();
}

Test(virtio_blk, self_loop)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 4, STATUS, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 4);
  vr_publish(&drv, 4);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "loops");
}

static void one_bad_buffer(uint64_t gpa, uint32_t len, int write,
                           const char *needle)
{
  vr_buf b[3] = { { HDR, 16, 0 }, { gpa, len, write }, { STATUS, 1, 1 } };
  unsigned logs0;
  uint16_t used0;
  create_and_start();
  logs0 = vr_logs(fh);
  used0 = vr_used_idx(&drv);
  vr_st32(HDR, write ? T_IN : T_OUT);
  vr_st64(HDR + 8, 0);
  vr_add(&drv, 3, b);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, needle);
  expect_stays_stopped();
  cr_assert_eq(file_byte(img, 0), pattern(0));
}

Test(virtio_blk, buffer_unmapped)
{
  one_bad_buffer(0x40000000ull, 512, 1, "not inside guest RAM");
}

Test(virtio_blk, buffer_in_mmio)
{
  one_bad_buffer(VR_MMIO_BASE, 512, 0, "buffer 0x10001000+0x200");
}

Test(virtio_blk, buffer_spans_two_regions)
{
  one_bad_buffer(VR_RAM2_BASE - 256, 512, 1, "not inside guest RAM");
}

Test(virtio_blk, buffer_past_end_of_ram)
{
  one_bad_buffer(VR_RAM2_BASE + VR_RAM2_SIZE - 256, 512, 0,
                 "not inside guest RAM");
}

Test(virtio_blk, buffer_address_wraps)
{
  one_bad_buffer(~0ull - 255, 512, 1, "not inside guest RAM");
}

Test(virtio_blk, huge_buffer_length)
{
  one_bad_buffer(VR_RAM_BASE, 0xfffffe00u, 1, "not inside guest RAM");
}

Test(virtio_blk, writable_buffer_in_rom)
{
  one_bad_buffer(VR_ROM_BASE, 512, 1, "device-writable buffer");
}

Test(virtio_blk, readable_buffer_in_rom_is_fine)
{
  /* the header read from ROM (0xee bytes): an unknown request type */
  vr_buf b[2] = { { VR_ROM_BASE, 16, 0 }, { STATUS, 1, 1 } };
  uint32_t id, len;
  create_and_start();
  vr_add(&drv, 2, b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(*vr_mem(STATUS), S_UNSUPP);
  cr_assert_eq(vr_logs(fh), 0u);
}

Test(virtio_blk, readable_after_writable)
{
  vr_buf b[3] = { { HDR, 16, 0 }, { STATUS, 1, 1 }, { BUF, 512, 0 } };
  BROKEN_SETUP();
  vr_st32(HDR, T_OUT);
  vr_add(&drv, 3, b);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "device-readable descriptor after");
  cr_assert_eq(file_byte(img, 0), pattern(0));
}

Test(virtio_blk, request_without_status_byte)
{
  vr_buf b[1] = { { HDR, 16, 0 } };
  BROKEN_SETUP();
  vr_st32(HDR, T_FLUSH);
  vr_add(&drv, 1, b);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "status byte");
}

Test(virtio_blk, request_header_too_short)
{
  vr_buf b[2] = { { HDR, 8, 0 }, { STATUS, 1, 1 } };
  BROKEN_SETUP();
  vr_add(&drv, 2, b);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "header");
}

Test(virtio_blk, avail_index_jump)
{
  BROKEN_SETUP();
  vr_st16(VR_AVAIL + 2, (uint16_t)(QN + 5));
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "available index");
}

Test(virtio_blk, indirect_table_outside_ram)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 0, 0x40000000ull, 48, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "indirect table 0x40000000+0x30");
  expect_stays_stopped();
}

Test(virtio_blk, indirect_table_crosses_end_of_ram)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 0, VR_RAM2_BASE + VR_RAM2_SIZE - 32, 48,
          VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "not inside guest RAM");
}

Test(virtio_blk, indirect_bad_length)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 0, VR_INDIRECT, 24, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "indirect table length 24");
}

Test(virtio_blk, indirect_zero_length)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 0, VR_INDIRECT, 0, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "indirect table length 0");
}

Test(virtio_blk, indirect_too_long)
{
  BROKEN_SETUP();
  vr_desc(VR_DESC, 0, VR_INDIRECT, 16u * 2048, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "indirect table length");
}

Test(virtio_blk, indirect_nested)
{
  BROKEN_SETUP();
  vr_desc(VR_INDIRECT, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
  vr_desc(VR_INDIRECT, 1, VR_INDIRECT + 0x100, 32, VIRTQ_DESC_F_INDIRECT, 0);
  vr_desc(VR_DESC, 0, VR_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "nested indirect");
}

Test(virtio_blk, indirect_loop)
{
  BROKEN_SETUP();
  vr_desc(VR_INDIRECT, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
  vr_desc(VR_INDIRECT, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
  vr_desc(VR_DESC, 0, VR_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "indirect descriptor chain");
}

Test(virtio_blk, indirect_index_out_of_range)
{
  BROKEN_SETUP();
  vr_desc(VR_INDIRECT, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 2);
  vr_desc(VR_INDIRECT, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
  vr_desc(VR_DESC, 0, VR_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "indirect descriptor index 2 out of range");
}

Test(virtio_blk, indirect_with_next)
{
  BROKEN_SETUP();
  vr_desc(VR_INDIRECT, 0, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
  vr_desc(VR_DESC, 0, VR_INDIRECT, 16,
          VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "VIRTQ_DESC_F_NEXT");
}

Test(virtio_blk, indirect_not_negotiated)
{
  unsigned logs0;
  create_ok(fh_options(fh, "file", img, NULL));
  start(F_ALL & ~VR_F_INDIRECT);
  logs0 = vr_logs(fh);
  vr_desc(VR_INDIRECT, 0, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
  vr_desc(VR_DESC, 0, VR_INDIRECT, 16, VIRTQ_DESC_F_INDIRECT, 0);
  vr_publish(&drv, 0);
  vr_kick(&drv, 0);
  expect_broken(logs0, 0, "VIRTIO_RING_F_INDIRECT_DESC");
}

/* rings checked at QueueReady: NEEDS_RESET at once, the config interrupt
** when the driver sets DRIVER_OK */
static void bad_ring(unsigned num, uint64_t desc, uint64_t avail,
                     uint64_t used, const char *needle)
{
  unsigned logs0;
  create_ok(fh_options(fh, "file", img, NULL));
  cr_assert(vr_negotiate(&drv, VR_MMIO_BASE, F_ALL));
  logs0 = vr_logs(fh);
  vr_queue(&drv, 0, num, desc, avail, used);
  cr_assert(vr_rd(&drv, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
  cr_assert_eq(vr_logs(fh), logs0 + 1);
  cr_assert_not_null(strstr(fh->last_log, needle), "log: %s", fh->last_log);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  vr_driver_ok(&drv);
  cr_assert(vr_rd(&drv, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
  cr_assert(vr_rd(&drv, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS),
               VIRTIO_MMIO_INT_CONFIG);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);
  vr_kick(&drv, 0);
  cr_assert_eq(vr_logs(fh), logs0 + 1);
}

Test(virtio_blk, ring_desc_outside_ram)
{
  bad_ring(QN, 0x40000000ull, VR_AVAIL, VR_USED, "descriptor table");
}

Test(virtio_blk, ring_used_crosses_end_of_ram)
{
  bad_ring(QN, VR_DESC, VR_AVAIL, VR_RAM2_BASE + VR_RAM2_SIZE - 64,
           "used ring");
}

Test(virtio_blk, ring_avail_spans_regions)
{
  bad_ring(QN, VR_DESC, VR_RAM2_BASE - 8, VR_USED, "available ring");
}

Test(virtio_blk, ring_in_rom)
{
  bad_ring(QN, VR_DESC, VR_AVAIL, VR_ROM_BASE, "used ring");
}

Test(virtio_blk, ring_misaligned)
{
  bad_ring(QN, VR_DESC + 8, VR_AVAIL, VR_USED, "not 16-byte aligned");
}

Test(virtio_blk, ring_used_misaligned)
{
  bad_ring(QN, VR_DESC, VR_AVAIL, VR_USED + 2, "not 4-byte aligned");
}

Test(virtio_blk, ring_bad_size)
{
  bad_ring(12, VR_DESC, VR_AVAIL, VR_USED, "invalid size 12");
}

Test(virtio_blk, ring_size_zero)
{
  bad_ring(0, VR_DESC, VR_AVAIL, VR_USED, "invalid size 0");
}

Test(virtio_blk, ring_size_too_big)
{
  bad_ring(512, VR_DESC, VR_AVAIL, VR_USED, "invalid size 512");
}

/* ---- reset ---- */

Test(virtio_blk, reset_clears_everything)
{
  BROKEN_SETUP();
  vr_publish(&drv, 300);
  vr_kick(&drv, 0);
  expect_broken(logs0, used0, "out of range");
  /* driver reset */
  vr_wr(&drv, VIRTIO_MMIO_STATUS, 0);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_STATUS), 0u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  vr_wr(&drv, VIRTIO_MMIO_QUEUE_SEL, 0);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_READY), 0u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_NUM), 0u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_DESC_LOW), 0u);
  /* and the device works again */
  start(F_ALL);
  cr_assert_eq(blk_req(T_IN, 1, BUF, 512, 1), S_OK);
  cr_assert_eq(vr_mem(BUF)[9], pattern(512 + 9));
  /* a second violation is logged again */
  logs0 = vr_logs(fh);
  vr_publish(&drv, 301);
  vr_kick(&drv, 0);
  expect_broken(logs0, vr_used_idx(&drv), "head 301");

  /* machine reset does the same */
  ops->reset(inst);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_STATUS), 0u);
  cr_assert_eq(fh->irq_level[VR_IRQ], 0);
  start(F_ALL);
  cr_assert_eq(blk_req(T_FLUSH, 0, 0, 0, 0), S_OK);
}

Test(virtio_blk, queue_registers_read_back)
{
  create_ok(fh_options(fh, "file", img, NULL));
  cr_assert(vr_negotiate(&drv, VR_MMIO_BASE, F_ALL));
  memset(vr_mem(VR_USED), 0xa5, 6 + 8 * QN);
  vr_queue(&drv, 0, QN, VR_DESC, VR_AVAIL, VR_USED);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_READY), 1u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_NUM), QN);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)VR_DESC);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_DRIVER_LOW), (uint32_t)VR_AVAIL);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_DEVICE_LOW), (uint32_t)VR_USED);
  /* ring registers are frozen while ready */
  vr_wr(&drv, VIRTIO_MMIO_QUEUE_NUM, 4);
  vr_wr(&drv, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_NUM), QN);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)VR_DESC);
  /* the device cleared the used ring header */
  cr_assert_eq(vr_ld16(VR_USED), 0u);
  cr_assert_eq(vr_ld16(VR_USED + 2), 0u);
  /* disabling the queue */
  vr_wr(&drv, VIRTIO_MMIO_QUEUE_READY, 0);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_READY), 0u);
  /* no shared memory regions */
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
}

/* ---- device tree ---- */

Test(virtio_blk, fdt_node)
{
  void *fdt;
  uint32_t cells[8];
  int len;
  const char *s;
  char *dts = NULL, *warn = NULL;
  int rc;
  create_ok(fh_options(fh, "file", img, NULL));
  fdt = fh_fdt_new(fh, 16384);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  s = fh_prop(fdt, "/soc/virtio_mmio@10001000", "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_str_eq(s, "virtio,mmio");
  cr_assert_eq(fh_prop_cells(fdt, "/soc/virtio_mmio@10001000", "reg", cells,
                             8), 4);
  cr_assert_eq(cells[0], 0u);
  cr_assert_eq(cells[1], 0x10001000u);
  cr_assert_eq(cells[2], 0u);
  cr_assert_eq(cells[3], 0x200u);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/virtio_mmio@10001000", "interrupts",
                             cells, 8), 1);
  cr_assert_eq(cells[0], VR_IRQ);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/virtio_mmio@10001000",
                             "interrupt-parent", cells, 8), 1);
  cr_assert_eq(cells[0], fh_phandle(fh, "irqc"));
  cr_assert_not_null(fh_prop(fdt, "/soc/virtio_mmio@10001000",
                             "dma-coherent", &len));
  cr_assert_eq(len, 0);
  rc = fh_dtc(fdt, &dts, &warn);
  if (rc >= 0) {
    cr_assert_eq(rc, 0, "%s", warn ? warn : "");
    cr_assert_not_null(strstr(dts, "virtio_mmio@10001000"));
  }
  free(dts);
  free(warn);
  free(fdt);
}

Test(virtio_blk, fdt_node_without_irq)
{
  void *fdt;
  int len;
  dc = fh_device_config("virtio-blk", fh_options(fh, "file", img, NULL));
  dc.base = 0x10008000;
  dc.size = 0x1000;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  fdt = fh_fdt_new(fh, 16384);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  cr_assert_not_null(fh_prop(fdt, "/soc/virtio_mmio@10008000", "reg", &len));
  cr_assert_null(fh_prop(fdt, "/soc/virtio_mmio@10008000", "interrupts",
                         &len));
  cr_assert_null(fh_prop(fdt, "/soc/virtio_mmio@10008000",
                         "interrupt-parent", &len));
  free(fdt);
}
