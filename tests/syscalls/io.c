/* Reading and writing: plain, positional, vectored, and the copies between
 * fds the kernel does itself. */
#include <limits.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

#include "probe.h"

SYSCALL_TEST(read)
{
	char b[32] = {0};
	put_file("f", "0123456789");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_read, fd, b, 4));
	say("read: %s", b);
	SHOW(syscall(SYS_read, fd, b, 0));
	memset(b, 0, sizeof b);
	SHOW(syscall(SYS_read, fd, b, sizeof b));
	say("rest: %s", b);
	SHOW(syscall(SYS_read, fd, b, sizeof b));
	lseek(fd, 0, SEEK_SET);
	SHOW(syscall(SYS_read, fd, BADPTR, 4));
	SHOW(syscall(SYS_read, 99, b, 4));
	int w = open("f", O_WRONLY);
	SHOW(syscall(SYS_read, w, b, 4));
	int d = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_read, d, b, 4));
	/* A read of a pipe returns what is there, then EOF after the writer
	 * closes. */
	int p[2];
	pipe(p);
	write(p[1], "ab", 2);
	SHOW(syscall(SYS_read, p[0], b, sizeof b));
	close(p[1]);
	SHOW(syscall(SYS_read, p[0], b, sizeof b));
	/* A big read crossing page boundaries. */
	static char big[3 * 4096 + 100];
	int bf = open("big", O_CREAT | O_RDWR, 0644);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	write(bf, big, sizeof big);
	memset(big, 0, sizeof big);
	lseek(bf, 0, SEEK_SET);
	SHOW(syscall(SYS_read, bf, big, sizeof big));
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof big; i++)
		sum = sum * 31 + (unsigned char)big[i];
	say("checksum %u", sum);
	/* A buffer whose second page is not mapped: a partial read. */
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(two + 4096, 4096);
	lseek(bf, 0, SEEK_SET);
	SHOW(syscall(SYS_read, bf, two + 4000, 200));
	munmap(two, 4096);
}

SYSCALL_TEST(write)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	SHOW(syscall(SYS_write, fd, "hello", 5));
	SHOW(syscall(SYS_write, fd, " world", 6));
	SHOW(syscall(SYS_write, fd, "", 0));
	say("file: %s", get_file("f"));
	SHOW(syscall(SYS_write, fd, BADPTR, 4));
	SHOW(syscall(SYS_write, 99, "x", 1));
	int r = open("f", O_RDONLY);
	SHOW(syscall(SYS_write, r, "x", 1));
	/* A pipe without readers: EPIPE (SIGPIPE ignored). */
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	pipe(p);
	close(p[0]);
	SHOW(syscall(SYS_write, p[1], "x", 1));
	/* With SIGPIPE at its default the writer dies of it. */
	pipe(p);
	close(p[0]);
	pid_t k = probe_fork();
	if (k == 0) {
		signal(SIGPIPE, SIG_DFL);
		syscall(SYS_write, p[1], "x", 1);
		_exit(0);
	}
	close(p[1]);
	probe_wait("writer", k);
	/* stdout itself. */
	fflush(stdout);
	SHOW(syscall(SYS_write, 1, "to stdout\n", 10));
}

SYSCALL_TEST(pread64)
{
	put_file("f", "0123456789");
	int fd = open("f", O_RDONLY);
	char b[8] = {0};
	SHOW(syscall(SYS_pread64, fd, b, 3, 5));
	say("at 5: %s, offset still %ld", b, (long)lseek(fd, 0, SEEK_CUR));
	SHOW(syscall(SYS_pread64, fd, b, 3, 100));
	SHOW(syscall(SYS_pread64, fd, b, 3, (off_t)-1));
	SHOW(syscall(SYS_pread64, fd, BADPTR, 3, 0));
	SHOW(syscall(SYS_pread64, 99, b, 3, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_pread64, p[0], b, 3, 0));
	int w = open("f", O_WRONLY);
	SHOW(syscall(SYS_pread64, w, b, 3, 0));
}

