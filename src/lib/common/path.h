/* Paths as Go's path package cleans them (the builder's WORKDIR, a
 * container's cwd). */
#pragma once

/* Go's path.Clean of an absolute path: "/a/b/../c/" is "/a/c", ".." stops
 * at the root (a new string). */
char *berth_path_clean_abs(const char *p);
