/* Options shared by every registry operation (client, login, credentials). */
#pragma once

typedef struct berth_registry_options {
  const char *docker_config_dir; /* dir holding config.json; NULL = $DOCKER_CONFIG or ~/.docker */
  const char *certs_dir;         /* NULL = $BERTH_CERTS_D or /etc/docker/certs.d */
  char *const *insecure;         /* NULL-terminated extra insecure registries: "host:port" or CIDR
                                    ("10.0.0.0/8"); 127.0.0.0/8 and localhost are always insecure */
  const char *actions;           /* token scope actions, NULL = "pull" (later "pull,push") */
} berth_registry_options;
