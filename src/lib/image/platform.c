#include "image/platform.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#if defined(__x86_64__)
#define HOST_ARCH "amd64"
#define HOST_VARIANT NULL
#elif defined(__i386__)
#define HOST_ARCH "386"
#define HOST_VARIANT NULL
#elif defined(__aarch64__)
#define HOST_ARCH "arm64"
#define HOST_VARIANT NULL /* v8, which normalizes to none */
#elif defined(__arm__)
#define HOST_ARCH "arm"
#if defined(__ARM_ARCH) && __ARM_ARCH == 5
#define HOST_VARIANT "v5"
#elif defined(__ARM_ARCH) && __ARM_ARCH == 6
#define HOST_VARIANT "v6"
#else
#define HOST_VARIANT "v7"
#endif
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ARCH "ppc64le"
#define HOST_VARIANT NULL
#elif defined(__powerpc64__)
#define HOST_ARCH "ppc64"
#define HOST_VARIANT NULL
#elif defined(__s390x__)
#define HOST_ARCH "s390x"
#define HOST_VARIANT NULL
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_ARCH "riscv64"
#define HOST_VARIANT NULL
#elif defined(__loongarch64)
#define HOST_ARCH "loong64"
#define HOST_VARIANT NULL
#elif defined(__mips64) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_ARCH "mips64le"
#define HOST_VARIANT NULL
#elif defined(__mips64)
#define HOST_ARCH "mips64"
#define HOST_VARIANT NULL
#else
#error "berth: unknown host architecture; add it to platform.c"
#endif
#define HOST_OS "linux"

static const char *const known_os[] = {
  "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios",     "js",
  "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "wasip1",  "windows", "zos",
};

static const char *const known_arch[] = {
  "386",     "amd64",  "amd64p32", "arm",      "armbe",     "arm64",       "arm64be", "loong64",
  "mips",    "mipsle", "mips64",   "mips64le", "mips64p32", "mips64p32le", "ppc",     "ppc64",
  "ppc64le", "riscv",  "riscv64",  "s390",     "s390x",     "sparc",       "sparc64", "wasm",
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, list[i]) == 0)
      return true;
  return false;
}

char *
berth_platform_host(void)
{
  return berth_platform_format(HOST_OS, HOST_ARCH, HOST_VARIANT);
}

char *
berth_platform_format(const char *os, const char *arch, const char *variant)
{
  if (variant != NULL && *variant != '\0')
    return xasprintf("%s/%s/%s", os, arch, variant);
  return xasprintf("%s/%s", os, arch);
}

static char *
lower_dup(const char *s)
{
  char *r = xstrdup(s != NULL ? s : "");
  for (char *p = r; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return r;
}

static bool
is_one_of(const char *s, const char *a, const char *b, const char *c)
{
  return strcmp(s, a) == 0 || strcmp(s, b) == 0 || (c != NULL && strcmp(s, c) == 0);
}

/* Maps arch/variant aliases to the names OCI uses (containerd's table).  Both
 * are lower case; each may be replaced. */
static void
normalize_arch(char **arch, char **variant)
{
  const char *new_arch = NULL, *new_variant = *variant;
  if (strcmp(*arch, "i386") == 0) {
    new_arch = "386";
    new_variant = "";
  } else if (is_one_of(*arch, "x86_64", "x86-64", "amd64")) {
    new_arch = "amd64";
    if (strcmp(*variant, "v1") == 0)
      new_variant = "";
  } else if (is_one_of(*arch, "aarch64", "arm64", NULL)) {
    new_arch = "arm64";
    if (is_one_of(*variant, "8", "v8", "v8.0"))
      new_variant = "";
    else if (is_one_of(*variant, "9", "9.0", "v9.0"))
      new_variant = "v9";
  } else if (strcmp(*arch, "armhf") == 0) {
    new_arch = "arm";
    new_variant = "v7";
  } else if (strcmp(*arch, "armel") == 0) {
    new_arch = "arm";
    new_variant = "v6";
  } else if (strcmp(*arch, "arm") == 0) {
    if (is_one_of(*variant, "", "7", NULL))
      new_variant = "v7";
    else if (is_one_of(*variant, "5", "6", "8"))
      new_variant = NULL; /* prefixed below */
  }
  if (new_arch != NULL && strcmp(new_arch, *arch) != 0) {
    free(*arch);
    *arch = xstrdup(new_arch);
  }
  if (new_variant == NULL) {
    char *v = xasprintf("v%s", *variant);
    free(*variant);
    *variant = v;
  } else if (new_variant != *variant) {
    char *v = xstrdup(new_variant);
    free(*variant);
    *variant = v;
  }
}

void
berth_platform_normalize(const char *os, const char *arch, const char *variant, char **nos,
                         char **narch, char **nvariant)
{
  char *o = lower_dup(os), *a = lower_dup(arch), *v = lower_dup(variant);
  if (strcmp(o, "macos") == 0) {
    free(o);
    o = xstrdup("darwin");
  }
  normalize_arch(&a, &v);
  if (*v == '\0') {
    free(v);
    v = NULL;
  }
  *nos = o;
  *narch = a;
  *nvariant = v;
}

static bool
valid_component(const char *s, size_t len)
{
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
      return false;
  return true;
}

/* One word: an OS (with the host's architecture) or an architecture (with
 * the host's OS). */
static int
parse_single(const char *s, char **os, char **arch, char **variant, berth_error **err)
{
  cleanup_free char *word = lower_dup(s);
  if (strcmp(word, "macos") == 0 || in_list(word, known_os, sizeof(known_os) / sizeof(*known_os))) {
    berth_platform_normalize(word, HOST_ARCH, HOST_VARIANT, os, arch, variant);
    return 0;
  }
  char *o, *a, *v;
  berth_platform_normalize(HOST_OS, word, NULL, &o, &a, &v);
  if (!in_list(a, known_arch, sizeof(known_arch) / sizeof(*known_arch))) {
    free(o);
    free(a);
    free(v);
    return berth_error_set(err, 0,
                           "invalid platform \"%.100s\": unknown operating system or "
                           "architecture",
                           s);
  }
  *os = o;
  *arch = a;
  *variant = v;
  return 0;
}

/* s is untrusted (a command-line value): components are checked against
 * [A-Za-z0-9_-]+ before use (as containerd). */
int
berth_platform_parse(const char *s, char **os, char **arch, char **variant, berth_error **err)
{
  const char *parts[3];
  size_t lens[3], n = 0;
  const char *p = s;
  if (s == NULL)
    return berth_error_set(err, 0, "invalid platform: empty");
  for (;;) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 3 || !valid_component(p, len))
      return berth_error_set(err, 0, "invalid platform \"%.100s\": want os[/arch[/variant]]", s);
    parts[n] = p;
    lens[n++] = len;
    if (slash == NULL)
      break;
    p = slash + 1;
  }
  if (n == 1)
    return parse_single(s, os, arch, variant, err);
  cleanup_free char *o = xstrndup(parts[0], lens[0]);
  cleanup_free char *a = xstrndup(parts[1], lens[1]);
  cleanup_free char *v = n == 3 ? xstrndup(parts[2], lens[2]) : NULL;
  berth_platform_normalize(o, a, v, os, arch, variant);
  return 0;
}

