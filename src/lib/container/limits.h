/* A container's resource limits as Docker takes them: the parsers of the
 * flags' values (Docker CLI's flag types, with their words), the checks and
 * defaults of Docker's daemon, the HostConfig fields, and what they become
 * in the runtime's config.json: linux.resources (memory, cpu, pids),
 * process.rlimits, the /dev/shm size and the init process (--init). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Docker's /dev/shm size when --shm-size is not given (64 MiB). */
#define BERTH_DEFAULT_SHM_SIZE 67108864LL
/* The least memory limit Docker's daemon takes (6 MiB). */
#define BERTH_MIN_MEMORY 6291456LL
/* Where --init's binary is bound in the container, as Docker's. */
#define BERTH_INIT_TARGET "/sbin/docker-init"

/* One --ulimit: a go-units name ("nofile") and its limits (-1: unlimited). */
typedef struct berth_ulimit {
  char name[16];
  int64_t soft, hard;
} berth_ulimit;

/* The parsers take the user's bytes.  Each fails with the words Docker puts
 * after `invalid argument "VALUE" for "FLAG" flag: ` (the caller adds
 * that), e.g. "invalid size: 'x'". */

/* go-units (v0.5.0, Docker 20.10's) RAMInBytes: a Go float, an optional
 * space, an optional unit b, k, m, g, t, p (powers of 1024) with an optional
 * "b" or "ib"; the product truncated to int64 as Go does on amd64 (a value
 * out of range becomes INT64_MIN). */
int berth_parse_ram_in_bytes(const char *s, int64_t *out, berth_error **err);
/* --memory-swap (opts.MemSwapBytes): "-1" or RAMInBytes. */
int berth_parse_memory_swap(const char *s, int64_t *out, berth_error **err);
/* --cpus (opts.ParseCPUs): a Go big.Rat ("1.5", "3/2", "15e-1", "0x1p-1")
 * times 1e9, which must be a whole number ("value is too precise"); the
 * result is its low 64 bits, as Go's Int64(). */
int berth_parse_nano_cpus(const char *s, int64_t *out, berth_error **err);
/* Go's strconv.ParseInt(s, base, 64), base 10 or 0 (pflag's Int64 flags:
 * 0x, 0o, 0b and 0 prefixes, underscores between digits). */
int berth_parse_int64(const char *s, int base, int64_t *out, berth_error **err);
/* go-units ParseUlimit: NAME=SOFT[:HARD]. */
int berth_parse_ulimit(const char *s, berth_ulimit *out, berth_error **err);

/* The limits of one container, as create takes them from the flags. */
typedef struct berth_limits {
  int64_t memory;      /* -m, --memory: bytes; 0 none */
  int64_t memory_swap; /* --memory-swap: memory plus swap; -1 unlimited; 0 Docker's default */
  int64_t nano_cpus;   /* --cpus times 1e9; 0 none */
  int64_t cpu_shares;  /* -c, --cpu-shares; 0 the kernel's default */
  int64_t pids_limit;  /* --pids-limit; 0 or less: none */
  int64_t shm_size;    /* --shm-size; 0: Docker's 64 MiB */
  const berth_ulimit *ulimits; /* --ulimit, in order (a later name replaces an earlier) */
  size_t n_ulimits;
  bool init; /* --init */
} berth_limits;

/* What the host's cgroups can limit (Docker's sysinfo). */
typedef struct berth_cgroup_support {
  bool memory, swap, cpu_shares, cpu_cfs, pids;
} berth_cgroup_support;

/* Docker's daemon's checks (verifyPlatformContainerResources) and defaults
 * (adaptContainerSettings) with its words: "Minimum memory limit allowed is
 * 6MB", the swap rules, "Range of CPUs is from 0.01 to N.00, ...".  Where
 * Docker would drop a limit the host cannot enforce and warn, berth refuses
 * it ("Your kernel does not support memory limit capabilities or the cgroup
 * is not mounted"): nothing runs unlimited that was asked to be limited.
 * Only the default swap (twice the memory, never asked for) is dropped
 * (-1) when the host has no swap accounting, as Docker drops it.  ncpu is
 * the host's CPU count.  l is updated in place. */
int berth_limits_check(berth_limits *l, const berth_cgroup_support *host, long ncpu,
                       berth_error **err);

/* Sets Docker's HostConfig fields for l into hc: Memory, MemorySwap,
 * NanoCpus, CpuShares, PidsLimit (null unless positive), Ulimits, ShmSize,
 * and Init when set. */
void berth_limits_hostconfig(json_t *hc, const berth_limits *l);

/* The runtime's config.json for the container whose HostConfig is hc: its
 * memory, cpu and pids limits in linux.resources, linux.cgroupsPath, the
 * --ulimit rlimits, the /dev/shm size and, with Init, the init binary
 * (init_path, from berth_limits_init_path) bound read-only at
 * /sbin/docker-init and made PID 1 with "--" and the command, as Docker
 * does.  hc is the store's record; its fields are type-checked. */
int berth_limits_apply_spec(json_t *spec, const json_t *hc, const char *cgroups_path,
                            const char *init_path, berth_error **err);
/* Only the rlimits, into a "process" object (the container's or an exec's). */
int berth_limits_apply_rlimits(json_t *process, const json_t *hc, berth_error **err);

/* Whether hc asks for --init. */
bool berth_limits_wants_init(const json_t *hc);
/* The binary --init binds: Docker's "docker-init", else Debian's static
 * tini ("tini-static"), looked up in $PATH.  Neither: Docker's words
 * `exec: "docker-init": executable file not found in $PATH`. */
char *berth_limits_init_path(berth_error **err);
