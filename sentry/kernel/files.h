/* kernel/files.h: open files, fd tables, and paths confined to the sandbox
 * root. Part of the kernel (a task owns its fd table and working directory,
 * as Linux's task owns files_struct and fs_struct); split out of kernel.h
 * so that code that never touches files does not see them. */
#ifndef MSENTRY_SENTRY_KERNEL_FILES_H
#define MSENTRY_SENTRY_KERNEL_FILES_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "sentry/kernel/kernel.h"

enum file_kind {
	FILE_HOST,     /* backed by a host fd the sentry owns */
	FILE_DIR_LIST, /* a synthetic directory (e.g. /proc/self/fd) */
	FILE_SIGNALFD, /* emulated signalfd; host_fd is its readiness eventfd */
	FILE_MQUEUE,   /* POSIX message queue (mqueue.c); host_fd: its queue's readiness eventfd */
	FILE_PIDFD,    /* a sandbox process (pidfd.c); host_fd: eventfd, readable at exit */
};

/* A synthetic directory's entries. */
struct dir_entry {
	char *name;
	unsigned char type; /* DT_* */
	uint64_t ino;
};

/* An open file description (shared by dup and fork, like Linux's). */
struct file {
	int refs;
	enum file_kind kind;
	bool may_block;	    /* pipe, socket, tty...: reads and writes may block */
	bool host_nonblock; /* the sentry made the host fd O_NONBLOCK (its own pipes
			     * and sockets); the program's view is `nonblock` */
	bool nonblock;
	int host_fd; /* FILE_HOST: the sentry's own fd; -1 otherwise */
	char *path;  /* sandbox path it was opened by, or NULL */
	/* A regular file opened for writing by path: its identity, which
	 * execve refuses while it is open (ETXTBSY); 0, 0 otherwise. */
	dev_t write_dev;
	ino_t write_ino;
	/* F_SETOWN/F_SETSIG as the program set them (fown.c). */
	struct file_owner {
		int type;   /* F_OWNER_TID, F_OWNER_PID or F_OWNER_PGRP */
		pid_t pid;  /* sandbox id; 0: no owner */
		int sig;    /* F_SETSIG; 0: SIGIO */
		int fd;	    /* the program's fd, for si_fd */
		bool armed; /* the host signals the sentry for this file */
		/* Who set the owner (real, effective uid): Linux's sigio_perm
		 * lets the signal reach only processes they may signal. */
		uid_t uid, euid;
	} fown;
	/* A socket's credentials as Linux records them (socketpair, listen,
	 * connect, accept), which its peer's SO_PEERCRED reports; pid 0: none. */
	struct ucred sock_cred;
	struct dir_entry *entries; /* FILE_DIR_LIST */
	size_t nentries, pos;
	/* Kind-specific state (signalfd, bound AF_UNIX socket), freed by
	 * `release` when the last reference goes. */
	void *priv;
	void (*release)(struct file *f);
	/* Called at every close of a descriptor of it (close, dup2 over it,
	 * close-on-exec) by process `p`, as Linux's ->flush; may be NULL. */
	void (*flush)(struct file *f, struct process *p);
	/* write(2) of a synthesized file that changes the sandbox (a
	 * /proc/sys parameter: fs/procfs-sys.c), instead of the host write;
	 * NULL for every other file. Bytes taken or -errno. */
	long (*write)(struct task *t, struct file *f, uint64_t buf, size_t count);
	/* An epoll instance that has had an EPOLLEXCLUSIVE registration: its
	 * waits are real host epoll_waits (syscalls/sys_poll.c). */
	bool epoll_exclusive;
	/* An open /proc/PID/mounts or mountinfo: its watch (mount-watch.c),
	 * whose fd poll, select and epoll wait on; NULL for other files. */
	struct mount_watch *mwatch;
	bool tty;	/* a host terminal (job control in tty.c) */
	dev_t tty_rdev; /* its device number */
};

struct fd_slot {
	struct file *file;
	bool cloexec;
};

struct fd_table {
	int refs;
	struct fd_slot *slots;
	int size;
	struct lock_desc **locks; /* the sentry's POSIX lock descriptions (fd.c) */
};

