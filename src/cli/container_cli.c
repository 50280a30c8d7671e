#include "container_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/devices.h"
#include "container/network.h"
#include "container/runtime.h"
#include "flags.h"
#include "images/rootfs_ref.h"

struct strv {
  char **v;
  size_t n, cap;
};

/* Grows by doubling: an env file can hold many thousands of lines. */
static void
strv_push(struct strv *sv, char *s)
{
  if (sv->n + 2 > sv->cap) {
    sv->cap = sv->cap < 8 ? 8 : 2 * sv->cap;
    sv->v = xrealloc(sv->v, sv->cap * sizeof(char *));
  }
  sv->v[sv->n++] = s;
  sv->v[sv->n] = NULL;
}

/* Docker reads an --env-file with Go's bufio.Scanner, whose longest line is
 * 64 KiB; berth takes the same, and at most 2 MiB in all (the most a
 * process's environment can hold on Linux by default, ARG_MAX), so that
 * /dev/zero or an endless pipe is refused instead of filling memory. */
#define ENV_FILE_LINE_MAX (64 * 1024)
#define ENV_FILE_MAX (2 * 1024 * 1024)

/* Lines of an --env-file: "#" comments and blank lines skipped.  The file
 * is the user's: every line must be UTF-8 (it goes into the container's
 * JSON record), without NUL bytes, within the bounds above. */
static int
read_env_file(const char *path, struct strv *env, berth_error **err)
{
  cleanup_file FILE *f = fopen(path, "re");
  if (f == NULL)
    return berth_error_set(err, errno, "open %s", path);
  cleanup_free char *line = xmalloc(ENV_FILE_LINE_MAX + 1);
  size_t total = 0;
  for (int lineno = 1;; lineno++) {
    size_t n = 0;
    int ch;
    bool nul = false;
    while ((ch = getc(f)) != EOF && ch != '\n') {
      if (n == ENV_FILE_LINE_MAX)
        return berth_error_set(err, 0, "env file %s: line %d is longer than %d bytes", path, lineno,
                               ENV_FILE_LINE_MAX);
      nul |= ch == '\0';
      line[n++] = (char)ch;
    }
    if (ferror(f))
      return berth_error_set(err, errno, "read %s", path);
    if (ch == EOF && n == 0)
      return 0;
    if ((total += n + 1) > ENV_FILE_MAX)
      return berth_error_set(err, 0, "env file %s is larger than %d bytes", path, ENV_FILE_MAX);
    while (n > 0 && line[n - 1] == '\r')
      n--;
    line[n] = '\0';
    if (nul)
      return berth_error_set(err, 0, "env file %s contains a NUL byte at line %d", path, lineno);
    if (!berth_utf8_valid(line, n)) {
      cleanup_free char *shown = berth_bytes_escape(line);
      return berth_error_set(err, 0, "env file %s contains invalid utf8 bytes at line %d: \"%s\"",
                             path, lineno, shown);
    }
    if (n > 0 && line[0] != '#')
      strv_push(env, xstrdup(line));
    if (ch == EOF)
      return 0;
  }
}

enum {
  OPT_ENTRYPOINT = BERTH_FLAG_LONG,
  OPT_ENV_FILE,
  OPT_NAME,
  OPT_NETWORK,
  OPT_NETWORK_ALIAS,
  OPT_EXPOSE,
  OPT_RESTART,
  OPT_RM,
  OPT_RUNTIME,
  OPT_CPUS,
  OPT_INIT,
  OPT_MEMORY_SWAP,
  OPT_PIDS_LIMIT,
  OPT_SHM_SIZE,
  OPT_ULIMIT,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_DEVICE,
  OPT_PRIVILEGED,
  OPT_READ_ONLY,
  OPT_SECURITY_OPT,
  OPT_TMPFS,
};

/* run's flags, in Docker's words where Docker has the flag; create has
 * them all but the run-only ones (run_only).  Every value a flag takes
 * ends up in the container's JSON record, so each is checked for UTF-8. */
