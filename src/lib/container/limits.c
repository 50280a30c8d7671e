#include "container/limits.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

static int
not_supported(const char *what, berth_error **err)
{
  /* Docker's warning, whose "Limitation discarded." berth does not do */
  return berth_error_set(err, 0, "Your kernel does not support %s or the cgroup is not mounted",
                         what);
}

int
berth_limits_check(berth_limits *l, const berth_cgroup_support *host, long ncpu, berth_error **err)
{
  if (l->memory != 0 && l->memory < BERTH_MIN_MEMORY)
    return berth_error_set(err, 0, "Minimum memory limit allowed is 6MB");
  if (l->memory > 0 && !host->memory)
    return not_supported("memory limit capabilities", err);
  bool asked_swap = l->memory_swap != 0;
  if (l->memory > 0 && l->memory_swap == 0)
    l->memory_swap = 2 * l->memory; /* Docker's default: as much swap as memory */
  if (l->memory > 0 && l->memory_swap != -1 && !host->swap) {
    if (asked_swap)
      return not_supported("swap limit capabilities", err);
    l->memory_swap = -1; /* as Docker: "Memory limited without swap" */
  }
  if (l->memory > 0 && l->memory_swap > 0 && l->memory_swap < l->memory)
    return berth_error_set(err, 0,
                           "Minimum memoryswap limit should be larger than memory limit, see "
                           "usage");
  if (l->memory == 0 && l->memory_swap > 0)
    return berth_error_set(err, 0,
                           "You should always set the Memory limit when using Memoryswap limit, "
                           "see usage");
  if (l->pids_limit > 0 && !host->pids)
    return not_supported("PIDs limit capabilities", err);
  if (l->nano_cpus > 0 && !host->cpu_cfs)
    return berth_error_set(err, 0,
                           "NanoCPUs can not be set, as your kernel does not support CPU CFS "
                           "scheduler or the cgroup is not mounted");
  if (l->nano_cpus < 0 || l->nano_cpus > (int64_t)ncpu * 1000000000LL)
    return berth_error_set(err, 0,
                           "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs "
                           "available",
                           ncpu, ncpu);
  if (l->cpu_shares > 0 && !host->cpu_shares)
    return not_supported("CPU shares", err);
  if (l->shm_size < 0)
    return berth_error_set(err, 0, "SHM size can not be less than 0");
  return 0;
}

/* --ulimit values in order, a later one of a name replacing the earlier
 * (Docker keeps them in a map by name). */
static json_t *
ulimits_json(const berth_limits *l)
{
  json_t *a = json_array();
  for (size_t i = 0; i < l->n_ulimits; i++) {
    const berth_ulimit *u = &l->ulimits[i];
    json_t *e = json_pack("{s:s, s:I, s:I}", "Name", u->name, "Hard", (json_int_t)u->hard, "Soft",
                          (json_int_t)u->soft);
    size_t j;
    json_t *old;
    bool replaced = false;
    json_array_foreach(a, j, old)
    {
      if (strcmp(json_string_value(json_object_get(old, "Name")), u->name) == 0) {
        json_array_set_new(a, j, e);
        replaced = true;
        break;
      }
    }
    if (!replaced)
      json_array_append_new(a, e);
  }
  return a;
}

void
berth_limits_hostconfig(json_t *hc, const berth_limits *l)
{
  json_object_set_new(hc, "Memory", json_integer(l->memory));
  json_object_set_new(hc, "MemorySwap", json_integer(l->memory_swap));
  json_object_set_new(hc, "NanoCpus", json_integer(l->nano_cpus));
  json_object_set_new(hc, "CpuShares", json_integer(l->cpu_shares));
  json_object_set_new(hc, "PidsLimit",
                      l->pids_limit > 0 ? json_integer(l->pids_limit) : json_null());
  json_object_set_new(hc, "Ulimits", ulimits_json(l));
  json_object_set_new(hc, "ShmSize",
                      json_integer(l->shm_size > 0 ? l->shm_size : BERTH_DEFAULT_SHM_SIZE));
  if (l->init)
    json_object_set_new(hc, "Init", json_true());
}

