#include "pull_progress.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "units.h"

enum { BAR_WIDTH = 50 };

struct berth_progress {
  FILE *out;
  bool terminal;
  char **ids; /* lines on screen, in order */
  size_t n;
};

berth_progress *
berth_progress_new(FILE *out, bool terminal)
{
  berth_progress *p = xcalloc(1, sizeof(*p));
  p->out = out;
  p->terminal = terminal;
  return p;
}

void
berth_progress_free(berth_progress *p)
{
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->n; i++)
    free(p->ids[i]);
  free(p->ids);
  free(p);
}

static bool
is_byte_progress(const char *status, long long total)
{
  return total > 0
         && (strcmp(status, "Downloading") == 0 || strcmp(status, "Extracting") == 0
             || strcmp(status, "Pushing") == 0);
}

/* "[=====>      ]  12.5MB/52.3MB" as Docker's JSONProgress draws it. */
static void
print_bar(FILE *out, long long current, long long total)
{
  int bars = (int)(current * BAR_WIDTH / total);
  if (bars > BAR_WIDTH)
    bars = BAR_WIDTH;
  fputc('[', out);
  for (int i = 0; i < bars; i++)
    fputc('=', out);
  if (bars < BAR_WIDTH) {
    fputc('>', out);
    for (int i = bars + 1; i < BAR_WIDTH; i++)
      fputc(' ', out);
  }
  char *cur = berth_human_size(current), *tot = berth_human_size(total);
  fprintf(out, "] %8s/%s", cur, tot);
  free(cur);
  free(tot);
}

static void
print_line(berth_progress *p, const char *id, const char *status, long long current,
           long long total)
{
  fprintf(p->out, "%s: %s", id, status);
  if (is_byte_progress(status, total)) {
    fputc(' ', p->out);
    print_bar(p->out, current, total);
  }
}

static size_t
line_of(berth_progress *p, const char *id)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->ids[i], id) == 0)
      return i;
  p->ids = xrealloc(p->ids, (p->n + 1) * sizeof(char *));
  p->ids[p->n] = xstrdup(id);
  fputc('\n', p->out); /* a fresh line at the bottom for it */
  return p->n++;
}

void
berth_progress_event(void *ctx, const char *id, const char *status, long long current,
                     long long total)
{
  berth_progress *p = ctx;
  if (!p->terminal) {
    if (!is_byte_progress(status, total)) {
      fprintf(p->out, "%s: %s\n", id, status);
      fflush(p->out);
    }
    return;
  }
  size_t line = line_of(p, id);
  size_t up = p->n - line;
  /* Up to the layer's line, clear it, draw, and back down. */
  fprintf(p->out, "\033[%zuA\r\033[2K", up);
  print_line(p, id, status, current, total);
  fprintf(p->out, "\r\033[%zuB", up);
  fflush(p->out);
}
