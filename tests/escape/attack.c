/* The escape suite's attack program: see attack.h for how it is run and
 * judged. Usage: attack MODE BASE [N]
 *   fds        read and overwrite every fd from 3 up that is open
 *   hostpids   signal, trace, read and write the canary and SIGKILL the
 *              victim through every process-addressing syscall
 *   sweep, int80, gadgets, sigreturn, seccomp   (attack-raw.c)
 *   bomb N [stay]  N processes of 4 threads each, half spinning, then pid 1
 *              exits (or, with stay, waits to be killed): all must go
 * It always exits 42 once its attempts are done (the script checks the
 * status: a victim that died, or a sentry that crashed, shows there). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attack.h"

void out_append(const struct target *t, const char *name, const void *buf, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/out/%s", t->base, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, len) < 0)
		(void)0; /* best effort: the host judges what arrived */
	close(fd);
}

long raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

int in_child(void (*fn)(long), long arg, int ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (pid < 0)
		return -1;
	int status = 0;
	struct timespec tick = {0, 2000000};
	for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited += 2) {
		if (waited >= ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		nanosleep(&tick, NULL);
	}
	return status;
}

static long read_info(const char *base, const char *name, int hex)
{
	char path[4096], buf[64] = "";
	snprintf(path, sizeof(path), "%s/info/%s", base, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtol(buf, NULL, hex ? 16 : 10);
}

/* One fd: whatever it reads goes to out/fds (the host greps it for the
 * secret), and it is overwritten (the host compares the secret file).
 * Through /proc/self/fd too, in case the table and procfs differ. Runs in
 * a child (in_child): a read may block (a pipe's other end). Exits 1 if
 * the fd was there. */
static const struct target *fds_target;
static void probe_fd(long fd)
{
	char buf[4096], path[64];
	int fds[2] = {(int)fd, -1};
	snprintf(path, sizeof(path), "/proc/self/fd/%d", (int)fd);
	if (fcntl((int)fd, F_GETFD) < 0 && (fds[0] = open(path, O_RDWR | O_NONBLOCK)) < 0 &&
	    (fds[0] = open(path, O_RDONLY | O_NONBLOCK)) < 0)
		_exit(0);
	fds[1] = open(path, O_RDONLY | O_NONBLOCK);
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		ssize_t got = pread(fds[i], buf, sizeof(buf), 0);
		if (got <= 0)
			got = read(fds[i], buf, sizeof(buf));
		if (got > 0)
			out_append(fds_target, "fds", buf, (size_t)got);
		if (pwrite(fds[i], "PWNED\n", 6, 0) < 0 && write(fds[i], "PWNED\n", 6) < 0)
			(void)0;
	}
	_exit(1);
}

/* Every fd from 3 up. */
static int attack_fds(const struct target *t)
{
	char line[64];
	int found = 0;
	fds_target = t;
	for (int fd = 3; fd < 1024; fd++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		int p = fcntl(fd, F_GETFD) >= 0 ? fd : open(path, O_PATH);
		if (p < 0)
			continue; /* neither in the table nor in procfs */
		if (p != fd)
			close(p);
		int status = in_child(probe_fd, fd, 1000);
		found += WIFEXITED(status) && WEXITSTATUS(status) == 1;
	}
	snprintf(line, sizeof(line), "fds found %d\n", found);
	out_append(t, "log", line, strlen(line));
	return 42;
}

/* Signals to the canary by every syscall that sends one. */
static void signal_canary(const struct target *t)
{
	pid_t c = t->canary;
	siginfo_t si = {.si_signo = SIGUSR1, .si_code = SI_QUEUE};
	raw6(SYS_kill, c, SIGUSR1, 0, 0, 0, 0);
	raw6(SYS_kill, -c, SIGUSR2, 0, 0, 0, 0); /* its process group */
	raw6(SYS_tkill, c, SIGUSR1, 0, 0, 0, 0);
	raw6(SYS_tgkill, c, c, SIGUSR1, 0, 0, 0);
	raw6(SYS_rt_sigqueueinfo, c, SIGUSR1, (long)&si, 0, 0, 0);
	raw6(SYS_rt_tgsigqueueinfo, c, c, SIGUSR1, (long)&si, 0, 0);
	long pidfd = raw6(SYS_pidfd_open, c, 0, 0, 0, 0, 0);
	if (pidfd >= 0) {
		raw6(SYS_pidfd_send_signal, pidfd, SIGUSR1, 0, 0, 0, 0);
		for (int fd = 0; fd < 8; fd++) {
			char buf[256];
			long got = raw6(SYS_pidfd_getfd, pidfd, fd, 0, 0, 0, 0);
			ssize_t n = got >= 0 ? pread((int)got, buf, sizeof(buf), 0) : -1;
			if (n > 0)
				out_append(t, "hostpids", buf, (size_t)n);
		}
	}
	/* The canary's own /proc files, by host pid. */
	char path[64], buf[4096];
	const char *files[] = {"mem", "environ", "cmdline", "maps"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", c, files[i]);
		int fd = open(path, O_RDWR);
		if (fd < 0)
			fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = pread(fd, buf, t->len < sizeof(buf) ? t->len : sizeof(buf),
				  (off_t)(i == 0 ? t->addr : 0));
		if (n > 0)
			out_append(t, "hostpids", buf, (size_t)n);
		if (i == 0 && pwrite(fd, "PWNED", 5, (off_t)t->addr) < 0)
			(void)0;
		close(fd);
	}
}

