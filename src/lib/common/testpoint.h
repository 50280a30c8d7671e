/* Named points where a test can stop berth to kill it there: with
 * BERTH_TEST_PAUSE=<point>[#<n>]:<file> in the environment, the n-th
 * (default: first) time the process reaches berth_test_point(<point>) it
 * creates <file> (holding its pid) and waits for a signal that ends it (a test's kill -9),
 * so that a test can hit a moment of a few microseconds (between a
 * layer's renames, say) every time.  Without the variable a point costs
 * one getenv. */
#pragma once

void berth_test_point(const char *name);
