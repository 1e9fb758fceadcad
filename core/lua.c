/*
** core/lua.c - Lua 5.4 scripting: the `vmrun` module, hooks, sandbox.
** The API is documented in docs/lua.md.
**
** Hooks and where they are called from:
**   on_start / on_exit    main.c, around vmrun__machine_run
**   on_block / on_insn    IR CALLs inserted by vmrun__lua_instrument into
**                         newly translated blocks (engine thread, mid-run)
**   on_mmio               core/physmem.c MMIO dispatch
**   every (instructions)  run loop, between slices (slice_for is clamped)
**   every_ns              core virtual-time timers (run loop)
**   on_trap               vmrun_host.trap_event, from the frontend's trap
**                         entry (vCPU thread), while VMRUN_EVENT_TRAP is
**                         set in the harts' events
**   tier_policy           the engine's decide() (set_tier_policy), from
**                         run() between blocks, once per hot block
** Every call goes through lua_pcall with a traceback message handler and a
** count hook that stops runaway callbacks (--script-insn-limit).  Memory
** of the state is capped by the allocator.
*/
#include "vmrun-config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lua.h"
#include "symbols.h"
#include "sysnames.h"

#if LUA_VERSION_NUM != 504
#error "vmrun needs Lua 5.4"
#endif

#define LUA_MEM_LIMIT (256u << 20)       /* bytes per state */
#define DEFAULT_INSN_LIMIT 10000000u     /* Lua VM instructions per call */

enum on_error { ON_ERROR_STOP = 0, ON_ERROR_CONTINUE = 1 };

/* ---- options from the command line ---- */
typedef struct cli_script { char *path; char *args; } cli_script;
static struct {
  cli_script *s; size_t n;
  int unsafe;
  uint64_t insn_limit;
  int on_error;
} opt = { NULL, 0, 0, DEFAULT_INSN_LIMIT, ON_ERROR_STOP };

enum hook_kind {
  H_START, H_EXIT, H_INSN, H_BLOCK, H_MMIO, H_EVERY, H_EVERY_NS, H_TRAP,
  H_POLICY,
  H_SYSCALL, H_SYSCALL_EXIT,            /* user mode only */
  H_MEM,
  H_NKINDS
};
static const char *const kind_name[H_NKINDS] = {
  "on_start", "on_exit", "on_insn", "on_block", "on_mmio", "every",
  "every_ns", "on_trap", "tier_policy", "on_syscall", "on_syscall_exit",
  "on_mem"
};

typedef struct lua_hook {
  int kind;             /* enum hook_kind */
  int ref;              /* function in the registry */
  int script;           /* index in S->scripts */
  int dead;             /* removed or disabled after an error */
  uint64_t from, to;    /* H_INSN: PC range; H_MEM: address range
                           (both inclusive) */
  int rw;               /* H_MEM: 1 = reads, 2 = writes, 3 = both */
  char *device;         /* H_MMIO: region name or NULL (all) */
  uint64_t period;      /* H_EVERY: insns; H_EVERY_NS: ns */
  uint64_t next;        /* H_EVERY: total icount when due */
  vmrun_timer *timer;   /* H_EVERY_NS */
  struct vmrun_lua *S;
} lua_hook;

typedef struct lua_script {
  char *path;
  int on_error;
} lua_script;

struct vmrun_lua {
  vmrun_machine *m;
  lua_State *L;
  size_t mem, mem_limit;
  lua_script *scripts; size_t n_scripts;
  lua_hook **hooks; size_t n_hooks;      /* id = index + 1 */
  int n_active[H_NKINDS];
  int cur_script;                         /* script being loaded */
  int failed;                             /* error under on_error=stop */
  int exit_code_set, exit_code;
  int in_mmio;                            /* no recursion from MMIO hooks */
  vmrun_cpu *cpu;                         /* vCPU of the running hook */
  vmrun_ir_op *tmp; uint32_t tmp_cap;     /* instrumentation scratch */
  vmrun_symtab *syms;                     /* vmrun.symbol / lookup */
  lua_hook *policy;                       /* vmrun.tier_policy, or NULL */
};

/* ---- command line ---- */

int vmrun__lua_add_script(const char *spec)
{
  cli_script *n = realloc(opt.s, (opt.n + 1) * sizeof *n);
  const char *colon = strchr(spec, ':');
  if (!n) { vmrun__diag("vmrun: out of memory"); return -1; }
  opt.s = n;
  /* FILE:key=value,...: the first ':' followed by an assignment */
  while (colon && colon[1] && !strchr(colon + 1, '='))
    colon = strchr(colon + 1, ':');
  n = &opt.s[opt.n];
  n->path = colon ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
  n->args = colon ? strdup(colon + 1) : NULL;
  if (!n->path || !*n->path) {
    vmrun__diag("vmrun: --script: expected FILE[:key=value,...], got '%s'",
                spec);
    free(n->path); free(n->args);
    return -1;
  }
  opt.n++;
  return 0;
}

void vmrun__lua_set_unsafe(int on) { opt.unsafe = on; }

int vmrun__lua_set_insn_limit(const char *arg)
{
  uint64_t v;
  if (vmrun__parse_u64(arg, &v) < 0 || v == 0 || v > INT32_MAX) {
    vmrun__diag("vmrun: --script-insn-limit: expected a count from 1 to %d, "
                "got '%s'", INT32_MAX, arg);
    return -1;
  }
  opt.insn_limit = v;
  return 0;
}

static int parse_on_error(const char *s)
{
  if (strcmp(s, "stop") == 0) return ON_ERROR_STOP;
  if (strcmp(s, "continue") == 0) return ON_ERROR_CONTINUE;
  return -1;
}

int vmrun__lua_set_on_error(const char *arg)
{
  int v = parse_on_error(arg);
  if (v < 0) {
    vmrun__diag("vmrun: --script-on-error: expected stop or continue, got "
                "'%s'", arg);
    return -1;
  }
  opt.on_error = v;
  return 0;
}

int vmrun__lua_wanted(const vmrun_machine_desc *d)
{
  return opt.n > 0 || d->n_scripts > 0;
}

/* ---- allocator with a cap, runaway guard, error reporting ---- */

static void *lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  struct vmrun_lua *S = ud;
  size_t old = ptr ? osize : 0;
  void *p;
  if (nsize == 0) {
    free(ptr);
    S->mem -= old;
    return NULL;
  }
  if (nsize > old && S->mem - old + nsize > S->mem_limit) return NULL;
  p = realloc(ptr, nsize);
  if (p) S->mem = S->mem - old + nsize;
  return p;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
  lua_Debug d;
  (void)ar;
  if (lua_getstack(L, 0, &d) && lua_getinfo(L, "Sl", &d) &&
      d.currentline > 0)
    lua_pushfstring(L, "%s:%d: ", d.short_src, d.currentline);
  else
    lua_pushliteral(L, "");
  lua_pushfstring(L, "%sinstruction limit exceeded (%I Lua instructions in "
                  "one call; see --script-insn-limit)", lua_tostring(L, -1),
                  (lua_Integer)opt.insn_limit);
  lua_error(L);
}

