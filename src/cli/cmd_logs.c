#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container_cli.h"
#include "engine/container_ops.h"

/* One JSON line of the log (written by berth, still checked) to its stream. */
static void
print_entry(const char *line)
{
  json_error_t jerr;
  cleanup_json json_t *j = json_loads(line, 0, &jerr);
  const char *log = json_string_value(json_object_get(j, "log"));
  const char *stream = json_string_value(json_object_get(j, "stream"));
  if (log == NULL)
    return;
  FILE *out = stream != NULL && strcmp(stream, "stderr") == 0 ? stderr : stdout;
  fputs(log, out);
  fflush(out);
}

static bool
still_running(berth_store *s, const char *id)
{
  cleanup_container berth_container *c = NULL;
  if (berth_container_load(s, id, &c, NULL) != 1)
    return false;
  berth_container_refresh(s, c, NULL);
  return strcmp(c->status, "running") == 0;
}

static int
follow_log(berth_store *s, const berth_container *c, FILE *f)
{
  char *line = NULL;
  size_t cap = 0;
  for (;;) {
    bool running = still_running(s, c->id);
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
      if (line[n - 1] != '\n') {
        fseek(f, -n, SEEK_CUR); /* a line being written: read it whole later */
        break;
      }
      print_entry(line);
    }
    clearerr(f);
    if (!running || c == NULL)
      break;
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    nanosleep(&ts, NULL);
  }
  free(line);
  return 0;
}

int
berth_cmd_logs(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "follow", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  bool follow = false;
  int c;
  while ((c = getopt_long(argc, argv, "+fh", options, NULL)) != -1) {
    switch (c) {
    case 'f':
      follow = true;
      break;
    case 'h':
      puts("Usage:  berth logs [OPTIONS] CONTAINER\n\n"
           "Fetch the logs of a container\n\n"
           "Options:\n"
           "  -f, --follow   Follow log output");
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv);
    }
  }
  if (argc - optind != 1)
    return berth_cli_usage_error(cli, argv[0], "\"logs\" requires exactly 1 argument.");
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  int status = 0;
  cleanup_container berth_container *ct = berth_cli_container(cli, s, argv[optind], &status);
  if (ct == NULL)
    return status;
  cleanup_free char *path
      = xasprintf("%s/containers/%s/%s-json.log", berth_store_root(s), ct->id, ct->id);
  cleanup_file FILE *f = fopen(path, "re");
  if (f == NULL)
    return errno == ENOENT ? 0 : (fprintf(stderr, "Error: open log: %s\n", strerror(errno)), 1);
  if (!follow) {
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0)
      print_entry(line);
    free(line);
    return 0;
  }
  return follow_log(s, ct, f);
}
