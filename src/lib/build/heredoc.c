/* Heredocs in RUN, COPY and ADD, with BuildKit's semantics (its
 * dockerfile2llb dispatchRun and the instructions package's
 * parseSourcesAndDest); Docker 20.10's classic builder has none.  The parser
 * (dockerfile/parser.h) has already read the bodies, `<<-` tabs removed.
 *
 * RUN: a line that is one heredoc word alone (`RUN <<EOF`) runs the body as
 * the shell's command string, or, when the body starts with `#!`, from a
 * file /dev/pipes/<name> (mode 0755, a read-only bind mount) that the shell
 * executes, so the kernel hands it to that interpreter.  Any other line
 * (`RUN cat <<EOF > /x`, several heredocs) goes to the shell whole: the line,
 * then each body followed by its delimiter, so the shell itself reads the
 * heredocs (and honours quoted delimiters and `<<-`).  The builder expands
 * nothing in either case, as BuildKit.
 *
 * COPY/ADD: each source word that is a heredoc (`<<EOF`, `<<-"EOF"`) is a
 * file named after its delimiter, mode 0644, holding the body, expanded
 * with the step's environment (ENV and ARGs) unless the delimiter was
 * quoted; ADD never unpacks one.  The files are written into a scratch dir
 * of the store, opened as a context of their own, and copied with the
 * context's rules (destination, --chown, --chmod). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build_internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "container/container.h"
#include "dockerfile/expand.h"

static bool
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* True when line is one heredoc word and nothing else: BuildKit's
 * MustParseHeredoc of the whole command (`^(\d*)<<(-?)\s*([^<]*)$`, the
 * rest one shell word).  Trusts nothing in line. */
static bool
lone_heredoc(const char *line)
{
  const char *p = line;
  while (*p >= '0' && *p <= '9')
    p++;
  if (p[0] != '<' || p[1] != '<')
    return false;
  p += 2;
  if (*p == '-')
    p++;
  if (*p == '\0' || strchr(p, '<') != NULL)
    return false;
  for (; *p != '\0'; p++) {
    if (*p == '\\') {
      if (p[1] != '\0')
        p++;
    } else if (*p == '\'' || *p == '"') {
      char q = *p;
      for (p++; *p != '\0' && *p != q; p++)
        if (q == '"' && *p == '\\' && p[1] != '\0')
          p++;
      if (*p == '\0')
        return false;
    } else if (is_space(*p)) {
      return false; /* a second word: the shell's business */
    }
  }
  return true;
}

static char *
with_bodies(const char *line, const berth_df_heredoc *docs, size_t n)
{
  size_t len = strlen(line) + 1;
  for (size_t i = 0; i < n; i++)
    len += 1 + docs[i].content_len + strlen(docs[i].name);
  char *s = xmalloc(len), *q = s;
  q = stpcpy(q, line);
  for (size_t i = 0; i < n; i++) {
    *q++ = '\n';
    memcpy(q, docs[i].content, docs[i].content_len);
    q += docs[i].content_len;
    q = stpcpy(q, docs[i].name);
  }
  *q = '\0';
  return s;
}

int
berth_build_run_heredoc_plan(const char *line, const berth_df_heredoc *docs, size_t n,
                             berth_build_run_heredoc *out, berth_error **err)
{
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++)
    if (memchr(docs[i].content, '\0', docs[i].content_len) != NULL)
      return berth_error_set(err, 0, "heredoc <<%s: a NUL byte in its body", docs[i].name);
  if (n == 1 && lone_heredoc(line)) {
    const berth_df_heredoc *d = &docs[0];
    if (d->content_len >= 2 && d->content[0] == '#' && d->content[1] == '!') {
      if (strchr(d->name, '/') != NULL || strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0)
        return berth_error_set(err, 0, "heredoc <<%s: its name must be a file name", d->name);
      out->pipe = d;
      out->command = xasprintf("/dev/pipes/%s", d->name);
      /* BuildKit records only the pipe's path; the body goes in here, so
       * that history shows it and a changed body misses the cache */
      out->saved = with_bodies(line, docs, n);
    } else {
      out->command = xstrndup(d->content, d->content_len);
      out->saved = xstrdup(out->command);
    }
    return 0;
  }
  out->command = with_bodies(line, docs, n);
  out->saved = xstrdup(out->command);
  return 0;
}

void
berth_build_run_heredoc_clear(berth_build_run_heredoc *h)
{
  free(h->command);
  free(h->saved);
  memset(h, 0, sizeof *h);
}

/* A heredoc's file, with its mode past the umask. */
static int
write_file_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
              berth_error **err)
{
  if (berth_write_file_at(dirfd, name, data, len, mode, err) < 0)
    return berth_error_prefix(err, "heredoc");
  if (fchmodat(dirfd, name, mode, 0) < 0)
    return berth_error_set(err, errno, "chmod heredoc file %s", name);
  return 0;
}

