/* Path escape probe (issue 13): one family of path syscalls tries every way
 * out of the root it is started in. Run as `paths-probe FAMILY HOSTTOP`
 * with the sandbox root as its cwd and root: HOSTTOP is the host directory
 * that holds the root, `secret` and `outside/` (an absolute host path, so
 * the "absolute" variant names the host's objects).
 *
 * The probe never judges anything itself. What it manages to read is
 * appended to "loot" (opened at start as fd 100, inherited across exec),
 * so the host can see whether the secret's content, its inode number, the
 * outside marker or an xattr value ever reached the sandbox; every other
 * attempt leaves (or not) its evidence on the host (new files, changed
 * ctime, link counts). The test script (paths-escape.sh) compares the host
 * before and after, and also runs this probe natively, unconfined, to prove
 * that the escapes it tries are real ones. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LOOT_FD 100
#define MAXV	32

static char *secrets[MAXV], *outsides[MAXV];
static int nsecrets, noutsides;

static void loot(const char *what, const char *path, const void *data, size_t n)
{
	dprintf(LOOT_FD, "%s %s: ", what, path);
	if (write(LOOT_FD, data, n) < 0)
		_exit(3);
	dprintf(LOOT_FD, "\n");
}

static void loot_ino(const char *what, const char *path, unsigned long ino)
{
	dprintf(LOOT_FD, "%s %s: ino=%lu\n", what, path, ino);
}

/* Read what an fd the attack opened gives, keep it, close the fd (none
 * when the open failed: fd < 0). */
static void take_fd(const char *what, const char *path, long fd)
{
	if (fd < 0)
		return;
	char buf[256];
	ssize_t n = read((int)fd, buf, sizeof(buf));
	if (n > 0)
		loot(what, path, buf, (size_t)n);
	close((int)fd);
}

/* Read what a path gives and keep it. */
static void take(const char *what, const char *path)
{
	take_fd(what, path, open(path, O_RDONLY));
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	char *s;
	if (vasprintf(&s, f, ap) < 0)
		exit(2);
	va_end(ap);
	return s;
}

/* Every way to name a host object X next to the root: `..` (relative,
 * absolute, below a directory), relative and absolute symlinks, the host's
 * absolute path, and the magic links. */
static void variants(const char *top, char **v, int *n, const char *x, const char *reldir,
		     const char *absdir)
{
	static int dirfd = -1, subfd = -1;
	if (dirfd < 0) {
		dirfd = open(".", O_PATH | O_DIRECTORY);
		subfd = open("dir", O_PATH | O_DIRECTORY);
	}
	int i = 0;
	v[i++] = fmt("../%s", x);
	v[i++] = fmt("/../%s", x);
	v[i++] = fmt("dir/../../%s", x);
	v[i++] = fmt("/dir/../../../%s", x);
	v[i++] = fmt("%s/%s", top, x);
	v[i++] = fmt("/proc/self/root/../%s", x);
	v[i++] = fmt("/proc/self/cwd/../%s", x);
	v[i++] = fmt("/proc/%d/cwd/../%s", getpid(), x);
	v[i++] = fmt("/proc/thread-self/cwd/../%s", x);
	v[i++] = fmt("/proc/self/fd/%d/../%s", dirfd, x);
	v[i++] = fmt("/dev/fd/%d/../%s", dirfd, x);
	v[i++] = fmt("/proc/self/fd/%d/../../%s", subfd, x);
	v[i++] = fmt("mcwd/../%s", x);	/* mcwd -> /proc/self/cwd */
	v[i++] = fmt("mroot/../%s", x); /* mroot -> /proc/self/root */
	v[i++] = fmt("%s", reldir);
	v[i++] = fmt("%s", absdir);
	v[i++] = fmt("dir/uplink/%s", x); /* dir/uplink -> ../.. */
	*n = i;
}

/* ---- families ---- */

