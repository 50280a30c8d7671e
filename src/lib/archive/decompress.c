#include "archive/decompress.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "common/xalloc.h"

#define IN_BUF_SIZE (256 * 1024)

struct berth_decompress {
  berth_read_fn read;
  void *ctx;
  unsigned char *in;
  size_t in_pos, in_len;
  bool src_eof;
  bool detected;
  bool member_done; /* gzip: the current member ended (next bytes start a new one) */
  berth_compression kind;
#ifdef HAVE_ISAL
  struct inflate_state *isal;
#else
  z_stream *z;
#endif
  ZSTD_DStream *zstd;
  size_t zstd_last; /* last ZSTD_decompressStream hint: 0 when a frame is complete */
};

berth_decompress *
berth_decompress_new(berth_read_fn read, void *ctx)
{
  berth_decompress *d = xcalloc(1, sizeof(*d));
  d->read = read;
  d->ctx = ctx;
  d->in = xmalloc(IN_BUF_SIZE);
  return d;
}

void
berth_decompress_free(berth_decompress *d)
{
  if (d == NULL)
    return;
#ifdef HAVE_ISAL
  free(d->isal);
#else
  if (d->z != NULL)
    inflateEnd(d->z);
  free(d->z);
#endif
  ZSTD_freeDStream(d->zstd);
  free(d->in);
  free(d);
}

void
berth_decompress_cleanup(berth_decompress **d)
{
  berth_decompress_free(*d);
  *d = NULL;
}

berth_compression
berth_decompress_kind(const berth_decompress *d)
{
  return d->kind;
}

/* Refills the input buffer when it is empty; returns bytes available. */
static ssize_t
fill_input(berth_decompress *d, berth_error **err)
{
  if (d->in_pos < d->in_len)
    return (ssize_t)(d->in_len - d->in_pos);
  if (d->src_eof)
    return 0;
  for (;;) {
    ssize_t n = d->read(d->ctx, d->in, IN_BUF_SIZE, err);
    if (n < 0)
      return -1;
    d->in_pos = 0;
    d->in_len = (size_t)n;
    if (n == 0)
      d->src_eof = true;
    return n;
  }
}

/* Reads at least 4 bytes (unless the source ends first) and picks the
 * decoder from the magic bytes. */
static int
detect(berth_decompress *d, berth_error **err)
{
  while (d->in_len < 4 && !d->src_eof) {
    ssize_t n = d->read(d->ctx, d->in + d->in_len, IN_BUF_SIZE - d->in_len, err);
    if (n < 0)
      return -1;
    if (n == 0)
      d->src_eof = true;
    d->in_len += (size_t)n;
  }
  const unsigned char *m = d->in;
  if (d->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
    d->kind = BERTH_COMPRESSION_GZIP;
#ifdef HAVE_ISAL
    d->isal = xcalloc(1, sizeof(*d->isal));
    isal_inflate_init(d->isal);
    d->isal->crc_flag = ISAL_GZIP;
#else
    d->z = xcalloc(1, sizeof(*d->z));
    if (inflateInit2(d->z, 15 + 16) != Z_OK)
      abort(); /* only fails when out of memory */
#endif
  } else if (d->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
    d->kind = BERTH_COMPRESSION_ZSTD;
    d->zstd = ZSTD_createDStream();
    if (d->zstd == NULL)
      abort();
    /* Bound the window (and so memory) to 128 MiB, zstd's default limit. */
    ZSTD_DCtx_setParameter(d->zstd, ZSTD_d_windowLogMax, 27);
  } else if (d->in_len >= 4
             && memcmp(m,
                       "\xfd"
                       "7zX",
                       4)
                    == 0) {
    return berth_error_set(err, 0, "unsupported layer compression: xz");
  } else if (d->in_len >= 3 && memcmp(m, "BZh", 3) == 0) {
    return berth_error_set(err, 0, "unsupported layer compression: bzip2");
  } else {
    d->kind = BERTH_COMPRESSION_NONE;
  }
  d->detected = true;
  return 0;
}

static ssize_t
read_plain(berth_decompress *d, unsigned char *buf, size_t len, berth_error **err)
{
  ssize_t avail = fill_input(d, err);
  if (avail <= 0)
    return avail;
  size_t n = (size_t)avail < len ? (size_t)avail : len;
  memcpy(buf, d->in + d->in_pos, n);
  d->in_pos += n;
  return (ssize_t)n;
}

/* After a gzip member ends, more input must be another member (as gzip and
 * Go's multistream reader accept), anything else is garbage. */
