/* The Go formatting of Docker's history strings (build/gofmt.c). */
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "harness.h"

static bool
same(char *got, const char *want)
{
  bool r = strcmp(got, want) == 0;
  free(got);
  return r;
}

TEST(quote_list)
{
  char *v[] = { "cat", "g.txt", "a \"q\"\n\x01", NULL };
  CHECK(same(berth_build_go_quote_list(v, 2), "[\"cat\" \"g.txt\"]"));
  CHECK(same(berth_build_go_quote_list(v + 2, 1), "[\"a \\\"q\\\"\\n\\x01\"]"));
  CHECK(same(berth_build_go_list(v, 2), "[cat g.txt]"));
}

TEST(duration)
{
  CHECK(same(berth_build_go_duration(0), "0s"));
  CHECK(same(berth_build_go_duration(300000000000LL), "5m0s"));
  CHECK(same(berth_build_go_duration(3000000000LL), "3s"));
  CHECK(same(berth_build_go_duration(1500000000LL), "1.5s"));
  CHECK(same(berth_build_go_duration(500000000LL), "500ms"));
  CHECK(same(berth_build_go_duration(3600000000000LL), "1h0m0s"));
  long long ns = 0;
  CHECK(berth_build_parse_duration("1m30s", &ns) == 0 && ns == 90000000000LL);
  CHECK(berth_build_parse_duration("abc", &ns) < 0);
}

int
main(void)
{
  RUN(quote_list);
  RUN(duration);
  DONE();
}
