/* Finding the program to run inside a root, as a shell would (runtime.h).
 *
 * Used by `msentry run PROG` (root "/" or --root) and by the OCI create
 * (the rootfs, the container's PATH). Every candidate is opened with
 * openat2(RESOLVE_IN_ROOT), so an absolute symlink in a rootfs (bin/sh ->
 * /bin/busybox) resolves inside it, never on the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "program-internal.h"
#include "runtime-internal.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* fstat of `path` inside root_fd (relative paths from cwd). 0 or -errno. */
static int stat_in_root(int root_fd, const char *cwd, const char *path, struct stat *st)
{
	cleanup_free char *full = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
	int fd = open_in_root(root_fd, full, O_PATH);
	if (fd < 0)
		return fd;
	int rc = fstat(fd, st) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

/* Make the directory `path` (absolute, clean) inside root_fd if it is
 * missing; its parent exists. 0 or -errno. */
static int make_dir_in_root(int root_fd, const char *path)
{
	int fd = open_in_root(root_fd, path, O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (fd != -ENOENT)
		return fd;
	const char *base = strrchr(path, '/') + 1;
	cleanup_free char *parent = strndup(path, (size_t)(base - path));
	int pfd = open_in_root(root_fd, parent, O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return pfd;
	int rc = mkdirat(pfd, base, 0755) == 0 || errno == EEXIST ? 0 : -errno;
	close(pfd);
	return rc;
}

static bool is_executable_file(const struct stat *st)
{
	return S_ISREG(st->st_mode) && (st->st_mode & 0111);
}

char *runtime_find_program(const char *root, const char *cwd, const char *path, const char *prog)
{
	if (strchr(prog, '/'))
		return xstrdup(prog);
	if (!path || !*path)
		path = DEFAULT_PATH;
	cleanup_close int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return NULL;
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *cand = xasprintf("%s/%s", *dir ? dir : ".", prog);
		struct stat st;
		if (stat_in_root(root_fd, cwd, cand, &st) == 0 && is_executable_file(&st))
			return steal_ptr(cand);
	}
	return NULL;
}

const char *env_lookup(const char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (; env && *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

int program_resolve(const char *rootfs, const char *cwd, const char *const *env, const char *arg0,
		    char **out, struct error *e)
{
	*out = NULL;
	cleanup_close int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return error_sys(e, errno, "root.path: cannot open `%s`", rootfs);
	if (!strchr(arg0, '/')) {
		*out = runtime_find_program(rootfs, cwd, env_lookup(env, "PATH"), arg0);
		if (!*out)
			return error_set(e, ENOENT,
					 "exec: \"%s\": executable file not found in $PATH", arg0);
		return 0;
	}
	struct stat st;
	int rc = stat_in_root(root_fd, cwd, arg0, &st);
	if (rc == 0 && S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (rc == 0 && !is_executable_file(&st))
		rc = -EACCES;
	if (rc < 0)
		return error_sys(e, -rc, "exec: \"%s\"", arg0);
	*out = xstrdup(arg0);
	return 0;
}

/* runc sets HOME when the config has none: the user's home in the
 * rootfs's /etc/passwd, "/" if it has none. */
char *home_for(const char *rootfs, uid_t uid)
{
	cleanup_close int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = root_fd < 0 ? -1 : open_in_root(root_fd, "/etc/passwd", O_RDONLY);
	if (fd < 0)
		return xstrdup("/");
	cleanup_free char *path = xasprintf("/proc/self/fd/%d", fd);
	struct strbuf text = {0};
	char *home = NULL;
	if (read_file(path, 1u << 20, &text) == 0 && text.data)
		home = passwd_field(text.data, uid, PASSWD_HOME);
	strbuf_release(&text);
	close(fd);
	return home && *home ? home : (free(home), xstrdup("/"));
}

static size_t key_len(const char *entry)
{
	return strcspn(entry, "=");
}

size_t env_finish(const char **v, size_t n, const char *rootfs, uid_t uid, char **home)
{
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0, len = key_len(v[i]);
		while (k < out && !(key_len(v[k]) == len && strncmp(v[k], v[i], len) == 0))
			k++;
		v[k] = v[i];
		if (k == out)
			out++;
	}
	v[out] = NULL;
	*home = NULL;
	const char *now = env_lookup(v, "HOME");
	if (now && *now)
		return out;
	cleanup_free char *dir = home_for(rootfs, uid);
	*home = xasprintf("HOME=%s", dir);
	size_t k = 0;
	while (k < out && strncmp(v[k], "HOME=", 5) != 0)
		k++;
	v[k] = *home;
	if (k == out)
		v[++out] = NULL;
	return out;
}

int make_cwd(const char *rootfs, const char *cwd, struct error *e)
{
	cleanup_close int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return error_sys(e, errno, "root.path: cannot open `%s`", rootfs);
	cleanup_free char *path = path_clean(cwd);
	/* Each prefix in turn: open it inside the root, or make its last
	 * component in its (already opened, confined) parent. */
	for (char *slash = path; slash; slash = strchr(slash + 1, '/')) {
		if (slash == path)
			continue;
		*slash = '\0';
		int rc = make_dir_in_root(root_fd, path);
		*slash = '/';
		if (rc < 0)
			return error_sys(e, -rc, "process.cwd: cannot create `%s` in the rootfs",
					 cwd);
	}
	int rc = strcmp(path, "/") == 0 ? 0 : make_dir_in_root(root_fd, path);
	if (rc < 0)
		return error_sys(e, -rc, "process.cwd: cannot create `%s` in the rootfs", cwd);
	return 0;
}
