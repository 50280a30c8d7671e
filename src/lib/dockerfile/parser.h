/* The Dockerfile parser: the bytes of a Dockerfile to a list of
 * instructions, shaped as BuildKit's parser (moby/buildkit
 * frontend/dockerfile/parser) shapes them, so that its test corpus applies:
 * parser directives at the top, comments, line continuations, flags, the
 * per-instruction argument forms (JSON or shell, ENV/LABEL triples, words),
 * ONBUILD's nested instruction and heredocs.  No variable is expanded here
 * and no instruction is judged (berth_dockerfile_check() does the little of
 * that which needs no build state). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* A Dockerfile larger than this is refused: no real one comes close, and the
 * parser keeps the whole file and its instructions in memory. */
#define BERTH_DOCKERFILE_MAX_SIZE (4u << 20)
/* BuildKit reads with a bufio.Scanner, whose longest line is 64 KiB. */
#define BERTH_DOCKERFILE_MAX_LINE 65535u

/* One heredoc of an instruction (`RUN <<EOF`, `COPY <<-"END" /x`). */
typedef struct berth_df_heredoc {
  char *name;    /* the delimiter word, its quotes removed */
  char *content; /* the body lines with their line ends, the delimiter line
                  * excluded; for <<- with the leading tabs of each line
                  * already removed */
  size_t content_len;
  unsigned fd; /* the digits before <<, as in `3<<EOF`; 0 without */
  bool expand; /* false when the delimiter was quoted (even in part): the
                * body is then taken literally, no variable expansion */
  bool chomp;  /* <<- */
} berth_df_heredoc;

typedef struct berth_df_instruction {
  char *keyword;  /* lowercased: "run"; an unknown one is kept ("foo") */
  char *original; /* the logical line: continuations joined, the leading
                   * whitespace of the first line and comment lines dropped */
  int start_line; /* 1-based; end_line includes continuation, blank and */
  int end_line;   /* comment lines inside it and the heredoc bodies */
  char **flags;   /* NULL-terminated: "--from=build", "--chown=a:b" */
  size_t n_flags;
  /* NULL-terminated.  RUN, CMD, ENTRYPOINT, SHELL: the JSON array's strings
   * (json true) or one string, the rest of the line; ADD, COPY, VOLUME: JSON
   * strings or whitespace-split words; FROM, EXPOSE, ARG: words; ENV, LABEL:
   * (key, value, separator) triples, separator "=" or "" for `ENV K V`,
   * values raw; MAINTAINER, USER, WORKDIR, STOPSIGNAL: one string;
   * HEALTHCHECK: none, or "CMD"/"NONE"/… then its command as for CMD; an
   * unknown instruction: one empty string; ONBUILD: none (see sub). */
  char **args;
  size_t *arg_lens; /* JSON may put a NUL byte in an argument ("\u0000") */
  size_t n_args;
  bool json;                        /* exec form */
  struct berth_df_instruction *sub; /* ONBUILD's trigger, NULL otherwise */
  berth_df_heredoc *heredocs;
  size_t n_heredocs;
} berth_df_instruction;

typedef struct berth_dockerfile {
  berth_df_instruction *instructions;
  size_t n_instructions;
  char escape; /* '\\' or '`' (the escape directive) */
  /* Docker's parser warnings ("[WARNING]: Empty continuation line found
   * in: …" and its closing line), NULL-terminated; NULL: none */
  char **warnings;
  size_t n_warnings;
} berth_dockerfile;

/* Parses the len bytes at data, which are untrusted: any bytes, any size
 * (more than BERTH_DOCKERFILE_MAX_SIZE is refused), no terminator needed.
 * name is how errors call the file ("Dockerfile"); errors name the line:
 * "Dockerfile:7: unterminated heredoc (<<EOF)".  NULL on error. */
berth_dockerfile *berth_dockerfile_parse(const char *data, size_t len, const char *name,
                                         berth_error **err);

/* The checks that need no build state, with Docker's words: an unknown
 * instruction ("Dockerfile:3: unknown instruction: FOO"), an instruction
 * other than ARG before the first FROM or no FROM at all ("no build stage in
 * current context"), and ONBUILD triggers Docker refuses.  0 or -1. */
int berth_dockerfile_check(const berth_dockerfile *df, const char *name, berth_error **err);

/* Whether one word (untrusted; a COPY source, say) is a heredoc word, as
 * BuildKit's MustParseHeredoc reads one: true with *out filled (its name
 * owned by the caller; content NULL), false when it is not. */
bool berth_df_heredoc_word(const char *word, berth_df_heredoc *out);

void berth_dockerfile_free(berth_dockerfile *df);
void berth_dockerfile_cleanup(berth_dockerfile **df);
#define cleanup_dockerfile __attribute__((cleanup(berth_dockerfile_cleanup)))
