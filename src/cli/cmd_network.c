/* `network create|ls|inspect|rm|connect|disconnect|prune`: Docker's
 * network commands over network/'s records and endpoints. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/network.h"
#include "container/ops.h"
#include "container_cli.h"
#include "flags.h"
#include "format.h"
#include "images/inspect.h"
#include "manage.h"
#include "network/endpoint.h"
#include "template/template.h"

static const berth_network_config *
netcfg(berth_cli *cli)
{
  return cli->config ? &cli->config->network : NULL;
}

/* A store, with what a killed berth left of networks released first. */
static berth_store *
writer_store(berth_cli *cli, berth_error **err)
{
  berth_store *s = berth_cli_store(cli, err);
  if (s != NULL)
    (void)berth_container_network_sweep(s, NULL);
  return s;
}

static int
network_create(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_SUBNET = BERTH_FLAG_LONG, OPT_GATEWAY, OPT_LABEL };
  static const berth_flag flags[] = {
    { "driver", 'd', "string", "Driver to manage the Network (default \"bridge\")" },
    { "gateway", OPT_GATEWAY, "strings", "IPv4 or IPv6 Gateway for the master subnet" },
    { "label", OPT_LABEL, "list", "Set metadata on a network" },
    { "subnet", OPT_SUBNET, "strings", "Subnet in CIDR format that represents a network segment" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth network create [OPTIONS] NETWORK", "Create a network", flags, 1, 1, false };
  berth_flag_iter it = { 0 };
  berth_network_create_options o = { 0 };
  cleanup_free char **labels = xcalloc((size_t)argc + 1, sizeof(char *));
  size_t n_labels = 0;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    if (berth_cli_check_utf8(cli, "network create", "a flag", optarg) != 0)
      return 125;
    if (c == 'd')
      o.driver = optarg;
    else if (c == OPT_GATEWAY)
      o.gateway = optarg;
    else if (c == OPT_SUBNET)
      o.subnet = optarg;
    else if (c == OPT_LABEL)
      labels[n_labels++] = optarg;
  }
  o.name = argv[optind];
  o.labels = labels;
  cleanup_error berth_error *err = NULL;
  if (o.subnet != NULL) { /* Docker's words for a subnet that does not parse */
    berth_cidr cidr;
    if (berth_cidr_parse(o.subnet, true, &cidr, &err) < 0) {
      cleanup_free char *shown = berth_bytes_escape(o.subnet);
      berth_error_prefix(&err, "Invalid subnet %s ", shown);
      return berth_cli_fail(cli, err);
    }
  }
  berth_store *s = writer_store(cli, &err);
  cleanup_network berth_network *n = NULL;
  if (s == NULL || berth_network_create(s, netcfg(cli), &o, &n, &err) < 0)
    return berth_cli_fail(cli, err);
  puts(n->id);
  return 0;
}

/* Docker's --filter keys for networks: name (a substring, as Docker's
 * matches it), id (a prefix), driver, type (custom or builtin), label. */
static bool
keep_network(const berth_network *n, char **filters, size_t n_filters)
{
  for (size_t i = 0; i < n_filters; i++) {
    const char *f = filters[i], *eq = strchr(f, '=');
    const char *v = eq ? eq + 1 : "";
    size_t klen = eq ? (size_t)(eq - f) : strlen(f);
    if (klen == 4 && strncmp(f, "name", 4) == 0 && strstr(n->name, v) == NULL)
      return false;
    if (klen == 2 && strncmp(f, "id", 2) == 0 && strncmp(n->id, v, strlen(v)) != 0)
      return false;
    if (klen == 6 && strncmp(f, "driver", 6) == 0 && strcmp(n->driver, v) != 0)
      return false;
    if (klen == 4 && strncmp(f, "type", 4) == 0
        && (strcmp(v, "custom") == 0 ? n->predefined : !n->predefined))
      return false;
    if (klen == 5 && strncmp(f, "label", 5) == 0) {
      const char *leq = strchr(v, '=');
      cleanup_free char *key = leq ? xstrndup(v, (size_t)(leq - v)) : xstrdup(v);
      const char *have = json_string_value(json_object_get(n->labels, key));
      if (have == NULL || (leq != NULL && strcmp(have, leq + 1) != 0))
        return false;
    }
  }
  return true;
}

