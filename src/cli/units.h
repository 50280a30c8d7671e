/* Sizes and durations the way Docker's go-units prints them. */
#pragma once

#include <stdint.h>

/* Decimal units, 3 significant digits: "0B", "22B", "4.1kB", "57.1MB". */
char *berth_human_size(long long bytes);
/* The same with that many significant digits (HumanSizeWithPrecision):
 * the build context's "4.096kB" has 4. */
char *berth_human_size_precision(long long bytes, int digits);

/* "Less than a second", "3 seconds", "About a minute", "3 weeks", "2 years". */
char *berth_human_duration(int64_t seconds);

/* Docker's "CREATED" column: human duration since t plus " ago". */
char *berth_human_since(int64_t t, int64_t now);

/* Go's time.Time String() in the local zone, as Docker's CreatedAt
 * columns print it: "2026-12-01 13:38:25 +0000 UTC". */
char *berth_go_time_string(int64_t t);

/* Docker's Ellipsis: at most max characters (UTF-8 aware), the last one "…". */
char *berth_ellipsis(const char *s, int max);
