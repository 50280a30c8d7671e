/* IPv4 addresses and subnets as Docker's networks use them: "172.17.0.0/16",
 * a gateway inside it, the pools ("default-address-pools") new networks take
 * their subnets from. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct berth_cidr {
  uint32_t addr; /* host byte order; the network address for a subnet */
  int prefix;    /* 0..32 */
} berth_cidr;

/* "a.b.c.d/n" (user input: anything else is an error in Docker's words,
 * "invalid CIDR address: X"); with network true the host bits are cleared
 * (Docker keeps a subnet by its network address). */
int berth_cidr_parse(const char *s, bool network, berth_cidr *out, berth_error **err);
/* "a.b.c.d" alone; -1 when s is not one. */
int berth_ipv4_parse(const char *s, uint32_t *out);
/* Writes "a.b.c.d" into buf (16 bytes). */
void berth_ipv4_format(uint32_t a, char buf[16]);
/* "a.b.c.d/n", a new string. */
char *berth_cidr_format(const berth_cidr *c);

uint32_t berth_cidr_mask(int prefix);
bool berth_cidr_contains(const berth_cidr *c, uint32_t addr);
bool berth_cidr_overlap(const berth_cidr *a, const berth_cidr *b);

/* A pool of Docker's "default-address-pools": subnets of size bits cut
 * from base. */
typedef struct berth_address_pool {
  berth_cidr base;
  int size;
} berth_address_pool;

/* The first subnet of the pools, in order, that overlaps none of the
 * n_used ones: 0 and *out, or -1 when every one is taken. */
int berth_pools_next(const berth_address_pool *pools, size_t n_pools, const berth_cidr *used,
                     size_t n_used, berth_cidr *out);
/* Docker's defaults when "default-address-pools" is unset: 172.17-31.0.0/16
 * then 192.168.0.0/16 cut in /20s. */
const berth_address_pool *berth_pools_docker_default(size_t *n);
