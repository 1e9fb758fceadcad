/*
** core/core.h - the core's private types.  Nothing here is SDK: plugins
** see only the SDK headers in sdk/include/vmrun/.  Internal non-static names are vmrun__*.
*/
#ifndef VMRUN_CORE_CORE_H
#define VMRUN_CORE_CORE_H

#include <stdint.h>
#include <stdio.h>

#include <ltdl.h>
#include <vmrun/vmrun.h>

#include "config.h"

/* ---- plugins (core/loader.c) ---- */
typedef struct vmrun_plugin {
  lt_dlhandle handle;
  char *path;                   /* file actually opened */
  const vmrun_plugin_desc *desc;
} vmrun_plugin;

/* Search path management.  Directories are tried in the order added. */
void vmrun__plugin_path_add(const char *dir);
void vmrun__plugin_path_defaults(void); /* env, build tree, pkglibdir */
void vmrun__plugin_path_clear(void);
/* Open plugin `<kind>-<name>` from the search path and validate it.
** Returns 0 or negative VMRUN_E* after one printed line. */
int vmrun__plugin_load(enum vmrun_plugin_kind kind, const char *name,
                       vmrun_plugin *out) VMRUN_MUST_CHECK;
/* Open and validate one file (no kind requirement when kind == 0). */
int vmrun__plugin_open_file(const char *path, enum vmrun_plugin_kind kind,
                            vmrun_plugin *out) VMRUN_MUST_CHECK;
void vmrun__plugin_unload(vmrun_plugin *p);
/* Print every plugin found: kind, name, version, ABI, path. */
int vmrun__plugin_list(FILE *out);
const char *vmrun__kind_name(unsigned kind);
int vmrun__loader_init(void);
void vmrun__loader_exit(void);

/* ---- physical memory map (core/physmem.c) ---- */
typedef struct vmrun_region {
  char *name;
  enum vmrun_region_kind kind;
  uint64_t base, size;
  uint8_t *host;                /* RAM/ROM */
  const vmrun_mmio_ops *ops;    /* MMIO */
  void *opaque;
  uint8_t *code_pages;          /* RAM: one byte per page, 1 while the
                                   page holds translated code */
} vmrun_region;

/* ---- timers (core/clock.c) ---- */
struct vmrun_timer {
  vmrun_machine *m;
  vmrun_timer_fn fn;
  void *opaque;
  uint64_t deadline;            /* ns of virtual time */
  int armed;
  struct vmrun_timer *next;     /* in m->timers (all timers) */
};

/* ---- character back-ends (core/chardev.c) ---- */
struct vmrun_chardev {
  vmrun_machine *m;
  int kind;                     /* CHARDEV_STDIO / _FILE / _NULL */
  int fd_in, fd_out;
  int raw;                      /* stdin is a TTY switched to raw mode */
  int escape;                   /* saw Ctrl-A */
  vmrun_chardev_can_read_fn can_read;
  vmrun_chardev_read_fn read;
  void *opaque;
  uint8_t pending[256];         /* input not yet accepted by the device */
  size_t n_pending;
  struct vmrun_chardev *next;
};

typedef struct vmrun_device {
  vmrun_plugin plugin;
  const vmrun_device_ops *ops;
  void *inst;
  vmrun_device_config *cfg;
} vmrun_device;

typedef struct vmrun_label { char *label; uint32_t phandle; } vmrun_label;

#define VMRUN_MAX_POLL_HOOKS 8

enum vmrun_clock_mode { VMRUN_CLOCK_HOST = 0, VMRUN_CLOCK_ICOUNT = 1 };

struct vmrun_machine {
  vmrun_machine_desc desc;
  vmrun_host host;
  int verbose;
  int trace;
  uint64_t max_insns;           /* 0 = unlimited */

