/* agency/drafts.c - drafts, revisions and four-eyes approval (see agency.h for the rules).
 * A draft is one JSON record; its history (every transition, every revision's text) is a
 * second table keyed by draft id and sequence, so "show" can tell the whole story. */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct op {
    struct store *st;
    struct fed *fed;
    const char *by, *id, *account, *comment;
    const char *rev;         /* approve, reject: the revision the approver read */
    const struct agency_draft_input *in;
    bool submit;
    struct fed_post *post;   /* prepared outside the transaction */
    char prepared_rev[65];   /* the revision POST was built from */
    struct agency_draft_result *res;
    struct hr_err *err;
    bool frozen; /* release refused: the account is frozen (the scheduler keeps it waiting) */
    /* new, edit: the revision's mentions, attachments and poll (prepare_extras), owned */
    json_t *mentions, *attachments, *poll;
    char account_buf[32]; /* edit: the draft's account, read before the transaction */
    char language[36];    /* new, edit: the revision's language (agency_draft_language) */
    const char *visibility; /* an edit of a published post: that post's (check_audience) */
    char edits[512];        /* draft edit of an edit draft: the post it changes */
    const char *case_id;    /* new: the case it answers (issue #12), or NULL */
    bool case_ack;          /* ... or acknowledges */
    bool approving;         /* approve: a release now is the approvers' (draft.approved) */
};

static const char *str(const json_t *d, const char *k);
static enum agency_draft_state state_of(const json_t *d);

/* One field of the revision encoding: "NAME-LEN:NAME VALUE-LEN:VALUE", so no value can
 * run into the next (the v1 form joined fields with newlines, and a content warning with
 * a newline could collide with another cw/text split). */
static void rev_field(struct hr_buf *b, const char *name, const char *value)
{
    hr_buf_addf(b, "%zu:%s%zu:", strlen(name), name, strlen(value));
    hr_buf_add(b, value, strlen(value));
}

/* A count field, then per attachment, in order, its media type, alt text and the SHA-256
 * of its bytes: an approver approves the exact images. */
static void rev_attachments(struct hr_buf *b, const json_t *list)
{
    char n[24];
    const json_t *a;
    size_t i;

    snprintf(n, sizeof n, "%zu", json_array_size(list));
    rev_field(b, "attachments", n);
    json_array_foreach(list, i, a) {
        rev_field(b, "media_type", str(a, "media_type"));
        rev_field(b, "alt", str(a, "alt"));
        rev_field(b, "sha256", str(a, "sha256"));
    }
}

/* NAME with V's RFC 8785 canonical form, when V is present. */
static void rev_json_field(struct hr_buf *b, const char *name, const json_t *v)
{
    char *c = NULL;
    size_t n = 0;

    if (v == NULL || json_is_null(v))
        return;
    if (keys_jcs(v, &c, &n, NULL) != HR_OK) { /* cannot happen for what set_revision stores */
        rev_field(b, name, "?");
        return;
    }
    rev_field(b, name, c);
    free(c);
}

/* SHA-256 over a length-prefixed encoding of everything that decides what is published. */
static void rev_hash(const json_t *d, char out[65])
{
    static const char *const fields[] = {"account", "kind",     "target",   "quote",
                                         "reply_to", "cw",      "text",     "language",
                                         "visibility"};
    struct hr_buf b;
    char at[32];

    hr_buf_init(&b, 1u << 21);
    hr_buf_addf(&b, "herald-draft-v2\n");
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        rev_field(&b, fields[i], str(d, fields[i]));
    snprintf(at, sizeof at, "%lld", (long long)json_integer_value(json_object_get(d, "at")));
    rev_field(&b, "at", at);
    rev_attachments(&b, json_object_get(d, "attachments"));
    /* present only when the revision has them, so earlier v2 hashes stay what they were */
    rev_json_field(&b, "mentions", json_object_get(d, "mentions"));
    rev_json_field(&b, "poll", json_object_get(d, "poll"));
    keys_sha256_hex(b.data ? b.data : "", b.len, out);
    hr_buf_fini(&b);
}

static const char *str(const json_t *d, const char *k)
{
    const char *s = json_string_value(json_object_get(d, k));
    return s ? s : "";
}

static unsigned approvals_of(const json_t *d)
{
    const json_t *a, *list = json_object_get(d, "approvals");
    unsigned n = 0;
    size_t i;

    json_array_foreach(list, i, a) n += strcmp(str(a, "rev_sha256"), str(d, "rev_sha256")) == 0;
    return n;
}

static void fill_result(const json_t *d, unsigned required, struct agency_draft_result *res)
{
    if (res == NULL)
        return;
    snprintf(res->id, sizeof res->id, "%s", str(d, "id"));
    res->code = (int)state_of(d);
    snprintf(res->state, sizeof res->state, "%s", agency_draft_state_name(state_of(d)));
    snprintf(res->published_id, sizeof res->published_id, "%s", str(d, "published_id"));
    res->approvals = approvals_of(d);
    res->required = required;
}

/* Appends a history event (and the audit entry) for draft D. */
static int history(struct store_txn *txn, struct op *o, const json_t *d, const char *action)
{
    char target[128];
    uint64_t seq;
    json_t *ev;
    int rc = store_seq_next(txn, &seq, o->err);

    if (rc != HR_OK)
        return rc;
    ev = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s}", "time", (json_int_t)hr_now_ms(), "operator",
                   o->by, "action", action, "comment", o->comment ? o->comment : "", "rev",
                   json_integer_value(json_object_get(d, "rev")), "rev_sha256",
                   str(d, "rev_sha256"));
    if (ev != NULL && (strcmp(action, "draft.create") == 0 || strcmp(action, "draft.edit") == 0))
        json_object_set(ev, "text", json_object_get(d, "text"));
    {
        char *v = ev ? json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        rc = v ? store_draft_log_add(txn, str(d, "id"), seq, v, strlen(v), o->err)
               : hr_fail(o->err, HR_ENOMEM, "history");
        free(v);
    }
    json_decref(ev);
    snprintf(target, sizeof target, "%s/%s", str(d, "account"), str(d, "id"));
    if (rc == HR_OK) /* webhooks, and the case a published answer belongs to (issue #12) */
        rc = agency_draft_event(txn, action, d, o->err);
    return rc == HR_OK ? agency_audit(txn, o->by, action, target, str(d, "rev_sha256"), o->err)
                       : rc;
}

