/* The OCI runtime's command line: runc's global options, commands and
 * their options, parsed here and handed to runtime/ (runtime.h).
 *
 *   msentry [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS...
 *
 * As with runc, options come before positional arguments, every error is
 * one line and exit status 1, and `run` exits with the container's status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "runtime/runtime.h"

/* One command: its name, its one-line usage, and its handler. The handler
 * gets argv starting at the command word and returns the exit status. */
struct oci_command {
	const char *name;
	const char *usage;
	int (*run)(const struct runtime *rt, int argc, char **argv, struct error *e);
};

/* getopt found an option it does not know, or one without its value
 * (opterr is off: this is the only line printed). */
static int usage_error(struct error *e, char **argv, const char *usage)
{
	char shortopt[3] = {'-', (char)optopt, '\0'};
	const char *bad = optopt > ' ' && optopt < 127 ? shortopt : argv[optind - 1];
	return error_set(e, EINVAL, "%s: bad option `%s` (usage: msentry [GLOBAL OPTIONS] %s %s)",
			 argv[0], bad, argv[0], usage);
}

/* After the options: exactly `n` arguments, or a usage error. */
static int want_args(int argc, int n, const char *cmd, struct error *e)
{
	if (argc - optind != n)
		return error_set(e, EINVAL, "\"%s\" requires exactly %d argument(s)", cmd, n);
	return 0;
}

static int parse_preserve_fds(const char *arg, int *out, struct error *e)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (*end || n < 0 || n > 65536)
		return error_set(e, EINVAL, "--preserve-fds: bad number `%s`", arg);
	*out = (int)n;
	return 0;
}

enum {
	OPT_PID_FILE = 256,
	OPT_CONSOLE_SOCKET,
	OPT_PRESERVE_FDS,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_KEEP,
	OPT_ROOTLESS,
	OPT_NO_SUBREAPER,
	OPT_CWD,
	OPT_IGNORE_PAUSED,
	OPT_IGNORED_VALUE,
	OPT_IGNORED_FLAG,
};

/* The options create and run share; `run` adds -d and --keep. */
static const struct option create_opts[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
    {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},
    {"detach", no_argument, NULL, 'd'},
    {"keep", no_argument, NULL, OPT_KEEP},
    {"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
    {NULL, 0, NULL, 0},
};

static int parse_create(int argc, char **argv, bool is_run, struct runtime_run_options *o,
			struct error *e)
{
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, is_run ? "+b:d" : "+b:", create_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->create.bundle = optarg;
			break;
		case OPT_PID_FILE:
			o->create.pid_file = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			o->create.console_socket = optarg;
			break;
		case OPT_PRESERVE_FDS:
			if (parse_preserve_fds(optarg, &o->create.preserve_fds, e) != 0)
				return -1;
			break;
		case OPT_NO_PIVOT:
			o->create.no_pivot = true;
			break;
		case OPT_NO_NEW_KEYRING:
			o->create.no_new_keyring = true;
			break;
		case OPT_NO_SUBREAPER:
			break;
		case 'd':
			o->detach = true;
			break;
		case OPT_KEEP:
			if (!is_run)
				return usage_error(e, argv, "[OPTIONS] ID");
			o->keep = true;
			break;
		default:
			return usage_error(e, argv, "[OPTIONS] ID");
		}
	}
	return want_args(argc, 1, argv[0], e);
}

static int cmd_create(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	struct runtime_run_options o = {0};
	if (parse_create(argc, argv, false, &o, e) != 0)
		return -1;
	return runtime_create(rt, argv[optind], &o.create, e);
}

static int cmd_run_oci(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	struct runtime_run_options o = {0};
	if (parse_create(argc, argv, true, &o, e) != 0)
		return -1;
	return runtime_run(rt, argv[optind], &o, e);
}

