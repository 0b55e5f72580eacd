/* federation/hookjob.c - webhook deliveries in the durable delivery queue (issue #12 part
 * 7): what the worker (federation/deliver.c) does differently for a job whose account is
 * FED_HOOK_ACCOUNT + a webhook id. Its body is an event stored once in STORE_T_HOOKS (not
 * an ActivityPub object), it is POSTed as application/json with an HMAC-SHA256 signature
 * of the webhook's own secret instead of an HTTP Signature of an account's key, and the
 * event body goes when the last job that refers to it ends. Everything else - claims,
 * leases, the SSRF guard, the domain policy, size and time limits, retries with backoff,
 * giving up - is the federation worker's own path. docs/operating.md "Webhooks". */
#include "federation/fed_int.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEBHOOK_URL_MAX 500

bool fed_hook_job(const char *account)
{
    return account != NULL && strncmp(account, FED_HOOK_ACCOUNT, strlen(FED_HOOK_ACCOUNT)) == 0;
}

bool fed_hook_event_id(const char *activity_id, uint64_t *seq)
{
    size_t n = strlen(FED_HOOK_EVENT);
    uint64_t v = 0;

    if (activity_id == NULL || strncmp(activity_id, FED_HOOK_EVENT, n) != 0 ||
        hr_parse_u64(activity_id + n, UINT64_MAX, &v) != HR_OK)
        return false;
    if (seq != NULL)
        *seq = v;
    return true;
}

size_t fed_hook_key(char kind, uint64_t seq, unsigned char key[10])
{
    key[0] = (unsigned char)kind;
    key[1] = '\0';
    store_put_be64(seq, key + 2);
    return 10;
}

size_t fed_hook_rec_key(const char *id, char key[80])
{
    size_t n = strlen(id);

    if (n == 0 || n > 64)
        return 0;
    key[0] = 'w';
    key[1] = '\0';
    memcpy(key + 2, id, n);
    return n + 2;
}

int fed_hook_get(struct store_txn *txn, const char *id, json_t **out, struct hr_err *err)
{
    char key[80], *v = NULL;
    size_t klen = fed_hook_rec_key(id, key), len = 0;
    int rc;

    *out = NULL;
    if (klen == 0)
        return hr_fail(err, HR_ENOTFOUND, "no webhook %.80s", id);
    rc = store_rec_get(txn, STORE_T_HOOKS, key, klen, &v, &len, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_ENOTFOUND, "no webhook %.80s", id);
    if (rc == HR_OK)
        *out = json_loadb(v, len, 0, NULL); /* not inside json_is_object: a macro */
    if (rc == HR_OK && !json_is_object(*out))
        rc = hr_fail(err, HR_EIO, "webhook %.80s: corrupt record", id);
    keys_wipe(v, len); /* it holds the secret */
    free(v);
    if (rc != HR_OK) {
        json_decref(*out);
        *out = NULL;
        return rc == HR_EIO ? rc : hr_fail(err, rc, "webhook %.80s not read", id);
    }
    return HR_OK;
}

