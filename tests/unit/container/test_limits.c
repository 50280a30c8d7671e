/* Unit tests of the limit flags' parsers, the daemon's checks, the
 * HostConfig and runtime spec they make, and the cgroup paths.  Every
 * expected value and message below is what Docker 20.10 (Debian's
 * docker.io 20.10.24) gave for the same input, with its CLI
 * (`docker create -m V`, `--shm-size V`, `--cpus V`, `--pids-limit V`,
 * `--ulimit V`) and its daemon (values read back with `docker inspect`). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "container/cgroup.h"
#include "container/limits.h"
#include "harness.h"

struct ok_case {
  const char *in;
  int64_t want;
};
struct bad_case {
  const char *in;
  const char *words;
};

/* --shm-size/-m values Docker took, and the bytes its daemon stored. */
static const struct ok_case ram_ok[] = {
  { "1_000", 1000 },
  { "0x_1p4", 16 },
  { "0x1p4", 16 },
  { "1e3", 1000 },
  { ".5k", 512 },
  { "5.k", 5120 },
  { "+5", 5 },
  { "5 ", 5 },
  { "5 m", 5242880 },
  { "5kib", 5120 },
  { "5KiB", 5120 },
  { "5kb", 5120 },
  { "5kB", 5120 },
  { "5b", 5 },
  { "32m", 33554432 },
  { "1g", 1073741824 },
  { "1.9999999", 1 },
  { "0.5b", 0 },
  { "1e-400", 0 },
  { "8e18", 8000000000000000000LL },
  { "9e18", 9000000000000000000LL },
  { "1p", 1125899906842624LL },
  { "8191p", 9222246136947933184LL },
  { "00012", 12 },
  { "1e+3", 1000 },
  { "1E3", 1000 },
  { "1.e3", 1000 },
  { "5.5 ", 5 },
  { "0x1.8p1", 3 },
  { "0x.8p1", 1 },
  /* out of int64: Go's amd64 conversion gives INT64_MIN (the daemon then
   * says "SHM size can not be less than 0") */
  { "1e300k", INT64_MIN },
  { "8192p", INT64_MIN },
  { "9223372036854775807", INT64_MIN },
  { "inf m", INT64_MIN },
  { "nan m", INT64_MIN },
  { "1e5_0", INT64_MIN },
};

static const struct bad_case ram_bad[] = {
  { "x", "invalid size: 'x'" },
  { "1.2.3", "strconv.ParseFloat: parsing \"1.2.3\": invalid syntax" },
  { "-1", "invalid size: '-1'" },
  { "1x", "invalid suffix: 'x'" },
  { "1kk", "invalid suffix: 'kk'" },
  { "", "invalid size: ''" },
  { "0x10", "strconv.ParseFloat: parsing \"0x10\": invalid syntax" },
  { "1e400", "strconv.ParseFloat: parsing \"1e400\": value out of range" },
  { " 5", "strconv.ParseFloat: parsing \" 5\": invalid syntax" },
  { "5  m", "strconv.ParseFloat: parsing \"5 \": invalid syntax" },
  { "5bb", "invalid suffix: 'bb'" },
  { "5mi", "invalid suffix: 'mi'" },
  { "Inf", "invalid size: 'Inf'" },
  { "1.5.k", "strconv.ParseFloat: parsing \"1.5.\": invalid syntax" },
  { "5.5.5", "strconv.ParseFloat: parsing \"5.5.5\": invalid syntax" },
  { "é5", "strconv.ParseFloat: parsing \"é5\": invalid syntax" },
  { "-inf m", "invalid size: '-inf m'" },
  { "1__0", "strconv.ParseFloat: parsing \"1__0\": invalid syntax" },
  { "_1", "strconv.ParseFloat: parsing \"_1\": invalid syntax" },
  { "1_", "invalid suffix: '_'" },
  { "0xp1", "strconv.ParseFloat: parsing \"0xp1\": invalid syntax" },
  { "0x1p", "strconv.ParseFloat: parsing \"0x1\": invalid syntax" },
  { "1e", "invalid suffix: 'e'" },
  { ".e3", "strconv.ParseFloat: parsing \".e3\": invalid syntax" },
  { ".", "strconv.ParseFloat: parsing \".\": invalid syntax" },
  { "1mbyte", "invalid suffix: 'mbyte'" },
};

