/* Probes for the old file-system calls that programs built long ago still
 * make: getdents, utime, utimes, futimesat, readahead, ustat and sysfs. */
#include <dirent.h>
#include <sys/time.h>

#include "probe.h"

static int compare_strings(const void *a, const void *b)
{
	return strcmp(a, b);
}

static const char *type_name(unsigned char type)
{
	return type == DT_DIR	 ? "dir"
	       : type == DT_REG	 ? "reg"
	       : type == DT_LNK	 ? "lnk"
	       : type == DT_FIFO ? "fifo"
				 : "other";
}

/* Sorted "name/type" of what the old getdents returns for fd: a record is
 * d_ino, d_off, d_reclen, the name, and the type in its last byte. */
static void list_old(int fd, size_t bufsize)
{
	char buf[4096];
	char names[64][300];
	int n = 0, calls = 0;
	for (;;) {
		long r = syscall(SYS_getdents, fd, buf, bufsize);
		calls++;
		if (r <= 0) {
			if (r < 0)
				say("getdents = -1 %s", errname(errno));
			break;
		}
		for (long off = 0; off < r;) {
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			const char *name = buf + off + 18;
			if (n < 64)
				snprintf(names[n++], sizeof names[0], "%s/%s", name,
					 type_name((unsigned char)buf[off + reclen - 1]));
			off += reclen;
		}
	}
	qsort(names, n, sizeof names[0], compare_strings);
	printf("entries (%d, in %s call):", n, calls > 2 ? "more than one" : "one");
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	say("%s", "");
}

/* Both forms return records of the same lengths for the same directory. */
static int same_lengths(int fd)
{
	char a[4096], b[4096];
	lseek(fd, 0, SEEK_SET);
	long na = syscall(SYS_getdents, fd, a, sizeof a);
	lseek(fd, 0, SEEK_SET);
	long nb = syscall(SYS_getdents64, fd, b, sizeof b);
	return na > 0 && na == nb;
}

