/* Templates over Docker's typed inspect structs (go_type): what Docker 20.10's
 * client prints where its Go struct knows more than the JSON (a nil slice
 * [], a struct {…} in field order, struct{} {}, times and durations as Go
 * prints them, a field the JSON omits its zero value), and the errors that
 * send Docker back to the plain JSON.  The image rows are the outputs of
 * /usr/bin/docker inspect -f on the fixed image (tests/integration/lib/fixed_image.py); a pointer
 * nested in what is printed is &{…} here where Go prints its address. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "harness.h"
#include "template/template.h"

/* berth's inspect JSON of the fixed image (its GraphDriver paths cut short) */
static const char image_json[]
    = "{\"Id\":\"sha256:87fa\",\"RepoTags\":[\"fixed/app:1.0\"],\"RepoDigests\":[],\"Parent\":\"\","
      "\"Comment\":\"\",\"Created\":\"2020-09-13T12:26:40Z\",\"Container\":\"\","
      "\"ContainerConfig\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\","
      "\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,"
      "\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\","
      "\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null},"
      "\"DockerVersion\":\"\",\"Author\":\"berth tests\",\"Config\":{\"Hostname\":\"\","
      "\"Domainname\":\"\",\"User\":\"1000:1000\",\"AttachStdin\":false,\"AttachStdout\":false,"
      "\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},\"Tty\":false,"
      "\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/usr/bin:/bin\",\"LANG=C.UTF-8\"],"
      "\"Cmd\":[\"/app/run.sh\",\"--flag\"],\"Image\":\"\",\"Volumes\":{\"/data\":{}},"
      "\"WorkingDir\":\"/app\",\"Entrypoint\":null,\"OnBuild\":null,"
      "\"Labels\":{\"org.example.b\":\"two\",\"org.example.a\":\"one <&>\"},"
      "\"StopSignal\":\"SIGTERM\"},\"Architecture\":\"amd64\",\"Os\":\"linux\",\"Size\":24,"
      "\"VirtualSize\":24,\"GraphDriver\":{\"Data\":{\"LowerDir\":\"/l\",\"MergedDir\":\"/m\"},"
      "\"Name\":\"overlay2\"},\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:1b\","
      "\"sha256:5b\"]},\"Metadata\":{\"LastTagTime\":\"0001-01-01T00:00:00Z\"}}";

/* a container as berth writes it (sparse HostConfig and NetworkSettings),
 * with a health log, a mount, a ulimit and a healthcheck */
static const char container_json[]
    = "{\"Id\":\"c0ffee\",\"Created\":\"2026-01-02T03:04:05.5Z\",\"Path\":\"/bin/x\","
      "\"Args\":[\"a\"],\"State\":{\"Status\":\"exited\",\"Running\":false,\"Paused\":false,"
      "\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":3,"
      "\"Error\":\"\",\"StartedAt\":\"2026-01-02T03:04:06Z\",\"FinishedAt\":\"2026-01-02T03:04:"
      "07Z\","
      "\"Health\":{\"Status\":\"unhealthy\",\"FailingStreak\":2,\"Log\":[{\"Start\":"
      "\"2026-01-02T03:04:05.123456789+02:00\",\"End\":\"2026-01-02T03:04:05.1Z\",\"ExitCode\":1,"
      "\"Output\":\"no\"}]}},\"Image\":\"sha256:ab\",\"Name\":\"/web\",\"RestartCount\":0,"
      "\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"ExecIDs\":null,"
      "\"HostConfig\":{\"Binds\":[\"/h:/c\"],\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}},"
      "\"NetworkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},"
      "\"AutoRemove\":false,\"Ulimits\":[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024}],"
      "\"OomKillDisable\":false},\"GraphDriver\":{\"Data\":null,\"Name\":\"overlay2\"},"
      "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/h\",\"Destination\":\"/c\",\"Mode\":\"\","
      "\"RW\":true,\"Propagation\":\"rprivate\"}],\"Config\":{\"Hostname\":\"hn\","
      "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":90000000000,\"Timeout\":1500000},"
      "\"Labels\":{\"k\":\"v\"}},\"NetworkSettings\":{\"Networks\":{\"none\":{}}}}";

typedef struct row {
  const char *tmpl;
  const char *want; /* NULL: the typed run fails (Docker then runs it over the JSON) */
} row;

