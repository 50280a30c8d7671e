/* ADD of a URL: Go's http.ParseTime, Docker's getFilenameForDownload and
 * the tarsum header of its cache hash (build/remote_parse.c), and the
 * context tar sniffing of `build -` (context/tar.c). */
#include <stdlib.h>
#include <string.h>

#include "build/remote.h"
#include "context/tar.h"
#include "harness.h"

static bool
same(char *got, const char *want)
{
  bool r = want == NULL ? got == NULL : got != NULL && strcmp(got, want) == 0;
  free(got);
  return r;
}

TEST(http_time)
{
  int64_t t = -1;
  CHECK(berth_build_parse_http_time("Sun, 06 Nov 1994 08:49:37 GMT", &t) == 0 && t == 784111777);
  CHECK(berth_build_parse_http_time("Sunday, 06-Nov-94 08:49:37 GMT", &t) == 0 && t == 784111777);
  CHECK(berth_build_parse_http_time("Sun Nov  6 08:49:37 1994", &t) == 0 && t == 784111777);
  CHECK(berth_build_parse_http_time("Thu, 02 Jan 2020 03:04:05 GMT", &t) == 0 && t == 1577934245);
  CHECK(berth_build_parse_http_time("Thu, 01 Jan 1970 00:00:00 GMT", &t) == 0 && t == 0);
  CHECK(berth_build_parse_http_time("Thursday, 01-Jan-68 00:00:00 GMT", &t) == 0
        && t == 3092601600);
  CHECK(berth_build_parse_http_time("Mon, 29 Feb 2021 00:00:00 GMT", &t) < 0);
  CHECK(berth_build_parse_http_time("Sun, 06 Nov 1994 08:49:37 UTC", &t) < 0);
  CHECK(berth_build_parse_http_time("Sun, 06 Nov 1994 24:49:37 GMT", &t) < 0);
  CHECK(berth_build_parse_http_time("", &t) < 0);
}

TEST(filename)
{
  CHECK(same(berth_build_url_filename("http://h/f.txt", NULL), "f.txt"));
  CHECK(same(berth_build_url_filename("http://h:80/a/b.tgz?x=/y#z", NULL), "b.tgz"));
  CHECK(same(berth_build_url_filename("http://h/a%20b", NULL), "a b"));
  CHECK(same(berth_build_url_filename("http://h/a%2Fb", NULL), "b"));
  CHECK(same(berth_build_url_filename("http://h/", NULL), NULL));
  CHECK(same(berth_build_url_filename("http://h", NULL), NULL));
  CHECK(same(berth_build_url_filename("http://h/..", NULL), NULL));
  CHECK(same(berth_build_url_filename("http://h/%00", NULL), NULL));
  CHECK(same(berth_build_url_filename("http://h/d/", "attachment; filename=\"n.txt\""), "n.txt"));
  CHECK(same(berth_build_url_filename("http://h/d/", "attachment; filename=x/y.txt"), "y.txt"));
  CHECK(same(berth_build_url_filename("http://h/d/", "attachment; filename=\"dir/\""), NULL));
  CHECK(same(berth_build_url_filename("http://h/d/", "attachment; filename=.."), NULL));
  CHECK(same(berth_build_url_filename("http://h/f", "attachment; filename=n"), "f"));
}

TEST(tarsum_header)
{
  CHECK(same(berth_build_tarsum_header("f.txt", 0100600, 0, 0, 10, "root", "root"),
             "namef.txtmode33152uid0gid0size10typeflag0linkname"
             "unamerootgnamerootdevmajor0devminor0"));
}

TEST(is_archive)
{
  unsigned char h[512] = { 0 };
  CHECK(!berth_context_is_archive(h, sizeof h)); /* zeros: Go's io.EOF */
  CHECK(berth_context_is_archive("\x1f\x8b\x08", 3));
  CHECK(berth_context_is_archive("BZh9", 4));
  CHECK(berth_context_is_archive("\xfd\x37\x7a\x58\x5a\x00", 6));
  CHECK(!berth_context_is_archive("\x28\xb5\x2f\xfd", 4)); /* zstd: a Dockerfile to 20.10 */
  CHECK(!berth_context_is_archive("FROM busybox\n", 13));
  memcpy(h, "a", 1);
  memcpy(h + 100, "0000644", 7);
  memcpy(h + 257, "ustar\00000", 8);
  unsigned sum = 0;
  memset(h + 148, ' ', 8);
  for (size_t i = 0; i < 512; i++)
    sum += h[i];
  snprintf((char *)h + 148, 8, "%06o", sum);
  CHECK(berth_context_is_archive(h, sizeof h));
  CHECK(!berth_context_is_archive(h, 511));
  h[0] = 'b'; /* the checksum no longer matches */
  CHECK(!berth_context_is_archive(h, sizeof h));
}

int
main(void)
{
  RUN(http_time);
  RUN(filename);
  RUN(tarsum_header);
  RUN(is_archive);
  DONE();
}
