/*
** plugins/plic/plic.c - RISC-V Platform-Level Interrupt Controller as on
** QEMU's virt machine (RISC-V PLIC Specification v1.0.0, SiFive PLIC).
**
** Sources 1..ndev (option `ndev`, default 95, at most 1023; 0 is reserved).
** Two contexts per hart: context 2*h is hart h's M mode and drives its
** MEIP (irq_pending bit 11), context 2*h+1 its S mode and drives SEIP
** (bit 9).
**
** Layout (32-bit registers; other access sizes read 0 and are ignored):
**   0x000000 + 4*s             priority[s]   WARL, 3 bits (0..7); s 0 is 0
**   0x001000 + 4*w             pending[w]    read-only, 32 sources a word
**   0x002000 + 0x80*c + 4*w    enable[c][w]  bit 0 of word 0 is hardwired 0
**   0x200000 + 0x1000*c        threshold[c]  WARL, 3 bits
**   0x200004 + 0x1000*c        claim/complete[c]
** Offsets with no register (sources > ndev, contexts >= 2*harts, reserved
** words) read 0 and ignore writes.  The region (default 0x600000 bytes
** at 0xc000000, as QEMU's) must hold every context: at least 0x200000 +
** 0x2000 * harts bytes; the default fits 512 harts.
**
** Gateways are level-triggered (PLIC spec §5): while a line is high and
** its source is not in service, the source is pending.  A claim returns
** the highest-priority source that is pending, enabled for the context
** and has priority > the context's threshold (ties: lowest ID), or 0; it
** clears the pending bit and puts the source in service, where it cannot
** become pending again.  A completion (write of the ID to the claim
** register) of a source enabled for that context ends service; if the
** line is still high the source is pending again at once.  Only a claim
** clears a pending bit: a line that drops after raising a request leaves
** it pending (spec §5; QEMU does the same since its commit a84be2b of
** 2024).  A context's output is high while some source is pending,
** enabled for it and above its threshold; outputs are re-evaluated after
** every register write and line change and only changes reach the harts.
**
** The platform IRQ lines (host->irq_line) arrive through the set function
** registered with host->irq_controller_register; it may be called from any
** thread, so the state is under a mutex.
*/
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <vmrun/vmrun.h>

#include "../common/devfdt.h"

#define PLIC_DEFAULT_BASE   0xc000000ull
#define PLIC_DEFAULT_SIZE   0x600000ull
#define PLIC_DEFAULT_NDEV   95u
#define PLIC_MAX_NDEV       1023u
#define PLIC_WORDS          32u          /* 1024 sources / 32 */

#define PLIC_PRIORITY_BASE  0x000000u
#define PLIC_PENDING_BASE   0x001000u
#define PLIC_ENABLE_BASE    0x002000u
#define PLIC_ENABLE_STRIDE  0x80u
#define PLIC_CONTEXT_BASE   0x200000u
#define PLIC_CONTEXT_STRIDE 0x1000u
#define PLIC_MAX_CONTEXTS   15872u       /* spec: enables end at 0x1f2000 */

#define PLIC_PRIO_MASK      7u

#define IRQ_SEIP 9u
#define IRQ_MEIP 11u

typedef struct plic_ctx {
  uint32_t enable[PLIC_WORDS];
  uint8_t threshold;
  uint8_t out;            /* level last driven to the hart */
} plic_ctx;

typedef struct plic {
  const vmrun_host *host;
  vmrun_machine *m;
  const vmrun_device_config *dc;
  uint64_t base, size;
  uint32_t ndev, nwords;         /* nwords: bitmap words holding 0..ndev */
  uint32_t nharts, nctx;
  pthread_mutex_t lock;
  uint32_t valid[PLIC_WORDS];    /* bits of sources 1..ndev */
  uint32_t level[PLIC_WORDS];    /* input line levels */
  uint32_t pending[PLIC_WORDS];
  uint32_t claimed[PLIC_WORDS];  /* in service */
  uint8_t priority[PLIC_WORDS * 32];
  plic_ctx *ctx;
} plic;

/* ---- core logic (called with the lock held) ---- */

static int bit_get(const uint32_t *bm, uint32_t src)
{
  return (int)((bm[src >> 5] >> (src & 31)) & 1);
}

