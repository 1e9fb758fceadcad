/*
** plugins/ns16550a/ns16550a.c - 16550A UART as on QEMU's virt machine.
**
** Registers (reg-shift 0, one byte each; an access of any width at an
** offset reads/writes the register at that offset, as QEMU does):
**   0 RBR (read) / THR (write) / DLL (DLAB=1)
**   1 IER / DLM (DLAB=1)
**   2 IIR (read) / FCR (write)
**   3 LCR   4 MCR   5 LSR   6 MSR   7 SCR
** Offsets 8..size-1 read 0 and ignore writes.
**
** Transmission is instantaneous: a THR write goes straight to the chardev,
** so LSR.THRE and LSR.TEMT are always set.  Reception goes through a
** 16-byte FIFO (1 byte when FCR.FE is clear, 16450 mode); the chardev's
** can_read reports its free space.  Interrupt sources, highest priority
** first (IIR[3:0]): receiver line status (0x6, overrun, IER.ELSI), received
** data available (0x4, IER.ERBFI, as soon as one byte is in the FIFO),
** THR empty (0x2, IER.ETBEI), modem status (0x0, IER.EDSSI).  IIR[7:6] are
** 0b11 when the FIFOs are enabled.  MCR.LOOP routes THR to the RX FIFO and
** the MCR outputs to the MSR inputs (DTR->DSR, RTS->CTS, OUT1->RI,
** OUT2->DCD), which the Linux 8250 driver's loopback test relies on.
**
** Options: chardev ("stdio", "null", "file:PATH"; default "stdio"),
**          console (bool, default true: /chosen/stdout-path points here).
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <vmrun/vmrun.h>

#include "../common/devfdt.h"

#define UART_DEFAULT_BASE 0x10000000ull
#define UART_DEFAULT_SIZE 0x100ull
#define UART_CLOCK_HZ     3686400u
#define UART_FIFO_SIZE    16u
#define UART_REG_SHIFT    0u
#define UART_NREGS        8u

enum {
  REG_RBR = 0, REG_IER = 1, REG_IIR = 2, REG_LCR = 3,
  REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7
};

#define IER_ERBFI 0x01u /* received data available */
#define IER_ETBEI 0x02u /* THR empty */
#define IER_ELSI  0x04u /* receiver line status */
#define IER_EDSSI 0x08u /* modem status */

#define IIR_NO_INT 0x01u
#define IIR_MSI    0x00u
#define IIR_THRI   0x02u
#define IIR_RDI    0x04u
#define IIR_RLSI   0x06u
#define IIR_FIFO   0xc0u

#define FCR_FE     0x01u
#define FCR_RFR    0x02u
#define FCR_XFR    0x04u
#define FCR_MASK   0xc9u /* FE, DMA mode, RX trigger level */

#define LCR_DLAB   0x80u

#define MCR_DTR    0x01u
#define MCR_RTS    0x02u
#define MCR_OUT1   0x04u
#define MCR_OUT2   0x08u
#define MCR_LOOP   0x10u
#define MCR_MASK   0x1fu

#define LSR_DR     0x01u
#define LSR_OE     0x02u
#define LSR_BI     0x10u
#define LSR_THRE   0x20u
#define LSR_TEMT   0x40u

#define MSR_DCTS   0x01u
#define MSR_DDSR   0x02u
#define MSR_TERI   0x04u
#define MSR_DDCD   0x08u
#define MSR_CTS    0x10u
#define MSR_DSR    0x20u
#define MSR_RI     0x40u
#define MSR_DCD    0x80u
#define MSR_IDLE   (MSR_DCD | MSR_DSR | MSR_CTS) /* lines seen when not in loopback */

typedef struct uart {
  const vmrun_host *host;
  vmrun_machine *m;
  const vmrun_device_config *dc;
  uint64_t base, size;
  vmrun_chardev *cd;
  int console;
  int has_irq;
  vmrun_irq_line line;
  int irq_level;

  uint8_t ier, lcr, mcr, msr, scr, fcr, dll, dlm;
  uint8_t lsr_err;      /* sticky LSR error bits (OE, BI), cleared on read */
  uint8_t thr_ipending; /* THR-empty interrupt pending */
  uint8_t rx[UART_FIFO_SIZE];
  unsigned rx_head, rx_count;
} uart;

/* ---- state helpers ---- */

static unsigned rx_capacity(const uart *u)
{
  return (u->fcr & FCR_FE) ? UART_FIFO_SIZE : 1u;
}

