/*
** plugins/tjit/plugin.c - the descriptor of the engine-tjit plugin.  The
** engine itself (engine.c, cache.c, codegen.c) is the convenience library
** libtjit.la, which engine-tiered links too.
*/
#include "tjit_int.h"

VMRUN_PLUGIN_DEFINE(VMRUN_PLUGIN_ENGINE, "tjit", "0.1.0",
                    "template JIT to x86-64 with block chaining",
                    &tjit_engine_ops);
