/*
** core/main.c - the vmrun command line.
**
**   vmrun [options] machine.yaml
** Exit status: the guest's poweroff code; 1 for a vmrun error; 2 for a
** usage error; 124 when --max-insns stopped the run.
*/
#include "vmrun-config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "lua.h"
#include "user.h"

static int resolve_paths(vmrun_machine_desc *d)
{
  vmrun_cfg *mn = d->machine_node;
  if (vmrun__cfg_resolve_path(&d->firmware, vmrun__cfg_get(mn, "firmware")) < 0 ||
      vmrun__cfg_resolve_path(&d->kernel, vmrun__cfg_get(mn, "kernel")) < 0 ||
      vmrun__cfg_resolve_path(&d->initrd, vmrun__cfg_get(mn, "initrd")) < 0)
    return -VMRUN_EINVAL;
  for (size_t i = 0; i < d->n_symbols; i++)
    if (vmrun__cfg_resolve_path(&d->symbols[i], d->symbols_nodes[i]) < 0)
      return -VMRUN_EINVAL;
  for (size_t i = 0; i < d->n_memory; i++)
    if (vmrun__cfg_resolve_path(&d->memory[i].file,
                     vmrun__cfg_get(d->memory[i].node, "file")) < 0)
      return -VMRUN_ENOMEM;
  return 0;
}

static void usage(FILE *f)
{
  fprintf(f,
"Usage: vmrun [options] MACHINE.yaml\n"
"       vmrun [options] --user [--sysroot DIR] PROGRAM [ARGS...]\n"
"Run the machine described by MACHINE.yaml (see docs/machine-yaml.md), or\n"
"with --user a Linux program of another ISA directly on the host (user-mode\n"
"emulation; the ISA comes from the ELF header; see docs/user-mode.md).\n"
"\n"
"Options:\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the program version and plugin ABI and exit\n"
"  -L, --list-plugins     list the plugins found: kind, name, version, ABI, path\n"
"  -P, --plugin-path DIR  search DIR for plugins first (repeatable)\n"
"  -s, --set KEY=VALUE    override a YAML key, e.g. --set machine.ram=256M\n"
"                         or --set devices[0].options.chardev=null (repeatable)\n"
"  -v, --verbose          more messages (repeat for debug output)\n"
"      --trace            print each executed translation block to stderr\n"
"      --max-insns N      stop after N guest instructions (exit status 124)\n"
"      --dump-dtb FILE    write the generated device tree blob to FILE and exit\n"
"      --stats            at exit, print instructions retired, wall time, MIPS\n"
"                         and engine counters to stderr\n"
"      --engine-check     run the interpreter in lockstep with the engine, block\n"
"                         by block, and stop (status 1) at the first difference\n"
"                         in guest registers or memory (machine.engine_check)\n"
"      --script FILE[:KEY=VALUE,...]\n"
"                         run the Lua script FILE with args (repeatable; see\n"
"                         docs/lua.md); with --user too, before PROGRAM\n"
"      --script-unsafe    give scripts the io and os libraries\n"
"      --script-insn-limit N\n"
"                         Lua instructions per hook call before it is stopped\n"
"                         as runaway (default 10000000)\n"
"      --user             run PROGRAM [ARGS...] in Linux user mode; exit status:\n"
"                         the program's (128+N if killed by signal N), 127\n"
"                         when it cannot be started\n"
"      --sysroot DIR      user mode: the dynamic loader and absolute paths are\n"
"                         looked up in DIR first\n"
"      --engine NAME      user mode: the engine plugin (default interp)\n"
"      --argv0 NAME       user mode: argv[0] given to the program\n"
"      --script-on-error stop|continue\n"
"                         on a script error: end the run with status 1\n"
"                         (default) or disable that hook and go on\n"
"\n"
"Plugins are searched in: --plugin-path, $VMRUN_PLUGIN_PATH, the build tree\n"
"(when run uninstalled) and %s.\n"
"Exit status: the guest's poweroff code; 1 on a vmrun error; 2 on a usage\n"
"error; 124 when --max-insns was reached.\n", VMRUN_PLUGINDIR);
}

