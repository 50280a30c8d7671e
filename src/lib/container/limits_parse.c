/* The value parsers of Docker's limit flags, rule for rule the Go code
 * Docker 20.10's CLI runs (go-units v0.5.0, strconv, math/big's
 * Rat.SetString), so that the same input is taken or refused with the same
 * words. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <openssl/bn.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"
#include "container/limits.h"

static int
lower(int c)
{
  return tolower((unsigned char)c);
}

/* Go's underscoreOK: "_" only between digits, or between a base prefix
 * and a digit. */
static bool
underscore_ok(const char *s, size_t n)
{
  char saw = '^';
  size_t i = 0;
  if (n >= 1 && (s[0] == '-' || s[0] == '+'))
    s++, n--;
  bool hex = false;
  if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < n; i++) {
    if (isdigit((unsigned char)s[i]) || (hex && isxdigit((unsigned char)s[i]))) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0')
        return false;
      saw = '_';
      continue;
    }
    if (saw == '_')
      return false;
    saw = '!';
  }
  return saw != '_';
}

/* The length of Go's "inf"/"infinity" (signed) or "nan" at s, when that is
 * all of s; 0 otherwise. */
static bool
go_special(const char *s)
{
  const char *p = s;
  if (*p == '+' || *p == '-')
    p++;
  else if (strcasecmp(p, "nan") == 0)
    return true;
  return strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0;
}

/* Go's readFloat: is s (all of it) a float literal ParseFloat takes? */
static bool
go_float_syntax(const char *s)
{
  size_t n = strlen(s), i = 0;
  if (n == 0)
    return false;
  if (s[i] == '+' || s[i] == '-')
    i++;
  bool hex = false;
  if (i + 2 < n && s[i] == '0' && lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  bool underscores = false, sawdot = false, sawdigits = false;
  for (; i < n; i++) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
    } else if (c == '.') {
      if (sawdot)
        break;
      sawdot = true;
    } else if (isdigit((unsigned char)c) || (hex && isxdigit((unsigned char)c))) {
      sawdigits = true;
    } else {
      break;
    }
  }
  if (!sawdigits)
    return false;
  if (i < n && lower(s[i]) == (hex ? 'p' : 'e')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    if (i >= n || !isdigit((unsigned char)s[i]))
      return false;
    for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'); i++)
      underscores |= s[i] == '_';
  } else if (hex) {
    return false; /* a hexadecimal mantissa needs a 'p' exponent */
  }
  if (underscores && !underscore_ok(s, i))
    return false;
  return i == n;
}

/* Go's strconv.ParseFloat(s, 64), its errors in its words. */
static int
go_parse_float(const char *s, double *out, berth_error **err)
{
  cleanup_free char *shown = berth_bytes_escape(s);
  if (!go_special(s) && !go_float_syntax(s))
    return berth_error_set(err, 0, "strconv.ParseFloat: parsing \"%s\": invalid syntax", shown);
  cleanup_free char *digits = xmalloc(strlen(s) + 1);
  size_t k = 0;
  for (const char *p = s; *p != '\0'; p++)
    if (*p != '_')
      digits[k++] = *p;
  digits[k] = '\0';
  double v = strtod(digits, NULL); /* glibc rounds correctly, as Go does */
  if (isinf(v) && !go_special(s))
    return berth_error_set(err, 0, "strconv.ParseFloat: parsing \"%s\": value out of range", shown);
  *out = v;
  return 0;
}

/* Go's int64(f) on amd64: truncation, and CVTTSD2SI's INT64_MIN for NaN
 * and anything out of range. */
static int64_t
go_int64_of_float(double f)
{
  if (isnan(f) || f >= 0x1p63 || f < -0x1p63)
    return INT64_MIN;
  return (int64_t)f;
}

/* go-units prints the suffix with %s; berth escapes what is not printable. */
static int
bad_suffix(const char *sfx, berth_error **err)
{
  cleanup_free char *shown = berth_bytes_escape(sfx);
  return berth_error_set(err, 0, "invalid suffix: '%s'", shown);
}

