/*
** tests/virtio/vdriver.c - see vdriver.h.
*/
#include "vdriver.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../plugins/virtio/virtio.h"

static uint8_t *ram, *ram2, *rom;
static void (*fallback_lookup)(vmrun_machine *, uint64_t, vmrun_region_info *);

typedef struct vr_region {
  uint64_t base, size;
  uint8_t **mem;
  enum vmrun_region_kind kind;
} vr_region;

static const vr_region map[] = {
  { VR_ROM_BASE, VR_ROM_SIZE, &rom, VMRUN_REGION_ROM },
  { VR_RAM_BASE, VR_RAM_SIZE, &ram, VMRUN_REGION_RAM },
  { VR_RAM2_BASE, VR_RAM2_SIZE, &ram2, VMRUN_REGION_RAM },
};

static const vr_region *find(uint64_t gpa)
{
  unsigned i;
  for (i = 0; i < sizeof map / sizeof map[0]; i++)
    if (gpa >= map[i].base && gpa - map[i].base < map[i].size)
      return &map[i];
  return NULL;
}

static void vr_lookup(vmrun_machine *m, uint64_t gpa, vmrun_region_info *out)
{
  const vr_region *r = find(gpa);
  if (!r) {
    fallback_lookup(m, gpa, out);
    return;
  }
  memset(out, 0, sizeof *out);
  out->kind = r->kind;
  out->base = r->base;
  out->size = r->size;
  out->host = *r->mem;
}

static int vr_phys_read(vmrun_machine *m, uint64_t gpa, void *buf, size_t len)
{
  const vr_region *r = find(gpa);
  (void)m;
  if (!r || len > r->size - (gpa - r->base))
    return -VMRUN_EFAULT;
  memcpy(buf, *r->mem + (gpa - r->base), len);
  return 0;
}

static int vr_phys_write(vmrun_machine *m, uint64_t gpa, const void *buf,
                         size_t len)
{
  const vr_region *r = find(gpa);
  (void)m;
  if (!r || len > r->size - (gpa - r->base))
    return -VMRUN_EFAULT;
  if (r->kind == VMRUN_REGION_ROM)
    return -VMRUN_EPERM;
  memcpy(*r->mem + (gpa - r->base), buf, len);
  return 0;
}

void vr_install(fake_host *fh)
{
  ram = calloc(1, VR_RAM_SIZE);
  ram2 = calloc(1, VR_RAM2_SIZE);
  rom = malloc(VR_ROM_SIZE);
  if (!ram || !ram2 || !rom)
    abort();
  memset(rom, 0xee, VR_ROM_SIZE);
  fallback_lookup = fh->host.phys_lookup;
  fh->host.phys_lookup = vr_lookup;
  fh->host.phys_read = vr_phys_read;
  fh->host.phys_write = vr_phys_write;
}

void vr_uninstall(void)
{
  free(ram);
  free(ram2);
  free(rom);
  ram = ram2 = rom = NULL;
}

uint8_t *vr_mem(uint64_t gpa)
{
  const vr_region *r = find(gpa);
  if (!r)
    abort();
  return *r->mem + (gpa - r->base);
}

void vr_st16(uint64_t gpa, uint16_t v) { virtio_st16(vr_mem(gpa), v); }
void vr_st32(uint64_t gpa, uint32_t v) { virtio_st32(vr_mem(gpa), v); }
void vr_st64(uint64_t gpa, uint64_t v) { virtio_st64(vr_mem(gpa), v); }
uint16_t vr_ld16(uint64_t gpa) { return virtio_le16(vr_mem(gpa)); }
uint32_t vr_ld32(uint64_t gpa) { return virtio_le32(vr_mem(gpa)); }
uint64_t vr_ld64(uint64_t gpa) { return virtio_le64(vr_mem(gpa)); }

unsigned vr_logs(const fake_host *fh)
{
  return fh->logs[0] + fh->logs[1] + fh->logs[2] + fh->logs[3];
}

/* ---- registers ---- */

uint32_t vr_rd(vdrv *d, uint64_t off)
{
  return (uint32_t)fh_read(d->fh, d->base + off, 4);
}

void vr_wr(vdrv *d, uint64_t off, uint32_t v)
{
  fh_write(d->fh, d->base + off, 4, v);
}

