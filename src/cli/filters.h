/* --filter/-f as Docker's filters.Args holds and matches them: a set of
 * key=value pairs; values of one key are ORed, different keys ANDed
 * (except label, where every value must match, as Docker's MatchKVList
 * does).  Then the predicates of `images` and `ps` over those. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "common/strset.h"
#include "container/container.h"
#include "images/list.h"

typedef struct berth_filters {
  berth_strset pairs; /* "key=value", the key lower-cased and trimmed */
} berth_filters;

/* Adds one --filter argument (outside input: any bytes).  0, or Docker's
 * usage error (`invalid argument "foo" for "-f, --filter" flag: bad format
 * of filter (expected name=value)`) printed and 125. */
int berth_filters_add(berth_cli *cli, const char *cmd, berth_filters *f, const char *arg);
void berth_filters_clear(berth_filters *f);
void berth_filters_cleanup(berth_filters **f);
#define cleanup_filters __attribute__((cleanup(berth_filters_cleanup)))
bool berth_filters_has(const berth_filters *f, const char *key);
/* The values of key, NULL-terminated (the strings are f's). */
const char **berth_filters_values(const berth_filters *f, const char *key);
/* A key not in accepted (NULL-terminated): Docker's "Invalid filter
 * 'foo'" with errnum EINVAL, -1. */
int berth_filters_validate(const berth_filters *f, const char *const *accepted, berth_error **err);
/* Docker's MatchKVList: every label=k or label=k=v present in labels. */
bool berth_filters_match_labels(const berth_filters *f, const char *key, const json_t *labels);
/* Docker's Match: key absent, or some value equal to s or an (extended)
 * regular expression found in s; a value that does not compile matches
 * nothing. */
bool berth_filters_match(const berth_filters *f, const char *key, const char *s);

/* `images --filter`: dangling, label, before, since, reference. */
typedef struct berth_image_filter {
  const berth_filters *f;
  int dangling; /* -1: no filter, 0: dangling=false, 1: dangling=true */
  bool has_before, has_since;
  int64_t before, since; /* the named images' creation times */
  const char **refs;     /* reference patterns (and the positional one), or NULL */
} berth_image_filter;

/* Checks the keys and values as Docker's daemon does, in its order. */
int berth_image_filter_init(berth_image_filter *flt, berth_store *s, const berth_filters *f,
                            const char *positional, berth_error **err);
void berth_image_filter_clear(berth_image_filter *flt);
/* before, since and label on one image (references and dangling are the
 * caller's: they depend on the names it shows). */
bool berth_image_filter_keep(const berth_image_filter *flt, berth_store *s,
                             const berth_image_summary *im);

/* `ps --filter`: id, name, label, status, exited, ancestor, before,
 * since, volume. */
typedef struct berth_ps_filter {
  const berth_filters *f;
  int *exited;
  size_t n_exited;
  bool all;                   /* a status filter shows stopped ones */
  char before[65], since[65]; /* container ids, "" when none */
  bool ancestor;              /* an ancestor filter was given */
  berth_strset images;        /* its images and their descendants */
} berth_ps_filter;

int berth_ps_filter_init(berth_ps_filter *flt, berth_store *s, const berth_filters *f,
                         berth_error **err);
void berth_ps_filter_clear(berth_ps_filter *flt);
/* Walked newest first: 1 show c, 0 skip it, -1 stop here (since). */
int berth_ps_filter_step(berth_ps_filter *flt, const berth_container *c, bool all);
