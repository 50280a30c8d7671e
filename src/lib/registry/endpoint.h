/* Where a registry domain is reached and how: the host to connect to, the
 * config.json key of its credentials, its certs.d directory, and whether it
 * is insecure (TLS verification skipped, plain HTTP allowed). */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "registry/options.h"

typedef struct berth_endpoint {
  char *domain;    /* as given, "docker.io" for the index */
  char *host;      /* "registry-1.docker.io", "127.0.0.1:5000", "[::1]:5000" */
  char *creds_key; /* "https://index.docker.io/v1/" for the index, else domain */
  char *certs_dir; /* <certs_dir>/<domain> */
} berth_endpoint;

/* Validates an untrusted domain ("host[:port]", "[v6]:port") and fills ep.
 * Does no I/O. */
int berth_endpoint_init(berth_endpoint *ep, const char *domain, const berth_registry_options *opts,
                        berth_error **err);
void berth_endpoint_clear(berth_endpoint *ep);

/* The key config.json uses for domain's credentials. */
char *berth_endpoint_creds_key(const char *domain);

/* A config.json key reduced to "host[:port]" (scheme and path dropped, the
 * index's legacy URLs mapped to "docker.io"), to match keys as Docker does. */
char *berth_endpoint_key_domain(const char *key);

/* True for "localhost", for an exact "host:port" match in extra, or for a
 * host whose address lies in 127.0.0.0/8, ::1 or one of extra's CIDRs.  A
 * host name is resolved (getaddrinfo, as Docker does), so call this when
 * connecting, not when merely building objects. */
bool berth_endpoint_is_insecure(const char *hostport, char *const *extra);

/* True when addr ("10.1.2.3", "::1") lies in cidr ("10.0.0.0/8"). */
bool berth_endpoint_cidr_contains(const char *cidr, const char *addr);
