/* syscall-probe's entry point and the helpers every test uses (probe.h). */
#include <ftw.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

extern const struct probe_test __start_probe_tests[];
extern const struct probe_test __stop_probe_tests[];

char probe_dir[256];
char probe_self[4096];
volatile sig_atomic_t handled[65];
siginfo_t last_info;
static pid_t probe_pid;

static bool reap_within(pid_t pid, int ms, int *st);

const char *errname(int err)
{
	static char buf[32];
	const char *n = err ? strerrorname_np(err) : "0";
	if (n)
		return n;
	snprintf(buf, sizeof buf, "errno%d", err);
	return buf;
}

const char *signame(int sig)
{
	static char buf[32];
	const char *n = sig > 0 ? sigabbrev_np(sig) : NULL;
	if (n) {
		snprintf(buf, sizeof buf, "SIG%s", n);
		return buf;
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, sizeof buf, "SIGRTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	snprintf(buf, sizeof buf, "signal%d", sig);
	return buf;
}

/* "syscall(SYS_openat, ...)" reads better as "openat(...)". */
static const char *shorten(const char *text)
{
	static char buf[512];
	if (strncmp(text, "syscall(SYS_", 12) != 0)
		return text;
	const char *rest = text + 12;
	size_t n = strcspn(rest, ",)");
	snprintf(buf, sizeof buf, "%.*s(%s", (int)n, rest,
		 rest[n] == ',' ? rest + n + 2 : rest + n);
	return buf;
}

void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

long probe_show(const char *text, long r, int err)
{
	if (r == -1)
		say("%s = -1 %s", shorten(text), errname(err));
	else
		say("%s = %ld", shorten(text), r);
	return r;
}

long probe_ok(const char *text, long r, int err)
{
	if (r == -1)
		say("%s = -1 %s", shorten(text), errname(err));
	else
		say("%s = ok", shorten(text));
	return r;
}

void probe_forked(const char *text, long r, int err)
{
	if (r > 0) {
		waitpid(r, NULL, __WALL);
		say("%s = a new process", shorten(text));
	} else {
		probe_show(text, r, err);
	}
}

void probe_wait_unless_ok(pid_t pid)
{
	int st = 0;
	if (!reap_within(pid, 10000, &st))
		say("  (the child was still running after 10 s)");
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		say("  (the call replaced the child, which %s)", status_text(st));
}

const char *shown_path(const char *path)
{
	static char buf[4200];
	size_t n = strlen(probe_dir);
	if (strncmp(path, probe_dir, n) == 0 && (path[n] == '/' || path[n] == 0))
		snprintf(buf, sizeof buf, "<testdir>%s", path + n);
	else
		snprintf(buf, sizeof buf, "%s", path);
	return buf;
}

void put_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
		say("setup: cannot write %s: %s", path, errname(errno));
		exit(90);
	}
	close(fd);
}

static char contents[8192];

const char *fd_contents(int fd)
{
	ssize_t n = pread(fd, contents, sizeof contents - 1, 0);
	contents[n > 0 ? n : 0] = 0;
	return contents;
}

const char *get_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return "<missing>";
	fd_contents(fd);
	close(fd);
	return contents;
}

const char *fd_state(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0)
		return "closed";
	return fl & FD_CLOEXEC ? "cloexec" : "open";
}

pid_t probe_fork(void)
{
	fflush(stdout);
	return fork();
}

const char *status_text(int st)
{
	static char buf[64];
	if (WIFEXITED(st))
		snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "killed by %s", signame(WTERMSIG(st)));
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof buf, "stopped by %s", signame(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		snprintf(buf, sizeof buf, "continued");
	else
		snprintf(buf, sizeof buf, "status 0x%x", st);
	return buf;
}

/* Reap pid within ms milliseconds; if it is still running then, kill it,
 * reap it and return false. */
static bool reap_within(pid_t pid, int ms, int *st)
{
	long long deadline = now_ns() + ms * 1000000LL;
	for (;;) {
		pid_t r = waitpid(pid, st, WNOHANG | __WALL);
		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return true;
		if (now_ns() > deadline)
			break;
		usleep(2000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, st, __WALL) < 0 && errno == EINTR)
		;
	return false;
}

int probe_wait_timeout(const char *label, pid_t pid, int ms)
{
	int st = 0;
	if (!reap_within(pid, ms, &st)) {
		say("%s: still running after %d ms", label, ms);
		return -1;
	}
	say("%s: %s", label, status_text(st));
	return st;
}

