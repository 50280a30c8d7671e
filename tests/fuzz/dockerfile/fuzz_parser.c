/* Dockerfiles: parse, dump, check; every failure must say why, and every
 * parsed instruction must hold what the API promises (NULL-terminated
 * lists, lines in order, heredoc bodies present). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "dockerfile/dump.h"
#include "dockerfile/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_instruction(const berth_df_instruction *ins, int min_line)
{
  if (ins->keyword == NULL || ins->original == NULL || ins->flags == NULL || ins->args == NULL
      || ins->flags[ins->n_flags] != NULL || ins->args[ins->n_args] != NULL)
    __builtin_trap();
  if (ins->start_line < min_line || ins->end_line < ins->start_line)
    __builtin_trap();
  for (size_t i = 0; i < ins->n_args; i++)
    if (ins->args[i][ins->arg_lens[i]] != '\0')
      __builtin_trap();
  for (size_t i = 0; i < ins->n_heredocs; i++)
    if (ins->heredocs[i].name == NULL || ins->heredocs[i].name[0] == '\0'
        || ins->heredocs[i].content == NULL)
      __builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  cleanup_error berth_error *err = NULL;
  cleanup_dockerfile berth_dockerfile *df
      = berth_dockerfile_parse((const char *)data, size, "Dockerfile", &err);
  if (df == NULL) {
    if (err == NULL || berth_error_message(err) == NULL)
      __builtin_trap();
    return 0;
  }
  if (df->n_instructions == 0 || (df->escape != '\\' && df->escape != '`'))
    __builtin_trap();
  int line = 1;
  for (size_t i = 0; i < df->n_instructions; i++) {
    const berth_df_instruction *ins = &df->instructions[i];
    check_instruction(ins, line);
    if (ins->sub != NULL) {
      berth_df_instruction sub = *ins->sub;
      sub.start_line = ins->start_line, sub.end_line = ins->end_line;
      check_instruction(&sub, line);
    }
    line = ins->end_line + 1;
  }
  cleanup_free char *dump = berth_dockerfile_dump(df);
  if (dump == NULL || dump[0] != '(')
    __builtin_trap();
  if (berth_dockerfile_check(df, "Dockerfile", &err) < 0
      && (err == NULL || berth_error_message(err) == NULL))
    __builtin_trap();
  return 0;
}
