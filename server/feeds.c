/* server/feeds.c - RSS 2.0 and Atom 1.0 (RFC 4287) feeds of our public posts (issue #11
 * item 2): /@NAME.rss|.atom (one account: public and unlisted posts, as its profile page
 * and Mastodon's account RSS show them), /tags/TAG.rss|.atom and /feed.rss|.atom (public
 * posts only, as public timelines). Newest first, FEED_ITEMS items, from fed_web_posts.
 *
 * XML: every text node and attribute goes through xml_text (escaped with the five XML
 * entities only, never an HTML named entity; characters XML 1.0 §2.2 forbids, C1 controls
 * and invalid UTF-8 become U+FFFD; bidi controls too, as on pages). Item bodies are our own
 * generated post HTML, carried escaped (RSS description, Atom content type="html").
 * Dates are in the instance's time zone (config timezone): RFC 822 §5 for RSS, RFC 3339
 * for Atom. The body depends only on stored posts and the request's language, so its ETag
 * (http_reply) is stable and revalidation answers 304. */
#define _GNU_SOURCE /* tm_gmtoff */
#include "server/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define FEED_ITEMS   20
#define FEED_MAX     (4u << 20)
#define FEED_CACHE   "public, max-age=300"
#define FEED_EXCERPT 120 /* bytes of a post's text in an item's title */

struct feed_author {
    char name[32];
    json_t *actor; /* NULL: not one of ours (then the item has no author) */
};

struct feed {
    struct http_req *r;
    struct hr_buf b;
    const char *lang; /* interface language: titles */
    bool atom;
    json_t *actor; /* the account of an account feed (borrowed from authors[0]) */
    json_t *items;
    struct feed_author authors[FEED_ITEMS];
    size_t nauthors;
    char self[700], page[700];
    char *title, *desc;
};

/* ---- XML text ---- */

/* Length of the valid UTF-8 sequence at P (N bytes left), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xe0) == 0xc0 ? 2
                 : (p[0] & 0xf0) == 0xe0 ? 3
                 : (p[0] & 0xf8) == 0xf0 ? 4
                                         : 0;

    return len > 0 && len <= n && hr_utf8_valid((const char *)p, len) ? len : 0;
}

/* Whether the character of LEN bytes at P is one XML may carry and readers show: XML 1.0
 * §2.2 Char without the C0 controls but tab, LF and CR, and without DEL and the C1
 * controls (allowed by XML 1.0 but invisible, and errors to some readers), U+FFFE, U+FFFF
 * (surrogates are not valid UTF-8). */
static bool xml_char_ok(const unsigned char *p, size_t len)
{
    if (len == 1)
        return (p[0] >= 0x20 && p[0] != 0x7f) || p[0] == '\t' || p[0] == '\n' || p[0] == '\r';
    if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)
        return false;
    return !(len == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe);
}

/* S as XML character data or attribute value (always in double quotes): hr_buf_add_html's
 * & < > " ' entities are XML's predefined ones (XML 1.0 §4.6), and it neutralises bidi
 * controls; a character XML cannot carry, or a byte that is not UTF-8, becomes U+FFFD. */
static void xml_text(struct hr_buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0, start = 0, i = 0;

    while (i < n) {
        const unsigned char *p = (const unsigned char *)s + i;
        size_t len = utf8_seq(p, n - i);
        if (len > 0 && xml_char_ok(p, len)) {
            i += len;
            continue;
        }
        hr_buf_add_html(b, s + start, i - start);
        hr_buf_adds(b, "\xef\xbf\xbd");
        i += len > 0 ? len : 1;
        start = i;
    }
    hr_buf_add_html(b, s + start, n - start);
}

/* <TAG>S</TAG> */
static void xml_elem(struct hr_buf *b, const char *tag, const char *s)
{
    hr_buf_addf(b, "<%s>", tag);
    xml_text(b, s);
    hr_buf_addf(b, "</%s>\n", tag);
}

/* ---- dates ---- */