int vr_negotiate(vdrv *d, uint64_t base, uint64_t accept)
{
  uint64_t dev;
  uint32_t st;
  d->base = base;
  vr_wr(d, VIRTIO_MMIO_STATUS, 0);
  cr_assert_eq(vr_rd(d, VIRTIO_MMIO_STATUS), 0);
  vr_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
  vr_wr(d, VIRTIO_MMIO_STATUS,
        VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  vr_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
  dev = (uint64_t)vr_rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
  vr_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
  dev |= vr_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
  d->features = dev & accept;
  vr_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
  vr_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(d->features >> 32));
  vr_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
  vr_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->features);
  vr_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
        VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  st = vr_rd(d, VIRTIO_MMIO_STATUS);
  return (st & VIRTIO_STATUS_FEATURES_OK) != 0;
}

void vr_queue(vdrv *d, unsigned q, unsigned num, uint64_t desc,
              uint64_t avail, uint64_t used)
{
  vr_wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
  cr_assert_eq(vr_rd(d, VIRTIO_MMIO_QUEUE_READY), 0);
  cr_assert_geq(vr_rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX), 1);
  d->num = num;
  d->desc = desc;
  d->avail = avail;
  d->used = used;
  d->avail_idx = 0;
  d->used_seen = 0;
  d->next_desc = 0;
  vr_wr(d, VIRTIO_MMIO_QUEUE_NUM, num);
  vr_wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
  vr_wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
  vr_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
  vr_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
  vr_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
  vr_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
  vr_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

void vr_driver_ok(vdrv *d)
{
  vr_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
        VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
        VIRTIO_STATUS_DRIVER_OK);
}

void vr_start(vdrv *d, uint64_t base, uint64_t accept, unsigned num)
{
  /* Linux zeroes ring memory before handing it over */
  memset(vr_mem(VR_DESC), 0, 16 * num);
  memset(vr_mem(VR_AVAIL), 0, 6 + 2 * num);
  memset(vr_mem(VR_USED), 0xa5, 6 + 8 * num); /* the device's area */
  cr_assert(vr_negotiate(d, base, accept), "FEATURES_OK refused");
  vr_queue(d, 0, num, VR_DESC, VR_AVAIL, VR_USED);
  vr_driver_ok(d);
  cr_assert_eq(vr_rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* ---- rings ---- */

void vr_desc(uint64_t table_gpa, unsigned idx, uint64_t addr, uint32_t len,
             uint16_t flags, uint16_t next)
{
  uint64_t d = table_gpa + 16ull * idx;
  vr_st64(d, addr);
  vr_st32(d + 8, len);
  vr_st16(d + 12, flags);
  vr_st16(d + 14, next);
}

void vr_publish(vdrv *d, uint16_t head)
{
  vr_st16(d->avail + 4 + 2 * (d->avail_idx % d->num), head);
  d->avail_idx++;
  vr_st16(d->avail + 2, d->avail_idx);
}

uint16_t vr_add(vdrv *d, unsigned n, const vr_buf *bufs)
{
  uint16_t head = d->next_desc, idx = head;
  unsigned i;
  for (i = 0; i < n; i++) {
    uint16_t next = (uint16_t)((idx + 1) % d->num);
    vr_desc(d->desc, idx, bufs[i].gpa, bufs[i].len,
            (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
                       (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
            i + 1 < n ? next : 0);
    idx = next;
  }
  d->next_desc = idx;
  vr_publish(d, head);
  return head;
}

uint16_t vr_add_indirect(vdrv *d, uint64_t table_gpa, unsigned n,
                         const vr_buf *bufs)
{
  uint16_t head = d->next_desc;
  unsigned i;
  for (i = 0; i < n; i++)
    vr_desc(table_gpa, i, bufs[i].gpa, bufs[i].len,
            (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
                       (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
            (uint16_t)(i + 1 < n ? i + 1 : 0));
  vr_desc(d->desc, head, table_gpa, 16u * n, VIRTQ_DESC_F_INDIRECT, 0);
  d->next_desc = (uint16_t)((head + 1) % d->num);
  vr_publish(d, head);
  return head;
}

void vr_kick(vdrv *d, unsigned q)
{
  vr_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

uint16_t vr_used_idx(vdrv *d)
{
  return vr_ld16(d->used + 2);
}

int vr_used(vdrv *d, uint32_t *id, uint32_t *len)
{
  uint64_t e;
  if (vr_used_idx(d) == d->used_seen)
    return 0;
  e = d->used + 4 + 8ull * (d->used_seen % d->num);
  *id = vr_ld32(e);
  *len = vr_ld32(e + 4);
  d->used_seen++;
  return 1;
}

void vr_set_avail_flags(vdrv *d, uint16_t flags)
{
  vr_st16(d->avail, flags);
}

void vr_set_used_event(vdrv *d, uint16_t v)
{
  vr_st16(d->avail + 4 + 2ull * d->num, v);
}

uint16_t vr_avail_event(vdrv *d)
{
  return vr_ld16(d->used + 4 + 8ull * d->num);
}
