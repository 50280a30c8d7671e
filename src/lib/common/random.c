#include "common/random.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

static void
fill(unsigned char *buf, size_t n)
{
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(buf + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      abort(); /* the kernel has no entropy source: nothing sane to do */
    }
    got += (size_t)r;
  }
}

static void
from_alphabet(char *out, size_t n, const char *alphabet, unsigned int size)
{
  unsigned char buf[256];
  while (n > 0) {
    size_t chunk = n < sizeof(buf) ? n : sizeof(buf);
    fill(buf, chunk);
    for (size_t i = 0; i < chunk; i++)
      *out++ = alphabet[buf[i] % size];
    n -= chunk;
  }
  *out = '\0';
}

void
berth_random_hex(char *out, size_t n)
{
  from_alphabet(out, n, "0123456789abcdef", 16);
}

void
berth_random_upper(char *out, size_t n)
{
  /* 36 does not divide 256: the slight bias is harmless for link names. */
  from_alphabet(out, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 36);
}
