/* Per-task /proc entries that need the sandbox's view: the state letter
 * programs poll for, the threads under task/, the namespaces under ns/, and
 * fdinfo/.
 *
 * Without these, /proc/self/task, ns and fdinfo fell through to the host's
 * /proc/self, which is the sentry: the program saw the sentry's threads
 * and fds, and opening ns/ links failed with ELOOP (the host resolves them
 * as magic links outside the sandbox's path walk). Threat: each of these
 * would show the program host fds and tids it must never name. So:
 *  - task/ lists the sandbox tids of the process; task/TID/ is that
 *    thread's own view of the same entries (comm, stat, status...).
 *  - ns/NAME are the sentry's namespaces (the sandbox has no other): the
 *    link text is the host's ("net:[4026531840]"), so two processes in the
 *    sandbox compare equal, as they would in one container; opening one
 *    gives the host's nsfs file, which no syscall the sentry serves can use
 *    to change namespace (setns is not served).
 *  - fdinfo/N is the host's fdinfo of the file's host fd (pos, mnt_id, ino
 *    and the kind's own lines: eventfd-count, inotify wd...) with the flags
 *    line rewritten to the program's view: the sentry holds every host fd
 *    close-on-exec, and some non-blocking, that the program did not ask for.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs-internal.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

char procfs_task_state(const struct task *t)
{
	if (t->proc->zombie)
		return 'Z';
	if (t->proc->stopped || (t->state == TASK_BLOCKED && t->block.kind == BLOCK_STOPPED))
		return 'T';
	/* A task waiting in a syscall sleeps interruptibly, as it would in
	 * Linux (vfork's parent is 'D' there: close enough to say S). */
	if (t->state == TASK_BLOCKED)
		return 'S';
	return 'R';
}

const char *procfs_task_state_name(char state)
{
	switch (state) {
	case 'S':
		return "S (sleeping)";
	case 'T':
		return "T (stopped)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "R (running)";
	}
}

int procfs_task_resolve(struct task *who, const char **rest, struct task **thread)
{
	*thread = who;
	if (strncmp(*rest, "task/", 5) != 0)
		return 0;
	const char *p = *rest + 5;
	char *end;
	long tid = strtol(p, &end, 10);
	if (end == p || (*end && *end != '/'))
		return *p ? -ENOENT : 0; /* "task/" itself is the directory */
	struct task *u = task_by_tid(who->s, (pid_t)tid);
	if (!u || u->proc != who->proc || !u->mm)
		return -ENOENT;
	*thread = u;
	*rest = *end ? end + 1 : "";
	return 0;
}

static struct file *open_task_dir(struct task *who, const char *abs)
{
	struct file *f = procfs_dir_new(abs);
	procfs_dir_add(f, ".", DT_DIR, 1);
	procfs_dir_add(f, "..", DT_DIR, 2);
	for (struct task *u = who->s->tasks; u; u = u->next) {
		if (u->proc != who->proc || u->exiting)
			continue;
		char name[16];
		snprintf(name, sizeof(name), "%d", u->tid);
		procfs_dir_add(f, name, DT_DIR, 2000 + (uint64_t)u->tid);
	}
	return f;
}

/* Namespace names are the host kernel's: list its /proc/self/ns. */
static struct file *open_ns_dir(const char *abs)
{
	struct file *f = procfs_dir_new(abs);
	procfs_dir_add(f, ".", DT_DIR, 1);
	procfs_dir_add(f, "..", DT_DIR, 2);
	DIR *d = opendir("/proc/self/ns");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			procfs_dir_add(f, e->d_name, DT_LNK, e->d_ino);
	if (d)
		closedir(d);
	return f;
}

static bool valid_ns_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int open_ns(const char *name, const char *abs, struct file **out)
{
	if (!valid_ns_name(name))
		return -ENOENT;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/ns/%.40s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*out = file_new_host(fd, abs);
	return 0;
}

