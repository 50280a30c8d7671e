/* Values as Go's fmt and encoding/json write them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "template/internal.h"

bool
tmpl_truth(const tmpl_typing *ty, const json_t *v)
{
  if (v == NULL)
    return false;
  if (tmpl_typed_always_true(ty, v))
    return true; /* Go: a struct is always true, a non-nil pointer too */
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return json_object_size(v) > 0;
  case JSON_ARRAY:
    return json_array_size(v) > 0;
  case JSON_STRING:
    return json_string_length(v) > 0;
  case JSON_INTEGER:
    return json_integer_value(v) != 0;
  case JSON_REAL:
    return json_real_value(v) != 0;
  case JSON_TRUE:
    return true;
  default:
    return false;
  }
}

const char *
tmpl_type_name(const json_t *v)
{
  if (v == NULL || json_is_null(v))
    return "<nil>";
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "map[string]interface {}";
  case JSON_ARRAY:
    return "[]interface {}";
  case JSON_STRING:
    return "string";
  case JSON_INTEGER:
    return "int";
  case JSON_REAL:
    return "float64";
  default:
    return "bool";
  }
}

static void
add(char **buf, size_t *len, const char *s)
{
  tmpl_buf_add(buf, len, s, strlen(s));
}

/* The shortest digits that read back as d (strconv's shortest), as
 * mantissa digits and a decimal point position. */
static void
shortest(double d, char digits[32], int *dp)
{
  char tmp[64];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    if (strtod(tmp, NULL) == d)
      break;
  }
  /* tmp: d[.ddd]e±XX */
  size_t k = 0;
  const char *c = tmp;
  for (; *c != 'e'; c++)
    if (*c >= '0' && *c <= '9')
      digits[k++] = *c;
  digits[k] = '\0';
  while (k > 1 && digits[k - 1] == '0')
    digits[--k] = '\0';
  *dp = atoi(c + 1) + 1;
}

/* Go's strconv.FormatFloat(d, 'g' or 'f'/'e' by the exponent, -1): %v
 * switches to an exponent at 1e-4 and 1e6 shortest-digit numbers
 * (exp_lo, exp_hi: strconv's shortest %g), encoding/json at 1e-6 and 1e21. */
static void
add_float(char **buf, size_t *len, double d, int exp_lo, int exp_hi, bool json)
{
  if (isinf(d) || isnan(d)) {
    add(buf, len, isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (d == 0) {
    add(buf, len, signbit(d) ? "-0" : "0");
    return;
  }
  char digits[32];
  int dp;
  shortest(fabs(d), digits, &dp);
  if (d < 0)
    add(buf, len, "-");
  int exp = dp - 1;
  size_t nd = strlen(digits);
  char out[64];
  if (exp < exp_lo || exp >= exp_hi) {
    int n = snprintf(out, sizeof out, "%c", digits[0]);
    if (nd > 1)
      n += snprintf(out + n, sizeof out - (size_t)n, ".%s", digits + 1);
    if (json)
      snprintf(out + n, sizeof out - (size_t)n, "e%c%d", exp < 0 ? '-' : '+', abs(exp));
    else
      snprintf(out + n, sizeof out - (size_t)n, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
  } else if (dp <= 0) {
    int n = snprintf(out, sizeof out, "0.");
    for (int i = 0; i < -dp; i++)
      out[n++] = '0';
    snprintf(out + n, sizeof out - (size_t)n, "%s", digits);
  } else if ((size_t)dp >= nd) {
    int n = snprintf(out, sizeof out, "%s", digits);
    for (int i = (int)nd; i < dp; i++)
      out[n++] = '0';
    out[n] = '\0';
  } else {
    snprintf(out, sizeof out, "%.*s.%s", dp, digits, digits + dp);
  }
  add(buf, len, out);
}

static int
compare_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object's keys, sorted as Go prints a map. */
static const char **
sorted_keys(const json_t *o, size_t *n)
{
  *n = json_object_size(o);
  const char **keys = xcalloc(*n + 1, sizeof *keys);
  size_t k = 0;
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)o, key, val) keys[k++] = key;
  qsort(keys, k, sizeof *keys, compare_keys);
  return keys;
}

static void
print_inner(char **buf, size_t *len, const json_t *v)
{
  if (v == NULL || json_is_null(v)) {
    add(buf, len, "<nil>");
    return;
  }
  char num[32];
  switch (json_typeof(v)) {
  case JSON_STRING:
    tmpl_buf_add(buf, len, json_string_value(v), json_string_length(v));
    return;
  case JSON_INTEGER:
    snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    add(buf, len, num);
    return;
  case JSON_REAL:
    add_float(buf, len, json_real_value(v), -4, 6, false);
    return;
  case JSON_TRUE:
  case JSON_FALSE:
    add(buf, len, json_is_true(v) ? "true" : "false");
    return;
  case JSON_ARRAY:
    add(buf, len, "[");
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i > 0)
        add(buf, len, " ");
      print_inner(buf, len, json_array_get(v, i));
    }
    add(buf, len, "]");
    return;
  case JSON_OBJECT: {
    size_t n;
    const char **keys = sorted_keys(v, &n);
    add(buf, len, "map[");
    for (size_t i = 0; i < n; i++) {
      if (i > 0)
        add(buf, len, " ");
      add(buf, len, keys[i]);
      add(buf, len, ":");
      print_inner(buf, len, json_object_get(v, keys[i]));
    }
    add(buf, len, "]");
    free(keys);
    return;
  }
  default:
    return;
  }
}

