/* The tar-split format of vbatts/tar-split, as Docker keeps it in
 * layerdb/sha256/<chain>/tar-split.json.gz: a gzip stream of JSON lines,
 *   {"type":2,"payload":"<base64 raw bytes>","position":N}       raw segment
 *   {"type":1,"name":"<path>","size":N,"payload":"<base64 crc64>","position":N}
 * where type 1 stands for a file's contents, to be read back from the layer
 * directory, and crc64 is Go's crc64.ISO of those contents (8 bytes, big
 * endian).  Names that are not UTF-8 go in "name_raw" (base64) instead. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum {
  BERTH_TARSPLIT_FILE = 1,
  BERTH_TARSPLIT_SEGMENT = 2,
};

typedef struct berth_tarsplit_writer berth_tarsplit_writer;

/* Writes gzip-compressed entries to fd (not owned, not closed). */
berth_tarsplit_writer *berth_tarsplit_writer_new(int fd);
void berth_tarsplit_writer_free(berth_tarsplit_writer *w);
void berth_tarsplit_writer_cleanup(berth_tarsplit_writer **w);
#define cleanup_tarsplit_writer __attribute__((cleanup(berth_tarsplit_writer_cleanup)))

/* Appends a raw segment (len may be 0: tar-split writes empty ones too). */
int berth_tarsplit_add_segment(berth_tarsplit_writer *w, const void *data, size_t len,
                               berth_error **err);

/* Appends a file entry; crc is NULL when size is 0 (payload null). */
int berth_tarsplit_add_file(berth_tarsplit_writer *w, const char *name, size_t name_len,
                            long long size, const uint64_t *crc, berth_error **err);

/* Ends the gzip stream and flushes everything to fd. */
int berth_tarsplit_writer_finish(berth_tarsplit_writer *w, berth_error **err);

typedef struct berth_tarsplit_entry {
  int type;               /* BERTH_TARSPLIT_FILE or BERTH_TARSPLIT_SEGMENT */
  char *name;             /* FILE: NUL-terminated, never contains NUL */
  long long size;         /* FILE: content size */
  unsigned char *payload; /* SEGMENT: raw bytes; FILE: crc64 (8 bytes) or NULL */
  size_t payload_len;
  long long position;
} berth_tarsplit_entry;

void berth_tarsplit_entry_clear(berth_tarsplit_entry *e);

typedef struct berth_tarsplit_reader berth_tarsplit_reader;

/* Reads a gzip-compressed tar-split from fd (not owned). */
berth_tarsplit_reader *berth_tarsplit_reader_new(int fd);
void berth_tarsplit_reader_free(berth_tarsplit_reader *r);
void berth_tarsplit_reader_cleanup(berth_tarsplit_reader **r);
#define cleanup_tarsplit_reader __attribute__((cleanup(berth_tarsplit_reader_cleanup)))

/* Parses the next entry into *e (cleared first): returns 1, 0 at the end, or
 * -1 with *err set.  The input is untrusted: lines are bounded, every field
 * is type-checked, base64 is validated. */
int berth_tarsplit_reader_next(berth_tarsplit_reader *r, berth_tarsplit_entry *e,
                               berth_error **err);
