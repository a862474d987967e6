/* POSIX message queues (mq_open, mq_unlink, mq_timedsend, mq_timedreceive,
 * mq_notify, mq_getsetattr), for the sandbox.
 *
 * The queues live in the sentry (s->mqueues lists the named ones), the
 * sandbox's own IPC namespace: a name never meets the host's /dev/mqueue.
 * A queue descriptor is a program fd of kind FILE_MQUEUE whose private
 * part (struct mq_file) holds a reference to the queue, its access mode and
 * its read() position; the queue itself is counted by its descriptions and
 * by its name, and goes when mq_unlink and the last close have both
 * happened. dup, fork and close work on the file as on any other.
 *
 * Readiness for poll, select and epoll: each queue owns a host eventfd,
 * and every description of it holds a duplicate as its host_fd. The sentry
 * sets the eventfd's counter from the queue's state: 0 while it is empty
 * (writable only), 1 while it holds messages but is not full (readable and
 * writable), and 0xfffffffffffffffe while full (readable only: an eventfd
 * at that count refuses writes), which is exactly Linux's POLLIN while
 * mq_curmsgs > 0 and POLLOUT while mq_curmsgs < mq_maxmsg.
 *
 * Waiting: a full send or an empty receive blocks on the queue (ipc.c);
 * every change wakes its waiters to try again. Timeouts are absolute on
 * CLOCK_REALTIME, as mq_timedsend(3) says. mq_notify registers one process;
 * a message arriving on an empty queue with no receiver waiting fires
 * SIGEV_SIGNAL (si_code SI_MESGQ) or just ends a SIGEV_NONE registration.
 * A close of any descriptor of the queue by the registered process ends
 * its registration, as in Linux; so does its exit.
 * SIGEV_THREAD needs the kernel to write into a netlink socket, which the
 * sentry has none of: it answers ENOSYS, what glibc itself reports when it
 * cannot provide SIGEV_THREAD.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

#define MQ_PRIO_MAX_K 32768
/* The other limits are the sandbox's /proc/sys/fs/mqueue (s->ipc). */
#define EVENTFD_FULL 0xfffffffffffffffeULL

/* The ABI's struct mq_attr (glibc's has the same layout). */
struct mq_attr_k {
	long flags, maxmsg, msgsize, curmsgs;
	long pad[4];
};

struct mq_msg {
	unsigned prio;
	size_t len;
	struct mq_msg *next;
	char text[];
};

struct mqueue {
	struct sentry *s;
	char *name; /* NULL once unlinked */
	int refs;   /* open descriptions, plus one while named */
	long maxmsg, msgsize, curmsgs;
	size_t qsize;	     /* bytes of the queued messages */
	struct mq_msg *msgs; /* highest priority first, FIFO within one */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	int evfd;	  /* readiness eventfd (above) */
	uint64_t evcount; /* its counter */
	pid_t notify_pid; /* registered process, 0: none */
	struct sigevent notify;
	struct mqueue *next;
};

struct mq_file {
	struct mqueue *q;
	bool readable, writable;
	size_t read_pos;
};

static void put_queue(struct mqueue *q)
{
	if (--q->refs > 0)
		return;
	q->s->mqueue_count--;
	while (q->msgs) {
		struct mq_msg *m = q->msgs;
		q->msgs = m->next;
		free(m);
	}
	close(q->evfd);
	free(q->name);
	free(q);
}

/* Make the eventfd's counter tell the queue's state. */
static void sync_ready(struct mqueue *q)
{
	uint64_t want = q->curmsgs == 0 ? 0 : q->curmsgs >= q->maxmsg ? EVENTFD_FULL : 1;
	if (want == q->evcount)
		return;
	uint64_t v;
	if (q->evcount)
		(void)!read(q->evfd, &v, sizeof(v));
	if (want)
		(void)!write(q->evfd, &want, sizeof(want));
	q->evcount = want;
}

static void file_release(struct file *f)
{
	struct mq_file *mf = f->priv;
	put_queue(mf->q);
	free(mf);
}

/* Linux's mqueue flush: a close by the registered process ends its
 * mq_notify registration. */
static void file_flush(struct file *f, struct process *p)
{
	struct mq_file *mf = f->priv;
	if (mf->q->notify_pid == p->pid)
		mf->q->notify_pid = 0;
}

/* The queue behind program fd `fd`, or NULL (EBADF). */
static struct mq_file *mq_of(struct task *t, int fd, struct file **out)
{
	struct file *f = fd_lookup(t, fd);
	if (!f || f->kind != FILE_MQUEUE)
		return NULL;
	if (out)
		*out = f;
	return f->priv;
}

