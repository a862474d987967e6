/* openat2: its strict checks of flags, mode, resolve and size, and each
 * RESOLVE_* flag against links and "..", the scope's edges included. */
#include <linux/openat2.h>

#include "probe.h"

/* What an openat2 gives: the file's content (first line) or the error. */
static void try_open(const char *label, int dirfd, const char *path, uint64_t flags, uint64_t mode,
		     uint64_t resolve)
{
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd < 0) {
		say("%s: -1 %s", label, errname(errno));
		return;
	}
	char buf[64] = {0};
	ssize_t n = read((int)fd, buf, sizeof(buf) - 1);
	close((int)fd);
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	say("%s: opened, reads \"%s\"", label, n > 0 ? buf : "");
}

SYSCALL_TEST(openat2)
{
	mkdir("scope", 0755);
	mkdir("scope/sub", 0755);
	put_file("scope/inside", "inside the scope");
	put_file("outside", "outside the scope");
	symlink("/inside", "scope/abs");      /* absolute: the scope's with IN_ROOT */
	symlink("../outside", "scope/up");    /* climbs out */
	symlink("../../..", "scope/sub/far"); /* climbs far */
	symlink("inside", "scope/rel");	      /* stays */
	int d = open("scope", O_RDONLY | O_DIRECTORY);
	try_open("plain", d, "inside", O_RDONLY, 0, 0);
	try_open("in-root absolute", d, "/inside", O_RDONLY, 0, RESOLVE_IN_ROOT);
	try_open("in-root abs link", d, "abs", O_RDONLY, 0, RESOLVE_IN_ROOT);
	try_open("in-root ..", d, "../../inside", O_RDONLY, 0, RESOLVE_IN_ROOT);
	try_open("in-root up link", d, "up", O_RDONLY, 0, RESOLVE_IN_ROOT);
	try_open("in-root far link", d, "sub/far/inside", O_RDONLY, 0, RESOLVE_IN_ROOT);
	try_open("beneath rel link", d, "rel", O_RDONLY, 0, RESOLVE_BENEATH);
	try_open("beneath absolute", d, "/inside", O_RDONLY, 0, RESOLVE_BENEATH);
	try_open("beneath ..", d, "../outside", O_RDONLY, 0, RESOLVE_BENEATH);
	try_open("beneath sub/..", d, "sub/../inside", O_RDONLY, 0, RESOLVE_BENEATH);
	try_open("beneath up link", d, "up", O_RDONLY, 0, RESOLVE_BENEATH);
	try_open("beneath abs link", d, "abs", O_RDONLY, 0, RESOLVE_BENEATH);
	try_open("no-symlinks", d, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS);
	try_open("no-symlinks plain", d, "inside", O_RDONLY, 0, RESOLVE_NO_SYMLINKS);
	try_open("no-symlinks /proc/self", AT_FDCWD, "/proc/self/comm", O_RDONLY, 0,
		 RESOLVE_NO_SYMLINKS);
	try_open("no-magiclinks exe", AT_FDCWD, "/proc/self/exe", O_PATH, 0, RESOLVE_NO_MAGICLINKS);
	try_open("no-magiclinks /proc/self", AT_FDCWD, "/proc/self/comm", O_RDONLY, 0,
		 RESOLVE_NO_MAGICLINKS);
	try_open("beneath magic link", AT_FDCWD, "/proc/self/exe", O_PATH, 0, RESOLVE_BENEATH);
	try_open("no-xdev /proc", AT_FDCWD, "/proc/self/comm", O_RDONLY, 0, RESOLVE_NO_XDEV);
	try_open("no-xdev same fs", d, "inside", O_RDONLY, 0, RESOLVE_NO_XDEV);
	try_open("cached", d, "inside", O_RDONLY, 0, RESOLVE_CACHED);
	try_open("cached creat", d, "new", O_RDWR | O_CREAT, 0600, RESOLVE_CACHED);
	try_open("creat in-root", d, "/made", O_RDWR | O_CREAT, 0600, RESOLVE_IN_ROOT);
	say("made in the scope: %d, beside it: %d", access("scope/made", F_OK) == 0,
	    access("made", F_OK) == 0);
	/* The checks openat ignores. */
	try_open("mode without O_CREAT", d, "inside", O_RDONLY, 0600, 0);
	try_open("bad mode", d, "x", O_RDWR | O_CREAT, 070000, 0);
	try_open("bad flag bit", d, "inside", O_RDONLY | (1ULL << 40), 0, 0);
	try_open("bad resolve bit", d, "inside", O_RDONLY, 0, 1ULL << 20);
	try_open("beneath and in-root", d, "inside", O_RDONLY, 0,
		 RESOLVE_BENEATH | RESOLVE_IN_ROOT);
	try_open("O_PATH with O_RDWR", d, "inside", O_PATH | O_RDWR, 0, 0);
	try_open("O_DIRECTORY|O_CREAT", d, "dirx", O_DIRECTORY | O_CREAT, 0600, 0);
	try_open("bad dirfd", 99, "inside", O_RDONLY, 0, RESOLVE_BENEATH);
	struct open_how how = {.flags = O_RDONLY};
	SHOW(syscall(SYS_openat2, d, "inside", &how, 0));
	SHOW(syscall(SYS_openat2, d, "inside", &how, 23));
	SHOW(syscall(SYS_openat2, d, "inside", BADPTR, sizeof(how)));
	SHOW(syscall(SYS_openat2, d, BADPTR, &how, sizeof(how)));
	struct {
		struct open_how how;
		uint64_t pad;
	} big = {{.flags = O_RDONLY}, 1};
	SHOW(syscall(SYS_openat2, d, "inside", &big, sizeof(big)));
	big.pad = 0;
	long fd = syscall(SYS_openat2, d, "inside", &big, sizeof(big));
	say("a bigger struct, zero past the end: %s", fd >= 0 ? "opened" : errname(errno));
	if (fd >= 0)
		close((int)fd);
	close(d);
}
