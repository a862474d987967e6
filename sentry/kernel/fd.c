/* The program's file descriptor table.
 *
 * Program fds are indexes into a table of `struct file` (open file
 * descriptions); each FILE_HOST file owns one host fd of the sentry, opened
 * O_CLOEXEC. The sentry's own fds never appear in the table, so the program
 * sees exactly the fds it opened (fd 3 is its first free one, as natively).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

#define FD_LIMIT 65536

struct file *file_new_host(int host_fd, const char *path)
{
	struct file *f = xcalloc(1, sizeof(*f));
	f->refs = 1;
	f->kind = FILE_HOST;
	f->host_fd = host_fd;
	f->path = path ? xstrdup(path) : NULL;
	/* Regular files and directories never block; anything else (pipes,
	 * sockets, terminals) may, and the sentry must not wait on it. */
	struct stat st;
	f->may_block = fstat(host_fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
	/* Terminals get the sandbox's job control (tty.c). */
	f->tty = f->may_block && S_ISCHR(st.st_mode) && isatty(host_fd);
	/* The terminal itself: /dev/tty's own node is 5,0, TIOCGDEV names
	 * the device it stands for (the same encoding as st_rdev). */
	unsigned int dev;
	f->tty_rdev = !f->tty ? 0 : ioctl(host_fd, TIOCGDEV, &dev) == 0 ? dev : st.st_rdev;
	return f;
}

struct file *file_new_nonblocking(int host_fd, bool nonblock)
{
	struct file *f = xcalloc(1, sizeof(*f));
	f->refs = 1;
	f->kind = FILE_HOST;
	f->host_fd = host_fd;
	f->may_block = true;
	f->host_nonblock = true;
	f->nonblock = nonblock;
	return f;
}

bool file_is_nonblocking(const struct file *f)
{
	if (f->host_nonblock)
		return f->nonblock;
	int fl = fcntl(f->host_fd, F_GETFL);
	return fl >= 0 && (fl & O_NONBLOCK);
}

struct file *file_get(struct file *f)
{
	f->refs++;
	return f;
}

void file_put(struct file *f)
{
	if (!f || --f->refs > 0)
		return;
	if (f->release)
		f->release(f);
	if (f->host_fd >= 0)
		close(f->host_fd);
	for (size_t i = 0; i < f->nentries; i++)
		free(f->entries[i].name);
	free(f->entries);
	free(f->path);
	free(f);
}

struct fd_table *fd_table_new(struct sentry *s)
{
	struct fd_table *ft = xcalloc(1, sizeof(*ft));
	ft->refs = 1;
	ft->locks = &s->lock_descs;
	return ft;
}

struct file *file_find(struct sentry *s, bool (*match)(struct file *f, const void *key),
		       const void *key)
{
	for (struct task *t = s->tasks; t; t = t->next) {
		struct fd_table *ft = t->files;
		for (int i = 0; ft && i < ft->size; i++) {
			struct file *f = ft->slots[i].file;
			if (f && f->host_fd >= 0 && match(f, key))
				return f;
		}
	}
	return NULL;
}

struct fd_table *fd_table_copy(const struct fd_table *src)
{
	struct fd_table *ft = xcalloc(1, sizeof(*ft));
	ft->refs = 1;
	ft->locks = src->locks;
	ft->size = src->size;
	ft->slots = xcalloc((size_t)src->size, sizeof(struct fd_slot));
	for (int i = 0; i < src->size; i++) {
		ft->slots[i] = src->slots[i];
		if (ft->slots[i].file)
			file_get(ft->slots[i].file);
	}
	return ft;
}

/* ---- POSIX record locks: see files.h ---- */

struct lock_desc {
	struct fd_table *owner;
	dev_t dev;
	ino_t ino;
	int host;  /* the owner's own open file description of the file */
	pid_t pid; /* the sandbox pid that took the first lock, for F_GETLK */
	struct lock_desc *next;
};

static bool file_inode(const struct file *f, struct stat *st)
{
	return f->host_fd >= 0 && fstat(f->host_fd, st) == 0 && S_ISREG(st->st_mode);
}