static const char *const filter_keys[] = { "name", "id", "driver", "type", "label", NULL };

/* A --filter value (user input): one of Docker's keys, type custom or
 * builtin, in Docker's words otherwise. */
static int
check_filter(berth_cli *cli, const char *f)
{
  const char *eq = strchr(f, '=');
  if (eq == NULL)
    return berth_cli_usage_error(cli, "network ls", "bad format of filter (expected name=value)");
  size_t klen = (size_t)(eq - f);
  for (const char *const *k = filter_keys; *k != NULL; k++)
    if (strlen(*k) == klen && strncmp(*k, f, klen) == 0) {
      if (klen == 4 && strncmp(f, "type", 4) == 0 && strcmp(eq + 1, "custom") != 0
          && strcmp(eq + 1, "builtin") != 0) {
        fprintf(stderr, "Error: Invalid filter: 'type'='%s'\n", eq + 1);
        return 1;
      }
      return 0;
    }
  fprintf(stderr, "Error: Invalid filter '%.*s'\n", (int)klen, f);
  return 1;
}

static json_t *
ls_headers(void)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "NETWORK ID", "Name", "NAME",
                   "Driver", "DRIVER", "Scope", "SCOPE", "IPv6", "IPV6", "Internal", "INTERNAL",
                   "Labels", "LABELS", "CreatedAt", "CREATED");
}

/* One row as Docker's networkContext shows it: every column a string. */
static json_t *
ls_row(const berth_network *n, bool no_trunc)
{
  char id[65];
  snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, n->id);
  cleanup_free char *labels = xstrdup("");
  const char *k;
  json_t *v;
  json_object_foreach(n->labels, k, v)
  {
    char *more
        = xasprintf("%s%s%s=%s", labels, labels[0] ? "," : "", k, json_string_value(v) ?: "");
    free(labels);
    labels = more;
  }
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id, "Name", n->name, "Driver",
                   n->driver, "Scope", "local", "IPv6", "false", "Internal", "false", "Labels",
                   labels, "CreatedAt", n->created);
}

static int
network_ls(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_NO_TRUNC = BERTH_FLAG_LONG, OPT_FORMAT };
  static const berth_flag flags[] = {
    { "filter", 'f', "filter", "Provide filter values (e.g. 'driver=bridge')" },
    { "format", OPT_FORMAT, "string", "Pretty-print networks using a Go template" },
    { "no-trunc", OPT_NO_TRUNC, NULL, "Do not truncate the output" },
    { "quiet", 'q', NULL, "Only display network IDs" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth network ls [OPTIONS]", "List networks", flags, 0, 0, false };
  berth_flag_iter it = { 0 };
  bool quiet = false, no_trunc = false;
  const char *format = NULL;
  cleanup_free char **filters = xcalloc((size_t)argc + 1, sizeof(char *));
  size_t n_filters = 0;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    if (c == 'q')
      quiet = true;
    else if (c == OPT_NO_TRUNC)
      no_trunc = true;
    else if (c == OPT_FORMAT)
      format = optarg;
    else {
      int bad = check_filter(cli, optarg);
      if (bad != 0)
        return bad;
      filters[n_filters++] = optarg;
    }
  }
  /* -q: the IDs alone unless a template is given, Docker's order */
  const char *fmt = format != NULL && format[0] != '\0' ? format
                    : quiet                             ? "{{.ID}}"
                            : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
  cleanup_error berth_error *err = NULL;
  cleanup_json json_t *headers = ls_headers();
  cleanup_format berth_format *f
      = berth_format_new(fmt, headers, "*formatter.networkContext", NULL, &err);
  if (f == NULL)
    return berth_format_fail("template parsing error", err);
  berth_store *s = berth_cli_store(cli, &err);
  berth_network **v = NULL;
  size_t n = 0;
  if (s == NULL || berth_network_list(s, netcfg(cli), &v, &n, &err) < 0)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (size_t i = 0; i < n && status == 0; i++) {
    if (!keep_network(v[i], filters, n_filters))
      continue;
    cleanup_json json_t *row = ls_row(v[i], no_trunc);
    if (berth_format_row(f, row, NULL, &err) < 0)
      status = berth_format_fail(NULL, err);
  }
  berth_network_list_free(v, n);
  if (status == 0)
    berth_format_print(f);
  return status;
}

