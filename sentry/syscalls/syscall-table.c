/* The syscall table, built from syscalls.def: one entry per number, with
 * its name, its handler (sys_<name> for FULL and PARTIAL entries, NULL for
 * NONE ones: unsupported, answered with -ENOSYS and reported once by name),
 * its support level and note, how strace prints its arguments and result,
 * and the strace classes it belongs to (CL_FILE...: `--strace=%file`).
 * Dispatch, the strace printer, the unsupported-syscall warning and
 * docs/syscalls.md all come from here; tests/strace/test_table.c checks it
 * against libseccomp and the kernel ABI.
 */
#include <stddef.h>
#include <sys/syscall.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* The handler an entry names follows from its support level. */
#define SYSCALL_FN_FULL(fn) fn
#define SYSCALL_FN_PARTIAL(fn) fn
#define SYSCALL_FN_NONE(fn) NULL

#define SYSCALL(nm, sup, nt, cls, retfmt, ...)                                                     \
	[__NR_##nm] = {.name = #nm,                                                                \
		       .fn = SYSCALL_FN_##sup(sys_##nm),                                           \
		       .support = SUPPORT_##sup,                                                   \
		       .note = nt,                                                                 \
		       .classes = cls,                                                             \
		       .ret = retfmt,                                                              \
		       .nargs = sizeof((uint8_t[]){0 __VA_OPT__(, ) __VA_ARGS__}) - 1,             \
		       .args = {__VA_ARGS__}},

const struct syscall_desc syscall_table[SYSCALL_TABLE_SIZE] = {
#include "sentry/syscalls/syscalls.def"
};
#undef SYSCALL

const struct syscall_desc *syscall_lookup(uint64_t nr)
{
	if (nr >= SYSCALL_TABLE_SIZE || !syscall_table[nr].name)
		return NULL;
	return &syscall_table[nr];
}
