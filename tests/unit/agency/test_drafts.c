/* tests/unit/agency/test_drafts.c - the draft state machine itself (every transition and
 * every refusal, without the CLI), the revision hash an approval names, and the
 * authorization table the faces share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/agencyfix.h"

#include "agency/agency.h"
#include "federation/fed.h"
#include "keys/keys.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE AGENCYFIX_BASE
#define L AGENCY_LOCAL

/* health (an agency, one approval) and its staff, made once in a template store (the
 * account's RSA key is slow under valgrind) that each test gets a copy of. */
static int fill(struct store *st)
{
    static const struct agencyfix_grant grants[] = {
        {"ed", "editor", "health"},    {"ed2", "editor", "health"},
        {"ap1", "approver", "health"}, {"ap2", "approver", NULL},
        {"both", "editor", "health"},  {"both", "approver", "health"},
        {"aud", "auditor", "health"},  {"resp", "responder", "health"},
        {"adm", "admin", NULL}};
    int rc = agency_account_add(st, L, "health", "agency", NULL, NULL, NULL);

    return rc == HR_OK ? agencyfix_grant_all(st, grants, sizeof grants / sizeof grants[0]) : rc;
}

STORETPL_GROUP("drafts-tpl", fill)

static int setup(void **state)
{
    return agencyfix_setup(state, template_dir, "drafts", NULL);
}

static int teardown(void **state)
{
    return agencyfix_teardown(state);
}

/* A new draft by ed with TEXT (and CW), submitted or not; its id into ID. */
static void new_draft(struct agencyfix *fx, const char *text, const char *cw, bool submit,
                      char id[32])
{
    struct agency_draft_input in = {.text = text, .cw = cw};
    struct agency_draft_result res = {0};

    assert_int_equal(agency_draft_new(fx->st, fx->fed, "ed", "health", &in, submit, &res, NULL),
                     HR_OK);
    assert_string_equal(res.state, submit ? "submitted" : "draft");
    snprintf(id, 32, "%s", res.id);
}

static struct agency_draft get(struct agencyfix *fx, const char *id)
{
    struct agency_draft d;

    assert_int_equal(agency_draft_get(fx->st, L, id, &d, NULL), HR_OK);
    return d;
}

static int approve(struct agencyfix *fx, const char *by, const char *id, const char *rev)
{
    struct agency_draft_result res = {0};
    struct hr_err err = {0};

    return agency_draft_approve(fx->st, fx->fed, by, id, rev, "ok", &res, &err);
}

/* Everything a refused call must leave alone: the draft as shown, the audit log, the store's
 * counts (our objects: a publication would add some). Caller frees. */
static char *snapshot(struct agencyfix *fx, const char *id)
{
    char *show = NULL, *out = malloc(1 << 16);
    struct store_stats s = {0};
    uint64_t n = 0;

    assert_int_equal(agency_draft_show(fx->st, L, id, &show, NULL), HR_OK);
    assert_int_equal(agency_audit_verify(fx->st, &n, NULL), HR_OK);
    assert_int_equal(agency_stats(fx->st, L, &s, NULL), HR_OK);
    snprintf(out, 1 << 16, "%s|%llu|%llu|%llu", show, (unsigned long long)n,
             (unsigned long long)s.objects, (unsigned long long)s.deliveries);
    free(show);
    return out;
}

static void assert_unchanged(struct agencyfix *fx, const char *id, char *before)
{
    char *after = snapshot(fx, id);

    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void a_draft_is_written_submitted_and_published_by_its_last_approval(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_result res = {0};
    char id[32];

    new_draft(fx, "Water main repair", NULL, false, id);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_DRAFT);
    assert_int_equal(get(fx, id).rev, 1);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", id, &res, NULL), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_SUBMITTED);
    assert_int_equal(res.required, 1);
    assert_int_equal(agency_draft_approve(fx->st, fx->fed, "ap1", id, get(fx, id).rev_sha256,
                                          NULL, &res, NULL),
                     HR_OK);
    assert_string_equal(res.state, "published");
    assert_int_equal(strncmp(res.published_id, BASE "/users/health/notes/", 38), 0);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_PUBLISHED);
}

