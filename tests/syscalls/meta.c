/* File metadata: the stat family, modes, owners, times, filesystems and
 * extended attributes. */
#include <sys/statfs.h>
#include <sys/xattr.h>

#include "probe.h"

/* A file the build gives the attribute user.probe = "value" (so that the
 * getxattr tests do not depend on setxattr). */
#ifndef PROBE_XATTR_FIXTURE
#define PROBE_XATTR_FIXTURE "/nonexistent"
#endif

const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "reg";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "lnk";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	default:
		return "?";
	}
}

void print_stat(const char *label, const struct stat *st)
{
	say("%s: %s %04o size %lld nlink %ld uid %u gid %u", label, file_type(st->st_mode),
	    st->st_mode & 07777, (long long)st->st_size, (long)st->st_nlink, st->st_uid,
	    st->st_gid);
}

void print_path_stat(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		say("%s: -1 %s", path, errname(errno));
	else
		print_stat(path, &st);
}

void print_lpath_stat(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		say("%s: -1 %s", path, errname(errno));
	else
		print_stat(path, &st);
}

SYSCALL_TEST(stat)
{
	struct stat st;
	put_file("f", "hello");
	mkdir("d", 0711);
	symlink("f", "sl");
	if (SHOW(syscall(SYS_stat, "f", &st)) == 0)
		print_stat("f", &st);
	if (SHOW(syscall(SYS_stat, "d", &st)) == 0)
		print_stat("d", &st);
	if (SHOW(syscall(SYS_stat, "sl", &st)) == 0)
		print_stat("sl (followed)", &st);
	struct stat a, b;
	syscall(SYS_stat, "f", &a);
	syscall(SYS_stat, "sl", &b);
	say("same inode through the link: %d", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	SHOW(syscall(SYS_stat, "missing", &st));
	SHOW(syscall(SYS_stat, "f/x", &st));
	SHOW(syscall(SYS_stat, "", &st));
	SHOW(syscall(SYS_stat, "f", BADPTR));
	SHOW(syscall(SYS_stat, BADPTR, &st));
	if (SHOW(syscall(SYS_stat, "/", &st)) == 0)
		print_stat("/", &st);
}

SYSCALL_TEST(fstat)
{
	struct stat st;
	put_file("f", "hello world");
	int fd = open("f", O_RDONLY);
	if (SHOW(syscall(SYS_fstat, fd, &st)) == 0)
		print_stat("f", &st);
	int p[2];
	pipe(p);
	if (SHOW(syscall(SYS_fstat, p[0], &st)) == 0)
		say("pipe: %s %04o size %lld", file_type(st.st_mode), st.st_mode & 07777,
		    (long long)st.st_size);
	int d = open(".", O_RDONLY | O_DIRECTORY);
	if (SHOW(syscall(SYS_fstat, d, &st)) == 0)
		say(".: %s", file_type(st.st_mode));
	int o = open("f", O_PATH);
	if (SHOW(syscall(SYS_fstat, o, &st)) == 0)
		say("O_PATH: %s size %lld", file_type(st.st_mode), (long long)st.st_size);
	unlink("f");
	if (SHOW(syscall(SYS_fstat, fd, &st)) == 0)
		print_stat("f after unlink", &st);
	SHOW(syscall(SYS_fstat, 99, &st));
	SHOW(syscall(SYS_fstat, -1, &st));
	SHOW(syscall(SYS_fstat, fd, BADPTR));
	close(fd);
	close(d);
	close(o);
}

SYSCALL_TEST(lstat)
{
	struct stat st;
	put_file("f", "hello");
	symlink("f", "sl");
	symlink("missing-target", "dangling");
	if (SHOW(syscall(SYS_lstat, "sl", &st)) == 0)
		print_stat("sl", &st);
	if (SHOW(syscall(SYS_lstat, "dangling", &st)) == 0)
		print_stat("dangling", &st);
	if (SHOW(syscall(SYS_lstat, "f", &st)) == 0)
		print_stat("f", &st);
	SHOW(syscall(SYS_stat, "dangling", &st));
	SHOW(syscall(SYS_lstat, "missing", &st));
	SHOW(syscall(SYS_lstat, "sl", BADPTR));
	SHOW(syscall(SYS_lstat, NULL, &st));
	SHOW(syscall(SYS_stat, NULL, &st));
	SHOW(syscall(SYS_lstat, "sl/x", &st));
}

SYSCALL_TEST(newfstatat)
{
	struct stat st;
	mkdir("d", 0755);
	put_file("d/f", "abc");
	symlink("f", "d/sl");
	int d = open("d", O_RDONLY | O_DIRECTORY);
	if (SHOW(syscall(SYS_newfstatat, d, "f", &st, 0)) == 0)
		print_stat("d/f", &st);
	if (SHOW(syscall(SYS_newfstatat, d, "sl", &st, 0)) == 0)
		print_stat("d/sl followed", &st);
	if (SHOW(syscall(SYS_newfstatat, d, "sl", &st, AT_SYMLINK_NOFOLLOW)) == 0)
		print_stat("d/sl", &st);
	if (SHOW(syscall(SYS_newfstatat, AT_FDCWD, "d/f", &st, 0)) == 0)
		print_stat("d/f", &st);
	int f = open("d/f", O_RDONLY);
	if (SHOW(syscall(SYS_newfstatat, f, "", &st, AT_EMPTY_PATH)) == 0)
		print_stat("fd with AT_EMPTY_PATH", &st);
	SHOW(syscall(SYS_newfstatat, f, "", &st, 0));
	SHOW(syscall(SYS_newfstatat, f, "x", &st, 0));
	SHOW(syscall(SYS_newfstatat, d, "missing", &st, 0));
	SHOW(syscall(SYS_newfstatat, 99, "f", &st, 0));
	SHOW(syscall(SYS_newfstatat, d, "f", &st, 0x4000000));
	SHOW(syscall(SYS_newfstatat, d, "f", BADPTR, 0));
	close(f);
	close(d);
}

static void print_statx(const char *label, const struct statx *sx)
{
	say("%s: mask&basic 0x%x %s %04o size %llu nlink %u uid %u gid %u blksize>0 %d", label,
	    sx->stx_mask & STATX_BASIC_STATS, file_type(sx->stx_mode), sx->stx_mode & 07777,
	    (unsigned long long)sx->stx_size, sx->stx_nlink, sx->stx_uid, sx->stx_gid,
	    sx->stx_blksize > 0);
}

SYSCALL_TEST(statx)
{
	struct statx sx;
	put_file("f", "0123456789");
	symlink("f", "sl");
	if (SHOW(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx)) == 0)
		print_statx("f", &sx);
	if (SHOW(syscall(SYS_statx, AT_FDCWD, "sl", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx)) ==
	    0)
		print_statx("sl", &sx);
	if (SHOW(syscall(SYS_statx, AT_FDCWD, "sl", 0, STATX_SIZE, &sx)) == 0)
		say("sl followed: size %llu", (unsigned long long)sx.stx_size);
	struct stat st;
	stat("f", &st);
	syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx);
	say("agrees with stat: ino %d mtime %d", sx.stx_ino == (uint64_t)st.st_ino,
	    sx.stx_mtime.tv_sec == st.st_mtime && sx.stx_mtime.tv_nsec == st.st_mtim.tv_nsec);
	int fd = open("f", O_RDONLY);
	if (SHOW(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx)) == 0)
		print_statx("fd", &sx);
	SHOW(syscall(SYS_statx, AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx));
	SHOW(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX__RESERVED, &sx));
	SHOW(syscall(SYS_statx, AT_FDCWD, "f", 0x80000000, STATX_BASIC_STATS, &sx));
	SHOW(syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
		     STATX_BASIC_STATS, &sx));
	SHOW(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BADPTR));
	SHOW(syscall(SYS_statx, 99, "f", 0, STATX_BASIC_STATS, &sx));
	close(fd);
}

