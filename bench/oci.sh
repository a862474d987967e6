#!/bin/bash
# bench/oci.sh: container start-to-exit latency, msentry against the OCI
# runtimes it replaces, in one run.
#
#   bench/oci.sh            build, install missing runtimes, run, print, save
#
# One bundle (a busybox-static rootfs, `runc spec` made non-interactive, the
# program `busybox true`) is run to completion by each runtime's own `run
# --bundle B ID` command: create, start, wait and delete, as `runc run`
# does. That is the whole cost a container start adds before the program's
# first instruction and after its exit; with busybox true the program itself
# is ~0.5 ms of it.
#
# Runtimes: msentry, runc, crun, and runsc (gVisor, --platform=ptrace
# --network=none). Each gets its own --root under a temp dir. A runtime
# that cannot run the bundle here is reported with its reason and left out.
#
# Then the same through containerd, as users start containers: a private
# containerd (root, state and socket in the temp dir, CRI off) and `ctr run
# --rm --rootfs --runc-binary RUNTIME ROOTFS ID busybox true`, whose time
# includes containerd's shim and its create/start/wait/delete calls. runc
# and crun-compatible runtimes only (runsc needs its own shim).
#
# As in bench/run.sh: medians over BENCH_REPS repetitions (default 5), the
# runtimes interleaved in each repetition so a burst of load hits them all,
# wall and CPU time (the CPU time of the runtime and everything it started,
# which hardly moves with the machine's load). Nothing asserts a time.
# Environment: BENCH_REPS, BENCH_QUICK=1 (fewer runs), BENCH_NO_INSTALL=1.
# Results are printed and saved to bench/results/oci-<date>.md.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
build=$repo/build
reps=${BENCH_REPS:-5}
runs=20
[ "${BENCH_QUICK:-}" = 1 ] && runs=3

log() { printf '%s\n' "$*" >&2; }

install_runtimes() {
	local missing=()
	command -v runc >/dev/null || missing+=(runc)
	command -v crun >/dev/null || missing+=(crun)
	command -v runsc >/dev/null || missing+=(runsc)
	command -v busybox >/dev/null || missing+=(busybox-static)
	if [ ${#missing[@]} -eq 0 ] || [ "${BENCH_NO_INSTALL:-}" = 1 ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		log "bench: cannot install ${missing[*]} (needs root and apt-get); they are skipped"
		return 0
	fi
	log "bench: installing from Debian: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
		log "bench: apt-get install failed; missing runtimes are skipped"
}

[ "$(id -u)" = 0 ] || {
	log "bench/oci.sh: needs root (runc, crun and runsc do)"
	exit 1
}
install_runtimes
[ -f "$build/build.ninja" ] || meson setup "$build" >&2
ninja -C "$build" >&2

tmp=$(mktemp -d)
. "$repo/tests/oci/containerd-lib.sh"
cleanup() {
	containerd_stop
	for r in "${runtimes[@]:-}"; do
		[ -n "$r" ] || continue
		for c in $(cmd_of "$r" list -q 2>/dev/null); do cmd_of "$r" delete --force "$c" >/dev/null 2>&1 || :; done
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# The bundle: busybox (static) and nothing else, so that every runtime
# loads the same one binary.
bundle=$tmp/bundle
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/dev" "$bundle/rootfs/sys" \
	"$bundle/rootfs/tmp"
cp "$(command -v busybox)" "$bundle/rootfs/bin/busybox"
"$build/cmd/msentry" spec --bundle "$bundle"
python3 - "$bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/busybox", "true"]
c["root"]["path"] = "rootfs"
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY

# cmd_of RUNTIME ARGS...: run the runtime with its own --root.
cmd_of() {
	local r=$1
	shift
	case $r in
	msentry) "$build/cmd/msentry" --root "$tmp/root-msentry" "$@" ;;
	runc) runc --root "$tmp/root-runc" "$@" ;;
	crun) crun --root "$tmp/root-crun" "$@" ;;
	runsc) runsc --root "$tmp/root-runsc" --platform=ptrace --network=none "$@" ;;
	esac
}
# The argv of one run, for bench-spawn (which execs it).
argv_of() {
	case $1 in
	msentry) echo "$build/cmd/msentry" --root "$tmp/root-msentry" ;;
	runc) echo runc --root "$tmp/root-runc" ;;
	crun) echo crun --root "$tmp/root-crun" ;;
	runsc) echo runsc --root "$tmp/root-runsc" --platform=ptrace --network=none ;;
	esac
}

runtimes=()
declare -A skipped=()
for r in msentry runc crun runsc; do
	if [ "$r" != msentry ] && ! command -v "$r" >/dev/null; then
		skipped[$r]="not installed"
	elif ! err=$(cd "$bundle" && timeout 60 bash -c "$(argv_of "$r") run --bundle '$bundle' probe-$r" 2>&1); then
		skipped[$r]="cannot run the bundle: $(printf '%s' "$err" | tail -n 1)"
	else
		runtimes+=("$r")
		continue
	fi
	log "bench: $r: ${skipped[$r]}"
done

for ((i = 1; i <= reps; i++)); do
	log "bench: repetition $i/$reps (load: $(cut -d' ' -f1-3 /proc/loadavg))"
	for r in "${runtimes[@]}"; do
		# shellcheck disable=SC2046 # argv_of prints words on purpose
		if ! out=$(cd "$bundle" && "$build/bench/bench-spawn" "$runs" $(argv_of "$r") run \
			--bundle "$bundle" "bench-$r" 2>"$tmp/err"); then
			log "bench: $r failed: $(tail -n 1 "$tmp/err")"
			continue
		fi
		echo "$out" >>"$tmp/$r"
	done
done

