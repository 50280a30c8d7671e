/* Container names: Docker's rules and its random "adjective_surname" names. */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "store/store.h"

/* Docker's name grammar: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a leading "/" allowed). */
bool berth_container_name_valid(const char *name);
/* A random "adjective_surname" (fresh string). */
char *berth_container_name_random(void);
/* 1 when some container has the name (its id in in_use_by, may be NULL). */
int berth_container_name_in_use(berth_store *s, const char *name, char in_use_by[65],
                                berth_error **err);
/* A random name that no container has yet. */
char *berth_container_name_unique(berth_store *s, berth_error **err);
