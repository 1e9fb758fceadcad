/*
** vmrun/host.h - services the core offers to plugins.
**
** Plugins never link against core symbols: each plugin's create() receives
** a `const vmrun_host *` table (SQLite's sqlite3_api_routines idea), so a
** plugin .so has no undefined references into vmrun and tests can pass a
** fake host.  The table is owned by the core and valid until the plugin's
** destroy() returns.  Slots are only appended within ABI major 1; a plugin
** built against minor N reads slots added later only after checking
** `struct_size` (see VMRUN_HOST_HAS()).
**
** Unless stated otherwise a slot may be called from the thread running the
** machine (the vCPU thread) only.  Errors are negative VMRUN_E* codes
** (vmrun/error.h).
*/
#ifndef VMRUN_HOST_H
#define VMRUN_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "ir.h"
#include "mmu_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VMRUN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define VMRUN_MUST_CHECK __attribute__((warn_unused_result))
#else
#define VMRUN_PRINTF(f, a)
#define VMRUN_MUST_CHECK
#endif

/* True when the table `p` of type `type` (a vtable or the host table,
** whose first member is its struct_size in bytes as built) is large enough
** to hold the slot `field`: slots are appended within an ABI major, so a
** table built against an older minor stops short of the newer slots.  The
** slot may still be NULL.  VMRUN_HOST_HAS, VMRUN_FRONTEND_HAS and
** VMRUN_ENGINE_HAS are this test for their tables. */
#define VMRUN_TABLE_HAS(p, type, field) \
  ((p)->struct_size >= offsetof(type, field) + sizeof((p)->field))

typedef struct vmrun_cfg vmrun_cfg;         /* opaque YAML node */
typedef struct vmrun_chardev vmrun_chardev; /* opaque character back-end */
typedef struct vmrun_timer vmrun_timer;     /* opaque timer event */

/* Log levels, most to least severe.  ERROR and WARN always print; INFO with
** -v; DEBUG with -v -v. */
enum vmrun_log_level {
  VMRUN_LOG_ERROR = 0, VMRUN_LOG_WARN, VMRUN_LOG_INFO, VMRUN_LOG_DEBUG
};

/* Kinds of guest physical memory region. */
enum vmrun_region_kind {
  VMRUN_REGION_NONE = 0, /* nothing mapped at that address */
  VMRUN_REGION_RAM,      /* host memory, readable and writable */
  VMRUN_REGION_ROM,      /* host memory, guest writes are ignored */
  VMRUN_REGION_MMIO      /* a device's registers */
};

/*
** MMIO callbacks of a device region.  `offset` is in bytes from the region
** base; `size` is the access width in bytes (1, 2, 4 or 8) and accesses are
** naturally aligned (the MMU splits or faults others).  read returns the
** value zero-extended; write receives it in the low `size` bytes.  A device
** that has no register at `offset` returns 0 / ignores the write (as most
** real buses do); it must never crash on any offset/size.
*/
typedef struct vmrun_mmio_ops {
  uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
  void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
} vmrun_mmio_ops;

/* Result of vmrun_host.phys_lookup: the region containing an address. */
typedef struct vmrun_region_info {
  enum vmrun_region_kind kind;
  uint64_t base;      /* guest PA of the region start */
  uint64_t size;      /* region size in bytes */
  uint8_t *host;      /* RAM/ROM: host address of `base`; else NULL */
  const vmrun_mmio_ops *ops; /* MMIO: the device callbacks; else NULL */
  void *opaque;       /* MMIO: the device's opaque pointer */
} vmrun_region_info;

/*
** An interrupt line into the machine's interrupt controller (PLIC, GIC...)
** or into a vCPU.  set() drives the line's level (0 or 1); edge-triggered
** sources pulse it.  Thread-safe: may be called from any thread.
*/
typedef struct vmrun_irq_line {
  void (*set)(void *opaque, uint32_t num, int level);
  void *opaque;
  uint32_t num;
} vmrun_irq_line;

/* Timer callback: runs on the machine thread when the virtual clock reaches
** the deadline given to timer_mod.  `now_ns` is the current virtual time. */
typedef void (*vmrun_timer_fn)(void *opaque, uint64_t now_ns);

/* Character back-end input: called on the machine thread with bytes the
** back-end received.  can_read returns how many bytes the device accepts
** now (0 = try later). */
typedef size_t (*vmrun_chardev_can_read_fn)(void *opaque);
typedef void (*vmrun_chardev_read_fn)(void *opaque, const uint8_t *buf,
                                      size_t len);