TEST(ram_in_bytes)
{
  for (size_t i = 0; i < sizeof(ram_ok) / sizeof(ram_ok[0]); i++) {
    int64_t v = -7;
    cleanup_error berth_error *err = NULL;
    int r = berth_parse_ram_in_bytes(ram_ok[i].in, &v, &err);
    if (r != 0 || v != ram_ok[i].want)
      printf("#   [%s]: %d %lld (%s)\n", ram_ok[i].in, r, (long long)v,
             err ? berth_error_message(err) : "");
    CHECK(r == 0 && v == ram_ok[i].want);
  }
  for (size_t i = 0; i < sizeof(ram_bad) / sizeof(ram_bad[0]); i++) {
    int64_t v = 0;
    cleanup_error berth_error *err = NULL;
    CHECK(berth_parse_ram_in_bytes(ram_bad[i].in, &v, &err) < 0);
    CHECK_STR(err ? berth_error_message(err) : NULL, ram_bad[i].words);
  }
}

TEST(memory_swap)
{
  int64_t v = 0;
  CHECK(berth_parse_memory_swap("-1", &v, NULL) == 0 && v == -1);
  CHECK(berth_parse_memory_swap("64m", &v, NULL) == 0 && v == 67108864);
  cleanup_error berth_error *err = NULL;
  CHECK(berth_parse_memory_swap("-2", &v, &err) < 0);
  CHECK_STR(berth_error_message(err), "invalid size: '-2'");
}

static const struct ok_case cpus_ok[] = {
  { "1.5", 1500000000 },
  { "1/2", 500000000 },
  { "3/2", 1500000000 },
  { "1e-9", 1 },
  { "-1", -1000000000 },
  { "0x1", 1000000000 },
  { "1_0", 10000000000LL },
  { "1_0/10", 1000000000 },
  { ".5", 500000000 },
  { "5.", 5000000000LL },
  { "+1", 1000000000 },
  { "-1/2", -500000000 },
  { "010/10", 800000000 },
  { "0x10/16", 1000000000 },
  { "1e0", 1000000000 },
  { "1E-1", 100000000 },
  { "15e-1", 1500000000 },
  { "0.01", 10000000 },
  { "0.001", 1000000 },
  { "0.000000001", 1 },
  { "0", 0 },
  { "2", 2000000000 },
  { "2.000000001", 2000000001 },
  { "1e1000000", 0 }, /* its low 64 bits, as Go's Int64() */
  { "0x1p-1", 500000000 },
  { "0b1", 1000000000 },
  { "0.5_0", 500000000 },
  { "0e99999999", 0 },
};

static const struct bad_case cpus_bad[] = {
  { "x", "failed to parse x as a rational number" },
  { "1/3", "value is too precise" },
  { "1e-10", "value is too precise" },
  { "0.0000000001", "value is too precise" },
  { "", "failed to parse  as a rational number" },
  { " 1", "failed to parse  1 as a rational number" },
  { "1 ", "failed to parse 1  as a rational number" },
  { "1/0", "failed to parse 1/0 as a rational number" },
  { "1/-2", "failed to parse 1/-2 as a rational number" },
  { "1e1000001", "failed to parse 1e1000001 as a rational number" },
  { "1.5e", "failed to parse 1.5e as a rational number" },
  { "1/2.0", "failed to parse 1/2.0 as a rational number" },
  { "_1", "failed to parse _1 as a rational number" },
  { "1__0", "failed to parse 1__0 as a rational number" },
};

