#include "registry/challenge.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xalloc.h"
#include "registry/errors.h"

/* RFC 7230 tchar. */
static bool
is_tchar(unsigned char c)
{
  return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 7235 token68 characters (without the trailing '=' padding). */
static bool
is_token68_char(unsigned char c)
{
  return isalnum(c) || (c != 0 && strchr("-._~+/", c) != NULL);
}

static const char *
skip_ows(const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

static const char *
skip_token(const char *p)
{
  while (is_tchar((unsigned char)*p))
    p++;
  return p;
}

static char *
lower_dup(const char *s, size_t n)
{
  char *r = xstrndup(s, n);
  for (char *c = r; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  return r;
}

static void
add_param(berth_challenge *c, char *name, char *value)
{
  c->params = xrealloc(c->params, (c->n_params + 1) * sizeof(*c->params));
  c->params[c->n_params].name = name;
  c->params[c->n_params].value = value;
  c->n_params++;
}

/* Reads a quoted-string starting at the opening quote; *end is set past the
 * closing quote.  Returns NULL when the string is not closed. */
static char *
parse_quoted(const char *p, const char **end)
{
  size_t cap = strlen(p) + 1, n = 0;
  char *out = xmalloc(cap);
  for (p++; *p != '"'; p++) {
    if (*p == '\0' || (*p == '\\' && p[1] == '\0')) {
      free(out);
      return NULL;
    }
    if (*p == '\\')
      p++;
    out[n++] = *p;
  }
  out[n] = '\0';
  *end = p + 1;
  return out;
}

/* A parameter value: a quoted-string, or (leniently) anything up to the
 * next comma or white space, as some servers send unquoted URLs. */
static char *
parse_value(const char *p, const char **end)
{
  if (*p == '"')
    return parse_quoted(p, end);
  const char *s = p;
  while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
    p++;
  *end = p;
  return xstrndup(s, (size_t)(p - s));
}

/* Tries a token68 at p: token68 chars, '=' padding, then only OWS before a
 * comma or the end. */
static const char *
match_token68(const char *p)
{
  const char *q = p;
  while (is_token68_char((unsigned char)*q))
    q++;
  if (q == p)
    return NULL;
  while (*q == '=')
    q++;
  const char *r = skip_ows(q);
  return (*r == '\0' || *r == ',') ? q : NULL;
}

/* Parses the parameters of one challenge starting just after its scheme.
 * Returns the position of the next challenge's scheme (or the end), NULL on
 * a syntax error. */
static const char *
parse_params(const char *p, berth_challenge *c)
{
  bool first = true;
  for (;;) {
    p = skip_ows(p);
    if (!first) {
      if (*p != ',')
        return *p == '\0' ? p : NULL;
      while (*p == ',' || *p == ' ' || *p == '\t')
        p++;
    }
    if (*p == '\0')
      return p;
    const char *name_end = skip_token(p);
    const char *eq = skip_ows(name_end);
    if (name_end > p && *eq == '=' && eq[1] != '=') {
      const char *v = skip_ows(eq + 1), *vend = NULL;
      char *value = parse_value(v, &vend);
      if (value == NULL)
        return NULL;
      add_param(c, lower_dup(p, (size_t)(name_end - p)), value);
      p = vend;
    } else if (first && match_token68(p) != NULL) {
      const char *end = match_token68(p);
      add_param(c, xstrdup(""), xstrndup(p, (size_t)(end - p)));
      p = end;
    } else if (!first && name_end > p) {
      return p; /* a new challenge's scheme */
    } else {
      return NULL;
    }
    first = false;
  }
}

static void
challenge_clear(berth_challenge *c)
{
  for (size_t i = 0; i < c->n_params; i++) {
    free(c->params[i].name);
    free(c->params[i].value);
  }
  free(c->params);
  free(c->scheme);
}

void
berth_challenges_clear(berth_challenges *cs)
{
  for (size_t i = 0; i < cs->n; i++)
    challenge_clear(&cs->items[i]);
  free(cs->items);
  cs->items = NULL;
  cs->n = 0;
}

/* Trusts nothing in header: any byte sequence yields a list or an error. */
int
berth_challenge_parse(const char *header, berth_challenges *out, berth_error **err)
{
  out->items = NULL;
  out->n = 0;
  const char *p = header;
  for (;;) {
    while (*p == ',' || *p == ' ' || *p == '\t')
      p++;
    if (*p == '\0')
      break;
    const char *end = skip_token(p);
    if (end == p || (*end != '\0' && *end != ' ' && *end != '\t' && *end != ',')) {
      int off = (int)(p - header);
      berth_challenges_clear(out);
      return berth_registry_error_set(err, EPROTO, "malformed WWW-Authenticate header at offset %d",
                                      off);
    }
    out->items = xrealloc(out->items, (out->n + 1) * sizeof(*out->items));
    berth_challenge *c = &out->items[out->n++];
    memset(c, 0, sizeof(*c));
    c->scheme = lower_dup(p, (size_t)(end - p));
    p = (*end == ',') ? end : parse_params(end, c);
    if (p == NULL) {
      berth_challenges_clear(out);
      return berth_registry_error_set(err, EPROTO, "malformed WWW-Authenticate header");
    }
  }
  return 0;
}

const berth_challenge *
berth_challenges_find(const berth_challenges *cs, const char *scheme)
{
  for (size_t i = 0; i < cs->n; i++)
    if (strcasecmp(cs->items[i].scheme, scheme) == 0)
      return &cs->items[i];
  return NULL;
}

const char *
berth_challenge_param(const berth_challenge *c, const char *name)
{
  for (size_t i = 0; i < c->n_params; i++)
    if (strcasecmp(c->params[i].name, name) == 0)
      return c->params[i].value;
  return NULL;
}
