/* Unit tests for the small pieces of src/lib/archive: crc64, base64, path
 * cleaning, the tar-split writer/reader and the decompressor. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "archive/base64.h"
#include "archive/confine.h"
#include "archive/crc64.h"
#include "archive/decompress.h"
#include "archive/tarsplit.h"
#include "archive/ustar.h"
#include "common/cleanup.h"
#include "harness.h"
#include "tarbuild.h"

/* Independent bit-by-bit reference of Go's crc64.ISO. */
static uint64_t
crc64_reference(const void *buf, size_t len)
{
  const unsigned char *p = buf;
  uint64_t crc = ~0ULL;
  for (size_t i = 0; i < len; i++) {
    crc ^= p[i];
    for (int b = 0; b < 8; b++)
      crc = (crc & 1) ? (crc >> 1) ^ 0xD800000000000000ULL : crc >> 1;
  }
  return ~crc;
}

TEST(crc64_iso)
{
  /* The catalogued check value of CRC-64/GO-ISO. */
  CHECK(berth_crc64_update(0, "123456789", 9) == 0xb90956c775a41001ULL);
  static unsigned char data[100000];
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (unsigned char)(i * 31 + 7);
  uint64_t chained = berth_crc64_update(0, data, 1000);
  chained = berth_crc64_update(chained, data + 1000, sizeof(data) - 1000);
  CHECK(chained == crc64_reference(data, sizeof(data)));
  unsigned char be[8];
  berth_crc64_bytes(0x0102030405060708ULL, be);
  CHECK(be[0] == 1 && be[7] == 8);
}

TEST(base64)
{
  const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
  const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
  for (int i = 0; i < 7; i++) {
    cleanup_free char *e = berth_base64_encode(in[i], strlen(in[i]));
    CHECK_STR(e, want[i]);
    unsigned char *d = NULL;
    size_t n = 0;
    berth_error *err = NULL;
    CHECK(berth_base64_decode(e, strlen(e), &d, &n, &err) == 0);
    CHECK(n == strlen(in[i]) && memcmp(d, in[i], n) == 0);
    free(d);
  }
  const char *bad[] = { "Zg=", "Z===", "Zg==Zg==", "Zm9*", "=Zg=" };
  for (int i = 0; i < 5; i++) {
    unsigned char *d = NULL;
    size_t n = 0;
    cleanup_error berth_error *err = NULL;
    CHECK(berth_base64_decode(bad[i], strlen(bad[i]), &d, &n, &err) == -1);
    CHECK(err != NULL && strncmp(berth_error_message(err), "invalid base64", 14) == 0);
  }
}

static void
check_clean(const char *in, const char *want)
{
  cleanup_error berth_error *err = NULL;
  cleanup_free char *got = berth_confine_clean(in, &err);
  if (want == NULL) {
    CHECK(got == NULL && err != NULL
          && strstr(berth_error_message(err), "escapes the layer directory"));
  } else {
    CHECK_STR(got, want);
  }
}

TEST(confine_clean)
{
  check_clean("./etc/passwd", "etc/passwd");
  check_clean("/abs//x/./y/", "abs/x/y");
  check_clean("a/b/../c", "a/c");
  check_clean("./", "");
  check_clean("a/..", "");
  check_clean("..", NULL);
  check_clean("a/../../b", NULL);
  check_clean("/../etc", NULL);
  check_clean("...", "...");
  check_clean(".wh..wh..opq", ".wh..wh..opq");
}

