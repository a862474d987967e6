/* Credentials, capabilities and resource limits and usage. Changes of ids
 * run in children. The probe runs as root natively and in the sandbox, so
 * ids are meaningful and printed. */
#include <grp.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

#define NO_PID 0x3ffffff0

static void print_resuid(const char *label)
{
	uid_t r = 9, e = 9, s = 9;
	syscall(SYS_getresuid, &r, &e, &s);
	say("%s: uids %u %u %u", label, r, e, s);
}

static void print_resgid(const char *label)
{
	gid_t r = 9, e = 9, s = 9;
	syscall(SYS_getresgid, &r, &e, &s);
	say("%s: gids %u %u %u", label, r, e, s);
}

/* getuid cannot fail. */
SYSCALL_TEST(getuid)
{
	SHOW(syscall(SYS_getuid));
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 1000, 2000, 3000);
		SHOW(syscall(SYS_getuid));
		_exit(0);
	}
	probe_wait("child", k);
}

/* geteuid cannot fail. */
SYSCALL_TEST(geteuid)
{
	SHOW(syscall(SYS_geteuid));
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 1000, 2000, 3000);
		SHOW(syscall(SYS_geteuid));
		_exit(0);
	}
	probe_wait("child", k);
}

/* getgid cannot fail. */
SYSCALL_TEST(getgid)
{
	SHOW(syscall(SYS_getgid));
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresgid, 100, 200, 300);
		SHOW(syscall(SYS_getgid));
		_exit(0);
	}
	probe_wait("child", k);
}

/* getegid cannot fail. */
SYSCALL_TEST(getegid)
{
	SHOW(syscall(SYS_getegid));
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresgid, 100, 200, 300);
		SHOW(syscall(SYS_getegid));
		_exit(0);
	}
	probe_wait("child", k);
}

/* setuid is partial: the sandbox's view of credentials (host file access
 * stays msentry's); only the ids themselves are probed. */
SYSCALL_TEST(setuid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_setuid, 1000));
		print_resuid("child");
		SHOW(syscall(SYS_setuid, 0));
		SHOW(syscall(SYS_setuid, 1000));
		_exit(0);
	}
	probe_wait("child", k);
	/* An unprivileged euid may go back to a saved 0: only euid changes. */
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 0, 1000, 0);
		print_resuid("child");
		SHOW(syscall(SYS_setuid, 0));
		print_resuid("child");
		_exit(0);
	}
	probe_wait("child", k);
	SHOW(syscall(SYS_setuid, -1));
	print_resuid("parent");
}

SYSCALL_TEST(setgid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_setgid, 1000));
		print_resgid("child");
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(SYS_setgid, 0));
		SHOW(syscall(SYS_setgid, 1000));
		print_resgid("child");
		_exit(0);
	}
	probe_wait("child", k);
	SHOW(syscall(SYS_setgid, -1));
	print_resgid("parent");
}

SYSCALL_TEST(setreuid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_setreuid, 1000, 2000));
		print_resuid("child");
		SHOW(syscall(SYS_setreuid, -1, -1));
		SHOW(syscall(SYS_setreuid, 0, -1));
		SHOW(syscall(SYS_setreuid, 2000, 1000));
		print_resuid("child");
		SHOW(syscall(SYS_setreuid, -1, 3000));
		_exit(0);
	}
	probe_wait("child", k);
	print_resuid("parent");
}

SYSCALL_TEST(setregid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_setregid, 100, 200));
		print_resgid("child");
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(SYS_setregid, -1, -1));
		SHOW(syscall(SYS_setregid, 0, -1));
		SHOW(syscall(SYS_setregid, 200, 100));
		print_resgid("child");
		SHOW(syscall(SYS_setregid, -1, 300));
		_exit(0);
	}
	probe_wait("child", k);
	print_resgid("parent");
}

/* setresuid is partial like setuid: only the ids are probed. */
/* A process that is no longer root gets the file access of its ids:
 * a root-owned 0644 file is not writable, a 0755 root directory takes no
 * new file, a file made in a 0777 one is its own. */