static int msgh(lua_State *L)
{
  const char *msg = lua_tostring(L, 1);
  if (!msg) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      msg = lua_tostring(L, -1);
    else
      msg = lua_pushfstring(L, "(error object is a %s value)",
                            luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Does msg start with "SOMETHING:LINE:"? */
static int has_position(const char *msg)
{
  const char *c = strchr(msg, ':');
  while (c) {
    const char *d = c + 1;
    if (*d >= '0' && *d <= '9') {
      while (*d >= '0' && *d <= '9') d++;
      if (*d == ':') return 1;
    }
    if (c > msg && c[-1] == ' ') return 0;
    c = strchr(c + 1, ':');
  }
  return 0;
}

/* Print "vmrun: [warning: ]SCRIPT:LINE: message[ suffix]" (one line; the
** traceback follows with -v). */
static void report(struct vmrun_lua *S, int script, int status,
                   const char *what, int warning)
{
  lua_State *L = S->L;
  const char *msg = lua_tostring(L, -1), *nl;
  const char *path = script >= 0 ? S->scripts[script].path : "?";
  char first[1024];
  size_t len;
  if (status == LUA_ERRMEM || !msg) {
    vmrun__diag("vmrun: %s%s: out of memory (Lua state limit %zu MiB)%s",
                warning ? "warning: " : "", path, S->mem_limit >> 20,
                what ? what : "");
    return;
  }
  nl = strchr(msg, '\n');
  len = nl ? (size_t)(nl - msg) : strlen(msg);
  if (len >= sizeof first) len = sizeof first - 1;
  memcpy(first, msg, len);
  first[len] = 0;
  if (has_position(first))
    vmrun__diag("vmrun: %s%s%s", warning ? "warning: " : "", first,
                what ? what : "");
  else
    vmrun__diag("vmrun: %s%s: %s%s", warning ? "warning: " : "", path, first,
                what ? what : "");
  if (nl && vmrun__verbose) {
    const char *p = nl + 1;
    while (*p) {
      const char *e = strchr(p, '\n');
      size_t l = e ? (size_t)(e - p) : strlen(p);
      vmrun__diag("vmrun:   %.*s", (int)l, p);
      if (!e) break;
      p = e + 1;
    }
  }
}

static void hook_unref(struct vmrun_lua *S, lua_hook *h);

/* The run must end with status 1 (on_error=stop). */
static void fail_run(struct vmrun_lua *S)
{
  S->failed = 1;
  S->m->host.shutdown(S->m, VMRUN_SHUTDOWN_ERROR, 1);
}

/* Call hook h with nargs arguments already pushed; when ret is non-NULL,
** store the truth of its (first) result there.  Returns 0 or -1. */
static int call_hook_r(struct vmrun_lua *S, lua_hook *h, int nargs, int *ret)
{
  lua_State *L = S->L;
  int base = lua_gettop(L) - nargs, st;
  lua_pushcfunction(L, msgh);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref);
  lua_rotate(L, base + 1, 2);  /* msgh, fn, args... */
  lua_sethook(L, count_hook, LUA_MASKCOUNT, (int)opt.insn_limit);
  st = lua_pcall(L, nargs, ret ? 1 : 0, base + 1);
  lua_sethook(L, NULL, 0, 0);
  if (st == LUA_OK) {
    if (ret) *ret = lua_toboolean(L, -1);
    lua_settop(L, base);
    return 0;
  }
  if (S->scripts[h->script].on_error == ON_ERROR_CONTINUE) {
    char what[64];
    snprintf(what, sizeof what, " (%s hook disabled)", kind_name[h->kind]);
    report(S, h->script, st, what, 1);
    hook_unref(S, h);
  } else {
    char what[64];
    snprintf(what, sizeof what, " (in %s hook)", kind_name[h->kind]);
    report(S, h->script, st, what, 0);
    fail_run(S);
  }
  lua_settop(L, base);
  return -1;
}

static int call_hook(struct vmrun_lua *S, lua_hook *h, int nargs)
{
  return call_hook_r(S, h, nargs, NULL);
}

/* ---- hook registry ---- */

static void flush_translations(struct vmrun_lua *S)
{
  vmrun_machine *m = S->m;
  for (uint32_t i = 0; i < m->n_cpus; i++)
    m->host.cpu_kick(m, i, VMRUN_EXIT_FLUSH);
}

/* vmrun_cpu.events of every hart from the active hooks: frontends report
** traps only while an on_trap hook exists. */
static void set_events(struct vmrun_lua *S)
{
  vmrun_machine *m = S->m;
  for (uint32_t i = 0; i < m->n_cpus; i++) {
    if (S->n_active[H_TRAP] > 0) m->cpus[i]->events |= VMRUN_EVENT_TRAP;
    else m->cpus[i]->events &= ~VMRUN_EVENT_TRAP;
  }
}

static void set_syscall_flag(struct vmrun_lua *S);

static void hook_unref(struct vmrun_lua *S, lua_hook *h)
{
  if (h->dead) return;
  h->dead = 1;
  S->n_active[h->kind]--;
  if (h->kind == H_INSN || h->kind == H_BLOCK || h->kind == H_MEM)
    flush_translations(S);
  if (h->kind == H_MMIO) S->m->lua_mmio = S->n_active[H_MMIO] > 0;
  if (h->kind == H_TRAP && S->n_active[H_TRAP] == 0) set_events(S);
  if (h == S->policy) {  /* the engine stops asking */
    S->policy = NULL;
    S->m->engine->set_tier_policy(S->m->engine_inst, NULL, NULL);
  }
  if (h->kind == H_SYSCALL || h->kind == H_SYSCALL_EXIT) set_syscall_flag(S);
  if (h->timer) S->m->host.timer_del(h->timer);
}

static lua_hook *hook_add(lua_State *L, struct vmrun_lua *S, int kind,
                          int fn_idx)
{
  lua_hook **nh, *h;
  luaL_checktype(L, fn_idx, LUA_TFUNCTION);
  nh = realloc(S->hooks, (S->n_hooks + 1) * sizeof *nh);
  if (!nh) luaL_error(L, "out of memory");
  S->hooks = nh;
  h = calloc(1, sizeof *h);
  if (!h) luaL_error(L, "out of memory");
  h->kind = kind;
  h->S = S;
  h->script = S->cur_script;
  h->from = 0;
  h->to = UINT64_MAX;
  lua_pushvalue(L, fn_idx);
  h->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  S->hooks[S->n_hooks++] = h;
  S->n_active[kind]++;
  return h;
}

static struct vmrun_lua *getS(lua_State *L)
{
  return *(struct vmrun_lua **)lua_getextraspace(L);
}

static vmrun_cpu *cur_cpu(struct vmrun_lua *S)
{
  vmrun_machine *m = S->m;
  if (S->cpu) return S->cpu;
  if (m->current_cpu) return m->current_cpu;
  return m->cpus[0];
}

static uint64_t total_icount(vmrun_machine *m)
{
  uint64_t n = m->icount_gone;
  for (uint32_t i = 0; i < m->n_cpus; i++) n += m->cpus[i]->icount;
  return n;
}

static uint64_t opt_addr(lua_State *L, int t, const char *key, int *found)
{
  uint64_t v = 0;
  *found = 0;
  if (lua_getfield(L, t, key) != LUA_TNIL) {
    int ok;
    v = (uint64_t)lua_tointegerx(L, -1, &ok);
    if (!ok) luaL_error(L, "option '%s': expected an integer address", key);
    *found = 1;
  }
  lua_pop(L, 1);
  return v;
}

static int l_on_start(lua_State *L)
{
  hook_add(L, getS(L), H_START, 1);
  lua_pushinteger(L, (lua_Integer)getS(L)->n_hooks);
  return 1;
}

static int l_on_exit(lua_State *L)
{
  hook_add(L, getS(L), H_EXIT, 1);
  lua_pushinteger(L, (lua_Integer)getS(L)->n_hooks);
  return 1;
}

static int l_on_block(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  hook_add(L, S, H_BLOCK, 1);
  flush_translations(S);
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

static int l_on_insn(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  uint64_t from = 0, to = UINT64_MAX, pc;
  int f1, f2, f3;
  lua_hook *h;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    pc = opt_addr(L, 2, "pc", &f1);
    from = opt_addr(L, 2, "from", &f2);
    to = opt_addr(L, 2, "to", &f3);
    if (!f3) to = UINT64_MAX;
    if (f1 && (f2 || f3))
      return luaL_error(L, "on_insn: give either pc= or from=/to=");
    if (f1) from = to = pc;
    if (from > to) return luaL_error(L, "on_insn: from > to");
  }
  h = hook_add(L, S, H_INSN, 1);
  h->from = from;
  h->to = to;
  flush_translations(S);
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

/* vmrun.on_mem(fn(addr, size, is_write, value, pc), [{from=, to=, read=,
** write=}]): after every guest load and store (IR LD/ST) that touches the
** virtual address range; CALLs are inserted after each LD/ST of every
** block translated while such a hook exists. */
static int l_on_mem(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  uint64_t from = 0, to = UINT64_MAX, at;
  int f1, f2, f3, rw = 3;
  lua_hook *h;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    at = opt_addr(L, 2, "addr", &f1);
    from = opt_addr(L, 2, "from", &f2);
    to = opt_addr(L, 2, "to", &f3);
    if (!f3) to = UINT64_MAX;
    if (f1 && (f2 || f3))
      return luaL_error(L, "on_mem: give either addr= or from=/to=");
    if (f1) from = to = at;
    if (from > to) return luaL_error(L, "on_mem: from > to");
    lua_getfield(L, 2, "read");
    if (!lua_isnil(L, -1) && !lua_toboolean(L, -1)) rw &= ~1;
    lua_pop(L, 1);
    lua_getfield(L, 2, "write");
    if (!lua_isnil(L, -1) && !lua_toboolean(L, -1)) rw &= ~2;
    lua_pop(L, 1);
    if (!rw) return luaL_error(L, "on_mem: read=false and write=false");
  }
  h = hook_add(L, S, H_MEM, 1);
  h->from = from;
  h->to = to;
  h->rw = rw;
  flush_translations(S);
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

static int l_on_mmio(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const char *dev = NULL;
  lua_hook *h;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (S->m->desc.user_mode)
    return luaL_error(L, "on_mmio: user mode has no devices (no MMIO events)");
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "device") != LUA_TNIL) {
      int found = 0;
      dev = luaL_checkstring(L, -1);
      for (size_t i = 0; i < S->m->n_regions; i++)
        if (S->m->regions[i].kind == VMRUN_REGION_MMIO &&
            strcmp(S->m->regions[i].name, dev) == 0)
          found = 1;
      if (!found) return luaL_error(L, "on_mmio: no device '%s'", dev);
    }
  }
  h = hook_add(L, S, H_MMIO, 1);
  if (dev && !(h->device = strdup(dev))) return luaL_error(L, "out of memory");
  lua_settop(L, 0);
  S->m->lua_mmio = 1;
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

