#!/bin/sh
# Install what the vsyscall=none qemu test needs, and unpack a Debian cloud
# kernel into a cache directory without installing it on the host.
#
#   tests/vdso/setup-qemu.sh [CACHE_DIR]      (default: /var/cache/msentry-qemu)
#
# Afterwards CACHE_DIR/vmlinuz is the kernel the test boots. Packages:
# qemu-system-x86 (the emulator; TCG is enough), and the static archives the
# static msentry build links (libseccomp-dev, libelf-dev, zlib1g-dev).
set -eu
cache=${1:-/var/cache/msentry-qemu}
export DEBIAN_FRONTEND=noninteractive
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null
fi
apt-get install -y -qq --no-install-recommends libseccomp-dev libelf-dev zlib1g-dev >/dev/null
mkdir -p "$cache"
if [ ! -s "$cache/vmlinuz" ]; then
	# The metapackage names the current kernel package.
	pkg=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: \(linux-image-[^ ]*\)/\1/p' | head -n1)
	[ -n "$pkg" ] || { echo "setup-qemu: cannot resolve linux-image-cloud-amd64" >&2; exit 1; }
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt-get download runs as _apt
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download "$pkg" >/dev/null)
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" ./boot
	cp "$tmp"/boot/vmlinuz-* "$cache/vmlinuz"
fi
echo "setup-qemu: kernel in $cache/vmlinuz"
