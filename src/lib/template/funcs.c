/* The functions a template can call: Go's builtins and Docker's
 * (docker/cli templates.basicFunctions), with Go's error words. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "template/internal.h"

#define FN(name)                                                                                   \
  static int fn_##name(tmpl_typing *ty __attribute__((unused)), json_t *const *a, size_t n,        \
                       json_t **out, berth_error **err)

static int
want_args(const char *name, size_t n, size_t want, berth_error **err)
{
  if (n == want)
    return 0;
  return berth_error_set(err, 0, "wrong number of args for %s: want %zu got %zu", name, want, n);
}

static int
want_string(const json_t *v, berth_error **err)
{
  if (json_is_string(v))
    return 0;
  return berth_error_set(err, 0, "wrong type for value; expected string; got %s",
                         tmpl_type_name(v));
}

static int
want_int(const json_t *v, berth_error **err)
{
  if (json_is_integer(v))
    return 0;
  return berth_error_set(err, 0, "wrong type for value; expected int; got %s", tmpl_type_name(v));
}

static json_t *
string_n(const char *s, size_t n)
{
  return json_stringn_nocheck(s, n);
}

FN(not )
{
  if (want_args("not", n, 1, err) < 0)
    return -1;
  *out = json_boolean(!tmpl_truth(ty, a[0]));
  return 0;
}

FN(len)
{
  if (want_args("len", n, 1, err) < 0)
    return -1;
  const json_t *v = a[0];
  if (v == NULL || json_is_null(v))
    return berth_error_set(err, 0, "len of nil pointer");
  const go_type *t = tmpl_type_of(ty, v, NULL);
  if (t != NULL && t->kind != GO_SLICE && t->kind != GO_MAP)
    return berth_error_set(err, 0, "len of type %s", t->name); /* a struct, struct{}, time */
  size_t l;
  if (json_is_string(v))
    l = json_string_length(v);
  else if (json_is_array(v))
    l = json_array_size(v);
  else if (json_is_object(v))
    l = json_object_size(v);
  else
    return berth_error_set(err, 0, "len of type %s", tmpl_type_name(v));
  *out = json_integer((json_int_t)l);
  return 0;
}

FN(index)
{
  if (n < 1)
    return berth_error_set(err, 0, "wrong number of args for index: want at least 1 got 0");
  json_t *v = a[0];
  if (v == NULL || json_is_null(v))
    return berth_error_set(err, 0, "index of untyped nil");
  json_incref(v);
  for (size_t i = 1; i < n; i++) {
    json_t *next = NULL;
    char *why = NULL;
    int typed = tmpl_typed_index(ty, v, a[i], &next, &why);
    if (typed < 0) {
      json_decref(v);
      berth_error_set(err, 0, "%s", why);
      free(why);
      return -1;
    }
    if (typed > 0) {
      json_decref(v);
      v = next;
      continue;
    }
    if (json_is_array(v) || json_is_string(v)) {
      if (!json_is_integer(a[i])) {
        json_decref(v);
        return berth_error_set(err, 0, "cannot index slice/array with type %s",
                               tmpl_type_name(a[i]));
      }
      json_int_t x = json_integer_value(a[i]);
      size_t size = json_is_array(v) ? json_array_size(v) : json_string_length(v);
      if (x < 0 || (size_t)x >= size) {
        json_decref(v);
        return berth_error_set(err, 0, "index out of range: %" JSON_INTEGER_FORMAT, x);
      }
      next = json_is_array(v) ? json_incref(json_array_get(v, (size_t)x))
                              : json_integer((unsigned char)json_string_value(v)[x]);
    } else if (json_is_object(v)) {
      if (!json_is_string(a[i])) {
        json_decref(v);
        return berth_error_set(err, 0, "value has type %s; should be string", tmpl_type_name(a[i]));
      }
      next = json_object_get(v, json_string_value(a[i]));
      next = next ? json_incref(next) : json_null(); /* the map's zero value */
    } else {
      json_decref(v);
      return berth_error_set(err, 0, "can't index item of type %s", tmpl_type_name(v));
    }
    json_decref(v);
    v = next;
  }
  *out = v;
  return 0;
}

