#!/bin/sh
# Lua scripts in Linux user mode (vmrun --user, mode: user): instruction and
# block hooks, symbols of the program (static and static-pie), every(n),
# the system call hooks and scripts/lua/strace.lua on programs whose system
# calls are known from their source (tests/lua/syscalls.c, tests/lua/
# ucount.S, tests/user/threads.c), and the one-line errors for events a
# mode lacks (on_mmio in user mode, on_syscall in machine mode).
. "$top_srcdir/tests/integration/lib.sh"

CCX=${RISCV_LINUX_CC:-no}
if [ "$CCX" = no ]; then
  skip "riscv64-linux-gnu-gcc missing (Debian: gcc-riscv64-linux-gnu)"
  done_testing
  exit 0
fi
SRC="$top_srcdir/tests/lua"
STRACE="$top_srcdir/scripts/lua/strace.lua"
build() { # OUT CCARGS...
  out=$1; shift
  "$CCX" "$@" -o "$TMP/$out" 2>"$TMP/cc.err" || { diag <"$TMP/cc.err"; exit 1; }
}
build uc -nostdlib -static "$SRC/ucount.S"
build uc-pie -nostdlib -static-pie -fPIE -Wl,--no-dynamic-linker "$SRC/ucount.S"
build sc -O2 -static "$SRC/syscalls.c"
build threads -O2 -w -pthread -static "$top_srcdir/tests/user/threads.c"
build process -O2 -w -static "$top_srcdir/tests/user/process.c"

# ---- instruction, block, every(n) hooks and symbols (ucount.S) ----
LOOPS=$(sed -n 's/^#define LOOPS \([0-9]*\)/\1/p' "$SRC/ucount.S")
EXIT=$(sed -n 's/^#define EXIT \([0-9]*\)/\1/p' "$SRC/ucount.S")
EXEC=$((1 + 2 * LOOPS + 3))          # see ucount.S
cat >"$TMP/c.lua" <<'LUA'
local sum, ni, nloop, ev, first = 0, 0, 0, 0, nil
vmrun.on_block(function(pc, n) sum = sum + n; first = first or pc end)
vmrun.on_insn(function() ni = ni + 1 end)
vmrun.on_insn(function() nloop = nloop + 1 end, { pc = vmrun.lookup("loop") })
vmrun.every(100, function() ev = ev + 1 end)
vmrun.on_exit(function(code)
  print("sum", sum, "insns", ni, "loop", nloop, "icount", vmrun.icount(),
        "every", ev, "code", code)
  print("first", vmrun.symbol(first))
  print("start", first == vmrun.lookup("_start"))
  local d = vmrun.disas(vmrun.lookup("done"), 3)
  print("done", (d:gsub("\n", "|")))
end)
LUA
for p in uc uc-pie; do
  "$VMRUN" --user --script "$TMP/c.lua" "$TMP/$p" >"$TMP/out" 2>"$TMP/err"
  st=$?
  check "$p: the program's exit status $EXIT ($st)" [ $st -eq "$EXIT" ]
  check "$p: on_block sum, on_insn count = $EXEC, loop pc hit $LOOPS times, icount $((EXEC - 1))" \
    grep -qx "sum	$EXEC	insns	$EXEC	loop	$LOOPS	icount	$((EXEC - 1))	every	$(((EXEC - 1) / 100))	code	$EXIT" "$TMP/out"
  check "$p: first block is _start+0 (vmrun.symbol), = vmrun.lookup" \
    sh -c "grep -qx 'first	_start	0' '$TMP/out' && grep -qx 'start	true' '$TMP/out'"
  check "$p: disas at done: li a0,EXIT; li a7,94; ecall" \
    grep -Eq "^done	0x[0-9a-f]+:	addi	a0,zero,$EXIT\|0x[0-9a-f]+:	addi	a7,zero,94\|0x[0-9a-f]+:	ecall" "$TMP/out"
  [ -s "$TMP/err" ] && diag <"$TMP/err"
done

# ---- strace.lua on syscalls.c ----
printf 'abcdefgh\n' >"$TMP/data.txt"
"$VMRUN" --user --script "$STRACE:prefix=T: " "$TMP/sc" "$TMP/data.txt" \
  "$TMP/missing" >"$TMP/out" 2>"$TMP/err"
st=$?
# expected from syscalls.c: MSG "hello\n" (6 bytes), EXIT_CODE 42 (+
# marker_function(0) - 1 = 42), read of 5 bytes, AT_FDCWD, O_RDONLY
check "strace: the program's exit status 42 ($st)" [ $st -eq 42 ]
grep '^T: ' "$TMP/out" | sed 's/^T: //' >"$TMP/trace"
# the program's own calls: from the openat of data.txt on
sed -n "\\|^openat(AT_FDCWD, \"$TMP/data.txt\"|,\$p" "$TMP/trace" \
  | sed 's/0x[0-9a-f]*/ADDR/g' >"$TMP/mine"
