/* The tree's nodes: freeing them, and writing them back as Go's String()
 * does (the "at <…>" of an execution error). */
#include <stdlib.h>
#include <string.h>

#include "template/internal.h"

void
tmpl_node_free(node *n)
{
  if (n == NULL)
    return;
  free(n->text);
  free(n->raw);
  for (size_t i = 0; i < n->n_fields; i++)
    free(n->fields[i]);
  free(n->fields);
  json_decref(n->value);
  for (size_t i = 0; i < n->n_kids; i++)
    tmpl_node_free(n->kids[i]);
  free(n->kids);
  for (size_t i = 0; i < n->n_vars; i++)
    free(n->vars[i]);
  free(n->vars);
  tmpl_node_free(n->pipe);
  tmpl_node_free(n->list);
  tmpl_node_free(n->else_list);
  free(n);
}

static void
add_fields(char **buf, size_t *len, const node *n)
{
  for (size_t i = 0; i < n->n_fields; i++) {
    tmpl_buf_add(buf, len, ".", 1);
    tmpl_buf_add(buf, len, n->fields[i], strlen(n->fields[i]));
  }
}

static void
node_string(char **buf, size_t *len, const node *n)
{
  switch (n->kind) {
  case N_FIELD:
  case N_DOT:
    if (n->kind == N_DOT)
      tmpl_buf_add(buf, len, ".", 1);
    add_fields(buf, len, n);
    return;
  case N_VARIABLE:
    tmpl_buf_add(buf, len, n->text, strlen(n->text));
    add_fields(buf, len, n);
    return;
  case N_STRING:
  case N_NUMBER:
    tmpl_buf_add(buf, len, n->raw, strlen(n->raw));
    return;
  case N_BOOL:
    tmpl_buf_add(buf, len, json_is_true(n->value) ? "true" : "false",
                 json_is_true(n->value) ? 4 : 5);
    return;
  case N_NIL:
    tmpl_buf_add(buf, len, "nil", 3);
    return;
  case N_IDENT:
    tmpl_buf_add(buf, len, n->text, strlen(n->text));
    return;
  case N_PIPE:
    tmpl_buf_add(buf, len, "(", 1);
    node_string(buf, len, n->pipe);
    tmpl_buf_add(buf, len, ")", 1);
    add_fields(buf, len, n);
    return;
  case N_COMMAND:
    for (size_t i = 0; i < n->n_kids; i++) {
      if (i > 0)
        tmpl_buf_add(buf, len, " ", 1);
      node_string(buf, len, n->kids[i]);
    }
    return;
  case N_PIPELINE:
    for (size_t i = 0; i < n->n_vars; i++) {
      if (i > 0)
        tmpl_buf_add(buf, len, ", ", 2);
      tmpl_buf_add(buf, len, n->vars[i], strlen(n->vars[i]));
    }
    if (n->n_vars > 0)
      tmpl_buf_add(buf, len, n->is_assign ? " = " : " := ", n->is_assign ? 3 : 4);
    for (size_t i = 0; i < n->n_kids; i++) {
      if (i > 0)
        tmpl_buf_add(buf, len, " | ", 3);
      node_string(buf, len, n->kids[i]);
    }
    return;
  case N_TEXT:
    tmpl_buf_add(buf, len, n->text, n->len);
    return;
  case N_ACTION:
    tmpl_buf_add(buf, len, "{{", 2);
    node_string(buf, len, n->pipe);
    tmpl_buf_add(buf, len, "}}", 2);
    return;
  case N_LIST:
    for (size_t i = 0; i < n->n_kids; i++)
      node_string(buf, len, n->kids[i]);
    return;
  case N_IF:
  case N_RANGE:
  case N_WITH: {
    const char *kw = n->kind == N_IF ? "{{if " : n->kind == N_RANGE ? "{{range " : "{{with ";
    tmpl_buf_add(buf, len, kw, strlen(kw));
    node_string(buf, len, n->pipe);
    tmpl_buf_add(buf, len, "}}", 2);
    node_string(buf, len, n->list);
    if (n->else_list != NULL) {
      tmpl_buf_add(buf, len, "{{else}}", 8);
      node_string(buf, len, n->else_list);
    }
    tmpl_buf_add(buf, len, "{{end}}", 7);
    return;
  }
  case N_BREAK:
    tmpl_buf_add(buf, len, "{{break}}", 9);
    return;
  case N_CONTINUE:
    tmpl_buf_add(buf, len, "{{continue}}", 12);
    return;
  default:
    return;
  }
}

char *
tmpl_node_string(const node *n)
{
  char *buf = NULL;
  size_t len = 0;
  tmpl_buf_add(&buf, &len, "", 0);
  node_string(&buf, &len, n);
  return buf;
}
