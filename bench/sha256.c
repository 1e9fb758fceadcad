/* bench/sha256.c - SHA-256 (FIPS 180-4).  Checks the FIPS test vector
** SHA-256("abc"), then hashes a generated 1 MiB buffer, repeated, and
** checks its digest. */
#include "bench.h"

#define N    (1024 * 1024)
#define REPS (32 * SCALE)

static uint8_t buf[N];

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
  0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint8_t abc_digest[32] = {
  0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
  0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
  0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

/* SHA-256 of buf (obtained from the native build with -DBENCH_PRINT) */
static const uint8_t buf_digest[32] = {
  0xb6, 0x78, 0x6d, 0xd1, 0x40, 0x4e, 0xe4, 0xa5, 0x37, 0x78, 0x2d, 0x05,
  0x18, 0x05, 0x14, 0x7e, 0x2f, 0xc1, 0x73, 0x95, 0x5c, 0xbc, 0x2a, 0x56,
  0xc9, 0x51, 0x75, 0xfd, 0x30, 0x6c, 0x44, 0x6c,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(uint32_t h[8], const uint8_t *p)
{
  uint32_t w[64], a, b, c, d, e, f, g, hh;
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = h[0]; b = h[1]; c = h[2]; d = h[3];
  e = h[4]; f = h[5]; g = h[6]; hh = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
                  ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
                  ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d;
  h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
  uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
  uint8_t tail[128];
  size_t i, full = n & ~(size_t)63, rest = n - full, tn;
  uint64_t bits = (uint64_t)n * 8;

  for (i = 0; i < full; i += 64) block(h, p + i);
  for (i = 0; i < rest; i++) tail[i] = p[full + i];
  tail[rest] = 0x80;
  tn = rest < 56 ? 64 : 128;
  for (i = rest + 1; i < tn - 8; i++) tail[i] = 0;
  for (i = 0; i < 8; i++) tail[tn - 1 - i] = (uint8_t)(bits >> (8 * i));
  for (i = 0; i < tn; i += 64) block(h, tail + i);
  for (i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(h[i] >> 24); out[4 * i + 1] = (uint8_t)(h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(h[i] >> 8); out[4 * i + 3] = (uint8_t)h[i];
  }
}

int main(void)
{
  uint8_t d[32];
  uint32_t seed = 0x9e3779b9u;

  sha256((const uint8_t *)"abc", 3, d);
  if (memcmp(d, abc_digest, 32) != 0) return 1;
  for (size_t i = 0; i < N; i++) buf[i] = (uint8_t)(xorshift32(&seed) >> 7);
  for (int r = 0; r < REPS; r++) {
    BARRIER();
    sha256(buf, N - 13, d);   /* odd length: exercises the padding */
#ifdef BENCH_PRINT
    printf("sha256");
    for (int i = 0; i < 32; i++) printf("%s0x%02x,", i % 12 ? " " : "\n  ", d[i]);
    printf("\n");
#endif
    if (memcmp(d, buf_digest, 32) != 0) return 2;
  }
  return 0;
}
