#include "archive/tarsplit.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "archive/base64.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#define ZBUF_SIZE (64 * 1024)
/* Longest JSON line accepted when reading (a segment of 48 MiB of raw bytes
 * in base64); berth itself writes segments of at most 1 MiB. */
#define MAX_LINE (64 * 1024 * 1024)

struct berth_tarsplit_writer {
  int fd;
  z_stream z;
  unsigned char *out;
  char *line;
  size_t line_len, line_cap;
  long long position;
  bool finished;
};

berth_tarsplit_writer *
berth_tarsplit_writer_new(int fd)
{
  berth_tarsplit_writer *w = xcalloc(1, sizeof(*w));
  w->fd = fd;
  w->out = xmalloc(ZBUF_SIZE);
  /* level 1: the JSON of headers compresses well anyway, at a third of
   * the cost of the default level, in the one pass of every unpack */
  if (deflateInit2(&w->z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    abort(); /* only fails when out of memory */
  return w;
}

void
berth_tarsplit_writer_free(berth_tarsplit_writer *w)
{
  if (w == NULL)
    return;
  deflateEnd(&w->z);
  free(w->out);
  free(w->line);
  free(w);
}

void
berth_tarsplit_writer_cleanup(berth_tarsplit_writer **w)
{
  berth_tarsplit_writer_free(*w);
  *w = NULL;
}

static int
write_all_fd(int fd, const unsigned char *p, size_t len, berth_error **err)
{
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return berth_error_set(err, errno, "write tar-split");
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static int
deflate_run(berth_tarsplit_writer *w, const void *data, size_t len, int flush, berth_error **err)
{
  w->z.next_in = (unsigned char *)data;
  w->z.avail_in = (uInt)len;
  do {
    w->z.next_out = w->out;
    w->z.avail_out = ZBUF_SIZE;
    int r = deflate(&w->z, flush);
    if (r == Z_STREAM_ERROR)
      return berth_error_set(err, 0, "compress tar-split: deflate failed");
    if (write_all_fd(w->fd, w->out, ZBUF_SIZE - w->z.avail_out, err) < 0)
      return -1;
  } while (w->z.avail_out == 0 || (flush == Z_FINISH && w->z.avail_in > 0));
  return 0;
}

static void
line_add(berth_tarsplit_writer *w, const char *s, size_t n)
{
  if (w->line_cap - w->line_len < n + 1) {
    w->line_cap = (w->line_len + n + 1) * 2;
    w->line = xrealloc(w->line, w->line_cap);
  }
  memcpy(w->line + w->line_len, s, n);
  w->line_len += n;
}

static void
line_add_num(berth_tarsplit_writer *w, const char *key, long long v)
{
  char buf[64];
  int n = snprintf(buf, sizeof(buf), ",\"%s\":%lld", key, v);
  line_add(w, buf, (size_t)n);
}

static void
line_add_b64(berth_tarsplit_writer *w, const void *data, size_t len)
{
  cleanup_free char *b = berth_base64_encode(data, len);
  line_add(w, "\"", 1);
  line_add(w, b, strlen(b));
  line_add(w, "\"", 1);
}

/* JSON string escaping as Go's encoding/json does it (HTML-safe). */
static void
line_add_json_string(berth_tarsplit_writer *w, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  line_add(w, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = { '\\', (char)c };
      line_add(w, e, 2);
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
      line_add(w, e, 6);
    } else {
      line_add(w, (const char *)&c, 1);
    }
  }
  line_add(w, "\"", 1);
}

static bool
utf8_valid(const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n)
      return false;
    for (size_t j = 1; j < len; j++) {
      if ((s[i + j] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + j] & 0x3f);
    }
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

static int
line_emit(berth_tarsplit_writer *w, berth_error **err)
{
  line_add_num(w, "position", w->position++);
  line_add(w, "}\n", 2);
  int r = deflate_run(w, w->line, w->line_len, Z_NO_FLUSH, err);
  w->line_len = 0;
  return r;
}

int
berth_tarsplit_add_segment(berth_tarsplit_writer *w, const void *data, size_t len,
                           berth_error **err)
{
  line_add(w, "{\"type\":2,\"payload\":", 20);
  line_add_b64(w, data, len);
  return line_emit(w, err);
}

int
berth_tarsplit_add_file(berth_tarsplit_writer *w, const char *name, size_t name_len, long long size,
                        const uint64_t *crc, berth_error **err)
{
  line_add(w, "{\"type\":1", 9);
  if (utf8_valid((const unsigned char *)name, name_len)) {
    if (name_len > 0) {
      line_add(w, ",\"name\":", 8);
      line_add_json_string(w, name, name_len);
    }
  } else {
    line_add(w, ",\"name_raw\":", 12);
    line_add_b64(w, name, name_len);
  }
  if (size != 0)
    line_add_num(w, "size", size);
  line_add(w, ",\"payload\":", 11);
  if (crc != NULL) {
    unsigned char be[8];
    uint64_t v = *crc;
    for (int i = 7; i >= 0; i--, v >>= 8)
      be[i] = (unsigned char)(v & 0xff);
    line_add_b64(w, be, 8);
  } else {
    line_add(w, "null", 4);
  }
  return line_emit(w, err);
}

int
berth_tarsplit_writer_finish(berth_tarsplit_writer *w, berth_error **err)
{
  if (w->finished)
    return 0;
  w->finished = true;
  return deflate_run(w, NULL, 0, Z_FINISH, err);
}

/* ---- reading ---- */

struct berth_tarsplit_reader {
  int fd;
  z_stream z;
  bool z_end, src_eof;
  unsigned char *in;
  char *buf; /* inflated bytes not yet consumed: buf[start, len) */
  size_t start, len, cap;
};

berth_tarsplit_reader *
berth_tarsplit_reader_new(int fd)
{
  berth_tarsplit_reader *r = xcalloc(1, sizeof(*r));
  r->fd = fd;
  r->in = xmalloc(ZBUF_SIZE);
  r->cap = 256 * 1024;
  r->buf = xmalloc(r->cap);
  if (inflateInit2(&r->z, 15 + 16) != Z_OK)
    abort();
  return r;
}

void
berth_tarsplit_reader_free(berth_tarsplit_reader *r)
{
  if (r == NULL)
    return;
  inflateEnd(&r->z);
  free(r->in);
  free(r->buf);
  free(r);
}

void
berth_tarsplit_reader_cleanup(berth_tarsplit_reader **r)
{
  berth_tarsplit_reader_free(*r);
  *r = NULL;
}

void
berth_tarsplit_entry_clear(berth_tarsplit_entry *e)
{
  free(e->name);
  free(e->payload);
  memset(e, 0, sizeof(*e));
}

/* Inflates more bytes into buf; returns bytes added, 0 at the end. */
static ssize_t
reader_fill(berth_tarsplit_reader *r, berth_error **err)
{
  if (r->start > 0) {
    memmove(r->buf, r->buf + r->start, r->len - r->start);
    r->len -= r->start;
    r->start = 0;
  }
  if (r->cap - r->len < 64 * 1024) {
    if (r->cap >= MAX_LINE)
      return berth_error_set(err, 0, "tar-split: line longer than %d bytes", MAX_LINE);
    r->cap *= 2;
    r->buf = xrealloc(r->buf, r->cap);
  }
  for (;;) {
    if (r->z_end)
      return 0;
    if (r->z.avail_in == 0 && !r->src_eof) {
      ssize_t n = read(r->fd, r->in, ZBUF_SIZE);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        return berth_error_set(err, errno, "read tar-split");
      }
      if (n == 0)
        r->src_eof = true;
      r->z.next_in = r->in;
      r->z.avail_in = (uInt)n;
    }
    r->z.next_out = (unsigned char *)r->buf + r->len;
    r->z.avail_out = (uInt)(r->cap - r->len);
    int z = inflate(&r->z, Z_NO_FLUSH);
    size_t got = r->cap - r->len - r->z.avail_out;
    r->len += got;
    if (z == Z_STREAM_END)
      r->z_end = true;
    else if (z != Z_OK && !(z == Z_BUF_ERROR && !r->src_eof))
      return berth_error_set(err, 0, "tar-split: %s",
                             r->src_eof && z == Z_BUF_ERROR
                                 ? "truncated gzip stream"
                                 : (r->z.msg ? r->z.msg : "corrupt gzip"));
    if (got > 0 || r->z_end)
      return (ssize_t)got;
  }
}

static int
get_b64(json_t *o, const char *key, unsigned char **out, size_t *len, bool *present,
        berth_error **err)
{
  json_t *v = json_object_get(o, key);
  *present = v != NULL && !json_is_null(v);
  if (!*present)
    return 0;
  if (!json_is_string(v))
    return berth_error_set(err, 0, "tar-split: \"%s\" is not a string", key);
  if (berth_base64_decode(json_string_value(v), json_string_length(v), out, len, err) < 0)
    return berth_error_prefix(err, "tar-split: \"%s\"", key);
  return 0;
}

static int
parse_entry(const char *line, size_t len, berth_tarsplit_entry *e, berth_error **err)
{
  json_error_t jerr;
  cleanup_json json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
  if (o == NULL || !json_is_object(o))
    return berth_error_set(err, 0, "tar-split: invalid JSON entry: %s",
                           o == NULL ? jerr.text : "not an object");
  json_t *t = json_object_get(o, "type"), *pos = json_object_get(o, "position");
  json_t *size = json_object_get(o, "size");
  if (!json_is_integer(t) || !json_is_integer(pos) || (size != NULL && !json_is_integer(size)))
    return berth_error_set(err, 0, "tar-split: entry without integer type/position/size");
  e->type = (int)json_integer_value(t);
  e->position = json_integer_value(pos);
  e->size = size ? json_integer_value(size) : 0;
  if ((e->type != BERTH_TARSPLIT_FILE && e->type != BERTH_TARSPLIT_SEGMENT) || e->size < 0)
    return berth_error_set(err, 0, "tar-split: bad entry type %d or size %lld", e->type, e->size);
  bool present;
  if (get_b64(o, "payload", &e->payload, &e->payload_len, &present, err) < 0)
    return -1;
  if (e->type == BERTH_TARSPLIT_SEGMENT)
    return 0;
  if (e->size > 0 && (!present || e->payload_len != 8))
    return berth_error_set(err, 0, "tar-split: file entry without a crc64 payload");
  unsigned char *raw = NULL;
  size_t raw_len = 0;
  if (get_b64(o, "name_raw", &raw, &raw_len, &present, err) < 0)
    return -1;
  if (present) {
    e->name = xstrndup((char *)raw, raw_len);
    free(raw);
  } else {
    json_t *n = json_object_get(o, "name");
    if (n != NULL && !json_is_string(n))
      return berth_error_set(err, 0, "tar-split: \"name\" is not a string");
    raw_len = n ? json_string_length(n) : 0;
    e->name = xstrdup(n ? json_string_value(n) : "");
  }
  if (strlen(e->name) != raw_len)
    return berth_error_set(err, 0, "tar-split: file name contains a NUL byte");
  return 0;
}

int
berth_tarsplit_reader_next(berth_tarsplit_reader *r, berth_tarsplit_entry *e, berth_error **err)
{
  berth_tarsplit_entry_clear(e);
  size_t scanned = r->start;
  for (;;) {
    char *nl = memchr(r->buf + scanned, '\n', r->len - scanned);
    if (nl != NULL) {
      size_t start = r->start;
      r->start = (size_t)(nl - r->buf) + 1;
      if (nl == r->buf + start) { /* blank line */
        scanned = r->start;
        continue;
      }
      return parse_entry(r->buf + start, (size_t)(nl - r->buf) - start, e, err) < 0 ? -1 : 1;
    }
    size_t pending = r->len - r->start;
    ssize_t n = reader_fill(r, err);
    if (n < 0)
      return -1;
    scanned = r->start + pending;
    if (n == 0) {
      if (r->len == r->start)
        return 0;
      size_t start = r->start; /* last line without a newline */
      r->start = r->len;
      return parse_entry(r->buf + start, r->len - start, e, err) < 0 ? -1 : 1;
    }
  }
}
