#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "image/time.h"

static int64_t
parse_ok(const char *s)
{
  int64_t t = -42;
  if (berth_time_parse(s, &t) != 0)
    printf("#   unexpected failure parsing %s\n", s);
  return t;
}

TEST(utc)
{
  CHECK(parse_ok("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_ok("2024-01-01T00:00:00Z") == 1704067200);
  CHECK(parse_ok("2026-11-23T05:26:55Z") == 1795411615);
}

TEST(fraction_is_dropped)
{
  CHECK(parse_ok("2026-11-23T05:26:55.123456789Z") == 1795411615);
  CHECK(parse_ok("2026-11-23T05:26:55.9Z") == 1795411615);
  CHECK(parse_ok("2026-11-23T05:26:55.69782746Z") == 1795411615);
  CHECK(parse_ok("2026-11-23T05:26:55.1234567891234Z") == 1795411615);
}

TEST(zones)
{
  CHECK(parse_ok("2024-01-01T00:00:00+09:00") == 1704034800);
  CHECK(parse_ok("2024-01-01T09:00:00+09:00") == 1704067200);
  CHECK(parse_ok("2023-12-31T19:30:00-04:30") == 1704067200);
  CHECK(parse_ok("2024-01-01T00:00:00.5+00:00") == 1704067200);
}

TEST(calendar)
{
  CHECK(parse_ok("2024-02-29T00:00:00Z") == 1709164800);
  CHECK(parse_ok("2000-02-29T12:00:00Z") == 951825600);
  CHECK(parse_ok("1969-12-31T23:59:59Z") == -1);
  CHECK(parse_ok("0001-01-01T00:00:00Z") == -62135596800LL); /* Go's zero time */
}

TEST(refused)
{
  static const char *const bad[] = {
    "",
    "2024-01-01",
    "2024-01-01T00:00:00",
    "2024-01-01 00:00:00Z",
    "2024-01-01t00:00:00Z",
    "2024-01-01T00:00:00z",
    "2024-01-01T00:00:00Zjunk",
    "2024-01-01T00:00:00.Z",
    "2024-01-01T00:00Z",
    "2024-1-01T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-01T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-01-00T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T00:60:00Z",
    "2024-01-01T00:00:60Z",
    "2024-01-01T00:00:00+9:00",
    "2024-01-01T00:00:00+0900",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00+09:60",
    "+2024-01-01T00:00:00Z",
    "２０２４-01-01T00:00:00Z",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int64_t t = 7;
    errno = 0;
    int r = berth_time_parse(bad[i], &t);
    if (r != -1 || errno != EINVAL || t != 7)
      printf("#   accepted %s\n", bad[i]);
    CHECK(r == -1 && errno == EINVAL && t == 7);
  }
  int64_t t;
  CHECK(berth_time_parse(NULL, &t) == -1);
}

TEST(format_like_go_rfc3339nano)
{
  cleanup_free char *a = berth_time_format_rfc3339(0, 0);
  cleanup_free char *b = berth_time_format_rfc3339(1795411615, 123456789);
  cleanup_free char *c = berth_time_format_rfc3339(1795411615, 697827460);
  cleanup_free char *d = berth_time_format_rfc3339(1795411615, 100000000);
  cleanup_free char *e = berth_time_format_rfc3339(1795411615, 1);
  CHECK_STR(a, "1970-01-01T00:00:00Z");
  CHECK_STR(b, "2026-11-23T05:26:55.123456789Z");
  CHECK_STR(c, "2026-11-23T05:26:55.69782746Z");
  CHECK_STR(d, "2026-11-23T05:26:55.1Z");
  CHECK_STR(e, "2026-11-23T05:26:55.000000001Z");
}

TEST(now_round_trips)
{
  cleanup_free char *now = berth_time_now_rfc3339();
  int64_t t = 0;
  CHECK(berth_time_parse(now, &t) == 0);
  CHECK(t > 1704067200);
  CHECK(now[strlen(now) - 1] == 'Z');
}

int
main(void)
{
  RUN(utc);
  RUN(fraction_is_dropped);
  RUN(zones);
  RUN(calendar);
  RUN(refused);
  RUN(format_like_go_rfc3339nano);
  RUN(now_round_trips);
  DONE();
}
