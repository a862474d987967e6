/* strace: the tracer half (see strace-internal.h for the design).
 *
 * Per task, a `struct strace_task` remembers the syscall in progress: its
 * number, raw arguments, start time, and the text of each argument formatted
 * so far. Input arguments are formatted at entry (execve's path is gone
 * after the exec; a write buffer may be reused after the call), output
 * arguments at exit, only if the call succeeded (strace prints the pointer
 * otherwise).
 *
 * Interleaving: an entry is not written at once. It waits in the `pending`
 * list; if its own exit comes next, one whole line is written. If anything
 * else must be written first, every pending entry is written with
 * ` <unfinished ...>` and its exit later as `<... NAME resumed>`, which is
 * what strace shows for blocking calls of several tasks.
 *
 * Each argument's text comes from strace-args.c, which reads the program's
 * memory; this file keeps the per-task records and assembles the lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "sentry/strace/strace-internal.h"

struct strace_task {
	struct task *t;
	struct strace_task *next_pending;
	bool active;  /* a traced syscall is in progress */
	bool printed; /* its entry was written (<unfinished ...>) */
	bool pending; /* its entry waits in the pending list */
	uint64_t nr, a[6];
	const struct syscall_desc *d; /* NULL: unknown number */
	uint8_t shown;		      /* arguments printed (openat without O_CREAT: 3) */
	uint8_t first_out;	      /* first argument formatted at exit */
	struct timespec start;
	struct strbuf arg[6];
};

struct strace {
	FILE *out;
	bool own_out;
	bool lines, json, summary;
	size_t limit;
	uint64_t set[SYSCALL_TABLE_SIZE / 64];
	bool unknown_traced;			 /* numbers beyond the table */
	uint64_t noted[SYSCALL_TABLE_SIZE / 64]; /* partial-support notes shown */
	struct strace_task *pending;
	struct strace_count counts[SYSCALL_TABLE_SIZE];
	char unknown_names[SYSCALL_TABLE_SIZE][16];
};

static bool bit(const uint64_t *bits, uint64_t nr)
{
	return nr < SYSCALL_TABLE_SIZE && (bits[nr / 64] & (1ULL << (nr % 64)));
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- syscall sets ---- */

static const struct {
	const char *name;
	uint8_t cls;
} classes[] = {
    {"%file", CL_FILE},	  {"%process", CL_PROCESS}, {"%network", CL_NETWORK},
    {"%net", CL_NETWORK}, {"%signal", CL_SIGNAL},   {"%memory", CL_MEMORY},
    {"%desc", CL_DESC},
};

static int add_word(const char *w, uint64_t *bits, struct error *e)
{
	if (strcmp(w, "all") == 0) {
		memset(bits, 0xff, SYSCALL_TABLE_SIZE / 8);
		return 0;
	}
	if (strcmp(w, "none") == 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
		if (strcmp(w, classes[i].name) != 0)
			continue;
		for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++)
			if (syscall_table[nr].name && (syscall_table[nr].classes & classes[i].cls))
				bits[nr / 64] |= 1ULL << (nr % 64);
		return 0;
	}
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		if (syscall_table[nr].name && strcmp(syscall_table[nr].name, w) == 0) {
			bits[nr / 64] |= 1ULL << (nr % 64);
			return 0;
		}
	}
	return error_set(e, EINVAL, "--strace: unknown syscall or class `%s`", w);
}

int strace_parse_set(const char *set, uint64_t bits[SYSCALL_TABLE_SIZE / 64], struct error *e)
{
	memset(bits, 0, SYSCALL_TABLE_SIZE / 8);
	if (!set || !*set)
		return add_word("all", bits, e);
	bool negate = set[0] == '!';
	cleanup_free char *copy = xstrdup(set + negate);
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (add_word(w, bits, e) != 0)
			return -1;
	if (negate)
		for (size_t i = 0; i < SYSCALL_TABLE_SIZE / 64; i++)
			bits[i] = ~bits[i];
	return 0;
}

/* ---- output ---- */

static void put_prefix(struct strbuf *b, const struct task *t)
{
	strbuf_printf(b, "[pid %d] ", t->tid);
}

static void write_buf(struct strace *st, struct strbuf *b)
{
	fwrite(b->data, 1, b->len, st->out);
	strbuf_release(b);
}

static const char *name_of(struct strace *st, uint64_t nr, const struct syscall_desc *d)
{
	if (d)
		return d->name;
	if (nr >= SYSCALL_TABLE_SIZE)
		return "syscall_unknown";
	char *n = st->unknown_names[nr];
	if (!n[0])
		snprintf(n, sizeof(st->unknown_names[nr]), "syscall_%u", (unsigned)nr);
	return n;
}

