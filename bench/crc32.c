/* bench/crc32.c - table-driven CRC-32 (IEEE, reflected) over a 1 MiB
** buffer, repeated.  Checks the standard check value of "123456789"
** (0xcbf43926) and the CRC of the generated buffer. */
#include "bench.h"

#define N    (1024 * 1024)
#define REPS (64 * SCALE)
#define EXPECT 0xe6568d53u   /* CRC-32 of the generated buffer */

static uint8_t buf[N];
static uint32_t table[256];

static uint32_t crc32(const uint8_t *p, size_t n)
{
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

int main(void)
{
  uint32_t seed = 0x12345678u;
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  if (crc32((const uint8_t *)"123456789", 9) != 0xcbf43926u) return 1;
  for (size_t i = 0; i < N; i++) buf[i] = (uint8_t)xorshift32(&seed);
  for (int r = 0; r < REPS; r++) {
    BARRIER();
    uint32_t c = crc32(buf, N);
    REPORT("crc32 0x%08x", (unsigned)c);
    if (c != EXPECT) return 2;
  }
  return 0;
}
