#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "flags.h"
#include "registry/credentials.h"

#define DEFAULT_SERVER "docker.io"

/* The longest username or password read from stdin: registry tokens run to
 * a few KiB (JWTs, cloud access tokens); 64 KiB leaves room for any of them
 * while /dev/zero or an endless pipe cannot fill memory. */
#define SECRET_MAX (64 * 1024)

/* A line from stdin (the user's) without its newline, at most SECRET_MAX
 * bytes; echo off for passwords.  NULL at end of input, or with *too_long
 * set when the line is longer. */
static char *
read_line(bool secret, bool *too_long)
{
  struct termios saved, quiet;
  bool tty = secret && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  cleanup_free char *line = xmalloc(SECRET_MAX + 1);
  size_t n = 0;
  int ch;
  *too_long = false;
  while ((ch = getchar()) != EOF && ch != '\n' && !*too_long) {
    if (n == SECRET_MAX)
      *too_long = true;
    else
      line[n++] = (char)ch;
  }
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fputc('\n', stderr);
  }
  if (*too_long || (ch == EOF && n == 0))
    return NULL;
  line[n] = '\0';
  line[strcspn(line, "\r")] = '\0';
  return steal_pointer(&line);
}

/* Reads one of the credentials into *out; -1 (error set) when it is too long. */
static int
read_credential(const char *what, bool secret, char **out, berth_error **err)
{
  bool too_long;
  *out = read_line(secret, &too_long);
  if (too_long)
    return berth_error_set(err, 0, "%s from stdin is longer than %d bytes", what, SECRET_MAX);
  return 0;
}

/* "https://index.docker.io/v1/" and friends mean Docker Hub. */
static const char *
server_domain(const char *server)
{
  if (server == NULL || strstr(server, "index.docker.io") != NULL
      || strcmp(server, "registry-1.docker.io") == 0)
    return DEFAULT_SERVER;
  if (strncmp(server, "https://", 8) == 0)
    return server + 8;
  if (strncmp(server, "http://", 7) == 0)
    return server + 7;
  return server;
}

int
berth_cmd_login(berth_cli *cli, int argc, char **argv)
{
  enum { OPT_PASSWORD_STDIN = BERTH_FLAG_LONG };
  static const berth_flag flags[] = {
    { "password", 'p', "string", "Password" },
    { "password-stdin", OPT_PASSWORD_STDIN, NULL, "Take the password from stdin" },
    { "username", 'u', "string", "Username" },
    { 0 },
  };
  static const berth_cmd_spec spec
      = { "berth login [OPTIONS] [SERVER]", "Log in to a registry.", flags, .max_args = 1 };
  berth_flag_iter it = { 0 };
  cleanup_free char *user = NULL, *password = NULL;
  bool from_stdin = false;
  int c;
  while ((c = berth_flags_next(&it, cli, &spec, argc, argv)) != -1) {
    switch (c) {
    case 'u':
      free(user);
      user = xstrdup(optarg);
      break;
    case 'p':
      free(password);
      password = xstrdup(optarg);
      break;
    case OPT_PASSWORD_STDIN:
      from_stdin = true;
      break;
    default:
      return it.status; /* BERTH_FLAG_DONE */
    }
  }
  /* the server names the entry in config.json: UTF-8 only */
  if (optind < argc && berth_cli_check_utf8(cli, "login", "the server address", argv[optind]) != 0)
    return 125;
  const char *domain = server_domain(optind < argc ? argv[optind] : NULL);
  cleanup_error berth_error *err = NULL;

  if (from_stdin) {
    if (password != NULL || user == NULL)
      return berth_cli_usage_error(cli, "login",
                                   "--password-stdin needs --username and no --password");
    if (read_credential("password", false, &password, &err) < 0)
      return berth_cli_fail(cli, err);
  }
  bool tty = isatty(STDIN_FILENO);
  if (user == NULL && tty) {
    fprintf(stderr, "Username: ");
    if (read_credential("username", false, &user, &err) < 0)
      return berth_cli_fail(cli, err);
  }
  if (password == NULL && tty) {
    fprintf(stderr, "Password: ");
    if (read_credential("password", true, &password, &err) < 0)
      return berth_cli_fail(cli, err);
  }
  if (user == NULL || password == NULL || *user == '\0') {
    berth_error_set(&err, 0, "Cannot perform an interactive login from a non TTY device");
    return berth_cli_fail(cli, err);
  }
  if (berth_registry_login(domain, user, password, &cli->registry, &err) < 0
      || berth_credentials_store(&cli->registry, domain, user, password, &err) < 0)
    return berth_cli_fail(cli, err);
  puts("Login Succeeded");
  return 0;
}

int
berth_cmd_logout(berth_cli *cli, int argc, char **argv)
{
  static const berth_cmd_spec spec
      = { "berth logout [SERVER]", "Log out from a registry.", NULL, .max_args = 1 };
  berth_flag_iter it = { 0 };
  if (berth_flags_next(&it, cli, &spec, argc, argv) != -1)
    return it.status; /* --help, or a flag: it has none */
  const char *domain = server_domain(argc - optind == 1 ? argv[optind] : NULL);
  cleanup_error berth_error *err = NULL;
  int r = berth_credentials_erase(&cli->registry, domain, &err);
  if (r < 0)
    return berth_cli_fail(cli, err);
  /* Docker names Hub by its old index address in these messages. */
  const char *shown = strcmp(domain, DEFAULT_SERVER) == 0 ? "https://index.docker.io/v1/" : domain;
  if (r == 1)
    printf("Not logged in to %s\n", shown);
  else
    printf("Removing login credentials for %s\n", shown);
  return 0;
}
