#include "network/etc.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#define DEFAULT_HOSTS                                                                              \
  "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"       \
  "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"

char *
berth_etc_hosts(const char *ip, const char *hostname, char *const *peers)
{
  char *out = xstrdup(DEFAULT_HOSTS);
  if (ip != NULL && ip[0] != '\0') {
    char *next = xasprintf("%s%s\t%s\n", out, ip, hostname ? hostname : "");
    free(out);
    out = next;
  }
  for (char *const *p = peers; p != NULL && *p != NULL; p++) {
    char *next = xasprintf("%s%s\n", out, *p);
    free(out);
    out = next;
  }
  return out;
}

/* What follows "nameserver" and blanks at p, when p starts a line that
 * names one: its address's length, else 0. */
static size_t
nameserver_at(const char *p, const char **addr)
{
  if (strncmp(p, "nameserver", 10) != 0
      || (p[10] != ' ' && p[10] != '\t' && p[10] != '\n' && p[10] != '\r' && p[10] != '\f'
          && p[10] != '\v'))
    return 0;
  const char *a = p + 10;
  while (*a != '\0' && isspace((unsigned char)*a))
    a++;
  *addr = a;
  return strcspn(a, " \t\r\n\f\v");
}

/* Docker's ipLocalhost: 127.N.N.N (1-3 digits each) as a prefix, or
 * "::1" ending the line. */
static bool
localhost_at(const char *a)
{
  if (strncmp(a, "127.", 4) == 0) {
    const char *p = a + 4;
    for (int part = 0; part < 3; part++) {
      size_t d = strspn(p, "0123456789");
      if (d < 1)
        return false;
      p += d > 3 ? 3 : d;
      if (part < 2) {
        if (*p != '.')
          return false;
        p++;
      }
    }
    return true;
  }
  return strncmp(a, "::1", 3) == 0 && (a[3] == '\n' || a[3] == '\0');
}

/* Docker's ipv6Address, loosely: two or more colons among hex digits. */
static bool
ipv6_at(const char *a, size_t len)
{
  size_t colons = 0;
  for (size_t i = 0; i < len; i++) {
    if (a[i] == ':')
      colons++;
    else if (!isxdigit((unsigned char)a[i]) && a[i] != '%' && a[i] != '.')
      return false;
  }
  return colons >= 2;
}

/* GetNameservers: a line "nameserver ADDR" after comments are dropped. */
static bool
has_nameserver(const char *text)
{
  for (const char *line = text; *line != '\0';) {
    size_t len = strcspn(line, "\n");
    cleanup_free char *l = xstrndup(line, len);
    l[strcspn(l, "#;")] = '\0';
    char *p = l;
    while (isspace((unsigned char)*p))
      p++;
    const char *addr;
    size_t alen = nameserver_at(p, &addr);
    if (alen > 0) {
      const char *rest = addr + alen;
      while (isspace((unsigned char)*rest))
        rest++;
      if (*rest == '\0')
        return true;
    }
    line += len + (line[len] == '\n');
  }
  return false;
}

char *
berth_etc_resolv_filter(const char *host_text)
{
  size_t n = strlen(host_text);
  char *out = xmalloc(n + 64);
  size_t o = 0;
  bool at_line_start = true;
  for (size_t i = 0; i < n;) {
    const char *addr;
    size_t alen = at_line_start ? nameserver_at(host_text + i, &addr) : 0;
    if (alen > 0 && (localhost_at(addr) || ipv6_at(addr, alen))) {
      /* the regexp's "\s*\n*" after the address: every blank that follows,
       * newlines included */
      size_t j = (size_t)(addr - host_text);
      if (localhost_at(addr) && strncmp(addr, "127.", 4) == 0) {
        j += 4;
        for (int part = 0; part < 3; part++) {
          size_t d = strspn(host_text + j, "0123456789");
          j += d > 3 ? 3 : d;
          if (part < 2)
            j++;
        }
      } else {
        j += alen;
      }
      while (j < n && isspace((unsigned char)host_text[j]))
        j++;
      i = j;
      at_line_start = host_text[j - 1] == '\n';
      continue;
    }
    out[o++] = host_text[i];
    at_line_start = host_text[i] == '\n';
    i++;
  }
  out[o] = '\0';
  if (!has_nameserver(out)) {
    char *next = xasprintf("%s\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n", out);
    free(out);
    return next;
  }
  return out;
}

const char *
berth_etc_resolv_conf_source(void)
{
  cleanup_free char *text = NULL;
  size_t len;
  if (berth_read_file_at(AT_FDCWD, "/etc/resolv.conf", &text, &len, NULL) < 0)
    return "/etc/resolv.conf";
  /* the only nameserver 127.0.0.53 */
  int count = 0;
  bool stub = false;
  for (const char *line = text; *line != '\0';) {
    size_t l = strcspn(line, "\n");
    const char *addr;
    size_t alen = nameserver_at(line, &addr);
    if (alen > 0) {
      count++;
      stub = alen == 10 && strncmp(addr, "127.0.0.53", 10) == 0;
    }
    line += l + (line[l] == '\n');
  }
  return count == 1 && stub && access("/run/systemd/resolve/resolv.conf", R_OK) == 0
             ? "/run/systemd/resolve/resolv.conf"
             : "/etc/resolv.conf";
}