static void every_transition_from_the_wrong_state_is_refused(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "again"};
    struct agency_draft_result res = {0};
    char sub[32], pub[32], wd[32];

    new_draft(fx, "submitted", NULL, true, sub);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", sub, &res, NULL), HR_EEXIST);
    new_draft(fx, "published", NULL, true, pub);
    assert_int_equal(approve(fx, "ap1", pub, get(fx, pub).rev_sha256), HR_OK);
    assert_int_equal(agency_draft_edit(fx->st, NULL, "ed", pub, &in, &res, NULL), HR_EEXIST);
    assert_int_equal(agency_draft_withdraw(fx->st, "ed", pub, &res, NULL), HR_EEXIST);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", pub, &res, NULL), HR_EEXIST);
    assert_int_equal(approve(fx, "ap2", pub, get(fx, pub).rev_sha256), HR_EEXIST);
    new_draft(fx, "withdrawn", NULL, false, wd);
    assert_int_equal(approve(fx, "ap1", wd, get(fx, wd).rev_sha256), HR_EEXIST);
    assert_int_equal(agency_draft_withdraw(fx->st, "ed", wd, &res, NULL), HR_OK);
    assert_int_equal(get(fx, wd).state, AGENCY_DRAFT_WITHDRAWN);
    assert_int_equal(agency_draft_edit(fx->st, NULL, "ed", wd, &in, &res, NULL), HR_EEXIST);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", wd, &res, NULL), HR_EEXIST);
    assert_int_equal(agency_draft_withdraw(fx->st, "ed", wd, &res, NULL), HR_EEXIST);
    assert_int_equal(approve(fx, "ap1", "d999999", get(fx, wd).rev_sha256), HR_ENOTFOUND);
}

static void a_rejection_needs_a_comment_and_an_edit_reopens_the_draft(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "fixed figures"};
    struct agency_draft_result res = {0};
    char id[32], rev[65];

    new_draft(fx, "wrong figures", NULL, true, id);
    snprintf(rev, sizeof rev, "%s", get(fx, id).rev_sha256);
    assert_int_equal(agency_draft_reject(fx->st, "ap1", id, rev, "", &res, NULL), HR_EINVAL);
    assert_int_equal(agency_draft_reject(fx->st, "ap1", id, rev, NULL, &res, NULL), HR_EINVAL);
    assert_int_equal(agency_draft_reject(fx->st, "ap1", id, rev, "wrong", &res, NULL), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_REJECTED);
    assert_int_equal(approve(fx, "ap2", id, rev), HR_EEXIST);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", id, &res, NULL), HR_EEXIST);
    assert_int_equal(agency_draft_edit(fx->st, NULL, "ed2", id, &in, &res, NULL), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_DRAFT);
    assert_int_equal(get(fx, id).rev, 2);
    assert_string_not_equal(get(fx, id).rev_sha256, rev);
}

static void an_edit_of_an_approved_scheduled_draft_voids_it_and_withdraw_ends_it(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "later", .at_ms = hr_now_ms() + 3600000};
    struct agency_draft_result res = {0};
    char id[32];

    assert_int_equal(agency_draft_new(fx->st, fx->fed, "ed", "health", &in, true, &res, NULL),
                     HR_OK);
    snprintf(id, sizeof id, "%s", res.id);
    assert_int_equal(approve(fx, "ap1", id, get(fx, id).rev_sha256), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_APPROVED);
    in.text = "later, corrected";
    assert_int_equal(agency_draft_edit(fx->st, NULL, "ed", id, &in, &res, NULL), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_DRAFT);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", id, &res, NULL), HR_OK);
    assert_int_equal(res.approvals, 0);
    assert_int_equal(approve(fx, "ap1", id, get(fx, id).rev_sha256), HR_OK);
    assert_int_equal(agency_draft_withdraw(fx->st, "ed", id, &res, NULL), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_WITHDRAWN);
}

