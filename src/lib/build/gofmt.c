/* The few Go formatting rules Docker's builder writes into history entries
 * (fmt's %q and %v of a []string, time.Duration), so that berth's CREATED BY
 * strings are byte for byte Docker's. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "build/build.h"
#include "common/utf8.h"
#include "common/xalloc.h"

struct buf {
  char *p;
  size_t n, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
  if (b->n + n + 1 > b->cap) {
    b->cap = (b->n + n + 1) * 2;
    b->p = xrealloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
  put(b, s, strlen(s));
}

/* strconv.Quote of s: Go escapes for control characters, \x for bytes that
 * are not UTF-8, printable characters as they are.  (Unicode's other
 * non-printable characters are rare enough in a Dockerfile to be kept.) */
static void
quote(struct buf *b, const char *s)
{
  size_t n = strlen(s);
  puts_(b, "\"");
  for (size_t i = 0; i < n;) {
    uint32_t r;
    size_t w = berth_utf8_decode(s + i, n - i, &r);
    char tmp[16];
    if (r == BERTH_RUNE_ERROR && w == 1) {
      snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned char)s[i]);
      puts_(b, tmp);
    } else if (r == '"' || r == '\\') {
      tmp[0] = '\\', tmp[1] = (char)r;
      put(b, tmp, 2);
    } else if (r < 0x20 || r == 0x7f) {
      static const char esc[] = "abtnvfr";
      if (r >= 7 && r <= 13)
        snprintf(tmp, sizeof tmp, "\\%c", esc[r - 7]);
      else
        snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)r);
      puts_(b, tmp);
    } else if (r >= 0x80 && r < 0xa0) {
      snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)r);
      puts_(b, tmp);
    } else {
      put(b, s + i, w);
    }
    i += w;
  }
  puts_(b, "\"");
}

char *
berth_build_go_quote_list(char *const *v, size_t n)
{
  struct buf b = { 0 };
  puts_(&b, "[");
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      puts_(&b, " ");
    quote(&b, v[i]);
  }
  puts_(&b, "]");
  return b.p;
}

char *
berth_build_go_list(char *const *v, size_t n)
{
  struct buf b = { 0 };
  puts_(&b, "[");
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      puts_(&b, " ");
    puts_(&b, v[i]);
  }
  puts_(&b, "]");
  return b.p;
}

/* v/10^prec as Go's fmtFrac writes it: the fraction without trailing zeros,
 * nothing when it is zero. */
static void
frac(struct buf *b, unsigned long long v, int prec)
{
  char digits[24];
  int k = 0;
  bool print = false;
  for (int i = 0; i < prec; i++) {
    int d = (int)(v % 10);
    print = print || d != 0;
    if (print)
      digits[k++] = (char)('0' + d);
    v /= 10;
  }
  if (k > 0) {
    puts_(b, ".");
    for (int i = k - 1; i >= 0; i--)
      put(b, &digits[i], 1);
  }
}

char *
berth_build_go_duration(long long ns)
{
  struct buf b = { 0 };
  if (ns == 0)
    return xstrdup("0s");
  if (ns < 0)
    puts_(&b, "-");
  unsigned long long u = ns < 0 ? -(unsigned long long)ns : (unsigned long long)ns;
  char tmp[32];
  if (u < 1000000000ull) { /* under a second: ns, µs or ms */
    const char *unit = "ns";
    int prec = 0;
    if (u >= 1000000ull)
      unit = "ms", prec = 6;
    else if (u >= 1000ull)
      unit = "µs", prec = 3;
    unsigned long long p = 1;
    for (int i = 0; i < prec; i++)
      p *= 10;
    snprintf(tmp, sizeof tmp, "%llu", u / p);
    puts_(&b, tmp);
    frac(&b, u % p, prec);
    puts_(&b, unit);
    return b.p;
  }
  unsigned long long secs = u / 1000000000ull, h = secs / 3600, m = secs / 60 % 60, sec = secs % 60;
  if (h > 0) {
    snprintf(tmp, sizeof tmp, "%lluh", h);
    puts_(&b, tmp);
  }
  if (h > 0 || m > 0) {
    snprintf(tmp, sizeof tmp, "%llum", m);
    puts_(&b, tmp);
  }
  snprintf(tmp, sizeof tmp, "%llu", sec);
  puts_(&b, tmp);
  frac(&b, u % 1000000000ull, 9);
  puts_(&b, "s");
  return b.p;
}

/* Go's ParseDuration for the forms a HEALTHCHECK flag takes: a sequence of
 * decimal numbers, each with an optional fraction and a unit (ns, us, µs,
 * ms, s, m, h); "0" alone.  s is untrusted. */
int
berth_build_parse_duration(const char *s, long long *ns)
{
  static const struct {
    const char *name;
    double mult;
  } units[] = { { "ns", 1 },  { "us", 1e3 }, { "µs", 1e3 },  { "ms", 1e6 },
                { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
  bool neg = false;
  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  if (strcmp(s, "0") == 0) {
    *ns = 0;
    return 0;
  }
  if (*s == '\0')
    return -1;
  double total = 0;
  while (*s != '\0') {
    if (!((*s >= '0' && *s <= '9') || *s == '.'))
      return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s)
      return -1;
    s = end;
    size_t best = 0, which = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
      size_t l = strlen(units[i].name);
      if (strncmp(s, units[i].name, l) == 0 && l > best)
        best = l, which = i;
    }
    if (best == 0)
      return -1;
    total += v * units[which].mult;
    s += best;
  }
  if (total > 9.2e18)
    return -1;
  *ns = (long long)(total + 0.5) * (neg ? -1 : 1);
  return 0;
}
