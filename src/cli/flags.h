/* One table per command for its flags: it drives getopt_long and it is
 * the Options section of the command's --help, so the two can never
 * disagree (nor the man pages and the completion, made from --help). */
#pragma once

#include <getopt.h>
#include <stdio.h>

#include "cli.h"

typedef struct berth_flag {
  const char *name;  /* the long name, without "--" */
  int key;           /* a letter: the shorthand (-f), and what berth_flags_next
                         returns; BERTH_FLAG_LONG or above: a flag with no
                         shorthand, returned as this value */
  const char *type;  /* the value's type as Docker's help shows it ("string",
                        "list", "int"); NULL: the flag takes no value */
  const char *usage; /* Docker's words */
} berth_flag;

/* The type of a bool flag that also takes a value joined to it, as Go's
 * do (--rm=false, -H=false: optarg "false", "=false"; NULL without one);
 * --help shows no type for it. */
extern const char berth_flag_bool[];

/* The first key of a flag with no shorthand (a command's own enum). */
#define BERTH_FLAG_LONG 256

/* A command's max_args when it takes any number of arguments. */
#define BERTH_ARGS_ANY (-1)

typedef struct berth_cmd_spec {
  const char *usage;       /* "berth kill [OPTIONS] CONTAINER [CONTAINER...]" */
  const char *description; /* "Kill one or more running containers" (a longer text
                              after a blank line is help's only) */
  const berth_flag *flags; /* ended by { 0 }; --help is every command's */
  /* How many arguments the command takes after its flags, as Docker's
   * cobra Args say (0, 0: none, Docker's NoArgs): checked when the flags
   * end, with Docker's error (status 1). */
  int min_args, max_args; /* max_args BERTH_ARGS_ANY: no limit */
  /* The flags end at the first argument, as for Docker's commands that
   * SetInterspersed(false) (run, create, exec, top: the words after the
   * image or container are the command's own); otherwise (0) a flag may
   * come anywhere, before "--", as pflag takes it. */
  bool own_args;
} berth_cmd_spec;

/* run's table is the longest: Docker's run has 96 flags */
#define BERTH_FLAGS_MAX 128

/* berth_flags_next's state: the getopt tables built from the spec. */
typedef struct berth_flag_iter {
  struct option options[BERTH_FLAGS_MAX + 2];
  char optstring[3 * BERTH_FLAGS_MAX + 4];
  int args;               /* argv[args, next): the arguments met so far */
  int next;               /* where getopt_long's last return left optind */
  int status;             /* after BERTH_FLAG_DONE: the command's exit status */
  char name[64];          /* the command's name in its usage ("image umount"), for errors */
  const berth_flag *flag; /* the flag berth_flags_next returned last */
} berth_flag_iter;

/* returned once --help was printed (status 0), a bad flag reported in
 * Docker's words (status 125) or a wrong number of arguments (status 1):
 * the command returns it->status */
#define BERTH_FLAG_DONE (-2)

/* The next flag of argv (user input: any bytes) by spec's table: its val
 * (optarg set when it takes a value), -1 after the last flag, or
 * BERTH_FLAG_DONE.  After -1 the arguments, as many as spec allows, are
 * argv[optind..argc) in the order given (the flags among them moved
 * before them, as GNU getopt permutes).  it starts zeroed; the first call
 * starts getopt afresh (optind 0). */
int berth_flags_next(berth_flag_iter *it, berth_cli *cli, const berth_cmd_spec *spec, int argc,
                     char **argv);

/* A flag as Docker's errors name it: "\"-e, --env\" flag", "\"--env-file\" flag"
 * (to be freed). */
char *berth_flag_what(const berth_flag *f);

/* Docker's help: "Usage:  …" (a management form's, cli->form, in place of
 * the command's words), the description, the form's aliases, and the
 * Options section as pflag prints it: by name, aligned, wrapped to the
 * terminal's width (80 columns without one).  cli may be NULL. */
void berth_flags_help(FILE *out, const berth_cli *cli, const berth_cmd_spec *spec);
