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

/* Sets key=value in the Config's Env, replacing an entry for key (also a
 * bare "key") in place, else appending, as Docker's ENV does. */
void berth_config_env_set(json_t *config, const char *key, const char *value);

/* The object member key of config (Labels, ExposedPorts, Volumes), created
 * empty when missing or not an object. */
json_t *berth_config_object_member(json_t *config, const char *key);
