/* Fuzz target: arbitrary bytes as a layer blob, unpacked into a fresh temp
 * directory that is removed afterwards. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "archive/unpack.h"
#include "common/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
  const uint8_t *data;
  size_t len, pos;
};

static ssize_t
src_read(void *ctx, void *buf, size_t len, berth_error **err)
{
  struct src *s = ctx;
  size_t n = s->len - s->pos < len ? s->len - s->pos : len;
  if (n > 4093) /* odd chunks exercise the buffer boundaries */
    n = 4093;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (ssize_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char dir[] = "/tmp/berth-fuzz-unpack-XXXXXX";
  if (mkdtemp(dir) == NULL)
    return 0;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int split = memfd_create("tar-split", MFD_CLOEXEC);
  struct src s = { data, size, 0 };
  berth_unpack_result res;
  berth_error *err = NULL;
  berth_layer_unpack(src_read, &s, dfd, split, &res, &err);
  berth_error_free(err);
  err = NULL;
  close(split);
  close(dfd);
  berth_rm_rf_at(AT_FDCWD, dir, &err);
  berth_error_free(err);
  return 0;
}