/* `mode: user` (docs/machine-yaml.md): the user: mapping gives the
** program, its args, extra environment, the sysroot and the engine; the
** command line's --sysroot/--engine win.  Returns an exit status. */
static int user_from_yaml(vmrun_cfg *root, vmrun_user_opts *uo)
{
  static const char *const top[] = { "version", "mode", "user", "scripts",
                                     NULL };
  static const char *const keys[] = { "program", "args", "env", "sysroot",
                                      "engine", "engine_options", NULL };
  vmrun_cfg *u = vmrun__cfg_get(root, "user"), *args, *env;
  const char *s;
  char **av = NULL;
  int status;

  if (vmrun__cfg_check_keys(root, top) < 0) return 1;
  if (!u || u->type != VMRUN_CFG_MAP) {
    vmrun__cfg_error(u ? u : root, "mode: user needs a 'user' mapping with "
                     "at least 'program'");
    return 1;
  }
  if (vmrun__cfg_check_keys(u, keys) < 0) return 1;
  if (vmrun__cfg_path(u, "program", NULL, &s) < 0) return 1;
  if (!s) {
    vmrun__cfg_error(u, "missing required key 'program'");
    return 1;
  }
  uo->program = s;
  if (!uo->sysroot) {
    if (vmrun__cfg_path(u, "sysroot", NULL, &s) < 0) return 1;
    uo->sysroot = s;
  }
  if (!uo->engine) {
    if (vmrun__cfg_str(u, "engine", NULL, &s) < 0) return 1;
    uo->engine = s;
  }
  uo->engine_options = vmrun__cfg_get(u, "engine_options");
  if (uo->engine_options && uo->engine_options->type != VMRUN_CFG_MAP) {
    vmrun__cfg_error(uo->engine_options, "expected a mapping KEY: value "
                     "(docs/machine-yaml.md, engine_options)");
    return 1;
  }
  args = vmrun__cfg_get(u, "args");
  if (args && args->type != VMRUN_CFG_SEQ) {
    vmrun__cfg_error(args, "expected a list of strings");
    return 1;
  }
  av = calloc((args ? args->n : 0) + 1, sizeof *av);
  if (!av) return 1;
  for (size_t i = 0; args && i < args->n; i++) {
    if (args->kids[i]->type != VMRUN_CFG_SCALAR) {
      vmrun__cfg_error(args->kids[i], "expected a string");
      free(av);
      return 1;
    }
    av[i] = args->kids[i]->scalar;
  }
  env = vmrun__cfg_get(u, "env");
  if (env && env->type != VMRUN_CFG_MAP) {
    vmrun__cfg_error(env, "expected a mapping NAME: value");
    free(av);
    return 1;
  }
  for (size_t i = 0; env && i < env->n; i++) {
    if (env->kids[i]->type != VMRUN_CFG_SCALAR) {
      vmrun__cfg_error(env->kids[i], "expected a string");
      free(av);
      return 1;
    }
    setenv(env->keys[i], env->kids[i]->scalar, 1);
  }
  uo->args = av;
  uo->yaml = root;
  status = vmrun__user_main(uo);
  free(av);
  return status;
}

/* libltdl opens plugins with lazy binding, so a plugin with an unresolved
** symbol would load and then kill vmrun at its first call.  Run with
** LD_BIND_NOW (re-executing once) so such a plugin fails to load, and the
** loader reports the file and the symbol in one line. */
static void bind_plugins_now(char **argv)
{
  if (getenv("VMRUN_REEXEC")) {          /* second pass: hide our traces */
    if (strcmp(getenv("VMRUN_REEXEC"), "set") == 0) unsetenv("LD_BIND_NOW");
    unsetenv("VMRUN_REEXEC");
    return;
  }
  if (getenv("LD_BIND_NOW")) return;     /* already binding now */
  setenv("LD_BIND_NOW", "1", 1);
  setenv("VMRUN_REEXEC", "set", 1);
  execv("/proc/self/exe", argv);
  unsetenv("LD_BIND_NOW");               /* exec failed: carry on lazily */
  unsetenv("VMRUN_REEXEC");
}

