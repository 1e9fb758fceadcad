/*
** tests/unit/test_config.c - machine description: YAML tree, accessors,
** --set, schema validation (core/config.c).
**
** Every diagnostic is captured through vmrun__set_diag_sink and compared
** with the exact expected line, file:line:col included.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <vmrun/error.h>

#include "config.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif
#define FIX(f) TEST_DATA_DIR "/yaml/" f

/* Test hook of core/config.c: the Nth allocation from now fails. */


/* ---- diagnostic capture ---- */

#define MAX_DIAG 16
static char diag[MAX_DIAG][2048];
static int n_diag;

static void capture(const char *line, void *ud)
{
  (void)ud;
  if (n_diag < MAX_DIAG)
    snprintf(diag[n_diag], sizeof diag[n_diag], "%s", line);
  n_diag++;
}

static void setup(void)
{
  n_diag = 0;
  vmrun__set_diag_sink(capture, NULL);
}

static void teardown(void)
{
  vmrun__set_diag_sink(NULL, NULL);
}

TestSuite(parse, .init = setup, .fini = teardown);
TestSuite(load, .init = setup, .fini = teardown);
TestSuite(access, .init = setup, .fini = teardown);
TestSuite(set, .init = setup, .fini = teardown);
TestSuite(desc, .init = setup, .fini = teardown);
TestSuite(errors, .init = setup, .fini = teardown);
TestSuite(memory, .init = setup, .fini = teardown);

/* Exactly one diagnostic, equal to `want`. */
static void expect_diag(const char *want)
{
  cr_assert_eq(n_diag, 1, "expected 1 diagnostic, got %d (first: '%s')",
               n_diag, n_diag ? diag[0] : "");
  cr_assert_str_eq(diag[0], want);
}

static void expect_no_diag(void)
{
  cr_assert_eq(n_diag, 0, "unexpected diagnostic: '%s'", diag[0]);
}

/* Load and build; expect success. */
static void build_ok(vmrun_cfg *root, vmrun_machine_desc *d)
{
  cr_assert_not_null(root, "load failed: %s", n_diag ? diag[0] : "");
  int rc = vmrun__desc_build(root, d);
  cr_assert_eq(rc, 0, "build failed (%d): %s", rc, n_diag ? diag[0] : "");
  expect_no_diag();
}

/* The file must fail to load or to build with exactly `want`. */
static void file_error(const char *path, const char *want)
{
  vmrun_machine_desc d;
  vmrun_cfg *root = vmrun__cfg_load_file(path);
  if (root) {
    cr_assert_eq(vmrun__desc_build(root, &d), -VMRUN_EINVAL);
    /* a failed build leaves the descriptor zeroed (and freeing it is ok) */
    cr_assert_null(d.root);
    cr_assert_null(d.arch);
    vmrun__desc_free(&d);
  }
  expect_diag(want);
}

static void string_error(const char *text, const char *want)
{
  vmrun_machine_desc d;
  vmrun_cfg *root = vmrun__cfg_load_string(text, "m.yaml");
  if (root)
    cr_assert_eq(vmrun__desc_build(root, &d), -VMRUN_EINVAL);
  expect_diag(want);
}

/* ================================================================== */
/* vmrun__parse_u64 */

static uint64_t num(const char *s)
{
  uint64_t v = 12345;
  int rc = vmrun__parse_u64(s, &v);
  cr_assert_eq(rc, 0, "parse_u64(\"%s\") = %d", s, rc);
  return v;
}

static void num_err(const char *s, int want)
{
  uint64_t v = 12345;
  cr_assert_eq(vmrun__parse_u64(s, &v), want, "parse_u64(\"%s\")", s);
  cr_assert_eq(v, 12345, "output written on error");
}

Test(parse, decimal_and_prefixes)
{
  cr_assert_eq(num("0"), 0);
  cr_assert_eq(num("42"), 42);
  cr_assert_eq(num("010"), 10); /* decimal, not octal */
  cr_assert_eq(num("0x1F"), 0x1f);
  cr_assert_eq(num("0XfF"), 0xff);
  cr_assert_eq(num("0b1011"), 11);
  cr_assert_eq(num("0B1"), 1);
  cr_assert_eq(num("0o17"), 15);
  cr_assert_eq(num("0O7"), 7);
  cr_assert_eq(num("18446744073709551615"), UINT64_MAX);
  cr_assert_eq(num("0xffffffffffffffff"), UINT64_MAX);
}

Test(parse, underscores)
{
  cr_assert_eq(num("0x8000_0000"), 0x80000000u);
  cr_assert_eq(num("1_000_000"), 1000000);
  cr_assert_eq(num("0b1010_1010"), 0xaa);
  num_err("_1", -VMRUN_EINVAL);
  num_err("1_", -VMRUN_EINVAL);
  num_err("1__0", -VMRUN_EINVAL);
  num_err("0x_10", -VMRUN_EINVAL);
}

Test(parse, suffixes)
{
  cr_assert_eq(num("1K"), 1024);
  cr_assert_eq(num("1k"), 1024);
  cr_assert_eq(num("512M"), 512ull << 20);
  cr_assert_eq(num("512m"), 512ull << 20);
  cr_assert_eq(num("2G"), 2ull << 30);
  cr_assert_eq(num("2g"), 2ull << 30);
  cr_assert_eq(num("3T"), 3ull << 40);
  cr_assert_eq(num("64KiB"), 64ull << 10);
  cr_assert_eq(num("128MiB"), 128ull << 20);
  cr_assert_eq(num("1GiB"), 1ull << 30);
  cr_assert_eq(num("1TiB"), 1ull << 40);
  cr_assert_eq(num("0x10K"), 0x4000);
  cr_assert_eq(num("0b1M"), 1ull << 20);
  cr_assert_eq(num("16777215T"), 16777215ull << 40);
  num_err("1KB", -VMRUN_EINVAL);
  num_err("1Ki", -VMRUN_EINVAL);
  num_err("1kiB", -VMRUN_EINVAL);
  num_err("1P", -VMRUN_EINVAL);
  num_err("1 K", -VMRUN_EINVAL);
  num_err("1MM", -VMRUN_EINVAL);
}

