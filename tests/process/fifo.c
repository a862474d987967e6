/* Opening FIFOs: the open waits for the other end (and must not stall the
 * rest of the sandbox meanwhile), a signal interrupts it (EINTR, or a
 * restart with SA_RESTART), O_NONBLOCK opens answer at once, a process
 * killed while it waits dies. Prints only what is the same natively and
 * under msentry; run-compare.sh compares the runs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char fifo[64];

static void on_alarm(int sig)
{
	(void)sig;
}

/* The child opens the other end after a while and moves one message. */
static pid_t partner(int flags, const char *msg)
{
	pid_t c = fork();
	if (c == 0) {
		usleep(200000);
		int fd = open(fifo, flags);
		if (fd < 0)
			_exit(1);
		if (msg)
			write(fd, msg, strlen(msg));
		else {
			/* Its result is its exit status: printing here would race
			 * with the parent's lines. */
			char buf[64] = "";
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			_exit(n == 13 && memcmp(buf, "to the reader", 13) == 0 ? 0 : 2);
		}
		_exit(0);
	}
	return c;
}

static void reader_waits_for_writer(void)
{
	pid_t c = partner(O_WRONLY, "from the writer");
	int fd = open(fifo, O_RDONLY);
	char buf[64] = "";
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	printf("reader open %d, read: %.*s\n", fd >= 0, n > 0 ? (int)n : 0, buf);
	close(fd);
	waitpid(c, NULL, 0);
}

static void writer_waits_for_reader(void)
{
	pid_t c = partner(O_RDONLY, NULL);
	int fd = open(fifo, O_WRONLY);
	printf("writer open %d, wrote %zd\n", fd >= 0, write(fd, "to the reader", 13));
	close(fd);
	int st;
	waitpid(c, &st, 0);
	printf("the reader got it: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void nonblocking_opens(void)
{
	errno = 0;
	int w = open(fifo, O_WRONLY | O_NONBLOCK);
	printf("O_NONBLOCK writer without reader: %d %s\n", w, w < 0 ? strerror(errno) : "");
	int r = open(fifo, O_RDONLY | O_NONBLOCK);
	printf("O_NONBLOCK reader: %d, flags nonblock %d\n", r >= 0,
	       (fcntl(r, F_GETFL) & O_NONBLOCK) != 0);
	w = open(fifo, O_WRONLY | O_NONBLOCK);
	printf("O_NONBLOCK writer with a reader: %d\n", w >= 0);
	close(w);
	close(r);
	int rw = open(fifo, O_RDWR);
	printf("O_RDWR never waits: %d, flags nonblock %d\n", rw >= 0,
	       (fcntl(rw, F_GETFL) & O_NONBLOCK) != 0);
	close(rw);
}

static void interrupted(int sa_flags)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = sa_flags};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	/* The writer comes after the alarm: with SA_RESTART the open goes on
	 * and meets it; without, it ends with EINTR. */
	pid_t c = fork();
	if (c == 0) {
		usleep(600000);
		int fd = open(fifo, O_WRONLY | O_NONBLOCK);
		if (fd >= 0)
			write(fd, "late", 4);
		_exit(0);
	}
	ualarm(200000, 0);
	errno = 0;
	int fd = open(fifo, O_RDONLY);
	int err = errno;
	char buf[16] = "";
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
	printf("%s: open %s, read %.*s\n", sa_flags ? "SA_RESTART" : "no SA_RESTART",
	       fd >= 0 ? "ok" : strerror(err), n > 0 ? (int)n : 0, buf);
	if (fd >= 0)
		close(fd);
	waitpid(c, NULL, 0);
}

static void killed_while_waiting(void)
{
	pid_t c = fork();
	if (c == 0) {
		open(fifo, O_RDONLY);
		_exit(0);
	}
	usleep(200000);
	kill(c, SIGKILL);
	int st;
	waitpid(c, &st, 0);
	printf("killed in open: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
}

static void regular_file_flags(void)
{
	char path[80];
	snprintf(path, sizeof(path), "%s.reg", fifo);
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0600);
	int fl = fcntl(fd, F_GETFL);
	printf("regular file: nonblock %d append %d\n", (fl & O_NONBLOCK) != 0,
	       (fl & O_APPEND) != 0);
	close(fd);
	unlink(path);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(fifo, sizeof(fifo), "/tmp/msentry-fifo-%d", getpid());
	if (mkfifo(fifo, 0600) != 0) {
		perror("mkfifo");
		return 1;
	}
	reader_waits_for_writer();
	writer_waits_for_reader();
	nonblocking_opens();
	interrupted(0);
	interrupted(SA_RESTART);
	killed_while_waiting();
	regular_file_flags();
	unlink(fifo);
	return 0;
}