struct fs_info {
	int refs;
	char *cwd; /* sandbox path, canonical */
	/* chroot(2): the process's root as a canonical sandbox path and an
	 * O_PATH host fd of it; NULL and -1 while it is the sandbox's root. */
	char *root;
	int root_fd;
	/* openat2's RESOLVE_* flags, only while one lookup runs with them. */
	uint64_t resolve;
	mode_t umask;
};

/* ---- files (fd.c) ---- */
struct file *file_new_host(int host_fd, const char *path);
/* A host fd the sentry created O_NONBLOCK for the program (pipes, sockets);
 * `nonblock` is what the program asked for. */
struct file *file_new_nonblocking(int host_fd, bool nonblock);
/* The program's view of O_NONBLOCK on `f`. */
bool file_is_nonblocking(const struct file *f);
struct file *file_get(struct file *f);
void file_put(struct file *f);
struct fd_table *fd_table_new(struct sentry *s);
struct fd_table *fd_table_copy(const struct fd_table *src);
void fd_table_put(struct fd_table *t);
/* Install `f` (takes the reference) at the lowest free fd >= minfd. fd or -EMFILE. */
int fd_install(struct task *t, struct file *f, bool cloexec, int minfd);
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
struct file *fd_lookup(struct task *t, int fd);
/* The first open file of any task of the sandbox for which match(f, key)
 * holds, or NULL. Only files with a host fd are offered. */
struct file *file_find(struct sentry *s, bool (*match)(struct file *f, const void *key),
		       const void *key);
/* Host fd behind a program fd, or -EBADF. */
int fd_host(struct task *t, int fd);
int fd_close(struct task *t, int fd);
/* Close the close-on-exec fds of the table of `p`, which execs. */
void fd_close_on_exec(struct fd_table *ft, struct process *p);

/* ---- pidfds (pidfd.c) ---- */
/* A new pidfd file for sandbox process `pid` (-ESRCH if there is none) in
 * *out: 0 or -errno. */
long pidfd_new(struct task *t, pid_t pid, bool nonblock, struct file **out);
/* The pid a pidfd refers to (its file in *out if out), or -EBADF when fd
 * is not an open pidfd. */
pid_t pidfd_pid(struct task *t, int fd, struct file **out);
/* Process `pid` has exited: its pidfds become readable. */
void pidfd_notify_exit(struct sentry *s, pid_t pid);
/* ioctl PIDFD_GET_INFO on pidfd `f`, with the struct's size from the request. */
long pidfd_get_info(struct task *t, struct file *f, uint64_t arg, size_t usize);

/* ---- userfaultfd (userfaultfd.c) ---- */
/* Requests newer than some hosts' headers (Linux 6.6 and 6.8). */
#ifndef UFFDIO_MOVE
#define UFFDIO_MOVE _IOC(_IOC_READ | _IOC_WRITE, 0xAA, 0x05, 40)
#endif
#ifndef UFFDIO_POISON
#define UFFDIO_POISON _IOC(_IOC_READ | _IOC_WRITE, 0xAA, 0x08, 32)
#endif
/* userfaultfd(2) (`device`: USERFAULTFD_IOC_NEW of /dev/userfaultfd, which
 * needs no further right): a host uffd bound to the caller's address
 * space, installed as a program fd. fd or -errno. */
long uffd_create(struct task *t, int flags, bool device);
/* Whether `f` is a userfaultfd / the host's /dev/userfaultfd. */
bool uffd_is(const struct file *f);
bool uffd_is_device(const struct file *f);
/* A UFFDIO_* request on userfaultfd `f`: 0 or -errno, as Linux. */
long uffd_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg);

/* ---- POSIX record locks (fd.c) ----
 * Every host lock is taken by the one sentry process, so the host alone
 * would see one owner for all of the sandbox. A POSIX lock's owner in
 * Linux is the fd table (files_struct): for each (fd table, regular file)
 * that locks, the sentry opens its own host open file description of the
 * file and takes OFD locks on it. OFD locks conflict between descriptions
 * and with POSIX and flock locks as POSIX locks between processes do, and
 * belong to no host process. Closing any of the table's fds for the file
 * (close, dup2 over it, close-on-exec) or the table's end (exit) closes
 * that description and so drops its locks, as Linux drops a process's
 * POSIX locks. */
/* The lock description of t's fd table for `f` (created if `create`), or
 * -errno; -ENOENT: none yet. */