static void access_as_user(void)
{
	int fd = open("rootowned", O_CREAT | O_WRONLY, 0644);
	close(fd);
	mkdir("open", 0777);
	chmod("open", 0777);
	syscall(SYS_setgroups, 0, NULL);
	syscall(SYS_setresgid, 1000, 1000, 1000);
	syscall(SYS_setresuid, 1000, 1000, 1000);
	SHOW(open("rootowned", O_WRONLY));
	SHOW(open("rootowned", O_RDONLY) >= 0);
	SHOW(open("new", O_CREAT | O_WRONLY, 0644));
	SHOW(unlink("rootowned"));
	SHOW(chmod("rootowned", 0600));
	SHOW(chown("rootowned", 1000, 1000));
	SHOW(open("open/mine", O_CREAT | O_WRONLY, 0600) >= 0);
	struct stat st;
	SHOW(stat("open/mine", &st));
	say("owner %u:%u mode %o", st.st_uid, st.st_gid, st.st_mode & 07777);
	SHOW(chown("open/mine", 1000, 0));
	SHOW(unlink("open/mine"));
}

static void access_test(void)
{
	if (geteuid() != 0) {
		say("skipped: not root");
		return;
	}
	/* The probe's directory is 0700: let the user in. */
	struct stat dir;
	stat(".", &dir);
	chmod(".", 0755);
	pid_t k = probe_fork();
	if (k == 0) {
		access_as_user();
		_exit(0);
	}
	probe_wait("child", k);
	unlink("rootowned");
	rmdir("open");
	chmod(".", dir.st_mode & 07777);
}

SYSCALL_TEST(setresuid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_setresuid, 1, 2, 3));
		print_resuid("child");
		SHOW(syscall(SYS_setresuid, -1, -1, -1));
		SHOW(syscall(SYS_setresuid, 3, 1, 2));
		print_resuid("child");
		SHOW(syscall(SYS_setresuid, 0, 0, 0));
		SHOW(syscall(SYS_setresuid, -1, 7, -1));
		print_resuid("child");
		_exit(0);
	}
	probe_wait("child", k);
	print_resuid("parent");
	access_test();
}

SYSCALL_TEST(setresgid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_setresgid, 10, 20, 30));
		print_resgid("child");
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(SYS_setresgid, 30, 10, 20));
		print_resgid("child");
		SHOW(syscall(SYS_setresgid, 0, -1, -1));
		_exit(0);
	}
	probe_wait("child", k);
	print_resgid("parent");
}

SYSCALL_TEST(getresuid)
{
	uid_t r = 9, e = 9, s = 9;
	SHOW(syscall(SYS_getresuid, &r, &e, &s));
	say("%u %u %u", r, e, s);
	SHOW(syscall(SYS_getresuid, BADPTR, &e, &s));
	SHOW(syscall(SYS_getresuid, &r, &e, BADPTR));
}

SYSCALL_TEST(getresgid)
{
	gid_t r = 9, e = 9, s = 9;
	SHOW(syscall(SYS_getresgid, &r, &e, &s));
	say("%u %u %u", r, e, s);
	SHOW(syscall(SYS_getresgid, BADPTR, &e, &s));
	SHOW(syscall(SYS_getresgid, &r, BADPTR, &s));
}

SYSCALL_TEST(getgroups)
{
	gid_t list[64];
	long n = SHOW(syscall(SYS_getgroups, 0, NULL));
	long m = SHOW(syscall(SYS_getgroups, 64, list));
	printf("groups:");
	for (long i = 0; i < m; i++)
		printf(" %u", list[i]);
	say("%s", "");
	if (n > 1)
		SHOW(syscall(SYS_getgroups, 1, list));
	SHOW(syscall(SYS_getgroups, -1, list));
	if (n > 0)
		SHOW(syscall(SYS_getgroups, 64, BADPTR));
}

