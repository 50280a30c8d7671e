/* COPY and ADD: the build context's sources (context/context.h: resolved
 * through .dockerignore, confined, hashed with the stat cache) copied into
 * a container of the current image that is never started
 * (berth_build_fs_step, which WORKDIR uses too), then a commit.
 *
 * The cache key is the parent image plus CREATED BY as Docker 20.10's
 * classic builder writes it, `/bin/sh -c #(nop) COPY file:<hex> in /dest `
 * (`dir:` for one directory, `multi:` for several sources; the trailing
 * space is Docker's; `--chown=u:g` is glued to the hash as Docker glues
 * it), plus the Config.  <hex> is Docker's own hash of the sources
 * (berth_context_hash_all: the tarsums of the context as the docker CLI
 * sends it, or of an image's rootfs for COPY --from), so the same sources
 * give the same string as Docker's, and ADD's http(s) sources (remote.h)
 * are hashed as Docker hashes them, each source in its place in multi:.
 * Where Docker's hash leaves out something the copy depends on (a symlink's
 * target or name, hard links), berth's own content digest (names, modes,
 * owners, contents, never times) is added to container_config's Cmd,
 * which the cache also compares, and no image built elsewhere serves the
 * step: a hit is never wrong where Docker's would be.  Heredoc files
 * (BuildKit's only) are hashed as context files of their names.
 * --chmod, which Docker 20.10's classic builder lacks, is written
 * `--chmod=MODE ` before the hash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "build/remote.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/xalloc.h"
#include "container/create.h"
#include "container/mount.h"
#include "container/ops.h"
#include "container/passwd.h"
#include "dockerfile/expand.h"
#include "images/rootfs_ref.h"

typedef struct copy_flags {
  char *from;  /* COPY --from's value, as written (the classic builder does
                * not expand it) */
  char *chown; /* expanded, as written */
  bool chmod;
  mode_t mode;
  char *chmod_text;
} copy_flags;

static void
copy_flags_clear(copy_flags *f)
{
  free(f->from);
  free(f->chown);
  free(f->chmod_text);
}

/* The flags of a COPY/ADD (untrusted: the Dockerfile's).  --link is
 * accepted and ignored (it only changes how BuildKit stacks the layer);
 * --from is COPY's only, as in Docker's parseCopy. */
static int
parse_flags(const berth_build_state *st, const berth_df_instruction *in, const char *cmd,
            char *const *env, copy_flags *f, berth_error **err)
{
  for (size_t i = 0; i < in->n_flags; i++) {
    const char *fl = in->flags[i];
    const char *eq = strchr(fl, '=');
    size_t nl = eq ? (size_t)(eq - fl) : strlen(fl);
    const char *val = eq ? eq + 1 : NULL;
    if (nl == 6 && strncmp(fl, "--link", 6) == 0) {
      if (val != NULL && strcasecmp(val, "true") != 0 && strcasecmp(val, "false") != 0)
        return berth_error_set(err, 0, "expecting boolean value for flag link, not: %s", val);
    } else if (nl == 6 && strncmp(fl, "--from", 6) == 0 && strcmp(cmd, "COPY") == 0) {
      if (val == NULL || *val == '\0')
        return berth_error_set(err, 0, "missing a value on flag: from");
      free(f->from);
      f->from = xstrdup(val);
    } else if (nl == 7 && strncmp(fl, "--chown", 7) == 0) {
      if (val == NULL)
        return berth_error_set(err, 0, "missing a value on flag: chown");
      free(f->chown);
      f->chown = berth_df_expand_word(val, st->escape, env, err);
      if (f->chown == NULL)
        return -1;
    } else if (nl == 7 && strncmp(fl, "--chmod", 7) == 0) {
      if (val == NULL)
        return berth_error_set(err, 0, "missing a value on flag: chmod");
      char *end = NULL;
      errno = 0;
      unsigned long m = strtoul(val, &end, 8);
      if (val[0] == '\0' || val[0] == '-' || val[0] == '+' || *end != '\0' || errno != 0
          || m > 07777)
        return berth_error_set(err, 0, "invalid chmod parameter: %s", val);
      f->chmod = true;
      f->mode = (mode_t)m;
      free(f->chmod_text);
      f->chmod_text = xstrdup(val);
    } else {
      return berth_error_set(err, 0, "Unknown flag: %.*s", (int)(nl > 2 ? nl - 2 : nl),
                             nl > 2 ? fl + 2 : fl);
    }
  }
  return 0;
}

