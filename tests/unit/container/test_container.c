/* Unit tests of the container part: OCI spec, names, record round trip,
 * passwd lookup, and the RW layer in a scratch store. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/container.h"
#include "container/env.h"
#include "container/initlayer.h"
#include "container/name.h"
#include "container/passwd.h"
#include "container/runtime.h"
#include "container/spec.h"
#include "harness.h"
#include "store/store.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                             "nobody:x:65534:65534:nobody:/home:/bin/false\n";
static const char group[] = "root:x:0:\nwheel:x:10:root\nnogroup:x:65534:\n";

TEST(passwd_names_and_ids)
{
  uid_t u;
  gid_t g;
  CHECK(berth_passwd_resolve(passwd, group, "", &u, &g, NULL) == 0 && u == 0 && g == 0);
  CHECK(berth_passwd_resolve(passwd, group, "nobody", &u, &g, NULL) == 0 && u == 65534
        && g == 65534);
  CHECK(berth_passwd_resolve(passwd, group, "daemon:wheel", &u, &g, NULL) == 0 && u == 1
        && g == 10);
  CHECK(berth_passwd_resolve(passwd, group, "1234", &u, &g, NULL) == 0 && u == 1234 && g == 0);
  CHECK(berth_passwd_resolve(passwd, group, "1:5", &u, &g, NULL) == 0 && u == 1 && g == 5);
  CHECK(berth_passwd_resolve(NULL, NULL, "42:43", &u, &g, NULL) == 0 && u == 42 && g == 43);
  cleanup_error berth_error *err = NULL;
  CHECK(berth_passwd_resolve(passwd, group, "ghost", &u, &g, &err) < 0);
  CHECK_STR(err ? berth_error_message(err) : NULL,
            "unable to find user ghost: no matching entries in passwd file");
  cleanup_error berth_error *err2 = NULL;
  CHECK(berth_passwd_resolve(passwd, group, "root:nogrp", &u, &g, &err2) < 0);
  CHECK(berth_passwd_resolve(passwd, group, "99999999999", &u, &g, NULL) < 0);
}

TEST(names)
{
  CHECK(berth_container_name_valid("web"));
  CHECK(berth_container_name_valid("/web-1.a_b"));
  CHECK(!berth_container_name_valid("m"));
  CHECK(!berth_container_name_valid("-x"));
  CHECK(!berth_container_name_valid("a/b"));
  CHECK(!berth_container_name_valid("a b"));
  for (int i = 0; i < 200; i++) {
    cleanup_free char *n = berth_container_name_random();
    CHECK(berth_container_name_valid(n));
    CHECK(strchr(n, '_') != NULL);
    CHECK(strcmp(n, "boring_wozniak") != 0);
  }
}

static const char *
mount_dest(const json_t *spec, size_t i)
{
  return json_string_value(
      json_object_get(json_array_get(json_object_get(spec, "mounts"), i), "destination"));
}

static bool
has_namespace(const json_t *spec, const char *type)
{
  json_t *ns = json_object_get(json_object_get(spec, "linux"), "namespaces");
  for (size_t i = 0; i < json_array_size(ns); i++)
    if (strcmp(json_string_value(json_object_get(json_array_get(ns, i), "type")), type) == 0)
      return true;
  return false;
}

TEST(spec)
{
  char *args[] = { "sh", "-c", "echo hi", NULL };
  char *env[] = { "PATH=/bin", "A=b", NULL };
  char *binds[] = { "/srv:/data:ro", NULL };
  berth_spec_options o = { .rootfs = "/r/merged",
                           .args = args,
                           .env = env,
                           .cwd = "/tmp",
                           .uid = 7,
                           .gid = 8,
                           .hostname = "abc",
                           .container_dir = "/c",
                           .binds = binds,
                           .nofile = 1024 };
  cleanup_json json_t *spec = berth_container_spec(&o, NULL);
  CHECK(spec != NULL);
  json_t *proc = json_object_get(spec, "process");
  CHECK_STR(json_string_value(json_array_get(json_object_get(proc, "args"), 2)), "echo hi");
  CHECK_STR(json_string_value(json_object_get(proc, "cwd")), "/tmp");
  CHECK(json_integer_value(json_object_get(json_object_get(proc, "user"), "uid")) == 7);
  CHECK(json_array_size(json_object_get(json_object_get(proc, "capabilities"), "bounding")) == 14);
  CHECK(json_integer_value(
            json_object_get(json_array_get(json_object_get(proc, "rlimits"), 0), "hard"))
        == 1024);
  CHECK_STR(json_string_value(json_object_get(json_object_get(spec, "root"), "path")), "/r/merged");
  CHECK_STR(json_string_value(json_object_get(spec, "hostname")), "abc");
  CHECK(has_namespace(spec, "mount") && has_namespace(spec, "pid") && has_namespace(spec, "ipc")
        && has_namespace(spec, "uts"));
  CHECK(!has_namespace(spec, "network"));
  size_t n = json_array_size(json_object_get(spec, "mounts"));
  CHECK_STR(mount_dest(spec, 0), "/proc");
  CHECK_STR(mount_dest(spec, n - 1), "/data");
  CHECK_STR(mount_dest(spec, n - 2), "/etc/hosts");
  json_t *last = json_array_get(json_object_get(spec, "mounts"), n - 1);
  CHECK_STR(json_string_value(json_array_get(json_object_get(last, "options"), 2)), "ro");
  json_t *masked = json_object_get(json_object_get(spec, "linux"), "maskedPaths");
  CHECK_STR(json_string_value(json_array_get(masked, 0)), "/proc/asound");

  /* the cwd cleaned, as Docker's: the runtime makes it when missing */
  static const char *const cwds[][2] = { { "/a/b/../c/", "/a/c" },
                                         { "//x/./y//", "/x/y" },
                                         { "/..", "/" },
                                         { "/a/..", "/" },
                                         { "/", "/" },
                                         { "/srv/www", "/srv/www" } };
  for (size_t i = 0; i < sizeof cwds / sizeof cwds[0]; i++) {
    o.cwd = cwds[i][0];
    cleanup_json json_t *sp = berth_container_spec(&o, NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(sp, "process"), "cwd")),
              cwds[i][1]);
  }
  o.cwd = "/tmp";

  o.own_network = true;
  cleanup_json json_t *spec2 = berth_container_spec(&o, NULL);
  CHECK(has_namespace(spec2, "network"));
  /* a string that is not UTF-8 is refused by name, never left out */
  char *bad_args[] = { "echo",
                       "a\xff"
                       "b",
                       "c", NULL };
  o.args = bad_args;
  cleanup_error berth_error *arg_err = NULL;
  CHECK(berth_container_spec(&o, &arg_err) == NULL);
  CHECK(arg_err != NULL
        && strstr(berth_error_message(arg_err), "\"a\\xffb\" for the command") != NULL);
  cleanup_error berth_error *proc_err = NULL;
  CHECK(berth_container_process_spec(&o, &proc_err) == NULL && proc_err != NULL);
  o.args = args;
  char *bad_env[] = { "A=\xff", NULL };
  o.env = bad_env;
  cleanup_error berth_error *env_err = NULL;
  CHECK(berth_container_spec(&o, &env_err) == NULL && env_err != NULL);
  o.env = env;
  o.rootfs = "/r\xff/merged";
  cleanup_error berth_error *root_err = NULL;
  CHECK(berth_container_spec(&o, &root_err) == NULL && root_err != NULL);
  o.rootfs = "/r/merged";
  static char *bad[][2]
      = { { "relative:/x", NULL }, { "/a", NULL }, { "/a:/b:rx", NULL }, { "/a:rel", NULL } };
  for (size_t i = 0; i < 4; i++) {
    o.binds = bad[i];
    cleanup_error berth_error *err = NULL;
    json_t *s = berth_container_spec(&o, &err);
    CHECK(s == NULL && err != NULL
          && strstr(berth_error_message(err), "invalid volume specification") != NULL);
    json_decref(s);
  }
}

