/* /proc as programs poll it: the state letter of a sleeping and a stopped
 * child, CPU time that advances, the threads under task/, a thread's own
 * comm, fdinfo's flags, ns links shared by parent and child, credentials
 * and memory in status, statm, smaps and smaps_rollup, a zombie child's entries. Prints only what
 * is the same natively and under msentry (no pids, inode numbers or times); run-compare.sh compares
 * the runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "re");
	if (!f)
		return strcpy(buf, "(cannot open)");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Field `n` (1-based) of /proc/PID/stat; the name may hold spaces. */
static void stat_field(pid_t pid, int n, char *out, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	char *p = strrchr(slurp(path), ')');
	*out = '\0';
	if (!p)
		return;
	p += 2;
	for (int i = 3; i < n && p; i++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	if (p)
		snprintf(out, len, "%.*s", (int)strcspn(p, " \n"), p);
}

/* Wait (bounded) until pid's state letter is `want`; print what it became. */
static void wait_state(pid_t pid, const char *want, const char *what)
{
	char st[16] = "";
	for (int i = 0; i < 500; i++) {
		stat_field(pid, 3, st, sizeof(st));
		if (strcmp(st, want) == 0)
			break;
		usleep(10000);
	}
	printf("%s: state %s\n", what, st);
}

static void child_states(void)
{
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	wait_state(c, "S", "child in pause()");
	kill(c, SIGSTOP);
	wait_state(c, "T", "child after SIGSTOP");
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

/* A child that has exited and not been waited for: listed in /proc, its
 * stat and status say Z with its name and exit code, it has no command
 * line, memory or links any more; once waited for it is gone. */
static void zombie(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	wait_state(c, "Z", "exited child");
	char path[64], name[32] = "", f[32];
	snprintf(name, sizeof(name), "%d", c);
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool listed = false;
	while (d && (e = readdir(d)))
		listed |= strcmp(e->d_name, name) == 0;
	if (d)
		closedir(d);
	printf("zombie listed in /proc: %d\n", listed);
	snprintf(path, sizeof(path), "/proc/%d/stat", c);
	const char *text = slurp(path), *open_paren = strchr(text, '(');
	printf("zombie name %.*s\n", open_paren ? (int)strcspn(open_paren, ")") + 1 : 0,
	       open_paren);
	stat_field(c, 4, f, sizeof(f));
	printf("zombie ppid is ours: %d\n", atoi(f) == getpid());
	stat_field(c, 52, f, sizeof(f));
	printf("zombie exit code %s\n", f);
	snprintf(path, sizeof(path), "/proc/%d/status", c);
	const char *st = slurp(path);
	printf("status: Z (zombie) %d, Umask %d, VmRSS %d\n",
	       strstr(st, "State:\tZ (zombie)") != NULL, strstr(st, "Umask:") != NULL,
	       strstr(st, "VmRSS:") != NULL);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", c);
	printf("cmdline: \"%s\"\n", slurp(path));
	snprintf(path, sizeof(path), "/proc/%d/exe", c);
	char link[256];
	printf("exe link: %s\n", readlink(path, link, sizeof(link)) < 0 ? strerror(errno) : "read");
	waitpid(c, NULL, 0);
	snprintf(path, sizeof(path), "/proc/%d/stat", c);
	printf("after the wait: %s\n", slurp(path));
}

static void cpu_time_advances(void)
{
	char before[32], after[32];
	stat_field(getpid(), 14, before, sizeof(before));
	/* Spin until the host accounts a tick of user time (bounded). */
	volatile unsigned long x = 0;
	for (int round = 0; round < 200; round++) {
		for (unsigned long i = 0; i < 10000000; i++)
			x += i;
		stat_field(getpid(), 14, after, sizeof(after));
		if (strtoul(after, NULL, 10) > strtoul(before, NULL, 10))
			break;
	}
	printf("utime advances: %d\n", strtoul(after, NULL, 10) > strtoul(before, NULL, 10));
}

static pthread_barrier_t barrier;

static void *named_thread(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "worker-7");
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	return NULL;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return d ? n : -1;
}

static void threads(void)
{
	pthread_t th;
	pthread_barrier_init(&barrier, NULL, 2);
	pthread_create(&th, NULL, named_thread, NULL);
	pthread_barrier_wait(&barrier);
	printf("task/ entries: %d\n", count_entries("/proc/self/task"));
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == getpid())
			continue;
		char path[128];
		snprintf(path, sizeof(path), "/proc/self/task/%.32s/comm", e->d_name);
		printf("other thread's comm: %s", slurp(path));
	}
	if (d)
		closedir(d);
	printf("process comm: %s", slurp("/proc/self/comm"));
	pthread_barrier_wait(&barrier);
	pthread_join(th, NULL);
	printf("task/ entries after join: %d\n", count_entries("/proc/self/task"));
}

