/* System V shared memory (shmget, shmat, shmdt, shmctl), for the sandbox.
 *
 * The sandbox has its own IPC namespace: the segments live in the sentry
 * (s->shm), never in the host's table, so programs in different sandboxes
 * (or on the host) can never meet through a key. Each segment is a host
 * memfd of the sentry's; shmat maps it MAP_SHARED into the caller's stub
 * through the platform, exactly as mmap of a shared file is, so processes
 * that attach one segment share its pages. Attachments are recorded in the
 * address space (struct mm) so that fork copies them, and exec and exit
 * drop them, with the segment's attach count kept as Linux keeps it: a
 * segment marked IPC_RMID goes when its last attachment does.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

/* The limits are the sandbox's (s->ipc: kernel.shmmax, shmall, shmmni,
 * shm_rmid_forced, shm_next_id; ipc-limits.c). */
#define SHMMIN_K 1
#define SHMLBA_K PAGE_SIZE
/* SHM_HUGETLB's page size: log2 in bits 26..31 of the flags (the same
 * encoding as memfd_create's), else x86-64's default 2 MiB. */
#define SHM_HUGE_SHIFT_K 26
#define SHM_HUGE_MASK_K	 0x3f
#define HUGE_DEFAULT_K	 ((size_t)2 << 20)

struct shm_segment {
	int id;
	key_t key;
	size_t size;
	int fd; /* the sentry's memfd */
	struct ipc_perm perm;
	pid_t cpid, lpid;
	time_t atime, dtime, ctime;
	int nattch;
	bool removed; /* IPC_RMID: goes with its last attachment */
	bool locked;  /* SHM_LOCK (SHM_LOCKED in its mode) */
	struct shm_segment *next;
};

struct shm_attach {
	uint64_t addr, len;
	struct shm_segment *seg;
	struct shm_attach *next;
};

static struct shm_segment *by_id(struct sentry *s, int id)
{
	for (struct shm_segment *g = s->shm; g; g = g->next)
		if (g->id == id)
			return g;
	return NULL;
}

static void destroy(struct sentry *s, struct shm_segment *seg)
{
	for (struct shm_segment **p = &s->shm; *p; p = &(*p)->next) {
		if (*p == seg) {
			*p = seg->next;
			break;
		}
	}
	close(seg->fd);
	free(seg);
}

/* Linux's ipcperms: owner, group or other bits of the mode, or root. */
static bool allowed(struct task *t, const struct shm_segment *g, int want)
{
	struct process *p = t->proc;
	if (p->euid == 0)
		return true;
	int bits = p->euid == g->perm.uid || p->euid == g->perm.cuid   ? g->perm.mode >> 6
		   : p->egid == g->perm.gid || p->egid == g->perm.cgid ? g->perm.mode >> 3
								       : g->perm.mode;
	return (bits & want & 7) == (want & 7);
}

/* The host memfd of a new segment, or -errno. SHM_HUGETLB (Linux's
 * hugetlb_file_setup): EPERM without CAP_IPC_LOCK or the hugetlb group
 * (vm.hugetlb_shm_group, 0 by default), then a host hugetlb memfd whose
 * pages are reserved now by a mapping of it, so that a host without huge
 * pages answers ENOMEM at shmget, as Linux does. */
static int segment_memfd(struct task *t, key_t key, size_t size, int flags)
{
	bool huge = (flags & SHM_HUGETLB) != 0;
	if (huge && !task_capable(t, CAP_IPC_LOCK) && !creds_in_group(t->proc, 0))
		return -EPERM;
	char name[32];
	snprintf(name, sizeof(name), "SYSV%08x", (unsigned)key);
	unsigned bits = ((unsigned)flags >> SHM_HUGE_SHIFT_K) & SHM_HUGE_MASK_K;
	size_t len = PAGE_UP(size), unit = bits ? (size_t)1 << bits : HUGE_DEFAULT_K;
	if (huge)
		len = (size + unit - 1) / unit * unit;
	int fd =
	    memfd_create(name, MFD_CLOEXEC | (huge ? MFD_HUGETLB | (bits << SHM_HUGE_SHIFT_K) : 0));
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) != 0) {
		close(fd);
		return -ENOMEM;
	}
	void *probe = huge ? mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) : NULL;
	if (probe == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}
	if (probe)
		munmap(probe, len);
	return fd;
}

