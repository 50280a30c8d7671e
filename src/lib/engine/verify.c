#include "engine/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "archive/confine.h"
#include "archive/crc64.h"
#include "archive/rebuild.h"
#include "archive/tarsplit.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/image_load.h"

struct names {
  char **v;
  size_t n, cap;
};

static void
names_add(struct names *s, char *name)
{
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 256;
    s->v = xrealloc(s->v, s->cap * sizeof *s->v);
  }
  s->v[s->n++] = name;
}

static void
names_clear(struct names *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_file(berth_verify_layer *l, char kind, const char *rel)
{
  l->files = xrealloc(l->files, (l->n_files + 1) * sizeof *l->files);
  l->files[l->n_files].kind = kind;
  l->files[l->n_files].path = xasprintf("/%s", rel);
  l->n_files++;
}

/* The path the tar entry stands for on disk: ".wh.X" is X (a whiteout
 * device), ".wh..wh..opq" is its directory's attribute (NULL: no path). */
static char *
disk_name(const char *clean)
{
  const char *slash = strrchr(clean, '/');
  const char *base = slash ? slash + 1 : clean;
  if (strcmp(base, ".wh..wh..opq") == 0)
    return NULL;
  if (strncmp(base, ".wh.", 4) == 0)
    return xasprintf("%.*s%s", (int)(base - clean), clean, base + 4);
  return xstrdup(clean);
}

/* Compares one named file with the directory: 0 same, '-' or '~'. */
static char
check_member(int rootfd, const char *clean, const berth_tarsplit_entry *e, bool whiteout)
{
  berth_confine_mode mode = BERTH_CONFINE_WALK;
  berth_error *err = NULL;
  const char *base;
  int dfd = berth_confine_open_parent(rootfd, clean, false, &mode, &base, &err);
  if (dfd < 0) {
    berth_error_free(err);
    return '-';
  }
  struct stat st;
  char kind = 0;
  if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    kind = '-';
  else if (whiteout)
    kind = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0) ? 0 : '~';
  else if (e->size > 0) {
    int fd = S_ISREG(st.st_mode) && st.st_size == e->size
                 ? openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
                 : -1;
    kind = '~';
    if (fd >= 0 && e->payload != NULL && e->payload_len == 8) {
      uint64_t crc = 0;
      char buf[65536];
      ssize_t r;
      while ((r = read(fd, buf, sizeof buf)) > 0)
        crc = berth_crc64_update(crc, buf, (size_t)r);
      unsigned char sum[8];
      berth_crc64_bytes(crc, sum);
      if (r == 0 && memcmp(sum, e->payload, 8) == 0)
        kind = 0;
    }
    if (fd >= 0)
      close(fd);
  }
  close(dfd);
  return kind;
}

/* Reads the tar-split: checks every member, collects the disk names. */
static int
check_members(int rootfd, int tsfd, berth_verify_layer *l, struct names *known, berth_error **err)
{
  cleanup_tarsplit_reader berth_tarsplit_reader *r = berth_tarsplit_reader_new(tsfd);
  berth_tarsplit_entry e = { 0 };
  int rc;
  while ((rc = berth_tarsplit_reader_next(r, &e, err)) == 1) {
    if (e.type != BERTH_TARSPLIT_FILE)
      continue;
    berth_error *cerr = NULL;
    cleanup_free char *clean = berth_confine_clean(e.name, &cerr);
    if (clean == NULL) {
      berth_error_free(cerr);
      continue; /* unpack refused it too: nothing on disk */
    }
    if (*clean == '\0')
      continue;
    char *disk = disk_name(clean);
    if (disk == NULL)
      continue;
    const char *base = strrchr(clean, '/') ? strrchr(clean, '/') + 1 : clean;
    char kind = check_member(rootfd, disk, &e, strncmp(base, ".wh.", 4) == 0);
    if (kind != 0)
      add_file(l, kind, disk);
    for (char *slash = strchr(disk, '/'); slash != NULL; slash = strchr(slash + 1, '/'))
      names_add(known, xstrndup(disk, (size_t)(slash - disk))); /* parents may be implicit */
    names_add(known, disk);
  }
  berth_tarsplit_entry_clear(&e);
  return rc < 0 ? -1 : 0;
}

/* Every path under dirfd that known lacks is '+' (a new directory is
 * reported, its contents not). */
