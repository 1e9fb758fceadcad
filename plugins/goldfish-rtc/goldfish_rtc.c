/*
** plugins/goldfish-rtc/goldfish_rtc.c - Android goldfish real-time clock as
** on QEMU's virt machine (Linux drivers/rtc/rtc-goldfish.c).
**
** Registers (32-bit; other access sizes read 0 and are ignored):
**   0x00 TIME_LOW        read: low 32 bits of the time in ns, latching the
**                        high 32 bits into TIME_HIGH; write: time =
**                        TIME_HIGH << 32 | value
**   0x04 TIME_HIGH       the latch: read after TIME_LOW, written before it
**   0x08 ALARM_LOW       write: low half of the alarm, then arm it
**   0x0c ALARM_HIGH      high half of the alarm (arming waits for ALARM_LOW)
**   0x10 IRQ_ENABLED     bit 0
**   0x14 CLEAR_ALARM     write: disarm (the interrupt status stays)
**   0x18 ALARM_STATUS    read: 1 while an alarm is armed
**   0x1c CLEAR_INTERRUPT write: clear the interrupt status
** Other offsets read 0 and ignore writes.
**
** Time is ns since the Unix epoch.  At create it is the host's
** CLOCK_REALTIME; from then on it advances with the machine's virtual clock
** (host->clock_ns), so alarms (host timers on that clock) fire exactly when
** the time registers reach them, also in icount mode.  Guest writes move
** an offset; it survives machine reset as a battery-backed RTC would.
**
** Alarm: when it is armed at or before the current time, it fires at once;
** otherwise a timer is set at clock_ns() + (alarm - time).  Setting the
** time while armed re-evaluates the alarm against the new time.  Firing
** disarms it and sets the interrupt status; the IRQ line (optional, one)
** is status & IRQ_ENABLED.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libfdt.h>

#include <vmrun/vmrun.h>

#include "../common/devfdt.h"

#define RTC_DEFAULT_BASE 0x101000ull
#define RTC_DEFAULT_SIZE 0x1000ull
#define RTC_NREGS_BYTES  0x20u

#define RTC_TIME_LOW        0x00u
#define RTC_TIME_HIGH       0x04u
#define RTC_ALARM_LOW       0x08u
#define RTC_ALARM_HIGH      0x0cu
#define RTC_IRQ_ENABLED     0x10u
#define RTC_CLEAR_ALARM     0x14u
#define RTC_ALARM_STATUS    0x18u
#define RTC_CLEAR_INTERRUPT 0x1cu

typedef struct goldfish_rtc {
  const vmrun_host *host;
  vmrun_machine *m;
  const vmrun_device_config *dc;
  uint64_t base, size;
  int has_irq;
  vmrun_irq_line line;
  int irq_level;          /* level last driven */
  vmrun_timer *timer;
  uint64_t offset;        /* time = clock_ns() + offset, mod 2^64 */
  uint32_t time_high;     /* TIME_HIGH latch */
  uint64_t alarm;         /* ALARM_HIGH:ALARM_LOW */
  uint8_t alarm_running;
  uint8_t irq_pending;
  uint8_t irq_enabled;
} goldfish_rtc;

static uint64_t rtc_now(const goldfish_rtc *r)
{
  return r->host->clock_ns(r->m) + r->offset;
}

static void rtc_update_irq(goldfish_rtc *r)
{
  int level = r->irq_pending && r->irq_enabled;
  if (level == r->irq_level)
    return;
  r->irq_level = level;
  if (r->has_irq)
    r->line.set(r->line.opaque, r->line.num, level);
}

static void rtc_fire(goldfish_rtc *r)
{
  r->host->timer_del(r->timer);
  r->alarm_running = 0;
  r->irq_pending = 1;
  rtc_update_irq(r);
}

/* Arm the alarm for the current time, or fire it if already due. */
static void rtc_set_alarm(goldfish_rtc *r)
{
  uint64_t clk = r->host->clock_ns(r->m);
  uint64_t now = clk + r->offset;
  uint64_t delta;

  if (r->alarm <= now) {
    rtc_fire(r);
    return;
  }
  delta = r->alarm - now;
  r->alarm_running = 1;
  if (clk + delta < clk) {   /* beyond the end of virtual time */
    r->host->timer_del(r->timer);
    return;
  }
  r->host->timer_mod(r->timer, clk + delta);
}

static void rtc_timer_cb(void *opaque, uint64_t now_ns)
{
  goldfish_rtc *r = opaque;
  (void)now_ns;
  if (r->alarm_running)
    rtc_set_alarm(r); /* fires: the deadline was computed for this time */
}

/* ---- MMIO ---- */

static uint64_t rtc_read(void *opaque, uint64_t offset, unsigned size)
{
  goldfish_rtc *r = opaque;
  uint64_t now;

  if (size != 4 || (offset & 3) || offset >= r->size)
    return 0;
  switch (offset) {
  case RTC_TIME_LOW:
    now = rtc_now(r);
    r->time_high = (uint32_t)(now >> 32);
    return (uint32_t)now;
  case RTC_TIME_HIGH:
    return r->time_high;
  case RTC_ALARM_LOW:
    return (uint32_t)r->alarm;
  case RTC_ALARM_HIGH:
    return (uint32_t)(r->alarm >> 32);
  case RTC_IRQ_ENABLED:
    return r->irq_enabled;
  case RTC_ALARM_STATUS:
    return r->alarm_running;
  default:
    return 0;
  }
}

