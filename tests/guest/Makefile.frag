# tests/guest/Makefile.frag - bare-metal RISC-V guest tests.
#
# Plain make rules; include from the top-level Makefile(.am) or run
#   make -f tests/guest/Makefile.frag guest-tests
# Each test writes 0x5555 to the SiFive test finisher (0x100000) on pass.
# Run one with QEMU (the oracle):
#   qemu-system-riscv64 -M virt -bios none -nographic -kernel tests/guest/alu.elf
# or with vmrun:
#   ./vmrun tests/guest/machine.yaml --set machine.firmware=tests/guest/alu.elf

GUEST_TESTS = alu muldiv mem amo rvc csr trap timer
GUEST_DIR ?= tests/guest
RISCV_CC ?= riscv64-unknown-elf-gcc
GUEST_CFLAGS = -nostdlib -nostartfiles -march=rv64imac_zicsr_zifencei \
	-mabi=lp64 -Ttext=0x80000000 -Wl,--no-relax -Wl,-N -Wl,--no-warn-rwx-segments -I$(GUEST_DIR)

GUEST_ELFS = $(GUEST_TESTS:%=$(GUEST_DIR)/%.elf)
# vmrun-only variants: checks where QEMU 7.2 differs from our spec
GUEST_VMRUN_ELFS = $(GUEST_TESTS:%=$(GUEST_DIR)/%-vmrun.elf)

guest-tests: $(GUEST_ELFS) $(GUEST_VMRUN_ELFS)

$(GUEST_DIR)/%.elf: $(GUEST_DIR)/%.S $(GUEST_DIR)/rvtest.h
	$(RISCV_CC) $(GUEST_CFLAGS) -o $@ $<

$(GUEST_DIR)/%-vmrun.elf: $(GUEST_DIR)/%.S $(GUEST_DIR)/rvtest.h
	$(RISCV_CC) $(GUEST_CFLAGS) -DVMRUN_ONLY -o $@ $<

# Check every test against QEMU (the reference).
guest-check-qemu: $(GUEST_ELFS)
	@for t in $(GUEST_TESTS); do \
	  if timeout 10 qemu-system-riscv64 -M virt -bios none -nographic \
	       -kernel $(GUEST_DIR)/$$t.elf >/dev/null 2>&1; \
	  then echo "PASS $$t"; else echo "FAIL $$t"; fi; \
	done

guest-clean:
	rm -f $(GUEST_ELFS) $(GUEST_VMRUN_ELFS)

.PHONY: guest-tests guest-check-qemu guest-clean
