/* Not a test: the rate and ratio of push's compressors on a file (a layer
 * tar), at the levels given: compress_rate FILE gzip:0 gzip:1 zstd:3 … */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "push/compress.h"

static int
count(void *ctx, const void *data, size_t len, berth_error **err)
{
  (void)data;
  (void)err;
  *(size_t *)ctx += len;
  return 0;
}

int
main(int argc, char **argv)
{
  if (argc < 3)
    return 2;
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0)
    return 1;
  size_t len = (size_t)st.st_size;
  unsigned char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (p == MAP_FAILED)
    return 1;
  for (int i = 2; i < argc; i++) {
    berth_push_compression c = strncmp(argv[i], "zstd", 4) == 0 ? BERTH_PUSH_ZSTD : BERTH_PUSH_GZIP;
    const char *colon = strchr(argv[i], ':');
    int level = colon ? atoi(colon + 1) : -1;
    size_t out = 0;
    berth_error *err = NULL;
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    push_compressor *pc = push_compressor_new_level(c, level, count, &out, &err);
    for (size_t off = 0; off < len; off += 65536)
      push_compressor_write(pc, p + off, len - off < 65536 ? len - off : 65536, &err);
    push_compressor_finish(pc, &err);
    push_compressor_free(pc);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%-8s in %zu out %zu ratio %.3f cpu %.3f s rate %.0f MB/s\n", argv[i], len, out,
           (double)out / (double)len, s, (double)len / s / 1e6);
  }
  return 0;
}
