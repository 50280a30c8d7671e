#include "container/network.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "container/ops.h"
#include "network/endpoint.h"
#include "network/etc.h"

static bool
is_container_mode(const char *mode)
{
  return mode != NULL && strncmp(mode, "container:", 10) == 0;
}

bool
berth_container_network_is_bridge(const char *mode)
{
  return mode != NULL && strcmp(mode, "host") != 0 && strcmp(mode, "none") != 0
         && !is_container_mode(mode);
}

static const char *
mode_of(const berth_container *c)
{
  return json_string_value(json_object_get(c->hostconfig, "NetworkMode")) ?: "host";
}

int
berth_container_network_resolve(berth_store *s, const berth_network_config *cfg, const char *mode,
                                berth_network **net, berth_error **err)
{
  *net = NULL;
  if (mode == NULL || strcmp(mode, "host") == 0 || strcmp(mode, "none") == 0)
    return 0;
  if (is_container_mode(mode)) {
    cleanup_container berth_container *other = NULL;
    return berth_container_find(s, mode + 10, &other, err);
  }
  return berth_network_find(s, cfg, strcmp(mode, "default") == 0 ? "bridge" : mode, net, err);
}

int
berth_container_network_register(berth_store *s, const berth_container *c, const berth_network *net,
                                 char *const *aliases, berth_error **err)
{
  if (net == NULL)
    return 0;
  size_t n = 0;
  while (aliases != NULL && aliases[n] != NULL)
    n++;
  cleanup_free char **all = xcalloc(n + 2, sizeof(char *));
  for (size_t i = 0; i < n; i++)
    all[i] = aliases[i];
  /* on a user network Docker's DNS answers for the short ID too */
  char shortid[13];
  snprintf(shortid, sizeof(shortid), "%.12s", c->id);
  if (!net->predefined)
    all[n] = shortid;
  if (berth_network_touch(s, net, err) < 0
      || berth_endpoints_register(s, c->id, c->name, net, all, err) < 0)
    return -1;
  return 0;
}

/* The other container of container:NAME, running. */
static berth_container *
joined_container(berth_store *s, const berth_container *c, berth_error **err)
{
  berth_container *other = NULL;
  if (berth_container_find(s, mode_of(c) + 10, &other, err) < 0)
    return NULL;
  if (berth_container_refresh(s, other, err) < 0 || strcmp(other->status, "running") != 0
      || other->pid <= 0) {
    if (strcmp(other->status, "running") != 0)
      berth_error_set(err, 0, "cannot join network of a non running container: %s", other->id);
    berth_container_free(other);
    return NULL;
  }
  return other;
}

static int
copy_file(berth_store *s, const char *from_id, const char *to_id, const char *name,
          berth_error **err)
{
  cleanup_free char *src = xasprintf("containers/%s/%s", from_id, name);
  cleanup_free char *dst = xasprintf("containers/%s/%s", to_id, name);
  cleanup_free char *text = NULL;
  size_t len;
  if (berth_read_file_at(berth_store_root_fd(s), src, &text, &len, err) < 0)
    return -1;
  return berth_write_file_at(berth_store_root_fd(s), dst, text, len, 0644, err);
}

int
berth_container_network_namespace(berth_store *s, berth_container *c, char **path, bool *own,
                                  berth_error **err)
{
  const char *mode = mode_of(c);
  *path = NULL;
  *own = false;
  if (strcmp(mode, "host") == 0)
    return 0;
  if (strcmp(mode, "none") == 0) {
    *own = true;
    return 0;
  }
  if (!is_container_mode(mode)) {
    *path = berth_endpoints_netns_path(s, c->id);
    return 0;
  }
  cleanup_container berth_container *other = joined_container(s, c, err);
  if (other == NULL)
    return -1;
  /* Docker's container mode: the other's name files and hostname */
  if (copy_file(s, other->id, c->id, "hosts", err) < 0
      || copy_file(s, other->id, c->id, "resolv.conf", err) < 0
      || copy_file(s, other->id, c->id, "hostname", err) < 0)
    return -1;
  json_t *hn = json_object_get(other->config, "Hostname");
  if (json_is_string(hn))
    json_object_set(c->config, "Hostname", hn);
  *path = xasprintf("/proc/%d/ns/net", other->pid);
  return 0;
}

int
berth_container_network_ports(const berth_container *c, berth_port_map **v, size_t *n,
                              berth_error **err)
{
  *v = NULL;
  *n = 0;
  json_t *pb = json_object_get(c->hostconfig, "PortBindings");
  if (json_is_object(pb) && berth_ports_from_bindings(pb, v, n, err) < 0)
    return -1;
  if (!json_is_true(json_object_get(c->hostconfig, "PublishAllPorts")))
    return 0;
  const char *key;
  json_t *ignored;
  json_object_foreach(json_object_get(c->config, "ExposedPorts"), key, ignored)
  {
    if (json_object_get(pb, key) != NULL)
      continue;
    berth_port_map m = { 0 };
    if (berth_port_key_parse(key, &m.container_port, m.proto) < 0)
      continue;
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = m;
  }
  return 0;
}