SYSCALL_TEST(chmod)
{
	put_file("f", "x");
	symlink("f", "sl");
	SHOW(syscall(SYS_chmod, "f", 0600));
	print_path_stat("f");
	SHOW(syscall(SYS_chmod, "sl", 04755));
	print_path_stat("f");
	print_lpath_stat("sl");
	SHOW(syscall(SYS_chmod, "f", 0177777));
	print_path_stat("f");
	SHOW(syscall(SYS_chmod, "missing", 0600));
	SHOW(syscall(SYS_chmod, "f/x", 0600));
	SHOW(syscall(SYS_chmod, BADPTR, 0600));
}

SYSCALL_TEST(fchmod)
{
	put_file("f", "x");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_fchmod, fd, 0640));
	print_path_stat("f");
	SHOW(syscall(SYS_fchmod, fd, 02755));
	print_path_stat("f");
	int o = open("f", O_PATH);
	SHOW(syscall(SYS_fchmod, o, 0600));
	SHOW(syscall(SYS_fchmod, 99, 0600));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fchmod, p[0], 0600));
	close(fd);
	close(o);
}

SYSCALL_TEST(fchmodat)
{
	mkdir("d", 0755);
	put_file("d/f", "x");
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_fchmodat, d, "f", 0604));
	print_path_stat("d/f");
	SHOW(syscall(SYS_fchmodat, AT_FDCWD, "d", 0700));
	print_path_stat("d");
	SHOW(syscall(SYS_fchmodat, d, "missing", 0600));
	SHOW(syscall(SYS_fchmodat, 99, "f", 0600));
	SHOW(syscall(SYS_fchmodat, d, BADPTR, 0600));
	close(d);
}