Test(parse, garbage)
{
  const char *bad[] = { "", "lots", "0x", "0b", "0o", "0b2", "0o8", "12a",
                        "-1", "+1", " 1", "1 ", "K", "0xg", "1.5M", "1e3" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    num_err(bad[i], -VMRUN_EINVAL);
  uint64_t v;
  cr_assert_eq(vmrun__parse_u64(NULL, &v), -VMRUN_EINVAL);
  cr_assert_eq(vmrun__parse_u64("1", NULL), -VMRUN_EINVAL);
}

Test(parse, overflow)
{
  num_err("18446744073709551616", -VMRUN_ERANGE);
  num_err("0x1_0000_0000_0000_0000", -VMRUN_ERANGE);
  num_err("99999999999999999999999", -VMRUN_ERANGE);
  num_err("16777216T", -VMRUN_ERANGE);
  num_err("17179869184G", -VMRUN_ERANGE);
  num_err("0xffffffffffffffffK", -VMRUN_ERANGE);
  /* garbage wins over overflow */
  num_err("99999999999999999999999x", -VMRUN_EINVAL);
}

/* ================================================================== */
/* Loading: tree shape, positions, paths */

Test(load, tree_positions_and_paths)
{
  vmrun_cfg *r = vmrun__cfg_load_file(FIX("ok-full.yaml"));
  cr_assert_not_null(r);
  expect_no_diag();
  cr_assert_eq(r->type, VMRUN_CFG_MAP);
  cr_assert_str_eq(r->path, "");
  cr_assert_str_eq(r->file, FIX("ok-full.yaml"));
  cr_assert_eq(r->n, 5);
  cr_assert_str_eq(r->keys[0], "version");
  cr_assert_eq(r->key_line[0], 2);
  cr_assert_eq(r->key_col[0], 1);

  vmrun_cfg *m = vmrun__cfg_get(r, "machine");
  cr_assert_not_null(m);
  cr_assert_eq(m->parent, r);
  cr_assert_str_eq(m->path, "machine");
  cr_assert_eq(m->line, 4); /* block mapping starts at its first key */
  cr_assert_eq(m->col, 3);

  vmrun_cfg *ram = vmrun__cfg_get(m, "ram");
  cr_assert_str_eq(ram->scalar, "0x8000_0000");
  cr_assert_str_eq(ram->path, "machine.ram");
  cr_assert_eq(ram->line, 6);
  cr_assert_eq(ram->col, 8);
  cr_assert_eq(ram->quoted, 0);
  cr_assert_eq(ram->file, r->file, "file name is shared");
  cr_assert(vmrun__cfg_get(m, "kernel")->quoted);

  vmrun_cfg *devs = vmrun__cfg_get(r, "devices");
  cr_assert_eq(devs->type, VMRUN_CFG_SEQ);
  cr_assert_eq(devs->n, 3);
  vmrun_cfg *file = vmrun__cfg_get(vmrun__cfg_get(devs->kids[1], "options"),
                                   "file");
  cr_assert_str_eq(file->path, "devices[1].options.file");
  cr_assert_str_eq(file->scalar, "disk.img");
  cr_assert_eq(file->line, 44);
  cr_assert_eq(file->col, 22);
  vmrun_cfg *irq = vmrun__cfg_get(devs->kids[1], "irq");
  cr_assert_str_eq(irq->kids[2]->path, "devices[1].irq[2]");
  cr_assert_eq(irq->kids[2]->line, 43);
  cr_assert_eq(irq->kids[2]->col, 17);
  vmrun__cfg_free(r);
}

Test(load, from_string_default_name)
{
  vmrun_cfg *r = vmrun__cfg_load_string("a: 1\n", NULL);
  cr_assert_not_null(r);
  cr_assert_str_eq(r->file, "<string>");
  vmrun__cfg_free(r);
  vmrun__cfg_free(NULL);
}

Test(load, nonexistent_file)
{
  char want[512];
  snprintf(want, sizeof want, "%s: %s", FIX("no-such-file.yaml"),
           strerror(ENOENT));
  cr_assert_null(vmrun__cfg_load_file(FIX("no-such-file.yaml")));
  expect_diag(want);
}

Test(load, directory)
{
  char want[512];
  snprintf(want, sizeof want, "%s: %s", TEST_DATA_DIR, strerror(EISDIR));
  cr_assert_null(vmrun__cfg_load_file(TEST_DATA_DIR));
  expect_diag(want);
}

Test(load, empty_file)
{
  file_error(FIX("err-empty.yaml"),
             FIX("err-empty.yaml") ": empty machine description");
}

Test(load, comments_only)
{
  file_error(FIX("err-comments-only.yaml"),
             FIX("err-comments-only.yaml") ": empty machine description");
}

Test(load, null_document)
{
  string_error("---\n", "m.yaml: empty machine description");
  n_diag = 0;
  string_error("~\n", "m.yaml: empty machine description");
  n_diag = 0;
  string_error("", "m.yaml: empty machine description");
}

Test(load, syntax_error)
{
  file_error(FIX("err-syntax.yaml"),
             FIX("err-syntax.yaml")
             ":4:7: mapping values are not allowed in this context");
}

Test(load, syntax_error_with_context)
{
  string_error("version: 1\nmachine: [a\n",
               "m.yaml:3:1: did not find expected ',' or ']' "
               "(while parsing a flow sequence at 2:10)");
}

Test(load, tab_indentation)
{
  string_error("a:\n\tb: 1\n",
               "m.yaml:2:1: found character that cannot start any token "
               "(while scanning for the next token at 2:1)");
}

Test(load, invalid_utf8)
{
  string_error("a: 1\nb: \xff\n", "m.yaml:2:4: invalid leading UTF-8 octet");
}

Test(load, duplicate_key)
{
  file_error(FIX("err-dup-key.yaml"),
             FIX("err-dup-key.yaml")
             ":6:3: machine.ram: duplicate key (first defined at 4:3)");
}

Test(load, duplicate_key_flow)
{
  string_error("a: 1\nb: {c: d, c: e}\n",
               "m.yaml:2:11: b.c: duplicate key (first defined at 2:5)");
}

Test(load, anchor_rejected)
{
  file_error(FIX("err-anchor.yaml"),
             FIX("err-anchor.yaml")
             ":4:8: machine.ram: anchors (&size) are not supported");
}

Test(load, alias_rejected)
{
  file_error(FIX("err-alias.yaml"),
             FIX("err-alias.yaml") ":4:8: machine.ram: aliases (*size) are "
             "not supported; write the value out");
}

Test(load, anchor_on_collection)
{
  string_error("- a\n- b:\n    - &x [c]\n",
               "m.yaml:3:7: [1].b[0]: anchors (&x) are not supported");
}

Test(load, multiple_documents)
{
  file_error(FIX("err-multidoc.yaml"),
             FIX("err-multidoc.yaml")
             ":3:1: only one YAML document is allowed; found a second one");
}

Test(load, complex_key)
{
  file_error(FIX("err-complex-key.yaml"),
             FIX("err-complex-key.yaml")
             ":4:5: machine: mapping keys must be plain scalars");
}

Test(load, nul_in_scalar)
{
  string_error("a: \"x\\0y\"\n", "m.yaml:1:4: a: NUL characters are not "
               "allowed");
}

Test(load, nesting_limit)
{
  char text[141];
  memset(text, '[', 70);
  memset(text + 70, ']', 70);
  text[140] = '\0';
  vmrun_cfg *r = vmrun__cfg_load_string(text, "m.yaml");
  cr_assert_null(r);
  cr_assert_eq(n_diag, 1);
  cr_assert(strstr(diag[0], ": nested too deeply"), "%s", diag[0]);
}

/* ================================================================== */
/* Accessors */

static const char access_yaml[] =
  "opts:\n"                         /* 1 */
  "  n: 0x10\n"                     /* 2 */
  "  big: 99999999999999999999\n"   /* 3 */
  "  flag: Yes\n"                   /* 4 */
  "  off: OFF\n"                    /* 5 */
  "  bad: maybe\n"                  /* 6 */
  "  s: hello\n"                    /* 7 */
  "  m: {a: 1}\n"                   /* 8 */
  "  l: [1, 2]\n"                   /* 9 */
  "  empty:\n"                      /* 10 */
  "  q: \"\"\n"                     /* 11 */
  "  size: 4K\n"                    /* 12 */
  "  t: tRuE\n";                    /* 13 */

static vmrun_cfg *access_tree(vmrun_cfg **opts)
{
  vmrun_cfg *r = vmrun__cfg_load_string(access_yaml, "t.yaml");
  cr_assert_not_null(r);
  *opts = vmrun__cfg_get(r, "opts");
  cr_assert_not_null(*opts);
  return r;
}

Test(access, get)
{
  vmrun_cfg *o, *r = access_tree(&o);
  cr_assert_null(vmrun__cfg_get(NULL, "x"));
  cr_assert_null(vmrun__cfg_get(o, NULL));
  cr_assert_null(vmrun__cfg_get(o, "nope"));
  cr_assert_null(vmrun__cfg_get(vmrun__cfg_get(o, "s"), "x"));
  cr_assert_str_eq(vmrun__cfg_get(o, "s")->scalar, "hello");
  vmrun__cfg_free(r);
}

Test(access, u64)
{
  vmrun_cfg *o, *r = access_tree(&o);
  uint64_t v;
  cr_assert_eq(vmrun__cfg_u64(o, "n", 7, &v), 0);
  cr_assert_eq(v, 16);
  cr_assert_eq(vmrun__cfg_u64(o, "size", 7, &v), 0);
  cr_assert_eq(v, 4096);
  cr_assert_eq(vmrun__cfg_u64(o, "absent", 7, &v), 0);
  cr_assert_eq(v, 7);
  cr_assert_eq(vmrun__cfg_u64(o, "empty", 8, &v), 0); /* null = absent */
  cr_assert_eq(v, 8);
  cr_assert_eq(vmrun__cfg_u64(NULL, "n", 9, &v), 0);
  cr_assert_eq(v, 9);
  cr_assert_eq(vmrun__cfg_u64(vmrun__cfg_get(o, "n"), NULL, 0, &v), 0);
  cr_assert_eq(v, 16);
  expect_no_diag();
  cr_assert_eq(vmrun__cfg_u64(o, "n", 0, NULL), -VMRUN_EINVAL);
  vmrun__cfg_free(r);
}

Test(access, u64_errors)
{
  vmrun_cfg *o, *r = access_tree(&o);
  uint64_t v;
  cr_assert_eq(vmrun__cfg_u64(o, "m", 0, &v), -VMRUN_EINVAL);
  expect_diag("t.yaml:8:3: opts.m: expected a number like 42, 0x1000 or 512M, "
              "got a mapping");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_u64(o, "l", 0, &v), -VMRUN_EINVAL);
  expect_diag("t.yaml:9:3: opts.l: expected a number like 42, 0x1000 or 512M, "
              "got a list");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_u64(o, "s", 0, &v), -VMRUN_EINVAL);
  expect_diag("t.yaml:7:6: opts.s: expected a number like 42, 0x1000 or 512M, "
              "got 'hello'");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_u64(o, "big", 0, &v), -VMRUN_EINVAL);
  expect_diag("t.yaml:3:8: opts.big: '99999999999999999999' does not fit in "
              "64 bits");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_u64(o, "q", 0, &v), -VMRUN_EINVAL); /* "" quoted */
  expect_diag("t.yaml:11:6: opts.q: expected a number like 42, 0x1000 or "
              "512M, got ''");
  n_diag = 0;
  /* key lookup in a scalar */
  cr_assert_eq(vmrun__cfg_u64(vmrun__cfg_get(o, "s"), "x", 0, &v),
               -VMRUN_EINVAL);
  expect_diag("t.yaml:7:6: opts.s: expected a mapping, got 'hello'");
  vmrun__cfg_free(r);
}

