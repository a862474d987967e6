/* state, list, ps and features: read-only commands, in runc's formats.
 *
 * state: the OCI state object, indented by two spaces, no newline after
 *   it (runc's output, byte for byte apart from ociVersion).
 * list: a table laid out as Go's tabwriter lays runc's (columns at least
 *   12 wide, 3 spaces of padding), or a compact JSON array, "null" when
 *   there is no container (as runc prints it); the owner is the state
 *   directory's owner.
 * ps: a JSON array of the container's host pids (the stub process of
 *   each sandbox process, asked of the sentry over the control channel;
 *   the init's pid before `start`), or the host's `ps -ef` filtered to
 *   them.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "control-internal.h"
#include "runtime-internal.h"
#include "state-internal.h"

int runtime_state(const struct runtime *rt, const char *id, FILE *out, struct error *e)
{
	struct container_state st;
	if (container_load(rt, id, &st, e) != 0)
		return -1;
	json_t *o = container_state_json(&st, container_status(rt, &st));
	char *text = json_dumps(o, JSON_INDENT(2));
	if (text)
		fputs(text, out);
	free(text);
	json_decref(o);
	container_state_release(&st);
	return text ? 0 : error_set(e, ENOMEM, "cannot encode the state of %s", id);
}

static char *owner_name(const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) != 0)
		return xstrdup("");
	struct strbuf passwd = {0};
	char *name = NULL;
	if (read_file("/etc/passwd", 1u << 20, &passwd) == 0 && passwd.data)
		name = passwd_field(passwd.data, sb.st_uid, PASSWD_NAME);
	strbuf_release(&passwd);
	return name ? name : xasprintf("#%u", (unsigned)sb.st_uid);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids under the root, sorted (runc lists them sorted by name). */
