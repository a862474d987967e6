/* File descriptor syscalls: opening, closing and duplicating, pipes,
 * fcntl, ioctl and flock, served through host fds that the sentry owns.
 * The other file syscalls are in sys_rw.c (data), sys_stat.c (metadata),
 * sys_attr.c (changing attributes), sys_dir.c (directories and names). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/random.h>
#include <linux/userfaultfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

/* ---- descriptors ---- */

SYSCALL_HANDLER(close)
{
	return fd_close(t, (int)a[0]);
}

SYSCALL_HANDLER(dup)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	return fd_install(t, file_get(f), false, 0);
}

static long dup_to(struct task *t, int oldfd, int newfd, bool cloexec)
{
	struct file *f = fd_lookup(t, oldfd);
	if (!f)
		return -EBADF;
	return fd_install_at(t, newfd, file_get(f), cloexec);
}

SYSCALL_HANDLER(dup2)
{
	if (a[0] == a[1])
		return fd_lookup(t, (int)a[0]) ? (long)a[0] : -EBADF;
	return dup_to(t, (int)a[0], (int)a[1], false);
}

SYSCALL_HANDLER(dup3)
{
	if (a[0] == a[1] || (a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	return dup_to(t, (int)a[0], (int)a[1], (a[2] & O_CLOEXEC) != 0);
}

static long pipe_common(struct task *t, uint64_t fds_addr, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int host[2];
	if (pipe2(host, O_CLOEXEC | O_NONBLOCK | (flags & O_DIRECT)) != 0)
		return -errno;
	bool cloexec = (flags & O_CLOEXEC) != 0, nonblock = (flags & O_NONBLOCK) != 0;
	int fds[2];
	fds[0] = fd_install(t, file_new_nonblocking(host[0], nonblock), cloexec, 0);
	if (fds[0] < 0) {
		close(host[1]);
		return fds[0];
	}
	fds[1] = fd_install(t, file_new_nonblocking(host[1], nonblock), cloexec, 0);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (task_write(t, fds_addr, fds, sizeof(fds)) != 0) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_HANDLER(pipe)
{
	return pipe_common(t, a[0], 0);
}

SYSCALL_HANDLER(pipe2)
{
	return pipe_common(t, a[0], (int)a[1]);
}

static long fcntl_lock(struct task *t, int host, int cmd, uint64_t addr)
{
	struct flock fl;
	if (task_read(t, addr, &fl, sizeof(fl)) != 0)
		return -EFAULT;
	if (fcntl(host, cmd, &fl) != 0)
		return -errno;
	if ((cmd == F_GETLK || cmd == F_OFD_GETLK) && task_write(t, addr, &fl, sizeof(fl)) != 0)
		return -EFAULT;
	return 0;
}

/* A blocking F_OFD_SETLKW, on a helper thread (as flock below): `fd` is
 * the sentry's own dup of the file, whose open file description, and so
 * whose OFD locks, it shares. */
struct ofd_lock_call {
	int fd;
	struct flock fl;
};

static long ofd_lock_blocking(void *arg)
{
	struct ofd_lock_call *c = arg;
	long rc = fcntl(c->fd, F_OFD_SETLKW, &c->fl) == 0 ? 0 : -errno;
	close(c->fd);
	free(c);
	return rc;
}

/* F_OFD_SETLKW: a lock that is free is taken at once; one that another
 * description holds (maybe one of another thread or process the sentry
 * serves) is waited for off the sentry's thread, interruptibly. */
static long fcntl_ofd_setlkw(struct task *t, int host, uint64_t addr)
{
	if (t->call.offload) /* the blocking call on the helper went on */
		return task_offload_interruptible(t, NULL, NULL);
	struct flock fl;
	if (task_read(t, addr, &fl, sizeof(fl)) != 0)
		return -EFAULT;
	struct flock try = fl;
	if (fcntl(host, F_OFD_SETLK, &try) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES)
		return -errno;
	struct ofd_lock_call *c = xmalloc(sizeof(*c));
	*c = (struct ofd_lock_call){.fd = fcntl(host, F_DUPFD_CLOEXEC, 0), .fl = fl};
	if (c->fd < 0) {
		free(c);
		return -errno;
	}
	return task_offload_interruptible(t, ofd_lock_blocking, c);
}

/* POSIX record locks (F_GETLK, F_SETLK, F_SETLKW) on regular files are
 * OFD locks on the fd table's own description of the file (posix_lock_fd,
 * files.h), so that sandboxed processes conflict with each other. */
static long fcntl_posix_lock(struct task *t, struct file *f, int cmd, uint64_t addr)
{
	struct flock fl;
	if (task_read(t, addr, &fl, sizeof(fl)) != 0)
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	struct flock asked = fl;
	int acc = fcntl(f->host_fd, F_GETFL);
	if (acc < 0)
		return -errno;
	if (acc & O_PATH)
		return -EBADF;
	acc &= O_ACCMODE;
	if (cmd != F_GETLK && ((fl.l_type == F_RDLCK && acc == O_WRONLY) ||
			       (fl.l_type == F_WRLCK && acc == O_RDONLY)))
		return -EBADF;
	/* The lock description has its own file position. */
	if (fl.l_whence == SEEK_CUR) {
		off_t pos = lseek(f->host_fd, 0, SEEK_CUR);
		if (pos < 0)
			return -errno;
		if (__builtin_add_overflow(fl.l_start, pos, &fl.l_start))
			return -EOVERFLOW;
		fl.l_whence = SEEK_SET;
	}
	bool none_yet = cmd == F_GETLK || fl.l_type == F_UNLCK;
	int host = posix_lock_fd(t, f, !none_yet);
	cleanup_close int probe = -1;
	if (host == -ENOENT && fl.l_type == F_UNLCK && cmd != F_GETLK)
		return 0; /* no locks of this table on the file */
	if (host == -ENOENT) {
		/* F_GETLK before any lock: a fresh description asks. */
		char magic[64];
		snprintf(magic, sizeof(magic), "/proc/self/fd/%d", f->host_fd);
		host = probe = open(magic, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (host < 0)
			return -errno;
	}
	if (host < 0)
		return host;
	fl.l_pid = 0;
	if (cmd == F_GETLK) {
		if (fcntl(host, F_OFD_GETLK, &fl) != 0)
			return -errno;
		if (fl.l_type != F_UNLCK && fl.l_pid == -1)
			fl.l_pid = posix_lock_holder(t->s, host, &fl);
		if (fl.l_type == F_UNLCK) {
			/* Linux changes only the type when nothing conflicts. */
			fl = asked;
			fl.l_type = F_UNLCK;
		}
		return task_write(t, addr, &fl, sizeof(fl)) == 0 ? 0 : -EFAULT;
	}
	if (fcntl(host, F_OFD_SETLK, &fl) == 0)
		return 0;
	if ((errno != EAGAIN && errno != EACCES) || cmd == F_SETLK)
		return -errno;
	/* F_SETLKW: the sentry must not wait in the host call (the holder may
	 * be another sandboxed process it serves): try again in a while. */
	t->call.deadline_set = false;
	task_deadline(t, &(struct timespec){0, 10 * 1000 * 1000}, false, CLOCK_MONOTONIC);
	return task_block(t, BLOCK_SLEEP);
}

/* O_NONBLOCK of the sentry's own nonblocking fds is the program's view. */
static long fcntl_getfl(struct file *f)
{
	int fl = fcntl(f->host_fd, F_GETFL);
	if (fl < 0)
		return -errno;
	if (f->host_nonblock)
		fl = (fl & ~O_NONBLOCK) | (f->nonblock ? O_NONBLOCK : 0);
	return fl;
}

static long fcntl_setfl(struct file *f, int fl)
{
	if (f->host_nonblock) {
		f->nonblock = (fl & O_NONBLOCK) != 0;
		fl |= O_NONBLOCK;
	}
	return fcntl(f->host_fd, F_SETFL, fl) < 0 ? -errno : 0;
}

/* Owners and their signals (F_SETOWN, F_SETSIG and the _EX forms), and
 * the commands after which the host signals a file's owner: F_SETLEASE and
 * F_NOTIFY (fown.c routes those signals to the program's owner). */
static long fcntl_owner(struct task *t, struct file *f, int fd, int cmd, uint64_t arg)
{
	struct f_owner_ex ex;
	switch (cmd) {
	case F_GETOWN:
		return f->fown.type == F_OWNER_PGRP ? -f->fown.pid : f->fown.pid;
	case F_SETOWN:
		if ((int)arg < 0)
			return fown_set(t, f, fd, F_OWNER_PGRP, -(int)arg);
		return fown_set(t, f, fd, F_OWNER_PID, (int)arg);
	case F_GETOWN_EX:
		ex = (struct f_owner_ex){.type = f->fown.pid ? f->fown.type : F_OWNER_PID,
					 .pid = f->fown.pid};
		return task_write(t, arg, &ex, sizeof(ex));
	case F_SETOWN_EX:
		if (task_read(t, arg, &ex, sizeof(ex)) != 0)
			return -EFAULT;
		return fown_set(t, f, fd, ex.type, ex.pid);
	case F_GETSIG:
		return f->fown.sig;
	case F_SETSIG:
		if (arg > 64)
			return -EINVAL;
		f->fown.sig = (int)arg;
		return 0;
	default: { /* F_SETLEASE, F_NOTIFY */
		/* The host must signal the sentry, never its default SIGIO, from
		 * the moment the lease or watch exists: arm first. */
		bool arms = cmd == F_NOTIFY ? arg != 0 : arg != F_UNLCK;
		long rc = arms ? fown_arm_for(t, f, fd, true) : 0;
		return rc != 0 ? rc : ret_errno(fcntl(f->host_fd, cmd, (long)arg));
	}
	}
}

SYSCALL_HANDLER(fcntl)
{
	int fd = (int)a[0], cmd = (int)a[1];
	struct file *f = fd_lookup(t, fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)a[2] < 0)
			return -EINVAL;
		return fd_install(t, file_get(f), cmd == F_DUPFD_CLOEXEC, (int)a[2]);
	case F_GETFD:
		return t->files->slots[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		t->files->slots[fd].cloexec = (a[2] & FD_CLOEXEC) != 0;
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		if (f->kind == FILE_HOST && posix_lock_fd(t, f, false) != -EINVAL)
			return fcntl_posix_lock(t, f, cmd, a[2]);
		return fcntl_lock(t, f->host_fd, cmd, a[2]);
	case F_OFD_SETLKW:
		return fcntl_ofd_setlkw(t, f->host_fd, a[2]);
	case F_OFD_GETLK:
	case F_OFD_SETLK:
		return fcntl_lock(t, f->host_fd, cmd, a[2]);
	case F_GETFL:
		return fcntl_getfl(f);
	case F_SETFL:
		if ((a[2] & O_ASYNC) && f->kind == FILE_HOST && fown_arm_for(t, f, fd, false) != 0)
			return -EINVAL;
		return fcntl_setfl(f, (int)a[2]);
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
	case F_ADD_SEALS:
	case F_GET_SEALS:
	case F_GETLEASE:
		return ret_errno(fcntl(f->host_fd, cmd, (long)a[2]));
	case 1028: /* F_CREATED_QUERY (Linux 6.12): the host's open made it */
		return f->host_fd < 0 ? 0 : ret_errno(fcntl(f->host_fd, cmd, 0L));
	case F_GETOWN:
	case F_SETOWN:
	case F_GETOWN_EX:
	case F_SETOWN_EX:
	case F_GETSIG:
	case F_SETSIG:
	case F_SETLEASE:
	case F_NOTIFY:
		return fcntl_owner(t, f, fd, cmd, a[2]);
	default:
		return -EINVAL;
	}
}

/* A blocking flock, on a helper thread: `fd` is the sentry's own dup of
 * the file (the lock belongs to the open file description, which the dup
 * shares), so that a close by the program meanwhile does not matter. */
struct flock_call {
	int fd, op;
};

static long flock_blocking(void *arg)
{
	struct flock_call *c = arg;
	long rc = flock(c->fd, c->op) == 0 ? 0 : -errno;
	close(c->fd);
	free(c);
	return rc;
}

SYSCALL_HANDLER(flock)
{
	int op = (int)a[1];
	if (t->call.offload) /* the blocking flock on the helper went on */
		return task_offload_interruptible(t, NULL, NULL);
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host;
	/* Try without waiting; a lock another holder keeps is waited for
	 * off the sentry's thread (it used to stall the whole sandbox,
	 * the holder included), interruptibly, as Linux's flock. */
	long rc = ret_errno(flock(host, op | LOCK_NB));
	if (rc != -EWOULDBLOCK || (op & LOCK_NB))
		return rc;
	struct flock_call *c = xmalloc(sizeof(*c));
	*c = (struct flock_call){.fd = fcntl(host, F_DUPFD_CLOEXEC, 0), .op = op};
	if (c->fd < 0) {
		free(c);
		return -errno;
	}
	return task_offload_interruptible(t, flock_blocking, c);
}

SYSCALL_HANDLER(close_range)
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1];
	uint64_t flags = a[2];
	if (flags & ~(uint64_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && t->files->refs > 1) {
		struct fd_table *copy = fd_table_copy(t->files);
		fd_table_put(t->files);
		t->files = copy;
	}
	/* Compared unsigned: close_range(~0U, ~0U) names no open fd, and must
	 * not become fd -1. */
	for (unsigned fd = first; fd <= last && fd < (unsigned)t->files->size; fd++) {
		if (!t->files->slots[fd].file)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			t->files->slots[fd].cloexec = true;
		else
			fd_close(t, (int)fd);
	}
	return 0;
}

/* ---- ioctl: terminals and a few generic requests ---- */

/* The kernel's struct termios (asm/termbits.h) is 36 bytes; glibc's is
 * larger. Copying glibc's size would overrun the program's buffer. */
#define KERNEL_TERMIOS_SIZE 36

/* Requests whose argument is a struct copied in or out, with its size. */
static int ioctl_arg_size(unsigned long req, bool *out)
{
	*out = false;
	switch (req) {
	case TCGETS:
		*out = true;
		return KERNEL_TERMIOS_SIZE;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return KERNEL_TERMIOS_SIZE;
	case TCGETA: /* the old struct termio */
		*out = true;
		return sizeof(struct termio);
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
		return sizeof(struct termio);
	case TIOCGWINSZ:
		*out = true;
		return sizeof(struct winsize);
	case TIOCSWINSZ:
		return sizeof(struct winsize);
	case FIONREAD:
	case TIOCOUTQ:
	case TIOCGPTN:
	case FS_IOC_GETFLAGS: /* Linux copies an int, whatever the request says */
	case FS_IOC_GETVERSION:
		*out = true;
		return sizeof(int);
	case FS_IOC_FSGETXATTR:
		*out = true;
		return sizeof(struct fsxattr);
	case FIONBIO:
	case FIOASYNC:
	case TIOCSPTLCK:
	case TIOCPKT:
		return sizeof(int);
	default:
		return -1;
	}
}

static long ioctl_struct(struct task *t, int host, unsigned long req, uint64_t arg, int size,
			 bool out)
{
	char buf[128];
	if (!out && task_read(t, arg, buf, (size_t)size) != 0)
		return -EFAULT;
	if (ioctl(host, req, buf) != 0)
		return -errno;
	if (out && task_write(t, arg, buf, (size_t)size) != 0)
		return -EFAULT;
	return 0;
}

/* Read-only queries of one device, passed to the host only on that
 * device (another driver may read the same number differently): the
 * entropy count of /dev/random and /dev/urandom (char 1:8, 1:9), the
 * features /dev/net/tun (char 10:200) offers. An int out; elsewhere
 * -EINVAL from the random devices (their driver's answer), -ENOTTY from
 * any other file (approximately: each driver answers for itself). */
static long ioctl_device_query(struct task *t, struct file *f, unsigned long req, uint64_t arg)
{
	struct stat st;
	if (fstat(f->host_fd, &st) != 0 || !S_ISCHR(st.st_mode))
		return -ENOTTY;
	unsigned maj = major(st.st_rdev), min = minor(st.st_rdev);
	bool random = maj == 1 && (min == 8 || min == 9);
	if (random && req != RNDGETENTCNT)
		return -EINVAL; /* the random driver's answer to what it lacks */
	if ((req == RNDGETENTCNT && !random) ||
	    (req == TUNGETFEATURES && (maj != 10 || min != 200)))
		return -ENOTTY;
	return ioctl_struct(t, f->host_fd, req, arg, sizeof(int), true);
}

/* FS_IOC_SETFLAGS (chattr). Making a file immutable or append-only, or
 * undoing it, needs CAP_LINUX_IMMUTABLE: the sandbox's view is asked, the
 * host would ask msentry's own. The owner check is the host's (the
 * program's file identity, creds.c). */
static long ioctl_setflags(struct task *t, int host, uint64_t arg)
{
	int want, have;
	if (task_read(t, arg, &want, sizeof(want)) != 0)
		return -EFAULT;
	if (ioctl(host, FS_IOC_GETFLAGS, &have) != 0)
		return -errno;
	int guarded = FS_IMMUTABLE_FL | FS_APPEND_FL;
	if (((want ^ have) & guarded) && !caps_has(t->proc, CAP_LINUX_IMMUTABLE))
		return -EPERM;
	return ret_errno(ioctl(host, FS_IOC_SETFLAGS, &want));
}

SYSCALL_HANDLER(ioctl)
{
	int fd = (int)a[0];
	unsigned long req = (unsigned long)a[1];
	struct file *f = fd_lookup(t, fd);
	if (!f)
		return -EBADF;
	/* Linux takes no ioctl, not even FIOCLEX, on an O_PATH descriptor. */
	int mode = f->host_fd >= 0 ? fcntl(f->host_fd, F_GETFL) : 0;
	if (mode > 0 && (mode & O_PATH))
		return -EBADF;
	/* PIDFD_GET_INFO, _IOWR(0xFF, 11, struct pidfd_info) of any size from
	 * the first version's 64 bytes on (a smaller one is no such ioctl). */
	if (f->kind == FILE_PIDFD && _IOC_TYPE(req) == 0xFF && _IOC_NR(req) == 11 &&
	    _IOC_DIR(req) == (_IOC_READ | _IOC_WRITE) && _IOC_SIZE(req) >= 64)
		return pidfd_get_info(t, f, a[2], _IOC_SIZE(req));
	/* PROCMAP_QUERY, _IOWR('f', 17, struct procmap_query) (104 bytes):
	 * served by procfs on a maps file, ENOTTY elsewhere. */
	if (req == _IOC(_IOC_READ | _IOC_WRITE, 'f', 17, 104))
		return procfs_map_query(t, f, a[2]);
	/* userfaultfd's requests (kernel/userfaultfd.c); USERFAULTFD_IOC_NEW
	 * of /dev/userfaultfd is made in the caller's stub, never by the
	 * sentry, whose own memory the host would bind the new uffd to. */
	if (_IOC_TYPE(req) == UFFDIO && f->host_fd >= 0) {
		if (uffd_is(f))
			return uffd_ioctl(t, f, req, a[2]);
		if (uffd_is_device(f))
			return req == USERFAULTFD_IOC_NEW ? uffd_create(t, (int)a[2], true)
							  : -EINVAL;
	}
	if ((req & ~0xffUL) == 0x8900) /* the sockets' SIOC* range: sock-ioctl.c */
		return sock_ioctl(t, f, req, a[2]);
	switch (req) {
	case FIOCLEX:
	case FIONCLEX:
		t->files->slots[fd].cloexec = req == FIOCLEX;
		return 0;
	case FIONBIO: {
		int on;
		if (task_read(t, a[2], &on, sizeof(on)) != 0)
			return -EFAULT;
		int fl = fcntl(f->host_fd, F_GETFL);
		return fcntl_setfl(f, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
	}
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
	case TIOCSCTTY:
	case TIOCNOTTY:
		/* Sessions and groups in the sandbox's terms (kernel/tty.c). */
		return tty_ioctl(t, f, req, a[2]);
	case FS_IOC_SETFLAGS:
		return ioctl_setflags(t, f->host_fd, a[2]);
	case RNDGETENTCNT:
	case TUNGETFEATURES:
		return ioctl_device_query(t, f, req, a[2]);
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
		return ret_errno(ioctl(f->host_fd, req, (unsigned long)a[2]));
	default:
		break;
	}
	bool out;
	int size = ioctl_arg_size(req, &out);
	if (size < 0)
		return -ENOTTY;
	return ioctl_struct(t, f->host_fd, req, a[2], size, out);
}
