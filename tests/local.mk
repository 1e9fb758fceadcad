## tests/local.mk - included by Makefile.am.
##
## Every test speaks TAP (Criterion programs through tests/criterion-tap,
## shell tests directly), so `make check` counts individual test cases.
## UNIT_TESTS run again in the sanitizer build (scripts/test).

TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CRITERION_CFLAGS) \
	-DTEST_DATA_DIR='"$(abs_top_srcdir)/tests/data"' \
	-DTEST_PLUGIN_DIR='"$(abs_top_builddir)/tests/plugins"'

## -- test plugins: real libtool modules, one variant each --
check_LTLIBRARIES = tests/plugins/device-good.la tests/plugins/device-major.la \
	tests/plugins/device-minor.la tests/plugins/device-nosym.la \
	tests/plugins/device-kind.la tests/plugins/device-trunc.la \
	tests/plugins/device-print.la tests/plugins/device-undef.la \
	tests/faulty/engine-faultymul.la tests/faulty/engine-faultyst.la \
	tests/faulty/engine-faultywide.la tests/faulty/engine-faultyextra.la
TESTPLUG_LDFLAGS = -module -avoid-version -no-undefined -shared -rpath /nowhere
tests_plugins_device_good_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_good_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=GOOD
tests_plugins_device_good_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_plugins_device_major_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_major_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=MAJOR
tests_plugins_device_major_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_plugins_device_minor_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=MINOR
tests_plugins_device_minor_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_plugins_device_nosym_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_nosym_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=NOSYM
tests_plugins_device_nosym_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_plugins_device_kind_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_kind_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=KIND
tests_plugins_device_kind_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_plugins_device_trunc_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_trunc_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=TRUNC
tests_plugins_device_trunc_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_plugins_device_print_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_print_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=PRINT
tests_plugins_device_print_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_plugins_device_undef_la_SOURCES = tests/plugins/testplug.c
tests_plugins_device_undef_la_CPPFLAGS = $(AM_CPPFLAGS) -DVARIANT=UNDEF
tests_plugins_device_undef_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
## interp with an injected fault, for --engine-check (plugins/interp/exec.c)
FAULTY_SOURCES = plugins/interp/plugin.c plugins/interp/engine.c plugins/interp/exec.c \
	plugins/interp/interp.h plugins/interp/interp_int.h
tests_faulty_engine_faultymul_la_SOURCES = $(FAULTY_SOURCES)
tests_faulty_engine_faultymul_la_CFLAGS = $(PLUGIN_CFLAGS) $(INTERP_CFLAGS) \
	-DINTERP_FAULT_MUL=1 -DINTERP_PLUGIN_NAME='"faultymul"'
tests_faulty_engine_faultymul_la_LIBADD = plugins/libpagemap.la
tests_faulty_engine_faultymul_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_faulty_engine_faultyst_la_SOURCES = $(FAULTY_SOURCES)
tests_faulty_engine_faultyst_la_CFLAGS = $(PLUGIN_CFLAGS) $(INTERP_CFLAGS) \
	-DINTERP_FAULT_ST16=1 -DINTERP_PLUGIN_NAME='"faultyst"'
tests_faulty_engine_faultyst_la_LIBADD = plugins/libpagemap.la
tests_faulty_engine_faultyst_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_faulty_engine_faultywide_la_SOURCES = $(FAULTY_SOURCES)
tests_faulty_engine_faultywide_la_CFLAGS = $(PLUGIN_CFLAGS) $(INTERP_CFLAGS) \
	-DINTERP_FAULT_WIDE16=1 -DINTERP_PLUGIN_NAME='"faultywide"'
tests_faulty_engine_faultywide_la_LIBADD = plugins/libpagemap.la
tests_faulty_engine_faultywide_la_LDFLAGS = $(TESTPLUG_LDFLAGS)
tests_faulty_engine_faultyextra_la_SOURCES = $(FAULTY_SOURCES)
tests_faulty_engine_faultyextra_la_CFLAGS = $(PLUGIN_CFLAGS) $(INTERP_CFLAGS) \
	-DINTERP_FAULT_EXTRA16=1 -DINTERP_PLUGIN_NAME='"faultyextra"'
