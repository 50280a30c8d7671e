/* `manifest`: inspect a registry's manifest, and keep, annotate and push
 * local manifest lists, as Docker 20.10's `docker manifest` does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "image/manifest.h"
#include "manifests/list.h"
#include "manifests/member.h"
#include "manifests/push_list.h"
#include "reference/reference.h"
#include "store/manifest_lists.h"

static const char summary[]
    = "Usage:  berth manifest COMMAND\n\n"
      "Manage Docker image manifests and manifest lists\n\n"
      "Commands:\n"
      "  annotate    Add additional information to a local image manifest\n"
      "  create      Create a local manifest list for annotating and pushing to a registry\n"
      "  inspect     Display an image manifest, or manifest list\n"
      "  push        Push a manifest list to a repository\n"
      "  rm          Delete one or more manifest lists from local storage\n\n"
      "Run 'berth manifest COMMAND --help' for more information on a command.";

static int
usage(FILE *out)
{
  fprintf(out, "%s\n", summary);
  return 0;
}

/* Go's json.Indent(dst, src, "", "\t"), as `docker manifest inspect` prints
 * an image manifest: the bytes as the registry sent them (strings, numbers
 * and key order untouched), whitespace outside strings replaced by one
 * element a line, tab-indented, "{}" and "[]" kept together.  data is
 * checked to be JSON first. */
static int
print_document(const char *data, size_t len, berth_error **err)
{
  json_error_t jerr;
  cleanup_json json_t *doc = json_loadb(data, len, JSON_DECODE_ANY, &jerr);
  if (doc == NULL)
    return berth_error_set(err, 0, "manifest is not JSON: %s", jerr.text);
  int depth = 0;
  bool need_indent = false, in_string = false, escaped = false;
  for (size_t i = 0; i < len; i++) {
    char c = data[i];
    if (in_string) {
      putchar(c);
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
      continue;
    if (need_indent && c != ']' && c != '}') {
      need_indent = false;
      depth++;
      putchar('\n');
      for (int d = 0; d < depth; d++)
        putchar('\t');
    }
    switch (c) {
    case '"':
      in_string = true;
      putchar(c);
      break;
    case '{':
    case '[':
      need_indent = true;
      putchar(c);
      break;
    case ',':
      putchar(c);
      putchar('\n');
      for (int d = 0; d < depth; d++)
        putchar('\t');
      break;
    case ':':
      fputs(": ", stdout);
      break;
    case '}':
    case ']':
      if (need_indent) {
        need_indent = false;
      } else {
        depth--;
        putchar('\n');
        for (int d = 0; d < depth; d++)
          putchar('\t');
      }
      putchar(c);
      break;
    default:
      putchar(c);
    }
  }
  putchar('\n');
  return 0;
}

/* A name as Docker's normalizeReference reads it: normalized, ":latest"
 * when it has neither tag nor digest.  *text: its full string. */
static berth_reference *
normalize(const char *name, char **text, berth_error **err)
{
  berth_reference *ref = berth_reference_parse_normalized(name, err);
  if (ref == NULL)
    return NULL;
  if (ref->digest == NULL)
    berth_reference_default_tag(ref);
  *text = berth_reference_string(ref);
  return ref;
}

/* The registry options with domain made insecure too (--insecure). */
struct insecure_opts {
  berth_registry_options opts;
  char **list;
};

static void
insecure_opts_clear(struct insecure_opts *o)
{
  free(o->list);
}

static const berth_registry_options *
registry_opts(berth_cli *cli, bool insecure, const char *domain, struct insecure_opts *o)
{
  o->opts = cli->registry;
  o->list = NULL;
  if (!insecure)
    return &o->opts;
  size_t n = 0;
  while (cli->registry.insecure != NULL && cli->registry.insecure[n] != NULL)
    n++;
  o->list = xcalloc(n + 2, sizeof *o->list);
  for (size_t i = 0; i < n; i++)
    o->list[i] = cli->registry.insecure[i];
  o->list[n] = (char *)domain;
  o->opts.insecure = o->list;
  return &o->opts;
}

static int
inspect_remote(berth_cli *cli, const berth_reference *ref, const berth_registry_options *opts,
               berth_error **err)
{
  berth_registry *reg = berth_registry_new(ref->domain, ref->path, opts, err);
  if (reg == NULL)
    return -1;
  berth_fetched_manifest m = { 0 };
  int r = berth_registry_get_manifest(reg, ref->digest ? ref->digest : ref->tag, &m, err);
  berth_registry_free(reg);
  cleanup_error berth_error *perr = NULL;
  cleanup_manifest berth_manifest *parsed
      = r == 0 ? berth_manifest_parse(m.data, m.len, m.content_type, &perr) : NULL;
  cleanup_free char *text = NULL;
  if (parsed != NULL && parsed->is_index) { /* as Docker rebuilds it */
    r = berth_manifest_index_render(m.data, m.len, &text, err);
    if (r == 0)
      printf("%s\n", text);
  } else if (r == 0) {
    r = print_document(m.data, m.len, err);
  }
  berth_fetched_manifest_clear(&m);
  if (r < 0 && berth_error_errno(*err) == ENOENT) {
    cleanup_free char *familiar = berth_reference_familiar_string(ref);
    berth_error_clear(err); /* Docker's words replace the registry's */
    berth_error_set(err, 0, "no such manifest: %s", familiar);
  }
  (void)cli;
  return r;
}

/* `manifest inspect [LIST] NAME`: a member of a local list; a local list;
 * else the registry's document. */
static int
inspect(berth_cli *cli, int argc, char **argv, berth_error **err)
{
  enum { OPT_INSECURE = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "insecure", OPT_INSECURE, NULL, "Allow communication with an insecure registry" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth manifest inspect [OPTIONS] [MANIFEST_LIST] MANIFEST",
          "Display an image manifest, or manifest list", flags, .min_args = 1, .max_args = 2 };
  berth_flag_iter it = { 0 };
  bool insecure = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    insecure = true; /* --insecure */
  }
  int left = argc - optind;
  cleanup_free char *name = NULL;
  cleanup_reference berth_reference *ref = normalize(argv[argc - 1], &name, err);
  if (ref == NULL)
    return -1;
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  berth_manifest_list l __attribute__((cleanup(berth_manifest_list_clear))) = { 0 };
  if (left == 2) {
    cleanup_free char *list_name = NULL;
    cleanup_reference berth_reference *lref = normalize(argv[optind], &list_name, err);
    if (lref == NULL || berth_manifest_list_load(store, list_name, &l, err) < 0)
      return -1;
    json_t *m = berth_manifest_list_member(&l, name);
    if (m == NULL)
      return berth_error_set_as(err, ENOENT, "No such manifest: %s", name);
    json_t *raw = json_object_get(m, "Raw");
    return print_document(json_string_value(raw), json_string_length(raw), err);
  }
  int found = berth_manifest_list_load(store, name, &l, err);
  if (found < 0)
    return -1;
  if (found == 1) {
    cleanup_free char *text = NULL;
    size_t len;
    const char *type;
    if (berth_manifest_list_index(&l, ref->domain, false, &text, &len, &type, err) < 0)
      return berth_error_prefix(err, "failed to assemble ManifestDescriptor");
    printf("%s\n", text);
    return 0;
  }
  struct insecure_opts io __attribute__((cleanup(insecure_opts_clear)));
  return inspect_remote(cli, ref, registry_opts(cli, insecure, ref->domain, &io), err);
}

