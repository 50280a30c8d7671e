/* WWW-Authenticate parsing (RFC 7235): one header value may hold several
 * challenges, each a scheme followed by a token68 or by comma-separated
 * name=value parameters whose values are tokens or quoted strings. */
#pragma once

#include <stddef.h>

#include "common/error.h"

typedef struct berth_auth_param {
  char *name;  /* lowercased; "" for a token68 */
  char *value; /* unquoted, escapes resolved */
} berth_auth_param;

typedef struct berth_challenge {
  char *scheme; /* lowercased: "bearer", "basic", … */
  berth_auth_param *params;
  size_t n_params;
} berth_challenge;

typedef struct berth_challenges {
  berth_challenge *items;
  size_t n;
} berth_challenges;

/* Parses an untrusted header value (several WWW-Authenticate headers are
 * joined with ", " before).  On error *out is left empty. */
int berth_challenge_parse(const char *header, berth_challenges *out, berth_error **err);

/* The first challenge with this scheme (case-insensitive), or NULL. */
const berth_challenge *berth_challenges_find(const berth_challenges *cs, const char *scheme);

/* The value of a parameter (name case-insensitive), or NULL. */
const char *berth_challenge_param(const berth_challenge *c, const char *name);

void berth_challenges_clear(berth_challenges *cs);
