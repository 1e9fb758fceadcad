/*
** tests/devices/fake_host.c - a fake vmrun_host (see fake_host.h).
*/
#include "fake_host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libfdt.h>

/* ---- logging ---- */

static void fh_log(vmrun_machine *m, enum vmrun_log_level lvl,
                   const char *fmt, ...) VMRUN_PRINTF(3, 4);
static void fh_log(vmrun_machine *m, enum vmrun_log_level lvl,
                   const char *fmt, ...)
{
  va_list ap;
  if ((unsigned)lvl < 4)
    m->logs[lvl]++;
  va_start(ap, fmt);
  vsnprintf(m->last_log, sizeof m->last_log, fmt, ap);
  va_end(ap);
  if (getenv("FH_VERBOSE"))
    fprintf(stderr, "[fake log %d] %s\n", (int)lvl, m->last_log);
}

/* ---- configuration ---- */

static void cfg_report(vmrun_cfg *node, const char *fmt, ...)
    VMRUN_PRINTF(2, 3);
static void cfg_report(vmrun_cfg *node, const char *fmt, ...)
{
  fake_host *fh = node ? node->fh : NULL;
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (!fh)
    return;
  fh->cfg_errors++;
  snprintf(fh->last_cfg_error, sizeof fh->last_cfg_error,
           "fake.yaml:%u:5: %s: %s", node->line,
           node->key ? node->key : "?", msg);
  if (getenv("FH_VERBOSE"))
    fprintf(stderr, "%s\n", fh->last_cfg_error);
}

static vmrun_cfg *fh_cfg_get(vmrun_cfg *node, const char *key)
{
  unsigned i;
  if (!node || !key)
    return NULL;
  for (i = 0; i < node->n_child; i++)
    if (strcmp(node->child[i]->key, key) == 0)
      return node->child[i];
  return NULL;
}

static int fh_cfg_u64(vmrun_cfg *node, const char *key, uint64_t def,
                      uint64_t *out)
{
  vmrun_cfg *c = fh_cfg_get(node, key);
  const char *s;
  char *end;
  unsigned long long v;
  int shift = 0;

  if (!c) {
    *out = def;
    return 0;
  }
  s = c->value;
  if (!s || !*s)
    goto bad;
  errno = 0;
  if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
    v = strtoull(s + 2, &end, 2);
  else
    v = strtoull(s, &end, 0);
  if (errno || end == s)
    goto bad;
  switch (*end) {
  case 'K': shift = 10; end++; break;
  case 'M': shift = 20; end++; break;
  case 'G': shift = 30; end++; break;
  case 'T': shift = 40; end++; break;
  default: break;
  }
  if (*end || (shift && (v >> (64 - shift))))
    goto bad;
  *out = (uint64_t)v << shift;
  return 0;
bad:
  cfg_report(c, "expected an integer, got \"%s\"", s ? s : "(mapping)");
  return -VMRUN_EINVAL;
}

static int fh_cfg_str(vmrun_cfg *node, const char *key, const char *def,
                      const char **out)
{
  vmrun_cfg *c = fh_cfg_get(node, key);
  if (!c) {
    *out = def;
    return 0;
  }
  if (!c->value) {
    cfg_report(c, "expected a string");
    return -VMRUN_EINVAL;
  }
  *out = c->value;
  return 0;
}

static int fh_cfg_bool(vmrun_cfg *node, const char *key, int def, int *out)
{
  static const char *const t[] = { "true", "yes", "on" };
  static const char *const f[] = { "false", "no", "off" };
  vmrun_cfg *c = fh_cfg_get(node, key);
  unsigned i;
  if (!c) {
    *out = def;
    return 0;
  }
  for (i = 0; c->value && i < 3; i++) {
    if (strcasecmp(c->value, t[i]) == 0) { *out = 1; return 0; }
    if (strcasecmp(c->value, f[i]) == 0) { *out = 0; return 0; }
  }
  cfg_report(c, "expected a boolean, got \"%s\"",
             c->value ? c->value : "(mapping)");
  return -VMRUN_EINVAL;
}

