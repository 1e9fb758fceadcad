#!/bin/sh
# Lua scripting: error reporting, on_error policy, sandbox, runaway guards.
. "$top_srcdir/tests/lua/lib.sh"
S="$TMP/s.lua"

run_lua 'x = = 1'
check "syntax error: status 1 ($st)" [ $st -eq 1 ]
check "...one line SCRIPT:LINE: message" \
  sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: $S:1: unexpected symbol' '$TMP/err'"

run_lua '
vmrun.on_block(function(pc, n)
  local t = nil
  return t.field
end)'
check "runtime error in a hook, on_error stop (default): status 1 ($st)" [ $st -eq 1 ]
check "...one line SCRIPT:LINE: message (in on_block hook)" \
  sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"^vmrun: $S:4: attempt to index a nil value (local 't') (in on_block hook)\$\" '$TMP/err'"

run_lua '
local calls = 0
vmrun.on_block(function(pc, n) calls = calls + 1; error("boom") end)
vmrun.on_exit(function(code) print("calls", calls, "code", code) end)' \
  --script-on-error continue
check "on_error continue: the run completes (status $st)" [ $st -eq 0 ]
check "...one warning line, hook disabled" \
  sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: warning: $S:3: boom (on_block hook disabled)\$' '$TMP/err'"
check "...the hook ran once" grep -qx "calls	1	code	0" "$TMP/out"

printf 'vmrun.on_block(function() error("boom") end)\n' >"$TMP/e.lua"
cat >"$TMP/oe.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: guest.elf }
devices:
  - { type: sifive-test, base: 0x100000 }
scripts:
  - { path: e.lua, on_error: continue }
YAML
"$VMRUN" "$TMP/oe.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
check "YAML on_error: continue ($st)" \
  sh -c "[ $st -eq 0 ] && grep -q 'warning: .*e.lua:1: boom (on_block hook disabled)' '$TMP/err'"
sed -i 's/continue/sometimes/' "$TMP/oe.yaml"
"$VMRUN" "$TMP/oe.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
check "YAML on_error: bad value names file:line:col ($st)" \
  sh -c "[ $st -eq 1 ] && grep -q 'oe.yaml:6:.*scripts\[0\].on_error: expected stop or continue' '$TMP/err'"
"$VMRUN" --script-on-error maybe "$M" >/dev/null 2>"$TMP/err"; st=$?
check "--script-on-error maybe: usage error ($st)" [ $st -eq 2 ]

"$VMRUN" --script "$TMP/nonexistent.lua" "$M" >"$TMP/out" 2>"$TMP/err"; st=$?
check "missing script: status 1, one line naming it ($st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: $TMP/nonexistent.lua: cannot open script: No such file or directory\$' '$TMP/err'"

run_lua 'local v = 1
print(vmrun.reg("xyz"))'
check "unknown register: one line naming it with script:line ($st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"^vmrun: $S:2: unknown register 'xyz' for riscv64\$\" '$TMP/err'"
run_lua 'vmrun.set_reg("nope", 1)'
check "set_reg of an unknown register" grep -q "unknown register 'nope' for riscv64" "$TMP/err"

run_lua 'print(io, os, dofile, loadfile, require)'
check "sandbox: no io/os/dofile/loadfile/require without --script-unsafe" \
  grep -qx "nil	nil	nil	nil	nil" "$TMP/out"
run_lua 'io.write("x")'
check "...io.write is an error ($st)" \
  sh -c "[ $st -eq 1 ] && grep -q \"$S:1: attempt to index a nil value (global 'io')\" '$TMP/err'"
run_lua 'io.write("hello\n"); print(type(os.time()))' --script-unsafe
check "--script-unsafe gives io and os" \
  sh -c "[ $st -eq 0 ] && [ \"\$(cat '$TMP/out')\" = \"\$(printf 'hello\nnumber')\" ]"
run_lua 'local f = load(string.dump(function() return 1 end))
print(f, load("return 2")())'
check "load() refuses binary chunks, accepts text" grep -q "^nil	2\$" "$TMP/out"

run_lua 'vmrun.on_start(function() while true do end end)' --script-insn-limit 100000
check "runaway hook stopped by --script-insn-limit ($st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: $S:1: instruction limit exceeded (100000 Lua instructions in one call; see --script-insn-limit) (in on_start hook)\$' '$TMP/err'"
run_lua 'local i = 0
while true do i = i + 1 end'
check "runaway main chunk stopped by the default limit ($st)" \
  sh -c "[ $st -eq 1 ] && grep -q '$S:2: instruction limit exceeded (10000000' '$TMP/err'"
run_lua 'local t = {}
for i = 1, 1e9 do t[i] = string.rep("x", 4096) .. i end'
check "memory cap: out of memory, status 1 ($st)" \
  sh -c "[ $st -eq 1 ] && grep -q '$S: out of memory (Lua state limit 256 MiB)' '$TMP/err'"
"$VMRUN" --script-insn-limit 0 "$M" >/dev/null 2>&1; st=$?
check "--script-insn-limit 0: usage error ($st)" [ $st -eq 2 ]
done_testing
