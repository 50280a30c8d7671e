/* Runs a libFuzzer target over files given on the command line (directories
 * are walked one level), so that every build replays the kept corpus and
 * crashers as a regression test; -Dfuzz=true builds the real fuzzers. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return 1;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      buf = realloc(buf, cap);
      if (buf == NULL)
        abort();
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    if (n == 0)
      break;
    len += n;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

int
main(int argc, char **argv)
{
  int files = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) < 0) {
      perror(argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      files++;
      if (run_file(argv[i]) != 0)
        return 1;
      continue;
    }
    DIR *d = opendir(argv[i]);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
      if (de->d_name[0] == '.')
        continue;
      char path[4096];
      snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
      files++;
      if (run_file(path) != 0)
        return 1;
    }
    if (d != NULL)
      closedir(d);
  }
  printf("1..1\nok 1 - replayed %d inputs\n", files);
  return 0;
}
