#include "container/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"

void
berth_seccomp_host_detect(berth_seccomp_host *h)
{
  /* The architecture the filter is for is the one our runtime's
   * processes run as: this build's, as Docker takes Go's GOARCH. */
#if defined(__x86_64__)
  h->arch = "amd64";
#elif defined(__i386__)
  h->arch = "x86";
#elif defined(__aarch64__)
  h->arch = "arm64";
#elif defined(__arm__)
  h->arch = "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  h->arch = "ppc64le";
#elif defined(__powerpc64__)
  h->arch = "ppc64";
#elif defined(__s390x__)
  h->arch = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  h->arch = "riscv64";
#else
  h->arch = "";
#endif
  struct utsname u;
  h->kernel = h->major = 0;
  if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &h->kernel, &h->major) != 2)
    h->kernel = h->major = 0;
}

/* Docker's native names to libseccomp's. */
static const char *
scmp_arch(const char *native)
{
  static const char *const map[][2] = {
    { "x86", "SCMP_ARCH_X86" },         { "amd64", "SCMP_ARCH_X86_64" },
    { "arm", "SCMP_ARCH_ARM" },         { "arm64", "SCMP_ARCH_AARCH64" },
    { "ppc64", "SCMP_ARCH_PPC64" },     { "ppc64le", "SCMP_ARCH_PPC64LE" },
    { "s390", "SCMP_ARCH_S390" },       { "s390x", "SCMP_ARCH_S390X" },
    { "riscv64", "SCMP_ARCH_RISCV64" },
  };
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if (strcmp(map[i][0], native) == 0)
      return map[i][1];
  return NULL;
}

static bool
in_list(const char *s, const char *const *names)
{
  for (; *names != NULL; names++)
    if (strcmp(s, *names) == 0)
      return true;
  return false;
}

/* runc 1.1's names (libcontainer/seccomp); SCMP_ACT_NOTIFY is left out:
 * it needs a listener socket berth does not run. */
static const char *const actions[]
    = { "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          NULL };
static const char *const operators[]
    = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };
static const char *const arches[]
    = { "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     NULL };

/* ---- shape: what moby's decoder would refuse, for every rule ---- */

/* where: "syscalls[2].args" (a trailing '.' of a prefix dropped) */
static int
bad(berth_error **err, const char *where, const char *want)
{
  size_t n = strlen(where);
  return berth_error_set(err, 0, "Decoding seccomp profile failed: %.*s: %s",
                         (int)(n > 0 && where[n - 1] == '.' ? n - 1 : n), where, want);
}

/* absent, null or a string */
static int
check_string(const json_t *o, const char *key, const char *where, berth_error **err)
{
  const json_t *v = json_object_get(o, key);
  if (v == NULL || json_is_null(v) || json_is_string(v))
    return 0;
  cleanup_free char *at = xasprintf("%s%s", where, key);
  return bad(err, at, "want a string");
}

/* absent, null or an array of strings */
static int
check_strings(const json_t *o, const char *key, const char *where, berth_error **err)
{
  const json_t *v = json_object_get(o, key);
  cleanup_free char *at = xasprintf("%s%s", where, key);
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_array(v))
    return bad(err, at, "want a list of strings");
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) if (!json_is_string(e)) return bad(err, at, "want a list of strings");
  return 0;
}

/* absent, null or an integer >= 0 (moby's uint fields) */
static int
check_uint(const json_t *o, const char *key, const char *where, berth_error **err)
{
  const json_t *v = json_object_get(o, key);
  if (v == NULL || json_is_null(v) || (json_is_integer(v) && json_integer_value(v) >= 0))
    return 0;
  cleanup_free char *at = xasprintf("%s%s", where, key);
  return bad(err, at, "want an integer of 0 or more");
}

/* "<kernel>.<major>", each 0..255 and not both 0, as moby's KernelVersion
 * reads it; "" is no version. */
static int
parse_kernel(const char *s, unsigned *k, unsigned *m, berth_error **err)
{
  unsigned v[2] = { 0, 0 };
  const char *p = s;
  for (int i = 0; i < 2; i++) {
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > 3 || (i == 0 ? p[n] != '.' : p[n] != '\0'))
      goto invalid;
    for (size_t j = 0; j < n; j++)
      v[i] = v[i] * 10 + (unsigned)(p[j] - '0');
    if (v[i] > 255)
      goto invalid;
    p += n + 1;
  }
  if (v[0] == 0 && v[1] == 0)
    goto invalid;
  *k = v[0];
  *m = v[1];
  return 0;