tests_faulty_engine_faultyextra_la_LIBADD = plugins/libpagemap.la
tests_faulty_engine_faultyextra_la_LDFLAGS = $(TESTPLUG_LDFLAGS)

## -- unit tests (Criterion) --
UNIT_TESTS = tests/unit/test_loader tests/unit/test_config \
	tests/devices/test_ns16550a tests/devices/test_aclint \
	tests/devices/test_sifive_test tests/engine/test_interp \
	tests/engine/test_interp_switch tests/engine/test_softmmu \
	tests/sdk/test_abi tests/devices/test_plic tests/devices/test_goldfish_rtc \
	tests/virtio/test_virtio_blk tests/virtio/test_virtio_rng \
	tests/engine/test_paging tests/virtio/test_virtio_net tests/tjit/test_tjit \
	tests/tiered/test_tiered tests/unit/test_sysnames \
	tests/riscv64/test_translate
check_PROGRAMS = $(UNIT_TESTS) tests/tools/http-once tests/tools/rv-disas tests/tools/elfsym

## virtio devices driven by a test-side driver over fake guest RAM
VIRTTEST_SOURCES = tests/virtio/vdriver.c tests/virtio/vdriver.h \
	tests/devices/fake_host.c tests/devices/fake_host.h
VIRTTEST_LDADD = $(CRITERION_LIBS) plugins/libvirtio.la \
	plugins/libdevfdt.la $(FDT_LIBS)
tests_virtio_test_virtio_blk_SOURCES = tests/virtio/test_virtio_blk.c \
	$(VIRTTEST_SOURCES) plugins/virtio-blk/virtio_blk.c
tests_virtio_test_virtio_blk_CPPFLAGS = $(DEVTEST_CPPFLAGS)
tests_virtio_test_virtio_blk_LDADD = $(VIRTTEST_LDADD)
tests_virtio_test_virtio_rng_SOURCES = tests/virtio/test_virtio_rng.c \
	$(VIRTTEST_SOURCES) plugins/virtio-rng/virtio_rng.c
tests_virtio_test_virtio_rng_CPPFLAGS = $(DEVTEST_CPPFLAGS)
tests_virtio_test_virtio_rng_LDADD = $(VIRTTEST_LDADD)
tests_virtio_test_virtio_net_SOURCES = tests/virtio/test_virtio_net.c \
	$(VIRTTEST_SOURCES) plugins/virtio-net/virtio_net.c
tests_virtio_test_virtio_net_CPPFLAGS = $(DEVTEST_CPPFLAGS) $(SLIRP_CFLAGS)
tests_virtio_test_virtio_net_LDADD = $(VIRTTEST_LDADD) $(SLIRP_LIBS)

## the template JIT: the interp op tests run against it, plus chaining,
## cache exhaustion and the x86-64 emitter (bytes checked against as(1))
tests_tjit_test_tjit_SOURCES = tests/engine/test_interp.c tests/tjit/test_tjit.c \
	tests/tjit/test_emit.c tests/tjit/test_direct.c tests/tjit/test_fp.c \
	tests/tjit/test_window.c \
	tests/tjit/tjit_desc.c \
	plugins/tjit/cache.c \
	plugins/tjit/codegen.c tests/engine/harness.c tests/engine/harness.h \
	tests/engine/softmmu_desc.c plugins/common/pagemap.c \
	plugins/common/blockgen.c
tests_tjit_test_tjit_CPPFLAGS = $(ENGTEST_CPPFLAGS) -Dinterp_desc=tjit_desc \
	-DENGINE_SUITE=tjit_ops -DENGINE_TRACE_SUITE=tjit_trace -DENGINE_EXTRA_STATS
tests_tjit_test_tjit_LDADD = $(CRITERION_LIBS) -lm

