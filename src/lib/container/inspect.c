#include "container/inspect.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/network.h"

static json_t *
state(const berth_container *c)
{
  bool running = strcmp(c->status, "running") == 0;
  bool paused = running && c->paused; /* Docker's Status says "paused" then */
  return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}", "Status",
                   paused ? "paused" : c->status, "Running", running, "Paused", paused,
                   "Restarting", 0, "OOMKilled", c->oom_killed, "Dead", 0, "Pid",
                   running ? c->pid : 0, "ExitCode", c->exit_code, "Error", c->error, "StartedAt",
                   c->started_at, "FinishedAt", c->finished_at);
}

static json_t *
graph_driver(berth_store *s, const berth_container *c)
{
  cleanup_free char *lower = berth_store_rwlayer_lowerdir(s, &c->layer);
  cleanup_free char *merged = berth_store_rwlayer_merged_path(s, &c->layer);
  cleanup_free char *upper = berth_store_rwlayer_upper_path(s, &c->layer);
  cleanup_free char *work = berth_store_rwlayer_work_path(s, &c->layer);
  return json_pack("{s:{s:s, s:s, s:s, s:s}, s:s}", "Data", "LowerDir", lower ? lower : "",
                   "MergedDir", merged, "UpperDir", upper, "WorkDir", work, "Name", "overlay2");
}

static json_t *
mount_point(const char *type, const char *src, const char *dst, const char *mode, bool rw)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", type, "Source", src, "Destination",
                   dst, "Mode", mode, "RW", rw, "Propagation",
                   strcmp(type, "bind") == 0 ? "rprivate" : "");
}

/* Docker's MountPoints as inspect lists them: each -v bind ("HOST:CTR"
 * or "HOST:CTR:MODE", checked at create), then HostConfig.Mounts. */
static json_t *
mount_points(const berth_container *c)
{
  json_t *out = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(c->hostconfig, "Binds"), i, e)
  {
    const char *b = json_string_value(e);
    const char *ctr = b != NULL ? strchr(b, ':') : NULL;
    if (ctr == NULL)
      continue;
    cleanup_free char *host = xstrndup(b, (size_t)(ctr - b));
    const char *mode = strchr(ctr + 1, ':');
    cleanup_free char *dst
        = mode != NULL ? xstrndup(ctr + 1, (size_t)(mode - ctr - 1)) : xstrdup(ctr + 1);
    mode = mode != NULL ? mode + 1 : "";
    json_array_append_new(out, mount_point("bind", host, dst, mode, strcmp(mode, "ro") != 0));
  }
  json_array_foreach(json_object_get(c->hostconfig, "Mounts"), i, e)
  {
    const char *type = json_string_value(json_object_get(e, "Type"));
    const char *src = json_string_value(json_object_get(e, "Source"));
    const char *dst = json_string_value(json_object_get(e, "Target"));
    if (type != NULL && dst != NULL)
      json_array_append_new(out, mount_point(type, src ? src : "", dst, "",
                                             !json_is_true(json_object_get(e, "ReadOnly"))));
  }
  return out;
}

json_t *
berth_container_inspect(berth_store *s, const berth_container *c)
{
  cleanup_free char *dir = xasprintf("%s/containers/%s", berth_store_root(s), c->id);
  cleanup_free char *resolv = xasprintf("%s/resolv.conf", dir);
  cleanup_free char *hostname = xasprintf("%s/hostname", dir);
  cleanup_free char *hosts = xasprintf("%s/hosts", dir);
  cleanup_free char *log = xasprintf("%s/%s-json.log", dir, c->id);
  cleanup_free char *name = xasprintf("/%s", c->name);
  json_t *args = json_array();
  for (char **a = c->args; *a != NULL; a++)
    json_array_append_new(args, json_string(*a));
  json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, "
                        "s:s, s:s, s:s, s:s, s:n}",
                        "Id", c->id, "Created", c->created, "Path", c->path, "Args", args, "State",
                        state(c), "Image", c->image_id, "ResolvConfPath", resolv, "HostnamePath",
                        hostname, "HostsPath", hosts, "LogPath", log, "Name", name, "RestartCount",
                        0, "Driver", "overlay2", "Platform", "linux", "MountLabel", "",
                        "ProcessLabel", "", "AppArmorProfile", "", "ExecIDs");
  json_object_set(j, "HostConfig", c->hostconfig);
  json_object_set_new(j, "GraphDriver", graph_driver(s, c));
  json_object_set_new(j, "Mounts", mount_points(c));
  json_object_set(j, "Config", c->config);
  json_object_set_new(j, "NetworkSettings", berth_container_network_settings(s, c));
  return j;
}
