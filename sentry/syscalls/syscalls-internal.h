/* Private to sentry/syscalls/: helpers that the handler files of one family
 * share (the file syscalls: sys_file.c, sys_rw.c, sys_stat.c, sys_attr.c,
 * sys_dir.c; the socket syscalls: sys_socket.c, sys_sockmsg.c). Other
 * folders use syscalls.h only.
 */
#ifndef MSENTRY_SENTRY_SYSCALLS_INTERNAL_H
#define MSENTRY_SENTRY_SYSCALLS_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

/* A host call's result as a syscall result: -errno when it failed. */
static inline long ret_errno(long r)
{
	return r < 0 ? -errno : r;
}

/* prctl's PR_SET_SECCOMP and PR_GET_SECCOMP (sys_seccomp.c). */
long seccomp_prctl(struct task *t, const uint64_t *a);

/* ---- where a file syscall acts (at-target.c) ---- */

/* Where a *at operation acts: (dirfd, name) for the host call, with
 * AT_EMPTY_PATH added when the target was opened whole. */
struct at_target {
	int dirfd;
	int owned; /* fd to close afterwards, or -1 */
	int flags; /* AT_* flags for the host call */
	char name[NAME_MAX + 1];
};

static inline void at_target_release(struct at_target *tg)
{
	if (tg->owned >= 0)
		close(tg->owned);
}
#define cleanup_at_target __attribute__((cleanup(at_target_release)))

/* Resolve the program's (dirfd, path at `path_addr`, AT_SYMLINK_NOFOLLOW
 * and AT_EMPTY_PATH of `at_flags`) into *tg. 0 or -errno; release *tg
 * (cleanup_at_target) either way. */
int at_target_resolve(struct task *t, int dirfd, uint64_t path_addr, int at_flags,
		      struct at_target *tg);
/* -EROFS if a host fd (a file, or the directory an entry is made or
 * removed in) is in a read-only mount, else 0. */
static inline int fd_writable(struct task *t, int host_fd)
{
	return mount_fd_readonly(t->s, host_fd) ? -EROFS : 0;
}
/* The host path that names an at_target for calls without *at forms. */
void at_target_magic(const struct at_target *tg, char *buf, size_t len);

/* ---- sockets (sys_socket.c), shared with sys_sockmsg.c ---- */

/* The socket behind program fd `fd`, or NULL with *err = -EBADF/-ENOTSOCK. */
struct file *sock_file(struct task *t, int fd, long *err);
/* sock-ioctl.c: SIOCATMARK and the SIOC*IF* interface requests on a socket. */
long sock_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg);
/* sock-peer.c: record the caller's credentials on a socket; SO_PEERCRED of
 * `f` in the sandbox's terms (0 or -errno). */
void sock_cred_record(struct task *t, struct file *f);
long sock_peer_cred(struct task *t, struct file *f, struct ucred *out);
/* The operation would block: `on_timeout` (EAGAIN, or EINPROGRESS for
 * connect) for a nonblocking caller, else wait for `events` with the
 * socket's SO_RCVTIMEO/SO_SNDTIMEO (`timeo_opt`) as deadline, ending with
 * `on_timeout` when it passes. */
long sock_wait(struct task *t, struct file *f, int flags, short events, int timeo_opt,
	       long on_timeout);

/* A program address in host form; `tmpfd` (if >= 0) backs its name. */
struct host_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int tmpfd;
};

static inline void host_addr_release(struct host_addr *ha)
{
	if (ha->tmpfd >= 0)
		close(ha->tmpfd);
}
#define cleanup_host_addr __attribute__((cleanup(host_addr_release)))

struct unix_name;
/* Read a program address for socket `f` into *ha, usable by the host
 * (on AF_UNIX sockets, AF_UNIX names become paths through the sentry's
 * /proc/self/fd). For bind (`bind_name`) the name's parent directory is
 * returned in *bound. */
int sock_addr_in(struct task *t, struct file *f, uint64_t addr, uint64_t len, bool bind_name,
		 struct host_addr *ha, struct unix_name **bound);
/* Give an address to the program: at most `cap` bytes at `addr`; the full
 * length goes to *outlen. */
int sock_addr_out(struct task *t, struct sockaddr_storage *ss, socklen_t len, uint64_t addr,
		  socklen_t cap, socklen_t *outlen);
/* The (addr, addrlen pointer) pair of accept, getsockname, recvfrom... */
int sock_addr_out_lenp(struct task *t, struct sockaddr_storage *ss, socklen_t len, uint64_t addr,
		       uint64_t lenp);

/* Open `held_fd` (an O_PATH fd of the file, taken) again with `flags` in a
 * blocking open on a helper thread, as a leased file or a FIFO waits in
 * Linux (sys_open.c); on the syscall's restart, task_offload_interruptible
 * (t, NULL, NULL) gives the fd or -errno. */
long open_wait_blocking(struct task *t, int held_fd, int flags);

#endif
