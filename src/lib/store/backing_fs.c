/* berth_store_backing_fs(): what `info` prints as Backing Filesystem and
 * Supports d_type. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/internal.h"
#include "store/store.h"

/* Docker's names for filesystem magic numbers (its fsmagic table). */
static const struct fs_name {
  unsigned long magic;
  const char *name;
} fs_names[] = {
  { 0x61756673, "aufs" },     { 0x9123683E, "btrfs" },     { 0x28cd3d45, "cramfs" },
  { 0xf15f, "ecryptfs" },     { 0xEF53, "extfs" },         { 0xF2F52010, "f2fs" },
  { 0x47504653, "gpfs" },     { 0x72b6, "jffs2" },         { 0x3153464a, "jfs" },
  { 0x6969, "nfs" },          { 0x794c7630, "overlayfs" }, { 0x858458f6, "ramfs" },
  { 0x52654973, "reiserfs" }, { 0x517B, "smb" },           { 0x73717368, "squashfs" },
  { 0x01021994, "tmpfs" },    { 0xa501FCF5, "vxfs" },      { 0x58465342, "xfs" },
  { 0x2fc12fc1, "zfs" },
};

static const char *
fs_name(unsigned long magic)
{
  for (size_t i = 0; i < sizeof(fs_names) / sizeof(fs_names[0]); i++)
    if (fs_names[i].magic == magic)
      return fs_names[i].name;
  return "<unknown>";
}

/* Makes a file in a fresh stage dir and sees whether readdir types it. */
static int
probe_d_type(berth_store *s, bool *d_type, berth_error **err)
{
  cleanup_free char *name = NULL;
  cleanup_close int fd = berth_store_tmpdir_new(s, TMP_STAGE, &name, err);
  if (fd < 0)
    return -1;
  cleanup_close int f = openat(fd, "probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int ret = 0;
  if (f < 0) {
    ret = berth_error_set(err, errno, "create d_type probe");
  } else {
    cleanup_dir DIR *d = berth_store_opendir(fd, ".", err);
    struct dirent *de;
    *d_type = false;
    while (d != NULL && (de = readdir(d)) != NULL)
      if (strcmp(de->d_name, "probe") == 0)
        *d_type = de->d_type != DT_UNKNOWN;
    if (d == NULL)
      ret = -1;
  }
  berth_rm_rf_at(s->tmp_fd, name, NULL);
  return ret;
}

int
berth_store_backing_fs(berth_store *s, char **name, bool *d_type, berth_error **err)
{
  struct statfs sfs;
  if (fstatfs(s->root_fd, &sfs) < 0)
    return berth_error_set(err, errno, "statfs %s", s->root);
  if (probe_d_type(s, d_type, err) < 0)
    return -1;
  *name = xstrdup(fs_name((unsigned long)sfs.f_type));
  return 0;
}
