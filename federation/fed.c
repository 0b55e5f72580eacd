/* federation/fed.c - the federation context, our keys, small URL and JSON helpers. */
#include "federation/fed_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

int fed_new(struct store *st, const struct fed_config *cfg, struct fed **out, struct hr_err *err)
{
    struct fed *fed = calloc(1, sizeof *fed);
    int rc;

    if (fed == NULL)
        return hr_fail(err, HR_ENOMEM, "fed");
    pthread_mutex_init(&fed->mu, NULL);
    pthread_mutex_init(&fed->actor_mu, NULL);
    pthread_mutex_init(&fed->pk_mu, NULL);
    pthread_mutex_init(&fed->mk_mu, NULL);
    fed->st = st;
    fed->cfg = *cfg;
    fed->data_dir = dup_or_empty(cfg->data_dir);
    fed->domain = dup_or_empty(cfg->domain);
    fed->base_url = dup_or_empty(cfg->base_url);
    if (fed->data_dir == NULL || fed->domain == NULL || fed->base_url == NULL) {
        fed_free(fed);
        return hr_fail(err, HR_ENOMEM, "fed");
    }
    fed->cfg.data_dir = fed->data_dir;
    fed->cfg.domain = fed->domain;
    fed->cfg.base_url = fed->base_url;
    rc = fed_url_host(fed->base_url, fed->host, sizeof fed->host, err);
    if (rc == HR_OK && cfg->languages != NULL) /* the languages key (federation/kinds.c) */
        rc = fed_languages_check(cfg->languages, err);
    if (rc == HR_OK)
        rc = fed_url_origin(fed->base_url, fed->origin, sizeof fed->origin, err);
    if (rc == HR_OK)
        rc = fed_limits_new(&fed->cfg, &fed->limits, err);
    if (rc != HR_OK) {
        fed_free(fed);
        return rc;
    }
    if (hr_rate_new(FED_RATE_KEYS, 60000, &fed->host_rate) != HR_OK ||
        (cfg->key_refetch_interval_s > 0 &&
         hr_rate_new(FED_RATE_KEYS, (int64_t)cfg->key_refetch_interval_s * 1000,
                     &fed->refetch) != HR_OK)) {
        fed_free(fed);
        return hr_fail(err, HR_ENOMEM, "fed rate tables");
    }
    snprintf(fed->user_agent, sizeof fed->user_agent, "Herald/%s (+%s)", HERALD_VERSION,
             fed->base_url);
    *out = fed;
    return HR_OK;
}

void fed_free(struct fed *fed)
{
    if (fed == NULL)
        return;
    fed_inbox_free(fed);
    fed_worker_stop(fed);
    for (size_t i = 0; i < fed->n_keycache; i++)
        keys_key_free(fed->keycache[i].key);
    free(fed->keycache);
    for (size_t i = 0; i < fed->n_retired; i++)
        keys_key_free(fed->retired[i]);
    free(fed->retired);
    fed_actor_cache_free(fed);
    fed_pk_cache_free(fed);
    fed_mk_cache_free(fed);
    hr_rate_free(fed->refetch);
    hr_rate_free(fed->host_rate);
    fed_limits_free(fed->limits);
    pthread_mutex_destroy(&fed->mu);
    pthread_mutex_destroy(&fed->actor_mu);
    pthread_mutex_destroy(&fed->pk_mu);
    pthread_mutex_destroy(&fed->mk_mu);
    free(fed->data_dir);
    free(fed->domain);
    free(fed->base_url);
    free(fed);
}

void fed_etag(const char *body, size_t len, char out[48])
{
    char hex[65];

    keys_sha256_hex(body, len, hex);
    snprintf(out, 48, "\"%.32s\"", hex);
}

void fed_doc_fini(struct fed_doc *d)
{
    if (d == NULL)
        return;
    free(d->body);
    d->body = NULL;
}

