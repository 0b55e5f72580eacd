/* tests/unit/federation/test_docs.c - documents, post HTML, JSON limits and the fan-out,
 * against a real store in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "federation/fed_int.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "https://social.city.example"

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static void add_named(struct store *st, const char *name, const char *kind, const char *display)
{
    fedfix_account(st,
                   (struct store_account){.name = (char *)(uintptr_t)name,
                                          .kind = (char *)(uintptr_t)kind,
                                          .display_name = (char *)(uintptr_t)display,
                                          .summary = (char *)(uintptr_t) "Sum & mary",
                                          .created_ms = 1},
                   false);
}

static void add_account(struct store *st, const char *name, const char *kind)
{
    add_named(st, name, kind, "Name <b>");
}


static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example", .base_url = BASE,
                             .json_max_depth = 64, .json_max_string = 100000,
                             .json_max_items = 1000, .fetch_max_bytes = 1 << 20};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "fed", cfg) != 0)
        return -1;
    add_account(fx->st, "health", "agency");
    add_account(fx->st, "mayor", "official");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fedfix_close(fx->dir, fx->st, fx->fed) != 0)
        return -1;
    free(fx);
    return 0;
}

static int webfinger_status(struct fixture *fx, const char *resource)
{
    struct fed_doc d = {0};
    int status;

    fed_webfinger(fx->fed, resource, &d);
    status = d.status;
    if (status == 200) {
        assert_non_null(strstr(d.body, "\"href\":\"" BASE "/users/health\""));
        assert_string_equal(d.content_type, "application/jrd+json");
    }
    fed_doc_fini(&d);
    return status;
}

static void webfinger_answers_handles_and_actor_urls_and_refuses_the_rest(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(webfinger_status(fx, "acct:health@social.city.example"), 200);
    assert_int_equal(webfinger_status(fx, "health@social.city.example"), 200);
    assert_int_equal(webfinger_status(fx, BASE "/users/health"), 200);
    assert_int_equal(webfinger_status(fx, "acct:health@other.example"), 404);
    assert_int_equal(webfinger_status(fx, "acct:nobody@social.city.example"), 404);
    assert_int_equal(webfinger_status(fx, "acct:../etc@social.city.example"), 404);
    assert_int_equal(webfinger_status(fx, "acct:health"), 400);
    assert_int_equal(webfinger_status(fx, "acct:a@b@social.city.example"), 400);
    assert_int_equal(webfinger_status(fx, ""), 400);
    assert_int_equal(webfinger_status(fx, NULL), 400);
}

static void an_actor_shows_its_kind_keys_and_never_a_private_key(void **state)
{
    struct fixture *fx = *state;
    struct fed_doc d = {0};
    json_t *j;

    fed_actor(fx->fed, "mayor", &d);
    assert_int_equal(d.status, 200);
    assert_null(strstr(d.body, "PRIVATE"));
    j = json_loads(d.body, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "Person");
    assert_non_null(strstr(json_string_value(json_object_get(j, "summary")), "views are my own"));
    assert_non_null(strstr(json_string_value(json_object_get(j, "summary")), "Sum &amp; mary"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "publicKey"), "id")),
        BASE "/users/mayor#main-key");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "assertionMethod"), 0), "type")),
                        "Multikey");
    json_decref(j);
    fed_doc_fini(&d);
    fed_actor(fx->fed, "nobody", &d);
    assert_int_equal(d.status, 404);
    fed_doc_fini(&d);
}

static char *actor_body(struct fed *fed, const char *name)
{
    struct fed_doc d = {0};
    char *body;

    fed_actor(fed, name, &d);
    assert_int_equal(d.status, 200);
    body = d.body;
    d.body = NULL;
    fed_doc_fini(&d);
    return body;
}

/* The served document is reused while the stored account has the fields it was built
 * from, and rebuilt when they differ (here: the same name in another store). */
