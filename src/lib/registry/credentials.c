#include "registry/credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "registry/endpoint.h"
#include "registry/errors.h"

#define CONFIG_NAME "config.json"

char *
berth_credentials_config_dir(const berth_registry_options *opts)
{
  if (opts != NULL && opts->docker_config_dir != NULL)
    return xstrdup(opts->docker_config_dir);
  const char *env = getenv("DOCKER_CONFIG");
  if (env != NULL && *env != '\0')
    return xstrdup(env);
  const char *home = getenv("HOME");
  if (home == NULL || *home == '\0') {
    struct passwd *pw = getpwuid(getuid());
    home = pw != NULL ? pw->pw_dir : "/";
  }
  return xasprintf("%s/.docker", home);
}

char *
berth_credentials_encode(const char *user, const char *password)
{
  cleanup_free char *plain = xasprintf("%s:%s", user, password);
  size_t n = strlen(plain);
  char *out = xmalloc(4 * ((n + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)plain, (int)n);
  return out;
}

int
berth_credentials_decode(const char *auth, char **user, char **password)
{
  size_t n = strlen(auth);
  if (n == 0 || n % 4 != 0 || n > 65536)
    return -1;
  cleanup_free unsigned char *buf = xmalloc(n / 4 * 3 + 1);
  int got = EVP_DecodeBlock(buf, (const unsigned char *)auth, (int)n);
  if (got < 0)
    return -1;
  size_t len = (size_t)got;
  for (size_t i = n; i > 0 && auth[i - 1] == '='; i--)
    len--; /* EVP_DecodeBlock counts the padding as zero bytes */
  const unsigned char *colon = memchr(buf, ':', len);
  if (colon == NULL || memchr(buf, '\0', len) != NULL)
    return -1;
  *user = xstrndup((const char *)buf, (size_t)(colon - buf));
  *password = xstrndup((const char *)colon + 1, len - (size_t)(colon - buf) - 1);
  return 0;
}

/* Loads config.json from dir; a missing file gives an empty object. */
static json_t *
load_config(const char *dir, berth_error **err)
{
  cleanup_free char *path = xasprintf("%s/" CONFIG_NAME, dir);
  cleanup_free char *data = NULL;
  size_t len = 0;
  berth_error *local = NULL;
  if (berth_read_file_at(AT_FDCWD, path, &data, &len, &local) < 0) {
    if (berth_error_errno(local) == ENOENT) {
      berth_error_free(local);
      return json_object();
    }
    berth_error_propagate(err, &local);
    return NULL;
  }
  json_error_t jerr;
  json_t *root = json_loadb(data, len, 0, &jerr);
  if (!json_is_object(root)) {
    json_decref(root);
    berth_registry_error_set(err, EINVAL, "%s: not a JSON object: %s", path,
                             root ? "wrong type" : jerr.text);
    return NULL;
  }
  return root;
}

/* The key in auths that holds domain's credentials: the canonical one, else
 * any key naming the same host (URLs with scheme or path included). */
static const char *
find_key(json_t *auths, const char *domain)
{
  cleanup_free char *canon = berth_endpoint_creds_key(domain);
  if (json_object_get(auths, canon) != NULL)
    return json_object_iter_key(json_object_iter_at(auths, canon));
  cleanup_free char *want = berth_endpoint_key_domain(domain);
  const char *key;
  json_t *v;
  json_object_foreach(auths, key, v)
  {
    cleanup_free char *have = berth_endpoint_key_domain(key);
    if (strcmp(have, want) == 0)
      return key;
  }
  return NULL;
}

int
berth_credentials_get(const berth_registry_options *opts, const char *domain, char **user,
                      char **password, berth_error **err)
{
  cleanup_free char *dir = berth_credentials_config_dir(opts);
  cleanup_json json_t *root = load_config(dir, err);
  if (root == NULL)
    return -1;
  json_t *auths = json_object_get(root, "auths");
  const char *key = json_is_object(auths) ? find_key(auths, domain) : NULL;
  if (key == NULL)
    return 0;
  json_t *entry = json_object_get(auths, key);
  const char *auth = json_string_value(json_object_get(entry, "auth"));
  if (auth != NULL && *auth != '\0') {
    if (berth_credentials_decode(auth, user, password) < 0)
      return berth_registry_error_set(err, EINVAL, "%s/" CONFIG_NAME ": invalid auth for %s", dir,
                                      key);
    return 1;
  }
  const char *u = json_string_value(json_object_get(entry, "username"));
  const char *p = json_string_value(json_object_get(entry, "password"));
  if (u == NULL || p == NULL)
    return 0;
  *user = xstrdup(u);
  *password = xstrdup(p);
  return 1;
}

static int
save_config(const char *dir, json_t *root, berth_error **err)
{
  if (berth_mkdir_p_at(AT_FDCWD, dir, 0700, err) < 0)
    return -1;
  cleanup_free char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
  cleanup_free char *body = xasprintf("%s\n", text);
  cleanup_free char *path = xasprintf("%s/" CONFIG_NAME, dir);
  if (berth_write_file_atomic_at(AT_FDCWD, path, body, strlen(body), 0600, err) < 0)
    return berth_error_prefix(err, "save credentials");
  return 0;
}

/* Removes every key of auths naming domain; returns how many. */
static int
remove_keys(json_t *auths, const char *domain)
{
  int n = 0;
  const char *key;
  while ((key = find_key(auths, domain)) != NULL) {
    cleanup_free char *copy = xstrdup(key);
    json_object_del(auths, copy);
    n++;
  }
  return n;
}

int
berth_credentials_store(const berth_registry_options *opts, const char *domain, const char *user,
                        const char *password, berth_error **err)
{
  cleanup_free char *dir = berth_credentials_config_dir(opts);
  cleanup_json json_t *root = load_config(dir, err);
  if (root == NULL)
    return -1;
  json_t *auths = json_object_get(root, "auths");
  if (!json_is_object(auths)) {
    auths = json_object();
    json_object_set_new(root, "auths", auths);
  }
  remove_keys(auths, domain);
  cleanup_free char *key = berth_endpoint_creds_key(domain);
  cleanup_free char *auth = berth_credentials_encode(user, password);
  json_object_set_new(auths, key, json_pack("{s:s}", "auth", auth));
  return save_config(dir, root, err);
}

int
berth_credentials_erase(const berth_registry_options *opts, const char *domain, berth_error **err)
{
  cleanup_free char *dir = berth_credentials_config_dir(opts);
  cleanup_json json_t *root = load_config(dir, err);
  if (root == NULL)
    return -1;
  json_t *auths = json_object_get(root, "auths");
  if (!json_is_object(auths) || remove_keys(auths, domain) == 0)
    return 1;
  return save_config(dir, root, err) < 0 ? -1 : 0;
}