static int l_every(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  lua_Integer n = luaL_checkinteger(L, 1);
  lua_hook *h;
  if (n <= 0) return luaL_argerror(L, 1, "expected a positive count");
  h = hook_add(L, S, H_EVERY, 2);
  h->period = (uint64_t)n;
  h->next = total_icount(S->m) + h->period;
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

static void every_ns_fire(void *opaque, uint64_t now)
{
  lua_hook *h = opaque;
  struct vmrun_lua *S = h->S;
  if (h->dead || S->failed) return;
  S->m->host.timer_mod(h->timer, now + h->period);
  lua_pushinteger(S->L, (lua_Integer)now);
  call_hook(S, h, 1);
}

static int l_every_ns(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  lua_Integer n = luaL_checkinteger(L, 1);
  lua_hook *h;
  if (S->m->desc.user_mode)
    return luaL_error(L, "every_ns: user mode has no virtual-time timers "
                      "(use every(n) for instruction counts)");
  if (n <= 0) return luaL_argerror(L, 1, "expected a positive duration");
  h = hook_add(L, S, H_EVERY_NS, 2);
  h->period = (uint64_t)n;
  h->timer = S->m->host.timer_new(S->m, every_ns_fire, h);
  if (!h->timer) return luaL_error(L, "out of memory");
  S->m->host.timer_mod(h->timer, S->m->host.clock_ns(S->m) + h->period);
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

/* A hook on an event this machine's frontend (or mode) cannot report:
** one error line naming the script and line (luaL_error adds them). */
static int no_event(lua_State *L, const char *fn, const char *why)
{
  return luaL_error(L, "%s: %s", fn, why);
}

static int l_on_trap(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const vmrun_frontend_ops *fe = S->m->fe;
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (S->m->desc.user_mode)
    return no_event(L, "on_trap", "user mode takes no architectural traps "
                    "(system calls: on_syscall; faults become guest "
                    "signals)");
  if (!VMRUN_FRONTEND_HAS(fe, caps) || !(fe->caps & VMRUN_FE_CAP_TRAP_EVENTS))
    return no_event(L, "on_trap", lua_pushfstring(L, "the %s frontend does "
                    "not report trap events", fe->isa));
  hook_add(L, S, H_TRAP, 1);
  set_events(S);
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

static int l_remove(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  lua_Integer id = luaL_checkinteger(L, 1);
  if (id < 1 || (size_t)id > S->n_hooks)
    return luaL_argerror(L, 1, "not a hook id");
  hook_unref(S, S->hooks[id - 1]);
  return 0;
}

/* ---- user mode: system call hooks (vmrun__lua_syscall) ---- */

/* m->lua_syscall: user.c calls vmrun__lua_syscall only while set. */
static void set_syscall_flag(struct vmrun_lua *S)
{
  S->m->lua_syscall = S->n_active[H_SYSCALL] > 0 ||
                      S->n_active[H_SYSCALL_EXIT] > 0;
}

static int add_syscall_hook(lua_State *L, int kind)
{
  struct vmrun_lua *S = getS(L);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (!S->m->desc.user_mode)
    return no_event(L, kind_name[kind], "system call events exist only in "
                    "user mode (vmrun --user); under a guest kernel, "
                    "system calls are ecall_u traps (on_trap)");
  hook_add(L, S, kind, 1);
  set_syscall_flag(S);
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

static int l_on_syscall(lua_State *L)
{
  return add_syscall_hook(L, H_SYSCALL);
}

static int l_on_syscall_exit(lua_State *L)
{
  return add_syscall_hook(L, H_SYSCALL_EXIT);
}

/* ---- registers, memory, control ---- */

static int l_reg(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const char *name = luaL_checkstring(L, 1);
  uint64_t v;
  if (S->m->fe->reg_get(S->m->fe_inst, cur_cpu(S), name, &v) < 0)
    return luaL_error(L, "unknown register '%s' for %s", name, S->m->fe->isa);
  lua_pushinteger(L, (lua_Integer)v);
  return 1;
}

static int l_set_reg(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const char *name = luaL_checkstring(L, 1);
  uint64_t v = (uint64_t)luaL_checkinteger(L, 2);
  int rc = S->m->fe->reg_set(S->m->fe_inst, cur_cpu(S), name, v);
  if (rc == -VMRUN_ENOENT)
    return luaL_error(L, "unknown register '%s' for %s", name, S->m->fe->isa);
  if (rc < 0)
    return luaL_error(L, "cannot set register '%s' to 0x%s", name,
                      lua_pushfstring(L, "%I", (lua_Integer)v));
  return 0;
}

static uint64_t check_addr(lua_State *L, int i)
{
  return (uint64_t)luaL_checkinteger(L, i);
}

static int l_read_phys(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  uint64_t a = check_addr(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_Buffer b;
  char *p;
  if (n < 0 || n > (64 << 20)) return luaL_argerror(L, 2, "bad length");
  p = luaL_buffinitsize(L, &b, (size_t)n);
  if (S->m->host.phys_read(S->m, a, p, (size_t)n) < 0)
    return luaL_error(L, "read_phys: [0x%s, +%d) is not RAM or ROM",
                      lua_pushfstring(L, "%p", (void *)(uintptr_t)a) + 2,
                      (int)n);
  luaL_pushresultsize(&b, (size_t)n);
  return 1;
}

static int l_write_phys(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  uint64_t a = check_addr(L, 1);
  size_t n;
  const char *s = luaL_checklstring(L, 2, &n);
  int rc = S->m->host.phys_write(S->m, a, s, n);
  if (rc < 0)
    return luaL_error(L, "write_phys: [%p, +%d) is not %s",
                      (void *)(uintptr_t)a, (int)n,
                      rc == -VMRUN_EPERM ? "writable (ROM)" : "RAM");
  return 0;
}

static int read_uN(lua_State *L, unsigned size)
{
  struct vmrun_lua *S = getS(L);
  uint64_t a = check_addr(L, 1), v = 0;
  if (S->m->host.phys_read(S->m, a, &v, size) < 0)
    return luaL_error(L, "read_u%d: %p is not RAM or ROM", (int)size * 8,
                      (void *)(uintptr_t)a);
  lua_pushinteger(L, (lua_Integer)v);
  return 1;
}

static int write_uN(lua_State *L, unsigned size)
{
  struct vmrun_lua *S = getS(L);
  uint64_t a = check_addr(L, 1);
  uint64_t v = (uint64_t)luaL_checkinteger(L, 2);
  if (S->m->host.phys_write(S->m, a, &v, size) < 0)
    return luaL_error(L, "write_u%d: %p is not RAM", (int)size * 8,
                      (void *)(uintptr_t)a);
  return 0;
}

static int l_read_u8(lua_State *L) { return read_uN(L, 1); }
static int l_read_u16(lua_State *L) { return read_uN(L, 2); }
static int l_read_u32(lua_State *L) { return read_uN(L, 4); }
static int l_read_u64(lua_State *L) { return read_uN(L, 8); }
static int l_write_u8(lua_State *L) { return write_uN(L, 1); }
static int l_write_u16(lua_State *L) { return write_uN(L, 2); }
static int l_write_u32(lua_State *L) { return write_uN(L, 4); }
static int l_write_u64(lua_State *L) { return write_uN(L, 8); }

static int l_read_virt(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  vmrun_cpu *cpu = cur_cpu(S);
  uint64_t a = check_addr(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_Buffer b;
  char *p;
  if (n < 0 || n > (16 << 20)) return luaL_argerror(L, 2, "bad length");
  p = luaL_buffinitsize(L, &b, (size_t)n);
  for (lua_Integer i = 0; i < n; i++) {
    uint64_t v = 0;
    if (S->m->host.vmem_access(cpu, a + (uint64_t)i, 1, VMRUN_ACCESS_LOAD,
                               cpu->mmu_idx, &v) != 0) {
      lua_pushnil(L);
      lua_pushfstring(L, "read_virt: fault at %p",
                      (void *)(uintptr_t)(a + (uint64_t)i));
      return 2;
    }
    p[i] = (char)v;
  }
  luaL_pushresultsize(&b, (size_t)n);
  return 1;
}

/* vmrun.write_virt(addr, str): store through the current hart's MMU
** (its data translation and permissions); nil, message on a fault (the
** bytes before it are written). */
static int l_write_virt(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  vmrun_cpu *cpu = cur_cpu(S);
  uint64_t a = check_addr(L, 1);
  size_t n;
  const char *s = luaL_checklstring(L, 2, &n);
  for (size_t i = 0; i < n; i++) {
    uint64_t v = (uint8_t)s[i];
    if (S->m->host.vmem_access(cpu, a + i, 1, VMRUN_ACCESS_STORE,
                               cpu->mmu_idx, &v) != 0) {
      lua_pushnil(L);
      lua_pushfstring(L, "write_virt: fault at %p",
                      (void *)(uintptr_t)(a + i));
      return 2;
    }
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* vmrun.disas(addr [, count]): `count` (default 1) instructions from guest
** VA addr, fetched through the current hart's MMU (its fetch
** translation), one "0xADDR:<TAB>TEXT" line each; second result: bytes
** consumed.  A fetch fault ends the listing with a "<fetch fault>" line. */
static int l_disas(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const vmrun_frontend_ops *fe = S->m->fe;
  vmrun_cpu *cpu = cur_cpu(S);
  uint64_t a = check_addr(L, 1), start = a;
  lua_Integer count = luaL_optinteger(L, 2, 1);
  luaL_Buffer b;
  if (!VMRUN_FRONTEND_HAS(fe, disas) || !fe->disas)
    return luaL_error(L, "disas: the %s frontend has no disassembler",
                      fe->isa);
  if (count < 1 || count > 100000)
    return luaL_argerror(L, 2, "expected a count from 1 to 100000");
  luaL_buffinit(L, &b);
  for (lua_Integer k = 0; k < count; k++) {
    uint8_t bytes[16];
    char text[128], line[192];
    size_t have = 0;
    int n = -VMRUN_EINVAL;
    /* fetch in 2-byte parcels until the frontend can decode */
    while (have + 2 <= sizeof bytes) {
      uint64_t v = 0;
      if (S->m->host.vmem_access(cpu, a + have, 2, VMRUN_ACCESS_FETCH,
                                 cpu->mmu_idx_fetch, &v) != 0)
        break;
      bytes[have] = (uint8_t)v;
      bytes[have + 1] = (uint8_t)(v >> 8);
      have += 2;
      n = fe->disas(S->m->fe_inst, cpu, a, bytes, have, text, sizeof text);
      if (n != -VMRUN_EINVAL) break;
    }
    if (k) luaL_addchar(&b, '\n');
    if (n <= 0) {
      snprintf(line, sizeof line, "0x%" PRIx64 ":\t<fetch fault>", a);
      luaL_addstring(&b, line);
      break;
    }
    snprintf(line, sizeof line, "0x%" PRIx64 ":\t%s", a, text);
    luaL_addstring(&b, line);
    a += (uint64_t)n;
  }
  luaL_pushresult(&b);
  lua_pushinteger(L, (lua_Integer)(a - start));
  return 2;
}

/* vmrun.symbol(addr) -> name, offset (nil when no symbol at or below). */
static int l_symbol(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  uint64_t a = check_addr(L, 1), off;
  const char *n = vmrun__symtab_find(S->syms, a, &off);
  if (!n) { lua_pushnil(L); return 1; }
  lua_pushstring(L, n);
  lua_pushinteger(L, (lua_Integer)off);
  return 2;
}

/* vmrun.lookup(name) -> address or nil. */
static int l_lookup(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const char *n = luaL_checkstring(L, 1);
  uint64_t a;
  if (vmrun__symtab_lookup(S->syms, n, &a) < 0) { lua_pushnil(L); return 1; }
  lua_pushinteger(L, (lua_Integer)a);
  return 1;
}

static int l_stop(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  S->m->host.shutdown(S->m, VMRUN_SHUTDOWN_POWEROFF,
                      S->exit_code_set ? S->exit_code : 0);
  return 0;
}

/* vmrun.pause([message]): suspend the guest (this hook does not return)
** until Enter is pressed on the controlling terminal; virtual time does
** not advance meanwhile in `clock: host` mode (in icount mode it never
** does without instructions).  For interactive debugging: a run without a
** terminal gets an error instead of hanging. */
static int l_pause(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const char *msg = luaL_optstring(L, 1, NULL);
  uint64_t t0, t1, pc = S->cpu ? S->cpu->pc : 0;
  char c;
  ssize_t n;
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return luaL_error(L, "pause: no terminal to wait on (%s)",
                      strerror(errno));
  dprintf(fd, "\r\nvmrun: paused at pc 0x%" PRIx64 "%s%s; press Enter to "
          "continue\r\n", pc, msg ? ": " : "", msg ? msg : "");
  t0 = vmrun__host_ns();
  do n = read(fd, &c, 1);
  while ((n == 1 && c != '\n' && c != '\r') || (n < 0 && errno == EINTR));
  t1 = vmrun__host_ns();
  close(fd);
  if (S->m->clock_mode == VMRUN_CLOCK_HOST) S->m->host_start_ns += t1 - t0;
  if (n != 1) return luaL_error(L, "pause: the terminal was closed");
  return 0;
}

static int l_exit_code(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  lua_Integer c = luaL_checkinteger(L, 1);
  if (c < 0 || c > 255) return luaL_argerror(L, 1, "expected 0..255");
  S->exit_code_set = 1;
  S->exit_code = (int)c;
  return 0;
}

static int l_icount(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)total_icount(getS(L)->m));
  return 1;
}

static int l_pc(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)cur_cpu(getS(L))->pc);
  return 1;
}

static int l_time_ns(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  lua_pushinteger(L, (lua_Integer)S->m->host.clock_ns(S->m));
  return 1;
}

static int l_hart(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer)cur_cpu(getS(L))->hart_id);
  return 1;
}

static int l_load_text(lua_State *L)
{
  /* load() for text chunks only: binary chunks bypass the compiler's
  ** checks and can crash the interpreter */
  size_t l;
  const char *s = lua_tolstring(L, 1, &l);
  const char *name = luaL_optstring(L, 2, s ? s : "=(load)");
  int env = !lua_isnone(L, 4) ? 4 : 0;
  const char *mode = luaL_optstring(L, 3, "t");
  int st;
  if (strchr(mode, 'b') && !strchr(mode, 't'))
    return luaL_error(L, "load: binary chunks are not allowed in scripts");
  if (!s) return luaL_argerror(L, 1, "expected a string (reader functions "
                               "are not allowed in scripts)");
  st = luaL_loadbufferx(L, s, l, name, "t");
  if (st != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (env) {
    lua_pushvalue(L, env);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

/* ---- engine options and tiering policy ---- */

static const char *engine_name(struct vmrun_lua *S)
{
  const vmrun_plugin_desc *d = S->m->engine_plugin.desc;
  return d && d->name ? d->name : "?";
}

/* vmrun.engine_option(key) -> integer. */
static int l_engine_option(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const vmrun_engine_ops *ops = S->m->engine;
  const char *key = luaL_checkstring(L, 1);
  uint64_t v = 0;
  int rc = -VMRUN_ENOENT;
  if (VMRUN_ENGINE_HAS(ops, get_option) && ops->get_option)
    rc = ops->get_option(S->m->engine_inst, key, &v);
  if (rc < 0)
    return luaL_error(L, "engine_option: engine '%s' has no option '%s'",
                      engine_name(S), key);
  lua_pushinteger(L, (lua_Integer)v);
  return 1;
}

/* vmrun.set_engine_option(key, value). */
static int l_set_engine_option(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const vmrun_engine_ops *ops = S->m->engine;
  const char *key = luaL_checkstring(L, 1);
  int isint, rc = -VMRUN_ENOENT;
  lua_Integer v = lua_tointegerx(L, 2, &isint);
  if (!isint || v < 0)
    return luaL_error(L, "set_engine_option: %s: expected a non-negative "
                      "integer, got %s", key, lua_type(L, 2) == LUA_TNUMBER
                      || lua_type(L, 2) == LUA_TSTRING
                      ? luaL_tolstring(L, 2, NULL) : luaL_typename(L, 2));
  if (VMRUN_ENGINE_HAS(ops, set_option) && ops->set_option)
    rc = ops->set_option(S->m->engine_inst, key, (uint64_t)v);
  if (rc == -VMRUN_ERANGE)
    return luaL_error(L, "set_engine_option: %s = %I is out of range for "
                      "engine '%s' (docs/lua.md)", key, v, engine_name(S));
  if (rc < 0)
    return luaL_error(L, "set_engine_option: engine '%s' has no option '%s'",
                      engine_name(S), key);
  return 0;
}

/* vmrun_tier_decide_fn: the Lua policy, called with a table describing
** the block; true (any value but false/nil) compiles it. */
static int lua_decide(void *opaque, vmrun_cpu *cpu, const vmrun_block_info *b)
{
  struct vmrun_lua *S = opaque;
  lua_State *L = S->L;
  lua_hook *h = S->policy;
  int yes = 1;
  if (!h || h->dead || S->failed) return 1;
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, (lua_Integer)b->pc); lua_setfield(L, -2, "pc");
  lua_pushinteger(L, (lua_Integer)b->phys_pc); lua_setfield(L, -2, "phys_pc");
  lua_pushinteger(L, (lua_Integer)b->exec_count);
  lua_setfield(L, -2, "count");
  lua_pushinteger(L, (lua_Integer)b->n_insns); lua_setfield(L, -2, "insns");
  lua_pushinteger(L, (lua_Integer)b->size); lua_setfield(L, -2, "bytes");
  lua_pushinteger(L, (lua_Integer)cpu->hart_id); lua_setfield(L, -2, "hart");
  S->cpu = cpu;
  if (call_hook_r(S, h, 1, &yes) < 0) yes = 1;  /* error: the default */
  S->cpu = NULL;
  return yes;
}

/* vmrun.tier_policy(fn | nil) -> hook id: fn(block) decides whether a hot
** block is compiled; nil removes the policy. */
static int l_tier_policy(lua_State *L)
{
  struct vmrun_lua *S = getS(L);
  const vmrun_engine_ops *ops = S->m->engine;
  lua_hook *h;
  if (!VMRUN_ENGINE_HAS(ops, set_tier_policy) || !ops->set_tier_policy)
    return luaL_error(L, "tier_policy: engine '%s' has no tiering",
                      engine_name(S));
  if (lua_isnoneornil(L, 1)) {
    if (S->policy) hook_unref(S, S->policy);
    return 0;
  }
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (S->policy) hook_unref(S, S->policy);
  h = hook_add(L, S, H_POLICY, 1);
  if (ops->set_tier_policy(S->m->engine_inst, lua_decide, S) < 0) {
    hook_unref(S, h);
    return luaL_error(L, "tier_policy: engine '%s' has no tiering",
                      engine_name(S));
  }
  S->policy = h;
  lua_pushinteger(L, (lua_Integer)S->n_hooks);
  return 1;
}

static const luaL_Reg vmrun_funcs[] = {
  { "on_start", l_on_start }, { "on_exit", l_on_exit },
  { "on_insn", l_on_insn }, { "on_block", l_on_block },
  { "on_mmio", l_on_mmio }, { "on_mem", l_on_mem }, { "every", l_every }, { "every_ns", l_every_ns },
  { "on_trap", l_on_trap },
  { "on_syscall", l_on_syscall }, { "on_syscall_exit", l_on_syscall_exit },
  { "remove", l_remove },
  { "reg", l_reg }, { "set_reg", l_set_reg },
  { "read_phys", l_read_phys }, { "write_phys", l_write_phys },
  { "read_u8", l_read_u8 }, { "read_u16", l_read_u16 },
  { "read_u32", l_read_u32 }, { "read_u64", l_read_u64 },
  { "write_u8", l_write_u8 }, { "write_u16", l_write_u16 },
  { "write_u32", l_write_u32 }, { "write_u64", l_write_u64 },
  { "read_virt", l_read_virt }, { "write_virt", l_write_virt },
  { "disas", l_disas },
  { "symbol", l_symbol }, { "lookup", l_lookup },
  { "stop", l_stop }, { "pause", l_pause }, { "exit_code", l_exit_code },
  { "icount", l_icount }, { "pc", l_pc }, { "time_ns", l_time_ns },
  { "hart", l_hart },
  { "engine_option", l_engine_option },
  { "set_engine_option", l_set_engine_option },
  { "tier_policy", l_tier_policy },
  { NULL, NULL }
};

/* ---- state set-up ---- */

static void open_libs(struct vmrun_lua *S, lua_State *L)
{
  static const luaL_Reg safe[] = {
    { LUA_GNAME, luaopen_base }, { LUA_COLIBNAME, luaopen_coroutine },
    { LUA_TABLIBNAME, luaopen_table }, { LUA_STRLIBNAME, luaopen_string },
    { LUA_MATHLIBNAME, luaopen_math }, { LUA_UTF8LIBNAME, luaopen_utf8 },
    { NULL, NULL }
  };
  static const luaL_Reg unsafe[] = {
    { LUA_IOLIBNAME, luaopen_io }, { LUA_OSLIBNAME, luaopen_os },
    { NULL, NULL }
  };
  for (const luaL_Reg *r = safe; r->func; r++) {
    luaL_requiref(L, r->name, r->func, 1);
    lua_pop(L, 1);
  }
  if (opt.unsafe)
    for (const luaL_Reg *r = unsafe; r->func; r++) {
      luaL_requiref(L, r->name, r->func, 1);
      lua_pop(L, 1);
    }
  lua_pushnil(L); lua_setglobal(L, "dofile");
  lua_pushnil(L); lua_setglobal(L, "loadfile");
  lua_pushcfunction(L, l_load_text); lua_setglobal(L, "load");
  luaL_newlib(L, vmrun_funcs);
  lua_pushstring(L, S->m->fe->isa);
  lua_setfield(L, -2, "arch");
  lua_setglobal(L, "vmrun");
}

/* YAML args mapping -> Lua table (scalars as strings). */
static void push_cfg(lua_State *L, vmrun_cfg *c)
{
  if (!c) { lua_newtable(L); return; }
  switch (c->type) {
  case VMRUN_CFG_SCALAR: lua_pushstring(L, c->scalar); break;
  case VMRUN_CFG_MAP:
    lua_createtable(L, 0, (int)c->n);
    for (size_t i = 0; i < c->n; i++) {
      push_cfg(L, c->kids[i]);
      lua_setfield(L, -2, c->keys[i]);
    }
    break;
  case VMRUN_CFG_SEQ:
    lua_createtable(L, (int)c->n, 0);
    for (size_t i = 0; i < c->n; i++) {
      push_cfg(L, c->kids[i]);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    break;
  }
}

/* "key=value,key2=value2" -> Lua table. */
static void push_cli_args(lua_State *L, const char *s)
{
  lua_newtable(L);
  while (s && *s) {
    const char *end = strchr(s, ','), *eq;
    size_t len = end ? (size_t)(end - s) : strlen(s);
    eq = memchr(s, '=', len);
    if (eq) {
      lua_pushlstring(L, eq + 1, len - (size_t)(eq + 1 - s));
      lua_pushlstring(L, s, (size_t)(eq - s));
      lua_insert(L, -2);
      lua_settable(L, -3);
    } else if (len) {
      lua_pushlstring(L, s, len);
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
    }
    s = end ? end + 1 : NULL;
  }
}

/* Load and run one script: args table on top of the stack (popped). */
static int run_script(struct vmrun_lua *S, int idx)
{
  lua_State *L = S->L;
  const char *path = S->scripts[idx].path;
  FILE *f = fopen(path, "rb");
  char *buf = NULL, *code;
  size_t len = 0, cap = 0, n;
  int st, args = lua_gettop(L);
  char *chunk;
  if (!f) {
    vmrun__diag("vmrun: %s: cannot open script: %s", path, strerror(errno));
    lua_pop(L, 1);
    return -1;
  }
  do {
    if (len == cap) {
      char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
      if (!nb) { free(buf); fclose(f); vmrun__diag("vmrun: out of memory");
                 lua_pop(L, 1); return -1; }
      buf = nb;
    }
    n = fread(buf + len, 1, cap - len, f);
    len += n;
  } while (n > 0);
  if (ferror(f)) {
    vmrun__diag("vmrun: %s: cannot read script: %s", path, strerror(errno));
    fclose(f); free(buf); lua_pop(L, 1);
    return -1;
  }
  fclose(f);
  code = buf;
  if (len && buf[0] == '#') {      /* "#!" line: skip, keep the newline */
    while (code < buf + len && *code != '\n') code++;
  }
  chunk = malloc(strlen(path) + 2);
  if (!chunk) { free(buf); lua_pop(L, 1); return -1; }
  chunk[0] = '@';
  strcpy(chunk + 1, path);
  lua_pushcfunction(L, msgh);
  st = luaL_loadbufferx(L, code, len - (size_t)(code - buf), chunk, "t");
  free(chunk);
  free(buf);
  if (st != LUA_OK) {
    report(S, idx, st, NULL, 0);
    lua_settop(L, args - 1);
    return -1;
  }
  /* per-script environment: own globals, `args`, falls back to _G */
  lua_newtable(L);
  lua_pushvalue(L, args);
  lua_setfield(L, -2, "args");
  lua_newtable(L);
  lua_pushglobaltable(L);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setupvalue(L, -2, 1);
  lua_pushvalue(L, args);           /* ... = args */
  S->cur_script = idx;
  lua_sethook(L, count_hook, LUA_MASKCOUNT, (int)opt.insn_limit);
  st = lua_pcall(L, 1, 0, args + 1);
  lua_sethook(L, NULL, 0, 0);
  if (st != LUA_OK) {
    report(S, idx, st, NULL, 0);
    lua_settop(L, args - 1);
    return -1;
  }
  lua_settop(L, args - 1);
  return 0;
}

/* Symbols: the ELF tables of firmware and kernel (a non-ELF image gives
** none; a corrupt table gives a warning), then machine.symbols files
** (errors end the run). */
static void load_user_symbols(struct vmrun_lua *S);

static int load_symbols(struct vmrun_lua *S)
{
  vmrun_machine_desc *d = &S->m->desc;
  const char *img[2] = { d->firmware, d->kernel };
  char err[256];
  if (!(S->syms = vmrun__symtab_new())) {
    vmrun__diag("vmrun: out of memory");
    return -1;
  }
  for (int i = 0; i < 2; i++)
    if (img[i] && vmrun__symtab_add_file(S->syms, img[i], 1, err,
                                         sizeof err) < 0)
      vmrun__diag("vmrun: warning: %s: %s; no symbols from it", img[i], err);
  load_user_symbols(S);
  for (size_t i = 0; i < d->n_symbols; i++) {
    errno = 0;
    if (vmrun__symtab_add_file(S->syms, d->symbols[i], 0, err,
                               sizeof err) < 0) {
      if (errno == ENOENT) {   /* e.g. not fetched yet: scripts still run */
        vmrun__diag("vmrun: warning: %s: symbol file '%s': %s; no symbols "
                    "from it", d->symbols_nodes[i]->path, d->symbols[i], err);
        continue;
      }
      vmrun__cfg_error(d->symbols_nodes[i], "symbol file '%s': %s",
                       d->symbols[i], err);
      return -1;
    }
  }
  return 0;
}

int vmrun__lua_start(vmrun_machine *m)
{
  vmrun_machine_desc *d = &m->desc;
  struct vmrun_lua *S;
  size_t n = d->n_scripts + opt.n;
  if (n == 0) return 0;
  S = calloc(1, sizeof *S);
  if (!S) { vmrun__diag("vmrun: out of memory"); return -1; }
  S->m = m;
  S->mem_limit = LUA_MEM_LIMIT;
  S->cur_script = -1;
  m->lua = S;
  S->scripts = calloc(n, sizeof *S->scripts);
  if (!S->scripts) { vmrun__diag("vmrun: out of memory"); return -1; }
  /* YAML scripts first (relative to the YAML file), then --script */
  for (size_t i = 0; i < d->n_scripts; i++) {
    vmrun_script_desc *sd = &d->scripts[i];
    vmrun_cfg *pn = sd->node->type == VMRUN_CFG_MAP
                        ? vmrun__cfg_get(sd->node, "path") : sd->node;
    lua_script *ls = &S->scripts[S->n_scripts++];
    ls->on_error = opt.on_error;
    if (!(ls->path = strdup(sd->path))) return -1;
    if (vmrun__cfg_resolve_path(&ls->path, pn) < 0) return -1;
    if (sd->node->type == VMRUN_CFG_MAP) {
      vmrun_cfg *oe = vmrun__cfg_get(sd->node, "on_error");
      if (oe) {
        int v = oe->type == VMRUN_CFG_SCALAR ? parse_on_error(oe->scalar) : -1;
        if (v < 0) {
          vmrun__cfg_error(oe, "expected stop or continue");
          return -1;
        }
        ls->on_error = v;
      }
    }
  }
  for (size_t i = 0; i < opt.n; i++) {
    lua_script *ls = &S->scripts[S->n_scripts++];
    ls->on_error = opt.on_error;
    if (!(ls->path = strdup(opt.s[i].path))) return -1;
  }
  if (load_symbols(S) < 0) return -1;
  S->L = lua_newstate(lua_alloc, S);
  if (!S->L) { vmrun__diag("vmrun: cannot create the Lua state"); return -1; }
  *(struct vmrun_lua **)lua_getextraspace(S->L) = S;
  open_libs(S, S->L);
  for (size_t i = 0; i < S->n_scripts; i++) {
    if (i < d->n_scripts) push_cfg(S->L, d->scripts[i].args);
    else push_cli_args(S->L, opt.s[i - d->n_scripts].args);
    if (run_script(S, (int)i) < 0) return -1;
    if (m->stop) break;       /* vmrun.stop() at load time */
  }
  S->cur_script = -1;
  return 0;
}

static void call_kind(struct vmrun_lua *S, int kind, int arg, int has_arg)
{
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind != kind || h->dead) continue;
    if (has_arg) lua_pushinteger(S->L, arg);
    call_hook(S, h, has_arg);
  }
}

void vmrun__lua_run_start(vmrun_machine *m)
{
  struct vmrun_lua *S = m->lua;
  if (!S || !S->n_active[H_START]) return;
  call_kind(S, H_START, 0, 0);
}

int vmrun__lua_finish(vmrun_machine *m, int status)
{
  struct vmrun_lua *S = m->lua;
  if (!S) return status;
  if (!S->failed && S->n_active[H_EXIT]) call_kind(S, H_EXIT, status, 1);
  if (S->failed) return 1;
  if (S->exit_code_set) return S->exit_code;
  return status;
}

void vmrun__lua_free(vmrun_machine *m)
{
  struct vmrun_lua *S = m->lua;
  if (!S) return;
  if (S->policy && m->engine_inst)  /* decide() would find S freed */
    m->engine->set_tier_policy(m->engine_inst, NULL, NULL);
  S->policy = NULL;
  if (S->L) lua_close(S->L);
  for (size_t i = 0; i < S->n_hooks; i++) {
    if (S->hooks[i]->timer) m->host.timer_free(S->hooks[i]->timer);
    free(S->hooks[i]->device);
    free(S->hooks[i]);
  }
  free(S->hooks);
  for (size_t i = 0; i < S->n_scripts; i++) free(S->scripts[i].path);
  free(S->scripts);
  free(S->tmp);
  vmrun__symtab_free(S->syms);
  free(S);
  m->lua = NULL;
  m->lua_mmio = 0;
  m->lua_syscall = 0;
}

/* ---- run loop: vmrun.every ---- */

uint64_t vmrun__lua_slice_limit(vmrun_machine *m)
{
  struct vmrun_lua *S = m->lua;
  uint64_t now, best = UINT64_MAX;
  if (!S || !S->n_active[H_EVERY]) return UINT64_MAX;
  now = total_icount(m);
  for (size_t i = 0; i < S->n_hooks; i++) {
    lua_hook *h = S->hooks[i];
    uint64_t left;
    if (h->kind != H_EVERY || h->dead) continue;
    left = h->next > now ? h->next - now : 1;
    if (left < best) best = left;
  }
  return best;
}

void vmrun__lua_poll(vmrun_machine *m)
{
  struct vmrun_lua *S = m->lua;
  uint64_t now;
  if (!S || !S->n_active[H_EVERY] || S->failed) return;
  now = total_icount(m);
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind != H_EVERY || h->dead || now < h->next) continue;
    h->next = now + h->period;
    lua_pushinteger(S->L, (lua_Integer)now);
    call_hook(S, h, 1);
  }
}

