# tests/integration/lib.sh - a tiny TAP emitter for shell tests.
# Sourced by each test; make check provides VMRUN, top_srcdir, top_builddir.
: "${top_srcdir:?run through make check}" "${top_builddir:?}" "${VMRUN:?}"
_tap_n=0
_tap_fail=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmrun-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The SDK ABI version this tree builds, from the header (e.g. "1.1").
ABI=$(awk '/#define VMRUN_ABI_MAJOR/ { ma = $3 } /#define VMRUN_ABI_MINOR/ { mi = $3 }
  END { print ma "." mi }' "$top_srcdir/sdk/include/vmrun/version.h")
ABI_RE=$(echo "$ABI" | sed 's/\./\\./')
ok()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_fail=$((_tap_fail + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*"; }
diag() { sed 's/^/# /'; }
# check NAME COMMAND...: ok if the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
# The plan comes last: a script that dies early has no plan and is an ERROR;
# failures are counted from "not ok" lines, so the exit status stays 0.
done_testing() { echo "1..$_tap_n"; }

# user_cmp VM REF: user-mode outputs agree, except lines "linux ..." (checks
# a guest program makes itself against Linux where qemu-riscv64 departs
# from it, tests/user/direct.c), which must all end in " ok" in VM.
# Leaves VM.cmp/REF.cmp (the compared lines) and ucmp_bad (failing checks).
user_cmp() {
  ucmp_bad=$(grep '^linux ' "$1" | grep -v ' ok$')
  grep -v '^linux ' "$1" >"$1.cmp"
  grep -v '^linux ' "$2" >"$2.cmp"
  cmp -s "$1.cmp" "$2.cmp" && [ -z "$ucmp_bad" ]
}

# user_tools: the Linux cross compiler and qemu-riscv64 of the user-mode
# scripts in CCX and QEMU, or a skip line and the end of the script.
user_tools() {
  CCX=${RISCV_LINUX_CC:-no}
  QEMU=${QEMU_RISCV64:-no}
  if [ "$CCX" = no ] || [ "$QEMU" = no ]; then
    skip "riscv64-linux-gnu-gcc or qemu-riscv64 missing (Debian: gcc-riscv64-linux-gnu qemu-user)"
    done_testing
    exit 0
  fi
}
