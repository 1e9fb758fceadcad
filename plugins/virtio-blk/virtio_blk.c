/*
** plugins/virtio-blk/virtio_blk.c - virtio block device (Virtio 1.2 §5.2)
** over virtio-mmio, backed by a raw image file.
**
** Options:
**   file     (required) path of a raw image; it is never created, truncated
**            or written to except by guest writes
**   readonly (bool, default false) open O_RDONLY, offer VIRTIO_BLK_F_RO;
**            OUT/DISCARD/WRITE_ZEROES complete with VIRTIO_BLK_S_IOERR
**   discard  (bool, default false) offer DISCARD and WRITE_ZEROES (not with
**            readonly): holes are punched with fallocate(2)
**   serial   (string, default "vmrun-<basename of file>") GET_ID answer,
**            at most 20 bytes
**
** The image is locked with an open-file-description lock (write lock, or
** read lock when readonly) so two vmrun processes - or two devices - cannot
** use it at once.  Capacity is the image size in 512-byte sectors, rounded
** down (a partial last sector is not visible).
**
** One request queue, processed synchronously on the machine thread when
** the driver notifies it: data goes between the image and guest RAM with
** pread/pwrite on the validated host pointers.  FLUSH calls fdatasync(2)
** before it completes; a driver that did not accept VIRTIO_BLK_F_FLUSH
** gets write-through (fdatasync after each write).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vmrun/vmrun.h>

#include "../virtio/virtio.h"

#define BLK_SECTOR       512u
#define BLK_QUEUE_SIZE   256u
#define BLK_SEG_MAX      (BLK_QUEUE_SIZE - 2u)
#define BLK_ID_BYTES     20u
#define BLK_MAX_DISCARD_SECTORS 0x3fffffu
#define BLK_MAX_DISCARD_SEG     1u
#define BLK_MAX_DSEG_ACCEPTED   64u /* segments handled in one request */

/* feature bits (§5.2.3) */
#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* request types and status (§5.2.6) */
#define VIRTIO_BLK_T_IN           0u
#define VIRTIO_BLK_T_OUT          1u
#define VIRTIO_BLK_T_FLUSH        4u
#define VIRTIO_BLK_T_GET_ID       8u
#define VIRTIO_BLK_T_DISCARD      11u
#define VIRTIO_BLK_T_WRITE_ZEROES 13u
#define VIRTIO_BLK_S_OK           0u
#define VIRTIO_BLK_S_IOERR        1u
#define VIRTIO_BLK_S_UNSUPP       2u
#define VIRTIO_BLK_WZ_F_UNMAP     1u

/* struct virtio_blk_config offsets (§5.2.4) */
#define CFG_CAPACITY           0
#define CFG_SEG_MAX            12
#define CFG_BLK_SIZE           20
#define CFG_MAX_DISCARD_SECT   36
#define CFG_MAX_DISCARD_SEG    40
#define CFG_DISCARD_ALIGN      44
#define CFG_MAX_WZ_SECT        48
#define CFG_MAX_WZ_SEG         52
#define CFG_WZ_MAY_UNMAP       56
#define CFG_LEN                60

typedef struct vblk {
  const vmrun_host *host;
  vmrun_machine *m;
  virtio_dev *vd;
  const char *name;
  const char *path;
  int fd;
  int readonly, discard;
  uint64_t capacity;             /* sectors */
  char id[BLK_ID_BYTES];
  uint8_t config[CFG_LEN];
  virtio_chain chain;
} vblk;

/* ---- I/O between the image and guest RAM ---- */

typedef struct io_arg {
  int fd;
  uint64_t pos;   /* file offset of the request start */
  int err;        /* errno of the failure */
  uint64_t done;  /* bytes transferred before a failure */
} io_arg;

static int pread_fn(void *arg, uint8_t *host, size_t n, uint64_t pos)
{
  io_arg *a = arg;
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(a->fd, host + got, n - got, (off_t)(a->pos + pos + got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      a->err = r < 0 ? errno : EIO; /* 0: the image shrank under us */
      a->done = pos + got;
      return -1;
    }
    got += (size_t)r;
  }
  return 0;
}