Test(access, str)
{
  vmrun_cfg *o, *r = access_tree(&o);
  const char *s;
  cr_assert_eq(vmrun__cfg_str(o, "s", "d", &s), 0);
  cr_assert_str_eq(s, "hello");
  cr_assert_eq(vmrun__cfg_str(o, "n", "d", &s), 0);
  cr_assert_str_eq(s, "0x10");
  cr_assert_eq(vmrun__cfg_str(o, "absent", "d", &s), 0);
  cr_assert_str_eq(s, "d");
  cr_assert_eq(vmrun__cfg_str(o, "absent", NULL, &s), 0);
  cr_assert_null(s);
  cr_assert_eq(vmrun__cfg_str(o, "empty", "d", &s), 0);
  cr_assert_str_eq(s, "d");
  cr_assert_eq(vmrun__cfg_str(o, "q", "d", &s), 0);
  cr_assert_str_eq(s, "");
  expect_no_diag();
  cr_assert_eq(vmrun__cfg_str(o, "l", "d", &s), -VMRUN_EINVAL);
  expect_diag("t.yaml:9:3: opts.l: expected a string, got a list");
  vmrun__cfg_free(r);
}

Test(access, bool)
{
  vmrun_cfg *o, *r = access_tree(&o);
  int b;
  cr_assert_eq(vmrun__cfg_bool(o, "flag", 0, &b), 0);
  cr_assert_eq(b, 1);
  cr_assert_eq(vmrun__cfg_bool(o, "off", 1, &b), 0);
  cr_assert_eq(b, 0);
  cr_assert_eq(vmrun__cfg_bool(o, "t", 0, &b), 0);
  cr_assert_eq(b, 1);
  cr_assert_eq(vmrun__cfg_bool(o, "absent", 1, &b), 0);
  cr_assert_eq(b, 1);
  const char *words[] = { "true", "false", "YES", "no", "On", "oFF" };
  for (int i = 0; i < 6; i++) {
    char text[64];
    snprintf(text, sizeof text, "x: %s\n", words[i]);
    vmrun_cfg *t = vmrun__cfg_load_string(text, "b.yaml");
    cr_assert_eq(vmrun__cfg_bool(t, "x", -1, &b), 0);
    cr_assert_eq(b, i % 2 == 0, "%s", words[i]);
    vmrun__cfg_free(t);
  }
  expect_no_diag();
  cr_assert_eq(vmrun__cfg_bool(o, "bad", 0, &b), -VMRUN_EINVAL);
  expect_diag("t.yaml:6:8: opts.bad: expected a boolean (true/false, yes/no, "
              "on/off), got 'maybe'");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_bool(o, "n", 0, &b), -VMRUN_EINVAL);
  expect_diag("t.yaml:2:6: opts.n: expected a boolean (true/false, yes/no, "
              "on/off), got '0x10'");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_bool(o, "m", 0, &b), -VMRUN_EINVAL);
  expect_diag("t.yaml:8:3: opts.m: expected a boolean (true/false, yes/no, "
              "on/off), got a mapping");
  vmrun__cfg_free(r);
}

Test(access, check_keys)
{
  vmrun_cfg *o, *r = access_tree(&o);
  static const char *const all[] = { "n", "big", "flag", "off", "bad", "s",
                                     "m", "l", "empty", "q", "size", "t",
                                     NULL };
  static const char *const some[] = { "n", "big", "flag", NULL };
  static const char *const none[] = { NULL };
  cr_assert_eq(vmrun__cfg_check_keys(o, all), 0);
  cr_assert_eq(vmrun__cfg_check_keys(NULL, some), 0);
  expect_no_diag();
  cr_assert_eq(vmrun__cfg_check_keys(o, some), -VMRUN_EINVAL);
  expect_diag("t.yaml:5:3: opts.off: unknown key; valid keys: n, big, flag");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_check_keys(o, none), -VMRUN_EINVAL);
  expect_diag("t.yaml:2:3: opts.n: unknown key; no keys are allowed here");
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_check_keys(vmrun__cfg_get(o, "l"), some),
               -VMRUN_EINVAL);
  expect_diag("t.yaml:9:3: opts.l: expected a mapping, got a list");
  vmrun__cfg_free(r);
}

