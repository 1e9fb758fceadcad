/* bench/mandelbrot.c - double-precision Mandelbrot set: iterations (up
** to 256) summed over a 320x240 grid of [-2.2,1] x [-1.2,1.2], repeated.
** Checks the total.  Built with -ffp-contract=off so both builds round
** alike (no fused multiply-add). */
#include "bench.h"

#define W 320
#define H 240
#define MAXIT 256
#define REPS (16 * SCALE)
#define EXPECT 4253656ull

static uint64_t mandel(double x0, double y0, double dx, double dy)
{
  uint64_t total = 0;
  for (int py = 0; py < H; py++) {
    double ci = y0 + py * dy;
    for (int px = 0; px < W; px++) {
      double cr = x0 + px * dx, zr = 0.0, zi = 0.0, zr2 = 0.0, zi2 = 0.0;
      int it = 0;
      while (it < MAXIT && zr2 + zi2 <= 4.0) {
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        it++;
      }
      total += (uint64_t)it;
    }
  }
  return total;
}

int main(void)
{
  volatile double x0 = -2.2, y0 = -1.2, x1 = 1.0, y1 = 1.2;
  for (int r = 0; r < REPS; r++) {
    BARRIER();
    uint64_t t = mandel(x0, y0, (x1 - x0) / W, (y1 - y0) / H);
    REPORT("mandelbrot total %llu", (unsigned long long)t);
    if (t != EXPECT) return 1;
  }
  return 0;
}
