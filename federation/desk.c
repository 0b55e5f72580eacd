/* federation/desk.c - which of our accounts a citizen's Note concerns, handed up to the
 * agency's desk through the hooks server wires (fed_set_desk_hooks): a reply to a post of
 * ours, a mention of an account of ours, a message addressed to one directly, or a
 * follow-up in a thread the desk knows (docs/desk.md). The inbox has verified the signer
 * and that an embedded object is the signer's own before any of this runs. */
#include "federation/fed_int.h"

#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESK_ACCOUNTS_MAX 16 /* accounts one Note may concern: a Note naming more is a list */

void fed_set_desk_hooks(struct fed *fed, const struct fed_desk_hooks *hooks)
{
    fed->desk = hooks ? *hooks : (struct fed_desk_hooks){0};
}

size_t fed_desk_msg_key(const char *id, char *key, size_t cap)
{
    size_t n = id ? strlen(id) : 0;

    if (n == 0 || n > FED_ID_MAX || n + 2 > cap)
        return 0;
    key[0] = 'm';
    key[1] = '\0';
    memcpy(key + 2, id, n);
    return n + 2;
}

int fed_desk_cases_of(struct store_txn *txn, const char *id, char **out)
{
    char key[FED_ID_MAX + 2];
    size_t klen = fed_desk_msg_key(id, key, sizeof key), len = 0;

    *out = NULL;
    if (klen == 0)
        return HR_ENOTFOUND;
    return store_rec_get(txn, STORE_T_CASE_IDX, key, klen, out, &len, NULL);
}

/* ---- text without markup, for keyword routing ---- */

/* Phrasing elements run on inside a word (<b>pot</b>hole); the rest end one. */
static bool inline_tag(GumboTag t)
{
    static const GumboTag tags[] = {GUMBO_TAG_A,    GUMBO_TAG_SPAN,   GUMBO_TAG_B,
                                    GUMBO_TAG_I,    GUMBO_TAG_EM,     GUMBO_TAG_STRONG,
                                    GUMBO_TAG_U,    GUMBO_TAG_S,      GUMBO_TAG_DEL,
                                    GUMBO_TAG_CODE, GUMBO_TAG_SMALL,  GUMBO_TAG_SUB,
                                    GUMBO_TAG_SUP,  GUMBO_TAG_MARK,   GUMBO_TAG_INS};

    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (tags[i] == t)
            return true;
    return false;
}

static void text_walk(const GumboNode *n, struct hr_buf *out, size_t depth)
{
    const GumboVector *kids;

    if (depth > 64 || out->err != HR_OK)
        return;
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
        hr_buf_add(out, n->v.text.text, strlen(n->v.text.text));
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT || n->v.element.tag == GUMBO_TAG_SCRIPT ||
        n->v.element.tag == GUMBO_TAG_STYLE)
        return;
    kids = &n->v.element.children;
    for (unsigned i = 0; i < kids->length; i++)
        text_walk(kids->data[i], out, depth + 1);
    if (!inline_tag(n->v.element.tag))
        hr_buf_add(out, " ", 1); /* <p>a</p><p>b</p> is two words, not "ab" */
}

void fed_html_text(const char *html, size_t len, struct hr_buf *out)
{
    GumboOptions opt = kGumboDefaultOptions;
    GumboOutput *tree;

    if (html == NULL || len == 0)
        return;
    opt.max_errors = 0;
    tree = gumbo_parse_with_options(&opt, html, len < (64u << 10) ? len : (64u << 10));
    if (tree == NULL)
        return;
    if (tree->root != NULL)
        text_walk(tree->root, out, 0);
    gumbo_destroy_output(&opt, tree);
}

/* ---- who the Note concerns ---- */

struct concern {
    char account[32];
    char dept[32]; /* a follow-up: the department of its case (it answered from there) */
    enum fed_desk_why why;
    char *thread; /* owned */
};

struct found {
    struct concern c[DESK_ACCOUNTS_MAX];
    size_t n;
};

static void found_fini(struct found *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->c[i].thread);
}

/* Adds ACCOUNT once: the first reason found for an account is the one it keeps. A Note
 * that follows up a case and also replies to or names the case's department (whose answer
 * it replies to) is that case's, not a new one of the department. */
