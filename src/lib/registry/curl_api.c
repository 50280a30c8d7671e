#include "registry/curl_api.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define LIBCURL "libcurl.so.4"

/* Written once under `once`, read-only afterwards: the process-wide state
 * libcurl itself requires (curl_global_init), not berth's. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static berth_curl_api table;
static char failure[512];

static void *
symbol(void *lib, const char *name)
{
  void *p = dlsym(lib, name);
  if (p == NULL && failure[0] == '\0')
    snprintf(failure, sizeof(failure), "%s: no symbol %s", LIBCURL, name);
  return p;
}

static void
load_once(void)
{
  void *lib = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    snprintf(failure, sizeof(failure), "%s", dlerror());
    return;
  }
  CURLcode (*global_init)(long) = (CURLcode(*)(long))symbol(lib, "curl_global_init");
  berth_curl_api t = {
    .easy_init = (CURL * (*)(void)) symbol(lib, "curl_easy_init"),
    .easy_setopt = (CURLcode(*)(CURL *, CURLoption, ...))symbol(lib, "curl_easy_setopt"),
    .easy_perform = (CURLcode(*)(CURL *))symbol(lib, "curl_easy_perform"),
    .easy_getinfo = (CURLcode(*)(CURL *, CURLINFO, ...))symbol(lib, "curl_easy_getinfo"),
    .easy_reset = (void (*)(CURL *))symbol(lib, "curl_easy_reset"),
    .easy_cleanup = (void (*)(CURL *))symbol(lib, "curl_easy_cleanup"),
    .easy_strerror = (const char *(*)(CURLcode))symbol(lib, "curl_easy_strerror"),
    .easy_escape = (char *(*)(CURL *, const char *, int))symbol(lib, "curl_easy_escape"),
    .free = (void (*)(void *))symbol(lib, "curl_free"),
    .slist_append
    = (struct curl_slist * (*)(struct curl_slist *, const char *)) symbol(lib, "curl_slist_append"),
    .slist_free_all = (void (*)(struct curl_slist *))symbol(lib, "curl_slist_free_all"),
  };
  if (failure[0] != '\0')
    return;
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    snprintf(failure, sizeof(failure), "curl_global_init failed");
    return;
  }
  table = t;
}

const berth_curl_api *
berth_curl_load(berth_error **err)
{
  pthread_once(&once, load_once);
  if (table.easy_init == NULL) {
    berth_error_set(err, 0, "registry access needs libcurl: %s", failure);
    return NULL;
  }
  return &table;
}

const berth_curl_api *
berth_curl(void)
{
  if (table.easy_init == NULL)
    abort(); /* a registry entry point forgot berth_curl_load() */
  return &table;
}
