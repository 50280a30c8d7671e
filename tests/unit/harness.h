/* A minimal TAP producer for berth's C unit tests (meson runs them with
 * protocol 'tap').  TEST(name) defines a case; RUN(name) in main runs it. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct berth_test_state {
  int planned;
  int failed_here;
};
static struct berth_test_state berth_t;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                          \
      berth_t.failed_here++;                                                                       \
    }                                                                                              \
  } while (0)

#define CHECK_STR(a, b)                                                                            \
  do {                                                                                             \
    const char *a_ = (a), *b_ = (b);                                                               \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                         \
      printf("#   %s:%d: %s == %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, #a, #b,         \
             a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                              \
      berth_t.failed_here++;                                                                       \
    }                                                                                              \
  } while (0)

#define TEST(name) static void test_##name(void)

#define RUN(name)                                                                                  \
  do {                                                                                             \
    berth_t.failed_here = 0;                                                                       \
    test_##name();                                                                                 \
    printf("%s %d - %s\n", berth_t.failed_here ? "not ok" : "ok", ++berth_t.planned, #name);       \
  } while (0)

#define DONE()                                                                                     \
  do {                                                                                             \
    printf("1..%d\n", berth_t.planned);                                                            \
    return 0;                                                                                      \
  } while (0)
