/*
** tests/engine/harness.c - fake host and frontend (see harness.h).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

fake_machine *FM;
int fm_trace;
fm_opt fm_engine_opts[4];
uint64_t fm_default_nan;

static int h_cfg_u64(vmrun_cfg *node, const char *key, uint64_t def,
                     uint64_t *out)
{
  const fm_opt *o = (const fm_opt *)(void *)node;
  *out = def;
  for (; node && o < fm_engine_opts + 4 && o->key; o++)
    if (!strcmp(o->key, key)) {
      if (o->bad) return -VMRUN_EINVAL;
      *out = o->val;
    }
  return 0;
}

/* ---- fake host ---- */

static void h_log(vmrun_machine *m, enum vmrun_log_level lvl,
                  const char *fmt, ...)
{
  va_list ap;
  (void)m;
  if (lvl == VMRUN_LOG_ERROR) FM->n_log_err++;
  va_start(ap, fmt);
  fprintf(stderr, "[log %d] ", (int)lvl);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void (*fm_mmio_hook)(void);

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
  fake_machine *fm = opaque;
  if (fm_mmio_hook) fm_mmio_hook();
  if (fm->n_mmio < 64)
    fm->mmio[fm->n_mmio++] = (mmio_rec){ off, size, 0, 0 };
  return fm->mmio_read_val;
}

static void mmio_write(void *opaque, uint64_t off, unsigned size,
                       uint64_t val)
{
  fake_machine *fm = opaque;
  if (fm_mmio_hook) fm_mmio_hook();
  if (fm->n_mmio < 64)
    fm->mmio[fm->n_mmio++] = (mmio_rec){ off, size, 1, val };
}

static const vmrun_mmio_ops mmio_ops = { mmio_read, mmio_write };

static void h_phys_lookup(vmrun_machine *m, uint64_t gpa,
                          vmrun_region_info *out)
{
  fake_machine *fm = (fake_machine *)m;
  memset(out, 0, sizeof *out);
  if (gpa >= RAM_BASE && gpa - RAM_BASE < RAM_SIZE) {
    out->kind = VMRUN_REGION_RAM;
    out->base = RAM_BASE; out->size = RAM_SIZE; out->host = fm->ram;
  } else if (gpa >= ROM_BASE && gpa - ROM_BASE < ROM_SIZE) {
    out->kind = VMRUN_REGION_ROM;
    out->base = ROM_BASE; out->size = ROM_SIZE; out->host = fm->rom;
  } else if (gpa >= MMIO_BASE && gpa - MMIO_BASE < MMIO_SIZE) {
    out->kind = VMRUN_REGION_MMIO;
    out->base = MMIO_BASE; out->size = MMIO_SIZE;
    out->ops = &mmio_ops; out->opaque = fm;
  }
}

static void h_code_written(vmrun_machine *m, uint64_t gpa, uint64_t len)
{
  fake_machine *fm = (fake_machine *)m;
  if (fm->n_cw < 64) {
    fm->cw_gpa[fm->n_cw] = gpa;
    fm->cw_len[fm->n_cw] = len;
    fm->n_cw++;
  }
  /* like the core: clear the code mark, drop the page's translations */
  if (gpa >= RAM_BASE && gpa - RAM_BASE < RAM_SIZE) {
    uint64_t pg = (gpa - RAM_BASE) >> VMRUN_PAGE_BITS;
    if (fm->code_page[pg]) {
      fm->code_page[pg] = 0;
      if (fm->eng)
        fm->eng->invalidate(fm->eng_inst, gpa & VMRUN_PAGE_MASK,
                            VMRUN_PAGE_SIZE);
    }
  }
}

static int h_phys_access(vmrun_machine *m, uint64_t gpa, unsigned size,
                         int is_write, uint64_t *val)
{
  vmrun_region_info ri;
  uint64_t off;
  h_phys_lookup(m, gpa, &ri);
  if (ri.kind == VMRUN_REGION_NONE || size > ri.size - (gpa - ri.base))
    return -VMRUN_EFAULT;
  off = gpa - ri.base;
  switch (ri.kind) {
  case VMRUN_REGION_RAM:
    if (is_write) { memcpy(ri.host + off, val, size); h_code_written(m, gpa, size); }
    else { *val = 0; memcpy(val, ri.host + off, size); }
    return 0;
  case VMRUN_REGION_ROM:
    if (!is_write) { *val = 0; memcpy(val, ri.host + off, size); }
    return 0;
  case VMRUN_REGION_MMIO:
    if (is_write) ri.ops->write(ri.opaque, off, size, *val);
    else *val = ri.ops->read(ri.opaque, off, size);
    return 0;
  default:
    return -VMRUN_EFAULT;
  }
}