int posix_lock_fd(struct task *t, struct file *f, bool create)
{
	struct stat st;
	if (!file_inode(f, &st))
		return -EINVAL;
	for (struct lock_desc *d = t->s->lock_descs; d; d = d->next)
		if (d->owner == t->files && d->dev == st.st_dev && d->ino == st.st_ino)
			return d->host;
	if (!create)
		return -ENOENT;
	char magic[64];
	snprintf(magic, sizeof(magic), "/proc/self/fd/%d", f->host_fd);
	/* Read-write if the sentry may, so that one description serves read
	 * and write locks through any of the table's fds (the program's own
	 * fd's mode is checked by the caller). */
	int host = open(magic, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (host < 0) {
		int acc = fcntl(f->host_fd, F_GETFL);
		host = acc < 0 ? -1 : open(magic, (acc & O_ACCMODE) | O_CLOEXEC | O_NOCTTY);
	}
	if (host < 0)
		return -errno;
	struct lock_desc *d = xcalloc(1, sizeof(*d));
	*d = (struct lock_desc){.owner = t->files,
				.dev = st.st_dev,
				.ino = st.st_ino,
				.host = host,
				.pid = t->proc->pid,
				.next = t->s->lock_descs};
	t->s->lock_descs = d;
	return host;
}

pid_t posix_lock_holder(struct sentry *s, int asker, const struct flock *l)
{
	struct stat st;
	if (fstat(asker, &st) != 0)
		return -1;
	/* The holder is the description that does not see the lock: F_GETLK
	 * never reports the asker's own locks. */
	for (struct lock_desc *d = s->lock_descs; d; d = d->next) {
		if (d->host == asker || d->dev != st.st_dev || d->ino != st.st_ino)
			continue;
		struct flock q = *l;
		q.l_whence = SEEK_SET;
		q.l_pid = 0;
		if (fcntl(d->host, F_OFD_GETLK, &q) != 0)
			continue;
		if (q.l_type == F_UNLCK || q.l_start != l->l_start || q.l_len != l->l_len ||
		    q.l_type != l->l_type)
			return d->pid;
	}
	return -1;
}

static void lock_release(struct fd_table *ft, struct file *f)
{
	struct stat st;
	if (!*ft->locks || !f || !file_inode(f, &st))
		return;
	for (struct lock_desc **p = ft->locks; *p; p = &(*p)->next) {
		struct lock_desc *d = *p;
		if (d->owner == ft && d->dev == st.st_dev && d->ino == st.st_ino) {
			close(d->host);
			*p = d->next;
			free(d);
			return;
		}
	}
}

static void lock_release_table(struct fd_table *ft)
{
	for (struct lock_desc **p = ft->locks; *p;) {
		struct lock_desc *d = *p;
		if (d->owner != ft) {
			p = &d->next;
			continue;
		}
		close(d->host);
		*p = d->next;
		free(d);
	}
}

void fd_table_put(struct fd_table *ft)
{
	if (!ft || --ft->refs > 0)
		return;
	lock_release_table(ft);
	for (int i = 0; i < ft->size; i++)
		file_put(ft->slots[i].file);
	free(ft->slots);
	free(ft);
}

static int fd_limit(struct task *t)
{
	rlim_t lim = t->proc->rlim[RLIMIT_NOFILE].rlim_cur;
	return lim > FD_LIMIT ? FD_LIMIT : (int)lim;
}

static void grow(struct fd_table *ft, int min_size)
{
	if (min_size <= ft->size)
		return;
	int size = ft->size ? ft->size : 64;
	while (size < min_size)
		size *= 2;
	ft->slots = xrealloc(ft->slots, (size_t)size * sizeof(struct fd_slot));
	memset(ft->slots + ft->size, 0, (size_t)(size - ft->size) * sizeof(struct fd_slot));
	ft->size = size;
}

int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= fd_limit(t)) {
		file_put(f);
		return -EBADF;
	}
	struct fd_table *ft = t->files;
	grow(ft, fd + 1);
	struct file *old = ft->slots[fd].file;
	ft->slots[fd] = (struct fd_slot){.file = f, .cloexec = cloexec};
	lock_release(ft, old);
	if (old && old->flush)
		old->flush(old, t->proc);
	file_put(old);
	return fd;
}

int fd_install(struct task *t, struct file *f, bool cloexec, int minfd)
{
	struct fd_table *ft = t->files;
	int limit = fd_limit(t);
	if (minfd > 0 && minfd >= limit) {
		/* F_DUPFD asking for a number past RLIMIT_NOFILE: Linux says EINVAL. */
		file_put(f);
		return -EINVAL;
	}
	for (int fd = minfd; fd < limit; fd++) {
		if (fd >= ft->size || !ft->slots[fd].file)
			return fd_install_at(t, fd, f, cloexec);
	}
	file_put(f);
	return -EMFILE;
}

struct file *fd_lookup(struct task *t, int fd)
{
	struct fd_table *ft = t->files;
	if (fd < 0 || fd >= ft->size)
		return NULL;
	return ft->slots[fd].file;
}

int fd_host(struct task *t, int fd)
{
	struct file *f = fd_lookup(t, fd);
	if (!f)
		return -EBADF;
	return f->host_fd >= 0 ? f->host_fd : -EINVAL;
}

int fd_close(struct task *t, int fd)
{
	struct file *f = fd_lookup(t, fd);
	if (!f)
		return -EBADF;
	t->files->slots[fd] = (struct fd_slot){0};
	lock_release(t->files, f);
	if (f->flush)
		f->flush(f, t->proc);
	file_put(f);
	return 0;
}

void fd_close_on_exec(struct fd_table *ft, struct process *p)
{
	for (int i = 0; i < ft->size; i++) {
		struct file *f = ft->slots[i].file;
		if (!f || !ft->slots[i].cloexec)
			continue;
		ft->slots[i] = (struct fd_slot){0};
		lock_release(ft, f);
		if (f->flush)
			f->flush(f, p);
		file_put(f);
	}
}
