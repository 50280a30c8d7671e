#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "registry/challenge.h"

struct expect {
  const char *header;
  const char *scheme; /* of the challenge checked; NULL = parse must fail */
  const char *realm;
  const char *service;
  const char *scope;
  size_t n_challenges;
};

static const struct expect cases[] = {
  /* Docker Hub, GHCR, quay.io, gcr.io, ECR, distribution (htpasswd, token) */
  { "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
    "scope=\"repository:library/nginx:pull\"",
    "bearer", "https://auth.docker.io/token", "registry.docker.io", "repository:library/nginx:pull",
    1 },
  { "Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:o/i:pull\"",
    "bearer", "https://ghcr.io/token", "ghcr.io", "repository:o/i:pull", 1 },
  { "Bearer realm=\"https://quay.io/v2/auth\",service=\"quay.io\"", "bearer",
    "https://quay.io/v2/auth", "quay.io", NULL, 1 },
  { "Bearer realm=\"https://gcr.io/v2/token\",service=\"gcr.io\","
    "scope=\"repository:google-containers/pause:pull\"",
    "bearer", "https://gcr.io/v2/token", "gcr.io", "repository:google-containers/pause:pull", 1 },
  { "Basic realm=\"https://1234.dkr.ecr.us-east-1.amazonaws.com/\",service=\"ecr.amazonaws.com\"",
    "basic", "https://1234.dkr.ecr.us-east-1.amazonaws.com/", "ecr.amazonaws.com", NULL, 1 },
  { "Basic realm=\"Registry Realm\"", "basic", "Registry Realm", NULL, NULL, 1 },
  { "Bearer realm=\"https://a.example/token\",service=\"registry\",scope=\"repository:x:pull\","
    "error=\"insufficient_scope\"",
    "bearer", "https://a.example/token", "registry", "repository:x:pull", 1 },
  /* several challenges, in one header or joined from several */
  { "Basic realm=\"r1\", Bearer realm=\"r2\",service=\"s2\"", "bearer", "r2", "s2", NULL, 2 },
  { "Negotiate, Bearer realm=\"r\"", "bearer", "r", NULL, NULL, 2 },
  { "Negotiate YIIabc+/==, Basic realm=\"x\"", "basic", "x", NULL, NULL, 2 },
  /* case, white space, escapes, unquoted values, empty values */
  { "BEARER Realm=\"R\", SERVICE=\"S\"", "bearer", "R", "S", NULL, 1 },
  { "Bearer  realm = \"x\" ,  service=\"y\"", "bearer", "x", "y", NULL, 1 },
  { "Bearer realm=\"a\\\"b\\\\c\",service=\"\"", "bearer", "a\"b\\c", "", NULL, 1 },
  { "Bearer realm=https://a.example/t,service=reg", "bearer", "https://a.example/t", "reg", NULL,
    1 },
  { "Bearer realm=\"x\",,service=\"y\",", "bearer", "x", "y", NULL, 1 },
  { "Basic", "basic", NULL, NULL, NULL, 1 },
  { "", NULL, NULL, NULL, NULL, 0 },
  /* malformed */
  { "=foo", NULL, NULL, NULL, NULL, 0 },
  { "Bearer realm=\"unterminated", NULL, NULL, NULL, NULL, 0 },
  { "Bearer realm=\"ends in backslash\\", NULL, NULL, NULL, NULL, 0 },
  { "Bearer realm=\"x\" junk\"", NULL, NULL, NULL, NULL, 0 },
  { "\"Bearer\"", NULL, NULL, NULL, NULL, 0 },
  { "Bearer realm=\"x\",,=y", NULL, NULL, NULL, NULL, 0 },
  { "Bearer@ realm=\"x\"", NULL, NULL, NULL, NULL, 0 },
};

static bool
same(const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

TEST(real_and_malformed_headers)
{
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct expect *e = &cases[i];
    cleanup_error berth_error *err = NULL;
    berth_challenges cs;
    int rc = berth_challenge_parse(e->header, &cs, &err);
    bool want_ok = e->scheme != NULL || e->header[0] == '\0';
    if (!want_ok) {
      CHECK(rc == -1 && err != NULL && berth_error_errno(err) == EPROTO && cs.n == 0);
      if (rc == 0)
        printf("#   case %zu parsed but should not: %s\n", i, e->header);
      continue;
    }
    CHECK(rc == 0);
    if (rc != 0) {
      printf("#   case %zu: %s\n", i, berth_error_message(err));
      continue;
    }
    CHECK(cs.n == e->n_challenges);
    if (e->scheme != NULL) {
      const berth_challenge *c = berth_challenges_find(&cs, e->scheme);
      CHECK(c != NULL);
      if (c != NULL) {
        bool ok = same(berth_challenge_param(c, "realm"), e->realm)
                  && same(berth_challenge_param(c, "service"), e->service)
                  && same(berth_challenge_param(c, "scope"), e->scope);
        CHECK(ok);
        if (!ok)
          printf("#   case %zu: wrong params for %s\n", i, e->header);
      }
    }
    berth_challenges_clear(&cs);
  }
}

TEST(token68_and_lookup)
{
  berth_challenges cs;
  CHECK(berth_challenge_parse("Negotiate YIIabc==", &cs, NULL) == 0);
  CHECK(cs.n == 1);
  CHECK_STR(cs.items[0].scheme, "negotiate");
  CHECK(cs.items[0].n_params == 1);
  CHECK_STR(cs.items[0].params[0].value, "YIIabc==");
  CHECK(berth_challenges_find(&cs, "Bearer") == NULL);
  CHECK(berth_challenge_param(&cs.items[0], "realm") == NULL);
  berth_challenges_clear(&cs);
}

int
main(void)
{
  RUN(real_and_malformed_headers);
  RUN(token68_and_lookup);
  DONE();
}
