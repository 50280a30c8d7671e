#include "network/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

int
berth_ipv4_parse(const char *s, uint32_t *out)
{
  struct in_addr a;
  /* inet_pton takes only the dotted quad with four parts, as Go's
   * net.ParseIP does for IPv4 */
  if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
    return -1;
  *out = ntohl(a.s_addr);
  return 0;
}

void
berth_ipv4_format(uint32_t a, char buf[16])
{
  snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

uint32_t
berth_cidr_mask(int prefix)
{
  return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

/* s is user input. */
int
berth_cidr_parse(const char *s, bool network, berth_cidr *out, berth_error **err)
{
  const char *slash = s ? strchr(s, '/') : NULL;
  if (slash == NULL || slash == s || slash[1] == '\0' || strlen(slash + 1) > 2
      || strspn(slash + 1, "0123456789") != strlen(slash + 1))
    return berth_error_set(err, 0, "invalid CIDR address: %s", s ? s : "");
  cleanup_free char *ip = xstrndup(s, (size_t)(slash - s));
  int prefix = atoi(slash + 1);
  uint32_t a;
  if (berth_ipv4_parse(ip, &a) < 0 || prefix > 32)
    return berth_error_set(err, 0, "invalid CIDR address: %s", s);
  out->prefix = prefix;
  out->addr = network ? a & berth_cidr_mask(prefix) : a;
  return 0;
}

char *
berth_cidr_format(const berth_cidr *c)
{
  char ip[16];
  berth_ipv4_format(c->addr, ip);
  return xasprintf("%s/%d", ip, c->prefix);
}

bool
berth_cidr_contains(const berth_cidr *c, uint32_t addr)
{
  uint32_t m = berth_cidr_mask(c->prefix);
  return (addr & m) == (c->addr & m);
}

bool
berth_cidr_overlap(const berth_cidr *a, const berth_cidr *b)
{
  int p = a->prefix < b->prefix ? a->prefix : b->prefix;
  uint32_t m = berth_cidr_mask(p);
  return (a->addr & m) == (b->addr & m);
}

int
berth_pools_next(const berth_address_pool *pools, size_t n_pools, const berth_cidr *used,
                 size_t n_used, berth_cidr *out)
{
  for (size_t p = 0; p < n_pools; p++) {
    const berth_address_pool *pool = &pools[p];
    if (pool->size < pool->base.prefix || pool->size > 32)
      continue;
    uint64_t count = 1ull << (pool->size - pool->base.prefix);
    uint64_t step = 1ull << (32 - pool->size);
    for (uint64_t i = 0; i < count; i++) {
      berth_cidr cand
          = { (uint32_t)((pool->base.addr & berth_cidr_mask(pool->base.prefix)) + i * step),
              pool->size };
      bool taken = false;
      for (size_t u = 0; u < n_used && !taken; u++)
        taken = berth_cidr_overlap(&cand, &used[u]);
      if (!taken) {
        *out = cand;
        return 0;
      }
    }
  }
  return -1;
}

#define POOL16(b)                                                                                  \
  {                                                                                                \
    { (172u << 24) | ((uint32_t)(b) << 16), 16 }, 16                                               \
  }

const berth_address_pool *
berth_pools_docker_default(size_t *n)
{
  /* libnetwork's ipamutils: 172.17.0.0/16 … 172.31.0.0/16 as /16s, then
   * 192.168.0.0/16 as /20s */
  static const berth_address_pool pools[] = {
    POOL16(17), POOL16(18), POOL16(19), POOL16(20),
    POOL16(21), POOL16(22), POOL16(23), POOL16(24),
    POOL16(25), POOL16(26), POOL16(27), POOL16(28),
    POOL16(29), POOL16(30), POOL16(31), { { (192u << 24) | (168u << 16), 16 }, 20 },
  };
  *n = sizeof(pools) / sizeof(pools[0]);
  return pools;
}
