/* gzip through isa-l's igzip, zstd through libzstd, both in fixed blocks. */
#include "push/compress.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "common/xalloc.h"

/* Input is compressed in blocks of this size (the last one shorter): what
 * each library sees is then the same for the same bytes however the tar
 * writer cut them, which is what makes a blob reproducible. */
#define IN_BLOCK (256 * 1024)
#define OUT_BLOCK (256 * 1024)

/* isa-l level 2.  Measured (tests/unit/push/compress_rate, release build,
 * one core of this machine, under the load of others) on bench/pull's
 * layers: its Debian minbase rootfs as a tar (121 MB) and its three layers
 * of random files (53 MB):
 *   rootfs  level 0: ratio 0.500, 360 MB/s   level 1: 0.450, 345-401 MB/s
 *           level 2: 0.445, 360-375 MB/s     level 3: 0.438, 220-236 MB/s
 *           (gzip -6, as zlib did here before: 0.404 at 20 MB/s; zstd -3: 0.340, 197 MB/s)
 *   random  level 0: ratio 1.206 (!), 410 MB/s   levels 1, 2: 0.982, 810-830 MB/s
 *           level 3: 0.982, 313 MB/s
 * Level 2 compresses as fast as level 1 and 1 % smaller; level 3 gains 1.6 %
 * more for 40 % of the rate, and compression is what bounds a push on two
 * cores.  Level 0 even grows incompressible data. */
#define GZIP_LEVEL 2
/* zstd's own default level, single-threaded (no workers: the output must
 * not depend on timing, and the push already runs layers side by side). */
#define ZSTD_LEVEL 3

struct push_compressor {
  berth_push_compression kind;
  berth_write_fn out;
  void *out_ctx;
  struct isal_zstream gz;
  uint8_t *level_buf;
  ZSTD_CCtx *zc;
  unsigned char *in;
  size_t in_len;
  unsigned char *outbuf;
  bool finished;
};

static size_t
gz_level_buf_size(int level)
{
  switch (level) {
  case 0:
    return ISAL_DEF_LVL0_DEFAULT;
  case 1:
    return ISAL_DEF_LVL1_DEFAULT;
  case 2:
    return ISAL_DEF_LVL2_DEFAULT;
  default:
    return ISAL_DEF_LVL3_DEFAULT;
  }
}

push_compressor *
push_compressor_new(berth_push_compression c, berth_write_fn out, void *out_ctx, berth_error **err)
{
  return push_compressor_new_level(c, -1, out, out_ctx, err);
}

push_compressor *
push_compressor_new_level(berth_push_compression c, int level, berth_write_fn out, void *out_ctx,
                          berth_error **err)
{
  push_compressor *pc = xcalloc(1, sizeof *pc);
  pc->kind = c;
  pc->out = out;
  pc->out_ctx = out_ctx;
  pc->in = xmalloc(IN_BLOCK);
  pc->outbuf = xmalloc(OUT_BLOCK);
  if (c == BERTH_PUSH_GZIP) {
    isal_deflate_init(&pc->gz);
    if (level < 0 || level > ISAL_DEF_MAX_LEVEL)
      level = GZIP_LEVEL;
    pc->gz.level = (uint32_t)level;
    size_t lb = gz_level_buf_size(level);
    pc->level_buf = lb > 0 ? xmalloc(lb) : NULL;
    pc->gz.level_buf = pc->level_buf;
    pc->gz.level_buf_size = (uint32_t)lb;
    /* isa-l's own gzip header: no name, mtime 0, so the same every time */
    pc->gz.gzip_flag = IGZIP_GZIP;
    pc->gz.flush = NO_FLUSH;
    return pc;
  }
  pc->zc = ZSTD_createCCtx();
  if (pc->zc == NULL
      || ZSTD_isError(
          ZSTD_CCtx_setParameter(pc->zc, ZSTD_c_compressionLevel, level < 0 ? ZSTD_LEVEL : level))
      || ZSTD_isError(ZSTD_CCtx_setParameter(pc->zc, ZSTD_c_checksumFlag, 1))) {
    push_compressor_free(pc);
    berth_error_set(err, ENOMEM, "zstd: cannot start");
    return NULL;
  }
  return pc;
}

void
push_compressor_free(push_compressor *pc)
{
  if (pc == NULL)
    return;
  ZSTD_freeCCtx(pc->zc);
  free(pc->level_buf);
  free(pc->in);
  free(pc->outbuf);
  free(pc);
}

void
push_compressor_cleanup(push_compressor **pc)
{
  push_compressor_free(*pc);
}

static int
gz_block(push_compressor *pc, bool last, berth_error **err)
{
  pc->gz.next_in = pc->in;
  pc->gz.avail_in = (uint32_t)pc->in_len;
  pc->gz.end_of_stream = last;
  do {
    pc->gz.next_out = pc->outbuf;
    pc->gz.avail_out = OUT_BLOCK;
    int rc = isal_deflate(&pc->gz);
    if (rc != COMP_OK)
      return berth_error_set(err, EIO, "gzip: isa-l deflate failed (%d)", rc);
    size_t n = OUT_BLOCK - pc->gz.avail_out;
    if (n > 0 && pc->out(pc->out_ctx, pc->outbuf, n, err) < 0)
      return -1;
  } while (pc->gz.avail_in > 0 || (last && pc->gz.internal_state.state != ZSTATE_END));
  return 0;
}

static int
zstd_block(push_compressor *pc, bool last, berth_error **err)
{
  ZSTD_inBuffer in = { pc->in, pc->in_len, 0 };
  ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer o = { pc->outbuf, OUT_BLOCK, 0 };
    size_t left = ZSTD_compressStream2(pc->zc, &o, &in, mode);
    if (ZSTD_isError(left))
      return berth_error_set(err, EIO, "zstd: %s", ZSTD_getErrorName(left));
    if (o.pos > 0 && pc->out(pc->out_ctx, pc->outbuf, o.pos, err) < 0)
      return -1;
    if (last ? left == 0 : in.pos == in.size)
      return 0;
  }
}

static int
flush_block(push_compressor *pc, bool last, berth_error **err)
{
  int rc = pc->kind == BERTH_PUSH_GZIP ? gz_block(pc, last, err) : zstd_block(pc, last, err);
  pc->in_len = 0;
  return rc;
}

int
push_compressor_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  push_compressor *pc = ctx;
  const unsigned char *p = buf;
  while (len > 0) {
    size_t n = IN_BLOCK - pc->in_len;
    if (n > len)
      n = len;
    memcpy(pc->in + pc->in_len, p, n);
    pc->in_len += n;
    p += n;
    len -= n;
    if (pc->in_len == IN_BLOCK && flush_block(pc, false, err) < 0)
      return -1;
  }
  return 0;
}

int
push_compressor_finish(push_compressor *pc, berth_error **err)
{
  if (pc->finished)
    return 0;
  pc->finished = true;
  return flush_block(pc, true, err);
}