static int save(struct store_txn *txn, struct op *o, json_t *d)
{
    json_object_set_new(d, "updated", json_integer(hr_now_ms()));
    return agency_rec_put_json(txn, STORE_T_DRAFTS, str(d, "id"), d, 0, o->err);
}

static const char *const state_names[] = {
    [AGENCY_DRAFT_DRAFT] = "draft",         [AGENCY_DRAFT_SUBMITTED] = "submitted",
    [AGENCY_DRAFT_APPROVED] = "approved",   [AGENCY_DRAFT_PUBLISHED] = "published",
    [AGENCY_DRAFT_REJECTED] = "rejected",   [AGENCY_DRAFT_WITHDRAWN] = "withdrawn",
    [AGENCY_DRAFT_FAILED] = "failed",
};
static const char *const kind_names[] = {"post", "edit", "delete", "boost"};
#define STATE(x) (1u << AGENCY_DRAFT_##x)

const char *agency_draft_state_name(enum agency_draft_state s)
{
    return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

static int name_index(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

/* The draft's state; only called on decoded drafts, whose state draft_decode checked. */
static enum agency_draft_state state_of(const json_t *d)
{
    int i = name_index(state_names, sizeof state_names / sizeof state_names[0], str(d, "state"));

    return i < 0 ? AGENCY_DRAFT_FAILED : (enum agency_draft_state)i;
}

static void set_state(json_t *d, enum agency_draft_state s)
{
    json_object_set_new(d, "state", json_string(state_names[s]));
}

/* The v1 form (fields joined by newlines), only to recognise what a stored v1 hash named. */
static void rev_hash_v1(const json_t *d, char out[65])
{
    struct hr_buf b;

    hr_buf_init(&b, 1u << 21);
    hr_buf_addf(&b, "herald-draft-v1\n%s\n%s\n%s\n%s\n%lld\n%s\n%s\n%s", str(d, "account"),
                str(d, "kind"), str(d, "target"), str(d, "quote"),
                (long long)json_integer_value(json_object_get(d, "at")), str(d, "reply_to"),
                str(d, "cw"), str(d, "text"));
    keys_sha256_hex(b.data ? b.data : "", b.len, out);
    hr_buf_fini(&b);
}

/* Drafts stored before the v2 revision encoding: the hash is recomputed from their fields
 * (language and visibility get today's only values). Approvals that named the old hash
 * move to the new one when that old hash is the v1 hash of these very fields (same words:
 * the approval stands); otherwise they are void. The record is written in v2 at its next
 * change; nothing is rewritten on read. */
static void migrate(json_t *d)
{
    char old[65], v1[65], h[65];
    json_t *a;
    size_t i;

    if (json_integer_value(json_object_get(d, "hash_v")) == 2)
        return;
    rev_hash_v1(d, v1);
    if (!json_is_string(json_object_get(d, "language")))
        json_object_set_new(d, "language", json_string(AGENCY_LANGUAGE_DEFAULT));
    if (!json_is_string(json_object_get(d, "visibility")))
        json_object_set_new(d, "visibility", json_string("public"));
    snprintf(old, sizeof old, "%s", str(d, "rev_sha256"));
    rev_hash(d, h);
    json_array_foreach(json_object_get(d, "approvals"), i, a) if (
        strcmp(old, v1) == 0 && strcmp(str(a, "rev_sha256"), old) == 0)
        json_object_set_new(a, "rev_sha256", json_string(h));
    json_object_set_new(d, "rev_sha256", json_string(h));
    json_object_set_new(d, "hash_v", json_integer(2));
}

/* The one place a stored draft is decoded: parsed, its state and kind checked, brought to
 * the current revision encoding. HR_EIO for a corrupt record. */
static int draft_decode(const char *v, size_t len, json_t **out, struct hr_err *err)
{
    json_t *d = json_loadb(v, len, JSON_REJECT_DUPLICATES, NULL);
    size_t ns = sizeof state_names / sizeof state_names[0];

    if (!json_is_object(d) || !json_is_string(json_object_get(d, "id")) ||
        !json_is_string(json_object_get(d, "account")) ||
        name_index(state_names, ns, str(d, "state")) < 0 ||
        name_index(kind_names, 4, str(d, "kind")) < 0) {
        json_decref(d);
        return hr_fail(err, HR_EIO, "a stored draft is corrupt");
    }
    if (!json_is_array(json_object_get(d, "approvals")))
        json_object_set_new(d, "approvals", json_array());
    migrate(d);
    *out = d;
    return HR_OK;
}

static void typed_of(const json_t *d, struct agency_draft *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", str(d, "id"));
    snprintf(t->account, sizeof t->account, "%s", str(d, "account"));
    snprintf(t->author, sizeof t->author, "%s", str(d, "author"));
    snprintf(t->rev_sha256, sizeof t->rev_sha256, "%s", str(d, "rev_sha256"));
    t->state = state_of(d);
    t->kind = (enum agency_draft_kind)name_index(kind_names, 4, str(d, "kind"));
    t->rev = (unsigned)json_integer_value(json_object_get(d, "rev"));
    t->at_ms = json_integer_value(json_object_get(d, "at"));
}

static int load(struct store_txn *txn, struct op *o, json_t **d)
{
    char *v = NULL;
    size_t len = 0;
    int rc;

    if (o->id == NULL || o->id[0] == '\0' || strlen(o->id) > 40)
        return hr_fail(o->err, HR_ENOTFOUND, "no such draft");
    rc = store_rec_get(txn, STORE_T_DRAFTS, o->id, strlen(o->id), &v, &len, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(o->err, HR_ENOTFOUND, "no draft %.40s", o->id);
    if (rc == HR_OK)
        rc = draft_decode(v, len, d, o->err);
    else
        rc = hr_fail(o->err, rc, "draft %.40s", o->id);
    free(v);
    if (rc == HR_OK)
        o->account = str(*d, "account");
    return rc;
}

static void unschedule(struct store_txn *txn, const json_t *d)
{
    int64_t at = json_integer_value(json_object_get(d, "at"));

    if (at > 0)
        store_schedule_del(txn, at, str(d, "id"), NULL);
}

/* Who may: the authorization table (agency/authz.c), on the draft's account. */
static int need_role(struct store_txn *txn, struct op *o, enum agency_action action)
{
    return agency_may_txn(txn, o->by, action, o->account ? o->account : "", NULL, o->err);
}

/* ALLOWED: a mask of STATE(...). */
static int need_state(struct op *o, const json_t *d, unsigned allowed)
{
    if (allowed & (1u << state_of(d)))
        return HR_OK;
    return hr_fail(o->err, HR_EEXIST, "draft %s is %s", str(d, "id"), str(d, "state"));
}

/* Language (a BCP 47 tag's characters) and visibility (federation/visibility.c). */
static int check_meta(const struct agency_draft_input *in, struct hr_err *err)
{
    enum fed_visibility v;

    if (in->language != NULL && !agency_language_valid(in->language))
        return hr_fail(err, HR_EINVAL, "language: a BCP 47 tag such as en or de-CH");
    if (in->visibility != NULL && fed_visibility_parse(in->visibility, &v) != HR_OK)
        return hr_fail(err, HR_EINVAL, "visibility: public, unlisted, followers or direct");
    return HR_OK;
}

static int check_input(const struct agency_draft_input *in, struct hr_err *err)
{
    size_t n = in->text ? strlen(in->text) : 0;
    const char *target = in->replaces ? in->replaces : in->deletes ? in->deletes : in->boosts;

    if (check_meta(in, err) != HR_OK)
        return HR_EINVAL;
    if ((in->replaces != NULL) + (in->deletes != NULL) + (in->boosts != NULL) > 1)
        return hr_fail(err, HR_EINVAL, "a draft replaces, deletes or boosts one post");
    if (in->quote != NULL && in->quote[0] != '\0' &&
        (strlen(in->quote) > 400 || strncmp(in->quote, "http", 4) != 0))
        return hr_fail(err, HR_EINVAL, "a quote must be the http(s) URL of a post");
    if (target != NULL && (strlen(target) > 400 || strncmp(target, "http", 4) != 0))
        return hr_fail(err, HR_EINVAL, "the post must be given by its http(s) URL");
    if ((in->deletes != NULL || in->boosts != NULL) && n == 0)
        return HR_OK; /* a deletion or a boost has no text */
    if (n == 0 || n > 100000 || !hr_utf8_valid(in->text, n))
        return hr_fail(err, HR_EINVAL, "text must be 1 to 100000 bytes of UTF-8");
    if (in->cw != NULL && (strlen(in->cw) > 500 || !hr_utf8_valid(in->cw, strlen(in->cw))))
        return hr_fail(err, HR_EINVAL, "content warning: at most 500 bytes of UTF-8");
    if (in->reply_to != NULL && in->reply_to[0] != '\0' &&
        (strlen(in->reply_to) > 400 || (strncmp(in->reply_to, "https://", 8) != 0 &&
                                        strncmp(in->reply_to, "http://", 7) != 0)))
        return hr_fail(err, HR_EINVAL, "reply-to must be an http(s) URL");
    if (in->at_ms < 0 || (in->at_ms > 0 && in->at_ms < hr_now_ms() - 60000))
        return hr_fail(err, HR_EINVAL, "the publish time is in the past");
    return HR_OK;
}

/* Everyone who wrote a revision: none of them may approve the draft (four eyes means two
 * people other than whoever wrote the words that go out). */
static void add_contributor(json_t *d, const char *by)
{
    json_t *list = json_object_get(d, "contributors"), *v;
    size_t i;

    if (!json_is_array(list))
        json_object_set_new(d, "contributors", list = json_array());
    json_array_foreach(list, i, v) if (json_is_string(v) && strcmp(json_string_value(v), by) == 0)
        return;
    json_array_append_new(list, json_string(by));
}

static bool contributed(const json_t *d, const char *by)
{
    const json_t *v;
    size_t i;

    if (strcmp(str(d, "author"), by) == 0)
        return true;
    json_array_foreach(json_object_get(d, "contributors"), i, v) if (
        json_is_string(v) && strcmp(json_string_value(v), by) == 0) return true;
    return false;
}

static void set_extra(json_t *d, const char *key, json_t *v)
{
    if (v != NULL)
        json_object_set(d, key, v);
    else
        json_object_del(d, key);
}

/* The revision fields of D from IN and O's extras, with a new revision number and hash. */
static void set_revision(json_t *d, const struct agency_draft_input *in, const struct op *o)
{
    char h[65];

    set_extra(d, "mentions", o->mentions);
    set_extra(d, "attachments", o->attachments);
    set_extra(d, "poll", o->poll);
    json_object_set_new(d, "text", json_string(in->text ? in->text : ""));
    json_object_set_new(d, "cw", json_string(in->cw ? in->cw : ""));
    json_object_set_new(d, "reply_to", json_string(in->reply_to ? in->reply_to : ""));
    json_object_set_new(d, "quote", json_string(in->quote ? in->quote : ""));
    json_object_set_new(d, "at", json_integer(in->at_ms));
    json_object_set_new(d, "language",
                        json_string(in->language      ? in->language
                                    : o->language[0] ? o->language
                                                     : AGENCY_LANGUAGE_DEFAULT));
    json_object_set_new(d, "visibility", json_string(o->visibility  ? o->visibility
                                                     : in->visibility ? in->visibility
                                                                      : "public"));
    json_object_set_new(d, "hash_v", json_integer(2));
    json_object_set_new(d, "rev", json_integer(json_integer_value(json_object_get(d, "rev")) + 1));
    json_object_set_new(d, "approvals", json_array()); /* bound to the old hash: void */
    rev_hash(d, h);
    json_object_set_new(d, "rev_sha256", json_string(h));
}

/* Prepares what draft D's current revision publishes (Create, Update or Delete), before
 * a write transaction. */
static int prepare(struct op *o, const json_t *d)
{
    struct fed_post_input in = {.text = str(d, "text"), .cw = str(d, "cw"),
                                .reply_to = str(d, "reply_to"), .quote = str(d, "quote"),
                                .language = str(d, "language"),
                                .visibility = str(d, "visibility"),
                                .mentions = json_object_get(d, "mentions"),
                                .attachments = json_object_get(d, "attachments"),
                                .poll = json_object_get(d, "poll")};
    const char *kind = str(d, "kind"), *account = str(d, "account");

    fed_post_free(o->post);
    o->post = NULL;
    snprintf(o->prepared_rev, sizeof o->prepared_rev, "%s", str(d, "rev_sha256"));
    if (strcmp(kind, "edit") == 0)
        return fed_post_prepare_update(o->fed, account, str(d, "target"), &in, &o->post, o->err);
    if (strcmp(kind, "delete") == 0)
        return fed_post_prepare_delete(o->fed, account, str(d, "target"), &o->post, o->err);
    if (strcmp(kind, "boost") == 0)
        return fed_post_prepare_announce(o->fed, account, str(d, "target"), &o->post, o->err);
    return fed_post_prepare(o->fed, account, &in, &o->post, o->err);
}

/* Approved: publish now (in this transaction) or put it on the schedule. */
static int release(struct store_txn *txn, struct op *o, json_t *d)
{
    int64_t at = json_integer_value(json_object_get(d, "at"));
    int rc;

    set_state(d, AGENCY_DRAFT_APPROVED);
    /* webhooks hear draft.approved once, when the last approval needed is given (the
     * history keeps each approval); a draft that needed none was never approved */
    rc = o->approving ? agency_draft_event(txn, "draft.release", d, o->err) : HR_OK;
    if (rc != HR_OK)
        return rc;
    /* a frozen account's timed draft waits off the schedule until the freeze is lifted */
    if (at > hr_now_ms())
        return agency_frozen_refuse(txn, str(d, "account"), NULL) != HR_OK
                   ? HR_OK
                   : store_schedule_put(txn, at, str(d, "id"), o->err);
    if (o->post == NULL || strcmp(o->prepared_rev, str(d, "rev_sha256")) != 0)
        return hr_fail(o->err, HR_EEXIST, "draft changed while it was approved: try again");
    if (agency_frozen_refuse(txn, str(d, "account"), o->err) != HR_OK) {
        o->frozen = true; /* agency/security.c: a suspected hijack publishes nothing */
        return HR_EFORBIDDEN;
    }
    unschedule(txn, d);
    if (fed_post_commit(txn, o->post, o->err) != HR_OK)
        return o->err ? o->err->code : HR_EIO;
    set_state(d, AGENCY_DRAFT_PUBLISHED);
    json_object_set_new(d, "published_id", json_string(fed_post_id(o->post)));
    json_object_set_new(d, "published_at", json_integer(hr_now_ms()));
    return history(txn, o, d, "post.publish");
}

/* Releases D when it has the approvals its account needs. */
static int maybe_release(struct store_txn *txn, struct op *o, json_t *d, unsigned *required)
{
    int rc = agency_approvals_required(txn, str(d, "account"), required, o->err);

    if (rc == HR_OK && approvals_of(d) >= *required)
        rc = release(txn, o, d);
    return rc;
}

/* ---- transitions, each one write transaction ---- */

/* Loads draft o->id, checks that o->by holds ROLE on its account and that its state is one of
 * OK: the prologue of every transition on an existing draft. */
static int open_draft(struct store_txn *txn, struct op *o, json_t **dp,
                      enum agency_action action, unsigned ok)
{
    int rc = load(txn, o, dp);

    if (rc == HR_OK)
        rc = need_role(txn, o, action);
    if (rc == HR_OK)
        rc = need_state(o, *dp, ok);
    return rc;
}

/* A new draft ID of O's account, before its first revision. */
static json_t *skeleton(const struct op *o, const char *id)
{
    const struct agency_draft_input *in = o->in;
    const char *target = in->replaces ? in->replaces
                         : in->deletes ? in->deletes
                         : in->boosts  ? in->boosts
                                       : "";
    const char *kind = in->replaces ? "edit"
                       : in->deletes ? "delete"
                       : in->boosts  ? "boost"
                                     : "post";

    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s}", "id", id, "account", o->account,
                     "kind", kind, "target", target, "author", o->by, "state", "draft",
                     "created", (json_int_t)hr_now_ms(), "rev", (json_int_t)0, "published_id",
                     "");
}

/* Issue #10, visibility: a direct post needs someone to go to (its mentions, resolved
 * just before); an edit keeps the visibility its post was published with, as in Mastodon
 * (the draft says so, for its approvers); a followers-only or direct post of ours cannot
 * be boosted (Mastodon refuses to reblog them). */
static int check_audience(struct op *o)
{
    const struct agency_draft_input *in = o->in;
    const char *replaces = in->replaces ? in->replaces : o->edits[0] ? o->edits : NULL;
    enum fed_visibility v;

    if (in->boosts != NULL)
        return o->fed != NULL ? fed_boost_check(o->fed, in->boosts, o->err) : HR_OK;
    if (replaces != NULL && o->fed != NULL &&
        fed_post_visibility(o->fed, replaces, &v) == HR_OK) {
        o->visibility = fed_visibility_name(v);
        if (in->visibility != NULL && strcmp(in->visibility, o->visibility) != 0)
            return hr_fail(o->err, HR_EINVAL, "an edit keeps the post's visibility (%s)",
                           o->visibility);
        return HR_OK;
    }
    if (replaces == NULL && in->visibility != NULL && strcmp(in->visibility, "direct") == 0 &&
        json_array_size(o->mentions) == 0)
        return hr_fail(o->err, HR_EINVAL, "a direct post needs at least one @user@host mention");
    return HR_OK;
}

/* Issue #10: what the revision needs from outside the store (mentions resolved, images
 * stored, the poll checked), before the write transaction. */
static int prepare_extras(struct op *o)
{
    int rc = agency_draft_mentions(o->st, o->fed, o->account, o->in, &o->mentions, o->err);

    if (rc == HR_OK)
        rc = agency_draft_language(o->st, o->fed, o->account, o->in, o->language,
                                   sizeof o->language, o->err);
    if (rc == HR_OK)
        rc = agency_draft_images(o->st, o->fed, o->account, o->in, &o->attachments, o->err);
    if (rc == HR_OK)
        rc = agency_draft_poll(o->in, &o->poll, o->err);
    if (rc == HR_OK)
        rc = check_audience(o);
    return rc;
}

static void op_fini(struct op *o)
{
    fed_post_free(o->post);
    o->post = NULL;
    json_decref(o->mentions);
    json_decref(o->attachments);
    json_decref(o->poll);
    o->mentions = o->attachments = o->poll = NULL;
}

static int apply_new(struct store_txn *txn, struct op *o, json_t **dp)
{
    char id[32];
    uint64_t seq;
    unsigned required = 0;
    json_t *d;
    /* a responder answers a case of their department without being its editor */
    int rc = need_role(txn, o, o->case_id && !o->case_ack ? AGENCY_CASE_ANSWER
                                                          : AGENCY_DRAFT_CREATE);

    if (rc == HR_OK)
        rc = store_seq_next(txn, &seq, o->err);
    if (rc != HR_OK)
        return rc;
    snprintf(id, sizeof id, "d%llu", (unsigned long long)seq);
    d = skeleton(o, id);
    if (d == NULL)
        return hr_fail(o->err, HR_ENOMEM, "draft");
    *dp = d;
    if (o->case_id != NULL) { /* before its history: draft.submit finds the case */
        json_object_set_new(d, "case", json_string(o->case_id));
        rc = agency_case_link_draft(txn, o->by, o->case_id, id, o->case_ack, o->err);
        if (rc != HR_OK)
            return rc;
    }
    set_revision(d, o->in, o);
    add_contributor(d, o->by);
    rc = history(txn, o, d, "draft.create");
    if (rc == HR_OK && o->submit) {
        set_state(d, AGENCY_DRAFT_SUBMITTED);
        rc = history(txn, o, d, "draft.submit");
        /* prepared from the input before the transaction: same text, same hash */
        snprintf(o->prepared_rev, sizeof o->prepared_rev, "%s", str(d, "rev_sha256"));
        if (rc == HR_OK)
            rc = maybe_release(txn, o, d, &required);
    }
    fill_result(d, required, o->res);
    return rc == HR_OK ? save(txn, o, d) : rc;
}

static int apply_edit(struct store_txn *txn, struct op *o, json_t **dp)
{
    unsigned ok = STATE(DRAFT) | STATE(SUBMITTED) | STATE(APPROVED) | STATE(REJECTED);
    int rc = open_draft(txn, o, dp, AGENCY_DRAFT_EDIT, ok);

    if (rc != HR_OK)
        return rc;
    unschedule(txn, *dp);
    set_revision(*dp, o->in, o);
    add_contributor(*dp, o->by);
    /* a new revision goes back to the start: approvals were for the old one */
    set_state(*dp, AGENCY_DRAFT_DRAFT);
    rc = history(txn, o, *dp, "draft.edit");
    fill_result(*dp, 0, o->res);
    return rc == HR_OK ? save(txn, o, *dp) : rc;
}

static int apply_submit(struct store_txn *txn, struct op *o, json_t **dp)
{
    unsigned required = 0;
    int rc = open_draft(txn, o, dp, AGENCY_DRAFT_SUBMIT, STATE(DRAFT));

    if (rc != HR_OK)
        return rc;
    set_state(*dp, AGENCY_DRAFT_SUBMITTED);
    rc = history(txn, o, *dp, "draft.submit");
    if (rc == HR_OK)
        rc = maybe_release(txn, o, *dp, &required);
    fill_result(*dp, required, o->res);
    return rc == HR_OK ? save(txn, o, *dp) : rc;
}

static bool approved_by(const json_t *d, const char *op)
{
    const json_t *a;
    size_t i;

    json_array_foreach(json_object_get(d, "approvals"), i, a) if (
        strcmp(str(a, "operator"), op) == 0 &&
        strcmp(str(a, "rev_sha256"), str(d, "rev_sha256")) == 0) return true;
    return false;
}

/* Four eyes: an approver, of the revision they read, not the author, not twice for the same
 * revision. The revision is checked before the state: an edit after the approver read the
 * draft also sends it back to "draft", and the approver must hear that the text changed. */
static int check_approver(struct store_txn *txn, struct op *o, const json_t *d,
                          enum agency_action action)
{
    int rc = need_role(txn, o, action);

    if (rc == HR_OK && strcmp(o->rev, str(d, "rev_sha256")) != 0)
        rc = hr_fail(o->err, HR_ESTALE,
                     "draft %s changed since you read it: it is now revision %lld (%.12s...); "
                     "read it again (herald draft show %s) and decide on that text",
                     str(d, "id"), (long long)json_integer_value(json_object_get(d, "rev")),
                     str(d, "rev_sha256"), str(d, "id"));
    if (rc == HR_OK)
        rc = need_state(o, d, STATE(SUBMITTED));
    if (rc == HR_OK && contributed(d, o->by))
        rc = hr_fail(o->err, HR_EFORBIDDEN, "%s wrote (part of) this draft and cannot approve it",
                     o->by);
    if (rc == HR_OK && approved_by(d, o->by))
        rc = hr_fail(o->err, HR_EEXIST, "%s already approved this revision", o->by);
    return rc;
}

static int apply_approve(struct store_txn *txn, struct op *o, json_t **dp)
{
    unsigned required = 0;
    json_t *a;
    int rc = load(txn, o, dp);

    if (rc == HR_OK)
        rc = check_approver(txn, o, *dp, AGENCY_DRAFT_APPROVE);
    if (rc != HR_OK)
        return rc;
    a = json_pack("{s:s,s:s,s:s,s:I}", "operator", o->by, "rev_sha256", str(*dp, "rev_sha256"),
                  "comment", o->comment ? o->comment : "", "time", (json_int_t)hr_now_ms());
    if (a == NULL || json_array_append_new(json_object_get(*dp, "approvals"), a) != 0)
        return hr_fail(o->err, HR_ENOMEM, "approval");
    rc = history(txn, o, *dp, "draft.approve");
    o->approving = true;
    if (rc == HR_OK)
        rc = maybe_release(txn, o, *dp, &required);
    fill_result(*dp, required, o->res);
    return rc == HR_OK ? save(txn, o, *dp) : rc;
}

static int apply_reject(struct store_txn *txn, struct op *o, json_t **dp)
{
    int rc = load(txn, o, dp);

    if (rc == HR_OK)
        rc = check_approver(txn, o, *dp, AGENCY_DRAFT_REJECT);
    if (rc == HR_OK && (o->comment == NULL || o->comment[0] == '\0'))
        rc = hr_fail(o->err, HR_EINVAL, "a rejection needs a comment saying why");
    if (rc != HR_OK)
        return rc;
    set_state(*dp, AGENCY_DRAFT_REJECTED);
    rc = history(txn, o, *dp, "draft.reject");
    fill_result(*dp, 0, o->res);
    return rc == HR_OK ? save(txn, o, *dp) : rc;
}

static int apply_withdraw(struct store_txn *txn, struct op *o, json_t **dp)
{
    unsigned ok = STATE(DRAFT) | STATE(SUBMITTED) | STATE(APPROVED) | STATE(REJECTED);
    int rc = open_draft(txn, o, dp, AGENCY_DRAFT_WITHDRAW, ok);

    if (rc != HR_OK)
        return rc;
    unschedule(txn, *dp);
    set_state(*dp, AGENCY_DRAFT_WITHDRAWN);
    rc = history(txn, o, *dp, "draft.withdraw");
    fill_result(*dp, 0, o->res);
    return rc == HR_OK ? save(txn, o, *dp) : rc;
}

/* Draft o->id as it is now, read in a read transaction (no locks held). */
static int read_draft(struct op *o, json_t **d)
{
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(o->st, STORE_READ, &txn, o->err);

    if (rc == HR_OK)
        rc = load(txn, o, d);
    store_txn_abort(txn);
    return rc;
}

/* Prepares the post of the draft's current revision, before the write transaction. */
static int prepare_existing(struct op *o)
{
    json_t *d = NULL;
    int rc = read_draft(o, &d);

    if (rc == HR_OK)
        rc = prepare(o, d);
    json_decref(d);
    return rc;
}

static int run(struct op *o, int (*apply)(struct store_txn *txn, struct op *o, json_t **d))
{
    struct store_txn *txn = NULL;
    json_t *d = NULL;
    int rc = store_txn_begin(o->st, STORE_WRITE, &txn, o->err);

    if (rc == HR_OK)
        rc = apply(txn, o, &d);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, o->err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc == HR_OK && o->fed != NULL && d != NULL && state_of(d) == AGENCY_DRAFT_PUBLISHED)
        fed_wake(o->fed);
    json_decref(d);
    fed_post_free(o->post);
    o->post = NULL;
    return rc;
}

