/* `inspect` of a container: Docker's ContainerJSON shape. */
#pragma once

#include <jansson.h>

#include "container/container.h"
#include "store/store.h"

json_t *berth_container_inspect(berth_store *s, const berth_container *c);