SYSCALL_TEST(pwrite64)
{
	put_file("f", "0123456789");
	int fd = open("f", O_RDWR);
	SHOW(syscall(SYS_pwrite64, fd, "AB", 2, 4));
	say("file: %s, offset still %ld", get_file("f"), (long)lseek(fd, 0, SEEK_CUR));
	SHOW(syscall(SYS_pwrite64, fd, "Z", 1, 12));
	const char *c = get_file("f");
	say("after writing at 12: %zu bytes before a hole, byte 10 is %d", strlen(c), c[10]);
	SHOW(syscall(SYS_pwrite64, fd, "x", 1, (off_t)-1));
	SHOW(syscall(SYS_pwrite64, fd, BADPTR, 1, 0));
	int r = open("f", O_RDONLY);
	SHOW(syscall(SYS_pwrite64, r, "x", 1, 0));
	/* O_APPEND: Linux appends whatever offset pwrite names. */
	int a = open("f", O_WRONLY | O_APPEND);
	SHOW(syscall(SYS_pwrite64, a, "end", 3, 0));
	char b[32] = {0};
	pread(r, b, sizeof b, 10);
	say("bytes from 10: %d %d %c%c%c%c", b[0], b[1], b[2], b[3], b[4], b[5]);
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_pwrite64, p[1], "x", 1, 0));
}

SYSCALL_TEST(readv)
{
	put_file("f", "abcdefghij");
	int fd = open("f", O_RDONLY);
	char x[3] = {0}, y[5] = {0}, z[20] = {0};
	struct iovec iov[3] = {{x, 2}, {y, 4}, {z, 19}};
	SHOW(syscall(SYS_readv, fd, iov, 3));
	say("x=%s y=%s z=%s", x, y, z);
	SHOW(syscall(SYS_readv, fd, iov, 3));
	SHOW(syscall(SYS_readv, fd, iov, 0));
	SHOW(syscall(SYS_readv, fd, iov, -1));
	SHOW(syscall(SYS_readv, fd, iov, IOV_MAX + 1));
	SHOW(syscall(SYS_readv, fd, BADPTR, 1));
	lseek(fd, 0, SEEK_SET);
	struct iovec bad[2] = {{x, 2}, {BADPTR, 4}};
	SHOW(syscall(SYS_readv, fd, bad, 2));
	say("x=%s", x);
	SHOW(syscall(SYS_readv, 99, iov, 1));
	/* Empty entries are skipped. */
	lseek(fd, 0, SEEK_SET);
	memset(y, 0, sizeof y);
	struct iovec holes[3] = {{NULL, 0}, {y, 4}, {NULL, 0}};
	SHOW(syscall(SYS_readv, fd, holes, 3));
	say("y=%s", y);
}

SYSCALL_TEST(writev)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	struct iovec iov[3] = {{"one ", 4}, {"", 0}, {"two", 3}};
	SHOW(syscall(SYS_writev, fd, iov, 3));
	say("file: %s", get_file("f"));
	SHOW(syscall(SYS_writev, fd, iov, -1));
	SHOW(syscall(SYS_writev, fd, iov, IOV_MAX + 1));
	SHOW(syscall(SYS_writev, fd, BADPTR, 1));
	struct iovec bad[2] = {{"ok", 2}, {BADPTR, 4}};
	SHOW(syscall(SYS_writev, fd, bad, 2));
	say("file: %s", get_file("f"));
	SHOW(syscall(SYS_writev, 99, iov, 1));
	/* Vectors longer than a pipe holds, drained by a child. */
	int p[2];
	pipe(p);
	static char chunk[40000];
	memset(chunk, 'q', sizeof chunk);
	pid_t k = probe_fork();
	if (k == 0) {
		close(p[1]);
		long total = 0, r;
		static char buf[8192];
		while ((r = read(p[0], buf, sizeof buf)) > 0)
			total += r;
		say("reader got %ld bytes", total);
		_exit(0);
	}
	close(p[0]);
	struct iovec big[3] = {{chunk, sizeof chunk}, {chunk, sizeof chunk}, {chunk, 123}};
	SHOW(syscall(SYS_writev, p[1], big, 3));
	close(p[1]);
	probe_wait("reader", k);
}

SYSCALL_TEST(preadv)
{
	put_file("f", "abcdefghij");
	int fd = open("f", O_RDONLY);
	char x[4] = {0}, y[4] = {0};
	struct iovec iov[2] = {{x, 3}, {y, 3}};
	SHOW(syscall(SYS_preadv, fd, iov, 2, 2, 0));
	say("x=%s y=%s offset still %ld", x, y, (long)lseek(fd, 0, SEEK_CUR));
	SHOW(syscall(SYS_preadv, fd, iov, 2, 8, 0));
	SHOW(syscall(SYS_preadv, fd, iov, 2, 50, 0));
	SHOW(syscall(SYS_preadv, fd, iov, 2, (long)-1, (long)-1));
	SHOW(syscall(SYS_preadv, fd, iov, -1, 0, 0));
	SHOW(syscall(SYS_preadv, fd, BADPTR, 1, 0, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_preadv, p[0], iov, 1, 0, 0));
	SHOW(syscall(SYS_preadv, 99, iov, 1, 0, 0));
}