static void rx_clear(uart *u)
{
  u->rx_head = 0;
  u->rx_count = 0;
}

/* Append one received byte; on overflow the byte is lost and LSR.OE set. */
static void rx_push(uart *u, uint8_t b)
{
  if (u->rx_count >= rx_capacity(u)) {
    u->lsr_err |= LSR_OE;
    return;
  }
  u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = b;
  u->rx_count++;
}

static uint8_t rx_pop(uart *u)
{
  uint8_t b;
  if (u->rx_count == 0)
    return 0;
  b = u->rx[u->rx_head];
  u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
  u->rx_count--;
  return b;
}

/* The highest-priority pending and enabled source, as IIR[3:0]. */
static unsigned uart_irq_source(const uart *u)
{
  if ((u->ier & IER_ELSI) && (u->lsr_err & (LSR_OE | LSR_BI)))
    return IIR_RLSI;
  if ((u->ier & IER_ERBFI) && u->rx_count > 0)
    return IIR_RDI;
  if ((u->ier & IER_ETBEI) && u->thr_ipending)
    return IIR_THRI;
  if ((u->ier & IER_EDSSI) && (u->msr & 0x0fu))
    return IIR_MSI;
  return IIR_NO_INT;
}

static void uart_update_irq(uart *u)
{
  int level = uart_irq_source(u) != IIR_NO_INT;
  if (level == u->irq_level)
    return;
  u->irq_level = level;
  if (u->has_irq)
    u->line.set(u->line.opaque, u->line.num, level);
}

/* Modem input lines (MSR[7:4]) as the MCR drives them in loopback, or the
** idle lines of a connected terminal otherwise. */
static uint8_t uart_msr_lines(const uart *u)
{
  uint8_t l = 0;
  if (!(u->mcr & MCR_LOOP))
    return MSR_IDLE;
  if (u->mcr & MCR_RTS)  l |= MSR_CTS;
  if (u->mcr & MCR_DTR)  l |= MSR_DSR;
  if (u->mcr & MCR_OUT1) l |= MSR_RI;
  if (u->mcr & MCR_OUT2) l |= MSR_DCD;
  return l;
}

static void uart_set_msr_lines(uart *u, uint8_t lines)
{
  uint8_t old = u->msr & 0xf0u, delta = u->msr & 0x0fu;
  uint8_t changed = (uint8_t)(old ^ lines);
  if (changed & MSR_CTS) delta |= MSR_DCTS;
  if (changed & MSR_DSR) delta |= MSR_DDSR;
  if ((old & MSR_RI) && !(lines & MSR_RI)) delta |= MSR_TERI; /* trailing edge */
  if (changed & MSR_DCD) delta |= MSR_DDCD;
  u->msr = (uint8_t)(lines | delta);
}

static void uart_transmit(uart *u, uint8_t b)
{
  if (u->mcr & MCR_LOOP) {
    rx_push(u, b);
    return;
  }
  if (u->cd && u->host->chardev_write(u->cd, &b, 1) < 0)
    u->host->log(u->m, VMRUN_LOG_DEBUG, "%s: chardev write failed",
                 u->dc->name ? u->dc->name : "ns16550a");
}

/* ---- MMIO ---- */

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
  uart *u = opaque;
  uint64_t reg;
  unsigned src;
  uint8_t v = 0;

  (void)size;
  if (offset & ((1u << UART_REG_SHIFT) - 1u))
    return 0;
  reg = offset >> UART_REG_SHIFT;
  if (reg >= UART_NREGS)
    return 0;

  switch (reg) {
  case REG_RBR:
    if (u->lcr & LCR_DLAB)
      return u->dll;
    v = rx_pop(u);
    uart_update_irq(u);
    return v;
  case REG_IER:
    return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
  case REG_IIR:
    src = uart_irq_source(u);
    v = (uint8_t)(src | ((u->fcr & FCR_FE) ? IIR_FIFO : 0u));
    if (src == IIR_THRI) {
      u->thr_ipending = 0;
      uart_update_irq(u);
    }
    return v;
  case REG_LCR:
    return u->lcr;
  case REG_MCR:
    return u->mcr;
  case REG_LSR:
    v = (uint8_t)(LSR_THRE | LSR_TEMT | u->lsr_err |
                  (u->rx_count ? LSR_DR : 0u));
    if (u->lsr_err) {
      u->lsr_err = 0;
      uart_update_irq(u);
    }
    return v;
  case REG_MSR:
    v = u->msr;
    if (u->msr & 0x0fu) {
      u->msr &= 0xf0u;
      uart_update_irq(u);
    }
    return v;
  case REG_SCR:
    return u->scr;
  }
  return 0;
}

