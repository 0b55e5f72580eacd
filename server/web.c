/* server/web.c - the frame every page shares (server/web.h): language, head, header,
 * footer, error pages, the stylesheet, and the escaping writers. */
#define _GNU_SOURCE /* strptime, timegm */
#include "server/web.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- the stylesheet: one file, no inline style (CSP style-src 'self') ----
 * Colours meet WCAG 2.1 AA (4.5:1 for text) in both schemes; focus is always visible. */
static const char css[] =
    ":root{color-scheme:light dark;--bg:#fff;--fg:#1a1a1a;--muted:#4d4d4d;--line:#d0d0d0;"
    "--link:#0b57a4;--accent:#8a1c1c;--card:#f6f6f6;--ok:#1a6b2d}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#ececec;--muted:#b8b8b8;"
    "--line:#3a3a3a;--link:#8cc4ff;--accent:#ff9c9c;--card:#1e1e1e;--ok:#7ddc8f}}\n"
    ".theme-light{--bg:#fff;--fg:#1a1a1a;--muted:#4d4d4d;--line:#d0d0d0;--link:#0b57a4;"
    "--accent:#8a1c1c;--card:#f6f6f6;--ok:#1a6b2d;color-scheme:light}\n"
    ".theme-dark{--bg:#121212;--fg:#ececec;--muted:#b8b8b8;--line:#3a3a3a;--link:#8cc4ff;"
    "--accent:#ff9c9c;--card:#1e1e1e;--ok:#7ddc8f;color-scheme:dark}\n"
    "body{background:var(--bg);color:var(--fg);font-family:system-ui,-apple-system,"
    "\"Segoe UI\",\"Noto Sans\",\"Noto Sans CJK SC\",\"PingFang SC\",sans-serif;line-height:1.6;"
    "margin:0}\n"
    "a{color:var(--link)}a:focus-visible,button:focus-visible,summary:focus-visible{"
    "outline:3px solid var(--link);outline-offset:2px}\n"
    ".skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:var(--bg);"
    "padding:.5em;z-index:9}\n"
    ".site{border-bottom:1px solid var(--line);padding:.75em 1em}.site a{font-weight:600;"
    "text-decoration:none}\n"
    "main{max-width:42em;margin:0 auto;padding:1em}\n"
    "footer{border-top:1px solid var(--line);color:var(--muted);font-size:.9em;padding:1em;"
    "text-align:center}\n"
    ".handle,.meta,.kind{color:var(--muted)}.handle{word-break:break-all}\n"
    ".badge{display:inline-block;border:1px solid var(--line);border-radius:.3em;"
    "padding:0 .4em;font-size:.85em}\n"
    ".notice,.frozen{border-left:4px solid var(--accent);padding:.5em 1em;background:var(--card)}\n"
    ".post{border-top:1px solid var(--line);padding:.75em 0}\n"
    ".post .cw{font-weight:600}\n"
    ".reply{margin-left:1.5em;border-left:3px solid var(--line);padding-left:1em}\n"
    "img{max-width:100%;height:auto}.avatar{width:96px;height:96px;border-radius:8px}\n"
    ".header-img{width:100%;max-height:220px;object-fit:cover}\n"
    "figure{margin:.5em 0}figcaption{color:var(--muted);font-size:.9em}\n"
    "dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1em}"
    "dl.fields dt{font-weight:600}dl.fields dd{margin:0}\n"
    ".poll meter{width:100%}.pager{display:flex;justify-content:space-between;margin:1em 0}\n"
    ".embed main{max-width:none;padding:.5em}\n"
    ".avatar-small{width:40px;height:40px;border-radius:6px;vertical-align:middle;"
    "margin-right:.5em}\n"
    ".byline{margin:.25em 0}.byline a{text-decoration:none}h1.byline{font-size:1.25em}\n"
    ".verified{color:var(--ok);font-weight:600}\n"
    "details.cw>summary{cursor:pointer;font-weight:600}\n"
    "ul.accounts{list-style:none;padding:0}ul.accounts li{margin:.4em 0}\n"
    ".poll ul{list-style:none;padding:0}.poll li{margin:.4em 0}.poll .option{font-weight:600}\n"
    ".parent{opacity:1;border-left:3px solid var(--line);padding-left:1em}"
    ".parent .label{color:var(--muted);margin:0}\n"
    ".langs{list-style:none;padding:0;display:flex;gap:1em;justify-content:center}\n";

enum MHD_Result web_static_get(struct http_req *r)
{
    if (strcmp(r->url, "/static/herald.css") != 0)
        return http_reply_error(r, 404, "not_found", "no such file");
    /* the pages link it with ?v=HASH: a new stylesheet is a new URL */
    return http_reply(r, 200, "text/css; charset=utf-8", css, "public, max-age=86400");
}

/* ---- language ---- */

