/*
** core/symbols.c - guest symbol tables (core/symbols.h).
**
** ELF: System V gABI, "Sections" and "Symbol Table" (ELF-64 Object File
** Format 1.5): the section header table gives SHT_SYMTAB/SHT_DYNSYM and
** their sh_link string table.  Every offset and count read from the file
** is checked against the buffer before use; a malformed table is refused
** whole.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"

typedef struct sym {
  uint64_t addr;
  uint64_t size;     /* ELF st_size; 0 = unknown (labels, System.map) */
  char *name;
  int rank;          /* lower is preferred among equal addresses */
} sym;

struct vmrun_symtab {
  sym *s; size_t n, cap;
  sym **by_name;     /* sorted lazily */
  int sorted;
};

vmrun_symtab *vmrun__symtab_new(void)
{
  return calloc(1, sizeof(vmrun_symtab));
}

void vmrun__symtab_free(vmrun_symtab *t)
{
  if (!t) return;
  for (size_t i = 0; i < t->n; i++) free(t->s[i].name);
  free(t->s);
  free(t->by_name);
  free(t);
}

size_t vmrun__symtab_count(const vmrun_symtab *t) { return t ? t->n : 0; }

void vmrun__symtab_rebase(vmrun_symtab *t, size_t from, uint64_t bias)
{
  if (!t || !bias) return;
  for (size_t i = from; i < t->n; i++) t->s[i].addr += bias;
  t->sorted = 0;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
  va_list ap;
  if (!err || !errlen) return;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

static int push(vmrun_symtab *t, uint64_t addr, uint64_t size,
                const char *name, size_t len, int rank)
{
  char *c;
  if (t->n == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 256;
    sym *ns = realloc(t->s, nc * sizeof *ns);
    if (!ns) return -1;
    t->s = ns;
    t->cap = nc;
  }
  if (!(c = malloc(len + 1))) return -1;
  memcpy(c, name, len);
  c[len] = 0;
  t->s[t->n++] = (sym){ addr, size, c, rank };
  t->sorted = 0;
  return 0;
}

int vmrun__symtab_add_end(vmrun_symtab *t, uint64_t addr)
{
  /* an unnamed entry, ranked after real symbols at the same address */
  return push(t, addr, 0, "", 0, INT32_MAX);
}

/* ---- ELF ---- */

typedef struct elf {
  const uint8_t *b; size_t len;
  int is64, be;
} elf;

static uint64_t rd(const elf *e, size_t off, unsigned size)
{
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) {
    unsigned sh = e->be ? 8 * (size - 1 - i) : 8 * i;
    v |= (uint64_t)e->b[off + i] << sh;
  }
  return v;
}

/* [off, off+size) inside the buffer, without overflow */
static int in(const elf *e, uint64_t off, uint64_t size)
{
  return off <= e->len && size <= e->len - off;
}

static int skip_name(const char *n, size_t len)
{
  if (!len) return 1;
  if (n[0] == '$') return 1;                       /* mapping symbols */
  if (len >= 2 && n[0] == '.' && n[1] == 'L') return 1;
  return 0;
}

