/*
** core/fdt.c - assembling the flattened device tree with libfdt.
**
** The core writes the skeleton (root, /chosen, /memory, /cpus with one
** node per hart, /soc as a simple-bus); the frontend adds ISA properties
** and each hart's interrupt controller; every device adds its own node
** under /soc.  So a third-party device appears to the guest with no core
** change.  Layout and compatible strings follow QEMU's riscv virt machine
** (Devicetree Specification v0.4; Linux Documentation/devicetree/bindings).
*/
#include "vmrun-config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "core.h"

#define FDT_MAX_SIZE (1u << 20)

uint32_t vmrun__fdt_phandle(vmrun_machine *m, const char *label)
{
  vmrun_label *nl;
  for (size_t i = 0; i < m->n_labels; i++)
    if (strcmp(m->labels[i].label, label) == 0) return m->labels[i].phandle;
  nl = realloc(m->labels, (m->n_labels + 1) * sizeof *nl);
  if (!nl) return 0;
  m->labels = nl;
  if (!(nl[m->n_labels].label = strdup(label))) return 0;
  nl[m->n_labels].phandle = ++m->next_phandle;
  return nl[m->n_labels++].phandle;
}

static int fdt_fail(int err, const char *what)
{
  vmrun__diag("vmrun: building the device tree (%s): %s", what,
              fdt_strerror(err));
  return err == -FDT_ERR_NOSPACE ? -VMRUN_ENOSPC : -VMRUN_EINVAL;
}

static int prop_reg(void *fdt, int node, uint64_t base, uint64_t size)
{
  fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
  return fdt_setprop(fdt, node, "reg", reg, sizeof reg);
}

int vmrun__fdt_build(vmrun_machine *m)
{
  void *fdt = calloc(1, FDT_MAX_SIZE);
  int root, node, cpus, soc, rc;
  char name[64];
  uint64_t ram_base = m->desc.ram_base;

  if (!fdt) { vmrun__diag("vmrun: out of memory"); return -VMRUN_ENOMEM; }
  if ((rc = fdt_create_empty_tree(fdt, FDT_MAX_SIZE)) < 0) goto fail;
  root = 0;
  if ((rc = fdt_setprop_u32(fdt, root, "#address-cells", 2)) < 0 ||
      (rc = fdt_setprop_u32(fdt, root, "#size-cells", 2)) < 0 ||
      (rc = fdt_setprop_string(fdt, root, "compatible", "riscv-virtio")) < 0 ||
      (rc = fdt_setprop_string(fdt, root, "model", "vmrun,virt")) < 0)
    goto fail;

  if ((node = fdt_add_subnode(fdt, root, "chosen")) < 0) { rc = node; goto fail; }
  {
    /* bootargs: machine.cmdline, plus machine.cmdline_batch when vmrun's
    ** stdin is not a terminal (e.g. a guest self-check instead of a shell) */
    const char *batch = isatty(STDIN_FILENO) ? NULL : m->desc.cmdline_batch;
    char *args = NULL;
    if (m->desc.cmdline || batch) {
      size_t n = (m->desc.cmdline ? strlen(m->desc.cmdline) : 0) +
                 (batch ? strlen(batch) : 0) + 2;
      if (!(args = malloc(n))) { free(fdt); return -VMRUN_ENOMEM; }
      snprintf(args, n, "%s%s%s", m->desc.cmdline ? m->desc.cmdline : "",
               m->desc.cmdline && batch ? " " : "", batch ? batch : "");
      rc = fdt_setprop_string(fdt, node, "bootargs", args);
      free(args);
      if (rc < 0) goto fail;
    }
  }

  snprintf(name, sizeof name, "memory@%llx", (unsigned long long)ram_base);
  if ((node = fdt_add_subnode(fdt, root, name)) < 0) { rc = node; goto fail; }
  if ((rc = fdt_setprop_string(fdt, node, "device_type", "memory")) < 0 ||
      (rc = prop_reg(fdt, node, ram_base, m->desc.ram_size)) < 0)
    goto fail;

  if ((cpus = fdt_add_subnode(fdt, root, "cpus")) < 0) { rc = cpus; goto fail; }
  if ((rc = fdt_setprop_u32(fdt, cpus, "#address-cells", 1)) < 0 ||
      (rc = fdt_setprop_u32(fdt, cpus, "#size-cells", 0)) < 0 ||
      (rc = fdt_setprop_u32(fdt, cpus, "timebase-frequency",
                            (uint32_t)m->timebase_hz)) < 0)
    goto fail;
  /* libfdt adds subnodes first-in-first-out reversed; add in reverse so
  ** cpu@0 comes first in the blob. */
  for (uint32_t i = m->n_cpus; i-- > 0;) {
    snprintf(name, sizeof name, "cpu@%u", i);
    if ((node = fdt_add_subnode(fdt, cpus, name)) < 0) { rc = node; goto fail; }
    if ((rc = fdt_setprop_string(fdt, node, "device_type", "cpu")) < 0 ||
        (rc = fdt_setprop_u32(fdt, node, "reg", i)) < 0 ||
        (rc = fdt_setprop_string(fdt, node, "status", "okay")) < 0)
      goto fail;
    rc = m->fe->fdt_cpu ? m->fe->fdt_cpu(m->fe_inst, m->cpus[i], fdt, node) : 0;
    if (rc < 0) {
      vmrun__diag("vmrun: frontend '%s' failed to describe cpu@%u in the "
                  "device tree", m->fe_plugin.desc->name, i);
      free(fdt);
      return rc;
    }
  }

  if ((soc = fdt_add_subnode(fdt, root, "soc")) < 0) { rc = soc; goto fail; }
  if ((rc = fdt_setprop_u32(fdt, soc, "#address-cells", 2)) < 0 ||
      (rc = fdt_setprop_u32(fdt, soc, "#size-cells", 2)) < 0 ||
      (rc = fdt_setprop_string(fdt, soc, "compatible", "simple-bus")) < 0 ||
      (rc = fdt_setprop(fdt, soc, "ranges", NULL, 0)) < 0)
    goto fail;
  for (size_t i = m->n_devices; i-- > 0;) {
    vmrun_device *d = &m->devices[i];
    if (!d->ops->fdt_populate) continue;
    soc = fdt_path_offset(fdt, "/soc");
    rc = d->ops->fdt_populate(d->inst, fdt, soc);
    if (rc < 0) {
      vmrun__diag("vmrun: device '%s' (%s) failed to add its device-tree "
                  "node (error %d)", d->cfg->name, d->cfg->type, rc);
      free(fdt);
      return rc;
    }
  }
  if ((rc = fdt_pack(fdt)) < 0) goto fail;
  m->fdt = fdt;
  m->fdt_size = fdt_totalsize(fdt);
  return 0;
fail:
  free(fdt);
  return fdt_fail(rc, "core nodes");
}
