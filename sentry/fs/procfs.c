/* The program's view of /proc/self (and /proc/<its pid>, /dev/fd).
 *
 * The host's /proc/self would describe the sentry, and the stub's
 * /proc/<pid> shows the stub page and host paths. Files that describe the
 * program are therefore synthesized here: maps (the stub's real mappings,
 * with the stub page removed and [heap]/[stack]/[vdso]/[vvar] labelled),
 * exe, cwd, root, fd/, auxv, cmdline, environ, stat, status (its memory
 * lines the stub's), statm, smaps and smaps_rollup (the stub's accounting,
 * which is the program's memory, smaps in maps' terms), comm, and
 * (procfs-task.c) task/, ns/, fdinfo/; and /proc/sysvipc/{shm,sem,msg}, which
 * list the sandbox's IPC objects, and (procfs-sys.c) the IPC namespace's
 * parameters under /proc/sys.
 * Synthesized contents are served from a memfd, so read, lseek and fstat
 * work on them like on any file. Other /proc/self entries fall through to
 * the host.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/kernel/files.h"
#include "procfs-internal.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

enum self_kind { NOT_SELF, SELF_LINK, THREAD_SELF_LINK, SELF_ENTRY, DEV_FD };

enum { PROC_ROOT = DEV_FD + 1, PROC_HIDDEN, PROC_ZOMBIE };

static bool all_digits(const char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* Which /proc entry `abs` names. `*who` becomes the task whose view it is
 * (the caller for self, the main thread of another sandbox process for
 * /proc/<pid>); `*rest` the path below that directory. Host processes are
 * hidden: /proc/<pid> of anything but a sandbox process is PROC_HIDDEN. */