/* An integer field of the record: absent is 0, another type an error. */
static int
hc_int(const json_t *hc, const char *key, json_int_t *out, berth_error **err)
{
  const json_t *v = json_object_get(hc, key);
  *out = 0;
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_integer(v))
    return berth_error_set(err, 0, "HostConfig.%s in the container's record: not an integer", key);
  *out = json_integer_value(v);
  return 0;
}

bool
berth_limits_wants_init(const json_t *hc)
{
  return json_is_true(json_object_get(hc, "Init"));
}

static json_t *
ensure_object(json_t *parent, const char *key)
{
  json_t *o = json_object_get(parent, key);
  if (!json_is_object(o)) {
    o = json_object();
    json_object_set_new(parent, key, o);
  }
  return o;
}

/* linux.resources as Docker's daemon fills it (getMemoryResources,
 * getCPUResources with its 100 ms period, getPidsLimit). */
static int
apply_resources(json_t *linux_obj, const json_t *hc, berth_error **err)
{
  json_int_t memory, swap, nano, shares, pids;
  if (hc_int(hc, "Memory", &memory, err) < 0 || hc_int(hc, "MemorySwap", &swap, err) < 0
      || hc_int(hc, "NanoCpus", &nano, err) < 0 || hc_int(hc, "CpuShares", &shares, err) < 0
      || hc_int(hc, "PidsLimit", &pids, err) < 0)
    return -1;
  if (shares < 0)
    return berth_error_set(err, 0, "shares: invalid argument");
  json_t *res = ensure_object(linux_obj, "resources");
  if (memory > 0) {
    json_t *m = json_pack("{s:I}", "limit", memory);
    if (swap > 0)
      json_object_set_new(m, "swap", json_integer(swap));
    json_object_set_new(res, "memory", m);
  }
  if (shares > 0 || nano > 0) {
    json_t *cpu = json_object();
    if (shares > 0)
      json_object_set_new(cpu, "shares", json_integer(shares));
    if (nano > 0) {
      const json_int_t period = 100000;
      /* Docker's quota of 0 (--cpus under 0.00001) would be no limit at
       * all: 1 makes the kernel refuse it, as it refuses any quota under
       * 1 ms (--cpus 0.001 in Docker too) */
      json_int_t quota = nano * period / 1000000000LL;
      json_object_set_new(cpu, "quota", json_integer(quota > 0 ? quota : 1));
      json_object_set_new(cpu, "period", json_integer(period));
    }
    json_object_set_new(res, "cpu", cpu);
  }
  if (pids > 0)
    json_object_set_new(res, "pids", json_pack("{s:I}", "limit", pids));
  return 0;
}

/* "nofile" -> "RLIMIT_NOFILE" */
static char *
rlimit_type(const char *name)
{
  char *t = xasprintf("RLIMIT_%s", name);
  for (char *p = t + 7; *p != '\0'; p++)
    *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
  return t;
}

int
berth_limits_apply_rlimits(json_t *process, const json_t *hc, berth_error **err)
{
  const json_t *ulimits = json_object_get(hc, "Ulimits");
  if (ulimits == NULL || json_is_null(ulimits) || json_array_size(ulimits) == 0)
    return 0;
  if (!json_is_array(ulimits))
    return berth_error_set(err, 0, "HostConfig.Ulimits in the container's record: not an array");
  json_t *rl = json_object_get(process, "rlimits");
  if (!json_is_array(rl)) {
    rl = json_array();
    json_object_set_new(process, "rlimits", rl);
  }
  size_t i;
  json_t *u;
  json_array_foreach(ulimits, i, u)
  {
    const char *name = json_string_value(json_object_get(u, "Name"));
    json_t *hard = json_object_get(u, "Hard"), *soft = json_object_get(u, "Soft");
    if (name == NULL || strspn(name, "abcdefghijklmnopqrstuvwxyz") != strlen(name)
        || !json_is_integer(hard) || !json_is_integer(soft))
      return berth_error_set(err, 0, "HostConfig.Ulimits[%zu] in the container's record: invalid",
                             i);
    cleanup_free char *type = rlimit_type(name);
    json_t *e = json_pack("{s:s, s:O, s:O}", "type", type, "hard", hard, "soft", soft);
    /* the user's value replaces berth's default of the same type (nofile) */
    size_t j;
    json_t *old;
    bool replaced = false;
    json_array_foreach(rl, j, old)
    {
      const char *t = json_string_value(json_object_get(old, "type"));
      if (t != NULL && strcmp(t, type) == 0) {
        json_array_set_new(rl, j, e);
        replaced = true;
        break;
      }
    }
    if (!replaced)
      json_array_append_new(rl, e);
  }
  return 0;
}

