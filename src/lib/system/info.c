#include "system/info.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "container/runtime.h"
#include "container/seccomp.h"

typedef struct strv {
  char **v;
  size_t n;
} strv;

static void
strv_add_unique(strv *l, const char *s)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i], s) == 0)
      return;
  l->v = xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
  l->v[l->n++] = xstrdup(s);
  l->v[l->n] = NULL;
}

/* PRETTY_NAME from /etc/os-release (the host's own file), unquoted. */
static char *
os_pretty_name(void)
{
  cleanup_free char *data = NULL;
  size_t len;
  berth_error *err = NULL;
  if (berth_read_file_at(AT_FDCWD, "/etc/os-release", &data, &len, &err) < 0) {
    berth_error_free(err);
    return xstrdup("<unknown>");
  }
  for (char *line = data; line != NULL && *line;) {
    char *next = strchr(line, '\n');
    if (next != NULL)
      *next++ = '\0';
    if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
      char *v = line + 12;
      size_t n = strlen(v);
      if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
        return xstrndup(v + 1, n - 2);
      return xstrdup(v);
    }
    line = next;
  }
  return xstrdup("<unknown>");
}

static size_t
count_entries(int dirfd, const char *path)
{
  int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return 0;
  }
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    n += e->d_name[0] != '.';
  return n;
}

static void
gather_runtimes(const berth_config *config, berth_info *out)
{
  strv rt = { xcalloc(1, sizeof(char *)), 0 };
  for (char **p = config ? config->runtime_names : NULL; p != NULL && *p; p++)
    strv_add_unique(&rt, *p);
  /* crun is listed only where it can start containers (probed once) */
  bool crun_found = berth_runtime_in_path("crun");
  bool crun_usable = crun_found && berth_runtime_crun_usable("/sys/fs/cgroup");
  if (crun_usable)
    strv_add_unique(&rt, "crun");
  if (berth_runtime_in_path("runc"))
    strv_add_unique(&rt, "runc");
  qsort(rt.v, rt.n, sizeof(*rt.v), berth_strcmp_qsort);
  out->runtimes = rt.v;
  const char *def = config != NULL ? config->default_runtime : NULL;
  out->default_runtime = xstrdup(berth_runtime_choose(NULL, def, crun_found, crun_usable));
}

static void
gather_host(berth_info *out)
{
  struct utsname u;
  if (uname(&u) == 0) {
    out->kernel_version = xstrdup(u.release);
    out->architecture = xstrdup(u.machine);
  } else {
    out->kernel_version = xstrdup("<unknown>");
    out->architecture = xstrdup("<unknown>");
  }
  out->operating_system = os_pretty_name();
  out->cpus = sysconf(_SC_NPROCESSORS_ONLN);
  struct sysinfo si;
  out->total_memory = sysinfo(&si) == 0 ? (long long)si.totalram * si.mem_unit : 0;
}

/* Docker lists seccomp when the kernel has it (a Seccomp: line in
 * /proc/self/status), with the configured profile's path or "default"
 * (Docker's own profile); the fallback profile, when that is the one
 * read, by its path: it is not Docker's default. */
static void
gather_security(const berth_config *config, berth_info *out)
{
  strv sec = { xcalloc(1, sizeof(char *)), 0 };
  cleanup_free char *status = NULL;
  size_t len;
  if (berth_read_file_at(AT_FDCWD, "/proc/self/status", &status, &len, NULL) == 0
      && strstr(status, "\nSeccomp:") != NULL) {
    const char *p = config != NULL ? config->seccomp_profile : NULL;
    if (p == NULL && strcmp(berth_seccomp_default_path(), BERTH_SECCOMP_DEFAULT_PROFILE) != 0)
      p = BERTH_SECCOMP_FALLBACK_PROFILE;
    cleanup_free char *opt = xasprintf("name=seccomp,profile=%s", p != NULL ? p : "default");
    strv_add_unique(&sec, opt);
  }
  out->security_options = sec.v;
}

int
berth_info_gather(berth_store *s, const berth_config *config, berth_info *out, berth_error **err)
{
  memset(out, 0, sizeof(*out));
  cleanup_strv char **ids = berth_store_image_list(s, err);
  if (ids == NULL)
    return -1;
  while (ids[out->images] != NULL)
    out->images++;
  out->containers = count_entries(berth_store_root_fd(s), "containers");
  if (berth_store_backing_fs(s, &out->backing_fs, &out->d_type, err) < 0)
    return -1;
  out->root_dir = xstrdup(berth_store_root(s));
  strv reg = { xcalloc(1, sizeof(char *)), 0 };
  for (char **p = config ? config->insecure_registries : NULL; p != NULL && *p; p++)
    strv_add_unique(&reg, *p);
  strv_add_unique(&reg, "127.0.0.0/8");
  out->insecure_registries = reg.v;
  gather_runtimes(config, out);
  gather_host(out);
  gather_security(config, out);
  return 0;
}

static void
free_strv(char **v)
{
  for (char **p = v; p != NULL && *p; p++)
    free(*p);
  free(v);
}

void
berth_info_clear(berth_info *info)
{
  free(info->backing_fs);
  free(info->root_dir);
  free_strv(info->insecure_registries);
  free_strv(info->runtimes);
  free(info->default_runtime);
  free(info->kernel_version);
  free(info->operating_system);
  free(info->architecture);
  free_strv(info->security_options);
  memset(info, 0, sizeof(*info));
}
