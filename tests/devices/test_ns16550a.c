/*
** tests/devices/test_ns16550a.c - the ns16550a device plugin against the
** fake host.  Link with plugins/ns16550a/ns16550a.c and fake_host.c.
*/
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define B 0x10000000ull
#define RBR (B + 0)
#define THR (B + 0)
#define DLL (B + 0)
#define IER (B + 1)
#define DLM (B + 1)
#define IIR (B + 2)
#define FCR (B + 2)
#define LCR (B + 3)
#define MCR (B + 4)
#define LSR (B + 5)
#define MSR (B + 6)
#define SCR (B + 7)
#define IRQ 10

static fake_host *fh;
static const vmrun_device_ops *ops;
static vmrun_device_config dc;
static void *inst;

static void setup(void)
{
  fh = fh_new(1);
  ops = vmrun_plugin_descriptor.ops;
  inst = NULL;
}

static void teardown(void)
{
  if (inst)
    ops->destroy(inst);
  fh_free(fh);
}

TestSuite(ns16550a, .init = setup, .fini = teardown);

/* Create with `options` and, if irq >= 0, one IRQ. */
static int create(vmrun_cfg *options, int irq)
{
  dc = fh_device_config("ns16550a", options);
  if (irq >= 0) {
    dc.n_irqs = 1;
    dc.irqs[0] = (uint32_t)irq;
  }
  return ops->create(&fh->host, fh, &dc, &inst);
}

static void create_ok(int irq)
{
  cr_assert_eq(create(NULL, irq), 0);
  cr_assert_not_null(inst);
}

static uint8_t rd(uint64_t a) { return (uint8_t)fh_read(fh, a, 1); }
static void wr(uint64_t a, uint8_t v) { fh_write(fh, a, 1, v); }

/* ---- descriptor and creation ---- */

Test(ns16550a, descriptor)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  cr_assert_eq(d->struct_size, sizeof(vmrun_plugin_desc));
  cr_assert_eq(d->abi_major, VMRUN_ABI_MAJOR);
  cr_assert_eq(d->abi_minor, VMRUN_ABI_MINOR);
  cr_assert_eq(d->abi_fingerprint, VMRUN_ABI_FINGERPRINT);
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  cr_assert_str_eq(d->name, "ns16550a");
  cr_assert_str_eq(d->version, "0.1.0");
  cr_assert_eq(ops->struct_size, sizeof(vmrun_device_ops));
  cr_assert_not_null(ops->create);
  cr_assert_not_null(ops->destroy);
  cr_assert_not_null(ops->fdt_populate);
  cr_assert_not_null(ops->reset);
}

Test(ns16550a, create_defaults)
{
  create_ok(-1);
  cr_assert_eq(fh->n_regions, 1);
  cr_assert_eq(fh->regions[0].base, 0x10000000u);
  cr_assert_eq(fh->regions[0].size, 0x100u);
  cr_assert_str_eq(fh->regions[0].name, "ns16550a");
  cr_assert_eq(fh->cd_opens, 1);
  cr_assert_str_eq(fh->cd_spec, "stdio");
  cr_assert_not_null(fh->read, "input handler installed");
  cr_assert_not_null(fh->can_read);
  cr_assert_eq(fh->irq_lines_given, 0, "no irq line without irq:");
}

Test(ns16550a, create_with_base_size_and_options)
{
  dc = fh_device_config("ns16550a", fh_options(fh, "chardev", "file:/tmp/x",
                                               "console", "false", NULL));
  dc.base = 0x10001000;
  dc.size = 0x1000;
  dc.name = "uart1";
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_eq(fh->regions[0].base, 0x10001000u);
  cr_assert_eq(fh->regions[0].size, 0x1000u);
  cr_assert_str_eq(fh->regions[0].name, "uart1");
  cr_assert_str_eq(fh->cd_spec, "file:/tmp/x");
  cr_assert_eq(fh->cfg_errors, 0);
}

