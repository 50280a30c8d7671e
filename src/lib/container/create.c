#include "container/create.h"

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/cgroup.h"
#include "container/initlayer.h"
#include "container/name.h"
#include "container/network.h"
#include "image/chain.h"
#include "image/container_config.h"
#include "store/image_load.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Sets or replaces "K=V" (or removes K for a bare "K" not in the host env);
 * -1 when the entry is not UTF-8. */
/* One -e value as Docker's CLI passes it on: KEY=VALUE as it is, a bare
 * KEY with the host's value when it has one, else bare. */
static json_t *
user_env(const char *kv, berth_error **err)
{
  if (berth_utf8_check(kv, "\"-e, --env\" flag", err) < 0)
    return NULL;
  if (strchr(kv, '=') != NULL || getenv(kv) == NULL)
    return json_string(kv);
  cleanup_free char *value = xasprintf("%s=%s", kv, getenv(kv));
  if (berth_utf8_check(value, "the host's environment variable", err) < 0)
    return NULL;
  return json_string(value);
}

/* The index of the first of the first n entries of env with kv's key, n
 * when none has it. */
static size_t
env_index_in(const json_t *env, size_t n, const char *kv)
{
  size_t klen = strcspn(kv, "=");
  for (size_t i = 0; i < n; i++) {
    const char *s = json_string_value(json_array_get(env, i));
    if (s != NULL && strncmp(s, kv, klen) == 0 && (s[klen] == '=' || s[klen] == '\0'))
      return i;
  }
  return n;
}

static size_t
env_index(const json_t *env, const char *kv)
{
  return env_index_in(env, json_array_size(env), kv);
}

/* As Docker merges: the user's variables first, a repeated key once with
 * its last value (Docker's client dedups them through a Go map, so its
 * order among them varies from run to run; berth keeps the user's), then
 * each of the image's whose key the user did not give. */
static json_t *
merge_env(const json_t *image_env, char *const *user, berth_error **err)
{
  if (user == NULL || user[0] == NULL)
    return json_deep_copy(image_env);
  cleanup_json json_t *env = json_array();
  for (char *const *u = user; *u != NULL; u++) {
    json_t *v = user_env(*u, err);
    if (v == NULL)
      return NULL;
    size_t at = env_index(env, json_string_value(v));
    if (at < json_array_size(env))
      json_array_set_new(env, at, v);
    else
      json_array_append_new(env, v);
  }
  size_t n = json_array_size(env), i;
  json_t *e;
  json_array_foreach(image_env, i, e)
  {
    const char *s = json_string_value(e);
    if (s != NULL && env_index_in(env, n, s) == n)
      json_array_append(env, e);
  }
  return json_incref(env);
}

/* Sets key of c to the user's value s; -1 when s is not UTF-8. */
static int
set_string(json_t *c, const char *key, const char *s, const char *what, berth_error **err)
{
  json_t *v = berth_json_string_checked(s, what, err);
  return v == NULL ? -1 : json_object_set_new(c, key, v);
}

/* --label K=V (or K: an empty value) over the image's labels, as Docker
 * merges them into Config.Labels. */
static int
add_labels(json_t *c, char **labels, berth_error **err)
{
  if (labels == NULL || labels[0] == NULL)
    return 0;
  json_t *l = json_object_get(c, "Labels");
  if (!json_is_object(l)) {
    l = json_object();
    json_object_set_new(c, "Labels", l);
  }
  for (char **p = labels; *p != NULL; p++) {
    const char *eq = strchr(*p, '=');
    cleanup_free char *key = eq ? xstrndup(*p, (size_t)(eq - *p)) : xstrdup(*p);
    json_t *v = berth_json_string_checked(eq ? eq + 1 : "", "\"-l, --label\" flag", err);
    if (v == NULL)
      return -1;
    if (berth_utf8_check(key, "\"-l, --label\" flag", err) < 0) {
      json_decref(v);
      return -1;
    }
    json_object_set_new(l, key, v);
  }
  return 0;
}

