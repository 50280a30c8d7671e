/* Local manifest lists, as `docker manifest create` keeps them: for each
 * member image its reference, its manifest's descriptor (with the platform
 * read from its config, changed by `annotate`) and the manifest bytes as the
 * registry served them.  Kept in the store (store/manifest_lists.h) as one
 * JSON document per list:
 *   {"Ref": "127.0.0.1:5000/x/y:latest",
 *    "Manifests": [{"Ref": "…", "Descriptor": {"mediaType", "digest", "size",
 *                   "platform": {"architecture", "os", …}}, "Raw": "<manifest>"}]}
 * Members are kept in the order Docker lists them (its store reads a list's
 * directory: by escaped file name), so that the index pushed is Docker's. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "store/store.h"

typedef struct berth_manifest_list {
  char *ref;       /* the list's reference, normalized, with its tag ("…:latest") */
  json_t *members; /* array of member objects as above */
} berth_manifest_list;

/* Reads the list kept for ref (a normalized reference string).  1 found, 0
 * none kept (out then holds an empty list named ref), -1 on error (a
 * document that does not have the shape above, or whose Raw bytes do not hash
 * to their digest, is an error naming the list). */
int berth_manifest_list_load(berth_store *s, const char *ref, berth_manifest_list *out,
                             berth_error **err);
int berth_manifest_list_save(berth_store *s, const berth_manifest_list *l, berth_error **err);
void berth_manifest_list_clear(berth_manifest_list *l);

/* The member whose Ref is ref (borrowed), or NULL. */
json_t *berth_manifest_list_member(const berth_manifest_list *l, const char *ref);
/* Adds member (taking the reference), replacing the one of the same Ref. */
void berth_manifest_list_set(berth_manifest_list *l, json_t *member);

/* What `manifest annotate` sets (NULL / empty: left as it is). */
typedef struct berth_platform_annotation {
  const char *os, *arch, *variant, *os_version;
  char *const *os_features; /* NULL-terminated, added when not there yet */
} berth_platform_annotation;

/* Changes a member's platform.  The result must be one of the os/arch pairs
 * Docker's client accepts, else Docker's "manifest entry for image has
 * unsupported os/arch combination: OS/ARCH" (with the values given); values
 * that are not UTF-8 are refused.  Nothing is changed on error. */
int berth_manifest_list_annotate(json_t *member, const berth_platform_annotation *a,
                                 berth_error **err);

/* The index of the list, as pushed, in Docker's bytes (three-space indent,
 * its key order): an OCI index when the first member is an OCI manifest,
 * else a Docker manifest list, as Docker's manifestlist.FromDescriptors
 * decides.  Each member must be on domain (the target's registry; NULL: not
 * checked); with for_push each must have an OS and an architecture. */
int berth_manifest_list_index(const berth_manifest_list *l, const char *domain, bool for_push,
                              char **text, size_t *len, const char **media_type, berth_error **err);

/* A registry's index as `docker manifest inspect` prints it: rebuilt from
 * its entries' mediaType, size, digest and platform (*text, three-space
 * indent, Docker's key order). */
int berth_manifest_index_render(const char *data, size_t len, char **text, berth_error **err);
