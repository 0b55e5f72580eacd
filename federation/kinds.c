/* federation/kinds.c - what an account's kind shows peers (issue #9 item 3): the type
 * label, the parent it names (a back-pointer property and a field, "unconfirmed" until the
 * parent lists it), an official's disclaimer, and the account matrix an agency or a
 * department publishes at ACTOR/accounts. The words come from kinds_text.c, one table.
 * JSON-LD terms: docs/FEDERATION.md "Account kinds" (docs/decisions.md says why). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KINDS_MATRIX_MAX 1000 /* items a matrix lists (local and linked) */

/* ---- the instance's languages, in order ("zh,en"; default "en") ---- */
struct lang_iter {
    const char *p, *lang;
    size_t n;
};

static bool lang_next(struct lang_iter *it)
{
    while (*it->p == ',' || *it->p == ' ')
        it->p++;
    if (*it->p == '\0')
        return false;
    it->lang = it->p;
    it->n = strcspn(it->p, ", ");
    it->p += it->n;
    return true;
}

static struct lang_iter langs(const struct fed *fed)
{
    const char *l = fed->cfg.languages;

    return (struct lang_iter){.p = l && *l ? l : "en"};
}

int fed_languages_check(const char *list, struct hr_err *err)
{
    struct lang_iter it = {.p = list ? list : ""};
    size_t count = 0;

    while (lang_next(&it)) {
        if (!fed_language_known(it.lang, it.n))
            return hr_fail(err, HR_EINVAL, "languages: '%.*s' has no interface catalog (po/)",
                           (int)(it.n > 20 ? 20 : it.n), it.lang);
        count++;
    }
    if (count == 0)
        return hr_fail(err, HR_EINVAL, "languages: name at least one (en, zh)");
    return HR_OK;
}

/* TEXT in every language, joined by " / ". */
static void add_all(const struct fed *fed, struct hr_buf *b, enum fed_text t)
{
    struct lang_iter it = langs(fed);
    bool first = true;

    while (lang_next(&it)) {
        if (!first)
            hr_buf_adds(b, " / ");
        hr_buf_adds(b, fed_text(it.lang, it.n, t));
        first = false;
    }
}

static json_t *property_value(struct hr_buf *name, struct hr_buf *value)
{
    json_t *j = NULL;

    if (name->err == HR_OK && value->err == HR_OK)
        j = json_pack("{s:s,s:s,s:s}", "type", "PropertyValue", "name", name->data, "value",
                      value->data);
    hr_buf_fini(name);
    hr_buf_fini(value);
    return j;
}

json_t *fed_kinds_type_field(struct fed *fed, const char *kind)
{
    struct hr_buf name, value;

    hr_buf_init(&name, 1024);
    hr_buf_init(&value, 1024);
    add_all(fed, &name, FED_T_TYPE_FIELD);
    add_all(fed, &value, fed_kind_text(kind));
    return json_pack("[o]", property_value(&name, &value));
}

/* ---- the parent an account names ---- */
struct parent_info {
    char url[600];  /* its actor id */
    char name[600]; /* its display name (the URL until a remote one was read) */
    bool set, confirmed;
};

static bool is_url(const char *s)
{
    return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

static bool lists_accounts(const char *kind)
{
    return strcmp(kind, "agency") == 0 || strcmp(kind, "department") == 0;
}

/* A local parent lists every local account naming it (the matrix is computed from the
 * children), so it confirms when it exists and publishes a matrix. */
static void parent_local(struct fed *fed, const char *name, struct parent_info *p)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;

    fed_actor_url(fed, name, p->url, sizeof p->url);
    snprintf(p->name, sizeof p->name, "%s", name);
    if (store_txn_begin(fed->st, STORE_READ, &txn, NULL) == HR_OK &&
        store_account_get(txn, name, &a, NULL) == HR_OK) {
        p->confirmed = lists_accounts(a.kind);
        if (a.display_name[0] != '\0')
            snprintf(p->name, sizeof p->name, "%s", a.display_name);
    }
    store_txn_abort(txn);
    store_account_fini(&a);
}

