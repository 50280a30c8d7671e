/* berth's command line: global options, then one command, docker style. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_prune.h"
#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"

typedef int (*command_fn)(berth_cli *cli, int argc, char **argv);

static const struct command {
  const char *name;
  command_fn fn;
  const char *summary;
} commands[] = {
  { "attach", berth_cmd_attach,
    "Attach local standard input, output, and error streams to a running container" },
  { "cp", berth_cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "create", berth_cmd_create, "Create a new container" },
  { "build", berth_cmd_build, "Build an image from a Dockerfile" },
  { "builder", berth_cmd_builder, "Manage builds" },
  { "commit", berth_cmd_commit, "Create a new image from a container's changes" },
  { "container", berth_cmd_container, "Manage containers" },
  { "diff", berth_cmd_diff, "Inspect changes to files or directories on a container's filesystem" },
  { "exec", berth_cmd_exec, "Execute a command in a running container" },
  { "export", berth_cmd_export, "Export a container's filesystem as a tar archive" },
  { "history", berth_cmd_history, "Show the history of an image" },
  { "image", berth_cmd_image, "Manage images" },
  { "images", berth_cmd_images, "List images" },
  { "import", berth_cmd_import, "Import the contents from a tarball to create a filesystem image" },
  { "info", berth_cmd_info, "Display system-wide information" },
  { "inspect", berth_cmd_inspect, "Return low-level information on images and containers" },
  { "kill", berth_cmd_kill, "Kill one or more running containers" },
  { "layers", berth_cmd_layers, "Show every layer of an image with all its IDs" },
  { "load", berth_cmd_load, "Load an image from a tar archive or STDIN" },
  { "login", berth_cmd_login, "Log in to a registry" },
  { "logout", berth_cmd_logout, "Log out from a registry" },
  { "logs", berth_cmd_logs, "Fetch the logs of a container" },
  { "manifest", berth_cmd_manifest, "Manage Docker image manifests and manifest lists" },
  { "mount", berth_cmd_mount, "Mount a container's root filesystem" },
  { "network", berth_cmd_network, "Manage networks" },
  { "pause", berth_cmd_pause, "Pause all processes within one or more containers" },
  { "port", berth_cmd_port, "List port mappings or a specific mapping for the container" },
  { "ps", berth_cmd_ps, "List containers" },
  { "pull", berth_cmd_pull, "Pull an image from a registry" },
  { "push", berth_cmd_push, "Push an image or a repository to a registry" },
  { "rename", berth_cmd_rename, "Rename a container" },
  { "restart", berth_cmd_restart, "Restart one or more containers" },
  { "rm", berth_cmd_rm, "Remove one or more containers" },
  { "rmi", berth_cmd_rmi, "Remove one or more images" },
  { "run", berth_cmd_run, "Run a command in a new container" },
  { "save", berth_cmd_save,
    "Save one or more images to a tar archive (streamed to STDOUT by default)" },
  { "system", berth_cmd_system, "Manage Docker" },
  { "start", berth_cmd_start, "Start one or more stopped containers" },
  { "stop", berth_cmd_stop, "Stop one or more running containers" },
  { "tag", berth_cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
  { "top", berth_cmd_top, "Display the running processes of a container" },
  { "umount", berth_cmd_umount, "Release a container's root filesystem mount" },
  { "unpause", berth_cmd_unpause, "Unpause all processes within one or more containers" },
  { "verify", berth_cmd_verify, "Check every layer of images against its diffID" },
  { "version", berth_cmd_version, "Show the berth version information" },
  { "wait", berth_cmd_wait,
    "Block until one or more containers stop, then print their exit codes" },
};

static void
usage(FILE *out)
{
  fputs("Usage:  berth [OPTIONS] COMMAND\n\n"
        "A daemonless container image engine\n\n"
        "Options:\n"
        "      --config string   Location of client config files (default \"~/.docker\")\n"
        "  -D, --debug           Enable debug mode\n"
        "      --root string     Root of the berth store (default \"/var/lib/berth\")\n"
        "  -v, --version         Print version information and quit\n\n"
        "Commands:\n",
        out);
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs("\nRun 'berth COMMAND --help' for more information on a command.\n", out);
}

berth_store *
berth_cli_store(berth_cli *cli, berth_error **err)
{
  if (cli->store == NULL) {
    cli->store = berth_store_open(cli->root, err);
    berth_cli_debug_phase(cli, "open the store");
    berth_cli_debug_trace(cli, cli->store);
  }
  return cli->store;
}

/* The one place an error's kind becomes an exit code: Docker's 125 when the
 * engine could not set the command up, 126 when the command cannot be run,
 * 127 when it does not exist, 1 for any other failure. */
int
berth_cli_exit_code(const berth_error *err)
{
  switch (berth_error_get_kind(err)) {
  case BERTH_ERR_ENGINE:
    return 125;
  case BERTH_ERR_CMD_CANNOT_INVOKE:
    return 126;
  case BERTH_ERR_CMD_NOT_FOUND:
    return 127;
  case BERTH_ERR_FAILED:
    break;
  }
  return 1;
}

int
berth_cli_fail(berth_cli *cli, berth_error *err)
{
  fprintf(stderr, "Error: %s\n", berth_error_message(err));
  berth_cli_debug_error(cli, err);
  return berth_cli_exit_code(err);
}