static int fh_cfg_check_keys(vmrun_cfg *node, const char *const *allowed)
{
  unsigned i, j;
  if (!node)
    return 0;
  for (i = 0; i < node->n_child; i++) {
    int ok = 0;
    for (j = 0; allowed && allowed[j]; j++)
      if (strcmp(allowed[j], node->child[i]->key) == 0)
        ok = 1;
    if (!ok) {
      cfg_report(node->child[i], "unknown key");
      return -VMRUN_EINVAL;
    }
  }
  return 0;
}

static void fh_cfg_error(vmrun_cfg *node, const char *fmt, ...)
    VMRUN_PRINTF(2, 3);
static void fh_cfg_error(vmrun_cfg *node, const char *fmt, ...)
{
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (node) {
    cfg_report(node, "%s", msg);
  } else if (getenv("FH_VERBOSE")) {
    fprintf(stderr, "cfg_error(NULL): %s\n", msg);
  }
}

/* ---- memory ---- */

static int fh_phys_read(vmrun_machine *m, uint64_t gpa, void *buf,
                        size_t len)
{
  (void)m; (void)gpa; (void)buf; (void)len;
  return -VMRUN_EFAULT;
}

static int fh_phys_write(vmrun_machine *m, uint64_t gpa, const void *buf,
                         size_t len)
{
  (void)m; (void)gpa; (void)buf; (void)len;
  return -VMRUN_EFAULT;
}

const fh_region *fh_region_at(const fake_host *fh, uint64_t gpa)
{
  unsigned i;
  for (i = 0; i < fh->n_regions; i++)
    if (gpa >= fh->regions[i].base &&
        gpa - fh->regions[i].base < fh->regions[i].size)
      return &fh->regions[i];
  return NULL;
}

static void fh_phys_lookup(vmrun_machine *m, uint64_t gpa,
                           vmrun_region_info *out)
{
  const fh_region *r = fh_region_at(m, gpa);
  memset(out, 0, sizeof *out);
  if (!r)
    return;
  out->kind = VMRUN_REGION_MMIO;
  out->base = r->base;
  out->size = r->size;
  out->ops = r->ops;
  out->opaque = r->opaque;
}

static int fh_mmio_register(vmrun_machine *m, const char *name, uint64_t gpa,
                            uint64_t size, const vmrun_mmio_ops *ops,
                            void *opaque)
{
  unsigned i;
  fh_region *r;
  if (!size || !ops || !ops->read || !ops->write || gpa + size - 1 < gpa)
    return -VMRUN_EINVAL;
  for (i = 0; i < m->n_regions; i++) {
    fh_region *o = &m->regions[i];
    if (gpa <= o->base + o->size - 1 && o->base <= gpa + size - 1)
      return -VMRUN_EEXIST;
  }
  if (m->n_regions >= FH_MAX_REGIONS)
    return -VMRUN_ENOSPC;
  r = &m->regions[m->n_regions++];
  snprintf(r->name, sizeof r->name, "%s", name ? name : "?");
  r->base = gpa;
  r->size = size;
  r->ops = ops;
  r->opaque = opaque;
  return 0;
}

static int fh_phys_access(vmrun_machine *m, uint64_t gpa, unsigned size,
                          int is_write, uint64_t *val)
{
  const fh_region *r = fh_region_at(m, gpa);
  if (!r)
    return -VMRUN_EFAULT;
  if (is_write)
    r->ops->write(r->opaque, gpa - r->base, size, *val);
  else
    *val = r->ops->read(r->opaque, gpa - r->base, size);
  return 0;
}

static int fh_phys_is_code(vmrun_machine *m, uint64_t gpa)
{
  (void)m; (void)gpa;
  return 0;
}

static void fh_code_written(vmrun_machine *m, uint64_t gpa, uint64_t len)
{
  (void)m; (void)gpa; (void)len;
}