invalid:;
  cleanup_free char *shown = berth_bytes_escape(s);
  return berth_error_set(err, 0,
                         "Decoding seccomp profile failed: invalid kernel version: \"%s\", "
                         "expected \"<kernel>.<major>\"",
                         shown);
}

static int
check_filter(const json_t *rule, const char *key, const char *where, berth_error **err)
{
  const json_t *f = json_object_get(rule, key);
  cleanup_free char *at = xasprintf("%s%s.", where, key);
  if (f == NULL || json_is_null(f))
    return 0;
  if (!json_is_object(f))
    return bad(err, at, "want an object");
  if (check_strings(f, "caps", at, err) < 0 || check_strings(f, "arches", at, err) < 0
      || check_string(f, "minKernel", at, err) < 0)
    return -1;
  const char *mk = json_string_value(json_object_get(f, "minKernel"));
  unsigned k, m;
  return mk != NULL && mk[0] != '\0' ? parse_kernel(mk, &k, &m, err) : 0;
}

static int
check_rule(const json_t *rule, size_t i, berth_error **err)
{
  cleanup_free char *at = xasprintf("syscalls[%zu].", i);
  if (!json_is_object(rule))
    return bad(err, at, "want an object");
  if (check_string(rule, "name", at, err) < 0 || check_strings(rule, "names", at, err) < 0
      || check_string(rule, "action", at, err) < 0 || check_uint(rule, "errnoRet", at, err) < 0
      || check_filter(rule, "includes", at, err) < 0 || check_filter(rule, "excludes", at, err) < 0)
    return -1;
  const json_t *args = json_object_get(rule, "args");
  if (args == NULL || json_is_null(args))
    return 0;
  if (!json_is_array(args)) {
    cleanup_free char *aat = xasprintf("%sargs", at);
    return bad(err, aat, "want a list");
  }
  size_t j;
  json_t *a;
  json_array_foreach(args, j, a)
  {
    cleanup_free char *aat = xasprintf("%sargs[%zu].", at, j);
    if (!json_is_object(a))
      return bad(err, aat, "want an object");
    if (check_uint(a, "index", aat, err) < 0 || check_uint(a, "value", aat, err) < 0
        || check_uint(a, "valueTwo", aat, err) < 0 || check_string(a, "op", aat, err) < 0)
      return -1;
  }
  return 0;
}

static int
check_profile(const json_t *p, berth_error **err)
{
  if (!json_is_object(p))
    return bad(err, "the profile", "want an object");
  if (check_string(p, "defaultAction", "", err) < 0
      || check_strings(p, "architectures", "", err) < 0)
    return -1;
  const json_t *map = json_object_get(p, "archMap");
  if (map != NULL && !json_is_null(map)) {
    if (!json_is_array(map))
      return bad(err, "archMap", "want a list");
    size_t i;
    json_t *e;
    json_array_foreach(map, i, e)
    {
      cleanup_free char *at = xasprintf("archMap[%zu].", i);
      if (!json_is_object(e))
        return bad(err, at, "want an object");
      if (check_string(e, "architecture", at, err) < 0
          || check_strings(e, "subArchitectures", at, err) < 0)
        return -1;
    }
  }
  const json_t *calls = json_object_get(p, "syscalls");
  if (calls == NULL || json_is_null(calls))
    return 0;
  if (!json_is_array(calls))
    return bad(err, "syscalls", "want a list");
  size_t i;
  json_t *rule;
  json_array_foreach(calls, i, rule) if (check_rule(rule, i, err) < 0) return -1;
  return 0;
}

/* Trusts nothing in text: a parse error or a wrong shape is an error. */
json_t *
berth_seccomp_profile_parse(const char *text, size_t len, berth_error **err)
{
  json_error_t je;
  cleanup_json json_t *p = json_loadb(text, len, 0, &je);
  if (p == NULL) {
    berth_error_set(err, 0, "Decoding seccomp profile failed: %s (line %d, column %d)", je.text,
                    je.line, je.column);
    return NULL;
  }
  if (check_profile(p, err) < 0)
    return NULL;
  return steal_pointer(&p);
}

