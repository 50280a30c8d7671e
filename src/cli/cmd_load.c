#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "flags.h"
#include "images/load.h"

/* As Docker: -q only silences progress (berth prints none), the names of
 * the loaded images are printed either way. */
static void
print_loaded(void *ctx, const char *name, const char *id)
{
  (void)ctx;
  if (name != NULL)
    printf("Loaded image: %s\n", name);
  else
    printf("Loaded image ID: %s\n", id);
}

int
berth_cmd_load(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "input", 'i', "string", "Read from tar archive file, instead of STDIN" },
    { "quiet", 'q', NULL, "Suppress the load output" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth load [OPTIONS]", "Load an image from a tar archive or STDIN", flags,
          .max_args = 0 };
  berth_flag_iter it = { 0 };
  const char *input = NULL;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'i':
      input = optarg;
      break;
    case 'q':
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  cleanup_error berth_error *err = NULL;
  cleanup_close int fd
      = input == NULL ? dup(STDIN_FILENO) : open(input, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    berth_error_set(&err, errno, "open %s", input != NULL ? input : "standard input");
    return berth_cli_fail(cli, err);
  }
  if (input == NULL && isatty(fd)) {
    berth_error_set(&err, 0, "requested load from stdin, but stdin is empty");
    return berth_cli_fail(cli, err);
  }
  berth_store *store = berth_cli_store(cli, &err);
  if (store == NULL || berth_image_load_archive(store, fd, print_loaded, NULL, &err) < 0)
    return berth_cli_fail(cli, err);
  return 0;
}
