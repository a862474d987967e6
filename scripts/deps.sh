#!/usr/bin/env bash
# Install the Debian 12 packages msentry needs, only those that are missing.
#   scripts/deps.sh build    what building msentry needs
#   scripts/deps.sh test     that, plus what the test suite runs and compiles
set -euo pipefail
what=${1:-build}
build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libseccomp-dev libelf-dev zlib1g-dev libjansson-dev check)
test_pkgs=(busybox-static python3 perl coreutils bash make musl-tools strace procps runc containerd
	postgresql-15 util-linux man-db podman bats jq gawk
	clang libclang-rt-14-dev trinity)
pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "msentry: missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "msentry: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