/* Commands whose only argument is the id, and no option. */
static int parse_id_only(int argc, char **argv, struct error *e)
{
	static const struct option none[] = {{NULL, 0, NULL, 0}};
	optind = 0;
	if (getopt_long(argc, argv, "+", none, NULL) != -1)
		return usage_error(e, argv, "ID");
	return want_args(argc, 1, argv[0], e);
}

static int cmd_start(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	if (parse_id_only(argc, argv, e) != 0)
		return -1;
	return runtime_start(rt, argv[optind], e);
}

static int cmd_state(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	if (parse_id_only(argc, argv, e) != 0)
		return -1;
	return runtime_state(rt, argv[optind], stdout, e);
}

static int cmd_kill(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	bool all = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return usage_error(e, argv, "[--all] ID [SIGNAL]");
		all = true;
	}
	int n = argc - optind;
	if (n < 1 || n > 2)
		return error_set(e, EINVAL,
				 "\"kill\" requires a minimum of 1 and a maximum of 2 "
				 "arguments");
	const char *name = n == 2 ? argv[optind + 1] : "SIGTERM";
	int sig = runtime_parse_signal(name);
	if (sig < 0)
		return error_set(e, EINVAL, "unknown signal \"%s\"", name);
	return runtime_kill(rt, argv[optind], sig, all, e);
}

static int cmd_delete(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	bool force = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return usage_error(e, argv, "[--force] ID");
		force = true;
	}
	if (want_args(argc, 1, argv[0], e) != 0)
		return -1;
	return runtime_delete(rt, argv[optind], force, e);
}

static int parse_format(const char *arg, bool *json, struct error *e)
{
	if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0)
		return error_set(e, EINVAL, "invalid format option \"%s\" (table or json)", arg);
	*json = strcmp(arg, "json") == 0;
	return 0;
}

static int cmd_list(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"quiet", no_argument, NULL, 'q'},
					     {NULL, 0, NULL, 0}};
	bool json = false, quiet = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
		if (c == 'f' && parse_format(optarg, &json, e) != 0)
			return -1;
		if (c == 'q')
			quiet = true;
		if (c != 'f' && c != 'q')
			return usage_error(e, argv, "[--format table|json] [--quiet]");
	}
	if (want_args(argc, 0, argv[0], e) != 0)
		return -1;
	return runtime_list(rt, json ? LIST_JSON : LIST_TABLE, quiet, stdout, e);
}

static int cmd_ps(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	bool json = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:", opts, NULL)) != -1)
		if (c != 'f' || parse_format(optarg, &json, e) != 0)
			return c != 'f' ? usage_error(e, argv,
						      "[--format table|json] ID [PS "
						      "OPTIONS]")
					: -1;
	if (argc - optind < 1)
		return error_set(e, EINVAL, "\"ps\" requires a minimum of 1 argument");
	if (json && argc - optind > 1)
		return error_set(e, EINVAL, "ps: options of ps cannot be given with --format json");
	return runtime_ps(rt, argv[optind], json, argv + optind + 1, stdout, e);
}

static int cmd_spec(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
					     {"rootless", no_argument, NULL, OPT_ROOTLESS},
					     {NULL, 0, NULL, 0}};
	const char *bundle = NULL;
	bool rootless = false;
	int c;
	(void)rt;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == OPT_ROOTLESS)
			rootless = true;
		else
			return usage_error(e, argv, "[--bundle DIR] [--rootless]");
	}
	if (want_args(argc, 0, argv[0], e) != 0)
		return -1;
	return runtime_spec(bundle, rootless, e);
}

static int cmd_features(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	(void)rt;
	(void)argv;
	if (argc != 1)
		return error_set(e, EINVAL, "\"features\" takes no argument");
	runtime_features(stdout);
	return 0;
}

