/* Drives the registry client against real registries started by
 * run_client_live.sh (see there); without them it skips. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/xalloc.h"
#include "harness.h"
#include "registry/client.h"
#include "registry/credentials.h"
#include "registry/curl_api.h"
#include "registry/http.h"

static const char *reg, *tlsreg, *fake, *root, *certs, *tmp;
static const char *manifest_d, *layer_d, *config_d;
static int64_t layer_size, config_size;

struct sink {
  berth_sha256 *hash;
  int64_t n;
  int64_t fail_after; /* -1 = never */
};

static int
sink_fn(void *ctx, const void *data, size_t len, berth_error **err)
{
  struct sink *s = ctx;
  s->n += (int64_t)len;
  berth_sha256_update(s->hash, data, len);
  if (s->fail_after >= 0 && s->n > s->fail_after)
    return berth_error_set(err, ENOSPC, "write layer");
  return 0;
}

/* Fetches a blob into a fresh sink; returns get_blob's result. */
static int
fetch(berth_registry *r, const char *digest, int64_t size, struct sink *s, berth_error **err)
{
  s->hash = berth_sha256_new();
  s->n = 0;
  int rc = berth_registry_get_blob(r, digest, size, sink_fn, s, err);
  return rc;
}

static void
sink_digest(struct sink *s, char out[BERTH_DIGEST_LEN])
{
  berth_sha256_final(s->hash, out);
  berth_sha256_free(s->hash);
  s->hash = NULL;
}

static berth_registry *
open_reg(const char *domain, const char *repo, const berth_registry_options *o)
{
  cleanup_error berth_error *err = NULL;
  berth_registry *r = berth_registry_new(domain, repo, o, &err);
  if (r == NULL)
    printf("# open %s: %s\n", domain, berth_error_message(err));
  return r;
}

TEST(manifest_by_tag_and_digest)
{
  berth_registry_options o = { .docker_config_dir = tmp };
  berth_registry *r = open_reg(reg, "test/img", &o);
  cleanup_error berth_error *err = NULL;
  berth_fetched_manifest m;
  CHECK(berth_registry_get_manifest(r, "1", &m, &err) == 0);
  CHECK_STR(m.digest, manifest_d);
  CHECK_STR(m.content_type, "application/vnd.oci.image.manifest.v1+json");
  CHECK(m.len > 100 && strstr(m.data, layer_d) != NULL);
  berth_fetched_manifest_clear(&m);
  CHECK(berth_registry_get_manifest(r, manifest_d, &m, &err) == 0);
  CHECK_STR(m.digest, manifest_d);
  berth_fetched_manifest_clear(&m);
  berth_registry_free(r);
}

TEST(manifest_errors)
{
  berth_registry_options o = { .docker_config_dir = tmp };
  berth_registry *r = open_reg(reg, "test/img", &o);
  berth_fetched_manifest m;
  {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_registry_get_manifest(r, "nope", &m, &err) == -1);
    CHECK(berth_error_errno(err) == ENOENT);
    CHECK_STR(berth_error_message(err), "manifest unknown: manifest unknown");
  }
  {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_registry_get_manifest(r, "bad tag!", &m, &err) == -1
          && berth_error_errno(err) == EINVAL);
  }
  berth_registry_free(r);
  {
    cleanup_error berth_error *err = NULL;
    berth_registry *r2 = open_reg(reg, "test/missing", &o);
    CHECK(berth_registry_get_manifest(r2, "1", &m, &err) == -1 && berth_error_errno(err) == ENOENT);
    berth_registry_free(r2);
  }
}