/* MS (Unix ms) in the instance's time zone: RFC 822 §5 ("Sat, 05 Dec 2026 17:31:21 +0000",
 * four-digit year as RSS 2.0 recommends) or RFC 3339 §5.6 ("2026-12-05T17:31:21Z"). */
static void feed_date(int64_t ms, bool atom, char out[48])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    long off, a;
    int hh, mm;

    if (localtime_r(&t, &tm) == NULL || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_wday < 0 ||
        tm.tm_wday > 6) {
        gmtime_r(&t, &tm);
        tm.tm_gmtoff = 0;
    }
    off = tm.tm_gmtoff;
    a = off < 0 ? -off : off;
    hh = (int)(a / 3600 % 24); /* zones are within a day of UTC */
    mm = (int)(a % 3600 / 60);
    if (atom && off == 0)
        snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else if (atom)
        snprintf(out, 48, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
                 hh, mm);
    else
        snprintf(out, 48, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", days[tm.tm_wday],
                 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 off < 0 ? '-' : '+', hh, mm);
}

/* A Note's date KEY ("published", "updated") in Unix ms; 0 when absent or unreadable. */
static int64_t note_ms(const json_t *note, const char *key)
{
    int64_t ms = 0;

    if (hr_iso8601_parse(json_string_value(json_object_get(note, key)), &ms) != HR_OK)
        return 0;
    return ms;
}

static int64_t note_updated_ms(const json_t *note)
{
    int64_t up = note_ms(note, "updated"), pub = note_ms(note, "published");

    return up > pub ? up : pub;
}

/* ---- what an item needs ---- */

/* The language of a post: its contentMap's (one per post, federation/tags.c), or NULL. */
static const char *note_lang(const json_t *note)
{
    const char *k;
    const json_t *v;

    json_object_foreach((json_t *)json_object_get(note, "contentMap"), k, v)
    {
        (void)v;
        return k;
    }
    return NULL;
}

/* The actor of account NAME, read once per feed. */
static json_t *feed_actor(struct feed *f, const char *name)
{
    for (size_t i = 0; i < f->nauthors; i++)
        if (strcmp(f->authors[i].name, name) == 0)
            return f->authors[i].actor;
    if (f->nauthors == FEED_ITEMS)
        return NULL;
    snprintf(f->authors[f->nauthors].name, sizeof f->authors[0].name, "%s", name);
    f->authors[f->nauthors].actor = pages_actor(f->r, name);
    return f->authors[f->nauthors++].actor;
}

/* "Display Name (@name@domain)": a display name never without the canonical handle. */
static void author_text(struct feed *f, const char *name, char *out, size_t cap)
{
    const json_t *actor = feed_actor(f, name);
    const char *dn = json_string_value(json_object_get(actor, "name"));

    if (dn != NULL && dn[0] != '\0')
        snprintf(out, cap, "%s (@%s@%s)", dn, name, f->r->app->cfg.domain);
    else
        snprintf(out, cap, "@%s@%s", name, f->r->app->cfg.domain);
}

/* Bytes of our media file at URL (BASE/media/SHA256.EXT), or -1 when unknown. */
static long long media_size(struct http_req *r, const char *url)
{
    char prefix[600], path[4200];
    const char *name;
    struct stat sb;
    size_t n = (size_t)snprintf(prefix, sizeof prefix, "%s/media/", r->app->cfg.base_url);

    if (url == NULL || n >= sizeof prefix || strncmp(url, prefix, n) != 0)
        return -1;
    name = url + n;
    if (strspn(name, "0123456789abcdef") != 64 || name[64] != '.' || strlen(name) > 69 ||
        strspn(name + 65, "abcdefghijklmnopqrstuvwxyz") != strlen(name + 65))
        return -1;
    snprintf(path, sizeof path, "%s/media/%.2s/%s", r->app->data_dir, name, name);
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return -1;
    return (long long)sb.st_size;
}