static const struct option exec_opts[] = {
    {"process", required_argument, NULL, 'p'},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"env", required_argument, NULL, 'e'},
    {"user", required_argument, NULL, 'u'},
    {"tty", no_argument, NULL, 't'},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    {"additional-gids", required_argument, NULL, 'g'},
    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
    /* runc's, accepted without effect: the sandbox has no LSM labels,
     * capabilities or cgroups of its own yet. */
    {"process-label", required_argument, NULL, OPT_IGNORED_VALUE},
    {"apparmor", required_argument, NULL, OPT_IGNORED_VALUE},
    {"cap", required_argument, NULL, 'c'},
    {"cgroup", required_argument, NULL, OPT_IGNORED_VALUE},
    {"no-new-privs", no_argument, NULL, OPT_IGNORED_FLAG},
    {NULL, 0, NULL, 0},
};

#define EXEC_USAGE "[OPTIONS] ID COMMAND [ARGS...] | -p process.json ID"

/* One exec option into `o`; `env` and `groups` have room for argc. */
static int exec_option(int c, struct runtime_exec_options *o, const char **env, const char **groups,
		       struct error *e)
{
	switch (c) {
	case 'p':
		o->process_file = optarg;
		break;
	case 'd':
		o->detach = true;
		break;
	case OPT_PID_FILE:
		o->pid_file = optarg;
		break;
	case OPT_CWD:
		o->cwd = optarg;
		break;
	case 'e':
		env[o->n_env++] = optarg;
		break;
	case 'u':
		o->user = optarg;
		break;
	case 't':
		o->tty = true;
		break;
	case OPT_CONSOLE_SOCKET:
		o->console_socket = optarg;
		break;
	case OPT_PRESERVE_FDS:
		return parse_preserve_fds(optarg, &o->preserve_fds, e);
	case 'g':
		groups[o->n_groups++] = optarg;
		break;
	case OPT_IGNORE_PAUSED:
		o->ignore_paused = true;
		break;
	case 'c':
	case OPT_IGNORED_VALUE:
	case OPT_IGNORED_FLAG:
		break;
	default:
		return -2;
	}
	return 0;
}

static int cmd_exec(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	struct runtime_exec_options o = {0};
	cleanup_free const char **env = xcalloc((size_t)argc + 1, sizeof(char *));
	cleanup_free const char **groups = xcalloc((size_t)argc + 1, sizeof(char *));
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:de:u:tg:c:", exec_opts, NULL)) != -1) {
		int rc = exec_option(c, &o, env, groups, e);
		if (rc == -2)
			return usage_error(e, argv, EXEC_USAGE);
		if (rc != 0)
			return -1;
	}
	o.env = env;
	o.groups = groups;
	int n = argc - optind;
	if (n < 1 || (!o.process_file && n < 2))
		return error_set(e, EINVAL, "\"exec\" requires a minimum of %d argument(s)",
				 o.process_file ? 1 : 2);
	for (size_t i = 0; i < o.n_env; i++)
		if (!strchr(env[i], '='))
			return error_set(e, EINVAL, "--env: `%s`: want KEY=VALUE", env[i]);
	/* --console-socket against the terminal: runtime_exec checks it, once
	 * a --process file's "terminal" is known. */
	o.args = argv + optind + 1;
	o.n_args = (size_t)n - 1;
	return runtime_exec(rt, argv[optind], &o, e);
}

static int cmd_pause(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	if (parse_id_only(argc, argv, e) != 0)
		return -1;
	return runtime_pause(rt, argv[optind], e);
}

static int cmd_resume(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	if (parse_id_only(argc, argv, e) != 0)
		return -1;
	return runtime_resume(rt, argv[optind], e);
}

/* Go's durations as runc's --interval takes them: 5s, 500ms, 1m, 1.5s. */
static int parse_interval(const char *arg, long *ms, struct error *e)
{
	char *end;
	double v = strtod(arg, &end);
	double scale = strcmp(end, "ms") == 0  ? 1
		       : strcmp(end, "s") == 0 ? 1000
		       : strcmp(end, "m") == 0 ? 60000
					       : -1;
	if (end == arg || scale < 0 || v <= 0 || v * scale > 86400000.0)
		return error_set(e, EINVAL, "invalid value \"%s\" for flag -interval", arg);
	*ms = (long)(v * scale) > 0 ? (long)(v * scale) : 1;
	return 0;
}