TEST(blob_streams_and_verifies)
{
  berth_registry_options o = { .docker_config_dir = tmp };
  berth_registry *r = open_reg(reg, "test/img", &o);
  struct sink s = { .fail_after = -1 };
  char got[BERTH_DIGEST_LEN];
  {
    cleanup_error berth_error *err = NULL;
    CHECK(fetch(r, layer_d, layer_size, &s, &err) == 0);
    sink_digest(&s, got);
    CHECK(s.n == layer_size);
    CHECK_STR(got, layer_d);
  }
  { /* size unknown */
    cleanup_error berth_error *err = NULL;
    CHECK(fetch(r, layer_d, -1, &s, &err) == 0);
    sink_digest(&s, got);
    CHECK(s.n == layer_size);
  }
  { /* the registry has fewer bytes than we were told */
    cleanup_error berth_error *err = NULL;
    CHECK(fetch(r, layer_d, layer_size + 1, &s, &err) == -1);
    sink_digest(&s, got);
    CHECK(err != NULL && berth_error_errno(err) == EPROTO
          && strstr(berth_error_message(err), "truncated") != NULL);
    CHECK(err != NULL && strncmp(berth_error_message(err), "blob sha256:", 12) == 0);
  }
  { /* more bytes than we were told: aborted early */
    cleanup_error berth_error *err = NULL;
    CHECK(fetch(r, layer_d, 10, &s, &err) == -1);
    sink_digest(&s, got);
    CHECK(s.n <= 10 && err != NULL && berth_error_errno(err) == EPROTO);
  }
  { /* the sink refuses */
    cleanup_error berth_error *err = NULL;
    s.fail_after = 1000;
    CHECK(fetch(r, layer_d, layer_size, &s, &err) == -1);
    sink_digest(&s, got);
    s.fail_after = -1;
    CHECK(err != NULL && berth_error_errno(err) == ENOSPC
          && strstr(berth_error_message(err), "write layer") != NULL);
  }
  { /* unknown blob */
    cleanup_error berth_error *err = NULL;
    char d[BERTH_DIGEST_LEN];
    berth_sha256_digest("nothing", 7, d);
    CHECK(fetch(r, d, -1, &s, &err) == -1);
    sink_digest(&s, got);
    CHECK(err != NULL && berth_error_errno(err) == ENOENT && s.n == 0);
    CHECK(err != NULL && strstr(berth_error_message(err), "blob unknown") != NULL);
  }
  berth_registry_free(r);
}

struct job {
  berth_registry *r;
  int ok;
};

static void *
parallel_fetch(void *arg)
{
  struct job *j = arg;
  for (int i = 0; i < 4; i++) {
    struct sink s = { .fail_after = -1 };
    char got[BERTH_DIGEST_LEN];
    berth_error *err = NULL;
    int rc
        = fetch(j->r, (i % 2) ? config_d : layer_d, (i % 2) ? config_size : layer_size, &s, &err);
    sink_digest(&s, got);
    if (rc == 0 && strcmp(got, (i % 2) ? config_d : layer_d) == 0)
      j->ok++;
    berth_error_free(err);
  }
  return NULL;
}

TEST(parallel_blobs_one_object)
{
  berth_registry_options o = { .docker_config_dir = tmp };
  berth_registry *r = open_reg(reg, "test/img", &o);
  pthread_t th[8];
  struct job jobs[8];
  for (int i = 0; i < 8; i++) {
    jobs[i] = (struct job){ .r = r };
    pthread_create(&th[i], NULL, parallel_fetch, &jobs[i]);
  }
  int ok = 0;
  for (int i = 0; i < 8; i++) {
    pthread_join(th[i], NULL);
    ok += jobs[i].ok;
  }
  CHECK(ok == 32);
  berth_registry_free(r);
}

/* Rewrites one byte of a stored blob, keeping its length. */
static void
tamper(const char *digest)
{
  const char *hex = berth_digest_hex(digest);
  cleanup_free char *path
      = xasprintf("%s/docker/registry/v2/blobs/sha256/%.2s/%s/data", root, hex, hex);
  cleanup_close int fd = open(path, O_RDWR);
  char c = 0;
  CHECK(fd >= 0 && pread(fd, &c, 1, 0) == 1);
  c ^= 0x55;
  CHECK(pwrite(fd, &c, 1, 0) == 1);
}

TEST(digest_mismatch)
{
  berth_registry_options o = { .docker_config_dir = tmp };
  berth_registry *r = open_reg(reg, "test/img", &o);
  tamper(config_d);
  cleanup_error berth_error *err = NULL;
  struct sink s = { .fail_after = -1 };
  char got[BERTH_DIGEST_LEN];
  CHECK(fetch(r, config_d, config_size, &s, &err) == -1);
  sink_digest(&s, got);
  CHECK(s.n == config_size); /* the sink saw the bytes, the error comes after */
  cleanup_free char *want = xasprintf("blob %s: digest mismatch: got %s", config_d, got);
  CHECK(err != NULL && berth_error_errno(err) == EPROTO);
  CHECK_STR(err ? berth_error_message(err) : NULL, want);
  berth_registry_free(r);
}

