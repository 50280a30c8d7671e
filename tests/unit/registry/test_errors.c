#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "registry/errors.h"

static void
check_msg(long status, const char *body, const char *want, int want_errno)
{
  cleanup_error berth_error *err = NULL;
  CHECK(berth_registry_error_from_response(status, body, body ? strlen(body) : 0, &err) == -1);
  CHECK_STR(berth_error_message(err), want);
  CHECK(berth_error_errno(err) == want_errno);
}

TEST(distribution_bodies)
{
  check_msg(404,
            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
            "\"detail\":{\"Tag\":\"nope\"}}]}\n",
            "manifest unknown: manifest unknown", ENOENT);
  check_msg(404,
            "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\","
            "\"detail\":\"sha256:00\"}]}",
            "blob unknown: blob unknown to registry", ENOENT);
  check_msg(401,
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\","
            "\"detail\":[{\"Type\":\"repository\",\"Name\":\"x\",\"Action\":\"pull\"}]}]}",
            "unauthorized: authentication required", EACCES);
  check_msg(403,
            "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is "
            "denied\"}]}",
            "denied: requested access to the resource is denied", EACCES);
  check_msg(404,
            "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not "
            "known to registry\"},{\"code\":\"X_Y\"}]}",
            "name unknown: repository name not known to registry; x y", ENOENT);
  check_msg(429,
            "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your "
            "pull rate limit.\"}]}",
            "toomanyrequests: You have reached your pull rate limit.", EAGAIN);
}

TEST(token_server_bodies)
{
  check_msg(401, "{\"details\":\"incorrect username or password\"}",
            "unauthorized: incorrect username or password", EACCES);
  check_msg(400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad pass\"}", "bad pass",
            EPROTO);
}

TEST(defaults_and_garbage)
{
  check_msg(401, NULL, "unauthorized: authentication required", EACCES);
  check_msg(403, "<html>nope</html>", "denied: requested access to the resource is denied", EACCES);
  check_msg(404, "", "not found", ENOENT);
  check_msg(500, "oops", "received unexpected HTTP status: 500 Internal Server Error", EIO);
  check_msg(418, "[1,2]", "received unexpected HTTP status: 418 ", EPROTO);
  check_msg(404, "{\"errors\":\"x\"}", "not found", ENOENT);
  check_msg(404, "{\"errors\":[{\"code\":\"A\",\"message\":\"line1\\nline2\"}]}", "a: line1 line2",
            ENOENT);
}

int
main(void)
{
  RUN(distribution_bodies);
  RUN(token_server_bodies);
  RUN(defaults_and_garbage);
  DONE();
}
