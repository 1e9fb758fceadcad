/*
** tests/devices/test_plic.c - the plic device plugin against the fake host.
** Link with plugins/plic/plic.c and fake_host.c.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libfdt.h>

#include "fake_host.h"

extern const vmrun_plugin_desc vmrun_plugin_descriptor;

#define B            0xc000000ull
#define PRIO(s)      (B + 4ull * (s))
#define PENDING(w)   (B + 0x1000ull + 4ull * (w))
#define ENABLE(c, w) (B + 0x2000ull + 0x80ull * (c) + 4ull * (w))
#define THRESH(c)    (B + 0x200000ull + 0x1000ull * (c))
#define CLAIM(c)     (THRESH(c) + 4)
#define L_MEIP 11
#define L_SEIP 9

static fake_host *fh;
static const vmrun_device_ops *ops;
static vmrun_device_config dc;
static void *inst;

static void setup(void)
{
  fh = fh_new(2);
  ops = vmrun_plugin_descriptor.ops;
  inst = NULL;
}

static void teardown(void)
{
  if (inst)
    ops->destroy(inst);
  fh_free(fh);
}

TestSuite(plic, .init = setup, .fini = teardown);

/* A device config whose entry node is real, so cfg_error counts. */
static vmrun_device_config config(vmrun_cfg *options)
{
  vmrun_device_config c = fh_device_config("plic", options);
  if (!c.node)
    c.node = fh_options(fh, NULL);
  return c;
}

static int create(vmrun_cfg *options)
{
  dc = config(options);
  return ops->create(&fh->host, fh, &dc, &inst);
}

static void create_ok(void)
{
  cr_assert_eq(create(NULL), 0);
  cr_assert_not_null(inst);
}

static uint32_t rd(uint64_t a) { return (uint32_t)fh_read(fh, a, 4); }
static void wr(uint64_t a, uint32_t v) { fh_write(fh, a, 4, v); }
static void line(uint32_t n, int level) { fh_irq_set_line(fh, n, level); }

/* Output of context c: M (even) -> hart c/2 line 11, S (odd) -> line 9. */
static int out(uint32_t c)
{
  return fh_cpu_irq(fh, c / 2, (c & 1) ? L_SEIP : L_MEIP);
}

static void enable(uint32_t c, uint32_t src)
{
  uint64_t a = ENABLE(c, src / 32);
  wr(a, rd(a) | (1u << (src % 32)));
}

static void disable(uint32_t c, uint32_t src)
{
  uint64_t a = ENABLE(c, src / 32);
  wr(a, rd(a) & ~(1u << (src % 32)));
}

static int pending(uint32_t src)
{
  return (int)((rd(PENDING(src / 32)) >> (src % 32)) & 1);
}

/* ---- descriptor and creation ---- */

Test(plic, descriptor)
{
  const vmrun_plugin_desc *d = &vmrun_plugin_descriptor;
  cr_assert_eq(d->struct_size, sizeof(vmrun_plugin_desc));
  cr_assert_eq(d->abi_major, VMRUN_ABI_MAJOR);
  cr_assert_eq(d->abi_minor, VMRUN_ABI_MINOR);
  cr_assert_eq(d->abi_fingerprint, VMRUN_ABI_FINGERPRINT);
  cr_assert_eq(d->kind, VMRUN_PLUGIN_DEVICE);
  cr_assert_str_eq(d->name, "plic");
  cr_assert_eq(ops->struct_size, sizeof(vmrun_device_ops));
  cr_assert_not_null(ops->create);
  cr_assert_not_null(ops->destroy);
  cr_assert_not_null(ops->fdt_populate);
  cr_assert_not_null(ops->reset);
}

Test(plic, create_defaults)
{
  create_ok();
  cr_assert_eq(fh->n_regions, 1);
  cr_assert_eq(fh->regions[0].base, 0xc000000u);
  cr_assert_eq(fh->regions[0].size, 0x600000u);
  cr_assert_eq(fh->irqc_registered, 1);
  cr_assert_not_null(fh->irqc_set);
  cr_assert_eq(fh->irqc_opaque, inst);
  cr_assert_eq(fh->cpu_irq[0] | fh->cpu_irq[1], 0);
  cr_assert_eq(fh_timers_armed(fh), 0);
}

