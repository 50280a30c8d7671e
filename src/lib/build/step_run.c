/* The steps that change the filesystem through a container: RUN (the
 * command runs in it, with no standard input) and WORKDIR (the directory
 * made in its rootfs, nothing run; berth_build_fs_step, which COPY and ADD
 * share).  Either is then committed
 * (commit/commit.h: an upperdir with nothing in it gives no layer, as
 * Docker's) and the container removed. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "build/run_mounts.h"
#include "commit/commit.h"
#include "common/cleanup.h"
#include "common/path.h"
#include "common/safe_open.h"
#include "common/testpoint.h"
#include "common/xalloc.h"
#include "container/create.h"
#include "container/mount.h"
#include "container/ops.h"
#include "container/prepare.h"
#include "dockerfile/expand.h"
#include "supervisor/supervise.h"

char *
berth_build_join(char *const *v)
{
  char *s = NULL;
  for (; *v != NULL; v++) {
    char *n = s ? xasprintf("%s %s", s, *v) : xstrdup(*v);
    free(s);
    s = n;
  }
  return s ? s : xstrdup("");
}

static size_t
n_layers(const berth_build_state *st)
{
  return json_array_size(json_object_get(json_object_get(st->image, "rootfs"), "diff_ids"));
}

/* The step's container; network NULL: --network's (host by default);
 * mounts: RUN --mount's, made by run_mounts.c. */
static int
make_container_with(berth_build_state *st, char **cmd, char **env, const char *network,
                    const berth_mount_spec *mounts, size_t n_mounts, berth_container **c,
                    berth_error **err)
{
  char *none[] = { NULL };
  berth_create_options co = {
    .image = st->image_id,
    .image_id = st->image_id,
    .n_layers = n_layers(st),
    .cmd = cmd,
    .env = env != NULL ? env : none,
    .binds = none,
    .entrypoint = "",
    .runtime = st->o->runtime,
    .network = network != NULL ? network : st->o->network,
    .network_config = st->o->network_config,
    .mounts = mounts,
    .n_mounts = n_mounts,
    .confine = { .seccomp_profile = st->o->seccomp_profile },
  };
  return berth_container_create(st->s, &co, c, err);
}

static int
make_container(berth_build_state *st, char **cmd, char **env, berth_container **c,
               berth_error **err)
{
  return make_container_with(st, cmd, env, NULL, NULL, 0, c, err);
}

/* Commits the container as the step's image (Config = the step's, its
 * cache key in container_config and created_by) and makes it current;
 * take: the container is removed next, so its upperdir is moved into the
 * layer rather than copied. */
static int
commit_step(berth_build_state *st, berth_container *c, json_t *container_config,
            const char *created_by, bool take, berth_error **err)
{
  berth_commit_options co = {
    .author = st->maintainer,
    .config = st->config,
    .container_config = container_config,
    .created_by = created_by,
    .take_upper = take,
  };
  char id[BERTH_DIGEST_LEN];
  if (berth_commit(st->s, c, &co, id, err) < 0)
    return -1;
  return berth_build_set_image(st, id, err);
}

static void
remove_container(berth_build_state *st, berth_container *c, bool announce)
{
  if (announce)
    berth_build_emit(st, BERTH_BUILD_REMOVING, NULL, c->id);
  cleanup_runtime berth_runtime *rt = berth_container_runtime(st->s, c);
  berth_container_remove(st->s, rt, c, true, NULL);
}

/* RUN's flags, parsed, and the host side of its mounts. */
typedef struct run_extra {
  berth_build_state *st;
  berth_run_flags flags;
  berth_run_mounts *mounts;
} run_extra;

static void
run_extra_clear(run_extra *x)
{
  berth_build_run_mounts_free(x->st, x->mounts);
  berth_build_run_flags_clear(&x->flags);
}

/* Inserts the strings of add (NULL-terminated) into v at position at. */
static char **
strv_insert(char **v, size_t at, char *const *add)
{
  size_t n = 0, k = 0;
  while (v[n] != NULL)
    n++;
  while (add != NULL && add[k] != NULL)
    k++;
  char **out = xcalloc(n + k + 1, sizeof *out);
  for (size_t i = 0; i < at; i++)
    out[i] = v[i];
  for (size_t i = 0; i < k; i++)
    out[at + i] = xstrdup(add[i]);
  for (size_t i = at; i < n; i++)
    out[k + i] = v[i];
  free(v);
  return out;
}

static char **
strv_copy(char *const *v)
{
  return strv_insert(xcalloc(1, sizeof(char *)), 0, v);
}

