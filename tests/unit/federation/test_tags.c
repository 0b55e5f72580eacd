/* tests/unit/federation/test_tags.c - hashtags, mentions and language (issue #10): the
 * parser finds what Mastodon finds (federation/entities.c), the content links them in
 * Mastodon's markup (text.c), the Note carries Hashtag and Mention tags, the mentioned in
 * cc and contentMap (tags.c) with a proof that still verifies, an edit follows its new
 * text, and a post reaches each mentioned actor's inbox once, beside the followers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE   "https://social.city.example"
#define HEALTH BASE "/users/health"
#define ALICE  "https://social.example/users/alice"
#define BOB    "https://other.example/users/bob"

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example",
                             .base_url = BASE,
                             .json_max_depth = 64,
                             .json_max_string = 100000,
                             .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20,
                             .fetch_timeout_ms = 2000,
                             .languages = "zh,en"};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "tags", cfg) != 0)
        return -1;
    fedfix_account(fx->st,
                   (struct store_account){.name = (char *)(uintptr_t) "health",
                                          .kind = (char *)(uintptr_t) "agency",
                                          .display_name = (char *)(uintptr_t) "Health",
                                          .summary = (char *)(uintptr_t) "",
                                          .created_ms = 1},
                   false);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = fedfix_close(fx->dir, fx->st, fx->fed);

    free(fx);
    return rc;
}

/* The entities of TEXT as "L:span", "H:span" or "M:span", joined by '|'. */
static const char *entities(const char *text)
{
    static char out[1024];
    struct fed_entity e;
    size_t n = strlen(text), from = 0, len = 0;

    out[0] = '\0';
    while (fed_entity_next(text, n, from, &e)) {
        const char *k = e.kind == FED_ENTITY_LINK ? "L" : e.kind == FED_ENTITY_HASHTAG ? "H" : "M";
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s:%.*s", len ? "|" : "", k,
                                (int)e.len, text + e.start);
        from = e.start + e.len;
    }
    return out;
}

static void hashtags_are_found_as_mastodon_finds_them(void **state)
{
    (void)state;
    assert_string_equal(entities("Get your #FluShots today"), "H:#FluShots");
    assert_string_equal(entities("#流感疫苗 接种"), "H:#流感疫苗");
    assert_string_equal(entities("Le #café."), "H:#café");
    assert_string_equal(entities("(#covid_19), #2026flu!"), "H:#covid_19|H:#2026flu");
    assert_string_equal(entities("#cafe\xcc\x81 ok"), "H:#cafe\xcc\x81"); /* e + U+0301 */
    assert_string_equal(entities("#tag\xc2\xb7name #end\xc2\xb7"), "H:#tag\xc2\xb7name|H:#end");
    assert_string_equal(entities("##twice"), "H:#twice");
    /* no letter, inside a word, after '=' or '/', or alone: not tags (Mastodon's rules) */
    assert_string_equal(entities("#123 a#b x=#y 3/#z # #_"), "");
    assert_string_equal(entities("接种#流感疫苗"), "");
    /* a tag inside a link is the link's */
    assert_string_equal(entities("see https://x.example/p#frag and https://x.example/?q=#t"),
                        "L:https://x.example/p#frag|L:https://x.example/?q=#t");
    assert_string_equal(entities("#emoji\xf0\x9f\x98\x80"), "H:#emoji");
}

static void mentions_are_user_at_host_outside_links_and_addresses(void **state)
{
    (void)state;
    assert_string_equal(entities("Thanks @alice@social.example."), "M:@alice@social.example");
    assert_string_equal(entities("@a.b-c@x.example, @d_e@y.example"),
                        "M:@a.b-c@x.example|M:@d_e@y.example");
    assert_string_equal(entities("peer @bob@127.0.0.2:8080 here"), "M:@bob@127.0.0.2:8080");
    assert_string_equal(entities("@bob@example.com:30 minutes"), "M:@bob@example.com");
    /* an e-mail address, a bare @name, a handle inside a link: not mentions */
    assert_string_equal(entities("write to info@city.example or @info"), "");
    assert_string_equal(entities("https://x.example/@alice@social.example"),
                        "L:https://x.example/@alice@social.example");
    assert_string_equal(entities("x@@alice@social.example @.a@b.example @a@-b.example"), "");
}

static void tag_names_are_lower_cased_by_unicode_case(void **state)
{
    char *a = fed_hashtag_norm("FluShots", 8), *b = fed_hashtag_norm("CAFÉ", strlen("CAFÉ"));
    char *c = fed_hashtag_norm("ΑΘΗΝΑ", strlen("ΑΘΗΝΑ")), *d = fed_hashtag_norm("流感", 6);

    (void)state;
    assert_string_equal(a, "flushots");
    assert_string_equal(b, "café");
    assert_string_equal(c, "αθηνα");
    assert_string_equal(d, "流感");
    free(a), free(b), free(c), free(d);
}

