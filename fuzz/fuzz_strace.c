/* Fuzz target: the strace argument formatters, fed with fuzzed syscall
 * arguments and a fake program memory.
 *
 * The input is a header (below) followed by the bytes of the program's
 * memory, which the fake task_read serves at FUZZ_MEM_BASE; any other
 * address is unreadable (-EFAULT), as a bad pointer in a real program. The
 * header picks a made-up syscall: its argument formats, result format,
 * arguments, result and string limit, so every formatter of the dispatch
 * array is reached with every value, not only the combinations of the
 * real syscall table. Each argument is formatted at entry and at exit,
 * then the result and its suffix, as strace.c does. ASan and UBSan catch
 * what a formatter gets wrong (a read past a struct, a shift too far).
 *
 * This file defines task_read, so the harness links the formatter sources
 * themselves, not the sentry's libraries (fuzz/meson.build).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "sentry/strace/strace-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MEM_BASE 0x10000ULL

struct fuzz_header {
	uint8_t nargs, args[6], ret_fmt, limit, flags;
	uint64_t a[6];
	int64_t ret;
};

/* The syscall table without its handlers (names, formats), for the real
 * entries and for syscall_lookup, which the siginfo formatter calls. */
#define SYSCALL(nm, sup, nt, cls, retfmt, ...)                                                     \
	[__NR_##nm] = {.name = #nm,                                                                \
		       .ret = retfmt,                                                              \
		       .nargs = sizeof((uint8_t[]){0 __VA_OPT__(, ) __VA_ARGS__}) - 1,             \
		       .args = {__VA_ARGS__}},
static const struct syscall_desc fuzz_table[SYSCALL_TABLE_SIZE] = {
#include "sentry/syscalls/syscalls.def"
};
#undef SYSCALL

const struct syscall_desc *syscall_lookup(uint64_t nr)
{
	if (nr >= SYSCALL_TABLE_SIZE || !fuzz_table[nr].name)
		return NULL;
	return &fuzz_table[nr];
}

/* The fake program memory of the current input (the harness runs one
 * input at a time, so one static pointer is enough). */
static const uint8_t *fuzz_mem;
static size_t fuzz_mem_len;

int task_read(struct task *t, uint64_t addr, void *buf, size_t len)
{
	(void)t;
	if (addr < FUZZ_MEM_BASE || addr - FUZZ_MEM_BASE > fuzz_mem_len ||
	    len > fuzz_mem_len - (addr - FUZZ_MEM_BASE))
		return -EFAULT;
	/* A private copy, so ASan flags a formatter reading past `len`. */
	memcpy(buf, fuzz_mem + (addr - FUZZ_MEM_BASE), len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_header h;
	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	uint8_t *mem = malloc(size - sizeof(h) + 1);
	memcpy(mem, data + sizeof(h), size - sizeof(h));
	fuzz_mem = mem;
	fuzz_mem_len = size - sizeof(h);
	struct syscall_desc d = {.name = "fuzz", .nargs = h.nargs % 7, .ret = h.ret_fmt % 5};
	for (int i = 0; i < 6; i++)
		d.args[i] = h.args[i] % A_FMT_COUNT;
	/* flags bit 0: an unknown syscall (hex arguments); bit 1: the real
	 * entry of syscall number args[0] | args[1] << 8. */
	const struct syscall_desc *dp = &d;
	if (h.flags & 1)
		dp = NULL;
	else if (h.flags & 2)
		dp = syscall_lookup(h.args[0] | (uint64_t)h.args[1] << 8);
	struct strace_call c = {.t = NULL, .d = dp, .a = h.a, .ret = h.ret, .limit = h.limit};
	struct strbuf b = {0};
	uint8_t shown = strace_shown_args(c.d, h.a);
	for (int i = 0; i < shown && i < 6; i++) {
		strace_format_arg(&b, &c, i, false);
		strace_format_arg(&b, &c, i, true);
	}
	sfmt_ret(&b, (enum ret_fmt)d.ret, (long)h.ret);
	strace_put_ret_suffix(&b, &c);
	sfmt_fcntl_arg(&b, h.a[0], h.a[1]);
	/* The text must be a C string of the length the buffer says. */
	if (b.data && strlen(b.data) != b.len)
		abort();
	strbuf_release(&b);
	free(mem);
	fuzz_mem = NULL;
	return 0;
}