/* Docker's normalizeDest: a relative destination joins WORKDIR (cleaned),
 * its trailing `/` kept; an absolute one is kept as written. */
static char *
normalize_dest(const berth_build_state *st, const char *dest)
{
  if (dest[0] == '/')
    return xstrdup(dest);
  const char *wd = json_string_value(json_object_get(st->config, "WorkingDir"));
  cleanup_free char *joined = xasprintf("/%s/%s", wd ? wd : "", dest);
  char *d = berth_path_clean_abs(joined);
  size_t n = strlen(dest), dn = strlen(d);
  if (n > 0 && dest[n - 1] == '/' && !(dn > 0 && d[dn - 1] == '/')) {
    char *t = xasprintf("%s/", d);
    free(d);
    d = t;
  }
  return d;
}

/* COPY --from's source: the image's rootfs, the merged dir of a container
 * of it that is never started (as berth_build_fs_step makes one: the
 * store's own bookkeeping keeps the image and its layers while it exists,
 * and removing it leaves nothing behind), only read, opened as a context
 * with no .dockerignore, whose resolution confines every source to that
 * rootfs. */
typedef struct from_source {
  berth_store *s;
  char id[BERTH_DIGEST_LEN];
  berth_container *c;
  bool mounted;
  int fd;
  berth_context *ctx;
} from_source;

static void
from_source_clear(from_source *f)
{
  berth_context_free(f->ctx);
  if (f->fd >= 0)
    close(f->fd);
  if (f->c == NULL)
    return;
  if (f->mounted)
    berth_container_unmount(f->s, f->c, NULL);
  cleanup_runtime berth_runtime *rt = berth_container_runtime(f->s, f->c);
  berth_container_remove(f->s, rt, f->c, true, NULL);
  berth_container_free(f->c);
}

/* Removes everything in the never started container c's init layer. */
static int
empty_init_layer(berth_store *s, berth_container *c, berth_error **err)
{
  cleanup_free char *init = berth_store_rwlayer_init_path(s, &c->layer);
  cleanup_close int fd = open(init, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return berth_error_set(err, errno, "open %s", init);
  cleanup_dir DIR *d = fdopendir(dup(fd));
  if (d == NULL)
    return berth_error_set(err, errno, "open %s", init);
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (berth_rm_rf_at(fd, e->d_name, err) < 0)
      return berth_error_prefix(err, "init layer");
  }
  return 0;
}

static int
from_source_open(berth_build_state *st, const char *from, from_source *f, berth_error **err)
{
  bool scratch = false;
  if (berth_build_from_source(st, from, f->id, &scratch, err) < 0)
    return -1;
  char id[BERTH_DIGEST_LEN];
  size_t n_layers = 0;
  if (!scratch && berth_image_resolve_rootfs(st->s, f->id, id, &n_layers, err) < 0)
    return berth_error_prefix(err, "invalid from flag value %s", from);
  if (scratch || n_layers == 0)
    return berth_error_set(err, 0, "invalid from flag value %s: the image has no filesystem", from);
  char *none[] = { NULL };
  char *cmd[] = { "#(nop) COPY --from source, never run", NULL };
  berth_create_options co = {
    .image = f->id,
    .image_id = f->id,
    .n_layers = n_layers,
    .cmd = cmd,
    .env = none,
    .binds = none,
    .entrypoint = "",
    .runtime = st->o->runtime,
    .confine = { .seccomp_profile = st->o->seccomp_profile },
  };
  if (berth_container_create(st->s, &co, &f->c, err) < 0)
    return -1;
  /* Docker's source is the image's layers alone (an RW layer made with no
   * init layer): the init layer's /dev, /proc, /etc/hosts, /.dockerenv...
   * are not the image's, and would shadow the image's own */
  if (empty_init_layer(st->s, f->c, err) < 0)
    return -1;
  cleanup_free char *merged = berth_container_mount(st->s, f->c, err);
  if (merged == NULL)
    return -1;
  f->mounted = true;
  f->fd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f->fd < 0)
    return berth_error_set(err, errno, "open %s", merged);
  f->ctx = berth_context_open_with(f->fd, NULL, err);
  if (f->ctx == NULL)
    return -1;
  berth_context_set_rootfs(f->ctx); /* hashed as Docker's lazySource */
  return 0;
}