/* setgroups is partial: accepted for a privileged caller but not recorded,
 * so the list is not read back; the results and errors are probed. */
SYSCALL_TEST(setgroups)
{
	pid_t k = probe_fork();
	if (k == 0) {
		gid_t two[2] = {5, 6}, three[3] = {9, 4, 9}, got[8] = {0};
		SHOW(syscall(SYS_setgroups, 3, three));
		/* Linux keeps the list sorted. */
		SHOW(syscall(SYS_getgroups, 8, got));
		say("groups %u %u %u", got[0], got[1], got[2]);
		SHOW(syscall(SYS_setgroups, 2, two));
		SHOW(syscall(SYS_setgroups, -1, two));
		SHOW(syscall(SYS_setgroups, 65537, two));
		SHOW(syscall(SYS_setgroups, 2, BADPTR));
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(SYS_setgroups, 2, two));
		_exit(0);
	}
	probe_wait("child", k);
}

/* setfsuid and setfsgid are partial: they report the effective id, so
 * only calls where the fs id follows the effective one are probed. They
 * cannot fail (they return the previous value). */
SYSCALL_TEST(setfsuid)
{
	SHOW(syscall(SYS_setfsuid, -1));
	SHOW(syscall(SYS_setfsuid, 0));
	pid_t k = probe_fork();
	if (k == 0) {
		/* As root: the fs uid alone changes, and files are made
		 * with it; it returns the old value and follows the euid. */
		chmod(".", 0777); /* the probe's directory, for 4321 to write */
		SHOW(syscall(SYS_setfsuid, 4321));
		SHOW(syscall(SYS_setfsuid, -1));
		int fd = open("fsuid-file", O_CREAT | O_WRONLY, 0644);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0)
			say("new file's owner is the fs uid: %d", st.st_uid == 4321);
		SHOW(syscall(SYS_setfsuid, 0));
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(SYS_setfsuid, -1));
		SHOW(syscall(SYS_setfsuid, 5));
		SHOW(syscall(SYS_setfsuid, -1));
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(setfsgid)
{
	SHOW(syscall(SYS_setfsgid, -1));
	SHOW(syscall(SYS_setfsgid, 0));
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresgid, 100, 100, 100);
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(SYS_setfsgid, -1));
		SHOW(syscall(SYS_setfsgid, 5));
		SHOW(syscall(SYS_setfsgid, -1));
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(capget)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	SHOW(syscall(SYS_capget, &h, d));
	say("effective %08x%08x permitted %08x%08x inheritable %08x%08x", d[1].effective,
	    d[0].effective, d[1].permitted, d[0].permitted, d[1].inheritable, d[0].inheritable);
	/* Asking for the version: EINVAL and the preferred one written back. */
	struct __user_cap_header_struct v = {0, 0};
	SHOW(syscall(SYS_capget, &v, NULL));
	say("preferred version 0x%x", v.version);
	SHOW(syscall(SYS_capget, &h, NULL));
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		struct __user_cap_header_struct ch = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct cd[2];
		SHOW(syscall(SYS_capget, &ch, cd));
		say("child after setresuid(1000): effective %08x%08x permitted %08x%08x",
		    cd[1].effective, cd[0].effective, cd[1].permitted, cd[0].permitted);
		_exit(0);
	}
	probe_wait("child", k);
	/* PR_SET_KEEPCAPS: leaving uid 0 keeps the permitted set (effective
	 * is still cleared), which capset may then raise again: setpriv's way. */
	k = probe_fork();
	if (k == 0) {
		SHOW(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
		SHOW(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		SHOW(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		syscall(SYS_setresuid, 1000, 1000, 1000);
		struct __user_cap_header_struct ch = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct cd[2];
		SHOW(syscall(SYS_capget, &ch, cd));
		say("keepcaps child after setresuid(1000): effective %08x%08x permitted %08x%08x",
		    cd[1].effective, cd[0].effective, cd[1].permitted, cd[0].permitted);
		cd[0].effective = cd[0].permitted;
		cd[1].effective = cd[1].permitted;
		SHOW(syscall(SYS_capset, &ch, cd));
		SHOW(syscall(SYS_capget, &ch, cd));
		say("effective raised again: %08x%08x", cd[1].effective, cd[0].effective);
		_exit(0);
	}
	probe_wait("keepcaps child", k);
	struct __user_cap_header_struct other = {_LINUX_CAPABILITY_VERSION_3, NO_PID};
	SHOW(syscall(SYS_capget, &other, d));
	SHOW(syscall(SYS_capget, BADPTR, d));
	SHOW(syscall(SYS_capget, &h, BADPTR));
}

/* capset in a child (the probe keeps its own sets): dropping is allowed,
 * raising beyond the permitted set or effective beyond permitted is not,
 * and the ambient set follows PR_CAP_AMBIENT's rules. */
SYSCALL_TEST(capset)
{
	pid_t k = probe_fork();
	if (k == 0) {
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2], now[2];
		memset(d, 0, sizeof d);
		SHOW(syscall(SYS_capget, &h, d));
		SHOW(syscall(SYS_capset, &h, d));
		struct __user_cap_data_struct drop[2];
		memcpy(drop, d, sizeof drop);
		drop[0].effective &= ~(1u << CAP_CHOWN);
		drop[0].permitted &= ~(1u << CAP_CHOWN);
		SHOW(syscall(SYS_capset, &h, drop));
		SHOW(syscall(SYS_capget, &h, now));
		say("CAP_CHOWN permitted after the drop: %d",
		    !!(now[0].permitted & (1u << CAP_CHOWN)));
		SHOW(syscall(SYS_prctl, PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0) >= 0);
		/* Back up: never beyond the permitted set. */
		SHOW(syscall(SYS_capset, &h, d));
		drop[0].effective |= 1u << CAP_CHOWN;
		SHOW(syscall(SYS_capset, &h, drop));
		SHOW(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0));
		SHOW(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0));
		SHOW(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
		SHOW(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0));
		SHOW(syscall(SYS_prctl, PR_CAP_AMBIENT, 99, CAP_CHOWN, 0, 0));
		SHOW(syscall(SYS_prctl, PR_CAPBSET_DROP, 999, 0, 0, 0));
		struct __user_cap_header_struct other = {_LINUX_CAPABILITY_VERSION_3, NO_PID};
		SHOW(syscall(SYS_capset, &other, d));
		struct __user_cap_header_struct bad = {0, 0};
		SHOW(syscall(SYS_capset, &bad, d));
		say("preferred version 0x%x", bad.version);
		SHOW(syscall(SYS_capset, &h, BADPTR));
		/* Dropping CAP_SETPCAP: the bounding set can no longer shrink. */
		SHOW(syscall(SYS_capget, &h, now));
		memcpy(drop, now, sizeof drop);
		drop[0].effective &= ~(1u << CAP_SETPCAP);
		SHOW(syscall(SYS_capset, &h, drop));
		SHOW(syscall(SYS_prctl, PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0));
		_exit(0);
	}
	probe_wait("child", k);
}