static int h_phys_is_code(vmrun_machine *m, uint64_t gpa)
{
  fake_machine *fm = (fake_machine *)m;
  if (gpa >= RAM_BASE && gpa - RAM_BASE < RAM_SIZE)
    return fm->code_page[(gpa - RAM_BASE) >> VMRUN_PAGE_BITS];
  return 0;
}

static vmrun_code_map *h_code_map(vmrun_machine *m, uint64_t gpa)
{
  fake_machine *fm = (fake_machine *)m;
  if (gpa >= RAM_BASE && gpa - RAM_BASE < RAM_SIZE)
    return fm->code_map[(gpa - RAM_BASE) >> VMRUN_PAGE_BITS];
  return NULL;
}

vmrun_host fake_host;

/* ---- fake frontend ---- */

static int fe_translate(void *inst, vmrun_cpu *cpu, vmrun_ir_block *blk)
{
  (void)inst; (void)cpu;
  FM->n_translate++;
  if (FM->translate_ret) return FM->translate_ret;
  for (int i = 0; i < FM->n_blocks; i++)
    if (FM->blocks[i].pc == blk->pc) {
      FM->blocks[i].fn(blk, FM->blocks[i].arg);
      /* what the core's code_fetch does: mark the page as code */
      if (blk->phys_pc >= RAM_BASE && blk->phys_pc - RAM_BASE < RAM_SIZE) {
        uint64_t pg = (blk->phys_pc - RAM_BASE) >> VMRUN_PAGE_BITS;
        if (!FM->code_page[pg]) {
          FM->code_page[pg] = 1;
          FM->mmu->code_page_added(FM->mmu_inst,
                                   blk->phys_pc & VMRUN_PAGE_MASK);
        }
      }
      return 0;
    }
  return VMRUN_FAULT_ACCESS;
}

static void fe_raise_fault(void *inst, vmrun_cpu *cpu, enum vmrun_access acc,
                           enum vmrun_fault fault, uint64_t va)
{
  (void)inst;
  FM->n_faults++;
  FM->f_acc = acc;
  FM->f_fault = fault;
  FM->f_va = va;
  FM->f_pc = cpu->pc;
  FM->f_icount = cpu->icount;
  cpu->pc = TRAP_PC;
  if (FM->fault_stop) cpu->exit_request |= VMRUN_EXIT_STOP;
}

vmrun_frontend_ops fake_fe;

/* ---- set-up ---- */

void fm_setup(int with_engine, uint32_t max_insns)
{
  vmrun_engine_env env;
  void *inst;
  int r;
  FM = calloc(1, sizeof *FM);
  FM->ram = calloc(1, RAM_SIZE);
  FM->rom = calloc(1, ROM_SIZE);
  for (unsigned i = 0; i < ROM_SIZE; i++) FM->rom[i] = (uint8_t)(0xA5 + i);
  FM->fault_stop = 1;

  memset(&fake_host, 0, sizeof fake_host);
  fake_host.struct_size = sizeof fake_host;
  fake_host.abi_major = VMRUN_ABI_MAJOR;
  fake_host.abi_minor = VMRUN_ABI_MINOR;
  fake_host.log = h_log;
  fake_host.phys_lookup = h_phys_lookup;
  fake_host.phys_access = h_phys_access;
  fake_host.phys_is_code = h_phys_is_code;
  fake_host.code_written = h_code_written;
  fake_host.code_map = h_code_map;
  fake_host.cfg_u64 = h_cfg_u64;

  memset(&fake_fe, 0, sizeof fake_fe);
  fake_fe.struct_size = sizeof fake_fe;
  fake_fe.cpu_state_size = sizeof(fake_cpu);
  fake_fe.isa = "fake";
  fake_fe.translate = fe_translate;
  fake_fe.raise_fault = fe_raise_fault;
  /* accrued FP flags for VMRUN_IR_F_FP hints (tests/tjit/test_fp.c) */
  fake_fe.fp_flags_off = (uint32_t)offsetof(fake_cpu, b32);
  fake_fe.fp_inexact = 1;         /* and the others as RISC-V's fflags */
  fake_fe.fp_underflow = 2;
  fake_fe.fp_overflow = 4;
  fake_fe.fp_divzero = 8;
  fake_fe.fp_invalid = 16;
  fake_fe.fp_default_nan = fm_default_nan;

  FM->mmu = softmmu_desc.ops;
  r = FM->mmu->create(&fake_host, (vmrun_machine *)FM, NULL, &inst);
  if (r) abort();
  FM->mmu_inst = inst;

  FM->cpu = aligned_alloc(64, sizeof(fake_cpu));
  memset(FM->cpu, 0, sizeof(fake_cpu));
  FM->cpu->hdr.machine = (vmrun_machine *)FM;
  if (FM->mmu->cpu_attach(FM->mmu_inst, &FM->cpu->hdr)) abort();

  if (with_engine) {
    memset(&env, 0, sizeof env);
    env.struct_size = sizeof env;
    env.fe = &fake_fe;
    env.fe_inst = NULL;
    env.mmu = FM->mmu;
    env.mmu_inst = FM->mmu_inst;
    env.max_block_insns = max_insns;
    env.trace = (uint32_t)fm_trace;
    FM->eng = interp_desc.ops;
    r = FM->eng->create(&fake_host, (vmrun_machine *)FM,
                        fm_engine_opts[0].key ? (vmrun_cfg *)(void *)
                                                    fm_engine_opts
                                              : NULL,
                        &env, &inst);
    if (r) abort();
    FM->eng_inst = inst;
    if (FM->eng->cpu_attach(FM->eng_inst, &FM->cpu->hdr)) abort();
  }
}

