/* Typed field access for untrusted JSON objects (jansson): each getter checks
 * the type and names the field in its error.  Used by the document readers of
 * this folder. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Parses a whole buffer as one JSON object: duplicate keys and NUL bytes in
 * strings are refused, so that no two readers can see different documents. */
json_t *berth_json_parse_object(const char *data, size_t len, berth_error **err);

/* A field that is null counts as absent, as Go reads it.
 * *out points into obj (or is NULL when the field is absent and not
 * required).  A present field of another type is an error. */
int berth_json_get_string(json_t *obj, const char *key, bool required, const char **out,
                          berth_error **err);

/* A copy of the string field (NULL when absent and not required). */
int berth_json_dup_string(json_t *obj, const char *key, bool required, char **out,
                          berth_error **err);

/* An integer field; absent → *out = dflt unless required. */
int berth_json_get_int(json_t *obj, const char *key, bool required, int64_t dflt, int64_t *out,
                       berth_error **err);

/* *out is the object (or NULL when absent and not required). */
int berth_json_get_object(json_t *obj, const char *key, bool required, json_t **out,
                          berth_error **err);

/* *out is the array (or NULL when absent and not required). */
int berth_json_get_array(json_t *obj, const char *key, bool required, json_t **out,
                         berth_error **err);

/* A boolean field; absent → false. */
int berth_json_get_bool(json_t *obj, const char *key, bool *out, berth_error **err);
