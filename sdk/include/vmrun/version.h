/*
** vmrun/version.h - SDK ABI version and its changelog.
**
** The plugin ABI is versioned MAJOR.MINOR:
**  - MAJOR changes when anything a built plugin relies on changes shape
**    (a struct layout, a slot's signature, a slot's meaning).  The core
**    refuses a plugin whose major differs from its own.
**  - MINOR grows when slots are appended to a vtable or to the host API
**    table.  A plugin built against an older minor still loads: the core
**    reads optional slots only if they lie inside the table's struct_size
**    and are non-NULL.  A plugin built against a newer minor than the core
**    is refused (it may call host slots the core lacks).
**
** Changelog:
**   1.0  first release: frontend, engine, mmu, accel, device kinds; IR v1;
**        host API v1 (memory, MMIO, IRQ lines, clock, timers, chardevs,
**        config accessors, FDT phandles, logging, shutdown).
**   1.1  host: cfg_path() (file options resolved like machine.kernel).
**   1.2  host: poll_register() and vmrun_pollfd (host I/O in the core's
**        poll loop, for network back-ends).
**   1.3  vmrun_engine_env: instrument() callback run on every new block
**        (IR-level instrumentation, identical for every engine).
**   1.4  host: trap_event() and vmrun_trap_info (frontends report trap
**        entry when vmrun_cpu.events has VMRUN_EVENT_TRAP; the field takes
**        4 bytes of the header's reserved space, layout unchanged);
**        vmrun_frontend_ops: caps (VMRUN_FE_CAP_*) and disas() (guest
**        instruction disassembly, optional).
**   1.5  user-mode emulation: vmrun_frontend_ops.user (vmrun_user_abi:
**        page-table entries, enter, take_trap, syscall args/return, entry
**        registers, syscall-number map) and VMRUN_EXIT_USER.
**   1.6  vmrun_engine_ops: set_option(), get_option() (run-time engine
**        options) and set_tier_policy() with vmrun_block_info and
**        vmrun_tier_decide_fn (per-block tier-up decisions), all optional;
**        VMRUN_ENGINE_HAS().
**   1.7  vmrun_engine_ops: vcache_flush_page() (drop the VA-keyed caches
**        of one guest page, for SFENCE.VMA of one address), and
**        vmrun_mmu_ops: tlb_flush_page() (a page flush that says whether
**        an executable superpage covers the address), both optional;
**        VMRUN_MMU_HAS(); VMRUN_IR_F_NOREGS, a CALL flag telling engines
**        the helper touches no guest register a GET or PUT reaches
**        (engines may ignore it); VMRUN_TLB_INDEX(va) (vmrun/cpu.h): the
**        TLB slot folds va bits 27:20 into bits 19:12 (layout unchanged;
**        an engine using the old index stays correct but misses more).
**   1.8  direct guest memory for user mode: vmrun_direct_mem,
**        vmrun_engine_env.direct and the optional engine slot host_fault()
**        (a host SIGSEGV of a direct access goes to its slow path).
**   1.9  floating-point hints: the CALL flag VMRUN_IR_F_FP with enum
**        vmrun_ir_fpop in `cond` (vmrun/ir.h), and
**        vmrun_frontend_ops.fp_flags_off / fp_inexact (where the accrued
**        flags live); an engine may compute a hinted binary64 operation
**        inline (engines that ignore the hint stay correct).
**        vmrun_ir_block.flags (was `reserved`) with
**        VMRUN_IR_BLK_SIDE_EXITS: the engine lets the frontend continue a
**        block past conditional branches (side exits).
**   1.10 host: code_map() and vmrun_code_map (vmrun/host.h): the map of
**        translated bytes of a RAM page, so an MMU can let a store to
**        data next to code through without calling code_written().
**   1.11 the RAM window for machine mode: vmrun_ram_window and
**        vmrun_engine_env.ram (vmrun/engine.h), and the block flag
**        VMRUN_IR_BLK_PHYS_DATA (vmrun/ir.h) by which a frontend says a
**        block's data accesses are untranslated, so an engine may reach
**        RAM without a TLB probe.
**   1.12 vmrun_frontend_ops.fp_invalid / fp_divzero / fp_overflow /
**        fp_underflow: the other accrued FP flags, so an engine may
**        compute any hinted binary64 operation on the host and accrue the
**        host's flags (vmrun/ir.h, "Floating-point hints").
**   1.13 floating-point hints for conversions from an integer:
**        VMRUN_IR_FP_CVT_D_W, _D_WU and _D_L (vmrun/ir.h).  An engine
**        built for 1.12 ignores them (their cond is past its
**        VMRUN_IR_NB_FPOPS) and calls the helper.
**   1.14 vmrun_frontend_ops.fp_default_nan: the ISA's NaN for hinted
**        binary64 results (vmrun/frontend.h), so an engine may give a NaN
**        result without calling the helper.
*/
#ifndef VMRUN_VERSION_H
#define VMRUN_VERSION_H

#define VMRUN_ABI_MAJOR 1
#define VMRUN_ABI_MINOR 14

/* ABI fingerprint: guards against a plugin built for another host word
** size or byte order (like Lua's LUAL_NUMSIZES).  Bits 0-7: sizeof(void *);
** bits 8-15: sizeof(uint64_t); bit 16: 1 when the host is big-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define VMRUN_ABI_BIG_ENDIAN 1u
#else
#define VMRUN_ABI_BIG_ENDIAN 0u
#endif
#define VMRUN_ABI_FINGERPRINT \
  ((unsigned)sizeof(void *) | ((unsigned)sizeof(unsigned long long) << 8) | \
   (VMRUN_ABI_BIG_ENDIAN << 16))

#endif
