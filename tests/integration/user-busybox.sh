#!/bin/sh
# Debian's busybox-static for riscv64 (from the initramfs that
# scripts/fetch-guest-images builds) under vmrun --user, against the host's
# busybox: each shell script must print the same and exit the same.
. "$top_srcdir/tests/integration/lib.sh"

IMG=${VMRUN_IMAGES:-$HOME/.cache/vmrun/images}/riscv64/initramfs.cpio.gz
HOSTBB=$(command -v busybox)
if [ ! -r "$IMG" ]; then
  skip "no $IMG: run scripts/fetch-guest-images"
  done_testing; exit 0
fi
if [ -z "$HOSTBB" ]; then
  skip "no host busybox (Debian: busybox)"
  done_testing; exit 0
fi
mkdir "$TMP/ir"
(cd "$TMP/ir" && gzip -dc "$IMG" | cpio -id --quiet bin/busybox 2>/dev/null)
BB="$TMP/ir/bin/busybox"
if [ ! -x "$BB" ]; then
  skip "no bin/busybox in $IMG"
  done_testing; exit 0
fi

# a data set both sides work on, the same bytes every run
mkdir "$TMP/data"
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "%d line %d %s\n",
  (i * 7919) % 1000, i, (i % 3 ? "foo" : "bar") }' >"$TMP/data/lines.txt"
mkdir -p "$TMP/data/tree/a/b" "$TMP/data/tree/c"
for f in a/1 a/b/2 c/3 c/4; do echo "$f" >"$TMP/data/tree/$f"; done
touch -d '2024-01-02 03:04:05' "$TMP/data/tree" "$TMP/data/tree/a" \
  "$TMP/data/tree/a/b" "$TMP/data/tree/c" "$TMP/data/tree"/*/[0-9] \
  "$TMP/data/tree/a/b/2"

# bb_case NAME SCRIPT: run `busybox sh -c SCRIPT` in $TMP/data on both
bb_case() {
  name=$1; script=$2
  for side in host vm; do
    rm -rf "$TMP/work"; cp -a "$TMP/data" "$TMP/work"
    if [ $side = host ]; then
      (cd "$TMP/work" && "$HOSTBB" sh -c "$script" >"$TMP/$side.out" 2>&1
       echo "status $?" >>"$TMP/$side.out")
    else
      (cd "$TMP/work" && "$VMRUN" --engine "$ENGINE" --user "$BB" sh -c \
        "$script" >"$TMP/$side.out" 2>&1; echo "status $?" >>"$TMP/$side.out")
    fi
  done
  if cmp -s "$TMP/host.out" "$TMP/vm.out"; then
    ok "$ENGINE: busybox $name"
  else
    fail "$ENGINE: busybox $name differs from the host's busybox"
    diff "$TMP/host.out" "$TMP/vm.out" | head -20 | diag
  fi
}

# applets are called as `busybox APPLET` so both sides use busybox's own
for ENGINE in interp tjit; do
  bb_case "sh loops and arithmetic" \
    'i=0; s=0; while [ $i -lt 200 ]; do s=$((s + i * i)); i=$((i + 1)); done; echo $s; for w in a b c; do printf "%s-" $w; done; echo'
  bb_case "pipes and subshells" \
    'busybox cat lines.txt | busybox grep foo | busybox wc -l; (cd tree && echo "in $(busybox basename $(pwd))"); x=$(echo sub | busybox tr a-z A-Z); echo $x; exit 3'
  bb_case "sort" 'busybox sort -n lines.txt | busybox head -5; busybox sort -k3,3 -k1,1n lines.txt | busybox tail -3'
  bb_case "sha256sum" 'busybox sha256sum lines.txt tree/a/1'
  bb_case "gzip/gunzip round trip" \
    'busybox gzip -c lines.txt > l.gz && busybox gunzip -c l.gz | busybox cmp - lines.txt && echo same; busybox gzip -t l.gz; echo $?'
  bb_case "find" 'busybox find tree | busybox sort; busybox find tree -type f -name "[0-9]" | busybox sort'
  bb_case "awk" 'busybox awk "{ s[\$3] += \$1 } END { for (k in s) print k, s[k] }" lines.txt | busybox sort'
  bb_case "sed" 'busybox sed -n "s/^\([0-9]*\) line \(1[0-9]\) .*/\2:\1/p" lines.txt'
  bb_case "tar" 'busybox tar cf t.tar tree && busybox tar tf t.tar | busybox sort && mkdir x && busybox tar xf t.tar -C x && busybox cat x/tree/c/4'
  bb_case "wc" 'busybox wc lines.txt; busybox wc -w < lines.txt'
  bb_case "ls -l" 'busybox ls -l tree tree/a; busybox ls -lR tree | busybox wc -l'
  bb_case "date" 'busybox date -u -d @1700000000; TZ=UTC busybox date -d "2024-02-29 12:00" +%j-%A'
  bb_case "sleep" 'busybox sleep 0.1; echo slept $?; busybox sleep 0 && echo zero'
  bb_case "exit status of a failing command" 'busybox false; echo $?; busybox sh -c "exit 42"; echo $?; busybox cat /nonexistent 2>/dev/null; echo $?'
done
done_testing