static void a_submitted_or_rejected_draft_can_be_edited_back_or_withdrawn(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "second thoughts"};
    struct agency_draft_result res = {0};
    char a[32], b[32];

    new_draft(fx, "submitted, then edited", NULL, true, a);
    assert_int_equal(agency_draft_edit(fx->st, NULL, "ed", a, &in, &res, NULL), HR_OK);
    assert_int_equal(get(fx, a).state, AGENCY_DRAFT_DRAFT);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", a, &res, NULL), HR_OK);
    assert_int_equal(agency_draft_withdraw(fx->st, "ed", a, &res, NULL), HR_OK);
    assert_int_equal(get(fx, a).state, AGENCY_DRAFT_WITHDRAWN);
    new_draft(fx, "rejected, then withdrawn", NULL, true, b);
    assert_int_equal(agency_draft_reject(fx->st, "ap1", b, get(fx, b).rev_sha256, "no", &res,
                                         NULL),
                     HR_OK);
    assert_int_equal(agency_draft_withdraw(fx->st, "ed", b, &res, NULL), HR_OK);
    assert_int_equal(get(fx, b).state, AGENCY_DRAFT_WITHDRAWN);
}

/* Runs the scheduler until draft ID is no longer approved (due within a second), polling. */
static void schedule_until_done(struct agencyfix *fx, const char *id)
{
    struct timespec tick = {0, 5000000};
    size_t n = 0;
    int64_t next = 0;

    for (int i = 0; i < 2000 && get(fx, id).state == AGENCY_DRAFT_APPROVED; i++) {
        assert_int_equal(agency_scheduler_run(fx->st, fx->fed, hr_now_ms(), &n, &next, NULL),
                         HR_OK);
        if (get(fx, id).state == AGENCY_DRAFT_APPROVED)
            nanosleep(&tick, NULL);
    }
}

/* The Note draft ID published, from its record. */
static void published_id(struct agencyfix *fx, const char *id, char out[1200])
{
    char *show = NULL;
    json_t *d;

    assert_int_equal(agency_draft_show(fx->st, L, id, &show, NULL), HR_OK);
    d = json_loads(show, 0, NULL);
    assert_non_null(json_string_value(json_object_get(d, "published_id")));
    snprintf(out, 1200, "%s", json_string_value(json_object_get(d, "published_id")));
    json_decref(d);
    free(show);
}

/* How far ahead a scheduled draft is due: never past by its approval (it would be published
 * at once), also under valgrind on a busy machine, where 300 ms was not enough. */
#define LEAD_MS 1500

/* approved -> published by the scheduler, once; approved -> failed when it cannot be. */
static void the_scheduler_publishes_a_due_draft_once_or_marks_it_failed(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "at its time"};
    struct agency_draft_result res = {0};
    struct store_stats before, after;
    size_t n = 0;
    int64_t next = 0;
    char id[32], edit[32], note[1200];

    in.at_ms = hr_now_ms() + LEAD_MS;
    assert_int_equal(agency_draft_new(fx->st, fx->fed, "ed", "health", &in, true, &res, NULL),
                     HR_OK);
    snprintf(id, sizeof id, "%s", res.id);
    assert_int_equal(approve(fx, "ap1", id, get(fx, id).rev_sha256), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_APPROVED);
    schedule_until_done(fx, id);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_PUBLISHED);
    assert_int_equal(agency_stats(fx->st, L, &before, NULL), HR_OK);
    assert_int_equal(agency_scheduler_run(fx->st, fx->fed, hr_now_ms(), &n, &next, NULL), HR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(agency_stats(fx->st, L, &after, NULL), HR_OK);
    assert_int_equal(before.objects, after.objects);
    /* an edit of that post scheduled for later, and the post deleted before it is due */
    published_id(fx, id, note);
    {
        struct agency_draft_input ed = {.text = "corrected", .at_ms = hr_now_ms() + LEAD_MS};
        struct agency_draft_input del = {.deletes = note};
        ed.replaces = note;
        assert_int_equal(
            agency_draft_new(fx->st, fx->fed, "ed", "health", &ed, true, &res, NULL), HR_OK);
        snprintf(edit, sizeof edit, "%s", res.id);
        assert_int_equal(approve(fx, "ap1", edit, get(fx, edit).rev_sha256), HR_OK);
        assert_int_equal(
            agency_draft_new(fx->st, fx->fed, "ed", "health", &del, true, &res, NULL), HR_OK);
        assert_int_equal(approve(fx, "ap1", res.id, get(fx, res.id).rev_sha256), HR_OK);
        assert_int_equal(get(fx, res.id).state, AGENCY_DRAFT_PUBLISHED);
    }
    schedule_until_done(fx, edit);
    assert_int_equal(get(fx, edit).state, AGENCY_DRAFT_FAILED);
}