/* The I-th image of NOTE that is ours (url under BASE/media/), or NULL. */
static const json_t *note_image(struct http_req *r, const json_t *note, size_t i)
{
    const json_t *a = json_array_get(json_object_get(note, "attachment"), i);
    const char *type = json_string_value(json_object_get(a, "mediaType"));
    const char *url = json_string_value(json_object_get(a, "url"));
    size_t n = strlen(r->app->cfg.base_url);

    if (type == NULL || url == NULL || strncmp(type, "image/", 6) != 0 ||
        strncmp(url, r->app->cfg.base_url, n) != 0 || strncmp(url + n, "/media/", 7) != 0)
        return NULL;
    return a;
}

/* The item's body: our generated post HTML, then its images with their alt text (readers
 * that ignore enclosures still show them). Heap string. */
static char *item_html(struct http_req *r, const json_t *note)
{
    const char *content = json_string_value(json_object_get(note, "content"));
    struct hr_buf b;

    hr_buf_init(&b, 1u << 20);
    if (content != NULL)
        hr_buf_add_markup(&b, content, strlen(content));
    for (size_t i = 0; i < json_array_size(json_object_get(note, "attachment")); i++) {
        const json_t *img = note_image(r, note, i);
        const char *url = json_string_value(json_object_get(img, "url"));
        const char *alt = json_string_value(json_object_get(img, "name"));
        if (img == NULL)
            continue;
        hr_buf_adds(&b, "<p><img src=\"");
        hr_buf_add_html(&b, url, strlen(url));
        hr_buf_adds(&b, "\" alt=\"");
        hr_buf_add_html(&b, alt ? alt : "", alt ? strlen(alt) : 0);
        hr_buf_adds(&b, "\"></p>");
    }
    hr_buf_adds(&b, "");
    return hr_buf_take(&b);
}

struct item {
    const char *id, *lang;
    char name[32], hex[64], link[700], profile[600], author[400];
    char *title, *html;
};

/* false when NOTE is not one of our posts with a page (then it is left out). */
static bool item_init(struct feed *f, const json_t *note, struct item *it)
{
    memset(it, 0, sizeof *it);
    it->id = json_string_value(json_object_get(note, "id"));
    if (!web_note_ids(f->r, it->id, it->name, it->hex))
        return false;
    it->lang = note_lang(note);
    web_post_url(f->r, it->name, it->hex, it->link, sizeof it->link);
    web_profile_url(f->r, it->name, it->profile, sizeof it->profile);
    author_text(f, it->name, it->author, sizeof it->author);
    it->title = web_post_excerpt(note, FEED_EXCERPT);
    it->html = item_html(f->r, note);
    return it->title != NULL && it->html != NULL;
}

static void item_fini(struct item *it)
{
    free(it->title);
    free(it->html);
}

/* The hashtags of NOTE, each as CB(f, name without '#'). */
static void each_hashtag(struct feed *f, const json_t *note,
                         void (*cb)(struct feed *f, const char *name))
{
    const json_t *t;
    size_t i;

    json_array_foreach(json_object_get(note, "tag"), i, t)
    {
        const char *type = json_string_value(json_object_get(t, "type"));
        const char *name = json_string_value(json_object_get(t, "name"));
        if (type == NULL || name == NULL || strcmp(type, "Hashtag") != 0)
            continue;
        cb(f, name[0] == '#' ? name + 1 : name);
    }
}

/* ---- RSS 2.0 (https://www.rssboard.org/rss-specification) ---- */

static void rss_category(struct feed *f, const char *name)
{
    xml_elem(&f->b, "category", name);
}

/* RSS allows one enclosure per item (RSS Advisory Board's profile): the first image; the
 * description carries them all. Its length is required: 0 when unknown, as the board says. */
static void rss_enclosure(struct feed *f, const json_t *note)
{
    for (size_t i = 0; i < json_array_size(json_object_get(note, "attachment")); i++) {
        const json_t *img = note_image(f->r, note, i);
        const char *url = json_string_value(json_object_get(img, "url"));
        long long len;
        if (img == NULL)
            continue;
        len = media_size(f->r, url);
        hr_buf_adds(&f->b, "<enclosure url=\"");
        xml_text(&f->b, url);
        hr_buf_adds(&f->b, "\" type=\"");
        xml_text(&f->b, json_string_value(json_object_get(img, "mediaType")));
        hr_buf_addf(&f->b, "\" length=\"%lld\"/>\n", len < 0 ? 0 : len);
        return;
    }
}