void
tmpl_print_plain(char **buf, size_t *len, const json_t *v)
{
  print_inner(buf, len, v);
}

void
tmpl_print_value(const tmpl_typing *ty, char **buf, size_t *len, const json_t *v)
{
  if (v == NULL)
    add(buf, len, "<no value>");
  else
    tmpl_print_go(ty, buf, len, v, true);
}

/* An argument of print or printf: fmt's own %v, no pointer dereferenced. */
static void
print_arg(const tmpl_typing *ty, char **buf, size_t *len, const json_t *v)
{
  tmpl_print_go(ty, buf, len, v, false);
}

/* Whether Go's value is a string (a time.Time's JSON string is a struct). */
static bool
is_string(const tmpl_typing *ty, const json_t *v)
{
  const go_type *t = tmpl_type_of(ty, v, NULL);
  return json_is_string(v) && (t == NULL || t->kind == GO_STRING);
}

char *
tmpl_sprint(const tmpl_typing *ty, json_t *const *args, size_t n, bool ln)
{
  char *buf = NULL;
  size_t len = 0;
  add(&buf, &len, "");
  for (size_t i = 0; i < n; i++) {
    bool str = is_string(ty, args[i]);
    if (i > 0 && (ln || (!str && !is_string(ty, args[i - 1]))))
      add(&buf, &len, " ");
    print_arg(ty, &buf, &len, args[i]);
  }
  if (ln)
    add(&buf, &len, "\n");
  return buf;
}

/* ---- encoding/json -------------------------------------------------------- */

/* Go's encodeState.string with HTML escaping off: \" \\ \n \r \t, other
 * control bytes \u00XX, U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD. */
static void
json_string_go(char **buf, size_t *len, const char *s, size_t n, bool html)
{
  add(buf, len, "\"");
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        snprintf(esc, sizeof esc, "\\%c", c);
        add(buf, len, esc);
      } else if (c == '\n' || c == '\r' || c == '\t') {
        add(buf, len, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
      } else if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
        snprintf(esc, sizeof esc, "\\u%04x", c);
        add(buf, len, esc);
      } else {
        tmpl_buf_add(buf, len, (const char *)&c, 1);
      }
      i++;
      continue;
    }
    size_t l = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    bool ok = l > 0 && i + l <= n;
    for (size_t k = 1; ok && k < l; k++)
      ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
    if (!ok) {
      add(buf, len, "\\ufffd");
      i++;
      continue;
    }
    if (l == 3 && c == 0xE2 && (unsigned char)s[i + 1] == 0x80
        && ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
      add(buf, len, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
    } else {
      tmpl_buf_add(buf, len, s + i, l);
    }
    i += l;
  }
  add(buf, len, "\"");
}

