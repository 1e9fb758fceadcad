/*
** core/config.c - machine description: YAML tree with source positions,
** typed accessors (the vmrun_host cfg_* slots), schema validation into a
** vmrun_machine_desc, and --set overrides.  See core/config.h for the
** interface and docs/machine-yaml.md for the schema.
**
** Conventions of this file:
**  - every diagnostic is one line sent through vmrun__diag();
**  - about a node: "FILE:LINE:COL: KEY.PATH: message" (node_pos() says
**    which position: a scalar's own, a mapping/list's key when it is the
**    value of a key, so "machine: missing ..." points at "machine:");
**  - every allocation goes through the x*() helpers below, which print
**    "out of memory" once; callers only propagate -VMRUN_ENOMEM.
*/
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include <vmrun/error.h>

#define MAX_DEPTH 64            /* nesting limit of the YAML tree */
#define ONE_MIB   (UINT64_C(1) << 20)
#define FOUR_KIB  (UINT64_C(1) << 12)

/* ------------------------------------------------------------------ */
/* Test hook: when nonzero, the allocation that brings it to 0 fails
** (1 = the next one).  Lets the unit tests walk every ENOMEM path. */
unsigned long vmrun__cfg_fail_alloc;

/* ------------------------------------------------------------------ */
/* Diagnostics */

static void default_sink(const char *line, void *ud)
{
  (void)ud;
  fprintf(stderr, "%s\n", line);
}

static vmrun_diag_fn diag_fn = default_sink;
static void *diag_ud;

void vmrun__set_diag_sink(vmrun_diag_fn fn, void *ud)
{
  diag_fn = fn ? fn : default_sink;
  diag_ud = fn ? ud : NULL;
}

/* Format into `stack` or, when that is too small, into a malloc'ed buffer
** (the caller frees the result when it is not `stack`).  Out of memory:
** the truncated text in `stack`. */
static char *vformat(char *stack, size_t size, const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(stack, size, fmt, ap);
  if (n < 0) {
    stack[0] = '\0';
  } else if ((size_t)n >= size) {
    char *big = malloc((size_t)n + 1);
    if (big) {
      vsnprintf(big, (size_t)n + 1, fmt, ap2);
      va_end(ap2);
      return big;
    }
  }
  va_end(ap2);
  return stack;
}

unsigned long vmrun__diag_count;

void vmrun__diag(const char *fmt, ...)
{
  char stack[512];
  va_list ap;
  va_start(ap, fmt);
  char *s = vformat(stack, sizeof stack, fmt, ap);
  va_end(ap);
  vmrun__diag_count++;
  diag_fn(s, diag_ud);
  if (s != stack)
    free(s);
}

/* "FILE:LINE:COL: PATH: message" (without "PATH: " when path is empty). */
static void vreport(const char *file, unsigned line, unsigned col,
                    const char *path, const char *fmt, va_list ap) VMRUN_PRINTF(5, 0);
static void vreport(const char *file, unsigned line, unsigned col,
                    const char *path, const char *fmt, va_list ap)
{
  char stack[512];
  char *msg = vformat(stack, sizeof stack, fmt, ap);
  if (path && path[0])
    vmrun__diag("%s:%u:%u: %s: %s", file, line, col, path, msg);
  else
    vmrun__diag("%s:%u:%u: %s", file, line, col, msg);
  if (msg != stack)
    free(msg);
}

static void report(const char *file, unsigned line, unsigned col,
                   const char *path, const char *fmt, ...) VMRUN_PRINTF(5, 6);
static void report(const char *file, unsigned line, unsigned col,
                   const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vreport(file, line, col, path, fmt, ap);
  va_end(ap);
}

static void oom(void)
{
  vmrun__diag("out of memory");
}

/* Where messages about `n` point: a scalar at its text; a mapping or list
** that is the value of a key at that key (a block collection otherwise
** starts at its first child, one line below its name). */
static void node_pos(const vmrun_cfg *n, unsigned *line, unsigned *col)
{
  *line = n->line;
  *col = n->col;
  if (n->type == VMRUN_CFG_SCALAR || !n->parent ||
      n->parent->type != VMRUN_CFG_MAP)
    return;
  for (size_t i = 0; i < n->parent->n; i++)
    if (n->parent->kids[i] == n) {
      *line = n->parent->key_line[i];
      *col = n->parent->key_col[i];
      return;
    }
}

static void verror(const vmrun_cfg *n, const char *fmt, va_list ap)
{
  if (!n) {
    char stack[512];
    char *msg = vformat(stack, sizeof stack, fmt, ap);
    vmrun__diag("%s", msg);
    if (msg != stack)
      free(msg);
    return;
  }
  unsigned line, col;
  node_pos(n, &line, &col);
  vreport(n->file, line, col, n->path, fmt, ap);
}

void vmrun__cfg_error(vmrun_cfg *node, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  verror(node, fmt, ap);
  va_end(ap);
}

/* Internal shorthand: report about a node, return -VMRUN_EINVAL. */
static int fail(const vmrun_cfg *n, const char *fmt, ...) VMRUN_PRINTF(2, 3);
static int fail(const vmrun_cfg *n, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  verror(n, fmt, ap);
  va_end(ap);
  return -VMRUN_EINVAL;
}

/* ------------------------------------------------------------------ */
/* Allocation */

static int alloc_fails(void)
{
  if (vmrun__cfg_fail_alloc == 0)
    return 0;
  return --vmrun__cfg_fail_alloc == 0;
}

static void *xmalloc(size_t size)
{
  void *p = alloc_fails() ? NULL : malloc(size ? size : 1);
  if (!p)
    oom();
  return p;
}

static void *xcalloc(size_t n, size_t size)
{
  void *p = alloc_fails() ? NULL : calloc(n ? n : 1, size ? size : 1);
  if (!p)
    oom();
  return p;
}

static void *xrealloc(void *old, size_t size)
{
  void *p = alloc_fails() ? NULL : realloc(old, size ? size : 1);
  if (!p)
    oom();
  return p;
}

static char *xstrndup(const char *s, size_t len)
{
  char *p = xmalloc(len + 1);
  if (p) {
    memcpy(p, s, len);
    p[len] = '\0';
  }
  return p;
}

static char *xstrdup(const char *s)
{
  return xstrndup(s, strlen(s));
}

static char *xasprintf(const char *fmt, ...) VMRUN_PRINTF(1, 2);
static char *xasprintf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    oom();
    return NULL;
  }
  char *p = xmalloc((size_t)n + 1);
  if (!p)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

/* ------------------------------------------------------------------ */
/* Tree */

/* A new node.  With `own_file` the file name is copied into the node's
** own allocation (used for the root, which owns the name for the tree). */
static vmrun_cfg *node_new(enum vmrun_cfg_type type, const char *file,
                           unsigned line, unsigned col, int own_file)
{
  size_t extra = own_file ? strlen(file) + 1 : 0;
  vmrun_cfg *n = xcalloc(1, sizeof *n + extra);
  if (!n)
    return NULL;
  n->type = type;
  n->line = line;
  n->col = col;
  if (own_file) {
    char *copy = (char *)(n + 1);
    memcpy(copy, file, extra);
    n->file = copy;
  } else {
    n->file = file;
  }
  return n;
}

void vmrun__cfg_free(vmrun_cfg *n)
{
  if (!n)
    return;
  for (size_t i = 0; i < n->n; i++) {
    if (n->keys)
      free(n->keys[i]);
    vmrun__cfg_free(n->kids[i]);
  }
  free(n->keys);
  free(n->kids);
  free(n->key_line);
  free(n->key_col);
  free(n->scalar);
  free(n->path);
  free(n);
}