/* User mode drives the engine itself (core/user.c), without the machine
** run loop that --engine-check wraps. */
static void no_user_check(void)
{
  fprintf(stderr, "vmrun: --engine-check is available in machine mode "
          "only, not in user mode\n");
}

int main(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { "list-plugins", no_argument, NULL, 'L' },
    { "plugin-path", required_argument, NULL, 'P' },
    { "set", required_argument, NULL, 's' },
    { "verbose", no_argument, NULL, 'v' },
    { "trace", no_argument, NULL, 1 },
    { "max-insns", required_argument, NULL, 2 },
    { "dump-dtb", required_argument, NULL, 3 },
    { "stats", no_argument, NULL, 4 },
    { "script", required_argument, NULL, 5 },
    { "script-unsafe", no_argument, NULL, 6 },
    { "script-insn-limit", required_argument, NULL, 7 },
    { "script-on-error", required_argument, NULL, 8 },
    { "engine-check", no_argument, NULL, 13 },
    { "user", no_argument, NULL, 9 },
    { "sysroot", required_argument, NULL, 10 },
    { "engine", required_argument, NULL, 11 },
    { "argv0", required_argument, NULL, 12 },
    /* internal: the guest's signal mask kept across its execve (user.c) */
    { "user-sigmask", required_argument, NULL, 14 },
    { NULL, 0, NULL, 0 }
  };
  char **sets = NULL;
  size_t n_sets = 0;
  int list = 0, trace = 0, stats = 0, engine_check = 0, c, status = 1;
  uint64_t max_insns = 0;
  const char *dump_dtb = NULL;
  vmrun_cfg *root;
  vmrun_machine_desc desc;
  vmrun_machine *m;
  vmrun_user_opts uo;
  char **uopts;             /* options repeated on a guest execve */
  size_t n_uopts = 0;
  int user = 0;
  const char *optstring = "hVLP:s:v";

  bind_plugins_now(argv);
  memset(&uo, 0, sizeof uo);
  /* in user mode, options end at PROGRAM: its own options are its args */
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "--user") == 0) optstring = "+hVLP:s:v";
  sets = calloc((size_t)argc, sizeof *sets);
  uopts = calloc((size_t)argc * 2 + 1, sizeof *uopts);
  if (!sets || !uopts) {
    fprintf(stderr, "vmrun: out of memory\n");
    free(sets); free(uopts);
    return 1;
  }
  while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
    switch (c) {
    case 'h': usage(stdout); free(sets); return 0;
    case 'V':
      printf("vmrun %s\nplugin SDK ABI %d.%d\n", PACKAGE_VERSION,
             VMRUN_ABI_MAJOR, VMRUN_ABI_MINOR);
      free(sets);
      return 0;
    case 'L': list = 1; break;
    case 'P':
      vmrun__plugin_path_add(optarg);
      uopts[n_uopts++] = (char *)"-P"; uopts[n_uopts++] = optarg;
      break;
    case 's': sets[n_sets++] = optarg; break;
    case 'v': vmrun__verbose++; uopts[n_uopts++] = (char *)"-v"; break;
    case 1: trace = 1; break;
    case 2:
      if (vmrun__parse_u64(optarg, &max_insns) < 0 || max_insns == 0) {
        fprintf(stderr, "vmrun: --max-insns: expected a positive count, got "
                "'%s'\n", optarg);
        free(sets);
        return 2;
      }
      break;
    case 3: dump_dtb = optarg; break;
    case 4: stats = 1; break;
    case 5: case 7: case 8:
      if ((c == 5 ? vmrun__lua_add_script(optarg)
           : c == 7 ? vmrun__lua_set_insn_limit(optarg)
                    : vmrun__lua_set_on_error(optarg)) < 0) {
        free(sets);
        return 2;
      }
      break;
    case 6: vmrun__lua_set_unsafe(1); break;
    case 13: engine_check = 1; break;
    case 9: user = 1; break;
    case 10:
      uo.sysroot = optarg;
      break;
    case 11:
      uo.engine = optarg;
      break;
    case 12: uo.argv0 = optarg; break;
    case 14: {
      char *end;
      errno = 0;
      uo.sigmask = strtoull(optarg, &end, 16);
      if (errno || end == optarg || *end) {
        fprintf(stderr, "vmrun: --user-sigmask: '%s' is not a hex mask\n",
                optarg);
        free(sets);
        free(uopts);
        return 2;
      }
      break;
    }
    default:
      fprintf(stderr, "Try 'vmrun --help'.\n");
      free(sets);
      free(uopts);
      return 2;
    }
  }
  vmrun__plugin_path_defaults();
  if (engine_check && user) {
    no_user_check();
    vmrun__loader_exit();
    free(sets);
    free(uopts);
    return 2;
  }
  if (user && !list) {
    if (optind >= argc) {
      fprintf(stderr, "vmrun: --user: missing PROGRAM\nTry 'vmrun --help'.\n");
      status = 2;
    } else {
      uo.program = argv[optind];
      uo.args = &argv[optind + 1];
      uo.verbose = vmrun__verbose;
      uo.trace = trace;
      uo.max_insns = max_insns;
      uo.vmrun_opts = uopts;
      uo.stats = stats;
      status = vmrun__user_main(&uo);
    }
    vmrun__loader_exit();
    free(sets);
    free(uopts);
    return status;
  }
  if (list) {
    vmrun__plugin_list(stdout);
    vmrun__loader_exit();
    free(sets);
    return 0;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "vmrun: %s\nTry 'vmrun --help'.\n",
            optind >= argc ? "missing MACHINE.yaml"
                           : "too many arguments (one MACHINE.yaml expected)");
    vmrun__loader_exit();
    free(sets);
    return 2;
  }

  root = vmrun__cfg_load_file(argv[optind]);
  if (!root) goto out;
  for (size_t i = 0; i < n_sets; i++)
    if (vmrun__cfg_set(root, sets[i]) < 0) {
      vmrun__cfg_free(root);
      status = 2;
      goto out;
    }
  {
    const char *mode;
    if (vmrun__cfg_str(root, "mode", "machine", &mode) < 0) {
      vmrun__cfg_free(root);
      goto out;
    }
    if (strcmp(mode, "user") == 0 && engine_check) {
      no_user_check();
      vmrun__cfg_free(root);
      status = 2;
      goto out;
    }
    if (strcmp(mode, "user") == 0) {
      uo.verbose = vmrun__verbose;
      uo.trace = trace;
      uo.max_insns = max_insns;
      uo.vmrun_opts = uopts;
      uo.stats = stats;
      status = user_from_yaml(root, &uo);
      vmrun__cfg_free(root);
      goto out;
    }
    if (strcmp(mode, "machine") != 0) {
      vmrun__cfg_error(vmrun__cfg_get(root, "mode"), "expected machine or "
                       "user, got '%s'", mode);
      vmrun__cfg_free(root);
      goto out;
    }
  }
  memset(&desc, 0, sizeof desc);
  if (vmrun__desc_build(root, &desc) < 0 || resolve_paths(&desc) < 0) {
    vmrun__desc_free(&desc);
    goto out;
  }
  if (engine_check) desc.engine_check = 1;
  m = vmrun__machine_new(&desc, vmrun__verbose, trace, max_insns);
  if (!m) goto out;
  if (dump_dtb) {
    FILE *f = fopen(dump_dtb, "wb");
    if (!f || fwrite(m->fdt, 1, m->fdt_size, f) != m->fdt_size) {
      fprintf(stderr, "vmrun: %s: %s\n", dump_dtb, strerror(errno));
      if (f) fclose(f);
    } else if (fclose(f) != 0) {
      fprintf(stderr, "vmrun: %s: %s\n", dump_dtb, strerror(errno));
    } else {
      status = 0;
    }
  } else {
    uint64_t t0 = vmrun__host_ns();
    if (vmrun__lua_start(m) < 0) {
      vmrun__machine_free(m);
      goto out;
    }
    vmrun__lua_run_start(m);
    status = vmrun__machine_run(m);
    status = vmrun__lua_finish(m, status);
    if (stats) vmrun__machine_stats(m, vmrun__host_ns() - t0, stderr);
  }
  vmrun__machine_free(m);
out:
  vmrun__loader_exit();
  free(sets);
  free(uopts);
  return status;
}
