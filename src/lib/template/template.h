/* Go's text/template, as Docker's --format evaluates it, over JSON values.
 *
 * The language: text and {{actions}} (with Go's {{- and -}} trimming and
 * comment actions: a C-style comment inside the braces); pipelines of commands joined by |, each a
 * function call, a field chain (.A.B, $x.A, (pipeline).A), a variable or a constant; variables ($x
 * := …, $x = …, $ for the data); if / else if / else, range (with $i, $v :=, else, break,
 * continue), with / else; Go's functions (and or not len index print printf println eq ne lt le gt
 * ge) and Docker's (json join split lower upper title truncate pad).
 *
 * Data is JSON, as Docker's inspect falls back to it: an object is a
 * map[string]interface{} (printed map[k:v], keys sorted; ranged in key
 * order), an array a []interface{}, a number an int when it is one.
 * Errors are Go's, word for word where Docker's users see them:
 * "template: :1: function \"foo\" not defined",
 * "template: :1:6: executing \"\" at <.Foo.Bar>: map has no entry for key \"Foo\"". */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct berth_template berth_template;

/* A method of the data (Docker's `.Label "k"` on ps and images rows):
 * asked for a name an object lacks.  Returns 1 with *out set (a new
 * reference, NULL for no value), 0 when there is no such method, -1 on
 * error. */
typedef int (*berth_template_method_fn)(void *ctx, const json_t *dot, const char *name,
                                        json_t *const *args, size_t n, json_t **out,
                                        berth_error **err);

typedef struct berth_template_options {
  /* Go's Option("missingkey=error"): a missing key is an error rather than
   * "<no value>" (Docker's inspect sets it). */
  bool missing_key_error;
  berth_template_method_fn method; /* may be NULL */
  void *method_ctx;
  /* The data is a row of Docker's formatter (an image, a container): a
   * field it lacks is Go's "can't evaluate field X in type <row_type>",
   * and {{json .}} marshals it as the row's MarshalJSON does (keys sorted,
   * <, > and & escaped).  NULL: plain JSON data. */
  const char *row_type;
  /* The data is a Go struct marshalled by encoding/json (Docker's info and
   * version): a field it lacks is "can't evaluate field X in type
   * <struct_type>" as for a row, but {{json .}} keeps the fields' order.
   * Ignored when row_type is set. */
  const char *struct_type;
  /* The data is a Go struct of this type (template/types.c: Docker's
   * "types.ImageInspect", "types.ContainerJSON") that Docker decoded the
   * JSON into: fields are the struct's (Go's names: .ID, not .Id), a nil
   * slice prints [], a struct {v1 v2 …} in field order, a struct{} {}, a
   * time Go's time.String, a field the JSON omits its zero value; a field
   * the type lacks is an error, after which Docker's inspect runs the
   * template over the plain JSON.  {{json …}} writes the JSON as it is
   * (a nil slice: null).  NULL: plain JSON. */
  const char *go_type;
  /* The header line of a table: Docker's HeaderFunctions, under which
   * json, split, join, title, lower, upper and truncate give their first
   * argument back unchanged (pad still pads: the header stays aligned). */
  bool header;
} berth_template_options;

/* Parses text (untrusted: a user's --format; any bytes) into a template. */
berth_template *berth_template_parse(const char *text, berth_error **err);
/* The same with Go's template name, which its errors carry ("template:
 * version:1: …", "executing \"version\" at …"); name is berth's own. */
berth_template *berth_template_parse_named(const char *name, const char *text, berth_error **err);

/* Evaluates t with data as dot (and $).  *out gets the whole output (a
 * NUL-terminated string, *out_len its length); nothing on error, so a
 * caller prints nothing of a template that fails. */
int berth_template_execute(const berth_template *t, json_t *data,
                           const berth_template_options *opts, char **out, size_t *out_len,
                           berth_error **err);

void berth_template_free(berth_template *t);
void berth_template_cleanup(berth_template **t);
#define cleanup_template __attribute__((cleanup(berth_template_cleanup)))
