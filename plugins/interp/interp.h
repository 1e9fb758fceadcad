/*
** plugins/interp/interp.h - internal types of the IR interpreter engine.
*/
#ifndef VMRUN_INTERP_H
#define VMRUN_INTERP_H

#include <stdint.h>

#include "../common/blockgen.h"
#include "../common/pagemap.h"
#include <vmrun/vmrun.h>

/* Portable switch dispatch instead of computed goto (like Lua's
** ljumptab.h): build with -DVMRUN_INTERP_SWITCH=1. */
#ifndef VMRUN_INTERP_SWITCH
#if defined(__GNUC__)
#define VMRUN_INTERP_SWITCH 0
#else
#define VMRUN_INTERP_SWITCH 1
#endif
#endif

/* Values of cpu->trap_taken (cpu.h names them in newer SDK headers). */
#ifndef VMRUN_TRAP_DONE
#define VMRUN_TRAP_DONE   1u /* helper's instruction completed, pc = next */
#endif
#ifndef VMRUN_TRAP_RAISED
#define VMRUN_TRAP_RAISED 2u /* exception raised, instruction not retired */
#endif

#define INTERP_JC_BITS 13
#define INTERP_JC_SIZE (1u << INTERP_JC_BITS) /* jump cache entries */

/*
** Handlers of the pre-decoded form.  One line per handler; ALU ops come in
** four forms: 64/32-bit x register/immediate second operand.
*/
#define INTERP_ALU(X) X(ADD) X(SUB) X(MUL) X(AND) X(OR) X(XOR) \
                      X(SHL) X(SHR) X(SAR)
