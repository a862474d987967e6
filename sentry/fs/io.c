/* Moving bytes between host fds and program memory.
 *
 * The sentry cannot hand a program pointer to the host kernel, so data goes
 * through its scratch buffer: host read() into scratch, then
 * process_vm_writev into the program (and the reverse for writes).
 * Vectored calls are gathered into one host call so that writes to pipes
 * and sockets keep their atomicity.
 */
#include <errno.h>
#include <sys/resource.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "sentry/kernel/kernel.h"
#include "sentry/fs/fs.h"

static bool is_regular(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

#define IO_PAGE 4096UL

/* Copy between program memory and the sentry as far as the program's
 * memory is mapped, as Linux's copy_to_user/copy_from_user do: the number
 * of bytes copied before the first fault. */
static size_t copy_partial(struct task *t, uint64_t addr, void *buf, size_t len, bool out)
{
	if ((out ? task_write(t, addr, buf, len) : task_read(t, addr, buf, len)) == 0)
		return len;
	size_t done = 0;
	while (done < len) {
		size_t chunk = IO_PAGE - ((addr + done) & (IO_PAGE - 1));
		if (chunk > len - done)
			chunk = len - done;
		char *p = (char *)buf + done;
		if ((out ? task_write(t, addr + done, p, chunk) : task_read(t, addr + done, p, chunk)) != 0)
			break;
		done += chunk;
	}
	return done;
}

/* Bytes read from the host but not copied to the program go back to the
 * file where the file has a position to go back to. */
static void unread(int fd, size_t n)
{
	if (n)
		lseek(fd, -(off_t)n, SEEK_CUR);
}

long io_read(struct task *t, int fd, uint64_t buf, size_t count, const off_t *off)
{
	struct sentry *s = t->s;
	size_t done = 0;
	while (done < count) {
		size_t chunk = count - done < s->scratch_size ? count - done : s->scratch_size;
		ssize_t n = off ? pread(fd, s->scratch, chunk, *off + (off_t)done)
				: read(fd, s->scratch, chunk);
		if (n < 0)
			return done ? (long)done : -errno;
		size_t copied = n > 0 ? copy_partial(t, buf + done, s->scratch, (size_t)n, true) : 0;
		if (copied < (size_t)n) {
			if (!off)
				unread(fd, (size_t)n - copied);
			done += copied;
			return done ? (long)done : -EFAULT;
		}
		done += (size_t)n;
		/* Only a full chunk from a regular file means more may follow
		 * without blocking. */
		if ((size_t)n < chunk || !is_regular(fd))
			break;
	}
	return (long)done;
}

/* RLIMIT_FSIZE, as Linux applies it to writes to regular files: a write
 * that would take the file past the limit writes what fits; one that
 * starts at or past it fails with EFBIG, and the writer gets SIGXFSZ. */
static long fsize_limit(struct task *t, int fd, const off_t *off, size_t *count)
{
	rlim_t limit = t->proc->rlim[RLIMIT_FSIZE].rlim_cur;
	if (limit == RLIM_INFINITY || *count == 0)
		return 0;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	off_t pos = off ? *off
			: (fcntl(fd, F_GETFL) & O_APPEND) ? st.st_size : lseek(fd, 0, SEEK_CUR);
	if (pos < 0)
		return 0;
	if ((rlim_t)pos >= limit) {
		signal_send_task(t, SIGXFSZ, NULL);
		return -EFBIG;
	}
	if ((rlim_t)pos + *count > limit)
		*count = (size_t)(limit - (rlim_t)pos);
	return 0;
}

long io_write(struct task *t, int fd, uint64_t buf, size_t count, const off_t *off)
{
	struct sentry *s = t->s;
	size_t done = 0;
	long limited = fsize_limit(t, fd, off, &count);
	if (limited != 0)
		return limited;
	while (done < count) {
		size_t chunk = count - done < s->scratch_size ? count - done : s->scratch_size;
		size_t got = copy_partial(t, buf + done, s->scratch, chunk, false);
		if (got == 0)
			return done ? (long)done : -EFAULT;
		bool fault = got < chunk;
		chunk = got;
		ssize_t n = off ? pwrite(fd, s->scratch, chunk, *off + (off_t)done)
				: write(fd, s->scratch, chunk);
		if (n < 0)
			return done ? (long)done : -errno;
		done += (size_t)n;
		if ((size_t)n < chunk || fault)
			break;
	}
	return (long)done;
}

int io_read_iovec(struct task *t, uint64_t addr, int cnt, struct iovec **out, size_t *total)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	struct iovec *iov = xcalloc((size_t)cnt, sizeof(*iov));
	if (task_read(t, addr, iov, (size_t)cnt * sizeof(*iov)) != 0) {
		free(iov);
		return -EFAULT;
	}
	size_t sum = 0;
	for (int i = 0; i < cnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0 || sum + iov[i].iov_len < sum) {
			free(iov);
			return -EINVAL;
		}
		sum += iov[i].iov_len;
	}
	*out = iov;
	*total = sum;
	return 0;
}

long io_readv(struct task *t, int fd, uint64_t iov_addr, int cnt, const off_t *off)
{
	struct sentry *s = t->s;
	cleanup_free struct iovec *iov = NULL;
	size_t total;
	int rc = io_read_iovec(t, iov_addr, cnt, &iov, &total);
	if (rc != 0)
		return rc;
	if (total > s->scratch_size)
		total = s->scratch_size;
	ssize_t n = off ? pread(fd, s->scratch, total, *off) : read(fd, s->scratch, total);
	if (n < 0)
		return -errno;
	size_t left = (size_t)n, at = 0;
	for (int i = 0; i < cnt && left > 0; i++) {
		size_t part = iov[i].iov_len < left ? iov[i].iov_len : left;
		size_t copied = copy_partial(t, (uint64_t)iov[i].iov_base, s->scratch + at, part, true);
		at += copied;
		left -= copied;
		if (copied < part) {
			if (!off)
				unread(fd, left);
			return at ? (long)at : -EFAULT;
		}
	}
	return n;
}

long io_writev_skip(struct task *t, int fd, uint64_t iov_addr, int cnt, const off_t *off,
		    size_t skip)
{
	struct sentry *s = t->s;
	cleanup_free struct iovec *iov = NULL;
	size_t total;
	int rc = io_read_iovec(t, iov_addr, cnt, &iov, &total);
	if (rc != 0)
		return rc;
	size_t at = 0;
	for (int i = 0; i < cnt && at < s->scratch_size; i++) {
		uint64_t base = (uint64_t)iov[i].iov_base;
		size_t part = iov[i].iov_len;
		if (skip >= part) {
			skip -= part;
			continue;
		}
		base += skip;
		part -= skip;
		skip = 0;
		if (part > s->scratch_size - at)
			part = s->scratch_size - at;
		/* Linux writes what it gathered before a fault. */
		size_t got = copy_partial(t, base, s->scratch + at, part, false);
		at += got;
		if (got < part) {
			if (at == 0)
				return -EFAULT;
			break;
		}
	}
	long limited = fsize_limit(t, fd, off, &at);
	if (limited != 0)
		return limited;
	ssize_t n = off ? pwrite(fd, s->scratch, at, *off) : write(fd, s->scratch, at);
	return n < 0 ? -errno : n;
}

long io_writev(struct task *t, int fd, uint64_t iov_addr, int cnt, const off_t *off)
{
	return io_writev_skip(t, fd, iov_addr, cnt, off, 0);
}
