/* Fuzz target: arbitrary bytes as a --format template, parsed and run over
 * a small inspect-like document, with and without missingkey=error.  A
 * failure must come with an error and no output; a success with output. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc[]
    = "{\"Id\":\"sha256:0123\",\"Names\":[\"a\",\"b\"],\"Size\":12,\"Ratio\":1.5,\"Nil\":null,"
      "\"Config\":{\"Env\":[\"A=1\"],\"Labels\":{\"k\":\"v\"}},\"State\":{\"Running\":true}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0'; /* a flag value is a C string: it ends at a NUL */
  json_t *root = json_loads(doc, 0, NULL);
  berth_error *err = NULL;
  berth_template *t = berth_template_parse(text, &err);
  if (t == NULL && err == NULL)
    abort();
  for (int strict = 0; t != NULL && strict < 2; strict++) {
    berth_template_options o = { .missing_key_error = strict == 1 };
    char *out = NULL;
    size_t len = 0;
    berth_error *xerr = NULL;
    int rc = berth_template_execute(t, root, &o, &out, &len, &xerr);
    if ((rc < 0) != (xerr != NULL) || (rc < 0 && out != NULL) || (rc == 0 && out == NULL)
        || (rc == 0 && strlen(out) > len))
      abort();
    free(out);
    berth_error_free(xerr);
  }
  berth_template_free(t);
  berth_error_free(err);
  json_decref(root);
  free(text);
  return 0;
}
