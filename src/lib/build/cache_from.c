/* The build cache beyond the kept images: images that have no local
 * parent chain (pulled, loaded, imported: Docker's classic builder never
 * uses them, moby#20316) or the images --cache-from names.  A candidate
 * serves step k when its history starts with exactly the current image's
 * history, its rootfs with exactly the current image's diffIDs, and its
 * next history entry was created by the step's CREATED BY (which holds
 * the command, the shell, the build args in scope, COPY's content hash).
 * Only its layer is taken: the step's Config is the one the builder
 * computed, so a candidate can never give a wrong Config; it gives the
 * candidate's own id only when that is exactly the image the step makes.
 *
 * What is trusted: the candidates are stored images (their bytes checked
 * against their id by the store), parsed as untrusted configs; a layer is
 * reused only when the store has it under the chain ID the current image
 * plus that diffID gives.  COPY and ADD without --chown take a layer only
 * when its entries are 0:0 (a COPY --from, which keeps its sources'
 * owners, has the same CREATED BY); COPY --from never takes one.  The
 * base is matched by its history and layers, as Docker's --cache-from
 * does, and more: what a RUN or COPY depends on in the Config it ran with
 * (Env, User, WorkingDir, Shell, Volumes) must be in the candidate's final
 * Config as it is now, unless a later entry of the candidate sets it, so
 * that a base given another Env without a history entry misses. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "common/cleanup.h"
#include "common/safe_open.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/config.h"
#include "image/time.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/lock.h"

typedef struct candidate {
  char id[BERTH_DIGEST_LEN];
  json_t *doc; /* owned; hist and diffs point into it */
  json_t *hist, *diffs;
} candidate;

struct berth_build_candidates {
  candidate *v;
  size_t n;
  char **allowed; /* --cache-from: the named images and their ancestors */
  size_t n_allowed;
};

static void
add_allowed(berth_build_candidates *c, const char *id)
{
  c->allowed = xrealloc(c->allowed, (c->n_allowed + 1) * sizeof *c->allowed);
  c->allowed[c->n_allowed++] = xstrdup(id);
}

/* Loads id as a candidate when its config parses and its history and
 * diffIDs agree (one diffID per entry that is not empty_layer). */
static void
add_candidate(berth_build_state *st, berth_build_candidates *c, const char *id)
{
  cleanup_free char *raw = NULL;
  size_t len = 0;
  if (berth_store_image_get(st->s, id, &raw, &len, NULL) <= 0)
    return; /* removed meanwhile, or damaged: not a cache */
  cleanup_image_config berth_image_config *cfg = berth_image_config_parse(raw, len, NULL);
  if (cfg == NULL || cfg->n_history == 0)
    return;
  size_t layers = 0;
  for (size_t i = 0; i < cfg->n_history; i++)
    layers += !cfg->history[i].empty_layer;
  if (layers != cfg->n_diff_ids)
    return;
  c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
  candidate *k = &c->v[c->n++];
  snprintf(k->id, sizeof k->id, "%s", id);
  k->doc = json_incref(cfg->json);
  k->hist = json_object_get(k->doc, "history");
  k->diffs = json_object_get(json_object_get(k->doc, "rootfs"), "diff_ids");
}

/* The candidates, once per build: --cache-from's images (and, for the kept
 * images' cache, their ancestors), else every image with no parent in this
 * store. */