static bool event_job(const struct store_delivery *d, void *ctx)
{
    json_array_append_new(ctx, json_string(d->activity_id));
    return false;
}

/* The webhook events of TYPE queued so far; the draft state of the last into STATE. */
static size_t events_of(struct agencyfix *fx, const char *type, char state[16])
{
    struct store_txn *txn = NULL;
    json_t *ids = json_array(), *id, *body;
    size_t i, n = 0;
    char *text = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_drop_if(txn, event_job, ids, NULL, NULL), HR_OK);
    json_array_foreach(ids, i, id)
    {
        assert_int_equal(fed_hook_body(txn, json_string_value(id), &text, NULL), HR_OK);
        body = json_loads(text, 0, NULL);
        free(text);
        if (strcmp(json_string_value(json_object_get(body, "type")), type) == 0) {
            n++;
            snprintf(state, 16, "%s",
                     json_string_value(json_object_get(json_object_get(body, "data"), "state")));
        }
        json_decref(body);
    }
    store_txn_abort(txn);
    json_decref(ids);
    return n;
}

/* Also: webhooks hear draft.approved once, when the last approval needed is given, not for
 * each approval (those stay in the history). */
static void only_an_approver_who_wrote_nothing_of_it_approves_and_only_once(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "rewritten by both"};
    struct agency_draft_result res = {0};
    char id[32], rev[65], st[16] = "";
    json_t *hook = NULL;

    assert_int_equal(agency_webhook_add(fx->st, fx->fed, L, "https://webcare.example/hook",
                                        "draft.approved", BASE, &hook, NULL),
                     HR_OK);
    json_decref(hook);
    assert_int_equal(agency_set_approvals(fx->st, L, "health", 2, NULL), HR_OK);
    new_draft(fx, "needs two", NULL, true, id);
    snprintf(rev, sizeof rev, "%s", get(fx, id).rev_sha256);
    assert_int_equal(approve(fx, L, id, rev), HR_EFORBIDDEN);      /* the shell user */
    assert_int_equal(approve(fx, "ed", id, rev), HR_EFORBIDDEN);   /* editor, author */
    assert_int_equal(approve(fx, "aud", id, rev), HR_EFORBIDDEN);  /* reads, never approves */
    assert_int_equal(approve(fx, "adm", id, rev), HR_EFORBIDDEN);  /* admin is not approver */
    assert_int_equal(approve(fx, "nobody", id, rev), HR_EFORBIDDEN);
    assert_int_equal(approve(fx, "ap1", id, rev), HR_OK);
    assert_int_equal(approve(fx, "ap1", id, rev), HR_EEXIST);      /* not twice */
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_SUBMITTED);
    /* both rewrites it: both may approve others' texts, never one they wrote */
    assert_int_equal(agency_draft_edit(fx->st, NULL, "both", id, &in, &res, NULL), HR_OK);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "both", id, &res, NULL), HR_OK);
    assert_int_equal(approve(fx, "both", id, get(fx, id).rev_sha256), HR_EFORBIDDEN);
    assert_int_equal(agency_draft_reject(fx->st, "both", id, get(fx, id).rev_sha256, "no", &res,
                                         NULL),
                     HR_EFORBIDDEN);
    assert_int_equal(approve(fx, "ap1", id, get(fx, id).rev_sha256), HR_OK);
    assert_int_equal(events_of(fx, "draft.approved", st), 0); /* one of two, twice */
    assert_int_equal(approve(fx, "ap2", id, get(fx, id).rev_sha256), HR_OK);
    assert_int_equal(get(fx, id).state, AGENCY_DRAFT_PUBLISHED);
    assert_int_equal(events_of(fx, "draft.approved", st), 1);
    assert_string_equal(st, "approved");
}

