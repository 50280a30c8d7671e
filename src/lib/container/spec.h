/* The OCI runtime config.json for a container: Docker's defaults
 * (namespaces, mounts, capabilities, masked and read-only paths) with the
 * process, hostname and bind mounts of this container. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

typedef struct berth_spec_options {
  const char *rootfs; /* absolute path of the merged rootfs */
  char *const *args;  /* the process, NULL-terminated, at least one */
  char *const *env;   /* "K=V", NULL-terminated */
  const char *cwd;    /* absolute, "/" when empty */
  uid_t uid;
  gid_t gid;
  bool terminal;
  unsigned short console_rows, console_cols; /* with terminal; 0: the runtime's */
  const char *hostname;
  bool own_network;          /* a network namespace of its own (--network none) */
  const char *container_dir; /* holds hosts, hostname, resolv.conf to bind */
  char *const *binds;        /* "HOST:CTR[:ro]", NULL-terminated, may be NULL */
  const json_t *mounts;      /* HostConfig.Mounts (create.h's berth_mount_spec), may be NULL */
  unsigned long long nofile; /* RLIMIT_NOFILE for the process (≤ the host's) */

  /* confinement (confine.h) */
  char *const *caps;          /* NULL-terminated; NULL: Docker's default set */
  bool no_new_privileges;     /* the process's noNewPrivileges */
  bool privileged;            /* no masked or read-only paths, /sys rw */
  bool readonly_rootfs;       /* --read-only */
  const json_t *seccomp;      /* linux.seccomp; NULL: none */
  const json_t *tmpfs_mounts; /* more OCI mounts (--tmpfs), may be NULL */
  const json_t *devices;      /* linux.devices, may be NULL */
  const json_t *device_rules; /* linux.resources.devices; NULL: deny all */
} berth_spec_options;

/* Docker's masked and read-only paths (what HostConfig.MaskedPaths and
 * ReadonlyPaths show), NULL-terminated. */
extern const char *const *const berth_spec_masked_paths;
extern const char *const *const berth_spec_readonly_paths;

/* Builds the document.  binds are user input: each must be "HOST:CTR" or
 * "HOST:CTR:ro|rw" with both paths absolute.  Every string must be UTF-8
 * (JSON's): one that is not is refused with err, never left out. */
json_t *berth_container_spec(const berth_spec_options *o, berth_error **err);

/* The console size a -t process starts with: our terminal's (stdout, then
 * stdin), else Docker's 24x80. */
void berth_spec_console_size(unsigned short *rows, unsigned short *cols);

/* Only the "process" object of the document (what `runc exec --process`
 * takes): args, env, cwd, user, terminal (and consoleSize), capabilities,
 * rlimits. */
json_t *berth_container_process_spec(const berth_spec_options *o, berth_error **err);