static void fam_open(void)
{
	for (int i = 0; i < nsecrets; i++) {
		take("open", secrets[i]);
		take_fd("openat-nofollow", secrets[i],
			openat(AT_FDCWD, secrets[i], O_RDONLY | O_NOFOLLOW));
		/* openat2 with and without RESOLVE_* confinement of its own. */
		for (unsigned long res = 0; res <= 0x10; res += 0x08) {
			struct {
				unsigned long long flags, mode, resolve;
			} how = {O_RDONLY, 0, res};
			take_fd("openat2", secrets[i],
				syscall(SYS_openat2, AT_FDCWD, secrets[i], &how, sizeof(how)));
		}
	}
	for (int i = 0; i < noutsides; i++) {
		take("open-marker", fmt("%s/marker", outsides[i]));
		close(open(fmt("%s/new-open-%d", outsides[i], i), O_CREAT | O_WRONLY, 0644));
		close(creat(fmt("%s/new-creat-%d", outsides[i], i), 0644));
		int t = open(outsides[i], O_TMPFILE | O_WRONLY, 0644);
		if (t >= 0) {
			linkat(t, "", AT_FDCWD, fmt("%s/new-tmpfile-%d", outsides[i], i),
			       AT_EMPTY_PATH);
			close(t);
		}
		DIR *d = opendir(outsides[i]);
		struct dirent *e;
		while (d && (e = readdir(d)))
			loot("readdir", outsides[i], e->d_name, strlen(e->d_name));
		if (d)
			closedir(d);
	}
}

static void fam_link(void)
{
	for (int i = 0; i < nsecrets; i++) {
		const char *s = secrets[i];
		link(s, fmt("stolen-link-%d", i));
		linkat(AT_FDCWD, s, AT_FDCWD, fmt("stolen-linkat-%d", i), 0);
		linkat(AT_FDCWD, s, AT_FDCWD, fmt("stolen-follow-%d", i), AT_SYMLINK_FOLLOW);
		int fd = open(s, O_PATH);
		if (fd >= 0) {
			linkat(fd, "", AT_FDCWD, fmt("stolen-empty-%d", i), AT_EMPTY_PATH);
			linkat(AT_FDCWD, fmt("/proc/self/fd/%d", fd), AT_FDCWD,
			       fmt("stolen-magic-%d", i), AT_SYMLINK_FOLLOW);
			close(fd);
		}
		take("link", fmt("stolen-link-%d", i));
		take("link", fmt("stolen-linkat-%d", i));
		take("link", fmt("stolen-follow-%d", i));
		take("link", fmt("stolen-empty-%d", i));
		take("link", fmt("stolen-magic-%d", i));
	}
	int victim = open("victim", O_PATH);
	for (int i = 0; i < noutsides; i++) {
		const char *o = outsides[i];
		link("victim", fmt("%s/new-link-%d", o, i));
		linkat(AT_FDCWD, "victim", AT_FDCWD, fmt("%s/new-follow-%d", o, i),
		       AT_SYMLINK_FOLLOW);
		linkat(victim, "", AT_FDCWD, fmt("%s/new-empty-%d", o, i), AT_EMPTY_PATH);
	}
}

static void fam_rename(void)
{
	for (int i = 0; i < nsecrets; i++) {
		const char *s = secrets[i];
		rename(s, fmt("stolen-rename-%d", i));
		syscall(SYS_renameat2, AT_FDCWD, s, AT_FDCWD, fmt("stolen-noreplace-%d", i),
			1 /* RENAME_NOREPLACE */);
		char *mine = fmt("swap-%d", i);
		close(open(mine, O_CREAT | O_WRONLY, 0644));
		syscall(SYS_renameat2, AT_FDCWD, s, AT_FDCWD, mine, 2 /* RENAME_EXCHANGE */);
		take("rename", fmt("stolen-rename-%d", i));
		take("rename", fmt("stolen-noreplace-%d", i));
		take("rename", mine);
	}
	for (int i = 0; i < noutsides; i++) {
		const char *o = outsides[i];
		char *mine = fmt("mine-%d", i);
		close(open(mine, O_CREAT | O_WRONLY, 0644));
		rename(mine, fmt("%s/new-rename-%d", o, i));
		syscall(SYS_renameat2, AT_FDCWD, mine, AT_FDCWD, fmt("%s/new-noreplace-%d", o, i),
			1);
		syscall(SYS_renameat2, AT_FDCWD, mine, AT_FDCWD, fmt("%s/marker", o), 2);
		take("rename-exchanged", mine);
	}
}

static void fam_symlink(void)
{
	for (int i = 0; i < noutsides; i++) {
		symlink("x", fmt("%s/new-symlink-%d", outsides[i], i));
		symlinkat("x", AT_FDCWD, fmt("%s/new-symlinkat-%d", outsides[i], i));
	}
	/* The target is stored as is; its later resolution stays inside. */
	for (int i = 0; i < nsecrets; i++) {
		char *name = fmt("stored-%d", i);
		if (symlink(secrets[i], name) == 0) {
			take("stored-symlink", name);
			char *below = fmt("stored-dir-%d", i);
			if (symlink(fmt("%s/..", outsides[i < noutsides ? i : 0]), below) == 0)
				take("stored-symlink-dir", fmt("%s/outside/marker", below));
		}
	}
}