static bool id_in_use(struct sentry *s, int id)
{
	return by_id(s, id) != NULL;
}

static long create(struct task *t, key_t key, size_t size, int flags)
{
	struct sentry *s = t->s;
	if (size < SHMMIN_K || size > s->ipc->shmmax)
		return -EINVAL;
	size_t pages = PAGE_UP(size) / PAGE_SIZE, total = 0;
	int count = 0;
	for (struct shm_segment *g = s->shm; g; g = g->next) {
		count++;
		total += PAGE_UP(g->size) / PAGE_SIZE;
	}
	/* Linux: a size whose pages overflow, or all segments' pages over
	 * shmall, is ENOSPC; so is a full table (shmmni). */
	if (PAGE_UP(size) < size || total + pages < total || total + pages > s->ipc->shmall)
		return -ENOSPC;
	if (count >= s->ipc->shmmni)
		return -ENOSPC;
	int fd = segment_memfd(t, key, size, flags);
	if (fd < 0)
		return fd;
	struct shm_segment *g = xcalloc(1, sizeof(*g));
	*g = (struct shm_segment){
	    .id = ipc_new_id(s, &s->ipc->shm_next_id, &s->shm_id_counter, id_in_use),
	    .key = key,
	    .size = size,
	    .fd = fd,
	    .cpid = t->proc->pid,
	    .ctime = time(NULL),
	    .next = s->shm};
	g->perm.__key = key;
	g->perm.uid = g->perm.cuid = t->proc->euid;
	g->perm.gid = g->perm.cgid = t->proc->egid;
	g->perm.mode = (unsigned short)(flags & 0777);
	s->shm = g;
	return g->id;
}

long shm_get(struct task *t, key_t key, size_t size, int flags)
{
	if (key != IPC_PRIVATE) {
		for (struct shm_segment *g = t->s->shm; g; g = g->next) {
			if (g->removed || g->key != key)
				continue;
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				return -EEXIST;
			if (size > g->size)
				return -EINVAL;
			return allowed(t, g, (flags >> 6) & 7) ? g->id : -EACCES;
		}
		if (!(flags & IPC_CREAT))
			return -ENOENT;
	}
	return create(t, key, size, flags);
}

