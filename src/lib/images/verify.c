#include "images/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/rebuild.h"
#include "common/cleanup.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "images/verify_tree.h"
#include "store/image_load.h"

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
    qsort(here.v, here.n, sizeof *here.v, berth_strcmp_qsort);
  int rc = 0;
  for (size_t i = 0; i < here.n && rc == 0; i++) {
    cleanup_free char *rel = *prefix ? xasprintf("%s/%s", prefix, here.v[i]) : xstrdup(here.v[i]);
    if (bsearch(&rel, known->v, known->n, sizeof *known->v, berth_strcmp_qsort) == NULL) {
      berth_verify_layer_add(l, '+', rel, NULL);
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

/* By path; for one path, added/removed/contents first, then the rest. */
static int
cmp_file(const void *a, const void *b)
{
  const berth_verify_file *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  if (c != 0 || x->what == y->what)
    return c;
  if (x->what == NULL || y->what == NULL)
    return x->what == NULL ? -1 : 1;
  return strcmp(x->what, y->what);
}

/* The tree's paths, sorted, for find_added (the root is not a name). */
static void
tree_names(const berth_verify_tree *t, struct names *known)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i]->live && *t->v[i]->path != '\0')
      names_add(known, xstrdup(t->v[i]->path));
  if (known->n > 0)
    qsort(known->v, known->n, sizeof *known->v, berth_strcmp_qsort);
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
  berth_verify_tree t;
  berth_error *terr = NULL;
  if (berth_verify_tree_build(ts, &t, &terr) < 0) {
    out->problem = xstrdup(berth_error_message(terr));
    berth_error_free(terr);
    return 0;
  }
  struct names known = { 0 };
  tree_names(&t, &known);
  size_t lost = t.lost;
  int rc = berth_verify_tree_compare(root, &t, out, err);
  berth_verify_tree_clear(&t);
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
    /* Every path is as extraction left it, but the tar cannot be rebuilt
     * when extraction did not keep some file's contents (a later entry
     * replaced it, or it was aufs metadata): they are gone. */
    out->ok = lost > 0;
    if (out->ok)
      out->note = xasprintf("diffID not re-checked: the contents of %zu file%s of the layer tar "
                            "are not kept (replaced by later entries or aufs metadata)",
                            lost, lost == 1 ? "" : "s");
    else
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
  for (size_t i = 0; i < l->n_files; i++) {
    free(l->files[i].path);
    free(l->files[i].what);
  }
  free(l->files);
  free(l->problem);
  free(l->note);
  memset(l, 0, sizeof *l);
}

void
berth_verify_layers_free(berth_verify_layer *v, size_t n)
{
  for (size_t i = 0; v != NULL && i < n; i++)
    berth_verify_layer_clear(&v[i]);
  free(v);
}
