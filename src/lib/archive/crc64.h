/* CRC-64 with the ISO 3309 polynomial, reflected, as Go's hash/crc64 computes
 * it with crc64.ISO: tar-split stores this checksum of every file's contents. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Continues crc over buf; start with crc = 0.  The value is already
 * finalised after each call (Go's convention), so calls chain. */
uint64_t berth_crc64_update(uint64_t crc, const void *buf, size_t len);

/* The 8 big-endian bytes Go's Hash64.Sum(nil) gives. */
void berth_crc64_bytes(uint64_t crc, unsigned char out[8]);