static void
json_go(char **buf, size_t *len, const json_t *v, bool marshal)
{
  char num[32];
  switch (v == NULL ? JSON_NULL : json_typeof(v)) {
  case JSON_OBJECT: {
    /* in the order stored: the order Docker's structs write their fields;
     * a marshalled row is a Go map: sorted */
    add(buf, len, "{");
    size_t n = json_object_size(v);
    const char **keys = marshal ? sorted_keys(v, &n) : NULL;
    void *it = json_object_iter((json_t *)v);
    for (size_t i = 0; i < n; i++) {
      const char *key = marshal ? keys[i] : json_object_iter_key(it);
      json_t *val = marshal ? json_object_get(v, key) : json_object_iter_value(it);
      if (i > 0)
        add(buf, len, ",");
      json_string_go(buf, len, key, strlen(key), marshal);
      add(buf, len, ":");
      json_go(buf, len, val, marshal);
      if (!marshal)
        it = json_object_iter_next((json_t *)v, it);
    }
    free(keys);
    add(buf, len, "}");
    return;
  }
  case JSON_ARRAY:
    add(buf, len, "[");
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i > 0)
        add(buf, len, ",");
      json_go(buf, len, json_array_get(v, i), marshal);
    }
    add(buf, len, "]");
    return;
  case JSON_STRING:
    json_string_go(buf, len, json_string_value(v), json_string_length(v), marshal);
    return;
  case JSON_INTEGER:
    snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    add(buf, len, num);
    return;
  case JSON_REAL:
    add_float(buf, len, json_real_value(v), -6, 21, true);
    return;
  case JSON_TRUE:
    add(buf, len, "true");
    return;
  case JSON_FALSE:
    add(buf, len, "false");
    return;
  default:
    add(buf, len, "null");
    return;
  }
}

static char *
json_text(const json_t *v, bool marshal)
{
  char *buf = NULL;
  size_t len = 0;
  add(&buf, &len, "");
  json_go(&buf, &len, v, marshal);
  return buf;
}

char *
tmpl_json(const json_t *v)
{
  return json_text(v, false);
}

char *
tmpl_json_marshal(const json_t *v)
{
  return json_text(v, true);
}

/* ---- fmt.Sprintf ------------------------------------------------------------ */

typedef struct spec {
  bool minus, plus, sharp, space, zero;
  int width, prec; /* -1: none */
  char verb;
} spec;

/* Pads s to the width in characters (Go counts runes). */
static void
add_padded(char **buf, size_t *len, const spec *sp, const char *s)
{
  int chars = 0;
  for (const char *c = s; *c; c++)
    chars += ((unsigned char)*c & 0xC0) != 0x80;
  size_t pad = sp->width > chars ? (size_t)(sp->width - chars) : 0;
  char *fill = xmalloc(pad + 1);
  memset(fill, sp->zero && !sp->minus && strchr("dxXobeEfFgG", sp->verb) ? '0' : ' ', pad);
  fill[pad] = '\0';
  if (!sp->minus)
    tmpl_buf_add(buf, len, fill, pad);
  add(buf, len, s);
  if (sp->minus)
    tmpl_buf_add(buf, len, fill, pad);
  free(fill);
}

/* strconv.Quote: printable UTF-8 kept, the rest escaped. */
static void
quote_go(char **buf, size_t *len, const char *s, size_t n)
{
  add(buf, len, "\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      snprintf(esc, sizeof esc, "\\%c", c);
      add(buf, len, esc);
    } else if (c == '\n' || c == '\t' || c == '\r' || c == '\a' || c == '\b' || c == '\f'
               || c == '\v') {
      static const char from[] = "\n\t\r\a\b\f\v", to[] = "ntrabfv";
      snprintf(esc, sizeof esc, "\\%c", to[strchr(from, c) - from]);
      add(buf, len, esc);
    } else if (c < 0x20 || c == 0x7f) {
      snprintf(esc, sizeof esc, "\\x%02x", c);
      add(buf, len, esc);
    } else {
      tmpl_buf_add(buf, len, (const char *)&c, 1);
    }
  }
  add(buf, len, "\"");
}

/* %!verb(type=value): Go's words for a value the verb cannot print. */
static void
bad_verb(const tmpl_typing *ty, char **buf, size_t *len, char verb, const json_t *v)
{
  char head[8];
  snprintf(head, sizeof head, "%%!%c(", verb);
  add(buf, len, head);
  if (v == NULL || json_is_null(v)) {
    add(buf, len, "<nil>");
  } else {
    add(buf, len, tmpl_type_name(v));
    add(buf, len, "=");
    print_arg(ty, buf, len, v);
  }
  add(buf, len, ")");
}