static int add(struct found *f, const char *account, enum fed_desk_why why, const char *thread,
               const char *dept)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->c[i].account, account) == 0 ||
            (f->c[i].why == FED_DESK_FOLLOWUP && strcmp(f->c[i].dept, account) == 0))
            return HR_OK;
    if (f->n == DESK_ACCOUNTS_MAX)
        return HR_OK;
    snprintf(f->c[f->n].account, sizeof f->c[f->n].account, "%s", account);
    snprintf(f->c[f->n].dept, sizeof f->c[f->n].dept, "%s", dept ? dept : "");
    f->c[f->n].why = why;
    f->c[f->n].thread = strdup(thread);
    if (f->c[f->n].thread == NULL)
        return HR_ENOMEM;
    f->n++;
    return HR_OK;
}

/* Our account's name when URL is its actor id and the account exists. */
static bool local_account(struct fed *fed, struct store_txn *txn, const char *url,
                          char name[32])
{
    struct store_account a = {0};
    char prefix[600];
    size_t n;
    bool ok;

    snprintf(prefix, sizeof prefix, "%s/users/", fed->base_url);
    n = strlen(prefix);
    if (url == NULL || strncmp(url, prefix, n) != 0 || strlen(url + n) >= 32 ||
        !hr_name_valid(url + n))
        return false;
    ok = store_account_get(txn, url + n, &a, NULL) == HR_OK;
    store_account_fini(&a);
    if (ok)
        snprintf(name, 32, "%s", url + n);
    return ok;
}

/* The cases (space-separated ids, 'm' index) that know message ID: each one's account
 * concerned, as a follow-up in that case's thread. */
static int followups(struct store_txn *txn, const char *id, struct found *f)
{
    char *ids = NULL, *save = NULL;
    int rc = HR_OK;

    if (fed_desk_cases_of(txn, id, &ids) != HR_OK)
        return HR_OK;
    for (char *c = strtok_r(ids, " ", &save); c != NULL && rc == HR_OK;
         c = strtok_r(NULL, " ", &save)) {
        char *v = NULL;
        size_t len = 0;
        json_t *cs = NULL;
        if (store_rec_get(txn, STORE_T_CASES, c, strlen(c), &v, &len, NULL) == HR_OK)
            cs = json_loadb(v, len, 0, NULL);
        const char *account = json_string_value(json_object_get(cs, "account"));
        const char *thread = json_string_value(json_object_get(cs, "thread"));
        const char *dept = json_string_value(json_object_get(cs, "department"));
        if (account != NULL && thread != NULL)
            rc = add(f, account, FED_DESK_FOLLOWUP, thread, dept);
        json_decref(cs);
        free(v);
    }
    free(ids);
    return rc;
}

/* A live post of ours that IN_REPLY_TO names: its account, the post as the thread. */
static int reply_to_ours(struct store_txn *txn, const char *in_reply_to, struct found *f)
{
    struct store_object o = {0};
    int rc = HR_OK;

    if (store_object_get(txn, in_reply_to, &o, NULL) != HR_OK)
        return HR_OK;
    if (strcmp(o.type, "Note") == 0 && o.account[0] != '\0') {
        json_t *j = NULL;
        if (fed_own_note_get(txn, in_reply_to, &j) == HR_OK)
            rc = add(f, o.account, FED_DESK_REPLY, in_reply_to, NULL);
        json_decref(j);
    }
    store_object_fini(&o);
    return rc;
}

/* The actor a to/cc entry (a string) or a tag (a Mention object) names, or NULL. */
static const char *named(const json_t *v, bool tag)
{
    const char *t = json_string_value(json_object_get(v, "type"));

    if (!tag)
        return json_string_value(v);
    return t != NULL && strcmp(t, "Mention") == 0 ? json_string_value(json_object_get(v, "href"))
                                                  : NULL;
}

/* Our actors in the Mention tags and in to/cc (each a single value or an array). */
static int addressed(struct fed *fed, struct store_txn *txn, const json_t *obj,
                     enum fed_desk_why why, const char *thread, struct found *f)
{
    static const char *const lists[] = {"tag", "to", "cc"};
    char name[32];
    int rc = HR_OK;

    for (size_t l = 0; l < sizeof lists / sizeof lists[0] && rc == HR_OK; l++) {
        const json_t *list = json_object_get(obj, lists[l]), *v;
        size_t i, n = json_is_array(list) ? json_array_size(list) : 1;
        for (i = 0; i < n && rc == HR_OK; i++) {
            v = json_is_array(list) ? json_array_get(list, i) : list;
            if (local_account(fed, txn, named(v, l == 0), name))
                rc = add(f, name, why, thread, NULL);
        }
    }
    return rc;
}

