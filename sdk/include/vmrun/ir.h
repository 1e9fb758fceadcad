/*
** vmrun/ir.h - the intermediate representation between ISA frontends and
** execution engines.
**
** Frontends know the guest ISA, engines know the host; the IR is the whole
** contract between them.  A translation block (vmrun_ir_block) is a list of
** three-address ops on 64-bit temporaries:
**
**   - temporaries t0..t(n_temps-1) hold 64-bit values; every op writes its
**     full 64-bit destination (32-bit ops zero-extend their result);
**   - guest registers are reached with GET/PUT at a byte offset into the
**     vCPU state (vmrun/cpu.h), so engines never know the ISA;
**   - memory is reached with LD/ST through the MMU (guest virtual address,
**     width, signedness), which may fault;
**   - complex semantics go through CALL to a frontend helper function;
**   - control flow inside a block is forward-only (BR/BRCOND to a LABEL
**     placed later); a block leaves through EXIT_DIRECT (constant target,
**     chainable), EXIT_INDIRECT (computed target) or EXIT (pc already set by
**     a helper).
**   - INSN_START marks the start of each guest instruction: it carries the
**     guest PC, which is how engines restore precise state when an op of
**     that instruction faults, and the anchor for per-instruction hooks.
**
** Op table, one line each (W = width in bytes from `size`, 4 or 8 for
** arithmetic; B = t[b], or the immediate `imm` when flags has
** VMRUN_IR_F_BIMM; results of 4-byte ops are zero-extended to 64 bits):
**
**   NOP                               no effect
**   INSN_START imm=pc a=len           start of the guest insn at pc, len bytes
**   MOVI    dst imm                   t[dst] = imm
**   MOV     dst a                     t[dst] = t[a]
**   GET     dst imm size [SIGNED]     t[dst] = ext(*(uintW *)(cpu + imm))
**   PUT     a imm size                *(uintW *)(cpu + imm) = t[a]
**   ADD SUB MUL AND OR XOR dst a B    t[dst] = t[a] op B        (mod 2^W)
**   SHL SHR SAR dst a B               shift by B mod (8*W)
**   MULH MULHU MULHSU dst a B         high W*8 bits of the 2W-bit product
**                                     (signed*signed, u*u, signed*unsigned)
**   DIV DIVU REM REMU dst a B         never traps: x/0 = all ones, x%0 = x,
**                                     MIN/-1 = MIN, MIN%-1 = 0 (these are the
**                                     RISC-V rules, Unprivileged ISA §7.2;
**                                     other ISAs guard with BRCOND)
**   SETCC   dst a B cond              t[dst] = (t[a] cond B) ? 1 : 0
**   SELECT  dst a B c                 t[dst] = t[c] ? t[a] : B
**   SEXT ZEXT dst a size              sign/zero-extend the low `size` bytes
**   LD      dst a imm size [SIGNED]   t[dst] = ext(mem[t[a] + imm])
**   ST      a b imm size              mem[t[a] + imm] = low W bytes of t[b]
**   CALL    dst a b c imm=fn flags    t[dst] = fn(cpu, t[a], t[b], t[c])
**           [cond=fpop size=8 F_FP]   (a binary64 operation: see below)
**   LABEL   imm=label                 a forward branch target
**   BR      imm=label                 goto label
**   BRCOND  a b cond imm=label        if (t[a] cond t[b]) goto label
**                                     (no BIMM form: imm holds the label)
**   EXIT_DIRECT   imm=pc              cpu->pc = imm; leave (chainable)
**   EXIT_INDIRECT a                   cpu->pc = t[a]; leave
**   EXIT                              leave; cpu->pc was set by a helper
**
** LD/ST faults (page fault, access fault, misaligned when
** VMRUN_IR_F_ALIGNED is set): the engine sets cpu->pc to the PC of the
** current INSN_START, cpu->icount to the instructions completed before it,
** calls the frontend's raise_fault() (which performs the architectural trap
** entry), and leaves the block.  Effects of earlier ops of the faulting
** instruction must therefore be limited to temporaries: frontends PUT guest
** registers only after the instruction's last op that may fault.
*/
#ifndef VMRUN_IR_H
#define VMRUN_IR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vmrun_cpu;

