/* bench/memcopy.c - memory-bound: copies a 4 MiB buffer back and forth
** with memcpy and with a word loop, and sums it, repeated.  Checks every
** sum against the sum of the original data. */
#include "bench.h"

#define NW   (512 * 1024)          /* 64-bit words: 4 MiB per buffer */
#define REPS (128 * SCALE)

static uint64_t src[NW], dst[NW];

static uint64_t sum(const uint64_t *p, size_t n)
{
  uint64_t s0 = 0, s1 = 0;
  for (size_t i = 0; i < n; i += 2) { s0 += p[i]; s1 ^= p[i + 1]; }
  return s0 + s1;
}

static void wcopy(uint64_t *d, const uint64_t *s, size_t n)
{
  for (size_t i = 0; i < n; i++) d[i] = s[i];
}

int main(void)
{
  uint64_t seed = 0x0123456789abcdefull, ref;
  for (size_t i = 0; i < NW; i++) src[i] = xorshift64(&seed);
  ref = sum(src, NW);
  for (int r = 0; r < REPS; r++) {
    BARRIER();
    memcpy(dst, src, sizeof src);
    BARRIER();
    if (sum(dst, NW) != ref) return 1;
    memset(src, 0, sizeof src);
    BARRIER();
    wcopy(src, dst, NW);
    BARRIER();
    if (sum(src, NW) != ref) return 2;
  }
  return 0;
}
