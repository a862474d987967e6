#!/usr/bin/env bash
# containerd with its CRI plugin on and a `msentry` runtime handler in its
# config (docs/kubernetes.md's config, BinaryName = the built msentry; root,
# state, socket and CNI dirs in a temp dir). Checks that containerd loaded
# the CRI plugin and the handler without error, then runs containers with the
# handler's runtime_type and options read back from the same file. No CRI
# client is in Debian 12 (cri-tools is not packaged), so the containers go
# through ctr; ctr 1.6 takes runc-shim options from flags only
# (--runtime-config-path is for other runtimes' shims), hence the read-back.
# Skips (77) when containerd is missing or its CRI plugin cannot start here.
#   cri.sh MSENTRY
set -u
msentry=$(realpath "$1")
. "$(dirname "$0")/containerd-lib.sh"
containerd_test_setup
ns=msentry-cri-$$
fail=0
mkdir -p "$tmp/cni/bin" "$tmp/cni/conf"
containerd_start "$tmp" "$ns" cri <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  # No pod network here: no CNI plugin is installed (only the log complains).
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$tmp/cni/bin"
    conf_dir = "$tmp/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.msentry]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.msentry.options]
      BinaryName = "$msentry"
EOF
check() {
	if [ "$2" == "$3" ]; then echo "ok: $1: $3"; else
		echo "FAIL: $1: want [$2] got [$3]"
		fail=1
	fi
}

cri=$(ctr_ plugins ls 2>&1 | awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" {print $NF}')
if [ "$cri" != ok ]; then
	echo "containerd's CRI plugin cannot start here ($(grep -o 'failed to load plugin io.containerd.grpc.v1.cri.*' "$tmp/containerd.log" | head -1)): skipped"
	exit 77
fi
check "ctr plugins ls: cri" "ok" "$cri"
# The CRI plugin prints the config it runs with: the handler and its options.
check "the msentry handler loaded" "yes" \
	"$(grep -q "msentry:{Type:io.containerd.runc.v2 .*Options:map\[BinaryName:$msentry\]" "$tmp/containerd.log" && echo yes || echo no)"
check "no error in containerd's log (but the missing CNI config)" "" \
	"$(grep 'level=error' "$tmp/containerd.log" | grep -v 'cni config load failed')"

# The handler's runtime, read back from the file containerd loaded.
read -r rtype bin < <(python3 - "$tmp/containerd.toml" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    r = tomllib.load(f)["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["msentry"]
print(r["runtime_type"], r["options"]["BinaryName"])
EOF
)
check "the handler's runtime" "io.containerd.runc.v2 $msentry" "$rtype $bin"
rootfs=$tmp/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/dev"
cp /bin/busybox "$rootfs/bin/busybox"
# run [CTR-FLAGS] -- ID ARGS... (ctr's flags come before the rootfs)
run() {
	local flags=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	ctr_ run "${flags[@]}" --runtime "$rtype" --runc-binary "$bin" --rootfs "$rootfs" "$@" </dev/null
}
check "ctr run through the handler's options: output and status" "hi 4" \
	"$(run --rm -- k1 /bin/busybox sh -c 'echo hi; exit 4' 2>&1) $?"
run -d -- k2 /bin/busybox sleep 100 >/dev/null 2>&1
# msentry's own mark in the shim's runtime root: its control socket.
check "the container runs under msentry" "yes" \
	"$(test -S "/run/containerd/runc/$ns/k2/control.sock" && echo yes || echo no)"
ctr_ task kill -s SIGKILL k2 >/dev/null 2>&1
for _ in $(seq 50); do
	[ "$(ctr_ task ls | awk '$1 == "k2" {print $3}')" = STOPPED ] && break
	sleep 0.1
done
check "killed: stopped" "STOPPED" "$(ctr_ task ls | awk '$1 == "k2" {print $3}')"
echo "cri: $([ $fail = 0 ] && echo all passed || echo FAILURES)"
exit $fail
