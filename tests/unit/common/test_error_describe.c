/* berth_error_describe (--debug's error chain): each prefixed context on
 * its own line, each pending cause after it, each error's kind and errno. */
#include <errno.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "harness.h"

TEST(chain)
{
  cleanup_error berth_error *err = NULL;
  berth_error_set(&err, ENOENT, "open %s", "x: y"); /* a colon inside a message stays */
  berth_error_prefix(&err, "read config");
  berth_error_set(&err, 0, "cleanup failed");
  berth_error_set_kind(&err, BERTH_ERR_ENGINE);
  berth_error_prefix(&err, "run");
  CHECK_STR(berth_error_message(err),
            "run: cleanup failed: read config: open x: y: No such file or directory");
  cleanup_free char *d = berth_error_describe(err);
  CHECK_STR(d, "  run\n"
               "  cleanup failed\n"
               "    (kind: engine, errno: 0)\n"
               "  read config\n"
               "  open x: y\n"
               "    (kind: failed, errno: 2 No such file or directory)\n");
}

TEST(single)
{
  cleanup_error berth_error *err = NULL;
  berth_error_set(&err, 0, "plain");
  cleanup_free char *d = berth_error_describe(err);
  CHECK_STR(d, "  plain\n    (kind: failed, errno: 0)\n");
}

int
main(void)
{
  RUN(chain);
  RUN(single);
  DONE();
}
