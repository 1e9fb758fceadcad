/*
** tests/devices/test_goldfish_rtc.c - the goldfish-rtc device plugin
** against the fake host.  Link with plugins/goldfish-rtc/goldfish_rtc.c
** and fake_host.c.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define B               0x101000ull
#define TIME_LOW        (B + 0x00)
#define TIME_HIGH       (B + 0x04)
#define ALARM_LOW       (B + 0x08)
#define ALARM_HIGH      (B + 0x0c)
#define IRQ_ENABLED     (B + 0x10)
#define CLEAR_ALARM     (B + 0x14)
#define ALARM_STATUS    (B + 0x18)
#define CLEAR_INTERRUPT (B + 0x1c)
#define IRQ 11

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

TestSuite(goldfish_rtc, .init = setup, .fini = teardown);

/* Create with `options` and, if irq >= 0, one IRQ. */
static int create(vmrun_cfg *options, int irq)
{
  dc = fh_device_config("goldfish-rtc", options);
  if (!dc.node)
    dc.node = fh_options(fh, NULL); /* so that cfg_error is counted */
  if (irq >= 0) {
    dc.n_irqs = 1;
    dc.irqs[0] = (uint32_t)irq;
  }
  return ops->create(&fh->host, fh, &dc, &inst);
}

static void create_ok(int irq)
{
  cr_assert_eq(create(NULL, irq), 0);
  cr_assert_not_null(inst);
}

static uint32_t rd(uint64_t a) { return (uint32_t)fh_read(fh, a, 4); }
static void wr(uint64_t a, uint32_t v) { fh_write(fh, a, 4, v); }

/* The 64-bit time as the Linux driver reads it: low first, then high. */
static uint64_t rtc_time(void)
{
  uint64_t lo = rd(TIME_LOW);
  return ((uint64_t)rd(TIME_HIGH) << 32) | lo;
}

static void set_time(uint64_t t)
{
  wr(TIME_HIGH, (uint32_t)(t >> 32));
  wr(TIME_LOW, (uint32_t)t);
}

static void set_alarm(uint64_t t)
{
  wr(ALARM_HIGH, (uint32_t)(t >> 32));
  wr(ALARM_LOW, (uint32_t)t);
}

static uint64_t wall_ns(void)
{
  struct timespec ts;
  cr_assert_eq(clock_gettime(CLOCK_REALTIME, &ts), 0);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The one timer the device allocated. */
static struct vmrun_timer *rtc_timer(void)
{
  unsigned i;
  for (i = 0; i < FH_MAX_TIMERS; i++)
    if (fh->timers[i].in_use)
      return &fh->timers[i];
  return NULL;
}

#define T0 0x16d3e7a1c0000000ull /* ~2021, with a nonzero high word */

/* ---- descriptor and creation ---- */

Test(goldfish_rtc, descriptor)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  cr_assert_eq(d->struct_size, sizeof(vmrun_plugin_desc));
  cr_assert_eq(d->abi_major, VMRUN_ABI_MAJOR);
  cr_assert_eq(d->abi_minor, VMRUN_ABI_MINOR);
  cr_assert_eq(d->abi_fingerprint, VMRUN_ABI_FINGERPRINT);
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  cr_assert_str_eq(d->name, "goldfish-rtc");
  cr_assert_eq(ops->struct_size, sizeof(vmrun_device_ops));
  cr_assert_not_null(ops->create);
  cr_assert_not_null(ops->destroy);
  cr_assert_not_null(ops->fdt_populate);
  cr_assert_not_null(ops->reset);
}

Test(goldfish_rtc, create_defaults)
{
  create_ok(-1);
  cr_assert_eq(fh->n_regions, 1);
  cr_assert_eq(fh->regions[0].base, 0x101000u);
  cr_assert_eq(fh->regions[0].size, 0x1000u);
  cr_assert_eq(fh->irq_lines_given, 0, "no irq line without irq:");
  cr_assert_not_null(rtc_timer());
  cr_assert_eq(fh_timers_armed(fh), 0);
  cr_assert_eq(rd(ALARM_STATUS), 0);
  cr_assert_eq(rd(IRQ_ENABLED), 0);
}

