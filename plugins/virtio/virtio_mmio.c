/*
** plugins/virtio/virtio_mmio.c - virtio over MMIO, version 2 (Virtio 1.2
** §4.2): registers, device status and feature negotiation, interrupts,
** reset and the device-tree node.  See virtio.h.
**
** Control registers (0x000-0x0ff) are 32 bits wide: other widths read 0
** and are ignored, as are unaligned accesses.  The configuration space at
** 0x100 takes any width.  The interrupt line is level-triggered: high
** while InterruptStatus is nonzero.
*/
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "virtio_int.h"
#include "../common/devfdt.h"

/* ---- interrupts and errors ---- */

void virtio__update_irq(virtio_dev *vd)
{
  int level = vd->isr != 0;
  if (level == vd->irq_level)
    return;
  vd->irq_level = level;
  if (vd->has_irq)
    vd->line.set(vd->line.opaque, vd->line.num, level);
}

void virtio_config_changed(virtio_dev *vd)
{
  vd->isr |= VIRTIO_MMIO_INT_CONFIG;
  virtio__update_irq(vd);
}

void virtio_error(virtio_dev *vd, const char *fmt, ...)
{
  char msg[200];
  va_list ap;
  if (vd->broken)
    return;
  vd->broken = 1;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  vd->host->log(vd->m, VMRUN_LOG_WARN, "%s: %s; device needs reset",
                vd->name, msg);
  vd->status |= VIRTIO_STATUS_NEEDS_RESET;
  /* §2.1.2: with DRIVER_OK set, NEEDS_RESET comes with a configuration
  ** change notification (else it is sent when DRIVER_OK is written). */
  if (vd->status & VIRTIO_STATUS_DRIVER_OK)
    virtio_config_changed(vd);
}

/* ---- accessors ---- */

const char *virtio_name(const virtio_dev *vd) { return vd->name; }
const vmrun_host *virtio_host(const virtio_dev *vd) { return vd->host; }
vmrun_machine *virtio_machine(const virtio_dev *vd) { return vd->m; }
uint64_t virtio_features(const virtio_dev *vd) { return vd->driver_features; }
int virtio_broken(const virtio_dev *vd) { return vd->broken; }

int virtio_has_feature(const virtio_dev *vd, unsigned bit)
{
  return bit < 64 && ((vd->driver_features >> bit) & 1u);
}

/* ---- reset ---- */

static void virtio_do_reset(virtio_dev *vd)
{
  unsigned i;
  vd->driver_features = 0;
  vd->device_features_sel = 0;
  vd->driver_features_sel = 0;
  vd->queue_sel = 0;
  vd->status = 0;
  vd->isr = 0;
  vd->broken = 0;
  for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
    virtq__reset(&vd->vq[i]);
  if (vd->info.reset)
    vd->info.reset(vd->info.opaque);
  virtio__update_irq(vd);
}

void virtio_mmio_reset(virtio_dev *vd)
{
  if (vd)
    virtio_do_reset(vd);
}

/* ---- status and features ---- */

static void virtio_set_status(virtio_dev *vd, uint32_t v)
{
  uint32_t old = vd->status;
  v &= 0xffu;
  if (v == 0) {
    virtio_do_reset(vd);
    return;
  }
  v &= ~VIRTIO_STATUS_NEEDS_RESET; /* device-owned */
  if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
    uint64_t extra = vd->driver_features & ~vd->device_features;
    if (!((vd->driver_features >> VIRTIO_F_VERSION_1) & 1u)) {
      vd->host->log(vd->m, VMRUN_LOG_INFO,
                    "%s: driver did not accept VIRTIO_F_VERSION_1 "
                    "(legacy drivers are not supported)", vd->name);
      v &= ~VIRTIO_STATUS_FEATURES_OK;
    } else if (extra) {
      vd->host->log(vd->m, VMRUN_LOG_INFO,
                    "%s: driver accepted features 0x%" PRIx64
                    " the device did not offer", vd->name, extra);
      v &= ~VIRTIO_STATUS_FEATURES_OK;
    }
  }
  vd->status = v | (old & VIRTIO_STATUS_NEEDS_RESET);
  if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK) &&
      (vd->status & VIRTIO_STATUS_NEEDS_RESET))
    virtio_config_changed(vd);
}