TEST(record_round_trip)
{
  cleanup_container berth_container *c = berth_container_new();
  c->name = strdup("web");
  c->image_name = strdup("busybox");
  snprintf(c->image_id, sizeof(c->image_id), "sha256:%064d", 1);
  c->path = strdup("sh");
  free(c->args);
  c->args = calloc(3, sizeof(char *));
  c->args[0] = strdup("-c");
  c->args[1] = strdup("exit 3");
  c->exit_code = 3;
  free(c->status);
  c->status = strdup("exited");
  json_object_set_new(c->config, "Env", json_pack("[s]", "A=b"));
  cleanup_json json_t *doc = berth_container_to_json(c);
  CHECK_STR(json_string_value(json_object_get(doc, "Name")), "/web");
  cleanup_container berth_container *back = berth_container_from_json(doc, c->hostconfig, NULL);
  CHECK(back != NULL);
  if (back == NULL)
    return;
  CHECK_STR(back->id, c->id);
  CHECK_STR(back->name, "web");
  CHECK_STR(back->image_id, c->image_id);
  CHECK_STR(back->args[1], "exit 3");
  CHECK(back->args[2] == NULL);
  CHECK(back->exit_code == 3);
  CHECK_STR(back->status, "exited");
  CHECK(json_equal(back->config, c->config));

  json_object_set_new(doc, "State", json_pack("{s:s}", "Status", "bogus"));
  cleanup_error berth_error *err = NULL;
  CHECK(berth_container_from_json(doc, NULL, &err) == NULL && err != NULL);
  json_object_set_new(doc, "ID", json_string("../../etc"));
  cleanup_error berth_error *err2 = NULL;
  CHECK(berth_container_from_json(doc, NULL, &err2) == NULL);
}

