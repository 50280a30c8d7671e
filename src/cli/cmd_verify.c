#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "images/resolve.h"
#include "images/verify.h"

static bool
seen_before(char **seen, size_t n, const char *chain)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(seen[i], chain) == 0)
      return true;
  return false;
}

static void
print_layer(const berth_verify_layer *l)
{
  printf("%s %s\n", l->chain_id, l->ok ? "ok" : "TAMPERED");
  for (size_t i = 0; i < l->n_files; i++) {
    const berth_verify_file *f = &l->files[i];
    if (f->what != NULL)
      printf("  %c %s %s\n", f->kind, f->what, f->path);
    else
      printf("  %c %s\n", f->kind, f->path);
  }
  if (!l->ok && l->n_files == 0 && l->problem != NULL)
    printf("  ! %s\n", l->problem);
  if (l->ok && l->note != NULL)
    printf("  (%s)\n", l->note);
}

int
berth_cmd_verify(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec = {
    "berth verify [IMAGE...]",
    "Re-create every layer's tar from its directory and check it against its diffID\n"
    "(all images when none is named).  Prints one line per layer, \"ok\" or \"TAMPERED\"\n"
    "followed by the files added (+), removed (-) or changed (~): a changed file's\n"
    "contents (\"~ /etc/group\"), or how its metadata changed (\"~ changed mode\n"
    "0755 -> 4755 /usr/bin/x\"; owner, type, size, link target, device, xattr, hard\n"
    "link); exits 1 when any layer differs.",
    NULL,
    .max_args = BERTH_ARGS_ANY,
  };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL)
    return berth_cli_fail(cli, err);
  cleanup_strv char **ids = NULL;
  if (optind == argc) {
    if ((ids = berth_store_image_list(store, &err)) == NULL)
      return berth_cli_fail(cli, err);
  } else {
    ids = xcalloc((size_t)(argc - optind) + 1, sizeof *ids);
    for (int i = optind; i < argc; i++) {
      char id[BERTH_DIGEST_LEN];
      if (berth_image_resolve(store, argv[i], id, &err) < 0)
        return berth_cli_fail(cli, err);
      ids[i - optind] = xstrdup(id);
    }
  }
  int rc = 0;
  size_t n_seen = 0, cap = 16;
  cleanup_free char **seen = xcalloc(cap, sizeof *seen);
  for (char **id = ids; *id != NULL; id++) {
    berth_verify_layer *layers = NULL;
    size_t n = 0;
    if (berth_verify_image(store, *id, &layers, &n, &err) < 0) {
      for (size_t i = 0; i < n_seen; i++)
        free(seen[i]);
      return berth_cli_fail(cli, err);
    }
    for (size_t i = 0; i < n; i++) {
      if (seen_before(seen, n_seen, layers[i].chain_id))
        continue;
      if (n_seen == cap)
        seen = xrealloc(seen, (cap *= 2) * sizeof *seen);
      seen[n_seen++] = xstrdup(layers[i].chain_id);
      print_layer(&layers[i]);
      if (!layers[i].ok)
        rc = 1;
    }
    berth_verify_layers_free(layers, n);
  }
  for (size_t i = 0; i < n_seen; i++)
    free(seen[i]);
  return rc;
}
