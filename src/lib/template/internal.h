/* The template engine's parts (template.h): the lexer's tokens (lex.c),
 * the tree the parser builds (parse.c), and what evaluation shares with
 * the functions and the printer (exec.c, funcs.c, print.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "template/template.h"

/* ---- tokens of an action ------------------------------------------------ */

typedef enum tok_kind {
  TOK_CLOSE,  /* the action's }} (or -}}: lexer.trim_after) */
  TOK_FIELD,  /* .Name (text: "Name") */
  TOK_DOT,    /* . alone */
  TOK_VAR,    /* $ or $name (text: "$name") */
  TOK_IDENT,  /* a function name or keyword */
  TOK_STRING, /* "…" or `…` (text: the value; raw: as written) */
  TOK_NUMBER, /* text: as written */
  TOK_CHAR,   /* 'x' (a number: its code point) */
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_PIPE,
  TOK_DECLARE, /* := */
  TOK_ASSIGN,  /* = */
  TOK_COMMA,
  TOK_OTHER, /* another printable ASCII character: an error where it stands */
} tok_kind;

typedef struct tok {
  tok_kind kind;
  char *text; /* owned */
  char *raw;  /* owned: the token as written (strings, numbers) */
  size_t pos; /* byte offset in the whole template */
  bool space_before;
} tok;

typedef struct lexer {
  const char *src; /* the whole template */
  size_t pos;      /* the next byte */
  size_t end;      /* the template's length */
  bool trim_after; /* the action closed with " -}}" */
} lexer;

/* The next token of the action (TOK_CLOSE past its }}); an error in Go's
 * words ("unterminated quoted string", "unclosed action"). */
int tmpl_lex_next(lexer *lx, tok *out, berth_error **err);
void tmpl_tok_clear(tok *t);

/* ---- the tree ----------------------------------------------------------- */

typedef enum node_kind {
  N_TEXT,
  N_ACTION, /* {{pipeline}}: printed unless it declares or assigns */
  N_IF,
  N_RANGE,
  N_WITH,
  N_BREAK,
  N_CONTINUE,
  /* operands */
  N_FIELD,    /* a chain from dot: .A.B (fields) */
  N_VARIABLE, /* $x.A.B: name then fields */
  N_DOT,
  N_STRING,
  N_NUMBER,
  N_BOOL,
  N_NIL,
  N_IDENT, /* a function */
  N_PIPE,  /* (pipeline).A.B */
  N_COMMAND,
  N_PIPELINE,
  N_LIST,
} node_kind;

typedef struct node node;

struct node {
  node_kind kind;
  size_t pos; /* where Go says the node is (for errors) */
  char *text; /* N_TEXT's bytes, N_STRING's value, N_IDENT's and N_VARIABLE's name */
  char *raw;  /* N_STRING's and N_NUMBER's token as written */
  size_t len; /* N_TEXT's length */
  /* N_FIELD / N_VARIABLE / N_PIPE: the field names after the base */
  char **fields;
  size_t n_fields;
  json_t *value; /* N_NUMBER, N_BOOL: the constant */
  /* children: N_LIST (items), N_COMMAND (args), N_PIPELINE (commands) */
  node **kids;
  size_t n_kids;
  /* N_PIPELINE: declared or assigned variables */
  char **vars;
  size_t n_vars;
  bool is_assign;
  /* N_ACTION, N_IF, N_RANGE, N_WITH: the pipeline; N_PIPE: its pipeline */
  node *pipe;
  node *list, *else_list; /* N_IF, N_RANGE, N_WITH */
  int line;               /* N_ACTION..N_WITH: the line of the action */
};

void tmpl_node_free(node *n);
/* The node as Go's String() writes it, for "executing … at <…>". */
char *tmpl_node_string(const node *n);

struct berth_template {
  char *src;
  char *name; /* Go's template name: "" but for `version`'s "version" */
  node *root;
};

/* ---- Go's types (types.c: Docker's inspect structs; typed.c) -------------- */

typedef enum go_kind {
  GO_STRING,
  GO_BOOL,
  GO_INT,
  GO_FLOAT,
  GO_DURATION, /* time.Duration: an int that prints as 1m30s */
  GO_TIME,     /* time.Time: an RFC 3339 string that prints as Go's time.String */
  GO_SLICE,
  GO_MAP,
  GO_PTR,
  GO_STRUCT,
  GO_EMPTY, /* struct{} */
  GO_IFACE, /* interface{}: plain JSON, as without a type */
} go_kind;

typedef struct go_type go_type;

typedef struct go_field {
  const char *name; /* Go's name (NULL for an embedded struct: its type's) */
  const char *json; /* the JSON key when a tag renames it, else NULL */
  const go_type *type;
  bool embedded; /* its fields are the outer struct's (and its JSON keys) */
} go_field;