/* The entry text: `[pid N] name(a, b, ` (the separator when more follow). */
static void put_entry(struct strace *st, struct strbuf *b, struct strace_task *r)
{
	put_prefix(b, r->t);
	strbuf_printf(b, "%s(", name_of(st, r->nr, r->d));
	for (int i = 0; i < r->first_out; i++)
		strbuf_printf(b, "%s%s", r->arg[i].data ? r->arg[i].data : "",
			      i + 1 < r->shown ? ", " : "");
}

/* Write every waiting entry but `keep`'s as unfinished. */
static void flush_pending(struct strace *st, struct strace_task *keep)
{
	struct strace_task **pp = &st->pending;
	while (*pp) {
		struct strace_task *r = *pp;
		if (r == keep) {
			pp = &r->next_pending;
			continue;
		}
		*pp = r->next_pending;
		r->pending = false;
		r->printed = true;
		struct strbuf b = {0};
		put_entry(st, &b, r);
		strbuf_printf(&b, " <unfinished ...>\n");
		write_buf(st, &b);
	}
}

static void unlink_pending(struct strace *st, struct strace_task *r)
{
	for (struct strace_task **pp = &st->pending; *pp; pp = &(*pp)->next_pending) {
		if (*pp == r) {
			*pp = r->next_pending;
			break;
		}
	}
	r->pending = false;
}

/* A line of msentry's own (or a signal/exit): breaks pending entries. */
static void event_line(struct strace *st, const struct task *t, const char *type, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));
static void event_line(struct strace *st, const struct task *t, const char *type, const char *fmt,
		       ...)
{
	if (!st->lines)
		return;
	flush_pending(st, NULL);
	struct strbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	if (st->json) {
		strbuf_printf(&b, "{\"type\":\"%s\",\"pid\":%d,\"tid\":%d,\"text\":", type,
			      t ? t->proc->pid : 0, t ? t->tid : 0);
		struct strbuf text = {0};
		strbuf_vprintf(&text, fmt, ap);
		sfmt_json_str(&b, text.data, text.len);
		strbuf_release(&text);
		strbuf_printf(&b, "}\n");
	} else {
		if (t)
			put_prefix(&b, t);
		strbuf_vprintf(&b, fmt, ap);
		strbuf_printf(&b, "\n");
	}
	va_end(ap);
	write_buf(st, &b);
}

/* The syscall r of t, as strace-args.c prints its arguments. */
static struct strace_call call_of(const struct strace *st, struct task *t,
				  const struct strace_task *r, long ret)
{
	return (struct strace_call){.t = t, .d = r->d, .a = r->a, .ret = ret, .limit = st->limit};
}

/* Format argument i of r (at entry, or at exit with result `ret`). */
static void format_arg(struct strace *st, struct task *t, struct strace_task *r, int i, long ret,
		       bool exiting)
{
	struct strbuf *b = &r->arg[i];
	strbuf_release(b);
	struct strace_call c = call_of(st, t, r, ret);
	strace_format_arg(b, &c, i, exiting);
}

static struct strace_task *record_of(struct task *t)
{
	if (!t->strace) {
		t->strace = xcalloc(1, sizeof(*t->strace));
		t->strace->t = t;
	}
	return t->strace;
}

static void begin(struct strace *st, struct task *t, struct strace_task *r, uint64_t nr,
		  const uint64_t *args)
{
	r->active = true;
	r->printed = false;
	r->nr = nr;
	memcpy(r->a, args, sizeof(r->a));
	r->d = syscall_lookup(nr);
	r->shown = strace_shown_args(r->d, r->a);
	r->first_out = r->shown;
	for (int i = 0; r->d && i < r->shown; i++) {
		if (strace_arg_is_output(r->d->args[i])) {
			r->first_out = (uint8_t)i;
			break;
		}
	}
	if (st->summary || st->json)
		clock_gettime(CLOCK_MONOTONIC, &r->start);
	if (!st->lines)
		return;
	for (int i = 0; i < r->first_out; i++)
		format_arg(st, t, r, i, 0, false);
}

