#!/bin/sh
# vmrun.on_mem: guest loads and stores in an address range, on
# tests/lua/guest.S, whose accesses are known from its source: one store of
# 42 to `watched` (at store_here), one load of `flag` (0, in `check`) and
# one store of 0x5555 to the test finisher at 0x100000 (MMIO).  Every engine.
. "$top_srcdir/tests/lua/lib.sh"
WATCHED=$(sym watched); FLAG=$(sym flag); STORE=$(sym store_here)
CHECK=$(sym check); PASS=$(sym pass)
for eng in interp tjit tiered; do
  run_lua "vmrun.on_mem(function(a, n, w, v, pc)
  print(string.format('mem 0x%x %d %s 0x%x 0x%x', a, n, tostring(w), v, pc))
end, {addr = $WATCHED})" --set machine.engine=$eng
  check "$eng: one event at watched: the store of 42 by store_here" \
    sh -c "[ $st -eq 0 ] && [ \$(grep -c '^mem ' '$TMP/out') -eq 1 ] && grep -qx 'mem $WATCHED 4 true 0x2a $STORE' '$TMP/out'"
  run_lua "vmrun.on_mem(function(a, n, w, v, pc)
  print(string.format('mem 0x%x %d %s 0x%x 0x%x', a, n, tostring(w), v, pc))
end, {from = $FLAG, to = $FLAG + 3, write = false})" --set machine.engine=$eng
  pc=$(awk '/^mem / { print $6 }' "$TMP/out")
  check "$eng: reads only: the load of flag (0) inside check ($pc)" \
    sh -c "[ $st -eq 0 ] && [ \$(grep -c '^mem ' '$TMP/out') -eq 1 ] && grep -q '^mem $FLAG 4 false 0x0 ' '$TMP/out' && [ \$(($pc)) -ge \$(($CHECK)) ] && [ \$(($pc)) -lt \$(($PASS)) ]"
  run_lua "local r, w = 0, 0
vmrun.on_mem(function(a, n, is_write, v)
  if is_write then w = w + 1 else r = r + 1 end
  if a == 0x100000 then print(string.format('mmio 0x%x', v)) end
end)
vmrun.on_exit(function() print('reads', r, 'writes', w) end)" \
    --set machine.engine=$eng
  check "$eng: no range: 1 load and 2 stores (one of them MMIO, 0x5555)" \
    sh -c "[ $st -eq 0 ] && grep -qx 'reads	1	writes	2' '$TMP/out' && grep -qx 'mmio 0x5555' '$TMP/out'"
done
# a hook may stop the run at the access
run_lua "vmrun.on_mem(function() vmrun.exit_code(9); vmrun.stop() end,
  {addr = $WATCHED})"
check "vmrun.stop() in on_mem ends the run before the finisher (status $st)" [ $st -eq 9 ]
# bad arguments: one line naming the script and line
run_lua "
vmrun.on_mem(function() end, {from = 8, to = 4})"
check "from > to: one error line with script:line (status $st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 's.lua:2: .*on_mem: from > to' '$TMP/err'"
run_lua "vmrun.on_mem(function() end, {read = false, write = false})"
check "neither reads nor writes: one error line (status $st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 's.lua:1: .*on_mem: read=false and write=false' '$TMP/err'"
run_lua "vmrun.on_mem(42)"
check "not a function: one error line (status $st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 's.lua:1:' '$TMP/err'"
done_testing