static void an_actor_document_is_reused_only_while_the_account_is_unchanged(void **state)
{
    struct fixture *fx = *state;
    struct store *orig = fx->fed->st, *other = NULL;
    char dir[64], name[16], *first, *again, *changed;

    first = actor_body(fx->fed, "health");
    again = actor_body(fx->fed, "health");
    assert_string_equal(first, again);
    assert_int_equal(tmpdir_make(dir, "fed2"), 0);
    assert_int_equal(store_open(dir, STORE_CREATE, 64, &other, NULL), HR_OK);
    add_named(other, "health", "agency", "Renamed Office");
    fx->fed->st = other;
    changed = actor_body(fx->fed, "health");
    assert_non_null(strstr(changed, "Renamed Office"));
    assert_null(strstr(changed, "Name &lt;b>"));
    /* more accounts than the cache holds: every one still gets its own document */
    for (int i = 0; i < FED_ACTOR_CACHE + 4; i++) {
        char *b;
        snprintf(name, sizeof name, "acct%d", i);
        add_named(other, name, "department", name);
        free(actor_body(fx->fed, name));
        b = actor_body(fx->fed, name);
        assert_non_null(strstr(b, "\"preferredUsername\":\""));
        assert_non_null(strstr(b, name));
        free(b);
    }
    fx->fed->st = orig;
    free(again);
    again = actor_body(fx->fed, "health");
    assert_string_equal(first, again);
    store_close(other);
    assert_int_equal(tmpdir_remove(dir), 0);
    free(first);
    free(again);
    free(changed);
}

