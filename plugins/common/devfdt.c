/* plugins/common/devfdt.c - see devfdt.h. */
#include "devfdt.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <vmrun/error.h>

int devfdt_set_reg(void *fdt, int node, int parent, uint64_t base,
                   uint64_t size)
{
  int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent);
  fdt32_t cells[4];
  int n = 0;
  if (ac < 0)
    return ac;
  if (sc < 0)
    return sc;
  if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
    return -FDT_ERR_BADNCELLS;
  if ((ac == 1 && (base >> 32)) || (sc == 1 && (size >> 32)))
    return -FDT_ERR_BADVALUE;
  if (ac == 2) cells[n++] = cpu_to_fdt32((uint32_t)(base >> 32));
  cells[n++] = cpu_to_fdt32((uint32_t)base);
  if (sc == 2) cells[n++] = cpu_to_fdt32((uint32_t)(size >> 32));
  cells[n++] = cpu_to_fdt32((uint32_t)size);
  return fdt_setprop(fdt, node, "reg", cells, (int)(n * sizeof cells[0]));
}

int devfdt_error(const vmrun_host *host, vmrun_machine *m, const char *device,
                 int err, const char *what)
{
  host->log(m, VMRUN_LOG_ERROR, "%s: fdt %s: %s", device, what,
            fdt_strerror(err));
  switch (err) {
  case -FDT_ERR_NOSPACE:  return -VMRUN_ENOSPC;
  case -FDT_ERR_EXISTS:   return -VMRUN_EEXIST;
  case -FDT_ERR_NOTFOUND: return -VMRUN_ENOENT;
  default:                return -VMRUN_EINVAL;
  }
}

int devfdt_hart_irqs(const vmrun_host *host, vmrun_machine *m, void *fdt,
                     int node, uint32_t nharts, uint32_t line_a,
                     uint32_t line_b)
{
  fdt32_t *ie = calloc((size_t)nharts * 4, sizeof *ie);
  char label[32];
  int rc;
  if (!ie)
    return -VMRUN_ENOMEM;
  for (uint32_t i = 0; i < nharts; i++) {
    uint32_t ph;
    snprintf(label, sizeof label, "cpu%u-intc", (unsigned)i);
    if (!(ph = host->fdt_phandle(m, label))) {
      free(ie);
      return -VMRUN_ENOMEM;
    }
    ie[4 * i + 0] = cpu_to_fdt32(ph);
    ie[4 * i + 1] = cpu_to_fdt32(line_a);
    ie[4 * i + 2] = cpu_to_fdt32(ph);
    ie[4 * i + 3] = cpu_to_fdt32(line_b);
  }
  rc = fdt_setprop(fdt, node, "interrupts-extended", ie,
                   (int)((size_t)nharts * 4 * sizeof *ie));
  free(ie);
  return rc;
}