static void fam_dir(void)
{
	for (int i = 0; i < noutsides; i++) {
		const char *o = outsides[i];
		mknod(fmt("%s/new-fifo-%d", o, i), S_IFIFO | 0644, 0);
		mknodat(AT_FDCWD, fmt("%s/new-reg-%d", o, i), S_IFREG | 0644, 0);
		mkdir(fmt("%s/new-dir-%d", o, i), 0755);
		mkdirat(AT_FDCWD, fmt("%s/new-dirat-%d", o, i), 0755);
		rmdir(fmt("%s/emptydir", o));
		unlink(fmt("%s/victimfile", o));
		unlinkat(AT_FDCWD, fmt("%s/victimfile", o), 0);
		unlinkat(AT_FDCWD, fmt("%s/emptydir", o), AT_REMOVEDIR);
	}
	for (int i = 0; i < nsecrets; i++)
		unlink(secrets[i]);
}

static void fam_attr(void)
{
	struct timespec ts[2] = {{1, 0}, {1, 0}};
	struct timeval tv[2] = {{1, 0}, {1, 0}};
	for (int i = 0; i < nsecrets; i++) {
		const char *s = secrets[i];
		truncate(s, 1);
		chmod(s, 0777);
		fchmodat(AT_FDCWD, s, 0777, 0);
		if (chown(s, 1, 1) || lchown(s, 1, 1) || fchownat(AT_FDCWD, s, 1, 1, 0) ||
		    fchownat(AT_FDCWD, s, 1, 1, AT_SYMLINK_NOFOLLOW))
			errno = 0;
		utimensat(AT_FDCWD, s, ts, 0);
		utimensat(AT_FDCWD, s, ts, AT_SYMLINK_NOFOLLOW);
		utimes(s, tv);
		syscall(SYS_futimesat, AT_FDCWD, s, tv);
		int fd = open(s, O_PATH);
		if (fd >= 0) {
			utimensat(fd, "", ts, AT_EMPTY_PATH);
			fchownat(fd, "", 1, 1, AT_EMPTY_PATH);
			chmod(fmt("/proc/self/fd/%d", fd), 0777);
			close(fd);
		}
	}
}

static void fam_xattr(void)
{
	char buf[256];
	for (int i = 0; i < nsecrets; i++) {
		const char *s = secrets[i];
		ssize_t n;
		if ((n = getxattr(s, "user.msentry", buf, sizeof(buf))) > 0)
			loot("getxattr", s, buf, (size_t)n);
		if ((n = lgetxattr(s, "user.msentry", buf, sizeof(buf))) > 0)
			loot("lgetxattr", s, buf, (size_t)n);
		if ((n = listxattr(s, buf, sizeof(buf))) > 0)
			loot("listxattr", s, buf, (size_t)n);
		if ((n = llistxattr(s, buf, sizeof(buf))) > 0)
			loot("llistxattr", s, buf, (size_t)n);
		setxattr(s, "user.pwned", "1", 1, 0);
		lsetxattr(s, "user.pwned", "1", 1, 0);
		removexattr(s, "user.msentry");
		lremovexattr(s, "user.msentry");
		int fd = open(s, O_RDONLY);
		if (fd >= 0) {
			if ((n = fgetxattr(fd, "user.msentry", buf, sizeof(buf))) > 0)
				loot("fgetxattr", s, buf, (size_t)n);
			fsetxattr(fd, "user.pwned", "1", 1, 0);
			fremovexattr(fd, "user.msentry");
			close(fd);
		}
	}
}