static void rss_item(struct feed *f, const json_t *note)
{
    struct item it;
    char date[48];

    if (item_init(f, note, &it)) {
        hr_buf_adds(&f->b, "<item>\n");
        xml_elem(&f->b, "title", it.title);
        xml_elem(&f->b, "link", it.link);
        hr_buf_adds(&f->b, "<guid isPermaLink=\"false\">");
        xml_text(&f->b, it.id);
        hr_buf_adds(&f->b, "</guid>\n");
        feed_date(note_ms(note, "published"), false, date);
        xml_elem(&f->b, "pubDate", date);
        xml_elem(&f->b, "dc:creator", it.author); /* <author> would have to be an email */
        each_hashtag(f, note, rss_category);
        rss_enclosure(f, note);
        xml_elem(&f->b, "description", it.html);
        hr_buf_adds(&f->b, "</item>\n");
    }
    item_fini(&it);
}

/* The channel's language: the posts' when they all share one, else the interface's. */
static const char *rss_language(struct feed *f)
{
    const char *lang = NULL, *l;
    const json_t *note;
    size_t i;

    json_array_foreach(f->items, i, note)
    {
        l = note_lang(note);
        if (l == NULL || (lang != NULL && strcmp(l, lang) != 0))
            return f->lang;
        lang = l;
    }
    return lang ? lang : f->lang;
}