static int match_self(struct task *t, const char *abs, const char **rest, struct task **who)
{
	*who = t;
	static const char *const dev_links[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
	for (int i = 0; i < 3; i++) {
		if (strcmp(abs, dev_links[i]) == 0) {
			*rest = i == 0 ? "fd/0" : i == 1 ? "fd/1" : "fd/2";
			return DEV_FD;
		}
	}
	if (strncmp(abs, "/dev/fd", 7) == 0 && (abs[7] == '/' || abs[7] == '\0')) {
		*rest = abs + 5; /* "fd" or "fd/N", as below /proc/self */
		return DEV_FD;
	}
	if (strcmp(abs, "/proc") == 0 || strcmp(abs, "/proc/") == 0)
		return PROC_ROOT;
	if (strncmp(abs, "/proc/", 6) != 0)
		return NOT_SELF;
	const char *p = abs + 6;
	size_t n = strcspn(p, "/");
	bool self = n == 4 && strncmp(p, "self", 4) == 0;
	bool thread_self = n == 11 && strncmp(p, "thread-self", 11) == 0;
	if (!self && !thread_self) {
		if (!all_digits(p, n))
			return NOT_SELF;
		struct process *target = process_by_pid(t->s, (pid_t)strtol(p, NULL, 10));
		struct task *main_task = target ? task_by_tid(t->s, target->pid) : NULL;
		if (target && target->zombie) {
			*rest = p[n] ? p + n + 1 : "";
			return PROC_ZOMBIE; /* no task left: procfs-zombie.c */
		}
		if (!main_task || !main_task->mm)
			return PROC_HIDDEN;
		*who = main_task;
	} else if (self) {
		/* /proc/self is the process: its main thread's view (comm, stat),
		 * while it is alive. */
		struct task *main_task = task_by_tid(t->s, t->proc->pid);
		if (main_task && main_task->mm && main_task->proc == t->proc)
			*who = main_task;
	}
	*rest = p[n] ? p + n + 1 : "";
	if (**rest == '\0')
		return thread_self ? THREAD_SELF_LINK : (self ? SELF_LINK : SELF_ENTRY);
	return SELF_ENTRY;
}

/* /proc itself: the host's entries that are not processes, plus the
 * sandbox's processes. */
static struct file *open_proc_root(struct task *t, const char *abs);

int procfs_memfd_with(const struct strbuf *sb)
{
	int fd = memfd_create("msentry-proc", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = write_all(fd, sb->data ? sb->data : "", sb->len);
	if (rc != 0) {
		close(fd);
		return rc;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

const char *procfs_map_label(struct task *t, uint64_t start, const char *path)
{
	struct mm *mm = t->mm;
	if (strncmp(path, "/memfd:msentry-vdso", 19) == 0)
		return start >= mm->vdso_base ? "[vdso]" : "[vvar]";
	if (*path)
		return NULL;
	if (mm->vsyscall_tramp && start == mm->vsyscall_tramp)
		return "[msentry-vsyscall]"; /* patched legacy call sites jump through it */
	if (start >= mm->brk_start && start < mm->brk_end)
		return "[heap]";
	if (start >= mm->stack_start && start < mm->stack_end)
		return "[stack]";
	return NULL;
}

struct maps_ctx {
	struct task *t;
	struct strbuf *sb;
};

/* Mapping callback: one line of the program's maps. */
static int add_map_line(void *ctx, const struct platform_mapping *m)
{
	struct task *t = ((struct maps_ctx *)ctx)->t;
	struct strbuf *sb = ((struct maps_ctx *)ctx)->sb;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", m->path);
	const char *label = procfs_map_label(t, m->start, path);
	cleanup_free char *shown = label	    ? xstrdup(label)
				   : path[0] == '/' ? path_from_host(t->s, path)
						    : xstrdup(path);
	int len = 0;
	strbuf_printf(sb, "%08lx-%08lx %s %08lx %02x:%02x %lu %n", m->start, m->end, m->perms,
		      m->offset, m->major, m->minor, m->inode, &len);
	if (*shown)
		strbuf_printf(sb, "%*s%s", len < 73 ? 73 - len : 0, "", shown);
	strbuf_append(sb, "\n", 1);
	return 0;
}

#define VSYSCALL_LINE_START "ffffffffff600000"

static int synth_maps(struct task *t, struct strbuf *sb)
{
	/* The platform leaves out the host's vsyscall line, which depends on
	 * the host's vsyscall mode: what the program sees depends on
	 * --vsyscall only. */
	struct maps_ctx c = {.t = t, .sb = sb};
	int rc = platform_for_each_mapping(t->mm->stub_pid, add_map_line, &c);
	if (rc < 0)
		return rc;
	if (t->s->cfg->vsyscall != VSYSCALL_NONE)
		strbuf_printf(sb, "%s-ffffffffff601000 --xp 00000000 00:00 0%*s[vsyscall]\n",
			      VSYSCALL_LINE_START, 18, "");
	return 0;
}

/* smaps: each of the program's mappings as maps shows it, with the host's
 * accounting of it (the stub's: the program's memory is the stub's). */
static int add_smap(void *ctx, const struct platform_mapping *m, const char *detail)
{
	add_map_line(ctx, m);
	struct strbuf *sb = ((struct maps_ctx *)ctx)->sb;
	strbuf_append(sb, detail, strlen(detail));
	return 0;
}

/* The span of the program's mappings, for smaps_rollup's first line. */
static int map_span(void *ctx, const struct platform_mapping *m)
{
	uint64_t *span = ctx;
	if (span[0] == 0)
		span[0] = m->start;
	span[1] = m->end;
	return 0;
}

static int synth_smaps(struct task *t, struct strbuf *sb, bool rollup)
{
	struct maps_ctx c = {.t = t, .sb = sb};
	if (!rollup)
		return platform_for_each_smap(t->mm->stub_pid, add_smap, &c);
	uint64_t span[2] = {0, 0};
	int rc = platform_for_each_mapping(t->mm->stub_pid, map_span, span);
	struct strbuf host = {0};
	if (rc == 0)
		rc = platform_memory_text(t->mm->stub_pid, "smaps_rollup", &host);
	if (rc == 0) {
		/* The host's first line names the stub's span. */
		const char *body = host.data ? strchr(host.data, '\n') : NULL;
		int len = 0;
		strbuf_printf(sb, "%08lx-%08lx ---p 00000000 00:00 0 %n", span[0], span[1], &len);
		strbuf_printf(sb, "%*s[rollup]\n", len < 73 ? 73 - len : 0, "");
		if (body)
			strbuf_append(sb, body + 1, host.len - (size_t)(body + 1 - host.data));
	}
	strbuf_release(&host);
	return rc;
}

/* status's memory lines (VmPeak to VmSwap, HugetlbPages): the stub's. */
static void status_memory(struct task *t, struct strbuf *sb)
{
	struct strbuf host = {0};
	if (platform_memory_text(t->mm->stub_pid, "status", &host) != 0 || !host.data) {
		strbuf_release(&host);
		return;
	}
	strbuf_append(&host, "", 1);
	for (char *line = host.data; *line;) {
		char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line + 1) : strlen(line);
		if (strncmp(line, "Vm", 2) == 0 || strncmp(line, "Rss", 3) == 0 ||
		    strncmp(line, "HugetlbPages:", 13) == 0)
			strbuf_append(sb, line, len);
		line += len;
	}
	strbuf_release(&host);
}

static int synth_memory_range(struct task *t, struct strbuf *sb, uint64_t start, uint64_t end)
{
	if (end <= start)
		return 0;
	cleanup_free char *buf = xmalloc(end - start);
	if (task_read(t, start, buf, end - start) != 0)
		return 0; /* like Linux: unreadable arguments read as empty */
	strbuf_append(sb, buf, end - start);
	return 0;
}

static const char *comm_of(struct task *t)
{
	return task_comm(t);
}

/* CPU time of t's process (its stub's host accounting), in clock ticks. */
static void cpu_ticks(struct task *t, unsigned long *utime, unsigned long *stime)
{
	struct platform_cpu u;
	*utime = *stime = 0;
	if (t->mm && platform_cpu_usage(t->mm->stub_pid, &u) == 0) {
		*utime = u.utime;
		*stime = u.stime;
	}
}

static void synth_stat(struct task *t, struct strbuf *sb)
{
	struct process *p = t->proc;
	pid_t ppid = p->parent ? p->parent->pid : 0;
	unsigned long utime, stime;
	cpu_ticks(t, &utime, &stime);
	strbuf_printf(sb,
		      "%d (%.15s) %c %d %d %d 0 -1 4194560 0 0 0 0 %lu %lu 0 0 20 0 %d 0 0 0 0 "
		      "18446744073709551615 0 0 %lu 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 %lu %lu "
		      "%lu %lu %lu %lu 0\n",
		      t->tid, comm_of(t), procfs_task_state(t), ppid, p->pgid, p->sid, utime, stime,
		      p->nthreads, t->mm->stack_end, t->mm->brk_start, t->mm->brk_end,
		      t->mm->arg_start, t->mm->arg_end, t->mm->env_start, t->mm->env_end);
}

static void synth_status(struct task *t, struct strbuf *sb)
{
	struct process *p = t->proc;
	strbuf_printf(sb,
		      "Name:\t%.15s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\n"
		      "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\n"
		      "Gid:\t%u\t%u\t%u\t%u\n",
		      comm_of(t), t->fs->umask, procfs_task_state_name(procfs_task_state(t)),
		      p->pid, t->tid, p->parent ? p->parent->pid : 0, p->ruid, p->euid, p->suid,
		      p->fsuid, p->rgid, p->egid, p->sgid, p->fsgid);
	status_memory(t, sb);
	strbuf_printf(sb,
		      "Threads:\t%d\nSigBlk:\t%016lx\n"
		      "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t%016lx\n"
		      "CapAmb:\t%016lx\nNoNewPrivs:\t%d\n",
		      p->nthreads, t->sigmask, p->caps.inh, p->caps.prm, p->caps.eff, p->caps.bnd,
		      p->caps.amb, p->no_new_privs);
}

/* A synthetic directory keeps an O_PATH fd of a host /proc directory so
 * that fstat() and friends describe a directory. */
struct file *procfs_dir_new(const char *path)
{
	int fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct file *f = file_new_host(fd, path);
	f->kind = FILE_DIR_LIST;
	return f;
}

void procfs_dir_add(struct file *f, const char *name, unsigned char type, uint64_t ino)
{
	f->entries = xrealloc(f->entries, (f->nentries + 1) * sizeof(*f->entries));
	f->entries[f->nentries++] = (struct dir_entry){xstrdup(name), type, ino};
}

static struct file *open_proc_root(struct task *t, const char *abs)
{
	struct file *f = procfs_dir_new(abs);
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!all_digits(e->d_name, strlen(e->d_name)) && strcmp(e->d_name, "self") != 0 &&
		    strcmp(e->d_name, "thread-self") != 0)
			procfs_dir_add(f, e->d_name, e->d_type, e->d_ino);
	}
	if (d)
		closedir(d);
	procfs_dir_add(f, "self", DT_LNK, 3);
	procfs_dir_add(f, "thread-self", DT_LNK, 4);
	for (struct task *u = t->s->tasks; u; u = u->next) {
		if (u->tid != u->proc->pid)
			continue;
		char name[16];
		snprintf(name, sizeof(name), "%d", u->proc->pid);
		procfs_dir_add(f, name, DT_DIR, 1000 + (uint64_t)u->proc->pid);
	}
	procfs_zombie_list(t, f);
	return f;
}

struct file *procfs_fd_list(struct task *t, const char *abs, unsigned char type, uint64_t ino_base)
{
	struct file *f = procfs_dir_new(abs);
	procfs_dir_add(f, ".", DT_DIR, 1);
	procfs_dir_add(f, "..", DT_DIR, 2);
	/* Linux lists the directory's own fd too: it is the lowest free one,
	 * where the open installs it. */
	bool own_listed = false;
	for (int i = 0; i <= t->files->size; i++) {
		bool used = i < t->files->size && t->files->slots[i].file;
		if (!used && own_listed)
			continue;
		own_listed |= !used;
		char name[16];
		snprintf(name, sizeof(name), "%d", i);
		procfs_dir_add(f, name, type, ino_base + (uint64_t)i);
	}
	return f;
}

struct file *procfs_self_dir(const char *abs)
{
	static const char *const names[] = {
	    "auxv",	    "cmdline", "comm",	    "cwd",    "environ", "exe",		 "fd",
	    "fdinfo",	    "maps",    "mountinfo", "mounts", "ns",	 "root",	 "smaps",
	    "smaps_rollup", "stat",    "statm",	    "status", "task",	 "timerslack_ns"};
	struct file *f = procfs_dir_new(abs);
	procfs_dir_add(f, ".", DT_DIR, 1);
	procfs_dir_add(f, "..", DT_DIR, 2);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		bool is_link = !strcmp(names[i], "cwd") || !strcmp(names[i], "exe") ||
			       !strcmp(names[i], "root");
		bool is_dir = !strcmp(names[i], "fd") || !strcmp(names[i], "fdinfo") ||
			      !strcmp(names[i], "ns") || !strcmp(names[i], "task");
		unsigned char type = is_dir ? DT_DIR : is_link ? DT_LNK : DT_REG;
		procfs_dir_add(f, names[i], type, 10 + i);
	}
	return f;
}

