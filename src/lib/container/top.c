#include "container/top.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/ops.h"

extern char **environ;

/* Runs argv (argv[0] looked up in $PATH) and returns its stdout; its
 * stderr goes to ours. */
static char *
run_output(char **argv, berth_error **err)
{
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return berth_error_set(err, errno, "pipe"), NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid;
  int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  if (r != 0) {
    close(p[0]);
    return berth_error_set(err, r, "exec %s", argv[0]), NULL;
  }
  size_t n = 0, cap = 4096;
  cleanup_free char *out = xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap)
      out = xrealloc(out, cap *= 2);
    ssize_t got = read(p[0], out + n, cap - n - 1);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    n += (size_t)got;
  }
  out[n] = '\0';
  close(p[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return berth_error_set(err, 0, "%s: exit status %d", argv[0],
                           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)),
           NULL;
  return steal_pointer(&out);
}

/* The runtime's pid list (`ps --format json`: a JSON array of pids). */
static json_t *
container_pids(berth_store *s, berth_container *c, berth_error **err)
{
  cleanup_runtime berth_runtime *rt = berth_container_runtime(s, c);
  char *argv[] = { rt->path, "--root", rt->state_dir, "ps", "--format", "json", c->id, NULL };
  cleanup_free char *out = run_output(argv, err);
  if (out == NULL)
    return NULL;
  json_t *pids = json_loads(out, 0, NULL);
  if (!json_is_array(pids)) {
    json_decref(pids);
    return berth_error_set(err, 0, "%s ps: not a list of pids", rt->name), NULL;
  }
  return pids;
}

static bool
has_pid(const json_t *pids, long long p)
{
  size_t i;
  json_t *v;
  json_array_foreach(pids, i, v) if (json_integer_value(v) == p) return true;
  return false;
}

/* strings.Fields */
static char **
fields(char *line, size_t *n)
{
  char **v = NULL;
  size_t cap = 0;
  *n = 0;
  for (char *tok = strtok(line, " \t"); tok != NULL; tok = strtok(NULL, " \t")) {
    if (*n + 2 > cap)
      v = xrealloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);
    v[(*n)++] = tok;
    v[*n] = NULL;
  }
  return v;
}

/* Docker's appendProcess2ProcList: the overhanging fields joined into the
 * last column. */
static void
append_row(berth_top *t, char **f, size_t nf)
{
  char **row = xcalloc(t->ntitles + 1, sizeof *row);
  for (size_t i = 0; i + 1 < t->ntitles && i < nf; i++)
    row[i] = xstrdup(f[i]);
  size_t len = 1;
  for (size_t i = t->ntitles - 1; i < nf; i++)
    len += strlen(f[i]) + 1;
  char *last = xcalloc(len, 1);
  for (size_t i = t->ntitles - 1; i < nf; i++) {
    if (i > t->ntitles - 1)
      strcat(last, " ");
    strcat(last, f[i]);
  }
  row[t->ntitles - 1] = last;
  for (size_t i = 0; i < t->ntitles; i++)
    if (row[i] == NULL)
      row[i] = xstrdup("");
  t->rows = xrealloc(t->rows, (t->nrows + 1) * sizeof *t->rows);
  t->rows[t->nrows++] = row;
}

/* Docker's parsePSOutput; a "-" pid (a thread line of "ps m") belongs to
 * the process before it. */
static int
parse_ps(char *text, const json_t *pids, berth_top *t, berth_error **err)
{
  char *save = NULL;
  char *line = strtok_r(text, "\n", &save);
  if (line == NULL)
    return berth_error_set(err, 0, "Couldn't find PID field in ps output");
  size_t n;
  cleanup_free char **titles = fields(line, &n);
  long pid_index = -1;
  for (size_t i = 0; i < n; i++)
    if (strcmp(titles[i], "PID") == 0) {
      pid_index = (long)i;
      break;
    }
  if (pid_index < 0)
    return berth_error_set(err, 0, "Couldn't find PID field in ps output");
  t->titles = xcalloc(n + 1, sizeof *t->titles);
  for (size_t i = 0; i < n; i++)
    t->titles[i] = xstrdup(titles[i]);
  t->ntitles = n;
  bool prev = false;
  while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
    size_t nf;
    cleanup_free char **f = fields(line, &nf);
    if (nf <= (size_t)pid_index)
      continue;
    const char *pf = f[pid_index];
    if (strcmp(pf, "-") == 0) {
      if (prev)
        append_row(t, f, nf);
      continue;
    }
    char *end;
    long long p = strtoll(pf, &end, 10);
    if (*end != '\0')
      return berth_error_set(err, 0, "Unexpected pid '%s'", pf);
    prev = has_pid(pids, p);
    if (prev)
      append_row(t, f, nf);
  }
  return 0;
}

int
berth_container_top(berth_store *s, berth_container *c, char **ps_args, berth_top *out,
                    berth_error **err)
{
  if (berth_container_refresh(s, c, err) < 0)
    return -1;
  if (strcmp(c->status, "running") != 0)
    return berth_error_set(err, 0, "Container %s is not running", c->id);
  json_t *pids = container_pids(s, c, err);
  if (pids == NULL)
    return -1;
  size_t n = 0;
  while (ps_args != NULL && ps_args[n] != NULL)
    n++;
  cleanup_free char **argv = xcalloc(n + 3, sizeof *argv);
  argv[0] = "ps";
  if (n == 0)
    argv[1] = "-ef";
  for (size_t i = 0; i < n; i++)
    argv[i + 1] = ps_args[i];
  cleanup_free char *text = run_output(argv, err);
  int ret
      = text == NULL ? berth_error_prefix(err, "Error running ps") : parse_ps(text, pids, out, err);
  json_decref(pids);
  if (ret < 0)
    berth_top_clear(out);
  return ret;
}

void
berth_top_clear(berth_top *t)
{
  for (size_t i = 0; t->titles != NULL && i < t->ntitles; i++)
    free(t->titles[i]);
  free(t->titles);
  for (size_t r = 0; r < t->nrows; r++) {
    for (size_t i = 0; i < t->ntitles; i++)
      free(t->rows[r][i]);
    free(t->rows[r]);
  }
  free(t->rows);
  *t = (berth_top){ 0 };
}
