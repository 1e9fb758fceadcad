/*
** tests/devices/test_aclint.c - the aclint device plugin against the fake
** host.  Link with plugins/aclint/aclint.c and fake_host.c.
*/
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define B           0x2000000ull
#define MSIP(h)     (B + 4ull * (h))
#define MTIMECMP(h) (B + 0x4000ull + 8ull * (h))
#define MTIME       (B + 0xbff8ull)
#define L_MSIP 3
#define L_MTIP 7

static fake_host *fh;
static const vmrun_device_ops *ops;
static vmrun_device_config dc;
static void *inst;

static void setup(void)
{
  fh = fh_new(2);
  ops = vmrun_plugin_descriptor.ops;
  inst = NULL;
}

static void teardown(void)
{
  if (inst)
    ops->destroy(inst);
  fh_free(fh);
}

TestSuite(aclint, .init = setup, .fini = teardown);

static void create_ok(void)
{
  dc = fh_device_config("aclint", NULL);
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_not_null(inst);
}

static uint64_t rd64(uint64_t a) { return fh_read(fh, a, 8); }
static uint32_t rd32(uint64_t a) { return (uint32_t)fh_read(fh, a, 4); }
static void wr64(uint64_t a, uint64_t v) { fh_write(fh, a, 8, v); }
static void wr32(uint64_t a, uint32_t v) { fh_write(fh, a, 4, v); }

static int mtip(uint32_t h) { return fh_cpu_irq(fh, h, L_MTIP); }
static int msip(uint32_t h) { return fh_cpu_irq(fh, h, L_MSIP); }

/* ---- descriptor and creation ---- */

Test(aclint, descriptor)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  cr_assert_eq(d->struct_size, sizeof(vmrun_plugin_desc));
  cr_assert_eq(d->abi_major, VMRUN_ABI_MAJOR);
  cr_assert_eq(d->abi_minor, VMRUN_ABI_MINOR);
  cr_assert_eq(d->abi_fingerprint, VMRUN_ABI_FINGERPRINT);
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  cr_assert_str_eq(d->name, "aclint");
  cr_assert_eq(ops->struct_size, sizeof(vmrun_device_ops));
  cr_assert_not_null(ops->create);
  cr_assert_not_null(ops->destroy);
  cr_assert_not_null(ops->fdt_populate);
  cr_assert_not_null(ops->reset);
}

Test(aclint, create_defaults)
{
  create_ok();
  cr_assert_eq(fh->n_regions, 1);
  cr_assert_eq(fh->regions[0].base, 0x2000000u);
  cr_assert_eq(fh->regions[0].size, 0x10000u);
  cr_assert_eq(fh_timers_armed(fh), 0, "mtimecmp = ~0: nothing armed");
  cr_assert_eq(mtip(0) | mtip(1) | msip(0) | msip(1), 0);
}

Test(aclint, create_custom_base)
{
  dc = fh_device_config("aclint", NULL);
  dc.base = 0x2100000;
  dc.size = 0xc000;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_eq(fh->regions[0].base, 0x2100000u);
  cr_assert_eq(fh->regions[0].size, 0xc000u);
  wr64(0x2100000 + 0x4000, 5);
  cr_assert_eq(rd64(0x2100000 + 0x4000), 5);
}

Test(aclint, create_rejects_bad_config)
{
  dc = fh_device_config("aclint", fh_options(fh, "harts", "2", NULL));
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 1);
  dc = fh_device_config("aclint", NULL);
  dc.n_irqs = 1;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  dc = fh_device_config("aclint", NULL);
  dc.size = 0x8000; /* mtime would be outside */
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  fh->ncpus = 0;
  dc = fh_device_config("aclint", NULL);
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  cr_assert_null(inst);
  cr_assert_eq(fh->n_regions, 0);
  cr_assert_eq(fh_timers_armed(fh), 0);
}

Test(aclint, destroy_frees_timers)
{
  unsigned i, used = 0;
  create_ok();
  for (i = 0; i < FH_MAX_TIMERS; i++)
    used += fh->timers[i].in_use;
  cr_assert_eq(used, 2, "one timer per hart");
  ops->destroy(inst);
  inst = NULL;
  for (i = 0; i < FH_MAX_TIMERS; i++)
    cr_assert_eq(fh->timers[i].in_use, 0);
}

