/*
** plugins/virtio/virtqueue.c - split virtqueues (Virtio 1.2 §2.7) with
** every guest-supplied address and index validated.  See virtio.h.
**
** Layout of queue size N (all little-endian):
**   descriptor table  16*N bytes, 16-aligned: le64 addr, le32 len,
**                     le16 flags, le16 next
**   available ring    6+2*N, 2-aligned: le16 flags, le16 idx,
**                     le16 ring[N], le16 used_event
**   used ring         6+8*N, 4-aligned: le16 flags, le16 idx,
**                     {le32 id, le32 len} ring[N], le16 avail_event
** The rings are checked once, when QueueReady is set, and accessed through
** cached host pointers afterwards (guest RAM never moves).
*/
#include <endian.h>
#include <inttypes.h>
#include <string.h>

#include "virtio_int.h"

/* ---- guest memory ---- */

/* Host pointer of [gpa, gpa+len) if it lies inside one RAM region (or RAM
** or ROM when !need_ram), else NULL.  len must be nonzero. */
static uint8_t *map_range(virtio_dev *vd, uint64_t gpa, uint64_t len,
                          int need_ram)
{
  vmrun_region_info r;
  uint64_t off;
  if (len == 0)
    return NULL;
  vd->host->phys_lookup(vd->m, gpa, &r);
  if (!r.host)
    return NULL;
  if (r.kind != VMRUN_REGION_RAM && (need_ram || r.kind != VMRUN_REGION_ROM))
    return NULL;
  if (gpa < r.base)
    return NULL;
  off = gpa - r.base;
  if (off >= r.size || len > r.size - off)
    return NULL;
  return r.host + off;
}

/* Ring indices and flags: little-endian 16-bit fields, 2-aligned (checked
** at setup), accessed atomically so that vCPUs on other threads see whole
** values in order. */
static uint16_t ld16_acquire(const uint8_t *p)
{
  return le16toh(__atomic_load_n((const uint16_t *)(const void *)p,
                                 __ATOMIC_ACQUIRE));
}

static uint16_t ld16(const uint8_t *p)
{
  return le16toh(__atomic_load_n((const uint16_t *)(const void *)p,
                                 __ATOMIC_RELAXED));
}

static void st16_release(uint8_t *p, uint16_t v)
{
  __atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELEASE);
}

/* ---- setup ---- */

void virtq__reset(virtq *vq)
{
  memset(vq, 0, sizeof *vq);
}

static uint8_t *map_ring(virtio_dev *vd, unsigned q, const char *what,
                         uint64_t gpa, uint64_t len, unsigned align)
{
  uint8_t *p;
  if (gpa & (align - 1)) {
    virtio_error(vd, "queue %u: %s at 0x%" PRIx64 " is not %u-byte aligned",
                 q, what, gpa, align);
    return NULL;
  }
  p = map_range(vd, gpa, len, 1);
  if (!p) {
    virtio_error(vd, "queue %u: %s 0x%" PRIx64 "+0x%" PRIx64
                 " is not inside guest RAM", q, what, gpa, len);
    return NULL;
  }
  if ((uintptr_t)p & (align - 1)) {
    virtio_error(vd, "queue %u: %s host mapping is misaligned", q, what);
    return NULL;
  }
  return p;
}

int virtq__setup(virtio_dev *vd, unsigned q)
{
  virtq *vq = &vd->vq[q];
  uint32_t n = vq->num;
  if (n == 0 || n > vd->info.queue_max || (n & (n - 1))) {
    virtio_error(vd, "queue %u: invalid size %u (a power of 2, at most %u)",
                 q, n, (unsigned)vd->info.queue_max);
    return -1;
  }
  vq->desc = map_ring(vd, q, "descriptor table", vq->desc_gpa,
                      (uint64_t)VIRTQ_DESC_SIZE * n, 16);
  if (!vq->desc)
    return -1;
  vq->avail = map_ring(vd, q, "available ring", vq->avail_gpa,
                       6 + 2 * (uint64_t)n, 2);
  if (!vq->avail)
    return -1;
  vq->used = map_ring(vd, q, "used ring", vq->used_gpa,
                      6 + 8 * (uint64_t)n, 4);
  if (!vq->used)
    return -1;
  st16_release(vq->used, 0);     /* flags: notifications wanted */
  st16_release(vq->used + 2, 0); /* idx */
  return 0;
}

/* ---- popping chains ---- */

static int event_idx(const virtio_dev *vd)
{
  return virtio_has_feature(vd, VIRTIO_RING_F_EVENT_IDX);
}

static void set_avail_event(virtio_dev *vd, virtq *vq)
{
  if (event_idx(vd))
    st16_release(vq->used + 4 + 8 * (size_t)vq->num, vq->last_avail);
}