## the tiered engine: the interp op tests again with a threshold of 2 (a
## block's first run is interpreted, later ones compiled), plus promotion,
## invalidation of promoted blocks and faults in them
tests_tiered_test_tiered_SOURCES = tests/engine/test_interp.c \
	tests/tiered/test_tiered.c tests/tiered/tiered_desc.c \
	plugins/interp/engine.c plugins/interp/exec.c plugins/tjit/engine.c \
	plugins/tjit/cache.c plugins/tjit/codegen.c tests/engine/harness.c \
	tests/engine/harness.h tests/engine/softmmu_desc.c \
	plugins/common/pagemap.c plugins/common/blockgen.c
tests_tiered_test_tiered_CPPFLAGS = $(ENGTEST_CPPFLAGS) \
	-Dinterp_desc=tiered_desc -DENGINE_SUITE=tiered_ops \
	-DENGINE_TRACE_SUITE=tiered_trace -DENGINE_EXTRA_STATS \
	-DTIERED_DEFAULT_THRESHOLD=2
tests_tiered_test_tiered_LDADD = $(CRITERION_LIBS)

## the riscv64 frontend's translation, fed instruction words by a fake fetch
tests_riscv64_test_translate_SOURCES = tests/riscv64/test_translate.c \
	$(plugins_frontend_riscv64_la_SOURCES)
tests_riscv64_test_translate_CPPFLAGS = $(TEST_CPPFLAGS) \
	-I$(top_srcdir)/plugins/riscv64
tests_riscv64_test_translate_CFLAGS = $(AM_CFLAGS) -frounding-math
tests_riscv64_test_translate_LDADD = $(CRITERION_LIBS) $(FDT_LIBS) -lm

## a one-shot HTTP server on loopback for the guest network test
tests_tools_http_once_SOURCES = tests/tools/http-once.c

## the RISC-V disassembler alone, fed objdump's encodings (tests/lua/disas.sh)
tests_tools_rv_disas_SOURCES = tests/tools/rv-disas.c plugins/riscv64/disas.c
tests_tools_rv_disas_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/riscv64

## core/symbols.c alone on arbitrary (also malformed) files (tests/lua/symbols.sh)
tests_tools_elfsym_SOURCES = tests/tools/elfsym.c core/symbols.c core/symbols.h
tests_tools_elfsym_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/core

## the SDK's layout, pinned against a golden table
tests_sdk_test_abi_SOURCES = tests/sdk/test_abi.c
tests_sdk_test_abi_CPPFLAGS = $(TEST_CPPFLAGS)
tests_sdk_test_abi_LDADD = $(CRITERION_LIBS)

## interp and softmmu against a fake host and a fake frontend; the switch
## variant builds the portable dispatcher (configure picks computed goto)
ENGTEST_SOURCES = tests/engine/harness.c tests/engine/harness.h \
	tests/engine/interp_desc.c plugins/interp/exec.c \
	tests/engine/softmmu_desc.c plugins/common/pagemap.c \
	plugins/common/blockgen.c
ENGTEST_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/engine
tests_engine_test_interp_SOURCES = tests/engine/test_interp.c $(ENGTEST_SOURCES)
tests_engine_test_interp_CPPFLAGS = $(ENGTEST_CPPFLAGS)
tests_engine_test_interp_LDADD = $(CRITERION_LIBS)
tests_engine_test_interp_switch_SOURCES = $(tests_engine_test_interp_SOURCES)
tests_engine_test_interp_switch_CPPFLAGS = $(ENGTEST_CPPFLAGS) -DVMRUN_INTERP_SWITCH=1
tests_engine_test_interp_switch_LDADD = $(CRITERION_LIBS)
tests_engine_test_softmmu_SOURCES = tests/engine/test_softmmu.c $(ENGTEST_SOURCES)
tests_engine_test_softmmu_CPPFLAGS = $(ENGTEST_CPPFLAGS)
tests_engine_test_softmmu_LDADD = $(CRITERION_LIBS)
tests_engine_test_paging_SOURCES = tests/engine/test_paging.c $(ENGTEST_SOURCES)
tests_engine_test_paging_CPPFLAGS = $(ENGTEST_CPPFLAGS)
tests_engine_test_paging_LDADD = $(CRITERION_LIBS)

