/* Docker's go-units formatting, with values taken from
 * shared/reference-outputs (docker-history.txt, docker-images.txt). */
#include "harness.h"
#include "units.h"

static void
check_size(long long bytes, const char *want)
{
  char *got = berth_human_size(bytes);
  CHECK_STR(got, want);
  free(got);
}

static void
check_duration(long long seconds, const char *want)
{
  char *got = berth_human_duration(seconds);
  CHECK_STR(got, want);
  free(got);
}

TEST(sizes)
{
  check_size(0, "0B");
  check_size(6, "6B");
  check_size(4096, "4.1kB");
  check_size(1984703, "1.98MB");
  check_size(2097152, "2.1MB");
  check_size(33554432, "33.6MB");
  check_size(116600000, "117MB");
  check_size(999, "999B");
  check_size(1000, "1kB");
}

TEST(durations)
{
  check_duration(0, "Less than a second");
  check_duration(1, "1 second");
  check_duration(43, "43 seconds");
  check_duration(60, "About a minute");
  check_duration(20 * 60 + 5, "20 minutes");
  check_duration(3600, "About an hour");
  check_duration(5 * 3600, "5 hours");
  check_duration(3 * 86400, "3 days");
  check_duration(21 * 86400, "3 weeks");
  check_duration(90 * 86400, "3 months");
  check_duration(2 * 365 * 86400 + 86400 * 300, "2 years");
}

TEST(ellipsis)
{
  /* docker history: 45 characters, the last one an ellipsis. */
  char *s
      = berth_ellipsis("/bin/sh -c rm -rf /usr/share/doc/debconf && rm -rf /usr/share/doc/apt", 45);
  CHECK_STR(s, "/bin/sh -c rm -rf /usr/share/doc/debconf && …");
  free(s);
  s = berth_ellipsis("/bin/sh -c #(nop) CMD [\"bash\"]", 45);
  CHECK_STR(s, "/bin/sh -c #(nop) CMD [\"bash\"]");
  free(s);
}

int
main(void)
{
  RUN(sizes);
  RUN(durations);
  RUN(ellipsis);
  DONE();
}