/* `manifest create [-a] [--insecure] LIST IMAGE…`: each image's manifest
 * from its registry (or the list already kept, with --amend), saved once
 * all were read. */
static int
create(berth_cli *cli, int argc, char **argv, berth_error **err)
{
  enum { OPT_INSECURE = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "amend", 'a', NULL, "Amend an existing manifest list" },
    { "insecure", OPT_INSECURE, NULL, "Allow communication with an insecure registry" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth manifest create MANIFEST_LIST MANIFEST [MANIFEST...]",
          "Create a local manifest list for annotating and pushing to a registry", flags,
          .min_args = 2, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  bool amend = false, insecure = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    *(c == 'a' ? &amend : &insecure) = true;
  }
  cleanup_free char *list_name = NULL;
  cleanup_reference berth_reference *lref = normalize(argv[optind], &list_name, err);
  if (lref == NULL)
    return berth_error_prefix(err, "error parsing name for manifest list %s", argv[optind]);
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  berth_manifest_list l __attribute__((cleanup(berth_manifest_list_clear))) = { 0 };
  int found = berth_manifest_list_load(store, list_name, &l, err);
  if (found < 0)
    return -1;
  if (found == 1 && !amend)
    return berth_error_set_as(err, EEXIST,
                              "refusing to amend an existing manifest list with no --amend flag");
  cleanup_json json_t *fetched = json_array();
  for (int i = optind + 1; i < argc; i++) {
    cleanup_free char *name = NULL;
    cleanup_reference berth_reference *ref = normalize(argv[i], &name, err);
    if (ref == NULL)
      return -1;
    if (berth_manifest_list_member(&l, name) != NULL)
      continue; /* Docker reads the list kept first */
    struct insecure_opts io __attribute__((cleanup(insecure_opts_clear)));
    json_t *m
        = berth_manifest_member_fetch(ref, registry_opts(cli, insecure, ref->domain, &io), err);
    if (m == NULL)
      return -1;
    json_array_append_new(fetched, m);
  }
  /* The registries were read without the lock; the list is read again under
   * it, so that another create or annotate meanwhile is not undone. */
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(store, err);
  if (lock == NULL)
    return -1;
  berth_manifest_list_clear(&l);
  found = berth_manifest_list_load(store, list_name, &l, err);
  if (found < 0)
    return -1;
  if (found == 1 && !amend)
    return berth_error_set_as(err, EEXIST,
                              "refusing to amend an existing manifest list with no --amend flag");
  size_t i;
  json_t *m;
  json_array_foreach(fetched, i, m)
  {
    const char *name = json_string_value(json_object_get(m, "Ref"));
    if (berth_manifest_list_member(&l, name) == NULL)
      berth_manifest_list_set(&l, json_incref(m));
  }
  if (berth_manifest_list_save(store, &l, err) < 0)
    return -1;
  printf("Created manifest list %s\n", list_name);
  return 0;
}