static void parent_resolve(struct fed *fed, const json_t *profile, struct parent_info *p)
{
    const char *parent = json_string_value(json_object_get(profile, "parent"));
    const char *pname = json_string_value(json_object_get(profile, "parent_name"));

    memset(p, 0, sizeof *p);
    if (parent == NULL || parent[0] == '\0')
        return;
    p->set = true;
    if (!is_url(parent)) {
        parent_local(fed, parent, p);
        /* the name the child's record keeps (agency/kinds.c): the actor cache compares it */
        if (pname != NULL && pname[0] != '\0')
            snprintf(p->name, sizeof p->name, "%s", pname);
        return;
    }
    snprintf(p->url, sizeof p->url, "%s", parent);
    snprintf(p->name, sizeof p->name, "%s", pname && *pname ? pname : parent);
    p->confirmed = json_integer_value(json_object_get(profile, "parent_confirmed_ms")) > 0;
}

/* <a href="URL">NAME</a>, both escaped. */
static void add_link(struct hr_buf *b, const struct parent_info *p)
{
    hr_buf_adds(b, "<a href=\"");
    hr_buf_add_html(b, p->url, strlen(p->url));
    hr_buf_adds(b, "\">");
    hr_buf_add_html(b, p->name, strlen(p->name));
    hr_buf_adds(b, "</a>");
}

static json_t *parent_field(struct fed *fed, const struct parent_info *p)
{
    struct hr_buf name, value;

    hr_buf_init(&name, 1024);
    hr_buf_init(&value, 4096);
    add_all(fed, &name, FED_T_PARENT_FIELD);
    add_link(&value, p);
    if (!p->confirmed) {
        hr_buf_adds(&value, " (");
        add_all(fed, &value, FED_T_UNCONFIRMED);
        hr_buf_adds(&value, ")");
    }
    return property_value(&name, &value);
}

/* The disclaimer in language LANG; AGENCY linked (or the domain when none is named). */
static void add_disclaimer(struct fed *fed, struct hr_buf *b, const struct parent_info *p,
                           const char *lang, size_t n)
{
    struct hr_buf agency;

    hr_buf_init(&agency, 8192);
    if (p->set)
        add_link(&agency, p);
    else
        hr_buf_add_html(&agency, fed->domain, strlen(fed->domain));
    hr_buf_adds(&agency, "");
    if (agency.err != HR_OK)
        b->err = agency.err;
    else /* the sentence is ours (a catalog's); the agency part is escaped HTML */
        hr_buf_subst(b, fed_text(lang, n, FED_T_DISCLAIMER), "agency", agency.data, NULL);
    hr_buf_fini(&agency);
}

static json_t *disclaimer_field(struct fed *fed, const struct parent_info *p)
{
    struct lang_iter it = langs(fed);
    struct hr_buf name, value;
    bool first = true;

    hr_buf_init(&name, 1024);
    hr_buf_init(&value, 8192);
    add_all(fed, &name, FED_T_DISCLAIMER_FIELD);
    while (lang_next(&it)) {
        if (!first)
            hr_buf_adds(&value, " / ");
        add_disclaimer(fed, &value, p, it.lang, it.n);
        first = false;
    }
    return property_value(&name, &value);
}

/* problem 1 in DESIGN.md: an official's personal account says so, in its summary too:
 * one paragraph per language after the account's own summary. */
