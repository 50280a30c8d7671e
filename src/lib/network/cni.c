#include "network/cni.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

/* The plugin's executable: type is a plain file name, looked up in the
 * CNI_PATH directories (never a path of its own). */
static char *
find_plugin(const char *path, const char *type, berth_error **err)
{
  if (type == NULL || type[0] == '\0' || strchr(type, '/') != NULL || strcmp(type, ".") == 0
      || strcmp(type, "..") == 0) {
    berth_error_set(err, 0, "invalid CNI plugin type \"%s\"", type ? type : "");
    return NULL;
  }
  cleanup_free char *dirs = xstrdup(path);
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
    cleanup_free char *p = xasprintf("%s/%s", d, type);
    if (access(p, X_OK) == 0)
      return steal_pointer(&p);
  }
  berth_error_set(err, 0,
                  "failed to find plugin \"%s\" in path [%s] (apt-get install "
                  "containernetworking-plugins)",
                  type, path);
  return NULL;
}

static int
memfd(const char *name, berth_error **err)
{
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "memfd_create");
  return fd;
}

static char *
read_all(int fd)
{
  off_t len = lseek(fd, 0, SEEK_END);
  if (len < 0 || len > 16 * 1024 * 1024)
    len = 0;
  char *buf = xmalloc((size_t)len + 1);
  ssize_t n = pread(fd, buf, (size_t)len, 0);
  buf[n > 0 ? n : 0] = '\0';
  return buf;
}

/* The plugin's error in its own words: the JSON error on stdout, else the
 * last line of its stderr, else its exit status. */
static int
plugin_error(const char *type, const char *command, const char *out, const char *errtext,
             int status, berth_error **err)
{
  cleanup_json json_t *j = json_loads(out, 0, NULL);
  const char *msg = json_string_value(json_object_get(j, "msg"));
  const char *details = json_string_value(json_object_get(j, "details"));
  if (msg != NULL)
    return berth_error_set(err, 0, "plugin %s (%s): %s%s%s", type, command, msg,
                           details && details[0] ? ": " : "", details ? details : "");
  cleanup_free char *copy = xstrdup(errtext);
  size_t n = strlen(copy);
  while (n > 0 && copy[n - 1] == '\n')
    copy[--n] = '\0';
  char *last = strrchr(copy, '\n');
  const char *line = last ? last + 1 : copy;
  if (line[0] != '\0')
    return berth_error_set(err, 0, "plugin %s (%s): %s", type, command, line);
  return berth_error_set(err, 0, "plugin %s (%s): exit status %d", type, command, status);
}