static long reopen_fd(struct task *t, const char *num, int flags)
{
	char *end;
	long n = strtol(num, &end, 10);
	if (*end || end == num)
		return -ENOENT;
	struct file *f = fd_lookup(t, (int)n);
	if (!f || f->host_fd < 0)
		return -ENOENT;
	/* A pidfd's host fd is its readiness eventfd: never the program's
	 * to open (as an anonymous inode cannot be reopened: ENXIO). */
	if (f->kind == FILE_PIDFD)
		return -ENXIO;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", f->host_fd);
	int fd = open(link, (flags & ~O_CREAT) | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A synthesized file's memfd, reopened read-only as the program opened
 * it: the host then refuses what Linux refuses on a read-only file
 * (write, splice into it: EBADF) instead of changing the copy. */
static long read_only(long fd)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);
	int ro = open(link, O_RDONLY | O_CLOEXEC);
	long rc = ro < 0 ? -errno : ro;
	close((int)fd);
	return rc;
}

static long open_synthesized(struct task *t, const char *rest)
{
	struct strbuf sb = {0};
	long rc = 0;
	if (strcmp(rest, "maps") == 0)
		rc = synth_maps(t, &sb);
	else if (strcmp(rest, "auxv") == 0)
		strbuf_append(&sb, t->mm->auxv, t->mm->auxv_words * sizeof(uint64_t));
	else if (strcmp(rest, "cmdline") == 0)
		rc = synth_memory_range(t, &sb, t->mm->arg_start, t->mm->arg_end);
	else if (strcmp(rest, "environ") == 0)
		rc = synth_memory_range(t, &sb, t->mm->env_start, t->mm->env_end);
	else if (strcmp(rest, "stat") == 0)
		synth_stat(t, &sb);
	else if (strcmp(rest, "status") == 0)
		synth_status(t, &sb);
	else if (strcmp(rest, "statm") == 0)
		rc = platform_memory_text(t->mm->stub_pid, "statm", &sb);
	else if (strcmp(rest, "smaps") == 0 || strcmp(rest, "smaps_rollup") == 0)
		rc = synth_smaps(t, &sb, strcmp(rest, "smaps_rollup") == 0);
	else if (strcmp(rest, "comm") == 0)
		strbuf_printf(&sb, "%.15s\n", comm_of(t));
	else if (strcmp(rest, "timerslack_ns") == 0)
		strbuf_printf(&sb, "%llu\n",
			      (unsigned long long)(t->sched.slack_ns ? t->sched.slack_ns
								     : TIMER_SLACK_DEFAULT_NS));
	else if (strcmp(rest, "mounts") == 0 || strcmp(rest, "mountinfo") == 0)
		mount_format(t->s, &sb, strcmp(rest, "mountinfo") == 0);
	else
		rc = -ENOTSUP; /* not emulated: the host's entry is used */
	if (rc == 0)
		rc = procfs_memfd_with(&sb);
	strbuf_release(&sb);
	return rc;
}

