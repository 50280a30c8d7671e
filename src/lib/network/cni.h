/* The CNI plugins, exec'd through the CNI specification's interface
 * (containernetworking/cni SPEC.md): CNI_COMMAND, CNI_CONTAINERID,
 * CNI_NETNS, CNI_IFNAME, CNI_PATH in the environment, the plugin's network
 * configuration on stdin, its result (or its error, {code, msg, details})
 * as JSON on stdout.  A configuration list runs its plugins in order for
 * ADD and CHECK (for ADD each one's result the next one's prevResult) and
 * in reverse for DEL, with the list's name and cniVersion in every plugin's
 * configuration and the runtime's values for the capabilities a plugin
 * declares under runtimeConfig. */
#pragma once

#include <jansson.h>

#include "common/error.h"

/* Where plugins are looked for when nothing else is said: Debian's
 * containernetworking-plugins, then the upstream tarball's place. */
#define BERTH_CNI_PATH_DEFAULT "/usr/lib/cni:/opt/cni/bin"

typedef struct berth_cni_args {
  const char *container_id;
  const char *netns;  /* path of the network namespace; "" (DEL only) when it is gone */
  const char *ifname; /* "eth0" */
  const char *path;   /* CNI_PATH: plugin directories, ':'-separated; NULL: the default */
} berth_cni_args;

/* One plugin: conf (a plugin's whole configuration, "type" naming the
 * executable) on stdin.  For ADD *result is the parsed result; for DEL and
 * CHECK result may be NULL.  A plugin's error is ours, in its words:
 * "plugin bridge (ADD): <msg>: <details>". */
int berth_cni_exec(const berth_cni_args *a, const char *command, const json_t *conf,
                   json_t **result, berth_error **err);

/* ADD of a configuration list (the list is berth's own making: cniVersion,
 * name, plugins).  runtime_config: capability name -> value (may be NULL).
 * A failure runs DEL of the whole list before it returns, as the
 * specification asks, so nothing of a half ADD stays. */
int berth_cni_list_add(const berth_cni_args *a, const json_t *list, const json_t *runtime_config,
                       json_t **result, berth_error **err);
/* The same, telling progress the result so far after each plugin (the
 * runtime records it: a DEL after a crash then has every plugin's
 * prevResult that needs one); progress failing fails the ADD. */
typedef int (*berth_cni_progress_fn)(const json_t *result, void *ctx, berth_error **err);
int berth_cni_list_add_progress(const berth_cni_args *a, const json_t *list,
                                const json_t *runtime_config, berth_cni_progress_fn progress,
                                void *ctx, json_t **result, berth_error **err);
/* DEL of the list, plugins in reverse order, each given prev_result (the
 * ADD's result, may be NULL when it was never seen).  Stops at the first
 * failure, as the specification asks; the caller keeps what it needs to
 * try again. */
int berth_cni_list_del(const berth_cni_args *a, const json_t *list, const json_t *runtime_config,
                       const json_t *prev_result, berth_error **err);
/* CHECK of the list, with the ADD's result. */
int berth_cni_list_check(const berth_cni_args *a, const json_t *list, const json_t *runtime_config,
                         const json_t *prev_result, berth_error **err);