long shm_attach(struct task *t, int id, uint64_t addr, int flags)
{
	struct shm_segment *g = id < 0 ? NULL : by_id(t->s, id);
	if (!g)
		return -EINVAL;
	if (addr & (SHMLBA_K - 1)) {
		if (!(flags & SHM_RND))
			return -EINVAL;
		addr &= ~(uint64_t)(SHMLBA_K - 1);
	}
	bool ro = (flags & SHM_RDONLY) != 0;
	if (!allowed(t, g, ro ? 4 : 6))
		return -EACCES;
	uint64_t len = PAGE_UP(g->size);
	if (addr && (addr >= PROGRAM_ADDR_LIMIT || len > PROGRAM_ADDR_LIMIT - addr))
		return -EINVAL;
	uint64_t prot = PROT_READ | (ro ? 0 : PROT_WRITE) | ((flags & SHM_EXEC) ? PROT_EXEC : 0);
	uint64_t mflags = MAP_SHARED;
	if (addr)
		mflags |= (flags & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	t->mm->has_shared = true; /* futex keys may be shared now (futex.c) */
	long at = platform_mmap(t->th, addr, len, prot, mflags, g->fd, 0);
	if (at == -EEXIST)
		return -EINVAL; /* Linux: the range is in use and SHM_REMAP not given */
	if (at < 0)
		return at;
	struct shm_attach *a = xcalloc(1, sizeof(*a));
	*a = (struct shm_attach){.addr = (uint64_t)at, .len = len, .seg = g, .next = t->mm->shm};
	t->mm->shm = a;
	g->nattch++;
	g->lpid = t->proc->pid;
	g->atime = time(NULL);
	return at;
}

/* Drop one attachment's count; the segment goes if it was removed. */
static void unref(struct sentry *s, struct task *t, struct shm_segment *g)
{
	g->nattch--;
	g->dtime = time(NULL);
	if (t)
		g->lpid = t->proc->pid;
	/* Linux's shm_may_destroy: removed, or shm_rmid_forced. */
	if (g->nattch == 0 && (g->removed || s->ipc->shm_rmid_forced))
		destroy(s, g);
}

void shm_destroy_orphans(struct sentry *s)
{
	struct shm_segment *next;
	for (struct shm_segment *g = s->shm; g; g = next) {
		next = g->next;
		if (g->nattch == 0 && !process_by_pid(s, g->cpid))
			destroy(s, g);
	}
}

void shm_process_exit(struct sentry *s, struct process *p)
{
	if (!s->ipc->shm_rmid_forced)
		return;
	struct shm_segment *next;
	for (struct shm_segment *g = s->shm; g; g = next) {
		next = g->next;
		if (g->nattch == 0 && g->cpid == p->pid)
			destroy(s, g);
	}
}

long shm_detach(struct task *t, uint64_t addr)
{
	for (struct shm_attach **p = &t->mm->shm; *p; p = &(*p)->next) {
		struct shm_attach *a = *p;
		if (a->addr != addr)
			continue;
		platform_munmap(t->th, a->addr, a->len);
		*p = a->next;
		unref(t->s, t, a->seg);
		free(a);
		return 0;
	}
	return -EINVAL;
}

void shm_mm_copy(struct mm *dst, const struct mm *src)
{
	dst->shm = NULL;
	for (const struct shm_attach *a = src->shm; a; a = a->next) {
		struct shm_attach *c = xcalloc(1, sizeof(*c));
		*c = *a;
		c->next = dst->shm;
		dst->shm = c;
		a->seg->nattch++;
	}
}

void shm_mm_release(struct sentry *s, struct mm *mm)
{
	while (mm->shm) {
		struct shm_attach *a = mm->shm;
		mm->shm = a->next;
		unref(s, NULL, a->seg);
		free(a);
	}
}

char *shm_proc_text(struct sentry *s)
{
	char *out =
	    xstrdup("       key      shmid perms                  size  cpid  lpid nattch   uid"
		    "   gid  cuid  cgid      atime      dtime      ctime                   rss"
		    "                  swap\n");
	for (struct shm_segment *g = s->shm; g; g = g->next) {
		char *row = xasprintf(
		    "%10d %10d  %4o %21zu %5d %5d  %5d %5u %5u %5u %5u %10llu %10llu %10llu %21zu "
		    "%21d\n",
		    g->perm.__key, g->id,
		    g->perm.mode | (g->removed ? SHM_DEST : 0) | (g->locked ? SHM_LOCKED : 0),
		    g->size, g->cpid, g->lpid, g->nattch, g->perm.uid, g->perm.gid, g->perm.cuid,
		    g->perm.cgid, (unsigned long long)g->atime, (unsigned long long)g->dtime,
		    (unsigned long long)g->ctime, PAGE_UP(g->size), 0);
		char *both = xasprintf("%s%s", out, row);
		free(out);
		free(row);
		out = both;
	}
	return out;
}

void shm_release_all(struct sentry *s)
{
	while (s->shm)
		destroy(s, s->shm);
}

static void fill_ds(const struct shm_segment *g, struct shmid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->shm_perm = g->perm;
	ds->shm_perm.mode |= (g->removed ? SHM_DEST : 0) | (g->locked ? SHM_LOCKED : 0);
	ds->shm_segsz = g->size;
	ds->shm_atime = g->atime;
	ds->shm_dtime = g->dtime;
	ds->shm_ctime = g->ctime;
	ds->shm_cpid = g->cpid;
	ds->shm_lpid = g->lpid;
	ds->shm_nattch = (shmatt_t)g->nattch;
}

static long control_info(struct task *t, int cmd, uint64_t buf)
{
	if (cmd == IPC_INFO) {
		const struct ipc_limits *l = t->s->ipc;
		struct shminfo info = {.shmmax = l->shmmax,
				       .shmmin = SHMMIN_K,
				       .shmmni = (unsigned long)l->shmmni,
				       .shmseg = (unsigned long)l->shmmni,
				       .shmall = l->shmall};
		if (task_write(t, buf, &info, sizeof(info)) != 0)
			return -EFAULT;
	} else {
		struct shm_info info = {0};
		for (struct shm_segment *g = t->s->shm; g; g = g->next) {
			info.used_ids++;
			info.shm_tot += PAGE_UP(g->size) / PAGE_SIZE;
			info.shm_rss += PAGE_UP(g->size) / PAGE_SIZE;
		}
		if (task_write(t, buf, &info, sizeof(info)) != 0)
			return -EFAULT;
	}
	int highest = 0;
	for (struct shm_segment *g = t->s->shm; g; g = g->next)
		if (g->id > highest)
			highest = g->id;
	return highest;
}

/* SHM_LOCK/SHM_UNLOCK as Linux: without CAP_IPC_LOCK, only the owner or
 * creator, and SHM_LOCK needs a nonzero RLIMIT_MEMLOCK at least the
 * segment's size (Linux counts the user's locked segments together). The
 * pages are the host's memfd: the flag is what the sandbox sees. */
static long lock(struct task *t, struct shm_segment *g, bool on)
{
	const struct process *p = t->proc;
	if (!task_capable(t, CAP_IPC_LOCK)) {
		if (p->euid != g->perm.uid && p->euid != g->perm.cuid)
			return -EPERM;
		rlim_t limit = p->rlim[RLIMIT_MEMLOCK].rlim_cur;
		if (on && limit == 0)
			return -EPERM;
		if (on && !g->locked && limit != RLIM_INFINITY && PAGE_UP(g->size) > limit)
			return -ENOMEM;
	}
	g->locked = on;
	return 0;
}

long shm_control(struct task *t, int id, int cmd, uint64_t buf)
{
	if (cmd == IPC_INFO || cmd == SHM_INFO)
		return control_info(t, cmd, buf);
	struct shm_segment *g = id < 0 ? NULL : by_id(t->s, id);
	if (!g)
		return -EINVAL;
	struct process *p = t->proc;
	bool owner = p->euid == 0 || p->euid == g->perm.uid || p->euid == g->perm.cuid;
	struct shmid_ds ds;
	switch (cmd) {
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		if (cmd != SHM_STAT_ANY && !allowed(t, g, 4))
			return -EACCES;
		fill_ds(g, &ds);
		if (task_write(t, buf, &ds, sizeof(ds)) != 0)
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : g->id;
	case IPC_SET:
		if (!owner)
			return -EPERM;
		if (task_read(t, buf, &ds, sizeof(ds)) != 0)
			return -EFAULT;
		g->perm.uid = ds.shm_perm.uid;
		g->perm.gid = ds.shm_perm.gid;
		g->perm.mode = (unsigned short)((g->perm.mode & ~0777) | (ds.shm_perm.mode & 0777));
		g->ctime = time(NULL);
		return 0;
	case IPC_RMID:
		if (!owner)
			return -EPERM;
		g->removed = true;
		g->key = IPC_PRIVATE;
		if (g->nattch == 0)
			destroy(t->s, g);
		return 0;
	case SHM_LOCK:
	case SHM_UNLOCK:
		return lock(t, g, cmd == SHM_LOCK);
	default:
		return -EINVAL;
	}
}