/* Open an emulated entry: a struct file in *out, or -errno / -ENOTSUP. */
static int open_entry(struct task *t, const char *abs, const char *rest, int flags,
		      struct file **out)
{
	struct task *thread;
	bool in_task = strncmp(rest, "task/", 5) == 0;
	int rc = procfs_task_resolve(t, &rest, &thread);
	if (rc < 0)
		return rc;
	t = thread;
	rc = procfs_task_open(t, abs, rest, out);
	if (rc != -ENOTSUP)
		return rc;
	if (strcmp(rest, "exe") == 0)
		return path_open_file(t, PATH_AT_SANDBOX, t->mm->exe_path, flags, 0, out);
	if (strcmp(rest, "cwd") == 0)
		return path_open_file(t, PATH_AT_SANDBOX, t->fs->cwd, flags, 0, out);
	if (strcmp(rest, "root") == 0)
		return path_open_file(t, PATH_AT_SANDBOX, t->fs->root ? t->fs->root : "/", flags, 0,
				      out);
	if (strcmp(rest, "fd") == 0 || strcmp(rest, "fd/") == 0) {
		*out = procfs_fd_list(t, abs, DT_LNK, 100);
		return 0;
	}
	if (strcmp(rest, "") == 0) {
		*out = procfs_self_dir(abs);
		return 0;
	}
	long fd = strncmp(rest, "fd/", 3) == 0 ? reopen_fd(t, rest + 3, flags)
					       : open_synthesized(t, rest);
	if (fd == -ENOTSUP && in_task)
		return -ENOENT; /* the host's task/ names host tids: never fall through */
	if (fd < 0)
		return (int)fd;
	if ((flags & O_ACCMODE) != O_RDONLY && strncmp(rest, "fd/", 3) != 0) {
		close((int)fd);
		return -EACCES;
	}
	bool mounts = strcmp(rest, "mounts") == 0 || strcmp(rest, "mountinfo") == 0;
	if (strncmp(rest, "fd/", 3) != 0 && !mounts) /* the mount watch rewrites those */
		fd = read_only(fd);
	if (fd < 0)
		return (int)fd;
	*out = file_new_host((int)fd, abs);
	if (mounts)
		mount_watch_attach(t->s, *out, strcmp(rest, "mountinfo") == 0);
	return 0;
}

