/* Tasks: creation of the first process, exec through the loader, exit. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/wait.h>

#include "sentry/kernel/aio.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

struct task *task_by_host_tid(struct sentry *s, pid_t tid)
{
	struct id_node *n = idmap_find(&s->by_host_tid, tid);
	struct task *t = n ? KERNEL_CONTAINER_OF(n, struct task, host_node) : NULL;
	return t && t->th && platform_thread_tid(t->th) == tid ? t : NULL;
}

void task_index_host(struct task *t)
{
	if (t->th)
		idmap_insert(&t->s->by_host_tid, &t->host_node, platform_thread_tid(t->th));
	else
		idmap_remove(&t->s->by_host_tid, &t->host_node);
}

void task_link(struct task *t)
{
	struct sentry *s = t->s;
	t->next = s->tasks;
	if (s->tasks)
		s->tasks->pprev = &t->next;
	t->pprev = &s->tasks;
	s->tasks = t;
	s->ntasks++;
	idmap_insert(&s->by_tid, &t->tid_node, t->tid);
	task_index_host(t);
}

void task_unlink(struct task *t)
{
	struct sentry *s = t->s;
	if (!t->pprev)
		return;
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->pprev = NULL;
	s->ntasks--;
	idmap_remove(&s->by_tid, &t->tid_node);
	idmap_remove(&s->by_host_tid, &t->host_node);
}

/* Leave the old address space at exec: the whole stub if it was ours
 * alone, else just this thread of it (a vfork child shares its parent's). */
static void drop_old_mm(struct task *t, struct stub_thread *old)
{
	struct mm *mm = t->mm;
	if (!mm)
		return;
	if (--mm->refs == 0) {
		platform_kill(mm->stub_pid);
		shm_mm_release(t->s, mm);
		aio_mm_release(t->s, mm);
		free(mm->exe_path);
		free(mm);
	} else {
		platform_end_thread(old);
	}
}

/* ---- loader callbacks: the new address space is the stub of `th` ---- */

struct exec_ctx {
	struct task *t;		/* for path resolution */
	struct stub_thread *th; /* the new stub */
	int base;		/* how the first path (the program's) resolves */
};

static int exec_open(void *ctx, const char *path)
{
	struct exec_ctx *c = ctx;
	/* Interpreters (PT_INTERP, "#!") are named as the program names paths. */
	int base = c->base;
	c->base = AT_FDCWD;
	int fd = path_open(c->t, base, path, O_RDONLY, 0);
	/* Linux's open_exec refuses a file someone has open for writing. */
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    file_open_for_writing(c->t->s, st.st_dev, st.st_ino)) {
		close(fd);
		return -ETXTBSY;
	}
	return fd;
}

static bool writer_of(struct file *f, const void *key)
{
	const struct stat *st = key;
	return f->write_ino == st->st_ino && f->write_dev == st->st_dev;
}

bool file_open_for_writing(struct sentry *s, dev_t dev, ino_t ino)
{
	struct stat key = {.st_dev = dev, .st_ino = ino};
	return ino != 0 && file_find(s, writer_of, &key) != NULL;
}

bool exe_in_use(struct sentry *s, dev_t dev, ino_t ino)
{
	for (struct task *t = s->tasks; t; t = t->next)
		if (t->mm && t->mm->exe_ino == ino && t->mm->exe_dev == dev && ino != 0)
			return true;
	return false;
}

static long exec_map(void *ctx, uint64_t addr, uint64_t len, int prot, int flags, int fd,
		     uint64_t off)
{
	struct exec_ctx *c = ctx;
	return platform_mmap(c->th, addr, len, (uint64_t)prot, (uint64_t)flags, fd, off);
}

static int exec_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct exec_ctx *c = ctx;
	return platform_write_force(platform_thread_tid(c->th), addr, buf, len);
}

/* /proc/self/exe names the file canonically (symlinks resolved, as Linux's
 * d_path does), however it was run. */
static char *absolute_exe(struct task *t, int base, const char *path, struct mm *mm)
{
	int fd = path_open(t, base, path, O_PATH, 0);
	char *canon = fd >= 0 ? path_of_host_fd(t->s, fd) : NULL;
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		mm->exe_dev = st.st_dev;
		mm->exe_ino = st.st_ino;
	}
	if (fd >= 0)
		close(fd);
	return canon ? canon : xstrdup(path);
}

