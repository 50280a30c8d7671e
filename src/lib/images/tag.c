#include "images/tag.h"

#include "common/cleanup.h"
#include "images/resolve.h"
#include "reference/reference.h"

/* target is untrusted user input, parsed by the reference grammar. */
int
berth_image_add_tag(berth_store *s, const char *id, const char *target, berth_error **err)
{
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(target, err);
  if (ref == NULL)
    return -1;
  if (ref->digest != NULL)
    return berth_error_set(err, 0, "refusing to create a tag with a digest reference");
  berth_reference_default_tag(ref);
  cleanup_free char *repo = berth_reference_familiar_name(ref);
  cleanup_free char *name = berth_reference_familiar_string(ref);
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  return berth_store_ref_set(s, repo, name, id, err);
}

int
berth_image_tag_id(berth_store *s, const char *id, const char *target, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL || berth_image_add_tag(s, id, target, err) < 0)
    return -1;
  return berth_store_image_touch(s, id, err);
}

int
berth_image_tag(berth_store *s, const char *source, const char *target, berth_error **err)
{
  char id[BERTH_DIGEST_LEN];
  if (berth_image_resolve(s, source, id, err) < 0)
    return -1;
  return berth_image_tag_id(s, id, target, err);
}