int
berth_build_step_run(berth_build_state *st, const berth_df_instruction *in, berth_error **err)
{
  __attribute__((cleanup(run_extra_clear))) run_extra x = { .st = st };
  if (in->n_flags > 0) {
    cleanup_strv char **xenv = berth_build_expand_env(st);
    const char *wd = json_string_value(json_object_get(st->config, "WorkingDir"));
    if (berth_build_run_flags_parse(in->flags, in->n_flags, st->escape, xenv, wd, &x.flags, err)
        < 0)
      return -1;
  }
  /* the command: exec form as written, shell form through the shell;
   * neither expanded by the builder (the shell does it) */
  cleanup_strv char **cmd = NULL;
  berth_build_run_heredoc hd __attribute__((cleanup(berth_build_run_heredoc_clear))) = { 0 };
  if (in->json) {
    cmd = xcalloc(in->n_args + 1, sizeof *cmd);
    for (size_t i = 0; i < in->n_args; i++)
      cmd[i] = xstrdup(in->args[i]);
  } else {
    cmd = berth_build_shell(st);
    size_t k = 0;
    while (cmd[k] != NULL)
      k++;
    cmd = xrealloc(cmd, (k + 2) * sizeof *cmd);
    cmd[k] = xstrdup(in->n_args > 0 ? in->args[0] : "");
    cmd[k + 1] = NULL;
    if (in->n_heredocs > 0) {
      if (berth_build_run_heredoc_plan(cmd[k], in->heredocs, in->n_heredocs, &hd, err) < 0)
        return -1;
      free(cmd[k]);
      cmd[k] = xstrdup(hd.command);
    }
  }
  if (cmd[0] == NULL)
    return berth_error_set(err, 0, "RUN requires at least one argument");
  /* Docker's saved command: `|N K=V … CMD` when build args are in scope,
   * which makes them part of CREATED BY and of the cache key */
  size_t n_args = 0, n_cmd = 0;
  cleanup_strv char **args = berth_build_arg_env(st, &n_args);
  while (cmd[n_cmd] != NULL)
    n_cmd++;
  char **save = xcalloc(n_args + n_cmd + 2, sizeof *save);
  cleanup_strv char **saved = save;
  size_t k = 0;
  if (n_args > 0) { /* the proxy args left out: `|0 …` when they are all */
    size_t shown = 0;
    for (size_t i = 0; i < n_args; i++)
      shown += berth_build_arg_in_history(st, args[i]);
    save[k++] = xasprintf("|%zu", shown);
    for (size_t i = 0; i < n_args; i++)
      if (berth_build_arg_in_history(st, args[i]))
        save[k++] = xstrdup(args[i]);
  }
  for (size_t i = 0; i < n_cmd; i++)
    save[k++] = xstrdup(i + 1 == n_cmd && hd.saved ? hd.saved : cmd[i]);
  /* RUN's flags go in CREATED BY before the command (`--mount=type=cache,
   * target=/x /bin/sh -c …`), and what else the cache key needs (a context
   * bind's content hash, a from image's id) in container_config's Cmd */
  size_t at = n_args > 0 ? n_args + 1 : 0;
  cleanup_free char *flag_words = berth_build_run_flags_words(&x.flags);
  if (flag_words[0] != '\0')
    save = saved = strv_insert(save, at, (char *[]){ flag_words, NULL });
  cleanup_strv char **key = NULL;
  if (x.flags.n_mounts > 0
      && (x.mounts = berth_build_run_mounts_new(st, &x.flags, &key, err)) == NULL)
    return -1;
  cleanup_strv char **cache_cmd = strv_insert(strv_copy(save), at + (flag_words[0] != '\0'), key);
  cleanup_free char *by = berth_build_join(save);
  /* with flags, the key's rest is in Cmd, which only kept images have */
  berth_build_cache_want want
      = { .cmd = in->n_flags > 0 ? cache_cmd : NULL, .from_image = in->n_flags > 0 };
  int hit = berth_build_try_cache_want(st, by, st->config, &want, err);
  if (hit != 0)
    return hit < 0 ? -1 : 0;

  const berth_mount_spec *specs = NULL;
  size_t n_specs = 0;
  if (x.mounts != NULL && berth_build_run_mounts_prepare(st, x.mounts, &specs, &n_specs, err) < 0)
    return -1;
  const char *net = x.flags.network;
  if (net != NULL && strcmp(net, "default") == 0)
    net = NULL;
  cleanup_container berth_container *c = NULL;
  if (make_container_with(st, cmd, args, net, specs, n_specs, &c, err) < 0)
    return -1;
  if (x.mounts != NULL && berth_build_run_mounts_points(st, x.mounts, c, err) < 0) {
    remove_container(st, c, false);
    return -1;
  }
  berth_build_emit(st, BERTH_BUILD_RUNNING, NULL, c->id);
  cleanup_runtime berth_runtime *rt = berth_container_runtime(st->s, c);
  int code = -1;
  cleanup_scratch berth_store_scratch *pipe = NULL; /* a `#!` heredoc's */
  if ((hd.pipe == NULL || berth_build_heredoc_pipe(st, c, hd.pipe, &pipe, err) == 0)
      && berth_container_prepare(st->s, c, err) == 0) {
    fflush(stdout);
    code = berth_supervisor_run_tied(st->s, rt, c, !st->o->quiet, err);
  }
  if (code != 0) {
    if (code > 0) {
      cleanup_free char *words = berth_build_join(cmd);
      st->exit_code = code;
      berth_error_set(err, 0, "The command '%s' returned a non-zero code: %d", words, code);
    }
    if (st->o->force_rm) /* announced, as Docker's */
      remove_container(st, c, true);
    return -1;
  }
  cleanup_json json_t *cc = berth_build_container_config(st->config, cache_cmd);
  json_object_set_new(cc, "Entrypoint", json_null());
  if (commit_step(st, c, cc, by, !st->o->keep_containers, err) < 0)
    return -1;
  if (!st->o->keep_containers)
    remove_container(st, c, true);
  berth_build_emit(st, BERTH_BUILD_IMAGE, NULL, st->image_id);
  return 0;
}

