/* bench/matmul.c - double-precision matrix multiply C = A * B (200x200,
** i-k-j order), repeated.  The entries are small integers, so every sum
** is exact: checks the sum of C against sum_k colsum(A)_k * rowsum(B)_k
** and a few entries against their dot products. */
#include "bench.h"

#define N    200
#define REPS (80 * SCALE)

static double A[N][N], B[N][N], C[N][N];

static void matmul(void)
{
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) C[i][j] = 0.0;
    for (int k = 0; k < N; k++) {
      double a = A[i][k];
      for (int j = 0; j < N; j++) C[i][j] += a * B[k][j];
    }
  }
}

int main(void)
{
  uint32_t seed = 0x1234abcdu;
  double expect = 0.0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = (double)(int)(xorshift32(&seed) % 17) - 8.0;
      B[i][j] = (double)(int)(xorshift32(&seed) % 13) - 6.0;
    }
  for (int k = 0; k < N; k++) {
    double ca = 0.0, rb = 0.0;
    for (int i = 0; i < N; i++) { ca += A[i][k]; rb += B[k][i]; }
    expect += ca * rb;
  }
  for (int r = 0; r < REPS; r++) {
    double sum = 0.0;
    BARRIER();
    matmul();
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) sum += C[i][j];
    REPORT("matmul sum %.1f expect %.1f", sum, expect);
    if (sum != expect) return 1;
    for (int t = 0; t < 8; t++) {
      int i = (t * 37 + r) % N, j = (t * 53 + 7 * r) % N;
      double d = 0.0;
      for (int k = 0; k < N; k++) d += A[i][k] * B[k][j];
      if (d != C[i][j]) return 2;
    }
  }
  return 0;
}