cat >"$TMP/want" <<WANT
openat(AT_FDCWD, "$TMP/data.txt", O_RDONLY) = FD
read(FD, ADDR, 5) = 5
close(FD) = 0
write(1, ADDR, 6) = 6
openat(AT_FDCWD, "$TMP/missing", O_RDONLY) = -1 ENOENT
getpid() = PID
exit_group(42) = ?
WANT
fd=$(sed -n 's/^openat(.*data.txt", O_RDONLY) = \([0-9]*\)$/\1/p' "$TMP/mine")
pid=$(sed -n 's/^getpid() = \([0-9]*\)$/\1/p' "$TMP/mine")
check "strace: openat returned a new fd (>= 3: '$fd')" [ "${fd:-0}" -ge 3 ]
check "strace: getpid returned a pid ('$pid')" [ "${pid:-0}" -gt 1 ]
sed "s/= FD\$/= $fd/; s/(FD\([,)]\)/($fd\1/; s/= PID\$/= $pid/" "$TMP/want" >"$TMP/want2"
if diff "$TMP/want2" "$TMP/mine" >"$TMP/diff"; then
  ok "strace: exactly the program's calls, arguments and results"
else
  fail "strace: exactly the program's calls, arguments and results"
  diag <"$TMP/diff"
fi
check "strace: the program's output is there" grep -qx hello "$TMP/out"
check "strace: nothing on stderr" [ ! -s "$TMP/err" ]
# the write's buffer is the program's MSG: read it in the hook
cat >"$TMP/w.lua" <<'LUA'
vmrun.on_syscall(function(s)
  if s.name == "write" then print("buf", (vmrun.read_virt(s.a1, s.a2))) end
  if s.name == "getpid" then print("pc", vmrun.symbol(s.pc) ~= nil) end
end)
vmrun.on_syscall_exit(function(s)
  if s.name == "write" then print("ret", s.ret, s.nr, s.args[3]) end
  if s.name == "read" then    -- the buffer is on the stack: writable
    print("wv", vmrun.write_virt(s.a1, "XY"), vmrun.read_virt(s.a1, 2))
  end
end)
vmrun.on_syscall(function(s)  -- MSG is in .rodata: a guest store faults
  if s.name == "write" then print("ro", vmrun.write_virt(s.a1, "J")) end
end)
LUA
"$VMRUN" --user --script "$TMP/w.lua" "$TMP/sc" "$TMP/data.txt" x \
  >"$TMP/out" 2>"$TMP/err"
check "on_syscall: read_virt of write's buffer gives MSG" grep -qx "buf	hello" "$TMP/out"
check "on_syscall_exit: ret 6, nr 64 (asm-generic write), args[3] 6" \
  grep -qx "ret	6	64	6" "$TMP/out"
check "on_syscall: pc lies in a known function" grep -qx "pc	true" "$TMP/out"
check "write_virt to the read buffer: true, read back" grep -qx "wv	true	XY" "$TMP/out"
check "write_virt to .rodata: nil, fault (page permissions)" \
  grep -q "^ro	nil	write_virt: fault at 0x" "$TMP/out"
check "...and the program still wrote MSG" grep -qx "hello" "$TMP/out"

# ---- a dynamic program: symbols of the PIE, none for libc's code ----
if [ -e /usr/riscv64-linux-gnu/lib/ld-linux-riscv64-lp64d.so.1 ] &&
   "$CCX" -O2 -o "$TMP/dyn" "$SRC/syscalls.c" 2>/dev/null; then
  cat >"$TMP/d.lua" <<'LUA'
local main = vmrun.lookup("main")
print("main", main ~= nil and main > 0x10000000, vmrun.symbol(main))
vmrun.on_syscall(function(s)
  if s.name == "write" then print("write-pc", vmrun.symbol(s.pc)) end
end)
LUA
  "$VMRUN" --user --sysroot /usr/riscv64-linux-gnu --script "$TMP/d.lua" \
    "$TMP/dyn" "$TMP/data.txt" x >"$TMP/out" 2>"$TMP/err"; st=$?
  check "dynamic PIE: main found at its load address ($st)" \
    grep -qx "main	true	main	0" "$TMP/out"
  # syscall() is in libc.so, mapped by the loader: not the program's last
  # label (symbols stop at the image's end)
  check "dynamic PIE: a pc in libc.so has no symbol" grep -qx "write-pc	nil" "$TMP/out"
else
  skip "dynamic PIE: no riscv64 sysroot in /usr/riscv64-linux-gnu"
fi

# ---- scripts: in a mode: user YAML file ----
cp "$TMP/w.lua" "$TMP/y.lua"
cat >"$TMP/u.yaml" <<YAML
version: 1
mode: user
user:
  program: sc
  args: [data.txt, nope]
