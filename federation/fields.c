/* federation/fields.c - an account's profile fields (profile "fields", agency/fields.c)
 * on its actor, as Mastodon shows them: one schema:PropertyValue per field appended to
 * "attachment", the value HTML with its http(s) URLs made links (rel="me": a page that
 * links back verifies the field, as Mastodon's green tick does). */
#include "federation/fed_int.h"

#include <stdlib.h>
#include <string.h>

/* VALUE escaped, its links as Mastodon marks profile links. Caller frees. */
static char *field_html(const char *value)
{
    struct hr_buf b;
    struct fed_entity e;
    size_t n = strlen(value), from = 0;

    hr_buf_init(&b, 8 * 2048 + 1024);
    while (fed_entity_next(value, n, from, &e)) {
        if (e.kind != FED_ENTITY_LINK) {
            hr_buf_add_html(&b, value + from, e.start + e.len - from);
        } else {
            hr_buf_add_html(&b, value + from, e.start - from);
            hr_buf_adds(&b, "<a href=\"");
            hr_buf_add_html(&b, value + e.start, e.len);
            hr_buf_adds(&b, "\" target=\"_blank\" rel=\"me nofollow noopener\" "
                            "translate=\"no\">");
            hr_buf_add_html(&b, value + e.start, e.len);
            hr_buf_adds(&b, "</a>");
        }
        from = e.start + e.len;
    }
    hr_buf_add_html(&b, value + from, n - from);
    hr_buf_add(&b, "", 0);
    return hr_buf_take(&b);
}

int fed_actor_add_fields(struct fed *fed, const struct store_account *a, const json_t *profile,
                         json_t *actor)
{
    json_t *att = json_object_get(actor, "attachment");
    const json_t *f;
    size_t i;

    (void)fed, (void)a;
    if (json_array_size(json_object_get(profile, "fields")) == 0)
        return HR_OK;
    if (!json_is_array(att) && json_object_set_new(actor, "attachment", att = json_array()) != 0)
        return HR_ENOMEM;
    json_array_foreach(json_object_get(profile, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *value = json_string_value(json_object_get(f, "value"));
        char *html = value ? field_html(value) : NULL;
        int bad = html == NULL || name == NULL ||
                  json_array_append_new(att, json_pack("{s:s,s:s,s:s}", "type", "PropertyValue",
                                                       "name", name, "value", html)) != 0;
        free(html);
        if (bad)
            return HR_ENOMEM;
    }
    return HR_OK;
}
