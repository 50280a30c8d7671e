#include "container/export.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/mount.h"

static int
copy_data(struct archive *in, struct archive *out)
{
  const void *buf;
  size_t len;
  la_int64_t off;
  int r;
  while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
    if (archive_write_data(out, buf, len) < 0)
      return -1;
  return r == ARCHIVE_EOF ? 0 : -1;
}

/* Walks merged (berth's own mount) and writes each entry with its path
 * relative to the root. */
static int
write_tree(const char *merged, struct archive *out, berth_error **err)
{
  struct archive *disk = archive_read_disk_new();
  archive_read_disk_set_symlink_physical(disk);
  archive_read_disk_set_standard_lookup(disk);
  int ret = 0;
  if (archive_read_disk_open(disk, merged) != ARCHIVE_OK)
    ret = berth_error_set(err, 0, "export: %s", archive_error_string(disk));
  size_t root_len = strlen(merged);
  while (ret == 0) {
    struct archive_entry *e = archive_entry_new();
    int r = archive_read_next_header2(disk, e);
    if (r == ARCHIVE_EOF) {
      archive_entry_free(e);
      break;
    }
    if (r < ARCHIVE_WARN) {
      ret = berth_error_set(err, 0, "export: %s", archive_error_string(disk));
      archive_entry_free(e);
      break;
    }
    archive_read_disk_descend(disk);
    const char *path = archive_entry_pathname(e);
    if (strlen(path) > root_len) {
      cleanup_free char *rel = xstrdup(path + root_len + 1);
      archive_entry_set_pathname(e, rel);
      if (archive_write_header(out, e) < ARCHIVE_WARN
          || (archive_entry_size(e) > 0 && copy_data(disk, out) < 0))
        ret = berth_error_set(err, 0, "export: %s", archive_error_string(out));
    }
    archive_entry_free(e);
  }
  archive_read_close(disk);
  archive_read_free(disk);
  return ret;
}

int
berth_container_export(berth_store *s, berth_container *c, int fd, berth_error **err)
{
  cleanup_free char *merged = berth_container_mount(s, c, err);
  if (merged == NULL)
    return -1;
  struct archive *out = archive_write_new();
  archive_write_set_format_pax_restricted(out);
  archive_write_set_bytes_in_last_block(out, 1);
  int ret = archive_write_open_fd(out, fd) == ARCHIVE_OK
                ? write_tree(merged, out, err)
                : berth_error_set(err, 0, "export: %s", archive_error_string(out));
  if (archive_write_close(out) != ARCHIVE_OK && ret == 0)
    ret = berth_error_set(err, 0, "export: %s", archive_error_string(out));
  archive_write_free(out);
  if (berth_container_unmount(s, c, ret == 0 ? err : NULL) < 0)
    ret = -1;
  return ret;
}
