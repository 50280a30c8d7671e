#include "archive/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "archive/classify.h"
#include "archive/decompress.h"
#include "archive/extract.h"
#include "archive/tarsplit.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#define BUF_SIZE (256 * 1024)

/* Every uncompressed byte passes through pipeline_read exactly once, in
 * order: first on libarchive's behalf, then (after the end-of-archive
 * marker) from the drain, so the digest and the tar-split cover the whole
 * stream. */
struct pipeline {
  berth_decompress *dec;
  berth_sha256 *sha;
  berth_tar_classifier *cls;
  unsigned char *buf;
  berth_error *err; /* why the stream failed, when it did */
};

static ssize_t
pipeline_read(struct pipeline *p)
{
  if (p->err != NULL)
    return -1;
  ssize_t n = berth_decompress_read(p->dec, p->buf, BUF_SIZE, &p->err);
  if (n <= 0)
    return n;
  berth_sha256_update(p->sha, p->buf, (size_t)n);
  if (berth_tar_classifier_feed(p->cls, p->buf, (size_t)n, &p->err) < 0)
    return -1;
  return n;
}

static la_ssize_t
archive_read_cb(struct archive *a, void *ud, const void **out)
{
  struct pipeline *p = ud;
  ssize_t n = pipeline_read(p);
  if (n < 0) {
    archive_set_error(a, EIO, "%s", p->err ? berth_error_message(p->err) : "read error");
    return -1;
  }
  *out = p->buf;
  return n;
}

/* An error from libarchive, or the stream error that caused it. */
static int
archive_fail(struct pipeline *p, struct archive *a, berth_error **err)
{
  if (p->err != NULL)
    return berth_error_replace(err, &p->err);
  return berth_error_set(err, 0, "invalid layer tar: %s",
                         archive_error_string(a) ? archive_error_string(a) : "unknown error");
}

/* The reader over the pipeline; NULL when libarchive cannot start on it
 * (archive_read_open already reads the first block, so a stream that
 * fails at once fails here, with the stream's error). */
static struct archive *
open_reader(struct pipeline *p, berth_error **err)
{
  struct archive *a = archive_read_new();
  if (a == NULL)
    abort();
  archive_read_support_format_tar(a);
  archive_read_support_format_empty(a);
  archive_read_support_filter_none(a);
  if (archive_read_open(a, p, NULL, archive_read_cb, NULL) != ARCHIVE_OK) {
    archive_fail(p, a, err);
    archive_read_free(a);
    return NULL;
  }
  return a;
}

static int
extract_all(struct pipeline *p, struct archive *a, int diff_dirfd, long long *size,
            berth_error **err)
{
  cleanup_extract berth_extract *x = berth_extract_new(diff_dirfd);
  for (;;) {
    struct archive_entry *e;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN)
      return archive_fail(p, a, err);
    if (berth_extract_entry(x, a, e, size, err) < 0) {
      if (p->err != NULL) /* the stream broke while reading contents */
        return archive_fail(p, a, err);
      return -1;
    }
  }
  return berth_extract_finish(x, err);
}

static int
drain(struct pipeline *p, berth_error **err)
{
  ssize_t n;
  while ((n = pipeline_read(p)) > 0)
    ;
  if (n < 0)
    return berth_error_replace(err, &p->err);
  return 0;
}

int
berth_layer_unpack(berth_read_fn read, void *ctx, int diff_dirfd, int tarsplit_fd,
                   berth_unpack_result *out, berth_error **err)
{
  cleanup_decompress berth_decompress *dec = berth_decompress_new(read, ctx);
  cleanup_sha256 berth_sha256 *sha = berth_sha256_new();
  cleanup_tarsplit_writer berth_tarsplit_writer *w = berth_tarsplit_writer_new(tarsplit_fd);
  cleanup_tar_classifier berth_tar_classifier *cls = berth_tar_classifier_new(w);
  cleanup_free unsigned char *buf = xmalloc(BUF_SIZE);
  struct pipeline p = { dec, sha, cls, buf, NULL };
  struct archive *a = open_reader(&p, err);
  long long size = 0;
  int r = a == NULL ? -1 : extract_all(&p, a, diff_dirfd, &size, err);
  archive_read_free(a);
  if (r == 0)
    r = drain(&p, err);
  berth_error_free(p.err);
  if (r < 0)
    return -1;
  if (berth_tar_classifier_finish(cls, err) < 0 || berth_tarsplit_writer_finish(w, err) < 0)
    return -1;
  berth_sha256_final(sha, out->diff_id);
  out->size = size;
  return 0;
}