static berth_build_candidates *
candidates(berth_build_state *st)
{
  if (st->candidates != NULL)
    return st->candidates;
  berth_build_candidates *c = st->candidates = xcalloc(1, sizeof *c);
  if (st->o->cache_from != NULL) {
    for (char **p = st->o->cache_from; *p != NULL; p++) {
      add_candidate(st, c, *p);
      /* the parent chain, bounded: a cycle in damaged metadata ends it */
      cleanup_free char *cur = xstrdup(*p);
      for (int depth = 0; cur != NULL && depth < 4 * BERTH_MAX_LAYERS; depth++) {
        add_allowed(c, cur);
        char *parent = berth_store_image_parent(st->s, cur);
        free(cur);
        cur = parent;
      }
    }
    return c;
  }
  cleanup_strv char **ids = berth_store_image_list(st->s, NULL);
  cleanup_strset berth_strset all = { 0 };
  for (char **p = ids; p != NULL && *p != NULL; p++)
    berth_strset_add(&all, *p);
  for (char **p = ids; p != NULL && *p != NULL; p++) {
    cleanup_free char *parent = berth_store_image_parent(st->s, *p);
    if (parent == NULL || !berth_strset_has(&all, parent))
      add_candidate(st, c, *p);
  }
  return c;
}

void
berth_build_candidates_free(berth_build_state *st)
{
  berth_build_candidates *c = st->candidates;
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n; i++)
    json_decref(c->v[i].doc);
  for (size_t i = 0; i < c->n_allowed; i++)
    free(c->allowed[i]);
  free(c->v);
  free(c->allowed);
  free(c);
  st->candidates = NULL;
}

bool
berth_build_cache_allowed(berth_build_state *st, const char *id)
{
  if (st->o->cache_from == NULL)
    return true;
  berth_build_candidates *c = candidates(st);
  for (size_t i = 0; i < c->n_allowed; i++)
    if (strcmp(c->allowed[i], id) == 0)
      return true;
  return false;
}

static bool
same_string(const json_t *a, const json_t *b, const char *key)
{
  const char *x = json_string_value(json_object_get(a, key));
  const char *y = json_string_value(json_object_get(b, key));
  return x == y || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

/* ---- the Config the candidate was built on ------------------------------ */

/* True when an entry of k's history from h on was written by the
 * instruction word ("ENV", "USER"…) as Docker writes them
 * ("#(nop)  ENV A=1", "#(nop) WORKDIR /w"); with mention, only when the
 * entry also names it ("ENV" entries: " NAME="). */
static bool
set_later(const candidate *k, size_t h, const char *word, const char *mention)
{
  cleanup_free char *nop1 = xasprintf("#(nop)  %s ", word);
  cleanup_free char *nop2 = xasprintf("#(nop) %s ", word);
  cleanup_free char *named = mention ? xasprintf(" %s=", mention) : NULL;
  for (size_t i = h; i < json_array_size(k->hist); i++) {
    const char *by = json_string_value(json_object_get(json_array_get(k->hist, i), "created_by"));
    const char *at = by ? strstr(by, nop1) : NULL;
    if (at == NULL && by != NULL)
      at = strstr(by, nop2);
    if (at != NULL && (named == NULL || strstr(at, named) != NULL))
      return true;
  }
  return false;
}

/* A Config member with nothing in it (absent, null, "", [], {}) as NULL. */
static json_t *
member(const json_t *config, const char *key)
{
  json_t *v = json_object_get(config, key);
  const char *str = json_string_value(v);
  if (json_is_null(v) || (str != NULL && *str == '\0')
      || (json_is_array(v) && json_array_size(v) == 0)
      || (json_is_object(v) && json_object_size(v) == 0))
    return NULL;
  return v;
}

/* The value of Env's NAME (len bytes), NULL when unset. */
static const char *
env_value(const json_t *config, const char *name, size_t len)
{
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(config, "Env"), i, e)
  {
    const char *s = json_string_value(e);
    if (s != NULL && strncmp(s, name, len) == 0 && (s[len] == '=' || s[len] == '\0'))
      return s[len] == '=' ? s + len + 1 : "";
  }
  return NULL;
}

/* Whether every variable of a's Env is b's too (same value) unless an
 * ENV entry of k from h on names it. */
static bool
env_within(const candidate *k, size_t h, const json_t *a, const json_t *b)
{
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(a, "Env"), i, e)
  {
    const char *s = json_string_value(e);
    if (s == NULL)
      return false;
    size_t len = strcspn(s, "=");
    cleanup_free char *name = xstrndup(s, len);
    const char *va = env_value(a, s, len), *vb = env_value(b, s, len);
    if ((vb == NULL || strcmp(va, vb) != 0) && !set_later(k, h, "ENV", name))
      return false;
  }
  return true;
}