static char *path_key(const char *parent, const char *key)
{
  if (!parent || !parent[0])
    return xstrdup(key);
  return xasprintf("%s.%s", parent, key);
}

static char *path_index(const char *parent, size_t i)
{
  return xasprintf("%s[%zu]", parent ? parent : "", i);
}

/* Append key/value to a mapping; `val->path` must be set.  On success the
** map owns `key` and `val`; on failure the caller still does. */
static int map_add(vmrun_cfg *map, char *key, unsigned kline, unsigned kcol,
                   vmrun_cfg *val)
{
  size_t n = map->n + 1;
  char **keys = xrealloc(map->keys, n * sizeof *keys);
  if (!keys)
    return -VMRUN_ENOMEM;
  map->keys = keys;
  vmrun_cfg **kids = xrealloc(map->kids, n * sizeof *kids);
  if (!kids)
    return -VMRUN_ENOMEM;
  map->kids = kids;
  unsigned *kl = xrealloc(map->key_line, n * sizeof *kl);
  if (!kl)
    return -VMRUN_ENOMEM;
  map->key_line = kl;
  unsigned *kc = xrealloc(map->key_col, n * sizeof *kc);
  if (!kc)
    return -VMRUN_ENOMEM;
  map->key_col = kc;
  keys[n - 1] = key;
  kids[n - 1] = val;
  kl[n - 1] = kline;
  kc[n - 1] = kcol;
  map->n = n;
  val->parent = map;
  return 0;
}

static int seq_add(vmrun_cfg *seq, vmrun_cfg *val)
{
  vmrun_cfg **kids = xrealloc(seq->kids, (seq->n + 1) * sizeof *kids);
  if (!kids)
    return -VMRUN_ENOMEM;
  seq->kids = kids;
  kids[seq->n++] = val;
  val->parent = seq;
  return 0;
}

/* A plain empty scalar or "~": YAML's null.  Accessors treat it like an
** absent key.  ("null" is deliberately NOT null: "chardev: null" names the
** null character back-end.) */
static int is_null(const vmrun_cfg *n)
{
  return n && n->type == VMRUN_CFG_SCALAR && !n->quoted &&
         (n->scalar[0] == '\0' || strcmp(n->scalar, "~") == 0);
}

/* ------------------------------------------------------------------ */
/* YAML -> tree (libyaml event parser) */

struct frame {
  vmrun_cfg *node;
  char *key;                    /* MAP: pending key, waiting for its value */
  unsigned kline, kcol;
};

struct builder {
  const char *name;             /* file name for messages */
  const char *text;
  size_t len;
  vmrun_cfg *root;
  struct frame st[MAX_DEPTH];
  size_t depth;
  int docs;
};

/* Path the next node will get (for messages and for attach()). */
static char *next_path(const struct builder *b)
{
  if (!b->depth)
    return xstrdup("");
  const struct frame *f = &b->st[b->depth - 1];
  if (f->node->type == VMRUN_CFG_SEQ)
    return path_index(f->node->path, f->node->n);
  return f->key ? path_key(f->node->path, f->key) : xstrdup(f->node->path);
}

/* Report at a libyaml mark, with the path the node there would get. */
static int mark_error(const struct builder *b, const yaml_mark_t *m,
                      const char *fmt, ...) VMRUN_PRINTF(3, 4);
static int mark_error(const struct builder *b, const yaml_mark_t *m,
                      const char *fmt, ...)
{
  char *path = next_path(b);
  if (!path)
    return -VMRUN_ENOMEM;
  va_list ap;
  va_start(ap, fmt);
  vreport(b->name, (unsigned)m->line + 1, (unsigned)m->column + 1, path, fmt,
          ap);
  va_end(ap);
  free(path);
  return -VMRUN_EINVAL;
}

/* Attach a new node at the current position (root, list item or value of
** the pending key).  On failure the node is freed. */
static int attach(struct builder *b, vmrun_cfg *n)
{
  n->path = next_path(b);
  if (!n->path) {
    vmrun__cfg_free(n);
    return -VMRUN_ENOMEM;
  }
  if (!b->depth) {
    b->root = n;
    return 0;
  }
  struct frame *f = &b->st[b->depth - 1];
  int rc;
  if (f->node->type == VMRUN_CFG_SEQ) {
    rc = seq_add(f->node, n);
  } else {
    rc = map_add(f->node, f->key, f->kline, f->kcol, n);
    if (!rc)
      f->key = NULL;
  }
  if (rc)
    vmrun__cfg_free(n);
  return rc;
}

static const char *file_of(const struct builder *b)
{
  /* Nodes share the name stored in the root's allocation. */
  return b->root ? b->root->file : b->name;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
  const yaml_mark_t *m = &ev->start_mark;
  unsigned line = (unsigned)m->line + 1, col = (unsigned)m->column + 1;
  struct frame *top = b->depth ? &b->st[b->depth - 1] : NULL;
  int want_key = top && top->node->type == VMRUN_CFG_MAP && !top->key;
  const yaml_char_t *anchor = NULL;
  vmrun_cfg *n;
  int rc;

  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (b->docs++) {
      report(b->name, line, col, NULL,
             "only one YAML document is allowed; found a second one");
      return -VMRUN_EINVAL;
    }
    return 0;

  case YAML_ALIAS_EVENT:
    return mark_error(b, m,
                      "aliases (*%s) are not supported; write the value out",
                      (const char *)ev->data.alias.anchor);

  case YAML_SCALAR_EVENT: {
    anchor = ev->data.scalar.anchor;
    if (anchor)
      break;
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(text, '\0', len))
      return mark_error(b, m, "NUL characters are not allowed");
    if (want_key) {
      /* A mapping key: check for duplicates, then wait for the value. */
      vmrun_cfg *map = top->node;
      for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], text) == 0) {
          char *path = path_key(map->path, text);
          if (!path)
            return -VMRUN_ENOMEM;
          report(b->name, line, col, path,
                 "duplicate key (first defined at %u:%u)", map->key_line[i],
                 map->key_col[i]);
          free(path);
          return -VMRUN_EINVAL;
        }
      top->key = xstrndup(text, len);
      if (!top->key)
        return -VMRUN_ENOMEM;
      top->kline = line;
      top->kcol = col;
      return 0;
    }
    n = node_new(VMRUN_CFG_SCALAR, file_of(b), line, col, !b->root);
    if (!n)
      return -VMRUN_ENOMEM;
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    n->scalar = xstrndup(text, len);
    if (!n->scalar) {
      vmrun__cfg_free(n);
      return -VMRUN_ENOMEM;
    }
    return attach(b, n);
  }

  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT: {
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    anchor = is_map ? ev->data.mapping_start.anchor
                    : ev->data.sequence_start.anchor;
    if (anchor)
      break;
    if (want_key)
      return mark_error(b, m, "mapping keys must be plain scalars");
    if (b->depth == MAX_DEPTH)
      return mark_error(b, m, "nested too deeply (more than %d levels)",
                        MAX_DEPTH);
    n = node_new(is_map ? VMRUN_CFG_MAP : VMRUN_CFG_SEQ, file_of(b), line,
                 col, !b->root);
    if (!n)
      return -VMRUN_ENOMEM;
    rc = attach(b, n);
    if (rc)
      return rc;
    b->st[b->depth++] = (struct frame){ .node = n };
    return 0;
  }

  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    if (b->depth) {
      b->depth--;
      free(b->st[b->depth].key); /* NULL unless the parser misbehaved */
      b->st[b->depth].key = NULL;
    }
    return 0;

  default: /* stream start/end, document end, no event */
    return 0;
  }

  /* Only anchors get here. */
  return mark_error(b, m, "anchors (&%s) are not supported",
                    (const char *)anchor);
}

