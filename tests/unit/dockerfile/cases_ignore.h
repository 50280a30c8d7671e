/* Transcribed by hand, as data, from github.com/moby/patternmatcher
 * patternmatcher_test.go (commit 1d6a3f429bf0541b7f69372adecc787fabc0c701)
 * and ignorefile/ignorefile_test.go (commit
 * 08a7a10cdec96b1990f699a6d522b91b56adfe51).  Apache-2.0, Copyright The
 * Moby Authors.  The tables keep their upstream order and layout; where the
 * Go test branches on the OS, the Linux cases are taken.  Go error values
 * are written as whether an error is expected. */
#pragma once

#include <stdbool.h>

/* clang-format off */

enum pass { FAIL, EXACT, INEXACT };

/* TestMatches: tests (and the non-Windows additions) */
struct matches_case { const char *pattern, *text; enum pass pass; };
static const struct matches_case matches_cases[] = {
		{"**", "file", EXACT},
		{"**", "file/", EXACT},
		{"**/", "file", EXACT}, // weird one
		{"**/", "file/", EXACT},
		{"**", "/", EXACT},
		{"**/", "/", EXACT},
		{"**", "dir/file", EXACT},
		{"**/", "dir/file", EXACT},
		{"**", "dir/file/", EXACT},
		{"**/", "dir/file/", EXACT},
		{"**/**", "dir/file", EXACT},
		{"**/**", "dir/file/", EXACT},
		{"dir/**", "dir/file", EXACT},
		{"dir/**", "dir/file/", EXACT},
		{"dir/**", "dir/dir2/file", EXACT},
		{"dir/**", "dir/dir2/file/", EXACT},
		{"**/dir", "dir", EXACT},
		{"**/dir", "dir/file", INEXACT},
		{"**/dir2/*", "dir/dir2/file", EXACT},
		{"**/dir2/*", "dir/dir2/file/", INEXACT},
		{"**/dir2/**", "dir/dir2/dir3/file", EXACT},
		{"**/dir2/**", "dir/dir2/dir3/file/", EXACT},
		{"**file", "file", EXACT},
		{"**file", "dir/file", EXACT},
		{"**/file", "dir/file", EXACT},
		{"**file", "dir/dir/file", EXACT},
		{"**/file", "dir/dir/file", EXACT},
		{"**/file*", "dir/dir/file", EXACT},
		{"**/file*", "dir/dir/file.txt", EXACT},
		{"**/file*txt", "dir/dir/file.txt", EXACT},
		{"**/file*.txt", "dir/dir/file.txt", EXACT},
		{"**/file*.txt*", "dir/dir/file.txt", EXACT},
		{"**/**/*.txt", "dir/dir/file.txt", EXACT},
		{"**/**/*.txt2", "dir/dir/file.txt", FAIL},
		{"**/*.txt", "file.txt", EXACT},
		{"**/**/*.txt", "file.txt", EXACT},
		{"a**/*.txt", "a/file.txt", EXACT},
		{"a**/*.txt", "a/dir/file.txt", EXACT},
		{"a**/*.txt", "a/dir/dir/file.txt", EXACT},
		{"a/*.txt", "a/dir/file.txt", FAIL},
		{"a/*.txt", "a/file.txt", EXACT},
		{"a/*.txt**", "a/file.txt", EXACT},
		{"a[b-d]e", "ae", FAIL},
		{"a[b-d]e", "ace", EXACT},
		{"a[b-d]e", "aae", FAIL},
		{"a[^b-d]e", "aze", EXACT},
		{".*", ".foo", EXACT},
		{".*", "foo", FAIL},
		{"abc.def", "abcdef", FAIL},
		{"abc.def", "abc.def", EXACT},
		{"abc.def", "abcZdef", FAIL},
		{"abc?def", "abcZdef", EXACT},
		{"abc?def", "abcdef", FAIL},
		{"**/foo/bar", "foo/bar", EXACT},
		{"**/foo/bar", "dir/foo/bar", EXACT},
		{"**/foo/bar", "dir/dir2/foo/bar", EXACT},
		{"abc/**", "abc", FAIL},
		{"abc/**", "abc/def", EXACT},
		{"abc/**", "abc/def/ghi", EXACT},
		{"**/.foo", ".foo", EXACT},
		{"**/.foo", "bar.foo", FAIL},
		{"a(b)c/def", "a(b)c/def", EXACT},
		{"a(b)c/def", "a(b)c/xyz", FAIL},
		{"a.|)$(}+{bc", "a.|)$(}+{bc", EXACT},
		{"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT},
		{"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT},
	// runtime.GOOS != "windows"
			{"a\\\\", "a\\", EXACT},
			{"a\\*b", "a*b", EXACT},
};

/* TestMatches: multiPatternTests */
struct multi_case { const char *patterns[4]; const char *text; enum pass pass; };
static const struct multi_case multi_cases[] = {
		{{"**", "!util/docker/web"}, "util/docker/web/foo", FAIL},
		{{"**", "!util/docker/web", "util/docker/web/foo"}, "util/docker/web/foo", EXACT},
		{{"**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"}, "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", FAIL},
		{{"**", "!dist/*.whl"}, "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", FAIL},
};

/* matchTests ("stolen from go's filepath Match tests"), run by TestMatch
 * through the package-level Matches */
struct match_case { const char *pattern, *s; bool match; bool err; };
static const struct match_case match_cases[] = {
	{"abc", "abc", true, false},
	{"*", "abc", true, false},
	{"*c", "abc", true, false},
	{"a*", "a", true, false},
	{"a*", "abc", true, false},
	{"a*", "ab/c", true, false},
	{"a*/b", "abc/b", true, false},
	{"a*/b", "a/c/b", false, false},
	{"a*b*c*d*e*/f", "axbxcxdxe/f", true, false},
	{"a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false},
	{"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false},
	{"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false},
	{"a*b?c*x", "abxbbxdbxebxczzx", true, false},
	{"a*b?c*x", "abxbbxdbxebxczzy", false, false},
	{"ab[c]", "abc", true, false},
	{"ab[b-d]", "abc", true, false},
	{"ab[e-g]", "abc", false, false},
	{"ab[^c]", "abc", false, false},
	{"ab[^b-d]", "abc", false, false},
	{"ab[^e-g]", "abc", true, false},
	{"a\\*b", "a*b", true, false},
	{"a\\*b", "ab", false, false},
	{"a?b", "a☺b", true, false},
	{"a[^a]b", "a☺b", true, false},
	{"a???b", "a☺b", false, false},
	{"a[^a][^a][^a]b", "a☺b", false, false},
	{"[a-ζ]*", "α", true, false},
	{"*[a-ζ]", "A", false, false},
	{"a?b", "a/b", false, false},
	{"a*b", "a/b", false, false},
	{"[\\]a]", "]", true, false},
	{"[\\-]", "-", true, false},
	{"[x\\-]", "x", true, false},
	{"[x\\-]", "-", true, false},
	{"[x\\-]", "z", false, false},
	{"[\\-x]", "x", true, false},
	{"[\\-x]", "-", true, false},
	{"[\\-x]", "a", false, false},
	{"[]a]", "]", false, true},
	{"[-]", "-", false, true},
	{"[x-]", "x", false, true},
	{"[x-]", "-", false, true},
	{"[x-]", "z", false, true},
	{"[-x]", "x", false, true},
	{"[-x]", "-", false, true},
	{"[-x]", "a", false, true},
	{"\\", "a", false, true},
	{"[a-b-c]", "a", false, true},
	{"[", "a", false, true},
	{"[^", "a", false, true},
	{"[^bc", "a", false, true},
	{"a[", "a", false, true}, // was nil but IMO its wrong
	{"a[", "ab", false, true},
	{"*x", "xxx", true, false},
};

/* compileTests: the match type compile assigns (its regexp column is
 * Docker's internal form and is not transcribed) */
enum match_type { EXACT_MATCH, PREFIX_MATCH, SUFFIX_MATCH, REGEXP_MATCH };
struct compile_case { const char *pattern; enum match_type match_type; };
static const struct compile_case compile_cases[] = {
	{"*", REGEXP_MATCH},
	{"file*", REGEXP_MATCH},
	{"*file", REGEXP_MATCH},
	{"a*/b", REGEXP_MATCH},
	{"**", SUFFIX_MATCH},
	{"**/**", REGEXP_MATCH},
	{"dir/**", PREFIX_MATCH},
	{"**/dir", SUFFIX_MATCH},
	{"**/dir2/*", REGEXP_MATCH},
	{"**/dir2/**", REGEXP_MATCH},
	{"**file", SUFFIX_MATCH},
	{"**/file*txt", REGEXP_MATCH},
	{"**/**/*.txt", REGEXP_MATCH},
	{"a[b-d]e", REGEXP_MATCH},
	{".*", REGEXP_MATCH},
	{"abc.def", EXACT_MATCH},
	{"abc?def", REGEXP_MATCH},
	{"**/foo/bar", SUFFIX_MATCH},
	{"a(b)c/def", EXACT_MATCH},
	{"a.|)$(}+{bc", EXACT_MATCH},
	{"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT_MATCH},
};

/* The single tests before TestMatches, all through the package-level
 * Matches: patterns, file, the match expected, whether an error is. */
struct single_case { const char *name; const char *patterns[3]; const char *file; bool match; bool err; };
static const struct single_case single_cases[] = {
	{"TestWildcardMatches", {"*"}, "fileutils.go", true, false},
	{"TestPatternMatches", {"*.go"}, "fileutils.go", true, false},
	{"TestExclusionPatternMatchesPatternBefore", {"!fileutils.go", "*.go"}, "fileutils.go", true, false},
	{"TestPatternMatchesFolderExclusions", {"docs", "!docs/README.md"}, "docs/README.md", false, false},
	{"TestPatternMatchesFolderWithSlashExclusions", {"docs/", "!docs/README.md"}, "docs/README.md", false, false},
	{"TestPatternMatchesFolderWildcardExclusions", {"docs/*", "!docs/README.md"}, "docs/README.md", false, false},
	{"TestExclusionPatternMatchesPatternAfter", {"*.go", "!fileutils.go"}, "fileutils.go", false, false},
	{"TestExclusionPatternMatchesWholeDirectory", {"*.go"}, ".", false, false},
	{"TestSingleExclamationError", {"!"}, "fileutils.go", false, true},
	{"TestMatchesWithNoPatterns", {NULL}, "/any/path/there", false, false},
	{"TestMatchesWithMalformedPatterns", {"["}, "/any/path/there", false, true},
};

/* TestClean*: patterns, how many New keeps, Exclusions(), an error */
struct clean_case { const char *name; const char *patterns[3]; int count; bool exclusions; bool err; };
static const struct clean_case clean_cases[] = {
	{"TestCleanPatterns", {"docs", "config"}, 2, false, false},
	{"TestCleanPatternsStripEmptyPatterns", {"docs", "config", ""}, 2, false, false},
	{"TestCleanPatternsExceptionFlag", {"docs", "!docs/README.md"}, -1, true, false},
	{"TestCleanPatternsLeadingSpaceTrimmed", {"docs", "  !docs/README.md"}, -1, true, false},
	{"TestCleanPatternsTrailingSpaceTrimmed", {"docs", "!docs/README.md  "}, -1, true, false},
	{"TestCleanPatternsErrorSingleException", {"!"}, -1, false, true},
};

/* ignorefile TestReadAll */
static const char read_all_content[] = "test1\n"
"/test2\n"
"/a/file/here\n"
"\n"
"lastfile\n"
"# this is a comment\n"
"! /inverted/abs/path\n"
"!\n"
"! ";

static const char *const read_all_expected[] = {
		"test1",
		"test2",       // according to https://docs.docker.com/engine/reference/builder/#dockerignore-file, /foo/bar should be treated as foo/bar
		"a/file/here", // according to https://docs.docker.com/engine/reference/builder/#dockerignore-file, /foo/bar should be treated as foo/bar
		"lastfile",
		"!inverted/abs/path",
		"!",
		"!",
};

/* clang-format on */
