/* A context tar from standard input: detection as Docker's CLI
 * (cli/command/image/build/context.go IsArchive) and a confined unpack
 * (archive/extract.h in its plain mode) into a directory the caller owns. */
#include "context/tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "archive/extract.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

/* Go's archive/tar header checksum: the header's bytes summed with the
 * checksum field as spaces, unsigned or signed (old tars). */
static bool
tar_header_ok(const unsigned char *h)
{
  static const unsigned char zero[512];
  if (memcmp(h, zero, 512) == 0)
    return false; /* Go's Next: io.EOF, not a header */
  unsigned long want = 0;
  size_t i = 148;
  while (i < 156 && (h[i] == ' ' || h[i] == '\0'))
    i++;
  size_t digits = 0;
  for (; i < 156 && h[i] >= '0' && h[i] <= '7'; i++, digits++)
    want = want * 8 + (unsigned long)(h[i] - '0');
  if (digits == 0)
    return false;
  for (; i < 156; i++)
    if (h[i] != ' ' && h[i] != '\0')
      return false;
  unsigned long u = 0;
  long s = 0;
  for (i = 0; i < 512; i++) {
    unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];
    u += c;
    s += (signed char)c;
  }
  return want == u || (long)want == s;
}

bool
berth_context_is_archive(const void *head, size_t n)
{
  const unsigned char *h = head;
  if (n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 0x08)
    return true;
  if (n >= 3 && memcmp(h, "BZh", 3) == 0)
    return true;
  if (n >= 6 && memcmp(h, "\xfd\x37\x7a\x58\x5a\x00", 6) == 0)
    return true;
  return n >= 512 && tar_header_ok(h);
}

typedef struct reader {
  const unsigned char *head;
  size_t n, off;
  int fd;
  unsigned char buf[1 << 16];
} reader;

static la_ssize_t
read_cb(struct archive *a, void *arg, const void **out)
{
  reader *r = arg;
  if (r->off < r->n) {
    *out = r->head + r->off;
    size_t k = r->n - r->off;
    r->off = r->n;
    return (la_ssize_t)k;
  }
  for (;;) {
    ssize_t k = read(r->fd, r->buf, sizeof r->buf);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0) {
      archive_set_error(a, errno, "read: %s", strerror(errno));
      return -1;
    }
    *out = r->buf;
    return k;
  }
}

/* The extractor's words speak of a layer: here it is the build context. */
static char *
context_words(const char *msg)
{
  static const char *const from[] = { "the layer directory", "the layer root", "the layer" };
  char *out = xstrdup(msg);
  for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
    char *at;
    while ((at = strstr(out, from[i])) != NULL) {
      char *t = xasprintf("%.*sthe build context%s", (int)(at - out), out, at + strlen(from[i]));
      free(out);
      out = t;
    }
  }
  return out;
}

static void
archive_cleanup(struct archive **a)
{
  if (*a != NULL)
    archive_read_free(*a);
}

/* The stream is untrusted: libarchive parses it, berth_extract confines
 * every entry; the counts bound what it may put on the disk. */
int
berth_context_unpack_tar(const void *head, size_t n, int fd, int destfd, berth_error **err)
{
  __attribute__((cleanup(archive_cleanup))) struct archive *a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  cleanup_free reader *r = calloc(1, sizeof *r);
  if (r == NULL)
    return berth_error_set(err, ENOMEM, "Error processing tar file");
  *r = (reader){ .head = head, .n = n, .fd = fd };
  if (archive_read_open(a, r, NULL, read_cb, NULL) != ARCHIVE_OK)
    return berth_error_set(err, 0, "Error processing tar file(%s): ", archive_error_string(a));
  cleanup_extract berth_extract *x = berth_extract_new(destfd);
  berth_extract_set_plain(x);
  long long bytes = 0;
  for (size_t entries = 0;; entries++) {
    struct archive_entry *e;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return berth_error_set(
          err, 0, "Error processing tar file(%s): ", archive_error_string(a) ?: "unexpected EOF");
    if (entries >= BERTH_CONTEXT_TAR_MAX_ENTRIES)
      return berth_error_set_as(err, EFBIG, "Error processing tar file: more than %d entries",
                                BERTH_CONTEXT_TAR_MAX_ENTRIES);
    if (archive_entry_size(e) > BERTH_CONTEXT_TAR_MAX_BYTES - bytes)
      return berth_error_set_as(err, EFBIG, "Error processing tar file: more than %lld bytes",
                                BERTH_CONTEXT_TAR_MAX_BYTES);
    cleanup_error berth_error *e2 = NULL;
    archive_clear_error(a);
    if (berth_extract_entry(x, a, e, &bytes, &e2) < 0) {
      /* a read error of the entry's data is the stream's, not the entry's */
      if (archive_error_string(a) != NULL)
        return berth_error_set(err, 0, "Error processing tar file(%s): ", archive_error_string(a));
      cleanup_free char *why = context_words(berth_error_message(e2));
      return berth_error_set_as(err, berth_error_errno(e2),
                                "Error processing tar file(exit status 1): %s", why);
    }
  }
  if (berth_extract_finish(x, err) < 0)
    return berth_error_prefix(err, "Error processing tar file(exit status 1)");
  return 0;
}
