/* The template engine against Go's text/template: each row a template, the
 * data (JSON) and what Go prints, or the start of Go's error. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "template/template.h"

static const char data_json[]
    = "{\"Id\":\"sha256:abc\",\"Name\":\"/web\",\"Size\":1234,\"Ratio\":0.5,\"Big\":1000000.0,"
      "\"Running\":true,\"Nil\":null,\"Empty\":\"\",\"Zero\":0,"
      "\"Config\":{\"Env\":[\"A=1\",\"B=2\"],\"Labels\":{\"z\":\"last\",\"a\":\"first\"},"
      "\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"None\":[]},"
      "\"State\":{\"Pid\":42,\"Status\":\"running\",\"ExitCode\":0},"
      "\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"}]},"
      "\"Html\":\"<a&b>\",\"Uni\":\"caf\\u00e9 \\u2028\"}";

typedef struct row {
  const char *tmpl;
  const char *want; /* output, or with err: the error's start */
  bool err;
  bool missing_key_error;
} row;

#define OK(t, w)                                                                                   \
  {                                                                                                \
    t, w, false, false                                                                             \
  }
#define ERR(t, w)                                                                                  \
  {                                                                                                \
    t, w, true, false                                                                              \
  }
#define MISSING_ERR(t, w)                                                                          \
  {                                                                                                \
    t, w, true, true                                                                               \
  }