static int virtio_running(const virtio_dev *vd)
{
  uint32_t need = VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
  return (vd->status & need) == need && !vd->broken;
}

/* ---- MMIO ---- */

static virtq *cur_vq(virtio_dev *vd)
{
  return vd->queue_sel < vd->info.n_queues ? &vd->vq[vd->queue_sel] : NULL;
}

static uint64_t config_read(virtio_dev *vd, uint64_t off, unsigned size)
{
  const uint8_t *cfg = vd->info.config;
  uint64_t v = 0;
  unsigned i;
  for (i = 0; i < size; i++)
    if (cfg && off + i < vd->info.config_len)
      v |= (uint64_t)cfg[off + i] << (8 * i);
  return v;
}

static uint64_t virtio_mmio_read(void *opaque, uint64_t offset,
                                 unsigned size)
{
  virtio_dev *vd = opaque;
  virtq *vq;

  if (offset >= VIRTIO_MMIO_CONFIG) {
    if (size - 1 >= 8)
      return 0;
    return config_read(vd, offset - VIRTIO_MMIO_CONFIG, size);
  }
  if (size != 4 || (offset & 3))
    return 0;
  vq = cur_vq(vd);
  switch (offset) {
  case VIRTIO_MMIO_MAGIC_VALUE:   return VIRTIO_MMIO_MAGIC;
  case VIRTIO_MMIO_VERSION_REG:   return VIRTIO_MMIO_VERSION;
  case VIRTIO_MMIO_DEVICE_ID:     return vd->info.device_id;
  case VIRTIO_MMIO_VENDOR_ID_REG: return VIRTIO_MMIO_VENDOR_ID;
  case VIRTIO_MMIO_DEVICE_FEATURES:
    if (vd->device_features_sel > 1)
      return 0;
    return (uint32_t)(vd->device_features >> (32 * vd->device_features_sel));
  case VIRTIO_MMIO_QUEUE_NUM_MAX: return vq ? vd->info.queue_max : 0;
  case VIRTIO_MMIO_QUEUE_NUM:     return vq ? vq->num : 0;
  case VIRTIO_MMIO_QUEUE_READY:   return vq ? vq->ready : 0;
  case VIRTIO_MMIO_INTERRUPT_STATUS: return vd->isr;
  case VIRTIO_MMIO_STATUS:        return vd->status;
  case VIRTIO_MMIO_QUEUE_DESC_LOW:    return vq ? (uint32_t)vq->desc_gpa : 0;
  case VIRTIO_MMIO_QUEUE_DESC_HIGH:   return vq ? vq->desc_gpa >> 32 : 0;
  case VIRTIO_MMIO_QUEUE_DRIVER_LOW:  return vq ? (uint32_t)vq->avail_gpa : 0;
  case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: return vq ? vq->avail_gpa >> 32 : 0;
  case VIRTIO_MMIO_QUEUE_DEVICE_LOW:  return vq ? (uint32_t)vq->used_gpa : 0;
  case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: return vq ? vq->used_gpa >> 32 : 0;
  case VIRTIO_MMIO_SHM_LEN_LOW:
  case VIRTIO_MMIO_SHM_LEN_HIGH:
    return 0xffffffffu; /* no shared memory regions (§4.2.2) */
  case VIRTIO_MMIO_CONFIG_GENERATION: return vd->config_generation;
  default: return 0;
  }
}

static void set_lo(uint64_t *r, uint64_t v)
{
  *r = (*r & ~0xffffffffull) | (uint32_t)v;
}

static void set_hi(uint64_t *r, uint64_t v)
{
  *r = (*r & 0xffffffffull) | ((uint64_t)(uint32_t)v << 32);
}

