#!/bin/sh
# Linux user mode's direct guest memory (docs/user-mode.md, "Guest memory"):
# the template JIT accesses guest memory at host = base + VA, the host page
# protections follow the guest's, and a host SIGSEGV of a direct access goes
# to its slow path.  The tests/user programs that fault on purpose (memory:
# mprotect, munmap, mremap, brk; signals; threads; direct: page-crossing,
# self-modifying code, high addresses) run under tjit and tiered with the
# direct path on (the default) and off (engine_options: { direct_mem: 0 }),
# and must match qemu-riscv64; --stats shows which path ran.  Then: a bad
# direct_mem value, and a SIGSEGV sent by kill() (not a fault) still kills
# the program like the host's default action.
. "$top_srcdir/tests/integration/lib.sh"

user_tools

SRC="$top_srcdir/tests/user"
progs=""
for p in memory signals threads direct; do
  [ -e "$SRC/$p.c" ] || continue
  if "$CCX" -O2 -w -pthread -static -o "$TMP/$p" "$SRC/$p.c" 2>"$TMP/cc.err"; then
    progs="$progs $p"
  else
    fail "build $p"; diag <"$TMP/cc.err"
  fi
done

# yaml ENGINE DIRECT PROG ARGS...: a `mode: user` file for the run
yaml() {
  eng=$1; dm=$2; prog=$3; shift 3
  {
    echo "version: 1"; echo "mode: user"; echo "user:"
    echo "  program: $TMP/$prog"
    printf '  args: ['; sep=""
    for a in "$@"; do printf '%s"%s"' "$sep" "$a"; sep=", "; done; echo "]"
    echo "  engine: $eng"
    # tiered: compiled from the second run of a block, so that code that
    # runs a few times (most of these programs) takes the direct path too
    if [ "$eng" = tiered ]; then
      echo "  engine_options: { direct_mem: $dm, hot_threshold: 2 }"
    else
      echo "  engine_options: { direct_mem: $dm }"
    fi
  } >"$TMP/run.yaml"
}

# stat NAME FILE: the value of "stats: NAME v" in FILE (0 when absent)
stat() { awk -v k="$1" '$1 == "stats:" && $2 == k { v = $3 } END { print v + 0 }' "$2"; }

for prog in $progs; do
  case $prog in memory) arglists="- prot" ;; threads) arglists="- exit" ;; *) arglists="-" ;; esac
  for args in $arglists; do
    [ "$args" = - ] && args=""
    # shellcheck disable=SC2086
    (cd "$TMP" && "$QEMU" "./$prog" $args >"$TMP/ref.out" 2>/dev/null; echo "status $?" >>"$TMP/ref.out")
    for eng in tjit tiered; do
      for dm in 1 0; do
        # shellcheck disable=SC2086
        yaml "$eng" "$dm" "$prog" $args
        (cd "$TMP" && "$VMRUN" --stats "$TMP/run.yaml" >"$TMP/vm.out" 2>"$TMP/vm.err"; echo "status $?" >>"$TMP/vm.out")
        if user_cmp "$TMP/vm.out" "$TMP/ref.out"; then
          ok "$eng direct_mem=$dm: $prog $args matches qemu-riscv64 ($(tail -n 1 "$TMP/vm.out"))"
        else
          fail "$eng direct_mem=$dm: $prog $args differs from qemu-riscv64 or Linux"
          diff "$TMP/ref.out.cmp" "$TMP/vm.out.cmp" | head -20 | diag
          printf '%s\n' "$ucmp_bad" | head -10 | diag
          grep -v '^stats:' "$TMP/vm.err" | head -5 | diag
        fi
        # --stats only when the program exits (not after a fatal signal)
        grep -q '^stats: instructions' "$TMP/vm.err" || continue
        n=$(stat direct_accesses "$TMP/vm.err")
        if [ "$dm" = 0 ]; then
          check "$eng direct_mem=0: $prog $args: no direct access compiled ($n)" [ "$n" -eq 0 ]
        else
          check "$eng direct_mem=1: $prog $args: direct accesses compiled ($n)" [ "$n" -gt 0 ]
        fi
        if [ "$eng" = tjit ] && [ "$prog" = memory ] && [ -z "$args" ]; then
          # memory touches protected and unmapped pages from compiled code
          f=$(stat direct_host_faults "$TMP/vm.err")
          if [ "$dm" = 1 ]; then
            check "tjit: memory: host faults went to the slow path ($f)" [ "$f" -gt 0 ]
          else
            check "tjit direct_mem=0: memory: no host fault ($f)" [ "$f" -eq 0 ]
          fi
        fi
      done
    done
  done
done

# a bad value: one line naming the file, line, column and key
yaml tjit 2 memory
(cd "$TMP" && "$VMRUN" "$TMP/run.yaml" >/dev/null 2>"$TMP/bad.err"); st=$?
if [ "$st" -ne 0 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] &&
   grep -q "run.yaml:[0-9]*:[0-9]*: .*direct_mem: expected 0 or 1, got 2" "$TMP/bad.err"; then
  ok "direct_mem: 2 is refused in one line (status $st)"
else
  fail "direct_mem: 2: status $st"; diag <"$TMP/bad.err"
fi

# SIGSEGV from kill() is not a fault of generated code: the default action
cat >"$TMP/sleeper.c" <<'EOF'
#include <unistd.h>
int main(void) { sleep(20); return 0; }
EOF
if "$CCX" -O2 -static -o "$TMP/sleeper" "$TMP/sleeper.c" 2>/dev/null; then
  "$VMRUN" --engine tjit --user "$TMP/sleeper" &
  pid=$!
  sleep 1
  kill -SEGV "$pid"
  wait "$pid"; st=$?
  check "kill -SEGV: the program dies of SIGSEGV (status $st, expected 139)" [ "$st" -eq 139 ]
else
  fail "build sleeper"
fi

done_testing
