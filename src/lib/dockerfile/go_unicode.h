/* The character classes of Go's unicode package that buildkit's Dockerfile
 * word expansion depends on, so that berth ends a `$name` and splits fields
 * where Docker does, also for non-ASCII text. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* unicode.IsLetter: general category L (Lu, Ll, Lt, Lm, Lo). */
bool berth_go_is_letter(uint32_t r);

/* unicode.IsDigit: general category Nd. */
bool berth_go_is_digit(uint32_t r);

/* unicode.IsSpace: '\t', '\n', '\v', '\f', '\r', ' ', U+0085, U+00A0 and the
 * White_Space code points above Latin-1. */
bool berth_go_is_space(uint32_t r);