/* One number through C's printf with the spec's flags: the format is
 * built here from the flags, a bounded width and precision and one
 * conversion that matches the argument's type, never from the user's text
 * as it is. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
c_number(char **buf, size_t *len, const spec *sp, char conv, const json_t *v)
{
  char fmt[32], out[512];
  int k = snprintf(fmt, sizeof fmt, "%%%s%s%s%s%s", sp->minus ? "-" : "", sp->plus ? "+" : "",
                   sp->sharp ? "#" : "", sp->space ? " " : "", sp->zero ? "0" : "");
  if (sp->width >= 0)
    k += snprintf(fmt + k, sizeof fmt - (size_t)k, "%d", sp->width > 400 ? 400 : sp->width);
  if (sp->prec >= 0)
    k += snprintf(fmt + k, sizeof fmt - (size_t)k, ".%d", sp->prec > 100 ? 100 : sp->prec);
  if (json_is_integer(v)) {
    snprintf(fmt + k, sizeof fmt - (size_t)k, "ll%c", conv);
    snprintf(out, sizeof out, fmt, (long long)json_integer_value(v));
  } else {
    snprintf(fmt + k, sizeof fmt - (size_t)k, "%c", conv);
    snprintf(out, sizeof out, fmt, json_number_value(v));
  }
  add(buf, len, out);
}

#pragma GCC diagnostic pop

static void
format_one(const tmpl_typing *ty, char **buf, size_t *len, const spec *sp, const json_t *v)
{
  char *s = NULL;
  size_t sl = 0;
  add(&s, &sl, "");
  switch (sp->verb) {
  case 'v':
    print_arg(ty, &s, &sl, v);
    add_padded(buf, len, sp, s);
    break;
  case 's':
    if (json_is_string(v) || json_is_array(v) || json_is_object(v)) {
      print_arg(ty, &s, &sl, v); /* a struct's fields each as %s: berth's %v */
      if (sp->prec >= 0 && (size_t)sp->prec < sl)
        s[sp->prec] = '\0';
      add_padded(buf, len, sp, s);
    } else {
      bad_verb(ty, buf, len, sp->verb, v);
    }
    break;
  case 'q':
    if (json_is_string(v)) {
      quote_go(&s, &sl, json_string_value(v), json_string_length(v));
      add_padded(buf, len, sp, s);
    } else {
      bad_verb(ty, buf, len, sp->verb, v);
    }
    break;
  case 't':
    if (json_is_boolean(v))
      add_padded(buf, len, sp, json_is_true(v) ? "true" : "false");
    else
      bad_verb(ty, buf, len, sp->verb, v);
    break;
  case 'd':
  case 'o':
  case 'b':
  case 'c':
    if (!json_is_integer(v)) {
      bad_verb(ty, buf, len, sp->verb, v);
    } else if (sp->verb == 'c') {
      long long cp = json_integer_value(v);
      char u[5] = { 0 };
      if (cp < 0x80)
        u[0] = (char)cp;
      else if (cp < 0x800)
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F));
      else if (cp < 0x10000)
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (cp & 0x3F));
      add_padded(buf, len, sp, u);
    } else if (sp->verb == 'b') {
      unsigned long long x = (unsigned long long)llabs(json_integer_value(v));
      char bits[70];
      int k = 69;
      bits[k] = '\0';
      do
        bits[--k] = (char)('0' + (x & 1));
      while ((x >>= 1) != 0);
      if (json_integer_value(v) < 0)
        bits[--k] = '-';
      add_padded(buf, len, sp, bits + k);
    } else {
      c_number(buf, len, sp, sp->verb, v);
    }
    break;
  case 'x':
  case 'X':
    if (json_is_string(v)) {
      for (size_t i = 0; i < json_string_length(v); i++) {
        char h[4];
        snprintf(h, sizeof h, sp->verb == 'x' ? "%02x" : "%02X",
                 (unsigned char)json_string_value(v)[i]);
        add(&s, &sl, h);
      }
      add_padded(buf, len, sp, s);
    } else if (json_is_integer(v)) {
      c_number(buf, len, sp, sp->verb, v);
    } else {
      bad_verb(ty, buf, len, sp->verb, v);
    }
    break;
  case 'e':
  case 'E':
  case 'f':
  case 'F':
  case 'g':
  case 'G':
    if (!json_is_real(v)) {
      bad_verb(ty, buf, len, sp->verb, v);
    } else if ((sp->verb == 'g' || sp->verb == 'G') && sp->prec < 0) {
      add_float(&s, &sl, json_real_value(v), -4, 6, false);
      add_padded(buf, len, sp, s);
    } else {
      spec p = *sp;
      if (p.prec < 0 && sp->verb != 'g' && sp->verb != 'G')
        p.prec = 6;
      c_number(buf, len, &p, sp->verb == 'F' ? 'f' : sp->verb, v);
    }
    break;
  case 'T': {
    const go_type *t = tmpl_type_of(ty, v, NULL);
    add_padded(buf, len, sp, t != NULL ? t->name : tmpl_type_name(v));
    break;
  }
  default: {
    char head[8];
    snprintf(head, sizeof head, "%%!%c(", sp->verb);
    add(buf, len, head);
    add(buf, len, tmpl_type_name(v));
    add(buf, len, "=");
    print_arg(ty, buf, len, v);
    add(buf, len, ")");
  }
  }
  free(s);
}

