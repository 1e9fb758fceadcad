/*
** A compute-bound guest program for scripts/bench: CRC-32 (bitwise, table
** built at run time), a sieve of Eratosthenes, an integer hash mix and an
** insertion sort, each checking its own result.  Returns 0 when every
** result is right, else the number of the failed check.
** Sizes are chosen so vmrun's interpreter runs it in about 1.5 s.
*/
#include <stdint.h>

#define N_CRC   (256 * 1024)
#define N_SIEVE 2000000
#define N_SORT  2000

static uint8_t buf[N_CRC];
static uint8_t composite[N_SIEVE + 1];
static uint32_t crc_table[256];
static uint32_t arr[N_SORT];

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
  uint32_t c = 0xffffffffu;
  for (uint32_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static uint32_t xorshift(uint32_t *s)
{
  uint32_t x = *s;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return *s = x;
}

int main(void);
int main(void)
{
  uint32_t seed = 2463534242u, count = 0, x;
  uint64_t h = 0;

  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
  /* "123456789" has the standard CRC-32 check value 0xcbf43926 */
  for (int i = 0; i < 9; i++) buf[i] = (uint8_t)('1' + i);
  if (crc32(buf, 9) != 0xcbf43926u) return 1;
  for (uint32_t i = 0; i < N_CRC; i++) buf[i] = (uint8_t)(i * 7 + (i >> 8));
  x = 0;
  for (int round = 0; round < 32; round++) {
    buf[round] ^= 0x5a;                  /* a different input each round */
    x = x * 31 + crc32(buf, N_CRC);
  }
  if (x == 0) return 2;

  for (uint32_t i = 2; (uint64_t)i * i <= N_SIEVE; i++)
    if (!composite[i])
      for (uint32_t j = i * i; j <= N_SIEVE; j += i) composite[j] = 1;
  for (uint32_t i = 2; i <= N_SIEVE; i++) count += !composite[i];
  if (count != 148933) return 3;        /* pi(2,000,000) */

  for (uint32_t i = 0; i < 12000000; i++) {
    h ^= (uint64_t)xorshift(&seed) * 0x9e3779b97f4a7c15ull;
    h = (h << 13) | (h >> 51);
    h += h / 7 + (h % 13);
  }
  if (h == 0) return 4;

  for (uint32_t i = 0; i < N_SORT; i++) arr[i] = xorshift(&seed);
  for (uint32_t i = 1; i < N_SORT; i++) {
    uint32_t v = arr[i], j = i;
    while (j > 0 && arr[j - 1] > v) { arr[j] = arr[j - 1]; j--; }
    arr[j] = v;
  }
  for (uint32_t i = 1; i < N_SORT; i++)
    if (arr[i - 1] > arr[i]) return 5;
  return 0;
}
