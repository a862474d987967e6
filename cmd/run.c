/* `msentry run`: option parsing and program lookup. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "runtime/runtime.h"
#include "sentry/sentry.h"

extern char **environ;

static void run_usage(FILE *out)
{
	fputs("Usage: msentry run [OPTIONS] PROG [ARGS...]\n"
	      "\n"
	      "Run PROG (a path, or a name looked up in PATH) inside the sandbox.\n"
	      "msentry exits with PROG's exit status, or 128+N if it dies of signal N.\n"
	      "\n"
	      "Options:\n"
	      "  --vsyscall=MODE     emulate (default): legacy vsyscalls work, and a\n"
	      "                      recognised call site becomes a direct vDSO call\n"
	      "                      after its first trap; trap: emulate every call,\n"
	      "                      patch nothing; none: legacy vsyscalls fault\n"
	      "                      (SIGSEGV), with one line naming the cause\n"
	      "  --quiet             no warnings about unsupported syscalls\n"
	      "  --debug             name each layer of the sentry's own confinement\n"
	      "                      applied or refused; a host syscall its seccomp\n"
	      "                      filter does not list is named and fails (ENOSYS)\n"
	      "                      instead of killing the sentry\n"
	      "  --no-self-seccomp   no seccomp filter on the sentry itself\n"
	      "  --root=DIR          sandbox root directory (default /)\n"
	      "  --user=UID[:GID]    the program's uid and gid (default GID 0), no\n"
	      "                      supplementary groups; file access is checked\n"
	      "                      against them when msentry runs as root\n"
	      "  --hostname=NAME     the sandbox's host name (uname, hostname)\n"
	      "  --mount=SRC:DST[:ro]  the host directory or file SRC at DST in the\n"
	      "                      sandbox (a bind mount; ro: read-only); repeatable\n"
	      "  --tmpfs=DST         a private empty directory at DST, removed at exit\n"
	      "  --read-only         the root refuses every write (EROFS)\n"
	      "  --platform=NAME     where program code runs: ptrace (default) or\n"
	      "                      systrap (experimental: syscalls trapped in the stub)\n"
	      "  --max-tasks=N       at most N threads and processes at once (default\n"
	      "                      4096): clone, fork and vfork beyond fail with EAGAIN\n"
	      "  --debug             on SIGUSR2, print every task's state to stderr\n"
	      "  --pass-fd=N         hand msentry's open fd N (>= 3) to PROG at the same\n"
	      "                      number; repeatable. PROG gets fds 0, 1, 2 and these\n"
	      "                      only: every other fd msentry inherited is closed\n"
	      "  --sysctl=KEY=VALUE  set a kernel parameter of the sandbox's IPC\n"
	      "                      namespace (kernel.shmmax, shmall, shmmni,\n"
	      "                      shm_rmid_forced, msgmax, msgmnb, msgmni, sem,\n"
	      "                      msg_next_id, sem_next_id, shm_next_id;\n"
	      "                      fs.mqueue.*), as writing VALUE to its /proc/sys\n"
	      "                      file would; repeatable, applied in order\n"
	      "  -h, --help          show this help\n"
	      "\n"
	      "Tracing (strace conventions; the trace goes to stderr unless -o):\n"
	      "  --strace[=SET]      trace syscalls, signals, exits and msentry's own\n"
	      "                      events; SET: names and classes, e.g. open,read,%file\n"
	      "                      (%file %desc %process %network %signal %memory;\n"
	      "                      a leading ! inverts; all, none)\n"
	      "  -e trace=SET        the same as --strace=SET\n"
	      "  -o, --strace-output=FILE        write the trace to FILE\n"
	      "  -s, --strace-string-limit=N     cut strings after N bytes (default 32)\n"
	      "  -c, --strace-summary            count time, calls and errors per syscall\n"
	      "                                  and print a table at exit (no trace lines\n"
	      "                                  unless --strace is also given)\n"
	      "  -C                  trace lines and the summary table\n"
	      "  --strace-format=text|json       json: one JSON object per line\n",
	      out);
}

enum {
	OPT_VSYSCALL = 256,
	OPT_QUIET,
	OPT_ROOT,
	OPT_STRACE,
	OPT_STRACE_FORMAT,
	OPT_USER,
	OPT_HOSTNAME,
	OPT_MOUNT,
	OPT_TMPFS,
	OPT_READ_ONLY,
	OPT_MAX_TASKS,
	OPT_PLATFORM,
	OPT_DEBUG,
	OPT_NO_SELF_SECCOMP,
	OPT_PASS_FD,
	OPT_SYSCTL,
};

#define MAX_RUN_MOUNTS 32
static const char *const ro_options[] = {"rbind", "ro", NULL};
static const char *const rw_options[] = {"rbind", NULL};

/* --mount SRC:DST[:ro] and --tmpfs DST, added to cfg->mounts (a static
 * array: the command line's mounts live as long as the run). */
