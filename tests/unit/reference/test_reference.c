/* The cases of distribution/reference's reference_test.go and
 * normalize_test.go (see cases_*.h), plus berth's own. */
#include <stdbool.h>
#include <string.h>

#include "cases_normalize.h"
#include "cases_reference.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "harness.h"
#include "reference/reference.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *
or_empty(const char *s)
{
  return s != NULL ? s : "";
}

/* Checks a parse that must fail with exactly the message want. */
static void
check_fails(berth_reference *(*parse)(const char *, berth_error **), const char *input,
            const char *want)
{
  cleanup_error berth_error *err = NULL;
  cleanup_reference berth_reference *ref = parse(input, &err);
  if (ref != NULL || err == NULL) {
    printf("#   %s: parsed, expected error \"%s\"\n", input, want ? want : "(any)");
    berth_t.failed_here++;
    return;
  }
  if (want != NULL)
    CHECK_STR(berth_error_message(err), want);
}

/* Parses input that must be valid (printing the error when not). */
static berth_reference *
must_parse(berth_reference *(*parse)(const char *, berth_error **), const char *input)
{
  cleanup_error berth_error *err = NULL;
  berth_reference *ref = parse(input, &err);
  if (ref == NULL) {
    printf("#   %s: unexpected error: %s\n", input, err ? berth_error_message(err) : "(none)");
    berth_t.failed_here++;
  }
  return ref;
}

TEST(reference_parse)
{
  for (size_t i = 0; i < N(reference_parse_cases); i++) {
    const struct parse_case *tc = &reference_parse_cases[i];
    if (tc->err != NULL) {
      check_fails(berth_reference_parse, tc->input, tc->err);
      continue;
    }
    cleanup_reference berth_reference *ref = must_parse(berth_reference_parse, tc->input);
    if (ref == NULL)
      continue;
    cleanup_free char *str = berth_reference_string(ref);
    cleanup_free char *name = berth_reference_name(ref);
    CHECK_STR(str, tc->input);
    CHECK_STR(name, tc->repository);
    CHECK_STR(ref->domain, tc->domain);
    CHECK_STR(or_empty(ref->tag), or_empty(tc->tag));
    CHECK((ref->tag == NULL) == (tc->tag == NULL));
    CHECK_STR(or_empty(ref->digest), or_empty(tc->digest));
    CHECK((ref->digest == NULL) == (tc->digest == NULL));
  }
}

TEST(with_name_failure)
{
  for (size_t i = 0; i < N(with_name_failure_cases); i++)
    check_fails(berth_reference_with_name, with_name_failure_cases[i].input,
                with_name_failure_cases[i].err);
}

TEST(domain_and_path)
{
  for (size_t i = 0; i < N(domain_and_path_cases); i++) {
    const struct split_case *tc = &domain_and_path_cases[i];
    cleanup_reference berth_reference *ref = must_parse(berth_reference_with_name, tc->input);
    if (ref == NULL)
      continue;
    CHECK_STR(ref->domain, tc->domain);
    CHECK_STR(ref->path, tc->path);
  }
}

static void
check_combine(const struct combine_case *tc, bool tag_last)
{
  cleanup_error berth_error *err = NULL;
  cleanup_reference berth_reference *ref = berth_reference_with_name(tc->name, &err);
  CHECK(ref != NULL);
  if (ref == NULL)
    return;
  const char *first = tag_last ? tc->digest : tc->tag;
  if (first != NULL) {
    berth_reference *r = tag_last ? berth_reference_with_digest(ref, first, &err)
                                  : berth_reference_with_tag(ref, first, &err);
    CHECK(r != NULL);
    if (r == NULL)
      return;
    berth_reference_free(ref);
    ref = r;
  }
  cleanup_reference berth_reference *last
      = tag_last ? berth_reference_with_tag(ref, tc->tag, &err)
                 : berth_reference_with_digest(ref, tc->digest, &err);
  CHECK(last != NULL);
  if (last == NULL)
    return;
  cleanup_free char *str = berth_reference_string(last);
  CHECK_STR(str, tc->combined);
}

