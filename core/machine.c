/*
** core/machine.c - machine assembly, the host table and the run loop.
**
** Bring-up stages, in order: memory map, MMU, frontend, vCPUs, engine,
** devices, device tree, boot images.  A failing stage names itself and
** the plugin; every stage that succeeded is torn down in reverse order by
** vmrun__machine_free (which copes with a partly built machine).
**
** Run loop (one host thread; harts are scheduled round-robin in slices):
** the engine runs a hart until its instruction budget is spent, an exit
** is requested (IRQ, timer, stop) or it halts (WFI); between slices the
** core fires due timers, polls character input and delivers interrupts
** through the frontend.
*/
#include "vmrun-config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libfdt.h>

#include "core.h"
#include "lua.h"

int vmrun__verbose;

#define SLICE_INSNS 200000u   /* instructions per hart per slice */
#define STALL_EXCEPTIONS 1000000u /* exceptions in a row, none retiring */

void vmrun__log(vmrun_machine *m, enum vmrun_log_level lvl, const char *fmt,
                ...)
{
  static const char *const tag[] = { "error", "warning", "info", "debug" };
  char line[1024];
  va_list ap;
  (void)m;
  if ((int)lvl > VMRUN_LOG_WARN + vmrun__verbose) return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  vmrun__diag("vmrun: %s: %s", tag[lvl <= VMRUN_LOG_DEBUG ? lvl : 3], line);
}

static void host_error(vmrun_machine *m, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m->errbuf, sizeof m->errbuf, fmt, ap);
  va_end(ap);
}

/* ---- vCPU services ---- */

static void host_cpu_kick(vmrun_machine *m, uint32_t hart, uint32_t bits)
{
  if (hart < m->n_cpus)
    __atomic_or_fetch(&m->cpus[hart]->exit_request, bits, __ATOMIC_SEQ_CST);
}

static void host_cpu_set_irq(vmrun_machine *m, uint32_t hart, uint32_t line,
                             int level)
{
  vmrun_cpu *cpu;
  uint64_t bit = 1ull << (line & 63);
  if (hart >= m->n_cpus || line >= 64) return;
  cpu = m->cpus[hart];
  if (level) __atomic_or_fetch(&cpu->irq_pending, bit, __ATOMIC_SEQ_CST);
  else __atomic_and_fetch(&cpu->irq_pending, ~bit, __ATOMIC_SEQ_CST);
  host_cpu_kick(m, hart, VMRUN_EXIT_IRQ);
}

static uint32_t host_cpu_count(vmrun_machine *m) { return m->n_cpus; }

static vmrun_cpu *host_cpu_get(vmrun_machine *m, uint32_t hart)
{
  return hart < m->n_cpus ? m->cpus[hart] : NULL;
}

/* Platform IRQ lines go to the registered controller; levels set before
** it registers are remembered and replayed. */
static void irq_line_set(void *opaque, uint32_t num, int level)
{
  vmrun_machine *m = opaque;
  if (m->irqc_set) m->irqc_set(m->irqc_opaque, num, level);
  else if (num < sizeof m->irq_early) m->irq_early[num] = (uint8_t)!!level;
}

static int host_irq_line(vmrun_machine *m, uint32_t num, vmrun_irq_line *out)
{
  out->set = irq_line_set;
  out->opaque = m;
  out->num = num;
  return 0;
}

static int host_irqc_register(vmrun_machine *m,
                              void (*set)(void *, uint32_t, int),
                              void *opaque)
{
  if (m->irqc_set) return -VMRUN_EEXIST;
  m->irqc_set = set;
  m->irqc_opaque = opaque;
  for (uint32_t i = 0; i < sizeof m->irq_early; i++)
    if (m->irq_early[i]) set(opaque, i, 1);
  return 0;
}

/* ---- guest virtual memory through the MMU ---- */