static int
gzip_next_member(berth_decompress *d, berth_error **err)
{
  ssize_t avail = fill_input(d, err);
  if (avail <= 0)
    return (int)avail;
  if (d->in[d->in_pos] != 0x1f || (avail > 1 && d->in[d->in_pos + 1] != 0x8b))
    return berth_error_set(err, 0, "gzip: invalid data after the end of the stream");
  d->member_done = false;
#ifdef HAVE_ISAL
  isal_inflate_reset(d->isal);
  d->isal->crc_flag = ISAL_GZIP;
#else
  inflateReset(d->z);
#endif
  return 1;
}

#ifdef HAVE_ISAL
static const char *
isal_strerror(int r)
{
  switch (r) {
  case ISAL_INVALID_BLOCK:
    return "invalid deflate block";
  case ISAL_INVALID_SYMBOL:
    return "invalid deflate symbol";
  case ISAL_INVALID_LOOKBACK:
    return "invalid lookback distance";
  case ISAL_INVALID_WRAPPER:
    return "invalid gzip header";
  case ISAL_UNSUPPORTED_METHOD:
    return "unsupported compression method";
  case ISAL_INCORRECT_CHECKSUM:
    return "checksum mismatch";
  default:
    return "corrupt stream";
  }
}

/* One inflate step; returns bytes produced (possibly 0), 1 via *done when
 * the member ended. */
static ssize_t
gzip_step(berth_decompress *d, unsigned char *buf, size_t len, berth_error **err)
{
  struct inflate_state *s = d->isal;
  s->next_in = d->in + d->in_pos;
  s->avail_in = (uint32_t)(d->in_len - d->in_pos);
  s->next_out = buf;
  s->avail_out = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
  int r = isal_inflate(s);
  if (r < 0)
    return berth_error_set(err, 0, "gzip: %s", isal_strerror(r));
  d->in_pos = d->in_len - s->avail_in;
  if (s->block_state == ISAL_BLOCK_FINISH)
    d->member_done = true;
  return (ssize_t)((unsigned char *)s->next_out - buf);
}
#else
static ssize_t
gzip_step(berth_decompress *d, unsigned char *buf, size_t len, berth_error **err)
{
  z_stream *z = d->z;
  z->next_in = d->in + d->in_pos;
  z->avail_in = (uInt)(d->in_len - d->in_pos);
  z->next_out = buf;
  z->avail_out = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
  int r = inflate(z, Z_NO_FLUSH);
  if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
    return berth_error_set(err, 0, "gzip: %s", z->msg ? z->msg : "corrupt stream");
  d->in_pos = d->in_len - z->avail_in;
  if (r == Z_STREAM_END)
    d->member_done = true;
  return (ssize_t)(z->next_out - buf);
}
#endif

static ssize_t
read_gzip(berth_decompress *d, unsigned char *buf, size_t len, berth_error **err)
{
  for (;;) {
    if (d->member_done) {
      int r = gzip_next_member(d, err);
      if (r <= 0)
        return r;
    }
    ssize_t avail = fill_input(d, err);
    if (avail < 0)
      return -1;
    size_t before = d->in_pos;
    /* Called even with no input left: the decoder may hold output back. */
    ssize_t n = gzip_step(d, buf, len, err);
    if (n != 0)
      return n;
    if (d->member_done)
      continue;
    if (avail == 0)
      return berth_error_set(err, 0, "gzip: unexpected end of compressed stream");
    if (d->in_pos == before)
      return berth_error_set(err, 0, "gzip: decoder made no progress");
  }
}

static ssize_t
read_zstd(berth_decompress *d, unsigned char *buf, size_t len, berth_error **err)
{
  for (;;) {
    ssize_t avail = fill_input(d, err);
    if (avail < 0)
      return -1;
    if (avail == 0 && d->zstd_last == 0)
      return 0;
    ZSTD_inBuffer in = { d->in, d->in_len, d->in_pos };
    ZSTD_outBuffer out = { buf, len, 0 };
    size_t r = ZSTD_decompressStream(d->zstd, &out, &in);
    if (ZSTD_isError(r))
      return berth_error_set(err, 0, "zstd: %s", ZSTD_getErrorName(r));
    d->zstd_last = r;
    d->in_pos = in.pos;
    if (out.pos > 0)
      return (ssize_t)out.pos;
    if (avail == 0)
      return berth_error_set(err, 0, "zstd: unexpected end of compressed stream");
  }
}

ssize_t
berth_decompress_read(berth_decompress *d, void *buf, size_t len, berth_error **err)
{
  if (!d->detected && detect(d, err) < 0)
    return -1;
  if (len == 0)
    return 0;
  switch (d->kind) {
  case BERTH_COMPRESSION_GZIP:
    return read_gzip(d, buf, len, err);
  case BERTH_COMPRESSION_ZSTD:
    return read_zstd(d, buf, len, err);
  default:
    return read_plain(d, buf, len, err);
  }
}
