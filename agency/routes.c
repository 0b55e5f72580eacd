/* agency/routes.c - routing rules: which department's responders handle a new case
 * (docs/desk.md "Routing"). A rule is STORE_T_DESK 'r' NUL BE64(seq) -> {"id": "r<seq>",
 * "department", "match": "account"|"tag"|"keyword", "value", "created_by", "created_ms"}.
 * Tag rules are tried first (the citizen chose the topic), then keyword rules (what the
 * text says), then account rules (whom it was written to); the first match in id order
 * wins; nothing matched: the account's desk setting "department", else the account. */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUTE_VALUE_MAX 100
#define FOUND 1000 /* pick_cb: stop, a rule matched (no hr_rc has this value) */

static const char *const matches[] = {"tag", "keyword", "account"}; /* evaluation order */

static size_t route_key(uint64_t seq, char key[10])
{
    key[0] = 'r';
    key[1] = '\0';
    store_put_be64(seq, (unsigned char *)key + 2);
    return 10;
}

/* "r17" -> 17; HR_EINVAL otherwise. */
static int route_seq(const char *id, uint64_t *out, struct hr_err *err)
{
    if (id == NULL || id[0] != 'r' || hr_parse_u64(id + 1, UINT64_MAX, out) != HR_OK || *out == 0)
        return hr_fail(err, HR_EINVAL, "route ids look like r17 (herald route list)");
    return HR_OK;
}

/* NEEDLE in HAY, both lower-cased by Unicode (fed_text_lower: "Straßenbau" finds
 * "STRASSENBAU" no, "straßenbau" yes; CJK has no case and is compared as it is). */
static bool contains_fold(const char *hay, const char *needle)
{
    char *h = fed_text_lower(hay), *n = fed_text_lower(needle);
    bool found = h != NULL && n != NULL && n[0] != '\0' && strstr(h, n) != NULL;

    free(h);
    free(n);
    return found;
}

/* TAG (a case's, lower-cased when stored) is the rule's tag VALUE in any case. */
static bool fold_eq(const char *tag, const char *value)
{
    char *v = fed_hashtag_norm(value, strlen(value));
    bool eq = v != NULL && strcmp(tag, v) == 0;

    free(v);
    return eq;
}

struct pick {
    const char *account, *text;
    const json_t *tags;
    const char *match; /* the pass: one of matches[] */
    char department[32];
};

static bool rule_matches(const struct pick *p, const json_t *r)
{
    const char *value = json_string_value(json_object_get(r, "value"));
    const json_t *t;
    size_t i;

    if (value == NULL)
        return false;
    if (strcmp(p->match, "account") == 0)
        return strcmp(p->account, value) == 0;
    if (strcmp(p->match, "keyword") == 0)
        return p->text != NULL && contains_fold(p->text, value);
    json_array_foreach(p->tags, i, t) if (json_is_string(t) && fold_eq(json_string_value(t), value))
        return true;
    return false;
}

static int pick_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct pick *p = ctx;
    json_t *r = json_loadb(v, vlen, 0, NULL);
    const char *match = json_string_value(json_object_get(r, "match"));
    const char *dept = json_string_value(json_object_get(r, "department"));
    int stop = 0;

    (void)k, (void)klen;
    if (match != NULL && dept != NULL && strcmp(match, p->match) == 0 && rule_matches(p, r)) {
        snprintf(p->department, sizeof p->department, "%s", dept);
        stop = FOUND;
    }
    json_decref(r);
    return stop;
}

int agency_route_pick(struct store_txn *txn, const char *account, const json_t *tags,
                      const char *text, char out[32], struct hr_err *err)
{
    struct pick p = {.account = account, .text = text, .tags = tags};
    json_t *settings = NULL;
    int rc = HR_OK;

    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++) {
        p.match = matches[i];
        rc = store_rec_each(txn, STORE_T_DESK, "r", 2, false, pick_cb, &p, err);
        if (rc == FOUND) {
            snprintf(out, 32, "%s", p.department);
            return HR_OK;
        }
        if (rc != HR_OK)
            return rc;
    }
    rc = agency_desk_settings(txn, account, &settings, err);
    if (rc == HR_OK) {
        const char *d = json_string_value(json_object_get(settings, "department"));
        snprintf(out, 32, "%s", d != NULL && hr_name_valid(d) ? d : account);
    }
    json_decref(settings);
    return rc;
}

/* ---- the operators' side: add, list, remove ---- */

/* A department: a local account of kind agency or department. */
static int check_department(struct store_txn *txn, const char *name, struct hr_err *err)
{
    struct store_account a = {0};
    int rc = name != NULL && hr_name_valid(name) ? store_account_get(txn, name, &a, NULL)
                                                 : HR_ENOTFOUND;

    if (rc == HR_ENOTFOUND)
        rc = hr_fail(err, HR_EINVAL, "no such account: %.40s", name ? name : "");
    else if (rc == HR_OK && strcmp(a.kind, "agency") != 0 && strcmp(a.kind, "department") != 0)
        rc = hr_fail(err, HR_EINVAL,
                     "%s is of kind %s: a department is an account of kind agency or "
                     "department",
                     name, a.kind);
    store_account_fini(&a);
    return rc;
}

/* VALUE of a MATCH rule: an existing account, a hashtag (without '#'), or a keyword. */
static int check_value(struct store_txn *txn, const char *match, const char *value,
                       struct hr_err *err)
{
    struct store_account a = {0};
    int rc;