Test(plic, create_custom_base_and_minimal_size)
{
  dc = config(NULL);
  dc.base = 0x40000000;
  dc.size = 0x200000 + 4 * 0x1000; /* exactly 2 harts x 2 contexts */
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), 0);
  cr_assert_eq(fh->regions[0].base, 0x40000000u);
  cr_assert_eq(fh->regions[0].size, 0x204000u);
  fh_write(fh, 0x40000000 + 4, 4, 6);
  cr_assert_eq(fh_read(fh, 0x40000000 + 4, 4), 6);
  fh_write(fh, 0x40000000 + 0x200000 + 3 * 0x1000, 4, 5);
  cr_assert_eq(fh_read(fh, 0x40000000 + 0x200000 + 3 * 0x1000, 4), 5,
               "last context's threshold");
}

Test(plic, create_rejects_bad_config)
{
  cr_assert_eq(create(fh_options(fh, "harts", "2", NULL)), -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 1);
  cr_assert_eq(create(fh_options(fh, "ndev", "0", NULL)), -VMRUN_EINVAL);
  cr_assert_eq(fh->cfg_errors, 2);
  cr_assert_eq(create(fh_options(fh, "ndev", "1024", NULL)), -VMRUN_EINVAL);
  cr_assert_eq(create(fh_options(fh, "ndev", "many", NULL)), -VMRUN_EINVAL);
  dc = config(NULL);
  dc.n_irqs = 1;
  dc.irqs[0] = 3;
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  dc = config(NULL);
  dc.size = 0x200000 + 4 * 0x1000 - 4; /* hart 1's S context cut off */
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EINVAL);
  fh->ncpus = 0;
  cr_assert_eq(create(NULL), -VMRUN_EINVAL);
  cr_assert_null(inst);
  cr_assert_eq(fh->n_regions, 0);
  cr_assert_eq(fh->irqc_registered, 0, "nothing registered on failure");
  cr_assert_eq(fh->cfg_errors, 7);
}

Test(plic, create_accepts_max_ndev)
{
  create(fh_options(fh, "ndev", "1023", NULL));
  cr_assert_not_null(inst);
  wr(PRIO(1023), 1);
  cr_assert_eq(rd(PRIO(1023)), 1);
  wr(ENABLE(1, 31), 0xffffffffu);
  cr_assert_eq(rd(ENABLE(1, 31)), 0xffffffffu, "source 1023 exists");
  /* line 1023 is beyond the fake's recorded lines: call the controller */
  fh->irqc_set(fh->irqc_opaque, 1023, 1);
  cr_assert_eq(pending(1023), 1);
  cr_assert_eq(out(1), 1);
  cr_assert_eq(rd(CLAIM(1)), 1023);
  cr_assert_eq(out(1), 0);
}

Test(plic, registration_conflict)
{
  fh->irqc_registered = 1; /* another controller came first */
  cr_assert_eq(create(NULL), -VMRUN_EEXIST);
  cr_assert_null(inst);
  cr_assert_eq(fh->cfg_errors, 1, "reported on the device entry");
  cr_assert_null(fh->irqc_set);
}

Test(plic, second_plic_conflicts)
{
  void *first;
  create_ok();
  first = inst;
  inst = NULL;
  dc = config(NULL);
  dc.base = 0x20000000; /* no MMIO overlap: only the controller clashes */
  cr_assert_eq(ops->create(&fh->host, fh, &dc, &inst), -VMRUN_EEXIST);
  cr_assert_null(inst);
  cr_assert_eq(fh->cfg_errors, 1);
  cr_assert_eq(fh->irqc_opaque, first, "the first one keeps the lines");
  inst = first;
}

/* ---- registers ---- */