SYSCALL_TEST(pwritev)
{
	put_file("f", "abcdefghij");
	int fd = open("f", O_RDWR);
	struct iovec iov[2] = {{"12", 2}, {"345", 3}};
	SHOW(syscall(SYS_pwritev, fd, iov, 2, 3, 0));
	say("file: %s, offset still %ld", get_file("f"), (long)lseek(fd, 0, SEEK_CUR));
	SHOW(syscall(SYS_pwritev, fd, iov, 2, 10, 0));
	say("file: %s", get_file("f"));
	SHOW(syscall(SYS_pwritev, fd, iov, 2, (long)-1, (long)-1));
	SHOW(syscall(SYS_pwritev, fd, iov, IOV_MAX + 1, 0, 0));
	int r = open("f", O_RDONLY);
	SHOW(syscall(SYS_pwritev, r, iov, 1, 0, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_pwritev, p[1], iov, 1, 0, 0));
}

SYSCALL_TEST(sendfile)
{
	put_file("src", "0123456789abcdef");
	int in = open("src", O_RDONLY);
	int out = open("dst", O_CREAT | O_RDWR, 0644);
	SHOW(syscall(SYS_sendfile, out, in, NULL, 4));
	say("dst: %s, src offset %ld", get_file("dst"), (long)lseek(in, 0, SEEK_CUR));
	off_t off = 10;
	SHOW(syscall(SYS_sendfile, out, in, &off, 100));
	say("dst: %s, off %ld, src offset %ld", get_file("dst"), (long)off,
	    (long)lseek(in, 0, SEEK_CUR));
	SHOW(syscall(SYS_sendfile, out, in, &off, 100));
	int p[2];
	pipe(p);
	off = 0;
	SHOW(syscall(SYS_sendfile, p[1], in, &off, 5));
	char b[8] = {0};
	read(p[0], b, sizeof b);
	say("through a pipe: %s", b);
	SHOW(syscall(SYS_sendfile, out, in, BADPTR, 5));
	off = -1;
	SHOW(syscall(SYS_sendfile, out, in, &off, 5));
	SHOW(syscall(SYS_sendfile, in, in, NULL, 5));
	SHOW(syscall(SYS_sendfile, 99, in, NULL, 5));
	SHOW(syscall(SYS_sendfile, out, 99, NULL, 5));
	int wo = open("src", O_WRONLY);
	SHOW(syscall(SYS_sendfile, out, wo, NULL, 5));
}

SYSCALL_TEST(copy_file_range)
{
	put_file("src", "0123456789");
	int in = open("src", O_RDONLY);
	int out = open("dst", O_CREAT | O_RDWR, 0644);
	SHOW(syscall(SYS_copy_file_range, in, NULL, out, NULL, 4, 0));
	say("dst: %s, offsets %ld %ld", get_file("dst"), (long)lseek(in, 0, SEEK_CUR),
	    (long)lseek(out, 0, SEEK_CUR));
	loff_t ioff = 6, ooff = 1;
	SHOW(syscall(SYS_copy_file_range, in, &ioff, out, &ooff, 100, 0));
	say("dst: %s, ioff %ld ooff %ld", get_file("dst"), (long)ioff, (long)ooff);
	SHOW(syscall(SYS_copy_file_range, in, &ioff, out, &ooff, 100, 0));
	SHOW(syscall(SYS_copy_file_range, in, NULL, out, NULL, 4, 1));
	/* Overlapping ranges of one file. */
	int rw = open("src", O_RDWR);
	loff_t a = 0, b = 2;
	SHOW(syscall(SYS_copy_file_range, rw, &a, rw, &b, 5, 0));
	SHOW(syscall(SYS_copy_file_range, 99, NULL, out, NULL, 4, 0));
	SHOW(syscall(SYS_copy_file_range, in, NULL, in, NULL, 4, 0));
	SHOW(syscall(SYS_copy_file_range, in, BADPTR, out, NULL, 4, 0));
	int d = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_copy_file_range, d, NULL, out, NULL, 4, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_copy_file_range, in, NULL, p[1], NULL, 4, 0));
}