bool procfs_task_readlink(struct task *who, const char *rest, char *buf, size_t len, long *result)
{
	(void)who;
	if (strncmp(rest, "ns/", 3) != 0)
		return false;
	if (!valid_ns_name(rest + 3)) {
		*result = -ENOENT;
		return true;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/ns/%.40s", rest + 3);
	ssize_t n = readlink(path, buf, len);
	*result = n < 0 ? -errno : n;
	return true;
}

/* The flags the program set on `fd`, as fdinfo prints them (octal, with
 * O_CLOEXEC from the fd slot). */
static unsigned program_flags(struct task *who, int fd, unsigned host_flags)
{
	struct file *f = who->files->slots[fd].file;
	unsigned flags = host_flags & ~(unsigned)O_CLOEXEC;
	if (f->host_nonblock && !f->nonblock)
		flags &= ~(unsigned)O_NONBLOCK;
	if (f->nonblock)
		flags |= O_NONBLOCK;
	if (who->files->slots[fd].cloexec)
		flags |= O_CLOEXEC;
	return flags;
}

static int synth_fdinfo(struct task *who, const char *num, struct strbuf *sb)
{
	char *end;
	long fd = strtol(num, &end, 10);
	if (end == num || *end || fd < 0 || fd >= who->files->size || !who->files->slots[fd].file)
		return -ENOENT;
	struct file *f = who->files->slots[fd].file;
	if (f->host_fd < 0) {
		strbuf_printf(sb, "pos:\t%zu\nflags:\t0%o\nmnt_id:\t0\nino:\t0\n", f->pos,
			      program_flags(who, (int)fd, O_RDONLY | O_DIRECTORY));
		return 0;
	}
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", f->host_fd);
	FILE *in = fopen(path, "re");
	if (!in)
		return -ENOENT;
	while (fgets(line, sizeof(line), in)) {
		unsigned host_flags;
		if (sscanf(line, "flags: %o", &host_flags) == 1)
			strbuf_printf(sb, "flags:\t0%o\n", program_flags(who, (int)fd, host_flags));
		else if (f->kind != FILE_PIDFD || strncmp(line, "eventfd-", 8) != 0)
			strbuf_append(sb, line, strlen(line));
	}
	fclose(in);
	if (f->kind == FILE_PIDFD) {
		/* A pidfd's own lines (its eventfd's are dropped above): the
		 * pid, or -1 once the process has been reaped, as Linux. */
		pid_t pid = pidfd_pid(who, (int)fd, NULL);
		if (!process_by_pid(who->s, pid))
			pid = -1;
		strbuf_printf(sb, "Pid:\t%d\nNSpid:\t%d\n", pid, pid);
	}
	return 0;
}

int procfs_task_open(struct task *who, const char *abs, const char *rest, struct file **out)
{
	if (strcmp(rest, "task") == 0 || strcmp(rest, "task/") == 0) {
		*out = open_task_dir(who, abs);
		return 0;
	}
	if (strcmp(rest, "ns") == 0 || strcmp(rest, "ns/") == 0) {
		*out = open_ns_dir(abs);
		return 0;
	}
	if (strncmp(rest, "ns/", 3) == 0)
		return open_ns(rest + 3, abs, out);
	if (strcmp(rest, "fdinfo") == 0 || strcmp(rest, "fdinfo/") == 0) {
		*out = procfs_fd_list(who, abs, DT_REG, 500);
		return 0;
	}
	if (strncmp(rest, "fdinfo/", 7) != 0)
		return -ENOTSUP;
	struct strbuf sb = {0};
	int rc = synth_fdinfo(who, rest + 7, &sb);
	if (rc == 0) {
		rc = procfs_memfd_with(&sb);
		if (rc >= 0) {
			*out = file_new_host(rc, abs);
			rc = 0;
		}
	}
	strbuf_release(&sb);
	return rc;
}
