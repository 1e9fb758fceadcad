/* bench/strsearch.c - substring search in a generated 1 MiB text over a
** 4-letter alphabet: naive search and Boyer-Moore-Horspool count the
** (overlapping) occurrences of several patterns.  Checks the two agree
** and the total count. */
#include "bench.h"

#define N    (1024 * 1024)
#define REPS (3 * SCALE)
#define EXPECT 4904ull   /* total occurrences of all patterns */

static char text[N + 1];

static const char *const pats[] = {
  "acgt", "ggatcc", "tataaa", "gaattc", "cagcagcag",
  "acgtacgtac", "ttttgggg", "atgcatgcatgcat",
};
#define NPATS (sizeof pats / sizeof pats[0])

static size_t naive(const char *t, size_t n, const char *p, size_t m)
{
  size_t c = 0;
  for (size_t i = 0; i + m <= n; i++) {
    size_t j = 0;
    while (j < m && t[i + j] == p[j]) j++;
    c += j == m;
  }
  return c;
}

static size_t horspool(const char *t, size_t n, const char *p, size_t m)
{
  size_t shift[256], c = 0;
  for (int i = 0; i < 256; i++) shift[i] = m;
  for (size_t i = 0; i + 1 < m; i++) shift[(unsigned char)p[i]] = m - 1 - i;
  for (size_t i = 0; i + m <= n; i += shift[(unsigned char)t[i + m - 1]]) {
    size_t j = m;
    while (j > 0 && t[i + j - 1] == p[j - 1]) j--;
    c += j == 0;
  }
  return c;
}

int main(void)
{
  uint32_t seed = 0xc0ffee11u;
  for (size_t i = 0; i < N; i++) text[i] = "acgt"[xorshift32(&seed) >> 30];
  text[N] = 0;
  if (naive("aaaa", 4, "aa", 2) != 3 || horspool("aaaa", 4, "aa", 2) != 3)
    return 1;
  for (int r = 0; r < REPS; r++) {
    uint64_t total = 0;
    BARRIER();
    for (size_t k = 0; k < NPATS; k++) {
      size_t m = strlen(pats[k]);
      size_t a = naive(text, N, pats[k], m);
      size_t b = horspool(text, N, pats[k], m);
      if (a != b) return 2;
      total += a;
    }
    REPORT("strsearch total %llu", (unsigned long long)total);
    if (total != EXPECT) return 3;
  }
  return 0;
}