/* ---- WORKDIR ----------------------------------------------------------- */

/* mkdir -p of path inside the rootfs rootfd, every component resolved
 * inside it (a symlink in the image cannot lead the mkdir out). */
static int
mkdir_in_root(int rootfd, const char *path, berth_error **err)
{
  cleanup_free char *p = xstrdup(path);
  for (char *q = p + 1;; q++) {
    bool end = *q == '\0';
    if (*q != '/' && !end)
      continue;
    char save = *q;
    *q = '\0';
    berth_error *e = NULL;
    int fd = berth_safe_open_at(rootfd, p, O_PATH | O_DIRECTORY, NULL, &e);
    if (fd >= 0) {
      close(fd);
    } else if (errno == ENOENT) {
      berth_error_free(e);
      char *slash = strrchr(p, '/');
      *slash = '\0';
      cleanup_close int parent
          = berth_safe_open_at(rootfd, *p ? p : "/", O_PATH | O_DIRECTORY, NULL, err);
      *slash = '/';
      if (parent < 0)
        return -1;
      if (mkdirat(parent, slash + 1, 0755) < 0 && errno != EEXIST)
        return berth_error_set(err, errno, "mkdir %s", p);
    } else {
      return berth_error_propagate(err, &e);
    }
    *q = save;
    if (end || q[1] == '\0')
      return 0;
  }
}

static int
mkdir_cb(void *arg, int rootfd, berth_error **err)
{
  return mkdir_in_root(rootfd, arg, err);
}

int
berth_build_fs_step(berth_build_state *st, char **cache_cmd, const char *created_by,
                    berth_build_fs_fn fn, void *arg, berth_error **err)
{
  cleanup_container berth_container *c = NULL;
  if (make_container(st, cache_cmd, NULL, &c, err) < 0)
    return -1;
  cleanup_free char *merged = berth_container_mount(st->s, c, err);
  int r = -1;
  if (merged != NULL) {
    cleanup_close int root = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
      berth_error_set(err, errno, "open %s", merged);
    else
      r = fn(arg, root, err);
    berth_test_point("build-fs-mounted");
    berth_error *e = NULL;
    if (berth_container_unmount(st->s, c, &e) < 0 && r == 0)
      r = berth_error_propagate(err, &e);
    berth_error_free(e);
  }
  cleanup_json json_t *cc = berth_build_container_config(st->config, cache_cmd);
  if (r == 0)
    r = commit_step(st, c, cc, created_by, true, err);
  remove_container(st, c, false);
  if (r < 0)
    return -1;
  berth_build_emit(st, BERTH_BUILD_IMAGE, NULL, st->image_id);
  return 0;
}

int
berth_build_step_workdir(berth_build_state *st, const berth_df_instruction *in, berth_error **err)
{
  cleanup_strv char **xenv = berth_build_expand_env(st);
  cleanup_free char *w = berth_df_expand_word(in->n_args ? in->args[0] : "", st->escape, xenv, err);
  if (w == NULL)
    return -1;
  if (*w == '\0')
    return berth_error_set(err, 0, "cannot normalize nothing");
  /* Docker's normalizeWorkdir: a relative one joins the previous (cleaned),
   * an absolute one is kept as written */
  const char *cur = json_string_value(json_object_get(st->config, "WorkingDir"));
  cleanup_free char *joined = xasprintf("/%s/%s", cur ? cur : "", w);
  cleanup_free char *dir = w[0] == '/' ? xstrdup(w) : berth_path_clean_abs(joined);
  json_object_set_new(st->config, "WorkingDir", json_string(dir));
  cleanup_strv char **shell = berth_build_shell(st);
  size_t n = 0;
  while (shell[n] != NULL)
    n++;
  shell = xrealloc(shell, (n + 2) * sizeof *shell);
  shell[n] = xasprintf("#(nop) WORKDIR %s", dir);
  shell[n + 1] = NULL;
  cleanup_free char *by = berth_build_join(shell);
  int hit = berth_build_try_cache(st, by, st->config, err);
  if (hit != 0)
    return hit < 0 ? -1 : 0;
  /* the directory made is the cleaned one (Docker's SetupWorkingDirectory:
   * /a/b/../c makes /a/c, not /a/b) */
  cleanup_free char *clean = berth_path_clean_abs(dir);
  return berth_build_fs_step(st, shell, by, mkdir_cb, clean, err);
}
