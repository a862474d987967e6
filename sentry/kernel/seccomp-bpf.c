/* Classic BPF for seccomp: the checker and the interpreter.
 *
 * A program's seccomp filter is a classic BPF program (struct sock_filter:
 * code, jt, jf, k) over the 64 bytes of struct seccomp_data. The checker
 * accepts exactly what Linux accepts, so a filter that installs natively
 * installs here and one Linux refuses gets the same EINVAL:
 *  - 1 to 4096 instructions, the last a RET (K or A);
 *  - only the opcodes seccomp allows: LD W ABS (a 4-aligned offset inside
 *    struct seccomp_data), LD/LDX IMM, MEM and W LEN, ST/STX, the ALU
 *    operations but MOD, JA and the conditional jumps in K and X forms, RET,
 *    TAX/TXA (packet loads, MSH and ancillary data are refused);
 *  - jumps forward and inside the program (so every run ends, in at most
 *    `len` steps), shifts by constants below 32, no division by constant 0,
 *    scratch slots M[0..15] only, and none read before every path to it
 *    has stored it.
 * The interpreter then needs no bounds checks of its own beyond what the
 * checker proved; a division by X = 0 ends the program with 0 as Linux's
 * translated program does (0 is SECCOMP_RET_KILL_THREAD). Shifts by X use
 * its low 5 bits, as the kernel's interpreter and JIT do.
 *
 * Threats: the program is the sandboxed program's, so nothing in it may
 * make the sentry read outside seccomp_data or its own arrays, loop, or
 * trap (division): the checker is the guard, and the interpreter is only
 * ever given checked programs.
 */
#include <errno.h>
#include <string.h>

#include "sentry/kernel/seccomp-filter.h"

#define SCRATCH_SLOTS 16 /* BPF_MEMWORDS */

/* The opcodes a seccomp filter may use (Linux's seccomp_check_filter list). */
static bool opcode_allowed(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_ALU | BPF_NEG:
	case BPF_JMP | BPF_JA:
		return true;
	default:
		break;
	}
	uint16_t src = BPF_SRC(code);
	if (BPF_CLASS(code) == BPF_ALU && (code & ~(0xf0 | BPF_X)) == BPF_ALU) {
		switch (BPF_OP(code)) {
		case BPF_ADD:
		case BPF_SUB:
		case BPF_MUL:
		case BPF_DIV:
		case BPF_AND:
		case BPF_OR:
		case BPF_XOR:
		case BPF_LSH:
		case BPF_RSH:
			return src == BPF_K || src == BPF_X;
		default:
			return false; /* MOD is classic BPF but not seccomp */
		}
	}
	if (BPF_CLASS(code) == BPF_JMP && (code & ~(0xf0 | BPF_X)) == BPF_JMP) {
		switch (BPF_OP(code)) {
		case BPF_JEQ:
		case BPF_JGT:
		case BPF_JGE:
		case BPF_JSET:
			return true;
		default:
			return false;
		}
	}
	return false;
}

/* The checks of one instruction at `pc` beyond its opcode. */
static bool operands_valid(const struct sock_filter *in, size_t pc, size_t len)
{
	uint16_t code = in->code;
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return in->k < sizeof(struct seccomp_data) && (in->k & 3) == 0;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return in->k < SCRATCH_SLOTS;
	case BPF_ALU | BPF_DIV | BPF_K:
		return in->k != 0;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		return in->k < 32;
	case BPF_JMP | BPF_JA:
		return in->k < len - pc - 1;
	default:
		break;
	}
	if (BPF_CLASS(code) == BPF_JMP)
		return pc + in->jt + 1 < len && pc + in->jf + 1 < len;
	return true;
}

/* No scratch slot is read before it is written on every path to the read:
 * the slots known written flow forward, and a jump target keeps only what
 * every jump into it (and the fall-through) had. */
static bool scratch_reads_valid(const struct sock_filter *prog, size_t len)
{
	uint16_t at[SECCOMP_PROG_MAX];
	for (size_t i = 0; i < len; i++)
		at[i] = 0xffff;
	uint16_t valid = 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		valid &= at[pc];
		switch (in->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << in->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << in->k)))
				return false;
			break;
		case BPF_JMP | BPF_JA:
			at[pc + 1 + in->k] &= valid;
			valid = 0xffff; /* nothing falls through */
			break;
		default:
			if (BPF_CLASS(in->code) == BPF_JMP) {
				at[pc + 1 + in->jt] &= valid;
				at[pc + 1 + in->jf] &= valid;
				valid = 0xffff;
			}
			break;
		}
	}
	return true;
}

int seccomp_bpf_check(const struct sock_filter *prog, size_t len)
{
	if (len == 0 || len > SECCOMP_PROG_MAX)
		return -EINVAL;
	for (size_t pc = 0; pc < len; pc++)
		if (!opcode_allowed(prog[pc].code) || !operands_valid(&prog[pc], pc, len))
			return -EINVAL;
	uint16_t last = prog[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return -EINVAL;
	return scratch_reads_valid(prog, len) ? 0 : -EINVAL;
}

/* One ALU operation; false for a division by zero (the program ends). */
static bool alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_DIV:
		if (v == 0)
			return false;
		*a /= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		*a <<= v & 31;
		break;
	case BPF_RSH:
		*a >>= v & 31;
		break;
	case BPF_NEG:
		*a = -*a;
		break;
	default:
		break;
	}
	return true;
}

static bool jump_taken(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ:
		return a == v;
	case BPF_JGT:
		return a > v;
	case BPF_JGE:
		return a >= v;
	case BPF_JSET:
		return (a & v) != 0;
	default:
		return false;
	}
}

uint32_t seccomp_bpf_run(const struct sock_filter *prog, size_t len,
			 const struct seccomp_data *data)
{
	uint32_t a = 0, x = 0, mem[SCRATCH_SLOTS] = {0};
	unsigned char bytes[sizeof(*data)];
	memcpy(bytes, data, sizeof(bytes));
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		uint16_t code = in->code;
		switch (BPF_CLASS(code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v = in->k; /* BPF_IMM */
			if (BPF_MODE(code) == BPF_ABS)
				memcpy(&v, bytes + in->k, sizeof(v));
			else if (BPF_MODE(code) == BPF_MEM)
				v = mem[in->k];
			else if (BPF_MODE(code) == BPF_LEN)
				v = sizeof(*data);
			*(BPF_CLASS(code) == BPF_LD ? &a : &x) = v;
			break;
		}
		case BPF_ST:
			mem[in->k] = a;
			break;
		case BPF_STX:
			mem[in->k] = x;
			break;
		case BPF_ALU:
			if (!alu(BPF_OP(code), &a, BPF_SRC(code) == BPF_X ? x : in->k))
				return 0;
			break;
		case BPF_JMP:
			if (BPF_OP(code) == BPF_JA)
				pc += in->k;
			else
				pc +=
				    jump_taken(BPF_OP(code), a, BPF_SRC(code) == BPF_X ? x : in->k)
					? in->jt
					: in->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(code) == BPF_A ? a : in->k;
		case BPF_MISC:
			if (BPF_MISCOP(code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return 0; /* never: the checker refuses it */
		}
	}
	return 0; /* never: a checked program ends in RET */
}

bool seccomp_action_wins(uint32_t a, uint32_t b)
{
	return (int32_t)(a & SECCOMP_RET_ACTION_FULL) < (int32_t)(b & SECCOMP_RET_ACTION_FULL);
}
