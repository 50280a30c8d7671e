/* `info --format` and `version --format` (sysformat.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "system/config.h"
#include "system/info.h"

/* Docker's system.info for what berth has, fields in Docker's order
 * (config may be NULL; debug: the --debug flag, Docker's .Debug). */
json_t *berth_cli_info_json(const berth_info *in, const berth_config *config, bool debug);

/* Docker's system.versionInfo: .Client and .Server (berth itself: there is
 * no daemon), each with .Version, .Os, .Arch. */
json_t *berth_cli_version_json(void);

/* Runs format (the user's) over data
 * as Docker's info and version do: the output and a newline; a template
 * that does not parse is "template parsing error: …" and 64, one that
 * fails Go's error (naming type, Go's type of data) and 1.  name: Go's
 * template name ("" for info, "version" for version). */
int berth_cli_struct_format(const char *name, const char *type, const char *format, json_t *data);