int
berth_build_heredoc_pipe(berth_build_state *st, berth_container *c, const berth_df_heredoc *doc,
                         berth_store_scratch **sc, berth_error **err)
{
  if ((*sc = berth_store_scratch_new(st->s, err)) == NULL)
    return -1;
  int fd = berth_store_scratch_fd(*sc);
  const char *path = berth_store_scratch_path(*sc);
  /* its own 0755 dir: the scratch dir is 0700 and the step's USER may not
   * be root */
  if (mkdirat(fd, "pipes", 0755) < 0)
    return berth_error_set(err, errno, "mkdir %s/pipes", path);
  cleanup_close int dfd = openat(fd, "pipes", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0 || fchmod(dfd, 0755) < 0)
    return berth_error_set(err, errno, "open %s/pipes", path);
  if (write_file_at(dfd, doc->name, doc->content, doc->content_len, 0755, err) < 0)
    return -1;
  /* the container is never saved again, and is removed after its one run:
   * the bind goes into the HostConfig the OCI spec is written from */
  json_t *binds = json_object_get(c->hostconfig, "Binds");
  if (!json_is_array(binds)) {
    binds = json_array();
    json_object_set_new(c->hostconfig, "Binds", binds);
  }
  cleanup_free char *bind = xasprintf("%s/pipes:/dev/pipes:ro", path);
  json_array_append_new(binds, json_string(bind));
  return 0;
}

/* ---- COPY / ADD -------------------------------------------------------- */

char *
berth_build_heredoc_expand(const char *body, size_t len, char *const *env, berth_error **err)
{
  if (memchr(body, '\0', len) != NULL) {
    berth_error_set(err, 0, "a NUL byte in the heredoc's body");
    return NULL;
  }
  /* BuildKit expands a body with quotes taken literally (SkipProcessQuotes)
   * and `\` as the escape: the same as escaping every quote that is not
   * already escaped before an ordinary expansion */
  char *q = xmalloc(2 * len + 1), *o = q;
  for (size_t i = 0; i < len; i++) {
    if (body[i] == '\\' && i + 1 < len) {
      *o++ = body[i++];
      *o++ = body[i];
    } else {
      if (body[i] == '\'' || body[i] == '"')
        *o++ = '\\';
      *o++ = body[i];
    }
  }
  *o = '\0';
  cleanup_free char *quoted = q;
  return berth_df_expand_word(quoted, '\\', env, err);
}

bool
berth_build_heredoc_word(const berth_df_instruction *in, const char *word, berth_df_heredoc *out)
{
  if (in->n_heredocs == 0)
    return false;
  berth_df_heredoc h;
  if (!berth_df_heredoc_word(word, &h))
    return false;
  /* the body of the last heredoc of that name, as BuildKit's lookup map */
  const berth_df_heredoc *body = NULL;
  for (size_t i = 0; i < in->n_heredocs; i++)
    if (strcmp(in->heredocs[i].name, h.name) == 0)
      body = &in->heredocs[i];
  if (body == NULL) {
    free(h.name);
    return false;
  }
  *out = h;
  out->content = body->content;
  out->content_len = body->content_len;
  return true;
}

void
berth_build_copy_heredocs_clear(berth_build_copy_heredocs *h)
{
  berth_context_sources_clear(&h->srcs);
  berth_context_free(h->ctx);
  h->ctx = NULL;
  berth_store_scratch_free(h->scratch);
  h->scratch = NULL;
}

static bool
bad_name(const char *name)
{
  return strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strpbrk(name, "/\\*?[") != NULL;
}

int
berth_build_copy_heredocs_open(berth_build_state *st, const berth_df_instruction *in,
                               const char *cmd, char *const *env, bool *is_doc,
                               berth_build_copy_heredocs *out, berth_error **err)
{
  size_t n = in->n_args;
  char **names = xcalloc(n + 1, sizeof *names);
  cleanup_strv char **nv = names;
  size_t k = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    berth_df_heredoc h;
    if (!berth_build_heredoc_word(in, in->args[i], &h))
      continue;
    is_doc[i] = true;
    names[k++] = h.name;
    if (bad_name(h.name))
      return berth_error_set(err, 0, "%s <<%s: a heredoc's name must be a plain file name", cmd,
                             h.name);
    if (out->scratch == NULL && (out->scratch = berth_store_scratch_new(st->s, err)) == NULL)
      return -1;
    cleanup_free char *expanded = NULL;
    if (h.expand
        && (expanded = berth_build_heredoc_expand(h.content, h.content_len, env, err)) == NULL)
      return berth_error_prefix(err, "%s <<%s", cmd, h.name);
    if (write_file_at(berth_store_scratch_fd(out->scratch), h.name, expanded ? expanded : h.content,
                      expanded ? strlen(expanded) : h.content_len, 0644, err)
        < 0)
      return -1;
  }
  berth_df_heredoc dest;
  if (berth_df_heredoc_word(in->args[n - 1], &dest)) {
    free(dest.name);
    return berth_error_set(err, 0, "%s cannot accept a heredoc as a destination", cmd);
  }
  out->n = k;
  if (k == 0)
    return 0;
  out->ctx = berth_context_open_with(berth_store_scratch_fd(out->scratch), NULL, err);
  if (out->ctx == NULL)
    return -1;
  return berth_context_resolve(out->ctx, cmd, names, k, &out->srcs, err);
}
