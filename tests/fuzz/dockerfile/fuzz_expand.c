/* Fuzz target: arbitrary bytes as a Dockerfile word, expanded with either
 * escape character (a first byte of ` picks the backtick) over a small environment, both
 * results checked for the invariants the builder relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile/expand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *const env[] = { "PWD=/home", "EMPTY=", "SP=a  b ", "Q=\"'$X\\", "U=한국어", NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  char escape = data[0] == '`' ? '`' : '\\';
  char *s = malloc(size);
  if (s == NULL)
    return 0;
  /* The word is a C string: it ends at the first NUL, as the parser's do. */
  memcpy(s, data + 1, size - 1);
  s[size - 1] = '\0';
  berth_df_expansion x = { 0 };
  berth_error *err = NULL;
  if (berth_df_expand(s, escape, berth_df_env_lookup, (void *)env, &x, &err) < 0) {
    if (err == NULL || x.word != NULL || x.words != NULL)
      abort();
    berth_error_free(err);
  } else {
    if (x.word == NULL || x.words == NULL)
      abort();
    for (char **w = x.words; *w != NULL; w++)
      if (**w == '\0')
        abort(); /* no empty field */
  }
  berth_df_expansion_clear(&x);
  free(s);
  return 0;
}