int vmrun__symtab_add_elf(vmrun_symtab *t, const uint8_t *buf, size_t len,
                          char *err, size_t errlen)
{
  elf e = { buf, len, 0, 0 };
  uint64_t shoff, shentsize, shnum, symsh = 0;
  int found = 0, added = 0;
  size_t n0 = t->n;
  if (len < 16 || memcmp(buf, "\177ELF", 4) != 0) {
    seterr(err, errlen, "not an ELF file");
    return -1;
  }
  if ((buf[4] != 1 && buf[4] != 2) || (buf[5] != 1 && buf[5] != 2)) {
    seterr(err, errlen, "unknown ELF class %u or data encoding %u", buf[4],
           buf[5]);
    return -1;
  }
  e.is64 = buf[4] == 2;
  e.be = buf[5] == 2;
  if (!in(&e, 0, e.is64 ? 64 : 52)) {
    seterr(err, errlen, "truncated ELF header");
    return -1;
  }
  shoff = e.is64 ? rd(&e, 0x28, 8) : rd(&e, 0x20, 4);
  shentsize = rd(&e, e.is64 ? 0x3a : 0x2e, 2);
  shnum = rd(&e, e.is64 ? 0x3c : 0x30, 2);
  if (shoff == 0 || shnum == 0) return 0;         /* stripped: no sections */
  if (shentsize < (e.is64 ? 64u : 40u) || !in(&e, shoff, shnum * shentsize)) {
    seterr(err, errlen, "corrupt section header table (offset 0x%llx, %llu "
           "entries of %llu bytes)", (unsigned long long)shoff,
           (unsigned long long)shnum, (unsigned long long)shentsize);
    return -1;
  }
  /* .symtab (type 2) preferred, else .dynsym (type 11) */
  for (int want = 2; want && !found; want = want == 2 ? 11 : 0)
    for (uint64_t i = 0; i < shnum; i++)
      if (rd(&e, shoff + i * shentsize + 4, 4) == (uint64_t)want) {
        symsh = i;
        found = 1;
        break;
      }
  if (!found) return 0;
  {
    uint64_t h = shoff + symsh * shentsize;
    uint64_t off = e.is64 ? rd(&e, h + 0x18, 8) : rd(&e, h + 0x10, 4);
    uint64_t size = e.is64 ? rd(&e, h + 0x20, 8) : rd(&e, h + 0x14, 4);
    uint64_t link = rd(&e, h + (e.is64 ? 0x28 : 0x18), 4);
    uint64_t ent = e.is64 ? rd(&e, h + 0x38, 8) : rd(&e, h + 0x24, 4);
    uint64_t stroff, strsize, sh2;
    if (ent < (e.is64 ? 24u : 16u) || !in(&e, off, size) || link >= shnum) {
      seterr(err, errlen, "corrupt symbol table section (offset 0x%llx, "
             "size 0x%llx, entry size %llu, string section %llu)",
             (unsigned long long)off, (unsigned long long)size,
             (unsigned long long)ent, (unsigned long long)link);
      return -1;
    }
    sh2 = shoff + link * shentsize;
    stroff = e.is64 ? rd(&e, sh2 + 0x18, 8) : rd(&e, sh2 + 0x10, 4);
    strsize = e.is64 ? rd(&e, sh2 + 0x20, 8) : rd(&e, sh2 + 0x14, 4);
    if (!in(&e, stroff, strsize)) {
      seterr(err, errlen, "corrupt string table (offset 0x%llx, size 0x%llx)",
             (unsigned long long)stroff, (unsigned long long)strsize);
      return -1;
    }
    for (uint64_t k = 1; k < size / ent; k++) {   /* entry 0 is null */
      uint64_t s = off + k * ent;
      uint64_t name, value, shndx, ssize;
      unsigned info, type, bind;
      const char *nm;
      size_t nlen;
      if (e.is64) {
        name = rd(&e, s, 4); info = buf[s + 4];
        shndx = rd(&e, s + 6, 2); value = rd(&e, s + 8, 8);
        ssize = rd(&e, s + 16, 8);
      } else {
        name = rd(&e, s, 4); value = rd(&e, s + 4, 4);
        ssize = rd(&e, s + 8, 4);
        info = buf[s + 12]; shndx = rd(&e, s + 14, 2);
      }
      type = info & 15;
      bind = info >> 4;
      if (shndx == 0 || shndx == 0xfff1) continue;  /* UNDEF, ABS */
      if (type > 2) continue;          /* NOTYPE, OBJECT, FUNC only */
      if (name >= strsize) continue;
      nm = (const char *)buf + stroff + name;
      {
        const char *z = memchr(nm, 0, strsize - name);
        if (!z) continue;              /* unterminated name */
        nlen = (size_t)(z - nm);
      }
      if (skip_name(nm, nlen)) continue;
      if (push(t, value, ssize, nm, nlen,
               (type == 2 ? 0 : type == 1 ? 2 : 4) + (bind == 0)) < 0) {
        while (t->n > n0) free(t->s[--t->n].name);
        seterr(err, errlen, "out of memory");
        return -1;
      }
      added++;
    }
  }
  return added;
}

/* ---- System.map ---- */

int vmrun__symtab_add_sysmap(vmrun_symtab *t, const char *text, size_t len,
                             char *err, size_t errlen)
{
  size_t pos = 0, line = 0, n0 = t->n;
  int added = 0;
  while (pos < len) {
    const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
    size_t ll = nl ? (size_t)(nl - l) : len - pos;
    size_t i = 0, a0, ae, n0n;
    uint64_t addr = 0;
    char type;
    line++;
    pos += ll + (nl ? 1 : 0);
    if (ll && l[ll - 1] == '\r') ll--;
    while (i < ll && (l[i] == ' ' || l[i] == '\t')) i++;
    if (i == ll) continue;                       /* blank line */
    a0 = i;
    while (i < ll && l[i] != ' ' && l[i] != '\t') {
      char c = l[i];
      int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0 || i - a0 >= 16) goto bad;
      addr = addr << 4 | (uint64_t)d;
      i++;
    }
    ae = i;
    while (i < ll && (l[i] == ' ' || l[i] == '\t')) i++;
    if (ae == a0 || i == ae || i >= ll) goto bad;
    type = l[i++];
    if (i >= ll || (l[i] != ' ' && l[i] != '\t')) goto bad;
    while (i < ll && (l[i] == ' ' || l[i] == '\t')) i++;
    n0n = i;
    while (i < ll && l[i] != ' ' && l[i] != '\t') i++;
    if (i == n0n) goto bad;
    if (strchr("aAUwvN", type)) continue;
    if (skip_name(l + n0n, i - n0n)) continue;
    if (push(t, addr, 0, l + n0n, i - n0n,
             type == 'T' ? 0 : type == 't' ? 1 : type == 'W' ? 2 : 3) < 0) {
      seterr(err, errlen, "out of memory");
      goto undo;
    }
    added++;
    continue;
bad:
    seterr(err, errlen, "line %zu: expected 'ADDRESS TYPE NAME' (System.map "
           "or nm output)", line);
    goto undo;
  }
  return added;