static int summary_add_disclaimer(struct fed *fed, const struct parent_info *p, json_t *actor)
{
    const char *old = json_string_value(json_object_get(actor, "summary"));
    struct lang_iter it = langs(fed);
    struct hr_buf b;

    hr_buf_init(&b, 32768);
    hr_buf_adds(&b, old ? old : "");
    while (lang_next(&it)) {
        hr_buf_adds(&b, "<p>");
        add_disclaimer(fed, &b, p, it.lang, it.n);
        hr_buf_adds(&b, "</p>");
    }
    if (b.err != HR_OK || json_object_set_new(actor, "summary", json_string(b.data)) != 0) {
        hr_buf_fini(&b);
        return HR_ENOMEM;
    }
    hr_buf_fini(&b);
    return HR_OK;
}

/* The terms this file uses, added to the actor's @context object (docs/FEDERATION.md). */
static int context_add(json_t *actor)
{
    json_t *ctx = json_object_get(actor, "@context");
    json_t *obj = json_array_get(ctx, json_array_size(ctx) - 1);
    json_t *terms = json_pack("{s:s, s:s, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:{s:s,s:s}, s:s}",
                              "herald", FED_HERALD_NS, "accountKind", "herald:accountKind",
                              "accounts", "@id", "herald:accounts", "@type", "@id",
                              "parentOrganization", "@id", "http://schema.org/parentOrganization",
                              "@type", "@id", "worksFor", "@id", "http://schema.org/worksFor",
                              "@type", "@id", "provider", "@id", "http://schema.org/provider",
                              "@type", "@id", "parentConfirmed", "herald:parentConfirmed");
    int rc =
        json_is_object(obj) && terms && json_object_update(obj, terms) == 0 ? HR_OK : HR_ENOMEM;

    json_decref(terms);
    return rc;
}

/* The back-pointer's term by kind: schema.org's word for each relation (decisions.md). */
static const char *parent_term(const char *kind)
{
    if (strcmp(kind, "official") == 0)
        return "worksFor";
    if (strcmp(kind, "service") == 0)
        return "provider";
    return "parentOrganization";
}

static int add_parent(struct fed *fed, const struct store_account *a, const struct parent_info *p,
                      json_t *actor)
{
    json_t *att = json_object_get(actor, "attachment");
    int rc = HR_OK;

    if (p->set) {
        rc |= json_object_set_new(actor, parent_term(a->kind), json_string(p->url));
        rc |= json_object_set_new(actor, "parentConfirmed", json_boolean(p->confirmed));
        rc |= json_array_append_new(att, parent_field(fed, p));
    }
    if (strcmp(a->kind, "official") == 0) {
        rc |= json_array_append_new(att, disclaimer_field(fed, p));
        rc |= summary_add_disclaimer(fed, p, actor);
    }
    return rc == 0 ? HR_OK : HR_ENOMEM;
}

int fed_actor_add_kinds(struct fed *fed, const struct store_account *a, const json_t *profile,
                        json_t *actor)
{
    struct parent_info p;
    char matrix[700];
    int rc = context_add(actor);

    parent_resolve(fed, profile, &p);
    if (rc == HR_OK && json_object_set_new(actor, "accountKind", json_string(a->kind)) != 0)
        rc = HR_ENOMEM;
    if (rc == HR_OK && lists_accounts(a->kind)) {
        fed_actor_url(fed, a->name, matrix, sizeof matrix);
        strncat(matrix, "/accounts", sizeof matrix - strlen(matrix) - 1);
        if (json_object_set_new(actor, "accounts", json_string(matrix)) != 0)
            rc = HR_ENOMEM;
    }
    if (rc == HR_OK)
        rc = add_parent(fed, a, &p, actor);
    return rc;
}

/* ---- the account matrix: GET ACTOR/accounts ---- */
struct matrix_walk {
    struct fed *fed;
    const char *parent;
    json_t *items;
};

static json_t *matrix_item(const char *id, const char *kind)
{
    json_t *j = json_pack("{s:s}", "id", id);

    if (j != NULL && kind != NULL && kind[0] != '\0') {
        json_object_set_new(j, "type", json_string(fed_kind_type(kind)));
        json_object_set_new(j, "accountKind", json_string(kind));
    }
    return j;
}