static int host_vmem_translate(vmrun_cpu *cpu, uint64_t va,
                               enum vmrun_access acc, unsigned idx,
                               uint64_t *pa)
{
  vmrun_machine *m = cpu->machine;
  return m->mmu->translate(m->mmu_inst, cpu, va, acc, idx, pa);
}

static int host_vmem_access(vmrun_cpu *cpu, uint64_t va, unsigned size,
                            enum vmrun_access acc, unsigned idx, uint64_t *val)
{
  vmrun_machine *m = cpu->machine;
  return m->mmu->access(m->mmu_inst, cpu, va, size, acc, idx, val);
}

static int host_code_fetch(vmrun_cpu *cpu, vmrun_ir_block *blk, uint64_t va,
                           unsigned size, uint64_t *val)
{
  vmrun_machine *m = cpu->machine;
  uint64_t pa;
  int f;
  /* One page at a time so each page is translated and recorded. */
  if (((va + size - 1) ^ va) & VMRUN_PAGE_MASK) {
    uint64_t lo = 0, hi = 0;
    unsigned n1 = (unsigned)(VMRUN_PAGE_SIZE - (va & (VMRUN_PAGE_SIZE - 1)));
    if ((f = host_code_fetch(cpu, blk, va, n1, &lo)) != 0) return f;
    if ((f = host_code_fetch(cpu, blk, va + n1, size - n1, &hi)) != 0) return f;
    *val = lo | (hi << (8 * n1));
    return 0;
  }
  f = m->mmu->translate(m->mmu_inst, cpu, va, VMRUN_ACCESS_FETCH,
                        cpu->mmu_idx_fetch, &pa);
  if (f) return f;
  if (m->host.phys_access(m, pa, size, 0, val) < 0) return VMRUN_FAULT_ACCESS;
  vmrun__phys_mark_code(m, pa, size);
  if (((pa ^ blk->phys_pc) & VMRUN_PAGE_MASK) != 0)
    blk->phys_page2 = pa & VMRUN_PAGE_MASK;
  return 0;
}

static int host_mmu_set_paging(vmrun_cpu *cpu, unsigned idx,
                               const vmrun_paging *p)
{
  vmrun_machine *m = cpu->machine;
  int rc;
  if (m->check) vmrun__check_paging(m, cpu, idx, p); /* before: may undo */
  rc = m->mmu->set_paging(m->mmu_inst, cpu, idx, p);
  if (rc == 0) vmrun__engines_vcache_flush(m, cpu);
  return rc;
}

static void host_tlb_flush(vmrun_cpu *cpu, uint64_t va)
{
  vmrun_machine *m = cpu->machine;
  if (va != VMRUN_TLB_INVALID && VMRUN_MMU_HAS(m->mmu, tlb_flush_page) &&
      m->mmu->tlb_flush_page) {
    /* one page, unless a superpage the engines fetched from covers it */
    if (m->mmu->tlb_flush_page(m->mmu_inst, cpu, va))
      vmrun__engines_vcache_flush(m, cpu);
    else
      vmrun__engines_vcache_flush_page(m, cpu, va);
    return;
  }
  m->mmu->tlb_flush(m->mmu_inst, cpu, va);
  vmrun__engines_vcache_flush(m, cpu);
}

/* ---- config accessors, phandles, shutdown ---- */

static uint32_t host_fdt_phandle(vmrun_machine *m, const char *label)
{
  return vmrun__fdt_phandle(m, label);
}

static void host_shutdown(vmrun_machine *m, enum vmrun_shutdown_kind kind,
                          int code)
{
  if (m->stop) return;               /* first request wins */
  m->shutdown_kind = kind;
  m->exit_code = code;
  m->stop = 1;
  for (uint32_t i = 0; i < m->n_cpus; i++)
    host_cpu_kick(m, i, VMRUN_EXIT_STOP);
}

static void host_trap_event(vmrun_cpu *cpu, const vmrun_trap_info *ti)
{
  if (cpu && ti && cpu->machine && cpu->machine->lua)
    vmrun__lua_trap(cpu->machine, cpu, ti);
}