static int pwrite_fn(void *arg, uint8_t *host, size_t n, uint64_t pos)
{
  io_arg *a = arg;
  size_t put = 0;
  while (put < n) {
    ssize_t r = pwrite(a->fd, host + put, n - put,
                       (off_t)(a->pos + pos + put));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      a->err = r < 0 ? errno : EIO;
      a->done = pos + put;
      return -1;
    }
    put += (size_t)r;
  }
  return 0;
}

static int range_ok(const vblk *b, uint64_t sector, uint64_t nsect)
{
  return sector <= b->capacity && nsect <= b->capacity - sector;
}

static void io_failed(vblk *b, const char *what, uint64_t sector, int err)
{
  b->host->log(b->m, VMRUN_LOG_WARN, "%s: %s at sector %" PRIu64 " of %s: %s",
               b->name, what, sector, b->path, strerror(err));
}

/* Zero `len` bytes of the image at `pos`: punch a hole (unmap) or zero the
** range in place, falling back to writing zeros. */
static int blk_zero_range(vblk *b, uint64_t pos, uint64_t len, int unmap)
{
  static const uint8_t zeros[65536];
  int mode = unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
                   : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
  if (len == 0)
    return 0;
  if (fallocate(b->fd, mode, (off_t)pos, (off_t)len) == 0)
    return 0;
  if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
    return errno;
  while (len) {
    size_t n = len < sizeof zeros ? (size_t)len : sizeof zeros;
    ssize_t r = pwrite(b->fd, zeros, n, (off_t)pos);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r < 0 ? errno : EIO;
    pos += (uint64_t)r;
    len -= (uint64_t)r;
  }
  return 0;
}

/* DISCARD / WRITE_ZEROES: an array of {le64 sector, le32 num_sectors,
** le32 flags} in the device-readable data. */
static unsigned blk_discard(vblk *b, const virtio_chain *c, uint64_t off,
                            uint64_t len, int write_zeroes)
{
  uint64_t nseg, i;
  if (b->readonly)
    return VIRTIO_BLK_S_IOERR;
  if (len == 0 || len % 16u || len / 16u > BLK_MAX_DSEG_ACCEPTED)
    return VIRTIO_BLK_S_IOERR;
  nseg = len / 16u;
  for (i = 0; i < nseg; i++) {
    uint8_t s[16];
    uint64_t sector;
    uint32_t n, flags;
    int err;
    virtio_chain_read(c, off + 16u * i, s, sizeof s);
    sector = virtio_le64(s);
    n = virtio_le32(s + 8);
    flags = virtio_le32(s + 12);
    if (flags & ~(write_zeroes ? VIRTIO_BLK_WZ_F_UNMAP : 0u))
      return VIRTIO_BLK_S_UNSUPP;
    if (n > BLK_MAX_DISCARD_SECTORS || !range_ok(b, sector, n))
      return VIRTIO_BLK_S_IOERR;
    if (!write_zeroes) {
      /* advisory: a file system without hole punching keeps the data */
      if (n && fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                         (off_t)(sector * BLK_SECTOR),
                         (off_t)((uint64_t)n * BLK_SECTOR)) < 0 &&
          errno != EOPNOTSUPP && errno != ENOSYS) {
        io_failed(b, "discard", sector, errno);
        return VIRTIO_BLK_S_IOERR;
      }
      continue;
    }
    err = blk_zero_range(b, sector * BLK_SECTOR, (uint64_t)n * BLK_SECTOR,
                         (flags & VIRTIO_BLK_WZ_F_UNMAP) != 0);
    if (err) {
      io_failed(b, "write zeroes", sector, err);
      return VIRTIO_BLK_S_IOERR;
    }
  }
  return VIRTIO_BLK_S_OK;
}

/* ---- requests ---- */

