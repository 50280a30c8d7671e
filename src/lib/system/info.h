/* `info`: facts about the store and the host, as Docker's `info` shows them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "store/store.h"
#include "system/config.h"

typedef struct berth_info {
  size_t images, containers;
  char *backing_fs; /* "extfs", "xfs", … */
  bool d_type;
  char *root_dir;
  char **insecure_registries; /* the configured ones plus 127.0.0.0/8, NULL-terminated */
  char **runtimes;            /* configured runtimes and runc/crun found in PATH, sorted */
  char *default_runtime;
  char *kernel_version, *operating_system, *architecture; /* uname -r, PRETTY_NAME, uname -m */
  long cpus;
  long long total_memory;  /* bytes */
  char **security_options; /* Docker's "name=seccomp,profile=default", NULL-terminated */
} berth_info;

/* config may be NULL.  PATH and /etc/os-release are read as the host's. */
int berth_info_gather(berth_store *s, const berth_config *config, berth_info *out,
                      berth_error **err);
void berth_info_clear(berth_info *info);
