#include "store/mount_record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/mount.h"
#include "common/xalloc.h"
#include "store/internal.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape_octal(char *s)
{
  char *w = s;
  for (char *r = s; *r != '\0'; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0'
        && r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 3;
    } else {
      *w++ = *r;
    }
  }
  *w = '\0';
}

/* Trusts /proc/self/mountinfo's format: the fifth field is the mount point. */
bool
berth_is_mount_point(const char *path)
{
  /* the namespace berth started in: a build's own is not where image
   * mounts are made */
  cleanup_file FILE *f = berth_mountinfo_open();
  if (f == NULL)
    return true; /* cannot tell: keep the record and its layers */
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char *save = NULL, *field = strtok_r(line, " ", &save);
    for (int i = 0; i < 4 && field != NULL; i++)
      field = strtok_r(NULL, " ", &save);
    if (field == NULL)
      continue;
    unescape_octal(field);
    if (strcmp(field, path) == 0)
      return true;
  }
  return false;
}

/* Live while its creator holds the dir's flock or its target is mounted;
 * the flock is tried first, so a mount that is just being made counts. */
static bool
record_live(int dir_fd, const char *target)
{
  if (flock(dir_fd, LOCK_EX | LOCK_NB) < 0)
    return errno == EWOULDBLOCK;
  bool live = berth_is_mount_point(target);
  flock(dir_fd, LOCK_UN);
  return live;
}

/* The record files are berth's own, but still checked before use: the
 * image line must be "<digest> <n>", the chain a digest. */
static int
read_record(int dir_fd, berth_mount_record *r)
{
  cleanup_free char *image = berth_read_line_at(dir_fd, "image", NULL);
  r->target = berth_read_line_at(dir_fd, "target", NULL);
  if (image == NULL || r->target == NULL)
    return -1;
  char *sp = strchr(image, ' ');
  if (sp == NULL)
    return -1;
  *sp = '\0';
  char *end = NULL;
  r->n_layers = strtoul(sp + 1, &end, 10);
  if (!berth_digest_is_valid(image) || end == sp + 1 || *end != '\0')
    return -1;
  memcpy(r->image_id, image, BERTH_DIGEST_LEN);
  cleanup_free char *chain = berth_read_line_at(dir_fd, "chain", NULL);
  if (chain != NULL && berth_digest_is_valid(chain))
    memcpy(r->chain_id, chain, BERTH_DIGEST_LEN);
  return 0;
}

int
berth_store_mount_records(berth_store *s, berth_mount_record **out, size_t *n, berth_error **err)
{
  *out = NULL;
  *n = 0;
  cleanup_close int fd
      = openat(s->root_fd, BERTH_IMAGE_MOUNTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : berth_error_set(err, errno, "open " BERTH_IMAGE_MOUNTS_DIR);
  cleanup_dir DIR *d = berth_store_opendir(fd, ".", err);
  if (d == NULL)
    return -1;
  size_t cap = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    cleanup_close int rfd = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rfd < 0)
      continue;
    berth_mount_record r = { 0 };
    if (read_record(rfd, &r) < 0) {
      /* Half written: its creator is writing it (flock held) or died. */
      r.live = record_live(rfd, "");
      if (r.live) {
        free(r.target);
        continue;
      }
    } else {
      r.live = record_live(rfd, r.target);
    }
    if (*n == cap) {
      cap = cap ? cap * 2 : 4;
      *out = xrealloc(*out, cap * sizeof(**out));
    }
    r.name = xstrdup(de->d_name);
    (*out)[(*n)++] = r;
  }
  return 0;
}

void
berth_mount_records_free(berth_mount_record *v, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(v[i].name);
    free(v[i].target);
  }
  free(v);
}
