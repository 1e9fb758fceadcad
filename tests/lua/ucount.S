/* tests/lua/ucount.S - a Linux user program without libc whose
** instruction counts are known from this source (tests/lua/user.sh):
**   _start: 1 instruction, then `loop` runs LOOPS times (2 instructions),
**   then `done`: 3 instructions (li, li, ecall exit_group(EXIT)).
** Executed: 1 + 2*LOOPS + 3; the ecall does not retire (it traps), so
** the retired count (vmrun.icount) is one less. */
#define LOOPS 1000
#define EXIT 7
	.option norvc
	.text
	.globl _start
_start:
	li	t0, LOOPS
	.globl loop
loop:
	addi	t0, t0, -1
	bnez	t0, loop
	.globl done
done:
	li	a0, EXIT
	li	a7, 94		/* exit_group */
	ecall
