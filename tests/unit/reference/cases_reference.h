/* Transcribed from github.com/distribution/reference reference_test.go
 * (commit 0965666a6ade2e06035fe352e38344be1e68951a), Apache-2.0,
 * Copyright The distribution Authors.  Written out by gen_cases.py from
 * tables transcribed by hand;
 * Go error values are written as their messages. */
#pragma once

struct parse_case { const char *input, *err, *repository, *domain, *tag, *digest; };
struct name_err_case { const char *input, *err; };
struct split_case { const char *input, *domain, *path; };
struct combine_case { const char *name, *digest, *tag, *combined; };
struct named_case { const char *input, *domain, *path, *err; };
struct serial_case { const char *input, *err, *name, *tag, *digest; };

/* TestReferenceParse */
static const struct parse_case reference_parse_cases[] = {
  { "test_com", NULL, "test_com", "", NULL, NULL },
  { "test.com:tag", NULL, "test.com", "", "tag", NULL },
  { "test.com:5000", NULL, "test.com", "", "5000", NULL },
  { "test.com/repo:tag", NULL, "test.com/repo", "test.com", "tag", NULL },
  { "test:5000/repo", NULL, "test:5000/repo", "test:5000", NULL, NULL },
  { "test:5000/repo:tag", NULL, "test:5000/repo", "test:5000", "tag", NULL },
  { "test:5000/repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, "test:5000/repo", "test:5000", NULL, "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
  { "test:5000/repo:tag@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, "test:5000/repo", "test:5000", "tag", "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
  { "test:5000/repo", NULL, "test:5000/repo", "test:5000", NULL, NULL },
  { "", "repository name must have at least one component", NULL, NULL, NULL, NULL },
  { ":justtag", "invalid reference format", NULL, NULL, NULL, NULL },
  { "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "invalid reference format", NULL, NULL, NULL, NULL },
  { "repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid checksum digest length", NULL, NULL, NULL, NULL },
  { "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "unsupported digest algorithm", NULL, NULL, NULL, NULL },
  { "validname@sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "unsupported digest algorithm", NULL, NULL, NULL, NULL },
  { "Uppercase:tag", "repository name must be lowercase", NULL, NULL, NULL, NULL },
  { "test:5000/Uppercase/lowercase:tag", "repository name must be lowercase", NULL, NULL, NULL, NULL },
  { "lowercase:Uppercase", NULL, "lowercase", "", "Uppercase", NULL },
  { "domain/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:tag", "repository name must not be more than 255 characters", NULL, NULL, NULL, NULL },
  { "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a:tag-puts-this-over-max", NULL, "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a", "a", "tag-puts-this-over-max", NULL },
  { "aa/asdf$$^/aa", "invalid reference format", NULL, NULL, NULL, NULL },
  { "sub-dom1.foo.com/bar/baz/quux", NULL, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", NULL, NULL },
  { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", NULL, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "some-long-tag", NULL },
  { "b.gcr.io/test.example.com/my-app:test.example.com", NULL, "b.gcr.io/test.example.com/my-app", "b.gcr.io", "test.example.com", NULL },
  { "xn--n3h.com/myimage:xn--n3h.com", NULL, "xn--n3h.com/myimage", "xn--n3h.com", "xn--n3h.com", NULL },
  { "xn--7o8h.com/myimage:xn--7o8h.com@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, "xn--7o8h.com/myimage", "xn--7o8h.com", "xn--7o8h.com", "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
  { "foo_bar.com:8080", NULL, "foo_bar.com", "", "8080", NULL },
  { "foo/foo_bar.com:8080", NULL, "foo/foo_bar.com", "foo", "8080", NULL },
  { "192.168.1.1", NULL, "192.168.1.1", "", NULL, NULL },
  { "192.168.1.1:tag", NULL, "192.168.1.1", "", "tag", NULL },
  { "192.168.1.1:5000", NULL, "192.168.1.1", "", "5000", NULL },
  { "192.168.1.1/repo", NULL, "192.168.1.1/repo", "192.168.1.1", NULL, NULL },
  { "192.168.1.1:5000/repo", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000", NULL, NULL },
  { "192.168.1.1:5000/repo:5050", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000", "5050", NULL },
  { "[2001:db8::1]", "invalid reference format", NULL, NULL, NULL, NULL },
  { "[2001:db8::1]:5000", "invalid reference format", NULL, NULL, NULL, NULL },
  { "[2001:db8::1]:tag", "invalid reference format", NULL, NULL, NULL, NULL },
  { "[2001:db8::1]/repo", NULL, "[2001:db8::1]/repo", "[2001:db8::1]", NULL, NULL },
  { "[2001:db8:1:2:3:4:5:6]/repo:tag", NULL, "[2001:db8:1:2:3:4:5:6]/repo", "[2001:db8:1:2:3:4:5:6]", "tag", NULL },
  { "[2001:db8::1]:5000/repo", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", NULL, NULL },
  { "[2001:db8::1]:5000/repo:tag", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag", NULL },
  { "[2001:db8::1]:5000/repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", NULL, "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
  { "[2001:db8::1]:5000/repo:tag@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag", "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
  { "[2001:db8::]:5000/repo", NULL, "[2001:db8::]:5000/repo", "[2001:db8::]:5000", NULL, NULL },
  { "[::1]:5000/repo", NULL, "[::1]:5000/repo", "[::1]:5000", NULL, NULL },
  { "[fe80::1%eth0]:5000/repo", "invalid reference format", NULL, NULL, NULL, NULL },
  { "[fe80::1%@invalidzone]:5000/repo", "invalid reference format", NULL, NULL, NULL, NULL },
  { "example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:tag", NULL, "example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "example.com", "tag", NULL },
};

/* TestWithNameFailure */
static const struct name_err_case with_name_failure_cases[] = {
  { "", "invalid reference format" },
  { ":justtag", "invalid reference format" },
  { "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "invalid reference format" },
  { "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "invalid reference format" },
  { "example.com/repo:tag", "invalid reference format" },
  { "example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "repository name must not be more than 255 characters" },
  { "aa/asdf$$^/aa", "invalid reference format" },
};

/* TestDomainAndPath */
static const struct split_case domain_and_path_cases[] = {
  { "test.com/foo", "test.com", "foo" },
  { "test_com/foo", "", "test_com/foo" },
  { "test:8080/foo", "test:8080", "foo" },
  { "test.com:8080/foo", "test.com:8080", "foo" },
  { "test-com:8080/foo", "test-com:8080", "foo" },
  { "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo" },
};

/* TestWithTag */
static const struct combine_case with_tag_cases[] = {
  { "test.com/foo", NULL, "tag", "test.com/foo:tag" },
  { "foo", NULL, "tag2", "foo:tag2" },
  { "test.com:8000/foo", NULL, "tag4", "test.com:8000/foo:tag4" },
  { "test.com:8000/foo", NULL, "TAG5", "test.com:8000/foo:TAG5" },
  { "test.com:8000/foo", "sha256:1234567890098765432112345667890098765", "TAG5", "test.com:8000/foo:TAG5@sha256:1234567890098765432112345667890098765" },
};

/* TestWithDigest */
static const struct combine_case with_digest_cases[] = {
  { "test.com/foo", "sha256:1234567890098765432112345667890098765", NULL, "test.com/foo@sha256:1234567890098765432112345667890098765" },
  { "foo", "sha256:1234567890098765432112345667890098765", NULL, "foo@sha256:1234567890098765432112345667890098765" },
  { "test.com:8000/foo", "sha256:1234567890098765432112345667890098765", NULL, "test.com:8000/foo@sha256:1234567890098765432112345667890098765" },
  { "test.com:8000/foo", "sha256:1234567890098765432112345667890098765", "latest", "test.com:8000/foo:latest@sha256:1234567890098765432112345667890098765" },
};

/* TestParseNamed */
static const struct named_case parse_named_cases[] = {
  { "test.com/foo", "test.com", "foo", NULL },
  { "test:8080/foo", "test:8080", "foo", NULL },
  { "test_com/foo", NULL, NULL, "repository name must be canonical" },
  { "test.com", NULL, NULL, "repository name must be canonical" },
  { "foo", NULL, NULL, "repository name must be canonical" },
  { "library/foo", NULL, NULL, "repository name must be canonical" },
  { "docker.io/library/foo", "docker.io", "library/foo", NULL },
  { "docker.io/foo", NULL, NULL, "repository name must be canonical" },
};

/* TestSerialization (the parsing half) */
static const struct serial_case serialization_cases[] = {
  { "", "repository name must have at least one component", NULL, NULL, NULL },
  { "example.com:8000/named", NULL, "example.com:8000/named", NULL, NULL },
  { "example.com:8000/named:tagged", NULL, "example.com:8000/named", "tagged", NULL },
  { "other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112", NULL, "other.com/named", NULL, "sha256:1234567890098765432112345667890098765432112345667890098765432112" },
};