/* The kernel's name (glibc strips the leading '/'): 0 or -errno. */
static long read_name(struct task *t, uint64_t addr, char *name)
{
	char *buf = xcalloc(1, PATH_MAX);
	long n = task_read_string(t, addr, buf, PATH_MAX);
	long r = n < 0 ? n : n == 0 ? -ENOENT : 0;
	if (r == 0 && (strchr(buf, '/') || !strcmp(buf, ".") || !strcmp(buf, "..")))
		r = -EACCES;
	else if (r == 0 && n > NAME_MAX)
		r = -ENAMETOOLONG;
	if (r == 0)
		memcpy(name, buf, (size_t)n + 1);
	free(buf);
	return r;
}

static struct mqueue *by_name(struct sentry *s, const char *name)
{
	for (struct mqueue *q = s->mqueues; q; q = q->next)
		if (!strcmp(q->name, name))
			return q;
	return NULL;
}

static bool may(const struct task *t, const struct mqueue *q, int want)
{
	const struct process *p = t->proc;
	if (p->euid == 0)
		return true;
	int bits = p->euid == q->uid   ? (int)q->mode >> 6
		   : p->egid == q->gid ? (int)q->mode >> 3
				       : (int)q->mode;
	return (bits & want) == want;
}

static long create(struct task *t, const char *name, mode_t mode, uint64_t attr_addr,
		   struct mqueue **out)
{
	const struct ipc_limits *l = t->s->ipc;
	/* Linux: without attributes, the defaults, capped by the maxima. */
	struct mq_attr_k a = {
	    .maxmsg = l->mq_msg_default < l->mq_msg_max ? l->mq_msg_default : l->mq_msg_max,
	    .msgsize = l->mq_msgsize_default < l->mq_msgsize_max ? l->mq_msgsize_default
								 : l->mq_msgsize_max};
	bool big = task_capable(t, CAP_SYS_RESOURCE);
	if (attr_addr) {
		if (task_read(t, attr_addr, &a, sizeof(a)) != 0)
			return -EFAULT;
		if (a.maxmsg <= 0 || a.msgsize <= 0)
			return -EINVAL;
		if (a.maxmsg > (big ? MQ_HARD_MSGMAX : l->mq_msg_max) ||
		    a.msgsize > (big ? MQ_HARD_MSGSIZEMAX : l->mq_msgsize_max))
			return -EINVAL;
	}
	if (t->s->mqueue_count >= l->mq_queues_max && !big)
		return -ENOSPC;
	int evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (evfd < 0)
		return -errno;
	t->s->mqueue_count++;
	struct mqueue *q = xcalloc(1, sizeof(*q));
	*q = (struct mqueue){.s = t->s,
			     .name = xstrdup(name),
			     .refs = 1,
			     .maxmsg = a.maxmsg,
			     .msgsize = a.msgsize,
			     .mode = mode & 0777 & ~t->fs->umask,
			     .uid = t->proc->euid,
			     .gid = t->proc->egid,
			     .evfd = evfd,
			     .next = t->s->mqueues};
	t->s->mqueues = q;
	*out = q;
	return 0;
}

/* A new description of `q` installed as a program fd (close-on-exec, as
 * Linux's mq_open makes it). */
static long install(struct task *t, struct mqueue *q, int flags)
{
	int host = fcntl(q->evfd, F_DUPFD_CLOEXEC, 0);
	if (host < 0)
		return -errno;
	struct file *f = file_new_nonblocking(host, (flags & O_NONBLOCK) != 0);
	struct mq_file *mf = xcalloc(1, sizeof(*mf));
	int acc = flags & O_ACCMODE;
	*mf = (struct mq_file){.q = q,
			       .readable = acc == O_RDONLY || acc == O_RDWR,
			       .writable = acc == O_WRONLY || acc == O_RDWR};
	q->refs++;
	f->kind = FILE_MQUEUE;
	f->priv = mf;
	f->release = file_release;
	f->flush = file_flush;
	return fd_install(t, f, true, 0);
}

long mq_open_name(struct task *t, uint64_t name_addr, int flags, mode_t mode, uint64_t attr)
{
	char name[NAME_MAX + 1];
	long r = read_name(t, name_addr, name);
	if (r != 0)
		return r;
	struct mqueue *q = by_name(t->s, name);
	if (!q) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		r = create(t, name, mode, attr, &q);
		if (r != 0)
			return r;
	} else {
		if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		int acc = flags & O_ACCMODE;
		if (acc == O_ACCMODE)
			return -EINVAL;
		if (!may(t, q, acc == O_RDONLY ? 4 : acc == O_WRONLY ? 2 : 6))
			return -EACCES;
	}
	return install(t, q, flags);
}

