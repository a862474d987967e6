/* What mount.c (the table and its start-up build) shares with
 * mount-change.c (the program's own mount(2) and umount2(2)). */
#ifndef MSENTRY_SENTRY_KERNEL_MOUNT_INTERNAL_H
#define MSENTRY_SENTRY_KERNEL_MOUNT_INTERNAL_H

#include "sentry/kernel/files.h"

/* openat2 below a mount's directory, confined to it (RESOLVE_IN_ROOT). */
int mount_open_below(int dirfd, const char *rest, int flags, mode_t mode);
/* Append an entry (takes `fd`); the returned pointer lives until the
 * table next changes. */
struct mount *mount_table_add(struct mount_table *mt, const char *dest, int fd, bool readonly,
			      const char *type, const char *source);
/* The same, with the options and the kind decided from `type`. */
struct mount *mount_entry_add(struct sentry *s, const char *dest, int fd,
			      const struct mount_options *o, const char *type, const char *source);
/* Close an entry's fds and free its strings (not the entry itself). */
void mount_entry_free(struct mount *m);
/* The sandbox's private directory (mount-private.c), made once: a
 * detached tmpfs, or a /tmp directory and its cleanup helper (a fork:
 * only before the sentry's own filter is on). 0, or -1 with `e` set. */
int mount_private_dir(struct sentry *s, struct error *e);
/* A new directory in the sandbox's private one (mode `mode`): O_PATH fd,
 * or -1 with `e` set. */
int mount_private_subdir(struct sentry *s, int mode, struct error *e);
/* The node a masked file shows: a private null device (or, without the
 * right to make one, an empty read-only file), never the host's own, so
 * that changing it changes nothing outside. O_PATH fd, or -1 with `e`. */
int mount_private_null(struct sentry *s, struct error *e);
/* An O_PATH fd of the directory holding host path `host` if that lies in
 * the private directory, else -1. */
int mount_private_parent(const struct mount_table *mt, const char *host);
/* Close the private directory's fds; the fallback's helper removes it
 * (waited for). */
void mount_private_release(struct mount_table *mt);
/* The host directory behind a mount of a file-system type that is not a
 * bind: tmpfs (a private directory, mode -1 for 01777), proc (procfs
 * serves it), anything else an empty read-only view. */
int mount_fs_dir(struct sentry *s, const char *dest, const char *type, int mode, struct error *e);

/* The table goes (mount-watch.c): files still open keep their watches,
 * unlinked from it. */
void mount_watch_forget(struct mount_table *mt);

#endif
