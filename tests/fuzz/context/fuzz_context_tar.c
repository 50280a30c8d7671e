/* Fuzz target: arbitrary bytes on standard input of `build -`: detected as
 * Docker's CLI does, and when an archive unpacked into a fresh temp
 * directory (removed afterwards); nothing may land outside it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/fs.h"
#include "context/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  size_t head = size < 512 ? size : 512;
  if (!berth_context_is_archive(data, head))
    return 0;
  char dir[] = "/tmp/berth-fuzz-ctxtar-XXXXXX";
  if (mkdtemp(dir) == NULL)
    return 0;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int in = memfd_create("rest", MFD_CLOEXEC);
  if (in >= 0 && size > head && write(in, data + head, size - head) != (ssize_t)(size - head))
    abort();
  if (in >= 0)
    lseek(in, 0, SEEK_SET);
  berth_error *err = NULL;
  berth_context_unpack_tar(data, head, in, dfd, &err);
  berth_error_free(err);
  err = NULL;
  close(in);
  close(dfd);
  berth_rm_rf_at(AT_FDCWD, dir, &err);
  berth_error_free(err);
  return 0;
}