static int walk_chain(virtio_dev *vd, unsigned q, virtq *vq, uint16_t head,
                      virtio_chain *c)
{
  const uint8_t *table = vq->desc;
  uint32_t tsize = vq->num, idx = head, count = 0;
  int indirect = 0;

  c->head = head;
  c->n_seg = c->n_out = 0;
  c->out_bytes = c->in_bytes = 0;
  for (;;) {
    const uint8_t *d;
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
    int writable;
    uint8_t *host;

    if (idx >= tsize) {
      virtio_error(vd, "queue %u: %sdescriptor index %u out of range "
                   "(%s %u)", q, indirect ? "indirect " : "", idx,
                   indirect ? "table has" : "queue size", tsize);
      return -1;
    }
    if (++count > tsize) {
      virtio_error(vd, "queue %u: %sdescriptor chain from head %u loops or "
                   "is longer than %u", q, indirect ? "indirect " : "",
                   head, tsize);
      return -1;
    }
    d = table + (size_t)VIRTQ_DESC_SIZE * idx;
    addr = virtio_le64(d);
    len = virtio_le32(d + 8);
    flags = virtio_le16(d + 12);
    next = virtio_le16(d + 14);

    if (flags & VIRTQ_DESC_F_INDIRECT) {
      if (indirect) {
        virtio_error(vd, "queue %u: nested indirect descriptor in chain %u",
                     q, head);
        return -1;
      }
      if (!virtio_has_feature(vd, VIRTIO_RING_F_INDIRECT_DESC)) {
        virtio_error(vd, "queue %u: indirect descriptor without "
                     "VIRTIO_RING_F_INDIRECT_DESC", q);
        return -1;
      }
      if (flags & VIRTQ_DESC_F_NEXT) {
        virtio_error(vd, "queue %u: indirect descriptor %u also has "
                     "VIRTQ_DESC_F_NEXT", q, idx);
        return -1;
      }
      if (len == 0 || len % VIRTQ_DESC_SIZE ||
          len / VIRTQ_DESC_SIZE > VIRTIO_INDIRECT_MAX) {
        virtio_error(vd, "queue %u: indirect table length %u is invalid "
                     "(a nonzero multiple of 16, at most %u entries)", q,
                     len, VIRTIO_INDIRECT_MAX);
        return -1;
      }
      table = map_range(vd, addr, len, 1);
      if (!table) {
        virtio_error(vd, "queue %u: indirect table 0x%" PRIx64 "+0x%x is "
                     "not inside guest RAM", q, addr, len);
        return -1;
      }
      tsize = len / VIRTQ_DESC_SIZE;
      idx = 0;
      count = 0;
      indirect = 1;
      continue;
    }

    writable = (flags & VIRTQ_DESC_F_WRITE) != 0;
    if (len) {
      if (!writable && c->n_seg > c->n_out) {
        virtio_error(vd, "queue %u: device-readable descriptor after a "
                     "device-writable one in chain %u", q, head);
        return -1;
      }
      host = map_range(vd, addr, len, writable);
      if (!host) {
        virtio_error(vd, "queue %u: %s buffer 0x%" PRIx64 "+0x%x is not "
                     "inside guest RAM", q,
                     writable ? "device-writable" : "device-readable",
                     addr, len);
        return -1;
      }
      if (c->n_seg >= VIRTIO_CHAIN_MAX) { /* bounded above; defensive */
        virtio_error(vd, "queue %u: chain %u has too many buffers", q, head);
        return -1;
      }
      c->seg[c->n_seg].gpa = addr;
      c->seg[c->n_seg].host = host;
      c->seg[c->n_seg].len = len;
      c->seg[c->n_seg].writable = (uint32_t)writable;
      c->n_seg++;
      if (writable) {
        c->in_bytes += len;
      } else {
        c->n_out++;
        c->out_bytes += len;
      }
    }
    if (!(flags & VIRTQ_DESC_F_NEXT))
      return 1;
    idx = next;
  }
}

int virtq_pop(virtio_dev *vd, unsigned q, virtio_chain *c)
{
  virtq *vq;
  uint16_t avail_idx, head, pending;

  if (vd->broken)
    return -1;
  if (q >= vd->info.n_queues || !vd->vq[q].valid)
    return 0;
  vq = &vd->vq[q];
  avail_idx = ld16_acquire(vq->avail + 2);
  if (avail_idx == vq->last_avail) {
    /* Ask for a notification at the next entry, then look again in case
    ** the driver added one meanwhile (§2.7.10). */
    set_avail_event(vd, vq);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    avail_idx = ld16_acquire(vq->avail + 2);
    if (avail_idx == vq->last_avail)
      return 0;
  }
  pending = (uint16_t)(avail_idx - vq->last_avail);
  if (pending > vq->num) {
    virtio_error(vd, "queue %u: available index %u is %u entries ahead of "
                 "%u (queue size %u)", q, avail_idx, pending,
                 vq->last_avail, vq->num);
    return -1;
  }
  head = ld16(vq->avail + 4 + 2 * (size_t)(vq->last_avail % vq->num));
  vq->last_avail++;
  set_avail_event(vd, vq);
  if (head >= vq->num) {
    virtio_error(vd, "queue %u: available ring head %u out of range "
                 "(queue size %u)", q, head, vq->num);
    return -1;
  }
  return walk_chain(vd, q, vq, head, c);
}

