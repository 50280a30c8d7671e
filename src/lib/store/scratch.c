/* Private scratch directories under tmp/ (scratch.h): a tmpdir of the
 * TMP_SCRATCH kind, which the sweep removes once nobody holds its flock. */
#include "store/scratch.h"

#include <stdlib.h>

#include "common/xalloc.h"
#include "store/internal.h"

struct berth_store_scratch {
  berth_store *s;
  int fd;
  char *name;
  char *path;
};

berth_store_scratch *
berth_store_scratch_new(berth_store *s, berth_error **err)
{
  char *name = NULL;
  int fd = berth_store_tmpdir_new(s, TMP_SCRATCH, &name, err);
  if (fd < 0)
    return NULL;
  berth_store_scratch *sc = xcalloc(1, sizeof *sc);
  sc->s = s;
  sc->fd = fd;
  sc->name = name;
  sc->path = xasprintf("%s/tmp/%s", s->root, name);
  return sc;
}

int
berth_store_scratch_fd(const berth_store_scratch *sc)
{
  return sc->fd;
}

const char *
berth_store_scratch_path(const berth_store_scratch *sc)
{
  return sc->path;
}

void
berth_store_scratch_free(berth_store_scratch *sc)
{
  if (sc == NULL)
    return;
  berth_store_tmpdir_drop(sc->s, &sc->fd, &sc->name);
  free(sc->path);
  free(sc);
}

void
berth_store_scratch_cleanup(berth_store_scratch **sc)
{
  berth_store_scratch_free(*sc);
  *sc = NULL;
}
