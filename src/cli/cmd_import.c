#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "images/import.h"

static int
usage(void)
{
  puts("Usage:  berth import [OPTIONS] file|- [REPOSITORY[:TAG]]\n\n"
       "Import the contents from a tarball to create a filesystem image\n\n"
       "Options:\n"
       "  -m, --message string   Set commit message for imported image");
  return 0;
}

int
berth_cmd_import(berth_cli *cli, int argc, char **argv)
{
  static const struct option options[] = {
    { "message", required_argument, NULL, 'm' },
    { "help", no_argument, NULL, 'h' },
    { 0 },
  };
  berth_import_options o = { .source = "-" };
  int c;
  while ((c = getopt_long(argc, argv, "+:m:h", options, NULL)) != -1) {
    switch (c) {
    case 'm': /* the history comment, a JSON string: UTF-8 only */
      if (berth_cli_check_utf8(cli, argv[0], "\"-m, --message\" flag", optarg) != 0)
        return 125;
      o.message = optarg;
      break;
    case 'h':
      return usage();
    default:
      return berth_cli_bad_option(cli, argv[0], argv, c);
    }
  }
  int nargs = argc - optind;
  if (nargs < 1 || nargs > 2)
    return berth_cli_usage_error(cli, argv[0],
                                 "\"%s\" requires at least 1 and at most 2 arguments.", argv[0]);
  const char *file = argv[optind];
  o.ref = nargs == 2 ? argv[optind + 1] : NULL;
  cleanup_error berth_error *err = NULL;
  cleanup_close int fd
      = strcmp(file, "-") == 0 ? dup(STDIN_FILENO) : open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    berth_error_set(&err, errno, "open %s", file);
    return berth_cli_fail(cli, err);
  }
  berth_store *store = berth_cli_store(cli, &err);
  char id[BERTH_DIGEST_LEN];
  if (store == NULL || berth_image_import(store, fd, &o, id, &err) < 0)
    return berth_cli_fail(cli, err);
  puts(id);
  return 0;
}
