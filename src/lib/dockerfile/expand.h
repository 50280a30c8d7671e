/* Dockerfile word expansion: `$V`, `${V}`, `${V:-w}`, `${V-w}`, `${V:+w}`,
 * `${V+w}`, `${V:?msg}`, `${V?msg}`, the escape character, single and double
 * quotes, as buildkit's frontend/dockerfile/shell lexer does them (the
 * behaviour Docker's builders share), including its quirks: `$1`, `$@` and
 * the other positional and special parameters expand to nothing, `$.` stays
 * `$.`, an escape at the end of the word is dropped, an unquoted value's
 * blanks split fields.
 *
 * Not supported (an "unsupported modifier" error, as Docker 20.10's builder
 * gives): the later buildkit additions `${V#pat}`, `${V%pat}`, `${V/a/b}`.
 *
 * One pass gives both results buildkit has: the word with quotes removed
 * (ProcessWord: ENV, ARG, WORKDIR, USER, LABEL, FROM...) and the fields
 * (ProcessWords: COPY, ADD, EXPOSE, VOLUME...), and the names the word
 * looked up, for a build cache key that must change when a value used
 * changes. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "common/strset.h"

/* The value of the variable name, or NULL when it is not set ("" is set and
 * empty). */
typedef const char *(*berth_df_lookup_fn)(void *data, const char *name);

/* A berth_df_lookup_fn over data, a NULL-terminated array of "K=V" strings
 * (NULL: empty) in which a later K wins and a bare "K" is set and empty, as
 * buildkit's BuildEnvs reads an environment.  Names compare exactly. */
const char *berth_df_env_lookup(void *data, const char *name);

typedef struct berth_df_expansion {
  char *word;         /* the expanded word, quotes and escapes removed */
  char **words;       /* its fields, NULL-terminated: no empty field */
  berth_strset used;  /* names looked up that were set */
  berth_strset unset; /* names looked up that were not set */
} berth_df_expansion;

/* Expands word (untrusted: a Dockerfile's text, any bytes; invalid UTF-8
 * becomes U+FFFD as Go's scanner reads it) with escape ('\\' or '`') and the
 * variables lookup gives; lookup's values are trusted to be strings and are
 * copied as they are into out->word.  Fills *out (which the caller clears
 * with berth_df_expansion_clear, also after a failure).  Errors are
 * buildkit's: `failed to process "W": syntax error: missing '}'`, `... bad
 * substitution`, `... V: is not allowed to be unset` or `V: msg`, an
 * unterminated quote. */
int berth_df_expand(const char *word, char escape, berth_df_lookup_fn lookup, void *data,
                    berth_df_expansion *out, berth_error **err);

void berth_df_expansion_clear(berth_df_expansion *x);
#define cleanup_df_expansion __attribute__((cleanup(berth_df_expansion_clear)))

/* berth_df_expand over env (see berth_df_env_lookup) for one result: the
 * word (ProcessWord), or the NULL-terminated fields (ProcessWords); both
 * newly allocated. */
char *berth_df_expand_word(const char *word, char escape, char *const *env, berth_error **err);
char **berth_df_expand_words(const char *word, char escape, char *const *env, berth_error **err);
