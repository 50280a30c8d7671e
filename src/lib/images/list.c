#include "images/list.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/time.h"
#include "images/refs.h"
#include "store/image_load.h"

static int
summarize(berth_store *s, const char *id, berth_image_summary *out, berth_error **err)
{
  cleanup_image_config berth_image_config *c = berth_image_load(s, id, err);
  if (c == NULL)
    return -1;
  cleanup_free berth_layer *layers = NULL;
  size_t n = 0;
  if (berth_image_layers(s, c, &layers, &n, err) < 0)
    return berth_error_prefix(err, "image %s", id);
  memcpy(out->id, id, BERTH_DIGEST_LEN);
  cleanup_free char *parent = berth_store_image_parent(s, id);
  if (parent != NULL && strlen(parent) < BERTH_DIGEST_LEN)
    memcpy(out->parent, parent, strlen(parent) + 1);
  out->created = 0;
  if (c->created != NULL)
    berth_time_parse(c->created, &out->created);
  out->size = berth_image_layers_size(layers, n);
  return 0;
}

static int
newest_first(const void *a, const void *b)
{
  const berth_image_summary *x = a, *y = b;
  if (x->created != y->created)
    return x->created < y->created ? 1 : -1;
  return strcmp(x->id, y->id);
}

int
berth_image_list(berth_store *s, berth_image_summary **out, size_t *n, berth_error **err)
{
  cleanup_strv char **ids = berth_store_image_list(s, err);
  if (ids == NULL)
    return -1;
  berth_ref *refs = NULL;
  size_t nrefs = 0;
  if (berth_store_refs_list(s, &refs, &nrefs, err) < 0)
    return -1;
  size_t count = 0;
  while (ids[count] != NULL)
    count++;
  berth_image_summary *v = xcalloc(count + 1, sizeof(*v));
  for (size_t i = 0; i < count; i++) {
    if (summarize(s, ids[i], &v[i], err) < 0) {
      berth_refs_free(refs, nrefs);
      berth_image_summaries_free(v, i);
      return -1;
    }
    berth_image_refs_of(refs, nrefs, ids[i], &v[i].tags, &v[i].digests);
  }
  berth_refs_free(refs, nrefs);
  for (size_t i = 0; i < count; i++)
    for (size_t j = 0; j < count && v[i].parent[0] != '\0'; j++)
      if (strcmp(v[i].parent, v[j].id) == 0)
        v[j].has_children = true;
  qsort(v, count, sizeof(*v), newest_first);
  *out = v;
  *n = count;
  return 0;
}

void
berth_image_summaries_free(berth_image_summary *v, size_t n)
{
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    for (char **p = v[i].tags; p != NULL && *p != NULL; p++)
      free(*p);
    free(v[i].tags);
    for (char **p = v[i].digests; p != NULL && *p != NULL; p++)
      free(*p);
    free(v[i].digests);
  }
  free(v);
}