static void host_table_init(vmrun_host *h)
{
  memset(h, 0, sizeof *h);
  h->struct_size = sizeof *h;
  h->abi_major = VMRUN_ABI_MAJOR;
  h->abi_minor = VMRUN_ABI_MINOR;
  h->log = vmrun__log;
  h->cfg_get = vmrun__cfg_get;
  h->cfg_u64 = vmrun__cfg_u64;
  h->cfg_str = vmrun__cfg_str;
  h->cfg_bool = vmrun__cfg_bool;
  h->cfg_check_keys = vmrun__cfg_check_keys;
  h->cfg_error = vmrun__cfg_error;
  h->cfg_path = vmrun__cfg_path;
  vmrun__host_init_physmem(h);
  h->vmem_translate = host_vmem_translate;
  h->vmem_access = host_vmem_access;
  h->code_fetch = host_code_fetch;
  h->mmu_set_paging = host_mmu_set_paging;
  h->tlb_flush = host_tlb_flush;
  h->cpu_set_irq = host_cpu_set_irq;
  h->cpu_kick = host_cpu_kick;
  h->cpu_count = host_cpu_count;
  h->cpu_get = host_cpu_get;
  h->irq_line = host_irq_line;
  h->irq_controller_register = host_irqc_register;
  vmrun__host_init_clock(h);
  vmrun__host_init_chardev(h);
  h->fdt_phandle = host_fdt_phandle;
  h->shutdown = host_shutdown;
  h->error = host_error;
  h->trap_event = host_trap_event;
}

/* ---- bring-up ---- */

static int stage_memory(vmrun_machine *m)
{
  vmrun_machine_desc *d = &m->desc;
  int rc = vmrun__phys_add(m, "ram", VMRUN_REGION_RAM, d->ram_base,
                           d->ram_size, NULL, NULL);
  if (rc < 0) return rc;
  for (size_t i = 0; i < d->n_memory; i++) {
    vmrun_memory_desc *md = &d->memory[i];
    int rom = strcmp(md->type, "rom") == 0;
    rc = vmrun__phys_add(m, md->name, rom ? VMRUN_REGION_ROM : VMRUN_REGION_RAM,
                         md->base, md->size, NULL, NULL);
    if (rc < 0) return rc;
    if (md->file) {
      uint64_t entry, end;
      vmrun_region *r = vmrun__phys_find(m, md->base);
      size_t len;
      uint8_t *buf = vmrun__read_file(md->file, &len);
      (void)entry; (void)end;
      if (!buf) return -VMRUN_ENOENT;
      if (len > md->size) {
        vmrun__diag("vmrun: %s: %zu bytes do not fit in memory region '%s' "
                    "(%llu bytes)", md->file, len, md->name,
                    (unsigned long long)md->size);
        free(buf);
        return -VMRUN_ERANGE;
      }
      memcpy(r->host, buf, len);
      free(buf);
    }
  }
  return 0;
}

static int load_kind(vmrun_machine *m, enum vmrun_plugin_kind kind,
                     const char *name, vmrun_plugin *p, const void **ops)
{
  int rc = vmrun__plugin_load(kind, name, p);
  if (rc < 0) return rc;
  *ops = p->desc->ops;
  (void)m;
  return 0;
}

