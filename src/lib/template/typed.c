/* JSON values as the Go types of types.c: a side table saying which type
 * each value of a run stands for, the typed forms of field access, index
 * and range, and fmt's %v of typed values.
 *
 * Docker's inspect runs a template over the Go structs its client decoded
 * the JSON into, and only when that fails over the JSON itself (see
 * cmd_inspect.c).  The two differ where the struct knows more than the
 * JSON: a nil slice prints [], a struct {a b}, a struct{} {}, a time Go's
 * time.String, a field the JSON omits its zero value.  Values enter the
 * table as a field chain reaches them; printing a struct walks the type
 * and the JSON together, so its parts need no entries. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "template/internal.h"

typedef struct entry {
  json_t *v; /* a reference held by the table: no other value reuses its address */
  const go_type *t;
  bool nil;
} entry;

struct tmpl_typing {
  entry *slots;
  size_t cap; /* a power of two */
  size_t used;
};

tmpl_typing *
tmpl_typing_new(void)
{
  tmpl_typing *ty = xcalloc(1, sizeof *ty);
  ty->cap = 64;
  ty->slots = xcalloc(ty->cap, sizeof *ty->slots);
  return ty;
}

void
tmpl_typing_free(tmpl_typing *ty)
{
  if (ty == NULL)
    return;
  for (size_t i = 0; i < ty->cap; i++)
    json_decref(ty->slots[i].v);
  free(ty->slots);
  free(ty);
}

static size_t
slot_of(const tmpl_typing *ty, const json_t *v)
{
  uintptr_t h = (uintptr_t)v;
  h ^= h >> 17;
  h *= 0x9E3779B97F4A7C15u;
  size_t i = (size_t)(h >> 7) & (ty->cap - 1);
  while (ty->slots[i].v != NULL && ty->slots[i].v != v)
    i = (i + 1) & (ty->cap - 1);
  return i;
}

static void
record(tmpl_typing *ty, json_t *v, const go_type *t, bool nil)
{
  if ((ty->used + 1) * 2 > ty->cap) {
    entry *old = ty->slots;
    size_t old_cap = ty->cap;
    ty->cap *= 2;
    ty->slots = xcalloc(ty->cap, sizeof *ty->slots);
    for (size_t i = 0; i < old_cap; i++)
      if (old[i].v != NULL)
        ty->slots[slot_of(ty, old[i].v)] = old[i];
    free(old);
  }
  entry *e = &ty->slots[slot_of(ty, v)];
  if (e->v == NULL) {
    e->v = json_incref(v);
    ty->used++;
  }
  e->t = t;
  e->nil = nil;
}

const go_type *
tmpl_type_of(const tmpl_typing *ty, const json_t *v, bool *nil)
{
  if (nil != NULL)
    *nil = false;
  if (ty == NULL || v == NULL)
    return NULL;
  const entry *e = &ty->slots[slot_of(ty, v)];
  if (e->v == NULL)
    return NULL;
  if (nil != NULL)
    *nil = e->nil;
  return e->t;
}

/* Whether JSON v can hold a value of kind k (else it is taken as plain
 * JSON: berth's own JSON is trusted to fit, but not blindly). */
static bool
fits(const go_type *t, const json_t *v)
{
  switch (t->kind) {
  case GO_STRING:
  case GO_TIME:
    return json_is_string(v);
  case GO_BOOL:
    return json_is_boolean(v);
  case GO_INT:
  case GO_DURATION:
    return json_is_integer(v);
  case GO_FLOAT:
    return json_is_number(v);
  case GO_SLICE:
    return json_is_array(v);
  case GO_MAP:
  case GO_STRUCT:
  case GO_EMPTY:
    return json_is_object(v);
  case GO_PTR:
    return fits(t->elem, v);
  default:
    return false;
  }
}

/* The zero value of t as JSON, recorded where its type shows. */
static json_t *
zero(tmpl_typing *ty, const go_type *t)
{
  json_t *z;
  switch (t->kind) {
  case GO_STRING:
    return json_string("");
  case GO_BOOL:
    return json_false();
  case GO_INT:
    return json_integer(0);
  case GO_FLOAT:
    z = json_real(0);
    break;
  case GO_DURATION:
    z = json_integer(0);
    break;
  case GO_TIME:
    z = json_string("0001-01-01T00:00:00Z");
    break;
  case GO_SLICE:
    z = json_array();
    break;
  case GO_MAP:
  case GO_STRUCT:
  case GO_EMPTY:
    z = json_object();
    break;
  default: /* a nil pointer or interface */
    return json_null();
  }
  record(ty, z, t, t->kind == GO_SLICE || t->kind == GO_MAP);
  return z;
}