static char **list_ids(const char *root, size_t *n)
{
	*n = 0;
	DIR *d = opendir(root);
	if (!d)
		return NULL;
	char **ids = NULL;
	for (struct dirent *de; (de = readdir(d));) {
		if (!container_id_valid(de->d_name))
			continue;
		ids = xrealloc(ids, (*n + 1) * sizeof(char *));
		ids[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(ids, *n, sizeof(char *), compare_names);
	return ids;
}

#define COLUMNS 6

/* Go's tabwriter with minwidth 12, padding 3; the last column unpadded. */
static void print_table(FILE *out, char *(*rows)[COLUMNS], size_t nrows)
{
	size_t width[COLUMNS] = {0};
	for (size_t r = 0; r < nrows; r++)
		for (int c = 0; c < COLUMNS; c++) {
			size_t w = strlen(rows[r][c]) + 3;
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < nrows; r++) {
		for (int c = 0; c < COLUMNS - 1; c++)
			fprintf(out, "%-*s", (int)(width[c] < 12 ? 12 : width[c]), rows[r][c]);
		fprintf(out, "%s\n", rows[r][COLUMNS - 1]);
	}
}

int runtime_list(const struct runtime *rt, enum runtime_list_format format, bool quiet, FILE *out,
		 struct error *e)
{
	(void)e;
	size_t n;
	char **ids = list_ids(rt->opt.root, &n);
	json_t *array = json_array();
	char *(*rows)[COLUMNS] = xcalloc(n + 1, sizeof(*rows));
	size_t nrows = 0;
	static char *const header[COLUMNS] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	memcpy(rows[nrows++], header, sizeof(header));
	for (size_t i = 0; i < n; i++) {
		struct container_state st;
		struct error ignored = {0};
		if (container_load(rt, ids[i], &st, &ignored) != 0)
			continue; /* a create in progress, or one that died half-way */
		cleanup_free char *dir = container_dir(rt, ids[i]);
		free(st.owner);
		st.owner = owner_name(dir);
		json_t *o = container_state_json(&st, container_status(rt, &st));
		if (quiet)
			fprintf(out, "%s\n", st.id);
		char **row = rows[nrows++];
		row[0] = xstrdup(st.id);
		row[1] = xasprintf("%lld", json_integer_value(json_object_get(o, "pid")));
		row[2] = xstrdup(json_string_value(json_object_get(o, "status")));
		row[3] = xstrdup(st.bundle);
		row[4] = xstrdup(st.created);
		row[5] = xstrdup(st.owner);
		json_array_append_new(array, o);
		container_state_release(&st);
	}
	if (!quiet && format == LIST_TABLE)
		print_table(out, rows, nrows);
	if (!quiet && format == LIST_JSON) {
		char *text = json_array_size(array) ? json_dumps(array, JSON_COMPACT) : NULL;
		fprintf(out, "%s\n", text ? text : "null");
		free(text);
	}
	for (size_t r = 1; r < nrows; r++)
		for (int c = 0; c < COLUMNS; c++)
			free(rows[r][c]);
	free(rows);
	json_decref(array);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return 0;
}

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Run `ps ARGS` and print its header and the lines of `pids`. */
static int ps_table(const pid_t *pids, size_t npids, char *const *ps_args, FILE *out,
		    struct error *e)
{
	const char *argv[64] = {"ps"};
	size_t n = 1;
	for (; ps_args && ps_args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = ps_args[n - 1];
	if (n == 1)
		argv[n++] = "-ef";
	argv[n] = NULL;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return error_sys(e, errno, "ps: cannot create a pipe");
	fflush(out);
	pid_t child = fork();
	if (child == 0) {
		dup2(fds[1], 1);
		execvp("ps", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	FILE *in = fdopen(fds[0], "r");
	char *line = NULL;
	size_t cap = 0;
	int pid_column = -1;
	for (int i = 0; in && getline(&line, &cap, in) > 0; i++) {
		cleanup_free char *copy = xstrdup(line);
		char *save = NULL, *word = strtok_r(copy, " \t\n", &save);
		for (int col = 0; word; col++, word = strtok_r(NULL, " \t\n", &save)) {
			if (i == 0 && strcmp(word, "PID") == 0)
				pid_column = col;
			if (i > 0 && col == pid_column && pid_in(atoi(word), pids, npids))
				fputs(line, out);
		}
		if (i == 0)
			fputs(line, out);
	}
	free(line);
	if (in)
		fclose(in);
	int ws = 0;
	while (child > 0 && waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	if (child < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || pid_column < 0)
		return error_set(e, EIO, "ps: `ps` failed or printed no PID column");
	return 0;
}

/* The host pids of the container's processes: the init's (the sentry,
 * the process the shim knows), then each sandbox process's stub, as the
 * sentry lists them (before start, the init alone). *n is 0 for a stopped
 * container. */
static pid_t *container_pids(const struct runtime *rt, const struct container_state *st, size_t *n)
{
	*n = 0;
	if (container_status(rt, st) == STATUS_STOPPED)
		return NULL;
	const char *verb[] = {"ps"};
	char *reply = NULL;
	struct error ignored = {0};
	pid_t *pids = xcalloc(1, sizeof(*pids));
	pids[(*n)++] = st->pid;
	if (container_status(rt, st) != STATUS_CREATED &&
	    control_call(rt, st->id, verb, 1, NULL, 0, &reply, NULL, &ignored) == 0) {
		for (char *line = reply; line && *line;) {
			int pid, ppid, host;
			if (sscanf(line, "%d %d %d", &pid, &ppid, &host) == 3 && host > 0 &&
			    !pid_in(host, pids, *n)) {
				pids = xrealloc(pids, (*n + 1) * sizeof(*pids));
				pids[(*n)++] = host;
			}
			char *nl = strchr(line, '\n');
			line = nl ? nl + 1 : NULL;
		}
		free(reply);
	}
	return pids;
}

int runtime_ps(const struct runtime *rt, const char *id, bool json, char *const *ps_args, FILE *out,
	       struct error *e)
{
	struct container_state st;
	if (container_load(rt, id, &st, e) != 0)
		return -1;
	size_t n;
	pid_t *pids = container_pids(rt, &st, &n);
	int rc = 0;
	if (json && n) {
		fputc('[', out);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s%d", i ? "," : "", (int)pids[i]);
		fputs("]\n", out);
	} else if (json) {
		fputs("null\n", out); /* runc's answer for a container without processes */
	} else {
		rc = ps_table(pids, n, ps_args, out, e);
	}
	free(pids);
	container_state_release(&st);
	return rc;
}
