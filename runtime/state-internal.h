/* runtime: a container's state on disk, and its status (private).
 *
 * <root>/<id>/ holds state.json (written atomically) and, between create
 * and start, exec.fifo. The status is never stored; it is derived each
 * time, as runc does:
 *   stopped  the init pid is gone, a zombie, or now another process (its
 *            start time, field 22 of /proc/<pid>/stat, differs from the
 *            one recorded at create: pids get reused);
 *   created  the init is alive and exec.fifo still exists (it waits in
 *            open() on the fifo until `start`);
 *   paused   `pause` succeeded and `resume` has not: the state file's
 *            "paused" flag, written by pause/resume (atomically, as
 *            everything in state.json);
 *   running  otherwise.
 */
#ifndef MSENTRY_RUNTIME_STATE_INTERNAL_H
#define MSENTRY_RUNTIME_STATE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "runtime.h"

#define OCI_VERSION "1.0.2"
#define EXEC_FIFO   "exec.fifo"
#define STATE_FILE  "state.json"

struct container_state {
	char *id;
	pid_t pid;
	unsigned long long start_time; /* clock ticks after boot, /proc/<pid>/stat field 22 */
	char *bundle;
	char *rootfs;
	char *created;	     /* RFC 3339 with nanoseconds */
	char *owner;	     /* "" as runc's state; `list` shows the state directory's owner */
	json_t *annotations; /* an object, or NULL */
	bool paused;	     /* set by pause, cleared by resume */
};

enum container_status { STATUS_CREATED, STATUS_RUNNING, STATUS_PAUSED, STATUS_STOPPED };

const char *container_status_name(enum container_status s);

/* runc's rule: letters, digits, and _ + - . ; not "." or ".."; at most
 * 1024 bytes. Anything else could escape the state directory. */
bool container_id_valid(const char *id);

/* <root>/<id>, malloc'd. */
char *container_dir(const struct runtime *rt, const char *id);

/* Load <root>/<id>/state.json. Errors: "invalid container ID format",
 * "container does not exist" (e->err ENOENT, also for a directory without
 * a readable state.json: a create that died half-way). */
int container_load(const struct runtime *rt, const char *id, struct container_state *st,
		   struct error *e);
int container_save(const struct runtime *rt, const struct container_state *st, struct error *e);
void container_state_release(struct container_state *st);

enum container_status container_status(const struct runtime *rt, const struct container_state *st);

/* Read /proc/<pid>/stat: the state letter and field 22. 0 or -errno. */
int proc_pid_stat(pid_t pid, char *state, unsigned long long *start_time);

/* Is the process that `st` recorded still alive (not a zombie, same start
 * time)? */
bool container_init_alive(const struct container_state *st);

/* The OCI state object, runc's key order; pid 0 when stopped. */
json_t *container_state_json(const struct container_state *st, enum container_status status);

#endif