const vmrun_ram_window *fm_ram;

void fm_engine_recreate(vmrun_cfg *opts, const vmrun_direct_mem *direct)
{
  vmrun_engine_env env;
  void *inst = NULL;
  FM->eng->cpu_detach(FM->eng_inst, &FM->cpu->hdr);
  FM->eng->destroy(FM->eng_inst);
  memset(&env, 0, sizeof env);
  env.struct_size = sizeof env;
  env.fe = &fake_fe;
  env.mmu = FM->mmu;
  env.mmu_inst = FM->mmu_inst;
  env.max_block_insns = 32;
  env.direct = direct;
  env.ram = fm_ram;
  if (FM->eng->create(&fake_host, (vmrun_machine *)FM, opts, &env, &inst))
    abort();
  FM->eng_inst = inst;
  if (FM->eng->cpu_attach(FM->eng_inst, &FM->cpu->hdr)) abort();
}

fake_cpu *fm_add_cpu(void)
{
  fake_cpu *c = aligned_alloc(64, sizeof(fake_cpu));
  if (!c || FM->cpu2) abort();
  memset(c, 0, sizeof *c);
  c->hdr.machine = (vmrun_machine *)FM;
  c->hdr.hart_id = 1;
  if (FM->mmu->cpu_attach(FM->mmu_inst, &c->hdr)) abort();
  if (FM->eng && FM->eng->cpu_attach(FM->eng_inst, &c->hdr)) abort();
  FM->cpu2 = c;
  return c;
}

int fm_run_cpu(fake_cpu *cpu, uint64_t pc, uint64_t budget)
{
  cpu->hdr.pc = pc;
  cpu->hdr.insn_budget = budget;
  return FM->eng->run(FM->eng_inst, &cpu->hdr);
}

void fm_teardown(void)
{
  if (!FM) return;
  if (FM->cpu2) {
    if (FM->eng) FM->eng->cpu_detach(FM->eng_inst, &FM->cpu2->hdr);
    FM->mmu->cpu_detach(FM->mmu_inst, &FM->cpu2->hdr);
    free(FM->cpu2);
  }
  if (FM->eng) {
    FM->eng->cpu_detach(FM->eng_inst, &FM->cpu->hdr);
    FM->eng->destroy(FM->eng_inst);
  }
  FM->mmu->cpu_detach(FM->mmu_inst, &FM->cpu->hdr);
  FM->mmu->destroy(FM->mmu_inst);
  free(FM->cpu);
  free(FM->ram);
  free(FM->rom);
  free(FM);
  FM = NULL;
}

void fm_block(uint64_t pc, builder_fn fn, void *arg)
{
  for (int i = 0; i < FM->n_blocks; i++)
    if (FM->blocks[i].pc == pc) {
      FM->blocks[i].fn = fn;
      FM->blocks[i].arg = arg;
      return;
    }
  FM->blocks[FM->n_blocks].pc = pc;
  FM->blocks[FM->n_blocks].fn = fn;
  FM->blocks[FM->n_blocks].arg = arg;
  FM->n_blocks++;
}

int fm_run(uint64_t pc, uint64_t budget)
{
  FM->cpu->hdr.pc = pc;
  FM->cpu->hdr.insn_budget = budget;
  return FM->eng->run(FM->eng_inst, &FM->cpu->hdr);
}

/* ---- IR builders ---- */

