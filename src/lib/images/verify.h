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
  char *what; /* NULL: added, removed or contents changed; else how it changed:
               * "changed mode 0755 -> 4755", "changed owner 0:0 -> 1000:1000",
               * "changed type file -> directory", "changed link target a -> b",
               * "changed size 5 -> 7", "changed device 1:3 -> 1:5",
               * "changed xattr user.x", "changed hard link /a -> none" */
} berth_verify_file;

typedef struct berth_verify_layer {
  char chain_id[BERTH_DIGEST_LEN];
  char diff_id[BERTH_DIGEST_LEN];
  bool ok;
  char *problem; /* when not ok and no file explains it: why ("rebuilt tar has sha256:…") */
  char *note;    /* when ok but the diffID could not be re-checked: why */
  berth_verify_file *files;
  size_t n_files;
} berth_verify_layer;

/* Checks one published layer: the layer tar is re-read from the tar-split
 * and applied, by extraction's rules, to an in-memory tree (verify_tree.h);
 * each path of that tree must be in the directory with its type, mode,
 * owner, size, contents (crc64), link target, device numbers and xattrs
 * (else '-' or '~'); every other path in the directory is '+'; when all
 * agree, the tar is rebuilt and its sha256 compared with the diffID.  The
 * directory is untrusted (a user may have edited it): nothing is followed,
 * reads are confined to it. */
int berth_verify_layer_check(berth_store *s, const char *chain_id, berth_verify_layer *out,
                             berth_error **err);

/* Every layer of image id, bottom first. */
int berth_verify_image(berth_store *s, const char *id, berth_verify_layer **out, size_t *n,
                       berth_error **err);

void berth_verify_layer_clear(berth_verify_layer *l);
void berth_verify_layers_free(berth_verify_layer *v, size_t n);
