#include "images/rmi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/container.h"
#include "image/chain.h"
#include "images/resolve.h"
#include "reference/reference.h"
#include "store/image_load.h"

typedef struct records {
  char **v;
  size_t n, cap;
} records;

static void
record(records *r, const char *kind, const char *what)
{
  if (r->n + 2 > r->cap) {
    r->cap = r->cap ? r->cap * 2 : 8;
    r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
  }
  r->v[r->n++] = xasprintf("%s: %s", kind, what);
  r->v[r->n] = NULL;
}

/* The refs pointing at id (freed by the caller with berth_refs_free). */
static int
refs_of(berth_store *s, const char *id, berth_ref **out, size_t *n, berth_error **err)
{
  berth_ref *all = NULL;
  size_t total = 0, kept = 0;
  if (berth_store_refs_list(s, &all, &total, err) < 0)
    return -1;
  for (size_t i = 0; i < total; i++) {
    if (strcmp(all[i].image_id, id) == 0) {
      all[kept++] = all[i];
    } else {
      free(all[i].repository);
      free(all[i].name);
      free(all[i].image_id);
    }
  }
  *out = all;
  *n = kept;
  return 0;
}

static bool
is_canonical(const berth_ref *r)
{
  return strchr(r->name, '@') != NULL;
}

/* Docker's isSingleReference: one tag (or none) plus digests, all within
 * one repository. */
static bool
is_single_reference(const berth_ref *refs, size_t n)
{
  if (n <= 1)
    return n == 1;
  const berth_ref *single = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!is_canonical(&refs[i])) {
      if (single != NULL)
        return false;
      single = &refs[i];
    }
  }
  if (single == NULL)
    single = &refs[0];
  for (size_t i = 0; i < n; i++)
    if (is_canonical(&refs[i]) && strcmp(refs[i].repository, single->repository) != 0)
      return false;
  return true;
}

/* Docker's isImageIDPrefix. */
static bool
is_id_prefix(const char *id, const char *s)
{
  return strncmp(id, s, strlen(s)) == 0 || strncmp(id + 7, s, strlen(s)) == 0;
}

static int
count_children(berth_store *s, const char *id, size_t *n, berth_error **err)
{
  cleanup_strv char **ids = berth_store_image_list(s, err);
  if (ids == NULL)
    return -1;
  *n = 0;
  for (char **p = ids; *p != NULL; p++) {
    cleanup_free char *parent = berth_store_image_parent(s, *p);
    *n += parent != NULL && strcmp(parent, id) == 0;
  }
  return 0;
}

static int
untag(berth_store *s, const char *name, records *r, berth_error **err)
{
  int d = berth_store_ref_delete(s, name, err);
  if (d < 0)
    return -1;
  if (d == 0) {
    return berth_error_set_as(err, ENOENT, "No such image: %s", name);
  }
  record(r, "Untagged", name);
  return 0;
}

/* Untags every name of id, recording each. */
static int
untag_all(berth_store *s, const char *id, records *r, berth_error **err)
{
  berth_ref *refs = NULL;
  size_t n = 0;
  if (refs_of(s, id, &refs, &n, err) < 0)
    return -1;
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; i++)
    ret = untag(s, refs[i].name, r, err);
  berth_refs_free(refs, n);
  return ret;
}

static int
conflict(const char *id, bool hard, const char *why, berth_error **err)
{
  return berth_error_set(err, 0, "conflict: unable to delete %.12s (%s) - %s", berth_digest_hex(id),
                         hard ? "cannot be forced" : "must be forced", why);
}

/* 1 when id is mounted by `image mount` (a live record; *at gets where), 0
 * when it is not. */
