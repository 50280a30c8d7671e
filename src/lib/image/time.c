#include "image/time.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "common/xalloc.h"

/* Reads exactly n decimal digits. */
static bool
digits(const char **p, int n, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *out = v;
  return true;
}

static bool
expect(const char **p, char c)
{
  if (**p != c)
    return false;
  (*p)++;
  return true;
}

static bool
is_leap(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
  static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "Z" or "+hh:mm" / "-hh:mm" → seconds east of UTC. */
static bool
parse_zone(const char **p, int *offset)
{
  if (expect(p, 'Z')) {
    *offset = 0;
    return true;
  }
  char sign = **p;
  int hh, mm;
  if (sign != '+' && sign != '-')
    return false;
  (*p)++;
  if (!digits(p, 2, &hh) || !expect(p, ':') || !digits(p, 2, &mm) || hh > 23 || mm > 59)
    return false;
  *offset = (hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
  return true;
}

/* s is untrusted (from a config): read strictly left to right, every field
 * range-checked, nothing may follow the zone. */
int
berth_time_parse(const char *s, int64_t *out)
{
  const char *p = s;
  int y, mo, d, h, mi, sec, offset;
  if (s == NULL || !digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-')
      || !digits(&p, 2, &d) || !expect(&p, 'T') || !digits(&p, 2, &h) || !expect(&p, ':')
      || !digits(&p, 2, &mi) || !expect(&p, ':') || !digits(&p, 2, &sec))
    goto bad;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
    goto bad;
  if (expect(&p, '.')) {
    size_t n = strspn(p, "0123456789");
    if (n == 0)
      goto bad;
    p += n;
  }
  if (!parse_zone(&p, &offset) || *p != '\0')
    goto bad;
  *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  return 0;
bad:
  errno = EINVAL;
  return -1;
}

char *
berth_time_format_rfc3339(int64_t sec, long nsec)
{
  time_t t = (time_t)sec;
  struct tm tm;
  char date[64], frac[16] = "";
  if (gmtime_r(&t, &tm) == NULL) { /* out of range: show the epoch, never garbage */
    t = 0;
    gmtime_r(&t, &tm);
  }
  strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
  if (nsec > 0 && nsec < 1000000000L) {
    int len = 9;
    long v = nsec;
    while (v % 10 == 0) {
      v /= 10;
      len--;
    }
    frac[0] = '.';
    for (int i = len; i >= 1; i--) {
      frac[i] = (char)('0' + v % 10);
      v /= 10;
    }
    frac[len + 1] = '\0';
  }
  return xasprintf("%s%sZ", date, frac);
}

char *
berth_time_now_rfc3339(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return berth_time_format_rfc3339(ts.tv_sec, ts.tv_nsec);
}