const char *web_lang(struct http_req *r)
{
    return hr_i18n_pick(http_arg(r, "lang"), http_header(r, "Accept-Language"),
                        r->app->cfg.languages);
}

void web_begin(struct web *w, struct http_req *r)
{
    *w = (struct web){.r = r, .lang = web_lang(r)};
    hr_buf_init(&w->b, WEB_PAGE_MAX);
}

/* ---- writers ---- */

void web_text(struct web *w, const char *s)
{
    if (s != NULL)
        hr_buf_add_html(&w->b, s, strlen(s));
}

void web_textn(struct web *w, const char *s, size_t n)
{
    hr_buf_add_html(&w->b, s, n);
}

void web_raw(struct web *w, const char *s)
{
    hr_buf_adds(&w->b, s);
}

void web_rawf(struct web *w, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        w->b.err = HR_ETOOBIG;
        return;
    }
    hr_buf_add(&w->b, tmp, (size_t)n);
}

void web_t(struct web *w, const char *msgid)
{
    web_text(w, hr_tr(w->lang, msgid));
}

static void emit_html(void *ctx, const char *p, size_t n)
{
    hr_buf_add_html(ctx, p, n);
}

static void emit_plain(void *ctx, const char *p, size_t n)
{
    hr_buf_add(ctx, p, n);
}

void web_tf(struct web *w, const char *msgid, ...)
{
    va_list ap;

    va_start(ap, msgid);
    hr_subst_v(hr_tr(w->lang, msgid), emit_html, &w->b, ap);
    va_end(ap);
}

void web_sub(struct web *w, const char *tmpl, ...)
{
    va_list ap;

    va_start(ap, tmpl);
    hr_subst_v(tmpl, emit_html, &w->b, ap);
    va_end(ap);
}

char *web_tfs(const char *lang, const char *msgid, ...)
{
    struct hr_buf b;
    va_list ap;

    hr_buf_init(&b, 1u << 16);
    va_start(ap, msgid);
    hr_subst_v(hr_tr(lang, msgid), emit_plain, &b, ap);
    va_end(ap);
    hr_buf_adds(&b, "");
    return hr_buf_take(&b);
}

void web_markup(struct web *w, const char *html)
{
    if (html != NULL)
        hr_buf_add_markup(&w->b, html, strlen(html));
}

void web_remote_html(struct web *w, const char *html)
{
    if (html != NULL)
        fed_sanitize_html(html, strlen(html), &w->b);
}

void web_time(struct web *w, const char *iso)
{
    static const char *const months[] = {N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"),
                                         N_("May"), N_("Jun"), N_("Jul"), N_("Aug"),
                                         N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")};
    struct tm tm = {0}, local;
    char year[8], mon[4], day[4], hm[8], zone[16];
    const char *end;
    time_t t;

    if (iso == NULL)
        return;
    end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end != NULL && *end == '.')
        end += 1 + strspn(end + 1, "0123456789");
    if (end == NULL || strcmp(end, "Z") != 0 || (t = timegm(&tm)) == (time_t)-1 ||
        localtime_r(&t, &local) == NULL || local.tm_mon < 0 || local.tm_mon > 11) {
        web_text(w, iso);
        return;
    }
    strftime(year, sizeof year, "%Y", &local);
    strftime(mon, sizeof mon, "%m", &local);
    snprintf(day, sizeof day, "%d", local.tm_mday);
    strftime(hm, sizeof hm, "%H:%M", &local);
    strftime(zone, sizeof zone, "%Z", &local);
    web_raw(w, "<time datetime=\"");
    web_text(w, iso);
    web_raw(w, "\">");
    /* TRANSLATORS: a post's date and time in the instance's time zone; placeholders:
     * {day} {month} (the abbreviated name) {monthnum} {year} {time} (HH:MM) {zone} */
    web_tf(w, "{day} {month} {year}, {time} {zone}", "day", day, "month",
           hr_tr(w->lang, months[local.tm_mon]), "monthnum", mon[0] == '0' ? mon + 1 : mon,
           "year", year, "time", hm, "zone", zone, NULL);
    web_raw(w, "</time>");
}

void web_handle(struct web *w, const char *name)
{
    web_raw(w, "@");
    web_text(w, name);
    web_raw(w, "@");
    web_text(w, w->r->app->cfg.domain);
}

void web_name(struct web *w, const char *display, const char *name)
{
    if (display != NULL && display[0] != '\0') {
        web_raw(w, "<span class=\"name\"><bdi>");
        web_text(w, display);
        web_raw(w, "</bdi></span> ");
    }
    web_raw(w, "<span class=\"handle\">");
    web_handle(w, name);
    web_raw(w, "</span>");
}

/* ---- the frame ---- */

static char css_version[17];