static const row image_rows[] = {
  /* nil slices */
  { "{{.Config.Entrypoint}} {{.Config.OnBuild}} {{.ContainerConfig.Cmd}}", "[] [] []" },
  { "{{len .Config.Entrypoint}}", "0" },
  { "{{range .Config.Entrypoint}}x{{else}}none{{end}} {{if .Config.OnBuild}}y{{else}}n{{end}}",
    "none n" },
  { "{{json .Config.Entrypoint}} {{json .Config.Shell}} {{json .Config.Healthcheck}}",
    "null null null" },
  /* struct{} values, structs, times */
  { "{{.Config.ExposedPorts}} {{.Config.Volumes}}", "map[53/udp:{} 80/tcp:{}] map[/data:{}]" },
  { "{{range $k, $v := .Config.ExposedPorts}}{{$k}}={{$v}};{{end}}", "53/udp={};80/tcp={};" },
  { "{{.RootFS}}", "{layers [sha256:1b sha256:5b] }" },
  { "{{.GraphDriver}}", "{map[LowerDir:/l MergedDir:/m] overlay2}" },
  { "{{.Metadata}}", "{0001-01-01 00:00:00 +0000 UTC}" },
  { "{{.Config}}",
    "{  1000:1000 false false false map[53/udp:{} 80/tcp:{}] false false false "
    "[PATH=/usr/bin:/bin LANG=C.UTF-8] [/app/run.sh --flag] <nil> false  map[/data:{}] /app [] "
    "false  [] map[org.example.a:one <&> org.example.b:two] SIGTERM <nil> []}" },
  { "{{.ContainerConfig}}", "{   false false false map[] false false false [] [] <nil> false  "
                            "map[]  [] false  [] map[]  <nil> []}" },
  { "{{printf \"%v\" .RootFS}}|{{print .Config.Healthcheck}}",
    "{layers [sha256:1b sha256:5b] }|<nil>" },
  { "{{printf \"%T %T %T\" .Config .Config.Entrypoint .Config.ExposedPorts}}",
    "*container.Config strslice.StrSlice nat.PortSet" },
  /* fields the JSON omits: the type's zero value */
  { "{{.Config.Healthcheck}} {{.Config.Shell}} {{.Config.StopTimeout}} [{{.Variant}}]",
    "<nil> [] <nil> []" },
  { "{{with .Config.Healthcheck}}x{{else}}none{{end}}", "none" },
  /* Go's field names, maps of strings, struct truth */
  { "{{.ID}}", "sha256:87fa" },
  { "{{.Config.Labels.nope}}|{{index .Config.Labels \"nope\"}}|", "<no value>||" },
  { "{{index .Config.Volumes \"/data\"}} {{if index .Config.Volumes \"/data\"}}y{{end}}", "{} y" },
  { "{{if .RootFS}}y{{end}} {{eq .Config.User \"1000:1000\"}}", "y true" },
  /* what Go cannot do with the struct: Docker falls back to the JSON */
  { "{{.Id}}", NULL },
  { "{{len .RootFS}}", NULL },
  { "{{range .RootFS}}{{end}}", NULL },
  { "{{index .Config.ExposedPorts \"80/tcp\"}}", NULL },
  { "{{.Config.ExposedPorts.x}}", NULL },
  { "{{len (index .Config.Volumes \"/data\")}}", NULL },
  { "{{.Config.Nope}}", NULL },
  { "{{eq .Metadata.LastTagTime \"x\"}}", NULL },
};

