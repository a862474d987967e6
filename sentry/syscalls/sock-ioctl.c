/* Socket ioctls: SIOCATMARK and the interface queries (SIOCGIFCONF,
 * SIOCGIFFLAGS and the other SIOCGIF* reads).
 *
 * A program's sockets are host sockets in the network namespace the
 * sandbox was given (docs/design.md, "Network namespace"), so the host's
 * answer on the socket's own fd is the sandbox's: the sentry copies the
 * program's struct in, asks the host, and copies the answer out. Setting
 * an interface (SIOCSIF*) changes the network beyond the sandbox: it needs
 * CAP_NET_ADMIN, which the sentry never keeps, so it is EPERM once the
 * argument has been read (EFAULT first, as Linux copies it in first).
 *
 * Threats: the program's pointers (ifc_buf is one more: its length is
 * capped, and it is read and written only through task_read/task_write);
 * nothing but these read-only requests reaches the host.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls-internal.h"

/* More interfaces than any sandbox has: struct ifreq is 40 bytes. */
#define IFCONF_MAX (1024 * sizeof(struct ifreq))

static bool is_socket(const struct file *f)
{
	struct stat st;
	return f->host_fd >= 0 && fstat(f->host_fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* SIOCGIFCONF: struct ifconf holds a pointer to the program's buffer.
 * With none (ifc_buf NULL) Linux answers the length needed. */
static long ifconf(struct task *t, int host, uint64_t arg)
{
	struct ifconf ifc;
	if (task_read(t, arg, &ifc, sizeof(ifc)) != 0)
		return -EFAULT;
	uint64_t user_buf = (uint64_t)(uintptr_t)ifc.ifc_buf;
	size_t len = ifc.ifc_len < 0 ? 0 : (size_t)ifc.ifc_len;
	if (len > IFCONF_MAX)
		len = IFCONF_MAX;
	cleanup_free char *buf = user_buf && len ? xcalloc(1, len) : NULL;
	struct ifconf mine = {.ifc_len = user_buf ? (int)len : 0, .ifc_buf = buf};
	if (ioctl(host, SIOCGIFCONF, &mine) != 0)
		return -errno;
	if (buf && mine.ifc_len > 0 && task_write(t, user_buf, buf, (size_t)mine.ifc_len) != 0)
		return -EFAULT;
	ifc.ifc_len = mine.ifc_len;
	return task_write(t, arg, &ifc, sizeof(ifc)) == 0 ? 0 : -EFAULT;
}

/* A struct ifreq in, the host's answer out. */
static long ifreq_query(struct task *t, int host, unsigned long req, uint64_t arg)
{
	struct ifreq ifr;
	if (task_read(t, arg, &ifr, sizeof(ifr)) != 0)
		return -EFAULT;
	if (ioctl(host, req, &ifr) != 0)
		return -errno;
	return task_write(t, arg, &ifr, sizeof(ifr)) == 0 ? 0 : -EFAULT;
}

long sock_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg)
{
	if (!is_socket(f))
		return -ENOTTY;
	switch (req) {
	case SIOCATMARK: {
		/* The host answers first (ENOTTY on a datagram socket), then
		 * the int is written, as Linux's tcp_ioctl. */
		int at;
		if (ioctl(f->host_fd, SIOCATMARK, &at) != 0)
			return -errno;
		return task_write(t, arg, &at, sizeof(at)) == 0 ? 0 : -EFAULT;
	}
	case SIOCGIFCONF:
		return ifconf(t, f->host_fd, arg);
	case SIOCGIFFLAGS:
	case SIOCGIFINDEX:
	case SIOCGIFNAME:
	case SIOCGIFMTU:
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFHWADDR:
		return ifreq_query(t, f->host_fd, req, arg);
	case SIOCSIFFLAGS:
	case SIOCSIFMTU:
	case SIOCSIFADDR:
	case SIOCSIFNAME: {
		struct ifreq ifr;
		return task_read(t, arg, &ifr, sizeof(ifr)) != 0 ? -EFAULT : -EPERM;
	}
	default:
		return -ENOTTY;
	}
}
