/* federation/docs.c - the documents peers read: WebFinger, NodeInfo, host-meta, actors,
 * collections and our objects. Each read is one short read transaction. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FED_PAGE_SIZE 20

/* Looks up account NAME in a fresh read txn; fills *doc with 404 when absent. */
static int load_account(struct fed *fed, const char *name, struct store_account *a,
                        struct fed_doc *doc)
{
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    int rc;

    if (!hr_name_valid(name)) {
        fed_doc_error(doc, 404, "not_found", "no such account");
        return HR_ENOTFOUND;
    }
    rc = store_txn_begin(fed->st, STORE_READ, &txn, &err);
    if (rc == HR_OK)
        rc = store_account_get(txn, name, a, &err);
    store_txn_abort(txn);
    if (rc == HR_ENOTFOUND)
        fed_doc_error(doc, 404, "not_found", "no account named '%s'", name);
    else if (rc != HR_OK)
        fed_doc_error(doc, 500, "internal", "store unavailable");
    return rc;
}

/* "acct:NAME@DOMAIN" (also without "acct:") or our actor URL -> NAME. */
static int webfinger_name(struct fed *fed, const char *resource, char name[32], int *status)
{
    const char *p = resource, *at;
    char prefix[400];
    size_t n;

    *status = 400;
    if (resource == NULL || resource[0] == '\0' || strlen(resource) > 300)
        return HR_EINVAL;
    snprintf(prefix, sizeof prefix, "%s/users/", fed->base_url);
    if (strncmp(p, prefix, strlen(prefix)) == 0) {
        p += strlen(prefix);
        n = strlen(p);
    } else {
        if (strncmp(p, "acct:", 5) == 0)
            p += 5;
        at = strchr(p, '@');
        if (at == NULL || at == p || strchr(at + 1, '@') != NULL)
            return HR_EINVAL;
        *status = 404; /* well-formed, but maybe not ours */
        if (!hr_streq_ci(at + 1, fed->domain))
            return HR_ENOTFOUND;
        n = (size_t)(at - p);
    }
    *status = 404;
    if (n == 0 || n >= 32)
        return HR_ENOTFOUND;
    memcpy(name, p, n);
    name[n] = '\0';
    return hr_name_valid(name) ? HR_OK : HR_ENOTFOUND;
}

void fed_webfinger(struct fed *fed, const char *resource, struct fed_doc *doc)
{
    struct store_account a = {0};
    char name[32], actor[512], subject[400], profile[512];
    json_t *j;
    int status;

    if (webfinger_name(fed, resource, name, &status) != HR_OK) {
        fed_doc_error(doc, status, status == 400 ? "bad_request" : "not_found",
                      status == 400 ? "resource must be acct:NAME@DOMAIN or an actor URL"
                                    : "no such account on this server");
        return;
    }
    if (load_account(fed, name, &a, doc) != HR_OK)
        return;
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(subject, sizeof subject, "acct:%s@%s", name, fed->domain);
    snprintf(profile, sizeof profile, "%s/@%s", fed->base_url, name);
    j = json_pack("{s:s, s:[s,s], s:[{s:s,s:s,s:s},{s:s,s:s,s:s}]}", "subject", subject,
                  "aliases", actor, profile, "links", "rel", "self", "type",
                  "application/activity+json", "href", actor, "rel",
                  "http://webfinger.net/rel/profile-page", "type", "text/html", "href", profile);
    fed_doc_json(doc, 200, j);
    doc->content_type = "application/jrd+json";
    json_decref(j);
    store_account_fini(&a);
}

void fed_nodeinfo_links(struct fed *fed, struct fed_doc *doc)
{
    char href[400];
    json_t *j;

    snprintf(href, sizeof href, "%s/nodeinfo/2.1", fed->base_url);
    j = json_pack("{s:[{s:s,s:s}]}", "links", "rel",
                  "http://nodeinfo.diaspora.software/ns/schema/2.1", "href", href);
    fed_doc_json(doc, 200, j);
    doc->content_type = "application/json";
    json_decref(j);
}

static int count_account(const struct store_account *a, void *ctx)
{
    (void)a;
    (*(size_t *)ctx)++;
    return HR_OK;
}

