#include "container/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

char *
berth_cgroup_path_of(const char *id)
{
  return xasprintf("berth/%s", id);
}

/* One cgroup mount of mountinfo: its mount point, the root of the hierarchy
 * it shows, whether it is cgroup2, and its super options (the v1
 * controllers: "rw,memory", "rw,cpu,cpuacct", "rw,name=systemd"). */
struct cg_mount {
  char *point, *root, *opts;
  bool v2;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape(const char *s, size_t n)
{
  char *out = xmalloc(n + 1), *o = out;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3') {
      *o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
      i += 3;
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

/* The cgroup mount of one mountinfo line, or false for another mount. */
static bool
parse_mount_line(const char *line, struct cg_mount *m)
{
  const char *f[6];
  size_t len[6];
  const char *p = line;
  for (int i = 0; i < 6; i++) { /* id parent dev root point options */
    p += strspn(p, " ");
    f[i] = p;
    len[i] = strcspn(p, " \n");
    p += len[i];
  }
  const char *dash = strstr(p, " - ");
  if (dash == NULL)
    return false;
  p = dash + 3;
  size_t tlen = strcspn(p, " \n");
  bool v1 = tlen == 6 && strncmp(p, "cgroup", 6) == 0;
  bool v2 = tlen == 7 && strncmp(p, "cgroup2", 7) == 0;
  if (!v1 && !v2)
    return false;
  p += tlen;
  p += strspn(p, " ");
  p += strcspn(p, " \n"); /* source */
  p += strspn(p, " ");
  m->point = unescape(f[4], len[4]);
  m->root = unescape(f[3], len[3]);
  m->opts = xstrndup(p, strcspn(p, " \n"));
  m->v2 = v2;
  return true;
}

static void
mount_clear(struct cg_mount *m)
{
  free(m->point);
  free(m->root);
  free(m->opts);
}

/* Whether the comma list opts has item. */
static bool
has_item(const char *opts, const char *item, size_t n)
{
  for (const char *p = opts; *p != '\0';) {
    size_t l = strcspn(p, ",");
    if (l == n && strncmp(p, item, n) == 0)
      return true;
    p += l + (p[l] == ',');
  }
  return false;
}

/* The process's path in m's hierarchy from /proc/self/cgroup: the line
 * "N:controllers:/path" whose controllers are all among m's options (v1),
 * or "0::/path" (v2). */
static char *
own_path(const char *self, const struct cg_mount *m)
{
  for (const char *line = self; line != NULL && *line != '\0';) {
    size_t n = strcspn(line, "\n");
    cleanup_free char *l = xstrndup(line, n);
    line += n + (line[n] == '\n');
    char *c1 = strchr(l, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 == NULL)
      continue;
    *c1 = *c2 = '\0';
    const char *ctrls = c1 + 1, *path = c2 + 1;
    bool match = m->v2 ? strcmp(l, "0") == 0 && ctrls[0] == '\0' : ctrls[0] != '\0';
    for (const char *p = ctrls; match && !m->v2 && *p != '\0';) {
      size_t k = strcspn(p, ",");
      match = has_item(m->opts, p, k);
      p += k + (p[k] == ',');
    }
    if (!match)
      continue;
    size_t rl = strlen(m->root);
    if (strcmp(m->root, "/") != 0 && strncmp(path, m->root, rl) == 0)
      path += rl;
    return xstrdup(path);
  }
  return NULL;
}

/* "a" + "/b/" + "c" with single slashes. */
static char *
join3(const char *a, const char *b, const char *c)
{
  size_t al = strlen(a);
  while (al > 1 && a[al - 1] == '/')
    al--;
  while (*b == '/')
    b++;
  size_t bl = strlen(b);
  while (bl > 0 && b[bl - 1] == '/')
    bl--;
  if (c == NULL || *c == '\0')
    return bl > 0 ? xasprintf("%.*s/%.*s", (int)al, a, (int)bl, b) : xasprintf("%.*s", (int)al, a);
  return bl > 0 ? xasprintf("%.*s/%.*s/%s", (int)al, a, (int)bl, b, c)
                : xasprintf("%.*s/%s", (int)al, a, c);
}

/* Calls fn for every cgroup mount with the process's path in it. */
typedef void (*mount_fn)(const struct cg_mount *m, const char *own, void *ctx);

static void
each_mount(const char *mountinfo, const char *self, mount_fn fn, void *ctx)
{
  for (const char *line = mountinfo; line != NULL && *line != '\0';) {
    size_t n = strcspn(line, "\n");
    cleanup_free char *l = xstrndup(line, n);
    line += n + (line[n] == '\n');
    struct cg_mount m;
    if (!parse_mount_line(l, &m))
      continue;
    cleanup_free char *own = own_path(self, &m);
    if (own != NULL)
      fn(&m, own, ctx);
    mount_clear(&m);
  }
}

struct dirs_ctx {
  const char *rel;
  char **v;
  size_t n;
  char *memory_dir; /* v1's memory hierarchy wins over the unified one */
  bool memory_v2;
};

/* Whether the unified hierarchy offers memory at dir's level (its
 * cgroup.controllers). */
static bool
v2_has_memory(const char *point, const char *own)
{
  cleanup_free char *path = join3(point, own, "cgroup.controllers");
  cleanup_free char *ctrls = berth_read_line_at(AT_FDCWD, path, NULL);
  for (const char *p = ctrls; p != NULL && *p != '\0';) {
    size_t k = strcspn(p, " ");
    if (k == 6 && strncmp(p, "memory", 6) == 0)
      return true;
    p += k + (p[k] == ' ');
  }
  return false;
}

static void
add_dir(const struct cg_mount *m, const char *own, void *ctx)
{
  struct dirs_ctx *d = ctx;
  char *dir = join3(m->point, own, d->rel);
  for (size_t i = 0; i < d->n; i++)
    if (strcmp(d->v[i], dir) == 0) { /* the same hierarchy mounted twice */
      free(dir);
      return;
    }
  d->v = xrealloc(d->v, (d->n + 2) * sizeof(char *));
  d->v[d->n++] = dir;
  d->v[d->n] = NULL;
  if (!m->v2 && has_item(m->opts, "memory", 6) && (d->memory_dir == NULL || d->memory_v2)) {
    free(d->memory_dir);
    d->memory_dir = xstrdup(dir);
    d->memory_v2 = false;
  } else if (m->v2 && d->memory_dir == NULL && v2_has_memory(m->point, own)) {
    d->memory_dir = xstrdup(dir);
    d->memory_v2 = true;
  }
}

char **
berth_cgroup_dirs_parse(const char *mountinfo, const char *self, const char *rel, char **memory_dir,
                        bool *memory_v2)
{
  struct dirs_ctx d = { rel, xcalloc(1, sizeof(char *)), 0, NULL, false };
  each_mount(mountinfo, self, add_dir, &d);
  if (memory_dir != NULL)
    *memory_dir = d.memory_dir;
  else
    free(d.memory_dir);
  if (memory_v2 != NULL)
    *memory_v2 = d.memory_v2;
  return d.v;
}

char **
berth_cgroup_dirs(const char *rel, char **memory_dir, bool *memory_v2, berth_error **err)
{
  cleanup_free char *mountinfo = NULL, *self = NULL;
  size_t len;
  if (berth_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, &len, err) < 0
      || berth_read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, &len, err) < 0)
    return NULL;
  return berth_cgroup_dirs_parse(mountinfo, self, rel, memory_dir, memory_v2);
}