int fed_hook_secret(struct store *st, const char *account, char **out, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *h = NULL;
    const char *s;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    *out = NULL;
    if (rc == HR_OK)
        rc = fed_hook_get(txn, account + strlen(FED_HOOK_ACCOUNT), &h, err);
    store_txn_abort(txn);
    if (rc != HR_OK)
        return rc;
    s = json_string_value(json_object_get(h, "secret"));
    if (s == NULL || s[0] == '\0')
        rc = hr_fail(err, HR_EINVAL, "webhook without a secret");
    else if ((*out = strdup(s)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "webhook");
    json_decref(h);
    return rc;
}

int fed_hook_body(struct store_txn *txn, const char *activity_id, char **out,
                  struct hr_err *err)
{
    unsigned char key[10];
    uint64_t seq = 0;
    size_t len = 0;
    int rc;

    if (!fed_hook_event_id(activity_id, &seq))
        return hr_fail(err, HR_EINVAL, "not a webhook event: %.80s", activity_id);
    rc = store_rec_get(txn, STORE_T_HOOKS, key, fed_hook_key('e', seq, key), out, &len, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_ENOTFOUND, "webhook event %.80s is gone", activity_id);
    return rc == HR_OK ? HR_OK : hr_fail(err, rc, "webhook event %.80s not read", activity_id);
}

int fed_hook_release(struct store_txn *txn, const char *activity_id, struct hr_err *err)
{
    unsigned char key[10];
    uint64_t seq = 0;
    json_t *n = NULL;
    char *v = NULL;
    size_t len = 0;
    json_int_t refs;
    int rc;

    if (!fed_hook_event_id(activity_id, &seq))
        return HR_OK;
    fed_hook_key('n', seq, key);
    rc = store_rec_get(txn, STORE_T_HOOKS, key, sizeof key, &v, &len, NULL);
    if (rc == HR_ENOTFOUND)
        return HR_OK; /* released already */
    if (rc != HR_OK) {
        free(v);
        return hr_fail(err, rc, "webhook event refs not read");
    }
    n = json_loadb(v, len, 0, NULL);
    free(v);
    refs = json_integer_value(json_object_get(n, "refs")) - 1;
    if (refs > 0) {
        json_object_set_new(n, "refs", json_integer(refs));
        v = json_dumps(n, JSON_COMPACT | JSON_SORT_KEYS);
        rc = v ? store_rec_put(txn, STORE_T_HOOKS, key, sizeof key, v, strlen(v), 0, err)
               : hr_fail(err, HR_ENOMEM, "webhook event refs");
        free(v);
    } else { /* the last job that needed it ended: the body goes */
        rc = store_rec_del(txn, STORE_T_HOOKS, key, sizeof key, err);
        fed_hook_key('e', seq, key);
        if (rc == HR_OK && store_rec_del(txn, STORE_T_HOOKS, key, sizeof key, NULL) == HR_ENOTFOUND)
            rc = HR_OK;
    }
    json_decref(n);
    return rc;
}

void fed_hook_signature(const char *secret, const char *timestamp, const char *body, size_t len,
                        char out[72])
{
    size_t tlen = strlen(timestamp);
    unsigned char *msg = malloc(tlen + 1 + len + 1);
    char hex[65];

    out[0] = '\0';
    if (msg == NULL)
        return;
    /* the signed text: TIMESTAMP "." BODY, so that a captured body cannot be replayed under
     * a new timestamp */
    memcpy(msg, timestamp, tlen);
    msg[tlen] = '.';
    memcpy(msg + tlen + 1, body, len);
    if (keys_hmac_sha256_hex(secret, strlen(secret), msg, tlen + 1 + len, hex) == HR_OK)
        snprintf(out, 72, "sha256=%s", hex);
    free(msg);
    keys_wipe(hex, sizeof hex);
}

static char *hdr(const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%s: %s", name, value);
    return s;
}

int fed_hook_headers(const char *body, size_t len, const char *secret, int64_t now_ms,
                     char *headers[7], struct hr_err *err)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *id = json_string_value(json_object_get(j, "id"));
    char ts[24], sig[72];
    int rc = HR_OK;

    if (type == NULL || id == NULL) {
        json_decref(j);
        return hr_fail(err, HR_EINVAL, "webhook event without type or id");
    }
    snprintf(ts, sizeof ts, "%lld", (long long)(now_ms / 1000));
    fed_hook_signature(secret, ts, body, len, sig);
    headers[0] = hdr("Content-Type", "application/json");
    headers[1] = hdr("X-Herald-Event", type);
    headers[2] = hdr("X-Herald-Delivery", id);
    headers[3] = hdr("X-Herald-Timestamp", ts);
    headers[4] = hdr("X-Herald-Signature", sig);
    headers[5] = hdr("Accept", "*/*");
    for (int i = 0; i < 6; i++)
        if (headers[i] == NULL)
            rc = hr_fail(err, HR_ENOMEM, "webhook headers");
    if (sig[0] == '\0')
        rc = hr_fail(err, HR_EINTERNAL, "webhook signature");
    keys_wipe(sig, sizeof sig);
    json_decref(j);
    return rc;
}

int fed_webhook_url_check(const struct fed *fed, const char *url, char *out, size_t cap,
                          struct hr_err *err)
{
    struct hr_err e = {0};
    const char *m;

    if (url == NULL || strlen(url) > WEBHOOK_URL_MAX)
        return hr_fail(err, HR_EINVAL, "webhook URL: longer than %d bytes", WEBHOOK_URL_MAX);
    /* the same rule as an account's website: https, or http to loopback on a test instance
     * (allow_private_network); curl_url parses it; the worker's SSRF guard checks the
     * addresses it resolves to at every delivery */
    if (fed_website_url_check(fed, url, out, cap, &e) == HR_OK)
        return HR_OK;
    m = strncmp(e.msg, "website ", 8) == 0 ? e.msg + 8 : e.msg;
    return hr_fail(err, HR_EINVAL, "webhook URL %s", m);
}
