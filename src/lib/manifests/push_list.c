/* `manifest push`: members into the target repository, then the index. */
#include "manifests/push_list.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/manifest.h"
#include "push/blob.h"
#include "registry/client.h"
#include "registry/errors.h"

static void
registry_cleanup(berth_registry **r)
{
  berth_registry_free(*r);
}
#define cleanup_registry __attribute__((cleanup(registry_cleanup)))

/* A member of another repository: its blobs mounted into r's repository,
 * its manifest put there by digest.  The member was checked when the list
 * was loaded (Raw hashes to digest); Raw is parsed as untrusted. */
static int
bring_member(berth_registry *r, json_t *m, const berth_reference *from, const char *target_name,
             const char *target, berth_manifest_push_line_fn on_line, void *ctx, berth_error **err)
{
  json_t *d = json_object_get(m, "Descriptor");
  const char *type = json_string_value(json_object_get(d, "mediaType"));
  const char *digest = json_string_value(json_object_get(d, "digest"));
  json_t *raw = json_object_get(m, "Raw");
  cleanup_manifest berth_manifest *man
      = berth_manifest_parse(json_string_value(raw), json_string_length(raw), type, err);
  if (man == NULL)
    return berth_error_prefix(err, "member %s", json_string_value(json_object_get(m, "Ref")));
  for (size_t i = 0; i <= man->n_layers; i++) {
    const char *blob = i == 0 ? man->config.digest : man->layers[i - 1].digest;
    int mounted = push_blob_mount(r, blob, from->path, err);
    if (mounted < 0)
      return -1;
    if (mounted == 0)
      return berth_error_set_as(err, EIO, "error mounting %s/%s@%s to %s", from->domain, from->path,
                                blob, target);
  }
  if (push_manifest_put(r, digest, type, json_string_value(raw), json_string_length(raw), err) < 0)
    return -1;
  if (on_line != NULL) {
    cleanup_free char *line
        = xasprintf("Pushed ref %s@%s with digest: %s", target_name, digest, digest);
    on_line(ctx, line);
  }
  return 0;
}

int
berth_manifest_list_push(const berth_manifest_list *l, const berth_reference *target,
                         const berth_registry_options *opts, berth_manifest_push_line_fn on_line,
                         void *ctx, char digest[BERTH_DIGEST_LEN], berth_error **err)
{
  if (json_array_size(l->members) == 0)
    return berth_error_set_as(err, ENOENT, "%s not found", l->ref);
  cleanup_free char *text = NULL;
  size_t len = 0;
  const char *type = NULL;
  if (berth_manifest_list_index(l, target->domain, true, &text, &len, &type, err) < 0)
    return -1;
  berth_registry_options ropts = opts != NULL ? *opts : (berth_registry_options){ 0 };
  ropts.actions = "pull,push";
  cleanup_registry berth_registry *r
      = berth_registry_new(target->domain, target->path, &ropts, err);
  if (r == NULL)
    return -1;
  cleanup_free char *target_name = berth_reference_name(target);
  size_t i;
  json_t *m;
  json_array_foreach(l->members, i, m)
  {
    const char *ref = json_string_value(json_object_get(m, "Ref"));
    cleanup_reference berth_reference *from = berth_reference_parse_normalized(ref, err);
    if (from == NULL)
      return berth_error_prefix(err, "member %s", ref);
    if (strcmp(from->path, target->path) != 0
        && bring_member(r, m, from, target_name, l->ref, on_line, ctx, err) < 0)
      return -1;
  }
  if (push_manifest_put(r, target->digest ? target->digest : target->tag, type, text, len, err) < 0)
    return -1;
  berth_sha256_digest(text, len, digest);
  return 0;
}
