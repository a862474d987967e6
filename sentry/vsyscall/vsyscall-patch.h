/* Turning legacy vsyscall call sites into direct vDSO calls.
 *
 * A legacy libc calls the vsyscall page with
 *     48 c7 c0 imm32   mov $0xffffffffff600XXX,%rax   (imm32 sign-extended)
 *     ff d0            call *%rax
 * or with the 10-byte `movabs $imm64,%rax` (48 b8 imm64) before the call.
 * Every such call traps (a seccomp stop, or a SIGSEGV on vsyscall=none
 * hosts) and costs ~10 us, against ~0.4 us for the host kernel's own
 * emulation. After the first trap from a recognised site, the sentry
 * rewrites the site to call msentry's vDSO function instead, which is an
 * ordinary function with the same C calling convention:
 *     movabs form: the immediate becomes the vDSO function's address;
 *     imm32 form:  `0f 1f 40 00` (a 4-byte nop) + `e8 rel32` (call), when
 *                  the vDSO function is within +-2 GiB of the site.
 *                  Sites in an executable are usually farther than that
 *                  from the vDSO: they call an entry of a trampoline page
 *                  the sentry maps near them (`jmp *0(%rip)` + the vDSO
 *                  function's address), one per address space.
 * Either way the call's return address stays where it was. Anything else
 * (another encoding, everything out of reach) stays on the emulation path.
 * The rewrite is only done while the caller is the one thread of its
 * address space, stopped in the sentry, so nothing can be executing the
 * bytes being changed; the page becomes a private copy (copy-on-write).
 */
#ifndef MSENTRY_SENTRY_VSYSCALL_PATCH_H
#define MSENTRY_SENTRY_VSYSCALL_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSYSCALL_SITE_BYTES 12 /* the longest recognised site */
#define VSYSCALL_TRAMP_ENTRY 16 /* bytes per trampoline entry */

/* Which recognised form the 12 bytes before a return address hold:
 * 0 none, 1 movabs (reaches anything), 2 mov imm32 (rel32 reach). */
int vsyscall_site_form(const uint8_t code[VSYSCALL_SITE_BYTES], uint64_t vsyscall_addr);
/* Whether a rel32 call ending at `caller` can reach `target`. */
bool vsyscall_in_reach(uint64_t caller, uint64_t target);
/* Trampoline entry bytes: jmp *0(%rip); .quad target; padding. */
void vsyscall_tramp_entry(uint64_t target, uint8_t out[VSYSCALL_TRAMP_ENTRY]);

struct vsyscall_patch {
	uint64_t addr;		   /* where to write */
	uint8_t bytes[VSYSCALL_SITE_BYTES];
	size_t len;
};

/* Plan the rewrite of the call site that returns to `caller`, given the 12
 * bytes before `caller` (`code`), the vsyscall address it called and the
 * vDSO function to call instead. Pure. true: `out` is the rewrite. */
bool vsyscall_plan_patch(const uint8_t code[VSYSCALL_SITE_BYTES], uint64_t caller,
			 uint64_t vsyscall_addr, uint64_t target, struct vsyscall_patch *out);

#endif