/* ---- mtime ---- */

Test(aclint, mtime_scales_clock_to_timebase)
{
  create_ok();
  cr_assert_eq(rd64(MTIME), 0);
  fh_clock_set(fh, 1000);
  cr_assert_eq(rd64(MTIME), 10, "10 MHz: 100 ns per tick");
  fh_clock_set(fh, 123456789);
  cr_assert_eq(rd64(MTIME), 1234567, "rounds down");
  fh->timebase_hz = 3000000;
  cr_assert_eq(rd64(MTIME), 370370, "123456789 * 3e6 / 1e9");
}

Test(aclint, mtime_uses_128_bit_product)
{
  create_ok();
  /* 2^63 ns * 1e7 overflows 64 bits; the result does not */
  fh_clock_set(fh, 1ull << 63);
  cr_assert_eq(rd64(MTIME), (1ull << 63) / 100);
  fh->timebase_hz = 1000000007ull; /* > 1 GHz, odd */
  cr_assert_eq(rd64(MTIME),
               (uint64_t)((unsigned __int128)(1ull << 63) * 1000000007ull /
                          1000000000ull));
}

Test(aclint, mtime_halves_and_write_offset)
{
  create_ok();
  fh_clock_set(fh, 1000); /* mtime 10 */
  wr64(MTIME, 0x123456789abcdef0ull);
  cr_assert_eq(rd64(MTIME), 0x123456789abcdef0ull);
  cr_assert_eq(rd32(MTIME), 0x9abcdef0u);
  cr_assert_eq(rd32(MTIME + 4), 0x12345678u);
  fh_clock_advance(fh, 1000);
  cr_assert_eq(rd64(MTIME), 0x123456789abcdef0ull + 10, "keeps counting");
  wr32(MTIME, 0x11111111u);
  cr_assert_eq(rd64(MTIME), 0x1234567811111111ull, "low half only");
  wr32(MTIME + 4, 0x0u);
  cr_assert_eq(rd64(MTIME), 0x11111111ull, "high half only");
  cr_assert_eq(fh_read(fh, MTIME + 2, 2), 0x1111, "narrow read");
}

/* ---- mtimecmp and MTIP ---- */

Test(aclint, mtimecmp_reset_and_halves)
{
  create_ok();
  cr_assert_eq(rd64(MTIMECMP(0)), UINT64_MAX);
  cr_assert_eq(rd64(MTIMECMP(1)), UINT64_MAX);
  wr32(MTIMECMP(1), 0x1000u);
  cr_assert_eq(rd64(MTIMECMP(1)), 0xffffffff00001000ull);
  wr32(MTIMECMP(1) + 4, 0x2u);
  cr_assert_eq(rd64(MTIMECMP(1)), 0x0000000200001000ull);
  cr_assert_eq(rd32(MTIMECMP(1)), 0x1000u);
  cr_assert_eq(rd32(MTIMECMP(1) + 4), 0x2u);
  cr_assert_eq(rd64(MTIMECMP(0)), UINT64_MAX, "hart 0 untouched");
  wr64(MTIMECMP(0), 0xa5a5a5a55a5a5a5aull);
  cr_assert_eq(rd32(MTIMECMP(0)), 0x5a5a5a5au);
  cr_assert_eq(rd32(MTIMECMP(0) + 4), 0xa5a5a5a5u);
  cr_assert_eq(mtip(0) | mtip(1), 0, "all far in the future");
}

Test(aclint, mtip_rises_exactly_at_deadline)
{
  create_ok();
  wr64(MTIMECMP(0), 100); /* 100 ticks = 10000 ns */
  cr_assert_eq(mtip(0), 0);
  cr_assert_eq(fh_timers_armed(fh), 1);
  fh_clock_set(fh, 9999);
  cr_assert_eq(mtip(0), 0, "one ns early");
  fh_clock_set(fh, 10000);
  cr_assert_eq(mtip(0), 1, "on time");
  cr_assert_eq(mtip(1), 0, "other hart untouched");
  cr_assert_eq(fh_timers_armed(fh), 0);
  fh_clock_advance(fh, 1000000);
  cr_assert_eq(mtip(0), 1, "level: stays up while mtime >= mtimecmp");
  cr_assert_eq(fh->cpu_irq_bad, 0);
}

