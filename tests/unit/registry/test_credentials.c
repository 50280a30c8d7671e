#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "harness.h"
#include "registry/credentials.h"

static char dir[] = "/tmp/berth-creds-XXXXXX";

static json_t *
load(void)
{
  cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/config.json", dir) < 0)
    abort();
  return json_load_file(path, 0, NULL);
}

static void
write_config(const char *text)
{
  cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/config.json", dir) < 0)
    abort();
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

TEST(encode_decode)
{
  cleanup_free char *a = berth_credentials_encode("user", "pa:ss");
  CHECK_STR(a, "dXNlcjpwYTpzcw==");
  cleanup_free char *u = NULL, *p = NULL;
  CHECK(berth_credentials_decode(a, &u, &p) == 0);
  CHECK_STR(u, "user");
  CHECK_STR(p, "pa:ss");
  char *x = NULL, *y = NULL;
  CHECK(berth_credentials_decode("bm9jb2xvbg==", &x, &y) == -1); /* "nocolon" */
  CHECK(berth_credentials_decode("!!!!", &x, &y) == -1);
  CHECK(berth_credentials_decode("abc", &x, &y) == -1);
  CHECK(berth_credentials_decode("", &x, &y) == -1);
  cleanup_free char *e = berth_credentials_encode("", "");
  cleanup_free char *eu = NULL, *ep = NULL;
  CHECK(berth_credentials_decode(e, &eu, &ep) == 0);
  CHECK_STR(eu, "");
  CHECK_STR(ep, "");
}

TEST(store_get_erase)
{
  berth_registry_options o = { .docker_config_dir = dir };
  cleanup_error berth_error *err = NULL;
  char *u = NULL, *p = NULL;
  CHECK(berth_credentials_get(&o, "127.0.0.1:5000", &u, &p, &err) == 0); /* no file */
  write_config("{\"credsStore\":\"\",\"proxies\":{\"default\":{\"httpProxy\":\"x\"}},"
               "\"auths\":{\"other.example\":{\"auth\":\"b3RoZXI6c2VjcmV0\"}}}");
  CHECK(berth_credentials_store(&o, "127.0.0.1:5000", "bob", "s3cret", &err) == 0);
  CHECK(berth_credentials_store(&o, "docker.io", "hub", "hubpw", &err) == 0);
  cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/config.json", dir) < 0)
    abort();
  struct stat st;
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
  cleanup_json json_t *root = load();
  CHECK(json_object_get(root, "proxies") != NULL);
  CHECK(json_object_get(root, "credsStore") != NULL);
  json_t *auths = json_object_get(root, "auths");
  CHECK(json_object_get(auths, "other.example") != NULL);
  CHECK_STR(json_string_value(json_object_get(json_object_get(auths, "127.0.0.1:5000"), "auth")),
            "Ym9iOnMzY3JldA==");
  CHECK(json_object_get(auths, "https://index.docker.io/v1/") != NULL);

  cleanup_free char *u1 = NULL, *p1 = NULL, *u2 = NULL, *p2 = NULL, *u3 = NULL, *p3 = NULL;
  CHECK(berth_credentials_get(&o, "127.0.0.1:5000", &u1, &p1, &err) == 1);
  CHECK_STR(u1, "bob");
  CHECK_STR(p1, "s3cret");
  CHECK(berth_credentials_get(&o, "docker.io", &u2, &p2, &err) == 1);
  CHECK_STR(u2, "hub");
  CHECK(berth_credentials_get(&o, "index.docker.io", &u3, &p3, &err) == 1);
  CHECK(berth_credentials_get(&o, "127.0.0.1:5001", &u, &p, &err) == 0);

  CHECK(berth_credentials_erase(&o, "127.0.0.1:5000", &err) == 0);
  CHECK(berth_credentials_erase(&o, "127.0.0.1:5000", &err) == 1);
  CHECK(berth_credentials_get(&o, "127.0.0.1:5000", &u, &p, &err) == 0);
  cleanup_json json_t *after = load();
  CHECK(json_object_get(json_object_get(after, "auths"), "other.example") != NULL);
  CHECK(json_object_get(after, "proxies") != NULL);
}

TEST(legacy_keys)
{
  berth_registry_options o = { .docker_config_dir = dir };
  cleanup_error berth_error *err = NULL;
  write_config("{\"auths\":{\"http://reg.example:5000/v2/\":{\"auth\":\"YTpi\"},"
               "\"https://index.docker.io/v1/\":{\"username\":\"u\",\"password\":\"p\"}}}");
  cleanup_free char *u = NULL, *p = NULL, *u2 = NULL, *p2 = NULL;
  CHECK(berth_credentials_get(&o, "reg.example:5000", &u, &p, &err) == 1);
  CHECK_STR(u, "a");
  CHECK_STR(p, "b");
  CHECK(berth_credentials_get(&o, "docker.io", &u2, &p2, &err) == 1);
  CHECK_STR(u2, "u");
  /* login replaces the legacy key instead of adding a second one */
  CHECK(berth_credentials_store(&o, "reg.example:5000", "c", "d", &err) == 0);
  cleanup_json json_t *root = load();
  json_t *auths = json_object_get(root, "auths");
  CHECK(json_object_get(auths, "http://reg.example:5000/v2/") == NULL);
  CHECK(json_object_get(auths, "reg.example:5000") != NULL);
}

TEST(bad_files)
{
  berth_registry_options o = { .docker_config_dir = dir };
  char *u = NULL, *p = NULL;
  {
    cleanup_error berth_error *err = NULL;
    write_config("{not json");
    CHECK(berth_credentials_get(&o, "x.example", &u, &p, &err) == -1);
    CHECK(err != NULL && berth_error_errno(err) == EINVAL);
  }
  {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_credentials_store(&o, "x.example", "a", "b", &err) == -1); /* never clobbered */
    cleanup_free char *data = NULL;
    size_t len = 0;
    cleanup_free char *path = NULL;
    if (asprintf(&path, "%s/config.json", dir) < 0)
      abort();
    CHECK(berth_read_file_at(AT_FDCWD, path, &data, &len, NULL) == 0);
    CHECK_STR(data, "{not json");
  }
  {
    cleanup_error berth_error *err = NULL;
    write_config("{\"auths\":{\"x.example\":{\"auth\":\"%%%%\"}}}");
    CHECK(berth_credentials_get(&o, "x.example", &u, &p, &err) == -1);
  }
}

