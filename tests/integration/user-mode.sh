#!/bin/sh
# Linux user mode (vmrun --user): the C programs of tests/user, built static,
# static-pie and dynamic with riscv64-linux-gnu-gcc, run under vmrun (interp
# and tjit; direct.c, the guest-memory edge cases, under tiered too) and
# under qemu-riscv64 as the reference: stdout and exit status must match.
# Lines starting "linux " are the exception: checks a program makes itself
# against Linux's documented answer where qemu-riscv64 7.2 departs from it
# (direct.c says which); they are left out of the comparison and must all
# end in " ok" under vmrun.  Then the bad-input cases: one line naming the
# problem and exit status 127.
. "$top_srcdir/tests/integration/lib.sh"

user_tools
SYSROOT=/usr/riscv64-linux-gnu

SRC="$top_srcdir/tests/user"
built=""
for p in exitcode files memory process signals threads poll badptr direct; do
  if "$CCX" -O2 -w -pthread -static -o "$TMP/$p-static" "$SRC/$p.c" 2>"$TMP/cc.err"; then
    built="$built $p-static"
  else
    fail "build $p-static"; diag < "$TMP/cc.err"
  fi
done
if "$CCX" -O2 -w -static-pie -fPIE -o "$TMP/exitcode-spie" "$SRC/exitcode.c" \
     2>/dev/null; then
  built="$built exitcode-spie"
else
  skip "glibc static-pie: the cross toolchain has no rcrt1.o (nolibc-pie covers ET_DYN without PT_INTERP)"
fi
# static-pie without libc: ET_DYN, no PT_INTERP
if "$CCX" -O2 -fPIE -static-pie -nostdlib -nostartfiles \
     -Wl,--no-dynamic-linker -o "$TMP/nolibc-pie" "$SRC/nolibc-pie.c" \
     2>"$TMP/cc.err"; then
  built="$built nolibc-pie"
else
  fail "build nolibc-pie"; diag <"$TMP/cc.err"
fi
if [ -e "$SYSROOT/lib/ld-linux-riscv64-lp64d.so.1" ]; then
  for p in exitcode files memory process signals threads poll badptr direct; do
    "$CCX" -O2 -w -pthread -o "$TMP/$p-dyn" "$SRC/$p.c" && built="$built $p-dyn"
  done
else
  skip "no riscv64 libc in $SYSROOT (Debian: libc6-dev-riscv64-cross): dynamic programs"
fi

# run ENGINE PROG ARGS...: "vm" and "ref" outputs + exit status in $TMP
cmp_run() {
  eng=$1; prog=$2; shift 2
  rm -rf "$TMP/scratch"; mkdir "$TMP/scratch"
  # (a timeout: an engine bug may make a guest loop, e.g. on stale code)
  (cd "$TMP" && VMRUN_TEST_ENV=from-host timeout --foreground 120 \
    "$VMRUN" --engine "$eng" --user --sysroot "$SYSROOT" \
    "./$prog" "$@" >"$TMP/vm.out" 2>"$TMP/vm.err"; echo "status $?" >>"$TMP/vm.out")
  rm -rf "$TMP/scratch"; mkdir "$TMP/scratch"
  (cd "$TMP" && VMRUN_TEST_ENV=from-host "$QEMU" -L "$SYSROOT" "./$prog" "$@" >"$TMP/ref.out" \
    2>/dev/null; echo "status $?" >>"$TMP/ref.out")
  nl=$(grep -c '^linux ' "$TMP/vm.out")
  if user_cmp "$TMP/vm.out" "$TMP/ref.out"; then
    note=""; [ "$nl" -gt 0 ] && note=", $nl linux checks"
    ok "$eng: $prog $* ($(tail -n 1 "$TMP/vm.out")$note)"
  else
    fail "$eng: $prog $*: differs from qemu-riscv64 or from Linux"
    diff "$TMP/ref.out.cmp" "$TMP/vm.out.cmp" | head -20 | diag
    printf '%s\n' "$ucmp_bad" | head -10 | diag
    head -5 "$TMP/vm.err" | diag
  fi
}