static void rss_write(struct feed *f, const char *updated, const char *icon)
{
    const json_t *note;
    size_t i;

    hr_buf_adds(&f->b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
                       "xmlns:atom=\"http://www.w3.org/2005/Atom\" "
                       "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    xml_elem(&f->b, "title", f->title);
    xml_elem(&f->b, "link", f->page);
    xml_elem(&f->b, "description", f->desc);
    hr_buf_adds(&f->b, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"");
    xml_text(&f->b, f->self);
    hr_buf_adds(&f->b, "\"/>\n");
    xml_elem(&f->b, "language", rss_language(f));
    xml_elem(&f->b, "lastBuildDate", updated);
    xml_elem(&f->b, "generator", "Herald " HERALD_VERSION);
    if (icon != NULL) { /* image's title and link must be the channel's (RSS 2.0 <image>) */
        hr_buf_adds(&f->b, "<image>\n");
        xml_elem(&f->b, "url", icon);
        xml_elem(&f->b, "title", f->title);
        xml_elem(&f->b, "link", f->page);
        hr_buf_adds(&f->b, "</image>\n");
    }
    json_array_foreach(f->items, i, note) rss_item(f, note);
    hr_buf_adds(&f->b, "</channel>\n</rss>\n");
}

/* ---- Atom (RFC 4287) ---- */

static void atom_category(struct feed *f, const char *name)
{
    char scheme[600];

    snprintf(scheme, sizeof scheme, "%s/tags/", f->r->app->cfg.base_url);
    hr_buf_adds(&f->b, "<category term=\"");
    xml_text(&f->b, name);
    hr_buf_adds(&f->b, "\" scheme=\"");
    xml_text(&f->b, scheme);
    hr_buf_adds(&f->b, "\"/>\n");
}

/* RFC 4287 §4.2.7.2 rel="enclosure", length when known (§4.2.7.6), title: the alt text. */
static void atom_enclosures(struct feed *f, const json_t *note)
{
    for (size_t i = 0; i < json_array_size(json_object_get(note, "attachment")); i++) {
        const json_t *img = note_image(f->r, note, i);
        const char *url = json_string_value(json_object_get(img, "url"));
        const char *alt = json_string_value(json_object_get(img, "name"));
        long long len;
        if (img == NULL)
            continue;
        hr_buf_adds(&f->b, "<link rel=\"enclosure\" type=\"");
        xml_text(&f->b, json_string_value(json_object_get(img, "mediaType")));
        hr_buf_adds(&f->b, "\" href=\"");
        xml_text(&f->b, url);
        if ((len = media_size(f->r, url)) >= 0)
            hr_buf_addf(&f->b, "\" length=\"%lld", len);
        if (alt != NULL && alt[0] != '\0') {
            hr_buf_adds(&f->b, "\" title=\"");
            xml_text(&f->b, alt);
        }
        hr_buf_adds(&f->b, "\"/>\n");
    }
}

static void atom_entry(struct feed *f, const json_t *note)
{
    struct item it;
    char date[48];

    if (item_init(f, note, &it)) {
        hr_buf_adds(&f->b, "<entry");
        if (it.lang != NULL) {
            hr_buf_adds(&f->b, " xml:lang=\"");
            xml_text(&f->b, it.lang);
            hr_buf_adds(&f->b, "\"");
        }
        hr_buf_adds(&f->b, ">\n");
        xml_elem(&f->b, "id", it.id);
        xml_elem(&f->b, "title", it.title);
        hr_buf_adds(&f->b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
        xml_text(&f->b, it.link);
        hr_buf_adds(&f->b, "\"/>\n");
        feed_date(note_ms(note, "published"), true, date);
        xml_elem(&f->b, "published", date);
        feed_date(note_updated_ms(note), true, date);
        xml_elem(&f->b, "updated", date);
        hr_buf_adds(&f->b, "<author>\n");
        xml_elem(&f->b, "name", it.author);
        xml_elem(&f->b, "uri", it.profile);
        hr_buf_adds(&f->b, "</author>\n");
        each_hashtag(f, note, atom_category);
        atom_enclosures(f, note);
        hr_buf_adds(&f->b, "<content type=\"html\">");
        xml_text(&f->b, it.html);
        hr_buf_adds(&f->b, "</content>\n</entry>\n");
    }
    item_fini(&it);
}

static void atom_write(struct feed *f, const char *updated, const char *icon)
{
    const json_t *note;
    size_t i;

    hr_buf_adds(&f->b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    xml_text(&f->b, f->lang);
    hr_buf_adds(&f->b, "\">\n");
    xml_elem(&f->b, "id", f->self); /* the feed's own URL: permanent (RFC 4287 §4.2.6) */
    xml_elem(&f->b, "title", f->title);
    xml_elem(&f->b, "subtitle", f->desc);
    hr_buf_adds(&f->b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
    xml_text(&f->b, f->page);
    hr_buf_adds(&f->b, "\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    xml_text(&f->b, f->self);
    hr_buf_adds(&f->b, "\"/>\n");
    xml_elem(&f->b, "updated", updated);
    hr_buf_adds(&f->b, "<generator version=\"" HERALD_VERSION "\">Herald</generator>\n");
    if (icon != NULL)
        xml_elem(&f->b, "icon", icon);
    json_array_foreach(f->items, i, note) atom_entry(f, note);
    hr_buf_adds(&f->b, "</feed>\n");
}

/* ---- the feed ---- */

/* The account's summary as text (our own HTML, tags stripped), or NULL when empty. */
static char *summary_text(const json_t *actor)
{
    json_t *tmp = json_pack("{s:O?}", "content", json_object_get(actor, "summary"));
    char *s = tmp ? web_post_excerpt(tmp, 500) : NULL;

    json_decref(tmp);
    if (s != NULL && s[0] == '\0') {
        free(s);
        s = NULL;
    }
    return s;
}

/* Title, description and page of the feed. HR_ENOTFOUND: no such account. */
static int feed_names(struct feed *f, const char *account, const char *tag)
{
    const char *domain = f->r->app->cfg.domain, *dn;
    char handle[300], hashtag[140];

    if (account != NULL) {
        if ((f->actor = feed_actor(f, account)) == NULL)
            return HR_ENOTFOUND;
        dn = json_string_value(json_object_get(f->actor, "name"));
        snprintf(handle, sizeof handle, "@%s@%s", account, domain);
        web_profile_url(f->r, account, f->page, sizeof f->page);
        /* TRANSLATORS: an account feed's title: its display name and handle */
        f->title = web_tfs(f->lang, "Posts by {name} ({handle})", "name",
                           dn && dn[0] ? dn : account, "handle", handle, NULL);
        f->desc = summary_text(f->actor);
        if (f->desc == NULL)
            f->desc = web_tfs(f->lang, "Public posts of {handle}", "handle", handle, NULL);
    } else if (tag != NULL) {
        snprintf(hashtag, sizeof hashtag, "#%s", tag);
        snprintf(f->page, sizeof f->page, "%s/tags/%s", f->r->app->cfg.base_url, tag);
        f->title = web_tfs(f->lang, "Posts tagged {tag}", "tag", hashtag, NULL);
        f->desc = web_tfs(f->lang, "Public posts tagged {tag} on {domain}", "tag", hashtag,
                          "domain", domain, NULL);
    } else {
        snprintf(f->page, sizeof f->page, "%s/", f->r->app->cfg.base_url);
        f->title = web_tfs(f->lang, "Posts on {domain}", "domain", domain, NULL);
        f->desc =
            web_tfs(f->lang, "Public posts of every account on {domain}", "domain", domain, NULL);
    }
    return f->title != NULL && f->desc != NULL ? HR_OK : HR_ENOMEM;
}

/* The newest date in the feed: its items' latest edit or publication; the account's
 * creation for an account without posts; 1970 for an empty instance (a date that does not
 * change while nothing does, so that the ETag holds). */
static void feed_updated(struct feed *f, char out[48])
{
    const json_t *note;
    int64_t ms = 0;
    size_t i;

    json_array_foreach(f->items, i, note)
    {
        if (note_updated_ms(note) > ms)
            ms = note_updated_ms(note);
    }
    if (ms == 0 && f->actor != NULL)
        hr_iso8601_parse(json_string_value(json_object_get(f->actor, "published")), &ms);
    feed_date(ms, f->atom, out);
}

static void feed_fini(struct feed *f)
{
    for (size_t i = 0; i < f->nauthors; i++)
        json_decref(f->authors[i].actor);
    json_decref(f->items);
    free(f->title);
    free(f->desc);
    hr_buf_fini(&f->b);
}

static enum MHD_Result feed_reply(struct feed *f)
{
    const char *icon = json_string_value(json_object_get(json_object_get(f->actor, "icon"), "url"));
    char updated[48];

    feed_updated(f, updated);
    if (f->atom)
        atom_write(f, updated, icon);
    else
        rss_write(f, updated, icon);
    if (f->b.err != HR_OK)
        return http_reply_error(f->r, 500, "internal", "feed too large");
    return http_reply(f->r, 200,
                      f->atom ? "application/atom+xml; charset=utf-8"
                              : "application/rss+xml; charset=utf-8",
                      f->b.data, FEED_CACHE);
}

enum MHD_Result feeds_get(struct http_req *r, const char *kind, const char *account,
                          const char *tag)
{
    /* an account's feed is its profile: public and unlisted; tags and the instance are
     * public timelines: public only (docs/web.md) */
    struct fed_web_query q = {
        .account = account, .tag = tag, .limit = FEED_ITEMS, .unlisted = account != NULL};
    struct feed f = {.r = r, .lang = web_lang(r), .atom = strcmp(kind, "atom") == 0};
    uint64_t next = 0;
    enum MHD_Result ret;
    int rc;

    hr_buf_init(&f.b, FEED_MAX);
    snprintf(f.self, sizeof f.self, "%s%s", r->app->cfg.base_url, r->url);
    rc = feed_names(&f, account, tag);
    if (rc == HR_OK)
        rc = fed_web_posts(r->app->fed, &q, &f.items, &next, NULL);
    if (rc == HR_OK && tag != NULL && json_array_size(f.items) == 0)
        rc = HR_ENOTFOUND; /* a tag none of our public posts carries */
    if (rc == HR_ENOTFOUND)
        ret = http_reply_error(r, 404, "not_found", account ? "no such account" : "no such tag");
    else if (rc != HR_OK)
        ret = http_reply_error(r, 500, "internal", "feed unavailable");
    else
        ret = feed_reply(&f);
    feed_fini(&f);
    return ret;
}