SYSCALL_TEST(chown)
{
	put_file("f", "x");
	symlink("f", "sl");
	SHOW(syscall(SYS_chown, "f", 1000, 2000));
	print_path_stat("f");
	SHOW(syscall(SYS_chown, "f", -1, 3000));
	print_path_stat("f");
	SHOW(syscall(SYS_chown, "f", -1, -1));
	print_path_stat("f");
	/* The link is followed. */
	SHOW(syscall(SYS_chown, "sl", 0, 0));
	print_path_stat("f");
	/* Changing the owner clears set-user-ID and (with group exec) set-group-ID. */
	chmod("f", 06755);
	print_path_stat("f");
	SHOW(syscall(SYS_chown, "f", 1, 1));
	print_path_stat("f");
	SHOW(syscall(SYS_chown, "missing", 0, 0));
	SHOW(syscall(SYS_chown, BADPTR, 0, 0));
}

SYSCALL_TEST(fchown)
{
	put_file("f", "x");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_fchown, fd, 123, 456));
	print_path_stat("f");
	SHOW(syscall(SYS_fchown, fd, -1, 0));
	print_path_stat("f");
	int o = open("f", O_PATH);
	SHOW(syscall(SYS_fchown, o, 0, 0));
	SHOW(syscall(SYS_fchown, 99, 0, 0));
	close(fd);
	close(o);
}

SYSCALL_TEST(lchown)
{
	put_file("f", "x");
	symlink("f", "sl");
	SHOW(syscall(SYS_lchown, "sl", 77, 88));
	print_lpath_stat("sl");
	print_path_stat("f");
	SHOW(syscall(SYS_lchown, "f", 5, 6));
	print_path_stat("f");
	SHOW(syscall(SYS_lchown, "missing", 0, 0));
	SHOW(syscall(SYS_lchown, BADPTR, 0, 0));
}

