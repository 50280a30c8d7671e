/* Fuzzes the container's /etc/passwd and /etc/group lookup (image content
 * is outside input): "<passwd>\0<group>\0<user spec>". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf = malloc(size + 3);
  memcpy(buf, data, size);
  buf[size] = buf[size + 1] = buf[size + 2] = '\0';
  const char *passwd = buf;
  const char *group = passwd + strlen(passwd) + 1;
  const char *spec = group <= buf + size ? group + strlen(group) + 1 : "";
  if (spec > buf + size + 2)
    spec = "";
  uid_t u;
  gid_t g;
  berth_error *err = NULL;
  berth_passwd_resolve(passwd, group, spec, &u, &g, &err);
  berth_error_free(err);
  free(buf);
  return 0;
}
