/* Text and actions into a tree, by Go's text/template/parse grammar, with
 * its error words. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "template/internal.h"

#define LOOKAHEAD 4
/* Go's parser has no bound (its stack grows); ours is the C stack.  No
 * --format a person writes nests a thousand deep. */
#define MAX_NESTING 1000

typedef struct parser {
  const char *src;
  size_t len;
  size_t pos; /* outside actions: the next byte of text */
  lexer lx;
  tok ahead[LOOKAHEAD];
  int n_ahead;
  bool trim_text; /* the last action ended with -}} */
  char **vars;    /* declared variables in scope; "$" first */
  size_t n_vars;
  int range_depth;
  int depth;         /* of controls and parentheses: bounded, as the C stack is */
  size_t action_pos; /* where the current action starts, for its line */
  const char *name;  /* Go's template name, "" for Docker's formatters */
} parser;

typedef enum ends { END_EOF, END_END, END_ELSE } ends;

static node *
new_node(node_kind k, size_t pos)
{
  node *n = xcalloc(1, sizeof *n);
  n->kind = k;
  n->pos = pos;
  return n;
}

static void
add_kid(node *n, node *kid)
{
  n->kids = xrealloc(n->kids, (n->n_kids + 1) * sizeof *n->kids);
  n->kids[n->n_kids++] = kid;
}

static void
add_str(char ***v, size_t *n, const char *s)
{
  *v = xrealloc(*v, (*n + 1) * sizeof **v);
  (*v)[(*n)++] = xstrdup(s);
}

static int
line_of(const parser *p, size_t pos)
{
  int line = 1;
  for (size_t i = 0; i < pos && i < p->len; i++)
    line += p->src[i] == '\n';
  return line;
}

