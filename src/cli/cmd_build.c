#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "build/build.h"
#include "build/context_cache.h"
#include "build/context_stdin.h"
#include "cli.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/mount.h"
#include "common/xalloc.h"
#include "container/network.h"
#include "dockerfile/parser.h"
#include "flags.h"
#include "images/resolve.h"
#include "images/rootfs_ref.h"
#include "images/tag.h"
#include "units.h"

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

/* FROM's image for a platform, as Docker's GetImageAndReleasableLayer
 * with PullOptionPreferLocal (or ForcePull with --pull): the local image
 * when it is of that platform (any, with none asked), else pulled for it
 * (pull refuses an image whose config names another platform). */
static int
resolve_base(void *ctx, const char *name, const char *platform, bool pull,
             char id[BERTH_DIGEST_LEN], berth_error **err)
{
  struct resolver *r = ctx;
  if (!pull && platform == NULL)
    return resolve(ctx, name, id, err);
  size_t n = 0;
  if (!pull) {
    cleanup_error berth_error *local = NULL;
    if (berth_image_resolve_rootfs(r->s, name, id, &n, &local) == 0) {
      cleanup_free char *actual = NULL;
      int is = berth_build_image_platform_is(r->s, id, platform, &actual, err);
      if (is != 0)
        return is < 0 ? -1 : 0;
      if (berth_reference_is_id_prefix(name))
        return berth_error_set_as(err, ENOENT,
                                  "image with reference %s was found but does not match the "
                                  "specified platform: wanted %s, actual: %s",
                                  name, platform, actual);
    } else if (berth_error_errno(local) != ENOENT || berth_reference_is_id_prefix(name)) {
      return berth_error_propagate(err, &local);
    }
  }
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(name, err);
  if (ref == NULL)
    return -1;
  berth_reference_default_tag(ref);
  if (berth_cli_pull(r->cli, ref, platform, r->quiet ? NULL : stdout, err) < 0)
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

/* Docker's ResolveAndValidateContextPath: an existing path that is a
 * directory (context: user input). */
static int
check_context_dir(const char *context, berth_error **err)
{
  struct stat sb;
  if (stat(context, &sb) < 0)
    return berth_error_set(err, 0, "unable to prepare context: path \"%s\" not found", context);
  if (!S_ISDIR(sb.st_mode)) {
    cleanup_free char *abs = realpath(context, NULL);
    return berth_error_set(err, 0, "unable to prepare context: context must be a directory: %s",
                           abs ? abs : context);
  }
  return 0;
}

/* A --build-arg K without "=": K's value from our environment, as Docker's
 * client takes it.  Docker leaves an unset K out silently (the ARG's
 * default wins, and a script that forgot to export K builds the wrong
 * image); berth refuses it (NULL). */
static char *
build_arg(const char *a)
{
  if (strchr(a, '=') != NULL)
    return xstrdup(a);
  const char *v = getenv(a);
  return v != NULL ? xasprintf("%s=%s", a, v) : NULL;
}

/* The Dockerfile's path inside the context directory, NULL when it is
 * outside it. */
static char *
dockerfile_in_context(const char *context, const char *dockerfile)
{
  cleanup_free char *root = realpath(context, NULL), *df = realpath(dockerfile, NULL);
  if (root == NULL || df == NULL)
    return NULL;
  size_t rl = strlen(root);
  return strncmp(df, root, rl) == 0 && df[rl] == '/' ? xstrdup(df + rl + 1) : NULL;
}

/* Docker's first line, "Sending build context to Docker daemon  4.096kB",
 * with the size of the tar Docker's client would send (berth sends
 * nothing: the context is read in place): the context, the Dockerfile at
 * rel in it, or one from outside of outside_len bytes. */
static int
print_context_size(berth_context *ctx, const char *rel, long long outside_len, berth_error **err)
{
  char *always[] = { ".dockerignore", (char *)rel, NULL };
  unsigned long long size = 0;
  if (berth_context_tar_size(ctx, always, rel ? -1 : outside_len, &size, err) < 0)
    return -1;
  cleanup_free char *human = berth_human_size_precision((long long)size, 4);
  /* go-units' size right-aligned in 8, after a space, as Docker's
   * progress line (its CLI ends it "\r\r\n", a plain line here) */
  printf("Sending build context to berth %8s\n", human);
  return 0;
}

/* --cache-from's images as ids (NULL: no flag); each value a
 * comma-separated list, as Docker's string-slice flag reads it.  One that
 * is not here is skipped with a warning, as Docker's builder skips it. */
static char **
cache_from_ids(berth_store *s, char **values, size_t n)
{
  if (n == 0)
    return NULL;
  char **ids = xcalloc(1, sizeof *ids);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    cleanup_free char *list = xstrdup(values[i]);
    char *save = NULL;
    for (char *name = strtok_r(list, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
      char id[BERTH_DIGEST_LEN];
      cleanup_error berth_error *err = NULL;
      if (berth_image_resolve(s, name, id, &err) < 0) {
        fprintf(stderr, "berth: warning: --cache-from %s skipped: %s\n", name,
                berth_error_message(err));
        continue;
      }
      ids = xrealloc(ids, (k + 2) * sizeof *ids);
      ids[k++] = xstrdup(id);
      ids[k] = NULL;
    }
  }
  return ids;
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

/* The secrets --secret names, read by the CLI (the library never opens
 * them). */
typedef struct secrets {
  berth_build_secret *v;
  char **bufs; /* v[i].id and v[i].data, owned */
  size_t n;
} secrets;

static void
secrets_clear(secrets *s)
{
  for (size_t i = 0; i < 2 * s->n; i++) {
    if (i % 2 == 1 && s->bufs[i] != NULL) /* the bytes of a secret: wiped */
      explicit_bzero(s->bufs[i], s->v[i / 2].len);
    free(s->bufs[i]);
  }
  free(s->bufs);
  free(s->v);
}

/* --secret id=X[,src=FILE|,env=VAR][,type=file|env] as buildx takes it (the
 * value is the user's): with neither src nor env, the environment variable
 * X if set, else the file X. */
static int
add_secret(secrets *s, const char *spec, berth_error **err)
{
  cleanup_free char *copy = xstrdup(spec);
  const char *id = NULL, *src = NULL, *env = NULL, *type = NULL;
  char *save = NULL;
  for (char *f = strtok_r(copy, ",", &save); f != NULL; f = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(f, '=');
    if (eq == NULL)
      return berth_error_set(err, 0, "invalid field '%s' must be a key=value pair", f);
    *eq++ = '\0';
    if (strcasecmp(f, "id") == 0)
      id = eq;
    else if (strcasecmp(f, "src") == 0 || strcasecmp(f, "source") == 0)
      src = eq;
    else if (strcasecmp(f, "env") == 0)
      env = eq;
    else if (strcasecmp(f, "type") == 0 && (strcmp(eq, "file") == 0 || strcmp(eq, "env") == 0))
      type = eq;
    else
      return berth_error_set(err, 0, "unexpected key '%s' in '%s=%s'", f, f, eq);
  }
  if (id == NULL || *id == '\0')
    return berth_error_set(err, 0, "invalid secret %s: no id", spec);
  if (type == NULL)
    type = src != NULL ? "file" : env != NULL || getenv(id) != NULL ? "env" : "file";
  char *data = NULL;
  size_t len = 0;
  if (strcmp(type, "env") == 0) {
    const char *v = getenv(env ? env : src ? src : id);
    if (v == NULL)
      return berth_error_set(err, ENOENT, "secret %s: environment variable %s is not set", id,
                             env   ? env
                             : src ? src
                                   : id);
    data = xstrdup(v);
    len = strlen(v);
  } else if (berth_read_file_at(AT_FDCWD, src ? src : id, &data, &len, err) < 0) {
    return berth_error_prefix(err, "failed to read secret %s", id);
  }
  s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
  s->bufs = xrealloc(s->bufs, 2 * (s->n + 1) * sizeof *s->bufs);
  s->bufs[2 * s->n] = xstrdup(id);
  s->bufs[2 * s->n + 1] = data;
  s->v[s->n] = (berth_build_secret){ s->bufs[2 * s->n], data, len };
  s->n++;
  return 0;
}

int
berth_cmd_build(berth_cli *cli, int argc, char **argv)
{
  enum {
    O_BUILD_ARG = BERTH_FLAG_LONG,
    O_CACHE_FROM,
    O_FORCE_RM,
    O_IIDFILE,
    O_LABEL,
    O_NETWORK,
    O_NO_CACHE,
    O_RM,
    O_SECRET,
    O_TARGET,
    O_PLATFORM,
    O_PULL
  };
  static const berth_flag flags[] = {
    { "build-arg", O_BUILD_ARG, "list", "Set build-time variables" },
    { "cache-from", O_CACHE_FROM, "strings", "Images to consider as cache sources" },
    { "file", 'f', "string", "Name of the Dockerfile (Default is 'PATH/Dockerfile')" },
    { "force-rm", O_FORCE_RM, berth_flag_bool, "Always remove intermediate containers" },
    { "iidfile", O_IIDFILE, "string", "Write the image ID to the file" },
    { "label", O_LABEL, "list", "Set metadata for an image" },
    { "network", O_NETWORK, "string",
      "Set the networking mode for the RUN instructions during build (default \"default\")" },
    { "no-cache", O_NO_CACHE, berth_flag_bool, "Do not use cache when building the image" },
    { "platform", O_PLATFORM, "string", "Set platform if server is multi-platform capable" },
    { "pull", O_PULL, berth_flag_bool, "Always attempt to pull a newer version of the image" },
    { "quiet", 'q', NULL, "Suppress the build output and print image ID on success" },
    { "rm", O_RM, berth_flag_bool,
      "Remove intermediate containers after a successful build (default true)" },
    { "secret", O_SECRET, "stringArray",
      "Secret to expose to the build (format: \"id=mysecret[,src=/local/secret]\")" },
    { "tag", 't', "list", "Name and optionally a tag in the 'name:tag' format" },
    { "target", O_TARGET, "string", "Set the target build stage to build." },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth build [OPTIONS] PATH | -", "Build an image from a Dockerfile", flags,
          .min_args = 1, .max_args = 1 };
  berth_flag_iter it = { 0 };
  size_t cap = (size_t)argc + 1, n_tags = 0, n_args = 0, n_labels = 0, n_from = 0;
  cleanup_free char **tags = xcalloc(cap, sizeof *tags);
  cleanup_strv char **args = xcalloc(cap, sizeof *args);
  cleanup_free char **labels = xcalloc(cap, sizeof *labels);
  cleanup_free char **cache_from = xcalloc(cap, sizeof *cache_from);
  const char *file = NULL, *iidfile = NULL, *target = NULL, *platform = NULL, *network = NULL;
  __attribute__((cleanup(secrets_clear))) secrets sec = { 0 };
  cleanup_error berth_error *err = NULL;
  bool rm = true, force_rm = false, no_cache = false, quiet = false, pull = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    if (optarg != NULL && berth_cli_check_utf8(cli, argv[0], "a flag", optarg) != 0)
      return 125;
    switch (c) {
    case O_BUILD_ARG: {
      char *a = build_arg(optarg);
      if (a == NULL)
        return berth_cli_usage_error(cli, argv[0],
                                     "invalid argument \"%s\" for \"--build-arg\" flag: no "
                                     "value, and %s is not set in the environment (give %s=VALUE)",
                                     optarg, optarg, optarg);
      args[n_args++] = a;
      break;
    }
    case O_CACHE_FROM:
      cache_from[n_from++] = optarg;
      break;
    case 'f':
      file = optarg;
      break;
    case O_FORCE_RM:
    case O_NO_CACHE:
    case O_PULL:
    case O_RM: {
      bool v;
      if (!parse_bool(optarg, &v))
        return berth_cli_usage_error(cli, argv[0],
                                     "invalid argument \"%s\" for flag: strconv.ParseBool: "
                                     "parsing \"%s\": invalid syntax",
                                     optarg, optarg);
      *(c == O_RM ? &rm : c == O_FORCE_RM ? &force_rm : c == O_PULL ? &pull : &no_cache) = v;
      break;
    }
    case O_IIDFILE:
      iidfile = optarg;
      break;
    case O_LABEL:
      labels[n_labels++] = optarg;
      break;
    case O_NETWORK:
      network = strcmp(optarg, "default") == 0 ? NULL : optarg;
      break;
    case O_SECRET:
      if (add_secret(&sec, optarg, &err) < 0)
        return berth_cli_usage_error(cli, argv[0],
                                     "invalid argument \"%s\" for \"--secret\" "
                                     "flag: %s",
                                     optarg, berth_error_message(err));
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
    case O_PLATFORM:
      platform = optarg;
      break;
    }
  }
  const char *context = argv[optind];
  for (size_t i = 0; i < n_tags; i++) { /* a bad name is refused before any work */
    cleanup_reference berth_reference *ref = berth_reference_parse_normalized(tags[i], &err);
    if (ref == NULL)
      return berth_cli_usage_error(cli, argv[0],
                                   "invalid argument \"%s\" for \"-t, --tag\" "
                                   "flag: %s",
                                   tags[i], berth_error_message(err));
  }
  cleanup_free char *norm_platform = berth_build_platform(platform, &err);
  if (norm_platform == NULL && err != NULL)
    return berth_cli_fail(cli, err);
  bool stdin_ctx = strcmp(context, "-") == 0, stdin_file = file != NULL && strcmp(file, "-") == 0;
  if (stdin_ctx && stdin_file) {
    berth_error_set(&err, 0,
                    "invalid argument: can't use stdin for both build context and dockerfile");
    return berth_cli_fail(cli, err);
  }
  if (!stdin_ctx && check_context_dir(context, &err) < 0)
    return berth_cli_fail(cli, err);
  cleanup_free char *default_file = xasprintf("%s/Dockerfile", context);
  const char *path = stdin_ctx ? (file ?: "Dockerfile") : file != NULL ? file : default_file;
  size_t len = 0;
  cleanup_free char *text = NULL;
  if (stdin_file)
    text = berth_build_read_dockerfile_fd(STDIN_FILENO, &len, &err);
  else if (!stdin_ctx)
    text = read_dockerfile(path, &len, &err);
  if (text == NULL && !stdin_ctx)
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
  /* RUN's network: --network's, else the configuration's, else Docker's
   * default bridge; one that does not exist is refused before any step */
  if (network == NULL)
    network
        = cli->config && cli->config->default_network ? cli->config->default_network : "default";
  const berth_network_config *netcfg = cli->config ? &cli->config->network : NULL;
  cleanup_network berth_network *net = NULL;
  if (berth_container_network_resolve(s, netcfg, network, &net, &err) < 0)
    return berth_cli_usage_error(cli, argv[0], "%s", berth_error_message(err));
  (void)berth_container_network_sweep(s, NULL);
  cleanup_scratch berth_store_scratch *scratch = NULL;
  cleanup_context berth_context *ctx = NULL;
  if (stdin_ctx) { /* a tar, or the Dockerfile alone, in a scratch dir */
    bool is_tar = false;
    scratch = berth_build_stdin_context(s, STDIN_FILENO, &is_tar, &err);
    if (scratch == NULL)
      return berth_cli_fail(cli, err);
    text = berth_build_read_dockerfile_at(berth_store_scratch_fd(scratch), path, &len, &err);
    if (text == NULL)
      return berth_cli_fail(cli, err);
    ctx = berth_build_context_open_unpacked(berth_store_scratch_fd(scratch), path, &err);
  } else {
    /* -f -: no file beside which a NAME.dockerignore could be */
    cleanup_free char *stdin_name = xasprintf("%s/-", context);
    ctx = berth_build_context_open(s, context, stdin_file ? stdin_name : path, &err);
  }
  if (ctx == NULL)
    return berth_cli_fail(cli, err);
  if (!quiet) {
    cleanup_free char *rel = stdin_ctx    ? xstrdup(path)
                             : stdin_file ? NULL
                                          : dockerfile_in_context(context, path);
    if (print_context_size(ctx, rel, (long long)len, &err) < 0)
      return berth_cli_fail(cli, err);
  }
  if (stdin_file)
    path = "Dockerfile";
  cleanup_strv char **from_ids = cache_from_ids(s, cache_from, n_from);
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
    .cache_from = from_ids,
    .keep_containers = !rm,
    .force_rm = force_rm,
    .quiet = quiet,
    .runtime = cli->config ? cli->config->default_runtime : NULL,
    .seccomp_profile = cli->config ? cli->config->seccomp_profile : NULL,
    .network = network,
    .network_config = netcfg,
    .secrets = sec.v,
    .n_secrets = sec.n,
    .on_event = print_event,
    .event_ctx = &pr,
    .resolve = resolve,
    .resolve_ctx = &rs,
    .platform = norm_platform,
    .pull = pull,
    .resolve_base = resolve_base,
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
