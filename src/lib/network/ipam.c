#include "network/ipam.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

char *
berth_ipam_dir(berth_store *s)
{
  return xasprintf("%s/network/ipam", berth_store_root(s));
}

int
berth_ipam_forget(berth_store *s, const char *network_name, berth_error **err)
{
  if (strchr(network_name, '/') != NULL || network_name[0] == '.')
    return 0;
  cleanup_free char *rel = xasprintf("network/ipam/%s", network_name);
  return berth_rm_rf_at(berth_store_root_fd(s), rel, err);
}

int
berth_ipam_count(berth_store *s, const char *network_name, const char *container_id)
{
  cleanup_free char *rel = xasprintf("network/ipam/%s", network_name);
  int fd = openat(berth_store_root_fd(s), rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return 0;
  }
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    /* host-local names each allocation by its address */
    if (strspn(e->d_name, "0123456789.") != strlen(e->d_name) || e->d_name[0] == '.')
      continue;
    cleanup_free char *line = berth_read_line_at(dirfd(d), e->d_name, NULL);
    if (line != NULL && strncmp(line, container_id, strlen(container_id)) == 0)
      n++;
  }
  return n;
}