/* Splits a --os-features value at commas (a string slice flag, as Docker's)
 * onto v. */
static void
add_features(char ***v, size_t *n, const char *value)
{
  cleanup_free char *copy = xstrdup(value);
  char *save = NULL;
  for (char *f = strtok_r(copy, ",", &save); f != NULL; f = strtok_r(NULL, ",", &save)) {
    *v = xrealloc(*v, (*n + 2) * sizeof **v);
    (*v)[(*n)++] = xstrdup(f);
    (*v)[*n] = NULL;
  }
}

/* `manifest annotate [--os --arch --variant --os-version --os-features]
 * LIST IMAGE`. */
static int
annotate(berth_cli *cli, int argc, char **argv, berth_error **err)
{
  enum { OPT_ARCH = BERTH_FLAG_LONG, OPT_OS, OPT_OS_FEATURES, OPT_OS_VERSION, OPT_VARIANT };
  static const berth_flag flags[] = {
    { "arch", OPT_ARCH, "string", "Set architecture" },
    { "os", OPT_OS, "string", "Set operating system" },
    { "os-features", OPT_OS_FEATURES, "strings", "Set operating system feature" },
    { "os-version", OPT_OS_VERSION, "string", "Set operating system version" },
    { "variant", OPT_VARIANT, "string", "Set architecture variant" },
    { 0 },
  };
  static const berth_cmd_spec spec = { "berth manifest annotate [OPTIONS] MANIFEST_LIST MANIFEST",
                                       "Add additional information to a local image manifest",
                                       flags, .min_args = 2, .max_args = 2 };
  berth_flag_iter it = { 0 };
  berth_platform_annotation a = { 0 };
  cleanup_strv char **features = NULL;
  size_t n_features = 0;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case OPT_OS:
      a.os = optarg;
      break;
    case OPT_ARCH:
      a.arch = optarg;
      break;
    case OPT_VARIANT:
      a.variant = optarg;
      break;
    case OPT_OS_VERSION:
      a.os_version = optarg;
      break;
    case OPT_OS_FEATURES:
      add_features(&features, &n_features, optarg);
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  a.os_features = features;
  const char *list_arg = argv[optind], *image_arg = argv[optind + 1];
  cleanup_free char *list_name = NULL, *name = NULL;
  cleanup_reference berth_reference *lref = normalize(list_arg, &list_name, err);
  if (lref == NULL)
    return berth_error_prefix(err, "annotate: error parsing name for manifest list %s", list_arg);
  cleanup_reference berth_reference *ref = normalize(image_arg, &name, err);
  if (ref == NULL)
    return berth_error_prefix(err, "annotate: error parsing name for manifest %s", image_arg);
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  /* Read, changed and written under the lock: another annotate of the same
   * list meanwhile is not undone. */
  cleanup_store_lock berth_store_lock *lock = berth_store_lock_acquire(store, err);
  if (lock == NULL)
    return -1;
  berth_manifest_list l __attribute__((cleanup(berth_manifest_list_clear))) = { 0 };
  if (berth_manifest_list_load(store, list_name, &l, err) < 0)
    return -1;
  json_t *m = berth_manifest_list_member(&l, name);
  if (m == NULL)
    return berth_error_set_as(err, ENOENT, "manifest for image %s does not exist in %s", image_arg,
                              list_arg);
  if (berth_manifest_list_annotate(m, &a, err) < 0)
    return -1;
  return berth_manifest_list_save(store, &l, err);
}

