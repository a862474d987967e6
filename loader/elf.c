/* Strict ELF checks, done on the file's first bytes before anything is mapped.
 *
 * Linux's own checks are loose (it maps first and faults later); a sandbox
 * must reject a bad image with a clear message instead. The rules follow
 * gVisor's loader: 64-bit little-endian x86-64, ET_EXEC or ET_DYN,
 * phentsize 56, at most a page of program headers, PT_LOADs ascending and
 * inside the file, PT_INTERP 2..PATH_MAX bytes and NUL-terminated.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <string.h>

#include "loader-internal.h"

static const char *machine_name(unsigned machine)
{
	switch (machine) {
	case EM_386: return "i386";
	case EM_ARM: return "arm";
	case EM_AARCH64: return "aarch64";
	case EM_RISCV: return "riscv";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390";
	case EM_MIPS: return "mips";
	default: return "unknown machine";
	}
}

static int check_ident(const unsigned char *id, size_t len, struct error *e)
{
	if (len < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG) != 0)
		return error_set(e, ENOEXEC, "not an ELF executable"), -ENOEXEC;
	if (id[EI_CLASS] == ELFCLASS32)
		return error_set(e, ENOEXEC, "32-bit ELF is not supported (x86-64 only)"), -ENOEXEC;
	if (id[EI_CLASS] != ELFCLASS64)
		return error_set(e, ENOEXEC, "corrupt ELF header: bad class %u", id[EI_CLASS]),
		       -ENOEXEC;
	if (id[EI_DATA] != ELFDATA2LSB)
		return error_set(e, ENOEXEC, "big-endian ELF is not supported (x86-64 only)"),
		       -ENOEXEC;
	if (id[EI_VERSION] != EV_CURRENT)
		return error_set(e, ENOEXEC, "corrupt ELF header: bad version"), -ENOEXEC;
	return 0;
}

static int check_ehdr(const GElf_Ehdr *eh, uint64_t file_size, struct error *e)
{
	if (eh->e_machine != EM_X86_64)
		return error_set(e, ENOEXEC, "wrong architecture: %s ELF (x86-64 only)",
				 machine_name(eh->e_machine)),
		       -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return error_set(e, ENOEXEC, "not an executable ELF (type %u)", eh->e_type),
		       -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return error_set(e, ENOEXEC, "corrupt ELF header: e_phentsize %u",
				 eh->e_phentsize),
		       -ENOEXEC;
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM)
		return error_set(e, ENOEXEC, "corrupt ELF header: %u program headers",
				 eh->e_phnum),
		       -ENOEXEC;
	uint64_t ph_end = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (ph_end < eh->e_phoff || ph_end > file_size)
		return error_set(e, ENOEXEC, "truncated ELF: program headers past end of file"),
		       -ENOEXEC;
	return 0;
}

static int check_load(const Elf64_Phdr *ph, int i, uint64_t file_size, uint64_t prev_end,
		      struct error *e)
{
	if (ph->p_filesz > ph->p_memsz)
		return error_set(e, ENOEXEC, "corrupt ELF: segment %d p_filesz > p_memsz", i),
		       -ENOEXEC;
	if (ph->p_offset + ph->p_filesz < ph->p_offset ||
	    ph->p_offset + ph->p_filesz > file_size)
		return error_set(e, ENOEXEC, "truncated ELF: segment %d past end of file", i),
		       -ENOEXEC;
	if ((ph->p_offset & (PAGE_SIZE - 1)) != (ph->p_vaddr & (PAGE_SIZE - 1)))
		return error_set(e, ENOEXEC, "corrupt ELF: segment %d misaligned", i), -ENOEXEC;
	uint64_t end = ph->p_vaddr + ph->p_memsz;
	if (end < ph->p_vaddr || end > (1ULL << 47))
		return error_set(e, ENOEXEC, "corrupt ELF: segment %d out of range", i), -ENOEXEC;
	if (ph->p_vaddr < prev_end)
		return error_set(e, ENOEXEC, "corrupt ELF: PT_LOAD segments overlap or unordered"),
		       -ENOEXEC;
	return 0;
}

static int check_interp(const Elf64_Phdr *ph, const unsigned char *head, size_t head_len,
			uint64_t file_size, struct error *e)
{
	if (ph->p_filesz < 2 || ph->p_filesz > PATH_MAX)
		return error_set(e, ELIBBAD, "corrupt ELF: bad PT_INTERP size %lu",
				 (unsigned long)ph->p_filesz),
		       -ELIBBAD;
	/* Written so that no sum wraps: p_offset is any 64-bit value (fuzz/
	 * found offset + size wrapping to a small number, then a wild read). */
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return error_set(e, ENOEXEC, "truncated ELF: PT_INTERP past end of file"), -ENOEXEC;
	if (ph->p_offset > head_len || ph->p_filesz > head_len - ph->p_offset)
		return error_set(e, ELIBBAD, "corrupt ELF: PT_INTERP too far into the file"),
		       -ELIBBAD;
	const unsigned char *s = head + ph->p_offset;
	if (s[ph->p_filesz - 1] != '\0' || memchr(s, '\0', ph->p_filesz) != s + ph->p_filesz - 1)
		return error_set(e, ELIBBAD, "corrupt ELF: PT_INTERP is not a NUL-terminated path"),
		       -ELIBBAD;
	return 0;
}