Test(plic, priority_warl_three_bits)
{
  create_ok();
  cr_assert_eq(rd(PRIO(1)), 0, "reset priority 0");
  wr(PRIO(1), 5);
  cr_assert_eq(rd(PRIO(1)), 5);
  wr(PRIO(2), 0xffffffffu);
  cr_assert_eq(rd(PRIO(2)), 7, "only 3 bits implemented");
  wr(PRIO(3), 8);
  cr_assert_eq(rd(PRIO(3)), 0);
  wr(PRIO(4), 0x1d);
  cr_assert_eq(rd(PRIO(4)), 5);
  wr(PRIO(95), 7);
  cr_assert_eq(rd(PRIO(95)), 7, "last source");
  wr(PRIO(0), 7);
  cr_assert_eq(rd(PRIO(0)), 0, "source 0 does not exist");
  wr(PRIO(96), 7);
  cr_assert_eq(rd(PRIO(96)), 0, "beyond ndev");
  cr_assert_eq(rd(PRIO(1)), 5, "others untouched");
}

Test(plic, enable_bits_per_context)
{
  create(fh_options(fh, "ndev", "40", NULL));
  cr_assert_not_null(inst);
  wr(ENABLE(0, 0), 0xffffffffu);
  cr_assert_eq(rd(ENABLE(0, 0)), 0xfffffffeu, "source 0 hardwired 0");
  wr(ENABLE(0, 1), 0xffffffffu);
  cr_assert_eq(rd(ENABLE(0, 1)), 0x1ffu, "sources 32..40 only");
  wr(ENABLE(0, 2), 0xffffffffu);
  cr_assert_eq(rd(ENABLE(0, 2)), 0);
  cr_assert_eq(rd(ENABLE(1, 0)), 0, "contexts are independent");
  wr(ENABLE(3, 0), 0x00f0u);
  cr_assert_eq(rd(ENABLE(3, 0)), 0x00f0u);
  cr_assert_eq(rd(ENABLE(2, 0)), 0);
  cr_assert_eq(rd(ENABLE(0, 0)), 0xfffffffeu);
  wr(ENABLE(4, 0), 0xffffffffu);
  cr_assert_eq(rd(ENABLE(4, 0)), 0, "no context 4 with 2 harts");
  wr(ENABLE(0, 0), 0x4);
  cr_assert_eq(rd(ENABLE(0, 0)), 0x4, "a write replaces the word");
}

Test(plic, threshold_per_context_warl)
{
  create_ok();
  wr(THRESH(0), 3);
  wr(THRESH(1), 0xffu);
  wr(THRESH(3), 6);
  cr_assert_eq(rd(THRESH(0)), 3);
  cr_assert_eq(rd(THRESH(1)), 7, "3 bits");
  cr_assert_eq(rd(THRESH(2)), 0);
  cr_assert_eq(rd(THRESH(3)), 6);
  wr(THRESH(4), 2);
  cr_assert_eq(rd(THRESH(4)), 0, "no context 4");
}

Test(plic, pending_follows_line_and_is_read_only)
{
  create_ok();
  line(5, 1);
  line(33, 1);
  cr_assert_eq(rd(PENDING(0)), 1u << 5);
  cr_assert_eq(rd(PENDING(1)), 1u << 1);
  cr_assert_eq(out(0) | out(1) | out(2) | out(3), 0,
               "pending alone (disabled, priority 0) raises nothing");
  wr(PENDING(0), 0);
  cr_assert_eq(rd(PENDING(0)), 1u << 5, "read-only");
  wr(PENDING(0), 0xffffffffu);
  cr_assert_eq(rd(PENDING(0)), 1u << 5, "read-only");
  line(5, 0);
  cr_assert_eq(pending(5), 1, "only a claim clears a pending bit");
  line(0, 1);
  line(96, 1);
  cr_assert_eq(rd(PENDING(0)), 1u << 5, "line 0 is not a source");
  cr_assert_eq(rd(PENDING(3)), 0, "beyond ndev");
}

/* ---- claim / complete ---- */

