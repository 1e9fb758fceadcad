/*
** vmrun/plugin.h - the plugin descriptor every plugin exports.
**
** A plugin is one shared object (a libtool module) exporting exactly one
** data symbol, `vmrun_plugin_descriptor`, of type vmrun_plugin_desc.  The
** core opens it with libltdl, checks the descriptor (struct size, ABI
** major/minor, fingerprint, kind) and only then touches the vtable.
**
**   #include <vmrun/vmrun.h>
**   static const vmrun_device_ops my_ops = { sizeof my_ops, ... };
**   VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "mydev", "1.0.0",
**                       "My device, one line", &my_ops);
**
** Build it with `-module -avoid-version -no-undefined` and
** `-fvisibility=hidden`: the macro exports the descriptor.  The file name
** must be `<kind>-<name>.so` (e.g. device-mydev.so) so the core can find it
** by kind and name.
*/
#ifndef VMRUN_PLUGIN_H
#define VMRUN_PLUGIN_H

#include <stdint.h>

#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VMRUN_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define VMRUN_PLUGIN_EXPORT
#endif

/* Plugin kinds.  The vtable type follows from the kind. */
enum vmrun_plugin_kind {
  VMRUN_PLUGIN_FRONTEND = 1, /* ISA decoder to IR: vmrun_frontend_ops */
  VMRUN_PLUGIN_ENGINE   = 2, /* executes IR: vmrun_engine_ops */
  VMRUN_PLUGIN_MMU      = 3, /* address translation and TLB: vmrun_mmu_ops */
  VMRUN_PLUGIN_ACCEL    = 4, /* hardware virtualization: vmrun_accel_ops */
  VMRUN_PLUGIN_DEVICE   = 5  /* a device model: vmrun_device_ops */
};

/* The exported descriptor.  Fields up to `ops` are ABI 1.0. */
typedef struct vmrun_plugin_desc {
  uint32_t struct_size;      /* sizeof(vmrun_plugin_desc) at build time */
  uint16_t abi_major;        /* VMRUN_ABI_MAJOR at build time */
  uint16_t abi_minor;        /* VMRUN_ABI_MINOR at build time */
  uint32_t abi_fingerprint;  /* VMRUN_ABI_FINGERPRINT at build time */
  uint32_t kind;             /* enum vmrun_plugin_kind */
  const char *name;          /* short name used in machine YAML */
  const char *version;       /* the plugin's own version, "MAJOR.MINOR.PATCH" */
  const char *description;   /* one line, no trailing period */
  const void *ops;           /* the kind's vtable (static, never freed) */
} vmrun_plugin_desc;

#define VMRUN_PLUGIN_SYMBOL_NAME "vmrun_plugin_descriptor"

#define VMRUN_PLUGIN_DEFINE(kind_, name_, version_, desc_, ops_)          \
  VMRUN_PLUGIN_EXPORT const vmrun_plugin_desc vmrun_plugin_descriptor = { \
    sizeof(vmrun_plugin_desc), VMRUN_ABI_MAJOR, VMRUN_ABI_MINOR,          \
    VMRUN_ABI_FINGERPRINT, (kind_), (name_), (version_), (desc_), (ops_)  \
  }

#ifdef __cplusplus
}
#endif
#endif