/* Go's error for a failed open or read of the profile: "opening seccomp
 * profile (PATH) failed: open PATH: no such file or directory" (strerror
 * in lower case, as Go's syscall errors read). */
static int
go_os_error(berth_error **err, int errnum, const char *op, const char *path)
{
  cleanup_free char *why = xstrdup(strerror(errnum));
  why[0] = (char)tolower((unsigned char)why[0]);
  return berth_error_set_as(err, errnum, "opening seccomp profile (%s) failed: %s %s: %s", path, op,
                            path, why);
}

/* The bytes of the file at path (the user's or the administrator's: any
 * file, a pipe too), at most BERTH_SECCOMP_PROFILE_MAX of them. */
static char *
read_profile(const char *path, size_t *len, berth_error **err)
{
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    go_os_error(err, errno, "open", path);
    return NULL;
  }
  cleanup_free char *buf = xmalloc(BERTH_SECCOMP_PROFILE_MAX + 1);
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, BERTH_SECCOMP_PROFILE_MAX + 1 - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      go_os_error(err, errno, "read", path);
      return NULL;
    }
    if (r == 0)
      break;
    n += (size_t)r;
    if (n > BERTH_SECCOMP_PROFILE_MAX) {
      berth_error_set(err, 0, "opening seccomp profile (%s) failed: larger than %d bytes", path,
                      BERTH_SECCOMP_PROFILE_MAX);
      return NULL;
    }
  }
  buf[n] = '\0';
  *len = n;
  return steal_pointer(&buf);
}

json_t *
berth_seccomp_profile_load(const char *path, berth_error **err)
{
  size_t len;
  cleanup_free char *text = read_profile(path, &len, err);
  json_t *p = text != NULL ? berth_seccomp_profile_parse(text, len, err) : NULL;
  if (text != NULL && p == NULL)
    berth_error_prefix(err, "seccomp profile %s", path);
  return p;
}

/* Why a fallback rather than an error when Docker's file is missing: the
 * issue takes either profile as the data of "Docker's default", berth
 * without scripts/install-deps.sh (a package, another machine) still has
 * containers-common's beside podman, and each is a filter: berth never
 * runs a container unconfined unless told to (seccomp=unconfined,
 * --privileged).  Only a file that is not there falls back: one that is
 * there but unreadable or broken is the administrator's mistake, shown. */
json_t *
berth_seccomp_default_load(const char *path, const char *fallback, const char **used,
                           berth_error **err)
{
  cleanup_error berth_error *first = NULL;
  json_t *p = berth_seccomp_profile_load(path, &first);
  if (p != NULL || fallback == NULL || berth_error_errno(first) != ENOENT) {
    if (p != NULL && used != NULL)
      *used = path;
    if (p == NULL)
      berth_error_propagate(err, &first);
    return p;
  }
  cleanup_error berth_error *second = NULL;
  p = berth_seccomp_profile_load(fallback, &second);
  if (p == NULL) {
    berth_error_propagate(err, berth_error_errno(second) == ENOENT ? &first : &second);
    return NULL;
  }
  if (used != NULL)
    *used = fallback;
  return p;
}

const char *
berth_seccomp_default_path(void)
{
  if (access(BERTH_SECCOMP_DEFAULT_PROFILE, F_OK) != 0 && errno == ENOENT
      && access(BERTH_SECCOMP_FALLBACK_PROFILE, F_OK) == 0)
    return BERTH_SECCOMP_FALLBACK_PROFILE;
  return BERTH_SECCOMP_DEFAULT_PROFILE;
}

/* JSON's insignificant whitespace out, strings kept byte for byte (what
 * Go's json.Compact does to valid JSON). */
static void
compact(char *s)
{
  char *w = s;
  bool in_str = false, esc = false;
  for (char *r = s; *r != '\0'; r++) {
    if (in_str) {
      if (esc)
        esc = false;
      else if (*r == '\\')
        esc = true;
      else if (*r == '"')
        in_str = false;
    } else if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
      continue;
    } else if (*r == '"') {
      in_str = true;
    }
    *w++ = *r;
  }
  *w = '\0';
}