static void only_editors_write_submit_and_withdraw(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "x"};
    struct agency_draft_result res = {0};
    static const char *const not_editors[] = {"ap1", "ap2", "aud", "resp", "adm", "nobody"};
    char id[32];

    new_draft(fx, "by ed", NULL, false, id);
    for (size_t i = 0; i < sizeof not_editors / sizeof not_editors[0]; i++) {
        const char *by = not_editors[i];
        char *before = snapshot(fx, id);
        assert_int_equal(agency_draft_new(fx->st, fx->fed, by, "health", &in, true, &res, NULL),
                         HR_EFORBIDDEN);
        assert_int_equal(agency_draft_edit(fx->st, NULL, by, id, &in, &res, NULL), HR_EFORBIDDEN);
        assert_int_equal(agency_draft_submit(fx->st, fx->fed, by, id, &res, NULL), HR_EFORBIDDEN);
        assert_int_equal(agency_draft_withdraw(fx->st, by, id, &res, NULL), HR_EFORBIDDEN);
        assert_unchanged(fx, id, before);
    }
    assert_int_equal(agency_draft_edit(fx->st, NULL, L, id, &in, &res, NULL), HR_OK); /* shell user */
}

/* The review's sequence: the approver reads revision 1, the author edits and resubmits,
 * the approval naming revision 1 is refused and changes nothing. */
static void an_edit_between_read_and_approve_is_refused_and_changes_nothing(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "Roads open at 6 (swapped after the read)"};
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    char id[32], read[65], *before;

    new_draft(fx, "Roads open at 8", NULL, true, id);
    snprintf(read, sizeof read, "%s", get(fx, id).rev_sha256);   /* the approver reads */
    assert_int_equal(agency_draft_edit(fx->st, NULL, "ed", id, &in, &res, NULL), HR_OK);
    assert_int_equal(agency_draft_submit(fx->st, fx->fed, "ed", id, &res, NULL), HR_OK);
    before = snapshot(fx, id);
    assert_int_equal(agency_draft_approve(fx->st, fx->fed, "ap1", id, read, "ok", &res, &err),
                     HR_ESTALE);
    assert_non_null(strstr(err.msg, "changed since you read it"));
    assert_int_equal(agency_draft_reject(fx->st, "ap1", id, read, "no", &res, &err), HR_ESTALE);
    assert_unchanged(fx, id, before);
    /* the same for a draft edited and not yet resubmitted: still "the text changed" */
    assert_int_equal(agency_draft_edit(fx->st, NULL, "ed", id, &in, &res, NULL), HR_OK);
    assert_int_equal(approve(fx, "ap1", id, read), HR_ESTALE);
    /* no revision, or not a hash: invalid, nothing changed */
    before = snapshot(fx, id);
    assert_int_equal(approve(fx, "ap1", id, NULL), HR_EINVAL);
    assert_int_equal(approve(fx, "ap1", id, "abc"), HR_EINVAL);
    assert_unchanged(fx, id, before);
}

