/*
** plugins/common/blockgen.h - the first steps every engine takes for a new
** block (frontend translation, its error checks, the instrument hook) and
** the check that a cached block's second page is still mapped alike;
** shared by the engines (interp, tjit, tiered).  A libtool convenience
** library; not SDK.  Machine thread only.
*/
#ifndef VMRUN_PLUGINS_BLOCKGEN_H
#define VMRUN_PLUGINS_BLOCKGEN_H

#include <stdint.h>

#include <vmrun/vmrun.h>

/* Translate the block at guest VA pc (PA pa) for cpu->tb_flags into
** ib (ops in ops[0..cap-1], at most max_insns instructions) and run
** env->instrument on it.  Returns 0; 1 when the frontend raised a fetch
** fault (raise_fault called, pc changed); -1 on an internal error, logged
** through host->log with the prefix "<who>: ". */
int blockgen_translate(const vmrun_host *host, vmrun_machine *m,
                       const vmrun_engine_env *env, const char *who,
                       vmrun_cpu *cpu, uint64_t pc, uint64_t pa,
                       uint32_t max_insns, vmrun_ir_op *ops, uint32_t cap,
                       vmrun_ir_block *ib);

/* A block at guest VA pc that runs into a second page (phys_page2, or
** VMRUN_TLB_INVALID for none) may be used only while that page still maps
** to the same PA: 1 if so (or no second page), 0 if not or unmapped. */
int blockgen_page2_ok(const vmrun_engine_env *env, vmrun_cpu *cpu,
                      uint64_t pc, uint64_t phys_page2);

/* Check that IR op `o` of block `ib` is well formed for an engine: known
** opcode, temporaries below ib->n_temps, sizes, conditions, GET/PUT inside
** the vCPU state of `state` bytes (vmrun_frontend_ops.cpu_state_size).
** Returns NULL, or a constant string saying what is wrong. */
const char *blockgen_check_op(uint32_t state, const vmrun_ir_block *ib,
                              const vmrun_ir_op *o);

#endif
