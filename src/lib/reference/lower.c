/* The little of Go's Unicode case folding that reference parsing observes. */
#include <stddef.h>
#include <string.h>

#include "common/xalloc.h"
#include "reference/internal.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are not valid UTF-8 (overlong forms and surrogates included). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  size_t len;
  unsigned int min, cp;
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2, min = 0x80, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3, min = 0x800, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4, min = 0x10000, cp = c & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

/* The ASCII letter a two- or three-byte rune lowers to, or 0. */
static char
ascii_lower_of_rune(const char *s, size_t len)
{
  if (len == 2 && memcmp(s, "\xc4\xb0", 2) == 0)
    return 'i';
  if (len == 3 && memcmp(s, "\xe2\x84\xaa", 3) == 0)
    return 'k';
  return 0;
}

char *
berth_reference_go_to_lower(const char *s)
{
  size_t n = strlen(s), o = 0;
  char *out = xmalloc(n + 1);
  for (size_t i = 0; i < n;) {
    size_t len = utf8_len((const unsigned char *)s + i, n - i);
    char folded = len > 1 ? ascii_lower_of_rune(s + i, len) : 0;
    if (folded != 0) {
      out[o++] = folded;
      i += len;
    } else {
      char c = s[i++];
      out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
  }
  out[o] = '\0';
  return out;
}

bool
berth_reference_go_lower_changes(const char *s, size_t n)
{
  for (size_t i = 0; i < n;) {
    size_t len = utf8_len((const unsigned char *)s + i, n - i);
    if (len == 0 || (s[i] >= 'A' && s[i] <= 'Z') || ascii_lower_of_rune(s + i, len) != 0)
      return true;
    i += len;
  }
  return false;
}