static int stage_plugins(vmrun_machine *m)
{
  vmrun_machine_desc *d = &m->desc;
  int rc;
  const void *ops;

  if (strcmp(d->accel, "kvm") == 0) {
    vmrun__diag("vmrun: %s: machine.accel: kvm: no accelerator plugin is "
                "available in this vmrun (use none or auto)", d->file);
    return -VMRUN_ENOTSUP;
  }
  if (strcmp(d->accel, "auto") == 0)
    vmrun__log(m, VMRUN_LOG_INFO, "accel: auto: no accelerator plugin, "
               "using engine '%s'", d->engine);

  if ((rc = load_kind(m, VMRUN_PLUGIN_MMU, d->mmu, &m->mmu_plugin, &ops)) < 0)
    return rc;
  m->mmu = ops;
  if ((rc = m->mmu->create(&m->host, m, NULL, &m->mmu_inst)) < 0) {
    vmrun__diag("vmrun: mmu plugin '%s' failed to start (error %d)%s%s",
                d->mmu, rc, *m->errbuf ? ": " : "", m->errbuf);
    m->mmu_inst = NULL;
    return rc;
  }
  if ((rc = load_kind(m, VMRUN_PLUGIN_FRONTEND, d->frontend, &m->fe_plugin,
                      &ops)) < 0)
    return rc;
  m->fe = ops;
  if (strcmp(m->fe->isa, d->arch) != 0) {
    vmrun__diag("vmrun: %s: frontend '%s' implements ISA '%s', but "
                "machine.arch is '%s'", d->file, d->frontend, m->fe->isa,
                d->arch);
    return -VMRUN_EINVAL;
  }
  if (m->fe->cpu_state_size < sizeof(vmrun_cpu)) {
    vmrun__diag("vmrun: frontend '%s': cpu_state_size %u is smaller than "
                "the vCPU header", d->frontend, m->fe->cpu_state_size);
    return -VMRUN_EABI;
  }
  if (d->ram_base == VMRUN_DESC_UNSET) d->ram_base = m->fe->default_ram_base;
  if ((rc = m->fe->create(&m->host, m, NULL, &m->fe_inst)) < 0) {
    vmrun__diag("vmrun: frontend plugin '%s' failed to start (error %d)",
                d->frontend, rc);
    m->fe_inst = NULL;
    return rc;
  }
  if ((rc = load_kind(m, VMRUN_PLUGIN_ENGINE, d->engine, &m->engine_plugin,
                      &ops)) < 0)
    return rc;
  m->engine = ops;
  return 0;
}

static int stage_cpus(vmrun_machine *m)
{
  uint32_t n = (uint32_t)m->desc.harts;
  m->cpus = calloc(n, sizeof *m->cpus);
  if (!m->cpus) return -VMRUN_ENOMEM;
  for (uint32_t i = 0; i < n; i++) {
    vmrun_cpu *cpu = aligned_alloc(64, (m->fe->cpu_state_size + 63) & ~63u);
    int rc;
    if (!cpu) return -VMRUN_ENOMEM;
    memset(cpu, 0, (m->fe->cpu_state_size + 63) & ~63u);
    cpu->hart_id = i;
    cpu->machine = m;
    m->cpus[m->n_cpus++] = cpu;
    if ((rc = m->mmu->cpu_attach(m->mmu_inst, cpu)) < 0) {
      vmrun__diag("vmrun: mmu '%s' cannot attach hart %u (error %d)",
                  m->desc.mmu, i, rc);
      return rc;
    }
    if ((rc = m->fe->cpu_reset(m->fe_inst, cpu)) < 0) {
      vmrun__diag("vmrun: frontend '%s' cannot reset hart %u (error %d)",
                  m->desc.frontend, i, rc);
      return rc;
    }
  }
  return 0;
}

