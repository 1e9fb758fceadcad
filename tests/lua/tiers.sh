#!/bin/sh
# Lua scripting: run-time engine options (hot_threshold, code_cache) and
# tiering policies (vmrun.tier_policy, scripts/lua/keep-interpreted.lua)
# against tests/lua/tiers.sh's guest, whose block counts follow from its
# source: main_loop calls hot_fn 200 times; hot_fn's first iteration is in
# its entry block, the other 9 (x 200 = 1800 runs) in the loop block; every
# other block runs at most 200 times.
. "$top_srcdir/tests/lua/lib.sh"
$RISCV_CC -nostdlib -march=rv64imac -mabi=lp64 -Ttext=0x80000000 -Wl,-N \
  -Wl,--no-warn-rwx-segments "$top_srcdir/tests/lua/tiers.S" \
  -o "$TMP/tiers.elf" 2>"$TMP/cc.err" || { diag <"$TMP/cc.err"; exit 1; }
"$NM" -S "$TMP/tiers.elf" >"$TMP/tsyms"
HOT=$(awk '$4 == "hot_fn" { print $1 }' "$TMP/tsyms")
HOT_SIZE=$(awk '$4 == "hot_fn" { print $2 }' "$TMP/tsyms")
HOT_LO=$((0x$HOT)); HOT_HI=$((0x$HOT + 0x$HOT_SIZE))
for eng in tiered tjit interp; do
  sed -e 's/guest\.elf/tiers.elf/' -e "s/engine: interp/engine: $eng/" "$M" \
    >"$TMP/$eng.yaml"
done
S="$TMP/s.lua"
# run ENGINE SCRIPT-TEXT [options]: --stats run; stdout $TMP/out, stderr
# $TMP/err (stats lines in $TMP/stats), status $st.
run() {
  eng=$1; printf '%s\n' "$2" >"$S"; shift 2
  "$VMRUN" --stats --max-insns 10000000 "$@" --script "$S" "$TMP/$eng.yaml" \
    >"$TMP/out" 2>"$TMP/err"
  st=$?
  grep '^stats: ' "$TMP/err" >"$TMP/stats"; grep -v '^stats: ' "$TMP/err" >"$TMP/err1"
}
stat() { awk -v k="$1" '$2 == k { print $3 }' "$TMP/stats"; }

# the reference: the default threshold (32), no policy
run tiered ''
P0=$(stat blocks_promoted); I0=$(stat blocks_interpreted)
check "reference run passes, 5 hot blocks promoted (main_loop, its return site, hot_fn's 3) ($st, $P0)" \
  sh -c "[ $st -eq 0 ] && [ '$P0' = 5 ] && [ '$(stat policy_asked)' = 0 ]"

# ---- keep-interpreted.lua ----
printf '' >"$S"
"$VMRUN" --stats --script "$SCRIPTS/keep-interpreted.lua:fn=hot_fn" \
  "$TMP/tiered.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
grep '^stats: ' "$TMP/err" >"$TMP/stats"
P=$(stat blocks_promoted); R=$(stat policy_refused); A=$(stat policy_asked)
sed -n 's/^keep-interpreted:   \(0x[0-9a-f]*\) .*/\1/p' "$TMP/out" >"$TMP/kept"
check "keep-interpreted.lua: run passes ($st), summary line" \
  sh -c "[ $st -eq 0 ] && grep -q '^keep-interpreted: hot_fn: kept $R of $A hot blocks interpreted (hot_threshold 32)\$' '$TMP/out'"
check "...hot_fn's entry ($(printf 0x%x $HOT_LO), nm) is among the kept blocks" \
  grep -qx "$(printf 0x%x $HOT_LO)" "$TMP/kept"
bad=0; while read -r pc; do
  [ $((pc)) -ge $HOT_LO ] && [ $((pc)) -lt $HOT_HI ] || bad=1
done <"$TMP/kept"
check "...every kept block lies in hot_fn [nm: 0x$HOT, +0x$HOT_SIZE) ($(lines "$TMP/kept") kept)" \
  sh -c "[ $bad -eq 0 ] && [ $(lines "$TMP/kept") = '$R' ] && [ '$R' -ge 1 ]"
check "...asked once per hot block ($A = $P0), the refused ones not promoted ($P + $R = $P0), the others are ($P > 0)" \
  sh -c "[ '$A' = '$P0' ] && [ \$(($P + $R)) = '$P0' ] && [ '$P' -gt 0 ]"