static void queue_set_ready(virtio_dev *vd, unsigned q, uint32_t v)
{
  virtq *vq = &vd->vq[q];
  if (!(v & 1u)) {
    /* disabling: forget the rings; a new setup starts from index 0 */
    vq->ready = 0;
    vq->valid = 0;
    return;
  }
  if (vq->ready)
    return;
  vq->ready = 1;
  vq->last_avail = 0;
  vq->used_idx = 0;
  vq->signalled_used = 0;
  vq->signalled_valid = 0;
  vq->pushed = 0;
  if (vd->broken)
    return;
  if (virtq__setup(vd, q) == 0)
    vq->valid = 1;
}

static void virtio_mmio_write(void *opaque, uint64_t offset, unsigned size,
                              uint64_t value)
{
  virtio_dev *vd = opaque;
  uint32_t v = (uint32_t)value;
  virtq *vq;

  if (offset >= VIRTIO_MMIO_CONFIG) {
    if (size - 1 >= 8 || !vd->info.config_write)
      return;
    if (offset - VIRTIO_MMIO_CONFIG >= vd->info.config_len)
      return;
    vd->info.config_write(vd->info.opaque,
                          (uint32_t)(offset - VIRTIO_MMIO_CONFIG), size, value);
    return;
  }
  if (size != 4 || (offset & 3))
    return;
  vq = cur_vq(vd);
  switch (offset) {
  case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
    vd->device_features_sel = v;
    return;
  case VIRTIO_MMIO_DRIVER_FEATURES:
    /* §2.2.1: no new features once FEATURES_OK is set */
    if (vd->status & VIRTIO_STATUS_FEATURES_OK)
      return;
    if (vd->driver_features_sel == 0)
      set_lo(&vd->driver_features, v);
    else if (vd->driver_features_sel == 1)
      set_hi(&vd->driver_features, v);
    return;
  case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
    vd->driver_features_sel = v;
    return;
  case VIRTIO_MMIO_QUEUE_SEL:
    vd->queue_sel = v;
    return;
  case VIRTIO_MMIO_QUEUE_NUM:
    if (vq && !vq->ready)
      vq->num = v;
    return;
  case VIRTIO_MMIO_QUEUE_READY:
    if (vq)
      queue_set_ready(vd, vd->queue_sel, v);
    return;
  case VIRTIO_MMIO_QUEUE_NOTIFY:
    if (v >= vd->info.n_queues) {
      vd->host->log(vd->m, VMRUN_LOG_DEBUG,
                    "%s: notify of queue %u ignored (device has %u)",
                    vd->name, v, vd->info.n_queues);
      return;
    }
    if (virtio_running(vd) && vd->vq[v].valid && vd->info.queue_notify)
      vd->info.queue_notify(vd->info.opaque, vd, v);
    return;
  case VIRTIO_MMIO_INTERRUPT_ACK:
    vd->isr &= ~v;
    virtio__update_irq(vd);
    return;
  case VIRTIO_MMIO_STATUS:
    virtio_set_status(vd, v);
    return;
  case VIRTIO_MMIO_QUEUE_DESC_LOW:
    if (vq && !vq->ready) set_lo(&vq->desc_gpa, v);
    return;
  case VIRTIO_MMIO_QUEUE_DESC_HIGH:
    if (vq && !vq->ready) set_hi(&vq->desc_gpa, v);
    return;
  case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    if (vq && !vq->ready) set_lo(&vq->avail_gpa, v);
    return;
  case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
    if (vq && !vq->ready) set_hi(&vq->avail_gpa, v);
    return;
  case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    if (vq && !vq->ready) set_lo(&vq->used_gpa, v);
    return;
  case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
    if (vq && !vq->ready) set_hi(&vq->used_gpa, v);
    return;
  default:
    return; /* read-only or unknown: ignored */
  }
}

static const vmrun_mmio_ops virtio_mmio_ops = { virtio_mmio_read,
                                                virtio_mmio_write };

/* ---- life cycle ---- */

