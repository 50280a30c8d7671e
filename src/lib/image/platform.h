/* Platforms ("linux/amd64", "linux/arm/v7") and how an index entry is matched
 * to the one wanted, following containerd's platforms package: names are
 * lower-cased and normalized (x86_64 → amd64, aarch64 → arm64, arm64 variant
 * v8 → none, arm with no variant → v7, armhf → arm/v7, i386 → 386, …). */
#pragma once

#include "common/error.h"

/* The platform berth was built for, normalized: "linux/amd64",
 * "linux/arm64", "linux/arm/v7", … (never NULL; free it). */
char *berth_platform_host(void);

/* Parses "os", "arch", "os/arch" or "os/arch/variant" (e.g. a --platform
 * value) and normalizes it.  A lone word is an OS (then the host's
 * architecture is used) or an architecture (then the host's OS).  *variant is
 * NULL when there is none.  Outputs are set only on success. */
int berth_platform_parse(const char *s, char **os, char **arch, char **variant, berth_error **err);

/* Normalized copies of a platform as a document wrote it (any of the inputs
 * may be NULL: they become "", and an empty variant becomes NULL). */
void berth_platform_normalize(const char *os, const char *arch, const char *variant, char **nos,
                              char **narch, char **nvariant);

/* "os/arch" or "os/arch/variant". */
char *berth_platform_format(const char *os, const char *arch, const char *variant);

/* How well an index entry's platform (as written, not yet normalized) fits a
 * wanted platform (normalized, as berth_platform_parse returns it): 0 is an
 * exact match, higher numbers are older but compatible platforms (amd64/v2
 * runs amd64 and 386; arm64 runs arm/v8 … arm/v5; arm/v7 runs arm/v6, v5),
 * -1 is no match. */
int berth_platform_match_rank(const char *want_os, const char *want_arch, const char *want_variant,
                              const char *os, const char *arch, const char *variant);