/* -p's ports are exposed too, as Docker adds them to Config.ExposedPorts. */
static void
expose(json_t *c, const berth_port_map *v, size_t n)
{
  if (n == 0)
    return;
  json_t *ex = json_object_get(c, "ExposedPorts");
  if (!json_is_object(ex)) {
    ex = json_object();
    json_object_set_new(c, "ExposedPorts", ex);
  }
  for (size_t i = 0; i < n; i++) {
    cleanup_free char *key = xasprintf("%u/%s", v[i].container_port, v[i].proto);
    if (json_object_get(ex, key) == NULL)
      json_object_set_new(ex, key, json_object());
  }
}

/* --expose's ports and -p's are exposed, as Docker adds them to
 * Config.ExposedPorts. */
static void
add_exposed(json_t *c, const berth_create_options *o)
{
  expose(c, o->exposed, o->n_exposed);
  expose(c, o->ports, o->n_ports);
  berth_ports_sort_keys(json_object_get(c, "ExposedPorts"));
}

/* The Docker Config of the container: the image's, with the flags applied.
 * Every value from o is user input and must be UTF-8: one that is not is
 * refused, naming its flag, rather than dropped from the record. */
static json_t *
make_config(const json_t *image_cfg, const berth_create_options *o, const char *id,
            berth_error **err)
{
  cleanup_json json_t *c = berth_container_config_json(image_cfg);
  json_t *image_env = json_object_get(c, "Env");
  cleanup_json json_t *fallback = json_is_array(image_env) ? NULL : json_pack("[s]", DEFAULT_PATH);
  json_t *env = merge_env(fallback != NULL ? fallback : image_env, o->env, err);
  if (env == NULL)
    return NULL;
  json_object_set_new(c, "Env", env);
  bool host = o->network == NULL || strcmp(o->network, "host") == 0;
  char hostname[256] = "";
  if (o->hostname != NULL)
    snprintf(hostname, sizeof(hostname), "%s", o->hostname);
  else if (host)
    gethostname(hostname, sizeof(hostname) - 1);
  else
    snprintf(hostname, sizeof(hostname), "%.12s", id);
  if (berth_utf8_check(o->hostname, "\"-h, --hostname\" flag", err) < 0
      || set_string(c, "Hostname", hostname, "\"-h, --hostname\" flag", err) < 0)
    return NULL;
  if (o->user != NULL && set_string(c, "User", o->user, "\"-u, --user\" flag", err) < 0)
    return NULL;
  if (o->workdir != NULL
      && set_string(c, "WorkingDir", o->workdir, "\"-w, --workdir\" flag", err) < 0)
    return NULL;
  if (o->entrypoint != NULL) {
    json_t *ep = json_null();
    if (o->entrypoint[0] != '\0') {
      json_t *s = berth_json_string_checked(o->entrypoint, "\"--entrypoint\" flag", err);
      if (s == NULL)
        return NULL;
      ep = json_pack("[o]", s);
    }
    json_object_set_new(c, "Entrypoint", ep);
    json_object_set_new(c, "Cmd", json_null());
  }
  if (o->cmd != NULL && o->cmd[0] != NULL) {
    json_t *cmd = berth_json_strv_checked(o->cmd, "the command", err);
    if (cmd == NULL)
      return NULL;
    json_object_set_new(c, "Cmd", cmd);
  }
  if (set_string(c, "Image", o->image, "the image name", err) < 0)
    return NULL;
  if (add_labels(c, o->labels, err) < 0)
    return NULL;
  add_exposed(c, o);
  json_object_set_new(c, "Tty", json_boolean(o->tty));
  json_object_set_new(c, "OpenStdin", json_boolean(o->interactive));
  /* Docker's client: a detached run attaches nothing, and its stdin
   * (with -i) stays open across attaches */
  json_object_set_new(c, "StdinOnce", json_boolean(o->interactive && !o->detach));
  json_object_set_new(c, "AttachStdin", json_boolean(o->interactive && !o->detach));
  json_object_set_new(c, "AttachStdout", json_boolean(!o->detach));
  json_object_set_new(c, "AttachStderr", json_boolean(!o->detach));
  return steal_pointer(&c);
}