static int draft_new(struct op *op);

int agency_draft_new(struct store *st, struct fed *fed, const char *by, const char *account,
                     const struct agency_draft_input *in, bool submit,
                     struct agency_draft_result *res, struct hr_err *err)
{
    struct op o = {.st = st, .fed = fed, .by = by, .account = account, .in = in,
                   .submit = submit, .res = res, .err = err};

    return draft_new(&o);
}

int agency_draft_new_for_case(struct store *st, struct fed *fed, const char *by,
                              const char *account, const struct agency_draft_input *in,
                              bool submit, const char *case_id, bool ack,
                              struct agency_draft_result *res, struct hr_err *err)
{
    struct op o = {.st = st, .fed = fed, .by = by, .account = account, .in = in,
                   .submit = submit, .res = res, .err = err, .case_id = case_id,
                   .case_ack = ack};

    return draft_new(&o);
}

static int draft_new(struct op *op)
{
    struct op o = *op;
    const char *account = o.account;
    const struct agency_draft_input *in = o.in;
    bool submit = o.submit;
    struct hr_err *err = o.err;
    json_t *d = NULL;
    int rc = check_input(in, err);

    if (rc == HR_OK && !hr_name_valid(account))
        rc = hr_fail(err, HR_EINVAL, "bad account name");
    if (rc == HR_OK)
        rc = prepare_extras(&o);
    /* submitted at once: the post is prepared from the very revision apply_new stores */
    if (rc == HR_OK && submit && o.fed != NULL) {
        d = skeleton(&o, "");
        if (d == NULL)
            rc = hr_fail(err, HR_ENOMEM, "draft");
        else {
            set_revision(d, in, &o);
            rc = prepare(&o, d);
        }
    }
    json_decref(d);
    if (rc == HR_OK)
        rc = run(&o, apply_new);
    op_fini(&o);
    return rc;
}

