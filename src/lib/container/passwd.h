/* Resolving `-u user[:group]` through the container's /etc/passwd and
 * /etc/group, as runc's libcontainer/user does. */
#pragma once

#include <sys/types.h>

#include "common/error.h"

/* passwd and group are the files' texts (either may be NULL when absent);
 * spec is untrusted ("", "name", "uid", "name:group", "uid:gid").  An empty
 * spec means root.  A name not in the file is an error like Docker's. */
int berth_passwd_resolve(const char *passwd, const char *group, const char *spec, uid_t *uid,
                         gid_t *gid, berth_error **err);

/* Reads etc/passwd and etc/group inside rootfd (confined to it) and resolves. */
int berth_passwd_resolve_in(int rootfd, const char *spec, uid_t *uid, gid_t *gid,
                            berth_error **err);