enum vmrun_ir_opcode {
  VMRUN_IR_NOP = 0,
  VMRUN_IR_INSN_START,
  VMRUN_IR_MOVI,
  VMRUN_IR_MOV,
  VMRUN_IR_GET,
  VMRUN_IR_PUT,
  VMRUN_IR_ADD,
  VMRUN_IR_SUB,
  VMRUN_IR_MUL,
  VMRUN_IR_MULH,
  VMRUN_IR_MULHU,
  VMRUN_IR_MULHSU,
  VMRUN_IR_DIV,
  VMRUN_IR_DIVU,
  VMRUN_IR_REM,
  VMRUN_IR_REMU,
  VMRUN_IR_AND,
  VMRUN_IR_OR,
  VMRUN_IR_XOR,
  VMRUN_IR_SHL,
  VMRUN_IR_SHR,
  VMRUN_IR_SAR,
  VMRUN_IR_SETCC,
  VMRUN_IR_SELECT,
  VMRUN_IR_SEXT,
  VMRUN_IR_ZEXT,
  VMRUN_IR_LD,
  VMRUN_IR_ST,
  VMRUN_IR_CALL,
  VMRUN_IR_LABEL,
  VMRUN_IR_BR,
  VMRUN_IR_BRCOND,
  VMRUN_IR_EXIT_DIRECT,
  VMRUN_IR_EXIT_INDIRECT,
  VMRUN_IR_EXIT,
  VMRUN_IR_NB_OPS
};

/* Comparison conditions for SETCC and BRCOND (on 64-bit values, or on the
** low 32 bits sign/zero-extended when size == 4). */
enum vmrun_ir_cond {
  VMRUN_IR_EQ = 0, VMRUN_IR_NE,
  VMRUN_IR_LT,  VMRUN_IR_GE,   /* signed */
  VMRUN_IR_LTU, VMRUN_IR_GEU,  /* unsigned */
  VMRUN_IR_NB_CONDS
};

/* Op flags. */
#define VMRUN_IR_F_BIMM      0x01u /* second operand is `imm`, not t[b] */
#define VMRUN_IR_F_SIGNED    0x02u /* GET/LD: sign-extend the loaded value */
#define VMRUN_IR_F_ALIGNED   0x04u /* LD/ST: misaligned address faults */
/* CALL flags: what the helper may do, so engines know what to sync. */
#define VMRUN_IR_F_MAY_FAULT 0x08u /* may raise a guest exception: pc and
                                      icount are synced before the call */
#define VMRUN_IR_F_END       0x10u /* may change pc, privilege or
                                      translation state: if it sets
                                      cpu->trap_taken the block ends */
#define VMRUN_IR_F_PURE      0x20u /* reads only its arguments, no side
                                      effects (may be folded or hoisted) */
#define VMRUN_IR_F_NOREGS    0x40u /* (ABI 1.7) reads and writes no vCPU
                                      state that a GET or PUT of the block
                                      reaches (it may touch other state,
                                      e.g. accrued FP flags): an engine may
                                      keep guest registers in host
                                      registers across the call.  A hint:
                                      ignoring it is always correct. */
#define VMRUN_IR_F_FP        0x80u /* (ABI 1.9) CALL: the helper is one
                                      IEEE 754 binary64 operation, `cond`
                                      an enum vmrun_ir_fpop: see below.
                                      A hint: ignoring it is always
                                      correct. */

