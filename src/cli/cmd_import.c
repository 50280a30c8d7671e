#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "images/import.h"

/* Docker's urlutil.IsURL: what the daemon fetches rather than a file. */
static bool
is_url(const char *s)
{
  return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* As Docker's daemon streams it, before the image ID. */
static void
print_downloading(void *ctx, const char *url)
{
  (void)ctx;
  printf("Downloading from %s\n", url);
  fflush(stdout);
}

int
berth_cmd_import(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_PLATFORM = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "change", 'c', "list", "Apply Dockerfile instruction to the created image" },
    { "message", 'm', "string", "Set commit message for imported image" },
    { "platform", OPT_PLATFORM, "string", "Set platform if server is multi-platform capable" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
          "Import the contents from a tarball to create a filesystem image", flags,
          /* Docker's: words after REPOSITORY[:TAG] are ignored */
          .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  berth_import_options o = { .source = "-" };
  size_t n_changes = 0;
  cleanup_free char **changes = xcalloc((size_t)argc + 1, sizeof *changes);
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'c': /* into the config as JSON strings: UTF-8 only */
      if (berth_cli_check_utf8(cli, argv[0], "\"-c, --change\" flag", optarg) != 0)
        return 125;
      changes[n_changes++] = optarg;
      break;
    case 'm': /* the history comment, a JSON string: UTF-8 only */
      if (berth_cli_check_utf8(cli, argv[0], "\"-m, --message\" flag", optarg) != 0)
        return 125;
      o.message = optarg;
      break;
    case OPT_PLATFORM:
      o.platform = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  const char *file = argv[optind];
  o.ref = argc - optind >= 2 ? argv[optind + 1] : NULL;
  o.changes = n_changes > 0 ? changes : NULL;
  cleanup_error berth_error *err = NULL;
  char id[BERTH_DIGEST_LEN];
  if (is_url(file)) {
    o.on_download = print_downloading;
    berth_store *store = berth_cli_store(cli, &err);
    if (store == NULL || berth_image_import_url(store, file, &o, id, &err) < 0)
      return berth_cli_fail(cli, err);
    puts(id);
    return 0;
  }
  cleanup_close int fd
      = strcmp(file, "-") == 0 ? dup(STDIN_FILENO) : open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    berth_error_set(&err, errno, "open %s", file);
    return berth_cli_fail(cli, err);
  }
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL || berth_image_import(store, fd, &o, id, &err) < 0)
    return berth_cli_fail(cli, err);
  puts(id);
  return 0;
}