/* A host descriptor to poll: the same layout as POSIX struct pollfd on
** Linux (poll.h), so it can be passed to poll(2) directly. */
typedef struct vmrun_pollfd {
  int fd;
  short events;   /* POLLIN, POLLOUT... as in <poll.h> */
  short revents;  /* set by the poll */
} vmrun_pollfd;

/* Why the machine stops (vmrun_host.shutdown). */
enum vmrun_shutdown_kind {
  VMRUN_SHUTDOWN_POWEROFF = 0, /* exit status = code */
  VMRUN_SHUTDOWN_RESET    = 1, /* reboot request */
  VMRUN_SHUTDOWN_ERROR    = 2  /* fatal emulation error; vmrun exits 1 */
};

/*
** One trap entry, as reported by a frontend through vmrun_host.trap_event
** (ABI 1.4).  Filled by the frontend after the architectural trap entry
** (the vCPU's pc, priv and trap CSRs already hold the new state).  The
** struct and `name` are owned by the frontend and valid only during the
** call.  RISC-V: cause is the Exception Code of mcause/scause without the
** Interrupt bit (Privileged ISA §3.1.15 mcause, Table 3.6; §4.1.9 scause),
** pc is the value written to mepc/sepc, tval the one written to
** mtval/stval, to_priv 3 (M) or 1 (S) by the delegation rules (§3.1.8).
*/
typedef struct vmrun_trap_info {
  uint64_t cause;        /* exception / interrupt code, interrupt bit clear */
  uint64_t pc;           /* guest VA where the trap was taken (xepc): the
                            faulting instruction for an exception, the next
                            instruction to run for an interrupt */
  uint64_t tval;         /* trap value (faulting address, instruction bits,
                            or 0), as written to xtval */
  uint64_t vector;       /* guest VA of the handler now in vmrun_cpu.pc */
  uint32_t is_interrupt; /* 1 for an interrupt, 0 for an exception */
  uint32_t from_priv;    /* privilege before the trap (vmrun_cpu.priv
                            numbering) */
  uint32_t to_priv;      /* privilege of the handler */
  uint32_t reserved;     /* zero */
  const char *name;      /* short lower-case name ("ecall_u",
                            "page_fault_load", "timer_s"...), or NULL when
                            the frontend has none for this cause */
} vmrun_trap_info;

/*
** Which bytes of a RAM page blocks were translated from (ABI 1.10), as
** QEMU's per-page SMC bitmap: the core sets bit (b % 64) of bits[b / 64]
** when byte b of the page (b in bytes from the page start, 0..4095) is
** fetched for a block, and clears the whole map when a store into those
** bytes invalidates the page's blocks.  A page that holds code is kept out
** of the write TLB (phys_is_code()), so a store to it reaches the MMU's
** slow path; when none of the stored bytes has its bit set, the store
** cannot change translated code and an MMU may write it through its TLB
** entry's host address and add 1 to data_stores (reported by --stats as
** smc_data_stores) instead of calling code_written().  Otherwise it calls
** code_written() after the store, as before.  Owned by the core.
** (Invalidating on the store is stricter than RISC-V requires: the
** Unprivileged ISA's "Zifencei" chapter makes stores to code visible to
** fetches only after FENCE.I; eager invalidation also serves guests that
** rely on x86-style coherence.)
*/
typedef struct vmrun_code_map {
  uint64_t bits[VMRUN_PAGE_SIZE / 64]; /* one bit per byte of the page */
  uint64_t data_stores;   /* stores that hit no translated byte (count) */
} vmrun_code_map;