/* /dev/shm's size=... option from ShmSize. */
static int
apply_shm(json_t *spec, const json_t *hc, berth_error **err)
{
  json_int_t size;
  if (hc_int(hc, "ShmSize", &size, err) < 0)
    return -1;
  if (size <= 0)
    return 0; /* a record from before ShmSize: the spec's default stays */
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(spec, "mounts"), i, m)
  {
    const char *dst = json_string_value(json_object_get(m, "destination"));
    if (dst == NULL || strcmp(dst, "/dev/shm") != 0)
      continue;
    json_t *opts = json_object_get(m, "options");
    size_t j;
    json_t *o;
    json_array_foreach(opts, j, o)
    {
      const char *s = json_string_value(o);
      if (s != NULL && strncmp(s, "size=", 5) == 0) {
        json_array_remove(opts, j);
        break;
      }
    }
    cleanup_free char *opt = xasprintf("size=%lld", (long long)size);
    json_array_append_new(opts, json_string(opt));
  }
  return 0;
}

/* Docker's --init: PID 1 is the init, the command after "--". */
static void
apply_init(json_t *spec, const char *init_path)
{
  json_t *process = json_object_get(spec, "process");
  json_t *args = json_object_get(process, "args");
  json_t *argv = json_pack("[s, s]", BERTH_INIT_TARGET, "--");
  json_array_extend(argv, args);
  json_object_set_new(process, "args", argv);
  json_t *mounts = json_object_get(spec, "mounts");
  json_array_append_new(mounts,
                        json_pack("{s:s, s:s, s:s, s:[s, s]}", "destination", BERTH_INIT_TARGET,
                                  "type", "bind", "source", init_path, "options", "bind", "ro"));
}

int
berth_limits_apply_spec(json_t *spec, const json_t *hc, const char *cgroups_path,
                        const char *init_path, berth_error **err)
{
  json_t *linux_obj = ensure_object(spec, "linux");
  if (cgroups_path != NULL)
    json_object_set_new(linux_obj, "cgroupsPath", json_string(cgroups_path));
  if (apply_resources(linux_obj, hc, err) < 0 || apply_shm(spec, hc, err) < 0
      || berth_limits_apply_rlimits(json_object_get(spec, "process"), hc, err) < 0)
    return -1;
  if (berth_limits_wants_init(hc)) {
    if (init_path == NULL)
      return berth_error_set(err, 0, "exec: \"docker-init\": executable file not found in $PATH");
    apply_init(spec, init_path);
  }
  return 0;
}

/* Only $PATH's directories are searched. */
char *
berth_limits_init_path(berth_error **err)
{
  static const char *const names[] = { "docker-init", "tini-static" };
  const char *path = getenv("PATH");
  for (size_t i = 0; i < 2; i++) {
    cleanup_free char *copy = xstrdup(path != NULL ? path : "/usr/local/bin:/usr/bin:/bin");
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
      char *p = xasprintf("%s/%s", dir, names[i]);
      if (dir[0] == '/' && access(p, X_OK) == 0)
        return p;
      free(p);
    }
  }
  berth_error_set(err, 0, "exec: \"docker-init\": executable file not found in $PATH");
  return NULL;
}
