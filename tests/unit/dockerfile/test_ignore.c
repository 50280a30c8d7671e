/* .dockerignore matching against moby/patternmatcher's own test tables
 * (cases_ignore.h, one TAP line per case), then berth's additions: the
 * reader's edge cases, error words, the walk short-cut and the choice of
 * ignore file. */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases_ignore.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "dockerfile/ignore.h"
#include "harness.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void __attribute__((format(printf, 2, 3))) result(bool ok, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  printf("%s %d - ", ok ? "ok" : "not ok", ++berth_t.planned);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
}

static size_t
count(const char *const *v, size_t max)
{
  size_t n = 0;
  while (n < max && v[n] != NULL)
    n++;
  return n;
}

static berth_ignore *
new_from(const char *const *patterns, size_t n, berth_error **err)
{
  return berth_ignore_new((char *const *)patterns, n, err);
}

/* The package-level MatchesOrParentMatches: the file cleaned, "." never
 * excluded.  Returns -1 on a pattern error. */
static int
package_matches(const char *file, const char *const *patterns, size_t n)
{
  cleanup_error berth_error *err = NULL;
  berth_ignore *ign = new_from(patterns, n, &err);
  if (ign == NULL)
    return -1;
  /* a cleaned path: the matchTests' texts are clean already but "." */
  int r = strcmp(file, ".") == 0 ? 0 : berth_ignore_excluded(ign, file);
  berth_ignore_free(ign);
  return r;
}

static void
upstream_matches(void)
{
  for (size_t i = 0; i < N(matches_cases); i++) {
    const struct matches_case *c = &matches_cases[i];
    cleanup_error berth_error *err = NULL;
    berth_ignore *ign = new_from(&c->pattern, 1, &err);
    if (ign == NULL) {
      result(false, "TestMatches %s %s: %s", c->pattern, c->text, berth_error_message(err));
      continue;
    }
    bool exact = berth_ignore_excluded_exact(ign, c->text);
    result(exact == (c->pass == EXACT), "TestMatches/MatchesExact pattern=%s text=%s", c->pattern,
           c->text);
    bool parents = berth_ignore_excluded(ign, c->text);
    result(parents == (c->pass != FAIL), "TestMatches/MatchesOrParentMatches pattern=%s text=%s",
           c->pattern, c->text);
    berth_ignore_free(ign);
  }
  for (size_t i = 0; i < N(multi_cases); i++) {
    const struct multi_case *c = &multi_cases[i];
    cleanup_error berth_error *err = NULL;
    berth_ignore *ign = new_from(c->patterns, count(c->patterns, 4), &err);
    bool ok = ign != NULL && berth_ignore_excluded(ign, c->text) == (c->pass != FAIL);
    result(ok, "TestMatches/MatchesOrParentMatches multi %zu text=%s", i, c->text);
    berth_ignore_free(ign);
  }
}

static void
upstream_match(void)
{
  for (size_t i = 0; i < N(match_cases); i++) {
    const struct match_case *c = &match_cases[i];
    int r = package_matches(c->s, &c->pattern, 1);
    bool ok = c->err ? r == -1 : r == (int)c->match;
    result(ok, "TestMatch pattern=%s s=%s", c->pattern, c->s);
  }
}

static void
upstream_compile(void)
{
  static const berth_ignore_kind kinds[]
      = { BERTH_IGNORE_EXACT, BERTH_IGNORE_PREFIX, BERTH_IGNORE_SUFFIX, BERTH_IGNORE_GLOB };
  for (size_t i = 0; i < N(compile_cases); i++) {
    const struct compile_case *c = &compile_cases[i];
    cleanup_error berth_error *err = NULL;
    berth_ignore *ign = new_from(&c->pattern, 1, &err);
    berth_ignore_kind kind = BERTH_IGNORE_EXACT;
    bool ok = ign != NULL && berth_ignore_pattern(ign, 0, NULL, &kind) != NULL
              && kind == kinds[c->match_type];
    result(ok, "TestCompile pattern=%s", c->pattern);
    berth_ignore_free(ign);
  }
}