static void put_remote(struct store *st, const char *pem)
{
    struct store_remote_actor r = {.id = (char *)(uintptr_t) "https://peer.example/users/ann",
                                   .key_id = (char *)(uintptr_t) "https://peer.example/users/ann#k",
                                   .key_pem = (char *)(uintptr_t)pem,
                                   .inbox = (char *)(uintptr_t) "https://peer.example/users/ann/inbox",
                                   .shared_inbox = (char *)(uintptr_t) "", .fetched_ms = 1};
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_remote_actor_put(txn, &r, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

/* HR_OK when the key resolved for ann's keyId verifies a signature made with PRIV. */
static int resolved_verifies(struct fed *fed, const char *priv_pem)
{
    struct fed_remote r = {0};
    struct keys_key *priv = NULL;
    char *sig = NULL;
    int rc;

    assert_int_equal(fed_remote_resolve(fed, "https://peer.example/users/ann#k", false, &r, NULL),
                     HR_OK);
    assert_true(r.from_cache);
    assert_int_equal(keys_private_load(priv_pem, &priv, NULL), HR_OK);
    assert_int_equal(keys_rsa_sign(priv, "text", 4, &sig, NULL), HR_OK);
    rc = keys_rsa_verify(r.key, "text", 4, (struct hr_slice){sig, strlen(sig)}, NULL);
    free(sig);
    keys_key_free(priv);
    fed_remote_fini(&r);
    return rc;
}

/* Stored remote keys are parsed once and shared, but only while the stored PEM is the one
 * they were parsed from: a refetched (rotated) key is used from the next request on. */
static void a_cached_remote_key_follows_the_stored_pem(void **state)
{
    struct fixture *fx = *state;
    char *priv1, *pub1, *priv2, *pub2;
    size_t cached = 0;

    assert_int_equal(keys_rsa_generate(&priv1, &pub1, NULL), HR_OK);
    assert_int_equal(keys_rsa_generate(&priv2, &pub2, NULL), HR_OK);
    put_remote(fx->st, pub1);
    assert_int_equal(resolved_verifies(fx->fed, priv1), HR_OK);
    assert_int_equal(resolved_verifies(fx->fed, priv1), HR_OK); /* from the parsed cache */
    for (size_t i = 0; i < FED_PKCACHE; i++)
        cached += fx->fed->pk[i].key != NULL;
    assert_int_equal(cached, 1);
    put_remote(fx->st, pub2); /* rotated */
    assert_int_equal(resolved_verifies(fx->fed, priv2), HR_OK);
    assert_int_equal(resolved_verifies(fx->fed, priv1), HR_ESIG);
    keys_secret_free(priv1);
    keys_secret_free(priv2);
    free(pub1);
    free(pub2);
}

static void post_text_is_escaped_with_paragraphs_and_http_links_only(void **state)
{
    char *h;

    (void)state;
    h = fed_text_to_html("a <b> & \"c\"\nnext\n\nsee https://x.example/p?q=1&r=2. "
                         "javascript:alert(1) ftp://x");
    assert_string_equal(h, "<p>a &lt;b&gt; &amp; &quot;c&quot;<br>next</p><p>see <a "
                           "href=\"https://x.example/p?q=1&amp;r=2\" rel=\"nofollow noopener "
                           "noreferrer\" target=\"_blank\">https://x.example/p?q=1&amp;r=2</a>. "
                           "javascript:alert(1) ftp://x</p>");
    free(h);
    h = fed_text_to_html("https://\"onmouseover=x");
    assert_null(strstr(h, "<a "));
    free(h);
}

static void json_from_peers_is_limited_in_depth_and_duplicates(void **state)
{
    struct fed_json_limits lim = {.max_depth = 64, .max_string = 8, .max_items = 3};
    char deep[300];
    json_t *j = NULL;
    size_t n = 0;

    (void)state;
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    for (int i = 0; i < 70; i++)
        deep[n++] = ']';
    assert_int_equal(fed_json_parse(deep, n, &lim, &j, NULL), HR_EINVAL);
    assert_int_equal(fed_json_parse(deep + 10, n - 20, &lim, &j, NULL), HR_OK);
    json_decref(j);
    assert_int_equal(fed_json_parse("{\"a\":1,\"a\":2}", 13, &lim, &j, NULL), HR_EINVAL);
    assert_int_equal(fed_json_parse("{\"a\":\"\xff\"}", 9, &lim, &j, NULL), HR_EINVAL);
    assert_int_equal(fed_json_parse("{\"a\":1", 6, &lim, &j, NULL), HR_EINVAL);
    assert_int_equal(fed_json_parse("[\"123456789\"]", 13, &lim, &j, NULL), HR_EINVAL);
    assert_int_equal(fed_json_parse("{\"123456789\":1}", 15, &lim, &j, NULL), HR_EINVAL);
    assert_int_equal(fed_json_parse("[1,2,3,4]", 9, &lim, &j, NULL), HR_EINVAL);
    assert_int_equal(fed_json_parse("[1,2,3]", 7, &lim, &j, NULL), HR_OK);
    json_decref(j);
}

static void add_follower(struct fixture *fx, const char *actor, const char *inbox,
                         const char *shared)
{
    struct store_follower f = {.actor = (char *)(uintptr_t)actor,
                               .inbox = (char *)(uintptr_t)inbox,
                               .shared_inbox = (char *)(uintptr_t)shared,
                               .follow_id = (char *)(uintptr_t) "x"};
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static void a_post_queues_one_delivery_per_distinct_inbox(void **state)
{
    struct fixture *fx = *state;
    struct store_stats s = {0};
    struct store_txn *txn = NULL;
    struct fed_doc d = {0};
    char *id = NULL;

    add_follower(fx, "https://a.example/u/1", "https://a.example/u/1/inbox",
                 "https://a.example/inbox");
    add_follower(fx, "https://a.example/u/2", "https://a.example/u/2/inbox",
                 "https://a.example/inbox");
    add_follower(fx, "https://b.example/u/3", "https://b.example/u/3/inbox", "");
    assert_int_equal(fed_publish_note(fx->fed, "health", "Notice", &id, NULL), HR_OK);
    assert_non_null(strstr(id, BASE "/users/health/notes/"));
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_stats_get(txn, &s, NULL), HR_OK);
    store_txn_abort(txn);
    assert_int_equal(s.deliveries, 2); /* a.example's shared inbox once, b.example's own */
    assert_int_equal(s.objects, 2);    /* the Note and its Create */
    fed_object(fx->fed, id + strlen(BASE), &d);
    assert_int_equal(d.status, 200);
    assert_non_null(strstr(d.body, "\"type\":\"Note\""));
    fed_doc_fini(&d);
    free(id);
}

/* Personal inboxes on few hosts: the queue takes one job of every host in turn, so a
 * claimed batch spreads over the hosts instead of waiting on one host's limit. */
static void a_fan_out_is_queued_interleaved_by_host(void **state)
{
    static const char *const hosts[] = {"a", "a", "a", "b", "c", "c"};
    static const char *const want[] = {"a", "b", "c", "a", "c", "a"};
    struct fixture *fx = *state;
    struct store_delivery *jobs = NULL;
    struct store_txn *txn = NULL;
    char actor[128], inbox[160], *id = NULL;
    size_t n = 0;

    for (size_t i = 0; i < 6; i++) {
        snprintf(actor, sizeof actor, "https://%s.example/u/%zu", hosts[i], i);
        snprintf(inbox, sizeof inbox, "%s/inbox", actor);
        add_follower(fx, actor, inbox, "");
    }
    assert_int_equal(fed_publish_note(fx->fed, "health", "Notice", &id, NULL), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_claim(txn, INT64_MAX / 2, 60000, 100, &jobs, &n, NULL), HR_OK);
    store_txn_abort(txn);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        snprintf(actor, sizeof actor, "https://%s.example/", want[i]);
        assert_true(strncmp(jobs[i].inbox, actor, strlen(actor)) == 0);
        /* a personal inbox: the job names its follower (a 410 there removes it) */
        snprintf(inbox, sizeof inbox, "%s/inbox", jobs[i].recipient);
        assert_string_equal(jobs[i].inbox, inbox);
        store_delivery_fini(&jobs[i]);
    }
    free(jobs);
    free(id);
}

static void bad_posts_are_refused_and_nothing_is_stored(void **state)
{
    struct fixture *fx = *state;
    struct store_stats s = {0};
    struct store_txn *txn = NULL;
    char *id = NULL;

    assert_int_equal(fed_publish_note(fx->fed, "health", "", &id, NULL), HR_EINVAL);
    assert_int_equal(fed_publish_note(fx->fed, "health", "bad \xff utf8", &id, NULL), HR_EINVAL);
    assert_int_equal(fed_publish_note(fx->fed, "nobody", "text", &id, NULL), HR_ENOTFOUND);
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_stats_get(txn, &s, NULL), HR_OK);
    store_txn_abort(txn);
    assert_int_equal(s.objects, 0);
    assert_int_equal(s.deliveries, 0);
    assert_null(id);
}