static int stage_engine(vmrun_machine *m)
{
  unsigned long lines;
  int rc;
  m->engine_env.struct_size = sizeof m->engine_env;
  m->engine_env.fe = m->fe;
  m->engine_env.fe_inst = m->fe_inst;
  m->engine_env.mmu = m->mmu;
  m->engine_env.mmu_inst = m->mmu_inst;
  m->engine_env.max_block_insns = 256;
  m->engine_env.trace = (uint32_t)m->trace;
  m->engine_env.direct = &m->direct;   /* filled by user mode */
  m->engine_env.ram = &m->ram_window;
  if (!m->desc.user_mode && !m->check) {
    /* the RAM window: the main RAM region (stage_memory's first) */
    vmrun_region *r = vmrun__phys_find(m, m->desc.ram_base);
    if (r && r->kind == VMRUN_REGION_RAM) {
      /* a byte per 8 bytes of RAM, reserved but only touched (backed)
      ** where code is translated or data stored; without it, no window.
      ** Asked for just below the RAM (a hint, which the kernel may
      ** refuse), so that an engine reaches it with a 32-bit displacement
      ** from its RAM base register (tjit: emit_code_checks). */
      size_t len = (size_t)(r->size >> VMRUN_RAM_GRANULE_BITS);
      size_t span = (len + 0xfff) & ~(size_t)0xfff;
      void *hint = (uintptr_t)r->host > span ? r->host - span : NULL;
      void *g = mmap(hint, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (g != MAP_FAILED) {
        m->ram_granules = g;
        m->ram_granules_len = len;
        m->ram_window.host = r->host;
        m->ram_window.base = r->base;
        m->ram_window.size = r->size;
        m->ram_window.code_granules = g;
      }
    }
  }
  /* blocks may continue past conditional branches, unless Lua hooks may
  ** count and cover basic blocks */
  m->engine_env.block_flags = VMRUN_IR_BLK_SIDE_EXITS |
                              VMRUN_IR_BLK_FOLLOW_JUMPS;
  if (vmrun__lua_wanted(&m->desc)) { /* hooks may need instrumentation */
    m->engine_env.instrument = vmrun__lua_instrument;
    m->engine_env.instrument_opaque = m;
    m->engine_env.block_flags = 0;
  }
  lines = vmrun__diag_count;
  rc = m->engine->create(&m->host, m, m->desc.engine_options, &m->engine_env,
                         &m->engine_inst);
  if (rc == -VMRUN_ENOTSUP && strcmp(m->desc.engine, "interp") != 0) {
    /* e.g. a JIT on a host it cannot generate code for: one warning line
    ** (the engine says why under -v), then the interpreter */
    const void *ops;
    vmrun__diag("vmrun: warning: engine '%s' is not available on this "
                "host; using 'interp'", m->desc.engine);
    vmrun__plugin_unload(&m->engine_plugin);
    if ((rc = load_kind(m, VMRUN_PLUGIN_ENGINE, "interp", &m->engine_plugin,
                        &ops)) < 0)
      return rc;
    m->engine = ops;
    lines = vmrun__diag_count;
    rc = m->engine->create(&m->host, m, m->desc.engine_options,
                           &m->engine_env, &m->engine_inst);
  }
  if (rc < 0) {
    /* a bad engine_options value: the plugin's line (cfg_*) says it all */
    if (rc != -VMRUN_EINVAL || vmrun__diag_count == lines)
      vmrun__diag("vmrun: engine plugin '%s' failed to start (error %d)",
                  m->desc.engine, rc);
    m->engine_inst = NULL;
    return rc;
  }
  for (uint32_t i = 0; i < m->n_cpus; i++)
    if ((rc = m->engine->cpu_attach(m->engine_inst, m->cpus[i])) < 0) {
      vmrun__diag("vmrun: engine '%s' cannot attach hart %u (error %d)",
                  m->desc.engine, i, rc);
      return rc;
    }
  if (m->check && (rc = vmrun__check_attach(m)) < 0) return rc;
  return 0;
}

static int stage_devices(vmrun_machine *m)
{
  vmrun_machine_desc *d = &m->desc;
  m->devices = calloc(d->n_devices ? d->n_devices : 1, sizeof *m->devices);
  if (!m->devices) return -VMRUN_ENOMEM;
  for (size_t i = 0; i < d->n_devices; i++) {
    vmrun_device *dev = &m->devices[i];
    vmrun_device_config *dc = &d->devices[i];
    unsigned long lines = vmrun__diag_count;
    int rc = vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, dc->type, &dev->plugin);
    if (rc < 0) return rc;   /* the loader's line names the plugin */
    m->n_devices++;
    dev->ops = dev->plugin.desc->ops;
    dev->cfg = dc;
    m->errbuf[0] = 0;
    rc = dev->ops->create(&m->host, m, dc, &dev->inst);
    if (rc < 0) {
      if (vmrun__diag_count != lines)
        ;                    /* the device or the core already said why */
      else if (m->errbuf[0])
        vmrun__cfg_error(dc->node, "device '%s': %s", dc->name, m->errbuf);
      else
        vmrun__cfg_error(dc->node, "device '%s' (%s) failed to start "
                         "(error %d)", dc->name, dc->type, rc);
      dev->inst = NULL;
      return rc;
    }
  }
  return 0;
}

