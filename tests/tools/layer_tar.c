/* Test helper: layer_tar ROOT CHAIN_ID writes the layer's exact tar, rebuilt
 * from its directory and tar-split, to stdout.  The bats tests use it to hand
 * an image berth made to peers (skopeo, umoci, podman) as an OCI layout,
 * straight from the store's files. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "archive/rebuild.h"
#include "archive/stream.h"
#include "common/cleanup.h"
#include "store/store.h"

static int
rebuild(const char *root, const char *chain_id, berth_error **err)
{
  cleanup_store berth_store *s = berth_store_open(root, err);
  if (s == NULL)
    return -1;
  berth_layer layer;
  int found = berth_store_layer_get(s, chain_id, &layer, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set(err, 0, "no layer %s", chain_id);
  cleanup_free char *diff = berth_store_layer_diff_path(s, &layer);
  cleanup_close int dirfd = open(diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int tsfd = berth_store_layer_open_tarsplit(s, chain_id, err);
  if (dirfd < 0 || tsfd < 0)
    return tsfd < 0 ? -1 : berth_error_set(err, 0, "open %s", diff);
  int out = STDOUT_FILENO;
  return berth_layer_tar_rebuild(dirfd, tsfd, berth_fd_write, &out, err);
}

int
main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: layer_tar ROOT CHAIN_ID > layer.tar\n");
    return 2;
  }
  cleanup_error berth_error *err = NULL;
  if (rebuild(argv[1], argv[2], &err) < 0) {
    fprintf(stderr, "layer_tar: %s\n", berth_error_message(err));
    return 1;
  }
  return 0;
}
