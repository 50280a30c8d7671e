/* Unit tests of the seccomp profile converter (container/seccomp.h): the
 * conditional rules by capability, architecture and kernel, the
 * architectures from archMap, and the profiles it must refuse. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/seccomp.h"
#include "harness.h"

static const berth_seccomp_host amd64_6 = { "amd64", 6, 1 };

/* The converted filter of text for caps on h; NULL when refused (the
 * error's message into *msg then) or when there is no filter. */
static json_t *
convert(const char *text, char *const *caps, const berth_seccomp_host *h, char **msg)
{
  cleanup_error berth_error *err = NULL;
  cleanup_json json_t *p = berth_seccomp_profile_parse(text, strlen(text), &err);
  json_t *out = NULL;
  if (p == NULL || berth_seccomp_convert(p, caps, h, &out, &err) < 0) {
    if (msg != NULL)
      *msg = xstrdup(berth_error_message(err));
    return NULL;
  }
  return out;
}

/* The names of the filter's rules, space-separated, each rule's names
 * joined by ',' (and ":ACTION" when not ALLOW). */
static char *
rules(const json_t *sc)
{
  char *s = xstrdup("");
  size_t i, j;
  json_t *r, *n;
  json_array_foreach(json_object_get(sc, "syscalls"), i, r)
  {
    char *names = xstrdup("");
    json_array_foreach(json_object_get(r, "names"), j, n)
    {
      char *t = xasprintf("%s%s%s", names, j ? "," : "", json_string_value(n));
      free(names);
      names = t;
    }
    const char *a = json_string_value(json_object_get(r, "action"));
    char *t
        = xasprintf("%s%s%s%s%s", s, i ? " " : "", names, strcmp(a, "SCMP_ACT_ALLOW") ? ":" : "",
                    strcmp(a, "SCMP_ACT_ALLOW") ? a + 9 : "");
    free(names);
    free(s);
    s = t;
  }
  return s;
}

/* The action of the first rule naming call. */
static const char *
action_of(const json_t *sc, const char *call)
{
  size_t i, j;
  json_t *r, *n;
  json_array_foreach(json_object_get(sc, "syscalls"), i, r)
  {
    json_array_foreach(json_object_get(r, "names"), j,
                       n) if (strcmp(json_string_value(n), call)
                              == 0) return json_string_value(json_object_get(r, "action"));
  }
  return NULL;
}

