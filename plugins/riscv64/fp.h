/*
** plugins/riscv64/fp.h - RV64F and RV64D (Unprivileged ISA ch. 11 "F",
** ch. 12 "D"): interface between fp.c and the rest of the frontend.
**
** State (struct rv_cpu, rv_cpu.h): f[32] (64 bits each; single-precision
** values are NaN-boxed: upper 32 bits all ones), fflags (bits 4:0) and frm
** (bits 2:0).  mstatus.FS (Privileged ISA §3.1.6.6): with FS = Off every FP
** instruction and every access to fflags/frm/fcsr is illegal; any write of
** FP state sets FS = Dirty (SD is derived from FS on read).  FS == Off,
** FS == Dirty and frm are part of tb_flags (RV_TBF_*, rv_cpu.h), so the
** FS check and the dynamic rounding mode are decided at translation time
** and blocks are specialised on them.
*/
#ifndef RV_FP_H
#define RV_FP_H

#include "rv_cpu.h"

/* fflags bits (Unprivileged ISA §11.2, Table 11.2) */
#define FFLAG_NX 0x01u  /* inexact */
#define FFLAG_UF 0x02u  /* underflow */
#define FFLAG_OF 0x04u  /* overflow */
#define FFLAG_DZ 0x08u  /* divide by zero */
#define FFLAG_NV 0x10u  /* invalid operation */

/* rounding modes (Table 11.1) */
#define RM_RNE 0u
#define RM_RTZ 1u
#define RM_RDN 2u
#define RM_RUP 3u
#define RM_RMM 4u
#define RM_DYN 7u

/* Translate one 32-bit (or expanded RVC) instruction of the major opcodes
** LOAD-FP, STORE-FP, MADD, MSUB, NMSUB, NMADD and OP-FP into `blk`.
** `nt` is the translator's next free temporary of this instruction
** (updated), `raw` the instruction bits as fetched (mtval when illegal),
** `insn` the 32-bit form.  Returns 1 if the block ends (illegal
** instruction raised), 0 otherwise. */
int rv_fp_translate(vmrun_ir_block *blk, uint32_t *nt, uint32_t raw,
                    uint32_t insn);

/* fflags / frm / fcsr for csr.c (no FS check: rv_csr_access does it).
** A write sets FS = Dirty unless FS is Off (debugger pokes). */
uint64_t rv_fp_csr_get(struct rv_cpu *rc, unsigned csr);
void rv_fp_csr_set(struct rv_cpu *rc, unsigned csr, uint64_t v);

/* Register names for reg_get/reg_set/reg_name: f0..f31 and the ABI names
** (ft0-ft11, fs0-fs11, fa0-fa7).  Returns the register number or -1. */
int rv_fp_reg_by_name(const char *name);
const char *rv_fp_reg_name(unsigned k);

/* The generic IR helper (CALL), used for the fused ops in rounding modes
** other than RNE: info = rd | rs1 << 5 | rs2 << 10 | rs3 << 15 |
** rm << 20 | op << 24 | double << 30, with rm already resolved (0..4:
** DYN is replaced by the frm of tb_flags at translation); insn = the raw
** instruction (unused); xval = x[rs1] for the conversions from integers.
** It reads and writes f[] and fflags itself, cannot trap and is emitted
** with no CALL flags.  The helpers of the other operations (values in,
** result out) are private to fp.c. */
uint64_t rv_fp_h_arith(vmrun_cpu *cpu, uint64_t info, uint64_t insn,
                       uint64_t xval);

#endif