/* The Note's own conversation key: context, else conversation (Mastodon), else its id. */
static const char *own_thread(const json_t *obj, const char *id)
{
    static const char *const keys[] = {"context", "conversation"};

    for (size_t i = 0; i < 2; i++) {
        const char *t = fed_json_id(json_object_get(obj, keys[i]));
        if (t != NULL && t[0] != '\0' && strlen(t) <= FED_ID_MAX)
            return t;
    }
    return id;
}

static int find(struct fed *fed, struct store_txn *txn, const json_t *obj, const char *id,
                const char *in_reply_to, enum fed_visibility vis, struct found *f)
{
    int rc = HR_OK;

    /* an edit of a message a case holds stays with that case, whatever it now names */
    if (rc == HR_OK)
        rc = followups(txn, id, f);
    if (rc == HR_OK && in_reply_to != NULL)
        rc = followups(txn, in_reply_to, f);
    if (rc == HR_OK && in_reply_to != NULL)
        rc = reply_to_ours(txn, in_reply_to, f);
    if (rc == HR_OK)
        rc = addressed(fed, txn, obj,
                       vis == FED_VIS_DIRECT ? FED_DESK_DIRECT : FED_DESK_MENTION,
                       own_thread(obj, id), f);
    return rc;
}

static int hand_up(struct fed *fed, struct store_txn *txn, struct fed_desk_note *n,
                   const struct found *f, struct hr_err *err)
{
    int rc = HR_OK;

    for (size_t i = 0; i < f->n && rc == HR_OK; i++) {
        n->account = f->c[i].account;
        n->why = f->c[i].why;
        n->thread = f->c[i].thread;
        rc = fed->desk.note(fed->desk.ctx, txn, n, err);
    }
    return rc;
}

static int on_note(struct fed *fed, struct store_txn *txn, const char *type, const json_t *obj,
                   const char *actor, struct hr_err *err)
{
    const char *t = json_string_value(json_object_get(obj, "type"));
    const char *id = json_string_value(json_object_get(obj, "id"));
    const char *irt = fed_json_id(json_object_get(obj, "inReplyTo"));
    struct fed_desk_note n = {.type = type, .actor = actor, .id = id, .object = obj,
                              .received_ms = hr_clock_ms()};
    struct found f = {0};
    int rc;

    if (t == NULL || strcmp(t, "Note") != 0 || id == NULL || strlen(id) > FED_ID_MAX)
        return HR_OK;
    if (irt != NULL && strlen(irt) > FED_ID_MAX)
        irt = NULL;
    n.in_reply_to = irt;
    n.visibility = fed_note_visibility(obj);
    rc = find(fed, txn, obj, id, irt, n.visibility, &f);
    if (rc == HR_ENOMEM)
        rc = hr_fail(err, HR_ENOMEM, "desk");
    if (rc == HR_OK)
        rc = hand_up(fed, txn, &n, &f, err);
    found_fini(&f);
    return rc;
}

int fed_desk_inbound(struct fed *fed, struct store_txn *txn, const json_t *act,
                     const char *actor, struct hr_err *err)
{
    const char *type = json_string_value(json_object_get(act, "type"));
    const json_t *obj = json_object_get(act, "object");
    const char *id = fed_json_id(obj);

    /* our own actors never open cases: the desk is for what citizens write */
    if (fed->desk.note == NULL || type == NULL || actor == NULL || fed_is_local(fed, actor))
        return HR_OK;
    if (strcmp(type, "Delete") == 0) {
        struct fed_desk_note n = {.type = "Delete", .actor = actor, .id = id, .account = "",
                                  .received_ms = hr_clock_ms()};
        /* a Delete of the actor itself is an account going away, not a message */
        if (id == NULL || strcmp(id, actor) == 0 || strlen(id) > FED_ID_MAX)
            return HR_OK;
        return fed->desk.note(fed->desk.ctx, txn, &n, err);
    }
    if ((strcmp(type, "Create") == 0 || strcmp(type, "Update") == 0) && json_is_object(obj))
        return on_note(fed, txn, type, obj, actor, err);
    return HR_OK;
}