Test(access, cfg_error)
{
  vmrun_cfg *o, *r = access_tree(&o);
  vmrun__cfg_error(vmrun__cfg_get(o, "s"), "bad %s %d", "thing", 3);
  expect_diag("t.yaml:7:6: opts.s: bad thing 3");
  n_diag = 0;
  vmrun__cfg_error(o, "whole map");     /* mapping: at its key */
  expect_diag("t.yaml:1:1: opts: whole map");
  n_diag = 0;
  vmrun__cfg_error(r, "root");          /* no path: no "PATH: " */
  expect_diag("t.yaml:1:1: root");
  n_diag = 0;
  vmrun__cfg_error(NULL, "no node %d", 5);
  expect_diag("no node 5");
  n_diag = 0;
  /* long messages are not truncated */
  char big[1500];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  vmrun__cfg_error(o, "%s", big);
  cr_assert_eq(n_diag, 1);
  cr_assert_eq(strlen(diag[0]), strlen("t.yaml:1:1: opts: ") + 1499);
  n_diag = 0;
  /* control characters in values never break the one-line format */
  vmrun_cfg *t = vmrun__cfg_load_string("x: |\n  a\n  b\n", "l.yaml");
  uint64_t v;
  cr_assert_eq(vmrun__cfg_u64(t, "x", 0, &v), -VMRUN_EINVAL);
  expect_diag("l.yaml:1:4: x: expected a number like 42, 0x1000 or 512M, "
              "got 'a?b?'");
  vmrun__cfg_free(t);
  vmrun__cfg_free(r);
}

Test(access, default_sink_is_stderr, .init = cr_redirect_stderr)
{
  vmrun__set_diag_sink(NULL, NULL);
  vmrun__diag("hello %d", 42);
  fflush(stderr);
  cr_assert_stderr_eq_str("hello 42\n");
}

/* ================================================================== */
/* --set */

static vmrun_cfg *load_ok(const char *path)
{
  vmrun_cfg *r = vmrun__cfg_load_file(path);
  cr_assert_not_null(r, "%s", n_diag ? diag[0] : "");
  return r;
}

Test(set, replace_existing)
{
  vmrun_cfg *r = load_ok(FIX("ok-minimal.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.ram=256M"), 0);
  vmrun_cfg *ram = vmrun__cfg_get(vmrun__cfg_get(r, "machine"), "ram");
  cr_assert_str_eq(ram->scalar, "256M");
  cr_assert_str_eq(ram->file, "--set");
  cr_assert_str_eq(ram->path, "machine.ram");
  cr_assert_eq(ram->line, 1);
  cr_assert_eq(ram->col, 13);
  build_ok(r, &d);
  cr_assert_eq(d.ram_size, 256ull << 20);
  vmrun__desc_free(&d);
}

Test(set, new_key)
{
  vmrun_cfg *r = load_ok(FIX("ok-minimal.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.kernel=Image"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "machine.cmdline=console=ttyS0 quiet"), 0);
  vmrun_cfg *m = vmrun__cfg_get(r, "machine");
  cr_assert_eq(m->key_line[m->n - 1], 1);
  cr_assert_eq(m->key_col[m->n - 1], 9);
  build_ok(r, &d);
  cr_assert_str_eq(d.kernel, "Image");
  cr_assert_str_eq(d.cmdline, "console=ttyS0 quiet");
  vmrun__desc_free(&d);
}

Test(set, nested_new_maps)
{
  vmrun_cfg *r = load_ok(FIX("ok-minimal.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.engine_options.jit.size=4M"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "machine.engine_options.jit.on=yes"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "memory="), 0); /* new top-level null */
  build_ok(r, &d);
  cr_assert_not_null(d.engine_options);
  cr_assert_str_eq(d.engine_options->path, "machine.engine_options");
  vmrun_cfg *jit = vmrun__cfg_get(d.engine_options, "jit");
  cr_assert_eq(jit->type, VMRUN_CFG_MAP);
  cr_assert_eq(jit->n, 2);
  uint64_t v;
  cr_assert_eq(vmrun__cfg_u64(jit, "size", 0, &v), 0);
  cr_assert_eq(v, 4u << 20);
  vmrun_cfg *size = vmrun__cfg_get(jit, "size");
  cr_assert_str_eq(size->path, "machine.engine_options.jit.size");
  cr_assert_eq(size->col, 33);
  cr_assert_eq(jit->col, 24);
  cr_assert_eq(d.n_memory, 0);
  vmrun__desc_free(&d);
}

Test(set, indexed)
{
  vmrun_cfg *r = load_ok(FIX("ok-full.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "devices[0].options.chardev=null"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "devices[1].irq[2]=9"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "devices[2].name=clock"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "devices[2].options.x=1"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "scripts[0]=other.lua"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "memory[1].size=0x400000"), 0);
  build_ok(r, &d);
  cr_assert_str_eq(d.devices[0].options->kids[0]->scalar, "null");
  const char *s;
  cr_assert_eq(vmrun__cfg_str(d.devices[0].options, "chardev", "", &s), 0);
  cr_assert_str_eq(s, "null");
  cr_assert_eq(d.devices[1].irqs[2], 9);
  cr_assert_str_eq(d.devices[2].name, "clock");
  cr_assert_not_null(d.devices[2].options);
  cr_assert_str_eq(d.scripts[0].path, "other.lua");
  cr_assert_eq(d.memory[1].size, 0x400000);
  vmrun_cfg *irq2 = vmrun__cfg_get(d.devices[1].node, "irq")->kids[2];
  cr_assert_str_eq(irq2->path, "devices[1].irq[2]");
  cr_assert_str_eq(irq2->file, "--set");
  cr_assert_eq(irq2->col, 19);
  vmrun__desc_free(&d);
}

Test(set, replace_subtree)
{
  vmrun_cfg *r = load_ok(FIX("ok-full.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.engine_options=~"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "devices[1].irq=5"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "devices[0].options="), 0);
  build_ok(r, &d);
  cr_assert_null(d.engine_options);
  cr_assert_eq(d.devices[1].n_irqs, 1);
  cr_assert_eq(d.devices[1].irqs[0], 5);
  cr_assert_null(d.devices[0].options);
  vmrun__desc_free(&d);
}

Test(set, quoted_values)
{
  vmrun_cfg *r = load_ok(FIX("ok-minimal.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.cmdline='it''s a b'"), 0);
  cr_assert_eq(vmrun__cfg_set(r, "machine.kernel=\"x\\ty\\\"z\\\\\""), 0);
  cr_assert_eq(vmrun__cfg_set(r, "machine.initrd=\"\""), 0);
  build_ok(r, &d);
  cr_assert_str_eq(d.cmdline, "it's a b");
  cr_assert_str_eq(d.kernel, "x\ty\"z\\");
  cr_assert_str_eq(d.initrd, "");
  cr_assert(vmrun__cfg_get(d.machine_node, "cmdline")->quoted);
  vmrun__desc_free(&d);
}

Test(set, unset_with_empty_value)
{
  vmrun_cfg *r = load_ok(FIX("ok-full.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.kernel="), 0);
  cr_assert_eq(vmrun__cfg_set(r, "machine.ram_base="), 0);
  build_ok(r, &d);
  cr_assert_null(d.kernel);
  cr_assert_eq(d.ram_base, VMRUN_DESC_UNSET);
  vmrun__desc_free(&d);
}

Test(set, bad_value_reported_at_set_position)
{
  vmrun_cfg *r = load_ok(FIX("ok-minimal.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.ram=lots"), 0);
  cr_assert_eq(vmrun__desc_build(r, &d), -VMRUN_EINVAL);
  expect_diag("--set:1:13: machine.ram: expected a size like 512M or "
              "0x8000000, got 'lots'");
}

Test(set, unknown_key_reported_at_set_position)
{
  vmrun_cfg *r = load_ok(FIX("ok-minimal.yaml"));
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, "machine.rma=1"), 0);
  cr_assert_eq(vmrun__desc_build(r, &d), -VMRUN_EINVAL);
  expect_diag("--set:1:9: machine.rma: unknown key; valid keys: arch, harts, "
              "ram, ram_base, firmware, kernel, initrd, cmdline, kernel_addr, "
              "engine, mmu, frontend, accel, engine_options, clock, "
              "icount_ns, timebase, cmdline_batch, symbols, engine_check");
}