json_t *
tmpl_typed(tmpl_typing *ty, json_t *v, const go_type *t)
{
  if (t == NULL || t->kind == GO_IFACE)
    return v != NULL ? json_incref(v) : json_null();
  if (v == NULL || json_is_null(v))
    return zero(ty, t);
  if (!fits(t, v))
    return json_incref(v);
  /* strings, bools and ints print as themselves: no entry needed (and
   * true, false are jansson's singletons, which no entry can tell apart) */
  if (t->kind != GO_STRING && t->kind != GO_BOOL && t->kind != GO_INT)
    record(ty, v, t, false);
  return json_incref(v);
}

/* An embedded field's name: its type's, less the package and pointer. */
static const char *
field_name(const go_field *f)
{
  if (f->name != NULL)
    return f->name;
  const char *n = f->type->name;
  const char *dot = strrchr(n, '.');
  return dot != NULL ? dot + 1 : n;
}

static const go_type *
struct_of(const go_type *t)
{
  return t->kind == GO_PTR ? t->elem : t;
}

/* Go's FieldByName: the shallowest field of that name, embedded structs'
 * fields promoted (their JSON keys are the outer object's). */
static const go_field *
find_field(const go_type *t, const char *name, int depth, int *found_depth)
{
  const go_field *best = NULL;
  for (size_t i = 0; i < t->n_fields; i++) {
    const go_field *f = &t->fields[i];
    if (strcmp(field_name(f), name) == 0 && depth < *found_depth) {
      *found_depth = depth;
      return f;
    }
  }
  for (size_t i = 0; i < t->n_fields && depth + 1 < *found_depth; i++) {
    const go_field *f = &t->fields[i];
    if (f->embedded) {
      const go_field *g = find_field(struct_of(f->type), name, depth + 1, found_depth);
      if (g != NULL)
        best = g;
    }
  }
  return best;
}

int
tmpl_typed_field(tmpl_typing *ty, json_t *recv, const char *name, bool missing_key_error,
                 json_t **out, char **why)
{
  *out = NULL;
  const go_type *t = tmpl_type_of(ty, recv, NULL);
  if (t == NULL)
    return 0;
  const go_type *s = struct_of(t);
  if (s->kind == GO_STRUCT) {
    int depth = 1 << 20;
    const go_field *f = find_field(s, name, 0, &depth);
    if (f == NULL) {
      *why = xasprintf("can't evaluate field %s in type %s", name, t->name);
      return -1;
    }
    if (f->embedded) {
      /* the same JSON object as another type: a copy keeps one entry each */
      json_t *copy = json_copy(recv);
      *out = tmpl_typed(ty, copy, f->type);
      json_decref(copy);
      return 1;
    }
    *out = tmpl_typed(ty, json_object_get(recv, f->json != NULL ? f->json : f->name), f->type);
    return 1;
  }
  if (t->kind == GO_MAP && !t->named_key) {
    json_t *v = json_object_get(recv, name);
    if (v == NULL && missing_key_error) {
      *why = xasprintf("map has no entry for key \"%s\"", name);
      return -1;
    }
    *out = v != NULL ? tmpl_typed(ty, v, t->elem) : NULL;
    return 1;
  }
  *why = xasprintf("can't evaluate field %s in type %s", name, t->name);
  return -1;
}

int
tmpl_typed_index(tmpl_typing *ty, json_t *recv, const json_t *key, json_t **out, char **why)
{
  *out = NULL;
  const go_type *t = tmpl_type_of(ty, recv, NULL);
  if (t == NULL)
    return 0;
  if (t->kind == GO_MAP) {
    if (t->named_key || !json_is_string(key)) {
      *why = xasprintf("value has type %s; should be %s", tmpl_type_name(key),
                       t->named_key ? "nat.Port" : "string");
      return -1;
    }
    /* a missing key is the zero value of the map's elements */
    *out = tmpl_typed(ty, json_object_get(recv, json_string_value(key)), t->elem);
    return 1;
  }
  if (t->kind == GO_SLICE) {
    if (!json_is_integer(key)) {
      *why = xasprintf("cannot index slice/array with type %s", tmpl_type_name(key));
      return -1;
    }
    json_int_t x = json_integer_value(key);
    if (x < 0 || (size_t)x >= json_array_size(recv)) {
      *why = xasprintf("index out of range: %" JSON_INTEGER_FORMAT, x);
      return -1;
    }
    *out = tmpl_typed(ty, json_array_get(recv, (size_t)x), t->elem);
    return 1;
  }
  *why = xasprintf("can't index item of type %s", t->name);
  return -1;
}