TEST(with_tag)
{
  for (size_t i = 0; i < N(with_tag_cases); i++)
    check_combine(&with_tag_cases[i], true);
}

TEST(with_digest)
{
  for (size_t i = 0; i < N(with_digest_cases); i++)
    check_combine(&with_digest_cases[i], false);
}

TEST(parse_named)
{
  for (size_t i = 0; i < N(parse_named_cases); i++) {
    const struct named_case *tc = &parse_named_cases[i];
    if (tc->err != NULL) {
      check_fails(berth_reference_parse_named, tc->input, tc->err);
      continue;
    }
    cleanup_reference berth_reference *ref = must_parse(berth_reference_parse_named, tc->input);
    if (ref == NULL)
      continue;
    CHECK_STR(ref->domain, tc->domain);
    CHECK_STR(ref->path, tc->path);
  }
}

TEST(serialization)
{
  for (size_t i = 0; i < N(serialization_cases); i++) {
    const struct serial_case *tc = &serialization_cases[i];
    if (tc->err != NULL) {
      check_fails(berth_reference_parse, tc->input, tc->err);
      continue;
    }
    cleanup_reference berth_reference *ref = must_parse(berth_reference_parse, tc->input);
    if (ref == NULL)
      continue;
    cleanup_free char *name = berth_reference_name(ref);
    cleanup_free char *str = berth_reference_string(ref);
    CHECK_STR(name, tc->name);
    CHECK_STR(or_empty(ref->tag), or_empty(tc->tag));
    CHECK_STR(or_empty(ref->digest), or_empty(tc->digest));
    CHECK_STR(str, tc->input);
  }
}

TEST(validate_reference_name)
{
  for (size_t i = 0; i < N(valid_repo_names); i++)
    berth_reference_free(must_parse(berth_reference_parse_normalized, valid_repo_names[i]));
  for (size_t i = 0; i < N(invalid_repo_names); i++)
    check_fails(berth_reference_parse_normalized, invalid_repo_names[i], NULL);
}

TEST(validate_remote_name)
{
  for (size_t i = 0; i < N(valid_remote_names); i++)
    berth_reference_free(must_parse(berth_reference_parse_normalized, valid_remote_names[i]));
  for (size_t i = 0; i < N(invalid_remote_names); i++)
    check_fails(berth_reference_parse_normalized, invalid_remote_names[i], NULL);
}

static void
check_repo_info(const struct repo_info_case *tc, const char *input)
{
  cleanup_reference berth_reference *ref = must_parse(berth_reference_parse_normalized, input);
  if (ref == NULL)
    return;
  cleanup_free char *familiar = berth_reference_familiar_name(ref);
  cleanup_free char *full = berth_reference_string(ref);
  CHECK_STR(familiar, tc->familiar_name);
  CHECK_STR(full, tc->full_name);
  CHECK_STR(ref->domain, tc->domain);
  CHECK_STR(ref->path, tc->remote_name);
}

TEST(parse_repository_info)
{
  for (size_t i = 0; i < N(repo_info_cases); i++) {
    const struct repo_info_case *tc = &repo_info_cases[i];
    check_repo_info(tc, tc->familiar_name);
    check_repo_info(tc, tc->full_name);
    if (tc->ambiguous_name[0] != '\0')
      check_repo_info(tc, tc->ambiguous_name);
  }
}

TEST(parse_reference_with_tag_and_digest)
{
  cleanup_reference berth_reference *ref
      = must_parse(berth_reference_parse_normalized, tag_and_digest_ref);
  if (ref == NULL)
    return;
  cleanup_free char *full = berth_reference_string(ref);
  cleanup_free char *want = xasprintf("docker.io/library/%s", tag_and_digest_ref);
  cleanup_free char *familiar = berth_reference_familiar_string(ref);
  CHECK_STR(full, want);
  CHECK(ref->tag != NULL);
  CHECK(ref->digest != NULL);
  CHECK_STR(familiar, tag_and_digest_ref);
}

