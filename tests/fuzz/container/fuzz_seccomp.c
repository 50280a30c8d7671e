/* Fuzzes the seccomp profile converter (a --security-opt seccomp=FILE
 * profile is outside input): the bytes are parsed as a profile and
 * converted for a few capability sets, architectures and kernels. */
#include <stddef.h>
#include <stdint.h>

#include "container/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char *none[] = { NULL };
  static char *some[] = { "CAP_SYS_ADMIN", "CAP_AUDIT_WRITE", "CAP_SYS_PTRACE", NULL };
  static char *const *caps[] = { none, some };
  static const berth_seccomp_host hosts[]
      = { { "amd64", 6, 1 }, { "arm64", 4, 7 }, { "s390x", 0, 0 }, { "", 255, 255 } };
  berth_error *err = NULL;
  json_t *p = berth_seccomp_profile_parse((const char *)data, size, &err);
  berth_error_free(err);
  for (size_t c = 0; p != NULL && c < 2; c++)
    for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
      json_t *out = NULL;
      err = NULL;
      berth_seccomp_convert(p, caps[c], &hosts[h], &out, &err);
      json_decref(out);
      berth_error_free(err);
    }
  json_decref(p);
  return 0;
}