SYSCALL_TEST(fchownat)
{
	mkdir("d", 0755);
	put_file("d/f", "x");
	symlink("f", "d/sl");
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_fchownat, d, "f", 10, 20, 0));
	print_path_stat("d/f");
	SHOW(syscall(SYS_fchownat, d, "sl", 30, 40, AT_SYMLINK_NOFOLLOW));
	print_lpath_stat("d/sl");
	print_path_stat("d/f");
	SHOW(syscall(SYS_fchownat, d, "sl", 50, 60, 0));
	print_path_stat("d/f");
	int f = open("d/f", O_RDONLY);
	SHOW(syscall(SYS_fchownat, f, "", 70, 80, AT_EMPTY_PATH));
	print_path_stat("d/f");
	SHOW(syscall(SYS_fchownat, f, "", 0, 0, 0));
	SHOW(syscall(SYS_fchownat, d, "f", 0, 0, 0x1));
	SHOW(syscall(SYS_fchownat, 99, "f", 0, 0, 0));
	SHOW(syscall(SYS_fchownat, d, "missing", 0, 0, 0));
	close(f);
	close(d);
}

static void print_times(const char *path, bool follow)
{
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0) {
		say("%s: -1 %s", path, errname(errno));
		return;
	}
	say("%s: atime %lld.%09ld mtime %lld.%09ld", path, (long long)st.st_atim.tv_sec,
	    st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

SYSCALL_TEST(utimensat)
{
	put_file("f", "x");
	symlink("f", "sl");
	struct timespec ts[2] = {{1000000000, 500}, {1234567890, 123456789}};
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0));
	print_times("f", true);
	struct timespec omit[2] = {{0, UTIME_OMIT}, {42, 0}};
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "f", omit, 0));
	print_times("f", true);
	struct timespec on_link[2] = {{7, 7}, {8, 8}};
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "sl", on_link, AT_SYMLINK_NOFOLLOW));
	print_times("sl", false);
	print_times("f", true);
	int fd = open("f", O_RDONLY);
	struct timespec by_fd[2] = {{11, 0}, {12, 0}};
	SHOW(syscall(SYS_utimensat, fd, NULL, by_fd, 0));
	print_times("f", true);
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "f", NULL, 0));
	struct stat st;
	stat("f", &st);
	say("NULL times set now: %d", st.st_mtime > 1600000000 && st.st_atime > 1600000000);
	struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	syscall(SYS_utimensat, AT_FDCWD, "f", by_fd, 0);
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "f", now, 0));
	stat("f", &st);
	say("UTIME_NOW atime now: %d, mtime kept: %d", st.st_atime > 1600000000, st.st_mtime == 12);
	struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "f", bad, 0));
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0x1));
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "missing", ts, 0));
	SHOW(syscall(SYS_utimensat, 99, NULL, ts, 0));
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "f", BADPTR, 0));
	/* No path: the open file itself, where no flag is allowed; with
	 * AT_FDCWD a NULL path is a bad address. */
	SHOW(syscall(SYS_utimensat, fd, NULL, ts, AT_SYMLINK_NOFOLLOW));
	SHOW(syscall(SYS_utimensat, AT_FDCWD, NULL, ts, 0));
	/* Both times omitted: nothing to do, the path is not even looked up. */
	struct timespec both_omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	SHOW(syscall(SYS_utimensat, AT_FDCWD, "missing", both_omit, 0));
	close(fd);
}

static void print_statfs(const char *label, const struct statfs *s)
{
	say("%s: type 0x%lx bsize %ld namelen %ld frsize %ld flags 0x%lx blocks>0 %d", label,
	    (long)s->f_type, (long)s->f_bsize, (long)s->f_namelen, (long)s->f_frsize,
	    (long)s->f_flags, s->f_blocks > 0);
}

SYSCALL_TEST(statfs)
{
	struct statfs s;
	if (SHOW(syscall(SYS_statfs, ".", &s)) == 0)
		print_statfs(".", &s);
	if (SHOW(syscall(SYS_statfs, "/proc", &s)) == 0)
		say("/proc: type 0x%lx", (long)s.f_type);
	SHOW(syscall(SYS_statfs, "missing", &s));
	SHOW(syscall(SYS_statfs, ".", BADPTR));
	SHOW(syscall(SYS_statfs, BADPTR, &s));
}

