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

static void
check_auth(long status, const char *www_authenticate, const char *body, const char *want)
{
  cleanup_error berth_error *err = NULL;
  CHECK(berth_registry_error_from_auth_response(status, www_authenticate, body,
                                                body ? strlen(body) : 0, &err)
        == -1);
  CHECK_STR(berth_error_message(err), want);
  CHECK(berth_error_errno(err) == berth_registry_status_errno(status));
}

/* distribution's answer to a push with a pull-only token: a 401 whose body
 * says "authentication required" and whose challenge says why; Docker
 * prints the challenge's word. */
TEST(bearer_challenge_errors)
{
  static const char body[]
      = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\","
        "\"detail\":[{\"Type\":\"repository\",\"Name\":\"q/bb\",\"Action\":\"push\"}]}]}";
  check_auth(401,
             "Bearer realm=\"http://127.0.0.1:1/token\",service=\"s\",scope=\"repository:q/bb:"
             "pull,push\",error=\"insufficient_scope\"",
             body, "denied: requested access to the resource is denied");
  check_auth(403, "Bearer realm=\"r\",error=\"insufficient_scope\",error_description=\"no push\"",
             NULL, "denied: no push");
  check_auth(401, "Bearer realm=\"r\",error=\"invalid_token\"", body,
             "unauthorized: authentication required");
  check_auth(401, "Bearer realm=\"r\",error=\"invalid_token\",error_description=\"expired\tx\"",
             body, "unauthorized: expired x");
  /* no error in the challenge, another scheme, garbage, none: the body */
  check_auth(401, "Bearer realm=\"r\",scope=\"repository:q/bb:push\"", body,
             "unauthorized: authentication required");
  check_auth(401, "Basic realm=\"r\",error=\"insufficient_scope\"", body,
             "unauthorized: authentication required");
  check_auth(401, "Bearer \"", body, "unauthorized: authentication required");
  check_auth(401, NULL, body, "unauthorized: authentication required");
  check_auth(500, "Bearer error=\"insufficient_scope\"", "oops",
             "received unexpected HTTP status: 500 Internal Server Error");
}

int
main(void)
{
  RUN(distribution_bodies);
  RUN(token_server_bodies);
  RUN(defaults_and_garbage);
  RUN(bearer_challenge_errors);
  DONE();
}
