#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "build/build.h"
#include "build/context_cache.h"
#include "cli.h"
#include "common/cleanup.h"
#include "common/mount.h"
#include "common/xalloc.h"
#include "dockerfile/parser.h"
#include "images/rootfs_ref.h"
#include "images/tag.h"

static const char build_usage[]
    = "Usage:  berth build [OPTIONS] PATH\n\n"
      "Build an image from a Dockerfile\n\n"
      "Options:\n"
      "      --build-arg list      Set build-time variables\n"
      "  -f, --file string         Name of the Dockerfile (Default is 'PATH/Dockerfile')\n"
      "      --force-rm            Always remove intermediate containers\n"
      "      --iidfile string      Write the image ID to the file\n"
      "      --label list          Set metadata for an image\n"
      "      --no-cache            Do not use cache when building the image\n"
      "  -q, --quiet               Suppress the build output and print image ID on success\n"
      "      --rm                  Remove intermediate containers after a successful build "
      "(default true)\n"
      "  -t, --tag list            Name and optionally a tag in the 'name:tag' format\n"
      "      --target string       Set the target build stage to build.";

struct printer {
  bool quiet;
};

/* Docker's classic builder's lines, on stdout. */
static void
print_event(void *ctx, const berth_build_event *ev)
{
  struct printer *p = ctx;
  if (p->quiet)
    return;
  switch (ev->kind) {
  case BERTH_BUILD_STEP:
    printf("Step %d/%d : %s\n", ev->step, ev->n_steps, ev->text);
    break;
  case BERTH_BUILD_IMAGE:
    printf(" ---> %.12s\n", strncmp(ev->id, "sha256:", 7) == 0 ? ev->id + 7 : ev->id);
    break;
  case BERTH_BUILD_CACHED:
    puts(" ---> Using cache");
    break;
  case BERTH_BUILD_RUNNING:
    printf(" ---> Running in %.12s\n", ev->id);
    break;
  case BERTH_BUILD_REMOVING:
    printf("Removing intermediate container %.12s\n", ev->id);
    break;
  case BERTH_BUILD_NOTE:
    puts(ev->text);
    break;
  }
  fflush(stdout);
}

struct resolver {
  berth_cli *cli;
  berth_store *s;
  bool quiet;
};

/* FROM's image: the local one, or pulled (its progress printed as the
 * classic builder prints it, on stdout). */
static int
resolve(void *ctx, const char *name, char id[BERTH_DIGEST_LEN], berth_error **err)
{
  struct resolver *r = ctx;
  size_t n = 0;
  cleanup_error berth_error *local = NULL;
  if (berth_image_resolve_rootfs(r->s, name, id, &n, &local) == 0)
    return 0;
  if (berth_error_errno(local) != ENOENT || berth_reference_is_id_prefix(name))
    return berth_error_propagate(err, &local);
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(name, err);
  if (ref == NULL)
    return -1;
  berth_reference_default_tag(ref);
  if (berth_cli_pull(r->cli, ref, NULL, r->quiet ? NULL : stdout, err) < 0)
    return -1;
  return berth_image_resolve_rootfs(r->s, name, id, &n, err);
}

/* The Dockerfile: at most one byte more than the parser takes, so that a
 * larger one is refused by it with its words. */
static char *
read_dockerfile(const char *path, size_t *len, berth_error **err)
{
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno,
                           "unable to prepare context: unable to evaluate symlinks "
                           "in Dockerfile path: lstat %s: %s",
                           path, strerror(errno)),
           NULL;
  size_t cap = BERTH_DOCKERFILE_MAX_SIZE + 1, n = 0;
  cleanup_free char *buf = xmalloc(cap);
  while (n < cap) {
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return berth_error_set(err, errno, "read %s", path), NULL;
    if (r == 0)
      break;
    n += (size_t)r;
  }
  *len = n;
  return steal_pointer(&buf);
}

/* A --build-arg K without "=": K's value from our environment, as Docker's
 * client takes it; an unset K is left out. */
static char *
build_arg(const char *a)
{
  if (strchr(a, '=') != NULL)
    return xstrdup(a);
  const char *v = getenv(a);
  return v != NULL ? xasprintf("%s=%s", a, v) : NULL;
}

