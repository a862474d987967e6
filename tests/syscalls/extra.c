/* preadv2/pwritev2 (flags, offset -1), rt_tgsigqueueinfo, protection keys
 * (what a kernel without PKU answers, when the host has none), mlock2,
 * mlockall and munlockall. */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "probe.h"

#define NO_PID 0x3ffffff0

/* The raw calls: glibc's wrappers turn some of these into other calls. */
static long rd2(int fd, const struct iovec *iov, int cnt, long off, int flags)
{
	return syscall(SYS_preadv2, fd, iov, cnt, off, 0, flags);
}

static long wr2(int fd, const struct iovec *iov, int cnt, long off, int flags)
{
	return syscall(SYS_pwritev2, fd, iov, cnt, off, 0, flags);
}

static void show_buf(const char *label, const char *a, const char *b)
{
	say("%s: \"%s\" \"%s\"", label, a, b);
}

SYSCALL_TEST(preadv2)
{
	put_file("f", "0123456789");
	int fd = open("f", O_RDWR);
	char a[4] = {0}, b[8] = {0};
	struct iovec iov[2] = {{a, 3}, {b, 4}};
	SHOW(rd2(fd, iov, 2, 2, 0));
	show_buf("at 2", a, b);
	SHOW(rd2(fd, iov, 2, -1, 0));
	SHOW(rd2(fd, iov, 2, -1, RWF_HIPRI));
	show_buf("position", a, b);
	say("position now %ld", (long)lseek(fd, 0, SEEK_CUR));
	SHOW(rd2(fd, iov, 2, 1, RWF_HIPRI));
	show_buf("hipri at 1", a, b);
	SHOW(rd2(fd, iov, 2, 1, 0x10000000));
	SHOW(rd2(fd, iov, 2, -2, RWF_HIPRI));
	SHOW(rd2(-1, iov, 2, 0, RWF_HIPRI));
	SHOW(rd2(fd, BADPTR, 2, 0, RWF_HIPRI));
	struct iovec bad[2] = {{a, 3}, {BADPTR, 4}};
	SHOW(rd2(fd, bad, 2, 0, RWF_HIPRI));
	int p[2];
	pipe(p);
	SHOW(rd2(p[0], iov, 2, -1, RWF_NOWAIT));
	SHOW(rd2(p[0], iov, 2, 0, RWF_NOWAIT));
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(100000);
		write(p[1], "late", 4);
		_exit(0);
	}
	memset(b, 0, sizeof b);
	SHOW(rd2(p[0], iov, 2, -1, RWF_HIPRI));
	show_buf("pipe", a, b);
	probe_wait("writer", k);
}

SYSCALL_TEST(pwritev2)
{
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	struct iovec iov[2] = {{"abc", 3}, {"defg", 4}};
	SHOW(wr2(fd, iov, 2, 0, 0));
	SHOW(wr2(fd, iov, 1, 10, RWF_DSYNC));
	SHOW(wr2(fd, iov, 1, -1, RWF_SYNC));
	SHOW(wr2(fd, iov + 1, 1, 0, RWF_APPEND));
	SHOW(wr2(fd, iov, 2, 0, 0x10000000));
	SHOW(wr2(fd, iov, 2, -2, RWF_DSYNC));
	struct iovec bad[2] = {{"xy", 2}, {BADPTR, 4}};
	SHOW(wr2(fd, bad, 2, 0, RWF_DSYNC));
	const char *c = fd_contents(fd);
	say("contents: %zu bytes, \"%.3s\" at 0, \"%.3s\" at 10", strlen(c) + (c[3] ? 0 : 0), c,
	    c + 10);
	int ap = open("f", O_WRONLY | O_APPEND);
	SHOW(wr2(ap, iov, 1, 0, RWF_NOAPPEND));
	say("start: %.3s", fd_contents(fd));
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	pipe(p);
	SHOW(wr2(p[1], iov, 2, -1, RWF_DSYNC));
	SHOW(wr2(p[1], iov, 2, 0, RWF_DSYNC));
	close(p[0]);
	SHOW(wr2(p[1], iov, 2, -1, RWF_DSYNC));
}

static int gate[2];
static siginfo_t thread_got;

/* A thread that says its tid, then waits for SIGUSR2 (printed by the main
 * thread after the join, so that the output keeps its order). */
static void *waiter(void *arg)
{
	(void)arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	write(gate[1], &tid, sizeof tid);
	uint64_t want = 1ULL << (SIGUSR2 - 1);
	syscall(SYS_rt_sigtimedwait, &want, &thread_got, NULL, 8);
	return NULL;
}

