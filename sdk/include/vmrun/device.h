/*
** vmrun/device.h - device plugins (kind VMRUN_PLUGIN_DEVICE).
**
** A device registers its MMIO regions and IRQ lines through the host
** table in create(), contributes its own device-tree node in
** fdt_populate(), and is torn down by destroy().  Devices never test which
** engine, MMU or accelerator runs: they only see the host table.
**
** Threading: MMIO callbacks and timers run on the machine (vCPU) thread.
*/
#ifndef VMRUN_DEVICE_H
#define VMRUN_DEVICE_H

#include <stdint.h>

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One `devices:` entry of the machine YAML, resolved by the core. */
typedef struct vmrun_device_config {
  uint32_t struct_size;
  uint32_t index;       /* position in `devices:`, 0-based */
  const char *type;     /* plugin name (`type:`) */
  const char *name;     /* instance name (`name:`, default: type + index) */
  uint64_t base;        /* guest PA of the first MMIO region (`base:`), or
                           VMRUN_DEVICE_NO_BASE when not given */
  uint64_t size;        /* bytes of that region (`size:`), or 0 when not
                           given: the device uses its default */
  uint32_t n_irqs;      /* entries in irqs[] (`irq:` number or list) */
  uint32_t irqs[8];     /* platform IRQ numbers */
  vmrun_cfg *options;   /* `options:` mapping, or NULL */
  vmrun_cfg *node;      /* the whole entry, for error messages */
} vmrun_device_config;

#define VMRUN_DEVICE_NO_BASE (~(uint64_t)0)

typedef struct vmrun_device_ops {
  uint32_t struct_size;
  uint32_t reserved;
  /* Create an instance.  `dc` and everything it points to stay valid for
  ** the machine's life.  Validate options (host->cfg_check_keys), register
  ** MMIO and IRQs, and fill *inst.  0 or negative VMRUN_E* (the message
  ** already printed through host->cfg_error / host->log).  On failure the
  ** plugin frees what it allocated; regions it registered are removed by
  ** the core. */
  int (*create)(const vmrun_host *host, vmrun_machine *m,
                const vmrun_device_config *dc, void **inst);
  void (*destroy)(void *inst);
  /* Add the device's node(s) under `parent` (the /soc node) of a libfdt
  ** read-write blob (libfdt API, Devicetree Specification v0.4).  Optional
  ** (NULL: no node).  0 or negative VMRUN_E*. */
  int (*fdt_populate)(void *inst, void *fdt, int parent);
  /* Return to power-on state (machine reset).  Optional. */
  void (*reset)(void *inst);
} vmrun_device_ops;

#ifdef __cplusplus
}
#endif
#endif
