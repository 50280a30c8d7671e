/* Test helper: unpack_tool LAYER DIR TARSPLIT [REBUILT] unpacks a layer file
 * into DIR with berth_layer_unpack, prints the diffID and size, and, with
 * REBUILT, re-creates the tar from DIR and the tar-split. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "archive/rebuild.h"
#include "archive/unpack.h"

static ssize_t
read_fd(void *ctx, void *buf, size_t len, berth_error **err)
{
  ssize_t n = read(*(int *)ctx, buf, len);
  return n < 0 ? berth_error_set(err, 0, "read input") : n;
}

static int
write_fd(void *ctx, const void *buf, size_t len, berth_error **err)
{
  return write(*(int *)ctx, buf, len) == (ssize_t)len ? 0 : berth_error_set(err, 0, "write");
}

int
main(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: unpack_tool LAYER DIR TARSPLIT [REBUILT]\n");
    return 2;
  }
  int in = open(argv[1], O_RDONLY | O_CLOEXEC);
  int dir = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int split = open(argv[3], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (in < 0 || dir < 0 || split < 0) {
    perror("open");
    return 2;
  }
  berth_unpack_result res;
  berth_error *err = NULL;
  if (berth_layer_unpack(read_fd, &in, dir, split, &res, &err) < 0) {
    fprintf(stderr, "unpack: %s\n", berth_error_message(err));
    return 1;
  }
  printf("%s %lld\n", res.diff_id, res.size);
  if (argc > 4) {
    int out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    lseek(split, 0, SEEK_SET);
    if (out < 0 || berth_layer_tar_rebuild(dir, split, write_fd, &out, &err) < 0) {
      fprintf(stderr, "rebuild: %s\n", err ? berth_error_message(err) : "open output");
      return 1;
    }
  }
  return 0;
}
