/* Random identifiers from the kernel's CSPRNG (getrandom). */
#pragma once

#include <stddef.h>

/* Fills out with n lowercase hex characters and a NUL (out holds n + 1). */
void berth_random_hex(char *out, size_t n);

/* Fills out with n characters from [A-Z0-9] and a NUL, as overlay2's l/ short
 * link names are made. */
void berth_random_upper(char *out, size_t n);