uint64_t fh_read(fake_host *fh, uint64_t gpa, unsigned size)
{
  uint64_t v = 0;
  if (fh_phys_access(fh, gpa, size, 0, &v) < 0)
    fh->unmapped_accesses++;
  return v;
}

void fh_write(fake_host *fh, uint64_t gpa, unsigned size, uint64_t value)
{
  if (fh_phys_access(fh, gpa, size, 1, &value) < 0)
    fh->unmapped_accesses++;
}

/* ---- virtual memory: not for devices ---- */

static int fh_vmem_translate(vmrun_cpu *cpu, uint64_t va,
                             enum vmrun_access acc, unsigned mmu_idx,
                             uint64_t *pa)
{
  (void)cpu; (void)va; (void)acc; (void)mmu_idx; (void)pa;
  return VMRUN_FAULT_ACCESS;
}

static int fh_vmem_access(vmrun_cpu *cpu, uint64_t va, unsigned size,
                          enum vmrun_access acc, unsigned mmu_idx,
                          uint64_t *val)
{
  (void)cpu; (void)va; (void)size; (void)acc; (void)mmu_idx; (void)val;
  return VMRUN_FAULT_ACCESS;
}

static int fh_code_fetch(vmrun_cpu *cpu, vmrun_ir_block *blk, uint64_t va,
                         unsigned size, uint64_t *val)
{
  (void)cpu; (void)blk; (void)va; (void)size; (void)val;
  return VMRUN_FAULT_ACCESS;
}

static int fh_mmu_set_paging(vmrun_cpu *cpu, unsigned mmu_idx,
                             const vmrun_paging *p)
{
  (void)cpu; (void)mmu_idx; (void)p;
  return -VMRUN_ENOSYS;
}

static void fh_tlb_flush(vmrun_cpu *cpu, uint64_t va_or_all)
{
  (void)cpu; (void)va_or_all;
}

/* ---- interrupts ---- */

static void fh_cpu_set_irq(vmrun_machine *m, uint32_t hart, uint32_t line,
                           int level)
{
  if (hart >= FH_MAX_HARTS || hart >= m->ncpus || line > 63) {
    m->cpu_irq_bad++;
    return;
  }
  m->cpu_irq_calls[hart]++;
  if (level)
    m->cpu_irq[hart] |= 1ull << line;
  else
    m->cpu_irq[hart] &= ~(1ull << line);
}

int fh_cpu_irq(const fake_host *fh, uint32_t hart, uint32_t line)
{
  if (hart >= FH_MAX_HARTS || line > 63)
    return -1;
  return (int)((fh->cpu_irq[hart] >> line) & 1);
}

static void fh_cpu_kick(vmrun_machine *m, uint32_t hart, uint32_t bits)
{
  (void)hart; (void)bits;
  m->cpu_kicks++;
}

static uint32_t fh_cpu_count(vmrun_machine *m)
{
  return m->ncpus;
}

static vmrun_cpu *fh_cpu_get(vmrun_machine *m, uint32_t hart)
{
  (void)m; (void)hart;
  return NULL;
}

static void fh_irq_set(void *opaque, uint32_t num, int level)
{
  fake_host *fh = opaque;
  if (num >= FH_MAX_IRQS || (level != 0 && level != 1)) {
    fh->irq_bad++;
    return;
  }
  fh->irq_calls[num]++;
  fh->irq_level[num] = level;
  if (fh->irqc_set)
    fh->irqc_set(fh->irqc_opaque, num, level);
}

void fh_irq_set_line(fake_host *fh, uint32_t num, int level)
{
  fh_irq_set(fh, num, level);
}

static int fh_irq_line(vmrun_machine *m, uint32_t num, vmrun_irq_line *out)
{
  m->irq_lines_given++;
  out->set = fh_irq_set;
  out->opaque = m;
  out->num = num;
  return 0;
}