/* Go's fmt refuses widths and precisions beyond a million (tooLarge). */
#define MAX_WIDTH 1000000

static int
int_arg(json_t *const *args, size_t n, size_t *next, bool *bad)
{
  if (*next >= n || !json_is_integer(args[*next]) || json_integer_value(args[*next]) > MAX_WIDTH
      || json_integer_value(args[*next]) < -MAX_WIDTH) {
    *bad = true;
    (*next)++;
    return -1;
  }
  return (int)json_integer_value(args[(*next)++]);
}

char *
tmpl_sprintf(const tmpl_typing *ty, const char *f, json_t *const *args, size_t n)
{
  char *buf = NULL;
  size_t len = 0;
  add(&buf, &len, "");
  size_t next = 0;
  for (const char *c = f; *c;) {
    if (*c != '%') {
      const char *pct = strchr(c, '%');
      size_t l = pct ? (size_t)(pct - c) : strlen(c);
      tmpl_buf_add(&buf, &len, c, l);
      c += l;
      continue;
    }
    c++;
    spec sp = { .width = -1, .prec = -1 };
    for (;; c++) {
      if (*c == '-')
        sp.minus = true;
      else if (*c == '+')
        sp.plus = true;
      else if (*c == '#')
        sp.sharp = true;
      else if (*c == ' ')
        sp.space = true;
      else if (*c == '0')
        sp.zero = !sp.minus;
      else
        break;
    }
    bool bad_width = false, bad_prec = false;
    if (*c == '*') {
      sp.width = int_arg(args, n, &next, &bad_width);
      c++;
    } else {
      for (; *c >= '0' && *c <= '9'; c++)
        if ((sp.width = (sp.width < 0 ? 0 : sp.width) * 10 + (*c - '0')) > MAX_WIDTH)
          goto too_large;
    }
    if (*c == '.') {
      c++;
      sp.prec = 0;
      if (*c == '*') {
        sp.prec = int_arg(args, n, &next, &bad_prec);
        c++;
      } else {
        for (; *c >= '0' && *c <= '9'; c++)
          if ((sp.prec = sp.prec * 10 + (*c - '0')) > MAX_WIDTH)
            goto too_large;
      }
    }
    if (bad_width)
      add(&buf, &len, "%!(BADWIDTH)");
    if (bad_prec)
      add(&buf, &len, "%!(BADPREC)");
    if (*c == '\0') {
      add(&buf, &len, "%!(NOVERB)");
      break;
    }
    sp.verb = *c++;
    if (sp.verb == '%') {
      add(&buf, &len, "%");
      continue;
    }
    if (next >= n) {
      char miss[32];
      snprintf(miss, sizeof miss, "%%!%c(MISSING)", sp.verb);
      add(&buf, &len, miss);
      continue;
    }
    format_one(ty, &buf, &len, &sp, args[next++]);
    continue;
  too_large:
    /* Go's parsenum gives up on the rest of the format */
    add(&buf, &len, "%!(NOVERB)");
    break;
  }
  if (next < n) {
    add(&buf, &len, "%!(EXTRA ");
    for (size_t i = next; i < n; i++) {
      if (i > next)
        add(&buf, &len, ", ");
      add(&buf, &len, tmpl_type_name(args[i]));
      add(&buf, &len, "=");
      print_arg(ty, &buf, &len, args[i]);
    }
    add(&buf, &len, ")");
  }
  return buf;
}