vmrun_machine *vmrun__machine_new(vmrun_machine_desc *desc, int verbose,
                                  int trace, uint64_t max_insns)
{
  vmrun_machine *m = calloc(1, sizeof *m);
  vmrun_boot_info bi;
  if (!m) {
    vmrun__diag("vmrun: out of memory");
    vmrun__desc_free(desc);
    return NULL;
  }
  m->desc = *desc;            /* the machine owns the description now */
  memset(desc, 0, sizeof *desc);
  m->verbose = verbose;
  m->trace = trace;
  m->max_insns = max_insns;
  m->clock_mode = strcmp(m->desc.clock, "icount") == 0 ? VMRUN_CLOCK_ICOUNT
                                                       : VMRUN_CLOCK_HOST;
  m->icount_ns = m->desc.icount_ns ? m->desc.icount_ns : 1;
  m->timebase_hz = m->desc.timebase_hz ? m->desc.timebase_hz : 10000000;
  host_table_init(&m->host);
  vmrun__clock_init(m);

  if (stage_plugins(m) < 0) goto fail;
  /* --engine-check: before the vCPUs, whose reset installs the paging
  ** regimes it keeps track of */
  if (m->desc.engine_check && vmrun__check_init(m) < 0) goto fail;
  if (stage_memory(m) < 0) goto fail;
  if (stage_cpus(m) < 0) goto fail;
  if (stage_engine(m) < 0) goto fail;
  if (m->desc.user_mode) {      /* core/user.c does the rest */
    vmrun__clock_init(m);
    return m;
  }
  if (stage_devices(m) < 0) goto fail;
  if (vmrun__fdt_build(m) < 0) goto fail;
  if (vmrun__boot_load(m, &bi) < 0) goto fail;
  for (uint32_t i = 0; i < m->n_cpus; i++) {
    int rc = m->fe->boot(m->fe_inst, m->cpus[i], &bi);
    if (rc < 0) {
      vmrun__diag("vmrun: frontend cannot set up hart %u for boot (error %d)",
                  i, rc);
      goto fail;
    }
  }
  vmrun__clock_init(m);
  return m;
fail:
  vmrun__machine_free(m);
  return NULL;
}

