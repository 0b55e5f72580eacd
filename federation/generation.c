/* federation/generation.c - the store's generation for the server's page cache
 * (server/cache.c), which may not see the store itself (docs/architecture.md arrows). */
#include "federation/fed_int.h"

uint64_t fed_store_generation(struct fed *fed)
{
    return store_generation(fed->st);
}
