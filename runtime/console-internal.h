/* runtime: the container's terminal and the console socket (private;
 * console.c tells how). */
#ifndef MSENTRY_RUNTIME_CONSOLE_INTERNAL_H
#define MSENTRY_RUNTIME_CONSOLE_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/util.h"

/* runc's checks of process.terminal against --console-socket and
 * --detach (`create` is detached), with its messages. 0 or -1. */
int console_check(bool terminal, bool detach, const char *console_socket, struct error *e);

/* A new pty whose master is sent over the console socket: its slave
 * (close-on-exec, not made anyone's controlling terminal), or -1. */
int console_open(const char *console_socket, struct error *e);

/* In the init, after setsid: make a pty, send its master over the
 * console socket, make the slave fds 0-2 and the controlling terminal.
 * 0 or -1. */
int console_setup(const char *console_socket, struct error *e);

/* Make `pgrp` the foreground group of the terminal on fd 0. 0 or -errno. */
int console_foreground(pid_t pgrp);

#endif