static void __attribute__((noreturn))
child(const char *exe, const berth_cni_args *a, const char *command, const char *path, int in,
      int out, int errfd)
{
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
    _exit(127);
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* The plugins exec iptables and friends: a PATH, and nothing else of
   * ours. */
  const char *host_path = getenv("PATH");
  char *env[8];
  int n = 0;
  env[n++] = xasprintf("CNI_COMMAND=%s", command);
  env[n++] = xasprintf("CNI_CONTAINERID=%s", a->container_id);
  env[n++] = xasprintf("CNI_NETNS=%s", a->netns ? a->netns : "");
  env[n++] = xasprintf("CNI_IFNAME=%s", a->ifname ? a->ifname : "eth0");
  env[n++] = xasprintf("CNI_PATH=%s", path);
  env[n++]
      = xasprintf("PATH=%s", host_path && host_path[0]
                                 ? host_path
                                 : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  env[n] = NULL;
  char *argv[] = { (char *)exe, NULL };
  execve(exe, argv, env);
  _exit(127);
}

/* conf is berth's own (built from its records); the plugin's output is
 * parsed as untrusted JSON. */
int
berth_cni_exec(const berth_cni_args *a, const char *command, const json_t *conf, json_t **result,
               berth_error **err)
{
  const char *path = a->path ? a->path : BERTH_CNI_PATH_DEFAULT;
  const char *type = json_string_value(json_object_get(conf, "type"));
  cleanup_free char *exe = find_plugin(path, type, err);
  if (exe == NULL)
    return -1;
  cleanup_free char *text = json_dumps(conf, JSON_COMPACT);
  cleanup_close int in = memfd("cni-stdin", err);
  cleanup_close int out = in >= 0 ? memfd("cni-stdout", err) : -1;
  cleanup_close int errfd = out >= 0 ? memfd("cni-stderr", err) : -1;
  if (errfd < 0)
    return -1;
  size_t len = strlen(text);
  if (write(in, text, len) != (ssize_t)len || lseek(in, 0, SEEK_SET) < 0)
    return berth_error_set(err, errno, "write the configuration of plugin %s", type);
  pid_t pid = fork();
  if (pid < 0)
    return berth_error_set(err, errno, "fork");
  if (pid == 0)
    child(exe, a, command, path, in, out, errfd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return berth_error_set(err, errno, "wait for plugin %s", type);
  cleanup_free char *stdout_text = read_all(out);
  cleanup_free char *stderr_text = read_all(errfd);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return plugin_error(type, command, stdout_text, stderr_text,
                        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), err);
  if (result == NULL)
    return 0;
  json_error_t jerr;
  json_t *r = json_loads(stdout_text, 0, &jerr);
  if (r == NULL && strcmp(command, "ADD") == 0)
    return berth_error_set(err, 0, "plugin %s (%s): its result is not JSON: %s", type, command,
                           jerr.text);
  *result = r;
  return 0;
}

/* A plugin's configuration as the list runs it: the list's name and
 * cniVersion, the runtime's values of the capabilities it declares, and
 * prevResult when there is one. */
static json_t *
plugin_conf(const json_t *list, const json_t *plugin, const json_t *runtime_config,
            const json_t *prev)
{
  json_t *c = json_deep_copy(plugin);
  json_object_set(c, "name", json_object_get(list, "name"));
  json_object_set(c, "cniVersion", json_object_get(list, "cniVersion"));
  json_t *caps = json_object_get(plugin, "capabilities");
  json_t *rc = json_object();
  const char *cap;
  json_t *on;
  json_object_foreach(caps, cap, on)
  {
    json_t *v = json_object_get(runtime_config, cap);
    if (json_is_true(on) && v != NULL)
      json_object_set(rc, cap, v);
  }
  if (json_object_size(rc) > 0)
    json_object_set(c, "runtimeConfig", rc);
  json_decref(rc);
  if (prev != NULL)
    json_object_set(c, "prevResult", (json_t *)prev);
  return c;
}

static int
run_reverse(const berth_cni_args *a, const char *command, const json_t *list,
            const json_t *runtime_config, const json_t *prev, berth_error **err)
{
  json_t *plugins = json_object_get(list, "plugins");
  for (size_t i = json_array_size(plugins); i-- > 0;) {
    cleanup_json json_t *conf = plugin_conf(list, json_array_get(plugins, i), runtime_config, prev);
    cleanup_json json_t *ignored = NULL;
    if (berth_cni_exec(a, command, conf, &ignored, err) < 0)
      return berth_error_prefix(err, "network %s",
                                json_string_value(json_object_get(list, "name")));
  }
  return 0;
}

int
berth_cni_list_add_progress(const berth_cni_args *a, const json_t *list,
                            const json_t *runtime_config, berth_cni_progress_fn progress, void *ctx,
                            json_t **result, berth_error **err)
{
  json_t *plugins = json_object_get(list, "plugins");
  cleanup_json json_t *prev = NULL;
  for (size_t i = 0; i < json_array_size(plugins); i++) {
    cleanup_json json_t *conf = plugin_conf(list, json_array_get(plugins, i), runtime_config, prev);
    json_t *r = NULL;
    if (berth_cni_exec(a, "ADD", conf, &r, err) < 0
        || (progress != NULL && progress(r, ctx, err) < 0)) {
      /* what the plugins before this one (and this one, half way) made */
      (void)run_reverse(a, "DEL", list, runtime_config, r ? r : prev, NULL);
      json_decref(r);
      return berth_error_prefix(err, "network %s",
                                json_string_value(json_object_get(list, "name")));
    }
    json_decref(prev);
    prev = r;
  }
  *result = steal_pointer(&prev);
  return 0;
}

int
berth_cni_list_add(const berth_cni_args *a, const json_t *list, const json_t *runtime_config,
                   json_t **result, berth_error **err)
{
  return berth_cni_list_add_progress(a, list, runtime_config, NULL, NULL, result, err);
}

int
berth_cni_list_del(const berth_cni_args *a, const json_t *list, const json_t *runtime_config,
                   const json_t *prev_result, berth_error **err)
{
  return run_reverse(a, "DEL", list, runtime_config, prev_result, err);
}

int
berth_cni_list_check(const berth_cni_args *a, const json_t *list, const json_t *runtime_config,
                     const json_t *prev_result, berth_error **err)
{
  json_t *plugins = json_object_get(list, "plugins");
  for (size_t i = 0; i < json_array_size(plugins); i++) {
    cleanup_json json_t *conf
        = plugin_conf(list, json_array_get(plugins, i), runtime_config, prev_result);
    if (berth_cni_exec(a, "CHECK", conf, NULL, err) < 0)
      return berth_error_prefix(err, "network %s",
                                json_string_value(json_object_get(list, "name")));
  }
  return 0;
}
