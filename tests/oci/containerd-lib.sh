# A private containerd for the tests and the bench (sourced, not run):
# its root, state and socket under a directory of the caller's, so it never
# touches the host's containerd. tests/oci/containerd.sh, tests/oci/cri.sh
# and bench/oci.sh start theirs with it.
#
#   containerd_start DIR NS [cri] [< EXTRA_TOML]
#       writes DIR/containerd.toml (the CRI plugin disabled unless `cri` is
#       given; with `cri`, the TOML on stdin is appended), starts containerd
#       (its log in DIR/containerd.log) and waits up to 10 s for its socket.
#       Sets containerd_pid and containerd_sock; ctr_ then talks to it in
#       namespace NS. Returns 1 if containerd did not answer.
#   containerd_stop
#       kills and removes every container of NS, stops containerd and
#       removes the shim's runtime root for NS (/run/containerd/runc/NS,
#       fixed by containerd). DIR is the caller's to remove.
#   ctr_ ARGS...
#       ctr on that socket and namespace, killed after 60 s.
#   containerd_test_setup
#       for a test: skips it (77, one line) where containerd or ctr is
#       missing, makes the temp dir $tmp, and at exit stops containerd and
#       removes $tmp.
# Safe under `set -eu` (bench/oci.sh).

containerd_pid=
containerd_sock=
containerd_ns=

containerd_test_setup() {
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		echo "containerd or ctr not installed: skipped"
		exit 77
	fi
	tmp=$(mktemp -d)
	trap 'containerd_stop; rm -rf "$tmp"' EXIT
}

ctr_() { timeout -k 5 60 ctr --address "$containerd_sock" -n "$containerd_ns" "$@"; }

containerd_start() {
	local dir=$1 cri=${3-}
	containerd_ns=$2
	containerd_sock=$dir/containerd.sock
	mkdir -p "$dir"
	{
		echo 'version = 2'
		echo "root = \"$dir/root\""
		echo "state = \"$dir/state\""
		[ "$cri" = cri ] || echo 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'
		echo '[grpc]'
		echo "  address = \"$containerd_sock\""
		[ "$cri" != cri ] || cat
	} >"$dir/containerd.toml"
	# Stray fds must not reach the shims (the contract's advice).
	containerd --config "$dir/containerd.toml" >"$dir/containerd.log" 2>&1 </dev/null \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	containerd_pid=$!
	for _ in $(seq 100); do
		ctr_ version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

containerd_stop() {
	[ -n "$containerd_pid" ] || return 0
	local c
	for c in $(ctr_ c ls -q 2>/dev/null); do
		ctr_ task kill -s SIGKILL "$c" >/dev/null 2>&1 || :
		ctr_ task rm -f "$c" >/dev/null 2>&1 || :
		ctr_ c rm "$c" >/dev/null 2>&1 || :
	done
	kill "$containerd_pid" 2>/dev/null || :
	wait "$containerd_pid" 2>/dev/null || :
	containerd_pid=
	rm -rf "/run/containerd/runc/$containerd_ns"
}
