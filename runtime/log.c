/* The --log file and error reporting.
 *
 * containerd's shim reads the runtime's --log file when a command fails and
 * shows the last error line to the user, so every error goes there as one
 * line, as logrus writes them for runc:
 *   json: {"level":"error","msg":"container does not exist","time":"2026-11-23T00:19:22Z"}
 *   text: time="2026-11-23T00:19:22Z" level=error msg="container does not exist"
 * and, plain, on stderr as "msentry: MSG". The file is created at start
 * even when nothing is logged (the shim opens it afterwards). Each line is
 * one write() on an O_APPEND fd, so lines of concurrent commands do not
 * interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "runtime-internal.h"
#include "runtime.h"

/* Absolute: the init process leaves the caller's directory. */
static const char *absolute(const char *path, char **owned)
{
	if (!path || path[0] == '/')
		return path;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return path;
	cleanup_free char *joined = xasprintf("%s/%s", cwd, path);
	*owned = path_clean(joined);
	return *owned;
}

int runtime_open(struct runtime *rt, const struct runtime_options *opt, struct error *e)
{
	*rt = (struct runtime){.opt = *opt, .log_fd = -1};
	rt->opt.root = absolute(opt->root, &rt->owned[0]);
	rt->opt.log_path = absolute(opt->log_path, &rt->owned[1]);
	rt->opt.strace_log = absolute(opt->strace_log, &rt->owned[2]);
	if (!opt->log_path)
		return 0;
	rt->log_fd = open(opt->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (rt->log_fd < 0)
		return error_sys(e, errno, "--log: cannot open `%s`", opt->log_path);
	return 0;
}

void runtime_close(struct runtime *rt)
{
	if (rt->log_fd >= 0)
		close(rt->log_fd);
	rt->log_fd = -1;
	free(rt->owned[0]);
	free(rt->owned[1]);
	free(rt->owned[2]);
	rt->owned[0] = rt->owned[1] = rt->owned[2] = NULL;
}

/* Go's %q for the text format: quotes, backslashes and control bytes escaped. */
static void append_quoted(struct strbuf *b, const char *s)
{
	strbuf_append(b, "\"", 1);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			strbuf_printf(b, "\\%c", *c);
		else if (*c == '\n')
			strbuf_append(b, "\\n", 2);
		else if (*c == '\t')
			strbuf_append(b, "\\t", 2);
		else if (*c < 0x20 || *c == 0x7f)
			strbuf_printf(b, "\\x%02x", *c);
		else
			strbuf_append(b, c, 1);
	}
	strbuf_append(b, "\"", 1);
}

static void log_line(const struct runtime *rt, const char *level, const char *msg)
{
	if (rt->log_fd < 0)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char when[48];
	format_rfc3339(&now, false, when, sizeof(when));
	struct strbuf line = {0};
	if (rt->opt.log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		/* A message that is not UTF-8 cannot be a JSON string as is. */
		strbuf_printf(&line, "%s\n",
			      text ? text : "{\"level\":\"error\",\"msg\":\"(not UTF-8)\"}");
		free(text);
		json_decref(o);
	} else {
		strbuf_printf(&line, "time=\"%s\" level=%s msg=", when, level);
		append_quoted(&line, msg);
		strbuf_append(&line, "\n", 1);
	}
	write_all(rt->log_fd, line.data, line.len);
	strbuf_release(&line);
}

void runtime_report(const struct runtime *rt, const struct error *e)
{
	fprintf(stderr, "msentry: %s\n", e->msg);
	log_line(rt, "error", e->msg);
}

void runtime_debug(const struct runtime *rt, const char *fmt, ...)
{
	if (!rt->opt.debug)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(rt, "debug", msg);
}

/* A warning goes to the log only: create's stderr is the container's. */
void runtime_warn(const struct runtime *rt, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line(rt, "warning", msg);
}