TEST(store_rwlayer_and_init_layer)
{
  char tmpl[] = "/tmp/berth-ctr-XXXXXX";
  CHECK(mkdtemp(tmpl) != NULL);
  cleanup_store berth_store *s = berth_store_open(tmpl, NULL);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  cleanup_container berth_container *c = berth_container_new();
  c->name = strdup("one");
  snprintf(c->image_id, sizeof(c->image_id), "sha256:%064d", 1);
  berth_rwlayer l;
  CHECK(berth_store_rwlayer_create(s, c->id, NULL, &l, NULL) == 0);
  CHECK(berth_store_rwlayer_create(s, c->id, NULL, &l, NULL) < 0); /* exists */
  berth_rwlayer got;
  CHECK(berth_store_rwlayer_get(s, c->id, &got, NULL) == 1);
  CHECK_STR(got.mount_id, l.mount_id);
  c->layer = got;
  cleanup_free char *init = berth_store_rwlayer_init_path(s, &l);
  cleanup_close int fd = open(init, O_RDONLY | O_DIRECTORY);
  CHECK(fd >= 0 && berth_container_init_layer_fill(fd, NULL) == 0);
  CHECK(berth_exists_at(fd, ".dockerenv") && berth_exists_at(fd, "etc/hostname"));
  cleanup_free char *lower = berth_store_rwlayer_lowerdir(s, &l);
  CHECK_STR(lower, init);
  CHECK(berth_container_save(s, c, NULL) == 0);
  cleanup_container berth_container *found = NULL;
  CHECK(berth_container_find(s, "one", &found, NULL) == 0);
  CHECK(found != NULL && strcmp(found->id, c->id) == 0);
  cleanup_container berth_container *byprefix = NULL;
  char prefix[13];
  snprintf(prefix, sizeof(prefix), "%.12s", c->id);
  CHECK(berth_container_find(s, prefix, &byprefix, NULL) == 0);
  cleanup_error berth_error *err = NULL;
  berth_container *none = NULL;
  CHECK(berth_container_find(s, "nope", &none, &err) < 0);
  CHECK_STR(err ? berth_error_message(err) : NULL, "No such container: nope");
  char user[65];
  CHECK(berth_container_name_in_use(s, "one", user, NULL) == 1);
  CHECK(berth_container_name_in_use(s, "two", user, NULL) == 0);
  /* the store's open sweep keeps a container's dirs */
  berth_store_free(s);
  s = berth_store_open(tmpl, NULL);
  CHECK(berth_exists_at(berth_store_root_fd(s), init + strlen(tmpl) + 1));
  CHECK(berth_store_rwlayer_delete(s, c->id, NULL) == 1);
  CHECK(berth_store_rwlayer_get(s, c->id, &got, NULL) == 0);
  CHECK(!berth_exists_at(berth_store_root_fd(s), init + strlen(tmpl) + 1));
  berth_rm_rf_at(AT_FDCWD, tmpl, NULL);
}

