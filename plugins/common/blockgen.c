/*
** plugins/common/blockgen.c - frontend translation of a new block and the
** second-page check, shared by the engines (see blockgen.h).
*/
#include <stddef.h>
#include <string.h>

#include "blockgen.h"

int blockgen_translate(const vmrun_host *host, vmrun_machine *m,
                       const vmrun_engine_env *env, const char *who,
                       vmrun_cpu *cpu, uint64_t pc, uint64_t pa,
                       uint32_t max_insns, vmrun_ir_op *ops, uint32_t cap,
                       vmrun_ir_block *ib)
{
  int r;
  memset(ib, 0, sizeof *ib);
  ib->pc = pc;
  ib->phys_pc = pa;
  ib->tb_flags = cpu->tb_flags;
  ib->max_insns = max_insns;
  ib->ops = ops;
  ib->cap_ops = cap;
  ib->phys_page2 = VMRUN_TLB_INVALID;
  /* what the core allows (side exits unless hooks need basic blocks);
  ** env is the engine's copy, whole when built against this SDK */
  ib->flags = env->struct_size >= offsetof(vmrun_engine_env, block_flags) +
                                      sizeof env->block_flags
                  ? env->block_flags : 0;
  r = env->fe->translate(env->fe_inst, cpu, ib);
  if (r > 0) {
    env->fe->raise_fault(env->fe_inst, cpu, VMRUN_ACCESS_FETCH,
                         (enum vmrun_fault)r, pc);
    return 1;
  }
  if (r < 0) {
    host->log(m, VMRUN_LOG_ERROR,
              "%s: frontend failed to translate pc 0x%llx (error %d)", who,
              (unsigned long long)pc, r);
    return -1;
  }
  if (ib->overflow) {
    host->log(m, VMRUN_LOG_ERROR,
              "%s: block at pc 0x%llx overflows the IR limits "
              "(frontend bug)", who, (unsigned long long)pc);
    return -1;
  }
  if (env->instrument &&
      (r = env->instrument(env->instrument_opaque, cpu, ib)) < 0) {
    host->log(m, VMRUN_LOG_ERROR,
              "%s: instrumenting the block at pc 0x%llx failed (%d)", who,
              (unsigned long long)pc, r);
    return -1;
  }
  return 0;
}

int blockgen_page2_ok(const vmrun_engine_env *env, vmrun_cpu *cpu,
                      uint64_t pc, uint64_t phys_page2)
{
  uint64_t pa;
  if (phys_page2 == VMRUN_TLB_INVALID) return 1;
  if (env->mmu->translate(env->mmu_inst, cpu,
                          (pc & VMRUN_PAGE_MASK) + VMRUN_PAGE_SIZE,
                          VMRUN_ACCESS_FETCH, cpu->mmu_idx_fetch, &pa))
    return 0;
  return (pa & VMRUN_PAGE_MASK) == (phys_page2 & VMRUN_PAGE_MASK);
}

/* see blockgen.h */
const char *blockgen_check_op(uint32_t state, const vmrun_ir_block *ib,
                              const vmrun_ir_op *o)
{
  unsigned sz = o->size;
  int size_ok = sz == 1 || sz == 2 || sz == 4 || sz == 8;
  if (o->op >= VMRUN_IR_NB_OPS) return "unknown opcode";
  if (o->op == VMRUN_IR_INSN_START) return NULL; /* a = length */
  if (o->dst >= ib->n_temps && o->dst != 0) return "temporary out of range";
  if ((o->a >= ib->n_temps && o->a != 0) ||
      (o->b >= ib->n_temps && o->b != 0) ||
      (o->c >= ib->n_temps && o->c != 0))
    return "temporary out of range";
  switch (o->op) {
  case VMRUN_IR_GET: case VMRUN_IR_PUT:
    if (!size_ok) return "bad GET/PUT size";
    if (o->imm > state || state - o->imm < o->size)
      return "GET/PUT outside the vCPU state";
    break;
  case VMRUN_IR_ADD: case VMRUN_IR_SUB: case VMRUN_IR_MUL:
  case VMRUN_IR_MULH: case VMRUN_IR_MULHU: case VMRUN_IR_MULHSU:
  case VMRUN_IR_DIV: case VMRUN_IR_DIVU: case VMRUN_IR_REM:
  case VMRUN_IR_REMU: case VMRUN_IR_AND: case VMRUN_IR_OR:
  case VMRUN_IR_XOR: case VMRUN_IR_SHL: case VMRUN_IR_SHR:
  case VMRUN_IR_SAR:
    if (o->size != 4 && o->size != 8) return "arithmetic size not 4 or 8";
    break;
  case VMRUN_IR_SETCC: case VMRUN_IR_BRCOND:
    if (o->size != 4 && o->size != 8) return "comparison size not 4 or 8";
    if (o->cond >= VMRUN_IR_NB_CONDS) return "bad condition";
    /* BRCOND's imm is the label: an immediate B is not expressible */
    if (o->op == VMRUN_IR_BRCOND && (o->flags & VMRUN_IR_F_BIMM))
      return "BRCOND with VMRUN_IR_F_BIMM (imm is the label)";
    break;
  case VMRUN_IR_SEXT: case VMRUN_IR_ZEXT: case VMRUN_IR_LD:
  case VMRUN_IR_ST:
    if (!size_ok) return "bad size";
    break;
  case VMRUN_IR_CALL:
    if (!o->imm) return "CALL without a helper";
    break;
  default:
    break;
  }
  if (ib->n_temps == 0) {
    /* only ops without temporaries are valid then */
    switch (o->op) {
    case VMRUN_IR_NOP: case VMRUN_IR_INSN_START: case VMRUN_IR_LABEL:
    case VMRUN_IR_BR: case VMRUN_IR_EXIT_DIRECT: case VMRUN_IR_EXIT:
      break;
    default:
      return "op uses a temporary but the block has none";
    }
  }
  return NULL;
}
