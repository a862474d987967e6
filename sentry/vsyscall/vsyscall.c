/* Legacy vsyscall emulation: the pure routine (see vsyscall.h).
 *
 * A straight pipeline, in Linux's order (arch/x86/entry/vsyscall): which
 * call the address names, the return address, the output pointers, the
 * call itself, then the emulated `ret`. Every exit that is not a return is
 * a SIGSEGV with the si_code/si_addr Linux would give:
 *   - --vsyscall=none: as on a vsyscall=none kernel, the page does not
 *     exist: SEGV_MAPERR at the address;
 *   - an address in the page that is not one of the three entry points,
 *     or an unreadable return address: SI_KERNEL, address 0;
 *   - an output pointer outside user space: SEGV_MAPERR at the pointer;
 *   - the handler faulting on an output pointer: SI_KERNEL, address 0,
 *     and no `ret`.
 */
#include <errno.h>
#include <signal.h>

#include "sentry/vsyscall/vsyscall.h"

struct entry {
	uint64_t offset, nr;
	const char *name;
	uint64_t out_size[2]; /* bytes written through RDI and RSI (0: none) */
};

static const struct entry entries[] = {
	{0x000, 96, "gettimeofday", {16, 8}}, /* struct timeval, struct timezone */
	{0x400, 201, "time", {8, 0}},
	{0x800, 309, "getcpu", {4, 4}},
};

static const struct entry *entry_at(uint64_t addr)
{
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		if (addr == VSYSCALL_ADDR + entries[i].offset)
			return &entries[i];
	return NULL;
}

static enum vsyscall_action segv(struct vsyscall_outcome *out, int code, uint64_t addr)
{
	out->action = VSYSCALL_SIGSEGV;
	out->sig_code = code;
	out->sig_addr = addr;
	return out->action;
}

/* Linux only checks that a pointer is a user address before the call; a
 * user address that is not mapped faults in the call. */
static bool user_range_ok(uint64_t ptr, uint64_t size)
{
	return ptr == 0 || (ptr < VSYSCALL_USER_LIMIT && size <= VSYSCALL_USER_LIMIT - ptr);
}

enum vsyscall_action vsyscall_emulate(const struct vsyscall_ops *ops, enum vsyscall_mode mode,
				      struct vsyscall_regs *r, struct vsyscall_outcome *out)
{
	*out = (struct vsyscall_outcome){.nr = (uint64_t)-1};
	const struct entry *e = entry_at(r->rip);
	if (e) {
		out->nr = e->nr;
		out->name = e->name;
	}
	uint64_t caller = 0;
	bool have_caller = ops->read(ops->ctx, r->rsp, &caller, sizeof(caller)) == 0;
	out->caller = have_caller ? caller : 0;
	if (mode == VSYSCALL_NONE) {
		out->refused = true;
		return segv(out, SEGV_MAPERR, r->rip);
	}
	if (!e)
		return segv(out, SI_KERNEL, 0);
	if (!have_caller)
		return segv(out, SI_KERNEL, 0);
	if (!user_range_ok(r->rdi, e->out_size[0]))
		return segv(out, SEGV_MAPERR, r->rdi);
	if (!user_range_ok(r->rsi, e->out_size[1]))
		return segv(out, SEGV_MAPERR, r->rsi);
	const uint64_t args[6] = {r->rdi, r->rsi, r->rdx, 0, 0, 0};
	long ret = ops->call(ops->ctx, e->nr, args);
	if (ret == -EFAULT) {
		out->call_fault = true;
		return segv(out, SI_KERNEL, 0);
	}
	r->rax = (uint64_t)ret;
	r->rip = caller;
	r->rsp += 8;
	out->action = VSYSCALL_RETURN;
	return out->action;
}
