#!/usr/bin/env bash
# Every syscall `msentry syscalls` marks `full` has a syscall-probe test, and
# the list of tests meson runs is exactly `syscall-probe --list`.
# Usage: check-coverage.sh MSENTRY PROBE NAME...   (NAME...: meson's list)
set -euo pipefail
msentry=$1 probe=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Table rows look like "| 257 | openat | full |  |".
"$msentry" syscalls | awk -F'|' '$4 ~ /^ *full *$/ { gsub(/ /, "", $3); print $3 }' |
	sort >"$tmp/full"
"$msentry" syscalls | awk -F'|' '$4 ~ /^ *partial *$/ { gsub(/ /, "", $3); print $3 }' |
	sort >"$tmp/partial"
"$probe" --list | sort >"$tmp/probe"
printf '%s\n' "$@" | sort >"$tmp/meson"
fail=0
if [ ! -s "$tmp/full" ]; then
	echo "FAIL: no full rows in \`msentry syscalls\` (has its format changed?)"
	fail=1
fi
missing=$(comm -23 "$tmp/full" "$tmp/probe")
if [ -n "$missing" ]; then
	echo "FAIL: full syscalls without a test in syscall-probe:"
	echo "$missing" | sed 's/^/  /'
	fail=1
fi
dups=$(uniq -d "$tmp/probe"; uniq -d "$tmp/meson")
if [ -n "$dups" ]; then
	echo "FAIL: names listed twice:"
	echo "$dups" | sed 's/^/  /'
	fail=1
fi
if ! cmp -s "$tmp/meson" "$tmp/probe"; then
	echo "FAIL: tests/syscalls/meson.build's list and \`syscall-probe --list\` disagree:"
	comm -23 "$tmp/meson" "$tmp/probe" | sed 's/^/  only in meson.build: /'
	comm -13 "$tmp/meson" "$tmp/probe" | sed 's/^/  only in syscall-probe: /'
	fail=1
fi
echo "$(wc -l <"$tmp/full") full syscalls, $(comm -12 "$tmp/full" "$tmp/probe" | wc -l) with a test"
echo "$(wc -l <"$tmp/partial") partial syscalls, $(comm -12 "$tmp/partial" "$tmp/probe" | wc -l) with a test"
untested=$(comm -23 "$tmp/partial" "$tmp/probe" | tr '\n' ' ')
[ -z "$untested" ] || echo "partial syscalls without a test: $untested"
[ "$fail" = 0 ] && echo "ok"
exit "$fail"