static void uart_write(void *opaque, uint64_t offset, unsigned size,
                       uint64_t value)
{
  uart *u = opaque;
  uint64_t reg;
  uint8_t v = (uint8_t)value, changed;

  (void)size;
  if (offset & ((1u << UART_REG_SHIFT) - 1u))
    return;
  reg = offset >> UART_REG_SHIFT;
  if (reg >= UART_NREGS)
    return;

  switch (reg) {
  case REG_RBR:
    if (u->lcr & LCR_DLAB) {
      u->dll = v;
      return;
    }
    u->thr_ipending = 0;
    uart_transmit(u, v);
    /* the byte left at once: THR is empty again */
    u->thr_ipending = 1;
    uart_update_irq(u);
    return;
  case REG_IER:
    if (u->lcr & LCR_DLAB) {
      u->dlm = v;
      return;
    }
    changed = (uint8_t)((u->ier ^ v) & 0x0fu);
    u->ier = v & 0x0fu;
    /* Enabling ETBEI while THR is empty (always) raises THRI again, even
    ** if an IIR read had cleared it (as QEMU and Bochs do). */
    if (changed & IER_ETBEI)
      u->thr_ipending = (u->ier & IER_ETBEI) ? 1 : 0;
    uart_update_irq(u);
    return;
  case REG_IIR: /* FCR */
    if ((v ^ u->fcr) & FCR_FE)
      v |= FCR_RFR | FCR_XFR; /* toggling FE flushes both FIFOs */
    if (v & FCR_RFR)
      rx_clear(u);
    u->fcr = v & FCR_MASK;
    uart_update_irq(u);
    return;
  case REG_LCR:
    u->lcr = v;
    return;
  case REG_MCR:
    u->mcr = v & MCR_MASK;
    uart_set_msr_lines(u, uart_msr_lines(u));
    uart_update_irq(u);
    return;
  case REG_LSR:
  case REG_MSR:
    return; /* read-only (factory test registers) */
  case REG_SCR:
    u->scr = v;
    return;
  }
}

static const vmrun_mmio_ops uart_mmio_ops = { uart_read, uart_write };

/* ---- chardev input ---- */

static size_t uart_can_read(void *opaque)
{
  uart *u = opaque;
  unsigned cap = rx_capacity(u);
  if (u->mcr & MCR_LOOP)
    return 0; /* the receiver is disconnected from the line in loopback */
  return u->rx_count >= cap ? 0 : cap - u->rx_count;
}

static void uart_receive(void *opaque, const uint8_t *buf, size_t len)
{
  uart *u = opaque;
  size_t i;
  if (!buf)
    return;
  for (i = 0; i < len; i++)
    rx_push(u, buf[i]);
  uart_update_irq(u);
}

/* ---- life cycle ---- */

static void uart_reset(void *inst)
{
  uart *u = inst;
  u->ier = 0;
  u->lcr = 0;
  u->mcr = 0;
  u->msr = MSR_IDLE;
  u->scr = 0;
  u->fcr = 0;
  u->dll = 0x0c; /* 9600 baud at 1.8432 MHz, QEMU's reset divisor */
  u->dlm = 0;
  u->lsr_err = 0;
  u->thr_ipending = 0;
  rx_clear(u);
  uart_update_irq(u);
}

