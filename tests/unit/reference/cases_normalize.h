/* Transcribed from github.com/distribution/reference normalize_test.go
 * (commit 0965666a6ade2e06035fe352e38344be1e68951a), Apache-2.0,
 * Copyright The distribution Authors.  Written out by gen_cases.py from
 * tables transcribed by hand;
 * Go error values are written as their messages. */
#pragma once

struct repo_info_case { const char *remote_name, *familiar_name, *full_name, *ambiguous_name, *domain; };
struct any_case { const char *reference, *equivalent; int digest_only; };
struct nsplit_case { const char *input, *domain, *path; };
struct match_case { const char *reference, *pattern; int expected; };
struct docker_ref_case { const char *input, *expected; };

/* TestValidateReferenceName: validRepoNames */
static const char *const valid_repo_names[] = {
  "docker/docker",
  "library/debian",
  "debian",
  "localhost/library/debian",
  "localhost/debian",
  "LOCALDOMAIN/library/debian",
  "LOCALDOMAIN/debian",
  "docker.io/docker/docker",
  "docker.io/library/debian",
  "docker.io/debian",
  "index.docker.io/docker/docker",
  "index.docker.io/library/debian",
  "index.docker.io/debian",
  "127.0.0.1:5000/docker/docker",
  "127.0.0.1:5000/library/debian",
  "127.0.0.1:5000/debian",
  "192.168.0.1",
  "192.168.0.1:80",
  "192.168.0.1:8/debian",
  "192.168.0.2:25000/debian",
  "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
  "[fc00::1]:5000/docker",
  "[fc00::1]:5000/docker/docker",
  "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
  "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
  "Docker/docker",
  "DOCKER/docker",
};

/* TestValidateReferenceName: invalidRepoNames */
static const char *const invalid_repo_names[] = {
  "https://github.com/docker/docker",
  "docker/Docker",
  "-docker",
  "-docker/docker",
  "-docker.io/docker/docker",
  "docker///docker",
  "docker.io/docker/Docker",
  "docker.io/docker///docker",
  "[fc00::1]",
  "[fc00::1]:5000",
  "fc00::1:5000/debian",
  "[fe80::1%eth0]:5000/debian",
  "[2001:db8:3:4::192.0.2.33]:5000/debian",
  "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
};

/* TestValidateRemoteName: validRepositoryNames */
static const char *const valid_remote_names[] = {
  "docker/docker",
  "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
  "docker-rules/docker",
  "docker---rules/docker",
  "doc/docker",
  "d/docker",
  "jess/t",
  "dock__er/docker",
};

/* TestValidateRemoteName: invalidRepositoryNames */
static const char *const invalid_remote_names[] = {
  "docker/Docker",
  "docker///docker",
  "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
  "-docker/docker",
  "docker-/docker",
  "-docker-/docker",
  "____/____",
  "_docker/_docker",
  "dock..er/docker",
  "dock_.er/docker",
  "dock-.er/docker",
  "docker/",
  "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
};

/* TestParseRepositoryInfo ("" ambiguous name: none) */
static const struct repo_info_case repo_info_cases[] = {
  { "fooo", "localhost/fooo", "localhost/fooo", "localhost/fooo", "localhost" },
  { "fooo/bar", "localhost/fooo/bar", "localhost/fooo/bar", "localhost/fooo/bar", "localhost" },
  { "fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN" },
  { "fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar", "LOCALDOMAIN" },
  { "fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io" },
  { "library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io" },
  { "nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "", "docker.io" },
  { "other/library", "other/library", "docker.io/other/library", "", "docker.io" },
  { "private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "", "127.0.0.1:8000" },
  { "privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "", "127.0.0.1:8000" },
  { "private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", "", "example.com" },
  { "privatebase", "example.com/privatebase", "example.com/privatebase", "", "example.com" },
  { "private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase", "", "example.com:8000" },
  { "privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", "", "example.com:8000" },
  { "library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "index.docker.io/library/ubuntu-12.04-base", "docker.io" },
  { "library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io" },
  { "library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", "", "docker.io" },
  { "store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", "", "docker.io" },
  { "bar", "Foo/bar", "Foo/bar", "", "Foo" },
  { "bar", "FOO/bar", "FOO/bar", "", "FOO" },
};

/* TestParseReferenceWithTagAndDigest */
static const char tag_and_digest_ref[] =
  "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";

/* TestParseAnyReference (digest_only: Expected is a digestReference) */
static const struct any_case any_reference_cases[] = {
  { "redis", "docker.io/library/redis", 0 },
  { "redis:latest", "docker.io/library/redis:latest", 0 },
  { "docker.io/library/redis:latest", "docker.io/library/redis:latest", 0 },
  { "redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", 0 },
  { "docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", 0 },
  { "dmcgowan/myapp", "docker.io/dmcgowan/myapp", 0 },
  { "dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest", 0 },
  { "docker.io/mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest", 0 },
  { "dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", 0 },
  { "docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", 0 },
  { "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", 1 },
  { "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", 1 },
  { "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", 0 },
  { "dbcc1", "docker.io/library/dbcc1", 0 },
};

/* TestNormalizedSplitHostname */
static const struct nsplit_case normalized_split_cases[] = {
  { "test.com/foo", "test.com", "foo" },
  { "test_com/foo", "docker.io", "test_com/foo" },
  { "docker/migrator", "docker.io", "docker/migrator" },
  { "test.com:8080/foo", "test.com:8080", "foo" },
  { "test-com:8080/foo", "test-com:8080", "foo" },
  { "foo", "docker.io", "library/foo" },
  { "xn--n3h.com/foo", "xn--n3h.com", "foo" },
  { "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo" },
  { "docker.io/foo", "docker.io", "library/foo" },
  { "docker.io/library/foo", "docker.io", "library/foo" },
  { "docker.io/library/foo/bar", "docker.io", "library/foo/bar" },
};

/* TestMatch */
static const struct match_case match_cases[] = {
  { "foo", "foo/**/ba[rz]", 0 },
  { "foo/any/bat", "foo/**/ba[rz]", 0 },
  { "foo/a/bar", "foo/**/ba[rz]", 1 },
  { "foo/b/baz", "foo/**/ba[rz]", 1 },
  { "foo/c/baz:tag", "foo/**/ba[rz]", 1 },
  { "foo/c/baz:tag", "foo/*/baz:tag", 1 },
  { "foo/c/baz:tag", "foo/c/baz:tag", 1 },
  { "example.com/foo/c/baz:tag", "*/foo/c/baz", 1 },
  { "example.com/foo/c/baz:tag", "example.com/foo/c/baz", 1 },
};

/* TestParseDockerRef */
static const struct docker_ref_case docker_ref_cases[] = {
  { "busybox", "docker.io/library/busybox:latest" },
  { "busybox:latest", "docker.io/library/busybox:latest" },
  { "busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582", "docker.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582" },
  { "library/busybox", "docker.io/library/busybox:latest" },
  { "docker.io/busybox", "docker.io/library/busybox:latest" },
  { "docker.io/library/busybox", "docker.io/library/busybox:latest" },
  { "docker.io/busybox:latest", "docker.io/library/busybox:latest" },
  { "library/busybox:latest", "docker.io/library/busybox:latest" },
  { "docker.io/library/busybox:latest", "docker.io/library/busybox:latest" },
  { "gcr.io/library/busybox", "gcr.io/library/busybox:latest" },
  { "gcr.io/library/busybox:latest@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582", "gcr.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582" },
};

