/*
** plugins/aclint/aclint.c - SiFive CLINT-compatible ACLINT (MSWI + MTIMER)
** as on QEMU's virt machine.
**
** Layout (RISC-V ACLINT spec v1.0, SiFive CLINT):
**   0x0000 + 4*h  msip[h]      32-bit, bit 0 only -> MSIP (mip bit 3)
**   0x4000 + 8*h  mtimecmp[h]  64-bit, also as two 32-bit halves
**   0xbff8        mtime        64-bit, also as two 32-bit halves
** Any naturally aligned access of 1, 2, 4 or 8 bytes works on the bytes it
** covers; everything else reads 0 and ignores writes.
**
** mtime = clock_ns * timebase_hz / 1e9 + offset (128-bit product); writing
** mtime changes the offset.  MTIP (mip bit 7) of hart h is a level:
** mtime >= mtimecmp[h].  While it is low, a host timer is armed at the
** first virtual ns at which mtime reaches mtimecmp[h], so MTIP rises on
** time; every mtimecmp/mtime write re-evaluates.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <vmrun/vmrun.h>

#include "../common/devfdt.h"

#define CLINT_DEFAULT_BASE 0x2000000ull
#define CLINT_DEFAULT_SIZE 0x10000ull
#define CLINT_MSIP_BASE    0x0000u
#define CLINT_MTIMECMP_BASE 0x4000u
#define CLINT_MTIME        0xbff8u
#define CLINT_MAX_HARTS    4095u /* mtimecmp[4095] would overlap mtime */

#define IRQ_MSIP 3u
#define IRQ_MTIP 7u

#define NS_PER_S 1000000000u

struct clint;

typedef struct clint_hart {
  struct clint *c;
  uint32_t id;
  uint8_t msip;     /* msip register bit 0 == MSIP level driven */
  uint8_t mtip;     /* MTIP level driven */
  uint64_t mtimecmp;
  vmrun_timer *timer;
} clint_hart;

typedef struct clint {
  const vmrun_host *host;
  vmrun_machine *m;
  const vmrun_device_config *dc;
  uint64_t base, size;
  uint32_t nharts;
  uint64_t mtime_offset; /* mtime = ticks(clock_ns) + offset, mod 2^64 */
  clint_hart *harts;
} clint;

/* ---- time ---- */

static uint64_t clint_ticks(const clint *c, uint64_t ns)
{
  uint64_t hz = c->host->timebase_hz(c->m);
  return (uint64_t)((unsigned __int128)ns * hz / NS_PER_S);
}

static uint64_t clint_mtime(const clint *c)
{
  return clint_ticks(c, c->host->clock_ns(c->m)) + c->mtime_offset;
}

static void hart_set_mtip(clint *c, clint_hart *h, int level)
{
  if (h->mtip == level)
    return;
  h->mtip = (uint8_t)level;
  c->host->cpu_set_irq(c->m, h->id, IRQ_MTIP, level);
}

/* Drive MTIP from mtime vs mtimecmp and arm the timer for the rising edge. */
static void hart_update(clint *c, clint_hart *h)
{
  uint64_t hz = c->host->timebase_hz(c->m);
  uint64_t now_ns = c->host->clock_ns(c->m);
  uint64_t raw = clint_ticks(c, now_ns);
  uint64_t mtime = raw + c->mtime_offset;
  unsigned __int128 target, deadline;

  if (mtime >= h->mtimecmp) {
    hart_set_mtip(c, h, 1);
    c->host->timer_del(h->timer);
    return;
  }
  hart_set_mtip(c, h, 0);
  if (hz == 0) { /* mtime never moves */
    c->host->timer_del(h->timer);
    return;
  }
  /* First ns with floor(ns * hz / 1e9) >= target is ceil(target * 1e9 / hz). */
  target = (unsigned __int128)raw + (h->mtimecmp - mtime);
  deadline = (target * NS_PER_S + hz - 1) / hz;
  if (deadline > UINT64_MAX) {
    c->host->timer_del(h->timer);
    return;
  }
  c->host->timer_mod(h->timer, (uint64_t)deadline);
}

static void clint_update_all(clint *c)
{
  uint32_t i;
  for (i = 0; i < c->nharts; i++)
    hart_update(c, &c->harts[i]);
}

static void hart_timer_cb(void *opaque, uint64_t now_ns)
{
  clint_hart *h = opaque;
  (void)now_ns;
  hart_update(h->c, h);
}

static void hart_set_msip(clint *c, clint_hart *h, int level)
{
  if (h->msip == level)
    return;
  h->msip = (uint8_t)level;
  c->host->cpu_set_irq(c->m, h->id, IRQ_MSIP, level);
}

