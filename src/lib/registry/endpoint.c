#include "registry/endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "registry/errors.h"

#define INDEX_KEY "https://index.docker.io/v1/"

static bool
is_index(const char *domain)
{
  return strcmp(domain, "docker.io") == 0 || strcmp(domain, "index.docker.io") == 0
         || strcmp(domain, "registry-1.docker.io") == 0;
}

/* Letters, digits, '.', '-', '_' and ':' plus one bracketed IPv6 literal:
 * enough for every domain the reference grammar accepts, and nothing that
 * could change the meaning of a URL. */
static bool
domain_is_valid(const char *d)
{
  size_t n = strlen(d);
  if (n == 0 || n > 255)
    return false;
  for (const char *c = d; *c; c++)
    if (!isalnum((unsigned char)*c) && strchr(".-_:[]", *c) == NULL)
      return false;
  return d[0] != ':' && d[0] != '.' && d[0] != '-';
}

static const char *
certs_root(const berth_registry_options *opts)
{
  if (opts != NULL && opts->certs_dir != NULL)
    return opts->certs_dir;
  const char *env = getenv("BERTH_CERTS_D");
  return env != NULL && *env != '\0' ? env : "/etc/docker/certs.d";
}

char *
berth_endpoint_creds_key(const char *domain)
{
  return xstrdup(is_index(domain) ? INDEX_KEY : domain);
}

/* Trusts nothing in key: it comes from config.json. */
char *
berth_endpoint_key_domain(const char *key)
{
  const char *p = key;
  if (strncasecmp(p, "https://", 8) == 0)
    p += 8;
  else if (strncasecmp(p, "http://", 7) == 0)
    p += 7;
  cleanup_free char *host = xstrndup(p, strcspn(p, "/"));
  if (is_index(host))
    return xstrdup("docker.io");
  return steal_pointer(&host);
}

int
berth_endpoint_init(berth_endpoint *ep, const char *domain, const berth_registry_options *opts,
                    berth_error **err)
{
  memset(ep, 0, sizeof(*ep));
  if (domain == NULL || !domain_is_valid(domain))
    return berth_registry_error_set(err, EINVAL, "invalid registry domain \"%s\"",
                                    domain ? domain : "");
  ep->domain = xstrdup(domain);
  ep->host = xstrdup(is_index(domain) ? "registry-1.docker.io" : domain);
  ep->creds_key = berth_endpoint_creds_key(domain);
  ep->certs_dir = xasprintf("%s/%s", certs_root(opts), is_index(domain) ? "docker.io" : domain);
  return 0;
}

void
berth_endpoint_clear(berth_endpoint *ep)
{
  free(ep->domain);
  free(ep->host);
  free(ep->creds_key);
  free(ep->certs_dir);
  memset(ep, 0, sizeof(*ep));
}

/* Splits "host:port" / "[v6]:port" / "host" into the bare host. */
static char *
host_part(const char *hostport)
{
  if (hostport[0] == '[') {
    const char *close = strchr(hostport, ']');
    return close ? xstrndup(hostport + 1, (size_t)(close - hostport - 1)) : xstrdup(hostport);
  }
  const char *colon = strchr(hostport, ':');
  if (colon != NULL && strchr(colon + 1, ':') != NULL)
    return xstrdup(hostport); /* a bare IPv6 address */
  return colon ? xstrndup(hostport, (size_t)(colon - hostport)) : xstrdup(hostport);
}

/* Parses an IPv4 or IPv6 literal into 16 bytes; *bits is 32 or 128. */
static bool
parse_addr(const char *s, unsigned char out[16], int *bits)
{
  memset(out, 0, 16);
  if (inet_pton(AF_INET, s, out) == 1) {
    *bits = 32;
    return true;
  }
  if (inet_pton(AF_INET6, s, out) == 1) {
    *bits = 128;
    return true;
  }
  return false;
}

bool
berth_endpoint_cidr_contains(const char *cidr, const char *addr)
{
  const char *slash = strchr(cidr, '/');
  if (slash == NULL)
    return false;
  cleanup_free char *net_s = xstrndup(cidr, (size_t)(slash - cidr));
  char *end = NULL;
  long prefix = strtol(slash + 1, &end, 10);
  unsigned char net[16], a[16];
  int nbits = 0, abits = 0;
  if (end == slash + 1 || *end != '\0' || !parse_addr(net_s, net, &nbits)
      || !parse_addr(addr, a, &abits) || nbits != abits || prefix < 0 || prefix > nbits)
    return false;
  for (long i = 0; i < prefix; i++) {
    unsigned char mask = (unsigned char)(0x80 >> (i % 8));
    if ((net[i / 8] & mask) != (a[i / 8] & mask))
      return false;
  }
  return true;
}

static bool
addr_matches(const char *addr, char *const *extra)
{
  if (berth_endpoint_cidr_contains("127.0.0.0/8", addr)
      || berth_endpoint_cidr_contains("::1/128", addr))
    return true;
  for (char *const *e = extra; e != NULL && *e != NULL; e++)
    if (berth_endpoint_cidr_contains(*e, addr))
      return true;
  return false;
}

/* Resolves a host name and checks every address it has. */
static bool
resolved_matches(const char *host, char *const *extra)
{
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
  if (getaddrinfo(host, NULL, &hints, &res) != 0)
    return false;
  bool found = false;
  for (struct addrinfo *ai = res; ai != NULL && !found; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN];
    const void *src = ai->ai_family == AF_INET
                          ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                          : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
    if (inet_ntop(ai->ai_family, src, buf, sizeof(buf)) != NULL)
      found = addr_matches(buf, extra);
  }
  freeaddrinfo(res);
  return found;
}

/* Trusts nothing in hostport or extra (configuration); a malformed entry
 * simply matches nothing. */
bool
berth_endpoint_is_insecure(const char *hostport, char *const *extra)
{
  cleanup_free char *host = host_part(hostport);
  if (strcasecmp(host, "localhost") == 0)
    return true;
  for (char *const *e = extra; e != NULL && *e != NULL; e++)
    if (strcasecmp(*e, hostport) == 0)
      return true;
  unsigned char a[16];
  int bits = 0;
  if (parse_addr(host, a, &bits))
    return addr_matches(host, extra);
  return resolved_matches(host, extra); /* as Docker: a name for a loopback address counts */
}
