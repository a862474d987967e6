/* open, openat, creat: opening a file without ever waiting on the sentry's
 * thread.
 *
 * Most opens return at once, but two wait in Linux: opening a FIFO blocks
 * until the other end is opened too, and opening a file with a lease that
 * conflicts blocks until the holder lets the lease go. Done on the sentry's
 * one thread, either wait stalls the whole sandbox, and since the partner
 * or the lease holder is usually another task of the same sandbox, forever.
 *
 * So the host open is always made with O_NONBLOCK, and then:
 *  - a FIFO opened for writing with no reader fails with ENXIO, and a
 *    leased file with EWOULDBLOCK (the break has started): the file is
 *    opened again, blocking, on a helper thread (task_offload_interruptible)
 *    through an O_PATH fd of it, while the task waits; a signal for the task
 *    cancels that open, which then ends in EINTR or a restart, as in Linux;
 *  - a FIFO opened for reading succeeds at once: the nonblocking end is
 *    held (a reader waiting in open counts as a reader in Linux too, so
 *    writers see the same thing) while a blocking open of the same FIFO
 *    waits for a writer on the helper; then it is closed;
 *  - anything else had no reason to wait: O_NONBLOCK is taken off again,
 *    since the program did not ask for it (F_GETFL shows the file's flags).
 * A program that asks for O_NONBLOCK (or O_PATH) gets the plain host open,
 * whose results are already Linux's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

/* What the helper opens: `fd` (an O_PATH fd of the file, or the held
 * nonblocking end of a FIFO) again with `flags`. */
struct reopen {
	int fd;
	int flags;
};

static long reopen_blocking(void *arg)
{
	struct reopen *r = arg;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", r->fd);
	/* The file exists and is resolved already: no creation, and the
	 * magic link must be followed. */
	int fd = open(link, (r->flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
	int err = errno;
	close(r->fd);
	free(r);
	return fd < 0 ? -err : fd;
}

long open_wait_blocking(struct task *t, int held_fd, int flags)
{
	struct reopen *r = xmalloc(sizeof(*r));
	*r = (struct reopen){.fd = held_fd, .flags = flags};
	return task_offload_interruptible(t, reopen_blocking, r);
}

/* The nonblocking open failed with ENXIO or EWOULDBLOCK: wait in a
 * blocking open if it is a FIFO without a reader or a leased file
 * (`opath`: an O_PATH fd of it, resolved as the open was). */
static long open_after_refusal(struct task *t, int opath, int flags, long rc)
{
	if (opath < 0)
		return rc;
	struct stat st;
	bool fifo_writer =
	    fstat(opath, &st) == 0 && S_ISFIFO(st.st_mode) && (flags & O_ACCMODE) == O_WRONLY;
	if (rc == -EWOULDBLOCK || (rc == -ENXIO && fifo_writer))
		return open_wait_blocking(t, opath, flags);
	close(opath);
	return rc;
}

static long install(struct task *t, struct file *f, int flags)
{
	return fd_install(t, f, (flags & O_CLOEXEC) != 0, 0);
}

static long finish_open(struct task *t, struct file *f, int flags);

SYSCALL_HANDLER(openat)
{
	int dirfd = (int)a[0], flags = (int)a[2];
	char path[PATH_MAX];
	int rc = task_read_path(t, a[1], path);
	if (rc != 0)
		return rc;
	struct file *f;
	if (t->call.offload) { /* the blocking open on the helper went on */
		long fd = task_offload_interruptible(t, NULL, NULL);
		if (fd < 0)
			return fd;
		cleanup_free char *abs = NULL;
		path_absolute(t, dirfd, path, &abs);
		return install(t, file_new_host((int)fd, abs), flags);
	}
	if (flags & (O_NONBLOCK | O_PATH)) {
		rc = path_open_file(t, dirfd, path, flags, (mode_t)a[3], &f);
		return rc != 0 ? rc : install(t, f, flags);
	}
	rc = path_open_file(t, dirfd, path, flags | O_NONBLOCK, (mode_t)a[3], &f);
	if (rc == -ENXIO || rc == -EWOULDBLOCK)
		return open_after_refusal(
		    t, path_open(t, dirfd, path, O_PATH | (flags & O_NOFOLLOW), 0), flags, rc);
	if (rc != 0)
		return rc;
	return finish_open(t, f, flags);
}

/* A file opened O_NONBLOCK for a program that did not ask for it: a FIFO
 * read end waits for a writer on the helper; anything else is installed
 * without O_NONBLOCK. */
static long finish_open(struct task *t, struct file *f, int flags)
{
	if (f->kind != FILE_HOST)
		return install(t, f, flags);
	struct stat st;
	if (f->may_block && (flags & O_ACCMODE) == O_RDONLY && fstat(f->host_fd, &st) == 0 &&
	    S_ISFIFO(st.st_mode)) {
		int held = fcntl(f->host_fd, F_DUPFD_CLOEXEC, 0);
		file_put(f);
		return held < 0 ? -errno : open_wait_blocking(t, held, flags);
	}
	fcntl(f->host_fd, F_SETFL, flags & (O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME));
	return install(t, f, flags);
}

SYSCALL_HANDLER(open)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], a[1], a[2]};
	return sys_openat(t, b);
}