## device plugins against a fake host (tests/devices/fake_host.c)
DEVTEST_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/tests/devices
DEVTEST_LDADD = $(CRITERION_LIBS) plugins/libdevfdt.la $(FDT_LIBS)
tests_devices_test_ns16550a_SOURCES = tests/devices/test_ns16550a.c \
	tests/devices/fake_host.c tests/devices/fake_host.h \
	plugins/ns16550a/ns16550a.c
tests_devices_test_ns16550a_CPPFLAGS = $(DEVTEST_CPPFLAGS)
tests_devices_test_ns16550a_LDADD = $(DEVTEST_LDADD)
tests_devices_test_aclint_SOURCES = tests/devices/test_aclint.c \
	tests/devices/fake_host.c tests/devices/fake_host.h plugins/aclint/aclint.c
tests_devices_test_aclint_CPPFLAGS = $(DEVTEST_CPPFLAGS)
tests_devices_test_aclint_LDADD = $(DEVTEST_LDADD)
tests_devices_test_sifive_test_SOURCES = tests/devices/test_sifive_test.c \
	tests/devices/fake_host.c tests/devices/fake_host.h \
	plugins/sifive-test/sifive_test.c
tests_devices_test_sifive_test_CPPFLAGS = $(DEVTEST_CPPFLAGS)
tests_devices_test_sifive_test_LDADD = $(DEVTEST_LDADD)
tests_devices_test_plic_SOURCES = tests/devices/test_plic.c \
	tests/devices/fake_host.c tests/devices/fake_host.h plugins/plic/plic.c
tests_devices_test_plic_CPPFLAGS = $(DEVTEST_CPPFLAGS)
tests_devices_test_plic_LDADD = $(DEVTEST_LDADD)
tests_devices_test_goldfish_rtc_SOURCES = tests/devices/test_goldfish_rtc.c \
	tests/devices/fake_host.c tests/devices/fake_host.h \
	plugins/goldfish-rtc/goldfish_rtc.c
tests_devices_test_goldfish_rtc_CPPFLAGS = $(DEVTEST_CPPFLAGS)
tests_devices_test_goldfish_rtc_LDADD = $(DEVTEST_LDADD)

tests_unit_test_loader_SOURCES = tests/unit/test_loader.c core/loader.c \
	core/config.c
tests_unit_test_loader_CPPFLAGS = $(TEST_CPPFLAGS) $(CORE_CPPFLAGS)
tests_unit_test_loader_LDADD = $(CRITERION_LIBS) $(CORE_LIBS)

tests_unit_test_sysnames_SOURCES = tests/unit/test_sysnames.c \
	core/sysnames.c core/sysnames.h
tests_unit_test_sysnames_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/core
tests_unit_test_sysnames_LDADD = $(CRITERION_LIBS)

tests_unit_test_config_SOURCES = tests/unit/test_config.c core/config.c
tests_unit_test_config_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/core
tests_unit_test_config_LDADD = $(CRITERION_LIBS) $(YAML_LIBS)

## -- bare-metal RISC-V guest tests (tests/guest/*.S) --
## Each checks instruction semantics itself and reports through the SiFive
## test finisher; the -vmrun variants add checks where QEMU 7.2 departs
## from the specification (tests/guest/README.md).
GUEST_TESTS = alu muldiv mem amo rvc csr trap timer fp fp-arith fp-toint \
	fp-cvt fp-tb vm
GUEST_CFLAGS = -nostdlib -nostartfiles -march=rv64imac_zicsr_zifencei \
	-mabi=lp64 -Ttext=0x80000000 -Wl,--no-relax -Wl,-N \
	-Wl,--no-warn-rwx-segments -I$(top_srcdir)/tests/guest
## the F/D tests again with fflags.NX set before each check (fptest.h)
GUEST_NX_TESTS = fp-arith fp-toint fp-cvt
GUEST_ELFS = $(GUEST_TESTS:%=tests/guest/%.elf) \
	$(GUEST_TESTS:%=tests/guest/%-vmrun.elf) \
	$(GUEST_NX_TESTS:%=tests/guest/%-nx.elf)
