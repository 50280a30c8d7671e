#include "network/network.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/random.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "image/time.h"
#include "network/endpoint.h"
#include "network/firewall.h"
#include "network/ipam.h"

#define NETWORKS_DIR "network/networks"
#define DEFAULT_BRIDGE "berth0"

static const char *const predefined[] = { "bridge", "host", "none" };

void
berth_network_free(berth_network *n)
{
  if (n == NULL)
    return;
  free(n->name);
  free(n->created);
  free(n->driver);
  json_decref(n->labels);
  json_decref(n->options);
  free(n);
}

void
berth_network_cleanup(berth_network **n)
{
  berth_network_free(*n);
}

bool
berth_network_has_bridge(const berth_network *n)
{
  return n->bridge[0] != '\0';
}

char *
berth_network_path(berth_store *s, const char *rel)
{
  return xasprintf("%s/network/%s", berth_store_root(s), rel);
}

int
berth_network_lock(berth_store *s, berth_error **err)
{
  if (berth_mkdir_p_at(berth_store_root_fd(s), "network", 0700, err) < 0)
    return -1;
  cleanup_close int fd = openat(berth_store_root_fd(s), "network/.lock",
                                O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return berth_error_set(err, errno, "open network/.lock");
  while (flock(fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return berth_error_set(err, errno, "lock network/.lock");
  return steal_fd(&fd);
}

/* A predefined network's fixed ID: the sha256 of "berth network " and its
 * name, so that every reader agrees on it without a stored record. */
static void
predefined_id(const char *name, char id[65])
{
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  cleanup_free char *text = xasprintf("berth network %s", name);
  berth_sha256_update(h, text, strlen(text));
  char d[BERTH_DIGEST_LEN];
  berth_sha256_final(h, d);
  memcpy(id, d + 7, 65);
}

/* The default bridge's subnet: "bip" (its gateway and prefix), else the
 * first pool's first subnet, else Docker's 172.17.0.0/16. */
static void
default_bridge_subnet(const berth_network_config *cfg, berth_cidr *subnet, uint32_t *gateway,
                      bool *show_gw)
{
  berth_cidr bip;
  if (cfg != NULL && cfg->bip != NULL && berth_cidr_parse(cfg->bip, false, &bip, NULL) == 0) {
    *show_gw = true;
    *gateway = bip.addr;
    *subnet = (berth_cidr){ bip.addr & berth_cidr_mask(bip.prefix), bip.prefix };
    return;
  }
  size_t n;
  const berth_address_pool *pools = berth_pools_docker_default(&n);
  if (cfg != NULL && cfg->pools != NULL && cfg->n_pools > 0) {
    pools = cfg->pools;
    n = cfg->n_pools;
  }
  if (berth_pools_next(pools, n, NULL, 0, subnet) < 0)
    *subnet = (berth_cidr){ (172u << 24) | (17u << 16), 16 };
  *gateway = subnet->addr + 1;
}

/* The time a predefined network was first used, kept in its small record
 * (an ID and a time) when a writer made one; else now. */
static char *
predefined_created(berth_store *s, const char *id)
{
  cleanup_free char *rel = xasprintf(NETWORKS_DIR "/%s.json", id);
  cleanup_free char *text = NULL;
  size_t len;
  if (berth_read_file_at(berth_store_root_fd(s), rel, &text, &len, NULL) == 0) {
    cleanup_json json_t *j = json_loadb(text, len, 0, NULL);
    const char *c = json_string_value(json_object_get(j, "Created"));
    if (c != NULL)
      return xstrdup(c);
  }
  return berth_time_now_rfc3339();
}

static berth_network *
make_predefined(berth_store *s, const berth_network_config *cfg, const char *name)
{
  berth_network *n = xcalloc(1, sizeof(*n));
  n->name = xstrdup(name);
  predefined_id(name, n->id);
  n->predefined = true;
  n->created = predefined_created(s, n->id);
  n->labels = json_object();
  n->options = json_object();
  if (strcmp(name, "bridge") == 0) {
    n->driver = xstrdup("bridge");
    snprintf(n->bridge, sizeof(n->bridge), "%s", DEFAULT_BRIDGE);
    default_bridge_subnet(cfg, &n->subnet, &n->gateway, &n->show_gateway);
    json_object_set_new(n->options, "com.docker.network.bridge.default_bridge",
                        json_string("true"));
    json_object_set_new(n->options, "com.docker.network.bridge.enable_icc", json_string("true"));
    json_object_set_new(n->options, "com.docker.network.bridge.enable_ip_masquerade",
                        json_string("true"));
    json_object_set_new(n->options, "com.docker.network.bridge.host_binding_ipv4",
                        json_string("0.0.0.0"));
    json_object_set_new(n->options, "com.docker.network.bridge.name", json_string(DEFAULT_BRIDGE));
    json_object_set_new(n->options, "com.docker.network.driver.mtu", json_string("1500"));
  } else {
    n->driver = xstrdup(strcmp(name, "host") == 0 ? "host" : "null");
  }
  return n;
}

/* A stored user network.  The record is berth's own, but read as
 * untrusted: every field is checked. */
static berth_network *
load_record(berth_store *s, const char *id, berth_error **err)
{
  cleanup_free char *rel = xasprintf(NETWORKS_DIR "/%s.json", id);
  cleanup_free char *text = NULL;
  size_t len;
  if (berth_read_file_at(berth_store_root_fd(s), rel, &text, &len, err) < 0)
    return NULL;
  json_error_t jerr;
  cleanup_json json_t *j = json_loadb(text, len, 0, &jerr);
  const char *name = json_string_value(json_object_get(j, "Name"));
  const char *rid = json_string_value(json_object_get(j, "Id"));
  json_t *cfg0 = json_array_get(json_object_get(json_object_get(j, "IPAM"), "Config"), 0);
  const char *subnet = json_string_value(json_object_get(cfg0, "Subnet"));
  const char *gateway = json_string_value(json_object_get(j, "BerthGateway"));
  berth_network *n = xcalloc(1, sizeof(*n));
  if (name == NULL || rid == NULL || strcmp(rid, id) != 0 || subnet == NULL || gateway == NULL
      || berth_cidr_parse(subnet, true, &n->subnet, NULL) < 0
      || berth_ipv4_parse(gateway, &n->gateway) < 0) {
    berth_network_free(n);
    berth_error_set(err, 0, "network record %s: bad or missing fields", rel);
    return NULL;
  }
  n->name = xstrdup(name);
  memcpy(n->id, id, 65);
  const char *created = json_string_value(json_object_get(j, "Created"));
  n->created = xstrdup(created ? created : "0001-01-01T00:00:00Z");
  n->driver = xstrdup("bridge");
  n->show_gateway = !json_is_false(json_object_get(j, "BerthShowGateway"));
  snprintf(n->bridge, sizeof(n->bridge), "br-%.12s", id);
  json_t *labels = json_object_get(j, "Labels"), *options = json_object_get(j, "Options");
  n->labels = json_is_object(labels) ? json_deep_copy(labels) : json_object();
  n->options = json_is_object(options) ? json_deep_copy(options) : json_object();
  return n;
}

static bool
is_predefined_id(const char *id)
{
  for (size_t i = 0; i < 3; i++) {
    char pid[65];
    predefined_id(predefined[i], pid);
    if (strcmp(pid, id) == 0)
      return true;
  }
  return false;
}

/* IDs of the stored user networks, sorted by nothing in particular. */
static char **
user_ids(berth_store *s)
{
  size_t n = 0, cap = 8;
  char **ids = xcalloc(cap, sizeof(char *));
  cleanup_dir DIR *d = NULL;
  int fd = openat(berth_store_root_fd(s), NETWORKS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0 && (d = fdopendir(fd)) == NULL)
    close(fd);
  struct dirent *e;
  while (d != NULL && (e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len != 69 || strcmp(e->d_name + 64, ".json") != 0)
      continue;
    cleanup_free char *id = xstrndup(e->d_name, 64);
    if (strspn(id, "0123456789abcdef") != 64 || is_predefined_id(id))
      continue;
    if (n + 2 > cap)
      ids = xrealloc(ids, (cap *= 2) * sizeof(char *));
    ids[n++] = steal_pointer(&id);
    ids[n] = NULL;
  }
  return ids;
}

static int
by_name(const void *a, const void *b)
{
  const berth_network *x = *(berth_network *const *)a, *y = *(berth_network *const *)b;
  return strcmp(x->name, y->name);
}

void
berth_network_list_free(berth_network **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    berth_network_free(v[i]);
  free(v);
}

int
berth_network_list(berth_store *s, const berth_network_config *cfg, berth_network ***out, size_t *n,
                   berth_error **err)
{
  cleanup_strv char **ids = user_ids(s);
  size_t count = 0;
  while (ids[count] != NULL)
    count++;
  berth_network **v = xcalloc(count + 3, sizeof(*v));
  size_t k = 0;
  for (size_t i = 0; i < 3; i++)
    v[k++] = make_predefined(s, cfg, predefined[i]);
  for (size_t i = 0; i < count; i++) {
    berth_network *u = load_record(s, ids[i], err);
    if (u == NULL) {
      berth_network_list_free(v, k);
      return -1;
    }
    v[k++] = u;
  }
  qsort(v, k, sizeof(*v), by_name); /* Docker lists them all by name */
  *out = v;
  *n = k;
  return 0;
}

int
berth_network_find(berth_store *s, const berth_network_config *cfg, const char *name,
                   berth_network **out, berth_error **err)
{
  berth_network **v;
  size_t n;
  if (berth_network_list(s, cfg, &v, &n, err) < 0)
    return -1;
  berth_network *found = NULL;
  size_t matches = 0, len = strlen(name);
  for (size_t i = 0; i < n && found == NULL; i++)
    if (strcmp(v[i]->id, name) == 0 || strcmp(v[i]->name, name) == 0)
      found = v[i];
  for (size_t i = 0; i < n && found == NULL; i++)
    if (len > 0 && strncmp(v[i]->id, name, len) == 0)
      matches++;
  if (found == NULL && matches == 1)
    for (size_t i = 0; i < n && found == NULL; i++)
      if (strncmp(v[i]->id, name, len) == 0)
        found = v[i];
  for (size_t i = 0; i < n; i++)
    if (v[i] != found)
      berth_network_free(v[i]);
  free(v);
  if (found != NULL) {
    *out = found;
    return 0;
  }
  cleanup_free char *shown = berth_bytes_escape(name);
  if (matches > 1)
    return berth_error_set_as(err, EINVAL,
                              "network %s is ambiguous (%zu matches found based on ID prefix)",
                              shown, matches);
  return berth_error_set_as(err, ENOENT, "network %s not found", shown);
}

json_t *
berth_network_inspect_json(const berth_network *n)
{
  /* Docker 20.10: the default bridge's IPAM names its subnet only (and
   * its gateway when "bip" sets it), Options null; a user network's has
   * both, Options {} */
  json_t *ipam_config = json_array();
  if (berth_network_has_bridge(n)) {
    cleanup_free char *subnet = berth_cidr_format(&n->subnet);
    char gw[16];
    berth_ipv4_format(n->gateway, gw);
    json_t *c = json_pack("{s:s}", "Subnet", subnet);
    if (n->show_gateway)
      json_object_set_new(c, "Gateway", json_string(gw));
    json_array_append_new(ipam_config, c);
  }
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:o, s:o}, s:b, s:b, s:b, s:{s:s}, "
                   "s:b, s:{}, s:O, s:O}",
                   "Name", n->name, "Id", n->id, "Created", n->created, "Scope", "local", "Driver",
                   n->driver, "EnableIPv6", 0, "IPAM", "Driver", "default", "Options",
                   n->predefined ? json_null() : json_object(), "Config", ipam_config, "Internal",
                   0, "Attachable", 0, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly", 0,
                   "Containers", "Options", n->options, "Labels", n->labels);
}

json_t *
berth_network_conflist(berth_store *s, const berth_network *n)
{
  cleanup_free char *subnet = berth_cidr_format(&n->subnet);
  cleanup_free char *ipam_dir = berth_ipam_dir(s);
  char gw[16];
  berth_ipv4_format(n->gateway, gw);
  /* Docker's bridge driver: the bridge is the gateway, NAT out of the
   * subnet, a container may reach its own published ports (hairpin) */
  return json_pack("{s:s, s:s, s:[{s:s, s:s, s:b, s:b, s:b, s:{s:s, s:[[{s:s, s:s}]], "
                   "s:[{s:s}], s:s}}, {s:s, s:{s:b}, s:b}, {s:s, s:s}]}",
                   "cniVersion", "1.0.0", "name", n->name, "plugins", "type", "bridge", "bridge",
                   n->bridge, "isGateway", 1, "ipMasq", 1, "hairpinMode", 1, "ipam", "type",
                   "host-local", "ranges", "subnet", subnet, "gateway", gw, "routes", "dst",
                   "0.0.0.0/0", "dataDir", ipam_dir, "type", "portmap", "capabilities",
                   "portMappings", 1, "snat", 1, "type", "firewall", "backend", "iptables");
}

int
berth_network_touch(berth_store *s, const berth_network *n, berth_error **err)
{
  if (!n->predefined)
    return 0;
  cleanup_free char *rel = xasprintf(NETWORKS_DIR "/%s.json", n->id);
  if (berth_exists_at(berth_store_root_fd(s), rel))
    return 0;
  if (berth_mkdir_p_at(berth_store_root_fd(s), NETWORKS_DIR, 0700, err) < 0)
    return -1;
  cleanup_json json_t *j
      = json_pack("{s:s, s:s, s:s}", "Name", n->name, "Id", n->id, "Created", n->created);
  cleanup_free char *text = json_dumps(j, JSON_COMPACT);
  return berth_write_file_atomic_at(berth_store_root_fd(s), rel, text, strlen(text), 0600, err);
}

/* Docker's name rule for networks is its container name rule. */
static bool
name_valid(const char *name)
{
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')
        || (name[0] >= '0' && name[0] <= '9')))
    return false;
  return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
         == strlen(name);
}

