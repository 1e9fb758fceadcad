/*
** plugins/riscv64/frontend.c - the "riscv64" frontend plugin: descriptor,
** vtable, reset/boot, MMU fault entry, interrupts, device tree and
** register access by name.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "rv_cpu.h"
#include "disas.h"
#include "fp.h"

#define RESET_VECTOR 0x1000ull

static int rv_create(const vmrun_host *host, vmrun_machine *m, vmrun_cfg *opts,
                     void **inst)
{
  static const char *const keys[] = { NULL };
  struct rv_fe *fe;
  if (opts && host->cfg_check_keys) {
    int r = host->cfg_check_keys(opts, keys);
    if (r < 0) return r;
  }
  fe = calloc(1, sizeof *fe);
  if (!fe) return -VMRUN_ENOMEM;
  fe->host = host;
  fe->m = m;
  *inst = fe;
  return 0;
}

static void rv_destroy(void *inst) { free(inst); }

static void bind(struct rv_fe *fe, vmrun_cpu *cpu)
{
  struct rv_cpu *rc = RV(cpu);
  rc->fe = fe;
  rc->host = fe->host;
  cpu->frontend_data = fe;
}

static int rv_cpu_reset(void *inst, vmrun_cpu *cpu)
{
  struct rv_fe *fe = inst;
  struct rv_cpu *rc = RV(cpu);

  /* keep the header; reset the architectural state */
  memset((char *)rc + sizeof(vmrun_cpu), 0, sizeof *rc - sizeof(vmrun_cpu));
  bind(fe, cpu);
  cpu->pc = RESET_VECTOR;
  cpu->priv = PRV_M;
  cpu->halted = 0;
  cpu->trap_taken = 0;
  rc->mstatus = 0;   /* MIE = MPRV = 0 at reset (§3.4); UXL/SXL fixed */
  rc->paging_valid = 0;
  rv_mode_changed(rc);  /* mmu indexes, tb_flags, bare paging in 0, 1, 3 */
  return 0;
}

static int rv_boot(void *inst, vmrun_cpu *cpu, const vmrun_boot_info *bi)
{
  struct rv_fe *fe = inst;
  struct rv_cpu *rc = RV(cpu);

  bind(fe, cpu);
  cpu->pc = bi->entry;
  rc->x[10] = cpu->hart_id;   /* a0 */
  rc->x[11] = bi->fdt_addr;   /* a1 */
  rc->x[12] = bi->info_addr;  /* a2 */
  if (bi->info_addr && cpu->hart_id == bi->boot_hart) {
    /* OpenSBI struct fw_dynamic_info (docs/firmware/fw_dynamic.md) */
    uint64_t info[6] = {
      0x4942534full,   /* magic "OSBI" */
      2,               /* version */
      bi->next_addr,   /* next_addr */
      1,               /* next_mode: S */
      0,               /* options */
      bi->boot_hart    /* boot_hart */
    };
    uint8_t buf[sizeof info];
    unsigned k, j;
    for (k = 0; k < 6; k++)
      for (j = 0; j < 8; j++) buf[8 * k + j] = (uint8_t)(info[k] >> (8 * j));
    int r = fe->host->phys_write(fe->m, bi->info_addr, buf, sizeof buf);
    if (r < 0) {
      fe->host->log(fe->m, VMRUN_LOG_ERROR,
                    "cannot write fw_dynamic_info at 0x%llx",
                    (unsigned long long)bi->info_addr);
      return r;
    }
  }
  return 0;
}

static int rv_translate(void *inst, vmrun_cpu *cpu, vmrun_ir_block *blk)
{
  struct rv_fe *fe = inst;
  if (RV(cpu)->fe != fe) bind(fe, cpu);
  return rv_translate_block(fe, cpu, blk);
}

