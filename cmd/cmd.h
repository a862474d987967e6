/* cmd: the msentry command line. */
#ifndef MSENTRY_CMD_H
#define MSENTRY_CMD_H

/* `msentry run [OPTIONS] PROG [ARGS...]`: returns the exit status. */
int cmd_run(int argc, char **argv);

#endif