Test(ns16550a, create_null_chardev)
{
  cr_assert_eq(create(fh_options(fh, "chardev", "null", NULL), -1), 0);
  cr_assert_str_eq(fh->cd_spec, "null");
}

Test(ns16550a, create_rejects_unknown_option)
{
  cr_assert_eq(create(fh_options(fh, "baud", "9600", NULL), -1),
               -VMRUN_EINVAL);
  cr_assert_null(inst);
  cr_assert_eq(fh->cfg_errors, 1);
  cr_assert(strstr(fh->last_cfg_error, "baud") != NULL);
  cr_assert_eq(fh->n_regions, 0);
  cr_assert_eq(fh->cd_opens, 0);
}

Test(ns16550a, create_rejects_bad_console)
{
  cr_assert_eq(create(fh_options(fh, "console", "maybe", NULL), -1),
               -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 1);
  cr_assert_eq(fh->n_regions, 0);
}

Test(ns16550a, create_rejects_bad_chardev)
{
  cr_assert_eq(create(fh_options(fh, "chardev", "tcp:1234", NULL), -1),
               -VMRUN_EINVAL);
  cr_assert_null(inst);
  cr_assert_eq(fh->cfg_errors, 1, "the error names the option's position");
  cr_assert(strstr(fh->last_cfg_error, "chardev") != NULL);
}

Test(ns16550a, create_rejects_two_irqs_and_tiny_region)
{
  dc = fh_device_config("ns16550a", NULL);
  dc.n_irqs = 2;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  dc = fh_device_config("ns16550a", NULL);
  dc.size = 4;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  cr_assert_null(inst);
  cr_assert_eq(fh->n_regions, 0);
}

Test(ns16550a, create_overlap_fails)
{
  vmrun_device_config dc2;
  void *inst2 = NULL;
  create_ok(-1);
  dc2 = fh_device_config("ns16550a", NULL);
  dc2.base = B + 0x80;
  cr_assert_eq(ops->create(&fh->host, fh, &dc2, &inst2), -VMRUN_EEXIST);
  cr_assert_null(inst2);
  cr_assert_eq(fh->cd_opens, 1, "a failed create does not take a chardev");
  cr_assert_eq(fh->read_opaque, inst, "input still goes to the first");
}

/* ---- registers ---- */

Test(ns16550a, reset_values)
{
  create_ok(-1);
  cr_assert_eq(rd(LSR), 0x60, "THRE|TEMT, no data");
  cr_assert_eq(rd(IIR), 0x01, "no interrupt, FIFOs off");
  cr_assert_eq(rd(IER), 0);
  cr_assert_eq(rd(LCR), 0);
  cr_assert_eq(rd(MCR), 0);
  cr_assert_eq(rd(MSR), 0xb0, "DCD|DSR|CTS");
  cr_assert_eq(rd(SCR), 0);
  cr_assert_eq(rd(RBR), 0, "empty RBR reads 0");
}

Test(ns16550a, thr_goes_to_chardev)
{
  create_ok(-1);
  wr(THR, 'H');
  wr(THR, 'i');
  fh_write(fh, THR, 4, 0x0a); /* any width writes the register */
  cr_assert_eq(fh->out_len, 3);
  cr_assert_arr_eq(fh->out, "Hi\n", 3);
  cr_assert_eq(rd(LSR) & 0x60, 0x60, "THRE and TEMT stay set");
}

Test(ns16550a, dlab_switches_divisor_latch)
{
  create_ok(-1);
  wr(IER, 0x05);
  wr(LCR, 0x83);
  cr_assert_eq(rd(LCR), 0x83);
  wr(DLL, 0x34);
  wr(DLM, 0x12);
  cr_assert_eq(rd(DLL), 0x34);
  cr_assert_eq(rd(DLM), 0x12);
  cr_assert_eq(fh->out_len, 0, "DLL write is not a THR write");
  wr(LCR, 0x03);
  cr_assert_eq(rd(IER), 0x05, "IER untouched by DLM writes");
  cr_assert_eq(rd(RBR), 0, "RBR is not DLL");
  wr(THR, 'x');
  cr_assert_eq(fh->out_len, 1);
  wr(LCR, 0x80);
  cr_assert_eq(rd(DLL), 0x34, "divisor kept");
  cr_assert_eq(rd(DLM), 0x12);
}