check "...the kept blocks run interpreted: more blocks interpreted ($(stat blocks_interpreted) > $I0)" \
  [ "$(stat blocks_interpreted)" -gt "$I0" ]

# a refused block is not asked again; a policy's table fields
run tiered '
local seen, dup, fields = {}, 0, "ok"
vmrun.tier_policy(function(b)
  if seen[b.pc] then dup = dup + 1 end
  seen[b.pc] = true
  if b.count ~= 32 or b.insns < 1 or b.bytes < 2 or b.phys_pc ~= b.pc or
     b.hart ~= 0 then fields = string.format("bad 0x%x", b.pc) end
  return false
end)
vmrun.on_exit(function() print("dup", dup, fields) end)'
check "refusing everything: nothing promoted, each hot block asked once, fields pc/count/insns/bytes/phys_pc/hart" \
  sh -c "[ $st -eq 0 ] && [ '$(stat blocks_promoted)' = 0 ] && [ '$(stat policy_asked)' = '$P0' ] && grep -qx 'dup	0	ok' '$TMP/out'"

# the policy with hot_threshold 0 (JIT at the first run): still asked
run tiered 'vmrun.set_engine_option("hot_threshold", 0)
vmrun.tier_policy(function(b) return b.pc < '"$HOT_LO"' end)'
check "hot_threshold 0 with a policy: every block asked (7), hot_fn's 3 refused ($(stat policy_asked), $(stat policy_refused))" \
  sh -c "[ $st -eq 0 ] && [ '$(stat policy_asked)' = 7 ] && [ '$(stat policy_refused)' = 3 ] && [ '$(stat blocks_promoted)' = 4 ]"