static int
subnet_for(berth_store *s, const berth_network_config *cfg, const berth_network_create_options *o,
           berth_network *n, berth_error **err)
{
  berth_network **all;
  size_t count;
  if (berth_network_list(s, cfg, &all, &count, err) < 0)
    return -1;
  berth_cidr *used = xcalloc(count + 1, sizeof(*used));
  size_t nu = 0;
  int ret = 0;
  for (size_t i = 0; i < count; i++) {
    if (strcmp(all[i]->name, o->name) == 0) {
      ret = berth_error_set(err, 0, "network with name %s already exists", o->name);
      break;
    }
    if (berth_network_has_bridge(all[i]))
      used[nu++] = all[i]->subnet;
  }
  berth_network_list_free(all, count);
  if (ret == 0 && o->subnet != NULL) {
    for (size_t i = 0; i < nu && ret == 0; i++)
      if (berth_cidr_overlap(&n->subnet, &used[i]))
        ret = berth_error_set(err, 0, "Pool overlaps with other one on this address space");
  } else if (ret == 0) {
    size_t np;
    const berth_address_pool *pools = berth_pools_docker_default(&np);
    if (cfg != NULL && cfg->pools != NULL && cfg->n_pools > 0) {
      pools = cfg->pools;
      np = cfg->n_pools;
    }
    if (berth_pools_next(pools, np, used, nu, &n->subnet) < 0)
      ret = berth_error_set(err, 0,
                            "could not find an available, non-overlapping IPv4 address pool "
                            "among the defaults to assign to the network");
    n->gateway = n->subnet.addr + 1;
  }
  free(used);
  return ret;
}