int
tmpl_typed_range(const tmpl_typing *ty, const json_t *v, const go_type **elem)
{
  *elem = NULL;
  const go_type *t = tmpl_type_of(ty, v, NULL);
  if (t == NULL)
    return 0;
  if (t->kind != GO_SLICE && t->kind != GO_MAP)
    return -1;
  *elem = t->elem;
  return 1;
}

bool
tmpl_typed_always_true(const tmpl_typing *ty, const json_t *v)
{
  const go_type *t = tmpl_type_of(ty, v, NULL);
  return t != NULL
         && (t->kind == GO_STRUCT || t->kind == GO_EMPTY || t->kind == GO_TIME
             || t->kind == GO_PTR);
}

/* ---- fmt's %v of Go values ------------------------------------------------ */

static void
add(char **buf, size_t *len, const char *s)
{
  tmpl_buf_add(buf, len, s, strlen(s));
}

/* A fraction of 9 digits without its trailing zeros ("" for none). */
static void
add_fraction(char **buf, size_t *len, unsigned long long frac, int digits)
{
  char f[16];
  snprintf(f, sizeof f, "%0*llu", digits, frac);
  int n = digits;
  while (n > 0 && f[n - 1] == '0')
    n--;
  if (n > 0) {
    add(buf, len, ".");
    tmpl_buf_add(buf, len, f, (size_t)n);
  }
}

/* time.Duration's String: 1h2m3.5s, 1.5ms, 0s. */
static void
add_duration(char **buf, size_t *len, json_int_t d)
{
  if (d == 0) {
    add(buf, len, "0s");
    return;
  }
  unsigned long long u = d < 0 ? -(unsigned long long)d : (unsigned long long)d;
  char num[32];
  if (d < 0)
    add(buf, len, "-");
  if (u < 1000000000ULL) {
    static const char *const units[] = { "ns", "µs", "ms" };
    int k = u < 1000 ? 0 : u < 1000000 ? 1 : 2;
    unsigned long long scale = k == 0 ? 1 : k == 1 ? 1000 : 1000000;
    snprintf(num, sizeof num, "%llu", u / scale);
    add(buf, len, num);
    if (k > 0)
      add_fraction(buf, len, u % scale, k == 1 ? 3 : 6);
    add(buf, len, units[k]);
    return;
  }
  unsigned long long s = u / 1000000000ULL, h = s / 3600, m = s / 60 % 60;
  if (h > 0) {
    snprintf(num, sizeof num, "%lluh", h);
    add(buf, len, num);
  }
  if (h > 0 || m > 0) {
    snprintf(num, sizeof num, "%llum", m);
    add(buf, len, num);
  }
  snprintf(num, sizeof num, "%llu", s % 60);
  add(buf, len, num);
  add_fraction(buf, len, u % 1000000000ULL, 9);
  add(buf, len, "s");
}

/* time.Time's String of an RFC 3339 time as encoding/json writes it:
 * "2006-01-02 15:04:05.999999999 -0700 MST"; Z is UTC, another offset a
 * zone without a name, which Go prints as the offset again.  (Go would name
 * the local zone when the offset is its; the client here runs in UTC.) */
static bool
add_time(char **buf, size_t *len, const char *s)
{
  int y, mo, d, h, mi, sec, n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
    return false;
  const char *p = s + 19;
  unsigned long long frac = 0;
  int digits = 0;
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++)
      if (digits < 9)
        frac = frac * 10 + (unsigned)(*p - '0'), digits++;
    for (int i = digits; i < 9; i++)
      frac *= 10;
  }
  char zone[16];
  if (strcmp(p, "Z") == 0) {
    snprintf(zone, sizeof zone, "+0000 UTC");
  } else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':') {
    snprintf(zone, sizeof zone, "%c%.2s%.2s %c%.2s%.2s", p[0], p + 1, p + 4, p[0], p + 1, p + 4);
  } else {
    return false;
  }
  char head[48];
  snprintf(head, sizeof head, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, sec);
  add(buf, len, head);
  add_fraction(buf, len, frac, 9);
  add(buf, len, " ");
  add(buf, len, zone);
  return true;
}

static void print_typed(char **buf, size_t *len, const json_t *v, const go_type *t, int depth);

