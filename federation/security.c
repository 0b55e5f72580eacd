/* federation/security.c - what key rotation and a freeze change in federation: the
 * actor lists its current Ed25519 key and every superseded one (with `expires`, so old
 * proofs still verify and new ones by an old key do not: FEP-521a, W3C Controlled
 * Identifiers §2.2 "expires"), a frozen account shows a notice and its deliveries are
 * held (not dropped, not failed) until the freeze is lifted. The profile keys are
 * "ed25519_key_id", "ed25519_superseded" and "frozen" (docs/storage.md). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A held job is looked at again after this long even if nobody lifts the freeze: a
 * safety net for jobs an older binary or a failed resume left behind. */
#define HOLD_MS (3600 * 1000)

void fed_ed_key_fragment(const char *profile, char *out, size_t cap)
{
    json_t *p = json_loads(profile ? profile : "{}", 0, NULL);
    const char *id = json_string_value(json_object_get(p, "ed25519_key_id"));

    snprintf(out, cap, "%s", id != NULL && id[0] == '#' ? id : FED_ED_KEY_FRAGMENT);
    json_decref(p);
}

int64_t fed_frozen_since(const char *profile)
{
    json_t *p = json_loads(profile ? profile : "{}", 0, NULL);
    const json_t *f = json_object_get(p, "frozen");
    int64_t since = 0;

    if (json_is_object(f))
        since = json_integer_value(json_object_get(f, "since_ms"));
    if (json_is_object(f) && since <= 0)
        since = 1; /* frozen, whatever the record says about when */
    json_decref(p);
    return since;
}

/* ---- the actor document ---- */

static json_t *multikey(const char *actor, const char *fragment, const char *multibase)
{
    char id[700];

    snprintf(id, sizeof id, "%s%s", actor, fragment);
    return json_pack("{s:s,s:s,s:s,s:s}", "id", id, "type", "Multikey", "controller", actor,
                     "publicKeyMultibase", multibase);
}

/* A superseded key: valid for proofs created before EXPIRES (FEP-521a keys may carry it). */
static json_t *superseded_key(const char *actor, const json_t *old)
{
    const char *frag = json_string_value(json_object_get(old, "id"));
    const char *mb = json_string_value(json_object_get(old, "publicKeyMultibase"));
    int64_t ms = json_integer_value(json_object_get(old, "superseded_ms"));
    char when[32];
    json_t *k;

    if (frag == NULL || frag[0] != '#' || mb == NULL || ms <= 0)
        return NULL;
    k = multikey(actor, frag, mb);
    /* xsd:dateTime to the second, rounded up: a proof created (to the second) before the
     * rotation's own second stays valid wherever `expires` is compared */
    hr_iso8601((ms + 999) / 1000 * 1000, when);
    if (k != NULL && json_object_set_new(k, "expires", json_string(when)) != 0) {
        json_decref(k);
        k = NULL;
    }
    return k;
}

int fed_actor_add_keys(struct fed *fed, const struct store_account *a, const json_t *profile,
                       json_t *actor)
{
    char id[512], frag[128];
    const json_t *old;
    json_t *am;
    size_t i;

    fed_actor_url(fed, a->name, id, sizeof id);
    fed_ed_key_fragment(a->profile, frag, sizeof frag);
    am = json_array();
    if (am == NULL || json_array_append_new(am, multikey(id, frag, a->ed_pub_multibase)) != 0) {
        json_decref(am);
        return HR_ENOMEM;
    }
    json_array_foreach(json_object_get(profile, "ed25519_superseded"), i, old)
    {
        json_t *k = superseded_key(id, old);
        if (k != NULL && json_array_append_new(am, k) != 0) {
            json_decref(am);
            return HR_ENOMEM;
        }
    }
    return json_object_set_new(actor, "assertionMethod", am) == 0 ? HR_OK : HR_ENOMEM;
}

#define FROZEN_NOTICE                                                                              \
    "This account is frozen by its agency while a suspected compromise is investigated: "          \
    "it publishes nothing until two administrators lift the freeze. / "                            \
    "\xe6\x9c\xac\xe8\xb4\xa6\xe5\x8f\xb7\xe5\xb7\xb2\xe8\xa2\xab\xe6\x89\x80\xe5\xb1\x9e"         \
    "\xe6\x9c\xba\xe6\x9e\x84\xe5\x86\xbb\xe7\xbb\x93\xef\xbc\x88\xe7\x96\x91\xe4\xbc\xbc"         \
    "\xe8\xa2\xab\xe7\x9b\x97\xe7\x94\xa8\xef\xbc\x89\xe3\x80\x82"

const char *fed_frozen_notice(void)
{
    return FROZEN_NOTICE;
}

