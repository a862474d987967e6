/* Linux native AIO with raw syscalls: contexts, reads and writes of a
 * regular file, fsync, the eventfd of IOCB_FLAG_RESFD, waiting with a
 * timeout and the errors. Ids and iocb addresses are never printed: only
 * whether an event names the right iocb. */
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

static long setup(unsigned nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long submit(aio_context_t ctx, long nr, struct iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, nr, cbs);
}

static long getev(aio_context_t ctx, long min, long nr, struct io_event *ev, struct timespec *ts)
{
	return syscall(SYS_io_getevents, ctx, min, nr, ev, ts);
}

static struct iocb prep(int op, int fd, void *buf, size_t len, long long off, uint64_t data)
{
	return (struct iocb){.aio_lio_opcode = (uint16_t)op,
			     .aio_fildes = (uint32_t)fd,
			     .aio_buf = (uint64_t)(uintptr_t)buf,
			     .aio_nbytes = len,
			     .aio_offset = off,
			     .aio_data = data};
}

static void show_events(const struct io_event *ev, long n, struct iocb **cbs)
{
	for (long i = 0; i < n; i++)
		say("event %ld: data %llu own iocb %d res %lld res2 %lld", i,
		    (unsigned long long)ev[i].data, ev[i].obj == (uint64_t)(uintptr_t)cbs[i],
		    (long long)ev[i].res, (long long)ev[i].res2);
}

SYSCALL_TEST(io_setup)
{
	aio_context_t ctx = 0, bad = 1;
	SHOW(setup(0, &ctx));
	SHOW(setup(1, &bad));
	SHOW(setup(1, BADPTR));
	SHOW(setup(-1u, &ctx));
	SHOW(setup(65536u * 1024, &ctx));
	unsigned max = 0;
	FILE *f = fopen("/proc/sys/fs/aio-max-nr", "r");
	if (f && fscanf(f, "%u", &max) == 1)
		SHOW(setup(max + 1, &ctx)); /* past fs.aio-max-nr */
	if (f)
		fclose(f);
	SHOW(setup(4, &ctx));
	say("id nonzero: %d", ctx != 0);
	SHOW(syscall(SYS_io_destroy, ctx));
}

SYSCALL_TEST(io_destroy)
{
	aio_context_t ctx = 0;
	SHOW(syscall(SYS_io_destroy, 0));
	SHOW(setup(2, &ctx));
	SHOW(syscall(SYS_io_destroy, ctx));
	SHOW(syscall(SYS_io_destroy, ctx));
	ctx = 0;
	SHOW(setup(2, &ctx));
	pid_t k = fork();
	if (k == 0) {
		/* A fork child has no contexts of its own. */
		SHOW(syscall(SYS_io_destroy, ctx));
		fflush(stdout);
		_exit(0);
	}
	waitpid(k, NULL, 0);
	SHOW(syscall(SYS_io_destroy, ctx));
}

SYSCALL_TEST(io_submit)
{
	aio_context_t ctx = 0;
	int fd = open("aio-file", O_CREAT | O_RDWR | O_TRUNC, 0644);
	int ro = open("aio-file", O_RDONLY);
	SHOW(setup(8, &ctx));
	char out[] = "hello aio", in[16] = {0};
	struct iocb w = prep(IOCB_CMD_PWRITE, fd, out, 9, 0, 11);
	struct iocb r = prep(IOCB_CMD_PREAD, fd, in, 16, 0, 12);
	struct iocb s = prep(IOCB_CMD_FSYNC, fd, NULL, 0, 0, 13);
	struct iocb *cbs[] = {&w, &r, &s};
	SHOW(submit(ctx, 3, cbs));
	struct io_event ev[4];
	SHOW(getev(ctx, 3, 4, ev, NULL));
	show_events(ev, 3, cbs);
	say("read: %s", in);
	struct iovec iov[2] = {{in, 2}, {in + 8, 3}};
	struct iocb v = prep(IOCB_CMD_PREADV, fd, iov, 2, 6, 14);
	struct iocb *vc[] = {&v};
	SHOW(submit(ctx, 1, vc));
	SHOW(getev(ctx, 1, 1, ev, NULL));
	show_events(ev, 1, vc);
	say("readv: %.2s %.3s", in, in + 8);
	/* Errors: the first refused ends the call. */
	struct iocb bw = prep(IOCB_CMD_PWRITE, ro, out, 1, 0, 0);
	struct iocb bf = prep(IOCB_CMD_PREAD, 999, in, 1, 0, 0);
	struct iocb bo = prep(99, fd, in, 1, 0, 0);
	struct iocb rsv = prep(IOCB_CMD_PREAD, fd, in, 1, 0, 0);
	rsv.aio_reserved2 = 1;
	struct iocb *e1[] = {&bw}, *e2[] = {&bf}, *e3[] = {&bo}, *e4[] = {&rsv}, *e5[] = {&r, &bf};
	SHOW(submit(ctx, 1, e1));
	SHOW(submit(ctx, 1, e2));
	SHOW(submit(ctx, 1, e3));
	SHOW(submit(ctx, 1, e4));
	SHOW(submit(ctx, -1, e1));
	SHOW(submit(ctx, 0, e1));
	SHOW(submit(ctx, 1, BADPTR));
	SHOW(submit(0, 1, e1));
	SHOW(submit(ctx, 2, e5));
	SHOW(getev(ctx, 0, 4, ev, NULL));
	/* The eventfd of IOCB_FLAG_RESFD counts completions. */
	int efd = eventfd(0, 0);
	struct iocb re = prep(IOCB_CMD_PREAD, fd, in, 4, 0, 15);
	re.aio_flags = IOCB_FLAG_RESFD;
	re.aio_resfd = (uint32_t)efd;
	struct iocb *rc[] = {&re, &re};
	SHOW(submit(ctx, 2, rc));
	uint64_t count = 0;
	SHOW(read(efd, &count, sizeof(count)));
	say("eventfd count: %llu", (unsigned long long)count);
	re.aio_resfd = (uint32_t)fd;
	SHOW(submit(ctx, 1, rc));
	SHOW(getev(ctx, 2, 4, ev, NULL));
	/* A pipe is a stream: the offset is ignored; RWF_NOWAIT on an
	 * empty one completes with -EAGAIN. */
	int p[2];
	SHOW(pipe(p));
	SHOW(write(p[1], "xy", 2));
	struct iocb pr = prep(IOCB_CMD_PREAD, p[0], in, 16, 5, 16);
	pr.aio_rw_flags = RWF_NOWAIT;
	struct iocb *pc[] = {&pr};
	SHOW(submit(ctx, 1, pc));
	SHOW(getev(ctx, 1, 1, ev, NULL));
	show_events(ev, 1, pc);
	SHOW(submit(ctx, 1, pc));
	SHOW(getev(ctx, 1, 1, ev, NULL));
	show_events(ev, 1, pc);
	close(p[0]);
	close(p[1]);
	SHOW(syscall(SYS_io_destroy, ctx));
	close(efd);
	close(ro);
	close(fd);
}

