/* Fuzzes the reference parser: whatever parses must print back to a string
 * that parses to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "reference/reference.h"

static int
str_eq(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp(a, b) == 0;
}

static void
check_same(const berth_reference *a, const berth_reference *b)
{
  if (!str_eq(a->domain, b->domain) || !str_eq(a->path, b->path) || !str_eq(a->tag, b->tag)
      || !str_eq(a->digest, b->digest))
    abort();
}

/* parse(s) then parse(string(ref)) must give ref again. */
static void
round_trip(berth_reference *(*parse)(const char *, berth_error **), const char *s)
{
  cleanup_error berth_error *err = NULL;
  cleanup_reference berth_reference *ref = parse(s, &err);
  if (ref == NULL) {
    if (err == NULL || berth_error_message(err) == NULL || berth_error_message(err)[0] == '\0')
      abort();
    return;
  }
  cleanup_free char *str = berth_reference_string(ref);
  cleanup_reference berth_reference *again = parse(str, &err);
  if (again == NULL)
    abort();
  check_same(ref, again);
  if (berth_reference_is_digest_only(ref))
    return;
  /* The familiar string is not checked: as upstream, "docker.io/a.b/c" is
   * familiar "a.b/c", which normalizes to registry a.b. */
  cleanup_free char *familiar = berth_reference_familiar_string(ref);
  if (familiar == NULL)
    abort();
  berth_error_cleanup(&err);
  berth_reference_familiar_match("*/*", ref, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  cleanup_free char *s = xstrndup((const char *)data, size); /* stops at a NUL */
  round_trip(berth_reference_parse_normalized, s);
  round_trip(berth_reference_parse, s);
  round_trip(berth_reference_parse_any, s);
  cleanup_error berth_error *err = NULL;
  cleanup_reference berth_reference *ref = berth_reference_parse_any("busybox", &err);
  if (ref == NULL || berth_reference_familiar_match(s, ref, &err) > 1)
    abort();
  (void)berth_reference_is_id_prefix(s);
  return 0;
}