Test(aclint, mtip_deadline_rounds_up)
{
  create_ok();
  fh->timebase_hz = 3000000; /* 333.33 ns per tick */
  wr64(MTIMECMP(1), 10);     /* 3333.33 ns -> fires at 3334 */
  fh_clock_set(fh, 3333);
  cr_assert_eq(rd64(MTIME), 9);
  cr_assert_eq(mtip(1), 0);
  fh_clock_set(fh, 3334);
  cr_assert_eq(rd64(MTIME), 10);
  cr_assert_eq(mtip(1), 1);
  cr_assert_eq(mtip(0), 0);
}

Test(aclint, mtip_falls_when_mtimecmp_raised)
{
  create_ok();
  wr64(MTIMECMP(0), 50);
  fh_clock_set(fh, 5000);
  cr_assert_eq(mtip(0), 1);
  wr64(MTIMECMP(0), 80); /* 8000 ns */
  cr_assert_eq(mtip(0), 0, "cleared by a later mtimecmp");
  fh_clock_set(fh, 7999);
  cr_assert_eq(mtip(0), 0);
  fh_clock_set(fh, 8000);
  cr_assert_eq(mtip(0), 1, "re-armed for the new deadline");
  wr64(MTIMECMP(0), UINT64_MAX);
  cr_assert_eq(mtip(0), 0);
  cr_assert_eq(fh_timers_armed(fh), 0, "no deadline for ~0");
  fh_clock_advance(fh, 1000000000ull);
  cr_assert_eq(mtip(0), 0);
}

Test(aclint, mtip_immediate_when_already_due)
{
  create_ok();
  fh_clock_set(fh, 1000000);
  wr64(MTIMECMP(1), 0);
  cr_assert_eq(mtip(1), 1, "no clock advance needed");
  wr64(MTIMECMP(1), rd64(MTIME));
  cr_assert_eq(mtip(1), 1, "mtime == mtimecmp counts");
  wr64(MTIMECMP(1), rd64(MTIME) + 1);
  cr_assert_eq(mtip(1), 0);
  fh_clock_advance(fh, 100);
  cr_assert_eq(mtip(1), 1);
}

Test(aclint, mtip_rearmed_after_earlier_deadline_replaced)
{
  create_ok();
  wr64(MTIMECMP(0), 10); /* 1000 ns */
  wr64(MTIMECMP(0), 20); /* moved to 2000 ns before it fired */
  fh_clock_set(fh, 1500);
  cr_assert_eq(mtip(0), 0, "the old deadline no longer fires");
  fh_clock_set(fh, 2000);
  cr_assert_eq(mtip(0), 1);
}

Test(aclint, mtip_two_harts_independent)
{
  create_ok();
  wr64(MTIMECMP(0), 30);
  wr64(MTIMECMP(1), 20);
  fh_clock_set(fh, 2500);
  cr_assert_eq(mtip(0), 0);
  cr_assert_eq(mtip(1), 1);
  fh_clock_set(fh, 3000);
  cr_assert_eq(mtip(0), 1);
}

Test(aclint, split_mtimecmp_update_no_glitch)
{
  unsigned calls;
  create_ok();
  fh_clock_set(fh, 100000); /* mtime 1000 */
  wr64(MTIMECMP(0), 5000);
  calls = fh->cpu_irq_calls[0];
  /* RV32 sequence: hi = ~0, lo = new, hi = new */
  wr32(MTIMECMP(0) + 4, 0xffffffffu);
  wr32(MTIMECMP(0), 2000);
  wr32(MTIMECMP(0) + 4, 0);
  cr_assert_eq(mtip(0), 0);
  cr_assert_eq(fh->cpu_irq_calls[0], calls, "MTIP never toggled");
  fh_clock_set(fh, 199999);
  cr_assert_eq(mtip(0), 0);
  fh_clock_set(fh, 200000);
  cr_assert_eq(mtip(0), 1);
}