/* /proc/sysvipc/{shm,sem,msg}: the sandbox's own objects (the host's
 * entries would show the host's). The directory itself is the host's:
 * the same three names. */
static bool open_sysvipc(struct task *t, const char *abs, int flags, struct file **out, int *err)
{
	if (strncmp(abs, "/proc/sysvipc/", 14) != 0)
		return false;
	const char *name = abs + 14;
	char *text = !strcmp(name, "shm")   ? shm_proc_text(t->s)
		     : !strcmp(name, "sem") ? sem_proc_text(t->s)
		     : !strcmp(name, "msg") ? msg_proc_text(t->s)
					    : NULL;
	if (!text)
		return false;
	struct strbuf sb = {0};
	strbuf_append(&sb, text, strlen(text));
	free(text);
	long fd = procfs_memfd_with(&sb);
	strbuf_release(&sb);
	*err = fd < 0 ? (int)fd : (flags & O_ACCMODE) != O_RDONLY ? -EACCES : 0;
	if (fd >= 0 && *err)
		close((int)fd);
	else if (fd >= 0)
		*out = file_new_host((int)fd, abs);
	return true;
}

/* /proc/sys/kernel/{hostname,domainname}: the sandbox's UTS names
 * (read-only here: sethostname changes them). */
static bool open_uts_name(struct task *t, const char *abs, int flags, struct file **out, int *err)
{
	const char *name = strcmp(abs, "/proc/sys/kernel/hostname") == 0     ? t->s->nodename
			   : strcmp(abs, "/proc/sys/kernel/domainname") == 0 ? t->s->domainname
									     : NULL;
	if (!name)
		return false;
	if ((flags & O_ACCMODE) != O_RDONLY) {
		*err = -EACCES;
		return true;
	}
	struct strbuf sb = {0};
	strbuf_printf(&sb, "%s\n", name);
	long fd = procfs_memfd_with(&sb);
	strbuf_release(&sb);
	*err = fd < 0 ? (int)fd : 0;
	if (fd >= 0)
		*out = file_new_host((int)fd, abs);
	return true;
}