static int fh_irq_controller_register(vmrun_machine *m,
                                      void (*set)(void *, uint32_t, int),
                                      void *opaque)
{
  if (m->irqc_registered)
    return -VMRUN_EEXIST;
  m->irqc_registered = 1;
  m->irqc_set = set;
  m->irqc_opaque = opaque;
  return 0;
}

/* ---- clock and timers ---- */

static uint64_t fh_clock_ns(vmrun_machine *m)
{
  return m->now_ns;
}

static uint64_t fh_timebase_hz(vmrun_machine *m)
{
  return m->timebase_hz;
}

static vmrun_timer *fh_timer_new(vmrun_machine *m, vmrun_timer_fn fn,
                                 void *opaque)
{
  unsigned i;
  for (i = 0; i < FH_MAX_TIMERS; i++) {
    vmrun_timer *t = &m->timers[i];
    if (!t->in_use) {
      memset(t, 0, sizeof *t);
      t->fh = m;
      t->fn = fn;
      t->opaque = opaque;
      t->in_use = 1;
      return t;
    }
  }
  return NULL;
}

static void fh_timer_mod(vmrun_timer *t, uint64_t deadline_ns)
{
  if (!t || !t->in_use)
    abort(); /* use after free: fail loudly */
  t->armed = 1;
  t->deadline = deadline_ns;
}

static void fh_timer_del(vmrun_timer *t)
{
  if (!t || !t->in_use)
    abort();
  t->armed = 0;
}

static void fh_timer_free(vmrun_timer *t)
{
  if (!t)
    return;
  if (!t->in_use)
    abort(); /* double free */
  t->armed = 0;
  t->in_use = 0;
}

void fh_clock_set(fake_host *fh, uint64_t ns)
{
  unsigned guard = 0;
  for (;;) {
    vmrun_timer *due = NULL;
    unsigned i;
    for (i = 0; i < FH_MAX_TIMERS; i++) {
      vmrun_timer *t = &fh->timers[i];
      if (t->in_use && t->armed && t->deadline <= ns &&
          (!due || t->deadline < due->deadline))
        due = t;
    }
    if (!due)
      break;
    if (++guard > 1000000)
      abort(); /* a timer that re-arms itself in the past forever */
    if (due->deadline > fh->now_ns)
      fh->now_ns = due->deadline;
    due->armed = 0;
    due->fired++;
    due->fn(due->opaque, fh->now_ns);
  }
  if (ns > fh->now_ns)
    fh->now_ns = ns;
}

void fh_clock_advance(fake_host *fh, uint64_t delta_ns)
{
  fh_clock_set(fh, fh->now_ns + delta_ns);
}

unsigned fh_timers_armed(const fake_host *fh)
{
  unsigned i, n = 0;
  for (i = 0; i < FH_MAX_TIMERS; i++)
    n += fh->timers[i].in_use && fh->timers[i].armed;
  return n;
}

/* ---- chardev ---- */

static vmrun_chardev *fh_chardev_open(vmrun_machine *m, const char *spec)
{
  if (!spec || m->cd_fail ||
      !(strcmp(spec, "stdio") == 0 || strcmp(spec, "null") == 0 ||
        (strncmp(spec, "file:", 5) == 0 && spec[5]))) {
    fh_log(m, VMRUN_LOG_ERROR, "bad chardev \"%s\"", spec ? spec : "(null)");
    return NULL;
  }
  m->cd_opens++;
  snprintf(m->cd_spec, sizeof m->cd_spec, "%s", spec);
  m->cd.fh = m;
  return &m->cd;
}

static long fh_chardev_write(vmrun_chardev *cd, const void *buf, size_t len)
{
  fake_host *fh = cd->fh;
  size_t room = FH_OUT_MAX - fh->out_len;
  if (len > room)
    len = room;
  memcpy(fh->out + fh->out_len, buf, len);
  fh->out_len += len;
  return (long)len;
}

static void fh_chardev_set_handler(vmrun_chardev *cd,
                                   vmrun_chardev_can_read_fn can_read,
                                   vmrun_chardev_read_fn read, void *opaque)
{
  fake_host *fh = cd->fh;
  fh->can_read = can_read;
  fh->read = read;
  fh->read_opaque = opaque;
}

