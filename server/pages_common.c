/* server/pages_common.c - pieces more than one page kind shows (server/web.h): a post, a
 * list of posts with its pager, an account's actor document. */
#include "server/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *pages_actor(struct http_req *r, const char *name)
{
    struct fed_doc d = {0};
    json_t *j;

    fed_actor(r->app->fed, name, &d);
    j = d.status == 200 && d.body ? json_loads(d.body, 0, NULL) : NULL;
    fed_doc_fini(&d);
    return j;
}

void pages_post_item(struct web *w, const json_t *note, bool link)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    const char *lang = NULL, *k;
    const json_t *v;
    char name[32], hex[64], url[700];

    json_object_foreach((json_t *)json_object_get(note, "contentMap"), k, v)
    {
        lang = k; /* one language per post (federation/tags.c) */
        break;
    }
    web_raw(w, "<article class=\"post\"");
    if (lang != NULL) {
        web_raw(w, " lang=\"");
        web_text(w, lang);
        web_raw(w, "\"");
    }
    web_raw(w, ">");
    if (json_string_value(json_object_get(note, "summary")) != NULL) {
        web_raw(w, "<p class=\"cw\">");
        web_text(w, json_string_value(json_object_get(note, "summary")));
        web_raw(w, "</p>");
    }
    /* our own content: generated from escaped text by fed_text_to_html */
    web_markup(w, json_string_value(json_object_get(note, "content")));
    web_raw(w, "<p class=\"meta\">");
    if (link && web_note_ids(w->r, id, name, hex)) {
        web_post_url(w->r, name, hex, url, sizeof url);
        web_raw(w, "<a href=\"");
        web_text(w, url);
        web_raw(w, "\">");
        web_time(w, json_string_value(json_object_get(note, "published")));
        web_raw(w, "</a>");
    } else {
        web_time(w, json_string_value(json_object_get(note, "published")));
    }
    web_raw(w, "</p></article>\n");
}

void pages_post_list(struct web *w, const json_t *items, uint64_t next, const char *path)
{
    const json_t *note;
    size_t i;

    if (json_array_size(items) == 0) {
        web_raw(w, "<p>");
        web_t(w, "No posts yet.");
        web_raw(w, "</p>");
    }
    json_array_foreach(items, i, note) pages_post_item(w, note, true);
    if (next > 0) {
        web_raw(w, "<nav class=\"pager\" aria-label=\"");
        web_t(w, "More posts");
        web_raw(w, "\"><a rel=\"next\" href=\"");
        web_text(w, path);
        web_rawf(w, "?before=%llu\">", (unsigned long long)next);
        web_t(w, "Older posts");
        web_raw(w, "</a></nav>");
    }
}

int pages_cursor(struct http_req *r, uint64_t *before)
{
    const char *s = http_arg(r, "before");

    *before = 0;
    return s == NULL ? HR_OK : hr_parse_u64(s, UINT64_MAX, before);
}