long mq_unlink_name(struct task *t, uint64_t name_addr)
{
	char name[NAME_MAX + 1];
	long r = read_name(t, name_addr, name);
	if (r != 0)
		return r;
	for (struct mqueue **p = &t->s->mqueues; *p; p = &(*p)->next) {
		struct mqueue *q = *p;
		if (strcmp(q->name, name))
			continue;
		/* /dev/mqueue is sticky: only the owner (or root) removes. */
		if (t->proc->euid != 0 && t->proc->euid != q->uid)
			return -EPERM;
		*p = q->next;
		free(q->name);
		q->name = NULL;
		put_queue(q);
		return 0;
	}
	return -ENOENT;
}

/* Read and check an absolute timeout: 0, or -errno. */
static long read_timeout(struct task *t, uint64_t addr, struct timespec *ts)
{
	if (!addr)
		return 0;
	if (task_read(t, addr, ts, sizeof(*ts)) != 0)
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	return 0;
}

/* The queue cannot proceed: EAGAIN, ETIMEDOUT or wait. */
static long wait_queue(struct task *t, struct file *f, struct mqueue *q, uint64_t timeout_addr,
		       const struct timespec *ts, bool receiver)
{
	if (file_is_nonblocking(f))
		return -EAGAIN;
	if (task_deadline(t, timeout_addr ? ts : NULL, true, CLOCK_REALTIME))
		return -ETIMEDOUT;
	long r = ipc_block(t, q, true);
	if (r == SYSRET_BLOCK)
		t->block.ipc_zero = receiver;
	return r;
}

static bool receiver_waiting(struct sentry *s, const struct mqueue *q)
{
	for (struct task *u = s->tasks; u; u = u->next)
		if (u->state == TASK_BLOCKED && u->block.kind == BLOCK_IPC &&
		    u->block.ipc_obj == q && u->block.ipc_zero)
			return true;
	return false;
}

/* A message arrived on an empty queue that nobody waits on: fire and drop
 * the registration. */
static void do_notify(struct task *t, struct mqueue *q)
{
	struct process *p = process_by_pid(t->s, q->notify_pid);
	int sig = q->notify.sigev_signo;
	if (p && !p->exiting && q->notify.sigev_notify == SIGEV_SIGNAL && sig > 0) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_MESGQ;
		si.si_pid = t->proc->pid;
		si.si_uid = t->proc->ruid;
		si.si_value = q->notify.sigev_value;
		signal_send_process(p, sig, &si);
	}
	q->notify_pid = 0;
}

static void insert(struct mqueue *q, struct mq_msg *m)
{
	struct mq_msg **p = &q->msgs;
	while (*p && (*p)->prio >= m->prio)
		p = &(*p)->next;
	m->next = *p;
	*p = m;
	q->curmsgs++;
	q->qsize += m->len;
}

long mq_send_msg(struct task *t, int fd, uint64_t msg, size_t len, unsigned prio,
		 uint64_t timeout_addr)
{
	if (prio >= MQ_PRIO_MAX_K)
		return -EINVAL;
	struct timespec ts;
	long r = read_timeout(t, timeout_addr, &ts);
	if (r != 0)
		return r;
	struct file *f;
	struct mq_file *mf = mq_of(t, fd, &f);
	if (!mf || !mf->writable)
		return -EBADF;
	struct mqueue *q = mf->q;
	if (len > (size_t)q->msgsize)
		return -EMSGSIZE;
	struct mq_msg *m = xcalloc(1, sizeof(*m) + len);
	m->prio = prio;
	m->len = len;
	if (task_read(t, msg, m->text, len) != 0) {
		free(m);
		return -EFAULT;
	}
	if (q->curmsgs >= q->maxmsg) {
		free(m);
		return wait_queue(t, f, q, timeout_addr, &ts, false);
	}
	bool waiting = receiver_waiting(t->s, q);
	insert(q, m);
	if (!waiting && q->notify_pid && q->curmsgs == 1)
		do_notify(t, q);
	sync_ready(q);
	ipc_wake(t->s, q);
	return 0;
}

