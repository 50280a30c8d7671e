/* The OCI runtime (runc), exec'd with its state under <root>/runtime/<name>. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

typedef struct berth_runtime {
  char *name;      /* "runc" */
  char *path;      /* binary to exec */
  char *state_dir; /* "<root>/runtime/<name>" */
} berth_runtime;

/* name NULL picks "runc"; path NULL looks name up in $PATH. */
berth_runtime *berth_runtime_new(const char *store_root, const char *name, const char *path);
void berth_runtime_free(berth_runtime *rt);
void berth_runtime_cleanup(berth_runtime **rt);
#define cleanup_runtime __attribute__((cleanup(berth_runtime_cleanup)))

/* Forks `<rt> --root <state> run --bundle <bundle> --pid-file <pidfile> <id>`
 * with stdin/stdout/stderr on the given fds; returns the child's pid.  The
 * child is killed (PR_SET_PDEATHSIG) when the calling process dies. */
pid_t berth_runtime_spawn_run(const berth_runtime *rt, const char *id, const char *bundle,
                              const char *pid_file, const int fds[3], berth_error **err);
/* Forks `<rt> --root <state> exec --process <process_file> <id>` with the
 * given stdio; the runtime's exit status is the process's. */
pid_t berth_runtime_spawn_exec(const berth_runtime *rt, const char *id, const char *process_file,
                               const int fds[3], berth_error **err);
/* `kill <id> <signal>`; a container the runtime no longer knows or no
 * longer runs is fine; any other failure is an error with the runtime's
 * message. */
int berth_runtime_kill(const berth_runtime *rt, const char *id, int sig, berth_error **err);
/* `pause <id>` / `resume <id>`: freeze and thaw the container's processes. */
int berth_runtime_pause(const berth_runtime *rt, const char *id, berth_error **err);
int berth_runtime_resume(const berth_runtime *rt, const char *id, berth_error **err);
/* `delete --force <id>`; an unknown container is fine; a failure that
 * leaves the runtime's state behind is an error with its message. */
int berth_runtime_delete(const berth_runtime *rt, const char *id, berth_error **err);
/* 1 when the runtime reports the container running (its pid in *pid), 0
 * otherwise. */
int berth_runtime_is_running(const berth_runtime *rt, const char *id, pid_t *pid);

/* Whether crun can start containers on this host: crun refuses cgroup v1
 * hosts whose cgroup2 mount (/sys/fs/cgroup/unified) still has controllers
 * ("cgroups in hybrid mode not supported").  cgroup_root is normally
 * "/sys/fs/cgroup". */
bool berth_runtime_crun_usable(const char *cgroup_root);

/* The runtime berth uses: requested (--runtime) or configured
 * (default-runtime) when given, else crun when found and usable, else
 * runc.  Never NULL; points into the arguments or a literal. */
const char *berth_runtime_choose(const char *requested, const char *configured, bool crun_found,
                                 bool crun_usable);
/* berth_runtime_choose() for this host: crun is looked up in $PATH and its
 * cgroup support checked at /sys/fs/cgroup. */
const char *berth_runtime_default(const char *requested, const char *configured);

/* True when name is an executable file in one of $PATH's directories. */
bool berth_runtime_in_path(const char *name);