static int add_mount(const char *arg, bool tmpfs, struct sentry_config *cfg)
{
	static struct sentry_mount mounts[MAX_RUN_MOUNTS];
	if (cfg->nmounts >= MAX_RUN_MOUNTS) {
		fprintf(stderr, "msentry: at most %d mounts\n", MAX_RUN_MOUNTS);
		return -1;
	}
	struct sentry_mount *m = &mounts[cfg->nmounts];
	if (tmpfs) {
		*m = (struct sentry_mount){.destination = arg, .type = "tmpfs", .source = "tmpfs"};
	} else {
		char *copy = xstrdup(arg); /* lives until exit */
		char *dst = strchr(copy, ':');
		char *opt = dst ? strchr(dst + 1, ':') : NULL;
		if (dst)
			*dst++ = '\0';
		if (opt)
			*opt++ = '\0';
		if (!dst || !*copy || (opt && strcmp(opt, "ro") != 0 && strcmp(opt, "rw") != 0)) {
			fprintf(stderr, "msentry: --mount: expected SRC:DST[:ro], got `%s`\n", arg);
			return -1;
		}
		bool ro = opt && strcmp(opt, "ro") == 0;
		*m = (struct sentry_mount){.destination = dst,
					   .type = "bind",
					   .source = copy,
					   .options = ro ? ro_options : rw_options};
	}
	if (m->destination[0] != '/') {
		fprintf(stderr, "msentry: a mount's destination must be absolute: `%s`\n",
			m->destination);
		return -1;
	}
	cfg->mounts = mounts;
	cfg->nmounts++;
	return 0;
}

/* A decimal id: 0 or -1 if `s` is not one (the whole of it). */
static int parse_id(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v >= 0xffffffffUL || s[0] == '-')
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* --user UID[:GID] */
static int parse_user(const char *arg, struct sentry_config *cfg)
{
	char buf[64];
	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	cfg->set_user = true;
	cfg->gid = 0;
	if (parse_id(buf, &cfg->uid) != 0 || (colon && parse_id(colon + 1, &cfg->gid) != 0)) {
		fprintf(stderr, "msentry: --user: expected UID[:GID] (numbers), got `%s`\n", arg);
		return -1;
	}
	return 0;
}

#define MAX_PASS_FDS 256

/* --pass-fd N: an fd of msentry's, open now, that the program gets at the
 * same number (cfg->pass_fds, a static array like the mounts). */
static int add_pass_fd(const char *arg, struct sentry_config *cfg)
{
	static int fds[MAX_PASS_FDS];
	unsigned n;
	if (parse_id(arg, &n) != 0 || n < 3 || n > INT_MAX) {
		fprintf(stderr,
			"msentry: --pass-fd: expected a number >= 3 (0, 1 and 2 always "
			"pass), got `%s`\n",
			arg);
		return -1;
	}
	if (fcntl((int)n, F_GETFD) < 0) {
		fprintf(stderr, "msentry: --pass-fd=%u: fd %u is not open\n", n, n);
		return -1;
	}
	if (cfg->npass_fds >= MAX_PASS_FDS) {
		fprintf(stderr, "msentry: at most %d --pass-fd\n", MAX_PASS_FDS);
		return -1;
	}
	fds[cfg->npass_fds++] = (int)n;
	cfg->pass_fds = fds;
	return 0;
}

#define MAX_RUN_SYSCTLS 64

/* --sysctl KEY=VALUE, checked now (a bad one never starts the sandbox)
 * and added to cfg->sysctls (a static array like the mounts). */
