#include "commit/commit.h"

#include <fcntl.h>
#include <string.h>

#include "archive/layer_dir.h"
#include "archive/pack.h"
#include "archive/stream.h"
#include "archive/unpack_from.h"
#include "common/cleanup.h"
#include "common/testpoint.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/mount.h"
#include "image/chain.h"
#include "image/change.h"
#include "image/config.h"
#include "image/time.h"
#include "images/rootfs_ref.h"
#include "images/tag.h"
#include "reference/reference.h"
#include "store/image_load.h"

/* ---- the layer ------------------------------------------------------------ */

struct pack_source {
  int dirfd;
  berth_pack_result res;
};

static int
pack_upper(void *ctx, berth_write_fn write, void *wctx, berth_error **err)
{
  struct pack_source *src = ctx;
  return berth_layer_pack(src->dirfd, write, wctx, &src->res, err);
}

/* True when the directory has no entries at all. */
static int
dir_is_empty(int dirfd, berth_error **err)
{
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open upperdir");
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return berth_error_set(err, errno, "open upperdir");
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
      return 0;
  return 1;
}

/* Packs upper into the stage in one pass (archive/unpack_from.h), the
 * tar-split written and the diffID hashed on the way. */
static int
pack_into_stage(int upper, berth_layer_stage *st, berth_unpack_result *res, berth_error **err)
{
  struct pack_source src = { .dirfd = upper };
  return berth_layer_unpack_from(pack_upper, &src, berth_layer_stage_diff_fd(st),
                                 berth_layer_stage_tarsplit_fd(st), res, err);
}

/* The move: upper packed for its diffID and tar-split only, made the
 * layer's directory on the way, and then moved into the stage.  1 when
 * moved; 0 when it cannot be (a ".wh." name in it, another filesystem):
 * *st is then a fresh stage, for the copy. */
static int
move_into_stage(berth_store *s, int upper, const berth_rwlayer *rw, berth_layer_stage **st,
                berth_unpack_result *res, berth_error **err)
{
  berth_pack_result pr;
  if (berth_layer_pack_tarsplit(upper, true, berth_layer_stage_tarsplit_fd(*st), &pr, err) < 0)
    return -1;
  int moved = 0;
  if (pr.plain) {
    berth_test_point("commit-packed");
    moved = berth_layer_stage_take_upper(*st, rw, err);
    if (moved < 0)
      return -1;
  }
  if (moved) {
    memcpy(res->diff_id, pr.diff_id, sizeof res->diff_id);
    res->size = pr.size;
    berth_test_point("commit-moved");
    return 1;
  }
  berth_layer_stage_free(*st); /* its tar-split is spent */
  *st = berth_layer_stage_new(s, err);
  return *st == NULL ? -1 : 0;
}

/* ---- the image ------------------------------------------------------------ */

/* The base image's config document, cut to the layers up to parent_chain
 * when the container used only some of them. */
static json_t *
base_config(berth_store *s, const char *image_id, const char *parent_chain, bool *cut,
            berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, image_id, err);
  if (c == NULL)
    return NULL;
  json_t *doc = json_deep_copy(c->json);
  cleanup_strv char **chains = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  size_t keep = 0;
  if (parent_chain != NULL && *parent_chain != '\0') {
    for (keep = 0; keep < c->n_diff_ids && strcmp(chains[keep], parent_chain) != 0; keep++)
      ;
    if (keep == c->n_diff_ids) {
      json_decref(doc);
      berth_error_set(err, 0, "layer %s is not in image %s", parent_chain, image_id);
      return NULL;
    }
    keep++;
  }
  *cut = keep != c->n_diff_ids;
  if (!*cut)
    return doc;
  json_t *ids = json_object_get(json_object_get(doc, "rootfs"), "diff_ids");
  while (json_array_size(ids) > keep)
    json_array_remove(ids, json_array_size(ids) - 1);
  json_t *hist = json_object_get(doc, "history");
  size_t seen = 0, i;
  for (i = 0; i < json_array_size(hist) && seen < keep; i++)
    if (!json_is_true(json_object_get(json_array_get(hist, i), "empty_layer")))
      seen++;
  while (json_array_size(hist) > i)
    json_array_remove(hist, json_array_size(hist) - 1);
  return doc;
}