TEST(nano_cpus)
{
  for (size_t i = 0; i < sizeof(cpus_ok) / sizeof(cpus_ok[0]); i++) {
    int64_t v = -7;
    cleanup_error berth_error *err = NULL;
    int r = berth_parse_nano_cpus(cpus_ok[i].in, &v, &err);
    if (r != 0 || v != cpus_ok[i].want)
      printf("#   [%s]: %d %lld (%s)\n", cpus_ok[i].in, r, (long long)v,
             err ? berth_error_message(err) : "");
    CHECK(r == 0 && v == cpus_ok[i].want);
  }
  for (size_t i = 0; i < sizeof(cpus_bad) / sizeof(cpus_bad[0]); i++) {
    int64_t v = 0;
    cleanup_error berth_error *err = NULL;
    CHECK(berth_parse_nano_cpus(cpus_bad[i].in, &v, &err) < 0);
    CHECK_STR(err ? berth_error_message(err) : NULL, cpus_bad[i].words);
  }
}

/* --pids-limit and --cpu-shares: pflag's Int64, strconv.ParseInt(s, 0, 64) */
static const struct ok_case int_ok[] = {
  { "0x10", 16 }, { "010", 8 }, { "1_0", 10 },
  { "0b11", 3 },  { "0o7", 7 }, { "-0x2", -2 },
  { "+5", 5 },    { "0", 0 },   { "-9223372036854775808", INT64_MIN },
};

static const struct bad_case int_bad[] = {
  { "x", "strconv.ParseInt: parsing \"x\": invalid syntax" },
  { "1.5", "strconv.ParseInt: parsing \"1.5\": invalid syntax" },
  { "9223372036854775808",
    "strconv.ParseInt: parsing \"9223372036854775808\": value out of range" },
  { "0x", "strconv.ParseInt: parsing \"0x\": invalid syntax" },
  { "08", "strconv.ParseInt: parsing \"08\": invalid syntax" },
  { "_1", "strconv.ParseInt: parsing \"_1\": invalid syntax" },
  { "", "strconv.ParseInt: parsing \"\": invalid syntax" },
};

TEST(int64_base0)
{
  for (size_t i = 0; i < sizeof(int_ok) / sizeof(int_ok[0]); i++) {
    int64_t v = -7;
    CHECK(berth_parse_int64(int_ok[i].in, 0, &v, NULL) == 0 && v == int_ok[i].want);
  }
  for (size_t i = 0; i < sizeof(int_bad) / sizeof(int_bad[0]); i++) {
    int64_t v = 0;
    cleanup_error berth_error *err = NULL;
    CHECK(berth_parse_int64(int_bad[i].in, 0, &v, &err) < 0);
    CHECK_STR(err ? berth_error_message(err) : NULL, int_bad[i].words);
  }
  int64_t v;
  CHECK(berth_parse_int64("0x10", 10, &v, NULL) < 0); /* --ulimit's values are base 10 */
}