size_t fh_input(fake_host *fh, const void *buf, size_t len)
{
  size_t n = len;
  if (!fh->read)
    return 0;
  if (fh->can_read) {
    size_t room = fh->can_read(fh->read_opaque);
    if (room < n)
      n = room;
  }
  if (n)
    fh->read(fh->read_opaque, buf, n);
  return n;
}

/* ---- device tree ---- */

static uint32_t fh_fdt_phandle(vmrun_machine *m, const char *label)
{
  unsigned i;
  for (i = 0; i < m->n_labels; i++)
    if (strcmp(m->labels[i], label) == 0)
      return i + 1;
  if (m->n_labels >= FH_MAX_LABELS)
    return 0;
  snprintf(m->labels[m->n_labels], sizeof m->labels[0], "%s", label);
  return ++m->n_labels;
}

uint32_t fh_phandle(fake_host *fh, const char *label)
{
  return fh_fdt_phandle(fh, label);
}

/* ---- machine control ---- */

static void fh_shutdown(vmrun_machine *m, enum vmrun_shutdown_kind kind,
                        int code)
{
  m->shutdowns++;
  m->shutdown_kind = (int)kind;
  m->shutdown_code = code;
}

static void fh_error(vmrun_machine *m, const char *fmt, ...)
    VMRUN_PRINTF(2, 3);
static void fh_error(vmrun_machine *m, const char *fmt, ...)
{
  (void)fmt;
  m->errors++;
}

/* ---- construction ---- */

fake_host *fh_new(uint32_t ncpus)
{
  fake_host *fh = calloc(1, sizeof *fh);
  vmrun_host *h;
  if (!fh)
    abort();
  h = &fh->host;
  h->struct_size = sizeof *h;
  h->abi_major = VMRUN_ABI_MAJOR;
  h->abi_minor = VMRUN_ABI_MINOR;
  h->log = fh_log;
  h->cfg_get = fh_cfg_get;
  h->cfg_u64 = fh_cfg_u64;
  h->cfg_str = fh_cfg_str;
  h->cfg_bool = fh_cfg_bool;
  h->cfg_check_keys = fh_cfg_check_keys;
  h->cfg_error = fh_cfg_error;
  h->phys_read = fh_phys_read;
  h->phys_write = fh_phys_write;
  h->phys_lookup = fh_phys_lookup;
  h->mmio_register = fh_mmio_register;
  h->phys_access = fh_phys_access;
  h->phys_is_code = fh_phys_is_code;
  h->code_written = fh_code_written;
  h->vmem_translate = fh_vmem_translate;
  h->vmem_access = fh_vmem_access;
  h->code_fetch = fh_code_fetch;
  h->mmu_set_paging = fh_mmu_set_paging;
  h->tlb_flush = fh_tlb_flush;
  h->cpu_set_irq = fh_cpu_set_irq;
  h->cpu_kick = fh_cpu_kick;
  h->cpu_count = fh_cpu_count;
  h->cpu_get = fh_cpu_get;
  h->irq_line = fh_irq_line;
  h->irq_controller_register = fh_irq_controller_register;
  h->clock_ns = fh_clock_ns;
  h->timebase_hz = fh_timebase_hz;
  h->timer_new = fh_timer_new;
  h->timer_mod = fh_timer_mod;
  h->timer_del = fh_timer_del;
  h->timer_free = fh_timer_free;
  h->chardev_open = fh_chardev_open;
  h->chardev_write = fh_chardev_write;
  h->chardev_set_handler = fh_chardev_set_handler;
  h->fdt_phandle = fh_fdt_phandle;
  h->shutdown = fh_shutdown;
  h->error = fh_error;
  fh->ncpus = ncpus;
  fh->timebase_hz = 10000000u;
  fh->shutdown_kind = -1;
  return fh;
}

void fh_free(fake_host *fh)
{
  free(fh);
}

