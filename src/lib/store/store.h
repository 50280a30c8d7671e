/* The on-disk store, laid out file for file like Docker's /var/lib/docker
 * with the overlay2 driver (SPEC §2).  This header is also the store's
 * umbrella: it pulls in the layer, stage, image, refs, distribution and lock
 * headers, so including it gives the whole store API. */
#pragma once

#include <stdbool.h>

#include "common/error.h"

typedef struct berth_store berth_store;

#define BERTH_STORE_DEFAULT_ROOT "/var/lib/berth"

/* Opens the store at root (a path the caller chose), creating the layout when
 * missing.  Takes no lock and writes nothing to a store that is already laid
 * out, so that readers never wait for a writer and a read-only store can be
 * read.  What dead writers left (staging dirs, unreferenced layers, temp
 * files) is swept by the first writer lock taken on the handle (lock.h). */
berth_store *berth_store_open(const char *root, berth_error **err);
void berth_store_free(berth_store *s);
void berth_store_cleanup(berth_store **s);
#define cleanup_store __attribute__((cleanup(berth_store_cleanup)))

const char *berth_store_root(const berth_store *s);

/* A hook told when a phase of an operation on this store ends ("pull:
 * layers"): the CLI's --debug timings.  None by default; the library only
 * calls it from the thread that runs the operation. */
typedef void (*berth_trace_fn)(void *ctx, const char *phase);
void berth_store_set_trace(berth_store *s, berth_trace_fn fn, void *ctx);
/* Tells the hook, if there is one, that the phase named by fmt ended. */
void berth_store_trace(berth_store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int berth_store_root_fd(const berth_store *s);

/* Backing filesystem facts for `info`: Docker's name for the filesystem of
 * the root ("extfs", "xfs", "tmpfs", "btrfs"… or "<unknown>") and whether
 * readdir reports d_type there. */
int berth_store_backing_fs(berth_store *s, char **name, bool *d_type, berth_error **err);

#include "store/distribution.h"
#include "store/gc.h"
#include "store/image.h"
#include "store/layer.h"
#include "store/lock.h"
#include "store/mount_record.h"
#include "store/refs.h"
#include "store/rwlayer.h"
#include "store/stage.h"
