/* --format for the listing commands (images, ps, history), as Docker's
 * formatter.Context runs it: "table …" prints a header line (the template
 * run over the column names with Docker's HeaderFunctions) and aligns
 * everything through the tabwriter; any other template prints each row
 * as it comes out.  `\t` and `\n` written in the format are a tab and a
 * newline. */
#pragma once

#include <jansson.h>

#include "common/error.h"

typedef struct berth_format berth_format;

/* format: the user's, or the command's default; headers: column name →
 * header text; row_type: Go's type of a row, for errors ("*formatter.
 * imageContext").  A template that does not parse is an error in Docker's
 * words ("template parsing error: template: :1: …"). */
berth_format *berth_format_new(const char *format, json_t *headers, const char *row_type,
                               berth_error **err);
/* The template over one row, kept until berth_format_print; an error in
 * Docker's words, and then nothing of any row is printed. */
int berth_format_row(berth_format *f, json_t *row, berth_error **err);
void berth_format_print(berth_format *f);
void berth_format_free(berth_format *f);
void berth_format_cleanup(berth_format **f);
#define cleanup_format __attribute__((cleanup(berth_format_cleanup)))

/* Prints a --format error as Docker does (no "Error: "), returns 1. */
int berth_format_fail(berth_error *err);