const char *fed_kind_type(const char *kind)
{
    static const struct {
        const char *kind, *type;
    } map[] = {
        {"agency", "Organization"},
        {"department", "Organization"},
        {"official", "Person"},
        {"service", "Service"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(kind, map[i].kind) == 0)
            return map[i].type;
    return NULL;
}

void fed_actor_url(const struct fed *fed, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/users/%s", fed->base_url, name);
}

/* Our accounts' parsed signing keys, kept until fed_free: parsing a PEM costs more than
 * the signature itself, and a fan-out signs hundreds of requests a second. */
static const struct keys_key *keycache_find(struct fed *fed, const char *name)
{
    for (size_t i = 0; i < fed->n_keycache; i++)
        if (strcmp(fed->keycache[i].name, name) == 0)
            return fed->keycache[i].key;
    return NULL;
}

static int keycache_add(struct fed *fed, const char *name, struct keys_key *key,
                        uint64_t pub_hash, const struct keys_key **out)
{
    const struct keys_key *have = keycache_find(fed, name);
    struct fed_keycache_entry *grown;

    if (have != NULL) { /* another thread won the race */
        keys_key_free(key);
        *out = have;
        return HR_OK;
    }
    if (fed->n_keycache == fed->cap_keycache) {
        size_t cap = fed->cap_keycache ? fed->cap_keycache * 2 : 16;
        grown = realloc(fed->keycache, cap * sizeof *grown);
        if (grown == NULL) {
            keys_key_free(key);
            return HR_ENOMEM;
        }
        fed->keycache = grown;
        fed->cap_keycache = cap;
    }
    snprintf(fed->keycache[fed->n_keycache].name, sizeof fed->keycache[0].name, "%s", name);
    fed->keycache[fed->n_keycache].pub_hash = pub_hash;
    fed->keycache[fed->n_keycache++].key = key;
    *out = key;
    return HR_OK;
}

int fed_account_key(struct fed *fed, const char *name, const struct keys_key **out,
                    struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    struct keys_key *key = NULL;
    const struct keys_key *have;
    uint64_t hash;
    int rc;

    pthread_mutex_lock(&fed->mu);
    have = keycache_find(fed, name);
    pthread_mutex_unlock(&fed->mu);
    if (have != NULL) {
        *out = have;
        return HR_OK;
    }
    rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_account_get_private(txn, name, &a, err);
    store_txn_abort(txn);
    if (rc == HR_OK)
        rc = keys_private_load(a.rsa_priv_pem, &key, err);
    hash = rc == HR_OK ? hr_fnv1a_str(a.rsa_pub_pem) : 0;
    store_account_fini(&a);
    if (rc != HR_OK)
        return rc;
    pthread_mutex_lock(&fed->mu);
    rc = keycache_add(fed, name, key, hash, out);
    pthread_mutex_unlock(&fed->mu);
    return rc == HR_OK ? HR_OK : hr_fail(err, rc, "key cache");
}

/* Another process (herald keys rotate) may have replaced the key: the caller read the
 * account's public PEM anyway, so comparing its hash costs nothing on the hot path. The
 * old key is retired, not freed: a signer thread may be using it right now. */
static void keycache_check_hash(struct fed *fed, const char *name, uint64_t hash)
{
    struct keys_key **grown;

    pthread_mutex_lock(&fed->mu);
    for (size_t i = 0; i < fed->n_keycache; i++) {
        if (strcmp(fed->keycache[i].name, name) != 0 || fed->keycache[i].pub_hash == hash)
            continue;
        grown = realloc(fed->retired, (fed->n_retired + 1) * sizeof *grown);
        if (grown == NULL)
            break; /* kept as it is: the next check tries again */
        fed->retired = grown;
        fed->retired[fed->n_retired++] = fed->keycache[i].key;
        fed->keycache[i] = fed->keycache[--fed->n_keycache];
        hr_log(HR_LOG_INFO, "fed", "account=%s signing key replaced (rotation)", name);
        break;
    }
    pthread_mutex_unlock(&fed->mu);
}

void fed_account_key_check(struct fed *fed, const char *name, const char *rsa_pub_pem)
{
    keycache_check_hash(fed, name, hr_fnv1a_str(rsa_pub_pem ? rsa_pub_pem : ""));
}

struct first {
    char name[32];
    uint64_t pub_hash;
};

static int first_account(const struct store_account *a, void *ctx)
{
    struct first *f = ctx;

    snprintf(f->name, sizeof f->name, "%s", a->name);
    f->pub_hash = hr_fnv1a_str(a->rsa_pub_pem ? a->rsa_pub_pem : "");
    return HR_EEXIST; /* stop after the first */
}

int fed_default_signer(struct fed *fed, struct fed_signer *out, char *key_id, size_t cap)
{
    struct store_txn *txn = NULL;
    struct first f = {.name = ""};
    const char *name = f.name;
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, NULL);

    if (rc == HR_OK)
        store_account_each(txn, first_account, &f, NULL);
    store_txn_abort(txn);
    if (name[0] == '\0')
        return HR_ENOTFOUND;
    keycache_check_hash(fed, name, f.pub_hash);
    rc = fed_account_key(fed, name, &out->key, NULL);
    if (rc != HR_OK)
        return rc;
    snprintf(key_id, cap, "%s/users/%s#main-key", fed->base_url, name);
    out->key_id = key_id;
    return HR_OK;
}

bool fed_is_local(const struct fed *fed, const char *url)
{
    char origin[300];

    if (fed_url_origin(url, origin, sizeof origin, NULL) != HR_OK)
        return false;
    return strcmp(origin, fed->origin) == 0;
}