static int add_sysctl(const char *arg, struct sentry_config *cfg)
{
	static struct sentry_sysctl sysctls[MAX_RUN_SYSCTLS];
	char *key = xstrdup(arg); /* lives until exit */
	char *value = strchr(key, '=');
	if (!value || value == key) {
		fprintf(stderr, "msentry: --sysctl: expected KEY=VALUE, got `%s`\n", arg);
		free(key);
		return -1;
	}
	*value++ = '\0';
	struct error e = {0};
	if (sentry_sysctl_check(key, value, &e) != 0) {
		fprintf(stderr, "msentry: --sysctl %s\n", e.msg);
		free(key);
		return -1;
	}
	if (cfg->nsysctls >= MAX_RUN_SYSCTLS) {
		fprintf(stderr, "msentry: at most %d --sysctl\n", MAX_RUN_SYSCTLS);
		free(key);
		return -1;
	}
	sysctls[cfg->nsysctls++] = (struct sentry_sysctl){.key = key, .value = value};
	cfg->sysctls = sysctls;
	return 0;
}

/* The sandbox's view: --user, --hostname, --sysctl... 1: not one of these. */
static int parse_view_option(int c, const char *arg, struct sentry_config *cfg)
{
	switch (c) {
	case OPT_USER:
		return parse_user(arg, cfg);
	case OPT_HOSTNAME:
		if (strlen(arg) > 64) {
			fprintf(stderr, "msentry: --hostname: longer than 64 bytes\n");
			return -1;
		}
		cfg->hostname = arg;
		return 0;
	case OPT_MOUNT:
	case OPT_TMPFS:
		return add_mount(arg, c == OPT_TMPFS, cfg);
	case OPT_READ_ONLY:
		cfg->readonly_root = true;
		return 0;
	case OPT_PASS_FD:
		return add_pass_fd(arg, cfg);
	case OPT_SYSCTL:
		return add_sysctl(arg, cfg);
	default:
		return 1;
	}
}

/* What the tracing options asked for, resolved once all are read: -c alone
 * prints only the summary (as strace -c); the other options imply lines. */
struct trace_opts {
	bool lines, implied, summary_only;
};

static int parse_trace_option(int c, const char *arg, struct sentry_config *cfg,
			      struct trace_opts *to)
{
	char *end;
	switch (c) {
	case OPT_STRACE:
		to->lines = true;
		if (arg)
			cfg->strace_set = arg;
		return 0;
	case 'e':
		if (strncmp(arg, "trace=", 6) != 0) {
			fprintf(stderr, "msentry: -e: only trace=SET is supported, got `%s`\n",
				arg);
			return -1;
		}
		cfg->strace_set = arg + 6;
		to->implied = true;
		return 0;
	case 'o':
		cfg->strace_output = arg;
		to->implied = true;
		return 0;
	case 's':
		errno = 0;
		long n = strtol(arg, &end, 10);
		if (errno || *end || n < 0 || n > (1 << 20)) {
			fprintf(stderr, "msentry: --strace-string-limit: bad number `%s`\n", arg);
			return -1;
		}
		cfg->strace_string_limit = n ? (int)n : 1;
		to->implied = true;
		return 0;
	case 'c':
		cfg->strace_summary = true;
		to->summary_only = true;
		return 0;
	case 'C':
		cfg->strace_summary = true;
		to->lines = true;
		return 0;
	case OPT_STRACE_FORMAT:
		if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0) {
			fprintf(stderr,
				"msentry: --strace-format: expected text or json, got `%s`\n", arg);
			return -1;
		}
		cfg->strace_json = strcmp(arg, "json") == 0;
		to->implied = true;
		return 0;
	default:
		return 1;
	}
}

/* --vsyscall=emulate|trap|none. */
static int parse_vsyscall(const char *name, struct sentry_config *cfg)
{
	if (strcmp(name, "emulate") == 0) {
		cfg->vsyscall = VSYSCALL_EMULATE;
	} else if (strcmp(name, "none") == 0) {
		cfg->vsyscall = VSYSCALL_NONE;
	} else if (strcmp(name, "trap") == 0) {
		cfg->vsyscall_no_patch = true;
	} else {
		fprintf(stderr, "msentry: --vsyscall: expected emulate, trap or none, got `%s`\n",
			name);
		return -1;
	}
	return 0;
}

/* --platform=NAME (or MSENTRY_PLATFORM, the default for a whole test
 * run): ptrace or systrap. */
static int parse_platform(const char *what, const char *name, struct sentry_config *cfg)
{
	if (strcmp(name, "ptrace") == 0) {
		cfg->platform = SENTRY_PLATFORM_PTRACE;
	} else if (strcmp(name, "systrap") == 0) {
		cfg->platform = SENTRY_PLATFORM_SYSTRAP;
	} else {
		fprintf(stderr, "msentry: %s: expected ptrace or systrap, got `%s`\n", what, name);
		return -1;
	}
	return 0;
}