/* What an Accept embeds of a Follow: four string fields, whatever else came with it. */
static void an_answer_embeds_four_string_fields_of_the_activity(void **state)
{
    json_t *follow = json_loads(
        "{\"id\":\"https://p.example/f/1\",\"type\":\"Follow\",\"content\":\"<script>\","
        "\"actor\":{\"id\":\"https://p.example/u/a\",\"name\":\"<b>\"},"
        "\"object\":{\"id\":\"" BASE "/users/health\",\"summary\":\"x\"},\"name\":\"n\"}",
        0, NULL);
    json_t *ref = fed_activity_ref(follow), *bad;
    char *s;

    (void)state;
    assert_non_null(ref);
    assert_int_equal(json_object_size(ref), 4);
    assert_string_equal(json_string_value(json_object_get(ref, "actor")), "https://p.example/u/a");
    assert_string_equal(json_string_value(json_object_get(ref, "object")), BASE "/users/health");
    s = json_dumps(ref, JSON_COMPACT);
    assert_null(strstr(s, "<"));
    free(s);
    json_decref(ref);
    bad = json_deep_copy(follow);
    json_object_set_new(bad, "type", json_integer(1));
    assert_null(fed_activity_ref(bad));
    json_decref(bad);
    bad = json_deep_copy(follow);
    json_object_del(bad, "id");
    assert_null(fed_activity_ref(bad));
    json_decref(bad);
    json_decref(follow);
}

static int own_post_status(struct fixture *fx, const char *name, const char *id)
{
    struct fed_doc d = {0};
    int status;

    fed_own_post(fx->fed, name, id + strlen(BASE), &d);
    status = d.status;
    if (status == 406)
        assert_string_equal(d.error, "not_acceptable");
    fed_doc_fini(&d);
    return status;
}

/* Only a Note stored by its account (and its Tombstone) is a post for a page: never the
 * Create around it or a Note asked for under another account. (The Accept: pages.sh.) */
static void only_our_own_notes_are_posts_for_a_page(void **state)
{
    struct fixture *fx = *state;
    char *note = NULL, create[700];

    assert_int_equal(fed_publish_note(fx->fed, "health", "hello", &note, NULL), HR_OK);
    snprintf(create, sizeof create, "%s/activity", note);
    assert_int_equal(own_post_status(fx, "health", note), 200);
    assert_int_equal(own_post_status(fx, "health", create), 406);
    assert_int_equal(own_post_status(fx, "mayor", note), 406);
    assert_int_equal(own_post_status(fx, "health", BASE "/users/health/notes/00ff"), 404);
    free(note);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(webfinger_answers_handles_and_actor_urls_and_refuses_the_rest),
        T(an_actor_shows_its_kind_keys_and_never_a_private_key),
        T(an_actor_document_is_reused_only_while_the_account_is_unchanged),
        T(a_cached_remote_key_follows_the_stored_pem),
        cmocka_unit_test(post_text_is_escaped_with_paragraphs_and_http_links_only),
        cmocka_unit_test(json_from_peers_is_limited_in_depth_and_duplicates),
        T(a_post_queues_one_delivery_per_distinct_inbox),
        T(a_fan_out_is_queued_interleaved_by_host),
        T(bad_posts_are_refused_and_nothing_is_stored),
        cmocka_unit_test(an_answer_embeds_four_string_fields_of_the_activity),
        T(only_our_own_notes_are_posts_for_a_page),
    };
#undef T
    return cmocka_run_group_tests(t, NULL, NULL);
}