SYSCALL_TEST(rt_tgsigqueueinfo)
{
	mask_signal(SIG_BLOCK, SIGUSR2);
	pipe(gate);
	pthread_t th;
	pthread_create(&th, NULL, waiter, NULL);
	pid_t tid = 0;
	read(gate[0], &tid, sizeof tid);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 7;
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, 0, &si));
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, 65, &si));
	SHOW(syscall(SYS_rt_tgsigqueueinfo, 0, tid, SIGUSR2, &si));
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGUSR2, &si));
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGUSR2, BADPTR));
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), NO_PID, SIGUSR2, &si));
	SHOW(syscall(SYS_rt_tgsigqueueinfo, NO_PID, tid, SIGUSR2, &si));
	si.si_code = SI_USER;
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGUSR2, &si));
	si.si_code = SI_TKILL;
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGUSR2, &si));
	si.si_code = SI_QUEUE;
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGUSR2, &si));
	pthread_join(th, NULL);
	say("thread got %s code %d value %d", signame(thread_got.si_signo), thread_got.si_code,
	    thread_got.si_value.sival_int);
	si.si_code = SI_USER;
	catch_signal(SIGUSR1, 0);
	SHOW(syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1, &si));
	say("own SI_USER handled %d, code %d", handled[SIGUSR1], last_info.si_code);
}

SYSCALL_TEST(pkey_alloc)
{
	errno = 0;
	long k = syscall(SYS_pkey_alloc, 0, 0);
	/* With PKU natively a key; the sandbox (and a host without PKU): EINVAL. */
	int native_pku = k >= 0;
	say("pkey_alloc: %s",
	    native_pku || errno == EINVAL ? "a key, or EINVAL without PKU" : errname(errno));
	if (!native_pku) {
		SHOW(syscall(SYS_pkey_alloc, 1, 0));
		SHOW(syscall(SYS_pkey_alloc, 0, 4));
		SHOW(syscall(SYS_pkey_free, 0));
		SHOW(syscall(SYS_pkey_free, 1));
	} else {
		syscall(SYS_pkey_free, k);
	}
}

SYSCALL_TEST(pkey_mprotect)
{
	long k = syscall(SYS_pkey_alloc, 0, 0);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW(syscall(SYS_pkey_mprotect, m, 4096, PROT_READ, -1));
	SHOW(syscall(SYS_pkey_mprotect, m + 1, 4096, PROT_READ, -1));
	SHOW(syscall(SYS_pkey_mprotect, m, 0, PROT_READ, 5));
	SHOW(syscall(SYS_pkey_mprotect, m + 1, 4096, PROT_READ, 5));
	SHOW(syscall(SYS_pkey_mprotect, m, -4096UL, PROT_READ, 5));
	if (k < 0) {
		SHOW(syscall(SYS_pkey_mprotect, m, 4096, PROT_READ, 0));
		SHOW(syscall(SYS_pkey_mprotect, m, 4096, PROT_READ, 1));
	}
	SHOW(syscall(SYS_pkey_mprotect, m, 4096, PROT_READ, -2));
}

SYSCALL_TEST(mlock2)
{
	char *a = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW(syscall(SYS_mlock2, a, 4096, 0));
	SHOW(syscall(SYS_mlock2, a + 4096, 4096, MLOCK_ONFAULT));
	SHOW(syscall(SYS_mlock2, a, 4096, 2));
	SHOW(syscall(SYS_mlock2, a, 0, 0));
	munmap(a + 3 * 4096, 4096);
	SHOW(syscall(SYS_mlock2, a + 2 * 4096, 2 * 4096, 0));
	SHOW(syscall(SYS_mlock2, (void *)-4096L, 2 * 4096, 0));
	say("usable: %d", (a[0] = 1) == 1);
	munlock(a, 3 * 4096);
}

SYSCALL_TEST(mlockall)
{
	SHOW(syscall(SYS_mlockall, 0));
	SHOW(syscall(SYS_mlockall, MCL_ONFAULT));
	SHOW(syscall(SYS_mlockall, 0x100));
	SHOW(syscall(SYS_mlockall, MCL_FUTURE));
	char *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("mapped after MCL_FUTURE: %d", a != MAP_FAILED);
	SHOW(syscall(SYS_munlockall));
}

SYSCALL_TEST(munlockall)
{
	SHOW(syscall(SYS_munlockall));
	SHOW(syscall(SYS_mlockall, MCL_CURRENT | MCL_ONFAULT));
	SHOW(syscall(SYS_munlockall));
	SHOW(syscall(SYS_munlockall));
}