int posix_lock_fd(struct task *t, struct file *f, bool create);
/* The sandbox pid owning a lock that `l` reports (F_OFD_GETLK on
 * `asker`, l_pid -1), found among the other tables' descriptions of the
 * same file, or -1. */
pid_t posix_lock_holder(struct sentry *s, int asker, const struct flock *l);

/* ---- file owners and SIGIO (fown.c) ---- */
/* Install the host signal handler and pipe (once, at start-up). */
void fown_setup(void);
/* F_SETOWN / F_SETOWN_EX: 0, -EINVAL or -ESRCH. */
int fown_set(struct task *t, struct file *f, int fd, int type, pid_t pid);
/* O_ASYNC, F_SETLEASE, F_NOTIFY: have the host report `f` to the sentry;
 * the last two make the caller's process the owner, as in Linux. */
int fown_arm_for(struct task *t, struct file *f, int fd, bool make_caller_owner);
/* Deliver what the host reported since the last call. */
void fown_take(struct sentry *s);

/* ---- paths (path.c) ---- */
/* A dirfd for the path functions: `path` is a sandbox path the sentry
 * holds (a cwd, an exe, a procfs target), taken as it is, not a path the
 * program wrote, which an absolute path under chroot(2) would be. */
#define PATH_AT_SANDBOX (-10001)
/* Sandbox-absolute form of (dirfd, path): 0 or -errno. *out is malloc'ed.
 * The program's absolute paths start at its root (chroot). */
int path_absolute(struct task *t, int dirfd, const char *path, char **out);
/* A sandbox path as task `t` names it: below its chroot root, the rest
 * from there; elsewhere unchanged (as Linux's d_path). malloc'ed. */
char *path_visible(const struct task *t, const char *sandbox_path);
/* Whether `sandbox_path` lies outside the root of `t` (chroot). */
bool path_outside_root(const struct task *t, const char *sandbox_path);
/* Whether a live address space runs the file (dev, ino) (task.c): Linux
 * refuses to open it for writing (ETXTBSY). */
bool exe_in_use(struct sentry *s, dev_t dev, ino_t ino);
/* Whether a file of the sandbox has (dev, ino) open for writing: Linux
 * refuses to execute it (ETXTBSY). */
bool file_open_for_writing(struct sentry *s, dev_t dev, ino_t ino);
/* chroot(2) for the process of `t` to the directory open as `dir`. */
long path_set_root(struct task *t, struct file *dir);
/* openat2: path_open_file under openat2's RESOLVE_* flags (checked by
 * the caller): 0 or -errno (EXDEV, ELOOP as Linux). */
int path_open_resolve(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		      uint64_t resolve, struct file **out);
/* Open a sandbox path, confined to the root (emulated /proc entries
 * included): a new struct file in *out, 0 or -errno. */
int path_open_file(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		   struct file **out);
/* The same, as a host fd of the sentry's (O_CLOEXEC) or -errno. */
int path_open(struct task *t, int dirfd, const char *path, int flags, mode_t mode);
/* Resolve everything but the last component: parent host fd (O_PATH) and
 * the last name (in `last`, NAME_MAX+1 bytes). 0 or -errno. */
int path_parent(struct task *t, int dirfd, const char *path, int *parent_fd, char *last);
/* unlink/rmdir of a mount point: EBUSY, or EROFS (mount_point_busy). */
int path_removable(struct task *t, int dirfd, const char *path);
/* Map a host path back into the sandbox ("" prefix stripped), malloc'ed. */
char *path_from_host(struct sentry *s, const char *host_path);
/* Host path of a host fd (readlink of /proc/self/fd/N), malloc'ed or NULL. */
char *host_path_of_fd(int host_fd);
/* Sandbox path of a host fd, malloc'ed or NULL. */
char *path_of_host_fd(struct sentry *s, int host_fd);