/* The account of draft o->id (its rights are checked again in the transaction). */
static int read_account(struct op *o)
{
    json_t *d = NULL;
    int rc = read_draft(o, &d);

    if (rc == HR_OK)
        snprintf(o->account_buf, sizeof o->account_buf, "%s", str(d, "account"));
    if (rc == HR_OK && strcmp(str(d, "kind"), "edit") == 0) /* its post's visibility holds */
        snprintf(o->edits, sizeof o->edits, "%s", str(d, "target"));
    o->account = rc == HR_OK ? o->account_buf : NULL;
    json_decref(d);
    return rc;
}

int agency_draft_edit(struct store *st, struct fed *fed, const char *by, const char *id,
                      const struct agency_draft_input *in, struct agency_draft_result *res,
                      struct hr_err *err)
{
    struct op o = {.st = st, .fed = fed, .by = by, .id = id, .in = in, .res = res, .err = err};
    int rc = check_input(in, err);

    if (rc == HR_OK)
        rc = read_account(&o);
    if (rc == HR_OK)
        rc = prepare_extras(&o);
    if (rc == HR_OK)
        rc = run(&o, apply_edit);
    op_fini(&o);
    return rc;
}

int agency_draft_submit(struct store *st, struct fed *fed, const char *by, const char *id,
                        struct agency_draft_result *res, struct hr_err *err)
{
    struct op o = {.st = st, .fed = fed, .by = by, .id = id, .res = res, .err = err};
    int rc = prepare_existing(&o);

