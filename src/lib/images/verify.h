/* `berth verify` (SPEC §7): every layer of an image re-created from its
 * directory and tar-split and checked against its diffID, with the files
 * added, removed or changed named. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "common/digest.h"
#include "common/error.h"
#include "store/store.h"

typedef struct berth_verify_file {
  char kind;  /* '+' in the directory but not in the layer's tar, '-' missing, '~' changed */
  char *path; /* "/etc/passwd" */
} berth_verify_file;

typedef struct berth_verify_layer {
  char chain_id[BERTH_DIGEST_LEN];
  char diff_id[BERTH_DIGEST_LEN];
  bool ok;
  char *problem; /* when not ok and no file explains it: why ("rebuilt tar has sha256:…") */
  berth_verify_file *files;
  size_t n_files;
} berth_verify_layer;

/* Checks one published layer: each file the tar-split names must be in the
 * directory with its size and crc64 (else '-' or '~'); every other path in
 * the directory is '+'; when the files agree, the tar is rebuilt and its
 * sha256 compared with the diffID.  The directory is untrusted (a user may
 * have edited it): nothing is followed, reads are confined to it. */
int berth_verify_layer_check(berth_store *s, const char *chain_id, berth_verify_layer *out,
                             berth_error **err);

/* Every layer of image id, bottom first. */
int berth_verify_image(berth_store *s, const char *id, berth_verify_layer **out, size_t *n,
                       berth_error **err);

void berth_verify_layer_clear(berth_verify_layer *l);
void berth_verify_layers_free(berth_verify_layer *v, size_t n);
