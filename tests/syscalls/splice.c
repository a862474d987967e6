/* splice, tee and vmsplice: between files and pipes, pipe to pipe, with
 * offsets, blocking until data comes, and the errors. */
#include <sys/uio.h>

#include "probe.h"

static void show_read(const char *label, int fd)
{
	char buf[64] = {0};
	errno = 0;
	long n = read(fd, buf, sizeof buf - 1);
	if (n < 0)
		say("%s: -1 %s", label, errname(errno));
	else
		say("%s: %ld \"%s\"", label, n, buf);
}

/* A child that writes `text` to fd after a pause. */
static pid_t late_writer(int fd, const char *text)
{
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(100000);
		write(fd, text, strlen(text));
		_exit(0);
	}
	return k;
}

SYSCALL_TEST(splice)
{
	signal(SIGPIPE, SIG_IGN);
	put_file("f", "hello world");
	int f = open("f", O_RDWR), g = open("g", O_CREAT | O_RDWR, 0644);
	int p[2], q[2];
	pipe(p);
	pipe(q);
	loff_t off = 6;
	SHOW(splice(f, &off, p[1], NULL, 5, 0));
	say("offset now %lld, file position %ld", (long long)off, (long)lseek(f, 0, SEEK_CUR));
	SHOW(splice(f, NULL, p[1], NULL, 3, 0));
	SHOW(splice(p[0], NULL, q[1], NULL, 100, 0));
	SHOW(splice(q[0], NULL, g, NULL, 100, 0));
	say("g: %s", get_file("g"));
	SHOW(splice(-1, NULL, -1, NULL, 0, 0));
	SHOW(splice(f, NULL, p[1], NULL, 5, 0x100));
	SHOW(splice(-1, NULL, p[1], NULL, 5, 0));
	SHOW(splice(f, NULL, 99, NULL, 5, 0));
	SHOW(splice(f, NULL, g, NULL, 5, 0));
	SHOW(splice(p[0], &off, g, NULL, 5, 0));
	SHOW(splice(f, NULL, p[1], &off, 5, 0));
	SHOW(splice(f, BADPTR, p[1], NULL, 5, 0));
	SHOW(splice(p[0], NULL, g, NULL, 5, SPLICE_F_NONBLOCK));
	SHOW(splice(p[1], NULL, g, NULL, 5, 0));
	pid_t k = late_writer(p[1], "late");
	SHOW(splice(p[0], NULL, q[1], NULL, 100, 0));
	show_read("moved", q[0]);
	probe_wait("writer", k);
	close(q[0]);
	off = 0;
	SHOW(splice(f, &off, q[1], NULL, 5, 0));
	close(p[1]);
	SHOW(splice(p[0], NULL, g, NULL, 5, 0));
	int n[2];
	pipe2(n, O_NONBLOCK);
	SHOW(splice(n[0], NULL, g, NULL, 5, 0));
}

SYSCALL_TEST(tee)
{
	int p[2], q[2];
	pipe(p);
	pipe(q);
	write(p[1], "abc", 3);
	SHOW(tee(p[0], q[1], 10, 0));
	show_read("copy", q[0]);
	SHOW(tee(p[0], q[1], 2, 0));
	show_read("two bytes", q[0]);
	show_read("original", p[0]);
	SHOW(tee(p[0], q[1], 10, SPLICE_F_NONBLOCK));
	SHOW(tee(p[0], p[1], 10, 0));
	SHOW(tee(p[0], q[1], 10, 0x100));
	SHOW(tee(p[0], q[1], 0, 0));
	SHOW(tee(-1, q[1], 10, 0));
	put_file("f", "data");
	int f = open("f", O_RDWR);
	SHOW(tee(f, q[1], 10, 0));
	SHOW(tee(p[0], f, 10, 0));
	pid_t k = late_writer(p[1], "late");
	SHOW(tee(p[0], q[1], 10, 0));
	show_read("copy", q[0]);
	show_read("original", p[0]);
	probe_wait("writer", k);
	close(p[1]);
	SHOW(tee(p[0], q[1], 10, 0));
}

SYSCALL_TEST(vmsplice)
{
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	pipe(p);
	struct iovec in[2] = {{"hello ", 6}, {"pipe", 4}};
	SHOW(vmsplice(p[1], in, 2, SPLICE_F_GIFT));
	show_read("read", p[0]);
	write(p[1], "xyz", 3);
	char a[2] = {0}, b[8] = {0};
	struct iovec out[2] = {{a, 1}, {b, 7}};
	SHOW(vmsplice(p[0], out, 2, 0));
	say("into memory: %s|%s", a, b);
	SHOW(vmsplice(p[0], out, 2, SPLICE_F_NONBLOCK));
	SHOW(vmsplice(p[1], in, 2, 0x100));
	SHOW(vmsplice(p[1], in, 0, 0));
	SHOW(vmsplice(p[1], BADPTR, 1, 0));
	SHOW(vmsplice(p[1], in, 2000, 0));
	SHOW(vmsplice(-1, in, 1, 0));
	put_file("f", "data");
	int f = open("f", O_WRONLY);
	SHOW(vmsplice(f, in, 1, 0));
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(100000);
		write(p[1], "late", 4);
		_exit(0);
	}
	memset(b, 0, sizeof b);
	SHOW(vmsplice(p[0], out, 2, 0));
	say("late: %s|%s", a, b);
	probe_wait("writer", k);
	int full[2];
	pipe2(full, O_NONBLOCK);
	static char big[4096];
	while (write(full[1], big, sizeof big) > 0)
		;
	SHOW(vmsplice(full[1], in, 1, SPLICE_F_NONBLOCK));
	close(full[0]);
	SHOW(vmsplice(full[1], in, 1, SPLICE_F_NONBLOCK));
	close(p[1]);
	SHOW(vmsplice(p[0], out, 2, 0));
}