/* The assignment fails with exactly `want`, and leaves the tree alone. */
static void set_error(const char *path, const char *assignment,
                      const char *want)
{
  vmrun_cfg *r = load_ok(path);
  vmrun_machine_desc d;
  cr_assert_eq(vmrun__cfg_set(r, assignment), -VMRUN_EINVAL, "%s",
               assignment);
  expect_diag(want);
  n_diag = 0;
  /* nothing was created or replaced: the file still builds unchanged */
  vmrun_cfg *m = vmrun__cfg_get(r, "machine");
  size_t n_machine = m->n;
  build_ok(r, &d);
  cr_assert_eq(d.machine_node->n, n_machine);
  vmrun__desc_free(&d);
}

Test(set, error_missing_equals)
{
  set_error(FIX("ok-minimal.yaml"), "machine.ram",
            "--set machine.ram: expected KEY=VALUE (missing '=')");
}

Test(set, error_empty_key)
{
  set_error(FIX("ok-minimal.yaml"), "=256M",
            "--set =256M: empty key before '='");
}

Test(set, error_empty_component)
{
  set_error(FIX("ok-minimal.yaml"), "machine..ram=1",
            "--set machine..ram: empty key name");
  set_error(FIX("ok-minimal.yaml"), "machine.=1",
            "--set machine.: empty key name");
  set_error(FIX("ok-minimal.yaml"), ".machine=1",
            "--set .machine: empty key name");
}

Test(set, error_bad_index)
{
  set_error(FIX("ok-full.yaml"), "devices[x].name=a",
            "--set devices[x].name: bad index 'x' (expected [N])");
  set_error(FIX("ok-full.yaml"), "devices[-1].name=a",
            "--set devices[-1].name: bad index '-1' (expected [N])");
  set_error(FIX("ok-full.yaml"), "devices[].name=a",
            "--set devices[].name: bad index '' (expected [N])");
  set_error(FIX("ok-full.yaml"), "devices[0.name=a",
            "--set devices[0.name: bad index '0.name' (expected [N])");
  set_error(FIX("ok-full.yaml"),
            "devices[99999999999999999999999].name=a",
            "--set devices[99999999999999999999999].name: bad index "
            "'99999999999999999999999' (expected [N])");
  set_error(FIX("ok-full.yaml"), "devices[0]x=a",
            "--set devices[0]x: expected '.' or '[' after ']'");
  set_error(FIX("ok-full.yaml"), "devices]=a",
            "--set devices]: unexpected ']'");
}

Test(set, error_index_past_end)
{
  set_error(FIX("ok-full.yaml"), "devices[3].name=a",
            "--set devices[3].name: index 3 is past the end of devices "
            "(3 items)");
  set_error(FIX("ok-full.yaml"), "devices[0].irq[0]=1",
            "--set devices[0].irq[0]: devices[0].irq is a scalar, not a list");
  set_error(FIX("ok-full.yaml"), "scripts[1].args[0]=1",
            "--set scripts[1].args[0]: scripts[1].args is a mapping, not a "
            "list");
}

Test(set, error_index_missing_list)
{
  set_error(FIX("ok-minimal.yaml"), "devices[0].type=uart",
            "--set devices[0].type: devices does not exist, so it cannot be "
            "indexed");
  set_error(FIX("ok-minimal.yaml"), "machine.new.list[0]=1",
            "--set machine.new.list[0]: machine.new.list does not exist, so "
            "it cannot be indexed");
}

Test(set, error_index_on_map)
{
  set_error(FIX("ok-minimal.yaml"), "machine[0]=1",
            "--set machine[0]: machine is a mapping, not a list");
}

Test(set, error_through_scalar)
{
  set_error(FIX("ok-minimal.yaml"), "machine.ram.size=1",
            "--set machine.ram.size: machine.ram is a scalar, not a mapping");
  set_error(FIX("ok-minimal.yaml"), "version.x.y=1",
            "--set version.x.y: version is a scalar, not a mapping");
}

Test(set, error_name_on_list)
{
  set_error(FIX("ok-full.yaml"), "devices.type=uart",
            "--set devices.type: devices is a list; use devices[N]");
}

Test(set, error_quotes)
{
  set_error(FIX("ok-minimal.yaml"), "machine.kernel=\"abc",
            "--set machine.kernel: unterminated quoted value");
  set_error(FIX("ok-minimal.yaml"), "machine.kernel='a'b'",
            "--set machine.kernel: stray quote inside quoted value");
  set_error(FIX("ok-minimal.yaml"), "machine.kernel=\"a\\qb\"",
            "--set machine.kernel: unsupported escape in quoted value");
}

Test(set, error_not_a_mapping)
{
  vmrun_cfg *r = vmrun__cfg_load_string("- a\n", "l.yaml");
  cr_assert_eq(vmrun__cfg_set(r, "a=1"), -VMRUN_EINVAL);
  expect_diag("--set a: the machine description is not a mapping");
  vmrun__cfg_free(r);
  n_diag = 0;
  cr_assert_eq(vmrun__cfg_set(NULL, NULL), -VMRUN_EINVAL);
  expect_diag("--set: expected KEY=VALUE");
}

/* ================================================================== */
/* Descriptor */

Test(desc, minimal_defaults)
{
  vmrun_machine_desc d;
  build_ok(vmrun__cfg_load_file(FIX("ok-minimal.yaml")), &d);
  cr_assert_not_null(d.root);
  cr_assert_str_eq(d.file, FIX("ok-minimal.yaml"));
  cr_assert_eq(d.version, 1);
  cr_assert_str_eq(d.arch, "riscv64");
  cr_assert_eq(d.harts, 1);
  cr_assert_eq(d.ram_size, 128u << 20);
  cr_assert_eq(d.ram_base, VMRUN_DESC_UNSET);
  cr_assert_null(d.firmware);
  cr_assert_null(d.kernel);
  cr_assert_null(d.initrd);
  cr_assert_null(d.cmdline);
  cr_assert_eq(d.kernel_addr, VMRUN_DESC_UNSET);
  cr_assert_str_eq(d.engine, "interp");
  cr_assert_str_eq(d.mmu, "softmmu");
  cr_assert_str_eq(d.frontend, "riscv64");
  cr_assert_str_eq(d.accel, "none");
  cr_assert_str_eq(d.clock, "host");
  cr_assert_eq(d.icount_ns, 1);
  cr_assert_eq(d.timebase_hz, 10000000);
  cr_assert_eq(d.machine_node, vmrun__cfg_get(d.root, "machine"));
  cr_assert_null(d.engine_options);
  cr_assert_eq(d.engine_check, 0);
  cr_assert_eq(d.n_memory, 0);
  cr_assert_null(d.memory);
  cr_assert_eq(d.n_devices, 0);
  cr_assert_null(d.devices);
  cr_assert_eq(d.n_scripts, 0);
  cr_assert_null(d.scripts);
  vmrun__desc_free(&d);
  cr_assert_null(d.root);
  vmrun__desc_free(&d); /* twice is fine */
}

