/*
** core/loader.c - finding, opening and checking plugins with libltdl.
**
** Search order: --plugin-path directories (in order given), then
** VMRUN_PLUGIN_PATH (colon-separated), then the build tree when vmrun runs
** uninstalled from it, then $(pkglibdir)/plugins.  A plugin `<kind>-<name>`
** is opened with lt_dlopenext, so `.la` (build tree) and `.so` both work.
**
** Every check happens before the core touches the vtable: descriptor
** symbol present, struct size, ABI major equal, ABI minor not newer,
** fingerprint, kind, name.  Each refusal is one line naming the file.
*/
#include "vmrun-config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

static char **search_dirs;
static size_t n_search_dirs;
static int ltdl_ready;

static const char *const kind_names[] = {
  NULL, "frontend", "engine", "mmu", "accel", "device"
};

const char *vmrun__kind_name(unsigned kind)
{
  return (kind >= 1 && kind <= 5) ? kind_names[kind] : "unknown";
}

int vmrun__loader_init(void)
{
  if (!ltdl_ready) {
    if (lt_dlinit() != 0) {
      vmrun__diag("vmrun: cannot initialise libltdl: %s", lt_dlerror());
      return -VMRUN_EIO;
    }
    ltdl_ready = 1;
  }
  return 0;
}

void vmrun__loader_exit(void)
{
  vmrun__plugin_path_clear();
  if (ltdl_ready) { lt_dlexit(); ltdl_ready = 0; }
}

void vmrun__plugin_path_clear(void)
{
  for (size_t i = 0; i < n_search_dirs; i++) free(search_dirs[i]);
  free(search_dirs);
  search_dirs = NULL;
  n_search_dirs = 0;
}

void vmrun__plugin_path_add(const char *dir)
{
  char **nd;
  char *copy;
  if (!dir || !*dir) return;
  for (size_t i = 0; i < n_search_dirs; i++)
    if (strcmp(search_dirs[i], dir) == 0) return;
  copy = strdup(dir);
  nd = realloc(search_dirs, (n_search_dirs + 1) * sizeof *nd);
  if (!copy || !nd) { free(copy); if (nd) search_dirs = nd; return; }
  search_dirs = nd;
  search_dirs[n_search_dirs++] = copy;
}

/* Directory of this executable, or 0. */
static int exe_dir(char *buf, size_t len)
{
  ssize_t n = readlink("/proc/self/exe", buf, len - 1);
  char *slash;
  if (n <= 0) return 0;
  buf[n] = 0;
  if (!(slash = strrchr(buf, '/'))) return 0;
  *slash = 0;
  return 1;
}

/* Relative path from directory `from` to `to` (both absolute, normalised
** as configure writes them), e.g. /usr/bin -> /usr/lib/vmrun/plugins gives
** ../lib/vmrun/plugins.  0 if it cannot be formed. */
static int relative_path(const char *from, const char *to, char *out,
                         size_t len)
{
  size_t common = 0, i = 0, used = 0;
  if (from[0] != '/' || to[0] != '/') return 0;
  for (; from[i] && from[i] == to[i]; i++)
    if (from[i] == '/') common = i;
  if (!from[i] && (to[i] == '/' || !to[i])) common = i;
  out[0] = 0;
  for (const char *p = from + common; *p; p++)
    if (*p == '/') {
      if (used + 3 >= len) return 0;
      memcpy(out + used, "../", 4);
      used += 3;
    }
  if (to[common] == '/') common++;
  if (used + strlen(to + common) + 1 > len) return 0;
  strcpy(out + used, to + common);
  return 1;
}

