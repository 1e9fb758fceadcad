/*
** plugins/virtio/virtio.h - virtio-over-MMIO transport and split virtqueues
** shared by vmrun's virtio device plugins (a libtool convenience library,
** plugins/libvirtio.la, linked into each one; not SDK).
**
** Virtio 1.2: §2.1 device status, §2.2 feature bits, §2.7 split virtqueues
** (indirect descriptors §2.7.5.3, event index §2.7.10), §4.2 virtio over
** MMIO, version 2 (modern) only.  VIRTIO_F_VERSION_1 is always offered and
** a driver that does not accept it does not get FEATURES_OK.
**
** A device plugin fills a virtio_dev_info (device ID, features, queues,
** config space) and calls virtio_mmio_create() from its create().  When the
** driver writes QueueNotify the library calls info.queue_notify(); the
** device then loops on virtq_pop() / virtq_push() and finishes with
** virtq_notify(), which raises the used-buffer interrupt unless the driver
** suppressed it (VIRTQ_AVAIL_F_NO_INTERRUPT or, with VIRTIO_F_EVENT_IDX,
** used_event).
**
** Guest memory is never trusted.  Ring addresses are checked when the
** driver sets QueueReady (alignment, whole ring inside one RAM region);
** every descriptor chain is checked by virtq_pop() (indices below the queue
** size, chain length bounded - loops end there -, indirect tables of a
** multiple of 16 bytes, not nested, inside RAM; every buffer wholly inside
** one RAM region (device-readable ones may also lie in ROM); device-
** readable buffers before device-writable ones).  Any violation - or a
** device-level one reported with virtio_error() - sets DEVICE_NEEDS_RESET,
** raises the configuration-change interrupt once the driver is running,
** logs one line "NAME: problem" and stops all queue processing until the
** driver resets the device.  The device code only touches guest memory
** through the host pointers of validated segments.
**
** Everything runs on the machine thread (MMIO callbacks).
*/
#ifndef VMRUN_PLUGINS_VIRTIO_H
#define VMRUN_PLUGINS_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

#include <vmrun/vmrun.h>

/* ---- constants from the specification ---- */

#define VIRTIO_MMIO_MAGIC       0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION     2u
#define VIRTIO_MMIO_VENDOR_ID   0x4e524d56u /* "VMRN" */
#define VIRTIO_MMIO_DEFAULT_SIZE 0x200u
#define VIRTIO_MMIO_CONFIG      0x100u

/* MMIO register offsets (§4.2.2) */
#define VIRTIO_MMIO_MAGIC_VALUE        0x000
#define VIRTIO_MMIO_VERSION_REG        0x004
#define VIRTIO_MMIO_DEVICE_ID          0x008
#define VIRTIO_MMIO_VENDOR_ID_REG      0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES    0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES    0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL          0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX      0x034
#define VIRTIO_MMIO_QUEUE_NUM          0x038
#define VIRTIO_MMIO_QUEUE_READY        0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY       0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS   0x060
#define VIRTIO_MMIO_INTERRUPT_ACK      0x064
#define VIRTIO_MMIO_STATUS             0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW     0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH    0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW   0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH  0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW   0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH  0x0a4
#define VIRTIO_MMIO_SHM_SEL            0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW        0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH       0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW       0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH      0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION  0x0fc

/* InterruptStatus bits */
#define VIRTIO_MMIO_INT_VRING   1u
#define VIRTIO_MMIO_INT_CONFIG  2u

/* Device status (§2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE   1u
#define VIRTIO_STATUS_DRIVER        2u
#define VIRTIO_STATUS_DRIVER_OK     4u
#define VIRTIO_STATUS_FEATURES_OK   8u
#define VIRTIO_STATUS_NEEDS_RESET   0x40u
#define VIRTIO_STATUS_FAILED        0x80u

/* Reserved feature bits (§6) */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1          32

/* Split virtqueue layout (§2.7) */
#define VIRTQ_DESC_F_NEXT        1u
#define VIRTQ_DESC_F_WRITE       2u
#define VIRTQ_DESC_F_INDIRECT    4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY   1u
#define VIRTQ_DESC_SIZE          16u

/* Device IDs (§5) */
#define VIRTIO_ID_BLOCK    2u
#define VIRTIO_ID_ENTROPY  4u

/* ---- limits of this implementation ---- */

#define VIRTIO_MAX_QUEUES   8u
#define VIRTIO_QUEUE_MAX    256u  /* largest QueueNumMax a device may give */
#define VIRTIO_INDIRECT_MAX 1024u /* entries of one indirect table */
#define VIRTIO_CHAIN_MAX    (VIRTIO_QUEUE_MAX + VIRTIO_INDIRECT_MAX)

/* ---- types ---- */

typedef struct virtio_dev virtio_dev;

/* One buffer of a descriptor chain, validated: [gpa, gpa+len) lies in one
** RAM (or, if !writable, RAM or ROM) region and `host` points at gpa. */
typedef struct virtio_seg {
  uint64_t gpa;
  uint8_t *host;
  uint32_t len;
  uint32_t writable;
} virtio_seg;

/* A popped descriptor chain: n_out device-readable segments, then the
** device-writable ones.  Zero-length buffers are dropped. */
typedef struct virtio_chain {
  uint16_t head;         /* id to give back in the used ring */
  uint32_t n_seg, n_out;
  uint64_t out_bytes;    /* total device-readable bytes */
  uint64_t in_bytes;     /* total device-writable bytes */
  virtio_seg seg[VIRTIO_CHAIN_MAX];
} virtio_chain;

