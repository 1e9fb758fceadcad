/*
** tests/devices/fake_host.h - a fake vmrun_host for device plugin tests.
**
** One `fake_host` is one fake machine: it is the `struct vmrun_machine` the
** plugin sees, and its first member is the vmrun_host table handed to
** create().  It records what the plugin asks of the core (MMIO regions,
** IRQ levels per platform line and per hart, shutdown requests, chardev
** output, log lines, config errors), drives a virtual clock whose timers
** fire as the test advances it, allocates phandles, and serves options
** from a tiny in-memory key/value map.
*/
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <vmrun/vmrun.h>

#define FH_MAX_REGIONS  16
#define FH_MAX_TIMERS   64
#define FH_MAX_IRQS     128
#define FH_MAX_HARTS    16
#define FH_MAX_LABELS   64
#define FH_MAX_CFG      32
#define FH_OUT_MAX      65536

typedef struct fh_region {
  char name[64];
  uint64_t base, size;
  const vmrun_mmio_ops *ops;
  void *opaque;
} fh_region;

struct vmrun_timer {
  struct vmrun_machine *fh;
  vmrun_timer_fn fn;
  void *opaque;
  int in_use;
  int armed;
  uint64_t deadline;
  unsigned fired;          /* times the callback ran */
};

struct vmrun_chardev {
  struct vmrun_machine *fh;
};

/* A config node: a scalar (value != NULL) or a mapping of scalars. */
struct vmrun_cfg {
  struct vmrun_machine *fh;
  const char *key;         /* key in the parent mapping, or "options" */
  const char *value;       /* scalar text, NULL for a mapping */
  struct vmrun_cfg *child[FH_MAX_CFG];
  unsigned n_child;
  unsigned line;           /* fake "file:line:col" position */
};

typedef struct vmrun_machine {
  vmrun_host host;         /* first: the table handed to create() */

  /* MMIO */
  fh_region regions[FH_MAX_REGIONS];
  unsigned n_regions;
  unsigned unmapped_accesses;

  /* harts and interrupts */
  uint32_t ncpus;
  uint64_t cpu_irq[FH_MAX_HARTS];         /* irq_pending levels */
  unsigned cpu_irq_calls[FH_MAX_HARTS];   /* cpu_set_irq calls per hart */
  unsigned cpu_irq_bad;                   /* calls with hart/line out of range */
  unsigned cpu_kicks;
  int irq_level[FH_MAX_IRQS];             /* platform lines */
  unsigned irq_calls[FH_MAX_IRQS];        /* set() calls per line */
  unsigned irq_bad;                       /* set() with num out of range */
  unsigned irq_lines_given;               /* irq_line() calls */
  unsigned irqc_registered;
  /* the registered platform interrupt controller: platform line set()
  ** calls are forwarded to it (after being recorded above) */
  void (*irqc_set)(void *opaque, uint32_t num, int level);
  void *irqc_opaque;

  /* virtual clock and timers */
  uint64_t now_ns;
  uint64_t timebase_hz;
  struct vmrun_timer timers[FH_MAX_TIMERS];

  /* chardev (a single back-end) */
  struct vmrun_chardev cd;
  unsigned cd_opens;
  char cd_spec[128];
  int cd_fail;                            /* make chardev_open fail */
  uint8_t out[FH_OUT_MAX];
  size_t out_len;
  vmrun_chardev_can_read_fn can_read;
  vmrun_chardev_read_fn read;
  void *read_opaque;

  /* device tree phandles */
  char labels[FH_MAX_LABELS][32];
  unsigned n_labels;

  /* machine control */
  unsigned shutdowns;
  int shutdown_kind, shutdown_code;

  /* diagnostics */
  unsigned logs[4];
  char last_log[256];
  unsigned cfg_errors;
  char last_cfg_error[256];
  unsigned errors;

  /* config node pool */
  struct vmrun_cfg cfg_pool[FH_MAX_CFG];
  unsigned n_cfg;
} fake_host;

/* A fresh fake machine with `ncpus` harts, clock 0, timebase 10 MHz. */
fake_host *fh_new(uint32_t ncpus);
void fh_free(fake_host *fh);

/* An `options:` mapping from NULL-terminated key, value, ... pairs. */
vmrun_cfg *fh_options(fake_host *fh, ...);
/* A device config for the plugin `type`; base NO_BASE, size 0, no irq. */
vmrun_device_config fh_device_config(const char *type, vmrun_cfg *options);

/* Guest-physical MMIO access through the registered regions (as the core's
** phys_access would).  Unmapped: read returns 0, counts unmapped_accesses. */
uint64_t fh_read(fake_host *fh, uint64_t gpa, unsigned size);
void fh_write(fake_host *fh, uint64_t gpa, unsigned size, uint64_t value);
const fh_region *fh_region_at(const fake_host *fh, uint64_t gpa);

/* Advance the virtual clock to `ns` (never backwards), firing due timers in
** deadline order with the clock set to each one's deadline. */
void fh_clock_set(fake_host *fh, uint64_t ns);
void fh_clock_advance(fake_host *fh, uint64_t delta_ns);
unsigned fh_timers_armed(const fake_host *fh);

/* Offer input bytes to the chardev handler; returns bytes accepted. */
size_t fh_input(fake_host *fh, const void *buf, size_t len);

/* Drive platform line `num` as a device would through host->irq_line
** (recorded, then forwarded to the registered controller, if any). */
void fh_irq_set_line(fake_host *fh, uint32_t num, int level);

/* Level of irq_pending bit `line` of hart `hart` (0 or 1). */
int fh_cpu_irq(const fake_host *fh, uint32_t hart, uint32_t line);

/* The phandle the fake allocated for `label` (allocating it if needed). */
uint32_t fh_phandle(fake_host *fh, const char *label);

/* A read-write FDT blob of `size` bytes with #address-cells/#size-cells
** 2/2 at the root, /cpus (with cpu@N and their interrupt controllers,
** phandles "cpuN-intc"), an interrupt controller labelled "irqc" and an
** empty /soc simple-bus.  Free with free(). */
void *fh_fdt_new(fake_host *fh, int size);
/* Offset of /soc in `fdt` (looked up again: earlier writes may move it). */
int fh_fdt_soc(const void *fdt);
/* Run `dtc -I dtb -O dts` on the packed blob.  Returns dtc's exit status,
** or -1 if dtc is not installed.  Its output (the dts) goes to *dts and its
** stderr (warnings) to *warnings when non-NULL (malloc'ed, NUL-terminated,
** NULL when dtc is missing). */
int fh_dtc(const void *fdt, char **dts, char **warnings);
/* Property `prop` of the node at `path` as big-endian cells converted to
** host order into cells[0..max-1]; returns the number of cells, or -1 if
** the node or property is missing or its length is not a multiple of 4. */
int fh_prop_cells(const void *fdt, const char *path, const char *prop,
                  uint32_t *cells, int max);
/* Raw property value and length (*len), NULL if absent. */
const void *fh_prop(const void *fdt, const char *path, const char *prop,
                    int *len);

#endif
