#include "units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xalloc.h"

char *
berth_human_size(long long bytes)
{
  return berth_human_size_precision(bytes, 3);
}

char *
berth_human_size_precision(long long bytes, int digits)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  double size = (double)bytes;
  size_t i = 0;
  while (size >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
    size /= 1000.0;
    i++;
  }
  return xasprintf("%.*g%s", digits, size, units[i]);
}

char *
berth_human_duration(int64_t seconds)
{
  if (seconds < 1)
    return xstrdup("Less than a second");
  if (seconds == 1)
    return xstrdup("1 second");
  if (seconds < 60)
    return xasprintf("%lld seconds", (long long)seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1)
    return xstrdup("About a minute");
  if (minutes < 60)
    return xasprintf("%lld minutes", (long long)minutes);
  int64_t hours = (int64_t)((double)seconds / 3600.0 + 0.5);
  if (hours == 1)
    return xstrdup("About an hour");
  if (hours < 48)
    return xasprintf("%lld hours", (long long)hours);
  if (hours < 24 * 7 * 2)
    return xasprintf("%lld days", (long long)(hours / 24));
  if (hours < 24 * 30 * 2)
    return xasprintf("%lld weeks", (long long)(hours / 24 / 7));
  if (hours < 24 * 365 * 2)
    return xasprintf("%lld months", (long long)(hours / 24 / 30));
  return xasprintf("%lld years", (long long)(seconds / 3600 / 24 / 365));
}

char *
berth_human_since(int64_t t, int64_t now)
{
  char *d = berth_human_duration(now - t);
  char *s = xasprintf("%s ago", d);
  free(d);
  return s;
}

char *
berth_ellipsis(const char *s, int max)
{
  /* Count characters, not bytes: continuation bytes are 10xxxxxx. */
  int chars = 0;
  const char *cut = NULL;
  for (const char *p = s; *p; p++) {
    if (((unsigned char)*p & 0xc0) == 0x80)
      continue;
    if (chars == max - 1)
      cut = p;
    chars++;
  }
  if (chars <= max)
    return xstrdup(s);
  return xasprintf("%.*s…", (int)(cut - s), s);
}

char *
berth_go_time_string(int64_t t)
{
  time_t tt = (time_t)t;
  struct tm tm;
  char buf[64];
  if (localtime_r(&tt, &tm) == NULL
      || strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm) == 0)
    return xstrdup("");
  return xstrdup(buf);
}