/* Go's "template: :LINE: msg". */
static int fail(parser *p, size_t pos, berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int
fail(parser *p, size_t pos, berth_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  cleanup_free char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  return berth_error_set(err, 0, "template: %s:%d: %s", p->name, line_of(p, pos), msg ? msg : "?");
}

/* A lexer error, in the same frame. */
static int
fail_lex(parser *p, berth_error **err)
{
  berth_error *lex = NULL;
  berth_error_propagate(&lex, err);
  int rc = fail(p, p->lx.pos, err, "%s", berth_error_message(lex));
  berth_error_free(lex);
  return rc;
}

static tok *
peek_n(parser *p, int i, berth_error **err)
{
  while (p->n_ahead <= i) {
    if (tmpl_lex_next(&p->lx, &p->ahead[p->n_ahead], err) < 0) {
      tmpl_tok_clear(&p->ahead[p->n_ahead]); /* what the lexer kept of it */
      fail_lex(p, err);
      return NULL;
    }
    p->n_ahead++;
  }
  return &p->ahead[i];
}

static tok *
peek(parser *p, berth_error **err)
{
  return peek_n(p, 0, err);
}

/* Drops the first token (its strings move to out when given). */
static void
take(parser *p, tok *out)
{
  if (out != NULL)
    *out = p->ahead[0];
  else
    tmpl_tok_clear(&p->ahead[0]);
  memmove(p->ahead, p->ahead + 1, (size_t)(p->n_ahead - 1) * sizeof *p->ahead);
  p->n_ahead--;
}

/* A token as Go's item.String() quotes it in errors. */
static char *
tok_describe(const tok *t)
{
  if (t->kind == TOK_CLOSE)
    return xstrdup("\"}}\"");
  const char *v = t->raw ? t->raw : "";
  if (strlen(v) > 10)
    return xasprintf("\"%.10s\"...", v);
  return xasprintf("\"%s\"", v);
}

static bool
is_keyword(const tok *t, const char *kw)
{
  return t->kind == TOK_IDENT && strcmp(t->text, kw) == 0;
}

static bool
var_declared(const parser *p, const char *name)
{
  for (size_t i = p->n_vars; i-- > 0;)
    if (strcmp(p->vars[i], name) == 0)
      return true;
  return false;
}

static void
pop_vars(parser *p, size_t to)
{
  while (p->n_vars > to)
    free(p->vars[--p->n_vars]);
}

static node *pipeline(parser *p, const char *context, bool in_range, berth_error **err);

static bool
keyword_in_operand(const tok *t)
{
  static const char *const kws[] = { "if",     "else",     "end",   "range", "with",
                                     "define", "template", "block", "break", "continue" };
  for (size_t i = 0; i < sizeof kws / sizeof *kws; i++)
    if (is_keyword(t, kws[i]))
      return true;
  return false;
}

/* A constant number: an int unless written as a float (Go's idealConstant). */
static json_t *
number_value(const char *raw, bool is_char)
{
  char *clean = xmalloc(strlen(raw) + 1);
  size_t k = 0;
  for (const char *c = raw; *c; c++)
    if (*c != '_')
      clean[k++] = *c;
  clean[k] = '\0';
  bool hex = strstr(clean, "0x") != NULL || strstr(clean, "0X") != NULL;
  json_t *v = NULL;
  if (is_char) {
    v = json_integer(strtoll(clean, NULL, 10));
  } else if (!hex && strpbrk(clean, ".eEpP") != NULL) {
    v = json_real(strtod(clean, NULL));
  } else {
    const char *d = clean;
    int sign = 1;
    if (*d == '+' || *d == '-')
      sign = *d++ == '-' ? -1 : 1;
    int base = 10;
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
      base = 16, d += 2;
    else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O'))
      base = 8, d += 2;
    else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B'))
      base = 2, d += 2;
    else if (d[0] == '0' && d[1] != '\0')
      base = 8, d += 1;
    char *end = NULL;
    long long x = strtoll(d, &end, base);
    if (end != NULL && *end == '\0' && *d != '\0')
      v = json_integer(sign * x);
  }
  free(clean);
  return v;
}

/* A term: a constant, a function, dot, a field, a variable, a (pipeline). */
static node *
term(parser *p, berth_error **err)
{
  tok *t = peek(p, err);
  if (t == NULL)
    return NULL;
  node *n = NULL;
  switch (t->kind) {
  case TOK_IDENT:
    if (keyword_in_operand(t))
      return NULL;
    if (strcmp(t->text, "true") == 0 || strcmp(t->text, "false") == 0) {
      n = new_node(N_BOOL, t->pos);
      n->value = json_boolean(strcmp(t->text, "true") == 0);
    } else if (strcmp(t->text, "nil") == 0) {
      n = new_node(N_NIL, t->pos);
    } else if (!tmpl_func_known(t->text)) {
      fail(p, t->pos, err, "function \"%s\" not defined", t->text);
      return NULL;
    } else {
      n = new_node(N_IDENT, t->pos);
      n->text = xstrdup(t->text);
    }
    break;
  case TOK_DOT:
    n = new_node(N_DOT, t->pos);
    break;
  case TOK_FIELD:
    n = new_node(N_FIELD, t->pos);
    add_str(&n->fields, &n->n_fields, t->text);
    break;
  case TOK_VAR:
    if (!var_declared(p, t->text)) {
      fail(p, t->pos, err, "undefined variable \"%s\"", t->text);
      return NULL;
    }
    n = new_node(N_VARIABLE, t->pos);
    n->text = xstrdup(t->text);
    break;
  case TOK_STRING:
    n = new_node(N_STRING, t->pos);
    n->text = xstrdup(t->text);
    n->raw = xstrdup(t->raw);
    break;
  case TOK_NUMBER:
  case TOK_CHAR:
    n = new_node(N_NUMBER, t->pos);
    n->raw = xstrdup(t->raw);
    n->value = number_value(t->kind == TOK_CHAR ? t->text : t->raw, t->kind == TOK_CHAR);
    if (n->value == NULL) {
      fail(p, t->pos, err, "illegal number syntax: \"%s\"", t->raw);
      tmpl_node_free(n);
      return NULL;
    }
    break;
  case TOK_LPAREN: {
    size_t pos = t->pos;
    if (p->depth >= MAX_NESTING) {
      fail(p, pos, err, "parentheses nested too deeply");
      return NULL;
    }
    take(p, NULL);
    p->depth++;
    node *pipe = pipeline(p, "parenthesized pipeline", false, err);
    p->depth--;
    if (pipe == NULL)
      return NULL;
    t = peek(p, err);
    if (t == NULL || t->kind != TOK_RPAREN) {
      if (t != NULL)
        fail(p, t->pos, err, "unclosed left paren");
      tmpl_node_free(pipe);
      return NULL;
    }
    n = new_node(N_PIPE, pos);
    n->pipe = pipe;
    break;
  }
  default:
    return NULL;
  }
  take(p, NULL);
  return n;
}

/* A term and the fields chained onto it (.A.B with no space between):
 * Go places a chain of fields at its second field's token. */
static node *
operand(parser *p, berth_error **err)
{
  node *n = term(p, err);
  if (n == NULL)
    return NULL;
  tok *t = peek(p, err);
  if (t == NULL)
    goto bad;
  if (t->kind != TOK_FIELD || t->space_before)
    return n;
  if (n->kind != N_FIELD && n->kind != N_VARIABLE && n->kind != N_PIPE) {
    cleanup_free char *what = tmpl_node_string(n);
    fail(p, t->pos, err, "unexpected . after term \"%s\"", what);
    goto bad;
  }
  n->pos = t->pos;
  while (t != NULL && t->kind == TOK_FIELD && !t->space_before) {
    add_str(&n->fields, &n->n_fields, t->text);
    take(p, NULL);
    t = peek(p, err);
  }
  if (t == NULL)
    goto bad;
  return n;
bad:
  tmpl_node_free(n);
  return NULL;
}

static bool
ends_command(const tok *t)
{
  return t->kind == TOK_CLOSE || t->kind == TOK_PIPE || t->kind == TOK_RPAREN;
}

/* Operands separated by spaces, up to |, ) or }}; anything else where an
 * operand or a separator should be is Go's "unexpected … in operand". */
static node *
command(parser *p, berth_error **err)
{
  tok *t = peek(p, err);
  if (t == NULL)
    return NULL;
  node *cmd = new_node(N_COMMAND, t->pos);
  for (;;) {
    node *o = operand(p, err);
    if (o == NULL && err != NULL && *err != NULL)
      goto bad;
    if (o != NULL)
      add_kid(cmd, o);
    t = peek(p, err);
    if (t == NULL)
      goto bad;
    if (ends_command(t))
      break;
    if (o == NULL || !t->space_before) {
      cleanup_free char *what = tok_describe(t);
      fail(p, t->pos, err, "unexpected %s in operand", what);
      goto bad;
    }
  }
  if (cmd->n_kids == 0) {
    fail(p, t->pos, err, "empty command");
    goto bad;
  }
  return cmd;
bad:
  tmpl_node_free(cmd);
  return NULL;
}

/* [$x :=] or [$i, $v :=] (range only) or [$x =], then commands by |. */
static node *
pipeline(parser *p, const char *context, bool in_range, berth_error **err)
{
  tok *t = peek(p, err);
  if (t == NULL)
    return NULL;
  node *pipe = new_node(N_PIPELINE, t->pos);
  if (t->kind == TOK_VAR) {
    tok *t1 = peek_n(p, 1, err);
    tok *t2 = t1 && t1->kind == TOK_COMMA ? peek_n(p, 2, err) : NULL;
    tok *t3 = t2 && t2->kind == TOK_VAR ? peek_n(p, 3, err) : NULL;
    if (t1 == NULL || (t1->kind == TOK_COMMA && (t2 == NULL || (t2->kind == TOK_VAR && !t3))))
      goto bad;
    int names = 0;
    if (t1->kind == TOK_DECLARE || t1->kind == TOK_ASSIGN)
      names = 1;
    else if (t1->kind == TOK_COMMA && t2->kind == TOK_VAR && t3->kind == TOK_DECLARE) {
      if (!in_range) {
        fail(p, t1->pos, err, "too many declarations in %s", context);
        goto bad;
      }
      names = 2;
    }
    if (names > 0) {
      bool assign = names == 1 && t1->kind == TOK_ASSIGN;
      add_str(&pipe->vars, &pipe->n_vars, t->text);
      if (names == 2)
        add_str(&pipe->vars, &pipe->n_vars, t2->text);
      if (assign && !var_declared(p, t->text)) {
        fail(p, t->pos, err, "undefined variable \"%s\"", t->text);
        goto bad;
      }
      pipe->is_assign = assign;
      for (int i = 0; i < (names == 2 ? 4 : 2); i++)
        take(p, NULL);
      if (!assign)
        for (size_t i = 0; i < pipe->n_vars; i++)
          add_str(&p->vars, &p->n_vars, pipe->vars[i]);
    }
  }
  for (;;) {
    t = peek(p, err);
    if (t == NULL)
      goto bad;
    if (t->kind == TOK_CLOSE || t->kind == TOK_RPAREN) {
      if (pipe->n_kids == 0) {
        fail(p, t->pos, err, "missing value for %s", context);
        goto bad;
      }
      return pipe;
    }
    node *cmd = command(p, err);
    if (cmd == NULL)
      goto bad;
    add_kid(pipe, cmd);
    t = peek(p, err);
    if (t == NULL)
      goto bad;
    if (t->kind == TOK_PIPE) {
      take(p, NULL);
      continue;
    }
    if (t->kind != TOK_CLOSE && t->kind != TOK_RPAREN) {
      cleanup_free char *what = tok_describe(t);
      fail(p, t->pos, err, "unexpected %s in %s", what, context);
      goto bad;
    }
  }
bad:
  tmpl_node_free(pipe);
  return NULL;
}

static int
expect_close(parser *p, const char *context, berth_error **err)
{
  tok *t = peek(p, err);
  if (t == NULL)
    return -1;
  if (t->kind != TOK_CLOSE) {
    cleanup_free char *what = tok_describe(t);
    return fail(p, t->pos, err, "unexpected %s in %s", what, context);
  }
  take(p, NULL);
  p->trim_text = p->lx.trim_after;
  p->pos = p->lx.pos; /* the text goes on after the }} */
  return 0;
}

static node *list(parser *p, ends *how, berth_error **err);

/* if / range / with after its keyword: pipeline }} list [{{else}} list]
 * {{end}}; "else if" (and "else with") nest and share the end. */
static node *
control(parser *p, node_kind kind, size_t pos, berth_error **err)
{
  static const char *const names[] = { [N_IF] = "if", [N_RANGE] = "range", [N_WITH] = "with" };
  if (p->depth >= MAX_NESTING) {
    fail(p, pos, err, "%s nested too deeply", names[kind]);
    return NULL;
  }
  size_t scope = p->n_vars;
  p->depth++;
  node *n = new_node(kind, pos);
  n->line = line_of(p, pos);
  n->pipe = pipeline(p, names[kind], kind == N_RANGE, err);
  if (n->pipe == NULL || expect_close(p, names[kind], err) < 0)
    goto bad;
  n->pos = n->pipe->pos; /* Go places a control at its pipeline */
  if (kind == N_RANGE)
    p->range_depth++;
  ends how;
  n->list = list(p, &how, err);
  if (kind == N_RANGE)
    p->range_depth--;
  if (n->list == NULL)
    goto bad;
  if (how == END_EOF) {
    fail(p, p->len, err, "unexpected EOF");
    goto bad;
  }
  if (how == END_ELSE) {
    tok *t = peek(p, err);
    if (t == NULL)
      goto bad;
    if ((kind == N_IF && is_keyword(t, "if")) || (kind == N_WITH && is_keyword(t, "with"))) {
      size_t at = t->pos;
      take(p, NULL);
      n->else_list = new_node(N_LIST, at);
      node *nested = control(p, kind, at, err);
      if (nested == NULL)
        goto bad;
      add_kid(n->else_list, nested);
      pop_vars(p, scope);
      p->depth--;
      return n;
    }
    if (expect_close(p, "else", err) < 0)
      goto bad;
    n->else_list = list(p, &how, err);
    if (n->else_list == NULL)
      goto bad;
    if (how != END_END) {
      fail(p, p->len, err, how == END_EOF ? "unexpected EOF" : "expected end; found {{else}}");
      goto bad;
    }
  }
  pop_vars(p, scope);
  p->depth--;
  return n;
bad:
  pop_vars(p, scope);
  p->depth--;
  tmpl_node_free(n);
  return NULL;
}

/* A comment action: nothing, but its trim markers. */
static int
comment(parser *p, size_t at, berth_error **err)
{
  const char *close = strstr(p->src + at + 2, "*/");
  if (close == NULL)
    return fail(p, at, err, "unclosed comment");
  size_t i = (size_t)(close - p->src) + 2;
  bool trim = false;
  if (i + 3 < p->len + 1
      && (p->src[i] == ' ' || p->src[i] == '\t' || p->src[i] == '\n' || p->src[i] == '\r')
      && strncmp(p->src + i + 1, "-}}", 3) == 0)
    i++, trim = true;
  if (strncmp(p->src + i, trim ? "-}}" : "}}", trim ? 3 : 2) != 0)
    return fail(p, at, err, "comment ends before closing delimiter");
  p->pos = i + (trim ? 3 : 2);
  p->trim_text = trim;
  return 0;
}

static bool
space_char(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The text up to the next {{ (trimmed as the markers say); *open at the
 * {{, or p->len. */
static void
text(parser *p, node *lst, size_t *open, bool *trim_before)
{
  const char *o = strstr(p->src + p->pos, "{{");
  *open = o ? (size_t)(o - p->src) : p->len;
  *trim_before = o != NULL && o[2] == '-' && space_char(o[3]);
  size_t from = p->pos, to = *open;
  if (p->trim_text)
    while (from < to && space_char(p->src[from]))
      from++;
  if (*trim_before)
    while (to > from && space_char(p->src[to - 1]))
      to--;
  p->trim_text = false;
  if (to > from) {
    node *t = new_node(N_TEXT, from);
    t->text = xstrndup(p->src + from, to - from);
    t->len = to - from;
    add_kid(lst, t);
  }
}

/* One action after {{: a control structure, else/end (ending the list),
 * or a pipeline to print. */
static int
action(parser *p, node *lst, ends *how, berth_error **err)
{
  tok *t = peek(p, err);
  if (t == NULL)
    return -1;
  size_t pos = t->pos;
  if (is_keyword(t, "end") || is_keyword(t, "else")) {
    bool end = is_keyword(t, "end");
    take(p, NULL);
    *how = end ? END_END : END_ELSE;
    return end ? expect_close(p, "end", err) : 0;
  }
  if (is_keyword(t, "if") || is_keyword(t, "range") || is_keyword(t, "with")) {
    node_kind k = is_keyword(t, "if") ? N_IF : is_keyword(t, "range") ? N_RANGE : N_WITH;
    take(p, NULL);
    node *c = control(p, k, pos, err);
    if (c == NULL)
      return -1;
    add_kid(lst, c);
    return 1;
  }
  if (is_keyword(t, "break") || is_keyword(t, "continue")) {
    bool brk = is_keyword(t, "break");
    if (p->range_depth == 0)
      return fail(p, pos, err, "{{%s}} outside {{range}}", brk ? "break" : "continue");
    take(p, NULL);
    if (expect_close(p, brk ? "break" : "continue", err) < 0)
      return -1;
    add_kid(lst, new_node(brk ? N_BREAK : N_CONTINUE, pos));
    return 1;
  }
  if (is_keyword(t, "define") || is_keyword(t, "template") || is_keyword(t, "block"))
    return fail(p, pos, err, "{{%s}} is not supported by berth's templates", t->text);
  node *a = new_node(N_ACTION, pos);
  a->line = line_of(p, pos);
  a->pipe = pipeline(p, "command", false, err);
  if (a->pipe == NULL || expect_close(p, "command", err) < 0) {
    tmpl_node_free(a);
    return -1;
  }
  add_kid(lst, a);
  return 1;
}

/* Items until {{end}}, {{else}} or the end of the text (*how says which). */
static node *
list(parser *p, ends *how, berth_error **err)
{
  node *lst = new_node(N_LIST, p->pos);
  for (;;) {
    size_t open;
    bool trim_before;
    text(p, lst, &open, &trim_before);
    if (open >= p->len) {
      p->pos = p->len;
      *how = END_EOF;
      return lst;
    }
    size_t at = open + 2 + (trim_before ? 2 : 0);
    p->action_pos = open;
    if (strncmp(p->src + at, "/*", 2) == 0) {
      if (comment(p, at, err) < 0)
        goto bad;
      continue;
    }
    p->lx = (lexer){ .src = p->src, .pos = at, .end = p->len };
    int rc = action(p, lst, how, err);
    if (rc < 0)
      goto bad;
    if (rc == 0)
      return lst;
  }
bad:
  tmpl_node_free(lst);
  return NULL;
}

berth_template *
berth_template_parse(const char *src, berth_error **err)
{
  return berth_template_parse_named("", src, err);
}

berth_template *
berth_template_parse_named(const char *name, const char *src, berth_error **err)
{
  parser p = { .src = src, .len = strlen(src), .name = name };
  add_str(&p.vars, &p.n_vars, "$");
  ends how;
  node *root = list(&p, &how, err);
  if (root != NULL && how != END_EOF) {
    fail(&p, p.pos, err, how == END_END ? "unexpected {{end}}" : "unexpected {{else}}");
    tmpl_node_free(root);
    root = NULL;
  }
  pop_vars(&p, 0);
  free(p.vars);
  for (int i = 0; i < p.n_ahead; i++)
    tmpl_tok_clear(&p.ahead[i]);
  if (root == NULL)
    return NULL;
  berth_template *t = xcalloc(1, sizeof *t);
  t->src = xstrdup(src);
  t->name = xstrdup(name);
  t->root = root;
  return t;
}

void
berth_template_free(berth_template *t)
{
  if (t == NULL)
    return;
  tmpl_node_free(t->root);
  free(t->src);
  free(t->name);
  free(t);
}

void
berth_template_cleanup(berth_template **t)
{
  berth_template_free(*t);
  *t = NULL;
}