#define INTERP_ALU4(X, OP) X(OP##_64R) X(OP##_64I) X(OP##_32R) X(OP##_32I)
#define INTERP_CONDS(X, P) X(P##_EQ) X(P##_NE) X(P##_LT) X(P##_GE) \
                           X(P##_LTU) X(P##_GEU)

#define INTERP_HANDLERS(X)                                                 \
  X(MOVI) X(MOV)                                                           \
  X(GET8U) X(GET8S) X(GET16U) X(GET16S) X(GET32U) X(GET32S) X(GET64)       \
  X(PUT8) X(PUT16) X(PUT32) X(PUT64)                                       \
  INTERP_ALU4(X, ADD) INTERP_ALU4(X, SUB) INTERP_ALU4(X, MUL)              \
  INTERP_ALU4(X, AND) INTERP_ALU4(X, OR) INTERP_ALU4(X, XOR)               \
  INTERP_ALU4(X, SHL) INTERP_ALU4(X, SHR) INTERP_ALU4(X, SAR)              \
  X(MULH_64) X(MULH_32) X(MULHU_64) X(MULHU_32) X(MULHSU_64) X(MULHSU_32)  \
  X(DIV_64) X(DIV_32) X(DIVU_64) X(DIVU_32)                                \
  X(REM_64) X(REM_32) X(REMU_64) X(REMU_32)                                \
  INTERP_CONDS(X, SETR64) INTERP_CONDS(X, SETI64)                          \
  INTERP_CONDS(X, SETR32) INTERP_CONDS(X, SETI32)                          \
  X(SELECT_R) X(SELECT_I)                                                  \
  X(SEXT8) X(SEXT16) X(SEXT32) X(ZEXT8) X(ZEXT16) X(ZEXT32)                \
  X(LD8U) X(LD8S) X(LD16U) X(LD16S) X(LD32U) X(LD32S) X(LD64)              \
  X(ST8) X(ST16) X(ST32) X(ST64)                                           \
  X(CALL) X(CALL_SYNC)                                                     \
  X(BR)                                                                    \
  INTERP_CONDS(X, BRR64) INTERP_CONDS(X, BRR32)                            \
  X(EXIT_DIRECT) X(EXIT_INDIRECT) X(EXIT)                                  \
  INTERP_FUSED4(X, ADD) INTERP_FUSED4(X, SUB) INTERP_FUSED4(X, MUL)        \
  INTERP_FUSED4(X, AND) INTERP_FUSED4(X, OR) INTERP_FUSED4(X, XOR)         \
  INTERP_FUSED4(X, SHL) INTERP_FUSED4(X, SHR) INTERP_FUSED4(X, SAR)        \
  INTERP_CONDS(X, GGBR) INTERP_CONDS(X, GIBR) X(GGCP) X(G3CP)

/* Fused (superinstruction) forms of common 64-bit sequences, built by the
** peephole in engine.c; every temporary the sequence wrote is still
** written, so no liveness analysis is needed:
**   GAP_op   GET ta,R1; op td,ta,imm; PUT R2,td     x=R1 y=R2
**   GGAP_op  GET ta,R1; GET tb,R2; op td,ta,tb; PUT R3,td
**                                                   x=R1 y=R2 imm=R3
**   AP_op_R/I  op td,ta,(tb|imm); PUT R,td          y=R
**   GGBR_cc  GET ta,R1; GET tb,R2; BRCOND ta,tb     imm=R1|R2<<32
**   GIBR_cc  GET ta,R; MOVI tb,imm; BRCOND ta,tb    c=R (< 64 KiB)
**   GGCP     GET ta,R1; GET tb,R2; CALL td=fn(ta,tb,ta) with no flags;
**            PUT R3,td              x=R1 y=R2 c=R3 (< 64 KiB) imm=fn
**            (the riscv64 F/D helpers: two registers in, one out)
**   G3CP     GET ta,R1; GET tb,R2; GET tc,R3; CALL td=fn(ta,tb,tc) with
**            no flags; PUT R4,td    x=R1|R2<<16 y=R3|R4<<16 (all < 64 KiB)
**            imm=fn (the fused multiply-adds)  */
#define INTERP_FUSED4(X, OP) X(GAP_##OP) X(GGAP_##OP) X(AP_##OP##_R) \
                             X(AP_##OP##_I)

#define INTERP_ENUM(n) H_##n,
enum interp_handler { INTERP_HANDLERS(INTERP_ENUM) H_COUNT };
#undef INTERP_ENUM

/*
** One pre-decoded op: 32 bytes.  Field use per handler family:
**   ALU/SETCC: d = a op (b | imm)       GET/PUT: d|a, imm = state offset
**   LD: d = mem[t[a] + imm]; ST: mem[t[a] + imm] = t[b]; x = insn ordinal
**   CALL: d = fn(a, b, c), imm = fn, x = insn ordinal, y = IR flags
**   BR/BRCOND: x = target op index, y = INSN_STARTs skipped when taken
**   EXIT*: x = INSN_STARTs before the exit, imm = pc (EXIT_DIRECT)
**   SELECT: d = t[c] ? t[a] : (b | imm)
** "insn ordinal" = number of INSN_STARTs before the op in the block (the
** current instruction is insn_pc[ordinal]; insn_pc[0] = block pc).
*/
typedef struct interp_op {
  union { const void *p; uintptr_t i; } h; /* handler label or index */
  uint16_t d, a, b, c;
  uint32_t x, y;
  uint64_t imm;
} interp_op;

typedef struct interp_block interp_block;

/* Link of a block into the list of one physical code page. */
typedef pagemap_link interp_plink;

struct interp_block {
  uint64_t pc, phys_pc, phys_page2;
  uint32_t tb_flags;
  uint32_t n_ops, n_insns, n_temps;
  uint32_t valid;
  uint32_t n_plinks;
  uint32_t hits;         /* engine-tiered: times interpreted */
  uint16_t asked;        /* engine-tiered: the tiering policy was asked */
  uint16_t refused;      /* ...and said no: never HOT again (this
                            translation stays interpreted) */
  vmrun_ir_block *ir;    /* engine-tiered: the IR (ops after it), kept
                            until the block is promoted to the JIT */
  interp_block *hnext;   /* hash chain */
  interp_block *fnext;   /* pending-free list */
  interp_plink pl[2];    /* phys_pc page, phys_page2 */
  uint64_t *insn_pc;     /* [n_insns + 1]: [0] = pc, [k] = k-th insn */
  interp_op ops[];       /* n_ops */
};

#endif
