/*
** tests/devices/test_sifive_test.c - the sifive-test device plugin against
** the fake host.  Link with plugins/sifive-test/sifive_test.c and
** fake_host.c.
*/
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define B 0x100000ull

static fake_host *fh;
static const vmrun_device_ops *ops;
static vmrun_device_config dc;
static void *inst;

static void setup(void)
{
  fh = fh_new(1);
  ops = vmrun_plugin_descriptor.ops;
  inst = NULL;
}

static void teardown(void)
{
  if (inst)
    ops->destroy(inst);
  fh_free(fh);
}

TestSuite(sifive_test, .init = setup, .fini = teardown);

static void create_ok(void)
{
  dc = fh_device_config("sifive-test", NULL);
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_not_null(inst);
}

Test(sifive_test, descriptor)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  cr_assert_eq(d->struct_size, sizeof(vmrun_plugin_desc));
  cr_assert_eq(d->abi_major, VMRUN_ABI_MAJOR);
  cr_assert_eq(d->abi_fingerprint, VMRUN_ABI_FINGERPRINT);
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  cr_assert_str_eq(d->name, "sifive-test");
  cr_assert_eq(ops->struct_size, sizeof(vmrun_device_ops));
  cr_assert_not_null(ops->create);
  cr_assert_not_null(ops->destroy);
  cr_assert_not_null(ops->fdt_populate);
}

Test(sifive_test, create_defaults_and_custom)
{
  create_ok();
  cr_assert_eq(fh->n_regions, 1);
  cr_assert_eq(fh->regions[0].base, 0x100000u);
  cr_assert_eq(fh->regions[0].size, 0x1000u);
  cr_assert_str_eq(fh->regions[0].name, "sifive-test");
  ops->destroy(inst);
  inst = NULL;

  fh_free(fh);
  fh = fh_new(1);
  dc = fh_device_config("sifive-test", NULL);
  dc.base = 0x200000;
  dc.size = 0x100;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_eq(fh->regions[0].base, 0x200000u);
  cr_assert_eq(fh->regions[0].size, 0x100u);
}

Test(sifive_test, create_rejects_options_and_irqs)
{
  dc = fh_device_config("sifive-test", fh_options(fh, "code", "1", NULL));
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 1);
  dc = fh_device_config("sifive-test", NULL);
  dc.n_irqs = 1;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  cr_assert_null(inst);
  cr_assert_eq(fh->n_regions, 0);
}

Test(sifive_test, pass_powers_off_with_0)
{
  create_ok();
  fh_write(fh, B, 4, 0x5555);
  cr_assert_eq(fh->shutdowns, 1);
  cr_assert_eq(fh->shutdown_kind, VMRUN_SHUTDOWN_POWEROFF);
  cr_assert_eq(fh->shutdown_code, 0);
}

Test(sifive_test, pass_ignores_high_bits)
{
  create_ok();
  fh_write(fh, B, 4, 0x00425555);
  cr_assert_eq(fh->shutdowns, 1);
  cr_assert_eq(fh->shutdown_kind, VMRUN_SHUTDOWN_POWEROFF);
  cr_assert_eq(fh->shutdown_code, 0);
}

Test(sifive_test, fail_codes)
{
  create_ok();
  fh_write(fh, B, 4, 0x3333);
  cr_assert_eq(fh->shutdowns, 1);
  cr_assert_eq(fh->shutdown_kind, VMRUN_SHUTDOWN_POWEROFF);
  cr_assert_eq(fh->shutdown_code, 1, "code 0 becomes 1");
  fh_write(fh, B, 4, (42u << 16) | 0x3333);
  cr_assert_eq(fh->shutdowns, 2);
  cr_assert_eq(fh->shutdown_code, 42);
  fh_write(fh, B, 4, 0xffff3333u);
  cr_assert_eq(fh->shutdown_code, 65535);
  fh_write(fh, B, 8, 0xdead000000073333ull); /* 64-bit store: low word */
  cr_assert_eq(fh->shutdowns, 4);
  cr_assert_eq(fh->shutdown_code, 7);
}

Test(sifive_test, reset_request)
{
  create_ok();
  fh_write(fh, B, 4, 0x7777);
  cr_assert_eq(fh->shutdowns, 1);
  cr_assert_eq(fh->shutdown_kind, VMRUN_SHUTDOWN_RESET);
  cr_assert_eq(fh->shutdown_code, 0);
}

