#include "archive/crc64.h"

#ifdef HAVE_ISAL
#include <isa-l/crc64.h>
#endif

#ifdef HAVE_ISAL
uint64_t
berth_crc64_update(uint64_t crc, const void *buf, size_t len)
{
  /* isa-l inverts the seed on entry and the result on exit, like Go. */
  return crc64_iso_refl(crc, buf, len);
}
#else
/* Bitwise table, computed on the fly (one byte at a time, 8 shifts); only
 * used when isa-l is missing. */
static uint64_t
crc64_byte(uint64_t crc)
{
  for (int i = 0; i < 8; i++)
    crc = (crc & 1) ? (crc >> 1) ^ 0xD800000000000000ULL : crc >> 1;
  return crc;
}

uint64_t
berth_crc64_update(uint64_t crc, const void *buf, size_t len)
{
  const unsigned char *p = buf;
  crc = ~crc;
  for (size_t i = 0; i < len; i++)
    crc = crc64_byte((crc ^ p[i]) & 0xff) ^ (crc >> 8);
  return ~crc;
}
#endif

void
berth_crc64_bytes(uint64_t crc, unsigned char out[8])
{
  for (int i = 7; i >= 0; i--) {
    out[i] = (unsigned char)(crc & 0xff);
    crc >>= 8;
  }
}