/* The v1 form: fields joined by newlines. */
static void v1_hash(const char *cw, const char *text, char out[65])
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "herald-draft-v1\nhealth\npost\n\n\n0\n\n%s\n%s", cw, text);

    keys_sha256_hex(buf, (size_t)n, out);
}

static void cw_text_splits_that_collided_in_v1_hash_differently(void **state)
{
    struct agencyfix *fx = *state;
    char a[32], b[32], va[65], vb[65];

    v1_hash("Flood\nwarning", "Stay home", va);
    v1_hash("Flood", "warning\nStay home", vb);
    assert_string_equal(va, vb); /* the collision the review found */
    new_draft(fx, "Stay home", "Flood\nwarning", false, a);
    new_draft(fx, "warning\nStay home", "Flood", false, b);
    assert_string_not_equal(get(fx, a).rev_sha256, get(fx, b).rev_sha256);
}

static void every_field_that_decides_what_is_published_is_in_the_hash(void **state)
{
    struct agencyfix *fx = *state;
    const struct agency_draft_input base = {.text = "t"};
    struct agency_draft_input v[6];
    struct agency_draft_result res = {0};
    char hashes[7][65];

    for (size_t i = 0; i < 6; i++)
        v[i] = base;
    v[0].cw = "cw";
    v[1].reply_to = "https://peer.example/notes/1";
    v[2].quote = "https://peer.example/notes/2";
    v[3].at_ms = hr_now_ms() + 3600000;
    v[4].language = "en";
    v[5].replaces = BASE "/users/health/notes/1";
    assert_int_equal(agency_draft_new(fx->st, NULL, "ed", "health", &base, false, &res, NULL),
                     HR_OK);
    snprintf(hashes[6], 65, "%s", get(fx, res.id).rev_sha256);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(agency_draft_new(fx->st, NULL, "ed", "health", &v[i], false, &res, NULL),
                         HR_OK);
        snprintf(hashes[i], 65, "%s", get(fx, res.id).rev_sha256);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(hashes[i], hashes[j]);
        assert_string_not_equal(hashes[i], hashes[6]);
    }
    v[0].visibility = "followers"; /* the same draft to another audience: another hash */
    assert_int_equal(agency_draft_new(fx->st, NULL, "ed", "health", &v[0], false, &res, NULL),
                     HR_OK);
    assert_string_not_equal(get(fx, res.id).rev_sha256, hashes[0]);
    v[0].visibility = "private"; /* Mastodon's API name, not ours */
    assert_int_equal(agency_draft_new(fx->st, NULL, "ed", "health", &v[0], false, &res, NULL),
                     HR_EINVAL);
    v[0].visibility = "direct"; /* nobody mentioned: nobody to send it to */
    assert_int_equal(agency_draft_new(fx->st, NULL, "ed", "health", &v[0], false, &res, NULL),
                     HR_EINVAL);
    v[0].visibility = NULL;
    v[0].language = "en;drop";
    assert_int_equal(agency_draft_new(fx->st, NULL, "ed", "health", &v[0], false, &res, NULL),
                     HR_EINVAL);
}

/* A draft stored by an older Herald (v1 hash, no language or visibility, an approval bound
 * to the v1 hash) reads with the v2 hash, and the approval given to it still counts. */