/* ---- MMIO ---- */

void vmrun__lua_mmio(vmrun_machine *m, const char *dev, uint64_t off,
                     unsigned size, int is_write, uint64_t val)
{
  struct vmrun_lua *S = m->lua;
  if (!S || S->in_mmio || S->failed) return;
  S->in_mmio = 1;
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind != H_MMIO || h->dead) continue;
    if (h->device && strcmp(h->device, dev) != 0) continue;
    lua_pushstring(S->L, dev);
    lua_pushinteger(S->L, (lua_Integer)off);
    lua_pushinteger(S->L, (lua_Integer)size);
    lua_pushboolean(S->L, is_write);
    lua_pushinteger(S->L, (lua_Integer)val);
    call_hook(S, h, 5);
  }
  S->in_mmio = 0;
}

/* ---- traps (vmrun_host.trap_event) ---- */

void vmrun__lua_trap(vmrun_machine *m, vmrun_cpu *cpu,
                     const vmrun_trap_info *ti)
{
  struct vmrun_lua *S = m->lua;
  vmrun_cpu *saved;
  if (!S || S->failed || !S->n_active[H_TRAP]) return;
  saved = S->cpu;
  S->cpu = cpu;
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    lua_State *L = S->L;
    if (h->kind != H_TRAP || h->dead) continue;
    lua_createtable(L, 0, 9);
    lua_pushinteger(L, (lua_Integer)ti->cause);
    lua_setfield(L, -2, "cause");
    if (ti->name) lua_pushstring(L, ti->name);
    else lua_pushfstring(L, "%s_%I", ti->is_interrupt ? "interrupt"
                         : "exception", (lua_Integer)ti->cause);
    lua_setfield(L, -2, "name");
    lua_pushboolean(L, ti->is_interrupt != 0);
    lua_setfield(L, -2, "is_interrupt");
    lua_pushinteger(L, (lua_Integer)ti->pc);
    lua_setfield(L, -2, "pc");
    lua_pushinteger(L, (lua_Integer)ti->tval);
    lua_setfield(L, -2, "tval");
    lua_pushinteger(L, (lua_Integer)ti->vector);
    lua_setfield(L, -2, "vector");
    lua_pushinteger(L, (lua_Integer)ti->from_priv);
    lua_setfield(L, -2, "from");
    lua_pushinteger(L, (lua_Integer)ti->to_priv);
    lua_setfield(L, -2, "to");
    lua_pushinteger(L, (lua_Integer)cpu->hart_id);
    lua_setfield(L, -2, "hart");
    call_hook(S, h, 1);
  }
  S->cpu = saved;
}