static void
upstream_single(void)
{
  for (size_t i = 0; i < N(single_cases); i++) {
    const struct single_case *c = &single_cases[i];
    int r = package_matches(c->file, c->patterns, count(c->patterns, 3));
    result(c->err ? r == -1 : r == (int)c->match, "%s", c->name);
  }
  for (size_t i = 0; i < N(clean_cases); i++) {
    const struct clean_case *c = &clean_cases[i];
    cleanup_error berth_error *err = NULL;
    berth_ignore *ign = new_from(c->patterns, count(c->patterns, 3), &err);
    bool ok;
    if (c->err)
      ok = ign == NULL;
    else
      ok = ign != NULL && (c->count < 0 || berth_ignore_count(ign) == (size_t)c->count)
           && berth_ignore_has_exceptions(ign) == c->exclusions;
    result(ok, "%s", c->name);
    berth_ignore_free(ign);
  }
}

static void
upstream_read_all(void)
{
  size_t n = 99;
  cleanup_strv char **none = berth_ignore_read(NULL, 0, ".dockerignore", &n, NULL);
  result(none != NULL && n == 0, "TestReadAll nil reader");
  cleanup_strv char **got
      = berth_ignore_read(read_all_content, strlen(read_all_content), ".dockerignore", &n, NULL);
  bool ok = got != NULL && n == N(read_all_expected);
  for (size_t i = 0; ok && i < n; i++) {
    if (strcmp(got[i], read_all_expected[i]) != 0) {
      printf("# line %zu: got \"%s\", want \"%s\"\n", i + 1, got[i], read_all_expected[i]);
      ok = false;
    }
  }
  result(ok, "TestReadAll content");
}

/* berth's own cases from here. */

static bool
excl(const char *text, const char *path)
{
  cleanup_error berth_error *err = NULL;
  berth_ignore *ign = berth_ignore_parse(text, strlen(text), ".dockerignore", &err);
  if (ign == NULL) {
    printf("# %s\n", berth_error_message(err));
    return false;
  }
  bool r = berth_ignore_excluded(ign, path);
  berth_ignore_free(ign);
  return r;
}

static const char *
parse_error(const char *text)
{
  static char msg[512];
  cleanup_error berth_error *err = NULL;
  berth_ignore *ign = berth_ignore_parse(text, strlen(text), ".dockerignore", &err);
  berth_ignore_free(ign);
  if (ign != NULL)
    return "(no error)";
  snprintf(msg, sizeof msg, "%s", berth_error_message(err));
  return msg;
}

TEST(reader_edges)
{
  size_t n;
  /* BOM, CRLF, an indented `#` is a pattern, `./` and `..` cleaned, `!` trimmed */
  const char text[] = "\xEF\xBB\xBF"
                      "a\r\n  # b\n./c/./d/\n! ./e\n/\n/../f\n#g\n \t\n\xC2\xA0h\xC2\xA0";
  cleanup_strv char **got = berth_ignore_read(text, sizeof text - 1, "x", &n, NULL);
  const char *want[] = { "a", "# b", "c/d", "!e", "/", "f", "h" };
  CHECK(got != NULL && n == N(want));
  for (size_t i = 0; got != NULL && i < n && i < N(want); i++)
    CHECK_STR(got[i], want[i]);
}

TEST(reader_limits)
{
  cleanup_free char *line = xmalloc(70000);
  memset(line, 'a', 70000);
  line[69999] = '\0';
  cleanup_error berth_error *err = NULL;
  cleanup_strv char **ok = berth_ignore_read(line, 65535, "x", NULL, &err);
  CHECK(ok != NULL && strlen(ok[0]) == 65535);
  CHECK(berth_ignore_read(line, 65536, "x", NULL, &err) == NULL);
  CHECK(err != NULL && strstr(berth_error_message(err), "x line 1: longer than") != NULL);
  berth_error_clear(&err);
  CHECK(berth_ignore_read("a\nb\0c", 5, "x", NULL, &err) == NULL);
  CHECK_STR(berth_error_message(err), "x line 2: a NUL byte");
}