FN(print)
{
  (void)err;
  char *s = tmpl_sprint(ty, a, n, false);
  *out = json_string_nocheck(s);
  free(s);
  return 0;
}

FN(println)
{
  (void)err;
  char *s = tmpl_sprint(ty, a, n, true);
  *out = json_string_nocheck(s);
  free(s);
  return 0;
}

FN(printf)
{
  if (n < 1)
    return berth_error_set(err, 0, "wrong number of args for printf: want at least 1 got 0");
  if (want_string(a[0], err) < 0)
    return -1;
  char *s = tmpl_sprintf(ty, json_string_value(a[0]), a + 1, n - 1);
  *out = json_string_nocheck(s);
  free(s);
  return 0;
}

/* ---- comparisons: Go's basic kinds (numbers compare as numbers) ---------- */

typedef enum kind { K_BOOL, K_NUMBER, K_STRING, K_NIL, K_OTHER } kind;

static kind
basic_kind(const tmpl_typing *ty, const json_t *v)
{
  if (v == NULL || json_is_null(v))
    return K_NIL;
  if (tmpl_typed_always_true(ty, v))
    return K_OTHER; /* a time.Time is a struct to Go */
  if (json_is_boolean(v))
    return K_BOOL;
  if (json_is_number(v))
    return K_NUMBER;
  if (json_is_string(v))
    return K_STRING;
  return K_OTHER;
}

/* -1, 0, 1; or -2 with an error. */
static int
compare(const tmpl_typing *ty, const json_t *x, const json_t *y, bool ordered, berth_error **err)
{
  kind kx = basic_kind(ty, x), ky = basic_kind(ty, y);
  if (kx == K_OTHER || ky == K_OTHER || (ordered && (kx == K_BOOL || kx == K_NIL))) {
    berth_error_set(err, 0, "invalid type for comparison");
    return -2;
  }
  if (kx != ky) {
    if (kx == K_NIL || ky == K_NIL)
      return 1; /* nil equals only nil */
    berth_error_set(err, 0, "incompatible types for comparison");
    return -2;
  }
  switch (kx) {
  case K_BOOL:
    return json_is_true(x) == json_is_true(y) ? 0 : 1;
  case K_NUMBER:
    if (json_is_integer(x) && json_is_integer(y))
      return json_integer_value(x) < json_integer_value(y)   ? -1
             : json_integer_value(x) > json_integer_value(y) ? 1
                                                             : 0;
    return json_number_value(x) < json_number_value(y)   ? -1
           : json_number_value(x) > json_number_value(y) ? 1
                                                         : 0;
  case K_STRING: {
    int c = strcmp(json_string_value(x), json_string_value(y));
    return c < 0 ? -1 : c > 0;
  }
  default:
    return 0;
  }
}

FN(eq)
{
  if (n < 2)
    return berth_error_set(err, 0, "missing argument for comparison");
  for (size_t i = 1; i < n; i++) {
    int c = compare(ty, a[0], a[i], false, err);
    if (c == -2)
      return -1;
    if (c == 0) {
      *out = json_true();
      return 0;
    }
  }
  *out = json_false();
  return 0;
}

FN(ne)
{
  if (want_args("ne", n, 2, err) < 0)
    return -1;
  int c = compare(ty, a[0], a[1], false, err);
  if (c == -2)
    return -1;
  *out = json_boolean(c != 0);
  return 0;
}

static int
ordered(const tmpl_typing *ty, const char *name, json_t *const *a, size_t n, json_t **out,
        bool (*ok)(int), berth_error **err)
{
  if (want_args(name, n, 2, err) < 0)
    return -1;
  int c = compare(ty, a[0], a[1], true, err);
  if (c == -2)
    return -1;
  *out = json_boolean(ok(c));
  return 0;
}