/* Handle one request; returns 0, or -1 when the chain cannot carry a
** request at all (reported: the device needs a reset). */
static int blk_request(vblk *b, unsigned q, virtio_chain *c)
{
  uint8_t hdr[16];
  uint32_t type;
  uint64_t sector, in_data, out_data;
  unsigned status = VIRTIO_BLK_S_OK;
  uint8_t st;
  io_arg io;

  /* §5.2.6: le32 type, le32 reserved, le64 sector, data, u8 status; any
  ** framing across descriptors. */
  if (c->out_bytes < sizeof hdr || c->in_bytes < 1) {
    virtio_error(b->vd, "queue %u: request %u has no %s", q, c->head,
                 c->out_bytes < sizeof hdr ? "16-byte header"
                                           : "status byte");
    return -1;
  }
  virtio_chain_read(c, 0, hdr, sizeof hdr);
  type = virtio_le32(hdr);
  sector = virtio_le64(hdr + 8);
  in_data = c->in_bytes - 1;             /* writable bytes before status */
  out_data = c->out_bytes - sizeof hdr;  /* readable bytes after header */

  switch (type) {
  case VIRTIO_BLK_T_IN:
    if (in_data % BLK_SECTOR || !range_ok(b, sector, in_data / BLK_SECTOR)) {
      status = VIRTIO_BLK_S_IOERR;
      break;
    }
    memset(&io, 0, sizeof io);
    io.fd = b->fd;
    io.pos = sector * BLK_SECTOR;
    if (virtio_chain_iter(c, 1, 0, in_data, pread_fn, &io)) {
      io_failed(b, "read", sector, io.err);
      status = VIRTIO_BLK_S_IOERR;
    }
    break;
  case VIRTIO_BLK_T_OUT:
    if (b->readonly || out_data % BLK_SECTOR ||
        !range_ok(b, sector, out_data / BLK_SECTOR)) {
      status = VIRTIO_BLK_S_IOERR;
      break;
    }
    memset(&io, 0, sizeof io);
    io.fd = b->fd;
    io.pos = sector * BLK_SECTOR;
    if (virtio_chain_iter(c, 0, sizeof hdr, out_data, pwrite_fn, &io)) {
      io_failed(b, "write", sector, io.err);
      status = VIRTIO_BLK_S_IOERR;
    } else if (!virtio_has_feature(b->vd, VIRTIO_BLK_F_FLUSH) && out_data &&
               fdatasync(b->fd) < 0) {
      /* §5.2.6.4: without FLUSH the driver expects write-through */
      io_failed(b, "write (sync)", sector, errno);
      status = VIRTIO_BLK_S_IOERR;
    }
    break;
  case VIRTIO_BLK_T_FLUSH:
    /* every earlier write already reached the file (synchronous); make it
    ** durable before the request completes */
    if (!b->readonly && fdatasync(b->fd) < 0) {
      io_failed(b, "flush", 0, errno);
      status = VIRTIO_BLK_S_IOERR;
    }
    break;
  case VIRTIO_BLK_T_GET_ID:
    virtio_chain_write(c, 0, b->id,
                       in_data < BLK_ID_BYTES ? (size_t)in_data
                                              : BLK_ID_BYTES);
    break;
  case VIRTIO_BLK_T_DISCARD:
  case VIRTIO_BLK_T_WRITE_ZEROES:
    if (!virtio_has_feature(b->vd, type == VIRTIO_BLK_T_DISCARD
                                       ? VIRTIO_BLK_F_DISCARD
                                       : VIRTIO_BLK_F_WRITE_ZEROES)) {
      status = VIRTIO_BLK_S_UNSUPP;
      break;
    }
    status = blk_discard(b, c, sizeof hdr, out_data,
                         type == VIRTIO_BLK_T_WRITE_ZEROES);
    break;
  default:
    status = VIRTIO_BLK_S_UNSUPP;
    break;
  }

  /* The used length counts every writable byte, so all of them are
  ** written: data the request did not produce (errors, short GET_ID
  ** strings, writable space of write-type requests) reads as zeros. */
  if (type == VIRTIO_BLK_T_GET_ID)
    virtio_chain_zero(c, BLK_ID_BYTES, in_data > BLK_ID_BYTES
                                           ? (size_t)(in_data - BLK_ID_BYTES)
                                           : 0);
  else if (type != VIRTIO_BLK_T_IN)
    virtio_chain_zero(c, 0, (size_t)in_data);
  else if (status != VIRTIO_BLK_S_OK)
    virtio_chain_zero(c, 0, (size_t)in_data);
  st = (uint8_t)status;
  virtio_chain_write(c, in_data, &st, 1);
  virtq_push(b->vd, q, c,
             c->in_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)c->in_bytes);
  return 0;
}