vmrun_ir_op *ir(vmrun_ir_block *b, unsigned op, unsigned size, unsigned dst,
                unsigned a, unsigned bb, uint64_t imm, unsigned flags)
{
  vmrun_ir_op *o = vmrun_ir_emit(b, op);
  o->size = (uint8_t)size;
  o->dst = (uint16_t)dst;
  o->a = (uint16_t)a;
  o->b = (uint16_t)bb;
  o->imm = imm;
  o->flags = (uint8_t)flags;
  return o;
}

void ir_insn(vmrun_ir_block *b, uint64_t pc)
{
  vmrun_ir_op *o = vmrun_ir_emit(b, VMRUN_IR_INSN_START);
  o->imm = pc;
  o->a = 4;
  b->n_insns++;
  if (pc + 4 - b->pc > b->size) b->size = (uint32_t)(pc + 4 - b->pc);
}

void ir_movi(vmrun_ir_block *b, unsigned d, uint64_t imm)
{
  ir(b, VMRUN_IR_MOVI, 8, d, 0, 0, imm, 0);
}

void ir_get(vmrun_ir_block *b, unsigned d, unsigned reg)
{
  ir(b, VMRUN_IR_GET, 8, d, 0, 0, XOFF(reg), 0);
}

void ir_put(vmrun_ir_block *b, unsigned reg, unsigned a)
{
  ir(b, VMRUN_IR_PUT, 8, 0, a, 0, XOFF(reg), 0);
}

void ir_exit(vmrun_ir_block *b, uint64_t pc)
{
  ir(b, VMRUN_IR_EXIT_DIRECT, 8, 0, 0, 0, pc, 0);
}

void ir_temps(vmrun_ir_block *b, unsigned n)
{
  while (b->n_temps < n) vmrun_ir_temp(b);
}

void ir_addi(vmrun_ir_block *b, unsigned reg, unsigned t, uint64_t inc)
{
  ir_get(b, t, reg);
  ir(b, VMRUN_IR_ADD, 8, t, t, 0, inc, VMRUN_IR_F_BIMM);
  ir_put(b, reg, t);
}

void build_inc(vmrun_ir_block *b, void *arg)
{
  const inc_blk *p = arg;
  ir_temps(b, 1);
  ir_insn(b, b->pc);
  ir_addi(b, p->reg, 0, p->inc);
  ir_exit(b, p->next);
}

inc_blk *fm_ping_pong(void)
{
  static inc_blk ab[2];
  ab[0] = (inc_blk){ 1, 1, RAM_BASE + 0x1000 };
  ab[1] = (inc_blk){ 2, 1, RAM_BASE };
  fm_block(RAM_BASE, build_inc, &ab[0]);
  fm_block(RAM_BASE + 0x1000, build_inc, &ab[1]);
  return ab;
}

unsigned long long fm_stat(const char *key)
{
  char buf[2048] = "\n", pat[64];
  const char *p;
  FM->eng->stats(FM->eng_inst, buf + 1, sizeof buf - 1);
  snprintf(pat, sizeof pat, "\n%s ", key);
  p = strstr(buf, pat);
  return p ? strtoull(p + strlen(pat), NULL, 10) : ~0ull;
}

/* ---- page tables ---- */

uint64_t *fm_ram64(uint64_t pa)
{
  if (pa < RAM_BASE || pa + 8 > RAM_BASE + RAM_SIZE) abort();
  return (uint64_t *)(void *)(FM->ram + (pa - RAM_BASE));
}

uint64_t fm_mkpte(uint64_t pa, uint64_t flags)
{
  return ((pa >> 12) << 10) | flags;
}

uint64_t fm_pt_alloc(fm_pt *pt)
{
  uint64_t pa = pt->next;
  if (pa + VMRUN_PAGE_SIZE > pt->limit) abort();   /* pool exhausted */
  pt->next += VMRUN_PAGE_SIZE;
  memset(FM->ram + (pa - RAM_BASE), 0, VMRUN_PAGE_SIZE);
  return pa;
}

void fm_pt_init(fm_pt *pt, uint64_t base, uint64_t limit, unsigned levels)
{
  pt->next = base;
  pt->limit = limit;
  pt->levels = levels;
  pt->root = fm_pt_alloc(pt);
}

uint64_t fm_pte_addr(fm_pt *pt, uint64_t va, unsigned level)
{
  uint64_t table = pt->root;
  for (unsigned i = pt->levels - 1;; i--) {
    uint64_t a = table + ((va >> (12 + 9 * i)) & 0x1ff) * 8, pte;
    if (i == level) return a;
    pte = *fm_ram64(a);
    if (!(pte & 1)) {                       /* not V: a new table */
      pte = fm_mkpte(fm_pt_alloc(pt), 1);
      *fm_ram64(a) = pte;
    }
    table = (pte >> 10) << 12;
  }
}
