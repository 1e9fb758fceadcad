#!/bin/sh
# Every built plugin is self-contained: plugins reach the core only through
# the host table, so every undefined symbol must come from a versioned
# shared library (glibc, libfdt, libslirp: "sym@VERSION"; vmrun exports
# nothing), and the only exported symbol is vmrun_plugin_descriptor.
. "$top_srcdir/tests/integration/lib.sh"
for so in "$top_builddir"/plugins/.libs/*.so; do
  name=$(basename "$so")
  bad=$(nm -D --undefined-only "$so" |
        awk '$1 == "U" && $2 !~ /@/ { print $2 }')
  if [ -z "$bad" ]; then ok "$name: no undefined symbols into the core"
  else fail "$name: undefined symbols: $bad"; fi
  exports=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDRBV]$/ { print $3 }')
  if [ "$exports" = "vmrun_plugin_descriptor" ]; then ok "$name: exports only its descriptor"
  else fail "$name: exports: $(echo $exports)"; fi
done
done_testing
