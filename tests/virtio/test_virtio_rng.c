/*
** tests/virtio/test_virtio_rng.c - the virtio-rng plugin against the fake
** host with guest RAM (vdriver.c) and a test-side driver.  Link with
** plugins/virtio-rng/virtio_rng.c, plugins/virtio/virtio_mmio.c,
** plugins/virtio/virtqueue.c, plugins/common/devfdt.c,
** tests/devices/fake_host.c and tests/virtio/vdriver.c.
*/
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"
#include "vdriver.h"
#include "../../plugins/virtio/virtio.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define QN 8u
#define BUF  (VR_DATA)
#define BUF2 (VR_DATA + 0x10000)

static fake_host *fh;
static const vmrun_device_ops *ops;
static vmrun_device_config dc;
static void *inst;
static vdrv drv;

static void setup(void)
{
  fh = fh_new(1);
  vr_install(fh);
  ops = vmrun_plugin_descriptor.ops;
  inst = NULL;
  memset(&drv, 0, sizeof drv);
  drv.fh = fh;
}

static void teardown(void)
{
  if (inst)
    ops->destroy(inst);
  fh_free(fh);
  vr_uninstall();
}

TestSuite(virtio_rng, .init = setup, .fini = teardown);

static void create_ok(void)
{
  dc = fh_device_config("virtio-rng", NULL);
  dc.base = VR_MMIO_BASE;
  dc.n_irqs = 1;
  dc.irqs[0] = VR_IRQ;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0, "%s",
               fh->last_cfg_error);
}

static void create_and_start(void)
{
  create_ok();
  vr_start(&drv, VR_MMIO_BASE, ~0ull, QN);
}

static unsigned zeros(uint64_t gpa, size_t len)
{
  const uint8_t *p = vr_mem(gpa);
  unsigned n = 0;
  size_t i;
  for (i = 0; i < len; i++)
    n += p[i] == 0;
  return n;
}

Test(virtio_rng, descriptor_and_registers)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  cr_assert_str_eq(d->name, "virtio-rng");
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  create_ok();
  drv.base = VR_MMIO_BASE;
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_VERSION_REG), 2u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_DEVICE_ID), 4u);
  vr_wr(&drv, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_DEVICE_FEATURES) & 1u, 1u);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_QUEUE_NUM_MAX), 64u);
  cr_assert_eq(vr_rd(&drv, 0x100), 0u); /* no config space */
}

Test(virtio_rng, rejects_options)
{
  dc = fh_device_config("virtio-rng", fh_options(fh, "x", "1", NULL));
  dc.base = VR_MMIO_BASE;
  cr_assert_lt(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_eq(fh->n_regions, 0);
}

Test(virtio_rng, fills_buffers)
{
  vr_buf b[2] = { { BUF, 4096, 1 }, { BUF2, 100, 1 } };
  uint32_t id, len;
  uint16_t head;
  create_and_start();
  memset(vr_mem(BUF + 4096), 0xcc, 16);
  memset(vr_mem(BUF2 + 100), 0xcc, 16);
  head = vr_add(&drv, 2, b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(id, head);
  cr_assert_eq(len, 4196u);
  /* random: about 1/256 zeros, never all */
  cr_assert_lt(zeros(BUF, 4096), 100u);
  cr_assert_lt(zeros(BUF2, 100), 20u);
  /* length honoured */
  cr_assert_eq(vr_mem(BUF + 4096)[0], 0xcc);
  cr_assert_eq(vr_mem(BUF2 + 100)[0], 0xcc);
  cr_assert_eq(fh->irq_level[VR_IRQ], 1);

  /* two requests do not return the same bytes */
  {
    vr_buf c = { BUF2 + 0x1000, 64, 1 };
    vr_add(&drv, 1, &c);
    vr_kick(&drv, 0);
    cr_assert(vr_used(&drv, &id, &len));
    cr_assert_eq(len, 64u);
    cr_assert_neq(memcmp(vr_mem(BUF), vr_mem(BUF2 + 0x1000), 64), 0);
  }
  cr_assert_eq(vr_logs(fh), 0u);
}

Test(virtio_rng, capped_per_request)
{
  vr_buf b = { BUF, 0x20000, 1 };
  uint32_t id, len;
  create_and_start();
  memset(vr_mem(BUF), 0, 0x20000);
  vr_add(&drv, 1, &b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(len, 65536u);
  cr_assert_lt(zeros(BUF, 65536), 65536u / 128);
  cr_assert_eq(zeros(BUF + 65536, 65536), 65536u);
}

Test(virtio_rng, readable_only_chain_gets_nothing)
{
  vr_buf b = { BUF, 64, 0 };
  uint32_t id, len;
  create_and_start();
  memset(vr_mem(BUF), 0, 64);
  vr_add(&drv, 1, &b);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(len, 0u);
  cr_assert_eq(zeros(BUF, 64), 64u);
}

Test(virtio_rng, indirect_and_batch)
{
  vr_buf b[3] = { { BUF, 32, 1 }, { BUF + 64, 32, 1 }, { BUF + 128, 32, 1 } };
  uint32_t id, len;
  unsigned i;
  create_and_start();
  vr_add_indirect(&drv, VR_INDIRECT, 3, b);
  for (i = 0; i < 3; i++)
    vr_add(&drv, 1, &b[i]);
  vr_kick(&drv, 0);
  cr_assert(vr_used(&drv, &id, &len));
  cr_assert_eq(len, 96u);
  for (i = 0; i < 3; i++) {
    cr_assert(vr_used(&drv, &id, &len));
    cr_assert_eq(len, 32u);
  }
  cr_assert_not(vr_used(&drv, &id, &len));
}

Test(virtio_rng, bad_buffer_needs_reset)
{
  vr_buf b = { VR_RAM2_BASE + VR_RAM2_SIZE - 16, 64, 1 };
  create_and_start();
  vr_add(&drv, 1, &b);
  vr_kick(&drv, 0);
  cr_assert(vr_rd(&drv, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
  cr_assert_eq(vr_rd(&drv, VIRTIO_MMIO_INTERRUPT_STATUS),
               VIRTIO_MMIO_INT_CONFIG);
  cr_assert_eq(vr_logs(fh), 1u);
  cr_assert_not_null(strstr(fh->last_log, "virtio-rng"));
  cr_assert_eq(vr_used_idx(&drv), 0u);
  /* reset and use it again */
  vr_start(&drv, VR_MMIO_BASE, ~0ull, QN);
  b.gpa = BUF;
  vr_add(&drv, 1, &b);
  vr_kick(&drv, 0);
  cr_assert_eq(vr_used_idx(&drv), 1u);
}

Test(virtio_rng, fdt_node)
{
  void *fdt;
  int len;
  const char *s;
  uint32_t cells[4];
  create_ok();
  fdt = fh_fdt_new(fh, 16384);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  s = fh_prop(fdt, "/soc/virtio_mmio@10001000", "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_str_eq(s, "virtio,mmio");
  cr_assert_eq(fh_prop_cells(fdt, "/soc/virtio_mmio@10001000", "interrupts",
                             cells, 4), 1);
  cr_assert_eq(cells[0], VR_IRQ);
  cr_assert_not_null(fh_prop(fdt, "/soc/virtio_mmio@10001000",
                             "dma-coherent", &len));
  free(fdt);
}
