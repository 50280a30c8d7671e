/* Image references, parsed and normalized exactly as Docker does it
 * (github.com/distribution/reference): "nginx" names
 * docker.io/library/nginx, "127.0.0.1:5000/test/layered:1" names path
 * "test/layered" on registry 127.0.0.1:5000, and a reference may carry a tag,
 * a digest or both. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

typedef struct berth_reference {
  char *domain; /* "docker.io", "127.0.0.1:5000", "localhost:5000", "quay.io";
                   "" when a plain berth_reference_parse() found none;
                   NULL only in a digest-only reference */
  char *path;   /* "library/nginx", "test/layered"; NULL only in a digest-only
                   reference.  The path as the registry sees it. */
  char *tag;    /* NULL when none given */
  char *digest; /* "sha256:<64 hex>" or NULL */
} berth_reference;

/* The longest repository path Docker accepts. */
#define BERTH_REFERENCE_PATH_MAX 255

/* Docker's ParseNormalizedNamed: "nginx" -> docker.io/library/nginx (tag stays
 * NULL); "index.docker.io/x" -> docker.io/library/x.  Errors are Docker's
 * messages, e.g. "invalid reference format",
 * "invalid reference format: repository name must be lowercase",
 * "invalid repository name (64 hex), cannot specify 64-byte hexadecimal
 * strings". */
berth_reference *berth_reference_parse_normalized(const char *s, berth_error **err);

/* Docker's Parse: the reference grammar with no normalization ("nginx" stays
 * domain "" and path "nginx").  "repository name must be lowercase",
 * "repository name must have at least one component", "repository name must
 * not be more than 255 characters", "invalid reference format", or go-digest's
 * "invalid checksum digest format|length" and "unsupported digest algorithm". */
berth_reference *berth_reference_parse(const char *s, berth_error **err);

/* Docker's ParseAnyReference: 64 hex digits or "sha256:<64 hex>" give a
 * digest-only reference (domain and path NULL); anything else is
 * berth_reference_parse_normalized(). */
berth_reference *berth_reference_parse_any(const char *s, berth_error **err);

/* Docker's ParseNamed: like parse_normalized, but fails with "repository name
 * must be canonical" unless s is already the full normalized string. */
berth_reference *berth_reference_parse_named(const char *s, berth_error **err);

/* Docker's ParseDockerRef: parse_normalized, then a reference with both tag
 * and digest keeps only the digest, and one with neither gets "latest". */
berth_reference *berth_reference_parse_docker_ref(const char *s, berth_error **err);

/* Docker's WithName: a bare name ([domain "/"] path, no tag or digest). */
berth_reference *berth_reference_with_name(const char *name, berth_error **err);
/* Docker's WithTag / WithDigest: a copy of ref with the tag (or digest)
 * replaced; "invalid tag format" / "invalid digest format" when it does not
 * follow the grammar. */
berth_reference *berth_reference_with_tag(const berth_reference *ref, const char *tag,
                                          berth_error **err);
berth_reference *berth_reference_with_digest(const berth_reference *ref, const char *digest,
                                             berth_error **err);

/* Docker's TagNameOnly: adds tag "latest" when neither tag nor digest is set. */
void berth_reference_default_tag(berth_reference *ref);

/* True for a reference that is only a digest (from parse_any). */
bool berth_reference_is_digest_only(const berth_reference *ref);

/* "docker.io/library/nginx" ("" for a digest-only reference). */
char *berth_reference_name(const berth_reference *ref);
/* The name with ":tag" and/or "@digest"; just the digest when digest-only. */
char *berth_reference_string(const berth_reference *ref);
/* "nginx", "dmcgowan/myapp", "127.0.0.1:5000/test/layered". */
char *berth_reference_familiar_name(const berth_reference *ref);
/* "nginx:latest", "nginx@sha256:…". */
char *berth_reference_familiar_string(const berth_reference *ref);

/* Docker's FamiliarMatch (used by `images --filter reference=`): Go's
 * path.Match of pattern against the familiar string, then against the
 * familiar name.  Returns 1 (match), 0 (no match) or -1 with "syntax error in
 * pattern" when the pattern is malformed. */
int berth_reference_familiar_match(const char *pattern, const berth_reference *ref,
                                   berth_error **err);

/* 1..64 lowercase hex, optional "sha256:" prefix (for image id lookup). */
bool berth_reference_is_id_prefix(const char *s);

berth_reference *berth_reference_dup(const berth_reference *ref);
void berth_reference_free(berth_reference *ref);
void berth_reference_cleanup(berth_reference **ref);
#define cleanup_reference __attribute__((cleanup(berth_reference_cleanup)))