/* s is the user's: any bytes. */
int
berth_parse_ram_in_bytes(const char *s, int64_t *out, berth_error **err)
{
  cleanup_free char *shown = berth_bytes_escape(s);
  /* the last digit, dot or space splits the number from the suffix */
  const char *sep = NULL;
  for (const char *p = s; *p != '\0'; p++)
    if (isdigit((unsigned char)*p) || *p == '.' || *p == ' ')
      sep = p;
  if (sep == NULL)
    return berth_error_set(err, 0, "invalid size: '%s'", shown);
  cleanup_free char *num = xstrndup(s, (size_t)(sep - s) + (*sep != ' '));
  const char *sfx = sep + 1;
  double size = 0; /* set by go_parse_float; gcc -O2 cannot tell */
  if (go_parse_float(num, &size, err) < 0)
    return -1;
  if (size < 0)
    return berth_error_set(err, 0, "invalid size: '%s'", shown);
  size_t n = strlen(sfx);
  if (n == 0) {
    *out = go_int64_of_float(size);
    return 0;
  }
  if (n > 3)
    return bad_suffix(sfx, err);
  char low[4] = { 0 };
  for (size_t i = 0; i < n; i++)
    low[i] = (char)lower(sfx[i]);
  if (low[0] == 'b') {
    if (n > 1)
      return bad_suffix(low, err);
    *out = go_int64_of_float(size);
    return 0;
  }
  static const char units[] = "kmgtp";
  const char *u = strchr(units, low[0]);
  if (u == NULL || low[0] == '\0')
    return bad_suffix(low, err);
  if ((n == 2 && low[1] != 'b') || (n == 3 && strcmp(low + 1, "ib") != 0))
    return bad_suffix(low, err);
  for (const char *p = units; p <= u; p++)
    size *= 1024;
  *out = go_int64_of_float(size);
  return 0;
}

int
berth_parse_memory_swap(const char *s, int64_t *out, berth_error **err)
{
  if (strcmp(s, "-1") == 0) {
    *out = -1;
    return 0;
  }
  return berth_parse_ram_in_bytes(s, out, err);
}

/* Go's ParseUint(s, base, 64): base 10, or base 0 with its prefixes and
 * underscores.  0, or 1 for a syntax error, 2 for a value over 64 bits (Go
 * stops there, before any later syntax error). */