SYSCALL_TEST(getdents)
{
	mkdir("d", 0755);
	put_file("d/a", "x");
	put_file("d/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "x");
	mkdir("d/c", 0755);
	symlink("a", "d/l");
	mkfifo("d/p", 0644);
	int d = open("d", O_RDONLY | O_DIRECTORY);
	list_old(d, 4096);
	lseek(d, 0, SEEK_SET);
	list_old(d, 100);
	say("records as long as getdents64's: %d", same_lengths(d));
	char small[8];
	lseek(d, 0, SEEK_SET);
	SHOW(syscall(SYS_getdents, d, small, sizeof small));
	SHOW(syscall(SYS_getdents, d, BADPTR, 4096));
	int f = open("d/a", O_RDONLY);
	SHOW(syscall(SYS_getdents, f, small, sizeof small));
	SHOW(syscall(SYS_getdents, 99, small, sizeof small));
	close(f);
	close(d);
	/* A directory the kernel makes up: /proc/self/fd lists the fd that
	 * reads it, as a symlink. */
	int p = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	char buf[4096], want[16];
	snprintf(want, sizeof want, "%d", p);
	long r = syscall(SYS_getdents, p, buf, sizeof buf);
	int found = 0;
	for (long off = 0; r > 0 && off < r;) {
		unsigned short reclen;
		memcpy(&reclen, buf + off + 16, sizeof(reclen));
		if (strcmp(buf + off + 18, want) == 0)
			found = buf[off + reclen - 1] == DT_LNK;
		off += reclen;
	}
	say("/proc/self/fd lists its reader as a symlink: %d", found);
	close(p);
}

static void print_times(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		say("%s: -1 %s", path, errname(errno));
		return;
	}
	say("%s: atime %lld.%09ld mtime %lld.%09ld", path, (long long)st.st_atim.tv_sec,
	    st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void say_now(const char *path)
{
	struct stat st;
	stat(path, &st);
	say("%s: times set to now: %d", path, st.st_atime > 1600000000 && st.st_mtime > 1600000000);
}

/* As nobody, on root's files: setting the current time needs write
 * access (EACCES), setting others needs ownership (EPERM). `call` makes
 * the call with NULL times (now) or with `times`. */
static void as_nobody(long (*call)(const char *path, bool now))
{
	if (geteuid() != 0) {
		say("skipped: not root");
		return;
	}
	struct stat dir;
	stat(".", &dir);
	chmod(".", 0755);
	put_file("ro", "x");
	chmod("ro", 0644);
	put_file("rw", "x");
	chmod("rw", 0666);
	pid_t k = probe_fork();
	if (k == 0) {
		if (syscall(SYS_setresuid, 65534, 65534, 65534) != 0)
			_exit(1);
		SHOW(call("ro", true));
		SHOW(call("ro", false));
		SHOW(call("rw", true));
		SHOW(call("rw", false));
		_exit(0);
	}
	probe_wait("child", k);
	chmod(".", dir.st_mode & 07777);
}

static long utime_call(const char *path, bool now)
{
	static const int64_t tb[2] = {5, 6};
	return syscall(SYS_utime, path, now ? NULL : tb);
}

SYSCALL_TEST(utime)
{
	put_file("f", "x");
	symlink("f", "sl");
	int64_t tb[2] = {1000, 2000}; /* struct utimbuf: actime, modtime */
	SHOW(syscall(SYS_utime, "f", tb));
	print_times("f");
	int64_t by_link[2] = {3000, 4000};
	SHOW(syscall(SYS_utime, "sl", by_link));
	print_times("f");
	SHOW(syscall(SYS_utime, "f", NULL));
	say_now("f");
	SHOW(syscall(SYS_utime, "missing", tb));
	SHOW(syscall(SYS_utime, "f", BADPTR));
	SHOW(syscall(SYS_utime, BADPTR, NULL));
	SHOW(syscall(SYS_utime, NULL, NULL));
	SHOW(syscall(SYS_utime, "", NULL));
	as_nobody(utime_call);
}

static long utimes_call(const char *path, bool now)
{
	static const struct timeval tv[2] = {{5, 0}, {6, 0}};
	return syscall(SYS_utimes, path, now ? NULL : tv);
}

SYSCALL_TEST(utimes)
{
	put_file("f", "x");
	struct timeval tv[2] = {{1000, 500}, {2000, 999999}};
	SHOW(syscall(SYS_utimes, "f", tv));
	print_times("f");
	struct timeval big[2] = {{1, 1000000}, {2, 0}};
	SHOW(syscall(SYS_utimes, "f", big));
	struct timeval negative[2] = {{1, 0}, {2, -1}};
	SHOW(syscall(SYS_utimes, "f", negative));
	/* UTIME_NOW and UTIME_OMIT are utimensat's alone. */
	struct timeval omit[2] = {{1, UTIME_OMIT}, {2, UTIME_OMIT}};
	SHOW(syscall(SYS_utimes, "f", omit));
	print_times("f");
	SHOW(syscall(SYS_utimes, "f", NULL));
	say_now("f");
	SHOW(syscall(SYS_utimes, "missing", tv));
	SHOW(syscall(SYS_utimes, "f", BADPTR));
	SHOW(syscall(SYS_utimes, NULL, tv));
	as_nobody(utimes_call);
}

SYSCALL_TEST(futimesat)
{
	mkdir("d", 0755);
	put_file("d/f", "x");
	int d = open("d", O_RDONLY | O_DIRECTORY);
	struct timeval tv[2] = {{1000, 1}, {2000, 2}};
	SHOW(syscall(SYS_futimesat, d, "f", tv));
	print_times("d/f");
	int f = open("d/f", O_RDONLY);
	SHOW(syscall(SYS_futimesat, f, "f", tv));
	SHOW(syscall(SYS_futimesat, 99, "f", tv));
	/* An absolute path ignores the dirfd. */
	char abs[4200];
	snprintf(abs, sizeof abs, "%s/d/f", probe_dir);
	struct timeval tv2[2] = {{3000, 0}, {4000, 0}};
	SHOW(syscall(SYS_futimesat, 99, abs, tv2));
	print_times("d/f");
	/* No path: the open file itself, as futimes; AT_FDCWD has none. */
	struct timeval tv3[2] = {{5000, 0}, {6000, 0}};
	SHOW(syscall(SYS_futimesat, f, NULL, tv3));
	print_times("d/f");
	SHOW(syscall(SYS_futimesat, AT_FDCWD, NULL, tv3));
	SHOW(syscall(SYS_futimesat, 99, NULL, tv3));
	SHOW(syscall(SYS_futimesat, d, "f", NULL));
	say_now("d/f");
	SHOW(syscall(SYS_futimesat, d, "missing", tv));
	SHOW(syscall(SYS_futimesat, d, "f", BADPTR));
	struct timeval bad[2] = {{1, 1000000}, {2, 0}};
	SHOW(syscall(SYS_futimesat, d, "f", bad));
	close(f);
	close(d);
}

SYSCALL_TEST(readahead)
{
	put_file("f", "some bytes to read ahead");
	int f = open("f", O_RDONLY);
	SHOW(syscall(SYS_readahead, f, 0, 4096));
	say("file position kept: %d", lseek(f, 0, SEEK_CUR) == 0);
	SHOW(syscall(SYS_readahead, f, 1 << 20, 4096));
	int w = open("f", O_WRONLY);
	SHOW(syscall(SYS_readahead, w, 0, 4096));
	int rw = open("f", O_RDWR);
	SHOW(syscall(SYS_readahead, rw, 0, 4096));
	int path = open("f", O_PATH);
	SHOW(syscall(SYS_readahead, path, 0, 4096));
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_readahead, dir, 0, 4096));
	int pfd[2];
	pipe(pfd);
	SHOW(syscall(SYS_readahead, pfd[0], 0, 4096));
	SHOW(syscall(SYS_readahead, pfd[1], 0, 4096));
	SHOW(syscall(SYS_readahead, 99, 0, 4096));
	SHOW(syscall(SYS_readahead, -1, 0, 4096));
	close(f), close(w), close(rw), close(path), close(dir), close(pfd[0]), close(pfd[1]);
}