TEST(error_words)
{
  CHECK_STR(parse_error("ok\n\nsub/[abc\n"),
            ".dockerignore line 3: \"sub/[abc\": syntax error in pattern");
  CHECK_STR(parse_error("x\n  !  \n"),
            ".dockerignore line 2: \"!\": illegal exclusion pattern: \"!\"");
  /* Go's regexp refuses reversed ranges when Docker first matches; berth at once */
  CHECK_STR(parse_error("[Local-Only]/"),
            ".dockerignore line 1: \"[Local-Only]\": syntax error in pattern");
  CHECK_STR(parse_error("a\\"), ".dockerignore line 1: \"a\\\\\": syntax error in pattern");
  CHECK_STR(parse_error("[\xff]"), ".dockerignore line 1: \"[\\xff]\": syntax error in pattern");
  cleanup_error berth_error *err = NULL;
  const char *bad[] = { "a", "[z-a]" };
  berth_ignore *ign = new_from(bad, 2, &err);
  CHECK(ign == NULL);
  berth_ignore_free(ign);
  CHECK_STR(berth_error_message(err), "pattern 2 \"[z-a]\": syntax error in pattern");
}

TEST(order_and_exceptions)
{
  CHECK(excl("*.md\n!README.md\n", "a.md"));
  CHECK(!excl("*.md\n!README.md\n", "README.md"));
  CHECK(excl("*.md\n!README.md\nREADME*\n", "README.md"));
  /* a parent directory excluded excludes what is under it */
  CHECK(excl("build\n", "build/x/y.o"));
  CHECK(!excl("build\n", "src/build"));
  CHECK(excl("**/build\n", "src/build/y.o"));
  /* an exception re-includes inside an excluded directory */
  CHECK(!excl("build\n!build/keep\n", "build/keep"));
  CHECK(!excl("build\n!build/keep\n", "build/keep/deeper"));
  CHECK(excl("build\n!build/keep\n", "build/other"));
  /* leading `/` and `./` cleaned */
  CHECK(excl("/a/b\n", "a/b/c"));
  CHECK(excl("./a/../b\n", "b"));
  CHECK(!excl("\n# only comments\n", "x"));
}

TEST(glob_details)
{
  CHECK(excl("a/**/b\n", "a/b"));
  CHECK(excl("a/**/b\n", "a/x/y/b"));
  CHECK(!excl("a/**/b\n", "a/xb"));
  CHECK(excl("**.go\n", "x/y.go"));
  CHECK(excl("*/*.c\n", "src/x.c"));
  CHECK(!excl("*/*.c\n", "x.c"));
  CHECK(excl("[!a]\n", "!"));
  CHECK(excl("\xE2\x98\xBA?\n", "\xE2\x98\xBA\xCE\xB1"));
  /* an invalid byte is U+FFFD on both sides, as in Go */
  CHECK(excl("a?b\n", "a\xff"
                      "b"));
  CHECK(excl("a\xfe*\n", "a\xff"
                         "c"));
  /* `^` with wildcards is the regexp's anchor in Docker: "^a*" matches "a..." */
  CHECK(excl("^a*\n", "abc"));
  CHECK(!excl("x^a*\n", "x^abc"));
  /* with no wildcard the pattern is compared as it is */
  CHECK(excl("x^a\n", "x^a"));
  /* many stars against a long miss stay linear (no backtracking) */
  cleanup_free char *path = xmalloc(4001);
  memset(path, 'a', 4000);
  path[4000] = '\0';
  CHECK(!excl("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n", path));
  CHECK(!excl("**a**a**a**a**a**a**a**a**a**a**a**a**b\n", path));
}

TEST(must_walk)
{
  cleanup_error berth_error *err = NULL;
  const char text[] = "build\nlogs\n!build/keep/me\n!*/x\n!**/y\n";
  cleanup_ignore berth_ignore *ign = berth_ignore_parse(text, strlen(text), "x", &err);
  CHECK(ign != NULL && berth_ignore_has_exceptions(ign));
  CHECK(berth_ignore_must_walk(ign, "build"));
  CHECK(berth_ignore_must_walk(ign, "build/keep"));
  CHECK(berth_ignore_must_walk(ign, "build/keep/me"));
  CHECK(!berth_ignore_must_walk(ign, "build/other"));
  CHECK(!berth_ignore_must_walk(ign, "buil"));
  /* Docker's short-cut: wildcard exceptions do not keep a directory walked */
  CHECK(!berth_ignore_must_walk(ign, "logs"));
  const char none[] = "build\n";
  cleanup_ignore berth_ignore *plain = berth_ignore_parse(none, strlen(none), "x", &err);
  CHECK(plain != NULL && !berth_ignore_has_exceptions(plain));
  CHECK(!berth_ignore_must_walk(plain, "build"));
}