/* Docker's inspect of a network: its record, and the running containers
 * attached to it under Containers. */
static json_t *
inspect_json(berth_store *s, const berth_network *n)
{
  json_t *j = berth_network_inspect_json(n);
  json_t *containers = json_object();
  if (berth_network_has_bridge(n)) {
    cleanup_json json_t *members = berth_endpoints_members(s, n->id);
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m)
    {
      json_object_set_new(containers, json_string_value(json_object_get(m, "ContainerID")),
                          json_pack("{s:O, s:O, s:O, s:O, s:s}", "Name", json_object_get(m, "Name"),
                                    "EndpointID", json_object_get(m, "EndpointID"), "MacAddress",
                                    json_object_get(m, "MacAddress"), "IPv4Address",
                                    json_object_get(m, "IPv4Address"), "IPv6Address", ""));
    }
  }
  json_object_set_new(j, "Containers", containers);
  return j;
}

static int
network_inspect(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "format", 'f', "string", "Format the output using the given Go template" },
    { 0 },
  };
  static const berth_cmd_spec spec = { "berth network inspect [OPTIONS] NETWORK [NETWORK...]",
                                       "Display detailed information on one or more networks",
                                       flags,
                                       1,
                                       BERTH_ARGS_ANY,
                                       false };
  berth_flag_iter it = { 0 };
  const char *format = NULL;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    format = optarg;
  }
  cleanup_error berth_error *err = NULL;
  cleanup_template berth_template *tmpl = NULL;
  if (format != NULL && format[0] != '\0' && (tmpl = berth_template_parse(format, &err)) == NULL) {
    fprintf(stderr, "template parsing error: %s\n", berth_error_message(err));
    return 64;
  }
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  cleanup_json json_t *all = json_array();
  cleanup_strv char **missing = xcalloc((size_t)argc + 1, sizeof(char *));
  size_t n_missing = 0;
  for (int i = optind; i < argc; i++) {
    cleanup_network berth_network *n = NULL;
    cleanup_error berth_error *e = NULL;
    if (berth_network_find(s, netcfg(cli), argv[i], &n, &e) < 0) {
      missing[n_missing++] = berth_error_errno(e) == ENOENT
                                 ? xasprintf("No such network: %s", argv[i])
                                 : xstrdup(berth_error_message(e));
      continue;
    }
    json_array_append_new(all, inspect_json(s, n));
  }
  if (tmpl != NULL) {
    size_t i;
    json_t *one;
    json_array_foreach(all, i, one)
    {
      cleanup_free char *text = NULL;
      berth_template_options o = { .missing_key_error = true };
      if (berth_template_execute(tmpl, one, &o, &text, NULL, &err) < 0) {
        fprintf(stderr, "template parsing error: %s\n", berth_error_message(err));
        return 1;
      }
      printf("%s\n", text);
    }
  } else {
    cleanup_free char *text = berth_inspect_dump(all);
    fputs(text, stdout);
  }
  fflush(stdout);
  for (size_t i = 0; i < n_missing; i++)
    fprintf(stderr, "Error: %s\n", missing[i]);
  return n_missing > 0 ? 1 : 0;
}

static int
network_rm(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec = { "berth network rm NETWORK [NETWORK...]",
                                       "Remove one or more networks",
                                       NULL,
                                       1,
                                       BERTH_ARGS_ANY,
                                       false };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status;
  cleanup_error berth_error *err = NULL;
  berth_store *s = writer_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (int i = optind; i < argc; i++) {
    cleanup_network berth_network *n = NULL;
    cleanup_error berth_error *e = NULL;
    if (berth_network_find(s, netcfg(cli), argv[i], &n, &e) < 0) {
      if (berth_error_errno(e) == ENOENT)
        fprintf(stderr, "Error: No such network: %s\n", argv[i]);
      else
        fprintf(stderr, "Error: %s\n", berth_error_message(e));
      status = 1;
      continue;
    }
    if (berth_network_remove(s, n, &e) < 0) {
      fprintf(stderr, "Error: %s\n", berth_error_message(e));
      status = 1;
      continue;
    }
    puts(argv[i]);
  }
  return status;
}

