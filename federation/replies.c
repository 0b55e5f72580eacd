/* federation/replies.c - what we keep of a citizen's reply to one of our posts, so that the
 * post's page can show it where the account allows (agency profile key `replies`).
 *
 * Kept as received but bounded: content is HTML that only ever reaches a page through
 * fed_sanitize_html, and a remote server's strings are cut to sizes that fit a page.
 * The reply's own addressing decides whether it may ever be shown publicly: a reply sent
 * to its author's followers, or directly to us, is kept for the count only, without its
 * words (docs/storage.md "Citizens' replies"). */
#include "federation/fed_int.h"

#include <string.h>

#define REPLY_CONTENT_MAX (64u << 10) /* the HTML of one reply; Mastodon allows 500 chars */
#define REPLY_SUMMARY_MAX 1024        /* a content warning */
#define REPLY_SHORT_MAX   64          /* published, language tag */

/* The first MAX bytes of S at most, cut at a UTF-8 character boundary. */
static json_t *cut(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    return json_stringn(s, n);
}

static int set_cut(json_t *rec, const char *key, const char *s, size_t max)
{
    return s == NULL ? 0 : json_object_set_new(rec, key, cut(s, max));
}

/* BCP 47 shape only (RFC 5646 §2.1: letters, digits, '-'); it goes into a lang attribute. */
static bool lang_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 35 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

/* The content and its language: contentMap's first entry with a valid tag, else content. */
static int set_content(json_t *rec, const json_t *obj)
{
    const json_t *map = json_object_get(obj, "contentMap"), *v;
    const char *lang, *content = json_string_value(json_object_get(obj, "content"));

    json_object_foreach((json_t *)(uintptr_t)map, lang, v)
    {
        if (json_is_string(v) && lang_ok(lang)) {
            if (content == NULL)
                content = json_string_value(v);
            if (json_object_set_new(rec, "language", json_string(lang)) != 0)
                return -1;
            break;
        }
    }
    return set_cut(rec, "content", content ? content : "", REPLY_CONTENT_MAX);
}

/* The page to link to: the reply's url when it is one http(s) URL on the author's origin
 * (Mastodon's /@user/ID), else its id. */
static const char *link_of(const json_t *obj, const char *id, const char *actor)
{
    const char *url = json_string_value(json_object_get(obj, "url"));

    if (url != NULL && strlen(url) <= FED_ID_MAX && fed_url_check(url, NULL) == HR_OK &&
        fed_same_origin(url, actor))
        return url;
    return id;
}

static const char *vis_name(enum fed_visibility v)
{
    return v == FED_VIS_PUBLIC ? "public" : v == FED_VIS_UNLISTED ? "unlisted" : "private";
}

json_t *fed_reply_record(const json_t *obj, const char *actor, int64_t ms)
{
    enum fed_visibility vis = fed_note_visibility(obj);
    const char *id = json_string_value(json_object_get(obj, "id"));
    const char *published = json_string_value(json_object_get(obj, "published"));
    const char *summary = json_string_value(json_object_get(obj, "summary"));
    json_t *rec = json_pack("{s:s,s:I,s:s}", "actor", actor, "ms", (json_int_t)ms, "vis",
                            vis_name(vis));
    int bad = rec == NULL || id == NULL;

    /* followers-only and direct replies: counted, never shown, so their words stay out */
    if (bad || (vis != FED_VIS_PUBLIC && vis != FED_VIS_UNLISTED))
        return bad ? (json_decref(rec), NULL) : rec;
    bad |= json_object_set_new(rec, "url", json_string(link_of(obj, id, actor)));
    bad |= set_content(rec, obj);
    bad |= set_cut(rec, "published", published, REPLY_SHORT_MAX);
    bad |= set_cut(rec, "summary", summary, REPLY_SUMMARY_MAX);
    bad |= json_object_set_new(rec, "sensitive",
                               json_boolean(json_is_true(json_object_get(obj, "sensitive"))));
    if (bad) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

json_t *fed_note_words(const json_t *obj)
{
    const char *summary = json_string_value(json_object_get(obj, "summary"));
    json_t *rec = json_object();

    if (rec == NULL || set_content(rec, obj) != 0 ||
        set_cut(rec, "summary", summary, REPLY_SUMMARY_MAX) != 0) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

bool fed_reply_shown(const json_t *rec)
{
    const char *vis = json_string_value(json_object_get(rec, "vis"));

    return vis != NULL && (strcmp(vis, "public") == 0 || strcmp(vis, "unlisted") == 0);
}
