/* runtime: the program and environment of a container's init (private). */
#ifndef MSENTRY_RUNTIME_PROGRAM_INTERNAL_H
#define MSENTRY_RUNTIME_PROGRAM_INTERNAL_H

#include <sys/types.h>

#include "util/util.h"

/* The value of NAME in a NULL-terminated KEY=VALUE list, or NULL. */
const char *env_lookup(const char *const *env, const char *name);

/* process.args[0] inside the rootfs: a bare name through the container's
 * PATH (from `env`), a path checked to be an executable file. Sets *out
 * (malloc'd), or fails with runc's message:
 *   exec: "nosuch": executable file not found in $PATH */
int program_resolve(const char *rootfs, const char *cwd, const char *const *env, const char *arg0,
		    char **out, struct error *e);

/* Create process.cwd inside the rootfs if it is missing, as runc does
 * (mode 0755, every component resolved inside the rootfs). */
int make_cwd(const char *rootfs, const char *cwd, struct error *e);

/* The HOME runc gives a user whose config sets none (malloc'd). */
char *home_for(const char *rootfs, uid_t uid);

/* The environment as runc gives it to a process, in place: v holds n
 * KEY=VALUE entries and has room for n + 2. Each KEY stays once, at its
 * first place with its last value (runc sets them one by one); a HOME
 * missing or empty becomes home_for()'s (*home, malloc'd, else NULL).
 * Returns the new count; v[count] is NULL. */
size_t env_finish(const char **v, size_t n, const char *rootfs, uid_t uid, char **home);

#endif
