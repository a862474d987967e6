#ifndef MSENTRY_LOADER_INTERNAL_H
#define MSENTRY_LOADER_INTERNAL_H

#include <elf.h>

#include "loader.h"

#define ELF_MAX_PHNUM (4096 / sizeof(Elf64_Phdr))

/* What the checks found out about an ELF file. */
struct elf_info {
	uint16_t type; /* ET_EXEC or ET_DYN */
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
	Elf64_Phdr phdrs[ELF_MAX_PHNUM];
	int interp_index; /* index of PT_INTERP in phdrs, or -1 */
	uint64_t min_vaddr, max_vaddr; /* page-aligned span of the PT_LOADs */
};

/* Validate an ELF image: `head` holds the first `head_len` bytes of a file
 * of `file_size` bytes (at least the ELF header and program headers). Pure:
 * no I/O. 0, or -errno (ENOEXEC, ELIBBAD) with `e` saying what is wrong. */
int elf_check(const void *head, size_t head_len, uint64_t file_size, struct elf_info *info,
	      struct error *e);

/* Where elf_map put an image. */
struct loaded_elf {
	uint64_t base, entry, phdr, end;
	uint16_t phnum;
};

/* Map all PT_LOADs of an image elf_check accepted, only through ops->map
 * and ops->write (fd is handed to ops->map as is). `hint` is where an
 * ET_DYN image would like to go (0: anywhere). The span is reserved first
 * so that no segment can land on something else. 0 or -errno. */
int elf_map(const struct loader_ops *ops, int fd, const struct elf_info *info, uint64_t hint,
	    struct loaded_elf *out);

/* Parse a "#!" line: fills interpreter and optional argument (pointers into
 * `line`, which is modified). 0, or -ENOEXEC. */
int script_parse(char *line, size_t len, char **interp, char **arg);

/* The initial stack, built in memory before it is copied to the target. */
struct stack_spec {
	const char *const *argv;
	const char *const *envp;
	const char *execfn;
	const char *platform;
	const uint8_t *random; /* 16 bytes */
	const uint64_t *auxv;  /* (type, value) pairs, without AT_RANDOM/EXECFN/PLATFORM/NULL */
	size_t auxv_pairs;
	uint64_t top;	   /* the stack grows down from here */
	size_t max_size;   /* E2BIG past this */
};

struct stack_image {
	uint8_t *data; /* bytes for [sp, top) */
	size_t size;
	uint64_t sp;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[LOADER_AUXV_MAX * 2]; /* final auxv, AT_NULL included */
	size_t auxv_words;
};

/* Lay out argc/argv/envp/auxv and strings per the x86-64 ABI. Pure.
 * 0 or -E2BIG. */
int stack_build(const struct stack_spec *spec, struct stack_image *img);
void stack_image_release(struct stack_image *img);

#endif