/* --max-tasks=N: 1 .. 4194304 (Linux's pid_max limit). */
static int parse_max_tasks(const char *arg, int *out)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (*end || end == arg || n < 1 || n > 1 << 22) {
		fprintf(stderr,
			"msentry: --max-tasks: expected a number from 1 to 4194304, got `%s`\n",
			arg);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int parse_options(int argc, char **argv, struct sentry_config *cfg)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"vsyscall", required_argument, NULL, OPT_VSYSCALL},
	    {"quiet", no_argument, NULL, OPT_QUIET},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"strace", optional_argument, NULL, OPT_STRACE},
	    {"strace-output", required_argument, NULL, 'o'},
	    {"strace-string-limit", required_argument, NULL, 's'},
	    {"strace-summary", no_argument, NULL, 'c'},
	    {"strace-format", required_argument, NULL, OPT_STRACE_FORMAT},
	    {"user", required_argument, NULL, OPT_USER},
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"mount", required_argument, NULL, OPT_MOUNT},
	    {"tmpfs", required_argument, NULL, OPT_TMPFS},
	    {"read-only", no_argument, NULL, OPT_READ_ONLY},
	    {"max-tasks", required_argument, NULL, OPT_MAX_TASKS},
	    {"platform", required_argument, NULL, OPT_PLATFORM},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"no-self-seccomp", no_argument, NULL, OPT_NO_SELF_SECCOMP},
	    {"pass-fd", required_argument, NULL, OPT_PASS_FD},
	    {"sysctl", required_argument, NULL, OPT_SYSCTL},
	    {NULL, 0, NULL, 0},
	};
	int c;
	struct trace_opts to = {0};
	/* '+': options stop at PROG, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+hcCe:o:s:", opts, NULL)) != -1) {
		int rc = parse_trace_option(c, optarg, cfg, &to);
		if (rc > 0)
			rc = parse_view_option(c, optarg, cfg);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		switch (c) {
		case 'h':
			run_usage(stdout);
			exit(0);
		case OPT_VSYSCALL:
			if (parse_vsyscall(optarg, cfg) != 0)
				return -1;
			break;
		case OPT_QUIET:
			cfg->quiet = true;
			break;
		case OPT_ROOT:
			cfg->root = optarg;
			break;
		case OPT_MAX_TASKS:
			if (parse_max_tasks(optarg, &cfg->max_tasks) != 0)
				return -1;
			break;
		case OPT_PLATFORM:
			if (parse_platform("--platform", optarg, cfg) != 0)
				return -1;
			break;
		case OPT_DEBUG:
			cfg->debug = true;
			break;
		case OPT_NO_SELF_SECCOMP:
			cfg->no_self_seccomp = true;
			break;
		default:
			run_usage(stderr);
			return -1;
		}
	}
	cfg->strace = to.lines || (to.implied && !to.summary_only);
	return optind;
}

int cmd_run(int argc, char **argv)
{
	struct sentry_config cfg = {.root = "/", .vsyscall = VSYSCALL_EMULATE};
	const char *platform = getenv("MSENTRY_PLATFORM");
	if (platform && *platform && parse_platform("MSENTRY_PLATFORM", platform, &cfg) != 0)
		return 2;
	int first = parse_options(argc, argv, &cfg);
	if (first < 0)
		return 2;
	if (first >= argc) {
		fputs("msentry: run: missing PROG (try 'msentry run --help')\n", stderr);
		return 2;
	}
	/* The sandbox starts in msentry's own directory when the root is the
	 * host's, at its root otherwise (as a container does). */
	char cwd[PATH_MAX] = "/";
	if (strcmp(cfg.root, "/") == 0 && !getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	char *prog = runtime_find_program(cfg.root, cwd, getenv("PATH"), argv[first]);
	if (!prog) {
		fprintf(stderr, "msentry: `%s`: command not found\n", argv[first]);
		return 127;
	}
	cfg.prog = prog;
	cfg.argv = (const char *const *)argv + first;
	cfg.envp = (const char *const *)environ;
	cfg.cwd = cwd;
	struct error e = {0};
	int status = sentry_run(&cfg, &e);
	free(prog);
	if (status < 0) {
		fprintf(stderr, "msentry: %s\n", e.msg);
		return e.status ? e.status : 1;
	}
	return status;
}