SYSCALL_TEST(io_getevents)
{
	aio_context_t ctx = 0;
	int fd = open("aio-file", O_CREAT | O_RDWR | O_TRUNC, 0644);
	SHOW(setup(4, &ctx));
	struct timespec zero = {0, 0}, short_wait = {0, 20000000};
	struct io_event ev[2];
	SHOW(getev(0, 0, 0, NULL, NULL));
	SHOW(getev(ctx, 2, 1, ev, NULL));
	SHOW(getev(ctx, -1, 1, ev, NULL));
	SHOW(getev(ctx, 1, 1, ev, &zero));
	SHOW(getev(ctx, 1, 1, ev, &short_wait));
	SHOW(getev(ctx, 1, 1, ev, BADPTR));
	char b[4] = "abc";
	struct iocb w = prep(IOCB_CMD_PWRITE, fd, b, 3, 0, 21);
	struct iocb *cbs[] = {&w, &w};
	SHOW(submit(ctx, 2, cbs));
	/* A fault copying out leaves the events queued. */
	SHOW(getev(ctx, 1, 2, BADPTR, NULL));
	SHOW(getev(ctx, 1, 1, ev, NULL));
	/* One more is there; two are wanted: it waits out the timeout. */
	SHOW(getev(ctx, 2, 2, ev, &short_wait));
	show_events(ev, 1, cbs);
	SHOW(syscall(SYS_io_destroy, ctx));
	close(fd);
}

static aio_context_t waited;

static void *waiter(void *arg)
{
	struct io_event ev;
	*(long *)arg = getev(waited, 1, 1, &ev, NULL);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A wait ends when another thread's request completes, or with EINTR
 * for a signal. */
SYSCALL_TEST(io_getevents_wait)
{
	int fd = open("aio-file", O_CREAT | O_RDWR | O_TRUNC, 0644);
	SHOW(setup(4, &waited));
	long got = -2;
	pthread_t th;
	pthread_create(&th, NULL, waiter, &got);
	struct timespec pause_ts = {0, 50000000};
	nanosleep(&pause_ts, NULL);
	struct iocb w = prep(IOCB_CMD_PWRITE, fd, "z", 1, 0, 31);
	struct iocb *cbs[] = {&w};
	SHOW(submit(waited, 1, cbs));
	pthread_join(th, NULL);
	say("waiter got %ld", got);
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {.it_value = {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	struct io_event ev;
	SHOW(getev(waited, 1, 1, &ev, NULL));
	SHOW(syscall(SYS_io_destroy, waited));
	close(fd);
}

SYSCALL_TEST(io_pgetevents)
{
	aio_context_t ctx = 0;
	SHOW(setup(4, &ctx));
	struct timespec short_wait = {0, 10000000};
	struct io_event ev[2];
	uint64_t mask = 0;
	struct {
		void *mask;
		size_t size;
	} sig = {&mask, 8}, badsize = {&mask, 4}, none = {NULL, 0};
	SHOW(syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &short_wait, &sig));
	SHOW(syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &short_wait, &badsize));
	SHOW(syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &short_wait, &none));
	SHOW(syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &short_wait, BADPTR));
	SHOW(syscall(SYS_io_pgetevents, ctx, 1, 1, ev, BADPTR, &sig));
	SHOW(syscall(SYS_io_pgetevents, 0, 1, 1, ev, &short_wait, &sig));
	/* A blocked pending signal the temporary mask lets through: EINTR,
	 * its handler runs, and the old mask is back. */
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	SHOW(syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &short_wait, &sig));
	sigprocmask(SIG_BLOCK, NULL, &now);
	int still = sigismember(&now, SIGUSR1);
	sigpending(&now);
	say("SIGUSR1 still blocked: %d, pending: %d", still, sigismember(&now, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	SHOW(syscall(SYS_io_destroy, ctx));
}

SYSCALL_TEST(io_cancel)
{
	aio_context_t ctx = 0;
	SHOW(setup(4, &ctx));
	struct iocb cb = {0};
	struct io_event ev;
	SHOW(syscall(SYS_io_cancel, ctx, BADPTR, &ev));
	SHOW(syscall(SYS_io_cancel, ctx, &cb, &ev));
	cb.aio_key = 5;
	SHOW(syscall(SYS_io_cancel, ctx, &cb, &ev));
	SHOW(syscall(SYS_io_cancel, 0, &cb, &ev));
	SHOW(syscall(SYS_io_destroy, ctx));
}
