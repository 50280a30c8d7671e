#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "registry/endpoint.h"

TEST(insecure_defaults)
{
  CHECK(berth_endpoint_is_insecure("127.0.0.1:5000", NULL));
  CHECK(berth_endpoint_is_insecure("127.1.2.3", NULL));
  CHECK(berth_endpoint_is_insecure("localhost:5000", NULL));
  CHECK(berth_endpoint_is_insecure("LOCALHOST", NULL));
  CHECK(berth_endpoint_is_insecure("[::1]:5000", NULL));
  CHECK(!berth_endpoint_is_insecure("128.0.0.1:5000", NULL));
  CHECK(!berth_endpoint_is_insecure("[::2]:5000", NULL));
  /* (no host names here: checking one resolves it, and tests stay off DNS) */
}

TEST(insecure_configured)
{
  char *list[] = { "myreg.example:5000", "10.0.0.0/8", "fd00::/8", "bogus/99", "1.2.3.4/x", NULL };
  CHECK(berth_endpoint_is_insecure("myreg.example:5000", list));
  CHECK(berth_endpoint_is_insecure("MyReg.example:5000", list));
  CHECK(!berth_endpoint_is_insecure("myreg.example:5001", list));
  CHECK(berth_endpoint_is_insecure("10.200.3.4:5000", list));
  CHECK(berth_endpoint_is_insecure("10.0.0.1", list));
  CHECK(!berth_endpoint_is_insecure("11.0.0.1:5000", list));
  CHECK(berth_endpoint_is_insecure("[fd12::1]:443", list));
  CHECK(!berth_endpoint_is_insecure("[fe80::1]:443", list));
}

TEST(cidr)
{
  CHECK(berth_endpoint_cidr_contains("192.168.0.0/16", "192.168.255.1"));
  CHECK(!berth_endpoint_cidr_contains("192.168.0.0/16", "192.169.0.1"));
  CHECK(berth_endpoint_cidr_contains("0.0.0.0/0", "8.8.8.8"));
  CHECK(berth_endpoint_cidr_contains("10.1.2.3/32", "10.1.2.3"));
  CHECK(!berth_endpoint_cidr_contains("10.1.2.3/32", "10.1.2.4"));
  CHECK(berth_endpoint_cidr_contains("10.0.0.0/9", "10.127.0.1"));
  CHECK(!berth_endpoint_cidr_contains("10.0.0.0/9", "10.128.0.1"));
  CHECK(!berth_endpoint_cidr_contains("10.0.0.0/33", "10.0.0.1"));
  CHECK(!berth_endpoint_cidr_contains("10.0.0.0/8", "::1"));
  CHECK(!berth_endpoint_cidr_contains("10.0.0.0", "10.0.0.1"));
  CHECK(!berth_endpoint_cidr_contains("10.0.0.0/", "10.0.0.1"));
  CHECK(!berth_endpoint_cidr_contains("10.0.0.0/-1", "10.0.0.1"));
}

TEST(domains)
{
  berth_registry_options o = { .certs_dir = "/certs" };
  berth_endpoint ep;
  cleanup_error berth_error *err = NULL;
  CHECK(berth_endpoint_init(&ep, "docker.io", &o, &err) == 0);
  CHECK_STR(ep.host, "registry-1.docker.io");
  CHECK_STR(ep.creds_key, "https://index.docker.io/v1/");
  CHECK_STR(ep.certs_dir, "/certs/docker.io");
  berth_endpoint_clear(&ep);
  CHECK(berth_endpoint_init(&ep, "127.0.0.1:5000", &o, &err) == 0);
  CHECK_STR(ep.host, "127.0.0.1:5000");
  CHECK_STR(ep.creds_key, "127.0.0.1:5000");
  CHECK_STR(ep.certs_dir, "/certs/127.0.0.1:5000");
  berth_endpoint_clear(&ep);
  CHECK(berth_endpoint_init(&ep, "a b", &o, &err) == -1);
  CHECK(berth_endpoint_init(&ep, "evil/path", &o, &err) == -1);
  CHECK(berth_endpoint_init(&ep, "host@x", &o, &err) == -1);
  CHECK(berth_endpoint_init(&ep, "", &o, &err) == -1);
}

TEST(key_domains)
{
  const char *pairs[][2] = {
    { "https://index.docker.io/v1/", "docker.io" },
    { "index.docker.io", "docker.io" },
    { "docker.io", "docker.io" },
    { "http://127.0.0.1:5000/v2/", "127.0.0.1:5000" },
    { "https://quay.io", "quay.io" },
    { "ghcr.io", "ghcr.io" },
  };
  for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
    cleanup_free char *d = berth_endpoint_key_domain(pairs[i][0]);
    CHECK_STR(d, pairs[i][1]);
  }
}

int
main(void)
{
  RUN(insecure_defaults);
  RUN(insecure_configured);
  RUN(cidr);
  RUN(domains);
  RUN(key_domains);
  DONE();
}
