#!/usr/bin/env bash
# Build msentry (meson, into build/) and install the binary as
# $PREFIX/bin/msentry (default /usr/local/bin/msentry), where containerd's
# shim, podman and a Kubernetes node's containerd find it. Idempotent: run it
# again after a change; an unchanged binary is left as it is.
#   scripts/install.sh              (as root for /usr/local)
#   PREFIX=$HOME/.local scripts/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}
scripts/deps.sh build
scripts/build.sh
dest=${DESTDIR:-}$prefix/bin/msentry
if cmp -s build/cmd/msentry "$dest"; then
	echo "msentry: $dest is up to date"
else
	# install removes the old file before writing the new one, so a
	# running container's sentry keeps its binary (no ETXTBSY).
	install -D -m 755 build/cmd/msentry "$dest"
	echo "msentry: installed $dest"
fi
"$dest" --version