Test(ns16550a, ier_masks_to_four_bits_and_scr)
{
  create_ok(-1);
  wr(IER, 0xf0);
  cr_assert_eq(rd(IER), 0);
  wr(SCR, 0xa5);
  cr_assert_eq(rd(SCR), 0xa5);
  wr(MCR, 0xff);
  cr_assert_eq(rd(MCR), 0x1f);
  wr(LSR, 0x00); /* read-only */
  cr_assert_eq(rd(LSR), 0x60);
}

Test(ns16550a, rx_without_fifo_holds_one_byte)
{
  create_ok(-1);
  cr_assert_eq(fh->can_read(fh->read_opaque), 1);
  cr_assert_eq(fh_input(fh, "abc", 3), 1);
  cr_assert_eq(fh->can_read(fh->read_opaque), 0);
  cr_assert_eq(rd(LSR), 0x61);
  cr_assert_eq(rd(RBR), 'a');
  cr_assert_eq(rd(LSR), 0x60);
}

Test(ns16550a, rx_fifo_16_bytes_in_order)
{
  const char *msg = "0123456789abcdefXYZ";
  int i;
  create_ok(-1);
  wr(FCR, 0x01);
  cr_assert_eq(fh->can_read(fh->read_opaque), 16);
  cr_assert_eq(fh_input(fh, msg, 5), 5);
  cr_assert_eq(fh->can_read(fh->read_opaque), 11);
  cr_assert_eq(fh_input(fh, msg + 5, 14), 11, "FIFO holds 16");
  cr_assert_eq(fh->can_read(fh->read_opaque), 0);
  for (i = 0; i < 16; i++) {
    cr_assert_eq(rd(LSR) & 1, 1, "DR while data (byte %d)", i);
    cr_assert_eq(rd(RBR), (uint8_t)msg[i]);
  }
  cr_assert_eq(rd(LSR) & 1, 0, "DR clear when empty");
  cr_assert_eq(rd(RBR), 0);
  cr_assert_eq(rd(LSR) & 0x02, 0, "no overrun through can_read");
}

Test(ns16550a, rx_fifo_wraps_around)
{
  int i, round;
  create_ok(-1);
  wr(FCR, 0x01);
  for (round = 0; round < 3; round++) {
    char buf[10];
    for (i = 0; i < 10; i++)
      buf[i] = (char)(round * 10 + i);
    cr_assert_eq(fh_input(fh, buf, 10), 10);
    for (i = 0; i < 10; i++)
      cr_assert_eq(rd(RBR), (uint8_t)buf[i]);
  }
}

Test(ns16550a, fcr_clear_and_toggle_flush)
{
  create_ok(-1);
  wr(FCR, 0x01);
  fh_input(fh, "abcd", 4);
  wr(FCR, 0x03); /* clear RX, FIFO stays on */
  cr_assert_eq(rd(LSR) & 1, 0);
  cr_assert_eq(fh->can_read(fh->read_opaque), 16);
  fh_input(fh, "ab", 2);
  wr(FCR, 0x00); /* FE 1 -> 0 flushes */
  cr_assert_eq(rd(LSR) & 1, 0);
  cr_assert_eq(rd(IIR) & 0xc0, 0);
}

Test(ns16550a, overrun_sets_oe_and_rls_interrupt)
{
  static const uint8_t two[2] = { 'p', 'q' };
  create_ok(IRQ);
  wr(IER, 0x05); /* ERBFI | ELSI */
  fh->read(fh->read_opaque, two, 2); /* back-end ignoring can_read */
  cr_assert_eq(fh->irq_level[IRQ], 1);
  cr_assert_eq(rd(IIR), 0x06, "RLS has top priority");
  cr_assert_eq(rd(LSR), 0x63, "DR|OE|THRE|TEMT");
  cr_assert_eq(rd(LSR), 0x61, "OE cleared by the LSR read");
  cr_assert_eq(rd(IIR), 0x04, "then RX data");
  cr_assert_eq(rd(RBR), 'p', "first byte kept, second lost");
  cr_assert_eq(fh->irq_level[IRQ], 0);
}

