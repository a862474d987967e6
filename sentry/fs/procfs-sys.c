/* /proc/sys/kernel/{shmmax,shmall,shmmni,shm_rmid_forced,msgmax,msgmnb,
 * msgmni,sem,msg_next_id,sem_next_id,shm_next_id} and
 * /proc/sys/fs/mqueue/ (all five): the sandbox's IPC namespace parameters (s->ipc,
 * kernel/ipc-limits.c), where the host's files would show and change the
 * host's.
 *
 * How it works: an open serves the value at that moment from a memfd (as
 * the other synthesized files), so read, lseek and fstat work as on any
 * file. Opened for writing, the file gets a write hook (struct file's
 * `write`): write(2) hands the program's bytes to ipc_sysctl_store, which
 * parses them as Linux does and changes the parameter, or fails with
 * EINVAL and changes nothing. Like Linux with sysctl_writes_strict, a
 * write that does not start at offset 0 is accepted and ignored (only
 * write(2) has the hook: writev and pwrite reach the memfd and change
 * nothing, a known gap; shells and sysctl(8) use write). Who may
 * open for writing is Linux's rule (ipc_sysctl_writable): root, and for
 * *_next_id a checkpoint/restore capability; others get EACCES.
 *
 * Threats: the write's length and bytes are the program's: at most one
 * page is read (Linux's numbers are at most 21 characters each), and the
 * parser bounds every value.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "procfs-internal.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/keys.h"

#define WRITE_MAX 4096
#define KEYS_SYS  "/proc/sys/kernel/keys/"

/* The parameter behind /proc/sys/PATH ("kernel/msgmni"), or NULL. */
static const struct ipc_sysctl *param_of(const char *abs)
{
	if (strncmp(abs, "/proc/sys/kernel/", 17) != 0 &&
	    strncmp(abs, "/proc/sys/fs/mqueue/", 20) != 0)
		return NULL;
	char key[64];
	size_t n = strlen(abs + 10);
	if (n >= sizeof(key))
		return NULL;
	memcpy(key, abs + 10, n + 1);
	for (char *p = key; *p; p++)
		if (*p == '/')
			*p = '.';
	return ipc_sysctl_find(key);
}

static long write_refused(struct task *t, struct file *f, uint64_t buf, size_t count)
{
	(void)t, (void)f, (void)buf, (void)count;
	return -EBADF; /* opened read-only */
}

static long write_param(struct task *t, struct file *f, uint64_t buf, size_t count)
{
	const struct ipc_sysctl *k = param_of(f->path);
	off_t pos = lseek(f->host_fd, 0, SEEK_CUR);
	if (!k || pos < 0)
		return -EIO;
	if (count == 0)
		return 0;
	if (pos > 0) { /* Linux's strict mode: ignored, but taken */
		lseek(f->host_fd, (off_t)count, SEEK_CUR);
		return (long)count;
	}
	char text[WRITE_MAX];
	size_t n = count < sizeof(text) ? count : sizeof(text);
	if (task_read(t, buf, text, n) != 0)
		return -EFAULT;
	long r = ipc_sysctl_store(t->s->ipc, k, text, n);
	if (r < 0)
		return r;
	/* Linux's shm_destroy_orphaned when shm_rmid_forced becomes 1. */
	if (strcmp(ipc_sysctl_key(k), "kernel.shm_rmid_forced") == 0 && t->s->ipc->shm_rmid_forced)
		shm_destroy_orphans(t->s);
	lseek(f->host_fd, (off_t)r, SEEK_CUR);
	return r;
}

static long write_keys_param(struct task *t, struct file *f, uint64_t buf, size_t count)
{
	off_t pos = lseek(f->host_fd, 0, SEEK_CUR);
	if (pos < 0 || strncmp(f->path, KEYS_SYS, strlen(KEYS_SYS)) != 0)
		return -EIO;
	if (count == 0)
		return 0;
	if (pos > 0) { /* as write_param */
		lseek(f->host_fd, (off_t)count, SEEK_CUR);
		return (long)count;
	}
	char text[64];
	size_t n = count < sizeof(text) ? count : sizeof(text);
	if (task_read(t, buf, text, n) != 0)
		return -EFAULT;
	long r = keys_sysctl_store(t->s, f->path + strlen(KEYS_SYS), text, n);
	if (r > 0)
		lseek(f->host_fd, (off_t)r, SEEK_CUR);
	return r < 0 ? r : (long)count;
}

/* Serve `text` (malloc'ed, freed here) as the file `abs`. */
static void serve_text(const char *abs, char *text, struct file **out, int *err)
{
	struct strbuf sb = {0};
	strbuf_append(&sb, text, strlen(text));
	free(text);
	long fd = procfs_memfd_with(&sb);
	strbuf_release(&sb);
	*err = fd < 0 ? (int)fd : 0;
	if (fd >= 0)
		*out = file_new_host((int)fd, abs);
}

/* /proc/keys, /proc/key-users and /proc/sys/kernel/keys/: the sandbox's
 * keys (kernel/keys-proc.c); the host's would list msentry's own. The
 * parameters are written as the IPC ones (root only). */
static bool open_keys(struct task *t, const char *abs, int flags, struct file **out, int *err)
{
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	char *text = NULL;
	if (strcmp(abs, "/proc/keys") == 0 || strcmp(abs, "/proc/key-users") == 0)
		text = keys_proc_text(t, abs[9] == '-');
	else if (strncmp(abs, KEYS_SYS, strlen(KEYS_SYS)) == 0)
		text = keys_sysctl_show(t->s, abs + strlen(KEYS_SYS));
	if (!text)
		return false;
	bool param = abs[6] == 's';
	if (writing && (!param || t->proc->euid != 0)) {
		free(text);
		*err = -EACCES;
		return true;
	}
	serve_text(abs, text, out, err);
	if (*err == 0)
		(*out)->write = writing ? write_keys_param : write_refused;
	return true;
}

bool procfs_sys_open(struct task *t, const char *abs, int flags, struct file **out, int *err)
{
	if (open_keys(t, abs, flags, out, err))
		return true;
	const struct ipc_sysctl *k = param_of(abs);
	if (!k)
		return false;
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	if (writing && !ipc_sysctl_writable(t, k)) {
		*err = -EACCES;
		return true;
	}
	char *text = ipc_sysctl_show(t->s->ipc, k);
	struct strbuf sb = {0};
	strbuf_append(&sb, text, strlen(text));
	free(text);
	long fd = procfs_memfd_with(&sb);
	strbuf_release(&sb);
	*err = fd < 0 ? (int)fd : 0;
	if (fd < 0)
		return true;
	*out = file_new_host((int)fd, abs);
	(*out)->write = writing ? write_param : write_refused;
	return true;
}
