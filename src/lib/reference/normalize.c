/* Docker's normalization of familiar names (normalize.go, helpers.go):
 * "ubuntu" is docker.io/library/ubuntu, and back again. */
#include <string.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/xalloc.h"
#include "reference/grammar.h"
#include "reference/internal.h"
#include "reference/reference.h"

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DEFAULT_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"

/* splitDockerDomain: decides whether the first element of name is a
 * registry.  name is outside input; *domain and *remainder are allocated. */
static void
split_docker_domain(const char *name, char **domain, char **remainder)
{
  const char *slash = strchr(name, '/');
  if (slash == NULL) {
    *domain = xstrdup(DEFAULT_DOMAIN);
    *remainder = xasprintf(OFFICIAL_PREFIX "%s", name);
    return;
  }
  size_t n = (size_t)(slash - name);
  cleanup_free char *first = xstrndup(name, n);
  if (strcmp(first, LEGACY_DEFAULT_DOMAIN) == 0) {
    *domain = xstrdup(DEFAULT_DOMAIN);
    *remainder = xstrdup(slash + 1);
  } else if (strcmp(first, "localhost") == 0 || memchr(first, '.', n) != NULL
             || memchr(first, ':', n) != NULL || berth_reference_go_lower_changes(first, n)) {
    *domain = steal_pointer(&first);
    *remainder = xstrdup(slash + 1);
  } else {
    *domain = xstrdup(DEFAULT_DOMAIN);
    *remainder = xstrdup(name);
  }
  if (strcmp(*domain, DEFAULT_DOMAIN) == 0 && strchr(*remainder, '/') == NULL) {
    char *r = xasprintf(OFFICIAL_PREFIX "%s", *remainder);
    free(*remainder);
    *remainder = r;
  }
}

/* s is outside input (a command-line argument, a Dockerfile FROM, …). */
berth_reference *
berth_reference_parse_normalized(const char *s, berth_error **err)
{
  if (berth_reference_match_identifier(s, strlen(s))) {
    berth_error_set(err, 0,
                    "invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s);
    return NULL;
  }
  cleanup_free char *domain = NULL;
  cleanup_free char *remainder = NULL;
  split_docker_domain(s, &domain, &remainder);
  const char *colon = strchr(remainder, ':');
  size_t remote_len = colon != NULL ? (size_t)(colon - remainder) : strlen(remainder);
  /* Upstream now names the repository in this message; Docker 20.10 (the
   * version this project matches) does not. */
  if (berth_reference_go_lower_changes(remainder, remote_len)) {
    berth_error_set(err, 0, "invalid reference format: repository name must be lowercase");
    return NULL;
  }
  cleanup_free char *full = xasprintf("%s/%s", domain, remainder);
  return berth_reference_parse(full, err);
}

/* s is outside input. */
berth_reference *
berth_reference_parse_any(const char *s, berth_error **err)
{
  if (berth_reference_match_identifier(s, strlen(s))) {
    berth_reference *ref = xcalloc(1, sizeof(*ref));
    ref->digest = xasprintf("sha256:%s", s);
    return ref;
  }
  if (berth_digest_is_valid(s)) {
    berth_reference *ref = xcalloc(1, sizeof(*ref));
    ref->digest = xstrdup(s);
    return ref;
  }
  return berth_reference_parse_normalized(s, err);
}

/* s is outside input. */
berth_reference *
berth_reference_parse_named(const char *s, berth_error **err)
{
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(s, err);
  if (ref == NULL)
    return NULL;
  cleanup_free char *str = berth_reference_string(ref);
  if (strcmp(str, s) != 0) {
    berth_error_set(err, 0, "repository name must be canonical");
    return NULL;
  }
  return steal_pointer(&ref);
}

/* s is outside input. */
berth_reference *
berth_reference_parse_docker_ref(const char *s, berth_error **err)
{
  berth_reference *ref = berth_reference_parse_normalized(s, err);
  if (ref == NULL)
    return NULL;
  if (ref->tag != NULL && ref->digest != NULL) {
    free(ref->tag);
    ref->tag = NULL;
  }
  berth_reference_default_tag(ref);
  return ref;
}

/* familiarizeName: drops "docker.io/" and, for official images, "library/". */
static char *
familiar_name(const berth_reference *ref)
{
  if (ref->domain == NULL || strcmp(ref->domain, DEFAULT_DOMAIN) != 0)
    return berth_reference_join_name(ref->domain, ref->path);
  const char *path = ref->path;
  size_t plen = strlen(OFFICIAL_PREFIX);
  if (strncmp(path, OFFICIAL_PREFIX, plen) == 0 && strchr(path + plen, '/') == NULL)
    path += plen;
  return xstrdup(path);
}

char *
berth_reference_familiar_name(const berth_reference *ref)
{
  return familiar_name(ref);
}

char *
berth_reference_familiar_string(const berth_reference *ref)
{
  if (berth_reference_is_digest_only(ref))
    return berth_reference_string(ref);
  cleanup_free char *name = familiar_name(ref);
  return berth_reference_join_string(name, ref->tag, ref->digest);
}

/* s is outside input. */
bool
berth_reference_is_id_prefix(const char *s)
{
  if (strncmp(s, "sha256:", 7) == 0)
    s += 7;
  size_t n = strlen(s);
  if (n == 0 || n > 64)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}