void strace_syscall_enter(struct task *t)
{
	struct strace *st = t->s->strace;
	struct strace_task *r = record_of(t);
	r->active = false;
	const struct syscall_stop *sc = &t->sc;
	if (sc->is_32bit) {
		event_line(st, t, "msentry",
			   "[msentry] 32-bit syscall %" PRIu64 " (int $0x80) refused: ENOSYS",
			   sc->nr);
		return;
	}
	if (sc->nr < SYSCALL_TABLE_SIZE ? !bit(st->set, sc->nr) : !st->unknown_traced)
		return;
	begin(st, t, r, sc->nr, sc->args);
	if (st->lines && !st->json) {
		/* Wait in the pending list: written whole if nothing intervenes. */
		r->pending = true;
		r->next_pending = NULL;
		struct strace_task **pp = &st->pending;
		while (*pp)
			pp = &(*pp)->next_pending;
		*pp = r;
	}
}

static void count(struct strace *st, const struct strace_task *r, long ret)
{
	if (!st->summary || r->nr >= SYSCALL_TABLE_SIZE)
		return;
	struct strace_count *c = &st->counts[r->nr];
	c->name = name_of(st, r->nr, r->d);
	c->calls++;
	if (strace_is_error(ret))
		c->errors++;
	uint64_t start = (uint64_t)r->start.tv_sec * 1000000000ULL + (uint64_t)r->start.tv_nsec;
	c->ns += now_ns() - start;
}

static void put_json_syscall(struct strace *st, struct strbuf *b, const struct strace_task *r,
			     long ret, enum ret_fmt rf, bool vsyscall)
{
	const struct task *t = r->t;
	strbuf_printf(b, "{\"type\":\"syscall\",\"pid\":%d,\"tid\":%d,\"syscall\":", t->proc->pid,
		      t->tid);
	const char *name = name_of(st, r->nr, r->d);
	sfmt_json_str(b, name, strlen(name));
	strbuf_printf(b, ",\"nr\":%" PRIu64 ",\"args\":[", r->nr);
	for (int i = 0; i < r->shown; i++) {
		strbuf_printf(b, "%s{\"raw\":\"%#" PRIx64 "\",\"text\":", i ? "," : "", r->a[i]);
		sfmt_json_str(b, r->arg[i].data ? r->arg[i].data : "", r->arg[i].len);
		strbuf_printf(b, "}");
	}
	strbuf_printf(b, "],");
	if (rf == R_NORETURN)
		strbuf_printf(b, "\"result\":null,\"errno\":null");
	else if (strace_is_error(ret))
		strbuf_printf(b, "\"result\":-1,\"errno\":\"%s\"",
			      sfmt_errname((int)-ret) ? sfmt_errname((int)-ret) : "E???");
	else
		strbuf_printf(b, "\"result\":%ld,\"errno\":null", ret);
	uint64_t start = (uint64_t)r->start.tv_sec * 1000000000ULL + (uint64_t)r->start.tv_nsec;
	strbuf_printf(b, ",\"duration_ns\":%" PRIu64 ",\"vsyscall\":%s}\n", now_ns() - start,
		      vsyscall ? "true" : "false");
}

/* `) = `: strace aligns results at column 40 of the line (prefix included). */
static void put_result_column(struct strbuf *b)
{
	strbuf_printf(b, ")");
	size_t start = 0;
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '\n')
			start = i + 1;
	size_t col = b->len - start;
	strbuf_printf(b, "%*s= ", col < 40 ? (int)(40 - col) : 1, "");
}

/* The syscall r of t ended with `ret` (rf: how to print it; SYSRET_NORETURN
 * prints `?`). Writes its line, counts it, adds msentry's notes. */
static void finish(struct strace *st, struct task *t, struct strace_task *r, long ret,
		   bool task_alive)
{
	r->active = false;
	count(st, r, ret);
	if (!st->lines)
		return;
	enum ret_fmt rf = r->d ? (enum ret_fmt)r->d->ret : R_HEX;
	if (ret == SYSRET_NORETURN)
		rf = R_NORETURN;
	struct user_regs_struct regs;
	if (ret == SYSRET_REGS) /* rt_sigreturn: the restored RAX */
		ret = platform_get_regs(t->th, &regs) == 0 ? (long)regs.rax : 0;
	for (int i = r->first_out; i < r->shown; i++)
		format_arg(st, t, r, i, ret, task_alive);
	struct strbuf b = {0};
	if (st->json) {
		put_json_syscall(st, &b, r, ret, rf, false);
		write_buf(st, &b);
		return;
	}
	flush_pending(st, r);
	unlink_pending(st, r);
	if (r->printed) {
		put_prefix(&b, t);
		strbuf_printf(&b, "<... %s resumed>", name_of(st, r->nr, r->d));
	} else {
		put_entry(st, &b, r);
	}
	for (int i = r->first_out; i < r->shown; i++)
		strbuf_printf(&b, "%s%s", r->arg[i].data ? r->arg[i].data : "",
			      i + 1 < r->shown ? ", " : "");
	put_result_column(&b);
	sfmt_ret(&b, rf, ret);
	if (task_alive) {
		struct strace_call c = call_of(st, t, r, ret);
		strace_put_ret_suffix(&b, &c);
	}
	strbuf_printf(&b, "\n");
	write_buf(st, &b);
}

