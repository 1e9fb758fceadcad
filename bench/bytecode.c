/* bench/bytecode.c - a small stack-machine interpreter (switch dispatch)
** running a bytecode program with nested loops; checks its result against
** the same computation in C. */
#include "bench.h"

#define OUTER (48 * SCALE)
#define INNER 100000

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, AND, XOR, SHR, DUP, DROP,
       JNZ, JMP, LT, HALT };

/* locals: 0 = i (outer), 1 = j (inner), 2 = acc, 3 = OUTER, 4 = INNER */
static const int32_t prog[] = {
  /* 0 */  PUSH, 0, STORE, 2,              /* acc = 0 */
  /* 4 */  PUSH, 0, STORE, 0,              /* i = 0 */
  /* 8 */  PUSH, 0, STORE, 1,              /* outer: j = 0 */
  /* 12 */ LOAD, 2, PUSH, 33, MUL,          /* inner: acc*33 */
  /* 17 */ LOAD, 1, LOAD, 0, XOR, ADD,      /* + (j ^ i) */
  /* 23 */ LOAD, 2, PUSH, 7, SHR, XOR,      /* ^ (acc >> 7) */
  /* 29 */ PUSH, 0x7fffffff, AND, STORE, 2, /* acc = ... & 0x7fffffff */
  /* 34 */ LOAD, 1, PUSH, 1, ADD, DUP, STORE, 1, /* j++ */
  /* 42 */ LOAD, 4, LT, JNZ, 12,           /* if j < INNER goto inner */
  /* 47 */ LOAD, 0, PUSH, 1, ADD, DUP, STORE, 0, /* i++ */
  /* 55 */ LOAD, 3, LT, JNZ, 8,            /* if i < OUTER goto outer */
  /* 60 */ LOAD, 2, HALT,
};

static int32_t run(const int32_t *code, int32_t *locals)
{
  int32_t stack[64], *sp = stack;
  const int32_t *pc = code;
  for (;;) {
    int32_t a, b;
    switch (*pc++) {
    case PUSH:  *sp++ = *pc++; break;
    case LOAD:  *sp++ = locals[*pc++]; break;
    case STORE: locals[*pc++] = *--sp; break;
    case ADD:   b = *--sp; a = *--sp; *sp++ = (int32_t)((uint32_t)a + (uint32_t)b); break;
    case SUB:   b = *--sp; a = *--sp; *sp++ = (int32_t)((uint32_t)a - (uint32_t)b); break;
    case MUL:   b = *--sp; a = *--sp; *sp++ = (int32_t)((uint32_t)a * (uint32_t)b); break;
    case AND:   b = *--sp; a = *--sp; *sp++ = a & b; break;
    case XOR:   b = *--sp; a = *--sp; *sp++ = a ^ b; break;
    case SHR:   b = *--sp; a = *--sp; *sp++ = (int32_t)((uint32_t)a >> b); break;
    case DUP:   a = sp[-1]; *sp++ = a; break;
    case DROP:  --sp; break;
    case JNZ:   a = *--sp; if (a) pc = code + *pc; else pc++; break;
    case JMP:   pc = code + *pc; break;
    case LT:    b = *--sp; a = *--sp; *sp++ = a < b; break;
    case HALT:  return *--sp;
    default:    return -1;
    }
  }
}

int main(void)
{
  int32_t locals[8] = { 0, 0, 0, OUTER, INNER, 0, 0, 0 };
  uint32_t acc = 0;
  BARRIER();
  int32_t got = run(prog, locals);
  for (uint32_t i = 0; i < OUTER; i++)
    for (uint32_t j = 0; j < INNER; j++) {
      acc = ((acc * 33 + (j ^ i)) ^ (acc >> 7)) & 0x7fffffff;
    }
  REPORT("bytecode %d (expect %d)", (int)got, (int)acc);
  return (uint32_t)got == acc ? 0 : 1;
}
