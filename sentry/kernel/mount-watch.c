/* Watching the mount table through /proc/PID/mounts and mountinfo.
 *
 * In Linux, poll and epoll on an open mounts file always report it
 * readable, and report EPOLLPRI|EPOLLERR once after each change of the
 * mount namespace (mount, umount, move, remount): mount monitors (libmount,
 * systemd) wait for that, then read the file again from its start.
 *
 * Here such a file's contents are a memfd, which the host does not let
 * epoll watch and which never changes by itself. So each open mounts file
 * gets a watch: an AF_UNIX stream socket pair whose end fd[0] is what
 * poll, select and epoll wait on in its place (file_poll_fd). One byte of
 * ordinary data in it keeps it readable; when the table changes
 * (mount_table_changed) the memfd is rewritten with the new table (a read
 * from the start shows it, as Linux's re-read does) and one urgent byte
 * (MSG_OOB) is sent, which the host reports as POLLPRI. poll and select
 * report PRI|ERR once per change and take the urgent byte back
 * (mount_watch_revents), as Linux's poll clears the event; epoll
 * registrations of the file are made edge-triggered on the host, so each
 * change is reported once there too (EPOLLPRI; the host cannot add ERR).
 *
 * Threats: none new. The pair and the memfd are the sentry's own fds,
 * never handed to the program; the text is the sandbox's own table.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sentry/kernel/mount-internal.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

struct mount_watch {
	struct mount_watch *next, **pprev; /* in the table's list */
	struct file *file;		   /* the mounts file it belongs to */
	int fd[2];			   /* [0]: what pollers wait on; [1]: the sentry's end */
	uint64_t seen;			   /* the table's change count poll last reported */
	bool info;			   /* mountinfo rather than mounts */
};

static void watch_release(struct file *f)
{
	struct mount_watch *w = f->mwatch;
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	close(w->fd[0]);
	close(w->fd[1]);
	free(w);
	f->mwatch = NULL;
}

void mount_watch_attach(struct sentry *s, struct file *f, bool info)
{
	int fd[2];
	if (f->release ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) != 0)
		return; /* then it polls as the plain file it is */
	struct mount_table *mt = s->mounts;
	struct mount_watch *w = xcalloc(1, sizeof(*w));
	*w = (struct mount_watch){
	    .file = f, .fd = {fd[0], fd[1]}, .seen = mt->changes, .info = info};
	(void)!write(fd[1], "m", 1); /* always readable, as Linux's mounts_poll says */
	w->next = mt->watches;
	if (w->next)
		w->next->pprev = &w->next;
	mt->watches = w;
	w->pprev = &mt->watches;
	f->mwatch = w;
	f->release = watch_release;
}

void mount_watch_forget(struct mount_table *mt)
{
	struct mount_watch *next;
	for (struct mount_watch *w = mt->watches; w; w = next) {
		next = w->next;
		w->next = NULL;
		w->pprev = &w->next; /* its release then unlinks it from nothing */
	}
	mt->watches = NULL;
}

int file_poll_fd(const struct file *f)
{
	return f->mwatch ? f->mwatch->fd[0] : f->host_fd;
}

void mount_table_changed(struct sentry *s)
{
	struct mount_table *mt = s->mounts;
	mt->changes++;
	if (!mt->watches)
		return;
	struct strbuf text = {0}, info = {0};
	mount_format(s, &text, false);
	mount_format(s, &info, true);
	for (struct mount_watch *w = mt->watches; w; w = w->next) {
		const struct strbuf *sb = w->info ? &info : &text;
		int fd = w->file->host_fd;
		if (ftruncate(fd, 0) == 0)
			(void)!pwrite(fd, sb->data ? sb->data : "", sb->len, 0);
		/* A new urgent byte replaces one still pending: a new edge. */
		(void)!send(w->fd[1], "!", 1, MSG_OOB | MSG_DONTWAIT);
	}
	strbuf_release(&text);
	strbuf_release(&info);
}

short mount_watch_revents(struct sentry *s, struct file *f, short host_revents)
{
	struct mount_watch *w = f->mwatch;
	short rev = (short)(host_revents & ~(POLLPRI | POLLERR));
	if (w->seen != s->mounts->changes) {
		w->seen = s->mounts->changes;
		rev |= POLLPRI | POLLERR;
	}
	/* Reported (or stale): take the urgent byte back so that the host
	 * does not report this change again. */
	char c;
	while (recv(w->fd[0], &c, 1, MSG_OOB | MSG_DONTWAIT) == 1)
		;
	return rev;
}