/* True when k can have been built on a Config like the current one: what
 * a RUN or COPY depends on (Env, User, WorkingDir, Shell, Volumes) is in
 * k's final Config as it is now, unless one of k's entries from h on (this
 * step's included) sets it.  So a base that was given another Env or User
 * without a history entry (its history and layers the same) misses. */
static bool
built_on_this_config(const berth_build_state *st, const candidate *k, size_t h)
{
  static const char *const keys[][2] = {
    { "User", "USER" },
    { "WorkingDir", "WORKDIR" },
    { "Shell", "SHELL" },
    { "Volumes", "VOLUME" },
  };
  json_t *final = json_object_get(k->doc, "config");
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    json_t *a = member(final, keys[i][0]), *b = member(st->config, keys[i][0]);
    bool same = a == b || (a != NULL && b != NULL && json_equal(a, b));
    if (!same && !set_later(k, h, keys[i][1], NULL))
      return false;
  }
  return env_within(k, h, final, st->config) && env_within(k, h, st->config, final);
}

/* True when k's history and diffIDs start with exactly the current
 * image's (h entries, d diffIDs) and its entry h was created_by. */
static bool
matches(const berth_build_state *st, const candidate *k, const char *created_by)
{
  json_t *hist = json_object_get(st->image, "history");
  json_t *diffs = json_object_get(json_object_get(st->image, "rootfs"), "diff_ids");
  size_t h = json_array_size(hist), d = json_array_size(diffs);
  if (json_array_size(k->hist) <= h || json_array_size(k->diffs) < d)
    return false;
  if (!same_string(k->doc, st->image, "architecture") || !same_string(k->doc, st->image, "os")
      || !same_string(k->doc, st->image, "variant"))
    return false;
  size_t layers = 0;
  for (size_t i = 0; i < h; i++) {
    json_t *e = json_array_get(k->hist, i);
    if (!json_equal(e, json_array_get(hist, i)))
      return false;
    layers += !json_is_true(json_object_get(e, "empty_layer"));
  }
  if (layers != d)
    return false;
  for (size_t i = 0; i < d; i++)
    if (!json_equal(json_array_get(k->diffs, i), json_array_get(diffs, i)))
      return false;
  const char *by = json_string_value(json_object_get(json_array_get(k->hist, h), "created_by"));
  return by != NULL && strcmp(by, created_by) == 0 && built_on_this_config(st, k, h);
}

/* A Config without the members that say nothing: false, "" and null (Go's
 * zero values, which Docker's encoder writes and berth's may leave out)
 * and Image (the id of the image a step ran on, in the builder's store). */
static json_t *
config_meaning(const json_t *config)
{
  json_t *c = json_object();
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)config, key, v)
  {
    const char *str = json_string_value(v);
    if (json_is_false(v) || json_is_null(v) || (str != NULL && *str == '\0')
        || strcmp(key, "Image") == 0)
      continue;
    json_object_set(c, key, v);
  }
  return c;
}

/* True when k is exactly the image the step makes: nothing after entry h,
 * and the Config (as config_meaning reads it) and author the step gives
 * (the rest of its document says where and when it was built, not what it
 * is).  So an image Docker's classic builder made is the result too. */
static bool
is_result(const berth_build_state *st, const candidate *k, const json_t *config)
{
  size_t h = json_array_size(json_object_get(st->image, "history"));
  json_t *kc = json_object_get(k->doc, "config");
  if (json_array_size(k->hist) != h + 1 || !json_is_object(kc) || !json_is_object(config))
    return false;
  cleanup_json json_t *a = config_meaning(kc);
  cleanup_json json_t *b = config_meaning(config);
  if (!json_equal(a, b))
    return false;
  const char *author = json_string_value(json_object_get(k->doc, "author"));
  if (author != NULL && *author == '\0')
    author = NULL;
  const char *m = st->maintainer != NULL && *st->maintainer != '\0' ? st->maintainer : NULL;
  return author == m || (author != NULL && m != NULL && strcmp(author, m) == 0);
}

