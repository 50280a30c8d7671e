#include "archive/classify.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "archive/crc64.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#define BLOCK 512
#define RAW_FLUSH (1024 * 1024)
#define META_MAX (8 * 1024 * 1024)

typedef enum {
  ST_HEADER,     /* collecting a 512-byte header block */
  ST_SPARSE_EXT, /* GNU sparse extension blocks (raw) */
  ST_DATA,       /* an entry's data, then its padding */
  ST_TRAILER,    /* after the end-of-archive marker: all raw */
} state;

typedef enum {
  DATA_RAW,  /* kept as raw bytes */
  DATA_FILE, /* a regular file's contents: crc64 only */
  DATA_META, /* PAX 'x' or GNU 'L' payload: raw, and kept to parse */
} data_kind;

struct berth_tar_classifier {
  berth_tarsplit_writer *w;
  state st;
  unsigned char hdr[BLOCK];
  size_t hdr_len;
  int zero_blocks;
  data_kind kind;
  char meta_type;
  unsigned long long remaining, pad;
  long long file_size;
  uint64_t crc;
  char *name; /* current file's name */
  /* Overrides from meta entries for the next header. */
  char *pax_path, *long_name;
  long long pax_size;
  bool has_pax_size, pax_sparse;
  unsigned char *meta;
  size_t meta_len;
  unsigned char *raw;
  size_t raw_len;
};

berth_tar_classifier *
berth_tar_classifier_new(berth_tarsplit_writer *w)
{
  berth_tar_classifier *c = xcalloc(1, sizeof(*c));
  c->w = w;
  c->raw = xmalloc(RAW_FLUSH);
  return c;
}

void
berth_tar_classifier_free(berth_tar_classifier *c)
{
  if (c == NULL)
    return;
  free(c->name);
  free(c->pax_path);
  free(c->long_name);
  free(c->meta);
  free(c->raw);
  free(c);
}

void
berth_tar_classifier_cleanup(berth_tar_classifier **c)
{
  berth_tar_classifier_free(*c);
  *c = NULL;
}

static int
flush_raw(berth_tar_classifier *c, berth_error **err)
{
  if (c->raw_len == 0)
    return 0;
  int r = berth_tarsplit_add_segment(c->w, c->raw, c->raw_len, err);
  c->raw_len = 0;
  return r;
}

static int
add_raw(berth_tar_classifier *c, const unsigned char *p, size_t n, berth_error **err)
{
  while (n > 0) {
    size_t k = RAW_FLUSH - c->raw_len < n ? RAW_FLUSH - c->raw_len : n;
    memcpy(c->raw + c->raw_len, p, k);
    c->raw_len += k;
    p += k;
    n -= k;
    if (c->raw_len == RAW_FLUSH && flush_raw(c, err) < 0)
      return -1;
  }
  return 0;
}

/* Numeric header field: octal text, or base-256 when the top bit of the
 * first byte is set.  Returns -1 when malformed or negative. */
static long long
parse_number(const unsigned char *f, size_t n)
{
  unsigned long long v = 0;
  if (f[0] & 0x80) {
    if (f[0] == 0xff)
      return -1;
    v = f[0] & 0x7f;
    for (size_t i = 1; i < n; i++) {
      if (v >> 55)
        return -1;
      v = v << 8 | f[i];
    }
    return (long long)v;
  }
  size_t i = 0;
  while (i < n && f[i] == ' ')
    i++;
  for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
    if (v >> 60)
      return -1;
    v = v << 3 | (unsigned)(f[i] - '0');
  }
  if (i < n && f[i] != '\0' && f[i] != ' ')
    return -1;
  return (long long)v;
}

static bool
checksum_ok(const unsigned char *h)
{
  long long want = parse_number(h + 148, 8);
  unsigned long usum = 0;
  long ssum = 0;
  for (int i = 0; i < BLOCK; i++) {
    unsigned char b = (i >= 148 && i < 156) ? ' ' : h[i];
    usum += b;
    ssum += (signed char)b;
  }
  return want >= 0 && ((unsigned long)want == usum || want == ssum);
}

/* PAX records "<len> <key>=<value>\n": picks out path, size and the
 * GNU.sparse.* keys; a malformed record ends the parse (libarchive reports
 * it). */