/* ---- instrumentation ---- */

static uint64_t block_helper(vmrun_cpu *cpu, uint64_t n, uint64_t b,
                             uint64_t c)
{
  struct vmrun_lua *S = cpu->machine->lua;
  uint64_t pc = cpu->pc;
  (void)b; (void)c;
  if (!S || S->failed) return 0;
  S->cpu = cpu;
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind != H_BLOCK || h->dead) continue;
    lua_pushinteger(S->L, (lua_Integer)pc);
    lua_pushinteger(S->L, (lua_Integer)n);
    call_hook(S, h, 2);
  }
  S->cpu = NULL;
  return 0;
}

static uint64_t insn_helper(vmrun_cpu *cpu, uint64_t a, uint64_t b,
                            uint64_t c)
{
  struct vmrun_lua *S = cpu->machine->lua;
  uint64_t pc = cpu->pc;
  (void)a; (void)b; (void)c;
  if (!S || S->failed) return 0;
  S->cpu = cpu;
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind != H_INSN || h->dead || pc < h->from || pc > h->to) continue;
    lua_pushinteger(S->L, (lua_Integer)pc);
    call_hook(S, h, 1);
  }
  S->cpu = NULL;
  return 0;
}

/* After a guest load or store of `size` bytes at virtual address `addr`
** (value zero-extended from `size` bytes). */
static void mem_event(vmrun_cpu *cpu, uint64_t addr, unsigned size,
                      int is_write, uint64_t val)
{
  struct vmrun_lua *S = cpu->machine->lua;
  uint64_t last = addr + size - 1;
  if (!S || S->failed) return;
  if (size < 8) val &= (1ull << (8 * size)) - 1;
  S->cpu = cpu;
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind != H_MEM || h->dead || !(h->rw & (is_write ? 2 : 1)) ||
        addr > h->to || last < h->from)
      continue;
    lua_pushinteger(S->L, (lua_Integer)addr);
    lua_pushinteger(S->L, (lua_Integer)size);
    lua_pushboolean(S->L, is_write);
    lua_pushinteger(S->L, (lua_Integer)val);
    lua_pushinteger(S->L, (lua_Integer)cpu->pc);
    call_hook(S, h, 5);
  }
  S->cpu = NULL;
}

