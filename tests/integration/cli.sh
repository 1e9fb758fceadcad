#!/bin/sh
# The command line: help, version, plugin listing, usage errors, and bad
# input (each: one clear line naming the problem, the right exit status).
. "$top_srcdir/tests/integration/lib.sh"
cfg="$top_srcdir/configs/riscv64-opensbi.yaml"

"$VMRUN" --help >"$TMP/o" 2>&1; st=$?
check "--help exits 0" [ $st -eq 0 ]
check "--help shows usage" grep -q '^Usage: vmrun \[options\] MACHINE.yaml' "$TMP/o"

"$VMRUN" --version >"$TMP/o" 2>&1
check "--version names program and ABI $ABI" grep -q "^plugin SDK ABI $ABI_RE\$" "$TMP/o"

"$VMRUN" --list-plugins >"$TMP/o" 2>&1
check "--list-plugins prints no error (other libraries are skipped)" \
  sh -c "! grep -q '^vmrun:' '$TMP/o'"
for p in "frontend *riscv64" "engine *interp" "mmu *softmmu" "device *ns16550a" \
         "device *aclint" "device *sifive-test"; do
  check "--list-plugins lists $p" grep -Eq "^$p +[0-9.]+ +$ABI_RE +/" "$TMP/o"
done

"$VMRUN" >"$TMP/o" 2>&1; st=$?
check "no machine file: exit 2 (got $st)" [ $st -eq 2 ]
check "no machine file: says so" grep -q 'missing MACHINE.yaml' "$TMP/o"
"$VMRUN" --bogus "$cfg" >"$TMP/o" 2>&1; st=$?
check "unknown option: exit 2 (got $st)" [ $st -eq 2 ]
"$VMRUN" --max-insns lots "$cfg" >"$TMP/o" 2>&1; st=$?
check "bad --max-insns: exit 2" [ $st -eq 2 ]
"$VMRUN" --set machine.ram "$cfg" >"$TMP/o" 2>&1; st=$?
check "--set without '=': exit 2 (got $st)" [ $st -eq 2 ]

