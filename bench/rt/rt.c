/*
** bench/rt/rt.c - the few libc functions a freestanding guest build of the
** bench/ programs may need (gcc emits memcpy/memset calls for struct copies
** and recognised loops even with -ffreestanding).  Built with
** -fno-tree-loop-distribute-patterns so these loops are not turned back
** into calls to themselves.
*/
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;
  if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
    uint64_t *dw = (uint64_t *)d;
    const uint64_t *sw = (const uint64_t *)s;
    for (; n >= 32; n -= 32, dw += 4, sw += 4) {
      uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
      dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
    }
    for (; n >= 8; n -= 8) *dw++ = *sw++;
    d = (unsigned char *)dw;
    s = (const unsigned char *)sw;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

void *memset(void *dst, int c, size_t n)
{
  unsigned char *d = dst;
  if (((uintptr_t)d & 7) == 0) {
    uint64_t w = (unsigned char)c * 0x0101010101010101ull;
    uint64_t *dw = (uint64_t *)d;
    for (; n >= 8; n -= 8) *dw++ = w;
    d = (unsigned char *)dw;
  }
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}

size_t strlen(const char *s)
{
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}