TEST(connection_refused)
{
  berth_registry_options o = { .docker_config_dir = tmp };
  berth_registry *r = open_reg("127.0.0.1:1", "test/img", &o);
  cleanup_error berth_error *err = NULL;
  berth_fetched_manifest m;
  CHECK(berth_registry_get_manifest(r, "1", &m, &err) == -1);
  CHECK(err != NULL && berth_error_errno(err) == ECONNREFUSED);
  CHECK_STR(err ? berth_error_message(err) : NULL,
            "Get \"http://127.0.0.1:1/v2/\": connect: Connection refused");
  berth_registry_free(r);
}

TEST(basic_auth_over_tls)
{
  cleanup_free char *cfg = xasprintf("%s/tlscfg", tmp);
  berth_registry_options o = { .docker_config_dir = cfg, .certs_dir = certs };
  berth_fetched_manifest m;
  struct sink s = { .fail_after = -1 };
  char got[BERTH_DIGEST_LEN];
  { /* no credentials */
    cleanup_error berth_error *err = NULL;
    berth_registry *r = open_reg(tlsreg, "test/img", &o);
    CHECK(berth_registry_get_manifest(r, "1", &m, &err) == -1);
    CHECK(err != NULL && berth_error_errno(err) == EACCES);
    CHECK_STR(err ? berth_error_message(err) : NULL, "unauthorized: authentication required");
    berth_registry_free(r);
  }
  {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_registry_login(tlsreg, "alice", "wrong", &o, &err) == -1);
    CHECK(err != NULL && berth_error_errno(err) == EACCES);
  }
  {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_registry_login(tlsreg, "alice", "wonderland", &o, &err) == 0);
    if (err)
      printf("# login: %s\n", berth_error_message(err));
    CHECK(berth_credentials_store(&o, tlsreg, "alice", "wonderland", &err) == 0);
  }
  {
    cleanup_error berth_error *err = NULL;
    berth_registry *r = open_reg(tlsreg, "test/img", &o);
    CHECK(berth_registry_get_manifest(r, "1", &m, &err) == 0);
    if (err)
      printf("# manifest: %s\n", berth_error_message(err));
    CHECK_STR(m.digest, manifest_d);
    berth_fetched_manifest_clear(&m);
    CHECK(fetch(r, layer_d, layer_size, &s, &err) == 0);
    sink_digest(&s, got);
    CHECK_STR(got, layer_d);
    berth_registry_free(r);
  }
}

TEST(token_auth)
{
  cleanup_free char *cfg = xasprintf("%s/fakecfg", tmp);
  berth_registry_options o = { .docker_config_dir = cfg };
  berth_fetched_manifest m;
  struct sink s = { .fail_after = -1 };
  char got[BERTH_DIGEST_LEN];
  {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_registry_login(fake, "u", "bad", &o, &err) == -1);
    CHECK(err != NULL && berth_error_errno(err) == EACCES);
    CHECK_STR(err ? berth_error_message(err) : NULL,
              "unauthorized: incorrect username or password");
  }
  {
    cleanup_error berth_error *err = NULL;
    berth_registry *r = open_reg(fake, "t/img", &o); /* anonymous: refused */
    CHECK(berth_registry_get_manifest(r, "ok", &m, &err) == -1 && berth_error_errno(err) == EACCES);
    berth_registry_free(r);
  }
  cleanup_error berth_error *err = NULL;
  CHECK(berth_credentials_store(&o, fake, "u", "p", &err) == 0);
  berth_registry *r = open_reg(fake, "t/img", &o);
  CHECK(berth_registry_get_manifest(r, "ok", &m, &err) == 0);
  berth_fetched_manifest_clear(&m);
  CHECK(berth_registry_get_manifest(r, "rotate", &m, &err) == 0); /* re-authenticates */
  berth_fetched_manifest_clear(&m);
  if (err)
    printf("# %s\n", berth_error_message(err));
  {
    cleanup_error berth_error *e = NULL;
    CHECK(berth_registry_get_manifest(r, "badcd", &m, &e) == -1 && berth_error_errno(e) == EPROTO);
    CHECK(e != NULL && strstr(berth_error_message(e), "digest mismatch") != NULL);
  }
  {
    cleanup_error berth_error *e = NULL;
    CHECK(berth_registry_get_manifest(r, "big", &m, &e) == -1 && berth_error_errno(e) == EPROTO);
  }
  { /* redirected blob */
    cleanup_error berth_error *e = NULL;
    char d[BERTH_DIGEST_LEN];
    berth_sha256_digest("hello blob", 10, d);
    CHECK(fetch(r, d, 10, &s, &e) == 0);
    sink_digest(&s, got);
    CHECK_STR(got, d);
  }
  { /* the server closes early */
    cleanup_error berth_error *e = NULL;
    char d[BERTH_DIGEST_LEN];
    berth_sha256_digest("truncated", 9, d);
    CHECK(fetch(r, d, -1, &s, &e) == -1);
    sink_digest(&s, got);
    CHECK(e != NULL && berth_error_errno(e) == EPROTO);
    if (e)
      printf("# truncated: %s\n", berth_error_message(e));
  }
  berth_registry_free(r);
}

