#!/bin/sh
# A third-party device plugin: the docs/sdk.md example is built out of tree
# with the system compiler against sdk/include only, found with
# --plugin-path, listed, put in a machine by its YAML name, and read and
# written by a guest program (tests/guest/scratch.S).
. "$top_srcdir/tests/integration/lib.sh"
cc=${CC:-cc}
$cc -std=gnu11 -Wall -Wextra -Werror -fPIC -fvisibility=hidden -shared \
  -I"$top_srcdir/sdk/include" "$top_srcdir/sdk/examples/device-scratch.c" \
  -lfdt -o "$TMP/device-scratch.so" 2>"$TMP/err"
check "example plugin builds out of tree, warning-free" [ -f "$TMP/device-scratch.so" ]
[ -f "$TMP/device-scratch.so" ] || { diag <"$TMP/err"; done_testing; exit 0; }

"$VMRUN" --plugin-path "$TMP" --list-plugins >"$TMP/list" 2>&1
check "--plugin-path: listed first-class" \
  grep -Eq "^device +scratch +1\.0\.0 +$ABI_RE +$TMP/device-scratch.so$" "$TMP/list"

$RISCV_CC -nostdlib -march=rv64imac -mabi=lp64 -Ttext=0x80000000 -Wl,-N \
  -Wl,--no-warn-rwx-segments "$top_srcdir/tests/guest/scratch.S" -o "$TMP/scratch.elf"
cat >"$TMP/m.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: scratch.elf }
devices:
  - { type: sifive-test, base: 0x100000 }
  - { type: scratch, base: 0x10010000, options: { initial: 7 } }
YAML
"$VMRUN" --plugin-path "$TMP" --max-insns 100000 "$TMP/m.yaml" >"$TMP/out" 2>&1
st=$?
check "guest reads the option value and writes the register (status $st)" [ $st -eq 0 ]
VMRUN_PLUGIN_PATH="$TMP" "$VMRUN" --max-insns 100000 "$TMP/m.yaml" >"$TMP/out" 2>&1
check "VMRUN_PLUGIN_PATH finds it too" [ $? -eq 0 ]
"$VMRUN" --plugin-path "$TMP" --set 'devices[1].options.initial=8' \
  --max-insns 100000 "$TMP/m.yaml" >"$TMP/out" 2>&1
check "option through --set reaches the plugin (guest sees 8, fails check 1)" [ $? -eq 1 ]
"$VMRUN" --plugin-path "$TMP" --set 'devices[1].options.colour=red' \
  --max-insns 100000 "$TMP/m.yaml" >"$TMP/out" 2>&1
st=$?
check "unknown plugin option is an error (status $st)" [ $st -eq 1 ]
check "...naming file:line:col and key" \
  grep -q "devices\[1\].options.colour: unknown key; valid keys: initial" "$TMP/out"
done_testing