GUEST_HDRS = $(top_srcdir)/tests/guest/rvtest.h $(top_srcdir)/tests/guest/fptest.h
tests/guest/%.elf: $(top_srcdir)/tests/guest/%.S $(GUEST_HDRS)
	$(AM_V_GEN)mkdir -p tests/guest && $(RISCV_CC) $(GUEST_CFLAGS) -o $@ $<
tests/guest/%-vmrun.elf: $(top_srcdir)/tests/guest/%.S $(GUEST_HDRS)
	$(AM_V_GEN)mkdir -p tests/guest && $(RISCV_CC) $(GUEST_CFLAGS) -DVMRUN_ONLY -o $@ $<
tests/guest/%-nx.elf: $(top_srcdir)/tests/guest/%.S $(GUEST_HDRS)
	$(AM_V_GEN)mkdir -p tests/guest && $(RISCV_CC) $(GUEST_CFLAGS) -DFPTEST_STICKY_NX -o $@ $<
tests/guest/check-fault.elf: $(top_srcdir)/tests/guest/check-fault.S
	$(AM_V_GEN)mkdir -p tests/guest && $(RISCV_CC) $(GUEST_CFLAGS) -o $@ $<
check_DATA = $(GUEST_ELFS) tests/guest/check-fault.elf guest/payload.bin
CLEANFILES += $(GUEST_ELFS) tests/guest/check-fault.elf
EXTRA_DIST += $(GUEST_TESTS:%=tests/guest/%.S) tests/guest/rvtest.h \
	tests/guest/fptest.h tests/guest/check-fault.S \
	tests/guest/machine.yaml tests/guest/README.md tests/guest/scratch.S \
	sdk/examples/device-scratch.c guest/initramfs/init guest/initramfs/udhcpc.sh \
	tests/lua/lib.sh tests/lua/guest.S tests/lua/traps.S tests/lua/tiers.S \
	tests/lua/syscalls.c tests/lua/ucount.S

## -- integration tests (shell, TAP) --
INTEGRATION_TESTS = tests/integration/plugin-symbols.sh \
	tests/integration/cli.sh tests/integration/opensbi-boot.sh \
	tests/integration/guest-isa.sh tests/integration/sdk-headers.sh \
	tests/integration/sdk-example.sh tests/integration/console.sh \
	tests/integration/install.sh tests/integration/robustness.sh \
	tests/integration/kernel-boot.sh tests/integration/linux-boot.sh \
	tests/integration/linux-shell.sh tests/lua/api.sh tests/lua/errors.sh \
	tests/lua/examples.sh tests/integration/bench-programs.sh \
	tests/lua/traps.sh tests/lua/disas.sh tests/lua/symbols.sh \
	tests/lua/linux-symbols.sh tests/lua/tiers.sh tests/lua/user.sh \
	tests/lua/mem.sh tests/lua/pause.sh \
	tests/integration/engine-check.sh \
	tests/integration/user-mode.sh tests/integration/user-busybox.sh \
	tests/integration/user-direct.sh

TESTS = $(UNIT_TESTS) $(INTEGRATION_TESTS)
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_COMPILER = $(top_srcdir)/tests/criterion-tap
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = bash
AM_TESTS_ENVIRONMENT = LD_BIND_NOW=1; export LD_BIND_NOW; \
	top_srcdir='$(abs_top_srcdir)' \
	top_builddir='$(abs_top_builddir)' VMRUN='$(abs_top_builddir)/vmrun' \
	RISCV_CC='$(RISCV_CC)' OPENSBI_DIR='$(OPENSBI_DIR)' \
	GUEST_TESTS='$(GUEST_TESTS)' GUEST_NX_TESTS='$(GUEST_NX_TESTS)' \
	CC='$(CC)' \
	RISCV_LINUX_CC='$(RISCV_LINUX_CC)' QEMU_RISCV64='$(QEMU_RISCV64)'; \
	export top_srcdir top_builddir \
	VMRUN RISCV_CC OPENSBI_DIR GUEST_TESTS GUEST_NX_TESTS CC RISCV_LINUX_CC \
	QEMU_RISCV64;

check-unit:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(UNIT_TESTS)'

EXTRA_DIST += tests/criterion-tap tests/data $(INTEGRATION_TESTS) tests/user \
	tests/integration/lib.sh