static const char by_caps[]
    = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
      "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
      "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_"
      "ADMIN\"]}},"
      "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
      "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
      "{\"names\":[\"both\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_A\","
      "\"CAP_B\"]}},"
      "{\"names\":[\"either\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":[\"CAP_A\","
      "\"CAP_B\"]}}]}";

TEST(includes_and_excludes_by_caps)
{
  char *none[] = { NULL };
  char *admin[] = { "CAP_CHOWN", "CAP_SYS_ADMIN", NULL };
  char *a[] = { "CAP_A", NULL };
  char *ab[] = { "CAP_B", "CAP_A", NULL };
  cleanup_json json_t *f0 = convert(by_caps, none, &amd64_6, NULL);
  cleanup_json json_t *f1 = convert(by_caps, admin, &amd64_6, NULL);
  cleanup_json json_t *f2 = convert(by_caps, a, &amd64_6, NULL);
  cleanup_json json_t *f3 = convert(by_caps, ab, &amd64_6, NULL);
  cleanup_free char *r0 = rules(f0), *r1 = rules(f1), *r2 = rules(f2), *r3 = rules(f3);
  CHECK_STR(r0, "read,write mount:ERRNO either");
  CHECK_STR(r1, "read,write mount either");
  /* includes: every cap listed; excludes: any one of them */
  CHECK_STR(r2, "read,write mount:ERRNO");
  CHECK_STR(r3, "read,write mount:ERRNO both");
  CHECK_STR(json_string_value(json_object_get(f0, "defaultAction")), "SCMP_ACT_ERRNO");
  /* errnoRet kept, only where the profile has it */
  json_t *m = json_array_get(json_object_get(f0, "syscalls"), 1);
  CHECK(json_integer_value(json_object_get(m, "errnoRet")) == 1);
  CHECK(json_object_get(json_array_get(json_object_get(f0, "syscalls"), 0), "errnoRet") == NULL);
}

static const char by_arch[]
    = "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
      "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":"
      "[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]},"
      "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
      "\"syscalls\":[{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":"
      "{\"arches\":[\"amd64\",\"x32\"]}},"
      "{\"names\":[\"not_arm\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":"
      "[\"arm\",\"arm64\"]}}]}";

TEST(includes_and_excludes_by_arch)
{
  char *none[] = { NULL };
  berth_seccomp_host arm64 = { "arm64", 6, 1 }, s390x = { "s390x", 6, 1 };
  cleanup_json json_t *x = convert(by_arch, none, &amd64_6, NULL);
  cleanup_json json_t *a = convert(by_arch, none, &arm64, NULL);
  cleanup_json json_t *s = convert(by_arch, none, &s390x, NULL);
  cleanup_free char *rx = rules(x), *ra = rules(a), *rs = rules(s);
  CHECK_STR(rx, "arch_prctl not_arm");
  CHECK_STR(ra, "");
  CHECK_STR(rs, "not_arm");
  /* no rule left: no syscalls list at all, as Docker writes it */
  CHECK(json_object_get(a, "syscalls") == NULL);
  cleanup_free char *ax = json_dumps(json_object_get(x, "architectures"), JSON_COMPACT);
  cleanup_free char *aa = json_dumps(json_object_get(a, "architectures"), JSON_COMPACT);
  CHECK_STR(ax, "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
  CHECK_STR(aa, "[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]");
  /* an architecture archMap does not list: the runtime's native one */
  CHECK(json_object_get(s, "architectures") == NULL);
  /* the legacy list is taken as it is */
  cleanup_json json_t *l = convert("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
                                   "[\"SCMP_ARCH_X86\"]}",
                                   none, &amd64_6, NULL);
  cleanup_free char *al = json_dumps(json_object_get(l, "architectures"), JSON_COMPACT);
  CHECK_STR(al, "[\"SCMP_ARCH_X86\"]");
}

static const char by_kernel[]
    = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
      "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"4.8\"}},"
      "{\"names\":[\"old\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"minKernel\":\"4.8\"}},"
      "{\"names\":[\"any\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"\"}}]}";

TEST(min_kernel)
{
  char *none[] = { NULL };
  berth_seccomp_host k47 = { "amd64", 4, 7 }, k48 = { "amd64", 4, 8 }, k5 = { "amd64", 5, 0 },
                     k3 = { "amd64", 3, 19 };
  const berth_seccomp_host *hs[] = { &k47, &k48, &k5, &k3 };
  const char *want[] = { "old any", "ptrace any", "ptrace any", "old any" };
  for (int i = 0; i < 4; i++) {
    cleanup_json json_t *f = convert(by_kernel, none, hs[i], NULL);
    cleanup_free char *r = rules(f);
    CHECK_STR(r, want[i]);
  }
}

TEST(args_and_names)
{
  char *none[] = { NULL };
  cleanup_json json_t *f = convert(
      "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"name\":\"personality\","
      "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":0,\"op\":"
      "\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":255,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]"
      ",\"comment\":\"x\",\"errno\":\"EPERM\"},{\"action\":\"SCMP_ACT_ERRNO\"}]}",
      none, &amd64_6, NULL);
  /* the legacy "name", args with valueTwo only when set; a rule naming no
   * syscall is left out; fields moby ignores (comment, errno) too */
  cleanup_free char *got = json_dumps(f, JSON_COMPACT);
  CHECK_STR(got,
            "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"personality\"],"
            "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_"
            "CMP_EQ\"},{\"index\":1,\"value\":255,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}"
            "]}]}");
}

TEST(no_filter)
{
  char *none[] = { NULL };
  char *msg = NULL;
  /* Docker: no defaultAction and no syscalls turns seccomp off */
  CHECK(convert("{}", none, &amd64_6, &msg) == NULL && msg == NULL);
  CHECK(convert("{\"syscalls\":[]}", none, &amd64_6, &msg) == NULL && msg == NULL);
  free(msg);
}

/* Each of these is refused, with these words. */
static const char *const bad[][2] = {
  { "{bad", "Decoding seccomp profile failed: string or '}' expected near 'bad'" },
  { "[]", "Decoding seccomp profile failed: the profile: want an object" },
  { "{\"defaultAction\":5}", "Decoding seccomp profile failed: defaultAction: want a string" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":\"x\"}",
    "Decoding seccomp profile failed: syscalls: want a list" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[1]}]}",
    "Decoding seccomp profile failed: syscalls[0].names: want a list of strings" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"args\":[{\"index\":"
    "-1}]}]}",
    "Decoding seccomp profile failed: syscalls[0].args[0].index: want an integer of 0 or more" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"includes\":{\"caps\":"
    "\"CAP_X\"}}]}",
    "Decoding seccomp profile failed: syscalls[0].includes.caps: want a list of strings" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"excludes\":{"
    "\"minKernel\":\"bogus\"}}]}",
    "Decoding seccomp profile failed: invalid kernel version: \"bogus\", expected "
    "\"<kernel>.<major>\"" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"includes\":{"
    "\"minKernel\":\"0.0\"}}]}",
    "Decoding seccomp profile failed: invalid kernel version: \"0.0\", expected "
    "\"<kernel>.<major>\"" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"includes\":{"
    "\"minKernel\":\"4.8.1\"}}]}",
    "Decoding seccomp profile failed: invalid kernel version: \"4.8.1\", expected "
    "\"<kernel>.<major>\"" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"includes\":{"
    "\"minKernel\":\"256.1\"}}]}",
    "Decoding seccomp profile failed: invalid kernel version: \"256.1\", expected "
    "\"<kernel>.<major>\"" },
  { "{\"defaultAction\":\"SCMP_ACT_BOGUS\"}",
    "invalid seccomp profile: defaultAction: string SCMP_ACT_BOGUS is not a valid action for "
    "seccomp" },
  { "{\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "invalid seccomp profile: defaultAction: string  is not a valid action for seccomp" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"action\":"
    "\"SCMP_ACT_NOTIFY\"}]}",
    "invalid seccomp profile: syscalls[0]: string SCMP_ACT_NOTIFY is not a valid action for "
    "seccomp" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"action\":"
    "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_BOGUS\"}]}]}",
    "invalid seccomp profile: syscalls[0]: string SCMP_CMP_BOGUS is not a valid operator for "
    "seccomp" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"action\":"
    "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "invalid seccomp profile: syscalls[0]: syscalls only have up to 6 arguments (6 given)" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"name\":\"a\",\"names\":[\"b\"],"
    "\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],\"archMap\":"
    "[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
    "'architectures' and 'archMap' were specified in the seccomp profile, use either "
    "'architectures' or 'archMap'" },
  { "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_BOGUS\"]}",
    "invalid seccomp profile: string SCMP_ARCH_BOGUS is not a valid arch for seccomp" },
};