    return rc == HR_OK ? run(&o, apply_submit) : rc;
}

/* Approve and reject name the revision the approver read (agency.h). */
static int check_decision(const char *rev, const char *comment, struct hr_err *err)
{
    if (rev == NULL || strlen(rev) != 64 || strspn(rev, "0123456789abcdef") != 64)
        return hr_fail(err, HR_EINVAL,
                       "the revision you approve or reject is required: its 64-hex-digit "
                       "rev_sha256, as draft show prints it");
    if (comment && strlen(comment) > 1000)
        return hr_fail(err, HR_EINVAL, "comment: at most 1000 bytes");
    return HR_OK;
}

int agency_draft_approve(struct store *st, struct fed *fed, const char *by, const char *id,
                         const char *rev, const char *comment, struct agency_draft_result *res,
                         struct hr_err *err)
{
    struct op o = {.st = st, .fed = fed, .by = by, .id = id, .rev = rev, .comment = comment,
                   .res = res, .err = err};
    int rc = check_decision(rev, comment, err);

    if (rc == HR_OK)
        rc = prepare_existing(&o);
    return rc == HR_OK ? run(&o, apply_approve) : rc;
}

int agency_draft_reject(struct store *st, const char *by, const char *id, const char *rev,
                        const char *comment, struct agency_draft_result *res,
                        struct hr_err *err)
{
    struct op o = {.st = st, .by = by, .id = id, .rev = rev, .comment = comment, .res = res,
                   .err = err};
    int rc = check_decision(rev, comment, err);