TEST(tarsplit_write_read)
{
  int fd = memfd_create("ts", 0);
  berth_error *err = NULL;
  berth_tarsplit_writer *w = berth_tarsplit_writer_new(fd);
  uint64_t crc = 0x1122334455667788ULL;
  CHECK(berth_tarsplit_add_segment(w, "hdr\0x", 5, &err) == 0);
  CHECK(berth_tarsplit_add_file(w, "a\"<b>", 5, 3, &crc, &err) == 0);
  CHECK(berth_tarsplit_add_file(w, "d/", 2, 0, NULL, &err) == 0);
  CHECK(berth_tarsplit_add_file(w, "bad\xff", 4, 0, NULL, &err) == 0);
  CHECK(berth_tarsplit_add_segment(w, "", 0, &err) == 0);
  CHECK(berth_tarsplit_writer_finish(w, &err) == 0);
  berth_tarsplit_writer_free(w);

  /* The JSON lines, as tar-split (Go) writes them. */
  lseek(fd, 0, SEEK_SET);
  gzFile gz = gzdopen(dup(fd), "rb");
  char text[1024] = { 0 };
  CHECK(gzread(gz, text, sizeof(text) - 1) > 0);
  gzclose(gz);
  CHECK_STR(text, "{\"type\":2,\"payload\":\"aGRyAHg=\",\"position\":0}\n"
                  "{\"type\":1,\"name\":\"a\\\"\\u003cb\\u003e\",\"size\":3,"
                  "\"payload\":\"ESIzRFVmd4g=\",\"position\":1}\n"
                  "{\"type\":1,\"name\":\"d/\",\"payload\":null,\"position\":2}\n"
                  "{\"type\":1,\"name_raw\":\"YmFk/w==\",\"payload\":null,\"position\":3}\n"
                  "{\"type\":2,\"payload\":\"\",\"position\":4}\n");

  lseek(fd, 0, SEEK_SET);
  berth_tarsplit_reader *r = berth_tarsplit_reader_new(fd);
  berth_tarsplit_entry e = { 0 };
  CHECK(berth_tarsplit_reader_next(r, &e, &err) == 1);
  CHECK(e.type == 2 && e.payload_len == 5 && memcmp(e.payload, "hdr\0x", 5) == 0);
  CHECK(berth_tarsplit_reader_next(r, &e, &err) == 1);
  CHECK(e.type == 1 && e.size == 3 && e.payload_len == 8 && e.position == 1);
  CHECK_STR(e.name, "a\"<b>");
  CHECK(berth_tarsplit_reader_next(r, &e, &err) == 1);
  CHECK(e.type == 1 && e.size == 0 && e.payload == NULL);
  CHECK(berth_tarsplit_reader_next(r, &e, &err) == 1);
  CHECK_STR(e.name, "bad\xff");
  CHECK(berth_tarsplit_reader_next(r, &e, &err) == 1);
  CHECK(e.type == 2 && e.payload_len == 0);
  CHECK(berth_tarsplit_reader_next(r, &e, &err) == 0);
  berth_tarsplit_entry_clear(&e);
  berth_tarsplit_reader_free(r);
  close(fd);
}

static int
tarsplit_from_text(const char *text, berth_error **err)
{
  int fd = memfd_create("ts", 0);
  gzFile gz = gzdopen(dup(fd), "wb");
  gzwrite(gz, text, (unsigned)strlen(text));
  gzclose(gz);
  lseek(fd, 0, SEEK_SET);
  berth_tarsplit_reader *r = berth_tarsplit_reader_new(fd);
  berth_tarsplit_entry e = { 0 };
  int got;
  while ((got = berth_tarsplit_reader_next(r, &e, err)) > 0)
    ;
  berth_tarsplit_entry_clear(&e);
  berth_tarsplit_reader_free(r);
  close(fd);
  return got;
}

TEST(tarsplit_bad_input)
{
  const char *bad[] = {
    "not json\n",
    "{\"type\":3,\"payload\":null,\"position\":0}\n",
    "{\"type\":2,\"payload\":\"@@@@\",\"position\":0}\n",
    "{\"type\":1,\"name\":\"x\",\"size\":5,\"payload\":null,\"position\":0}\n",
    "{\"type\":1,\"name\":\"x\",\"size\":-1,\"payload\":null,\"position\":0}\n",
    "{\"type\":1,\"name\":\"a\\u0000b\",\"payload\":null,\"position\":0}\n",
    "{\"type\":\"1\",\"payload\":null,\"position\":0}\n",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    cleanup_error berth_error *err = NULL;
    CHECK(tarsplit_from_text(bad[i], &err) == -1);
    CHECK(err != NULL && strncmp(berth_error_message(err), "tar-split: ", 11) == 0);
  }
  cleanup_error berth_error *err = NULL;
  CHECK(tarsplit_from_text("{\"type\":2,\"payload\":\"\",\"position\":0}\n\n", &err) == 0);
}

static ssize_t
decompress_all(struct tarbuf *in, size_t chunk, char *out, size_t cap, berth_error **err)
{
  struct memsrc m = { in->data, in->len, 0, chunk };
  cleanup_decompress berth_decompress *d = berth_decompress_new(memsrc_read, &m);
  size_t used = 0;
  for (;;) {
    ssize_t n = berth_decompress_read(d, out + used, cap - used > 77 ? 77 : cap - used, err);
    if (n <= 0)
      return n < 0 ? -1 : (ssize_t)used;
    used += (size_t)n;
  }
}

