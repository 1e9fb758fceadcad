# bench/Makefile.frag - build the bench/ suite: every program twice, as a
# bare-metal RISC-V ELF (bench/out/NAME.elf, for vmrun and QEMU) and as a
# native host program (bench/out/NAME.native), plus bench/out/empty.elf
# (exits at once: start-up time).  GNU make.
#
# Stand-alone, from the top of the tree:   make -f bench/Makefile.frag
# From Makefile.am:   include $(srcdir)/bench/Makefile.frag
#   (then `make bench-progs`; the automake-configured RISCV_CC and CC are
#   used, the sources are found through $(srcdir)).
#
# Variables: BENCH_SCALE (repetition multiplier, default 1; results are
# checked only where they do not depend on it), BENCH_OUT (default
# bench/out, relative to the build directory).

BENCH_PROGS = crc32 sha256 qsort bytecode linkedlist strsearch matmul \
	mandelbrot nbody memcopy

BENCH_FRAG_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BENCH_SRC = $(if $(srcdir),$(srcdir)/bench,$(BENCH_FRAG_DIR))
BENCH_OUT = bench/out
BENCH_SCALE = 1
BENCH_RISCV_CC = $(if $(RISCV_CC),$(RISCV_CC),riscv64-unknown-elf-gcc)
BENCH_HOST_CC = $(if $(CC),$(CC),cc)

# Same source, same optimisation level and FP semantics on both sides
# (-ffp-contract=off: no fused multiply-add, so FP results agree).
BENCH_COMMON_CFLAGS = -O2 -std=c11 -Wall -Wextra -ffp-contract=off \
	-fno-math-errno -DSCALE=$(BENCH_SCALE)
BENCH_GUEST_CFLAGS = $(BENCH_COMMON_CFLAGS) -march=rv64imafdc_zicsr \
	-mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib
BENCH_GUEST_LDFLAGS = -static -Wl,-N -Wl,--no-warn-rwx-segments \
	-T $(BENCH_SRC)/rt/link.ld
BENCH_NATIVE_CFLAGS = $(BENCH_COMMON_CFLAGS) -DBENCH_NATIVE

BENCH_ELFS = $(BENCH_PROGS:%=$(BENCH_OUT)/%.elf) $(BENCH_OUT)/empty.elf
BENCH_NATIVES = $(BENCH_PROGS:%=$(BENCH_OUT)/%.native)
BENCH_RT = $(BENCH_OUT)/start.o $(BENCH_OUT)/rt.o

bench-progs: $(BENCH_ELFS) $(BENCH_NATIVES)

# native builds that print the checked values (for deriving constants)
bench-print: $(BENCH_PROGS:%=$(BENCH_OUT)/%.print)

$(BENCH_OUT)/start.o: $(BENCH_SRC)/rt/start.S
	@mkdir -p $(BENCH_OUT)
	$(BENCH_RISCV_CC) $(BENCH_GUEST_CFLAGS) -c $< -o $@
$(BENCH_OUT)/rt.o: $(BENCH_SRC)/rt/rt.c
	@mkdir -p $(BENCH_OUT)
	$(BENCH_RISCV_CC) $(BENCH_GUEST_CFLAGS) \
	  -fno-tree-loop-distribute-patterns -c $< -o $@
$(BENCH_OUT)/empty.elf: $(BENCH_SRC)/rt/empty.S $(BENCH_SRC)/rt/link.ld
	@mkdir -p $(BENCH_OUT)
	$(BENCH_RISCV_CC) $(BENCH_GUEST_CFLAGS) $(BENCH_GUEST_LDFLAGS) $< -o $@
$(BENCH_OUT)/%.elf: $(BENCH_SRC)/%.c $(BENCH_SRC)/bench.h $(BENCH_RT) \
		$(BENCH_SRC)/rt/link.ld
	$(BENCH_RISCV_CC) $(BENCH_GUEST_CFLAGS) $(BENCH_GUEST_LDFLAGS) \
	  $(BENCH_RT) $< -lgcc -o $@
$(BENCH_OUT)/%.native: $(BENCH_SRC)/%.c $(BENCH_SRC)/bench.h
	@mkdir -p $(BENCH_OUT)
	$(BENCH_HOST_CC) $(BENCH_NATIVE_CFLAGS) $< -o $@
$(BENCH_OUT)/%.print: $(BENCH_SRC)/%.c $(BENCH_SRC)/bench.h
	@mkdir -p $(BENCH_OUT)
	$(BENCH_HOST_CC) $(BENCH_NATIVE_CFLAGS) -DBENCH_PRINT $< -o $@

bench-list:
	@echo $(BENCH_PROGS)

bench-clean:
	rm -rf $(BENCH_OUT)

.PHONY: bench-progs bench-print bench-list bench-clean bench-linux

# The same programs as riscv64 Linux programs (static, glibc) for the
# user-mode rows of scripts/bench: bench/out/NAME.linux.
BENCH_LINUX_CC = riscv64-linux-gnu-gcc
BENCH_LINUX_CFLAGS = $(BENCH_COMMON_CFLAGS) -DBENCH_NATIVE -static
bench-linux: $(BENCH_PROGS:%=$(BENCH_OUT)/%.linux)
$(BENCH_OUT)/%.linux: $(BENCH_SRC)/%.c $(BENCH_SRC)/bench.h
	@mkdir -p $(BENCH_OUT)
	$(BENCH_LINUX_CC) $(BENCH_LINUX_CFLAGS) $< -o $@
