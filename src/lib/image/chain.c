#include "image/chain.h"

#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

void
berth_chain_id(const char *parent_chain, const char *diff_id, char out[BERTH_DIGEST_LEN])
{
  if (parent_chain == NULL || parent_chain[0] == '\0') {
    snprintf(out, BERTH_DIGEST_LEN, "%s", diff_id);
    return;
  }
  cleanup_sha256 berth_sha256 *h = berth_sha256_new();
  berth_sha256_update(h, parent_chain, strlen(parent_chain));
  berth_sha256_update(h, " ", 1);
  berth_sha256_update(h, diff_id, strlen(diff_id));
  berth_sha256_final(h, out);
}

char **
berth_chain_ids(char *const *diff_ids, size_t n)
{
  char **ids = xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    char out[BERTH_DIGEST_LEN];
    berth_chain_id(i == 0 ? NULL : ids[i - 1], diff_ids[i], out);
    ids[i] = xstrdup(out);
  }
  return ids;
}
