#include "store/layer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/xalloc.h"
#include "store/internal.h"

/* Reads layerdb entry file `file` into out (size n); a missing file gives "". */
static int
read_entry_file(int entry_fd, const char *file, char *out, size_t n, bool required,
                berth_error **err)
{
  cleanup_error berth_error *local = NULL;
  cleanup_free char *line = berth_read_line_at(entry_fd, file, &local);
  if (line == NULL) {
    if (!required && berth_error_errno(local) == ENOENT) {
      out[0] = '\0';
      return 0;
    }
    return berth_error_propagate(err, &local);
  }
  if (strlen(line) >= n)
    return berth_error_set(err, 0, "%s: value too long", file);
  memcpy(out, line, strlen(line) + 1);
  return 0;
}

static int
read_layer(berth_store *s, int entry_fd, berth_layer *out, berth_error **err)
{
  char size[32];
  if (read_entry_file(entry_fd, "diff", out->diff_id, sizeof(out->diff_id), true, err) < 0
      || read_entry_file(entry_fd, "parent", out->parent, sizeof(out->parent), false, err) < 0
      || read_entry_file(entry_fd, "cache-id", out->cache_id, sizeof(out->cache_id), true, err) < 0
      || read_entry_file(entry_fd, "size", size, sizeof(size), true, err) < 0)
    return -1;
  char *end = NULL;
  out->size = strtoll(size, &end, 10);
  if (end == size || *end != '\0')
    return berth_error_set(err, 0, "size: not a number");
  if (!berth_store_is_hex64(out->cache_id))
    return berth_error_set(err, 0, "cache-id: not 64 hex digits");
  cleanup_free char *link_path = xasprintf("%s/link", out->cache_id);
  if (read_entry_file(s->overlay_fd, link_path, out->link, sizeof(out->link), true, err) < 0)
    return -1;
  if (strlen(out->link) != 26 || strspn(out->link, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != 26)
    return berth_error_set(err, 0, "overlay2/%s/link: not a short link name", out->cache_id);
  return 0;
}

/* Trusts nothing about chain_id beyond it being a string: it is validated
 * before it names a file. */
int
berth_store_layer_get(berth_store *s, const char *chain_id, berth_layer *out, berth_error **err)
{
  if (berth_digest_check(chain_id, err) < 0)
    return berth_error_prefix(err, "layer");
  cleanup_free char *path = xasprintf(LAYERDB_SHA "/%s", berth_digest_hex(chain_id));
  cleanup_close int fd = openat(s->image_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return 0;
    return berth_error_set(err, errno, "open layer %s", chain_id);
  }
  memset(out, 0, sizeof(*out));
  snprintf(out->chain_id, sizeof(out->chain_id), "%s", chain_id);
  if (read_layer(s, fd, out, err) < 0)
    return berth_error_prefix(err, "read layer %s", chain_id);
  return 1;
}

char *
berth_store_layer_diff_path(berth_store *s, const berth_layer *l)
{
  return xasprintf("%s/overlay2/%s/diff", s->root, l->cache_id);
}

int
berth_store_layer_open_tarsplit(berth_store *s, const char *chain_id, berth_error **err)
{
  if (berth_digest_check(chain_id, err) < 0)
    return berth_error_prefix(err, "layer");
  cleanup_free char *path
      = xasprintf(LAYERDB_SHA "/%s/tar-split.json.gz", berth_digest_hex(chain_id));
  int fd = openat(s->image_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open tar-split of layer %s", chain_id);
  return fd;
}

/* Lists "sha256:<name>" for each 64-hex entry of image/overlay2/<dir>. */
static char **
list_digests(berth_store *s, const char *dir, berth_error **err)
{
  cleanup_close int fd = berth_open_dir_at(s->image_fd, dir, false, err);
  if (fd < 0)
    return NULL;
  cleanup_dir DIR *d = berth_store_opendir(fd, ".", err);
  if (d == NULL)
    return NULL;
  size_t n = 0, cap = 16;
  char **v = xmalloc(cap * sizeof(*v));
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!berth_store_is_hex64(de->d_name))
      continue;
    if (n + 1 >= cap) {
      cap *= 2;
      v = xrealloc(v, cap * sizeof(*v));
    }
    v[n++] = xasprintf("sha256:%s", de->d_name);
  }
  v[n] = NULL;
  return v;
}

char **
berth_store_layer_list(berth_store *s, berth_error **err)
{
  return list_digests(s, LAYERDB_SHA, err);
}

char **
berth_store_list_digests(berth_store *s, const char *dir, berth_error **err)
{
  return list_digests(s, dir, err);
}