void probe_wait_sleeping(pid_t pid, int ms)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int waited = 0; waited < ms; waited++) {
		char buf[512];
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = '\0';
		const char *paren = strrchr(buf, ')'); /* the name may hold spaces */
		if (paren && paren[1] == ' ' && paren[2] == 'S')
			return;
		usleep(1000);
	}
}

/* Nothing a test waits for takes seconds natively: a child still there
 * after 10 s is reported, not waited for forever. */
int probe_wait(const char *label, pid_t pid)
{
	return probe_wait_timeout(label, pid, 10000);
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	handled[sig]++;
	last_info = *si;
}

void catch_signal(int sig, int flags)
{
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | flags};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void mask_signal(int how, int sig)
{
	sigset_t s;
	sigemptyset(&s);
	if (sig)
		sigaddset(&s, sig);
	else
		sigfillset(&s);
	sigprocmask(how, &s, NULL);
}

long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
		return rmdir(path) < 0 ? 0 : 0;
	unlink(path);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* `syscall-probe --exec-helper ARGS...`: what execve tests look at in the new
 * program: its arguments, one environment variable, which fds survived and
 * which signal dispositions were kept. */
static int exec_helper(int argc, char **argv)
{
	printf("helper: argc=%d", argc);
	for (int i = 1; i < argc; i++) {
		/* "pid=N": whether the pid survived the exec, not its value. */
		if (strncmp(argv[i], "pid=", 4) == 0)
			printf(" [pid kept: %d]", atoi(argv[i] + 4) == getpid());
		else
			printf(" [%s]", argv[i]);
	}
	const char *env = getenv("PROBE_ENV");
	printf(" PROBE_ENV=%s\n", env ? env : "(unset)");
	for (int fd = 3; fd < 6; fd++)
		printf("helper: fd %d %s\n", fd, fd_state(fd));
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	printf("helper: SIGUSR1 %s\n", sa.sa_handler == SIG_IGN	  ? "ignored"
				       : sa.sa_handler == SIG_DFL ? "default"
								  : "caught");
	sigaction(SIGUSR2, NULL, &sa);
	printf("helper: SIGUSR2 %s\n", sa.sa_handler == SIG_IGN	  ? "ignored"
				       : sa.sa_handler == SIG_DFL ? "default"
								  : "caught");
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("helper: SIGUSR2 blocked %d\n", sigismember(&cur, SIGUSR2));
	fflush(stdout);
	return 5;
}

int main(int argc, char **argv)
{
	const struct probe_test *t;
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		size_t n = (size_t)(__stop_probe_tests - __start_probe_tests);
		const char **names = calloc(n, sizeof *names);
		for (size_t i = 0; i < n; i++)
			names[i] = __start_probe_tests[i].name;
		qsort(names, n, sizeof *names, compare_names);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", names[i]);
		free(names);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--exec-helper") == 0)
		return exec_helper(argc, argv);
	/* Run by execve with an empty argv (the execve probe). */
	if (getenv("PROBE_ARGC")) {
		printf("helper: argc=%d argv[0]=\"%s\"\n", argc, argc > 0 ? argv[0] : "(none)");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: syscall-probe NAME | --list\n");
		return 2;
	}
	for (t = __start_probe_tests; t < __stop_probe_tests; t++)
		if (strcmp(t->name, argv[1]) == 0)
			break;
	if (t == __stop_probe_tests) {
		fprintf(stderr, "syscall-probe: no test named %s\n", argv[1]);
		return 2;
	}

	/* The same start natively and in the sandbox: only fds 0-2, umask 022,
	 * no core files, and a fresh directory. */
	if ((!strchr(argv[0], '/') || !realpath(argv[0], probe_self)) &&
	    !realpath("/proc/self/exe", probe_self)) {
		fprintf(stderr, "syscall-probe: cannot find myself\n");
		return 2;
	}
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	umask(022);
	struct rlimit core = {0, 0};
	setrlimit(RLIMIT_CORE, &core);
	strcpy(probe_dir, "/tmp/syscall-probe-XXXXXX");
	if (!mkdtemp(probe_dir) || chdir(probe_dir) < 0) {
		fprintf(stderr, "syscall-probe: cannot make a temporary directory\n");
		return 2;
	}
	probe_pid = getpid();
	setvbuf(stdout, NULL, _IOLBF, 0);

	t->fn();

	fflush(stdout);
	if (getpid() != probe_pid)
		_exit(0);
	if (chdir("/") == 0)
		nftw(probe_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
