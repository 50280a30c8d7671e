/* `push [-a] [-q] NAME[:TAG]`: an image of the store to a registry,
 * printed as `docker push` prints it (bars on a terminal only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "pull_progress.h"
#include "push/push.h"
#include "store/refs.h"

static void
print_event(void *ctx, berth_push_event_kind kind, const char *id, const char *detail)
{
  static const char *const words[] = {
    [BERTH_PUSH_PREPARING] = "Preparing",
    [BERTH_PUSH_PUSHED] = "Pushed",
    [BERTH_PUSH_EXISTS] = "Layer already exists",
    [BERTH_PUSH_WAITING] = "Waiting",
  };
  cleanup_free char *line = NULL;
  const char *status;
  if (kind == BERTH_PUSH_MOUNTED)
    status = line = xasprintf("Mounted from %s", detail);
  else if (kind == BERTH_PUSH_RETRYING)
    status = detail;
  else
    status = words[kind];
  berth_progress_event(ctx, id, status, 0, 0);
}

static void
print_progress(void *ctx, const char *id, long long current, long long total)
{
  berth_progress_event(ctx, id, "Pushing", current, total);
}

struct push_flags {
  bool quiet, all_tags;
  berth_push_format format;
  berth_push_compression compression;
};

/* One tag of the repository; ref is the tagged name, id its image. */
static int
push_one(berth_cli *cli, berth_store *store, const berth_reference *ref, const char *id,
         const struct push_flags *f, berth_error **err)
{
  berth_progress *progress = f->quiet ? NULL : berth_progress_new(stdout, isatty(STDOUT_FILENO));
  berth_push_options opts = {
    .registry = &cli->registry,
    .on_event = f->quiet ? NULL : print_event,
    .on_progress = f->quiet ? NULL : print_progress,
    .event_ctx = progress,
    .format = f->format,
    .compression = f->compression,
  };
  berth_push_result res;
  int rc = berth_push(store, ref, id, &opts, &res, err);
  berth_progress_free(progress);
  if (rc == 0 && res.replaced[0] != '\0')
    fprintf(stderr,
            "Note: the digest changed: this image was pulled as %s, but neither this registry "
            "nor any registry it came from has its layers' blobs, so they were compressed "
            "again\n",
            res.replaced);
  if (rc == 0 && !f->quiet)
    printf("%s: digest: %s size: %zu\n", ref->tag, res.digest, res.size);
  fflush(stdout);
  return rc;
}

static int
by_name(const void *a, const void *b)
{
  return strcmp(((const berth_ref *)a)->name, ((const berth_ref *)b)->name);
}

/* Every tag of ref's repository, in the order of their names (Docker's). */
static int
push_all_tags(berth_cli *cli, berth_store *store, const berth_reference *ref,
              const char *familiar_name, const struct push_flags *f, berth_error **err)
{
  berth_ref *refs = NULL;
  size_t n = 0;
  if (berth_store_refs_list(store, &refs, &n, err) < 0)
    return -1;
  qsort(refs, n, sizeof *refs, by_name);
  size_t plen = strlen(familiar_name);
  int rc = 0, pushed = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    const char *name = refs[i].name;
    if (strncmp(name, familiar_name, plen) != 0 || name[plen] != ':')
      continue;
    cleanup_reference berth_reference *tagged = berth_reference_parse_normalized(name, err);
    if (tagged == NULL) {
      rc = -1;
      break;
    }
    rc = push_one(cli, store, tagged, refs[i].image_id, f, err);
    pushed++;
  }
  berth_refs_free(refs, n);
  if (rc == 0 && pushed == 0)
    return berth_error_set(err, 0, "An image does not exist locally with the tag: %s",
                           familiar_name);
  return rc;
}

/* name is the user's: parsed as a reference, looked up by its exact tag as
 * Docker's daemon does (no id prefixes). */
static int
push(berth_cli *cli, const char *name, const struct push_flags *f, berth_error **err)
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
  if (f->all_tags && ref->tag != NULL)
    return berth_error_set(err, 0, "tag can't be used with --all-tags/-a");
  if (f->compression == BERTH_PUSH_ZSTD && f->format != BERTH_PUSH_FORMAT_OCI)
    return berth_error_set(err, 0,
                           "--compression zstd needs --format oci: Docker schema2 manifests "
                           "have no zstd layer type");
  bool default_tag = !f->all_tags && ref->tag == NULL;
  berth_reference_default_tag(ref);
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  cleanup_free char *key = berth_reference_familiar_string(ref);
  char id[BERTH_DIGEST_LEN];
  if (!f->all_tags) {
    int found = berth_store_ref_get(store, key, id, err);
    if (found < 0)
      return -1;
    if (found == 0)
      return berth_error_set(err, 0, "An image does not exist locally with the tag: %s",
                             familiar_name);
  }
  if (!f->quiet) {
    if (default_tag)
      printf("Using default tag: %s\n", ref->tag);
    printf("The push refers to repository [%s/%s]\n", ref->domain, ref->path);
    fflush(stdout);
  }
  if (f->all_tags) {
    if (push_all_tags(cli, store, ref, familiar_name, f, err) < 0)
      return -1;
    if (f->quiet)
      printf("%s\n", familiar_name);
    return 0;
  }
  if (push_one(cli, store, ref, id, f, err) < 0)
    return -1;
  if (f->quiet)
    printf("%s\n", key);
  return 0;
}

int
berth_cmd_push(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_COMPRESSION = BERTH_FLAG_LONG, OPT_FORMAT };
  static const berth_flag flags[] = {
    { "all-tags", 'a', NULL, "Push all tagged images in the repository" },
    { "compression", OPT_COMPRESSION, "string",
      "Layer compression: gzip (default) or zstd (needs --format oci)" },
    { "format", OPT_FORMAT, "string", "Manifest format: docker (schema2, default) or oci" },
    { "quiet", 'q', NULL, "Suppress verbose output" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth push [OPTIONS] NAME[:TAG]", "Push an image or a repository to a registry", flags,
          .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  struct push_flags f = { 0 };
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'a':
      f.all_tags = true;
      break;
    case OPT_COMPRESSION:
      if (strcmp(optarg, "gzip") == 0)
        f.compression = BERTH_PUSH_GZIP;
      else if (strcmp(optarg, "zstd") == 0)
        f.compression = BERTH_PUSH_ZSTD;
      else
        return berth_cli_usage_error(cli, "push",
                                     "invalid argument \"%s\" for \"--compression\" flag: "
                                     "gzip or zstd",
                                     optarg);
      break;
    case OPT_FORMAT:
      if (strcmp(optarg, "docker") == 0 || strcmp(optarg, "v2s2") == 0)
        f.format = BERTH_PUSH_FORMAT_DOCKER;
      else if (strcmp(optarg, "oci") == 0)
        f.format = BERTH_PUSH_FORMAT_OCI;
      else
        return berth_cli_usage_error(cli, "push",
                                     "invalid argument \"%s\" for \"--format\" flag: "
                                     "docker or oci",
                                     optarg);
      break;
    case 'q':
      f.quiet = true;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  cleanup_error berth_error *err = NULL;
  if (push(cli, argv[optind], &f, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