# set_read KEY VALUE: a script that sets an option at load time and prints
# what it reads back ("KEY<TAB>value")
set_read() { printf '%s\n' 'vmrun.set_engine_option("'"$1"'", '"$2"')
print("'"$1"'", vmrun.engine_option("'"$1"'"))'; }
# at_call KEY VALUE [LOAD-TIME LINE]: a script that sets an option at
# hot_fn's 100th call (VALUE 0: does nothing, for a baseline), and prints
# the option at exit
at_call() { printf '%s\n' "${3:-}" '
local calls = 0
vmrun.on_insn(function()
  calls = calls + 1
  if calls == 100 and '"$2"' > 0 then
    vmrun.set_engine_option("'"$1"'", '"$2"')
  end
end, { pc = '"$HOT_LO"' })
vmrun.on_exit(function() print("'"$1"'", vmrun.engine_option("'"$1"'")) end)'; }

# ---- hot_threshold ----
run tiered "$(set_read hot_threshold 1000)"
check "hot_threshold 1000 from Lua: read back, only the 1800-run loop block promoted ($(stat blocks_promoted))" \
  sh -c "[ $st -eq 0 ] && grep -qx 'hot_threshold	1000' '$TMP/out' && [ '$(stat hot_threshold)' = 1000 ] && [ '$(stat blocks_promoted)' = 1 ]"
run tiered 'vmrun.set_engine_option("hot_threshold", 5000)'
check "hot_threshold 5000: nothing promoted ($(stat blocks_promoted))" \
  sh -c "[ $st -eq 0 ] && [ '$(stat blocks_promoted)' = 0 ]"
run tiered "$(at_call hot_threshold 50 'vmrun.set_engine_option("hot_threshold", 5000)')"
check "hot_threshold 5000 -> 50 mid-run (100th call of hot_fn): the 5 hot blocks promoted then ($(stat blocks_promoted))" \
  sh -c "[ $st -eq 0 ] && grep -qx 'hot_threshold	50' '$TMP/out' && [ '$(stat blocks_promoted)' = 5 ] && [ '$(stat hot_threshold)' = 50 ]"

# ---- code_cache ----
run tiered "$(set_read code_cache 65536)"
check "code_cache 65536 from Lua (tiered): read back, the JIT's cache is that size" \
  sh -c "[ $st -eq 0 ] && grep -qx 'code_cache	65536' '$TMP/out' && [ '$(stat code_cache_size)' = 65536 ] && [ '$(stat blocks_promoted)' = 5 ]"
# mid-run, compared with the same hook doing nothing (adding a hook
# flushes the translations once by itself)
run tiered "$(at_call code_cache 0)"
F0=$(stat jit_flushes); PR0=$(stat blocks_promoted)
run tiered "$(at_call code_cache 32768)"
check "code_cache resized mid-run (tiered): remapped (size $(stat code_cache_size)), one more flush ($(stat jit_flushes) = $F0 + 1), hot blocks compiled again ($(stat blocks_promoted) > $PR0)" \
  sh -c "[ $st -eq 0 ] && grep -qx 'code_cache	32768' '$TMP/out' && [ '$(stat code_cache_size)' = 32768 ] && [ '$(stat jit_flushes)' = $((F0 + 1)) ] && [ '$(stat blocks_promoted)' -gt '$PR0' ]"
run tjit "$(at_call code_cache 0)"
F0=$(stat flushes)
run tjit "$(at_call code_cache 20000)"
check "code_cache resized mid-run (tjit): rounded up to pages (20480), one more flush ($(stat flushes) = $F0 + 1)" \
  sh -c "[ $st -eq 0 ] && grep -qx 'code_cache	20480' '$TMP/out' && [ '$(stat code_cache_size)' = 20480 ] && [ '$(stat flushes)' = $((F0 + 1)) ]"

# ---- errors: one line naming script and line, status 1 ----
err_case() { # NAME ENGINE SCRIPT EXPECTED-MESSAGE
  run "$2" "$3"
  printf 'vmrun: %s\n' "$4" >"$TMP/want"
  check "$1: status 1, one line \"$4\"" \
    sh -c "[ $st -eq 1 ] && cmp -s '$TMP/want' '$TMP/err1'"
}
err_case "tier_policy on interp" interp \
  'vmrun.tier_policy(function() return true end)' \
  "$S:1: tier_policy: engine 'interp' has no tiering"
err_case "tier_policy on tjit" tjit \
  'local x = 1
vmrun.tier_policy(function() return true end)' \
  "$S:2: tier_policy: engine 'tjit' has no tiering"
err_case "hot_threshold on interp" interp \
  'vmrun.set_engine_option("hot_threshold", 10)' \
  "$S:1: set_engine_option: engine 'interp' has no option 'hot_threshold'"
err_case "hot_threshold on tjit" tjit \
  'print(vmrun.engine_option("hot_threshold"))' \
  "$S:1: engine_option: engine 'tjit' has no option 'hot_threshold'"
err_case "negative hot_threshold" tiered \
  'vmrun.set_engine_option("hot_threshold", -1)' \
  "$S:1: set_engine_option: hot_threshold: expected a non-negative integer, got -1"
err_case "non-integer value" tiered \
  'vmrun.set_engine_option("hot_threshold", 2.5)' \
  "$S:1: set_engine_option: hot_threshold: expected a non-negative integer, got 2.5"
err_case "hot_threshold too large" tiered \
  'vmrun.set_engine_option("hot_threshold", 4294967296)' \
  "$S:1: set_engine_option: hot_threshold = 4294967296 is out of range for engine 'tiered' (docs/lua.md)"
err_case "code_cache too small" tiered \
  'vmrun.set_engine_option("code_cache", 100)' \
  "$S:1: set_engine_option: code_cache = 100 is out of range for engine 'tiered' (docs/lua.md)"
err_case "unknown option" tiered \
  'vmrun.set_engine_option("warp_speed", 9)' \
  "$S:1: set_engine_option: engine 'tiered' has no option 'warp_speed'"
err_case "error inside the policy" tiered \
  'vmrun.tier_policy(function(b)
  error("no opinion")
end)' \
  "$S:2: no opinion (in tier_policy hook)"
run tiered 'vmrun.tier_policy(function(b) error("no opinion") end)' \
  --script-on-error continue
check "error inside the policy, on_error continue: warning, policy removed, blocks promoted as without it" \
  sh -c "[ $st -eq 0 ] && grep -qxF 'vmrun: warning: $S:1: no opinion (tier_policy hook disabled)' '$TMP/err1' && [ '$(stat policy_asked)' = 1 ] && [ '$(stat blocks_promoted)' = '$P0' ]"

# removing the policy (vmrun.remove / tier_policy(nil)) stops the asking
run tiered 'local id = vmrun.tier_policy(function() return false end)
vmrun.remove(id)'
check "vmrun.remove(policy id): no policy ($(stat policy_asked) asked)" \
  sh -c "[ $st -eq 0 ] && [ '$(stat policy_asked)' = 0 ] && [ '$(stat blocks_promoted)' = '$P0' ]"

# the policy under --engine-check: the tiers agree with the interpreter
run tiered 'vmrun.tier_policy(function(b) return b.pc < '"$HOT_LO"' end)' \
  --engine-check
check "a policy under --engine-check: no divergence ($st)" [ $st -eq 0 ]
done_testing