Test(plic, claim_order_by_priority_then_id)
{
  create_ok();
  wr(PRIO(3), 2);
  wr(PRIO(7), 5);
  wr(PRIO(9), 5);
  wr(PRIO(10), 1);
  wr(PRIO(40), 6);
  wr(ENABLE(0, 0), (1u << 3) | (1u << 7) | (1u << 9) | (1u << 10));
  wr(ENABLE(0, 1), 1u << 8); /* source 40 */
  line(10, 1);
  line(9, 1);
  line(3, 1);
  line(7, 1);
  line(40, 1);
  cr_assert_eq(out(0), 1);
  cr_assert_eq(rd(CLAIM(0)), 40, "highest priority, in a later word");
  cr_assert_eq(rd(CLAIM(0)), 7, "equal priority: lowest ID");
  cr_assert_eq(rd(CLAIM(0)), 9);
  cr_assert_eq(rd(CLAIM(0)), 3);
  cr_assert_eq(out(0), 1, "source 10 still pending");
  cr_assert_eq(rd(CLAIM(0)), 10);
  cr_assert_eq(out(0), 0);
  cr_assert_eq(rd(CLAIM(0)), 0, "nothing left");
}

Test(plic, claim_clears_pending_and_no_repend_in_service)
{
  create_ok();
  wr(PRIO(4), 1);
  enable(0, 4);
  line(4, 1);
  cr_assert_eq(pending(4), 1);
  cr_assert_eq(out(0), 1);
  cr_assert_eq(rd(CLAIM(0)), 4);
  cr_assert_eq(pending(4), 0, "claim clears pending");
  cr_assert_eq(out(0), 0);
  line(4, 0);
  line(4, 1);
  line(4, 1);
  cr_assert_eq(pending(4), 0, "in service: the gateway holds requests");
  cr_assert_eq(out(0), 0);
  cr_assert_eq(rd(CLAIM(0)), 0, "not claimable twice");
}

Test(plic, complete_repends_when_line_still_high)
{
  create_ok();
  wr(PRIO(6), 3);
  enable(1, 6);
  line(6, 1);
  cr_assert_eq(rd(CLAIM(1)), 6);
  cr_assert_eq(out(1), 0);
  wr(CLAIM(1), 6); /* complete; the device has not lowered its line */
  cr_assert_eq(pending(6), 1);
  cr_assert_eq(out(1), 1);
  cr_assert_eq(rd(CLAIM(1)), 6);
  line(6, 0);
  wr(CLAIM(1), 6);
  cr_assert_eq(pending(6), 0, "line low at completion: no new request");
  cr_assert_eq(out(1), 0);
  line(6, 1);
  cr_assert_eq(pending(6), 1, "a new request after completion");
  cr_assert_eq(out(1), 1);
}

Test(plic, complete_ignored_unless_enabled_for_context)
{
  create_ok();
  wr(PRIO(2), 1);
  enable(0, 2);
  line(2, 1);
  cr_assert_eq(rd(CLAIM(0)), 2);
  wr(CLAIM(1), 2); /* context 1 does not enable source 2 */
  cr_assert_eq(pending(2), 0, "still in service");
  wr(CLAIM(0), 0);
  wr(CLAIM(0), 96);
  wr(CLAIM(0), 0xffffffffu);
  cr_assert_eq(pending(2), 0, "bogus IDs change nothing");
  disable(0, 2);
  wr(CLAIM(0), 2);
  cr_assert_eq(pending(2), 0, "disabled since the claim: ignored");
  enable(0, 2);
  wr(CLAIM(0), 2);
  cr_assert_eq(pending(2), 1, "completed");
  cr_assert_eq(out(0), 1);
}

Test(plic, claim_with_nothing_pending_returns_zero)
{
  unsigned calls;
  create_ok();
  wr(PRIO(1), 7);
  enable(0, 1);
  calls = fh->cpu_irq_calls[0];
  cr_assert_eq(rd(CLAIM(0)), 0);
  cr_assert_eq(rd(CLAIM(3)), 0);
  cr_assert_eq(fh->cpu_irq_calls[0], calls);
  line(1, 1);
  cr_assert_eq(rd(CLAIM(2)), 0, "pending but not enabled there");
  cr_assert_eq(pending(1), 1, "an empty claim clears nothing");
  cr_assert_eq(rd(CLAIM(0)), 1);
}