TEST(invalid_reference_components)
{
  cleanup_error berth_error *err = NULL;
  check_fails(berth_reference_parse_normalized, "-foo", NULL);
  cleanup_reference berth_reference *ref = must_parse(berth_reference_parse_normalized, "busybox");
  if (ref == NULL)
    return;
  cleanup_reference berth_reference *tagged = berth_reference_with_tag(ref, "-foo", &err);
  CHECK(tagged == NULL);
  CHECK(err != NULL && strcmp(berth_error_message(err), "invalid tag format") == 0);
  berth_error_cleanup(&err);
  cleanup_reference berth_reference *digested = berth_reference_with_digest(ref, "foo", &err);
  CHECK(digested == NULL);
  CHECK(err != NULL && strcmp(berth_error_message(err), "invalid digest format") == 0);
}

TEST(parse_any_reference)
{
  for (size_t i = 0; i < N(any_reference_cases); i++) {
    const struct any_case *tc = &any_reference_cases[i];
    cleanup_reference berth_reference *ref = must_parse(berth_reference_parse_any, tc->reference);
    if (ref == NULL)
      continue;
    cleanup_free char *str = berth_reference_string(ref);
    CHECK_STR(str, tc->equivalent);
    CHECK(berth_reference_is_digest_only(ref) == (tc->digest_only != 0));
    if (tc->digest_only)
      continue;
    /* the same value as a plain parse of the equivalent string */
    cleanup_reference berth_reference *want = must_parse(berth_reference_parse, tc->equivalent);
    if (want == NULL)
      continue;
    CHECK_STR(ref->domain, want->domain);
    CHECK_STR(ref->path, want->path);
    CHECK_STR(or_empty(ref->tag), or_empty(want->tag));
    CHECK_STR(or_empty(ref->digest), or_empty(want->digest));
  }
}

TEST(normalized_split_hostname)
{
  for (size_t i = 0; i < N(normalized_split_cases); i++) {
    const struct nsplit_case *tc = &normalized_split_cases[i];
    cleanup_reference berth_reference *ref
        = must_parse(berth_reference_parse_normalized, tc->input);
    if (ref == NULL)
      continue;
    CHECK_STR(ref->domain, tc->domain);
    CHECK_STR(ref->path, tc->path);
  }
}

TEST(match_error)
{
  cleanup_error berth_error *err = NULL;
  cleanup_reference berth_reference *ref = must_parse(berth_reference_parse_any, "foo");
  if (ref == NULL)
    return;
  CHECK(berth_reference_familiar_match("[-x]", ref, &err) < 0);
  CHECK(err != NULL);
}

TEST(match)
{
  for (size_t i = 0; i < N(match_cases); i++) {
    const struct match_case *tc = &match_cases[i];
    cleanup_error berth_error *err = NULL;
    cleanup_reference berth_reference *ref = must_parse(berth_reference_parse_any, tc->reference);
    if (ref == NULL)
      continue;
    int m = berth_reference_familiar_match(tc->pattern, ref, &err);
    if (m != tc->expected) {
      printf("#   %s ~ %s: got %d, want %d\n", tc->reference, tc->pattern, m, tc->expected);
      berth_t.failed_here++;
    }
  }
}

TEST(parse_docker_ref)
{
  for (size_t i = 0; i < N(docker_ref_cases); i++) {
    const struct docker_ref_case *tc = &docker_ref_cases[i];
    cleanup_reference berth_reference *ref
        = must_parse(berth_reference_parse_docker_ref, tc->input);
    if (ref == NULL)
      continue;
    cleanup_free char *str = berth_reference_string(ref);
    CHECK_STR(str, tc->expected);
    berth_reference_free(must_parse(berth_reference_parse, str));
  }
}

