/*
** core/clock.c - the virtual clock and timer events.
**
** clock: host   - virtual ns = host CLOCK_MONOTONIC ns since reset.
** clock: icount - virtual ns = (instructions retired by all harts) *
**                 icount_ns + time skipped while every hart waited (WFI),
**                 so a run is reproducible instruction for instruction.
** Timers fire on the machine thread from the run loop (vmrun__timers_run)
** at block boundaries; the earliest deadline bounds each engine slice.
*/
#include "vmrun-config.h"

#include <stdlib.h>
#include <time.h>

#include "core.h"

uint64_t vmrun__host_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vmrun__clock_init(vmrun_machine *m)
{
  m->host_start_ns = vmrun__host_ns();
  m->clock_skip_ns = 0;
  m->next_deadline = UINT64_MAX;
}

uint64_t vmrun__clock_ns(vmrun_machine *m)
{
  if (m->clock_frozen == 2) return m->clock_frozen_ns; /* --engine-check */
  if (m->clock_mode == VMRUN_CLOCK_ICOUNT) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < m->n_cpus; i++) n += m->cpus[i]->icount;
    return n * m->icount_ns + m->clock_skip_ns;
  }
  if (m->clock_frozen) {       /* first reading in a check step */
    m->clock_frozen = 2;
    return m->clock_frozen_ns = vmrun__host_ns() - m->host_start_ns;
  }
  return vmrun__host_ns() - m->host_start_ns;
}

static void recompute_deadline(vmrun_machine *m)
{
  uint64_t d = UINT64_MAX;
  for (struct vmrun_timer *t = m->timers; t; t = t->next)
    if (t->armed && t->deadline < d) d = t->deadline;
  m->next_deadline = d;
}

/* Fire every due timer.  A callback may re-arm any timer. */
void vmrun__timers_run(vmrun_machine *m)
{
  uint64_t now;
  int fired;
  if (m->next_deadline == UINT64_MAX) return;
  now = vmrun__clock_ns(m);
  if (now < m->next_deadline) return;
  do {
    fired = 0;
    for (struct vmrun_timer *t = m->timers; t; t = t->next) {
      if (t->armed && t->deadline <= now) {
        t->armed = 0;
        recompute_deadline(m);
        t->fn(t->opaque, now);
        fired = 1;
        break; /* the list may have changed: rescan */
      }
    }
  } while (fired);
  recompute_deadline(m);
}

void vmrun__timers_free(vmrun_machine *m)
{
  struct vmrun_timer *t = m->timers, *n;
  for (; t; t = n) { n = t->next; free(t); }
  m->timers = NULL;
}

static uint64_t host_clock_ns(vmrun_machine *m) { return vmrun__clock_ns(m); }
static uint64_t host_timebase_hz(vmrun_machine *m) { return m->timebase_hz; }

static vmrun_timer *host_timer_new(vmrun_machine *m, vmrun_timer_fn fn,
                                   void *opaque)
{
  struct vmrun_timer *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->m = m;
  t->fn = fn;
  t->opaque = opaque;
  t->next = m->timers;
  m->timers = t;
  return t;
}

static void host_timer_mod(vmrun_timer *t, uint64_t deadline_ns)
{
  vmrun_machine *m = t->m;
  t->deadline = deadline_ns;
  t->armed = 1;
  if (deadline_ns < m->next_deadline) {
    m->next_deadline = deadline_ns;
    /* end the current slice so the new deadline bounds the next one */
    if (m->current_cpu)
      __atomic_or_fetch(&m->current_cpu->exit_request, VMRUN_EXIT_TIMER,
                        __ATOMIC_SEQ_CST);
  }
}

static void host_timer_del(vmrun_timer *t)
{
  if (!t->armed) return;
  t->armed = 0;
  recompute_deadline(t->m);
}

static void host_timer_free(vmrun_timer *t)
{
  vmrun_machine *m;
  struct vmrun_timer **pp;
  if (!t) return;
  m = t->m;
  for (pp = &m->timers; *pp; pp = &(*pp)->next)
    if (*pp == t) { *pp = t->next; break; }
  free(t);
  recompute_deadline(m);
}

void vmrun__host_init_clock(vmrun_host *h)
{
  h->clock_ns = host_clock_ns;
  h->timebase_hz = host_timebase_hz;
  h->timer_new = host_timer_new;
  h->timer_mod = host_timer_mod;
  h->timer_del = host_timer_del;
  h->timer_free = host_timer_free;
}