static void
print_line(void *ctx, const char *line)
{
  (void)ctx;
  printf("%s\n", line);
  fflush(stdout);
}

/* `manifest push [--purge] [--insecure] LIST`. */
static int
push(berth_cli *cli, int argc, char **argv, berth_error **err)
{
  enum { OPT_INSECURE = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "insecure", OPT_INSECURE, NULL, "Allow push to an insecure registry" },
    { "purge", 'p', NULL, "Remove the local manifest list after push" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth manifest push [OPTIONS] MANIFEST_LIST", "Push a manifest list to a repository",
          flags, .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  bool purge = false, insecure = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    *(c == 'p' ? &purge : &insecure) = true;
  }
  cleanup_free char *name = NULL;
  cleanup_reference berth_reference *ref = normalize(argv[optind], &name, err);
  if (ref == NULL)
    return -1;
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  berth_manifest_list l __attribute__((cleanup(berth_manifest_list_clear))) = { 0 };
  int found = berth_manifest_list_load(store, name, &l, err);
  if (found <= 0)
    return found < 0 ? -1 : berth_error_set_as(err, ENOENT, "No such manifest: %s", name);
  if (strcmp(ref->domain, "docker.io") == 0)
    return berth_error_set(err, 0,
                           "%s names no registry host and would go to Docker Hub, which berth "
                           "does not push to",
                           argv[optind]);
  struct insecure_opts io __attribute__((cleanup(insecure_opts_clear)));
  char digest[BERTH_DIGEST_LEN];
  if (berth_manifest_list_push(&l, ref, registry_opts(cli, insecure, ref->domain, &io), print_line,
                               NULL, digest, err)
      < 0)
    return -1;
  printf("%s\n", digest);
  fflush(stdout);
  if (purge && berth_store_manifest_list_remove(store, name, err) < 0)
    return -1;
  return 0;
}

/* `manifest rm LIST…`: every list named is tried; the errors, one a line. */
static int
rm(berth_cli *cli, int argc, char **argv, berth_error **err)
{
  static const berth_cmd_spec spec = { "berth manifest rm MANIFEST_LIST [MANIFEST_LIST...]",
                                       "Delete one or more manifest lists from local storage", NULL,
                                       .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  berth_store *store = berth_cli_store(cli, err);
  if (store == NULL)
    return -1;
  cleanup_free char *errors = NULL;
  for (int i = optind; i < argc; i++) {
    cleanup_error berth_error *e = NULL;
    cleanup_free char *name = NULL;
    cleanup_reference berth_reference *ref = normalize(argv[i], &name, &e);
    int removed = ref != NULL ? berth_store_manifest_list_remove(store, name, &e) : -1;
    if (removed == 0)
      berth_error_set_as(&e, ENOENT, "No such manifest: %s", name);
    if (e == NULL)
      continue;
    char *joined = errors ? xasprintf("%s\n%s", errors, berth_error_message(e))
                          : xstrdup(berth_error_message(e));
    free(errors);
    errors = joined;
  }
  return errors != NULL ? berth_error_set(err, 0, "%s", errors) : 0;
}

int
berth_cmd_manifest(berth_cli *cli, int argc, char **argv)
{
  if (argc < 2)
    return usage(stderr), 125;
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
    return usage(stdout);
  static const struct {
    const char *name;
    int (*fn)(berth_cli *, int, char **, berth_error **);
  } subs[] = {
    { "annotate", annotate }, { "create", create }, { "inspect", inspect },
    { "push", push },         { "rm", rm },
  };
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
    if (strcmp(subs[i].name, argv[1]) != 0)
      continue;
    cleanup_error berth_error *err = NULL;
    int rc = subs[i].fn(cli, argc - 1, argv + 1, &err);
    if (rc < 0)
      return berth_cli_fail(cli, err);
    return rc;
  }
  return berth_cli_usage_error(cli, "manifest", "unknown command \"%s\"", argv[1]);
}
