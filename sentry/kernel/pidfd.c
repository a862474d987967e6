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
	int exit_code; /* its wait status, once it exited (ready) */
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
	struct process *p = process_by_pid(s, pid);
	for (struct pidfd *pf = s->pidfds; pf; pf = pf->next) {
		if (pf->pid != pid)
			continue;
		if (p)
			pf->exit_code = p->exit_status;
		set_ready(pf);
	}
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
	if (p->zombie) {
		pf->exit_code = p->exit_status;
		set_ready(pf);
	}
	*out = f;
	return 0;
}

/* PIDFD_GET_INFO (Linux 6.13 on; exit information from 6.15): the
 * process's ids in the sandbox's terms; once it is reaped, only its exit
 * status (PIDFD_INFO_EXIT), which Linux records when the task is
 * released, so a zombie has none yet. The struct grows: a smaller one than
 * the first version is EINVAL, a larger one gets zeros past ours. */
struct pidfd_info_k {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
	uint32_t coredump_mask, spare;
};
#define PIDFD_INFO_PID_K   1ULL
#define PIDFD_INFO_CREDS_K 2ULL
#define PIDFD_INFO_EXIT_K  8ULL

long pidfd_get_info(struct task *t, struct file *f, uint64_t arg, size_t usize)
{
	struct pidfd *pf = f->priv;
	uint64_t mask;
	if (!arg || usize < sizeof(struct pidfd_info_k))
		return -EINVAL;
	if (task_read(t, arg, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	struct pidfd_info_k k = {0};
	struct process *p = process_by_pid(t->s, pf->pid);
	if (!p) {
		if (!(mask & PIDFD_INFO_EXIT_K) || !pf->ready)
			return -ESRCH;
		k.mask = PIDFD_INFO_EXIT_K;
		k.exit_code = pf->exit_code;
	} else {
		k.mask = PIDFD_INFO_PID_K | PIDFD_INFO_CREDS_K;
		k.pid = k.tgid = (uint32_t)p->pid;
		k.ppid = p->parent ? (uint32_t)p->parent->pid : 0;
		k.ruid = p->ruid, k.euid = p->euid, k.suid = p->suid, k.fsuid = p->fsuid;
		k.rgid = p->rgid, k.egid = p->egid, k.sgid = p->sgid, k.fsgid = p->fsgid;
	}
	if (task_write(t, arg, &k, sizeof(k)) != 0)
		return -EFAULT;
	static const char zeros[256];
	for (size_t off = sizeof(k); off < usize; off += sizeof(zeros)) {
		size_t n = usize - off < sizeof(zeros) ? usize - off : sizeof(zeros);
		if (task_write(t, arg + off, zeros, n) != 0)
			return -EFAULT;
	}
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
