#!/usr/bin/env python3
# Writes cases_reference.h and cases_normalize.h (run in this directory).
# Generates cases_reference.h / cases_normalize.h from upstream test tables
# (transcribed by hand below; strings.Repeat expanded here).
F = "f" * 64
ORIGIN = ("/* Transcribed from github.com/distribution/reference %s\n"
          " * (commit 0965666a6ade2e06035fe352e38344be1e68951a), Apache-2.0,\n"
          " * Copyright The distribution Authors.  Written out by gen_cases.py from\n * tables transcribed by hand;\n"
          " * Go error values are written as their messages. */\n#pragma once\n\n")
def c(s):
    if s is None:
        return "NULL"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

E_EMPTY = "repository name must have at least one component"
E_FMT = "invalid reference format"
E_UPPER = "repository name must be lowercase"
E_LONG = "repository name must not be more than 255 characters"
E_DLEN = "invalid checksum digest length"
E_DUNSUP = "unsupported digest algorithm"
E_CANON = "repository name must be canonical"

# TestReferenceParse: input, err, repository, domain, tag, digest
parse = [
 ("test_com", None, "test_com", "", None, None),
 ("test.com:tag", None, "test.com", "", "tag", None),
 ("test.com:5000", None, "test.com", "", "5000", None),
 ("test.com/repo:tag", None, "test.com/repo", "test.com", "tag", None),
 ("test:5000/repo", None, "test:5000/repo", "test:5000", None, None),
 ("test:5000/repo:tag", None, "test:5000/repo", "test:5000", "tag", None),
 ("test:5000/repo@sha256:"+F, None, "test:5000/repo", "test:5000", None, "sha256:"+F),
 ("test:5000/repo:tag@sha256:"+F, None, "test:5000/repo", "test:5000", "tag", "sha256:"+F),
 ("test:5000/repo", None, "test:5000/repo", "test:5000", None, None),
 ("", E_EMPTY, None, None, None, None),
 (":justtag", E_FMT, None, None, None, None),
 ("@sha256:"+F, E_FMT, None, None, None, None),
 ("repo@sha256:"+"f"*34, E_DLEN, None, None, None, None),
 ("validname@invaliddigest:"+F, E_DUNSUP, None, None, None, None),
 ("validname@sha512:"+"f"*128, E_DUNSUP, None, None, None, None),
 ("Uppercase:tag", E_UPPER, None, None, None, None),
 ("test:5000/Uppercase/lowercase:tag", E_UPPER, None, None, None, None),
 ("lowercase:Uppercase", None, "lowercase", "", "Uppercase", None),
 ("domain/"+"a"*256+":tag", E_LONG, None, None, None, None),
 ("a/"*127+"a:tag-puts-this-over-max", None, "a/"*127+"a", "a", "tag-puts-this-over-max", None),
 ("aa/asdf$$^/aa", E_FMT, None, None, None, None),
 ("sub-dom1.foo.com/bar/baz/quux", None, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", None, None),
 ("sub-dom1.foo.com/bar/baz/quux:some-long-tag", None, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "some-long-tag", None),
 ("b.gcr.io/test.example.com/my-app:test.example.com", None, "b.gcr.io/test.example.com/my-app", "b.gcr.io", "test.example.com", None),
 ("xn--n3h.com/myimage:xn--n3h.com", None, "xn--n3h.com/myimage", "xn--n3h.com", "xn--n3h.com", None),
 ("xn--7o8h.com/myimage:xn--7o8h.com@sha256:"+F, None, "xn--7o8h.com/myimage", "xn--7o8h.com", "xn--7o8h.com", "sha256:"+F),
 ("foo_bar.com:8080", None, "foo_bar.com", "", "8080", None),
 ("foo/foo_bar.com:8080", None, "foo/foo_bar.com", "foo", "8080", None),
 ("192.168.1.1", None, "192.168.1.1", "", None, None),
 ("192.168.1.1:tag", None, "192.168.1.1", "", "tag", None),
 ("192.168.1.1:5000", None, "192.168.1.1", "", "5000", None),
 ("192.168.1.1/repo", None, "192.168.1.1/repo", "192.168.1.1", None, None),
 ("192.168.1.1:5000/repo", None, "192.168.1.1:5000/repo", "192.168.1.1:5000", None, None),
 ("192.168.1.1:5000/repo:5050", None, "192.168.1.1:5000/repo", "192.168.1.1:5000", "5050", None),
 ("[2001:db8::1]", E_FMT, None, None, None, None),
 ("[2001:db8::1]:5000", E_FMT, None, None, None, None),
 ("[2001:db8::1]:tag", E_FMT, None, None, None, None),
 ("[2001:db8::1]/repo", None, "[2001:db8::1]/repo", "[2001:db8::1]", None, None),
 ("[2001:db8:1:2:3:4:5:6]/repo:tag", None, "[2001:db8:1:2:3:4:5:6]/repo", "[2001:db8:1:2:3:4:5:6]", "tag", None),
 ("[2001:db8::1]:5000/repo", None, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", None, None),
 ("[2001:db8::1]:5000/repo:tag", None, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag", None),
 ("[2001:db8::1]:5000/repo@sha256:"+F, None, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", None, "sha256:"+F),
 ("[2001:db8::1]:5000/repo:tag@sha256:"+F, None, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag", "sha256:"+F),
 ("[2001:db8::]:5000/repo", None, "[2001:db8::]:5000/repo", "[2001:db8::]:5000", None, None),
 ("[::1]:5000/repo", None, "[::1]:5000/repo", "[::1]:5000", None, None),
 ("[fe80::1%eth0]:5000/repo", E_FMT, None, None, None, None),
 ("[fe80::1%@invalidzone]:5000/repo", E_FMT, None, None, None, None),
 ("example.com/"+"a"*255+":tag", None, "example.com/"+"a"*255, "example.com", "tag", None),
]
with_name_failure = [
 ("", E_FMT), (":justtag", E_FMT), ("@sha256:"+F, E_FMT),
 ("validname@invaliddigest:"+F, E_FMT), ("example.com/repo:tag", E_FMT),
 ("example.com/"+"a"*256, E_LONG), ("aa/asdf$$^/aa", E_FMT),
]
domain_and_path = [
 ("test.com/foo", "test.com", "foo"), ("test_com/foo", "", "test_com/foo"),
 ("test:8080/foo", "test:8080", "foo"), ("test.com:8080/foo", "test.com:8080", "foo"),
 ("test-com:8080/foo", "test-com:8080", "foo"), ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
]
D35 = "sha256:1234567890098765432112345667890098765"
# name, digest, tag, combined
with_tag = [
 ("test.com/foo", None, "tag", "test.com/foo:tag"),
 ("foo", None, "tag2", "foo:tag2"),
 ("test.com:8000/foo", None, "tag4", "test.com:8000/foo:tag4"),
 ("test.com:8000/foo", None, "TAG5", "test.com:8000/foo:TAG5"),
 ("test.com:8000/foo", D35, "TAG5", "test.com:8000/foo:TAG5@"+D35),
]
with_digest = [
 ("test.com/foo", D35, None, "test.com/foo@"+D35),
 ("foo", D35, None, "foo@"+D35),
 ("test.com:8000/foo", D35, None, "test.com:8000/foo@"+D35),
 ("test.com:8000/foo", D35, "latest", "test.com:8000/foo:latest@"+D35),
]
parse_named = [
 ("test.com/foo", "test.com", "foo", None), ("test:8080/foo", "test:8080", "foo", None),
 ("test_com/foo", None, None, E_CANON), ("test.com", None, None, E_CANON),
 ("foo", None, None, E_CANON), ("library/foo", None, None, E_CANON),
 ("docker.io/library/foo", "docker.io", "library/foo", None),
 ("docker.io/foo", None, None, E_CANON),
]
serialization = [  # TestSerialization, through Parse
 ("", E_EMPTY, None, None, None),
 ("example.com:8000/named", None, "example.com:8000/named", None, None),
 ("example.com:8000/named:tagged", None, "example.com:8000/named", "tagged", None),
 ("other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112", None,
  "other.com/named", None, "sha256:1234567890098765432112345667890098765432112345667890098765432112"),
]

out = [ORIGIN % "reference_test.go"]
def table(ctype, name, rows, comment):
    out.append("/* %s */\nstatic const %s %s[] = {\n" % (comment, ctype, name))
    for r in rows:
        out.append("  { " + ", ".join(c(x) for x in r) + " },\n")
    out.append("};\n\n")
out.append("struct parse_case { const char *input, *err, *repository, *domain, *tag, *digest; };\n")
out.append("struct name_err_case { const char *input, *err; };\n")
out.append("struct split_case { const char *input, *domain, *path; };\n")
out.append("struct combine_case { const char *name, *digest, *tag, *combined; };\n")
out.append("struct named_case { const char *input, *domain, *path, *err; };\n")
out.append("struct serial_case { const char *input, *err, *name, *tag, *digest; };\n\n")
table("struct parse_case", "reference_parse_cases", parse, "TestReferenceParse")
table("struct name_err_case", "with_name_failure_cases", with_name_failure, "TestWithNameFailure")
table("struct split_case", "domain_and_path_cases", domain_and_path, "TestDomainAndPath")
table("struct combine_case", "with_tag_cases", with_tag, "TestWithTag")
table("struct combine_case", "with_digest_cases", with_digest, "TestWithDigest")
table("struct named_case", "parse_named_cases", parse_named, "TestParseNamed")
table("struct serial_case", "serialization_cases", serialization, "TestSerialization (the parsing half)")
open("cases_reference.h", "w").write("".join(out))

# ---- normalize_test.go ----
valid_refs = ["docker/docker","library/debian","debian","localhost/library/debian","localhost/debian",
 "LOCALDOMAIN/library/debian","LOCALDOMAIN/debian","docker.io/docker/docker","docker.io/library/debian",
 "docker.io/debian","index.docker.io/docker/docker","index.docker.io/library/debian","index.docker.io/debian",
 "127.0.0.1:5000/docker/docker","127.0.0.1:5000/library/debian","127.0.0.1:5000/debian","192.168.0.1",
 "192.168.0.1:80","192.168.0.1:8/debian","192.168.0.2:25000/debian",
 "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev","[fc00::1]:5000/docker",
 "[fc00::1]:5000/docker/docker","[fc00:1:2:3:4:5:6:7]:5000/library/debian",
 "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a","Docker/docker","DOCKER/docker"]
invalid_refs = ["https://github.com/docker/docker","docker/Docker","-docker","-docker/docker",
 "-docker.io/docker/docker","docker///docker","docker.io/docker/Docker","docker.io/docker///docker",
 "[fc00::1]","[fc00::1]:5000","fc00::1:5000/debian","[fe80::1%eth0]:5000/debian",
 "[2001:db8:3:4::192.0.2.33]:5000/debian","1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"]
valid_remote = ["docker/docker","thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
 "docker-rules/docker","docker---rules/docker","doc/docker","d/docker","jess/t","dock__er/docker"]
ns = "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_"
invalid_remote = ["docker/Docker","docker///docker",
 "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a","-docker/docker","docker-/docker",
 "-docker-/docker","____/____","_docker/_docker","dock..er/docker","dock_.er/docker","dock-.er/docker",
 "docker/", (ns*4)[:-1] + "/docker"]
# RemoteName, FamiliarName, FullName, AmbiguousName, Domain
repo_info = [
 ("fooo","localhost/fooo","localhost/fooo","localhost/fooo","localhost"),
 ("fooo/bar","localhost/fooo/bar","localhost/fooo/bar","localhost/fooo/bar","localhost"),
 ("fooo","LOCALDOMAIN/fooo","LOCALDOMAIN/fooo","LOCALDOMAIN/fooo","LOCALDOMAIN"),
 ("fooo/bar","LOCALDOMAIN/fooo/bar","LOCALDOMAIN/fooo/bar","LOCALDOMAIN/fooo/bar","LOCALDOMAIN"),
 ("fooo/bar","fooo/bar","docker.io/fooo/bar","index.docker.io/fooo/bar","docker.io"),
 ("library/ubuntu","ubuntu","docker.io/library/ubuntu","library/ubuntu","docker.io"),
 ("nonlibrary/ubuntu","nonlibrary/ubuntu","docker.io/nonlibrary/ubuntu","","docker.io"),
 ("other/library","other/library","docker.io/other/library","","docker.io"),
 ("private/moonbase","127.0.0.1:8000/private/moonbase","127.0.0.1:8000/private/moonbase","","127.0.0.1:8000"),
 ("privatebase","127.0.0.1:8000/privatebase","127.0.0.1:8000/privatebase","","127.0.0.1:8000"),
 ("private/moonbase","example.com/private/moonbase","example.com/private/moonbase","","example.com"),
 ("privatebase","example.com/privatebase","example.com/privatebase","","example.com"),
 ("private/moonbase","example.com:8000/private/moonbase","example.com:8000/private/moonbase","","example.com:8000"),
 ("privatebasee","example.com:8000/privatebasee","example.com:8000/privatebasee","","example.com:8000"),
 ("library/ubuntu-12.04-base","ubuntu-12.04-base","docker.io/library/ubuntu-12.04-base","index.docker.io/library/ubuntu-12.04-base","docker.io"),
 ("library/foo","foo","docker.io/library/foo","docker.io/foo","docker.io"),
 ("library/foo/bar","library/foo/bar","docker.io/library/foo/bar","","docker.io"),
 ("store/foo/bar","store/foo/bar","docker.io/store/foo/bar","","docker.io"),
 ("bar","Foo/bar","Foo/bar","","Foo"),
 ("bar","FOO/bar","FOO/bar","","FOO"),
]
R = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
# Reference, Equivalent, digest-only?
any_ref = [
 ("redis","docker.io/library/redis",0), ("redis:latest","docker.io/library/redis:latest",0),
 ("docker.io/library/redis:latest","docker.io/library/redis:latest",0),
 ("redis@sha256:"+R,"docker.io/library/redis@sha256:"+R,0),
 ("docker.io/library/redis@sha256:"+R,"docker.io/library/redis@sha256:"+R,0),
 ("dmcgowan/myapp","docker.io/dmcgowan/myapp",0), ("dmcgowan/myapp:latest","docker.io/dmcgowan/myapp:latest",0),
 ("docker.io/mcgowan/myapp:latest","docker.io/mcgowan/myapp:latest",0),
 ("dmcgowan/myapp@sha256:"+R,"docker.io/dmcgowan/myapp@sha256:"+R,0),
 ("docker.io/dmcgowan/myapp@sha256:"+R,"docker.io/dmcgowan/myapp@sha256:"+R,0),
 (R,"sha256:"+R,1), ("sha256:"+R,"sha256:"+R,1),
 (R[:-1],"docker.io/library/"+R[:-1],0), ("dbcc1","docker.io/library/dbcc1",0),
]
split_host = [("test.com/foo","test.com","foo"),("test_com/foo","docker.io","test_com/foo"),
 ("docker/migrator","docker.io","docker/migrator"),("test.com:8080/foo","test.com:8080","foo"),
 ("test-com:8080/foo","test-com:8080","foo"),("foo","docker.io","library/foo"),
 ("xn--n3h.com/foo","xn--n3h.com","foo"),("xn--n3h.com:18080/foo","xn--n3h.com:18080","foo"),
 ("docker.io/foo","docker.io","library/foo"),("docker.io/library/foo","docker.io","library/foo"),
 ("docker.io/library/foo/bar","docker.io","library/foo/bar")]
match = [("foo","foo/**/ba[rz]",0),("foo/any/bat","foo/**/ba[rz]",0),("foo/a/bar","foo/**/ba[rz]",1),
 ("foo/b/baz","foo/**/ba[rz]",1),("foo/c/baz:tag","foo/**/ba[rz]",1),("foo/c/baz:tag","foo/*/baz:tag",1),
 ("foo/c/baz:tag","foo/c/baz:tag",1),("example.com/foo/c/baz:tag","*/foo/c/baz",1),
 ("example.com/foo/c/baz:tag","example.com/foo/c/baz",1)]
E6 = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582"
docker_ref = [("busybox","docker.io/library/busybox:latest"),("busybox:latest","docker.io/library/busybox:latest"),
 ("busybox@"+E6,"docker.io/library/busybox@"+E6),("library/busybox","docker.io/library/busybox:latest"),
 ("docker.io/busybox","docker.io/library/busybox:latest"),("docker.io/library/busybox","docker.io/library/busybox:latest"),
 ("docker.io/busybox:latest","docker.io/library/busybox:latest"),("library/busybox:latest","docker.io/library/busybox:latest"),
 ("docker.io/library/busybox:latest","docker.io/library/busybox:latest"),("gcr.io/library/busybox","gcr.io/library/busybox:latest"),
 ("gcr.io/library/busybox:latest@"+E6,"gcr.io/library/busybox@"+E6)]

out = [ORIGIN % "normalize_test.go"]
out.append("struct repo_info_case { const char *remote_name, *familiar_name, *full_name, *ambiguous_name, *domain; };\n")
out.append("struct any_case { const char *reference, *equivalent; int digest_only; };\n")
out.append("struct nsplit_case { const char *input, *domain, *path; };\n")
out.append("struct match_case { const char *reference, *pattern; int expected; };\n")
out.append("struct docker_ref_case { const char *input, *expected; };\n\n")
def strtable(name, rows, comment):
    out.append("/* %s */\nstatic const char *const %s[] = {\n" % (comment, name))
    for r in rows:
        out.append("  %s,\n" % c(r))
    out.append("};\n\n")
def table2(ctype, name, rows, comment):
    out.append("/* %s */\nstatic const %s %s[] = {\n" % (comment, ctype, name))
    for r in rows:
        out.append("  { " + ", ".join(str(x) if isinstance(x, int) else c(x) for x in r) + " },\n")
    out.append("};\n\n")
strtable("valid_repo_names", valid_refs, "TestValidateReferenceName: validRepoNames")
strtable("invalid_repo_names", invalid_refs, "TestValidateReferenceName: invalidRepoNames")
strtable("valid_remote_names", valid_remote, "TestValidateRemoteName: validRepositoryNames")
strtable("invalid_remote_names", invalid_remote, "TestValidateRemoteName: invalidRepositoryNames")
table2("struct repo_info_case", "repo_info_cases", repo_info, "TestParseRepositoryInfo (\"\" ambiguous name: none)")
out.append("/* TestParseReferenceWithTagAndDigest */\nstatic const char tag_and_digest_ref[] =\n  %s;\n\n" % c("busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"))
table2("struct any_case", "any_reference_cases", any_ref, "TestParseAnyReference (digest_only: Expected is a digestReference)")
table2("struct nsplit_case", "normalized_split_cases", split_host, "TestNormalizedSplitHostname")
table2("struct match_case", "match_cases", match, "TestMatch")
table2("struct docker_ref_case", "docker_ref_cases", docker_ref, "TestParseDockerRef")
open("cases_normalize.h", "w").write("".join(out))
