/* berth's configuration file, /etc/berth/config.json (BERTH_CONFIG to move
 * it): the shape of Docker's daemon.json, the keys berth understands. */
#pragma once

#include "common/error.h"

#define BERTH_DEFAULT_CONFIG "/etc/berth/config.json"
#define BERTH_DEFAULT_ROOT "/var/lib/berth"

typedef struct berth_config {
  char *data_root;            /* "data-root", NULL when unset */
  char **insecure_registries; /* "insecure-registries", NULL-terminated */
  char **registry_mirrors;    /* "registry-mirrors", NULL-terminated */
  char *default_runtime;      /* "default-runtime" */
  char **runtime_names;       /* keys of "runtimes", NULL-terminated */
  char **runtime_paths;       /* their "path", same order */
  char *seccomp_profile;      /* "seccomp-profile": the default seccomp profile's path */
} berth_config;

/* Reads the file at path (trusted as far as it is the administrator's, but
 * still validated: wrong types are errors naming the key).  A missing file
 * gives an empty configuration. */
berth_config *berth_config_load(const char *path, berth_error **err);
void berth_config_free(berth_config *c);
