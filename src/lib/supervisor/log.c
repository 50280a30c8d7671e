#include "supervisor/log.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/ops.h"

static char *
log_path(const berth_container *c)
{
  return xasprintf("containers/%s/%s-json.log", c->id, c->id);
}

int
berth_log_open_append(berth_store *s, const berth_container *c)
{
  cleanup_free char *rel = log_path(c);
  return openat(berth_store_root_fd(s), rel, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

void
berth_log_write_line(int log_fd, const char *stream, const char *data, size_t len)
{
  cleanup_free char *now = berth_container_now();
  /* output that is not UTF-8 is kept with U+FFFD for the bad bytes, as
   * Docker's json-file log does; json_pack would refuse the whole line */
  cleanup_free char *fixed = NULL;
  if (!berth_utf8_valid(data, len))
    data = fixed = berth_utf8_sanitize(data, len, &len);
  cleanup_json json_t *j
      = json_pack("{s:s%, s:s, s:s}", "log", data, len, "stream", stream, "time", now);
  if (j == NULL)
    return;
  cleanup_free char *text = json_dumps(j, JSON_COMPACT);
  cleanup_free char *line = xasprintf("%s\n", text);
  if (write(log_fd, line, strlen(line)) < 0) {
    /* a full disk loses log lines, never the container */
  }
}

/* One line of the log (written by berth, still checked: a line that is not
 * an entry is skipped). */
static void
parse_entry(const char *line, berth_log_sink sink, void *ctx)
{
  json_error_t jerr;
  cleanup_json json_t *j = json_loads(line, 0, &jerr);
  const char *text = json_string_value(json_object_get(j, "log"));
  const char *stream = json_string_value(json_object_get(j, "stream"));
  if (text == NULL)
    return;
  sink(ctx, stream != NULL && strcmp(stream, "stderr") == 0 ? "stderr" : "stdout", text);
}

static bool
still_running(berth_store *s, const char *id)
{
  cleanup_container berth_container *c = NULL;
  if (berth_container_load(s, id, &c, NULL) != 1)
    return false;
  berth_container_refresh(s, c, NULL);
  return strcmp(c->status, "running") == 0;
}

/* Whole lines only: a line still being written is read again later. */
static void
read_lines(FILE *f, berth_log_sink sink, void *ctx, char **line, size_t *cap)
{
  ssize_t n;
  while ((n = getline(line, cap, f)) > 0) {
    if ((*line)[n - 1] != '\n') {
      fseek(f, -n, SEEK_CUR);
      break;
    }
    parse_entry(*line, sink, ctx);
  }
  clearerr(f);
}

int
berth_log_read(berth_store *s, const berth_container *c, bool follow, berth_log_sink sink,
               void *ctx, berth_error **err)
{
  cleanup_free char *rel = log_path(c);
  cleanup_close int fd = openat(berth_store_root_fd(s), rel, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : berth_error_set(err, errno, "open log");
  cleanup_file FILE *f = fdopen(fd, "r");
  if (f == NULL)
    return berth_error_set(err, errno, "open log");
  fd = -1;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  for (;;) {
    bool running = follow && still_running(s, c->id);
    read_lines(f, sink, ctx, &line, &cap);
    if (!running)
      return 0;
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    nanosleep(&ts, NULL);
  }
}
