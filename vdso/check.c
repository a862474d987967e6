/* Build-time check and embedding of msentry's vDSO.
 *
 *   vdso-check IMAGE.so OUTPUT.c
 *
 * The vDSO is mapped unrelocated, read-only and executable into every
 * program, and looked up by libcs that make assumptions about it (musl
 * only reads DT_HASH; glibc and musl want version LINUX_2.6). A linker or
 * compiler change could silently break any of that, so the build runs this
 * program on the linked image and stops if a property does not hold:
 *   - ELF64 x86-64 shared object, soname linux-vdso.so.1;
 *   - exactly one PT_LOAD, at offset and address 0, R+X, no .bss part;
 *   - a PT_DYNAMIC; a DT_HASH table; no relocations of any kind, no
 *     DT_NEEDED, no text relocations;
 *   - no writable or NOBITS allocated section (.data, .bss, .got...) other
 *     than .dynamic, which the R+X segment holds read-only like Linux's;
 *   - every required symbol defined, a function, version LINUX_2.6, inside
 *     the load segment; the plain names weak.
 * Only then is OUTPUT.c written: the image as a byte array.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SONAME "linux-vdso.so.1"
#define VERSION "LINUX_2.6"

static const char *const exports[] = {"clock_gettime", "gettimeofday", "time", "getcpu",
				      "clock_getres"};

struct image {
	const char *path;
	Elf *elf;
	GElf_Phdr load;
	Elf_Scn *dynsym, *versym, *verdef, *dynamic;
	size_t dynstr_index;
	int failures;
};

static void fail(struct image *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct image *im, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vdso-check: %s: ", im->path);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	im->failures++;
}

static void check_header(struct image *im)
{
	GElf_Ehdr eh;
	if (!gelf_getehdr(im->elf, &eh)) {
		fail(im, "no ELF header");
		return;
	}
	if (gelf_getclass(im->elf) != ELFCLASS64 || eh.e_machine != EM_X86_64)
		fail(im, "not an ELF64 x86-64 object");
	if (eh.e_type != ET_DYN)
		fail(im, "not a shared object (e_type %u)", eh.e_type);
}

static void check_segments(struct image *im)
{
	size_t n;
	int loads = 0, dynamics = 0;
	if (elf_getphdrnum(im->elf, &n) != 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(im->elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_DYNAMIC)
			dynamics++;
		if (ph.p_type != PT_LOAD)
			continue;
		if (loads++ == 0)
			im->load = ph;
	}
	if (loads != 1) {
		fail(im, "%d PT_LOAD segments, expected exactly one", loads);
		return;
	}
	if (dynamics != 1)
		fail(im, "%d PT_DYNAMIC segments, expected one", dynamics);
	if (im->load.p_flags != (PF_R | PF_X))
		fail(im, "the PT_LOAD segment's flags are %#x, expected R+X", im->load.p_flags);
	if (im->load.p_offset != 0 || im->load.p_vaddr != 0)
		fail(im, "the PT_LOAD segment does not start at offset and address 0");
	if (im->load.p_filesz != im->load.p_memsz)
		fail(im, "the PT_LOAD segment has a zero-filled (.bss) part");
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void check_section(struct image *im, Elf_Scn *scn, const GElf_Shdr *sh, const char *name)
{
	if (sh->sh_type == SHT_REL || sh->sh_type == SHT_RELA || sh->sh_type == SHT_RELR)
		fail(im, "relocation section %s", name);
	if (!(sh->sh_flags & SHF_ALLOC))
		return;
	if (sh->sh_type == SHT_NOBITS)
		fail(im, "zero-filled section %s (.bss) in the image", name);
	if ((sh->sh_flags & SHF_WRITE) && sh->sh_type != SHT_DYNAMIC)
		fail(im, "writable section %s in the image", name);
	if (starts_with(name, ".data") || starts_with(name, ".bss") || starts_with(name, ".got") ||
	    starts_with(name, ".plt") || starts_with(name, ".tdata") || starts_with(name, ".tbss"))
		fail(im, "forbidden section %s in the image", name);
	if (sh->sh_addr < im->load.p_vaddr ||
	    sh->sh_addr + sh->sh_size > im->load.p_vaddr + im->load.p_memsz)
		fail(im, "section %s lies outside the load segment", name);
	if (sh->sh_type == SHT_DYNSYM) {
		im->dynsym = scn;
		im->dynstr_index = sh->sh_link;
	}
	if (sh->sh_type == SHT_GNU_versym)
		im->versym = scn;
	if (sh->sh_type == SHT_GNU_verdef)
		im->verdef = scn;
	if (sh->sh_type == SHT_DYNAMIC)
		im->dynamic = scn;
}

static void check_sections(struct image *im)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(im->elf, &shstrndx) != 0) {
		fail(im, "no section name table");
		return;
	}
	for (Elf_Scn *scn = elf_nextscn(im->elf, NULL); scn; scn = elf_nextscn(im->elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(im->elf, shstrndx, sh.sh_name);
		check_section(im, scn, &sh, name ? name : "?");
	}
	if (!im->dynsym || !im->versym || !im->verdef || !im->dynamic)
		fail(im, "missing .dynsym, .gnu.version, .gnu.version_d or .dynamic");
}

static void check_dynamic(struct image *im)
{
	Elf_Data *d = elf_getdata(im->dynamic, NULL);
	GElf_Shdr sh;
	gelf_getshdr(im->dynamic, &sh);
	bool hash = false, soname = false;
	for (size_t i = 0; d && i < d->d_size / sizeof(Elf64_Dyn); i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		switch (dyn.d_tag) {
		case DT_HASH:
			hash = true;
			break;
		case DT_SONAME: {
			const char *s = elf_strptr(im->elf, sh.sh_link, dyn.d_un.d_val);
			soname = s && strcmp(s, SONAME) == 0;
			break;
		}
		case DT_REL: case DT_RELA: case DT_RELR: case DT_JMPREL: case DT_TEXTREL:
		case DT_NEEDED: case DT_INIT: case DT_FINI: case DT_INIT_ARRAY: case DT_FINI_ARRAY:
			fail(im, "forbidden dynamic tag %#lx", (unsigned long)dyn.d_tag);
			break;
		default:
			break;
		}
	}
	if (!hash)
		fail(im, "no DT_HASH (sysv hash table): musl could not find symbols");
	if (!soname)
		fail(im, "soname is not " SONAME);
}

/* Name of version index `idx` in the verdef section, or NULL. */
static const char *version_name(struct image *im, unsigned idx)
{
	Elf_Data *d = elf_getdata(im->verdef, NULL);
	GElf_Shdr sh;
	gelf_getshdr(im->verdef, &sh);
	size_t off = 0;
	for (size_t n = 0; d && n < sh.sh_info; n++) {
		GElf_Verdef vd;
		GElf_Verdaux aux;
		if (!gelf_getverdef(d, (int)off, &vd) || !gelf_getverdaux(d, (int)(off + vd.vd_aux), &aux))
			return NULL;
		if (vd.vd_ndx == idx)
			return elf_strptr(im->elf, sh.sh_link, aux.vda_name);
		if (vd.vd_next == 0)
			break;
		off += vd.vd_next;
	}
	return NULL;
}