/* msentry's notes on a finished syscall: unsupported, partially supported. */
static void notes(struct strace *st, struct task *t, const struct strace_task *r, long ret)
{
	const char *name = name_of(st, r->nr, r->d);
	if ((!r->d || !r->d->fn) && ret == -ENOSYS) {
		event_line(st, t, "unsupported",
			   "[msentry] unsupported syscall %s: answered ENOSYS", name);
		return;
	}
	if (r->d && r->d->support == SUPPORT_PARTIAL && r->d->note && !bit(st->noted, r->nr)) {
		st->noted[r->nr / 64] |= 1ULL << (r->nr % 64);
		event_line(st, t, "partial", "[msentry] %s: partial support (%s)", name,
			   r->d->note);
	}
}

void strace_syscall_exit(struct task *t, long ret)
{
	struct strace *st = t->s->strace;
	struct strace_task *r = t->strace;
	if (!r || !r->active)
		return;
	finish(st, t, r, ret, true);
	notes(st, t, r, ret);
}

void strace_syscall_noreturn(struct sentry *s, pid_t tid)
{
	struct task *t = task_by_tid(s, tid);
	if (!t || !t->strace || !t->strace->active)
		return; /* gone: strace_task_exit closed the line */
	/* Still here after NORETURN: a successful execve. */
	finish(s->strace, t, t->strace, 0, true);
}

void strace_task_exit(struct task *t)
{
	struct strace *st = t->s->strace;
	struct strace_task *r = t->strace;
	int status = -1;
	if (t->proc->exiting)
		status = t->proc->exit_status;
	else if (r && r->active && r->nr == __NR_exit)
		status = (int)(r->a[0] & 0xff) << 8;
	if (r && r->active)
		finish(st, t, r, SYSRET_NORETURN, false);
	if (r && r->pending)
		unlink_pending(st, r);
	if (status >= 0) {
		char tmp[16];
		if (WIFEXITED(status))
			event_line(st, t, "exit", "+++ exited with %d +++", WEXITSTATUS(status));
		else
			event_line(st, t, "exit", "+++ killed by %s%s +++",
				   sfmt_signame(WTERMSIG(status), tmp) ?: "?",
				   WCOREDUMP(status) ? " (core dumped)" : "");
	}
	if (r) {
		for (int i = 0; i < 6; i++)
			strbuf_release(&r->arg[i]);
		free(r);
		t->strace = NULL;
	}
}

void strace_signal(struct task *t, const siginfo_t *info)
{
	struct strace *st = t->s->strace;
	struct strbuf b = {0};
	sfmt_siginfo(&b, info);
	char tmp[16];
	const char *name = sfmt_signame(info->si_signo, tmp);
	event_line(st, t, "signal", "--- %s %s ---", name ? name : "?", b.data);
	strbuf_release(&b);
}

void strace_fault(struct task *t, int sig, int code, uint64_t addr)
{
	/* The registers say where the program was; loading them now only
	 * saves signal delivery the same read. */
	struct user_regs_struct regs;
	uint64_t ip = platform_get_regs(t->th, &regs) == 0 ? regs.rip : 0;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_addr = (void *)(uintptr_t)addr;
	struct strbuf b = {0};
	sfmt_siginfo(&b, &si);
	event_line(t->s->strace, t, "fault",
		   "[msentry] fault at ip %#" PRIx64 ": %s, sent as a signal", ip, b.data);
	strbuf_release(&b);
}

void strace_exec(struct task *t, const char *path, const struct loader_result *res)
{
	struct strbuf b = {0};
	sfmt_str(&b, path, strlen(path), PATH_MAX, false);
	strbuf_printf(&b, " (");
	if (res->script_interp)
		strbuf_printf(&b, "script, #! %s, ", res->script_interp);
	if (res->is_dynamic)
		strbuf_printf(&b, "dynamic, interpreter %s",
			      res->interp_path ? res->interp_path : "?");
	else
		strbuf_printf(&b, "%s",
			      res->is_pie || res->is_static_pie ? "static-pie" : "static");
	if (res->vdso_base)
		strbuf_printf(&b, ", vdso at %#" PRIx64 ")", res->vdso_base);
	else
		strbuf_printf(&b, ", no vdso)");
	event_line(t->s->strace, t, "exec", "[msentry] exec %s", b.data);
	strbuf_release(&b);
}

