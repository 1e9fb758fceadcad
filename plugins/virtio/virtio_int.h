/*
** plugins/virtio/virtio_int.h - state shared by virtio_mmio.c and
** virtqueue.c (private to libvirtio).
*/
#ifndef VMRUN_PLUGINS_VIRTIO_INT_H
#define VMRUN_PLUGINS_VIRTIO_INT_H

#include "virtio.h"

typedef struct virtq {
  /* driver-written registers */
  uint32_t num;                  /* QueueNum */
  uint32_t ready;                /* QueueReady */
  uint64_t desc_gpa, avail_gpa, used_gpa;
  /* set when QueueReady is written 1 and the rings are valid */
  int valid;
  uint8_t *desc, *avail, *used;  /* host pointers of the validated rings */
  uint16_t last_avail;           /* next avail ring entry to take */
  uint16_t used_idx;             /* our copy of used->idx */
  uint16_t signalled_used;       /* used_idx at the last interrupt check */
  int signalled_valid;
  int pushed;                    /* entries pushed since virtq_notify */
} virtq;

struct virtio_dev {
  const vmrun_host *host;
  vmrun_machine *m;
  const vmrun_device_config *dc;
  virtio_dev_info info;
  const char *name;
  uint64_t base, size;

  int has_irq;
  vmrun_irq_line line;
  int irq_level;

  /* transport state */
  uint64_t device_features;
  uint64_t driver_features;
  uint32_t device_features_sel, driver_features_sel;
  uint32_t queue_sel;
  uint32_t status;
  uint32_t isr;
  uint32_t config_generation;
  int broken;
  virtq vq[VIRTIO_MAX_QUEUES];
};

void virtio__update_irq(virtio_dev *vd);
/* Check the rings of queue q when QueueReady is set; 0 or -1 (reported). */
int virtq__setup(virtio_dev *vd, unsigned q);
void virtq__reset(virtq *vq);

#endif
