/*
** plugins/sifive-test/sifive_test.c - SiFive test finisher / syscon, as on
** QEMU's virt machine.
**
** A write of 2 bytes or more at offset 0 (the value's low 32 bits) with:
**   low 16 bits 0x5555  PASS:  power off, exit status 0
**               0x3333  FAIL:  power off, exit status value >> 16 (1 if 0)
**               0x7777  RESET: reboot request
** Other values and offsets are ignored; reads return 0.
**
** Device tree: test@<base> (compatible "sifive,test1", "sifive,test0",
** "syscon") and the sibling syscon-poweroff / syscon-reboot nodes that
** point at it, so Linux can power off and reboot through it.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <libfdt.h>

#include <vmrun/vmrun.h>

#include "../common/devfdt.h"

#define TEST_DEFAULT_BASE 0x100000ull
#define TEST_DEFAULT_SIZE 0x1000ull

#define FINISHER_FAIL  0x3333u
#define FINISHER_PASS  0x5555u
#define FINISHER_RESET 0x7777u

typedef struct sifive_test {
  const vmrun_host *host;
  vmrun_machine *m;
  const vmrun_device_config *dc;
  uint64_t base, size;
} sifive_test;

static uint64_t test_read(void *opaque, uint64_t offset, unsigned size)
{
  (void)opaque;
  (void)offset;
  (void)size;
  return 0;
}

static void test_write(void *opaque, uint64_t offset, unsigned size,
                       uint64_t value)
{
  sifive_test *t = opaque;
  uint32_t v = (uint32_t)value;
  int code;

  if (offset != 0 || size < 2)
    return;
  if (size == 2)
    v &= 0xffffu;
  switch (v & 0xffffu) {
  case FINISHER_PASS:
    t->host->shutdown(t->m, VMRUN_SHUTDOWN_POWEROFF, 0);
    return;
  case FINISHER_FAIL:
    code = (int)(v >> 16);
    t->host->shutdown(t->m, VMRUN_SHUTDOWN_POWEROFF, code ? code : 1);
    return;
  case FINISHER_RESET:
    t->host->shutdown(t->m, VMRUN_SHUTDOWN_RESET, 0);
    return;
  default:
    t->host->log(t->m, VMRUN_LOG_DEBUG,
                 "sifive-test: ignored write 0x%08" PRIx32, v);
    return;
  }
}

static const vmrun_mmio_ops test_mmio_ops = { test_read, test_write };

static int test_create(const vmrun_host *host, vmrun_machine *m,
                       const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { NULL };
  sifive_test *t;
  int rc;

  if (!host || !dc || !inst)
    return -VMRUN_EINVAL;
  *inst = NULL;
  if (dc->options) {
    rc = host->cfg_check_keys(dc->options, keys);
    if (rc < 0)
      return rc;
  }
  if (dc->n_irqs > 0) {
    host->cfg_error(dc->node, "sifive-test has no irq");
    return -VMRUN_EINVAL;
  }
  t = calloc(1, sizeof *t);
  if (!t)
    return -VMRUN_ENOMEM;
  t->host = host;
  t->m = m;
  t->dc = dc;
  t->base = dc->base == VMRUN_DEVICE_NO_BASE ? TEST_DEFAULT_BASE : dc->base;
  t->size = dc->size ? dc->size : TEST_DEFAULT_SIZE;
  if (t->size < 4 || t->base + t->size - 1 < t->base) {
    host->cfg_error(dc->node, "sifive-test region 0x%" PRIx64 "+0x%" PRIx64
                    " is invalid (at least 4 bytes)", t->base, t->size);
    free(t);
    return -VMRUN_EINVAL;
  }
  rc = host->mmio_register(m, dc->name ? dc->name : "sifive-test", t->base,
                           t->size, &test_mmio_ops, t);
  if (rc < 0) {
    free(t);
    return rc;
  }
  *inst = t;
  return 0;
}

static void test_destroy(void *inst)
{
  free(inst);
}

/* A syscon-poweroff / syscon-reboot node writing `value` at offset 0. */
static int add_syscon_child(void *fdt, int parent, const char *name,
                            const char *compatible, uint32_t regmap,
                            uint32_t value)
{
  int node = fdt_add_subnode(fdt, parent, name), rc;
  if (node < 0)
    return node;
  rc = fdt_setprop_string(fdt, node, "compatible", compatible);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "regmap", regmap);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "offset", 0);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "value", value);
  return rc;
}

static int test_fdt_populate(void *inst, void *fdt, int parent)
{
  static const char compat[] = "sifive,test1\0sifive,test0\0syscon";
  sifive_test *t = inst;
  char name[32];
  uint32_t ph;
  int node, rc;

  ph = t->host->fdt_phandle(t->m, "test");
  if (!ph)
    return -VMRUN_ENOMEM;
  snprintf(name, sizeof name, "test@%" PRIx64, t->base);
  node = fdt_add_subnode(fdt, parent, name);
  if (node < 0)
    return devfdt_error(t->host, t->m, "sifive-test", node, name);
  rc = fdt_setprop(fdt, node, "compatible", compat, sizeof compat);
  if (rc == 0)
    rc = devfdt_set_reg(fdt, node, parent, t->base, t->size);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "phandle", ph);
  if (rc < 0)
    return devfdt_error(t->host, t->m, "sifive-test", rc, name);

  rc = add_syscon_child(fdt, parent, "poweroff", "syscon-poweroff", ph,
                        FINISHER_PASS);
  if (rc < 0)
    return devfdt_error(t->host, t->m, "sifive-test", rc, "poweroff");
  rc = add_syscon_child(fdt, parent, "reboot", "syscon-reboot", ph,
                        FINISHER_RESET);
  if (rc < 0)
    return devfdt_error(t->host, t->m, "sifive-test", rc, "reboot");
  return 0;
}

static const vmrun_device_ops test_ops = {
  sizeof(vmrun_device_ops), 0,
  test_create,
  test_destroy,
  test_fdt_populate,
  NULL, /* stateless: nothing to reset */
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "sifive-test", "0.1.0",
                    "SiFive test finisher and syscon (poweroff, reboot)",
                    &test_ops);