/* Path and Args: Entrypoint + Cmd. */
static int
set_process(berth_container *c, berth_error **err)
{
  json_t *argv = json_array();
  json_array_extend(argv, json_is_array(json_object_get(c->config, "Entrypoint"))
                              ? json_object_get(c->config, "Entrypoint")
                              : NULL);
  if (json_is_array(json_object_get(c->config, "Cmd")))
    json_array_extend(argv, json_object_get(c->config, "Cmd"));
  size_t n = json_array_size(argv);
  if (n == 0) {
    json_decref(argv);
    berth_error_set(err, 0, "No command specified");
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  }
  c->path = xstrdup(json_string_value(json_array_get(argv, 0)) ?: "");
  free(c->args);
  c->args = xcalloc(n, sizeof(char *));
  for (size_t i = 1; i < n; i++)
    c->args[i - 1] = xstrdup(json_string_value(json_array_get(argv, i)) ?: "");
  json_decref(argv);
  return 0;
}

/* HostConfig.Mounts in Docker's shape; the paths are the caller's
 * (berth-made), checked for UTF-8 only. */
static json_t *
mounts_json(const berth_create_options *o, berth_error **err)
{
  cleanup_json json_t *a = json_array();
  for (size_t i = 0; i < o->n_mounts; i++) {
    const berth_mount_spec *m = &o->mounts[i];
    bool tmpfs = strcmp(m->type, "tmpfs") == 0;
    if (berth_utf8_check(m->target, "a mount target", err) < 0
        || berth_utf8_check(m->source, "a mount source", err) < 0)
      return NULL;
    json_t *e = json_pack("{s:s, s:s, s:s, s:b}", "Type", tmpfs ? "tmpfs" : "bind", "Source",
                          m->source ? m->source : "", "Target", m->target, "ReadOnly", m->readonly);
    if (tmpfs)
      json_object_set_new(e, "TmpfsOptions", json_pack("{s:I}", "SizeBytes", (json_int_t)m->size));
    json_array_append_new(a, e);
  }
  return steal_pointer(&a);
}

/* The HostConfig; the binds are user input, the network and runtime names
 * were checked against the known ones (a NULL from json_pack means one was
 * not UTF-8 after all).  *seccomp gets the container's filter. */
static json_t *
make_hostconfig(const berth_create_options *o, const berth_limits *limits, json_t **seccomp,
                berth_error **err)
{
  const char *net = o->network ? o->network : "host";
  json_t *binds = json_null();
  if (o->binds != NULL
      && (binds = berth_json_strv_checked(o->binds, "\"-v, --volume\" flag", err)) == NULL)
    return NULL;
  json_t *hc
      = json_pack("{s:o, s:{s:s, s:{}}, s:s, s:{s:s, s:i}, s:b, s:s, s:I}", "Binds", binds,
                  "LogConfig", "Type", "json-file", "Config", "NetworkMode", net, "RestartPolicy",
                  "Name", "no", "MaximumRetryCount", 0, "AutoRemove", o->auto_remove, "Runtime",
                  o->runtime ? o->runtime : "runc", "ShmSize", (json_int_t)67108864);
  if (hc == NULL) {
    berth_error_set(err, 0, "invalid runtime or network name: not valid UTF-8");
    return NULL;
  }
  json_t *pb = json_object();
  berth_ports_to_bindings(o->ports, o->n_ports, pb);
  berth_ports_sort_keys(pb);
  json_object_set_new(hc, "PortBindings", pb);
  json_object_set_new(hc, "PublishAllPorts", json_boolean(o->publish_all));
  berth_limits_hostconfig(hc, limits);
  if (o->n_mounts > 0) {
    json_t *mounts = mounts_json(o, err);
    if (mounts == NULL) {
      json_decref(hc);
      return NULL;
    }
    json_object_set_new(hc, "Mounts", mounts);
  }
  if (berth_confine_hostconfig(hc, &o->confine, seccomp, err) < 0) {
    json_decref(hc);
    return NULL;
  }
  return hc;
}

