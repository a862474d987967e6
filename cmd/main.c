/* msentry: a user-mode kernel that runs Linux x86-64 programs in a sandbox. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "sentry/sentry.h"

#ifndef MSENTRY_VERSION
#define MSENTRY_VERSION "unknown"
#endif

static void usage(FILE *out)
{
	fputs("Usage: msentry [--help] [--version] COMMAND [ARGS...]\n"
	      "       msentry [OCI GLOBAL OPTIONS] OCI-COMMAND [OPTIONS] ARGS...\n"
	      "\n"
	      "Runs Linux x86-64 programs with every system call served by msentry's\n"
	      "own user-mode kernel instead of the host kernel.\n"
	      "\n"
	      "Commands:\n"
	      "  run [OPTIONS] PROG [ARGS...]   run PROG inside the sandbox\n"
	      "  syscalls                       list every syscall and its support\n"
	      "  oci COMMAND ...                the OCI runtime (runc's command line)\n"
	      "\n"
	      "OCI runtime commands (as runc's): create, start, state, kill, delete, run,\n"
	      "list, ps, spec, features; 'msentry oci --help' has their options.\n"
	      "\n"
	      "`run` is the OCI run (msentry run [OPTIONS] ID, a bundle's container)\n"
	      "when a runc global option (--root, --log, --log-format, --debug,\n"
	      "--systemd-cgroup) comes before the word `run`, or when `run` has an\n"
	      "OCI-only option (--bundle/-b, --detach/-d, --pid-file, --console-socket,\n"
	      "--keep, --no-pivot, --no-new-keyring, --preserve-fds); otherwise it is the\n"
	      "standalone runner above. `msentry oci run ...` is always the OCI run.\n"
	      "\n"
	      "Run 'msentry run --help' for the options of run.\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* Not a command: the sentry's own helper (hidden from --help). */
	if (argc == 3 && strcmp(argv[1], SENTRY_MOUNTS_CLEANUP) == 0)
		return sentry_mounts_cleanup(argv[2]);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("msentry %s\n", MSENTRY_VERSION);
		return 0;
	}
	/* The OCI runtime: runc's global options first, `msentry oci ...`,
	 * or a runc command word (`run` only with an OCI-only option). */
	if (oci_is_global_option(argv[1]))
		return cmd_oci(argc, argv);
	if (strcmp(argv[1], "oci") == 0)
		return cmd_oci(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0 && oci_run_wants_oci(argc - 1, argv + 1))
		return cmd_oci(argc, argv);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (oci_is_command(argv[1]))
		return cmd_oci(argc, argv);
	if (strcmp(argv[1], "syscalls") == 0) {
		sentry_print_syscalls(stdout);
		return 0;
	}
	fprintf(stderr, "msentry: unknown command `%s` (try 'msentry --help')\n", argv[1]);
	return 2;
}