/* ---- berth's own cases ---- */

TEST(docker_cli_messages)
{
  /* docker 20.10.24: `docker pull Bad//Name` (reference-outputs) */
  check_fails(berth_reference_parse_normalized, "Bad//Name",
              "invalid reference format: repository name must be lowercase");
  check_fails(berth_reference_parse_normalized, "docker.io/library/Nginx",
              "invalid reference format: repository name must be lowercase");
  check_fails(berth_reference_parse_normalized, ":justtag", "invalid reference format");
  check_fails(berth_reference_parse_normalized, "bad//name", "invalid reference format");
  /* "" becomes "docker.io/library/", which the grammar refuses */
  check_fails(berth_reference_parse_normalized, "", "invalid reference format");
  check_fails(berth_reference_parse, "", "repository name must have at least one component");
  const char *hex = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
  cleanup_free char *want
      = xasprintf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", hex);
  check_fails(berth_reference_parse_normalized, hex, want);
  /* fewer than 32 hex digits is not a digest at all */
  check_fails(berth_reference_parse_normalized, "nginx@sha256:abc", "invalid reference format");
  check_fails(berth_reference_parse_normalized, "nginx@sha256:0123456789abcdef0123456789abcdef01",
              "invalid checksum digest length");
  check_fails(berth_reference_parse_normalized,
              "nginx@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
              "invalid checksum digest format");
  /* Go's ToLower turns bad UTF-8 into U+FFFD, so the name "changes case" */
  check_fails(berth_reference_parse_normalized, "a/\xff",
              "invalid reference format: repository name must be lowercase");
  /* U+212A KELVIN SIGN lowers to ASCII 'k' in Go */
  check_fails(berth_reference_parse, "\xe2\x84\xaa:tag", "repository name must be lowercase");
  check_fails(berth_reference_parse, "\xc3\xa9:tag", "invalid reference format");
}

TEST(same_image_names)
{
  /* SPEC §1: all of these name docker.io/library/nginx:latest */
  static const char *const names[] = {
    "nginx",
    "nginx:latest",
    "library/nginx:latest",
    "docker.io/library/nginx:latest",
    "index.docker.io/library/nginx:latest",
    "docker.io/nginx",
  };
  for (size_t i = 0; i < N(names); i++) {
    cleanup_reference berth_reference *ref = must_parse(berth_reference_parse_normalized, names[i]);
    if (ref == NULL)
      continue;
    berth_reference_default_tag(ref);
    cleanup_free char *str = berth_reference_string(ref);
    cleanup_free char *familiar = berth_reference_familiar_string(ref);
    cleanup_free char *name = berth_reference_familiar_name(ref);
    CHECK_STR(str, "docker.io/library/nginx:latest");
    CHECK_STR(familiar, "nginx:latest");
    CHECK_STR(name, "nginx");
  }
}

TEST(local_registry)
{
  cleanup_reference berth_reference *ref
      = must_parse(berth_reference_parse_normalized, "127.0.0.1:5000/test/layered:1");
  if (ref == NULL)
    return;
  CHECK_STR(ref->domain, "127.0.0.1:5000");
  CHECK_STR(ref->path, "test/layered");
  CHECK_STR(ref->tag, "1");
  CHECK(ref->digest == NULL);
  cleanup_free char *familiar = berth_reference_familiar_name(ref);
  CHECK_STR(familiar, "127.0.0.1:5000/test/layered");
  cleanup_reference berth_reference *copy = berth_reference_dup(ref);
  cleanup_free char *s1 = berth_reference_string(ref);
  cleanup_free char *s2 = berth_reference_string(copy);
  CHECK_STR(s1, s2);
  cleanup_reference berth_reference *lh
      = must_parse(berth_reference_parse_normalized, "localhost:5000/x");
  if (lh != NULL)
    CHECK_STR(lh->domain, "localhost:5000");
}