static bool
is_lt(int c)
{
  return c < 0;
}
static bool
is_le(int c)
{
  return c <= 0;
}
static bool
is_gt(int c)
{
  return c > 0;
}
static bool
is_ge(int c)
{
  return c >= 0;
}

FN(lt)
{
  return ordered(ty, "lt", a, n, out, is_lt, err);
}
FN(le)
{
  return ordered(ty, "le", a, n, out, is_le, err);
}
FN(gt)
{
  return ordered(ty, "gt", a, n, out, is_gt, err);
}
FN(ge)
{
  return ordered(ty, "ge", a, n, out, is_ge, err);
}

/* ---- Docker's -------------------------------------------------------------- */

FN(json)
{
  if (want_args("json", n, 1, err) < 0)
    return -1;
  bool nil;
  tmpl_type_of(ty, a[0], &nil);
  if (nil) { /* a nil slice or map marshals as null */
    *out = json_string("null");
    return 0;
  }
  char *s = tmpl_json(a[0]);
  *out = json_string_nocheck(s);
  free(s);
  return 0;
}

FN(split)
{
  if (want_args("split", n, 2, err) < 0 || want_string(a[0], err) < 0 || want_string(a[1], err) < 0)
    return -1;
  const char *s = json_string_value(a[0]), *sep = json_string_value(a[1]);
  size_t sl = json_string_length(a[0]), pl = json_string_length(a[1]);
  json_t *arr = json_array();
  if (pl == 0) { /* strings.Split(s, ""): one element per UTF-8 sequence */
    for (size_t i = 0; i < sl;) {
      size_t l = 1;
      while (i + l < sl && ((unsigned char)s[i + l] & 0xC0) == 0x80)
        l++;
      json_array_append_new(arr, string_n(s + i, l));
      i += l;
    }
  } else {
    const char *p = s;
    const char *hit;
    while ((hit = memmem(p, sl - (size_t)(p - s), sep, pl)) != NULL) {
      json_array_append_new(arr, string_n(p, (size_t)(hit - p)));
      p = hit + pl;
    }
    json_array_append_new(arr, string_n(p, sl - (size_t)(p - s)));
  }
  *out = arr;
  return 0;
}

FN(join)
{
  if (want_args("join", n, 2, err) < 0)
    return -1;
  if (!json_is_array(a[0]))
    return berth_error_set(err, 0, "wrong type for value; expected []string; got %s",
                           tmpl_type_name(a[0]));
  if (want_string(a[1], err) < 0)
    return -1;
  char *buf = NULL;
  size_t len = 0;
  tmpl_buf_add(&buf, &len, "", 0);
  for (size_t i = 0; i < json_array_size(a[0]); i++) {
    const json_t *e = json_array_get(a[0], i);
    if (!json_is_string(e)) {
      free(buf);
      return berth_error_set(err, 0, "wrong type for value; expected []string; got %s",
                             tmpl_type_name(a[0]));
    }
    if (i > 0)
      tmpl_buf_add(&buf, &len, json_string_value(a[1]), json_string_length(a[1]));
    tmpl_buf_add(&buf, &len, json_string_value(e), json_string_length(e));
  }
  *out = string_n(buf, len);
  free(buf);
  return 0;
}

/* lower, upper, title: ASCII letters change (what image and container
 * fields hold); other bytes pass. */
static int
map_case(const char *name, json_t *const *a, size_t n, json_t **out, int mode, berth_error **err)
{
  if (want_args(name, n, 1, err) < 0 || want_string(a[0], err) < 0)
    return -1;
  size_t l = json_string_length(a[0]);
  char *s = xstrndup(json_string_value(a[0]), l);
  bool word_start = true;
  for (size_t i = 0; i < l; i++) {
    unsigned char c = (unsigned char)s[i];
    if (mode == 0)
      s[i] = (char)tolower(c);
    else if (mode == 1)
      s[i] = (char)toupper(c);
    else {
      /* strings.Title: a letter after a separator (not a letter, digit,
       * '_' or a non-ASCII rune) starts a word */
      if (word_start)
        s[i] = (char)toupper(c);
      word_start = !(isalnum(c) || c == '_' || c >= 0x80);
    }
  }
  *out = string_n(s, l);
  free(s);
  return 0;
}