/* A synthetic directory opened as /proc/self/..., /proc/thread-self/... or
 * /dev/fd is named /proc/PID/... (its /proc/self/fd link), as Linux names
 * it; never the sentry's own /proc directory behind its host fd. */
static void name_dir_by_pid(struct task *t, struct file *f)
{
	/* As Linux's d_path: no trailing slash ("ls /proc/self/fd/" opened
	 * it so; its fd link reads /proc/PID/fd). */
	size_t len = strlen(f->path);
	while (len > 1 && f->path[len - 1] == '/')
		f->path[--len] = '\0';
	const char *p = f->path;
	char *named = NULL;
	if (strncmp(p, "/proc/self", 10) == 0 && (p[10] == '/' || !p[10]))
		named = xasprintf("/proc/%d%s", t->proc->pid, p + 10);
	else if (strncmp(p, "/proc/thread-self", 17) == 0 && (p[17] == '/' || !p[17]))
		named = xasprintf("/proc/%d/task/%d%s", t->proc->pid, t->tid, p + 17);
	else if (strncmp(p, "/dev/fd", 7) == 0 && (p[7] == '/' || !p[7]))
		named = xasprintf("/proc/%d/fd%s", t->proc->pid, p + 7);
	if (!named)
		return;
	free(f->path);
	f->path = named;
}

bool procfs_open(struct task *t, const char *abs, int flags, struct file **out, int *err)
{
	if (open_sysvipc(t, abs, flags, out, err))
		return true;
	const char *rest;
	struct task *who;
	if (open_uts_name(t, abs, flags, out, err) || procfs_sys_open(t, abs, flags, out, err))
		return true;
	/* /proc/mounts is a link to self/mounts. */
	if (strcmp(abs, "/proc/mounts") == 0)
		abs = "/proc/self/mounts";
	int k = t->mm ? match_self(t, abs, &rest, &who) : NOT_SELF;
	if (k == NOT_SELF)
		return false;
	if (k == PROC_HIDDEN) {
		*err = -ENOENT;
		return true;
	}
	if (k == PROC_ROOT) {
		*out = open_proc_root(t, abs);
		*err = 0;
		return true;
	}
	if (k == PROC_ZOMBIE) {
		const struct process *z = process_by_pid(t->s, (pid_t)strtol(abs + 6, NULL, 10));
		*err = procfs_zombie_open(t, z, abs, rest, flags, out);
		return true;
	}
	if (k == SELF_LINK || k == THREAD_SELF_LINK)
		rest = "";
	int rc = open_entry(who, abs, rest, flags, out);
	if (rc == -ENOTSUP)
		return false;
	if (rc == 0 && (*out)->kind == FILE_DIR_LIST)
		name_dir_by_pid(t, *out);
	*err = rc;
	return true;
}

