/* Links the tiered plugin into a test binary beside softmmu: its
** descriptor is renamed so the two do not clash (the interp and tjit
** engine sources are compiled as they are). */
#define vmrun_plugin_descriptor tiered_desc
#include "../../plugins/tiered/tiered.c"