void vmrun__machine_free(vmrun_machine *m)
{
  if (!m) return;
  vmrun__lua_free(m);           /* first: __gc may still use the machine */
  for (size_t i = m->n_devices; i-- > 0;) {
    vmrun_device *dev = &m->devices[i];
    if (dev->inst && dev->ops->destroy) dev->ops->destroy(dev->inst);
    vmrun__plugin_unload(&dev->plugin);
  }
  free(m->devices);
  vmrun__check_free(m);         /* the reference engine's per-vCPU data */
  for (uint32_t i = m->n_cpus; i-- > 0;) {
    vmrun_cpu *cpu = m->cpus[i];
    if (m->engine_inst && m->engine->cpu_detach && cpu->engine_data)
      m->engine->cpu_detach(m->engine_inst, cpu);
    if (m->mmu_inst && m->mmu->cpu_detach && cpu->tlb)
      m->mmu->cpu_detach(m->mmu_inst, cpu);
    free(cpu);
  }
  free(m->cpus);
  if (m->engine_inst) m->engine->destroy(m->engine_inst);
  vmrun__plugin_unload(&m->engine_plugin);
  if (m->direct_code)
    munmap(m->direct_code, (size_t)1 << (m->direct.va_bits - VMRUN_PAGE_BITS));
  if (m->ram_granules) munmap(m->ram_granules, m->ram_granules_len);
  if (m->fe_inst) m->fe->destroy(m->fe_inst);
  vmrun__plugin_unload(&m->fe_plugin);
  if (m->mmu_inst) m->mmu->destroy(m->mmu_inst);
  vmrun__plugin_unload(&m->mmu_plugin);
  vmrun__timers_free(m);
  vmrun__chardevs_free(m);
  vmrun__phys_free(m);
  for (size_t i = 0; i < m->n_labels; i++) free(m->labels[i].label);
  free(m->labels);
  free(m->fdt);
  vmrun__desc_free(&m->desc);
  free(m);
}

/* ---- running ---- */

static uint64_t total_icount(vmrun_machine *m)
{
  uint64_t n = 0;
  for (uint32_t i = 0; i < m->n_cpus; i++) n += m->cpus[i]->icount;
  return n;
}

/* Instructions to run before the next timer deadline (icount mode). */
static uint64_t slice_for(vmrun_machine *m)
{
  uint64_t s = SLICE_INSNS;
  if (m->clock_mode == VMRUN_CLOCK_ICOUNT && m->next_deadline != UINT64_MAX) {
    uint64_t now = vmrun__clock_ns(m);
    uint64_t left = m->next_deadline > now ? m->next_deadline - now : 0;
    uint64_t insns = left / m->icount_ns / (m->n_cpus ? m->n_cpus : 1) + 1;
    if (insns < s) s = insns;
  }
  if (m->max_insns) {
    uint64_t done = total_icount(m);
    uint64_t left = m->max_insns > done ? m->max_insns - done : 0;
    if (left < s) s = left;
  }
  if (m->lua) {                 /* vmrun.every() due */
    uint64_t l = vmrun__lua_slice_limit(m);
    if (l < s) s = l;
  }
  return s;
}

/* Every hart is halted: let time pass until the next timer or input. */
static void idle(vmrun_machine *m)
{
  uint64_t now = vmrun__clock_ns(m);
  if (m->next_deadline == UINT64_MAX) {
    if (!vmrun__chardev_can_input(m)) {
      /* no timer armed and no input source: no interrupt can ever come */
      vmrun__diag("vmrun: every hart waits for an interrupt (WFI) and no "
                  "timer or input can deliver one; stopping (hart 0 at "
                  "pc=0x%llx)", (unsigned long long)m->cpus[0]->pc);
      m->shutdown_kind = VMRUN_SHUTDOWN_ERROR;
      m->stop = 1;
      return;
    }
    vmrun__chardev_poll(m, 10);
    return;
  }
  if (m->next_deadline <= now) return;
  if (m->clock_mode == VMRUN_CLOCK_ICOUNT) {
    m->clock_skip_ns += m->next_deadline - now; /* jump ahead */
    vmrun__chardev_poll(m, 0);
  } else {
    uint64_t wait_ms = (m->next_deadline - now + 999999) / 1000000;
    vmrun__chardev_poll(m, wait_ms > 10 ? 10 : (int)wait_ms);
  }
}

