/* Small file and path helpers of the runtime (runtime-internal.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "runtime-internal.h"

char *path_clean(const char *path)
{
	bool absolute = path[0] == '/';
	cleanup_free char *copy = xstrdup(path);
	cleanup_free const char **parts = xcalloc(strlen(path) / 2 + 2, sizeof(char *));
	size_t n = 0;
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") != 0)
			parts[n++] = part;
		else if (n > 0 && strcmp(parts[n - 1], "..") != 0)
			n--;
		else if (!absolute)
			parts[n++] = part; /* a relative path may climb; "/.." is "/" */
	}
	struct strbuf out = {0};
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&out, "%s%s", i || absolute ? "/" : "", parts[i]);
	if (out.len == 0)
		strbuf_printf(&out, "%s", absolute ? "/" : ".");
	return out.data;
}

int read_file(const char *path, size_t max, struct strbuf *out)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[8192];
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return 0;
		if (out->len + (size_t)got > max)
			return -EFBIG;
		strbuf_append(out, buf, (size_t)got);
	}
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *e)
{
	cleanup_free char *tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
	cleanup_free char *dir_copy = xstrdup(path);
	const char *dir = dirname(dir_copy);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return error_sys(e, errno, "cannot create `%s`", tmp);
	int rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		return error_sys(e, -rc, "cannot write `%s`", path);
	}
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

void format_rfc3339(const struct timespec *ts, bool with_fraction, char *buf, size_t size)
{
	struct tm tm;
	time_t secs = ts->tv_sec;
	gmtime_r(&secs, &tm);
	char date[32], frac[24] = "";
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (with_fraction && ts->tv_nsec > 0) {
		snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
		size_t n = strlen(frac);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	snprintf(buf, size, "%s%sZ", date, frac);
}

int open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)flags | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	long fd = syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

char *passwd_field(const char *passwd, uid_t uid, int field)
{
	cleanup_free char *copy = xstrdup(passwd);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* name:password:uid:gid:gecos:home:shell */
		char *fields[7] = {0};
		int n = 0;
		for (char *p = line; n < 7; n++) {
			fields[n] = p;
			p = strchr(p, ':');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n < 6 || !fields[2] || !fields[field])
			continue;
		char *end;
		unsigned long id = strtoul(fields[2], &end, 10);
		if (*fields[2] && !*end && id == uid)
			return xstrdup(fields[field]);
	}
	return NULL;
}

int remove_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	int dfd = dirfd(d);
	for (struct dirent *de; (de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
	return rmdir(path) == 0 || errno == ENOENT ? 0 : -errno;
}
