#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "registry/token.h"

static void
check_scope(const char *ours, const char *challenge, const char *want)
{
  cleanup_free char *got = berth_token_scope(ours, challenge);
  if (want == NULL)
    CHECK(got == NULL);
  else
    CHECK_STR(got, want);
}

/* distribution's challenge to a mount whose token lacks the source's pull */
TEST(mount_source_added)
{
  check_scope("repository:other/bb:pull,push",
              "repository:other/bb:pull,push repository:library/busybox:pull",
              "repository:other/bb:pull,push repository:library/busybox:pull");
  check_scope("repository:other/bb:pull,push", "repository:other/bb:pull,push",
              "repository:other/bb:pull,push");
  check_scope("repository:a/b:pull", NULL, "repository:a/b:pull");
  check_scope(NULL, NULL, NULL);
  check_scope(NULL, "repository:a/b:pull", "repository:a/b:pull");
  /* a prefix of ours is another scope */
  check_scope("repository:a/bc:pull", "repository:a/b:pull",
              "repository:a/bc:pull repository:a/b:pull");
  check_scope("repository:x:pull repository:a/b:pull", "  repository:a/b:pull  repository:x:pull ",
              "repository:x:pull repository:a/b:pull");
}

TEST(outside_input_filtered)
{
  /* not a repository scope, no actions, control characters: left out */
  check_scope("repository:a:pull", "registry:catalog:* repository:b repository:c:pull\x01x",
              "repository:a:pull");
  char big[300];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  memcpy(big, "repository:", 11);
  big[200] = ':';
  check_scope("repository:a:pull", big, "repository:a:pull");
  /* at most 8 taken */
  check_scope(NULL,
              "repository:1:pull repository:2:pull repository:3:pull repository:4:pull "
              "repository:5:pull repository:6:pull repository:7:pull repository:8:pull "
              "repository:9:pull",
              "repository:1:pull repository:2:pull repository:3:pull repository:4:pull "
              "repository:5:pull repository:6:pull repository:7:pull repository:8:pull");
}

int
main(void)
{
  RUN(mount_source_added);
  RUN(outside_input_filtered);
  DONE();
}
