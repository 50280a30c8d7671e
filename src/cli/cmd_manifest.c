#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "reference/reference.h"

static int
usage(void)
{
  puts("Usage:  berth manifest inspect NAME[:TAG|@DIGEST]\n\n"
       "Display an image manifest, or manifest list, exactly as the registry serves it");
  return 0;
}

/* Re-indents the registry's document with three spaces, as `docker
 * manifest inspect` prints it, keeping the registry's key order. */
static int
print_document(const char *data, size_t len, berth_error **err)
{
  json_error_t jerr;
  cleanup_json json_t *doc = json_loadb(data, len, JSON_DECODE_ANY, &jerr);
  if (doc == NULL)
    return berth_error_set(err, 0, "manifest is not JSON: %s", jerr.text);
  cleanup_free char *out = json_dumps(doc, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
  printf("%s\n", out);
  return 0;
}

static int
inspect(berth_cli *cli, const char *name)
{
  cleanup_error berth_error *err = NULL;
  cleanup_reference berth_reference *ref = berth_reference_parse_normalized(name, &err);
  if (ref == NULL) {
    fprintf(stderr, "%s\n", berth_error_message(err));
    return 1;
  }
  berth_reference_default_tag(ref);
  berth_registry *reg = berth_registry_new(ref->domain, ref->path, &cli->registry, &err);
  if (reg == NULL)
    return berth_cli_fail(cli, err);
  berth_fetched_manifest m = { 0 };
  int r = berth_registry_get_manifest(reg, ref->digest ? ref->digest : ref->tag, &m, &err);
  berth_registry_free(reg);
  if (r == 0)
    r = print_document(m.data, m.len, &err);
  berth_fetched_manifest_clear(&m);
  if (r < 0) {
    if (berth_error_errno(err) == ENOENT) {
      cleanup_free char *familiar = berth_reference_familiar_string(ref);
      berth_error_clear(&err); /* Docker's words replace the registry's */
      berth_error_set(&err, 0, "no such manifest: %s", familiar);
    }
    return berth_cli_fail(cli, err);
  }
  return 0;
}

int
berth_cmd_manifest(berth_cli *cli, int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
    return argc < 2 ? (usage(), 125) : usage();
  if (strcmp(argv[1], "inspect") != 0)
    return berth_cli_usage_error(cli, "manifest", "unknown command \"%s\"", argv[1]);
  if (argc != 3)
    return berth_cli_usage_error(cli, "manifest inspect",
                                 "\"manifest inspect\" requires exactly 1 argument.");
  return inspect(cli, argv[2]);
}