static int
write_text(int dirfd, const char *name, const char *text, berth_error **err)
{
  return berth_write_file_at(dirfd, name, text, strlen(text), 0644, err);
}

/* containers/<id>/{hostname,hosts,resolv.conf}, bound over the init
 * layer's placeholders when the container starts. */
static int
write_etc_files(berth_store *s, const berth_container *c, berth_error **err)
{
  cleanup_free char *dir = xasprintf("containers/%s", c->id);
  cleanup_close int fd = berth_open_dir_at(berth_store_root_fd(s), dir, true, err);
  if (fd < 0)
    return -1;
  const char *hostname = json_string_value(json_object_get(c->config, "Hostname"));
  cleanup_free char *hn = xasprintf("%s\n", hostname ? hostname : "");
  cleanup_free char *hosts = xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                                       "ip6-loopback\nfe00::0\tip6-localnet\nff00::0\t"
                                       "ip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\t"
                                       "ip6-allrouters\n");
  cleanup_free char *resolv = NULL;
  size_t len;
  if (berth_read_file_at(AT_FDCWD, "/etc/resolv.conf", &resolv, &len, NULL) < 0)
    resolv = xstrdup("");
  return write_text(fd, "hostname", hn, err) < 0 || write_text(fd, "hosts", hosts, err) < 0
                 || write_text(fd, "resolv.conf", resolv, err) < 0
             ? -1
             : 0;
}

static int
fill_init_layer(berth_store *s, const berth_container *c, berth_error **err)
{
  cleanup_free char *path = berth_store_rwlayer_init_path(s, &c->layer);
  cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", path);
  return berth_container_init_layer_fill(fd, err);
}

static int
write_seccomp(berth_store *s, const berth_container *c, const json_t *seccomp, berth_error **err)
{
  cleanup_free char *dir = xasprintf("containers/%s", c->id);
  cleanup_close int fd = berth_open_dir_at(berth_store_root_fd(s), dir, true, err);
  return fd < 0 ? -1 : berth_confine_save_seccomp(fd, seccomp, err);
}

static int
create_locked(berth_store *s, berth_container *c, const char *top_chain, const json_t *seccomp,
              const berth_network *net, char *const *aliases, berth_error **err)
{
  char other[65];
  int used = berth_container_name_in_use(s, c->name, other, err);
  if (used < 0)
    return -1;
  if (used) {
    berth_error_set(err, 0,
                    "Conflict. The container name \"/%s\" is already in use by container "
                    "\"%s\". You have to remove (or rename) that container to be able to reuse "
                    "that name.",
                    c->name, other);
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  }
  if (berth_store_rwlayer_create(s, c->id, top_chain, &c->layer, err) < 0)
    return -1;
  if (fill_init_layer(s, c, err) < 0 || write_etc_files(s, c, err) < 0
      || write_seccomp(s, c, seccomp, err) < 0 || berth_container_save(s, c, err) < 0
      || berth_container_network_register(s, c, net, aliases, err) < 0) {
    berth_container_network_remove(s, c, NULL);
    berth_store_rwlayer_delete(s, c->id, NULL);
    cleanup_free char *dir = xasprintf("containers/%s", c->id);
    berth_rm_rf_at(berth_store_root_fd(s), dir, NULL);
    return -1;
  }
  return 0;
}

static int
setup_failed(berth_error **err)
{
  return berth_error_set_kind(err, BERTH_ERR_ENGINE);
}

/* -v HOST:CTR[:MODE]: berth binds host paths (no named volumes), and the
 * source must exist, as Docker checks before it creates anything. */
static int
check_binds(char *const *binds, berth_error **err)
{
  for (char *const *b = binds; b != NULL && *b != NULL; b++) {
    cleanup_free char *host = xstrndup(*b, strcspn(*b, ":"));
    if (host[0] != '/' || strchr(*b, ':') == NULL)
      return berth_error_set(err, 0,
                             "invalid volume specification: '%s': only HOST:CONTAINER[:ro] bind "
                             "mounts of absolute host paths are supported",
                             *b);
    struct stat st;
    if (stat(host, &st) < 0)
      return berth_error_set(err, 0,
                             "invalid mount config for type \"bind\": bind source path does not "
                             "exist: %s",
                             host);
  }
  return 0;
}

