/*
** vmrun/vmrun.h - the whole plugin SDK in one include.
** See docs/sdk.md for a guide; each header documents its own types.
*/
#ifndef VMRUN_VMRUN_H
#define VMRUN_VMRUN_H

#include "version.h"
#include "error.h"
#include "cpu.h"
#include "ir.h"
#include "mmu_types.h"
#include "host.h"
#include "plugin.h"
#include "frontend.h"
#include "mmu.h"
#include "engine.h"
#include "accel.h"
#include "device.h"

#endif