static json_t *mention_list(void)
{
    return json_pack("[{s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s}]", "acct",
                     "alice@social.example", "href", ALICE, "inbox", ALICE "/inbox", "shared_inbox",
                     "https://social.example/inbox", "url", "https://social.example/@alice", "acct",
                     "bob@other.example", "href", BOB, "inbox", BOB "/inbox", "shared_inbox", "",
                     "url", BOB);
}

static void content_links_tags_and_resolved_mentions_in_mastodons_markup(void **state)
{
    json_t *m = mention_list();
    struct fed_text_links l = {.base = BASE, .mentions = m};
    char *html = fed_text_to_html_links(
        "Get your #FluShots, @Alice@social.example! #流感疫苗 @carol@none.example <b>", &l);

    (void)state;
    assert_non_null(html);
    assert_non_null(strstr(html, "<a href=\"" BASE "/tags/flushots\" class=\"mention hashtag\" "
                                 "rel=\"tag\">#<span>FluShots</span></a>"));
    assert_non_null(strstr(html, "<span class=\"h-card\" translate=\"no\"><a "
                                 "href=\"https://social.example/@alice\" class=\"u-url "
                                 "mention\">@<span>Alice</span></a></span>!"));
    assert_non_null(strstr(html, BASE "/tags/%E6%B5%81%E6%84%9F%E7%96%AB%E8%8B%97\""));
    /* not resolved: stays text; our own words stay escaped */
    assert_non_null(strstr(html, " @carol@none.example &lt;b&gt;</p>"));
    free(html);
    /* without links (NULL), only URLs become links */
    html = fed_text_to_html_links("#FluShots @Alice@social.example", NULL);
    assert_string_equal(html, "<p>#FluShots @Alice@social.example</p>");
    free(html);
    json_decref(m);
}

/* The stored document ID, parsed. */
static json_t *stored(struct fixture *fx, const char *id)
{
    struct store_txn *txn = NULL;
    struct store_object o = {0};
    json_t *j;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_object_get(txn, id, &o, NULL), HR_OK);
    store_txn_abort(txn);
    j = json_loads(o.json, 0, NULL);
    assert_non_null(j);
    store_object_fini(&o);
    return j;
}

static void add_follower(struct fixture *fx, const char *actor, const char *inbox,
                         const char *shared)
{
    struct store_follower f = {.actor = (char *)(uintptr_t)actor,
                               .inbox = (char *)(uintptr_t)inbox,
                               .shared_inbox = (char *)(uintptr_t)shared,
                               .follow_id = (char *)(uintptr_t) "https://x.example/f"};
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

/* Publishes IN (new, or an edit of REPLACES) and returns the stored Note. */
static json_t *publish(struct fixture *fx, const struct fed_post_input *in, const char *replaces)
{
    struct fed_post *p = NULL;
    struct store_txn *txn = NULL;
    json_t *note;

    if (replaces)
        assert_int_equal(fed_post_prepare_update(fx->fed, "health", replaces, in, &p, NULL), HR_OK);
    else
        assert_int_equal(fed_post_prepare(fx->fed, "health", in, &p, NULL), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_post_commit(txn, p, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    note = stored(fx, fed_post_id(p));
    fed_post_free(p);
    return note;
}

static const json_t *tag_of(const json_t *note, const char *type, size_t nth)
{
    const json_t *t;
    size_t i;

    json_array_foreach(json_object_get(note, "tag"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "type")), type) == 0 && nth-- == 0)
            return t;
    }
    return NULL;
}

static bool in_array(const json_t *a, const char *s)
{
    const json_t *v;
    size_t i;

    json_array_foreach(a, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

static void the_note_carries_hashtags_mentions_cc_and_content_map_and_verifies(void **state)
{
    struct fixture *fx = *state;
    json_t *m = mention_list(), *note;
    struct fed_post_input in = {.text = "#FluShots now, #flushots again, @alice@social.example "
                                        "and @bob@other.example. #流感疫苗",
                                .language = "zh",
                                .mentions = m,
                                .quote = "https://other.example/notes/1"};
    struct fed_proof_result r;

    note = publish(fx, &in, NULL);
    assert_string_equal(json_string_value(json_object_get(tag_of(note, "Link", 0), "href")),
                        "https://other.example/notes/1");
    assert_string_equal(json_string_value(json_object_get(tag_of(note, "Hashtag", 0), "name")),
                        "#FluShots");
    assert_string_equal(json_string_value(json_object_get(tag_of(note, "Hashtag", 0), "href")),
                        BASE "/tags/flushots");
    assert_string_equal(json_string_value(json_object_get(tag_of(note, "Hashtag", 1), "name")),
                        "#流感疫苗");
    assert_null(tag_of(note, "Hashtag", 2)); /* #flushots is #FluShots */
    assert_string_equal(json_string_value(json_object_get(tag_of(note, "Mention", 0), "name")),
                        "@alice@social.example");
    assert_string_equal(json_string_value(json_object_get(tag_of(note, "Mention", 1), "href")),
                        BOB);
    assert_true(in_array(json_object_get(note, "cc"), ALICE));
    assert_true(in_array(json_object_get(note, "cc"), BOB));
    assert_true(in_array(json_object_get(note, "cc"), HEALTH "/followers"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(note, "contentMap"), "zh")),
        json_string_value(json_object_get(note, "content")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(note, "@context"), 2), "Hashtag")),
                        "as:Hashtag");
    fed_proof_check(fx->fed, note, NULL, &r);
    assert_int_equal(r.state, FED_PROOF_VALID);
    json_decref(note);
    json_decref(m);
}

