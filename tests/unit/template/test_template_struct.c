/* Templates over Docker's info and version structs: the template's name in
 * Go's errors (version's "version"), a struct's missing field as Go's
 * "can't evaluate field", {{json .}} in the struct's own field order. */
#include <jansson.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "template/template.h"

TEST(named_errors)
{
  cleanup_error berth_error *err = NULL;
  cleanup_template berth_template *bad = berth_template_parse_named("version", "{{.Foo", &err);
  CHECK(bad == NULL);
  CHECK_STR(berth_error_message(err), "template: version:1: unclosed action");
  berth_error_clear(&err);
  cleanup_json json_t *data = json_pack("{s:{s:s}}", "Client", "Os", "linux");
  cleanup_template berth_template *t = berth_template_parse_named("version", "{{.Foo}}", &err);
  berth_template_options o = { .struct_type = "system.versionInfo" };
  cleanup_free char *out = NULL;
  CHECK(t != NULL && berth_template_execute(t, data, &o, &out, NULL, &err) < 0);
  CHECK_STR(berth_error_message(err), "template: version:1:2: executing \"version\" at <.Foo>: "
                                      "can't evaluate field Foo in type system.versionInfo");
  /* the unnamed parse keeps Docker's formatter's "" */
  berth_error_clear(&err);
  cleanup_template berth_template *u = berth_template_parse("{{.Foo", &err);
  CHECK_STR(berth_error_message(err), "template: :1: unclosed action");
}

TEST(struct_json_order)
{
  cleanup_json json_t *data = json_object();
  json_object_set_new(data, "Zeta", json_string("<z>"));
  json_object_set_new(data, "Alpha", json_integer(1));
  cleanup_error berth_error *err = NULL;
  cleanup_template berth_template *t = berth_template_parse("{{json .}} {{.Alpha}}", &err);
  berth_template_options o = { .struct_type = "system.info" };
  cleanup_free char *out = NULL;
  CHECK(t != NULL && berth_template_execute(t, data, &o, &out, NULL, &err) == 0);
  /* field order kept, no HTML escaping (Docker's json sets SetEscapeHTML(false)) */
  CHECK_STR(out, "{\"Zeta\":\"<z>\",\"Alpha\":1} 1");
}

int
main(void)
{
  RUN(named_errors);
  RUN(struct_json_order);
  DONE();
}
