/* federation/due.c - the scheduler's walk over "this stored post is due to be signed
 * again" records, shared by poll results (polls.c) and embedded counts (counts.c): one
 * read transaction collects a batch of due records, then each is built outside any
 * transaction and stored with a compare (the caller's RUN); a post that is gone drops its
 * record, anything else is logged and tried again at the next tick. */
#include "federation/fed_int.h"

size_t fed_due_run(struct fed *fed, const struct fed_due *d, int64_t now_ms)
{
    struct store_txn *txn = NULL;
    size_t done = 0, n;

    if (store_txn_begin(fed->st, STORE_READ, &txn, NULL) != HR_OK)
        return 0;
    store_rec_each(txn, d->table, d->prefix, d->plen, false, d->collect, d->walk, NULL);
    store_txn_abort(txn);
    n = *d->n;
    for (size_t i = 0; i < n; i++) {
        void *item = (char *)d->items + i * d->item_size;
        struct hr_err err = {0};
        int rc = d->run(fed, item, now_ms, &err);

        if (rc == HR_OK) {
            done++;
            continue;
        }
        if (rc != HR_ENOTFOUND)
            hr_log(HR_LOG_WARN, d->mod, "%s of %s not %s: %s", d->noun, d->id(item), d->verb,
                   err.msg);
        if (rc == HR_ENOTFOUND || rc == HR_EINVAL) /* deleted, or not such a post */
            d->drop(fed, item);
    }
    return done;
}