    if (value == NULL || value[0] == '\0' || strlen(value) > ROUTE_VALUE_MAX)
        return hr_fail(err, HR_EINVAL, "a route's %s must be 1 to %d bytes", match,
                       ROUTE_VALUE_MAX);
    if (!hr_utf8_valid(value, strlen(value)))
        return hr_fail(err, HR_EINVAL, "a route's %s must be UTF-8 text", match);
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7f || (strcmp(match, "keyword") != 0 && *p == ' '))
            return hr_fail(err, HR_EINVAL, "a route's %s may not hold %s", match,
                           *p == ' ' ? "spaces" : "control characters");
    if (strcmp(match, "account") != 0)
        return HR_OK;
    rc = hr_name_valid(value) ? store_account_get(txn, value, &a, NULL) : HR_ENOTFOUND;
    store_account_fini(&a);
    return rc == HR_ENOTFOUND ? hr_fail(err, HR_EINVAL, "no such account: %.40s", value) : rc;
}

struct add_ctx {
    const char *by;
    const struct agency_route_input *in;
    json_t *rule;
    struct hr_err *err;
};

static int add_tx(struct store_txn *txn, void *ctx)
{
    struct add_ctx *a = ctx;
    const char *value = a->in->value;
    char key[10], id[24], tag[ROUTE_VALUE_MAX + 1], *text = NULL;
    uint64_t seq;
    int rc = agency_may_txn(txn, a->by, AGENCY_ROUTE_MANAGE, NULL, NULL, a->err);

    if (rc == HR_OK)
        rc = check_department(txn, a->in->department, a->err);
    if (rc == HR_OK && strcmp(a->in->match, "tag") == 0 && value != NULL && value[0] == '#')
        value++; /* "#roads" and "roads" are the same tag */
    if (rc == HR_OK)
        rc = check_value(txn, a->in->match, value, a->err);
    if (rc == HR_OK && strcmp(a->in->match, "tag") == 0) { /* kept as cases keep tags */
        char *low = fed_hashtag_norm(value, strlen(value));
        if (low == NULL || strlen(low) >= sizeof tag)
            rc = hr_fail(a->err, HR_EINVAL, "tag '%.40s' is too long", value);
        else
            snprintf(tag, sizeof tag, "%s", low);
        free(low);
        value = tag;
    }
    if (rc == HR_OK)
        rc = store_seq_next(txn, &seq, a->err);
    if (rc != HR_OK)
        return rc;
    snprintf(id, sizeof id, "r%llu", (unsigned long long)seq);
    a->rule = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "id", id, "department", a->in->department,
                        "match", a->in->match, "value", value, "created_by", a->by,
                        "created_ms", (json_int_t)hr_clock_ms());
    text = a->rule ? json_dumps(a->rule, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    rc = text ? store_rec_put(txn, STORE_T_DESK, key, route_key(seq, key), text, strlen(text),
                              STORE_NOOVERWRITE, a->err)
              : hr_fail(a->err, HR_ENOMEM, "route");
    if (rc == HR_OK)
        rc = agency_audit(txn, a->by, "route.add", id, text, a->err);
    free(text);
    return rc;
}

int agency_route_add(struct store *st, const char *by, const struct agency_route_input *in,
                     json_t **out, struct hr_err *err)
{
    struct add_ctx a = {.by = by, .in = in, .err = err};
    bool known = false;
    int rc;

    for (size_t i = 0; in->match != NULL && i < sizeof matches / sizeof matches[0]; i++)
        known |= strcmp(in->match, matches[i]) == 0;
    if (!known)
        return hr_fail(err, HR_EINVAL, "a route matches an account, a tag or a keyword");
    rc = agency_write(st, add_tx, &a, err);
    if (rc == HR_OK && out != NULL)
        *out = json_incref(a.rule);
    json_decref(a.rule);
    return rc;
}

static int list_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    json_t *r = json_loadb(v, vlen, 0, NULL);

    (void)k, (void)klen;
    if (json_is_object(r))
        json_array_append(ctx, r);
    json_decref(r);
    return 0;
}

int agency_route_list(struct store *st, const char *by, json_t **out, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *all = json_array();
    int rc = all ? store_txn_begin(st, STORE_READ, &txn, err) : hr_fail(err, HR_ENOMEM, "routes");

    if (rc == HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_ROUTE_READ, NULL, NULL, err);
    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_DESK, "r", 2, false, list_cb, all, err);
    store_txn_abort(txn);
    if (rc == HR_OK)
        *out = json_incref(all);
    json_decref(all);
    return rc;
}

struct rm_ctx {
    const char *by, *id;
    struct hr_err *err;
};

static int remove_tx(struct store_txn *txn, void *ctx)
{
    struct rm_ctx *r = ctx;
    char key[10], *old = NULL;
    size_t len = 0;
    uint64_t seq = 0;
    int rc = agency_may_txn(txn, r->by, AGENCY_ROUTE_MANAGE, NULL, NULL, r->err);

    if (rc == HR_OK)
        rc = route_seq(r->id, &seq, r->err);
    if (rc == HR_OK) {
        rc = store_rec_get(txn, STORE_T_DESK, key, route_key(seq, key), &old, &len, NULL);
        if (rc == HR_ENOTFOUND)
            rc = hr_fail(r->err, HR_ENOTFOUND, "no route %.24s", r->id);
    }
    if (rc == HR_OK)
        rc = store_rec_del(txn, STORE_T_DESK, key, sizeof key, r->err);
    if (rc == HR_OK)
        rc = agency_audit(txn, r->by, "route.remove", r->id, old, r->err);
    free(old);
    return rc;
}

int agency_route_remove(struct store *st, const char *by, const char *id, struct hr_err *err)
{
    struct rm_ctx r = {.by = by, .id = id, .err = err};

    return agency_write(st, remove_tx, &r, err);
}
