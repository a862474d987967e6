/* A zombie's /proc/PID: a process that has exited and that its parent has
 * not yet waited for.
 *
 * Linux keeps a zombie's task until the wait, so its /proc/PID stays
 * listed and readable: stat and status say Z, with its name, parent, ids
 * and CPU times, and no memory (the address space is gone); cmdline and
 * environ read empty; the links (exe, cwd, root, fd/N) and the fd
 * directories cannot be followed. Programs wait for a child to become a
 * zombie by reading its state there (LTP's TST_PROCESS_STATE_WAIT).
 *
 * msentry frees a process's tasks as it exits and keeps only the struct
 * process until the wait (kernel/process.c), so nothing procfs.c reads
 * from a task applies. What a zombie shows is built here from the struct
 * process alone: the name it had (exit_comm) and the resource use captured
 * as its stub went (own_use, kernel/usage.h).
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

/* Linux's flags of an exited task: PF_EXITING with those of the live one. */
#define ZOMBIE_FLAGS 4194564UL

static void zombie_stat(const struct process *z, struct strbuf *sb)
{
	pid_t ppid = z->parent ? z->parent->pid : 0;
	const struct proc_usage *u = &z->own_use, *c = &z->children_use;
	/* Fields 1-20: ids, faults, times, priority, nice, one thread. */
	strbuf_printf(sb, "%d (%.15s) Z %d %d %d 0 -1 %lu %lu %lu %lu %lu %lu %lu %lu %lu 20 0 1 ",
		      z->pid, z->exit_comm, ppid, z->pgid, z->sid, ZOMBIE_FLAGS, u->minflt,
		      c->minflt, u->majflt, c->majflt, u->utime, u->stime, c->utime, c->stime);
	/* 21-37: no memory, no stack, no signals left; rsslim unlimited. */
	strbuf_printf(sb, "0 0 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 ");
	/* 38-52: exit signal, then nothing but the exit code. */
	strbuf_printf(sb, "%d 0 0 0 0 0 0 0 0 0 0 0 0 0 %d\n", z->exit_signal, z->exit_status);
}

static void zombie_status(const struct process *z, struct strbuf *sb)
{
	/* As Linux's for a task without fs or mm: no Umask, no Vm lines. */
	strbuf_printf(sb,
		      "Name:\t%.15s\nState:\tZ (zombie)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		      "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		      "FDSize:\t0\nThreads:\t1\nSigBlk:\t%016x\n",
		      z->exit_comm, z->pid, z->pid, z->parent ? z->parent->pid : 0, z->ruid,
		      z->euid, z->suid, z->fsuid, z->rgid, z->egid, z->sgid, z->fsgid, 0);
	strbuf_printf(sb,
		      "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\n"
		      "CapAmb:\t%016lx\nNoNewPrivs:\t%d\n",
		      z->caps.inh, z->caps.prm, z->caps.eff, z->caps.bnd, z->caps.amb,
		      z->no_new_privs);
}

/* The text of a zombie's file `rest`: 0, or -ENOENT for what a zombie
 * cannot show. */
static int zombie_text(const struct process *z, const char *rest, struct strbuf *sb)
{
	if (strcmp(rest, "stat") == 0)
		zombie_stat(z, sb);
	else if (strcmp(rest, "status") == 0)
		zombie_status(z, sb);
	else if (strcmp(rest, "comm") == 0)
		strbuf_printf(sb, "%.15s\n", z->exit_comm);
	else if (strcmp(rest, "statm") == 0)
		strbuf_printf(sb, "0 0 0 0 0 0 0\n");
	else if (strcmp(rest, "cmdline") != 0 && strcmp(rest, "environ") != 0 &&
		 strcmp(rest, "maps") != 0 && strcmp(rest, "auxv") != 0)
		return -ENOENT;
	return 0;
}

int procfs_zombie_open(struct task *t, const struct process *z, const char *abs, const char *rest,
		       int flags, struct file **out)
{
	(void)t;
	if (strcmp(rest, "") == 0) {
		*out = procfs_self_dir(abs);
		return 0;
	}
	struct strbuf sb = {0};
	int rc = zombie_text(z, rest, &sb);
	long fd = rc == 0 ? procfs_memfd_with(&sb) : rc;
	strbuf_release(&sb);
	if (fd < 0)
		return (int)fd;
	if ((flags & O_ACCMODE) != O_RDONLY) {
		close((int)fd);
		return -EACCES;
	}
	*out = file_new_host((int)fd, abs);
	return 0;
}

long procfs_zombie_readlink(const char *rest)
{
	bool link = !strcmp(rest, "exe") || !strcmp(rest, "cwd") || !strcmp(rest, "root") ||
		    !strncmp(rest, "fd/", 3);
	return link ? -ENOENT : -EINVAL;
}

void procfs_zombie_list(struct task *t, struct file *dir)
{
	/* A zombie's parent is alive (or init): its children are reached
	 * from the live processes' main threads. */
	for (struct task *u = t->s->tasks; u; u = u->next) {
		if (u->tid != u->proc->pid)
			continue;
		for (struct process *c = u->proc->children; c; c = c->sibling) {
			if (!c->zombie)
				continue;
			char name[16];
			snprintf(name, sizeof(name), "%d", c->pid);
			procfs_dir_add(dir, name, DT_DIR, 1000 + (uint64_t)c->pid);
		}
	}
}