# --- Through containerd -------------------------------------------------------

ctr_runtimes=()
if command -v containerd >/dev/null && command -v ctr >/dev/null; then
	containerd_start "$tmp/containerd" msentry-bench ||
		log "bench: containerd did not answer: $(tail -n 1 "$tmp/containerd/containerd.log")"
	for r in msentry runc crun; do
		bin=$build/cmd/msentry
		[ "$r" = msentry ] || bin=$(command -v "$r" || true)
		[ -n "$bin" ] || continue
		if ctr_ run --rm --rootfs \
			--runc-binary "$bin" "$bundle/rootfs" "probe-$r" /bin/busybox true \
			</dev/null >/dev/null 2>&1; then
			ctr_runtimes+=("$r")
		else
			log "bench: $r through containerd: cannot run here"
		fi
	done
	for ((i = 1; i <= reps; i++)); do
		for r in "${ctr_runtimes[@]}"; do
			bin=$build/cmd/msentry
			[ "$r" = msentry ] || bin=$(command -v "$r")
			"$build/bench/bench-spawn" "$runs" ctr --address "$containerd_sock" \
				-n "$containerd_ns" run --rm --rootfs --runc-binary "$bin" "$bundle/rootfs" \
				"bench-$r" /bin/busybox true </dev/null >>"$tmp/ctr-$r" 2>"$tmp/err" ||
				log "bench: $r through containerd failed: $(tail -n 1 "$tmp/err")"
		done
	done
else
	log "bench: containerd or ctr not installed: the containerd table is left out"
fi

# --- Through podman -----------------------------------------------------------

# podman_args RUNTIME: podman's options for that runtime (runsc needs its
# ptrace platform and no network on these machines), or nothing.
podman_args() {
	local bin=$build/cmd/msentry
	[ "$1" = msentry ] || bin=$(command -v "$1" || true)
	[ -n "$bin" ] || return 1
	echo "--runtime $bin"
	[ "$1" = runsc ] && echo "--runtime-flag platform=ptrace --runtime-flag network=none"
	return 0
}
podman_runtimes=()
if command -v podman >/dev/null; then
	# The hard limits here are below podman's defaults (runc fails too).
	limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
	for r in msentry runc runsc; do
		args=$(podman_args "$r") || continue
		# shellcheck disable=SC2086
		if timeout 120 podman $args run --rm --network none "${limits[@]}" \
			--rootfs "$bundle/rootfs" /bin/busybox true </dev/null >/dev/null 2>"$tmp/err"; then
			podman_runtimes+=("$r")
		else
			log "bench: $r through podman: cannot run here: $(tail -n 1 "$tmp/err")"
		fi
	done
	for ((i = 1; i <= reps; i++)); do
		for r in "${podman_runtimes[@]}"; do
			args=$(podman_args "$r")
			# shellcheck disable=SC2086
			"$build/bench/bench-spawn" "$runs" podman $args run --rm --network none \
				"${limits[@]}" --rootfs "$bundle/rootfs" /bin/busybox true \
				</dev/null >>"$tmp/podman-$r" 2>"$tmp/err" ||
				log "bench: $r through podman failed: $(tail -n 1 "$tmp/err")"
		done
	done
else
	log "bench: podman not installed: the podman table is left out"
fi

median() { # file column
	sort -g -k"$2,$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
value() { if [ -s "$tmp/$1" ]; then median "$tmp/$1" "$2"; else echo "-"; fi; }
fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.1f ms", v / 1e6 }'; }
ratio() { awk -v v="$1" -v n="$2" 'BEGIN { if (v == "-" || n == "-" || n == 0) print ""; else printf " (%.2fx)", v / n }'; }

# table PREFIX RUNTIME...: wall and CPU rows of the results in
# $tmp/PREFIX<runtime>, with ratios to msentry.
table() {
	local prefix=$1 header="| |" rule="|---|" col title base r v line
	shift
	for r in "$@"; do
		header+=" $r |"
		rule+="---|"
	done
	echo "$header"
	echo "$rule"
	for col in 1 2; do
		[ $col = 1 ] && title="wall" || title="CPU"
		base=$(value "${prefix}msentry" $col)
		line="| $title |"
		for r in "$@"; do
			v=$(value "$prefix$r" $col)
			line+=" $(fmt_ms "$v")"
			[ "$r" != msentry ] && line+="$(ratio "$v" "$base")"
			line+=" |"
		done
		echo "$line"
	done
}

report() {
	echo "## Container start-to-exit, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "\`RUNTIME run --bundle B ID\` of busybox true; host $(uname -sr), $(nproc) CPUs, load at end $(cut -d' ' -f1-3 /proc/loadavg); medians of $reps repetitions of $runs runs each. Ratios are to msentry."
	echo
	table "" "${runtimes[@]}"
	for r in "${!skipped[@]}"; do
		echo
		echo "Not measured: $r: ${skipped[$r]}."
	done
	if [ ${#ctr_runtimes[@]} -gt 0 ]; then
		echo
		echo "Through containerd: \`ctr run --rm --rootfs --runc-binary RUNTIME\` of busybox true (containerd's runc shim), same medians."
		echo
		table ctr- "${ctr_runtimes[@]}"
	fi
	[ ${#podman_runtimes[@]} -gt 0 ] || return 0
	echo
	echo "Through podman: \`podman --runtime RUNTIME run --rm --network none --rootfs DIR\` of busybox true (conmon drives the runtime), same medians."
	echo
	table podman- "${podman_runtimes[@]}"
}

mkdir -p "$repo/bench/results"
out=$repo/bench/results/oci-$(date -u '+%Y-%m-%d-%H%M%S').md
report | tee "$out"
log "bench: saved to ${out#"$repo"/}"