    return rc == HR_OK ? run(&o, apply_reject) : rc;
}

int agency_draft_withdraw(struct store *st, const char *by, const char *id,
                          struct agency_draft_result *res, struct hr_err *err)
{
    struct op o = {.st = st, .by = by, .id = id, .res = res, .err = err};

    return run(&o, apply_withdraw);
}

/* ---- one dispatcher for every face ---- */

static const char *const verb_names[] = {
    [AGENCY_VERB_NEW] = "new",         [AGENCY_VERB_EDIT] = "edit",
    [AGENCY_VERB_SUBMIT] = "submit",   [AGENCY_VERB_APPROVE] = "approve",
    [AGENCY_VERB_REJECT] = "reject",   [AGENCY_VERB_WITHDRAW] = "withdraw",
};

int agency_draft_verb_parse(const char *name, enum agency_draft_verb *out)
{
    int i = name ? name_index(verb_names, sizeof verb_names / sizeof verb_names[0], name) : -1;

    if (i < 0)
        return HR_ENOTFOUND;
    *out = (enum agency_draft_verb)i;
    return HR_OK;
}

int agency_draft_verb(struct store *st, struct fed *fed, const char *by,
                      const struct agency_draft_request *rq, struct agency_draft_result *res,
                      struct hr_err *err)
{
    switch (rq->verb) {
    case AGENCY_VERB_NEW:
        return agency_draft_new(st, fed, by, rq->account, &rq->in, rq->submit, res, err);
    case AGENCY_VERB_EDIT:
        return agency_draft_edit(st, fed, by, rq->id, &rq->in, res, err);
    case AGENCY_VERB_SUBMIT:
        return agency_draft_submit(st, fed, by, rq->id, res, err);
    case AGENCY_VERB_APPROVE:
        return agency_draft_approve(st, fed, by, rq->id, rq->rev, rq->comment, res, err);
    case AGENCY_VERB_REJECT:
        return agency_draft_reject(st, by, rq->id, rq->rev, rq->comment, res, err);
    case AGENCY_VERB_WITHDRAW:
        return agency_draft_withdraw(st, by, rq->id, res, err);
    }
    return hr_fail(err, HR_EINVAL, "unknown draft verb");
}

