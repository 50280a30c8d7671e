#include "images/import.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "archive/stream.h"
#include "archive/unpack.h"
#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "image/container_config.h"
#include "image/platform.h"
#include "image/time.h"
#include "images/tag.h"
#include "reference/reference.h"

char *
berth_import_config(const char *diff_id, const char *created, const char *comment)
{
  cleanup_free char *platform = berth_platform_host();
  char *slash = strchr(platform, '/');
  char *arch = slash != NULL ? slash + 1 : platform;
  char *variant = strchr(arch, '/');
  if (slash != NULL)
    *slash = '\0';
  if (variant != NULL)
    *variant++ = '\0';
  cleanup_json json_t *c = json_object();
  json_object_set_new(c, "architecture", json_string(arch));
  json_object_set_new(c, "comment", json_string(comment));
  json_object_set_new(c, "config", berth_container_config_json(NULL));
  json_object_set_new(c, "container_config", berth_container_config_json(NULL));
  json_object_set_new(c, "created", json_string(created));
  json_t *h = json_object();
  json_object_set_new(h, "created", json_string(created));
  json_object_set_new(h, "comment", json_string(comment));
  json_object_set_new(c, "history", json_pack("[o]", h));
  json_object_set_new(c, "os", json_string(platform));
  json_object_set_new(c, "rootfs",
                      json_pack("{s:s, s:[s]}", "type", "layers", "diff_ids", diff_id));
  if (variant != NULL)
    json_object_set_new(c, "variant", json_string(variant));
  return json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* Stages, unpacks and publishes the tarball as a bottom layer; *lock is the
 * writer lock taken for the publish, held until the image names the layer so
 * that a concurrent rmi cannot collect it. */
static int
import_layer(berth_store *s, int fd, berth_layer *out, berth_store_lock **lock, berth_error **err)
{
  cleanup_layer_stage berth_layer_stage *st = berth_layer_stage_new(s, err);
  if (st == NULL)
    return -1;
  berth_unpack_result res;
  if (berth_layer_unpack(berth_fd_read, &fd, berth_layer_stage_diff_fd(st),
                         berth_layer_stage_tarsplit_fd(st), &res, err)
      < 0)
    return berth_error_prefix(err, "import");
  *lock = berth_store_lock_acquire(s, err);
  if (*lock == NULL)
    return -1;
  return berth_layer_stage_publish(s, st, NULL, res.diff_id, res.size, out, err);
}

static int
import(berth_store *s, int fd, const berth_import_options *opts, char id_out[BERTH_DIGEST_LEN],
       berth_error **err)
{
  /* The message becomes a JSON string in the config: refuse bytes that are
   * not UTF-8 before reading anything, rather than drop the comment. */
  if (berth_utf8_check(opts->message, "\"-m, --message\" flag", err) < 0)
    return -1;
  if (opts->ref != NULL) { /* refuse a bad name before reading anything */
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(opts->ref, err);
    if (ref == NULL)
      return -1;
  }
  berth_layer layer;
  cleanup_store_lock berth_store_lock *lock = NULL;
  if (import_layer(s, fd, &layer, &lock, err) < 0)
    return -1;
  cleanup_free char *created = berth_time_now_rfc3339();
  /* a source name that is not UTF-8 is shown escaped, as an error would */
  const char *src = opts->source ? opts->source : "-";
  cleanup_free char *source
      = berth_utf8_valid(src, strlen(src)) ? xstrdup(src) : berth_bytes_escape(src);
  cleanup_free char *comment
      = opts->message != NULL ? xstrdup(opts->message) : xasprintf("Imported from %s", source);
  cleanup_free char *config = berth_import_config(layer.diff_id, created, comment);
  if (berth_store_image_put(s, config, strlen(config), NULL, id_out, err) < 0)
    return -1;
  if (opts->ref != NULL && berth_image_tag_id(s, id_out, opts->ref, err) < 0)
    return -1;
  return 0;
}

int
berth_image_import(berth_store *s, int fd, const berth_import_options *opts,
                   char id_out[BERTH_DIGEST_LEN], berth_error **err)
{
  int ret = import(s, fd, opts, id_out, err);
  berth_store_publish_done(s, ret < 0); /* a layer no image uses is collected */
  return ret;
}