/* A stringer's pattern over the struct's fields. */
static void
print_stringer(char **buf, size_t *len, const json_t *v, const go_type *t)
{
  const go_type *s = t->elem;
  for (const char *c = t->stringer; *c != '\0'; c++) {
    size_t i = (size_t)(c[1] - '0');
    if (c[0] == '{' && c[1] != '\0' && c[2] == '}' && i < s->n_fields) {
      print_typed(buf, len, json_object_get(v, s->fields[i].name), s->fields[i].type, 1);
      c += 2;
    } else {
      tmpl_buf_add(buf, len, c, 1);
    }
  }
}

static int
compare_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* v (NULL or null: absent, the zero value) as a t; depth 0 at the top,
 * where a pointer is the template's to dereference.  Go prints a non-nil
 * pointer inside a struct, slice or map as its address (0xc000…), which
 * berth has not: it prints &{…} there instead. */
static void
print_typed(char **buf, size_t *len, const json_t *v, const go_type *t, int depth)
{
  bool absent = v == NULL || json_is_null(v);
  if (t == NULL || t->kind == GO_IFACE || (!absent && !fits(t, v))) {
    tmpl_print_plain(buf, len, v == NULL ? json_null() : v);
    return;
  }
  switch (t->kind) {
  case GO_STRING:
    if (!absent)
      tmpl_print_plain(buf, len, v);
    return;
  case GO_BOOL:
    add(buf, len, !absent && json_is_true(v) ? "true" : "false");
    return;
  case GO_INT:
    if (absent)
      add(buf, len, "0");
    else
      tmpl_print_plain(buf, len, v);
    return;
  case GO_FLOAT: {
    json_t *r = json_real(absent ? 0 : json_number_value(v));
    tmpl_print_plain(buf, len, r);
    json_decref(r);
    return;
  }
  case GO_DURATION:
    add_duration(buf, len, absent ? 0 : json_integer_value(v));
    return;
  case GO_TIME:
    if (absent || !add_time(buf, len, json_string_value(v)))
      add(buf, len, absent ? "0001-01-01 00:00:00 +0000 UTC" : json_string_value(v));
    return;
  case GO_SLICE:
    add(buf, len, "[");
    for (size_t i = 0; !absent && i < json_array_size(v); i++) {
      if (i > 0)
        add(buf, len, " ");
      print_typed(buf, len, json_array_get(v, i), t->elem, depth + 1);
    }
    add(buf, len, "]");
    return;
  case GO_MAP: {
    add(buf, len, "map[");
    size_t n = absent ? 0 : json_object_size(v), k = 0;
    const char **keys = xcalloc(n + 1, sizeof *keys);
    const char *key;
    json_t *val;
    if (!absent)
      json_object_foreach((json_t *)v, key, val) keys[k++] = key;
    qsort(keys, k, sizeof *keys, compare_keys);
    for (size_t i = 0; i < k; i++) {
      if (i > 0)
        add(buf, len, " ");
      add(buf, len, keys[i]);
      add(buf, len, ":");
      print_typed(buf, len, json_object_get(v, keys[i]), t->elem, depth + 1);
    }
    free(keys);
    add(buf, len, "]");
    return;
  }
  case GO_PTR:
    if (absent) {
      add(buf, len, "<nil>");
    } else if (t->stringer != NULL && t->elem->kind == GO_STRUCT) {
      print_stringer(buf, len, v, t);
    } else if (depth == 0) {
      print_typed(buf, len, v, t->elem, 0);
    } else {
      add(buf, len, "&");
      print_typed(buf, len, v, t->elem, depth + 1);
    }
    return;
  case GO_STRUCT:
    add(buf, len, "{");
    for (size_t i = 0; i < t->n_fields; i++) {
      const go_field *f = &t->fields[i];
      if (i > 0)
        add(buf, len, " ");
      const json_t *fv = absent        ? NULL
                         : f->embedded ? v
                                       : json_object_get(v, f->json != NULL ? f->json : f->name);
      print_typed(buf, len, fv, f->type, depth + 1);
    }
    add(buf, len, "}");
    return;
  case GO_EMPTY:
    add(buf, len, "{}");
    return;
  default:
    tmpl_print_plain(buf, len, v);
    return;
  }
}

void
tmpl_print_go(const tmpl_typing *ty, char **buf, size_t *len, const json_t *v, bool deref)
{
  bool nil;
  const go_type *t = tmpl_type_of(ty, v, &nil);
  if (t == NULL) {
    tmpl_print_plain(buf, len, v);
    return;
  }
  /* fmt prints a pointer at its top as &{…}; the template dereferences
   * first (text/template's printableValue) */
  if (t->kind == GO_PTR && !deref && t->stringer == NULL) {
    add(buf, len, "&");
    print_typed(buf, len, v, t->elem, 1);
    return;
  }
  print_typed(buf, len, nil ? NULL : v, t, 0);
}
