/* bench/igzip_rate.c — isa-l's gzip rate on this machine, the floor of a
 * push that has to compress its layers (bench/push builds and runs it).
 *
 * Usage: igzip_rate LEVEL FILE...
 * Each FILE (a layer's tar) is read into memory first, so that only the
 * compression is timed, then gzipped with isal_deflate at LEVEL (0–3; 1 is
 * the igzip CLI's default) into a reused output buffer, three times; one line
 * a file: "NAME BYTES_IN BYTES_OUT SECONDS" (the fastest of the three, one
 * core). */
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OUT_SIZE (256 * 1024)

static unsigned char *
slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 1 << 20, n = 0, got;
  unsigned char *buf = malloc(cap);
  while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      unsigned char *bigger = realloc(buf, cap *= 2);
      if (bigger == NULL)
        free(buf);
      buf = bigger;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const unsigned level_buf_size[] = { ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT,
                                           ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT };

/* One gzip stream of the whole input; returns the compressed size, or -1. */
static long long
gzip_once(const unsigned char *in, size_t len, int level, unsigned char *level_buf,
          unsigned char *out)
{
  struct isal_zstream z;
  isal_deflate_init(&z);
  z.gzip_flag = IGZIP_GZIP;
  z.level = (unsigned)level;
  z.level_buf = level_buf;
  z.level_buf_size = level_buf_size[level];
  z.next_in = (unsigned char *)in;
  z.avail_in = (unsigned)len;
  z.end_of_stream = 1;
  z.flush = NO_FLUSH;
  long long total = 0;
  do {
    z.next_out = out;
    z.avail_out = OUT_SIZE;
    if (isal_deflate(&z) != COMP_OK)
      return -1;
    total += OUT_SIZE - z.avail_out;
  } while (z.internal_state.state != ZSTATE_END);
  return total;
}

int
main(int argc, char **argv)
{
  if (argc < 3 || argv[1][0] < '0' || argv[1][0] > '3' || argv[1][1] != '\0') {
    fprintf(stderr, "usage: %s LEVEL(0-3) FILE...\n", argv[0]);
    return 2;
  }
  int level = argv[1][0] - '0';
  unsigned char *out = malloc(OUT_SIZE);
  unsigned char *level_buf = malloc(level_buf_size[level] + 1);
  if (out == NULL || level_buf == NULL)
    return 1;
  for (int i = 2; i < argc; i++) {
    size_t len = 0;
    unsigned char *in = slurp(argv[i], &len);
    if (in == NULL || len > 0xffffffffu) {
      fprintf(stderr, "%s: cannot read (or over 4 GiB)\n", argv[i]);
      return 1;
    }
    double best = 0;
    long long size = 0;
    for (int r = 0; r < 3; r++) {
      double t0 = now();
      size = gzip_once(in, len, level, level_buf, out);
      double t = now() - t0;
      if (size < 0) {
        fprintf(stderr, "%s: isal_deflate failed\n", argv[i]);
        return 1;
      }
      if (r == 0 || t < best)
        best = t;
    }
    printf("%s %zu %lld %.4f\n", argv[i], len, size, best);
    free(in);
  }
  free(out);
  free(level_buf);
  return 0;
}