Test(goldfish_rtc, create_with_irq_and_custom_base)
{
  dc = fh_device_config("goldfish-rtc", NULL);
  dc.base = 0x30000000;
  dc.size = 0x20;
  dc.n_irqs = 1;
  dc.irqs[0] = 7;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_eq(fh->regions[0].base, 0x30000000u);
  cr_assert_eq(fh->regions[0].size, 0x20u);
  cr_assert_eq(fh->irq_lines_given, 1);
  cr_assert_eq(fh->irq_calls[7], 0, "the line starts low without a call");
  fh_write(fh, 0x30000000 + 0x10, 4, 1);
  cr_assert_eq(fh_read(fh, 0x30000000 + 0x10, 4), 1);
}

Test(goldfish_rtc, create_rejects_bad_config)
{
  cr_assert_eq(create(fh_options(fh, "chardev", "null", NULL), IRQ),
               -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 1);
  dc = fh_device_config("goldfish-rtc", NULL);
  dc.node = fh_options(fh, NULL);
  dc.n_irqs = 2;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 2);
  dc = fh_device_config("goldfish-rtc", NULL);
  dc.node = fh_options(fh, NULL);
  dc.size = 0x1c; /* CLEAR_INTERRUPT would be outside */
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 3);
  cr_assert_null(inst);
  cr_assert_eq(fh->n_regions, 0);
  cr_assert_null(rtc_timer(), "no timer left behind");
}

Test(goldfish_rtc, destroy_frees_timer)
{
  create_ok(IRQ);
  set_alarm(rtc_time() + 1000);
  cr_assert_eq(fh_timers_armed(fh), 1);
  ops->destroy(inst);
  inst = NULL;
  cr_assert_null(rtc_timer());
}

/* ---- time ---- */

Test(goldfish_rtc, time_starts_at_host_real_time)
{
  uint64_t before, after, t;
  before = wall_ns();
  create_ok(-1);
  after = wall_ns();
  t = rtc_time();
  cr_assert_geq(t, before);
  cr_assert_leq(t, after);
  cr_assert_gt(t >> 32, 0, "epoch ns need the high word");
}

Test(goldfish_rtc, time_follows_virtual_clock)
{
  uint64_t t0;
  fh_clock_set(fh, 5000000);
  create_ok(-1);
  t0 = rtc_time();
  cr_assert_eq(rtc_time(), t0, "the clock did not move");
  fh_clock_advance(fh, 1234567);
  cr_assert_eq(rtc_time(), t0 + 1234567);
  fh_clock_advance(fh, 3000000000ull);
  cr_assert_eq(rtc_time(), t0 + 1234567 + 3000000000ull);
}

Test(goldfish_rtc, time_high_is_latched_by_time_low)
{
  create_ok(-1);
  set_time(0x1fffffff0ull);
  cr_assert_eq(rd(TIME_LOW), 0xfffffff0u);
  fh_clock_advance(fh, 0x20); /* the low word wraps */
  cr_assert_eq(rd(TIME_HIGH), 1, "still the value latched before");
  cr_assert_eq(rd(TIME_HIGH), 1);
  cr_assert_eq(rd(TIME_LOW), 0x10u);
  cr_assert_eq(rd(TIME_HIGH), 2, "latched by the second TIME_LOW read");
  fh_clock_advance(fh, 5ull << 32);
  cr_assert_eq(rd(TIME_HIGH), 2);
  cr_assert_eq(rd(TIME_LOW), 0x10u);
  cr_assert_eq(rd(TIME_HIGH), 7);
}

Test(goldfish_rtc, set_time_via_high_then_low)
{
  create_ok(-1);
  fh_clock_set(fh, 777);
  wr(TIME_HIGH, 0x12);
  wr(TIME_LOW, 0x34567890);
  cr_assert_eq(rtc_time(), 0x1234567890ull);
  fh_clock_advance(fh, 100);
  cr_assert_eq(rtc_time(), 0x1234567890ull + 100, "keeps counting");
  set_time(T0);
  cr_assert_eq(rtc_time(), T0);
}