static void a_draft_stored_before_v2_is_read_with_the_new_hash_and_keeps_its_approval(
    void **state)
{
    struct agencyfix *fx = *state;
    struct store_txn *txn = NULL;
    char v1[65], rec[1024], *show = NULL;
    int n;

    assert_int_equal(agency_set_approvals(fx->st, L, "health", 2, NULL), HR_OK);
    v1_hash("", "old text", v1);
    n = snprintf(rec, sizeof rec,
                 "{\"account\":\"health\",\"approvals\":[{\"comment\":\"\",\"operator\":\"ap1\","
                 "\"rev_sha256\":\"%s\",\"time\":1}],\"at\":0,\"author\":\"ed\","
                 "\"contributors\":[\"ed\"],\"created\":1,\"cw\":\"\",\"id\":\"d900\",\"kind\":"
                 "\"post\",\"published_id\":\"\",\"quote\":\"\",\"reply_to\":\"\",\"rev\":1,"
                 "\"rev_sha256\":\"%s\",\"state\":\"submitted\",\"target\":\"\",\"text\":\"old "
                 "text\"}",
                 v1, v1);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_DRAFTS, "d900", 4, rec, (size_t)n, 0, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_string_not_equal(get(fx, "d900").rev_sha256, v1);
    assert_int_equal(agency_draft_show(fx->st, L, "d900", &show, NULL), HR_OK);
    assert_non_null(strstr(show, "\"approvals_valid\": 1"));
    free(show);
    /* a stored hash that is not the v1 hash of the record's own fields carries no approval */
    n = snprintf(rec, sizeof rec,
                 "{\"account\":\"health\",\"approvals\":[{\"operator\":\"ap1\","
                 "\"rev_sha256\":\"%s\"}],\"author\":\"ed\",\"id\":\"d901\",\"kind\":"
                 "\"post\",\"rev\":1,\"rev_sha256\":\"%s\",\"state\":\"submitted\","
                 "\"text\":\"other text\"}",
                 v1, v1);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_DRAFTS, "d901", 4, rec, (size_t)n, 0, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(agency_draft_show(fx->st, L, "d901", &show, NULL), HR_OK);
    assert_non_null(strstr(show, "\"approvals_valid\": 0"));
    free(show);
    assert_int_equal(approve(fx, "ap2", "d900", v1), HR_ESTALE); /* the old hash is gone */
    assert_int_equal(approve(fx, "ap2", "d900", get(fx, "d900").rev_sha256), HR_OK);
    assert_int_equal(get(fx, "d900").state, AGENCY_DRAFT_PUBLISHED);
}

static void the_verb_dispatcher_serves_every_face_the_same_rules(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_request rq = {.verb = AGENCY_VERB_NEW, .account = "health",
                                      .in = {.text = "via the dispatcher"}, .submit = true};
    struct agency_draft_result res = {0};
    enum agency_draft_verb v;

    assert_int_equal(agency_draft_verb_parse("approve", &v), HR_OK);
    assert_int_equal(v, AGENCY_VERB_APPROVE);
    assert_int_equal(agency_draft_verb_parse("publish", &v), HR_ENOTFOUND);
    assert_int_equal(agency_draft_verb(fx->st, fx->fed, "ed", &rq, &res, NULL), HR_OK);
    rq = (struct agency_draft_request){.verb = AGENCY_VERB_APPROVE, .id = res.id};
    assert_int_equal(agency_draft_verb(fx->st, fx->fed, "ap1", &rq, &res, NULL), HR_EINVAL);
    rq.rev = get(fx, rq.id).rev_sha256;
    assert_int_equal(agency_draft_verb(fx->st, fx->fed, "ap1", &rq, &res, NULL), HR_OK);
    assert_string_equal(res.state, "published");
}

static void reading_drafts_follows_the_table(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft d;
    char id[32], *json = NULL;

    new_draft(fx, "readable", NULL, false, id);
    assert_int_equal(agency_draft_get(fx->st, "aud", id, &d, NULL), HR_OK);
    assert_int_equal(agency_draft_get(fx->st, "ap1", id, &d, NULL), HR_OK);
    assert_int_equal(agency_draft_get(fx->st, "resp", id, &d, NULL), HR_EFORBIDDEN);
    assert_int_equal(agency_draft_get(fx->st, "nobody", id, &d, NULL), HR_EFORBIDDEN);
    assert_int_equal(agency_draft_list(fx->st, "aud", "health", NULL, &json, NULL), HR_OK);
    free(json);
    json = NULL;
    /* all accounts' drafts: only a reader instance-wide (ap2 is an approver everywhere) */
    assert_int_equal(agency_draft_list(fx->st, "aud", NULL, NULL, &json, NULL), HR_EFORBIDDEN);
    assert_int_equal(agency_draft_list(fx->st, "ap2", NULL, NULL, &json, NULL), HR_OK);
    free(json);
}

