/* process_vm_readv and process_vm_writev: copying between the memory of
 * two sandbox processes.
 *
 * The program names a sandbox pid (any thread's tid); the sentry copies
 * through its bounce buffer with task_read/task_write on the two address
 * spaces, one chunk at a time. A chunk never crosses a page boundary on
 * either side, so a fault ends the transfer exactly where Linux's page by
 * page copy ends it: the bytes moved so far, or EFAULT if none. Checks
 * come in Linux's order: flags, the local vector (EINVAL, EFAULT; nothing
 * to move is 0 at once), the remote vector, the target (ESRCH), and the
 * permission to attach to it (EPERM).
 */
#include <errno.h>
#include <limits.h>
#include <sys/uio.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define CHUNK_PAGE 4096UL

/* Bytes from addr to the end of its page. */
static size_t to_page_end(uint64_t addr)
{
	return CHUNK_PAGE - (addr & (CHUNK_PAGE - 1));
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* One side of the copy: a vector and where the copy is in it. */
struct side {
	struct task *t;
	const struct iovec *iov;
	int cnt, i;
	size_t at; /* offset in iov[i] */
};

/* The next non-empty segment's address and room, or false at the end. */
static bool side_next(struct side *sd, uint64_t *addr, size_t *room)
{
	while (sd->i < sd->cnt && sd->at == sd->iov[sd->i].iov_len) {
		sd->i++;
		sd->at = 0;
	}
	if (sd->i >= sd->cnt)
		return false;
	*addr = (uint64_t)sd->iov[sd->i].iov_base + sd->at;
	*room = sd->iov[sd->i].iov_len - sd->at;
	return true;
}

static long copy_vectors(struct sentry *s, struct side *from, struct side *to)
{
	size_t done = 0;
	uint64_t fa, ta;
	size_t froom, troom;
	while (side_next(from, &fa, &froom) && side_next(to, &ta, &troom)) {
		size_t n = min_size(min_size(froom, troom), s->scratch_size);
		n = min_size(n, min_size(to_page_end(fa), to_page_end(ta)));
		if (task_read(from->t, fa, s->scratch, n) != 0 ||
		    task_write(to->t, ta, s->scratch, n) != 0)
			return done ? (long)done : -EFAULT;
		from->at += n;
		to->at += n;
		done += n;
		if (done > (size_t)SSIZE_MAX - CHUNK_PAGE)
			break; /* the result must stay a positive ssize_t */
	}
	return (long)done;
}

static long process_vm_rw(struct task *t, const uint64_t *a, bool write)
{
	if (a[5] != 0)
		return -EINVAL;
	cleanup_free struct iovec *local = NULL;
	cleanup_free struct iovec *remote = NULL;
	size_t ltotal, rtotal;
	if (a[2] > IOV_MAX)
		return -EINVAL;
	int rc = io_read_iovec(t, a[1], (int)a[2], &local, &ltotal);
	if (rc != 0)
		return rc;
	if (ltotal == 0)
		return 0;
	if (a[4] > IOV_MAX)
		return -EINVAL;
	if ((rc = io_read_iovec(t, a[3], (int)a[4], &remote, &rtotal)) != 0)
		return rc;
	struct task *u = task_by_tid(t->s, (pid_t)a[0]);
	if ((pid_t)a[0] <= 0 || !u || u->exiting || !u->th)
		return -ESRCH;
	if (!process_may_attach(t, u->proc))
		return -EPERM;
	struct side mine = {.t = t, .iov = local, .cnt = (int)a[2]};
	struct side theirs = {.t = u, .iov = remote, .cnt = (int)a[4]};
	return write ? copy_vectors(t->s, &mine, &theirs) : copy_vectors(t->s, &theirs, &mine);
}

SYSCALL_HANDLER(process_vm_readv)
{
	return process_vm_rw(t, a, false);
}

SYSCALL_HANDLER(process_vm_writev)
{
	return process_vm_rw(t, a, true);
}
