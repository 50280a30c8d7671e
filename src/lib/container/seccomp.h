/* Seccomp profiles in moby's format (defaultAction, archMap, syscalls[]
 * with names, action, args, errnoRet, includes/excludes by caps, arches
 * and minKernel) turned into the OCI runtime spec's linux.seccomp for one
 * container, as Docker 20.10 turns them (profiles/seccomp in moby): the
 * rules that apply to the container's capabilities, the host's
 * architecture and kernel, and nothing else.  The profile is data: the
 * default one is Docker 20.10's own (moby's profiles/seccomp/default.json,
 * which scripts/install-deps.sh takes out of Debian's
 * golang-github-docker-docker-dev), else the one Debian installs with
 * containers-common. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"

/* Docker 20.10's default profile, the one its daemon has built in: it
 * refuses unshare, keyctl, mount… to a container without the capability. */
#define BERTH_SECCOMP_DEFAULT_PROFILE "/usr/local/share/berth/seccomp.json"

/* Read when the default is not there: containers-common's (podman's)
 * profile, moby's with a longer list allowed to everyone (unshare, keyctl,
 * mount, …), where capabilities alone refuse what needs them.  A weaker
 * filter but a filter (why not an error: berth_seccomp_default_load). */
#define BERTH_SECCOMP_FALLBACK_PROFILE "/usr/share/containers/seccomp.json"

/* A profile file is read up to this size: moby's default is ~20 KiB. */
#define BERTH_SECCOMP_PROFILE_MAX (4 * 1024 * 1024)

/* What the rules are chosen for besides the capabilities. */
typedef struct berth_seccomp_host {
  const char *arch;       /* as Docker names it: "amd64", "arm64", "x86", "ppc64le", … */
  unsigned kernel, major; /* the running kernel's version, "6.18" */
} berth_seccomp_host;

/* This build's architecture and the running kernel (uname). */
void berth_seccomp_host_detect(berth_seccomp_host *h);

/* Parses a profile (outside input: any bytes) and checks its shape, every
 * rule's: the types moby's decoder wants, minKernel as "<kernel>.<major>".
 * Errors in Docker's words: "Decoding seccomp profile failed: …". */
json_t *berth_seccomp_profile_parse(const char *text, size_t len, berth_error **err);

/* Reads and parses the profile at path (the configured default).  A
 * missing file is an error, never "no filter":
 * "opening seccomp profile (PATH) failed: open PATH: no such file or
 * directory". */
json_t *berth_seccomp_profile_load(const char *path, berth_error **err);

/* The default profile when no seccomp-profile is configured: the one at
 * path, or when that file does not exist (only then: one that cannot be
 * read or parsed is an error) the one at fallback.  Both missing: the
 * error names path.  *used (may be NULL) gets the path read. */
json_t *berth_seccomp_default_load(const char *path, const char *fallback, const char **used,
                                   berth_error **err);

/* The path berth_seccomp_default_load would read from the two defaults
 * above (for info), BERTH_SECCOMP_DEFAULT_PROFILE when neither exists. */
const char *berth_seccomp_default_path(void);

/* Docker's CLI for --security-opt seccomp=PATH: the file's JSON (outside
 * input, checked for syntax only, as Docker's json.Compact does) without
 * its whitespace, as "seccomp=<json>" for HostConfig.SecurityOpt.  Errors
 * in Docker's words ("opening seccomp profile (x) failed: …",
 * "compacting json for seccomp profile (x) failed: …"). */
char *berth_seccomp_opt_from_file(const char *path, berth_error **err);

/* The linux.seccomp object for a process with capabilities caps
 * (NULL-terminated) on host h, from a parsed profile: *out NULL when the
 * profile turns seccomp off (no defaultAction and no syscalls, as Docker
 * reads it).  The actions, operators and architectures that end up in it
 * are checked against the runtime's names (runc's words), so a bad profile
 * fails here rather than when the container starts. */
int berth_seccomp_convert(const json_t *profile, char *const *caps, const berth_seccomp_host *h,
                          json_t **out, berth_error **err);
