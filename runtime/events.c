/* pause, resume and events: through the sentry's control channel.
 *
 * pause: the sentry stops every task (kernel_freeze: no program code runs,
 *   no signal is delivered, timers keep counting) and the state file gets
 *   "paused" (written atomically), which `state` reports; resume undoes
 *   both. runc's errors: pausing a container that is not running is
 *   "container not running", resuming one that is not paused "container
 *   not paused".
 * events: runc's stats event, {"type":"stats","id":...,"data":{...}} with
 *   the pids count, CPU time (the sentry's and its stubs') and memory (the
 *   stubs' resident sets): once with --stats, else every --interval until
 *   the container stops. There are no oom events (the sandbox has no
 *   memory limit of its own yet).
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control-internal.h"
#include "runtime-internal.h"
#include "state-internal.h"

static int set_paused(const struct runtime *rt, const char *id, bool pause, struct error *e)
{
	struct container_state st;
	if (container_load(rt, id, &st, e) != 0)
		return -1;
	enum container_status status = container_status(rt, &st);
	int rc = 0;
	if (pause && status != STATUS_RUNNING)
		rc = error_set(e, ESRCH, "container not running");
	else if (!pause && status != STATUS_PAUSED)
		rc = error_set(e, EINVAL, "container not paused");
	const char *verb[] = {pause ? "pause" : "resume"};
	if (rc == 0)
		rc = control_call(rt, id, verb, 1, NULL, 0, NULL, NULL, e);
	if (rc == 0) {
		st.paused = pause;
		rc = container_save(rt, &st, e);
	}
	container_state_release(&st);
	return rc;
}

int runtime_pause(const struct runtime *rt, const char *id, struct error *e)
{
	return set_paused(rt, id, true, e);
}

int runtime_resume(const struct runtime *rt, const char *id, struct error *e)
{
	return set_paused(rt, id, false, e);
}

/* One stats event (a JSON line), or -1 with e set. */
static int print_stats(const struct runtime *rt, const char *id, FILE *out, struct error *e)
{
	const char *verb[] = {"stats"};
	char *reply = NULL;
	if (control_call(rt, id, verb, 1, NULL, 0, &reply, NULL, e) != 0)
		return -1;
	long long pids = 0, cpu = 0, rss = 0;
	for (char *line = reply; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		sscanf(line, "pids %lld", &pids);
		sscanf(line, "cpu_ns %lld", &cpu);
		sscanf(line, "rss_bytes %lld", &rss);
	}
	free(reply);
	json_t *o =
	    json_pack("{s:s, s:s, s:{s:{s:{s:I}}, s:{s:{s:I}}, s:{s:I}}}", "type", "stats", "id",
		      id, "data", "cpu", "usage", "total", (json_int_t)cpu, "memory", "usage",
		      "usage", (json_int_t)rss, "pids", "current", (json_int_t)pids);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return error_set(e, ENOMEM, "events: cannot encode the stats");
	fprintf(out, "%s\n", text);
	fflush(out);
	free(text);
	return 0;
}

int runtime_events(const struct runtime *rt, const char *id, bool stats, long interval_ms,
		   FILE *out, struct error *e)
{
	struct container_state st;
	if (container_load(rt, id, &st, e) != 0)
		return -1;
	enum container_status status = container_status(rt, &st);
	int rc = 0;
	if (status == STATUS_STOPPED)
		rc = error_set(e, ESRCH, "container with id %s is not running", id);
	else if (stats)
		rc = print_stats(rt, id, out, e);
	/* Until the container stops: a failed request then ends the stream. */
	while (rc == 0 && !stats) {
		if (print_stats(rt, id, out, e) != 0 || container_status(rt, &st) == STATUS_STOPPED)
			break;
		poll(NULL, 0, (int)interval_ms);
	}
	container_state_release(&st);
	return rc;
}