FN(lower)
{
  return map_case("lower", a, n, out, 0, err);
}
FN(upper)
{
  return map_case("upper", a, n, out, 1, err);
}
FN(title)
{
  return map_case("title", a, n, out, 2, err);
}

FN(truncate)
{
  if (want_args("truncate", n, 2, err) < 0 || want_string(a[0], err) < 0 || want_int(a[1], err) < 0)
    return -1;
  size_t l = json_string_length(a[0]);
  json_int_t want = json_integer_value(a[1]);
  if (want < 0 && (size_t)0 < l)
    return berth_error_set(
        err, 0, "runtime error: slice bounds out of range [:%" JSON_INTEGER_FORMAT "]", want);
  *out = (size_t)want > l ? json_incref(a[0]) : string_n(json_string_value(a[0]), (size_t)want);
  return 0;
}

FN(pad)
{
  if (want_args("pad", n, 3, err) < 0 || want_string(a[0], err) < 0 || want_int(a[1], err) < 0
      || want_int(a[2], err) < 0)
    return -1;
  json_int_t pre = json_integer_value(a[1]), post = json_integer_value(a[2]);
  if (json_string_length(a[0]) == 0) {
    *out = json_incref(a[0]);
    return 0;
  }
  if (pre < 0 || post < 0)
    return berth_error_set(err, 0, "strings: negative Repeat count");
  if (pre > 4096 || post > 4096)
    return berth_error_set(err, 0, "pad: %s", "too wide");
  char *s = xasprintf("%*s%s%*s", (int)pre, "", json_string_value(a[0]), (int)post, "");
  *out = json_string_nocheck(s);
  free(s);
  return 0;
}

/* Go defines these too; berth's --format has no use for them. */
FN(unsupported)
{
  (void)a, (void)n, (void)out;
  return berth_error_set(err, 0, "not supported by berth's templates");
}

static const struct {
  const char *name;
  tmpl_func fn;
} funcs[] = {
  { "not", fn_not },
  { "len", fn_len },
  { "index", fn_index },
  { "print", fn_print },
  { "printf", fn_printf },
  { "println", fn_println },
  { "eq", fn_eq },
  { "ne", fn_ne },
  { "lt", fn_lt },
  { "le", fn_le },
  { "gt", fn_gt },
  { "ge", fn_ge },
  { "json", fn_json },
  { "split", fn_split },
  { "join", fn_join },
  { "lower", fn_lower },
  { "upper", fn_upper },
  { "title", fn_title },
  { "pad", fn_pad },
  { "truncate", fn_truncate },
  { "html", fn_unsupported },
  { "js", fn_unsupported },
  { "urlquery", fn_unsupported },
  { "slice", fn_unsupported },
  { "call", fn_unsupported },
};

tmpl_func
tmpl_func_find(const char *name)
{
  for (size_t i = 0; i < sizeof funcs / sizeof *funcs; i++)
    if (strcmp(funcs[i].name, name) == 0)
      return funcs[i].fn;
  return NULL;
}

bool
tmpl_func_is_lazy(const char *name, bool *is_and)
{
  *is_and = strcmp(name, "and") == 0;
  return *is_and || strcmp(name, "or") == 0;
}

bool
tmpl_func_is_header_identity(const char *name)
{
  static const char *const names[]
      = { "json", "split", "join", "title", "lower", "upper", "truncate" }; /* not pad: it
                                                                             * keeps columns
                                                                             * aligned */
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(names[i], name) == 0)
      return true;
  return false;
}

bool
tmpl_func_known(const char *name)
{
  bool is_and;
  return tmpl_func_is_lazy(name, &is_and) || tmpl_func_find(name) != NULL;
}