undo:
  while (t->n > n0) free(t->s[--t->n].name);
  return -1;
}

int vmrun__symtab_add_file(vmrun_symtab *t, const char *path, int elf_only,
                           char *err, size_t errlen)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0, n;
  int rc;
  if (!f) {
    int e = errno;
    seterr(err, errlen, "%s", strerror(e));
    errno = e;
    return -1;
  }
  if (elf_only) {                /* e.g. a 30 MB Linux Image: peek first */
    unsigned char mag[4];
    size_t got = fread(mag, 1, sizeof mag, f);
    if (got < 4 || memcmp(mag, "\177ELF", 4) != 0) {
      fclose(f);
      errno = 0;
      return 0;
    }
    rewind(f);
  }
  do {
    if (len == cap) {
      uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 16);
      if (!nb) { free(buf); fclose(f); seterr(err, errlen, "out of memory");
                 return -1; }
      buf = nb;
    }
    n = fread(buf + len, 1, cap - len, f);
    len += n;
  } while (n > 0);
  if (ferror(f)) {
    seterr(err, errlen, "%s", strerror(errno));
    fclose(f); free(buf);
    errno = 0;
    return -1;
  }
  fclose(f);
  errno = 0;
  if (len >= 4 && memcmp(buf, "\177ELF", 4) == 0)
    rc = vmrun__symtab_add_elf(t, buf, len, err, errlen);
  else if (elf_only)
    rc = 0;
  else
    rc = vmrun__symtab_add_sysmap(t, (const char *)buf, len, err, errlen);
  free(buf);
  return rc;
}

/* ---- queries ---- */

static int cmp_addr(const void *a, const void *b)
{
  const sym *x = a, *y = b;
  if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
  if (x->rank != y->rank) return x->rank - y->rank;
  return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
  const sym *x = *(sym *const *)a, *y = *(sym *const *)b;
  int c = strcmp(x->name, y->name);
  if (c) return c;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int sort(vmrun_symtab *t)
{
  sym **bn;
  if (t->sorted) return 0;
  if (t->n) qsort(t->s, t->n, sizeof *t->s, cmp_addr);
  bn = realloc(t->by_name, (t->n ? t->n : 1) * sizeof *bn);
  if (!bn) return -1;
  t->by_name = bn;
  for (size_t i = 0; i < t->n; i++) bn[i] = &t->s[i];
  if (t->n) qsort(bn, t->n, sizeof *bn, cmp_name);
  t->sorted = 1;
  return 0;
}

const char *vmrun__symtab_find(vmrun_symtab *t, uint64_t addr, uint64_t *off)
{
  size_t lo = 0, hi;
  if (!t || sort(t) < 0 || !t->n || t->s[0].addr > addr) return NULL;
  hi = t->n;                /* invariant: s[lo].addr <= addr < s[hi].addr */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->s[mid].addr <= addr) lo = mid; else hi = mid;
  }
  while (lo > 0 && t->s[lo - 1].addr == t->s[lo].addr) lo--; /* best rank */
  /* a sized symbol (a C function or object) does not cover what follows
  ** its end: that is padding, or code without symbols (another image) */
  if (t->s[lo].size && addr - t->s[lo].addr >= t->s[lo].size) return NULL;
  if (!t->s[lo].name[0]) return NULL;              /* an image's end */
  if (off) *off = addr - t->s[lo].addr;
  return t->s[lo].name;
}

int vmrun__symtab_lookup(vmrun_symtab *t, const char *name, uint64_t *addr)
{
  size_t lo = 0, hi;
  if (!t || !*name || sort(t) < 0) return -1;
  hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(t->by_name[mid]->name, name) < 0) lo = mid + 1; else hi = mid;
  }
  if (lo >= t->n || strcmp(t->by_name[lo]->name, name) != 0) return -1;
  *addr = t->by_name[lo]->addr;
  return 0;
}
