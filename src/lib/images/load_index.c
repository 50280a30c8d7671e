/* `load -i FILE` of a plain tar: the archive is indexed in place (each
 * entry's name, and where its contents lie in the file) instead of copied
 * to scratch, so each layer is read once, straight from its offset, by the
 * same confined unpack that checks its diffID. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "images/load_internal.h"

enum { INDEX_BLOCK = 64 << 10 };

/* Whether the input at base starts as gzip or zstd does (then it is not
 * read in place: the staged path decompresses it). */
static int
compressed(int fd, off_t base, berth_error **err)
{
  unsigned char m[4] = { 0 };
  ssize_t n = pread(fd, m, sizeof m, base);
  if (n < 0)
    return berth_error_set(err, errno, "read the input");
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
    return 1;
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return 1;
  return 0;
}

static int
index_fail(struct archive *a, bool any_entry, berth_error **err)
{
  if (!any_entry)
    return berth_error_set(err, 0, "the input is not a tar archive (plain, gzip or zstd)");
  const char *why = archive_error_string(a);
  return berth_error_set(err, 0, "read archive: %s", why != NULL ? why : "unknown error");
}

static void
entries_clear(struct archive_copy *c)
{
  for (size_t i = 0; i < c->n; i++) {
    free(c->entries[i].name);
    free(c->entries[i].target);
  }
  c->n = 0;
}

/* Reads the headers only (contents are skipped with lseek); entries are
 * recorded as copy_archive records them.  0 when an entry cannot be read
 * in place (sparse), 1 indexed, -1 on error. */
static int
index_entries(struct archive_copy *c, int fd, off_t base, off_t file_size, berth_error **err)
{
  struct archive *a = archive_read_new();
  if (a == NULL)
    abort();
  archive_read_support_format_tar(a);
  archive_read_support_filter_none(a);
  int ret = 1;
  bool any = false;
  if (archive_read_open_fd(a, fd, INDEX_BLOCK) != ARCHIVE_OK) {
    ret = index_fail(a, any, err);
    goto out;
  }
  for (;;) {
    struct archive_entry *ae;
    int r = archive_read_next_header(a, &ae);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      ret = index_fail(a, any, err);
      goto out;
    }
    any = true;
    if (archive_entry_sparse_count(ae) > 0) {
      ret = 0; /* holes to fill: copy it */
      goto out;
    }
    struct entry *e = load_note_entry(c, ae);
    if (e != NULL) {
      /* the headers consumed so far end where the contents begin */
      e->offset = base + (off_t)archive_filter_bytes(a, 0);
      e->size = (off_t)archive_entry_size(ae);
      if (e->size < 0 || e->offset > file_size || e->size > file_size - e->offset) {
        ret = berth_error_set(err, 0, "read archive: Truncated tar archive");
        goto out;
      }
    }
    if (archive_read_data_skip(a) < ARCHIVE_WARN) {
      ret = index_fail(a, any, err);
      goto out;
    }
  }
out:
  archive_read_free(a);
  return ret;
}

int
load_index_archive(struct archive_copy *c, int fd, berth_error **err)
{
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
    return 0;
  off_t base = lseek(fd, 0, SEEK_CUR);
  if (base < 0)
    return 0;
  int z = compressed(fd, base, err);
  if (z != 0)
    return z < 0 ? -1 : 0;
  int r = index_entries(c, fd, base, st.st_size, err);
  if (r == 1) {
    c->input = fd;
    (void)posix_fadvise(fd, base, 0, POSIX_FADV_SEQUENTIAL);
    return 1;
  }
  entries_clear(c);
  if (r == 0 && lseek(fd, base, SEEK_SET) < 0)
    return berth_error_set(err, errno, "seek in the input");
  return r;
}
