/*
** tests/tools/rv-disas.c - feeds plugins/riscv64/disas.c the instructions
** of `objdump -d` output: reads lines "ADDR HEX" (hex address, the
** encoding as objdump prints it: 4 or 8 hex digits) from stdin and prints
** "ADDR<TAB>TEXT" for each.  Used by tests/lua/disas.sh.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disas.h"

int main(void)
{
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    unsigned long long addr;
    char hex[32], text[128];
    uint8_t b[4];
    unsigned long v;
    size_t n;
    int len;
    if (sscanf(line, "%llx %31s", &addr, hex) != 2) continue;
    n = strlen(hex) / 2;
    if (n != 2 && n != 4) continue;
    v = strtoul(hex, NULL, 16);
    for (size_t k = 0; k < n; k++) b[k] = (uint8_t)(v >> (8 * k));
    len = rv_disas_insn(addr, b, n, text, sizeof text);
    if (len != (int)n) {
      printf("%llx\t<length %d for %s>\n", addr, len, hex);
      continue;
    }
    printf("%llx\t%s\n", addr, text);
  }
  return 0;
}
