/* A container's cgroups, as runc makes them from linux.cgroupsPath
 * "berth/<id>": a relative path, so in every hierarchy the container's
 * cgroup sits under the cgroup of the process that runs the runtime (the
 * container's keeper, in the cgroup berth was started in), as runc resolves
 * it.  The keeper records the directories before it starts the runtime, so
 * that whoever cleans up after a SIGKILL (rm, the next command's refresh)
 * removes exactly those, from any cgroup.  Also: what the host's cgroups
 * can limit, and whether the memory cgroup OOM-killed the container. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "container/limits.h"

/* "berth/<id>", for linux.cgroupsPath. */
char *berth_cgroup_path_of(const char *id);

/* The directory of rel (a path under the process's own cgroup) in every
 * cgroup hierarchy mounted, from the texts of /proc/self/mountinfo and
 * /proc/self/cgroup (trusted: the kernel's); NULL-terminated.  The one of
 * the memory controller is *memory_dir when that is not NULL (NULL when
 * no hierarchy has it), *memory_v2 true when it is the unified one. */
char **berth_cgroup_dirs_parse(const char *mountinfo, const char *self, const char *rel,
                               char **memory_dir, bool *memory_v2);
/* The same for this process. */
char **berth_cgroup_dirs(const char *rel, char **memory_dir, bool *memory_v2, berth_error **err);

/* What the hierarchies of mountinfo (this process's when NULL) can limit,
 * looked up as Docker's sysinfo does (the v1 controller files at each
 * mount point, the unified hierarchy's cgroup.controllers). */
void berth_cgroup_support_probe(const char *mountinfo, const char *self, berth_cgroup_support *out);

/* Writes the directories of container id's cgroups into "cgroups" in its
 * open containers/<id> dir. */
int berth_cgroup_record_at(int dirfd, const char *id, berth_error **err);
/* Removes container id's cgroup directories (those recorded in dirfd's
 * "cgroups", else those this process would make): a directory already gone
 * is fine; one that still holds processes is left, with an error.  The
 * record names only directories of a cgroup filesystem ending in
 * "/berth/<id>"; anything else in it is ignored. */
int berth_cgroup_remove_at(int dirfd, const char *id, berth_error **err);

/* Watches the memory cgroup of a running container for OOM kills: cgroup
 * v1's memory.oom_control eventfd (cgroup.event_control), v2's
 * memory.events through inotify.  fd (-1 when nothing is watched) polls
 * readable on an event. */
typedef struct berth_oom_watch {
  int fd;         /* eventfd (v1) or inotify fd (v2) */
  int control_fd; /* memory.oom_control (v1) or memory.events (v2) */
  bool v2;
  bool oom;        /* an OOM kill seen */
  uint64_t events; /* v1: eventfd counts read while the cgroup was gone */
} berth_oom_watch;

/* Starts watching container id's memory cgroup (berth/<id> under this
 * process's cgroup, where the runtime it runs made it); an OOM kill that
 * came before is seen too.  A host without a memory hierarchy watches
 * nothing (fd -1). */
int berth_oom_watch_start(berth_oom_watch *w, const char *id, berth_error **err);
/* Reads what fd has (call when it polls readable): an OOM seen sets oom. */
void berth_oom_watch_check(berth_oom_watch *w);
/* The last look once the container has ended (killed: it ended by SIGKILL,
 * as an OOM kill ends it); closes the fds.  True when the memory cgroup
 * OOM-killed a process of the container. */
bool berth_oom_watch_finish(berth_oom_watch *w, bool killed);
