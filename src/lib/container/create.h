/* `create`: a container record, its RW layer and init layer from an image
 * and the command-line options. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "container/confine.h"
#include "container/container.h"
#include "container/limits.h"
#include "network/network.h"
#include "network/ports.h"
#include "store/store.h"

/* A mount made for the container besides -v's binds (build's RUN --mount):
 * stored as Docker's HostConfig.Mounts entry ({Type, Source, Target,
 * ReadOnly, TmpfsOptions.SizeBytes}). */
typedef struct berth_mount_spec {
  const char *type;        /* "bind" or "tmpfs" */
  const char *source;      /* bind: an absolute host path (the caller's, trusted) */
  const char *target;      /* an absolute path in the container */
  bool readonly;           /* bind */
  unsigned long long size; /* tmpfs: its size limit in bytes; 0 none */
} berth_mount_spec;

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
  char **labels;          /* -l / --label "K=V" or "K" (an empty value), NULL-terminated */
  const char *entrypoint; /* NULL: the image's; "" clears it */
  const char *hostname;   /* NULL: the short id (the host's with --network host) */
  const char *network;    /* NULL or "host", "none", "default", "bridge", a user network's
                             name, "container:NAME" (HostConfig.NetworkMode) */
  const berth_network_config *network_config; /* the configuration's bridge (NULL: Docker's) */
  const berth_port_map *ports;                /* -p, n_ports of them (HostConfig.PortBindings) */
  size_t n_ports;
  const berth_port_map *exposed; /* --expose, n_exposed of them (Config.ExposedPorts) */
  size_t n_exposed;
  bool publish_all;       /* -P: every exposed port (HostConfig.PublishAllPorts) */
  char **network_aliases; /* --network-alias, NULL-terminated, may be NULL */
  const char *runtime;    /* NULL: the configured default */
  bool tty, interactive, auto_remove;
  bool detach; /* run -d: nothing attached (Docker's Attach* and StdinOnce false) */

  /* more mounts after the binds (build's RUN --mount), n_mounts of them */
  const berth_mount_spec *mounts;
  size_t n_mounts;

  berth_limits limits; /* --memory, --cpus, --pids-limit, --ulimit, --shm-size, --init... */
  berth_confine_options confine; /* capabilities, seccomp, devices… (confine.h) */
} berth_create_options;

/* Makes the container from the image id and layer count the caller
 * resolved, under the writer lock: name check, RW layer, init
 * layer, hosts/hostname/resolv.conf files, record.  The limits are checked
 * first, as Docker's daemon checks them, against this host's cgroups.
 * Errors carry exit code 125 as Docker's do. */
int berth_container_create(berth_store *s, const berth_create_options *o, berth_container **out,
                           berth_error **err);