/* Is this executable the one in the build tree?  Then its plugins are in
** VMRUN_BUILD_PLUGINDIR (run without `make install`). */
static int running_uninstalled(void)
{
  char exe[PATH_MAX], build[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char *slash;
  if (n <= 0) return 0;
  exe[n] = 0;
  slash = strrchr(exe, '/');
  if (!slash) return 0;
  *slash = 0;
  if (!realpath(VMRUN_BUILDDIR, build)) return 0;
  if (strcmp(exe, build) == 0) return 1;
  /* libtool may relink into .libs/ */
  slash = strrchr(exe, '/');
  return slash && strcmp(slash, "/.libs") == 0 &&
         (*slash = 0, strcmp(exe, build) == 0);
}

void vmrun__plugin_path_defaults(void)
{
  const char *env = getenv("VMRUN_PLUGIN_PATH");
  if (env) {
    char *copy = strdup(env), *save = NULL, *tok;
    if (copy) {
      for (tok = strtok_r(copy, ":", &save); tok;
           tok = strtok_r(NULL, ":", &save))
        vmrun__plugin_path_add(tok);
      free(copy);
    }
  }
  if (running_uninstalled()) vmrun__plugin_path_add(VMRUN_BUILD_PLUGINDIR);
  {
    /* A relocated install (DESTDIR, a moved prefix): the plugin directory
    ** at the same place relative to this executable as pkglibdir/plugins
    ** is to bindir. */
    char exe[PATH_MAX], rel[PATH_MAX];
    if (exe_dir(exe, sizeof exe) &&
        relative_path(VMRUN_BINDIR, VMRUN_PLUGINDIR, rel, sizeof rel) &&
        strlen(exe) + strlen(rel) + 2 < sizeof exe) {
      strcat(exe, "/");
      strcat(exe, rel);
      vmrun__plugin_path_add(exe);
    }
  }
  vmrun__plugin_path_add(VMRUN_PLUGINDIR);
}

static int file_exists(const char *p)
{
  return access(p, F_OK) == 0;
}

/* Validate a descriptor; prints one line and returns an error if bad. */
static int check_desc(const char *path, const vmrun_plugin_desc *d,
                      enum vmrun_plugin_kind kind)
{
  if (d->struct_size < offsetof(vmrun_plugin_desc, ops) + sizeof(void *)) {
    vmrun__diag("vmrun: plugin %s: descriptor is truncated (%u bytes, "
                "ABI 1.0 needs at least %zu)", path, (unsigned)d->struct_size,
                offsetof(vmrun_plugin_desc, ops) + sizeof(void *));
    return -VMRUN_EABI;
  }
  if (d->abi_major != VMRUN_ABI_MAJOR) {
    vmrun__diag("vmrun: plugin %s: built for plugin ABI %u.%u, this vmrun "
                "provides ABI %u.%u; rebuild the plugin against vmrun's SDK "
                "%u.x", path, d->abi_major, d->abi_minor, VMRUN_ABI_MAJOR,
                VMRUN_ABI_MINOR, VMRUN_ABI_MAJOR);
    return -VMRUN_EABI;
  }
  if (d->abi_minor > VMRUN_ABI_MINOR) {
    vmrun__diag("vmrun: plugin %s: needs plugin ABI %u.%u, this vmrun "
                "provides only ABI %u.%u; upgrade vmrun", path, d->abi_major,
                d->abi_minor, VMRUN_ABI_MAJOR, VMRUN_ABI_MINOR);
    return -VMRUN_EABI;
  }
  if (d->abi_fingerprint != VMRUN_ABI_FINGERPRINT) {
    vmrun__diag("vmrun: plugin %s: incompatible build configuration "
                "(fingerprint 0x%x, this vmrun 0x%x: other word size or "
                "byte order)", path, d->abi_fingerprint,
                (unsigned)VMRUN_ABI_FINGERPRINT);
    return -VMRUN_EABI;
  }
  if (d->kind < VMRUN_PLUGIN_FRONTEND || d->kind > VMRUN_PLUGIN_DEVICE ||
      !d->name || !d->version || !d->description || !d->ops) {
    vmrun__diag("vmrun: plugin %s: malformed descriptor (unknown kind %u or "
                "missing name, version, description or vtable)", path,
                d->kind);
    return -VMRUN_EABI;
  }
  if (*(const uint32_t *)d->ops < 2 * sizeof(uint32_t) + sizeof(void *)) {
    vmrun__diag("vmrun: plugin %s: vtable is truncated (%u bytes)", path,
                *(const uint32_t *)d->ops);
    return -VMRUN_EABI;
  }
  if (kind && d->kind != (uint32_t)kind) {
    vmrun__diag("vmrun: plugin %s: '%s' is a %s plugin, not a %s plugin",
                path, d->name, vmrun__kind_name(d->kind),
                vmrun__kind_name(kind));
    return -VMRUN_EINVAL;
  }
  return 0;
}

static int dlerror_copy(char *buf, size_t len)
{
  const char *e = dlerror();
  if (!e) return 0;
  snprintf(buf, len, "%s", e);
  return 1;
}

/* The shared object behind a plugin path: itself, or for a libtool .la
** file its dlname, next to it or in .libs/ (uninstalled build tree). */
static int shared_object_of(const char *path, char *out, size_t len)
{
  size_t n = strlen(path);
  FILE *f;
  char line[512], dlname[256] = "";
  const char *slash;
  if (n < 3 || strcmp(path + n - 3, ".la") != 0) {
    snprintf(out, len, "%s", path);
    return 1;
  }
  if (!(f = fopen(path, "r"))) return 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "dlname='%255[^']'", dlname) == 1) break;
  fclose(f);
  if (!dlname[0]) return 0;
  slash = strrchr(path, '/');
  n = slash ? (size_t)(slash - path) : 0;
  snprintf(out, len, "%.*s%s.libs/%s", (int)n, path, slash ? "/" : "", dlname);
  if (access(out, F_OK) != 0)
    snprintf(out, len, "%.*s%s%s", (int)n, path, slash ? "/" : "", dlname);
  return 1;
}