static const row rows[] = {
  OK("{{.Id}}", "sha256:abc"),
  OK("{{.State.Pid}}", "42"),
  OK("{{.Config.Env}}", "[A=1 B=2]"),
  OK("{{.Config.Labels}}", "map[a:first z:last]"),
  OK("{{.Missing}}", "<no value>"),
  OK("{{.Missing.Deeper}}", "<no value>"),
  /* a JSON null is an empty interface{}, which a pipeline unwraps to no value */
  OK("{{.Nil}}", "<no value>"),
  OK("{{.Nil | print}} {{print .Nil}}", "<nil> <nil>"),
  OK("{{.Ratio}} {{.Big}} {{.Size}}", "0.5 1e+06 1234"),
  OK("{{$.Name}}", "/web"),
  OK("{{with .State}}{{.Status}}{{end}}", "running"),
  OK("{{with .Missing}}yes{{else}}no{{end}}", "no"),
  OK("{{$x := .State.Pid}}{{$x}}", "42"),
  OK("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
  OK("{{(index .Ports \"80/tcp\" 0).HostPort}}", "8080"),
  OK("{{index .Config.Labels \"a\"}}", "first"),
  OK("{{index .Config.Labels \"nope\"}}", "<no value>"),
  OK("{{index .Config.Cmd 2}}", "echo hi"),
  OK("{{if .Running}}up{{else}}down{{end}}", "up"),
  OK("{{if .Empty}}a{{else if .Zero}}b{{else if .Config.None}}c{{else}}d{{end}}", "d"),
  OK("{{if eq .State.Status \"exited\" \"running\"}}match{{end}}", "match"),
  OK("{{range .Config.Env}}[{{.}}]{{end}}", "[A=1][B=2]"),
  OK("{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}", "0=A=1;1=B=2;"),
  OK("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}} {{end}}", "a:first z:last "),
  OK("{{range .Config.None}}x{{else}}empty{{end}}", "empty"),
  OK("{{range .Config.Cmd}}{{if eq . \"-c\"}}{{continue}}{{end}}{{.}},{{end}}", "sh,echo hi,"),
  OK("{{range .Config.Cmd}}{{if eq . \"-c\"}}{{break}}{{end}}{{.}}{{end}}", "sh"),
  OK("{{range $p, $c := .Ports}}{{$p}} -> {{(index $c 0).HostPort}}{{end}}", "80/tcp -> 8080"),
  OK("a  {{- .State.Pid -}}  b", "a42b"),
  OK("a {{/* a comment */}} b", "a  b"),
  OK("a {{- /* trimmed */ -}} b", "ab"),
  OK("{{-3}}", "-3"),
  OK("{{len .Config.Env}} {{len .Name}} {{len .Config.Labels}}", "2 4 2"),
  OK("{{not .Running}} {{and .Running .Zero}} {{or .Empty .Name}}", "false 0 /web"),
  OK("{{printf \"%s-%d-%v-%q\" .Name .Size .Running .Name}}", "/web-1234-true-\"/web\""),
  OK("{{printf \"%5s|%-5s|%05d|%x\" \"ab\" \"ab\" 42 255}}", "   ab|ab   |00042|ff"),
  OK("{{printf \"%d\" .Name}}", "%!d(string=/web)"),
  OK("{{printf \"a%2000000sb\" .Name}}", "a%!(NOVERB)%!(EXTRA string=/web)"),
  OK("{{printf \"%s %s\" .Name}}", "/web %!s(MISSING)"),
  OK("{{print 1 2 \"a\" \"b\" 3}}", "1 2ab3"),
  OK("{{println .Name .Size}}", "/web 1234\n"),
  OK("{{.Name | printf \"%s!\"}}", "/web!"),
  OK("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}} {{ne 1 2}}", "true true true false true"),
  OK("{{json .Config.Env}}", "[\"A=1\",\"B=2\"]"),
  OK("{{json .Html}}", "\"<a&b>\""),
  OK("{{json .Uni}}", "\"caf\xc3\xa9 \\u2028\""),
  OK("{{json .State}}", "{\"Pid\":42,\"Status\":\"running\",\"ExitCode\":0}"),
  OK("{{join .Config.Env \",\"}}", "A=1,B=2"),
  OK("{{split .Id \":\"}}", "[sha256 abc]"),
  OK("{{index (split .Id \":\") 1}}", "abc"),
  OK("{{upper .State.Status}} {{lower \"ABC\"}} {{title \"hello wide world\"}}",
     "RUNNING abc Hello Wide World"),
  OK("{{truncate .Id 6}}|{{truncate \"ab\" 6}}", "sha256|ab"),
  OK("[{{pad .State.Status 1 2}}]", "[ running  ]"),
  MISSING_ERR("{{.Missing}}",
              "template: :1:2: executing \"\" at <.Missing>: map has no entry for key \"Missing\""),
  MISSING_ERR(
      "{{.Config.Nope}}",
      "template: :1:9: executing \"\" at <.Config.Nope>: map has no entry for key \"Nope\""),
  ERR("{{.Nil.X}}",
      "template: :1:6: executing \"\" at <.Nil.X>: nil pointer evaluating interface {}.X"),
  ERR("{{.Name.X}}",
      "template: :1:7: executing \"\" at <.Name.X>: can't evaluate field X in type interface {}"),
  ERR("{{foo .Name}}", "template: :1: function \"foo\" not defined"),
  ERR("{{.Name", "template: :1: unclosed action"),
  ERR("{{if .Name}}x", "template: :1: unexpected EOF"),
  ERR("{{end}}", "template: :1: unexpected {{end}}"),
  ERR("{{$x}}", "template: :1: undefined variable \"$x\""),
  ERR("{{\"abc}}", "template: :1: unterminated quoted string"),
  ERR("{{}}", "template: :1: missing value for command"),
  ERR("{{break}}", "template: :1: {{break}} outside {{range}}"),
  ERR("{{index .Config.Cmd 9}}", "template: :1:2: executing \"\" at <index .Config.Cmd 9>: error "
                                 "calling index: index out of range: 9"),
  ERR("{{len 3}}", "template: :1:2: executing \"\" at <len 3>: error calling len: len of type int"),
  ERR("{{eq .Name 1}}", "template: :1:2: executing \"\" at <eq .Name 1>: error calling eq: "
                        "incompatible types for comparison"),
  ERR("{{range .Name}}{{end}}",
      "template: :1:8: executing \"\" at <.Name>: range can't iterate over /web"),
  ERR("\n{{.Name.X}}", "template: :2:7: executing \"\" at <.Name.X>"),
  ERR("{{.Name %}}", "template: :1: unexpected \"%\" in operand"),
};

TEST(table)
{
  json_error_t je;
  cleanup_json json_t *data = json_loads(data_json, 0, &je);
  CHECK(data != NULL);
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    const row *r = &rows[i];
    cleanup_error berth_error *err = NULL;
    cleanup_free char *out = NULL;
    size_t len = 0;
    berth_template_options o = { .missing_key_error = r->missing_key_error };
    cleanup_template berth_template *t = berth_template_parse(r->tmpl, &err);
    int rc = t == NULL ? -1 : berth_template_execute(t, data, &o, &out, &len, &err);
    if (r->err) {
      const char *m = rc < 0 ? berth_error_message(err) : "(no error)";
      if (rc == 0 || strncmp(m, r->want, strlen(r->want)) != 0) {
        printf("#   %s\n#     got:  %s\n#     want: %s\n", r->tmpl, m, r->want);
        berth_t.failed_here++;
      }
      CHECK(out == NULL);
    } else if (rc < 0 || strcmp(out, r->want) != 0) {
      printf("#   %s\n#     got:  %s\n#     want: %s\n", r->tmpl,
             rc < 0 ? berth_error_message(err) : out, r->want);
      berth_t.failed_here++;
    }
  }
}

static int
label_method(void *ctx, const json_t *dot, const char *name, json_t *const *args, size_t n,
             json_t **out, berth_error **err)
{
  (void)ctx, (void)err;
  if (strcmp(name, "Label") != 0)
    return 0;
  json_t *labels = json_object_get(dot, "Labels");
  const char *k = n == 1 ? json_string_value(args[0]) : NULL;
  json_t *v = k != NULL ? json_object_get(labels, k) : NULL;
  *out = json_string(v != NULL ? json_string_value(v) : "");
  return 1;
}

TEST(methods)
{
  cleanup_json json_t *item = json_pack("{s:s, s:{s:s}}", "ID", "abc", "Labels", "k", "v");
  berth_template_options o = { .method = label_method };
  cleanup_error berth_error *err = NULL;
  cleanup_template berth_template *t = berth_template_parse("{{.ID}} {{.Label \"k\"}}", &err);
  cleanup_free char *out = NULL;
  CHECK(t != NULL && berth_template_execute(t, item, &o, &out, NULL, &err) == 0);
  CHECK_STR(out, "abc v");
}

int
main(void)
{
  RUN(table);
  RUN(methods);
  DONE();
}