for eng in interp tjit tiered; do
  for prog in $built; do
    case $eng/$prog in
      tiered/direct-*) ;;
      tiered/*) continue ;;          # (time: the others run hot code little)
    esac
    case $prog in
      exitcode-*)
        for args in "return 4" "exit 9" "_exit 3" "abort" "segv" "ill" \
                    "term" "ignored" "enosys"; do
          # shellcheck disable=SC2086
          cmp_run "$eng" "$prog" $args
        done ;;
      files-*) cmp_run "$eng" "$prog" "$TMP/scratch" ;;
      memory-*) cmp_run "$eng" "$prog"; cmp_run "$eng" "$prog" prot ;;
      threads-*) cmp_run "$eng" "$prog"; cmp_run "$eng" "$prog" exit ;;
      nolibc-pie) cmp_run "$eng" "$prog" a bc ;;
      *) cmp_run "$eng" "$prog" ;;
    esac
  done
done

# execve (qemu-riscv64 needs binfmt_misc for it, so no reference run): the
# program execs itself with "child two", which prints its argc and signal
# mask (SIGUSR2 blocked before the execve must stay blocked) and returns 7
for prog in process-static process-dyn; do
  [ -e "$TMP/$prog" ] || continue
  for eng in interp tjit; do
    (cd "$TMP" && "$VMRUN" --engine $eng --user --sysroot "$SYSROOT" \
      "./$prog" exec >"$TMP/vm.out" 2>"$TMP/vm.err")
    if grep -qx "exec'd child argc 3 arg2 two" "$TMP/vm.out" &&
       grep -qx "exec'd child mask usr2 1 usr1 0" "$TMP/vm.out" &&
       grep -qx "exec child code 7" "$TMP/vm.out"; then
      ok "$eng: $prog: execve of a guest program, its signal mask, its exit status"
    else
      fail "$eng: $prog: execve"; diag <"$TMP/vm.out"; diag <"$TMP/vm.err"
    fi
  done
done

# stdin and the environment are the host's
# stdin, stdout and the environment are the host's: busybox-free check
# with the files program's sibling: `cat`-like behaviour is in the busybox
# test; here a program's exit status with stdin from a pipe
printf 'line1\n' | "$VMRUN" --user "$TMP/exitcode-static" exit 0 >/dev/null 2>&1
check "runs with stdin from a pipe" test $? -eq 0

# the default sysroot (Debian's riscv64 libc6, scripts/fetch-guest-images)
DEFROOT=${XDG_CACHE_HOME:-$HOME/.cache}/vmrun/images/riscv64/sysroot
if [ -e "$DEFROOT/lib/ld-linux-riscv64-lp64d.so.1" ] && [ -e "$TMP/threads-dyn" ]; then
  for prog in process-dyn threads-dyn; do
    (cd "$TMP" && VMRUN_TEST_ENV=from-host "$VMRUN" --user "./$prog" \
      >"$TMP/vm.out" 2>"$TMP/vm.err"; echo "status $?" >>"$TMP/vm.out")
    (cd "$TMP" && VMRUN_TEST_ENV=from-host "$QEMU" -L "$DEFROOT" "./$prog" \
      >"$TMP/ref.out" 2>/dev/null; echo "status $?" >>"$TMP/ref.out")
    if cmp -s "$TMP/vm.out" "$TMP/ref.out"; then
      ok "default sysroot (Debian libc6): $prog"
    else
      fail "default sysroot (Debian libc6): $prog differs from qemu-riscv64"
      diff "$TMP/ref.out" "$TMP/vm.out" | head -10 | diag
      head -3 "$TMP/vm.err" | diag
    fi
  done
else
  skip "no default sysroot in $DEFROOT: run scripts/fetch-guest-images"
fi

# unknown syscalls: -ENOSYS to the guest, one line each under -v
"$VMRUN" -v --user "$TMP/exitcode-static" enosys >"$TMP/ns.out" 2>"$TMP/ns.err"
check "-v reports an unknown syscall once" \
  test "$(grep -c 'syscall 999 is not implemented' "$TMP/ns.err")" -eq 1
check "unknown syscall returns -ENOSYS" grep -qx "enosys -1 -1 1" "$TMP/ns.out"

# ---- the YAML form: mode: user ----
cat >"$TMP/user.yaml" <<YAML
version: 1
mode: user
user:
  program: exitcode-static
  args: [exit, "5"]
  engine: tjit
YAML
out=$("$VMRUN" "$TMP/user.yaml" 2>&1); st=$?
check "yaml: program relative to the file, args, exit status" \
  test "$out" = "mode exit" -a $st -eq 5
cat >"$TMP/env.yaml" <<YAML
version: 1
mode: user
user:
  program: $TMP/process-static
  env: { VMRUN_TEST_ENV: from-yaml }
YAML
"$VMRUN" "$TMP/env.yaml" >"$TMP/env.out" 2>&1
check "yaml: env adds to the host environment" \
  grep -qx "env VMRUN_TEST_ENV=from-yaml" "$TMP/env.out"
printf 'version: 1\nmode: user\nuser:\n  args: [a]\n' >"$TMP/noprog.yaml"
out=$("$VMRUN" "$TMP/noprog.yaml" 2>&1); st=$?
check "yaml: missing program is one line naming the key" \
  test "$out" = "$TMP/noprog.yaml:3:1: user: missing required key 'program'" -a $st -eq 1
printf 'version: 1\nmode: usr\n' >"$TMP/mode.yaml"
out=$("$VMRUN" "$TMP/mode.yaml" 2>&1); st=$?
check "yaml: bad mode value" \
  test "$out" = "$TMP/mode.yaml:2:7: mode: expected machine or user, got 'usr'" -a $st -eq 1

# ---- bad input: one line, exit status 127 ----
bad_case() {
  name=$1; want=$2; shift 2
  "$VMRUN" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
  st=$?
  if [ $st -eq 127 ] && [ "$(wc -l <"$TMP/bad.err")" -eq 1 ] &&
     grep -q -- "$want" "$TMP/bad.err"; then
    ok "bad input: $name ($(cat "$TMP/bad.err"))"
  else
    fail "bad input: $name: status $st"
    diag <"$TMP/bad.err"
  fi
}
printf 'just text\n' >"$TMP/text"; chmod +x "$TMP/text"
bad_case "not an ELF file" "text: not an ELF file" --user "$TMP/text"
bad_case "missing program" "nosuch: No such file or directory" --user "$TMP/nosuch"
# a 32-bit ELF header: the static program with EI_CLASS = ELFCLASS32
cp "$TMP/exitcode-static" "$TMP/class32"
printf '\001' | dd of="$TMP/class32" bs=1 seek=4 conv=notrunc 2>/dev/null
bad_case "wrong ELF class" "class32: ELF class 1" --user "$TMP/class32"
# the static program cut after 8 KiB: headers intact, segments short
head -c 8192 "$TMP/exitcode-static" >"$TMP/short"; chmod +x "$TMP/short"
bad_case "truncated segment" "short: truncated PT_LOAD segment" --user "$TMP/short"
bad_case "wrong ISA (host program)" "ELF machine 62 is not supported" \
  --user /bin/true
mkdir "$TMP/emptyroot"
if [ -e "$TMP/exitcode-dyn" ]; then
  bad_case "missing interpreter" \
    "interpreter /lib/ld-linux-riscv64-lp64d.so.1 not found in sysroot" \
    --user --sysroot "$TMP/emptyroot" "$TMP/exitcode-dyn"
fi
bad_case "missing sysroot" "--sysroot $TMP/noroot: No such file or directory" \
  --user --sysroot "$TMP/noroot" "$TMP/exitcode-static"
: >"$TMP/afile"
bad_case "sysroot is a file" "--sysroot $TMP/afile: not a directory" \
  --user --sysroot "$TMP/afile" "$TMP/exitcode-static"

done_testing