# run_err NAME WANT-STATUS REGEX vmrun-args...: exactly one line matching
run_err() {
  local name=$1 want=$2 re=$3; shift 3
  "$VMRUN" "$@" </dev/null >"$TMP/o" 2>"$TMP/e"; local st=$?
  if [ $st -eq "$want" ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -Eq -- "$re" "$TMP/e"; then
    ok "$name"
  else
    fail "$name (status $st)"; diag <"$TMP/e"
  fi
}
run_err "missing machine file" 1 "nonexistent.yaml: No such file or directory" \
  "$TMP/nonexistent.yaml"
printf 'version: 1\nmachine:\n  arch: riscv64\n  ram: lots\n' >"$TMP/bad.yaml"
run_err "bad size names file:line:col and key" 1 "bad.yaml:4:8: machine.ram: " "$TMP/bad.yaml"
printf 'version: 1\nmachine: [1, 2\n' >"$TMP/syntax.yaml"
run_err "YAML syntax error names file:line:col" 1 "syntax.yaml:[0-9]+:[0-9]+: " "$TMP/syntax.yaml"
run_err "unknown engine plugin" 1 "no engine plugin named 'turbo'" \
  --set machine.engine=turbo "$cfg"
run_err "tiered: hot_threshold not a number" 1 \
  "^--set:1:[0-9]+: machine.engine_options.hot_threshold: expected a number.*'soon'" \
  --set machine.engine=tiered --set machine.engine_options.hot_threshold=soon "$cfg"
run_err "tiered: hot_threshold above 2^32-1" 1 \
  "^--set:1:[0-9]+: machine.engine_options.hot_threshold: expected at most 4294967295, got 4294967296" \
  --set machine.engine=tiered --set machine.engine_options.hot_threshold=4G "$cfg"
run_err "tiered: unknown engine option" 1 \
  "machine.engine_options.hot_treshold: unknown key; valid keys: hot_threshold, code_cache" \
  --set machine.engine=tiered --set machine.engine_options.hot_treshold=3 "$cfg"
run_err "tjit: unknown engine option" 1 \
  "machine.engine_options.hot_threshold: unknown key; valid keys: code_cache, regcache, direct_mem, block_stats" \
  --set machine.engine=tjit --set machine.engine_options.hot_threshold=3 "$cfg"
run_err "tjit: bad code_cache" 1 \
  "machine.engine_options.code_cache: expected a number" \
  --set machine.engine=tjit --set machine.engine_options.code_cache=big "$cfg"
run_err "unknown device plugin" 1 "no device plugin named 'nosuch'" \
  --set 'devices[0].type=nosuch' "$cfg"
run_err "wrong ISA for the frontend" 1 "frontend 'riscv64' implements ISA 'riscv64', but machine.arch is 'arm64'" \
  --set machine.arch=arm64 --set machine.frontend=riscv64 "$cfg"
run_err "missing firmware file" 1 "nofw.bin: No such file or directory" \
  --set machine.firmware="$TMP/nofw.bin" "$cfg"
run_err "overlapping device regions" 1 "overlaps" \
  --set 'devices[1].base=0x100800' --set 'devices[1].size=0x10000' "$cfg"
head -c 3000000 /dev/zero >"$TMP/big.bin"
run_err "firmware larger than RAM" 1 "does not fit" \
  --set machine.ram=2M --set machine.firmware="$TMP/big.bin" --set machine.kernel= "$cfg"
head -c 300000 /dev/zero >"$TMP/fw.bin"
run_err "firmware overlapping the kernel address" 1 "past the kernel address" \
  --set machine.firmware="$TMP/fw.bin" --set machine.kernel_addr=0x80010000 "$cfg"
# an x86-64 ELF (this shell) is not RISC-V
run_err "non-RISC-V ELF" 1 "ELF machine 62 is not riscv64" \
  --set machine.firmware=/bin/sh "$cfg"
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000' >"$TMP/trunc.elf"
run_err "truncated ELF" 1 "truncated or big-endian ELF header" \
  --set machine.firmware="$TMP/trunc.elf" "$cfg"
cp /bin/true "$TMP/corrupt.elf"; printf '\363\000' | dd of="$TMP/corrupt.elf" bs=1 seek=18 conv=notrunc 2>/dev/null
printf '\377\377\377\377\377\377\377\177' | dd of="$TMP/corrupt.elf" bs=1 seek=32 conv=notrunc 2>/dev/null
run_err "corrupt ELF program headers" 1 "corrupt ELF program header table" \
  --set machine.firmware="$TMP/corrupt.elf" "$cfg"

# A plugin with an unresolved symbol is refused when loaded (vmrun binds
# plugin symbols immediately), not when first called.
printf 'version: 1\nmachine: { arch: riscv64, ram: 16M, firmware: wfi.bin }\ndevices: [ { type: undef } ]\n' \
  >"$TMP/undef.yaml"
env -u LD_BIND_NOW "$VMRUN" --plugin-path "$top_builddir/tests/plugins" \
  "$TMP/undef.yaml" </dev/null >"$TMP/o" 2>"$TMP/e"; st=$?
check "unresolved plugin symbol: status 1 (got $st)" [ $st -eq 1 ]
check "...one line naming the symbol" \
  sh -c "[ \$(wc -l <'$TMP/e') -eq 1 ] && grep -q 'undefined symbol: vmrun_no_such_function' '$TMP/e'"
env -u LD_BIND_NOW "$VMRUN" --version >/dev/null 2>&1
check "vmrun runs when LD_BIND_NOW is unset (re-exec path)" [ $? -eq 0 ]

# --trace: each executed block's guest PC on stderr, starting at the entry.
printf '\157\000\000\000' >"$TMP/spin.bin"   # "j ." : loops forever
cat >"$TMP/spin.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: spin.bin }
YAML
"$VMRUN" --trace --max-insns 5 "$TMP/spin.yaml" >"$TMP/o" 2>"$TMP/e"; st=$?
check "--max-insns stops the run with status 124 (got $st)" [ $st -eq 124 ]
check "--trace prints the first block at the entry point" \
  grep -q '^trace: pc=0x0000000080000000$' "$TMP/e"
check "--trace prints one line per executed block (5 one-insn blocks)" \
  [ "$(grep -c '^trace: pc=' "$TMP/e")" -eq 5 ]
printf 'scripts: [ nosuch.lua ]\n' >>"$TMP/spin.yaml"
"$VMRUN" --max-insns 5 "$TMP/spin.yaml" >"$TMP/o" 2>"$TMP/e"; st=$?
check "a missing script stops vmrun with status 1 (got $st)" [ $st -eq 1 ]
check "...in one line naming the script" \
  sh -c "[ \$(wc -l <'$TMP/e') -eq 1 ] && grep -q 'nosuch.lua: cannot open script' '$TMP/e'"

# A hart waiting in WFI with no timer and no input source can never wake.
printf '\163\000\120\020\157\360\337\377' >"$TMP/wfi.bin"   # wfi; j .-4
printf 'version: 1\nmachine: { arch: riscv64, ram: 16M, firmware: wfi.bin }\n' \
  >"$TMP/wfi.yaml"
run_err "WFI that nothing can wake: one line, status 1" 1 \
  "every hart waits for an interrupt \(WFI\) and no timer or input can deliver one" \
  "$TMP/wfi.yaml"

# --dump-dtb: dtc accepts the blob and sees the expected nodes.
"$VMRUN" --dump-dtb "$TMP/virt.dtb" "$cfg" >"$TMP/o" 2>&1; st=$?
check "--dump-dtb exits 0" [ $st -eq 0 ]
if command -v dtc >/dev/null; then
  dtc -I dtb -O dts "$TMP/virt.dtb" >"$TMP/virt.dts" 2>"$TMP/dtc.err"
  check "dtc accepts the device tree" [ $? -eq 0 ]
  for pat in 'compatible = "riscv-virtio"' 'riscv,isa = "rv64imafdc_zicsr_zifencei"' \
             'compatible = "riscv,cpu-intc"' 'compatible = "ns16550a"' \
             'compatible = "sifive,clint0\0riscv,clint0"' \
             'compatible = "sifive,test1\0sifive,test0\0syscon"' \
             'stdout-path = "/soc/serial@10000000"' \
             'timebase-frequency = <0x989680>' 'device_type = "memory"'; do
    check "device tree has: $pat" grep -qF "$pat" "$TMP/virt.dts"
  done
else
  skip "dtc not installed (Debian package device-tree-compiler)"
fi
done_testing