int
berth_cli_usage_error(berth_cli *cli, const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", cli->prog);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nSee '%s %s --help'.\n", cli->prog, cli->form[0] ? cli->form : cmd);
  return 125;
}

int
berth_cli_bad_option(berth_cli *cli, const char *cmd, char **argv, int c)
{
  const char *arg = argv[optind - 1];
  if (c == ':' && strncmp(arg, "--", 2) == 0) /* getopt's ":": a value is missing */
    fprintf(stderr, "flag needs an argument: %.*s\n", (int)strcspn(arg, "="), arg);
  else if (c == ':')
    fprintf(stderr, "flag needs an argument: '%c' in -%c\n", optopt, optopt);
  else if (optopt != 0)
    fprintf(stderr, "unknown shorthand flag: '%c' in -%c\n", optopt, optopt);
  else
    fprintf(stderr, "unknown flag: %s\n", arg);
  fprintf(stderr, "See '%s %s --help'.\n", cli->prog, cli->form[0] ? cli->form : cmd);
  return 125;
}

int
berth_cli_check_utf8(berth_cli *cli, const char *cmd, const char *what, const char *value)
{
  cleanup_error berth_error *err = NULL;
  if (berth_utf8_check(value, what, &err) == 0)
    return 0;
  return berth_cli_usage_error(cli, cmd, "%s", berth_error_message(err));
}

int
berth_cli_parse_int(berth_cli *cli, const char *cmd, const char *flag, const char *s, int *out)
{
  /* Go's strconv.ParseInt: an optional sign, then decimal digits only. */
  const char *digits = s + (*s == '+' || *s == '-');
  const char *why = NULL;
  long long v = 0;
  if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits)) {
    why = "invalid syntax";
  } else {
    char *end;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
      why = "value out of range";
  }
  if (why != NULL) {
    cleanup_free char *shown = berth_bytes_escape(s);
    return berth_cli_usage_error(cli, cmd,
                                 "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: "
                                 "parsing \"%s\": %s",
                                 shown, flag, shown, why);
  }
  *out = (int)v;
  return 0;
}

static const struct command *
find_command(const char *name)
{
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* path (--root or $BERTH_ROOT, the user's) joined to the working directory
 * when it is relative; not resolved further (it may not exist yet). */
static char *
absolute(const char *path, berth_error **err)
{
  if (path[0] == '/')
    return xstrdup(path);
  if (path[0] == '\0') {
    berth_error_set(err, 0, "the store root is an empty path");
    return NULL;
  }
  cleanup_free char *cwd = getcwd(NULL, 0);
  if (cwd == NULL) {
    berth_error_set(err, errno, "getcwd (to make the root %s absolute)", path);
    return NULL;
  }
  return xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path);
}

int
main(int argc, char **argv)
{
  static const struct option options[] = {
    { "root", required_argument, NULL, 'r' }, { "config", required_argument, NULL, 'c' },
    { "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'v' },
    { "debug", no_argument, NULL, 'D' },      { 0 },
  };
  berth_cli cli = { .prog = "berth" };
  berth_cli_debug_start(&cli);
  const char *root = NULL;
  int c;
  while ((c = getopt_long(argc, argv, "+hvD", options, NULL)) != -1) {
    switch (c) {
    case 'r':
      root = optarg;
      break;
    case 'c':
      cli.registry.docker_config_dir = optarg;
      break;
    case 'D':
      cli.debug = true;
      break;
    case 'h':
      usage(stdout);
      return 0;
    case 'v':
      return berth_cmd_version(&cli, 0, NULL);
    default:
      usage(stderr);
      return 125;
    }
  }
  if (optind >= argc) {
    usage(stderr);
    return 125;
  }
  const struct command *cmd = find_command(argv[optind]);
  if (cmd == NULL) {
    fprintf(stderr, "berth: '%s' is not a berth command.\nSee 'berth --help'\n", argv[optind]);
    return 125;
  }

  cleanup_error berth_error *err = NULL;
  const char *config_path = getenv("BERTH_CONFIG");
  cli.config = berth_config_load(config_path ? config_path : BERTH_DEFAULT_CONFIG, &err);
  berth_cli_debug_phase(&cli, "load the configuration");
  if (cli.config == NULL)
    return berth_cli_fail(&cli, err);
  if (root == NULL)
    root = getenv("BERTH_ROOT");
  if (root == NULL)
    root = cli.config->data_root;
  /* Made absolute once, here: parts of berth (the runtime's bundle, the
   * monitor) work from other directories, where a relative root would name
   * something else. */
  cleanup_free char *abs_root = absolute(root != NULL ? root : BERTH_DEFAULT_ROOT, &err);
  if (abs_root == NULL) {
    berth_config_free(cli.config);
    return berth_cli_fail(&cli, err);
  }
  cli.root = abs_root;
  cli.registry.insecure = cli.config->insecure_registries;

  int sub_argc = argc - optind;
  char **sub_argv = argv + optind;
  optind = 0; /* each command parses its own options afresh */
  opterr = 0; /* and reports bad ones in Docker's words (berth_cli_bad_option) */
  int status = cmd->fn(&cli, sub_argc, sub_argv);
  berth_cli_debug_phase(&cli, cmd->name);
  berth_store_free(cli.store);
  berth_config_free(cli.config);
  fflush(stdout);
  return status;
}
