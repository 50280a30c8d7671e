#include "container/cp_pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

typedef struct pack {
  struct archive *out;
  struct archive_entry_linkresolver *links;
} pack;

static int
cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A regular file's contents: the O_PATH fd reopened for reading through
 * /proc (the same inode, no name is looked up again), exactly st_size bytes. */
static int
write_contents(pack *p, int fd, const struct stat *st, const char *name, berth_error **err)
{
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  cleanup_close int rfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (rfd < 0)
    return berth_error_set(err, errno, "open %s", name);
  char buf[65536];
  long long left = st->st_size;
  while (left > 0) {
    ssize_t n = read(rfd, buf, left < (long long)sizeof buf ? (size_t)left : sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return berth_error_set(err, errno, "read %s", name);
    if (n == 0)
      return berth_error_set(err, 0, "%s shrank while being copied", name);
    if (archive_write_data(p->out, buf, (size_t)n) < 0)
      return berth_error_set(err, 0, "write tar: %s", archive_error_string(p->out));
    left -= n;
  }
  return 0;
}

static int pack_node(pack *p, int fd, const struct stat *st, const char *name, berth_error **err);

/* A directory's entries, sorted bytewise so the tar is the same for the
 * same tree; each is opened O_PATH | O_NOFOLLOW below dirfd and never
 * followed, so nothing outside the tree is reached. */
static int
pack_children(pack *p, int fd, const char *name, berth_error **err)
{
  int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_error_set(err, errno, "open %s", name);
  cleanup_dir DIR *d = fdopendir(dfd);
  if (d == NULL) {
    close(dfd);
    return berth_error_set(err, errno, "open %s", name);
  }
  cleanup_strv char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (n + 2 > cap) {
      cap = cap < 16 ? 16 : 2 * cap;
      names = xrealloc(names, cap * sizeof *names);
    }
    names[n++] = xstrdup(de->d_name);
    names[n] = NULL;
    errno = 0;
  }
  if (errno != 0)
    return berth_error_set(err, errno, "read directory %s", name);
  if (n > 1)
    qsort(names, n, sizeof *names, cmp_names);
  for (size_t i = 0; i < n; i++) {
    cleanup_close int cfd = openat(dirfd(d), names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat cst;
    cleanup_free char *cname = xasprintf("%s/%s", name, names[i]);
    if (cfd < 0 || fstat(cfd, &cst) < 0)
      return berth_error_set(err, errno, "lstat %s", cname);
    if (pack_node(p, cfd, &cst, cname, err) < 0)
      return -1;
  }
  return 0;
}

static int
pack_node(pack *p, int fd, const struct stat *st, const char *name, berth_error **err)
{
  if (S_ISSOCK(st->st_mode))
    return 0; /* as Docker's tar: sockets are not archived */
  struct archive_entry *e = archive_entry_new();
  archive_entry_copy_stat(e, st);
  archive_entry_set_pathname(e, name);
  archive_entry_set_atime(e, 0, 0);
  archive_entry_unset_atime(e);
  archive_entry_unset_ctime(e);
  archive_entry_set_mtime(e, st->st_mtim.tv_sec, 0);
  if (S_ISLNK(st->st_mode)) {
    char target[4097];
    ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
    if (n < 0) {
      archive_entry_free(e);
      return berth_error_set(err, errno, "readlink %s", name);
    }
    target[n] = '\0';
    archive_entry_set_symlink(e, target);
  }
  if (!S_ISREG(st->st_mode))
    archive_entry_set_size(e, 0);
  struct archive_entry *spare = NULL;
  if (S_ISREG(st->st_mode) && st->st_nlink > 1)
    archive_entry_linkify(p->links, &e, &spare);
  archive_entry_free(spare);
  int ret = 0;
  if (archive_write_header(p->out, e) < ARCHIVE_WARN)
    ret = berth_error_set(err, 0, "write tar: %s", archive_error_string(p->out));
  else if (S_ISREG(st->st_mode) && archive_entry_hardlink(e) == NULL && st->st_size > 0)
    ret = write_contents(p, fd, st, name, err);
  archive_entry_free(e);
  if (ret == 0 && S_ISDIR(st->st_mode))
    ret = pack_children(p, fd, name, err);
  return ret;
}

int
berth_cp_pack(int fd, const char *name, int outfd, berth_error **err)
{
  struct stat st;
  if (fstat(fd, &st) < 0)
    return berth_error_set(err, errno, "lstat %s", name);
  pack p = { .out = archive_write_new(), .links = archive_entry_linkresolver_new() };
  archive_write_set_format_pax_restricted(p.out);
  archive_write_set_bytes_in_last_block(p.out, 1);
  archive_entry_linkresolver_set_strategy(p.links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  int ret = archive_write_open_fd(p.out, outfd) == ARCHIVE_OK
                ? pack_node(&p, fd, &st, name, err)
                : berth_error_set(err, 0, "write tar: %s", archive_error_string(p.out));
  if (archive_write_close(p.out) != ARCHIVE_OK && ret == 0)
    ret = berth_error_set(err, 0, "write tar: %s", archive_error_string(p.out));
  archive_write_free(p.out);
  archive_entry_linkresolver_free(p.links);
  return ret;
}