/* 1-based line:col of a byte offset (for reader errors, which only have an
** offset). */
static void offset_pos(const char *text, size_t len, size_t off,
                       unsigned *line, unsigned *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && i < len; i++) {
    if (text[i] == '\n') {
      ++*line;
      *col = 1;
    } else {
      ++*col;
    }
  }
}

static int syntax_error(const struct builder *b, const yaml_parser_t *p)
{
  if (p->error == YAML_MEMORY_ERROR) {
    oom();
    return -VMRUN_ENOMEM;
  }
  const char *problem = p->problem ? p->problem : "invalid YAML";
  unsigned line, col;
  if (p->error == YAML_READER_ERROR) {
    offset_pos(b->text, b->len, p->problem_offset, &line, &col);
    report(b->name, line, col, NULL, "%s", problem);
    return -VMRUN_EINVAL;
  }
  line = (unsigned)p->problem_mark.line + 1;
  col = (unsigned)p->problem_mark.column + 1;
  if (p->context)
    report(b->name, line, col, NULL, "%s (%s at %u:%u)", problem, p->context,
           (unsigned)p->context_mark.line + 1,
           (unsigned)p->context_mark.column + 1);
  else
    report(b->name, line, col, NULL, "%s", problem);
  return -VMRUN_EINVAL;
}

static vmrun_cfg *load_text(const char *text, size_t len, const char *name)
{
  struct builder b = { .name = name, .text = text, .len = len };
  yaml_parser_t p;
  int rc = 0;

  if (alloc_fails() || !yaml_parser_initialize(&p)) {
    oom();
    return NULL;
  }
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) {
      rc = syntax_error(&b, &p);
      break;
    }
    int end = ev.type == YAML_STREAM_END_EVENT;
    rc = on_event(&b, &ev);
    yaml_event_delete(&ev);
    if (rc || end)
      break;
  }
  yaml_parser_delete(&p);
  for (size_t i = 0; i < b.depth; i++)
    free(b.st[i].key);
  if (rc) {
    vmrun__cfg_free(b.root);
    return NULL;
  }
  if (!b.root || is_null(b.root)) {
    vmrun__diag("%s: empty machine description", name);
    vmrun__cfg_free(b.root);
    return NULL;
  }
  return b.root;
}

vmrun_cfg *vmrun__cfg_load_string(const char *text, const char *name)
{
  if (!name)
    name = "<string>";
  if (!text)
    text = "";
  return load_text(text, strlen(text), name);
}

vmrun_cfg *vmrun__cfg_load_file(const char *path)
{
  if (!path) {
    vmrun__diag("(null): %s", strerror(EINVAL));
    return NULL;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    vmrun__diag("%s: %s", path, strerror(errno));
    return NULL;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (cap - len < 4096) {
      size_t ncap = cap ? cap * 2 : 8192;
      char *nb = xrealloc(buf, ncap);
      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) {
        int e = errno;
        vmrun__diag("%s: %s", path, strerror(e ? e : EIO));
        free(buf);
        fclose(f);
        return NULL;
      }
      break;
    }
  }
  fclose(f);
  vmrun_cfg *root = load_text(buf, len, path);
  free(buf);
  return root;
}

/* ------------------------------------------------------------------ */
/* Numbers */

static int digit_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The number grammar of vmrun__parse_u64; `suffix` allows K/M/G/T. */
static int parse_num(const char *s, int suffix, uint64_t *out)
{
  if (!s || !out)
    return -VMRUN_EINVAL;
  const char *p = s;
  unsigned base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    base = 16;
  else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
    base = 2;
  else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
    base = 8;
  if (base != 10)
    p += 2;

  uint64_t v = 0;
  int digits = 0, underscore = 0, overflow = 0;
  for (;; p++) {
    if (*p == '_') {
      /* separator: only between digits */
      if (!digits || underscore)
        return -VMRUN_EINVAL;
      underscore = 1;
      continue;
    }
    int d = digit_value(*p);
    if (d < 0 || (unsigned)d >= base)
      break;
    if (v > (UINT64_MAX - (unsigned)d) / base)
      overflow = 1;
    else
      v = v * base + (unsigned)d;
    digits++;
    underscore = 0;
  }
  if (!digits || underscore)
    return -VMRUN_EINVAL;

  unsigned shift = 0;
  if (*p) {
    if (!suffix)
      return -VMRUN_EINVAL;
    switch (*p) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    case 'T': case 't': shift = 40; break;
    default: return -VMRUN_EINVAL;
    }
    /* KiB/MiB/GiB/TiB (upper-case letter only) */
    if (p[0] >= 'A' && p[0] <= 'Z' && p[1] == 'i' && p[2] == 'B')
      p += 2;
    p++;
    if (*p)
      return -VMRUN_EINVAL;
  }
  if (overflow || (shift && v > (UINT64_MAX >> shift)))
    return -VMRUN_ERANGE;
  *out = v << shift;
  return 0;
}

int vmrun__parse_u64(const char *s, uint64_t *out)
{
  return parse_num(s, 1, out);
}

/* ------------------------------------------------------------------ */
/* Accessors */

/* "a mapping", "a list", "nothing" or 'text' (sanitized, shortened). */
static const char *describe(const vmrun_cfg *n, char *buf, size_t size)
{
  if (n->type == VMRUN_CFG_MAP)
    return "a mapping";
  if (n->type == VMRUN_CFG_SEQ)
    return "a list";
  if (is_null(n))
    return "nothing";
  size_t o = 0, i = 0, len = strlen(n->scalar), max = size - 6;
  buf[o++] = '\'';           /* room left for "...'" and the NUL */
  for (; i < len && o < max; i++)
    buf[o++] = (unsigned char)n->scalar[i] < 0x20 || n->scalar[i] == 0x7f
                   ? '?' : n->scalar[i];
  if (i < len) {
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o++] = '\'';
  buf[o] = '\0';
  return buf;
}

vmrun_cfg *vmrun__cfg_get(vmrun_cfg *node, const char *key)
{
  if (!node || !key || node->type != VMRUN_CFG_MAP)
    return NULL;
  for (size_t i = 0; i < node->n; i++)
    if (strcmp(node->keys[i], key) == 0)
      return node->kids[i];
  return NULL;
}

/* The value at `key` of `node` (`key` NULL: `node` itself) in *out; NULL
** when absent or null.  -VMRUN_EINVAL when `node` is not a mapping. */
static int lookup(vmrun_cfg *node, const char *key, vmrun_cfg **out)
{
  *out = NULL;
  if (!node || is_null(node))
    return 0;
  if (key) {
    if (node->type != VMRUN_CFG_MAP) {
      char d[80];
      return fail(node, "expected a mapping, got %s",
                  describe(node, d, sizeof d));
    }
    node = vmrun__cfg_get(node, key);
  }
  *out = is_null(node) ? NULL : node;
  return 0;
}

enum num_kind { NUM_ANY, NUM_SIZE, NUM_ADDR, NUM_INT };

static const char *const num_expect[] = {
  [NUM_ANY] = "a number like 42, 0x1000 or 512M",
  [NUM_SIZE] = "a size like 512M or 0x8000000",
  [NUM_ADDR] = "an address like 0x80000000",
  [NUM_INT] = "an integer",
};