static const char *css_v(void)
{
    if (css_version[0] == '\0') {
        char etag[48];
        fed_etag(css, sizeof css - 1, etag);
        snprintf(css_version, sizeof css_version, "%.16s", etag + 1);
    }
    return css_version;
}

void web_head(struct web *w, const char *title, const char *canonical)
{
    web_raw(w, "<!DOCTYPE html>\n<html lang=\"");
    web_text(w, w->lang);
    web_raw(w, "\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>");
    web_text(w, title);
    web_raw(w, "</title>");
    web_rawf(w, "<link rel=\"stylesheet\" href=\"/static/herald.css?v=%s\">", css_v());
    if (canonical != NULL)
        web_link(w, "canonical", NULL, canonical, NULL);
}

void web_meta(struct web *w, const char *key, const char *value, bool property)
{
    web_raw(w, property ? "<meta property=\"" : "<meta name=\"");
    web_text(w, key);
    web_raw(w, "\" content=\"");
    web_text(w, value);
    web_raw(w, "\">");
}

void web_link(struct web *w, const char *rel, const char *type, const char *href,
              const char *title)
{
    web_raw(w, "<link rel=\"");
    web_text(w, rel);
    if (type != NULL) {
        web_raw(w, "\" type=\"");
        web_text(w, type);
    }
    web_raw(w, "\" href=\"");
    web_text(w, href);
    if (title != NULL) {
        web_raw(w, "\" title=\"");
        web_text(w, title);
    }
    web_raw(w, "\">");
}

void web_body(struct web *w)
{
    w->body_open = true;
    if (w->embed) {
        web_raw(w, "</head><body class=\"embed");
        if (w->theme != NULL)
            web_rawf(w, " theme-%s", strcmp(w->theme, "dark") == 0 ? "dark" : "light");
        web_raw(w, "\"><main id=\"main\">\n");
        return;
    }
    web_raw(w, "</head><body><a class=\"skip\" href=\"#main\">");
    web_t(w, "Skip to content");
    web_raw(w, "</a><header class=\"site\"><a href=\"/\">");
    web_text(w, w->r->app->cfg.domain);
    web_raw(w, "</a></header><main id=\"main\">\n");
}

/* The footer's language switch: the same page in each shipped language. */
static void lang_switch(struct web *w)
{
    const char *const *langs = hr_i18n_languages();
    const char *path = w->r->url;

    if (langs[1] == NULL)
        return;
    web_raw(w, "<nav aria-label=\"");
    web_t(w, "Language");
    web_raw(w, "\"><ul class=\"langs\">");
    for (size_t i = 0; langs[i] != NULL; i++) {
        /* each language names itself, in itself */
        const char *self = hr_tr(langs[i], "English");
        web_raw(w, "<li>");
        if (strcmp(langs[i], w->lang) == 0) {
            web_rawf(w, "<span lang=\"%s\" aria-current=\"true\">", langs[i]);
            web_text(w, self);
            web_raw(w, "</span>");
        } else {
            web_raw(w, "<a href=\"");
            web_text(w, path);
            web_rawf(w, "?lang=%s\" lang=\"%s\" hreflang=\"%s\">", langs[i], langs[i], langs[i]);
            web_text(w, self);
            web_raw(w, "</a>");
        }
        web_raw(w, "</li>");
    }
    web_raw(w, "</ul></nav>");
}

enum MHD_Result web_finish(struct web *w, int status, const char *cache)
{
    enum MHD_Result ret;

    if (!w->body_open)
        web_body(w);
    web_raw(w, "</main>");
    if (!w->embed) {
        web_raw(w, "<footer>");
        lang_switch(w);
        web_rawf(w, "<p>%s %s</p></footer>", "Herald", HERALD_VERSION);
    }
    web_raw(w, "</body></html>\n");
    if (w->b.err != HR_OK)
        ret = http_reply_error(w->r, 500, "internal", "page too large");
    else
        ret = http_reply(w->r, status, "text/html; charset=utf-8", w->b.data, cache);
    hr_buf_fini(&w->b);
    return ret;
}

/* ---- errors ---- */

bool web_wants_html_error(struct http_req *r)
{
    const char *accept = http_header(r, "Accept");

    if (accept == NULL || (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0))
        return false;
    if (strncmp(r->url, "/api/", 5) == 0 || strncmp(r->url, "/admin", 6) == 0 ||
        strncmp(r->url, "/.well-known/", 13) == 0 || strncmp(r->url, "/nodeinfo", 9) == 0 ||
        strstr(r->url, "/inbox") != NULL)
        return false;
    return strstr(accept, "text/html") != NULL && !http_wants_json(r);
}

/* What a reader can do about an error, for the statuses a reader meets. */
static const char *error_hint(int status)
{
    switch (status) {
    case 404: return N_("The address may be mistyped, or what was here has moved.");
    case 410: return N_("Its author deleted it. The account's other posts are on its page.");
    case 429: return N_("This site is receiving many requests. Please wait a minute and reload.");
    default: return NULL;
    }
}

