/* The JSON (exec) form of RUN, CMD, ENTRYPOINT, SHELL, ADD, COPY, VOLUME.
 * BuildKit decodes the argument with Go's encoding/json into a []any and
 * falls back to the shell form on any decoding error, but refuses an array
 * holding anything other than strings.  So this is a whole JSON syntax check
 * (nested values must be valid for the array to count as JSON) with Go's
 * string decoding: bad UTF-8 and lone surrogates become U+FFFD, and what
 * follows the array is ignored, as json.Decoder.Decode ignores it. */
#include <stdlib.h>
#include <string.h>

#include "dockerfile/parser_internal.h"

/* encoding/json's scanner refuses deeper nesting (maxNestingDepth). */
#define JSON_MAX_DEPTH 10000

struct jscan {
  const char *p, *end;
};

static void
skip_ws(struct jscan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static int
hex4(const char *p, int32_t *out)
{
  int32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= c - '0';
    else if (c >= 'a' && c <= 'f')
      v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v |= c - 'A' + 10;
    else
      return -1;
  }
  *out = v;
  return 0;
}

/* A string at s->p (the opening quote), decoded into out when out is not
 * NULL.  -1 on a syntax error. */
static int
scan_string(struct jscan *s, struct df_buf *out)
{
  s->p++;
  while (s->p < s->end) {
    unsigned char c = (unsigned char)*s->p;
    if (c == '"') {
      s->p++;
      return 0;
    }
    if (c < 0x20)
      return -1;
    if (c == '\\') {
      if (s->end - s->p < 2)
        return -1;
      char e = s->p[1];
      const char *simple = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
      const char *k = e != '\0' ? strchr(simple, e) : NULL;
      if (k != NULL) {
        if (out != NULL)
          df_buf_addc(out, to[k - simple]);
        s->p += 2;
        continue;
      }
      int32_t r, r2;
      if (e != 'u' || s->end - s->p < 6 || hex4(s->p + 2, &r) < 0)
        return -1;
      s->p += 6;
      if (r >= 0xD800 && r <= 0xDFFF) {
        /* A valid pair is one character; anything else is U+FFFD and the
         * second escape, if any, is read on its own. */
        if (r < 0xDC00 && s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u'
            && hex4(s->p + 2, &r2) == 0 && r2 >= 0xDC00 && r2 <= 0xDFFF) {
          r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
          s->p += 6;
        } else {
          r = 0xFFFD;
        }
      }
      if (out != NULL)
        df_utf8_encode(out, r);
      continue;
    }
    int32_t r;
    size_t w = df_utf8_decode(s->p, (size_t)(s->end - s->p), &r);
    if (out != NULL) {
      if (r < 0)
        df_utf8_encode(out, 0xFFFD);
      else
        df_buf_add(out, s->p, w);
    }
    s->p += w;
  }
  return -1;
}

static int
scan_digits(struct jscan *s)
{
  const char *start = s->p;
  while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
    s->p++;
  return s->p > start ? 0 : -1;
}

static int
scan_number(struct jscan *s)
{
  if (*s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || scan_digits(s) < 0)
    return -1;
  if (s->p < s->end && *s->p == '.') {
    s->p++;
    if (scan_digits(s) < 0)
      return -1;
  }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
    s->p++;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
      s->p++;
    if (scan_digits(s) < 0)
      return -1;
  }
  return 0;
}

static int scan_value(struct jscan *s, int depth);

/* An array or object at s->p, elements checked and dropped. */
static int
scan_container(struct jscan *s, int depth)
{
  char close = *s->p == '[' ? ']' : '}';
  if (depth >= JSON_MAX_DEPTH)
    return -1;
  s->p++;
  skip_ws(s);
  if (s->p < s->end && *s->p == close) {
    s->p++;
    return 0;
  }
  for (;;) {
    if (close == '}') {
      if (s->p >= s->end || *s->p != '"' || scan_string(s, NULL) < 0)
        return -1;
      skip_ws(s);
      if (s->p >= s->end || *s->p != ':')
        return -1;
      s->p++;
      skip_ws(s);
    }
    if (scan_value(s, depth + 1) < 0)
      return -1;
    skip_ws(s);
    if (s->p >= s->end)
      return -1;
    if (*s->p == close) {
      s->p++;
      return 0;
    }
    if (*s->p != ',')
      return -1;
    s->p++;
    skip_ws(s);
  }
}

static int
scan_literal(struct jscan *s, const char *word)
{
  size_t n = strlen(word);
  if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
    return -1;
  s->p += n;
  return 0;
}

static int
scan_value(struct jscan *s, int depth)
{
  if (s->p >= s->end)
    return -1;
  switch (*s->p) {
  case '"':
    return scan_string(s, NULL);
  case '[':
  case '{':
    return scan_container(s, depth);
  case 't':
    return scan_literal(s, "true");
  case 'f':
    return scan_literal(s, "false");
  case 'n':
    return scan_literal(s, "null");
  default:
    return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) ? scan_number(s) : -1;
  }
}

/* Trusts nothing in s: any bytes. */
int
df_json_strings(const char *str, size_t n, struct df_words *out, berth_error **err)
{
  size_t w;
  while (n > 0 && (w = df_space_at(str, n)) > 0)
    str += w, n -= w;
  if (n == 0 || *str != '[')
    return 0;
  struct jscan s = { str + 1, str + n };
  struct df_words got = { 0 };
  bool only_strings = true;
  skip_ws(&s);
  if (s.p < s.end && *s.p == ']')
    goto done;
  for (;;) {
    if (s.p < s.end && *s.p == '"') {
      struct df_buf b = { 0 };
      if (scan_string(&s, &b) < 0) {
        df_buf_free(&b);
        goto not_json;
      }
      df_words_add(&got, b.s != NULL ? b.s : "", b.len);
      df_buf_free(&b);
    } else {
      if (scan_value(&s, 1) < 0)
        goto not_json;
      only_strings = false;
    }
    skip_ws(&s);
    if (s.p >= s.end)
      goto not_json;
    if (*s.p == ']')
      break;
    if (*s.p != ',')
      goto not_json;
    s.p++;
    skip_ws(&s);
  }
done:
  if (!only_strings) {
    df_words_free(&got);
    return berth_error_set(
        err, 0, "when using JSON array syntax, arrays must be comprised of strings only");
  }
  *out = got;
  return 1;
not_json:
  df_words_free(&got);
  return 0;
}
