/* `manifest push`: a local manifest list to its registry as an index. */
#pragma once

#include "common/digest.h"
#include "common/error.h"
#include "manifests/list.h"
#include "reference/reference.h"
#include "registry/options.h"

/* Told each line Docker prints before the digest ("Pushed ref …"). */
typedef void (*berth_manifest_push_line_fn)(void *ctx, const char *line);

/* Pushes l as target (its normalized reference, with a tag).  Members from
 * another repository of the same registry are brought into target's
 * repository first, as `docker manifest push` does: their blobs mounted
 * (a refused mount is Docker's "error mounting REPO@DIGEST to TARGET"), their
 * manifest bytes PUT by digest; then the index by tag.  digest: the index's. */
int berth_manifest_list_push(const berth_manifest_list *l, const berth_reference *target,
                             const berth_registry_options *opts,
                             berth_manifest_push_line_fn on_line, void *ctx,
                             char digest[BERTH_DIGEST_LEN], berth_error **err);
