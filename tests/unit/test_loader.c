/* Unit tests of the loader's pure pieces: ELF checks, #! parsing, stack. */
#include <check.h>

#include "tests/check-run.h"
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "loader/loader-internal.h"

/* A minimal valid image: ELF header, program headers right after it. */
struct image {
	unsigned char bytes[4096];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
};

static void image_init(struct image *im, uint16_t type, int nph)
{
	memset(im->bytes, 0, sizeof(im->bytes));
	im->eh = (Elf64_Ehdr *)im->bytes;
	im->ph = (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr));
	memcpy(im->eh->e_ident, ELFMAG, SELFMAG);
	im->eh->e_ident[EI_CLASS] = ELFCLASS64;
	im->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh->e_ident[EI_VERSION] = EV_CURRENT;
	im->eh->e_type = type;
	im->eh->e_machine = EM_X86_64;
	im->eh->e_version = EV_CURRENT;
	im->eh->e_entry = 0x401000;
	im->eh->e_phoff = sizeof(Elf64_Ehdr);
	im->eh->e_ehsize = sizeof(Elf64_Ehdr);
	im->eh->e_phentsize = sizeof(Elf64_Phdr);
	im->eh->e_phnum = (uint16_t)nph;
	for (int i = 0; i < nph; i++) {
		im->ph[i] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
					 .p_offset = 0, .p_vaddr = 0x400000 + 0x10000 * (uint64_t)i,
					 .p_filesz = 0x100, .p_memsz = 0x200, .p_align = 0x1000};
	}
}

static int check_image(struct image *im, uint64_t file_size, struct error *e)
{
	static struct elf_info info;
	return elf_check(im->bytes, sizeof(im->bytes), file_size, &info, e);
}

START_TEST(valid_static_and_pie)
{
	struct image im;
	struct error e = {0};
	image_init(&im, ET_EXEC, 2);
	ck_assert_int_eq(check_image(&im, 8192, &e), 0);
	image_init(&im, ET_DYN, 1);
	ck_assert_int_eq(check_image(&im, 8192, &e), 0);
}
END_TEST

START_TEST(valid_dynamic_interp)
{
	struct image im;
	struct error e = {0};
	image_init(&im, ET_DYN, 2);
	const char *interp = "/lib64/ld-linux-x86-64.so.2";
	memcpy(im.bytes + 1024, interp, strlen(interp) + 1);
	im.ph[0] = (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 1024,
				.p_filesz = strlen(interp) + 1, .p_memsz = strlen(interp) + 1};
	struct elf_info info;
	ck_assert_int_eq(elf_check(im.bytes, sizeof(im.bytes), 8192, &info, &e), 0);
	ck_assert_int_eq(info.interp_index, 0);
}
END_TEST

/* Each malformed image: what is changed, the errno, a word of the message. */
START_TEST(rejects_bad_headers)
{
	struct image im;
	struct error e = {0};

	image_init(&im, ET_EXEC, 1);
	memcpy(im.bytes, "#!/b", 4);
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an ELF"));

	image_init(&im, ET_EXEC, 1);
	im.eh->e_ident[EI_CLASS] = ELFCLASS32;
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "32-bit"));

	image_init(&im, ET_EXEC, 1);
	im.eh->e_ident[EI_DATA] = ELFDATA2MSB;
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "big-endian"));

	image_init(&im, ET_EXEC, 1);
	im.eh->e_machine = EM_AARCH64;
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "aarch64"));

	image_init(&im, ET_REL, 1);
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an executable"));

	image_init(&im, ET_EXEC, 1);
	im.eh->e_phentsize = 32;
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);

	image_init(&im, ET_EXEC, 1);
	im.eh->e_phnum = 100; /* more than a page of program headers */
	ck_assert_int_eq(check_image(&im, 1 << 20, &e), -ENOEXEC);
}
END_TEST

START_TEST(rejects_truncated_and_corrupt_segments)
{
	struct image im;
	struct error e = {0};

	image_init(&im, ET_EXEC, 1);
	ck_assert_int_eq(check_image(&im, 100, &e), -ENOEXEC); /* phdrs past EOF */
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));

	image_init(&im, ET_EXEC, 1);
	im.ph[0].p_filesz = 100000;
	im.ph[0].p_memsz = 100000;
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "past end of file"));

	image_init(&im, ET_EXEC, 1);
	im.ph[0].p_filesz = 0x300; /* larger than p_memsz */
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);

	image_init(&im, ET_EXEC, 2);
	im.ph[1].p_vaddr = 0x300000; /* below the first: unordered */
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);

	image_init(&im, ET_EXEC, 1);
	im.ph[0].p_offset = 0x10; /* offset and address disagree modulo the page */
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);

	image_init(&im, ET_EXEC, 1);
	im.ph[0].p_type = PT_NOTE; /* nothing to load */
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
}
END_TEST

