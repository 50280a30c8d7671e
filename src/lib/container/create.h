/* `create`: a container record, its RW layer and init layer from an image
 * and the command-line options. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "container/container.h"
#include "store/store.h"

typedef struct berth_create_options {
  const char *image;      /* as the user typed it (the record's Config.Image) */
  const char *image_id;   /* what it resolved to (images/rootfs_ref.h) */
  size_t n_layers;        /* of the image's layers, bottom first, the rootfs has */
  char **cmd;             /* after the image, NULL-terminated (may be empty) */
  const char *name;       /* NULL: a random one */
  char **env;             /* -e / --env-file entries "K=V" or "K", NULL-terminated */
  const char *workdir;    /* -w */
  const char *user;       /* -u */
  char **binds;           /* -v, NULL-terminated */
  const char *entrypoint; /* NULL: the image's; "" clears it */
  const char *hostname;   /* NULL: the short id (the host's with --network host) */
  const char *network;    /* "host" (default) or "none" */
  const char *runtime;    /* NULL: the configured default */
  bool tty, interactive, auto_remove;
} berth_create_options;

/* Makes the container from the image id and layer count the caller
 * resolved, under the writer lock: name check, RW layer, init
 * layer, hosts/hostname/resolv.conf files, record.  Errors carry exit code
 * 125 as Docker's do. */
int berth_container_create(berth_store *s, const berth_create_options *o, berth_container **out,
                           berth_error **err);
