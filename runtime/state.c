/* The state directory: state.json, and the status derived from the init
 * process and exec.fifo (state-internal.h explains the rule). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime-internal.h"
#include "state-internal.h"

#define STATE_MAX_SIZE (1u << 20)

const char *container_status_name(enum container_status s)
{
	switch (s) {
	case STATUS_CREATED:
		return "created";
	case STATUS_RUNNING:
		return "running";
	case STATUS_PAUSED:
		return "paused";
	case STATUS_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

bool container_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (const char *c = id; *c; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || strchr("_+-.", *c);
		if (!ok)
			return false;
	}
	return true;
}

char *container_dir(const struct runtime *rt, const char *id)
{
	return xasprintf("%s/%s", rt->opt.root, id);
}

int proc_pid_stat(pid_t pid, char *state, unsigned long long *start_time)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	struct strbuf text = {0};
	int rc = read_file(path, 4096, &text);
	if (rc < 0 || !text.data) {
		strbuf_release(&text);
		return rc < 0 ? rc : -EIO;
	}
	/* "pid (comm) S ...": comm may hold spaces and parentheses; the
	 * fields restart after the last ')'. Field 3 is the state, 22 the
	 * start time. */
	char *close = strrchr(text.data, ')');
	rc = -EIO;
	if (close && sscanf(close + 1,
			    " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			    "%*s %*s %llu",
			    state, start_time) == 2)
		rc = 0;
	strbuf_release(&text);
	return rc;
}

bool container_init_alive(const struct container_state *st)
{
	char state;
	unsigned long long start;
	if (st->pid <= 0 || proc_pid_stat(st->pid, &state, &start) != 0)
		return false;
	return start == st->start_time && state != 'Z' && state != 'X';
}

enum container_status container_status(const struct runtime *rt, const struct container_state *st)
{
	if (!container_init_alive(st))
		return STATUS_STOPPED;
	cleanup_free char *fifo = xasprintf("%s/%s/%s", rt->opt.root, st->id, EXEC_FIFO);
	struct stat sb;
	if (lstat(fifo, &sb) == 0)
		return STATUS_CREATED;
	return st->paused ? STATUS_PAUSED : STATUS_RUNNING;
}

void container_state_release(struct container_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	json_decref(st->annotations);
	*st = (struct container_state){0};
}

static char *json_dup_string(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? xstrdup(s) : NULL;
}

static int parse_state(const char *text, size_t len, struct container_state *st)
{
	json_t *doc = json_loadb(text, len, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return -1;
	}
	st->id = json_dup_string(doc, "id");
	st->bundle = json_dup_string(doc, "bundle");
	st->rootfs = json_dup_string(doc, "rootfs");
	st->created = json_dup_string(doc, "created");
	st->owner = json_dup_string(doc, "owner");
	json_t *pid = json_object_get(doc, "pid"), *start = json_object_get(doc, "pidStartTime");
	st->pid = (pid_t)json_integer_value(pid);
	st->start_time = (unsigned long long)json_integer_value(start);
	json_t *ann = json_object_get(doc, "annotations");
	st->annotations = json_is_object(ann) ? json_incref(ann) : NULL;
	st->paused = json_is_true(json_object_get(doc, "paused"));
	bool complete = st->id && st->bundle && st->rootfs && st->created && json_is_integer(pid) &&
			json_is_integer(start);
	json_decref(doc);
	if (!complete)
		return -1;
	if (!st->owner)
		st->owner = xstrdup("");
	return 0;
}

int container_load(const struct runtime *rt, const char *id, struct container_state *st,
		   struct error *e)
{
	*st = (struct container_state){0};
	if (!container_id_valid(id))
		return error_set(e, EINVAL, "invalid container ID format");
	cleanup_free char *path = xasprintf("%s/%s/%s", rt->opt.root, id, STATE_FILE);
	struct strbuf text = {0};
	int rc = read_file(path, STATE_MAX_SIZE, &text);
	if (rc == -ENOENT || rc == -ENOTDIR) {
		strbuf_release(&text);
		return error_set(e, ENOENT, "container does not exist");
	}
	if (rc < 0) {
		strbuf_release(&text);
		return error_sys(e, -rc, "cannot read `%s`", path);
	}
	rc = parse_state(text.data ? text.data : "", text.len, st);
	strbuf_release(&text);
	if (rc != 0 || strcmp(st->id, id) != 0) {
		container_state_release(st);
		return error_set(e, EINVAL, "`%s`: not a state file msentry wrote", path);
	}
	return 0;
}

int container_save(const struct runtime *rt, const struct container_state *st, struct error *e)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:s}", "ociVersion",
				OCI_VERSION, "id", st->id, "pid", (int)st->pid, "pidStartTime",
				(json_int_t)st->start_time, "bundle", st->bundle, "rootfs",
				st->rootfs, "created", st->created, "owner", st->owner);
	if (!doc)
		return error_set(e, EINVAL, "cannot encode the state of `%s`", st->id);
	if (st->annotations)
		json_object_set(doc, "annotations", st->annotations);
	if (st->paused)
		json_object_set_new(doc, "paused", json_true());
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return error_set(e, ENOMEM, "cannot encode the state of `%s`", st->id);
	cleanup_free char *path = xasprintf("%s/%s/%s", rt->opt.root, st->id, STATE_FILE);
	int rc = write_file_atomic(path, text, strlen(text), 0600, e);
	free(text);
	return rc;
}

json_t *container_state_json(const struct container_state *st, enum container_status status)
{
	json_t *o = json_object();
	json_object_set_new(o, "ociVersion", json_string(OCI_VERSION));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid", json_integer(status == STATUS_STOPPED ? 0 : st->pid));
	json_object_set_new(o, "status", json_string(container_status_name(status)));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "created", json_string(st->created));
	if (st->annotations && json_object_size(st->annotations) > 0)
		json_object_set(o, "annotations", st->annotations);
	json_object_set_new(o, "owner", json_string(st->owner));
	return o;
}