typedef struct copy_job {
  berth_build_state *st;
  berth_context *ctx;
  bool keep_owner;
  const char *cmd;
  const berth_context_sources *srcs;
  const char *dest;
  const copy_flags *flags;
  const berth_build_copy_heredocs *docs;
  berth_build_remote *remote; /* ADD's URLs (never unpacked) */
} copy_job;

/* --chown as Docker's parseChownFlag reads it: user[:group], a lone user
 * also naming the group; names through the image's /etc/passwd and
 * /etc/group (confined to the rootfs), numbers as they are. */
static int
resolve_chown(int rootfd, const char *spec, uid_t *uid, gid_t *gid, berth_error **err)
{
  const char *colon = strchr(spec, ':');
  if (colon != NULL && strchr(colon + 1, ':') != NULL)
    return berth_error_set(err, 0, "invalid chown string format: %s", spec);
  cleanup_free char *full = colon ? xstrdup(spec) : xasprintf("%s:%s", spec, spec);
  if (berth_passwd_resolve_in(rootfd, full, uid, gid, err) < 0)
    return berth_error_prefix(err, "unable to convert uid/gid chown string to host mapping");
  return 0;
}

static int
copy_cb(void *arg, int rootfd, berth_error **err)
{
  copy_job *j = arg;
  berth_context_copy_opts o = {
    .cmd = j->cmd,
    .chmod = j->flags->chmod,
    .mode = j->flags->mode,
    .unpack = strcmp(j->cmd, "ADD") == 0,
    .keep_owner = j->keep_owner,
  };
  if (j->flags->chown != NULL && j->flags->chown[0] != '\0') {
    o.chown = true;
    if (resolve_chown(rootfd, j->flags->chown, &o.uid, &o.gid, err) < 0)
      return -1;
  }
  if (o.chown)
    o.keep_owner = false;
  if (j->srcs->n > 0 && berth_context_copy(j->ctx, j->srcs, rootfd, j->dest, &o, err) < 0)
    return -1;
  /* the heredocs' files and the downloads: made here, so root's unless
   * --chown, and never unpacked */
  o.unpack = false;
  o.keep_owner = false;
  if (j->docs->n > 0) {
    if (berth_context_copy(j->docs->ctx, &j->docs->srcs, rootfd, j->dest, &o, err) < 0)
      return -1;
  }
  if (j->remote->srcs.n > 0) {
    if (berth_context_copy(j->remote->ctx, &j->remote->srcs, rootfd, j->dest, &o, err) < 0)
      return -1;
  }
  return 0;
}

/* The sources' hashes: Docker's, each source in the instruction's order
 * (args, without the destination; is_doc marks the heredocs, the other
 * words are w, the local sources' args or URLs), and berth's own digest of
 * the local ones and the heredocs' files (*partial: it must be in the key). */
typedef struct copy_hashes {
  berth_context_hashes local, docs;
  char **order; /* Docker's hashes in source order, borrowed */
  size_t n;
  char digest[BERTH_DIGEST_LEN];
} copy_hashes;

static void
copy_hashes_clear(copy_hashes *c)
{
  berth_context_hashes_clear(&c->local);
  berth_context_hashes_clear(&c->docs);
  free(c->order);
}