/* Parse scalar node `v` (non-NULL) as a number of kind `k`. */
static int get_num(const vmrun_cfg *v, enum num_kind k, uint64_t *out)
{
  char d[80];
  if (v->type != VMRUN_CFG_SCALAR || is_null(v))
    return fail(v, "expected %s, got %s", num_expect[k],
                describe(v, d, sizeof d));
  int rc = parse_num(v->scalar, k != NUM_INT, out);
  if (rc == -VMRUN_ERANGE)
    return fail(v, "%s does not fit in 64 bits", describe(v, d, sizeof d));
  if (rc)
    return fail(v, "expected %s, got %s", num_expect[k],
                describe(v, d, sizeof d));
  return 0;
}

int vmrun__cfg_u64(vmrun_cfg *node, const char *key, uint64_t def,
                   uint64_t *out)
{
  vmrun_cfg *v;
  if (!out)
    return -VMRUN_EINVAL;
  int rc = lookup(node, key, &v);
  if (rc)
    return rc;
  if (!v) {
    *out = def;
    return 0;
  }
  return get_num(v, NUM_ANY, out);
}

static int get_str(const vmrun_cfg *v, const char **out)
{
  if (v->type != VMRUN_CFG_SCALAR) {
    char d[80];
    return fail(v, "expected a string, got %s", describe(v, d, sizeof d));
  }
  *out = v->scalar;
  return 0;
}

int vmrun__cfg_str(vmrun_cfg *node, const char *key, const char *def,
                   const char **out)
{
  vmrun_cfg *v;
  if (!out)
    return -VMRUN_EINVAL;
  int rc = lookup(node, key, &v);
  if (rc)
    return rc;
  if (!v) {
    *out = def;
    return 0;
  }
  return get_str(v, out);
}

int vmrun__cfg_bool(vmrun_cfg *node, const char *key, int def, int *out)
{
  static const char *const yes[] = { "true", "yes", "on" };
  static const char *const no[] = { "false", "no", "off" };
  vmrun_cfg *v;
  if (!out)
    return -VMRUN_EINVAL;
  int rc = lookup(node, key, &v);
  if (rc)
    return rc;
  if (!v) {
    *out = def;
    return 0;
  }
  if (v->type == VMRUN_CFG_SCALAR)
    for (int i = 0; i < 3; i++) {
      if (strcasecmp(v->scalar, yes[i]) == 0) {
        *out = 1;
        return 0;
      }
      if (strcasecmp(v->scalar, no[i]) == 0) {
        *out = 0;
        return 0;
      }
    }
  char d[80];
  return fail(v, "expected a boolean (true/false, yes/no, on/off), got %s",
              describe(v, d, sizeof d));
}