Test(sifive_test, other_writes_ignored)
{
  static const unsigned sizes[] = { 1, 2, 4, 8 };
  uint64_t off;
  unsigned s;
  create_ok();
  fh_write(fh, B, 4, 0x1234);
  fh_write(fh, B, 4, 0x5556);
  fh_write(fh, B, 4, 0x55550000);
  cr_assert_eq(fh->shutdowns, 0);
  cr_assert_geq(fh->logs[VMRUN_LOG_DEBUG], 3, "logged at DEBUG");
  cr_assert_eq(fh->logs[VMRUN_LOG_ERROR] + fh->logs[VMRUN_LOG_WARN], 0);
  fh_write(fh, B, 1, 0x55); /* too narrow to hold a command */
  for (off = 4; off < 0x1000; off++)
    for (s = 0; s < 4; s++)
      fh_write(fh, B + off, sizes[s], 0x5555);
  cr_assert_eq(fh->shutdowns, 0, "only offset 0 is the finisher");
}

Test(sifive_test, half_word_command)
{
  create_ok();
  fh_write(fh, B, 2, 0x7777);
  cr_assert_eq(fh->shutdowns, 1);
  cr_assert_eq(fh->shutdown_kind, VMRUN_SHUTDOWN_RESET);
}

Test(sifive_test, reads_are_zero)
{
  static const unsigned sizes[] = { 1, 2, 4, 8 };
  uint64_t off;
  unsigned s;
  create_ok();
  for (off = 0; off < 0x1000; off++)
    for (s = 0; s < 4; s++)
      cr_assert_eq(fh_read(fh, B + off, sizes[s]), 0);
  cr_assert_eq(fh->shutdowns, 0);
  cr_assert_eq(fh->unmapped_accesses, 0);
}

Test(sifive_test, fdt_nodes)
{
  static const char compat[] = "sifive,test1\0sifive,test0\0syscon";
  uint32_t c[8], ph;
  const char *s;
  char *dts, *warn;
  int len, rc;
  void *fdt = fh_fdt_new(fh, 16384);
  create_ok();
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  ph = fh_phandle(fh, "test");
  s = fh_prop(fdt, "/soc/test@100000", "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_eq(len, (int)sizeof compat);
  cr_assert_arr_eq(s, compat, sizeof compat);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/test@100000", "reg", c, 8), 4);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(c[1], 0x100000);
  cr_assert_eq(c[2], 0);
  cr_assert_eq(c[3], 0x1000);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/test@100000", "phandle", c, 8), 1);
  cr_assert_eq(c[0], ph);
  cr_assert_eq(fdt_node_offset_by_phandle(fdt, ph),
               fdt_path_offset(fdt, "/soc/test@100000"));

  s = fh_prop(fdt, "/soc/poweroff", "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_str_eq(s, "syscon-poweroff");
  cr_assert_eq(fh_prop_cells(fdt, "/soc/poweroff", "regmap", c, 8), 1);
  cr_assert_eq(c[0], ph);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/poweroff", "offset", c, 8), 1);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/poweroff", "value", c, 8), 1);
  cr_assert_eq(c[0], 0x5555);

  s = fh_prop(fdt, "/soc/reboot", "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_str_eq(s, "syscon-reboot");
  cr_assert_eq(fh_prop_cells(fdt, "/soc/reboot", "regmap", c, 8), 1);
  cr_assert_eq(c[0], ph);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/reboot", "offset", c, 8), 1);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/reboot", "value", c, 8), 1);
  cr_assert_eq(c[0], 0x7777);

  rc = fh_dtc(fdt, &dts, &warn);
  if (rc >= 0) {
    cr_assert_eq(rc, 0, "dtc rejects the blob");
    /* Like QEMU virt's, the reg-less poweroff/reboot nodes under the
    ** simple-bus draw dtc's simple_bus_reg warning; nothing else may. */
    cr_assert_null(strstr(warn, "test@100000"), "dtc: %s", warn);
    cr_assert_null(strstr(warn, "regmap"), "dtc: %s", warn);
    cr_assert_null(strstr(warn, "Error"), "dtc: %s", warn);
    free(warn);
    cr_assert(strstr(dts, "test@100000 {") != NULL);
    cr_assert(strstr(dts, "poweroff {") != NULL);
    cr_assert(strstr(dts, "reboot {") != NULL);
    free(dts);
  }
  free(fdt);
}

Test(sifive_test, fdt_out_of_space)
{
  void *fdt = fh_fdt_new(fh, 16384), *small;
  int size;
  create_ok();
  cr_assert_eq(fdt_pack(fdt), 0);
  size = (int)fdt_totalsize(fdt) + 120;
  small = malloc((size_t)size);
  cr_assert_eq(fdt_open_into(fdt, small, size), 0);
  cr_assert_eq(ops->fdt_populate(inst, small, fh_fdt_soc(small)),
               -VMRUN_ENOSPC);
  free(small);
  free(fdt);
}
