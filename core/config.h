/*
** core/config.h - machine description: YAML tree with source positions,
** typed accessors (the vmrun_host cfg_* slots), schema validation into a
** vmrun_machine_desc, and --set overrides.
**
** Error format (one line, to stderr through vmrun__diag):
**   FILE:LINE:COL: KEY.PATH: MESSAGE
** e.g. "m.yaml:4:9: machine.ram: expected a size like 512M, got 'lots'".
** LINE and COL are 1-based (libyaml marks are 0-based).
*/
#ifndef VMRUN_CORE_CONFIG_H
#define VMRUN_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <vmrun/device.h>
#include <vmrun/host.h>

enum vmrun_cfg_type { VMRUN_CFG_SCALAR, VMRUN_CFG_MAP, VMRUN_CFG_SEQ };

/* One YAML node.  A map's children are key/value pairs (key is the
** scalar text, `value` the child node); a sequence's children are items. */
struct vmrun_cfg {
  enum vmrun_cfg_type type;
  char *scalar;            /* SCALAR: text (NUL-terminated) */
  int quoted;              /* SCALAR: was quoted in the source */
  const char *file;        /* source file name (shared, owned by the doc) */
  unsigned line, col;      /* 1-based position of the node */
  char *path;              /* key path from the root: "machine.ram",
                              "devices[2].options.chardev" */
  struct vmrun_cfg *parent;
  size_t n;                /* MAP: pairs; SEQ: items */
  char **keys;             /* MAP: keys[i] */
  struct vmrun_cfg **kids; /* MAP: values; SEQ: items */
  unsigned *key_line, *key_col; /* MAP: position of each key */
};

typedef struct vmrun_memory_desc {
  char *name;
  char *type;       /* "ram" or "rom" */
  uint64_t base, size;
  char *file;       /* ROM/RAM initial contents, or NULL */
  vmrun_cfg *node;
} vmrun_memory_desc;

typedef struct vmrun_script_desc {
  char *path;
  vmrun_cfg *args;  /* mapping or NULL */
  vmrun_cfg *node;
} vmrun_script_desc;

typedef struct vmrun_machine_desc {
  vmrun_cfg *root;           /* owns the whole tree */
  char *file;                /* path of the YAML file (or "<string>") */
  uint64_t version;          /* `version:` (must be 1) */
  /* machine: */
  char *arch;                /* required: "riscv64" */
  uint64_t harts;            /* default 1, 1..64 */
  uint64_t ram_size;         /* required, bytes (K/M/G suffixes) */
  uint64_t ram_base;         /* default: frontend's default_ram_base;
                                VMRUN_DESC_UNSET when not given */
  char *firmware;            /* path or NULL */
  char *kernel;              /* path or NULL */
  char *initrd;              /* path or NULL */
  char *cmdline;             /* string or NULL */
  char *cmdline_batch;       /* appended to cmdline when stdin is not a
                                terminal (batch runs), or NULL */
  char *engine;              /* default "interp" */
  int engine_check;          /* machine.engine_check (or --engine-check):
                                run interp in lockstep, default false */
  char *mmu;                 /* default "softmmu" */
  char *frontend;            /* default: same as arch */
  char *accel;               /* default "none" */
  char *clock;               /* "host" (default) or "icount" */
  uint64_t icount_ns;        /* ns per instruction in icount mode, default 1 */
  uint64_t timebase_hz;      /* machine.timebase, Hz, default 10000000 */
  uint64_t kernel_addr;      /* VMRUN_DESC_UNSET: ram_base + 0x200000 */
  char **symbols;            /* machine.symbols: symbol files (ELF or
                                System.map), n_symbols of them */
  vmrun_cfg **symbols_nodes; /* their YAML nodes (messages, paths) */
  size_t n_symbols;
  vmrun_cfg *machine_node;   /* for error messages */
  vmrun_cfg *engine_options; /* machine.engine_options mapping or NULL */
  /* memory: */
  size_t n_memory;
  vmrun_memory_desc *memory;
  /* devices: */
  size_t n_devices;
  vmrun_device_config *devices; /* type/name/base/size/irqs/options/node */
  /* scripts: */
  size_t n_scripts;
  vmrun_script_desc *scripts;
  /* set by the core, not the schema: a user-mode run (core/user.c) has
  ** no devices, device tree or boot images */
  int user_mode;
} vmrun_machine_desc;