/* ---- reading ---- */

static int history_cb(const char *v, size_t vlen, void *ctx)
{
    json_t *ev = json_loadb(v, vlen, 0, NULL);

    if (ev == NULL)
        return HR_EIO;
    json_array_append_new(ctx, ev);
    return HR_OK;
}

/* Loads draft ID for reading by BY (the draft.read row of the table, on its account). */
static int load_readable(struct store_txn *txn, struct op *o, json_t **d)
{
    int rc = load(txn, o, d);

    if (rc == HR_OK)
        rc = agency_may_txn(txn, o->by, AGENCY_DRAFT_READ, o->account, NULL, o->err);
    return rc;
}

int agency_draft_get(struct store *st, const char *by, const char *id, struct agency_draft *out,
                     struct hr_err *err)
{
    struct op o = {.st = st, .by = by, .id = id, .err = err};
    struct store_txn *txn = NULL;
    json_t *d = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = load_readable(txn, &o, &d);
    if (rc == HR_OK)
        typed_of(d, out);
    store_txn_abort(txn);
    json_decref(d);
    return rc;
}

int agency_draft_show(struct store *st, const char *by, const char *id, char **json,
                      struct hr_err *err)
{
    struct op o = {.st = st, .by = by, .id = id, .err = err};
    struct store_txn *txn = NULL;
    json_t *d = NULL, *hist = json_array();
    unsigned required = 0;
    int rc = hist ? store_txn_begin(st, STORE_READ, &txn, err) : HR_ENOMEM;

    if (rc == HR_OK)
        rc = load_readable(txn, &o, &d);
    if (rc == HR_OK) {
        rc = store_draft_log_each(txn, id, history_cb, hist, err);
        agency_approvals_required(txn, str(d, "account"), &required, NULL);
    }
    store_txn_abort(txn);
    if (rc == HR_OK) {
        json_object_set_new(d, "approvals_required", json_integer(required));
        json_object_set_new(d, "approvals_valid", json_integer(approvals_of(d)));
        json_object_set(d, "history", hist);
        *json = json_dumps(d, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (*json == NULL)
            rc = hr_fail(err, HR_ENOMEM, "draft");
    }
    json_decref(hist);
    json_decref(d);
    return rc;
}

struct list_walk {
    const char *account, *state;
    json_t *arr;
};

static int list_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct list_walk *w = ctx;
    json_t *d = NULL;