TEST(config_dir_resolution)
{
  berth_registry_options o = { 0 };
  setenv("DOCKER_CONFIG", "/dc", 1);
  cleanup_free char *a = berth_credentials_config_dir(&o);
  CHECK_STR(a, "/dc");
  unsetenv("DOCKER_CONFIG");
  setenv("HOME", "/home/x", 1);
  cleanup_free char *b = berth_credentials_config_dir(&o);
  CHECK_STR(b, "/home/x/.docker");
  o.docker_config_dir = "/given";
  cleanup_free char *c = berth_credentials_config_dir(&o);
  CHECK_STR(c, "/given");
}

TEST(new_dir_created)
{
  cleanup_free char *sub = NULL;
  if (asprintf(&sub, "%s/new/.docker", dir) < 0)
    abort();
  berth_registry_options o = { .docker_config_dir = sub };
  cleanup_error berth_error *err = NULL;
  CHECK(berth_credentials_store(&o, "docker.io", "a", "b", &err) == 0);
  struct stat st;
  CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700);
}

int
main(void)
{
  if (mkdtemp(dir) == NULL)
    return 1;
  RUN(encode_decode);
  RUN(store_get_erase);
  RUN(legacy_keys);
  RUN(bad_files);
  RUN(config_dir_resolution);
  RUN(new_dir_created);
  berth_rm_rf_at(AT_FDCWD, dir, NULL);
  DONE();
}