int vmrun__cfg_check_keys(vmrun_cfg *node, const char *const *allowed)
{
  if (!node || is_null(node))
    return 0;
  if (node->type != VMRUN_CFG_MAP) {
    char d[80];
    return fail(node, "expected a mapping, got %s", describe(node, d, sizeof d));
  }
  for (size_t i = 0; i < node->n; i++) {
    int ok = 0;
    for (size_t j = 0; allowed && allowed[j] && !ok; j++)
      ok = strcmp(node->keys[i], allowed[j]) == 0;
    if (ok)
      continue;
    /* "a, b, c" (truncated with "..." in the unlikely case it is huge) */
    char list[1024];
    size_t o = 0;
    list[0] = '\0';
    for (size_t j = 0; allowed && allowed[j]; j++) {
      int w = snprintf(list + o, sizeof list - o, "%s%s", j ? ", " : "",
                       allowed[j]);
      if (w < 0 || (size_t)w >= sizeof list - o) {
        strcpy(list + sizeof list - 4, "...");
        break;
      }
      o += (size_t)w;
    }
    const vmrun_cfg *kid = node->kids[i];
    if (list[0])
      report(kid->file, node->key_line[i], node->key_col[i], kid->path,
             "unknown key; valid keys: %s", list);
    else
      report(kid->file, node->key_line[i], node->key_col[i], kid->path,
             "unknown key; no keys are allowed here");
    return -VMRUN_EINVAL;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* --set KEY=VALUE */

/* Unquote a --set value: '...' (with '' for ') or "..." (with \\ \" \n \t
** \r escapes); anything else is taken verbatim as a plain scalar. */
static int set_value(const char *key, const char *v, char **out, int *quoted)
{
  size_t len = strlen(v);
  *quoted = 0;
  if (v[0] != '"' && v[0] != '\'') {
    *out = xstrdup(v);
    return *out ? 0 : -VMRUN_ENOMEM;
  }
  char q = v[0];
  if (len < 2 || v[len - 1] != q) {
    vmrun__diag("--set %s: unterminated quoted value", key);
    return -VMRUN_EINVAL;
  }
  char *s = xmalloc(len);
  if (!s)
    return -VMRUN_ENOMEM;
  size_t o = 0;
  for (size_t i = 1; i < len - 1; i++) {
    char c = v[i];
    if (q == '\'' && c == '\'') {
      if (v[i + 1] != '\'' || i + 1 == len - 1)
        goto bad;
      i++;
    } else if (q == '"' && c == '"') {
      goto bad;
    } else if (q == '"' && c == '\\') {
      switch (v[++i]) {
      case '\\': c = '\\'; break;
      case '"': c = '"'; break;
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      default:
        free(s);
        vmrun__diag("--set %s: unsupported escape in quoted value", key);
        return -VMRUN_EINVAL;
      }
    }
    s[o++] = c;
  }
  s[o] = '\0';
  *out = s;
  *quoted = 1;
  return 0;
bad:
  free(s);
  vmrun__diag("--set %s: stray quote inside quoted value", key);
  return -VMRUN_EINVAL;
}

/* A new scalar for --set (file "--set", line 1, column of the value). */
static vmrun_cfg *set_scalar(const char *text, int quoted, unsigned col,
                             const char *path)
{
  vmrun_cfg *n = node_new(VMRUN_CFG_SCALAR, "--set", 1, col, 0);
  if (!n)
    return NULL;
  n->quoted = quoted;
  n->scalar = xstrdup(text);
  n->path = xstrdup(path);
  if (!n->scalar || !n->path) {
    vmrun__cfg_free(n);
    return NULL;
  }
  return n;
}

/* Walk `key` from `root`.  dry: only check (no change, only EINVAL);
** else create/replace (only ENOMEM can happen). */
static int set_walk(vmrun_cfg *root, const char *key, int dry,
                    const char *text, int quoted, unsigned vcol)
{
  vmrun_cfg *cur = root;        /* NULL: below a key that will be created */
  const char *p = key;
  for (;;) {
    const char *s = p;
    while (*p && *p != '.' && *p != '[' && *p != ']')
      p++;
    int plen = (int)(s - key); /* prefix before this component */
    if (plen > 0)
      plen--;                  /* without the '.' */
    if (p == s || *p == ']') {
      vmrun__diag("--set %s: %s", key,
                  *p == ']' ? "unexpected ']'" : "empty key name");
      return -VMRUN_EINVAL;
    }
    int is_last = *p == '\0';
    int idx_next = *p == '[';
    int here = (int)(p - key);
    if (cur) {
      if (cur->type != VMRUN_CFG_MAP) {
        if (cur->type == VMRUN_CFG_SEQ)
          vmrun__diag("--set %s: %.*s is a list; use %.*s[N]", key, plen, key,
                      plen, key);
        else
          vmrun__diag("--set %s: %.*s is a scalar, not a mapping", key, plen,
                      key);
        return -VMRUN_EINVAL;
      }
      size_t i;
      for (i = 0; i < cur->n; i++)
        if (strlen(cur->keys[i]) == (size_t)(p - s) &&
            memcmp(cur->keys[i], s, (size_t)(p - s)) == 0)
          break;
      if (i == cur->n && idx_next) {
        vmrun__diag("--set %s: %.*s does not exist, so it cannot be indexed",
                    key, here, key);
        return -VMRUN_EINVAL;
      }
      if (i < cur->n && !is_last) {
        cur = cur->kids[i];
      } else if (dry) {
        if (is_last)
          return 0;
        cur = NULL;            /* a mapping will be created here */
      } else {
        /* Create (new key) or replace (existing key). */
        char *cpath = xasprintf("%s%s%.*s", cur->path, cur->path[0] ? "." : "",
                                (int)(p - s), s);
        if (!cpath)
          return -VMRUN_ENOMEM;
        vmrun_cfg *n;
        unsigned kcol = (unsigned)(s - key) + 1;
        if (is_last) {
          n = set_scalar(text, quoted, vcol, cpath);
        } else {
          n = node_new(VMRUN_CFG_MAP, "--set", 1, kcol, 0);
          if (n)
            n->path = xstrdup(cpath);
          if (n && !n->path) {
            vmrun__cfg_free(n);
            n = NULL;
          }
        }
        free(cpath);
        if (!n)
          return -VMRUN_ENOMEM;
        if (i < cur->n) {
          /* The pair now comes from --set: so does the key position. */
          vmrun__cfg_free(cur->kids[i]);
          cur->kids[i] = n;
          n->parent = cur;
          cur->key_line[i] = 1;
          cur->key_col[i] = kcol;
          return 0;
        }
        char *k = xstrndup(s, (size_t)(p - s));
        if (!k) {
          vmrun__cfg_free(n);
          return -VMRUN_ENOMEM;
        }
        int rc = map_add(cur, k, 1, kcol, n);
        if (rc) {
          free(k);
          vmrun__cfg_free(n);
          return rc;
        }
        if (is_last)
          return 0;
        cur = n;
      }
    } else if (idx_next) {
      vmrun__diag("--set %s: %.*s does not exist, so it cannot be indexed",
                  key, here, key);
      return -VMRUN_EINVAL;
    } else if (is_last) {
      return 0;
    }

    /* [N] indexes */
    while (*p == '[') {
      const char *d = p + 1, *e = d;
      size_t idx = 0;
      int bad = 0;
      while (*e >= '0' && *e <= '9') {
        if (idx > (SIZE_MAX - 9) / 10)
          bad = 1;
        idx = idx * 10 + (size_t)(*e - '0');
        e++;
      }
      if (e == d || *e != ']' || bad) {
        const char *close = strchr(d, ']');
        int n = close ? (int)(close - d) : (int)strlen(d);
        vmrun__diag("--set %s: bad index '%.*s' (expected [N])", key, n, d);
        return -VMRUN_EINVAL;
      }
      int at = (int)(p - key);
      if (cur->type != VMRUN_CFG_SEQ) {
        vmrun__diag("--set %s: %.*s is a %s, not a list", key, at, key,
                    cur->type == VMRUN_CFG_MAP ? "mapping" : "scalar");
        return -VMRUN_EINVAL;
      }
      if (idx >= cur->n) {
        vmrun__diag("--set %s: index %zu is past the end of %.*s (%zu item%s)",
                    key, idx, at, key, cur->n, cur->n == 1 ? "" : "s");
        return -VMRUN_EINVAL;
      }
      p = e + 1;
      if (!*p) {
        if (dry)
          return 0;
        char *cpath = path_index(cur->path, idx);
        if (!cpath)
          return -VMRUN_ENOMEM;
        vmrun_cfg *n = set_scalar(text, quoted, vcol, cpath);
        free(cpath);
        if (!n)
          return -VMRUN_ENOMEM;
        vmrun__cfg_free(cur->kids[idx]);
        cur->kids[idx] = n;
        n->parent = cur;
        return 0;
      }
      cur = cur->kids[idx];
    }
    if (*p != '.') {
      vmrun__diag("--set %s: expected '.' or '[' after ']'", key);
      return -VMRUN_EINVAL;
    }
    p++;
  }
}

int vmrun__cfg_set(vmrun_cfg *root, const char *assignment)
{
  if (!assignment) {
    vmrun__diag("--set: expected KEY=VALUE");
    return -VMRUN_EINVAL;
  }
  const char *eq = strchr(assignment, '=');
  if (!eq) {
    vmrun__diag("--set %s: expected KEY=VALUE (missing '=')", assignment);
    return -VMRUN_EINVAL;
  }
  if (eq == assignment) {
    vmrun__diag("--set %s: empty key before '='", assignment);
    return -VMRUN_EINVAL;
  }
  char *key = xstrndup(assignment, (size_t)(eq - assignment));
  if (!key)
    return -VMRUN_ENOMEM;
  char *text = NULL;
  int quoted;
  int rc = set_value(key, eq + 1, &text, &quoted);
  if (!rc && (!root || root->type != VMRUN_CFG_MAP)) {
    vmrun__diag("--set %s: the machine description is not a mapping", key);
    rc = -VMRUN_EINVAL;
  }
  unsigned vcol = (unsigned)(eq - assignment) + 2;
  if (!rc)
    rc = set_walk(root, key, 1, text, quoted, vcol);
  if (!rc)
    rc = set_walk(root, key, 0, text, quoted, vcol);
  free(text);
  free(key);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Schema */

static const char *const top_keys[] = {
  "version", "machine", "memory", "devices", "scripts", "mode", NULL
};
static const char *const machine_keys[] = {
  "arch", "harts", "ram", "ram_base", "firmware", "kernel", "initrd",
  "cmdline", "kernel_addr", "engine", "mmu", "frontend", "accel",
  "engine_options", "clock", "icount_ns", "timebase", "cmdline_batch",
  "symbols", "engine_check", NULL
};
static const char *const memory_keys[] = {
  "name", "type", "base", "size", "file", NULL
};
static const char *const device_keys[] = {
  "type", "name", "base", "size", "irq", "options", NULL
};
static const char *const script_keys[] = { "path", "args", "on_error",
                                           NULL };

static int missing(const vmrun_cfg *parent, const char *key)
{
  return fail(parent, "missing required key '%s'", key);
}

/* Numeric field: absent/null -> def (or "missing" when required). */
static int num_field(vmrun_cfg *map, const char *key, enum num_kind k,
                     int required, uint64_t def, uint64_t *out)
{
  vmrun_cfg *v = vmrun__cfg_get(map, key);
  if (!v) {
    if (required)
      return missing(map, key);
    *out = def;
    return 0;
  }
  if (is_null(v) && !required) {
    *out = def;
    return 0;
  }
  return get_num(v, k, out);
}

/* Address field: like num_field, but ~0 is reserved for "unset". */
static int addr_field(vmrun_cfg *map, const char *key, int required,
                      uint64_t *out)
{
  int rc = num_field(map, key, NUM_ADDR, required, VMRUN_DESC_UNSET, out);
  if (!rc && *out == VMRUN_DESC_UNSET && vmrun__cfg_get(map, key) &&
      !is_null(vmrun__cfg_get(map, key)))
    return fail(vmrun__cfg_get(map, key),
                "0xffffffffffffffff is not a valid address");
  return rc;
}

/* String field copied into *out (NULL when absent and def is NULL). */
static int str_field(vmrun_cfg *map, const char *key, int required,
                     int nonempty, const char *def, char **out)
{
  vmrun_cfg *v = vmrun__cfg_get(map, key);
  const char *s = def;
  *out = NULL;
  if (!v && required)
    return missing(map, key);
  if (v && is_null(v) && required)
    return fail(v, "expected a string, got nothing");
  if (v && !is_null(v)) {
    int rc = get_str(v, &s);
    if (rc)
      return rc;
    if (nonempty && !s[0])
      return fail(v, "must not be empty");
  }
  if (!s)
    return 0;
  *out = xstrdup(s);
  return *out ? 0 : -VMRUN_ENOMEM;
}

/* Optional mapping/list field: *out NULL when absent or null. */
static int coll_field(vmrun_cfg *map, const char *key, enum vmrun_cfg_type t,
                      vmrun_cfg **out)
{
  vmrun_cfg *v = vmrun__cfg_get(map, key);
  *out = NULL;
  if (!v || is_null(v))
    return 0;
  if (v->type != t) {
    char d[80];
    return fail(v, "expected %s, got %s",
                t == VMRUN_CFG_MAP ? "a mapping" : "a list",
                describe(v, d, sizeof d));
  }
  *out = v;
  return 0;
}

/* Value must be one of a NULL-terminated list. */
static int one_of(vmrun_cfg *map, const char *key, const char *value,
                  const char *const *choices, const char *expect)
{
  char d[80];
  for (size_t i = 0; choices[i]; i++)
    if (strcmp(value, choices[i]) == 0)
      return 0;
  /* only a given value can be wrong (defaults are valid) */
  vmrun_cfg *v = vmrun__cfg_get(map, key);
  return fail(v, "expected %s, got %s", expect, describe(v, d, sizeof d));
}

/* One guest-physical region for the overlap check. */
struct region {
  const char *name;
  const char *path;
  uint64_t base, size;
  const vmrun_cfg *node;
};

/* [base, base+size) must fit in 64 bits. */
static int check_end(const vmrun_cfg *n, uint64_t base, uint64_t size)
{
  if (size && base > UINT64_MAX - (size - 1))
    return fail(n, "region at 0x%" PRIx64 " of size 0x%" PRIx64
                   " extends past the end of the address space", base, size);
  return 0;
}

static int check_overlaps(const struct region *r, size_t n)
{
  for (size_t j = 1; j < n; j++)
    for (size_t i = 0; i < j; i++) {
      uint64_t a0 = r[i].base, a1 = r[i].base + (r[i].size - 1);
      uint64_t b0 = r[j].base, b1 = r[j].base + (r[j].size - 1);
      if (a0 <= b1 && b0 <= a1)
        return fail(r[j].node,
                    "'%s' [0x%" PRIx64 ", 0x%" PRIx64 "] overlaps '%s' [0x%"
                    PRIx64 ", 0x%" PRIx64 "] (%s)", r[j].name, b0, b1,
                    r[i].name, a0, a1, r[i].path);
    }
  return 0;
}

static int build_machine(vmrun_cfg *m, vmrun_machine_desc *d)
{
  static const char *const accels[] = { "none", "auto", "kvm", NULL };
  static const char *const clocks[] = { "host", "icount", NULL };
  vmrun_cfg *v;
  uint64_t timebase;
  int rc;

  if ((rc = vmrun__cfg_check_keys(m, machine_keys)) ||
      (rc = str_field(m, "arch", 1, 1, NULL, &d->arch)) ||
      (rc = num_field(m, "harts", NUM_INT, 0, 1, &d->harts)))
    return rc;
  if (d->harts < 1 || d->harts > 64)
    return fail(vmrun__cfg_get(m, "harts"),
                "must be between 1 and 64, got %" PRIu64, d->harts);

  if ((rc = num_field(m, "ram", NUM_SIZE, 1, 0, &d->ram_size)))
    return rc;
  v = vmrun__cfg_get(m, "ram");
  if (d->ram_size < ONE_MIB)
    return fail(v, "must be at least 1M, got %" PRIu64 " bytes", d->ram_size);
  if (d->ram_size % FOUR_KIB)
    return fail(v, "must be a multiple of 4K, got %" PRIu64 " bytes",
                d->ram_size);
  if ((rc = addr_field(m, "ram_base", 0, &d->ram_base)))
    return rc;
  if (d->ram_base != VMRUN_DESC_UNSET &&
      (rc = check_end(v, d->ram_base, d->ram_size)))
    return rc;

  if ((rc = str_field(m, "firmware", 0, 0, NULL, &d->firmware)) ||
      (rc = str_field(m, "kernel", 0, 0, NULL, &d->kernel)) ||
      (rc = str_field(m, "initrd", 0, 0, NULL, &d->initrd)) ||
      (rc = str_field(m, "cmdline", 0, 0, NULL, &d->cmdline)) ||
      (rc = str_field(m, "cmdline_batch", 0, 0, NULL, &d->cmdline_batch)) ||
      (rc = addr_field(m, "kernel_addr", 0, &d->kernel_addr)) ||
      (rc = str_field(m, "engine", 0, 1, "interp", &d->engine)) ||
      (rc = vmrun__cfg_bool(m, "engine_check", 0, &d->engine_check)) ||
      (rc = str_field(m, "mmu", 0, 1, "softmmu", &d->mmu)) ||
      (rc = str_field(m, "frontend", 0, 1, d->arch, &d->frontend)) ||
      (rc = str_field(m, "accel", 0, 1, "none", &d->accel)) ||
      (rc = one_of(m, "accel", d->accel, accels, "none, auto or kvm")) ||
      (rc = coll_field(m, "engine_options", VMRUN_CFG_MAP,
                       &d->engine_options)) ||
      (rc = str_field(m, "clock", 0, 1, "host", &d->clock)) ||
      (rc = one_of(m, "clock", d->clock, clocks, "host or icount")) ||
      (rc = num_field(m, "icount_ns", NUM_INT, 0, 1, &d->icount_ns)))
    return rc;
  if (d->icount_ns < 1)
    return fail(vmrun__cfg_get(m, "icount_ns"), "must be at least 1, got 0");

  if ((rc = num_field(m, "timebase", NUM_INT, 0, 10000000, &timebase)))
    return rc;
  if (timebase < 1)
    return fail(vmrun__cfg_get(m, "timebase"), "must be at least 1 Hz, got 0");
  d->timebase_hz = timebase;

  /* symbols: a list of symbol files (ELF or System.map) */
  if ((rc = coll_field(m, "symbols", VMRUN_CFG_SEQ, &v)))
    return rc;
  if (v && v->n) {
    d->symbols = xcalloc(v->n, sizeof *d->symbols);
    d->symbols_nodes = xcalloc(v->n, sizeof *d->symbols_nodes);
    if (!d->symbols || !d->symbols_nodes)
      return -VMRUN_ENOMEM;
    for (size_t i = 0; i < v->n; i++) {
      vmrun_cfg *e = v->kids[i];
      char dsc[80];
      if (e->type != VMRUN_CFG_SCALAR || is_null(e))
        return fail(e, "expected a file path, got %s",
                    describe(e, dsc, sizeof dsc));
      if (!e->scalar[0])
        return fail(e, "must not be empty");
      if (!(d->symbols[i] = xstrdup(e->scalar)))
        return -VMRUN_ENOMEM;
      d->symbols_nodes[i] = e;
      d->n_symbols = i + 1;
    }
  }
  return 0;
}

static int build_memory(vmrun_cfg *list, vmrun_machine_desc *d)
{
  static const char *const types[] = { "ram", "rom", NULL };
  int rc;
  d->memory = xcalloc(list->n, sizeof *d->memory);
  if (!d->memory)
    return -VMRUN_ENOMEM;
  d->n_memory = list->n;
  for (size_t i = 0; i < list->n; i++) {
    vmrun_cfg *e = list->kids[i];
    vmrun_memory_desc *md = &d->memory[i];
    char dsc[80];
    md->node = e;
    if (e->type != VMRUN_CFG_MAP)
      return fail(e, "expected a mapping with type:, base: and size:, got %s",
                  describe(e, dsc, sizeof dsc));
    if ((rc = vmrun__cfg_check_keys(e, memory_keys)) ||
        (rc = str_field(e, "name", 0, 1, NULL, &md->name)) ||
        (rc = str_field(e, "type", 1, 1, NULL, &md->type)) ||
        (rc = one_of(e, "type", md->type, types, "ram or rom")) ||
        (rc = addr_field(e, "base", 1, &md->base)) ||
        (rc = num_field(e, "size", NUM_SIZE, 1, 0, &md->size)))
      return rc;
    if (!md->size)
      return fail(vmrun__cfg_get(e, "size"), "must not be 0");
    if ((rc = check_end(e, md->base, md->size)) ||
        (rc = str_field(e, "file", 0, 0, NULL, &md->file)))
      return rc;
    if (!md->name && !(md->name = xasprintf("mem%zu", i)))
      return -VMRUN_ENOMEM;
    for (size_t j = 0; j < i; j++)
      if (strcmp(d->memory[j].name, md->name) == 0) {
        vmrun_cfg *at = vmrun__cfg_get(e, "name");
        return fail(at ? at : e, "duplicate memory name '%s' (also %s)",
                    md->name, d->memory[j].node->path);
      }
  }
  return 0;
}

static int build_irqs(vmrun_cfg *e, vmrun_device_config *dc)
{
  vmrun_cfg *v = vmrun__cfg_get(e, "irq");
  vmrun_cfg *const *items = &v;
  size_t n = 1;
  char dsc[80];
  if (!v || is_null(v))
    return 0;
  if (v->type == VMRUN_CFG_MAP)
    return fail(v, "expected an IRQ number or a list of them, got %s",
                describe(v, dsc, sizeof dsc));
  if (v->type == VMRUN_CFG_SEQ) {
    if (v->n > 8)
      return fail(v, "at most 8 IRQs are allowed, got %zu", v->n);
    items = v->kids;
    n = v->n;
  }
  for (size_t i = 0; i < n; i++) {
    uint64_t irq;
    int rc = get_num(items[i], NUM_INT, &irq);
    if (rc)
      return rc;
    if (irq > UINT32_MAX)
      return fail(items[i], "IRQ %" PRIu64 " is out of range", irq);
    dc->irqs[dc->n_irqs++] = (uint32_t)irq;
  }
  return 0;
}

static int build_devices(vmrun_cfg *list, vmrun_machine_desc *d)
{
  int rc;
  d->devices = xcalloc(list->n, sizeof *d->devices);
  if (!d->devices)
    return -VMRUN_ENOMEM;
  d->n_devices = list->n;
  for (size_t i = 0; i < list->n; i++) {
    vmrun_cfg *e = list->kids[i];
    vmrun_device_config *dc = &d->devices[i];
    char *type = NULL, *name = NULL;
    char dsc[80];
    dc->struct_size = sizeof *dc;
    dc->index = (uint32_t)i;
    dc->node = e;
    dc->base = VMRUN_DEVICE_NO_BASE;
    if (e->type != VMRUN_CFG_MAP)
      return fail(e, "expected a mapping with type:, got %s",
                  describe(e, dsc, sizeof dsc));
    if ((rc = vmrun__cfg_check_keys(e, device_keys)))
      return rc;
    rc = str_field(e, "type", 1, 1, NULL, &type);
    dc->type = type;
    if (rc)
      return rc;
    rc = str_field(e, "name", 0, 1, NULL, &name);
    dc->name = name;
    if (rc)
      return rc;
    if (!name && !(dc->name = xasprintf("%s%zu", type, i)))
      return -VMRUN_ENOMEM;
    if ((rc = addr_field(e, "base", 0, &dc->base)) ||
        (rc = num_field(e, "size", NUM_SIZE, 0, 0, &dc->size)))
      return rc;
    if (dc->base != VMRUN_DEVICE_NO_BASE &&
        (rc = check_end(e, dc->base, dc->size)))
      return rc;
    if ((rc = build_irqs(e, dc)) ||
        (rc = coll_field(e, "options", VMRUN_CFG_MAP, &dc->options)))
      return rc;
    for (size_t j = 0; j < i; j++)
      if (strcmp(d->devices[j].name, dc->name) == 0) {
        vmrun_cfg *at = vmrun__cfg_get(e, "name");
        return fail(at ? at : e, "duplicate device name '%s' (also %s)",
                    dc->name, d->devices[j].node->path);
      }
  }
  return 0;
}

static int build_scripts(vmrun_cfg *list, vmrun_machine_desc *d)
{
  int rc;
  d->scripts = xcalloc(list->n, sizeof *d->scripts);
  if (!d->scripts)
    return -VMRUN_ENOMEM;
  d->n_scripts = list->n;
  for (size_t i = 0; i < list->n; i++) {
    vmrun_cfg *e = list->kids[i];
    vmrun_script_desc *sd = &d->scripts[i];
    char dsc[80];
    sd->node = e;
    if (e->type == VMRUN_CFG_SCALAR && !is_null(e)) {
      if (!e->scalar[0])
        return fail(e, "must not be empty");
      if (!(sd->path = xstrdup(e->scalar)))
        return -VMRUN_ENOMEM;
      continue;
    }
    if (e->type != VMRUN_CFG_MAP)
      return fail(e, "expected a script path or a mapping with path:, got %s",
                  describe(e, dsc, sizeof dsc));
    if ((rc = vmrun__cfg_check_keys(e, script_keys)) ||
        (rc = str_field(e, "path", 1, 1, NULL, &sd->path)) ||
        (rc = coll_field(e, "args", VMRUN_CFG_MAP, &sd->args)))
      return rc;
  }
  return 0;
}

static int build(vmrun_cfg *root, vmrun_machine_desc *d)
{
  vmrun_cfg *v, *list;
  char dsc[80];
  int rc;

  if (root->type != VMRUN_CFG_MAP)
    return fail(root, "expected a mapping with version: and machine:, got %s",
                describe(root, dsc, sizeof dsc));
  if (!(d->file = xstrdup(root->file)))
    return -VMRUN_ENOMEM;

  /* version first: a newer file may well have keys we do not know */
  v = vmrun__cfg_get(root, "version");
  if (!v)
    return missing(root, "version");
  if ((rc = get_num(v, NUM_INT, &d->version)))
    return rc;
  if (d->version > 1)
    return fail(v, "this machine description needs vmrun version %" PRIu64
                   " or newer; this vmrun reads version 1", d->version);
  if (d->version < 1)
    return fail(v, "unsupported version 0; this vmrun reads version 1");
  if ((rc = vmrun__cfg_check_keys(root, top_keys)))
    return rc;

  v = vmrun__cfg_get(root, "machine");
  if (!v)
    return missing(root, "machine");
  if (v->type != VMRUN_CFG_MAP)
    return fail(v, "expected a mapping, got %s", describe(v, dsc, sizeof dsc));
  d->machine_node = v;
  if ((rc = build_machine(v, d)))
    return rc;

  if ((rc = coll_field(root, "memory", VMRUN_CFG_SEQ, &list)) ||
      (list && (rc = build_memory(list, d))) ||
      (rc = coll_field(root, "devices", VMRUN_CFG_SEQ, &list)) ||
      (list && (rc = build_devices(list, d))) ||
      (rc = coll_field(root, "scripts", VMRUN_CFG_SEQ, &list)) ||
      (list && (rc = build_scripts(list, d))))
    return rc;

  /* Overlaps among main RAM (when placed), memory: and devices with a
  ** base and a size. */
  struct region *r = xcalloc(1 + d->n_memory + d->n_devices, sizeof *r);
  size_t n = 0;
  if (!r)
    return -VMRUN_ENOMEM;
  if (d->ram_base != VMRUN_DESC_UNSET)
    r[n++] = (struct region){ "ram", "machine.ram", d->ram_base, d->ram_size,
                              vmrun__cfg_get(d->machine_node, "ram") };
  for (size_t i = 0; i < d->n_memory; i++) {
    const vmrun_memory_desc *md = &d->memory[i];
    r[n++] = (struct region){ md->name, md->node->path, md->base, md->size,
                              md->node };
  }
  for (size_t i = 0; i < d->n_devices; i++) {
    const vmrun_device_config *dc = &d->devices[i];
    if (dc->base != VMRUN_DEVICE_NO_BASE && dc->size)
      r[n++] = (struct region){ dc->name, dc->node->path, dc->base, dc->size,
                                dc->node };
  }
  rc = check_overlaps(r, n);
  free(r);
  return rc;
}

int vmrun__desc_scripts(vmrun_cfg *root, vmrun_machine_desc *d)
{
  vmrun_cfg *list;
  int rc = coll_field(root, "scripts", VMRUN_CFG_SEQ, &list);
  if (rc || !list) return rc;
  return build_scripts(list, d);
}

int vmrun__desc_build(vmrun_cfg *root, vmrun_machine_desc *desc)
{
  if (!desc) {
    vmrun__cfg_free(root);
    return -VMRUN_EINVAL;
  }
  memset(desc, 0, sizeof *desc);
  if (!root)
    return -VMRUN_EINVAL;   /* the loader already said why */
  desc->root = root;
  desc->ram_base = VMRUN_DESC_UNSET;
  desc->kernel_addr = VMRUN_DESC_UNSET;
  int rc = build(root, desc);
  if (rc)
    vmrun__desc_free(desc); /* leaves *desc zeroed: freeing again is fine */
  return rc;
}

void vmrun__desc_free(vmrun_machine_desc *d)
{
  if (!d)
    return;
  for (size_t i = 0; d->memory && i < d->n_memory; i++) {
    free(d->memory[i].name);
    free(d->memory[i].type);
    free(d->memory[i].file);
  }
  for (size_t i = 0; d->devices && i < d->n_devices; i++) {
    free((char *)d->devices[i].type);
    free((char *)d->devices[i].name);
  }
  for (size_t i = 0; d->scripts && i < d->n_scripts; i++)
    free(d->scripts[i].path);
  for (size_t i = 0; d->symbols && i < d->n_symbols; i++)
    free(d->symbols[i]);
  free(d->symbols);
  free(d->symbols_nodes);
  free(d->memory);
  free(d->devices);
  free(d->scripts);
  free(d->file);
  free(d->arch);
  free(d->firmware);
  free(d->kernel);
  free(d->initrd);
  free(d->cmdline);
  free(d->cmdline_batch);
  free(d->engine);
  free(d->mmu);
  free(d->frontend);
  free(d->accel);
  free(d->clock);
  vmrun__cfg_free(d->root);
  memset(d, 0, sizeof *d);
}

/* ---- paths ---- */

/* Expand "~/" at the start and ${NAME} / ${NAME:-default} anywhere (the
** default is expanded too), so machine files can name per-user caches:
** ${XDG_CACHE_HOME:-${HOME}/.cache}/vmrun/...  Returns a malloc'ed string,
** or NULL (out of memory, or an unterminated ${, reported). */
static char *expand(const char *in, int depth)
{
  size_t cap = strlen(in) + 256, n = 0;
  char *out = malloc(cap);
  const char *p = in;
  if (!out) return NULL;
#define PUT(str, len) do { size_t l_ = (len);                                \
    if (n + l_ + 1 > cap) { char *o_; cap = (n + l_ + 1) * 2;                \
      if (!(o_ = realloc(out, cap))) { free(out); return NULL; } out = o_; } \
    memcpy(out + n, (str), l_); n += l_; } while (0)
  if (p[0] == '~' && p[1] == '/') {
    const char *home = getenv("HOME");
    PUT(home ? home : "", home ? strlen(home) : 0);
    p++;
  }
  while (*p) {
    if (p[0] == '$' && p[1] == '{' && depth < 4) {
      const char *q = p + 2, *colon = NULL, *val;
      int level = 1;
      for (; *q && level; q++) {
        if (q[0] == '$' && q[1] == '{') { level++; q++; }
        else if (*q == '}') level--;
        else if (!colon && level == 1 && q[0] == ':' && q[1] == '-') colon = q;
      }
      if (level) {
        vmrun__diag("vmrun: unterminated ${ in path '%s'", in);
        free(out);
        return NULL;
      }
      {
        size_t namelen = (size_t)((colon ? colon : q - 1) - (p + 2));
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)namelen, p + 2);
        val = getenv(name);
        if (val && *val) {
          PUT(val, strlen(val));
        } else if (colon) {
          char *def = strndup(colon + 2, (size_t)(q - 1 - (colon + 2)));
          char *x = def ? expand(def, depth + 1) : NULL;
          free(def);
          if (!x) { free(out); return NULL; }
          PUT(x, strlen(x));
          free(x);
        }
      }
      p = q;
    } else {
      PUT(p, 1);
      p++;
    }
  }
#undef PUT
  out[n] = 0;
  return out;
}

