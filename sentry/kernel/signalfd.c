/* signalfd: a file that reads the reader's pending signals.
 *
 * signalfd cannot be the host's: the program's signals are queued by the
 * sentry (signal.c), not by the host kernel. A signalfd is a FILE_SIGNALFD
 * file whose read dequeues the reader's pending signals in its mask. So that
 * poll, select, epoll and a blocked read notice a signal, each signalfd owns
 * a host eventfd (its host_fd) that the sentry keeps readable while a signal
 * of its mask may be pending: signal.c calls signalfd_notify when it queues
 * one, and readers resynchronise it (signalfd_sync) with what is really
 * pending, since delivery or sigtimedwait may take signals away. A blocked
 * read itself waits for signalfd_notify (BLOCK_SIGNAL), not the eventfd.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"



struct signalfd {
	struct file *file; /* back pointer, not a reference */
	struct sentry *s;
	uint64_t mask;
	bool ready; /* the eventfd's counter is non-zero */
	struct signalfd *next;
};

static void set_ready(struct signalfd *sfd, bool ready)
{
	if (sfd->ready == ready)
		return;
	uint64_t v = 1;
	if (ready)
		(void)!write(sfd->file->host_fd, &v, sizeof(v));
	else
		(void)!read(sfd->file->host_fd, &v, sizeof(v));
	sfd->ready = ready;
}

void signalfd_notify(struct sentry *s, int sig)
{
	bool any = false;
	for (struct signalfd *sfd = s->signalfds; sfd; sfd = sfd->next) {
		if (sfd->mask & SIGBIT(sig)) {
			set_ready(sfd, true);
			any = true;
		}
	}
	/* Blocked signalfd reads wait as BLOCK_SIGNAL (the signal itself is
	 * blocked, so it does not interrupt them): let them look again. */
	if (any)
		task_wake_all(s, BLOCK_SIGNAL, INT_MAX);
}

static bool has_pending(struct task *t, uint64_t mask)
{
	return ((t->pending.set | t->proc->pending.set) & mask) != 0;
}

static bool holds(struct task *t, struct file *f)
{
	struct fd_table *ft = t->files;
	for (int i = 0; ft && i < ft->size; i++)
		if (ft->slots[i].file == f)
			return true;
	return false;
}

/* Readiness is shared by everyone holding the file, while Linux computes it
 * for the reader: the eventfd is kept readable while any holder has a
 * signal of the mask pending. A reader without one may then see a spurious
 * POLLIN (its read says EAGAIN), never a missed one. */
void signalfd_sync(struct task *t, struct file *f)
{
	struct signalfd *sfd = f->priv;
	bool ready = false;
	for (struct task *u = t->s->tasks; u && !ready; u = u->next)
		ready = has_pending(u, sfd->mask) && holds(u, f);
	set_ready(sfd, ready);
}

void signalfd_sync_all(struct task *t)
{
	if (!t->s->signalfds)
		return;
	struct fd_table *ft = t->files;
	for (int i = 0; i < ft->size; i++) {
		struct file *f = ft->slots[i].file;
		if (f && f->kind == FILE_SIGNALFD)
			signalfd_sync(t, f);
	}
}

static void signalfd_release(struct file *f)
{
	struct signalfd *sfd = f->priv;
	for (struct signalfd **p = &sfd->s->signalfds; *p; p = &(*p)->next) {
		if (*p == sfd) {
			*p = sfd->next;
			break;
		}
	}
	free(sfd);
}

/* The signalfd_siginfo record of one dequeued signal; which siginfo union
 * members are meaningful depends on how the signal was sent. */
static void to_ssi(const siginfo_t *si, struct signalfd_siginfo *o)
{
	memset(o, 0, sizeof(*o));
	o->ssi_signo = (uint32_t)si->si_signo;
	o->ssi_errno = si->si_errno;
	o->ssi_code = si->si_code;
	switch (si->si_signo) {
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
		if (si->si_code > 0) {
			o->ssi_addr = (uint64_t)si->si_addr;
			return;
		}
		break;
	case SIGCHLD:
		if (si->si_code > 0) {
			o->ssi_pid = (uint32_t)si->si_pid;
			o->ssi_uid = si->si_uid;
			o->ssi_status = si->si_status;
			o->ssi_utime = (uint64_t)si->si_utime;
			o->ssi_stime = (uint64_t)si->si_stime;
			return;
		}
		break;
	default:
		break;
	}
	if (si->si_code == SI_TIMER) {
		o->ssi_tid = (uint32_t)si->si_timerid;
		o->ssi_overrun = (uint32_t)si->si_overrun;
		o->ssi_int = si->si_int;
		o->ssi_ptr = (uint64_t)si->si_ptr;
		return;
	}
	o->ssi_pid = (uint32_t)si->si_pid;
	o->ssi_uid = si->si_uid;
	o->ssi_int = si->si_int;
	o->ssi_ptr = (uint64_t)si->si_ptr;
}

long signalfd_read(struct task *t, struct file *f, uint64_t buf, size_t count)
{
	struct signalfd *sfd = f->priv;
	if (count < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	size_t done = 0;
	siginfo_t si;
	while (done + sizeof(struct signalfd_siginfo) <= count &&
	       signal_dequeue_set(t, sfd->mask, &si) != 0) {
		struct signalfd_siginfo o;
		to_ssi(&si, &o);
		if (task_write(t, buf + done, &o, sizeof(o)) != 0)
			return done ? (long)done : -EFAULT;
		done += sizeof(o);
	}
	signalfd_sync(t, f);
	if (done)
		return (long)done;
	if (file_is_nonblocking(f))
		return -EAGAIN;
	/* Not on the eventfd: another holder's signal could keep it readable. */
	return task_block(t, BLOCK_SIGNAL);
}

long signalfd_install(struct task *t, int fd, uint64_t mask, int flags)
{
	mask &= ~SIG_UNBLOCKABLE;
	if (fd != -1) {
		/* Change the mask of an existing signalfd. */
		struct file *f = fd_lookup(t, fd);
		if (!f)
			return -EBADF;
		if (f->kind != FILE_SIGNALFD)
			return -EINVAL;
		((struct signalfd *)f->priv)->mask = mask;
		signalfd_sync(t, f);
		return fd;
	}
	int host = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (host < 0)
		return -errno;
	struct file *f = file_new_nonblocking(host, (flags & SFD_NONBLOCK) != 0);
	struct signalfd *sfd = xcalloc(1, sizeof(*sfd));
	*sfd = (struct signalfd){.file = f, .s = t->s, .mask = mask, .next = t->s->signalfds};
	t->s->signalfds = sfd;
	f->kind = FILE_SIGNALFD;
	f->priv = sfd;
	f->release = signalfd_release;
	signalfd_sync(t, f);
	return fd_install(t, f, (flags & SFD_CLOEXEC) != 0, 0);
}