static void rv_raise_fault(void *inst, vmrun_cpu *cpu, enum vmrun_access acc,
                           enum vmrun_fault fault, uint64_t va)
{
  static const uint8_t cause[3][3] = {
    /*                 MISALIGNED            ACCESS            PAGE */
    [VMRUN_ACCESS_LOAD]  = { EXC_LOAD_MISALIGNED, EXC_LOAD_ACCESS,
                             EXC_LOAD_PAGE_FAULT },
    [VMRUN_ACCESS_STORE] = { EXC_STORE_MISALIGNED, EXC_STORE_ACCESS,
                             EXC_STORE_PAGE_FAULT },
    [VMRUN_ACCESS_FETCH] = { EXC_INSN_MISALIGNED, EXC_INSN_ACCESS,
                             EXC_INSN_PAGE_FAULT },
  };
  unsigned a = (unsigned)acc <= VMRUN_ACCESS_FETCH ? (unsigned)acc : 0;
  unsigned f;
  (void)inst;
  switch (fault) {
  case VMRUN_FAULT_MISALIGNED: f = 0; break;
  case VMRUN_FAULT_PAGE:       f = 2; break;
  default:                     f = 1; break;
  }
  /* no trap_taken here: the engine leaves the block by itself */
  rv_trap(RV(cpu), cause[a][f], va, 0);
}

static int rv_interrupt_op(void *inst, vmrun_cpu *cpu)
{
  (void)inst;
  return rv_interrupt(RV(cpu));
}

/* ---- device tree ---- */

static int fdt_err(int r)
{
  if (r >= 0) return 0;
  return r == -FDT_ERR_NOSPACE ? -VMRUN_ENOSPC : -VMRUN_EINVAL;
}

static int rv_fdt_cpu(void *inst, vmrun_cpu *cpu, void *fdt, int cpu_node)
{
  static const char exts[] = "i\0m\0a\0f\0d\0c\0zicsr\0zifencei";
  struct rv_fe *fe = inst;
  char label[32];
  uint32_t ph;
  int r, ic;

  r = fdt_setprop_string(fdt, cpu_node, "compatible", "riscv");
  if (r == 0) r = fdt_setprop_string(fdt, cpu_node, "riscv,isa",
                                     "rv64imafdc_zicsr_zifencei");
  if (r == 0) r = fdt_setprop_string(fdt, cpu_node, "riscv,isa-base", "rv64i");
  if (r == 0) r = fdt_setprop(fdt, cpu_node, "riscv,isa-extensions", exts,
                              sizeof exts);
  /* the widest satp mode the softmmu implements (Linux probes anyway) */
  if (r == 0) r = fdt_setprop_string(fdt, cpu_node, "mmu-type", "riscv,sv48");
  if (r < 0) return fdt_err(r);

  ic = fdt_add_subnode(fdt, cpu_node, "interrupt-controller");
  if (ic < 0) return fdt_err(ic);
  snprintf(label, sizeof label, "cpu%u-intc", cpu->hart_id);
  ph = fe->host->fdt_phandle(fe->m, label);
  if (ph == 0) return -VMRUN_ENOMEM;
  r = fdt_setprop_string(fdt, ic, "compatible", "riscv,cpu-intc");
  if (r == 0) r = fdt_setprop_u32(fdt, ic, "#interrupt-cells", 1);
  if (r == 0) r = fdt_setprop(fdt, ic, "interrupt-controller", NULL, 0);
  if (r == 0) r = fdt_setprop_u32(fdt, ic, "phandle", ph);
  return fdt_err(r);
}

/* ---- registers by name ---- */

static const char *const abi_names[32] = {
  "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
  "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
  "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
  "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"
};

static const char *const x_names[32] = {
  "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7",
  "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
  "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
  "x24", "x25", "x26", "x27", "x28", "x29", "x30", "x31"
};

static int gpr_by_name(const char *name)
{
  int k;
  for (k = 0; k < 32; k++)
    if (strcmp(name, x_names[k]) == 0 || strcmp(name, abi_names[k]) == 0)
      return k;
  if (strcmp(name, "fp") == 0) return 8;
  return -1;
}