/* "vN" or "N" with 1 to 6 digits → N; otherwise -1. */
static int
variant_number(const char *v)
{
  if (v == NULL)
    return -1;
  if (*v == 'v')
    v++;
  size_t len = strlen(v);
  if (len == 0 || len > 6 || strspn(v, "0123456789") != len)
    return -1;
  return atoi(v);
}

/* True when variant is exactly "v<n>" (or none, for n == 1 on amd64 where
 * v1 is normalized away). */
static bool
variant_is(const char *variant, int n, bool none_is_1)
{
  if (variant == NULL)
    return none_is_1 && n == 1;
  char buf[16];
  snprintf(buf, sizeof(buf), "v%d", n);
  return strcmp(variant, buf) == 0;
}

/* Rank of (arch, variant) among the arm platforms an arm/v<want_n> machine
 * runs: v<want_n> first, then each older one down to v5. */
static int
arm_rank(int want_n, const char *arch, const char *variant)
{
  if (strcmp(arch, "arm") != 0)
    return -1;
  for (int m = want_n; m >= 5; m--)
    if (variant_is(variant, m, false))
      return want_n - m;
  return -1;
}

/* Rank among compatible older platforms (the exact match was tried first). */
static int
compat_rank(const char *want_arch, const char *want_variant, const char *arch, const char *variant)
{
  if (strcmp(want_arch, "amd64") == 0) {
    int n = want_variant == NULL ? 1 : variant_number(want_variant);
    if (n < 1)
      return strcmp(arch, "386") == 0 && variant == NULL ? 1 : -1;
    if (strcmp(arch, "386") == 0)
      return variant == NULL ? n : -1;
    if (strcmp(arch, "amd64") != 0)
      return -1;
    for (int m = n - 1; m >= 1; m--)
      if (variant_is(variant, m, true))
        return n - m;
    return -1;
  }
  if (strcmp(want_arch, "arm") == 0) {
    int n = variant_number(want_variant);
    int r = n > 5 ? arm_rank(n - 1, arch, variant) : -1;
    return r < 0 ? -1 : r + 1;
  }
  if (strcmp(want_arch, "arm64") == 0) {
    int n = want_variant == NULL ? 8 : variant_number(want_variant);
    int r = n >= 5 ? arm_rank(n, arch, variant) : -1;
    return r < 0 ? -1 : r + 1;
  }
  return -1;
}

static bool
streq_null(const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* os/arch/variant come from an untrusted index entry: they are only
 * normalized into copies and compared. */
int
berth_platform_match_rank(const char *want_os, const char *want_arch, const char *want_variant,
                          const char *os, const char *arch, const char *variant)
{
  cleanup_free char *o = NULL, *a = NULL, *v = NULL;
  if (os == NULL || arch == NULL)
    return -1;
  berth_platform_normalize(os, arch, variant, &o, &a, &v);
  if (strcmp(o, want_os) != 0)
    return -1;
  if (strcmp(a, want_arch) == 0 && streq_null(v, want_variant))
    return 0;
  return compat_rank(want_arch, want_variant, a, v);
}
