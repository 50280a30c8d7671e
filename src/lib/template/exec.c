/* Walking the tree over JSON data, as Go's text/template/exec does. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "template/internal.h"

typedef struct var {
  char *name;
  json_t *value; /* owned; NULL: no value */
} var;

struct exec_state {
  const berth_template *t;
  const berth_template_options *o;
  const json_t *root;
  char *out;
  size_t len;
  var *vars;
  size_t n_vars;
  int depth;
  tmpl_typing *ty; /* the Go types of the data's values; NULL: plain JSON */
  /* the data is JSON decoded into interface{}s: a pipeline's nil is Go's
   * "no value" (text/template unwraps an empty interface) */
  bool unwrap;
};

typedef enum flow { FLOW_NEXT, FLOW_BREAK, FLOW_CONTINUE } flow;

#define MAX_DEPTH 100000 /* Go's maxExecDepth */

/* Buffers grow by doubling (the capacity follows from the length, so no
 * one has to carry it): a template printing a million padded bytes must
 * not copy its output a million times. */
static size_t
capacity_for(size_t need)
{
  size_t c = 64;
  while (c < need)
    c <<= 1;
  return c;
}

void
tmpl_buf_add(char **buf, size_t *len, const char *s, size_t n)
{
  size_t need = *len + n + 1;
  if (*buf == NULL || need > capacity_for(*len + 1))
    *buf = xrealloc(*buf, capacity_for(need));
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
}

/* Go's "template: :LINE:COL: executing "" at <NODE>: msg", the node's text
 * whole (the Go of Docker 20.10.24, 1.19, no longer cuts it at 20 bytes). */