static void print_limit(const char *label, int res)
{
	struct rlimit r;
	if (syscall(SYS_getrlimit, res, &r) < 0) {
		say("%s: -1 %s", label, errname(errno));
		return;
	}
	char cur[32], max[32];
	snprintf(cur, sizeof cur, r.rlim_cur == RLIM_INFINITY ? "unlimited" : "%lu",
		 (unsigned long)r.rlim_cur);
	snprintf(max, sizeof max, r.rlim_max == RLIM_INFINITY ? "unlimited" : "%lu",
		 (unsigned long)r.rlim_max);
	say("%s: %s %s", label, cur, max);
}

SYSCALL_TEST(getrlimit)
{
	struct rlimit r;
	SHOW(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r));
	/* The inherited fd limits are the host's in a native run, and in the
	 * sandbox at most what msentry's own host limit can honour (sentry.c:
	 * lower wherever the host holds msentry near them; errors.sh checks
	 * that). So the inherited ones are only sane here, and the exact
	 * values are compared once the probe has set limits of its own below
	 * both (lowering needs no privilege). */
	say("RLIMIT_NOFILE: soft <= hard: %d, soft >= 64: %d", r.rlim_cur <= r.rlim_max,
	    r.rlim_cur >= 64);
	struct rlimit own = {48, 64};
	SHOW(setrlimit(RLIMIT_NOFILE, &own));
	print_limit("RLIMIT_NOFILE", RLIMIT_NOFILE);
	print_limit("RLIMIT_CORE", RLIMIT_CORE);
	print_limit("RLIMIT_STACK", RLIMIT_STACK);
	print_limit("RLIMIT_AS", RLIMIT_AS);
	print_limit("RLIMIT_MEMLOCK", RLIMIT_MEMLOCK);
	print_limit("RLIMIT_NPROC", RLIMIT_NPROC);
	print_limit("RLIMIT_FSIZE", RLIMIT_FSIZE);
	SHOW(syscall(SYS_getrlimit, 99, &r));
	SHOW(syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR));
}