static vmrun_cfg *cfg_node(fake_host *fh, const char *key, const char *value)
{
  vmrun_cfg *c;
  if (fh->n_cfg >= FH_MAX_CFG)
    abort();
  c = &fh->cfg_pool[fh->n_cfg++];
  memset(c, 0, sizeof *c);
  c->fh = fh;
  c->key = key;
  c->value = value;
  c->line = fh->n_cfg;
  return c;
}

vmrun_cfg *fh_options(fake_host *fh, ...)
{
  vmrun_cfg *map = cfg_node(fh, "options", NULL);
  const char *k, *v;
  va_list ap;
  va_start(ap, fh);
  while ((k = va_arg(ap, const char *)) != NULL) {
    v = va_arg(ap, const char *);
    if (map->n_child >= FH_MAX_CFG)
      abort();
    map->child[map->n_child++] = cfg_node(fh, k, v);
  }
  va_end(ap);
  return map;
}

vmrun_device_config fh_device_config(const char *type, vmrun_cfg *options)
{
  vmrun_device_config dc;
  memset(&dc, 0, sizeof dc);
  dc.struct_size = sizeof dc;
  dc.type = type;
  dc.name = type;
  dc.base = VMRUN_DEVICE_NO_BASE;
  dc.options = options;
  dc.node = options; /* errors about the entry land on a real node */
  return dc;
}

/* ---- FDT helpers ---- */

#define FDT_TRY(x) do { if ((x) < 0) abort(); } while (0)

void *fh_fdt_new(fake_host *fh, int size)
{
  void *fdt = malloc((size_t)size);
  int cpus, soc, irqc, i;
  char name[32], label[32];
  if (!fdt || fdt_create_empty_tree(fdt, size) < 0)
    abort();
  FDT_TRY(fdt_setprop_u32(fdt, 0, "#address-cells", 2));
  FDT_TRY(fdt_setprop_u32(fdt, 0, "#size-cells", 2));
  FDT_TRY(fdt_setprop_string(fdt, 0, "compatible", "riscv-virtio"));
  FDT_TRY(fdt_setprop_string(fdt, 0, "model", "vmrun fake"));
  cpus = fdt_add_subnode(fdt, 0, "cpus");
  FDT_TRY(cpus);
  FDT_TRY(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
  FDT_TRY(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
  for (i = (int)fh->ncpus - 1; i >= 0; i--) { /* add_subnode prepends */
    int cpu, intc;
    cpus = fdt_path_offset(fdt, "/cpus");
    snprintf(name, sizeof name, "cpu@%d", i);
    cpu = fdt_add_subnode(fdt, cpus, name);
    FDT_TRY(cpu);
    FDT_TRY(fdt_setprop_string(fdt, cpu, "device_type", "cpu"));
    FDT_TRY(fdt_setprop_u32(fdt, cpu, "reg", (uint32_t)i));
    FDT_TRY(fdt_setprop_string(fdt, cpu, "compatible", "riscv"));
    FDT_TRY(fdt_setprop_string(fdt, cpu, "riscv,isa", "rv64imac"));
    intc = fdt_add_subnode(fdt, cpu, "interrupt-controller");
    FDT_TRY(intc);
    FDT_TRY(fdt_setprop_u32(fdt, intc, "#interrupt-cells", 1));
    FDT_TRY(fdt_setprop_u32(fdt, intc, "#address-cells", 0));
    FDT_TRY(fdt_setprop(fdt, intc, "interrupt-controller", NULL, 0));
    FDT_TRY(fdt_setprop_string(fdt, intc, "compatible", "riscv,cpu-intc"));
    snprintf(label, sizeof label, "cpu%d-intc", i);
    FDT_TRY(fdt_setprop_u32(fdt, intc, "phandle", fh_phandle(fh, label)));
  }
  soc = fdt_add_subnode(fdt, 0, "soc");
  FDT_TRY(soc);
  FDT_TRY(fdt_setprop_u32(fdt, soc, "#address-cells", 2));
  FDT_TRY(fdt_setprop_u32(fdt, soc, "#size-cells", 2));
  FDT_TRY(fdt_setprop_string(fdt, soc, "compatible", "simple-bus"));
  FDT_TRY(fdt_setprop(fdt, soc, "ranges", NULL, 0));
  /* a stand-in platform interrupt controller for interrupt-parent */
  irqc = fdt_add_subnode(fdt, soc, "interrupt-controller@c000000");
  FDT_TRY(irqc);
  {
    fdt32_t reg[4] = { cpu_to_fdt32(0), cpu_to_fdt32(0xc000000),
                       cpu_to_fdt32(0), cpu_to_fdt32(0x600000) };
    FDT_TRY(fdt_setprop(fdt, irqc, "reg", reg, sizeof reg));
  }
  FDT_TRY(fdt_setprop_string(fdt, irqc, "compatible", "sifive,plic-1.0.0"));
  FDT_TRY(fdt_setprop_u32(fdt, irqc, "#interrupt-cells", 1));
  FDT_TRY(fdt_setprop_u32(fdt, irqc, "#address-cells", 0));
  FDT_TRY(fdt_setprop(fdt, irqc, "interrupt-controller", NULL, 0));
  FDT_TRY(fdt_setprop_u32(fdt, irqc, "phandle", fh_phandle(fh, "irqc")));
  return fdt;
}

int fh_fdt_soc(const void *fdt)
{
  return fdt_path_offset(fdt, "/soc");
}

static char *slurp(FILE *f)
{
  size_t cap = 4096, len = 0, n;
  char *buf = malloc(cap);
  if (!buf)
    abort();
  while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len < 2) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf)
        abort();
    }
  }
  buf[len] = 0;
  return buf;
}

