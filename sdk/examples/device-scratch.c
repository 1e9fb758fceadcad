/*
** sdk/examples/device-scratch.c - the example from docs/sdk.md: a device
** plugin built out of tree against the SDK headers only.
**   cc -std=gnu11 -fPIC -fvisibility=hidden -shared -I<vmrun>/sdk/include \
**      device-scratch.c -lfdt -o device-scratch.so
** tests/integration/sdk-example.sh builds it this way, loads it with
** --plugin-path and has a guest read its register.
*/
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <vmrun/vmrun.h>

struct scratch { const vmrun_host *host; vmrun_machine *m; uint64_t base; uint32_t reg; };

static uint64_t rd(void *o, uint64_t off, unsigned size)
{ struct scratch *s = o; (void)size; return off == 0 ? s->reg : 0; }
static void wr(void *o, uint64_t off, unsigned size, uint64_t v)
{ struct scratch *s = o; (void)size; if (off == 0) s->reg = (uint32_t)v; }
static const vmrun_mmio_ops mmio = { rd, wr };

static int create(const vmrun_host *h, vmrun_machine *m,
                  const vmrun_device_config *dc, void **inst)
{
  static const char *const keys[] = { "initial", NULL };
  struct scratch *s = calloc(1, sizeof *s);
  uint64_t init;
  int rc;
  if (!s) return -VMRUN_ENOMEM;
  s->host = h; s->m = m;
  s->base = dc->base == VMRUN_DEVICE_NO_BASE ? 0x10010000 : dc->base;
  if ((rc = h->cfg_check_keys(dc->options, keys)) < 0 ||
      (rc = h->cfg_u64(dc->options, "initial", 0, &init)) < 0 ||
      (rc = h->mmio_register(m, dc->name, s->base, 0x1000, &mmio, s)) < 0) {
    free(s);
    return rc;
  }
  s->reg = (uint32_t)init;
  *inst = s;
  return 0;
}

static void destroy(void *inst) { free(inst); }

static int fdt_populate(void *inst, void *fdt, int parent)
{
  struct scratch *s = inst;
  char name[32];
  fdt64_t reg[2] = { cpu_to_fdt64(s->base), cpu_to_fdt64(0x1000) };
  int node;
  snprintf(name, sizeof name, "scratch@%llx", (unsigned long long)s->base);
  if ((node = fdt_add_subnode(fdt, parent, name)) < 0) return -VMRUN_ENOSPC;
  if (fdt_setprop_string(fdt, node, "compatible", "example,scratch") < 0 ||
      fdt_setprop(fdt, node, "reg", reg, sizeof reg) < 0)
    return -VMRUN_ENOSPC;
  return 0;
}

static const vmrun_device_ops ops = {
  sizeof ops, 0, create, destroy, fdt_populate, NULL
};
VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_DEVICE, "scratch", "1.0.0",
                    "A scratch register, as an example", &ops);
