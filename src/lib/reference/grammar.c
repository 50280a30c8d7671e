/* A hand-written walker for the reference grammar.  Upstream writes it as
 * regular expressions matched leftmost-first; the only choice that grammar
 * leaves open is whether a leading "x/" is a domain, and the expressions take
 * the domain whenever the rest still matches, as the walker does here. */
#include "reference/grammar.h"

#include <string.h>

#define TAG_MAX 128

static bool
is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool
is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static bool
is_xdigit(char c)
{
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
is_word(char c)
{
  return is_alnum(c) || c == '_';
}

static const char *
find_any(const char *s, size_t n, const char *set)
{
  for (size_t i = 0; i < n; i++)
    if (strchr(set, s[i]) != NULL && s[i] != '\0')
      return s + i;
  return NULL;
}

/* domainNameComponent: alphanumerics, with hyphens only inside. */
static bool
match_domain_component(const char *s, size_t n)
{
  if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
    return false;
  for (size_t i = 1; i + 1 < n; i++)
    if (!is_alnum(s[i]) && s[i] != '-')
      return false;
  return true;
}

static bool
match_domain_name(const char *s, size_t n)
{
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '.') {
      if (!match_domain_component(s + start, i - start))
        return false;
      start = i + 1;
    }
  }
  return true;
}

/* ipv6address: "[" [a-fA-F0-9:]+ "]"; returns its length, or 0. */
static size_t
match_ipv6(const char *s, size_t n)
{
  if (n < 3 || s[0] != '[')
    return 0;
  size_t i = 1;
  while (i < n && (is_xdigit(s[i]) || s[i] == ':'))
    i++;
  if (i == 1 || i == n || s[i] != ']')
    return 0;
  return i + 1;
}

bool
berth_reference_match_domain(const char *s, size_t n)
{
  size_t host;
  if (n > 0 && s[0] == '[') {
    host = match_ipv6(s, n);
    if (host == 0)
      return false;
  } else {
    const char *colon = memchr(s, ':', n);
    host = colon != NULL ? (size_t)(colon - s) : n;
    if (!match_domain_name(s, host))
      return false;
  }
  if (host == n)
    return true;
  if (s[host] != ':' || host + 1 == n)
    return false;
  for (size_t i = host + 1; i < n; i++)
    if (!is_digit(s[i]))
      return false;
  return true;
}

/* separator: "." | "_" | "__" | "-"+ */
static bool
match_separator(const char *s, size_t n)
{
  if (n == 1)
    return s[0] == '.' || s[0] == '_' || s[0] == '-';
  if (n == 2 && s[0] == '_' && s[1] == '_')
    return true;
  for (size_t i = 0; i < n; i++)
    if (s[i] != '-')
      return false;
  return n > 0;
}

/* pathComponent: runs of [a-z0-9] joined by single separators. */
static bool
match_path_component(const char *s, size_t n)
{
  if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
    return false;
  size_t i = 0;
  while (i < n) {
    while (i < n && is_lower_alnum(s[i]))
      i++;
    size_t sep = i;
    while (i < n && !is_lower_alnum(s[i]))
      i++;
    if (i > sep && !match_separator(s + sep, i - sep))
      return false;
  }
  return true;
}

bool
berth_reference_match_path(const char *s, size_t n)
{
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '/') {
      if (!match_path_component(s + start, i - start))
        return false;
      start = i + 1;
    }
  }
  return true;
}

bool
berth_reference_match_tag(const char *s, size_t n)
{
  if (n == 0 || n > TAG_MAX || !is_word(s[0]))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
      return false;
  return true;
}

/* algorithm: [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)* */
static bool
match_digest_algorithm(const char *s, size_t n)
{
  size_t i = 0;
  for (;;) {
    if (i == n || !is_alpha(s[i]))
      return false;
    i++;
    while (i < n && is_alnum(s[i]))
      i++;
    if (i == n)
      return true;
    if (strchr("-_+.", s[i]) == NULL || s[i] == '\0')
      return false;
    i++;
  }
}

bool
berth_reference_match_digest(const char *s, size_t n)
{
  const char *colon = memchr(s, ':', n);
  if (colon == NULL || !match_digest_algorithm(s, (size_t)(colon - s)))
    return false;
  size_t hex = n - (size_t)(colon - s) - 1;
  if (hex < 32)
    return false;
  for (size_t i = 0; i < hex; i++)
    if (!is_xdigit(colon[1 + i]))
      return false;
  return true;
}

bool
berth_reference_match_identifier(const char *s, size_t n)
{
  if (n != 64)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
      return false;
  return true;
}

bool
berth_reference_match_name(const char *s, size_t n, size_t *domain_len)
{
  const char *slash = memchr(s, '/', n);
  if (slash != NULL) {
    size_t d = (size_t)(slash - s);
    if (berth_reference_match_domain(s, d) && berth_reference_match_path(slash + 1, n - d - 1)) {
      *domain_len = d;
      return true;
    }
  }
  if (!berth_reference_match_path(s, n))
    return false;
  *domain_len = 0;
  return true;
}

/* Matches remoteName [":" tag] ["@" digest] from s[start] to the end; the
 * name then ends where the path does. */
static bool
match_path_and_suffix(const char *s, size_t n, size_t start, berth_reference_match *m)
{
  const char *end = find_any(s + start, n - start, ":@");
  size_t path_end = end != NULL ? (size_t)(end - s) : n;
  if (!berth_reference_match_path(s + start, path_end - start))
    return false;
  berth_reference_match r = { .name_len = path_end };
  size_t i = path_end;
  if (i < n && s[i] == ':') {
    const char *at = memchr(s + i + 1, '@', n - i - 1);
    size_t tag_end = at != NULL ? (size_t)(at - s) : n;
    if (!berth_reference_match_tag(s + i + 1, tag_end - i - 1))
      return false;
    r.tag_off = i + 1;
    r.tag_len = tag_end - i - 1;
    i = tag_end;
  }
  if (i < n) {
    /* s[i] is '@' here: a path or tag stops only at ':' or '@' */
    if (s[i] != '@' || !berth_reference_match_digest(s + i + 1, n - i - 1))
      return false;
    r.digest_off = i + 1;
    r.digest_len = n - i - 1;
  }
  *m = r;
  return true;
}

bool
berth_reference_match_reference(const char *s, size_t n, berth_reference_match *m)
{
  const char *slash = memchr(s, '/', n);
  if (slash != NULL && berth_reference_match_domain(s, (size_t)(slash - s))
      && match_path_and_suffix(s, n, (size_t)(slash - s) + 1, m))
    return true;
  return match_path_and_suffix(s, n, 0, m);
}