bool fed_same_origin(const char *a, const char *b)
{
    char oa[300], ob[300];

    if (a == NULL || b == NULL)
        return false;
    if (fed_url_origin(a, oa, sizeof oa, NULL) != HR_OK ||
        fed_url_origin(b, ob, sizeof ob, NULL) != HR_OK)
        return false;
    return strcmp(oa, ob) == 0;
}

void fed_http_opts(const struct fed *fed, struct fed_http_opts *o)
{
    o->allow_private = fed->cfg.allow_private;
    o->max_bytes = fed->cfg.fetch_max_bytes;
    o->timeout_ms = fed->cfg.fetch_timeout_ms;
    o->max_redirects = fed->cfg.fetch_max_redirects;
    o->user_agent = fed->user_agent;
    o->hop_allowed = fed_hop_permitted; /* every redirect meets the domain policy */
    o->hop_ctx = (void *)(uintptr_t)fed;
}

char *fed_json_dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

void fed_json_limits_of(const struct fed *fed, struct fed_json_limits *out)
{
    out->max_depth = fed->cfg.json_max_depth;
    out->max_string = fed->cfg.json_max_string;
    out->max_items = fed->cfg.json_max_items;
}

static bool over(size_t n, size_t limit)
{
    return limit != 0 && n > limit;
}

/* Walks J checking the limits; DEPTH is J's own level (1 for the top). Recursion is
 * bounded by jansson's own 2048-level parser limit and stops at max_depth. */
static int json_walk(const json_t *j, size_t depth, const struct fed_json_limits *lim,
                     struct hr_err *err)
{
    const char *k;
    json_t *v;
    size_t i;
    int rc = HR_OK;

    if (json_is_string(j))
        return over(json_string_length(j), lim->max_string)
                   ? hr_fail(err, HR_EINVAL, "JSON string longer than %zu bytes", lim->max_string)
                   : HR_OK;
    if (!json_is_object(j) && !json_is_array(j))
        return HR_OK;
    if (over(depth, lim->max_depth))
        return hr_fail(err, HR_EINVAL, "JSON nested deeper than %zu levels", lim->max_depth);
    if (over(json_is_object(j) ? json_object_size(j) : json_array_size(j), lim->max_items))
        return hr_fail(err, HR_EINVAL, "JSON array or object with more than %zu members",
                       lim->max_items);
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) if (rc == HR_OK) rc = json_walk(v, depth + 1, lim, err);
        return rc;
    }
    json_object_foreach((json_t *)(uintptr_t)j, k, v)
    {
        if (rc == HR_OK && over(strlen(k), lim->max_string))
            rc = hr_fail(err, HR_EINVAL, "JSON key longer than %zu bytes", lim->max_string);
        if (rc == HR_OK)
            rc = json_walk(v, depth + 1, lim, err);
    }
    return rc;
}

int fed_json_parse(const char *body, size_t len, const struct fed_json_limits *lim, json_t **out,
                   struct hr_err *err)
{
    json_error_t jerr;
    json_t *j;

    if (!hr_utf8_valid(body, len))
        return hr_fail(err, HR_EINVAL, "body is not valid UTF-8 (or contains NUL)");
    /* jansson itself stops at 2048 levels; our own limits are checked after */
    j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL)
        return hr_fail(err, HR_EINVAL, "malformed JSON at line %d: %s", jerr.line, jerr.text);
    if (json_walk(j, 1, lim, err) != HR_OK) {
        json_decref(j);
        return HR_EINVAL;
    }
    *out = j;
    return HR_OK;
}

const char *fed_json_id(const json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_object(v))
        return json_string_value(json_object_get(v, "id"));
    return NULL;
}

void fed_new_id(char out[40])
{
    char rnd[17];

    if (keys_random_hex(8, rnd, sizeof rnd) != HR_OK)
        snprintf(rnd, sizeof rnd, "%016llx", (unsigned long long)hr_mono_ms());
    /* time first: ids sort by creation; 64 random bits: not guessable ahead of publication */
    snprintf(out, 40, "%013lld%s", (long long)hr_now_ms(), rnd);
}

void fed_doc_json(struct fed_doc *doc, int status, json_t *body)
{
    doc->status = status;
    doc->content_type = "application/activity+json";
    doc->body = fed_json_dump(body);
    if (doc->body == NULL) {
        doc->status = 500;
        doc->error = "internal";
    }
}

void fed_doc_error(struct fed_doc *doc, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    doc->status = status;
    doc->error = code;
    va_start(ap, fmt);
    vsnprintf(doc->message, sizeof doc->message, fmt, ap);
    va_end(ap);
}