bool procfs_walk_link(struct task *t, const char *abs, char *buf, size_t len, long *result)
{
	const char *rest;
	struct task *who;
	int k = t->mm ? match_self(t, abs, &rest, &who) : NOT_SELF;
	if (k == NOT_SELF)
		return false;
	if (k == PROC_ROOT || k == SELF_LINK || k == THREAD_SELF_LINK) {
		/* /proc/self stays a name: what lies below it that procfs does
		 * not serve is the host's /proc/self, never another pid's. */
		*result = -EINVAL;
		return true;
	}
	if (k == DEV_FD && strchr(rest, '/') == NULL) {
		*result = -EINVAL; /* /dev/fd: a directory of links, as /proc/self/fd */
		return true;
	}
	if (!procfs_readlink(t, abs, buf, len, result))
		*result = -EINVAL;
	else if (*result >= 0 && (*result == 0 || buf[0] != '/'))
		*result = -ENOTDIR; /* pipe:[N], anon_inode:...: no path below */
	return true;
}

struct task *procfs_maps_owner(struct task *t, const char *abs)
{
	const char *rest;
	struct task *who, *thread;
	if (!t->mm || match_self(t, abs, &rest, &who) != SELF_ENTRY ||
	    procfs_task_resolve(who, &rest, &thread) < 0 || strcmp(rest, "maps") != 0)
		return NULL;
	return thread->mm ? thread : NULL;
}

bool procfs_is_emulated(struct task *t, const char *abs)
{
	const char *rest;
	struct task *who;
	return match_self(t, abs, &rest, &who) != NOT_SELF;
}

bool procfs_readlink(struct task *t, const char *abs, char *buf, size_t len, long *result)
{
	const char *rest;
	struct task *who;
	int k = match_self(t, abs, &rest, &who);
	cleanup_free char *target = NULL;
	if (k == NOT_SELF || k == PROC_ROOT)
		return false;
	t = who;
	if (k == PROC_HIDDEN || k == PROC_ZOMBIE) {
		*result = k == PROC_ZOMBIE ? procfs_zombie_readlink(rest) : -ENOENT;
		return true;
	}
	if (k == SELF_ENTRY) {
		struct task *thread;
		if (procfs_task_resolve(t, &rest, &thread) < 0) {
			*result = -ENOENT;
			return true;
		}
		t = thread;
		if (procfs_task_readlink(t, rest, buf, len, result))
			return true;
	}
	if (k == SELF_LINK)
		target = xasprintf("%d", t->proc->pid);
	else if (k == THREAD_SELF_LINK)
		target = xasprintf("%d/task/%d", t->proc->pid, t->tid);
	else if (k == DEV_FD && strchr(rest, '/') == NULL)
		return false; /* /dev/fd itself: the host's symlink is fine */
	else if (strcmp(rest, "exe") == 0)
		target = xstrdup(t->mm->exe_path);
	else if (strcmp(rest, "cwd") == 0)
		target = xstrdup(t->fs->cwd);
	else if (strcmp(rest, "root") == 0)
		target = xstrdup(t->fs->root ? t->fs->root : "/");
	else if (strncmp(rest, "fd/", 3) == 0) {
		char *end;
		struct file *f = fd_lookup(t, (int)strtol(rest + 3, &end, 10));
		if (!f || *end) {
			*result = -ENOENT;
			return true;
		}
		if (f->kind == FILE_PIDFD)
			target = xstrdup("anon_inode:[pidfd]"); /* not its eventfd's name */
		else if (f->kind == FILE_DIR_LIST || f->host_fd < 0)
			/* A synthetic directory's host fd is the sentry's own
			 * /proc/self: its sandbox path is the one it was opened by. */
			target = xstrdup(f->path);
		else
			target = path_of_host_fd(t->s, f->host_fd);
	} else {
		*result = -EINVAL; /* not a link */
		return true;
	}
	size_t n = target ? strlen(target) : 0;
	if (n > len)
		n = len;
	memcpy(buf, target ? target : "", n);
	*result = (long)n;
	return true;
}
