/* `msentry run`: option parsing and program lookup. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
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
	      "  --vsyscall=MODE     emulate (default) or none: legacy vsyscalls fault\n"
	      "  --quiet             no warnings about unsupported syscalls\n"
	      "  --root=DIR          sandbox root directory (default /)\n"
	      "  -h, --help          show this help\n",
	      out);
}

/* Find PROG like a shell: a name with a slash is a path; otherwise the
 * first executable regular file of that name in PATH. */
static char *find_program(const char *prog)
{
	if (strchr(prog, '/'))
		return strdup(prog);
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	char *copy = strdup(path), *save = NULL;
	char *found = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char cand[PATH_MAX];
		snprintf(cand, sizeof(cand), "%s/%s", *dir ? dir : ".", prog);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			found = strdup(cand);
	}
	free(copy);
	return found;
}

enum { OPT_VSYSCALL = 256, OPT_QUIET, OPT_ROOT };

static int parse_options(int argc, char **argv, struct sentry_config *cfg)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"vsyscall", required_argument, NULL, OPT_VSYSCALL},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"root", required_argument, NULL, OPT_ROOT},
		{NULL, 0, NULL, 0},
	};
	int c;
	/* '+': options stop at PROG, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			run_usage(stdout);
			exit(0);
		case OPT_VSYSCALL:
			if (strcmp(optarg, "emulate") == 0)
				cfg->vsyscall = VSYSCALL_EMULATE;
			else if (strcmp(optarg, "none") == 0)
				cfg->vsyscall = VSYSCALL_NONE;
			else {
				fprintf(stderr, "msentry: --vsyscall: expected emulate or none, "
						"got `%s`\n",
					optarg);
				return -1;
			}
			break;
		case OPT_QUIET:
			cfg->quiet = true;
			break;
		case OPT_ROOT:
			cfg->root = optarg;
			break;
		default:
			run_usage(stderr);
			return -1;
		}
	}
	return optind;
}

int cmd_run(int argc, char **argv)
{
	struct sentry_config cfg = {.root = "/", .vsyscall = VSYSCALL_EMULATE};
	int first = parse_options(argc, argv, &cfg);
	if (first < 0)
		return 2;
	if (first >= argc) {
		fputs("msentry: run: missing PROG (try 'msentry run --help')\n", stderr);
		return 2;
	}
	char *prog = find_program(argv[first]);
	if (!prog) {
		fprintf(stderr, "msentry: `%s`: command not found\n", argv[first]);
		return 127;
	}
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
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