static int
find_added(int dirfd, const char *prefix, struct names *known, berth_verify_layer *l,
           berth_error **err)
{
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", *prefix ? prefix : "/");
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return berth_error_set(err, errno, "open %s", prefix);
  }
  struct names here = { 0 };
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
      names_add(&here, xstrdup(de->d_name));
  if (here.n > 0)
    qsort(here.v, here.n, sizeof *here.v, cmp_str);
  int rc = 0;
  for (size_t i = 0; i < here.n && rc == 0; i++) {
    cleanup_free char *rel = *prefix ? xasprintf("%s/%s", prefix, here.v[i]) : xstrdup(here.v[i]);
    if (bsearch(&rel, known->v, known->n, sizeof *known->v, cmp_str) == NULL) {
      add_file(l, '+', rel);
      continue;
    }
    struct stat st;
    if (fstatat(dirfd, here.v[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      cleanup_close int sub
          = openat(dirfd, here.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      rc = sub < 0 ? berth_error_set(err, errno, "open %s", rel)
                   : find_added(sub, rel, known, l, err);
    }
  }
  names_clear(&here);
  return rc;
}

static int
hash_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  berth_sha256_update(ctx, buf, len);
  return 0;
}

static int
cmp_file(const void *a, const void *b)
{
  return strcmp(((const berth_verify_file *)a)->path, ((const berth_verify_file *)b)->path);
}

int
berth_verify_layer_check(berth_store *s, const char *chain_id, berth_verify_layer *out,
                         berth_error **err)
{
  memset(out, 0, sizeof *out);
  berth_layer layer;
  int found = berth_store_layer_get(s, chain_id, &layer, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set(err, ENOENT, "layer %s is missing", chain_id);
  memcpy(out->chain_id, layer.chain_id, BERTH_DIGEST_LEN);
  memcpy(out->diff_id, layer.diff_id, BERTH_DIGEST_LEN);
  cleanup_free char *path = berth_store_layer_diff_path(s, &layer);
  cleanup_close int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return berth_error_set(err, errno, "open %s", path);
  cleanup_close int ts = berth_store_layer_open_tarsplit(s, chain_id, err);
  if (ts < 0)
    return -1;
  struct names known = { 0 };
  int rc = check_members(root, ts, out, &known, err);
  if (known.n > 0)
    qsort(known.v, known.n, sizeof *known.v, cmp_str);
  if (rc == 0)
    rc = find_added(root, "", &known, out, err);
  names_clear(&known);
  if (rc < 0)
    return berth_error_prefix(err, "verify layer %s", chain_id);
  if (out->n_files > 0) {
    qsort(out->files, out->n_files, sizeof *out->files, cmp_file);
    return 0;
  }
  if (lseek(ts, 0, SEEK_SET) < 0)
    return berth_error_set(err, errno, "rewind tar-split");
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  berth_error *rerr = NULL;
  if (berth_layer_tar_rebuild(root, ts, hash_write, h, &rerr) < 0) {
    out->problem = xstrdup(berth_error_message(rerr));
    berth_error_free(rerr);
    return 0;
  }
  char got[BERTH_DIGEST_LEN];
  berth_sha256_final(h, got);
  out->ok = strcmp(got, layer.diff_id) == 0;
  if (!out->ok)
    out->problem = xasprintf("the rebuilt tar is %s", got);
  return 0;
}

int
berth_verify_image(berth_store *s, const char *id, berth_verify_layer **out, size_t *n,
                   berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_free berth_layer *layers = NULL;
  size_t nl = 0;
  if (berth_image_layers(s, c, &layers, &nl, err) < 0)
    return -1;
  berth_verify_layer *v = xcalloc(nl + 1, sizeof *v);
  for (size_t i = 0; i < nl; i++)
    if (berth_verify_layer_check(s, layers[i].chain_id, &v[i], err) < 0) {
      berth_verify_layers_free(v, i + 1);
      return -1;
    }
  *out = v;
  *n = nl;
  return 0;
}

void
berth_verify_layer_clear(berth_verify_layer *l)
{
  for (size_t i = 0; i < l->n_files; i++)
    free(l->files[i].path);
  free(l->files);
  free(l->problem);
  memset(l, 0, sizeof *l);
}

void
berth_verify_layers_free(berth_verify_layer *v, size_t n)
{
  for (size_t i = 0; v != NULL && i < n; i++)
    berth_verify_layer_clear(&v[i]);
  free(v);
}