/* connect (aliases: its --alias values, NULL-terminated) or, with
 * aliases NULL, disconnect: the store, the container, the network, then
 * the change. */
static int
join_or_leave(berth_cli *cli, const char *network, const char *container, char *const *aliases)
{
  cleanup_error berth_error *err = NULL;
  berth_store *s = writer_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *ct = berth_cli_container(cli, s, container, &status);
  if (ct == NULL)
    return status;
  cleanup_network berth_network *n = NULL;
  if (berth_network_find(s, netcfg(cli), network, &n, &err) < 0
      || (aliases != NULL ? berth_container_network_connect(s, ct, n, aliases, &err)
                          : berth_container_network_disconnect(s, ct, n, &err))
             < 0)
    return berth_cli_fail(cli, err);
  return 0;
}

static int
network_connect(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_ALIAS = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "alias", OPT_ALIAS, "strings", "Add network-scoped alias for the container" },
    { 0 },
  };
  static const berth_cmd_spec spec = { "berth network connect [OPTIONS] NETWORK CONTAINER",
                                       "Connect a container to a network",
                                       flags,
                                       2,
                                       2,
                                       false };
  berth_flag_iter it = { 0 };
  cleanup_free char **aliases = xcalloc((size_t)argc + 1, sizeof(char *));
  size_t n_aliases = 0;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    if (berth_cli_check_utf8(cli, "network connect", "\"--alias\" flag", optarg) != 0)
      return 125;
    aliases[n_aliases++] = optarg;
  }
  return join_or_leave(cli, argv[optind], argv[optind + 1], aliases);
}

static int
network_disconnect(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "force", 'f', NULL, "Force the container to disconnect from a network" },
    { 0 },
  };
  static const berth_cmd_spec spec = { "berth network disconnect [OPTIONS] NETWORK CONTAINER",
                                       "Disconnect a container from a network",
                                       flags,
                                       2,
                                       2,
                                       false };
  berth_flag_iter it = { 0 };
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1)
    if (c == BERTH_FLAG_DONE)
      return it.status;
  return join_or_leave(cli, argv[optind], argv[optind + 1], NULL);
}

/* Docker's prune: every user network no running container is attached
 * to, after its prompt unless -f. */
static int
network_prune(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "force", 'f', NULL, "Do not prompt for confirmation" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth network prune [OPTIONS]", "Remove all unused networks", flags, 0, 0, false };
  berth_flag_iter it = { 0 };
  bool force = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    force = true;
  }
  if (!force) {
    fputs("WARNING! This will remove all custom networks not used by at least one container.\n"
          "Are you sure you want to continue? [y/N] ",
          stdout);
    fflush(stdout);
    char answer[16] = "";
    if (fgets(answer, sizeof(answer), stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
      return 0;
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = writer_store(cli, &err);
  berth_network **v = NULL;
  size_t n = 0;
  if (s == NULL || berth_network_list(s, netcfg(cli), &v, &n, &err) < 0)
    return berth_cli_fail(cli, err);
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    if (v[i]->predefined || berth_endpoints_network_active(s, v[i]->id))
      continue;
    cleanup_error berth_error *e = NULL;
    if (berth_network_remove(s, v[i], &e) < 0)
      continue; /* in use by now */
    if (!any)
      puts("Deleted Networks:");
    any = true;
    puts(v[i]->name);
  }
  if (any)
    puts("");
  berth_network_list_free(v, n);
  return 0;
}

static const berth_subcommand subcommands[] = {
  { "connect", network_connect, "Connect a container to a network" },
  { "create", network_create, "Create a network" },
  { "disconnect", network_disconnect, "Disconnect a container from a network" },
  { "inspect", network_inspect, "Display detailed information on one or more networks" },
  { "list", network_ls, NULL },
  { "ls", network_ls, "List networks" },
  { "prune", network_prune, "Remove all unused networks" },
  { "remove", network_rm, NULL },
  { "rm", network_rm, "Remove one or more networks" },
  { NULL, NULL, NULL },
};

int
berth_cmd_network(berth_cli *cli, int argc, char **argv)
{
  return berth_cli_manage(cli, argc, argv, "Manage networks", subcommands);
}