/* ---- completing ---- */

void virtq_push(virtio_dev *vd, unsigned q, const virtio_chain *c,
                uint32_t len)
{
  virtq *vq;
  uint8_t *slot;
  uint32_t i;
  uint64_t left;

  if (vd->broken || q >= vd->info.n_queues || !vd->vq[q].valid)
    return;
  vq = &vd->vq[q];
  if (len > c->in_bytes)
    len = (uint32_t)c->in_bytes;
  /* DMA through host pointers bypasses phys_write: drop translations of
  ** code the device overwrote. */
  left = len;
  for (i = c->n_out; i < c->n_seg && left && vd->host->code_written; i++) {
    uint64_t n = c->seg[i].len < left ? c->seg[i].len : left;
    vd->host->code_written(vd->m, c->seg[i].gpa, n);
    left -= n;
  }
  slot = vq->used + 4 + 8 * (size_t)(vq->used_idx % vq->num);
  virtio_st32(slot, c->head);
  virtio_st32(slot + 4, len);
  vq->used_idx++;
  st16_release(vq->used + 2, vq->used_idx);
  vq->pushed = 1;
}

/* §2.7.10: interrupt if used_event lies in [old, new). */
static int need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
  return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

void virtq_notify(virtio_dev *vd, unsigned q)
{
  virtq *vq;
  if (vd->broken || q >= vd->info.n_queues || !vd->vq[q].valid)
    return;
  vq = &vd->vq[q];
  if (!vq->pushed)
    return;
  vq->pushed = 0;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (event_idx(vd)) {
    uint16_t old = vq->signalled_used, new_idx = vq->used_idx;
    int was_valid = vq->signalled_valid;
    uint16_t used_event = ld16(vq->avail + 4 + 2 * (size_t)vq->num);
    vq->signalled_used = new_idx;
    vq->signalled_valid = 1;
    if (was_valid && !need_event(used_event, new_idx, old))
      return;
  } else if (ld16(vq->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT) {
    return;
  }
  vd->isr |= VIRTIO_MMIO_INT_VRING;
  virtio__update_irq(vd);
}

/* ---- chain data ---- */

int virtio_chain_iter(const virtio_chain *c, int writable, uint64_t off,
                      uint64_t len,
                      int (*fn)(void *arg, uint8_t *host, size_t n,
                                uint64_t pos),
                      void *arg)
{
  uint32_t i = writable ? c->n_out : 0, end = writable ? c->n_seg : c->n_out;
  uint64_t pos = 0;
  for (; i < end && len; i++) {
    const virtio_seg *s = &c->seg[i];
    uint64_t n;
    int rc;
    if (off >= s->len) {
      off -= s->len;
      continue;
    }
    n = s->len - off;
    if (n > len)
      n = len;
    rc = fn(arg, s->host + off, (size_t)n, pos);
    if (rc)
      return rc;
    pos += n;
    len -= n;
    off = 0;
  }
  return 0;
}

typedef struct copy_arg {
  uint8_t *buf;
  const uint8_t *cbuf;
  size_t done;
} copy_arg;

static int read_fn(void *arg, uint8_t *host, size_t n, uint64_t pos)
{
  copy_arg *a = arg;
  memcpy(a->buf + pos, host, n);
  a->done += n;
  return 0;
}

static int write_fn(void *arg, uint8_t *host, size_t n, uint64_t pos)
{
  copy_arg *a = arg;
  memcpy(host, a->cbuf + pos, n);
  a->done += n;
  return 0;
}

static int zero_fn(void *arg, uint8_t *host, size_t n, uint64_t pos)
{
  copy_arg *a = arg;
  (void)pos;
  memset(host, 0, n);
  a->done += n;
  return 0;
}

size_t virtio_chain_read(const virtio_chain *c, uint64_t off, void *buf,
                         size_t len)
{
  copy_arg a = { buf, NULL, 0 };
  virtio_chain_iter(c, 0, off, len, read_fn, &a);
  return a.done;
}

size_t virtio_chain_write(const virtio_chain *c, uint64_t off,
                          const void *buf, size_t len)
{
  copy_arg a = { NULL, buf, 0 };
  virtio_chain_iter(c, 1, off, len, write_fn, &a);
  return a.done;
}

size_t virtio_chain_zero(const virtio_chain *c, uint64_t off, size_t len)
{
  copy_arg a = { NULL, NULL, 0 };
  virtio_chain_iter(c, 1, off, len, zero_fn, &a);
  return a.done;
}
