#include "common/digest_async.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

#define RING_SIZE (1u * 1024 * 1024)
/* A sleeping hasher is woken once this much waits (or at the end), not for
 * every tar header: a futex wake and wait per 512 bytes cost more than the
 * hash of them. */
#define WAKE_SIZE (256u * 1024)

struct berth_sha256_async {
  berth_sha256 *h;
  bool threaded;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t more, room;
  unsigned char *ring;
  /* bytes put into the ring and bytes hashed, from the start: the ring
   * holds [tail, head) at offsets modulo RING_SIZE */
  size_t head, tail;
  bool closed, hasher_waits, putter_waits;
};

static void *
hasher(void *arg)
{
  berth_sha256_async *a = arg;
  pthread_mutex_lock(&a->mu);
  for (;;) {
    while (a->head == a->tail && !a->closed) {
      a->hasher_waits = true;
      pthread_cond_wait(&a->more, &a->mu);
      a->hasher_waits = false;
    }
    if (a->head == a->tail)
      break; /* closed and drained */
    size_t off = a->tail % RING_SIZE, n = a->head - a->tail;
    if (n > RING_SIZE - off)
      n = RING_SIZE - off;
    pthread_mutex_unlock(&a->mu);
    /* [tail, head) is the hasher's alone until tail moves */
    berth_sha256_update(a->h, a->ring + off, n);
    pthread_mutex_lock(&a->mu);
    a->tail += n;
    if (a->putter_waits)
      pthread_cond_signal(&a->room);
  }
  pthread_mutex_unlock(&a->mu);
  return NULL;
}

berth_sha256_async *
berth_sha256_async_new(void)
{
  berth_sha256_async *a = xcalloc(1, sizeof(*a));
  a->h = berth_sha256_new();
  a->ring = xmalloc(RING_SIZE);
  pthread_mutex_init(&a->mu, NULL);
  pthread_cond_init(&a->more, NULL);
  pthread_cond_init(&a->room, NULL);
  /* Signals stay with the caller's threads, as before the hasher. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  a->threaded = pthread_create(&a->thread, NULL, hasher, a) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return a;
}

void
berth_sha256_async_update(berth_sha256_async *a, const void *data, size_t len)
{
  const unsigned char *p = data;
  if (!a->threaded) {
    berth_sha256_update(a->h, p, len);
    return;
  }
  while (len > 0) {
    pthread_mutex_lock(&a->mu);
    while (a->head - a->tail == RING_SIZE) {
      a->putter_waits = true;
      pthread_cond_wait(&a->room, &a->mu);
      a->putter_waits = false;
    }
    size_t off = a->head % RING_SIZE, n = RING_SIZE - (a->head - a->tail);
    pthread_mutex_unlock(&a->mu);
    if (n > RING_SIZE - off)
      n = RING_SIZE - off;
    if (n > len)
      n = len;
    /* [head, tail + RING_SIZE) is the putter's alone until head moves */
    memcpy(a->ring + off, p, n);
    pthread_mutex_lock(&a->mu);
    a->head += n;
    if (a->hasher_waits && a->head - a->tail >= WAKE_SIZE)
      pthread_cond_signal(&a->more);
    pthread_mutex_unlock(&a->mu);
    p += n;
    len -= n;
  }
}

static void
stop(berth_sha256_async *a)
{
  if (!a->threaded)
    return;
  pthread_mutex_lock(&a->mu);
  a->closed = true;
  pthread_cond_signal(&a->more);
  pthread_mutex_unlock(&a->mu);
  pthread_join(a->thread, NULL);
  a->threaded = false;
}

void
berth_sha256_async_final(berth_sha256_async *a, char out[BERTH_DIGEST_LEN])
{
  stop(a);
  berth_sha256_final(a->h, out);
}

void
berth_sha256_async_free(berth_sha256_async *a)
{
  if (a == NULL)
    return;
  stop(a);
  pthread_mutex_destroy(&a->mu);
  pthread_cond_destroy(&a->more);
  pthread_cond_destroy(&a->room);
  berth_sha256_free(a->h);
  free(a->ring);
  free(a);
}

void
berth_sha256_async_cleanup(berth_sha256_async **a)
{
  berth_sha256_async_free(*a);
  *a = NULL;
}
