#ifndef MSENTRY_PLATFORM_INTERNAL_H
#define MSENTRY_PLATFORM_INTERNAL_H

#include <seccomp.h>

#include "platform.h"

/* Stub code (platform/stub.c): position independent, copied to STUB_ADDR. */
extern const char msentry_stub_start[], msentry_stub_syscall[], msentry_stub_end[];
#define STUB_SYSCALL_ADDR (STUB_ADDR + (uint64_t)(msentry_stub_syscall - msentry_stub_start))

/* Flags the sentry uses for injected clones; the seccomp filter allows
 * exactly these. New address spaces are siblings of the factory
 * (CLONE_PARENT: the sentry reaps them) sharing the sentry's fd table
 * (CLONE_FILES: file descriptors the sentry opens are valid in injected
 * mmaps). */
#define STUB_FORK_FLAGS (CLONE_PARENT | CLONE_FILES | SIGCHLD)
#define STUB_THREAD_FLAGS                                                                          \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

/* Build and load the stub's seccomp filter (in the stub, before it drops
 * everything but the stub page). 0 or -errno. */
int stub_install_seccomp(void);

#endif
