#include "container/caps.h"

#include <ctype.h>
#include <string.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "common/utf8.h"
#include "common/xalloc.h"

const char *const berth_caps_default[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
  NULL,
};

/* By number (linux/capability.h): the index is the capability. */
static const char *const cap_names[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS (sizeof(cap_names) / sizeof(cap_names[0]))

char *
berth_cap_normalize(const char *name)
{
  /* Docker 20.10's daemon (NormalizeLegacyCapabilities): upper case and
   * the prefix, no trimming (" chown " is "CAP_ CHOWN ", unknown). */
  char *up = xstrdup(name);
  for (char *p = up; *p != '\0'; p++)
    *p = (char)toupper((unsigned char)*p);
  if (strcmp(up, "ALL") == 0 || strncmp(up, "CAP_", 4) == 0)
    return up;
  char *with = xasprintf("CAP_%s", up);
  free(up);
  return with;
}

static int
cap_index(const char *name)
{
  for (size_t i = 0; i < N_CAPS; i++)
    if (strcmp(cap_names[i], name) == 0)
      return (int)i;
  return -1;
}

/* PR_CAPBSET_READ answers EINVAL for a capability the kernel does not
 * have, 0 or 1 (in our bounding set) for one it has. */
bool
berth_cap_known(const char *name)
{
  int i = cap_index(name);
  return i >= 0 && prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) >= 0;
}

int
berth_caps_check(const json_t *list, const char *field, berth_error **err)
{
  if (list == NULL || json_is_null(list))
    return 0;
  if (!json_is_array(list))
    return berth_error_set(err, 0, "invalid %s: not a list", field);
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e)
  {
    const char *s = json_string_value(e);
    if (s == NULL)
      return berth_error_set(err, 0, "invalid %s: not a list of strings", field);
    cleanup_free char *n = berth_cap_normalize(s);
    if (strcmp(n, "ALL") != 0 && !berth_cap_known(n)) {
      cleanup_free char *shown = berth_bytes_escape(n);
      return berth_error_set(err, 0, "invalid %s: unknown capability: \"%s\"", field, shown);
    }
  }
  return 0;
}

struct capv {
  char **v;
  size_t n;
};

static void
capv_add(struct capv *cv, const char *name)
{
  for (size_t i = 0; i < cv->n; i++)
    if (strcmp(cv->v[i], name) == 0)
      return; /* once: Docker may list one twice, the runtime needs it once */
  cv->v = xrealloc(cv->v, (cv->n + 2) * sizeof(char *));
  cv->v[cv->n++] = xstrdup(name);
  cv->v[cv->n] = NULL;
}

/* The normalized names of HostConfig list key, NULL-terminated. */
static char **
normalized(const json_t *hc, const char *key, berth_error **err)
{
  const json_t *list = json_object_get(hc, key);
  if (berth_caps_check(list, key, err) < 0)
    return NULL;
  struct capv cv = { xcalloc(1, sizeof(char *)), 0 };
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e)
  {
    cleanup_free char *n = berth_cap_normalize(json_string_value(e));
    capv_add(&cv, n);
  }
  return cv.v;
}

static bool
has(char *const *v, const char *s)
{
  for (; v != NULL && *v != NULL; v++)
    if (strcmp(*v, s) == 0)
      return true;
  return false;
}

/* Every capability the kernel has and our bounding set holds, but those
 * in except. */
static void
add_all(struct capv *cv, char *const *except)
{
  for (size_t i = 0; i < N_CAPS; i++)
    if (prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) == 1 && !has(except, cap_names[i]))
      capv_add(cv, cap_names[i]);
}

char **
berth_caps_for(const json_t *hostconfig, berth_error **err)
{
  struct capv cv = { xcalloc(1, sizeof(char *)), 0 };
  if (json_is_true(json_object_get(hostconfig, "Privileged"))) {
    /* Docker 20.10: a privileged container has them all, CapDrop or not */
    add_all(&cv, NULL);
    return cv.v;
  }
  cleanup_strv char **add = normalized(hostconfig, "CapAdd", err);
  cleanup_strv char **drop = add != NULL ? normalized(hostconfig, "CapDrop", err) : NULL;
  if (drop == NULL) {
    berth_cleanup_strvp(&cv.v);
    return NULL;
  }
  /* TweakCapabilities' order: ALL added wins over ALL dropped */
  if (has(add, "ALL")) {
    add_all(&cv, drop);
    return cv.v;
  }
  if (!has(drop, "ALL"))
    for (const char *const *d = berth_caps_default; *d != NULL; d++)
      if (!has(drop, *d))
        capv_add(&cv, *d);
  for (char **a = add; *a != NULL; a++)
    capv_add(&cv, *a);
  return cv.v;
}
