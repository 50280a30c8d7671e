/* Reads a test document from tests/unit/image/data/ (IMAGE_TEST_DATA). */
#pragma once

#include <fcntl.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fs.h"

static char *
read_data(const char *name, size_t *len)
{
  cleanup_error berth_error *err = NULL;
  cleanup_close int dfd = open(IMAGE_TEST_DATA, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *data = NULL;
  if (dfd < 0 || berth_read_file_at(dfd, name, &data, len, &err) < 0) {
    printf("Bail out! cannot read %s/%s\n", IMAGE_TEST_DATA, name);
    exit(1);
  }
  return data;
}
