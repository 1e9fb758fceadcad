/*
** plugins/tjit/tjit.h - internal types of the template JIT engine.
*/
#ifndef VMRUN_TJIT_H
#define VMRUN_TJIT_H

#include <stdint.h>

#include "../common/blockgen.h"
#include "../common/pagemap.h"
#include <vmrun/vmrun.h>

#if defined(__GNUC__)
#define TJ_LIKELY(x)   __builtin_expect(!!(x), 1)
#define TJ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TJ_LIKELY(x)   (x)
#define TJ_UNLIKELY(x) (x)
#endif

/* Jump cache: slots grouped by guest page as INTERP_JC_IDX (see
** plugins/interp/interp_int.h), for vcache_flush_page(). */
#define TJIT_JC_BITS 13
#define TJIT_JC_SIZE (1u << TJIT_JC_BITS)
#define TJIT_JC_GROUP_BITS (TJIT_JC_BITS / 2)
#define TJIT_JC_GROUP (1u << TJIT_JC_GROUP_BITS)
#define TJIT_JC_TMP(pc) \
  ((pc) ^ ((pc) >> (VMRUN_PAGE_BITS - TJIT_JC_GROUP_BITS)))
#define TJIT_JC_IDX(pc)                                                  \
  (((TJIT_JC_TMP(pc) >> (VMRUN_PAGE_BITS - TJIT_JC_GROUP_BITS)) &       \
    (TJIT_JC_SIZE - TJIT_JC_GROUP)) |                                   \
   (TJIT_JC_TMP(pc) & (TJIT_JC_GROUP - 1)))
/* Victim jump cache, one entry per jump-cache slot: the block a fill
** evicted from the slot (the dispatcher's second probe, engine.c).  The
** probe in generated code reads only the jump cache.  Entries are valid
** while their gen equals the vCPU's jv_gen, which a flush of the whole
** jump cache advances instead of clearing the table. */
typedef struct tjit_jv {
  struct tjit_block *b;
  uint64_t gen;
} tjit_jv;
/* Bloom filter of the guest virtual pages that cross-page chains lead
** into (bits, a power of two) */
#define TJIT_XBLOOM_BITS 4096u
#define TJIT_MAX_FETCH_FAULTS 1000000u
/* the largest insn_budget one entry into generated code runs (engine.c):
** a block that loops to itself checks exit_request only on leaving
** (codegen.c, "tight loops"), so this bounds how long a request from
** another thread waits (2^20 instructions: well under a millisecond) */
#define TJIT_LOOP_SLICE (1ull << 20)
#define TJIT_DEFAULT_CACHE (64u << 20)
#define TJIT_MIN_CACHE (16u << 10)

typedef struct tjit tjit;
typedef struct tjit_block tjit_block;

/* Link of a block into the list of one physical code page. */
typedef pagemap_link tjit_plink;

/* A direct (chainable) exit of a block: a `jmp rel32` that initially
** falls into its exit stub and may be patched to a block's entry. */
typedef struct tjit_site {
  tjit_block *owner;
  tjit_block *target;          /* linked block, or NULL */
  uint32_t jmp_at;             /* code cache offset of the rel32 */
  uint32_t stub_at;            /* offset of the unlinked target */
  uint32_t cross;              /* linked into another guest page, or into
                                  a block that spans two: in e->xlinked */
  uint32_t self_at;            /* exit to the block's own pc: offset of
                                  its loop-back code (codegen.c), used when
                                  the site links to its owner; else 0 */
  struct tjit_site *in_next, **in_pprev;  /* target's incoming list */
  struct tjit_site *g_next, **g_pprev;    /* all linked sites */
} tjit_site;

enum { TJIT_R13_NONE, TJIT_R13_DIRECT, TJIT_R13_WINDOW };