static void fam_stat(void)
{
	struct stat st;
	struct statx sx;
	char buf[256];
	for (int i = 0; i < nsecrets; i++) {
		const char *s = secrets[i];
		if (stat(s, &st) == 0)
			loot_ino("stat", s, st.st_ino);
		if (lstat(s, &st) == 0)
			loot_ino("lstat", s, st.st_ino);
		if (fstatat(AT_FDCWD, s, &st, 0) == 0)
			loot_ino("newfstatat", s, st.st_ino);
		if (statx(AT_FDCWD, s, 0, STATX_INO, &sx) == 0)
			loot_ino("statx", s, sx.stx_ino);
		if (statx(AT_FDCWD, s, AT_SYMLINK_NOFOLLOW, STATX_INO, &sx) == 0)
			loot_ino("statx-nofollow", s, sx.stx_ino);
	}
	for (int i = 0; i < noutsides; i++) {
		char *hl = fmt("%s/hostlink", outsides[i]);
		ssize_t n = readlink(hl, buf, sizeof(buf));
		if (n > 0)
			loot("readlink", hl, buf, (size_t)n);
		n = readlinkat(AT_FDCWD, hl, buf, sizeof(buf));
		if (n > 0)
			loot("readlinkat", hl, buf, (size_t)n);
		char *mk = fmt("%s/marker", outsides[i]);
		if (stat(mk, &st) == 0)
			loot_ino("stat-marker", mk, st.st_ino);
		/* access/faccessat2 only answer yes or no: the marker's inode
		 * is what the host looks for, so a "yes" is written with it. */
		if (access(mk, F_OK) == 0 && stat(mk, &st) == 0)
			loot_ino("access", mk, st.st_ino);
		if (syscall(SYS_faccessat2, AT_FDCWD, mk, F_OK, 0) == 0 && stat(mk, &st) == 0)
			loot_ino("faccessat2", mk, st.st_ino);
	}
}

static void run_child(const char *what, const char *path, int dirfd, int flags)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"prog", "mark", NULL}, *envp[] = {NULL};
		if (dirfd >= 0)
			syscall(SYS_execveat, dirfd, path, argv, envp, flags);
		else
			execve(path, argv, envp);
		_exit(0);
	}
	(void)what;
	waitpid(pid, NULL, 0);
}

static void fam_exec(void)
{
	for (int i = 0; i < noutsides; i++) {
		char *prog = fmt("%s/prog", outsides[i]);
		run_child("execve", prog, -1, 0);
		run_child("execveat", prog, AT_FDCWD, 0);
		int fd = open(prog, O_PATH);
		if (fd >= 0) {
			run_child("execveat-empty", "", fd, AT_EMPTY_PATH);
			close(fd);
		}
		/* A `#!` interpreter outside the root. */
		char *script = fmt("script-%d", i);
		int s = open(script, O_CREAT | O_WRONLY | O_TRUNC, 0755);
		dprintf(s, "#!%s\n", prog);
		close(s);
		run_child("shebang", script, -1, 0);
		run_child("shebang-at", script, AT_FDCWD, 0);
	}
}

static void fam_chdir(void)
{
	int home = open(".", O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < noutsides; i++) {
		if (chdir(outsides[i]) == 0)
			take("chdir", "marker");
		fchdir(home);
		int fd = open(outsides[i], O_RDONLY | O_DIRECTORY);
		if (fd >= 0 && fchdir(fd) == 0)
			take("fchdir", "marker");
		if (fd >= 0)
			close(fd);
		fchdir(home);
	}
	for (int up = 0; up < 4; up++) {
		if (chdir("..") == 0)
			take("chdir-up", "secret");
	}
	fchdir(home);
	if (chdir("/proc/self/cwd/..") == 0)
		take("chdir-magic", "secret");
	fchdir(home);
}

static void fam_unix(void)
{
	for (int i = 0; i < noutsides; i++) {
		const char *o = outsides[i];
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s/new-sock-%d", o, i);
		bind(fd, (struct sockaddr *)&a, sizeof(a));
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s/lsock", o);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			dprintf(fd, "CONNECTED %s\n", o);
		close(fd);
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		snprintf(a.sun_path, sizeof(a.sun_path), "%s/dsock", o);
		sendto(fd, "SENT\n", 5, 0, (struct sockaddr *)&a, sizeof(a));
		connect(fd, (struct sockaddr *)&a, sizeof(a));
		send(fd, "SENT-CONNECTED\n", 15, 0);
		close(fd);
	}
}