static void
write_at(int dirfd, const char *name, const char *text)
{
  CHECK(berth_write_file_at(dirfd, name, text, strlen(text), 0644, NULL) == 0);
}

TEST(load)
{
  char root[] = "/tmp/berth-ignore-XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  cleanup_close int dfd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  CHECK(mkdirat(dfd, "ctx", 0755) == 0 && mkdirat(dfd, "df", 0755) == 0);
  cleanup_close int ctx = openat(dfd, "ctx", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  cleanup_close int df = openat(dfd, "df", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  cleanup_error berth_error *err = NULL;
  char *used = NULL;

  /* nothing: no patterns */
  berth_ignore *ign = berth_ignore_load(ctx, -1, NULL, &used, &err);
  CHECK(ign != NULL && berth_ignore_count(ign) == 0 && used == NULL);
  berth_ignore_free(ign);

  write_at(ctx, ".dockerignore", "from-context\n");
  ign = berth_ignore_load(ctx, df, "app.Dockerfile", &used, &err);
  CHECK(ign != NULL && berth_ignore_excluded(ign, "from-context"));
  CHECK_STR(used, ".dockerignore");
  free(used);
  berth_ignore_free(ign);

  /* NAME.dockerignore beside the Dockerfile wins */
  cleanup_free char *specific = berth_ignore_dockerfile_specific("app.Dockerfile");
  CHECK_STR(specific, "app.Dockerfile.dockerignore");
  write_at(df, "app.Dockerfile.dockerignore", "from-dockerfile\n");
  ign = berth_ignore_load(ctx, df, "app.Dockerfile", &used, &err);
  CHECK(ign != NULL && berth_ignore_excluded(ign, "from-dockerfile"));
  CHECK(ign != NULL && !berth_ignore_excluded(ign, "from-context"));
  CHECK_STR(used, "app.Dockerfile.dockerignore");
  free(used);
  berth_ignore_free(ign);

  /* the default Dockerfile has its own too, in the context */
  write_at(ctx, "Dockerfile.dockerignore", "default\n");
  ign = berth_ignore_load(ctx, -1, NULL, &used, &err);
  CHECK(ign != NULL && berth_ignore_excluded(ign, "default"));
  CHECK_STR(used, "Dockerfile.dockerignore");
  free(used);
  berth_ignore_free(ign);

  /* a bad file: the error names it; a directory is refused */
  write_at(ctx, ".dockerignore", "ok\n[\n");
  ign = berth_ignore_load(ctx, df, "other", NULL, &err);
  CHECK(ign == NULL);
  CHECK_STR(berth_error_message(err), ".dockerignore line 2: \"[\": syntax error in pattern");
  berth_error_clear(&err);
  CHECK(unlinkat(ctx, ".dockerignore", 0) == 0 && mkdirat(ctx, ".dockerignore", 0755) == 0);
  ign = berth_ignore_load(ctx, df, "other", NULL, &err);
  CHECK(ign == NULL && strstr(berth_error_message(err), "not a regular file") != NULL);
  berth_error_clear(&err);

  /* a symlink cannot lead out of the context */
  CHECK(unlinkat(ctx, ".dockerignore", AT_REMOVEDIR) == 0);
  write_at(dfd, "outside", "outside\n");
  CHECK(symlinkat("../../outside", ctx, ".dockerignore") == 0);
  ign = berth_ignore_load(ctx, df, "other", &used, &err);
  CHECK(ign != NULL && used == NULL && berth_ignore_count(ign) == 0);
  berth_ignore_free(ign);

  CHECK(berth_rm_rf_at(AT_FDCWD, root, NULL) == 0);
}

int
main(void)
{
  upstream_matches();
  upstream_match();
  upstream_compile();
  upstream_single();
  upstream_read_all();
  RUN(reader_edges);
  RUN(reader_limits);
  RUN(error_words);
  RUN(order_and_exceptions);
  RUN(glob_details);
  RUN(must_walk);
  RUN(load);
  DONE();
}
