#!/bin/sh
# `make install` (into a DESTDIR, so no root is needed): vmrun runs from
# PATH, finds its plugins in $(pkglibdir)/plugins as .so files only (the
# install is relocatable: the plugin directory is also looked up relative
# to the executable), boots the installed default machine, and the SDK
# headers are installed for out-of-tree plugins.
. "$top_srcdir/tests/integration/lib.sh"
d="$TMP/dest"
make -s -C "$top_builddir" install DESTDIR="$d" >"$TMP/log" 2>&1
check "make install DESTDIR succeeds" [ $? -eq 0 ]
bin=$(find "$d" -path '*/bin/vmrun' -type f | head -n 1)
check "vmrun installed into bindir" [ -x "$bin" ]
[ -x "$bin" ] || { diag <"$TMP/log"; done_testing; exit 0; }
bindir=$(dirname "$bin"); prefix=$(dirname "$bindir")

PATH="$bindir:$PATH" vmrun --list-plugins >"$TMP/list" 2>&1
n=$(grep -c "^[a-z]* .* $prefix/.*/plugins/[a-z0-9-]*\.so$" "$TMP/list")
built=$(ls "$top_builddir"/plugins/.libs/ | grep -cE '^(frontend|engine|mmu|accel|device)-.*\.so$')
check "all $built built plugins found in the installed plugin directory (found $n)" \
  [ "$n" -eq "$built" -a "$n" -ge 6 ]
check "no libtool .la files installed" [ -z "$(find "$d" -name '*.la')" ]
check "SDK headers installed" [ -f "$prefix/include/vmrun/vmrun.h" ]

cfg="$prefix/share/vmrun/configs/riscv64-opensbi.yaml"
(cd "$TMP" && PATH="$bindir:$PATH" timeout 120 vmrun --max-insns 500000000 \
  "$cfg" </dev/null >"$TMP/out" 2>&1)
st=$?
check "installed vmrun boots the installed default machine (status $st)" [ $st -eq 0 ]
check "...through to the payload's poweroff" grep -q 'all checks passed' "$TMP/out"
done_testing