int vmrun__plugin_open_file(const char *path, enum vmrun_plugin_kind kind,
                            vmrun_plugin *out)
{
  lt_dlhandle h;
  const vmrun_plugin_desc *d;
  int rc;

  memset(out, 0, sizeof *out);
  if ((rc = vmrun__loader_init()) < 0) return rc;
  lt_dladvise adv;
  if (lt_dladvise_init(&adv) || lt_dladvise_ext(&adv) ||
      lt_dladvise_local(&adv)) {
    vmrun__diag("vmrun: plugin %s: %s", path, lt_dlerror());
    return -VMRUN_EIO;
  }
  h = lt_dlopenadvise(path, adv);
  lt_dladvise_destroy(&adv);
  if (!h) {
    const char *why = lt_dlerror();
    char so[PATH_MAX], reason[512];
    /* libltdl reports most dlopen failures as "file not found": ask the
    ** dynamic linker for the real reason (e.g. an undefined symbol) */
    if (shared_object_of(path, so, sizeof so)) {
      void *dh = dlopen(so, RTLD_NOW | RTLD_LOCAL);
      if (dh) dlclose(dh);
      else if (dlerror_copy(reason, sizeof reason)) why = reason;
    }
    vmrun__diag("vmrun: plugin %s: cannot load: %s", path, why);
    rc = -VMRUN_EIO;
    goto err;
  }
  d = (const vmrun_plugin_desc *)lt_dlsym(h, VMRUN_PLUGIN_SYMBOL_NAME);
  if (!d) {
    vmrun__diag("vmrun: plugin %s: no '%s' symbol: not a vmrun plugin",
                path, VMRUN_PLUGIN_SYMBOL_NAME);
    rc = -VMRUN_EABI;
    goto err_close;
  }
  if ((rc = check_desc(path, d, kind)) < 0) goto err_close;
  out->path = strdup(path);
  if (!out->path) {
    vmrun__diag("vmrun: out of memory");
    rc = -VMRUN_ENOMEM;
    goto err_close;
  }
  out->handle = h;
  out->desc = d;
  return 0;

err_close:
  lt_dlclose(h);
err:
  return rc;
}

void vmrun__plugin_unload(vmrun_plugin *p)
{
  if (p->handle) lt_dlclose(p->handle);
  free(p->path);
  memset(p, 0, sizeof *p);
}

