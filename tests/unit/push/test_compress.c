/* push/compress: gzip (isa-l) and zstd streams that read back, and whose
 * bytes depend on the input alone, not on how it was cut. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "common/error.h"
#include "harness.h"
#include "push/compress.h"

struct buf {
  unsigned char *p;
  size_t len, cap;
  size_t fail_after; /* 0: never */
};

static int
collect(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct buf *b = ctx;
  if (b->fail_after && b->len + len > b->fail_after)
    return berth_error_set(err, 0, "sink full");
  if (b->len + len > b->cap) {
    b->cap = (b->len + len) * 2;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->len, data, len);
  b->len += len;
  return 0;
}

/* Half text (compressible), half noise, 3 MiB: several input blocks. */
static unsigned char *
sample(size_t *len)
{
  size_t n = 3 * 1024 * 1024 + 12345;
  unsigned char *p = malloc(n);
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < n; i++) {
    if ((i / 65536) % 2 == 0) {
      p[i] = "berth pushes layers\n"[i % 20];
    } else {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      p[i] = (unsigned char)x;
    }
  }
  *len = n;
  return p;
}

/* Compresses data written in pieces of step bytes (0: one write). */
static struct buf
compress_in_steps(berth_push_compression c, const unsigned char *data, size_t len, size_t step)
{
  struct buf out = { 0 };
  berth_error *err = NULL;
  push_compressor *pc = push_compressor_new(c, collect, &out, &err);
  CHECK(pc != NULL);
  for (size_t off = 0; off < len;) {
    size_t n = step == 0 || step > len - off ? len - off : step;
    CHECK(push_compressor_write(pc, data + off, n, &err) == 0);
    off += n;
    step = step ? step * 7 % 100003 + 1 : 0; /* uneven pieces */
  }
  CHECK(push_compressor_finish(pc, &err) == 0);
  CHECK(err == NULL);
  push_compressor_free(pc);
  return out;
}

static unsigned char *
gunzip(const struct buf *b, size_t want)
{
  unsigned char *out = malloc(want + 1);
  z_stream z = { 0 };
  inflateInit2(&z, 15 + 16);
  z.next_in = b->p;
  z.avail_in = (uInt)b->len;
  z.next_out = out;
  z.avail_out = (uInt)want + 1;
  int rc = inflate(&z, Z_FINISH);
  bool ok = rc == Z_STREAM_END && z.total_out == want && z.avail_in == 0;
  inflateEnd(&z);
  if (!ok) {
    free(out);
    return NULL;
  }
  return out;
}

TEST(gzip_reads_back)
{
  size_t len;
  unsigned char *data = sample(&len);
  struct buf gz = compress_in_steps(BERTH_PUSH_GZIP, data, len, 0);
  CHECK(gz.len > 0 && gz.len < len);
  /* gzip magic, deflate, no flags, mtime 0: nothing of the moment inside */
  CHECK(gz.len > 10 && gz.p[0] == 0x1f && gz.p[1] == 0x8b && gz.p[2] == 8 && gz.p[3] == 0);
  CHECK(gz.p[4] == 0 && gz.p[5] == 0 && gz.p[6] == 0 && gz.p[7] == 0);
  unsigned char *back = gunzip(&gz, len);
  CHECK(back != NULL && memcmp(back, data, len) == 0);
  free(back);
  free(gz.p);
  free(data);
}

TEST(zstd_reads_back)
{
  size_t len;
  unsigned char *data = sample(&len);
  struct buf zs = compress_in_steps(BERTH_PUSH_ZSTD, data, len, 0);
  CHECK(zs.len > 4 && zs.p[0] == 0x28 && zs.p[1] == 0xb5 && zs.p[2] == 0x2f && zs.p[3] == 0xfd);
  unsigned char *back = malloc(len + 1);
  size_t n = ZSTD_decompress(back, len + 1, zs.p, zs.len);
  CHECK(!ZSTD_isError(n) && n == len && memcmp(back, data, len) == 0);
  free(back);
  free(zs.p);
  free(data);
}

/* The property resuming an upload relies on. */
static void
same_bytes_however_cut(berth_push_compression c)
{
  size_t len;
  unsigned char *data = sample(&len);
  struct buf whole = compress_in_steps(c, data, len, 0);
  struct buf again = compress_in_steps(c, data, len, 0);
  struct buf small = compress_in_steps(c, data, len, 1);
  struct buf odd = compress_in_steps(c, data, len, 4093);
  CHECK(whole.len == again.len && memcmp(whole.p, again.p, whole.len) == 0);
  CHECK(whole.len == small.len && memcmp(whole.p, small.p, whole.len) == 0);
  CHECK(whole.len == odd.len && memcmp(whole.p, odd.p, whole.len) == 0);
  free(whole.p);
  free(again.p);
  free(small.p);
  free(odd.p);
  free(data);
}

TEST(gzip_same_bytes_however_cut)
{
  same_bytes_however_cut(BERTH_PUSH_GZIP);
}

TEST(zstd_same_bytes_however_cut)
{
  same_bytes_however_cut(BERTH_PUSH_ZSTD);
}

TEST(empty_input_is_a_valid_stream)
{
  struct buf gz = compress_in_steps(BERTH_PUSH_GZIP, (const unsigned char *)"", 0, 0);
  unsigned char *back = gunzip(&gz, 0);
  CHECK(back != NULL);
  free(back);
  free(gz.p);
  struct buf zs = compress_in_steps(BERTH_PUSH_ZSTD, (const unsigned char *)"", 0, 0);
  char one[1];
  CHECK(zs.len > 0 && ZSTD_decompress(one, 1, zs.p, zs.len) == 0);
  free(zs.p);
}

TEST(a_failing_sink_ends_the_stream_with_its_error)
{
  size_t len;
  unsigned char *data = sample(&len);
  for (int c = 0; c < 2; c++) {
    struct buf out = { .fail_after = 1000 };
    berth_error *err = NULL;
    push_compressor *pc = push_compressor_new(c, collect, &out, &err);
    int rc = push_compressor_write(pc, data, len, &err);
    if (rc == 0)
      rc = push_compressor_finish(pc, &err);
    CHECK(rc == -1);
    CHECK(err != NULL && strstr(berth_error_message(err), "sink full") != NULL);
    berth_error_free(err);
    push_compressor_free(pc);
    free(out.p);
  }
  free(data);
}

int
main(void)
{
  RUN(gzip_reads_back);
  RUN(zstd_reads_back);
  RUN(gzip_same_bytes_however_cut);
  RUN(zstd_same_bytes_however_cut);
  RUN(empty_input_is_a_valid_stream);
  RUN(a_failing_sink_ends_the_stream_with_its_error);
  DONE();
}