static int
mounted_at(berth_store *s, const char *id, char **at, berth_error **err)
{
  berth_mount_record *recs = NULL;
  size_t n = 0;
  *at = NULL;
  if (berth_store_mount_records(s, &recs, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && *at == NULL; i++)
    if (recs[i].live && strcmp(recs[i].image_id, id) == 0)
      *at = xstrdup(recs[i].target);
  berth_mount_records_free(recs, n);
  return *at != NULL;
}

static int container_using(berth_store *s, const char *id, char user[65], berth_error **err);

/* 1 when the image may go (refs removed when soft conflicts are ignored), 0
 * when quiet and there is a conflict, -1 on a conflict or error.  A mounted
 * image is a hard conflict, as an image a running container uses is to
 * Docker: its layers are in use. */
static int
check_conflicts(berth_store *s, const char *id, bool force, bool quiet, berth_error **err)
{
  cleanup_free char *at = NULL;
  int mounted = mounted_at(s, id, &at, err);
  if (mounted != 0) {
    if (mounted < 0 || quiet)
      return mounted < 0 ? -1 : 0;
    cleanup_free char *why = xasprintf("image is mounted at %s", at);
    return conflict(id, true, why, err);
  }
  size_t children;
  if (count_children(s, id, &children, err) < 0)
    return -1;
  if (children > 0)
    return quiet ? 0 : conflict(id, true, "image has dependent child images", err);
  /* a parent a container was made from stays, as in Docker's
   * imageDeleteHelper (the image named was checked before) */
  char user[65];
  int using = quiet ? container_using(s, id, user, err) : 0;
  if (using != 0)
    return using < 0 ? -1 : 0;
  berth_ref *refs = NULL;
  size_t n = 0;
  if (refs_of(s, id, &refs, &n, err) < 0)
    return -1;
  berth_refs_free(refs, n);
  if (n > 0 && !force)
    return quiet ? 0 : conflict(id, false, "image is referenced in multiple repositories", err);
  return 1;
}

/* Deletes id and records it and the layers that went with it, top first;
 * then, when pruning, its parent if nothing else holds it (Docker's
 * imageDeleteHelper). */
static int
delete_image(berth_store *s, const char *id, bool force, bool prune, bool quiet, records *r,
             berth_error **err)
{
  int ok = check_conflicts(s, id, force, quiet, err);
  if (ok <= 0)
    return ok;
  cleanup_free char *parent = berth_store_image_parent(s, id);
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_strv char **chains = berth_chain_ids(c->diff_ids, c->n_diff_ids);
  if (untag_all(s, id, r, err) < 0 || berth_store_image_delete(s, id, err) < 0)
    return -1;
  record(r, "Deleted", id);
  for (size_t i = c->n_diff_ids; i-- > 0;) {
    berth_layer l;
    int found = berth_store_layer_get(s, chains[i], &l, err);
    if (found < 0)
      return -1;
    if (found == 0)
      record(r, "Deleted", chains[i]);
  }
  if (!prune || parent == NULL || !berth_digest_is_valid(parent))
    return 0;
  return delete_image(s, parent, false, true, true, r, err);
}

/* A repository reference was given: untag it (and the digest refs of its
 * repository when no tag of it is left).  1 when the image keeps other
 * names, 0 when it is now unnamed. */
static int
remove_reference(berth_store *s, const char *id, const char *name, records *r, berth_error **err)
{
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(name, err);
  if (ref == NULL)
    return -1;
  if (ref->digest != NULL) {
    free(ref->tag);
    ref->tag = NULL;
  }
  berth_reference_default_tag(ref);
  cleanup_free char *key = berth_reference_familiar_string(ref);
  cleanup_free char *repo = berth_reference_familiar_name(ref);
  if (untag(s, key, r, err) < 0)
    return -1;
  berth_ref *refs = NULL;
  size_t n = 0;
  if (refs_of(s, id, &refs, &n, err) < 0)
    return -1;
  bool tag_left = ref->digest != NULL;
  for (size_t i = 0; i < n; i++)
    tag_left |= !is_canonical(&refs[i]) && strcmp(refs[i].repository, repo) == 0;
  size_t left = n;
  for (size_t i = 0; i < n && !tag_left; i++) {
    if (!is_canonical(&refs[i]) || strcmp(refs[i].repository, repo) != 0)
      continue;
    if (untag(s, refs[i].name, r, err) < 0) {
      berth_refs_free(refs, n);
      return -1;
    }
    left--;
  }
  berth_refs_free(refs, n);
  return left > 0;
}

/* A container made from id: 2 when running, 1 when not, 0 when none;
 * its id in user. */
static int
container_using(berth_store *s, const char *id, char user[65], berth_error **err)
{
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return -1;
  int found = 0;
  for (char **cid = ids; *cid != NULL && found < 2; cid++) {
    cleanup_container berth_container *c = NULL;
    if (berth_container_load(s, *cid, &c, NULL) != 1 || strcmp(c->image_id, id) != 0)
      continue;
    found = strcmp(c->status, "running") == 0 ? 2 : 1;
    memcpy(user, c->id, 65);
  }
  return found;
}

/* Docker refuses to remove an image a container uses: by reference unless
 * forced, by id always for a running container and otherwise unless forced. */
static int
check_containers(berth_store *s, const char *id, const char *name, bool force, berth_error **err)
{
  char user[65];
  int using = container_using(s, id, user, err);
  if (using <= 0)
    return using;
  if (!is_id_prefix(id, name) && !force)
    berth_error_set(err, 0,
                    "conflict: unable to remove repository reference \"%s\" (must force) - "
                    "container %.12s is using its referenced image %.12s",
                    name, user, berth_digest_hex(id));
  else if (is_id_prefix(id, name) && using == 2)
    berth_error_set(err, 0,
                    "conflict: unable to delete %.12s (cannot be forced) - image is being used "
                    "by running container %.12s",
                    berth_digest_hex(id), user);
  else if (is_id_prefix(id, name) && !force)
    berth_error_set(err, 0,
                    "conflict: unable to delete %.12s (must be forced) - image is being used "
                    "by stopped container %.12s",
                    berth_digest_hex(id), user);
  else
    return 0;
  return -1;
}

/* An image mount holds the image as a running container does, in Docker's
 * words for that: a reference is untagged only when forced (the image stays,
 * unnamed, while mounted), an id is refused even when forced. */
static int
check_mounts(berth_store *s, const char *id, const char *name, bool force, berth_error **err)
{
  cleanup_free char *at = NULL;
  int mounted = mounted_at(s, id, &at, err);
  if (mounted <= 0)
    return mounted;
  if (!is_id_prefix(id, name) && !force)
    berth_error_set(err, 0,
                    "conflict: unable to remove repository reference \"%s\" (must force) - "
                    "image %.12s is mounted at %s",
                    name, berth_digest_hex(id), at);
  else if (is_id_prefix(id, name))
    berth_error_set(err, 0,
                    "conflict: unable to delete %.12s (cannot be forced) - image is "
                    "mounted at %s",
                    berth_digest_hex(id), at);
  else
    return 0;
  return -1;
}

static int
remove_locked(berth_store *s, const char *name, const berth_rmi_options *opts, records *r,
              berth_error **err)
{
  char id[BERTH_DIGEST_LEN];
  if (berth_image_resolve(s, name, id, err) < 0
      || check_containers(s, id, name, opts->force, err) < 0
      || check_mounts(s, id, name, opts->force, err) < 0)
    return -1;
  bool prune = !opts->no_prune;
  if (!is_id_prefix(id, name)) {
    int kept = remove_reference(s, id, name, r, err);
    if (kept != 0)
      return kept < 0 ? -1 : 0;
    return delete_image(s, id, opts->force, prune, true, r, err) < 0 ? -1 : 0;
  }
  berth_ref *refs = NULL;
  size_t n = 0;
  if (refs_of(s, id, &refs, &n, err) < 0)
    return -1;
  bool single = is_single_reference(refs, n);
  berth_refs_free(refs, n);
  if (single) {
    size_t children;
    if (count_children(s, id, &children, err) < 0)
      return -1;
    if (children > 0)
      return conflict(id, true, "image has dependent child images", err);
    if (untag_all(s, id, r, err) < 0)
      return -1;
  }
  return delete_image(s, id, opts->force, prune, false, r, err) < 0 ? -1 : 0;
}

/* name is untrusted user input, resolved by berth_image_resolve. */
int
berth_image_remove(berth_store *s, const char *name, const berth_rmi_options *opts, char ***out,
                   berth_error **err)
{
  records r = { .v = xcalloc(8, sizeof(char *)), .cap = 8 };
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  int ret = lock != NULL ? remove_locked(s, name, opts, &r, err) : -1;
  *out = r.v;
  return ret;
}