int vmrun__plugin_load(enum vmrun_plugin_kind kind, const char *name,
                       vmrun_plugin *out)
{
  char path[PATH_MAX];
  static const char *const exts[] = { ".la", ".so", "" };

  if (!name || !*name || strchr(name, '/')) {
    vmrun__diag("vmrun: invalid %s plugin name '%s'", vmrun__kind_name(kind),
                name ? name : "");
    return -VMRUN_EINVAL;
  }
  for (size_t i = 0; i < n_search_dirs; i++) {
    for (size_t e = 0; e < sizeof exts / sizeof *exts; e++) {
      snprintf(path, sizeof path, "%s/%s-%s%s", search_dirs[i],
               vmrun__kind_name(kind), name, exts[e]);
      if (!file_exists(path)) continue;
      int rc = vmrun__plugin_open_file(path, kind, out);
      if (rc < 0) return rc;
      if (strcmp(out->desc->name, name) != 0) {
        vmrun__diag("vmrun: plugin %s: calls itself '%s', expected '%s'",
                    path, out->desc->name, name);
        vmrun__plugin_unload(out);
        return -VMRUN_EABI;
      }
      return 0;
    }
  }
  {
    char dirs[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < n_search_dirs && len < sizeof dirs; i++)
      len += (size_t)snprintf(dirs + len, sizeof dirs - len, "%s%s",
                              i ? ":" : "", search_dirs[i]);
    vmrun__diag("vmrun: no %s plugin named '%s' (searched %s; see "
                "vmrun --list-plugins)", vmrun__kind_name(kind), name,
                n_search_dirs ? dirs : "nothing");
  }
  return -VMRUN_ENOENT;
}

/* Plugin files are named <kind>-<name>; other libraries may share the
** directory (libtool convenience libraries, a distribution's helpers). */
static int has_kind_prefix(const char *file)
{
  for (unsigned k = VMRUN_PLUGIN_FRONTEND; k <= VMRUN_PLUGIN_DEVICE; k++) {
    size_t n = strlen(kind_names[k]);
    if (strncmp(file, kind_names[k], n) == 0 && file[n] == '-') return 1;
  }
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int vmrun__plugin_list(FILE *out)
{
  char **seen = NULL;
  size_t n_seen = 0;
  int found = 0;

  fprintf(out, "%-9s %-14s %-8s %-5s %s\n", "KIND", "NAME", "VERSION", "ABI",
          "PATH");
  for (size_t i = 0; i < n_search_dirs; i++) {
    DIR *dir = opendir(search_dirs[i]);
    struct dirent *de;
    char **names = NULL;
    size_t n_names = 0;
    if (!dir) continue;
    while ((de = readdir(dir))) {
      size_t len = strlen(de->d_name);
      char **nn;
      if (!((len > 3 && strcmp(de->d_name + len - 3, ".la") == 0) ||
            (len > 3 && strcmp(de->d_name + len - 3, ".so") == 0)))
        continue;
      if (!has_kind_prefix(de->d_name)) continue; /* not <kind>-<name> */
      nn = realloc(names, (n_names + 1) * sizeof *nn);
      if (!nn) break;
      names = nn;
      if (!(names[n_names] = strdup(de->d_name))) break;
      n_names++;
    }
    closedir(dir);
    qsort(names, n_names, sizeof *names, cmp_str);
    for (size_t k = 0; k < n_names; k++) {
      char base[NAME_MAX + 1], path[PATH_MAX];
      vmrun_plugin p;
      int dup = 0;
      snprintf(base, sizeof base, "%.*s", (int)(strlen(names[k]) - 3),
               names[k]);
      for (size_t s = 0; s < n_seen; s++)
        if (strcmp(seen[s], base) == 0) dup = 1;
      if (!dup) {
        char **ns = realloc(seen, (n_seen + 1) * sizeof *ns);
        if (ns) {
          seen = ns;
          if ((seen[n_seen] = strdup(base))) n_seen++;
        }
        snprintf(path, sizeof path, "%s/%s", search_dirs[i], names[k]);
        if (vmrun__plugin_open_file(path, 0, &p) == 0) {
          char abi[16];
          snprintf(abi, sizeof abi, "%u.%u", p.desc->abi_major,
                   p.desc->abi_minor);
          fprintf(out, "%-9s %-14s %-8s %-5s %s\n",
                  vmrun__kind_name(p.desc->kind), p.desc->name,
                  p.desc->version, abi, path);
          found++;
          vmrun__plugin_unload(&p);
        }
      }
      free(names[k]);
    }
    free(names);
  }
  for (size_t s = 0; s < n_seen; s++) free(seen[s]);
  free(seen);
  if (!found) fprintf(out, "(no plugins found)\n");
  return found;
}