/* The candidate itself as the step's image; its parent recorded as the
 * current image when it has none (as Docker's --cache-from does), so that
 * history shows the steps' ids.  0 when it is gone. */
static int
use_candidate(berth_build_state *st, const candidate *k, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(st->s, err);
  if (lock == NULL)
    return -1;
  cleanup_free char *raw = NULL;
  size_t len = 0;
  int r = berth_store_image_get(st->s, k->id, &raw, &len, err);
  if (r <= 0)
    return r;
  cleanup_free char *parent = berth_store_image_parent(st->s, k->id);
  char id[BERTH_DIGEST_LEN];
  if (parent == NULL && berth_store_image_put(st->s, raw, len, st->image_id, id, err) < 0)
    return -1;
  if (berth_build_set_image(st, k->id, err) < 0)
    return -1;
  return 1;
}

/* Writes the step's image from the current one, the step's Config, k's
 * entry h and (unless it is empty_layer) k's layer, which the store must
 * hold by chain ID: nothing is copied.  0 when the layer is not there. */
static int
restore(berth_build_state *st, const candidate *k, const json_t *config, berth_error **err)
{
  cleanup_json json_t *doc = json_deep_copy(st->image);
  json_t *hist = json_object_get(doc, "history");
  json_t *diffs = json_object_get(json_object_get(doc, "rootfs"), "diff_ids");
  if (!json_is_array(diffs))
    return 0; /* not an image config a step can go on from */
  if (!json_is_array(hist)) {
    hist = json_array();
    json_object_set_new(doc, "history", hist);
  }
  json_t *e = json_array_get(k->hist, json_array_size(hist));
  bool layer = !json_is_true(json_object_get(e, "empty_layer"));
  char chain[BERTH_DIGEST_LEN] = "";
  for (size_t i = 0; i < json_array_size(diffs); i++)
    berth_chain_id(chain, json_string_value(json_array_get(diffs, i)), chain);
  if (layer) {
    json_t *diff = json_array_get(k->diffs, json_array_size(diffs));
    berth_chain_id(chain, json_string_value(diff), chain);
    json_array_append(diffs, diff);
  }
  json_object_set_new(doc, "config", json_deep_copy(config));
  /* no container made it: Docker's restored images have neither */
  json_object_del(doc, "container");
  json_object_del(doc, "container_config");
  json_object_del(doc, "comment");
  json_t *created = json_object_get(e, "created");
  if (json_is_string(created)) {
    json_object_set(doc, "created", created);
  } else {
    cleanup_free char *now = berth_time_now_rfc3339();
    json_object_set_new(doc, "created", json_string(now));
  }
  if (st->maintainer != NULL && *st->maintainer != '\0')
    json_object_set_new(doc, "author", json_string(st->maintainer));
  else
    json_object_del(doc, "author");
  json_array_append_new(hist, json_deep_copy(e));
  cleanup_free char *bytes = berth_image_config_dumps(doc);
  if (bytes == NULL)
    return berth_error_set(err, 0, "image config is not valid JSON text (not UTF-8?)");
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(st->s, err);
  if (lock == NULL)
    return -1;
  if (layer) { /* under the lock: a collection cannot take it meanwhile */
    berth_layer l;
    int r = berth_store_layer_get(st->s, chain, &l, err);
    if (r <= 0)
      return r;
  }
  char id[BERTH_DIGEST_LEN];
  if (berth_store_image_put(st->s, bytes, strlen(bytes), st->image_id, id, err) < 0
      || berth_store_image_touch(st->s, id, err) < 0)
    return -1;
  return berth_build_set_image(st, id, err) < 0 ? -1 : 1;
}

/* ---- a COPY's layer: every entry 0:0 ----------------------------------- */