static bool
parse_bool(const char *s, bool *out)
{
  if (s == NULL || strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
    return *out = true, true;
  if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
    return *out = false, true;
  return false;
}

int
berth_cmd_build(berth_cli *cli, int argc, char **argv)
{
  enum { O_BUILD_ARG = 0x100, O_FORCE_RM, O_IIDFILE, O_LABEL, O_NO_CACHE, O_RM, O_TARGET, O_HELP };
  static const struct option options[] = {
    { "build-arg", required_argument, NULL, O_BUILD_ARG },
    { "file", required_argument, NULL, 'f' },
    { "force-rm", optional_argument, NULL, O_FORCE_RM },
    { "iidfile", required_argument, NULL, O_IIDFILE },
    { "label", required_argument, NULL, O_LABEL },
    { "no-cache", optional_argument, NULL, O_NO_CACHE },
    { "quiet", no_argument, NULL, 'q' },
    { "rm", optional_argument, NULL, O_RM },
    { "tag", required_argument, NULL, 't' },
    { "target", required_argument, NULL, O_TARGET },
    { "help", no_argument, NULL, O_HELP },
    { 0 },
  };
  size_t cap = (size_t)argc + 1, n_tags = 0, n_args = 0, n_labels = 0;
  cleanup_free char **tags = xcalloc(cap, sizeof *tags);
  cleanup_strv char **args = xcalloc(cap, sizeof *args);
  cleanup_free char **labels = xcalloc(cap, sizeof *labels);
  const char *file = NULL, *iidfile = NULL, *target = NULL;
  bool rm = true, force_rm = false, no_cache = false, quiet = false;
  int c;
  while ((c = getopt_long(argc, argv, "+:f:qt:", options, NULL)) != -1) {
    if (optarg != NULL && berth_cli_check_utf8(cli, argv[0], "a flag", optarg) != 0)
      return 125;
    switch (c) {
    case O_BUILD_ARG: {
      char *a = build_arg(optarg);
      if (a != NULL)
        args[n_args++] = a;
      break;
    }
    case 'f':
      file = optarg;
      break;
    case O_FORCE_RM:
    case O_NO_CACHE:
    case O_RM: {
      bool v;
      if (!parse_bool(optarg, &v))
        return berth_cli_usage_error(cli, argv[0],
                                     "invalid argument \"%s\" for flag: strconv.ParseBool: "
                                     "parsing \"%s\": invalid syntax",
                                     optarg, optarg);
      *(c == O_RM ? &rm : c == O_FORCE_RM ? &force_rm : &no_cache) = v;
      break;
    }
    case O_IIDFILE:
      iidfile = optarg;
      break;
    case O_LABEL:
      labels[n_labels++] = optarg;
      break;
    case 'q':
      quiet = true;
      break;
    case 't':
      tags[n_tags++] = optarg;
      break;
    case O_TARGET:
      target = optarg;
      break;
    case O_HELP:
      puts(build_usage);
      return 0;
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  if (argc - optind != 1)
    return berth_cli_usage_error(cli, argv[0], "\"%s\" requires exactly 1 argument.", argv[0]);
  const char *context = argv[optind];
  cleanup_error berth_error *err = NULL;
  for (size_t i = 0; i < n_tags; i++) { /* a bad name is refused before any work */
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(tags[i], &err);
    if (ref == NULL)
      return berth_cli_usage_error(cli, argv[0],
                                   "invalid argument \"%s\" for \"-t, --tag\" "
                                   "flag: %s",
                                   tags[i], berth_error_message(err));
  }
  struct stat sb;
  if (stat(context, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
    berth_error_set(&err, 0, "unable to prepare context: path \"%s\" not found", context);
    return berth_cli_fail(cli, err);
  }
  cleanup_free char *default_file = xasprintf("%s/Dockerfile", context);
  const char *path = file != NULL ? file : default_file;
  size_t len = 0;
  cleanup_free char *text = read_dockerfile(path, &len, &err);
  if (text == NULL)
    return berth_cli_fail(cli, err);
  /* The build's mounts (its containers' roots) are its own, so that killed
   * between a mount and its unmount it leaves none behind (issue 7).
   * Before the store is opened: overlayfs takes no directory opened in
   * another mount namespace. */
  if (cli->store == NULL)
    (void)berth_mount_namespace_own();
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  cleanup_context berth_context *ctx = berth_build_context_open(s, context, path, &err);
  if (ctx == NULL)
    return berth_cli_fail(cli, err);
  const char *slash = strrchr(path, '/');
  struct printer pr = { .quiet = quiet };
  struct resolver rs = { .cli = cli, .s = s, .quiet = quiet };
  berth_build_options o = {
    .dockerfile = text,
    .dockerfile_len = len,
    .dockerfile_name = slash ? slash + 1 : path,
    .context = ctx,
    .build_args = args,
    .labels = labels,
    .target = target,
    .no_cache = no_cache,
    .keep_containers = !rm,
    .force_rm = force_rm,
    .quiet = quiet,
    .runtime = cli->config ? cli->config->default_runtime : NULL,
    .on_event = print_event,
    .event_ctx = &pr,
    .resolve = resolve,
    .resolve_ctx = &rs,
  };
  char id[BERTH_DIGEST_LEN];
  int code = 0;
  if (berth_build(s, &o, id, &code, &err) < 0) {
    fflush(stdout);
    if (code != 0) { /* Docker's words alone, and the command's code */
      fprintf(stderr, "%s\n", berth_error_message(err));
      return code;
    }
    return berth_cli_fail(cli, err);
  }
  cleanup_error berth_error *cache_err = NULL;
  if (berth_build_context_save(s, ctx, &cache_err) < 0) /* costs a re-read, no more */
    fprintf(stderr, "berth: warning: the build context's stat cache: %s\n",
            berth_error_message(cache_err));
  /* BERTH_DEBUG_CONTEXT (tests): how many files the hashing read */
  if (getenv("BERTH_DEBUG_CONTEXT") != NULL)
    fprintf(stderr, "berth: context: %zu files read\n", berth_context_files_read(ctx));
  for (size_t i = 0; i < n_tags; i++)
    if (berth_image_tag_id(s, id, tags[i], &err) < 0)
      return berth_cli_fail(cli, err);
  if (iidfile != NULL) {
    cleanup_file FILE *f = fopen(iidfile, "we");
    if (f == NULL || fputs(id, f) < 0) {
      berth_error_set(&err, errno, "write %s", iidfile);
      return berth_cli_fail(cli, err);
    }
  }
  if (quiet) {
    puts(id);
    return 0;
  }
  printf("Successfully built %.12s\n", id + 7);
  for (size_t i = 0; i < n_tags; i++) {
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(tags[i], NULL);
    berth_reference_default_tag(ref);
    cleanup_free char *name = berth_reference_familiar_string(ref);
    printf("Successfully tagged %s\n", name);
  }
  return 0;
}
