/*
** The plugin loader against real test modules (tests/plugins/): each
** refusal must be one line naming the file and, for ABI mismatches, both
** versions.  TEST_PLUGIN_DIR is the build directory of those modules.
*/
#include "vmrun-config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../core/core.h"

static char diag[4096];
static int n_lines;

static void sink(const char *line, void *ud)
{
  (void)ud;
  n_lines++;
  snprintf(diag, sizeof diag, "%s", line);
}

static void setup(void)
{
  diag[0] = 0;
  n_lines = 0;
  vmrun__set_diag_sink(sink, NULL);
  vmrun__plugin_path_clear();
  vmrun__plugin_path_add(TEST_PLUGIN_DIR);
}

static void teardown(void)
{
  vmrun__loader_exit();
  vmrun__set_diag_sink(NULL, NULL);
}

TestSuite(loader, .init = setup, .fini = teardown);

Test(loader, good_plugin_loads)
{
  vmrun_plugin p;
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "good", &p), 0, "%s",
               diag);
  cr_assert_str_eq(p.desc->name, "good");
  cr_assert_str_eq(p.desc->version, "1.2.3");
  cr_assert_eq(p.desc->kind, VMRUN_PLUGIN_DEVICE);
  cr_assert_eq(p.desc->abi_major, VMRUN_ABI_MAJOR);
  cr_assert_eq(((const vmrun_device_ops *)p.desc->ops)->struct_size,
               sizeof(vmrun_device_ops));
  cr_assert(strstr(p.path, "device-good") != NULL);
  cr_assert_eq(n_lines, 0);
  vmrun__plugin_unload(&p);
}

Test(loader, abi_major_mismatch_refused)
{
  vmrun_plugin p;
  char want[256];
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "major", &p),
               -VMRUN_EABI);
  cr_assert_eq(n_lines, 1);
  snprintf(want, sizeof want, "built for plugin ABI %d.0, this vmrun "
           "provides ABI %d.%d", VMRUN_ABI_MAJOR + 1, VMRUN_ABI_MAJOR,
           VMRUN_ABI_MINOR);
  cr_assert(strstr(diag, want) != NULL, "got: %s", diag);
  cr_assert(strstr(diag, TEST_PLUGIN_DIR "/device-major.la") != NULL,
            "got: %s", diag);
}

Test(loader, newer_minor_refused)
{
  vmrun_plugin p;
  char want[256];
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "minor", &p),
               -VMRUN_EABI);
  snprintf(want, sizeof want, "needs plugin ABI %d.%d, this vmrun provides "
           "only ABI %d.%d; upgrade vmrun", VMRUN_ABI_MAJOR,
           VMRUN_ABI_MINOR + 7, VMRUN_ABI_MAJOR, VMRUN_ABI_MINOR);
  cr_assert(strstr(diag, want) != NULL, "got: %s", diag);
  cr_assert(strstr(diag, "device-minor.la") != NULL, "got: %s", diag);
}

Test(loader, missing_descriptor_refused)
{
  vmrun_plugin p;
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "nosym", &p),
               -VMRUN_EABI);
  cr_assert(strstr(diag, "device-nosym.la: no 'vmrun_plugin_descriptor' "
                         "symbol: not a vmrun plugin") != NULL, "got: %s",
            diag);
}

Test(loader, wrong_kind_refused)
{
  vmrun_plugin p;
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "kind", &p),
               -VMRUN_EINVAL);
  cr_assert(strstr(diag, "'kind' is a engine plugin, not a device plugin")
            != NULL, "got: %s", diag);
}

Test(loader, truncated_descriptor_refused)
{
  vmrun_plugin p;
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "trunc", &p),
               -VMRUN_EABI);
  cr_assert(strstr(diag, "descriptor is truncated (8 bytes") != NULL,
            "got: %s", diag);
}

Test(loader, fingerprint_mismatch_refused)
{
  vmrun_plugin p;
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "print", &p),
               -VMRUN_EABI);
  cr_assert(strstr(diag, "incompatible build configuration") != NULL,
            "got: %s", diag);
}

Test(loader, undefined_symbol_refused_at_load)
{
  vmrun_plugin p;
  /* make check runs with LD_BIND_NOW=1, as vmrun re-executes itself */
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "undef", &p),
               -VMRUN_EIO);
  cr_assert_eq(n_lines, 1);
  cr_assert(strstr(diag, "device-undef.la: cannot load: ") != NULL, "got: %s",
            diag);
  cr_assert(strstr(diag, "undefined symbol: vmrun_no_such_function") != NULL,
            "got: %s", diag);
}

Test(loader, unknown_plugin_names_search_path)
{
  vmrun_plugin p;
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_ENGINE, "nonesuch", &p),
               -VMRUN_ENOENT);
  cr_assert(strstr(diag, "no engine plugin named 'nonesuch' (searched "
                         TEST_PLUGIN_DIR) != NULL, "got: %s", diag);
}

Test(loader, path_in_name_rejected)
{
  vmrun_plugin p;
  cr_assert_eq(vmrun__plugin_load(VMRUN_PLUGIN_DEVICE, "../good", &p),
               -VMRUN_EINVAL);
}

Test(loader, list_shows_only_valid_plugins)
{
  char buf[8192] = "";
  FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  int n;
  cr_assert_not_null(f);
  n = vmrun__plugin_list(f);
  fclose(f);
  cr_assert_eq(n, 2, "listed %d:\n%s", n, buf); /* good, and kind (engine) */
  cr_assert(strstr(buf, "device    good           1.2.3") != NULL, "%s", buf);
  cr_assert(strstr(buf, "engine    kind") != NULL, "%s", buf);
  cr_assert(strstr(buf, "major") == NULL, "%s", buf);
}
