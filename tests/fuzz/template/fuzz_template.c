/* Fuzz target: arbitrary bytes as a --format template, parsed and run over
 * a small inspect-like document, with and without missingkey=error, as
 * plain JSON and as Docker's typed image and container structs (the same
 * document, so typed fields are both present and zero).  A failure must
 * come with an error and no output; a success with output. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc[]
    = "{\"Id\":\"sha256:0123\",\"Names\":[\"a\",\"b\"],\"Size\":12,\"Ratio\":1.5,\"Nil\":null,"
      "\"Config\":{\"Env\":[\"A=1\"],\"Labels\":{\"k\":\"v\"},\"Entrypoint\":null,"
      "\"ExposedPorts\":{\"80/tcp\":{}},\"Healthcheck\":{\"Interval\":1500}},"
      "\"State\":{\"Running\":true,\"Health\":{\"Log\":[{\"Start\":\"2020-01-02T03:04:05.5+01:00\"}"
      "]}},"
      "\"RootFS\":{\"Layers\":[\"a\"]},\"Metadata\":{\"LastTagTime\":\"0001-01-01T00:00:00Z\"},"
      "\"HostConfig\":{\"Ulimits\":[{\"Name\":\"n\",\"Soft\":1}]},\"Mounts\":[{\"RW\":true}],"
      "\"NetworkSettings\":{\"Networks\":{\"none\":{}}}}";

static const char *const go_types[] = { NULL, "types.ImageInspect", "types.ContainerJSON" };

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
  for (int run = 0; t != NULL && run < 6; run++) {
    berth_template_options o = { .missing_key_error = run % 2 == 1, .go_type = go_types[run / 2] };
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
