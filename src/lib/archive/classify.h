/* Splits an uncompressed tar stream into tar-split entries: raw segments
 * (headers, meta-entry payloads, padding, trailer) and file contents (only a
 * size and a crc64 are recorded; the bytes live in the layer directory).
 *
 * Why a classifier of our own: libarchive parses the same stream for
 * extraction but does not expose where raw header bytes end and file data
 * begins, and tar-split needs exactly that boundary.  The classifier only
 * needs the block structure: 512-byte headers, the size field (octal or
 * base-256), PAX 'x' records that override size/path or mark a sparse file,
 * GNU 'L' long names, GNU 'S' sparse headers with their extension blocks.
 * Anything it does not recognise as a regular file's contents is kept as raw
 * bytes, so the concatenation of the entries is always the input stream,
 * whatever the input; a disagreement with libarchive on hostile input can
 * only make a later rebuild fail its crc check, never produce other bytes. */
#pragma once

#include <stddef.h>

#include "archive/tarsplit.h"
#include "common/error.h"

typedef struct berth_tar_classifier berth_tar_classifier;

/* Records into w (not owned). */
berth_tar_classifier *berth_tar_classifier_new(berth_tarsplit_writer *w);
void berth_tar_classifier_free(berth_tar_classifier *c);
void berth_tar_classifier_cleanup(berth_tar_classifier **c);
#define cleanup_tar_classifier __attribute__((cleanup(berth_tar_classifier_cleanup)))

/* Feeds the next len bytes of the (untrusted) tar stream.  Memory stays
 * bounded: raw bytes are flushed every 1 MiB, PAX/long-name payloads are
 * capped at 8 MiB. */
int berth_tar_classifier_feed(berth_tar_classifier *c, const void *data, size_t len,
                              berth_error **err);

/* Flushes what is pending at the end of the stream; an entry whose contents
 * were cut short is an error. */
int berth_tar_classifier_finish(berth_tar_classifier *c, berth_error **err);