Test(goldfish_rtc, time_high_write_alone_does_not_set_time)
{
  create_ok(-1);
  set_time(T0);
  wr(TIME_HIGH, 0x5);
  cr_assert_eq(rd(TIME_HIGH), 0x5, "the latch holds the write");
  cr_assert_eq(rtc_time(), T0, "time changes only with TIME_LOW");
  wr(TIME_LOW, 0x9); /* low write commits with the current latch */
  cr_assert_eq(rtc_time(), ((T0 >> 32) << 32) | 0x9,
               "the TIME_LOW read above re-latched the real high word");
}

/* ---- alarm ---- */

Test(goldfish_rtc, alarm_fires_at_the_right_virtual_time)
{
  struct vmrun_timer *t;
  create_ok(IRQ);
  fh_clock_set(fh, 1000000);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  set_alarm(T0 + 5000);
  cr_assert_eq(rd(ALARM_STATUS), 1);
  cr_assert_eq(rd(ALARM_LOW), (uint32_t)(T0 + 5000));
  cr_assert_eq(rd(ALARM_HIGH), (uint32_t)((T0 + 5000) >> 32));
  t = rtc_timer();
  cr_assert(t->armed);
  cr_assert_eq(t->deadline, 1005000, "clock_ns() + (alarm - time)");
  fh_clock_set(fh, 1004999);
  cr_assert_eq(fh->irq_level[IRQ], 0, "one ns early");
  cr_assert_eq(rd(ALARM_STATUS), 1);
  fh_clock_set(fh, 1005000);
  cr_assert_eq(fh->irq_level[IRQ], 1, "on time");
  cr_assert_eq(fh->irq_calls[IRQ], 1);
  cr_assert_eq(rd(ALARM_STATUS), 0, "fired: no longer armed");
  cr_assert_eq(rtc_time(), T0 + 5000);
  cr_assert_eq(fh_timers_armed(fh), 0);
  fh_clock_advance(fh, 1000000000ull);
  cr_assert_eq(fh->irq_level[IRQ], 1, "level until cleared");
  cr_assert_eq(fh->irq_calls[IRQ], 1);
  cr_assert_eq(fh->irq_bad, 0);
}

Test(goldfish_rtc, alarm_raises_line_only_when_enabled)
{
  create_ok(IRQ);
  set_time(T0);
  set_alarm(T0 + 100);
  fh_clock_advance(fh, 100);
  cr_assert_eq(rd(ALARM_STATUS), 0, "it fired");
  cr_assert_eq(fh->irq_level[IRQ], 0, "IRQ_ENABLED is 0");
  cr_assert_eq(fh->irq_calls[IRQ], 0);
  wr(IRQ_ENABLED, 1);
  cr_assert_eq(fh->irq_level[IRQ], 1, "the status was kept");
  wr(IRQ_ENABLED, 0);
  cr_assert_eq(fh->irq_level[IRQ], 0, "masking lowers the line");
  cr_assert_eq(rd(IRQ_ENABLED), 0);
  wr(IRQ_ENABLED, 0xfffffffeu);
  cr_assert_eq(rd(IRQ_ENABLED), 0, "bit 0 only");
  cr_assert_eq(fh->irq_level[IRQ], 0);
  wr(CLEAR_INTERRUPT, 1);
  wr(IRQ_ENABLED, 1);
  cr_assert_eq(fh->irq_level[IRQ], 0, "status cleared while masked");
}

Test(goldfish_rtc, clear_interrupt_lowers_line)
{
  create_ok(IRQ);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  set_alarm(T0 + 10);
  fh_clock_advance(fh, 10);
  cr_assert_eq(fh->irq_level[IRQ], 1);
  wr(CLEAR_INTERRUPT, 0); /* any value */
  cr_assert_eq(fh->irq_level[IRQ], 0);
  cr_assert_eq(fh->irq_calls[IRQ], 2);
  set_alarm(T0 + 1000);
  cr_assert_eq(fh->irq_level[IRQ], 0, "re-armed, not yet due");
  fh_clock_advance(fh, 990);
  cr_assert_eq(fh->irq_level[IRQ], 1, "a second alarm works");
}

Test(goldfish_rtc, alarm_in_the_past_fires_at_once)
{
  create_ok(IRQ);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  set_alarm(T0);
  cr_assert_eq(fh->irq_level[IRQ], 1, "alarm == time");
  cr_assert_eq(rd(ALARM_STATUS), 0);
  cr_assert_eq(fh_timers_armed(fh), 0);
  wr(CLEAR_INTERRUPT, 1);
  set_alarm(1);
  cr_assert_eq(fh->irq_level[IRQ], 1, "long past");
}