TEST(bad_profiles)
{
  char *none[] = { NULL };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cleanup_free char *msg = NULL;
    cleanup_json json_t *f = convert(bad[i][0], none, &amd64_6, &msg);
    CHECK(f == NULL);
    if (msg == NULL || strncmp(msg, bad[i][1], strlen(bad[i][1])) != 0) {
      printf("#   profile %s\n#   got  %s\n#   want %s\n", bad[i][0], msg ? msg : "(null)",
             bad[i][1]);
      berth_t.failed_here++;
    }
  }
  /* a rule that does not apply is still checked for its shape */
  cleanup_free char *msg = NULL;
  CHECK(convert("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],"
                "\"includes\":{\"arches\":[\"s390\"]},\"args\":\"x\"}]}",
                none, &amd64_6, &msg)
        == NULL);
  CHECK_STR(msg, "Decoding seccomp profile failed: syscalls[0].args: want a list");
}

TEST(profile_files)
{
  cleanup_error berth_error *err = NULL;
  CHECK(berth_seccomp_profile_load("/nonexistent/p.json", &err) == NULL);
  CHECK_STR(berth_error_message(err), "opening seccomp profile (/nonexistent/p.json) failed: open "
                                      "/nonexistent/p.json: no such file or directory");
  char dir[] = "/tmp/berth-seccomp-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  cleanup_free char *path = xasprintf("%s/p.json", dir);
  FILE *f = fopen(path, "w");
  fputs("{ \"defaultAction\" : \"SCMP_ACT_ALLOW\",\n  \"x\": \"a b\\\" c\" }\n", f);
  fclose(f);
  cleanup_error berth_error *err2 = NULL;
  cleanup_free char *opt = berth_seccomp_opt_from_file(path, &err2);
  /* whitespace out, strings kept (Go's json.Compact) */
  CHECK_STR(opt, "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"x\":\"a b\\\" c\"}");
  f = fopen(path, "w");
  fputs("{bad", f);
  fclose(f);
  cleanup_error berth_error *err3 = NULL;
  CHECK(berth_seccomp_opt_from_file(path, &err3) == NULL);
  cleanup_free char *want = xasprintf("compacting json for seccomp profile (%s) failed: ", path);
  CHECK(err3 != NULL && strncmp(berth_error_message(err3), want, strlen(want)) == 0);
  cleanup_error berth_error *err4 = NULL;
  CHECK(berth_seccomp_opt_from_file(dir, &err4) == NULL);
  cleanup_free char *want4
      = xasprintf("opening seccomp profile (%s) failed: read %s: is a directory", dir, dir);
  CHECK_STR(berth_error_message(err4), want4);
  unlink(path);
  rmdir(dir);
}

/* The default profile (Docker 20.10's) and the fallback (containers-
 * common's), where installed: the rules that hang on CAP_SYS_ADMIN follow
 * it; unshare is CAP_SYS_ADMIN's in Docker's, everyone's in the other. */