/* IR helpers: a = the address, b = the value loaded or stored */
#define MEM_HELPER(name, size, w)                                          \
  static uint64_t name(vmrun_cpu *cpu, uint64_t a, uint64_t b, uint64_t c) \
  {                                                                        \
    (void)c;                                                               \
    mem_event(cpu, a, size, w, b);                                         \
    return 0;                                                              \
  }
MEM_HELPER(mem_ld1, 1, 0) MEM_HELPER(mem_ld2, 2, 0)
MEM_HELPER(mem_ld4, 4, 0) MEM_HELPER(mem_ld8, 8, 0)
MEM_HELPER(mem_st1, 1, 1) MEM_HELPER(mem_st2, 2, 1)
MEM_HELPER(mem_st4, 4, 1) MEM_HELPER(mem_st8, 8, 1)
#undef MEM_HELPER

static vmrun_ir_helper_fn mem_helper(const vmrun_ir_op *o)
{
  static const vmrun_ir_helper_fn fns[2][4] = {
    { mem_ld1, mem_ld2, mem_ld4, mem_ld8 },
    { mem_st1, mem_st2, mem_st4, mem_st8 }
  };
  return fns[o->op == VMRUN_IR_ST]
            [o->size == 1 ? 0 : o->size == 2 ? 1 : o->size == 4 ? 2 : 3];
}

