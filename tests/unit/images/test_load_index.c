/* load's reading in place (load_index.c): entries found at their offsets
 * behind long-name headers, compressed and unseekable input left to the
 * copy, an entry past the end refused; and the Go encodings load_legacy.c
 * matches. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "harness.h"
#include "images/load_internal.h"

static char path[64];

static void
tar_file(struct archive *a, const char *name, const char *data)
{
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, name);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, (la_int64_t)strlen(data));
  if (archive_write_header(a, e) != ARCHIVE_OK
      || archive_write_data(a, data, strlen(data)) != (la_ssize_t)strlen(data))
    abort();
  archive_entry_free(e);
}

static void
write_tar(int format)
{
  struct archive *a = archive_write_new();
  archive_write_set_format(a, format);
  if (archive_write_open_filename(a, path) != ARCHIVE_OK)
    abort();
  tar_file(a, "a.txt", "first");
  char longname[300];
  memset(longname, 'x', 250);
  strcpy(longname + 250, "/b.txt");
  tar_file(a, longname, "behind a long name");
  tar_file(a, "./d.txt", "cleaned");
  tar_file(a, "c/../e.txt", "a .. in an entry name: dropped, as the copy drops it");
  archive_write_close(a);
  archive_write_free(a);
}

static char *
read_entry(struct archive_copy *c, const char *name)
{
  berth_error *err = NULL;
  const struct entry *e = load_lookup(c, "test", "file", name, &err);
  if (e == NULL) {
    berth_error_free(err);
    return NULL;
  }
  size_t len;
  char *data = load_read_small(c, e, &len, &err);
  berth_error_free(err);
  return data;
}

static void
clear(struct archive_copy *c)
{
  for (size_t i = 0; i < c->n; i++) {
    free(c->entries[i].name);
    free(c->entries[i].target);
  }
  free(c->entries);
  *c = (struct archive_copy){ .input = -1 };
}

static void
check_format(int format)
{
  write_tar(format);
  cleanup_close int fd = open(path, O_RDONLY);
  struct archive_copy c = { .input = -1 };
  berth_error *err = NULL;
  CHECK(load_index_archive(&c, fd, &err) == 1);
  CHECK(c.input == fd);
  cleanup_free char *a = read_entry(&c, "a.txt");
  CHECK_STR(a, "first");
  char longname[300];
  memset(longname, 'x', 250);
  strcpy(longname + 250, "/b.txt");
  cleanup_free char *b = read_entry(&c, longname);
  CHECK_STR(b, "behind a long name");
  cleanup_free char *d = read_entry(&c, "d.txt");
  CHECK_STR(d, "cleaned");
  CHECK(read_entry(&c, "e.txt") == NULL);
  clear(&c);
  berth_error_free(err);
}

TEST(entries_at_their_offsets_pax_and_gnu)
{
  check_format(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  check_format(ARCHIVE_FORMAT_TAR_GNUTAR);
}

TEST(compressed_and_pipes_are_left_to_the_copy)
{
  FILE *f = fopen(path, "w");
  fwrite("\x1f\x8b\x08\x00rest", 1, 8, f);
  fclose(f);
  cleanup_close int fd = open(path, O_RDONLY);
  struct archive_copy c = { .input = -1 };
  berth_error *err = NULL;
  CHECK(load_index_archive(&c, fd, &err) == 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 0); /* nothing consumed */
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(load_index_archive(&c, p[0], &err) == 0);
  CHECK(c.input == -1 && c.n == 0);
  close(p[0]);
  close(p[1]);
  berth_error_free(err);
}

TEST(an_entry_past_the_end_is_a_truncated_archive)
{
  write_tar(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
  CHECK(truncate(path, 512 + 2) == 0); /* a.txt's header, then 2 of its 5 bytes */
  cleanup_close int fd = open(path, O_RDONLY);
  struct archive_copy c = { .input = -1 };
  berth_error *err = NULL;
  CHECK(load_index_archive(&c, fd, &err) == -1);
  CHECK_STR(berth_error_message(err), "read archive: Truncated tar archive");
  clear(&c);
  berth_error_free(err);
}

TEST(go_encodings)
{
  CHECK(load_version_less("", "1.8.3"));
  CHECK(load_version_less("1.6.2", "1.8.3"));
  CHECK(load_version_less("1.8", "1.8.3"));
  CHECK(!load_version_less("1.8.3", "1.8.3"));
  CHECK(!load_version_less("1.9.1", "1.8.3"));
  CHECK(!load_version_less("1.10.0", "1.8.3"));
  cleanup_free char *t1 = load_go_time("2015-11-01T10:00:00.123456700Z");
  CHECK_STR(t1, "2015-11-01T10:00:00.1234567Z");
  cleanup_free char *t2 = load_go_time("2015-11-01T10:00:00.000+00:00");
  CHECK_STR(t2, "2015-11-01T10:00:00Z");
  cleanup_free char *t3 = load_go_time("2015-11-01T10:00:00.5+09:00");
  CHECK_STR(t3, "2015-11-01T10:00:00.5+09:00");
  cleanup_free char *t4 = load_go_time(NULL);
  CHECK_STR(t4, "0001-01-01T00:00:00Z");
  CHECK(load_go_time("yesterday") == NULL);
  cleanup_json json_t *doc = json_loads("{\"z\":1,\"a\":{\"y\":\"<&>\",\"b\":2}}", 0, NULL);
  cleanup_free char *j = load_go_json(doc);
  CHECK_STR(j, "{\"a\":{\"y\":\"\\u003c\\u0026\\u003e\",\"b\":2},\"z\":1}");
}

int
main(void)
{
  snprintf(path, sizeof path, "/tmp/berth-test-load-index-%d.tar", (int)getpid());
  RUN(entries_at_their_offsets_pax_and_gnu);
  RUN(compressed_and_pipes_are_left_to_the_copy);
  RUN(an_entry_past_the_end_is_a_truncated_archive);
  RUN(go_encodings);
  unlink(path);
  DONE();
}