  vmrun_plugin fe_plugin, mmu_plugin, engine_plugin;
  const vmrun_frontend_ops *fe;  void *fe_inst;
  const vmrun_mmu_ops *mmu;      void *mmu_inst;
  const vmrun_engine_ops *engine; void *engine_inst;
  vmrun_engine_env engine_env;
  /* user mode: direct guest memory (vmrun/engine.h), engine_env.direct;
  ** direct_code is its code_pages, writable (core/physmem.c) */
  vmrun_direct_mem direct;
  uint8_t *direct_code;
  /* machine mode: the main RAM region as engine_env.ram (vmrun/engine.h),
  ** filled by stage_engine unless --engine-check; ram_granules is its
  ** code_granules, writable (core/physmem.c), ram_granules_len bytes */
  vmrun_ram_window ram_window;
  uint8_t *ram_granules;
  size_t ram_granules_len;

  vmrun_device *devices; size_t n_devices;
  vmrun_region *regions; size_t n_regions; /* sorted by base */
  vmrun_region *last_region;    /* lookup cache */
  /* Which bytes of each code page were fetched for translation (the SMC
  ** bitmap, core/physmem.c): page number -> 4096-bit map. */
  struct vmrun_codebytes **cb_tab;
  struct vmrun_codebytes *cb_last;  /* cb_find's last hit */
  uint32_t cb_mask, cb_count;
  uint64_t smc_page_flushes;    /* code pages invalidated by a store */

  vmrun_cpu **cpus; uint32_t n_cpus;
  vmrun_cpu *current_cpu;

  struct vmrun_check *check;    /* --engine-check (core/check.c), or NULL */
  int check_logging;            /* reference run of a check step: log RAM
                                   writes, count MMIO */
  unsigned check_mmio;          /* MMIO accesses in that run */
  int clock_frozen;             /* check step (host clock): 1 = the next
                                   reading is kept, 2 = return it */
  uint64_t clock_frozen_ns;

  struct vmrun_lua *lua;        /* Lua scripting (core/lua.c), or NULL */
  int lua_mmio;                 /* nonzero: call vmrun__lua_mmio */
  int lua_syscall;              /* user mode: call vmrun__lua_syscall */
  uint64_t icount_gone;         /* user mode: instructions retired by
                                   finished threads' reused vCPUs */

  /* clock */
  enum vmrun_clock_mode clock_mode;
  uint64_t icount_ns;
  uint64_t timebase_hz;
  uint64_t host_start_ns;       /* host monotonic time at reset */
  uint64_t clock_skip_ns;       /* icount mode: time skipped while halted */
  struct vmrun_timer *timers;
  uint64_t next_deadline;       /* earliest armed deadline, or UINT64_MAX */

  vmrun_chardev *chardevs;
  int stdio_taken;
  struct {                      /* host->poll_register hooks */
    int (*fill)(void *opaque, vmrun_pollfd *fds, int max, int *timeout_ms);
    void (*dispatch)(void *opaque, vmrun_pollfd *fds, int n);
    void *opaque;
  } poll_hooks[VMRUN_MAX_POLL_HOOKS];
  size_t n_poll_hooks;

  vmrun_label *labels; size_t n_labels; uint32_t next_phandle;

  /* platform interrupt controller */
  void (*irqc_set)(void *opaque, uint32_t num, int level);
  void *irqc_opaque;
  uint8_t irq_early[1024];      /* levels set before a controller exists */

  /* stop state */
  volatile int stop;            /* nonzero: leave the run loop */
  uint64_t stall_exceptions;    /* exceptions since an insn last retired */
  enum vmrun_shutdown_kind shutdown_kind;
  int exit_code;

  char errbuf[512];
  void *fdt;                    /* the built device tree (for --dump-dtb) */
  uint64_t fdt_size;
};

/* core/physmem.c */
int vmrun__phys_add(vmrun_machine *m, const char *name,
                    enum vmrun_region_kind kind, uint64_t base, uint64_t size,
                    const vmrun_mmio_ops *ops, void *opaque);
vmrun_region *vmrun__phys_find(vmrun_machine *m, uint64_t gpa);
void vmrun__phys_free(vmrun_machine *m);
/* [gpa, gpa+len) (within one page) was fetched to translate a block: mark
** the page as holding code and those bytes in its SMC bitmap. */
void vmrun__phys_mark_code(vmrun_machine *m, uint64_t gpa, unsigned len);
uint64_t vmrun__phys_data_stores(vmrun_machine *m);
void vmrun__host_init_physmem(vmrun_host *h);