static char *
created_by(const berth_container *c)
{
  char *s = xstrdup(c->path != NULL ? c->path : "");
  for (char **a = c->args; a != NULL && *a != NULL; a++) {
    char *n = xasprintf("%s %s", s, *a);
    free(s);
    s = n;
  }
  return s;
}

static void
set_or_delete(json_t *o, const char *key, const char *value)
{
  if (value != NULL && *value != '\0')
    json_object_set_new(o, key, json_string(value));
  else
    json_object_del(o, key);
}

/* The new config document as bytes. */
static char *
new_config(json_t *base, const berth_container *c, const berth_commit_options *o,
           const char *diff_id, berth_error **err)
{
  const json_t *want = o->config != NULL ? o->config : c->config;
  json_t *config = json_is_object(want) ? json_deep_copy(want) : json_object();
  json_object_set_new(base, "config", config);
  for (char **ch = o->changes; ch != NULL && *ch != NULL; ch++)
    if (berth_config_apply_change(config, *ch, err) < 0)
      return NULL;
  const json_t *cc = o->container_config != NULL ? o->container_config : c->config;
  json_object_set_new(base, "container_config",
                      json_is_object(cc) ? json_deep_copy(cc) : json_object());
  json_object_set_new(base, "container", json_string(c->id));
  cleanup_free char *now = berth_time_now_rfc3339();
  json_object_set_new(base, "created", json_string(now));
  set_or_delete(base, "author", o->author);
  set_or_delete(base, "comment", o->comment);
  json_t *h = json_object();
  json_object_set_new(h, "created", json_string(now));
  if (o->author != NULL && *o->author != '\0')
    json_object_set_new(h, "author", json_string(o->author));
  cleanup_free char *by = o->created_by != NULL ? xstrdup(o->created_by) : created_by(c);
  json_object_set_new(h, "created_by", json_string(by));
  if (o->comment != NULL && *o->comment != '\0')
    json_object_set_new(h, "comment", json_string(o->comment));
  if (diff_id == NULL)
    json_object_set_new(h, "empty_layer", json_true());
  json_t *hist = json_object_get(base, "history");
  if (!json_is_array(hist)) {
    hist = json_array();
    json_object_set_new(base, "history", hist);
  }
  json_array_append_new(hist, h);
  if (diff_id != NULL)
    json_array_append_new(json_object_get(json_object_get(base, "rootfs"), "diff_ids"),
                          json_string(diff_id));
  return berth_image_config_dumps(base);
}

/* Publishes the upperdir as a layer on top of the container's parent;
 * take: moved there rather than copied (berth_commit_options). */