static int
copy_hashes_make(berth_context *ctx, const berth_context_sources *srcs,
                 const berth_build_copy_heredocs *docs, const berth_build_remote *rem,
                 const berth_df_instruction *in, const bool *is_doc, char *const *w, copy_hashes *c,
                 berth_error **err)
{
  if (srcs->n > 0 && berth_context_hash_all(ctx, srcs, &c->local, err) < 0)
    return -1;
  if (docs->n > 0 && berth_context_hash_all(docs->ctx, &docs->srcs, &c->docs, err) < 0)
    return -1;
  c->order = xcalloc(srcs->n + docs->n + rem->n + 1, sizeof *c->order);
  size_t k = 0, d = 0, u = 0, j = 0;
  for (size_t i = 0; i + 1 < in->n_args; i++) {
    if (is_doc[i]) {
      if (d < docs->n)
        c->order[c->n++] = c->docs.each[d++];
      continue;
    }
    const char *word = w[j++];
    if (berth_build_is_url(word)) {
      if (u < rem->n)
        c->order[c->n++] = rem->hashes[u++];
      continue;
    }
    /* a wildcard's matches, in the order resolve gave them */
    while (k < srcs->n && strcmp(srcs->v[k].arg, word) == 0)
      c->order[c->n++] = c->local.each[k++];
  }
  if (docs->n == 0) {
    memcpy(c->digest, c->local.digest, BERTH_DIGEST_LEN);
  } else if (srcs->n == 0) {
    memcpy(c->digest, c->docs.digest, BERTH_DIGEST_LEN);
  } else {
    cleanup_free char *both = xasprintf("%s\n%s", c->local.digest, c->docs.digest);
    berth_sha256_digest(both, strlen(both), c->digest);
  }
  return 0;
}

/* The sources' hash as CREATED BY shows it: Docker's getSourceHashFromInfos,
 * one source's hash as it is, several "multi:" over them in order. */
static char *
sources_hash(const copy_hashes *c)
{
  if (c->n == 1)
    return xstrdup(c->order[0]);
  return berth_tarsum_join("multi", c->order, c->n, false);
}

