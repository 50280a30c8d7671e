#include "store/refs.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "store/internal.h"
#include "store/lock.h"

#define REPOS_FILE "repositories.json"

/* Reads repositories.json (our own file; its shape is still checked). */
static json_t *
load(berth_store *s, berth_error **err)
{
  cleanup_error berth_error *local = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (berth_read_file_at(s->image_fd, REPOS_FILE, &data, &len, &local) < 0) {
    if (berth_error_errno(local) != ENOENT) {
      berth_error_propagate(err, &local);
      return NULL;
    }
    return json_pack("{s:{}}", "Repositories");
  }
  json_error_t jerr;
  json_t *root = json_loadb(data, len, 0, &jerr);
  if (root == NULL || !json_is_object(json_object_get(root, "Repositories"))) {
    json_decref(root);
    berth_error_set(err, 0, "%s/image/overlay2/" REPOS_FILE ": not a repositories file", s->root);
    return NULL;
  }
  return root;
}

static int
save(berth_store *s, json_t *root, berth_error **err)
{
  cleanup_free char *text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
  if (text == NULL)
    return berth_error_set(err, ENOMEM, "encode " REPOS_FILE);
  return berth_write_file_atomic_at(s->image_fd, REPOS_FILE, text, strlen(text), 0600, err);
}

int
berth_store_refs_list(berth_store *s, berth_ref **refs, size_t *n, berth_error **err)
{
  cleanup_json json_t *root = load(s, err);
  if (root == NULL)
    return -1;
  size_t count = 0, cap = 8;
  berth_ref *v = xmalloc(cap * sizeof(*v));
  const char *repo, *name;
  json_t *names, *id;
  json_object_foreach(json_object_get(root, "Repositories"), repo, names){
    json_object_foreach(names, name, id){ if (!json_is_string(id)) continue;
  if (count == cap) {
    cap *= 2;
    v = xrealloc(v, cap * sizeof(*v));
  }
  v[count++] = (berth_ref){ xstrdup(repo), xstrdup(name), xstrdup(json_string_value(id)) };
}
}
*refs = v;
*n = count;
return 0;
}

void
berth_refs_free(berth_ref *refs, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(refs[i].repository);
    free(refs[i].name);
    free(refs[i].image_id);
  }
  free(refs);
}

/* Removes name from every repository (dropping emptied ones); true if found. */
static bool
remove_name(json_t *repos, const char *name)
{
  bool found = false;
  const char *repo;
  json_t *names;
  void *tmp;
  json_object_foreach_safe(repos, tmp, repo, names)
  {
    if (json_object_del(names, name) == 0) {
      found = true;
      if (json_object_size(names) == 0)
        json_object_del(repos, repo);
    }
  }
  return found;
}

/* Trusts repository and name as plain strings (they are JSON-encoded, never
 * paths); image_id is validated. */
int
berth_store_ref_set(berth_store *s, const char *repository, const char *name, const char *image_id,
                    berth_error **err)
{
  if (berth_digest_check(image_id, err) < 0)
    return berth_error_prefix(err, "tag %s", name);
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_json json_t *root = load(s, err);
  if (root == NULL)
    return -1;
  json_t *repos = json_object_get(root, "Repositories");
  remove_name(repos, name);
  json_t *names = json_object_get(repos, repository);
  if (!json_is_object(names)) {
    names = json_object();
    json_object_set_new(repos, repository, names);
  }
  json_object_set_new(names, name, json_string(image_id));
  return save(s, root, err) < 0 ? berth_error_prefix(err, "tag %s", name) : 0;
}

int
berth_store_ref_delete(berth_store *s, const char *name, berth_error **err)
{
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return -1;
  cleanup_json json_t *root = load(s, err);
  if (root == NULL)
    return -1;
  if (!remove_name(json_object_get(root, "Repositories"), name))
    return 0;
  return save(s, root, err) < 0 ? berth_error_prefix(err, "untag %s", name) : 1;
}

int
berth_store_ref_get(berth_store *s, const char *name, char id_out[BERTH_DIGEST_LEN],
                    berth_error **err)
{
  cleanup_json json_t *root = load(s, err);
  if (root == NULL)
    return -1;
  const char *repo;
  json_t *names;
  json_object_foreach(json_object_get(root, "Repositories"), repo, names)
  {
    const char *id = json_string_value(json_object_get(names, name));
    if (id != NULL && berth_digest_is_valid(id)) {
      memcpy(id_out, id, BERTH_DIGEST_LEN);
      return 1;
    }
  }
  return 0;
}
