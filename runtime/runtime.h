/* runtime: msentry as an OCI runtime, with runc's command line semantics
 * (create, start, state, kill, delete, run, list, ps, spec, features).
 *
 * cmd/ parses the arguments and calls one function here per command. Each
 * returns 0 (or, for run, the container's exit status) or -1 with `e` set;
 * the caller then hands `e` to runtime_report(), which prints it once on
 * stderr and appends it to the --log file. docs/design.md ("OCI runtime")
 * describes the state directory and the create/start handshake.
 */
#ifndef MSENTRY_RUNTIME_H
#define MSENTRY_RUNTIME_H

#include <stdbool.h>
#include <stdio.h>

#include "util/util.h"

#define RUNTIME_DEFAULT_ROOT "/run/msentry"

/* runc's global options, frozen once parsed. */
struct runtime_options {
	const char *root;	/* --root: where container state lives */
	const char *log_path;	/* --log: NULL for none */
	bool log_json;		/* --log-format json */
	bool debug;		/* --debug: debug lines in the log, syscall warnings shown */
	bool systemd_cgroup;	/* --systemd-cgroup: accepted, no cgroups yet */
	const char *strace_log; /* --strace-log: every container's sentry traces to it */
	const char *platform;	/* --platform (or MSENTRY_PLATFORM): NULL for the default */
};

/* The runtime's context for one command: the options and the open log. */
struct runtime {
	struct runtime_options opt; /* root and log_path made absolute */
	int log_fd;		    /* -1: no --log */
	char *owned[3];		    /* the absolute paths opt points to */
};

/* Open the --log file (created even if nothing is logged). */
int runtime_open(struct runtime *rt, const struct runtime_options *opt, struct error *e);
void runtime_close(struct runtime *rt);
/* Print "msentry: MSG" on stderr and log it at level error. */
void runtime_report(const struct runtime *rt, const struct error *e);
/* A debug line in the log (only with --debug). */
void runtime_debug(const struct runtime *rt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct runtime_create_options {
	const char *bundle;	    /* NULL: the current directory */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* process.terminal: where the pty master goes */
	int preserve_fds;	    /* fds 3 .. 3+N-1 stay open for the container */
	bool no_pivot, no_new_keyring;
	bool foreground; /* `run` without --detach (runc's terminal rules differ) */
};

struct runtime_run_options {
	struct runtime_create_options create;
	bool detach; /* return once started */
	bool keep;   /* do not delete the container after it exits */
};

int runtime_create(const struct runtime *rt, const char *id, const struct runtime_create_options *o,
		   struct error *e);
int runtime_start(const struct runtime *rt, const char *id, struct error *e);
/* Returns the container's exit status (128+N for signal N), 0 with
 * --detach, or -1. */
int runtime_run(const struct runtime *rt, const char *id, const struct runtime_run_options *o,
		struct error *e);
int runtime_kill(const struct runtime *rt, const char *id, int sig, bool all, struct error *e);
int runtime_delete(const struct runtime *rt, const char *id, bool force, struct error *e);

int runtime_state(const struct runtime *rt, const char *id, FILE *out, struct error *e);
enum runtime_list_format { LIST_TABLE, LIST_JSON };
int runtime_list(const struct runtime *rt, enum runtime_list_format format, bool quiet, FILE *out,
		 struct error *e);
/* json: a JSON array of the container's pids; otherwise `ps` (with
 * ps_args, default -ef) filtered to them. */
int runtime_ps(const struct runtime *rt, const char *id, bool json, char *const *ps_args, FILE *out,
	       struct error *e);

/* exec: a new process in a running container, from config.json's process
 * changed by the options, or from a --process file. */
struct runtime_exec_options {
	const char *process_file; /* --process: a process object (JSON) */
	char *const *args;	  /* the command after the id (n_args >= 1 without --process) */
	size_t n_args;
	bool detach; /* -d: a background process waits for it (--pid-file) */
	bool tty;    /* -t: refused (no terminals yet) */
	const char *pid_file;
	const char *console_socket;
	const char *cwd;	/* NULL: the config's */
	const char *user;	/* "uid[:gid]", NULL: the config's */
	const char *const *env; /* --env, added to (or replacing) the config's */
	size_t n_env;
	const char *const *groups; /* --additional-gids */
	size_t n_groups;
	int preserve_fds;
	bool ignore_paused;
};
/* Foreground: returns the process's status (128+N for signal N). */
int runtime_exec(const struct runtime *rt, const char *id, const struct runtime_exec_options *o,
		 struct error *e);
int runtime_pause(const struct runtime *rt, const char *id, struct error *e);
int runtime_resume(const struct runtime *rt, const char *id, struct error *e);
/* events: --stats prints one stats object; otherwise one every
 * `interval_ms` until the container stops. */
int runtime_events(const struct runtime *rt, const char *id, bool stats, long interval_ms,
		   FILE *out, struct error *e);

/* Write BUNDLE/config.json with runc's defaults (refuses to overwrite). */
int runtime_spec(const char *bundle, bool rootless, struct error *e);
/* The OCI features document: what this runtime implements. */
void runtime_features(FILE *out);

/* A signal by name (KILL, SIGKILL, kill) or number; -1 if unknown. */
int runtime_parse_signal(const char *s);

/* Find PROG as a shell would, inside the directory tree `root`: a name
 * with a slash is returned as it is (the loader reports what is wrong with
 * it); otherwise the first executable regular file of that name in the
 * colon-separated `path` (NULL or empty: /usr/local/bin:/usr/bin:/bin),
 * relative entries taken from `cwd`. The lookup never leaves `root`
 * (symlinks resolve inside it). Returns the path inside the root
 * (malloc'd), or NULL if there is none. */
char *runtime_find_program(const char *root, const char *cwd, const char *path, const char *prog);

#endif
