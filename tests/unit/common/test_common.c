#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/utf8.h"
#include "harness.h"

TEST(error_chain)
{
  cleanup_error berth_error *err = NULL;
  CHECK(berth_error_set(&err, ENOENT, "open %s", "x") == -1);
  berth_error_prefix(&err, "fetch blob %s", "sha256:ab");
  berth_error_prefix(&err, "pull '%s'", "nginx");
  CHECK_STR(err->msg, "pull 'nginx': fetch blob sha256:ab: open x: No such file or directory");
  CHECK(err->errnum == ENOENT);
  CHECK(err->exit_code == 1);
}

TEST(sha256_known_vector)
{
  char d[BERTH_DIGEST_LEN];
  berth_sha256_digest("abc", 3, d);
  CHECK_STR(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(berth_digest_is_valid(d));
  CHECK(!berth_digest_is_valid(
      "sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  CHECK(!berth_digest_is_valid("sha256:abc"));
  CHECK(!berth_digest_is_valid(
      "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

TEST(random_ids)
{
  char a[65], b[27];
  berth_random_hex(a, 64);
  berth_random_upper(b, 26);
  CHECK(strlen(a) == 64 && strspn(a, "0123456789abcdef") == 64);
  CHECK(strlen(b) == 26 && strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == 26);
}

TEST(atomic_write_and_rm_rf)
{
  char tmpl[] = "/tmp/berth-test-XXXXXX";
  CHECK(mkdtemp(tmpl) != NULL);
  cleanup_close int dfd = open(tmpl, O_RDONLY | O_DIRECTORY);
  cleanup_error berth_error *err = NULL;
  CHECK(berth_mkdir_p_at(dfd, "a/b/c", 0700, &err) == 0);
  CHECK(berth_write_file_atomic_at(dfd, "a/b/c/f", "hello\n", 6, 0600, &err) == 0);
  cleanup_free char *line = berth_read_line_at(dfd, "a/b/c/f", &err);
  CHECK_STR(line, "hello");
  long long size = 0;
  CHECK(berth_du_at(dfd, "a", &size, &err) == 0 && size == 6);
  CHECK(berth_read_line_at(dfd, "nope", &err) == NULL && err->errnum == ENOENT);
  CHECK(berth_rm_rf_at(AT_FDCWD, tmpl, &err) == 0);
  CHECK(!berth_exists_at(AT_FDCWD, tmpl));
}

TEST(utf8_valid)
{
  static const char *good[] = {
    "", "abc", "h\xc3\xa9", "\xe2\x9c\x93", "\xf0\x9f\x90\xb3", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"
  };
  static const char *bad[] = { "\xff",
                               "a\xff"
                               "b",
                               "\x80",
                               "\xc3",
                               "\xc0\xaf",
                               "\xc1\xbf",
                               "\xe0\x80\xaf",
                               "\xed\xa0\x80",
                               "\xed\xbf\xbf",
                               "\xf0\x80\x80\xaf",
                               "\xf4\x90\x80\x80",
                               "\xf5\x80\x80\x80",
                               "\xe2\x9c",
                               "\xc3\x28" };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    CHECK(berth_utf8_valid(good[i], strlen(good[i])));
    cleanup_json json_t *j = json_string(good[i]);
    CHECK(j != NULL); /* jansson agrees */
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(!berth_utf8_valid(bad[i], strlen(bad[i])));
    cleanup_json json_t *j = json_string(bad[i]);
    CHECK(j == NULL);
  }
}

TEST(utf8_escape_and_checked)
{
  cleanup_free char *e = berth_bytes_escape("a\xff"
                                            "b \"q\" \\ h\xc3\xa9\n\xc3");
  CHECK_STR(e, "a\\xffb \\\"q\\\" \\\\ h\xc3\xa9\\x0a\\xc3");
  cleanup_error berth_error *err = NULL;
  CHECK(berth_utf8_check(NULL, "x", &err) == 0 && berth_utf8_check("ok", "x", &err) == 0);
  CHECK(err == NULL);
  CHECK(berth_json_string_checked("a\xff"
                                  "b",
                                  "\"-e, --env\" flag", &err)
        == NULL);
  CHECK_STR(err->msg, "invalid argument \"a\\xffb\" for \"-e, --env\" flag: not valid UTF-8");
  cleanup_json json_t *j = berth_json_string_checked("fine", "x", NULL);
  CHECK_STR(json_string_value(j), "fine");
}

TEST(utf8_sanitize)
{
  size_t n;
  cleanup_free char *a = berth_utf8_sanitize("a\xff"
                                             "b\xc3",
                                             4, &n);
  CHECK_STR(a, "a\xef\xbf\xbd"
               "b\xef\xbf\xbd");
  CHECK(n == 8 && berth_utf8_valid(a, n));
  cleanup_free char *b = berth_utf8_sanitize("h\xc3\xa9", 3, &n);
  CHECK_STR(b, "h\xc3\xa9");
}

int
main(void)
{
  RUN(error_chain);
  RUN(sha256_known_vector);
  RUN(random_ids);
  RUN(atomic_write_and_rm_rf);
  RUN(utf8_valid);
  RUN(utf8_escape_and_checked);
  RUN(utf8_sanitize);
  DONE();
}
