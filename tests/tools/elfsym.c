/*
** tests/tools/elfsym.c - core/symbols.c on its own, for tests/lua/symbols.sh:
**   elfsym FILE [ADDR|NAME]...
** loads FILE (ELF or System.map) and prints "count N", then for each
** argument either "ADDR NAME+0xOFF" (hex address argument) or
** "NAME 0xADDR" (name argument); "?" when unknown.  A malformed FILE
** prints "error: ..." and exits 1; it must never crash.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"

int main(int argc, char **argv)
{
  vmrun_symtab *t;
  char err[256];
  if (argc < 2) { fprintf(stderr, "usage: elfsym FILE [ADDR|NAME]...\n"); return 2; }
  t = vmrun__symtab_new();
  if (!t) return 1;
  if (vmrun__symtab_add_file(t, argv[1], 0, err, sizeof err) < 0) {
    printf("error: %s\n", err);
    vmrun__symtab_free(t);
    return 1;
  }
  printf("count %zu\n", vmrun__symtab_count(t));
  for (int i = 2; i < argc; i++) {
    if (strncmp(argv[i], "0x", 2) == 0) {
      uint64_t a = strtoull(argv[i], NULL, 16), off;
      const char *n = vmrun__symtab_find(t, a, &off);
      if (n) printf("%s %s+0x%" PRIx64 "\n", argv[i], n, off);
      else printf("%s ?\n", argv[i]);
    } else {
      uint64_t a;
      if (vmrun__symtab_lookup(t, argv[i], &a) == 0)
        printf("%s 0x%" PRIx64 "\n", argv[i], a);
      else
        printf("%s ?\n", argv[i]);
    }
  }
  vmrun__symtab_free(t);
  return 0;
}
