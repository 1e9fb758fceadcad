/*
** The SDK's binary layout, pinned.  A change to any size or offset below
** breaks every plugin built against ABI 1.x: such a change must bump
** VMRUN_ABI_MAJOR (and this table); appending a vtable slot bumps the minor
** and updates only the struct sizes here.  (SQLite's sqlite3_vfs once
** changed layout without a version bump; this test is the guard.)
*/
#include <criterion/criterion.h>
#include <stddef.h>
#include <vmrun/vmrun.h>

#define SIZE(t, n) cr_expect_eq(sizeof(t), (size_t)(n), #t ": %zu", sizeof(t))
#define OFF(t, f, n) \
  cr_expect_eq(offsetof(t, f), (size_t)(n), #t "." #f ": %zu", offsetof(t, f))

Test(sdk_abi, version_is_1_14)
{
  cr_expect_eq(VMRUN_ABI_MAJOR, 1);
  cr_expect_eq(VMRUN_ABI_MINOR, 14);
}

Test(sdk_abi, cpu_header)
{
  SIZE(vmrun_cpu, 160);
  OFF(vmrun_cpu, pc, 0);
  OFF(vmrun_cpu, icount, 8);
  OFF(vmrun_cpu, priv, 16);
  OFF(vmrun_cpu, mmu_idx, 20);
  OFF(vmrun_cpu, mmu_idx_fetch, 24);
  OFF(vmrun_cpu, tb_flags, 28);
  OFF(vmrun_cpu, exit_request, 32);
  OFF(vmrun_cpu, halted, 36);
  OFF(vmrun_cpu, irq_pending, 40);
  OFF(vmrun_cpu, hart_id, 48);
  OFF(vmrun_cpu, trap_taken, 52);
  OFF(vmrun_cpu, tlb, 56);
  OFF(vmrun_cpu, machine, 64);
  OFF(vmrun_cpu, insn_budget, 96);
  OFF(vmrun_cpu, events, 104);
  OFF(vmrun_cpu, reserved, 112);
}

Test(sdk_abi, tlb_entry)
{
  SIZE(vmrun_tlb_entry, 32);
  OFF(vmrun_tlb_entry, addr_read, 0);
  OFF(vmrun_tlb_entry, addr_write, 8);
  OFF(vmrun_tlb_entry, addr_code, 16);
  OFF(vmrun_tlb_entry, addend, 24);
  cr_expect_eq(VMRUN_TLB_SIZE, 256);
  cr_expect_eq(VMRUN_TLB_NB_IDX, 4);
  cr_expect_eq(VMRUN_PAGE_BITS, 12);
  /* the slot (1.7): va bits 19:12 XOR bits 27:20; bits above 27 unused */
  cr_expect_eq(VMRUN_TLB_INDEX(0x12345678ull), 0x45u ^ 0x23u);
  cr_expect_eq(VMRUN_TLB_INDEX(0xfffffff000ull), 0u);
  cr_expect_eq(VMRUN_TLB_INDEX(0x400000ull), 0x04u);
  cr_expect_eq(VMRUN_TLB_INDEX(0x10000000ull), 0u);
}

Test(sdk_abi, ir)
{
  SIZE(vmrun_ir_op, 24);
  OFF(vmrun_ir_op, op, 0);
  OFF(vmrun_ir_op, flags, 3);
  OFF(vmrun_ir_op, dst, 4);
  OFF(vmrun_ir_op, c, 10);
  OFF(vmrun_ir_op, imm, 16);
  SIZE(vmrun_ir_block, 72);
  OFF(vmrun_ir_block, ops, 48);
  cr_expect_eq(VMRUN_IR_NB_OPS, 35);
  cr_expect_eq(VMRUN_IR_EXIT, 34);
  cr_expect_eq(VMRUN_IR_NB_CONDS, 6);
  cr_expect_eq(VMRUN_IR_F_FP, 0x80);
  cr_expect_eq(VMRUN_IR_FP_SQRT, 4);
  cr_expect_eq(VMRUN_IR_FP_NMADD, 8);
  cr_expect_eq(VMRUN_IR_FP_LE, 11);
  cr_expect_eq(VMRUN_IR_FP_CVT_D_W, 12);
  cr_expect_eq(VMRUN_IR_FP_CVT_D_L, 14);
  cr_expect_eq(VMRUN_IR_NB_FPOPS, 15);
}

Test(sdk_abi, descriptor)
{
  SIZE(vmrun_plugin_desc, 48);
  OFF(vmrun_plugin_desc, abi_major, 4);
  OFF(vmrun_plugin_desc, abi_minor, 6);
  OFF(vmrun_plugin_desc, kind, 12);
  OFF(vmrun_plugin_desc, name, 16);
  OFF(vmrun_plugin_desc, ops, 40);
}

Test(sdk_abi, vtables_and_host)
{
  SIZE(vmrun_frontend_ops, 176);
  OFF(vmrun_frontend_ops, fp_flags_off, 144);
  OFF(vmrun_frontend_ops, fp_inexact, 148);
  OFF(vmrun_frontend_ops, fp_invalid, 152);
  OFF(vmrun_frontend_ops, fp_divzero, 156);
  OFF(vmrun_frontend_ops, fp_overflow, 160);
  OFF(vmrun_frontend_ops, fp_underflow, 164);
  OFF(vmrun_frontend_ops, fp_default_nan, 168);   /* 1.14 */
  OFF(vmrun_frontend_ops, caps, 120);
  OFF(vmrun_frontend_ops, disas, 128);
  OFF(vmrun_frontend_ops, user, 136);
  SIZE(vmrun_engine_ops, 120);
  OFF(vmrun_engine_ops, host_fault, 112);
  OFF(vmrun_engine_ops, stats, 72);
  OFF(vmrun_engine_ops, set_option, 80);
  OFF(vmrun_engine_ops, get_option, 88);
  OFF(vmrun_engine_ops, set_tier_policy, 96);
  OFF(vmrun_engine_ops, vcache_flush_page, 104);
  SIZE(vmrun_block_info, 40);
  OFF(vmrun_block_info, n_insns, 4);
  OFF(vmrun_block_info, pc, 8);
  OFF(vmrun_block_info, phys_pc, 16);
  OFF(vmrun_block_info, exec_count, 24);
  OFF(vmrun_block_info, size, 32);
  OFF(vmrun_block_info, tb_flags, 36);
  SIZE(vmrun_mmu_ops, 88);
  OFF(vmrun_mmu_ops, tlb_flush_page, 80);
  SIZE(vmrun_accel_ops, 56);
  SIZE(vmrun_device_ops, 40);
  SIZE(vmrun_device_config, 96);
  SIZE(vmrun_engine_env, 88);
  OFF(vmrun_engine_env, direct, 64);
  OFF(vmrun_engine_env, block_flags, 72);
  OFF(vmrun_engine_env, ram, 80);
  OFF(vmrun_ir_block, flags, 68);
  cr_expect_eq(VMRUN_IR_BLK_SIDE_EXITS, 1);
  cr_expect_eq(VMRUN_IR_BLK_PHYS_DATA, 4);
  SIZE(vmrun_ram_window, 32);
  OFF(vmrun_ram_window, base, 8);
  OFF(vmrun_ram_window, size, 16);
  OFF(vmrun_ram_window, code_granules, 24);
  cr_expect_eq(VMRUN_RAM_GRANULE_BITS, 3);
  SIZE(vmrun_direct_mem, 24);
  OFF(vmrun_direct_mem, va_bits, 8);
  OFF(vmrun_direct_mem, guard_bits, 12);
  OFF(vmrun_direct_mem, code_pages, 16);
  SIZE(vmrun_boot_info, 40);
  SIZE(vmrun_host, 336);
  OFF(vmrun_host, trap_event, 320);
  OFF(vmrun_host, code_map, 328);
  SIZE(vmrun_code_map, 520);
  OFF(vmrun_code_map, data_stores, 512);
  SIZE(vmrun_trap_info, 56);
  OFF(vmrun_trap_info, is_interrupt, 32);
  OFF(vmrun_trap_info, to_priv, 40);
  OFF(vmrun_trap_info, name, 48);
  OFF(vmrun_host, log, 8);
  SIZE(vmrun_paging, 24);
}

Test(sdk_abi, user_mode)
{
  SIZE(vmrun_user_trap, 24);
  OFF(vmrun_user_trap, addr, 8);
  OFF(vmrun_user_trap, pc, 16);
  SIZE(vmrun_user_abi, 152);
  OFF(vmrun_user_abi, va_limit, 8);
  OFF(vmrun_user_abi, pte_leaf, 32);
  OFF(vmrun_user_abi, enter, 48);
  OFF(vmrun_user_abi, set_entry, 80);
  OFF(vmrun_user_abi, clone_child, 88);
  OFF(vmrun_user_abi, sigframe_size, 96);
  OFF(vmrun_user_abi, sigreturn_code, 104);
  OFF(vmrun_user_abi, sigframe_restore, 128);
  OFF(vmrun_user_abi, sysno_map, 136);
  cr_expect_eq(VMRUN_EXIT_USER, 0x20u);
  cr_expect_eq(VMRUN_IR_F_NOREGS, 0x40u);   /* 1.7 */
}
