/* ADD of an http(s) URL (remote.h): the download, the file's name, mode
 * and times, and Docker's hash of it. */
#include "build/remote.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "registry/curl_api.h"
#include "registry/http.h"

#define UNNAMED "__unnamed__"

typedef struct sink {
  int fd;
  const char *url;
} sink;

static int
write_cb(void *ctx, const void *data, size_t len, berth_error **err)
{
  sink *k = ctx;
  for (size_t off = 0; off < len;) {
    ssize_t w = write(k->fd, (const char *)data + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return berth_error_set(err, errno, "download %s", k->url);
    off += (size_t)w;
  }
  return 0;
}

static void
curl_cleanup(CURL **c)
{
  if (*c != NULL)
    berth_curl()->easy_cleanup(*c);
}

/* Docker's hash of the downloaded file dirfd/name: tarsum v1's header,
 * then the contents. */
static int
file_hash(int fd, const char *name, char hex[BERTH_SHA256_HEX_LEN + 1], berth_error **err)
{
  struct stat st;
  if (fstat(fd, &st) < 0)
    return berth_error_set(err, errno, "stat %s", name);
  struct passwd *pw = getpwuid(st.st_uid); /* Go's tar.FileInfoHeader looks them up */
  struct group *gr = getgrgid(st.st_gid);
  cleanup_free char *hdr = berth_build_tarsum_header(
      name, (unsigned)(S_IFREG | (st.st_mode & 07777)), (unsigned)st.st_uid, (unsigned)st.st_gid,
      (long long)st.st_size, pw ? pw->pw_name : "", gr ? gr->gr_name : "");
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  berth_sha256_update(h, hdr, strlen(hdr));
  if (lseek(fd, 0, SEEK_SET) < 0)
    return berth_error_set(err, errno, "read %s", name);
  static __thread char buf[1 << 16];
  for (;;) {
    ssize_t k = read(fd, buf, sizeof buf);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0)
      return berth_error_set(err, errno, "read %s", name);
    if (k == 0)
      break;
    berth_sha256_update(h, buf, (size_t)k);
  }
  char d[BERTH_DIGEST_LEN];
  berth_sha256_final(h, d);
  memcpy(hex, berth_digest_hex(d), BERTH_SHA256_HEX_LEN + 1);
  return 0;
}

/* One URL into dirfd/<i>/NAME; *name gets NAME, hex its hash. */
static int
fetch_one(berth_build_state *st, CURL *curl, const char *url, const char *dest, int dirfd, size_t i,
          char **name, char hex[BERTH_SHA256_HEX_LEN + 1], berth_error **err)
{
  char sub[32];
  snprintf(sub, sizeof sub, "%zu", i);
  if (mkdirat(dirfd, sub, 0700) < 0)
    return berth_error_set(err, errno, "mkdir %s", sub);
  cleanup_close int dfd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return berth_error_set(err, errno, "open %s", sub);
  /* the body goes to a temp name: the file's own comes with the headers */
  cleanup_close int fd
      = openat(dfd, ".download", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return berth_error_set(err, errno, "create the download of %s", url);
  cleanup_free char *noproxy = berth_http_noproxy();
  sink k = { .fd = fd, .url = url };
  berth_http_request req = {
    .url = url,
    .noproxy = noproxy,
    .follow_redirects = true,
    .on_data = write_cb,
    .ctx = &k,
  };
  berth_http_response resp __attribute__((cleanup(berth_http_response_clear))) = { 0 };
  if (berth_http_get(curl, &req, &resp, err) < 0)
    return -1;
  if (resp.status >= 400)
    return berth_http_status_error(url, &resp, err);
  berth_build_emit(st, BERTH_BUILD_NOTE, "", NULL); /* Docker's "random blank line" */
  cleanup_free char *fname = berth_build_url_filename(url, resp.content_disposition);
  if (fname == NULL) {
    size_t n = strlen(dest);
    if (n > 0 && dest[n - 1] == '/')
      return berth_error_set(err, 0, "cannot determine filename for source %s", url);
  }
  const char *final = fname ? fname : UNNAMED;
  if (renameat(dfd, ".download", dfd, final) < 0)
    return berth_error_set(err, errno, "rename the download of %s", url);
  /* Last-Modified, else the zero time, which Docker's Chtimes makes the
   * Unix epoch */
  int64_t mtime = 0;
  if (resp.last_modified == NULL || berth_build_parse_http_time(resp.last_modified, &mtime) < 0)
    mtime = 0;
  struct timespec ts[2] = { { .tv_sec = (time_t)mtime }, { .tv_sec = (time_t)mtime } };
  if (fchmod(fd, 0600) < 0 || futimens(fd, ts) < 0)
    return berth_error_set(err, errno, "set the mode and times of %s", final);
  if (file_hash(fd, final, hex, err) < 0)
    return -1;
  *name = xasprintf("%s/%s", sub, final);
  return 0;
}

int
berth_build_remote_fetch(berth_build_state *st, char *const *urls, size_t n, const char *dest,
                         berth_build_remote *r, berth_error **err)
{
  if (berth_curl_load(err) == NULL)
    return -1;
  r->scratch = berth_store_scratch_new(st->s, err);
  if (r->scratch == NULL)
    return -1;
  int dirfd = berth_store_scratch_fd(r->scratch);
  __attribute__((cleanup(curl_cleanup))) CURL *curl = berth_http_handle_new();
  if (curl == NULL)
    return berth_error_set(err, ENOMEM, "curl");
  r->hashes = xcalloc(n + 1, sizeof *r->hashes);
  char **paths = xcalloc(n + 1, sizeof *paths);
  cleanup_strv char **owned = paths;
  for (size_t i = 0; i < n; i++) {
    char hex[BERTH_SHA256_HEX_LEN + 1];
    if (fetch_one(st, curl, urls[i], dest, dirfd, i, &paths[i], hex, err) < 0)
      return -1;
    r->hashes[i] = xstrdup(hex);
    r->n = i + 1;
  }
  r->ctx = berth_context_open_with(dirfd, NULL, err);
  if (r->ctx == NULL)
    return -1;
  /* the sources by their paths, not through resolve: a downloaded name is
   * no pattern ("a[1].txt") */
  r->srcs.v = xcalloc(n, sizeof *r->srcs.v);
  for (size_t i = 0; i < n; i++) {
    berth_context_source *src = &r->srcs.v[i];
    if (fstatat(dirfd, paths[i], &src->st, AT_SYMLINK_NOFOLLOW) < 0)
      return berth_error_set(err, errno, "stat the download of %s", urls[i]);
    src->arg = xstrdup(urls[i]);
    src->path = xstrdup(paths[i]);
    src->name = xstrdup(strchr(paths[i], '/') + 1);
    r->srcs.n = i + 1;
  }
  return 0;
}

void
berth_build_remote_clear(berth_build_remote *r)
{
  berth_context_sources_clear(&r->srcs);
  berth_context_free(r->ctx);
  berth_store_scratch_free(r->scratch);
  for (size_t i = 0; i < r->n; i++)
    free(r->hashes[i]);
  free(r->hashes);
  memset(r, 0, sizeof *r);
}