    (void)k;
    (void)klen;
    if (draft_decode(v, vlen, &d, NULL) != HR_OK)
        return HR_EIO;
    if ((w->account == NULL || strcmp(str(d, "account"), w->account) == 0) &&
        (w->state == NULL || strcmp(str(d, "state"), w->state) == 0)) {
        json_object_del(d, "history");
        json_object_set_new(d, "approvals_valid", json_integer(approvals_of(d)));
        json_array_append(w->arr, d);
    }
    json_decref(d);
    return HR_OK;
}

int agency_draft_list(struct store *st, const char *by, const char *account, const char *state,
                      char **json, struct hr_err *err)
{
    struct list_walk w = {.account = account, .state = state, .arr = json_array()};
    struct store_txn *txn = NULL;
    int rc = w.arr ? store_txn_begin(st, STORE_READ, &txn, err) : HR_ENOMEM;

    if (rc == HR_OK) /* no account: every account's drafts, so the role instance-wide */
        rc = agency_may_txn(txn, by, AGENCY_DRAFT_READ, account, NULL, err);
    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_DRAFTS, NULL, 0, false, list_cb, &w, err);
    store_txn_abort(txn);
    if (rc == HR_EIO)
        rc = hr_fail(err, HR_EIO, "a stored draft is corrupt");
    if (rc == HR_OK && (*json = json_dumps(w.arr, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "drafts");
    json_decref(w.arr);
    return rc;
}

/* ---- the scheduler ---- */

struct due_walk {
    int64_t now, next;
    char ids[64][48];
    size_t n;
};

static int due_cb(int64_t at, const char *id, void *ctx)
{
    struct due_walk *w = ctx;

    if (at > w->now) {
        w->next = at;
        return HR_EEXIST; /* ordered by time: the rest is later */
    }
    if (w->n == 64 || strlen(id) >= sizeof w->ids[0])
        return HR_EEXIST;
    snprintf(w->ids[w->n++], sizeof w->ids[0], "%s", id);
    return HR_OK;
}

static int apply_due(struct store_txn *txn, struct op *o, json_t **dp)
{
    int rc = load(txn, o, dp);

    /* edited, withdrawn or already published since it was read: nothing to do */
    if (rc == HR_OK && need_state(o, *dp, STATE(APPROVED)) != HR_OK)
        return HR_OK;
    if (rc == HR_OK && json_integer_value(json_object_get(*dp, "at")) > hr_now_ms())
        return HR_OK;
    if (rc == HR_OK) {
        unschedule(txn, *dp);
        json_object_set_new(*dp, "scheduled_for", json_object_get(*dp, "at"));
        json_incref(json_object_get(*dp, "at"));
        json_object_set_new(*dp, "at", json_integer(0)); /* due: release publishes it now */
        rc = release(txn, o, *dp);
    }
    return rc == HR_OK ? save(txn, o, *dp) : rc;
}

/* A due draft that cannot be published (its target post was deleted meanwhile, say) is
 * marked failed and taken off the schedule, so it does not hold up the drafts after it. */
static int apply_fail(struct store_txn *txn, struct op *o, json_t **dp)
{
    int rc = load(txn, o, dp);

    if (rc != HR_OK)
        return rc;
    unschedule(txn, *dp);
    set_state(*dp, AGENCY_DRAFT_FAILED);
    json_object_set_new(*dp, "error", json_string(o->comment));
    rc = history(txn, o, *dp, "draft.fail");
    return rc == HR_OK ? save(txn, o, *dp) : rc;
}

int agency_scheduler_run(struct store *st, struct fed *fed, int64_t now_ms, size_t *published,
                         int64_t *next_ms, struct hr_err *err)
{
    struct due_walk w = {.now = now_ms, .next = INT64_MAX};
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_schedule_each(txn, due_cb, &w, err);
    store_txn_abort(txn);
    if (rc == HR_EEXIST)
        rc = HR_OK;
    *published = 0;
    for (size_t i = 0; i < w.n && rc == HR_OK; i++) {
        struct hr_err why = {0};
        struct op o = {.st = st, .fed = fed, .by = "(scheduler)", .id = w.ids[i], .err = &why};
        int one = prepare_existing(&o);
        if (one == HR_OK)
            one = run(&o, apply_due);
        if (one == HR_OK) {
            (*published)++;
            continue;
        }
        if (o.frozen) /* stays on the schedule until the freeze is lifted */
            continue;
        hr_log(HR_LOG_WARN, "schedule", "draft %s cannot be published: %s", w.ids[i], why.msg);
        o.comment = why.msg;
        o.err = err;
        rc = run(&o, apply_fail);
    }
    /* a full batch may have more due behind it; one only of held drafts (frozen since
     * they were read) must not spin: their freeze took them off the schedule meanwhile */
    *next_ms = w.n == 64 && *published > 0 ? now_ms : w.n == 64 ? now_ms + 1000 : w.next;
    return rc;
}

/* ---- a frozen account's schedule (agency/security.c) ---- */

struct hold_walk {
    struct store_txn *txn;
    const char *account;
    bool hold;
    struct hr_err *err;
};

static int hold_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct hold_walk *w = ctx;
    json_t *d = NULL;
    int64_t at;
    int rc = HR_OK;

    (void)k;
    (void)klen;
    if (draft_decode(v, vlen, &d, NULL) != HR_OK)
        return HR_OK; /* a corrupt draft is reported where it is read, not here */
    at = json_integer_value(json_object_get(d, "at"));
    if (at > 0 && strcmp(str(d, "account"), w->account) == 0 &&
        strcmp(str(d, "state"), state_names[AGENCY_DRAFT_APPROVED]) == 0) {
        rc = w->hold ? store_schedule_del(w->txn, at, str(d, "id"), NULL)
                     : store_schedule_put(w->txn, at, str(d, "id"), w->err);
        if (rc == HR_ENOTFOUND)
            rc = HR_OK; /* not on the schedule: nothing to hold */
    }
    json_decref(d);
    return rc;
}

int agency_schedule_hold(struct store_txn *txn, const char *account, bool hold,
                         struct hr_err *err)
{
    struct hold_walk w = {.txn = txn, .account = account, .hold = hold, .err = err};

    return store_rec_each(txn, STORE_T_DRAFTS, NULL, 0, false, hold_cb, &w, err);
}
