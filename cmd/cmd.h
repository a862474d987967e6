/* cmd: the msentry command line. */
#ifndef MSENTRY_CMD_H
#define MSENTRY_CMD_H

#include <stdbool.h>

/* `msentry run [OPTIONS] PROG [ARGS...]`: returns the exit status. */
int cmd_run(int argc, char **argv);

/* The OCI runtime: argv[1..] are runc's global options, then the command
 * and its arguments. Returns the exit status. */
int cmd_oci(int argc, char **argv);
/* A runc command word (create, start, ..., and those not supported yet). */
bool oci_is_command(const char *word);
/* One of runc's global options (--root, --log, --log-format, --debug,
 * --systemd-cgroup), with or without "=VALUE". */
bool oci_is_global_option(const char *arg);
/* argv[0] is "run": does an OCI-only option come before the first
 * argument (--bundle/-b, --detach/-d, --pid-file, ...)? */
bool oci_run_wants_oci(int argc, char **argv);

#endif