/* Tracing, memory, scheduling and limits of the canary. */
static void touch_canary(const struct target *t)
{
	pid_t c = t->canary;
	char buf[4096];
	struct iovec local = {buf, t->len < sizeof(buf) ? t->len : sizeof(buf)};
	struct iovec remote = {(void *)t->addr, local.iov_len};
	long n = raw6(SYS_process_vm_readv, c, (long)&local, 1, (long)&remote, 1, 0);
	if (n > 0)
		out_append(t, "hostpids", buf, (size_t)n);
	memset(buf, 'P', sizeof(buf));
	raw6(SYS_process_vm_writev, c, (long)&local, 1, (long)&remote, 1, 0);
	raw6(SYS_ptrace, PTRACE_ATTACH, c, 0, 0, 0, 0);
	raw6(SYS_ptrace, PTRACE_SEIZE, c, 0, 0, 0, 0);
	raw6(SYS_ptrace, PTRACE_POKEDATA, c, (long)t->addr, 0x4457504e4557, 0, 0);
	raw6(SYS_ptrace, PTRACE_DETACH, c, 0, 0, 0, 0);
	raw6(SYS_setpriority, PRIO_PROCESS, c, 19, 0, 0, 0);
	struct sched_param sp = {0};
	raw6(SYS_sched_setscheduler, c, SCHED_IDLE, (long)&sp, 0, 0, 0);
	struct rlimit rl = {1, 1};
	raw6(SYS_prlimit64, c, RLIMIT_NOFILE, (long)&rl, 0, 0, 0);
	raw6(SYS_prlimit64, c, RLIMIT_CORE, (long)&rl, 0, 0, 0);
	raw6(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, c, (3 << 13) /* IDLE */, 0, 0, 0);
	unsigned long one_cpu = 1;
	raw6(SYS_sched_setaffinity, c, sizeof(one_cpu), (long)&one_cpu, 0, 0, 0);
}

/* The victim (msentry itself under the sandbox): a stop would hang the
 * run, a kill end it with 137; either shows in the exit status. */
static void hit_victim(const struct target *t)
{
	pid_t v = t->victim;
	raw6(SYS_ptrace, PTRACE_ATTACH, v, 0, 0, 0, 0);
	struct rlimit rl = {1, 1};
	raw6(SYS_prlimit64, v, RLIMIT_NOFILE, (long)&rl, 0, 0, 0);
	raw6(SYS_kill, v, SIGSTOP, 0, 0, 0, 0);
	long pidfd = raw6(SYS_pidfd_open, v, 0, 0, 0, 0, 0);
	if (pidfd >= 0)
		raw6(SYS_pidfd_send_signal, pidfd, SIGKILL, 0, 0, 0, 0);
	raw6(SYS_tgkill, v, v, SIGKILL, 0, 0, 0);
	raw6(SYS_tkill, v, SIGKILL, 0, 0, 0, 0);
	raw6(SYS_kill, v, SIGKILL, 0, 0, 0, 0);
}

static int attack_hostpids(const struct target *t)
{
	signal_canary(t);
	touch_canary(t);
	hit_victim(t);
	out_append(t, "log", "hostpids done\n", 14);
	return 42;
}

static void *bomb_thread(void *arg)
{
	if (arg)
		for (volatile unsigned long i = 0;; i++)
			;
	for (;;)
		pause();
	return NULL;
}

static int attack_bomb(const struct target *t, int n, bool stay)
{
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid > 0)
			continue;
		for (long j = 0; j < 4; j++) {
			pthread_t th;
			pthread_create(&th, NULL, bomb_thread, (void *)(j & 1));
		}
		/* A grandchild too, re-parented to pid 1 when its parent
		 * dies: it must go with the sandbox all the same. */
		if (fork() == 0)
			bomb_thread(NULL);
		bomb_thread((void *)(long)(i & 1));
	}
	struct timespec settle = {0, 300000000};
	nanosleep(&settle, NULL);
	out_append(t, "log", "bomb up\n", 8);
	if (stay) /* until msentry is killed */
		bomb_thread(NULL);
	return 42;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: attack MODE BASE [N]\n");
		return 2;
	}
	struct target t = {.base = argv[2]};
	t.canary = (pid_t)read_info(t.base, "canary", 0);
	t.addr = (unsigned long)read_info(t.base, "addr", 1);
	t.len = (size_t)read_info(t.base, "len", 0);
	t.victim = (pid_t)read_info(t.base, "victim", 0);
	const char *m = argv[1];
	if (strcmp(m, "fds") == 0)
		return attack_fds(&t);
	if (strcmp(m, "hostpids") == 0 && t.canary > 0 && t.victim > 0)
		return attack_hostpids(&t);
	if (strcmp(m, "bomb") == 0)
		return attack_bomb(&t, argc > 3 ? atoi(argv[3]) : 16, argc > 4);
	if (t.canary <= 0 || t.victim <= 0) {
		fprintf(stderr, "attack: no canary/victim under %s/info\n", t.base);
		return 2;
	}
	if (strcmp(m, "sweep") == 0)
		return attack_sweep(&t);
	if (strcmp(m, "int80") == 0)
		return attack_int80(&t);
	if (strcmp(m, "gadgets") == 0)
		return attack_gadgets(&t);
	if (strcmp(m, "slots") == 0)
		return attack_slots(&t);
	if (strcmp(m, "sigreturn") == 0) {
		extern int sigreturn_only;
		sigreturn_only = argc > 3 ? atoi(argv[3]) : -1;
		return attack_sigreturn(&t);
	}
	if (strcmp(m, "seccomp") == 0)
		return attack_seccomp(&t);
	fprintf(stderr, "attack: unknown mode %s\n", m);
	return 2;
}
