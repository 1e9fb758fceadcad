/* Links the softmmu plugin into a test binary beside interp: its
** descriptor is renamed so the two do not clash. */
#define vmrun_plugin_descriptor softmmu_desc
#include "../../plugins/softmmu/softmmu.c"
