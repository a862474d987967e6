/* fs: file-system concepts above the kernel's fd table and paths.
 *  - io.c: moving bytes between host fds and program memory (read, write,
 *    their vectored forms), shared by file and socket syscalls;
 *  - procfs.c: the program's view of /proc (its own pids, /proc/self...),
 *    reached by the kernel's path resolution through the synthetic_open hook.
 */
#ifndef MSENTRY_SENTRY_FS_H
#define MSENTRY_SENTRY_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct task;
struct file;

/* Host fd <-> program memory. `off` NULL: use the file position.
 * Return bytes moved or -errno. */
long io_read(struct task *t, int fd, uint64_t buf, size_t count, const off_t *off);
long io_write(struct task *t, int fd, uint64_t buf, size_t count, const off_t *off);
long io_readv(struct task *t, int fd, uint64_t iov, int cnt, const off_t *off);
long io_writev(struct task *t, int fd, uint64_t iov, int cnt, const off_t *off);
/* io_writev without the first `skip` bytes of the vectors (a blocking
 * writev going on after a short host write). */
long io_writev_skip(struct task *t, int fd, uint64_t iov, int cnt, const off_t *off, size_t skip);
/* Read and validate a program iovec array. 0 or -errno; *out malloc'ed. */
int io_read_iovec(struct task *t, uint64_t addr, int cnt, struct iovec **out, size_t *total);

/* ---- devpts (devpts.c): the program's view of a devpts mount ---- */
/* As procfs_open, for the ptys the sandbox holds below a devpts mount. */
bool devpts_open(struct task *t, const char *abs, int flags, struct file **out, int *err);
/* If `abs` names an entry below a devpts mount (not the directory):
 * true, with *fd its host fd opened with `flags`, or -errno. */
bool devpts_node(struct task *t, const char *abs, int flags, int *fd);

/* ---- procfs (procfs.c): the program's view of /proc ---- */
/* If `abs` is one of the emulated /proc paths, open it into *out and
 * return true (*err = 0 or -errno); false: not procfs's. The kernel's
 * synthetic_open hook. */
bool procfs_open(struct task *t, const char *abs, int flags, struct file **out, int *err);
bool procfs_readlink(struct task *t, const char *abs, char *buf, size_t len, long *result);
bool procfs_is_emulated(struct task *t, const char *abs);
/* ioctl(PROCMAP_QUERY) on file f (procfs-mapquery.c): 0, -errno, or
 * -ENOTTY if f is not a /proc/PID/maps file. */
long procfs_map_query(struct task *t, struct file *f, uint64_t arg);
/* The kernel's synthetic_link hook: what a path walk meets at `abs`. */
bool procfs_walk_link(struct task *t, const char *abs, char *buf, size_t len, long *result);

#endif