static int cmd_events(const struct runtime *rt, int argc, char **argv, struct error *e)
{
	enum { E_STATS = 300, E_INTERVAL };
	static const struct option opts[] = {{"stats", no_argument, NULL, E_STATS},
					     {"interval", required_argument, NULL, E_INTERVAL},
					     {NULL, 0, NULL, 0}};
	bool stats = false;
	long interval = 5000;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == E_STATS)
			stats = true;
		else if (c != E_INTERVAL)
			return usage_error(e, argv, "[--stats] [--interval DURATION] ID");
		else if (parse_interval(optarg, &interval, e) != 0)
			return -1;
	}
	if (want_args(argc, 1, argv[0], e) != 0)
		return -1;
	return runtime_events(rt, argv[optind], stats, interval, stdout, e);
}

static const struct oci_command commands[] = {
    {"create", "[OPTIONS] ID", cmd_create},
    {"start", "ID", cmd_start},
    {"state", "ID", cmd_state},
    {"kill", "[--all] ID [SIGNAL]", cmd_kill},
    {"delete", "[--force] ID", cmd_delete},
    {"run", "[OPTIONS] ID", cmd_run_oci},
    {"list", "[--format table|json] [--quiet]", cmd_list},
    {"ps", "[--format table|json] ID [PS OPTIONS]", cmd_ps},
    {"spec", "[--bundle DIR] [--rootless]", cmd_spec},
    {"features", "", cmd_features},
    {"exec", EXEC_USAGE, cmd_exec},
    {"pause", "ID", cmd_pause},
    {"resume", "ID", cmd_resume},
    {"events", "[--stats] [--interval DURATION] ID", cmd_events},
};

/* runc's commands msentry does not implement yet. */
static const char *const unsupported[] = {"checkpoint", "restore", "update", NULL};

bool oci_is_command(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(word, commands[i].name) == 0)
			return true;
	for (const char *const *u = unsupported; *u; u++)
		if (strcmp(word, *u) == 0)
			return true;
	return false;
}

bool oci_is_global_option(const char *arg)
{
	static const char *const names[] = {
	    "--root",	"--log",	"--log-format", "--debug", "--systemd-cgroup",
	    "--strace-log", "--platform", NULL};
	for (const char *const *n = names; *n; n++) {
		size_t len = strlen(*n);
		if (strncmp(arg, *n, len) == 0 && (arg[len] == '\0' || arg[len] == '='))
			return true;
	}
	return false;
}

