# scripts/lib.sh - set-up shared by scripts/quickstart, scripts/test and
# scripts/bench: install missing Debian packages, then configure and build
# in the source tree.  Sourced, not run.

VMRUN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build dependencies and guest tooling, by Debian package name.
VMRUN_PACKAGES="build-essential autoconf automake libtool libltdl-dev \
pkg-config libyaml-dev liblua5.4-dev libfdt-dev libcriterion-dev \
device-tree-compiler gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf \
opensbi qemu-system-misc cpio xz-utils debian-archive-keyring \
libslirp-dev libglib2.0-dev gcc-riscv64-linux-gnu libc6-dev-riscv64-cross \
qemu-user busybox"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

install_deps() {
  local missing=() p
  for p in $VMRUN_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { log "build dependencies present"; return 0; }
  log "installing: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} yourself"
    sudo=sudo
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    die "apt-get update failed"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install failed: ${missing[*]}"
}

# configure (once, or when configure.ac/Makefile.am changed) and make.
build_tree() {
  local dir=$1; shift
  ( cd "$dir" || exit 1
    if [ ! -x configure ] || [ configure.ac -nt configure ] ||
       [ Makefile.am -nt Makefile.in ] || [ tests/local.mk -nt Makefile.in ]; then
      log "autoreconf in $dir"
      autoreconf -fi >/dev/null 2>&1 || autoreconf -fi || exit 1
      # automake's TAP driver (make check counts each test case)
      cp "$(automake --print-libdir)/tap-driver.sh" build-aux/ || exit 1
    fi
    if [ ! -f Makefile ] || [ configure -nt config.status ]; then
      log "configure $* in $dir"
      ./configure -q "$@" || exit 1
    fi
    log "make in $dir"
    make -s -j"$(nproc)" >/dev/null || make -j1 || exit 1
  ) || die "build failed in $dir"
}

# The guest images: OpenSBI from Debian's opensbi package (installed
# above), the payload built by make, and Debian's riscv64 kernel + busybox
# initramfs (scripts/fetch-guest-images, cached; fetched only when missing).
fetch_guest_images() {
  local fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
  [ -f "$fw" ] || die "OpenSBI firmware missing: $fw (Debian package opensbi)"
  # The default machine (OpenSBI + payload) needs no download; without the
  # Linux images only the Linux boot tests skip, each saying why.
  "$VMRUN_TOP/scripts/fetch-guest-images" ||
    log "WARNING: fetching the Linux guest images failed: Linux boot tests will be skipped"
}
