/* `save`: the docker-archive tarball, streamed layer by layer. */
#include "images/save.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/tarsplit.h"
#include "common/cleanup.h"
#include "common/digest.h"
#include "common/xalloc.h"
#include "images/save_plan.h"
#include "store/layer_tar.h"

/* The outer tar as Docker's pkg/archive writes it with Go's archive/tar:
 * ustar headers (pax only when a field does not fit), root/root, no padding
 * to a 10240-byte block. */
struct archive_entry *
save_new_entry(const char *name, int type, int perm, long long size, int64_t mtime)
{
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, name);
  archive_entry_set_filetype(e, (unsigned)type);
  archive_entry_set_perm(e, (mode_t)perm);
  archive_entry_set_size(e, size);
  archive_entry_set_mtime(e, (time_t)mtime, 0);
  archive_entry_set_uid(e, 0);
  archive_entry_set_gid(e, 0);
  archive_entry_set_uname(e, "root");
  archive_entry_set_gname(e, "root");
  return e;
}

int
save_archive_fail(struct archive *a, const char *what, berth_error **err)
{
  int e = archive_errno(a);
  return berth_error_set(err, e > 0 ? e : 0, "write %s: %s", what,
                         archive_error_string(a) ? archive_error_string(a) : "failed");
}

static la_ssize_t
out_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
  struct save_out *o = ctx;
  for (size_t off = 0; off < len;) {
    ssize_t n = write(o->fd, (const char *)buf + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      archive_set_error(a, errno, "%s", strerror(errno));
      return -1;
    }
    off += (size_t)n;
  }
  o->written += (off_t)len;
  if (o->writeback && o->written - o->kicked >= SAVE_WRITEBACK_SIZE) {
    /* Start this window's writeback, then wait for the one before (it had
     * a window's time to get there).  A filesystem that refuses is only
     * slower: the fsync still makes it durable. */
    if (sync_file_range(o->fd, o->kicked, o->written - o->kicked, SYNC_FILE_RANGE_WRITE) == 0
        && o->kicked > o->waited)
      (void)sync_file_range(o->fd, o->waited, o->kicked - o->waited,
                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE
                                | SYNC_FILE_RANGE_WAIT_AFTER);
    o->waited = o->kicked;
    o->kicked = o->written;
  }
  return (la_ssize_t)len;
}

int
save_archive_open(struct archive *a, struct save_out *o, int fd, bool writeback)
{
  struct stat st;
  *o = (struct save_out){ .fd = fd };
  o->writeback = writeback && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
  archive_write_set_bytes_per_block(a, SAVE_BLOCK_SIZE);
  archive_write_set_bytes_in_last_block(a, 1);
  return archive_write_open2(a, o, NULL, out_write, NULL, NULL) == ARCHIVE_OK ? 0 : -1;
}

int
save_put_header(struct archive *a, struct archive_entry *e, berth_error **err)
{
  int rc = archive_write_header(a, e);
  int ret = rc < ARCHIVE_WARN ? save_archive_fail(a, archive_entry_pathname(e), err) : 0;
  archive_entry_free(e);
  return ret;
}

int
save_put_file(struct archive *a, const char *name, const char *data, size_t len, int64_t mtime,
              berth_error **err)
{
  if (save_put_header(a, save_new_entry(name, AE_IFREG, 0644, (long long)len, mtime), err) < 0)
    return -1;
  if (len > 0 && archive_write_data(a, data, len) != (ssize_t)len)
    return save_archive_fail(a, name, err);
  return 0;
}

/* The size of the tar a tar-split re-creates: its raw segments and the
 * contents of its files. */
static int
tarsplit_size(int fd, long long *out, berth_error **err)
{
  cleanup_tarsplit_reader berth_tarsplit_reader *r = berth_tarsplit_reader_new(fd);
  berth_tarsplit_entry e = { 0 };
  long long total = 0;
  int rc;
  while ((rc = berth_tarsplit_reader_next(r, &e, err)) == 1)
    total += e.type == BERTH_TARSPLIT_FILE ? e.size : (long long)e.payload_len;
  berth_tarsplit_entry_clear(&e);
  if (rc < 0)
    return -1;
  *out = total;
  return 0;
}

/* The outer archive's header says the layer's size up front: the tar
 * rebuilt must be exactly that long. */
struct sized_sink {
  save_write_fn write;
  void *ctx;
  long long written, size;
};

static int
sized_write(void *ctx, const void *buf, size_t len, berth_error **err)
{
  struct sized_sink *t = ctx;
  if (t->written + (long long)len > t->size)
    return berth_error_set(err, 0, "the rebuilt tar is longer than its tar-split says");
  t->written += (long long)len;
  return t->write(t->ctx, buf, len, err);
}

int
save_layer_size(berth_store *s, const char *chain_id, long long *size, berth_error **err)
{
  cleanup_close int ts = berth_store_layer_open_tarsplit(s, chain_id, err);
  return ts < 0 ? -1 : tarsplit_size(ts, size, err);
}

int
save_layer_write(berth_store *s, const char *chain_id, long long size, save_write_fn write,
                 void *ctx, berth_error **err)
{
  struct sized_sink t = { write, ctx, 0, size };
  long long written = 0;
  if (berth_store_layer_tar_write(s, chain_id, sized_write, &t, &written, err) < 0)
    return -1;
  if (written != size)
    return berth_error_set(err, 0,
                           "the rebuilt tar of layer %s is %lld bytes, its tar-split says %lld",
                           chain_id, written, size);
  return 0;
}