static void
parse_pax(berth_tar_classifier *c, const unsigned char *p, size_t n)
{
  size_t off = 0;
  while (off < n) {
    size_t len = 0, i = off;
    while (i < n && p[i] >= '0' && p[i] <= '9' && len < n)
      len = len * 10 + (size_t)(p[i++] - '0');
    if (i >= n || p[i] != ' ' || len == 0 || len > n - off || p[off + len - 1] != '\n')
      return;
    const unsigned char *kv = p + i + 1, *end = p + off + len - 1;
    const unsigned char *eq = memchr(kv, '=', (size_t)(end - kv));
    if (eq == NULL)
      return;
    size_t klen = (size_t)(eq - kv), vlen = (size_t)(end - eq - 1);
    if (klen == 4 && memcmp(kv, "path", 4) == 0) {
      free(c->pax_path);
      c->pax_path = xstrndup((const char *)eq + 1, vlen);
    } else if (klen == 4 && memcmp(kv, "size", 4) == 0) {
      unsigned long long v = 0;
      bool ok = vlen > 0 && vlen < 19;
      for (size_t j = 0; ok && j < vlen; j++)
        ok = eq[1 + j] >= '0' && eq[1 + j] <= '9', v = v * 10 + (unsigned)(eq[1 + j] - '0');
      if (ok) {
        c->pax_size = (long long)v;
        c->has_pax_size = true;
      }
    } else if (klen > 11 && memcmp(kv, "GNU.sparse.", 11) == 0) {
      c->pax_sparse = true;
    }
    off += len;
  }
}

static void
meta_done(berth_tar_classifier *c)
{
  if (c->meta_type == 'x') {
    parse_pax(c, c->meta, c->meta_len);
  } else if (c->meta_type == 'L') {
    free(c->long_name);
    c->long_name = xstrndup((const char *)c->meta, c->meta_len);
  }
  free(c->meta);
  c->meta = NULL;
  c->meta_len = 0;
}

static char *
header_name(const unsigned char *h)
{
  char name[101], prefix[156];
  memcpy(name, h, 100);
  name[100] = '\0';
  if (memcmp(h + 257,
             "ustar\0"
             "00",
             8)
          == 0
      && h[345] != '\0') {
    memcpy(prefix, h + 345, 155);
    prefix[155] = '\0';
    return xasprintf("%s/%s", prefix, name);
  }
  return xstrdup(name);
}

static void
clear_overrides(berth_tar_classifier *c)
{
  free(c->pax_path);
  free(c->long_name);
  c->pax_path = c->long_name = NULL;
  c->has_pax_size = c->pax_sparse = false;
}

/* Enters ST_DATA for size bytes of the given kind, plus padding. */
static void
begin_data(berth_tar_classifier *c, data_kind kind, unsigned long long size)
{
  c->st = ST_DATA;
  c->kind = kind;
  c->remaining = size;
  c->pad = (BLOCK - size % BLOCK) % BLOCK;
  c->crc = 0;
}

/* An ordinary entry: records its header, then a file entry for it. */
static int
entry_header(berth_tar_classifier *c, char type, long long size, berth_error **err)
{
  free(c->name);
  c->name = c->pax_path    ? steal_pointer(&c->pax_path)
            : c->long_name ? steal_pointer(&c->long_name)
                           : header_name(c->hdr);
  bool sparse = type == 'S' || c->pax_sparse;
  bool regular = (type == '0' || type == '\0' || type == '7') && !sparse;
  size_t nlen = strlen(c->name);
  if (nlen > 0 && c->name[nlen - 1] == '/')
    regular = false; /* old-style directory */
  bool header_only = type >= '1' && type <= '6';
  clear_overrides(c);
  if (add_raw(c, c->hdr, BLOCK, err) < 0 || flush_raw(c, err) < 0)
    return -1;
  if (regular && size > 0) {
    c->file_size = size;
    begin_data(c, DATA_FILE, (unsigned long long)size);
    return 0;
  }
  if (berth_tarsplit_add_file(c->w, c->name, nlen, 0, NULL, err) < 0)
    return -1;
  if (type == 'S' && (c->hdr[482] != 0)) {
    c->st = ST_SPARSE_EXT;
    c->remaining = (unsigned long long)size;
    return 0;
  }
  begin_data(c, DATA_RAW, header_only ? 0 : (unsigned long long)size);
  return 0;
}