START_TEST(rejects_bad_interp)
{
	struct image im;
	struct error e = {0};
	image_init(&im, ET_DYN, 2);
	memcpy(im.bytes + 1024, "/lib/ld.so", 10); /* no NUL */
	im.ph[0] = (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 1024, .p_filesz = 10};
	ck_assert_int_eq(check_image(&im, 8192, &e), -ELIBBAD);
	image_init(&im, ET_DYN, 2);
	im.ph[0] = (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 1024, .p_filesz = 1};
	ck_assert_int_eq(check_image(&im, 8192, &e), -ELIBBAD);
	image_init(&im, ET_DYN, 2);
	im.ph[0] = (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = 1024, .p_filesz = 8000};
	ck_assert_int_ne(check_image(&im, 16384, &e), 0);
}
END_TEST

/* Inputs fuzz/ found (fuzz/corpus/elf/regress-*): each crashed the loader
 * or made it ask for an impossible mapping before the fix. */
START_TEST(rejects_what_the_fuzzer_found)
{
	struct image im;
	struct error e = {0};
	/* PT_INTERP offset + size wrapping around to a small number. */
	image_init(&im, ET_DYN, 2);
	im.ph[0] = (Elf64_Phdr){.p_type = PT_INTERP, .p_offset = UINT64_MAX - 5, .p_filesz = 20};
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "PT_INTERP past end of file"));
	/* The only PT_LOAD has size 0 at a page boundary: an empty span. */
	image_init(&im, ET_DYN, 1);
	im.ph[0].p_vaddr = 0;
	im.ph[0].p_filesz = im.ph[0].p_memsz = 0;
	ck_assert_int_eq(check_image(&im, 8192, &e), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(e.msg, "empty"));
}
END_TEST

/* elf_map through fake ops: the reservation first, then every segment
 * inside it, bss zeroed up to the page end. */
struct fake_mm {
	int maps, writes;
	uint64_t lo, hi, last_write_end;
};

static long fake_map(void *ctx, uint64_t addr, uint64_t len, int prot, int flags, int fd,
		     uint64_t off)
{
	struct fake_mm *mm = ctx;
	(void)prot, (void)flags, (void)fd, (void)off;
	ck_assert_uint_ne(len, 0);
	if (mm->maps++ == 0) {
		mm->lo = addr ? addr : 0x7f0000000000;
		mm->hi = mm->lo + len;
		return (long)mm->lo;
	}
	ck_assert(addr >= mm->lo && addr + len <= mm->hi);
	return (long)addr;
}

static int fake_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fake_mm *mm = ctx;
	(void)buf;
	mm->writes++;
	mm->last_write_end = addr + len;
	ck_assert(addr >= mm->lo && addr + len <= mm->hi);
	return 0;
}

START_TEST(elf_map_stays_in_its_span)
{
	struct image im;
	struct error e = {0};
	static struct elf_info info;
	image_init(&im, ET_DYN, 2); /* two R+X segments with a bss each */
	ck_assert_int_eq(elf_check(im.bytes, sizeof(im.bytes), 8192, &info, &e), 0);
	struct fake_mm mm = {0};
	struct loader_ops ops = {.ctx = &mm, .map = fake_map, .write = fake_write};
	struct loaded_elf out;
	ck_assert_int_eq(elf_map(&ops, 3, &info, 0, &out), 0);
	/* Reservation, then per segment its file page and no anonymous page
	 * (the bss fits in the file page, zeroed by a write). */
	ck_assert_int_eq(mm.maps, 3);
	ck_assert_int_eq(mm.writes, 2);
	ck_assert_uint_eq(mm.last_write_end, out.base + 0x410000 + 0x1000);
	ck_assert_uint_eq(out.base, 0x7f0000000000 - 0x400000);
	ck_assert_uint_eq(out.entry, out.base + 0x401000);
	ck_assert_uint_eq(out.end, out.base + 0x411000);
}
END_TEST