static void fill_request(struct task *t, struct loader_request *req)
{
	struct sentry *s = t->s;
	req->vdso = s->vdso;
	req->stack_size = 8UL << 20;
	req->stack_limit = PROGRAM_ADDR_LIMIT - PAGE_SIZE;
	req->uid = t->proc->ruid;
	req->euid = t->proc->euid;
	req->gid = t->proc->rgid;
	req->egid = t->proc->egid;
	req->hwcap = s->hwcap;
	req->hwcap2 = s->hwcap2;
	req->minsigstksz = s->minsigstksz;
	if (getrandom(req->random, sizeof(req->random), 0) != sizeof(req->random))
		memset(req->random, 0x5a, sizeof(req->random));
	if (getrandom(&req->aslr_seed, sizeof(req->aslr_seed), 0) != sizeof(req->aslr_seed))
		req->aslr_seed = 0;
}

static void start_registers(struct stub_thread *th, const struct loader_result *res)
{
	struct user_regs_struct r, stub;
	memset(&r, 0, sizeof(r));
	if (platform_get_regs(th, &stub) != 0)
		memset(&stub, 0, sizeof(stub));
	/* Segment selectors stay the host's; everything else starts at zero
	 * (RDX = 0: no atexit function from the "kernel"), as after execve. */
	r.cs = stub.cs;
	r.ss = stub.ss;
	r.ds = stub.ds;
	r.es = stub.es;
	r.rip = res->entry;
	r.rsp = res->sp;
	r.eflags = 0x202;
	r.orig_rax = (uint64_t)-1;
	platform_set_regs(th, &r);
}

int task_exec(struct task *t, int base, const char *path, const char *const *argv,
	      const char *const *envp, struct error *e)
{
	struct stub_thread *th;
	if (platform_new_address_space(t->s->platform, &th, e) != 0)
		return -EAGAIN;
	struct exec_ctx ctx = {.t = t, .th = th, .base = base};
	struct loader_ops ops = {
	    .ctx = &ctx, .open = exec_open, .map = exec_map, .write = exec_write};
	struct loader_request req = {.path = path, .argv = argv, .envp = envp};
	fill_request(t, &req);
	struct loader_result res;
	int rc = loader_load(&req, &ops, &res, e);
	if (rc != 0) {
		KERNEL_OBSERVE(t->s, exec_failed, t, path, e);
		platform_kill(platform_thread_tid(th));
		platform_thread_free(th);
		return rc;
	}
	KERNEL_OBSERVE(t->s, exec, t, path, &res);
	struct mm *mm = xcalloc(1, sizeof(*mm));
	*mm = (struct mm){
	    .refs = 1,
	    .stub_pid = platform_space_pid(th),
	    .brk_start = res.brk_start,
	    .brk_end = res.brk_start,
	    .stack_start = res.stack_start,
	    .stack_end = res.stack_end,
	    .vdso_base = res.vdso_base,
	    .arg_start = res.arg_start,
	    .arg_end = res.arg_end,
	    .env_start = res.env_start,
	    .env_end = res.env_end,
	    .auxv_words = res.auxv_words,
	};
	mm->exe_path =
	    absolute_exe(t, strcmp(res.exe_path, path) == 0 ? base : AT_FDCWD, res.exe_path, mm);
	memcpy(mm->auxv, res.auxv, sizeof(mm->auxv));
	start_registers(th, &res);
	loader_result_release(&res);
	drop_old_mm(t, t->th);
	platform_thread_free(t->th);
	t->mm = mm;
	t->th = th;
	task_index_host(t);
	/* Linux names the task after the path execve was given, not the file
	 * it led to: /bin/sh -> dash runs as "sh". */
	const char *name = strrchr(path, '/');
	snprintf(t->comm, sizeof(t->comm), "%s", name ? name + 1 : path);
	t->comm_mm = mm;
	fd_close_on_exec(t->files, t->proc);
	t->altstack = (stack_t){.ss_flags = SS_DISABLE};
	return 0;
}

/* The program's first fds: msentry's own 0, 1, 2 and exactly those the
 * configuration names (`msentry run --pass-fd`, runc's --preserve-fds), at
 * the same numbers, as a shell's `prog 3<file` expects. Nothing else
 * msentry inherited reaches the program: a caller's stray fd (a terminal
 * multiplexer's socket, a file a script left open) may name a host object
 * outside the root. Each is a dup owned by the sentry; the inherited
 * originals are closed by close_inherited_fds. */