static int insn_wanted(struct vmrun_lua *S, uint64_t pc)
{
  for (size_t i = 0; i < S->n_hooks; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind == H_INSN && !h->dead && pc >= h->from && pc <= h->to)
      return 1;
  }
  return 0;
}

static void put_call(vmrun_ir_op *o, uint16_t t, vmrun_ir_helper_fn fn)
{
  memset(o, 0, sizeof *o);
  o->op = VMRUN_IR_CALL;
  o->size = 8;
  o->dst = o->a = o->b = o->c = t;
  o->imm = (uint64_t)(uintptr_t)fn;
  /* pc and icount synced before the call; the hook may change guest
  ** registers or modes (vmrun.set_reg) */
  o->flags = VMRUN_IR_F_MAY_FAULT | VMRUN_IR_F_END;
}

int vmrun__lua_instrument(void *opaque, vmrun_cpu *cpu, vmrun_ir_block *blk)
{
  vmrun_machine *m = opaque;
  struct vmrun_lua *S = m->lua;
  int blockh, insnh, memh;
  uint32_t need = 0, n = blk->n_ops, out = 0;
  uint16_t t, ta = 0;
  (void)cpu;
  if (!S || S->failed) return 0;
  blockh = S->n_active[H_BLOCK] > 0;
  insnh = S->n_active[H_INSN] > 0;
  memh = S->n_active[H_MEM] > 0;
  if (!blockh && !insnh && !memh) return 0;
  if (blockh) need += 2;
  for (uint32_t i = 0; i < n; i++) {
    const vmrun_ir_op *o = &blk->ops[i];
    if (insnh && o->op == VMRUN_IR_INSN_START && insn_wanted(S, o->imm))
      need++;
    if (memh && (o->op == VMRUN_IR_LD || o->op == VMRUN_IR_ST))
      need += 2;
  }
  if (!need) return 0;
  if (n + need > blk->cap_ops || blk->n_temps + 2 > VMRUN_IR_MAX_TEMPS)
    return -VMRUN_ENOSPC;
  if (S->tmp_cap < n) {
    vmrun_ir_op *nt = realloc(S->tmp, blk->cap_ops * sizeof *nt);
    if (!nt) return -VMRUN_ENOMEM;
    S->tmp = nt;
    S->tmp_cap = blk->cap_ops;
  }
  memcpy(S->tmp, blk->ops, n * sizeof *S->tmp);
  t = (uint16_t)blk->n_temps++;
  if (memh) ta = (uint16_t)blk->n_temps++;
  if (blockh) {
    vmrun_ir_op *o = &blk->ops[out++];
    memset(o, 0, sizeof *o);
    o->op = VMRUN_IR_MOVI;
    o->size = 8;
    o->dst = t;
    o->imm = blk->n_insns;
    put_call(&blk->ops[out++], t, block_helper);
  }
  for (uint32_t i = 0; i < n; i++) {
    const vmrun_ir_op *s = &S->tmp[i];
    if (memh && (s->op == VMRUN_IR_LD || s->op == VMRUN_IR_ST)) {
      /* ta = the address, before the op (a load may overwrite t[a]);
      ** the hook runs after the access, so not for one that faults */
      vmrun_ir_op *o = &blk->ops[out++];
      memset(o, 0, sizeof *o);
      o->op = VMRUN_IR_ADD;
      o->size = 8;
      o->flags = VMRUN_IR_F_BIMM;
      o->dst = ta;
      o->a = s->a;
      o->imm = s->imm;
      blk->ops[out++] = *s;
      o = &blk->ops[out++];
      put_call(o, ta, mem_helper(s));
      o->b = s->op == VMRUN_IR_LD ? s->dst : s->b;
      continue;
    }
    blk->ops[out++] = *s;
    if (insnh && s->op == VMRUN_IR_INSN_START && insn_wanted(S, s->imm))
      put_call(&blk->ops[out++], t, insn_helper);
  }
  blk->n_ops = out;
  return 0;
}

