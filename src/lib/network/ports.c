#include "network/ports.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"

/* Go's strconv.ParseUint(s, 10, 16): digits only, at most 65535. */
static int
parse_u16(const char *s, unsigned *out)
{
  if (s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
    return -1;
  unsigned long v = strtoul(s, NULL, 10);
  if (v > 65535)
    return -1;
  *out = (unsigned)v;
  return 0;
}

/* nat.ParsePortRange: "N" or "A-B" with A <= B. */
static int
parse_range(const char *s, unsigned *start, unsigned *end)
{
  const char *dash = strchr(s, '-');
  if (dash == NULL) {
    if (parse_u16(s, start) < 0)
      return -1;
    *end = *start;
    return 0;
  }
  cleanup_free char *a = xstrndup(s, (size_t)(dash - s));
  if (parse_u16(a, start) < 0 || parse_u16(dash + 1, end) < 0 || *end < *start)
    return -1;
  return 0;
}

static bool
valid_proto(const char *p)
{
  return strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 || strcmp(p, "sctp") == 0;
}

/* Error texts carry user input: escaped. */
static int
spec_error(berth_error **err, const char *what, const char *value)
{
  cleanup_free char *shown = berth_bytes_escape(value);
  return berth_error_set(err, 0, "%s%s", what, shown);
}

/* Docker's nat.ParsePortSpec: the parts split at ':' (the IP may hold
 * more of them), then "/proto" off the container part. */
int
berth_ports_parse(const char *spec, berth_port_map **v, size_t *n, berth_error **err)
{
  cleanup_free char *copy = xstrdup(spec);
  char *last = strrchr(copy, ':');
  char *ip = NULL, *host = NULL, *ctr = copy;
  if (last != NULL) {
    *last = '\0';
    ctr = last + 1;
    char *prev = strrchr(copy, ':');
    if (prev != NULL) {
      *prev = '\0';
      host = prev + 1;
      ip = copy;
    } else {
      host = copy;
    }
  }
  /* SplitProtoPort: "80" is tcp, "80/" too, "80/udp/x" is udp */
  cleanup_free char *proto_raw = NULL;
  if (ctr[0] == '\0' || ctr[0] == '/') {
    ctr[0] = '\0';
  } else {
    char *slash = strchr(ctr, '/');
    if (slash != NULL) {
      *slash = '\0';
      char *end = strchr(slash + 1, '/');
      if (end != NULL)
        *end = '\0';
      if (slash[1] != '\0')
        proto_raw = xstrdup(slash + 1);
    }
  }
  char proto[16] = "tcp";
  if (proto_raw != NULL) {
    size_t i = 0;
    for (; proto_raw[i] != '\0' && i + 1 < sizeof(proto); i++)
      proto[i]
          = (char)(proto_raw[i] >= 'A' && proto_raw[i] <= 'Z' ? proto_raw[i] + 32 : proto_raw[i]);
    proto[i] = '\0';
    if (proto_raw[i] != '\0')
      proto[0] = '?'; /* too long to be one */
  }
  char addr[46] = "";
  if (ip != NULL && ip[0] != '\0') {
    size_t len = strlen(ip);
    cleanup_free char *bare
        = ip[0] == '[' && len > 1 && ip[len - 1] == ']' ? xstrndup(ip + 1, len - 2) : xstrdup(ip);
    unsigned char buf[16];
    if (strlen(bare) >= sizeof(addr)
        || (inet_pton(AF_INET, bare, buf) != 1 && inet_pton(AF_INET6, bare, buf) != 1))
      return spec_error(err, "Invalid ip address: ", bare);
    snprintf(addr, sizeof(addr), "%s", bare);
  }
  if (ctr[0] == '\0') {
    cleanup_free char *shown = berth_bytes_escape(spec);
    return berth_error_set(err, 0, "No port specified: %s<empty>", shown);
  }
  unsigned start, end, hstart = 0, hend = 0;
  if (parse_range(ctr, &start, &end) < 0)
    return spec_error(err, "Invalid containerPort: ", ctr);
  if (host != NULL && host[0] != '\0' && parse_range(host, &hstart, &hend) < 0)
    return spec_error(err, "Invalid hostPort: ", host);
  bool has_host = host != NULL && host[0] != '\0';
  if (has_host && end - start != hend - hstart && end != start) {
    cleanup_free char *a = berth_bytes_escape(ctr), *b = berth_bytes_escape(host);
    return berth_error_set(
        err, 0, "Invalid ranges specified for container and host Ports: %s and %s", a, b);
  }
  if (!valid_proto(proto))
    return spec_error(err, "Invalid proto: ", proto_raw ? proto_raw : "");
  for (unsigned p = start; p <= end; p++) {
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    berth_port_map *m = &(*v)[(*n)++];
    memset(m, 0, sizeof(*m));
    snprintf(m->proto, sizeof(m->proto), "%s", proto);
    m->container_port = p;
    snprintf(m->host_ip, sizeof(m->host_ip), "%s", addr);
    if (has_host) {
      m->host_port = hstart + (p - start);
      if (start == end && hstart != hend)
        m->host_port_end = hend;
    }
  }
  return 0;
}

static char *
port_key(const berth_port_map *m)
{
  return xasprintf("%u/%s", m->container_port, m->proto);
}

void
berth_ports_to_bindings(const berth_port_map *v, size_t n, json_t *pb)
{
  for (size_t i = 0; i < n; i++) {
    cleanup_free char *key = port_key(&v[i]);
    json_t *list = json_object_get(pb, key);
    if (!json_is_array(list)) {
      list = json_array();
      json_object_set_new(pb, key, list);
    }
    cleanup_free char *hp = v[i].host_port == 0 ? xstrdup("")
                            : v[i].host_port_end
                                ? xasprintf("%u-%u", v[i].host_port, v[i].host_port_end)
                                : xasprintf("%u", v[i].host_port);
    json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", v[i].host_ip, "HostPort", hp));
  }
}

int
berth_port_key_parse(const char *key, unsigned *port, char proto[5])
{
  const char *slash = strchr(key, '/');
  const char *p = slash ? slash + 1 : "tcp";
  cleanup_free char *num = slash ? xstrndup(key, (size_t)(slash - key)) : xstrdup(key);
  if (parse_u16(num, port) < 0 || *port == 0 || !valid_proto(p))
    return -1;
  snprintf(proto, 5, "%s", p);
  return 0;
}

int
berth_ports_from_bindings(const json_t *pb, berth_port_map **v, size_t *n, berth_error **err)
{
  const char *key;
  json_t *list;
  json_object_foreach((json_t *)pb, key, list)
  {
    unsigned port;
    char proto[5];
    if (berth_port_key_parse(key, &port, proto) < 0)
      return berth_error_set(err, 0, "invalid port binding \"%s\" in the container's record", key);
    size_t i;
    json_t *b;
    json_array_foreach(list, i, b)
    {
      const char *ip = json_string_value(json_object_get(b, "HostIp"));
      const char *hp = json_string_value(json_object_get(b, "HostPort"));
      unsigned hs = 0, he = 0;
      if (hp != NULL && hp[0] != '\0' && parse_range(hp, &hs, &he) < 0)
        return berth_error_set(err, 0, "invalid host port \"%s\" in the container's record", hp);
      *v = xrealloc(*v, (*n + 1) * sizeof(**v));
      berth_port_map *m = &(*v)[(*n)++];
      memset(m, 0, sizeof(*m));
      snprintf(m->proto, sizeof(m->proto), "%s", proto);
      m->container_port = port;
      snprintf(m->host_ip, sizeof(m->host_ip), "%s", ip ? ip : "");
      m->host_port = hs;
      m->host_port_end = he != hs ? he : 0;
    }
  }
  return 0;
}

/* One of the API's Port entries, as ps gets them. */
struct api_port {
  char ip[46];
  unsigned private_port, public_port;
  char type[5];
};

static int
by_port_info(const void *a, const void *b)
{
  const struct api_port *x = a, *y = b;
  if (x->private_port != y->private_port)
    return x->private_port < y->private_port ? -1 : 1;
  int c = strcmp(x->ip, y->ip);
  if (c != 0)
    return c;
  if (x->public_port != y->public_port)
    return x->public_port < y->public_port ? -1 : 1;
  return strcmp(x->type, y->type);
}

static struct api_port *
api_ports(const json_t *ports, size_t *count)
{
  struct api_port *v = NULL;
  size_t n = 0;
  const char *key;
  json_t *list;
  json_object_foreach((json_t *)ports, key, list)
  {
    unsigned port;
    char proto[5];
    if (berth_port_key_parse(key, &port, proto) < 0)
      continue;
    if (!json_is_array(list) || json_array_size(list) == 0) {
      v = xrealloc(v, (n + 1) * sizeof(*v));
      v[n] = (struct api_port){ .private_port = port };
      snprintf(v[n++].type, 5, "%s", proto);
      continue;
    }
    size_t i;
    json_t *b;
    json_array_foreach(list, i, b)
    {
      v = xrealloc(v, (n + 1) * sizeof(*v));
      v[n] = (struct api_port){ .private_port = port };
      snprintf(v[n].type, 5, "%s", proto);
      snprintf(v[n].ip, sizeof(v[n].ip), "%s",
               json_string_value(json_object_get(b, "HostIp")) ?: "");
      v[n].public_port = (unsigned)atoi(json_string_value(json_object_get(b, "HostPort")) ?: "0");
      n++;
    }
  }
  if (n > 0)
    qsort(v, n, sizeof(*v), by_port_info);
  *count = n;
  return v;
}

struct group {
  char key[64]; /* "tcp" or "IP/tcp" */
  unsigned first, last;
};

static void
append(char **out, const char *piece)
{
  char *joined = *out ? xasprintf("%s, %s", *out, piece) : xstrdup(piece);
  free(*out);
  *out = joined;
}

static char *
form_group(const struct group *g)
{
  const char *slash = strrchr(g->key, '/');
  cleanup_free char *range
      = g->first != g->last ? xasprintf("%u-%u", g->first, g->last) : xasprintf("%u", g->first);
  if (slash == NULL)
    return xasprintf("%s/%s", range, g->key);
  cleanup_free char *ip = xstrndup(g->key, (size_t)(slash - g->key));
  return xasprintf("%s:%s->%s/%s", ip, range, range, slash + 1);
}

/* Docker's DisplayablePorts, step for step: groups of consecutive private
 * ports published on the same port, kept in the order they were first
 * seen, then the mappings to another host port. */
char *
berth_ports_ps_column(const json_t *ports)
{
  size_t n;
  cleanup_free struct api_port *v = api_ports(ports, &n);
  cleanup_free struct group *groups = xcalloc(n + 1, sizeof(*groups));
  size_t ng = 0;
  char *result = NULL, *mappings = NULL;
  for (size_t i = 0; i < n; i++) {
    char key[64];
    if (v[i].ip[0] != '\0') {
      if (v[i].public_port != v[i].private_port) {
        cleanup_free char *m
            = xasprintf("%s:%u->%u/%s", v[i].ip, v[i].public_port, v[i].private_port, v[i].type);
        append(&mappings, m);
        continue;
      }
      snprintf(key, sizeof(key), "%s/%s", v[i].ip, v[i].type);
    } else {
      snprintf(key, sizeof(key), "%s", v[i].type);
    }
    struct group *g = NULL;
    for (size_t k = 0; k < ng && g == NULL; k++)
      if (strcmp(groups[k].key, key) == 0)
        g = &groups[k];
    if (g == NULL) {
      g = &groups[ng++];
      snprintf(g->key, sizeof(g->key), "%s", key);
      g->first = g->last = v[i].private_port;
      continue;
    }
    if (v[i].private_port == g->last + 1) {
      g->last = v[i].private_port;
      continue;
    }
    cleanup_free char *piece = form_group(g);
    append(&result, piece);
    g->first = g->last = v[i].private_port;
  }
  for (size_t k = 0; k < ng; k++) {
    cleanup_free char *piece = form_group(&groups[k]);
    append(&result, piece);
  }
  if (mappings != NULL) {
    append(&result, mappings);
    free(mappings);
  }
  return result ? result : xstrdup("");
}

static char *
join_host_port(const char *ip, const char *port)
{
  return strchr(ip, ':') != NULL ? xasprintf("[%s]:%s", ip, port) : xasprintf("%s:%s", ip, port);
}

/* Docker 20.10's client lists the ports by their "PORT/PROTO" key as a
 * string ("7000/tcp" before "80/tcp"), each port's bindings in order. */
static int
by_key_string(const void *a, const void *b)
{
  const struct api_port *x = a, *y = b;
  char kx[16], ky[16];
  snprintf(kx, sizeof(kx), "%u/%s", x->private_port, x->type);
  snprintf(ky, sizeof(ky), "%u/%s", y->private_port, y->type);
  int c = strcmp(kx, ky);
  return c != 0 ? c : by_port_info(a, b);
}

char **
berth_ports_port_lines(const json_t *ports, const char *want)
{
  size_t n;
  cleanup_free struct api_port *v = api_ports(ports, &n);
  if (n > 0)
    qsort(v, n, sizeof(*v), by_key_string);
  char **lines = xcalloc(n + 1, sizeof(char *));
  size_t k = 0;
  unsigned want_port = 0;
  char want_proto[5] = "";
  if (want != NULL && berth_port_key_parse(want, &want_port, want_proto) < 0)
    return lines;
  for (size_t i = 0; i < n; i++) {
    if (v[i].ip[0] == '\0' && v[i].public_port == 0)
      continue; /* exposed, not published */
    if (want != NULL && (v[i].private_port != want_port || strcmp(v[i].type, want_proto) != 0))
      continue;
    char hp[8];
    snprintf(hp, sizeof(hp), "%u", v[i].public_port);
    cleanup_free char *front = join_host_port(v[i].ip, hp);
    lines[k++] = want != NULL ? steal_pointer(&front)
                              : xasprintf("%u/%s -> %s", v[i].private_port, v[i].type, front);
  }
  return lines;
}

static int
by_string(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
berth_ports_sort_keys(json_t *obj)
{
  size_t n = json_object_size(obj), i = 0;
  if (n < 2)
    return;
  cleanup_free const char **keys = xcalloc(n, sizeof(char *));
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) keys[i++] = key;
  qsort(keys, n, sizeof(char *), by_string);
  cleanup_json json_t *copy = json_object();
  for (i = 0; i < n; i++)
    json_object_set(copy, keys[i], json_object_get(obj, keys[i]));
  json_object_clear(obj);
  json_object_foreach(copy, key, v) json_object_set(obj, key, v);
}
