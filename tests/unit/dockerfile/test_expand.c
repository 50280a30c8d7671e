/* Dockerfile word expansion against buildkit's own tables (shared testdata
 * dockerfile-parser/shell/envVarTest and wordsTest, read as that README
 * says), then berth's cases: the backtick escape, the names a word used,
 * errors, and bytes that are not ASCII. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "dockerfile/expand.h"
#include "harness.h"

static const char *shared_dir;

/* Go's strings.TrimSpace for the ASCII these tables hold. */
static char *
trim(char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

static char *
ltrim_spaces(char *s)
{
  while (*s == ' ')
    s++;
  return s;
}

static void
tap(bool ok, const char *table, int line, const char *input)
{
  printf("%s %d - %s:%d %s\n", ok ? "ok" : "not ok", ++berth_t.planned, table, line, input);
}

static FILE *
open_table(const char *name)
{
  cleanup_free char *path = xasprintf("%s/testdata/dockerfile-parser/shell/%s", shared_dir, name);
  return fopen(path, "r");
}

/* A line without its newline (bufio.Scanner also drops a "\r" before it). */
static bool
read_line(FILE *f, char **line, size_t *cap)
{
  ssize_t n = getline(line, cap, f);
  if (n < 0)
    return false;
  while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
    (*line)[--n] = '\0';
  return true;
}

static char *const env_var_test_env[]
    = { "PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=", NULL };

static int env_rows, env_passed;

static void
run_env_var_test(FILE *f)
{
  cleanup_free char *line = NULL;
  size_t cap = 0;
  for (int lineno = 1; read_line(f, &line, &cap); lineno++) {
    if (line[0] == '#')
      continue;
    char *l = trim(line);
    if (*l == '\0')
      continue;
    char *platform = l, *input = strchr(l, '|'), *expected = NULL;
    if (input != NULL) {
      *input++ = '\0';
      expected = strchr(input, '|');
    }
    if (expected == NULL || strchr(expected + 1, '|') != NULL) {
      tap(false, "envVarTest", lineno, "(malformed row)");
      continue;
    }
    *expected++ = '\0';
    platform = trim(platform), input = trim(input), expected = trim(expected);
    if (strcmp(platform, "A") != 0 && strcmp(platform, "U") != 0)
      continue;
    env_rows++;
    berth_error *err = NULL;
    cleanup_free char *got = berth_df_expand_word(input, '\\', env_var_test_env, &err);
    bool ok = strcmp(expected, "error") == 0 ? got == NULL : got != NULL && !strcmp(got, expected);
    if (!ok)
      printf("#   %s: got \"%s\" (%s), want \"%s\"\n", input, got ? got : "(error)",
             err ? berth_error_message(err) : "", expected);
    else
      env_passed++;
    tap(ok, "envVarTest", lineno, input);
    berth_error_free(err);
  }
}

static int words_rows, words_passed;

static void
run_words_test(FILE *f)
{
  cleanup_free char *line = NULL;
  size_t cap = 0;
  char **env = xcalloc(1, sizeof *env);
  size_t nenv = 0;
  for (int lineno = 1; read_line(f, &line, &cap); lineno++) {
    if (line[0] == '#')
      continue;
    if (strncmp(line, "ENV ", 4) == 0) {
      env = xrealloc(env, (nenv + 2) * sizeof *env);
      env[nenv++] = xstrdup(ltrim_spaces(line + 3));
      env[nenv] = NULL;
      continue;
    }
    char *bar = strchr(line, '|');
    if (bar == NULL || strchr(bar + 1, '|') != NULL) {
      tap(false, "wordsTest", lineno, "(malformed row)");
      continue;
    }
    *bar = '\0';
    char *input = trim(line), *expected = ltrim_spaces(bar + 1);
    words_rows++;
    berth_error *err = NULL;
    cleanup_strv char **got = berth_df_expand_words(input, '\\', env, &err);
    /* The test's own rule: a failure is the one word "error". */
    cleanup_free char *joined = NULL;
    if (got == NULL) {
      joined = xstrdup("error");
    } else {
      joined = xstrdup("");
      for (size_t i = 0; got[i] != NULL; i++) {
        char *j = xasprintf("%s%s%s", joined, i ? "," : "", got[i]);
        free(joined);
        joined = j;
      }
      /* A word with a ',' in it would make the join ambiguous. */
      for (size_t i = 0; got[i] != NULL; i++)
        if (strchr(got[i], ',') != NULL || got[i][0] == '\0')
          joined[0] = '\x01';
    }
    bool ok = strcmp(joined, expected) == 0;
    if (!ok)
      printf("#   %s: got [%s] (%s), want [%s]\n", input, joined,
             err ? berth_error_message(err) : "", expected);
    else
      words_passed++;
    tap(ok, "wordsTest", lineno, input);
    berth_error_free(err);
  }
  berth_cleanup_strvp(&env);
}

static void
run_tables(void)
{
  FILE *e = open_table("envVarTest");
  FILE *w = open_table("wordsTest");
  if (e == NULL || w == NULL) {
    printf("ok %d # SKIP shared testdata absent\n", ++berth_t.planned);
    if (e)
      fclose(e);
    if (w)
      fclose(w);
    return;
  }
  run_env_var_test(e);
  run_words_test(w);
  fclose(e);
  fclose(w);
  printf("# envVarTest: %d of %d rows pass; wordsTest: %d of %d rows pass\n", env_passed, env_rows,
         words_passed, words_rows);
  /* A table that yields no rows is a broken reader, not a pass. */
  printf("%s %d - tables have rows\n", env_rows > 200 && words_rows > 20 ? "ok" : "not ok",
         ++berth_t.planned);
}

/* Expands with escape and env; returns the word, or "ERR: message". */
static char *
expand(const char *word, char escape, char *const *env)
{
  berth_error *err = NULL;
  char *w = berth_df_expand_word(word, escape, env, &err);
  if (w == NULL) {
    w = xasprintf("ERR: %s", berth_error_message(err));
    berth_error_free(err);
  }
  return w;
}

/* The fields joined with '|'. */
static char *
fields(const char *word, char escape, char *const *env)
{
  berth_error *err = NULL;
  cleanup_strv char **v = berth_df_expand_words(word, escape, env, &err);
  if (v == NULL) {
    char *m = xasprintf("ERR: %s", berth_error_message(err));
    berth_error_free(err);
    return m;
  }
  char *j = xstrdup("");
  for (size_t i = 0; v[i] != NULL; i++) {
    char *k = xasprintf("%s%s%s", j, i ? "|" : "", v[i]);
    free(j);
    j = k;
  }
  return j;
}

#define CHECK_EXPAND(word, escape, env, want)                                                      \
  do {                                                                                             \
    cleanup_free char *got_ = expand(word, escape, env);                                           \
    CHECK_STR(got_, want);                                                                         \
  } while (0)

#define CHECK_FIELDS(word, escape, env, want)                                                      \
  do {                                                                                             \
    cleanup_free char *got_ = fields(word, escape, env);                                           \
    CHECK_STR(got_, want);                                                                         \
  } while (0)

static char *const home_env[] = { "PWD=/home", "E=", NULL };

TEST(backtick_escape)
{
  CHECK_EXPAND("a`$PWD", '`', home_env, "a$PWD");
  CHECK_EXPAND("c:\\dir\\$PWD", '`', home_env, "c:\\dir\\/home");
  CHECK_EXPAND("a``b", '`', home_env, "a`b");
  CHECK_EXPAND("hello`", '`', home_env, "hello");
  CHECK_EXPAND("\"a`\"b\"", '`', home_env, "a\"b");
  CHECK_EXPAND("\"a`$PWD\"", '`', home_env, "a$PWD");
  CHECK_EXPAND("\"a``b\"", '`', home_env, "a`b");
  /* Before any other character the escape stays, as a backslash does. */
  CHECK_EXPAND("\"a`xb\"", '`', home_env, "a`xb");
  CHECK_EXPAND("\"a\\\"b\"", '`', home_env,
               "ERR: failed to process \"\\\"a\\\\\\\"b\\\"\": "
               "unexpected end of statement while looking for "
               "matching double-quote");
  CHECK_EXPAND("'a`b'", '`', home_env, "a`b");
  CHECK_EXPAND("${X:-a`}b}", '`', home_env, "a}b");
  /* With the backslash escape, a backtick is nothing special. */
  CHECK_EXPAND("a`$PWD", '\\', home_env, "a`/home");
  CHECK_FIELDS("a` b c", '`', home_env, "a b|c");
  CHECK_FIELDS("a\\ b", '`', home_env, "a\\|b");
}

TEST(used_variables)
{
  static char *const env[] = { "A=1", "C=", "D=x", "A=2", NULL };
  cleanup_df_expansion berth_df_expansion x = { 0 };
  CHECK(berth_df_expand("${A:-$B} $C ${Q:+$D} $1 '$S' \"$T\" \\$U", '\\', berth_df_env_lookup,
                        (void *)env, &x, NULL)
        == 0);
  CHECK_STR(x.word, "2    $S  $U");
  /* A default or alternative is expanded whether or not it is used, so its
   * names count (as buildkit counts them). */
  CHECK(x.used.n == 3);
  CHECK(berth_strset_has(&x.used, "A"));
  CHECK(berth_strset_has(&x.used, "C"));
  CHECK(berth_strset_has(&x.used, "D"));
  CHECK(x.unset.n == 4);
  CHECK(berth_strset_has(&x.unset, "B"));
  CHECK(berth_strset_has(&x.unset, "Q"));
  CHECK(berth_strset_has(&x.unset, "1"));
  CHECK(berth_strset_has(&x.unset, "T"));
  CHECK(!berth_strset_has(&x.unset, "S"));
  CHECK(!berth_strset_has(&x.unset, "U"));
  CHECK(x.words[0] != NULL && !strcmp(x.words[0], "2"));
  CHECK(x.words[0] && x.words[1] && !strcmp(x.words[1], "$S"));
  CHECK(x.words[0] && x.words[1] && x.words[2] && !strcmp(x.words[2], "$U"));
  CHECK(x.words[0] && x.words[1] && x.words[2] && x.words[3] == NULL);
}

TEST(used_variables_none)
{
  cleanup_df_expansion berth_df_expansion x = { 0 };
  CHECK(berth_df_expand("plain 'text'", '\\', berth_df_env_lookup, NULL, &x, NULL) == 0);
  CHECK_STR(x.word, "plain text");
  CHECK(x.used.n == 0 && x.unset.n == 0);
}

TEST(env_list)
{
  static char *const env[] = { "A=1", "B", "A=2=3", "AB=x", NULL };
  CHECK_EXPAND("$A,${B-unset},$AB,${ABC-none}", '\\', env, "2=3,,x,none");
  CHECK_EXPAND("$A", '\\', NULL, "");
}

TEST(errors)
{
  CHECK_EXPAND("${V:?msg}", '\\', home_env, "ERR: failed to process \"${V:?msg}\": V: msg");
  CHECK_EXPAND("${V?}", '\\', home_env,
               "ERR: failed to process \"${V?}\": V: is not allowed to be unset");
  CHECK_EXPAND("${E:?}", '\\', home_env,
               "ERR: failed to process \"${E:?}\": E: is not allowed to be empty");
  CHECK_EXPAND("${E?}x", '\\', home_env, "x");
  CHECK_EXPAND("${V:?message $PWD}", '\\', home_env,
               "ERR: failed to process \"${V:?message $PWD}\": V: message /home");
  CHECK_EXPAND("${PWD", '\\', home_env,
               "ERR: failed to process \"${PWD\": syntax error: missing '}'");
  CHECK_EXPAND("${PWD:-x", '\\', home_env,
               "ERR: failed to process \"${PWD:-x\": syntax error: missing '}'");
  CHECK_EXPAND("${", '\\', home_env, "ERR: failed to process \"${\": syntax error: missing '}'");
  CHECK_EXPAND("a${}", '\\', home_env,
               "ERR: failed to process \"a${}\": syntax error: bad substitution");
  CHECK_EXPAND("${PWD:-${}}", '\\', home_env,
               "ERR: failed to process \"${PWD:-${}}\": syntax error: bad substitution");
  CHECK_EXPAND("${PWD:=x}", '\\', home_env,
               "ERR: failed to process \"${PWD:=x}\": unsupported modifier (:=) in substitution");
  CHECK_EXPAND("${PWD#/}", '\\', home_env,
               "ERR: failed to process \"${PWD#/}\": unsupported modifier (#) in substitution");
  CHECK_EXPAND("'abc", '\\', home_env,
               "ERR: failed to process \"'abc\": unexpected end of statement while looking for "
               "matching single-quote");
  /* An error never carries a raw control character out. */
  CHECK_EXPAND("${V:?a\nb}", '\\', home_env,
               "ERR: failed to process \"${V:?a\\x0ab}\": V: a\\x0ab");
}

TEST(deep_nesting_is_refused)
{
  size_t depth = 5000;
  char *w = xmalloc(depth * 5 + depth + 2);
  size_t n = 0;
  for (size_t i = 0; i < depth; i++)
    memcpy(w + n, "${X:-", 5), n += 5;
  w[n++] = 'x';
  memset(w + n, '}', depth), n += depth;
  w[n] = '\0';
  cleanup_free char *got = expand(w, '\\', home_env);
  CHECK(strstr(got, "ERR: ") == got && strstr(got, "nested") != NULL);
  /* Well within the limit it works. */
  w[0] = '\0';
  n = 0;
  for (size_t i = 0; i < 100; i++)
    memcpy(w + n, "${X:-", 5), n += 5;
  w[n++] = 'x';
  memset(w + n, '}', 100), n += 100;
  w[n] = '\0';
  cleanup_free char *ok = expand(w, '\\', home_env);
  CHECK_STR(ok, "x");
  free(w);
}

TEST(bytes_and_unicode)
{
  /* Go's scanner reads an invalid byte of the word as U+FFFD... */
  CHECK_EXPAND("a\xff"
               "b",
               '\\', home_env,
               "a\xEF\xBF\xBD"
               "b");
  /* ...but a value is copied as it is into the word, and only the fields
   * (which range over its runes) see U+FFFD. */
  static char *const bad[] = { "V=x\xffy",
                               "NB=a\xC2\xA0"
                               "b",
                               NULL };
  CHECK_EXPAND("$V", '\\', bad, "x\xffy");
  CHECK_FIELDS("$V", '\\', bad,
               "x\xEF\xBF\xBD"
               "y");
  /* A no-break space in a value splits fields, as unicode.IsSpace says. */
  CHECK_FIELDS("$NB", '\\', bad, "a|b");
  CHECK_FIELDS("\"$NB\"", '\\', bad,
               "a\xC2\xA0"
               "b");
  /* A leading byte order mark is skipped. */
  CHECK_EXPAND("\xEF\xBB\xBF$PWD", '\\', home_env, "/home");
  /* Names take letters and digits of any script. */
  static char *const names[] = { "É=e", "X١=arabic-digit", NULL };
  CHECK_EXPAND("$É.", '\\', names, "e.");
  CHECK_EXPAND("$X١.", '\\', names, "arabic-digit.");
  CHECK_EXPAND("$É€", '\\', names, "e€");
  /* U+2023 is no letter, and no special parameter although its low byte is
   * '#': the '$' stays. */
  CHECK_EXPAND("$\u2023x", '\\', names, "$\u2023x");
}

TEST(fields)
{
  static char *const env[] = { "S=a  b", "EMPTY=", NULL };
  CHECK_FIELDS("x ${S} y", '\\', env, "x|a|b|y");
  CHECK_FIELDS("x \"\" y", '\\', env, "x|y");
  CHECK_FIELDS("$EMPTY", '\\', env, "");
  CHECK_FIELDS("${EMPTY:-\"c d\"}", '\\', env, "c|d");
  CHECK_FIELDS("'a  b'\"c\"", '\\', env, "a  bc");
  CHECK_FIELDS("\tx\n", '\\', env, "x");
}

int
main(int argc, char **argv)
{
  shared_dir = argc > 1 ? argv[1] : "/nonexistent";
  run_tables();
  RUN(backtick_escape);
  RUN(used_variables);
  RUN(used_variables_none);
  RUN(env_list);
  RUN(errors);
  RUN(deep_nesting_is_refused);
  RUN(bytes_and_unicode);
  RUN(fields);
  DONE();
}