static int
on_header(berth_tar_classifier *c, berth_error **err)
{
  static const unsigned char zero[BLOCK];
  c->hdr_len = 0;
  if (memcmp(c->hdr, zero, BLOCK) == 0) {
    if (++c->zero_blocks >= 2)
      c->st = ST_TRAILER;
    return add_raw(c, c->hdr, BLOCK, err);
  }
  c->zero_blocks = 0;
  long long size = parse_number(c->hdr + 124, 12);
  if (!checksum_ok(c->hdr) || size < 0) {
    c->st = ST_TRAILER; /* libarchive reports the damage */
    return add_raw(c, c->hdr, BLOCK, err);
  }
  char type = (char)c->hdr[156];
  if (type == 'x' || type == 'L') {
    if (size > META_MAX)
      return berth_error_set(err, 0, "tar header too large (%lld bytes)", size);
    c->meta_type = type;
    begin_data(c, DATA_META, (unsigned long long)size);
    return add_raw(c, c->hdr, BLOCK, err);
  }
  if (type == 'g' || type == 'K') {
    begin_data(c, DATA_RAW, (unsigned long long)size);
    return add_raw(c, c->hdr, BLOCK, err);
  }
  if (c->has_pax_size && type != 'S')
    size = c->pax_size;
  return entry_header(c, type, size, err);
}

static int
data_end(berth_tar_classifier *c, berth_error **err)
{
  if (c->kind == DATA_FILE)
    return berth_tarsplit_add_file(c->w, c->name, strlen(c->name), c->file_size, &c->crc, err);
  if (c->kind == DATA_META)
    meta_done(c);
  return 0;
}

/* Consumes up to n bytes in ST_DATA; returns bytes used or -1. */
static ssize_t
feed_data(berth_tar_classifier *c, const unsigned char *p, size_t n, berth_error **err)
{
  if (c->remaining > 0) {
    size_t k = c->remaining < n ? (size_t)c->remaining : n;
    if (c->kind == DATA_FILE) {
      c->crc = berth_crc64_update(c->crc, p, k);
    } else {
      if (add_raw(c, p, k, err) < 0)
        return -1;
      if (c->kind == DATA_META) {
        c->meta = xrealloc(c->meta, c->meta_len + k);
        memcpy(c->meta + c->meta_len, p, k);
        c->meta_len += k;
      }
    }
    c->remaining -= k;
    if (c->remaining == 0 && data_end(c, err) < 0)
      return -1;
    return (ssize_t)k;
  }
  size_t k = c->pad < n ? (size_t)c->pad : n;
  if (add_raw(c, p, k, err) < 0)
    return -1;
  c->pad -= k;
  if (c->pad == 0)
    c->st = ST_HEADER;
  return (ssize_t)k;
}

static ssize_t
feed_block(berth_tar_classifier *c, const unsigned char *p, size_t n, berth_error **err)
{
  size_t k = BLOCK - c->hdr_len < n ? BLOCK - c->hdr_len : n;
  memcpy(c->hdr + c->hdr_len, p, k);
  c->hdr_len += k;
  if (c->hdr_len < BLOCK)
    return (ssize_t)k;
  if (c->st == ST_HEADER)
    return on_header(c, err) < 0 ? -1 : (ssize_t)k;
  /* ST_SPARSE_EXT: raw; byte 504 says whether another block follows. */
  c->hdr_len = 0;
  if (add_raw(c, c->hdr, BLOCK, err) < 0)
    return -1;
  if (c->hdr[504] == 0)
    begin_data(c, DATA_RAW, c->remaining);
  return (ssize_t)k;
}

int
berth_tar_classifier_feed(berth_tar_classifier *c, const void *data, size_t len, berth_error **err)
{
  const unsigned char *p = data;
  while (len > 0) {
    ssize_t used;
    if (c->st == ST_TRAILER)
      used = add_raw(c, p, len, err) < 0 ? -1 : (ssize_t)len;
    else if (c->st == ST_DATA && (c->remaining > 0 || c->pad > 0))
      used = feed_data(c, p, len, err);
    else if (c->st == ST_DATA)
      used = (c->st = ST_HEADER, 0);
    else
      used = feed_block(c, p, len, err);
    if (used < 0)
      return -1;
    p += used;
    len -= (size_t)used;
  }
  return 0;
}

int
berth_tar_classifier_finish(berth_tar_classifier *c, berth_error **err)
{
  if (c->st == ST_DATA && c->kind == DATA_FILE && c->remaining > 0)
    return berth_error_set(err, 0, "truncated tar stream: contents of '%s' cut short", c->name);
  if (c->hdr_len > 0 && add_raw(c, c->hdr, c->hdr_len, err) < 0)
    return -1;
  c->hdr_len = 0;
  /* tar-split always ends with a segment (the remainder, maybe empty). */
  int r = berth_tarsplit_add_segment(c->w, c->raw, c->raw_len, err);
  c->raw_len = 0;
  return r;
}