SYSCALL_HANDLER(creat)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1]};
	return sys_openat(t, b);
}

/* ---- openat2: openat with its arguments checked and RESOLVE_* ---- */

#define RESOLVE_ALL                                                                                \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |         \
	 RESOLVE_IN_ROOT | RESOLVE_CACHED)
#define OPEN_FLAGS_ALL                                                                             \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC |     \
	 FASYNC | O_DIRECT | 0100000 /* O_LARGEFILE */ | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |    \
	 O_CLOEXEC | O_PATH | O_TMPFILE | O_SYNC)

/* Linux's build_open_flags: openat2 refuses what openat ignores. */
static long check_how(const struct open_how *how)
{
	uint64_t flags = how->flags;
	if ((flags & ~(uint64_t)OPEN_FLAGS_ALL) || (how->resolve & ~(uint64_t)RESOLVE_ALL))
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
	if (creates ? (how->mode & ~(uint64_t)07777) != 0 : how->mode != 0)
		return -EINVAL;
	if ((flags & O_DIRECTORY) && (flags & O_CREAT))
		return -EINVAL;
	if ((flags & O_TMPFILE) == O_TMPFILE && (flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	if ((flags & O_PATH) &&
	    (flags & ~(uint64_t)(O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)))
		return -EINVAL;
	if ((how->resolve & RESOLVE_CACHED) && (flags & (O_TRUNC | O_CREAT | O_TMPFILE)))
		return -EAGAIN;
	return 0;
}

SYSCALL_HANDLER(openat2)
{
	/* copy_struct_from_user: a smaller struct is EINVAL, a larger one
	 * must be zero past what Linux knows (E2BIG). */
	uint64_t size = a[3];
	if (size < 24 /* OPEN_HOW_SIZE_VER0 */)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	struct open_how how = {0};
	if (task_read(t, a[2], &how, size < sizeof(how) ? size : sizeof(how)) != 0)
		return -EFAULT;
	for (uint64_t off = sizeof(how); off < size; off++) {
		uint8_t byte;
		if (task_read(t, a[2] + off, &byte, 1) != 0)
			return -EFAULT;
		if (byte)
			return -E2BIG;
	}
	long rc = check_how(&how);
	if (rc != 0)
		return rc;
	int dirfd = (int)a[0], flags = (int)how.flags;
	uint64_t resolve = how.resolve & ~(uint64_t)RESOLVE_CACHED;
	if (resolve == 0) { /* openat's own way, with the blocking opens */
		const uint64_t b[6] = {a[0], a[1], how.flags, how.mode};
		return sys_openat(t, b);
	}
	char path[PATH_MAX];
	if ((rc = task_read_path(t, a[1], path)) != 0)
		return rc;
	struct file *f;
	bool plain = flags & (O_NONBLOCK | O_PATH);
	rc = path_open_resolve(t, dirfd, path, plain ? flags : flags | O_NONBLOCK, (mode_t)how.mode,
			       resolve, &f);
	if (!plain && (rc == -ENXIO || rc == -EWOULDBLOCK)) {
		struct file *p;
		int opath = path_open_resolve(t, dirfd, path, O_PATH | (flags & O_NOFOLLOW), 0,
					      resolve, &p);
		if (opath == 0) {
			opath = fcntl(p->host_fd, F_DUPFD_CLOEXEC, 0);
			file_put(p);
		}
		return open_after_refusal(t, opath, flags, rc);
	}
	if (rc != 0)
		return rc;
	return plain ? install(t, f, flags) : finish_open(t, f, flags);
}
