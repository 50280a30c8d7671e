/* libcurl, loaded when a registry is first used.
 *
 * Linking libcurl would map its whole dependency tree (LDAP, Kerberos,
 * libssh2, librtmp with GnuTLS, …) into every berth command: about 30 ms of
 * start-up on these machines, paid by `run`, `ps` and `images` too, though
 * only the commands that talk to a registry need it.  So the registry part
 * calls libcurl through this table, filled once by dlopen. */
#pragma once

#include <curl/curl.h>

#include "common/error.h"

typedef struct berth_curl_api {
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_perform)(CURL *);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  void (*easy_reset)(CURL *);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  char *(*easy_escape)(CURL *, const char *, int);
  void (*free)(void *);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
} berth_curl_api;

/* Loads and initialises libcurl once per process (thread-safe); later calls
 * return the same table.  Fails with a clear error when libcurl is missing. */
const berth_curl_api *berth_curl_load(berth_error **err);

/* The loaded table: only valid after berth_curl_load succeeded, which every
 * entry point of the registry part ensures. */
const berth_curl_api *berth_curl(void);