static int fail_at(exec_state *s, const node *n, berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int
fail_at(exec_state *s, const node *n, berth_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  cleanup_free char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  int line = 1;
  size_t col = 0;
  for (size_t i = 0; i < n->pos && s->t->src[i] != '\0'; i++) {
    if (s->t->src[i] == '\n')
      line++, col = 0;
    else
      col++;
  }
  cleanup_free char *ctx = tmpl_node_string(n);
  return berth_error_set(err, 0, "template: %s:%d:%zu: executing \"%s\" at <%s>: %s", s->t->name,
                         line, col, s->t->name, ctx, msg ? msg : "?");
}

static void
push_var(exec_state *s, const char *name, json_t *v)
{
  s->vars = xrealloc(s->vars, (s->n_vars + 1) * sizeof *s->vars);
  s->vars[s->n_vars++] = (var){ xstrdup(name), json_incref(v) };
}

static void
pop_vars(exec_state *s, size_t to)
{
  while (s->n_vars > to) {
    var *v = &s->vars[--s->n_vars];
    free(v->name);
    json_decref(v->value);
  }
}

static var *
find_var(exec_state *s, const char *name)
{
  for (size_t i = s->n_vars; i-- > 0;)
    if (strcmp(s->vars[i].name, name) == 0)
      return &s->vars[i];
  return NULL;
}

static int eval_pipeline(exec_state *s, json_t *dot, const node *pipe, json_t **out,
                         berth_error **err);

/* One field of receiver: an object's key (or the data's method); no value
 * for a missing key, Go's errors for what has no fields. */
static int
field(exec_state *s, const node *at, json_t *receiver, const char *name, json_t *const *args,
      size_t n_args, bool last, json_t **out, berth_error **err)
{
  *out = NULL;
  if (receiver == NULL) {
    if (s->o->missing_key_error)
      return fail_at(s, at, err, "nil data; no entry for key \"%s\"", name);
    return 0;
  }
  if (s->ty != NULL) {
    cleanup_free char *why = NULL;
    int rc = tmpl_typed_field(s->ty, receiver, name, s->o->missing_key_error, out, &why);
    if (rc < 0)
      return fail_at(s, at, err, "%s", why);
    if (rc > 0 && n_args > 0 && last) {
      json_decref(*out);
      *out = NULL;
      return fail_at(s, at, err, "%s is not a method but has arguments", name);
    }
    if (rc > 0)
      return 0;
  }
  if (json_is_null(receiver))
    return fail_at(s, at, err, "nil pointer evaluating interface {}.%s", name);
  /* every value inside decoded JSON is an interface {} to Go */
  if (!json_is_object(receiver))
    return fail_at(s, at, err, "can't evaluate field %s in type interface {}", name);
  json_t *v = json_object_get(receiver, name);
  const char *type = s->o->row_type != NULL ? s->o->row_type : s->o->struct_type;
  bool row = receiver == s->root && type != NULL;
  if (v == NULL && s->o->method != NULL) {
    int rc = s->o->method(s->o->method_ctx, receiver, name, args, n_args, out, err);
    if (rc != 0)
      return rc < 0 ? fail_at(s, at, err, "error calling %s", name) : 0;
  }
  if (n_args > 0 && last)
    return fail_at(s, at, err, "%s is not a method but has arguments", name);
  if (v == NULL && row)
    return fail_at(s, at, err, "can't evaluate field %s in type %s", name, type);
  if (v == NULL) {
    if (s->o->missing_key_error)
      return fail_at(s, at, err, "map has no entry for key \"%s\"", name);
    return 0;
  }
  *out = json_incref(v);
  return 0;
}

/* receiver.f1.f2…: the final arguments go to the last field. */
static int
field_chain(exec_state *s, const node *at, json_t *receiver, const node *n, json_t *const *args,
            size_t n_args, json_t **out, berth_error **err)
{
  json_t *cur = json_incref(receiver);
  for (size_t i = 0; i < n->n_fields; i++) {
    bool last = i + 1 == n->n_fields;
    json_t *next = NULL;
    int rc
        = field(s, at, cur, n->fields[i], last ? args : NULL, last ? n_args : 0, last, &next, err);
    json_decref(cur);
    if (rc < 0)
      return -1;
    cur = next;
  }
  *out = cur;
  return 0;
}

static int eval_arg(exec_state *s, json_t *dot, const node *n, json_t **out, berth_error **err);

static int
call(exec_state *s, json_t *dot, const node *cmd, json_t *final, bool has_final, json_t **out,
     berth_error **err)
{
  const node *fn = cmd->kids[0];
  bool is_and = false;
  size_t n = cmd->n_kids - 1 + (has_final ? 1 : 0);
  if (tmpl_func_is_lazy(fn->text, &is_and)) {
    /* and / or: the first falsy / truthy argument, else the last */
    if (n == 0)
      return fail_at(s, cmd, err, "wrong number of args for %s: want at least 1 got 0", fn->text);
    for (size_t i = 0; i < n; i++) {
      json_t *v = NULL;
      if (i < cmd->n_kids - 1) {
        if (eval_arg(s, dot, cmd->kids[i + 1], &v, err) < 0)
          return -1;
      } else {
        v = json_incref(final);
      }
      if (i + 1 == n || tmpl_truth(s->ty, v) != is_and) {
        *out = v;
        return 0;
      }
      json_decref(v);
    }
  }
  json_t **args = xcalloc(n + 1, sizeof *args);
  int rc = 0;
  for (size_t i = 0; i < cmd->n_kids - 1 && rc == 0; i++)
    rc = eval_arg(s, dot, cmd->kids[i + 1], &args[i], err);
  if (rc == 0 && has_final)
    args[n - 1] = json_incref(final);
  /* no value passed to a function is its parameter's zero value: nil */
  for (size_t i = 0; rc == 0 && i < n; i++)
    if (args[i] == NULL)
      args[i] = json_null();
  bool marshal = s->o->row_type != NULL && n == 1 && args[0] == s->root;
  if (rc == 0 && s->o->header && tmpl_func_is_header_identity(fn->text)) {
    *out = json_incref(args[0]); /* Docker's HeaderFunctions */
  } else if (rc == 0 && marshal && strcmp(fn->text, "json") == 0) {
    char *text = tmpl_json_marshal(args[0]);
    *out = json_string_nocheck(text);
    free(text);
  } else if (rc == 0) {
    berth_error *why = NULL;
    if (tmpl_func_find(fn->text)(s->ty, args, n, out, &why) < 0) {
      const char *m = berth_error_message(why);
      if (strncmp(m, "wrong number of args", 20) == 0 || strncmp(m, "wrong type", 10) == 0)
        rc = fail_at(s, cmd, err, "%s", m);
      else
        rc = fail_at(s, cmd, err, "error calling %s: %s", fn->text, m);
      berth_error_free(why);
    }
  }
  for (size_t i = 0; i < n; i++)
    json_decref(args[i]);
  free(args);
  return rc;
}

/* An argument: an operand evaluated on its own. */
static int
eval_arg(exec_state *s, json_t *dot, const node *n, json_t **out, berth_error **err)
{
  *out = NULL;
  switch (n->kind) {
  case N_DOT:
    *out = json_incref(dot);
    return 0;
  case N_NIL:
    *out = json_null();
    return 0;
  case N_STRING:
    *out = json_string_nocheck(n->text);
    return 0;
  case N_NUMBER:
  case N_BOOL:
    *out = json_incref(n->value);
    return 0;
  case N_FIELD:
    return field_chain(s, n, dot, n, NULL, 0, out, err);
  case N_VARIABLE: {
    var *v = find_var(s, n->text);
    if (v == NULL)
      return fail_at(s, n, err, "undefined variable: %s", n->text);
    return field_chain(s, n, v->value, n, NULL, 0, out, err);
  }
  case N_PIPE: {
    json_t *v = NULL;
    if (eval_pipeline(s, dot, n->pipe, &v, err) < 0)
      return -1;
    int rc = field_chain(s, n, v, n, NULL, 0, out, err);
    json_decref(v);
    return rc;
  }
  case N_IDENT: {
    /* a function named as an argument is called with no arguments */
    node cmd = { .kind = N_COMMAND, .pos = n->pos, .kids = (node **)&n, .n_kids = 1 };
    return call(s, dot, &cmd, NULL, false, out, err);
  }
  default:
    return fail_at(s, n, err, "can't handle %s", "node");
  }
}

/* One command; final is the previous command's value (has_final). */
static int
eval_command(exec_state *s, json_t *dot, const node *cmd, json_t *final, bool has_final,
             json_t **out, berth_error **err)
{
  const node *first = cmd->kids[0];
  size_t n_args = cmd->n_kids - 1 + (has_final ? 1 : 0);
  if (first->kind == N_IDENT)
    return call(s, dot, cmd, final, has_final, out, err);
  if (first->kind == N_FIELD || first->kind == N_VARIABLE || first->kind == N_PIPE) {
    json_t **args = xcalloc(n_args + 1, sizeof *args);
    int rc = 0;
    for (size_t i = 0; i + 1 < cmd->n_kids && rc == 0; i++)
      rc = eval_arg(s, dot, cmd->kids[i + 1], &args[i], err);
    if (has_final && rc == 0)
      args[n_args - 1] = json_incref(final);
    if (rc == 0) {
      json_t *base = NULL;
      if (first->kind == N_FIELD) {
        base = json_incref(dot);
      } else if (first->kind == N_VARIABLE) {
        var *v = find_var(s, first->text);
        base = v ? json_incref(v->value) : NULL;
      } else {
        rc = eval_pipeline(s, dot, first->pipe, &base, err);
      }
      if (rc == 0) {
        if (first->n_fields == 0 && n_args > 0)
          rc = fail_at(s, first, err, "can't give argument to non-function %s",
                       first->kind == N_VARIABLE ? first->text : "(pipeline)");
        else if (first->n_fields == 0)
          *out = json_incref(base);
        else
          rc = field_chain(s, first, base, first, args, n_args, out, err);
      }
      json_decref(base);
    }
    for (size_t i = 0; i < n_args; i++)
      json_decref(args[i]);
    free(args);
    return rc;
  }
  if (n_args > 0) {
    cleanup_free char *what = tmpl_node_string(first);
    return fail_at(s, first, err, "can't give argument to non-function %s", what);
  }
  if (first->kind == N_NIL)
    return fail_at(s, first, err, "nil is not a command");
  return eval_arg(s, dot, first, out, err);
}

static int
eval_pipeline(exec_state *s, json_t *dot, const node *pipe, json_t **out, berth_error **err)
{
  json_t *v = NULL;
  for (size_t i = 0; i < pipe->n_kids; i++) {
    json_t *next = NULL;
    if (eval_command(s, dot, pipe->kids[i], v, i > 0, &next, err) < 0) {
      json_decref(v);
      return -1;
    }
    json_decref(v);
    v = next;
  }
  if (s->unwrap && v != NULL && json_is_null(v)) {
    json_decref(v);
    v = NULL;
  }
  for (size_t i = 0; i < pipe->n_vars; i++) {
    if (pipe->is_assign) {
      var *x = find_var(s, pipe->vars[i]);
      if (x != NULL) {
        json_decref(x->value);
        x->value = json_incref(v);
      }
    } else {
      push_var(s, pipe->vars[i], v);
    }
  }
  *out = v;
  return 0;
}

static int walk(exec_state *s, json_t *dot, const node *n, flow *f, berth_error **err);

static int
walk_list(exec_state *s, json_t *dot, const node *lst, flow *f, berth_error **err)
{
  for (size_t i = 0; lst != NULL && i < lst->n_kids; i++) {
    if (walk(s, dot, lst->kids[i], f, err) < 0)
      return -1;
    if (*f != FLOW_NEXT)
      return 0;
  }
  return 0;
}

/* range's body for one element; $i, $v set when declared. */
static int
range_one(exec_state *s, const node *n, json_t *key, json_t *elem, flow *f, berth_error **err)
{
  if (n->pipe->n_vars == 1) {
    json_decref(s->vars[s->n_vars - 1].value);
    s->vars[s->n_vars - 1].value = json_incref(elem);
  } else if (n->pipe->n_vars == 2) {
    json_decref(s->vars[s->n_vars - 2].value);
    s->vars[s->n_vars - 2].value = json_incref(key);
    json_decref(s->vars[s->n_vars - 1].value);
    s->vars[s->n_vars - 1].value = json_incref(elem);
  }
  size_t mark = s->n_vars;
  int rc = walk_list(s, elem, n->list, f, err);
  pop_vars(s, mark);
  if (*f == FLOW_CONTINUE)
    *f = FLOW_NEXT;
  return rc;
}

static int
compare_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An element of what range goes over, as its Go type when it has one. */
static json_t *
range_elem(exec_state *s, json_t *raw, bool typed, const go_type *elem)
{
  return typed ? tmpl_typed(s->ty, raw, elem) : json_incref(raw);
}

static int
walk_range(exec_state *s, json_t *dot, const node *n, json_t *v, flow *f, berth_error **err)
{
  size_t count = 0;
  const go_type *elem = NULL;
  int typed = tmpl_typed_range(s->ty, v, &elem);
  if (typed < 0) {
    cleanup_free char *what = NULL;
    size_t wl = 0;
    tmpl_print_go(s->ty, &what, &wl, v, true);
    return fail_at(s, n->pipe, err, "range can't iterate over %s", what);
  }
  if (json_is_array(v)) {
    count = json_array_size(v);
    for (size_t i = 0; i < count && *f == FLOW_NEXT; i++) {
      json_t *key = json_integer((json_int_t)i);
      json_t *e = range_elem(s, json_array_get(v, i), typed, elem);
      int rc = range_one(s, n, key, e, f, err);
      json_decref(e);
      json_decref(key);
      if (rc < 0)
        return -1;
    }
  } else if (json_is_object(v)) {
    count = json_object_size(v);
    const char **keys = xcalloc(count + 1, sizeof *keys);
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) keys[k++] = key;
    qsort(keys, k, sizeof *keys, compare_keys);
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0 && *f == FLOW_NEXT; i++) {
      json_t *jk = json_string_nocheck(keys[i]);
      json_t *e = range_elem(s, json_object_get(v, keys[i]), typed, elem);
      rc = range_one(s, n, jk, e, f, err);
      json_decref(e);
      json_decref(jk);
    }
    free(keys);
    if (rc < 0)
      return -1;
  } else if (v != NULL && !json_is_null(v)) {
    cleanup_free char *what = NULL;
    size_t wl = 0;
    tmpl_print_value(s->ty, &what, &wl, v);
    return fail_at(s, n->pipe, err, "range can't iterate over %s", what);
  }
  if (*f == FLOW_BREAK)
    *f = FLOW_NEXT;
  if (count == 0)
    return walk_list(s, dot, n->else_list, f, err);
  return 0;
}

