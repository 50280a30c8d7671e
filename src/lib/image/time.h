/* RFC 3339 timestamps as image configs and history entries carry them. */
#pragma once

#include <stdint.h>

/* Parses "2024-01-01T00:00:00Z", "2026-11-23T05:26:55.123456789Z",
 * "2024-01-01T09:00:00+09:00" (any number of fraction digits) into unix
 * seconds (the fraction is dropped).  Returns -1 (errno = EINVAL) when s is
 * not such a timestamp or names an impossible date. */
int berth_time_parse(const char *s, int64_t *out);

/* Formats a UTC time as Go's RFC3339Nano does: "2026-11-23T05:26:55.1234Z"
 * (trailing zeros of the fraction dropped, no fraction when it is 0). */
char *berth_time_format_rfc3339(int64_t sec, long nsec);

/* The current time, formatted as berth_time_format_rfc3339 does. */
char *berth_time_now_rfc3339(void);
