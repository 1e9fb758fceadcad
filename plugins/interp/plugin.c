/*
** plugins/interp/plugin.c - the descriptor of the engine-interp plugin.
** The engine itself (engine.c, exec.c) is the convenience library
** libinterp.la, which engine-tiered links too.
*/
#include "interp_int.h"

/* The test builds with injected faults (tests/faulty) carry their own
** names. */
#ifndef INTERP_PLUGIN_NAME
#define INTERP_PLUGIN_NAME "interp"
#endif
VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_ENGINE, INTERP_PLUGIN_NAME, "0.1.0",
                    "IR interpreter (direct-threaded), the reference engine",
                    &interp_engine_ops);