static void blk_queue_notify(void *opaque, virtio_dev *vd, unsigned q)
{
  vblk *b = opaque;
  (void)vd;
  while (virtq_pop(b->vd, q, &b->chain) > 0)
    if (blk_request(b, q, &b->chain) < 0)
      break;
  virtq_notify(b->vd, q);
}

/* ---- life cycle ---- */

static void blk_free(vblk *b)
{
  if (b->fd >= 0)
    close(b->fd); /* also drops the OFD lock */
  free(b);
}

/* Open and lock the image; one message on failure.  Nothing is written. */
static int blk_open(vblk *b, vmrun_cfg *where)
{
  const vmrun_host *host = b->host;
  struct flock fl;
  struct stat st;
  off_t end;
  int err;

  b->fd = open(b->path, (b->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC |
               O_NOCTTY);
  if (b->fd < 0) {
    err = errno;
    host->cfg_error(where, "cannot open disk image %s%s: %s", b->path,
                    !b->readonly && (err == EACCES || err == EPERM ||
                                     err == EROFS || err == ETXTBSY)
                        ? " for writing" : "", strerror(err));
    return -err;
  }
  if (fstat(b->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    host->cfg_error(where, "disk image %s is not a regular file or block "
                    "device", b->path);
    return -VMRUN_EINVAL;
  }
  memset(&fl, 0, sizeof fl);
  fl.l_type = b->readonly ? F_RDLCK : F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(b->fd, F_OFD_SETLK, &fl) < 0) {
    err = errno;
    if (err == EAGAIN || err == EACCES) {
      host->cfg_error(where, "disk image %s is in use by another process",
                      b->path);
      return -VMRUN_EBUSY;
    }
    host->log(b->m, VMRUN_LOG_WARN, "%s: cannot lock disk image %s (%s); "
              "continuing without a lock", b->name, b->path, strerror(err));
  }
  end = lseek(b->fd, 0, SEEK_END);
  if (end < 0) {
    err = errno;
    host->cfg_error(where, "cannot get the size of disk image %s: %s",
                    b->path, strerror(err));
    return -err;
  }
  b->capacity = (uint64_t)end / BLK_SECTOR;
  if ((uint64_t)end % BLK_SECTOR)
    host->log(b->m, VMRUN_LOG_WARN, "%s: disk image %s is not a multiple of "
              "512 bytes; the last %u bytes are not visible", b->name,
              b->path, (unsigned)((uint64_t)end % BLK_SECTOR));
  return 0;
}

static void blk_make_id(vblk *b, const char *serial)
{
  char def[64];
  if (!serial) {
    const char *base = strrchr(b->path, '/');
    base = base ? base + 1 : b->path;
    snprintf(def, sizeof def, "vmrun-%s", base);
    serial = def;
  }
  memset(b->id, 0, sizeof b->id);
  memcpy(b->id, serial, strnlen(serial, BLK_ID_BYTES));
}

static int blk_create(const vmrun_host *host, vmrun_machine *m,
                      const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { "file", "readonly", "discard",
                                      "serial", NULL };
  const char *path = NULL, *serial = NULL;
  int readonly = 0, discard = 0, rc;
  virtio_dev_info info;
  vmrun_cfg *where;
  vblk *b;

  if (!host || !dc || !inst)
    return -VMRUN_EINVAL;
  *inst = NULL;
  if (dc->options) {
    rc = host->cfg_check_keys(dc->options, keys);
    if (rc < 0)
      return rc;
    /* ABI 1.1 hosts resolve ~, ${VAR} and paths relative to the machine
    ** file; an ABI 1.0 host gives the string as written */
    rc = VMRUN_HOST_HAS(host, cfg_path) && host->cfg_path
             ? host->cfg_path(dc->options, "file", NULL, &path)
             : host->cfg_str(dc->options, "file", NULL, &path);
    if (rc < 0)
      return rc;
    rc = host->cfg_bool(dc->options, "readonly", 0, &readonly);
    if (rc < 0)
      return rc;
    rc = host->cfg_bool(dc->options, "discard", 0, &discard);
    if (rc < 0)
      return rc;
    rc = host->cfg_str(dc->options, "serial", NULL, &serial);
    if (rc < 0)
      return rc;
  }
  if (!path || !*path) {
    host->cfg_error(dc->options ? dc->options : dc->node,
                    "virtio-blk needs option `file` (path of a raw disk "
                    "image)");
    return -VMRUN_EINVAL;
  }

  b = calloc(1, sizeof *b);
  if (!b)
    return -VMRUN_ENOMEM;
  b->host = host;
  b->m = m;
  b->fd = -1;
  b->name = dc->name ? dc->name : "virtio-blk";
  b->path = path;
  b->readonly = readonly ? 1 : 0;
  b->discard = discard && !readonly;
  blk_make_id(b, serial);

  where = host->cfg_get(dc->options, "file");
  rc = blk_open(b, where ? where : dc->node);
  if (rc < 0) {
    blk_free(b);
    return rc;
  }

  virtio_st64(b->config + CFG_CAPACITY, b->capacity);
  virtio_st32(b->config + CFG_SEG_MAX, BLK_SEG_MAX);
  virtio_st32(b->config + CFG_BLK_SIZE, BLK_SECTOR);
  if (b->discard) {
    virtio_st32(b->config + CFG_MAX_DISCARD_SECT, BLK_MAX_DISCARD_SECTORS);
    virtio_st32(b->config + CFG_MAX_DISCARD_SEG, BLK_MAX_DISCARD_SEG);
    virtio_st32(b->config + CFG_DISCARD_ALIGN, 1);
    virtio_st32(b->config + CFG_MAX_WZ_SECT, BLK_MAX_DISCARD_SECTORS);
    virtio_st32(b->config + CFG_MAX_WZ_SEG, BLK_MAX_DISCARD_SEG);
    b->config[CFG_WZ_MAY_UNMAP] = 1;
  }

  memset(&info, 0, sizeof info);
  info.device_id = VIRTIO_ID_BLOCK;
  info.features = (1ull << VIRTIO_BLK_F_SEG_MAX) |
                  (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                  (1ull << VIRTIO_BLK_F_FLUSH) |
                  (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                  (1ull << VIRTIO_RING_F_EVENT_IDX);
  if (b->readonly)
    info.features |= 1ull << VIRTIO_BLK_F_RO;
  if (b->discard)
    info.features |= (1ull << VIRTIO_BLK_F_DISCARD) |
                     (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
  info.n_queues = 1;
  info.queue_max = BLK_QUEUE_SIZE;
  info.config = b->config;
  info.config_len = sizeof b->config;
  info.queue_notify = blk_queue_notify;
  info.opaque = b;
  rc = virtio_mmio_create(host, m, dc, &info, &b->vd);
  if (rc < 0) {
    blk_free(b);
    return rc;
  }
  *inst = b;
  return 0;
}

static void blk_destroy(void *inst)
{
  vblk *b = inst;
  if (!b)
    return;
  virtio_mmio_destroy(b->vd);
  blk_free(b);
}

static int blk_fdt_populate(void *inst, void *fdt, int parent)
{
  vblk *b = inst;
  return virtio_mmio_fdt_populate(b->vd, fdt, parent);
}

static void blk_reset(void *inst)
{
  vblk *b = inst;
  virtio_mmio_reset(b->vd);
}

static const vmrun_device_ops blk_ops = {
  sizeof(vmrun_device_ops), 0,
  blk_create,
  blk_destroy,
  blk_fdt_populate,
  blk_reset,
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "virtio-blk", "0.1.0",
                    "virtio block device (virtio-mmio, raw image)", &blk_ops);