int fh_dtc(const void *fdt_in, char **dts, char **warnings)
{
  char in[] = "/tmp/fh-dtb-XXXXXX", err[] = "/tmp/fh-dtc-err-XXXXXX";
  char cmd[256];
  void *fdt;
  FILE *p;
  int fd, efd, st;
  char *out;

  if (dts)
    *dts = NULL;
  if (warnings)
    *warnings = NULL;
  if (system("command -v dtc >/dev/null 2>&1") != 0)
    return -1;
  fdt = malloc(fdt_totalsize(fdt_in));
  if (!fdt)
    abort();
  memcpy(fdt, fdt_in, fdt_totalsize(fdt_in));
  FDT_TRY(fdt_pack(fdt));
  fd = mkstemp(in);
  efd = mkstemp(err);
  if (fd < 0 || efd < 0)
    abort();
  if (write(fd, fdt, fdt_totalsize(fdt)) != (ssize_t)fdt_totalsize(fdt))
    abort();
  close(fd);
  free(fdt);
  snprintf(cmd, sizeof cmd, "dtc -I dtb -O dts %s 2>%s", in, err);
  p = popen(cmd, "r");
  if (!p)
    abort();
  out = slurp(p);
  st = pclose(p);
  if (dts)
    *dts = out;
  else
    free(out);
  p = fdopen(efd, "r");
  if (!p)
    abort();
  out = slurp(p);
  fclose(p);
  if (warnings)
    *warnings = out;
  else
    free(out);
  unlink(in);
  unlink(err);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

const void *fh_prop(const void *fdt, const char *path, const char *prop,
                    int *len)
{
  int node = fdt_path_offset(fdt, path);
  *len = -1;
  if (node < 0)
    return NULL;
  return fdt_getprop(fdt, node, prop, len);
}

int fh_prop_cells(const void *fdt, const char *path, const char *prop,
                  uint32_t *cells, int max)
{
  int len, i;
  const fdt32_t *v = fh_prop(fdt, path, prop, &len);
  if (!v || len < 0 || len % 4)
    return -1;
  for (i = 0; i < len / 4 && i < max; i++)
    cells[i] = fdt32_to_cpu(v[i]);
  return len / 4;
}