/* x86-64's struct ustat. */
struct ustat_abi {
	int32_t f_tfree;
	uint64_t f_tinode;
	char f_fname[6];
	char f_fpack[6];
};

SYSCALL_TEST(ustat)
{
	struct stat st;
	stat("/", &st);
	/* The kernel's 32-bit device encoding (what stat's st_dev holds
	 * for numbers that fit). */
	uint64_t dev = (uint32_t)st.st_dev;
	struct ustat_abi u;
	memset(&u, 0x55, sizeof u);
	SHOW(syscall(SYS_ustat, dev, &u));
	static const char zero[6];
	say("names empty: %d", !memcmp(u.f_fname, zero, 6) && !memcmp(u.f_fpack, zero, 6));
	/* The device is an unsigned int: the high half is ignored. */
	SHOW(syscall(SYS_ustat, dev | (1ULL << 32), &u));
	SHOW(syscall(SYS_ustat, dev, BADPTR));
	SHOW(syscall(SYS_ustat, 0xffffffffULL, &u));
	/* /proc's file system has a device of its own. */
	stat("/proc", &st);
	SHOW(syscall(SYS_ustat, (uint32_t)st.st_dev, &u));
}

/* The index of `name` in /proc/filesystems, or -1. */
static long proc_index(const char *name)
{
	FILE *fp = fopen("/proc/filesystems", "r");
	char line[256];
	long i = 0, found = -1;
	while (fp && fgets(line, sizeof line, fp)) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		tab[strcspn(tab, "\n")] = 0;
		if (found < 0 && strcmp(tab + 1, name) == 0)
			found = i;
		i++;
	}
	if (fp)
		fclose(fp);
	return found;
}

SYSCALL_TEST(sysfs)
{
	long n = syscall(SYS_sysfs, 3);
	say("count > 0: %d", n > 0);
	int round_trip = n > 0;
	char name[256], first[256] = "";
	for (long i = 0; i < n; i++) {
		if (syscall(SYS_sysfs, 2, i, name) != 0 || syscall(SYS_sysfs, 1, name) != i)
			round_trip = 0;
		if (i == 0)
			strcpy(first, name);
	}
	say("every index names a type with that index: %d", round_trip);
	say("proc's index as in /proc/filesystems: %d",
	    syscall(SYS_sysfs, 1, "proc") == proc_index("proc"));
	SHOW(syscall(SYS_sysfs, 2, n, name));
	/* The index is an unsigned int: the high half is ignored. */
	SHOW(syscall(SYS_sysfs, 2, (1UL << 32), name));
	say("that is the first type: %d", strcmp(name, first) == 0);
	SHOW(syscall(SYS_sysfs, 1, "no-such-file-system"));
	SHOW(syscall(SYS_sysfs, 1, ""));
	SHOW(syscall(SYS_sysfs, 1, BADPTR));
	SHOW(syscall(SYS_sysfs, 2, 0, BADPTR));
	SHOW(syscall(SYS_sysfs, 0));
	SHOW(syscall(SYS_sysfs, 4));
	SHOW(syscall(SYS_sysfs, -1));
}
