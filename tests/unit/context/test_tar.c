/* A context tar from standard input (context/tar.c): unpacked plainly
 * (".wh." names are files, as Docker's Untar leaves them), every entry
 * confined, a bad stream an error. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "context/tar.h"
#include "harness.h"

/* A tar in memory: entries "name" (a file holding its name), or
 * "name->target" (a symlink). */
static size_t
make_tar(char *buf, size_t cap, const char *const *names)
{
  struct archive *a = archive_write_new();
  archive_write_set_format_gnutar(a);
  size_t used = 0;
  archive_write_open_memory(a, buf, cap, &used);
  for (; *names != NULL; names++) {
    struct archive_entry *e = archive_entry_new();
    const char *arrow = strstr(*names, "->");
    char name[256];
    snprintf(name, sizeof name, "%.*s", arrow ? (int)(arrow - *names) : (int)strlen(*names),
             *names);
    archive_entry_set_pathname(e, name);
    if (arrow) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_perm(e, 0777);
      archive_entry_set_symlink(e, arrow + 2);
      archive_write_header(a, e);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, (la_int64_t)strlen(name));
      archive_write_header(a, e);
      archive_write_data(a, name, strlen(name));
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return used;
}

/* Unpacks names into a fresh dir; returns its fd (*rc the result). */
static int
unpack(const char *const *names, char *dir, int *rc, berth_error **err)
{
  static char buf[1 << 16];
  size_t n = make_tar(buf, sizeof buf, names);
  strcpy(dir, "/tmp/berth-test-ctxtar-XXXXXX");
  if (mkdtemp(dir) == NULL)
    abort();
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int in = memfd_create("rest", MFD_CLOEXEC);
  size_t head = n < 512 ? n : 512;
  if (write(in, buf + head, n - head) != (ssize_t)(n - head))
    abort();
  lseek(in, 0, SEEK_SET);
  CHECK(berth_context_is_archive(buf, head));
  *rc = berth_context_unpack_tar(buf, head, in, dfd, err);
  close(in);
  return dfd;
}

static void
drop(int dfd, const char *dir)
{
  close(dfd);
  berth_rm_rf_at(AT_FDCWD, dir, NULL);
}

TEST(plain)
{
  const char *names[] = { "Dockerfile", ".wh.x", "sub/.wh..wh..opq", "/abs", NULL };
  char dir[64];
  int rc;
  berth_error *err = NULL;
  int dfd = unpack(names, dir, &rc, &err);
  CHECK(rc == 0);
  struct stat st;
  CHECK(fstatat(dfd, ".wh.x", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
  CHECK(fstatat(dfd, "x", &st, AT_SYMLINK_NOFOLLOW) < 0);
  CHECK(fstatat(dfd, "sub/.wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
  CHECK(fstatat(dfd, "abs", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode));
  berth_error_free(err);
  drop(dfd, dir);
}

TEST(confined)
{
  const char *dotdot[] = { "Dockerfile", "../escape", NULL };
  const char *through[] = { "Dockerfile", "l->/tmp", "l/berth-test-ctxtar-escaped", NULL };
  const char *const *cases[] = { dotdot, through };
  for (size_t i = 0; i < 2; i++) {
    char dir[64];
    int rc;
    berth_error *err = NULL;
    int dfd = unpack(cases[i], dir, &rc, &err);
    CHECK(rc < 0);
    CHECK(err != NULL
          && strncmp(berth_error_message(err), "Error processing tar file(exit status 1): ", 42)
                 == 0);
    berth_error_free(err);
    drop(dfd, dir);
  }
  struct stat st;
  CHECK(stat("/tmp/berth-test-ctxtar-escaped", &st) < 0);
}

TEST(corrupt)
{
  char dir[] = "/tmp/berth-test-ctxtar-XXXXXX";
  if (mkdtemp(dir) == NULL)
    abort();
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int in = memfd_create("rest", MFD_CLOEXEC);
  berth_error *err = NULL;
  const char gz[] = "\x1f\x8b\x08\x00garbagegarbagegarbage";
  CHECK(berth_context_unpack_tar(gz, sizeof gz - 1, in, dfd, &err) < 0);
  CHECK(err != NULL && strncmp(berth_error_message(err), "Error processing tar file(", 26) == 0);
  berth_error_free(err);
  close(in);
  drop(dfd, dir);
}

int
main(void)
{
  RUN(plain);
  RUN(confined);
  RUN(corrupt);
  DONE();
}
