/*
** plugins/riscv64/user.c - the riscv64 part of Linux user-mode emulation
** (vmrun_user_abi, sdk/include/vmrun/frontend.h): Sv39 page-table entries,
** entering U-mode, recording traps from U-mode instead of entering them,
** and the syscall registers of the RISC-V Linux ABI (a7 = number, a0-a5 =
** arguments, a0 = result; arch/riscv/kernel/traps.c, syscall_table.c).
*/
#include <string.h>

#include "rv_cpu.h"

/* Sv39 PTE bits (Privileged ISA §4.3.1, §4.4.1) */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)

static uint64_t rv_pte_leaf(uint64_t pa, unsigned prot)
{
  uint64_t pte = ((pa >> VMRUN_PAGE_BITS) << 10) | PTE_V | PTE_U | PTE_A |
                 PTE_D;
  /* W without R is a reserved encoding: Linux maps PROT_WRITE as RW */
  if (prot & (VMRUN_USER_PROT_READ | VMRUN_USER_PROT_WRITE)) pte |= PTE_R;
  if (prot & VMRUN_USER_PROT_WRITE) pte |= PTE_W;
  if (prot & VMRUN_USER_PROT_EXEC) pte |= PTE_X;
  /* PROT_NONE: no R/W/X would read as a pointer to a table; invalid */
  if (!(prot & 7u)) return 0;
  return pte;
}

static uint64_t rv_pte_table(uint64_t pa)
{
  return ((pa >> VMRUN_PAGE_BITS) << 10) | PTE_V;
}

static int rv_user_enter(void *inst, vmrun_cpu *cpu, uint64_t pt_root)
{
  struct rv_cpu *rc = RV(cpu);
  (void)inst;
  rc->user_mode = 1;
  rc->mstatus |= MSTATUS_FS;          /* FP state Dirty: F/D usable */
  rc->mcounteren = rc->scounteren = 7; /* cycle, time, instret readable */
  rc->satp = (8ull << SATP_MODE_SHIFT) | (pt_root >> VMRUN_PAGE_BITS);
  cpu->priv = PRV_U;
  rv_mode_changed(rc);
  return rc->paging[PRV_U].mode == VMRUN_PAGING_SV39 ? 0 : -VMRUN_ENOTSUP;
}

/* Called by rv_trap for a synchronous trap in user mode (csr.c). */
void rv_user_record_trap(struct rv_cpu *rc, uint64_t cause, uint64_t tval)
{
  vmrun_user_trap *t = &rc->user_trap;
  memset(t, 0, sizeof *t);
  t->pc = rc->hdr.pc;
  switch (cause) {
  case EXC_ECALL_U: t->kind = VMRUN_USER_TRAP_SYSCALL; break;
  case EXC_ILLEGAL_INSN: t->kind = VMRUN_USER_TRAP_ILLEGAL; break;
  case EXC_BREAKPOINT: t->kind = VMRUN_USER_TRAP_BREAKPOINT; break;
  case EXC_INSN_MISALIGNED: case EXC_LOAD_MISALIGNED:
  case EXC_STORE_MISALIGNED:
    t->kind = VMRUN_USER_TRAP_MISALIGNED;
    t->addr = tval;
    t->access = cause == EXC_STORE_MISALIGNED ? VMRUN_ACCESS_STORE
              : cause == EXC_INSN_MISALIGNED ? VMRUN_ACCESS_FETCH
                                             : VMRUN_ACCESS_LOAD;
    break;
  default:
    t->kind = VMRUN_USER_TRAP_FAULT;
    t->addr = tval;
    t->access = (cause == EXC_STORE_ACCESS || cause == EXC_STORE_PAGE_FAULT)
                ? VMRUN_ACCESS_STORE
                : (cause == EXC_INSN_ACCESS || cause == EXC_INSN_PAGE_FAULT)
                ? VMRUN_ACCESS_FETCH : VMRUN_ACCESS_LOAD;
    break;
  }
  rc->res_valid = 0;
  __atomic_or_fetch(&rc->hdr.exit_request, VMRUN_EXIT_USER, __ATOMIC_SEQ_CST);
}

static int rv_user_take_trap(void *inst, vmrun_cpu *cpu, vmrun_user_trap *t)
{
  struct rv_cpu *rc = RV(cpu);
  (void)inst;
  if (rc->user_trap.kind == VMRUN_USER_TRAP_NONE) return 0;
  *t = rc->user_trap;
  rc->user_trap.kind = VMRUN_USER_TRAP_NONE;
  return 1;
}

static void rv_user_syscall_args(void *inst, vmrun_cpu *cpu, uint64_t *nr,
                                 uint64_t args[6])
{
  struct rv_cpu *rc = RV(cpu);
  (void)inst;
  *nr = rc->x[17];                       /* a7 */
  for (unsigned k = 0; k < 6; k++) args[k] = rc->x[10 + k]; /* a0..a5 */
}

static void rv_user_syscall_return(void *inst, vmrun_cpu *cpu, uint64_t ret)
{
  (void)inst;
  RV(cpu)->x[10] = ret;
  cpu->pc += 4;                          /* ECALL has no compressed form */
}

static void rv_user_set_entry(void *inst, vmrun_cpu *cpu, uint64_t pc,
                              uint64_t sp)
{
  struct rv_cpu *rc = RV(cpu);
  (void)inst;
  memset(rc->x, 0, sizeof rc->x);        /* a0 = 0: no rtld_fini */
  memset(rc->f, 0, sizeof rc->f);
  rc->fflags = rc->frm = 0;
  rc->x[2] = sp;
  cpu->pc = pc;
}

static void rv_user_clone_child(void *inst, vmrun_cpu *cpu, uint64_t sp,
                                uint64_t tls, int set_tls)
{
  struct rv_cpu *rc = RV(cpu);
  (void)inst;
  rc->x[10] = 0;
  cpu->pc += 4;
  if (sp) rc->x[2] = sp;
  if (set_tls) rc->x[4] = tls;          /* tp */
}

/* AT_HWCAP: one bit per single-letter extension (arch/riscv/kernel/
** cpufeature.c), here IMAFDC. */
#define HWCAP(c) (1ull << ((c) - 'a'))

const vmrun_user_abi rv_user_abi = {
  .struct_size = sizeof(vmrun_user_abi),
  .pt_levels = 3,
  .va_limit = 1ull << 38,
  .platform = NULL,          /* Linux/riscv passes no AT_PLATFORM */
  .hwcap = HWCAP('i') | HWCAP('m') | HWCAP('a') | HWCAP('f') | HWCAP('d') |
           HWCAP('c'),
  .pte_leaf = rv_pte_leaf,
  .pte_table = rv_pte_table,
  .enter = rv_user_enter,
  .take_trap = rv_user_take_trap,
  .syscall_args = rv_user_syscall_args,
  .syscall_return = rv_user_syscall_return,
  .set_entry = rv_user_set_entry,
  .clone_child = rv_user_clone_child,
  .sysno_map = NULL,
  .sysno_count = 0,
};