static void oci_usage(FILE *out)
{
	fputs("Usage: msentry [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS...\n"
	      "\n"
	      "msentry as an OCI runtime, with runc's command line (containerd, podman).\n"
	      "\n"
	      "Global options (before the command):\n"
	      "  --root DIR            container state (default " RUNTIME_DEFAULT_ROOT ")\n"
	      "  --log FILE            error lines also go to FILE (always created)\n"
	      "  --log-format text|json\n"
	      "  --debug               debug lines in the log; unsupported syscall warnings\n"
	      "  --systemd-cgroup      accepted (no cgroups yet)\n"
	      "  --strace-log FILE     trace each created container's syscalls to FILE\n"
	      "                        (config.json's dev.msentry.strace annotation wins)\n"
	      "  --platform NAME       ptrace (default) or systrap (experimental); also\n"
	      "                        MSENTRY_PLATFORM, and the dev.msentry.platform annotation\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].usage);
	fputs("  (checkpoint, restore, update: not supported yet)\n", out);
}

static int parse_globals(int argc, char **argv, struct runtime_options *opt, struct error *e)
{
	enum { G_ROOT = 256, G_LOG, G_LOG_FORMAT, G_DEBUG, G_SYSTEMD, G_STRACE_LOG, G_PLATFORM, G_HELP };
	static const struct option opts[] = {
	    {"root", required_argument, NULL, G_ROOT},
	    {"log", required_argument, NULL, G_LOG},
	    {"log-format", required_argument, NULL, G_LOG_FORMAT},
	    {"debug", no_argument, NULL, G_DEBUG},
	    {"systemd-cgroup", no_argument, NULL, G_SYSTEMD},
	    {"strace-log", required_argument, NULL, G_STRACE_LOG},
	    {"platform", required_argument, NULL, G_PLATFORM},
	    {"help", no_argument, NULL, G_HELP},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 0;
	opterr = 0; /* our own one-line errors */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case G_ROOT:
			opt->root = optarg;
			break;
		case G_LOG:
			opt->log_path = optarg;
			break;
		case G_LOG_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return error_set(e, EINVAL, "invalid log-format: %s", optarg);
			opt->log_json = strcmp(optarg, "json") == 0;
			break;
		case G_DEBUG:
			opt->debug = true;
			break;
		case G_SYSTEMD:
			opt->systemd_cgroup = true;
			break;
		case G_STRACE_LOG:
			opt->strace_log = optarg;
			break;
		case G_PLATFORM:
			opt->platform = optarg;
			break;
		case 'h':
		case G_HELP:
			oci_usage(stdout);
			exit(0);
		default:
			return error_set(e, EINVAL,
					 "bad global option `%s` (try 'msentry oci --help')",
					 argv[optind - 1]);
		}
	}
	return optind;
}

static const struct oci_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

int cmd_oci(int argc, char **argv)
{
	const char *platform = getenv("MSENTRY_PLATFORM");
	struct runtime_options opt = {.root = RUNTIME_DEFAULT_ROOT,
				      .platform = platform && *platform ? platform : NULL};
	struct runtime rt = {.log_fd = -1};
	struct error e = {0};
	int first = parse_globals(argc, argv, &opt, &e);
	if (first >= 0 && first >= argc)
		error_set(&e, EINVAL, "missing command (try 'msentry oci --help')");
	if (first < 0 || first >= argc || runtime_open(&rt, &opt, &e) != 0) {
		fprintf(stderr, "msentry: %s\n", e.msg);
		return 1;
	}
	const char *name = argv[first];
	const struct oci_command *cmd = find_command(name);
	int rc;
	if (cmd)
		rc = cmd->run(&rt, argc - first, argv + first, &e);
	else if (oci_is_command(name))
		rc = error_set(&e, ENOTSUP, "%s is not supported yet", name);
	else
		rc = error_set(&e, EINVAL, "unknown command `%s` (try 'msentry oci --help')", name);
	if (rc < 0)
		runtime_report(&rt, &e);
	runtime_close(&rt);
	fflush(stdout);
	return rc < 0 ? (e.status > 0 ? e.status : 1) : rc;
}

/* `run`'s options that only the OCI run has: seeing one of them before
 * the first argument makes `msentry run` the OCI run. The standalone
 * runner's options that take a separate value are skipped with it. */
bool oci_run_wants_oci(int argc, char **argv)
{
	static const char *const oci_only[] = {"--bundle",	   "--detach",	     "--pid-file",
					       "--console-socket", "--keep",	     "--no-pivot",
					       "--no-new-keyring", "--preserve-fds", NULL};
	static const char *const with_value[] = {"-e",
						 "-o",
						 "-s",
						 "--strace-output",
						 "--strace-string-limit",
						 "--strace-format",
						 "--vsyscall",
						 "--root",
						 NULL};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || strcmp(a, "--") == 0)
			return false;
		if (strcmp(a, "-d") == 0 || strncmp(a, "-b", 2) == 0)
			return true;
		for (const char *const *o = oci_only; *o; o++) {
			size_t n = strlen(*o);
			if (strncmp(a, *o, n) == 0 && (a[n] == '\0' || a[n] == '='))
				return true;
		}
		for (const char *const *w = with_value; *w; w++)
			if (strcmp(a, *w) == 0)
				i++;
	}
	return false;
}
