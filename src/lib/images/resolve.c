#include "images/resolve.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "reference/reference.h"

/* 1 when the image's config is in the imagedb, 0 absent, -1 error. */
static int
image_exists(berth_store *s, const char *id, berth_error **err)
{
  cleanup_free char *config = NULL;
  size_t len;
  return berth_store_image_get(s, id, &config, &len, err);
}

static int
not_found(const char *what, berth_error **err)
{
  return berth_error_set_as(err, ENOENT, "No such image: %s", what);
}

/* Looks term (1..64 hex, optional "sha256:") up as an id prefix: 1 unique
 * match, 0 none, -1 ambiguous or error. */
static int
search_prefix(berth_store *s, const char *term, char id[BERTH_DIGEST_LEN], berth_error **err)
{
  const char *hex = strncmp(term, "sha256:", 7) == 0 ? term + 7 : term;
  size_t n = strlen(hex);
  cleanup_strv char **ids = berth_store_image_list(s, err);
  if (ids == NULL)
    return -1;
  const char *found = NULL;
  for (char **p = ids; *p != NULL; p++) {
    if (strncmp(berth_digest_hex(*p), hex, n) != 0)
      continue;
    if (found != NULL)
      return berth_error_set(err, 0, "image id prefix '%s' is ambiguous", term);
    found = *p;
  }
  if (found == NULL)
    return 0;
  memcpy(id, found, BERTH_DIGEST_LEN);
  return 1;
}

/* 1 when the (normalized) reference is in repositories.json and its image
 * exists, 0 otherwise. */
static int
lookup_ref(berth_store *s, const berth_reference *parsed, char id[BERTH_DIGEST_LEN],
           berth_error **err)
{
  cleanup_reference berth_reference *ref = berth_reference_dup(parsed);
  if (ref->digest != NULL) {
    free(ref->tag); /* the digest takes precedence over a tag */
    ref->tag = NULL;
  }
  berth_reference_default_tag(ref);
  cleanup_free char *key = berth_reference_familiar_string(ref);
  char found[BERTH_DIGEST_LEN];
  int r = berth_store_ref_get(s, key, found, err);
  if (r <= 0)
    return r;
  r = image_exists(s, found, err);
  if (r == 1)
    memcpy(id, found, BERTH_DIGEST_LEN);
  return r;
}

/* name is untrusted user input: parsed by the reference grammar, and only
 * compared against stored names and ids. */
int
berth_image_resolve(berth_store *s, const char *name, char id[BERTH_DIGEST_LEN], berth_error **err)
{
  cleanup_reference berth_reference *ref = berth_reference_parse_any(name, err);
  if (ref == NULL)
    return -1;
  /* Docker names the image as given, without the default tag. */
  cleanup_free char *given = berth_reference_is_digest_only(ref)
                                 ? xstrdup(ref->digest)
                                 : berth_reference_familiar_string(ref);
  if (berth_reference_is_digest_only(ref)) {
    int r = image_exists(s, ref->digest, err);
    if (r < 0)
      return -1;
    if (r == 0)
      return not_found(given, err);
    memcpy(id, ref->digest, BERTH_DIGEST_LEN);
    return 0;
  }
  int r = lookup_ref(s, ref, id, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (berth_reference_is_id_prefix(name)) {
    r = search_prefix(s, name, id, err);
    if (r != 0)
      return r < 0 ? -1 : 0;
  }
  return not_found(given, err);
}