void fed_nodeinfo(struct fed *fed, struct fed_doc *doc)
{
    struct store_txn *txn = NULL;
    size_t users = 0;
    json_t *j;

    if (store_txn_begin(fed->st, STORE_READ, &txn, NULL) == HR_OK)
        store_account_each(txn, count_account, &users, NULL);
    store_txn_abort(txn);
    j = json_pack("{s:s, s:{s:s,s:s,s:s}, s:[s], s:{s:[],s:[]}, s:b, s:{s:{s:I,s:I,s:I}},"
                  " s:{s:s}}",
                  "version", "2.1", "software", "name", "herald", "version", HERALD_VERSION,
                  "homepage", fed->base_url,
                  "protocols", "activitypub", "services", "inbound", "outbound",
                  "openRegistrations", 0, "usage", "users", "total", (json_int_t)users,
                  "activeMonth", (json_int_t)users, "activeHalfyear", (json_int_t)users,
                  "metadata", "nodeName", fed->domain);
    fed_doc_json(doc, 200, j);
    doc->content_type = "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"";
    json_decref(j);
}

void fed_host_meta(struct fed *fed, struct fed_doc *doc)
{
    struct hr_buf b;

    hr_buf_init(&b, 4096);
    hr_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n"
                    "  <Link rel=\"lrdd\" template=\"");
    hr_buf_add_html(&b, fed->base_url, strlen(fed->base_url));
    hr_buf_adds(&b, "/.well-known/webfinger?resource={uri}\"/>\n</XRD>\n");
    doc->status = 200;
    doc->content_type = "application/xrd+xml";
    doc->body = hr_buf_take(&b);
}

static json_t *actor_context(void)
{
    /* did/v1 defines assertionMethod: without it JSON-LD processors (Fedify) drop the
     * Ed25519 key, since neither security/v1 nor multikey/v1 defines that term */
    return json_pack("[s,s,s,s,{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s}}]", FED_AS_CONTEXT,
                     "https://w3id.org/security/v1", "https://www.w3.org/ns/did/v1",
                     "https://w3id.org/security/multikey/v1",
                     "toot", "http://joinmastodon.org/ns#", "discoverable", "toot:discoverable",
                     "indexable", "toot:indexable", "schema", "http://schema.org#",
                     "PropertyValue", "schema:PropertyValue", "value", "schema:value",
                     "attributionDomains", "@id", "toot:attributionDomains", "@type", "@id");
}

static char *actor_summary(const struct store_account *a)
{
    struct hr_buf b;

    hr_buf_init(&b, 16384);
    if (a->summary[0] != '\0') {
        hr_buf_adds(&b, "<p>");
        hr_buf_add_html(&b, a->summary, strlen(a->summary));
        hr_buf_adds(&b, "</p>");
    }
    /* an official's disclaimer is added by fed_actor_add_kinds (federation/kinds.c) */
    return hr_buf_take(&b);
}

/* Each feature adds its part of the actor document from the account's profile: one
 * call per feature, each in its own file. NULL (and J freed) when one fails. */
