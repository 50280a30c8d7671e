/* What the files of the Dockerfile parser share; not for other folders. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "dockerfile/parser.h"

/* A growing byte string, always NUL-terminated once anything is added. */
struct df_buf {
  char *s;
  size_t len, cap;
};
void df_buf_add(struct df_buf *b, const void *p, size_t n);
void df_buf_addc(struct df_buf *b, char c);
/* The bytes as a NUL-terminated string (never NULL); b is empty after. */
char *df_buf_steal(struct df_buf *b, size_t *len);
void df_buf_free(struct df_buf *b);

/* A list of byte strings with their lengths. */
struct df_words {
  char **v;
  size_t *len;
  size_t n, cap;
};
void df_words_add(struct df_words *w, const char *p, size_t n);
void df_words_free(struct df_words *w);

/* Go's utf8.DecodeRune: the width of the character at p (n > 0 bytes) and
 * *r its code point, or width 1 and *r = -1 for a byte that does not start a
 * well-formed sequence (overlong, surrogate, above U+10FFFF, cut short). */
size_t df_utf8_decode(const char *p, size_t n, int32_t *r);
void df_utf8_encode(struct df_buf *b, int32_t r);

/* Go's unicode.IsSpace for the character at p: its width, or 0. */
size_t df_space_at(const char *p, size_t n);
/* Width of a space character that ends the n bytes at p, or 0. */
size_t df_space_before(const char *p, size_t n);
/* BuildKit's reWhitespace class, [\t\v\f\r ]. */
bool df_is_blank(char c);
/* strings.TrimSpace: moves *p and *n past leading and trailing spaces. */
void df_trim_space(const char **p, size_t *n);

/* Parses one logical line into *ins (zeroed by the caller): the keyword, its
 * flags and its arguments, dispatched per keyword as BuildKit does; depth
 * counts ONBUILD nesting.  The message of an error has no location. */
int df_parse_instruction(const char *line, size_t n, char escape, int depth,
                         berth_df_instruction *ins, berth_error **err);
void df_instruction_clear(berth_df_instruction *ins);

/* The JSON form: 1 when the n bytes at s (leading spaces allowed) start with
 * a valid JSON array of strings, its elements then in *out; 0 when they are
 * not valid JSON (the caller falls back to the shell form); -1 with err set
 * when they are a valid array holding something other than strings. */
int df_json_strings(const char *s, size_t n, struct df_words *out, berth_error **err);

/* The heredocs a logical line announces (`<<EOF`, `2<<-"END"`), in order,
 * bodies empty: the caller reads them from the lines that follow. */
void df_heredocs_from_line(const char *line, size_t n, berth_df_heredoc **out, size_t *n_out);
