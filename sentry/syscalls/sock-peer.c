/* SO_PEERCRED: the credentials of a socket's peer, in the sandbox's terms.
 *
 * Linux records credentials on a socket when it is made by socketpair()
 * (the creator's, for both ends), when it listens (the listener's, which a
 * connecting client then sees) and when it connects (the connector's, which
 * the server sees on the accepted socket). On the host every one of these
 * sockets is the sentry's, so the host answers the sentry's pid and
 * uid for any peer inside the sandbox: a host pid the program must not see,
 * and the wrong user once the sandbox has its own.
 *
 * So each socket's struct file keeps the credentials Linux would have
 * recorded on it (sock_cred_record, at socketpair, listen, connect and
 * accept), and SO_PEERCRED finds the peer's struct file: the host tells
 * the peer's inode through sock_diag (UDIAG_SHOW_PEER), and the sandbox's
 * socket with that inode holds the answer. A client that asks before the
 * server accepted has no such file yet: the listener bound to the name it
 * connected to answers, as in Linux. A peer outside the sandbox is named
 * pid 0 (outside the sandbox's pid namespace), uid and gid as the host
 * says.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls-internal.h"

void sock_cred_record(struct task *t, struct file *f)
{
	f->sock_cred =
	    (struct ucred){.pid = t->proc->pid, .uid = t->proc->euid, .gid = t->proc->egid};
}

/* The inode of the peer of the AF_UNIX socket with inode `ino`, or 0. */
static unsigned peer_inode(unsigned ino)
{
	cleanup_close int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return 0;
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
	    .nlh = {.nlmsg_len = sizeof(req),
		    .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		    .nlmsg_flags = NLM_F_REQUEST},
	    .r = {.sdiag_family = AF_UNIX,
		  .udiag_states = ~0u,
		  .udiag_ino = ino,
		  .udiag_show = UDIAG_SHOW_PEER,
		  .udiag_cookie = {~0u, ~0u}},
	};
	if (send(nl, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return 0;
	union {
		struct nlmsghdr nlh;
		char bytes[4096];
	} buf;
	ssize_t n = recv(nl, &buf, sizeof(buf), 0);
	struct nlmsghdr *h = &buf.nlh;
	if (n < (ssize_t)sizeof(*h) || !NLMSG_OK(h, (size_t)n) ||
	    h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;
	struct unix_diag_msg *m = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	for (struct rtattr *a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(unsigned))
			return *(unsigned *)RTA_DATA(a);
	return 0;
}

/* Sockets with recorded credentials only: the ones SO_PEERCRED can name. */
static bool has_inode(struct file *g, const void *key)
{
	struct stat st;
	return g->sock_cred.pid && fstat(g->host_fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       st.st_ino == *(const unsigned *)key;
}

/* A listening socket bound to the host name `key` (a sockaddr_un). */
static bool listens_at(struct file *g, const void *key)
{
	const struct sockaddr_un *want = key;
	struct sockaddr_un su;
	socklen_t len = sizeof(su);
	int listening = 0;
	socklen_t ilen = sizeof(listening);
	return g->sock_cred.pid &&
	       getsockopt(g->host_fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) == 0 &&
	       listening && getsockname(g->host_fd, (struct sockaddr *)&su, &len) == 0 &&
	       su.sun_family == AF_UNIX && strcmp(su.sun_path, want->sun_path) == 0;
}

long sock_peer_cred(struct task *t, struct file *f, struct ucred *out)
{
	socklen_t len = sizeof(*out);
	if (getsockopt(f->host_fd, SOL_SOCKET, SO_PEERCRED, out, &len) != 0)
		return -errno;
	if (out->pid != getpid()) {
		out->pid = 0; /* outside the sandbox */
		return 0;
	}
	struct stat st;
	struct file *peer = NULL;
	if (fstat(f->host_fd, &st) == 0) {
		unsigned ino = peer_inode((unsigned)st.st_ino);
		peer = ino ? file_find(t->s, has_inode, &ino) : NULL;
	}
	if (!peer) {
		struct sockaddr_un su;
		len = sizeof(su);
		memset(&su, 0, sizeof(su));
		if (getpeername(f->host_fd, (struct sockaddr *)&su, &len) == 0 &&
		    su.sun_family == AF_UNIX && su.sun_path[0])
			peer = file_find(t->s, listens_at, &su);
	}
	if (peer)
		*out = peer->sock_cred;
	else
		out->pid = 0;
	return 0;
}