static const char *
fake_lookup(const char *name)
{
  return strcmp(name, "HOSTVAR") == 0 ? "fromhost" : NULL;
}

TEST(env_merge)
{
  cleanup_json json_t *base = json_pack("[s, s, i, s, s]", "PATH=/bin", "A=1", 5, "=bad", "nokey");
  char *over[] = { "A=2", "B=3", "HOSTVAR", "MISSING", "", "=x", "PATH=/usr/bin", NULL };
  cleanup_strv char **env = berth_env_merge(base, over, fake_lookup);
  size_t n = 0;
  while (env[n] != NULL)
    n++;
  CHECK(n == 4);
  CHECK_STR(env[0], "PATH=/usr/bin");
  CHECK_STR(env[1], "A=2");
  CHECK_STR(env[2], "B=3");
  CHECK_STR(env[3], "HOSTVAR=fromhost");
  cleanup_strv char **none = berth_env_merge(NULL, NULL, NULL);
  CHECK(none != NULL && none[0] == NULL);
  char *plain[] = { "K", NULL };
  cleanup_strv char **nolookup = berth_env_merge(NULL, plain, NULL);
  CHECK(nolookup[0] == NULL);
}

TEST(runtime_choice)
{
  CHECK_STR(berth_runtime_choose("crun", "runc", false, false), "crun");
  CHECK_STR(berth_runtime_choose(NULL, "myrt", true, true), "myrt");
  CHECK_STR(berth_runtime_choose("", "", true, true), "crun");
  CHECK_STR(berth_runtime_choose(NULL, NULL, true, false), "runc");
  CHECK_STR(berth_runtime_choose(NULL, NULL, false, true), "runc");
}

TEST(crun_probe_reads_cgroup_files)
{
  char dir[] = "/tmp/berth-cg-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  cleanup_free char *unified = xasprintf("%s/unified", dir);
  cleanup_free char *ctl = xasprintf("%s/unified/cgroup.controllers", dir);
  CHECK(berth_runtime_crun_usable(dir)); /* no cgroup2 mount at all: v1 only */
  CHECK(mkdir(unified, 0755) == 0);
  CHECK(berth_write_file_atomic_at(AT_FDCWD, ctl, "hugetlb\n", 8, 0644, NULL) == 0);
  CHECK(!berth_runtime_crun_usable(dir));
  CHECK(berth_write_file_atomic_at(AT_FDCWD, ctl, "\n", 1, 0644, NULL) == 0);
  CHECK(berth_runtime_crun_usable(dir));
  CHECK(berth_rm_rf_at(AT_FDCWD, dir, NULL) == 0);
}

int
main(void)
{
  RUN(passwd_names_and_ids);
  RUN(names);
  RUN(spec);
  RUN(record_round_trip);
  RUN(store_rwlayer_and_init_layer);
  RUN(env_merge);
  RUN(runtime_choice);
  RUN(crun_probe_reads_cgroup_files);
  DONE();
}
