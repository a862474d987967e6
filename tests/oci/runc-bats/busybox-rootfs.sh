#!/bin/bash
# msentry: builds, offline, the busybox rootfs tarball runc's tests download
# as an image (helpers.bash: BUSYBOX_IMAGE). From Debian's busybox-static:
# /bin/busybox with every applet a hard link next to it in /bin (as the
# busybox image lays them out), /etc/passwd and /etc/group with the image's
# users and groups, and the image's empty directories.
# Usage: busybox-rootfs.sh OUT.tar   (does nothing if OUT.tar exists)
set -euo pipefail
out=$1
[ -s "$out" ] && exit 0
busybox=${BUSYBOX:-/bin/busybox}
dir=$(mktemp -d "${out}.XXXXXX")
chmod 0755 "$dir"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir"/{bin,dev,etc,home,root,tmp,usr/sbin,var/spool/mail,var/www}
chmod 1777 "$dir/tmp"
chmod 0700 "$dir/root"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln "$dir/bin/busybox" "$dir/bin/$applet"
done
cat >"$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$dir/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
GROUP
tar -C "$dir" --numeric-owner --owner=0 --group=0 -cf "$out.part" .
mv "$out.part" "$out"
