/* bench/linkedlist.c - pointer chasing: a singly linked list of 256 Ki
** nodes in shuffled order (Fisher-Yates), walked repeatedly.  Checks the
** node count and the sum of the values against closed forms. */
#include "bench.h"

#define N    (256 * 1024)
#define REPS (12 * SCALE)

struct node { struct node *next; uint64_t val; };

static struct node nodes[N];
static uint32_t perm[N];

int main(void)
{
  uint32_t seed = 0x2545f491u;
  for (uint32_t i = 0; i < N; i++) perm[i] = i;
  for (uint32_t i = N - 1; i > 0; i--) {
    uint32_t j = xorshift32(&seed) % (i + 1), t = perm[i];
    perm[i] = perm[j]; perm[j] = t;
  }
  for (uint32_t i = 0; i < N; i++) {
    struct node *n = &nodes[perm[i]];
    n->val = perm[i];
    n->next = i + 1 < N ? &nodes[perm[i + 1]] : 0;
  }
  for (int r = 0; r < REPS; r++) {
    uint64_t sum = 0, count = 0;
    BARRIER();
    for (const struct node *n = &nodes[perm[0]]; n; n = n->next) {
      sum += n->val;
      count++;
    }
    if (count != N) return 1;
    if (sum != (uint64_t)N * (N - 1) / 2) return 2;
  }
  return 0;
}