/* ---- user mode: the program's symbols, system call events ---- */

/* ELF images user mode loaded, with their load bias: their symbols are
** added by load_symbols (set before vmrun__lua_start). */
static struct user_image { char *path; uint64_t bias, end; } *user_img;
static size_t n_user_img;

int vmrun__lua_user_image(const char *path, uint64_t bias, uint64_t end)
{
  struct user_image *n = realloc(user_img, (n_user_img + 1) * sizeof *n);
  if (!n) return -1;
  user_img = n;
  if (!(n[n_user_img].path = strdup(path))) return -1;
  n[n_user_img].end = end;
  n[n_user_img++].bias = bias;
  return 0;
}

static void load_user_symbols(struct vmrun_lua *S)
{
  char err[256];
  for (size_t i = 0; i < n_user_img; i++) {
    size_t n0 = vmrun__symtab_count(S->syms);
    if (vmrun__symtab_add_file(S->syms, user_img[i].path, 1, err,
                               sizeof err) < 0)
      vmrun__diag("vmrun: warning: %s: %s; no symbols from it",
                  user_img[i].path, err);
    else
      vmrun__symtab_rebase(S->syms, n0, user_img[i].bias);
    /* code past the image (libraries the loader maps) is not the last
    ** label's */
    vmrun__symtab_add_end(S->syms, user_img[i].end);
    free(user_img[i].path);
  }
  free(user_img);
  user_img = NULL;
  n_user_img = 0;
}

/* The table passed to on_syscall / on_syscall_exit hooks. */
static void push_syscall(lua_State *L, const vmrun_lua_syscall *sc,
                         int is_exit)
{
  static const char *const an[6] = { "a0", "a1", "a2", "a3", "a4", "a5" };
  const char *name = vmrun__syscall_name(sc->nr);
  lua_createtable(L, 0, 12);
  lua_pushinteger(L, (lua_Integer)sc->nr);
  lua_setfield(L, -2, "nr");
  if (name) lua_pushstring(L, name);
  else lua_pushfstring(L, "syscall_%I", (lua_Integer)sc->nr);
  lua_setfield(L, -2, "name");
  lua_createtable(L, 6, 0);
  for (int i = 0; i < 6; i++) {
    lua_pushinteger(L, (lua_Integer)sc->args[i]);
    lua_pushvalue(L, -1);
    lua_setfield(L, -4, an[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "args");
  lua_pushinteger(L, (lua_Integer)sc->pc);
  lua_setfield(L, -2, "pc");
  lua_pushinteger(L, (lua_Integer)sc->tid);
  lua_setfield(L, -2, "tid");
  if (is_exit) {
    lua_pushinteger(L, (lua_Integer)sc->ret);
    lua_setfield(L, -2, "ret");
  }
}

void vmrun__lua_syscall(vmrun_machine *m, vmrun_cpu *cpu,
                        const vmrun_lua_syscall *sc, int is_exit)
{
  struct vmrun_lua *S = m->lua;
  int kind = is_exit ? H_SYSCALL_EXIT : H_SYSCALL;
  vmrun_cpu *saved;
  if (!S || S->failed || !S->n_active[kind]) return;
  saved = S->cpu;
  S->cpu = cpu;
  for (size_t i = 0; i < S->n_hooks && !S->failed; i++) {
    lua_hook *h = S->hooks[i];
    if (h->kind != kind || h->dead) continue;
    push_syscall(S->L, sc, is_exit);
    call_hook(S, h, 1);
  }
  S->cpu = saved;
}