int
berth_build_step_copy(berth_build_state *st, const berth_df_instruction *in, berth_error **err)
{
  const char *cmd = in->keyword[0] == 'a' ? "ADD" : "COPY";
  if (in->n_args < 2)
    return berth_error_set(err, 0, "%s requires at least two arguments", cmd);
  cleanup_strv char **env = berth_build_expand_env(st);
  copy_flags f __attribute__((cleanup(copy_flags_clear))) = { 0 };
  if (parse_flags(st, in, cmd, env, &f, err) < 0)
    return -1;
  /* each argument one word, as Docker's SourcesAndDest.Expand (ProcessWord:
   * a value with blanks stays one source) */
  size_t n = in->n_args;
  char **w = xcalloc(n + 1, sizeof *w);
  cleanup_strv char **words = w;
  /* the heredoc sources (heredoc.c) apart: the words left are paths */
  __attribute__((cleanup(berth_build_copy_heredocs_clear))) berth_build_copy_heredocs docs = { 0 };
  cleanup_free bool *is_doc = xcalloc(n, sizeof *is_doc);
  if (in->n_heredocs > 0
      && berth_build_copy_heredocs_open(st, in, cmd, env, is_doc, &docs, err) < 0)
    return -1;
  size_t nw = 0;
  for (size_t i = 0; i < n; i++)
    if (!is_doc[i] && (w[nw++] = berth_df_expand_word(in->args[i], st->escape, env, err)) == NULL)
      return -1;
  n = nw;
  /* ADD's URLs apart (downloaded); the rest are the context's */
  cleanup_free char **urls = xcalloc(n, sizeof *urls);
  cleanup_free char **locals = xcalloc(n, sizeof *locals);
  size_t n_url = 0, n_local = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    if (!berth_build_is_url(w[i])) {
      locals[n_local++] = w[i];
      continue;
    }
    if (strcmp(cmd, "ADD") != 0)
      return berth_error_set(err, 0, "source can't be a URL for COPY");
    urls[n_url++] = w[i];
  }
  if (st->o->context == NULL && f.from == NULL && n_local > 0)
    return berth_error_set(err, 0, "%s needs a build context", cmd);

  from_source src __attribute__((cleanup(from_source_clear))) = { .s = st->s, .fd = -1 };
  berth_context *ctx = st->o->context;
  if (f.from != NULL) {
    if (from_source_open(st, f.from, &src, err) < 0)
      return -1;
    ctx = src.ctx;
  }
  __attribute__((cleanup(berth_context_sources_clear))) berth_context_sources srcs = { 0 };
  if (n_local > 0 && berth_context_resolve(ctx, cmd, locals, n_local, &srcs, err) < 0)
    return -1;
  const char *dest = w[n - 1];
  berth_build_remote rem __attribute__((cleanup(berth_build_remote_clear))) = { 0 };
  if (n_url > 0 && berth_build_remote_fetch(st, urls, n_url, dest, &rem, err) < 0)
    return berth_error_prefix(err, "%s failed", cmd);
  if (berth_context_check_dest(cmd, srcs.n + docs.n + rem.n, dest, err) < 0)
    return -1;
  copy_hashes ch __attribute__((cleanup(copy_hashes_clear))) = { 0 };
  if (copy_hashes_make(ctx, &srcs, &docs, &rem, in, is_doc, w, &ch, err) < 0)
    return berth_error_prefix(err, "%s failed", cmd);
  bool partial = ch.local.partial || ch.docs.partial;
  cleanup_free char *hash = sources_hash(&ch);
  cleanup_free char *chown = f.chown && f.chown[0] ? xasprintf("--chown=%s", f.chown) : xstrdup("");
  cleanup_free char *chmod = f.chmod ? xasprintf("--chmod=%s ", f.chmod_text) : xstrdup("");

  cleanup_strv char **shell = berth_build_shell(st);
  size_t k = 0;
  while (shell[k] != NULL)
    k++;
  shell = xrealloc(shell, (k + 2) * sizeof *shell);
  shell[k] = xasprintf("#(nop) %s %s%s%s in %s ", cmd, chown, chmod, hash, dest);
  shell[k + 1] = NULL;
  cleanup_free char *by = berth_build_join(shell);
  /* COPY --from: CREATED BY as Docker's (the sources' hash alone), the
   * source image also in container_config's Cmd, which the cache
   * compares too: the same files from another image miss */
  if (f.from != NULL) {
    free(shell[k]);
    shell[k]
        = xasprintf("#(nop) %s --from=%s %s%s%s in %s ", cmd, src.id, chown, chmod, hash, dest);
  }
  /* Docker's hash short of what the copy depends on: berth's digest in
   * the Cmd too, and (as for COPY --from) only a kept image with that Cmd
   * serves */
  if (partial) {
    char *t = xasprintf("%s#berth-content=%s", shell[k], ch.digest);
    free(shell[k]);
    shell[k] = t;
  }
  /* Cmd compared for every COPY: a kept COPY --from image, whose CREATED
   * BY can be this COPY's, never serves it */
  berth_build_cache_want want
      = { .cmd = shell, .from_image = f.from != NULL || partial, .root_owned = chown[0] == '\0' };
  int hit = berth_build_try_cache_want(st, by, st->config, &want, err);
  if (hit != 0)
    return hit < 0 ? -1 : 0;
  cleanup_free char *full = normalize_dest(st, dest);
  copy_job job = { .st = st,
                   .ctx = ctx,
                   .keep_owner = f.from != NULL,
                   .cmd = cmd,
                   .srcs = &srcs,
                   .dest = full,
                   .flags = &f,
                   .docs = &docs,
                   .remote = &rem };
  return berth_build_fs_step(st, shell, by, copy_cb, &job, err);
}
