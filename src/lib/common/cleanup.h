/* Cleanup attributes for every owned thing, in the manner of crun: a variable
 * declared `cleanup_free char *p = …` is freed when it leaves scope.  Hand
 * ownership out with steal_pointer()/steal_fd().  Cleanups keep errno. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
berth_cleanup_freep(void *p)
{
  int saved = errno;
  free(*(void **)p);
  errno = saved;
}

static inline void
berth_cleanup_closep(int *fd)
{
  int saved = errno;
  if (*fd >= 0)
    close(*fd);
  errno = saved;
}

static inline void
berth_cleanup_dirp(DIR **d)
{
  int saved = errno;
  if (*d != NULL)
    closedir(*d);
  errno = saved;
}

static inline void
berth_cleanup_filep(FILE **f)
{
  int saved = errno;
  if (*f != NULL)
    fclose(*f);
  errno = saved;
}

static inline void
berth_cleanup_jsonp(json_t **j)
{
  int saved = errno;
  json_decref(*j);
  errno = saved;
}

/* A NULL-terminated array of strings. */
static inline void
berth_cleanup_strvp(char ***v)
{
  int saved = errno;
  if (*v != NULL) {
    for (char **s = *v; *s != NULL; s++)
      free(*s);
    free(*v);
  }
  errno = saved;
}

#define cleanup_free __attribute__((cleanup(berth_cleanup_freep)))
#define cleanup_close __attribute__((cleanup(berth_cleanup_closep)))
#define cleanup_dir __attribute__((cleanup(berth_cleanup_dirp)))
#define cleanup_file __attribute__((cleanup(berth_cleanup_filep)))
#define cleanup_json __attribute__((cleanup(berth_cleanup_jsonp)))
#define cleanup_strv __attribute__((cleanup(berth_cleanup_strvp)))

static inline void *
berth_steal_pointer(void *pp)
{
  void **p = pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))berth_steal_pointer(pp))

static inline int
steal_fd(int *fd)
{
  int v = *fd;
  *fd = -1;
  return v;
}