Test(aclint, mtime_write_reevaluates_mtip)
{
  create_ok();
  fh_clock_set(fh, 50000);
  wr64(MTIMECMP(0), 1000);
  wr64(MTIMECMP(1), 3000);
  cr_assert_eq(mtip(0), 0);
  wr64(MTIME, 2000);
  cr_assert_eq(mtip(0), 1, "mtime jumped past mtimecmp[0]");
  cr_assert_eq(mtip(1), 0);
  wr64(MTIME, 0);
  cr_assert_eq(mtip(0), 0, "mtime moved back below");
  /* mtime is 0 at 50000 ns: 1000 ticks later is 150000 ns */
  fh_clock_set(fh, 149999);
  cr_assert_eq(mtip(0), 0);
  fh_clock_set(fh, 150000);
  cr_assert_eq(mtip(0), 1, "timer re-armed from the new offset");
  cr_assert_eq(mtip(1), 0);
  fh_clock_set(fh, 350000);
  cr_assert_eq(mtip(1), 1);
}

/* ---- MSIP ---- */

Test(aclint, msip_drives_line_3)
{
  create_ok();
  wr32(MSIP(1), 1);
  cr_assert_eq(msip(1), 1);
  cr_assert_eq(msip(0), 0);
  cr_assert_eq(mtip(1), 0, "only bit 3");
  cr_assert_eq(rd32(MSIP(1)), 1);
  cr_assert_eq(rd32(MSIP(0)), 0);
  wr32(MSIP(1), 0xfffffffeu);
  cr_assert_eq(msip(1), 0, "only bit 0 counts");
  cr_assert_eq(rd32(MSIP(1)), 0);
  wr32(MSIP(0), 0xffffffffu);
  cr_assert_eq(rd32(MSIP(0)), 1, "other bits read 0");
  cr_assert_eq(msip(0), 1);
  fh_write(fh, MSIP(0), 1, 0);
  cr_assert_eq(msip(0), 0, "byte write");
}

Test(aclint, msip_64_bit_access_covers_two_harts)
{
  create_ok();
  wr64(MSIP(0), 0x0000000100000000ull);
  cr_assert_eq(msip(0), 0);
  cr_assert_eq(msip(1), 1);
  cr_assert_eq(rd64(MSIP(0)), 0x0000000100000000ull);
}

/* ---- robustness and reset ---- */

Test(aclint, unknown_offsets_read_zero_and_ignore_writes)
{
  static const unsigned sizes[] = { 1, 2, 4, 8 };
  static const uint64_t holes[] = {
    8,        /* msip[2]: no hart 2 */
    0x3ff8,   /* last msip words */
    0x4010,   /* mtimecmp[2] */
    0xbff0,   /* just below mtime */
    0xc000,   /* past mtime */
    0xfff8,
  };
  unsigned i, s;
  create_ok();
  wr64(MTIMECMP(0), 777);
  for (i = 0; i < sizeof holes / sizeof holes[0]; i++)
    for (s = 0; s < 4; s++) {
      fh_write(fh, B + holes[i], sizes[s], ~0ull);
      cr_assert_eq(fh_read(fh, B + holes[i], sizes[s]), 0,
                   "offset 0x%llx", (unsigned long long)holes[i]);
    }
  cr_assert_eq(rd64(MTIMECMP(0)), 777);
  cr_assert_eq(rd64(MTIMECMP(1)), UINT64_MAX);
  cr_assert_eq(rd64(MTIME), 0);
  cr_assert_eq(msip(0) | msip(1), 0);
  cr_assert_eq(fh->cpu_irq_bad, 0);
}

Test(aclint, any_offset_size_is_safe)
{
  static const unsigned sizes[] = { 1, 2, 4, 8 };
  uint64_t off;
  unsigned s;
  create_ok();
  for (off = 0; off < 0x10000; off++)
    for (s = 0; s < 4; s++) {
      (void)fh_read(fh, B + off, sizes[s]);
      fh_write(fh, B + off, sizes[s], 0x0123456789abcdefull ^ off);
    }
  fh_clock_advance(fh, 1000000000ull);
  cr_assert_eq(fh->cpu_irq_bad, 0);
  cr_assert_eq(fh->unmapped_accesses, 0);
}