/* --- hosts files ----------------------------------------------------------- */

/* The set's strings as a NULL-terminated vector; the set is emptied. */
static char **
strset_vector(berth_strset *set)
{
  char **v = xcalloc(set->n + 1, sizeof(char *));
  if (set->n > 0)
    memcpy(v, set->v, set->n * sizeof(char *));
  free(set->v);
  *set = (berth_strset){ 0 };
  return v;
}

/* The hosts lines of the other containers on cid's user networks. */
static char **
peer_lines(berth_store *s, const char *cid, const json_t *doc)
{
  berth_strset lines = { 0 };
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "Networks"), i, e)
  {
    const char *name = json_string_value(json_object_get(e, "Name")) ?: "";
    if (!json_is_true(json_object_get(e, "Attached")) || strcmp(name, "bridge") == 0)
      continue;
    cleanup_json json_t *members
        = berth_endpoints_members(s, json_string_value(json_object_get(e, "NetworkID")) ?: "");
    size_t k;
    json_t *m;
    json_array_foreach(members, k, m)
    {
      const char *id = json_string_value(json_object_get(m, "ContainerID"));
      const char *cidr = json_string_value(json_object_get(m, "IPv4Address")) ?: "";
      if (strcmp(id, cid) == 0 || cidr[0] == '\0')
        continue;
      cleanup_free char *ip = xstrndup(cidr, strcspn(cidr, "/"));
      cleanup_free char *names = xstrdup(json_string_value(json_object_get(m, "Name")) ?: "");
      size_t a;
      json_t *alias;
      json_array_foreach(json_object_get(m, "Aliases"), a, alias)
      {
        char *more = xasprintf("%s %s", names, json_string_value(alias) ?: "");
        free(names);
        names = more;
      }
      cleanup_free char *line = xasprintf("%s\t%s", ip, names);
      berth_strset_add(&lines, line);
    }
  }
  return strset_vector(&lines);
}

/* Rewrites containers/<cid>/hosts in place (it is bind-mounted into the
 * running container: a rename would leave the container the old one). */
static int
write_hosts(berth_store *s, const char *cid, const char *hostname, berth_error **err)
{
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  berth_endpoint_addr own = { 0 };
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "Networks"), i, e) if (own.ip[0] == '\0')
      berth_endpoint_addr_of(e, &own);
  cleanup_strv char **peers = doc != NULL ? peer_lines(s, cid, doc) : NULL;
  cleanup_free char *text = berth_etc_hosts(own.ip, hostname, peers);
  cleanup_free char *rel = xasprintf("containers/%s/hosts", cid);
  return berth_write_file_at(berth_store_root_fd(s), rel, text, strlen(text), 0644, err);
}

static int
write_resolv(berth_store *s, const char *cid, berth_error **err)
{
  cleanup_free char *host = NULL;
  size_t len;
  if (berth_read_file_at(AT_FDCWD, berth_etc_resolv_conf_source(), &host, &len, NULL) < 0)
    host = xstrdup("");
  cleanup_free char *text = berth_etc_resolv_filter(host);
  cleanup_free char *rel = xasprintf("containers/%s/resolv.conf", cid);
  return berth_write_file_at(berth_store_root_fd(s), rel, text, strlen(text), 0644, err);
}

/* The containers sharing a user network with cid (its document's). */
static char **
peer_ids(berth_store *s, const char *cid)
{
  berth_strset ids = { 0 };
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, "Networks"), i, e)
  {
    if (strcmp(json_string_value(json_object_get(e, "Name")) ?: "", "bridge") == 0)
      continue;
    cleanup_json json_t *members
        = berth_endpoints_members(s, json_string_value(json_object_get(e, "NetworkID")) ?: "");
    size_t k;
    json_t *m;
    json_array_foreach(members, k, m)
    {
      const char *id = json_string_value(json_object_get(m, "ContainerID"));
      if (strcmp(id, cid) != 0)
        berth_strset_add(&ids, id);
    }
  }
  return strset_vector(&ids);
}

/* Best effort: a peer's hosts file that cannot be written costs that peer
 * a name, not this container its start. */
static void
rewrite_peers(berth_store *s, char **ids)
{
  for (char **id = ids; id != NULL && *id != NULL; id++) {
    cleanup_container berth_container *p = NULL;
    if (berth_container_load(s, *id, &p, NULL) != 1)
      continue;
    (void)write_hosts(s, p->id, json_string_value(json_object_get(p->config, "Hostname")), NULL);
  }
}