static void rtc_write(void *opaque, uint64_t offset, unsigned size,
                      uint64_t value)
{
  goldfish_rtc *r = opaque;
  uint32_t v = (uint32_t)value;

  if (size != 4 || (offset & 3) || offset >= r->size)
    return;
  switch (offset) {
  case RTC_TIME_LOW:
    r->offset = (((uint64_t)r->time_high << 32) | v) -
                r->host->clock_ns(r->m);
    if (r->alarm_running)
      rtc_set_alarm(r);
    return;
  case RTC_TIME_HIGH:
    r->time_high = v;
    return;
  case RTC_ALARM_LOW:
    r->alarm = (r->alarm & 0xffffffff00000000ull) | v;
    rtc_set_alarm(r);
    return;
  case RTC_ALARM_HIGH:
    r->alarm = (r->alarm & 0xffffffffull) | ((uint64_t)v << 32);
    return;
  case RTC_IRQ_ENABLED:
    r->irq_enabled = (uint8_t)(v & 1);
    rtc_update_irq(r);
    return;
  case RTC_CLEAR_ALARM:
    r->host->timer_del(r->timer);
    r->alarm_running = 0;
    return;
  case RTC_CLEAR_INTERRUPT:
    r->irq_pending = 0;
    rtc_update_irq(r);
    return;
  default:
    return;
  }
}

static const vmrun_mmio_ops rtc_mmio_ops = { rtc_read, rtc_write };

/* ---- life cycle ---- */

static void rtc_reset(void *inst)
{
  goldfish_rtc *r = inst;
  r->host->timer_del(r->timer);
  r->time_high = 0;
  r->alarm = 0;
  r->alarm_running = 0;
  r->irq_pending = 0;
  r->irq_enabled = 0;
  r->irq_level = 1; /* force the line low whatever was driven */
  rtc_update_irq(r);
}

static void rtc_free(goldfish_rtc *r)
{
  if (!r)
    return;
  r->host->timer_free(r->timer);
  free(r);
}

static int rtc_create(const vmrun_host *host, vmrun_machine *m,
                      const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { NULL };
  struct timespec ts;
  uint64_t wall = 0;
  goldfish_rtc *r;
  int rc;

  if (!host || !dc || !inst)
    return -VMRUN_EINVAL;
  *inst = NULL;
  if (dc->options) {
    rc = host->cfg_check_keys(dc->options, keys);
    if (rc < 0)
      return rc;
  }
  if (dc->n_irqs > 1) {
    host->cfg_error(dc->node, "goldfish-rtc takes at most one irq, got %u",
                    (unsigned)dc->n_irqs);
    return -VMRUN_EINVAL;
  }

  r = calloc(1, sizeof *r);
  if (!r)
    return -VMRUN_ENOMEM;
  r->host = host;
  r->m = m;
  r->dc = dc;
  r->base = dc->base == VMRUN_DEVICE_NO_BASE ? RTC_DEFAULT_BASE : dc->base;
  r->size = dc->size ? dc->size : RTC_DEFAULT_SIZE;
  if (r->size < RTC_NREGS_BYTES || r->base + r->size - 1 < r->base) {
    host->cfg_error(dc->node, "goldfish-rtc region 0x%" PRIx64 "+0x%" PRIx64
                    " is invalid (at least 0x%x bytes)", r->base, r->size,
                    RTC_NREGS_BYTES);
    free(r);
    return -VMRUN_EINVAL;
  }
  if (dc->n_irqs > 0) {
    rc = host->irq_line(m, dc->irqs[0], &r->line);
    if (rc < 0 || !r->line.set) {
      host->cfg_error(dc->node, "cannot connect irq %u",
                      (unsigned)dc->irqs[0]);
      free(r);
      return rc < 0 ? rc : -VMRUN_EINVAL;
    }
    r->has_irq = 1;
  }
  r->timer = host->timer_new(m, rtc_timer_cb, r);
  if (!r->timer) {
    free(r);
    return -VMRUN_ENOMEM;
  }
  if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec >= 0)
    wall = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  r->offset = wall - host->clock_ns(m);
  r->irq_level = 0; /* the line starts low: no set() call at create */

  rc = host->mmio_register(m, dc->name ? dc->name : "goldfish-rtc", r->base,
                           r->size, &rtc_mmio_ops, r);
  if (rc < 0) {
    rtc_free(r);
    return rc;
  }
  *inst = r;
  return 0;
}

static void rtc_destroy(void *inst)
{
  rtc_free(inst);
}

/* ---- device tree ---- */

static int rtc_fdt_populate(void *inst, void *fdt, int parent)
{
  goldfish_rtc *r = inst;
  char name[32];
  int node, rc;

  snprintf(name, sizeof name, "rtc@%" PRIx64, r->base);
  node = fdt_add_subnode(fdt, parent, name);
  if (node < 0)
    return devfdt_error(r->host, r->m, "goldfish-rtc", node, name);
  rc = fdt_setprop_string(fdt, node, "compatible", "google,goldfish-rtc");
  if (rc == 0)
    rc = devfdt_set_reg(fdt, node, parent, r->base, r->size);
  if (rc == 0 && r->has_irq) {
    uint32_t ph = r->host->fdt_phandle(r->m, "irqc");
    if (!ph)
      return -VMRUN_ENOMEM;
    rc = fdt_setprop_u32(fdt, node, "interrupts", r->dc->irqs[0]);
    if (rc == 0)
      rc = fdt_setprop_u32(fdt, node, "interrupt-parent", ph);
  }
  if (rc < 0)
    return devfdt_error(r->host, r->m, "goldfish-rtc", rc, name);
  return 0;
}

static const vmrun_device_ops rtc_ops = {
  sizeof(vmrun_device_ops), 0,
  rtc_create,
  rtc_destroy,
  rtc_fdt_populate,
  rtc_reset,
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "goldfish-rtc", "0.1.0",
                    "Android goldfish real-time clock (QEMU virt compatible)",
                    &rtc_ops);