TEST(decompress_formats)
{
  char text[5000];
  for (size_t i = 0; i < sizeof(text); i++)
    text[i] = (char)('a' + i % 23);
  struct tarbuf plain = { (unsigned char *)text, sizeof(text), 0 };
  struct tarbuf gz = tb_gzip(&plain), zs = tb_zstd(&plain);
  /* Two gzip members back to back (as pigz or cat a.gz b.gz make). */
  struct tarbuf two = { malloc(gz.len * 2), gz.len * 2, 0 };
  memcpy(two.data, gz.data, gz.len);
  memcpy(two.data + gz.len, gz.data, gz.len);
  static char out[20000];
  berth_error *err = NULL;
  CHECK(decompress_all(&plain, 0, out, sizeof(out), &err) == (ssize_t)sizeof(text));
  CHECK(decompress_all(&gz, 0, out, sizeof(out), &err) == (ssize_t)sizeof(text));
  CHECK(memcmp(out, text, sizeof(text)) == 0);
  CHECK(decompress_all(&zs, 1, out, sizeof(out), &err) == (ssize_t)sizeof(text));
  CHECK(memcmp(out, text, sizeof(text)) == 0);
  CHECK(decompress_all(&two, 3, out, sizeof(out), &err) == (ssize_t)(2 * sizeof(text)));
  CHECK(memcmp(out + sizeof(text), text, sizeof(text)) == 0);
  /* Garbage after the gzip stream. */
  two.data[gz.len] = 'X';
  cleanup_error berth_error *e2 = NULL;
  CHECK(decompress_all(&two, 0, out, sizeof(out), &e2) == -1);
  CHECK_STR(e2 ? berth_error_message(e2) : NULL, "gzip: invalid data after the end of the stream");
  /* A flipped byte in the crc trailer. */
  gz.data[gz.len - 6] ^= 1;
  cleanup_error berth_error *e3 = NULL;
  CHECK(decompress_all(&gz, 0, out, sizeof(out), &e3) == -1);
  CHECK(e3 != NULL && strncmp(berth_error_message(e3), "gzip: ", 6) == 0);
  struct tarbuf xz = { (unsigned char *)"\xfd"
                                        "7zXZ\0\0",
                       7, 0 };
  cleanup_error berth_error *e4 = NULL;
  CHECK(decompress_all(&xz, 0, out, sizeof(out), &e4) == -1);
  CHECK_STR(e4 ? berth_error_message(e4) : NULL, "unsupported layer compression: xz");
  free(two.data);
  free(gz.data);
  free(zs.data);
}

/* Go's splitUSTARPath and PAX record lengths (what Docker's tars hold). */
static bool
split(const char *name, size_t *prefix)
{
  return berth_ustar_split(name, prefix);
}

static char *
rep(char c, size_t n, const char *tail)
{
  char *s = malloc(n + strlen(tail) + 1);
  memset(s, c, n);
  strcpy(s + n, tail);
  return s;
}

TEST(ustar_split)
{
  size_t p = 99;
  CHECK(split("bin/sh", &p) && p == 0);
  cleanup_free char *a100 = rep('a', 100, "");
  CHECK(split(a100, &p) && p == 0);
  cleanup_free char *a101 = rep('a', 101, "");
  CHECK(!split(a101, &p));
  cleanup_free char *f
      = rep('d', 60, "/ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
  CHECK(split(f, &p) && p == 60);
  /* a directory's trailing '/' is not where Go splits: the one before is */
  cleanup_free char *d
      = rep('d', 60, "/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee/");
  CHECK(strlen(d) == 121);
  CHECK(split(d, &p) && p == 60);
  cleanup_free char *root = rep('/', 1,
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  CHECK(!split(root, &p)); /* an empty prefix */
  cleanup_free char *p155 = rep('p', 155, "/nnnnnnnnnn");
  CHECK(split(p155, &p) && p == 155);
  cleanup_free char *p156 = rep('p', 156, "/n");
  CHECK(!split(p156, &p));
  cleanup_free char *long_tail = rep('p', 10, "/");
  cleanup_free char *lt = rep('n', 101, "");
  cleanup_free char *both = malloc(strlen(long_tail) + strlen(lt) + 1);
  strcpy(both, long_tail);
  strcat(both, lt);
  CHECK(!split(both, &p));                      /* the name part over 100 */
  CHECK(!split("caf\xc3\xa9", &p));             /* not ASCII */
  CHECK(berth_pax_record_len("path", 7) == 16); /* "16 path=xxxxxxx\n" */
  CHECK(berth_pax_record_len("x", 0) == 5);     /* "5 x=\n" */
  CHECK(berth_pax_record_len("k", 5) == 11);    /* 9 + 1 digit would be 10: two digits */
}

int
main(void)
{
  RUN(crc64_iso);
  RUN(base64);
  RUN(confine_clean);
  RUN(ustar_split);
  RUN(tarsplit_write_read);
  RUN(tarsplit_bad_input);
  RUN(decompress_formats);
  DONE();
}