static void check_symbol(struct image *im, const char *want, bool weak)
{
	Elf_Data *syms = elf_getdata(im->dynsym, NULL);
	Elf_Data *vers = elf_getdata(im->versym, NULL);
	size_t n = syms ? syms->d_size / sizeof(Elf64_Sym) : 0;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Versym ver;
		if (!gelf_getsym(syms, (int)i, &sym) || !gelf_getversym(vers, (int)i, &ver))
			continue;
		const char *name = elf_strptr(im->elf, im->dynstr_index, sym.st_name);
		if (!name || strcmp(name, want) != 0)
			continue;
		const char *v = version_name(im, ver & 0x7fff);
		if (sym.st_shndx == SHN_UNDEF || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			fail(im, "%s is not a defined function", want);
		if (!v || strcmp(v, VERSION) != 0)
			fail(im, "%s has version %s, expected " VERSION, want, v ? v : "none");
		if (weak != (GELF_ST_BIND(sym.st_info) == STB_WEAK))
			fail(im, "%s should be %s", want, weak ? "weak" : "global");
		if (sym.st_value < im->load.p_vaddr ||
		    sym.st_value + sym.st_size > im->load.p_vaddr + im->load.p_memsz)
			fail(im, "%s lies outside the load segment", want);
		return;
	}
	fail(im, "symbol %s is not exported", want);
}

static void check_symbols(struct image *im)
{
	if (!im->dynsym || !im->versym || !im->verdef)
		return;
	for (size_t i = 0; i < sizeof(exports) / sizeof(exports[0]); i++) {
		char vdso_name[64];
		snprintf(vdso_name, sizeof(vdso_name), "__vdso_%s", exports[i]);
		check_symbol(im, exports[i], true);
		check_symbol(im, vdso_name, false);
	}
}

static int write_c(const char *out, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(out, "w");
	if (!f)
		return -1;
	fprintf(f, "/* Generated by vdso/check.c from the checked vDSO image. */\n"
		   "#include <stddef.h>\n#include \"vdso/vdso-image.h\"\n\n"
		   "const unsigned char vdso_image[] __attribute__((aligned(4096))) = {");
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%s0x%02x,", i % 16 ? " " : "\n\t", buf[i]);
	fprintf(f, "\n};\nconst size_t vdso_image_size = %zu;\n", len);
	return fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: vdso-check IMAGE.so OUTPUT.c\n");
		return 2;
	}
	struct image im = {.path = argv[1]};
	elf_version(EV_CURRENT);
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vdso-check: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	size_t len;
	im.elf = elf_begin(fd, ELF_C_READ, NULL);
	char *raw = im.elf ? elf_rawfile(im.elf, &len) : NULL;
	if (!raw || elf_kind(im.elf) != ELF_K_ELF) {
		fprintf(stderr, "vdso-check: %s: not an ELF file\n", argv[1]);
		return 1;
	}
	check_header(&im);
	check_segments(&im);
	check_sections(&im);
	if (im.dynamic)
		check_dynamic(&im);
	check_symbols(&im);
	if (im.failures) {
		fprintf(stderr, "vdso-check: %s: %d problem(s), the vDSO is not usable\n", argv[1],
			im.failures);
		return 1;
	}
	if (write_c(argv[2], (const unsigned char *)raw, len) != 0) {
		fprintf(stderr, "vdso-check: cannot write %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	return 0;
}