/* ---- interrupts ---- */

Test(ns16550a, rx_interrupt_follows_data)
{
  create_ok(IRQ);
  cr_assert_eq(fh->irq_lines_given, 1);
  fh_input(fh, "x", 1);
  cr_assert_eq(fh->irq_level[IRQ], 0, "ERBFI off");
  cr_assert_eq(rd(IIR), 0x01);
  wr(IER, 0x01);
  cr_assert_eq(fh->irq_level[IRQ], 1, "enabling ERBFI with data raises");
  cr_assert_eq(rd(IIR), 0x04);
  cr_assert_eq(rd(IIR), 0x04, "IIR read does not clear RDI");
  cr_assert_eq(rd(RBR), 'x');
  cr_assert_eq(fh->irq_level[IRQ], 0);
  cr_assert_eq(rd(IIR), 0x01);
  fh_input(fh, "y", 1);
  cr_assert_eq(fh->irq_level[IRQ], 1);
  wr(IER, 0x00);
  cr_assert_eq(fh->irq_level[IRQ], 0, "masking lowers the line");
  cr_assert_eq(fh->irq_bad, 0);
}

Test(ns16550a, thre_interrupt_lifecycle)
{
  create_ok(IRQ);
  wr(IER, 0x02);
  cr_assert_eq(fh->irq_level[IRQ], 1, "ETBEI with THR empty raises");
  cr_assert_eq(rd(IIR), 0x02);
  cr_assert_eq(fh->irq_level[IRQ], 0, "IIR read reporting THRI clears it");
  cr_assert_eq(rd(IIR), 0x01);
  wr(THR, 'a');
  cr_assert_eq(fh->irq_level[IRQ], 1, "raised again after a THR write");
  cr_assert_eq(rd(IIR), 0x02);
  cr_assert_eq(fh->irq_level[IRQ], 0);
  wr(IER, 0x02); /* unchanged: no new interrupt */
  cr_assert_eq(fh->irq_level[IRQ], 0);
  wr(IER, 0x00);
  wr(IER, 0x02);
  cr_assert_eq(fh->irq_level[IRQ], 1, "re-enabling ETBEI raises again");
  wr(IER, 0x00);
  cr_assert_eq(fh->irq_level[IRQ], 0);
}

Test(ns16550a, thr_write_without_etbei_keeps_line_low)
{
  create_ok(IRQ);
  wr(THR, 'a');
  cr_assert_eq(fh->irq_level[IRQ], 0);
  cr_assert_eq(fh->irq_calls[IRQ], 0, "no spurious set() calls");
  wr(IER, 0x02);
  cr_assert_eq(fh->irq_level[IRQ], 1);
}

Test(ns16550a, iir_priorities_and_fifo_bits)
{
  create_ok(IRQ);
  wr(FCR, 0x01);
  cr_assert_eq(rd(IIR), 0xc1, "FIFO bits with no interrupt");
  fh_input(fh, "ab", 2);
  wr(IER, 0x03);
  cr_assert_eq(rd(IIR), 0xc4, "RX data beats THR empty");
  cr_assert_eq(rd(IIR), 0xc4, "THRI not consumed by an IIR read of RDI");
  rd(RBR);
  cr_assert_eq(rd(IIR), 0xc4);
  rd(RBR);
  cr_assert_eq(fh->irq_level[IRQ], 1, "THRI still pending");
  cr_assert_eq(rd(IIR), 0xc2);
  cr_assert_eq(rd(IIR), 0xc1);
  cr_assert_eq(fh->irq_level[IRQ], 0);
}

