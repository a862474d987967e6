/* The pure part of call-site patching: see vsyscall-patch.h. */
#include <string.h>

#include "sentry/vsyscall/vsyscall-patch.h"

static bool is_call_rax(const uint8_t *p)
{
	return p[0] == 0xff && p[1] == 0xd0;
}

int vsyscall_site_form(const uint8_t code[VSYSCALL_SITE_BYTES], uint64_t vsyscall_addr)
{
	uint64_t imm64;
	memcpy(&imm64, code + 2, sizeof(imm64));
	if (code[0] == 0x48 && code[1] == 0xb8 && imm64 == vsyscall_addr && is_call_rax(code + 10))
		return 1;
	const uint8_t *site = code + 3;
	int32_t imm32;
	memcpy(&imm32, site + 3, sizeof(imm32));
	if (site[0] == 0x48 && site[1] == 0xc7 && site[2] == 0xc0 &&
	    (uint64_t)(int64_t)imm32 == vsyscall_addr && is_call_rax(site + 7))
		return 2;
	return 0;
}

bool vsyscall_in_reach(uint64_t caller, uint64_t target)
{
	int64_t rel = (int64_t)(target - caller);
	return rel == (int32_t)rel;
}

void vsyscall_tramp_entry(uint64_t target, uint8_t out[VSYSCALL_TRAMP_ENTRY])
{
	static const uint8_t jmp_rip[6] = {0xff, 0x25, 0, 0, 0, 0}; /* jmp *0(%rip) */
	memset(out, 0xcc, VSYSCALL_TRAMP_ENTRY); /* int3 padding */
	memcpy(out, jmp_rip, sizeof(jmp_rip));
	memcpy(out + 6, &target, sizeof(target));
}

bool vsyscall_plan_patch(const uint8_t code[VSYSCALL_SITE_BYTES], uint64_t caller,
			 uint64_t vsyscall_addr, uint64_t target, struct vsyscall_patch *out)
{
	switch (vsyscall_site_form(code, vsyscall_addr)) {
	case 1: /* movabs: the immediate becomes the target */
		out->addr = caller - 10;
		memcpy(out->bytes, &target, sizeof(target));
		out->len = sizeof(target);
		return true;
	case 2: { /* mov imm32: a 4-byte nop, then call rel32 */
		if (!vsyscall_in_reach(caller, target))
			return false;
		int32_t rel32 = (int32_t)(int64_t)(target - caller);
		static const uint8_t nop4[4] = {0x0f, 0x1f, 0x40, 0x00};
		out->addr = caller - 9;
		memcpy(out->bytes, nop4, sizeof(nop4));
		out->bytes[4] = 0xe8;
		memcpy(out->bytes + 5, &rel32, sizeof(rel32));
		out->len = 9;
		return true;
	}
	default:
		return false;
	}
}