Test(plic, threshold_masks)
{
  create_ok();
  wr(PRIO(8), 3);
  enable(0, 8);
  wr(THRESH(0), 3);
  line(8, 1);
  cr_assert_eq(out(0), 0, "priority must exceed the threshold");
  cr_assert_eq(rd(CLAIM(0)), 0, "nor can it be claimed");
  cr_assert_eq(pending(8), 1);
  wr(THRESH(0), 2);
  cr_assert_eq(out(0), 1, "lowering the threshold raises the output");
  wr(THRESH(0), 7);
  cr_assert_eq(out(0), 0, "raising it lowers the output");
  wr(PRIO(9), 7);
  enable(0, 9);
  line(9, 1);
  cr_assert_eq(out(0), 0, "7 does not exceed 7");
  wr(THRESH(0), 6);
  cr_assert_eq(out(0), 1);
  cr_assert_eq(rd(CLAIM(0)), 9, "source 8 is still masked");
  cr_assert_eq(rd(CLAIM(0)), 0);
  wr(THRESH(0), 0);
  cr_assert_eq(rd(CLAIM(0)), 8);
}

Test(plic, priority_zero_never_interrupts)
{
  create_ok();
  enable(0, 12);
  line(12, 1);
  cr_assert_eq(out(0), 0);
  cr_assert_eq(rd(CLAIM(0)), 0);
  wr(PRIO(12), 1);
  cr_assert_eq(out(0), 1, "a priority write re-evaluates");
  wr(PRIO(12), 0);
  cr_assert_eq(out(0), 0);
}

Test(plic, outputs_drive_meip_seip_of_each_hart)
{
  create_ok();
  wr(PRIO(1), 1);
  wr(PRIO(2), 1);
  wr(PRIO(3), 1);
  wr(PRIO(4), 1);
  enable(0, 1); /* hart 0 M */
  enable(1, 2); /* hart 0 S */
  enable(2, 3); /* hart 1 M */
  enable(3, 4); /* hart 1 S */
  line(4, 1);
  cr_assert_eq(fh->cpu_irq[0], 0);
  cr_assert_eq(fh->cpu_irq[1], 1ull << L_SEIP, "hart 1 SEIP only");
  line(1, 1);
  cr_assert_eq(fh->cpu_irq[0], 1ull << L_MEIP, "hart 0 MEIP only");
  line(3, 1);
  cr_assert_eq(fh->cpu_irq[1], (1ull << L_SEIP) | (1ull << L_MEIP));
  line(2, 1);
  cr_assert_eq(fh->cpu_irq[0], (1ull << L_SEIP) | (1ull << L_MEIP));
  cr_assert_eq(rd(CLAIM(2)), 3);
  cr_assert_eq(fh->cpu_irq[1], 1ull << L_SEIP, "hart 1 MEIP dropped");
  cr_assert_eq(rd(CLAIM(1)), 2);
  cr_assert_eq(fh->cpu_irq[0], 1ull << L_MEIP);
  cr_assert_eq(rd(CLAIM(3)), 4);
  cr_assert_eq(rd(CLAIM(0)), 1);
  cr_assert_eq(fh->cpu_irq[0] | fh->cpu_irq[1], 0);
  cr_assert_eq(fh->cpu_irq_bad, 0);
}

Test(plic, outputs_change_only_on_edges)
{
  create_ok();
  wr(PRIO(5), 2);
  wr(PRIO(6), 2);
  enable(0, 5);
  enable(0, 6);
  cr_assert_eq(fh->cpu_irq_calls[0], 0);
  line(5, 1);
  cr_assert_eq(fh->cpu_irq_calls[0], 1);
  line(6, 1);
  line(5, 1);
  wr(PRIO(7), 3);
  cr_assert_eq(fh->cpu_irq_calls[0], 1, "still high: no more calls");
  cr_assert_eq(rd(CLAIM(0)), 5);
  cr_assert_eq(rd(CLAIM(0)), 6);
  cr_assert_eq(fh->cpu_irq_calls[0], 2, "one falling edge");
  cr_assert_eq(fh->cpu_irq_calls[1], 0, "hart 1 untouched");
}