/*
** Floating-point hints (ABI 1.9).  A CALL flagged VMRUN_IR_F_FP |
** VMRUN_IR_F_NOREGS (and neither MAY_FAULT nor END), with size == 8 and
** cond = one of these, promises that its helper
**   - takes t[a], t[b], t[c] as IEEE 754-2019 binary64 bit patterns
**     (b, c unused by the ops that have fewer operands);
**   - returns the bit pattern of the operation's result rounded to
**     nearest, ties to even (roundTiesToEven, IEEE 754-2019 §4.3.1);
**   - has one other effect: it ORs the exception flags the operation
**     raises (§7) into the 32-bit word at byte offset
**     vmrun_frontend_ops.fp_flags_off of the vCPU state, inexact being the
**     bit vmrun_frontend_ops.fp_inexact there (RISC-V: fflags and NX,
**     Unprivileged ISA §13.2).
** (The conversions from an integer, below, take an integer in t[a].)
** So when no operand is an infinity or NaN, a divisor is not zero, a
** square root's operand is not negative, and the host's binary64 result
** (SSE/AdvSIMD in the default environment) is finite and normal, that
** result is the helper's and inexact is the only flag it can raise (§7.6
** and §7.5: underflow needs a tiny result, overflow an infinite one).  An
** engine may then compute the operation inline when the inexact bit is
** already set in the word (flags are sticky) or when it proves the result
** exact, and call the helper in every other case.
** ABI 1.12: when the frontend also gives the other four flags' masks
** (fp_invalid, fp_divzero, fp_overflow, fp_underflow: its ISA detects
** tininess after rounding, §7.5, as x86 SSE does), any host result that
** is not a NaN is the helper's, and the flags the host raises for it
** (§7.2-7.6, each mapped to its mask) are exactly the helper's: the two
** differ only in a NaN result's bits, which are the ISA's (RISC-V: the
** canonical NaN).  An engine may then compute every hinted operation
** inline, call the helper for NaN results only, and accrue the host's
** flags later, as long as it ORs them into the word before anything can
** read or write it (a helper call, the return to the dispatcher); the
** host's flags for a NaN result are a subset of the helper's, so they
** may accrue too.  ABI 1.14: a frontend that gives its ISA's default
** NaN (vmrun_frontend_ops.fp_default_nan) lets an engine give a NaN
** result of ADD..SQRT itself, with no helper call.  The frontend resolves
** any dynamic rounding mode at translation (tb_flags) and hints only
** round-to-nearest-even operations.  Other sizes are reserved: engines
** ignore the hint there.
*/
enum vmrun_ir_fpop {
  VMRUN_IR_FP_ADD = 0,  /* a + b */
  VMRUN_IR_FP_SUB,      /* a - b */
  VMRUN_IR_FP_MUL,      /* a * b */
  VMRUN_IR_FP_DIV,      /* a / b */
  VMRUN_IR_FP_SQRT,     /* squareRoot(a) */
  VMRUN_IR_FP_MADD,     /* a * b + c, rounded once (fusedMultiplyAdd) */
  VMRUN_IR_FP_MSUB,     /* a * b - c, rounded once */
  VMRUN_IR_FP_NMSUB,    /* -(a * b) + c, rounded once */
  VMRUN_IR_FP_NMADD,    /* -(a * b) - c, rounded once */
  /* comparisons: the result is the integer 1 or 0, not a binary64; with
  ** no NaN operand they raise no flag, and an engine may compute them
  ** inline then (RISC-V FEQ/FLT/FLE.D, Unprivileged ISA §13.8) */
  VMRUN_IR_FP_EQ,       /* a == b (quiet) */
  VMRUN_IR_FP_LT,       /* a < b (signalling) */
  VMRUN_IR_FP_LE,       /* a <= b (signalling) */
  /* conversions from an integer (ABI 1.13): t[a] is the integer, not a
  ** binary64, and the result is the binary64 nearest it (RISC-V
  ** FCVT.D.W/WU/L, Unprivileged ISA §13.7; IEEE 754-2019 §5.4.1
  ** convertFromInt).  W and WU read the low 32 bits of t[a] and are
  ** always exact: they raise no flag and ignore the rounding mode, so the
  ** frontend may hint them under any static or dynamic rm.  L may be
  ** inexact (|t[a]| > 2^53), raising inexact only; it is hinted under
  ** round-to-nearest-even only, like the others.  No result is a NaN. */
  VMRUN_IR_FP_CVT_D_W,  /* (double)(int32_t)a */
  VMRUN_IR_FP_CVT_D_WU, /* (double)(uint32_t)a */
  VMRUN_IR_FP_CVT_D_L,  /* (double)(int64_t)a, rounded */
  VMRUN_IR_NB_FPOPS
};

/* One op: 24 bytes. */
typedef struct vmrun_ir_op {
  uint8_t  op;     /* enum vmrun_ir_opcode */
  uint8_t  size;   /* operand or access width in bytes: 1, 2, 4 or 8 */
  uint8_t  cond;   /* enum vmrun_ir_cond (SETCC, BRCOND) */
  uint8_t  flags;  /* VMRUN_IR_F_* */
  uint16_t dst, a, b, c; /* temporaries */
  uint64_t imm;    /* immediate, state offset, guest PC, label or helper */
} vmrun_ir_op;

/* Helper called by CALL.  `cpu` is the running vCPU; the three arguments
** are t[a], t[b], t[c].  Runs on the vCPU's thread; must not longjmp.  To
** raise a guest exception it performs the trap entry itself (sets pc,
** privilege, cause CSRs), sets cpu->trap_taken and returns. */
typedef uint64_t (*vmrun_ir_helper_fn)(struct vmrun_cpu *cpu, uint64_t a,
                                       uint64_t b, uint64_t c);

#define VMRUN_IR_MAX_TEMPS   1024u /* temporaries per block */
#define VMRUN_IR_MAX_LABELS  256u  /* labels per block */
#define VMRUN_IR_OPS_PER_INSN 64u  /* most ops a frontend may emit for one
                                      guest instruction */