typedef struct vmrun_host {
  uint32_t struct_size;  /* sizeof(vmrun_host) of the core */
  uint16_t abi_major, abi_minor; /* the core's ABI version */

  /* ---- logging ---- */
  /* Print one line (no trailing newline needed) prefixed by the plugin's
  ** name.  Thread-safe. */
  void (*log)(vmrun_machine *m, enum vmrun_log_level lvl, const char *fmt,
              ...) VMRUN_PRINTF(3, 4);

  /* ---- configuration (vmrun/config accessors) ----
  ** Nodes come from the machine YAML; they stay valid until the machine is
  ** destroyed.  A NULL node, an absent key or an empty (null) value gives
  ** the default (NULL for strings with a NULL default).  Every accessor
  ** that fails prints one line "file:line:col: key.path: what was
  ** expected" and returns -VMRUN_EINVAL (wrong type or value). */
  /* Child of a mapping node, or NULL if absent (or `node` is NULL). */
  vmrun_cfg *(*cfg_get)(vmrun_cfg *node, const char *key);
  /* Integer (decimal, 0x hex, 0b binary, with optional K/M/G/T binary
  ** suffix): returns `def` in *out when the key is absent. */
  int (*cfg_u64)(vmrun_cfg *node, const char *key, uint64_t def,
                 uint64_t *out) VMRUN_MUST_CHECK;
  /* String; *out points into the config (do not free); `def` if absent. */
  int (*cfg_str)(vmrun_cfg *node, const char *key, const char *def,
                 const char **out) VMRUN_MUST_CHECK;
  /* Boolean (true/false/yes/no/on/off). */
  int (*cfg_bool)(vmrun_cfg *node, const char *key, int def, int *out)
      VMRUN_MUST_CHECK;
  /* Checks that a mapping has only the keys in the NULL-terminated list;
  ** reports the first unknown key with the list of valid ones. */
  int (*cfg_check_keys)(vmrun_cfg *node, const char *const *allowed)
      VMRUN_MUST_CHECK;
  /* Report an error about `node` with its file:line:col and key path. */
  void (*cfg_error)(vmrun_cfg *node, const char *fmt, ...) VMRUN_PRINTF(2, 3);

  /* ---- guest physical memory ----
  ** Bounds-checked: a guest-supplied address never becomes an unchecked
  ** host pointer.  Thread-safe with respect to the vCPU (no locking of
  ** RAM contents: DMA is as racy as on hardware). */
  /* Copy `len` bytes from guest PA `gpa` (RAM or ROM only).  Returns 0, or
  ** -VMRUN_EFAULT if any byte is outside RAM/ROM (nothing copied). */
  int (*phys_read)(vmrun_machine *m, uint64_t gpa, void *buf, size_t len)
      VMRUN_MUST_CHECK;
  /* Copy `len` bytes to guest PA `gpa` (RAM only; translated code there is
  ** invalidated).  Returns 0, -VMRUN_EFAULT outside RAM, -VMRUN_EPERM for
  ** ROM (nothing written). */
  int (*phys_write)(vmrun_machine *m, uint64_t gpa, const void *buf,
                    size_t len) VMRUN_MUST_CHECK;
  /* Describe the region containing `gpa`; kind NONE if unmapped. */
  void (*phys_lookup)(vmrun_machine *m, uint64_t gpa, vmrun_region_info *out);
  /* Register a device's MMIO region [gpa, gpa+size).  Returns
  ** -VMRUN_EEXIST if it overlaps another region (logged with both names).
  ** `ops` and `opaque` must stay valid until the machine is destroyed. */
  int (*mmio_register)(vmrun_machine *m, const char *name, uint64_t gpa,
                       uint64_t size, const vmrun_mmio_ops *ops, void *opaque)
      VMRUN_MUST_CHECK;
  /* Full guest physical access for MMUs: RAM, ROM (writes ignored) or MMIO
  ** dispatch.  size is 1, 2, 4 or 8.  Returns 0 or -VMRUN_EFAULT when
  ** nothing is mapped (the caller raises an access fault). */
  int (*phys_access)(vmrun_machine *m, uint64_t gpa, unsigned size,
                     int is_write, uint64_t *val);
  /* Nonzero if the RAM page containing `gpa` holds translated code (MMUs
  ** then keep it out of the write TLB so stores reach code_written()). */
  int (*phys_is_code)(vmrun_machine *m, uint64_t gpa);
  /* Tell the core that [gpa, gpa+len) was written: translations of that
  ** code are invalidated (self-modifying code). */
  void (*code_written)(vmrun_machine *m, uint64_t gpa, uint64_t len);

  /* ---- guest virtual memory (through the MMU plugin) ----
  ** For frontend helpers (atomics, CSR-driven accesses) and debuggers.
  ** Return 0 or a positive enum vmrun_fault; nothing is raised in the
  ** guest (the caller decides). */
  /* Translate `va` for an `acc` access in TLB index `mmu_idx`; *pa gets the
  ** guest PA. */
  int (*vmem_translate)(vmrun_cpu *cpu, uint64_t va, enum vmrun_access acc,
                        unsigned mmu_idx, uint64_t *pa);
  /* Load (acc LOAD/FETCH) or store (acc STORE, value in *val) `size` bytes
  ** (1, 2, 4, 8; misaligned allowed) at `va`. */
  int (*vmem_access)(vmrun_cpu *cpu, uint64_t va, unsigned size,
                     enum vmrun_access acc, unsigned mmu_idx, uint64_t *val);
  /* Fetch `size` (2 or 4) bytes of code at `va` for the block being
  ** translated (frontends call this from translate()); records the code's
  ** physical pages in `blk` so the block is invalidated when they change. */
  int (*code_fetch)(vmrun_cpu *cpu, vmrun_ir_block *blk, uint64_t va,
                    unsigned size, uint64_t *val);
  /* Install the address-translation regime of TLB index `mmu_idx` (e.g.
  ** after a satp or mstatus write) and flush that index. */
  int (*mmu_set_paging)(vmrun_cpu *cpu, unsigned mmu_idx,
                        const vmrun_paging *p);
  /* Flush all of the vCPU's TLB entries (SFENCE.VMA with x0, x0) and its
  ** engine's virtual-PC lookup caches.  va_or_all: VMRUN_TLB_INVALID for
  ** everything, else only the page containing that address. */
  void (*tlb_flush)(vmrun_cpu *cpu, uint64_t va_or_all);

  /* ---- interrupts ---- */
  /* Drive bit `line` (0..63) of hart `hart`'s irq_pending and kick it.
  ** Thread-safe. */
  void (*cpu_set_irq)(vmrun_machine *m, uint32_t hart, uint32_t line,
                      int level);
  /* Ask hart `hart` to leave its engine (VMRUN_EXIT_* bits).  Thread-safe. */
  void (*cpu_kick)(vmrun_machine *m, uint32_t hart, uint32_t bits);
  /* Number of harts and access to one (NULL if out of range). */
  uint32_t (*cpu_count)(vmrun_machine *m);
  vmrun_cpu *(*cpu_get)(vmrun_machine *m, uint32_t hart);
  /* Line `num` of the machine's platform interrupt controller.  The
  ** controller may register later: until it does, set() is remembered and
  ** replayed.  Returns 0. */
  int (*irq_line)(vmrun_machine *m, uint32_t num, vmrun_irq_line *out);
  /* Called by an interrupt controller device to receive platform IRQ
  ** lines.  Returns -VMRUN_EEXIST if one is already registered. */
  int (*irq_controller_register)(vmrun_machine *m,
                                 void (*set)(void *opaque, uint32_t num,
                                             int level),
                                 void *opaque) VMRUN_MUST_CHECK;

  /* ---- virtual clock and timers ----
  ** Virtual time in ns since machine reset.  In `clock: host` mode it
  ** follows the host's monotonic clock while the guest runs; in
  ** `clock: icount` mode it is derived from instructions retired (ns =
  ** icount * icount_ns), which makes runs reproducible. */
  uint64_t (*clock_ns)(vmrun_machine *m);
  /* Frequency of the platform timebase in Hz (machine.timebase, default
  ** 10 MHz as on QEMU's virt): RISC-V `time` CSR and CLINT mtime count
  ** clock_ns() * timebase_hz / 1e9 (Privileged ISA §3.2.1). */
  uint64_t (*timebase_hz)(vmrun_machine *m);
  /* Create a stopped timer; NULL on ENOMEM.  Freed by timer_free or with
  ** the machine. */
  vmrun_timer *(*timer_new)(vmrun_machine *m, vmrun_timer_fn fn,
                            void *opaque);
  /* Arm (or re-arm) to fire once when clock_ns() >= deadline_ns. */
  void (*timer_mod)(vmrun_timer *t, uint64_t deadline_ns);
  void (*timer_del)(vmrun_timer *t);   /* disarm; no-op if not armed */
  void (*timer_free)(vmrun_timer *t);  /* disarm and free; NULL is a no-op */

  /* ---- character back-ends ----
  ** spec: "stdio", "null", "file:PATH" (output appended to PATH).  The
  ** core owns the back-end.  Returns NULL with one logged line on error.
  ** At most one device may open "stdio". */
  vmrun_chardev *(*chardev_open)(vmrun_machine *m, const char *spec);
  /* Write bytes to the back-end; never blocks the guest for long.  Returns
  ** bytes written or a negative VMRUN_E* code. */
  long (*chardev_write)(vmrun_chardev *cd, const void *buf, size_t len);
  /* Install the input handler (both may be NULL to stop input). */
  void (*chardev_set_handler)(vmrun_chardev *cd,
                              vmrun_chardev_can_read_fn can_read,
                              vmrun_chardev_read_fn read, void *opaque);

  /* ---- device tree ---- */
  /* The phandle for `label` ("cpu0-intc", "irqc", "clint"...), allocated on
  ** first use so devices can refer to each other in any order.  0 on
  ** ENOMEM. */
  uint32_t (*fdt_phandle)(vmrun_machine *m, const char *label);

  /* ---- machine control ---- */
  /* Request the machine to stop: the current vCPU leaves its engine at the
  ** next block boundary and vmrun exits (POWEROFF: with status `code`). */
  void (*shutdown)(vmrun_machine *m, enum vmrun_shutdown_kind kind, int code);
  /* Record a one-line error message for the current operation (shown by
  ** the core when the failing call returns).  Thread-safe. */
  void (*error)(vmrun_machine *m, const char *fmt, ...) VMRUN_PRINTF(2, 3);

  /* ---- slots above: ABI 1.0; added in ABI 1.1 ---- */
  /* A file path option: like cfg_str, but "~/" and ${NAME} or
  ** ${NAME:-default} are expanded from the environment and a relative path
  ** is made relative to the directory of the machine file (values given
  ** with --set stay relative to the current directory), as the core does
  ** for machine.firmware and machine.kernel.  *out points into the config
  ** (do not free).  Test with VMRUN_HOST_HAS(host, cfg_path). */
  int (*cfg_path)(vmrun_cfg *node, const char *key, const char *def,
                  const char **out) VMRUN_MUST_CHECK;

  /* ---- added in ABI 1.2 ---- */
  /* Take part in the core's host I/O poll (for back-ends with sockets or
  ** other descriptors, e.g. user-mode networking).  Before each poll the
  ** core calls fill(opaque, fds, max, &timeout_ms): it may append up to
  ** `max` descriptors to fds[] and lower *timeout_ms (ms; -1 = no limit of
  ** its own), and returns how many it appended.  After the poll,
  ** dispatch(opaque, fds, n) gets the same n entries with revents set.
  ** Both run on the machine thread, between guest instruction slices (at
  ** least every few ms while the guest runs, and while it waits in WFI).
  ** Returns 0, -VMRUN_ENOSPC when too many hooks are registered.  Test
  ** with VMRUN_HOST_HAS(host, poll_register). */
  int (*poll_register)(vmrun_machine *m,
                       int (*fill)(void *opaque, vmrun_pollfd *fds, int max,
                                   int *timeout_ms),
                       void (*dispatch)(void *opaque, vmrun_pollfd *fds,
                                        int n),
                       void *opaque) VMRUN_MUST_CHECK;

  /* ---- added in ABI 1.4 ---- */
  /* A frontend reports a trap entry (exception or interrupt) of `cpu`.
  ** Call it only when cpu->events has VMRUN_EVENT_TRAP (the core sets the
  ** bit while someone observes traps), after the trap entry is complete.
  ** Runs on the vCPU thread; it may read and write the vCPU's registers
  ** (through the frontend's reg_get/reg_set) and request a stop, but the
  ** frontend must not rely on cpu state it cached across the call.  Test
  ** with VMRUN_HOST_HAS(host, trap_event). */
  void (*trap_event)(vmrun_cpu *cpu, const vmrun_trap_info *info);

  /* ---- added in ABI 1.10 ---- */
  /* The code map of the RAM page holding `gpa` (see vmrun_code_map), or
  ** NULL when the core keeps none for it or must see every store to it
  ** (--engine-check logs stores).  The pointer stays valid, at the same
  ** address, until the machine is destroyed; the map's bits change as
  ** blocks are translated from the page and invalidated.  Machine thread
  ** only.  Test with VMRUN_HOST_HAS(host, code_map). */
  vmrun_code_map *(*code_map)(vmrun_machine *m, uint64_t gpa);
} vmrun_host;

/* True when the host table has the slot `field` (it may still be NULL). */
#define VMRUN_HOST_HAS(h, field) VMRUN_TABLE_HAS(h, vmrun_host, field)

#ifdef __cplusplus
}
#endif
#endif
