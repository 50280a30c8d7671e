/* The build cache: the images earlier builds kept.  A step's image is
 * reused when its imagedb parent is the current image, its last history
 * entry has the step's CREATED BY (which holds the command, the shell and,
 * for RUN, the build args in scope) and its Config is exactly the Config
 * the step makes; the last check is more than Docker's (which compares
 * container_config) and makes a hit give the very image the step would
 * have written.  When none is kept, the images built elsewhere
 * (cache_from.c) are tried. */
#include <string.h>

#include "build/build_internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "store/image.h"

char *
berth_build_cache_key(const char *created_by, const json_t *config)
{
  cleanup_free char *c = json_dumps(config, JSON_COMPACT | JSON_SORT_KEYS);
  return xasprintf("%s\n%s", created_by, c ? c : "null");
}

/* The key of the image doc: its last history entry and its Config. */
static char *
image_key(const json_t *doc)
{
  json_t *hist = json_object_get(doc, "history");
  size_t n = json_array_size(hist);
  if (n == 0)
    return NULL;
  const char *by = json_string_value(json_object_get(json_array_get(hist, n - 1), "created_by"));
  json_t *config = json_object_get(doc, "config");
  if (by == NULL || !json_is_object(config))
    return NULL;
  return berth_build_cache_key(by, config);
}

/* True when doc's container_config.Cmd is exactly cmd (NULL-terminated).
 * An image with no container_config was written from an image built
 * elsewhere (cache_from.c), which never serves COPY --from (from_image)
 * and serves a COPY only after its layer's owners were checked. */
static bool
cmd_matches(const json_t *doc, char *const *cmd, bool from_image)
{
  json_t *cc = json_object_get(doc, "container_config");
  if (cc == NULL)
    return !from_image;
  json_t *have = json_object_get(cc, "Cmd");
  size_t n = 0;
  while (cmd[n] != NULL)
    n++;
  if (!json_is_array(have) || json_array_size(have) != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    const char *h = json_string_value(json_array_get(have, i));
    if (h == NULL || strcmp(h, cmd[i]) != 0)
      return false;
  }
  return true;
}

/* The lookup; cmd, when not NULL, must also be the container_config's Cmd
 * (COPY --from keeps its source image there). */
static int
cache_find(berth_build_state *st, const char *created_by, const json_t *config, char *const *cmd,
           bool from_image, char id[BERTH_DIGEST_LEN], berth_error **err)
{
  cleanup_free char *want = berth_build_cache_key(created_by, config);
  cleanup_strv char **ids = berth_store_image_list(st->s, err);
  if (ids == NULL)
    return -1;
  for (char **p = ids; *p != NULL; p++) {
    cleanup_free char *parent = berth_store_image_parent(st->s, *p);
    /* on scratch (""): the images with no parent, as Docker's builder */
    if (parent == NULL ? st->image_id[0] != '\0' : strcmp(parent, st->image_id) != 0)
      continue;
    cleanup_free char *raw = NULL;
    size_t len = 0;
    if (berth_store_image_get(st->s, *p, &raw, &len, NULL) <= 0)
      continue; /* removed meanwhile, or damaged: not a cache */
    cleanup_json json_t *doc = json_loadb(raw, len, 0, NULL);
    cleanup_free char *key = image_key(doc);
    if (key != NULL && strcmp(key, want) == 0
        && (cmd == NULL || cmd_matches(doc, cmd, from_image))) {
      snprintf(id, BERTH_DIGEST_LEN, "%s", *p);
      return 1;
    }
  }
  return 0;
}

int
berth_build_cache_find(berth_build_state *st, const char *created_by, const json_t *config,
                       char id[BERTH_DIGEST_LEN], berth_error **err)
{
  return cache_find(st, created_by, config, NULL, false, id, err);
}

int
berth_build_try_cache(berth_build_state *st, const char *created_by, const json_t *config,
                      berth_error **err)
{
  berth_build_cache_want want = { 0 };
  return berth_build_try_cache_want(st, created_by, config, &want, err);
}

int
berth_build_try_cache_want(berth_build_state *st, const char *created_by, const json_t *config,
                           const berth_build_cache_want *want, berth_error **err)
{
  if (st->o->no_cache)
    return 0;
  char id[BERTH_DIGEST_LEN];
  int r = cache_find(st, created_by, config, want->cmd, want->from_image, id, err);
  if (r < 0)
    return -1;
  if (r == 1 && !berth_build_cache_allowed(st, id))
    r = 0; /* --cache-from names the candidates: only those, as Docker's */
  if (r == 1 && berth_build_set_image(st, id, err) < 0)
    return -1;
  if (r == 0 && !want->from_image)
    r = berth_build_cache_from(st, created_by, config, want->root_owned, err);
  if (r <= 0)
    return r;
  snprintf(id, sizeof id, "%s", st->image_id);
  berth_build_emit(st, BERTH_BUILD_CACHED, NULL, NULL);
  berth_build_emit(st, BERTH_BUILD_IMAGE, NULL, id);
  return 1;
}