struct tjit_block {
  uint64_t pc, phys_pc, phys_page2;
  uint32_t tb_flags;
  uint32_t valid;
  uint32_t n_plinks, n_sites;
  uint32_t code_at, code_len;  /* offset in the code cache */
  const void *entry;           /* executable address */
  /* Entries past the entry's first steps (tjit_chain_at in cache.c;
  ** docs/ARCHITECTURE.md, "Chain entries"):
  ** the code is the tb_flags check, then a constant r13 load
  ** (r13_kind), then the exit-request check and the register loads.
  ** nf_at/entry_nf: past the tb_flags check, for a jump that has seen
  ** cpu->tb_flags equal to tb_flags; r13_at: past the r13 load too, for
  ** one whose r13 already holds the same constant. */
  uint32_t nf_at, r13_at;      /* offsets from code_at */
  uint32_t fwd_at;             /* past the exit-request check too: for a
                                  forward chain from a quiet block */
  const void *entry_nf;
  uint8_t keeps_flags;         /* running it cannot change cpu->tb_flags */
  uint8_t quiet;               /* it calls no helper: only its loads' and
                                  stores' slow paths can set exit_request
                                  (codegen.c, quiet_block) */
  uint8_t r13_kind;            /* TJIT_R13_*: what r13 holds after the
                                  entry, when it is a constant */
  tjit_block *hnext, *fnext;
  tjit_plink pl[2];
  tjit_site *incoming;
  tjit_site sites[];
};

/* Per-vCPU data.  The generated code keeps &temps[0] in rbp; the two
** words before it are scratch for the slow paths, the one before them
** counts the blocks run (each block's code increments it once past its
** entry checks). */
typedef struct tjit_vcpu {
  tjit_block *jc[TJIT_JC_SIZE];
  vmrun_cpu *cpu;
  tjit *e;
  struct tjit_vcpu *next;
  void *peer;                  /* engine-tiered: the interpreter's vCPU */
  uint64_t limit;              /* [rbp-32]: icount at which the budget
                                  runs out; r15 counts icount - limit
                                  (codegen.c, "instruction counter") */
  uint64_t entries;            /* [rbp-24]: blocks run */
  uint64_t scr_acc;            /* [rbp-16]: instructions already accounted */
  uint64_t scr_cnt;            /* [rbp-8]: INSN_STARTs executed */
  uint64_t temps[VMRUN_IR_MAX_TEMPS];
  /* after the fields the generated code uses, so that their layout (and
  ** their offsets modulo the page: aliasing) stays as it was */
  uint64_t jv_gen;             /* generation of the valid jv entries */
  tjit_jv *jv;                 /* [TJIT_JC_SIZE]: victims of jc, slot by
                                  slot */
} tjit_vcpu;


typedef uint64_t (*tjit_enter_fn)(vmrun_cpu *cpu, uint64_t *temps,
                                  const void *code);

/* pending forward jumps and out-of-line stubs during code generation */
typedef struct tjit_fix { uint32_t at, label; } tjit_fix;
typedef struct tjit_stub {
  uint8_t kind, size, flags, pad;
  uint16_t d, a, b;
  int8_t breg;                 /* STUB_ST: host register holding t[b],
                                  or -1 (in memory) */
  int32_t bcpu;                /* STUB_ST: vCPU-state offset holding
                                  t[b], or -1 (in its slot) */
  uint32_t cnt, acc;           /* static instruction counts (codegen.c) */
  uint8_t dirty;               /* cached registers to write back first */
  uint16_t xlive;              /* STUB_LD/ST: xmm shadows (bit k: xmm4+k)
                                  to keep across the call (codegen.c) */
  uint32_t from, back;         /* jcc rel32 to patch, resume position */
  uint32_t from2, from3;       /* more jcc rel32s to it (direct guest
                                  memory), or 0 */
  uint32_t site_at;            /* direct access: offset of the host
                                  instruction that may fault, or 0 */
  int8_t areg;                 /* direct access through [areg + aimm]:
                                  the stub computes rsi itself; or -1 */
  int32_t aimm;
  int8_t dreg;                 /* STUB_LD: host register that gets the
                                  value too (a merged PUT), or -1 */
  uint8_t xd_n;                /* stale registers to refill first: */
  uint8_t xd[7];               /* host register << 4 | its xmm shadow
                                  (codegen.c, "Stale registers") */
  uint64_t pc;                 /* guest pc of the instruction */
} tjit_stub;

