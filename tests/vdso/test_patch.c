/* Unit tests of vsyscall call-site patching (sentry/vsyscall-patch.c). */
#include <check.h>

#include "tests/check-run.h"
#include <string.h>

#include "sentry/vsyscall/vsyscall-patch.h"

#define VTIME 0xffffffffff600400UL

/* The 12 bytes before `caller` for a site: `prefix` then the site. */
static void site(uint8_t code[12], const uint8_t *bytes, size_t n)
{
	memset(code, 0x90, 12);
	memcpy(code + 12 - n, bytes, n);
}

static const uint8_t movq_site[9] = {0x48, 0xc7, 0xc0, 0x00, 0x04, 0x60, 0xff, 0xff, 0xd0};
static const uint8_t movabs_site[12] = {0x48, 0xb8, 0x00, 0x04, 0x60, 0xff,
					0xff, 0xff, 0xff, 0xff, 0xff, 0xd0};

START_TEST(movabs_site_gets_the_target_as_immediate)
{
	uint8_t code[12];
	site(code, movabs_site, sizeof(movabs_site));
	struct vsyscall_patch p;
	uint64_t caller = 0x401010, target = 0x7f0000001830;
	ck_assert_int_eq(vsyscall_site_form(code, VTIME), 1);
	ck_assert(vsyscall_plan_patch(code, caller, VTIME, target, &p));
	ck_assert_uint_eq(p.addr, caller - 10);
	ck_assert_uint_eq(p.len, 8);
	ck_assert_mem_eq(p.bytes, &target, 8);
}
END_TEST

START_TEST(movq_site_becomes_nop_and_rel32_call)
{
	uint8_t code[12];
	site(code, movq_site, sizeof(movq_site));
	struct vsyscall_patch p;
	uint64_t caller = 0x7f0000400009, target = 0x7f0000001830;
	ck_assert_int_eq(vsyscall_site_form(code, VTIME), 2);
	ck_assert(vsyscall_plan_patch(code, caller, VTIME, target, &p));
	ck_assert_uint_eq(p.addr, caller - 9);
	ck_assert_uint_eq(p.len, 9);
	static const uint8_t nop4_call[5] = {0x0f, 0x1f, 0x40, 0x00, 0xe8};
	ck_assert_mem_eq(p.bytes, nop4_call, 5);
	int32_t rel;
	memcpy(&rel, p.bytes + 5, 4);
	ck_assert_uint_eq(caller + (uint64_t)(int64_t)rel, target); /* the call lands on target */
}
END_TEST

START_TEST(movq_site_out_of_reach_is_left_alone)
{
	uint8_t code[12];
	site(code, movq_site, sizeof(movq_site));
	struct vsyscall_patch p;
	ck_assert(!vsyscall_plan_patch(code, 0x401009, VTIME, 0x7f0000001830, &p));
	ck_assert(!vsyscall_in_reach(0x401009, 0x7f0000001830));
	ck_assert(vsyscall_in_reach(0x401009UL, 0x401009UL + 0x7fff0000UL));
}
END_TEST

START_TEST(unrecognised_sites_are_left_alone)
{
	uint8_t code[12];
	struct vsyscall_patch p;
	/* mov $addr,%rdx; call *%rdx */
	const uint8_t rdx_site[9] = {0x48, 0xc7, 0xc2, 0x00, 0x04, 0x60, 0xff, 0xff, 0xd2};
	site(code, rdx_site, sizeof(rdx_site));
	ck_assert_int_eq(vsyscall_site_form(code, VTIME), 0);
	ck_assert(!vsyscall_plan_patch(code, 0x7f0000400009, VTIME, 0x7f0000001830, &p));
	/* the right shape, but for another vsyscall address than the one called */
	site(code, movq_site, sizeof(movq_site));
	ck_assert_int_eq(vsyscall_site_form(code, 0xffffffffff600000UL), 0);
	/* call through memory: ff 14 25 disp32 */
	const uint8_t mem_site[7] = {0xff, 0x14, 0x25, 0x00, 0x04, 0x60, 0xff};
	site(code, mem_site, sizeof(mem_site));
	ck_assert_int_eq(vsyscall_site_form(code, VTIME), 0);
}
END_TEST

START_TEST(trampoline_entry_is_an_absolute_jump)
{
	uint8_t e[VSYSCALL_TRAMP_ENTRY];
	uint64_t target = 0x7f1234567890;
	vsyscall_tramp_entry(target, e);
	static const uint8_t jmp[6] = {0xff, 0x25, 0, 0, 0, 0};
	ck_assert_mem_eq(e, jmp, 6);
	ck_assert_mem_eq(e + 6, &target, 8);
	ck_assert_uint_eq(e[14], 0xcc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vsyscall-patch");
	TCase *tc = tcase_create("plan");
	tcase_add_test(tc, movabs_site_gets_the_target_as_immediate);
	tcase_add_test(tc, movq_site_becomes_nop_and_rel32_call);
	tcase_add_test(tc, movq_site_out_of_reach_is_left_alone);
	tcase_add_test(tc, unrecognised_sites_are_left_alone);
	tcase_add_test(tc, trampoline_entry_is_an_absolute_jump);
	suite_add_tcase(s, tc);
	return check_run(s);
}