SYSCALL_TEST(setrlimit)
{
	struct rlimit old;
	getrlimit(RLIMIT_NOFILE, &old);
	struct rlimit low = {16, old.rlim_max};
	SHOW(syscall(SYS_setrlimit, RLIMIT_NOFILE, &low));
	struct rlimit r;
	getrlimit(RLIMIT_NOFILE, &r);
	say("soft now %lu, hard kept %d", (unsigned long)r.rlim_cur, r.rlim_max == old.rlim_max);
	/* It applies: no fd at 16 or above. */
	SHOW(dup2(0, 16));
	SHOW(fcntl(0, F_DUPFD, 16));
	int last = -1, fd;
	while ((fd = dup(1)) >= 0)
		last = fd;
	say("dup until %s: last fd %d", errname(errno), last);
	for (fd = 3; fd <= last; fd++)
		close(fd);
	struct rlimit inverted = {100, 50};
	SHOW(syscall(SYS_setrlimit, RLIMIT_NOFILE, &inverted));
	SHOW(syscall(SYS_setrlimit, 99, &low));
	SHOW(syscall(SYS_setrlimit, RLIMIT_NOFILE, BADPTR));
	/* Lowering the hard limit is one-way without CAP_SYS_RESOURCE. */
	struct rlimit fs = {1000000, 1000000};
	SHOW(syscall(SYS_setrlimit, RLIMIT_FSIZE, &fs));
	/* A file may not grow past RLIMIT_FSIZE: a short write, then EFBIG
	 * with SIGXFSZ ignored, or death by SIGXFSZ. Results are printed
	 * after the limit is raised again (stdout may be a file too). */
	pid_t k = probe_fork();
	if (k == 0) {
		struct rlimit tiny = {10, 1000000};
		int f = open("big", O_CREAT | O_WRONLY, 0644);
		signal(SIGXFSZ, SIG_IGN);
		syscall(SYS_setrlimit, RLIMIT_FSIZE, &tiny);
		long r1 = write(f, "0123456789abc", 13);
		long r2 = write(f, "x", 1);
		int e2 = errno;
		syscall(SYS_setrlimit, RLIMIT_FSIZE, &fs);
		say("child: write 13 = %ld, then %ld %s", r1, r2, errname(e2));
		syscall(SYS_setrlimit, RLIMIT_FSIZE, &tiny);
		signal(SIGXFSZ, SIG_DFL);
		write(f, "x", 1);
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(prlimit64)
{
	struct rlimit64 old, cur, set;
	getrlimit64(RLIMIT_NOFILE, &cur);
	set.rlim_cur = 32;
	set.rlim_max = cur.rlim_max;
	SHOW(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &set, &old));
	say("old is what getrlimit said: %d",
	    old.rlim_cur == cur.rlim_cur && old.rlim_max == cur.rlim_max);
	SHOW(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old));
	say("now %llu", (unsigned long long)old.rlim_cur);
	SHOW(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &old));
	SHOW(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL));
	/* Another process's limits: a child's. */
	int p[2];
	pipe(p);
	pid_t k = probe_fork();
	if (k == 0) {
		char c;
		read(p[0], &c, 1);
		struct rlimit r;
		getrlimit(RLIMIT_NOFILE, &r);
		say("child: soft limit set by the parent: %lu", (unsigned long)r.rlim_cur);
		_exit(0);
	}
	set.rlim_cur = 24;
	SHOW(syscall(SYS_prlimit64, k, RLIMIT_NOFILE, &set, &old));
	say("child's old soft %llu", (unsigned long long)old.rlim_cur);
	write(p[1], "x", 1);
	probe_wait("child", k);
	SHOW(syscall(SYS_prlimit64, NO_PID, RLIMIT_NOFILE, NULL, &old));
	SHOW(syscall(SYS_prlimit64, 0, 99, NULL, &old));
	SHOW(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BADPTR, NULL));
	SHOW(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BADPTR));
}

