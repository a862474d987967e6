/* pidfds: files that refer to a sandbox process.
 *
 * A pidfd cannot be the host's: host pidfds name host processes, and the
 * program must only ever name sandbox pids. A pidfd is a FILE_PIDFD file
 * holding the sandbox pid it was opened for. Sandbox pids are never reused
 * (next_pid only grows), so the pid alone identifies the process for the
 * pidfd's whole life: once the process is reaped, process_by_pid finds
 * nothing and users of the pidfd get ESRCH, as Linux's do.
 *
 * Readiness: poll, select, epoll and waits on a pidfd report POLLIN once
 * the process has exited. Each pidfd owns a host eventfd (its host_fd),
 * made readable by pidfd_notify_exit, which process.c calls when a process
 * becomes a zombie; a pidfd opened on a process that has already exited is
 * readable at once. The sentry keeps every open pidfd on one list
 * (s->pidfds) to find them; nothing else refers to them.
 *
 * Threats: a pidfd only names pids inside the sandbox; the eventfd is the
 * sentry's own and is never handed to the program as a host fd.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

struct pidfd {
	struct file *file; /* back pointer, not a reference */
	struct sentry *s;
	pid_t pid;
	bool ready;
	struct pidfd *next;
};

static void set_ready(struct pidfd *pf)
{
	if (pf->ready)
		return;
	uint64_t v = 1;
	(void)!write(pf->file->host_fd, &v, sizeof(v));
	pf->ready = true;
}

void pidfd_notify_exit(struct sentry *s, pid_t pid)
{
	for (struct pidfd *pf = s->pidfds; pf; pf = pf->next)
		if (pf->pid == pid)
			set_ready(pf);
}

static void pidfd_release(struct file *f)
{
	struct pidfd *pf = f->priv;
	for (struct pidfd **p = &pf->s->pidfds; *p; p = &(*p)->next) {
		if (*p == pf) {
			*p = pf->next;
			break;
		}
	}
	free(pf);
}

long pidfd_new(struct task *t, pid_t pid, bool nonblock, struct file **out)
{
	struct process *p = process_by_pid(t->s, pid);
	if (!p)
		return -ESRCH;
	int host = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (host < 0)
		return -errno;
	struct file *f = file_new_nonblocking(host, nonblock);
	struct pidfd *pf = xcalloc(1, sizeof(*pf));
	*pf = (struct pidfd){.file = f, .s = t->s, .pid = pid, .next = t->s->pidfds};
	t->s->pidfds = pf;
	f->kind = FILE_PIDFD;
	f->priv = pf;
	f->release = pidfd_release;
	if (p->zombie)
		set_ready(pf);
	*out = f;
	return 0;
}

pid_t pidfd_pid(struct task *t, int fd, struct file **out)
{
	struct file *f = fd_lookup(t, fd);
	if (!f || f->kind != FILE_PIDFD)
		return -EBADF;
	if (out)
		*out = f;
	return ((struct pidfd *)f->priv)->pid;
}
