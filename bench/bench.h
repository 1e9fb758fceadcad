/*
** bench/bench.h - shared by the bench/ programs.  Each program is portable,
** freestanding C built twice: for RISC-V bare metal (bench/rt/, main's
** return value goes to the SiFive test finisher) and natively (main's
** return value is the exit status).  0 = every self-check passed, else the
** number of the failed check.
**
** SCALE (default 1) multiplies the repetition count only; the checked
** results do not depend on it.  Building with -DBENCH_PRINT (native only)
** prints the values the programs check, for deriving the constants.
*/
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifndef SCALE
#define SCALE 1
#endif

#ifdef BENCH_PRINT
#include <stdio.h>
#define REPORT(fmt, ...) printf(fmt "\n", __VA_ARGS__)
#else
#define REPORT(fmt, ...) ((void)0)
#endif

/* Tell the compiler memory may have changed: keeps repeated work from
** being hoisted out of the repetition loop or folded away. */
#define BARRIER() __asm__ __volatile__("" ::: "memory")

/* Freestanding: these come from libc natively, from bench/rt/rt.c in the
** guest build. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

static inline uint32_t xorshift32(uint32_t *s)
{
  uint32_t x = *s;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return *s = x;
}

static inline uint64_t xorshift64(uint64_t *s)
{
  uint64_t x = *s;
  x ^= x << 13; x ^= x >> 7; x ^= x << 17;
  return *s = x;
}

static inline double dabs(double x) { return x < 0 ? -x : x; }

int main(void);

#endif
