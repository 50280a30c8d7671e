/* `commit`: a container's changes become a new image (SPEC §4). */
#pragma once
#include <jansson.h>
#include <stdbool.h>

#include "common/digest.h"
#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

typedef struct berth_commit_options {
  const char *author;  /* -a, or NULL */
  const char *comment; /* -m, or NULL */
  char **changes;      /* -c instructions, NULL-terminated, or NULL */
  const char *ref;     /* REPO[:TAG] to tag the image with, or NULL */
  /* For a build's RUN step (build/): the image's Config, its
   * container_config and its history's created_by, instead of the
   * container's Config and command (NULL: those). */
  const json_t *config;
  const json_t *container_config;
  const char *created_by;
  /* The container is removed right after (a build step's): its upperdir
   * may become the layer's directory itself, packed only for the diffID
   * and tar-split and then moved, instead of unpacked again into a new
   * directory (the container is left with an empty upperdir).  Ignored
   * while the container is mounted. */
  bool take_upper;
} berth_commit_options;

/* Packs the container's upperdir into a layer (streamed through a socket
 * into a store stage, unpacked there with its tar-split, and published
 * with parent = the container's parent chain; with take_upper, packed only
 * for the diffID and tar-split and the upperdir itself moved into the
 * stage, unless a ".wh." name in it or another filesystem makes that
 * impossible), then writes the image:
 * the base image's config (cut to the container's layers when it was made
 * from IMAGE@layer:N) with the container's Config plus the -c changes,
 * rootfs.diff_ids + the new diffID, history + {created, created_by = the
 * container's command, author, comment}, container id and
 * container_config; imagedb parent = the container's image.  An upperdir
 * with nothing in it adds no layer and an empty_layer history entry, as
 * Docker does.  Killed midway, nothing is left: the stage is swept and the
 * image written only after the publish.  id_out gets the image id. */
int berth_commit(berth_store *s, const berth_container *c, const berth_commit_options *o,
                 char id_out[BERTH_DIGEST_LEN], berth_error **err);
