/* Links the interp plugin into a test binary beside softmmu: its
** descriptor is renamed so the two do not clash. */
#define vmrun_plugin_descriptor interp_desc
#include "../../plugins/interp/engine.c"
#include "../../plugins/interp/plugin.c"