Test(desc, engine_check)
{
  vmrun_machine_desc d;
  vmrun_cfg *r = vmrun__cfg_load_file(FIX("ok-minimal.yaml"));
  cr_assert_not_null(r);
  cr_assert_eq(vmrun__cfg_set(r, "machine.engine_check=yes"), 0);
  build_ok(r, &d);
  cr_assert_eq(d.engine_check, 1);
  vmrun__desc_free(&d);
}

Test(desc, full)
{
  vmrun_machine_desc d;
  build_ok(vmrun__cfg_load_file(FIX("ok-full.yaml")), &d);
  cr_assert_str_eq(d.arch, "riscv64");
  cr_assert_eq(d.harts, 4);
  cr_assert_eq(d.ram_size, 0x80000000u);
  cr_assert_eq(d.ram_base, 0x80000000u);
  cr_assert_str_eq(d.firmware, "fw/opensbi.bin");
  cr_assert_str_eq(d.kernel, "images/Image");
  cr_assert_str_eq(d.initrd, "images/initrd.cpio");
  cr_assert_str_eq(d.cmdline, "console=ttyS0 earlycon root=/dev/vda");
  cr_assert_eq(d.kernel_addr, 0x80200000u);
  cr_assert_str_eq(d.engine, "jit");
  cr_assert_str_eq(d.mmu, "softmmu");
  cr_assert_str_eq(d.frontend, "riscv64gc");
  cr_assert_str_eq(d.accel, "auto");
  cr_assert_str_eq(d.clock, "icount");
  cr_assert_eq(d.icount_ns, 3);
  cr_assert_eq(d.timebase_hz, 1000000);
  cr_assert_not_null(d.engine_options);
  uint64_t v;
  int b;
  cr_assert_eq(vmrun__cfg_u64(d.engine_options, "block_size", 0, &v), 0);
  cr_assert_eq(v, 64);
  cr_assert_eq(vmrun__cfg_bool(d.engine_options, "trace", 0, &b), 0);
  cr_assert_eq(b, 1);

  cr_assert_eq(d.n_memory, 2);
  cr_assert_str_eq(d.memory[0].name, "mem0");
  cr_assert_str_eq(d.memory[0].type, "rom");
  cr_assert_eq(d.memory[0].base, 0x1000);
  cr_assert_eq(d.memory[0].size, 64 << 10);
  cr_assert_str_eq(d.memory[0].file, "fw/boot.rom");
  cr_assert_str_eq(d.memory[0].node->path, "memory[0]");
  cr_assert_str_eq(d.memory[1].name, "sram");
  cr_assert_str_eq(d.memory[1].type, "ram");
  cr_assert_eq(d.memory[1].base, 0x08000000);
  cr_assert_eq(d.memory[1].size, 2 << 20);
  cr_assert_null(d.memory[1].file);

  cr_assert_eq(d.n_devices, 3);
  const vmrun_device_config *dc = d.devices;
  cr_assert_eq(dc[0].struct_size, sizeof(vmrun_device_config));
  cr_assert_eq(dc[0].index, 0);
  cr_assert_str_eq(dc[0].type, "ns16550a");
  cr_assert_str_eq(dc[0].name, "ns16550a0");
  cr_assert_eq(dc[0].base, 0x10000000);
  cr_assert_eq(dc[0].size, 0x100);
  cr_assert_eq(dc[0].n_irqs, 1);
  cr_assert_eq(dc[0].irqs[0], 10);
  cr_assert_eq(dc[0].options, vmrun__cfg_get(dc[0].node, "options"));
  const char *s;
  cr_assert_eq(vmrun__cfg_str(dc[0].options, "chardev", NULL, &s), 0);
  cr_assert_str_eq(s, "stdio");
  cr_assert_eq(dc[0].node, vmrun__cfg_get(d.root, "devices")->kids[0]);

  cr_assert_eq(dc[1].index, 1);
  cr_assert_str_eq(dc[1].type, "virtio-blk");
  cr_assert_str_eq(dc[1].name, "disk0");
  cr_assert_eq(dc[1].base, 0x10001000);
  cr_assert_eq(dc[1].size, 4096);
  cr_assert_eq(dc[1].n_irqs, 3);
  cr_assert_eq(dc[1].irqs[0], 1);
  cr_assert_eq(dc[1].irqs[1], 2);
  cr_assert_eq(dc[1].irqs[2], 3);
  cr_assert_eq(vmrun__cfg_bool(dc[1].options, "readonly", 0, &b), 0);
  cr_assert_eq(b, 1);

  cr_assert_str_eq(dc[2].type, "rtc");
  cr_assert_str_eq(dc[2].name, "rtc2");
  cr_assert_eq(dc[2].base, VMRUN_DEVICE_NO_BASE);
  cr_assert_eq(dc[2].size, 0);
  cr_assert_eq(dc[2].n_irqs, 0);
  cr_assert_null(dc[2].options);

  cr_assert_eq(d.n_scripts, 2);
  cr_assert_str_eq(d.scripts[0].path, "scripts/boot.lua");
  cr_assert_null(d.scripts[0].args);
  cr_assert_str_eq(d.scripts[0].node->path, "scripts[0]");
  cr_assert_str_eq(d.scripts[1].path, "scripts/trace.lua");
  cr_assert_not_null(d.scripts[1].args);
  cr_assert_eq(vmrun__cfg_u64(d.scripts[1].args, "level", 0, &v), 0);
  cr_assert_eq(v, 2);
  expect_no_diag();
  vmrun__desc_free(&d);
}

Test(desc, null_values_mean_absent)
{
  vmrun_machine_desc d;
  build_ok(vmrun__cfg_load_file(FIX("ok-nulls.yaml")), &d);
  cr_assert_eq(d.harts, 1);
  cr_assert_null(d.kernel);
  cr_assert_str_eq(d.cmdline, ""); /* quoted: a real empty string */
  cr_assert_null(d.engine_options);
  cr_assert_eq(d.n_memory, 0);
  cr_assert_eq(d.n_devices, 1);
  cr_assert_eq(d.devices[0].n_irqs, 0);
  cr_assert_null(d.devices[0].options);
  cr_assert_eq(d.n_scripts, 0);
  vmrun__desc_free(&d);
}

Test(desc, touching_regions_do_not_overlap)
{
  vmrun_machine_desc d;
  build_ok(vmrun__cfg_load_string(
             "version: 1\n"
             "machine: {arch: riscv64, ram: 1M, ram_base: 0x100000}\n"
             "memory:\n"
             "  - {type: rom, base: 0, size: 1M}\n"
             "  - {type: ram, base: 0xfffffffffff00000, size: 1M}\n"
             "devices:\n"
             "  - {type: a, base: 0x200000, size: 0x1000}\n"
             "  - {type: b, base: 0x201000, size: 0x1000}\n"
             "  - {type: c, base: 0x200800}\n", "m.yaml"), &d);
  cr_assert_eq(d.memory[1].base, 0xfffffffffff00000u);
  cr_assert_eq(d.devices[2].size, 0);
  vmrun__desc_free(&d);
}

Test(desc, symbols_list)
{
  vmrun_machine_desc d;
  build_ok(vmrun__cfg_load_string(
             "version: 1\n"
             "machine: {arch: riscv64, ram: 1M,\n"
             "          symbols: [System.map, /abs/vmlinux]}\n", "m.yaml"), &d);
  cr_assert_eq(d.n_symbols, 2);
  cr_assert_str_eq(d.symbols[0], "System.map");
  cr_assert_str_eq(d.symbols[1], "/abs/vmlinux");
  cr_assert_str_eq(d.symbols_nodes[1]->path, "machine.symbols[1]");
  vmrun__desc_free(&d);
}