static json_t *actor_extend(struct fed *fed, const struct store_account *a, json_t *j)
{
    json_t *profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    int rc = json_is_object(profile) ? HR_OK : HR_EIO;

    /* one line per feature: if (rc == HR_OK) rc = fed_actor_add_FEATURE(fed, a, profile, j); */
    if (rc == HR_OK) rc = fed_actor_add_website(fed, a, profile, j);
    if (rc == HR_OK)
        rc = fed_actor_add_attestations(fed, a, profile, j);
    if (rc == HR_OK)
        rc = fed_actor_add_keys(fed, a, profile, j);
    if (rc == HR_OK)
        rc = fed_actor_add_freeze(fed, a, profile, j);
    if (rc == HR_OK)
        rc = fed_actor_add_kinds(fed, a, profile, j);
    if (rc == HR_OK)
        rc = fed_actor_add_fields(fed, a, profile, j);
    if (rc == HR_OK)
        rc = fed_actor_add_media(fed, a, profile, j);
    json_decref(profile);
    if (rc != HR_OK) {
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *fed_actor_json(struct fed *fed, const struct store_account *a)
{
    char id[512], key_id[600], ed_id[600], url[512], coll[5][600], when[32];
    static const char *const colls[] = {"inbox", "outbox", "followers", "following"};
    char *summary = actor_summary(a);
    json_t *j;

    fed_actor_url(fed, a->name, id, sizeof id);
    snprintf(key_id, sizeof key_id, "%s#main-key", id);
    snprintf(ed_id, sizeof ed_id, "%s" FED_ED_KEY_FRAGMENT, id);
    snprintf(url, sizeof url, "%s/@%s", fed->base_url, a->name);
    for (size_t i = 0; i < 4; i++)
        snprintf(coll[i], sizeof coll[i], "%s/%s", id, colls[i]);
    snprintf(coll[4], sizeof coll[4], "%s/inbox", fed->base_url);
    hr_iso8601(a->created_ms, when);
    j = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:b,"
                  " s:b, s:b, s:{s:s,s:s,s:s}, s:[{s:s,s:s,s:s,s:s}],"
                  " s:o}",
                  "@context", actor_context(), "id", id, "type", fed_kind_type(a->kind),
                  "preferredUsername", a->name, "name",
                  a->display_name[0] ? a->display_name : a->name, "summary",
                  summary ? summary : "", "url", url, "inbox", coll[0], "outbox", coll[1],
                  "followers", coll[2], "following", coll[3], "endpoints", "sharedInbox",
                  coll[4], "published", when, "discoverable", 1, "indexable", 1,
                  "manuallyApprovesFollowers", 0, "publicKey", "id", key_id, "owner", id,
                  "publicKeyPem", a->rsa_pub_pem, "assertionMethod", "id", ed_id, "type",
                  "Multikey", "controller", id, "publicKeyMultibase", a->ed_pub_multibase,
                  "attachment", fed_kinds_type_field(fed, a->kind));
    free(summary);
    return j ? actor_extend(fed, a, j) : NULL;
}

/* ---- actor document cache: building it with jansson was most of an actor GET's CPU ---- */

static bool str_same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Every field the actor document is built from. */
static bool account_same(const struct store_account *a, const struct store_account *b)
{
    return str_same(a->name, b->name) && str_same(a->kind, b->kind) &&
           str_same(a->display_name, b->display_name) && str_same(a->summary, b->summary) &&
           a->created_ms == b->created_ms && str_same(a->rsa_pub_pem, b->rsa_pub_pem) &&
           str_same(a->ed_pub_multibase, b->ed_pub_multibase) && str_same(a->profile, b->profile);
}

static void actor_entry_fini(struct fed_actor_entry *e)
{
    store_account_fini(&e->a);
    free(e->body);
    e->body = NULL;
}

void fed_actor_cache_free(struct fed *fed)
{
    for (size_t i = 0; i < FED_ACTOR_CACHE; i++)
        actor_entry_fini(&fed->actors[i]);
}

/* A copy of the cached document of A, or NULL. */
static char *actor_cached(struct fed *fed, const struct store_account *a)
{
    char *body = NULL;

    pthread_mutex_lock(&fed->actor_mu);
    for (size_t i = 0; i < FED_ACTOR_CACHE && body == NULL; i++)
        if (fed->actors[i].body != NULL && account_same(&fed->actors[i].a, a))
            body = strdup(fed->actors[i].body);
    pthread_mutex_unlock(&fed->actor_mu);
    return body;
}

/* Keeps BODY as the document of A (taking A's strings), replacing an entry for the same
 * name, else a free one, else the oldest. Nothing is kept when a copy fails. */
static void actor_keep(struct fed *fed, struct store_account *a, const char *body)
{
    struct fed_actor_entry *e = NULL;
    char *copy = strdup(body);

    if (copy == NULL)
        return;
    pthread_mutex_lock(&fed->actor_mu);
    for (size_t i = 0; i < FED_ACTOR_CACHE && e == NULL; i++)
        if (fed->actors[i].body != NULL && str_same(fed->actors[i].a.name, a->name))
            e = &fed->actors[i];
    for (size_t i = 0; i < FED_ACTOR_CACHE && e == NULL; i++)
        if (fed->actors[i].body == NULL)
            e = &fed->actors[i];
    if (e == NULL) {
        e = &fed->actors[fed->actor_next];
        fed->actor_next = (fed->actor_next + 1) % FED_ACTOR_CACHE;
    }
    actor_entry_fini(e);
    e->a = *a;
    memset(a, 0, sizeof *a);
    e->body = copy;
    pthread_mutex_unlock(&fed->actor_mu);
}

void fed_actor(struct fed *fed, const char *name, struct fed_doc *doc)
{
    struct store_account a = {0};
    json_t *j;

    if (load_account(fed, name, &a, doc) != HR_OK)
        return;
    doc->body = actor_cached(fed, &a);
    if (doc->body != NULL) {
        doc->status = 200;
        doc->content_type = "application/activity+json";
        store_account_fini(&a);
        return;
    }
    j = fed_actor_json(fed, &a);
    if (j == NULL)
        fed_doc_error(doc, 500, "internal", "actor document");
    else
        fed_doc_json(doc, 200, j);
    json_decref(j);
    if (doc->status == 200 && doc->body != NULL)
        actor_keep(fed, &a, doc->body);
    store_account_fini(&a);
}

/* ---- outbox ---- */
/* The outbox page is spliced from the stored compact JSON of each activity instead of
 * parsed and re-serialised: parsing 20 activities per request was 65 % of its cost. */
struct outbox_walk {
    struct store_txn *txn;
    struct hr_buf items;
    size_t n, visited;
    uint64_t last;
    bool everything; /* the operator's view: every visibility, each item marked */
};

#define AS_CONTEXT_PREFIX "{\"@context\":\"" FED_AS_CONTEXT "\","

/* The visibility of an outbox activity, from its to/cc. Parsed (a substring test could be
 * fooled by a content warning quoting the Public collection); unreadable counts as
 * direct: shown to nobody. */
static enum fed_visibility outbox_visibility(const struct store_object *o)
{
    json_t *j = json_loadb(o->json, o->json_len, 0, NULL);
    enum fed_visibility v = j ? fed_note_visibility(j) : FED_VIS_DIRECT;

    json_decref(j);
    return v;
}

static int outbox_item(uint64_t seq, const char *activity_id, void *ctx)
{
    struct outbox_walk *w = ctx;
    struct store_object o = {0};
    size_t skip = sizeof AS_CONTEXT_PREFIX - 1, n;
    enum fed_visibility vis;
    const char *body;

    w->last = seq;
    w->visited++;
    if (store_object_get(w->txn, activity_id, &o, NULL) != HR_OK)
        return HR_OK; /* deleted since: skip, keep the cursor moving */
    vis = outbox_visibility(&o);
    body = o.json;
    n = o.json_len;
    if (n < 2 || (!w->everything && vis != FED_VIS_PUBLIC && vis != FED_VIS_UNLISTED)) {
        store_object_fini(&o); /* followers-only and direct posts: never in public faces */
        return HR_OK;
    }
    if (w->n > 0)
        hr_buf_adds(&w->items, ",");
    /* ours are stored compact with @context first: the page's own @context covers them */
    if (n <= skip || memcmp(o.json, AS_CONTEXT_PREFIX, skip) != 0)
        skip = 1; /* an object with a @context of its own: kept whole (stored JSON is "{...}") */
    body += skip;
    n -= skip;
    hr_buf_adds(&w->items, "{");
    if (w->everything) /* the operator's view says whom each went to */
        hr_buf_addf(&w->items, "\"visibility\":\"%s\",", fed_visibility_name(vis));
    hr_buf_add(&w->items, body, n);
    w->n++;
    store_object_fini(&o);
    return HR_OK;
}

/* Appends S as a JSON string (quoted and escaped by jansson). */
static void add_json_string(struct hr_buf *b, const char *s)
{
    json_t *j = json_string(s);
    char *enc = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

    if (enc == NULL)
        b->err = HR_ENOMEM;
    else
        hr_buf_adds(b, enc);
    free(enc);
    json_decref(j);
}

static void outbox_page_doc(struct fed_doc *doc, const char *id, const char *page,
                            struct outbox_walk *w, const char *next)
{
    char self[700];
    struct hr_buf b;

    snprintf(self, sizeof self, "%s?page=%s", id, page);
    hr_buf_init(&b, 64u << 20);
    hr_buf_adds(&b, "{\"@context\":");
    add_json_string(&b, FED_AS_CONTEXT);
    hr_buf_adds(&b, ",\"id\":");
    add_json_string(&b, self);
    hr_buf_adds(&b, ",\"type\":\"OrderedCollectionPage\",\"partOf\":");
    add_json_string(&b, id);
    hr_buf_adds(&b, ",\"orderedItems\":[");
    hr_buf_add(&b, w->items.data ? w->items.data : "", w->items.len);
    hr_buf_adds(&b, "]");
    if (next != NULL) {
        hr_buf_adds(&b, ",\"next\":");
        add_json_string(&b, next);
    }
    hr_buf_adds(&b, "}");
    if (b.err != HR_OK || w->items.err != HR_OK) {
        hr_buf_fini(&b);
        fed_doc_error(doc, 500, "internal", "outbox page");
        return;
    }
    doc->status = 200;
    doc->content_type = "application/activity+json";
    doc->body = hr_buf_take(&b);
}

/* "true" or absent -> 0 (from the newest); digits -> strictly below that sequence. */
static int page_cursor(const char *page, uint64_t *before)
{
    *before = 0;
    if (page == NULL || strcmp(page, "true") == 0)
        return HR_OK;
    return hr_parse_u64(page, UINT64_MAX, before);
}

static void collection(struct fed_doc *doc, const char *id, uint64_t total)
{
    char first[700];
    json_t *j;

    snprintf(first, sizeof first, "%s?page=true", id);
    j = json_pack("{s:s, s:s, s:s, s:I, s:s}", "@context", FED_AS_CONTEXT, "id", id, "type",
                  "OrderedCollection", "totalItems", (json_int_t)total, "first", first);
    fed_doc_json(doc, 200, j);
    json_decref(j);
}

static void page_doc(struct fed_doc *doc, const char *id, const char *page, json_t *items,
                     const char *next)
{
    char self[700];
    json_t *j;

    snprintf(self, sizeof self, "%s?page=%s", id, page ? page : "true");
    j = json_pack("{s:s, s:s, s:s, s:s, s:o}", "@context", FED_AS_CONTEXT, "id", self, "type",
                  "OrderedCollectionPage", "partOf", id, "orderedItems", items);
    if (j != NULL && next != NULL)
        json_object_set_new(j, "next", json_string(next));
    fed_doc_json(doc, 200, j);
    json_decref(j);
}

static void outbox(struct fed *fed, const char *name, const char *page, bool everything,
                   struct fed_doc *doc)
{
    struct store_account a = {0};
    struct outbox_walk w = {.everything = everything};
    char id[600], next[700];
    uint64_t before, total;

    if (load_account(fed, name, &a, doc) != HR_OK)
        return;
    store_account_fini(&a);
    fed_actor_url(fed, name, id, sizeof id);
    strncat(id, "/outbox", sizeof id - strlen(id) - 1);
    if (page_cursor(page, &before) != HR_OK) {
        fed_doc_error(doc, 400, "bad_request", "page must be 'true' or a cursor");
        return;
    }
    if (store_txn_begin(fed->st, STORE_READ, &w.txn, NULL) != HR_OK) {
        fed_doc_error(doc, 500, "internal", "store unavailable");
        return;
    }
    total = store_outbox_count(w.txn, name);
    if (page == NULL) {
        store_txn_abort(w.txn);
        collection(doc, id, total);
        return;
    }
    hr_buf_init(&w.items, 64u << 20);
    store_outbox_page(w.txn, name, before, FED_PAGE_SIZE, outbox_item, &w, NULL);
    store_txn_abort(w.txn);
    /* a full page (counting deleted entries too) may have more after it */
    snprintf(next, sizeof next, "%s?page=%llu", id, (unsigned long long)w.last);
    outbox_page_doc(doc, id, page, &w, w.visited == FED_PAGE_SIZE && w.last > 1 ? next : NULL);
    hr_buf_fini(&w.items);
}

void fed_outbox(struct fed *fed, const char *name, const char *page, struct fed_doc *doc)
{
    outbox(fed, name, page, false, doc);
}

void fed_outbox_all(struct fed *fed, const char *name, const char *page, struct fed_doc *doc)
{
    outbox(fed, name, page, true, doc);
}

/* ---- followers ---- */
struct follower_walk {
    json_t *items;
    char last[512];
};

static int follower_item(const struct store_follower *f, void *ctx)
{
    struct follower_walk *w = ctx;

    json_array_append_new(w->items, json_string(f->actor));
    snprintf(w->last, sizeof w->last, "%s", f->actor);
    return HR_OK;
}

void fed_followers(struct fed *fed, const char *name, const char *page, struct fed_doc *doc)
{
    struct store_account a = {0};
    struct follower_walk w = {0};
    struct store_txn *txn = NULL;
    char id[600], next[1400], *esc = NULL;
    const char *after = NULL;
    uint64_t total;

    if (load_account(fed, name, &a, doc) != HR_OK)
        return;
    store_account_fini(&a);
    fed_actor_url(fed, name, id, sizeof id);
    strncat(id, "/followers", sizeof id - strlen(id) - 1);
    if (store_txn_begin(fed->st, STORE_READ, &txn, NULL) != HR_OK) {
        fed_doc_error(doc, 500, "internal", "store unavailable");
        return;
    }
    total = store_follower_count(txn, name);
    if (page == NULL) {
        store_txn_abort(txn);
        collection(doc, id, total);
        return;
    }
    /* cursor: the last actor id of the previous page (stable under inserts) */
    if (strcmp(page, "true") != 0)
        after = page;
    w.items = json_array();
    store_follower_each(txn, name, after, FED_PAGE_SIZE, follower_item, &w, NULL);
    store_txn_abort(txn);
    if (json_array_size(w.items) == FED_PAGE_SIZE)
        esc = fed_url_escape(w.last);
    snprintf(next, sizeof next, "%s?page=%s", id, esc ? esc : "");
    page_doc(doc, id, page, w.items, esc ? next : NULL);
    free(esc);
}

/* Whom an agency follows is public (other agencies): one page, accepted follows only. */
void fed_following(struct fed *fed, const char *name, struct fed_doc *doc)
{
    struct store_account a = {0};
    json_t *items, *j;
    char id[600];

    if (load_account(fed, name, &a, doc) != HR_OK)
        return;
    store_account_fini(&a);
    fed_actor_url(fed, name, id, sizeof id);
    strncat(id, "/following", sizeof id - strlen(id) - 1);
    items = fed_following_actors(fed, name);
    j = json_pack("{s:s,s:s,s:s,s:I,s:o}", "@context", FED_AS_CONTEXT, "id", id, "type",
                  "OrderedCollection", "totalItems", (json_int_t)json_array_size(items),
                  "orderedItems", items);
    fed_doc_json(doc, 200, j);
    json_decref(j);
}

int fed_object_load(struct fed *fed, const char *path, char id[1200], struct store_object *out,
                    struct fed_doc *doc)
{
    struct store_txn *txn = NULL;
    int rc;

    snprintf(id, 1200, "%s%s", fed->base_url, path);
    rc = store_txn_begin(fed->st, STORE_READ, &txn, NULL);
    if (rc == HR_OK)
        rc = store_object_get(txn, id, out, NULL);
    store_txn_abort(txn);
    if (rc == HR_ENOTFOUND)
        fed_doc_error(doc, 404, "not_found", "no such object");
    else if (rc != HR_OK)
        fed_doc_error(doc, 500, "internal", "store unavailable");
    return rc;
}

void fed_object_page(struct fed *fed, const char *path, const char *page, struct fed_doc *doc)
{
    struct store_object o = {0};
    char id[1200];

    (void)page;
    if (fed_object_load(fed, path, id, &o, doc) != HR_OK)
        return;
    /* a deleted post answers 410 Gone with its Tombstone */
    doc->status = strcmp(o.type, "Tombstone") == 0 ? 410 : 200;
    doc->content_type = "application/activity+json";
    doc->body = o.json;
    o.json = NULL;
    store_object_fini(&o);
}

/* Unsigned readers (and everything that is no authorized fetch): a followers-only or
 * direct post is the 404 of an unknown id (federation/visibility.c). */
void fed_object(struct fed *fed, const char *path, struct fed_doc *doc)
{
    if (!fed_object_public(fed, path)) {
        fed_doc_error(doc, 404, "not_found", "no such object");
        return;
    }
    fed_object_page(fed, path, NULL, doc);
}
