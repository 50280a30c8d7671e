/* ADD of an http(s) URL, as Docker 20.10's classic builder does it
 * (builder/dockerfile/copy.go downloadSource, storeRemote): each URL is
 * fetched with the project's libcurl client into a private scratch dir of
 * the store (store/scratch.h), as a file of mode 0600 named by the URL's
 * last path element (else Content-Disposition's filename, else
 * `__unnamed__`, refused when the destination ends in `/`), its times
 * from Last-Modified (the Unix epoch without one), never unpacked.  The
 * cache key of one URL is Docker's: the hex SHA-256 of the file's tarsum
 * v1 header (name, mode 0100600, owner, size, type, user and group names)
 * then its content; several sources are `multi:<sha256 of the hashes
 * joined by ",">`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build/build_internal.h"
#include "store/scratch.h"

typedef struct berth_build_remote {
  berth_store_scratch *scratch;
  berth_context *ctx;         /* the scratch dir, as a context */
  berth_context_sources srcs; /* one per URL, in order */
  char **hashes;              /* Docker's hash of each (hex), NULL-terminated */
  size_t n;
} berth_build_remote;

/* True for an http:// or https:// source (Docker's urlutil.IsURL). */
bool berth_build_is_url(const char *s);

/* Downloads the n URLs (untrusted: the Dockerfile's) for cmd ("ADD") to
 * dest (as written: a trailing `/` means a directory).  Errors as
 * Docker's: "failed to GET URL with status 404 Not Found: BODY",
 * "cannot determine filename for source URL". */
int berth_build_remote_fetch(berth_build_state *st, char *const *urls, size_t n, const char *dest,
                             berth_build_remote *r, berth_error **err);
void berth_build_remote_clear(berth_build_remote *r);

/* ---- the parsers of what the server sends (remote_parse.c; fuzzed) ---- */

/* Go's http.ParseTime (untrusted s): RFC 1123 ("Mon, 02 Jan 2006
 * 15:04:05 GMT"), RFC 850 ("Monday, 02-Jan-06 15:04:05 GMT") or ANSI C
 * ("Mon Jan  2 15:04:05 2006"), all UTC.  0 with *out, or -1. */
int berth_build_parse_http_time(const char *s, int64_t *out);

/* Docker's getFilenameForDownload: the base name of the URL's path (percent
 * decoded) unless the path is empty or ends in `/`, else the filename
 * parameter of content_disposition (may be NULL), else NULL.  Names that
 * could not be one file of a directory ("", ".", "..", a NUL) count as
 * none.  Both inputs untrusted. */
char *berth_build_url_filename(const char *url, const char *content_disposition);

/* Docker's tarsum v1 header of a regular file (name, mode, uid, gid, size,
 * uname, gname), the start of its cache hash. */
char *berth_build_tarsum_header(const char *name, unsigned mode, unsigned uid, unsigned gid,
                                long long size, const char *uname, const char *gname);
