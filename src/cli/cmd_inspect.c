#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/inspect.h"
#include "container/ops.h"
#include "container/size.h"
#include "flags.h"
#include "images/inspect.h"
#include "images/resolve.h"
#include "template/template.h"

/* inspect's help, or image inspect's or container inspect's (the same
 * command: images first, then containers), each in Docker's words. */
static const berth_cmd_spec *
inspect_spec(const berth_cli *cli)
{
  static const berth_flag flags[] = {
    { "format", 'f', "string", "Format the output using the given Go template" },
    { "size", 's', NULL, "Display total file sizes if the type is container" },
    { 0 },
  };
  static const berth_flag container_flags[] = {
    { "format", 'f', "string", "Format the output using the given Go template" },
    { "size", 's', NULL, "Display total file sizes" },
    { 0 },
  };
  static const berth_flag image_flags[] = {
    { "format", 'f', "string", "Format the output using the given Go template" },
    { 0 },
  };
  static const berth_cmd_spec top = { "berth inspect [OPTIONS] NAME|ID [NAME|ID...]",
                                      "Return low-level information on images and containers",
                                      flags, .min_args = 1, .max_args = BERTH_ARGS_ANY };
  static const berth_cmd_spec image = { "berth image inspect [OPTIONS] IMAGE [IMAGE...]",
                                        "Display detailed information on one or more images",
                                        image_flags, .min_args = 1, .max_args = BERTH_ARGS_ANY };
  static const berth_cmd_spec container
      = { "berth container inspect [OPTIONS] CONTAINER [CONTAINER...]",
          "Display detailed information on one or more containers", container_flags, .min_args = 1,
          .max_args = BERTH_ARGS_ANY };
  if (strcmp(cli->form, "image inspect") == 0)
    return &image;
  return strcmp(cli->form, "container inspect") == 0 ? &container : &top;
}

/* Images first, then containers, as the brief for berth says Docker
 * does; NULL when name is no container either. */
static json_t *
container_json(berth_store *s, const char *name, bool size)
{
  cleanup_container berth_container *c = NULL;
  if (berth_container_find(s, name, &c, NULL) < 0)
    return NULL;
  berth_container_refresh(s, c, NULL);
  json_t *j = berth_container_inspect(s, c);
  long long rw, rootfs;
  if (!size || berth_container_sizes(s, c, &rw, &rootfs, NULL) < 0)
    return j;
  /* Docker's --size: SizeRw and SizeRootFs, where ContainerJSONBase has
   * them (after GraphDriver) */
  json_t *out = json_object();
  const char *key;
  json_t *v;
  json_object_foreach(j, key, v)
  {
    json_object_set(out, key, v);
    if (strcmp(key, "GraphDriver") == 0) {
      json_object_set_new(out, "SizeRw", json_integer(rw));
      json_object_set_new(out, "SizeRootFs", json_integer(rootfs));
    }
  }
  json_decref(j);
  return out;
}

/* The error line for a name: Docker's "No such object" when it is neither
 * an image nor a container, else what went wrong. */
static json_t *
failure(const char *name, const berth_error *e)
{
  if (berth_error_errno(e) != ENOENT)
    return json_string(berth_error_message(e));
  json_t *m = json_sprintf("No such object: %s", name);
  return m != NULL ? m : json_string("No such object"); /* a name that is not UTF-8 */
}

/* One object through the template, as Docker's TemplateInspector runs it:
 * first over the Go struct its client decoded the JSON into (go_type),
 * and when that fails over the JSON itself with missingkey=error, whose
 * error is the one shown; the output and a newline.  Docker sets
 * missingkey=error on the template it shares between the objects, so
 * after one fallback (*fell_back) the typed runs have it too. */
static int
format_one(const berth_template *t, json_t *one, const char *go_type, bool *fell_back, char **out,
           berth_error **err)
{
  berth_template_options typed = { .go_type = go_type, .missing_key_error = *fell_back };
  cleanup_free char *text = NULL;
  if (berth_template_execute(t, one, &typed, &text, NULL, NULL) < 0) {
    *fell_back = true;
    berth_template_options raw = { .missing_key_error = true };
    if (berth_template_execute(t, one, &raw, &text, NULL, err) < 0)
      return berth_error_prefix(err, "template parsing error");
  }
  *out = xasprintf("%s\n", text);
  return 0;
}

/* Prints the inspect array of every object found (or each one through
 * --format), then one error line per name that failed (Docker's order). */
int
berth_cmd_inspect(berth_cli *cli, int argc, char **argv)
{
  berth_flag_iter it = { 0 };
  const char *format = NULL;
  bool size = false;
  int c;
  while ((c = berth_flags_next(&it, cli, inspect_spec(cli), argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    if (c == 's')
      size = true;
    else
      format = optarg; /* -f */
  }
  cleanup_error berth_error *err = NULL;
  cleanup_template berth_template *tmpl = NULL;
  if (format != NULL && format[0] != '\0') {
    tmpl = berth_template_parse(format, &err);
    if (tmpl == NULL) {
      /* Docker 20.10's words and its exit status (64), before anything
       * is looked up */
      fprintf(stderr, "template parsing error: %s\n", berth_error_message(err));
      return 64;
    }
  }
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL)
    return berth_cli_fail(cli, err);
  cleanup_json json_t *all = json_array();
  cleanup_free char *formatted = xstrdup("");
  json_t *errors = json_array();
  bool fell_back = false;
  for (int i = optind; i < argc; i++) {
    char id[BERTH_DIGEST_LEN];
    berth_error *e = NULL;
    json_t *one = berth_image_resolve(store, argv[i], id, &e) == 0
                      ? berth_image_inspect(store, id, &e)
                      : NULL;
    const char *go_type = "types.ImageInspect";
    if (one == NULL) {
      one = container_json(store, argv[i], size);
      go_type = "types.ContainerJSON";
    }
    if (one == NULL) {
      json_array_append_new(errors, failure(argv[i], e));
    } else if (tmpl != NULL) {
      char *text = NULL;
      berth_error *te = NULL;
      if (format_one(tmpl, one, go_type, &fell_back, &text, &te) < 0) {
        json_array_append_new(errors, json_string(berth_error_message(te)));
      } else {
        char *more = xasprintf("%s%s", formatted, text);
        free(formatted);
        formatted = more;
      }
      free(text);
      berth_error_free(te);
      json_decref(one);
    } else {
      json_array_append_new(all, one);
    }
    berth_error_free(e);
  }
  if (tmpl != NULL) {
    /* Docker's TemplateInspector.Flush: an empty line when nothing came out */
    fputs(formatted[0] != '\0' ? formatted : "\n", stdout);
  } else {
    cleanup_free char *text = berth_inspect_dump(all);
    fputs(text, stdout);
  }
  fflush(stdout); /* the output, then the errors, as Docker writes them */
  size_t k;
  json_t *msg;
  json_array_foreach(errors, k, msg)
  {
    const char *m = json_string_value(msg);
    /* a template's failure is Docker's "template parsing error: …" alone */
    fprintf(stderr, strncmp(m, "template parsing error", 22) == 0 ? "%s\n" : "Error: %s\n", m);
  }
  int status = json_array_size(errors) > 0 ? 1 : 0;
  json_decref(errors);
  return status;
}
