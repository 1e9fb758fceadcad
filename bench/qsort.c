/* bench/qsort.c - an own quicksort (median of three, insertion sort for
** small ranges) of 256 Ki pseudo-random 32-bit ints, repeated with new
** data.  Checks the result is sorted and a permutation of the input (sum
** and xor kept) and, once, a checksum of the sorted array. */
#include "bench.h"

#define N    (256 * 1024)
#define REPS (8 * SCALE)
#define EXPECT 0x8d039d2bffb43b36ull   /* weighted checksum, first round */

static int32_t a[N];

static void isort(int32_t *v, long lo, long hi)
{
  for (long i = lo + 1; i <= hi; i++) {
    int32_t x = v[i];
    long j = i - 1;
    while (j >= lo && v[j] > x) { v[j + 1] = v[j]; j--; }
    v[j + 1] = x;
  }
}

static void swap(int32_t *v, long i, long j)
{
  int32_t t = v[i]; v[i] = v[j]; v[j] = t;
}

static void quicksort(int32_t *v, long lo, long hi)
{
  while (hi - lo > 16) {
    long mid = lo + (hi - lo) / 2, i = lo, j = hi;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    int32_t p = v[mid];
    while (i <= j) {
      while (v[i] < p) i++;
      while (v[j] > p) j--;
      if (i <= j) { swap(v, i, j); i++; j--; }
    }
    /* recurse into the smaller part, loop on the larger: O(log n) stack */
    if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; }
    else { quicksort(v, i, hi); hi = j; }
  }
  isort(v, lo, hi);
}

int main(void)
{
  uint32_t seed = 0xdeadbeefu;
  for (int r = 0; r < REPS; r++) {
    uint64_t sum = 0, sum2 = 0, ck = 0;
    uint32_t x = 0, x2 = 0;
    for (long i = 0; i < N; i++) {
      a[i] = (int32_t)xorshift32(&seed);
      sum += (uint32_t)a[i]; x ^= (uint32_t)a[i];
    }
    BARRIER();
    quicksort(a, 0, N - 1);
    for (long i = 0; i < N; i++) {
      if (i && a[i - 1] > a[i]) return 1;
      sum2 += (uint32_t)a[i]; x2 ^= (uint32_t)a[i];
      ck = ck * 31 + (uint32_t)a[i];
    }
    if (sum != sum2 || x != x2) return 2;
    REPORT("qsort checksum 0x%016llx", (unsigned long long)ck);
    if (r == 0 && ck != EXPECT) return 3;
  }
  return 0;
}
