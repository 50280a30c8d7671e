/* Test helpers: build small tarballs in memory with libarchive's writer,
 * compress them, and feed them to berth_layer_unpack. */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "common/error.h"

struct tarbuf {
  unsigned char *data;
  size_t len, cap;
};

static inline la_ssize_t
tb_write_cb(struct archive *a, void *ud, const void *buf, size_t n)
{
  struct tarbuf *t = ud;
  if (t->len + n > t->cap) {
    t->cap = (t->len + n) * 2;
    t->data = realloc(t->data, t->cap);
  }
  memcpy(t->data + t->len, buf, n);
  t->len += n;
  return (la_ssize_t)n;
}

/* format: ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, _GNUTAR, _USTAR … */
static inline struct archive *
tb_open(struct tarbuf *t, int format)
{
  struct archive *a = archive_write_new();
  archive_write_set_format(a, format);
  archive_write_set_bytes_per_block(a, 10240);
  archive_write_open(a, t, NULL, tb_write_cb, NULL);
  return a;
}

static inline struct archive_entry *
tb_entry(const char *name, mode_t type, mode_t perm)
{
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, name);
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, perm);
  archive_entry_set_mtime(e, 1600000000, 0);
  archive_entry_set_uid(e, 0);
  archive_entry_set_gid(e, 0);
  return e;
}

static inline void
tb_add(struct archive *a, struct archive_entry *e, const void *data, size_t len)
{
  if (data != NULL)
    archive_entry_set_size(e, (la_int64_t)len);
  archive_write_header(a, e);
  if (data != NULL && len > 0)
    archive_write_data(a, data, len);
  archive_entry_free(e);
}

static inline void
tb_file(struct archive *a, const char *name, const char *content)
{
  tb_add(a, tb_entry(name, AE_IFREG, 0644), content, strlen(content));
}

static inline void
tb_dir(struct archive *a, const char *name)
{
  tb_add(a, tb_entry(name, AE_IFDIR, 0755), NULL, 0);
}

static inline void
tb_symlink(struct archive *a, const char *name, const char *target)
{
  struct archive_entry *e = tb_entry(name, AE_IFLNK, 0777);
  archive_entry_set_symlink(e, target);
  tb_add(a, e, NULL, 0);
}

static inline void
tb_hardlink(struct archive *a, const char *name, const char *target)
{
  struct archive_entry *e = tb_entry(name, AE_IFREG, 0644);
  archive_entry_set_hardlink(e, target);
  archive_entry_set_size(e, 0);
  tb_add(a, e, NULL, 0);
}

static inline void
tb_close(struct archive *a)
{
  archive_write_close(a);
  archive_write_free(a);
}

static inline struct tarbuf
tb_gzip(const struct tarbuf *in)
{
  struct tarbuf out = { 0 };
  out.cap = compressBound(in->len) + 64;
  out.data = malloc(out.cap);
  z_stream z = { 0 };
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  z.next_in = in->data;
  z.avail_in = (uInt)in->len;
  z.next_out = out.data;
  z.avail_out = (uInt)out.cap;
  deflate(&z, Z_FINISH);
  out.len = out.cap - z.avail_out;
  deflateEnd(&z);
  return out;
}

static inline struct tarbuf
tb_zstd(const struct tarbuf *in)
{
  struct tarbuf out = { 0 };
  out.cap = ZSTD_compressBound(in->len);
  out.data = malloc(out.cap);
  out.len = ZSTD_compress(out.data, out.cap, in->data, in->len, 3);
  return out;
}

/* A read_fn over a memory buffer, handing out at most chunk bytes a call. */
struct memsrc {
  const unsigned char *data;
  size_t len, pos, chunk;
};

static inline ssize_t
memsrc_read(void *ctx, void *buf, size_t len, berth_error **err)
{
  struct memsrc *m = ctx;
  size_t n = m->len - m->pos;
  if (n > len)
    n = len;
  if (m->chunk && n > m->chunk)
    n = m->chunk;
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return (ssize_t)n;
}

/* A write_fn appending to a tarbuf. */
static inline int
tarbuf_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  tb_write_cb(NULL, ctx, buf, len);
  return 0;
}
