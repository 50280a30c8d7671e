#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/digest_async.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/random.h"
#include "common/utf8.h"
#include "harness.h"

TEST(error_chain)
{
  cleanup_error berth_error *err = NULL;
  CHECK(berth_error_set(&err, ENOENT, "open %s", "x") == -1);
  berth_error_prefix(&err, "fetch blob %s", "sha256:ab");
  berth_error_prefix(&err, "pull '%s'", "nginx");
  CHECK_STR(berth_error_message(err),
            "pull 'nginx': fetch blob sha256:ab: open x: No such file or directory");
  CHECK(berth_error_errno(err) == ENOENT);
  CHECK(berth_error_get_kind(err) == BERTH_ERR_FAILED);
}

static int
count(const char *haystack, const char *needle)
{
  int n = 0;
  for (const char *p = haystack; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
    n++;
  return n;
}

/* A helper that reads into a local error and hands it up, as the store's
 * readers do: the errno's text must still appear once. */
static int
read_diff(berth_error **err)
{
  cleanup_error berth_error *local = NULL;
  berth_error_set(&local, EISDIR, "read %s", "layer.tar");
  berth_error_propagate(err, &local);
  return berth_error_prefix(err, "read diff");
}

TEST(errno_text_once)
{
  cleanup_error berth_error *err = NULL;
  CHECK(read_diff(&err) == -1);
  berth_error_prefix(&err, "commit %s", "c1");
  berth_error_prefix(&err, "layer %d", 2);
  CHECK_STR(berth_error_message(err),
            "layer 2: commit c1: read diff: read layer.tar: Is a directory");
  CHECK(count(berth_error_message(err), "Is a directory") == 1);
  CHECK(berth_error_errno(err) == EISDIR);
  /* Rendering twice gives the same text. */
  CHECK(count(berth_error_message(err), "Is a directory") == 1);
}

TEST(errno_in_words)
{
  cleanup_error berth_error *err = NULL;
  berth_error_set_as(&err, ENOENT, "No such image: %s", "x");
  berth_error_prefix(&err, "create");
  CHECK_STR(berth_error_message(err), "create: No such image: x");
  CHECK(berth_error_errno(err) == ENOENT);
}

TEST(pending_error_is_kept)
{
  cleanup_error berth_error *err = NULL;
  berth_error_set(&err, ENOSPC, "write layer");
  berth_error_set(&err, 0, "remove staging dir");
  CHECK_STR(berth_error_message(err), "remove staging dir: write layer: No space left on device");
  CHECK(berth_error_errno(err) == 0);
  cleanup_error berth_error *other = NULL;
  berth_error_set(&other, EACCES, "open config");
  berth_error_propagate(&err, &other);
  CHECK(other == NULL);
  CHECK_STR(berth_error_message(err), "open config: Permission denied: remove staging dir: write "
                                      "layer: No space left on device");
  CHECK(berth_error_errno(err) == EACCES);
  /* replace says the new error explains it better: the old one goes. */
  berth_error_set(&other, ECANCELED, "digest mismatch");
  berth_error_replace(&err, &other);
  CHECK_STR(berth_error_message(err), "digest mismatch: Operation canceled");
  berth_error_clear(&err);
  CHECK(err == NULL);
}

TEST(null_err_is_safe)
{
  errno = EBADF;
  CHECK(berth_error_set(NULL, ENOENT, "open %s", "x") == -1);
  CHECK(berth_error_set_as(NULL, ENOENT, "x") == -1);
  CHECK(berth_error_prefix(NULL, "ctx") == -1);
  CHECK(berth_error_set_kind(NULL, BERTH_ERR_ENGINE) == -1);
  CHECK(errno == EBADF);
  berth_error *local = NULL;
  berth_error_set(&local, EIO, "read");
  CHECK(berth_error_propagate(NULL, &local) == -1 && local == NULL); /* freed: ASan checks */
  CHECK(berth_error_replace(NULL, &local) == -1);
  CHECK(berth_error_errno(NULL) == 0);
  CHECK(berth_error_get_kind(NULL) == BERTH_ERR_FAILED);
  CHECK(berth_error_message(NULL) == NULL);
  berth_error_clear(NULL);
  berth_error *none = NULL;
  CHECK(berth_error_prefix(&none, "ctx") == -1 && none == NULL);
  CHECK(berth_error_set_kind(&none, BERTH_ERR_ENGINE) == -1 && none == NULL);
  CHECK(berth_error_propagate(&none, &local) == -1 && none == NULL);
}

TEST(kind_survives_context)
{
  cleanup_error berth_error *err = NULL;
  berth_error_set(&err, 0, "exec: \"nope\": executable file not found in $PATH");
  berth_error_set_kind(&err, BERTH_ERR_CMD_NOT_FOUND);
  berth_error_prefix(&err, "start");
  cleanup_error berth_error *up = NULL;
  berth_error_propagate(&up, &err);
  berth_error_prefix(&up, "run");
  CHECK(berth_error_get_kind(up) == BERTH_ERR_CMD_NOT_FOUND);
  CHECK_STR(berth_error_message(up),
            "run: start: exec: \"nope\": executable file not found in $PATH");
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
  CHECK(berth_read_line_at(dfd, "nope", &err) == NULL && berth_error_errno(err) == ENOENT);
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

TEST(path_clean_abs)
{
  const char *cases[][2] = { { "/", "/" },      { "/a/b/../c/", "/a/c" }, { "//a//./b", "/a/b" },
                             { "/../..", "/" }, { "/a/..", "/" },         { "/a/b/..", "/a" } };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = berth_path_clean_abs(cases[i][0]);
    CHECK(strcmp(got, cases[i][1]) == 0);
    free(got);
  }
}

TEST(ascii)
{
  CHECK(berth_ascii(""));
  CHECK(berth_ascii("bin/sh ~\x7f"));
  CHECK(!berth_ascii("caf\xc3\xa9"));
  CHECK(!berth_ascii("\x80"));
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
  CHECK_STR(berth_error_message(err),
            "invalid argument \"a\\xffb\" for \"-e, --env\" flag: not valid UTF-8");
  cleanup_json json_t *j = berth_json_string_checked("fine", "x", NULL);
  CHECK_STR(json_string_value(j), "fine");
}

/* The hash on its own thread is the hash of the bytes in order, whatever
 * the sizes of the pieces (around the ring's 1 MiB, and past it); freeing
 * it unfinished neither hangs nor leaks. */
TEST(sha256_async_same_digest)
{
  size_t total = 10u * 1024 * 1024 + 123;
  unsigned char *data = malloc(total);
  for (size_t i = 0; i < total; i++)
    data[i] = (unsigned char)(i * 2654435761u >> 13);
  char want[BERTH_DIGEST_LEN], got[BERTH_DIGEST_LEN];
  berth_sha256_digest(data, total, want);
  const size_t pieces[] = { 1,
                            512,
                            4096,
                            262144,
                            4u * 1024 * 1024 - 1,
                            4u * 1024 * 1024,
                            4u * 1024 * 1024 + 1,
                            9u * 1024 * 1024 };
  for (size_t k = 0; k < sizeof(pieces) / sizeof(*pieces); k++) {
    berth_sha256_async *h = berth_sha256_async_new();
    size_t step = pieces[k], off = 0;
    while (off < total && (step > 1 || off < 65536)) {
      size_t n = total - off < step ? total - off : step;
      berth_sha256_async_update(h, data + off, n);
      off += n;
    }
    berth_sha256_async_update(h, data + off, total - off);
    berth_sha256_async_final(h, got);
    berth_sha256_async_free(h);
    CHECK_STR(got, want);
  }
  berth_sha256_async *h = berth_sha256_async_new();
  berth_sha256_async_final(h, got);
  berth_sha256_async_free(h);
  CHECK_STR(got, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  cleanup_sha256_async berth_sha256_async *dropped = berth_sha256_async_new();
  berth_sha256_async_update(dropped, data, total);
  free(data);
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
  RUN(ascii);
  RUN(path_clean_abs);
  RUN(errno_text_once);
  RUN(errno_in_words);
  RUN(pending_error_is_kept);
  RUN(null_err_is_safe);
  RUN(kind_survives_context);
  RUN(sha256_known_vector);
  RUN(random_ids);
  RUN(atomic_write_and_rm_rf);
  RUN(utf8_valid);
  RUN(utf8_escape_and_checked);
  RUN(utf8_sanitize);
  RUN(sha256_async_same_digest);
  DONE();
}
