/* `push NAME[:TAG]`: an image of the store to a registry, printed as
 * `docker push` prints it without a terminal. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "push/push.h"
#include "store/refs.h"

static int
usage(void)
{
  puts("Usage:  berth push [OPTIONS] NAME[:TAG]\n\n"
       "Push an image to a registry\n\n"
       "Options:\n"
       "  -q, --quiet   Suppress verbose output");
  return 0;
}

static void
print_event(void *ctx, berth_push_event_kind kind, const char *id, const char *from)
{
  FILE *out = ctx;
  static const char *const words[] = {
    [BERTH_PUSH_PREPARING] = "Preparing",
    [BERTH_PUSH_PUSHED] = "Pushed",
    [BERTH_PUSH_EXISTS] = "Layer already exists",
  };
  if (kind == BERTH_PUSH_MOUNTED)
    fprintf(out, "%s: Mounted from %s\n", id, from);
  else
    fprintf(out, "%s: %s\n", id, words[kind]);
  fflush(out);
}

/* name is the user's: parsed as a reference, looked up by its exact tag as
 * Docker's daemon does (no id prefixes). */
static int
push(berth_cli *cli, const char *name, bool quiet, berth_error **err)
{
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(name, err);
  if (ref == NULL)
    return -1;
  cleanup_free char *familiar_name = berth_reference_familiar_name(ref);
  if (strcmp(ref->domain, "docker.io") == 0)
    return berth_error_set(err, 0,
                           "%s names no registry host and would go to Docker Hub, which berth "
                           "does not push to: tag it with a registry host first "
                           "(berth tag %s HOST[:PORT]/%s)",
                           name, name, familiar_name);
  if (ref->digest != NULL)
    return berth_error_set(err, 0, "cannot push a digest reference: %s", name);
  berth_reference_default_tag(ref);
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  cleanup_free char *key = berth_reference_familiar_string(ref);
  char id[BERTH_DIGEST_LEN];
  int found = berth_store_ref_get(store, key, id, err);
  if (found < 0)
    return -1;
  if (found == 0)
    return berth_error_set(err, 0, "An image does not exist locally with the tag: %s",
                           familiar_name);
  printf("The push refers to repository [%s/%s]\n", ref->domain, ref->path);
  fflush(stdout);
  berth_push_options opts = {
    .registry = &cli->registry,
    .on_event = quiet ? NULL : print_event,
    .event_ctx = stdout,
  };
  berth_push_result res;
  if (berth_push(store, ref, id, &opts, &res, err) < 0)
    return -1;
  if (res.replaced[0] != '\0')
    fprintf(stderr,
            "Note: the digest changed: this image was pulled as %s, but neither this registry "
            "nor any registry it came from has its layers' blobs, so they were compressed "
            "again\n",
            res.replaced);
  if (quiet)
    printf("%s\n", key);
  else
    printf("%s: digest: %s size: %zu\n", ref->tag, res.digest, res.size);
  return 0;
}

int
berth_cmd_push(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  bool quiet = false;
  int c;
  while ((c = getopt_long(argc, argv, "+:qh", options, NULL)) != -1) {
    switch (c) {
    case 'q':
      quiet = true;
      break;
    case 'h':
      return usage();
    default:
      return berth_cli_bad_option(cli, "push", argv, c);
    }
  }
  if (argc - optind != 1)
    return berth_cli_usage_error(cli, "push", "\"push\" requires exactly 1 argument.");
  cleanup_error berth_error *err = NULL;
  if (push(cli, argv[optind], quiet, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
