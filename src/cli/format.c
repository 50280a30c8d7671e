/* Docker's formatter.Context over berth's templates (format.h). */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tabwriter.h"

struct berth_format {
  berth_template *tmpl;
  bool table;
  json_t *headers;
  const char *row_type;
  berth_template_method_fn method;
  char *rows; /* every row's output and its newline */
  size_t len;
};

/* Docker's preFormat: "table" cut, spaces trimmed, \t and \n replaced;
 * "json" is newer Docker's shorthand for a row as JSON per line. */
static char *
final_format(const char *format, bool *table)
{
  if (strcmp(format, "json") == 0)
    format = "{{json .}}";
  *table = strncmp(format, "table", 5) == 0;
  const char *s = *table ? format + 5 : format;
  while (*s == ' ')
    s++;
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == ' ')
    n--;
  char *out = xmalloc(n + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 't' || s[i + 1] == 'n')) {
      out[k++] = s[++i] == 't' ? '\t' : '\n';
      continue;
    }
    out[k++] = s[i];
  }
  out[k] = '\0';
  return out;
}

berth_format *
berth_format_new(const char *format, json_t *headers, const char *row_type,
                 berth_template_method_fn method, berth_error **err)
{
  bool table;
  cleanup_free char *text = final_format(format, &table);
  berth_template *t = berth_template_parse(text, err);
  if (t == NULL)
    return NULL;
  berth_format *f = xcalloc(1, sizeof *f);
  f->tmpl = t;
  f->table = table;
  f->headers = json_incref(headers);
  f->row_type = row_type;
  f->method = method;
  f->rows = xstrdup("");
  return f;
}

int
berth_format_row(berth_format *f, json_t *row, void *ctx, berth_error **err)
{
  berth_template_options o = { .row_type = f->row_type, .method = f->method, .method_ctx = ctx };
  cleanup_free char *out = NULL;
  size_t n = 0;
  if (berth_template_execute(f->tmpl, row, &o, &out, &n, err) < 0)
    return berth_error_prefix(err, "template parsing error");
  f->rows = xrealloc(f->rows, f->len + n + 2);
  memcpy(f->rows + f->len, out, n);
  f->len += n;
  f->rows[f->len++] = '\n';
  f->rows[f->len] = '\0';
  return 0;
}

int
berth_format_probe(berth_format *f, json_t *row, void *ctx, berth_error **err)
{
  berth_template_options o = { .row_type = f->row_type, .method = f->method, .method_ctx = ctx };
  cleanup_free char *out = NULL;
  return berth_template_execute(f->tmpl, row, &o, &out, NULL, err);
}

void
berth_format_print(berth_format *f)
{
  if (!f->table) {
    fwrite(f->rows, 1, f->len, stdout);
    return;
  }
  /* the header's errors are dropped, as Docker drops them */
  berth_template_options o = { .header = true };
  cleanup_free char *header = NULL;
  if (berth_template_execute(f->tmpl, f->headers, &o, &header, NULL, NULL) < 0)
    header = xstrdup("");
  cleanup_free char *all = xasprintf("%s\n%s", header, f->rows);
  cleanup_free char *aligned = berth_tabwriter(all);
  fputs(aligned, stdout);
}

void
berth_format_free(berth_format *f)
{
  if (f == NULL)
    return;
  berth_template_free(f->tmpl);
  json_decref(f->headers);
  free(f->rows);
  free(f);
}

void
berth_format_cleanup(berth_format **f)
{
  berth_format_free(*f);
  *f = NULL;
}

int
berth_format_fail(const char *words, berth_error *err)
{
  fprintf(stderr, "%s%s%s\n", words ? words : "", words ? ": " : "", berth_error_message(err));
  return 1;
}
