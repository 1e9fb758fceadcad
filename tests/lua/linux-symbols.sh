#!/bin/sh
# Kernel symbols from the System.map that scripts/fetch-guest-images keeps
# (configs/riscv64-virt-linux.yaml, machine.symbols): vmrun.lookup gives
# the map's address of start_kernel, and an on_insn hook at that address
# fires as Debian's kernel boots, with vmrun.symbol naming it.
. "$top_srcdir/tests/integration/lib.sh"
cfg="$top_srcdir/configs/riscv64-virt-linux.yaml"
img=${XDG_CACHE_HOME:-$HOME/.cache}/vmrun/images/riscv64
if [ ! -s "$img/Image" ] || [ ! -s "$img/initramfs.cpio.gz" ]; then
  skip "guest images missing: run scripts/fetch-guest-images"
  done_testing; exit 0
fi
truncate -s 64M "$TMP/disk.img"

# without symbols: vmrun.disas at the first S-mode block in the kernel's
# virtual address space reads the code through the guest's page tables
cat >"$TMP/v.lua" <<'LUA'
vmrun.on_block(function(pc, n)
  if vmrun.reg("priv") == 1 and math.ult(0xffffffff00000000 - 1, pc) then
    print(vmrun.disas(pc, n))
    print(string.format("block 0x%x satp 0x%x", pc, vmrun.reg("satp")))
    vmrun.stop()
  end
end)
LUA
timeout 600 "$VMRUN" --max-insns 3000000000 --script "$TMP/v.lua" \
  --set 'devices[6].options.file='"$TMP/disk.img" "$cfg" </dev/null \
  >"$TMP/out.raw" 2>"$TMP/err"; st=$?
tr -d '\r' <"$TMP/out.raw" >"$TMP/out"
B=$(sed -n 's/^block \(0x[0-9a-f]*\) satp .*/\1/p' "$TMP/out")
grep -B3 '^block' "$TMP/out" | diag
check "first kernel-VA block ($B, paging on) disassembles through the page tables (status $st)" \
  sh -c "[ $st -eq 0 ] && [ -n '$B' ] && grep -q '^$B:	[a-z]' '$TMP/out' && ! grep -q 'fetch fault' '$TMP/out' && ! grep -q '^block .* satp 0x0\$' '$TMP/out'"

if [ ! -s "$img/System.map" ]; then
  skip "no kernel System.map in the image cache (VMRUN_FETCH_DBG=1 scripts/fetch-guest-images)"
  done_testing; exit 0
fi
SK=0x$(awk '$3 == "start_kernel" { print $1; exit }' "$img/System.map")
cat >"$TMP/s.lua" <<'LUA'
local a = vmrun.lookup("start_kernel")
print(string.format("lookup 0x%x", a))
vmrun.on_insn(function(pc)
  local name, off = vmrun.symbol(pc)
  print(string.format("reached 0x%x %s+%d priv %d", pc, name, off,
                      vmrun.reg("priv")))
  print(vmrun.disas(pc, 1))
  vmrun.stop()
end, { pc = a })
LUA
timeout 600 "$VMRUN" --max-insns 3000000000 --script "$TMP/s.lua" \
  --set 'devices[6].options.file='"$TMP/disk.img" "$cfg" </dev/null \
  >"$TMP/out.raw" 2>"$TMP/err"; st=$?
tr -d '\r' <"$TMP/out.raw" >"$TMP/out"
check "vmrun.lookup(\"start_kernel\") = System.map's $SK" grep -qx "lookup $SK" "$TMP/out"
check "an on_insn hook there fires in S mode, vmrun.symbol names it (status $st)" \
  sh -c "[ $st -eq 0 ] && grep -qx 'reached $SK start_kernel+0 priv 1' '$TMP/out'"
check "vmrun.disas reads the kernel's code through its page tables" \
  sh -c "grep -A1 '^reached' '$TMP/out' | tail -1 | grep -q '^$SK:	[a-z]'"
grep -A1 '^reached' "$TMP/out" | diag
done_testing
