/*
** vmrun/accel.h - accelerator plugins (kind VMRUN_PLUGIN_ACCEL).
**
** An accelerator runs guest code with hardware virtualization (KVM) when
** the guest ISA matches the host's.  ABI 1.0 fixes the vtable's shape so
** the loader can check accelerator plugins; vmrun does not ship one yet
** (the KVM issue adds it), and `accel: none` is the only accepted setting.
*/
#ifndef VMRUN_ACCEL_H
#define VMRUN_ACCEL_H

#include <stdint.h>

#include "cpu.h"
#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vmrun_accel_ops {
  uint32_t struct_size;
  uint32_t reserved;
  /* Is the accelerator usable on this host for `isa`?  0, or a negative
  ** VMRUN_E* with one logged line saying why (e.g. -VMRUN_ENOENT when
  ** /dev/kvm is missing). */
  int (*probe)(const vmrun_host *host, const char *isa);
  int (*create)(const vmrun_host *host, vmrun_machine *m, vmrun_cfg *opts,
                void **inst);
  void (*destroy)(void *inst);
  int (*cpu_attach)(void *inst, vmrun_cpu *cpu);
  void (*cpu_detach)(void *inst, vmrun_cpu *cpu);
  /* Same contract as vmrun_engine_ops.run. */
  int (*run)(void *inst, vmrun_cpu *cpu);
} vmrun_accel_ops;

#ifdef __cplusplus
}
#endif
#endif