#define VMRUN_DESC_UNSET (~(uint64_t)0)

/* Parse a YAML file into a tree.  On error prints one line (file:line:col
** and what is wrong) and returns NULL.  errno-style failures (missing or
** unreadable file) print "FILE: strerror". */
vmrun_cfg *vmrun__cfg_load_file(const char *path);
/* Same from a string (file name used in messages: `name`). */
vmrun_cfg *vmrun__cfg_load_string(const char *text, const char *name);
void vmrun__cfg_free(vmrun_cfg *root);

/* Apply "key.path=value" (e.g. "machine.ram=256M",
** "devices[0].options.chardev=null"): replaces or adds the scalar at that
** path (creating intermediate maps).  Value is parsed as a YAML scalar.
** Returns 0 or -VMRUN_EINVAL with one printed line "--set KEY: ...". */
int vmrun__cfg_set(vmrun_cfg *root, const char *assignment);

/* Validate the tree against the machine schema (docs/machine-yaml.md) and
** fill *desc.  Unknown keys, wrong types, missing required keys, bad sizes
** and overlapping memory regions / device regions with a known base+size
** are errors.  Takes ownership of root (freed by vmrun__desc_free even on
** failure).  Returns 0 or -VMRUN_EINVAL (message printed). */
int vmrun__desc_build(vmrun_cfg *root, vmrun_machine_desc *desc);
void vmrun__desc_free(vmrun_machine_desc *desc);
/* The `scripts:` list of `root` (a `mode: user` file) into desc->scripts;
** 0, or nonzero after one printed line. */
int vmrun__desc_scripts(vmrun_cfg *root, vmrun_machine_desc *desc);

/* Parse an integer/size scalar: decimal, 0x.., 0b.., 0o.., with an optional
** K/M/G/T (binary, also KiB/MiB/GiB/TiB) suffix.  0 or -VMRUN_EINVAL /
** -VMRUN_ERANGE. */
int vmrun__parse_u64(const char *s, uint64_t *out);

/* Expand "~/" and ${NAME} / ${NAME:-default} in *path, then make it
** relative to the directory of the file `node` came from (not for --set
** values, which are relative to the current directory).  Replaces *path
** (malloc'ed).  0, -VMRUN_ENOMEM, or -VMRUN_EINVAL (printed). */
int vmrun__cfg_resolve_path(char **path, vmrun_cfg *node);

/* The accessors behind vmrun_host's cfg_* slots. */
int vmrun__cfg_path(vmrun_cfg *node, const char *key, const char *def,
                    const char **out);
vmrun_cfg *vmrun__cfg_get(vmrun_cfg *node, const char *key);
int vmrun__cfg_u64(vmrun_cfg *node, const char *key, uint64_t def,
                   uint64_t *out);
int vmrun__cfg_str(vmrun_cfg *node, const char *key, const char *def,
                   const char **out);
int vmrun__cfg_bool(vmrun_cfg *node, const char *key, int def, int *out);
int vmrun__cfg_check_keys(vmrun_cfg *node, const char *const *allowed);
void vmrun__cfg_error(vmrun_cfg *node, const char *fmt, ...)
    VMRUN_PRINTF(2, 3);

/* Where diagnostics go (default stderr); tests redirect it to capture the
** exact text.  The sink receives one complete line without '\n'. */
typedef void (*vmrun_diag_fn)(const char *line, void *ud);
void vmrun__set_diag_sink(vmrun_diag_fn fn, void *ud);

/* Test hook: when nonzero, the Nth allocation of the config code from now
** fails (fault injection, as SQLite's and libuv's OOM tests do). */
extern unsigned long vmrun__cfg_fail_alloc;
void vmrun__diag(const char *fmt, ...) VMRUN_PRINTF(1, 2);
/* Lines emitted through vmrun__diag so far: callers add a generic message
** only when the failing code printed nothing more precise. */
extern unsigned long vmrun__diag_count;

#endif