static int rv_reg_get(void *inst, vmrun_cpu *cpu, const char *name,
                      uint64_t *val)
{
  struct rv_cpu *rc = RV(cpu);
  int k, csr;
  (void)inst;
  if (strcmp(name, "pc") == 0) { *val = cpu->pc; return 0; }
  if (strcmp(name, "priv") == 0) { *val = cpu->priv; return 0; }
  if ((k = gpr_by_name(name)) >= 0) { *val = k ? rc->x[k] : 0; return 0; }
  if ((k = rv_fp_reg_by_name(name)) >= 0) { *val = rc->f[k]; return 0; }
  if ((csr = rv_csr_by_name(name)) >= 0 &&
      rv_csr_peek(rc, (unsigned)csr, val) == 0)
    return 0;
  return -VMRUN_ENOENT;
}

static int rv_reg_set(void *inst, vmrun_cpu *cpu, const char *name,
                      uint64_t val)
{
  struct rv_cpu *rc = RV(cpu);
  int k, csr;
  if (inst && rc->fe != inst) bind(inst, cpu);
  if (strcmp(name, "pc") == 0) { cpu->pc = val; return 0; }
  if (strcmp(name, "priv") == 0) {
    if (val != PRV_U && val != PRV_S && val != PRV_M) return -VMRUN_EINVAL;
    cpu->priv = (uint32_t)val;
    rv_mode_changed(rc);
    return 0;
  }
  if ((k = gpr_by_name(name)) >= 0) {
    if (k) rc->x[k] = val;
    return 0;
  }
  if ((k = rv_fp_reg_by_name(name)) >= 0) { rc->f[k] = val; return 0; }
  if ((csr = rv_csr_by_name(name)) >= 0) {
    if (rv_csr_poke(rc, (unsigned)csr, val) != 0) return -VMRUN_EPERM;
    return 0;
  }
  return -VMRUN_ENOENT;
}

/* Enumeration: pc, priv, x0..x31, the CSRs, then f0..f31. */
static const char *rv_reg_name(void *inst, unsigned idx)
{
  const char *n;
  unsigned k = 0;
  (void)inst;
  if (idx == 0) return "pc";
  if (idx == 1) return "priv";
  idx -= 2;
  if (idx < 32) return abi_names[idx]; /* "a0": what disassemblers print */
  if ((n = rv_csr_name(idx - 32, NULL)) != NULL) return n;
  while (rv_csr_name(k, NULL)) k++;
  return rv_fp_reg_name(idx - 32 - k);
}

static int rv_disas(void *inst, vmrun_cpu *cpu, uint64_t pc,
                    const uint8_t *bytes, size_t len, char *buf,
                    size_t buflen)
{
  (void)inst; (void)cpu;
  int n = rv_disas_insn(pc, bytes, len, buf, buflen);
  return n < 0 ? -VMRUN_EINVAL : n;
}

static const vmrun_frontend_ops ops = {
  .struct_size = sizeof(vmrun_frontend_ops),
  .cpu_state_size = sizeof(struct rv_cpu),
  .isa = "riscv64",
  .elf_machine = 243,   /* EM_RISCV */
  .elf_class = 2,       /* ELFCLASS64 */
  .default_ram_base = 0x80000000ull,
  .create = rv_create,
  .destroy = rv_destroy,
  .cpu_reset = rv_cpu_reset,
  .boot = rv_boot,
  .translate = rv_translate,
  .raise_fault = rv_raise_fault,
  .interrupt = rv_interrupt_op,
  .fdt_cpu = rv_fdt_cpu,
  .reg_get = rv_reg_get,
  .reg_set = rv_reg_set,
  .reg_name = rv_reg_name,
  .caps = VMRUN_FE_CAP_TRAP_EVENTS,
  .disas = rv_disas,
  .user = &rv_user_abi,
  .fp_flags_off = (uint32_t)offsetof(struct rv_cpu, fflags),
  .fp_inexact = FFLAG_NX,
  .fp_invalid = FFLAG_NV,
  .fp_divzero = FFLAG_DZ,
  .fp_overflow = FFLAG_OF,
  .fp_underflow = FFLAG_UF,
  .fp_default_nan = 0x7ff8000000000000ull,  /* the canonical NaN (§13.3) */
};

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_FRONTEND, "riscv64", "0.1.0",
                    "RISC-V RV64IMAFDC+Zicsr+Zifencei frontend, M/S/U modes",
                    &ops);
