/*
** plugins/common/blockgen.c - frontend translation of a new block and the
** second-page check, shared by the engines (see blockgen.h).
*/
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
