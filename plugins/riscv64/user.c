/*
** plugins/riscv64/user.c - the riscv64 part of Linux user-mode emulation
** (vmrun_user_abi, sdk/include/vmrun/frontend.h): Sv39 page-table entries,
** entering U-mode, recording traps from U-mode instead of entering them,
** and the syscall registers of the RISC-V Linux ABI (a7 = number, a0-a5 =
** arguments, a0 = result; arch/riscv/kernel/traps.c, syscall_table.c).
*/
#include <string.h>

#include "rv_cpu.h"

#include "../common/rvpte.h"

static uint64_t rv_pte_leaf(uint64_t pa, unsigned prot)
{
  uint64_t pte = ((pa >> VMRUN_PAGE_BITS) << PTE_PPN_SHIFT) | PTE_V | PTE_U | PTE_A |
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
  return ((pa >> VMRUN_PAGE_BITS) << PTE_PPN_SHIFT) | PTE_V;
}

static int rv_user_enter(void *inst, vmrun_cpu *cpu, uint64_t pt_root)
{
  struct rv_cpu *rc = RV(cpu);
  (void)inst;
  rc->user_mode = 1;
  rc->paging_valid = 0;               /* (also for a copy of another hart) */
  rc->res_valid = 0;
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
  rc->hdr.tb_flags = rv_tb_flags(rc);    /* frm is part of it */
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

/* ---- signals: struct rt_sigframe (arch/riscv/kernel/signal.c) ----
** siginfo 128 bytes, then struct ucontext: uc_flags, uc_link, uc_stack
** (ss_sp, ss_flags, ss_size), uc_sigmask (8 bytes) and padding to 168, and
** uc_mcontext (16-aligned, at 176): sc_regs {pc, x1..x31} then the F/D
** state {f[32], fcsr} in a 528-byte union (Q size). */
#define UC 128u                       /* ucontext within the frame */
#define UC_STACK (UC + 16)
#define UC_SIGMASK (UC + 40)
#define UC_REGS (UC + 176)
#define UC_FREGS (UC_REGS + 256)
#define UC_FCSR (UC_FREGS + 256)
#define SIGFRAME_SIZE (UC_REGS + 256 + 528)

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static uint64_t rv_user_get_sp(void *inst, vmrun_cpu *cpu)
{
  (void)inst;
  return RV(cpu)->x[2];
}

static void rv_user_sigframe_build(void *inst, vmrun_cpu *cpu, void *frame,
                                   uint64_t frame_va, int sig,
                                   const void *siginfo, uint64_t sigmask,
                                   uint64_t ss_sp, uint64_t ss_size,
                                   uint32_t ss_flags, uint64_t handler,
                                   uint64_t restorer)
{
  struct rv_cpu *rc = RV(cpu);
  uint8_t *f = frame;
  uint32_t fcsr = (rc->frm << 5) | rc->fflags;
  (void)inst;
  memset(f, 0, SIGFRAME_SIZE);
  memcpy(f, siginfo, 128);
  put64(f + UC_STACK, ss_sp);
  memcpy(f + UC_STACK + 8, &ss_flags, 4);
  put64(f + UC_STACK + 16, ss_size);
  put64(f + UC_SIGMASK, sigmask);
  put64(f + UC_REGS, cpu->pc);
  for (unsigned k = 1; k < 32; k++) put64(f + UC_REGS + 8 * k, rc->x[k]);
  for (unsigned k = 0; k < 32; k++) put64(f + UC_FREGS + 8 * k, rc->f[k]);
  memcpy(f + UC_FCSR, &fcsr, 4);
  cpu->pc = handler;
  rc->x[1] = restorer;                  /* ra */
  rc->x[2] = frame_va;                  /* sp */
  rc->x[10] = (uint64_t)sig;            /* a0 */
  rc->x[11] = frame_va;                 /* a1 = &info */
  rc->x[12] = frame_va + UC;            /* a2 = &uc */
}

static void rv_user_sigframe_restore(void *inst, vmrun_cpu *cpu,
                                     const void *frame, uint64_t *sigmask)
{
  struct rv_cpu *rc = RV(cpu);
  const uint8_t *f = frame;
  uint32_t fcsr;
  (void)inst;
  cpu->pc = get64(f + UC_REGS);
  for (unsigned k = 1; k < 32; k++) rc->x[k] = get64(f + UC_REGS + 8 * k);
  for (unsigned k = 0; k < 32; k++) rc->f[k] = get64(f + UC_FREGS + 8 * k);
  memcpy(&fcsr, f + UC_FCSR, 4);
  rc->fflags = fcsr & 0x1f;
  rc->frm = (fcsr >> 5) & 7;
  rc->hdr.tb_flags = rv_tb_flags(rc);    /* frm is part of it */
  *sigmask = get64(f + UC_SIGMASK);
  rc->res_valid = 0;
}

/* li a7, 139 (__NR_rt_sigreturn); ecall */
static const uint8_t rv_sigreturn_code[8] = {
  0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00
};

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
  .sigframe_size = SIGFRAME_SIZE,
  .sigreturn_code_size = sizeof rv_sigreturn_code,
  .sigreturn_code = rv_sigreturn_code,
  .get_sp = rv_user_get_sp,
  .sigframe_build = rv_user_sigframe_build,
  .sigframe_restore = rv_user_sigframe_restore,
  .sysno_map = NULL,
  .sysno_count = 0,
};