static const berth_flag run_flags[] = {
  { "cap-add", OPT_CAP_ADD, "list", "Add Linux capabilities" },
  { "cap-drop", OPT_CAP_DROP, "list", "Drop Linux capabilities" },
  { "cpu-shares", 'c', "int", "CPU shares (relative weight)" },
  { "cpus", OPT_CPUS, "decimal", "Number of CPUs" },
  { "detach", 'd', NULL, "Run container in background and print container ID" },
  { "device", OPT_DEVICE, "list", "Add a host device to the container" },
  { "entrypoint", OPT_ENTRYPOINT, "string", "Overwrite the default ENTRYPOINT of the image" },
  { "env", 'e', "list", "Set environment variables" },
  { "env-file", OPT_ENV_FILE, "list", "Read in a file of environment variables" },
  { "expose", OPT_EXPOSE, "list", "Expose a port or a range of ports" },
  { "hostname", 'h', "string", "Container host name" },
  { "init", OPT_INIT, NULL,
    "Run an init inside the container that forwards signals and reaps processes" },
  { "interactive", 'i', NULL, "Keep STDIN open even if not attached" },
  { "label", 'l', "list", "Set meta data on a container" },
  { "memory", 'm', "bytes", "Memory limit" },
  { "memory-swap", OPT_MEMORY_SWAP, "bytes",
    "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { "name", OPT_NAME, "string", "Assign a name to the container" },
  { "network", OPT_NETWORK, "network", "Connect a container to a network" },
  { "network-alias", OPT_NETWORK_ALIAS, "list", "Add network-scoped alias for the container" },
  { "pids-limit", OPT_PIDS_LIMIT, "int", "Tune container pids limit (set -1 for unlimited)" },
  { "privileged", OPT_PRIVILEGED, NULL, "Give extended privileges to this container" },
  { "publish", 'p', "list", "Publish a container's port(s) to the host" },
  { "publish-all", 'P', NULL, "Publish all exposed ports to random ports" },
  { "read-only", OPT_READ_ONLY, NULL, "Mount the container's root filesystem as read only" },
  { "restart", OPT_RESTART, "string",
    "Restart policy to apply when a container exits (only \"no\")" },
  { "rm", OPT_RM, NULL, "Automatically remove the container when it exits" },
  { "runtime", OPT_RUNTIME, "string", "Runtime to use for this container" },
  { "security-opt", OPT_SECURITY_OPT, "list", "Security Options" },
  { "shm-size", OPT_SHM_SIZE, "bytes", "Size of /dev/shm" },
  { "tmpfs", OPT_TMPFS, "list", "Mount a tmpfs directory" },
  { "tty", 't', NULL, "Allocate a pseudo-TTY" },
  { "ulimit", OPT_ULIMIT, "ulimit", "Ulimit options (default [])" },
  { "user", 'u', "string", "Username or UID (format: <name|uid>[:<group|gid>])" },
  { "volume", 'v', "list", "Bind mount a volume (HOST:CONTAINER[:ro])" },
  { "workdir", 'w', "string", "Working directory inside the container" },
  { 0 },
};

/* The flags of run that berth's create does not take: -d (nor does
 * Docker's), --rm (Docker's create has it, berth's has refused it so far). */
static bool
run_only(int key)
{
  return key == 'd' || key == OPT_RM;
}

static const berth_cmd_spec *
run_spec(bool allow_run)
{
  static const berth_cmd_spec run = { "berth run [OPTIONS] IMAGE [COMMAND] [ARG...]",
                                      "Run a command in a new container",
                                      run_flags,
                                      .min_args = 1,
                                      .max_args = BERTH_ARGS_ANY,
                                      .own_args = true /* the command's */ };
  static berth_flag create_flags[sizeof run_flags / sizeof run_flags[0]];
  static const berth_cmd_spec create = { "berth create [OPTIONS] IMAGE [COMMAND] [ARG...]",
                                         "Create a new container",
                                         create_flags,
                                         .min_args = 1,
                                         .max_args = BERTH_ARGS_ANY,
                                         .own_args = true };
  if (allow_run)
    return &run;
  if (create_flags[0].name == NULL) {
    size_t n = 0;
    for (const berth_flag *f = run_flags; f->name != NULL; f++)
      if (!run_only(f->key))
        create_flags[n++] = *f;
  }
  return &create;
}

/* --restart: berth has no daemon that could restart a container, so only
 * Docker's default, "no", is taken; Docker's other policies are refused by
 * name, anything else with Docker's words. */
static int
check_restart(berth_cli *cli, const char *cmd, const char *policy)
{
  if (strcmp(policy, "no") == 0 || strcmp(policy, "") == 0)
    return 0;
  if (strcmp(policy, "always") == 0 || strcmp(policy, "unless-stopped") == 0
      || strcmp(policy, "on-failure") == 0 || strncmp(policy, "on-failure:", 11) == 0)
    return berth_cli_usage_error(cli, cmd,
                                 "restart policy '%s' is not supported: berth has no daemon to "
                                 "restart containers (only --restart=no)",
                                 policy);
  return berth_cli_usage_error(cli, cmd, "invalid restart policy '%s'", policy);
}

/* The confinement flags (confine.h) into c's vectors. */
static int
confine_flag(int key, const char *value, berth_confine_options *c)
{
  char ***v = key == OPT_CAP_ADD        ? &c->cap_add
              : key == OPT_CAP_DROP     ? &c->cap_drop
              : key == OPT_DEVICE       ? &c->devices
              : key == OPT_SECURITY_OPT ? &c->security_opt
              : key == OPT_TMPFS        ? &c->tmpfs
                                        : NULL;
  if (key == OPT_PRIVILEGED)
    c->privileged = true;
  else if (key == OPT_READ_ONLY)
    c->read_only = true;
  else if (v == NULL)
    return -1;
  else {
    size_t n = 0;
    while (*v != NULL && (*v)[n] != NULL)
      n++;
    *v = xrealloc(*v, (n + 2) * sizeof(char *));
    (*v)[n] = xstrdup(value);
    (*v)[n + 1] = NULL;
  }
  return 0;
}

/* What Docker's CLI checks itself (--device's form, --security-opt's, a
 * seccomp profile file read in): usage errors, before anything is made. */
static int
check_confine(berth_cli *cli, const char *cmd, berth_create_options *o)
{
  cleanup_error berth_error *err = NULL;
  for (char **d = o->confine.devices; d != NULL && *d != NULL; d++) {
    cleanup_json json_t *m = berth_device_parse(*d, &err);
    if (m == NULL)
      return berth_cli_usage_error(cli, cmd, "%s", berth_error_message(err));
  }
  if (berth_confine_read_security_opts(o->confine.security_opt, &err) < 0)
    return berth_cli_usage_error(cli, cmd, "%s", berth_error_message(err));
  o->confine.seccomp_profile = cli->config ? cli->config->seccomp_profile : NULL;
  return 0;
}

/* One value of a limit flag (the user's), parsed as Docker's CLI parses
 * it: a bad one is refused with Docker's words
 * (`invalid argument "x" for "-m, --memory" flag: invalid size: 'x'`). */
static int
parse_limit(berth_cli *cli, const char *cmd, int key, const char *what, const char *value,
            berth_run_flags *f)
{
  berth_limits *l = &f->create.limits;
  cleanup_error berth_error *err = NULL;
  int r = 0;
  switch (key) {
  case 'c':
    r = berth_parse_int64(value, 0, &l->cpu_shares, &err);
    break;
  case OPT_CPUS:
    r = berth_parse_nano_cpus(value, &l->nano_cpus, &err);
    break;
  case OPT_INIT:
    l->init = true;
    break;
  case 'm':
    r = berth_parse_ram_in_bytes(value, &l->memory, &err);
    break;
  case OPT_MEMORY_SWAP:
    r = berth_parse_memory_swap(value, &l->memory_swap, &err);
    break;
  case OPT_PIDS_LIMIT:
    r = berth_parse_int64(value, 0, &l->pids_limit, &err);
    break;
  case OPT_SHM_SIZE:
    r = berth_parse_ram_in_bytes(value, &l->shm_size, &err);
    break;
  case OPT_ULIMIT: {
    berth_ulimit u;
    r = berth_parse_ulimit(value, &u, &err);
    if (r == 0) {
      f->ulimits = xrealloc(f->ulimits, (l->n_ulimits + 1) * sizeof(*f->ulimits));
      f->ulimits[l->n_ulimits++] = u;
      l->ulimits = f->ulimits;
    }
    break;
  }
  }
  if (r == 0)
    return 0;
  cleanup_free char *shown = berth_bytes_escape(value);
  return berth_cli_usage_error(cli, cmd, "invalid argument \"%s\" for %s: %s", shown, what,
                               berth_error_message(err));
}

/* argv is the user's: every value is checked for UTF-8 here, before the
 * image is looked up or pulled, so a bad byte is refused by its flag's
 * name instead of vanishing from the record. */
int
berth_cli_parse_run(berth_cli *cli, int argc, char **argv, bool allow_run, berth_run_flags *f)
{
  memset(f, 0, sizeof(*f));
  struct strv env = { 0 }, binds = { 0 }, labels = { 0 }, aliases = { 0 };
  strv_push(&aliases, NULL), aliases.n = 0;
  strv_push(&env, NULL), env.n = 0;
  strv_push(&binds, NULL), binds.n = 0;
  strv_push(&labels, NULL), labels.n = 0;
  berth_create_options *o = &f->create;
  o->env = env.v; /* owned by f from here on: berth_run_flags_clear frees */
  o->binds = binds.v;
  o->labels = labels.v;
  o->network_aliases = aliases.v;
  const berth_cmd_spec *spec = run_spec(allow_run);
  berth_flag_iter it = { 0 };
  int c;
  while ((c = berth_flags_next(&it, cli, spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status == 0 ? -2 : it.status;
    cleanup_free char *what = it.flag->type != NULL ? berth_flag_what(it.flag) : NULL;
    if (what != NULL && berth_cli_check_utf8(cli, argv[0], what, optarg) != 0)
      return 125;
    switch (c) {
    case 'd':
      f->detach = o->detach = true;
      break;
    case 'e':
      strv_push(&env, xstrdup(optarg));
      o->env = env.v;
      break;
    case OPT_ENV_FILE: {
      cleanup_error berth_error *err = NULL;
      int r = read_env_file(optarg, &env, &err);
      o->env = env.v;
      if (r < 0)
        return berth_cli_usage_error(cli, argv[0], "%s", berth_error_message(err));
      break;
    }
    case OPT_ENTRYPOINT:
      o->entrypoint = optarg;
      break;
    case 'h':
      o->hostname = optarg;
      break;
    case 'i':
      o->interactive = true;
      break;
    case 'l':
      strv_push(&labels, xstrdup(optarg));
      o->labels = labels.v;
      break;
    case OPT_NAME:
      o->name = optarg;
      break;
    case OPT_NETWORK:
      o->network = optarg;
      break;
    case OPT_NETWORK_ALIAS:
      strv_push(&aliases, xstrdup(optarg));
      o->network_aliases = aliases.v;
      break;
    case 'p': {
      cleanup_error berth_error *err = NULL;
      if (berth_ports_parse(optarg, &f->ports, &f->n_ports, &err) < 0)
        return berth_cli_usage_error(cli, argv[0], "%s.", berth_error_message(err));
      o->ports = f->ports;
      o->n_ports = f->n_ports;
      break;
    }
    case 'P':
      o->publish_all = true;
      break;
    case OPT_EXPOSE: {
      /* Docker's --expose: PORT[/PROTO] or a range, never a host part */
      cleanup_error berth_error *err = NULL;
      if (strchr(optarg, ':') != NULL)
        return berth_cli_usage_error(cli, argv[0], "invalid port format for --expose: %s.", optarg);
      if (berth_ports_parse(optarg, &f->exposed, &f->n_exposed, &err) < 0)
        return berth_cli_usage_error(cli, argv[0], "%s.", berth_error_message(err));
      o->exposed = f->exposed;
      o->n_exposed = f->n_exposed;
      break;
    }
    case OPT_RM:
      o->auto_remove = true;
      break;
    case OPT_RUNTIME:
      o->runtime = optarg;
      break;
    case 't':
      o->tty = true;
      break;
    case 'u':
      o->user = optarg;
      break;
    case 'v':
      strv_push(&binds, xstrdup(optarg));
      o->binds = binds.v;
      break;
    case 'w':
      o->workdir = optarg;
      break;
    case OPT_RESTART:
      if (check_restart(cli, argv[0], optarg) != 0)
        return 125;
      break;
    default:
      if (confine_flag(c, optarg, &o->confine) == 0)
        break;
      if (parse_limit(cli, argv[0], c, what, optarg, f) != 0)
        return 125;
      break;
    }
  }
  if (o->runtime == NULL)
    o->runtime = berth_runtime_default(NULL, cli->config ? cli->config->default_runtime : NULL);
  if (o->network == NULL)
    o->network
        = cli->config && cli->config->default_network ? cli->config->default_network : "default";
  o->network_config = cli->config ? &cli->config->network : NULL;
  if (o->runtime != NULL && strcmp(o->runtime, "runc") != 0 && strcmp(o->runtime, "crun") != 0)
    return berth_cli_usage_error(cli, argv[0], "unknown or invalid runtime name: %s", o->runtime);
  o->env = env.v;
  o->binds = binds.v;
  o->labels = labels.v;
  if (berth_cli_check_utf8(cli, argv[0], "the image name", argv[optind]) != 0)
    return 125;
  for (int i = optind + 1; i < argc; i++)
    if (berth_cli_check_utf8(cli, argv[0], "the command", argv[i]) != 0)
      return 125;
  if (check_confine(cli, argv[0], o) != 0)
    return 125;
  o->image = argv[optind];
  o->cmd = argv + optind + 1;
  return 0;
}

static void
free_strv(char **v)
{
  for (char **p = v; p != NULL && *p != NULL; p++)
    free(*p);
  free(v);
}

void
berth_run_flags_clear(berth_run_flags *f)
{
  free_strv(f->create.env);
  free_strv(f->create.binds);
  free_strv(f->create.labels);
  free_strv(f->create.network_aliases);
  free(f->ports);
  free(f->exposed);
  f->ports = f->exposed = NULL;
  f->n_ports = f->n_exposed = 0;
  f->create.env = f->create.binds = f->create.labels = f->create.network_aliases = NULL;
  free(f->ulimits);
  f->ulimits = NULL;
  f->create.limits.ulimits = NULL;
  f->create.limits.n_ulimits = 0;
  berth_confine_options *c = &f->create.confine;
  free_strv(c->cap_add), free_strv(c->cap_drop), free_strv(c->devices);
  free_strv(c->security_opt), free_strv(c->tmpfs);
  c->cap_add = c->cap_drop = c->devices = c->security_opt = c->tmpfs = NULL;
}

berth_container *
berth_cli_container(berth_cli *cli, berth_store *s, const char *name, int *status)
{
  cleanup_error berth_error *err = NULL;
  berth_container *c = NULL;
  if (berth_container_find(s, name, &c, &err) < 0) {
    *status = berth_cli_fail(cli, err);
    return NULL;
  }
  return c;
}

berth_container *
berth_cli_only_container(berth_cli *cli, char **argv, berth_store **s, int *status)
{
  cleanup_error berth_error *err = NULL;
  *s = berth_cli_store(cli, &err);
  if (*s == NULL) {
    *status = berth_cli_fail(cli, err);
    return NULL;
  }
  return berth_cli_container(cli, *s, argv[optind], status);
}

int
berth_cli_each_container(berth_cli *cli, char **names, int n, berth_container_op op, void *ctx)
{
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  for (int i = 0; i < n; i++) {
    int r = 0;
    cleanup_container berth_container *c = berth_cli_container(cli, s, names[i], &r);
    cleanup_error berth_error *e = NULL;
    if (c != NULL && op(s, &c, ctx, &e) < 0)
      r = berth_cli_fail(cli, e);
    else if (c != NULL)
      puts(names[i]);
    if (r != 0)
      status = r;
  }
  return status;
}

/* Only a plain name can be pulled: not an image ID, not IMAGE@layer:N. */
static bool
pullable(const char *image)
{
  return !berth_reference_is_id_prefix(image) && strstr(image, "@layer:") == NULL;
}

/* Resolves o->image as run/create do: an image missing locally is pulled
 * first (with Docker's "Unable to find image" line), when it can be. */
static int
resolve_image(berth_cli *cli, berth_store *s, const char *image, char id[BERTH_DIGEST_LEN],
              size_t *n_layers, berth_error **err)
{
  cleanup_error berth_error *local = NULL; /* a missing image is pulled */
  if (berth_image_resolve_rootfs(s, image, id, n_layers, &local) == 0)
    return 0;
  if (berth_error_errno(local) != ENOENT || !pullable(image))
    return berth_error_propagate(err, &local);
  berth_error *parse_err = NULL;
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(image, &parse_err);
  if (ref == NULL) {
    berth_error_free(parse_err);
    return berth_error_propagate(err, &local);
  }
  berth_error_clear(&local);
  berth_reference_default_tag(ref);
  cleanup_free char *familiar = berth_reference_familiar_string(ref);
  fprintf(stderr, "Unable to find image '%s' locally\n", familiar);
  if (berth_cli_pull(cli, ref, NULL, stderr, err) < 0)
    return -1;
  return berth_image_resolve_rootfs(s, image, id, n_layers, err);
}

int
berth_cli_create_container(berth_cli *cli, berth_create_options *o, berth_container **out,
                           berth_error **err)
{
  berth_store *s = berth_cli_store(cli, err);
  if (s == NULL)
    return -1;
  char id[BERTH_DIGEST_LEN];
  if (resolve_image(cli, s, o->image, id, &o->n_layers, err) < 0)
    return berth_error_set_kind(err, BERTH_ERR_ENGINE);
  o->image_id = id;
  /* what a killed berth left of a network is released first: its ports
   * and addresses are free again for this container */
  (void)berth_container_network_sweep(s, NULL);
  int r = berth_container_create(s, o, out, err);
  o->image_id = NULL;
  return r;
}
