#include "image/descriptor.h"

#include <string.h>

#include "common/digest.h"
#include "image/json_field.h"

void
berth_descriptor_clear(berth_descriptor *d)
{
  free(d->media_type);
  free(d->digest);
  free(d->os);
  free(d->architecture);
  free(d->variant);
  memset(d, 0, sizeof(*d));
}

/* plat is untrusted: only strings are copied out of it. */
static int
parse_platform(json_t *plat, berth_descriptor *d, berth_error **err)
{
  if (berth_json_dup_string(plat, "os", true, &d->os, err) < 0
      || berth_json_dup_string(plat, "architecture", true, &d->architecture, err) < 0
      || berth_json_dup_string(plat, "variant", false, &d->variant, err) < 0)
    return berth_error_prefix(err, "platform");
  return 0;
}

/* obj is untrusted: every field is type-checked, the digest validated. */
static int
parse_fields(json_t *obj, bool want_platform, berth_descriptor *d, berth_error **err)
{
  json_t *plat = NULL;
  if (!json_is_object(obj))
    return berth_error_set(err, 0, "descriptor is not an object");
  if (berth_json_dup_string(obj, "mediaType", true, &d->media_type, err) < 0
      || berth_json_dup_string(obj, "digest", true, &d->digest, err) < 0
      || berth_digest_check(d->digest, err) < 0
      || berth_json_get_int(obj, "size", true, 0, &d->size, err) < 0)
    return -1;
  if (d->size < 0)
    return berth_error_set(err, 0, "negative size %lld", (long long)d->size);
  if (want_platform && berth_json_get_object(obj, "platform", false, &plat, err) < 0)
    return -1;
  if (plat != NULL && parse_platform(plat, d, err) < 0)
    return -1;
  return 0;
}

int
berth_descriptor_parse(json_t *obj, bool want_platform, berth_descriptor *d, berth_error **err)
{
  memset(d, 0, sizeof(*d));
  if (parse_fields(obj, want_platform, d, err) < 0) {
    berth_descriptor_clear(d);
    return -1;
  }
  return 0;
}
