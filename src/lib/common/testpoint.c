#include "common/testpoint.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Trusts BERTH_TEST_PAUSE: only tests set it. */
void
berth_test_point(const char *name)
{
  const char *v = getenv("BERTH_TEST_PAUSE");
  if (v == NULL)
    return;
  size_t len = strlen(name);
  const char *colon = strchr(v, ':');
  if (colon == NULL || strncmp(v, name, len) != 0 || (v[len] != ':' && v[len] != '#'))
    return;
  static unsigned seen; /* one point a process is told about */
  unsigned want = v[len] == '#' ? (unsigned)strtoul(v + len + 1, NULL, 10) : 1;
  if (++seen != want)
    return;
  int fd = open(colon + 1, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    /* the pid to kill, for a point a forked process reaches (a monitor) */
    char pid[24];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    ssize_t w = write(fd, pid, (size_t)n);
    (void)w;
    close(fd);
  }
  for (;;)
    pause();
}