/* The transport verifies the TLS registry with the CA from its certs.d
 * directory, and refuses it without (the client skips verification for
 * loopback registries, so this checks the layer below). */
TEST(tls_verification)
{
  cleanup_free char *dir = xasprintf("%s/%s", certs, tlsreg);
  cleanup_free char *url = xasprintf("https://%s/v2/", tlsreg);
  cleanup_free char *noproxy = berth_http_noproxy(); /* the script sets a dead proxy */
  CHECK(berth_curl_load(NULL) != NULL);
  CURL *c = berth_http_handle_new();
  berth_http_tls tls = { 0 };
  berth_http_response resp;
  {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_http_tls_load(&tls, dir, &err) == 0 && tls.ca_pem != NULL);
    tls.verify = true;
    berth_http_request req = { .url = url, .tls = &tls, .noproxy = noproxy };
    CHECK(berth_http_get(c, &req, &resp, &err) == 0 && resp.status == 401);
    if (err)
      printf("# with CA: %s\n", berth_error_message(err));
    CHECK(resp.www_authenticate != NULL && strstr(resp.www_authenticate, "Basic") != NULL);
    berth_http_response_clear(&resp);
  }
  {
    cleanup_error berth_error *err = NULL;
    berth_http_tls none = { .verify = true };
    berth_http_request req = { .url = url, .tls = &none, .noproxy = noproxy };
    CHECK(berth_http_get(c, &req, &resp, &err) == -1);
    CHECK(err != NULL && berth_error_errno(err) == EPROTO && resp.transport_error);
    if (err)
      printf("# without CA: %s\n", berth_error_message(err));
    berth_http_response_clear(&resp);
  }
  berth_http_tls_clear(&tls);
  berth_curl()->easy_cleanup(c);
}

int
main(void)
{
  reg = getenv("BERTH_TEST_REG");
  if (reg == NULL) {
    printf("1..0 # SKIP run through run_client_live.sh\n");
    return 0;
  }
  tlsreg = getenv("BERTH_TEST_TLSREG");
  fake = getenv("BERTH_TEST_FAKE");
  root = getenv("BERTH_TEST_ROOT");
  certs = getenv("BERTH_TEST_CERTS");
  tmp = getenv("BERTH_TEST_TMP");
  manifest_d = getenv("BERTH_TEST_MANIFEST");
  layer_d = getenv("BERTH_TEST_LAYER");
  config_d = getenv("BERTH_TEST_CONFIG");
  layer_size = atoll(getenv("BERTH_TEST_LAYER_SIZE"));
  config_size = atoll(getenv("BERTH_TEST_CONFIG_SIZE"));
  RUN(manifest_by_tag_and_digest);
  RUN(manifest_errors);
  RUN(blob_streams_and_verifies);
  RUN(parallel_blobs_one_object);
  RUN(digest_mismatch);
  RUN(connection_refused);
  RUN(basic_auth_over_tls);
  RUN(token_auth);
  RUN(tls_verification);
  DONE();
}