Test(goldfish_rtc, alarm_high_alone_does_not_arm)
{
  create_ok(IRQ);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  wr(ALARM_HIGH, 0);
  cr_assert_eq(rd(ALARM_STATUS), 0);
  cr_assert_eq(fh_timers_armed(fh), 0);
  cr_assert_eq(fh->irq_level[IRQ], 0, "alarm 0 is in the past, not armed");
  cr_assert_eq(rd(ALARM_HIGH), 0);
  wr(ALARM_HIGH, (uint32_t)(T0 >> 32) + 1);
  cr_assert_eq(rd(ALARM_HIGH), (uint32_t)(T0 >> 32) + 1);
  cr_assert_eq(rd(ALARM_STATUS), 0);
  wr(ALARM_LOW, 0);
  cr_assert_eq(rd(ALARM_STATUS), 1, "ALARM_LOW arms with ALARM_HIGH");
  cr_assert_eq(rtc_timer()->deadline,
               ((((T0 >> 32) + 1) << 32)) - T0);
}

Test(goldfish_rtc, clear_alarm_disarms)
{
  create_ok(IRQ);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  set_alarm(T0 + 500);
  cr_assert_eq(rd(ALARM_STATUS), 1);
  wr(CLEAR_ALARM, 1);
  cr_assert_eq(rd(ALARM_STATUS), 0);
  cr_assert_eq(fh_timers_armed(fh), 0);
  fh_clock_advance(fh, 10000);
  cr_assert_eq(fh->irq_level[IRQ], 0, "never fires");
  set_alarm(T0 + 20000);
  fh_clock_advance(fh, 10000);
  cr_assert_eq(fh->irq_level[IRQ], 1);
  wr(CLEAR_ALARM, 1);
  cr_assert_eq(fh->irq_level[IRQ], 1, "CLEAR_ALARM keeps the interrupt");
}

Test(goldfish_rtc, setting_time_reevaluates_armed_alarm)
{
  create_ok(IRQ);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  set_alarm(T0 + 10000);
  set_time(T0 - 5000); /* time moved back: 15000 ns to go */
  cr_assert_eq(rtc_timer()->deadline, 15000);
  fh_clock_advance(fh, 14999);
  cr_assert_eq(fh->irq_level[IRQ], 0);
  set_time(T0 + 10000); /* jumped onto the alarm */
  cr_assert_eq(fh->irq_level[IRQ], 1);
  cr_assert_eq(rd(ALARM_STATUS), 0);
}

Test(goldfish_rtc, alarm_without_irq_line)
{
  create_ok(-1);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  set_alarm(T0 + 50);
  fh_clock_advance(fh, 50);
  cr_assert_eq(rd(ALARM_STATUS), 0, "fired");
  wr(CLEAR_INTERRUPT, 1);
  for (unsigned i = 0; i < FH_MAX_IRQS; i++)
    cr_assert_eq(fh->irq_calls[i], 0);
}

/* ---- robustness and reset ---- */

Test(goldfish_rtc, unknown_offsets_and_sizes)
{
  static const uint64_t holes[] = { 0x20, 0x24, 0x100, 0xffc };
  unsigned i;
  create_ok(IRQ);
  set_time(T0);
  for (i = 0; i < sizeof holes / sizeof holes[0]; i++) {
    wr(B + holes[i], 0xffffffffu);
    cr_assert_eq(rd(B + holes[i]), 0);
  }
  cr_assert_eq(rd(CLEAR_ALARM), 0);
  cr_assert_eq(rd(CLEAR_INTERRUPT), 0);
  fh_write(fh, IRQ_ENABLED, 1, 1);
  fh_write(fh, IRQ_ENABLED, 8, 1);
  cr_assert_eq(rd(IRQ_ENABLED), 0, "only 32-bit accesses");
  fh_write(fh, TIME_LOW, 8, 0);
  cr_assert_eq(rtc_time(), T0);
  cr_assert_eq(fh_read(fh, TIME_LOW, 8), 0);
  cr_assert_eq(fh_read(fh, TIME_LOW, 2), 0);
}

