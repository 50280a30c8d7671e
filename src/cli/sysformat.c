/* `info --format` and `version --format`: Docker's system.info and
 * system.versionInfo structs for what berth has, in the order Docker's
 * encoding/json writes their fields, and Docker's way of running a
 * template over them (formatInfo, prettyPrintVersion). */
#include "sysformat.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "image/platform.h"
#include "template/template.h"

static json_t *
string_array(char *const *v)
{
  json_t *a = json_array();
  for (; v != NULL && *v != NULL; v++)
    json_array_append_new(a, json_string(*v));
  return a;
}

/* Docker's RegistryConfig: CIDRs apart, a named insecure registry as an
 * IndexConfigs entry with Secure false, docker.io official and secure. */
static json_t *
registry_config(const berth_info *in, const berth_config *config)
{
  json_t *cidrs = json_array(), *index = json_object();
  json_t *mirrors = string_array(config != NULL ? config->registry_mirrors : NULL);
  json_object_set_new(index, "docker.io",
                      json_pack("{s:s, s:O, s:b, s:b}", "Name", "docker.io", "Mirrors", mirrors,
                                "Secure", 1, "Official", 1));
  for (char **p = in->insecure_registries; p != NULL && *p != NULL; p++) {
    if (strchr(*p, '/') != NULL)
      json_array_append_new(cidrs, json_string(*p));
    else
      json_object_set_new(
          index, *p,
          json_pack("{s:s, s:[], s:b, s:b}", "Name", *p, "Mirrors", "Secure", 0, "Official", 0));
  }
  return json_pack("{s:o, s:o, s:o}", "InsecureRegistryCIDRs", cidrs, "IndexConfigs", index,
                   "Mirrors", mirrors);
}

/* {"runc": {"path": "runc"}, …}: a configured runtime's path, else its
 * name (found in PATH, as Docker's default runtime is). */
static json_t *
runtimes(const berth_info *in, const berth_config *config)
{
  json_t *o = json_object();
  for (char **p = in->runtimes; p != NULL && *p != NULL; p++) {
    const char *path = *p;
    for (size_t i = 0;
         config != NULL && config->runtime_names != NULL && config->runtime_names[i] != NULL; i++)
      if (strcmp(config->runtime_names[i], *p) == 0 && config->runtime_paths[i] != NULL)
        path = config->runtime_paths[i];
    json_object_set_new(o, *p, json_pack("{s:s}", "path", path));
  }
  return o;
}

json_t *
berth_cli_info_json(const berth_info *in, const berth_config *config, bool debug)
{
  json_t *o = json_object();
  json_object_set_new(o, "Containers", json_integer((json_int_t)in->containers));
  json_object_set_new(o, "Images", json_integer((json_int_t)in->images));
  json_object_set_new(o, "Driver", json_string("overlay2"));
  json_object_set_new(o, "DriverStatus",
                      json_pack("[[s,s],[s,s],[s,s],[s,s]]", "Backing Filesystem", in->backing_fs,
                                "Supports d_type", in->d_type ? "true" : "false",
                                "Native Overlay Diff", "true", "userxattr", "false"));
  json_object_set_new(o, "Debug", json_boolean(debug));
  json_object_set_new(o, "KernelVersion", json_string(in->kernel_version));
  json_object_set_new(o, "OperatingSystem", json_string(in->operating_system));
  json_object_set_new(o, "OSType", json_string("linux"));
  json_object_set_new(o, "Architecture", json_string(in->architecture));
  json_object_set_new(o, "IndexServerAddress", json_string("https://index.docker.io/v1/"));
  json_object_set_new(o, "RegistryConfig", registry_config(in, config));
  json_object_set_new(o, "NCPU", json_integer(in->cpus));
  json_object_set_new(o, "MemTotal", json_integer(in->total_memory));
  json_object_set_new(o, "DockerRootDir", json_string(in->root_dir));
  json_object_set_new(o, "ServerVersion", json_string(BERTH_VERSION));
  json_object_set_new(o, "Runtimes", runtimes(in, config));
  json_object_set_new(o, "DefaultRuntime", json_string(in->default_runtime));
  json_t *sec = json_array();
  for (char **p = in->security_options; p != NULL && *p != NULL; p++)
    json_array_append_new(sec, json_string(*p));
  json_object_set_new(o, "SecurityOptions", sec);
  json_object_set_new(o, "ClientInfo", json_pack("{s:b}", "Debug", debug));
  return o;
}

json_t *
berth_cli_version_json(void)
{
  cleanup_free char *platform = berth_platform_host(); /* "linux/amd64" */
  const char *arch = strchr(platform, '/') != NULL ? strchr(platform, '/') + 1 : platform;
  struct utsname u;
  const char *kernel = uname(&u) == 0 ? u.release : "";
  /* berth has no daemon: the engine Docker's Server describes is berth
   * itself, in this process */
  json_t *client
      = json_pack("{s:s, s:s, s:s}", "Version", BERTH_VERSION, "Os", "linux", "Arch", arch);
  json_t *engine
      = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "Name", "Engine", "Version", BERTH_VERSION,
                  "Details", "Arch", arch, "KernelVersion", kernel, "Os", "linux");
  json_t *server = json_pack("{s:[o], s:s, s:s, s:s, s:s}", "Components", engine, "Version",
                             BERTH_VERSION, "Os", "linux", "Arch", arch, "KernelVersion", kernel);
  return json_pack("{s:o, s:o}", "Client", client, "Server", server);
}

int
berth_cli_struct_format(const char *name, const char *type, const char *format, json_t *data)
{
  cleanup_error berth_error *err = NULL;
  /* "json" is newer Docker's {{json .}} (Docker 20.10 printed the word),
   * as berth's images, ps and history take it (issue 9) */
  if (strcmp(format, "json") == 0)
    format = "{{json .}}";
  cleanup_template berth_template *t = berth_template_parse_named(name, format, &err);
  if (t == NULL) {
    fprintf(stderr, "template parsing error: %s\n", berth_error_message(err));
    return 64; /* Docker's status for a template that does not parse */
  }
  berth_template_options o = { .struct_type = type };
  cleanup_free char *out = NULL;
  size_t n = 0;
  int rc = berth_template_execute(t, data, &o, &out, &n, &err);
  if (rc == 0)
    fwrite(out, 1, n, stdout);
  /* Docker writes the newline after the template's output even when it
   * failed (berth's engine gives nothing of a failed run) */
  fputc('\n', stdout);
  if (rc < 0) {
    fflush(stdout);
    fprintf(stderr, "%s\n", berth_error_message(err));
    return 1;
  }
  return 0;
}
