/* The initial stack of a new program, per the x86-64 System V ABI.
 *
 * High to low, as Linux builds it: an 8-byte end marker, the execfn
 * string, the environment strings, the argument strings (so argv and envp
 * strings are each contiguous, which /proc/self/cmdline and environ rely
 * on), the platform string, the 16 AT_RANDOM bytes; then, 16-byte aligned so
 * that the final SP is aligned as the ABI demands: argc, argv[], NULL,
 * envp[], NULL, auxv pairs ending with AT_NULL.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "loader-internal.h"

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static size_t strings_size(const char *const *v)
{
	size_t total = 0;
	for (size_t i = 0; v && v[i]; i++)
		total += strlen(v[i]) + 1;
	return total;
}

/* Copy strings to [at...) in the image, recording each address. */
static void put_strings(struct stack_image *img, uint64_t at, const char *const *v, uint64_t *addrs)
{
	for (size_t i = 0; v && v[i]; i++) {
		size_t n = strlen(v[i]) + 1;
		memcpy(img->data + (at - img->sp), v[i], n);
		addrs[i] = at;
		at += n;
	}
}

static void put_word(struct stack_image *img, uint64_t *at, uint64_t value)
{
	memcpy(img->data + (*at - img->sp), &value, sizeof(value));
	*at += sizeof(value);
}

int stack_build(const struct stack_spec *spec, struct stack_image *img)
{
	size_t argc = count(spec->argv), envc = count(spec->envp);
	size_t execfn_len = strlen(spec->execfn) + 1, platform_len = strlen(spec->platform) + 1;
	size_t argv_size = strings_size(spec->argv), env_size = strings_size(spec->envp);
	if (spec->auxv_pairs + 4 > LOADER_AUXV_MAX)
		return -E2BIG;

	uint64_t p = spec->top - 8;
	uint64_t execfn_at = p -= execfn_len;
	uint64_t env_at = p -= env_size;
	uint64_t argv_at = p -= argv_size;
	uint64_t platform_at = p -= platform_len;
	uint64_t random_at = p -= 16;
	p &= ~15UL;

	size_t auxv_words = (spec->auxv_pairs + 4) * 2;
	size_t words = 1 + (argc + 1) + (envc + 1) + auxv_words;
	if (words % 2)
		p -= 8;
	p -= words * 8;
	if (spec->top - p > spec->max_size)
		return -E2BIG;

	*img = (struct stack_image){.sp = p, .size = spec->top - p};
	img->data = xcalloc(1, img->size);
	memcpy(img->data + (execfn_at - p), spec->execfn, execfn_len);
	memcpy(img->data + (platform_at - p), spec->platform, platform_len);
	memcpy(img->data + (random_at - p), spec->random, 16);

	uint64_t *argv_addrs = xcalloc(argc + 1, sizeof(uint64_t));
	uint64_t *env_addrs = xcalloc(envc + 1, sizeof(uint64_t));
	put_strings(img, argv_at, spec->argv, argv_addrs);
	put_strings(img, env_at, spec->envp, env_addrs);
	img->arg_start = argv_at;
	img->arg_end = argv_at + argv_size;
	img->env_start = env_at;
	img->env_end = env_at + env_size;

	uint64_t at = p;
	put_word(img, &at, argc);
	for (size_t i = 0; i <= argc; i++)
		put_word(img, &at, argv_addrs[i]);
	for (size_t i = 0; i <= envc; i++)
		put_word(img, &at, env_addrs[i]);
	free(argv_addrs);
	free(env_addrs);

	size_t w = 0;
	for (size_t i = 0; i < spec->auxv_pairs * 2; i++)
		img->auxv[w++] = spec->auxv[i];
	const uint64_t extra[] = {AT_RANDOM, random_at, AT_EXECFN, execfn_at, AT_PLATFORM,
				  platform_at, AT_NULL, 0};
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++)
		img->auxv[w++] = extra[i];
	img->auxv_words = w;
	for (size_t i = 0; i < w; i++)
		put_word(img, &at, img->auxv[i]);
	return 0;
}

void stack_image_release(struct stack_image *img)
{
	free(img->data);
	img->data = NULL;
}