Test(desc, symbols_not_a_list)
{
  string_error("version: 1\nmachine: {arch: riscv64, ram: 1M, symbols: map}\n",
               "m.yaml:2:44: machine.symbols: expected a list, got 'map'");
}

Test(desc, symbols_entry_not_a_path)
{
  string_error("version: 1\nmachine: {arch: riscv64, ram: 1M, symbols: [a, {x: 1}]}\n",
               "m.yaml:2:48: machine.symbols[1]: expected a file path, got a mapping");
}

Test(desc, symbols_entry_empty)
{
  string_error("version: 1\nmachine: {arch: riscv64, ram: 1M, symbols: [\"\"]}\n",
               "m.yaml:2:45: machine.symbols[0]: must not be empty");
}

Test(desc, null_arguments)
{
  vmrun_machine_desc d;
  memset(&d, 0xa5, sizeof d);
  cr_assert_eq(vmrun__desc_build(NULL, &d), -VMRUN_EINVAL);
  cr_assert_null(d.root);
  expect_no_diag();
  vmrun__desc_free(&d);
  vmrun__desc_free(NULL);
  cr_assert_eq(vmrun__desc_build(vmrun__cfg_load_string("a: 1", "x"), NULL),
               -VMRUN_EINVAL);
}

Test(desc, zeroed_desc_free)
{
  vmrun_machine_desc d;
  memset(&d, 0, sizeof d);
  vmrun__desc_free(&d);
}

/* ================================================================== */
/* Schema errors (fixtures) */

#define FILE_ERROR(test, file, msg)                                   \
  Test(errors, test) { file_error(FIX(file), FIX(file) msg); }

FILE_ERROR(unknown_key, "err-unknown-key.yaml",
           ":7:3: machine.rma: unknown key; valid keys: arch, harts, ram, "
           "ram_base, firmware, kernel, initrd, cmdline, kernel_addr, engine, "
           "mmu, frontend, accel, engine_options, clock, icount_ns, timebase, "
           "cmdline_batch, symbols, engine_check")
FILE_ERROR(unknown_top_key, "err-unknown-top.yaml",
           ":5:1: device: unknown key; valid keys: version, machine, memory, "
           "devices, scripts, mode")
FILE_ERROR(ram_not_a_size, "err-ram-bad.yaml",
           ":4:11: machine.ram: expected a size like 512M or 0x8000000, "
           "got 'lots'")
FILE_ERROR(ram_is_a_map, "err-ram-map.yaml",
           ":4:3: machine.ram: expected a size like 512M or 0x8000000, "
           "got a mapping")
FILE_ERROR(ram_too_small, "err-ram-small.yaml",
           ":4:8: machine.ram: must be at least 1M, got 524288 bytes")
FILE_ERROR(ram_not_aligned, "err-ram-align.yaml",
           ":4:8: machine.ram: must be a multiple of 4K, got 1049000 bytes")
FILE_ERROR(ram_overflow, "err-ram-overflow.yaml",
           ":4:8: machine.ram: '0x1_0000_0000_0000_0000' does not fit in 64 "
           "bits")
FILE_ERROR(ram_wraps, "err-ram-wrap.yaml",
           ":4:8: machine.ram: region at 0xffffffffc0001000 of size "
           "0x40000000 extends past the end of the address space")
FILE_ERROR(missing_ram, "err-missing-ram.yaml",
           ":3:1: machine: missing required key 'ram'")
FILE_ERROR(missing_arch_flow, "err-missing-arch.yaml",
           ":2:1: machine: missing required key 'arch'")
FILE_ERROR(missing_version, "err-missing-version.yaml",
           ":1:1: missing required key 'version'")
FILE_ERROR(missing_machine, "err-missing-machine.yaml",
           ":1:1: missing required key 'machine'")
FILE_ERROR(version_too_new, "err-version-new.yaml",
           ":1:10: version: this machine description needs vmrun version 3 "
           "or newer; this vmrun reads version 1")
FILE_ERROR(version_zero, "err-version-zero.yaml",
           ":1:10: version: unsupported version 0; this vmrun reads version 1")
FILE_ERROR(version_with_suffix, "err-version-suffix.yaml",
           ":1:10: version: expected an integer, got '1K'")
FILE_ERROR(harts_range, "err-harts.yaml",
           ":4:10: machine.harts: must be between 1 and 64, got 65")
FILE_ERROR(accel_choice, "err-accel.yaml",
           ":5:10: machine.accel: expected none, auto or kvm, got 'xen'")
FILE_ERROR(clock_is_a_list, "err-clock.yaml",
           ":5:3: machine.clock: expected a string, got a list")
FILE_ERROR(machine_is_a_scalar, "err-machine-scalar.yaml",
           ":2:10: machine: expected a mapping, got 'riscv64'")
FILE_ERROR(top_is_a_list, "err-top-list.yaml",
           ":1:1: expected a mapping with version: and machine:, got a list")
FILE_ERROR(memory_type, "err-memory-type.yaml",
           ":7:11: memory[0].type: expected ram or rom, got 'nor'")
FILE_ERROR(memory_missing_base, "err-memory-missing-base.yaml",
           ":6:5: memory[0]: missing required key 'base'")
FILE_ERROR(memory_item_scalar, "err-memory-item.yaml",
           ":6:5: memory[0]: expected a mapping with type:, base: and size:, "
           "got 'rom'")
FILE_ERROR(overlap_ram_memory, "err-overlap-ram-mem.yaml",
           ":10:5: memory[1]: 'sram' [0x87ff0000, 0x880effff] overlaps 'ram' "
           "[0x80000000, 0x87ffffff] (machine.ram)")
FILE_ERROR(overlap_devices, "err-overlap-dev.yaml",
           ":11:5: devices[2]: 'uart1' [0x100000f8, 0x100001f7] overlaps "
           "'ns16550a0' [0x10000000, 0x100000ff] (devices[0])")
FILE_ERROR(duplicate_device_name, "err-dup-device.yaml",
           ":9:11: devices[1].name: duplicate device name 'uart' (also "
           "devices[0])")
FILE_ERROR(duplicate_default_name, "err-dup-device-default.yaml",
           ":8:5: devices[1]: duplicate device name 'virtio1' (also "
           "devices[0])")
FILE_ERROR(irq_list_too_long, "err-irq-too-many.yaml",
           ":7:5: devices[0].irq: at most 8 IRQs are allowed, got 9")
FILE_ERROR(irq_not_a_number, "err-irq-bad.yaml",
           ":7:14: devices[0].irq[1]: expected an integer, got 'two'")
FILE_ERROR(options_not_a_map, "err-device-options.yaml",
           ":7:14: devices[0].options: expected a mapping, got 'stdio'")
FILE_ERROR(device_missing_type, "err-device-type.yaml",
           ":6:5: devices[0]: missing required key 'type'")
FILE_ERROR(devices_is_a_map, "err-devices-map.yaml",
           ":5:1: devices: expected a list, got a mapping")
FILE_ERROR(script_is_a_list, "err-script-list.yaml",
           ":6:5: scripts[0]: expected a script path or a mapping with path:, "
           "got a list")
FILE_ERROR(script_missing_path, "err-script-missing-path.yaml",
           ":6:5: scripts[0]: missing required key 'path'")
