/* Links the tjit plugin into a test binary beside softmmu: its descriptor
** is renamed so the two do not clash (cache.c and codegen.c are compiled
** as they are). */
#define vmrun_plugin_descriptor tjit_desc
#include "../../plugins/tjit/engine.c"
#include "../../plugins/tjit/plugin.c"
