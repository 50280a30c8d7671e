#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "common/cleanup.h"
#include "container/inspect.h"
#include "container/ops.h"
#include "images/inspect.h"
#include "images/resolve.h"

static int
usage(const char *cmd)
{
  printf("Usage:  berth %s NAME|ID [NAME|ID...]\n\n"
         "Return low-level information on images and containers\n",
         cmd);
  return 0;
}

/* Images first, then containers, as the brief for berth says Docker
 * does; NULL when name is no container either. */
static json_t *
container_json(berth_store *s, const char *name)
{
  cleanup_container berth_container *c = NULL;
  if (berth_container_find(s, name, &c, NULL) < 0)
    return NULL;
  berth_container_refresh(s, c, NULL);
  return berth_container_inspect(s, c);
}

/* The error line for a name: Docker's "No such object" when it is neither
 * an image nor a container, else what went wrong. */
static json_t *
failure(const char *name, const berth_error *e)
{
  if (berth_error_errno(e) != ENOENT)
    return json_string(berth_error_message(e));
  json_t *m = json_sprintf("No such object: %s", name);
  return m != NULL ? m : json_string("No such object"); /* a name that is not UTF-8 */
}

/* Prints the inspect array of every image found, then one error line per
 * name that was not (Docker's order). */
int
berth_cmd_inspect(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
  int c;
  while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
    if (c == 'h')
      return usage(argv[0]);
    return berth_cli_bad_option(cli, argv[0], argv, c);
  }
  if (argc - optind < 1)
    return berth_cli_usage_error(cli, argv[0], "\"%s\" requires at least 1 argument.", argv[0]);
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL)
    return berth_cli_fail(cli, err);
  cleanup_json json_t *all = json_array();
  json_t *errors = json_array();
  for (int i = optind; i < argc; i++) {
    char id[BERTH_DIGEST_LEN];
    berth_error *e = NULL;
    json_t *one = berth_image_resolve(store, argv[i], id, &e) == 0
                      ? berth_image_inspect(store, id, &e)
                      : NULL;
    if (one == NULL)
      one = container_json(store, argv[i]);
    if (one != NULL)
      json_array_append_new(all, one);
    else
      json_array_append_new(errors, failure(argv[i], e));
    berth_error_free(e);
  }
  cleanup_free char *text = berth_inspect_dump(all);
  fputs(text, stdout);
  size_t k;
  json_t *msg;
  json_array_foreach(errors, k, msg) fprintf(stderr, "Error: %s\n", json_string_value(msg));
  int status = json_array_size(errors) > 0 ? 1 : 0;
  json_decref(errors);
  return status;
}
