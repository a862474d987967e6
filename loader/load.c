/* Loading an executable: #! scripts, the ELF file, its interpreter, the
 * vDSO and the stack, in that order (as gVisor and Linux do).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader-internal.h"

/* Where Linux puts a PIE executable (2/3 of the 47-bit space), before its
 * random offset of up to 2^28 pages. */
#define ELF_ET_DYN_BASE 0x555555554000UL
#define MMAP_RND_PAGES (1UL << 28)
#define STACK_RND_BYTES (64UL << 20)
#define HEAD_SIZE (16 * 1024)

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static int prot_of(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Open and check that `path` may be executed; read its first bytes. */
static int open_exec(const struct loader_ops *ops, const char *path, char *head, size_t *head_len,
		     uint64_t *file_size, struct error *e)
{
	int fd = ops->open(ops->ctx, path);
	if (fd < 0)
		return error_sys(e, -fd, "cannot run `%s`", path), fd;
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) ||
		 syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0)
		err = EACCES;
	if (err != 0) {
		close(fd);
		error_sys(e, err, "cannot run `%s`", path);
		return err == EISDIR ? -EACCES : -err;
	}
	ssize_t n = pread(fd, head, HEAD_SIZE, 0);
	if (n < 0) {
		err = errno;
		close(fd);
		return error_sys(e, err, "cannot read `%s`", path), -err;
	}
	*head_len = (size_t)n;
	*file_size = (uint64_t)st.st_size;
	return fd;
}

static int map_or_fail(const struct loader_ops *ops, uint64_t addr, uint64_t len, int prot,
		       int flags, int fd, uint64_t off)
{
	long r = ops->map(ops->ctx, addr, len, prot, flags, fd, off);
	if (r < 0)
		return (int)r;
	return (uint64_t)r == addr ? 0 : -ENOMEM;
}