struct tjit {
  const vmrun_host *host;
  vmrun_machine *m;
  vmrun_engine_env env;
  tjit_block **htab;
  uint32_t hmask, hcount;
  pagemap pages;               /* physical page -> blocks */
  tjit_vcpu *vcpus;
  tjit_block *pending;
  /* Linked sites.  A chain whose target starts in the owner's guest
  ** virtual page and stays in it holds under any mapping (the owner was
  ** entered with that page mapped to its physical page), so only the
  ** other ("cross") chains are cut when a mapping changes: all of them
  ** on vcache_flush, on vcache_flush_page only when the page is in the
  ** Bloom filter of their target pages. */
  tjit_site *linked;           /* same-page chains */
  tjit_site *xlinked;          /* cross chains */
  /* vCPUs attached.  With more than one, no cross chain is made: the
  ** harts may map the target page differently (each has its own satp),
  ** and one hart's chain would send another into code of the wrong
  ** physical page.  A direct exit then probes the running vCPU's jump
  ** cache, which its own vcache flushes keep true (as QEMU, which
  ** chains only within a page). */
  uint32_t n_vcpus;
  uint64_t xbloom[TJIT_XBLOOM_BITS / 64];
  int chaining;
  int regcache;                /* cache guest registers in host registers
                                  (engine option regcache, default 1) */
  int direct_mem;              /* use env.direct, or env.ram in machine
                                  mode, when set (engine option
                                  direct_mem, default 1) */
  int block_stats;             /* count block entries (engine option
                                  block_stats, default 0) */
  int fp_inline;               /* compute VMRUN_IR_F_FP calls inline
                                  (engine option fp_inline, default 1) */
  int group_checks;            /* one range check for the accesses
                                  through one base (engine option
                                  group_checks, default 1; codegen.c,
                                  "Grouped range checks") */
  uint64_t fp_dnan;            /* the frontend's default NaN (SDK 1.14),
                                  or 0: NaN results call the helper */
  uint32_t fp_off, fp_nx;      /* the frontend's accrued FP flags word
                                  and its inexact bit; fp_nx == 0: no
                                  inline FP (the frontend gives no flag
                                  masks, or the host's MXCSR is not the
                                  default); else the MXCSR holds pending
                                  guest flags in generated code */
  uint32_t fp_map[64];         /* MXCSR flag bits 5:0 -> the guest's
                                  flags (codegen.c, "Pending FP flags") */
  uint32_t fp_flush;           /* code-cache offset of the flush routine */
  int host_fma;                /* the host has FMA3 (and AVX enabled) */
  int cg_direct;               /* block being compiled: direct accesses */
  int cg_window;               /* or RAM-window accesses (env.ram, a block
                                  flagged VMRUN_IR_BLK_PHYS_DATA) */
  int cg_mem;                  /* it has loads or stores (uses r13) */
  uint32_t cg_fwd;             /* code position past the entry's
                                  exit-request check */
  int cg_keeps_flags;          /* it cannot change cpu->tb_flags
                                  (keeps_tb_flags, codegen.c) */
  /* xmm shadows of the block being compiled (codegen.c, "xmm shadows"):
  ** per host GPR, per vCPU-state word and per temp, the xmm register
  ** (8..15) that holds the same binary64 value, or -1 */
  int xs_on;
  int8_t xs_h[16];
  struct tjit_xso { int32_t off; int8_t x; } xs_o[12];
  int8_t xs_t[VMRUN_IR_MAX_TEMPS];
  uint32_t xs_nt;
  uint8_t xs_next;
  /* a NaN test put off to the next inline operation's (codegen.c,
  ** "Paired NaN tests"): on, the operation o, its result's shadow x and
  ** where it goes: cached register dreg, or (dreg < 0) the vCPU-state
  ** word dmem by the PUT at ops[put]; where its operands are: host
  ** register lh[k], else vCPU-state word lcpu[k], else temp lt[k]'s slot */
  struct { const vmrun_ir_op *o; int8_t x, dreg; uint8_t on;
           int32_t dmem; uint32_t put;
           int8_t lh[3]; int32_t lcpu[3]; uint32_t lt[3]; } np;
  /* a block that loops to itself: the cached registers whose shadows
  ** the loop head expects, xh_reg[k] in xmm(4 + k) (codegen.c, "Loop-
  ** carried shadows") */
  int xh_n;
  int8_t xh_reg[6];
  /* stale registers (codegen.c, "Stale registers"): bit h when host
  ** register h is older than its shadow xs_h[h]; those the loop head
  ** takes as stale; labels whose one branch keeps them (else branches
  ** refill them first); a result to mark stale after its PUT */
  uint16_t xd, xd_head;
  uint32_t put_done;           /* a PUT an inline result did itself
                                  (movsd to the vCPU state), or ~0 */
  uint8_t xd_keep[VMRUN_IR_MAX_LABELS];
  int xd_mark;
  /* per label: branches to it so far, and the register and vCPU-word
  ** shadows at the first one (a label reached by one branch only
  ** starts with them) */
  uint8_t xl_n[VMRUN_IR_MAX_LABELS];
  struct tjit_xsl { int8_t h[16]; struct tjit_xso o[12]; uint16_t xd; } *xl;
  uint32_t cg_head;            /* its code offset after the entry and the
                                  register loads (loop-back target) */
  /* direct guest accesses in the code cache: (offset of the access,
  ** offset of its slow-path stub), ascending, for tjit_host_fault() */
  struct tjit_dsite { uint32_t at, stub; } *dsites;
  uint32_t n_dsites, cap_dsites;
  int dsite_oom;
  int tiering;                 /* engine-tiered: tjit_exec() returns
                                  TJIT_RUN_COLD at a block not compiled */
  /* engine-tiered: asked on a jump-cache miss, before the lookup by
  ** physical address, with the vCPU's peer: nonzero when the block at
  ** (pc, tb_flags) is known to stay interpreted for now, so TJIT_RUN_COLD
  ** at once.  0 is always a correct answer (the lookup decides). */
  int (*cold)(void *opaque, void *peer, uint64_t pc, uint32_t tb_flags);
  void *cold_opaque;
  /* code cache: one memfd mapped RW (rw) and RX (rx) */
  uint8_t *rw, *rx;
  uint64_t cc_size;
  uint64_t cc_want;            /* set_option(code_cache): the size to remap
                                  to at the next block boundary, or 0 */
  uint32_t cc_start, cc_pos;   /* first block offset, next free offset */
  uint32_t epilogue, fault_ret, mem_ret; /* offsets of the shared stubs
                                  (codegen.c, "instruction counter") */
  tjit_enter_fn enter;
  /* translation scratch */
  vmrun_ir_op *irbuf;
  uint32_t ir_cap, max_insns;
  int32_t label_pos[VMRUN_IR_MAX_LABELS];
  uint8_t *fwd_skip;           /* per op: FWD_PAIR, FWD_DEAD (codegen.c) */
  /* fwd_plan: the temps live at each label met so far (backward pass) */
  uint64_t fwd_lab[VMRUN_IR_MAX_LABELS][VMRUN_IR_MAX_TEMPS / 64];
  uint64_t fwd_lab_known[VMRUN_IR_MAX_LABELS / 64];
  int32_t *gr_lo, *gr_hi;      /* per op: a group leader's span
                                  around its address (grp_plan) */
  uint64_t *ng;                /* guest pcs whose blocks group no checks
                                  (after a deopt): pc + 1, open
                                  addressing, ng_cap a power of two */
  uint32_t ng_cap, ng_n;
  uint8_t *ra_op;              /* per op: guest-register cache plan
                                  (codegen.c, "register cache") */
  uint32_t fwd_cap;
  uint32_t cg_lab[VMRUN_IR_MAX_LABELS]; /* static_counts() scratch */
  int cg_static;               /* block being compiled: static counts */
  uint32_t cg_cnt, cg_acc;     /* its counts at the current op */
  uint8_t cg_dirty;            /* its dirty cached registers there */
  int32_t *ra_last;            /* per temp scratch of the plan */
  uint64_t *ra_live;           /* live temps at each label: n_labels x
                                  VMRUN_IR_MAX_TEMPS/64 words */
  tjit_fix *fix;
  tjit_stub *stubs;
  uint32_t n_fix, n_stubs, cap_fix, cap_stubs;
  /* cold paths of the block being compiled (codegen.c, "cold paths"):
  ** code cut out of the straight path (the bytes in cold_buf[]), placed
  ** after the stubs */
  struct tjit_cold {
    uint32_t off, len;         /* its bytes in cold[] */
    uint32_t back;             /* where its final jmp returns to */
    uint32_t n_in;             /* jumps into it: rel32 at in_at[k] (in
                                  the block) to offset in_to[k] of it */
    uint32_t in_at[2], in_to[2];
  } *colds;
  uint8_t *cold_buf;
  uint32_t n_colds, cap_colds, cold_len, cold_cap;
  /* statistics */
  unsigned long long st_translated, st_invalidated, st_flushes,
      st_cache_full, st_links, st_code_bytes, st_dispatched, st_xcuts,
      st_direct_sites, st_host_faults, st_fp_sites, st_fp_pairs,
      st_window_sites, st_sx_moves, st_grp_leads, st_grp_members,
      st_deopts,
      st_lookups;                /* misses in jc and jv: full lookups */
};

/* tjit_exec() result beside enum vmrun_run_reason (tiering only): the
** block at cpu->pc is not compiled; nothing was executed for it. */
#define TJIT_RUN_COLD 17

#endif