int vmrun__machine_run(vmrun_machine *m)
{
  uint64_t slices = 0;
  while (!m->stop) {
    int all_halted = 1;
    for (uint32_t i = 0; i < m->n_cpus && !m->stop; i++) {
      vmrun_cpu *cpu = m->cpus[i];
      uint32_t req = __atomic_exchange_n(&cpu->exit_request, 0,
                                         __ATOMIC_SEQ_CST);
      if ((req & VMRUN_EXIT_IRQ) || cpu->halted)
        m->fe->interrupt(m->fe_inst, cpu);
      if (req & VMRUN_EXIT_FLUSH) vmrun__engines_flush(m);
      if (cpu->halted) continue;
      all_halted = 0;
      cpu->insn_budget = slice_for(m);
      if (cpu->insn_budget == 0) break;
      m->current_cpu = cpu;
      uint64_t before = cpu->icount, budget = cpu->insn_budget;
      int why = m->check ? vmrun__check_run(m, cpu)
                         : m->engine->run(m->engine_inst, cpu);
      m->current_cpu = NULL;
      if (why == VMRUN__RUN_DIVERGED) return 1;
      if (why == VMRUN_RUN_ERROR) {
        vmrun__diag("vmrun: engine '%s' stopped on an internal error at "
                    "pc=0x%llx", m->desc.engine, (unsigned long long)cpu->pc);
        return 1;
      }
      /* Budget spent without retiring anything went to exceptions
      ** (engine.h).  After STALL_EXCEPTIONS of them in a row the guest can
      ** never make progress (its trap vector faults), which a real hart
      ** would do silently forever. */
      if (cpu->icount == before) {
        m->stall_exceptions += budget - cpu->insn_budget;
        if (m->stall_exceptions >= STALL_EXCEPTIONS) {
          vmrun__diag("vmrun: hart %u retired no instruction in %llu "
                      "exceptions: the guest is stuck in an exception loop "
                      "at pc=0x%llx", cpu->hart_id,
                      (unsigned long long)m->stall_exceptions,
                      (unsigned long long)cpu->pc);
          return 1;
        }
      } else {
        m->stall_exceptions = 0;
      }
      if (m->lua) vmrun__lua_poll(m);
      vmrun__timers_run(m);
    }
    if (m->stop) break;
    if (m->max_insns && total_icount(m) >= m->max_insns) {
      vmrun__diag("vmrun: stopped after %llu instructions (--max-insns)",
                  (unsigned long long)total_icount(m));
      return 124;
    }
    vmrun__timers_run(m);
    if (all_halted) {
      /* a timer that just fired may have woken a hart: check before
      ** sleeping */
      int kicked = 0;
      for (uint32_t i = 0; i < m->n_cpus; i++)
        kicked |= m->cpus[i]->exit_request != 0;
      if (!kicked) idle(m);
    }
    else if ((++slices & 15) == 0) vmrun__chardev_poll(m, 0);
  }
  fflush(stdout);
  switch (m->shutdown_kind) {
  case VMRUN_SHUTDOWN_POWEROFF: return m->exit_code;
  case VMRUN_SHUTDOWN_RESET:
    vmrun__log(m, VMRUN_LOG_INFO, "guest requested a reset; stopping");
    return 0;
  default: return 1;
  }
}

void vmrun__machine_stats(vmrun_machine *m, uint64_t wall_ns, FILE *out)
{
  char buf[2048], *line, *save = NULL;
  uint64_t n = total_icount(m);
  fprintf(out, "stats: instructions %llu\n", (unsigned long long)n);
  fprintf(out, "stats: wall_seconds %.3f\n", (double)wall_ns / 1e9);
  fprintf(out, "stats: mips %.1f\n",
          wall_ns ? (double)n * 1e3 / (double)wall_ns : 0.0);
  fprintf(out, "stats: guest_seconds %.3f\n",
          (double)vmrun__clock_ns(m) / 1e9);
  if (m->engine->stats) {
    buf[0] = 0;
    m->engine->stats(m->engine_inst, buf, sizeof buf);
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
      fprintf(out, "stats: %s\n", line);
  }
  fprintf(out, "stats: smc_page_flushes %llu\n",
          (unsigned long long)m->smc_page_flushes);
  fprintf(out, "stats: smc_data_stores %llu\n",
          (unsigned long long)vmrun__phys_data_stores(m));
  vmrun__check_stats(m, out);
}
