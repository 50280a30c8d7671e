/* The instructions that change an image's Config (`commit -c`, and the
 * metadata steps of a build): CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, WORKDIR,
 * USER, VOLUME, STOPSIGNAL. */
#pragma once

#include <jansson.h>

#include "common/error.h"

/* Applies one -c instruction (untrusted user input) to a Docker Config
 * object: CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, WORKDIR, USER, VOLUME,
 * STOPSIGNAL, in JSON form (["a","b"]) or shell form.  Anything else is an
 * error naming the instruction. */
int berth_config_apply_change(json_t *config, const char *instr, berth_error **err);