Test(ns16550a, loopback_and_modem_status)
{
  create_ok(IRQ);
  wr(MCR, 0x10 | 0x0a); /* LOOP | OUT2 | RTS: Linux's 8250 loopback test */
  cr_assert_eq(rd(MSR) & 0xf0, 0x90, "DCD|CTS");
  wr(MCR, 0x10 | 0x0f);
  cr_assert_eq(rd(MSR) & 0xf0, 0xf0);
  wr(MCR, 0x10);
  cr_assert_eq(rd(MSR), 0x04 | 0x08 | 0x01 | 0x02, "deltas incl. TERI");
  cr_assert_eq(rd(MSR), 0x00, "deltas cleared by the read");
  cr_assert_eq(fh->can_read(fh->read_opaque), 0, "line input off");
  wr(THR, 'L');
  cr_assert_eq(fh->out_len, 0, "looped back, not sent");
  cr_assert_eq(rd(LSR) & 1, 1);
  cr_assert_eq(rd(RBR), 'L');
  /* modem status interrupt */
  wr(IER, 0x08);
  cr_assert_eq(fh->irq_level[IRQ], 0);
  wr(MCR, 0x10 | 0x02);
  cr_assert_eq(fh->irq_level[IRQ], 1);
  cr_assert_eq(rd(IIR), 0x00, "modem status source");
  cr_assert_eq(rd(MSR), 0x11, "CTS | DCTS");
  cr_assert_eq(fh->irq_level[IRQ], 0);
  cr_assert_eq(rd(IIR), 0x01);
  wr(MCR, 0x00);
  cr_assert_eq(rd(MSR) & 0xf0, 0xb0, "idle lines outside loopback");
  wr(THR, 'o');
  cr_assert_eq(fh->out_len, 1);
}

Test(ns16550a, any_offset_size_value_is_safe)
{
  static const unsigned sizes[] = { 1, 2, 4, 8 };
  uint64_t off;
  unsigned s;
  create_ok(IRQ);
  wr(SCR, 0x5a);
  for (off = 8; off < 0x100; off++)
    for (s = 0; s < 4; s++) {
      cr_assert_eq(fh_read(fh, B + off, sizes[s]), 0, "offset 0x%llx",
                   (unsigned long long)off);
      fh_write(fh, B + off, sizes[s], ~0ull);
    }
  cr_assert_eq(rd(SCR), 0x5a, "writes past the registers ignored");
  cr_assert_eq(rd(LCR), 0);
  /* hammer the real registers with everything too */
  for (off = 0; off < 8; off++)
    for (s = 0; s < 4; s++) {
      fh_write(fh, B + off, sizes[s], 0xdeadbeefcafef00dull >> off);
      (void)fh_read(fh, B + off, sizes[s]);
    }
  cr_assert_eq(fh->unmapped_accesses, 0);
  cr_assert_eq(fh->irq_bad, 0);
}

Test(ns16550a, reset_op_restores_power_on_state)
{
  create_ok(IRQ);
  wr(FCR, 0x01);
  wr(IER, 0x03);
  wr(SCR, 0x11);
  wr(MCR, 0x1f);
  wr(LCR, 0x80);
  wr(DLL, 0x01);
  wr(LCR, 0x03);
  fh->read(fh->read_opaque, (const uint8_t *)"zz", 2);
  cr_assert_eq(fh->irq_level[IRQ], 1);
  ops->reset(inst);
  cr_assert_eq(fh->irq_level[IRQ], 0, "line lowered");
  cr_assert_eq(rd(IER), 0);
  cr_assert_eq(rd(LCR), 0);
  cr_assert_eq(rd(MCR), 0);
  cr_assert_eq(rd(SCR), 0);
  cr_assert_eq(rd(LSR), 0x60);
  cr_assert_eq(rd(IIR), 0x01);
  wr(LCR, 0x80);
  cr_assert_eq(rd(DLL), 0x0c);
}

Test(ns16550a, destroy_detaches_input)
{
  create_ok(-1);
  ops->destroy(inst);
  inst = NULL;
  cr_assert_null(fh->read);
  cr_assert_null(fh->can_read);
}

/* ---- device tree ---- */

