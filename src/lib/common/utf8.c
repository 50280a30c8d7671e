#include "common/utf8.h"

#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

size_t
berth_utf8_decode(const char *str, size_t n, uint32_t *r)
{
  const unsigned char *s = (const unsigned char *)str;
  unsigned c = s[0];
  *r = BERTH_RUNE_ERROR;
  if (c < 0x80) {
    *r = c;
    return 1;
  }
  size_t len;
  uint32_t cp, min;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, cp = c & 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, cp = c & 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, cp = c & 0x07, min = 0x10000;
  else
    return 1; /* a continuation byte, an overlong lead (C0, C1) or F5..FF */
  if (len > n)
    return 1;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 1;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 1;
  *r = cp;
  return len;
}

size_t
berth_utf8_encode(uint32_t r, char out[4])
{
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
    r = BERTH_RUNE_ERROR;
  if (r < 0x80) {
    out[0] = (char)r;
    return 1;
  }
  if (r < 0x800) {
    out[0] = (char)(0xC0 | (r >> 6));
    out[1] = (char)(0x80 | (r & 0x3F));
    return 2;
  }
  if (r < 0x10000) {
    out[0] = (char)(0xE0 | (r >> 12));
    out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
    out[2] = (char)(0x80 | (r & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (r >> 18));
  out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
  out[3] = (char)(0x80 | (r & 0x3F));
  return 4;
}

/* The length of the well-formed sequence at s (at most n bytes), or 0. */
static size_t
sequence_length(const unsigned char *s, size_t n)
{
  uint32_t r;
  size_t len = berth_utf8_decode((const char *)s, n, &r);
  return r == BERTH_RUNE_ERROR && len == 1 ? 0 : len;
}

bool
berth_utf8_valid(const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    size_t len = sequence_length(p + i, n - i);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

char *
berth_utf8_sanitize(const char *s, size_t n, size_t *out_len)
{
  const unsigned char *p = (const unsigned char *)s;
  char *out = xmalloc(3 * n + 1); /* U+FFFD is 3 bytes */
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    size_t len = sequence_length(p + i, n - i);
    if (len == 0) {
      memcpy(out + k, "\xef\xbf\xbd", 3), k += 3, i++;
      continue;
    }
    memcpy(out + k, p + i, len), k += len, i += len;
  }
  out[k] = '\0';
  *out_len = k;
  return out;
}

char *
berth_bytes_escape(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), k = 0;
  char *out = xmalloc(4 * n + 1); /* \xHH is the longest form of a byte */
  for (size_t i = 0; i < n;) {
    size_t len = sequence_length(p + i, n - i);
    if (len > 1) {
      memcpy(out + k, p + i, len), k += len, i += len;
      continue;
    }
    unsigned c = p[i++];
    if (c == '"' || c == '\\')
      out[k++] = '\\', out[k++] = (char)c;
    else if (c >= 0x20 && c < 0x7F)
      out[k++] = (char)c;
    else
      k += (size_t)snprintf(out + k, 5, "\\x%02x", c);
  }
  out[k] = '\0';
  return out;
}

int
berth_utf8_check(const char *s, const char *what, berth_error **err)
{
  if (s == NULL || berth_utf8_valid(s, strlen(s)))
    return 0;
  cleanup_free char *shown = berth_bytes_escape(s);
  return berth_error_set(err, 0, "invalid argument \"%s\" for %s: not valid UTF-8", shown, what);
}

json_t *
berth_json_string_checked(const char *s, const char *what, berth_error **err)
{
  if (berth_utf8_check(s, what, err) < 0)
    return NULL;
  return json_string(s);
}

json_t *
berth_json_strv_checked(char *const *v, const char *what, berth_error **err)
{
  cleanup_json json_t *a = json_array();
  for (; v != NULL && *v != NULL; v++) {
    json_t *s = berth_json_string_checked(*v, what, err);
    if (s == NULL)
      return NULL;
    json_array_append_new(a, s);
  }
  return steal_pointer(&a);
}

bool
berth_ascii(const char *s)
{
  for (; *s != '\0'; s++)
    if ((unsigned char)*s >= 0x80)
      return false;
  return true;
}