long mq_receive_msg(struct task *t, int fd, uint64_t msg, size_t len, uint64_t prio_addr,
		    uint64_t timeout_addr)
{
	struct timespec ts;
	long r = read_timeout(t, timeout_addr, &ts);
	if (r != 0)
		return r;
	struct file *f;
	struct mq_file *mf = mq_of(t, fd, &f);
	if (!mf || !mf->readable)
		return -EBADF;
	struct mqueue *q = mf->q;
	if (len < (size_t)q->msgsize)
		return -EMSGSIZE;
	if (q->curmsgs == 0)
		return wait_queue(t, f, q, timeout_addr, &ts, true);
	struct mq_msg *m = q->msgs;
	q->msgs = m->next;
	q->curmsgs--;
	q->qsize -= m->len;
	sync_ready(q);
	ipc_wake(t->s, q);
	r = (long)m->len;
	if (task_write(t, msg, m->text, m->len) != 0 ||
	    (prio_addr && task_write(t, prio_addr, &m->prio, sizeof(m->prio)) != 0))
		r = -EFAULT;
	free(m);
	return r;
}

/* The registered process is gone: the registration with it. */
static bool notify_owner_alive(struct sentry *s, struct mqueue *q)
{
	struct process *p = q->notify_pid ? process_by_pid(s, q->notify_pid) : NULL;
	if (!p || p->exiting)
		q->notify_pid = 0;
	return q->notify_pid != 0;
}

long mq_notify_set(struct task *t, int fd, uint64_t sevp)
{
	struct sigevent ev;
	if (sevp) {
		if (task_read(t, sevp, &ev, sizeof(ev)) != 0)
			return -EFAULT;
		if (ev.sigev_notify != SIGEV_NONE && ev.sigev_notify != SIGEV_SIGNAL &&
		    ev.sigev_notify != SIGEV_THREAD)
			return -EINVAL;
		if (ev.sigev_notify == SIGEV_SIGNAL && (ev.sigev_signo < 0 || ev.sigev_signo > 64))
			return -EINVAL;
	}
	struct mq_file *mf = mq_of(t, fd, NULL);
	if (!mf)
		return -EBADF;
	struct mqueue *q = mf->q;
	bool alive = notify_owner_alive(t->s, q);
	if (!sevp) {
		if (alive && q->notify_pid == t->proc->pid)
			q->notify_pid = 0;
		return 0;
	}
	if (ev.sigev_notify == SIGEV_THREAD)
		return -ENOSYS; /* no netlink socket to write to (above) */
	if (alive)
		return -EBUSY;
	q->notify_pid = t->proc->pid;
	q->notify = ev;
	return 0;
}

long mq_attr_get_set(struct task *t, int fd, uint64_t newattr, uint64_t oldattr)
{
	struct mq_attr_k nw;
	if (newattr) {
		if (task_read(t, newattr, &nw, sizeof(nw)) != 0)
			return -EFAULT;
		if (nw.flags & ~(long)O_NONBLOCK)
			return -EINVAL;
	}
	struct file *f;
	struct mq_file *mf = mq_of(t, fd, &f);
	if (!mf)
		return -EBADF;
	struct mqueue *q = mf->q;
	struct mq_attr_k old = {.flags = file_is_nonblocking(f) ? O_NONBLOCK : 0,
				.maxmsg = q->maxmsg,
				.msgsize = q->msgsize,
				.curmsgs = q->curmsgs};
	if (newattr)
		f->nonblock = (nw.flags & O_NONBLOCK) != 0;
	if (oldattr && task_write(t, oldattr, &old, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

long mq_read(struct task *t, struct file *f, uint64_t buf, size_t count)
{
	struct mq_file *mf = f->priv;
	if (!mf->readable)
		return -EBADF;
	struct mqueue *q = mf->q;
	bool alive = notify_owner_alive(t->s, q);
	char line[128];
	int n =
	    snprintf(line, sizeof(line), "QSIZE:%-10zu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		     q->qsize, alive ? q->notify.sigev_notify : 0,
		     alive && q->notify.sigev_notify == SIGEV_SIGNAL ? q->notify.sigev_signo : 0,
		     alive ? q->notify_pid : 0);
	if (mf->read_pos >= (size_t)n)
		return 0;
	size_t len = (size_t)n - mf->read_pos;
	if (len > count)
		len = count;
	if (task_write(t, buf, line + mf->read_pos, len) != 0)
		return -EFAULT;
	mf->read_pos += len;
	return (long)len;
}

void mq_release_all(struct sentry *s)
{
	while (s->mqueues) {
		struct mqueue *q = s->mqueues;
		s->mqueues = q->next;
		free(q->name);
		q->name = NULL;
		put_queue(q);
	}
}