static void the_table_refuses_self_grants_foreign_tokens_and_lowering_but_not_the_shell(
    void **state)
{
    struct agencyfix *fx = *state;
    struct hr_err err = {0};

    assert_int_equal(agency_may(fx->st, "adm", AGENCY_GRANT, NULL, "ed", &err), HR_OK);
    assert_int_equal(agency_may(fx->st, "adm", AGENCY_GRANT, NULL, "adm", &err), HR_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "cannot grant itself"));
    assert_int_equal(agency_may(fx->st, L, AGENCY_GRANT, NULL, L, NULL), HR_OK);
    assert_int_equal(agency_may(fx->st, "adm", AGENCY_TOKEN_MINT, NULL, "adm", NULL), HR_OK);
    assert_int_equal(agency_may(fx->st, "adm", AGENCY_TOKEN_MINT, NULL, "ed", NULL),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_may(fx->st, L, AGENCY_TOKEN_MINT, NULL, "ed", NULL), HR_OK);
    assert_int_equal(agency_may(fx->st, "adm", AGENCY_SET_APPROVALS, "health", "2", NULL), HR_OK);
    assert_int_equal(agency_may(fx->st, "adm", AGENCY_SET_APPROVALS, "health", "0", NULL),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_may(fx->st, L, AGENCY_SET_APPROVALS, "health", "0", NULL), HR_OK);
    assert_int_equal(agency_may(fx->st, L, AGENCY_DRAFT_APPROVE, "health", NULL, NULL),
                     HR_EFORBIDDEN);
    /* the message names what is missing */
    assert_int_equal(agency_may(fx->st, "ed", AGENCY_TOKEN_LIST, NULL, NULL, &err),
                     HR_EFORBIDDEN);
    assert_string_equal(err.msg, "operator 'ed' does not hold the admin role instance-wide");
    assert_int_equal(agency_may(fx->st, "resp", AGENCY_DRAFT_READ, "health", NULL, &err),
                     HR_EFORBIDDEN);
    assert_string_equal(err.msg, "operator 'resp' does not hold one of the admin, editor, "
                                 "approver, auditor roles on health");
    assert_int_equal(agency_may(fx->st, "resp", AGENCY_FOLLOWERS_READ, "health", NULL, NULL),
                     HR_OK);
    assert_int_equal(agency_may(fx->st, "ghost", AGENCY_STATS_READ, NULL, NULL, NULL),
                     HR_EFORBIDDEN);
    assert_string_equal(agency_action_name(AGENCY_GRANT), "role.grant");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_draft_is_written_submitted_and_published_by_its_last_approval),
        T(every_transition_from_the_wrong_state_is_refused),
        T(a_rejection_needs_a_comment_and_an_edit_reopens_the_draft),
        T(an_edit_of_an_approved_scheduled_draft_voids_it_and_withdraw_ends_it),
        T(a_submitted_or_rejected_draft_can_be_edited_back_or_withdrawn),
        T(the_scheduler_publishes_a_due_draft_once_or_marks_it_failed),
        T(only_an_approver_who_wrote_nothing_of_it_approves_and_only_once),
        T(only_editors_write_submit_and_withdraw),
        T(an_edit_between_read_and_approve_is_refused_and_changes_nothing),
        T(cw_text_splits_that_collided_in_v1_hash_differently),
        T(every_field_that_decides_what_is_published_is_in_the_hash),
        T(a_draft_stored_before_v2_is_read_with_the_new_hash_and_keeps_its_approval),
        T(the_verb_dispatcher_serves_every_face_the_same_rules),
        T(reading_drafts_follows_the_table),
        T(the_table_refuses_self_grants_foreign_tokens_and_lowering_but_not_the_shell),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
