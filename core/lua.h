/*
** core/lua.h - Lua 5.4 scripting (docs/lua.md).
**
** One Lua state per run, owned by the core: created after the machine is
** built, scripts (--script and YAML `scripts:`) loaded in order, hooks
** called from the run loop (periodic), the MMIO dispatch (core/physmem.c)
** and from IR instrumentation (per-instruction and per-block hooks, through
** vmrun_engine_env.instrument).
*/
#ifndef VMRUN_CORE_LUA_H
#define VMRUN_CORE_LUA_H

#include <stdint.h>

#include "core.h"

/* ---- command-line options (before the machine is built) ---- */
/* --script FILE[:key=value,...]; 0 or -1 after one printed line. */
int vmrun__lua_add_script(const char *spec);
void vmrun__lua_set_unsafe(int on);                   /* --script-unsafe */
int vmrun__lua_set_insn_limit(const char *arg);       /* --script-insn-limit */
int vmrun__lua_set_on_error(const char *arg);         /* --script-on-error */

/* Nonzero if this run has scripts (CLI or YAML): the machine then installs
** vmrun__lua_instrument as the engine's instrument callback. */
int vmrun__lua_wanted(const vmrun_machine_desc *d);

/* Create the state and run every script's main chunk.  0, or -1 after one
** printed line (the run must end with status 1). */
int vmrun__lua_start(vmrun_machine *m);
/* Call the on_start hooks (just before the run loop). */
void vmrun__lua_run_start(vmrun_machine *m);
/* Call the on_exit hooks with the run's status; returns the final exit
** status (1 after a script error under on_error=stop, vmrun.exit_code's
** value if one was set, else `status`). */
int vmrun__lua_finish(vmrun_machine *m, int status);
void vmrun__lua_free(vmrun_machine *m);

/* Run loop: instructions (all harts) until the next vmrun.every() hook is
** due, >= 1, UINT64_MAX if none; and the check after each slice. */
uint64_t vmrun__lua_slice_limit(vmrun_machine *m);
void vmrun__lua_poll(vmrun_machine *m);

/* MMIO dispatch (m->lua_mmio nonzero): after the device's read or write. */
void vmrun__lua_mmio(vmrun_machine *m, const char *dev, uint64_t off,
                     unsigned size, int is_write, uint64_t val);

/* vmrun_host.trap_event: a frontend reports a trap entry (only while an
** on_trap hook sets VMRUN_EVENT_TRAP in the harts' events). */
void vmrun__lua_trap(vmrun_machine *m, vmrun_cpu *cpu,
                     const vmrun_trap_info *ti);

/* ---- user mode (core/user.c) ----
** Every call below is made with user mode's big lock held, so the Lua
** state is never entered by two guest threads at once. */
/* An ELF image loaded at `bias` (0 for ET_EXEC), ending (exclusive) at
** guest VA `end`: its symbols for vmrun.symbol/lookup.  Call before
** vmrun__lua_start.  0 or -1 (ENOMEM). */
int vmrun__lua_user_image(const char *path, uint64_t bias, uint64_t end);

/* A system call as user mode sees it: asm-generic number, arguments a0..a5,
** PC of the system call instruction, host thread id, and (exit) result
** (a negative errno on failure). */
typedef struct vmrun_lua_syscall {
  uint64_t nr;
  uint64_t args[6];
  uint64_t pc;
  int64_t tid;
  int64_t ret;
} vmrun_lua_syscall;
/* Call the on_syscall (is_exit 0) or on_syscall_exit (1) hooks; only
** while m->lua_syscall is set. */
void vmrun__lua_syscall(vmrun_machine *m, vmrun_cpu *cpu,
                        const vmrun_lua_syscall *sc, int is_exit);

/* vmrun_engine_env.instrument. */
int vmrun__lua_instrument(void *opaque, vmrun_cpu *cpu, vmrun_ir_block *blk);

#endif