Test(aclint, reset_op)
{
  create_ok();
  wr32(MSIP(0), 1);
  wr64(MTIMECMP(1), 0);
  fh_clock_set(fh, 5000);
  wr64(MTIME, 99999);
  cr_assert_eq(msip(0), 1);
  cr_assert_eq(mtip(1), 1);
  ops->reset(inst);
  cr_assert_eq(msip(0), 0);
  cr_assert_eq(mtip(1), 0);
  cr_assert_eq(rd64(MTIMECMP(1)), UINT64_MAX);
  cr_assert_eq(rd32(MSIP(0)), 0);
  cr_assert_eq(rd64(MTIME), 50, "offset dropped: mtime follows the clock");
  cr_assert_eq(fh_timers_armed(fh), 0);
}

/* ---- device tree ---- */

Test(aclint, fdt_node_and_timebase)
{
  static const char compat[] = "sifive,clint0\0riscv,clint0";
  uint32_t c[32], ph0, ph1;
  const void *p;
  char *dts, *warn;
  int len, rc;
  void *fdt;

  fh->ncpus = 4;
  fdt = fh_fdt_new(fh, 16384);
  create_ok();
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  p = fh_prop(fdt, "/soc/clint@2000000", "compatible", &len);
  cr_assert_not_null(p);
  cr_assert_eq(len, (int)sizeof compat);
  cr_assert_arr_eq(p, compat, sizeof compat);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/clint@2000000", "reg", c, 32), 4);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(c[1], 0x2000000);
  cr_assert_eq(c[2], 0);
  cr_assert_eq(c[3], 0x10000);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/clint@2000000",
                             "interrupts-extended", c, 32), 16);
  ph0 = fh_phandle(fh, "cpu0-intc");
  ph1 = fh_phandle(fh, "cpu3-intc");
  cr_assert_neq(ph0, ph1);
  cr_assert_eq(c[0], ph0);
  cr_assert_eq(c[1], 3);
  cr_assert_eq(c[2], ph0);
  cr_assert_eq(c[3], 7);
  cr_assert_eq(c[4], fh_phandle(fh, "cpu1-intc"));
  cr_assert_eq(c[8], fh_phandle(fh, "cpu2-intc"));
  cr_assert_eq(c[12], ph1);
  cr_assert_eq(c[13], 3);
  cr_assert_eq(c[14], ph1);
  cr_assert_eq(c[15], 7);
  cr_assert_eq(fh_prop_cells(fdt, "/cpus", "timebase-frequency", c, 32), 1);
  cr_assert_eq(c[0], 10000000);
  rc = fh_dtc(fdt, &dts, &warn);
  if (rc >= 0) {
    cr_assert_eq(rc, 0, "dtc rejects the blob");
    cr_assert_str_empty(warn, "dtc warnings: %s", warn);
    free(warn);
    cr_assert(strstr(dts, "clint@2000000 {") != NULL);
    cr_assert(strstr(dts, "timebase-frequency = <0x989680>") != NULL);
    free(dts);
  }
  free(fdt);
}

Test(aclint, fdt_custom_timebase_and_no_cpus)
{
  uint32_t c[2];
  void *fdt = malloc(4096);
  int soc;
  cr_assert_eq(fdt_create_empty_tree(fdt, 4096), 0);
  soc = fdt_add_subnode(fdt, 0, "soc");
  cr_assert_geq(soc, 0);
  fdt_setprop_u32(fdt, soc, "#address-cells", 2);
  fdt_setprop_u32(fdt, soc, "#size-cells", 2);
  fh->timebase_hz = 1000000;
  create_ok();
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0,
               "no /cpus is not an error");
  cr_assert_eq(fh_prop_cells(fdt, "/soc/clint@2000000",
                             "interrupts-extended", c, 2), 8);
  free(fdt);
}

Test(aclint, fdt_errors)
{
  void *fdt = fh_fdt_new(fh, 16384), *small;
  int size;
  create_ok();
  cr_assert_eq(fdt_pack(fdt), 0);
  size = (int)fdt_totalsize(fdt) + 64;
  small = malloc((size_t)size);
  cr_assert_eq(fdt_open_into(fdt, small, size), 0);
  cr_assert_eq(ops->fdt_populate(inst, small, fh_fdt_soc(small)),
               -VMRUN_ENOSPC);
  fh->timebase_hz = 5000000000ull;
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), -VMRUN_ERANGE,
               "timebase-frequency is 32-bit");
  free(small);
  free(fdt);
}