FILE_ERROR(script_unknown_key, "err-script-key.yaml",
           ":7:5: scripts[0].argv: unknown key; valid keys: path, args, on_error")

/* Smaller schema cases, inline. */
#define HDR "version: 1\nmachine: {arch: riscv64, ram: 128M}\n"

Test(errors, inline_cases)
{
  static const struct { const char *yaml, *want; } c[] = {
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, harts: 0}\n",
      "m.yaml:2:44: machine.harts: must be between 1 and 64, got 0" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, icount_ns: 0}\n",
      "m.yaml:2:48: machine.icount_ns: must be at least 1, got 0" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, timebase: 0}\n",
      "m.yaml:2:47: machine.timebase: must be at least 1 Hz, got 0" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, timebase: 10M}\n",
      "m.yaml:2:47: machine.timebase: expected an integer, got '10M'" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, clock: wall}\n",
      "m.yaml:2:44: machine.clock: expected host or icount, got 'wall'" },
    { "version: 1\nmachine: {arch: '', ram: 128M}\n",
      "m.yaml:2:17: machine.arch: must not be empty" },
    { "version: 1\nmachine: {arch: , ram: 128M}\n",
      "m.yaml:2:17: machine.arch: expected a string, got nothing" },
    { "version: 1\nmachine: {arch: riscv64, ram: }\n",
      "m.yaml:2:31: machine.ram: expected a size like 512M or 0x8000000, "
      "got nothing" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, kernel_addr: x}\n",
      "m.yaml:2:50: machine.kernel_addr: expected an address like "
      "0x80000000, got 'x'" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M,\n"
      "  kernel_addr: 0xffffffffffffffff}\n",
      "m.yaml:3:16: machine.kernel_addr: 0xffffffffffffffff is not a valid "
      "address" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, engine_options: 3}\n",
      "m.yaml:2:53: machine.engine_options: expected a mapping, got '3'" },
    { "version: 1\nmachine: {arch: riscv64, ram: 128M, kernel: [a]}\n",
      "m.yaml:2:37: machine.kernel: expected a string, got a list" },
    { "version: 1\nmachine:\n",
      "m.yaml:2:9: machine: expected a mapping, got nothing" },
    { "version: x\n",
      "m.yaml:1:10: version: expected an integer, got 'x'" },
    { HDR "memory:\n  - {type: ram, base: 0x1000, size: 0}\n",
      "m.yaml:4:37: memory[0].size: must not be 0" },
    { HDR "memory:\n  - {type: ram, base: 0xfffffffffffff000, size: 8K}\n",
      "m.yaml:4:5: memory[0]: region at 0xfffffffffffff000 of size 0x2000 "
      "extends past the end of the address space" },
    { HDR "memory:\n  - {name: a, type: ram, base: 0, size: 4K}\n"
      "  - {name: a, type: rom, base: 0x1000, size: 4K}\n",
      "m.yaml:5:12: memory[1].name: duplicate memory name 'a' (also "
      "memory[0])" },
    { HDR "memory:\n  - {type: ram, base: 0, size: 4K, fill: 0}\n",
      "m.yaml:4:36: memory[0].fill: unknown key; valid keys: name, type, "
      "base, size, file" },
    { HDR "devices:\n  - {type: x, irq: 0x1_0000_0000}\n",
      "m.yaml:4:20: devices[0].irq: IRQ 4294967296 is out of range" },
    { HDR "devices:\n  - {type: x, irq: {a: 1}}\n",
      "m.yaml:4:15: devices[0].irq: expected an IRQ number or a list of "
      "them, got a mapping" },
    { HDR "devices:\n  - {type: x, irq: [[1]]}\n",
      "m.yaml:4:21: devices[0].irq[0]: expected an integer, got a list" },
    { HDR "devices:\n  - {type: x, model: y}\n",
      "m.yaml:4:15: devices[0].model: unknown key; valid keys: type, name, "
      "base, size, irq, options" },
    { HDR "devices:\n  - {type: x, base: 0xfffffffffffff000, size: 8K}\n",
      "m.yaml:4:5: devices[0]: region at 0xfffffffffffff000 of size 0x2000 "
      "extends past the end of the address space" },
    { HDR "devices:\n  - {type: x, name: ''}\n",
      "m.yaml:4:21: devices[0].name: must not be empty" },
    { HDR "scripts:\n  - ''\n",
      "m.yaml:4:5: scripts[0]: must not be empty" },
    { HDR "scripts:\n  -\n",
      "m.yaml:4:4: scripts[0]: expected a script path or a mapping with "
      "path:, got nothing" },
    { HDR "scripts:\n  - {path: a.lua, args: [1]}\n",
      "m.yaml:4:19: scripts[0].args: expected a mapping, got a list" },
    { HDR "scripts: a.lua\n",
      "m.yaml:3:10: scripts: expected a list, got 'a.lua'" },
    { "hello\n",
      "m.yaml:1:1: expected a mapping with version: and machine:, got "
      "'hello'" },
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    n_diag = 0;
    string_error(c[i].yaml, c[i].want);
  }
}

/* ================================================================== */
/* Allocation failures: every one is reported and propagated, nothing
** crashes or leaks (run under -fsanitize=address to check the latter). */

static const char *const set_ops[] = {
  "machine.ram=256M", "machine.engine_options.jit.size=4M",
  "devices[1].irq[2]=9", "scripts[0]='x.lua'", "machine.kernel=\"a\\tb\"",
};

Test(memory, every_allocation_failure)
{
  int failures = 0;
  for (unsigned long n = 1; n < 100000; n++) {
    n_diag = 0;
    vmrun__cfg_fail_alloc = n;
    int rc = 0;
    vmrun_machine_desc d;
    vmrun_cfg *r = vmrun__cfg_load_file(FIX("ok-full.yaml"));
    if (!r)
      rc = -VMRUN_ENOMEM;
    for (size_t i = 0; !rc && i < sizeof set_ops / sizeof set_ops[0]; i++)
      rc = vmrun__cfg_set(r, set_ops[i]);
    if (rc)
      vmrun__cfg_free(r);
    else
      rc = vmrun__desc_build(r, &d);
    if (!rc)
      vmrun__desc_free(&d);
    if (vmrun__cfg_fail_alloc) { /* the Nth allocation was never reached */
      vmrun__cfg_fail_alloc = 0;
      cr_assert_eq(rc, 0, "n=%lu: %s", n, n_diag ? diag[0] : "");
      cr_assert_gt(failures, 100);
      return;
    }
    failures++;
    cr_assert_eq(rc, -VMRUN_ENOMEM, "n=%lu: rc=%d", n, rc);
    expect_diag("out of memory");
  }
  cr_assert_fail("never finished");
}

Test(memory, allocation_failure_in_errors)
{
  /* the error paths allocate too (paths for messages) */
  for (unsigned long n = 1; n < 1000; n++) {
    n_diag = 0;
    vmrun__cfg_fail_alloc = n;
    vmrun_cfg *r = vmrun__cfg_load_file(FIX("err-dup-key.yaml"));
    cr_assert_null(r);
    int reached = vmrun__cfg_fail_alloc == 0;
    vmrun__cfg_fail_alloc = 0;
    cr_assert_eq(n_diag, 1);
    if (!reached) {
      cr_assert(strstr(diag[0], "duplicate key"), "%s", diag[0]);
      return;
    }
    cr_assert_str_eq(diag[0], "out of memory");
  }
  cr_assert_fail("never finished");
}