TEST(debian_profiles)
{
  const char *paths[] = { BERTH_SECCOMP_DEFAULT_PROFILE, BERTH_SECCOMP_FALLBACK_PROFILE };
  for (size_t i = 0; i < 2; i++) {
    if (access(paths[i], R_OK) != 0) {
      printf("# skip: no %s\n", paths[i]);
      continue;
    }
    cleanup_error berth_error *err = NULL;
    cleanup_json json_t *p = berth_seccomp_profile_load(paths[i], &err);
    CHECK(p != NULL);
    char *def[] = { "CAP_CHOWN", "CAP_AUDIT_WRITE", NULL };
    char *admin[] = { "CAP_SYS_ADMIN", NULL };
    json_t *a = NULL, *b = NULL;
    CHECK(berth_seccomp_convert(p, def, &amd64_6, &a, &err) == 0);
    CHECK(berth_seccomp_convert(p, admin, &amd64_6, &b, &err) == 0);
    CHECK_STR(action_of(b, "sethostname"), "SCMP_ACT_ALLOW");
    CHECK_STR(action_of(a, "read"), "SCMP_ACT_ALLOW");
    CHECK(action_of(a, "no_such_call") == NULL);
    CHECK_STR(action_of(b, "unshare"), "SCMP_ACT_ALLOW");
    if (i == 0) { /* not listed for those caps: the default action */
      CHECK(action_of(a, "sethostname") == NULL);
      CHECK(action_of(a, "unshare") == NULL && action_of(a, "keyctl") == NULL);
    } else { /* an ERRNO rule of its own; unshare for everyone */
      CHECK_STR(action_of(a, "sethostname"), "SCMP_ACT_ERRNO");
      CHECK_STR(action_of(a, "unshare"), "SCMP_ACT_ALLOW");
    }
    json_decref(a);
    json_decref(b);
  }
}

/* The default's fallback: only for a file that is not there. */
TEST(default_fallback)
{
  char dir[] = "/tmp/berth-seccomp-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  cleanup_free char *fb = xasprintf("%s/fallback.json", dir);
  cleanup_free char *broken = xasprintf("%s/broken.json", dir);
  cleanup_free char *none = xasprintf("%s/none.json", dir);
  FILE *f = fopen(fb, "w");
  fputs("{\"defaultAction\":\"SCMP_ACT_LOG\"}", f);
  fclose(f);
  f = fopen(broken, "w");
  fputs("{bad", f);
  fclose(f);

  const char *used = NULL;
  cleanup_error berth_error *err = NULL;
  cleanup_json json_t *p = berth_seccomp_default_load(none, fb, &used, &err);
  CHECK(p != NULL && err == NULL);
  CHECK_STR(json_string_value(json_object_get(p, "defaultAction")), "SCMP_ACT_LOG");
  CHECK(used == fb);
  /* there: read, the fallback not looked at */
  cleanup_json json_t *q = berth_seccomp_default_load(fb, none, &used, &err);
  CHECK(q != NULL && used == fb);
  /* there but broken: its error, no fallback */
  cleanup_json json_t *r = berth_seccomp_default_load(broken, fb, &used, &err);
  CHECK(r == NULL && err != NULL);
  cleanup_free char *want
      = xasprintf("seccomp profile %s: Decoding seccomp profile failed: ", broken);
  CHECK(err != NULL && strncmp(berth_error_message(err), want, strlen(want)) == 0);
  /* missing and a broken fallback: the fallback's error */
  cleanup_error berth_error *err2 = NULL;
  CHECK(berth_seccomp_default_load(none, broken, NULL, &err2) == NULL);
  cleanup_free char *want2 = xasprintf("seccomp profile %s: ", broken);
  CHECK(err2 != NULL && strncmp(berth_error_message(err2), want2, strlen(want2)) == 0);
  /* both missing: the error names the default, never "no filter" */
  cleanup_error berth_error *err3 = NULL;
  cleanup_free char *none2 = xasprintf("%s/none2.json", dir);
  CHECK(berth_seccomp_default_load(none, none2, NULL, &err3) == NULL);
  cleanup_free char *want3 = xasprintf(
      "opening seccomp profile (%s) failed: open %s: no such file or directory", none, none);
  CHECK_STR(berth_error_message(err3), want3);
  /* no fallback given: as berth_seccomp_profile_load */
  cleanup_error berth_error *err4 = NULL;
  CHECK(berth_seccomp_default_load(none, NULL, NULL, &err4) == NULL);
  CHECK_STR(berth_error_message(err4), want3);
  unlink(fb);
  unlink(broken);
  rmdir(dir);
}

int
main(void)
{
  RUN(includes_and_excludes_by_caps);
  RUN(includes_and_excludes_by_arch);
  RUN(min_kernel);
  RUN(args_and_names);
  RUN(no_filter);
  RUN(bad_profiles);
  RUN(profile_files);
  RUN(debian_profiles);
  RUN(default_fallback);
  DONE();
}