static int check_phdrs(struct elf_info *info, const unsigned char *head, size_t head_len,
		       uint64_t file_size, struct error *e)
{
	uint64_t prev_end = 0;
	bool have_load = false;
	info->interp_index = -1;
	for (int i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		int rc = 0;
		if (ph->p_type == PT_LOAD) {
			rc = check_load(ph, i, file_size, prev_end, e);
			if (!have_load)
				info->min_vaddr = PAGE_DOWN(ph->p_vaddr);
			prev_end = ph->p_vaddr + ph->p_memsz;
			info->max_vaddr = PAGE_UP(prev_end);
			have_load = true;
		} else if (ph->p_type == PT_INTERP) {
			if (info->interp_index >= 0)
				return error_set(e, ELIBBAD, "corrupt ELF: two PT_INTERP headers"),
				       -ELIBBAD;
			rc = check_interp(ph, head, head_len, file_size, e);
			info->interp_index = i;
		}
		if (rc != 0)
			return rc;
	}
	if (!have_load)
		return error_set(e, ENOEXEC, "corrupt ELF: no PT_LOAD segment"), -ENOEXEC;
	/* PT_LOADs of size 0 only: nothing to reserve (fuzz/ found the mapping
	 * of 0 bytes this would ask for). */
	if (info->max_vaddr <= info->min_vaddr)
		return error_set(e, ENOEXEC, "corrupt ELF: PT_LOAD segments are empty"), -ENOEXEC;
	return 0;
}

int elf_check(const void *head, size_t head_len, uint64_t file_size, struct elf_info *info,
	      struct error *e)
{
	int rc = check_ident(head, head_len, e);
	if (rc != 0)
		return rc;
	if (head_len < sizeof(Elf64_Ehdr))
		return error_set(e, ENOEXEC, "truncated ELF: header past end of file"), -ENOEXEC;
	elf_version(EV_CURRENT);
	/* libelf parses a private copy: elf_memory() may convert in place. */
	cleanup_free char *copy = xmalloc(head_len);
	memcpy(copy, head, head_len);
	Elf *elf = elf_memory(copy, head_len);
	if (!elf)
		return error_set(e, ENOEXEC, "corrupt ELF: %s", elf_errmsg(-1)), -ENOEXEC;
	GElf_Ehdr eh;
	rc = gelf_getehdr(elf, &eh) ? check_ehdr(&eh, file_size, e)
				    : (error_set(e, ENOEXEC, "corrupt ELF header: %s", elf_errmsg(-1)),
				       -ENOEXEC);
	if (rc == 0 && eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > head_len)
		rc = (error_set(e, ENOEXEC, "corrupt ELF: program headers too far into the file"),
		      -ENOEXEC);
	for (int i = 0; rc == 0 && i < eh.e_phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, i, &ph)) {
			rc = (error_set(e, ENOEXEC, "corrupt ELF program header %d: %s", i,
					elf_errmsg(-1)),
			      -ENOEXEC);
			break;
		}
		info->phdrs[i] = (Elf64_Phdr){ph.p_type,   ph.p_flags, ph.p_offset, ph.p_vaddr,
					      ph.p_paddr,  ph.p_filesz, ph.p_memsz, ph.p_align};
	}
	elf_end(elf);
	if (rc != 0)
		return rc;
	info->type = eh.e_type;
	info->entry = eh.e_entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	return check_phdrs(info, head, head_len, file_size, e);
}

int script_parse(char *line, size_t len, char **interp, char **arg)
{
	if (len < 2 || line[0] != '#' || line[1] != '!')
		return -ENOEXEC;
	char *end = memchr(line, '\n', len);
	if (!end)
		end = line + len; /* Linux accepts an unterminated first line */
	*end = '\0';
	char *p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	/* Trailing blanks are not part of the argument. */
	char *q = end;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
		*--q = '\0';
	if (*p == '\0')
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		/* Like Linux, everything after the interpreter is one argument. */
		if (*p)
			*arg = p;
	}
	return 0;
}
