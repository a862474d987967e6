/* The sandbox's devpts: /dev/pts lists the ptys the sandbox holds, and
 * nothing of the host's others.
 *
 * How it works. A devpts mount is an empty private directory
 * (kernel/mount.c); this file serves what is below it, through the
 * kernel's synthetic_open hook, from the sandbox's own fds. The ptys the
 * sandbox holds are the host pty slaves (char devices of majors 136-143,
 * numbered as the host numbers them) behind any fd of any sandbox task
 * (its console, a pty an exec was given), and the host pty masters
 * (/dev/ptmx, 5:2) among them (one passed in), whose slave's number
 * TIOCGPTN tells. So
 *  - /dev/pts opened to be read lists those numbers;
 *  - /dev/pts/N opens the host's node of that pty: a slave fd is reopened
 *    through its /proc/self/fd link (the same inode: stat, ttyname and
 *    the /proc/self/fd/N link agree), a master gives its peer with
 *    TIOCGPTPEER; any other N is ENOENT, held by the host or not.
 * Not done: /dev/pts/ptmx (and /dev/ptmx, its link): a new pty made by
 * the program. After the sentry's pivot (sentry/guard-pivot.c) the host's
 * /dev/ptmx is not reachable by name; an fd of it kept from start-up
 * would be the way.
 * The owner and mode are the host node's: the runtime sets the console's
 * as runc's devpts (gid=5,mode=620) leaves it (runtime/console.c).
 * Served: opens (stat and the like open O_PATH) and, for the *at calls
 * that do not follow a last symlink, the entries themselves
 * (devpts_node: lstat of /dev/pts/N is its stat, it is no link). The
 * directory's own stat, and anything else below it, meet the empty
 * directory.
 *
 * Opens add O_NOCTTY: the sentry, a session leader, must never take a
 * sandbox pty as its own controlling terminal (kernel/tty.c emulates the
 * sandbox's).
 *
 * Threats: a number is only ever opened from an fd the sandbox already
 * holds (no host path is opened by name), so another host
 * terminal can be neither listed nor opened, whatever N is guessed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/fs/procfs-internal.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The pty number behind host fd `fd`: a slave's (*master false) or a
 * master's slave (*master true), or -1. */
static int pty_number(int fd, bool *master)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
		return -1;
	unsigned maj = major(st.st_rdev);
	*master = maj == 5 && minor(st.st_rdev) == 2;
	if (maj >= 136 && maj <= 143)
		return (int)((maj - 136) * 256 + minor(st.st_rdev));
	unsigned n;
	if (*master && ioctl(fd, TIOCGPTN, &n) == 0)
		return (int)n;
	return -1;
}

/* Visit every host fd of the sandbox that is a pty; stop when `fn`
 * returns true, with that fd. -1 when none did. */
static int each_pty(struct sentry *s, bool (*fn)(void *, int, int, bool), void *arg)
{
	for (struct task *t = s->tasks; t; t = t->next) {
		const struct fd_table *ft = t->files;
		for (int i = 0; ft && i < ft->size; i++) {
			const struct file *f = ft->slots[i].file;
			bool master;
			int n = f && f->host_fd >= 0 && f->kind != FILE_DIR_LIST
				    ? pty_number(f->host_fd, &master)
				    : -1;
			if (n >= 0 && fn(arg, f->host_fd, n, master))
				return f->host_fd;
		}
	}
	return -1;
}

struct listing {
	int *v;
	size_t n;
};

static bool add_number(void *arg, int fd, int n, bool master)
{
	(void)fd, (void)master;
	struct listing *l = arg;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == n)
			return false;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = n;
	return false;
}

static int by_value(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static struct file *list_dir(struct task *t, const char *abs)
{
	struct listing l = {0};
	each_pty(t->s, add_number, &l);
	qsort(l.v, l.n, sizeof(*l.v), by_value);
	struct file *f = procfs_dir_new(abs);
	procfs_dir_add(f, ".", DT_DIR, 1);
	procfs_dir_add(f, "..", DT_DIR, 2);
	for (size_t i = 0; i < l.n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%d", l.v[i]);
		procfs_dir_add(f, name, DT_CHR, 3 + (uint64_t)l.v[i]);
	}
	free(l.v);
	return f;
}

struct wanted {
	int n;
	bool slave; /* the fd found is a slave (else a master) */
};

static bool is_wanted(void *arg, int fd, int n, bool master)
{
	(void)fd;
	struct wanted *w = arg;
	w->slave = !master;
	return n == w->n;
}

/* The host's node of pty `n`, opened with `flags`, or -errno. */
static int open_number(struct task *t, const char *name, int flags)
{
	char *end;
	long n = strtol(name, &end, 10);
	/* Only the names devpts gives: digits, no leading zero. */
	if (name[0] < '0' || name[0] > '9' || *end || n > 1 << 20 || (name[0] == '0' && name[1]))
		return -ENOENT;
	struct wanted w = {(int)n, false};
	int host = each_pty(t->s, is_wanted, &w);
	if (host < 0)
		return -ENOENT;
	int fd;
	if (w.slave) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", host);
		fd = open(link, (flags & ~O_CREAT) | O_NOCTTY | O_CLOEXEC);
	} else {
		/* O_PATH too: a stat must not open the slave (its last close
		 * would hang up the master). */
		fd = ioctl(host, TIOCGPTPEER,
			   (flags & (O_ACCMODE | O_NONBLOCK | O_PATH)) | O_NOCTTY | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

/* The devpts mount that serves `abs`: *rest the path below it; false if
 * none does. */
static bool devpts_path(struct task *t, const char *abs, char **norm, const char **rest)
{
	struct sentry *s = t->s;
	if (!s->mounts || s->mounts->n < 2 || strncmp(abs, "/dev/pts", 8) != 0)
		return false;
	*norm = mount_normalize(abs);
	const struct mount *m = &s->mounts->v[mount_lookup(s->mounts, *norm, rest)];
	if (!m->type || strcmp(m->type, "devpts") != 0 || m->is_file) {
		free(*norm);
		*norm = NULL; /* the callers' cleanup frees it too */
		return false;
	}
	while (**rest == '/')
		(*rest)++;
	return true;
}

/* An entry below the devpts mount (not the directory): its fd or -errno. */
static int entry_open(struct task *t, const char *rest, int flags)
{
	if (strchr(rest, '/'))
		return -ENOTDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	int fd = open_number(t, rest, flags);
	/* Not found and O_CREAT: no file is made there, as Linux's devpts
	 * makes none. */
	return fd == -ENOENT && (flags & O_CREAT) ? -EACCES : fd;
}

bool devpts_node(struct task *t, const char *abs, int flags, int *fd)
{
	cleanup_free char *norm = NULL;
	const char *rest;
	if (!devpts_path(t, abs, &norm, &rest) || *rest == '\0')
		return false;
	*fd = entry_open(t, rest, flags);
	return true;
}

bool devpts_open(struct task *t, const char *abs, int flags, struct file **out, int *err)
{
	cleanup_free char *norm = NULL;
	const char *rest;
	if (!devpts_path(t, abs, &norm, &rest))
		return false;
	if (*rest == '\0') {
		if (flags & O_PATH)
			return false; /* its stat: the empty directory's */
		if ((flags & O_ACCMODE) != O_RDONLY) {
			*err = -EISDIR;
			return true;
		}
		*out = list_dir(t, norm);
		*err = 0;
		return true;
	}
	int fd = entry_open(t, rest, flags);
	*err = fd < 0 ? fd : 0;
	if (fd >= 0)
		*out = file_new_host(fd, norm);
	return true;
}
