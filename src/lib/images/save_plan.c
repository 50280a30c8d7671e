#include "images/save_plan.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/chain.h"
#include "image/config.h"
#include "image/time.h"
#include "images/resolve.h"
#include "images/save.h"
#include "reference/reference.h"

static save_image *
find_image(save_plan *p, const char *id)
{
  for (size_t i = 0; i < p->n_images; i++)
    if (strcmp(p->images[i].id, id) == 0)
      return &p->images[i];
  return NULL;
}

static const save_layer *
find_layer(const save_plan *p, const char *v1, const char *diff_id)
{
  for (size_t i = 0; i < p->n_layers; i++)
    if ((v1 != NULL && strcmp(p->layers[i].v1, v1) == 0)
        || (diff_id != NULL && p->layers[i].link_to == NULL
            && strcmp(p->layers[i].diff_id, diff_id) == 0))
      return &p->layers[i];
  return NULL;
}

/* saveImage: the v1 id of every layer (each saved once), the config. */
static int
plan_image(berth_store *s, save_plan *p, save_image *im, berth_error **err)
{
  int found = berth_store_image_get(s, im->id, &im->config, &im->config_len, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set_as(err, ENOENT, "No such image: %s", im->id);
  cleanup_image_config berth_image_config *c
      = berth_image_config_parse(im->config, im->config_len, err);
  if (c == NULL)
    return berth_error_prefix(err, "image %s", im->id);
  /* an image with no layer: Docker 20.10's saveImage refuses it with these
   * very words (an archive of it would have no layer to name), so does berth */
  if (c->n_diff_ids == 0)
    return berth_error_set(err, 0, "empty export - not implemented");
  if (c->created != NULL && berth_time_parse(c->created, &im->created) < 0)
    im->created = 0;
  im->parent = berth_store_image_parent(s, im->id);
  cleanup_strv char **chains = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  im->layers = xcalloc(c->n_diff_ids + 1, sizeof *im->layers);
  char parent[65] = "";
  for (size_t i = 0; i < c->n_diff_ids; i++) {
    berth_layer layer;
    int have = berth_store_layer_get(s, chains[i], &layer, err);
    if (have <= 0)
      return have < 0 ? -1 : berth_error_set(err, ENOENT, "layer %s is missing", chains[i]);
    save_layer l = { .mtime = im->created };
    if (berth_save_v1_layer(c->json, chains[i], *parent ? parent : NULL, i + 1 == c->n_diff_ids,
                            l.v1, &l.json, err)
        < 0)
      return berth_error_prefix(err, "image %s", im->id);
    im->layers[i] = xstrdup(l.v1);
    memcpy(parent, l.v1, sizeof parent);
    if (find_layer(p, l.v1, NULL) != NULL) {
      free(l.json);
      continue;
    }
    memcpy(l.chain_id, chains[i], BERTH_DIGEST_LEN);
    memcpy(l.diff_id, c->diff_ids[i], BERTH_DIGEST_LEN);
    const save_layer *same = find_layer(p, NULL, l.diff_id);
    l.link_to = same != NULL ? xstrdup(same->v1) : NULL;
    p->layers = xrealloc(p->layers, (p->n_layers + 1) * sizeof *p->layers);
    p->layers[p->n_layers++] = l;
  }
  return 0;
}

/* addAssoc: the image once, each tag once. */
static void
add_assoc(save_plan *p, const char *id, const char *tag)
{
  save_image *im = find_image(p, id);
  if (im == NULL) {
    p->images = xrealloc(p->images, (p->n_images + 1) * sizeof *p->images);
    im = &p->images[p->n_images++];
    memset(im, 0, sizeof *im);
    memcpy(im->id, id, BERTH_DIGEST_LEN);
    im->tags = xcalloc(1, sizeof *im->tags);
  }
  if (tag == NULL)
    return;
  for (size_t i = 0; i < im->n_tags; i++)
    if (strcmp(im->tags[i], tag) == 0)
      return;
  im->tags = xrealloc(im->tags, (im->n_tags + 2) * sizeof *im->tags);
  im->tags[im->n_tags++] = xstrdup(tag);
  im->tags[im->n_tags] = NULL;
}

/* parseNames for one name: an id or digest, no tag; a bare repository
 * name, every tag of it (else an id prefix); a tag, that tag ("reference
 * does not exist" when unknown, Docker's words). */
static int
add_name(berth_store *s, const berth_ref *refs, size_t n_refs, const char *name, save_plan *p,
         berth_error **err)
{
  cleanup_reference berth_reference *ref = berth_reference_parse_any(name, err);
  if (ref == NULL)
    return -1;
  char id[BERTH_DIGEST_LEN];
  if (!berth_reference_is_digest_only(ref) && ref->tag == NULL && ref->digest == NULL) {
    cleanup_free char *repo = berth_reference_familiar_name(ref);
    bool any = false;
    for (size_t i = 0; i < n_refs; i++)
      if (strcmp(refs[i].repository, repo) == 0 && strchr(refs[i].name, '@') == NULL) {
        add_assoc(p, refs[i].image_id, refs[i].name);
        any = true;
      }
    if (any)
      return 0;
  }
  if (berth_image_resolve(s, name, id, err) < 0) {
    if (!berth_reference_is_digest_only(ref) && ref->tag != NULL && ref->digest == NULL
        && berth_error_errno(*err) == ENOENT) {
      berth_error_clear(err);
      return berth_error_set_as(err, ENOENT, "reference does not exist");
    }
    return -1;
  }
  cleanup_free char *tag = NULL;
  if (!berth_reference_is_digest_only(ref) && ref->tag != NULL && ref->digest == NULL)
    tag = berth_reference_familiar_string(ref);
  add_assoc(p, id, tag);
  return 0;
}

int
save_plan_make(berth_store *s, char *const *names, size_t n, save_plan *p, berth_error **err)
{
  memset(p, 0, sizeof *p);
  berth_ref *refs = NULL;
  size_t n_refs = 0;
  if (berth_store_refs_list(s, &refs, &n_refs, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = add_name(s, refs, n_refs, names[i], p, err);
  berth_refs_free(refs, n_refs);
  for (size_t i = 0; i < p->n_images && rc == 0; i++)
    rc = plan_image(s, p, &p->images[i], err);
  if (rc < 0)
    save_plan_clear(p);
  return rc;
}

void
save_plan_clear(save_plan *p)
{
  for (size_t i = 0; i < p->n_images; i++) {
    berth_cleanup_strvp(&p->images[i].tags);
    berth_cleanup_strvp(&p->images[i].layers);
    free(p->images[i].config);
    free(p->images[i].parent);
  }
  for (size_t i = 0; i < p->n_layers; i++) {
    free(p->layers[i].json);
    free(p->layers[i].link_to);
  }
  free(p->images);
  free(p->layers);
  memset(p, 0, sizeof *p);
}

/* Go's json.Encoder: compact, its escaping, a newline. */
static char *
encode(json_t *doc, size_t flags)
{
  cleanup_free char *text = json_dumps(doc, JSON_COMPACT | flags);
  cleanup_free char *go = berth_save_go_escape(text);
  return xasprintf("%s\n", go);
}

char *
save_plan_manifest(const save_plan *p)
{
  cleanup_json json_t *list = json_array();
  for (size_t i = 0; i < p->n_images; i++) {
    const save_image *im = &p->images[i];
    json_t *item = json_object();
    json_object_set_new(item, "Config", json_sprintf("%s.json", berth_digest_hex(im->id)));
    json_t *tags = im->n_tags > 0 ? json_array() : json_null(); /* a nil slice */
    for (size_t k = 0; k < im->n_tags; k++)
      json_array_append_new(tags, json_string(im->tags[k]));
    json_object_set_new(item, "RepoTags", tags);
    json_t *layers = json_array();
    for (char **l = im->layers; *l != NULL; l++)
      json_array_append_new(layers, json_sprintf("%s/layer.tar", *l));
    json_object_set_new(item, "Layers", layers);
    /* validatedParentLinks: the parent only when it is saved too */
    if (im->parent != NULL && strcmp(im->parent, im->id) != 0
        && find_image((save_plan *)p, im->parent) != NULL)
      json_object_set_new(item, "Parent", json_string(im->parent));
    json_array_append_new(list, item);
  }
  return encode(list, JSON_PRESERVE_ORDER);
}

char *
save_plan_repositories(const save_plan *p)
{
  cleanup_json json_t *repos = json_object();
  for (size_t i = 0; i < p->n_images; i++) {
    const save_image *im = &p->images[i];
    size_t n_layers = 0;
    while (im->layers[n_layers] != NULL)
      n_layers++;
    for (size_t k = 0; k < im->n_tags; k++) {
      /* "repo:tag": the tag follows the last ':' after the last '/' */
      const char *t = im->tags[k], *colon = strrchr(t, ':');
      cleanup_free char *repo = xstrndup(t, (size_t)(colon - t));
      json_t *tags = json_object_get(repos, repo);
      if (tags == NULL) {
        tags = json_object();
        json_object_set_new(repos, repo, tags);
      }
      json_object_set_new(tags, colon + 1, json_string(im->layers[n_layers - 1]));
    }
  }
  if (json_object_size(repos) == 0)
    return NULL;
  return encode(repos, JSON_SORT_KEYS);
}
