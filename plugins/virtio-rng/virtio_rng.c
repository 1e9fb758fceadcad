/*
** plugins/virtio-rng/virtio_rng.c - virtio entropy device (Virtio 1.2 §5.4)
** over virtio-mmio.
**
** One request queue; each chain's device-writable buffers are filled with
** bytes from getrandom(2) (at most RNG_MAX_REQUEST bytes per request) and
** returned with the count written.  Device-readable buffers are ignored.
** No options.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <vmrun/vmrun.h>

#include "../virtio/virtio.h"

#define RNG_QUEUE_SIZE  64u
#define RNG_MAX_REQUEST 65536u

typedef struct vrng {
  const vmrun_host *host;
  vmrun_machine *m;
  virtio_dev *vd;
  const char *name;
  int warned;
  virtio_chain chain;
} vrng;

typedef struct fill_arg {
  vrng *r;
  uint64_t done;
} fill_arg;

static int fill_fn(void *arg, uint8_t *host, size_t n, uint64_t pos)
{
  fill_arg *a = arg;
  size_t got = 0;
  (void)pos;
  while (got < n) {
    ssize_t k = getrandom(host + got, n - got, 0);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      if (!a->r->warned) {
        a->r->warned = 1;
        a->r->host->log(a->r->m, VMRUN_LOG_WARN, "%s: getrandom: %s",
                        a->r->name, k < 0 ? strerror(errno) : "no data");
      }
      a->done += got;
      return -1;
    }
    got += (size_t)k;
  }
  a->done += n;
  return 0;
}

static void rng_queue_notify(void *opaque, virtio_dev *vd, unsigned q)
{
  vrng *r = opaque;
  (void)vd;
  while (virtq_pop(r->vd, q, &r->chain) > 0) {
    fill_arg a = { r, 0 };
    uint64_t want = r->chain.in_bytes < RNG_MAX_REQUEST ? r->chain.in_bytes
                                                         : RNG_MAX_REQUEST;
    virtio_chain_iter(&r->chain, 1, 0, want, fill_fn, &a);
    virtq_push(r->vd, q, &r->chain, (uint32_t)a.done);
  }
  virtq_notify(r->vd, q);
}

static int rng_create(const vmrun_host *host, vmrun_machine *m,
                      const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { NULL };
  virtio_dev_info info;
  vrng *r;
  int rc;

  if (!host || !dc || !inst)
    return -VMRUN_EINVAL;
  *inst = NULL;
  if (dc->options) {
    rc = host->cfg_check_keys(dc->options, keys);
    if (rc < 0)
      return rc;
  }
  r = calloc(1, sizeof *r);
  if (!r)
    return -VMRUN_ENOMEM;
  r->host = host;
  r->m = m;
  r->name = dc->name ? dc->name : "virtio-rng";

  memset(&info, 0, sizeof info);
  info.device_id = VIRTIO_ID_ENTROPY;
  info.features = (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                  (1ull << VIRTIO_RING_F_EVENT_IDX);
  info.n_queues = 1;
  info.queue_max = RNG_QUEUE_SIZE;
  info.queue_notify = rng_queue_notify;
  info.opaque = r;
  rc = virtio_mmio_create(host, m, dc, &info, &r->vd);
  if (rc < 0) {
    free(r);
    return rc;
  }
  *inst = r;
  return 0;
}

static void rng_destroy(void *inst)
{
  vrng *r = inst;
  if (!r)
    return;
  virtio_mmio_destroy(r->vd);
  free(r);
}

static int rng_fdt_populate(void *inst, void *fdt, int parent)
{
  vrng *r = inst;
  return virtio_mmio_fdt_populate(r->vd, fdt, parent);
}

static void rng_reset(void *inst)
{
  vrng *r = inst;
  virtio_mmio_reset(r->vd);
}

static const vmrun_device_ops rng_ops = {
  sizeof(vmrun_device_ops), 0,
  rng_create,
  rng_destroy,
  rng_fdt_populate,
  rng_reset,
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "virtio-rng", "0.1.0",
                    "virtio entropy device (virtio-mmio, getrandom)",
                    &rng_ops);
