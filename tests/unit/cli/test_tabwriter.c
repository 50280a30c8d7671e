/* Go's tabwriter with Docker's settings (minwidth 10, padding 3). */
#include <stdlib.h>

#include "harness.h"
#include "tabwriter.h"

static void
check(const char *in, const char *want)
{
  char *got = berth_tabwriter(in);
  CHECK_STR(got, want);
  free(got);
}

TEST(columns)
{
  check("", "");
  check("a\n", "a\n");
  check("a\tb\tc\naa\tbbb\tcccc\n", "a         b         c\naa        bbb       cccc\n");
  check("REPOSITORY\tTAG\tIMAGE ID|SIZE\ndemo/bb\t1\tx|1\n",
        "REPOSITORY   TAG       IMAGE ID|SIZE\ndemo/bb      1         x|1\n");
  /* a line without a tab ends the column block: the next has its own widths */
  check("aaaaaaaaaaaaaaa\tb\nc\nd\te\n", "aaaaaaaaaaaaaaa   b\nc\nd         e\n");
  /* a column only as long as the lines that have a cell in it */
  check("a\tb\tccccccccccccccccccc\tx\nd\te\n",
        "a         b         ccccccccccccccccccc   x\nd         e\n");
  /* widths in runes, not bytes */
  check("\xc3\xa9\xc3\xa9\tb\nx\ty\n", "\xc3\xa9\xc3\xa9        b\nx         y\n");
  /* an empty cell is padded; text without a final newline stays so */
  check("\ta\nb\tc", "          a\nb         c");
}

int
main(void)
{
  RUN(columns);
  DONE();
}