int
berth_container_network_up(berth_store *s, const berth_container *c, berth_error **err)
{
  if (!berth_container_network_is_bridge(mode_of(c)))
    return 0;
  cleanup_free berth_port_map *ports = NULL;
  size_t n_ports = 0;
  if (berth_container_network_ports(c, &ports, &n_ports, err) < 0
      || berth_endpoints_up(s, c->id, ports, n_ports, err) < 0)
    return -1;
  const char *hostname = json_string_value(json_object_get(c->config, "Hostname"));
  if (write_hosts(s, c->id, hostname, err) < 0 || write_resolv(s, c->id, err) < 0) {
    (void)berth_endpoints_down(s, c->id, NULL);
    return -1;
  }
  cleanup_strv char **peers = peer_ids(s, c->id);
  rewrite_peers(s, peers);
  return 0;
}

/* change (down or delete) on c's endpoints, then the hosts files of the
 * peers it had before, which name it no more */
static int
leave_peers(berth_store *s, const berth_container *c,
            int (*change)(berth_store *, const char *, berth_error **), berth_error **err)
{
  cleanup_strv char **peers = peer_ids(s, c->id);
  if (change(s, c->id, err) < 0)
    return -1;
  rewrite_peers(s, peers);
  return 0;
}

int
berth_container_network_down(berth_store *s, const berth_container *c, berth_error **err)
{
  return leave_peers(s, c, berth_endpoints_down, err);
}

int
berth_container_network_remove(berth_store *s, const berth_container *c, berth_error **err)
{
  return leave_peers(s, c, berth_endpoints_delete, err);
}

int
berth_container_network_sweep_one(berth_store *s, const char *cid, berth_error **err)
{
  cleanup_json json_t *doc = berth_endpoints_load(s, cid);
  if (doc == NULL)
    return 0;
  cleanup_container berth_container *c = NULL;
  int found = berth_container_load(s, cid, &c, NULL);
  if (found == 0) {
    /* its container was removed by a berth killed before it got here */
    cleanup_free char *dir = xasprintf("containers/%s", cid);
    if (!berth_exists_at(berth_store_root_fd(s), dir))
      return berth_endpoints_delete(s, cid, err);
    return 0;
  }
  if (found < 0 || !berth_endpoints_doc_active(doc))
    return 0;
  /* The monitor lock: held, the container is starting or running. */
  cleanup_error berth_error *busy = NULL;
  cleanup_close int lock = berth_container_monitor_lock(s, cid, &busy);
  if (lock < 0)
    return 0;
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  pid_t pid;
  if (berth_runtime_is_running(rt, cid, &pid))
    return 0; /* its monitor died, the container did not */
  return berth_container_network_down(s, c, err);
}

int
berth_container_network_sweep(berth_store *s, berth_error **err)
{
  cleanup_strv char **ids = berth_endpoints_list(s);
  int ret = 0;
  for (char **id = ids; *id != NULL; id++) {
    cleanup_error berth_error *e = NULL;
    if (berth_container_network_sweep_one(s, *id, &e) < 0) {
      ret = -1;
      berth_error_propagate(err, &e);
    }
  }
  return ret;
}

int
berth_container_network_connect(berth_store *s, const berth_container *c, const berth_network *n,
                                char *const *aliases, berth_error **err)
{
  if (!berth_container_network_is_bridge(mode_of(c)) || !berth_network_has_bridge(n))
    return berth_error_set(err, 0,
                           "container cannot be disconnected from host network or connected to "
                           "host network");
  size_t k = 0;
  while (aliases != NULL && aliases[k] != NULL)
    k++;
  cleanup_free char **all = xcalloc(k + 2, sizeof(char *));
  for (size_t i = 0; i < k; i++)
    all[i] = aliases[i];
  char shortid[13];
  snprintf(shortid, sizeof(shortid), "%.12s", c->id);
  if (!n->predefined)
    all[k] = shortid;
  if (berth_network_touch(s, n, err) < 0
      || berth_endpoints_connect(s, c->id, c->name, n, all, err) < 0)
    return -1;
  const char *hostname = json_string_value(json_object_get(c->config, "Hostname"));
  if (strcmp(c->status, "running") == 0) {
    (void)write_hosts(s, c->id, hostname, NULL);
    cleanup_strv char **peers = peer_ids(s, c->id);
    rewrite_peers(s, peers);
  }
  return 0;
}

int
berth_container_network_disconnect(berth_store *s, const berth_container *c, const berth_network *n,
                                   berth_error **err)
{
  cleanup_strv char **peers = peer_ids(s, c->id);
  if (berth_endpoints_disconnect(s, c->id, n, err) < 0)
    return -1;
  if (strcmp(c->status, "running") == 0)
    (void)write_hosts(s, c->id, json_string_value(json_object_get(c->config, "Hostname")), NULL);
  rewrite_peers(s, peers);
  return 0;
}

int
berth_container_network_rename(berth_store *s, const berth_container *c, berth_error **err)
{
  if (berth_endpoints_rename(s, c->id, c->name, err) < 0)
    return -1;
  cleanup_strv char **peers = peer_ids(s, c->id);
  rewrite_peers(s, peers);
  return 0;
}
