/* Unpacking a layer blob into its directory, in one streaming pass. */
#pragma once

#include "archive/stream.h"
#include "common/digest.h"
#include "common/error.h"

typedef struct berth_unpack_result {
  char diff_id[BERTH_DIGEST_LEN]; /* sha256 of the uncompressed tar stream, all of it incl. trailer
                                   */
  long long size; /* sum of the sizes of regular files' contents, as Docker counts */
} berth_unpack_result;

/* Reads a layer (gzip, zstd or plain tar, auto-detected) from read, in ONE
 * streaming pass: decompress → sha256 (the diffID) → tar-split record →
 * libarchive headers → confined writes into diff_dirfd (an empty directory,
 * opened O_RDONLY|O_DIRECTORY).  Writes the tar-split to tarsplit_fd
 * (gzip-compressed).  The input is UNTRUSTED (see extract.h for the rules);
 * memory stays bounded (256 KiB buffers, a few headers).  Nothing is synced:
 * the caller syncs the filesystem once.  On error the directory holds a
 * partial layer that the caller must remove. */
int berth_layer_unpack(berth_read_fn read, void *ctx, int diff_dirfd, int tarsplit_fd,
                       berth_unpack_result *out, berth_error **err);
