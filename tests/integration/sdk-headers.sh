#!/bin/sh
# Every public SDK header stands alone: it compiles on its own as C99 with
# -Wall -Wextra -Wpedantic -Werror, and as C++ (plugins may be C++), and it
# includes nothing beyond <stdint.h>, <stddef.h>, <stdbool.h> and other
# SDK headers.
. "$top_srcdir/tests/integration/lib.sh"
inc="$top_srcdir/sdk/include"
cc=${CC:-cc}
cxx=$(command -v c++ || command -v g++ || true)
for h in "$inc"/vmrun/*.h; do
  name=vmrun/$(basename "$h")
  printf '#include <%s>\n#include <%s>\ntypedef int nonempty_unit;\n' "$name" "$name" >"$TMP/t.c"
  if $cc -std=c99 -Wall -Wextra -Wpedantic -Werror -I"$inc" -fsyntax-only \
       "$TMP/t.c" 2>"$TMP/err"; then ok "$name: self-contained C99 (and include-guarded)"
  else fail "$name: C99"; diag <"$TMP/err"; fi
  if [ -n "$cxx" ]; then
    if $cxx -x c++ -Wall -Wextra -Werror -I"$inc" -fsyntax-only "$TMP/t.c" \
         2>"$TMP/err"; then ok "$name: compiles as C++"
    else fail "$name: C++"; diag <"$TMP/err"; fi
  else
    skip "$name: no C++ compiler"
  fi
  bad=$(sed -n 's/^#include <\([^>]*\)>.*/\1/p' "$h" |
        grep -v -E '^(stdint|stddef|stdbool)\.h$' || true)
  if [ -z "$bad" ]; then ok "$name: includes only stdint/stddef/stdbool"
  else fail "$name: includes $bad"; fi
done
done_testing
