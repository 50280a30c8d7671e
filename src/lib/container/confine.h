/* A container's confinement as Docker 20.10 sets it: --cap-add/--cap-drop,
 * --privileged, --security-opt (seccomp=unconfined|PROFILE,
 * no-new-privileges), --read-only, --tmpfs and --device become HostConfig
 * fields at create (CapAdd, CapDrop, Privileged, SecurityOpt,
 * ReadonlyRootfs, Tmpfs, Devices, MaskedPaths, ReadonlyPaths), checked as
 * Docker's daemon checks them; the container's seccomp filter is made
 * then too, from the profile, and kept in containers/<id>/seccomp.json;
 * each start and exec reads them back into the runtime's config. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"
#include "container/container.h"
#include "container/spec.h"
#include "store/store.h"

typedef struct berth_confine_options {
  char **cap_add, **cap_drop; /* as typed, NULL-terminated, may be NULL */
  char **security_opt;        /* after berth_confine_read_security_opts; may be NULL */
  char **tmpfs;               /* "PATH[:OPTS]" */
  char **devices;             /* "HOST[:CTR[:rwm]]" */
  bool privileged, read_only;
  const char *seccomp_profile; /* the default profile's path; NULL: seccomp.h's default */
} berth_confine_options;

/* Docker's CLI check of --security-opt values (the user's, any bytes), in
 * place: "KEY=VALUE", "KEY:VALUE" or "no-new-privileges", else
 * `Invalid --security-opt: "x"`; "seccomp=PATH" (not "unconfined") has
 * the file's JSON put in its place (seccomp.h). */
int berth_confine_read_security_opts(char **opts, berth_error **err);

/* The container's capabilities and no-new-privileges (what exec's
 * processes get too) from its HostConfig. */
int berth_confine_process(const json_t *hostconfig, char ***caps, bool *no_new_privileges,
                          berth_error **err);

/* Sets the confinement fields of the HostConfig hc from o (user input:
 * checked as Docker's daemon does at create, in its words), then makes
 * the container's seccomp filter: *seccomp (NULL: none, for --privileged
 * or seccomp=unconfined).  Device paths are looked up, tmpfs options
 * checked, the profile read: a bad one fails the create. */
int berth_confine_hostconfig(json_t *hc, const berth_confine_options *o, json_t **seccomp,
                             berth_error **err);

/* Writes the filter (or JSON null) as seccomp.json into the container's
 * directory dirfd. */
int berth_confine_save_seccomp(int dirfd, const json_t *seccomp, berth_error **err);

/* What a start needs besides the process: held until cleared. */
typedef struct berth_confine {
  char **caps;
  bool no_new_privileges, privileged, readonly_rootfs;
  json_t *seccomp;      /* linux.seccomp, NULL: none */
  json_t *mounts;       /* the tmpfs mounts */
  json_t *devices;      /* linux.devices */
  json_t *device_rules; /* linux.resources.devices */
} berth_confine;

/* From c's record: its HostConfig and seccomp.json (a record older than
 * seccomp.json gets its filter made now from the default profile: it
 * never starts unconfined for want of the file). */
int berth_confine_load(berth_store *s, const berth_container *c, berth_confine *cf,
                       berth_error **err);
/* Points o's confinement fields at cf's. */
void berth_confine_apply(const berth_confine *cf, berth_spec_options *o);
void berth_confine_clear(berth_confine *cf);