void strace_exec_failed(struct task *t, const char *path, const struct error *e)
{
	event_line(t->s->strace, t, "exec", "[msentry] exec \"%s\" failed: %s", path, e->msg);
}

void strace_vsyscall_patched(struct task *t, uint64_t site, uint64_t target)
{
	event_line(t->s->strace, t, "vsyscall-patch",
		   "[msentry] vsyscall call site at %#" PRIx64 " now calls the vDSO at %#" PRIx64,
		   site, target);
}

void strace_vsyscall(struct task *t, uint64_t nr, const uint64_t args[6], long ret, uint64_t caller)
{
	struct strace *st = t->s->strace;
	struct strace_task r = {.t = t};
	begin(st, t, &r, nr, args);
	count(st, &r, ret);
	if (st->lines) {
		enum ret_fmt rf = r.d ? (enum ret_fmt)r.d->ret : R_HEX;
		for (int i = r.first_out; i < r.shown; i++)
			format_arg(st, t, &r, i, ret, true);
		struct strbuf b = {0};
		if (st->json) {
			put_json_syscall(st, &b, &r, ret, rf, true);
			flush_pending(st, NULL);
			write_buf(st, &b);
		} else {
			strbuf_printf(&b, "[vsyscall] %s(", name_of(st, nr, r.d));
			for (int i = 0; i < r.shown; i++)
				strbuf_printf(&b, "%s%s", i ? ", " : "",
					      r.arg[i].data ? r.arg[i].data : "");
			strbuf_printf(&b, ") = ");
			sfmt_ret(&b, rf, ret);
			event_line(st, t, "vsyscall", "%s from %#" PRIx64, b.data, caller);
			strbuf_release(&b);
		}
	}
	for (int i = 0; i < 6; i++)
		strbuf_release(&r.arg[i]);
}

/* ---- start and finish ---- */

/* The kernel's events, as the tracer's hooks. */
static const struct kernel_observer strace_observer = {
	.syscall_enter = strace_syscall_enter,
	.syscall_exit = strace_syscall_exit,
	.syscall_noreturn = strace_syscall_noreturn,
	.task_exit = strace_task_exit,
	.signal = strace_signal,
	.fault = strace_fault,
	.exec = strace_exec,
	.exec_failed = strace_exec_failed,
};

int strace_start(struct sentry *s, struct error *e)
{
	const struct sentry_config *cfg = s->cfg;
	if (!cfg->strace && !cfg->strace_summary)
		return 0;
	struct strace *st = xcalloc(1, sizeof(*st));
	st->lines = cfg->strace;
	st->json = cfg->strace_json;
	st->summary = cfg->strace_summary;
	st->limit = cfg->strace_string_limit > 0 ? (size_t)cfg->strace_string_limit : 32;
	if (strace_parse_set(cfg->strace_set, st->set, e) != 0) {
		free(st);
		return -1;
	}
	st->unknown_traced =
	    !cfg->strace_set || cfg->strace_set[0] == '!' || strcmp(cfg->strace_set, "all") == 0;
	st->out = stderr;
	if (cfg->strace_output) {
		st->out = fopen(cfg->strace_output, "we");
		if (!st->out) {
			int err = errno;
			free(st);
			return error_sys(e, err, "cannot open trace output `%s`",
					 cfg->strace_output);
		}
		st->own_out = true;
		/* Whole lines, so a crash or kill loses at most the last one. */
		setvbuf(st->out, NULL, _IOLBF, 0);
	}
	s->strace = st;
	s->observer = &strace_observer;
	return 0;
}

void strace_finish(struct sentry *s)
{
	struct strace *st = s->strace;
	if (!st)
		return;
	flush_pending(st, NULL);
	if (st->summary) {
		struct strace_count *c = xcalloc(SYSCALL_TABLE_SIZE, sizeof(*c));
		size_t n = 0;
		for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++)
			if (st->counts[nr].calls)
				c[n++] = st->counts[nr];
		struct strbuf b = {0};
		sfmt_summary(&b, c, n);
		write_buf(st, &b);
		free(c);
	}
	if (st->own_out)
		fclose(st->out);
	else
		fflush(st->out);
	s->strace = NULL;
	free(st);
}