/* core/clock.c */
void vmrun__clock_init(vmrun_machine *m);
uint64_t vmrun__clock_ns(vmrun_machine *m);
uint64_t vmrun__host_ns(void);
void vmrun__timers_run(vmrun_machine *m);
void vmrun__timers_free(vmrun_machine *m);
void vmrun__host_init_clock(vmrun_host *h);

/* core/chardev.c */
void vmrun__host_init_chardev(vmrun_host *h);
/* Poll input of all back-ends for up to timeout_ms (0: don't block). */
void vmrun__chardev_poll(vmrun_machine *m, int timeout_ms);
void vmrun__chardevs_free(vmrun_machine *m);
/* Nonzero if some back-end can still deliver input to a device. */
int vmrun__chardev_can_input(vmrun_machine *m);
void vmrun__tty_restore(void);

/* core/fdt.c */
int vmrun__fdt_build(vmrun_machine *m);
uint32_t vmrun__fdt_phandle(vmrun_machine *m, const char *label);

/* core/boot.c */
int vmrun__boot_load(vmrun_machine *m, vmrun_boot_info *bi);
/* Load an image file: ELF (per its program headers, checked against the
** frontend's machine/class) or raw at `raw_addr`.  *entry gets the entry
** point, *end the first byte after the loaded image. */
int vmrun__load_image(vmrun_machine *m, const char *path, uint64_t raw_addr,
                      uint64_t *entry, uint64_t *end);

/* core/check.c: --engine-check */
typedef struct vmrun_check vmrun_check;
#define VMRUN__RUN_DIVERGED 100  /* vmrun__check_run: the engines differ */
int vmrun__check_init(vmrun_machine *m);      /* before the engine stage */
int vmrun__check_attach(vmrun_machine *m);    /* after it: the reference */
void vmrun__check_free(vmrun_machine *m);     /* before vCPUs are freed */
/* engine->run for one slice, checking every block; an enum
** vmrun_run_reason or VMRUN__RUN_DIVERGED (reported already). */
int vmrun__check_run(vmrun_machine *m, vmrun_cpu *cpu);
void vmrun__check_stats(vmrun_machine *m, FILE *out);
/* Reference run: `len` bytes of RAM at host/gpa are about to be written
** (written = 1) or may be written through a host pointer (0). */
void vmrun__check_log_ram(vmrun_machine *m, uint8_t *host, uint64_t gpa,
                          size_t len, int written);
/* Reference run: phys_lookup of RAM at gpa (region host/base/size). */
void vmrun__check_log_lookup(vmrun_machine *m, uint8_t *host, uint64_t base,
                             uint64_t size, uint64_t gpa);
void vmrun__check_paging(vmrun_machine *m, vmrun_cpu *cpu, unsigned idx,
                         const vmrun_paging *p);
/* Translation-cache maintenance for the engine and, under --engine-check,
** the reference engine too. */
void vmrun__engines_invalidate(vmrun_machine *m, uint64_t gpa, uint64_t len);
void vmrun__engines_flush(vmrun_machine *m);
void vmrun__engines_vcache_flush(vmrun_machine *m, vmrun_cpu *cpu);
/* The same for the one guest page holding va (vcache_flush_page, or
** vcache_flush for an engine without that slot). */
void vmrun__engines_vcache_flush_page(vmrun_machine *m, vmrun_cpu *cpu,
                                      uint64_t va);

/* core/machine.c */
vmrun_machine *vmrun__machine_new(vmrun_machine_desc *desc, int verbose,
                                  int trace, uint64_t max_insns);
int vmrun__machine_run(vmrun_machine *m);
void vmrun__machine_free(vmrun_machine *m);
/* "stats: key value" lines: instructions, wall time, MIPS, engine's own. */
void vmrun__machine_stats(vmrun_machine *m, uint64_t wall_ns, FILE *out);
void vmrun__log(vmrun_machine *m, enum vmrun_log_level lvl, const char *fmt,
                ...) VMRUN_PRINTF(3, 4);
extern int vmrun__verbose;

/* Reading a whole file; *len gets its size.  NULL + message on error. */
uint8_t *vmrun__read_file(const char *path, size_t *len);

#endif