/* A child that uses at least 30 ms of CPU, then exits. */
static void spinning_child(void)
{
	pid_t k = probe_fork();
	if (k == 0) {
		struct timespec t;
		volatile unsigned long spin = 0;
		do {
			for (int i = 0; i < 100000; i++)
				spin++;
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		} while (t.tv_sec == 0 && t.tv_nsec < 30000000);
		_exit(0);
	}
	probe_wait("spinning child", k);
}

static long long tv_us(struct timeval tv)
{
	return tv.tv_sec * 1000000LL + tv.tv_usec;
}

static long long ru_cpu_us(const struct rusage *ru)
{
	return tv_us(ru->ru_utime) + tv_us(ru->ru_stime);
}

/* A child that waits for a spinning grandchild, then exits: the
 * grandchild's use reaches the parent through the child's wait. */
static void child_of_spinner(void)
{
	pid_t k = probe_fork();
	if (k == 0) {
		struct rusage ru;
		spinning_child();
		syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru);
		_exit(ru_cpu_us(&ru) > 0 ? 0 : 1);
	}
	probe_wait("child of a spinner", k);
}

/* A child that touches `mb` MB, then exits. */
static void big_child(int mb)
{
	pid_t k = probe_fork();
	if (k == 0) {
		size_t n = (size_t)mb << 20;
		char *m = malloc(n);
		for (size_t i = 0; m && i < n; i += 4096)
			m[i] = 1;
		_exit(m ? 0 : 1);
	}
	probe_wait("big child", k);
}

/* getrusage is partial (its note): CPU times and max RSS, no context
 * switch or I/O counts. Amounts are not printed, relations are: our own
 * use is there; children count once waited for, grandchildren through
 * their parent's wait; maxrss of children is the largest child's, not a
 * sum; a child reaped because SIGCHLD is ignored adds nothing. */
SYSCALL_TEST(getrusage)
{
	struct rusage ru, before;
	memset(&ru, 0, sizeof ru);
	SHOW(syscall(SYS_getrusage, RUSAGE_SELF, &ru));
	say("max RSS > 0: %d", ru.ru_maxrss > 0);
	SHOW(syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru));
	say("no children yet: cpu 0 %d, maxrss 0 %d", ru_cpu_us(&ru) == 0, ru.ru_maxrss == 0);
	spinning_child();
	memset(&ru, 0, sizeof ru);
	SHOW(syscall(SYS_getrusage, RUSAGE_SELF, &ru));
	say("own CPU not negative: %d", tv_us(ru.ru_utime) >= 0 && tv_us(ru.ru_stime) >= 0);
	SHOW(syscall(SYS_getrusage, RUSAGE_CHILDREN, &before));
	say("a waited child's CPU counts: %d", ru_cpu_us(&before) >= 10000);
	child_of_spinner();
	SHOW(syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru));
	say("a grandchild's CPU counts: %d", ru_cpu_us(&ru) >= ru_cpu_us(&before) + 10000);
	big_child(64);
	big_child(32);
	SHOW(syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru));
	say("children's maxrss is the largest child's: >= 64 MB %d, < 96 MB %d",
	    ru.ru_maxrss >= 64 * 1024, ru.ru_maxrss < 96 * 1024);
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGCHLD, &ign, &old);
	pid_t k = probe_fork();
	if (k == 0)
		_exit(0);
	SHOW(syscall(SYS_wait4, k, NULL, 0, NULL)); /* ECHILD once it is gone */
	sigaction(SIGCHLD, &old, NULL);
	before = ru;
	SHOW(syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru));
	say("an auto-reaped child adds nothing: %d", ru_cpu_us(&ru) == ru_cpu_us(&before));
	SHOW(syscall(SYS_getrusage, RUSAGE_THREAD, &ru));
	SHOW(syscall(SYS_getrusage, 99, &ru));
	SHOW(syscall(SYS_getrusage, RUSAGE_SELF, BADPTR));
}