static struct fd_table *initial_fds(struct sentry *s)
{
	struct fd_table *ft = fd_table_new(s);
	const struct sentry_config *cfg = s->cfg;
	int limit = 64;
	for (size_t i = 0; i < cfg->npass_fds; i++)
		if (cfg->pass_fds[i] >= limit)
			limit = cfg->pass_fds[i] + 1;
	ft->size = limit;
	ft->slots = xcalloc((size_t)ft->size, sizeof(struct fd_slot));
	for (int fd = 0; fd < 3 + (int)cfg->npass_fds; fd++) {
		int from = fd < 3 ? fd : cfg->pass_fds[fd - 3];
		/* An inherited fd is never close-on-exec (the exec would have
		 * closed it). One that is belongs to the sentry, which got that
		 * number because msentry started with it closed: e.g. its
		 * signalfd as fd 0 after `msentry run prog 0<&-`. The program
		 * then sees the fd closed, as it would natively. */
		int fl = from >= 0 ? fcntl(from, F_GETFD) : -1;
		int host = fl >= 0 && !(fl & FD_CLOEXEC) ? fcntl(from, F_DUPFD_CLOEXEC, 3) : -1;
		if (host >= 0 && !ft->slots[from].file)
			ft->slots[from].file = file_new_host(host, NULL);
		else if (host >= 0)
			close(host);
	}
	return ft;
}

/* Every fd >= 3 msentry inherited open (not close-on-exec) is closed once
 * the program's table holds its own dups: the stubs share the sentry's fd
 * table (platform/), so an inherited host fd would otherwise stay one
 * stub-seccomp bypass away from the program. The sentry opens all of its
 * own fds O_CLOEXEC, so none of them is closed here. */
static void close_inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	/* procfs lists fds in order from a cursor: closing the one just read
	 * does not disturb the walk. */
	while (d && (e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || e->d_name[0] == '.' || fd == dirfd(d) || fd < 3)
			continue;
		int fl = fcntl((int)fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			close((int)fd);
	}
	if (d)
		closedir(d);
}

/* A process and its first task, linked into the sentry's list; the
 * caller sets what differs (ids, credentials). */
static struct task *new_process_task(struct sentry *s, struct fd_table *files, const char *cwd,
				     mode_t umask_value)
{
	struct process *p = xcalloc(1, sizeof(*p));
	p->s = s;
	p->exit_signal = SIGCHLD;
	p->pid = p->pgid = p->sid = s->next_pid++;
	p->nthreads = 1;
	p->sighand = xcalloc(1, sizeof(*p->sighand));
	p->sighand->refs = 1;

	struct fs_info *fs = xcalloc(1, sizeof(*fs));
	fs->refs = 1;
	fs->cwd = xstrdup(cwd);
	fs->root_fd = -1;
	fs->umask = umask_value;

	struct task *t = xcalloc(1, sizeof(*t));
	t->s = s;
	t->tid = p->pid;
	t->proc = p;
	t->files = files;
	t->fs = fs;
	t->altstack = (stack_t){.ss_flags = SS_DISABLE};
	t->state = TASK_RUNNING;
	idmap_insert(&s->by_pid, &p->pid_node, p->pid);
	task_link(t);
	return t;
}

struct task *task_create_init(struct sentry *s, const char *cwd, mode_t umask_value)
{
	struct task *t = new_process_task(s, initial_fds(s), cwd, umask_value);
	close_inherited_fds();
	struct process *p = t->proc;
	p->refs = 2; /* the task's, and the sandbox's own as init */
	creds_init(p, s->cfg);
	caps_init(p, s->cfg);
	p->no_new_privs = s->cfg->no_new_privs;
	s->init = p;
	for (int r = 0; r < RLIM_NLIMITS; r++)
		getrlimit((__rlimit_resource_t)r, &p->rlim[r]);
	return t;
}

struct task *task_create_detached(struct sentry *s, const struct task_spawn *sp)
{
	struct fd_table *ft = fd_table_new(s);
	ft->size = sp->n_fds > 64 ? sp->n_fds : 64;
	ft->slots = xcalloc((size_t)ft->size, sizeof(struct fd_slot));
	for (int i = 0; i < sp->n_fds; i++) {
		int host = fcntl(sp->fds[i], F_DUPFD_CLOEXEC, 3);
		if (host >= 0)
			ft->slots[i].file = file_new_host(host, NULL);
	}
	struct task *t = new_process_task(s, ft, sp->cwd, sp->umask);
	struct process *p = t->proc;
	/* The task's, and the link a parent would drop when reaping it: the
	 * kernel drops it itself when the process exits (no one waits). */
	p->refs = 2;
	p->ruid = p->euid = p->suid = sp->uid;
	p->rgid = p->egid = p->sgid = sp->gid;
	creds_fs_follow(p);
	caps_init(p, s->cfg);
	p->no_new_privs = s->cfg->no_new_privs;
	memcpy(p->rlim, s->init->rlim, sizeof(p->rlim));
	return t;
}
