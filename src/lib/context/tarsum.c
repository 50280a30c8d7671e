/* Docker's tarsum v1 of one tar entry (moby pkg/tarsum, Version1): the
 * SHA-256 of the selected header fields, each written as key then value
 * with nothing between, then the entry's data.  Docker 20.10's classic
 * builder names a COPY's sources by these sums in CREATED BY, computed over
 * the tar the docker CLI sends (entries 0:0, a directory's name ending in
 * `/`, hard links after the first as typeflag '1'), or, for COPY --from,
 * over a header made from the rootfs file (real owners, no hard links). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "context/context.h"

static void
field(berth_sha256 *h, const char *key, const char *value, size_t len)
{
  berth_sha256_update(h, key, strlen(key));
  berth_sha256_update(h, value, len);
}

static void
number(berth_sha256 *h, const char *key, long long v)
{
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%lld", v);
  field(h, key, buf, (size_t)n);
}

void
berth_tarsum_header_write(berth_sha256 *h, const berth_tarsum_header *t)
{
  field(h, "name", t->name, strlen(t->name));
  number(h, "mode", (long long)t->mode);
  number(h, "uid", (long long)t->uid);
  number(h, "gid", (long long)t->gid);
  number(h, "size", t->size);
  char tf = t->typeflag;
  field(h, "typeflag", &tf, 1);
  field(h, "linkname", t->linkname ? t->linkname : "", t->linkname ? strlen(t->linkname) : 0);
  /* the context's tarsum blanks uname and gname, "to be compatible with
   * versions before go 1.10" (which did not fill them); COPY --from's
   * WriteV1Header keeps them */
  field(h, "uname", t->uname ? t->uname : "", t->uname ? strlen(t->uname) : 0);
  field(h, "gname", t->gname ? t->gname : "", t->gname ? strlen(t->gname) : 0);
  number(h, "devmajor", (long long)t->devmajor);
  number(h, "devminor", (long long)t->devminor);
  /* the xattrs sorted by key: the CLI puts only security.capability there */
  if (t->cap != NULL && t->cap_len > 0)
    field(h, "security.capability", t->cap, t->cap_len);
}

void
berth_tarsum_header_from_stat(berth_tarsum_header *t, const char *name, const struct stat *st)
{
  /* Go 1.8's c_IS* type bits are Linux's S_IF* values, and archive/tar's
   * FileInfoHeader keeps setuid, setgid and sticky with the permissions */
  *t = (berth_tarsum_header){
    .name = name, .mode = st->st_mode & (S_IFMT | 07777), .uid = st->st_uid, .gid = st->st_gid
  };
  if (S_ISREG(st->st_mode)) {
    t->typeflag = '0';
    t->size = st->st_size;
  } else if (S_ISDIR(st->st_mode)) {
    t->typeflag = '5';
  } else if (S_ISLNK(st->st_mode)) {
    t->typeflag = '2';
  } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
    t->typeflag = S_ISCHR(st->st_mode) ? '3' : '4';
    t->devmajor = major(st->st_rdev);
    t->devminor = minor(st->st_rdev);
  } else {
    t->typeflag = '6'; /* fifo (sockets are never in the context) */
  }
}

void
berth_tarsum(const berth_tarsum_header *t, const void *data, size_t len,
             char hex[BERTH_SHA256_HEX_LEN + 1])
{
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  berth_tarsum_header_write(h, t);
  if (len > 0)
    berth_sha256_update(h, data, len);
  char d[BERTH_DIGEST_LEN];
  berth_sha256_final(h, d);
  memcpy(hex, d + 7, BERTH_SHA256_HEX_LEN + 1);
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
berth_tarsum_join(const char *prefix, char *const *v, size_t n, bool sorted)
{
  char **w = xcalloc(n + 1, sizeof *w);
  memcpy(w, v, n * sizeof *w);
  if (sorted)
    qsort(w, n, sizeof *w, cmp_str);
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      berth_sha256_update(h, ",", 1);
    berth_sha256_update(h, w[i], strlen(w[i]));
  }
  free(w);
  char d[BERTH_DIGEST_LEN];
  berth_sha256_final(h, d);
  return xasprintf("%s:%s", prefix, d + 7);
}
