#include "store/layer_tar.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "archive/rebuild.h"
#include "common/cleanup.h"
#include "common/digest.h"
#include "common/digest_async.h"
#include "store/layer.h"

struct hashing_sink {
  berth_write_fn write;
  void *ctx;
  berth_sha256_async *h; /* on a thread of its own: the stream does not wait for it */
  long long written;
};

static int
hashing_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  struct hashing_sink *t = ctx;
  berth_sha256_async_update(t->h, buf, len);
  if (t->write(t->ctx, buf, len, err) < 0)
    return -1;
  t->written += (long long)len;
  return 0;
}

int
berth_store_layer_tar_write(berth_store *s, const char *chain_id, berth_write_fn write, void *ctx,
                            long long *written, berth_error **err)
{
  berth_layer layer;
  int found = berth_store_layer_get(s, chain_id, &layer, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set(err, ENOENT, "layer %s is missing", chain_id);
  cleanup_free char *path = berth_store_layer_diff_path(s, &layer);
  cleanup_close int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return berth_error_set(err, errno, "open %s", path);
  cleanup_close int ts = berth_store_layer_open_tarsplit(s, chain_id, err);
  if (ts < 0)
    return -1;
  cleanup_sha256_async berth_sha256_async *h = berth_sha256_async_new();
  struct hashing_sink t = { write, ctx, h, 0 };
  if (berth_layer_tar_rebuild(root, ts, hashing_write, &t, err) < 0)
    return -1;
  char got[BERTH_DIGEST_LEN];
  berth_sha256_async_final(h, got);
  *written = t.written;
  if (strcmp(got, layer.diff_id) != 0)
    return berth_error_set(err, 0,
                           "the rebuilt tar is %s (%lld bytes), not the diffID: the layer's "
                           "files changed (`berth verify` names them)",
                           got, t.written);
  return 0;
}
