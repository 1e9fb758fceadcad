/*
** plugins/common/devfdt.h - device-tree helpers shared by vmrun's device
** plugins (a libtool convenience library linked into each one; not SDK:
** out-of-tree plugins use libfdt directly).
*/
#ifndef VMRUN_PLUGINS_DEVFDT_H
#define VMRUN_PLUGINS_DEVFDT_H

#include <stdint.h>

#include <vmrun/host.h>

/* Set `reg` = <base size> on `node`, encoded in the #address-cells and
** #size-cells (1 or 2 each) of `parent` (Devicetree Specification v0.4
** §2.3.6).  Returns 0 or a negative libfdt error (-FDT_ERR_BADVALUE when
** a value does not fit one cell). */
int devfdt_set_reg(void *fdt, int node, int parent, uint64_t base,
                   uint64_t size);

/* Set interrupts-extended = <&cpuN-intc line_a &cpuN-intc line_b> for each
** of `nharts` harts (the per-hart interrupt controllers' phandles come from
** host->fdt_phandle(m, "cpuN-intc")).  RISC-V lines: MSIP 3, MTIP 7, SEIP
** 9, MEIP 11 (Privileged ISA §3.1.9).  0, -VMRUN_ENOMEM, or a negative
** libfdt error. */
int devfdt_hart_irqs(const vmrun_host *host, vmrun_machine *m, void *fdt,
                     int node, uint32_t nharts, uint32_t line_a,
                     uint32_t line_b);

/* Log "DEVICE: fdt WHAT: <libfdt message>" and map the libfdt error `err`
** to a VMRUN_E* code (NOSPACE -> ENOSPC, EXISTS -> EEXIST, NOTFOUND ->
** ENOENT, others -> EINVAL). */
int devfdt_error(const vmrun_host *host, vmrun_machine *m, const char *device,
                 int err, const char *what);

#endif