static int
walk(exec_state *s, json_t *dot, const node *n, flow *f, berth_error **err)
{
  if (++s->depth > MAX_DEPTH) {
    s->depth--;
    return fail_at(s, n, err, "exceeded maximum template depth (%d)", MAX_DEPTH);
  }
  int rc = 0;
  size_t mark = s->n_vars;
  json_t *v = NULL;
  switch (n->kind) {
  case N_TEXT:
    tmpl_buf_add(&s->out, &s->len, n->text, n->len);
    break;
  case N_ACTION:
    rc = eval_pipeline(s, dot, n->pipe, &v, err);
    if (rc == 0 && n->pipe->n_vars == 0)
      tmpl_print_value(s->ty, &s->out, &s->len, v);
    mark = s->n_vars; /* a declaration lives until the enclosing end */
    break;
  case N_IF:
  case N_WITH:
    rc = eval_pipeline(s, dot, n->pipe, &v, err);
    if (rc == 0 && tmpl_truth(s->ty, v))
      rc = walk_list(s, n->kind == N_WITH ? v : dot, n->list, f, err);
    else if (rc == 0)
      rc = walk_list(s, dot, n->else_list, f, err);
    break;
  case N_RANGE:
    rc = eval_pipeline(s, dot, n->pipe, &v, err);
    if (rc == 0)
      rc = walk_range(s, dot, n, v, f, err);
    break;
  case N_BREAK:
    *f = FLOW_BREAK;
    break;
  case N_CONTINUE:
    *f = FLOW_CONTINUE;
    break;
  case N_LIST:
    rc = walk_list(s, dot, n, f, err);
    break;
  default:
    break;
  }
  json_decref(v);
  pop_vars(s, mark);
  s->depth--;
  return rc;
}

