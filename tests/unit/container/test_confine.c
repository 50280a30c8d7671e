/* Unit tests of a container's confinement (container/confine.h and the
 * parts under it): capabilities from CapAdd/CapDrop/Privileged, --tmpfs,
 * --device, --security-opt, the HostConfig create writes and the spec. */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/caps.h"
#include "container/confine.h"
#include "container/devices.h"
#include "container/spec.h"
#include "container/tmpfs.h"
#include "harness.h"

static char *
join(char *const *v)
{
  char *s = xstrdup("");
  for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
    char *t = xasprintf("%s%s%s", s, i ? " " : "", v[i]);
    free(s);
    s = t;
  }
  return s;
}

/* caps of a HostConfig written as JSON */
static char *
caps_of(const char *hc_text, char **msg)
{
  cleanup_json json_t *hc = json_loads(hc_text, 0, NULL);
  cleanup_error berth_error *err = NULL;
  cleanup_strv char **caps = berth_caps_for(hc, &err);
  if (caps == NULL) {
    *msg = xstrdup(berth_error_message(err));
    return NULL;
  }
  return join(caps);
}

static bool
has_word(const char *s, const char *w)
{
  size_t n = strlen(w);
  for (const char *p = strstr(s, w); p != NULL; p = strstr(p + 1, w))
    if ((p == s || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
      return true;
  return false;
}

TEST(capabilities)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *def = caps_of("{}", &msg);
  CHECK_STR(def, "CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW "
                 "CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE "
                 "CAP_SYS_CHROOT CAP_KILL CAP_AUDIT_WRITE");
  /* as typed: any case, with or without CAP_; a duplicate once */
  cleanup_free char *t = caps_of("{\"CapDrop\":[\"chown\",\"Cap_Kill\",\"CAP_MKNOD\",\"ALL\"],"
                                 "\"CapAdd\":[\"sys_admin\",\"CAP_NET_ADMIN\",\"SYS_ADMIN\"]}",
                                 &msg);
  CHECK_STR(t, "CAP_SYS_ADMIN CAP_NET_ADMIN");
  cleanup_free char *d = caps_of("{\"CapDrop\":[\"chown\",\"kill\"],\"CapAdd\":[\"chown\"]}", &msg);
  CHECK(d != NULL && !has_word(d, "CAP_KILL") && has_word(d, "CAP_CHOWN")
        && has_word(d, "CAP_MKNOD"));
  cleanup_free char *none = caps_of("{\"CapDrop\":[\"all\"]}", &msg);
  CHECK_STR(none, "");
  /* ALL added is every capability berth holds, less the dropped ones;
   * ALL added wins over ALL dropped (Docker's TweakCapabilities) */
  cleanup_free char *all = caps_of("{\"CapAdd\":[\"ALL\"],\"CapDrop\":[\"CHOWN\"]}", &msg);
  CHECK(all != NULL && !has_word(all, "CAP_CHOWN") && has_word(all, "CAP_KILL"));
  CHECK(all != NULL && has_word(all, "CAP_SYS_ADMIN") == (prctl(PR_CAPBSET_READ, 21) == 1));
  cleanup_free char *both = caps_of("{\"CapAdd\":[\"ALL\"],\"CapDrop\":[\"ALL\"]}", &msg);
  CHECK(both != NULL && has_word(both, "CAP_CHOWN"));
  /* privileged: all of them, CapDrop or not (Docker 20.10) */
  cleanup_free char *priv = caps_of("{\"Privileged\":true,\"CapDrop\":[\"CHOWN\"]}", &msg);
  CHECK(priv != NULL && has_word(priv, "CAP_CHOWN") && has_word(priv, "CAP_NET_ADMIN"));
  CHECK(caps_of("{\"CapAdd\":[\"FOO\"]}", &msg) == NULL);
  CHECK_STR(msg, "invalid CapAdd: unknown capability: \"CAP_FOO\"");
  free(msg);
  msg = NULL;
  CHECK(caps_of("{\"CapDrop\":[\" chown \"]}", &msg) == NULL);
  CHECK_STR(msg, "invalid CapDrop: unknown capability: \"CAP_ CHOWN \"");
  cleanup_free char *n = berth_cap_normalize("net_Admin");
  CHECK_STR(n, "CAP_NET_ADMIN");
  CHECK(berth_cap_known("CAP_CHOWN") && !berth_cap_known("CAP_ALL"));
}

static char *
tmpfs_of(char **specs, char **msg)
{
  cleanup_error berth_error *err = NULL;
  json_t *o = NULL;
  if (berth_tmpfs_hostconfig(specs, &o, &err) < 0) {
    *msg = xstrdup(berth_error_message(err));
    return NULL;
  }
  char *s = o ? json_dumps(o, JSON_COMPACT) : xstrdup("null");
  json_decref(o);
  return s;
}

TEST(tmpfs)
{
  cleanup_free char *msg = NULL;
  char *ok[] = { "/t", "/u:rw,size=1m,mode=700", "/a:ro", "/t:exec,size=64k", "/x:", NULL };
  cleanup_free char *got = tmpfs_of(ok, &msg);
  /* sorted as Go writes a map; the last of a path twice */
  CHECK_STR(got,
            "{\"/a\":\"ro\",\"/t\":\"exec,size=64k\",\"/u\":\"rw,size=1m,mode=700\",\"/x\":\"\"}");
  char *none[] = { NULL };
  cleanup_free char *n = tmpfs_of(none, &msg);
  CHECK_STR(n, "null");
  static const char *const bad[][2] = {
    { "t", "invalid mount path: 't' mount path must be absolute" },
    { "", "invalid mount path: '' mount path must be absolute" },
    { "/", "invalid specification: destination can't be '/'" },
    { "/t/..", "invalid specification: destination can't be '/'" },
    { "/t:bogus", "invalid tmpfs option [\"bogus\"]" },
    { "/t:huge=always", "invalid tmpfs option [\"huge\" \"always\"]" },
    { "/t:size", "invalid tmpfs option [\"size\"]" },
    { "/t:size=abc", "invalid tmpfs option [\"size\" \"abc\"]" },
    { "/t:mode=999", "invalid tmpfs option [\"mode\" \"999\"]" },
    { "/t:uid=x", "invalid tmpfs option [\"uid\" \"x\"]" },
    { "/t:size=1m,,mode=700", "invalid tmpfs option [\"\"]" },
    { "/t:RW", "invalid tmpfs option [\"RW\"]" },
    { "/t:bind", "invalid tmpfs option [\"bind\"]" },
    { "/t:a:b", "invalid tmpfs option [\"a:b\"]" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char *one[] = { (char *)bad[i][0], NULL };
    free(msg);
    msg = NULL;
    cleanup_free char *r = tmpfs_of(one, &msg);
    CHECK(r == NULL);
    CHECK_STR(msg, bad[i][1]);
  }
  cleanup_json json_t *t = json_pack("{s:s, s:s}", "/t", "", "/u/../v", "size=1m,exec");
  cleanup_json json_t *m = berth_tmpfs_mounts(t, NULL);
  cleanup_free char *ms = json_dumps(m, JSON_COMPACT);
  CHECK_STR(ms, "[{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":"
                "[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\"]},{\"destination\":\"/v\",\"type\":"
                "\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"noexec\",\"nosuid\",\"nodev\","
                "\"rprivate\",\"size=1m\",\"exec\"]}]");
}

TEST(devices)
{
  /* Docker's CLI: which part is the container path, and its words */
  static const char *const good[][2] = {
    { "/dev/null", "{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/null\","
                   "\"CgroupPermissions\":\"rwm\"}" },
    { "/dev/../dev/null", "{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/null\","
                          "\"CgroupPermissions\":\"rwm\"}" },
    { "/dev/null:r", "{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/null\","
                     "\"CgroupPermissions\":\"r\"}" },
    { "/dev/null:/dev/mynull", "{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":"
                               "\"/dev/mynull\",\"CgroupPermissions\":\"rwm\"}" },
    { "/dev/null:/dev/../x", "{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/x\","
                             "\"CgroupPermissions\":\"rwm\"}" },
    { "/dev/zero:/dev/z:rw", "{\"PathOnHost\":\"/dev/zero\",\"PathInContainer\":\"/dev/z\","
                             "\"CgroupPermissions\":\"rw\"}" },
  };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    cleanup_json json_t *m = berth_device_parse(good[i][0], NULL);
    cleanup_free char *s = m ? json_dumps(m, JSON_COMPACT) : NULL;
    CHECK_STR(s, good[i][1]);
  }
  static const char *const bad[][2] = {
    { "rel", "rel is not an absolute path" },
    { "/dev/null:rel", "rel is not an absolute path" },
    { "rel:/dev/x", "rel is not an absolute path" },
    { "/dev/null::r", " is not an absolute path" },
    { "/dev/null:/dev/x:q", "bad mode specified: q" },
    { "/dev/null:/dev/x:rr", "bad mode specified: rr" },
    { "/dev/null:/dev/x:", "bad mode specified: " },
    { "/dev/null:/dev/x:rw:x", "bad format for path: /dev/null:/dev/x:rw:x" },
    { "", "bad format for path: " },
    { ":/dev/x", "bad format for path: :/dev/x" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_device_parse(bad[i][0], &err) == NULL);
    CHECK_STR(berth_error_message(err), bad[i][1]);
  }
  /* resolved: the node's numbers, the rule after Docker's deny-all */
  cleanup_json json_t *hc = json_pack("[{s:s, s:s, s:s}]", "PathOnHost", "/dev/null",
                                      "PathInContainer", "/dev/mynull", "CgroupPermissions", "rw");
  json_t *devs = NULL, *rules = NULL;
  CHECK(berth_devices_resolve(hc, false, &devs, &rules, NULL) == 0);
  json_t *d = json_array_get(devs, 0);
  CHECK_STR(json_string_value(json_object_get(d, "path")), "/dev/mynull");
  CHECK_STR(json_string_value(json_object_get(d, "type")), "c");
  CHECK(json_integer_value(json_object_get(d, "major")) == 1
        && json_integer_value(json_object_get(d, "minor")) == 3);
  cleanup_free char *rs = json_dumps(rules, JSON_COMPACT);
  CHECK_STR(rs, "[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,"
                "\"minor\":3,\"access\":\"rw\"}]");
  json_decref(devs);
  json_decref(rules);
  static const char *const missing[][2] = {
    { "/nonexistent", "error gathering device information while adding custom device "
                      "\"/nonexistent\": no such file or directory" },
    { "/etc/passwd", "error gathering device information while adding custom device "
                     "\"/etc/passwd\": not a device node" },
  };
  for (size_t i = 0; i < 2; i++) {
    cleanup_json json_t *one = json_pack("[{s:s, s:s, s:s}]", "PathOnHost", missing[i][0],
                                         "PathInContainer", "/dev/x", "CgroupPermissions", "rwm");
    cleanup_error berth_error *err = NULL;
    CHECK(berth_devices_resolve(one, false, &devs, &rules, &err) < 0);
    CHECK_STR(berth_error_message(err), missing[i][1]);
  }
  /* privileged: every device of the host's /dev, every access allowed */
  cleanup_json json_t *empty = json_array();
  CHECK(berth_devices_resolve(empty, true, &devs, &rules, NULL) == 0);
  cleanup_free char *pr = json_dumps(rules, JSON_COMPACT);
  CHECK_STR(pr, "[{\"allow\":true,\"access\":\"rwm\"}]");
  bool null_seen = false, pts_seen = false;
  size_t i;
  json_t *e;
  json_array_foreach(devs, i, e)
  {
    const char *p = json_string_value(json_object_get(e, "path"));
    null_seen |= strcmp(p, "/dev/null") == 0;
    pts_seen |= strncmp(p, "/dev/pts/", 9) == 0;
  }
  CHECK(null_seen && !pts_seen);
  json_decref(devs);
  json_decref(rules);
}

/* berth_confine_hostconfig's result for o, or its error in *msg */
static json_t *
hostconfig(const berth_confine_options *o, json_t **seccomp, char **msg)
{
  json_t *hc = json_object();
  cleanup_error berth_error *err = NULL;
  if (berth_confine_hostconfig(hc, o, seccomp, &err) < 0) {
    *msg = xstrdup(berth_error_message(err));
    json_decref(hc);
    return NULL;
  }
  return hc;
}

static char *
field(const json_t *hc, const char *key)
{
  return json_dumps(json_object_get(hc, key), JSON_COMPACT | JSON_ENCODE_ANY);
}

TEST(security_opts_and_hostconfig)
{
  char *opts[] = { xstrdup("no-new-privileges"), xstrdup("seccomp:unconfined"),
                   xstrdup("label=disable"), NULL };
  CHECK(berth_confine_read_security_opts(opts, NULL) == 0);
  char *add[] = { "sys_admin", "CAP_net_admin", NULL }, *drop[] = { "chown", NULL };
  char *tmpfs[] = { "/t", NULL }, *devices[] = { "/dev/null:/dev/mynull", NULL };
  berth_confine_options o = { .cap_add = add,
                              .cap_drop = drop,
                              .security_opt = opts,
                              .tmpfs = tmpfs,
                              .devices = devices,
                              .read_only = true };
  cleanup_free char *msg = NULL;
  json_t *sc = NULL;
  cleanup_json json_t *hc = hostconfig(&o, &sc, &msg);
  CHECK(hc != NULL && sc == NULL); /* unconfined */
  cleanup_free char *ca = field(hc, "CapAdd"), *cd = field(hc, "CapDrop"),
                    *so = field(hc, "SecurityOpt"), *ro = field(hc, "ReadonlyRootfs"),
                    *tf = field(hc, "Tmpfs"), *dv = field(hc, "Devices"),
                    *mp = field(hc, "MaskedPaths"), *pv = field(hc, "Privileged");
  /* Docker 20.10 keeps CapAdd/CapDrop as typed */
  CHECK_STR(ca, "[\"sys_admin\",\"CAP_net_admin\"]");
  CHECK_STR(cd, "[\"chown\"]");
  CHECK_STR(so, "[\"no-new-privileges\",\"seccomp:unconfined\",\"label=disable\"]");
  CHECK_STR(ro, "true");
  CHECK_STR(pv, "false");
  CHECK_STR(tf, "{\"/t\":\"\"}");
  CHECK_STR(dv, "[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/mynull\","
                "\"CgroupPermissions\":\"rwm\"}]");
  CHECK(mp != NULL && strncmp(mp, "[\"/proc/asound\",", 16) == 0);
  cleanup_strv char **caps = NULL;
  bool nnp = false;
  CHECK(berth_confine_process(hc, &caps, &nnp, NULL) == 0 && nnp);
  for (char **p = opts; *p != NULL; p++)
    free(*p);

  /* the defaults: Docker's nulls and empty lists, a filter from a profile */
  char *prof[] = { xstrdup("seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\"}"), NULL };
  berth_confine_options d = { .security_opt = prof };
  cleanup_json json_t *hd = hostconfig(&d, &sc, &msg);
  cleanup_free char *dca = field(hd, "CapAdd"), *ddv = field(hd, "Devices");
  CHECK_STR(dca, "null");
  CHECK_STR(ddv, "[]");
  CHECK(json_object_get(hd, "Tmpfs") == NULL);
  cleanup_free char *scs = json_dumps(sc, JSON_COMPACT);
  CHECK_STR(scs, "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}");
  json_decref(sc);
  free(prof[0]);

  /* privileged: label=disable, no masked paths, no filter */
  berth_confine_options p = { .privileged = true, .seccomp_profile = "/nonexistent" };
  cleanup_json json_t *hp = hostconfig(&p, &sc, &msg);
  cleanup_free char *pso = field(hp, "SecurityOpt"), *pmp = field(hp, "MaskedPaths");
  CHECK(sc == NULL);
  CHECK_STR(pso, "[\"label=disable\"]");
  CHECK_STR(pmp, "null");

  /* a missing default profile fails the create, never runs unconfined */
  berth_confine_options m = { .seccomp_profile = "/nonexistent/seccomp.json" };
  CHECK(hostconfig(&m, &sc, &msg) == NULL);
  CHECK_STR(msg, "opening seccomp profile (/nonexistent/seccomp.json) failed: open "
                 "/nonexistent/seccomp.json: no such file or directory");

  static const char *const bad[][2] = {
    { "bogus", "Invalid --security-opt: \"bogus\"" },
    { "seccomp", "Invalid --security-opt: \"seccomp\"" },
    { "seccomp=/nonexistent.json", "opening seccomp profile (/nonexistent.json) failed: open "
                                   "/nonexistent.json: no such file or directory" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char *one[] = { xstrdup(bad[i][0]), NULL };
    cleanup_error berth_error *err = NULL;
    CHECK(berth_confine_read_security_opts(one, &err) < 0);
    CHECK_STR(berth_error_message(err), bad[i][1]);
    free(one[0]);
  }
  static const char *const daemon[][2] = {
    { "foo=bar", "invalid --security-opt 2: \"foo=bar\"" },
    { "no-new-privileges=xx", "invalid --security-opt 2: \"no-new-privileges=xx\"" },
    { "nocolon", "invalid --security-opt 1: \"nocolon\"" },
    { "seccomp={\"defaultAction\":1}",
      "Decoding seccomp profile failed: defaultAction: want a string" },
  };
  for (size_t i = 0; i < sizeof(daemon) / sizeof(daemon[0]); i++) {
    char *one[] = { (char *)daemon[i][0], NULL };
    berth_confine_options b = { .security_opt = one };
    free(msg);
    msg = NULL;
    CHECK(hostconfig(&b, &sc, &msg) == NULL);
    CHECK_STR(msg, daemon[i][1]);
  }
  char *unknown[] = { "FOO", NULL };
  berth_confine_options u = { .cap_add = unknown };
  free(msg);
  msg = NULL;
  CHECK(hostconfig(&u, &sc, &msg) == NULL);
  CHECK_STR(msg, "invalid CapAdd: unknown capability: \"CAP_FOO\"");
}

TEST(spec)
{
  char *args[] = { "sh", NULL }, *env[] = { NULL }, *caps[] = { "CAP_KILL", NULL };
  cleanup_json json_t *sc = json_pack("{s:s}", "defaultAction", "SCMP_ACT_ERRNO");
  cleanup_json json_t *tm = json_pack("[{s:s, s:s, s:s, s:[]}]", "destination", "/t", "type",
                                      "tmpfs", "source", "tmpfs", "options");
  berth_spec_options o = { .rootfs = "/r",
                           .args = args,
                           .env = env,
                           .caps = caps,
                           .no_new_privileges = true,
                           .readonly_rootfs = true,
                           .seccomp = sc,
                           .tmpfs_mounts = tm };
  cleanup_json json_t *s = berth_container_spec(&o, NULL);
  json_t *p = json_object_get(s, "process");
  CHECK(json_is_true(json_object_get(p, "noNewPrivileges")));
  cleanup_free char *b
      = json_dumps(json_object_get(json_object_get(p, "capabilities"), "bounding"), JSON_COMPACT);
  CHECK_STR(b, "[\"CAP_KILL\"]");
  CHECK(json_is_true(json_object_get(json_object_get(s, "root"), "readonly")));
  json_t *l = json_object_get(s, "linux");
  CHECK(json_object_get(l, "seccomp") != NULL);
  CHECK(json_array_size(json_object_get(l, "maskedPaths")) == 10);
  json_t *mounts = json_object_get(s, "mounts");
  CHECK_STR(json_string_value(json_object_get(json_array_get(mounts, json_array_size(mounts) - 1),
                                              "destination")),
            "/t");
  /* privileged: no masked paths, /sys read-write, no filter given */
  berth_spec_options q = { .rootfs = "/r", .args = args, .env = env, .privileged = true };
  cleanup_json json_t *t = berth_container_spec(&q, NULL);
  json_t *lq = json_object_get(t, "linux");
  CHECK(json_array_size(json_object_get(lq, "maskedPaths")) == 0);
  CHECK(json_object_get(lq, "seccomp") == NULL);
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(t, "mounts"), i,
                     m) if (strcmp(json_string_value(json_object_get(m, "destination")), "/sys")
                            == 0)
  {
    cleanup_free char *opts = json_dumps(json_object_get(m, "options"), JSON_COMPACT);
    CHECK_STR(opts, "[\"nosuid\",\"noexec\",\"nodev\",\"rw\"]");
  }
}

int
main(void)
{
  RUN(capabilities);
  RUN(tmpfs);
  RUN(devices);
  RUN(security_opts_and_hostconfig);
  RUN(spec);
  DONE();
}
