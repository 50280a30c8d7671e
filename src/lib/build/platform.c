/* FROM --platform and build --platform (build.h): the platform asked for,
 * and whether a stored image is of it. */
#include <string.h>

#include "build/build.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/platform.h"
#include "store/image.h"

#include <jansson.h>

char *
berth_build_platform(const char *text, berth_error **err)
{
  if (text == NULL || text[0] == '\0')
    return NULL;
  cleanup_free char *os = NULL, *arch = NULL, *variant = NULL;
  if (berth_platform_parse(text, &os, &arch, &variant, err) < 0)
    return berth_error_prefix(err, "failed to parse platform %s", text), NULL;
  return berth_platform_format(os, arch, variant);
}

/* The image config is the store's (written by berth from a verified
 * blob): only its os/architecture/variant strings are read. */
int
berth_build_image_platform_is(berth_store *s, const char *id, const char *platform, char **actual,
                              berth_error **err)
{
  cleanup_free char *raw = NULL;
  size_t len = 0;
  int r = berth_store_image_get(s, id, &raw, &len, err);
  if (r <= 0)
    return r < 0 ? -1 : berth_error_set(err, ENOENT, "No such image: %s", id);
  json_t *doc = json_loadb(raw, len, 0, NULL);
  const char *os = json_string_value(json_object_get(doc, "os"));
  const char *arch = json_string_value(json_object_get(doc, "architecture"));
  const char *variant = json_string_value(json_object_get(doc, "variant"));
  cleanup_free char *nos = NULL, *narch = NULL, *nvariant = NULL;
  berth_platform_normalize(os, arch, variant, &nos, &narch, &nvariant);
  json_decref(doc);
  if (actual != NULL)
    *actual = berth_platform_format(nos, narch, nvariant);
  cleanup_free char *wos = NULL, *warch = NULL, *wvariant = NULL;
  if (berth_platform_parse(platform, &wos, &warch, &wvariant, err) < 0)
    return -1;
  return berth_platform_match_rank(wos, warch, wvariant, nos, narch, nvariant) >= 0;
}
