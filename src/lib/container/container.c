#include "container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/xalloc.h"
#include "image/time.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

berth_container *
berth_container_new(void)
{
  berth_container *c = xcalloc(1, sizeof(*c));
  berth_random_hex(c->id, 64);
  c->created = berth_time_now_rfc3339();
  c->status = xstrdup("created");
  c->started_at = xstrdup(ZERO_TIME);
  c->finished_at = xstrdup(ZERO_TIME);
  c->error = xstrdup("");
  c->args = xcalloc(1, sizeof(char *));
  c->config = json_object();
  c->hostconfig = json_object();
  return c;
}

void
berth_container_free(berth_container *c)
{
  if (c == NULL)
    return;
  free(c->name);
  free(c->image_name);
  json_decref(c->config);
  json_decref(c->hostconfig);
  free(c->path);
  for (char **a = c->args; a != NULL && *a != NULL; a++)
    free(*a);
  free(c->args);
  free(c->created);
  free(c->status);
  free(c->error);
  free(c->started_at);
  free(c->finished_at);
  free(c);
}

void
berth_container_cleanup(berth_container **c)
{
  berth_container_free(*c);
}

char *
berth_container_now(void)
{
  return berth_time_now_rfc3339();
}

char *
berth_container_dir(berth_store *s, const berth_container *c)
{
  return xasprintf("%s/containers/%s", berth_store_root(s), c->id);
}

static json_t *
state_json(const berth_container *c)
{
  bool running = strcmp(c->status, "running") == 0;
  return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:i, s:s, s:s, s:s}", "Status",
                   c->status, "Running", running, "Paused", running && c->paused, "Restarting", 0,
                   "OOMKilled", c->oom_killed, "Dead", 0, "Pid", c->pid, "MonitorPid",
                   c->monitor_pid, "ExitCode", c->exit_code, "Error", c->error, "StartedAt",
                   c->started_at, "FinishedAt", c->finished_at);
}

json_t *
berth_container_to_json(const berth_container *c)
{
  json_t *args = json_array();
  for (char **a = c->args; *a != NULL; a++)
    json_array_append_new(args, json_string(*a));
  cleanup_free char *name = xasprintf("/%s", c->name ? c->name : "");
  return json_pack("{s:s, s:s, s:s, s:o, s:o, s:O, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", c->id,
                   "Created", c->created, "Path", c->path ? c->path : "", "Args", args, "State",
                   state_json(c), "Config", c->config, "Image", c->image_id, "ImageName",
                   c->image_name ? c->image_name : "", "Name", name, "Driver", "overlay2", "OS",
                   "linux", "MountID", c->layer.mount_id);
}

static const char *
str_field(const json_t *o, const char *key)
{
  const char *v = json_string_value(json_object_get(o, key));
  return v != NULL ? v : "";
}

static int
parse_state(berth_container *c, const json_t *st, berth_error **err)
{
  if (!json_is_object(st))
    return berth_error_set(err, 0, "State: not an object");
  const char *status = str_field(st, "Status");
  if (strcmp(status, "created") != 0 && strcmp(status, "running") != 0
      && strcmp(status, "exited") != 0)
    return berth_error_set(err, 0, "State.Status: unknown status '%s'", status);
  c->status = xstrdup(status);
  c->pid = (int)json_integer_value(json_object_get(st, "Pid"));
  c->monitor_pid = (int)json_integer_value(json_object_get(st, "MonitorPid"));
  c->exit_code = (int)json_integer_value(json_object_get(st, "ExitCode"));
  c->paused = json_is_true(json_object_get(st, "Paused"));
  c->oom_killed = json_is_true(json_object_get(st, "OOMKilled"));
  c->error = xstrdup(str_field(st, "Error"));
  c->started_at = xstrdup(str_field(st, "StartedAt"));
  c->finished_at = xstrdup(str_field(st, "FinishedAt"));
  return 0;
}

static int
parse_args(berth_container *c, const json_t *args, berth_error **err)
{
  if (args != NULL && !json_is_array(args))
    return berth_error_set(err, 0, "Args: not an array");
  size_t n = json_array_size(args);
  c->args = xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    const char *a = json_string_value(json_array_get(args, i));
    if (a == NULL)
      return berth_error_set(err, 0, "Args[%zu]: not a string", i);
    c->args[i] = xstrdup(a);
  }
  return 0;
}

berth_container *
berth_container_from_json(const json_t *doc, const json_t *hostconfig, berth_error **err)
{
  if (!json_is_object(doc)) {
    berth_error_set(err, 0, "container record: not an object");
    return NULL;
  }
  cleanup_container berth_container *c = xcalloc(1, sizeof(*c));
  const char *id = str_field(doc, "ID"), *image = str_field(doc, "Image");
  const char *name = str_field(doc, "Name");
  if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64) {
    berth_error_set(err, 0, "container record: bad ID");
    return NULL;
  }
  if (image[0] != '\0' && !berth_digest_is_valid(image)) { /* "": scratch (a build's) */
    berth_error_set(err, 0, "container record: bad Image");
    return NULL;
  }
  memcpy(c->id, id, 65);
  snprintf(c->image_id, sizeof(c->image_id), "%s", image);
  c->name = xstrdup(name[0] == '/' ? name + 1 : name);
  c->image_name = xstrdup(str_field(doc, "ImageName"));
  c->created = xstrdup(str_field(doc, "Created"));
  c->path = xstrdup(str_field(doc, "Path"));
  json_t *config = json_object_get(doc, "Config");
  c->config = json_is_object(config) ? json_deep_copy(config) : json_object();
  c->hostconfig = json_is_object(hostconfig) ? json_deep_copy(hostconfig) : json_object();
  const char *mount_id = str_field(doc, "MountID");
  if (strlen(mount_id) == 64)
    memcpy(c->layer.mount_id, mount_id, 65);
  memcpy(c->layer.container_id, id, 65);
  if (parse_args(c, json_object_get(doc, "Args"), err) < 0
      || parse_state(c, json_object_get(doc, "State"), err) < 0) {
    berth_error_prefix(err, "container record %.12s", id);
    return NULL;
  }
  return steal_pointer(&c);
}