char *
berth_seccomp_opt_from_file(const char *path, berth_error **err)
{
  size_t len;
  cleanup_free char *text = read_profile(path, &len, err);
  if (text == NULL)
    return NULL;
  json_error_t je;
  /* NUL bytes are refused by the parser; the rest of the text is then
   * valid UTF-8 JSON, safe to compact as a C string */
  cleanup_json json_t *syntax = json_loadb(text, len, JSON_DECODE_ANY, &je);
  if (syntax == NULL) {
    berth_error_set(err, 0,
                    "compacting json for seccomp profile (%s) failed: %s (line %d, column %d)",
                    path, je.text, je.line, je.column);
    return NULL;
  }
  compact(text);
  return xasprintf("seccomp=%s", text);
}

/* ---- conversion ---- */

static bool
strv_has(char *const *v, const char *s)
{
  for (; v != NULL && *v != NULL; v++)
    if (strcmp(*v, s) == 0)
      return true;
  return false;
}

static bool
json_has(const json_t *list, const char *s)
{
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) if (strcmp(json_string_value(e), s) == 0) return true;
  return false;
}

/* host kernel >= the filter's minKernel (which parse checked) */
static bool
kernel_at_least(const json_t *f, const berth_seccomp_host *h)
{
  unsigned k = 0, m = 0;
  parse_kernel(json_string_value(json_object_get(f, "minKernel")), &k, &m, NULL);
  return h->kernel > k || (h->kernel == k && h->major >= m);
}

static bool
has_min_kernel(const json_t *f)
{
  const char *mk = json_string_value(json_object_get(f, "minKernel"));
  return mk != NULL && mk[0] != '\0';
}

/* moby's setupSeccomp: excludes first (the arch, any cap held, a kernel at
 * least minKernel), then includes (the arch, every cap held, the kernel). */
static bool
applies(const json_t *rule, char *const *caps, const berth_seccomp_host *h)
{
  const json_t *ex = json_object_get(rule, "excludes");
  const json_t *in = json_object_get(rule, "includes");
  size_t i;
  json_t *c;
  if (json_array_size(json_object_get(ex, "arches")) > 0
      && json_has(json_object_get(ex, "arches"), h->arch))
    return false;
  json_array_foreach(json_object_get(ex, "caps"), i,
                     c) if (strv_has(caps, json_string_value(c))) return false;
  if (has_min_kernel(ex) && kernel_at_least(ex, h))
    return false;
  if (json_array_size(json_object_get(in, "arches")) > 0
      && !json_has(json_object_get(in, "arches"), h->arch))
    return false;
  json_array_foreach(json_object_get(in, "caps"), i,
                     c) if (!strv_has(caps, json_string_value(c))) return false;
  if (has_min_kernel(in) && !kernel_at_least(in, h))
    return false;
  return true;
}

static int
check_name(const char *value, const char *const *known, const char *what, const char *where,
           berth_error **err)
{
  if (value != NULL && in_list(value, known))
    return 0;
  cleanup_free char *shown = berth_bytes_escape(value ? value : "");
  return berth_error_set(err, 0,
                         "invalid seccomp profile: %sstring %s is not a valid %s for seccomp",
                         where, shown, what);
}