static int
go_parse_uint(const char *s, int base, uint64_t *out)
{
  const char *s0 = s;
  if (*s == '\0')
    return 1;
  bool base0 = base == 0;
  if (base0) {
    base = 10;
    if (s[0] == '0') {
      size_t n = strlen(s);
      if (n >= 3 && lower(s[1]) == 'b')
        base = 2, s += 2;
      else if (n >= 3 && lower(s[1]) == 'o')
        base = 8, s += 2;
      else if (n >= 3 && lower(s[1]) == 'x')
        base = 16, s += 2;
      else
        base = 8, s += 1;
    }
  }
  bool underscores = false;
  uint64_t v = 0;
  for (; *s != '\0'; s++) {
    int d;
    if (*s == '_' && base0) {
      underscores = true;
      continue;
    }
    if (isdigit((unsigned char)*s))
      d = *s - '0';
    else if (isalpha((unsigned char)*s))
      d = lower(*s) - 'a' + 10;
    else
      return 1;
    if (d >= base)
      return 1;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
      return 2;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  if (underscores && !underscore_ok(s0, strlen(s0)))
    return 1;
  *out = v;
  return 0;
}

/* s is the user's. */
int
berth_parse_int64(const char *s, int base, int64_t *out, berth_error **err)
{
  bool neg = s[0] == '-';
  const char *digits = s + (s[0] == '-' || s[0] == '+');
  uint64_t v = 0;
  int r = go_parse_uint(digits, base, &v);
  if (r == 0 && v > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
    r = 2;
  if (r != 0) {
    cleanup_free char *shown = berth_bytes_escape(s);
    return berth_error_set(err, 0, "strconv.ParseInt: parsing \"%s\": %s", shown,
                           r == 1 ? "invalid syntax" : "value out of range");
  }
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 0;
}

static const char *const ulimit_names[]
    = { "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
        "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",    NULL };

/* s is the user's: NAME=SOFT[:HARD], checked as go-units checks it. */
int
berth_parse_ulimit(const char *s, berth_ulimit *out, berth_error **err)
{
  const char *eq = strchr(s, '=');
  cleanup_free char *shown = berth_bytes_escape(s);
  if (eq == NULL)
    return berth_error_set(err, 0, "invalid ulimit argument: %s", shown);
  cleanup_free char *name = xstrndup(s, (size_t)(eq - s));
  const char *const *n = ulimit_names;
  while (*n != NULL && strcmp(*n, name) != 0)
    n++;
  if (*n == NULL) {
    cleanup_free char *shown_name = berth_bytes_escape(name);
    return berth_error_set(err, 0, "invalid ulimit type: %s", shown_name);
  }
  const char *vals = eq + 1;
  const char *colon = strchr(vals, ':');
  if (colon != NULL && strchr(colon + 1, ':') != NULL) {
    cleanup_free char *shown_vals = berth_bytes_escape(vals);
    return berth_error_set(err, 0,
                           "too many limit value arguments - %s, can only have up to two, "
                           "`soft[:hard]`",
                           shown_vals);
  }
  int64_t soft, hard;
  cleanup_free char *soft_s = xstrndup(vals, colon ? (size_t)(colon - vals) : strlen(vals));
  /* go-units parses the hard limit first */
  if (colon != NULL && berth_parse_int64(colon + 1, 10, &hard, err) < 0)
    return -1;
  if (berth_parse_int64(soft_s, 10, &soft, err) < 0)
    return -1;
  if (colon == NULL)
    hard = soft;
  if (hard != -1 && soft > hard)
    return berth_error_set(err, 0,
                           "ulimit soft limit must be less than or equal to hard limit: %lld > "
                           "%lld",
                           (long long)soft, (long long)hard);
  snprintf(out->name, sizeof(out->name), "%s", name);
  out->soft = soft;
  out->hard = hard;
  return 0;
}

/* --cpus: math/big's Rat.SetString, then opts.ParseCPUs. */

typedef struct rat_nat {
  BIGNUM *v;
  int base;     /* of the digits: 2, 8, 10 or 16 */
  long fdigits; /* digits after the radix point */
} rat_nat;

/* The value of one digit in base 36, or 99. */
static int
digit_value(char c)
{
  if (isdigit((unsigned char)c))
    return c - '0';
  if (isalpha((unsigned char)c))
    return lower(c) - 'a' + 10;
  return 99;
}

/* math/big's nat.scan(r, 0, frac_ok) from *pp: a base-0 number (0b, 0o, 0x
 * prefixes; a lone leading 0 is octal unless frac_ok), "_" between digits,
 * one radix point when frac_ok.  *pp is left after what it took. */
static bool
rat_scan_nat(const char **pp, bool frac_ok, rat_nat *n)
{
  const char *p = *pp;
  int b = 10;
  char prefix = 0, prev = '.';
  long count = 0, dp = -1;
  bool inval_sep = false;
  BN_zero(n->v);
  if (*p == '0') {
    prev = '0';
    count = 1;
    p++;
    if (*p != '\0') {
      if (lower(*p) == 'b')
        b = 2, prefix = 'b';
      else if (lower(*p) == 'o')
        b = 8, prefix = 'o';
      else if (lower(*p) == 'x')
        b = 16, prefix = 'x';
      else if (!frac_ok)
        b = 8, prefix = '0';
      if (prefix != 0) {
        count = 0;
        if (prefix != '0')
          p++;
      }
    }
  }
  for (; *p != '\0'; p++) {
    if (*p == '.' && frac_ok && dp < 0) {
      dp = count;
      prev = '.';
    } else if (*p == '_') {
      inval_sep |= prev != '0';
      prev = '_';
    } else {
      int d = digit_value(*p);
      if (d >= b)
        break;
      prev = '0';
      count++;
      BN_mul_word(n->v, (BN_ULONG)b);
      BN_add_word(n->v, (BN_ULONG)d);
    }
  }
  *pp = p;
  if (inval_sep || prev == '_')
    return false;
  if (count == 0 && prefix != '0')
    return false; /* no digits */
  n->base = count == 0 ? 10 : b;
  n->fdigits = dp >= 0 ? count - dp : 0;
  return true;
}

/* math/big's scanExponent(r, true, true): "e" (base 10) or "p" (base 2),
 * a sign, digits with "_" between them; none: 0. */
static bool
rat_scan_exponent(const char **pp, int64_t *exp, int *ebase)
{
  const char *p = *pp;
  *exp = 0;
  *ebase = 10;
  if (lower(*p) != 'e' && lower(*p) != 'p')
    return true;
  *ebase = lower(*p) == 'e' ? 10 : 2;
  p++;
  char digits[32];
  size_t k = 0;
  if (*p == '+' || *p == '-') {
    if (*p == '-')
      digits[k++] = '-';
    p++;
  }
  char prev = '.';
  bool inval_sep = false, has_digits = false;
  for (; isdigit((unsigned char)*p) || *p == '_'; p++) {
    if (*p == '_') {
      inval_sep |= prev != '0';
      prev = '_';
      continue;
    }
    if (k + 1 >= sizeof(digits))
      return false; /* more than int64 holds: ParseInt's range error */
    digits[k++] = *p;
    prev = '0';
    has_digits = true;
  }
  digits[k] = '\0';
  *pp = p;
  if (!has_digits || inval_sep || prev == '_')
    return false;
  errno = 0;
  *exp = strtoll(digits, NULL, 10);
  return errno == 0;
}

/* The low 64 bits of v (Go's low64), v left as it was. */
static uint64_t
low64(const BIGNUM *v)
{
  BIGNUM *c = BN_dup(v);
  BN_mask_bits(c, 64);
  uint64_t r = BN_get_word(c);
  BN_free(c);
  return r;
}

static uint64_t
pow_wrapping(uint64_t b, int64_t e)
{
  uint64_t r = 1;
  for (; e > 0; e >>= 1, b *= b)
    if (e & 1)
      r *= b;
  return r;
}

/* v * 2^x * 5^y for a whole number: *nano its low 64 bits; false when it is
 * not whole ("value is too precise"). */
static bool
scaled_whole(BIGNUM *v, int64_t x, int64_t y, uint64_t *nano)
{
  if (x < 0) {
    if (-x > BN_num_bits(v))
      return false;
    for (int64_t i = 0; i < -x; i++)
      if (BN_is_bit_set(v, (int)i))
        return false;
    BN_rshift(v, v, (int)-x);
  }
  if (y < 0) {
    if (-y > BN_num_bits(v)) /* 5^j > 2^j: it cannot divide */
      return false;
    for (int64_t i = 0; i < -y; i++)
      if (BN_div_word(v, 5) != 0)
        return false;
  }
  uint64_t r = low64(v);
  r = x >= 64 ? 0 : x > 0 ? r << x : r;
  *nano = y > 0 ? r * pow_wrapping(5, y) : r;
  return true;
}

static int
not_rational(const char *s, berth_error **err)
{
  cleanup_free char *shown = berth_bytes_escape(s);
  return berth_error_set(err, 0, "failed to parse %s as a rational number", shown);
}

/* "a/b": a signed base-0 integer over an unsigned one, not 0. */
static int
parse_fraction(const char *s, const char *slash, BN_CTX *ctx, bool *neg, uint64_t *nano,
               berth_error **err)
{
  cleanup_free char *num = xstrndup(s, (size_t)(slash - s));
  const char *p = num;
  *neg = *p == '-';
  if (*p == '+' || *p == '-')
    p++;
  rat_nat a = { BN_CTX_get(ctx), 10, 0 }, b = { BN_CTX_get(ctx), 10, 0 };
  const char *q = slash + 1;
  if (!rat_scan_nat(&p, false, &a) || *p != '\0' || !rat_scan_nat(&q, false, &b) || *q != '\0'
      || BN_is_zero(b.v))
    return not_rational(s, err);
  BIGNUM *rem = BN_CTX_get(ctx);
  BN_mul_word(a.v, 1000000000);
  BN_div(a.v, rem, a.v, b.v, ctx);
  if (!BN_is_zero(rem))
    return berth_error_set(err, 0, "value is too precise");
  *nano = low64(a.v);
  *neg = *neg && !BN_is_zero(a.v);
  return 0;
}

/* A float: sign, mantissa, exponent (Rat.SetString's second form). */
static int
parse_float_rat(const char *s, BN_CTX *ctx, bool *neg, uint64_t *nano, berth_error **err)
{
  const char *p = s;
  *neg = *p == '-';
  if (*p == '+' || *p == '-')
    p++;
  rat_nat m = { BN_CTX_get(ctx), 10, 0 };
  int64_t exp;
  int ebase;
  if (!rat_scan_nat(&p, true, &m) || !rat_scan_exponent(&p, &exp, &ebase) || *p != '\0')
    return not_rational(s, err);
  *nano = 0;
  if (BN_is_zero(m.v))
    return 0;
  int64_t d = -m.fdigits, exp2 = 0, exp5 = 0;
  if (d < 0) {
    exp2 = m.base == 10 || m.base == 2 ? d : m.base == 8 ? 3 * d : 4 * d;
    exp5 = m.base == 10 ? d : 0;
  }
  if ((ebase == 10 && __builtin_add_overflow(exp5, exp, &exp5))
      || __builtin_add_overflow(exp2, exp, &exp2))
    return not_rational(s, err);
  if (exp5 > 1000000 || exp5 < -1000000 || exp2 > 10000000 || exp2 < -10000000)
    return not_rational(s, err); /* Go's limits against huge exponents */
  if (!scaled_whole(m.v, exp2 + 9, exp5 + 9, nano))
    return berth_error_set(err, 0, "value is too precise");
  return 0;
}

/* s is the user's. */
int
berth_parse_nano_cpus(const char *s, int64_t *out, berth_error **err)
{
  if (s[0] == '\0')
    return not_rational(s, err);
  BN_CTX *ctx = BN_CTX_new();
  BN_CTX_start(ctx);
  bool neg = false;
  uint64_t nano = 0;
  const char *slash = strchr(s, '/');
  int r = slash != NULL ? parse_fraction(s, slash, ctx, &neg, &nano, err)
                        : parse_float_rat(s, ctx, &neg, &nano, err);
  BN_CTX_end(ctx);
  BN_CTX_free(ctx);
  if (r < 0)
    return -1;
  *out = neg ? (int64_t)(0 - nano) : (int64_t)nano;
  return 0;
}
