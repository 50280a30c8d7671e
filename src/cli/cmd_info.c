#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "sysformat.h"
#include "system/info.h"

/* go-units' BytesSize: binary units, 4 significant digits ("23.54GiB"). */
static char *
bytes_size(long long bytes)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  double size = (double)bytes;
  size_t i = 0;
  while (size >= 1024.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
    size /= 1024.0;
    i++;
  }
  return xasprintf("%.4g%s", size, units[i]);
}

/* Docker's: each "name=seccomp,profile=default" as "  seccomp" and
 * "   Profile: default" */
static void
print_security_options(char *const *opts)
{
  if (opts == NULL || opts[0] == NULL)
    return;
  printf(" Security Options:\n");
  for (; *opts != NULL; opts++) {
    cleanup_free char *copy = xstrdup(*opts);
    char *save = NULL;
    for (char *kv = strtok_r(copy, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save)) {
      char *eq = strchr(kv, '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      if (strcmp(kv, "name") == 0)
        printf("  %s\n", eq + 1);
      else
        printf("   %c%s: %s\n", toupper((unsigned char)kv[0]), kv + 1, eq + 1);
    }
  }
}

static void
print_info(const berth_info *in)
{
  cleanup_free char *mem = bytes_size(in->total_memory);
  printf(" Containers: %zu\n", in->containers);
  printf(" Images: %zu\n", in->images);
  printf(" Server Version: %s\n", BERTH_VERSION);
  printf(" Storage Driver: overlay2\n");
  printf("  Backing Filesystem: %s\n", in->backing_fs);
  printf("  Supports d_type: %s\n", in->d_type ? "true" : "false");
  printf("  Native Overlay Diff: true\n");
  printf(" Runtimes:");
  for (char **p = in->runtimes; *p != NULL; p++)
    printf(" %s", *p);
  printf("\n Default Runtime: %s\n", in->default_runtime);
  print_security_options(in->security_options);
  printf(" Kernel Version: %s\n", in->kernel_version);
  printf(" Operating System: %s\n", in->operating_system);
  printf(" OSType: linux\n");
  printf(" Architecture: %s\n", in->architecture);
  printf(" CPUs: %ld\n", in->cpus);
  printf(" Total Memory: %s\n", mem);
  printf(" Root Dir: %s\n", in->root_dir);
  printf(" Registry: https://index.docker.io/v1/\n");
  printf(" Insecure Registries:\n");
  for (char **p = in->insecure_registries; *p != NULL; p++)
    printf("  %s\n", *p);
}

int
berth_cmd_info(berth_cli *cli, int argc, char **argv)
{
  static const berth_flag flags[] = {
    { "format", 'f', "string", "Format the output using the given Go template" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth info [OPTIONS]", "Display system-wide information", flags, .max_args = 0 };
  berth_flag_iter it = { 0 };
  const char *format = NULL;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    if (c == BERTH_FLAG_DONE)
      return it.status;
    format = optarg; /* -f, --format */
  }
  cleanup_error berth_error *err = NULL;
  berth_store *store = berth_cli_store(cli, &err);
  berth_info in;
  if (store == NULL || berth_info_gather(store, cli->config, &in, &err) < 0)
    return berth_cli_fail(cli, err);
  int status = 0;
  if (format != NULL && format[0] != '\0') { /* Docker: an empty format is the default */
    cleanup_json json_t *data = berth_cli_info_json(&in, cli->config, cli->debug);
    status = berth_cli_struct_format("", "system.info", format, data);
  } else {
    print_info(&in);
  }
  berth_info_clear(&in);
  return status;
}