int
berth_template_execute(const berth_template *t, json_t *data, const berth_template_options *opts,
                       char **out, size_t *out_len, berth_error **err)
{
  berth_template_options none = { 0 };
  exec_state s = { .t = t, .o = opts ? opts : &none };
  cleanup_json json_t *typed = NULL;
  if (s.o->go_type != NULL) {
    const go_type *root = tmpl_go_type(s.o->go_type);
    if (root == NULL)
      return berth_error_set(err, 0, "template: no Go type %s", s.o->go_type);
    /* a copy: each value of the data its own json_t, one type per address */
    cleanup_json json_t *copy = json_deep_copy(data);
    s.ty = tmpl_typing_new();
    typed = tmpl_typed(s.ty, copy, root);
    data = typed;
  }
  s.root = data;
  s.unwrap = s.ty == NULL && s.o->row_type == NULL && s.o->struct_type == NULL && !s.o->header;
  push_var(&s, "$", data);
  tmpl_buf_add(&s.out, &s.len, "", 0);
  flow f = FLOW_NEXT;
  int rc = walk_list(&s, data, t->root, &f, err);
  pop_vars(&s, 0);
  free(s.vars);
  tmpl_typing_free(s.ty);
  if (rc < 0) {
    free(s.out);
    return -1;
  }
  *out = s.out;
  if (out_len != NULL)
    *out_len = s.len;
  return 0;
}