/*
** A translation block under construction or finished.  The core allocates
** `ops` with room for cap_ops entries and guarantees
** cap_ops >= max_insns * VMRUN_IR_OPS_PER_INSN; the frontend appends ops and
** fills the counters.  Ownership: the core (or engine) owns the block and
** its ops array; a frontend must not keep pointers to it after translate().
*/
typedef struct vmrun_ir_block {
  uint64_t pc;          /* guest VA of the first instruction */
  uint64_t phys_pc;     /* guest PA of the first instruction */
  uint32_t tb_flags;    /* cpu->tb_flags when translated */
  uint32_t max_insns;   /* set by the core: translate at most this many */
  uint32_t n_insns;     /* guest instructions translated */
  uint32_t size;        /* guest code bytes translated: from pc on, or
                           in pieces with VMRUN_IR_BLK_FOLLOW_JUMPS */
  uint32_t n_ops;       /* ops used */
  uint32_t cap_ops;     /* ops available */
  uint32_t n_temps;     /* temporaries used: t0..t(n_temps-1) */
  uint32_t n_labels;    /* labels used: 0..n_labels-1 */
  vmrun_ir_op *ops;     /* ops[0..n_ops-1] */
  uint64_t phys_page2;  /* guest PA of a second code page the block spans,
                           or VMRUN_TLB_INVALID; set by the core's fetch */
  uint32_t overflow;    /* set by the emit helpers when cap_ops or a temp
                           or label limit was exceeded: the core rejects the
                           block (frontend bug) */
  uint32_t flags;       /* (ABI 1.9; was reserved, zero) VMRUN_IR_BLK_*,
                           set by the engine before translate(); the
                           frontend may add VMRUN_IR_BLK_PHYS_DATA */
} vmrun_ir_block;

/*
** VMRUN_IR_BLK_SIDE_EXITS (ABI 1.9): the block need not end at a
** conditional branch.  The frontend may translate the fall-through path
** on, leaving through a side exit when the branch is taken (BRCOND to a
** label placed after the block's last straight-line exit, whose code is
** an EXIT_DIRECT to the target), so one block may hold several basic
** blocks and run only a prefix of its instructions.  Engines set it when
** the core offers it (vmrun_engine_env.block_flags): not while Lua block
** hooks may count and cover basic blocks.  A frontend may ignore it; a
** block translated without it is a basic block as before.
*/
#define VMRUN_IR_BLK_SIDE_EXITS 0x1u
/*
** VMRUN_IR_BLK_FOLLOW_JUMPS (ABI 1.9): the frontend may go on translating
** at the target of an unconditional direct jump (or call) instead of
** ending the block there, when the target is on the guest page of the
** block's first instruction.  The block's instructions are then not
** contiguous: `size` counts the code bytes translated, not an extent
** from `pc`, and invalidation by page still covers them.  Offered and
** withheld with VMRUN_IR_BLK_SIDE_EXITS.
*/
#define VMRUN_IR_BLK_FOLLOW_JUMPS 0x2u
/*
** VMRUN_IR_BLK_PHYS_DATA (ABI 1.11): set by the frontend in translate(),
** never by the engine.  Every data load and store of the block accesses
** guest PA == guest VA with no translation and no permission check of
** the MMU's (RISC-V: the effective privilege of data accesses is M, or
** satp.MODE is Bare, Privileged ISA §3.1.6.3 and §4.1.11), for every run
** of the block, which its tb_flags must guarantee.  An engine may then
** use the RAM window (vmrun_ram_window, vmrun/engine.h) for the block's
** accesses.  Engines that ignore it stay correct.
*/
#define VMRUN_IR_BLK_PHYS_DATA 0x4u

/* ---- emit helpers: inline, so frontends need no core symbols ---- */

static inline vmrun_ir_op *vmrun_ir_emit(vmrun_ir_block *b, unsigned op)
{
  static vmrun_ir_op dummy;
  vmrun_ir_op *o;
  if (b->n_ops >= b->cap_ops) { b->overflow = 1; return &dummy; }
  o = &b->ops[b->n_ops++];
  o->op = (uint8_t)op; o->size = 8; o->cond = 0; o->flags = 0;
  o->dst = o->a = o->b = o->c = 0; o->imm = 0;
  return o;
}

/* A new temporary.  Frontends may reuse temporaries across instructions. */
static inline uint16_t vmrun_ir_temp(vmrun_ir_block *b)
{
  if (b->n_temps >= VMRUN_IR_MAX_TEMPS) { b->overflow = 1; return 0; }
  return (uint16_t)b->n_temps++;
}

static inline uint32_t vmrun_ir_label(vmrun_ir_block *b)
{
  if (b->n_labels >= VMRUN_IR_MAX_LABELS) { b->overflow = 1; return 0; }
  return b->n_labels++;
}

/* Human-readable name of an opcode ("add", "ld", ...), for dumps. */
static inline const char *vmrun_ir_op_name(unsigned op)
{
  static const char *const names[VMRUN_IR_NB_OPS] = {
    "nop", "insn_start", "movi", "mov", "get", "put", "add", "sub", "mul",
    "mulh", "mulhu", "mulhsu", "div", "divu", "rem", "remu", "and", "or",
    "xor", "shl", "shr", "sar", "setcc", "select", "sext", "zext", "ld", "st",
    "call", "label", "br", "brcond", "exit_direct", "exit_indirect", "exit"
  };
  return op < VMRUN_IR_NB_OPS ? names[op] : "?";
}

#ifdef __cplusplus
}
#endif
#endif