/* ---- the mount table (mount.c) ---- */
struct mount {
	char *dest;		 /* normalized sandbox path */
	char *host;		 /* host path behind it ("" for the host's "/") */
	int fd;			 /* O_PATH fd of the host directory or file */
	int dir_fd;		 /* is_file: O_PATH fd of its host directory, or -1 */
	bool readonly;		 /* every write fails with EROFS */
	bool is_file;		 /* a file mounted on a file */
	bool tmpfs;		 /* a private directory (size reported by statfs) */
	unsigned long long size; /* tmpfs size=, 0: none */
	char *type, *source;	 /* as /proc/mounts lists them */
	bool expired;		 /* umount2(MNT_EXPIRE) marked it */
};
struct mount_table {
	struct mount *v; /* v[0] is the root */
	size_t n;
	bool any_readonly; /* some entry is read-only: set as entries are added,
			    * counted again when one changes or goes */
	char *private_dir; /* tmpfs and empty views: host path, or NULL */
	int private_fd;	   /* O_PATH fd of private_dir, or -1 */
	int private_mnt;   /* the detached tmpfs's fsmount fd, or -1 */
	size_t next_dir;
	int cleanup_fd; /* fallback: the helper removes private_dir at its EOF, or -1 */
	pid_t cleanup_pid;
	uint64_t changes;	     /* mounts, umounts, moves, remounts so far */
	struct mount_watch *watches; /* open mounts files (mount-watch.c) */
};
struct mount_options {
	bool readonly, bind;
	int mode;		 /* mode=, octal; -1: none */
	unsigned long long size; /* size= in bytes (k, m, g suffixes); 0: none */
};
/* Pure parts. `abs` with "." and ".." folded, "//" collapsed (malloc'ed);
 * what follows `prefix` in `path` ("" if equal) or NULL if not below it;
 * options (ro, rw, bind, rbind, mode=, size=; others ignored) or -EINVAL;
 * the entry whose dest is the longest prefix of `norm` (later wins). */
char *mount_normalize(const char *abs);
const char *mount_below(const char *path, const char *prefix);
int mount_parse_options(const char *const *opts, struct mount_options *out);
size_t mount_lookup(const struct mount_table *mt, const char *norm, const char **rest);
/* The table from s->cfg (root, mounts, readonly and masked paths); at
 * the end, every fd closed and the private directory removed. */
int mount_table_build(struct sentry *s, struct error *e);
void mount_table_release(struct sentry *s);
/* Open a sandbox path through the table (confined to its mount). */
int mount_open(struct sentry *s, const char *abs, int flags, mode_t mode);
/* If `abs` is a mount point: the (parent fd, last name) that names it,
 * 0 or -errno; 1 if it is not one. */
int mount_point_parent(struct sentry *s, const char *abs, int *parent_fd, char *last);
/* Removing the normalized sandbox path `norm`: -EBUSY if it is a mount
 * point, -EROFS if also in a read-only mount, else 0. */
int mount_point_busy(struct sentry *s, const char *norm);
/* Whether the mount holding host fd's file is read-only. */
bool mount_fd_readonly(struct sentry *s, int host_fd);
/* The sandbox path of a host path (malloc'ed). */
char *mount_from_host(struct sentry *s, const char *host);
/* /proc/mounts lines (or mountinfo's). */
void mount_format(struct sentry *s, struct strbuf *sb, bool info);
/* mount-watch.c: poll and epoll on an open mounts file. Attach a watch
 * to `f` (its host fd a memfd of the table's text, mountinfo's if
 * `info`); nothing if one cannot be made. */
void mount_watch_attach(struct sentry *s, struct file *f, bool info);
/* The table changed: rewrite every watched file, wake its pollers. */
void mount_table_changed(struct sentry *s);
/* poll's and select's revents for a watched file, from the host's: PRI and
 * ERR once per change, as Linux's poll reports (and clears) it. */
short mount_watch_revents(struct sentry *s, struct file *f, short host_revents);
/* The host fd poll, select and epoll wait on for f: its own, or its
 * watch's. */
int file_poll_fd(const struct file *f);
/* Whether the fd is in a tmpfs, and its size= (0: none), for statfs. */
bool mount_fd_tmpfs(struct sentry *s, int host_fd, unsigned long long *size);
/* The program's mount(2) and umount2(2) (mount-change.c): 0 or -errno. */
long mount_change(struct task *t, const char *source, const char *target, const char *type,
		  unsigned long flags, const char *data);
long mount_remove(struct task *t, const char *target, int flags);
/* Before the sentry's own filter: what a later mount(2) of the init's
 * program (or its children) needs. 0, or -1 with `e` set. */
int mount_prepare(struct sentry *s, const struct process *init, struct error *e);

#endif
