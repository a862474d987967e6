/* inotify: an instance's flags, watches on paths in the test directory,
 * events read back (wd, mask, name), readiness (poll, epoll, FIONREAD),
 * a blocking read, removing watches, and the errors. */
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include "probe.h"

/* Read what is queued and print each event. */
static void show_events(const char *label, int fd)
{
	char buf[4096] __attribute__((aligned(8)));
	errno = 0;
	long n = read(fd, buf, sizeof buf);
	if (n < 0) {
		say("%s: -1 %s", label, errname(errno));
		return;
	}
	for (long at = 0; at < n;) {
		struct inotify_event *e = (struct inotify_event *)(buf + at);
		say("%s: wd %d mask %#x cookie %s name \"%s\"", label, e->wd, e->mask,
		    e->cookie ? "set" : "0", e->len ? e->name : "");
		at += (long)sizeof(*e) + e->len;
	}
}

static void ready(const char *label, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int avail = -1;
	ioctl(fd, FIONREAD, &avail);
	say("%s: poll %d, FIONREAD > 0: %d", label, poll(&p, 1, 0), avail > 0);
}

SYSCALL_TEST(inotify_init1)
{
	SHOW(inotify_init1(0x1));
	int fd = SHOW(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	say("%s, O_NONBLOCK %d", fd_state(fd), (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	show_events("empty", fd);
	ready("empty", fd);
	mkdir("d", 0755);
	SHOW(inotify_add_watch(fd, "d", IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVE));
	put_file("d/x", "data");
	rename("d/x", "d/y");
	unlink("d/y");
	ready("events", fd);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, got;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	SHOW(epoll_wait(ep, &got, 1, 0));
	char small[8];
	SHOW(read(fd, small, sizeof small));
	show_events("d", fd);
	SHOW(epoll_wait(ep, &got, 1, 0));
	int plain = SHOW(inotify_init1(0));
	say("%s, O_NONBLOCK %d", fd_state(plain), (fcntl(plain, F_GETFL) & O_NONBLOCK) != 0);
	SHOW(inotify_add_watch(plain, ".", IN_CREATE));
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(100000);
		put_file("late", "");
		_exit(0);
	}
	show_events("blocking", plain);
	probe_wait("creator", k);
}

SYSCALL_TEST(inotify_init)
{
	int fd = SHOW(inotify_init());
	say("%s, O_NONBLOCK %d", fd_state(fd), (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	SHOW(inotify_add_watch(fd, ".", IN_CREATE));
	put_file("new", "");
	show_events("created", fd);
}

SYSCALL_TEST(inotify_add_watch)
{
	int fd = inotify_init1(IN_NONBLOCK);
	put_file("file", "x");
	mkdir("dir", 0755);
	symlink("file", "link");
	SHOW(inotify_add_watch(fd, "file", 0));
	SHOW(inotify_add_watch(fd, "file", IN_MASK_ADD | IN_MASK_CREATE | IN_MODIFY));
	SHOW(inotify_add_watch(-1, "file", IN_MODIFY));
	SHOW(inotify_add_watch(0, "file", IN_MODIFY));
	SHOW(inotify_add_watch(fd, "missing", IN_MODIFY));
	SHOW(inotify_add_watch(fd, BADPTR, IN_MODIFY));
	SHOW(inotify_add_watch(fd, "", IN_MODIFY));
	SHOW(inotify_add_watch(fd, "file", IN_MODIFY | IN_ONLYDIR));
	SHOW(inotify_add_watch(fd, "dir", IN_CREATE | IN_ONLYDIR));
	SHOW(inotify_add_watch(fd, "file", IN_MODIFY));
	SHOW(inotify_add_watch(fd, "link", IN_ATTRIB));
	SHOW(inotify_add_watch(fd, "file", IN_MODIFY | IN_MASK_CREATE));
	SHOW(inotify_add_watch(fd, "link", IN_ATTRIB | IN_DONT_FOLLOW));
	SHOW(inotify_add_watch(fd, "dir/../file", IN_OPEN | IN_MASK_ADD));
	int w = open("file", O_WRONLY | O_APPEND);
	write(w, "y", 1);
	close(w);
	chmod("file", 0600);
	show_events("file", fd);
	SHOW(inotify_add_watch(fd, "file", IN_MODIFY | IN_ONESHOT));
	w = open("file", O_WRONLY | O_APPEND);
	write(w, "z", 1);
	write(w, "z", 1);
	close(w);
	show_events("oneshot", fd);
}

SYSCALL_TEST(inotify_rm_watch)
{
	int fd = inotify_init1(IN_NONBLOCK);
	mkdir("d", 0755);
	int wd = SHOW(inotify_add_watch(fd, "d", IN_CREATE));
	SHOW(inotify_rm_watch(fd, wd));
	show_events("removed", fd);
	SHOW(inotify_rm_watch(fd, wd));
	SHOW(inotify_rm_watch(fd, 12345));
	SHOW(inotify_rm_watch(-1, wd));
	SHOW(inotify_rm_watch(0, wd));
	put_file("d/x", "");
	show_events("after", fd);
	wd = SHOW(inotify_add_watch(fd, "d", IN_CREATE));
	unlink("d/x");
	rmdir("d");
	show_events("deleted dir", fd);
}
