/* RUN's --mount and --network flags as BuildKit's frontend parses them
 * (build/run_flags.c). */
#include <stdlib.h>
#include <string.h>

#include "build/run_mounts.h"
#include "common/cleanup.h"
#include "harness.h"

static char *env[] = { "DIR=/cache/dir", "ID=mine", NULL };

/* Parses one flag; 0 with *f, or -1 with the error's words in msg. */
static int
parse1(const char *flag, const char *workdir, berth_run_flags *f, char msg[256])
{
  char *flags[] = { (char *)flag, NULL };
  berth_error *e = NULL;
  int r = berth_build_run_flags_parse(flags, 1, '\\', env, workdir, f, &e);
  msg[0] = '\0';
  if (e != NULL) {
    snprintf(msg, 256, "%s", berth_error_message(e));
    berth_error_free(e);
  }
  return r;
}

static bool
fails(const char *flag, const char *want)
{
  berth_run_flags f;
  char msg[256];
  if (parse1(flag, "/", &f, msg) == 0) {
    berth_build_run_flags_clear(&f);
    return false;
  }
  if (strcmp(msg, want) != 0)
    fprintf(stderr, "# %s: got '%s', want '%s'\n", flag, msg, want);
  return strcmp(msg, want) == 0;
}

TEST(defaults)
{
  berth_run_flags f;
  char msg[256];
  CHECK(parse1("--mount=target=/src", "/", &f, msg) == 0);
  CHECK(f.n_mounts == 1 && f.mounts[0].type == BERTH_RUN_MOUNT_BIND && f.mounts[0].readonly);
  CHECK_STR(f.mounts[0].source, "");
  berth_build_run_flags_clear(&f);
  /* cache: rw, id = the target, sharing shared; a relative target joins WORKDIR */
  CHECK(parse1("--mount=type=cache,target=./c/../d", "/work", &f, msg) == 0);
  CHECK(!f.mounts[0].readonly);
  CHECK_STR(f.mounts[0].target, "/work/d");
  CHECK_STR(f.mounts[0].id, "/d");
  CHECK_STR(f.mounts[0].sharing, "shared");
  berth_build_run_flags_clear(&f);
  /* values are expanded; keys are case-insensitive; dst is target */
  CHECK(parse1("--mount=Type=cache,dst=$DIR,id=${ID},mode=0700,uid=5", "/", &f, msg) == 0);
  CHECK_STR(f.mounts[0].target, "/cache/dir");
  CHECK_STR(f.mounts[0].id, "mine");
  CHECK(f.mounts[0].has_mode && f.mounts[0].mode == 0700 && f.mounts[0].uid == 5);
  berth_build_run_flags_clear(&f);
  /* secret: target /run/secrets/<id>, read-only; id from the target */
  CHECK(parse1("--mount=type=secret,id=tok", "/", &f, msg) == 0);
  CHECK_STR(f.mounts[0].target, "/run/secrets/tok");
  CHECK(f.mounts[0].readonly && !f.mounts[0].required);
  berth_build_run_flags_clear(&f);
  CHECK(parse1("--mount=type=secret,target=/etc/key,required", "/", &f, msg) == 0);
  CHECK_STR(f.mounts[0].id, "key");
  CHECK(f.mounts[0].required);
  berth_build_run_flags_clear(&f);
  /* tmpfs sizes as go-units' RAMInBytes; a quoted CSV field */
  CHECK(parse1("--mount=type=tmpfs,target=/t,size=1.5m", "/", &f, msg) == 0);
  CHECK(f.mounts[0].size == 1572864ULL);
  berth_build_run_flags_clear(&f);
  CHECK(parse1("--mount=type=bind,\"source=a,b\",target=/x,rw=true", "/", &f, msg) == 0);
  CHECK_STR(f.mounts[0].source, "a,b");
  CHECK(!f.mounts[0].readonly);
  char *w = berth_build_run_flags_words(&f);
  CHECK_STR(w, "--mount=type=bind,target=/x,source=\"a,b\",rw=true");
  free(w);
  berth_build_run_flags_clear(&f);
  CHECK(parse1("--network=none", "/", &f, msg) == 0);
  CHECK_STR(f.network, "none");
  w = berth_build_run_flags_words(&f);
  CHECK_STR(w, "--network=none");
  free(w);
  berth_build_run_flags_clear(&f);
}

TEST(errors)
{
  CHECK(fails("--mount=type=nfs,target=/x", "unsupported mount type \"nfs\""));
  CHECK(fails("--mount=type=cache", "invalid mount target \"/\""));
  CHECK(fails("--mount=type=bind,target=/x/..", "invalid mount target \"/\""));
  CHECK(fails("--mount=target=/x,color=red", "unexpected key 'color' in 'color=red'"));
  CHECK(fails("--mount=target=/x,bogus", "invalid field 'bogus' must be a key=value pair"));
  CHECK(fails("--mount=target=/x,required", "unexpected key 'required' for mount type 'bind'"));
  CHECK(fails("--mount=type=cache,target=/x,size=1m",
              "unexpected key 'size' for mount type 'cache'"));
  CHECK(fails("--mount=type=tmpfs,target=/x,size=lots", "invalid value for size: lots"));
  CHECK(fails("--mount=type=bind,target=/x,uid=1", "uid not allowed for \"bind\" type mounts"));
  CHECK(fails("--mount=type=cache,target=/x,mode=9", "invalid value 9 for mode"));
  CHECK(fails("--mount=type=cache,target=/x,sharing=all", "unsupported sharing value \"all\""));
  CHECK(fails("--mount=type=tmpfs,target=/x,sharing=locked",
              "invalid cache sharing set for tmpfs mount"));
  CHECK(fails("--mount=type=bind,target=/x,ro=maybe", "invalid value for ro: maybe"));
  CHECK(fails("--mount=type=secret", "invalid secret mount. one of source, target required"));
  CHECK(fails("--mount=type=bind,from=$X,target=/x",
              "'from' doesn't support variable expansion, define alias stage instead"));
  CHECK(fails("--mount=target=/x,\"source=a", "failed to parse csv mounts: extraneous or "
                                              "missing \" in quoted-field"));
  CHECK(fails("--network=bridge", "invalid network mode \"bridge\""));
  CHECK(fails("--security=insecure", "RUN --security=insecure is not yet supported"));
}

TEST(mount_from)
{
  char *v = berth_build_run_mount_from("--mount=type=bind,FROM=build,target=/x");
  CHECK_STR(v, "build");
  free(v);
  CHECK(berth_build_run_mount_from("--mount=type=cache,target=/x") == NULL);
  CHECK(berth_build_run_mount_from("--network=none") == NULL);
}

int
main(void)
{
  RUN(defaults);
  RUN(errors);
  RUN(mount_from);
  DONE();
}