static int matrix_local(const struct store_account *a, void *ctx)
{
    struct matrix_walk *w = ctx;
    json_t *profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    const char *parent = json_string_value(json_object_get(profile, "parent"));
    char id[600];

    if (parent != NULL && strcmp(parent, w->parent) == 0 &&
        json_array_size(w->items) < KINDS_MATRIX_MAX) {
        fed_actor_url(w->fed, a->name, id, sizeof id);
        json_array_append_new(w->items, matrix_item(id, a->kind));
    }
    json_decref(profile);
    return HR_OK;
}

/* The remote accounts an admin linked (profile "linked": [{"id","kind"}]). */
static void matrix_linked(const struct store_account *a, json_t *items)
{
    json_t *profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    json_t *linked = json_object_get(profile, "linked"), *e;
    size_t i;

    json_array_foreach(linked, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        if (id != NULL && json_array_size(items) < KINDS_MATRIX_MAX)
            json_array_append_new(items,
                                  matrix_item(id, json_string_value(json_object_get(e, "kind"))));
    }
    json_decref(profile);
}

static void matrix_doc(struct fed *fed, const char *name, json_t *items, struct fed_doc *doc)
{
    char id[700];
    json_t *j;

    fed_actor_url(fed, name, id, sizeof id);
    strncat(id, "/accounts", sizeof id - strlen(id) - 1);
    j = json_pack("{s:[s,{s:s,s:s}], s:s, s:s, s:I, s:O}", "@context", FED_AS_CONTEXT, "herald",
                  FED_HERALD_NS, "accountKind", "herald:accountKind", "id", id, "type",
                  "OrderedCollection", "totalItems", (json_int_t)json_array_size(items),
                  "orderedItems", items);
    if (j == NULL)
        fed_doc_error(doc, 500, "internal", "account matrix");
    else
        fed_doc_json(doc, 200, j);
    json_decref(j);
}

void fed_matrix(struct fed *fed, const char *name, struct fed_doc *doc)
{
    struct matrix_walk w = {.fed = fed, .parent = name, .items = json_array()};
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    int rc = hr_name_valid(name) ? HR_OK : HR_ENOTFOUND;

    if (rc == HR_OK)
        rc = store_txn_begin(fed->st, STORE_READ, &txn, NULL);
    if (rc == HR_OK)
        rc = store_account_get(txn, name, &a, NULL);
    if (rc == HR_OK && !lists_accounts(a.kind))
        rc = HR_EINVAL;
    if (rc == HR_OK)
        rc = store_account_each(txn, matrix_local, &w, NULL);
    store_txn_abort(txn);
    if (rc == HR_OK)
        matrix_linked(&a, w.items);
    if (rc == HR_OK)
        matrix_doc(fed, name, w.items, doc);
    else if (rc == HR_EINVAL)
        fed_doc_error(doc, 404, "not_found", "only agencies and departments list accounts");
    else
        fed_doc_error(doc, rc == HR_ENOTFOUND ? 404 : 500,
                      rc == HR_ENOTFOUND ? "not_found" : "internal", "no such account matrix");
    json_decref(w.items);
    store_account_fini(&a);
}

int fed_url_valid(const char *url, struct hr_err *err)
{
    return fed_url_check(url, err);
}

int fed_account_profile(struct fed *fed, const char *name, json_t **out, struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    json_t *j = NULL;
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_account_get(txn, name, &a, err);
    store_txn_abort(txn);
    if (rc == HR_OK)
        j = json_loads(a.profile ? a.profile : "{}", 0, NULL);
    if (rc == HR_OK && !json_is_object(j)) /* a macro: it evaluates its argument twice */
        rc = hr_fail(err, HR_EIO, "account %s: stored profile is not a JSON object", name);
    store_account_fini(&a);
    if (rc != HR_OK) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return HR_OK;
}
