#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "images/save.h"

int
berth_cmd_save(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_FORMAT = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "format", OPT_FORMAT, "string",
      "docker-archive (default), oci-archive, or oci-dir (a directory, named by -o)" },
    { "output", 'o', "string", "Write to a file, instead of STDOUT" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth save [OPTIONS] IMAGE [IMAGE...]",
          "Save one or more images to a tar archive (streamed to STDOUT by default)", flags,
          .min_args = 1, .max_args = BERTH_ARGS_ANY };
  berth_flag_iter it = { 0 };
  const char *output = NULL, *format = "docker-archive";
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'o':
      output = optarg;
      break;
    case OPT_FORMAT:
      format = optarg;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  bool oci = strcmp(format, "oci-archive") == 0, oci_dir = strcmp(format, "oci-dir") == 0;
  if (!oci && !oci_dir && strcmp(format, "docker-archive") != 0)
    return berth_cli_usage_error(
        cli, argv[0], "unknown format \"%s\": docker-archive, oci-archive or oci-dir", format);
  if (oci_dir && output == NULL)
    return berth_cli_usage_error(cli, argv[0], "--format oci-dir needs -o DIRECTORY");
  if (output == NULL && isatty(STDOUT_FILENO)) {
    fprintf(stderr, "Error: cowardly refusing to save to a terminal. Use the -o flag or "
                    "redirect\n");
    return 1;
  }
  if (output != NULL) {
    /* Docker's CLI checks the output's directory before anything else. */
    cleanup_free char *copy = xstrdup(output);
    const char *dir = dirname(copy);
    struct stat st;
    if (stat(dir, &st) < 0 && errno == ENOENT) {
      fprintf(stderr,
              "Error: failed to save image: invalid output path: directory \"%s\" does not "
              "exist\n",
              dir);
      return 1;
    }
  }
  cleanup_error berth_error *err = NULL;
  berth_store *s = berth_cli_store(cli, &err);
  if (s == NULL)
    return berth_cli_fail(cli, err);
  char *const *names = argv + optind;
  size_t n = (size_t)(argc - optind);
  int rc = oci_dir          ? berth_image_save_oci_dir(s, names, n, output, &err)
           : output != NULL ? berth_image_save_file(s, names, n, output, oci, &err)
           : oci            ? berth_image_save_oci(s, names, n, STDOUT_FILENO, &err)
                            : berth_image_save(s, names, n, STDOUT_FILENO, &err);
  return rc < 0 ? berth_cli_fail(cli, err) : 0;
}