Test(plic, one_claim_serves_all_contexts)
{
  create_ok();
  wr(PRIO(20), 4);
  enable(1, 20);
  enable(3, 20);
  line(20, 1);
  cr_assert_eq(out(1), 1);
  cr_assert_eq(out(3), 1);
  cr_assert_eq(rd(CLAIM(3)), 20);
  cr_assert_eq(out(1), 0, "claimed by hart 1: hart 0 drops too");
  cr_assert_eq(rd(CLAIM(1)), 0);
  wr(CLAIM(1), 20); /* any context enabling it may complete */
  cr_assert_eq(out(1), 1);
  cr_assert_eq(out(3), 1);
}

Test(plic, enable_write_reevaluates)
{
  create_ok();
  wr(PRIO(33), 1);
  line(33, 1);
  cr_assert_eq(out(2), 0);
  wr(ENABLE(2, 1), 0x2);
  cr_assert_eq(out(2), 1);
  wr(ENABLE(2, 1), 0);
  cr_assert_eq(out(2), 0);
}

/* ---- lines from another thread ---- */

static void *pulse_lines(void *arg)
{
  unsigned i;
  (void)arg;
  for (i = 0; i < 20000; i++) /* set() is thread-safe by contract */
    fh->irqc_set(fh->irqc_opaque, 1 + i % 40, (int)((i / 40) & 1));
  return NULL;
}

Test(plic, lines_set_from_another_thread)
{
  pthread_t th;
  unsigned i, src, served = 0;
  create_ok();
  for (i = 1; i <= 40; i++) {
    wr(PRIO(i), 1 + i % 7);
    enable(0, i);
  }
  cr_assert_eq(pthread_create(&th, NULL, pulse_lines, NULL), 0);
  for (i = 0; i < 20000; i++) {
    src = rd(CLAIM(0));
    if (src) {
      cr_assert_leq(src, 40);
      served++;
      wr(CLAIM(0), src);
    }
  }
  cr_assert_eq(pthread_join(th, NULL), 0);
  for (i = 1; i <= 40; i++)
    fh->irqc_set(fh->irqc_opaque, i, 0);
  while ((src = rd(CLAIM(0))) != 0) /* requests latched before the drop */
    wr(CLAIM(0), src);
  cr_assert_eq(rd(PENDING(0)) | rd(PENDING(1)), 0);
  cr_assert_eq(out(0), 0);
  cr_assert_eq(fh->cpu_irq_bad, 0);
  cr_log_info("served %u claims", served);
}

/* ---- robustness and reset ---- */

Test(plic, narrow_and_wide_accesses_ignored)
{
  create_ok();
  wr(PRIO(1), 3);
  fh_write(fh, PRIO(1), 1, 7);
  fh_write(fh, PRIO(1), 2, 7);
  fh_write(fh, PRIO(1), 8, 7);
  cr_assert_eq(rd(PRIO(1)), 3);
  cr_assert_eq(fh_read(fh, PRIO(1), 1), 0);
  cr_assert_eq(fh_read(fh, PRIO(1), 2), 0);
  cr_assert_eq(fh_read(fh, PRIO(0), 8), 0);
  enable(0, 1);
  line(1, 1);
  cr_assert_eq(fh_read(fh, CLAIM(0), 2), 0);
  cr_assert_eq(fh_read(fh, THRESH(0), 8), 0);
  cr_assert_eq(pending(1), 1, "no claim through odd sizes");
}

