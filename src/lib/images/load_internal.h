/* What load.c, load_index.c (the archive read in place), load_oci.c (the
 * OCI image layout reader) and load_legacy.c share: the archive's entries,
 * copied to scratch or indexed in the input, and the images planned from
 * them. */
#pragma once

#include <archive_entry.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
#include "image/config.h"
#include "store/scratch.h"
#include "store/stage.h"

#include <sys/types.h>

/* One entry of the archive: a regular file (copied to scratch/e<index>,
 * or found at offset in the input when it is indexed), or a link to
 * another entry's path (target NULL when it points outside). */
struct entry {
  char *name;
  bool is_link;
  char *target;
  size_t index;
  off_t offset; /* of its contents in the input (indexed only) */
  off_t size;
};

struct archive_copy {
  berth_store_scratch *scratch; /* NULL when indexed */
  int input;                    /* the input read in place (indexed), else -1 */
  struct entry *entries;
  size_t n, cap;
};

/* Reading one entry's contents: from its copy, or the input in place. */
typedef struct load_reader {
  int fd;
  bool owned;
  off_t pos, end;
} load_reader;

int load_reader_open(const struct archive_copy *c, const struct entry *e, load_reader *r,
                     berth_error **err);
/* A berth_read_fn (ctx: the load_reader): at most the entry's bytes; an
 * input that ends before them is a truncated archive. */
ssize_t load_reader_read(void *ctx, void *buf, size_t len, berth_error **err);
void load_reader_close(load_reader *r);

struct entry *load_add_entry(struct archive_copy *c, const char *name);
/* Notes an outer tar entry: a link (hard or symbolic) is recorded with its
 * target, cleaned inside the archive; a regular file gets its entry, which
 * is returned for the caller to fill; anything else (a name outside the
 * archive, a directory) is NULL. */
struct entry *load_note_entry(struct archive_copy *c, struct archive_entry *ae);
/* A path of the archive cleaned ("./" and empty components dropped), NULL
 * when absolute or climbing with ".."; a symlink's target from the link's
 * directory, NULL when it points outside. */
char *load_path_clean(const char *path);
char *load_link_target(const char *link_name, const char *target);

/* Indexes the input fd in place when it is a regular file holding a plain
 * (uncompressed) tar: the entries' names, offsets and sizes, nothing
 * copied.  1 indexed (c->input = fd), 0 when it cannot be (not seekable,
 * compressed, sparse entries: copy it instead; nothing was consumed), -1
 * on error.  UNTRUSTED: as the copy, names are only keys; an entry
 * reaching past the end of the file is a truncated archive. */
int load_index_archive(struct archive_copy *c, int fd, berth_error **err);

/* One image of manifest.json. */
struct load_image;
/* Adds tag (taken) to the image's names unless it has it already. */
void load_image_add_tag(struct load_image *im, char *tag);

struct load_image {
  char *config;
  size_t config_len;
  berth_image_config *image;
  char **chain_ids;
  const struct entry **layers;
  char **layer_names;
  berth_layer_stage **stages;
  long long *sizes;
  char **tags;
  size_t n_layers, n_tags;
  char id[BERTH_DIGEST_LEN];
  /* The legacy layout's: the image this one was made from (published
   * first, its id the imagedb parent), and whether it is only that (a
   * layer below another, untagged: not reported as loaded). */
  const struct load_image *parent;
  bool intermediate;
};

void load_image_clear(struct load_image *im);
/* im->config parsed (config_name: its name in errors), checked to list the
 * n layers source (the manifest) lists, at most BERTH_MAX_LAYERS, and the
 * per-layer arrays made. */
int load_image_config(struct load_image *im, const char *config_name, const char *source, size_t n,
                      berth_error **err);

/* The copy of the file source (manifest.json, index.json...) names as
 * path, following links within the archive; errors name source. */
const struct entry *load_lookup(const struct archive_copy *c, const char *source, const char *what,
                                const char *path, berth_error **err);
/* A copy of at most 8 MiB, NUL-terminated. */
char *load_read_small(const struct archive_copy *c, const struct entry *e, size_t *len,
                      berth_error **err);

/* Plans the images of an OCI image layout (index.json, blobs/sha256/): each
 * manifest index.json names, its config and layers, every blob's sha256
 * checked against its descriptor, names from the annotations.  UNTRUSTED:
 * index.json and manifests are parsed JSON, blobs only found by digest. */
int load_oci_plan(const struct archive_copy *c, struct load_image **ims, size_t *n,
                  berth_error **err);

/* Whether the archive (without manifest.json) has the legacy layout of
 * docker save before 1.10: `repositories` or a top-level DIR/json. */
bool load_legacy_is(const struct archive_copy *c);
/* Plans the images of the legacy layout: one per v1 layer directory,
 * parents first, each config derived from the layer's v1 json as Docker's
 * legacyLoad derives it (diffIDs computed from the layer tars), tags from
 * `repositories`.  UNTRUSTED: every json is parsed JSON, a parent must be
 * a directory of the archive, a chain may not loop. */
int load_legacy_plan(const struct archive_copy *c, struct load_image **ims, size_t *n,
                     berth_error **err);

/* The pieces of Go's encoding load_legacy_plan matches (load_legacy.c):
 * Docker's versions.LessThan; a time as Go's time.Time re-encodes it
 * (NULL when s is not RFC 3339, Go's zero time when s is NULL); a document
 * as encoding/json writes a map of raw messages (top-level keys sorted,
 * nested order kept, <, > and & escaped). */
bool load_version_less(const char *v, const char *than);
char *load_go_time(const char *s);
char *load_go_json(json_t *doc);