typedef struct owner_walk {
  berth_build_state *st;
  char **lower; /* the chain IDs below, bottom first */
  size_t n_lower;
} owner_walk;

/* True when path is a directory the topmost layer below that has it gives
 * the owner of sb (a directory overlayfs copied up on the way to the
 * COPY's destination keeps its owner). */
static bool
lower_dir_same_owner(const owner_walk *w, const char *path, const struct stat *sb)
{
  for (size_t i = w->n_lower; i-- > 0;) {
    berth_layer l;
    if (berth_store_layer_get(w->st->s, w->lower[i], &l, NULL) <= 0)
      return false;
    cleanup_free char *diff = berth_store_layer_diff_path(w->st->s, &l);
    cleanup_close int root = open(diff, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
      return false;
    /* resolved inside that layer: a symlink there cannot lead out */
    berth_error *e = NULL;
    cleanup_close int fd = berth_safe_open_at(root, path, O_PATH | O_NOFOLLOW, NULL, &e);
    berth_error_free(e);
    struct stat lsb;
    if (fd < 0 || fstat(fd, &lsb) < 0)
      continue;
    return S_ISDIR(lsb.st_mode) && lsb.st_uid == sb->st_uid && lsb.st_gid == sb->st_gid;
  }
  return false;
}

/* Walks the directory dirfd (path: its place in the rootfs, "" the root):
 * true when every entry under it is owned by 0:0 or passes
 * lower_dir_same_owner.  The layer is the store's own. */
static bool
entries_root_owned(const owner_walk *w, int dirfd, const char *path, int depth)
{
  if (depth > 512)
    return false;
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return false;
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    struct stat sb;
    if (fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
      return false;
    cleanup_free char *sub = xasprintf("%s/%s", path, de->d_name);
    if ((sb.st_uid != 0 || sb.st_gid != 0) && !lower_dir_same_owner(w, sub, &sb))
      return false;
    if (!S_ISDIR(sb.st_mode))
      continue;
    cleanup_close int sfd
        = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0 || !entries_root_owned(w, sfd, sub, depth + 1))
      return false;
  }
  return true;
}

/* True when every entry of k's layer for this step is owned by 0:0, as a
 * COPY from the context without --chown makes them (but a directory on
 * the way, copied up, keeps the owner it has below). */
static bool
layer_root_owned(berth_build_state *st, const candidate *k)
{
  json_t *diffs = json_object_get(json_object_get(st->image, "rootfs"), "diff_ids");
  size_t d = json_array_size(diffs);
  cleanup_free char **v = xcalloc(d + 2, sizeof *v);
  for (size_t i = 0; i <= d; i++)
    v[i] = (char *)json_string_value(json_array_get(k->diffs, i));
  cleanup_strv char **chains = berth_chain_ids(v, d + 1);
  berth_layer l;
  if (berth_store_layer_get(st->s, chains[d], &l, NULL) <= 0)
    return false;
  cleanup_free char *diff = berth_store_layer_diff_path(st->s, &l);
  cleanup_close int root = open(diff, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  owner_walk w = { .st = st, .lower = chains, .n_lower = d };
  return root >= 0 && entries_root_owned(&w, root, "", 0);
}

int
berth_build_cache_from(berth_build_state *st, const char *created_by, const json_t *config,
                       bool root_owned, berth_error **err)
{
  if (st->image_id[0] == '\0' || st->image == NULL)
    return 0;
  berth_build_candidates *c = candidates(st);
  for (size_t i = 0; i < c->n; i++) {
    const candidate *k = &c->v[i];
    if (!matches(st, k, created_by))
      continue;
    size_t h = json_array_size(json_object_get(st->image, "history"));
    bool layer = !json_is_true(json_object_get(json_array_get(k->hist, h), "empty_layer"));
    if (root_owned && layer && !layer_root_owned(st, k))
      continue;
    int r = is_result(st, k, config) ? use_candidate(st, k, err) : restore(st, k, config, err);
    if (r != 0)
      return r;
  }
  return 0;
}