static void bit_set(uint32_t *bm, uint32_t src, int v)
{
  uint32_t b = 1u << (src & 31);
  if (v)
    bm[src >> 5] |= b;
  else
    bm[src >> 5] &= ~b;
}

/* The source a claim of context `c` would return, or 0. */
static uint32_t plic_best(const plic *p, const plic_ctx *c)
{
  uint32_t best = 0, best_prio = c->threshold, w;
  for (w = 0; w < p->nwords; w++) {
    uint32_t bits = p->pending[w] & c->enable[w];
    while (bits) {
      uint32_t src = w * 32 + (uint32_t)__builtin_ctz(bits);
      bits &= bits - 1;
      if (p->priority[src] > best_prio) { /* strict: lowest ID wins ties */
        best = src;
        best_prio = p->priority[src];
        if (best_prio == PLIC_PRIO_MASK)
          return best;
      }
    }
  }
  return best;
}

static void plic_drive(plic *p, uint32_t ctx, int level)
{
  p->ctx[ctx].out = (uint8_t)level;
  p->host->cpu_set_irq(p->m, ctx / 2, (ctx & 1) ? IRQ_SEIP : IRQ_MEIP,
                       level);
}

static void plic_update(plic *p)
{
  uint32_t i;
  for (i = 0; i < p->nctx; i++) {
    int level = plic_best(p, &p->ctx[i]) != 0;
    if (level != p->ctx[i].out)
      plic_drive(p, i, level);
  }
}

static uint32_t plic_claim(plic *p, plic_ctx *c)
{
  uint32_t src = plic_best(p, c);
  if (src) {
    bit_set(p->pending, src, 0);
    bit_set(p->claimed, src, 1);
  }
  plic_update(p);
  return src;
}

static void plic_complete(plic *p, plic_ctx *c, uint32_t src)
{
  /* spec §7: an ID not enabled for the context is silently ignored */
  if (src == 0 || src > p->ndev || !bit_get(c->enable, src))
    return;
  if (bit_get(p->claimed, src)) {
    bit_set(p->claimed, src, 0);
    if (bit_get(p->level, src))
      bit_set(p->pending, src, 1);
  }
  plic_update(p);
}

/* The set function registered with the host: drive line `num`. */
static void plic_set_irq(void *opaque, uint32_t num, int level)
{
  plic *p = opaque;
  if (num == 0 || num > p->ndev)
    return;
  pthread_mutex_lock(&p->lock);
  bit_set(p->level, num, level != 0);
  if (level && !bit_get(p->claimed, num))
    bit_set(p->pending, num, 1);
  plic_update(p);
  pthread_mutex_unlock(&p->lock);
}

/* ---- MMIO ---- */

/* Context `c` of an offset in the enable area, word index in *w; or NULL. */
static plic_ctx *enable_ctx(plic *p, uint64_t offset, uint32_t *w)
{
  uint64_t rel = offset - PLIC_ENABLE_BASE, c = rel / PLIC_ENABLE_STRIDE;
  uint64_t word = (rel % PLIC_ENABLE_STRIDE) / 4;
  if (c >= p->nctx || word >= PLIC_WORDS)
    return NULL;
  *w = (uint32_t)word;
  return &p->ctx[c];
}

static uint32_t plic_read_locked(plic *p, uint64_t offset)
{
  plic_ctx *c;
  uint32_t w;

  if (offset < PLIC_PENDING_BASE) {
    uint64_t src = (offset - PLIC_PRIORITY_BASE) / 4;
    return src <= p->ndev ? p->priority[src] : 0;
  }
  if (offset < PLIC_ENABLE_BASE) {
    w = (uint32_t)((offset - PLIC_PENDING_BASE) / 4);
    return w < PLIC_WORDS ? p->pending[w] : 0;
  }
  if (offset < PLIC_CONTEXT_BASE) {
    c = enable_ctx(p, offset, &w);
    return c ? c->enable[w] : 0;
  }
  {
    uint64_t rel = offset - PLIC_CONTEXT_BASE;
    uint64_t ci = rel / PLIC_CONTEXT_STRIDE, reg = rel % PLIC_CONTEXT_STRIDE;
    if (ci >= p->nctx)
      return 0;
    c = &p->ctx[ci];
    if (reg == 0)
      return c->threshold;
    if (reg == 4)
      return plic_claim(p, c);
  }
  return 0;
}