typedef struct virtio_dev_info {
  uint32_t device_id;
  uint64_t features;     /* device-specific + ring features offered;
                            VIRTIO_F_VERSION_1 is added */
  unsigned n_queues;     /* 1..VIRTIO_MAX_QUEUES */
  uint16_t queue_max;    /* QueueNumMax: power of 2, <= VIRTIO_QUEUE_MAX */
  /* Device configuration space (little-endian bytes, owned by the device,
  ** read at offset 0x100+).  Writes go to config_write if set, else are
  ** ignored. */
  const void *config;
  uint32_t config_len;
  void (*config_write)(void *opaque, uint32_t offset, unsigned size,
                       uint64_t value);
  /* The driver notified queue `q` (ready, DRIVER_OK, device not broken). */
  void (*queue_notify)(void *opaque, virtio_dev *vd, unsigned q);
  /* Device-specific part of a reset (status 0 or machine reset); optional. */
  void (*reset)(void *opaque);
  void *opaque;
} virtio_dev_info;

/* ---- life cycle (call from the plugin's device ops) ---- */

/* Validate dc (base required, size default VIRTIO_MMIO_DEFAULT_SIZE, at
** most one irq), connect the irq, register the MMIO region named dc->name.
** Reports problems with host->cfg_error and returns a negative VMRUN_E*
** code; *out is NULL then. */
int virtio_mmio_create(const vmrun_host *host, vmrun_machine *m,
                       const vmrun_device_config *dc,
                       const virtio_dev_info *info, virtio_dev **out);
void virtio_mmio_destroy(virtio_dev *vd);
/* Machine reset: as a driver writing Status 0. */
void virtio_mmio_reset(virtio_dev *vd);
/* Node "virtio_mmio@<base>" under `parent`: compatible "virtio,mmio", reg,
** interrupts + interrupt-parent <&irqc> (if it has an irq), dma-coherent. */
int virtio_mmio_fdt_populate(virtio_dev *vd, void *fdt, int parent);

/* ---- state ---- */

const char *virtio_name(const virtio_dev *vd);
const vmrun_host *virtio_host(const virtio_dev *vd);
vmrun_machine *virtio_machine(const virtio_dev *vd);
/* Features the driver accepted (valid once FEATURES_OK is set). */
uint64_t virtio_features(const virtio_dev *vd);
int virtio_has_feature(const virtio_dev *vd, unsigned bit);
/* Nonzero once a violation stopped the device (until reset). */
int virtio_broken(const virtio_dev *vd);
/* Report a violation (see above).  Only the first one after a reset is
** logged. */
void virtio_error(virtio_dev *vd, const char *fmt, ...) VMRUN_PRINTF(2, 3);
/* Signal a configuration change (InterruptStatus bit 1). */
void virtio_config_changed(virtio_dev *vd);

/* ---- virtqueues ---- */

/* Take the next available chain of queue q into *c.  1: got one; 0: the
** ring is empty (with EVENT_IDX, avail_event was updated); -1: the device
** is broken (a violation was just reported, or earlier). */
int virtq_pop(virtio_dev *vd, unsigned q, virtio_chain *c);
/* Return chain c with `len` bytes written to its device-writable part
** (clamped to c->in_bytes).  Pages holding translated code that the
** device wrote are invalidated. */
void virtq_push(virtio_dev *vd, unsigned q, const virtio_chain *c,
                uint32_t len);
/* After a batch of pushes: raise the used-buffer interrupt unless the
** driver suppressed it. */
void virtq_notify(virtio_dev *vd, unsigned q);

/* ---- chain data helpers ---- */

/* Copy from the device-readable bytes [off, off+len) of c; returns bytes
** copied (less when the readable part is shorter). */
size_t virtio_chain_read(const virtio_chain *c, uint64_t off, void *buf,
                         size_t len);
/* Copy into the device-writable bytes [off, off+len) of c. */
size_t virtio_chain_write(const virtio_chain *c, uint64_t off,
                          const void *buf, size_t len);
/* Zero the device-writable bytes [off, off+len) of c. */
size_t virtio_chain_zero(const virtio_chain *c, uint64_t off, size_t len);

/* Walk the host pointers of [off, off+len) of the readable (writable=0) or
** writable part: fn(arg, host, n, pos) is called for each piece, where pos
** is the offset of the piece from `off`; a nonzero return stops the walk
** and is returned. */
int virtio_chain_iter(const virtio_chain *c, int writable, uint64_t off,
                      uint64_t len,
                      int (*fn)(void *arg, uint8_t *host, size_t n,
                                uint64_t pos),
                      void *arg);

/* Little-endian accessors for config spaces and requests. */
static inline uint16_t virtio_le16(const void *p)
{
  const uint8_t *b = p;
  return (uint16_t)(b[0] | (b[1] << 8));
}
static inline uint32_t virtio_le32(const void *p)
{
  const uint8_t *b = p;
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
         ((uint32_t)b[3] << 24);
}
static inline uint64_t virtio_le64(const void *p)
{
  const uint8_t *b = p;
  return (uint64_t)virtio_le32(b) | ((uint64_t)virtio_le32(b + 4) << 32);
}
static inline void virtio_st16(void *p, uint16_t v)
{
  uint8_t *b = p;
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
}
static inline void virtio_st32(void *p, uint32_t v)
{
  uint8_t *b = p;
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
  b[2] = (uint8_t)(v >> 16);
  b[3] = (uint8_t)(v >> 24);
}
static inline void virtio_st64(void *p, uint64_t v)
{
  virtio_st32(p, (uint32_t)v);
  virtio_st32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#endif