static int uart_create(const vmrun_host *host, vmrun_machine *m,
                       const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { "chardev", "console", NULL };
  const char *spec = "stdio";
  int console = 1, rc;
  uart *u;

  if (!host || !dc || !inst)
    return -VMRUN_EINVAL;
  *inst = NULL;
  if (dc->options) {
    rc = host->cfg_check_keys(dc->options, keys);
    if (rc < 0)
      return rc;
    rc = host->cfg_str(dc->options, "chardev", "stdio", &spec);
    if (rc < 0)
      return rc;
    rc = host->cfg_bool(dc->options, "console", 1, &console);
    if (rc < 0)
      return rc;
  }
  if (dc->n_irqs > 1) {
    host->cfg_error(dc->node, "ns16550a takes at most one irq, got %u",
                    (unsigned)dc->n_irqs);
    return -VMRUN_EINVAL;
  }

  u = calloc(1, sizeof *u);
  if (!u)
    return -VMRUN_ENOMEM;
  u->host = host;
  u->m = m;
  u->dc = dc;
  u->console = console ? 1 : 0;
  u->base = dc->base == VMRUN_DEVICE_NO_BASE ? UART_DEFAULT_BASE : dc->base;
  u->size = dc->size ? dc->size : UART_DEFAULT_SIZE;
  if (u->size < (UART_NREGS << UART_REG_SHIFT) ||
      u->base + u->size - 1 < u->base) {
    host->cfg_error(dc->node, "ns16550a region 0x%" PRIx64 "+0x%" PRIx64
                    " is invalid (at least %u bytes)", u->base, u->size,
                    UART_NREGS << UART_REG_SHIFT);
    free(u);
    return -VMRUN_EINVAL;
  }

  if (dc->n_irqs > 0) {
    rc = host->irq_line(m, dc->irqs[0], &u->line);
    if (rc < 0 || !u->line.set) {
      host->cfg_error(dc->node, "cannot connect irq %u",
                      (unsigned)dc->irqs[0]);
      free(u);
      return rc < 0 ? rc : -VMRUN_EINVAL;
    }
    u->has_irq = 1;
  }

  uart_reset(u);

  rc = host->mmio_register(m, dc->name ? dc->name : "ns16550a", u->base,
                           u->size, &uart_mmio_ops, u);
  if (rc < 0) {
    free(u);
    return rc;
  }

  /* Last, so that a failure above leaves no back-end (e.g. stdio) taken;
  ** the region registered above is removed by the core on failure. */
  u->cd = host->chardev_open(m, spec);
  if (!u->cd) {
    vmrun_cfg *where = dc->options ? host->cfg_get(dc->options, "chardev")
                                   : NULL;
    host->cfg_error(where ? where : dc->node,
                    "cannot open chardev \"%s\"", spec);
    free(u);
    return -VMRUN_EINVAL;
  }
  host->chardev_set_handler(u->cd, uart_can_read, uart_receive, u);
  *inst = u;
  return 0;
}

static void uart_destroy(void *inst)
{
  uart *u = inst;
  if (!u)
    return;
  if (u->cd)
    u->host->chardev_set_handler(u->cd, NULL, NULL, NULL);
  free(u);
}

/* ---- device tree ---- */

static int uart_fdt_populate(void *inst, void *fdt, int parent)
{
  uart *u = inst;
  char name[32], path[256];
  int node, chosen, rc;

  snprintf(name, sizeof name, "serial@%" PRIx64, u->base);
  node = fdt_add_subnode(fdt, parent, name);
  if (node < 0)
    return devfdt_error(u->host, u->m, "ns16550a", node, name);
  rc = fdt_setprop_string(fdt, node, "compatible", "ns16550a");
  if (rc == 0)
    rc = devfdt_set_reg(fdt, node, parent, u->base, u->size);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "clock-frequency", UART_CLOCK_HZ);
  if (rc == 0 && u->has_irq) {
    uint32_t ph = u->host->fdt_phandle(u->m, "irqc");
    if (!ph)
      return -VMRUN_ENOMEM;
    rc = fdt_setprop_u32(fdt, node, "interrupts", u->dc->irqs[0]);
    if (rc == 0)
      rc = fdt_setprop_u32(fdt, node, "interrupt-parent", ph);
  }
  if (rc < 0)
    return devfdt_error(u->host, u->m, "ns16550a", rc, name);
  if (!u->console)
    return 0;

  /* The path first: adding /chosen may move this node's offset. */
  rc = fdt_get_path(fdt, node, path, (int)sizeof path);
  if (rc < 0)
    return devfdt_error(u->host, u->m, "ns16550a", rc, "get_path");
  chosen = fdt_path_offset(fdt, "/chosen");
  if (chosen == -FDT_ERR_NOTFOUND)
    chosen = fdt_add_subnode(fdt, 0, "chosen");
  if (chosen < 0)
    return devfdt_error(u->host, u->m, "ns16550a", chosen, "/chosen");
  rc = fdt_setprop_string(fdt, chosen, "stdout-path", path);
  if (rc < 0)
    return devfdt_error(u->host, u->m, "ns16550a", rc, "/chosen/stdout-path");
  return 0;
}

static const vmrun_device_ops uart_ops = {
  sizeof(vmrun_device_ops), 0,
  uart_create,
  uart_destroy,
  uart_fdt_populate,
  uart_reset,
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "ns16550a", "0.1.0",
                    "16550A UART (QEMU virt compatible)", &uart_ops);