static const row container_rows[] = {
  { "{{.State}}", "{exited false false false false false 0 3  2026-01-02T03:04:06Z "
                  "2026-01-02T03:04:07Z &{unhealthy 2 [&{2026-01-02 03:04:05.123456789 +0200 "
                  "+0200 2026-01-02 03:04:05.1 +0000 UTC 1 no}]}}" },
  { "{{(index .State.Health.Log 0).Start}}|{{(index .State.Health.Log 0).End}}",
    "2026-01-02 03:04:05.123456789 +0200 +0200|2026-01-02 03:04:05.1 +0000 UTC" },
  { "{{.Mounts}} {{len .Mounts}}", "[{bind  /h /c   true rprivate}] 1" },
  { "{{.HostConfig.Binds}} {{.HostConfig.LogConfig}} {{.HostConfig.RestartPolicy}}",
    "[/h:/c] {json-file map[]} {no 0}" },
  { "{{.HostConfig.Ulimits}} {{index .HostConfig.Ulimits 0}} {{.HostConfig.Resources.Ulimits}}",
    "[nofile=1024:2048] nofile=1024:2048 [nofile=1024:2048]" },
  { "{{.HostConfig.OomKillDisable}} {{.HostConfig.PidsLimit}} {{.HostConfig.Memory}}",
    "false <nil> 0" },
  { "{{.HostConfig.PortBindings}} {{.HostConfig.DNS}} {{.HostConfig.ConsoleSize}}", "map[] [] []" },
  { "{{.Config.Healthcheck}} {{.Config.Healthcheck.Interval}}",
    "{[CMD true] 1m30s 1.5ms 0s 0} 1m30s" },
  { "{{.NetworkSettings}}",
    "{{  false  0 map[]  [] []} {   0  0  } map[none:&{<nil> [] []     0   0  map[]}]}" },
  { "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v}}{{end}}",
    "none={<nil> [] []     0   0  map[]}" },
  { "{{.GraphDriver}} {{.ExecIDs}} {{.SizeRw}} {{.Name}} {{.ContainerJSONBase.Name}}",
    "{map[] overlay2} [] <nil> /web /web" },
  { "{{if .State.Health}}y{{end}} {{print .State.Health.Status}}", "y unhealthy" },
  { "{{json .ExecIDs}} {{json .HostConfig.Ulimits}}",
    "null [{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024}]" },
  { "{{.HostConfig.Dns}}", NULL },
  { "{{.State.Health.Log.Start}}", NULL },
};

static void
run_rows(const char *json, const char *go_type, const row *rows, size_t n)
{
  json_error_t je;
  cleanup_json json_t *data = json_loads(json, 0, &je);
  CHECK(data != NULL);
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    cleanup_error berth_error *err = NULL;
    cleanup_free char *out = NULL;
    berth_template_options o = { .go_type = go_type };
    cleanup_template berth_template *t = berth_template_parse(r->tmpl, &err);
    int rc = t == NULL ? -1 : berth_template_execute(t, data, &o, &out, NULL, &err);
    bool ok = r->want == NULL ? rc < 0 && out == NULL : rc == 0 && strcmp(out, r->want) == 0;
    if (!ok) {
      printf("#   %s\n#     got:  %s\n#     want: %s\n", r->tmpl,
             rc < 0 ? berth_error_message(err) : out, r->want ? r->want : "(an error)");
      berth_t.failed_here++;
    }
  }
}

TEST(image)
{
  run_rows(image_json, "types.ImageInspect", image_rows, sizeof image_rows / sizeof *image_rows);
}

TEST(container)
{
  run_rows(container_json, "types.ContainerJSON", container_rows,
           sizeof container_rows / sizeof *container_rows);
}

/* {{json …}} writes the daemon's JSON as it is, typed or not */
TEST(json_unchanged)
{
  static const char *const tmpls[]
      = { "{{json .}}", "{{json .Config}}", "{{json .RootFS}}", "{{json .ContainerConfig.Env}}" };
  cleanup_json json_t *data = json_loads(image_json, 0, NULL);
  for (size_t i = 0; i < sizeof tmpls / sizeof *tmpls; i++) {
    cleanup_error berth_error *err = NULL;
    cleanup_template berth_template *t = berth_template_parse(tmpls[i], &err);
    berth_template_options typed = { .go_type = "types.ImageInspect" }, plain = { 0 };
    cleanup_free char *a = NULL, *b = NULL;
    CHECK(berth_template_execute(t, data, &typed, &a, NULL, &err) == 0);
    CHECK(berth_template_execute(t, data, &plain, &b, NULL, &err) == 0);
    CHECK_STR(a, b);
  }
}

/* missingkey=error (set on Docker's template after one fallback) reaches
 * the typed maps; an unknown type is an error */
TEST(options)
{
  cleanup_json json_t *data = json_loads(image_json, 0, NULL);
  cleanup_error berth_error *err = NULL;
  cleanup_template berth_template *t = berth_template_parse("{{.Config.Labels.nope}}", &err);
  berth_template_options strict = { .go_type = "types.ImageInspect", .missing_key_error = true };
  cleanup_free char *out = NULL;
  CHECK(berth_template_execute(t, data, &strict, &out, NULL, &err) < 0);
  CHECK(strstr(berth_error_message(err), "map has no entry for key \"nope\"") != NULL);
  berth_error_clear(&err);
  berth_template_options bad = { .go_type = "types.Nope" };
  CHECK(berth_template_execute(t, data, &bad, &out, NULL, &err) < 0);
}

int
main(void)
{
  RUN(image);
  RUN(container);
  RUN(json_unchanged);
  RUN(options);
  DONE();
}