static void fam_inotify(void)
{
	int in = inotify_init1(IN_NONBLOCK);
	int watched = 0;
	for (int i = 0; i < noutsides; i++)
		watched |= inotify_add_watch(in, outsides[i], IN_CREATE) >= 0;
	for (int i = 0; i < nsecrets; i++)
		watched |= inotify_add_watch(in, secrets[i], IN_ATTRIB) >= 0;
	/* The host creates a file of an unguessable name in outside/ once it
	 * sees "ready"; only a watch placed there can report it. */
	close(open("ready", O_CREAT | O_WRONLY, 0644));
	for (int tries = 0; tries < 50; tries++) {
		char buf[4096] __attribute__((aligned(8)));
		ssize_t n = read(in, buf, sizeof(buf));
		for (char *p = buf; n > 0 && p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			if (e->len)
				loot("inotify", "event", e->name, strlen(e->name));
			p += sizeof(*e) + e->len;
		}
		if (access("done", F_OK) == 0)
			break;
		usleep(100000);
	}
	(void)watched;
}

static void fam_handle(void)
{
	/* name_to_handle_at on the secret, then open_by_handle_at through a
	 * mount fd inside the root. */
	for (int i = 0; i < nsecrets; i++) {
		struct {
			unsigned int bytes;
			int type;
			unsigned char h[128];
		} fh = {.bytes = 128};
		int mnt;
		if (syscall(SYS_name_to_handle_at, AT_FDCWD, secrets[i], &fh, &mnt, 0) != 0)
			continue;
		int root = open("/", O_RDONLY | O_DIRECTORY);
		take_fd("open_by_handle_at", secrets[i],
			syscall(SYS_open_by_handle_at, root, &fh, O_RDONLY));
		close(root);
	}
	/* A handle made on the host for the secret, given as a file. */
	int hf = open("handle", O_RDONLY);
	if (hf >= 0) {
		unsigned char raw[136];
		ssize_t n = read(hf, raw, sizeof(raw));
		int root = open("/", O_RDONLY | O_DIRECTORY);
		take_fd("open_by_handle_at-host", "handle",
			n > 8 ? syscall(SYS_open_by_handle_at, root, raw, O_RDONLY) : -1);
	}
}

/* Natively, on the host: the handle of a file, for fam_handle. */
static int make_handle(const char *path, const char *out)
{
	struct {
		unsigned int bytes;
		int type;
		unsigned char h[128];
	} fh = {.bytes = 128};
	int mnt;
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, path, &fh, &mnt, 0) != 0)
		return 1;
	int fd = open(out, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	return write(fd, &fh, 8 + fh.bytes) > 0 ? 0 : 1;
}

/* Natively, on the host: a stream and a datagram socket in outside/ that
 * record whatever reaches them in RECEIVED. */
static int listen_host(const char *dir, const char *received)
{
	int out = open(received, O_WRONLY | O_APPEND);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/lsock", dir);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 8))
		return 1;
	int ds = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/dsock", dir);
	if (bind(ds, (struct sockaddr *)&a, sizeof(a)))
		return 1;
	dprintf(out, "%s", "");
	close(open(fmt("%s.ready", received), O_CREAT | O_WRONLY, 0644));
	for (;;) {
		char buf[256];
		int c = accept(ls, NULL, NULL);
		if (c >= 0) {
			dprintf(out, "accepted\n");
			close(c);
		}
		ssize_t n = recv(ds, buf, sizeof(buf), 0);
		if (n > 0 && write(out, buf, (size_t)n) < 0)
			return 1;
		usleep(20000);
	}
}

static void mark(void)
{
	dprintf(LOOT_FD, "EXECUTED-OUTSIDE\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "mark") == 0) {
		mark();
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "listen") == 0)
		return listen_host(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "handle") == 0)
		return make_handle(argv[2], argv[3]);
	if (argc != 3) {
		fprintf(stderr, "usage: paths-probe FAMILY HOSTTOP\n");
		return 2;
	}
	int l = open("loot", O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (l < 0 || dup2(l, LOOT_FD) < 0)
		return 2;
	close(l);
	const char *top = argv[2];
	variants(top, secrets, &nsecrets, "secret", "rel", "abs");
	variants(top, outsides, &noutsides, "outside", "reldir", "absdir");
	static const struct {
		const char *name;
		void (*fn)(void);
	} fams[] = {{"open", fam_open},	      {"link", fam_link}, {"rename", fam_rename},
		    {"symlink", fam_symlink}, {"dir", fam_dir},	  {"attr", fam_attr},
		    {"xattr", fam_xattr},     {"stat", fam_stat}, {"exec", fam_exec},
		    {"chdir", fam_chdir},     {"unix", fam_unix}, {"inotify", fam_inotify},
		    {"handle", fam_handle}};
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		if (strcmp(argv[1], fams[i].name) == 0) {
			fams[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "paths-probe: unknown family %s\n", argv[1]);
	return 2;
}