SYSCALL_TEST(fstatfs)
{
	struct statfs s, t;
	put_file("f", "x");
	int fd = open("f", O_RDONLY);
	if (SHOW(syscall(SYS_fstatfs, fd, &s)) == 0)
		print_statfs("f", &s);
	statfs(".", &t);
	say("same as statfs of the directory: %d", s.f_type == t.f_type && s.f_bsize == t.f_bsize);
	int p[2];
	pipe(p);
	if (SHOW(syscall(SYS_fstatfs, p[0], &s)) == 0)
		say("pipe: type 0x%lx", (long)s.f_type);
	SHOW(syscall(SYS_fstatfs, 99, &s));
	SHOW(syscall(SYS_fstatfs, fd, BADPTR));
	close(fd);
}

static void print_list(const char *label, const char *buf, long n)
{
	printf("%s:", label);
	for (long i = 0; i < n; i += strlen(buf + i) + 1)
		printf(" %s", buf + i);
	say("%s", "");
}

SYSCALL_TEST(getxattr)
{
	char v[64] = {0};
	symlink(PROBE_XATTR_FIXTURE, "sl");
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, "user.probe", v, sizeof v));
	say("value: %s", v);
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, "user.probe", NULL, 0));
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, "user.probe", v, 2));
	memset(v, 0, sizeof v);
	SHOW(syscall(SYS_getxattr, "sl", "user.probe", v, sizeof v));
	say("through a symlink: %s", v);
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, "user.none", v, sizeof v));
	put_file("plain", "x");
	SHOW(syscall(SYS_getxattr, "plain", "user.probe", v, sizeof v));
	SHOW(syscall(SYS_getxattr, "missing", "user.probe", v, sizeof v));
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, "", v, sizeof v));
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, "nonamespace", v, sizeof v));
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, BADPTR, v, sizeof v));
	SHOW(syscall(SYS_getxattr, PROBE_XATTR_FIXTURE, "user.probe", BADPTR, sizeof v));
	SHOW(syscall(SYS_getxattr, BADPTR, "user.probe", v, sizeof v));
}

SYSCALL_TEST(lgetxattr)
{
	char v[64] = {0};
	symlink(PROBE_XATTR_FIXTURE, "sl");
	SHOW(syscall(SYS_lgetxattr, PROBE_XATTR_FIXTURE, "user.probe", v, sizeof v));
	say("value: %s", v);
	/* The link itself has no user attributes. */
	SHOW(syscall(SYS_lgetxattr, "sl", "user.probe", v, sizeof v));
	SHOW(syscall(SYS_lgetxattr, PROBE_XATTR_FIXTURE, "user.probe", v, 1));
	SHOW(syscall(SYS_lgetxattr, "missing", "user.probe", v, sizeof v));
	SHOW(syscall(SYS_lgetxattr, PROBE_XATTR_FIXTURE, "", v, sizeof v));
}

SYSCALL_TEST(fgetxattr)
{
	char v[64] = {0};
	int fd = open(PROBE_XATTR_FIXTURE, O_RDONLY);
	SHOW(syscall(SYS_fgetxattr, fd, "user.probe", v, sizeof v));
	say("value: %s", v);
	SHOW(syscall(SYS_fgetxattr, fd, "user.probe", NULL, 0));
	SHOW(syscall(SYS_fgetxattr, fd, "user.probe", v, 3));
	SHOW(syscall(SYS_fgetxattr, fd, "user.none", v, sizeof v));
	SHOW(syscall(SYS_fgetxattr, fd, "", v, sizeof v));
	SHOW(syscall(SYS_fgetxattr, 99, "user.probe", v, sizeof v));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fgetxattr, p[0], "user.probe", v, sizeof v));
	close(fd);
}

