/* What `save` writes, worked out before the first byte: the images with
 * their tags, and every layer once with its v1 id and json (images/save.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct save_layer {
  char v1[65]; /* the directory's name */
  char chain_id[BERTH_DIGEST_LEN], diff_id[BERTH_DIGEST_LEN];
  char *json;    /* the v1 "json" file */
  char *link_to; /* the v1 id whose layer.tar has the same diffID, or NULL */
  int64_t mtime; /* the created time of the image that brought it */
} save_layer;

typedef struct save_image {
  char id[BERTH_DIGEST_LEN];
  char **tags; /* familiar "repo:tag", NULL-terminated */
  size_t n_tags;
  char *config; /* the config bytes as stored */
  size_t config_len;
  int64_t created;
  char *parent;  /* the recorded parent image id, or NULL */
  char **layers; /* v1 ids, bottom first, NULL-terminated */
} save_image;

typedef struct save_plan {
  save_image *images;
  size_t n_images;
  save_layer *layers;
  size_t n_layers;
} save_plan;

/* Resolves names (untrusted user input) as Docker's tarexporter does and
 * prepares every member but the layer tars. */
int save_plan_make(berth_store *s, char *const *names, size_t n, save_plan *p, berth_error **err);
void save_plan_clear(save_plan *p);

/* manifest.json and repositories (NULL when no image has a tag), compact
 * with a newline, as Go's json.Encoder writes them. */
char *save_plan_manifest(const save_plan *p);
char *save_plan_repositories(const save_plan *p);

/* The pieces of the tar writer (images/save.c) that the OCI layout writer
 * (images/save_oci.c) shares. */
struct archive;
struct archive_entry;
typedef int (*save_write_fn)(void *ctx, const void *buf, size_t len, berth_error **err);
/* The outer tar's writes: libarchive's default is 10240 bytes a write()
 * (17,000 calls for a 170 MB image); the archive's bytes are the same
 * (bytes_in_last_block 1: no padding at the end). */
#define SAVE_BLOCK_SIZE (1024 * 1024)
/* A regular file's written pages go to writeback every this many bytes. */
#define SAVE_WRITEBACK_SIZE (8 * 1024 * 1024)

/* Where the outer tar goes: fd (not owned). */
struct save_out {
  int fd;
  bool writeback;
  off_t written, kicked, waited;
};
/* Opens a for writing the tar to fd in SAVE_BLOCK_SIZE writes.  With
 * writeback (save -o: a new regular file, made durable at the end), its
 * pages are handed to writeback as they are written, waiting for those of
 * the window before: the fsync at the end then waits only for the last
 * window instead of for the whole archive, and the archive never sits in
 * the page cache dirty all at once.  Without (stdout), nothing waits. */
int save_archive_open(struct archive *a, struct save_out *o, int fd, bool writeback);
/* berth_image_save and berth_image_save_oci, with or without writeback. */
int save_docker_to(berth_store *s, char *const *names, size_t n, int fd, bool writeback,
                   berth_error **err);
int save_oci_to(berth_store *s, char *const *names, size_t n, int fd, bool writeback,
                berth_error **err);

struct archive_entry *save_new_entry(const char *name, int type, int perm, long long size,
                                     int64_t mtime);
int save_archive_fail(struct archive *a, const char *what, berth_error **err);
/* Writes the header e and frees it. */
int save_put_header(struct archive *a, struct archive_entry *e, berth_error **err);
int save_put_file(struct archive *a, const char *name, const char *data, size_t len, int64_t mtime,
                  berth_error **err);
/* The size of the exact tar of layer chain_id, from its tar-split. */
int save_layer_size(berth_store *s, const char *chain_id, long long *size, berth_error **err);
/* That tar of size bytes rebuilt to write as it streams, its sha256 checked
 * against the layer's diffID at the end. */
int save_layer_write(berth_store *s, const char *chain_id, long long size, save_write_fn write,
                     void *ctx, berth_error **err);
/* The member name holding that tar. */
int save_put_layer_tar(struct archive *a, berth_store *s, const char *name, const char *chain_id,
                       int64_t mtime, berth_error **err);