TEST(ulimit)
{
  berth_ulimit u;
  CHECK(berth_parse_ulimit("nofile=100:200", &u, NULL) == 0 && strcmp(u.name, "nofile") == 0
        && u.soft == 100 && u.hard == 200);
  CHECK(berth_parse_ulimit("nproc=50", &u, NULL) == 0 && u.soft == 50 && u.hard == 50);
  CHECK(berth_parse_ulimit("nofile=-1", &u, NULL) == 0 && u.soft == -1 && u.hard == -1);
  CHECK(berth_parse_ulimit("nofile=5:-1", &u, NULL) == 0 && u.soft == 5 && u.hard == -1);
  CHECK(berth_parse_ulimit("nofile=+5", &u, NULL) == 0 && u.soft == 5);
  static const struct bad_case bad[] = {
    { "x", "invalid ulimit argument: x" },
    { "foo=1", "invalid ulimit type: foo" },
    { "NOFILE=1", "invalid ulimit type: NOFILE" },
    { "=1", "invalid ulimit type: " },
    { "nofile=x", "strconv.ParseInt: parsing \"x\": invalid syntax" },
    { "nofile=1:x", "strconv.ParseInt: parsing \"x\": invalid syntax" },
    { "nofile=x:y", "strconv.ParseInt: parsing \"y\": invalid syntax" },
    { "nofile=1:2:3",
      "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`" },
    { "nofile=10:5", "ulimit soft limit must be less than or equal to hard limit: 10 > 5" },
    { "nofile=", "strconv.ParseInt: parsing \"\": invalid syntax" },
    { "nofile=0x10", "strconv.ParseInt: parsing \"0x10\": invalid syntax" },
    { "nofile=1_0", "strconv.ParseInt: parsing \"1_0\": invalid syntax" },
    { "nofile= 1", "strconv.ParseInt: parsing \" 1\": invalid syntax" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cleanup_error berth_error *err = NULL;
    CHECK(berth_parse_ulimit(bad[i].in, &u, &err) < 0);
    CHECK_STR(err ? berth_error_message(err) : NULL, bad[i].words);
  }
}

static const berth_cgroup_support all = { true, true, true, true, true };

static const char *
check_words(berth_limits l, const berth_cgroup_support *host)
{
  static char buf[512];
  cleanup_error berth_error *err = NULL;
  if (berth_limits_check(&l, host, 2, &err) == 0)
    return "ok";
  snprintf(buf, sizeof(buf), "%s", berth_error_message(err));
  return buf;
}

/* The daemon's words (docker create with the flags, on a 2-CPU host). */
TEST(daemon_checks)
{
  CHECK_STR(check_words((berth_limits){ .memory = 1048576 }, &all),
            "Minimum memory limit allowed is 6MB");
  CHECK_STR(check_words((berth_limits){ .memory = 6291455 }, &all),
            "Minimum memory limit allowed is 6MB");
  CHECK_STR(check_words((berth_limits){ .memory = INT64_MIN }, &all),
            "Minimum memory limit allowed is 6MB");
  CHECK_STR(check_words((berth_limits){ .memory = 6291456 }, &all), "ok");
  CHECK_STR(check_words((berth_limits){ .memory_swap = 10485760 }, &all),
            "You should always set the Memory limit when using Memoryswap limit, see usage");
  CHECK_STR(check_words((berth_limits){ .memory = 10485760, .memory_swap = 5242880 }, &all),
            "Minimum memoryswap limit should be larger than memory limit, see usage");
  CHECK_STR(check_words((berth_limits){ .memory_swap = -1 }, &all), "ok");
  CHECK_STR(check_words((berth_limits){ .nano_cpus = -1000000000 }, &all),
            "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
  CHECK_STR(check_words((berth_limits){ .nano_cpus = 2000000001 }, &all),
            "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
  CHECK_STR(check_words((berth_limits){ .shm_size = INT64_MIN }, &all),
            "SHM size can not be less than 0");
  /* the defaults the daemon fills in */
  berth_limits l = { .memory = 10485760 };
  CHECK(berth_limits_check(&l, &all, 2, NULL) == 0 && l.memory_swap == 20971520);
  l = (berth_limits){ .memory = 10485760, .memory_swap = -1 };
  CHECK(berth_limits_check(&l, &all, 2, NULL) == 0 && l.memory_swap == -1);
}

/* A host that cannot enforce a limit: refused in Docker's words, never run
 * unlimited; only the default swap is dropped, as Docker drops it. */
TEST(missing_controllers)
{
  berth_cgroup_support none = { 0 };
  CHECK_STR(check_words((berth_limits){ .memory = 33554432 }, &none),
            "Your kernel does not support memory limit capabilities or the cgroup is not mounted");
  CHECK_STR(check_words((berth_limits){ .pids_limit = 10 }, &none),
            "Your kernel does not support PIDs limit capabilities or the cgroup is not mounted");
  CHECK_STR(check_words((berth_limits){ .nano_cpus = 1000000000 }, &none),
            "NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the "
            "cgroup is not mounted");
  CHECK_STR(check_words((berth_limits){ .cpu_shares = 512 }, &none),
            "Your kernel does not support CPU shares or the cgroup is not mounted");
  berth_cgroup_support noswap = all;
  noswap.swap = false;
  CHECK_STR(check_words((berth_limits){ .memory = 33554432, .memory_swap = 67108864 }, &noswap),
            "Your kernel does not support swap limit capabilities or the cgroup is not mounted");
  berth_limits l = { .memory = 33554432 };
  CHECK(berth_limits_check(&l, &noswap, 2, NULL) == 0 && l.memory_swap == -1);
  CHECK_STR(check_words((berth_limits){ .pids_limit = -1 }, &none), "ok");
}

/* HostConfig as Docker 20.10 showed it for `docker create -m 32m
 * --memory-swap 64m --cpus 1.5 -c 512 --pids-limit 10 --shm-size 1m
 * --ulimit nofile=100:200 --ulimit nproc=50 --init`. */
TEST(hostconfig_and_spec)
{
  berth_ulimit u[3];
  CHECK(berth_parse_ulimit("nofile=1", &u[0], NULL) == 0);
  CHECK(berth_parse_ulimit("nproc=50", &u[1], NULL) == 0);
  CHECK(berth_parse_ulimit("nofile=100:200", &u[2], NULL) == 0);
  berth_limits l = { .memory = 33554432,
                     .memory_swap = 67108864,
                     .nano_cpus = 1500000000,
                     .cpu_shares = 512,
                     .pids_limit = 10,
                     .shm_size = 1048576,
                     .ulimits = u,
                     .n_ulimits = 3,
                     .init = true };
  CHECK(berth_limits_check(&l, &all, 2, NULL) == 0);
  cleanup_json json_t *hc = json_object();
  berth_limits_hostconfig(hc, &l);
  cleanup_free char *text = json_dumps(hc, JSON_SORT_KEYS | JSON_COMPACT);
  CHECK_STR(text, "{\"CpuShares\":512,\"Init\":true,\"Memory\":33554432,\"MemorySwap\":67108864,"
                  "\"NanoCpus\":1500000000,\"PidsLimit\":10,\"ShmSize\":1048576,\"Ulimits\":[{"
                  "\"Hard\":200,\"Name\":\"nofile\",\"Soft\":100},{\"Hard\":50,\"Name\":"
                  "\"nproc\",\"Soft\":50}]}");
  /* what Docker gave runc for it */
  cleanup_json json_t *spec
      = json_pack("{s:{s:[s, s], s:[{s:s, s:i, s:i}]}, s:[{s:s, s:[s, s, s, s, s]}], s:{}}",
                  "process", "args", "sleep", "5", "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024,
                  "soft", 1024, "mounts", "destination", "/dev/shm", "options", "nosuid", "noexec",
                  "nodev", "mode=1777", "size=67108864", "linux");
  CHECK(berth_limits_apply_spec(spec, hc, "berth/abc", "/usr/bin/tini-static", NULL) == 0);
  cleanup_free char *process = json_dumps(json_object_get(spec, "process"), JSON_COMPACT);
  CHECK_STR(process, "{\"args\":[\"/sbin/docker-init\",\"--\",\"sleep\",\"5\"],\"rlimits\":[{"
                     "\"type\":\"RLIMIT_NOFILE\",\"hard\":200,\"soft\":100},{\"type\":"
                     "\"RLIMIT_NPROC\",\"hard\":50,\"soft\":50}]}");
  cleanup_free char *res = json_dumps(json_object_get(spec, "linux"), JSON_COMPACT);
  CHECK_STR(res, "{\"cgroupsPath\":\"berth/abc\",\"resources\":{\"memory\":{\"limit\":33554432,"
                 "\"swap\":67108864},\"cpu\":{\"shares\":512,\"quota\":150000,\"period\":100000},"
                 "\"pids\":{\"limit\":10}}}");
  cleanup_free char *mounts = json_dumps(json_object_get(spec, "mounts"), JSON_COMPACT);
  CHECK_STR(mounts, "[{\"destination\":\"/dev/shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\","
                    "\"mode=1777\",\"size=1048576\"]},{\"destination\":\"/sbin/docker-init\","
                    "\"type\":\"bind\",\"source\":\"/usr/bin/tini-static\",\"options\":[\"bind\","
                    "\"ro\"]}]");
  /* a container with no flags: Docker's zeros, null PidsLimit, [] Ulimits */
  cleanup_json json_t *plain = json_object();
  berth_limits none = { 0 };
  berth_limits_hostconfig(plain, &none);
  cleanup_free char *ptext = json_dumps(plain, JSON_SORT_KEYS | JSON_COMPACT);
  CHECK_STR(ptext, "{\"CpuShares\":0,\"Memory\":0,\"MemorySwap\":0,\"NanoCpus\":0,\"PidsLimit\":"
                   "null,\"ShmSize\":67108864,\"Ulimits\":[]}");
  /* --cpus 0.000000001: Docker's quota of 0 would be no limit; berth's 1
   * is one the kernel refuses */
  cleanup_json json_t *tiny = json_pack("{s:I}", "NanoCpus", (json_int_t)1);
  cleanup_json json_t *tspec = json_pack("{s:{}, s:[], s:{}}", "process", "mounts", "linux");
  CHECK(berth_limits_apply_spec(tspec, tiny, NULL, NULL, NULL) == 0);
  CHECK(json_integer_value(json_object_get(
            json_object_get(json_object_get(json_object_get(tspec, "linux"), "resources"), "cpu"),
            "quota"))
        == 1);
  /* a negative CpuShares is refused at start, as Docker's getCPUResources */
  json_object_set_new(plain, "CpuShares", json_integer(-1));
  cleanup_error berth_error *err = NULL;
  CHECK(berth_limits_apply_spec(spec, plain, NULL, NULL, &err) < 0);
  CHECK_STR(err ? berth_error_message(err) : NULL, "shares: invalid argument");
}

/* The hybrid layout of this machine: v1 controllers, memory nested under
 * the session's cgroup, a cgroup2 mount with no memory. */
static const char mountinfo[]
    = "25 1 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
      "26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime shared:2 - cgroup cgroup rw,cpu\n"
      "27 25 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "28 25 0:25 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
      "29 25 0:26 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
      "30 25 0:27 / /nonexistent/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "31 25 0:24 / /mnt/memory\\040again rw,relatime - cgroup cgroup rw,memory\n"
      "32 1 8:1 / / rw - ext4 /dev/vda rw\n";
static const char self_cgroup[] = "4:pids:/\n3:name=systemd:/\n2:memory:/process_api/abc\n"
                                  "1:cpu:/\n0::/\n";

TEST(cgroup_dirs)
{
  cleanup_free char *memory = NULL;
  bool v2 = true;
  cleanup_strv char **dirs
      = berth_cgroup_dirs_parse(mountinfo, self_cgroup, "berth/x", &memory, &v2);
  size_t n = 0;
  while (dirs[n] != NULL)
    n++;
  CHECK(n == 6);
  CHECK_STR(dirs[0], "/sys/fs/cgroup/cpu/berth/x");
  CHECK_STR(dirs[1], "/sys/fs/cgroup/memory/process_api/abc/berth/x");
  CHECK_STR(dirs[2], "/sys/fs/cgroup/pids/berth/x");
  CHECK_STR(dirs[3], "/sys/fs/cgroup/systemd/berth/x");
  CHECK_STR(dirs[4], "/nonexistent/unified/berth/x");
  CHECK_STR(dirs[5], "/mnt/memory again/process_api/abc/berth/x");
  CHECK_STR(memory, "/sys/fs/cgroup/memory/process_api/abc/berth/x");
  CHECK(!v2);
}

int
main(void)
{
  RUN(ram_in_bytes);
  RUN(memory_swap);
  RUN(nano_cpus);
  RUN(int64_base0);
  RUN(ulimit);
  RUN(daemon_checks);
  RUN(missing_controllers);
  RUN(hostconfig_and_spec);
  RUN(cgroup_dirs);
  DONE();
}