static void fdinfo(void)
{
	int p[2];
	if (pipe2(p, O_NONBLOCK) != 0)
		return;
	int fd = fcntl(p[1], F_DUPFD_CLOEXEC, 20);
	char path[64], flags[32];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", p[0]);
	sscanf(strstr(slurp(path), "flags:") ?: "", "flags: %31s", flags);
	printf("nonblocking pipe read end flags: %s\n", flags);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	sscanf(strstr(slurp(path), "flags:") ?: "", "flags: %31s", flags);
	printf("cloexec dup of the write end flags: %s\n", flags);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", 99);
	printf("fdinfo of a closed fd opens: %d\n", open(path, O_RDONLY) >= 0);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void namespaces(void)
{
	char mine[128] = "", childs[128] = "";
	readlink("/proc/self/ns/pid", mine, sizeof(mine) - 1);
	int p[2];
	if (pipe(p) != 0)
		return;
	pid_t c = fork();
	if (c == 0) {
		char l[128] = "";
		readlink("/proc/self/ns/pid", l, sizeof(l) - 1);
		write(p[1], l, strlen(l));
		_exit(0);
	}
	close(p[1]);
	read(p[0], childs, sizeof(childs) - 1);
	waitpid(c, NULL, 0);
	printf("ns/pid link looks like pid:[N]: %d\n", strncmp(mine, "pid:[", 5) == 0);
	printf("child's ns/pid is the parent's: %d\n", strcmp(mine, childs) == 0);
	int fd = open("/proc/self/ns/uts", O_RDONLY);
	printf("ns/uts opens: %d\n", fd >= 0);
	printf("ns/ entries include net: %d\n", access("/proc/self/ns/net", F_OK) == 0);
	close(fd);
}

static void credentials(void)
{
	char *s = slurp("/proc/self/status"), *uid = strstr(s, "Uid:");
	unsigned r, e, sv, fs;
	if (uid && sscanf(uid, "Uid: %u %u %u %u", &r, &e, &sv, &fs) == 4)
		printf("status Uid matches getuid/geteuid: %d\n", r == getuid() && e == geteuid());
	printf("status State: %.12s\n", strstr(s, "State:") ? strstr(s, "State:") + 7 : "?");
}

/* A "Key: N kB" field of a /proc file's text, -1 if absent. */
static long kb_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	long v = -1;
	if (p)
		sscanf(p + strlen(key), " %ld", &v);
	return v;
}

/* The memory a program's own tools read: status's Vm lines, statm,
 * smaps' entry for a mapping and smaps_rollup follow what it maps,
 * touches and locks. */
static void memory(void)
{
	long rss0 = kb_field(slurp("/proc/self/status"), "VmRSS:");
	long size0 = kb_field(slurp("/proc/self/status"), "VmSize:");
	size_t len = 8 << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 1, len);
	long rss1 = kb_field(slurp("/proc/self/status"), "VmRSS:");
	long size1 = kb_field(slurp("/proc/self/status"), "VmSize:");
	printf("VmSize grew by the mapping: %d\n", size1 - size0 >= 8192);
	printf("VmRSS grew by the touched pages: %d\n", rss1 - rss0 >= 8000);
	long pages, resident;
	printf("statm read: %d\n",
	       sscanf(slurp("/proc/self/statm"), "%ld %ld", &pages, &resident) == 2);
	printf("statm resident covers it: %d\n", resident * 4 >= 8192);
	/* The block whose range holds the mapping (it may have merged with
	 * a neighbour). */
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	long size = -1, rss = -1;
	bool in = false;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo <= (unsigned long)m && (unsigned long)m + len <= hi;
		else if (in && sscanf(line, "Size: %ld kB", &size) == 1)
			continue;
		else if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	if (f)
		fclose(f);
	printf("smaps entry covers it: Size %d, Rss %d\n", size >= 8192, rss >= 8192);
	printf("smaps_rollup Rss covers it: %d\n",
	       kb_field(slurp("/proc/self/smaps_rollup"), "Rss:") >= 8192);
	long lck0 = kb_field(slurp("/proc/self/status"), "VmLck:");
	if (mlock(m, 4096) == 0)
		printf("VmLck grew by one page: %ld\n",
		       kb_field(slurp("/proc/self/status"), "VmLck:") - lck0);
	munmap(m, len);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	child_states();
	zombie();
	cpu_time_advances();
	threads();
	fdinfo();
	namespaces();
	credentials();
	memory();
	return 0;
}
