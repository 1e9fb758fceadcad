/*
** core/user.h - Linux user-mode emulation (core/user.c), the entry point
** behind `vmrun --user` and `mode: user`.
*/
#ifndef VMRUN_CORE_USER_H
#define VMRUN_CORE_USER_H

#include <stdint.h>

/* Exit status for a program that cannot be started (like a shell's 127
** for a missing program). */
#define VMRUN_USER_EXIT_NOEXEC 127

typedef struct vmrun_user_opts {
  const char *program;      /* path of the guest program */
  const char *argv0;        /* argv[0] for the guest, or NULL = program */
  uint64_t sigmask;         /* the guest's initial signal mask (bit n-1:
                               signal n), inherited across execve */
  char **args;              /* argv[1..], NULL-terminated */
  char **env;               /* environment (NULL-terminated); NULL = host */
  const char *sysroot;      /* prefix for PT_INTERP and absolute paths */
  const char *engine;       /* engine plugin name, or NULL for interp */
  int verbose, trace;
  int stats;                /* --stats: counters to stderr at exit */
  uint64_t max_insns;       /* 0 = unlimited */
  char **vmrun_opts;        /* vmrun options (-P, -v) to repeat on a
                               guest execve, besides sysroot and engine
                               (NULL-terminated, or NULL) */
  struct vmrun_cfg *yaml;   /* `mode: user` file: its scripts: run too;
                               or NULL */
  struct vmrun_cfg *engine_options; /* its user.engine_options mapping, or
                               NULL (not passed on to an execve'd program) */
} vmrun_user_opts;

/* Run the program; returns its exit status (128 + signal for a fatal
** signal), 127 when it cannot be started (one line printed), 1 on an
** internal error. */
int vmrun__user_main(const vmrun_user_opts *o);

#endif