struct go_type {
  go_kind kind;
  const char *name;    /* Go's name, for %T and errors */
  const go_type *elem; /* a slice's, map's or pointer's */
  const go_field *fields;
  size_t n_fields;
  bool named_key;       /* a map keyed by a named string type (nat.Port) */
  const char *stringer; /* a pointer with a String() method: its output, {N} for field N */
};

/* A root type by Go's name ("types.ImageInspect", "types.ContainerJSON"). */
const go_type *tmpl_go_type(const char *name);

/* Which Go type each JSON value of a run stands for (a side table keyed by
 * the json_t, holding a reference to each): NULL for no run with types. */
typedef struct tmpl_typing tmpl_typing;
tmpl_typing *tmpl_typing_new(void);
void tmpl_typing_free(tmpl_typing *ty);
/* v's type, NULL when it has none (plain JSON); *nil (may be NULL): v is
 * an empty array or object standing for a nil slice or map. */
const go_type *tmpl_type_of(const tmpl_typing *ty, const json_t *v, bool *nil);
/* v (borrowed; NULL or null: absent) as a value of type t: a new
 * reference, recorded; the zero value of t when absent. */
json_t *tmpl_typed(tmpl_typing *ty, json_t *v, const go_type *t);
/* .name of a typed receiver: 1 with *out (a new reference, NULL for a
 * map's missing key), 0 when recv has no type, -1 with *why (Go's words). */
int tmpl_typed_field(tmpl_typing *ty, json_t *recv, const char *name, bool missing_key_error,
                     json_t **out, char **why);
/* index recv key for a typed recv: as tmpl_typed_field. */
int tmpl_typed_index(tmpl_typing *ty, json_t *recv, const json_t *key, json_t **out, char **why);
/* For range: 1 with *elem the elements' type when v is a typed slice or
 * map, 0 when v has no type, -1 when Go cannot range over it. */
int tmpl_typed_range(const tmpl_typing *ty, const json_t *v, const go_type **elem);
/* Go's truth for a typed struct, time or non-nil pointer: always true. */
bool tmpl_typed_always_true(const tmpl_typing *ty, const json_t *v);
/* Appends v as fmt's %v prints its Go value; deref: the template's own
 * printing, which dereferences a pointer first (print and printf don't). */
void tmpl_print_go(const tmpl_typing *ty, char **buf, size_t *len, const json_t *v, bool deref);

/* ---- evaluation ---------------------------------------------------------- */

/* A value: a json_t (a reference owned by whoever holds it), or NULL for
 * Go's "no value" (a missing map key). */
typedef struct exec_state exec_state;

/* Go's truth: false, 0, "", null, an empty array or object, no value;
 * a typed struct or non-nil pointer is true (ty may be NULL). */
bool tmpl_truth(const tmpl_typing *ty, const json_t *v);
/* Appends v as the template prints it ("<no value>" for NULL). */
void tmpl_print_value(const tmpl_typing *ty, char **buf, size_t *len, const json_t *v);
/* Appends plain JSON v as fmt's %v prints it. */
void tmpl_print_plain(char **buf, size_t *len, const json_t *v);
/* fmt.Sprint / Sprintln of args (Go's spacing rules). */
char *tmpl_sprint(const tmpl_typing *ty, json_t *const *args, size_t n, bool ln);
/* fmt.Sprintf with Go's verbs. */
char *tmpl_sprintf(const tmpl_typing *ty, const char *format, json_t *const *args, size_t n);
/* Go's type name of a value, for errors ("string", "float64", "map[string]interface {}"). */
const char *tmpl_type_name(const json_t *v);
/* encoding/json of v as Docker's json function writes it (HTML not escaped). */
char *tmpl_json(const json_t *v);
/* json.Marshal of a formatter row: keys sorted, <, > and & escaped. */
char *tmpl_json_marshal(const json_t *v);

/* A built-in function (funcs.c): args evaluated; returns a new reference
 * (or NULL for no value) and 0, or -1 with an error in Go's words. */
typedef int (*tmpl_func)(tmpl_typing *ty, json_t *const *args, size_t n, json_t **out,
                         berth_error **err);
/* and / or are evaluated lazily by exec.c: these say which they are. */
bool tmpl_func_is_lazy(const char *name, bool *is_and);
tmpl_func tmpl_func_find(const char *name);
/* Whether name is one of Docker's functions that HeaderFunctions make the
 * identity on their first argument. */
bool tmpl_func_is_header_identity(const char *name);
/* Whether name is a function Go or Docker defines (parse-time check). */
bool tmpl_func_known(const char *name);

/* Appends to a growing buffer. */
void tmpl_buf_add(char **buf, size_t *len, const char *s, size_t n);
