/* What an HTTP server says about a file ADD downloads: its Last-Modified
 * time and its name (remote.h).  All of it untrusted. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/remote.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

bool
berth_build_is_url(const char *s)
{
  return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static const char *const months[]
    = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static bool
valid_date(int y, int m, int d, int hh, int mm, int ss)
{
  static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || hh > 23 || mm > 59 || ss > 59)
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

static int
month_of(const char *s)
{
  for (int i = 0; i < 12; i++)
    if (strncmp(s, months[i], 3) == 0)
      return i + 1;
  return 0;
}

/* n digits exactly at s (a leading space allowed when space, for ANSI C's
 * "_2"). */
static bool
digits(const char *s, int n, bool space, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (i == 0 && space && s[i] == ' ' && n > 1)
      continue;
    if (!isdigit((unsigned char)s[i]))
      return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static bool
clock_at(const char *s, int *hh, int *mm, int *ss)
{
  return digits(s, 2, false, hh) && s[2] == ':' && digits(s + 3, 2, false, mm) && s[5] == ':'
         && digits(s + 6, 2, false, ss);
}

static const char *const wdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const wdays_long[]
    = { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };

static size_t
weekday_len(const char *s, bool long_form)
{
  for (int i = 0; i < 7; i++) {
    const char *w = long_form ? wdays_long[i] : wdays[i];
    size_t n = strlen(w);
    if (strncmp(s, w, n) == 0)
      return n;
  }
  return 0;
}

int
berth_build_parse_http_time(const char *s, int64_t *out)
{
  int y = 0, m = 0, d = 0, hh = 0, mm = 0, ss = 0;
  size_t len = strlen(s), w;
  if ((w = weekday_len(s, false)) == 3 && len == 29 && s[3] == ',' && s[4] == ' ') {
    /* RFC 1123: "Mon, 02 Jan 2006 15:04:05 GMT" */
    const char *p = s + 5;
    if (!digits(p, 2, false, &d) || p[2] != ' ' || (m = month_of(p + 3)) == 0 || p[6] != ' '
        || !digits(p + 7, 4, false, &y) || p[11] != ' ' || !clock_at(p + 12, &hh, &mm, &ss)
        || strcmp(p + 20, " GMT") != 0)
      return -1;
  } else if ((w = weekday_len(s, true)) > 0 && s[w] == ',' && s[w + 1] == ' ' && len == w + 24) {
    /* RFC 850: "Monday, 02-Jan-06 15:04:05 GMT" (Go: two-digit years
     * 69-99 are 19xx, 00-68 20xx) */
    const char *p = s + w + 2;
    if (!digits(p, 2, false, &d) || p[2] != '-' || (m = month_of(p + 3)) == 0 || p[6] != '-'
        || !digits(p + 7, 2, false, &y) || p[9] != ' ' || !clock_at(p + 10, &hh, &mm, &ss)
        || strcmp(p + 18, " GMT") != 0)
      return -1;
    y += y >= 69 ? 1900 : 2000;
  } else if (weekday_len(s, false) == 3 && len == 24 && s[3] == ' ') {
    /* ANSI C: "Mon Jan  2 15:04:05 2006" */
    const char *p = s + 4;
    if ((m = month_of(p)) == 0 || p[3] != ' ' || !digits(p + 4, 2, true, &d) || p[6] != ' '
        || !clock_at(p + 7, &hh, &mm, &ss) || p[15] != ' ' || !digits(p + 16, 4, false, &y))
      return -1;
  } else {
    return -1;
  }
  if (!valid_date(y, m, d, hh, mm, ss))
    return -1;
  *out = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
  return 0;
}

static int
hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)tolower((unsigned char)c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The base name of a `/` path (Go's filepath.Base after the callers'
 * checks), or NULL when it cannot be a file's name. */
static char *
base_of(const char *p, size_t n)
{
  while (n > 0 && p[n - 1] == '/')
    n--;
  size_t s = n;
  while (s > 0 && p[s - 1] != '/')
    s--;
  if (n == s || n - s > 255 || memchr(p + s, '\0', n - s) != NULL)
    return NULL;
  if ((n - s == 1 && p[s] == '.') || (n - s == 2 && p[s] == '.' && p[s + 1] == '.'))
    return NULL;
  return xstrndup(p + s, n - s);
}

/* Content-Disposition's filename parameter (mime.ParseMediaType, the
 * quoted-string or token forms), or NULL. */
static char *
disposition_filename(const char *cd)
{
  for (const char *p = strchr(cd, ';'); p != NULL; p = strchr(p + 1, ';')) {
    const char *q = p + 1;
    while (*q == ' ' || *q == '\t')
      q++;
    if (strncasecmp(q, "filename=", 9) != 0)
      continue;
    q += 9;
    size_t cap = strlen(q) + 1, k = 0;
    cleanup_free char *v = xmalloc(cap);
    if (*q == '"') {
      for (q++; *q != '\0' && *q != '"'; q++) {
        if (*q == '\\' && q[1] != '\0')
          q++;
        v[k++] = *q;
      }
      if (*q != '"')
        return NULL;
    } else {
      while (*q != '\0' && *q != ';' && *q != ' ' && *q != '\t')
        v[k++] = *q++;
    }
    v[k] = '\0';
    if (k == 0 || v[k - 1] == '/')
      return NULL;
    return base_of(v, k);
  }
  return NULL;
}

char *
berth_build_url_filename(const char *url, const char *content_disposition)
{
  const char *p = strstr(url, "://");
  p = p ? p + 3 : url;
  p += strcspn(p, "/?#"); /* the authority */
  size_t raw = *p == '/' ? strcspn(p, "?#") : 0;
  /* u.Path: percent-decoded (a bad escape fails url.Parse: no name) */
  cleanup_free char *path = xmalloc(raw + 1);
  size_t k = 0;
  bool bad = false;
  for (size_t i = 0; i < raw; i++) {
    if (p[i] == '%') {
      int a = i + 2 < raw ? hexval(p[i + 1]) : -1;
      int b = i + 2 < raw ? hexval(p[i + 2]) : -1;
      if (a < 0 || b < 0) {
        bad = true;
        break;
      }
      path[k++] = (char)(a * 16 + b);
      i += 2;
    } else {
      path[k++] = p[i];
    }
  }
  path[k] = '\0';
  if (!bad && k > 0 && path[k - 1] != '/') {
    char *name = base_of(path, k);
    if (name != NULL)
      return name;
  }
  return content_disposition != NULL ? disposition_filename(content_disposition) : NULL;
}

char *
berth_build_tarsum_header(const char *name, unsigned mode, unsigned uid, unsigned gid,
                          long long size, const char *uname, const char *gname)
{
  return xasprintf("name%smode%uuid%ugid%usize%lldtypeflag0linkname"
                   "uname%sgname%sdevmajor0devminor0",
                   name, mode, uid, gid, size, uname, gname);
}
