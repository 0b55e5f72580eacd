/* agency/audit.c - the tamper-evident audit log. Every state change appends an entry in
 * the same write transaction as the change itself. Entry N stores the SHA-256 of entry
 * N-1 and its own hash over a fixed text form of its fields, so rewriting, removing or
 * reordering any entry breaks the chain at that entry; the head, signed with the
 * instance's Ed25519 key, can be recorded elsewhere to prove the past was not rewritten. */
#include "agency/agency.h"
#include "agency/agency_int.h"
#include "keys/keys.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The bytes that are hashed: one field per line (fields never contain a line break). */
static int entry_hash(const struct agency_audit_entry *e, char out[65])
{
    struct hr_buf b;

    hr_buf_init(&b, 8192);
    hr_buf_addf(&b, "herald-audit-v1\n%llu\n%lld\n%s\n%s\n%s\n%s\n%s",
                (unsigned long long)e->seq, (long long)e->time_ms, e->operator, e->action,
                e->target, e->details_sha256, e->prev);
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return HR_ETOOBIG;
    }
    keys_sha256_hex(b.data, b.len, out);
    hr_buf_fini(&b);
    return HR_OK;
}

static bool one_line(const char *s)
{
    return s != NULL && strpbrk(s, "\r\n") == NULL && strlen(s) < 1024;
}

static int decode(const char *v, size_t len, struct agency_audit_entry *e)
{
    json_t *j = json_loadb(v, len, JSON_REJECT_DUPLICATES, NULL);
    const char *f[7];
    json_int_t seq = 0, t = 0;
    int rc = HR_EINVAL;

    memset(e, 0, sizeof *e);
    if (j != NULL &&
        json_unpack(j, "{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq", &seq, "time", &t,
                    "operator", &f[0], "action", &f[1], "target", &f[2], "details", &f[3],
                    "details_sha256", &f[4], "prev", &f[5], "hash", &f[6]) == 0) {
        e->seq = (uint64_t)seq;
        e->time_ms = t;
        snprintf(e->operator, sizeof e->operator, "%s", f[0]);
        snprintf(e->action, sizeof e->action, "%s", f[1]);
        snprintf(e->target, sizeof e->target, "%s", f[2]);
        e->details = strdup(f[3]);
        snprintf(e->details_sha256, sizeof e->details_sha256, "%s", f[4]);
        snprintf(e->prev, sizeof e->prev, "%s", f[5]);
        snprintf(e->hash, sizeof e->hash, "%s", f[6]);
        rc = e->details ? HR_OK : HR_ENOMEM;
    }
    json_decref(j);
    return rc;
}

void agency_audit_entry_fini(struct agency_audit_entry *e)
{
    free(e->details);
    e->details = NULL;
}

static int last_cb(uint64_t seq, const char *v, size_t vlen, void *ctx)
{
    (void)seq;
    return decode(v, vlen, ctx) == HR_OK ? HR_EEXIST : HR_EIO; /* stop at the first */
}

/* The newest entry; HR_ENOTFOUND on an empty log. */
int agency_audit_last(struct store_txn *txn, struct agency_audit_entry *out, struct hr_err *err)
{
    int rc = store_audit_each(txn, true, last_cb, out, err);

    if (rc == HR_EEXIST)
        return HR_OK;
    if (rc == HR_OK)
        return HR_ENOTFOUND;
    return hr_fail(err, HR_EIO, "audit: the newest entry is unreadable");
}

int agency_audit(struct store_txn *txn, const char *operator, const char *action,
                 const char *target, const char *details, struct hr_err *err)
{
    struct agency_audit_entry e = {0}, last = {0};
    json_t *j;
    char *body;
    int rc;

    if (!one_line(operator) || !one_line(action) || !one_line(target))
        return hr_fail(err, HR_EINVAL, "audit fields must be single lines");
    rc = agency_audit_last(txn, &last, err);
    if (rc != HR_OK && rc != HR_ENOTFOUND)
        return rc;
    e.seq = rc == HR_OK ? last.seq + 1 : 1;
    snprintf(e.prev, sizeof e.prev, "%s", rc == HR_OK ? last.hash : GENESIS);
    agency_audit_entry_fini(&last);
    e.time_ms = hr_now_ms();
    snprintf(e.operator, sizeof e.operator, "%s", operator);
    snprintf(e.action, sizeof e.action, "%s", action);
    snprintf(e.target, sizeof e.target, "%s", target);
    keys_sha256_hex(details ? details : "", details ? strlen(details) : 0, e.details_sha256);
    if (entry_hash(&e, e.hash) != HR_OK)
        return hr_fail(err, HR_ETOOBIG, "audit entry too large");
    j = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "seq", (json_int_t)e.seq, "time",
                  (json_int_t)e.time_ms, "operator", e.operator, "action", e.action, "target",
                  e.target, "details", details ? details : "", "details_sha256",
                  e.details_sha256, "prev", e.prev, "hash", e.hash);
    body = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (body == NULL)
        return hr_fail(err, HR_ENOMEM, "audit entry");
    rc = store_audit_put(txn, e.seq, body, strlen(body), err);
    free(body);
    return rc;
}

