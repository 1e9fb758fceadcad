/* tests/lua/traps.S - a bare-metal guest with a known set of traps, for
** the trap hook and the trap/privilege example scripts (tests/lua/*.sh).
** Linked at 0x80000000; SiFive test finisher at 0x100000.
**   - 3 ecalls from M mode (a loop: `ecall_m_loop`)
**   - mret to U mode at `user`, which runs `user_loop` 10 times (2
**     instructions per iteration), then 2 ecalls, 1 illegal instruction
**     (`csrw cycle, zero`: a write to a read-only CSR, §2.1), then the
**     exit ecall with a7 = 93
** The M-mode handler steps mepc over the trapping instruction and returns
** to the mode it came from; on the exit ecall it writes PASS.
** Totals: ecall_m 3, ecall_u 3, illegal_insn 1, no interrupt.
** User-mode instructions executed: 1 (li) + 20 (loop) + 5 = 26
** (li t0,10; 10 x (addi, bnez); ecall; ecall; csrw; li a7,93; ecall). */
  .text
  .globl _start
_start:
  la   t0, handler
  csrw mtvec, t0
  li   s0, 3
  .globl ecall_m_loop
ecall_m_loop:
  ecall
  addi s0, s0, -1
  bnez s0, ecall_m_loop
  la   t0, user
  csrw mepc, t0
  li   t0, 3 << 11          /* mstatus.MPP = U */
  csrc mstatus, t0
  mret

  .globl user
user:
  li   t0, 10
  .globl user_loop
user_loop:
  addi t0, t0, -1
  bnez t0, user_loop
  .globl user_ecall
user_ecall:
  ecall
  ecall
  .globl user_illegal
user_illegal:
  csrw cycle, zero
  li   a7, 93
  ecall
1:
  j    1b

  .balign 4
  .globl handler
handler:
  csrr t1, mcause
  li   t2, 8                /* ecall from U */
  bne  t1, t2, 1f
  li   t2, 93
  bne  a7, t2, 1f
  li   t1, 0x100000
  li   t2, 0x5555
  sw   t2, 0(t1)
2:
  j    2b
1:
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