enum MHD_Result web_error(struct http_req *r, int status, const char *code, const char *msg)
{
    struct web w;
    const char *head;

    (void)code;
    web_begin(&w, r);
    switch (status) {
    case 404: head = TR(w.lang, "Page not found"); break;
    case 410: head = TR(w.lang, "This has been deleted"); break;
    case 429: head = TR(w.lang, "Too many requests: please wait a moment and try again"); break;
    case 400: head = TR(w.lang, "This address is not valid"); break;
    case 503: head = TR(w.lang, "The service is busy: please try again shortly"); break;
    default: head = TR(w.lang, "Something went wrong"); break;
    }
    web_head(&w, head, NULL);
    web_meta(&w, "robots", "noindex", false);
    web_body(&w);
    web_raw(&w, "<h1>");
    web_text(&w, head);
    web_raw(&w, "</h1>");
    if (error_hint(status) != NULL) {
        /* the reader's language; the JSON message is for programs */
        web_raw(&w, "<p>");
        web_t(&w, error_hint(status));
        web_raw(&w, "</p>");
    } else if (msg != NULL && msg[0] != '\0') {
        web_raw(&w, "<p class=\"meta\" lang=\"en\">");
        web_text(&w, msg);
        web_raw(&w, "</p>");
    }
    web_raw(&w, "<p><a href=\"/\">");
    web_t(&w, "Go to the home page");
    web_raw(&w, "</a></p>");
    return web_finish(&w, status, NULL);
}

/* ---- URLs and excerpts ---- */

void web_profile_url(struct http_req *r, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/@%s", r->app->cfg.base_url, name);
}

void web_post_url(struct http_req *r, const char *name, const char *id, char *out, size_t cap)
{
    snprintf(out, cap, "%s/@%s/%s", r->app->cfg.base_url, name, id);
}

bool web_note_ids(struct http_req *r, const char *note_id, char name[32], char id[64])
{
    const char *base = r->app->cfg.base_url, *p, *slash;
    size_t n = strlen(base);

    if (note_id == NULL || strncmp(note_id, base, n) != 0 || strncmp(note_id + n, "/users/", 7))
        return false;
    p = note_id + n + 7;
    slash = strchr(p, '/');
    if (slash == NULL || (size_t)(slash - p) >= 32 || strncmp(slash, "/notes/", 7) != 0)
        return false;
    memcpy(name, p, (size_t)(slash - p));
    name[slash - p] = '\0';
    p = slash + 7;
    n = strspn(p, "0123456789abcdef");
    if (n == 0 || n >= 64 || p[n] != '\0' || !hr_name_valid(name))
        return false;
    memcpy(id, p, n);
    id[n] = '\0';
    return true;
}

char *web_post_excerpt(const json_t *note, size_t max)
{
    const char *s = json_string_value(json_object_get(note, "summary"));
    struct hr_buf b;
    bool in_tag = false, space = false;

    hr_buf_init(&b, max + 8);
    if (s == NULL || s[0] == '\0') {
        s = json_string_value(json_object_get(note, "content"));
        /* our own content: generated HTML whose text is entity-escaped; tags out, the
         * five entities we write back to characters, </p> and <br> to spaces */
        for (const char *p = s ? s : ""; *p != '\0' && b.len < max; p++) {
            if (*p == '<') {
                in_tag = true;
                if (strncmp(p, "</p>", 4) == 0 || strncmp(p, "<br", 3) == 0)
                    space = true;
                continue;
            }
            if (in_tag) {
                in_tag = *p != '>';
                continue;
            }
            if (space && b.len > 0)
                hr_buf_adds(&b, " ");
            space = false;
            if (*p == '&') {
                static const struct { const char *ent, *ch; } ents[] = {
                    {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
                bool done = false;
                for (size_t i = 0; i < sizeof ents / sizeof ents[0] && !done; i++)
                    if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0) {
                        hr_buf_adds(&b, ents[i].ch);
                        p += strlen(ents[i].ent) - 1;
                        done = true;
                    }
                if (done)
                    continue;
            }
            hr_buf_add(&b, p, 1);
        }
    } else {
        hr_buf_add(&b, s, strlen(s) < max ? strlen(s) : max);
    }
    if (b.len >= max) { /* cut on a character boundary */
        while (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0xC0) == 0x80)
            b.len--;
        if (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0xC0) == 0xC0)
            b.len--;
        b.data[b.len] = '\0';
        b.err = HR_OK;
        hr_buf_adds(&b, "\xe2\x80\xa6");
    }
    if (b.data == NULL)
        hr_buf_adds(&b, "");
    return hr_buf_take(&b);
}