static int
write_json_at(int dirfd, const char *name, const json_t *j, berth_error **err)
{
  cleanup_free char *text = json_dumps(j, JSON_COMPACT);
  return berth_write_file_atomic_at(dirfd, name, text, strlen(text), 0600, err);
}

int
berth_container_save_at(int dirfd, const berth_container *c, berth_error **err)
{
  cleanup_json json_t *doc = berth_container_to_json(c);
  if (write_json_at(dirfd, "hostconfig.json", c->hostconfig, err) < 0
      || write_json_at(dirfd, "config.v2.json", doc, err) < 0)
    return berth_error_prefix(err, "save container %.12s", c->id);
  return 0;
}

int
berth_container_save_state_at(int dirfd, const berth_container *c, berth_error **err)
{
  cleanup_json json_t *doc = berth_container_to_json(c);
  if (write_json_at(dirfd, "config.v2.json", doc, err) < 0)
    return berth_error_prefix(err, "save container %.12s", c->id);
  return 0;
}

int
berth_container_save(berth_store *s, const berth_container *c, berth_error **err)
{
  cleanup_free char *dir = xasprintf("containers/%s", c->id);
  cleanup_close int fd = berth_open_dir_at(berth_store_root_fd(s), dir, true, err);
  if (fd < 0)
    return berth_error_prefix(err, "save container %.12s", c->id);
  return berth_container_save_at(fd, c, err);
}

static json_t *
load_json_at(int dirfd, const char *name, berth_error **err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (berth_read_file_at(dirfd, name, &data, &len, err) < 0)
    return NULL;
  json_error_t jerr;
  json_t *j = json_loadb(data, len, 0, &jerr);
  if (j == NULL)
    berth_error_set(err, 0, "%s: %s", name, jerr.text);
  return j;
}

static bool
is_hex64(const char *s)
{
  return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int
berth_container_load_at(int dirfd, const char *id, berth_container **out, berth_error **err)
{
  cleanup_error berth_error *e = NULL;
  cleanup_json json_t *doc = load_json_at(dirfd, "config.v2.json", &e);
  if (doc == NULL && e != NULL && berth_error_errno(e) == ENOENT)
    return 0; /* removed under us (rm deletes the files first, then the dir) */
  if (doc == NULL) {
    berth_error_propagate(err, &e);
    return berth_error_prefix(err, "container %.12s", id);
  }
  cleanup_json json_t *hc = load_json_at(dirfd, "hostconfig.json", NULL);
  *out = berth_container_from_json(doc, hc, err);
  return *out == NULL ? -1 : 1;
}

/* id is checked to be 64 hex digits before it names a file. */
int
berth_container_load(berth_store *s, const char *id, berth_container **out, berth_error **err)
{
  if (!is_hex64(id))
    return 0;
  cleanup_free char *dir = xasprintf("containers/%s", id);
  cleanup_close int fd = openat(berth_store_root_fd(s), dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : berth_error_set(err, errno, "open %s", dir);
  return berth_container_load_at(fd, id, out, err);
}

char **
berth_container_list_ids(berth_store *s, berth_error **err)
{
  cleanup_close int fd = berth_open_dir_at(berth_store_root_fd(s), "containers", true, err);
  if (fd < 0)
    return NULL;
  DIR *d = fdopendir(fd);
  if (d == NULL) {
    berth_error_set(err, errno, "list containers");
    return NULL;
  }
  fd = -1;
  size_t n = 0, cap = 8;
  char **v = xcalloc(cap, sizeof(char *));
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!is_hex64(de->d_name) || !berth_exists_at(dirfd(d), de->d_name))
      continue;
    if (n + 1 >= cap) {
      cap *= 2;
      v = xrealloc(v, cap * sizeof(char *));
    }
    v[n++] = xstrdup(de->d_name);
  }
  v[n] = NULL;
  closedir(d);
  return v;
}

/* name_or_id is untrusted user input: only compared, never used as a path
 * unless it is 64 hex digits. */
int
berth_container_find(berth_store *s, const char *name_or_id, berth_container **out,
                     berth_error **err)
{
  int found = berth_container_load(s, name_or_id, out, err);
  if (found != 0)
    return found < 0 ? -1 : 0;
  cleanup_strv char **ids = berth_container_list_ids(s, err);
  if (ids == NULL)
    return -1;
  const char *want = name_or_id[0] == '/' ? name_or_id + 1 : name_or_id;
  const char *prefix_hit = NULL;
  int prefix_hits = 0;
  for (char **id = ids; *id != NULL; id++) {
    berth_container *c = NULL;
    if (berth_container_load(s, *id, &c, NULL) <= 0)
      continue;
    if (strcmp(c->name, want) == 0) {
      *out = c;
      return 0;
    }
    berth_container_free(c);
    if (want[0] != '\0' && strncmp(*id, want, strlen(want)) == 0) {
      prefix_hit = *id;
      prefix_hits++;
    }
  }
  if (prefix_hits == 1)
    return berth_container_load(s, prefix_hit, out, err) == 1 ? 0 : -1;
  if (prefix_hits > 1)
    return berth_error_set(err, 0, "multiple IDs found with provided prefix: %s", name_or_id);
  return berth_error_set_as(err, ENOENT, "No such container: %s", name_or_id);
}
