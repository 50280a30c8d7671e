#include "container/inspect.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

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
  json_object_set_new(j, "Mounts", json_array());
  json_object_set(j, "Config", c->config);
  const char *net = json_string_value(json_object_get(c->hostconfig, "NetworkMode"));
  json_object_set_new(j, "NetworkSettings",
                      json_pack("{s:{s:{}}}", "Networks", net ? net : "host"));
  return j;
}
