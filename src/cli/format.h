/* --format for the listing commands (images, ps, history), as Docker's
 * formatter.Context runs it: "table …" prints a header line (the template
 * run over the column names with Docker's HeaderFunctions) and aligns
 * everything through the tabwriter; any other template prints each row
 * as it comes out.  `\t` and `\n` written in the format are a tab and a
 * newline; `json` is `{{json .}}`, as Docker 23 and later take it. */
#pragma once

#include <jansson.h>

#include "common/error.h"
#include "template/template.h"

typedef struct berth_format berth_format;

/* format: the user's, or the command's default; headers: column name →
 * header text; row_type: Go's type of a row, for errors ("*formatter.
 * imageContext"); method: the row's methods (Docker's .Label "k"), or
 * NULL.  A template that does not parse is Go's error ("template: :1:
 * …"): the caller words it as its command does in Docker. */
berth_format *berth_format_new(const char *format, json_t *headers, const char *row_type,
                               berth_template_method_fn method, berth_error **err);
/* The template over one row (ctx: the method's), kept until
 * berth_format_print; an error in Docker's words ("template parsing error:
 * …"), and then nothing of any row is printed. */
int berth_format_row(berth_format *f, json_t *row, void *ctx, berth_error **err);
/* The template over row with its output dropped and Go's error as it is:
 * Docker's ps runs a --format once over an empty container first. */
int berth_format_probe(berth_format *f, json_t *row, void *ctx, berth_error **err);
void berth_format_print(berth_format *f);
void berth_format_free(berth_format *f);
void berth_format_cleanup(berth_format **f);
#define cleanup_format __attribute__((cleanup(berth_format_cleanup)))

/* Prints a --format error as Docker does: no "Error: ", the command's
 * words first when given ("template parsing error: …"); returns 1. */
int berth_format_fail(const char *words, berth_error *err);
