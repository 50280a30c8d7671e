/* The image config (Docker / OCI config JSON): what an image ID hashes. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct berth_history {
  char *created; /* RFC 3339, validated when present */
  char *created_by;
  char *author;
  char *comment;
  bool empty_layer;
} berth_history;

typedef struct berth_image_config {
  json_t *json;                     /* the whole parsed document (owned), for inspect */
  char *architecture, *os;          /* required */
  char *variant, *created, *author; /* NULL when absent */
  char **diff_ids;                  /* rootfs.diff_ids, validated, NULL-terminated */
  size_t n_diff_ids;
  berth_history *history;
  size_t n_history;
} berth_image_config;

/* Reads an untrusted config: an object with string os and architecture,
 * rootfs.type "layers" and valid rootfs.diff_ids; the optional fields have
 * their JSON types checked and timestamps their RFC 3339 form. */
berth_image_config *berth_image_config_parse(const char *data, size_t len, berth_error **err);

void berth_image_config_free(berth_image_config *c);
void berth_image_config_cleanup(berth_image_config **c);
#define cleanup_image_config __attribute__((cleanup(berth_image_config_cleanup)))

/* The bytes of an image config document as berth writes it (and so its
 * id): compact, top-level keys sorted as Docker's encoder orders them, the
 * nested objects in the order they were built. */
char *berth_image_config_dumps(json_t *doc);