/* The reason stays in the audit log: it may name people or leaked tokens. */
int fed_actor_add_freeze(struct fed *fed, const struct store_account *a, const json_t *profile,
                         json_t *actor)
{
    const json_t *f = json_object_get(profile, "frozen");
    const char *summary = json_string_value(json_object_get(actor, "summary"));
    char when[32], value[64];
    json_t *att = json_object_get(actor, "attachment");
    struct hr_buf b;

    (void)fed;
    (void)a;
    if (!json_is_object(f))
        return HR_OK;
    hr_iso8601(json_integer_value(json_object_get(f, "since_ms")), when);
    snprintf(value, sizeof value, "Frozen since %s", when);
    hr_buf_init(&b, 32768);
    hr_buf_adds(&b, summary ? summary : "");
    hr_buf_adds(&b, "<p>" FROZEN_NOTICE "</p>");
    if (b.err != HR_OK || json_object_set_new(actor, "summary", json_string(b.data)) != 0 ||
        !json_is_array(att) ||
        json_array_append_new(att, json_pack("{s:s,s:s,s:s}", "type", "PropertyValue", "name",
                                             "Account status", "value", value)) != 0) {
        hr_buf_fini(&b);
        return HR_ENOMEM;
    }
    hr_buf_fini(&b);
    return HR_OK;
}

/* Peers cache actor documents (Fedify: 5 minutes, also for the "freshly fetched" key it
 * retries with), so right after a rotation a signature refusal is most likely a stale key
 * at the peer: such a job is retried with the usual backoff instead of being given up. */
bool fed_rotation_grace(struct store_txn *txn, const char *account, int rc, long status,
                        int64_t now)
{
    struct store_account a = {0};
    json_t *p = NULL, *old;
    int64_t last = 0;
    size_t i;

    if (rc != HR_OK || (status != 401 && status != 403) ||
        store_account_get(txn, account, &a, NULL) != HR_OK)
        return false;
    p = json_loads(a.profile ? a.profile : "{}", 0, NULL);
    json_array_foreach(json_object_get(p, "ed25519_superseded"), i, old)
    {
        int64_t ms = json_integer_value(json_object_get(old, "superseded_ms"));
        last = ms > last ? ms : last;
    }
    json_decref(p);
    store_account_fini(&a);
    return last != 0 && now - last < FED_ROTATION_GRACE_MS;
}

/* ---- held deliveries ---- */

/* An Update(actor) queued at or after the freeze carries the notice itself (and nothing the
 * account posted): it goes out, so followers' servers show that the account is frozen. */
static bool exempt(struct fed *fed, const struct store_delivery *d, int64_t since)
{
    char prefix[600];
    size_t n;
    uint64_t ms;

    fed_actor_url(fed, d->account, prefix, sizeof prefix);
    n = strlen(prefix);
    snprintf(prefix + n, sizeof prefix - n, "#updates/");
    n = strlen(prefix);
    return strncmp(d->activity_id, prefix, n) == 0 &&
           hr_parse_u64(d->activity_id + n, UINT64_MAX, &ms) == HR_OK && (int64_t)ms >= since;
}

/* When ACCOUNT was frozen (0: it is not); notices a rotation made by another process. */
static int64_t frozen_account(struct fed *fed, struct store_txn *txn, const char *account)
{
    struct store_account a = {0};
    int64_t since = 0;

    if (store_account_get(txn, account, &a, NULL) == HR_OK) {
        since = fed_frozen_since(a.profile);
        fed_account_key_check(fed, account, a.rsa_pub_pem);
    }
    store_account_fini(&a);
    return since;
}

int fed_deliveries_hold(struct fed *fed, struct store_txn *txn, struct store_delivery *jobs,
                        size_t *n, struct hr_err *err)
{
    char last[64] = "";
    int64_t since = 0, now = hr_now_ms();
    bool *held = calloc(*n ? *n : 1, sizeof *held);
    size_t kept = 0;
    int rc = held ? HR_OK : hr_fail(err, HR_ENOMEM, "deliveries");

    for (size_t i = 0; i < *n && rc == HR_OK; i++) {
        if (strcmp(jobs[i].account, last) != 0) { /* a fan-out's jobs come together */
            snprintf(last, sizeof last, "%s", jobs[i].account);
            since = frozen_account(fed, txn, jobs[i].account);
        }
        held[i] = since != 0 && !exempt(fed, &jobs[i], since);
        if (held[i]) /* attempts unchanged: it was never sent */
            rc = store_delivery_retry(txn, jobs[i].id, now + HOLD_MS, jobs[i].attempts, err);
    }
    for (size_t i = 0; i < *n && rc == HR_OK; i++) {
        if (held[i])
            store_delivery_fini(&jobs[i]);
        else
            jobs[kept++] = jobs[i];
    }
    if (rc == HR_OK)
        *n = kept;
    free(held);
    return rc;
}

static bool of_account(const struct store_delivery *d, void *ctx)
{
    return strcmp(d->account, ctx) == 0;
}

int fed_deliveries_resume(struct store_txn *txn, const char *name, size_t *n, struct hr_err *err)
{
    return store_delivery_retime_if(txn, of_account, (void *)(uintptr_t)name, hr_now_ms(), n, err);
}