/* One OCI syscall rule from a profile's rule i (checked by parse). */
static json_t *
convert_rule(const json_t *rule, size_t i, berth_error **err)
{
  cleanup_free char *at = xasprintf("syscalls[%zu]: ", i);
  const json_t *name = json_object_get(rule, "name");
  const json_t *names = json_object_get(rule, "names");
  bool has_name = json_string_length(name) > 0;
  if (has_name && json_array_size(names) > 0) {
    berth_error_set(err, 0,
                    "'name' and 'names' were specified in the seccomp profile, use either 'name' "
                    "or 'names'");
    return NULL;
  }
  const char *action = json_string_value(json_object_get(rule, "action"));
  if (check_name(action, actions, "action", at, err) < 0)
    return NULL;
  json_t *nv = has_name               ? json_pack("[O]", name)
               : json_is_array(names) ? json_incref((json_t *)names)
                                      : json_array();
  cleanup_json json_t *out = json_pack("{s:o, s:s}", "names", nv, "action", action);
  const json_t *errno_ret = json_object_get(rule, "errnoRet");
  if (json_is_integer(errno_ret))
    json_object_set(out, "errnoRet", (json_t *)errno_ret);
  size_t j;
  json_t *a;
  json_t *args = json_array();
  json_object_set_new(out, "args", args);
  json_array_foreach(json_object_get(rule, "args"), j, a)
  {
    const char *op = json_string_value(json_object_get(a, "op"));
    json_int_t index = json_integer_value(json_object_get(a, "index"));
    if (check_name(op, operators, "operator", at, err) < 0)
      return NULL;
    if (index > 5) {
      berth_error_set(
          err, 0, "invalid seccomp profile: %ssyscalls only have up to 6 arguments (%lld given)",
          at, (long long)index);
      return NULL;
    }
    json_t *o = json_pack("{s:I, s:I}", "index", index, "value",
                          json_integer_value(json_object_get(a, "value")));
    json_int_t two = json_integer_value(json_object_get(a, "valueTwo"));
    if (two != 0)
      json_object_set_new(o, "valueTwo", json_integer(two));
    json_object_set_new(o, "op", json_string(op));
    json_array_append_new(args, o);
  }
  if (json_array_size(args) == 0)
    json_object_del(out, "args");
  return steal_pointer(&out);
}

/* linux.seccomp.architectures: the profile's list, or the archMap entry
 * of the host's architecture with its sub-architectures. */
static int
convert_arches(const json_t *p, const berth_seccomp_host *h, json_t *out, berth_error **err)
{
  const json_t *list = json_object_get(p, "architectures");
  const json_t *map = json_object_get(p, "archMap");
  if (json_array_size(list) > 0 && json_array_size(map) > 0)
    return berth_error_set(err, 0,
                           "'architectures' and 'archMap' were specified in the seccomp profile, "
                           "use either 'architectures' or 'archMap'");
  cleanup_json json_t *a = json_array();
  json_array_extend(a, json_is_array(list) ? (json_t *)list : NULL);
  const char *native = scmp_arch(h->arch);
  size_t i;
  json_t *e;
  json_array_foreach(native != NULL ? map : NULL, i, e)
  {
    const char *arch = json_string_value(json_object_get(e, "architecture"));
    if (arch == NULL || strcmp(arch, native) != 0)
      continue;
    json_array_append_new(a, json_string(arch));
    json_array_extend(a, json_is_array(json_object_get(e, "subArchitectures"))
                             ? json_object_get(e, "subArchitectures")
                             : NULL);
    break;
  }
  json_array_foreach(a, i, e) if (check_name(json_string_value(e), arches, "arch", "", err)
                                  < 0) return -1;
  if (json_array_size(a) > 0)
    json_object_set(out, "architectures", a);
  return 0;
}

int
berth_seccomp_convert(const json_t *profile, char *const *caps, const berth_seccomp_host *h,
                      json_t **out, berth_error **err)
{
  *out = NULL;
  const char *def = json_string_value(json_object_get(profile, "defaultAction"));
  const json_t *calls = json_object_get(profile, "syscalls");
  if ((def == NULL || def[0] == '\0') && json_array_size(calls) == 0)
    return 0; /* Docker: no default action and no rules is no filter */
  if (check_name(def, actions, "action", "defaultAction: ", err) < 0)
    return -1;
  cleanup_json json_t *sc = json_pack("{s:s}", "defaultAction", def);
  if (convert_arches(profile, h, sc, err) < 0)
    return -1;
  json_t *rules = json_array();
  json_object_set_new(sc, "syscalls", rules);
  size_t i;
  json_t *rule;
  json_array_foreach(calls, i, rule)
  {
    if (!applies(rule, caps, h))
      continue;
    json_t *r = convert_rule(rule, i, err);
    if (r == NULL)
      return -1;
    if (json_array_size(json_object_get(r, "names")) == 0)
      json_decref(r); /* no syscall named: nothing for the runtime to do */
    else
      json_array_append_new(rules, r);
  }
  if (json_array_size(rules) == 0)
    json_object_del(sc, "syscalls");
  *out = steal_pointer(&sc);
  return 0;
}