/* Paths in a machine file are relative to that file's directory; paths
** given with --set are relative to the current directory. */
int vmrun__cfg_resolve_path(char **path, vmrun_cfg *node)
{
  const char *slash;
  char *joined;
  size_t dirlen;
  if (*path && (strchr(*path, '$') || (*path)[0] == '~')) {
    char *x = expand(*path, 0);
    if (!x) return -VMRUN_EINVAL;
    free(*path);
    *path = x;
  }
  if (!*path || (*path)[0] == '/' || !node || !node->file ||
      strcmp(node->file, "--set") == 0)
    return 0;
  slash = strrchr(node->file, '/');
  if (!slash) return 0;
  dirlen = (size_t)(slash - node->file);
  joined = malloc(dirlen + strlen(*path) + 2);
  if (!joined) return -VMRUN_ENOMEM;
  sprintf(joined, "%.*s/%s", (int)dirlen, node->file, *path);
  free(*path);
  *path = joined;
  return 0;
}

int vmrun__cfg_path(vmrun_cfg *node, const char *key, const char *def,
                    const char **out)
{
  vmrun_cfg *v;
  const char *s;
  char *p;
  int rc = vmrun__cfg_str(node, key, def, &s);
  if (rc < 0) return rc;
  *out = s;
  v = key ? vmrun__cfg_get(node, key) : node;
  if (!s || !v || v->type != VMRUN_CFG_SCALAR) return 0;   /* default */
  if (!(p = strdup(s))) return -VMRUN_ENOMEM;
  if ((rc = vmrun__cfg_resolve_path(&p, v)) < 0) { free(p); return rc; }
  free(v->scalar);                 /* the node keeps the resolved path */
  v->scalar = p;
  *out = p;
  return 0;
}
