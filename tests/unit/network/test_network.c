/* network/'s pure parts: subnets and pools, -p specs as Docker parses them,
 * ps's PORTS and port's lines as Docker prints them, resolv.conf filtered
 * and hosts written as Docker writes them, and a CNI plugin exec'd through
 * the specification's interface (a fake plugin: a shell script). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "harness.h"
#include "network/cidr.h"
#include "network/cni.h"
#include "network/etc.h"
#include "network/ports.h"

TEST(cidr_parse)
{
  berth_cidr c;
  CHECK(berth_cidr_parse("172.17.0.1/16", true, &c, NULL) == 0);
  cleanup_free char *s = berth_cidr_format(&c);
  CHECK_STR(s, "172.17.0.0/16");
  CHECK(berth_cidr_parse("10.0.0.5/24", false, &c, NULL) == 0);
  cleanup_free char *k = berth_cidr_format(&c);
  CHECK_STR(k, "10.0.0.5/24");
  cleanup_error berth_error *err = NULL;
  CHECK(berth_cidr_parse("foo", true, &c, &err) < 0);
  CHECK_STR(berth_error_message(err), "invalid CIDR address: foo");
  CHECK(berth_cidr_parse("10.0.0.0/33", true, &c, NULL) < 0);
  CHECK(berth_cidr_parse("10.0.0/8", true, &c, NULL) < 0);
  CHECK(berth_cidr_parse("10.0.0.0/", true, &c, NULL) < 0);
}

TEST(cidr_overlap_and_pools)
{
  berth_cidr a, b;
  berth_cidr_parse("172.17.0.0/16", true, &a, NULL);
  berth_cidr_parse("172.17.5.0/24", true, &b, NULL);
  CHECK(berth_cidr_overlap(&a, &b) && berth_cidr_overlap(&b, &a));
  berth_cidr_parse("172.18.0.0/16", true, &b, NULL);
  CHECK(!berth_cidr_overlap(&a, &b));
  size_t n;
  const berth_address_pool *pools = berth_pools_docker_default(&n);
  berth_cidr used[2] = { a, b }, got;
  CHECK(berth_pools_next(pools, n, used, 2, &got) == 0);
  cleanup_free char *s = berth_cidr_format(&got);
  CHECK_STR(s, "172.19.0.0/16");
  /* a pool cut in /24s: the next free one */
  berth_address_pool p = { { 0, 16 }, 24 };
  berth_cidr_parse("10.77.0.0/16", true, &p.base, NULL);
  berth_cidr u;
  berth_cidr_parse("10.77.0.0/24", true, &u, NULL);
  CHECK(berth_pools_next(&p, 1, &u, 1, &got) == 0);
  cleanup_free char *t = berth_cidr_format(&got);
  CHECK_STR(t, "10.77.1.0/24");
}

static char *
parse_err(const char *spec)
{
  berth_port_map *v = NULL;
  size_t n = 0;
  cleanup_error berth_error *err = NULL;
  int r = berth_ports_parse(spec, &v, &n, &err);
  free(v);
  return r < 0 ? xstrdup(berth_error_message(err)) : xstrdup("ok");
}

