#!/usr/bin/env bash
# runc's own integration tests (vendored from runc 1.1.5 under runc-bats/,
# see its README.md) run against an OCI runtime with runc's command line.
#   runc-bats.sh RUNTIME [FILE.bats...]
# RUNTIME is msentry or runc (any path); without files, every vendored file
# runs. The tests named in runc-bats/excluded.txt (file | test | reason) are
# left out for every runtime alike. Each file runs under its own bats with a
# private temp dir (the containers' --root is inside it) and a time bound;
# whatever a file leaves behind (containers, their processes) is deleted.
# Prints one line per test (TAP), then
#   runc-bats: N passed, N failed, N skipped (N excluded, N known)
# and exits 1 if a test failed, 77 if bats is missing, 0 otherwise. A
# failure runc-bats/known-failures.txt lists (msentry's open gaps, each
# with its reason) still counts as failed and is printed, but does not
# fail the run by itself ("known"); one that passes is pointed out.
# RUNC_BATS_FILTER=REGEX narrows further (bats --filter); RUNC_BATS_TIMEOUT
# bounds each file (seconds, default 300).
set -u
here=$(dirname "$(realpath "$0")")
dir=$here/runc-bats
if ! command -v bats >/dev/null; then
	echo "runc-bats: SKIP: bats is not installed (scripts/deps.sh test)"
	exit 77
fi
[ $# -ge 1 ] || {
	echo "usage: runc-bats.sh RUNTIME [FILE.bats...]" >&2
	exit 2
}
runtime=$(command -v "$1") || {
	echo "runc-bats: no runtime $1" >&2
	exit 2
}
runtime=$(realpath "$runtime")
shift
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	for f in "$dir"/*.bats; do files+=("$(basename "$f")"); done
fi
tmp=$(mktemp -d /tmp/runc-bats.XXXXXX)
chmod 0755 "$tmp"
mkfifo "$tmp/stdin"

# Deletes every container a file left in a state dir under $1.
sweep() {
	local state c
	for state in $(find "$1" -maxdepth 5 -type d -name state 2>/dev/null); do
		for c in $(timeout -k 5 30 "$runtime" --root "$state" list -q 2>/dev/null); do
			timeout -k 5 30 "$runtime" --root "$state" delete --force "$c" >/dev/null 2>&1
		done
	done
	# recvtty.py daemons whose socket is under $1.
	for pidf in $(find "$1" -path '*/tty/pid' 2>/dev/null); do
		kill -9 "$(cat "$pidf")" 2>/dev/null
	done
}
trap 'sweep "$tmp"; rm -rf "$tmp"' EXIT
# meson's timeout (SIGTERM) still runs the sweep.
trap 'exit 143' TERM INT HUP

# One shared busybox rootfs tarball for every file.
export BUSYBOX_IMAGE=$tmp/busybox.tar
"$dir/busybox-rootfs.sh" "$BUSYBOX_IMAGE" || exit 1
export RUNC=$runtime
unset RUNC_USE_SYSTEMD ROOTLESS_FEATURES

# Is "FILE | NAME" in FILE2 (a list of FILE | NAME | REASON lines)?
listed() {
	awk -F' [|] ' -v f="$1" -v n="$2" '!/^#/ && $1 == f && $2 == n { found = 1 } END { exit !found }' "$3"
}

# The names a file may run: all its tests but the excluded ones, as one
# anchored ERE for bats --filter (metacharacters escaped).
names_filter() {
	local f=$1 name alt=
	while IFS= read -r name; do
		listed "$f" "$name" "$dir/excluded.txt" && continue
		name=$(printf '%s' "$name" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
		alt+="${alt:+|}$name"
	done < <(sed -n 's/^@test "\(.*\)" {$/\1/p' "$dir/$f")
	[ -n "$alt" ] && printf '^(%s)$' "$alt"
}

pass=0 failed=0 skipped=0 excluded=0 known=0 unknown=0
for f in "${files[@]}"; do
	n=$(awk -F' [|] ' -v f="$f" '!/^#/ && $1 == f' "$dir/excluded.txt" | wc -l)
	excluded=$((excluded + n))
	filter=$(names_filter "$f") || continue
	[ -z "${RUNC_BATS_FILTER:-}" ] || filter=${RUNC_BATS_FILTER}
	mkdir -p "$tmp/$f.d"
	out=$tmp/$f.tap
	# A terminal, as runc's CI gives its tests (docker run -t): runc spec's
	# config has process.terminal true, and `run` in the foreground then
	# needs a controlling terminal. script(1) makes one.
	printf -v cmd 'cd %q && TMPDIR=%q timeout -k 10 %q bats --tap --filter %q %q' \
		"$dir" "$tmp/$f.d" "${RUNC_BATS_TIMEOUT:-300}" "$filter" "$f"
	# Its stdin is a fifo held open at both ends: never data, never EOF
	# (at EOF script(1) types ^D into the terminal, where a foreground
	# `runc run` would copy it into the container's console).
	script -qefc "$cmd" /dev/null 0<>"$tmp/stdin" 2>&1 | tr -d '\r' >"$out"
	rc=${PIPESTATUS[0]}
	sweep "$tmp/$f.d"
	sed "s/^/$f: /" "$out"
	p=$(grep -c '^ok ' "$out" | head -1)
	s=$(grep -c '^ok .* # skip' "$out" | head -1)
	x=$(grep -c '^not ok ' "$out" | head -1)
	pass=$((pass + p - s)) skipped=$((skipped + s)) failed=$((failed + x))
	while IFS= read -r name; do
		if listed "$f" "$name" "$dir/known-failures.txt"; then
			known=$((known + 1))
		else
			unknown=$((unknown + 1))
		fi
	done < <(sed -n 's/^not ok [0-9]* \(.*\)$/\1/p' "$out")
	while IFS= read -r name; do
		listed "$f" "$name" "$dir/known-failures.txt" &&
			echo "$f: note: \"$name\" (in known-failures.txt) passes with $(basename "$runtime")"
	done < <(sed -n 's/^ok [0-9]* \(.*\)$/\1/p' "$out" | grep -v ' # skip')
	if [ "$rc" -ne 0 ] && [ "$x" -eq 0 ]; then
		# bats itself failed (a time bound, a broken file): count it.
		echo "$f: not ok - bats exited $rc"
		failed=$((failed + 1)) unknown=$((unknown + 1))
	fi
done
echo "runc-bats: $pass passed, $failed failed, $skipped skipped ($excluded excluded, $known known)"
[ "$unknown" -eq 0 ]
