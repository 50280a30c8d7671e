/* Registry credentials in Docker's config.json ("auths": {KEY: {"auth":
 * base64("user:password")}}), read and written the way `docker login` does:
 * the file is replaced atomically, mode 0600, every other key kept. */
#pragma once

#include "common/error.h"
#include "registry/options.h"

/* The directory holding config.json: opts->docker_config_dir, else
 * $DOCKER_CONFIG, else ~/.docker. */
char *berth_credentials_config_dir(const berth_registry_options *opts);

/* 1 found (*user and *password set), 0 none, -1 error. */
int berth_credentials_get(const berth_registry_options *opts, const char *domain, char **user,
                          char **password, berth_error **err);

int berth_credentials_store(const berth_registry_options *opts, const char *domain,
                            const char *user, const char *password, berth_error **err);

/* 0 removed, 1 was not logged in, -1 error. */
int berth_credentials_erase(const berth_registry_options *opts, const char *domain,
                            berth_error **err);

/* base64 of "user:password", as the "auth" field and Basic auth carry it. */
char *berth_credentials_encode(const char *user, const char *password);

/* Decodes an untrusted "auth" value into user and password; -1 when it is
 * not base64 of "user:password". */
int berth_credentials_decode(const char *auth, char **user, char **password);
