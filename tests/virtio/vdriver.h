/*
** tests/virtio/vdriver.h - guest RAM for the fake host and a test-side
** virtio-mmio "driver" that lays out split virtqueues in that RAM and
** drives the registers as Linux's virtio_mmio + virtio_ring do.
**
** vr_install() adds to a tests/devices fake_host (without changing it) a
** memory map of
**   ROM   [VR_ROM_BASE,  +VR_ROM_SIZE)
**   RAM   [VR_RAM_BASE,  +VR_RAM_SIZE)
**   RAM2  [VR_RAM2_BASE, +VR_RAM2_SIZE)  adjacent to RAM, a separate region
** served by phys_lookup/phys_read/phys_write; other addresses fall through
** to the fake host (MMIO regions or nothing).
*/
#ifndef VDRIVER_H
#define VDRIVER_H

#include <stdint.h>

#include "fake_host.h"

#define VR_ROM_BASE   0x00010000ull
#define VR_ROM_SIZE   0x10000ull
#define VR_RAM_BASE   0x80000000ull
#define VR_RAM_SIZE   0x400000ull
#define VR_RAM2_BASE  (VR_RAM_BASE + VR_RAM_SIZE)
#define VR_RAM2_SIZE  0x100000ull

#define VR_MMIO_BASE  0x10001000ull
#define VR_IRQ        3u

/* default ring and data areas inside RAM */
#define VR_DESC       (VR_RAM_BASE + 0x10000)
#define VR_AVAIL      (VR_RAM_BASE + 0x20000)
#define VR_USED       (VR_RAM_BASE + 0x30000)
#define VR_INDIRECT   (VR_RAM_BASE + 0x40000)
#define VR_DATA       (VR_RAM_BASE + 0x100000)

/* feature bits used by the tests */
#define VR_F_INDIRECT (1ull << 28)
#define VR_F_EVENT_IDX (1ull << 29)
#define VR_F_VERSION_1 (1ull << 32)

typedef struct vr_buf {
  uint64_t gpa;
  uint32_t len;
  int write;       /* device-writable */
} vr_buf;

typedef struct vdrv {
  fake_host *fh;
  uint64_t base;
  unsigned num;
  uint64_t desc, avail, used;
  uint16_t avail_idx;   /* driver's next avail idx */
  uint16_t used_seen;   /* used entries consumed */
  uint16_t next_desc;   /* next free descriptor (round robin) */
  uint64_t features;    /* negotiated */
} vdrv;

/* Give `fh` the memory map above (zeroed RAM, ROM filled with 0xee). */
void vr_install(fake_host *fh);
void vr_uninstall(void);
/* Host pointer of guest RAM/ROM at gpa (the test's view; aborts if not
** inside RAM, RAM2 or ROM). */
uint8_t *vr_mem(uint64_t gpa);

uint32_t vr_rd(vdrv *d, uint64_t off);
void vr_wr(vdrv *d, uint64_t off, uint32_t v);

/* Reset, ACKNOWLEDGE, DRIVER, read the device features, accept those in
** `accept`, set FEATURES_OK.  Returns 1 if the device kept FEATURES_OK. */
int vr_negotiate(vdrv *d, uint64_t base, uint64_t accept);
/* Set up queue q with `num` entries at the given ring addresses. */
void vr_queue(vdrv *d, unsigned q, unsigned num, uint64_t desc,
              uint64_t avail, uint64_t used);
void vr_driver_ok(vdrv *d);
/* negotiate + queue 0 at the default areas + DRIVER_OK; asserts. */
void vr_start(vdrv *d, uint64_t base, uint64_t accept, unsigned num);

/* Write descriptor idx of the table at table_gpa. */
void vr_desc(uint64_t table_gpa, unsigned idx, uint64_t addr, uint32_t len,
             uint16_t flags, uint16_t next);
/* Chain n buffers through the queue's descriptor table; publish the head in
** the avail ring (no notify).  Returns the head. */
uint16_t vr_add(vdrv *d, unsigned n, const vr_buf *bufs);
/* The same through an indirect table at table_gpa (one direct descriptor). */
uint16_t vr_add_indirect(vdrv *d, uint64_t table_gpa, unsigned n,
                         const vr_buf *bufs);
/* Publish `head` in the avail ring as is (for malformed heads). */
void vr_publish(vdrv *d, uint16_t head);
void vr_kick(vdrv *d, unsigned q);
/* Next used element; 1 if there was one. */
int vr_used(vdrv *d, uint32_t *id, uint32_t *len);
uint16_t vr_used_idx(vdrv *d);

/* ring fields */
void vr_set_avail_flags(vdrv *d, uint16_t flags);
void vr_set_used_event(vdrv *d, uint16_t v);
uint16_t vr_avail_event(vdrv *d);

/* Little-endian helpers on guest memory. */
void vr_st16(uint64_t gpa, uint16_t v);
void vr_st32(uint64_t gpa, uint32_t v);
void vr_st64(uint64_t gpa, uint64_t v);
uint16_t vr_ld16(uint64_t gpa);
uint32_t vr_ld32(uint64_t gpa);
uint64_t vr_ld64(uint64_t gpa);

/* Total log lines of every level. */
unsigned vr_logs(const fake_host *fh);

#endif
