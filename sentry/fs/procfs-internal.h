/* procfs-internal.h: what procfs.c and procfs-task.c share. */
#ifndef MSENTRY_SENTRY_FS_PROCFS_INTERNAL_H
#define MSENTRY_SENTRY_FS_PROCFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/kernel/files.h"
#include "util/util.h"

/* A memfd holding `sb`'s bytes, positioned at 0: a host fd or -errno. */
int procfs_memfd_with(const struct strbuf *sb);
/* A synthetic directory listing (entries added with procfs_dir_add). */
struct file *procfs_dir_new(const char *path);
void procfs_dir_add(struct file *f, const char *name, unsigned char type, uint64_t ino);
/* A listing of t's fds (fd/, fdinfo/): entries of `type`, inodes from
 * ino_base. */
struct file *procfs_fd_list(struct task *t, const char *abs, unsigned char type, uint64_t ino_base);

/* The listing of a process directory (/proc/PID/). */
struct file *procfs_self_dir(const char *abs);

/* The label maps gives a mapping of t's ("[heap]", "[vdso]"...) at
 * `start` with host path `path`, or NULL to show its path. */
const char *procfs_map_label(struct task *t, uint64_t start, const char *path);
/* The task whose maps `abs` (/proc/self/maps, /proc/PID/maps, the
 * thread-self and task/TID forms) is, as seen by t; NULL if it is none. */
struct task *procfs_maps_owner(struct task *t, const char *abs);

/* ---- procfs-zombie.c: /proc/PID of a process not yet waited for ---- */
/* Open entry `rest` ("" for the directory) of zombie `z`: 0 with *out,
 * or -errno. */
int procfs_zombie_open(struct task *t, const struct process *z, const char *abs, const char *rest,
		       int flags, struct file **out);
/* readlink of its entry `rest`: -ENOENT for a link, -EINVAL for the rest. */
long procfs_zombie_readlink(const char *rest);
/* Add every zombie of the sandbox to the /proc listing `dir`. */
void procfs_zombie_list(struct task *t, struct file *dir);

/* ---- procfs-sys.c: the IPC namespace's /proc/sys parameters ---- */
/* If `abs` is one of them, open it into *out (*err 0) or refuse (*err
 * -errno) and return true; false: not one of them. */
bool procfs_sys_open(struct task *t, const char *abs, int flags, struct file **out, int *err);

/* ---- procfs-task.c: per-task entries ---- */
/* The state letter of /proc/PID/stat (R, S, T...) of task `t`. */
char procfs_task_state(const struct task *t);
/* "R (running)" and friends, for status. */
const char *procfs_task_state_name(char state);
/* If `*rest` is "task/TID[/...]" (TID a thread of who's process), set
 * *thread and advance *rest past it ("" for the thread's directory).
 * *thread is `who` and *rest unchanged for anything else. 0 or -ENOENT. */
int procfs_task_resolve(struct task *who, const char **rest, struct task **thread);
/* Open the per-task entries that are directories or special here: task/,
 * ns/ and ns/NAME, fdinfo/ and fdinfo/N. 0 with *out, -errno, or -ENOTSUP
 * when `rest` is none of them. */
int procfs_task_open(struct task *who, const char *abs, const char *rest, struct file **out);
/* readlink of ns/NAME: true if `rest` is one (then *result is set). */
bool procfs_task_readlink(struct task *who, const char *rest, char *buf, size_t len, long *result);

#endif