TEST(ports_parse)
{
  berth_port_map *v = NULL;
  size_t n = 0;
  CHECK(berth_ports_parse("127.0.0.1:8080:80", &v, &n, NULL) == 0 && n == 1);
  CHECK_STR(v[0].host_ip, "127.0.0.1");
  CHECK(v[0].host_port == 8080 && v[0].container_port == 80);
  CHECK_STR(v[0].proto, "tcp");
  CHECK(berth_ports_parse("9000-9001:90-91/UDP", &v, &n, NULL) == 0 && n == 3);
  CHECK(v[1].host_port == 9000 && v[2].host_port == 9001 && v[2].container_port == 91);
  CHECK_STR(v[2].proto, "udp");
  CHECK(berth_ports_parse("7000", &v, &n, NULL) == 0 && n == 4 && v[3].host_port == 0);
  CHECK(berth_ports_parse("[::1]:53:53/udp", &v, &n, NULL) == 0 && n == 5);
  CHECK_STR(v[4].host_ip, "::1");
  CHECK(berth_ports_parse("8000-8010:80", &v, &n, NULL) == 0 && n == 6);
  CHECK(v[5].host_port == 8000 && v[5].host_port_end == 8010);
  free(v);
  /* Docker 20.10's words (tests/integration/data/network/errors.txt) */
  struct {
    const char *spec, *want;
  } bad[] = {
    { "foo", "Invalid containerPort: foo" },
    { "8080:foo", "Invalid containerPort: foo" },
    { "80/xyz", "Invalid proto: xyz" },
    { "1.2.3:80:80", "Invalid ip address: 1.2.3" },
    { "8080-8082:80-81",
      "Invalid ranges specified for container and host Ports: 80-81 and 8080-8082" },
    { "", "No port specified: <empty>" },
    { "80:", "No port specified: 80:<empty>" },
    { "x:80", "Invalid hostPort: x" },
    { "70000", "Invalid containerPort: 70000" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cleanup_free char *got = parse_err(bad[i].spec);
    CHECK_STR(got, bad[i].want);
  }
}

TEST(ports_docker_output)
{
  /* data/network/settings-running.json's Ports, less the IPv6 proxy */
  cleanup_json json_t *ports = json_loads(
      "{\"5000/tcp\":null,\"7000/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"32768\"}],"
      "\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}],"
      "\"90/udp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"9000\"}],"
      "\"91/udp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"9001\"}]}",
      0, NULL);
  cleanup_free char *col = berth_ports_ps_column(ports);
  CHECK_STR(col, "5000/tcp, 127.0.0.1:8080->80/tcp, 0.0.0.0:9000->90/udp, "
                 "0.0.0.0:9001->91/udp, 0.0.0.0:32768->7000/tcp");
  cleanup_strv char **lines = berth_ports_port_lines(ports, NULL);
  CHECK_STR(lines[0], "7000/tcp -> 0.0.0.0:32768");
  CHECK_STR(lines[1], "80/tcp -> 127.0.0.1:8080");
  CHECK_STR(lines[2], "90/udp -> 0.0.0.0:9000");
  CHECK_STR(lines[3], "91/udp -> 0.0.0.0:9001");
  CHECK(lines[4] == NULL);
  cleanup_strv char **one = berth_ports_port_lines(ports, "80/tcp");
  CHECK_STR(one[0], "127.0.0.1:8080");
  CHECK(one[1] == NULL);
  /* ports published on themselves fold into ranges, as Docker folds them */
  cleanup_json json_t *same = json_loads(
      "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"80\"}],"
      "\"81/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"81\"}],\"82/tcp\":null,\"83/tcp\":null}",
      0, NULL);
  cleanup_free char *folded = berth_ports_ps_column(same);
  CHECK_STR(folded, "0.0.0.0:80-81->80-81/tcp, 82-83/tcp");
}

TEST(resolv_filter)
{
  /* Docker 20.10 on the same files (data/network: the resolv.conf tests) */
  cleanup_free char *a
      = berth_etc_resolv_filter("search example.com\nnameserver 127.0.0.53\noptions edns0\n");
  CHECK_STR(a, "search example.com\noptions edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
  cleanup_free char *b = berth_etc_resolv_filter(
      "nameserver 127.0.0.1\nnameserver 10.0.0.2\nnameserver ::1\nnameserver fe80::1\n");
  CHECK_STR(b, "nameserver 10.0.0.2\n");
  cleanup_free char *c = berth_etc_resolv_filter("nameserver 10.255.255.53\n");
  CHECK_STR(c, "nameserver 10.255.255.53\n");
  cleanup_free char *d = berth_etc_resolv_filter("");
  CHECK_STR(d, "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

TEST(hosts)
{
  char *peers[] = { "172.18.0.3\tu2 ee35422fc0e9", NULL };
  cleanup_free char *h = berth_etc_hosts("172.18.0.2", "fbfcbbf159fd", peers);
  CHECK_STR(h, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
               "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
               "ff02::2\tip6-allrouters\n172.18.0.2\tfbfcbbf159fd\n172.18.0.3\tu2 ee35422fc0e9\n");
  cleanup_free char *none = berth_etc_hosts(NULL, "x", NULL);
  CHECK(strstr(none, "\tx\n") == NULL);
}

/* A fake plugin: it records its environment and stdin, answers ADD with a
 * result carrying its prevResult's count + 1, fails "DEL" as the spec's
 * error JSON when told to. */
static char *
fake_plugins(void)
{
  char tmpl[] = "/tmp/berth-cni-XXXXXX";
  char *dir = xstrdup(mkdtemp(tmpl));
  cleanup_free char *p = xasprintf("%s/fake", dir);
  FILE *f = fopen(p, "w");
  fprintf(f,
          "#!/bin/sh\n"
          "in=$(cat)\n"
          "echo \"$CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS $CNI_IFNAME\" >> %s/log\n"
          "echo \"$in\" >> %s/log\n"
          "case \"$in\" in *'\"fail\":true'*) echo '{\"code\":7,\"msg\":\"told to\","
          "\"details\":\"by the test\"}'; exit 1;; esac\n"
          "[ \"$CNI_COMMAND\" = ADD ] && echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":"
          "\"10.0.0.2/24\"}]}'\n"
          "exit 0\n",
          dir, dir);
  fclose(f);
  chmod(p, 0755);
  return dir;
}

TEST(cni_exec)
{
  cleanup_free char *dir = fake_plugins();
  berth_cni_args a = { "cid1", "/run/netns/x", "eth0", dir };
  cleanup_json json_t *list
      = json_loads("{\"cniVersion\":\"1.0.0\",\"name\":\"n1\",\"plugins\":[{\"type\":\"fake\"},"
                   "{\"type\":\"fake\",\"capabilities\":{\"portMappings\":true}}]}",
                   0, NULL);
  cleanup_json json_t *rc
      = json_loads("{\"portMappings\":[{\"hostPort\":1}],\"mac\":\"x\"}", 0, NULL);
  cleanup_json json_t *result = NULL;
  CHECK(berth_cni_list_add(&a, list, rc, &result, NULL) == 0);
  CHECK_STR(json_string_value(
                json_object_get(json_array_get(json_object_get(result, "ips"), 0), "address")),
            "10.0.0.2/24");
  cleanup_free char *logp = xasprintf("%s/log", dir);
  cleanup_free char *log = NULL;
  FILE *f = fopen(logp, "r");
  log = xcalloc(1, 8192);
  size_t got = fread(log, 1, 8191, f);
  fclose(f);
  CHECK(got > 0);
  CHECK(strstr(log, "ADD cid1 /run/netns/x eth0") != NULL);
  /* the list's name and version in each; runtimeConfig only for the
   * plugin that declares the capability; prevResult for the second */
  CHECK(strstr(log, "\"name\":\"n1\"") != NULL);
  CHECK(strstr(log, "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":1}]}") != NULL);
  CHECK(strstr(log, "\"mac\"") == NULL);
  CHECK(strstr(log, "\"prevResult\"") != NULL);
  /* the plugin's error in its words, and the ADD undone by a DEL */
  cleanup_json json_t *failing
      = json_loads("{\"cniVersion\":\"1.0.0\",\"name\":\"n2\",\"plugins\":[{\"type\":\"fake\"},"
                   "{\"type\":\"fake\",\"fail\":true}]}",
                   0, NULL);
  cleanup_error berth_error *err = NULL;
  cleanup_json json_t *r2 = NULL;
  CHECK(berth_cni_list_add(&a, failing, NULL, &r2, &err) < 0);
  CHECK_STR(berth_error_message(err), "network n2: plugin fake (ADD): told to: by the test");
  f = fopen(logp, "r");
  memset(log, 0, 8192);
  got = fread(log, 1, 8191, f);
  fclose(f);
  CHECK(strstr(log, "DEL cid1") != NULL);
  cleanup_error berth_error *missing = NULL;
  cleanup_json json_t *nothing = json_loads("{\"type\":\"nosuch\"}", 0, NULL);
  CHECK(berth_cni_exec(&a, "ADD", nothing, NULL, &missing) < 0);
  CHECK(strstr(berth_error_message(missing), "failed to find plugin \"nosuch\"") != NULL);
  cleanup_json json_t *escape = json_loads("{\"type\":\"../fake\"}", 0, NULL);
  CHECK(berth_cni_exec(&a, "ADD", escape, NULL, NULL) < 0);
  unlink(logp);
  cleanup_free char *pp = xasprintf("%s/fake", dir);
  unlink(pp);
  rmdir(dir);
}

int
main(void)
{
  RUN(cidr_parse);
  RUN(cidr_overlap_and_pools);
  RUN(ports_parse);
  RUN(ports_docker_output);
  RUN(resolv_filter);
  RUN(hosts);
  RUN(cni_exec);
  DONE();
}