SYSCALL_TEST(listxattr)
{
	char buf[256];
	symlink(PROBE_XATTR_FIXTURE, "sl");
	long n = SHOW(syscall(SYS_listxattr, PROBE_XATTR_FIXTURE, buf, sizeof buf));
	print_list("names", buf, n);
	SHOW(syscall(SYS_listxattr, PROBE_XATTR_FIXTURE, NULL, 0));
	SHOW(syscall(SYS_listxattr, PROBE_XATTR_FIXTURE, buf, 3));
	n = SHOW(syscall(SYS_listxattr, "sl", buf, sizeof buf));
	print_list("through a symlink", buf, n);
	put_file("plain", "x");
	SHOW(syscall(SYS_listxattr, "plain", buf, sizeof buf));
	SHOW(syscall(SYS_listxattr, "missing", buf, sizeof buf));
	SHOW(syscall(SYS_listxattr, PROBE_XATTR_FIXTURE, BADPTR, sizeof buf));
	SHOW(syscall(SYS_listxattr, BADPTR, buf, sizeof buf));
}

SYSCALL_TEST(llistxattr)
{
	char buf[256];
	symlink(PROBE_XATTR_FIXTURE, "sl");
	long n = SHOW(syscall(SYS_llistxattr, PROBE_XATTR_FIXTURE, buf, sizeof buf));
	print_list("names", buf, n);
	SHOW(syscall(SYS_llistxattr, "sl", buf, sizeof buf));
	SHOW(syscall(SYS_llistxattr, PROBE_XATTR_FIXTURE, buf, 1));
	SHOW(syscall(SYS_llistxattr, "missing", buf, sizeof buf));
}

SYSCALL_TEST(flistxattr)
{
	char buf[256];
	int fd = open(PROBE_XATTR_FIXTURE, O_RDONLY);
	long n = SHOW(syscall(SYS_flistxattr, fd, buf, sizeof buf));
	print_list("names", buf, n);
	SHOW(syscall(SYS_flistxattr, fd, NULL, 0));
	SHOW(syscall(SYS_flistxattr, fd, buf, 2));
	put_file("plain", "x");
	int p = open("plain", O_RDONLY);
	SHOW(syscall(SYS_flistxattr, p, buf, sizeof buf));
	SHOW(syscall(SYS_flistxattr, 99, buf, sizeof buf));
	SHOW(syscall(SYS_flistxattr, fd, BADPTR, sizeof buf));
	close(fd);
	close(p);
}

/* The value of `name` on `path` (not following), or the error. */
static void show_xattr(const char *label, const char *path, const char *name)
{
	char v[64] = {0};
	long n = lgetxattr(path, name, v, sizeof v - 1);
	if (n < 0)
		say("%s: %s", label, errname(errno));
	else
		say("%s: \"%s\"", label, v);
}

SYSCALL_TEST(setxattr)
{
	put_file("f", "x");
	symlink("f", "sl");
	SHOW(syscall(SYS_setxattr, "f", "user.a", "one", 3, 0));
	show_xattr("user.a", "f", "user.a");
	SHOW(syscall(SYS_setxattr, "f", "user.a", "two", 3, XATTR_CREATE));
	SHOW(syscall(SYS_setxattr, "f", "user.b", "two", 3, XATTR_REPLACE));
	SHOW(syscall(SYS_setxattr, "f", "user.a", "three", 5, XATTR_REPLACE));
	show_xattr("user.a replaced", "f", "user.a");
	/* Through a symlink: the file's attribute. */
	SHOW(syscall(SYS_setxattr, "sl", "user.c", "", 0, 0));
	show_xattr("user.c (empty)", "f", "user.c");
	char buf[256];
	long n = SHOW(listxattr("f", buf, sizeof buf));
	print_list("names", buf, n);
	SHOW(syscall(SYS_setxattr, "f", "user.a", "x", 1, 4));
	SHOW(syscall(SYS_setxattr, "f", "", "x", 1, 0));
	SHOW(syscall(SYS_setxattr, "f", "nonamespace", "x", 1, 0));
	SHOW(syscall(SYS_setxattr, "f", "user.big", "x", (size_t)70000, 0));
	SHOW(syscall(SYS_setxattr, "f", "user.a", BADPTR, 3, 0));
	SHOW(syscall(SYS_setxattr, "f", BADPTR, "x", 1, 0));
	SHOW(syscall(SYS_setxattr, "missing", "user.a", "x", 1, 0));
	SHOW(syscall(SYS_setxattr, "f/", "user.a", "x", 1, 0));
	SHOW(syscall(SYS_setxattr, BADPTR, "user.a", "x", 1, 0));
	char longname[300];
	memset(longname, 'n', sizeof longname);
	memcpy(longname, "user.", 5);
	longname[299] = '\0';
	SHOW(syscall(SYS_setxattr, "f", longname, "x", 1, 0));
}

