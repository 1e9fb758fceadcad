/*
** Test plugins for the production loader (tests/unit/test_loader.c).
** One source, built into several modules with -DVARIANT=...: each is a
** real libtool module opened through libltdl exactly as vmrun opens its
** plugins, with one thing wrong (or nothing, for "good").
*/
#include <vmrun/vmrun.h>

static int dev_create(const vmrun_host *h, vmrun_machine *m,
                      const vmrun_device_config *dc, void **inst)
{
  (void)h; (void)m; (void)dc;
  *inst = 0;
  return 0;
}

static void dev_destroy(void *inst) { (void)inst; }

static const vmrun_device_ops ops __attribute__((used)) = {
  sizeof(vmrun_device_ops), 0, dev_create, dev_destroy, 0, 0
};

#define GOOD 1
#define MAJOR 2
#define MINOR 3
#define NOSYM 4
#define KIND 5
#define TRUNC 6
#define PRINT 7
#define UNDEF 8

#if VARIANT == GOOD
VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "good", "1.2.3",
                    "A well-formed test device", &ops);
#elif VARIANT == MAJOR
VMRUN_PLUGIN_EXPORT const vmrun_plugin_desc vmrun_plugin_descriptor = {
  sizeof(vmrun_plugin_desc), VMRUN_ABI_MAJOR + 1, 0, VMRUN_ABI_FINGERPRINT,
  VMRUN_PLUGIN_DEVICE, "major", "1.0.0", "Built for the next ABI major", &ops
};
#elif VARIANT == MINOR
VMRUN_PLUGIN_EXPORT const vmrun_plugin_desc vmrun_plugin_descriptor = {
  sizeof(vmrun_plugin_desc), VMRUN_ABI_MAJOR, VMRUN_ABI_MINOR + 7,
  VMRUN_ABI_FINGERPRINT, VMRUN_PLUGIN_DEVICE, "minor", "1.0.0",
  "Needs a newer ABI minor", &ops
};
#elif VARIANT == NOSYM
VMRUN_PLUGIN_EXPORT const int not_a_descriptor = 42;
#elif VARIANT == KIND
/* An engine plugin installed under a device's file name. */
VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_ENGINE, "kind", "1.0.0",
                    "An engine, not a device", &ops);
#elif VARIANT == TRUNC
VMRUN_PLUGIN_EXPORT const vmrun_plugin_desc vmrun_plugin_descriptor = {
  8, VMRUN_ABI_MAJOR, VMRUN_ABI_MINOR, 0, 0, 0, 0, 0, 0
};
#elif VARIANT == PRINT
VMRUN_PLUGIN_EXPORT const vmrun_plugin_desc vmrun_plugin_descriptor = {
  sizeof(vmrun_plugin_desc), VMRUN_ABI_MAJOR, VMRUN_ABI_MINOR,
  VMRUN_ABI_FINGERPRINT ^ 0x4u, VMRUN_PLUGIN_DEVICE, "print", "1.0.0",
  "Built for a 32-bit host", &ops
};
#elif VARIANT == UNDEF
/* Calls a function nobody defines: must be refused at load time (vmrun
** binds plugin symbols immediately), not crash at the first call. */
extern int vmrun_no_such_function(void);
static int undef_create(const vmrun_host *h, vmrun_machine *m,
                        const vmrun_device_config *dc, void **inst)
{
  (void)h; (void)m; (void)dc; *inst = 0;
  return vmrun_no_such_function();
}
static const vmrun_device_ops undef_ops = {
  sizeof(vmrun_device_ops), 0, undef_create, dev_destroy, 0, 0
};
VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "undef", "1.0.0",
                    "References an undefined symbol", &undef_ops);
#else
#error VARIANT must be defined
#endif
