/* Unit tests of the vsyscall emulation routine, from synthetic registers.
 * The routine sees the same registers on both host paths (seccomp stop on
 * emulate/xonly hosts, SIGSEGV on vsyscall=none hosts), so these cases
 * cover both; the fake memory is one 64-byte "stack" at STACK. */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sentry/vsyscall/vsyscall.h"

#define STACK 0x7ffd00001000UL
#define CALLER 0x401234UL

struct fake {
	uint64_t stack[8];
	uint64_t last_nr, last_args[3];
	int calls;
	long result;
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = ctx;
	if (addr < STACK || addr + len > STACK + sizeof(f->stack))
		return -EFAULT;
	memcpy(buf, (char *)f->stack + (addr - STACK), len);
	return 0;
}

static long fake_call(void *ctx, uint64_t nr, const uint64_t args[6])
{
	struct fake *f = ctx;
	f->calls++;
	f->last_nr = nr;
	memcpy(f->last_args, args, sizeof(f->last_args));
	return f->result;
}

static struct fake f;
static struct vsyscall_ops ops;

static void setup(void)
{
	memset(&f, 0, sizeof(f));
	f.stack[0] = CALLER;
	f.result = 1700000000;
	ops = (struct vsyscall_ops){.ctx = &f, .read = fake_read, .call = fake_call};
}

static struct vsyscall_regs regs_at(uint64_t rip)
{
	return (struct vsyscall_regs){.rip = rip, .rsp = STACK, .rax = 201, .rdi = 0x601000,
				      .rsi = 0x602000, .rdx = 7};
}

START_TEST(time_returns_to_caller)
{
	struct vsyscall_regs r = regs_at(0xffffffffff600400UL);
	struct vsyscall_outcome out;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_RETURN);
	ck_assert_uint_eq(f.last_nr, 201);
	ck_assert_uint_eq(f.last_args[0], 0x601000);
	ck_assert_uint_eq(r.rax, 1700000000);
	ck_assert_uint_eq(r.rip, CALLER);
	ck_assert_uint_eq(r.rsp, STACK + 8);
	ck_assert_str_eq(out.name, "time");
}
END_TEST

START_TEST(gettimeofday_and_getcpu_use_their_handlers)
{
	struct vsyscall_outcome out;
	struct vsyscall_regs r = regs_at(0xffffffffff600000UL);
	f.result = 0;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_RETURN);
	ck_assert_uint_eq(f.last_nr, 96);
	ck_assert_uint_eq(f.last_args[1], 0x602000);
	ck_assert_uint_eq(r.rax, 0);
	r = regs_at(0xffffffffff600800UL);
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_RETURN);
	ck_assert_uint_eq(f.last_nr, 309);
	ck_assert_uint_eq(f.last_args[2], 7);
	ck_assert_uint_eq(r.rip, CALLER);
}
END_TEST

START_TEST(misaligned_address_is_sigsegv)
{
	struct vsyscall_regs r = regs_at(0xffffffffff600404UL), before = r;
	struct vsyscall_outcome out;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_SIGSEGV);
	ck_assert_int_eq(out.sig_code, SI_KERNEL);
	ck_assert_uint_eq(out.sig_addr, 0);
	ck_assert_int_eq(f.calls, 0);
	ck_assert_mem_eq(&r, &before, sizeof(r));
}
END_TEST

START_TEST(unreadable_stack_is_sigsegv)
{
	struct vsyscall_regs r = regs_at(0xffffffffff600400UL);
	r.rsp = 0x1000; /* not in the fake memory */
	struct vsyscall_outcome out;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_SIGSEGV);
	ck_assert_int_eq(out.sig_code, SI_KERNEL);
	ck_assert_int_eq(f.calls, 0);
	ck_assert_uint_eq(r.rip, 0xffffffffff600400UL);
}
END_TEST

START_TEST(kernel_pointer_is_sigsegv_at_the_pointer)
{
	struct vsyscall_regs r = regs_at(0xffffffffff600000UL);
	r.rsi = 0xffff888000000000UL;
	struct vsyscall_outcome out;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_SIGSEGV);
	ck_assert_int_eq(out.sig_code, SEGV_MAPERR);
	ck_assert_uint_eq(out.sig_addr, 0xffff888000000000UL);
	ck_assert_int_eq(f.calls, 0);
}
END_TEST

START_TEST(faulting_handler_is_sigsegv_without_ret)
{
	struct vsyscall_regs r = regs_at(0xffffffffff600400UL);
	f.result = -EFAULT;
	struct vsyscall_outcome out;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_SIGSEGV);
	ck_assert(out.call_fault);
	ck_assert_uint_eq(r.rip, 0xffffffffff600400UL);
	ck_assert_uint_eq(r.rsp, STACK);
}
END_TEST

START_TEST(none_mode_refuses_with_caller)
{
	struct vsyscall_regs r = regs_at(0xffffffffff600400UL);
	struct vsyscall_outcome out;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_NONE, &r, &out), VSYSCALL_SIGSEGV);
	ck_assert(out.refused);
	ck_assert_int_eq(out.sig_code, SEGV_MAPERR);
	ck_assert_uint_eq(out.sig_addr, 0xffffffffff600400UL);
	ck_assert_uint_eq(out.caller, CALLER);
	ck_assert_int_eq(f.calls, 0);
}
END_TEST

START_TEST(errors_from_handler_are_returned)
{
	struct vsyscall_regs r = regs_at(0xffffffffff600800UL);
	f.result = -EINVAL;
	struct vsyscall_outcome out;
	ck_assert_int_eq(vsyscall_emulate(&ops, VSYSCALL_EMULATE, &r, &out), VSYSCALL_RETURN);
	ck_assert_int_eq((long)r.rax, -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vsyscall");
	TCase *tc = tcase_create("emulate");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, time_returns_to_caller);
	tcase_add_test(tc, gettimeofday_and_getcpu_use_their_handlers);
	tcase_add_test(tc, misaligned_address_is_sigsegv);
	tcase_add_test(tc, unreadable_stack_is_sigsegv);
	tcase_add_test(tc, kernel_pointer_is_sigsegv_at_the_pointer);
	tcase_add_test(tc, faulting_handler_is_sigsegv_without_ret);
	tcase_add_test(tc, none_mode_refuses_with_caller);
	tcase_add_test(tc, errors_from_handler_are_returned);
	suite_add_tcase(s, tc);
	return check_run(s);
}
