/* Parsing a reference by the grammar alone (Docker's Parse, WithName,
 * WithTag, WithDigest) and writing it back out. */
#include "reference/reference.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "reference/grammar.h"
#include "reference/internal.h"

#define ERR_INVALID_FORMAT "invalid reference format"
#define ERR_DIGEST_FORMAT "invalid checksum digest format"

static bool
is_lower_hex(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

/* go-digest's DigestRegexpAnchored:
 * [a-z0-9]+([.+_-][a-z0-9]+)* ":" [a-zA-Z0-9=_-]+ */
static bool
is_go_digest_shape(const char *s, size_t n)
{
  const char *colon = memchr(s, ':', n);
  if (colon == NULL)
    return false;
  size_t alg = (size_t)(colon - s);
  bool after_sep = true;
  for (size_t i = 0; i < alg; i++) {
    bool alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
    if (!alnum && (after_sep || strchr(".+_-", s[i]) == NULL))
      return false;
    after_sep = !alnum;
  }
  if (after_sep || alg + 1 == n)
    return false;
  for (size_t i = alg + 1; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '='
          || c == '_' || c == '-'))
      return false;
  }
  return true;
}

/* go-digest's Digest.Validate with only sha256 registered, as upstream's
 * tests run it.  d is outside input of length n. */
static int
validate_digest(const char *d, size_t n, berth_error **err)
{
  const char *colon = memchr(d, ':', n);
  if (colon == NULL || colon == d || (size_t)(colon - d) + 1 == n)
    return berth_error_set(err, 0, ERR_DIGEST_FORMAT);
  size_t alg = (size_t)(colon - d);
  if (alg != 6 || memcmp(d, "sha256", 6) != 0) {
    if (!is_go_digest_shape(d, n))
      return berth_error_set(err, 0, ERR_DIGEST_FORMAT);
    return berth_error_set(err, 0, "unsupported digest algorithm");
  }
  if (n - alg - 1 != 64)
    return berth_error_set(err, 0, "invalid checksum digest length");
  if (!is_lower_hex(colon + 1, 64))
    return berth_error_set(err, 0, ERR_DIGEST_FORMAT);
  return 0;
}

/* Splits a name that already matched the name grammar. */
static berth_reference *
new_from_name(const char *name, size_t n, berth_error **err)
{
  size_t dlen = 0;
  if (!berth_reference_match_name(name, n, &dlen)) {
    berth_error_set(err, 0, ERR_INVALID_FORMAT);
    return NULL;
  }
  size_t off = dlen > 0 ? dlen + 1 : 0;
  if (n - off > BERTH_REFERENCE_PATH_MAX) {
    berth_error_set(err, 0, "repository name must not be more than %d characters",
                    BERTH_REFERENCE_PATH_MAX);
    return NULL;
  }
  berth_reference *ref = xcalloc(1, sizeof(*ref));
  ref->domain = xstrndup(name, dlen);
  ref->path = xstrndup(name + off, n - off);
  return ref;
}

/* s is outside input: any bytes up to its NUL. */
berth_reference *
berth_reference_parse(const char *s, berth_error **err)
{
  size_t n = strlen(s);
  if (n == 0) {
    berth_error_set(err, 0, "repository name must have at least one component");
    return NULL;
  }
  berth_reference_match m;
  if (!berth_reference_match_reference(s, n, &m)) {
    cleanup_free char *lower = berth_reference_go_to_lower(s);
    if (strcmp(lower, s) != 0 && berth_reference_match_reference(lower, strlen(lower), &m))
      berth_error_set(err, 0, "repository name must be lowercase");
    else
      berth_error_set(err, 0, ERR_INVALID_FORMAT);
    return NULL;
  }
  berth_reference *ref = new_from_name(s, m.name_len, err);
  if (ref == NULL)
    return NULL;
  if (m.tag_len > 0)
    ref->tag = xstrndup(s + m.tag_off, m.tag_len);
  if (m.digest_len > 0) {
    if (validate_digest(s + m.digest_off, m.digest_len, err) < 0) {
      berth_reference_free(ref);
      return NULL;
    }
    ref->digest = xstrndup(s + m.digest_off, m.digest_len);
  }
  return ref;
}

/* name is outside input. */
berth_reference *
berth_reference_with_name(const char *name, berth_error **err)
{
  size_t dlen;
  if (!berth_reference_match_name(name, strlen(name), &dlen)) {
    berth_error_set(err, 0, ERR_INVALID_FORMAT);
    return NULL;
  }
  return new_from_name(name, strlen(name), err);
}

/* tag is outside input; ref is a parsed reference. */
berth_reference *
berth_reference_with_tag(const berth_reference *ref, const char *tag, berth_error **err)
{
  if (!berth_reference_match_tag(tag, strlen(tag))) {
    berth_error_set(err, 0, "invalid tag format");
    return NULL;
  }
  berth_reference *r = berth_reference_dup(ref);
  free(r->tag);
  r->tag = xstrdup(tag);
  return r;
}

/* digest is outside input; only its shape is checked, as upstream does. */
berth_reference *
berth_reference_with_digest(const berth_reference *ref, const char *digest, berth_error **err)
{
  if (!berth_reference_match_digest(digest, strlen(digest))) {
    berth_error_set(err, 0, "invalid digest format");
    return NULL;
  }
  berth_reference *r = berth_reference_dup(ref);
  free(r->digest);
  r->digest = xstrdup(digest);
  return r;
}

void
berth_reference_default_tag(berth_reference *ref)
{
  if (ref->tag == NULL && ref->digest == NULL && !berth_reference_is_digest_only(ref))
    ref->tag = xstrdup("latest");
}

bool
berth_reference_is_digest_only(const berth_reference *ref)
{
  return ref->path == NULL;
}

/* Joins an (optional) domain and a path the way Name() does. */
char *
berth_reference_join_name(const char *domain, const char *path)
{
  if (path == NULL)
    return xstrdup("");
  if (domain == NULL || domain[0] == '\0')
    return xstrdup(path);
  return xasprintf("%s/%s", domain, path);
}

/* name + ":tag" + "@digest", each when present. */
char *
berth_reference_join_string(const char *name, const char *tag, const char *digest)
{
  return xasprintf("%s%s%s%s%s", name, tag != NULL ? ":" : "", tag != NULL ? tag : "",
                   digest != NULL ? "@" : "", digest != NULL ? digest : "");
}

char *
berth_reference_name(const berth_reference *ref)
{
  return berth_reference_join_name(ref->domain, ref->path);
}

char *
berth_reference_string(const berth_reference *ref)
{
  if (berth_reference_is_digest_only(ref))
    return xstrdup(ref->digest != NULL ? ref->digest : "");
  cleanup_free char *name = berth_reference_name(ref);
  return berth_reference_join_string(name, ref->tag, ref->digest);
}

static char *
dup_or_null(const char *s)
{
  return s != NULL ? xstrdup(s) : NULL;
}

berth_reference *
berth_reference_dup(const berth_reference *ref)
{
  berth_reference *r = xcalloc(1, sizeof(*r));
  r->domain = dup_or_null(ref->domain);
  r->path = dup_or_null(ref->path);
  r->tag = dup_or_null(ref->tag);
  r->digest = dup_or_null(ref->digest);
  return r;
}

void
berth_reference_free(berth_reference *ref)
{
  if (ref == NULL)
    return;
  free(ref->domain);
  free(ref->path);
  free(ref->tag);
  free(ref->digest);
  free(ref);
}

void
berth_reference_cleanup(berth_reference **ref)
{
  berth_reference_free(*ref);
  *ref = NULL;
}