static void plic_write_locked(plic *p, uint64_t offset, uint32_t v)
{
  plic_ctx *c;
  uint32_t w;

  if (offset < PLIC_PENDING_BASE) {
    uint64_t src = (offset - PLIC_PRIORITY_BASE) / 4;
    if (src == 0 || src > p->ndev)
      return;
    p->priority[src] = (uint8_t)(v & PLIC_PRIO_MASK);
    plic_update(p);
    return;
  }
  if (offset < PLIC_ENABLE_BASE)
    return; /* pending bits are read-only */
  if (offset < PLIC_CONTEXT_BASE) {
    c = enable_ctx(p, offset, &w);
    if (!c)
      return;
    c->enable[w] = v & p->valid[w];
    plic_update(p);
    return;
  }
  {
    uint64_t rel = offset - PLIC_CONTEXT_BASE;
    uint64_t ci = rel / PLIC_CONTEXT_STRIDE, reg = rel % PLIC_CONTEXT_STRIDE;
    if (ci >= p->nctx)
      return;
    c = &p->ctx[ci];
    if (reg == 0) {
      c->threshold = (uint8_t)(v & PLIC_PRIO_MASK);
      plic_update(p);
    } else if (reg == 4) {
      plic_complete(p, c, v);
    }
  }
}

static uint64_t plic_read(void *opaque, uint64_t offset, unsigned size)
{
  plic *p = opaque;
  uint32_t v;
  if (size != 4 || (offset & 3) || offset >= p->size)
    return 0;
  pthread_mutex_lock(&p->lock);
  v = plic_read_locked(p, offset);
  pthread_mutex_unlock(&p->lock);
  return v;
}

static void plic_write(void *opaque, uint64_t offset, unsigned size,
                       uint64_t value)
{
  plic *p = opaque;
  if (size != 4 || (offset & 3) || offset >= p->size)
    return;
  pthread_mutex_lock(&p->lock);
  plic_write_locked(p, offset, (uint32_t)value);
  pthread_mutex_unlock(&p->lock);
}

static const vmrun_mmio_ops plic_mmio_ops = { plic_read, plic_write };

/* ---- life cycle ---- */

static void plic_reset(void *inst)
{
  plic *p = inst;
  uint32_t i;
  pthread_mutex_lock(&p->lock);
  memset(p->priority, 0, sizeof p->priority);
  memset(p->claimed, 0, sizeof p->claimed);
  /* input lines keep their levels: high ones request again */
  memcpy(p->pending, p->level, sizeof p->pending);
  for (i = 0; i < p->nctx; i++) {
    memset(p->ctx[i].enable, 0, sizeof p->ctx[i].enable);
    p->ctx[i].threshold = 0;
    plic_drive(p, i, 0); /* whatever was driven before */
  }
  plic_update(p);
  pthread_mutex_unlock(&p->lock);
}

static void plic_free(plic *p)
{
  if (!p)
    return;
  pthread_mutex_destroy(&p->lock);
  free(p->ctx);
  free(p);
}