static bool
exists_in(const char *dir, const char *name)
{
  cleanup_free char *p = join3(dir, "", name);
  return access(p, F_OK) == 0;
}

static void
probe_mount(const struct cg_mount *m, const char *own, void *ctx)
{
  (void)own;
  berth_cgroup_support *s = ctx;
  if (!m->v2) {
    if (has_item(m->opts, "memory", 6)) {
      s->memory = true;
      s->swap = exists_in(m->point, "memory.memsw.limit_in_bytes");
    }
    if (has_item(m->opts, "cpu", 3)) {
      s->cpu_shares = exists_in(m->point, "cpu.shares");
      s->cpu_cfs = exists_in(m->point, "cpu.cfs_quota_us");
    }
    s->pids |= has_item(m->opts, "pids", 4);
    return;
  }
  /* The unified hierarchy: what its root's cgroup.controllers offers (a
   * controller bound to a v1 hierarchy is not there). */
  cleanup_free char *path = join3(m->point, "", "cgroup.controllers");
  cleanup_free char *ctrls = berth_read_line_at(AT_FDCWD, path, NULL);
  for (const char *p = ctrls; p != NULL && *p != '\0';) {
    size_t k = strcspn(p, " ");
    if (k == 6 && strncmp(p, "memory", 6) == 0) {
      s->memory = true;
      cleanup_free char *dir = join3(m->point, own, NULL);
      s->swap = exists_in(dir, "memory.swap.max");
    }
    if (k == 3 && strncmp(p, "cpu", 3) == 0)
      s->cpu_shares = s->cpu_cfs = true;
    if (k == 4 && strncmp(p, "pids", 4) == 0)
      s->pids = true;
    p += k + (p[k] == ' ');
  }
}

