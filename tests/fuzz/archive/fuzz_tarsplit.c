/* Fuzz target: arbitrary bytes as a tar-split (gzip is skipped when the
 * input is not gzip, so the JSON parser is reached), rebuilt against a small
 * fixed layer directory. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "archive/rebuild.h"
#include "common/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
discard(void *ctx, const void *buf, size_t len, berth_error **err)
{
  *(size_t *)ctx += len;
  return 0;
}

static void
write_input(int fd, const uint8_t *data, size_t size)
{
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    if (write(fd, data, size) < 0)
      abort();
    return;
  }
  gzFile gz = gzdopen(dup(fd), "wb1");
  if (size > 0)
    gzwrite(gz, data, (unsigned)size);
  gzclose(gz);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char dir[] = "/tmp/berth-fuzz-tarsplit-XXXXXX";
  if (mkdtemp(dir) == NULL)
    return 0;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  berth_error *err = NULL;
  int f = openat(dfd, "a", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (f < 0 || write(f, "abc", 3) != 3)
    abort();
  close(f);
  symlinkat("/etc/passwd", dfd, "link");
  int split = memfd_create("tar-split", MFD_CLOEXEC);
  write_input(split, data, size);
  lseek(split, 0, SEEK_SET);
  size_t total = 0;
  berth_layer_tar_rebuild(dfd, split, discard, &total, &err);
  berth_error_free(err);
  err = NULL;
  close(split);
  close(dfd);
  berth_rm_rf_at(AT_FDCWD, dir, &err);
  berth_error_free(err);
  return 0;
}