SYSCALL_TEST(lsetxattr)
{
	put_file("f", "x");
	symlink("f", "sl");
	SHOW(syscall(SYS_lsetxattr, "f", "user.a", "one", 3, 0));
	show_xattr("user.a", "f", "user.a");
	/* A symlink itself takes no user.* attribute (Linux: EPERM). */
	SHOW(syscall(SYS_lsetxattr, "sl", "user.a", "one", 3, 0));
	show_xattr("link's user.a", "sl", "user.a");
	SHOW(syscall(SYS_lsetxattr, "missing", "user.a", "x", 1, 0));
	SHOW(syscall(SYS_lsetxattr, "f", "user.a", "x", 1, XATTR_CREATE));
}

SYSCALL_TEST(fsetxattr)
{
	put_file("f", "x");
	int fd = open("f", O_RDWR);
	SHOW(syscall(SYS_fsetxattr, fd, "user.a", "one", 3, 0));
	show_xattr("user.a", "f", "user.a");
	SHOW(syscall(SYS_fsetxattr, fd, "user.a", "two", 3, XATTR_CREATE));
	SHOW(syscall(SYS_fsetxattr, fd, "user.z", "two", 3, XATTR_REPLACE));
	SHOW(syscall(SYS_fsetxattr, 99, "user.a", "x", 1, 0));
	SHOW(syscall(SYS_fsetxattr, fd, "user.a", "x", 1, 8));
	SHOW(syscall(SYS_fsetxattr, fd, "", "x", 1, 0));
	int path = open("f", O_PATH);
	SHOW(syscall(SYS_fsetxattr, path, "user.a", "x", 1, 0));
	/* A read-only descriptor may still set attributes (inode permission). */
	int ro = open("f", O_RDONLY);
	SHOW(syscall(SYS_fsetxattr, ro, "user.b", "ro", 2, 0));
	show_xattr("user.b", "f", "user.b");
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fsetxattr, p[0], "user.a", "x", 1, 0));
}

SYSCALL_TEST(removexattr)
{
	put_file("f", "x");
	symlink("f", "sl");
	setxattr("f", "user.a", "1", 1, 0);
	setxattr("f", "user.b", "2", 1, 0);
	SHOW(syscall(SYS_removexattr, "f", "user.a"));
	show_xattr("user.a", "f", "user.a");
	SHOW(syscall(SYS_removexattr, "f", "user.a"));
	SHOW(syscall(SYS_removexattr, "sl", "user.b"));
	show_xattr("user.b", "f", "user.b");
	SHOW(syscall(SYS_removexattr, "f", ""));
	SHOW(syscall(SYS_removexattr, "missing", "user.a"));
	SHOW(syscall(SYS_removexattr, "f", BADPTR));
}

SYSCALL_TEST(lremovexattr)
{
	put_file("f", "x");
	symlink("f", "sl");
	setxattr("f", "user.a", "1", 1, 0);
	SHOW(syscall(SYS_lremovexattr, "sl", "user.a"));
	show_xattr("user.a", "f", "user.a");
	SHOW(syscall(SYS_lremovexattr, "f", "user.a"));
	SHOW(syscall(SYS_lremovexattr, "f", "user.a"));
}

SYSCALL_TEST(fremovexattr)
{
	put_file("f", "x");
	setxattr("f", "user.a", "1", 1, 0);
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_fremovexattr, fd, "user.a"));
	show_xattr("user.a", "f", "user.a");
	SHOW(syscall(SYS_fremovexattr, fd, "user.a"));
	SHOW(syscall(SYS_fremovexattr, 99, "user.a"));
	SHOW(syscall(SYS_fremovexattr, fd, ""));
}