void
berth_cgroup_support_probe(const char *mountinfo, const char *self, berth_cgroup_support *out)
{
  *out = (berth_cgroup_support){ 0 };
  cleanup_free char *mi = NULL, *sc = NULL;
  size_t len;
  if (mountinfo == NULL
      && berth_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, &len, NULL) < 0)
    return;
  if (self == NULL && berth_read_file_at(AT_FDCWD, "/proc/self/cgroup", &sc, &len, NULL) < 0)
    return;
  each_mount(mountinfo ? mountinfo : mi, self ? self : sc, probe_mount, out);
}

int
berth_cgroup_record_at(int dirfd, const char *id, berth_error **err)
{
  cleanup_free char *rel = berth_cgroup_path_of(id);
  cleanup_strv char **dirs = berth_cgroup_dirs(rel, NULL, NULL, err);
  if (dirs == NULL)
    return -1;
  size_t n = 0;
  for (char **d = dirs; *d != NULL; d++)
    n += strlen(*d) + 1;
  cleanup_free char *text = xmalloc(n + 1);
  text[0] = '\0';
  size_t k = 0;
  for (char **d = dirs; *d != NULL; d++)
    k += (size_t)snprintf(text + k, n + 1 - k, "%s\n", *d);
  /* Not synced: a reboot takes the cgroups too, and a write cut short by
   * our SIGKILL comes before the runtime is started. */
  return berth_write_file_at(dirfd, "cgroups", text, k, 0600, err);
}

/* A recorded line berth may rmdir: absolute, no "..", ending in
 * "/berth/<id>", on a cgroup filesystem. */
static bool
removable(const char *dir, const char *id)
{
  cleanup_free char *tail = xasprintf("/berth/%s", id);
  size_t n = strlen(dir), t = strlen(tail);
  struct statfs st;
  return dir[0] == '/' && strstr(dir, "/../") == NULL && n > t && strcmp(dir + n - t, tail) == 0
         && statfs(dir, &st) == 0
         && (st.f_type == CGROUP_SUPER_MAGIC || st.f_type == CGROUP2_SUPER_MAGIC);
}

int
berth_cgroup_remove_at(int dirfd, const char *id, berth_error **err)
{
  cleanup_free char *text = NULL;
  size_t len;
  cleanup_strv char **dirs = NULL;
  if (dirfd >= 0 && berth_read_file_at(dirfd, "cgroups", &text, &len, NULL) == 0) {
    size_t n = 0;
    dirs = xcalloc(1, sizeof(char *));
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
      dirs = xrealloc(dirs, (n + 2) * sizeof(char *));
      dirs[n++] = xstrdup(line);
      dirs[n] = NULL;
    }
  } else {
    cleanup_free char *rel = berth_cgroup_path_of(id);
    dirs = berth_cgroup_dirs(rel, NULL, NULL, err);
    if (dirs == NULL)
      return -1;
  }
  int ret = 0;
  for (char **d = dirs; *d != NULL; d++) {
    if (!removable(*d, id))
      continue; /* gone already (statfs fails), or not ours to remove */
    if (rmdir(*d) < 0 && errno != ENOENT)
      ret = berth_error_set(err, errno, "remove cgroup %s", *d);
  }
  if (ret == 0 && dirfd >= 0)
    unlinkat(dirfd, "cgroups", 0);
  return ret;
}

/* v1's memory.oom_control ("oom_kill N", kernel 4.13 and later) or v2's
 * memory.events ("oom_kill N"): N, 0 without such a line, or -1 when the
 * file cannot be read any more: the cgroup is gone. */