static int
commit_layer(berth_store *s, const berth_rwlayer *rw, bool take, size_t depth, berth_layer *layer,
             berth_store_lock **lock, berth_error **err)
{
  cleanup_free char *upper_path = berth_store_rwlayer_upper_path(s, rw);
  cleanup_close int upper = open(upper_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (upper < 0)
    return berth_error_set(err, errno, "open %s", upper_path);
  int empty = dir_is_empty(upper, err);
  if (empty != 0)
    return empty < 0 ? -1 : 0;
  if (depth >= BERTH_MAX_LAYERS)
    return berth_error_set(err, 0, "max depth exceeded: the image has %zu layers already", depth);
  cleanup_layer_stage berth_layer_stage *st = berth_layer_stage_new(s, err);
  if (st == NULL)
    return -1;
  berth_unpack_result res;
  int moved = take ? move_into_stage(s, upper, rw, &st, &res, err) : 0;
  if (moved < 0 || (moved == 0 && pack_into_stage(upper, st, &res, err) < 0))
    return -1;
  if (moved == 0)
    berth_test_point("commit-packed");
  *lock = berth_store_lock_acquire(s, err);
  if (*lock == NULL
      || berth_layer_stage_publish(s, st, rw->parent, res.diff_id, res.size, layer, err) < 0) {
    if (moved)
      berth_layer_stage_give_back_upper(st, rw);
    return -1;
  }
  berth_test_point("commit-published");
  return 1;
}

/* The imagedb parent of the new image: the container's image, or when the
 * container used only some of its layers, an image whose rootfs ends at
 * that layer (none when no image does).  1 when parent is set. */
static int
cut_parent(berth_store *s, const char *image_id, const char *parent_chain, bool cut,
           char parent[BERTH_DIGEST_LEN])
{
  if (!cut) {
    memcpy(parent, image_id, BERTH_DIGEST_LEN);
    return 1;
  }
  size_t n = 0;
  if (parent_chain == NULL || *parent_chain == '\0'
      || berth_image_resolve_rootfs(s, parent_chain, parent, &n, NULL) < 0)
    return 0;
  cleanup_image_config berth_image_config *pc = berth_image_load(s, parent, NULL);
  return pc != NULL && pc->n_diff_ids == n;
}

static int
commit(berth_store *s, const berth_container *c, const berth_commit_options *o,
       char id_out[BERTH_DIGEST_LEN], berth_error **err)
{
  /* The author and message go into the config as JSON strings: refuse bytes
   * that are not UTF-8 before any work, rather than drop them (-c is checked
   * below by berth_config_apply_change). */
  if (berth_utf8_check(o->author, "\"-a, --author\" flag", err) < 0
      || berth_utf8_check(o->comment, "\"-m, --message\" flag", err) < 0)
    return -1;
  if (o->ref != NULL) { /* refuse a bad name before doing any work */
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(o->ref, err);
    if (ref == NULL)
      return -1;
  }
  berth_rwlayer rw; /* the layerdb/mounts entry is the truth about the parent */
  int found = berth_store_rwlayer_get(s, c->id, &rw, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set(err, ENOENT, "container %.12s has no layer", c->id);
  bool cut = false;
  cleanup_json json_t *base = base_config(s, c->image_id, rw.parent, &cut, err);
  if (base == NULL)
    return berth_error_prefix(err, "commit");
  for (char **ch = o->changes; ch != NULL && *ch != NULL; ch++) { /* check -c early too */
    cleanup_json json_t *scratch = json_object();
    if (berth_config_apply_change(scratch, *ch, err) < 0)
      return -1;
  }
  berth_layer layer;
  cleanup_store_lock berth_store_lock *lock = NULL;
  size_t depth = json_array_size(json_object_get(json_object_get(base, "rootfs"), "diff_ids"));
  /* a mounted upper may still change: it is copied */
  bool take = o->take_upper && !berth_container_is_mounted(s, c);
  int r = commit_layer(s, &rw, take, depth, &layer, &lock, err);
  if (r < 0)
    return berth_error_prefix(err, "commit");
  if (lock == NULL && (lock = berth_store_lock_acquire(s, err)) == NULL)
    return -1;
  cleanup_free char *config = new_config(base, c, o, r == 1 ? layer.diff_id : NULL, err);
  if (config == NULL)
    return -1;
  char parent[BERTH_DIGEST_LEN];
  if (cut_parent(s, c->image_id, rw.parent, cut, parent) == 0)
    parent[0] = '\0';
  if (berth_store_image_put(s, config, strlen(config), parent[0] ? parent : NULL, id_out, err) < 0
      || berth_store_image_touch(s, id_out, err) < 0)
    return berth_error_prefix(err, "commit");
  if (o->ref != NULL && berth_image_tag_id(s, id_out, o->ref, err) < 0)
    return -1;
  return 0;
}

int
berth_commit(berth_store *s, const berth_container *c, const berth_commit_options *o,
             char id_out[BERTH_DIGEST_LEN], berth_error **err)
{
  int ret = commit(s, c, o, id_out, err);
  berth_store_publish_done(s, ret < 0); /* a layer no image uses is collected */
  return ret;
}