static void no_language_no_content_map_and_no_tags_no_tag(void **state)
{
    struct fixture *fx = *state;
    struct fed_post_input in = {.text = "Plain words, #123.", .language = "und"};
    json_t *note = publish(fx, &in, NULL);

    assert_null(json_object_get(note, "contentMap"));
    assert_null(json_object_get(note, "tag"));
    json_decref(note);
}

static void an_edit_follows_its_new_text_and_mentions(void **state)
{
    struct fixture *fx = *state;
    json_t *m = mention_list(), *note, *edited, *only_bob = json_array();
    struct fed_post_input in = {
        .text = "#Old @alice@social.example @bob@other.example", .language = "en", .mentions = m};
    char id[1200];

    note = publish(fx, &in, NULL);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(note, "id")));
    json_array_append(only_bob, json_array_get(m, 1));
    in = (struct fed_post_input){
        .text = "#New for @bob@other.example", .language = "fr", .mentions = only_bob};
    edited = publish(fx, &in, id);
    assert_string_equal(json_string_value(json_object_get(tag_of(edited, "Hashtag", 0), "name")),
                        "#New");
    assert_null(tag_of(edited, "Hashtag", 1));
    assert_string_equal(json_string_value(json_object_get(tag_of(edited, "Mention", 0), "href")),
                        BOB);
    assert_null(tag_of(edited, "Mention", 1));
    assert_false(in_array(json_object_get(edited, "cc"), ALICE));
    assert_true(in_array(json_object_get(edited, "cc"), BOB));
    assert_non_null(json_object_get(json_object_get(edited, "contentMap"), "fr"));
    assert_null(json_object_get(json_object_get(edited, "contentMap"), "en"));
    json_decref(note);
    json_decref(edited);
    json_decref(only_bob);
    json_decref(m);
}

static bool collect_inbox(const struct store_delivery *d, void *ctx)
{
    json_array_append_new(ctx, json_string(d->inbox));
    return true;
}

/* The inboxes queued, in queue order (the queue is left as it was). */
static json_t *queued(struct fixture *fx)
{
    json_t *list = json_array();
    struct store_txn *txn = NULL;
    size_t n = 0;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_drop_if(txn, collect_inbox, list, &n, NULL), HR_OK);
    store_txn_abort(txn);
    return list;
}

static void each_mentioned_inbox_gets_one_job_beside_the_followers(void **state)
{
    struct fixture *fx = *state;
    json_t *m = mention_list(), *note, *inboxes;
    struct fed_post_input in = {.text = "@alice@social.example @bob@other.example "
                                        "@me@social.city.example",
                                .mentions = m};

    /* alice's server already gets it for a follower there: its shared inbox once */
    add_follower(fx, "https://social.example/users/zed", "https://social.example/users/zed/inbox",
                 "https://social.example/inbox");
    json_array_append_new(m, json_pack("{s:s,s:s,s:s,s:s,s:s}", "acct", "me@social.city.example",
                                       "href", BASE "/users/me", "inbox", "", "shared_inbox", "",
                                       "url", BASE "/@me"));
    note = publish(fx, &in, NULL);
    inboxes = queued(fx);
    /* the follower's shared inbox, then bob's own inbox; our own account: nothing */
    assert_int_equal(json_array_size(inboxes), 2);
    assert_true(in_array(inboxes, "https://social.example/inbox"));
    assert_true(in_array(inboxes, BOB "/inbox"));
    assert_non_null(tag_of(note, "Mention", 2));
    json_decref(inboxes);
    json_decref(note);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hashtags_are_found_as_mastodon_finds_them),
        cmocka_unit_test(mentions_are_user_at_host_outside_links_and_addresses),
        cmocka_unit_test(tag_names_are_lower_cased_by_unicode_case),
        cmocka_unit_test(content_links_tags_and_resolved_mentions_in_mastodons_markup),
        cmocka_unit_test_setup_teardown(
            the_note_carries_hashtags_mentions_cc_and_content_map_and_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(no_language_no_content_map_and_no_tags_no_tag, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_edit_follows_its_new_text_and_mentions, setup, teardown),
        cmocka_unit_test_setup_teardown(each_mentioned_inbox_gets_one_job_beside_the_followers,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