static int plic_create(const vmrun_host *host, vmrun_machine *m,
                       const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { "ndev", NULL };
  uint64_t ndev = PLIC_DEFAULT_NDEV, need;
  uint32_t nharts, i;
  plic *p;
  int rc;

  if (!host || !dc || !inst)
    return -VMRUN_EINVAL;
  *inst = NULL;
  if (dc->options) {
    rc = host->cfg_check_keys(dc->options, keys);
    if (rc < 0)
      return rc;
    rc = host->cfg_u64(dc->options, "ndev", PLIC_DEFAULT_NDEV, &ndev);
    if (rc < 0)
      return rc;
    if (ndev < 1 || ndev > PLIC_MAX_NDEV) {
      vmrun_cfg *where = host->cfg_get(dc->options, "ndev");
      host->cfg_error(where ? where : dc->node,
                      "plic ndev must be 1..%u, got %" PRIu64, PLIC_MAX_NDEV,
                      ndev);
      return -VMRUN_EINVAL;
    }
  }
  if (dc->n_irqs > 0) {
    host->cfg_error(dc->node, "plic has no platform irq (it is the platform "
                    "interrupt controller)");
    return -VMRUN_EINVAL;
  }
  nharts = host->cpu_count(m);
  if (nharts == 0 || nharts > PLIC_MAX_CONTEXTS / 2) {
    host->cfg_error(dc->node, "plic supports 1..%u harts, machine has %u",
                    PLIC_MAX_CONTEXTS / 2, (unsigned)nharts);
    return -VMRUN_EINVAL;
  }

  p = calloc(1, sizeof *p);
  if (!p)
    return -VMRUN_ENOMEM;
  if (pthread_mutex_init(&p->lock, NULL) != 0) {
    free(p);
    return -VMRUN_ENOMEM;
  }
  p->host = host;
  p->m = m;
  p->dc = dc;
  p->ndev = (uint32_t)ndev;
  p->nwords = p->ndev / 32 + 1;
  p->nharts = nharts;
  p->nctx = 2 * nharts;
  p->base = dc->base == VMRUN_DEVICE_NO_BASE ? PLIC_DEFAULT_BASE : dc->base;
  p->size = dc->size ? dc->size : PLIC_DEFAULT_SIZE;
  need = PLIC_CONTEXT_BASE + (uint64_t)PLIC_CONTEXT_STRIDE * p->nctx;
  if (p->size < need || p->base + p->size - 1 < p->base) {
    host->cfg_error(dc->node, "plic region 0x%" PRIx64 "+0x%" PRIx64
                    " is invalid (%u harts need at least 0x%" PRIx64
                    " bytes)", p->base, p->size, (unsigned)nharts, need);
    plic_free(p);
    return -VMRUN_EINVAL;
  }
  p->ctx = calloc(p->nctx, sizeof *p->ctx);
  if (!p->ctx) {
    plic_free(p);
    return -VMRUN_ENOMEM;
  }
  for (i = 1; i <= p->ndev; i++)
    bit_set(p->valid, i, 1);

  rc = host->mmio_register(m, dc->name ? dc->name : "plic", p->base, p->size,
                           &plic_mmio_ops, p);
  if (rc < 0) {
    plic_free(p);
    return rc;
  }
  /* Last: the host may replay early line levels into plic_set_irq now, and
  ** nothing must fail after it holds a pointer to us. */
  rc = host->irq_controller_register(m, plic_set_irq, p);
  if (rc < 0) {
    host->cfg_error(dc->node, "plic: another platform interrupt controller "
                    "is already registered");
    plic_free(p);
    return rc;
  }
  *inst = p;
  return 0;
}

static void plic_destroy(void *inst)
{
  plic_free(inst);
}

/* ---- device tree ---- */

static int plic_fdt_populate(void *inst, void *fdt, int parent)
{
  static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
  plic *p = inst;
  char name[32];
  uint32_t irqc;
  int node, rc;

  irqc = p->host->fdt_phandle(p->m, "irqc");
  if (!irqc)
    return -VMRUN_ENOMEM;
  snprintf(name, sizeof name, "plic@%" PRIx64, p->base);
  node = fdt_add_subnode(fdt, parent, name);
  if (node < 0)
    return devfdt_error(p->host, p->m, "plic", node, name);
  rc = fdt_setprop(fdt, node, "compatible", compat, sizeof compat);
  if (rc == 0)
    rc = devfdt_set_reg(fdt, node, parent, p->base, p->size);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "#address-cells", 0);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "#interrupt-cells", 1);
  if (rc == 0)
    rc = fdt_setprop(fdt, node, "interrupt-controller", NULL, 0);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "riscv,ndev", p->ndev);
  if (rc == 0)
    rc = fdt_setprop_u32(fdt, node, "phandle", irqc);
  if (rc < 0)
    return devfdt_error(p->host, p->m, "plic", rc, name);

  rc = devfdt_hart_irqs(p->host, p->m, fdt, node, p->nharts, IRQ_MEIP, IRQ_SEIP);
  if (rc < 0)
    return devfdt_error(p->host, p->m, "plic", rc, name);
  return 0;
}

static const vmrun_device_ops plic_ops = {
  sizeof(vmrun_device_ops), 0,
  plic_create,
  plic_destroy,
  plic_fdt_populate,
  plic_reset,
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "plic", "0.1.0",
                    "RISC-V PLIC (SiFive compatible, QEMU virt layout)",
                    &plic_ops);