/* ---- MMIO ---- */

/* Merge a write of `size` bytes at byte `lane` of a register into `old`. */
static uint64_t merge(uint64_t old, unsigned lane, unsigned size,
                      uint64_t value)
{
  uint64_t mask = size >= 8 ? ~0ull : ((1ull << (8 * size)) - 1);
  mask <<= 8 * lane;
  return (old & ~mask) | ((value << (8 * lane)) & mask);
}

static uint64_t extract(uint64_t reg, unsigned lane, unsigned size)
{
  uint64_t v = reg >> (8 * lane);
  return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static int valid_access(uint64_t offset, unsigned size)
{
  return (size == 1 || size == 2 || size == 4 || size == 8) &&
         (offset & (size - 1)) == 0;
}

/* The hart whose 32-bit msip word holds byte `offset`, or NULL. */
static clint_hart *msip_hart(clint *c, uint64_t offset)
{
  uint64_t idx;
  if (offset >= CLINT_MTIMECMP_BASE)
    return NULL;
  idx = (offset - CLINT_MSIP_BASE) / 4;
  return idx < c->nharts ? &c->harts[idx] : NULL;
}

static clint_hart *mtimecmp_hart(clint *c, uint64_t offset)
{
  uint64_t idx;
  if (offset < CLINT_MTIMECMP_BASE || offset >= CLINT_MTIME)
    return NULL;
  idx = (offset - CLINT_MTIMECMP_BASE) / 8;
  return idx < c->nharts ? &c->harts[idx] : NULL;
}

static uint64_t clint_read(void *opaque, uint64_t offset, unsigned size)
{
  clint *c = opaque;
  clint_hart *h;

  if (!valid_access(offset, size) || offset >= c->size)
    return 0;
  if (offset < CLINT_MTIMECMP_BASE) {
    /* an 8-byte access covers two msip words */
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < (size + 3) / 4; i++) {
      h = msip_hart(c, offset + 4 * i);
      if (h)
        v |= (uint64_t)h->msip << (32 * i);
    }
    return size >= 4 ? v : extract(v, (unsigned)(offset & 3), size);
  }
  if ((h = mtimecmp_hart(c, offset)) != NULL)
    return extract(h->mtimecmp, (unsigned)(offset & 7), size);
  if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8)
    return extract(clint_mtime(c), (unsigned)(offset & 7), size);
  return 0;
}

static void clint_write(void *opaque, uint64_t offset, unsigned size,
                        uint64_t value)
{
  clint *c = opaque;
  clint_hart *h;

  if (!valid_access(offset, size) || offset >= c->size)
    return;
  if (offset < CLINT_MTIMECMP_BASE) {
    unsigned i;
    for (i = 0; i < (size + 3) / 4; i++) {
      h = msip_hart(c, offset + 4 * i);
      if (!h)
        continue;
      if (size >= 4) {
        hart_set_msip(c, h, (int)((value >> (32 * i)) & 1));
      } else {
        uint64_t w = merge(h->msip, (unsigned)(offset & 3), size, value);
        hart_set_msip(c, h, (int)(w & 1));
      }
    }
    return;
  }
  if ((h = mtimecmp_hart(c, offset)) != NULL) {
    h->mtimecmp = merge(h->mtimecmp, (unsigned)(offset & 7), size, value);
    hart_update(c, h);
    return;
  }
  if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
    uint64_t raw = clint_ticks(c, c->host->clock_ns(c->m));
    uint64_t v = merge(raw + c->mtime_offset, (unsigned)(offset & 7), size,
                       value);
    c->mtime_offset = v - raw;
    clint_update_all(c);
  }
}

static const vmrun_mmio_ops clint_mmio_ops = { clint_read, clint_write };

/* ---- life cycle ---- */

static void clint_reset(void *inst)
{
  clint *c = inst;
  uint32_t i;
  c->mtime_offset = 0;
  for (i = 0; i < c->nharts; i++) {
    clint_hart *h = &c->harts[i];
    h->mtimecmp = UINT64_MAX;
    /* force both lines low whatever the previous state */
    h->msip = 1;
    hart_set_msip(c, h, 0);
    h->mtip = 1;
    hart_set_mtip(c, h, 0);
    c->host->timer_del(h->timer);
  }
  clint_update_all(c);
}

static void clint_free(clint *c)
{
  uint32_t i;
  if (!c)
    return;
  if (c->harts)
    for (i = 0; i < c->nharts; i++)
      c->host->timer_free(c->harts[i].timer);
  free(c->harts);
  free(c);
}

