/* Go's ustar rules, in one place (ustar.h). */
#include "archive/ustar.h"

#include <stdio.h>
#include <string.h>

#include "common/utf8.h"

#define NAME_SIZE 100
#define PREFIX_SIZE 155

bool
berth_ustar_split(const char *name, size_t *prefix_len)
{
  size_t n = strlen(name);
  *prefix_len = 0;
  if (!berth_ascii(name))
    return false;
  if (n <= NAME_SIZE)
    return true;
  size_t len = n;
  if (len > PREFIX_SIZE + 1)
    len = PREFIX_SIZE + 1;
  else if (name[len - 1] == '/')
    len--;
  size_t i = len;
  while (i-- > 0 && name[i] != '/')
    ;
  if (i == (size_t)-1 || i == 0)
    return false;
  size_t suffix = n - i - 1;
  if (suffix == 0 || suffix > NAME_SIZE || i > PREFIX_SIZE)
    return false;
  *prefix_len = i;
  return true;
}

size_t
berth_pax_record_len(const char *key, size_t value_len)
{
  size_t body = 1 + strlen(key) + 1 + value_len + 1; /* ' ', '=', '\n' */
  size_t len = body + (size_t)snprintf(NULL, 0, "%zu", body);
  while (body + (size_t)snprintf(NULL, 0, "%zu", len) != len)
    len = body + (size_t)snprintf(NULL, 0, "%zu", len);
  return len;
}