Test(goldfish_rtc, any_offset_size_is_safe)
{
  static const unsigned sizes[] = { 1, 2, 4, 8 };
  uint64_t off;
  unsigned s;
  create_ok(IRQ);
  for (off = 0; off < 0x1000; off++)
    for (s = 0; s < 4; s++) {
      (void)fh_read(fh, B + off, sizes[s]);
      fh_write(fh, B + off, sizes[s], 0x0123456789abcdefull ^ off);
    }
  fh_clock_advance(fh, 1ull << 40);
  cr_assert_eq(fh->irq_bad, 0);
  cr_assert_eq(fh->unmapped_accesses, 0);
}

Test(goldfish_rtc, reset_op)
{
  create_ok(IRQ);
  set_time(T0);
  wr(IRQ_ENABLED, 1);
  set_alarm(T0 + 10);
  fh_clock_advance(fh, 10);
  cr_assert_eq(fh->irq_level[IRQ], 1);
  set_alarm(T0 + 1000);
  ops->reset(inst);
  cr_assert_eq(fh->irq_level[IRQ], 0);
  cr_assert_eq(rd(IRQ_ENABLED), 0);
  cr_assert_eq(rd(ALARM_STATUS), 0);
  cr_assert_eq(rd(ALARM_LOW), 0);
  cr_assert_eq(rd(ALARM_HIGH), 0);
  cr_assert_eq(fh_timers_armed(fh), 0);
  cr_assert_eq(rtc_time(), T0 + 10, "the time survives reset");
  fh_clock_advance(fh, 5000);
  wr(IRQ_ENABLED, 1);
  cr_assert_eq(fh->irq_level[IRQ], 0, "the disarmed alarm never fired");
}

/* ---- device tree ---- */

Test(goldfish_rtc, fdt_node_with_irq)
{
  static const char *path = "/soc/rtc@101000";
  uint32_t c[8];
  const char *s;
  char *dts, *warn;
  int len, rc;
  void *fdt = fh_fdt_new(fh, 16384);

  create_ok(IRQ);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  s = fh_prop(fdt, path, "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_eq(len, (int)sizeof "google,goldfish-rtc");
  cr_assert_str_eq(s, "google,goldfish-rtc");
  cr_assert_eq(fh_prop_cells(fdt, path, "reg", c, 8), 4);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(c[1], 0x101000);
  cr_assert_eq(c[2], 0);
  cr_assert_eq(c[3], 0x1000);
  cr_assert_eq(fh_prop_cells(fdt, path, "interrupts", c, 8), 1);
  cr_assert_eq(c[0], IRQ);
  cr_assert_eq(fh_prop_cells(fdt, path, "interrupt-parent", c, 8), 1);
  cr_assert_eq(c[0], fh_phandle(fh, "irqc"));
  rc = fh_dtc(fdt, &dts, &warn);
  if (rc >= 0) {
    cr_assert_eq(rc, 0, "dtc rejects the blob");
    cr_assert_str_empty(warn, "dtc warnings: %s", warn);
    free(warn);
    cr_assert(strstr(dts, "rtc@101000 {") != NULL);
    cr_assert(strstr(dts, "compatible = \"google,goldfish-rtc\"") != NULL);
    free(dts);
  }
  free(fdt);
}

Test(goldfish_rtc, fdt_node_without_irq)
{
  static const char *path = "/soc/rtc@101000";
  int len;
  void *fdt = fh_fdt_new(fh, 16384);
  create_ok(-1);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  cr_assert_not_null(fh_prop(fdt, path, "reg", &len));
  cr_assert_null(fh_prop(fdt, path, "interrupts", &len));
  cr_assert_null(fh_prop(fdt, path, "interrupt-parent", &len));
  free(fdt);
}

Test(goldfish_rtc, fdt_no_space)
{
  void *fdt = fh_fdt_new(fh, 16384), *small;
  int size;
  create_ok(IRQ);
  cr_assert_eq(fdt_pack(fdt), 0);
  size = (int)fdt_totalsize(fdt) + 16;
  small = malloc((size_t)size);
  cr_assert_eq(fdt_open_into(fdt, small, size), 0);
  cr_assert_eq(ops->fdt_populate(inst, small, fh_fdt_soc(small)),
               -VMRUN_ENOSPC);
  free(small);
  free(fdt);
}