/* Docker's refusals of flags that cannot go with the network mode. */
static int
check_network(const berth_create_options *o, berth_error **err)
{
  bool joined = o->network != NULL && strncmp(o->network, "container:", 10) == 0;
  if (joined && o->hostname != NULL)
    return berth_error_set(err, 0, "conflicting options: hostname and the network mode");
  if (joined && (o->n_ports > 0 || o->publish_all))
    return berth_error_set(err, 0,
                           "conflicting options: port publishing and the container type network "
                           "mode");
  if (o->network != NULL && strcmp(o->network, "container:") == 0)
    return berth_error_set(err, 0, "invalid container format container:<name|id>");
  return 0;
}

/* The CPUs this process may run on, as Go's runtime.NumCPU counts them. */
static long
cpu_count(void)
{
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    return CPU_COUNT(&set);
  return sysconf(_SC_NPROCESSORS_ONLN);
}

/* o holds user input: the name is validated, the binds and limits checked. */
int
berth_container_create(berth_store *s, const berth_create_options *o, berth_container **out,
                       berth_error **err)
{
  berth_limits limits = o->limits;
  berth_cgroup_support host = { true, true, true, true, true };
  if (limits.memory != 0 || limits.memory_swap != 0 || limits.nano_cpus != 0
      || limits.cpu_shares != 0 || limits.pids_limit != 0)
    berth_cgroup_support_probe(NULL, NULL, &host); /* a few files: only when it matters */
  if (berth_limits_check(&limits, &host, cpu_count(), err) < 0)
    return setup_failed(err);
  if (o->name != NULL && !berth_container_name_valid(o->name)) {
    cleanup_free char *shown = berth_bytes_escape(o->name);
    berth_error_set(err, 0,
                    "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
                    "allowed",
                    shown);
    return setup_failed(err);
  }
  if (check_network(o, err) < 0 || check_binds(o->binds, err) < 0)
    return setup_failed(err);
  cleanup_network berth_network *net = NULL;
  if (berth_container_network_resolve(s, o->network_config, o->network, &net, err) < 0)
    return setup_failed(err);
  cleanup_container berth_container *c = berth_container_new();
  size_t n_layers = o->n_layers;
  snprintf(c->image_id, sizeof c->image_id, "%s", o->image_id);
  cleanup_image_config berth_image_config *ic = berth_image_load(s, c->image_id, err);
  if (ic == NULL)
    return setup_failed(err);
  cleanup_strv char **chains = berth_chain_ids(ic->diff_ids, ic->n_diff_ids);
  if (n_layers > ic->n_diff_ids)
    n_layers = ic->n_diff_ids;
  const char *top = n_layers > 0 ? chains[n_layers - 1] : NULL;
  c->image_name = xstrdup(o->image);
  json_decref(c->config);
  c->config = make_config(json_object_get(ic->json, "config"), o, c->id, err);
  json_decref(c->hostconfig);
  cleanup_json json_t *seccomp = NULL;
  c->hostconfig = c->config != NULL ? make_hostconfig(o, &limits, &seccomp, err) : NULL;
  if (c->hostconfig == NULL)
    return setup_failed(err);
  if (set_process(c, err) < 0)
    return -1;
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(s, err);
  if (lock == NULL)
    return setup_failed(err);
  c->name = o->name ? xstrdup(o->name[0] == '/' ? o->name + 1 : o->name)
                    : berth_container_name_unique(s, err);
  if (c->name == NULL || create_locked(s, c, top, seccomp, net, o->network_aliases, err) < 0)
    return setup_failed(err);
  berth_store_trace(s, "create: container %.12s", c->id);
  *out = steal_pointer(&c);
  return 0;
}