static int clint_create(const vmrun_host *host, vmrun_machine *m,
                        const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { NULL };
  uint32_t i, nharts;
  clint *c;
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
    host->cfg_error(dc->node, "aclint has no platform irq (it drives the "
                    "harts' MSIP/MTIP directly)");
    return -VMRUN_EINVAL;
  }
  nharts = host->cpu_count(m);
  if (nharts == 0 || nharts > CLINT_MAX_HARTS) {
    host->cfg_error(dc->node, "aclint supports 1..%u harts, machine has %u",
                    CLINT_MAX_HARTS, (unsigned)nharts);
    return -VMRUN_EINVAL;
  }

  c = calloc(1, sizeof *c);
  if (!c)
    return -VMRUN_ENOMEM;
  c->host = host;
  c->m = m;
  c->dc = dc;
  c->base = dc->base == VMRUN_DEVICE_NO_BASE ? CLINT_DEFAULT_BASE : dc->base;
  c->size = dc->size ? dc->size : CLINT_DEFAULT_SIZE;
  if (c->size < CLINT_MTIME + 8 || c->base + c->size - 1 < c->base) {
    host->cfg_error(dc->node, "aclint region 0x%" PRIx64 "+0x%" PRIx64
                    " is invalid (at least 0x%x bytes)", c->base, c->size,
                    CLINT_MTIME + 8);
    free(c);
    return -VMRUN_EINVAL;
  }
  c->harts = calloc(nharts, sizeof *c->harts);
  if (!c->harts) {
    free(c);
    return -VMRUN_ENOMEM;
  }
  c->nharts = nharts;
  for (i = 0; i < nharts; i++) {
    clint_hart *h = &c->harts[i];
    h->c = c;
    h->id = i;
    h->mtimecmp = UINT64_MAX;
    h->timer = host->timer_new(m, hart_timer_cb, h);
    if (!h->timer) {
      clint_free(c);
      return -VMRUN_ENOMEM;
    }
  }
  clint_reset(c);

  rc = host->mmio_register(m, dc->name ? dc->name : "aclint", c->base,
                           c->size, &clint_mmio_ops, c);
  if (rc < 0) {
    clint_free(c);
    return rc;
  }
  *inst = c;
  return 0;
}

static void clint_destroy(void *inst)
{
  clint_free(inst);
}

/* ---- device tree ---- */

static int clint_fdt_populate(void *inst, void *fdt, int parent)
{
  static const char compat[] = "sifive,clint0\0riscv,clint0";
  clint *c = inst;
  char name[32];
  uint64_t hz;
  int node, cpus, rc;

  hz = c->host->timebase_hz(c->m);
  if (hz > UINT32_MAX) {
    c->host->log(c->m, VMRUN_LOG_ERROR, "aclint: timebase %" PRIu64
                 " Hz does not fit timebase-frequency (32 bits)", hz);
    return -VMRUN_ERANGE;
  }

  snprintf(name, sizeof name, "clint@%" PRIx64, c->base);
  node = fdt_add_subnode(fdt, parent, name);
  if (node < 0)
    return devfdt_error(c->host, c->m, "aclint", node, name);
  rc = fdt_setprop(fdt, node, "compatible", compat, sizeof compat);
  if (rc == 0)
    rc = devfdt_set_reg(fdt, node, parent, c->base, c->size);
  if (rc < 0)
    return devfdt_error(c->host, c->m, "aclint", rc, name);

  rc = devfdt_hart_irqs(c->host, c->m, fdt, node, c->nharts, IRQ_MSIP, IRQ_MTIP);
  if (rc < 0)
    return devfdt_error(c->host, c->m, "aclint", rc, name);

  /* Last: growing /cpus may move nodes after it (and `parent`). */
  cpus = fdt_path_offset(fdt, "/cpus");
  if (cpus >= 0) {
    rc = fdt_setprop_u32(fdt, cpus, "timebase-frequency", (uint32_t)hz);
    if (rc < 0)
      return devfdt_error(c->host, c->m, "aclint", rc, "/cpus/timebase-frequency");
  } else if (cpus != -FDT_ERR_NOTFOUND) {
    return devfdt_error(c->host, c->m, "aclint", cpus, "/cpus");
  }
  return 0;
}

static const vmrun_device_ops clint_ops = {
  sizeof(vmrun_device_ops), 0,
  clint_create,
  clint_destroy,
  clint_fdt_populate,
  clint_reset,
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "aclint", "0.1.0",
                    "SiFive CLINT-compatible ACLINT (MSWI and MTIMER)",
                    &clint_ops);