static int map_segment(const struct loader_ops *ops, int fd, const Elf64_Phdr *ph, uint64_t base,
		       uint64_t *mapped_end)
{
	int prot = prot_of(ph->p_flags);
	uint64_t start = base + PAGE_DOWN(ph->p_vaddr);
	uint64_t file_end = base + ph->p_vaddr + ph->p_filesz;
	uint64_t mem_end = base + ph->p_vaddr + ph->p_memsz;
	int rc = 0;
	if (ph->p_filesz > 0)
		rc = map_or_fail(ops, start, PAGE_UP(file_end) - start, prot,
				 MAP_PRIVATE | MAP_FIXED, fd, PAGE_DOWN(ph->p_offset));
	/* bss: zero the rest of the last file page (all of it, as Linux's
	 * padzero does: ld.so's early malloc uses the memory after _end and
	 * relies on it being zero), then fresh anonymous pages; a page shared
	 * with the previous segment is only zeroed. */
	uint64_t anon_start = ph->p_filesz > 0 ? PAGE_UP(file_end) : start;
	uint64_t zero_from = ph->p_filesz > 0 ? file_end : base + ph->p_vaddr;
	if (anon_start < *mapped_end)
		anon_start = *mapped_end;
	uint64_t zero_to = anon_start;
	if (rc == 0 && ph->p_memsz > ph->p_filesz && zero_to > zero_from) {
		static const char zeros[PAGE_SIZE];
		rc = ops->write(ops->ctx, zero_from, zeros, zero_to - zero_from);
	}
	if (rc == 0 && PAGE_UP(mem_end) > anon_start)
		rc = map_or_fail(ops, anon_start, PAGE_UP(mem_end) - anon_start, prot,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (PAGE_UP(mem_end) > *mapped_end)
		*mapped_end = PAGE_UP(mem_end);
	return rc;
}

static uint64_t phdr_address(const struct elf_info *info, uint64_t base)
{
	for (int i = 0; i < info->phnum; i++)
		if (info->phdrs[i].p_type == PT_PHDR)
			return base + info->phdrs[i].p_vaddr;
	for (int i = 0; i < info->phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		if (ph->p_type == PT_LOAD && ph->p_offset <= info->phoff &&
		    info->phoff < ph->p_offset + ph->p_filesz)
			return base + ph->p_vaddr + (info->phoff - ph->p_offset);
	}
	return 0;
}

int elf_map(const struct loader_ops *ops, int fd, const struct elf_info *info, uint64_t hint,
	    struct loaded_elf *out)
{
	uint64_t span = info->max_vaddr - info->min_vaddr;
	bool fixed = info->type == ET_EXEC;
	long r = ops->map(ops->ctx, fixed ? info->min_vaddr : hint, span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				  (fixed ? MAP_FIXED_NOREPLACE : 0),
			  -1, 0);
	if (r < 0)
		return (int)r;
	uint64_t base = fixed ? 0 : (uint64_t)r - info->min_vaddr;
	uint64_t mapped_end = 0;
	for (int i = 0; i < info->phnum; i++) {
		if (info->phdrs[i].p_type != PT_LOAD)
			continue;
		int rc = map_segment(ops, fd, &info->phdrs[i], base, &mapped_end);
		if (rc != 0)
			return rc;
	}
	*out = (struct loaded_elf){.base = base,
				   .entry = base + info->entry,
				   .phdr = phdr_address(info, base),
				   .end = base + info->max_vaddr,
				   .phnum = info->phnum};
	return 0;
}

static int load_interp(const struct loader_ops *ops, const char *interp, struct loaded_elf *out,
		       struct error *e)
{
	char head[HEAD_SIZE];
	size_t head_len;
	uint64_t size;
	__attribute__((cleanup(fd_close))) int fd =
		open_exec(ops, interp, head, &head_len, &size, e);
	if (fd == -ENOENT)
		return error_set(e, ENOENT, "missing ELF interpreter `%s`", interp), fd;
	if (fd < 0)
		return error_wrap(e, "ELF interpreter"), fd;
	struct elf_info *info = xcalloc(1, sizeof(*info));
	int rc = elf_check(head, head_len, size, info, e);
	if (rc == 0 && info->interp_index >= 0)
		rc = (error_set(e, ELIBBAD, "interpreter has its own PT_INTERP"), -ELIBBAD);
	if (rc != 0)
		error_wrap(e, "bad ELF interpreter `%s`", interp);
	else if ((rc = elf_map(ops, fd, info, 0, out)) != 0)
		error_sys(e, -rc, "cannot map ELF interpreter `%s`", interp);
	free(info);
	/* A broken interpreter is ELIBBAD for execve, as in Linux. */
	return rc == -ENOEXEC ? -ELIBBAD : rc;
}

static int map_vdso(const struct loader_ops *ops, const struct loader_vdso *v, uint64_t *base)
{
	uint64_t total = v->params_size + v->image_size;
	long r = ops->map(ops->ctx, 0, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r < 0)
		return (int)r;
	uint64_t at = (uint64_t)r;
	/* Parameters are shared with the sentry, which updates them. */
	int rc = map_or_fail(ops, at, v->params_size, PROT_READ, MAP_SHARED | MAP_FIXED, v->fd, 0);
	if (rc == 0)
		rc = map_or_fail(ops, at + v->params_size, v->image_size, PROT_READ | PROT_EXEC,
				 MAP_PRIVATE | MAP_FIXED, v->fd, v->params_size);
	*base = at + v->params_size;
	return rc;
}

static int build_stack(const struct loader_request *req, const struct loader_ops *ops,
		       const char *const *argv, const struct loaded_elf *exe,
		       const struct loaded_elf *interp, struct loader_result *res)
{
	uint64_t top = PAGE_DOWN(req->stack_limit - (req->aslr_seed % STACK_RND_BYTES));
	uint64_t bottom = top - req->stack_size;
	int rc = map_or_fail(ops, bottom, req->stack_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1,
			     0);
	if (rc != 0)
		return rc;
	uint64_t auxv[] = {
		AT_SYSINFO_EHDR, res->vdso_base, AT_MINSIGSTKSZ, req->minsigstksz,
		AT_HWCAP,	 req->hwcap,	 AT_PAGESZ,	 PAGE_SIZE,
		AT_CLKTCK,	 100,		 AT_PHDR,	 exe->phdr,
		AT_PHENT,	 sizeof(Elf64_Phdr), AT_PHNUM,	 exe->phnum,
		AT_BASE,	 interp ? interp->base : 0, AT_FLAGS, 0,
		AT_ENTRY,	 exe->entry,	 AT_UID,	 req->uid,
		AT_EUID,	 req->euid,	 AT_GID,	 req->gid,
		AT_EGID,	 req->egid,	 AT_SECURE,	 0,
		AT_HWCAP2,	 req->hwcap2,
	};
	/* Without a vDSO, AT_SYSINFO_EHDR is left out rather than 0. */
	size_t skip = res->vdso_base ? 0 : 2;
	struct stack_spec spec = {.argv = argv,
				  .envp = req->envp,
				  .execfn = req->path,
				  .platform = "x86_64",
				  .random = req->random,
				  .auxv = auxv + skip,
				  .auxv_pairs = (ARRAY_SIZE(auxv) - skip) / 2,
				  .top = top,
				  .max_size = req->stack_size / 4};
	struct stack_image img;
	rc = stack_build(&spec, &img);
	if (rc != 0)
		return rc;
	rc = ops->write(ops->ctx, img.sp, img.data, img.size);
	res->sp = img.sp;
	res->stack_start = bottom;
	res->stack_end = top;
	res->arg_start = img.arg_start;
	res->arg_end = img.arg_end;
	res->env_start = img.env_start;
	res->env_end = img.env_end;
	memcpy(res->auxv, img.auxv, img.auxv_words * sizeof(uint64_t));
	res->auxv_words = img.auxv_words;
	stack_image_release(&img);
	return rc;
}

/* New argv for a script: interpreter, optional argument, script path, argv[1..]. */
static const char **script_argv(const char *interp, const char *arg, const char *path,
				const char *const *argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	const char **v = xcalloc(n + 4, sizeof(char *));
	size_t k = 0;
	v[k++] = interp;
	if (arg)
		v[k++] = arg;
	v[k++] = path;
	for (size_t i = 1; i < n; i++)
		v[k++] = argv[i];
	return v;
}

static int load_elf_file(const struct loader_request *req, const struct loader_ops *ops, int fd,
			 const char *path, const char *head, size_t head_len, uint64_t size,
			 const char *const *argv, struct loader_result *res, struct error *e)
{
	cleanup_free struct elf_info *info = xcalloc(1, sizeof(*info));
	int rc = elf_check(head, head_len, size, info, e);
	if (rc != 0)
		return error_wrap(e, "cannot run `%s`", path), rc;
	struct loaded_elf exe, interp = {0};
	uint64_t hint = ELF_ET_DYN_BASE + (req->aslr_seed % MMAP_RND_PAGES) * PAGE_SIZE;
	rc = elf_map(ops, fd, info, hint, &exe);
	if (rc != 0)
		return error_sys(e, -rc, "cannot map `%s`", path), rc;
	res->exe_path = xstrdup(path);
	res->exe_base = exe.base;
	res->exe_entry = exe.entry;
	res->brk_start = exe.end;
	res->is_pie = info->type == ET_DYN;
	res->is_dynamic = info->interp_index >= 0;
	res->is_static_pie = res->is_pie && !res->is_dynamic;
	if (res->is_dynamic) {
		const Elf64_Phdr *ph = &info->phdrs[info->interp_index];
		res->interp_path = xstrdup(head + ph->p_offset);
		rc = load_interp(ops, res->interp_path, &interp, e);
		if (rc != 0)
			return error_wrap(e, "cannot run `%s`", path), rc;
		res->interp_base = interp.base;
	}
	res->entry = res->is_dynamic ? interp.entry : exe.entry;
	if (req->vdso && (rc = map_vdso(ops, req->vdso, &res->vdso_base)) != 0)
		return error_sys(e, -rc, "cannot map the vDSO"), rc;
	rc = build_stack(req, ops, argv, &exe, res->is_dynamic ? &interp : NULL, res);
	if (rc != 0)
		return error_sys(e, -rc, "cannot set up the stack of `%s`", path), rc;
	return 0;
}

static int load_path(const struct loader_request *req, const struct loader_ops *ops,
		     const char *path, const char *const *argv, int depth,
		     struct loader_result *res, struct error *e)
{
	char head[HEAD_SIZE + 1];
	size_t head_len;
	uint64_t size;
	__attribute__((cleanup(fd_close))) int fd = open_exec(ops, path, head, &head_len, &size, e);
	if (fd < 0)
		return fd;
	if (head_len < 2 || head[0] != '#' || head[1] != '!')
		return load_elf_file(req, ops, fd, path, head, head_len, size, argv, res, e);
	if (depth >= LOADER_MAX_SCRIPT_DEPTH)
		return error_set(e, ELOOP, "cannot run `%s`: too many levels of #! interpreters",
				 path),
		       -ELOOP;
	char *interp, *arg;
	head[head_len] = '\0';
	if (script_parse(head, head_len, &interp, &arg) != 0)
		return error_set(e, ENOEXEC, "cannot run `%s`: empty #! line", path), -ENOEXEC;
	cleanup_free const char **v = script_argv(interp, arg, path, argv);
	int rc = load_path(req, ops, interp, v, depth + 1, res, e);
	if (rc == -ENOENT && !res->script_interp)
		error_set(e, ENOENT, "cannot run `%s`: bad interpreter `%s`: No such file or directory",
			  path, interp);
	if (rc == 0 && !res->script_interp)
		res->script_interp = xstrdup(interp);
	return rc;
}

int loader_load(const struct loader_request *req, const struct loader_ops *ops,
		struct loader_result *res, struct error *e)
{
	*res = (struct loader_result){0};
	int rc = load_path(req, ops, req->path, req->argv, 0, res, e);
	if (rc != 0)
		loader_result_release(res);
	return rc;
}

void loader_result_release(struct loader_result *res)
{
	free(res->exe_path);
	free(res->interp_path);
	free(res->script_interp);
	res->exe_path = res->interp_path = res->script_interp = NULL;
}

int loader_exit_status(int err)
{
	return err == ENOENT || err == -ENOENT ? 127 : 126;
}