scripts:
  - y.lua
YAML
(cd / && "$VMRUN" "$TMP/u.yaml") >"$TMP/out" 2>"$TMP/err"; st=$?
check "mode: user YAML with scripts: (status $st)" \
  sh -c "[ $st -eq 42 ] && grep -qx 'buf	hello' '$TMP/out'"

# ---- threads: clone calls counted, no crash ----
N=$(sed -n 's/^#define N \([0-9]*\)/\1/p' "$top_srcdir/tests/user/threads.c")
ROUNDS=$(sed -n 's/.*for (int round = 0; round < \([0-9]*\);.*/\1/p' "$top_srcdir/tests/user/threads.c")
CLONES=$((N + ROUNDS * 3 + 1))  # pthread_create calls in threads.c (+1: tgkill_target)
cat >"$TMP/t.lua" <<'LUA'
local clones, ok, tids, exits = 0, 0, {}, 0
vmrun.on_syscall(function(s)
  if s.name == "clone" then clones = clones + 1 end
  if s.name == "exit" then exits = exits + 1 end
  tids[s.tid] = true
end)
vmrun.on_syscall_exit(function(s)
  if s.name == "clone" and s.ret > 0 then ok = ok + 1 end
end)
vmrun.on_exit(function(code)
  local n = 0
  for _ in pairs(tids) do n = n + 1 end
  print("clones", clones, "ok", ok, "exits", exits, "code", code,
        "many-tids", n > 1)
end)
LUA
"$VMRUN" --user --script "$TMP/t.lua" "$TMP/threads" >"$TMP/out" 2>"$TMP/err"
st=$?
check "threads: status 0 ($st)" [ $st -eq 0 ]
check "threads: $CLONES clone calls, all returned a tid, $CLONES thread exits" \
  grep -qx "clones	$CLONES	ok	$CLONES	exits	$CLONES	code	0	many-tids	true" "$TMP/out"
check "threads: the program's output is intact" grep -q "^counter 40000 " "$TMP/out"
"$VMRUN" --user --engine tjit --script "$STRACE" "$TMP/threads" >"$TMP/out" 2>"$TMP/err"
st=$?
check "threads under strace.lua (tjit): status 0, $CLONES clone lines with a tid" \
  sh -c "[ $st -eq 0 ] && [ \$(grep -c '^clone(.*) = [1-9][0-9]*\$' '$TMP/out') -eq $CLONES ]"

# vmrun.icount() over all threads, also those whose vCPU was reused: every
# instruction in the blocks run retires except each system call's ecall
# (it traps; docs/lua.md, Accuracy), so sum(on_block) - icount = calls
cat >"$TMP/ti.lua" <<'LUA'
local sum, calls = 0, 0
vmrun.on_block(function(pc, n) sum = sum + n end)
vmrun.on_syscall(function() calls = calls + 1 end)
vmrun.on_exit(function()
  print("diff", sum - vmrun.icount(), "calls", calls, "big", sum > 1000000)
end)
LUA
for eng in interp tjit; do
  "$VMRUN" --user --engine $eng --script "$TMP/ti.lua" "$TMP/threads" >"$TMP/out" 2>"$TMP/err"
  d=$(sed -n 's/^diff	\([0-9]*\)	calls	\([0-9]*\)	big	true$/\1 \2/p' "$TMP/out")
  check "threads ($eng): on_block sum - icount = system calls ($d)" \
    sh -c "[ -n '$d' ] && [ \$(echo $d | cut -d' ' -f1) -eq \$(echo $d | cut -d' ' -f2) ]"
done

# ---- fork: the child's copy of the state traces the child ----
# process.c: the first fork's child writes "from child" (10 bytes) to the
# pipe and calls _exit(5)
"$VMRUN" --user --script "$STRACE" "$TMP/process" >"$TMP/out" 2>"$TMP/err"; st=$?
cpid=$(sed -n 's/^clone(.*) = \([0-9]*\)$/\1/p' "$TMP/out" | head -n 1)
check "fork under strace.lua: status 0 ($st), child pid '$cpid'" \
  sh -c "[ $st -eq 0 ] && [ -n '$cpid' ]"
check "...the child's write and exit_group, prefixed with its pid" \
  sh -c "grep -Eq '^\[tid $cpid\] write\([0-9]+, 0x[0-9a-f]+, 10\) = 10\$' '$TMP/out' && grep -qx '\[tid $cpid\] exit_group(5) = ?' '$TMP/out'"
check "...no line twice (output buffered before the fork)" \
  sh -c "[ \$(grep -c '^pipe2(' '$TMP/out') -eq 1 ] && [ \$(grep -c '^set_tid_address(' '$TMP/out') -eq 1 ]"

