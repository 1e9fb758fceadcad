/*
** core/sysnames.h - Linux system call names, asm-generic numbering
** (core/sysnames.c).
*/
#ifndef VMRUN_CORE_SYSNAMES_H
#define VMRUN_CORE_SYSNAMES_H

#include <stdint.h>

/* The name of system call `nr` ("openat"), or NULL when the number has
** none (unassigned, or another architecture's). */
const char *vmrun__syscall_name(uint64_t nr);

#endif