Test(plic, unknown_offsets_read_zero)
{
  static const uint64_t holes[] = {
    0x1080,             /* past the pending words */
    0x1ffc,
    0x2000 + 0x80 * 4,  /* enables of context 4 */
    0x1f1ffc,
    0x200008,           /* reserved word of a context */
    0x200ffc,
    0x204000,           /* context 4 */
    0x5ffffc,
  };
  unsigned i;
  create_ok();
  for (i = 0; i < sizeof holes / sizeof holes[0]; i++) {
    wr(B + holes[i], 0xffffffffu);
    cr_assert_eq(rd(B + holes[i]), 0, "offset 0x%llx",
                 (unsigned long long)holes[i]);
  }
  cr_assert_eq(fh->cpu_irq_bad, 0);
  cr_assert_eq(fh->cpu_irq[0] | fh->cpu_irq[1], 0);
}

Test(plic, any_offset_size_is_safe)
{
  static const unsigned sizes[] = { 1, 2, 4, 8 };
  uint64_t off;
  unsigned s, i;
  create_ok();
  for (i = 1; i < 96; i++)
    line(i, (int)(i & 1));
  for (off = 0; off < 0x600000; off += (off < 0x3000 || (off >= 0x200000 &&
                                        off < 0x205000)) ? 1 : 0x3f1)
    for (s = 0; s < 4; s++) {
      (void)fh_read(fh, B + off, sizes[s]);
      fh_write(fh, B + off, sizes[s], 0x0123456789abcdefull ^ off);
    }
  for (i = 1; i < 96; i++)
    line(i, (int)(~i & 1));
  fh->irqc_set(fh->irqc_opaque, 0xffffffffu, 1);
  fh->irqc_set(fh->irqc_opaque, 1024, 1);
  cr_assert_eq(fh->cpu_irq_bad, 0);
  cr_assert_eq(fh->unmapped_accesses, 0);
}

Test(plic, reset_op)
{
  create_ok();
  wr(PRIO(1), 2);
  wr(PRIO(2), 2);
  enable(0, 1);
  enable(3, 2);
  wr(THRESH(1), 4);
  wr(PRIO(3), 1);
  enable(3, 3);
  line(1, 1);
  line(2, 1);
  line(3, 1);
  cr_assert_eq(rd(CLAIM(3)), 2);
  cr_assert_eq(rd(CLAIM(3)), 3);
  line(3, 0); /* source 3 in service with its line low */
  cr_assert_eq(out(0), 1);
  fh->cpu_irq[1] |= 1ull << L_SEIP; /* stale: reset drives every output */
  ops->reset(inst);
  cr_assert_eq(out(0) | out(1) | out(2) | out(3), 0);
  cr_assert_eq(rd(PRIO(1)), 0);
  cr_assert_eq(rd(ENABLE(0, 0)), 0);
  cr_assert_eq(rd(ENABLE(3, 0)), 0);
  cr_assert_eq(rd(THRESH(1)), 0);
  cr_assert_eq(pending(1), 1, "line still high: requested again");
  cr_assert_eq(pending(2), 1, "in service ended by reset");
  cr_assert_eq(pending(3), 0);
  line(3, 1);
  cr_assert_eq(pending(3), 1, "no longer in service: requests again");
  wr(PRIO(2), 1);
  enable(0, 2);
  cr_assert_eq(rd(CLAIM(0)), 2);
}

/* ---- device tree ---- */

/* The fake's tree without its stand-in controller (it uses our phandle). */
static void *fdt_without_irqc(void)
{
  void *fdt = fh_fdt_new(fh, 16384);
  int n = fdt_path_offset(fdt, "/soc/interrupt-controller@c000000");
  cr_assert_geq(n, 0);
  cr_assert_eq(fdt_del_node(fdt, n), 0);
  return fdt;
}