TEST(default_tag)
{
  cleanup_reference berth_reference *a = must_parse(berth_reference_parse_normalized, "nginx");
  cleanup_reference berth_reference *b
      = must_parse(berth_reference_parse_normalized,
                   "nginx@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa");
  cleanup_reference berth_reference *c
      = must_parse(berth_reference_parse_any,
                   "sha256:"
                   "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa");
  if (a == NULL || b == NULL || c == NULL)
    return;
  CHECK(a->tag == NULL);
  berth_reference_default_tag(a);
  berth_reference_default_tag(b);
  berth_reference_default_tag(c);
  CHECK_STR(a->tag, "latest");
  CHECK(b->tag == NULL);
  CHECK(c->tag == NULL);
  cleanup_free char *fs = berth_reference_familiar_string(c);
  cleanup_free char *fn = berth_reference_familiar_name(c);
  CHECK_STR(fs, c->digest);
  CHECK_STR(fn, "");
}

TEST(id_prefix)
{
  CHECK(berth_reference_is_id_prefix("a"));
  CHECK(berth_reference_is_id_prefix("0123456789abcdef"));
  CHECK(berth_reference_is_id_prefix("sha256:abc"));
  CHECK(berth_reference_is_id_prefix(
      "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"));
  CHECK(!berth_reference_is_id_prefix(
      "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a0"));
  CHECK(!berth_reference_is_id_prefix(""));
  CHECK(!berth_reference_is_id_prefix("sha256:"));
  CHECK(!berth_reference_is_id_prefix("ABC"));
  CHECK(!berth_reference_is_id_prefix("nginx"));
  CHECK(!berth_reference_is_id_prefix("sha512:abc"));
}

TEST(go_path_match)
{
  cleanup_reference berth_reference *ref
      = must_parse(berth_reference_parse_normalized, "127.0.0.1:5000/test/layered:1");
  if (ref == NULL)
    return;
  static const struct {
    const char *pattern;
    int want;
  } cases[] = {
    { "127.0.0.1:5000/test/*", 1 },
    { "127.0.0.1:5000/*", 0 },
    { "*/test/layered", 1 },
    { "127.0.0.1:5000/test/layered:?", 1 },
    { "127.0.0.1:5000/test/l[a-c]yered", 1 },
    { "127.0.0.1:5000/test/l[^a]yered", 0 },
    { "127.0.0.1:5000/test/layered:\\1", 1 },
    { "127.0.0.1:5000/test/layered:1\\", -1 },
    { "nomatch[", -1 },
    { "[a-]", -1 },
    { "127.0.0.1:5000/test/lay*d:*", 1 },
  };
  for (size_t i = 0; i < N(cases); i++) {
    cleanup_error berth_error *err = NULL;
    int m = berth_reference_familiar_match(cases[i].pattern, ref, &err);
    if (m != cases[i].want) {
      printf("#   pattern %s: got %d, want %d\n", cases[i].pattern, m, cases[i].want);
      berth_t.failed_here++;
    }
  }
}

int
main(void)
{
  RUN(reference_parse);
  RUN(with_name_failure);
  RUN(domain_and_path);
  RUN(with_tag);
  RUN(with_digest);
  RUN(parse_named);
  RUN(serialization);
  RUN(validate_reference_name);
  RUN(validate_remote_name);
  RUN(parse_repository_info);
  RUN(parse_reference_with_tag_and_digest);
  RUN(invalid_reference_components);
  RUN(parse_any_reference);
  RUN(normalized_split_hostname);
  RUN(match_error);
  RUN(match);
  RUN(parse_docker_ref);
  RUN(docker_cli_messages);
  RUN(same_image_names);
  RUN(local_registry);
  RUN(default_tag);
  RUN(id_prefix);
  RUN(go_path_match);
  DONE();
}