static int
archive_sink(void *ctx, const void *buf, size_t len, berth_error **err)
{
  struct archive *a = ctx;
  if (archive_write_data(a, buf, len) != (ssize_t)len)
    return save_archive_fail(a, "layer tar", err);
  return 0;
}

int
save_put_layer_tar(struct archive *a, berth_store *s, const char *name, const char *chain_id,
                   int64_t mtime, berth_error **err)
{
  long long size = 0;
  if (save_layer_size(s, chain_id, &size, err) < 0
      || save_put_header(a, save_new_entry(name, AE_IFREG, 0644, size, mtime), err) < 0)
    return -1;
  return save_layer_write(s, chain_id, size, archive_sink, a, err);
}

/* <v1>/layer.tar: the layer's exact tar, rebuilt from its directory and
 * tar-split while it streams, its sha256 checked against the diffID. */
static int
put_layer_tar(struct archive *a, berth_store *s, const save_layer *l, berth_error **err)
{
  cleanup_free char *name = xasprintf("%s/layer.tar", l->v1);
  if (l->link_to != NULL) {
    /* Docker links a diffID it already wrote under another v1 id. */
    struct archive_entry *e = save_new_entry(name, AE_IFLNK, 0777, 0, l->mtime);
    cleanup_free char *target = xasprintf("../%s/layer.tar", l->link_to);
    archive_entry_set_symlink(e, target);
    return save_put_header(a, e, err);
  }
  return save_put_layer_tar(a, s, name, l->chain_id, l->mtime, err);
}

static int
put_layer(struct archive *a, berth_store *s, const save_layer *l, berth_error **err)
{
  cleanup_free char *version = xasprintf("%s/VERSION", l->v1);
  cleanup_free char *json = xasprintf("%s/json", l->v1);
  if (save_put_header(a, save_new_entry(l->v1, AE_IFDIR, 0755, 0, l->mtime), err) < 0
      || save_put_file(a, version, "1.0", 3, l->mtime, err) < 0
      || save_put_file(a, json, l->json, strlen(l->json), l->mtime, err) < 0
      || put_layer_tar(a, s, l, err) < 0)
    return berth_error_prefix(err, "layer %s", l->diff_id);
  return 0;
}

struct member {
  const char *name;
  const save_layer *layer;
  const save_image *image;
};

static int
cmp_member(const void *a, const void *b)
{
  return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

/* Every member in the lexical order of Docker's directory walk. */
static int
write_archive(struct archive *a, berth_store *s, const save_plan *p, berth_error **err)
{
  size_t n = p->n_layers + p->n_images;
  cleanup_free struct member *m = xcalloc(n + 1, sizeof *m);
  cleanup_free char **config_names = xcalloc(p->n_images + 1, sizeof *config_names);
  for (size_t i = 0; i < p->n_layers; i++)
    m[i] = (struct member){ p->layers[i].v1, &p->layers[i], NULL };
  for (size_t i = 0; i < p->n_images; i++) {
    config_names[i] = xasprintf("%s.json", berth_digest_hex(p->images[i].id));
    m[p->n_layers + i] = (struct member){ config_names[i], NULL, &p->images[i] };
  }
  qsort(m, n, sizeof *m, cmp_member);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = m[i].layer != NULL ? put_layer(a, s, m[i].layer, err)
                            : save_put_file(a, m[i].name, m[i].image->config,
                                            m[i].image->config_len, m[i].image->created, err);
  for (size_t i = 0; i < p->n_images; i++)
    free(config_names[i]);
  if (rc < 0)
    return -1;
  cleanup_free char *manifest = save_plan_manifest(p);
  if (save_put_file(a, "manifest.json", manifest, strlen(manifest), 0, err) < 0)
    return -1;
  cleanup_free char *repos = save_plan_repositories(p);
  if (repos != NULL && save_put_file(a, "repositories", repos, strlen(repos), 0, err) < 0)
    return -1;
  return 0;
}

int
berth_image_save(berth_store *s, char *const *names, size_t n, int fd, berth_error **err)
{
  return save_docker_to(s, names, n, fd, false, err);
}

int
save_docker_to(berth_store *s, char *const *names, size_t n, int fd, bool writeback,
               berth_error **err)
{
  save_plan p = { 0 };
  if (save_plan_make(s, names, n, &p, err) < 0)
    return -1;
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  struct save_out out;
  int rc = save_archive_open(a, &out, fd, writeback) == 0 ? write_archive(a, s, &p, err)
                                                          : save_archive_fail(a, "archive", err);
  if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
    rc = save_archive_fail(a, "archive", err);
  archive_write_free(a);
  save_plan_clear(&p);
  return rc;
}

int
berth_image_save_file(berth_store *s, char *const *names, size_t n, const char *path, bool oci,
                      berth_error **err)
{
  /* Resolve first, so that an unknown name leaves no file behind. */
  save_plan p = { 0 };
  if (save_plan_make(s, names, n, &p, err) < 0)
    return -1;
  save_plan_clear(&p);
  cleanup_free char *copy = xstrdup(path);
  /* Docker's CLI also writes a temporary file beside the target (mode
   * 0600), then renames it. */
  cleanup_free char *tmp = xasprintf("%s/.berth_temp_XXXXXX", dirname(copy));
  cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "failed to create a temporary file for %s", path);
  int rc
      = oci ? save_oci_to(s, names, n, fd, true, err) : save_docker_to(s, names, n, fd, true, err);
  if (rc < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
    int e = errno;
    unlink(tmp);
    if (err != NULL && *err == NULL)
      berth_error_set(err, e, "write %s", path);
    return -1;
  }
  return 0;
}