/* times is partial (its note); only relations are checked: the
 * children's times grow once a spinning child is waited for. */
SYSCALL_TEST(times)
{
	struct tms t;
	memset(&t, 0xff, sizeof t);
	long r = syscall(SYS_times, &t);
	say("returns ticks (not -1): %d, no children's time yet: %d", r != -1,
	    t.tms_cutime + t.tms_cstime == 0);
	spinning_child();
	long r2 = syscall(SYS_times, &t);
	say("ticks do not go back: %d, own times not negative: %d", r2 >= r,
	    (long)t.tms_utime >= 0 && (long)t.tms_stime >= 0);
	say("a waited child's time counts: %d", t.tms_cutime + t.tms_cstime > 0);
	say("NULL is fine: %d", syscall(SYS_times, NULL) != -1);
	SHOW(syscall(SYS_times, BADPTR));
}

SYSCALL_TEST(sysinfo)
{
	struct sysinfo si;
	memset(&si, 0, sizeof si);
	SHOW(syscall(SYS_sysinfo, &si));
	say("uptime > 0 %d, totalram > 0 %d, freeram <= totalram %d, mem_unit %u, procs > 0 %d",
	    si.uptime > 0, si.totalram > 0, si.freeram <= si.totalram, si.mem_unit, si.procs > 0);
	struct timespec boot;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	say("uptime agrees with CLOCK_BOOTTIME: %d", labs(si.uptime - (long)boot.tv_sec) <= 2);
	SHOW(syscall(SYS_sysinfo, BADPTR));
}

/* The host name is the host's natively and the configured one under
 * msentry (the host's by default): it is not printed. */
SYSCALL_TEST(uname)
{
	struct utsname u;
	SHOW(syscall(SYS_uname, &u));
	say("sysname %s, machine %s, release and version set %d", u.sysname, u.machine,
	    u.release[0] != 0 && u.version[0] != 0);
	SHOW(syscall(SYS_uname, BADPTR));
}

/* sethostname/setdomainname change the host natively: only calls that
 * fail, and setting the name it already has, are probed. */
static void probe_set_uts(long nr, int field)
{
	struct utsname u;
	uname(&u);
	const char *now = field ? u.domainname : u.nodename;
	char long_name[80];
	memset(long_name, 'a', sizeof long_name);
	SHOW(syscall(nr, long_name, 65));
	SHOW(syscall(nr, long_name, -1));
	SHOW(syscall(nr, BADPTR, 5));
	SHOW(syscall(nr, now, strlen(now)));
	struct utsname after;
	uname(&after);
	say("unchanged: %d", strcmp(field ? after.domainname : after.nodename, now) == 0);
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(nr, now, strlen(now)));
		SHOW(syscall(nr, long_name, 65));
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(sethostname)
{
	probe_set_uts(SYS_sethostname, 0);
}

SYSCALL_TEST(setdomainname)
{
	probe_set_uts(SYS_setdomainname, 1);
}