# ---- events a mode lacks: one line naming script:line ----
printf -- '-- user mode\n\nvmrun.on_mmio(function() end)\n' >"$TMP/m.lua"
"$VMRUN" --user --script "$TMP/m.lua" "$TMP/uc" >"$TMP/out" 2>"$TMP/err"; st=$?
check "on_mmio in user mode: status 1, one line $TMP/m.lua:3 (st $st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: $TMP/m.lua:3: on_mmio: user mode has no devices' '$TMP/err'"
printf 'vmrun.every_ns(1000, function() end)\n' >"$TMP/n.lua"
"$VMRUN" --user --script "$TMP/n.lua" "$TMP/uc" >"$TMP/out" 2>"$TMP/err"; st=$?
check "every_ns in user mode: status 1, one line $TMP/n.lua:1" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: $TMP/n.lua:1: every_ns: ' '$TMP/err'"
printf 'vmrun.on_trap(function() end)\n' >"$TMP/tr.lua"
"$VMRUN" --user --script "$TMP/tr.lua" "$TMP/uc" >"$TMP/out" 2>"$TMP/err"; st=$?
check "on_trap in user mode: status 1, one line $TMP/tr.lua:1" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: $TMP/tr.lua:1: on_trap: user mode' '$TMP/err'"
# machine mode: a bare-metal guest (tests/lua/guest.S) with this compiler
"$CCX" -nostdlib -static -no-pie -march=rv64imac -mabi=lp64 -Ttext=0x80000000 -Wl,-N -Wl,--build-id=none \
  -Wl,--no-warn-rwx-segments "$SRC/guest.S" -o "$TMP/guest.elf" \
  2>"$TMP/cc.err" || diag <"$TMP/cc.err"
cat >"$TMP/mm.yaml" <<YAML
version: 1
machine: { arch: riscv64, ram: 16M, firmware: guest.elf, engine: interp }
devices:
  - { type: sifive-test, base: 0x100000 }
YAML
for fn in on_syscall on_syscall_exit; do
  printf 'local x = 1\nvmrun.%s(function() end)\n' "$fn" >"$TMP/s.lua"
  "$VMRUN" --script "$TMP/s.lua" "$TMP/mm.yaml" >"$TMP/out" 2>"$TMP/err"; st=$?
  check "$fn in machine mode: status 1, one line $TMP/s.lua:2 (st $st)" \
    sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^vmrun: $TMP/s.lua:2: $fn: system call events exist only in user mode' '$TMP/err'"
done

# ---- on_start, and an error in a hook ----
cat >"$TMP/st.lua" <<'LUA'
local n = 0
vmrun.on_start(function()
  n = n + 1
  print("start", n, vmrun.reg("pc") == vmrun.lookup("_start"), vmrun.icount())
end)
LUA
"$VMRUN" --user --script "$TMP/st.lua" "$TMP/uc" >"$TMP/out" 2>"$TMP/err"; st=$?
check "on_start: once, at the entry point _start, icount 0 (status $st)" \
  sh -c "[ $st -eq $EXIT ] && [ \$(grep -c '^start' '$TMP/out') -eq 1 ] && grep -qx 'start	1	true	0' '$TMP/out'"
printf 'vmrun.on_syscall(function(s)\n  error("no " .. s.name)\nend)\n' >"$TMP/e.lua"
"$VMRUN" --user --script "$TMP/e.lua" "$TMP/uc" >"$TMP/out" 2>"$TMP/err"; st=$?
check "error in on_syscall: status 1, one line SCRIPT:2 (in on_syscall hook) ($st)" \
  sh -c "[ $st -eq 1 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -qx 'vmrun: $TMP/e.lua:2: no exit_group (in on_syscall hook)' '$TMP/err'"
"$VMRUN" --user --script-on-error continue --script "$TMP/e.lua" "$TMP/uc" \
  >"$TMP/out" 2>"$TMP/err"; st=$?
check "...with --script-on-error continue: a warning, the program's status $EXIT ($st)" \
  sh -c "[ $st -eq $EXIT ] && grep -q 'warning: $TMP/e.lua:2: no exit_group (on_syscall hook disabled)' '$TMP/err'"

# ---- stop and exit_code from a syscall hook ----
cat >"$TMP/x.lua" <<'LUA'
vmrun.on_syscall(function(s)
  if s.name == "write" then vmrun.exit_code(77); vmrun.stop() end
end)
LUA
"$VMRUN" --user --script "$TMP/x.lua" "$TMP/sc" "$TMP/data.txt" x \
  >"$TMP/out" 2>"$TMP/err"; st=$?
check "vmrun.stop() in on_syscall before write: status 77, nothing written ($st)" \
  sh -c "[ $st -eq 77 ] && ! grep -q hello '$TMP/out'"
done_testing