Test(ns16550a, fdt_node_with_irq_and_console)
{
  uint32_t c[8];
  const char *s;
  char *dts, *warn;
  int len;
  void *fdt = fh_fdt_new(fh, 16384);
  create_ok(IRQ);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  s = fh_prop(fdt, "/soc/serial@10000000", "compatible", &len);
  cr_assert_not_null(s);
  cr_assert_eq(len, (int)sizeof "ns16550a");
  cr_assert_str_eq(s, "ns16550a");
  cr_assert_eq(fh_prop_cells(fdt, "/soc/serial@10000000", "reg", c, 8), 4);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(c[1], 0x10000000);
  cr_assert_eq(c[2], 0);
  cr_assert_eq(c[3], 0x100);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/serial@10000000", "clock-frequency",
                             c, 8), 1);
  cr_assert_eq(c[0], 3686400);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/serial@10000000", "interrupts",
                             c, 8), 1);
  cr_assert_eq(c[0], IRQ);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/serial@10000000", "interrupt-parent",
                             c, 8), 1);
  cr_assert_eq(c[0], fh_phandle(fh, "irqc"));
  s = fh_prop(fdt, "/chosen", "stdout-path", &len);
  cr_assert_not_null(s, "/chosen created with stdout-path");
  cr_assert_str_eq(s, "/soc/serial@10000000");
  len = fh_dtc(fdt, &dts, &warn);
  if (len >= 0) {
    cr_assert_eq(len, 0, "dtc rejects the blob");
    cr_assert_str_empty(warn, "dtc warnings: %s", warn);
    free(warn);
    cr_assert(strstr(dts, "serial@10000000 {") != NULL);
    cr_assert(strstr(dts, "stdout-path = \"/soc/serial@10000000\"") != NULL);
    free(dts);
  }
  free(fdt);
}

Test(ns16550a, fdt_without_irq_or_console)
{
  uint32_t c[4];
  int len;
  void *fdt = fh_fdt_new(fh, 16384);
  dc = fh_device_config("ns16550a", fh_options(fh, "console", "off", NULL));
  dc.base = 0x10002000;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/serial@10002000", "reg", c, 4), 4);
  cr_assert_eq(c[1], 0x10002000);
  cr_assert_null(fh_prop(fdt, "/soc/serial@10002000", "interrupts", &len));
  cr_assert_null(fh_prop(fdt, "/soc/serial@10002000", "interrupt-parent",
                         &len));
  cr_assert_lt(fdt_path_offset(fdt, "/chosen"), 0, "no /chosen made");
  cr_assert_eq(fh_dtc(fdt, NULL, NULL) > 0, 0);
  free(fdt);
}

Test(ns16550a, fdt_keeps_existing_chosen)
{
  const char *s;
  int len, chosen;
  void *fdt = fh_fdt_new(fh, 16384);
  chosen = fdt_add_subnode(fdt, 0, "chosen");
  cr_assert_geq(chosen, 0);
  cr_assert_eq(fdt_setprop_string(fdt, chosen, "bootargs", "quiet"), 0);
  create_ok(-1);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  s = fh_prop(fdt, "/chosen", "bootargs", &len);
  cr_assert_not_null(s);
  cr_assert_str_eq(s, "quiet");
  s = fh_prop(fdt, "/chosen", "stdout-path", &len);
  cr_assert_not_null(s);
  cr_assert_str_eq(s, "/soc/serial@10000000");
  free(fdt);
}

Test(ns16550a, fdt_out_of_space)
{
  void *fdt = fh_fdt_new(fh, 16384), *small;
  int size;
  cr_assert_eq(fdt_pack(fdt), 0);
  size = (int)fdt_totalsize(fdt) + 40;
  small = malloc((size_t)size);
  cr_assert_eq(fdt_open_into(fdt, small, size), 0);
  create_ok(IRQ);
  cr_assert_eq(ops->fdt_populate(inst, small, fh_fdt_soc(small)),
               -VMRUN_ENOSPC);
  free(small);
  free(fdt);
}