int virtio_mmio_create(const vmrun_host *host, vmrun_machine *m,
                       const vmrun_device_config *dc,
                       const virtio_dev_info *info, virtio_dev **out)
{
  const char *name;
  virtio_dev *vd;
  uint64_t size;
  int rc;

  if (!out)
    return -VMRUN_EINVAL;
  *out = NULL;
  if (!host || !dc || !info || info->n_queues < 1 ||
      info->n_queues > VIRTIO_MAX_QUEUES || info->queue_max < 1 ||
      info->queue_max > VIRTIO_QUEUE_MAX ||
      (info->queue_max & (info->queue_max - 1)))
    return -VMRUN_EINVAL;
  name = dc->name ? dc->name : dc->type ? dc->type : "virtio";
  if (dc->base == VMRUN_DEVICE_NO_BASE) {
    host->cfg_error(dc->node, "%s needs a `base:` address (virtio-mmio "
                    "devices have no default)", name);
    return -VMRUN_EINVAL;
  }
  size = dc->size ? dc->size : VIRTIO_MMIO_DEFAULT_SIZE;
  if (dc->base & 0xfffu || size < VIRTIO_MMIO_CONFIG + info->config_len ||
      size & 3u || dc->base + size - 1 < dc->base) {
    host->cfg_error(dc->node, "%s region 0x%" PRIx64 "+0x%" PRIx64
                    " is invalid (base 4 KiB aligned, at least 0x%x bytes)",
                    name, dc->base, size,
                    (unsigned)(VIRTIO_MMIO_CONFIG + info->config_len));
    return -VMRUN_EINVAL;
  }
  if (dc->n_irqs > 1) {
    host->cfg_error(dc->node, "%s takes at most one irq, got %u", name,
                    (unsigned)dc->n_irqs);
    return -VMRUN_EINVAL;
  }

  vd = calloc(1, sizeof *vd);
  if (!vd)
    return -VMRUN_ENOMEM;
  vd->host = host;
  vd->m = m;
  vd->dc = dc;
  vd->info = *info;
  vd->name = name;
  vd->base = dc->base;
  vd->size = size;
  vd->device_features = info->features | (1ull << VIRTIO_F_VERSION_1);

  if (dc->n_irqs > 0) {
    rc = host->irq_line(m, dc->irqs[0], &vd->line);
    if (rc < 0 || !vd->line.set) {
      host->cfg_error(dc->node, "cannot connect irq %u",
                      (unsigned)dc->irqs[0]);
      free(vd);
      return rc < 0 ? rc : -VMRUN_EINVAL;
    }
    vd->has_irq = 1;
  }
  virtio_do_reset(vd);
  rc = host->mmio_register(m, name, vd->base, vd->size, &virtio_mmio_ops, vd);
  if (rc < 0) {
    free(vd);
    return rc;
  }
  *out = vd;
  return 0;
}

void virtio_mmio_destroy(virtio_dev *vd)
{
  free(vd);
}

int virtio_mmio_fdt_populate(virtio_dev *vd, void *fdt, int parent)
{
  char name[40];
  int node, rc;

  snprintf(name, sizeof name, "virtio_mmio@%" PRIx64, vd->base);
  node = fdt_add_subnode(fdt, parent, name);
  if (node < 0)
    return devfdt_error(vd->host, vd->m, vd->name, node, name);
  rc = fdt_setprop_string(fdt, node, "compatible", "virtio,mmio");
  if (rc == 0)
    rc = devfdt_set_reg(fdt, node, parent, vd->base, vd->size);
  if (rc == 0 && vd->has_irq) {
    uint32_t ph = vd->host->fdt_phandle(vd->m, "irqc");
    if (!ph)
      return -VMRUN_ENOMEM;
    rc = fdt_setprop_u32(fdt, node, "interrupts", vd->dc->irqs[0]);
    if (rc == 0)
      rc = fdt_setprop_u32(fdt, node, "interrupt-parent", ph);
  }
  if (rc == 0)
    rc = fdt_setprop(fdt, node, "dma-coherent", NULL, 0);
  if (rc < 0)
    return devfdt_error(vd->host, vd->m, vd->name, rc, name);
  return 0;
}
