/* Shared helpers of the store unit tests. */
#pragma once

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/store.h"

static inline char *
make_root(void)
{
  char tmpl[] = "/tmp/berth-store-test-XXXXXX";
  if (mkdtemp(tmpl) == NULL)
    abort();
  return xasprintf("%s/root", tmpl);
}

static inline void
drop_root(char *root)
{
  char *slash = strrchr(root, '/');
  *slash = '\0';
  berth_rm_rf_at(AT_FDCWD, root, NULL);
  free(root);
}

/* Contents of root/path, NULL when unreadable. */
static inline char *
slurp(const char *root, const char *path)
{
  cleanup_free char *full = xasprintf("%s/%s", root, path);
  char *data = NULL;
  size_t len;
  if (berth_read_file_at(AT_FDCWD, full, &data, &len, NULL) < 0)
    return NULL;
  return data;
}

static inline int
mode_of(const char *root, const char *path)
{
  cleanup_free char *full = xasprintf("%s/%s", root, path);
  struct stat st;
  if (lstat(full, &st) < 0)
    return -1;
  return (int)(st.st_mode & 07777);
}

static inline bool
exists(const char *root, const char *path)
{
  cleanup_free char *full = xasprintf("%s/%s", root, path);
  return berth_exists_at(AT_FDCWD, full);
}

/* Makes a stage holding one file with `content`, publishes it on parent and
 * returns 0 (out filled) or -1; diff_id is a digest of content. */
static inline int
publish_one(berth_store *s, const char *parent, const char *content, berth_layer *out,
            berth_error **err)
{
  cleanup_layer_stage berth_layer_stage *st = berth_layer_stage_new(s, err);
  if (st == NULL)
    return -1;
  int fd = openat(berth_layer_stage_diff_fd(st), "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  ssize_t n = write(fd, content, strlen(content));
  close(fd);
  if (n < 0 || write(berth_layer_stage_tarsplit_fd(st), "gz", 2) != 2)
    return -1;
  char diff[BERTH_DIGEST_LEN];
  berth_sha256_digest(content, strlen(content), diff);
  return berth_layer_stage_publish(s, st, parent, diff, (long long)strlen(content), out, err);
}