static int
write_record(berth_store *s, const berth_network *n, berth_error **err)
{
  if (berth_mkdir_p_at(berth_store_root_fd(s), NETWORKS_DIR, 0700, err) < 0)
    return -1;
  cleanup_json json_t *j = berth_network_inspect_json(n);
  json_object_del(j, "Containers");
  /* what inspect may not show, kept for berth */
  char gw[16];
  berth_ipv4_format(n->gateway, gw);
  json_object_set_new(j, "BerthGateway", json_string(gw));
  json_object_set_new(j, "BerthShowGateway", json_boolean(n->show_gateway));
  cleanup_free char *text = json_dumps(j, JSON_INDENT(1));
  cleanup_free char *rel = xasprintf(NETWORKS_DIR "/%s.json", n->id);
  return berth_write_file_atomic_at(berth_store_root_fd(s), rel, text, strlen(text), 0600, err);
}

/* o holds user input: the name, subnet, gateway and labels are checked
 * before anything is written. */
int
berth_network_create(berth_store *s, const berth_network_config *cfg,
                     const berth_network_create_options *o, berth_network **out, berth_error **err)
{
  if (o->driver != NULL && strcmp(o->driver, "bridge") != 0) {
    cleanup_free char *shown = berth_bytes_escape(o->driver);
    return berth_error_set(err, 0, "plugin \"%s\" not found", shown);
  }
  if (!name_valid(o->name)) {
    cleanup_free char *shown = berth_bytes_escape(o->name);
    return berth_error_set(err, 0,
                           "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                           "are allowed",
                           shown);
  }
  cleanup_network berth_network *n = xcalloc(1, sizeof(*n));
  n->name = xstrdup(o->name);
  n->driver = xstrdup("bridge");
  n->labels = json_object();
  n->options = json_object();
  if (o->subnet != NULL && berth_cidr_parse(o->subnet, true, &n->subnet, err) < 0)
    return -1;
  if (o->gateway != NULL) {
    if (o->subnet == NULL)
      return berth_error_set(err, 0, "every ip-range or gateway must have a corresponding subnet");
    if (berth_ipv4_parse(o->gateway, &n->gateway) < 0
        || !berth_cidr_contains(&n->subnet, n->gateway)) {
      cleanup_free char *shown = berth_bytes_escape(o->gateway);
      return berth_error_set(err, 0, "no matching subnet for gateway %s", shown);
    }
  } else if (o->subnet != NULL) {
    n->gateway = n->subnet.addr + 1;
  }
  n->show_gateway = o->subnet == NULL || o->gateway != NULL;
  for (char **l = o->labels; l != NULL && *l != NULL; l++) {
    if (berth_utf8_check(*l, "\"--label\" flag", err) < 0)
      return -1;
    const char *eq = strchr(*l, '=');
    cleanup_free char *key = eq ? xstrndup(*l, (size_t)(eq - *l)) : xstrdup(*l);
    json_object_set_new(n->labels, key, json_string(eq ? eq + 1 : ""));
  }
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  if (subnet_for(s, cfg, o, n, err) < 0)
    return -1;
  berth_random_hex(n->id, 64);
  snprintf(n->bridge, sizeof(n->bridge), "br-%.12s", n->id);
  n->created = berth_time_now_rfc3339();
  if (write_record(s, n, err) < 0)
    return -1;
  *out = steal_pointer(&n);
  return 0;
}

int
berth_network_remove(berth_store *s, const berth_network *n, berth_error **err)
{
  if (n->predefined)
    return berth_error_set(err, 0, "%s is a pre-defined network and cannot be removed", n->name);
  cleanup_close int lock = berth_network_lock(s, err);
  if (lock < 0)
    return -1;
  if (berth_endpoints_network_active(s, n->id))
    return berth_error_set(err, 0,
                           "error while removing network: network %s id %s has active endpoints",
                           n->name, n->id);
  if (berth_firewall_forget(n->bridge, err) < 0 || berth_ipam_forget(s, n->name, err) < 0)
    return -1;
  cleanup_free char *rel = xasprintf(NETWORKS_DIR "/%s.json", n->id);
  if (unlinkat(berth_store_root_fd(s), rel, 0) < 0 && errno != ENOENT)
    return berth_error_set(err, errno, "remove %s", rel);
  return 0;
}