struct verify_walk {
    uint64_t expect_seq, bad_seq, count;
    char prev[65];
    char why[128];
};

static int verify_cb(uint64_t key_seq, const char *v, size_t vlen, void *ctx)
{
    struct verify_walk *w = ctx;
    struct agency_audit_entry e;
    char hash[65], details_sha[65];

    w->bad_seq = key_seq ? key_seq : w->expect_seq;
    if (decode(v, vlen, &e) != HR_OK) {
        snprintf(w->why, sizeof w->why, "entry is not readable");
        return HR_EINVAL;
    }
    keys_sha256_hex(e.details, strlen(e.details), details_sha);
    if (e.seq != key_seq || e.seq != w->expect_seq)
        snprintf(w->why, sizeof w->why, "sequence number out of order");
    else if (strcmp(e.prev, w->prev) != 0)
        snprintf(w->why, sizeof w->why, "previous hash does not match the entry before");
    else if (strcmp(details_sha, e.details_sha256) != 0)
        snprintf(w->why, sizeof w->why, "details do not match their digest");
    else if (entry_hash(&e, hash) != HR_OK || strcmp(hash, e.hash) != 0)
        snprintf(w->why, sizeof w->why, "entry hash does not match its contents");
    else
        w->why[0] = '\0';
    snprintf(w->prev, sizeof w->prev, "%s", e.hash);
    agency_audit_entry_fini(&e);
    if (w->why[0] != '\0')
        return HR_EINVAL;
    w->expect_seq++;
    w->count++;
    return HR_OK;
}

int agency_audit_verify(struct store *st, uint64_t *count, struct hr_err *err)
{
    struct verify_walk w = {.expect_seq = 1};
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    snprintf(w.prev, sizeof w.prev, "%s", GENESIS);
    if (rc == HR_OK)
        rc = store_audit_each(txn, false, verify_cb, &w, err);
    store_txn_abort(txn);
    if (rc == HR_EINVAL)
        return hr_fail(err, HR_ESIG, "audit entry %llu fails: %s", (unsigned long long)w.bad_seq,
                       w.why);
    if (rc == HR_OK && count != NULL)
        *count = w.count;
    return rc;
}

struct list_walk {
    int64_t since_ms;
    const char *account;
    int (*cb)(const struct agency_audit_entry *e, void *ctx);
    void *ctx;
};

/* An entry concerns ACCOUNT when its target is the account or lies under it ("a/..."). */
static bool concerns(const char *target, const char *account)
{
    size_t n = strlen(account);

    return strncmp(target, account, n) == 0 && (target[n] == '\0' || target[n] == '/');
}

static int list_cb(uint64_t seq, const char *v, size_t vlen, void *ctx)
{
    struct list_walk *w = ctx;
    struct agency_audit_entry e;
    int rc;

    (void)seq;
    if (decode(v, vlen, &e) != HR_OK)
        return HR_EIO;
    rc = HR_OK;
    if (e.time_ms >= w->since_ms && (w->account == NULL || concerns(e.target, w->account)))
        rc = w->cb(&e, w->ctx);
    agency_audit_entry_fini(&e);
    return rc;
}

int agency_audit_list(struct store *st, int64_t since_ms, const char *account,
                      int (*cb)(const struct agency_audit_entry *e, void *ctx), void *ctx,
                      struct hr_err *err)
{
    struct list_walk w = {.since_ms = since_ms, .account = account, .cb = cb, .ctx = ctx};
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_audit_each(txn, false, list_cb, &w, err);
    store_txn_abort(txn);
    if (rc == HR_EIO)
        return hr_fail(err, HR_EIO, "audit log has an unreadable entry (run herald audit verify)");
    return rc;
}
