#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "image/chain.h"

/* test/layered:1 as Docker stored it (reference-outputs/layout-docker.txt):
 * diffIDs and the layerdb/sha256/<chain-id> directories they ended up in. */
static char *const layered_diff_ids[] = {
  "sha256:521f2e0db066bca3b1d5b53e098467004d060eb6bec02167d2efc20fcb61269a",
  "sha256:cea06edaf460bb4df7f5f912c3faca25e0370fdf9c4bb4c43568b27619779d78",
  "sha256:bcc15ce10f2d27bd00628a3cbb6b101fe6bf91386a18f0b106578d83fd614684",
  "sha256:99b0174e5b9a6f92f7f251519f2e0526486cac3f287bf2a8e9f03197c0d9b1a6",
};
static const char *const layered_chain_ids[] = {
  "sha256:521f2e0db066bca3b1d5b53e098467004d060eb6bec02167d2efc20fcb61269a",
  "sha256:247a589743ed24cf0dd3ff26cad4d6154034222489254d187a7d3712b001fb4b",
  "sha256:4ff7747b321362c56e2d5d6f11eb38e11ed1b1049f866da13fbb7794e55e30a6",
  "sha256:3b75927e41c861bbf61a65b32a0b92c1d7b06829a025de7f7a1cfe4b0624c670",
};

TEST(first_layer_is_its_diff_id)
{
  char out[BERTH_DIGEST_LEN];
  berth_chain_id(NULL, layered_diff_ids[0], out);
  CHECK_STR(out, layered_chain_ids[0]);
}

TEST(one_step_matches_docker)
{
  char out[BERTH_DIGEST_LEN];
  berth_chain_id(layered_chain_ids[1], layered_diff_ids[2], out);
  CHECK_STR(out, layered_chain_ids[2]);
}

TEST(whole_stack_matches_docker)
{
  cleanup_strv char **ids = berth_chain_ids(layered_diff_ids, 4);
  for (size_t i = 0; i < 4; i++)
    CHECK_STR(ids[i], layered_chain_ids[i]);
  CHECK(ids[4] == NULL);
}

TEST(empty_stack)
{
  cleanup_strv char **ids = berth_chain_ids(NULL, 0);
  CHECK(ids != NULL && ids[0] == NULL);
}

int
main(void)
{
  RUN(first_layer_is_its_diff_id);
  RUN(one_step_matches_docker);
  RUN(whole_stack_matches_docker);
  RUN(empty_stack);
  DONE();
}
