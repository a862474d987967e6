/* runtime: the container's terminal and the console socket (private;
 * console.c tells how). */
#ifndef MSENTRY_RUNTIME_CONSOLE_INTERNAL_H
#define MSENTRY_RUNTIME_CONSOLE_INTERNAL_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

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

/* The slave (fds 0-2 of the init, after its setsid) as the controlling
 * terminal. 0 or -1. */
int console_take(int slave, struct error *e);

/* The slave owned as runc's devpts (gid=5,mode=620) leaves it: by the
 * process's uid, group tty (5), mode 0620. Best effort (a rootless
 * runtime may not chown). */
void console_own(int slave, uid_t uid);

/* runc's foreground terminal: a pty of the runtime's own, relayed to the
 * runtime's stdio (console.c). */
struct console_relay {
	int master;	      /* non-blocking; -1 once it is done */
	bool in_open;	      /* stdin still copied into the master */
	bool raw;	      /* stdin is a terminal set raw: `saved` comes back */
	struct termios saved; /* stdin's settings before */
};

/* Make the pty (its size from stdin's terminal, if any) and set stdin raw
 * when it is a terminal: *slave (close-on-exec) for the process. 0 or -1. */
int console_relay_open(struct console_relay *r, int *slave, struct error *e);
/* The two poll entries: stdin, the master. */
void console_relay_poll(const struct console_relay *r, struct pollfd p[2]);
/* Copy what poll reported ready. */
void console_relay_io(struct console_relay *r, const struct pollfd p[2]);
/* stdin's terminal was resized: the pty takes its size (SIGWINCH then
 * reaches the pty's foreground group). */
void console_relay_resize(const struct console_relay *r);
/* The process is gone: copy what the master still holds, restore stdin,
 * close. */
void console_relay_close(struct console_relay *r);

#endif