Test(plic, fdt_node)
{
  static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
  static const char *path = "/soc/plic@c000000";
  uint32_t c[32], ph0, ph1;
  const void *p;
  char *dts, *warn;
  int len, rc;
  void *fdt;

  fdt = fdt_without_irqc();
  create(fh_options(fh, "ndev", "53", NULL));
  cr_assert_not_null(inst);
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  p = fh_prop(fdt, path, "compatible", &len);
  cr_assert_not_null(p);
  cr_assert_eq(len, (int)sizeof compat);
  cr_assert_arr_eq(p, compat, sizeof compat);
  cr_assert_eq(fh_prop_cells(fdt, path, "reg", c, 32), 4);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(c[1], 0xc000000);
  cr_assert_eq(c[2], 0);
  cr_assert_eq(c[3], 0x600000);
  cr_assert_eq(fh_prop_cells(fdt, path, "#address-cells", c, 32), 1);
  cr_assert_eq(c[0], 0);
  cr_assert_eq(fh_prop_cells(fdt, path, "#interrupt-cells", c, 32), 1);
  cr_assert_eq(c[0], 1);
  p = fh_prop(fdt, path, "interrupt-controller", &len);
  cr_assert_not_null(p);
  cr_assert_eq(len, 0);
  cr_assert_eq(fh_prop_cells(fdt, path, "riscv,ndev", c, 32), 1);
  cr_assert_eq(c[0], 53);
  cr_assert_eq(fh_prop_cells(fdt, path, "phandle", c, 32), 1);
  cr_assert_eq(c[0], fh_phandle(fh, "irqc"));
  cr_assert_eq(fh_prop_cells(fdt, path, "interrupts-extended", c, 32), 8);
  ph0 = fh_phandle(fh, "cpu0-intc");
  ph1 = fh_phandle(fh, "cpu1-intc");
  cr_assert_neq(ph0, ph1);
  cr_assert_eq(c[0], ph0);
  cr_assert_eq(c[1], 11);
  cr_assert_eq(c[2], ph0);
  cr_assert_eq(c[3], 9);
  cr_assert_eq(c[4], ph1);
  cr_assert_eq(c[5], 11);
  cr_assert_eq(c[6], ph1);
  cr_assert_eq(c[7], 9);
  rc = fh_dtc(fdt, &dts, &warn);
  if (rc >= 0) {
    cr_assert_eq(rc, 0, "dtc rejects the blob");
    cr_assert_str_empty(warn, "dtc warnings: %s", warn);
    free(warn);
    cr_assert(strstr(dts, "plic@c000000 {") != NULL);
    cr_assert(strstr(dts, "riscv,ndev = <0x35>") != NULL);
    /* dtc prints string lists as "a", "b" or (1.6) "a\0b" */
    cr_assert(strstr(dts, "compatible = \"sifive,plic-1.0.0\", "
                          "\"riscv,plic0\"") != NULL ||
              strstr(dts, "compatible = \"sifive,plic-1.0.0\\0"
                          "riscv,plic0\"") != NULL, "%s", dts);
    free(dts);
  }
  free(fdt);
}

Test(plic, fdt_four_harts_and_default_ndev)
{
  uint32_t c[32];
  void *fdt;
  unsigned h;
  char label[32];

  fh->ncpus = 4;
  fdt = fdt_without_irqc();
  create_ok();
  cr_assert_eq(ops->fdt_populate(inst, fdt, fh_fdt_soc(fdt)), 0);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/plic@c000000", "riscv,ndev", c, 32),
               1);
  cr_assert_eq(c[0], 95);
  cr_assert_eq(fh_prop_cells(fdt, "/soc/plic@c000000",
                             "interrupts-extended", c, 32), 16);
  for (h = 0; h < 4; h++) {
    snprintf(label, sizeof label, "cpu%u-intc", h);
    cr_assert_eq(c[4 * h], fh_phandle(fh, label));
    cr_assert_eq(c[4 * h + 1], 11);
    cr_assert_eq(c[4 * h + 2], fh_phandle(fh, label));
    cr_assert_eq(c[4 * h + 3], 9);
  }
  free(fdt);
}

Test(plic, fdt_no_space)
{
  void *fdt = fdt_without_irqc(), *small;
  int size;
  create_ok();
  cr_assert_eq(fdt_pack(fdt), 0);
  size = (int)fdt_totalsize(fdt) + 64;
  small = malloc((size_t)size);
  cr_assert_eq(fdt_open_into(fdt, small, size), 0);
  cr_assert_eq(ops->fdt_populate(inst, small, fh_fdt_soc(small)),
               -VMRUN_ENOSPC);
  free(small);
  free(fdt);
}