START_TEST(script_lines)
{
	char *interp, *arg;
	char l1[] = "#!/bin/sh\n";
	ck_assert_int_eq(script_parse(l1, strlen(l1), &interp, &arg), 0);
	ck_assert_str_eq(interp, "/bin/sh");
	ck_assert_ptr_null(arg);
	char l2[] = "#! /usr/bin/env  python3 -u  \r\nprint(1)\n";
	ck_assert_int_eq(script_parse(l2, strlen(l2), &interp, &arg), 0);
	ck_assert_str_eq(interp, "/usr/bin/env");
	ck_assert_str_eq(arg, "python3 -u"); /* like Linux: one argument */
	char l3[] = "#!   \n";
	ck_assert_int_eq(script_parse(l3, strlen(l3), &interp, &arg), -ENOEXEC);
	char l4[] = "#!/bin/bash"; /* no newline at all */
	ck_assert_int_eq(script_parse(l4, strlen(l4), &interp, &arg), 0);
	ck_assert_str_eq(interp, "/bin/bash");
}
END_TEST

static uint64_t word_at(const struct stack_image *img, uint64_t addr)
{
	uint64_t v;
	memcpy(&v, img->data + (addr - img->sp), sizeof(v));
	return v;
}

static const char *str_at(const struct stack_image *img, uint64_t addr)
{
	return (const char *)img->data + (addr - img->sp);
}

START_TEST(stack_layout)
{
	const char *argv[] = {"prog", "-x", "arg two", NULL};
	const char *envp[] = {"A=1", "PATH=/bin", NULL};
	const uint8_t random[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	const uint64_t auxv[] = {AT_PAGESZ, 4096, AT_ENTRY, 0x401000};
	for (uint64_t top = 0x7ffff000; top > 0x7fffef00; top -= 8) {
		struct stack_spec spec = {.argv = argv, .envp = envp, .execfn = "/bin/prog",
					  .platform = "x86_64", .random = random, .auxv = auxv,
					  .auxv_pairs = 2, .top = top, .max_size = 1 << 20};
		struct stack_image img;
		ck_assert_int_eq(stack_build(&spec, &img), 0);
		ck_assert_uint_eq(img.sp % 16, 0); /* the ABI's alignment at entry */
		ck_assert_uint_eq(word_at(&img, img.sp), 3);
		for (int i = 0; i < 3; i++)
			ck_assert_str_eq(str_at(&img, word_at(&img, img.sp + 8 + 8 * (uint64_t)i)),
					 argv[i]);
		ck_assert_uint_eq(word_at(&img, img.sp + 32), 0);
		ck_assert_str_eq(str_at(&img, word_at(&img, img.sp + 40)), "A=1");
		ck_assert_uint_eq(word_at(&img, img.sp + 56), 0);
		/* argv strings are contiguous (arg_start..arg_end), as Linux. */
		ck_assert_uint_eq(img.arg_end - img.arg_start, strlen("prog-xarg two") + 3);
		bool random_ok = false, execfn_ok = false, platform_ok = false, null_last = false;
		for (size_t i = 0; i < img.auxv_words; i += 2) {
			uint64_t type = img.auxv[i], val = img.auxv[i + 1];
			ck_assert_uint_eq(word_at(&img, img.sp + 64 + 8 * i), type);
			if (type == AT_RANDOM)
				random_ok = memcmp(str_at(&img, val), random, 16) == 0;
			if (type == AT_EXECFN)
				execfn_ok = strcmp(str_at(&img, val), "/bin/prog") == 0;
			if (type == AT_PLATFORM)
				platform_ok = strcmp(str_at(&img, val), "x86_64") == 0;
			null_last = type == AT_NULL && i + 2 == img.auxv_words;
		}
		ck_assert(random_ok && execfn_ok && platform_ok && null_last);
		stack_image_release(&img);
	}
}
END_TEST

START_TEST(stack_too_big)
{
	static char big[70000];
	memset(big, 'x', sizeof(big) - 1);
	const char *argv[] = {big, NULL};
	const char *envp[] = {NULL};
	const uint8_t random[16] = {0};
	struct stack_spec spec = {.argv = argv, .envp = envp, .execfn = "p", .platform = "x86_64",
				  .random = random, .top = 0x7ffff000, .max_size = 65536};
	struct stack_image img;
	ck_assert_int_eq(stack_build(&spec, &img), -E2BIG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("loader");
	tcase_add_test(tc, valid_static_and_pie);
	tcase_add_test(tc, valid_dynamic_interp);
	tcase_add_test(tc, rejects_bad_headers);
	tcase_add_test(tc, rejects_truncated_and_corrupt_segments);
	tcase_add_test(tc, rejects_bad_interp);
	tcase_add_test(tc, rejects_what_the_fuzzer_found);
	tcase_add_test(tc, elf_map_stays_in_its_span);
	tcase_add_test(tc, script_lines);
	tcase_add_test(tc, stack_layout);
	tcase_add_test(tc, stack_too_big);
	suite_add_tcase(s, tc);
	return check_run(s);
}
