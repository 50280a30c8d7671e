/* Docker's container.Config as its daemon re-encodes it: every key in the Go
 * struct's order, Docker's defaults for absent ones, omitempty keys left out
 * when empty, unknown keys dropped. */
#pragma once

#include <jansson.h>

/* src is an untrusted "config"/"container_config" object (NULL or a non-object
 * gives all defaults); a value of the wrong JSON type counts as absent. */
json_t *berth_container_config_json(const json_t *src);