static long long
oom_kills(int fd)
{
  char buf[512];
  ssize_t n;
  while ((n = pread(fd, buf, sizeof(buf) - 1, 0)) < 0 && errno == EINTR)
    ;
  if (n < 0)
    return -1;
  buf[n] = '\0';
  const char *p = strstr(buf, "oom_kill ");
  return p != NULL ? strtoll(p + 9, NULL, 10) : 0;
}

static int
watch_v1(berth_oom_watch *w, const char *dir, berth_error **err)
{
  cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return berth_error_set(err, errno, "open %s", dir);
  w->control_fd = openat(dfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
  cleanup_close int ctl = openat(dfd, "cgroup.event_control", O_WRONLY | O_CLOEXEC);
  w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->control_fd < 0 || ctl < 0 || w->fd < 0)
    return berth_error_set(err, errno, "watch %s for OOM kills", dir);
  char line[64];
  int n = snprintf(line, sizeof(line), "%d %d", w->fd, w->control_fd);
  ssize_t r;
  while ((r = write(ctl, line, (size_t)n)) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return berth_error_set(err, errno, "watch %s for OOM kills", dir);
  return 0;
}

static int
watch_v2(berth_oom_watch *w, const char *dir, berth_error **err)
{
  cleanup_free char *events = join3(dir, "", "memory.events");
  w->control_fd = open(events, O_RDONLY | O_CLOEXEC);
  w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (w->control_fd < 0 || w->fd < 0 || inotify_add_watch(w->fd, events, IN_MODIFY) < 0)
    return berth_error_set(err, errno, "watch %s for OOM kills", events);
  return 0;
}

int
berth_oom_watch_start(berth_oom_watch *w, const char *id, berth_error **err)
{
  *w = (berth_oom_watch){ .fd = -1, .control_fd = -1 };
  cleanup_free char *dir = NULL, *rel = berth_cgroup_path_of(id);
  bool v2 = false;
  cleanup_strv char **dirs = berth_cgroup_dirs(rel, &dir, &v2, err);
  if (dirs == NULL)
    return -1;
  if (dir == NULL)
    return 0;
  w->v2 = v2;
  if ((v2 ? watch_v2(w, dir, err) : watch_v1(w, dir, err)) < 0) {
    berth_oom_watch_finish(w, false);
    return -1;
  }
  w->oom = oom_kills(w->control_fd) > 0; /* one before the watch began */
  return 0;
}

void
berth_oom_watch_check(berth_oom_watch *w)
{
  if (w->fd < 0)
    return;
  uint64_t count = 0;
  if (w->v2) {
    char buf[4096];
    while (read(w->fd, buf, sizeof(buf)) > 0)
      count++;
  } else if (read(w->fd, &count, sizeof(count)) != (ssize_t)sizeof(count)) {
    count = 0;
  }
  if (count == 0)
    return;
  long long kills = oom_kills(w->control_fd);
  if (kills >= 0) {
    /* v1 signals when the cgroup goes under OOM, before its killer has
     * picked a victim (the count may still say 0): that is the OOM kill,
     * as containerd and Docker take it.  v2's memory.events also changes
     * for other events: there the count decides. */
    w->oom |= w->v2 ? kills > 0 : true;
    return;
  }
  /* The cgroup is gone.  v1 signals the eventfd once per OOM and once more
   * when the cgroup is removed: two or more means an OOM came first. */
  if (!w->v2) {
    w->events += count;
    w->oom |= w->events >= 2;
  }
}

bool
berth_oom_watch_finish(berth_oom_watch *w, bool killed)
{
  berth_oom_watch_check(w);
  /* One event read while the cgroup was gone is its removal, or an OOM
   * whose removal event has yet to come: for a container that was killed
   * (137), wait a little for that second event. */
  if (!w->oom && !w->v2 && w->fd >= 0 && w->events == 1 && killed) {
    struct pollfd p = { w->fd, POLLIN, 0 };
    int r;
    while ((r = poll(&p, 1, 200)) < 0 && errno == EINTR)
      ;
    if (r > 0)
      berth_oom_watch_check(w);
  }
  if (w->fd >= 0)
    close(w->fd);
  if (w->control_fd >= 0)
    close(w->control_fd);
  w->fd = w->control_fd = -1;
  return w->oom;
}
